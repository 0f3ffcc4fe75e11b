/*
 * CQL2 JSON: {"op": ..., "args": [...]} read with jansson into the same
 * filter tree as CQL2 text. Operands are numbers, strings, booleans,
 * {"property": name}, {"date": ...}, {"timestamp": ...}, {"bbox": [...]}
 * and GeoJSON geometries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "layers/filter_internal.h"

static int json_time(struct filter_build *b, json_t *v, bool date,
		     struct operand *out)
{
	double t;

	if (!json_is_string(v) ||
	    filter_time_parse(json_string_value(v), date, &t) != 0)
		return filter_fail(b, "%s cần một chuỗi thời gian RFC 3339",
				   "%s needs an RFC 3339 time string",
				   date ? "date" : "timestamp");
	out->kind = OPD_LITERAL;
	out->lit.type = LIT_TIME;
	out->lit.d = t;
	out->lit.is_date = date;
	return 0;
}

static int json_bbox(struct filter_build *b, json_t *v, struct operand *out)
{
	double box[6];
	size_t n = json_is_array(v) ? json_array_size(v) : 0;

	if (n != 4 && n != 6)
		return filter_fail(b, "bbox cần 4 hoặc 6 số%s",
				   "bbox needs 4 or 6 numbers%s", "");
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(v, i);

		if (!json_is_number(x))
			return filter_fail(b, "bbox cần 4 hoặc 6 số%s",
					   "bbox needs 4 or 6 numbers%s", "");
		box[i] = json_number_value(x);
	}
	return filter_geometry_bbox(b, box, n, out);
}

static int json_geometry(struct filter_build *b, json_t *v,
			 struct operand *out)
{
	char *text = json_dumps(v, JSON_COMPACT);
	int rc;

	if (text == NULL)
		return filter_fail(b, "hết bộ nhớ%s", "out of memory%s", "");
	rc = filter_geometry_geojson(b, text, out);
	free(text);
	return rc;
}

static int json_operand(struct filter_build *b, json_t *v,
			struct operand *out)
{
	json_t *x;

	memset(out, 0, sizeof(*out));
	if (json_is_number(v)) {
		out->kind = OPD_LITERAL;
		out->lit.type = LIT_NUMBER;
		out->lit.d = json_number_value(v);
		out->lit.is_int = json_is_integer(v);
		out->lit.i = json_is_integer(v) ? json_integer_value(v) : 0;
		return 0;
	}
	if (json_is_string(v)) {
		out->kind = OPD_LITERAL;
		out->lit.type = LIT_STRING;
		out->lit.s = strdup(json_string_value(v));
		return out->lit.s != NULL ? 0 :
		       filter_fail(b, "hết bộ nhớ%s", "out of memory%s", "");
	}
	if (json_is_boolean(v)) {
		out->kind = OPD_LITERAL;
		out->lit.type = LIT_BOOL;
		out->lit.b = json_is_true(v);
		return 0;
	}
	if (json_is_object(v) && json_object_size(v) == 1) {
		if ((x = json_object_get(v, "property")) != NULL)
			return json_is_string(x) ?
			       filter_property(b, json_string_value(x), out) :
			       filter_fail(b, "property cần một tên%s",
					   "property needs a name%s", "");
		if ((x = json_object_get(v, "date")) != NULL)
			return json_time(b, x, true, out);
		if ((x = json_object_get(v, "timestamp")) != NULL)
			return json_time(b, x, false, out);
		if ((x = json_object_get(v, "bbox")) != NULL)
			return json_bbox(b, x, out);
	}
	if (json_is_object(v) && json_is_string(json_object_get(v, "type")))
		return json_geometry(b, v, out);
	if (json_is_object(v) && json_is_string(json_object_get(v, "op")))
		return filter_fail(b, "hàm '%.64s' không được hỗ trợ ở đây",
				   "function '%.64s' is not supported here",
				   json_string_value(json_object_get(v, "op")));
	return filter_fail(b, "toán hạng CQL2 JSON không hợp lệ%s",
			   "invalid CQL2 JSON operand%s", "");
}

static struct fnode *json_node(struct filter_build *b, json_t *v, int depth);

static struct fnode *json_logic(struct filter_build *b, enum node_kind kind,
				json_t *args, int depth)
{
	size_t n = json_array_size(args);
	struct fnode **kids;
	struct fnode *node;

	if (n < 2 || n > FILTER_MAX_LIST) {
		filter_fail(b, "and/or cần từ 2 đến %d biểu thức",
			    "and/or need 2 to %d expressions", FILTER_MAX_LIST);
		return NULL;
	}
	kids = calloc(n, sizeof(*kids));
	if (kids == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		kids[i] = json_node(b, json_array_get(args, i), depth + 1);
		if (kids[i] == NULL) {
			for (size_t k = 0; k < i; k++)
				filter_node_free(b->h, kids[k]);
			free(kids);
			return NULL;
		}
	}
	node = filter_logic(b, kind, kids, n);
	free(kids);
	return node;
}

static const struct {
	const char *name;
	enum cmp_op op;
} json_cmp[] = {
	{"=", CMP_EQ}, {"<>", CMP_NE}, {"<", CMP_LT}, {"<=", CMP_LE},
	{">", CMP_GT}, {">=", CMP_GE},
};

static struct fnode *json_in(struct filter_build *b, json_t *args)
{
	json_t *list = json_array_get(args, 1);
	size_t n = json_array_size(list);
	struct operand left = {0};
	struct operand *items;
	struct fnode *node = NULL;
	size_t done = 0;

	if (!json_is_array(list) || n == 0 || n > FILTER_MAX_LIST) {
		filter_fail(b, "in cần một danh sách từ 1 đến %d giá trị",
			    "in needs a list of 1 to %d values",
			    FILTER_MAX_LIST);
		return NULL;
	}
	items = calloc(n, sizeof(*items));
	if (items == NULL)
		return NULL;
	if (json_operand(b, json_array_get(args, 0), &left) != 0)
		goto out;
	for (; done < n; done++)
		if (json_operand(b, json_array_get(list, done),
				 &items[done]) != 0)
			goto out;
	node = filter_in(b, &left, items, n);
	done = 0;
out:
	for (size_t i = 0; i < done; i++)
		operand_clear(b, &items[i]);
	operand_clear(b, &left);
	free(items);
	return node;
}

/* Operators with a fixed number of operands. */
static struct fnode *json_fixed(struct filter_build *b, const char *op,
				json_t *args)
{
	struct operand o[3] = {{0}};
	size_t n = json_array_size(args);
	size_t want = strcmp(op, "between") == 0 ? 3 :
		      strcmp(op, "isNull") == 0 ? 1 : 2;
	struct fnode *node = NULL;

	if (n != want) {
		filter_fail(b, "'%.32s' cần %zu đối số", "'%.32s' needs %zu "
			    "arguments", op, want);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (json_operand(b, json_array_get(args, i), &o[i]) != 0)
			goto out;
	if (strcmp(op, "like") == 0) {
		node = filter_like(b, &o[0], &o[1]);
	} else if (strcmp(op, "between") == 0) {
		node = filter_between(b, &o[0], &o[1], &o[2]);
	} else if (strcmp(op, "isNull") == 0) {
		node = filter_isnull(b, &o[0]);
	} else if (filter_spatial_name(op)) {
		node = filter_spatial(b, op, &o[0], &o[1]);
	} else {
		for (size_t k = 0; k < 6; k++)
			if (strcmp(op, json_cmp[k].name) == 0)
				node = filter_compare(b, json_cmp[k].op, &o[0],
						      &o[1]);
	}
out:
	for (size_t i = 0; i < 3; i++)
		operand_clear(b, &o[i]);
	return node;
}

static bool json_known(const char *op)
{
	static const char *const ops[] = {
		"=", "<>", "<", "<=", ">", ">=", "like", "between", "isNull",
		NULL
	};

	for (size_t i = 0; ops[i] != NULL; i++)
		if (strcmp(op, ops[i]) == 0)
			return true;
	return filter_spatial_name(op) && strncmp(op, "s_", 2) == 0;
}

static struct fnode *json_node(struct filter_build *b, json_t *v, int depth)
{
	json_t *args = json_object_get(v, "args");
	const char *op = json_string_value(json_object_get(v, "op"));

	if (depth > FILTER_MAX_DEPTH) {
		filter_fail(b, "bộ lọc lồng quá sâu (tối đa %d)",
			    "filter nested too deeply (at most %d)",
			    FILTER_MAX_DEPTH);
		return NULL;
	}
	if (json_is_boolean(v)) {
		struct fnode *n = filter_node_new(b, NODE_CONST);

		if (n != NULL)
			n->value = json_is_true(v);
		return n;
	}
	if (!json_is_object(v) || op == NULL || !json_is_array(args)) {
		filter_fail(b, "biểu thức CQL2 JSON cần \"op\" và \"args\"%s",
			    "a CQL2 JSON expression needs \"op\" and "
			    "\"args\"%s", "");
		return NULL;
	}
	if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0)
		return json_logic(b, op[0] == 'a' ? NODE_AND : NODE_OR, args,
				  depth);
	if (strcmp(op, "not") == 0) {
		struct fnode *kid;

		if (json_array_size(args) != 1) {
			filter_fail(b, "not cần 1 đối số%s",
				    "not needs 1 argument%s", "");
			return NULL;
		}
		kid = json_node(b, json_array_get(args, 0), depth + 1);
		return kid != NULL ? filter_not(b, kid) : NULL;
	}
	if (strcmp(op, "in") == 0) {
		if (json_array_size(args) != 2) {
			filter_fail(b, "in cần 2 đối số%s",
				    "in needs 2 arguments%s", "");
			return NULL;
		}
		return json_in(b, args);
	}
	if (!json_known(op)) {
		filter_fail(b, "hàm '%.64s' không được hỗ trợ",
			    "unknown function '%.64s'", op);
		return NULL;
	}
	return json_fixed(b, op, args);
}

struct fnode *filter_json_parse(struct filter_build *b, const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			     &jerr);
	struct fnode *root;

	if (doc == NULL) {
		filter_fail(b, "CQL2 JSON không hợp lệ ở ký tự %d",
			    "invalid CQL2 JSON at character %d", jerr.position);
		return NULL;
	}
	root = json_node(b, doc, 0);
	json_decref(doc);
	return root;
}
