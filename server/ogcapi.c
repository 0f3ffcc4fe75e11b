/*
 * OGC API - Features, Part 1 Core: routing, format negotiation, the landing
 * page, /conformance, /collections and /collections/{id}.
 *
 * Imagery (raster) layers are not feature collections: they are left out of
 * /collections and their ids answer 404 here; WMS serves them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http_util.h"
#include "server/ogcapi.h"
#include "vn2000/vn2000.h"

/* Query parameters every OGC API path accepts. */
static const char *const common_params[] = {"f", "lang", "api_key", NULL};

int ogcapi_format_pick(const struct http_request *req, enum ogc_format *out,
		       struct req_error *err)
{
	const char *f = http_param(req, "f");
	const char *accept;
	double q_json, q_html;
	char shown[80];

	if (f != NULL) {
		if (strcmp(f, "json") == 0 || strcmp(f, "geojson") == 0) {
			*out = OGC_FORMAT_JSON;
			return 0;
		}
		if (strcmp(f, "html") == 0) {
			*out = OGC_FORMAT_HTML;
			return 0;
		}
		if (strcmp(f, "csv") == 0 || strcmp(f, "fgb") == 0 ||
		    strcmp(f, "gpkg") == 0) {
			*out = f[0] == 'c' ? OGC_FORMAT_CSV :
			       f[0] == 'f' ? OGC_FORMAT_FGB : OGC_FORMAT_GPKG;
			return 0;
		}
		return req_error_set(err, REQ_INVALID_PARAMETER, "f",
			i18n_pick(req,
				  "Giá trị f=\"%s\" không hợp lệ: chỉ hỗ trợ "
				  "json, html, và với items thêm csv, fgb, gpkg.",
				  "Invalid f=\"%s\": only json and html are "
				  "supported, and csv, fgb, gpkg for items."),
			req_value(f, shown, sizeof(shown)));
	}

	accept = http_header(req, "Accept");
	q_json = fmax(fmax(http_accept_quality(accept, "application/json"),
			   http_accept_quality(accept, "application/geo+json")),
		      fmax(http_accept_quality(accept,
				"application/vnd.oai.openapi+json"),
			   http_accept_quality(accept,
				"application/schema+json")));
	q_html = http_accept_quality(accept, "text/html");
	if (q_json <= 0 && q_html <= 0)
		return req_error_set(err, REQ_NOT_ACCEPTABLE, "Accept",
			i18n_pick(req,
				  "Không có định dạng nào phù hợp với Accept: "
				  "\"%s\". Hỗ trợ application/json, "
				  "application/geo+json và text/html.",
				  "No format matches Accept: \"%s\". Supported: "
				  "application/json, application/geo+json and "
				  "text/html."),
			req_value(accept, shown, sizeof(shown)));
	*out = q_html > q_json ? OGC_FORMAT_HTML : OGC_FORMAT_JSON;
	return 0;
}

void ogcapi_href(const struct ogc_ctx *ctx, struct strbuf *sb,
		 const char *path, const char *query)
{
	bool has_query = query != NULL && query[0] != '\0';

	strbuf_puts(sb, ctx->req->base_url);
	strbuf_puts(sb, path);
	if (has_query) {
		strbuf_puts(sb, "?");
		strbuf_puts(sb, query);
	}
	if (ctx->lang_param) {
		strbuf_puts(sb, has_query ? "&lang=" : "?lang=");
		strbuf_puts(sb, ctx->req->lang);
	}
}

json_t *ogcapi_link(const struct ogc_ctx *ctx, const char *path,
		    const char *query, const char *rel, const char *type,
		    const char *title)
{
	struct strbuf sb;
	json_t *link = json_object();

	strbuf_init(&sb, 8192);
	ogcapi_href(ctx, &sb, path, query);
	json_object_set_new(link, "href", json_string(sb.data != NULL ?
						      sb.data : ""));
	json_object_set_new(link, "rel", json_string(rel));
	json_object_set_new(link, "type", json_string(type));
	if (title != NULL)
		json_object_set_new(link, "title", json_string(title));
	strbuf_free(&sb);
	return link;
}

