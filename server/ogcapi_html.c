/*
 * HTML pages of the OGC API for browsers, in Vietnamese or English. Every
 * text that comes from the config, the data or the request goes through
 * strbuf_xml.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/ogcapi.h"

static const char page_style[] =
	"body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b}"
	"header{background:#1f4e79;color:#fff;padding:.6em 1em}"
	"header a{color:#fff}nav.lang{float:right}"
	"main{padding:1em;max-width:80em}"
	"table{border-collapse:collapse}"
	"td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;"
	"vertical-align:top}th{background:#eef}"
	".pager a{margin-right:1em}";

/* Append an href attribute value made by ogcapi_href. */
static void put_href(struct ogc_ctx *ctx, struct strbuf *sb, const char *path,
		     const char *query)
{
	struct strbuf href;

	strbuf_init(&href, 64 * 1024);
	ogcapi_href(ctx, &href, path, query);
	strbuf_xml(sb, href.data != NULL ? href.data : "");
	strbuf_free(&href);
}

/* <a href="path?query">text</a> */
static void put_anchor(struct ogc_ctx *ctx, struct strbuf *sb,
		       const char *path, const char *query, const char *text)
{
	strbuf_puts(sb, "<a href=\"");
	put_href(ctx, sb, path, query);
	strbuf_puts(sb, "\">");
	strbuf_xml(sb, text);
	strbuf_puts(sb, "</a>");
}

/* Link to the same page in another language, other parameters kept. */
static void put_lang_switch(struct ogc_ctx *ctx, struct strbuf *sb,
			    const char *lang, const char *label)
{
	const struct http_request *req = ctx->req;

	strbuf_puts(sb, "<a href=\"");
	strbuf_xml(sb, req->base_url);
	strbuf_xml(sb, req->path);
	strbuf_puts(sb, "?");
	for (size_t i = 0; i < req->n_params; i++) {
		struct strbuf part;

		if (strcmp(req->params[i].name, "lang") == 0 ||
		    strcmp(req->params[i].name, "f") == 0)
			continue;
		strbuf_init(&part, 16 * 1024);
		strbuf_urlencode(&part, req->params[i].name);
		strbuf_puts(&part, "=");
		strbuf_urlencode(&part, req->params[i].value);
		strbuf_puts(&part, "&");
		strbuf_xml(sb, part.data != NULL ? part.data : "");
		strbuf_free(&part);
	}
	strbuf_printf(sb, "f=html&amp;lang=%s\" hreflang=\"%s\">", lang, lang);
	strbuf_xml(sb, label);
	strbuf_puts(sb, "</a>");
}

void ogcapi_html_begin(struct ogc_ctx *ctx, struct strbuf *sb,
		       const char *title)
{
	const struct cfg *cfg = ctx->req->srv->cfg;
	const char *service = i18n_pick(ctx->req, cfg->title_vi, cfg->title_en);

	strbuf_printf(sb, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, "
		      "initial-scale=1\">\n<title>",
		      ctx->req->lang);
	strbuf_xml(sb, title);
	strbuf_printf(sb, "</title>\n<style>%s</style>\n</head>\n<body>\n"
		      "<header><nav class=\"lang\">", page_style);
	put_lang_switch(ctx, sb, "vi", "Tiếng Việt");
	strbuf_puts(sb, " | ");
	put_lang_switch(ctx, sb, "en", "English");
	strbuf_puts(sb, "</nav>");
	put_anchor(ctx, sb, "/", "f=html", service != NULL ? service : "vnsdi");
	strbuf_puts(sb, "</header>\n<main>\n<h1>");
	strbuf_xml(sb, title);
	strbuf_puts(sb, "</h1>\n");
}

void ogcapi_html_end(struct ogc_ctx *ctx, struct strbuf *sb)
{
	(void)ctx;
	strbuf_puts(sb, "</main>\n</body>\n</html>\n");
}

void ogcapi_html_send(struct ogc_ctx *ctx, struct strbuf *sb)
{
	size_t size;
	char *body;

	if (sb->overflow) {
		struct req_error err;

		strbuf_free(sb);
		req_error_set(&err, REQ_TOO_LARGE, "limit",
			      i18n_pick(ctx->req,
					"Trang vượt quá %u MiB; hãy giảm limit.",
					"The page exceeds %u MiB; lower limit."),
			      OGC_MAX_BODY >> 20);
		ogcapi_reply_error(ctx, &err);
		return;
	}
	body = strbuf_take(sb, &size);
	http_response_take(ctx->res, 200, OGC_MEDIA_HTML, body, size);
}

