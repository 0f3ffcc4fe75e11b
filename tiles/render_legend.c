/*
 * Legends: one row per class with a swatch and the class name, drawn with
 * Cairo in DejaVu Sans and encoded as PNG.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

#define LEGEND_MAX_ROWS 256
#define LEGEND_ROW_HEIGHT 20
#define LEGEND_FONT_SIZE 12.0
#define LEGEND_TEXT_X 32
#define LEGEND_PAD 4

struct legend_row {
	uint32_t fill;         /* 0xRRGGBBAA */
	char text[256];
};

struct legend {
	struct legend_row *rows;
	size_t n_rows;
	enum geom_type kind;   /* decides the swatch shape */
	const struct cfg_style *style;
};

static int legend_add(struct legend *lg, uint32_t fill, const char *text)
{
	struct legend_row *row;

	if (lg->n_rows == LEGEND_MAX_ROWS)
		return 0;
	row = &lg->rows[lg->n_rows++];
	row->fill = fill;
	snprintf(row->text, sizeof(row->text), "%s", text);
	/* A cut may split a UTF-8 sequence; Cairo rejects those. */
	if (!render_utf8_valid(row->text))
		snprintf(row->text, sizeof(row->text), "?");
	return 0;
}

static int code_compare(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct first land-use codes with a known colour, sorted. Sets
   *other when some feature has no code or an unknown one. */
static char **legend_codes(const struct layer_snapshot *snap, int attr,
			   size_t *n_codes, bool *other)
{
	char **codes = calloc(LEGEND_MAX_ROWS, sizeof(*codes));
	char code[16];
	size_t n = 0;

	*other = false;
	if (codes == NULL)
		return NULL;
	for (size_t i = 0; i < snap->n_features; i++) {
		const struct value *v = snap->features[i].values
			? &snap->features[i].values[attr] : NULL;
		bool seen = false;

		if (v == NULL || v->is_null || v->u.s == NULL ||
		    !render_landuse_first_code(v->u.s, code, sizeof(code)) ||
		    !render_landuse_color(code, NULL)) {
			*other = true;
			continue;
		}
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(codes[k], code) == 0;
		if (seen || n == LEGEND_MAX_ROWS - 1)
			continue;
		codes[n] = strdup(code);
		if (codes[n] == NULL)
			break;
		n++;
	}
	qsort(codes, n, sizeof(*codes), code_compare);
	*n_codes = n;
	return codes;
}

static int legend_fill_by(struct legend *lg, const struct layer_snapshot *snap,
			  int attr, const char *lang)
{
	size_t n_codes = 0;
	bool other = false;
	char **codes = legend_codes(snap, attr, &n_codes, &other);
	char text[256];

	if (codes == NULL)
		return -1;
	for (size_t i = 0; i < n_codes; i++) {
		uint32_t rgb = 0;
		const char *name = render_landuse_name(codes[i], lang);

		render_landuse_color(codes[i], &rgb);
		if (name != NULL)
			snprintf(text, sizeof(text), "%s – %s", codes[i], name);
		else
			snprintf(text, sizeof(text), "%s", codes[i]);
		legend_add(lg, (rgb << 8) | 0xFF, text);
	}
	if (other && (lg->style->fill & 0xFF) != 0)
		legend_add(lg, lg->style->fill,
			   strcmp(lang, "en") == 0 ? "Other" : "Khác");
	for (size_t i = 0; i < n_codes; i++)
		free(codes[i]);
	free(codes);
	return 0;
}

static const char *legend_title(const struct layer_snapshot *snap,
				const struct cfg_style *st, const char *lang)
{
	bool en = strcmp(lang, "en") == 0;
	const struct cfg_layer *layer = snap->cfg;

	if (layer != NULL && layer->kind == CFG_LAYER_RASTER)
		return en && layer->title_en ? layer->title_en
					     : layer->title_vi;
	if (en && st->title_en != NULL)
		return st->title_en;
	if (st->title_vi != NULL)
		return st->title_vi;
	return st->name != NULL ? st->name : "";
}

static void legend_swatch(const struct legend *lg, cairo_t *cr,
			  const struct legend_row *row, double y)
{
	const struct cfg_style *st = lg->style;
	uint32_t s = st->stroke;
	double sw = st->stroke_width > 0 ? st->stroke_width : 1;

	if (sw > 4)
		sw = 4;
	cairo_new_path(cr);
	if (lg->kind == GEOM_LINE) {
		cairo_move_to(cr, LEGEND_PAD, y + 10);
		cairo_line_to(cr, 26, y + 10);
	} else if (lg->kind == GEOM_POINT)
		cairo_arc(cr, 15, y + 10, 5, 0, 2 * M_PI);
	else
		cairo_rectangle(cr, LEGEND_PAD + 0.5, y + 3.5, 21, 13);
	if (lg->kind != GEOM_LINE && (row->fill & 0xFF) != 0) {
		cairo_set_source_rgba(cr, (row->fill >> 24) / 255.0,
				      ((row->fill >> 16) & 0xFF) / 255.0,
				      ((row->fill >> 8) & 0xFF) / 255.0,
				      (row->fill & 0xFF) / 255.0);
		cairo_fill_preserve(cr);
	}
	if ((s & 0xFF) == 0)
		s = 0x000000FF;
	cairo_set_source_rgba(cr, (s >> 24) / 255.0, ((s >> 16) & 0xFF) / 255.0,
			      ((s >> 8) & 0xFF) / 255.0, (s & 0xFF) / 255.0);
	cairo_set_line_width(cr, lg->kind == GEOM_LINE ? sw : 1.0);
	cairo_stroke(cr);
}

/* Width needed by the longest row, measured with the legend font. */
static int legend_width(const struct legend *lg)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
							1, 1);
	cairo_t *cr = cairo_create(s);
	double w = 0;

	render_font_select(cr, LEGEND_FONT_SIZE);
	for (size_t i = 0; i < lg->n_rows; i++) {
		cairo_text_extents_t ext;

		cairo_text_extents(cr, lg->rows[i].text, &ext);
		if (ext.x_advance > w)
			w = ext.x_advance;
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	w += LEGEND_TEXT_X + 2 * LEGEND_PAD;
	return w > RENDER_MAX_SIDE ? RENDER_MAX_SIDE : (int)w + 1;
}

