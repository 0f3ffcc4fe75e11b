/*
 * The sections of the config file other than `layers`: server, limits,
 * output_crs, secrecy and users.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

#define CFG_THREADS_MAX 1024
#define CFG_IMAGE_SIDE_MAX 65535
#define CFG_FEATURES_MAX 1000000
#define CFG_TIMEOUT_MAX 86400
#define CFG_UPLOAD_MB_MAX (1024 * 1024)
#define CFG_RATE_MAX 1e6
#define CFG_AREA_KM2_MAX 1e9

/*
 * Split "HOST:PORT" ("[::1]:PORT" for IPv6) into a new host string and a
 * port. Returns 0, or -1 when the text is not of that form.
 */
static int cfg_split_listen(const char *text, char **host, int *port)
{
	const char *colon = strrchr(text, ':');
	if (!colon || colon == text)
		return -1;

	const char *h = text;
	size_t hlen = (size_t)(colon - text);
	if (h[0] == '[') {
		if (hlen < 3 || h[hlen - 1] != ']')
			return -1;
		h++;
		hlen -= 2;
	}

	char *end = NULL;
	long p = strtol(colon + 1, &end, 10);
	/* Port 0 asks the system for a free port, as --listen does. */
	if (!isdigit((unsigned char)colon[1]) || *end || p < 0 || p > 65535)
		return -1;

	char *copy = strndup(h, hlen);
	if (!copy)
		return -1;
	free(*host);
	*host = copy;
	*port = (int)p;
	return 0;
}

static void cfg_parse_listen(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	char *text = NULL;
	if (cfg_read_string(ctx, node, "server.listen", &text) < 0)
		return;
	char quoted[CFG_QUOTE_MAX + 1];
	cfg_quote(text, quoted, sizeof(quoted));
	if (cfg_split_listen(text, &ctx->cfg->listen_host,
			     &ctx->cfg->listen_port) < 0)
		cfg_error(ctx, node,
			  "địa chỉ lắng nghe không hợp lệ \"%s\" cho "
			  "server.listen: cần HOST:PORT, ví dụ "
			  "127.0.0.1:8080, cổng từ 0 đến 65535 (0: một cổng "
			  "trống bất kỳ)",
			  "invalid listen address \"%s\" for server.listen: "
			  "expected HOST:PORT such as 127.0.0.1:8080, port "
			  "from 0 to 65535 (0: any free port)",
			  quoted);
	free(text);
}

/* public_url: an http(s) URL, kept without a trailing slash. */
static void cfg_parse_public_url(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	char *url = NULL;
	if (cfg_read_string(ctx, node, "server.public_url", &url) < 0)
		return;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		char quoted[CFG_QUOTE_MAX + 1];
		cfg_quote(url, quoted, sizeof(quoted));
		cfg_error(ctx, node,
			  "URL không hợp lệ \"%s\" cho server.public_url: "
			  "cần bắt đầu bằng http:// hoặc https://",
			  "invalid URL \"%s\" for server.public_url: "
			  "expected http:// or https:// at the start",
			  quoted);
		free(url);
		return;
	}
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	free(ctx->cfg->public_url);
	ctx->cfg->public_url = url;
}

void cfg_parse_server(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	static const char *const keys[] = {
		"listen", "threads", "data_dir", "public_url", "title",
		"abstract", "cors_origins", NULL
	};
	struct cfg *cfg = ctx->cfg;
	yaml_node_t *v;

	if (!cfg_mapping_check(ctx, node, "server", keys))
		return;
	if ((v = cfg_mapping_get(ctx, node, "listen")))
		cfg_parse_listen(ctx, v);
	if ((v = cfg_mapping_get(ctx, node, "threads")))
		cfg_read_int(ctx, v, "server.threads", 1, CFG_THREADS_MAX,
			     &cfg->threads);
	if ((v = cfg_mapping_get(ctx, node, "data_dir")))
		cfg_read_path(ctx, v, "server.data_dir", false,
			      &cfg->data_dir);
	if ((v = cfg_mapping_get(ctx, node, "public_url")))
		cfg_parse_public_url(ctx, v);
	if ((v = cfg_mapping_get(ctx, node, "title")))
		cfg_read_bilingual(ctx, v, "server.title", &cfg->title_vi,
				   &cfg->title_en);
	if ((v = cfg_mapping_get(ctx, node, "abstract")))
		cfg_read_bilingual(ctx, v, "server.abstract",
				   &cfg->abstract_vi, &cfg->abstract_en);
	if ((v = cfg_mapping_get(ctx, node, "cors_origins")))
		cfg_read_string_list(ctx, v, "server.cors_origins",
				     &cfg->cors_origins, &cfg->n_cors_origins);
}

