/*
 * Labels inside polygons, drawn with Cairo's text API in DejaVu Sans, a
 * Debian font that covers Vietnamese, found through fontconfig.
 */
#include <math.h>
#include <string.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

/* Space kept between a label and its polygon's bounding box, in pixels. */
#define LABEL_PADDING 2.0

void render_font_select(cairo_t *cr, double size)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

bool render_utf8_valid(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p != '\0') {
		int extra;
		uint32_t cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xE0) == 0xC0) {
			extra = 1;
			cp = *p & 0x1F;
		} else if ((*p & 0xF0) == 0xE0) {
			extra = 2;
			cp = *p & 0x0F;
		} else if ((*p & 0xF8) == 0xF0) {
			extra = 3;
			cp = *p & 0x07;
		} else {
			return false;
		}
		p++;
		for (int i = 0; i < extra; i++, p++) {
			if ((*p & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (*p & 0x3F);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
	}
	return true;
}

/* Signed area, centroid and box of ring `part`, skipping NaN points. */
static double ring_centroid(const struct geom *g, const double *xy,
			    uint32_t part, double c[2], double box[4])
{
	const double *first = NULL, *prev = NULL;
	double area2 = 0, cx = 0, cy = 0;

	box[0] = box[1] = INFINITY;
	box[2] = box[3] = -INFINITY;
	for (uint32_t i = g->part_start[part]; i < g->part_start[part + 1];
	     i++) {
		const double *p = &xy[2 * i];

		if (isnan(p[0]))
			continue;
		box[0] = fmin(box[0], p[0]);
		box[1] = fmin(box[1], p[1]);
		box[2] = fmax(box[2], p[0]);
		box[3] = fmax(box[3], p[1]);
		if (first == NULL)
			first = p;
		if (prev != NULL) {
			double cross = prev[0] * p[1] - p[0] * prev[1];

			area2 += cross;
			cx += (prev[0] + p[0]) * cross;
			cy += (prev[1] + p[1]) * cross;
		}
		prev = p;
	}
	if (first == NULL || area2 == 0)
		return 0;
	/* The ring is closed, so the last edge is already counted. */
	c[0] = cx / (3 * area2);
	c[1] = cy / (3 * area2);
	return area2 / 2;
}

/* Even-odd test of a pixel against every ring of the geometry. */
static bool polygon_contains(const struct geom *g, const double *xy,
			     double x, double y)
{
	bool inside = false;

	for (uint32_t part = 0; part < g->n_parts; part++) {
		const double *prev = NULL;

		for (uint32_t i = g->part_start[part];
		     i < g->part_start[part + 1]; i++) {
			const double *p = &xy[2 * i];

			if (isnan(p[0]))
				continue;
			if (prev != NULL && (p[1] > y) != (prev[1] > y) &&
			    x < prev[0] + (y - prev[1]) * (p[0] - prev[0]) /
						 (p[1] - prev[1]))
				inside = !inside;
			prev = p;
		}
	}
	return inside;
}

bool render_label_polygon(cairo_t *cr, const struct geom *g,
			  const double *xy, const char *text)
{
	cairo_text_extents_t ext;
	double best = 0, c[2] = {0, 0}, box[4] = {0, 0, 0, 0};
	double x0, y0, x1, y1;

	/* The largest exterior ring carries the label. */
	for (uint32_t part = 0; part < g->n_parts; part++) {
		double rc[2], rbox[4];
		double area;

		if (g->part_outer != NULL && !g->part_outer[part])
			continue;
		area = fabs(ring_centroid(g, xy, part, rc, rbox));
		if (area > best) {
			best = area;
			c[0] = rc[0];
			c[1] = rc[1];
			memcpy(box, rbox, sizeof(box));
		}
	}
	if (best == 0 || !render_utf8_valid(text))
		return false;

	cairo_text_extents(cr, text, &ext);
	if (ext.width + 2 * LABEL_PADDING > box[2] - box[0] ||
	    ext.height + 2 * LABEL_PADDING > box[3] - box[1])
		return false;

	/* The text box must lie inside the polygon (holes excluded). */
	x0 = c[0] - ext.width / 2;
	x1 = c[0] + ext.width / 2;
	y0 = c[1] - ext.height / 2;
	y1 = c[1] + ext.height / 2;
	if (!polygon_contains(g, xy, c[0], c[1]) ||
	    !polygon_contains(g, xy, x0, y0) ||
	    !polygon_contains(g, xy, x1, y0) ||
	    !polygon_contains(g, xy, x0, y1) ||
	    !polygon_contains(g, xy, x1, y1))
		return false;

	cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
	cairo_move_to(cr, x0 - ext.x_bearing, y0 - ext.y_bearing);
	cairo_show_text(cr, text);
	cairo_new_path(cr);
	return true;
}
