/*
 * /api: the OpenAPI 3.0 description of the server, built with jansson from
 * the config and the live layers, and an HTML page listing its paths.
 */
#include <stdio.h>
#include <string.h>

#include "server/ogcapi.h"

static json_t *param_ref(const char *name)
{
	char ref[128];

	snprintf(ref, sizeof(ref), "#/components/parameters/%s", name);
	return json_pack("{s:s}", "$ref", ref);
}

static json_t *query_param(const char *name, const char *description,
			   json_t *schema, bool explode)
{
	return json_pack("{s:s,s:s,s:s,s:b,s:o,s:s,s:b}", "name", name, "in",
			 "query", "description", description, "required", 0,
			 "schema", schema, "style", "form", "explode", explode);
}

static json_t *components_parameters(struct ogc_ctx *ctx)
{
	const struct cfg_limits *limits = &ctx->req->srv->cfg->limits;
	json_t *params = json_object();

	json_object_set_new(params, "f", query_param("f",
		i18n_pick(ctx->req, "Định dạng trả về: json hoặc html.",
			  "Response format: json or html."),
		json_pack("{s:s,s:[s,s]}", "type", "string", "enum", "json",
			  "html"), false));
	json_object_set_new(params, "lang", query_param("lang",
		i18n_pick(ctx->req, "Ngôn ngữ: vi (mặc định) hoặc en.",
			  "Language: vi (default) or en."),
		json_pack("{s:s,s:[s,s]}", "type", "string", "enum", "vi",
			  "en"), false));
	json_object_set_new(params, "bbox", query_param("bbox",
		i18n_pick(ctx->req,
			  "Khung bao minx,miny,maxx,maxy (4 hoặc 6 số), "
			  "mặc định theo CRS84.",
			  "Bounding box minx,miny,maxx,maxy (4 or 6 numbers), "
			  "CRS84 unless bbox-crs is given."),
		json_pack("{s:s,s:i,s:i,s:{s:s}}", "type", "array", "minItems",
			  4, "maxItems", 6, "items", "type", "number"), false));
	json_object_set_new(params, "bbox-crs", query_param("bbox-crs",
		i18n_pick(ctx->req, "Hệ tọa độ của bbox (URI).",
			  "CRS of bbox (URI)."),
		json_pack("{s:s,s:s}", "type", "string", "format", "uri"),
		false));
	json_object_set_new(params, "crs", query_param("crs",
		i18n_pick(ctx->req, "Hệ tọa độ của kết quả (URI).",
			  "CRS of the response (URI)."),
		json_pack("{s:s,s:s}", "type", "string", "format", "uri"),
		false));
	json_object_set_new(params, "limit", query_param("limit",
		i18n_pick(ctx->req,
			  "Số đối tượng tối đa mỗi trang; giá trị lớn hơn mức "
			  "tối đa được hạ xuống mức tối đa.",
			  "Features per page; a value above the maximum is "
			  "lowered to it."),
		json_pack("{s:s,s:i,s:i,s:i}", "type", "integer", "minimum", 1,
			  "maximum", limits->max_features, "default",
			  limits->default_features), false));
	json_object_set_new(params, "offset", query_param("offset",
		i18n_pick(ctx->req, "Số đối tượng bỏ qua (phân trang).",
			  "Features to skip (paging)."),
		json_pack("{s:s,s:i,s:i}", "type", "integer", "minimum", 0,
			  "default", 0), false));
	json_object_set_new(params, "datetime", query_param("datetime",
		i18n_pick(ctx->req, "Chưa được hỗ trợ: trả về lỗi 400.",
			  "Not supported yet: answered with 400."),
		json_pack("{s:s}", "type", "string"), false));
	json_object_set_new(params, "collectionId", json_pack(
		"{s:s,s:s,s:b,s:{s:s}}", "name", "collectionId", "in", "path",
		"required", 1, "schema", "type", "string"));
	json_object_set_new(params, "featureId", json_pack(
		"{s:s,s:s,s:b,s:{s:s}}", "name", "featureId", "in", "path",
		"required", 1, "schema", "type", "integer"));
	return params;
}

/* {"200": ..., "400": ..., "404": ...} with the given success types. */
static json_t *responses(const char *description, const char *type1,
			 const char *type2)
{
	json_t *content = json_object();
	json_t *problem = json_pack("{s:{s:{s:s}}}", "application/problem+json",
				    "schema", "$ref",
				    "#/components/schemas/problem");

	json_object_set_new(content, type1, json_pack("{s:{s:s}}", "schema",
						      "type", "object"));
	if (type2 != NULL)
		json_object_set_new(content, type2,
				    json_pack("{s:{s:s}}", "schema", "type",
					      "string"));
	return json_pack("{s:{s:s,s:o},s:{s:s,s:O},s:{s:s,s:o}}",
			 "200", "description", description, "content", content,
			 "400", "description", "Bad request", "content", problem,
			 "404", "description", "Not found", "content", problem);
}

