/*
 * The `layers` section: vector layers with their styles, raster layers with
 * their imagery scenes, and the checks between a layer's keys (personal and
 * styled attributes must be exposed).
 */
#include <iconv.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

#define CFG_ID_MAX 64
#define CFG_STYLES_MAX 64
#define CFG_SCENES_MAX 10000
#define CFG_PIXELS_MAX 1000.0

/* Keys that only a vector layer may have. */
static const char *const cfg_vector_keys[] = {
	"source", "source_layer", "encoding", "id_attribute",
	"time_attribute", "attributes", "personal", "personal_roles",
	"styles", "publish", "links", NULL
};

static bool cfg_id_valid(const char *id, bool allow_upper)
{
	size_t len = strlen(id);
	if (len == 0 || len > CFG_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '_' ||
			  (allow_upper && ((c >= 'A' && c <= 'Z') ||
					   c == '-' || c == '.'));
		if (!ok)
			return false;
	}
	return true;
}

int cfg_style_set_defaults(struct cfg_style *style)
{
	if (!style->name && !(style->name = strdup("default")))
		return -1;
	if (!style->title_vi &&
	    !(style->title_vi = strdup(strcmp(style->name, "default")
						       ? style->name
						       : "Mặc định")))
		return -1;
	if (!style->title_en &&
	    !(style->title_en = strdup(strcmp(style->name, "default")
						       ? style->name
						       : "Default")))
		return -1;
	return 0;
}

void cfg_style_clear(struct cfg_style *style)
{
	free(style->name);
	free(style->title_vi);
	free(style->title_en);
	free(style->fill_by);
	free(style->label);
	free(style->label_area);
	memset(style, 0, sizeof(*style));
}

/* Numeric defaults of a style: black 1 px outline, no fill. */
static void cfg_style_init(struct cfg_style *style)
{
	memset(style, 0, sizeof(*style));
	style->fill = 0x00000000u;
	style->stroke = 0x000000FFu;
	style->stroke_width = 1.0;
	style->point_radius = 3.0;
}

/*
 * Report an attribute named by `key` that the layer does not expose. Only
 * checked when the layer lists its attributes.
 */
static void cfg_check_exposed(struct cfg_ctx *ctx, const yaml_node_t *node,
			      const struct cfg_layer *layer, const char *what,
			      const char *name)
{
	if (!layer->n_attributes ||
	    cfg_strv_contains(layer->attributes, layer->n_attributes, name))
		return;
	char quoted[CFG_QUOTE_MAX + 1];
	cfg_quote(name, quoted, sizeof(quoted));
	cfg_error(ctx, node,
		  "%s nêu thuộc tính \"%s\" không có trong danh sách "
		  "attributes của lớp %s",
		  "%s names attribute \"%s\", which is not in the attributes "
		  "list of layer %s",
		  what, quoted, layer->id ? layer->id : "?");
}

static void cfg_parse_style(struct cfg_ctx *ctx, const yaml_node_t *node,
			    const char *what, const struct cfg_layer *layer,
			    struct cfg_style *style)
{
	static const char *const keys[] = {
		"name", "title", "fill_by", "fill", "stroke", "stroke_width",
		"point_radius", "label", "label_area", NULL
	};
	char sub[CFG_WHAT_MAX + 24];
	yaml_node_t *v;