void ogcapi_reply_json(struct ogc_ctx *ctx, json_t *doc,
		       const char *content_type)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
				JSON_REAL_PRECISION(15));

	json_decref(doc);
	if (text == NULL) {
		struct req_error err;

		req_error_set(&err, REQ_UNAVAILABLE, "", "%s",
			      i18n_pick(ctx->req, "Không đủ bộ nhớ.",
					"Out of memory."));
		ogcapi_reply_error(ctx, &err);
		return;
	}
	http_response_take(ctx->res, 200, content_type, text, strlen(text));
}

void ogcapi_reply_error(struct ogc_ctx *ctx, const struct req_error *err)
{
	http_problem_reply(ctx->req, ctx->res, err);
}

const char *ogcapi_layer_title(const struct ogc_ctx *ctx,
			       const struct cfg_layer *layer)
{
	const char *t = i18n_pick(ctx->req, layer->title_vi, layer->title_en);

	if (t == NULL)
		t = layer->title_vi != NULL ? layer->title_vi : layer->title_en;
	return t != NULL ? t : layer->id;
}

const char *ogcapi_layer_description(const struct ogc_ctx *ctx,
				     const struct cfg_layer *layer)
{
	const char *t = i18n_pick(ctx->req, layer->abstract_vi,
				  layer->abstract_en);

	if (t == NULL)
		t = layer->abstract_vi != NULL ? layer->abstract_vi :
						 layer->abstract_en;
	return t != NULL ? t : "";
}

struct layer_snapshot *ogcapi_collection_acquire_quiet(struct ogc_ctx *ctx,
						       const char *id)
{
	struct layer_snapshot *snap =
		layer_registry_acquire_id(ctx->req->srv->layers, id);

	if (snap != NULL && snap->cfg->kind == CFG_LAYER_VECTOR)
		return snap;
	layer_snapshot_release(snap);
	return NULL;
}

struct layer_snapshot *ogcapi_collection_acquire(struct ogc_ctx *ctx,
						 const char *id,
						 struct req_error *err)
{
	struct layer_snapshot *snap =
		layer_registry_acquire_id(ctx->req->srv->layers, id);
	char shown[80];

	if (snap != NULL && snap->cfg->kind == CFG_LAYER_VECTOR)
		return snap;
	layer_snapshot_release(snap);
	req_error_set(err, REQ_NOT_FOUND, "collectionId",
		      i18n_pick(ctx->req,
				"Không có tập dữ liệu \"%s\". Xem danh sách "
				"tại /collections.",
				"Collection \"%s\" not found. See /collections "
				"for the list."),
		      req_value(id, shown, sizeof(shown)));
	return NULL;
}

bool ogcapi_crs_uri(const struct vn2000_crs *crs, char *out, size_t size)
{
	if (crs == NULL)
		return false;
	if (crs->epsg > 0)
		snprintf(out, size, "http://www.opengis.net/def/crs/EPSG/0/%d",
			 crs->epsg);
	else if (strcmp(crs->id, "CRS:84") == 0)
		snprintf(out, size, "%s", OGC_CRS84_URI);
	else
		return false;
	return true;
}

/* Whether `crs` is offered: CRS84, an output_crs, or the storage CRS. */
static bool crs_offered(const struct cfg *cfg,
			const struct layer_snapshot *snap,
			const struct vn2000_crs *crs)
{
	char uri[96];

	if (!ogcapi_crs_uri(crs, uri, sizeof(uri)))
		return false;
	if (strcmp(uri, OGC_CRS84_URI) == 0 ||
	    (snap != NULL && snap->crs == crs))
		return true;
	for (size_t i = 0; i < cfg->n_output_crs; i++)
		if (vn2000_crs_find(cfg->output_crs[i]) == crs)
			return true;
	return false;
}

