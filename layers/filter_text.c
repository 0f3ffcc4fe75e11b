/*
 * CQL2 text: a recursive-descent parser into the filter tree.
 *
 *   or      = and { OR and }
 *   and     = not { AND not }
 *   not     = NOT not | primary
 *   primary = "(" or ")" | TRUE | FALSE | spatial "(" geom "," geom ")"
 *           | scalar ( cmp scalar | [NOT] LIKE scalar | [NOT] BETWEEN
 *             scalar AND scalar | [NOT] IN "(" scalar {"," scalar} ")"
 *           | IS [NOT] NULL )
 *   scalar  = property | "quoted property" | 'string' | number
 *           | DATE('...') | TIMESTAMP('...') | TRUE | FALSE
 *   geom    = property | WKT | BBOX(x1, y1, x2, y2)
 *
 * Keywords are case-insensitive. Anything else, such as a semicolon, a
 * comment or an unknown function, is a syntax error.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "layers/filter_internal.h"

#define TOKEN_MAX 1024

enum tok {
	TOK_END, TOK_IDENT, TOK_QIDENT, TOK_STRING, TOK_NUMBER,
	TOK_LPAREN, TOK_RPAREN, TOK_COMMA, TOK_OP
};

struct lexer {
	struct filter_build *b;
	const char *text;
	size_t pos;          /* after the current token */
	size_t start;        /* of the current token */
	enum tok tok;
	char value[TOKEN_MAX];
	int depth;
};

static int lex_fail(struct lexer *lx, const char *what_vi,
		    const char *what_en)
{
	char vi[256], en[256];

	snprintf(vi, sizeof(vi), "lỗi cú pháp CQL2 ở ký tự %zu: %s",
		 lx->start + 1, what_vi);
	snprintf(en, sizeof(en), "CQL2 syntax error at character %zu: %s",
		 lx->start + 1, what_en);
	return filter_fail_text(lx->b, vi, en);
}

static bool ident_byte(unsigned char c, bool first)
{
	return isalpha(c) || c == '_' || c >= 0x80 ||
	       (!first && (isdigit(c) || c == '.' || c == ':'));
}

/* A quoted string or identifier; the quote is doubled to escape it. */
static int lex_quoted(struct lexer *lx, char quote)
{
	size_t n = 0;
	const char *p = lx->text + lx->pos + 1;

	for (;;) {
		if (*p == '\0')
			return lex_fail(lx, "thiếu dấu nháy đóng",
					"missing closing quote");
		if (*p == quote) {
			if (p[1] != quote)
				break;
			p++;
		}
		if (n + 1 >= TOKEN_MAX)
			return lex_fail(lx, "chuỗi quá dài", "string too long");
		lx->value[n++] = *p++;
	}
	lx->value[n] = '\0';
	lx->tok = quote == '\'' ? TOK_STRING : TOK_QIDENT;
	lx->pos = (size_t)(p + 1 - lx->text);
	return 0;
}

static int lex_number(struct lexer *lx)
{
	const char *p = lx->text + lx->pos;
	size_t n = strspn(p, "+-0123456789.eE");

	if (n + 1 >= TOKEN_MAX)
		return lex_fail(lx, "số quá dài", "number too long");
	memcpy(lx->value, p, n);
	lx->value[n] = '\0';
	lx->tok = TOK_NUMBER;
	lx->pos += n;
	return 0;
}

