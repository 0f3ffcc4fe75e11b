/*
 * Transformations between catalogue CRSs, built as explicit PROJ pipelines
 * and cached per thread.
 *
 * VN-2000 <-> WGS 84 always goes through the official Helmert step of
 * Decision 05/2007/QD-BTNMT (EPSG:6960). PROJ's own choice of operation
 * would take EPSG:5194 inside the Mekong delta box (9.35-11.04°N,
 * 104.24-107.11°E), 0.8 m away, so it is never asked for VN-2000. Only CRSs
 * of another datum (custom CRSs from data files) go through
 * proj_create_crs_to_crs, and only to reach WGS 84.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proj.h>

#include "vn2000/vn2000_internal.h"

/* Cap on cached transforms per thread (pairs of CRSs in use). */
#define TRANSFORM_CACHE_MAX 4096
/* Cap on points per edge in vn2000_transform_bbox. */
#define DENSIFY_MAX 10000

struct vn2000_transform {
	char *from_id, *from_def; /* cache key: copies of the CRS fields */
	char *to_id, *to_def;
	enum vn2000_datum from_datum, to_datum;

	PJ *pre;  /* custom source -> WGS 84 lon/lat degrees, or NULL */
	PJ *main; /* explicit pipeline, or NULL for the identity */
	PJ *post; /* WGS 84 lon/lat degrees -> custom target, or NULL */
	char *definition; /* text of main, "" for the identity */

	bool from_geographic;
	bool region_known;  /* region below is known */
	double region[4];   /* source clip region, CRS84 degrees */
	int clip_state;     /* 0 not computed, 1 known, -1 unknown */
	double clip[4];     /* the region in source CRS units */
};

struct thread_state {
	PJ_CONTEXT *ctx;
	struct vn2000_transform **items;
	size_t count, capacity;
};

static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;

static void transform_free(struct vn2000_transform *tr)
{
	if (!tr)
		return;
	proj_destroy(tr->pre);
	proj_destroy(tr->main);
	proj_destroy(tr->post);
	free(tr->definition);
	free(tr->from_id);
	free(tr->from_def);
	free(tr->to_id);
	free(tr->to_def);
	free(tr);
}

static void state_free(void *arg)
{
	struct thread_state *st = arg;

	if (!st)
		return;
	for (size_t i = 0; i < st->count; i++)
		transform_free(st->items[i]);
	free(st->items);
	proj_context_destroy(st->ctx);
	free(st);
}

static void state_key_create(void)
{
	(void)pthread_key_create(&state_key, state_free);
}

/* Return the calling thread's state, creating it on first use. */
static struct thread_state *state_get(void)
{
	struct thread_state *st;

	pthread_once(&state_once, state_key_create);
	st = pthread_getspecific(state_key);
	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->ctx = proj_context_create();
	if (!st->ctx || pthread_setspecific(state_key, st) != 0) {
		proj_context_destroy(st->ctx);
		free(st);
		return NULL;
	}
	/* Network grids are never needed: VN-2000 uses no grid. */
	proj_context_set_enable_network(st->ctx, 0);
	proj_log_level(st->ctx, PJ_LOG_NONE);
	return st;
}

void vn2000_thread_cleanup(void)
{
	struct thread_state *st;

	pthread_once(&state_once, state_key_create);
	st = pthread_getspecific(state_key);
	if (!st)
		return;
	pthread_setspecific(state_key, NULL);
	state_free(st);
}

/* The catalogue entry for WGS 84 longitude, latitude in degrees. */
static const struct vn2000_crs *crs84(void)
{
	return vn2000_crs_find("CRS:84");
}

/*
 * Datum steps on geographic radians. Heights are unknown (2D data), and a 2D
 * Helmert moves points by about 1 mm per 25 m of ellipsoidal height, so both
 * directions take the VN-2000 ellipsoidal height as 0. VN-2000 -> WGS 84
 * applies the Helmert at h = 0. WGS 84 -> VN-2000 runs the inverse Helmert
 * once to learn the VN-2000 height h1 of the point at WGS 84 height 0, then
 * again from WGS 84 height -h1, which lands at VN-2000 height 0 to well under
 * a millimetre. The two directions are then inverses of each other; PROJ's
 * cs2cs instead takes h = 0 on the input side of each direction, which
 * differs by up to about 1.5 mm in Vietnam.
 */