json_t *ogcapi_crs_list(const struct cfg *cfg,
			const struct layer_snapshot *snap)
{
	json_t *list = json_array();
	char uri[96];

	json_array_append_new(list, json_string(OGC_CRS84_URI));
	for (size_t i = 0; i <= cfg->n_output_crs; i++) {
		const struct vn2000_crs *crs =
			i < cfg->n_output_crs ?
			vn2000_crs_find(cfg->output_crs[i]) :
			snap != NULL ? snap->crs : NULL;
		bool seen = false;

		if (!ogcapi_crs_uri(crs, uri, sizeof(uri)))
			continue;
		for (size_t k = 0; k < json_array_size(list); k++)
			seen = seen || strcmp(json_string_value(
				json_array_get(list, k)), uri) == 0;
		if (!seen)
			json_array_append_new(list, json_string(uri));
	}
	return list;
}

int ogcapi_crs_param(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		     const char *name, const char *value,
		     const struct vn2000_crs **out, struct req_error *err)
{
	const struct vn2000_crs *crs = vn2000_crs_find_exact(value);
	char shown[80];

	*out = NULL;
	if (crs != NULL && crs_offered(ctx->req->srv->cfg, snap, crs)) {
		if (crs->epsg > 0 || strcmp(crs->id, "CRS:84") != 0)
			*out = crs;
		return 0;
	}
	return req_error_set(err, REQ_INVALID_CRS, name,
		i18n_pick(ctx->req,
			  "Giá trị %s=\"%s\" không hợp lệ: hệ tọa độ không "
			  "được cung cấp. Xem danh sách crs của tập dữ liệu.",
			  "Invalid %s=\"%s\": CRS not offered. See the "
			  "collection's crs list."),
		name, req_value(value, shown, sizeof(shown)));
}

static bool extent_valid(const double e[4])
{
	return isfinite(e[0]) && isfinite(e[1]) && isfinite(e[2]) &&
	       isfinite(e[3]) && e[0] <= e[2] && e[1] <= e[3];
}

json_t *ogcapi_collection_json(struct ogc_ctx *ctx,
			       const struct layer_snapshot *snap)
{
	const struct cfg_layer *layer = snap->cfg;
	json_t *doc = json_object();
	json_t *links = json_array();
	char path[320];
	char uri[96];

	json_object_set_new(doc, "id", json_string(layer->id));
	json_object_set_new(doc, "title",
			    json_string(ogcapi_layer_title(ctx, layer)));
	json_object_set_new(doc, "description",
			    json_string(ogcapi_layer_description(ctx, layer)));

	snprintf(path, sizeof(path), "/collections/%s", layer->id);
	json_array_append_new(links, ogcapi_link(ctx, path, "f=json", "self",
						 OGC_MEDIA_JSON, NULL));
	json_array_append_new(links, ogcapi_link(ctx, path, "f=html",
						 "alternate", "text/html",
						 NULL));
	snprintf(path, sizeof(path), "/collections/%s/items", layer->id);
	json_array_append_new(links, ogcapi_link(ctx, path, "f=json", "items",
						 OGC_MEDIA_GEOJSON,
						 ogcapi_layer_title(ctx, layer)));
	json_array_append_new(links, ogcapi_link(ctx, path, "f=html", "items",
						 "text/html",
						 ogcapi_layer_title(ctx, layer)));
	snprintf(path, sizeof(path), "/collections/%s/queryables", layer->id);
	json_array_append_new(links, ogcapi_link(ctx, path, "f=json",
		"http://www.opengis.net/def/rel/ogc/1.0/queryables",
		"application/schema+json", NULL));
	json_object_set_new(doc, "links", links);

	if (!snap->empty && extent_valid(snap->extent)) {
		json_t *bbox = json_array();
		json_t *box = json_array();

		for (int i = 0; i < 4; i++)
			json_array_append_new(box, json_real(
				round(snap->extent[i] * 1e7) / 1e7));
		json_array_append_new(bbox, box);
		json_object_set_new(doc, "extent",
			json_pack("{s:{s:o,s:s}}", "spatial", "bbox", bbox,
				  "crs", OGC_CRS84_URI));
	}
	json_object_set_new(doc, "itemType", json_string("feature"));
	json_object_set_new(doc, "crs", ogcapi_crs_list(ctx->req->srv->cfg,
							snap));
	if (ogcapi_crs_uri(snap->crs, uri, sizeof(uri)))
		json_object_set_new(doc, "storageCrs", json_string(uri));
	return doc;
}