static int lex_next(struct lexer *lx)
{
	const char *p;
	unsigned char c;

	while (isspace((unsigned char)lx->text[lx->pos]))
		lx->pos++;
	lx->start = lx->pos;
	p = lx->text + lx->pos;
	c = (unsigned char)*p;
	lx->value[0] = '\0';
	if (c == '\0') {
		lx->tok = TOK_END;
		return 0;
	}
	if (c == '(' || c == ')' || c == ',') {
		lx->tok = c == '(' ? TOK_LPAREN : c == ')' ? TOK_RPAREN
							   : TOK_COMMA;
		lx->pos++;
		return 0;
	}
	if (c == '\'' || c == '"')
		return lex_quoted(lx, (char)c);
	if (isdigit(c) || ((c == '-' || c == '+' || c == '.') &&
			   (isdigit((unsigned char)p[1]) || p[1] == '.')))
		return lex_number(lx);
	if (c == '=' || c == '<' || c == '>') {
		size_t n = (c == '<' && (p[1] == '=' || p[1] == '>')) ||
			   (c == '>' && p[1] == '=') ? 2 : 1;

		memcpy(lx->value, p, n);
		lx->value[n] = '\0';
		lx->tok = TOK_OP;
		lx->pos += n;
		return 0;
	}
	if (ident_byte(c, true)) {
		size_t n = 0;

		while (ident_byte((unsigned char)p[n], n == 0))
			n++;
		if (n + 1 >= TOKEN_MAX)
			return lex_fail(lx, "tên quá dài", "name too long");
		memcpy(lx->value, p, n);
		lx->value[n] = '\0';
		lx->tok = TOK_IDENT;
		lx->pos += n;
		return 0;
	}
	return lex_fail(lx, "ký tự không được phép",
			"character not allowed");
}

static bool is_kw(const struct lexer *lx, const char *kw)
{
	return lx->tok == TOK_IDENT && strcasecmp(lx->value, kw) == 0;
}

static int expect(struct lexer *lx, enum tok tok, const char *what)
{
	if (lx->tok != tok)
		return filter_fail(lx->b, "lỗi cú pháp CQL2 ở ký tự %zu: "
				   "cần '%s'", "CQL2 syntax error at character "
				   "%zu: expected '%s'", lx->start + 1, what);
	return lex_next(lx);
}

static struct fnode *parse_or(struct lexer *lx);

static const char *const wkt_types[] = {
	"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
	"MULTIPOLYGON", "GEOMETRYCOLLECTION", NULL
};

static bool is_wkt(const struct lexer *lx)
{
	for (size_t i = 0; wkt_types[i] != NULL; i++)
		if (is_kw(lx, wkt_types[i]))
			return true;
	return false;
}

/* The WKT text from the current keyword to its matching parenthesis. */
static int parse_wkt(struct lexer *lx, struct operand *out)
{
	const char *p = lx->text + lx->start;
	size_t n = 0;
	int depth = 0;
	char *wkt;
	int rc;

	for (;; n++) {
		char c = p[n];

		if (c == '\0')
			return lex_fail(lx, "hình học WKT chưa đóng ngoặc",
					"unclosed WKT geometry");
		if (c == '(')
			depth++;
		if (c == ')' && --depth == 0)
			break;
		if (depth == 0 && (c == ',' || c == ')'))
			return lex_fail(lx, "hình học WKT không hợp lệ",
					"invalid WKT geometry");
		/* WKT contains letters, digits, signs, points and spaces. No
		   keyword has an X, so an X can only be a hexadecimal number,
		   which strtod would read but WKT does not allow. */
		if ((!isalnum((unsigned char)c) &&
		     strchr(" \t\n\r(),.+-", c) == NULL) || c == 'x' || c == 'X')
			return lex_fail(lx, "hình học WKT không hợp lệ",
					"invalid WKT geometry");
	}
	wkt = strndup(p, n + 1);
	if (wkt == NULL)
		return filter_fail(lx->b, "hết bộ nhớ%s", "out of memory%s", "");
	rc = filter_geometry_wkt(lx->b, wkt, out);
	free(wkt);
	lx->pos = lx->start + n + 1;
	if (rc != 0)
		return -1;
	return lex_next(lx);
}

static int parse_number(struct lexer *lx, double *out, int64_t *iout,
			bool *is_int)
{
	char *end;

	errno = 0;
	*out = strtod(lx->value, &end);
	if (errno != 0 || *end != '\0' || !isfinite(*out))
		return lex_fail(lx, "số không hợp lệ", "invalid number");
	*is_int = false;
	if (strpbrk(lx->value, ".eE") == NULL) {
		long long v;

		errno = 0;
		v = strtoll(lx->value, &end, 10);
		if (errno == 0 && *end == '\0') {
			*iout = v;
			*is_int = true;
		}
	}
	return 0;
}