static int legend_draw(const struct legend *lg, unsigned char **out,
		       size_t *out_size)
{
	int width = legend_width(lg);
	int height = (int)lg->n_rows * LEGEND_ROW_HEIGHT + 2 * LEGEND_PAD;
	cairo_surface_t *s;
	cairo_t *cr;
	int rc = -1;

	s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	render_font_select(cr, LEGEND_FONT_SIZE);
	for (size_t i = 0; i < lg->n_rows; i++) {
		double y = LEGEND_PAD + (double)i * LEGEND_ROW_HEIGHT;

		legend_swatch(lg, cr, &lg->rows[i], y);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_move_to(cr, LEGEND_TEXT_X, y + 14);
		cairo_show_text(cr, lg->rows[i].text);
	}
	if (cairo_status(cr) == CAIRO_STATUS_SUCCESS)
		rc = render_surface_png(s, out, out_size);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return rc;
}

static enum geom_type legend_kind(const struct layer_snapshot *snap)
{
	for (size_t i = 0; i < snap->n_features; i++)
		if (snap->features[i].native.type != GEOM_NONE)
			return snap->features[i].native.type;
	return GEOM_POLYGON;
}

int render_legend_png(const struct layer_snapshot *snap, const char *style,
		      const char *lang, unsigned char **out, size_t *out_size)
{
	struct legend lg = {0};
	int attr = -1, rc = -1;

	if (snap == NULL || out == NULL || out_size == NULL)
		return -1;
	*out = NULL;
	*out_size = 0;
	if (lang == NULL || strcmp(lang, "en") != 0)
		lang = "vi";
	lg.style = render_style_find(snap, style);
	lg.kind = legend_kind(snap);
	lg.rows = calloc(LEGEND_MAX_ROWS, sizeof(*lg.rows));
	if (lg.rows == NULL)
		return -1;

	if (lg.style->fill_by != NULL)
		attr = layer_attr_find(snap, lg.style->fill_by);
	if (attr >= 0 && snap->attrs[attr].type == ATTR_STRING) {
		if (legend_fill_by(&lg, snap, attr, lang) != 0)
			goto done;
	}
	/* A plain style, or a land-use style with nothing to show. */
	if (lg.n_rows == 0)
		legend_add(&lg, lg.style->fill,
			   legend_title(snap, lg.style, lang));
	rc = legend_draw(&lg, out, out_size);
done:
	free(lg.rows);
	return rc;
}
