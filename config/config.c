/*
 * Load the YAML config with libyaml's document API, so every node keeps
 * its line for messages, then fill struct cfg section by section.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

/* Offered to clients when the file has no output_crs. */
static const char *const cfg_default_output_crs[] = {
	"EPSG:3857", "EPSG:4326", "CRS:84", "EPSG:4756", "EPSG:3405",
	"EPSG:3406"
};

static const char *const cfg_role_names[] = {
	[CFG_ROLE_ANONYMOUS] = "anonymous",
	[CFG_ROLE_PARTNER] = "partner",
	[CFG_ROLE_PLANNER] = "planner",
	[CFG_ROLE_PUBLISHER] = "publisher",
	[CFG_ROLE_ADMIN] = "admin",
};

const char *cfg_role_name(enum cfg_role role)
{
	if ((size_t)role >= sizeof(cfg_role_names) / sizeof(cfg_role_names[0]))
		return "anonymous";
	return cfg_role_names[role];
}

int cfg_role_parse(const char *name, enum cfg_role *out)
{
	for (size_t i = 0;
	     i < sizeof(cfg_role_names) / sizeof(cfg_role_names[0]); i++) {
		if (!strcmp(cfg_role_names[i], name)) {
			*out = (enum cfg_role)i;
			return 0;
		}
	}
	return -1;
}

const struct cfg_layer *cfg_layer_find(const struct cfg *cfg, const char *id)
{
	if (!cfg || !id)
		return NULL;
	for (size_t i = 0; i < cfg->n_layers; i++)
		if (cfg->layers[i].id && !strcmp(cfg->layers[i].id, id))
			return &cfg->layers[i];
	return NULL;
}

static void cfg_layer_clear(struct cfg_layer *layer)
{
	free(layer->id);
	free(layer->title_vi);
	free(layer->title_en);
	free(layer->abstract_vi);
	free(layer->abstract_en);
	free(layer->source);
	free(layer->source_layer);
	free(layer->crs);
	free(layer->encoding);
	free(layer->id_attribute);
	free(layer->time_attribute);
	cfg_strv_free(layer->attributes, layer->n_attributes);
	cfg_strv_free(layer->personal, layer->n_personal);
	cfg_strv_free(layer->personal_roles, layer->n_personal_roles);
	for (size_t i = 0; i < layer->n_styles; i++)
		cfg_style_clear(&layer->styles[i]);
	free(layer->styles);
	for (size_t i = 0; i < layer->n_scenes; i++) {
		free(layer->scenes[i].path);
		free(layer->scenes[i].title);
	}
	free(layer->scenes);
}

void cfg_free(struct cfg *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->dir);
	free(cfg->listen_host);
	free(cfg->data_dir);
	free(cfg->public_url);
	free(cfg->title_vi);
	free(cfg->title_en);
	free(cfg->abstract_vi);
	free(cfg->abstract_en);
	cfg_strv_free(cfg->output_crs, cfg->n_output_crs);
	cfg_strv_free(cfg->cors_origins, cfg->n_cors_origins);
	for (size_t i = 0; i < cfg->n_layers; i++)
		cfg_layer_clear(&cfg->layers[i]);
	free(cfg->layers);
	for (size_t i = 0; i < cfg->n_restricted; i++) {
		struct cfg_restricted *r = &cfg->restricted[i];
		free(r->source);
		free(r->source_layer);
		free(r->crs);
		free(r->name_attribute);
		free(r->reason_attribute);
	}
	free(cfg->restricted);
	for (size_t i = 0; i < cfg->n_users; i++) {
		free(cfg->users[i].name);
		free(cfg->users[i].token_sha256);
	}
	free(cfg->users);
	free(cfg);
}

/* The absolute folder of the config file, or NULL with errno set. */
static char *cfg_dir_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return NULL;
	char *slash = strrchr(copy, '/');
	const char *dir = ".";
	if (slash == copy)
		dir = "/";
	else if (slash) {
		*slash = '\0';
		dir = copy;
	}
	char *abs = realpath(dir, NULL);
	free(copy);
	return abs;
}

/* Values used when the file leaves a key out. */
static int cfg_set_defaults(struct cfg *cfg)
{
	cfg->listen_port = 8080;
	cfg->threads = 8;
	cfg->limits.max_width = 4096;
	cfg->limits.max_height = 4096;
	cfg->limits.default_features = 10;
	cfg->limits.max_features = 1000;
	cfg->limits.request_timeout = 30;
	cfg->limits.max_upload = 512LL * 1024 * 1024;
	cfg->imagery_max_km2 = 200.0;
	cfg->listen_host = strdup("127.0.0.1");
	cfg->data_dir = cfg_path_resolve(cfg, "var");
	return cfg->listen_host && cfg->data_dir ? 0 : -1;
}

