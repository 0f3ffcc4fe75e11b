/*
 * Filters: node builders with their type checks, geometry literals moved to
 * CRS84, time values, and the evaluation of the tree on one feature.
 *
 * Comparisons follow SQL: a null attribute value never satisfies a
 * comparison, LIKE, IN or BETWEEN (NOT of such a test is true).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "layers/filter_internal.h"

/* Longest edge of a filter geometry before it is transformed: 100 m in a
   projected CRS, about as much in degrees. */
#define DENSIFY_METRES 100.0
#define DENSIFY_DEGREES 0.001

int filter_fail(struct filter_build *b, const char *fmt_vi,
		const char *fmt_en, ...)
{
	va_list ap;
	char vi[512], en[512];

	va_start(ap, fmt_en);
	vsnprintf(vi, sizeof(vi), fmt_vi, ap);
	va_end(ap);
	va_start(ap, fmt_en);
	vsnprintf(en, sizeof(en), fmt_en, ap);
	va_end(ap);
	if (b->error != NULL && b->error_size > 0 && b->error[0] == '\0')
		snprintf(b->error, b->error_size, "%s / %s", vi, en);
	return -1;
}

int filter_fail_text(struct filter_build *b, const char *vi, const char *en)
{
	if (b->error != NULL && b->error_size > 0 && b->error[0] == '\0')
		snprintf(b->error, b->error_size, "%s / %s", vi, en);
	return -1;
}

int filter_property(struct filter_build *b, const char *name,
		    struct operand *out)
{
	int attr;

	memset(out, 0, sizeof(*out));
	if (strcmp(name, LAYER_FILTER_GEOMETRY) == 0) {
		out->kind = OPD_GEOMETRY_PROPERTY;
		return 0;
	}
	attr = layer_attr_find(b->snap, name);
	/* A hidden attribute reads exactly like a missing one. */
	if (attr < 0 || !layer_attr_visible(b->snap, (size_t)attr, b->role))
		return filter_fail(b, "không có thuộc tính '%.64s' để lọc",
				   "'%.64s' is not a queryable property", name);
	out->kind = OPD_PROPERTY;
	out->attr = (size_t)attr;
	return 0;
}

static int two_digits(const char *p, int *out)
{
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
		return -1;
	*out = (p[0] - '0') * 10 + (p[1] - '0');
	return 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
				   31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* Time part "HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" after the 'T'. */
static int time_part(const char *p, double *seconds, double *offset)
{
	int hh, mm, ss, oh, om;
	double frac = 0.0;

	if (two_digits(p, &hh) != 0 || p[2] != ':' ||
	    two_digits(p + 3, &mm) != 0 || p[5] != ':' ||
	    two_digits(p + 6, &ss) != 0 || hh > 23 || mm > 59 || ss > 60)
		return -1;
	p += 8;
	if (*p == '.') {
		double scale = 0.1;

		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	*seconds = hh * 3600.0 + mm * 60.0 + ss + frac;
	*offset = 0.0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return 0;
	if ((*p == '+' || *p == '-') && two_digits(p + 1, &oh) == 0 &&
	    p[3] == ':' && two_digits(p + 4, &om) == 0 && p[6] == '\0' &&
	    oh < 24 && om < 60) {
		*offset = (*p == '-' ? -1 : 1) * (oh * 3600.0 + om * 60.0);
		return 0;
	}
	/* NOTE: a date-time without a zone is read as UTC. */
	return *p == '\0' ? 0 : -1;
}

int filter_time_parse(const char *text, bool want_date, double *out)
{
	int year = 0, month, day;
	struct tm tm = {0};
	double seconds = 0.0, offset = 0.0;

	for (int i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)text[i]))
			return -1;
		year = year * 10 + (text[i] - '0');
	}
	if (text[4] != '-' || two_digits(text + 5, &month) != 0 ||
	    text[7] != '-' || two_digits(text + 8, &day) != 0 ||
	    month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month))
		return -1;
	if (want_date && text[10] != '\0')
		return -1;
	if (text[10] != '\0' &&
	    ((text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
	     time_part(text + 11, &seconds, &offset) != 0))
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	*out = (double)timegm(&tm) + seconds - offset;
	return 0;
}

/* Move a geometry from the filter CRS to CRS84 (x/y order). */
struct xy_state {
	struct vn2000_transform *tr;
	bool swap;
	bool failed;
};

