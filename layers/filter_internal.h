/*
 * The filter tree shared by the CQL2 text parser (filter_text.c), the
 * CQL2 JSON parser (filter_json.c) and the evaluator (filter.c).
 *
 * Both parsers build operands (a property, a literal or a geometry) and
 * hand them to the builders here, which check types and visibility, so
 * both languages accept and reject exactly the same things.
 */
#ifndef VNSDI_LAYERS_FILTER_INTERNAL_H
#define VNSDI_LAYERS_FILTER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layers/layers_internal.h"

/* Caps on a filter: nodes, nesting depth, IN list entries, text size. */
#define FILTER_MAX_NODES 1000
#define FILTER_MAX_DEPTH 64
#define FILTER_MAX_LIST 1000
#define FILTER_MAX_TEXT (256u * 1024u)

enum lit_type {
	LIT_NUMBER,
	LIT_STRING,
	LIT_TIME,      /* DATE(...) or TIMESTAMP(...): epoch seconds */
	LIT_BOOL
};

struct lit {
	enum lit_type type;
	double d;          /* number, or epoch seconds */
	int64_t i;         /* number when is_int */
	bool is_int;
	bool b;
	bool is_date;      /* a DATE: the whole day [t, t + 86400) */
	char *s;           /* string (owned) */
};

enum operand_kind {
	OPD_PROPERTY,
	OPD_GEOMETRY_PROPERTY,
	OPD_LITERAL,
	OPD_GEOMETRY       /* a literal geometry, already in CRS84 */
};

struct operand {
	enum operand_kind kind;
	size_t attr;       /* OPD_PROPERTY */
	struct lit lit;    /* OPD_LITERAL */
	GEOSGeometry *geom; /* OPD_GEOMETRY (owned until used) */
};

enum node_kind {
	NODE_AND, NODE_OR, NODE_NOT, NODE_CONST,
	NODE_CMP, NODE_LIKE, NODE_IN, NODE_BETWEEN, NODE_ISNULL,
	NODE_SPATIAL, NODE_TIME
};

enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

enum spatial_op {
	SP_INTERSECTS, SP_DISJOINT, SP_WITHIN, SP_CONTAINS, SP_EQUALS,
	SP_TOUCHES, SP_CROSSES, SP_OVERLAPS
};

struct fnode {
	enum node_kind kind;
	struct fnode **kids;       /* AND, OR, NOT */
	size_t n_kids;
	bool value;                /* CONST */
	size_t attr;               /* CMP, LIKE, IN, BETWEEN, ISNULL, TIME */
	enum cmp_op op;
	struct lit *lits;          /* CMP 1, IN n, BETWEEN 2 */
	size_t n_lits;
	enum spatial_op sop;       /* SPATIAL: feature sop geometry */
	GEOSGeometry *geom;
	const GEOSPreparedGeometry *prepared;
	double env[4];             /* CRS84 envelope of geom */
	double t0, t1;             /* TIME: closed interval, +-HUGE_VAL open */
};

struct layer_filter {
	struct fnode *root;
	GEOSContextHandle_t h;     /* the thread handle of the parser */
	const struct attr_def *attrs; /* of the snapshot */
	size_t n_nodes;
};

/* What a parser works with while it builds a tree. */
struct filter_build {
	const struct layer_snapshot *snap;
	enum cfg_role role;
	const struct vn2000_crs *crs;   /* filter-crs, NULL: CRS84 */
	GEOSContextHandle_t h;
	size_t n_nodes;
	char *error;
	size_t error_size;
};

/* Record an error "vi / en" (printf with the same arguments twice). */
int filter_fail(struct filter_build *b, const char *fmt_vi,
		const char *fmt_en, ...)
	__attribute__((format(printf, 2, 4), format(printf, 3, 4)));

/* Same with two finished texts. */
int filter_fail_text(struct filter_build *b, const char *vi, const char *en);

/* Resolve a property name to an operand; -1 with the unknown-property
   error (also for hidden attributes). */
int filter_property(struct filter_build *b, const char *name,
		    struct operand *out);

/* Parse "YYYY-MM-DD" (date) or an RFC 3339 date-time into epoch seconds.
   Returns 0 or -1. */
int filter_time_parse(const char *text, bool want_date, double *out);

/* A geometry from WKT or GeoJSON text in the filter CRS, moved to CRS84
   and checked for validity. Returns 0 or -1 with the error set. */
int filter_geometry_wkt(struct filter_build *b, const char *wkt,
			struct operand *out);
int filter_geometry_geojson(struct filter_build *b, const char *json,
			    struct operand *out);
int filter_geometry_bbox(struct filter_build *b, const double *v, size_t n,
			 struct operand *out);

/* Node builders: each checks types and takes over the operands. They
   return a node or NULL with the error set. */
struct fnode *filter_node_new(struct filter_build *b, enum node_kind kind);
struct fnode *filter_logic(struct filter_build *b, enum node_kind kind,
			   struct fnode **kids, size_t n);
struct fnode *filter_compare(struct filter_build *b, enum cmp_op op,
			     struct operand *left, struct operand *right);
struct fnode *filter_like(struct filter_build *b, struct operand *left,
			  struct operand *pattern);
struct fnode *filter_in(struct filter_build *b, struct operand *left,
			struct operand *list, size_t n);
struct fnode *filter_between(struct filter_build *b, struct operand *value,
			     struct operand *low, struct operand *high);
struct fnode *filter_isnull(struct filter_build *b, struct operand *value);
struct fnode *filter_spatial(struct filter_build *b, const char *name,
			     struct operand *left, struct operand *right);
struct fnode *filter_not(struct filter_build *b, struct fnode *kid);

/* Whether a name (any case) is a spatial function of CQL2. */
bool filter_spatial_name(const char *name);

void operand_clear(struct filter_build *b, struct operand *o);
void filter_node_free(GEOSContextHandle_t h, struct fnode *n);

/* The parsers. Return the root or NULL with the error set. */
struct fnode *filter_text_parse(struct filter_build *b, const char *text);
struct fnode *filter_json_parse(struct filter_build *b, const char *text);

#endif
