/*
 * The keys of publishing: a vector layer's `publish` mapping (what a new
 * version must satisfy) and the top-level `versions` mapping (how many
 * published versions are kept).
 */
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

/* Largest percentage accepted for area_tolerance_pct. */
#define CFG_PCT_MAX 1000.0
/* Largest sliver area accepted, in m2 (1 km2). */
#define CFG_SLIVER_MAX 1e6
/* Largest number of versions kept. */
#define CFG_RETENTION_MAX 100000

void cfg_publish_init(struct cfg_publish *publish)
{
	memset(publish, 0, sizeof(*publish));
	publish->policy = CFG_PUBLISH_REJECT;
	publish->sliver_area_m2 = 1.0;
	publish->area_tolerance_pct = 5.0;
}

void cfg_publish_clear(struct cfg_publish *publish)
{
	cfg_strv_free(publish->required, publish->n_required);
	cfg_strv_free(publish->key, publish->n_key);
	free(publish->area_attribute);
	free(publish->landuse_attribute);
	memset(publish, 0, sizeof(*publish));
}

static void cfg_parse_policy(struct cfg_ctx *ctx, const yaml_node_t *node,
			     const char *what, struct cfg_publish *publish)
{
	char *text = NULL;
	char quoted[CFG_QUOTE_MAX + 1];

	if (cfg_read_string(ctx, node, what, &text) < 0)
		return;
	if (strcmp(text, "reject") == 0) {
		publish->policy = CFG_PUBLISH_REJECT;
	} else if (strcmp(text, "repair") == 0) {
		publish->policy = CFG_PUBLISH_REPAIR;
	} else {
		cfg_quote(text, quoted, sizeof(quoted));
		cfg_error(ctx, node,
			  "chính sách không hợp lệ \"%s\" cho %s: cần reject "
			  "hoặc repair",
			  "invalid policy \"%s\" for %s: expected reject or "
			  "repair",
			  quoted, what);
	}
	free(text);
}

void cfg_parse_layer_publish(struct cfg_ctx *ctx, const yaml_node_t *node,
			     const char *what, struct cfg_layer *layer)
{
	static const char *const keys[] = {
		"policy", "sliver_area_m2", "area_tolerance_pct", "required",
		"key", "area_attribute", "landuse_attribute", NULL
	};
	struct cfg_publish *p = &layer->publish;
	char sub[CFG_WHAT_MAX + 48];
	yaml_node_t *v;

	p->line = cfg_node_line(node);
	if (!cfg_mapping_check(ctx, node, what, keys))
		return;
	cfg_key_path(sub, sizeof(sub), what, "policy");
	if ((v = cfg_mapping_get(ctx, node, "policy")))
		cfg_parse_policy(ctx, v, sub, p);
	cfg_key_path(sub, sizeof(sub), what, "sliver_area_m2");
	if ((v = cfg_mapping_get(ctx, node, "sliver_area_m2")))
		cfg_read_double(ctx, v, sub, 0, CFG_SLIVER_MAX,
				&p->sliver_area_m2);
	cfg_key_path(sub, sizeof(sub), what, "area_tolerance_pct");
	if ((v = cfg_mapping_get(ctx, node, "area_tolerance_pct")))
		cfg_read_double(ctx, v, sub, 0, CFG_PCT_MAX,
				&p->area_tolerance_pct);
	cfg_key_path(sub, sizeof(sub), what, "required");
	if ((v = cfg_mapping_get(ctx, node, "required")))
		cfg_read_string_list(ctx, v, sub, &p->required,
				     &p->n_required);
	cfg_key_path(sub, sizeof(sub), what, "key");
	if ((v = cfg_mapping_get(ctx, node, "key")))
		cfg_read_string_list(ctx, v, sub, &p->key, &p->n_key);
	cfg_key_path(sub, sizeof(sub), what, "area_attribute");
	if ((v = cfg_mapping_get(ctx, node, "area_attribute")))
		cfg_read_string(ctx, v, sub, &p->area_attribute);
	cfg_key_path(sub, sizeof(sub), what, "landuse_attribute");
	if ((v = cfg_mapping_get(ctx, node, "landuse_attribute")))
		cfg_read_string(ctx, v, sub, &p->landuse_attribute);
}

void cfg_parse_versions(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	static const char *const keys[] = { "retention", NULL };
	yaml_node_t *v;

	if (!cfg_mapping_check(ctx, node, "versions", keys))
		return;
	if ((v = cfg_mapping_get(ctx, node, "retention")))
		cfg_read_int(ctx, v, "versions.retention", 0,
			     CFG_RETENTION_MAX, &ctx->cfg->versions_retention);
}