	if (!cfg_mapping_check(ctx, node, what, keys))
		return;
	cfg_key_path(sub, sizeof(sub), what, "name");
	if ((v = cfg_mapping_get(ctx, node, "name")) &&
	    cfg_read_string(ctx, v, sub, &style->name) == 0 &&
	    !cfg_id_valid(style->name, true)) {
		char quoted[CFG_QUOTE_MAX + 1];
		cfg_quote(style->name, quoted, sizeof(quoted));
		cfg_error(ctx, v,
			  "tên kiểu không hợp lệ \"%s\" cho %s: chỉ dùng chữ "
			  "cái ASCII, chữ số, \"_\", \"-\" và \".\"",
			  "invalid style name \"%s\" for %s: use only ASCII "
			  "letters, digits, \"_\", \"-\" and \".\"",
			  quoted, sub);
	}
	cfg_key_path(sub, sizeof(sub), what, "title");
	if ((v = cfg_mapping_get(ctx, node, "title")))
		cfg_read_bilingual(ctx, v, sub, &style->title_vi,
				   &style->title_en);
	cfg_key_path(sub, sizeof(sub), what, "fill_by");
	if ((v = cfg_mapping_get(ctx, node, "fill_by")) &&
	    cfg_read_string(ctx, v, sub, &style->fill_by) == 0)
		cfg_check_exposed(ctx, v, layer, sub, style->fill_by);
	cfg_key_path(sub, sizeof(sub), what, "label");
	if ((v = cfg_mapping_get(ctx, node, "label")) &&
	    cfg_read_string(ctx, v, sub, &style->label) == 0)
		cfg_check_exposed(ctx, v, layer, sub, style->label);
	cfg_key_path(sub, sizeof(sub), what, "label_area");
	if ((v = cfg_mapping_get(ctx, node, "label_area")) &&
	    cfg_read_string(ctx, v, sub, &style->label_area) == 0)
		cfg_check_exposed(ctx, v, layer, sub, style->label_area);

	/* Colours are read even when null, to explain an unquoted '#'. */
	cfg_key_path(sub, sizeof(sub), what, "fill");
	if ((v = cfg_mapping_get_raw(ctx, node, "fill")))
		cfg_read_colour(ctx, v, sub, &style->fill);
	cfg_key_path(sub, sizeof(sub), what, "stroke");
	if ((v = cfg_mapping_get_raw(ctx, node, "stroke")))
		cfg_read_colour(ctx, v, sub, &style->stroke);
	cfg_key_path(sub, sizeof(sub), what, "stroke_width");
	if ((v = cfg_mapping_get(ctx, node, "stroke_width")))
		cfg_read_double(ctx, v, sub, 0, CFG_PIXELS_MAX,
				&style->stroke_width);
	cfg_key_path(sub, sizeof(sub), what, "point_radius");
	if ((v = cfg_mapping_get(ctx, node, "point_radius")))
		cfg_read_double(ctx, v, sub, 0, CFG_PIXELS_MAX,
				&style->point_radius);
}

static void cfg_parse_styles(struct cfg_ctx *ctx, const yaml_node_t *node,
			     const char *what, struct cfg_layer *layer)
{
	if (!cfg_expect_sequence(ctx, node, what))
		return;
	size_t count = (size_t)(node->data.sequence.items.top -
				node->data.sequence.items.start);
	if (count > CFG_STYLES_MAX) {
		cfg_error(ctx, node, "%s có %zu kiểu, tối đa là %d",
			  "%s has %zu styles, the maximum is %d", what, count,
			  CFG_STYLES_MAX);
		return;
	}
	if (!count)
		return;
	layer->styles = calloc(count, sizeof(*layer->styles));
	if (!layer->styles)
		return;
	layer->n_styles = count;

	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_document_get_node(
			ctx->doc, node->data.sequence.items.start[i]);
		struct cfg_style *style = &layer->styles[i];
		char sub[CFG_WHAT_MAX + 24];
		cfg_index_path(sub, sizeof(sub), what, i);
		cfg_style_init(style);
		cfg_parse_style(ctx, item, sub, layer, style);
		if (cfg_style_set_defaults(style) < 0)
			continue;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(layer->styles[j].name, style->name))
				cfg_error(ctx, item,
					  "tên kiểu \"%s\" bị trùng trong %s",
					  "duplicate style name \"%s\" in %s",
					  style->name, what);
	}
}

#define CFG_LINKS_MAX 32

/* links: [{layer, key, target_key, title: {vi, en}}]; `key` must be an
   exposed attribute. The target layer is checked when the server loads. */
