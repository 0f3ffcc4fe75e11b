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

	c[0] = c[1] = 0;
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

/* Baseline distance of two-line labels, as a fraction of the font's
   recommended line height: cadastral labels sit tight. */
#define LABEL_LINE_SPACING 0.95

/* Extents of up to two lines split by '\n': the widest line and the total
   height. */
struct label_lines {
	char text[2][128];
	cairo_text_extents_t ext[2];
	int n;
	double width;
	double height;
	double step;              /* baseline to baseline */
};

static bool label_lines_measure(cairo_t *cr, const char *text,
				struct label_lines *lines)
{
	const char *newline = strchr(text, '\n');
	cairo_font_extents_t font;

	memset(lines, 0, sizeof(*lines));
	lines->n = newline != NULL ? 2 : 1;
	if (newline != NULL) {
		size_t first = (size_t)(newline - text);

		if (first >= sizeof(lines->text[0]) ||
		    strlen(newline + 1) >= sizeof(lines->text[1]) ||
		    strchr(newline + 1, '\n') != NULL)
			return false;
		memcpy(lines->text[0], text, first);
		strcpy(lines->text[1], newline + 1);
	} else {
		if (strlen(text) >= sizeof(lines->text[0]))
			return false;
		strcpy(lines->text[0], text);
	}
	cairo_font_extents(cr, &font);
	lines->step = font.height * LABEL_LINE_SPACING;
	for (int i = 0; i < lines->n; i++) {
		if (!render_utf8_valid(lines->text[i]))
			return false;
		cairo_text_extents(cr, lines->text[i], &lines->ext[i]);
		lines->width = fmax(lines->width, lines->ext[i].width);
	}
	/* From the top of the first line's ink to the bottom of the last. */
	lines->height = lines->n == 1
		? lines->ext[0].height
		: lines->step + lines->ext[1].y_bearing +
			  lines->ext[1].height - lines->ext[0].y_bearing;
	return true;
}

/* Round to the nearest whole pixel, halves upwards. Unlike round(), this
   commutes with a shift by whole pixels (round(-0.5) is -1 but
   round(255.5) is 256), so tiles agree with their neighbours. */
static double pixel_round(double v)
{
	return floor(v + 0.5);
}

/*
 * Draw `text` (one line, or two split by '\n') centred on the centroid of
 * the polygon's largest exterior ring, when its box fits inside the
 * polygon. The anchor is rounded to whole pixels, so glyphs rasterise the
 * same way wherever the canvas origin lies on the pixel grid (tiles of one
 * matrix are whole pixels apart).
 */
bool render_label_polygon(cairo_t *cr, const struct geom *g,
			  const double *xy, const char *text)
{
	struct label_lines lines;
	double best = 0, c[2] = {0, 0}, box[4] = {0, 0, 0, 0};
	double x0, y0, x1, y1, top;

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
	if (best == 0 || !label_lines_measure(cr, text, &lines))
		return false;
	if (lines.width + 2 * LABEL_PADDING > box[2] - box[0] ||
	    lines.height + 2 * LABEL_PADDING > box[3] - box[1])
		return false;

	/* The text box must lie inside the polygon (holes excluded). */
	c[0] = pixel_round(c[0]);
	c[1] = pixel_round(c[1]);
	x0 = c[0] - lines.width / 2;
	x1 = c[0] + lines.width / 2;
	y0 = c[1] - lines.height / 2;
	y1 = c[1] + lines.height / 2;
	if (!polygon_contains(g, xy, c[0], c[1]) ||
	    !polygon_contains(g, xy, x0, y0) ||
	    !polygon_contains(g, xy, x1, y0) ||
	    !polygon_contains(g, xy, x0, y1) ||
	    !polygon_contains(g, xy, x1, y1))
		return false;

	cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
	top = pixel_round(y0);
	for (int i = 0; i < lines.n; i++) {
		const cairo_text_extents_t *e = &lines.ext[i];
		/* Each line centred; the first line's ink starts at the top,
		   the next baseline one step lower. */
		double baseline = top - lines.ext[0].y_bearing + i * lines.step;

		cairo_move_to(cr, pixel_round(c[0] - e->width / 2 -
					      e->x_bearing),
			      pixel_round(baseline));
		cairo_show_text(cr, lines.text[i]);
	}
	cairo_new_path(cr);
	return true;
}
