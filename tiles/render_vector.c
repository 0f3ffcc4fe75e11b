/*
 * Vector layers: features found through the snapshot's CRS84 index,
 * transformed from the storage CRS to the canvas CRS through vn2000, and
 * drawn with Cairo in fid order (fill, then outline, then labels on top).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

/* Pixel coordinates beyond this distance from the canvas are clipped
   before they reach Cairo, whose 24.8 fixed-point numbers overflow near
   8 million. */
#define VECTOR_CLIP_MARGIN 64.0

/* Pixel coordinates at least this far out are treated as failed points. */
#define VECTOR_FAR_PIXELS 1e12

/* Largest number of points of one feature the renderer accepts. */
#define VECTOR_MAX_POINTS (64u * 1024u * 1024u)

struct point_buf {
	double *xy;
	size_t len;             /* points */
	size_t cap;
};

struct vector_ctx {
	struct render_canvas *canvas;
	const struct layer_snapshot *snap;
	const struct cfg_style *style;
	struct vn2000_transform *tr;   /* NULL: same CRS, no transform */
	bool use_lonlat;               /* snapshot without a storage CRS */
	int fill_attr;                 /* index of style->fill_by, or -1 */
	int label_attr;                /* index of style->label, or -1 */
	int area_attr;                 /* parcel area printed under the
					  label, or -1 */
	double clip[4];                /* min x, min y, max x, max y in px */
	double px_per_lon;             /* canvas pixels per degree, at most */
	double px_per_lat;

	const struct feature **found;  /* candidates, sorted by fid */
	size_t n_found;
	size_t cap_found;

	struct point_buf pixels;       /* current feature in pixels */
	struct point_buf ring_a;       /* clipping work buffers */
	struct point_buf ring_b;
};

static int point_buf_reserve(struct point_buf *buf, size_t n)
{
	double *xy;
	size_t cap;

	if (n <= buf->cap)
		return 0;
	if (n > VECTOR_MAX_POINTS)
		return -1;
	cap = buf->cap < 64 ? 64 : buf->cap;
	while (cap < n)
		cap *= 2;
	xy = realloc(buf->xy, cap * 2 * sizeof(double));
	if (xy == NULL)
		return -1;
	buf->xy = xy;
	buf->cap = cap;
	return 0;
}

static int point_buf_push(struct point_buf *buf, double x, double y)
{
	if (point_buf_reserve(buf, buf->len + 1) != 0)
		return -1;
	buf->xy[2 * buf->len] = x;
	buf->xy[2 * buf->len + 1] = y;
	buf->len++;
	return 0;
}

/* ---- candidates ---- */

static int vector_collect(const struct feature *f, void *arg)
{
	struct vector_ctx *ctx = arg;

	if (ctx->n_found == ctx->cap_found) {
		size_t cap = ctx->cap_found ? ctx->cap_found * 2 : 256;
		const struct feature **found;

		found = realloc(ctx->found, cap * sizeof(*found));
		if (found == NULL)
			return -1;
		ctx->found = found;
		ctx->cap_found = cap;
	}
	ctx->found[ctx->n_found++] = f;
	return 0;
}

static int vector_compare_fid(const void *a, const void *b)
{
	const struct feature *fa = *(const struct feature *const *)a;
	const struct feature *fb = *(const struct feature *const *)b;

	return (fa->fid > fb->fid) - (fa->fid < fb->fid);
}