static int transform_xy(double *x, double *y, void *arg)
{
	struct xy_state *st = arg;
	double p[2] = {*x, *y};

	if (st->swap) {
		p[0] = *y;
		p[1] = *x;
	}
	if (st->tr != NULL && (vn2000_transform_xy(st->tr, p, 1) != 0 ||
			       !isfinite(p[0]) || !isfinite(p[1]))) {
		st->failed = true;
		return 0;
	}
	*x = p[0];
	*y = p[1];
	return 1;
}

static int geometry_to_crs84(struct filter_build *b, GEOSGeometry *g,
			     struct operand *out)
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	struct xy_state st = {0};
	GEOSGeometry *dense = g, *moved;

	memset(out, 0, sizeof(*out));
	if (b->crs != NULL && b->crs != crs84) {
		st.swap = b->crs->lat_first;
		st.tr = vn2000_transform_get(b->crs, crs84);
		if (st.tr == NULL) {
			GEOSGeom_destroy_r(b->h, g);
			return filter_fail(b, "không chuyển được hình học từ %s",
					   "cannot transform the geometry "
					   "from %s", b->crs->id);
		}
		/* Straight edges of a projected polygon are curves in
		   degrees: add points before moving them. */
		dense = GEOSDensify_r(b->h, g, b->crs->geographic ?
				      DENSIFY_DEGREES : DENSIFY_METRES);
		GEOSGeom_destroy_r(b->h, g);
		if (dense == NULL)
			return filter_fail(b, "hình học không hợp lệ",
					   "invalid geometry");
	}
	moved = GEOSGeom_transformXY_r(b->h, dense, transform_xy, &st);
	GEOSGeom_destroy_r(b->h, dense);
	if (moved == NULL || st.failed) {
		GEOSGeom_destroy_r(b->h, moved);
		return filter_fail(b, "hình học nằm ngoài vùng của hệ tọa độ %s",
				   "the geometry lies outside the area of %s",
				   b->crs != NULL ? b->crs->id : "CRS84");
	}
	if (GEOSisValid_r(b->h, moved) != 1) {
		GEOSGeom_destroy_r(b->h, moved);
		return filter_fail(b, "hình học không hợp lệ (tự cắt hoặc "
				   "vòng hở)", "invalid geometry (self-"
				   "intersection or open ring)");
	}
	out->kind = OPD_GEOMETRY;
	out->geom = moved;
	return 0;
}

int filter_geometry_wkt(struct filter_build *b, const char *wkt,
			struct operand *out)
{
	GEOSWKTReader *reader = GEOSWKTReader_create_r(b->h);
	GEOSGeometry *g = NULL;

	if (reader != NULL) {
		g = GEOSWKTReader_read_r(b->h, reader, wkt);
		GEOSWKTReader_destroy_r(b->h, reader);
	}
	if (g == NULL || GEOSisEmpty_r(b->h, g) != 0) {
		GEOSGeom_destroy_r(b->h, g);
		return filter_fail(b, "hình học WKT không hợp lệ: '%.64s'",
				   "invalid WKT geometry: '%.64s'", wkt);
	}
	return geometry_to_crs84(b, g, out);
}

int filter_geometry_geojson(struct filter_build *b, const char *json,
			    struct operand *out)
{
	GEOSGeoJSONReader *reader = GEOSGeoJSONReader_create_r(b->h);
	GEOSGeometry *g = NULL;

	if (reader != NULL) {
		g = GEOSGeoJSONReader_readGeometry_r(b->h, reader, json);
		GEOSGeoJSONReader_destroy_r(b->h, reader);
	}
	if (g == NULL || GEOSisEmpty_r(b->h, g) != 0) {
		GEOSGeom_destroy_r(b->h, g);
		return filter_fail(b, "hình học GeoJSON không hợp lệ",
				   "invalid GeoJSON geometry");
	}
	return geometry_to_crs84(b, g, out);
}

int filter_geometry_bbox(struct filter_build *b, const double *v, size_t n,
			 struct operand *out)
{
	double box[4];
	GEOSGeometry *g;

