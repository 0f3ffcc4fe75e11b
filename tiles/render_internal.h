/*
 * Declarations shared by the files of tiles/render. Not part of the module's
 * interface: other folders include render.h only.
 */
#ifndef VNSDI_TILES_RENDER_INTERNAL_H
#define VNSDI_TILES_RENDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cairo.h>

#include "tiles/render.h"

/* Largest side of a canvas or legend, in pixels. WMS limits are far lower;
   this only keeps width * height * 4 and Cairo's int stride in range. */
#define RENDER_MAX_SIDE 16384

struct render_canvas {
	struct render_request req;
	cairo_surface_t *surface;  /* ARGB32, premultiplied, native endian */
	cairo_t *cr;
	double scale_x;            /* pixels per CRS unit */
	double scale_y;
	bool timed_out;            /* req.deadline passed while drawing */
};

/* Whether the canvas's deadline has passed; records it on the canvas. */
static inline bool render_deadline_passed(struct render_canvas *c)
{
	if (!c->timed_out && c->req.deadline > 0 &&
	    render_clock() > c->req.deadline)
		c->timed_out = true;
	return c->timed_out;
}

/* Style used when a layer has none configured. */
extern const struct cfg_style render_default_style;

/*
 * Copy the first land-use code of `value` into `code` (NUL-terminated):
 * "ODT+CLN" gives "ODT", "LUC(NTS)" gives "LUC", "ONT*" and "ODT-C" give
 * "ONT" and "ODT". ASCII letters and "đ" are upper-cased. Returns false when
 * no code starts the value or it does not fit in `size` bytes.
 */
bool render_landuse_first_code(const char *value, char *code, size_t size);

/* The configured style named `name` (NULL or "" for the first one), or the
   built-in default when the layer has no style list. */
const struct cfg_style *render_style_find(const struct layer_snapshot *snap,
					  const char *name);

/* Map world x, y of the canvas CRS to pixel coordinates. */
static inline void render_world_to_pixel(const struct render_canvas *c,
					 double x, double y,
					 double *px, double *py)
{
	*px = (x - c->req.bbox[0]) * c->scale_x;
	*py = (c->req.bbox[3] - y) * c->scale_y;
}

/*
 * The canvas box in CRS84 (west, south, east, north), widened by
 * `margin_px` pixels on each side. Returns 0, or -1 when the box lies
 * outside what the canvas CRS can transform.
 */
int render_canvas_lonlat_box(const struct render_canvas *canvas,
			     double margin_px, double box[4]);

/* Draw the features of a vector snapshot in fid order. Returns 0 or -1. */
int render_vector_draw(struct render_canvas *canvas,
		       const struct layer_snapshot *snap,
		       const struct cfg_style *style);

/*
 * Draw `text` inside the polygon feature whose rings are `xy` (pixel
 * coordinates, NaN for points that failed to transform, parts as in `g`),
 * when the text fits. Returns true when the label was drawn.
 */
bool render_label_polygon(cairo_t *cr, const struct geom *g,
			  const double *xy, const char *text);

/* Whether `text` is well-formed UTF-8 (Cairo rejects anything else and
   stops drawing). */
bool render_utf8_valid(const char *text);

/* Select the label font (DejaVu Sans, through fontconfig) at `size` px. */
void render_font_select(cairo_t *cr, double size);

/* Draw the kept scenes of a raster snapshot. Returns 0 or -1. */
int render_raster_draw(struct render_canvas *canvas,
		       const struct layer_snapshot *snap);

/* Call GDALAllRegister() once per process. Thread-safe. */
void render_gdal_init(void);

/*
 * Encode straight (not premultiplied) RGBA rows as PNG with the given libpng
 * filter mask (PNG_FILTER_*) and zlib level. `rgb` drops the alpha channel.
 * `stride` is the distance between rows in bytes. On success returns 0 and a
 * malloc'ed buffer in *out that the caller frees.
 */
int render_png_encode_rgba(const unsigned char *rgba, int width, int height,
			   size_t stride, bool rgb, int filters, int level,
			   unsigned char **out, size_t *out_size);

/*
 * Copy a Cairo ARGB32 surface into straight RGBA bytes (width * 4 per row).
 * Sets *opaque when every alpha is 255. Returns a malloc'ed buffer or NULL.
 */
unsigned char *render_surface_to_rgba(cairo_surface_t *surface, bool *opaque);

/* Encode a Cairo surface as 32-bit PNG (24-bit when opaque). */
int render_surface_png(cairo_surface_t *surface, unsigned char **out,
		       size_t *out_size);

/*
 * Encode straight RGBA pixels (width * 4 bytes per row) as an 8-bit palette
 * PNG: an exact palette when the image has at most 256 colours, else a
 * median-cut palette; alpha goes into tRNS. Returns 0 and a malloc'ed
 * buffer, or -1.
 */
int render_png8_encode(const unsigned char *rgba, int width, int height,
		       unsigned char **out, size_t *out_size);

/* Encode palette indexes (width bytes per row) with `n_colors` RGBA
   palette entries as PNG. Returns 0 and a malloc'ed buffer, or -1. */
int render_png_encode_indexed(const unsigned char *indexes, int width,
			      int height, const unsigned char *palette_rgba,
			      int n_colors, unsigned char **out,
			      size_t *out_size);

/* PNG settings chosen by measurement (see docs/rendering.md). */
#define RENDER_PNG_FILTERS PNG_FILTER_NONE
#define RENDER_PNG_LEVEL 3

#endif