void cfg_parse_limits(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	static const char *const keys[] = {
		"max_width", "max_height", "default_features", "max_features",
		"request_timeout", "max_upload_mb", NULL
	};
	struct cfg_limits *lim = &ctx->cfg->limits;
	yaml_node_t *v;
	int upload_mb = 0;

	if (!cfg_mapping_check(ctx, node, "limits", keys))
		return;
	if ((v = cfg_mapping_get(ctx, node, "max_width")))
		cfg_read_int(ctx, v, "limits.max_width", 1, CFG_IMAGE_SIDE_MAX,
			     &lim->max_width);
	if ((v = cfg_mapping_get(ctx, node, "max_height")))
		cfg_read_int(ctx, v, "limits.max_height", 1,
			     CFG_IMAGE_SIDE_MAX, &lim->max_height);
	if ((v = cfg_mapping_get(ctx, node, "max_features")))
		cfg_read_int(ctx, v, "limits.max_features", 1,
			     CFG_FEATURES_MAX, &lim->max_features);
	if ((v = cfg_mapping_get(ctx, node, "default_features")))
		cfg_read_int(ctx, v, "limits.default_features", 1,
			     lim->max_features, &lim->default_features);
	else if (lim->default_features > lim->max_features)
		lim->default_features = lim->max_features;
	if ((v = cfg_mapping_get(ctx, node, "request_timeout")))
		cfg_read_int(ctx, v, "limits.request_timeout", 1,
			     CFG_TIMEOUT_MAX, &lim->request_timeout);
	if ((v = cfg_mapping_get(ctx, node, "max_upload_mb")) &&
	    cfg_read_int(ctx, v, "limits.max_upload_mb", 1, CFG_UPLOAD_MB_MAX,
			 &upload_mb) == 0)
		lim->max_upload = (long long)upload_mb * 1024 * 1024;
}

void cfg_parse_output_crs(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	struct cfg *cfg = ctx->cfg;
	if (!cfg_expect_sequence(ctx, node, "output_crs"))
		return;

	size_t count = (size_t)(node->data.sequence.items.top -
				node->data.sequence.items.start);
	char **ids = calloc(count ? count : 1, sizeof(*ids));
	size_t n = 0;
	if (!ids)
		return;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_document_get_node(
			ctx->doc, node->data.sequence.items.start[i]);
		char what[CFG_WHAT_MAX];
		char *id = NULL;
		snprintf(what, sizeof(what), "output_crs[%zu]", i);
		if (cfg_read_crs(ctx, item, what, &id) < 0)
			continue;
		if (cfg_strv_contains(ids, n, id)) {
			cfg_error(ctx, item, "%s lặp lại %s",
				  "%s repeats %s", what, id);
			free(id);
			continue;
		}
		ids[n++] = id;
	}
	cfg_strv_free(cfg->output_crs, cfg->n_output_crs);
	cfg->output_crs = ids;
	cfg->n_output_crs = n;
}