/*
 * Reject query parameters a path does not define (/req/core/query-param-
 * unknown), and lang values other than vi and en.
 */
static int check_params(const struct ogc_ctx *ctx, struct req_error *err)
{
	const struct http_request *req = ctx->req;
	const char *lang = http_param(req, "lang");
	char shown[80];

	for (size_t i = 0; i < req->n_params; i++) {
		bool known = false;

		for (size_t k = 0; common_params[k] != NULL; k++)
			known = known ||
				strcmp(req->params[i].name, common_params[k]) == 0;
		if (!known)
			return req_error_set(err, REQ_INVALID_PARAMETER,
				req->params[i].name,
				i18n_pick(req,
					  "Tham số \"%s\" không được hỗ trợ ở "
					  "đường dẫn này.",
					  "Unknown query parameter \"%s\" for "
					  "this path."),
				req_value(req->params[i].name, shown,
					  sizeof(shown)));
	}
	if (lang != NULL && strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, "lang",
			i18n_pick(req,
				  "Giá trị lang=\"%s\" không hợp lệ: chỉ hỗ trợ "
				  "vi hoặc en.",
				  "Invalid lang=\"%s\": only vi and en are "
				  "supported."),
			req_value(lang, shown, sizeof(shown)));
	return 0;
}

static void landing(struct ogc_ctx *ctx)
{
	const struct cfg *cfg = ctx->req->srv->cfg;
	json_t *doc, *links;

	if (ctx->format == OGC_FORMAT_HTML) {
		ogcapi_html_landing(ctx);
		return;
	}
	doc = json_object();
	links = json_array();
	json_object_set_new(doc, "title", json_string(
		i18n_pick(ctx->req, cfg->title_vi, cfg->title_en) != NULL ?
		i18n_pick(ctx->req, cfg->title_vi, cfg->title_en) : "vnsdi"));
	json_object_set_new(doc, "description", json_string(
		i18n_pick(ctx->req, cfg->abstract_vi, cfg->abstract_en) != NULL ?
		i18n_pick(ctx->req, cfg->abstract_vi, cfg->abstract_en) : ""));
	json_array_append_new(links, ogcapi_link(ctx, "/", "f=json", "self",
						 OGC_MEDIA_JSON, NULL));
	json_array_append_new(links, ogcapi_link(ctx, "/", "f=html",
						 "alternate", "text/html", NULL));
	json_array_append_new(links, ogcapi_link(ctx, "/api", "f=json",
		"service-desc", OGC_MEDIA_OPENAPI,
		i18n_pick(ctx->req, "Tài liệu OpenAPI", "OpenAPI document")));
	json_array_append_new(links, ogcapi_link(ctx, "/api", "f=html",
		"service-doc", "text/html",
		i18n_pick(ctx->req, "Tài liệu API", "API documentation")));
	json_array_append_new(links, ogcapi_link(ctx, "/conformance", "f=json",
		"conformance", OGC_MEDIA_JSON,
		i18n_pick(ctx->req, "Các lớp tuân thủ chuẩn (conformance)", "Conformance classes")));
	json_array_append_new(links, ogcapi_link(ctx, "/collections", "f=json",
		"data", OGC_MEDIA_JSON,
		i18n_pick(ctx->req, "Tập dữ liệu", "Collections")));
	json_array_append_new(links, ogcapi_link(ctx, "/wms",
		"SERVICE=WMS&REQUEST=GetCapabilities", "alternate",
		"text/xml", "WMS 1.3.0 GetCapabilities"));
	json_array_append_new(links, ogcapi_link(ctx,
		"/wmts/1.0.0/WMTSCapabilities.xml", NULL, "alternate",
		"application/xml", "WMTS 1.0.0 GetCapabilities"));
	json_array_append_new(links, ogcapi_link(ctx, "/viewer/", NULL,
		"related", "text/html",
		i18n_pick(ctx->req, "Trang xem bản đồ", "Map viewer")));
	json_object_set_new(doc, "links", links);
	ogcapi_reply_json(ctx, doc, OGC_MEDIA_JSON);
}