void ogcapi_html_landing(struct ogc_ctx *ctx)
{
	const struct cfg *cfg = ctx->req->srv->cfg;
	const char *title = i18n_pick(ctx->req, cfg->title_vi, cfg->title_en);
	const char *abstract = i18n_pick(ctx->req, cfg->abstract_vi,
					 cfg->abstract_en);
	struct strbuf sb;

	strbuf_init(&sb, OGC_MAX_BODY);
	ogcapi_html_begin(ctx, &sb, title != NULL ? title : "vnsdi");
	if (abstract != NULL) {
		strbuf_puts(&sb, "<p>");
		strbuf_xml(&sb, abstract);
		strbuf_puts(&sb, "</p>\n");
	}
	strbuf_puts(&sb, "<ul>\n<li>");
	put_anchor(ctx, &sb, "/viewer/", NULL,
		   i18n_pick(ctx->req, "Trang xem bản đồ", "Map viewer"));
	strbuf_puts(&sb, "</li>\n<li>");
	put_anchor(ctx, &sb, "/collections", "f=html",
		   i18n_pick(ctx->req, "Tập dữ liệu", "Collections"));
	strbuf_puts(&sb, "</li>\n<li>");
	put_anchor(ctx, &sb, "/conformance", "f=html",
		   i18n_pick(ctx->req, "Các lớp tuân thủ chuẩn (conformance)", "Conformance classes"));
	strbuf_puts(&sb, "</li>\n<li>");
	put_anchor(ctx, &sb, "/api", "f=html",
		   i18n_pick(ctx->req, "Tài liệu API (OpenAPI 3.0)",
			     "API documentation (OpenAPI 3.0)"));
	strbuf_puts(&sb, "</li>\n<li>");
	put_anchor(ctx, &sb, "/wms", "SERVICE=WMS&REQUEST=GetCapabilities",
		   "WMS 1.3.0 GetCapabilities");
	strbuf_puts(&sb, "</li>\n<li>");
	put_anchor(ctx, &sb, "/wmts/1.0.0/WMTSCapabilities.xml", NULL,
		   "WMTS 1.0.0 GetCapabilities");
	strbuf_puts(&sb, "</li>\n<li>");
	strbuf_puts(&sb, i18n_pick(ctx->req, "Ô bản đồ XYZ: ",
				   "XYZ tiles: "));
	strbuf_puts(&sb, "<code>");
	strbuf_xml(&sb, ctx->req->base_url);
	strbuf_puts(&sb, "/tiles/{layer}/{z}/{x}/{y}.png</code>");
	strbuf_puts(&sb, "</li>\n<li>");
	put_anchor(ctx, &sb, "/", "f=json", "JSON");
	strbuf_puts(&sb, "</li>\n</ul>\n");
	ogcapi_html_end(ctx, &sb);
	ogcapi_html_send(ctx, &sb);
}

void ogcapi_html_collections(struct ogc_ctx *ctx)
{
	struct layer_registry *reg = ctx->req->srv->layers;
	size_t n = layer_registry_count(reg);
	struct strbuf sb;
	char path[320];

	strbuf_init(&sb, OGC_MAX_BODY);
	ogcapi_html_begin(ctx, &sb, i18n_pick(ctx->req, "Tập dữ liệu",
					      "Collections"));
	strbuf_printf(&sb, "<table>\n<tr><th>%s</th><th>%s</th><th>%s</th>"
		      "</tr>\n",
		      i18n_pick(ctx->req, "Mã", "Id"),
		      i18n_pick(ctx->req, "Tên", "Title"),
		      i18n_pick(ctx->req, "Mô tả", "Description"));
	for (size_t i = 0; i < n; i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);

		if (snap == NULL)
			continue;
		if (snap->cfg->kind == CFG_LAYER_VECTOR) {
			snprintf(path, sizeof(path), "/collections/%s",
				 snap->cfg->id);
			strbuf_puts(&sb, "<tr><td>");
			put_anchor(ctx, &sb, path, "f=html", snap->cfg->id);
			strbuf_puts(&sb, "</td><td>");
			strbuf_xml(&sb, ogcapi_layer_title(ctx, snap->cfg));
			strbuf_puts(&sb, "</td><td>");
			strbuf_xml(&sb, ogcapi_layer_description(ctx,
								 snap->cfg));
			strbuf_puts(&sb, "</td></tr>\n");
		}
		layer_snapshot_release(snap);
	}
	strbuf_puts(&sb, "</table>\n<p>");
	put_anchor(ctx, &sb, "/collections", "f=json", "JSON");
	strbuf_puts(&sb, "</p>\n");
	ogcapi_html_end(ctx, &sb);
	ogcapi_html_send(ctx, &sb);
}