static void cfg_parse_links(struct cfg_ctx *ctx, const yaml_node_t *node,
			    const char *what, struct cfg_layer *layer)
{
	static const char *const keys[] = {
		"layer", "key", "target_key", "title", NULL
	};
	size_t count;

	if (!cfg_expect_sequence(ctx, node, what))
		return;
	count = (size_t)(node->data.sequence.items.top -
			 node->data.sequence.items.start);
	if (count > CFG_LINKS_MAX) {
		cfg_error(ctx, node, "%s có %zu liên kết, tối đa là %d",
			  "%s has %zu links, the maximum is %d", what, count,
			  CFG_LINKS_MAX);
		return;
	}
	if (!count || !(layer->links = calloc(count, sizeof(*layer->links))))
		return;
	layer->n_links = count;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_document_get_node(
			ctx->doc, node->data.sequence.items.start[i]);
		struct cfg_link *link = &layer->links[i];
		char item_what[CFG_WHAT_MAX + 24];
		char sub[CFG_WHAT_MAX + 48];
		yaml_node_t *v;

		cfg_index_path(item_what, sizeof(item_what), what, i);
		link->line = cfg_node_line(item);
		if (!cfg_mapping_check(ctx, item, item_what, keys))
			continue;
		for (size_t k = 0; k < 2; k++) {
			const char *key = k == 0 ? "layer" : "key";
			char **dst = k == 0 ? &link->layer : &link->key;

			cfg_key_path(sub, sizeof(sub), item_what, key);
			if ((v = cfg_mapping_get(ctx, item, key)))
				cfg_read_string(ctx, v, sub, dst);
			else
				cfg_error(ctx, item,
					  "thiếu khóa bắt buộc \"%s\" trong %s",
					  "missing required key \"%s\" in %s",
					  key, item_what);
		}
		cfg_key_path(sub, sizeof(sub), item_what, "key");
		if (link->key && (v = cfg_mapping_get(ctx, item, "key")))
			cfg_check_exposed(ctx, v, layer, sub, link->key);
		cfg_key_path(sub, sizeof(sub), item_what, "target_key");
		if ((v = cfg_mapping_get(ctx, item, "target_key")))
			cfg_read_string(ctx, v, sub, &link->target_key);
		cfg_key_path(sub, sizeof(sub), item_what, "title");
		if ((v = cfg_mapping_get(ctx, item, "title")))
			cfg_read_bilingual(ctx, v, sub, &link->title_vi,
					   &link->title_en);
	}
}

static void cfg_parse_scenes(struct cfg_ctx *ctx, const yaml_node_t *node,
			     const char *what, struct cfg_layer *layer)
{
	static const char *const keys[] = { "path", "title", NULL };
	if (!cfg_expect_sequence(ctx, node, what))
		return;
	size_t count = (size_t)(node->data.sequence.items.top -
				node->data.sequence.items.start);
	if (count == 0 || count > CFG_SCENES_MAX) {
		cfg_error(ctx, node, "%s cần từ 1 đến %d ảnh, có %zu",
			  "%s needs 1 to %d scenes, it has %zu", what,
			  CFG_SCENES_MAX, count);
		return;
	}
	layer->scenes = calloc(count, sizeof(*layer->scenes));
	if (!layer->scenes)
		return;
	layer->n_scenes = count;

	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_document_get_node(
			ctx->doc, node->data.sequence.items.start[i]);
		struct cfg_scene *scene = &layer->scenes[i];
		char sub[CFG_WHAT_MAX + 24];
		char key[CFG_WHAT_MAX + 32];
		yaml_node_t *v;

		scene->line = cfg_node_line(item);
		cfg_index_path(sub, sizeof(sub), what, i);
		if (!cfg_mapping_check(ctx, item, sub, keys))
			continue;
		snprintf(key, sizeof(key), "%s.path", sub);
		if ((v = cfg_mapping_get(ctx, item, "path")))
			cfg_read_path(ctx, v, key, true, &scene->path);
		else
			cfg_error(ctx, item,
				  "thiếu khóa bắt buộc \"path\" trong %s",
				  "missing required key \"path\" in %s", sub);
		snprintf(key, sizeof(key), "%s.title", sub);
		if ((v = cfg_mapping_get(ctx, item, "title")))
			cfg_read_string(ctx, v, key, &scene->title);
	}
}