/* BBOX(x1, y1, x2, y2) after the keyword. */
static int parse_bbox_lit(struct lexer *lx, struct operand *out)
{
	double v[6];
	size_t n = 0;
	int64_t unused;
	bool is_int;

	if (lex_next(lx) != 0 || expect(lx, TOK_LPAREN, "(") != 0)
		return -1;
	for (;;) {
		if (lx->tok != TOK_NUMBER || n == 6)
			return lex_fail(lx, "BBOX cần 4 hoặc 6 số",
					"BBOX needs 4 or 6 numbers");
		if (parse_number(lx, &v[n++], &unused, &is_int) != 0 ||
		    lex_next(lx) != 0)
			return -1;
		if (lx->tok == TOK_RPAREN)
			break;
		if (expect(lx, TOK_COMMA, ",") != 0)
			return -1;
	}
	if (filter_geometry_bbox(lx->b, v, n, out) != 0)
		return -1;
	return lex_next(lx);
}

/* DATE('...') or TIMESTAMP('...') after the keyword. */
static int parse_time_lit(struct lexer *lx, bool date, struct operand *out)
{
	double t;

	if (lex_next(lx) != 0 || expect(lx, TOK_LPAREN, "(") != 0)
		return -1;
	if (lx->tok != TOK_STRING || filter_time_parse(lx->value, date,
						       &t) != 0)
		return lex_fail(lx, date ? "DATE cần 'YYYY-MM-DD'" :
				"TIMESTAMP cần thời điểm RFC 3339",
				date ? "DATE needs 'YYYY-MM-DD'" :
				"TIMESTAMP needs an RFC 3339 date-time");
	out->kind = OPD_LITERAL;
	out->lit.type = LIT_TIME;
	out->lit.d = t;
	out->lit.is_date = date;
	if (lex_next(lx) != 0 || expect(lx, TOK_RPAREN, ")") != 0)
		return -1;
	return 0;
}

/* A scalar or geometry operand. */
static int parse_operand(struct lexer *lx, struct operand *out)
{
	memset(out, 0, sizeof(*out));
	switch (lx->tok) {
	case TOK_STRING:
		out->kind = OPD_LITERAL;
		out->lit.type = LIT_STRING;
		out->lit.s = strdup(lx->value);
		if (out->lit.s == NULL)
			return filter_fail(lx->b, "hết bộ nhớ%s",
					   "out of memory%s", "");
		return lex_next(lx);
	case TOK_NUMBER:
		out->kind = OPD_LITERAL;
		out->lit.type = LIT_NUMBER;
		if (parse_number(lx, &out->lit.d, &out->lit.i,
				 &out->lit.is_int) != 0)
			return -1;
		return lex_next(lx);
	case TOK_QIDENT:
		if (filter_property(lx->b, lx->value, out) != 0)
			return -1;
		return lex_next(lx);
	case TOK_IDENT:
		break;
	default:
		return lex_fail(lx, "cần một thuộc tính hoặc một giá trị",
				"expected a property or a value");
	}
	if (is_kw(lx, "TRUE") || is_kw(lx, "FALSE")) {
		out->kind = OPD_LITERAL;
		out->lit.type = LIT_BOOL;
		out->lit.b = is_kw(lx, "TRUE");
		return lex_next(lx);
	}
	if (is_kw(lx, "DATE") || is_kw(lx, "TIMESTAMP"))
		return parse_time_lit(lx, is_kw(lx, "DATE"), out);
	if (is_kw(lx, "BBOX") || is_kw(lx, "ENVELOPE"))
		return parse_bbox_lit(lx, out);
	if (is_wkt(lx))
		return parse_wkt(lx, out);
	{
		char name[TOKEN_MAX];
		size_t save = lx->pos;

		snprintf(name, sizeof(name), "%s", lx->value);
		if (lex_next(lx) != 0)
			return -1;
		if (lx->tok == TOK_LPAREN)
			return filter_fail(lx->b, "hàm '%.64s' không được hỗ "
					   "trợ", "unknown function '%.64s'",
					   name);
		(void)save;
		return filter_property(lx->b, name, out);
	}
}

static struct fnode *parse_spatial(struct lexer *lx)
{
	char name[32];
	struct operand a = {0}, c = {0};

