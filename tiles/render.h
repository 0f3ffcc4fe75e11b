/*
 * tiles/render: map images drawn with Cairo (anti-aliased) from layer
 * snapshots, encoded with libpng, and legends.
 *
 * A canvas covers one box of one CRS at a pixel size. Layers are drawn in the
 * order the caller draws them. A canvas belongs to one thread.
 */
#ifndef VNSDI_TILES_RENDER_H
#define VNSDI_TILES_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layers/layers.h"
#include "vn2000/vn2000.h"

struct render_canvas;

struct render_request {
	const struct vn2000_crs *crs; /* CRS of bbox and of the image */
	double bbox[4];               /* minx, miny, maxx, maxy in x, y order
					 (lon/lat or easting/northing) */
	int width;                    /* pixels, > 0, checked by the caller */
	int height;
	bool transparent;             /* background alpha 0 */
	uint32_t bgcolor;             /* 0xRRGGBB, used when not transparent */
	double deadline;              /* render_clock() time after which drawing
					 stops; 0: no limit */
};

/* Seconds on the monotonic clock, the time base of render_request.deadline. */
double render_clock(void);

/*
 * Create a canvas. Returns NULL on allocation failure or when width, height
 * or bbox are invalid. Free with render_canvas_free().
 */
struct render_canvas *render_canvas_new(const struct render_request *req);
void render_canvas_free(struct render_canvas *canvas);

/*
 * Draw every feature of a vector snapshot that falls in the canvas, with the
 * layer's style `style` (NULL or "" for the default; the caller has checked
 * that it exists). Geometries are transformed from the snapshot's storage
 * CRS to the canvas CRS through vn2000. Personal attributes are never drawn
 * as labels. Returns 0, or -1 when the CRS transformation cannot be built
 * or the request's deadline passed (see render_canvas_timed_out). Raster
 * snapshots draw their kept scenes (dropped ones are never opened).
 */
int render_canvas_draw_layer(struct render_canvas *canvas,
			     const struct layer_snapshot *snap,
			     const char *style);

/* Whether drawing on the canvas stopped because its deadline passed. */
bool render_canvas_timed_out(const struct render_canvas *canvas);

enum render_format {
	RENDER_PNG,          /* 32-bit RGBA or 24-bit RGB when opaque */
	RENDER_PNG8,         /* 8-bit palette */
	RENDER_JPEG
};

/*
 * Encode the canvas. On success returns 0 and *out receives a malloc'ed
 * buffer of *out_size bytes that the caller frees. Returns -1 on failure,
 * and when the canvas's deadline passes before or while encoding (see
 * render_canvas_timed_out).
 */
int render_canvas_encode(struct render_canvas *canvas,
			 enum render_format format,
			 unsigned char **out, size_t *out_size);

/* Parse a WMS/WMTS FORMAT value ("image/png", "image/png; mode=8bit",
   "image/jpeg"). Returns 0 or -1 when unsupported. */
int render_format_parse(const char *mime, enum render_format *format);

/* The MIME type of a format. */
const char *render_format_mime(enum render_format format);

/*
 * Draw the legend of a layer's style as PNG: one row per class with a
 * swatch and the class name in `lang` ("vi" or "en"). Returns 0 and a
 * malloc'ed buffer, or -1.
 */
int render_legend_png(const struct layer_snapshot *snap, const char *style,
		      const char *lang, unsigned char **out, size_t *out_size);

/*
 * Official map colour of a land-use code (Circular 25/2014/TT-BTNMT codes
 * and the statistics codes), as 0xRRGGBB. For a combined code such as
 * "ODT+CLN" or "LUC(NTS)" the first code decides. Returns false when the
 * code is unknown.
 */
bool render_landuse_color(const char *code, uint32_t *rgb);

/* Vietnamese and English names of a land-use code, or NULL. */
const char *render_landuse_name(const char *code, const char *lang);

#endif
