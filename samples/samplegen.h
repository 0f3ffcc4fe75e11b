/*
 * vnsdi-samplegen: the deterministic generator of the Can Tho sample data
 * set. Private to samples/.
 *
 * The sample is a synthetic town plan: a rectangular street grid in a local
 * frame (u east-ish, v north-ish, metres, origin at the centre), rotated and
 * placed in VN-2000 / TM-3 105-00 (EPSG:5897) around a point of Ninh Kieu
 * district. Blocks between the streets are cut into parcels; every other
 * layer is derived from that plan. One fixed-seed generator drives every
 * choice, so each run writes the same features.
 */
#ifndef VNSDI_SAMPLEGEN_H
#define VNSDI_SAMPLEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gdal.h>
#include <ogr_api.h>

/* The sample's CRS and where its local frame sits in it. */
#define SG_EPSG 5897
#define SG_CENTRE_E 586300.0
#define SG_CENTRE_N 1109600.0
#define SG_ROTATION_DEG 9.0
#define SG_HALF_SIZE 1000.0    /* metres from the centre to the outer street */

/* splitmix64: small, fast and the same on every platform. */
struct sg_rng {
	uint64_t state;
};

void sg_rng_seed(struct sg_rng *rng, uint64_t seed);
uint64_t sg_rng_next(struct sg_rng *rng);
double sg_rng_uniform(struct sg_rng *rng, double lo, double hi);
int sg_rng_int(struct sg_rng *rng, int lo, int hi);   /* lo..hi inclusive */
bool sg_rng_chance(struct sg_rng *rng, double p);
const char *sg_rng_pick(struct sg_rng *rng, const char *const *list,
			size_t n);

/* Hash of integer coordinates to [0, 1): for raster texture. */
double sg_hash01(uint64_t seed, int64_t x, int64_t y);

/* Local frame (u, v) to EPSG:5897 easting, northing, rounded to 1 mm. */
void sg_local_to_en(double u, double v, double *e, double *n);
/* EPSG:5897 to the local frame (no rounding). */
void sg_en_to_local(double e, double n, double *u, double *v);

/* An axis-aligned rectangle of the local frame. */
struct sg_rect {
	double u0, v0, u1, v1;
};

/*
 * Geometry builders in the local frame; every result is a new OGR
 * geometry in EPSG:5897 that the caller destroys.
 * sg_quad_new takes four corners (u, v pairs) counter-clockwise.
 */
OGRGeometryH sg_ring_new(const double *uv, size_t n);
OGRGeometryH sg_rect_polygon_new(const struct sg_rect *r,
				 const struct sg_rect *holes, size_t n_holes);
OGRGeometryH sg_quad_new(const double uv[8]);

/* Geodesic area in m² of a polygon or multipolygon in EPSG:5897. */
double sg_geodesic_area(OGRGeometryH geom);

/* A point inside the first polygon of geom, in EPSG:5897. */
OGRGeometryH sg_label_point_new(OGRGeometryH geom);

/* Land-use codes used by the sample, with their official names. */
const char *sg_landuse_name(const char *code);

/* Vietnamese text: invented names and real street and ward names. */
struct sg_ward {
	const char *code;      /* 5-digit commune code (approximate) */
	const char *name;      /* "An Cư" */
};

extern const struct sg_ward sg_wards[6];

void sg_person_name(struct sg_rng *rng, char *buf, size_t size);
void sg_owner_name(struct sg_rng *rng, const char *use, const char *ward,
		   char *buf, size_t size);
const char *sg_street_name(size_t index);

/* One parcel of the plan. */
struct sg_parcel {
	int64_t id;            /* MaThua */
	int ward;              /* index in sg_wards */
	int sheet;             /* SoHieuToBanDo */
	int number;            /* SoThuTuThua */
	char use[16];          /* KyHieuMucDichSuDung */
	char address[192];     /* DiaChi */
	char owner[128];       /* TenChu */
	char certificate[16];  /* SoGiayTo, "" for none */
	double area;           /* DienTich, m², 1 decimal */
	OGRGeometryH geom;     /* polygon or multipolygon, EPSG:5897 */
	int block;             /* index of its block, -1 for a road */
	double cu, cv;         /* local point near its middle */
};

/* The street grid and its blocks. */
struct sg_plan {
	double *street_u;      /* centre lines of the u streets */
	double *width_u;
	size_t n_u;
	double *street_v;      /* centre lines of the v streets */
	double *width_v;
	size_t n_v;
	const char **name_u;   /* street names */
	const char **name_v;
	size_t ward_split_u[2]; /* u streets between ward columns */
	size_t ward_split_v;    /* v street between ward rows */

	struct sg_rect *blocks; /* (n_u - 1) * (n_v - 1), row by row in v */
	size_t n_blocks;

	struct sg_parcel *parcels;
	size_t n_parcels;
	size_t cap_parcels;

	struct sg_rect restricted; /* the sample's restricted area */
	struct sg_rect world;      /* outer edges of the outer streets */
};

/* Build the plan and its parcels. Returns 0, or -1 with a message. */
int sg_plan_build(struct sg_plan *plan);
void sg_plan_free(struct sg_plan *plan);

/* Ward index of a local point, from the ward split streets. */
int sg_plan_ward_at(const struct sg_plan *plan, double u, double v);
/* Ward rectangle in the local frame. */
struct sg_rect sg_plan_ward_rect(const struct sg_plan *plan, int ward);

/*
 * Zones that group step_u x step_v blocks, bounded by street centre lines
 * (the world's edge at the outside). sg_plan_zone_count gives the number of
 * zones along u (along_u) or v; zone (a, b) counts from the south-west.
 */
size_t sg_plan_zone_count(const struct sg_plan *plan, size_t step,
			  bool along_u);
struct sg_rect sg_plan_zone_rect(const struct sg_plan *plan, size_t step_u,
				 size_t step_v, size_t a, size_t b);

/*
 * A zone polygon in EPSG:5897. A zone that contains the restricted area
 * gets a hole 1 m wider than it, so the zone itself stays servable.
 */
OGRGeometryH sg_zone_polygon_new(const struct sg_plan *plan,
				 const struct sg_rect *r);

/* True when the local point lies in the restricted area. */
bool sg_plan_is_restricted(const struct sg_plan *plan, double u, double v);

/* Writers. Each returns 0, or -1 after printing why to stderr. */
int sg_write_parcels(GDALDatasetH ds, const struct sg_plan *plan);
int sg_write_land_use(GDALDatasetH ds, const struct sg_plan *plan);
int sg_write_land_prices(GDALDatasetH ds, const struct sg_plan *plan);
int sg_write_legal_documents(GDALDatasetH ds, const struct sg_plan *plan);
int sg_write_land_statistics(GDALDatasetH ds, const struct sg_plan *plan);
int sg_write_land_quality(GDALDatasetH ds, const struct sg_plan *plan);
int sg_write_inspections(GDALDatasetH ds, const struct sg_plan *plan);
int sg_write_restricted(GDALDatasetH ds, const struct sg_plan *plan);
int sg_write_imagery(const char *dir, const struct sg_plan *plan);

/* Helpers shared by the writers. */
OGRLayerH sg_layer_new(GDALDatasetH ds, const char *name,
		       OGRwkbGeometryType type);
int sg_field_add(OGRLayerH layer, const char *name, OGRFieldType type);
int sg_feature_write(OGRLayerH layer, OGRFeatureH feature);
void sg_set_date(OGRFeatureH f, const char *field, int y, int m, int d);

#endif
