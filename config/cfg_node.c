/*
 * Typed readers over libyaml document nodes. Every reader reports what is
 * wrong with the node's line and the value, in Vietnamese and English.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config/cfg_internal.h"

/* Maximum number of items in the list of one key. */
#define CFG_LIST_MAX 4096

void cfg_report(struct cfg_ctx *ctx, enum cfg_severity severity,
		const yaml_node_t *node, const char *fmt_vi,
		const char *fmt_en, ...)
{
	char vi[1024];
	char en[1024];
	va_list ap;

	va_start(ap, fmt_en);
	vsnprintf(vi, sizeof(vi), fmt_vi, ap);
	va_end(ap);
	va_start(ap, fmt_en);
	vsnprintf(en, sizeof(en), fmt_en, ap);
	va_end(ap);
	cfg_errors_add_texts(ctx->errors, severity, ctx->cfg->path,
			     cfg_node_line(node), vi, en);
}

int cfg_node_line(const yaml_node_t *node)
{
	return node ? (int)node->start_mark.line + 1 : 0;
}

static const char *cfg_scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

bool cfg_node_is_null(const yaml_node_t *node)
{
	if (!node || node->type != YAML_SCALAR_NODE)
		return false;
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = cfg_scalar(node);
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

void cfg_quote(const char *value, char *buf, size_t size)
{
	size_t n = 0;
	size_t max = size - 1 < CFG_QUOTE_MAX ? size - 1 : CFG_QUOTE_MAX;
	for (; value[n] && n < max; n++)
		buf[n] = (unsigned char)value[n] < 0x20 ? '?' : value[n];
	if (value[n])
		while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
			n--;
	buf[n] = '\0';
}

/*
 * Kind of a node, as a noun for messages. Messages pass both languages'
 * nouns and each format skips the other one's with "%.0s", because the
 * Vietnamese and English formats take the same arguments.
 */
static const char *cfg_kind_en(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "a single value";
	}
}

static const char *cfg_kind_vi(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_SEQUENCE_NODE:
		return "một danh sách";
	case YAML_MAPPING_NODE:
		return "một ánh xạ (mapping)";
	default:
		return "một giá trị đơn";
	}
}

static bool cfg_expect_scalar(struct cfg_ctx *ctx, const yaml_node_t *node,
			      const char *what)
{
	if (node->type == YAML_SCALAR_NODE)
		return true;
	cfg_error(ctx, node, "%s phải là một giá trị đơn, không phải %s%.0s",
		  "%s must be a single value, not %.0s%s", what,
		  cfg_kind_vi(node), cfg_kind_en(node));
	return false;
}

bool cfg_expect_sequence(struct cfg_ctx *ctx, const yaml_node_t *node,
			 const char *what)
{
	if (node->type == YAML_SEQUENCE_NODE)
		return true;
	cfg_error(ctx, node, "%s phải là một danh sách, không phải %s%.0s",
		  "%s must be a list, not %.0s%s", what, cfg_kind_vi(node),
		  cfg_kind_en(node));
	return false;
}

/* Join the allowed keys with ", " for a message. */
static void cfg_join(const char *const *names, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; names[i]; i++) {
		int n = snprintf(buf + len, size - len, "%s%s",
				 i ? ", " : "", names[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

static bool cfg_name_allowed(const char *const *allowed, const char *name)
{
	for (size_t i = 0; allowed[i]; i++)
		if (!strcmp(allowed[i], name))
			return true;
	return false;
}

/* Report a key that is not allowed or that repeats an earlier key. */
static void cfg_check_key(struct cfg_ctx *ctx, const yaml_node_t *map,
			  const yaml_node_pair_t *pair, const char *what,
			  const char *const *allowed)
{
	yaml_node_t *key = yaml_document_get_node(ctx->doc, pair->key);
	char quoted[CFG_QUOTE_MAX + 1];
	char list[512];

	if (key->type != YAML_SCALAR_NODE) {
		cfg_error(ctx, key, "khóa trong %s phải là một giá trị đơn",
			  "a key in %s must be a single value", what);
		return;
	}
	/* An empty `what` is the top level of the file. */
	const char *what_vi = *what ? what : "cấp trên cùng";
	const char *what_en = *what ? what : "the top level";
	cfg_quote(cfg_scalar(key), quoted, sizeof(quoted));
	if (!cfg_name_allowed(allowed, cfg_scalar(key))) {
		cfg_join(allowed, list, sizeof(list));
		cfg_error(ctx, key,
			  "khóa không hợp lệ \"%s\" trong %s%.0s; các khóa "
			  "được phép: %s",
			  "unknown key \"%s\" in %.0s%s; allowed keys: %s",
			  quoted, what_vi, what_en, list);
		return;
	}
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < pair; p++) {
		yaml_node_t *k = yaml_document_get_node(ctx->doc, p->key);
		if (k->type == YAML_SCALAR_NODE &&
		    !strcmp(cfg_scalar(k), cfg_scalar(key))) {
			cfg_error(ctx, key,
				  "khóa \"%s\" lặp lại trong %s%.0s (lần đầu "
				  "ở dòng %d)",
				  "duplicate key \"%s\" in %.0s%s (first on "
				  "line %d)",
				  quoted, what_vi, what_en, cfg_node_line(k));
			return;
		}
	}
}

bool cfg_mapping_check(struct cfg_ctx *ctx, const yaml_node_t *node,
		       const char *what, const char *const *allowed)
{
	if (node->type != YAML_MAPPING_NODE) {
		cfg_error(ctx, node,
			  "%s phải là một ánh xạ (mapping), không phải %s%.0s",
			  "%s must be a mapping, not %.0s%s", what,
			  cfg_kind_vi(node), cfg_kind_en(node));
		return false;
	}
	for (const yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++)
		cfg_check_key(ctx, node, p, what, allowed);
	return true;
}

yaml_node_t *cfg_mapping_get_raw(struct cfg_ctx *ctx,
					const yaml_node_t *map,
					const char *key)
{
	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ctx->doc, p->key);
		if (k->type == YAML_SCALAR_NODE && !strcmp(cfg_scalar(k), key))
			return yaml_document_get_node(ctx->doc, p->value);
	}
	return NULL;
}