static void cfg_parse_layer_id(struct cfg_ctx *ctx, const yaml_node_t *node,
			       const char *what, struct cfg_layer *layer)
{
	char sub[CFG_WHAT_MAX + 24];
	yaml_node_t *v = cfg_mapping_get(ctx, node, "id");
	if (!v) {
		cfg_error(ctx, node, "thiếu khóa bắt buộc \"id\" trong %s",
			  "missing required key \"id\" in %s", what);
		return;
	}
	cfg_key_path(sub, sizeof(sub), what, "id");
	if (cfg_read_string(ctx, v, sub, &layer->id) < 0)
		return;
	if (!cfg_id_valid(layer->id, false)) {
		char quoted[CFG_QUOTE_MAX + 1];
		cfg_quote(layer->id, quoted, sizeof(quoted));
		cfg_error(ctx, v,
			  "mã lớp không hợp lệ \"%s\": chỉ dùng chữ thường "
			  "ASCII a-z, chữ số 0-9 và \"_\", tối đa %d ký tự",
			  "invalid layer id \"%s\": use only lowercase ASCII "
			  "letters a-z, digits 0-9 and \"_\", at most %d "
			  "characters",
			  quoted, CFG_ID_MAX);
	}
}

static void cfg_parse_layer_kind(struct cfg_ctx *ctx, const yaml_node_t *node,
				 const char *what, struct cfg_layer *layer)
{
	char sub[CFG_WHAT_MAX + 24];
	char *kind = NULL;
	yaml_node_t *v = cfg_mapping_get(ctx, node, "kind");
	cfg_key_path(sub, sizeof(sub), what, "kind");
	if (!v || cfg_read_string(ctx, v, sub, &kind) < 0)
		return;
	if (!strcmp(kind, "raster")) {
		layer->kind = CFG_LAYER_RASTER;
	} else if (strcmp(kind, "vector")) {
		char quoted[CFG_QUOTE_MAX + 1];
		cfg_quote(kind, quoted, sizeof(quoted));
		cfg_error(ctx, v,
			  "loại lớp không hợp lệ \"%s\" cho %s: cần vector "
			  "hoặc raster",
			  "invalid layer kind \"%s\" for %s: expected vector "
			  "or raster",
			  quoted, sub);
	}
	free(kind);
}

/* Read personal, personal_roles; each must be exposed or a role. */
static void cfg_parse_personal(struct cfg_ctx *ctx, const yaml_node_t *node,
			       const char *what, struct cfg_layer *layer)
{
	char sub[CFG_WHAT_MAX + 24];
	yaml_node_t *v;

	cfg_key_path(sub, sizeof(sub), what, "personal");
	if ((v = cfg_mapping_get(ctx, node, "personal")) &&
	    cfg_read_string_list(ctx, v, sub, &layer->personal,
				 &layer->n_personal) == 0) {
		for (size_t i = 0; i < layer->n_personal; i++)
			cfg_check_exposed(ctx, v, layer, sub,
					  layer->personal[i]);
	}

	cfg_key_path(sub, sizeof(sub), what, "personal_roles");
	if (!(v = cfg_mapping_get(ctx, node, "personal_roles")) ||
	    cfg_read_string_list(ctx, v, sub, &layer->personal_roles,
				 &layer->n_personal_roles) < 0)
		return;
	for (size_t i = 0; i < layer->n_personal_roles; i++) {
		enum cfg_role role;
		if (cfg_role_parse(layer->personal_roles[i], &role) == 0)
			continue;
		char quoted[CFG_QUOTE_MAX + 1];
		cfg_quote(layer->personal_roles[i], quoted, sizeof(quoted));
		cfg_error(ctx, v,
			  "vai trò không hợp lệ \"%s\" trong %s; các vai trò: "
			  "anonymous, partner, planner, publisher, admin",
			  "unknown role \"%s\" in %s; allowed roles: "
			  "anonymous, partner, planner, publisher, admin",
			  quoted, sub);
	}
}

/* GDAL converts source text with iconv, so iconv must know the name. */
static void cfg_check_encoding(struct cfg_ctx *ctx, const yaml_node_t *node,
			       const char *what, const char *encoding)
{
	iconv_t cd = iconv_open("UTF-8", encoding);
	if (cd != (iconv_t)-1) {
		iconv_close(cd);
		return;
	}
	char quoted[CFG_QUOTE_MAX + 1];
	cfg_quote(encoding, quoted, sizeof(quoted));
	cfg_error(ctx, node,
		  "bảng mã không hợp lệ \"%s\" cho %s: dùng tên mà iconv "
		  "biết, ví dụ CP1258 hoặc UTF-8",
		  "unknown encoding \"%s\" for %s: use a name iconv knows, "
		  "such as CP1258 or UTF-8",
		  quoted, what);
}

