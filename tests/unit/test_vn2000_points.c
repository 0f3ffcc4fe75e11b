/*
 * VN-2000 conversion vectors, round trips over every provincial zone, and
 * bounding boxes, all through the functions the server uses.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ogr_srs_api.h>

#include "vn2000/vn2000.h"

#define POINTS_CSV VNSDI_SHARED_DIR "/vn2000/test_points.csv"
#define MAX_FIELDS 12

/* Split one CSV line with double-quoted fields in place. */
static int csv_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		char *out;

		if (*p == '"') {
			fields[n++] = out = ++p;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				*out++ = *p++;
			}
			if (*p == '"')
				p++;
			*out = '\0';
		} else {
			fields[n++] = p;
			p += strcspn(p, ",\r\n");
		}
		if (*p != ',') {
			*p = '\0';
			break;
		}
		*p++ = '\0';
	}
	return n;
}

static double parse_double(const char *text)
{
	char *end;
	double v = strtod(text, &end);

	assert_true(end != text && *end == '\0');
	return v;
}

/* Resolve a CRS column: an id of the catalogue or a PROJ string. */
static const struct vn2000_crs *crs_of(const char *text)
{
	const struct vn2000_crs *c = vn2000_crs_find(text);
	OGRSpatialReferenceH srs;
	char note[512], message[512];

	if (c)
		return c;
	srs = OSRNewSpatialReference(NULL);
	assert_int_equal(OSRSetFromUserInput(srs, text), OGRERR_NONE);
	c = vn2000_crs_identify(srs, note, sizeof(note), message,
				sizeof(message));
	OSRDestroySpatialReference(srs);
	return c;
}

/* Distance in metres between two points of `crs`. */
static double distance_m(const struct vn2000_crs *crs, double x1, double y1,
			 double x2, double y2)
{
	double line[4] = { x1, y1, x2, y2 };

	if (crs->geographic)
		return vn2000_geodesic_length(line, 2);
	return hypot(x2 - x1, y2 - y1);
}

static void test_points_csv(void **state)
{
	FILE *f = fopen(POINTS_CSV, "r");
	char line[4096];
	int rows = 0, failures = 0;

	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		char *fld[MAX_FIELDS];
		const struct vn2000_crs *from, *to;
		struct vn2000_transform *tr;
		double x, y, ex, ey, tol, d;

		if (csv_split(line, fld, MAX_FIELDS) < 9)
			continue;
		from = crs_of(fld[1]);
		to = crs_of(fld[4]);
		assert_non_null(from);
		assert_non_null(to);
		x = parse_double(fld[2]);
		y = parse_double(fld[3]);
		ex = parse_double(fld[5]);
		ey = parse_double(fld[6]);
		tol = parse_double(fld[7]);
		tr = vn2000_transform_get(from, to);
		assert_non_null(tr);
		assert_int_equal(vn2000_transform_points(tr, &x, &y, 1), 0);
		d = distance_m(to, x, y, ex, ey);
		rows++;
		if (d > tol) {
			failures++;
			print_error("%s: %s -> %s (%s -> %s): expected %.10f %.10f, "
				    "obtained %.10f %.10f, %.4f m off, tolerance "
				    "%.4f m\n",
				    fld[0], fld[1], fld[4], from->id, to->id, ex,
				    ey, x, y, d, tol);
		}
	}
	fclose(f);
	assert_int_equal(rows, 51);
	assert_int_equal(failures, 0);
}

/* The Mekong delta rows, where PROJ's own choice (EPSG:5194) is 0.8 m off. */
static void test_mekong_official(void **state)
{
	/* Can Tho, Ninh Kieu: TM-3 105-00 to WGS 84 (EPSG:6960 forced). */
	const struct vn2000_crs *tm3 = vn2000_crs_find("EPSG:5897");
	const struct vn2000_crs *wgs = vn2000_crs_find("CRS:84");
	struct vn2000_transform *tr = vn2000_transform_get(tm3, wgs);
	double x = 586336.8817, y = 1109618.9951;

	(void)state;
	assert_non_null(tr);
	vn2000_transform_points(tr, &x, &y, 1);
	assert_true(distance_m(wgs, x, y, 105.7893842481, 10.0330861009) <
		    0.005);
}