	snprintf(name, sizeof(name), "%.31s", lx->value);
	if (lex_next(lx) != 0 || expect(lx, TOK_LPAREN, "(") != 0 ||
	    parse_operand(lx, &a) != 0 || expect(lx, TOK_COMMA, ",") != 0 ||
	    parse_operand(lx, &c) != 0 || expect(lx, TOK_RPAREN, ")") != 0) {
		operand_clear(lx->b, &a);
		operand_clear(lx->b, &c);
		return NULL;
	}
	return filter_spatial(lx->b, name, &a, &c);
}

static struct fnode *parse_in(struct lexer *lx, struct operand *left)
{
	struct operand *list = calloc(FILTER_MAX_LIST, sizeof(*list));
	struct fnode *n = NULL;
	size_t count = 0;

	if (list == NULL || expect(lx, TOK_LPAREN, "(") != 0)
		goto done;
	for (;;) {
		if (count == FILTER_MAX_LIST) {
			filter_fail(lx->b, "danh sách IN quá dài (tối đa %d)",
				    "IN list too long (at most %d)",
				    FILTER_MAX_LIST);
			goto done;
		}
		if (parse_operand(lx, &list[count]) != 0)
			goto done;
		count++;
		if (lx->tok == TOK_RPAREN)
			break;
		if (expect(lx, TOK_COMMA, ",") != 0)
			goto done;
	}
	if (lex_next(lx) != 0)
		goto done;
	n = filter_in(lx->b, left, list, count);
	count = 0;
done:
	for (size_t i = 0; i < count; i++)
		operand_clear(lx->b, &list[i]);
	operand_clear(lx->b, left);
	free(list);
	return n;
}

static const struct {
	const char *text;
	enum cmp_op op;
} cmp_ops[] = {
	{"=", CMP_EQ}, {"<>", CMP_NE}, {"<", CMP_LT}, {"<=", CMP_LE},
	{">", CMP_GT}, {">=", CMP_GE},
};

/* The predicate after its first operand. */
static struct fnode *parse_predicate(struct lexer *lx, struct operand *left)
{
	struct operand x = {0}, y = {0};
	struct fnode *n = NULL;
	bool negate = false;

	if (lx->tok == TOK_OP) {
		size_t k = 0;

		while (strcmp(cmp_ops[k].text, lx->value) != 0)
			k++;
		if (lex_next(lx) != 0 || parse_operand(lx, &x) != 0)
			goto fail;
		return filter_compare(lx->b, cmp_ops[k].op, left, &x);
	}
	if (is_kw(lx, "IS")) {
		if (lex_next(lx) != 0)
			goto fail;
		if (is_kw(lx, "NOT")) {
			negate = true;
			if (lex_next(lx) != 0)
				goto fail;
		}
		if (!is_kw(lx, "NULL") || lex_next(lx) != 0) {
			lex_fail(lx, "cần NULL", "expected NULL");
			goto fail;
		}
		n = filter_isnull(lx->b, left);
		return negate && n != NULL ? filter_not(lx->b, n) : n;
	}
	if (is_kw(lx, "NOT")) {
		negate = true;
		if (lex_next(lx) != 0)
			goto fail;
	}
	if (is_kw(lx, "LIKE")) {
		if (lex_next(lx) != 0 || parse_operand(lx, &x) != 0)
			goto fail;
		n = filter_like(lx->b, left, &x);
	} else if (is_kw(lx, "BETWEEN")) {
		if (lex_next(lx) != 0 || parse_operand(lx, &x) != 0)
			goto fail;
		if (!is_kw(lx, "AND")) {
			lex_fail(lx, "cần AND", "expected AND");
			goto fail;
		}
		if (lex_next(lx) != 0 || parse_operand(lx, &y) != 0)
			goto fail;
		n = filter_between(lx->b, left, &x, &y);
	} else if (is_kw(lx, "IN")) {
		if (lex_next(lx) != 0)
			goto fail;
		n = parse_in(lx, left);
	} else {
		lex_fail(lx, "cần một phép so sánh, LIKE, BETWEEN, IN hoặc IS",
			 "expected a comparison, LIKE, BETWEEN, IN or IS");
		goto fail;
	}
	return negate && n != NULL ? filter_not(lx->b, n) : n;
fail:
	operand_clear(lx->b, left);
	operand_clear(lx->b, &x);
	operand_clear(lx->b, &y);
	return NULL;
}

