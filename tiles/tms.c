/*
 * The built-in tile matrix sets and the arithmetic of tiles: bounds,
 * limits over a layer extent, and the geodesic area of tiles that the
 * imagery rule needs.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tiles/tms.h"

/* Half the side of the Web Mercator square: pi times the WGS 84 semi-major
   axis (EPSG:3857). */
#define WEBMERC_HALF 20037508.342789244

/* Metres per degree on the WGS 84 equator, as OGC 17-083r4 uses for CRS84
   scale denominators: 2 * pi * 6378137 / 360. */
#define CRS84_METERS_PER_DEGREE 111319.49079327358

/* Scales of the Vietnamese map series, from the national overview map to the
   largest cadastral sheets (Circular 25/2014/TT-BTNMT uses 1:200 to
   1:10 000 for cadastral maps; topographic series go to 1:1 000 000). */
static const double vn2000_scales[] = {
	1000000, 500000, 250000, 100000, 50000, 25000, 10000, 5000, 2000,
	1000, 500
};

/* Tiles measured one by one before tms_max_tile_area_km2 samples. */
#define TMS_AREA_FULL_SCAN 4096

static struct tms_set sets[3];
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;

static void matrix_fill(struct tms_set *set, size_t z, double cell)
{
	struct tms_matrix *m = &set->matrices[z];
	double span_x = set->bbox[2] - set->bbox[0];
	double span_y = set->bbox[3] - set->bbox[1];
	double tile = cell * TMS_TILE_SIZE;

	snprintf(m->id, sizeof(m->id), "%zu", z);
	m->cell_size = cell;
	m->scale_denominator = cell * set->meters_per_unit / TMS_PIXEL_SIZE_M;
	m->top_left[0] = set->bbox[0];
	m->top_left[1] = set->bbox[3];
	/* The quads divide exactly; the national set rounds up so that its
	   matrices cover the whole box. The small tolerance keeps an exact
	   division from gaining a column through rounding. */
	m->matrix_width = (int64_t)ceil(span_x / tile - 1e-9);
	m->matrix_height = (int64_t)ceil(span_y / tile - 1e-9);
}

static void sets_build(void)
{
	struct tms_set *wm = &sets[0], *geo = &sets[1], *vn = &sets[2];

	*wm = (struct tms_set){
		.id = "WebMercatorQuad",
		.title_vi = "Web Mercator (Google Maps, OpenStreetMap)",
		.title_en = "Google Maps Compatible for the World",
		.uri = "http://www.opengis.net/def/tilematrixset/OGC/1.0/"
		       "WebMercatorQuad",
		.well_known_scale_set =
			"urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible",
		.crs = vn2000_crs_by_epsg(3857),
		.crs_urn = "urn:ogc:def:crs:EPSG::3857",
		.bbox = {-WEBMERC_HALF, -WEBMERC_HALF, WEBMERC_HALF,
			 WEBMERC_HALF},
		.meters_per_unit = 1.0,
		.n_matrices = 25,
	};
	for (size_t z = 0; z < wm->n_matrices; z++)
		matrix_fill(wm, z, 2 * WEBMERC_HALF / TMS_TILE_SIZE / ldexp(1, (int)z));

	*geo = (struct tms_set){
		.id = "WorldCRS84Quad",
		.title_vi = "Kinh độ, vĩ độ WGS 84 (CRS84) toàn cầu",
		.title_en = "CRS84 for the World",
		.uri = "http://www.opengis.net/def/tilematrixset/OGC/1.0/"
		       "WorldCRS84Quad",
		.crs = vn2000_crs_find("CRS:84"),
		.crs_urn = "urn:ogc:def:crs:OGC:1.3:CRS84",
		.bbox = {-180, -90, 180, 90},
		.meters_per_unit = CRS84_METERS_PER_DEGREE,
		.n_matrices = 21,
	};
	/* Level 0 is two tiles of 180 degrees across, one down. */
	for (size_t z = 0; z < geo->n_matrices; z++)
		matrix_fill(geo, z, 180.0 / TMS_TILE_SIZE / ldexp(1, (int)z));

	*vn = (struct tms_set){
		.id = "VN2000UTM48N",
		.title_vi = "Lưới mảnh bản đồ quốc gia VN-2000 / UTM múi 48N, "
			    "tỷ lệ 1:1 000 000 đến 1:500",
		.title_en = "National VN-2000 / UTM zone 48N set, scales "
			    "1:1 000 000 to 1:500",
		.crs = vn2000_crs_by_epsg(3405),
		.crs_urn = "urn:ogc:def:crs:EPSG::3405",
		/* Easting 100 km .. 1400 km, northing 500 km .. 2700 km:
		   Vietnam's EPSG extent (102.14..112.55 E, 5.67..23.4 N)
		   projected, rounded out to 100 km. */
		.bbox = {100000, 500000, 1400000, 2700000},
		.meters_per_unit = 1.0,
		.n_matrices = sizeof(vn2000_scales) / sizeof(vn2000_scales[0]),
	};
	for (size_t z = 0; z < vn->n_matrices; z++)
		matrix_fill(vn, z, vn2000_scales[z] * TMS_PIXEL_SIZE_M);
}