	memset(out, 0, sizeof(*out));
	if (n != 4 && n != 6)
		return filter_fail(b, "BBOX cần 4 hoặc 6 số",
				   "BBOX needs 4 or 6 numbers");
	box[0] = v[0];
	box[1] = v[1];
	box[2] = v[n == 4 ? 2 : 3];
	box[3] = v[n == 4 ? 3 : 4];
	if (!(box[0] < box[2]) || !(box[1] < box[3]))
		return filter_fail(b, "BBOX cần min < max",
				   "BBOX needs min < max");
	/* In the filter CRS's axis order; geometry_to_crs84 swaps. */
	g = GEOSGeom_createRectangle_r(b->h, box[0], box[1], box[2], box[3]);
	if (g == NULL)
		return filter_fail(b, "BBOX không hợp lệ", "invalid BBOX");
	return geometry_to_crs84(b, g, out);
}

void operand_clear(struct filter_build *b, struct operand *o)
{
	if (o->kind == OPD_LITERAL && o->lit.type == LIT_STRING)
		free(o->lit.s);
	if (o->kind == OPD_GEOMETRY && o->geom != NULL)
		GEOSGeom_destroy_r(b->h, o->geom);
	memset(o, 0, sizeof(*o));
}

struct fnode *filter_node_new(struct filter_build *b, enum node_kind kind)
{
	struct fnode *n;

	if (b->n_nodes >= FILTER_MAX_NODES) {
		filter_fail(b, "bộ lọc quá lớn (tối đa %d nút)",
			    "filter too large (at most %d nodes)",
			    FILTER_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		filter_fail(b, "hết bộ nhớ%s", "out of memory%s", "");
		return NULL;
	}
	b->n_nodes++;
	n->kind = kind;
	return n;
}

void filter_node_free(GEOSContextHandle_t h, struct fnode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n_kids; i++)
		filter_node_free(h, n->kids[i]);
	free(n->kids);
	for (size_t i = 0; i < n->n_lits; i++)
		if (n->lits[i].type == LIT_STRING)
			free(n->lits[i].s);
	free(n->lits);
	if (n->prepared != NULL)
		GEOSPreparedGeom_destroy_r(h, n->prepared);
	if (n->geom != NULL)
		GEOSGeom_destroy_r(h, n->geom);
	free(n);
}

struct fnode *filter_logic(struct filter_build *b, enum node_kind kind,
			   struct fnode **kids, size_t n)
{
	struct fnode *node = filter_node_new(b, kind);

	if (node == NULL)
		goto fail;
	node->kids = calloc(n > 0 ? n : 1, sizeof(*node->kids));
	if (node->kids == NULL)
		goto fail;
	memcpy(node->kids, kids, n * sizeof(*kids));
	node->n_kids = n;
	return node;
fail:
	for (size_t i = 0; i < n; i++)
		filter_node_free(b->h, kids[i]);
	free(node);
	return NULL;
}

struct fnode *filter_not(struct filter_build *b, struct fnode *kid)
{
	return filter_logic(b, NODE_NOT, &kid, 1);
}

static const char *attr_name(struct filter_build *b, size_t attr)
{
	return b->snap->attrs[attr].name;
}

/* Check that a literal fits the attribute; a string may stand for a date
   on date attributes. Returns 0 or -1. */
static int lit_fit(struct filter_build *b, size_t attr, struct lit *lit)
{
	enum attr_type type = b->snap->attrs[attr].type;
	bool time = type == ATTR_DATE || type == ATTR_DATETIME;
	double t;

	if ((type == ATTR_INTEGER || type == ATTR_REAL) &&
	    lit->type == LIT_NUMBER)
		return 0;
	if (type == ATTR_STRING && lit->type == LIT_STRING)
		return 0;
	if (time && lit->type == LIT_TIME)
		return 0;
	if (time && lit->type == LIT_STRING &&
	    filter_time_parse(lit->s, false, &t) == 0) {
		lit->is_date = strlen(lit->s) == 10;
		free(lit->s);
		lit->s = NULL;
		lit->type = LIT_TIME;
		lit->d = t;
		return 0;
	}
	return filter_fail(b, "giá trị không hợp kiểu với thuộc tính '%s'",
			   "value does not match the type of '%s'",
			   attr_name(b, attr));
}

/* Take the literal out of an operand. */
static struct lit lit_take(struct operand *o)
{
	struct lit lit = o->lit;

	memset(o, 0, sizeof(*o));
	return lit;
}

static enum cmp_op cmp_flip(enum cmp_op op)
{
	switch (op) {
	case CMP_LT:
		return CMP_GT;
	case CMP_LE:
		return CMP_GE;
	case CMP_GT:
		return CMP_LT;
	case CMP_GE:
		return CMP_LE;
	default:
		return op;
	}
}