/* Defaults that depend on whether the file gave a value. */
static int cfg_set_late_defaults(struct cfg *cfg)
{
	if (!cfg->title_vi && !(cfg->title_vi = strdup("vnsdi")))
		return -1;
	if (!cfg->title_en && !(cfg->title_en = strdup("vnsdi")))
		return -1;
	if (!cfg->abstract_vi && !(cfg->abstract_vi = strdup("")))
		return -1;
	if (!cfg->abstract_en && !(cfg->abstract_en = strdup("")))
		return -1;
	if (cfg->output_crs)
		return 0;

	size_t n = sizeof(cfg_default_output_crs) /
		   sizeof(cfg_default_output_crs[0]);
	cfg->output_crs = calloc(n, sizeof(*cfg->output_crs));
	if (!cfg->output_crs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cfg->output_crs[i] = strdup(cfg_default_output_crs[i]);
		if (!cfg->output_crs[i])
			return -1;
		cfg->n_output_crs = i + 1;
	}
	return 0;
}

/* Read the whole file into a libyaml document. */
static int cfg_load_document(const char *path, yaml_document_t *doc,
			     struct cfg_errors *errors)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int err = errno;
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, 0,
				    "không mở được tệp cấu hình: %s",
				    "cannot open the config file: %s",
				    strerror(err));
		return -1;
	}

	yaml_parser_t parser;
	int rc = 0;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, doc)) {
		int line = (int)parser.problem_mark.line + 1;
		int context_line = (int)parser.context_mark.line + 1;
		const char *problem = parser.problem ? parser.problem : "?";
		if (parser.context && context_line != line)
			cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path,
					    line,
					    "lỗi cú pháp YAML: %s %s (bắt đầu "
					    "ở dòng %d)",
					    "YAML syntax error: %s %s (started "
					    "on line %d)",
					    problem, parser.context,
					    context_line);
		else
			cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path,
					    line, "lỗi cú pháp YAML: %s%s%s",
					    "YAML syntax error: %s%s%s", problem,
					    parser.context ? " " : "",
					    parser.context ? parser.context
							   : "");
		rc = -1;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

/* The top-level mapping: one parser per section. */
static void cfg_parse_root(struct cfg_ctx *ctx, const yaml_node_t *root)
{
	static const char *const keys[] = {
		"server", "limits", "output_crs", "secrecy", "layers", "users",
		NULL
	};
	yaml_node_t *v;

	if (!root || cfg_node_is_null(root)) {
		cfg_errors_add_lang(ctx->errors, CFG_SEVERITY_ERROR,
				    ctx->cfg->path, 0,
				    "tệp cấu hình trống",
				    "the config file is empty");
		return;
	}
	if (!cfg_mapping_check(ctx, root, "", keys))
		return;
	if ((v = cfg_mapping_get(ctx, root, "server")))
		cfg_parse_server(ctx, v);
	if ((v = cfg_mapping_get(ctx, root, "limits")))
		cfg_parse_limits(ctx, v);
	if ((v = cfg_mapping_get(ctx, root, "output_crs")))
		cfg_parse_output_crs(ctx, v);
	if ((v = cfg_mapping_get(ctx, root, "secrecy")))
		cfg_parse_secrecy(ctx, v);
	if ((v = cfg_mapping_get(ctx, root, "users")))
		cfg_parse_users(ctx, v);
	if ((v = cfg_mapping_get(ctx, root, "layers")))
		cfg_parse_layers(ctx, v);
	else
		cfg_error(ctx, root,
			  "thiếu khóa bắt buộc \"layers\": cần ít nhất một "
			  "lớp",
			  "missing required key \"layers\": at least one layer "
			  "is needed");
}

/* Sort the entries from `first` on by line, keeping equal lines in order. */
static void cfg_errors_sort(struct cfg_errors *errors, size_t first)
{
	for (size_t i = first + 1; i < errors->count; i++) {
		struct cfg_error e = errors->items[i];
		size_t j = i;
		while (j > first && errors->items[j - 1].line > e.line) {
			errors->items[j] = errors->items[j - 1];
			j--;
		}
		errors->items[j] = e;
	}
}

int cfg_load(const char *path, struct cfg **out, struct cfg_errors *errors)
{
	struct cfg *cfg = NULL;
	yaml_document_t doc;
	bool have_doc = false;
	size_t errors_before = cfg_errors_count(errors);
	size_t first_entry = errors->count;

	*out = NULL;
	if (cfg_load_document(path, &doc, errors) < 0)
		goto cleanup;
	have_doc = true;

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || !(cfg->path = strdup(path)))
		goto cleanup;
	cfg->dir = cfg_dir_of(path);
	if (!cfg->dir) {
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, 0,
				    "không xác định được thư mục của tệp cấu "
				    "hình: %s",
				    "cannot resolve the folder of the config "
				    "file: %s",
				    strerror(errno));
		goto cleanup;
	}
	if (cfg_set_defaults(cfg) < 0)
		goto cleanup;

	struct cfg_ctx ctx = { .cfg = cfg, .errors = errors, .doc = &doc };
	cfg_parse_root(&ctx, yaml_document_get_root_node(&doc));
	if (cfg_set_late_defaults(cfg) < 0)
		goto cleanup;
	if (cfg_errors_count(errors) == errors_before) {
		*out = cfg;
		cfg = NULL;
	}

cleanup:
	if (!*out && cfg_errors_count(errors) == errors_before)
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, 0,
				    "hết bộ nhớ khi đọc cấu hình",
				    "out of memory while reading the config");
	cfg_errors_sort(errors, first_entry);
	cfg_free(cfg);
	if (have_doc)
		yaml_document_delete(&doc);
	return *out ? 0 : -1;
}