size_t tms_count(void)
{
	return sizeof(sets) / sizeof(sets[0]);
}

const struct tms_set *tms_at(size_t index)
{
	pthread_once(&sets_once, sets_build);
	if (index >= tms_count() || sets[index].crs == NULL)
		return NULL;
	return &sets[index];
}

const struct tms_set *tms_find(const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < tms_count(); i++) {
		const struct tms_set *set = tms_at(i);

		if (set != NULL && strcasecmp(set->id, id) == 0)
			return set;
	}
	return NULL;
}

int tms_matrix_find(const struct tms_set *set, const char *id)
{
	if (set == NULL || id == NULL)
		return -1;
	for (size_t z = 0; z < set->n_matrices; z++)
		if (strcmp(set->matrices[z].id, id) == 0)
			return (int)z;
	return -1;
}

void tms_tile_bbox(const struct tms_set *set, int z, int64_t col, int64_t row,
		   double bbox[4])
{
	const struct tms_matrix *m = &set->matrices[z];
	double tile = m->cell_size * TMS_TILE_SIZE;

	bbox[0] = m->top_left[0] + (double)col * tile;
	bbox[2] = m->top_left[0] + (double)(col + 1) * tile;
	bbox[3] = m->top_left[1] - (double)row * tile;
	bbox[1] = m->top_left[1] - (double)(row + 1) * tile;
}

/* Transform a CRS84 box into the set's CRS. */
static int box_to_set(const struct tms_set *set, const double box[4],
		      double out[4])
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	struct vn2000_transform *tr;
	double in[4];

	memcpy(in, box, sizeof(in));
	if (set->crs == crs84 || crs84 == NULL) {
		memcpy(out, in, sizeof(in));
		return crs84 != NULL ? 0 : -1;
	}
	/* Web Mercator cannot reach the poles. */
	if (set->crs->epsg == 3857) {
		in[1] = fmax(in[1], -85.0511287798);
		in[3] = fmin(in[3], 85.0511287798);
		if (in[1] > in[3])
			return -1;
	}
	tr = vn2000_transform_get(crs84, set->crs);
	if (tr == NULL)
		return -1;
	return vn2000_transform_bbox(tr, in, out, 21);
}

int tms_limits_of_box(const struct tms_set *set, int z, const double box[4],
		      struct tms_limits *out)
{
	const struct tms_matrix *m;
	double b[4], tile;

	memset(out, 0, sizeof(*out));
	out->empty = true;
	if (set == NULL || z < 0 || (size_t)z >= set->n_matrices)
		return -1;
	if (box_to_set(set, box, b) != 0)
		return -1;
	m = &set->matrices[z];
	tile = m->cell_size * TMS_TILE_SIZE;

	/* A box that ends exactly on a tile edge does not reach the tile
	   beyond it. */
	double c0 = floor((b[0] - m->top_left[0]) / tile);
	double c1 = ceil((b[2] - m->top_left[0]) / tile) - 1;
	double r0 = floor((m->top_left[1] - b[3]) / tile);
	double r1 = ceil((m->top_left[1] - b[1]) / tile) - 1;

	/* A box of zero width (one point) still covers one tile. */
	c1 = fmax(c1, c0);
	r1 = fmax(r1, r0);
	c0 = fmax(c0, 0);
	r0 = fmax(r0, 0);
	c1 = fmin(c1, (double)(m->matrix_width - 1));
	r1 = fmin(r1, (double)(m->matrix_height - 1));
	if (c0 > c1 || r0 > r1)
		return 0;
	out->empty = false;
	out->min_col = (int64_t)c0;
	out->max_col = (int64_t)c1;
	out->min_row = (int64_t)r0;
	out->max_row = (int64_t)r1;
	return 0;
}