static int need_property(struct filter_build *b, const struct operand *o,
			 const char *what)
{
	if (o->kind == OPD_PROPERTY)
		return 0;
	return filter_fail(b, "%s cần một thuộc tính ở vế trái",
			   "%s needs a property on its left", what);
}

static int need_literal(struct filter_build *b, const struct operand *o,
			const char *what)
{
	if (o->kind == OPD_LITERAL)
		return 0;
	return filter_fail(b, "%s cần một giá trị (không phải thuộc tính "
			   "hay hình học)", "%s needs a literal value (not a "
			   "property or a geometry)", what);
}

static struct fnode *const_node(struct filter_build *b, bool value)
{
	struct fnode *n = filter_node_new(b, NODE_CONST);

	if (n != NULL)
		n->value = value;
	return n;
}

static bool lit_equal(const struct lit *a, const struct lit *c);
static int lit_order(const struct lit *a, const struct lit *c);

struct fnode *filter_compare(struct filter_build *b, enum cmp_op op,
			     struct operand *left, struct operand *right)
{
	struct fnode *n = NULL;

	if (left->kind == OPD_LITERAL && right->kind == OPD_PROPERTY) {
		struct operand t = *left;

		*left = *right;
		*right = t;
		op = cmp_flip(op);
	}
	if (left->kind == OPD_LITERAL && right->kind == OPD_LITERAL &&
	    left->lit.type == right->lit.type) {
		/* Two literals: decide now. */
		int order = lit_order(&left->lit, &right->lit);
		bool eq = lit_equal(&left->lit, &right->lit);
		bool v = op == CMP_EQ ? eq : op == CMP_NE ? !eq :
			 op == CMP_LT ? order < 0 : op == CMP_LE ? order <= 0 :
			 op == CMP_GT ? order > 0 : order >= 0;

		n = const_node(b, v);
		goto done;
	}
	if (need_property(b, left, "phép so sánh / comparison") != 0 ||
	    need_literal(b, right, "phép so sánh / comparison") != 0 ||
	    lit_fit(b, left->attr, &right->lit) != 0)
		goto done;
	n = filter_node_new(b, NODE_CMP);
	if (n == NULL)
		goto done;
	n->lits = calloc(1, sizeof(*n->lits));
	if (n->lits == NULL) {
		filter_node_free(b->h, n);
		n = NULL;
		goto done;
	}
	n->attr = left->attr;
	n->op = op;
	n->lits[0] = lit_take(right);
	n->n_lits = 1;
done:
	operand_clear(b, left);
	operand_clear(b, right);
	return n;
}

struct fnode *filter_like(struct filter_build *b, struct operand *left,
			  struct operand *pattern)
{
	struct fnode *n = NULL;

	if (need_property(b, left, "LIKE") != 0 ||
	    need_literal(b, pattern, "LIKE") != 0)
		goto done;
	if (b->snap->attrs[left->attr].type != ATTR_STRING ||
	    pattern->lit.type != LIT_STRING) {
		filter_fail(b, "LIKE chỉ dùng cho thuộc tính chuỗi ('%s')",
			    "LIKE applies to string properties only ('%s')",
			    attr_name(b, left->attr));
		goto done;
	}
	n = filter_node_new(b, NODE_LIKE);
	if (n == NULL || (n->lits = calloc(1, sizeof(*n->lits))) == NULL) {
		filter_node_free(b->h, n);
		n = NULL;
		goto done;
	}
	n->attr = left->attr;
	n->lits[0] = lit_take(pattern);
	n->n_lits = 1;
done:
	operand_clear(b, left);
	operand_clear(b, pattern);
	return n;
}

struct fnode *filter_in(struct filter_build *b, struct operand *left,
			struct operand *list, size_t n_list)
{
	struct fnode *n = NULL;
	size_t i;

	if (need_property(b, left, "IN") != 0)
		goto done;
	for (i = 0; i < n_list; i++)
		if (need_literal(b, &list[i], "IN") != 0 ||
		    lit_fit(b, left->attr, &list[i].lit) != 0)
			goto done;
	n = filter_node_new(b, NODE_IN);
	if (n == NULL || (n->lits = calloc(n_list + 1,
					   sizeof(*n->lits))) == NULL) {
		filter_node_free(b->h, n);
		n = NULL;
		goto done;
	}
	n->attr = left->attr;
	for (i = 0; i < n_list; i++)
		n->lits[i] = lit_take(&list[i]);
	n->n_lits = n_list;
done:
	operand_clear(b, left);
	for (i = 0; i < n_list; i++)
		operand_clear(b, &list[i]);
	return n;
}

