/*
 * Shared pieces of the sample generator: the random number generator, the
 * local frame, geometry builders and OGR helpers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples/samplegen.h"
#include "vn2000/vn2000.h"

void sg_rng_seed(struct sg_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

/* splitmix64 by Sebastiano Vigna (public domain algorithm). */
uint64_t sg_rng_next(struct sg_rng *rng)
{
	uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

double sg_rng_uniform(struct sg_rng *rng, double lo, double hi)
{
	/* 53 random bits give a double in [0, 1). */
	double t = (double)(sg_rng_next(rng) >> 11) * 0x1.0p-53;
	return lo + (hi - lo) * t;
}

int sg_rng_int(struct sg_rng *rng, int lo, int hi)
{
	uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
	return lo + (int)(sg_rng_next(rng) % span);
}

bool sg_rng_chance(struct sg_rng *rng, double p)
{
	return sg_rng_uniform(rng, 0.0, 1.0) < p;
}

const char *sg_rng_pick(struct sg_rng *rng, const char *const *list,
			size_t n)
{
	return list[sg_rng_next(rng) % n];
}

double sg_hash01(uint64_t seed, int64_t x, int64_t y)
{
	struct sg_rng r = {
		seed ^ ((uint64_t)x * 0x9E3779B1ull) ^
		((uint64_t)y * 0x85EBCA77C2B2AE63ull)
	};
	return (double)(sg_rng_next(&r) >> 11) * 0x1.0p-53;
}

static double sg_round_mm(double x)
{
	return round(x * 1000.0) / 1000.0;
}

void sg_local_to_en(double u, double v, double *e, double *n)
{
	double a = SG_ROTATION_DEG * M_PI / 180.0;
	*e = sg_round_mm(SG_CENTRE_E + u * cos(a) - v * sin(a));
	*n = sg_round_mm(SG_CENTRE_N + u * sin(a) + v * cos(a));
}

void sg_en_to_local(double e, double n, double *u, double *v)
{
	double a = SG_ROTATION_DEG * M_PI / 180.0;
	double de = e - SG_CENTRE_E;
	double dn = n - SG_CENTRE_N;
	*u = de * cos(a) + dn * sin(a);
	*v = -de * sin(a) + dn * cos(a);
}

OGRGeometryH sg_ring_new(const double *uv, size_t n)
{
	OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
	for (size_t i = 0; i <= n; i++) {
		double e, nn;
		sg_local_to_en(uv[2 * (i % n)], uv[2 * (i % n) + 1], &e, &nn);
		OGR_G_AddPoint_2D(ring, e, nn);
	}
	return ring;
}

/* Corners of a rectangle, counter-clockwise; clockwise for a hole. */
static void sg_rect_corners(const struct sg_rect *r, bool clockwise,
			    double uv[8])
{
	double ccw[8] = { r->u0, r->v0, r->u1, r->v0,
			  r->u1, r->v1, r->u0, r->v1 };
	for (int i = 0; i < 4; i++) {
		int k = clockwise ? (4 - i) % 4 : i;
		uv[2 * i] = ccw[2 * k];
		uv[2 * i + 1] = ccw[2 * k + 1];
	}
}

OGRGeometryH sg_rect_polygon_new(const struct sg_rect *r,
				 const struct sg_rect *holes, size_t n_holes)
{
	double uv[8];
	OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
	sg_rect_corners(r, false, uv);
	OGR_G_AddGeometryDirectly(poly, sg_ring_new(uv, 4));
	for (size_t i = 0; i < n_holes; i++) {
		sg_rect_corners(&holes[i], true, uv);
		OGR_G_AddGeometryDirectly(poly, sg_ring_new(uv, 4));
	}
	return poly;
}

OGRGeometryH sg_quad_new(const double uv[8])
{
	OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
	OGR_G_AddGeometryDirectly(poly, sg_ring_new(uv, 4));
	return poly;
}

/* Geodesic area of one ring of EPSG:5897 points. */
static double sg_ring_area(OGRGeometryH ring, struct vn2000_transform *tr)
{
	int n = OGR_G_GetPointCount(ring);
	double *xy = malloc(2 * (size_t)n * sizeof(*xy));
	if (!xy)
		return NAN;
	for (int i = 0; i < n; i++) {
		xy[2 * i] = OGR_G_GetX(ring, i);
		xy[2 * i + 1] = OGR_G_GetY(ring, i);
	}
	double area = NAN;
	if (vn2000_transform_xy(tr, xy, (size_t)n) == 0)
		area = vn2000_geodesic_area(xy, (size_t)n);
	free(xy);
	return area;
}

static double sg_polygon_area(OGRGeometryH poly, struct vn2000_transform *tr)
{
	double area = 0.0;
	int n = OGR_G_GetGeometryCount(poly);
	for (int i = 0; i < n; i++) {
		double a = sg_ring_area(OGR_G_GetGeometryRef(poly, i), tr);
		area += i == 0 ? a : -a;
	}
	return area;
}

double sg_geodesic_area(OGRGeometryH geom)
{
	struct vn2000_transform *tr =
		vn2000_transform_get(vn2000_crs_by_epsg(SG_EPSG),
				     vn2000_crs_find("CRS:84"));
	if (!tr)
		return NAN;
	if (wkbFlatten(OGR_G_GetGeometryType(geom)) == wkbPolygon)
		return sg_polygon_area(geom, tr);

	double area = 0.0;
	for (int i = 0; i < OGR_G_GetGeometryCount(geom); i++)
		area += sg_polygon_area(OGR_G_GetGeometryRef(geom, i), tr);
	return area;
}

OGRGeometryH sg_label_point_new(OGRGeometryH geom)
{
	OGRGeometryH poly = geom;
	if (wkbFlatten(OGR_G_GetGeometryType(geom)) == wkbMultiPolygon)
		poly = OGR_G_GetGeometryRef(geom, 0);
	OGRGeometryH p = OGR_G_PointOnSurface(poly);
	if (p)
		OGR_G_SetPoint_2D(p, 0, round(OGR_G_GetX(p, 0) * 1000) / 1000,
				  round(OGR_G_GetY(p, 0) * 1000) / 1000);
	return p;
}

/* Names from Circular 25/2014/TT-BTNMT, Appendix 01, III.13. */
static const char *const sg_landuse[][2] = {
	{ "ODT", "Đất ở tại đô thị" },
	{ "ONT", "Đất ở tại nông thôn" },
	{ "TMD", "Đất thương mại, dịch vụ" },
	{ "SKC", "Đất cơ sở sản xuất phi nông nghiệp" },
	{ "DGT", "Đất giao thông" },
	{ "DGD", "Đất xây dựng cơ sở giáo dục và đào tạo" },
	{ "DYT", "Đất xây dựng cơ sở y tế" },
	{ "DVH", "Đất xây dựng cơ sở văn hóa" },
	{ "DTT", "Đất xây dựng cơ sở thể dục thể thao" },
	{ "DKV", "Đất khu vui chơi, giải trí công cộng" },
	{ "TON", "Đất cơ sở tôn giáo" },
	{ "CLN", "Đất trồng cây lâu năm" },
	{ "NTS", "Đất nuôi trồng thủy sản" },
	{ "LUK", "Đất trồng lúa nước còn lại" },
};

const char *sg_landuse_name(const char *code)
{
	for (size_t i = 0; i < sizeof(sg_landuse) / sizeof(sg_landuse[0]);
	     i++)
		if (!strncmp(sg_landuse[i][0], code, 3))
			return sg_landuse[i][1];
	return NULL;
}

OGRLayerH sg_layer_new(GDALDatasetH ds, const char *name,
		       OGRwkbGeometryType type)
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OGRLayerH layer = NULL;
	if (OSRImportFromEPSG(srs, SG_EPSG) == OGRERR_NONE)
		layer = GDALDatasetCreateLayer(ds, name, srs, type, NULL);
	OSRDestroySpatialReference(srs);
	if (!layer)
		fprintf(stderr, "samplegen: cannot create layer %s: %s\n",
			name, CPLGetLastErrorMsg());
	return layer;
}

int sg_field_add(OGRLayerH layer, const char *name, OGRFieldType type)
{
	OGRFieldDefnH def = OGR_Fld_Create(name, type);
	OGRErr err = OGR_L_CreateField(layer, def, TRUE);
	OGR_Fld_Destroy(def);
	if (err == OGRERR_NONE)
		return 0;
	fprintf(stderr, "samplegen: cannot add field %s: %s\n", name,
		CPLGetLastErrorMsg());
	return -1;
}

/* Write and destroy a feature. */
int sg_feature_write(OGRLayerH layer, OGRFeatureH feature)
{
	OGRErr err = OGR_L_CreateFeature(layer, feature);
	OGR_F_Destroy(feature);
	if (err == OGRERR_NONE)
		return 0;
	fprintf(stderr, "samplegen: cannot write a feature of %s: %s\n",
		OGR_L_GetName(layer), CPLGetLastErrorMsg());
	return -1;
}

void sg_set_date(OGRFeatureH f, const char *field, int y, int m, int d)
{
	OGR_F_SetFieldDateTime(f, OGR_F_GetFieldIndex(f, field), y, m, d, 0,
			       0, 0, 0);
}