bool tms_limits_contain(const struct tms_limits *limits, int64_t col,
			int64_t row)
{
	return !limits->empty && col >= limits->min_col &&
	       col <= limits->max_col && row >= limits->min_row &&
	       row <= limits->max_row;
}

int tms_tile_lonlat_box(const struct tms_set *set, int z, int64_t col,
			int64_t row, double margin_px, double box[4])
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	double b[4], m = margin_px * set->matrices[z].cell_size;
	struct vn2000_transform *tr;

	tms_tile_bbox(set, z, col, row, b);
	b[0] -= m;
	b[1] -= m;
	b[2] += m;
	b[3] += m;
	if (set->crs == crs84) {
		memcpy(box, b, sizeof(b));
		return 0;
	}
	tr = vn2000_transform_get(set->crs, crs84);
	if (tr == NULL)
		return -1;
	return vn2000_transform_bbox(tr, b, box, 21);
}

/* Geodesic area of one tile in km², or -1 when it cannot be transformed. */
static double tile_area_km2(const struct tms_set *set, int z, int64_t col,
			    int64_t row)
{
	enum { PER_EDGE = 8, N = 4 * PER_EDGE + 1 };
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	double b[4], ring[2 * N];
	struct vn2000_transform *tr = NULL;

	/* Web Mercator and CRS84 tiles are longitude, latitude boxes, whose
	   edges follow meridians and parallels: measured as such, they stay
	   right for tiles as wide as the world. */
	if (set->crs == crs84 || set->crs->epsg == 3857) {
		if (tms_tile_lonlat_box(set, z, col, row, 0.0, b) != 0)
			return -1;
		return vn2000_geodesic_bbox_area(b) / 1e6;
	}
	tms_tile_bbox(set, z, col, row, b);
	/* Walk the edges counter-clockwise, densified so that the ring
	   follows parallels and curved projected edges closely. */
	for (int i = 0; i < PER_EDGE; i++) {
		double t = (double)i / PER_EDGE;

		ring[2 * i] = b[0] + t * (b[2] - b[0]);
		ring[2 * i + 1] = b[1];
		ring[2 * (PER_EDGE + i)] = b[2];
		ring[2 * (PER_EDGE + i) + 1] = b[1] + t * (b[3] - b[1]);
		ring[2 * (2 * PER_EDGE + i)] = b[2] - t * (b[2] - b[0]);
		ring[2 * (2 * PER_EDGE + i) + 1] = b[3];
		ring[2 * (3 * PER_EDGE + i)] = b[0];
		ring[2 * (3 * PER_EDGE + i) + 1] = b[3] - t * (b[3] - b[1]);
	}
	ring[2 * (N - 1)] = ring[0];
	ring[2 * (N - 1) + 1] = ring[1];
	if (set->crs != crs84) {
		tr = vn2000_transform_get(set->crs, crs84);
		if (tr == NULL || vn2000_transform_xy(tr, ring, N) != 0)
			return -1;
	}
	return vn2000_geodesic_area(ring, N) / 1e6;
}

/* The value in [lo, hi] nearest to `target`. */
static int64_t clamp_i64(double target, int64_t lo, int64_t hi)
{
	if (!(target > (double)lo))
		return lo;
	if (target > (double)hi)
		return hi;
	return (int64_t)target;
}

double tms_max_tile_area_km2(const struct tms_set *set, int z,
			     const struct tms_limits *limits)
{
	const struct tms_matrix *m = &set->matrices[z];
	double tile = m->cell_size * TMS_TILE_SIZE;
	int64_t cols[3], rows[3];
	double best = -1;
	double n_tiles;

	if (limits->empty)
		return -1;
	n_tiles = (double)(limits->max_col - limits->min_col + 1) *
		  (double)(limits->max_row - limits->min_row + 1);
	if (n_tiles <= TMS_AREA_FULL_SCAN) {
		for (int64_t r = limits->min_row; r <= limits->max_row; r++)
			for (int64_t c = limits->min_col; c <= limits->max_col;
			     c++)
				best = fmax(best, tile_area_km2(set, z, c, r));
		return best;
	}

	/* Tiles grow towards the equator (northing 0 in every built-in
	   set) and, in transverse Mercator, towards the central meridian,
	   which is easting 500 km in UTM and x = 0 in the others. */
	double cm_x = set->crs->central_meridian != 0 ? 500000.0 : 0.0;

	cols[0] = limits->min_col;
	cols[1] = limits->max_col;
	cols[2] = clamp_i64((cm_x - m->top_left[0]) / tile, limits->min_col,
			    limits->max_col);
	rows[0] = limits->min_row;
	rows[1] = limits->max_row;
	rows[2] = clamp_i64((m->top_left[1] - 0.0) / tile, limits->min_row,
			    limits->max_row);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			best = fmax(best, tile_area_km2(set, z, cols[i], rows[j]));
	return best;
}

