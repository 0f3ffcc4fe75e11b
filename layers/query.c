/*
 * Queries on a snapshot: a CRS84 box, equality conditions on exposed
 * attributes, filters (CQL2, datetime), and a page of the matches in fid
 * order or sorted by attributes with the fid breaking ties.
 *
 * The box test runs in two steps: the spatial index finds features whose
 * box meets the query box, then lines and polygons whose box crosses the
 * edge of the query box are tested exactly with GEOS.
 */
#define _GNU_SOURCE /* qsort_r */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers_internal.h"

/* A condition with its value parsed for the attribute's type. */
struct query_cond {
	size_t attr;
	enum attr_type type;
	int64_t i;
	double d;
	const char *s;
};

/* The query box, split in two when it crosses the antimeridian. */
struct query_boxes {
	double box[2][4];
	int n;
	GEOSContextHandle_t h;
	GEOSGeometry *geom[2];
	const GEOSPreparedGeometry *prepared[2];
};

static bool parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

static bool parse_real(const char *s, double *out)
{
	char *end;
	double v;

	/* Decimal notation only: strtod would also take "0x1A" and "inf". */
	if (*s == '\0' || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static int cond_parse(const struct layer_snapshot *snap,
		      const struct layer_query *q, size_t k,
		      struct query_cond *c, char *error, size_t error_size)
{
	const struct layer_condition *in = &q->conditions[k];
	int attr = layer_attr_find(snap, in->name);

	/* A hidden attribute reads exactly like a missing one. */
	if (attr < 0 || !layer_attr_visible(snap, (size_t)attr, q->role)) {
		snprintf(error, error_size, "không có thuộc tính '%s' để lọc "
			 "/ '%s' is not a queryable attribute", in->name,
			 in->name);
		return -1;
	}
	c->attr = (size_t)attr;
	c->type = snap->attrs[attr].type;
	c->s = in->value;
	if (c->type == ATTR_INTEGER && !parse_int64(in->value, &c->i)) {
		snprintf(error, error_size, "giá trị '%s' của '%s' không phải "
			 "số nguyên / value '%s' of '%s' is not an integer",
			 in->value, in->name, in->value, in->name);
		return -1;
	}
	if (c->type == ATTR_REAL && !parse_real(in->value, &c->d)) {
		snprintf(error, error_size, "giá trị '%s' của '%s' không phải "
			 "số / value '%s' of '%s' is not a number",
			 in->value, in->name, in->value, in->name);
		return -1;
	}
	return 0;
}

static bool cond_match(const struct query_cond *c, size_t n,
		       const struct feature *f)
{
	for (size_t k = 0; k < n; k++) {
		const struct value *v = &f->values[c[k].attr];
		if (v->is_null)
			return false;
		switch (c[k].type) {
		case ATTR_INTEGER:
			if (v->u.i != c[k].i)
				return false;
			break;
		case ATTR_REAL:
			if (v->u.d != c[k].d)
				return false;
			break;
		default:
			if (strcmp(v->u.s, c[k].s) != 0)
				return false;
		}
	}
	return true;
}

static int boxes_init(struct query_boxes *b, const double *bbox,
		      char *error, size_t error_size)
{
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < 4; i++) {
		if (!isfinite(bbox[i])) {
			snprintf(error, error_size, "bbox không hợp lệ / "
				 "invalid bbox");
			return -1;
		}
	}
	if (bbox[1] > bbox[3]) {
		snprintf(error, error_size, "bbox: nam %.7g > bắc %.7g / "
			 "bbox: south %.7g > north %.7g", bbox[1], bbox[3],
			 bbox[1], bbox[3]);
		return -1;
	}
	memcpy(b->box[0], bbox, sizeof(b->box[0]));
	b->n = 1;
	if (bbox[0] > bbox[2]) {
		/* West greater than east: the box crosses 180°. */
		b->box[0][2] = 180.0;
		memcpy(b->box[1], bbox, sizeof(b->box[1]));
		b->box[1][0] = -180.0;
		b->n = 2;
	}
	return 0;
}

static void boxes_clear(struct query_boxes *b)
{
	for (int i = 0; i < b->n; i++) {
		if (b->prepared[i] != NULL)
			GEOSPreparedGeom_destroy_r(b->h, b->prepared[i]);
		if (b->geom[i] != NULL)
			GEOSGeom_destroy_r(b->h, b->geom[i]);
	}
}

/* Exact test of a line or polygon against box i, with GEOS. */
static bool boxes_geos_hit(struct query_boxes *b, int i,
			   const struct feature *f)
{
	GEOSGeometry *g;
	char hit;

	if (b->h == NULL)
		b->h = layer_geos_thread_handle();
	if (b->h == NULL)
		return true;
	if (b->prepared[i] == NULL) {
		const double *x = b->box[i];
		b->geom[i] = GEOSGeom_createRectangle_r(b->h, x[0], x[1], x[2],
							x[3]);
		if (b->geom[i] != NULL)
			b->prepared[i] = GEOSPrepare_r(b->h, b->geom[i]);
		if (b->prepared[i] == NULL)
			return true;
	}
	g = geom_to_geos(b->h, &f->lonlat);
	if (g == NULL)
		return true;
	hit = GEOSPreparedIntersects_r(b->h, b->prepared[i], g);
	GEOSGeom_destroy_r(b->h, g);
	/* A GEOS failure (2) keeps the feature, as its box matched. */
	return hit != 0;
}

static bool point_in_box(const double *xy, const double box[4])
{
	return box[0] <= xy[0] && xy[0] <= box[2] && box[1] <= xy[1] &&
	       xy[1] <= box[3];
}

static bool boxes_hit(struct query_boxes *b, const struct feature *f)
{
	const struct geom *g = &f->lonlat;

	for (int i = 0; i < b->n; i++) {
		if (!geom_box_intersects(b->box[i], f->bbox))
			continue;
		if (geom_box_contains(b->box[i], f->bbox))
			return true;
		if (g->type == GEOM_POINT) {
			for (uint32_t p = 0; p < g->n_points; p++)
				if (point_in_box(g->xy + 2 * p, b->box[i]))
					return true;
			continue;
		}
		if (boxes_geos_hit(b, i, f))
			return true;
	}
	return false;
}

struct candidates {
	size_t *ids;
	size_t n;
	size_t cap;
};

static int candidates_add(size_t id, void *arg)
{
	struct candidates *c = arg;

	if (c->n < c->cap)
		c->ids[c->n++] = id;
	return 0;
}

static int size_compare(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Features whose box meets the query box, in fid order, no repeats. */
static int candidates_find(const struct layer_snapshot *snap,
			   const struct query_boxes *b, struct candidates *c)
{
	size_t unique = 0;

	c->cap = 2 * snap->n_features + 1;
	c->ids = malloc(c->cap * sizeof(*c->ids));
	if (c->ids == NULL)
		return -1;
	for (int i = 0; i < b->n; i++)
		layer_index_search(snap->index, b->box[i], candidates_add, c);
	qsort(c->ids, c->n, sizeof(*c->ids), size_compare);
	for (size_t i = 0; i < c->n; i++)
		if (unique == 0 || c->ids[i] != c->ids[unique - 1])
			c->ids[unique++] = c->ids[i];
	c->n = unique;
	return 0;
}

static bool filters_match(const struct layer_query *q, const struct feature *f)
{
	for (size_t k = 0; k < q->n_filters; k++)
		if (!layer_filter_match(q->filters[k], f))
			return false;
	return true;
}

/* Walk the candidates (or every feature) and fill the page; with sort
   keys, collect every match in `sorted` instead. */
static void query_scan(const struct layer_snapshot *snap,
		       const struct layer_query *q, struct query_boxes *b,
		       const struct candidates *c,
		       const struct query_cond *conds,
		       struct layer_result *result, size_t page_cap,
		       size_t *sorted)
{
	size_t n = c != NULL ? c->n : snap->n_features;

	for (size_t k = 0; k < n; k++) {
		size_t i = c != NULL ? c->ids[k] : k;
		const struct feature *f = &snap->features[i];
		if (b != NULL && !boxes_hit(b, f))
			continue;
		if (!cond_match(conds, q->n_conditions, f))
			continue;
		if (!filters_match(q, f))
			continue;
		if (sorted != NULL)
			sorted[result->matched] = i;
		else if (result->matched >= q->offset &&
			 result->count < page_cap)
			result->features[result->count++] = f;
		result->matched++;
	}
}

struct sort_ctx {
	const struct layer_snapshot *snap;
	const struct layer_query *q;
};

/* Order of two values of one attribute; nulls come last. */
static int value_compare(enum attr_type type, const struct value *a,
			 const struct value *b)
{
	if (a->is_null || b->is_null)
		return (int)a->is_null - (int)b->is_null;
	switch (type) {
	case ATTR_INTEGER:
		return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	case ATTR_REAL:
		return a->u.d < b->u.d ? -1 : a->u.d > b->u.d;
	default:
		return strcmp(a->u.s, b->u.s);
	}
}

static int sort_compare(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct feature *fa = &ctx->snap->features[*(const size_t *)x];
	const struct feature *fb = &ctx->snap->features[*(const size_t *)y];

	for (size_t k = 0; k < ctx->q->n_sort; k++) {
		const struct layer_sort_key *key = &ctx->q->sort[k];
		const struct value *a = &fa->values[key->attr];
		const struct value *b = &fb->values[key->attr];
		int c = value_compare(ctx->snap->attrs[key->attr].type, a, b);

		/* Nulls stay last in both directions. */
		if (c != 0 && key->descending && !a->is_null && !b->is_null)
			c = -c;
		if (c != 0)
			return c;
	}
	/* The fid breaks ties, so the order is total and pages stable. */
	return fa->fid < fb->fid ? -1 : fa->fid > fb->fid;
}

static void sort_page(const struct layer_snapshot *snap,
		      const struct layer_query *q, size_t *sorted,
		      struct layer_result *result, size_t page_cap)
{
	struct sort_ctx ctx = {snap, q};

	qsort_r(sorted, result->matched, sizeof(*sorted), sort_compare, &ctx);
	for (size_t k = q->offset; k < result->matched &&
	     result->count < page_cap; k++)
		result->features[result->count++] = &snap->features[sorted[k]];
}

/* Candidates of the bbox, or of the filters' envelope. */
static int query_candidates(const struct layer_snapshot *snap,
			    const struct layer_query *query,
			    struct query_boxes *boxes, struct candidates *cand,
			    bool *use_boxes, bool *use_cand,
			    char *error, size_t error_size)
{
	double env[4];

	*use_boxes = false;
	*use_cand = false;
	if (query->bbox != NULL) {
		if (boxes_init(boxes, query->bbox, error, error_size) != 0)
			return -1;
		*use_boxes = true;
	} else {
		for (size_t k = 0; k < query->n_filters; k++) {
			if (!layer_filter_envelope(query->filters[k], env))
				continue;
			if (!(env[0] <= env[2] && env[1] <= env[3])) {
				/* Disjoint spatial terms: nothing matches. */
				env[0] = env[2] = 1000.0;
				env[1] = env[3] = 1000.0;
			}
			boxes->box[0][0] = env[0];
			boxes->box[0][1] = env[1];
			boxes->box[0][2] = env[2];
			boxes->box[0][3] = env[3];
			boxes->n = 1;
			break;
		}
	}
	if (boxes->n == 0)
		return 0;
	if (candidates_find(snap, boxes, cand) != 0) {
		snprintf(error, error_size, "hết bộ nhớ / out of memory");
		return -1;
	}
	*use_cand = true;
	return 0;
}

int layer_query_run(const struct layer_snapshot *snap,
		    const struct layer_query *query,
		    struct layer_result *result,
		    char *error, size_t error_size)
{
	struct query_cond *conds = NULL;
	struct query_boxes boxes;
	struct candidates cand = { 0 };
	size_t page_cap = query->limit < snap->n_features ? query->limit
							 : snap->n_features;
	size_t *sorted = NULL;
	bool use_boxes, use_cand;
	int rc = -1;

	memset(result, 0, sizeof(*result));
	memset(&boxes, 0, sizeof(boxes));
	conds = calloc(query->n_conditions + 1, sizeof(*conds));
	result->features = calloc(page_cap + 1, sizeof(*result->features));
	if (query->n_sort > 0)
		sorted = malloc((snap->n_features + 1) * sizeof(*sorted));
	if (conds == NULL || result->features == NULL ||
	    (query->n_sort > 0 && sorted == NULL)) {
		snprintf(error, error_size, "hết bộ nhớ / out of memory");
		goto cleanup;
	}
	for (size_t k = 0; k < query->n_conditions; k++)
		if (cond_parse(snap, query, k, &conds[k], error,
			       error_size) != 0)
			goto cleanup;
	if (query_candidates(snap, query, &boxes, &cand, &use_boxes,
			     &use_cand, error, error_size) != 0)
		goto cleanup;
	query_scan(snap, query, use_boxes ? &boxes : NULL,
		   use_cand ? &cand : NULL, conds, result, page_cap, sorted);
	if (sorted != NULL)
		sort_page(snap, query, sorted, result, page_cap);
	rc = 0;
cleanup:
	boxes_clear(&boxes);
	free(cand.ids);
	free(conds);
	free(sorted);
	if (rc != 0)
		layer_result_clear(result);
	return rc;
}

void layer_result_clear(struct layer_result *result)
{
	if (result == NULL)
		return;
	free(result->features);
	memset(result, 0, sizeof(*result));
}