yaml_node_t *cfg_mapping_get(struct cfg_ctx *ctx, const yaml_node_t *map,
			     const char *key)
{
	yaml_node_t *v = cfg_mapping_get_raw(ctx, map, key);
	return cfg_node_is_null(v) ? NULL : v;
}

int cfg_read_string(struct cfg_ctx *ctx, const yaml_node_t *node,
		    const char *what, char **out)
{
	if (!cfg_expect_scalar(ctx, node, what))
		return -1;
	if (cfg_node_is_null(node)) {
		cfg_error(ctx, node, "%s trống", "%s is empty", what);
		return -1;
	}
	char *s = strdup(cfg_scalar(node));
	if (!s)
		return -1;
	free(*out);
	*out = s;
	return 0;
}

int cfg_read_int(struct cfg_ctx *ctx, const yaml_node_t *node,
		 const char *what, long min, long max, int *out)
{
	if (!cfg_expect_scalar(ctx, node, what))
		return -1;

	const char *v = cfg_scalar(node);
	char quoted[CFG_QUOTE_MAX + 1];
	char *end = NULL;
	errno = 0;
	long n = strtol(v, &end, 10);
	bool ok = *v && *v != ' ' && *v != '\t' && end != v && *end == '\0' &&
		  errno == 0 && n >= min && n <= max;
	if (ok) {
		*out = (int)n;
		return 0;
	}
	cfg_quote(v, quoted, sizeof(quoted));
	cfg_error(ctx, node,
		  "số không hợp lệ \"%s\" cho %s: cần một số nguyên từ %ld "
		  "đến %ld",
		  "invalid number \"%s\" for %s: expected an integer from %ld "
		  "to %ld",
		  quoted, what, min, max);
	return -1;
}

/* Only digits, sign, point and exponent: no "inf", "nan" or hex. */
static bool cfg_decimal_chars(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!strchr("0123456789+-.eE", *v))
			return false;
	return true;
}

int cfg_read_double(struct cfg_ctx *ctx, const yaml_node_t *node,
		    const char *what, double min, double max, double *out)
{
	if (!cfg_expect_scalar(ctx, node, what))
		return -1;

	const char *v = cfg_scalar(node);
	char quoted[CFG_QUOTE_MAX + 1];
	char *end = NULL;
	errno = 0;
	double d = cfg_decimal_chars(v) ? strtod(v, &end) : NAN;
	bool ok = end && end != v && *end == '\0' && errno == 0 &&
		  isfinite(d) && d >= min && d <= max;
	if (ok) {
		*out = d;
		return 0;
	}
	cfg_quote(v, quoted, sizeof(quoted));
	cfg_error(ctx, node,
		  "số không hợp lệ \"%s\" cho %s: cần một số từ %g đến %g",
		  "invalid number \"%s\" for %s: expected a number from %g to "
		  "%g",
		  quoted, what, min, max);
	return -1;
}

