/*
 * The top-level `tiles` mapping: settings of the tile services (WMTS, XYZ)
 * and their cache.
 */
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

/* Longest Cache-Control value accepted, in bytes. */
#define CFG_CACHE_CONTROL_MAX 256

/* Largest tile cache limit: 16 TiB, in MiB. */
#define CFG_CACHE_MAX_MB (16 * 1024 * 1024)

/* A header value: visible ASCII and spaces only, so that no line break
   can reach the HTTP response. */
static bool cfg_header_value_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CFG_CACHE_CONTROL_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

void cfg_parse_tiles(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	static const char *const keys[] = { "cache_control", "cache_max_mb",
					    NULL };
	yaml_node_t *v;
	char *value = NULL;

	if (!cfg_mapping_check(ctx, node, "tiles", keys))
		return;
	v = cfg_mapping_get(ctx, node, "cache_max_mb");
	if (v != NULL)
		cfg_read_int(ctx, v, "tiles.cache_max_mb", 0, CFG_CACHE_MAX_MB,
			     &ctx->cfg->tiles_cache_max_mb);
	v = cfg_mapping_get(ctx, node, "cache_control");
	if (v == NULL ||
	    cfg_read_string(ctx, v, "tiles.cache_control", &value) != 0)
		return;
	if (!cfg_header_value_ok(value)) {
		char quoted[CFG_QUOTE_MAX + 1];

		cfg_quote(value, quoted, sizeof(quoted));
		cfg_error(ctx, v,
			  "giá trị không hợp lệ \"%s\" cho tiles.cache_control: "
			  "cần 1 đến %d ký tự ASCII in được, không xuống dòng",
			  "invalid value \"%s\" for tiles.cache_control: 1 to "
			  "%d printable ASCII characters are needed, without "
			  "line breaks",
			  quoted, CFG_CACHE_CONTROL_MAX);
		free(value);
		return;
	}
	free(ctx->cfg->tiles_cache_control);
	ctx->cfg->tiles_cache_control = value;
}