static bool box_intersects(const double a[4], const double b[4])
{
	return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/* Collect the features whose CRS84 box meets `box`, in fid order. */
static int vector_find(struct vector_ctx *ctx, const double box[4])
{
	const struct layer_snapshot *snap = ctx->snap;

	if (snap->index != NULL) {
		if (layer_snapshot_search(snap, box, vector_collect, ctx) != 0)
			return -1;
	} else {
		/* A snapshot built without an index (by hand, in tests). */
		for (size_t i = 0; i < snap->n_features; i++)
			if (box_intersects(snap->features[i].bbox, box) &&
			    vector_collect(&snap->features[i], ctx) != 0)
				return -1;
	}
	if (ctx->n_found > 1)
		qsort(ctx->found, ctx->n_found, sizeof(*ctx->found),
		      vector_compare_fid);
	return 0;
}

/* ---- coordinates ---- */

/* Load a feature's geometry into ctx->pixels as pixel coordinates; points
   that failed to transform become NaN. */
static int vector_project(struct vector_ctx *ctx, const struct geom *g)
{
	struct point_buf *px = &ctx->pixels;
	size_t n = g->n_points;

	px->len = 0;
	if (n == 0)
		return 0;
	if (point_buf_reserve(px, n) != 0)
		return -1;
	memcpy(px->xy, g->xy, n * 2 * sizeof(double));
	px->len = n;
	if (ctx->tr != NULL)
		vn2000_transform_xy(ctx->tr, px->xy, n);

	for (size_t i = 0; i < n; i++) {
		double *p = &px->xy[2 * i];

		if (!isfinite(p[0]) || !isfinite(p[1])) {
			p[0] = p[1] = NAN;
			continue;
		}
		render_world_to_pixel(ctx->canvas, p[0], p[1], &p[0], &p[1]);
		/* Far beyond any canvas: a degenerate transform. Dropping the
		   point keeps the clipping arithmetic finite. */
		if (!(fabs(p[0]) < VECTOR_FAR_PIXELS &&
		      fabs(p[1]) < VECTOR_FAR_PIXELS))
			p[0] = p[1] = NAN;
	}
	return 0;
}

static bool clip_inside(const double clip[4], int edge, const double *p)
{
	switch (edge) {
	case 0: return p[0] >= clip[0];
	case 1: return p[1] >= clip[1];
	case 2: return p[0] <= clip[2];
	default: return p[1] <= clip[3];
	}
}

static void clip_cross(const double clip[4], int edge, const double *a,
		       const double *b, double *out)
{
	double t;

	if (edge == 0 || edge == 2) {
		double x = edge == 0 ? clip[0] : clip[2];

		t = (x - a[0]) / (b[0] - a[0]);
		out[0] = x;
		out[1] = a[1] + t * (b[1] - a[1]);
	} else {
		double y = edge == 1 ? clip[1] : clip[3];

		t = (y - a[1]) / (b[1] - a[1]);
		out[0] = a[0] + t * (b[0] - a[0]);
		out[1] = y;
	}
}

/*
 * Clip a ring (unclosed, NaN points dropped) to ctx->clip with
 * Sutherland-Hodgman. The result is in *out. Edges that run along the clip
 * box lie outside the canvas, so even-odd fills inside stay right.
 */
static int clip_ring(struct vector_ctx *ctx, struct point_buf **out)
{
	struct point_buf *in = &ctx->ring_a;
	struct point_buf *res = &ctx->ring_b;

	for (int edge = 0; edge < 4; edge++) {
		res->len = 0;
		for (size_t i = 0; i < in->len; i++) {
			const double *cur = &in->xy[2 * i];
			const double *prev =
				&in->xy[2 * ((i + in->len - 1) % in->len)];
			bool cur_in = clip_inside(ctx->clip, edge, cur);
			bool prev_in = clip_inside(ctx->clip, edge, prev);
			double cross[2];

			if (cur_in != prev_in) {
				clip_cross(ctx->clip, edge, prev, cur, cross);
				if (point_buf_push(res, cross[0], cross[1]))
					return -1;
			}
			if (cur_in && point_buf_push(res, cur[0], cur[1]))
				return -1;
		}
		struct point_buf *tmp = in;
		in = res;
		res = tmp;
	}
	*out = in;
	return 0;
}

/* ---- paths ---- */

static bool ring_within_clip(const struct vector_ctx *ctx,
			     const struct point_buf *ring)
{
	for (size_t i = 0; i < ring->len; i++) {
		const double *p = &ring->xy[2 * i];

		if (p[0] < ctx->clip[0] || p[0] > ctx->clip[2] ||
		    p[1] < ctx->clip[1] || p[1] > ctx->clip[3])
			return false;
	}
	return true;
}

/* Append part `part` of the projected geometry to Cairo's path as a closed
   ring, clipped when it leaves the clip box. */
static int vector_add_ring(struct vector_ctx *ctx, const struct geom *g,
			   uint32_t part)
{
	cairo_t *cr = ctx->canvas->cr;
	uint32_t start = g->part_start[part];
	uint32_t end = g->part_start[part + 1];
	struct point_buf *ring = &ctx->ring_a;

	ring->len = 0;
	for (uint32_t i = start; i < end && i < g->n_points; i++) {
		const double *p = &ctx->pixels.xy[2 * i];

		if (isnan(p[0]))
			continue;
		if (point_buf_push(ring, p[0], p[1]) != 0)
			return -1;
	}
	/* Drop the closing point; Cairo closes the path itself. */
	if (ring->len > 1 && ring->xy[0] == ring->xy[2 * ring->len - 2] &&
	    ring->xy[1] == ring->xy[2 * ring->len - 1])
		ring->len--;
	if (ring->len < 3)
		return 0;
	if (!ring_within_clip(ctx, ring) && clip_ring(ctx, &ring) != 0)
		return -1;
	if (ring->len < 3)
		return 0;

	cairo_move_to(cr, ring->xy[0], ring->xy[1]);
	for (size_t i = 1; i < ring->len; i++)
		cairo_line_to(cr, ring->xy[2 * i], ring->xy[2 * i + 1]);
	cairo_close_path(cr);
	return 0;
}

/* Liang-Barsky: clip segment a-b to the clip box. Returns false when
   nothing is left; t0, t1 receive the kept parameter range. */
static bool clip_segment(const double clip[4], const double *a,
			 const double *b, double *t0, double *t1)
{
	double dx = b[0] - a[0];
	double dy = b[1] - a[1];
	double p[4] = {-dx, dx, -dy, dy};
	double q[4] = {a[0] - clip[0], clip[2] - a[0],
		       a[1] - clip[1], clip[3] - a[1]};

	*t0 = 0.0;
	*t1 = 1.0;
	for (int i = 0; i < 4; i++) {
		if (p[i] == 0.0) {
			if (q[i] < 0.0)
				return false;
			continue;
		}
		double r = q[i] / p[i];

		if (p[i] < 0.0 && r > *t1)
			return false;
		if (p[i] > 0.0 && r < *t0)
			return false;
		if (p[i] < 0.0 && r > *t0)
			*t0 = r;
		if (p[i] > 0.0 && r < *t1)
			*t1 = r;
	}
	return true;
}

/* Append line part `part` to the path, split where it leaves the clip
   box or where a point failed to transform. */
static void vector_add_line(struct vector_ctx *ctx, const struct geom *g,
			    uint32_t part)
{
	cairo_t *cr = ctx->canvas->cr;
	uint32_t start = g->part_start[part];
	uint32_t end = g->part_start[part + 1];
	const double *prev = NULL;
	bool pen_down = false;

	for (uint32_t i = start; i < end && i < g->n_points; i++) {
		const double *cur = &ctx->pixels.xy[2 * i];
		double t0, t1;

		if (isnan(cur[0])) {
			prev = NULL;
			pen_down = false;
			continue;
		}
		if (prev != NULL &&
		    clip_segment(ctx->clip, prev, cur, &t0, &t1)) {
			double dx = cur[0] - prev[0], dy = cur[1] - prev[1];

			if (!pen_down || t0 > 0.0)
				cairo_move_to(cr, prev[0] + t0 * dx,
					      prev[1] + t0 * dy);
			cairo_line_to(cr, prev[0] + t1 * dx, prev[1] + t1 * dy);
			pen_down = t1 >= 1.0;
		} else {
			pen_down = false;
		}
		prev = cur;
	}
}

/* ---- styling ---- */

static void set_rgba(cairo_t *cr, uint32_t rgba)
{
	cairo_set_source_rgba(cr, ((rgba >> 24) & 0xFF) / 255.0,
			      ((rgba >> 16) & 0xFF) / 255.0,
			      ((rgba >> 8) & 0xFF) / 255.0,
			      (rgba & 0xFF) / 255.0);
}

static const char *value_string(const struct vector_ctx *ctx,
				const struct feature *f, int attr)
{
	const struct value *v;

	if (attr < 0 || f->values == NULL)
		return NULL;
	v = &f->values[attr];
	if (v->is_null || ctx->snap->attrs[attr].type == ATTR_INTEGER ||
	    ctx->snap->attrs[attr].type == ATTR_REAL)
		return NULL;
	return v->u.s;
}

/* The fill of a polygon as 0xRRGGBBAA; alpha 0 for no fill. */
static uint32_t vector_fill(const struct vector_ctx *ctx,
			    const struct feature *f)
{
	uint32_t rgb;

	if (render_landuse_color(value_string(ctx, f, ctx->fill_attr), &rgb))
		return (rgb << 8) | 0xFF;
	return ctx->style->fill;
}

static void vector_stroke(struct vector_ctx *ctx, bool preserve)
{
	cairo_t *cr = ctx->canvas->cr;

	if ((ctx->style->stroke & 0xFF) == 0 || ctx->style->stroke_width <= 0) {
		if (!preserve)
			cairo_new_path(cr);
		return;
	}
	set_rgba(cr, ctx->style->stroke);
	cairo_set_line_width(cr, ctx->style->stroke_width);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	if (preserve)
		cairo_stroke_preserve(cr);
	else
		cairo_stroke(cr);
}

/* ---- features ---- */

static int vector_draw_polygon(struct vector_ctx *ctx, const struct feature *f,
			       const struct geom *g)
{
	cairo_t *cr = ctx->canvas->cr;
	uint32_t fill = vector_fill(ctx, f);

	cairo_new_path(cr);
	for (uint32_t part = 0; part < g->n_parts; part++)
		if (vector_add_ring(ctx, g, part) != 0)
			return -1;

	/* Even-odd keeps holes empty whatever the ring orientation. */
	cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
	if ((fill & 0xFF) != 0) {
		set_rgba(cr, fill);
		cairo_fill_preserve(cr);
	}
	vector_stroke(ctx, false);
	cairo_new_path(cr);
	return 0;
}

static void vector_draw_line(struct vector_ctx *ctx, const struct geom *g)
{
	cairo_new_path(ctx->canvas->cr);
	for (uint32_t part = 0; part < g->n_parts; part++)
		vector_add_line(ctx, g, part);
	vector_stroke(ctx, false);
}

static void vector_draw_points(struct vector_ctx *ctx, const struct geom *g)
{
	cairo_t *cr = ctx->canvas->cr;
	double r = ctx->style->point_radius > 0 ? ctx->style->point_radius : 3;
	uint32_t fill = ctx->style->fill;

	for (uint32_t i = 0; i < g->n_points; i++) {
		const double *p = &ctx->pixels.xy[2 * i];

		if (isnan(p[0]) || p[0] < ctx->clip[0] || p[0] > ctx->clip[2] ||
		    p[1] < ctx->clip[1] || p[1] > ctx->clip[3])
			continue;
		cairo_new_path(cr);
		cairo_arc(cr, p[0], p[1], r, 0, 2 * M_PI);
		if ((fill & 0xFF) != 0) {
			set_rgba(cr, fill);
			cairo_fill_preserve(cr);
		}
		vector_stroke(ctx, false);
	}
}

static const struct geom *feature_geom(const struct vector_ctx *ctx,
				       const struct feature *f)
{
	return ctx->use_lonlat ? &f->lonlat : &f->native;
}

static bool geom_usable(const struct geom *g)
{
	return g->type != GEOM_NONE && g->n_points > 0 && g->xy != NULL &&
	       (g->type == GEOM_POINT || g->part_start != NULL);
}

static int vector_draw_feature(struct vector_ctx *ctx, const struct feature *f)
{
	const struct geom *g = feature_geom(ctx, f);

	if (!geom_usable(g))
		return 0;
	if (vector_project(ctx, g) != 0)
		return -1;
	switch (g->type) {
	case GEOM_POLYGON:
		return vector_draw_polygon(ctx, f, g);
	case GEOM_LINE:
		vector_draw_line(ctx, g);
		return 0;
	case GEOM_POINT:
		vector_draw_points(ctx, g);
		return 0;
	default:
		return 0;
	}
}

/* ---- labels ---- */

/* The attribute printed under a polygon's label (the style's
   label_area), or -1. Personal attributes never qualify. */
static int vector_area_attr(const struct layer_snapshot *snap,
			    const struct cfg_style *style, int label_attr)
{
	int a;

	if (style->label_area == NULL || label_attr < 0)
		return -1;
	a = layer_attr_find(snap, style->label_area);
	if (a < 0 || a == label_attr || snap->attrs[a].personal)
		return -1;
	return a;
}

/* Format one attribute value for a label into buf; NULL when empty. */
static const char *vector_value_text(const struct vector_ctx *ctx,
				     const struct feature *f, int attr,
				     char *buf, size_t size)
{
	const struct value *v;

	if (attr < 0 || f->values == NULL || ctx->snap->attrs[attr].personal)
		return NULL;
	v = &f->values[attr];
	if (v->is_null)
		return NULL;
	switch (ctx->snap->attrs[attr].type) {
	case ATTR_INTEGER:
		snprintf(buf, size, "%" PRId64, v->u.i);
		return buf;
	case ATTR_REAL:
		snprintf(buf, size, "%.1f", v->u.d);
		return buf;
	default:
		if (v->u.s == NULL || v->u.s[0] == '\0')
			return NULL;
		snprintf(buf, size, "%s", v->u.s);
		return buf;
	}
}

/*
 * The label text of a feature, or NULL. Personal attributes never label.
 * A style with label_area gets the cadastral form: the label value over
 * the area, as Vietnamese cadastral maps print the parcel number over its
 * area ("125" over "350.2"), as two lines split by '\n'.
 */
static const char *vector_label_text(const struct vector_ctx *ctx,
				     const struct feature *f,
				     char *buf, size_t size)
{
	char area[48];
	const char *text = vector_value_text(ctx, f, ctx->label_attr, buf,
					     size);
	const char *below;
	size_t n;

	if (text == NULL)
		return NULL;
	below = vector_value_text(ctx, f, ctx->area_attr, area, sizeof(area));
	n = strlen(text);
	if (below != NULL && n + 1 + strlen(below) < size &&
	    strchr(text, '\n') == NULL) {
		buf[n] = '\n';
		memcpy(buf + n + 1, below, strlen(below) + 1);
	}
	return buf;
}

/*
 * Labels are placed by a rule that depends only on the feature and the
 * scale, never on the canvas box: the anchor is the centroid of the
 * largest ring (render_label.c), and a label is drawn only where the whole
 * text box fits inside the polygon. Neighbouring tiles of one tile matrix
 * therefore place a label at the same ground position; a label crossing a
 * tile edge is drawn in both tiles, so it shows whole and once. Every
 * feature whose box meets the canvas widened by the search margin is a
 * candidate, and a label only shows inside its own polygon, so no label
 * can reach a tile without its feature being found there.
 * TODO: labels along narrow parcels and the land-use code beside the
 * parcel number (ODT 18/421,1) are not drawn yet.
 */
/*
 * Whether a feature is too small on the canvas to hold any label. The
 * smallest label, one digit, needs a box of about 10 x 12 px with its
 * padding; the bounds below are lower by more than the factor by which
 * the CRS84 box can misjudge pixel sizes (about 1.4 for a canvas rotated
 * 45 degrees from the meridians), so no label that fits is skipped. At low
 * zooms this spares projecting and measuring thousands of tiny parcels.
 */
#define LABEL_MIN_WIDTH_PX 6.0
#define LABEL_MIN_HEIGHT_PX 8.0

static bool vector_label_too_small(const struct vector_ctx *ctx,
				   const struct feature *f)
{
	return (f->bbox[2] - f->bbox[0]) * ctx->px_per_lon <
		       LABEL_MIN_WIDTH_PX ||
	       (f->bbox[3] - f->bbox[1]) * ctx->px_per_lat <
		       LABEL_MIN_HEIGHT_PX;
}

static int vector_draw_labels(struct vector_ctx *ctx)
{
	char buf[160];

	if (ctx->label_attr < 0)
		return 0;
	render_font_select(ctx->canvas->cr, 11.0);
	for (size_t i = 0; i < ctx->n_found; i++) {
		const struct feature *f = ctx->found[i];
		const struct geom *g = feature_geom(ctx, f);
		const char *text;

		if (i % 64 == 0 && render_deadline_passed(ctx->canvas))
			return -1;
		if (vector_label_too_small(ctx, f))
			continue;
		text = vector_label_text(ctx, f, buf, sizeof(buf));
		if (text == NULL || g->type != GEOM_POLYGON || !geom_usable(g))
			continue;
		if (vector_project(ctx, g) != 0)
			return -1;
		render_label_polygon(ctx->canvas->cr, g, ctx->pixels.xy, text);
	}
	return 0;
}

/* ---- entry ---- */

static int vector_setup(struct vector_ctx *ctx, struct render_canvas *canvas,
			const struct layer_snapshot *snap,
			const struct cfg_style *style)
{
	const struct vn2000_crs *from = snap->crs;
	const struct vn2000_crs *to = canvas->req.crs;
	double margin = VECTOR_CLIP_MARGIN + 2 * style->stroke_width +
			2 * style->point_radius;

	memset(ctx, 0, sizeof(*ctx));
	ctx->canvas = canvas;
	ctx->snap = snap;
	ctx->style = style;
	ctx->fill_attr = style->fill_by ? layer_attr_find(snap, style->fill_by)
					: -1;
	ctx->label_attr = style->label ? layer_attr_find(snap, style->label)
				       : -1;
	ctx->area_attr = vector_area_attr(snap, style, ctx->label_attr);
	ctx->clip[0] = -margin;
	ctx->clip[1] = -margin;
	ctx->clip[2] = canvas->req.width + margin;
	ctx->clip[3] = canvas->req.height + margin;

	if (from == NULL) {
		ctx->use_lonlat = true;
		from = vn2000_crs_find("CRS:84");
		if (from == NULL)
			return -1;
	}
	/* Two catalogue entries with one datum and one PROJ definition (such
	   as EPSG:4326 and CRS:84 in x, y order) need no transformation. */
	if (from == to || (from->datum == to->datum &&
			   from->datum != VN2000_DATUM_OTHER &&
			   from->proj_def != NULL && to->proj_def != NULL &&
			   strcmp(from->proj_def, to->proj_def) == 0))
		return 0;
	ctx->tr = vn2000_transform_get(from, to);
	return ctx->tr != NULL ? 0 : -1;
}

static void vector_ctx_clear(struct vector_ctx *ctx)
{
	free(ctx->found);
	free(ctx->pixels.xy);
	free(ctx->ring_a.xy);
	free(ctx->ring_b.xy);
}

int render_vector_draw(struct render_canvas *canvas,
		       const struct layer_snapshot *snap,
		       const struct cfg_style *style)
{
	struct vector_ctx ctx;
	double box[4];
	int rc = -1;

	if (vector_setup(&ctx, canvas, snap, style) != 0)
		goto done;

	/* A canvas outside the area its CRS can transform shows nothing.
	   The margin lets outlines and points just outside the box show. */
	if (render_canvas_lonlat_box(canvas, 2.0 + style->stroke_width +
				     style->point_radius, box) != 0) {
		rc = 0;
		goto done;
	}
	if (vector_find(&ctx, box) != 0)
		goto done;
	/* The box is at least as large as the canvas, so these are lower
	   bounds of the pixels per degree. */
	ctx.px_per_lon = box[2] > box[0]
		? canvas->req.width / (box[2] - box[0]) : INFINITY;
	ctx.px_per_lat = box[3] > box[1]
		? canvas->req.height / (box[3] - box[1]) : INFINITY;

	cairo_save(canvas->cr);
	for (size_t i = 0; i < ctx.n_found; i++) {
		/* The clock is read once per 64 features. */
		if (i % 64 == 0 && render_deadline_passed(canvas))
			goto restore;
		if (vector_draw_feature(&ctx, ctx.found[i]) != 0)
			goto restore;
	}
	if (vector_draw_labels(&ctx) != 0)
		goto restore;
	rc = 0;
restore:
	cairo_restore(canvas->cr);
done:
	vector_ctx_clear(&ctx);
	return rc;
}