/* Limits of every matrix over a CRS84 extent; the imagery rule when
   `max_km2` is not NaN. */
static int limits_compute(const struct tms_set *set, const double extent[4],
			  double max_km2, struct tms_layer_limits *out)
{
	bool raster = !isnan(max_km2);
	bool area_passed = false;

	memset(out, 0, sizeof(*out));
	out->min_z = -1;
	out->max_z = -1;
	for (size_t z = 0; z < set->n_matrices; z++) {
		struct tms_limits *lim = &out->limits[z];

		if (tms_limits_of_box(set, (int)z, extent, lim) != 0)
			return -1;
		if (lim->empty)
			continue;
		/* The imagery rule: no tile of this matrix over the layer may
		   cover more than imagery_max_km2. Matrices come from coarse to
		   fine with smaller cells each time, so once one passes, the
		   finer ones pass too. */
		if (raster && !area_passed) {
			double area = tms_max_tile_area_km2(set, (int)z, lim);

			if (area < 0 || area > max_km2) {
				lim->empty = true;
				continue;
			}
			area_passed = true;
		}
		if (out->min_z < 0)
			out->min_z = (int)z;
		out->max_z = (int)z;
	}
	return 0;
}

/*
 * The limits depend only on the set, the extent and the area rule, yet
 * every tile request needs them and the imagery rule measures up to
 * thousands of tiles per matrix. A small table keeps recent results;
 * entries are compared by value, so a new layer version with another
 * extent never reuses old limits.
 */
#define LIMITS_MEMO_SIZE 64

struct limits_memo {
	bool used;
	const struct tms_set *set;
	double extent[4];
	double max_km2;           /* NaN for vector layers */
	struct tms_layer_limits limits;
};

static struct limits_memo limits_memo[LIMITS_MEMO_SIZE];
static size_t limits_memo_next;
static pthread_mutex_t limits_memo_lock = PTHREAD_MUTEX_INITIALIZER;

static bool limits_memo_same(const struct limits_memo *m,
			     const struct tms_set *set,
			     const double extent[4], double max_km2)
{
	return m->used && m->set == set &&
	       memcmp(m->extent, extent, sizeof(m->extent)) == 0 &&
	       (isnan(max_km2) ? isnan(m->max_km2) : m->max_km2 == max_km2);
}

int tms_layer_limits(const struct cfg *cfg, const struct tms_set *set,
		     const struct layer_snapshot *snap,
		     struct tms_layer_limits *out)
{
	bool raster = snap->cfg != NULL && snap->cfg->kind == CFG_LAYER_RASTER;
	double max_km2 = raster ? cfg->imagery_max_km2 : NAN;
	struct limits_memo *slot;

	if (snap->empty) {
		memset(out, 0, sizeof(*out));
		out->min_z = -1;
		out->max_z = -1;
		return 0;
	}
	pthread_mutex_lock(&limits_memo_lock);
	for (size_t i = 0; i < LIMITS_MEMO_SIZE; i++) {
		if (limits_memo_same(&limits_memo[i], set, snap->extent,
				     max_km2)) {
			*out = limits_memo[i].limits;
			pthread_mutex_unlock(&limits_memo_lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&limits_memo_lock);

	/* Computed outside the lock: two threads may both compute the same
	   limits once, which is harmless. */
	if (limits_compute(set, snap->extent, max_km2, out) != 0)
		return -1;
	pthread_mutex_lock(&limits_memo_lock);
	slot = &limits_memo[limits_memo_next];
	limits_memo_next = (limits_memo_next + 1) % LIMITS_MEMO_SIZE;
	slot->used = true;
	slot->set = set;
	memcpy(slot->extent, snap->extent, sizeof(slot->extent));
	slot->max_km2 = max_km2;
	slot->limits = *out;
	pthread_mutex_unlock(&limits_memo_lock);
	return 0;
}