static void cfg_parse_restricted(struct cfg_ctx *ctx, const yaml_node_t *node,
				 size_t index, struct cfg_restricted *r)
{
	static const char *const keys[] = {
		"source", "layer", "crs", "name_attribute", "reason_attribute",
		NULL
	};
	char what[CFG_WHAT_MAX];
	char sub[CFG_WHAT_MAX + 24];
	yaml_node_t *v;

	r->line = cfg_node_line(node);
	snprintf(what, sizeof(what), "secrecy.restricted_areas[%zu]", index);
	if (!cfg_mapping_check(ctx, node, what, keys))
		return;

	cfg_key_path(sub, sizeof(sub), what, "source");
	if ((v = cfg_mapping_get(ctx, node, "source")))
		cfg_read_path(ctx, v, sub, true, &r->source);
	else
		cfg_error(ctx, node, "thiếu khóa bắt buộc \"source\" trong %s",
			  "missing required key \"source\" in %s", what);
	cfg_key_path(sub, sizeof(sub), what, "layer");
	if ((v = cfg_mapping_get(ctx, node, "layer")))
		cfg_read_string(ctx, v, sub, &r->source_layer);
	cfg_key_path(sub, sizeof(sub), what, "crs");
	if ((v = cfg_mapping_get(ctx, node, "crs")))
		cfg_read_crs(ctx, v, sub, &r->crs);
	cfg_key_path(sub, sizeof(sub), what, "name_attribute");
	if ((v = cfg_mapping_get(ctx, node, "name_attribute")))
		cfg_read_string(ctx, v, sub, &r->name_attribute);
	cfg_key_path(sub, sizeof(sub), what, "reason_attribute");
	if ((v = cfg_mapping_get(ctx, node, "reason_attribute")))
		cfg_read_string(ctx, v, sub, &r->reason_attribute);
}

void cfg_parse_secrecy(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	static const char *const keys[] = {
		"imagery_max_km2", "restricted_areas", NULL
	};
	struct cfg *cfg = ctx->cfg;
	yaml_node_t *v;

	if (!cfg_mapping_check(ctx, node, "secrecy", keys))
		return;
	if ((v = cfg_mapping_get(ctx, node, "imagery_max_km2")))
		cfg_read_double(ctx, v, "secrecy.imagery_max_km2", 1e-6,
				CFG_AREA_KM2_MAX, &cfg->imagery_max_km2);

	v = cfg_mapping_get(ctx, node, "restricted_areas");
	if (!v || !cfg_expect_sequence(ctx, v, "secrecy.restricted_areas"))
		return;
	size_t count = (size_t)(v->data.sequence.items.top -
				v->data.sequence.items.start);
	if (!count)
		return;
	cfg->restricted = calloc(count, sizeof(*cfg->restricted));
	if (!cfg->restricted)
		return;
	cfg->n_restricted = count;
	for (size_t i = 0; i < count; i++)
		cfg_parse_restricted(ctx,
				     yaml_document_get_node(
					     ctx->doc,
					     v->data.sequence.items.start[i]),
				     i, &cfg->restricted[i]);
}

/* token_sha256: 64 hex digits, stored in lowercase. */
static void cfg_parse_token(struct cfg_ctx *ctx, const yaml_node_t *node,
			    const char *what, struct cfg_user *u)
{
	char *hex = NULL;
	if (cfg_read_string(ctx, node, what, &hex) < 0)
		return;
	size_t len = strlen(hex);
	bool ok = len == 64;
	for (size_t i = 0; ok && i < len; i++) {
		ok = isxdigit((unsigned char)hex[i]) != 0;
		hex[i] = (char)tolower((unsigned char)hex[i]);
	}
	if (!ok) {
		/* The value is not echoed: it is credential material. */
		cfg_error(ctx, node,
			  "%s không hợp lệ: cần đúng 64 chữ số thập lục phân "
			  "(SHA-256 của token), nhận được %zu ký tự",
			  "invalid %s: expected exactly 64 hexadecimal digits "
			  "(the SHA-256 of the token), got %zu characters",
			  what, len);
		free(hex);
		return;
	}
	u->token_sha256 = hex;
}

static void cfg_parse_role(struct cfg_ctx *ctx, const yaml_node_t *node,
			   const char *what, struct cfg_user *u)
{
	char *name = NULL;
	if (cfg_read_string(ctx, node, what, &name) < 0)
		return;
	char quoted[CFG_QUOTE_MAX + 1];
	cfg_quote(name, quoted, sizeof(quoted));
	if (cfg_role_parse(name, &u->role) < 0)
		cfg_error(ctx, node,
			  "vai trò không hợp lệ \"%s\" cho %s; các vai trò: "
			  "anonymous, partner, planner, publisher, admin",
			  "unknown role \"%s\" for %s; allowed roles: "
			  "anonymous, partner, planner, publisher, admin",
			  quoted, what);
	free(name);
}

