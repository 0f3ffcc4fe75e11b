/*
 * One tile of one layer, drawn on a canvas that is exactly the tile. Labels
 * stay whole across tile edges because their position depends only on the
 * feature and the matrix (see render_label.c), never on the tile, and a
 * label crossing the edge is drawn in both tiles at the same place.
 */
#include <math.h>
#include <string.h>

#include "tiles/tms.h"

int tms_render_tile(const struct cfg *cfg, const struct tms_set *set, int z,
		    int64_t col, int64_t row,
		    const struct layer_snapshot *snap, const char *style,
		    enum render_format format, double deadline,
		    unsigned char **out, size_t *out_size)
{
	struct render_request rr = {
		.crs = set->crs,
		.width = TMS_TILE_SIZE,
		.height = TMS_TILE_SIZE,
		/* JPEG has no alpha: imagery tiles in JPEG get a white
		   background where no scene covers the tile. */
		.transparent = format != RENDER_JPEG,
		.bgcolor = 0xFFFFFF,
		.deadline = deadline,
	};
	struct render_canvas *canvas;
	bool draw = true;
	int rc = -1;

	if (z < 0 || (size_t)z >= set->n_matrices)
		return -1;
	tms_tile_bbox(set, z, col, row, rr.bbox);
	canvas = render_canvas_new(&rr);
	if (canvas == NULL)
		return -1;

	/* The imagery rule is checked again per tile, whatever the caller
	   decided: a tile that covers more ground than imagery_max_km2
	   stays empty. */
	if (snap->cfg != NULL && snap->cfg->kind == CFG_LAYER_RASTER) {
		struct tms_limits one = {
			.empty = false,
			.min_col = col, .max_col = col,
			.min_row = row, .max_row = row,
		};
		double area = tms_max_tile_area_km2(set, z, &one);

		draw = area >= 0 && area <= cfg->imagery_max_km2;
	}
	/* TODO: coarse matrices draw every vertex of every feature: no
	   generalised copy of big layers is kept for low zooms. */
	if (draw && render_canvas_draw_layer(canvas, snap, style) != 0) {
		if (render_canvas_timed_out(canvas))
			rc = TMS_RENDER_TIMED_OUT;
		goto cleanup;
	}
	rc = render_canvas_encode(canvas, format, out, out_size);
	if (rc != 0 && render_canvas_timed_out(canvas))
		rc = TMS_RENDER_TIMED_OUT;

cleanup:
	render_canvas_free(canvas);
	return rc;
}