static int cfg_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cfg_read_colour(struct cfg_ctx *ctx, const yaml_node_t *node,
		    const char *what, uint32_t *out)
{
	if (!cfg_expect_scalar(ctx, node, what))
		return -1;

	const char *v = cfg_scalar(node);
	size_t len = strlen(v);
	uint32_t c = 0;
	bool ok = v[0] == '#' && (len == 7 || len == 9);
	for (size_t i = 1; ok && i < len; i++) {
		int d = cfg_hex_digit(v[i]);
		ok = d >= 0;
		c = (c << 4) | (uint32_t)(d & 0xF);
	}
	if (ok) {
		*out = len == 7 ? (c << 8) | 0xFFu : c;
		return 0;
	}

	char quoted[CFG_QUOTE_MAX + 1];
	cfg_quote(v, quoted, sizeof(quoted));
	if (cfg_node_is_null(node))
		cfg_error(ctx, node,
			  "%s trống; hãy đặt màu trong dấu nháy, ví dụ "
			  "\"#B22222\", vì # mở đầu một chú thích YAML",
			  "%s is empty; quote the colour, as in \"#B22222\", "
			  "because # starts a YAML comment",
			  what);
	else
		cfg_error(ctx, node,
			  "màu không hợp lệ \"%s\" cho %s: cần \"#RRGGBB\" "
			  "hoặc \"#RRGGBBAA\"",
			  "invalid colour \"%s\" for %s: expected \"#RRGGBB\" "
			  "or \"#RRGGBBAA\"",
			  quoted, what);
	return -1;
}

void cfg_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

bool cfg_strv_contains(char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

int cfg_read_string_list(struct cfg_ctx *ctx, const yaml_node_t *node,
			 const char *what, char ***out, size_t *n)
{
	if (!cfg_expect_sequence(ctx, node, what))
		return -1;

	size_t count = (size_t)(node->data.sequence.items.top -
				node->data.sequence.items.start);
	if (count > CFG_LIST_MAX) {
		cfg_error(ctx, node, "%s có %zu mục, tối đa là %d",
			  "%s has %zu items, the maximum is %d", what, count,
			  CFG_LIST_MAX);
		return -1;
	}
	char **v = calloc(count ? count : 1, sizeof(*v));
	if (!v)
		return -1;

	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_document_get_node(
			ctx->doc, node->data.sequence.items.start[i]);
		char item_what[CFG_WHAT_MAX];
		snprintf(item_what, sizeof(item_what), "%s[%zu]", what, i);
		if (cfg_read_string(ctx, item, item_what, &v[i]) < 0)
			rc = -1;
	}
	if (rc < 0) {
		cfg_strv_free(v, count);
		return -1;
	}
	cfg_strv_free(*out, *n);
	*out = v;
	*n = count;
	return 0;
}

int cfg_read_bilingual(struct cfg_ctx *ctx, const yaml_node_t *node,
		       const char *what, char **vi, char **en)
{
	static const char *const keys[] = { "vi", "en", NULL };
	if (!cfg_mapping_check(ctx, node, what, keys))
		return -1;

	char sub[CFG_WHAT_MAX];
	yaml_node_t *v_vi = cfg_mapping_get(ctx, node, "vi");
	yaml_node_t *v_en = cfg_mapping_get(ctx, node, "en");
	int rc = 0;
	if (!v_vi && !v_en) {
		cfg_error(ctx, node, "%s cần ít nhất một trong vi, en",
			  "%s needs at least one of vi, en", what);
		return -1;
	}
	cfg_key_path(sub, sizeof(sub), what, "vi");
	if (v_vi && cfg_read_string(ctx, v_vi, sub, vi) < 0)
		rc = -1;
	cfg_key_path(sub, sizeof(sub), what, "en");
	if (v_en && cfg_read_string(ctx, v_en, sub, en) < 0)
		rc = -1;
	if (rc < 0)
		return -1;

	/* One language given: the other shows the same text. */
	if (!v_vi)
		return cfg_read_string(ctx, v_en, what, vi);
	if (!v_en)
		return cfg_read_string(ctx, v_vi, what, en);
	return 0;
}

/* A GDAL connection string has a ':' before any '/' ("PG:", "OAPIF:"). */
static bool cfg_is_connection(const char *path)
{
	const char *colon = strchr(path, ':');
	const char *slash = strchr(path, '/');
	return colon && (!slash || colon < slash);
}

char *cfg_path_resolve(const struct cfg *cfg, const char *path)
{
	if (path[0] == '/' || cfg_is_connection(path) || !cfg->dir)
		return strdup(path);

	size_t n = strlen(cfg->dir) + 1 + strlen(path) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", cfg->dir, path);
	return s;
}