/* WGS 84 -> zone -> WGS 84 over the zone's area, for every province. */
static void test_round_trip_provinces(void **state)
{
	const struct vn2000_crs *wgs = vn2000_crs_find("CRS:84");
	enum { GRID = 11 };

	(void)state;
	for (size_t p = 0; p < vn2000_province_count(); p++) {
		const struct vn2000_province *prov = vn2000_province_at(p);
		const struct vn2000_crs *zone = vn2000_crs_find(prov->name_vi);
		struct vn2000_transform *fwd, *back;
		double x[GRID * GRID], y[GRID * GRID];
		double x0[GRID * GRID], y0[GRID * GRID];
		double worst = 0;

		assert_non_null(zone);
		assert_int_equal(zone->epsg, prov->epsg);
		fwd = vn2000_transform_get(wgs, zone);
		back = vn2000_transform_get(zone, wgs);
		assert_non_null(fwd);
		assert_non_null(back);
		for (int i = 0; i < GRID; i++)
			for (int j = 0; j < GRID; j++) {
				int k = i * GRID + j;

				x0[k] = x[k] = zone->area[0] +
					       (zone->area[2] - zone->area[0]) * i /
						       (GRID - 1);
				y0[k] = y[k] = zone->area[1] +
					       (zone->area[3] - zone->area[1]) * j /
						       (GRID - 1);
			}
		assert_int_equal(vn2000_transform_points(fwd, x, y, GRID * GRID),
				 0);
		assert_int_equal(vn2000_transform_points(back, x, y, GRID * GRID),
				 0);
		for (int k = 0; k < GRID * GRID; k++)
			worst = fmax(worst,
				     distance_m(wgs, x0[k], y0[k], x[k], y[k]));
		if (worst >= 0.001)
			print_error("%s (%s): round trip worst %.6f m\n",
				    prov->name_vi, zone->id, worst);
		assert_true(worst < 0.001);
	}
}

/* Interleaved pairs give the same result as separate arrays. */
static void test_xy_matches_points(void **state)
{
	struct vn2000_transform *tr = vn2000_transform_get(
		vn2000_crs_find("EPSG:9210"), vn2000_crs_find("EPSG:3857"));
	double x = 603992.9740, y = 1191830.2482;
	double xy[2] = { x, y };

	(void)state;
	assert_non_null(tr);
	vn2000_transform_points(tr, &x, &y, 1);
	vn2000_transform_xy(tr, xy, 1);
	assert_true(x == xy[0] && y == xy[1]);
}

static void test_failed_point_is_huge(void **state)
{
	struct vn2000_transform *tr = vn2000_transform_get(
		vn2000_crs_find("CRS:84"), vn2000_crs_find("EPSG:3857"));
	double x[2] = { 106.7, NAN }, y[2] = { 89.999999999, 10.7 };

	(void)state;
	assert_non_null(tr);
	assert_int_equal(vn2000_transform_points(tr, x, y, 2), 1);
	assert_true(isfinite(x[0]) && isfinite(y[0]));
	assert_true(x[1] == HUGE_VAL && y[1] == HUGE_VAL);
}

/* Cross-zone points are valid transverse Mercator and are kept. */
static void test_cross_zone_kept(void **state)
{
	struct vn2000_transform *tr = vn2000_transform_get(
		vn2000_crs_find("EPSG:3405"), vn2000_crs_find("EPSG:3406"));
	double x = 824035.3215, y = 1715913.1256;

	(void)state;
	assert_int_equal(vn2000_transform_points(tr, &x, &y, 1), 0);
	assert_true(hypot(x - 180259.9013, y - 1715852.9685) < 0.001);
}

static void test_bbox_densified(void **state)
{
	/* A box around Can Tho in CRS84 to TM-3 105-00: the corners do not
	 * give the whole extent. */
	struct vn2000_transform *tr = vn2000_transform_get(
		vn2000_crs_find("CRS:84"), vn2000_crs_find("EPSG:5897"));
	const double in[4] = { 104.0, 9.5, 106.0, 10.5 };
	double out[4], cx[4] = { 104, 106, 106, 104 },
		       cy[4] = { 9.5, 9.5, 10.5, 10.5 };

	(void)state;
	assert_int_equal(vn2000_transform_bbox(tr, in, out, 21), 0);
	vn2000_transform_points(tr, cx, cy, 4);
	/* In transverse Mercator a parallel is lowest on the central
	 * meridian: 9.5°N at 105°E is about 160 m below the corners. */
	assert_true(out[1] < fmin(cy[0], cy[1]) - 100.0);
	for (int i = 0; i < 4; i++) {
		assert_true(cx[i] >= out[0] && cx[i] <= out[2]);
		assert_true(cy[i] >= out[1] && cy[i] <= out[3]);
	}
}