void ogcapi_html_collection(struct ogc_ctx *ctx,
			    const struct layer_snapshot *snap)
{
	const struct cfg_layer *layer = snap->cfg;
	struct strbuf sb;
	char path[320];

	strbuf_init(&sb, OGC_MAX_BODY);
	ogcapi_html_begin(ctx, &sb, ogcapi_layer_title(ctx, layer));
	strbuf_puts(&sb, "<p>");
	strbuf_xml(&sb, ogcapi_layer_description(ctx, layer));
	strbuf_puts(&sb, "</p>\n<table>\n");
	strbuf_printf(&sb, "<tr><th>%s</th><td>",
		      i18n_pick(ctx->req, "Mã", "Id"));
	strbuf_xml(&sb, layer->id);
	strbuf_printf(&sb, "</td></tr>\n<tr><th>%s</th><td>%zu</td></tr>\n",
		      i18n_pick(ctx->req, "Số đối tượng", "Features"),
		      snap->n_features);
	if (isfinite(snap->extent[0]) && snap->n_features > 0)
		strbuf_printf(&sb, "<tr><th>%s</th><td>%.7f, %.7f, %.7f, %.7f"
			      "</td></tr>\n",
			      i18n_pick(ctx->req, "Phạm vi (CRS84)",
					"Extent (CRS84)"),
			      snap->extent[0], snap->extent[1],
			      snap->extent[2], snap->extent[3]);
	if (snap->crs != NULL) {
		strbuf_printf(&sb, "<tr><th>%s</th><td>",
			      i18n_pick(ctx->req, "Hệ tọa độ lưu trữ",
					"Storage CRS"));
		strbuf_xml(&sb, snap->crs->id);
		strbuf_puts(&sb, " — ");
		strbuf_xml(&sb, i18n_pick(ctx->req, snap->crs->name_vi,
					  snap->crs->name_en));
		strbuf_puts(&sb, "</td></tr>\n");
	}
	strbuf_puts(&sb, "</table>\n<ul>\n<li>");
	snprintf(path, sizeof(path), "/collections/%s/items", layer->id);
	put_anchor(ctx, &sb, path, "f=html",
		   i18n_pick(ctx->req, "Xem các đối tượng", "Browse features"));
	strbuf_puts(&sb, "</li>\n<li>");
	put_anchor(ctx, &sb, path, "f=json", "GeoJSON");
	strbuf_puts(&sb, "</li>\n<li>");
	snprintf(path, sizeof(path), "/collections/%s/queryables", layer->id);
	put_anchor(ctx, &sb, path, "f=json",
		   i18n_pick(ctx->req, "Thuộc tính có thể lọc", "Queryables"));
	strbuf_puts(&sb, "</li>\n<li>");
	snprintf(path, sizeof(path), "/collections/%s", layer->id);
	put_anchor(ctx, &sb, path, "f=json", "JSON");
	strbuf_puts(&sb, "</li>\n</ul>\n");
	ogcapi_html_end(ctx, &sb);
	ogcapi_html_send(ctx, &sb);
}

/* A property value as HTML text. */
static void put_value(struct strbuf *sb, enum attr_type type,
		      const struct value *v)
{
	char num[64];

	if (v->is_null)
		return;
	switch (type) {
	case ATTR_INTEGER:
		strbuf_printf(sb, "%lld", (long long)v->u.i);
		break;
	case ATTR_REAL:
		if (geojson_format_real(v->u.d, num, sizeof(num)) >= 0)
			strbuf_puts(sb, num);
		break;
	case ATTR_STRING:
	case ATTR_DATE:
	case ATTR_DATETIME:
		strbuf_xml(sb, v->u.s);
		break;
	}
}

static void put_pager(struct ogc_ctx *ctx, struct strbuf *sb,
		      const char *prev, const char *next, const char *json_href)
{
	strbuf_puts(sb, "<p class=\"pager\">");
	if (prev != NULL) {
		strbuf_puts(sb, "<a rel=\"prev\" href=\"");
		strbuf_xml(sb, prev);
		strbuf_printf(sb, "\">%s</a>",
			      i18n_pick(ctx->req, "← Trang trước",
					"← Previous page"));
	}
	if (next != NULL) {
		strbuf_puts(sb, "<a rel=\"next\" href=\"");
		strbuf_xml(sb, next);
		strbuf_printf(sb, "\">%s</a>",
			      i18n_pick(ctx->req, "Trang sau →", "Next page →"));
	}
	if (json_href != NULL) {
		strbuf_puts(sb, "<a href=\"");
		strbuf_xml(sb, json_href);
		strbuf_puts(sb, "\">GeoJSON</a>");
	}
	strbuf_puts(sb, "</p>\n");
}

