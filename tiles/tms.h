/*
 * tiles/tms: the tile matrix sets that vnsdi serves (OGC 17-083r4 Two
 * Dimensional Tile Matrix Set), tile bounds, the tile matrix limits of a
 * layer, and the rendering of one tile.
 *
 * Three sets are built in: WebMercatorQuad and WorldCRS84Quad as OGC
 * 17-083r4 Annex D defines them, and VN2000UTM48N, a national set on
 * VN-2000 / UTM zone 48N (EPSG:3405) whose levels are the scales of the
 * Vietnamese map series from 1:1 000 000 to 1:500 (docs/tiles.md).
 *
 * Rows grow downwards from the top-left corner, columns to the right, as
 * in WMTS. Sets and matrices are immutable and live as long as the process.
 * Threads: every function here may run in any thread.
 */
#ifndef VNSDI_TILES_TMS_H
#define VNSDI_TILES_TMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "layers/layers.h"
#include "tiles/render.h"
#include "vn2000/vn2000.h"

/* Side of every tile, in pixels. */
#define TMS_TILE_SIZE 256

/* Most tile matrices in one set. */
#define TMS_MAX_MATRICES 25

/* The standardized rendering pixel size of OGC 17-083r4 and WMTS 1.0.0:
   0.28 mm, which links scale denominators to cell sizes. */
#define TMS_PIXEL_SIZE_M 0.00028

struct tms_matrix {
	char id[16];              /* TileMatrix identifier: "0", "1", ... */
	double scale_denominator;
	double cell_size;         /* CRS units per pixel */
	double top_left[2];       /* x, y of the top-left corner (x then y,
				     whatever the CRS's axis order) */
	int64_t matrix_width;     /* tiles across */
	int64_t matrix_height;    /* tiles down */
};

struct tms_set {
	const char *id;           /* "WebMercatorQuad", "WorldCRS84Quad",
				     "VN2000UTM48N" */
	const char *title_vi;
	const char *title_en;
	const char *uri;          /* OGC definition URI, or NULL */
	const char *well_known_scale_set; /* WMTS WellKnownScaleSet, or NULL */
	const struct vn2000_crs *crs;
	const char *crs_urn;      /* SupportedCRS: "urn:ogc:def:crs:EPSG::3857" */
	double bbox[4];           /* the set's box in the CRS, x/y order */
	double meters_per_unit;   /* 1, or metres per degree for CRS84 */
	size_t n_matrices;
	struct tms_matrix matrices[TMS_MAX_MATRICES];
};

/* Number of built-in sets and the set at `index` (0 is WebMercatorQuad). */
size_t tms_count(void);
const struct tms_set *tms_at(size_t index);

/* The set whose id is `id` (compared without case), or NULL. */
const struct tms_set *tms_find(const char *id);

/* Index of the matrix whose identifier is `id` (exact), or -1. */
int tms_matrix_find(const struct tms_set *set, const char *id);

/* Box of tile (col, row) of matrix `z` in the set's CRS, x/y order. The
   caller has checked that z, col and row are inside the matrix. */
void tms_tile_bbox(const struct tms_set *set, int z, int64_t col, int64_t row,
		   double bbox[4]);

/* The tiles of one matrix that cover a layer: inclusive ranges. */
struct tms_limits {
	bool empty;               /* no tile: the layer is outside the matrix */
	int64_t min_col, max_col;
	int64_t min_row, max_row;
};

/*
 * Limits of matrix `z` over a CRS84 box (west, south, east, north), which
 * is transformed to the set's CRS along its densified edges and clipped to
 * the set's box. Returns 0, or -1 when the box cannot be transformed.
 */
int tms_limits_of_box(const struct tms_set *set, int z, const double box[4],
		      struct tms_limits *out);

/* Whether tile (col, row) lies inside `limits`. */
bool tms_limits_contain(const struct tms_limits *limits, int64_t col,
			int64_t row);

/*
 * Largest geodesic area, in km², of a tile of matrix `z` inside `limits`.
 * Every tile is measured when there are at most 4096 of them; otherwise the
 * tiles at the corners of the limits and those nearest the equator and the
 * central meridian of the CRS, where tiles cover the most ground, are
 * measured. Returns a negative value when no tile could be transformed.
 */
double tms_max_tile_area_km2(const struct tms_set *set, int z,
			     const struct tms_limits *limits);

/*
 * The matrices a layer is advertised and served at, with their limits.
 * A vector layer gets every matrix where its extent has tiles. The imagery
 * secrecy rule applies to raster layers: a matrix is kept only when every
 * tile over the layer's extent covers at most cfg->imagery_max_km2
 * (geodesic), so no tile can show more ground than the rule allows.
 */
struct tms_layer_limits {
	int min_z;                /* first matrix served, -1: none */
	int max_z;
	struct tms_limits limits[TMS_MAX_MATRICES];
};

/* Compute the limits of `snap` in `set`. Returns 0, or -1 when the
   layer's extent cannot be transformed (then nothing is served). */
int tms_layer_limits(const struct cfg *cfg, const struct tms_set *set,
		     const struct layer_snapshot *snap,
		     struct tms_layer_limits *out);

/*
 * Tile (col, row) of matrix `z` in CRS84 (west, south, east, north),
 * widened by `margin_px` pixels on each side. Returns 0 or -1.
 */
int tms_tile_lonlat_box(const struct tms_set *set, int z, int64_t col,
			int64_t row, double margin_px, double box[4]);

/*
 * Render one tile of one layer: a 256 × 256 canvas over the tile box in the
 * set's CRS, the layer drawn in style `style` (NULL: default), encoded in
 * `format`. Raster layers are drawn only when the tile passes the imagery
 * area rule; the caller has checked the limits. Drawing stops at `deadline`
 * (a render_clock() time; 0: no limit). Returns 0 with a malloc'ed image in
 * *out, TMS_RENDER_TIMED_OUT when the deadline passed, or -1.
 */
#define TMS_RENDER_TIMED_OUT (-2)

int tms_render_tile(const struct cfg *cfg, const struct tms_set *set, int z,
		    int64_t col, int64_t row,
		    const struct layer_snapshot *snap, const char *style,
		    enum render_format format, double deadline,
		    unsigned char **out, size_t *out_size);

#endif