static struct fnode *parse_primary(struct lexer *lx)
{
	struct operand left = {0};
	struct fnode *n;

	if (lx->tok == TOK_LPAREN) {
		if (lex_next(lx) != 0)
			return NULL;
		n = parse_or(lx);
		if (n != NULL && expect(lx, TOK_RPAREN, ")") != 0) {
			filter_node_free(lx->b->h, n);
			return NULL;
		}
		return n;
	}
	if (lx->tok == TOK_IDENT && filter_spatial_name(lx->value))
		return parse_spatial(lx);
	if ((is_kw(lx, "TRUE") || is_kw(lx, "FALSE"))) {
		bool value = is_kw(lx, "TRUE");
		size_t save_pos = lx->pos, save_start = lx->start;

		if (lex_next(lx) != 0)
			return NULL;
		if (lx->tok != TOK_OP && !is_kw(lx, "IS") && !is_kw(lx, "IN")) {
			n = filter_node_new(lx->b, NODE_CONST);
			if (n != NULL)
				n->value = value;
			return n;
		}
		/* TRUE = ...: read it again as an operand. */
		lx->pos = save_pos;
		lx->start = save_start;
		lx->tok = TOK_IDENT;
		snprintf(lx->value, sizeof(lx->value), "%s",
			 value ? "TRUE" : "FALSE");
	}
	if (parse_operand(lx, &left) != 0)
		return NULL;
	return parse_predicate(lx, &left);
}

static struct fnode *parse_not(struct lexer *lx)
{
	struct fnode *n;

	if (++lx->depth > FILTER_MAX_DEPTH) {
		filter_fail(lx->b, "bộ lọc lồng quá sâu (tối đa %d)",
			    "filter nested too deeply (at most %d)",
			    FILTER_MAX_DEPTH);
		return NULL;
	}
	if (is_kw(lx, "NOT")) {
		if (lex_next(lx) != 0)
			return NULL;
		n = parse_not(lx);
		n = n != NULL ? filter_not(lx->b, n) : NULL;
	} else {
		n = parse_primary(lx);
	}
	lx->depth--;
	return n;
}

/* AND and OR chains: `term` parses one member. */
static struct fnode *parse_chain(struct lexer *lx, const char *kw,
				 enum node_kind kind,
				 struct fnode *(*term)(struct lexer *))
{
	struct fnode *kids[64];
	struct fnode *first = term(lx);
	size_t n = 0;

	if (first == NULL)
		return NULL;
	if (!is_kw(lx, kw))
		return first;
	kids[n++] = first;
	while (is_kw(lx, kw)) {
		struct fnode *next;

		if (lex_next(lx) != 0 || (next = term(lx)) == NULL)
			goto fail;
		if (n == 64) {
			/* Fold a long chain into a nested node. */
			struct fnode *folded = filter_logic(lx->b, kind, kids,
							    n);

			n = 0;
			if (folded == NULL) {
				filter_node_free(lx->b->h, next);
				return NULL;
			}
			kids[n++] = folded;
		}
		kids[n++] = next;
	}
	return filter_logic(lx->b, kind, kids, n);
fail:
	for (size_t i = 0; i < n; i++)
		filter_node_free(lx->b->h, kids[i]);
	return NULL;
}

static struct fnode *parse_and(struct lexer *lx)
{
	return parse_chain(lx, "AND", NODE_AND, parse_not);
}

static struct fnode *parse_or(struct lexer *lx)
{
	return parse_chain(lx, "OR", NODE_OR, parse_and);
}

struct fnode *filter_text_parse(struct filter_build *b, const char *text)
{
	struct lexer lx = {.b = b, .text = text};
	struct fnode *root;

	if (lex_next(&lx) != 0)
		return NULL;
	if (lx.tok == TOK_END) {
		filter_fail(b, "bộ lọc rỗng%s", "empty filter%s", "");
		return NULL;
	}
	root = parse_or(&lx);
	if (root != NULL && lx.tok != TOK_END) {
		lex_fail(&lx, "còn văn bản thừa sau bộ lọc",
			 "unexpected text after the filter");
		filter_node_free(b->h, root);
		return NULL;
	}
	return root;
}