#define VN2000_TO_WGS84                                                       \
	" +step +proj=cart +ellps=WGS84 +step " VN2000_HELMERT_STEP            \
	" +step +inv +proj=cart +ellps=WGS84"
#define WGS84_TO_VN2000_ONCE                                                  \
	" +step +proj=cart +ellps=WGS84 +step +inv " VN2000_HELMERT_STEP       \
	" +step +inv +proj=cart +ellps=WGS84"
#define WGS84_TO_VN2000                                                       \
	" +step +proj=push +v_1 +v_2" WGS84_TO_VN2000_ONCE                     \
	" +step +proj=pop +v_1 +v_2 +step +proj=affine +s33=-1"                \
	WGS84_TO_VN2000_ONCE

/* Append text to buf at *len; returns -1 when it does not fit. */
static int append(char *buf, size_t size, size_t *len, const char *text)
{
	size_t n = strlen(text);

	if (*len + n + 1 > size)
		return -1;
	memcpy(buf + *len, text, n + 1);
	*len += n;
	return 0;
}

/*
 * Write the pipeline from `from` to `to`, both of datum WGS 84 or VN-2000.
 * Returns 1 when the two are the same geographic system (identity), 0 when
 * a pipeline was written, -1 when it does not fit.
 */
static int pipeline_text(const struct vn2000_crs *from,
			 const struct vn2000_crs *to, char *buf, size_t size)
{
	char step[512];
	size_t len = 0;

	if (from->geographic && to->geographic && from->datum == to->datum)
		return 1;
	if (append(buf, size, &len, "+proj=pipeline +step ") != 0 ||
	    vn2000_crs_step(from, true, step, sizeof(step)) != 0 ||
	    append(buf, size, &len, step) != 0)
		return -1;

	if (from->datum != to->datum &&
	    append(buf, size, &len,
		   from->datum == VN2000_DATUM_VN2000 ? VN2000_TO_WGS84
						      : WGS84_TO_VN2000) != 0)
		return -1;

	if (append(buf, size, &len, " +step ") != 0 ||
	    vn2000_crs_step(to, false, step, sizeof(step)) != 0 ||
	    append(buf, size, &len, step) != 0)
		return -1;
	return 0;
}

/*
 * Build PROJ's own operation between a custom CRS and WGS 84, normalised to
 * longitude, latitude order. `to_wgs84` selects the direction.
 */
static PJ *custom_operation(PJ_CONTEXT *ctx, const struct vn2000_crs *crs,
			    bool to_wgs84)
{
	char def[1024];
	PJ *op, *norm;
	int n;

	n = snprintf(def, sizeof(def), "%s%s", crs->proj_def,
		     strstr(crs->proj_def, "+type=crs") ? "" : " +type=crs");
	if (n < 0 || (size_t)n >= sizeof(def))
		return NULL;
	op = to_wgs84 ? proj_create_crs_to_crs(ctx, def, "EPSG:4326", NULL)
		      : proj_create_crs_to_crs(ctx, "EPSG:4326", def, NULL);
	if (!op)
		return NULL;
	norm = proj_normalize_for_visualization(ctx, op);
	proj_destroy(op);
	return norm;
}

/* Create the main pipeline between two non-custom CRSs (NULL: identity). */
static int main_operation(PJ_CONTEXT *ctx, const struct vn2000_crs *from,
			  const struct vn2000_crs *to,
			  struct vn2000_transform *tr)
{
	char text[2048];
	int rc = pipeline_text(from, to, text, sizeof(text));

	if (rc == 1)
		text[0] = '\0';
	else if (rc != 0)
		return -1;
	tr->definition = strdup(text);
	if (!tr->definition)
		return -1;
	if (rc == 1)
		return 0;
	tr->main = proj_create(ctx, text);
	return tr->main ? 0 : -1;
}

/* Fill the PROJ objects of tr for the pair from -> to. */
static int transform_build(PJ_CONTEXT *ctx, struct vn2000_transform *tr,
			   const struct vn2000_crs *from,
			   const struct vn2000_crs *to)
{
	const struct vn2000_crs *mid_from = from, *mid_to = to;
	bool same = strcmp(from->id, to->id) == 0 &&
		    strcmp(from->proj_def, to->proj_def) == 0;

	if (same) {
		tr->definition = strdup("");
		return tr->definition ? 0 : -1;
	}
	if (from->datum == VN2000_DATUM_OTHER) {
		tr->pre = custom_operation(ctx, from, true);
		if (!tr->pre)
			return -1;
		mid_from = crs84();
	}
	if (to->datum == VN2000_DATUM_OTHER) {
		tr->post = custom_operation(ctx, to, false);
		if (!tr->post)
			return -1;
		mid_to = crs84();
	}
	return main_operation(ctx, mid_from, mid_to, tr);
}