static void cfg_parse_vector(struct cfg_ctx *ctx, const yaml_node_t *node,
			     const char *what, struct cfg_layer *layer)
{
	static const struct {
		const char *key;
		size_t offset;
	} strings[] = {
		{ "source_layer", offsetof(struct cfg_layer, source_layer) },
		{ "encoding", offsetof(struct cfg_layer, encoding) },
		{ "id_attribute", offsetof(struct cfg_layer, id_attribute) },
		{ "time_attribute", offsetof(struct cfg_layer, time_attribute) },
	};
	char sub[CFG_WHAT_MAX + 24];
	yaml_node_t *v;

	cfg_key_path(sub, sizeof(sub), what, "source");
	if ((v = cfg_mapping_get(ctx, node, "source"))) {
		layer->source_line = cfg_node_line(v);
		cfg_read_path(ctx, v, sub, true, &layer->source);
	} else {
		cfg_error(ctx, node,
			  "thiếu khóa bắt buộc \"source\" trong %s (lớp "
			  "vector cần một tập dữ liệu GDAL)",
			  "missing required key \"source\" in %s (a vector "
			  "layer needs a GDAL data set)",
			  what);
	}
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		cfg_key_path(sub, sizeof(sub), what, strings[i].key);
		if ((v = cfg_mapping_get(ctx, node, strings[i].key)))
			cfg_read_string(ctx, v, sub,
					(char **)((char *)layer +
						  strings[i].offset));
	}
	cfg_key_path(sub, sizeof(sub), what, "encoding");
	if ((v = cfg_mapping_get(ctx, node, "encoding")) && layer->encoding)
		cfg_check_encoding(ctx, v, sub, layer->encoding);
	cfg_key_path(sub, sizeof(sub), what, "attributes");
	if ((v = cfg_mapping_get(ctx, node, "attributes")))
		cfg_read_string_list(ctx, v, sub, &layer->attributes,
				     &layer->n_attributes);
	cfg_parse_personal(ctx, node, what, layer);
	cfg_key_path(sub, sizeof(sub), what, "styles");
	if ((v = cfg_mapping_get(ctx, node, "styles")))
		cfg_parse_styles(ctx, v, sub, layer);
	cfg_key_path(sub, sizeof(sub), what, "publish");
	if ((v = cfg_mapping_get(ctx, node, "publish")))
		cfg_parse_layer_publish(ctx, v, sub, layer);
	cfg_key_path(sub, sizeof(sub), what, "links");
	if ((v = cfg_mapping_get(ctx, node, "links")))
		cfg_parse_links(ctx, v, sub, layer);
	cfg_key_path(sub, sizeof(sub), what, "scenes");
	if ((v = cfg_mapping_get(ctx, node, "scenes")))
		cfg_error(ctx, v,
			  "%s chỉ dùng cho lớp raster (kind: raster)",
			  "%s applies to raster layers only (kind: raster)",
			  sub);
}

static void cfg_parse_raster(struct cfg_ctx *ctx, const yaml_node_t *node,
			     const char *what, struct cfg_layer *layer)
{
	char sub[CFG_WHAT_MAX + 24];
	yaml_node_t *v;

	for (size_t i = 0; cfg_vector_keys[i]; i++) {
		if (!(v = cfg_mapping_get(ctx, node, cfg_vector_keys[i])))
			continue;
		cfg_key_path(sub, sizeof(sub), what, cfg_vector_keys[i]);
		cfg_error(ctx, v,
			  "%s chỉ dùng cho lớp vector; lớp raster khai báo "
			  "ảnh trong scenes",
			  "%s applies to vector layers only; a raster layer "
			  "lists its images under scenes",
			  sub);
	}
	cfg_key_path(sub, sizeof(sub), what, "scenes");
	if ((v = cfg_mapping_get(ctx, node, "scenes"))) {
		layer->source_line = cfg_node_line(v);
		cfg_parse_scenes(ctx, v, sub, layer);
	} else {
		cfg_error(ctx, node,
			  "thiếu khóa bắt buộc \"scenes\" trong %s (lớp "
			  "raster cần ít nhất một ảnh)",
			  "missing required key \"scenes\" in %s (a raster "
			  "layer needs at least one scene)",
			  what);
	}
}