static json_t *operation(const char *id, const char *summary, json_t *params,
			 json_t *resp)
{
	return json_pack("{s:{s:s,s:s,s:o,s:o}}", "get", "operationId", id,
			 "summary", summary, "parameters", params, "responses",
			 resp);
}

static const char *attr_schema_type(enum attr_type type)
{
	if (type == ATTR_INTEGER)
		return "integer";
	if (type == ATTR_REAL)
		return "number";
	return "string";
}

static void add_collection_paths(struct ogc_ctx *ctx, json_t *paths,
				 const struct layer_snapshot *snap)
{
	const char *id = snap->cfg->id;
	json_t *params = json_array();
	char path[320], op[200];

	json_array_append_new(params, param_ref("f"));
	json_array_append_new(params, param_ref("lang"));
	json_array_append_new(params, param_ref("bbox"));
	json_array_append_new(params, param_ref("bbox-crs"));
	json_array_append_new(params, param_ref("crs"));
	json_array_append_new(params, param_ref("limit"));
	json_array_append_new(params, param_ref("offset"));
	json_array_append_new(params, param_ref("datetime"));
	for (size_t i = 0; i < snap->n_attrs; i++) {
		if (!layer_attr_visible(snap, i, ctx->req->role))
			continue;
		json_array_append_new(params, query_param(snap->attrs[i].name,
			i18n_pick(ctx->req, "Lọc bằng giá trị bằng nhau.",
				  "Equality filter."),
			json_pack("{s:s}", "type",
				  attr_schema_type(snap->attrs[i].type)), false));
	}
	snprintf(path, sizeof(path), "/collections/%s/items", id);
	snprintf(op, sizeof(op), "getFeatures_%s", id);
	json_object_set_new(paths, path, operation(op,
		ogcapi_layer_title(ctx, snap->cfg), params,
		responses("GeoJSON FeatureCollection", OGC_MEDIA_GEOJSON,
			  "text/html")));

	snprintf(path, sizeof(path), "/collections/%s/items/{featureId}", id);
	snprintf(op, sizeof(op), "getFeature_%s", id);
	json_object_set_new(paths, path, operation(op,
		ogcapi_layer_title(ctx, snap->cfg),
		json_pack("[o,o,o,o]", param_ref("featureId"), param_ref("f"),
			  param_ref("lang"), param_ref("crs")),
		responses("GeoJSON Feature", OGC_MEDIA_GEOJSON, "text/html")));
}

static json_t *common_params(void)
{
	return json_pack("[o,o]", param_ref("f"), param_ref("lang"));
}

static void add_fixed_paths(struct ogc_ctx *ctx, json_t *paths)
{
	json_object_set_new(paths, "/", operation("getLandingPage",
		i18n_pick(ctx->req, "Trang đầu", "Landing page"),
		common_params(), responses("Landing page", OGC_MEDIA_JSON,
					   "text/html")));
	json_object_set_new(paths, "/conformance", operation("getConformance",
		i18n_pick(ctx->req, "Các lớp tuân thủ chuẩn (conformance)", "Conformance classes"),
		common_params(), responses("Conformance", OGC_MEDIA_JSON,
					   "text/html")));
	json_object_set_new(paths, "/api", operation("getAPI",
		i18n_pick(ctx->req, "Tài liệu OpenAPI", "OpenAPI document"),
		common_params(), responses("OpenAPI 3.0", OGC_MEDIA_OPENAPI,
					   "text/html")));
	json_object_set_new(paths, "/collections", operation("getCollections",
		i18n_pick(ctx->req, "Tập dữ liệu", "Collections"),
		common_params(), responses("Collections", OGC_MEDIA_JSON,
					   "text/html")));
	json_object_set_new(paths, "/collections/{collectionId}", operation(
		"describeCollection",
		i18n_pick(ctx->req, "Mô tả tập dữ liệu", "Collection"),
		json_pack("[o,o,o]", param_ref("collectionId"), param_ref("f"),
			  param_ref("lang")),
		responses("Collection", OGC_MEDIA_JSON, "text/html")));
	json_object_set_new(paths, "/collections/{collectionId}/queryables",
		operation("getQueryables",
			  i18n_pick(ctx->req, "Thuộc tính có thể lọc",
				    "Queryables"),
			  json_pack("[o,o]", param_ref("collectionId"),
				    param_ref("lang")),
			  responses("JSON Schema", "application/schema+json",
				    NULL)));
	json_object_set_new(paths, "/healthz", operation("getHealth",
		"Liveness", json_array(), responses("ok", "text/plain", NULL)));
	json_object_set_new(paths, "/metrics", operation("getMetrics",
		"Prometheus metrics", json_array(),
		responses("Prometheus text format", "text/plain", NULL)));
	json_object_set_new(paths, "/wms", operation("getWMS",
		"WMS 1.3.0 / 1.1.1",
		json_pack("[o,o]",
			  query_param("SERVICE", "WMS",
				      json_pack("{s:s}", "type", "string"), false),
			  query_param("REQUEST", "GetCapabilities, GetMap, "
				      "GetFeatureInfo, GetLegendGraphic",
				      json_pack("{s:s}", "type", "string"),
				      false)),
		responses("WMS", "text/xml", "image/png")));
}