struct fnode *filter_between(struct filter_build *b, struct operand *value,
			     struct operand *low, struct operand *high)
{
	struct fnode *n = NULL;

	if (need_property(b, value, "BETWEEN") != 0 ||
	    need_literal(b, low, "BETWEEN") != 0 ||
	    need_literal(b, high, "BETWEEN") != 0 ||
	    lit_fit(b, value->attr, &low->lit) != 0 ||
	    lit_fit(b, value->attr, &high->lit) != 0)
		goto done;
	if (b->snap->attrs[value->attr].type == ATTR_STRING) {
		filter_fail(b, "BETWEEN cần thuộc tính số hoặc ngày ('%s')",
			    "BETWEEN needs a numeric or date property ('%s')",
			    attr_name(b, value->attr));
		goto done;
	}
	n = filter_node_new(b, NODE_BETWEEN);
	if (n == NULL || (n->lits = calloc(2, sizeof(*n->lits))) == NULL) {
		filter_node_free(b->h, n);
		n = NULL;
		goto done;
	}
	n->attr = value->attr;
	n->lits[0] = lit_take(low);
	n->lits[1] = lit_take(high);
	n->n_lits = 2;
done:
	operand_clear(b, value);
	operand_clear(b, low);
	operand_clear(b, high);
	return n;
}

struct fnode *filter_isnull(struct filter_build *b, struct operand *value)
{
	struct fnode *n = NULL;

	if (value->kind == OPD_GEOMETRY_PROPERTY) {
		/* Records without geometry. */
		n = filter_node_new(b, NODE_ISNULL);
		if (n != NULL)
			n->attr = SIZE_MAX;
	} else if (need_property(b, value, "IS NULL") == 0) {
		n = filter_node_new(b, NODE_ISNULL);
		if (n != NULL)
			n->attr = value->attr;
	}
	operand_clear(b, value);
	return n;
}

static const struct {
	const char *name;
	enum spatial_op op;
	enum spatial_op reversed;   /* when the geometry is on the left */
} spatial_ops[] = {
	{"S_INTERSECTS", SP_INTERSECTS, SP_INTERSECTS},
	{"S_DISJOINT", SP_DISJOINT, SP_DISJOINT},
	{"S_WITHIN", SP_WITHIN, SP_CONTAINS},
	{"S_CONTAINS", SP_CONTAINS, SP_WITHIN},
	{"S_EQUALS", SP_EQUALS, SP_EQUALS},
	{"S_TOUCHES", SP_TOUCHES, SP_TOUCHES},
	{"S_CROSSES", SP_CROSSES, SP_CROSSES},
	{"S_OVERLAPS", SP_OVERLAPS, SP_OVERLAPS},
};

bool filter_spatial_name(const char *name)
{
	for (size_t i = 0; i < sizeof(spatial_ops) / sizeof(*spatial_ops); i++)
		if (strcasecmp(name, spatial_ops[i].name) == 0)
			return true;
	return false;
}

struct fnode *filter_spatial(struct filter_build *b, const char *name,
			     struct operand *left, struct operand *right)
{
	struct fnode *n = NULL;
	struct operand *geom = right;
	size_t k = 0;
	bool reversed = false;

	while (strcasecmp(name, spatial_ops[k].name) != 0)
		k++;
	if (left->kind == OPD_GEOMETRY && right->kind == OPD_GEOMETRY_PROPERTY) {
		geom = left;
		reversed = true;
	} else if (left->kind != OPD_GEOMETRY_PROPERTY ||
		   right->kind != OPD_GEOMETRY) {
		filter_fail(b, "%s cần thuộc tính '%s' và một hình học",
			    "%s needs the property '%s' and a geometry",
			    spatial_ops[k].name, LAYER_FILTER_GEOMETRY);
		goto done;
	}
	n = filter_node_new(b, NODE_SPATIAL);
	if (n == NULL)
		goto done;
	n->sop = reversed ? spatial_ops[k].reversed : spatial_ops[k].op;
	n->geom = geom->geom;
	geom->geom = NULL;
	geom->kind = OPD_LITERAL;
	n->prepared = GEOSPrepare_r(b->h, n->geom);
	if (n->prepared == NULL ||
	    GEOSGeom_getExtent_r(b->h, n->geom, &n->env[0], &n->env[1],
				 &n->env[2], &n->env[3]) != 1) {
		filter_node_free(b->h, n);
		n = NULL;
		filter_fail(b, "hình học không dùng được",
			    "the geometry cannot be used");
	}
done:
	operand_clear(b, left);
	operand_clear(b, right);
	return n;
}

