/*
 * Private to the config module: the parse context and the helpers that read
 * typed values out of libyaml document nodes, reporting every problem with
 * the line of the node.
 */
#ifndef VNSDI_CFG_INTERNAL_H
#define VNSDI_CFG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <yaml.h>

#include "config/config.h"
#include "vn2000/vn2000.h"

/* Maximum length of a key path such as "layers[3].styles[0].fill". */
#define CFG_WHAT_MAX 128

/*
 * Write the key path "what.key" or "what[index]" into out. A path longer
 * than size is cut: it only names a place in messages.
 */
void cfg_key_path(char *out, size_t size, const char *what, const char *key);
void cfg_index_path(char *out, size_t size, const char *what, size_t index);

/* Values quoted in messages are cut to this many bytes. */
#define CFG_QUOTE_MAX 64

/*
 * Copy a value for a message into buf (at least CFG_QUOTE_MAX + 1 bytes):
 * cut to CFG_QUOTE_MAX bytes on a UTF-8 boundary, control characters
 * replaced by '?'.
 */
void cfg_quote(const char *value, char *buf, size_t size);

struct cfg_ctx {
	struct cfg *cfg;             /* being filled */
	struct cfg_errors *errors;   /* borrowed from the caller */
	yaml_document_t *doc;
};

/* Append a problem whose two texts are already formatted (copied). */
void cfg_errors_add_texts(struct cfg_errors *errors,
			  enum cfg_severity severity, const char *file,
			  int line, const char *vi, const char *en);

/* Report a problem at `node` (may be NULL: no line). */
void cfg_report(struct cfg_ctx *ctx, enum cfg_severity severity,
		const yaml_node_t *node, const char *fmt_vi,
		const char *fmt_en, ...)
	__attribute__((format(printf, 4, 6), format(printf, 5, 6)));

#define cfg_error(ctx, node, ...) \
	cfg_report((ctx), CFG_SEVERITY_ERROR, (node), __VA_ARGS__)
#define cfg_warning(ctx, node, ...) \
	cfg_report((ctx), CFG_SEVERITY_WARNING, (node), __VA_ARGS__)

int cfg_node_line(const yaml_node_t *node);

/* True for an absent value: a plain "", "~", "null" or "Null". */
bool cfg_node_is_null(const yaml_node_t *node);

/*
 * Check that `node` is a mapping whose keys are scalars from `allowed`
 * (NULL-terminated), each given once. Reports what is wrong and returns
 * false when `node` is not a mapping at all.
 */
bool cfg_mapping_check(struct cfg_ctx *ctx, const yaml_node_t *node,
		       const char *what, const char *const *allowed);

/* Value of `key` in a mapping, or NULL when the key is absent or null. */
yaml_node_t *cfg_mapping_get(struct cfg_ctx *ctx, const yaml_node_t *map,
			     const char *key);

/* Value of `key` in a mapping, null values included, or NULL. */
yaml_node_t *cfg_mapping_get_raw(struct cfg_ctx *ctx, const yaml_node_t *map,
				 const char *key);

/* Report that `node` should be a sequence. Returns true when it is one. */
bool cfg_expect_sequence(struct cfg_ctx *ctx, const yaml_node_t *node,
			 const char *what);

/*
 * Typed readers. Each returns 0 and sets *out, or reports the problem
 * naming `what` and the value and returns -1 leaving *out unchanged.
 * Strings are new copies the caller owns; a reader that replaces an old
 * string frees it.
 */
int cfg_read_string(struct cfg_ctx *ctx, const yaml_node_t *node,
		    const char *what, char **out);
int cfg_read_int(struct cfg_ctx *ctx, const yaml_node_t *node,
		 const char *what, long min, long max, int *out);
int cfg_read_double(struct cfg_ctx *ctx, const yaml_node_t *node,
		    const char *what, double min, double max, double *out);
int cfg_read_colour(struct cfg_ctx *ctx, const yaml_node_t *node,
		    const char *what, uint32_t *out);
int cfg_read_string_list(struct cfg_ctx *ctx, const yaml_node_t *node,
			 const char *what, char ***out, size_t *n);

/*
 * Read {vi: ..., en: ...}. A missing language takes the other one's text.
 */
int cfg_read_bilingual(struct cfg_ctx *ctx, const yaml_node_t *node,
		       const char *what, char **vi, char **en);

/*
 * Read a path, resolve it against the config folder and, when `must_exist`,
 * report a file that does not exist. GDAL connection strings and /vsi paths
 * are never checked.
 */
int cfg_read_path(struct cfg_ctx *ctx, const yaml_node_t *node,
		  const char *what, bool must_exist, char **out);

/*
 * Read a CRS name and store the catalogue id ("EPSG:5897"). A deprecated
 * VN-2000 code gets a warning and its replacement.
 */
int cfg_read_crs(struct cfg_ctx *ctx, const yaml_node_t *node,
		 const char *what, char **out);

/* Free a string array of n entries. Accepts NULL. */
void cfg_strv_free(char **v, size_t n);

/* True when `name` is one of the n strings of `list`. */
bool cfg_strv_contains(char *const *list, size_t n, const char *name);

/* Sections, each parsed into ctx->cfg. */
void cfg_parse_server(struct cfg_ctx *ctx, const yaml_node_t *node);
void cfg_parse_limits(struct cfg_ctx *ctx, const yaml_node_t *node);
void cfg_parse_output_crs(struct cfg_ctx *ctx, const yaml_node_t *node);
void cfg_parse_secrecy(struct cfg_ctx *ctx, const yaml_node_t *node);
void cfg_parse_users(struct cfg_ctx *ctx, const yaml_node_t *node);
void cfg_parse_layers(struct cfg_ctx *ctx, const yaml_node_t *node);
void cfg_parse_versions(struct cfg_ctx *ctx, const yaml_node_t *node);
void cfg_parse_tiles(struct cfg_ctx *ctx, const yaml_node_t *node);

/* A vector layer's `publish` mapping (cfg_publish.c). */
void cfg_parse_layer_publish(struct cfg_ctx *ctx, const yaml_node_t *node,
			     const char *what, struct cfg_layer *layer);
/* Defaults of a layer's publish settings, and their release. */
void cfg_publish_init(struct cfg_publish *publish);
void cfg_publish_clear(struct cfg_publish *publish);

/* Fill the defaults of a style that the file leaves out. */
int cfg_style_set_defaults(struct cfg_style *style);
void cfg_style_clear(struct cfg_style *style);

#endif
