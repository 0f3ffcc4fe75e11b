/*
 * Real cadastral parcels of Nam Dương ward, Đà Nẵng, published in WGS 84
 * after conversion from VN-2000 TM-3 107°45′ coordinates rounded to the
 * millimetre. Converting them back must land on that millimetre grid, and
 * their recorded areas (DienTich) must match the geodesic areas.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "vn2000/vn2000.h"

#define PARCELS \
	VNSDI_SHARED_DIR "/data/real/danang-parcels/parcels_20248_nam_duong.geojson"
/* Cap on vertices read: the ward has about 23 000. */
#define MAX_VERTICES 200000
/* Residual from the millimetre grid, in millimetres, that counts as on it. */
#define GRID_TOLERANCE_MM 0.05

struct parcels {
	double *lon, *lat; /* every ring vertex, closing ones excluded */
	size_t n_vertices;
	double *rel_diff;  /* |geodesic area - DienTich| / DienTich per parcel */
	size_t n_parcels;
	const struct vn2000_crs *crs;
};

static struct parcels data;

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(double), compare_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Append a ring's vertices to data and return its geodesic area. */
static double ring_area(OGRGeometryH ring)
{
	int n = OGR_G_GetPointCount(ring);
	double *pairs = malloc(2 * (size_t)n * sizeof(double));
	double area;

	assert_non_null(pairs);
	for (int i = 0; i < n; i++) {
		pairs[2 * i] = OGR_G_GetX(ring, i);
		pairs[2 * i + 1] = OGR_G_GetY(ring, i);
		if (i == n - 1 && n > 1 && pairs[0] == pairs[2 * i] &&
		    pairs[1] == pairs[2 * i + 1])
			continue;
		assert_true(data.n_vertices < MAX_VERTICES);
		data.lon[data.n_vertices] = pairs[2 * i];
		data.lat[data.n_vertices++] = pairs[2 * i + 1];
	}
	area = vn2000_geodesic_area(pairs, (size_t)n);
	free(pairs);
	return area;
}

/* Geodesic area of a polygon or multipolygon: shells minus holes. */
static double geometry_area(OGRGeometryH g)
{
	OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
	double area = 0;

	if (type == wkbMultiPolygon) {
		for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
			area += geometry_area(OGR_G_GetGeometryRef(g, i));
		return area;
	}
	assert_int_equal(type, wkbPolygon);
	for (int i = 0; i < OGR_G_GetGeometryCount(g); i++) {
		double a = ring_area(OGR_G_GetGeometryRef(g, i));

		area += i == 0 ? a : -a;
	}
	return area;
}

static int setup(void **state)
{
	GDALDatasetH ds;
	OGRLayerH layer;
	OGRFeatureH feat;
	char note[512], message[512];

	(void)state;
	GDALAllRegister();
	ds = GDALOpenEx(PARCELS, GDAL_OF_VECTOR, NULL, NULL, NULL);
	if (!ds)
		return -1;
	layer = GDALDatasetGetLayer(ds, 0);
	data.crs = vn2000_crs_identify(OGR_L_GetSpatialRef(layer), note,
				       sizeof(note), message, sizeof(message));
	data.lon = malloc(MAX_VERTICES * sizeof(double));
	data.lat = malloc(MAX_VERTICES * sizeof(double));
	data.rel_diff = malloc((size_t)OGR_L_GetFeatureCount(layer, 1) *
			       sizeof(double));
	if (!data.lon || !data.lat || !data.rel_diff)
		return -1;
	while ((feat = OGR_L_GetNextFeature(layer)) != NULL) {
		OGRGeometryH g = OGR_F_GetGeometryRef(feat);
		double recorded = OGR_F_GetFieldAsDouble(
			feat, OGR_F_GetFieldIndex(feat, "DienTich"));

		if (g && recorded > 0)
			data.rel_diff[data.n_parcels++] =
				fabs(geometry_area(g) - recorded) / recorded;
		OGR_F_Destroy(feat);
	}
	GDALClose(ds);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(data.lon);
	free(data.lat);
	free(data.rel_diff);
	vn2000_thread_cleanup();
	return 0;
}

/* Residual of a value in metres from the millimetre grid, in mm. */
static double grid_residual_mm(double metres)
{
	double mm = metres * 1000.0;

	return mm - nearbyint(mm);
}

/* Wrap a residual difference into [-0.5, 0.5) mm. */
static double wrap_mm(double d)
{
	return d - floor(d + 0.5);
}

static void test_vertices_on_mm_grid(void **state)
{
	size_t n = data.n_vertices, on_grid = 0;
	double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
	double *re = malloc(n * sizeof(double)), *rn = malloc(n * sizeof(double));
	double med_e, med_n;
	struct vn2000_transform *tr;

	(void)state;
	assert_non_null(data.crs);
	assert_string_equal(data.crs->id, "CRS:84");
	assert_true(n > 20000);
	assert_true(x && y && re && rn);
	memcpy(x, data.lon, n * sizeof(double));
	memcpy(y, data.lat, n * sizeof(double));
	tr = vn2000_transform_get(data.crs, vn2000_crs_find("EPSG:5899"));
	assert_non_null(tr);
	assert_int_equal(vn2000_transform_points(tr, x, y, n), 0);

	/* Remove the constant offset of the grid (its median). */
	for (size_t i = 0; i < n; i++) {
		re[i] = grid_residual_mm(x[i]);
		rn[i] = grid_residual_mm(y[i]);
	}
	med_e = median(re, n);
	med_n = median(rn, n);
	for (size_t i = 0; i < n; i++)
		if (fabs(wrap_mm(grid_residual_mm(x[i]) - med_e)) <=
			    GRID_TOLERANCE_MM &&
		    fabs(wrap_mm(grid_residual_mm(y[i]) - med_n)) <=
			    GRID_TOLERANCE_MM)
			on_grid++;
	print_message("%zu of %zu vertices within %.2f mm of the millimetre "
		      "grid; grid offset E %+.3f mm, N %+.3f mm\n",
		      on_grid, n, GRID_TOLERANCE_MM, med_e, med_n);
	assert_true(on_grid * 100 >= n * 99);
	/* The grid has no offset: the publisher converted VN-2000 points at
	 * height 0 with the official parameters, and vnsdi's WGS 84 ->
	 * VN-2000 direction is the exact inverse of that. PROJ's cs2cs, which
	 * takes height 0 on the WGS 84 side, leaves about +0.23 mm E and
	 * -0.13 mm N. */
	assert_true(fabs(med_e) < 0.02);
	assert_true(fabs(med_n) < 0.02);
	free(x);
	free(y);
	free(re);
	free(rn);
}

static void test_dientich_geodesic(void **state)
{
	double med;

	(void)state;
	assert_true(data.n_parcels > 1900);
	med = median(data.rel_diff, data.n_parcels);
	print_message("median |geodesic area - DienTich| / DienTich over %zu "
		      "parcels: %.5f %%\n",
		      data.n_parcels, med * 100);
	assert_true(med < 0.001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vertices_on_mm_grid),
		cmocka_unit_test(test_dientich_geodesic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