void ogcapi_html_items(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       const struct layer_result *result, const char *prev,
		       const char *next, const char *json_href)
{
	enum cfg_role role = ctx->req->role;
	struct strbuf sb;
	char path[400];

	strbuf_init(&sb, OGC_MAX_BODY);
	ogcapi_html_begin(ctx, &sb, ogcapi_layer_title(ctx, snap->cfg));
	strbuf_printf(&sb, "<p>%s: %zu / %zu</p>\n",
		      i18n_pick(ctx->req, "Số đối tượng trả về / phù hợp",
				"Features returned / matched"),
		      result->count, result->matched);
	put_pager(ctx, &sb, prev, next, json_href);
	strbuf_puts(&sb, "<table>\n<tr><th>id</th>");
	for (size_t a = 0; a < snap->n_attrs; a++) {
		if (!layer_attr_visible(snap, a, role))
			continue;
		strbuf_puts(&sb, "<th>");
		strbuf_xml(&sb, snap->attrs[a].name);
		strbuf_puts(&sb, "</th>");
	}
	strbuf_puts(&sb, "</tr>\n");
	for (size_t i = 0; i < result->count && !sb.overflow; i++) {
		const struct feature *f = result->features[i];
		char text[32];

		snprintf(path, sizeof(path), "/collections/%s/items/%lld",
			 snap->cfg->id, (long long)f->fid);
		snprintf(text, sizeof(text), "%lld", (long long)f->fid);
		strbuf_puts(&sb, "<tr><td>");
		put_anchor(ctx, &sb, path, "f=html", text);
		strbuf_puts(&sb, "</td>");
		for (size_t a = 0; a < snap->n_attrs; a++) {
			if (!layer_attr_visible(snap, a, role))
				continue;
			strbuf_puts(&sb, "<td>");
			put_value(&sb, snap->attrs[a].type, &f->values[a]);
			strbuf_puts(&sb, "</td>");
		}
		strbuf_puts(&sb, "</tr>\n");
	}
	strbuf_puts(&sb, "</table>\n");
	put_pager(ctx, &sb, prev, next, NULL);
	ogcapi_html_end(ctx, &sb);
	ogcapi_html_send(ctx, &sb);
}

static const char *geom_type_name(const struct geom *g)
{
	switch (g->type) {
	case GEOM_POINT:
		return g->multi ? "MultiPoint" : "Point";
	case GEOM_LINE:
		return g->multi ? "MultiLineString" : "LineString";
	case GEOM_POLYGON:
		return g->multi ? "MultiPolygon" : "Polygon";
	case GEOM_NONE:
		break;
	}
	return "—";
}

void ogcapi_html_item(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		      const struct feature *f, const char *json_href)
{
	struct strbuf sb;
	char title[256];
	char path[320];

	snprintf(title, sizeof(title), "%s %lld",
		 ogcapi_layer_title(ctx, snap->cfg), (long long)f->fid);
	strbuf_init(&sb, OGC_MAX_BODY);
	ogcapi_html_begin(ctx, &sb, title);
	strbuf_puts(&sb, "<table>\n");
	for (size_t a = 0; a < snap->n_attrs; a++) {
		if (!layer_attr_visible(snap, a, ctx->req->role))
			continue;
		strbuf_puts(&sb, "<tr><th>");
		strbuf_xml(&sb, snap->attrs[a].name);
		strbuf_puts(&sb, "</th><td>");
		put_value(&sb, snap->attrs[a].type, &f->values[a]);
		strbuf_puts(&sb, "</td></tr>\n");
	}
	strbuf_printf(&sb, "<tr><th>%s</th><td>%s</td></tr>\n",
		      i18n_pick(ctx->req, "Hình học", "Geometry"),
		      geom_type_name(&f->lonlat));
	if (f->lonlat.n_points > 0)
		strbuf_printf(&sb, "<tr><th>%s</th><td>%.7f, %.7f, %.7f, %.7f"
			      "</td></tr>\n",
			      i18n_pick(ctx->req, "Khung bao (CRS84)",
					"Bounding box (CRS84)"),
			      f->bbox[0], f->bbox[1], f->bbox[2], f->bbox[3]);
	strbuf_puts(&sb, "</table>\n<p>");
	snprintf(path, sizeof(path), "/collections/%s/items", snap->cfg->id);
	put_anchor(ctx, &sb, path, "f=html",
		   i18n_pick(ctx->req, "Tất cả đối tượng", "All features"));
	if (json_href != NULL) {
		strbuf_puts(&sb, " · <a href=\"");
		strbuf_xml(&sb, json_href);
		strbuf_puts(&sb, "\">GeoJSON</a>");
	}
	strbuf_puts(&sb, "</p>\n");
	ogcapi_html_end(ctx, &sb);
	ogcapi_html_send(ctx, &sb);
}