static json_t *openapi_document(struct ogc_ctx *ctx)
{
	const struct cfg *cfg = ctx->req->srv->cfg;
	struct layer_registry *reg = ctx->req->srv->layers;
	const char *title = i18n_pick(ctx->req, cfg->title_vi, cfg->title_en);
	const char *description = i18n_pick(ctx->req, cfg->abstract_vi,
					    cfg->abstract_en);
	json_t *paths = json_object();
	json_t *problem;

	add_fixed_paths(ctx, paths);
	for (size_t i = 0; i < layer_registry_count(reg); i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);

		if (snap == NULL)
			continue;
		if (snap->cfg->kind == CFG_LAYER_VECTOR)
			add_collection_paths(ctx, paths, snap);
		layer_snapshot_release(snap);
	}
	problem = json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s}}}",
			    "type", "object", "properties",
			    "type", "type", "string", "title", "type", "string",
			    "status", "type", "integer", "detail", "type",
			    "string", "parameter", "type", "string");
	return json_pack("{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o,s:{s:o,s:{s:o}}}",
			 "openapi", "3.0.3",
			 "info", "title", title != NULL ? title : "vnsdi",
			 "description", description != NULL ? description : "",
			 "version", "0.1.0",
			 "servers", "url", ctx->req->base_url,
			 "paths", paths,
			 "components", "parameters",
			 components_parameters(ctx), "schemas", "problem",
			 problem);
}

/* A page listing every path and its parameters. */
static void openapi_html(struct ogc_ctx *ctx, json_t *doc)
{
	json_t *paths = json_object_get(doc, "paths");
	const char *path;
	json_t *item;
	struct strbuf sb;

	strbuf_init(&sb, OGC_MAX_BODY);
	ogcapi_html_begin(ctx, &sb, i18n_pick(ctx->req, "Tài liệu API",
					      "API documentation"));
	strbuf_printf(&sb, "<table>\n<tr><th>%s</th><th>%s</th><th>%s</th>"
		      "</tr>\n", i18n_pick(ctx->req, "Đường dẫn", "Path"),
		      i18n_pick(ctx->req, "Mô tả", "Summary"),
		      i18n_pick(ctx->req, "Tham số", "Parameters"));
	json_object_foreach(paths, path, item) {
		json_t *get = json_object_get(item, "get");
		json_t *params = json_object_get(get, "parameters");
		size_t i;
		json_t *param;

		strbuf_puts(&sb, "<tr><td><code>");
		strbuf_xml(&sb, path);
		strbuf_puts(&sb, "</code></td><td>");
		strbuf_xml(&sb, json_string_value(json_object_get(get,
								  "summary")));
		strbuf_puts(&sb, "</td><td>");
		json_array_foreach(params, i, param) {
			const char *name = json_string_value(
				json_object_get(param, "name"));
			const char *ref = json_string_value(
				json_object_get(param, "$ref"));

			if (name == NULL && ref != NULL && strrchr(ref, '/'))
				name = strrchr(ref, '/') + 1;
			if (i > 0)
				strbuf_puts(&sb, ", ");
			strbuf_xml(&sb, name != NULL ? name : "");
		}
		strbuf_puts(&sb, "</td></tr>\n");
	}
	strbuf_puts(&sb, "</table>\n<p><a href=\"");
	strbuf_xml(&sb, ctx->req->base_url);
	strbuf_puts(&sb, "/api?f=json\">OpenAPI 3.0 JSON</a></p>\n");
	ogcapi_html_end(ctx, &sb);
	ogcapi_html_send(ctx, &sb);
}

void ogcapi_openapi(struct ogc_ctx *ctx)
{
	json_t *doc = openapi_document(ctx);

	if (ctx->format == OGC_FORMAT_HTML) {
		openapi_html(ctx, doc);
		json_decref(doc);
		return;
	}
	ogcapi_reply_json(ctx, doc, OGC_MEDIA_OPENAPI);
}
