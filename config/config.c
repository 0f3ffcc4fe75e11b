/*
 * Load the YAML config with libyaml's document API, so every node keeps
 * its line for messages, then fill struct cfg section by section.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	cfg_publish_clear(&layer->publish);
	for (size_t i = 0; i < layer->n_links; i++) {
		free(layer->links[i].layer);
		free(layer->links[i].key);
		free(layer->links[i].target_key);
		free(layer->links[i].title_vi);
		free(layer->links[i].title_en);
	}
	free(layer->links);
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
	free(cfg->tiles_cache_control);
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

/* Largest config file, and deepest nesting of mappings and sequences:
   far above any real config, low enough that a hostile file cannot
   exhaust memory or the stack. */
#define CFG_MAX_FILE_BYTES (4 * 1024 * 1024)
#define CFG_MAX_DEPTH 64

/*
 * Read the config file into memory, at most CFG_MAX_FILE_BYTES. The file
 * is opened without blocking and must be a regular file, so a FIFO or a
 * device named by mistake fails at once instead of hanging the start.
 */
static char *cfg_read_file(const char *path, size_t *size,
			   struct cfg_errors *errors)
{
	struct stat st;
	char *text = NULL;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, 0,
				    "không mở được tệp cấu hình: %s",
				    "cannot open the config file: %s",
				    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, 0,
				    "tệp cấu hình không phải tệp thông "
				    "thường%s",
				    "the config file is not a regular file%s",
				    "");
		goto fail;
	}
	if (st.st_size > CFG_MAX_FILE_BYTES) {
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, 0,
				    "tệp cấu hình dài %lld byte, tối đa là %d",
				    "the config file has %lld bytes, the "
				    "maximum is %d",
				    (long long)st.st_size, CFG_MAX_FILE_BYTES);
		goto fail;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL)
		goto fail;
	/* One byte more than the size, to notice a file that grew. */
	got = read(fd, text, (size_t)st.st_size + 1);
	if (got < 0 || got > st.st_size) {
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, 0,
				    "không đọc được tệp cấu hình: %s",
				    "cannot read the config file: %s",
				    got < 0 ? strerror(errno)
					    : "it changed while read");
		goto fail;
	}
	text[got] = '\0';
	*size = (size_t)got;
	close(fd);
	return text;
fail:
	free(text);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Report a libyaml parser error with its line. */
static void cfg_yaml_error(const char *path, const yaml_parser_t *parser,
			   struct cfg_errors *errors)
{
	int line = (int)parser->problem_mark.line + 1;
	int context_line = (int)parser->context_mark.line + 1;
	const char *problem = parser->problem ? parser->problem : "?";

	if (parser->context && context_line != line)
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, line,
				    "lỗi cú pháp YAML: %s %s (bắt đầu ở dòng "
				    "%d)",
				    "YAML syntax error: %s %s (started on line "
				    "%d)",
				    problem, parser->context, context_line);
	else
		cfg_errors_add_lang(errors, CFG_SEVERITY_ERROR, path, line,
				    "lỗi cú pháp YAML: %s%s%s",
				    "YAML syntax error: %s%s%s", problem,
				    parser->context ? " " : "",
				    parser->context ? parser->context : "");
}

/*
 * Scan the events of the text before building the document: at most
 * CFG_MAX_DEPTH nested mappings and sequences, and one YAML document.
 * Returns 0, or -1 with the problem in `errors`.
 */
static int cfg_scan_events(const char *path, const char *text, size_t size,
			   struct cfg_errors *errors)
{
	yaml_parser_t parser;
	yaml_event_t event;
	int depth = 0, documents = 0, rc = 0;
	bool done = false;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     size);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &event)) {
			cfg_yaml_error(path, &parser, errors);
			rc = -1;
			break;
		}
		int line = (int)event.start_mark.line + 1;
		switch (event.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				cfg_errors_add_lang(
					errors, CFG_SEVERITY_ERROR, path, line,
					"tệp cấu hình chứa nhiều tài liệu YAML "
					"(---); chỉ dùng một tài liệu%s",
					"the config file holds more than one "
					"YAML document (---); use one%s", "");
				rc = -1;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CFG_MAX_DEPTH) {
				cfg_errors_add_lang(
					errors, CFG_SEVERITY_ERROR, path, line,
					"YAML lồng nhau quá %d cấp",
					"YAML nested deeper than %d levels",
					CFG_MAX_DEPTH);
				rc = -1;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&event);
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* Read the whole file into a libyaml document. */
static int cfg_load_document(const char *path, yaml_document_t *doc,
			     struct cfg_errors *errors)
{
	yaml_parser_t parser;
	size_t size = 0;
	char *text = cfg_read_file(path, &size, errors);
	int rc = 0;

	if (text == NULL)
		return -1;
	if (cfg_scan_events(path, text, size, errors) != 0) {
		free(text);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     size);
	if (!yaml_parser_load(&parser, doc)) {
		cfg_yaml_error(path, &parser, errors);
		rc = -1;
	}
	yaml_parser_delete(&parser);
	free(text);
	return rc;
}

/* The top-level mapping: one parser per section. */
static void cfg_parse_root(struct cfg_ctx *ctx, const yaml_node_t *root)
{
	static const char *const keys[] = {
		"server", "limits", "output_crs", "secrecy", "layers", "users",
		"versions", "tiles", NULL
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
	if ((v = cfg_mapping_get(ctx, root, "versions")))
		cfg_parse_versions(ctx, v);
	if ((v = cfg_mapping_get(ctx, root, "tiles")))
		cfg_parse_tiles(ctx, v);
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