static void test_bbox_clipped_never_nan(void **state)
{
	const char *targets[] = { "EPSG:3857", "EPSG:5899", "EPSG:4756",
				  "EPSG:3405" };
	const double world[4] = { -180, -90, 180, 90 };

	(void)state;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct vn2000_transform *tr = vn2000_transform_get(
			vn2000_crs_find("CRS:84"), vn2000_crs_find(targets[i]));
		double out[4];

		assert_int_equal(vn2000_transform_bbox(tr, world, out, 21), 0);
		for (int k = 0; k < 4; k++)
			assert_true(isfinite(out[k]));
		assert_true(out[0] < out[2] && out[1] < out[3]);
	}
}

static void test_bbox_projected_source_clipped(void **state)
{
	/* A huge TM-3 box is clipped to Vietnam before transforming. */
	struct vn2000_transform *tr = vn2000_transform_get(
		vn2000_crs_find("EPSG:5899"), vn2000_crs_find("CRS:84"));
	const double in[4] = { -5e6, -5e6, 5e6, 5e6 };
	double out[4];

	(void)state;
	assert_int_equal(vn2000_transform_bbox(tr, in, out, 21), 0);
	for (int k = 0; k < 4; k++)
		assert_true(isfinite(out[k]));
	assert_true(out[0] > 101 && out[2] < 113.5);
	assert_true(out[1] > 5 && out[3] < 24);
}

static void test_bbox_bad_input(void **state)
{
	struct vn2000_transform *tr = vn2000_transform_get(
		vn2000_crs_find("EPSG:4756"), vn2000_crs_find("EPSG:3857"));
	const double inverted[4] = { 106, 10, 105, 11 };
	const double nan_box[4] = { NAN, 10, 106, 11 };
	/* Entirely outside Vietnam, the region of VN-2000. */
	const double outside[4] = { 0, 40, 10, 50 };
	double out[4] = { 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(vn2000_transform_bbox(tr, inverted, out, 21), -1);
	assert_int_equal(vn2000_transform_bbox(tr, nan_box, out, 21), -1);
	assert_int_equal(vn2000_transform_bbox(tr, outside, out, 21), -1);
	assert_true(out[0] == 1 && out[3] == 4);
}

static void test_geodesic(void **state)
{
	/* One degree of longitude on the equator: a * pi / 180. */
	const double equator[4] = { 105, 0, 106, 0 };
	const double square[10] = { 105, 10, 105.01, 10, 105.01, 10.01,
				    105, 10.01, 105, 10 };
	const double box[4] = { 105, 10, 105.01, 10.01 };
	double a = vn2000_geodesic_area(square, 5);
	double b = vn2000_geodesic_bbox_area(box);

	(void)state;
	assert_true(fabs(vn2000_geodesic_length(equator, 2) - 111319.4908) <
		    1e-3);
	/* 0.01° x 0.01° at 10°N is about 1.09 km x 1.11 km. */
	assert_true(a > 1.2e6 && a < 1.23e6);
	assert_true(fabs(a - b) / b < 1e-6);
	assert_true(vn2000_geodesic_area(square, 2) == 0.0);
}

/* Each thread builds its own transforms and gets the same results. */
static void *thread_worker(void *arg)
{
	int *bad = arg;

	for (int i = 0; i < 200; i++) {
		struct vn2000_transform *tr = vn2000_transform_get(
			vn2000_crs_find("EPSG:9210"), vn2000_crs_find("CRS:84"));
		double x = 603992.9740, y = 1191830.2482;

		if (!tr || vn2000_transform_points(tr, &x, &y, 1) != 0 ||
		    fabs(x - 106.7026862253) > 1e-8 ||
		    fabs(y - 10.7758814899) > 1e-8)
			(*bad)++;
	}
	vn2000_thread_cleanup();
	return NULL;
}

static void test_threads(void **state)
{
	enum { THREADS = 4 };
	pthread_t tid[THREADS];
	int bad[THREADS] = { 0 };

	(void)state;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, thread_worker,
						&bad[i]),
				 0);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(tid[i], NULL);
		assert_int_equal(bad[i], 0);
	}
}

static int teardown(void **state)
{
	(void)state;
	vn2000_thread_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_points_csv),
		cmocka_unit_test(test_mekong_official),
		cmocka_unit_test(test_round_trip_provinces),
		cmocka_unit_test(test_xy_matches_points),
		cmocka_unit_test(test_failed_point_is_huge),
		cmocka_unit_test(test_cross_zone_kept),
		cmocka_unit_test(test_bbox_densified),
		cmocka_unit_test(test_bbox_clipped_never_nan),
		cmocka_unit_test(test_bbox_projected_source_clipped),
		cmocka_unit_test(test_bbox_bad_input),
		cmocka_unit_test(test_geodesic),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