int cfg_read_path(struct cfg_ctx *ctx, const yaml_node_t *node,
		  const char *what, bool must_exist, char **out)
{
	char *raw = NULL;
	if (cfg_read_string(ctx, node, what, &raw) < 0)
		return -1;

	char *path = cfg_path_resolve(ctx->cfg, raw);
	struct stat st;
	bool check = must_exist && !cfg_is_connection(raw) &&
		     strncmp(raw, "/vsi", 4) != 0;
	if (path && check && stat(path, &st) != 0) {
		char quoted[CFG_QUOTE_MAX + 1];
		cfg_quote(raw, quoted, sizeof(quoted));
		if (errno == ENOENT)
			cfg_error(ctx, node,
				  "không tìm thấy tệp \"%s\" cho %s (đường "
				  "dẫn đầy đủ %s)",
				  "file not found: \"%s\" for %s (resolved to "
				  "%s)",
				  quoted, what, path);
		else
			cfg_error(ctx, node,
				  "không đọc được tệp \"%s\" cho %s (đường "
				  "dẫn đầy đủ %s): %s",
				  "cannot read file \"%s\" for %s (resolved to "
				  "%s): %s",
				  quoted, what, path, strerror(errno));
		free(path);
		path = NULL;
	} else if (path && check && !S_ISREG(st.st_mode) &&
		   !S_ISDIR(st.st_mode)) {
		/* GDAL would block reading a FIFO or read a device forever;
		   folders are data sets too (Shapefile folders). */
		char quoted[CFG_QUOTE_MAX + 1];
		cfg_quote(raw, quoted, sizeof(quoted));
		cfg_error(ctx, node,
			  "\"%s\" cho %s không phải tệp thông thường hay thư "
			  "mục (đường dẫn đầy đủ %s)",
			  "\"%s\" for %s is not a regular file or a folder "
			  "(resolved to %s)",
			  quoted, what, path);
		free(path);
		path = NULL;
	}
	free(raw);
	if (!path)
		return -1;
	free(*out);
	*out = path;
	return 0;
}

/* The EPSG code at the end of a name that mentions EPSG, or 0. */
static int cfg_epsg_code(const char *name)
{
	bool has_epsg = false;
	for (const char *p = name; *p && !has_epsg; p++)
		has_epsg = !strncasecmp(p, "epsg", 4);
	if (!has_epsg)
		return 0;

	size_t len = strlen(name);
	size_t start = len;
	while (start > 0 && name[start - 1] >= '0' && name[start - 1] <= '9')
		start--;
	if (start == len || len - start > 6)
		return 0;
	char *end = NULL;
	long code = strtol(name + start, &end, 10);
	return *end == '\0' ? (int)code : 0;
}

int cfg_read_crs(struct cfg_ctx *ctx, const yaml_node_t *node,
		 const char *what, char **out)
{
	char *name = NULL;
	if (cfg_read_string(ctx, node, what, &name) < 0)
		return -1;

	char quoted[CFG_QUOTE_MAX + 1];
	char id[32];
	const struct vn2000_crs *crs = vn2000_crs_find(name);
	int replacement = crs ? 0 : vn2000_crs_deprecated(cfg_epsg_code(name));
	cfg_quote(name, quoted, sizeof(quoted));
	free(name);

	if (crs) {
		snprintf(id, sizeof(id), "%s", crs->id);
	} else if (replacement) {
		snprintf(id, sizeof(id), "EPSG:%d", replacement);
		cfg_warning(ctx, node,
			    "%s: mã \"%s\" đã bị EPSG loại bỏ (giá trị dịch "
			    "chuyển về phía đông và phía bắc bị hoán đổi); "
			    "dùng %s thay thế",
			    "%s: \"%s\" is deprecated by EPSG (false easting "
			    "and false northing swapped); using %s instead",
			    what, quoted, id);
	} else {
		cfg_error(ctx, node,
			  "hệ tọa độ không xác định \"%s\" cho %s; dùng mã "
			  "EPSG như EPSG:5897, CRS:84 hoặc tên tỉnh",
			  "unknown CRS \"%s\" for %s; use an EPSG code such as "
			  "EPSG:5897, CRS:84 or a province name",
			  quoted, what);
		return -1;
	}

	char *s = strdup(id);
	if (!s)
		return -1;
	free(*out);
	*out = s;
	return 0;
}

void cfg_key_path(char *out, size_t size, const char *what, const char *key)
{
	int n = snprintf(out, size, "%s.%s", what, key);

	if (n < 0 || (size_t)n >= size)
		out[size - 1] = '\0';
}

void cfg_index_path(char *out, size_t size, const char *what, size_t index)
{
	int n = snprintf(out, size, "%s[%zu]", what, index);

	if (n < 0 || (size_t)n >= size)
		out[size - 1] = '\0';
}