static bool key_matches(const struct vn2000_transform *tr,
			const struct vn2000_crs *from,
			const struct vn2000_crs *to)
{
	return tr->from_datum == from->datum && tr->to_datum == to->datum &&
	       strcmp(tr->from_id, from->id) == 0 &&
	       strcmp(tr->to_id, to->id) == 0 &&
	       strcmp(tr->from_def, from->proj_def) == 0 &&
	       strcmp(tr->to_def, to->proj_def) == 0;
}

/* Allocate a transform with its key; NULL when out of memory. */
static struct vn2000_transform *transform_new(const struct vn2000_crs *from,
					      const struct vn2000_crs *to)
{
	struct vn2000_transform *tr = calloc(1, sizeof(*tr));

	if (!tr)
		return NULL;
	tr->from_id = strdup(from->id);
	tr->from_def = strdup(from->proj_def);
	tr->to_id = strdup(to->id);
	tr->to_def = strdup(to->proj_def);
	tr->from_datum = from->datum;
	tr->to_datum = to->datum;
	tr->from_geographic = from->geographic;
	tr->region_known = vn2000_crs_clip_region(from, tr->region);
	if (!tr->from_id || !tr->from_def || !tr->to_id || !tr->to_def) {
		transform_free(tr);
		return NULL;
	}
	return tr;
}

/* Add tr to the thread's cache; -1 when full or out of memory. */
static int cache_add(struct thread_state *st, struct vn2000_transform *tr)
{
	if (st->count == st->capacity) {
		size_t capacity = st->capacity ? st->capacity * 2 : 16;
		struct vn2000_transform **grown;

		if (capacity > TRANSFORM_CACHE_MAX)
			return -1;
		grown = realloc(st->items, capacity * sizeof(*grown));
		if (!grown)
			return -1;
		st->items = grown;
		st->capacity = capacity;
	}
	st->items[st->count++] = tr;
	return 0;
}

struct vn2000_transform *vn2000_transform_get(const struct vn2000_crs *from,
					      const struct vn2000_crs *to)
{
	struct thread_state *st;
	struct vn2000_transform *tr;

	if (!from || !to || !from->id || !to->id || !from->proj_def ||
	    !to->proj_def)
		return NULL;
	st = state_get();
	if (!st)
		return NULL;
	for (size_t i = 0; i < st->count; i++) {
		tr = st->items[i];
		if (key_matches(tr, from, to))
			return tr;
	}

	tr = transform_new(from, to);
	if (!tr)
		return NULL;
	if (transform_build(st->ctx, tr, from, to) != 0 ||
	    cache_add(st, tr) != 0) {
		transform_free(tr);
		return NULL;
	}
	return tr;
}

const char *vn2000_transform_definition(const struct vn2000_transform *tr)
{
	return tr && tr->definition ? tr->definition : "";
}

/* Run one PROJ stage on strided arrays. */
static void run_stage(PJ *op, double *x, size_t sx, double *y, size_t sy,
		      size_t n)
{
	if (!op || n == 0)
		return;
	proj_trans_generic(op, PJ_FWD, x, sx, n, y, sy, n, NULL, 0, 0, NULL,
			   0, 0);
}

/* Mark non-finite results as HUGE_VAL in both coordinates; count them. */
static size_t mark_failures(double *x, size_t sx, double *y, size_t sy,
			    size_t n)
{
	size_t failed = 0;
	size_t ix = sx / sizeof(double), iy = sy / sizeof(double);

	for (size_t i = 0; i < n; i++) {
		double *px = x + i * ix, *py = y + i * iy;

		if (isfinite(*px) && isfinite(*py))
			continue;
		*px = HUGE_VAL;
		*py = HUGE_VAL;
		failed++;
	}
	return failed;
}