/* --- evaluation --- */

static bool lit_equal(const struct lit *a, const struct lit *c)
{
	switch (a->type) {
	case LIT_NUMBER:
		return a->d == c->d;
	case LIT_STRING:
		return strcmp(a->s, c->s) == 0;
	case LIT_TIME:
		return a->d == c->d;
	case LIT_BOOL:
		return a->b == c->b;
	}
	return false;
}

static int lit_order(const struct lit *a, const struct lit *c)
{
	switch (a->type) {
	case LIT_STRING:
		return strcmp(a->s, c->s);
	case LIT_BOOL:
		return (int)a->b - (int)c->b;
	default:
		return a->d < c->d ? -1 : a->d > c->d;
	}
}

/* Compare a value with a literal: <0, 0, >0. Dates of a DATE attribute
   are the start of their day. */
static int value_order(const struct attr_def *def, const struct value *v,
		       const struct lit *lit)
{
	double t;

	switch (def->type) {
	case ATTR_INTEGER:
		if (lit->is_int)
			return v->u.i < lit->i ? -1 : v->u.i > lit->i;
		return (double)v->u.i < lit->d ? -1 : (double)v->u.i > lit->d;
	case ATTR_REAL:
		return v->u.d < lit->d ? -1 : v->u.d > lit->d;
	case ATTR_STRING:
		return strcmp(v->u.s, lit->s);
	case ATTR_DATE:
	case ATTR_DATETIME:
		if (filter_time_parse(v->u.s, false, &t) != 0)
			return 2;   /* unreadable: matches nothing */
		return t < lit->d ? -1 : t > lit->d;
	}
	return 2;
}

static bool cmp_holds(enum cmp_op op, int order)
{
	if (order == 2)
		return false;
	switch (op) {
	case CMP_EQ:
		return order == 0;
	case CMP_NE:
		return order != 0;
	case CMP_LT:
		return order < 0;
	case CMP_LE:
		return order <= 0;
	case CMP_GT:
		return order > 0;
	case CMP_GE:
		return order >= 0;
	}
	return false;
}

/* Length of the UTF-8 character at p (1 for a stray byte). */
static size_t utf8_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 :
		   c >= 0xC0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* CQL2 LIKE: % any run, _ one character, backslash escapes. Iterative
   with one backtrack point, so it stays linear per '%'. */
static bool like_match(const char *s, const char *p)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s != '\0') {
		if (*p == '%') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '_') {
			s += utf8_len(s);
			p++;
			continue;
		}
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (*p != '\0' && *p == *s) {
			p++;
			s++;
			continue;
		}
		if (star_p == NULL)
			return false;
		p = star_p;
		s = star_s + utf8_len(star_s);
		star_s = s;
	}
	while (*p == '%')
		p++;
	return *p == '\0';
}

/* A date covers its whole day; a date-time is an instant. */
static bool time_meets(const struct attr_def *def, const struct value *v,
		       double t0, double t1)
{
	double t;

	if (filter_time_parse(v->u.s, false, &t) != 0)
		return false;
	if (def->type == ATTR_DATE)
		return t <= t1 && t + 86400.0 > t0;
	return t >= t0 && t <= t1;
}