static void cfg_parse_user(struct cfg_ctx *ctx, const yaml_node_t *node,
			   size_t index, struct cfg_user *u)
{
	static const char *const keys[] = {
		"name", "role", "token_sha256", "rate_limit", NULL
	};
	char what[CFG_WHAT_MAX];
	char sub[CFG_WHAT_MAX + 24];
	yaml_node_t *v;

	u->line = cfg_node_line(node);
	snprintf(what, sizeof(what), "users[%zu]", index);
	if (!cfg_mapping_check(ctx, node, what, keys))
		return;

	static const char *const required[] = { "name", "role",
						"token_sha256" };
	for (size_t i = 0; i < 3; i++)
		if (!cfg_mapping_get(ctx, node, required[i]))
			cfg_error(ctx, node,
				  "thiếu khóa bắt buộc \"%s\" trong %s",
				  "missing required key \"%s\" in %s",
				  required[i], what);

	cfg_key_path(sub, sizeof(sub), what, "name");
	if ((v = cfg_mapping_get(ctx, node, "name")))
		cfg_read_string(ctx, v, sub, &u->name);
	cfg_key_path(sub, sizeof(sub), what, "role");
	if ((v = cfg_mapping_get(ctx, node, "role")))
		cfg_parse_role(ctx, v, sub, u);
	cfg_key_path(sub, sizeof(sub), what, "token_sha256");
	if ((v = cfg_mapping_get(ctx, node, "token_sha256")))
		cfg_parse_token(ctx, v, sub, u);
	cfg_key_path(sub, sizeof(sub), what, "rate_limit");
	if ((v = cfg_mapping_get(ctx, node, "rate_limit")))
		cfg_read_double(ctx, v, sub, 0, CFG_RATE_MAX, &u->rate_limit);
}

/* Two users with one name or one token cannot be distinguished. */
static void cfg_check_users_unique(struct cfg_ctx *ctx,
				   const yaml_node_t *node)
{
	const struct cfg *cfg = ctx->cfg;
	for (size_t i = 0; i < cfg->n_users; i++) {
		const struct cfg_user *a = &cfg->users[i];
		for (size_t j = 0; j < i; j++) {
			const struct cfg_user *b = &cfg->users[j];
			yaml_node_t *item = yaml_document_get_node(
				ctx->doc, node->data.sequence.items.start[i]);
			char quoted[CFG_QUOTE_MAX + 1];
			cfg_quote(a->name ? a->name : "", quoted,
				  sizeof(quoted));
			if (a->name && b->name && !strcmp(a->name, b->name))
				cfg_error(ctx, item,
					  "tên người dùng \"%s\" bị trùng "
					  "(đã khai báo ở dòng %d)",
					  "duplicate user name \"%s\" "
					  "(first defined on line %d)",
					  quoted, b->line);
			if (a->token_sha256 && b->token_sha256 &&
			    !strcmp(a->token_sha256, b->token_sha256))
				cfg_error(ctx, item,
					  "token_sha256 của users[%zu] trùng "
					  "với người dùng ở dòng %d",
					  "users[%zu] has the same "
					  "token_sha256 as the user on line %d",
					  i, b->line);
		}
	}
}

void cfg_parse_users(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	struct cfg *cfg = ctx->cfg;
	if (!cfg_expect_sequence(ctx, node, "users"))
		return;
	size_t count = (size_t)(node->data.sequence.items.top -
				node->data.sequence.items.start);
	if (!count)
		return;
	cfg->users = calloc(count, sizeof(*cfg->users));
	if (!cfg->users)
		return;
	cfg->n_users = count;
	for (size_t i = 0; i < count; i++)
		cfg_parse_user(ctx,
			       yaml_document_get_node(
				       ctx->doc,
				       node->data.sequence.items.start[i]),
			       i, &cfg->users[i]);
	cfg_check_users_unique(ctx, node);
}