static size_t transform_strided(struct vn2000_transform *tr, double *x,
				size_t sx, double *y, size_t sy, size_t n)
{
	if (!tr || !x || !y)
		return n;
	run_stage(tr->pre, x, sx, y, sy, n);
	run_stage(tr->main, x, sx, y, sy, n);
	run_stage(tr->post, x, sx, y, sy, n);
	return mark_failures(x, sx, y, sy, n);
}

size_t vn2000_transform_points(struct vn2000_transform *tr, double *x,
			       double *y, size_t n)
{
	return transform_strided(tr, x, sizeof(double), y, sizeof(double), n);
}

size_t vn2000_transform_xy(struct vn2000_transform *tr, double *xy, size_t n)
{
	if (!xy)
		return n;
	return transform_strided(tr, xy, 2 * sizeof(double), xy + 1,
				 2 * sizeof(double), n);
}

/* Fill x, y with `per_edge` points along each edge of box (corners once). */
static size_t densify_edges(const double box[4], int per_edge, double *x,
			    double *y)
{
	size_t k = 0;
	int steps = per_edge - 1;

	for (int i = 0; i < steps; i++) {
		double t = (double)i / steps;
		double dx = box[0] + t * (box[2] - box[0]);
		double dy = box[1] + t * (box[3] - box[1]);

		/* South, east, north and west edges, each without its end. */
		x[k] = dx;
		y[k++] = box[1];
		x[k] = box[2];
		y[k++] = dy;
		x[k] = box[2] - (dx - box[0]);
		y[k++] = box[3];
		x[k] = box[0];
		y[k++] = box[3] - (dy - box[1]);
	}
	return k;
}

/* Transform a box along its edges without clipping; -1 when nothing fits. */
static int bbox_edges(struct vn2000_transform *tr, const double in[4],
		      double out[4], int per_edge)
{
	size_t cap = 4 * (size_t)per_edge;
	double *x = malloc(cap * sizeof(double));
	double *y = malloc(cap * sizeof(double));
	double r[4] = { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL };
	size_t n;
	int rc = -1;

	if (!x || !y)
		goto cleanup;
	n = densify_edges(in, per_edge, x, y);
	vn2000_transform_points(tr, x, y, n);
	for (size_t i = 0; i < n; i++) {
		if (x[i] == HUGE_VAL)
			continue;
		r[0] = fmin(r[0], x[i]);
		r[1] = fmin(r[1], y[i]);
		r[2] = fmax(r[2], x[i]);
		r[3] = fmax(r[3], y[i]);
	}
	if (r[0] <= r[2] && r[1] <= r[3]) {
		memcpy(out, r, sizeof(r));
		rc = 0;
	}
cleanup:
	free(x);
	free(y);
	return rc;
}

/* Compute tr->clip, the source CRS's clip region in its own units. */
static void clip_prepare(struct vn2000_transform *tr)
{
	struct vn2000_crs source = { 0 };
	struct vn2000_transform *to_source;

	tr->clip_state = -1;
	if (!tr->region_known)
		return;
	if (tr->from_geographic) {
		memcpy(tr->clip, tr->region, sizeof(tr->region));
		tr->clip_state = 1;
		return;
	}

	/* The key fields are enough: vn2000_transform_get copies them. */
	source.id = tr->from_id;
	source.proj_def = tr->from_def;
	source.datum = tr->from_datum;
	source.name_en = source.name_vi = tr->from_id;
	to_source = vn2000_transform_get(crs84(), &source);
	if (to_source && bbox_edges(to_source, tr->region, tr->clip, 101) == 0)
		tr->clip_state = 1;
}

int vn2000_transform_bbox(struct vn2000_transform *tr, const double in[4],
			  double out[4], int densify)
{
	double box[4];

	if (!tr || !in || !out)
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isfinite(in[i]))
			return -1;
	if (in[0] > in[2] || in[1] > in[3])
		return -1;
	memcpy(box, in, sizeof(box));

	if (tr->clip_state == 0)
		clip_prepare(tr);
	if (tr->clip_state == 1) {
		box[0] = fmax(box[0], tr->clip[0]);
		box[1] = fmax(box[1], tr->clip[1]);
		box[2] = fmin(box[2], tr->clip[2]);
		box[3] = fmin(box[3], tr->clip[3]);
		if (box[0] > box[2] || box[1] > box[3])
			return -1;
	}
	if (densify < 2)
		densify = 2;
	if (densify > DENSIFY_MAX)
		densify = DENSIFY_MAX;
	return bbox_edges(tr, box, out, densify);
}