/* Titles fall back to the id, abstracts to "", styles to "default". */
static int cfg_layer_set_defaults(struct cfg_layer *layer)
{
	const char *id = layer->id ? layer->id : "";
	if (!layer->title_vi && !(layer->title_vi = strdup(id)))
		return -1;
	if (!layer->title_en && !(layer->title_en = strdup(id)))
		return -1;
	if (!layer->abstract_vi && !(layer->abstract_vi = strdup("")))
		return -1;
	if (!layer->abstract_en && !(layer->abstract_en = strdup("")))
		return -1;
	if (layer->n_styles)
		return 0;
	layer->styles = calloc(1, sizeof(*layer->styles));
	if (!layer->styles)
		return -1;
	layer->n_styles = 1;
	cfg_style_init(&layer->styles[0]);
	return cfg_style_set_defaults(&layer->styles[0]);
}

static void cfg_parse_layer(struct cfg_ctx *ctx, const yaml_node_t *node,
			    size_t index, struct cfg_layer *layer)
{
	static const char *const keys[] = {
		"id", "kind", "title", "abstract", "source", "source_layer",
		"crs", "encoding", "id_attribute", "time_attribute",
		"attributes", "personal", "personal_roles", "styles",
		"scenes", "publish", "links", NULL
	};
	char what[CFG_WHAT_MAX];
	char sub[CFG_WHAT_MAX + 24];
	yaml_node_t *v;

	layer->line = cfg_node_line(node);
	cfg_publish_init(&layer->publish);
	snprintf(what, sizeof(what), "layers[%zu]", index);
	if (!cfg_mapping_check(ctx, node, what, keys))
		return;

	cfg_parse_layer_id(ctx, node, what, layer);
	cfg_parse_layer_kind(ctx, node, what, layer);
	cfg_key_path(sub, sizeof(sub), what, "title");
	if ((v = cfg_mapping_get(ctx, node, "title")))
		cfg_read_bilingual(ctx, v, sub, &layer->title_vi,
				   &layer->title_en);
	cfg_key_path(sub, sizeof(sub), what, "abstract");
	if ((v = cfg_mapping_get(ctx, node, "abstract")))
		cfg_read_bilingual(ctx, v, sub, &layer->abstract_vi,
				   &layer->abstract_en);
	cfg_key_path(sub, sizeof(sub), what, "crs");
	if ((v = cfg_mapping_get(ctx, node, "crs"))) {
		layer->crs_line = cfg_node_line(v);
		cfg_read_crs(ctx, v, sub, &layer->crs);
	}

	if (layer->kind == CFG_LAYER_RASTER)
		cfg_parse_raster(ctx, node, what, layer);
	else
		cfg_parse_vector(ctx, node, what, layer);
}

void cfg_parse_layers(struct cfg_ctx *ctx, const yaml_node_t *node)
{
	struct cfg *cfg = ctx->cfg;
	if (!cfg_expect_sequence(ctx, node, "layers"))
		return;
	size_t count = (size_t)(node->data.sequence.items.top -
				node->data.sequence.items.start);
	if (!count) {
		cfg_error(ctx, node, "layers trống: cần ít nhất một lớp",
			  "layers is empty: at least one layer is needed");
		return;
	}
	cfg->layers = calloc(count, sizeof(*cfg->layers));
	if (!cfg->layers)
		return;
	cfg->n_layers = count;

	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_document_get_node(
			ctx->doc, node->data.sequence.items.start[i]);
		struct cfg_layer *layer = &cfg->layers[i];
		cfg_parse_layer(ctx, item, i, layer);
		cfg_layer_set_defaults(layer);
		for (size_t j = 0; layer->id && j < i; j++) {
			if (!cfg->layers[j].id ||
			    strcmp(cfg->layers[j].id, layer->id))
				continue;
			char quoted[CFG_QUOTE_MAX + 1];
			cfg_quote(layer->id, quoted, sizeof(quoted));
			cfg_error(ctx, cfg_mapping_get(ctx, item, "id"),
				  "mã lớp \"%s\" bị trùng (đã khai báo ở dòng "
				  "%d)",
				  "duplicate layer id \"%s\" (first defined on "
				  "line %d)",
				  quoted, cfg->layers[j].line);
			break;
		}
	}
}