static const char *const conformance_classes[] = {
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
	"queryables-query-parameters",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
	"features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/"
	"advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/"
	"basic-spatial-functions-plus",
	"http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
	NULL
};

static void conformance(struct ogc_ctx *ctx)
{
	json_t *list = json_array();
	struct strbuf sb;

	if (ctx->format == OGC_FORMAT_JSON) {
		for (size_t i = 0; conformance_classes[i] != NULL; i++)
			json_array_append_new(list,
					      json_string(conformance_classes[i]));
		ogcapi_reply_json(ctx, json_pack("{s:o}", "conformsTo", list),
				  OGC_MEDIA_JSON);
		return;
	}
	json_decref(list);
	strbuf_init(&sb, OGC_MAX_BODY);
	ogcapi_html_begin(ctx, &sb, i18n_pick(ctx->req, "Các lớp tuân thủ chuẩn (conformance)",
					      "Conformance classes"));
	strbuf_puts(&sb, "<ul>\n");
	for (size_t i = 0; conformance_classes[i] != NULL; i++) {
		strbuf_puts(&sb, "<li>");
		strbuf_xml(&sb, conformance_classes[i]);
		strbuf_puts(&sb, "</li>\n");
	}
	strbuf_puts(&sb, "</ul>\n");
	ogcapi_html_end(ctx, &sb);
	ogcapi_html_send(ctx, &sb);
}

static void collections(struct ogc_ctx *ctx)
{
	struct layer_registry *reg = ctx->req->srv->layers;
	json_t *doc, *links, *list;
	size_t n = layer_registry_count(reg);

	if (ctx->format == OGC_FORMAT_HTML) {
		ogcapi_html_collections(ctx);
		return;
	}
	doc = json_object();
	links = json_array();
	list = json_array();
	json_array_append_new(links, ogcapi_link(ctx, "/collections", "f=json",
						 "self", OGC_MEDIA_JSON, NULL));
	json_array_append_new(links, ogcapi_link(ctx, "/collections", "f=html",
						 "alternate", "text/html", NULL));
	for (size_t i = 0; i < n; i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);

		if (snap == NULL)
			continue;
		if (snap->cfg->kind == CFG_LAYER_VECTOR)
			json_array_append_new(list,
					      ogcapi_collection_json(ctx, snap));
		layer_snapshot_release(snap);
	}
	json_object_set_new(doc, "links", links);
	json_object_set_new(doc, "collections", list);
	json_object_set_new(doc, "crs", ogcapi_crs_list(ctx->req->srv->cfg,
							NULL));
	ogcapi_reply_json(ctx, doc, OGC_MEDIA_JSON);
}

static void collection(struct ogc_ctx *ctx, const char *id)
{
	struct req_error err;
	struct layer_snapshot *snap = ogcapi_collection_acquire(ctx, id, &err);

	if (snap == NULL) {
		ogcapi_reply_error(ctx, &err);
		return;
	}
	if (ctx->format == OGC_FORMAT_HTML)
		ogcapi_html_collection(ctx, snap);
	else
		ogcapi_reply_json(ctx, ogcapi_collection_json(ctx, snap),
				  OGC_MEDIA_JSON);
	layer_snapshot_release(snap);
}