static bool spatial_eval(GEOSContextHandle_t h, const struct fnode *n,
			 const struct feature *f)
{
	GEOSGeometry *g;
	char r = 0;
	bool boxes_meet;

	if (f->lonlat.type == GEOM_NONE || f->lonlat.n_points == 0)
		return n->sop == SP_DISJOINT;
	boxes_meet = geom_box_intersects(n->env, f->bbox);
	if (!boxes_meet)
		return n->sop == SP_DISJOINT;
	g = geom_to_geos(h, &f->lonlat);
	if (g == NULL)
		return false;
	for (int attempt = 0; attempt < 2; attempt++) {
		switch (n->sop) {
		case SP_INTERSECTS:
			r = GEOSPreparedIntersects_r(h, n->prepared, g);
			break;
		case SP_DISJOINT:
			r = GEOSPreparedDisjoint_r(h, n->prepared, g);
			break;
		case SP_WITHIN:       /* feature within geometry */
			r = GEOSPreparedContains_r(h, n->prepared, g);
			break;
		case SP_CONTAINS:     /* feature contains geometry */
			r = GEOSPreparedWithin_r(h, n->prepared, g);
			break;
		case SP_EQUALS:
			r = GEOSEquals_r(h, n->geom, g);
			break;
		case SP_TOUCHES:
			r = GEOSPreparedTouches_r(h, n->prepared, g);
			break;
		case SP_CROSSES:
			r = GEOSPreparedCrosses_r(h, n->prepared, g);
			break;
		case SP_OVERLAPS:
			r = GEOSPreparedOverlaps_r(h, n->prepared, g);
			break;
		}
		if (r != 2 || attempt == 1)
			break;
		/* An invalid source polygon: test its repaired form. */
		GEOSGeometry *valid = GEOSMakeValid_r(h, g);

		if (valid == NULL)
			break;
		GEOSGeom_destroy_r(h, g);
		g = valid;
	}
	GEOSGeom_destroy_r(h, g);
	return r == 1;
}

static bool node_eval(const struct layer_filter *flt, const struct fnode *n,
		      const struct feature *f)
{
	const struct value *v = NULL;
	const struct attr_def *def = NULL;

	switch (n->kind) {
	case NODE_AND:
		for (size_t i = 0; i < n->n_kids; i++)
			if (!node_eval(flt, n->kids[i], f))
				return false;
		return true;
	case NODE_OR:
		for (size_t i = 0; i < n->n_kids; i++)
			if (node_eval(flt, n->kids[i], f))
				return true;
		return false;
	case NODE_NOT:
		return !node_eval(flt, n->kids[0], f);
	case NODE_CONST:
		return n->value;
	case NODE_SPATIAL:
		return spatial_eval(flt->h, n, f);
	case NODE_ISNULL:
		if (n->attr == SIZE_MAX)
			return f->lonlat.type == GEOM_NONE;
		return f->values[n->attr].is_null;
	default:
		break;
	}
	v = &f->values[n->attr];
	def = &flt->attrs[n->attr];
	if (v->is_null)
		return false;
	switch (n->kind) {
	case NODE_CMP:
		return cmp_holds(n->op, value_order(def, v, &n->lits[0]));
	case NODE_LIKE:
		return like_match(v->u.s, n->lits[0].s);
	case NODE_IN:
		for (size_t i = 0; i < n->n_lits; i++)
			if (value_order(def, v, &n->lits[i]) == 0)
				return true;
		return false;
	case NODE_BETWEEN: {
		int lo = value_order(def, v, &n->lits[0]);
		int hi = value_order(def, v, &n->lits[1]);

		return lo != 2 && hi != 2 && lo >= 0 && hi <= 0;
	}
	case NODE_TIME:
		return time_meets(def, v, n->t0, n->t1);
	default:
		return false;
	}
}

bool layer_filter_match(const struct layer_filter *filter,
			const struct feature *f)
{
	if (filter == NULL || filter->root == NULL)
		return true;
	return node_eval(filter, filter->root, f);
}

static bool node_envelope(const struct fnode *n, double box[4], bool *set)
{
	if (n->kind == NODE_SPATIAL && n->sop != SP_DISJOINT) {
		if (!*set) {
			memcpy(box, n->env, 4 * sizeof(double));
			*set = true;
		} else {
			box[0] = fmax(box[0], n->env[0]);
			box[1] = fmax(box[1], n->env[1]);
			box[2] = fmin(box[2], n->env[2]);
			box[3] = fmin(box[3], n->env[3]);
		}
		return true;
	}
	if (n->kind == NODE_AND) {
		bool any = false;

		for (size_t i = 0; i < n->n_kids; i++)
			any = node_envelope(n->kids[i], box, set) || any;
		return any;
	}
	return false;
}

bool layer_filter_envelope(const struct layer_filter *filter, double box[4])
{
	bool set = false;

	if (filter == NULL || filter->root == NULL)
		return false;
	return node_envelope(filter->root, box, &set) && set;
}

void layer_filter_free(struct layer_filter *filter)
{
	if (filter == NULL)
		return;
	filter_node_free(filter->h, filter->root);
	free(filter);
}