static const char *schema_type(enum attr_type type)
{
	switch (type) {
	case ATTR_INTEGER:
		return "integer";
	case ATTR_REAL:
		return "number";
	case ATTR_STRING:
	case ATTR_DATE:
	case ATTR_DATETIME:
		break;
	}
	return "string";
}

static const char *geometry_format(const struct layer_snapshot *snap)
{
	enum geom_type type = GEOM_NONE;

	for (size_t i = 0; i < snap->n_features && type == GEOM_NONE; i++)
		type = snap->features[i].lonlat.type;
	switch (type) {
	case GEOM_POINT:
		return "geometry-point-or-multipoint";
	case GEOM_LINE:
		return "geometry-linestring-or-multilinestring";
	case GEOM_POLYGON:
		return "geometry-polygon-or-multipolygon";
	case GEOM_NONE:
		break;
	}
	return "geometry-any";
}

static json_t *queryable_attr(const struct layer_snapshot *snap, size_t i)
{
	const struct attr_def *def = &snap->attrs[i];
	json_t *prop = json_pack("{s:s,s:s}", "title", def->name, "type",
				 schema_type(def->type));

	if (def->type == ATTR_DATE)
		json_object_set_new(prop, "format", json_string("date"));
	if (def->type == ATTR_DATETIME)
		json_object_set_new(prop, "format", json_string("date-time"));
	if (snap->cfg->id_attribute != NULL &&
	    strcmp(snap->cfg->id_attribute, def->name) == 0)
		json_object_set_new(prop, "x-ogc-role", json_string("id"));
	if (snap->cfg->time_attribute != NULL &&
	    strcmp(snap->cfg->time_attribute, def->name) == 0)
		json_object_set_new(prop, "x-ogc-role",
				    json_string("primary-instant"));
	return prop;
}

/* /collections/{id}/queryables: the attributes usable as filters, as
   JSON Schema 2019-09; personal attributes only for roles that may read
   them. */
static void queryables(struct ogc_ctx *ctx, const char *id)
{
	struct req_error err;
	struct layer_snapshot *snap = ogcapi_collection_acquire(ctx, id, &err);
	json_t *props;
	char path[320];
	struct strbuf sb;

	if (snap == NULL) {
		ogcapi_reply_error(ctx, &err);
		return;
	}
	props = json_object();
	json_object_set_new(props, LAYER_FILTER_GEOMETRY, json_pack(
		"{s:s,s:s,s:s}", "title", i18n_pick(ctx->req, "Hình học",
						     "Geometry"),
		"format", geometry_format(snap),
		"x-ogc-role", "primary-geometry"));
	for (size_t i = 0; i < snap->n_attrs; i++) {
		if (layer_attr_visible(snap, i, ctx->req->role))
			json_object_set_new(props, snap->attrs[i].name,
					    queryable_attr(snap, i));
	}
	snprintf(path, sizeof(path), "/collections/%s/queryables", id);
	strbuf_init(&sb, 8192);
	ogcapi_href(ctx, &sb, path, NULL);
	ogcapi_reply_json(ctx, json_pack("{s:s,s:s,s:s,s:s,s:o,s:b}",
		"$schema", "https://json-schema.org/draft/2019-09/schema",
		"$id", sb.data != NULL ? sb.data : "",
		"type", "object",
		"title", ogcapi_layer_title(ctx, snap->cfg),
		"properties", props,
		"additionalProperties", 0), "application/schema+json");
	strbuf_free(&sb);
	layer_snapshot_release(snap);
}

/* Split "/collections/{id}/rest": copy id and return the rest ("" or
   "/items..."), or NULL when the id is empty or too long. */
static const char *collection_id(const char *path, char *id, size_t size)
{
	const char *start = path + strlen("/collections/");
	const char *slash = strchr(start, '/');
	size_t n = slash != NULL ? (size_t)(slash - start) : strlen(start);

	if (n == 0 || n >= size)
		return NULL;
	memcpy(id, start, n);
	id[n] = '\0';
	return start + n;
}