int layer_filter_parse(const struct layer_snapshot *snap,
		       enum layer_filter_lang lang, const char *text,
		       const struct vn2000_crs *filter_crs, enum cfg_role role,
		       struct layer_filter **out, char *error,
		       size_t error_size)
{
	struct filter_build b = {
		.snap = snap, .role = role, .crs = filter_crs,
		.error = error, .error_size = error_size,
	};
	struct layer_filter *flt;
	struct fnode *root;

	*out = NULL;
	if (error_size > 0)
		error[0] = '\0';
	b.h = layer_geos_thread_handle();
	if (b.h == NULL)
		return filter_fail(&b, "hết bộ nhớ%s", "out of memory%s", "");
	if (strlen(text) > FILTER_MAX_TEXT)
		return filter_fail(&b, "bộ lọc dài quá %u byte",
				   "filter longer than %u bytes",
				   FILTER_MAX_TEXT);
	root = lang == LAYER_FILTER_CQL2_JSON ? filter_json_parse(&b, text)
					      : filter_text_parse(&b, text);
	if (root == NULL)
		return -1;
	flt = calloc(1, sizeof(*flt));
	if (flt == NULL) {
		filter_node_free(b.h, root);
		return filter_fail(&b, "hết bộ nhớ%s", "out of memory%s", "");
	}
	flt->root = root;
	flt->h = b.h;
	flt->attrs = snap->attrs;
	flt->n_nodes = b.n_nodes;
	*out = flt;
	return 0;
}

/* One end of a datetime interval; "" and ".." are open. */
static int datetime_end(const char *text, size_t n, bool upper, double *out)
{
	char buf[64];
	bool date;

	if (n == 0 || (n == 2 && memcmp(text, "..", 2) == 0)) {
		*out = upper ? HUGE_VAL : -HUGE_VAL;
		return 0;
	}
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (filter_time_parse(buf, false, out) != 0)
		return -1;
	date = n == 10;
	/* The upper end of a date is the last instant of that day. */
	if (upper && date)
		*out += 86400.0 - 1e-6;
	return 0;
}

int layer_filter_datetime(const struct layer_snapshot *snap,
			  const char *text, struct layer_filter **out,
			  char *error, size_t error_size)
{
	struct filter_build b = {
		.snap = snap, .error = error, .error_size = error_size,
	};
	const char *attr_name_cfg = snap->cfg->time_attribute;
	const char *slash = strchr(text, '/');
	struct layer_filter *flt;
	struct fnode *n;
	int attr;

	*out = NULL;
	if (error_size > 0)
		error[0] = '\0';
	attr = attr_name_cfg != NULL ? layer_attr_find(snap, attr_name_cfg)
				     : -1;
	if (attr < 0 || (snap->attrs[attr].type != ATTR_DATE &&
			 snap->attrs[attr].type != ATTR_DATETIME))
		return filter_fail(&b, "lớp '%s' không có thuộc tính thời gian",
				   "layer '%s' has no time attribute",
				   snap->cfg->id);
	b.h = layer_geos_thread_handle();
	n = filter_node_new(&b, NODE_TIME);
	if (n == NULL)
		return -1;
	n->attr = (size_t)attr;
	if (slash == NULL) {
		bool date = strlen(text) == 10;

		if (datetime_end(text, strlen(text), false, &n->t0) != 0 ||
		    strcmp(text, "..") == 0 || text[0] == '\0')
			goto bad;
		n->t1 = date ? n->t0 + 86400.0 - 1e-6 : n->t0;
	} else if (strchr(slash + 1, '/') != NULL ||
		   datetime_end(text, (size_t)(slash - text), false,
				&n->t0) != 0 ||
		   datetime_end(slash + 1, strlen(slash + 1), true,
				&n->t1) != 0 ||
		   (isinf(n->t0) && isinf(n->t1)) || n->t0 > n->t1) {
		goto bad;
	}
	flt = calloc(1, sizeof(*flt));
	if (flt == NULL) {
		filter_node_free(b.h, n);
		return filter_fail(&b, "hết bộ nhớ%s", "out of memory%s", "");
	}
	flt->root = n;
	flt->h = b.h;
	flt->attrs = snap->attrs;
	*out = flt;
	return 0;
bad:
	filter_node_free(b.h, n);
	return filter_fail(&b, "datetime cần một thời điểm hoặc khoảng "
			   "A/B theo RFC 3339 ('..' cho đầu mở)%s",
			   "datetime needs an RFC 3339 instant or an interval "
			   "A/B ('..' for an open end)%s", "");
}