static void reply_not_found(struct ogc_ctx *ctx)
{
	struct req_error err;
	char shown[80];

	req_error_set(&err, REQ_NOT_FOUND, "",
		      i18n_pick(ctx->req,
				"Không tìm thấy đường dẫn \"%s\".",
				"Path \"%s\" not found."),
		      req_value(ctx->req->path, shown, sizeof(shown)));
	ogcapi_reply_error(ctx, &err);
}

/* Routes that take only the common parameters. */
static bool route_simple(struct ogc_ctx *ctx, const char *path)
{
	struct req_error err;
	char id[128];
	const char *rest;

	if (strcmp(path, "/") != 0 && strcmp(path, "/conformance") != 0 &&
	    strcmp(path, "/api") != 0 && strcmp(path, "/collections") != 0 &&
	    strncmp(path, "/collections/", 13) != 0)
		return false;
	rest = strncmp(path, "/collections/", 13) == 0 ?
		collection_id(path, id, sizeof(id)) : "";
	if (rest == NULL)
		return false;
	if (strncmp(rest, "/items", 6) == 0)
		return false;   /* items check their own parameters */
	if (check_params(ctx, &err) != 0) {
		ogcapi_reply_error(ctx, &err);
		return true;
	}

	if (strcmp(path, "/") == 0)
		landing(ctx);
	else if (strcmp(path, "/conformance") == 0)
		conformance(ctx);
	else if (strcmp(path, "/api") == 0)
		ogcapi_openapi(ctx);
	else if (strcmp(path, "/collections") == 0)
		collections(ctx);
	else if (rest[0] == '\0')
		collection(ctx, id);
	else if (strcmp(rest, "/queryables") == 0)
		queryables(ctx, id);
	else
		reply_not_found(ctx);
	return true;
}

void ogcapi_handle(struct http_request *req, struct http_response *res)
{
	struct ogc_ctx ctx = {.req = req, .res = res};
	struct req_error err;
	char id[128];
	const char *rest;

	res->endpoint = "ogcapi";
	/* The format depends on Accept when f is absent. */
	http_response_header(res, "Vary", "Accept");
	ctx.lang_param = http_param(req, "lang") != NULL &&
			 (strcmp(http_param(req, "lang"), "vi") == 0 ||
			  strcmp(http_param(req, "lang"), "en") == 0);
	if (ogcapi_format_pick(req, &ctx.format, &err) != 0) {
		ogcapi_reply_error(&ctx, &err);
		return;
	}
	/* csv, fgb and gpkg exist for feature lists only. */
	if (ctx.format > OGC_FORMAT_HTML &&
	    (strncmp(req->path, "/collections/", 13) != 0 ||
	     (rest = collection_id(req->path, id, sizeof(id))) == NULL ||
	     strcmp(rest, "/items") != 0)) {
		char shown[80];

		req_error_set(&err, REQ_INVALID_PARAMETER, "f",
			i18n_pick(req,
				  "Định dạng f=\"%s\" chỉ dùng cho "
				  "/collections/{id}/items.",
				  "Format f=\"%s\" is only offered for "
				  "/collections/{id}/items."),
			req_value(http_param(req, "f"), shown, sizeof(shown)));
		ctx.format = OGC_FORMAT_JSON;
		ogcapi_reply_error(&ctx, &err);
		return;
	}
	if (route_simple(&ctx, req->path))
		return;

	if (strncmp(req->path, "/collections/", 13) != 0 ||
	    (rest = collection_id(req->path, id, sizeof(id))) == NULL) {
		reply_not_found(&ctx);
		return;
	}
	if (strcmp(rest, "/items") == 0) {
		ogcapi_items(&ctx, id);
	} else if (strncmp(rest, "/items/", 7) == 0 && rest[7] != '\0' &&
		   strchr(rest + 7, '/') == NULL) {
		ogcapi_item(&ctx, id, rest + 7);
	} else {
		reply_not_found(&ctx);
	}
}
