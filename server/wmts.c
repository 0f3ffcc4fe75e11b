/*
 * WMTS 1.0.0 at /wmts: KVP dispatch and the RESTful paths, tile request
 * checks, tile replies with ETags, and OWS exception reports.
 *
 * Deviations from the letter of WMTS 1.0.0, chosen so that the service
 * rejects bad input with a 4xx as every vnsdi protocol does:
 * - OperationNotSupported is sent with status 400, not 501;
 * - an unknown layer, style or tile matrix set in a RESTful path is 404
 *   (the resource does not exist), with the same exception report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/wmts.h"

const struct wmts_names wmts_kvp_names = {
	.layer = "Layer",
	.style = "Style",
	.format = "Format",
	.set = "TileMatrixSet",
	.matrix = "TileMatrix",
	.row = "TileRow",
	.col = "TileCol",
};

/* ---- errors ---- */

const char *wmts_error_code(const struct wmts_error *err)
{
	if (err->code == WMTS_CODE_TILE_OUT_OF_RANGE)
		return "TileOutOfRange";
	if (err->code == WMTS_CODE_POINT_OUT_OF_RANGE)
		return "PointIJOutOfRange";
	if (err->code == WMTS_CODE_VERSION_NEGOTIATION_FAILED)
		return "VersionNegotiationFailed";
	switch (err->err.kind) {
	case REQ_MISSING_PARAMETER:
		return "MissingParameterValue";
	case REQ_INVALID_PARAMETER:
	case REQ_INVALID_CRS:
	case REQ_INVALID_FORMAT:
	case REQ_LAYER_NOT_DEFINED:
	case REQ_STYLE_NOT_DEFINED:
	case REQ_NOT_FOUND:
	case REQ_TOO_LARGE:
		return "InvalidParameterValue";
	case REQ_OPERATION_NOT_SUPPORTED:
	case REQ_METHOD_NOT_ALLOWED:
		return "OperationNotSupported";
	case REQ_CURRENT_UPDATE_SEQUENCE:
	case REQ_INVALID_UPDATE_SEQUENCE:
		return "InvalidUpdateSequence";
	default:
		return "NoApplicableCode";
	}
}

int wmts_error_status(const struct wmts_error *err)
{
	if (err->status != 0)
		return err->status;
	if (err->code != WMTS_CODE_FROM_KIND)
		return 400;
	switch (err->err.kind) {
	case REQ_LAYER_NOT_DEFINED:
	case REQ_STYLE_NOT_DEFINED:
		return 400;
	default:
		return req_error_status(err->err.kind);
	}
}

void wmts_reply_error(const struct http_request *req, struct http_response *res,
		      const struct wmts_error *err)
{
	struct strbuf sb;
	char *body;
	size_t size = 0;

	if (err->err.kind == REQ_INTERNAL || err->err.kind == REQ_UNAVAILABLE)
		http_log("wmts: %s failed: %s", req->path, err->err.message);

	strbuf_init(&sb, 64 * 1024);
	strbuf_printf(&sb,
		      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<ows:ExceptionReport xmlns:ows=\"http://www.opengis.net/"
		      "ows/1.1\" version=\"1.1.0\" xml:lang=\"%s\">\n"
		      "  <ows:Exception exceptionCode=\"%s\"",
		      i18n_pick(req, "vi", "en"), wmts_error_code(err));
	if (err->err.parameter[0] != '\0') {
		strbuf_puts(&sb, " locator=\"");
		strbuf_xml(&sb, err->err.parameter);
		strbuf_puts(&sb, "\"");
	}
	strbuf_puts(&sb, ">\n    <ows:ExceptionText>");
	strbuf_xml(&sb, err->err.message);
	strbuf_puts(&sb, "</ows:ExceptionText>\n  </ows:Exception>\n"
			 "</ows:ExceptionReport>\n");
	body = sb.overflow ? NULL : strbuf_take(&sb, &size);
	strbuf_free(&sb);
	if (body == NULL) {
		http_response_copy(res, 503, "text/plain; charset=utf-8",
				   "out of memory\n", 14);
		return;
	}
	http_response_take(res, wmts_error_status(err), "application/xml", body,
			   size);
	http_response_header(res, "Cache-Control", "no-store");
}

/* ---- styles and formats ---- */

bool wmts_style_exists(const struct layer_snapshot *snap, const char *name)
{
	const struct cfg_layer *layer = snap->cfg;

	if (name == NULL || name[0] == '\0')
		return true;
	if (layer->n_styles == 0 || layer->kind == CFG_LAYER_RASTER)
		return strcmp(name, "default") == 0;
	for (size_t i = 0; i < layer->n_styles; i++)
		if (strcmp(layer->styles[i].name, name) == 0)
			return true;
	return false;
}

const char *wmts_style_resolve(const struct layer_snapshot *snap,
			       const char *name)
{
	const struct cfg_layer *layer = snap->cfg;

	if (name != NULL && name[0] != '\0')
		return name;
	if (layer->kind == CFG_LAYER_RASTER || layer->n_styles == 0)
		return "default";
	return layer->styles[0].name;
}

bool wmts_format_offered(const struct layer_snapshot *snap,
			 enum render_format format)
{
	if (snap->cfg->kind == CFG_LAYER_RASTER)
		return format == RENDER_PNG || format == RENDER_JPEG;
	return format == RENDER_PNG || format == RENDER_PNG8;
}

const char *wmts_cache_control(const struct cfg *cfg)
{
	/* The default lets browsers keep tiles an hour and revalidate with
	   the ETag after that. */
	if (cfg == NULL || cfg->tiles_cache_control == NULL)
		return TILECACHE_DEFAULT_CACHE_CONTROL;
	return cfg->tiles_cache_control;
}

/* ---- tile requests ---- */

static int missing(struct http_request *req, const char *name,
		   struct wmts_error *err)
{
	return req_error_set(&err->err, REQ_MISSING_PARAMETER, name,
		i18n_pick(req, "Thiếu tham số %s.", "Missing parameter %s."),
		name);
}

static int parse_layer_style(struct http_request *req,
			     const struct wmts_tile_text *text,
			     const struct wmts_names *names,
			     struct wmts_tile *out, struct wmts_error *err)
{
	char shown[80];

	if (text->layer == NULL || text->layer[0] == '\0')
		return missing(req, names->layer, err);
	out->snap = layer_registry_acquire_id(req->srv->layers, text->layer);
	if (out->snap == NULL)
		return req_error_set(&err->err, REQ_LAYER_NOT_DEFINED,
			names->layer,
			i18n_pick(req,
				  "Không có lớp dữ liệu %s=\"%s\". Xem danh "
				  "sách lớp trong GetCapabilities.",
				  "Unknown %s=\"%s\". See GetCapabilities for "
				  "the list of layers."),
			names->layer,
			req_value(text->layer, shown, sizeof(shown)));
	if (!wmts_style_exists(out->snap, text->style))
		return req_error_set(&err->err, REQ_STYLE_NOT_DEFINED,
			names->style,
			i18n_pick(req,
				  "Lớp \"%s\" không có kiểu hiển thị "
				  "%s=\"%s\". Xem danh sách kiểu trong "
				  "GetCapabilities.",
				  "Layer \"%s\" has no style %s=\"%s\". See "
				  "GetCapabilities for the list of styles."),
			out->snap->cfg->id, names->style,
			req_value(text->style, shown, sizeof(shown)));
	out->style = wmts_style_resolve(out->snap, text->style);
	return 0;
}

static int parse_format(struct http_request *req,
			const struct wmts_tile_text *text,
			const struct wmts_names *names, struct wmts_tile *out,
			struct wmts_error *err)
{
	char shown[80];

	if (text->format == NULL || text->format[0] == '\0')
		return missing(req, names->format, err);
	if (render_format_parse(text->format, &out->format) == 0 &&
	    wmts_format_offered(out->snap, out->format))
		return 0;
	return req_error_set(&err->err, REQ_INVALID_FORMAT, names->format,
		i18n_pick(req,
			  "Định dạng %s=\"%s\" không được hỗ trợ cho lớp "
			  "\"%s\"; dùng %s.",
			  "Unsupported %s=\"%s\" for layer \"%s\"; use %s."),
		names->format, req_value(text->format, shown, sizeof(shown)),
		out->snap->cfg->id,
		out->snap->cfg->kind == CFG_LAYER_RASTER
			? "image/png, image/jpeg"
			: "image/png, image/png; mode=8bit");
}

static int tile_out_of_range(struct http_request *req, const char *name,
			     const char *value, const char *detail_vi,
			     const char *detail_en, struct wmts_error *err)
{
	char shown[80];

	err->code = WMTS_CODE_TILE_OUT_OF_RANGE;
	return req_error_set(&err->err, REQ_INVALID_PARAMETER, name,
		i18n_pick(req, "Giá trị %s=\"%s\" nằm ngoài phạm vi: %s.",
			  "%s=\"%s\" is out of range: %s."),
		name, req_value(value, shown, sizeof(shown)),
		i18n_pick(req, detail_vi, detail_en));
}

/* Row or column: a whole number, then inside the limits. */
static int parse_index(struct http_request *req, const char *name,
		       const char *value, int64_t min, int64_t max,
		       int64_t *out, struct wmts_error *err)
{
	char shown[80], range[96];
	long v;

	if (value == NULL || value[0] == '\0')
		return missing(req, name, err);
	if (parse_long(value, 0, 1L << 40, &v) != 0) {
		/* A negative number is a tile outside the matrix. */
		if (parse_long(value, -(1L << 40), -1, &v) != 0)
			return req_error_set(&err->err, REQ_INVALID_PARAMETER,
				name,
				i18n_pick(req,
					  "Giá trị %s=\"%s\" không hợp lệ: cần "
					  "một số nguyên không âm.",
					  "Invalid %s=\"%s\": expected a "
					  "non-negative integer."),
				name, req_value(value, shown, sizeof(shown)));
	}
	if (v >= min && v <= max) {
		*out = v;
		return 0;
	}
	snprintf(range, sizeof(range), "%lld..%lld", (long long)min,
		 (long long)max);
	err->code = WMTS_CODE_TILE_OUT_OF_RANGE;
	return req_error_set(&err->err, REQ_INVALID_PARAMETER, name,
		i18n_pick(req,
			  "Giá trị %s=\"%s\" nằm ngoài phạm vi của lớp: "
			  "%s.",
			  "%s=\"%s\" is outside the layer's limits: %s."),
		name, req_value(value, shown, sizeof(shown)), range);
}

static int parse_matrix(struct http_request *req,
			const struct wmts_tile_text *text,
			const struct wmts_names *names, struct wmts_tile *out,
			struct tms_layer_limits *limits, struct wmts_error *err)
{
	char shown[80];

	if (text->set == NULL || text->set[0] == '\0')
		return missing(req, names->set, err);
	out->set = tms_find(text->set);
	if (out->set == NULL)
		return req_error_set(&err->err, REQ_INVALID_PARAMETER,
			names->set,
			i18n_pick(req,
				  "Không có lưới mảnh %s=\"%s\"; dùng "
				  "WebMercatorQuad, WorldCRS84Quad hoặc "
				  "VN2000UTM48N.",
				  "Unknown %s=\"%s\"; use WebMercatorQuad, "
				  "WorldCRS84Quad or VN2000UTM48N."),
			names->set, req_value(text->set, shown, sizeof(shown)));
	if (text->matrix == NULL || text->matrix[0] == '\0')
		return missing(req, names->matrix, err);
	out->z = tms_matrix_find(out->set, text->matrix);
	if (out->z < 0)
		return tile_out_of_range(req, names->matrix, text->matrix,
			"không phải mức của lưới mảnh này",
			"not a tile matrix of this set", err);
	if (tms_layer_limits(req->srv->cfg, out->set, out->snap, limits) != 0)
		return req_error_set(&err->err, REQ_UNAVAILABLE, "",
			i18n_pick(req,
				  "Không thể tính phạm vi mảnh của lớp \"%s\".",
				  "The tile limits of layer \"%s\" could not be "
				  "computed."), out->snap->cfg->id);
	/* Imagery at coarse matrices is withheld by the secrecy rule, and
	   every layer is served only where it has tiles. */
	if (limits->limits[out->z].empty)
		return tile_out_of_range(req, names->matrix, text->matrix,
			"lớp không được phục vụ ở mức này",
			"the layer is not served at this tile matrix", err);
	return 0;
}

int wmts_tile_parse(struct http_request *req, const struct wmts_tile_text *text,
		    const struct wmts_names *names, struct wmts_tile *out,
		    struct wmts_error *err)
{
	struct tms_layer_limits limits;
	const struct tms_limits *lim;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (parse_layer_style(req, text, names, out, err) != 0 ||
	    parse_format(req, text, names, out, err) != 0 ||
	    parse_matrix(req, text, names, out, &limits, err) != 0)
		return -1;
	lim = &limits.limits[out->z];
	if (parse_index(req, names->row, text->row, lim->min_row, lim->max_row,
			&out->row, err) != 0 ||
	    parse_index(req, names->col, text->col, lim->min_col, lim->max_col,
			&out->col, err) != 0)
		return -1;
	return 0;
}

void wmts_tile_clear(struct wmts_tile *tile)
{
	layer_snapshot_release(tile->snap);
	tile->snap = NULL;
}

void wmts_tile_reply(struct http_request *req, struct http_response *res,
		     const struct wmts_tile *tile, const char *if_none_match)
{
	struct tilecache *cache = req->srv->tiles;
	struct tilecache_key key = {
		.set = tile->set,
		.z = tile->z,
		.col = tile->col,
		.row = tile->row,
		.style = tile->style,
		.format = tile->format,
		.deadline = request_deadline(req->srv->cfg),
	};
	struct tilecache_tile out;
	struct wmts_error err = {0};
	int rc = tilecache_fetch(cache, req->srv->cfg, tile->snap, &key, &out);

	if (rc == TMS_RENDER_TIMED_OUT) {
		req_error_set(&err.err, REQ_UNAVAILABLE, "",
			i18n_pick(req,
				  "Vẽ mảnh bản đồ mất quá %d giây "
				  "(limits.request_timeout) nên đã dừng.",
				  "Drawing the tile took longer than %d "
				  "seconds (limits.request_timeout) and was "
				  "stopped."),
			req->srv->cfg->limits.request_timeout);
		wmts_reply_error(req, res, &err);
		return;
	}
	if (rc != 0) {
		req_error_set(&err.err, REQ_INTERNAL, "",
			i18n_pick(req, "Không thể vẽ mảnh bản đồ.",
				  "The tile could not be rendered."));
		wmts_reply_error(req, res, &err);
		return;
	}
	if (tilecache_etag_matches(if_none_match, out.etag)) {
		/* The ETag is still needed below: only the image goes. */
		free(out.data);
		out.data = NULL;
		http_response_take(res, 304, NULL, NULL, 0);
	} else {
		http_response_take(res, 200, render_format_mime(tile->format),
				   (char *)out.data, out.size);
		out.data = NULL;
	}
	http_response_header(res, "ETag", out.etag);
	http_response_header(res, "Cache-Control",
			     wmts_cache_control(req->srv->cfg));
	http_response_header(res, "X-Tile-Cache", out.hit ? "hit" : "miss");
	tilecache_tile_clear(&out);
}

/* ---- KVP ---- */

static int service_version_check(struct http_request *req, bool version_required,
				 struct wmts_error *err)
{
	const char *service = http_param_ci(req, "SERVICE");
	const char *version = http_param_ci(req, "VERSION");
	char shown[80];

	if (service == NULL || service[0] == '\0')
		return missing(req, "SERVICE", err);
	if (strcasecmp(service, "WMTS") != 0)
		return req_error_set(&err->err, REQ_INVALID_PARAMETER, "SERVICE",
			i18n_pick(req,
				  "Giá trị SERVICE=\"%s\" không hợp lệ: địa chỉ "
				  "này chỉ phục vụ WMTS.",
				  "Invalid SERVICE=\"%s\": this endpoint serves "
				  "WMTS only."),
			req_value(service, shown, sizeof(shown)));
	if (version == NULL || version[0] == '\0') {
		if (version_required)
			return missing(req, "VERSION", err);
		return 0;
	}
	if (strcmp(version, "1.0.0") != 0)
		return req_error_set(&err->err, REQ_INVALID_PARAMETER, "VERSION",
			i18n_pick(req,
				  "Giá trị VERSION=\"%s\" không hợp lệ: phiên "
				  "bản WMTS được hỗ trợ là 1.0.0.",
				  "Invalid VERSION=\"%s\": the supported WMTS "
				  "version is 1.0.0."),
			req_value(version, shown, sizeof(shown)));
	return 0;
}

static void kvp_tile_text(struct http_request *req, struct wmts_tile_text *t)
{
	t->layer = http_param_ci(req, "LAYER");
	t->style = http_param_ci(req, "STYLE");
	t->format = http_param_ci(req, "FORMAT");
	t->set = http_param_ci(req, "TILEMATRIXSET");
	t->matrix = http_param_ci(req, "TILEMATRIX");
	t->row = http_param_ci(req, "TILEROW");
	t->col = http_param_ci(req, "TILECOL");
}

static void kvp_get_tile(struct http_request *req, struct http_response *res,
			 bool feature_info)
{
	struct wmts_tile_text text;
	struct wmts_tile tile;
	struct wmts_error err;

	kvp_tile_text(req, &text);
	if (wmts_tile_parse(req, &text, &wmts_kvp_names, &tile, &err) != 0) {
		wmts_tile_clear(&tile);
		wmts_reply_error(req, res, &err);
		return;
	}
	if (feature_info)
		wmts_get_feature_info(req, res, &tile, http_param_ci(req, "I"),
				      http_param_ci(req, "J"),
				      http_param_ci(req, "INFOFORMAT"));
	else
		wmts_tile_reply(req, res, &tile,
				http_header(req, "If-None-Match"));
	wmts_tile_clear(&tile);
}

static void handle_kvp(struct http_request *req, struct http_response *res)
{
	const char *operation = http_param_ci(req, "REQUEST");
	struct wmts_error err = {0};
	char shown[80];
	int kind;

	if (operation == NULL || operation[0] == '\0') {
		missing(req, "REQUEST", &err);
		wmts_reply_error(req, res, &err);
		return;
	}
	if (strcasecmp(operation, "GetCapabilities") == 0)
		kind = 0;
	else if (strcasecmp(operation, "GetTile") == 0)
		kind = 1;
	else if (strcasecmp(operation, "GetFeatureInfo") == 0)
		kind = 2;
	else
		kind = -1;
	if (kind < 0) {
		req_error_set(&err.err, REQ_OPERATION_NOT_SUPPORTED, "REQUEST",
			i18n_pick(req,
				  "Thao tác REQUEST=\"%s\" không được hỗ trợ; "
				  "dùng GetCapabilities, GetTile hoặc "
				  "GetFeatureInfo.",
				  "Operation REQUEST=\"%s\" is not supported; "
				  "use GetCapabilities, GetTile or "
				  "GetFeatureInfo."),
			req_value(operation, shown, sizeof(shown)));
		wmts_reply_error(req, res, &err);
		return;
	}
	if (service_version_check(req, kind != 0, &err) != 0) {
		wmts_reply_error(req, res, &err);
		return;
	}
	res->endpoint = kind == 0 ? "wmts_getcapabilities"
			: kind == 1 ? "wmts_gettile" : "wmts_getfeatureinfo";
	if (kind == 0)
		wmts_get_capabilities(req, res, true);
	else
		kvp_get_tile(req, res, kind == 2);
}

/* ---- RESTful ---- */

#define REST_MAX_SEGMENTS 10

/* Split `path` (after the prefix) on '/' into at most max segments.
   Returns the count, or -1 when there are more. */
static int split_path(char *path, char **segments, int max)
{
	int n = 0;

	for (char *p = path; p != NULL && *p != '\0';) {
		char *slash = strchr(p, '/');

		if (n == max)
			return -1;
		if (slash != NULL)
			*slash = '\0';
		segments[n++] = p;
		p = slash != NULL ? slash + 1 : NULL;
	}
	return n;
}

/* Cut ".ext" off the last segment and return the extension. */
static const char *cut_extension(char *segment)
{
	char *dot = strrchr(segment, '.');

	if (dot == NULL)
		return "";
	*dot = '\0';
	return dot + 1;
}

static const char *tile_mime_of(const char *ext)
{
	if (strcasecmp(ext, "png") == 0)
		return "image/png";
	if (strcasecmp(ext, "png8") == 0)
		return "image/png; mode=8bit";
	if (strcasecmp(ext, "jpg") == 0 || strcasecmp(ext, "jpeg") == 0)
		return "image/jpeg";
	/* Anything else is reported as an invalid Format by its name. */
	return ext;
}

static const char *info_mime_of(const char *ext)
{
	if (strcasecmp(ext, "json") == 0 || strcasecmp(ext, "geojson") == 0)
		return "application/json";
	if (strcasecmp(ext, "html") == 0)
		return "text/html";
	if (strcasecmp(ext, "txt") == 0)
		return "text/plain";
	if (strcasecmp(ext, "gml") == 0)
		return "application/vnd.ogc.gml";
	return ext;
}

static void rest_not_found(struct http_request *req, struct http_response *res)
{
	struct wmts_error err = {0};
	char shown[80];

	req_error_set(&err.err, REQ_NOT_FOUND, "",
		i18n_pick(req,
			  "Không có tài nguyên WMTS tại \"%s\"; dùng "
			  "/wmts/1.0.0/WMTSCapabilities.xml hoặc "
			  "/wmts/1.0.0/{lớp}/{kiểu}/{lưới}/{mức}/{hàng}/"
			  "{cột}.png.",
			  "No WMTS resource at \"%s\"; use "
			  "/wmts/1.0.0/WMTSCapabilities.xml or "
			  "/wmts/1.0.0/{layer}/{style}/{set}/{matrix}/{row}/"
			  "{col}.png."),
		req_value(req->path, shown, sizeof(shown)));
	err.status = 404;
	wmts_reply_error(req, res, &err);
}

static void handle_rest(struct http_request *req, struct http_response *res,
			const char *rest)
{
	char *copy = strdup(rest);
	char *seg[REST_MAX_SEGMENTS];
	struct wmts_tile_text text = {0};
	struct wmts_tile tile = {0};
	struct wmts_error err;
	const char *ext;
	int n;

	if (copy == NULL) {
		http_response_copy(res, 503, "text/plain; charset=utf-8",
				   "out of memory\n", 14);
		return;
	}
	n = split_path(copy, seg, REST_MAX_SEGMENTS);
	if (n == 1 && strcmp(seg[0], "WMTSCapabilities.xml") == 0) {
		res->endpoint = "wmts_getcapabilities";
		wmts_get_capabilities(req, res, false);
		goto done;
	}
	if (n != 6 && n != 8) {
		rest_not_found(req, res);
		goto done;
	}
	ext = cut_extension(seg[n - 1]);
	text = (struct wmts_tile_text){
		.layer = seg[0], .style = seg[1], .set = seg[2],
		.matrix = seg[3], .row = seg[4], .col = seg[5],
		/* FeatureInfo needs a tile format to check the tile, so
		   PNG, which every layer offers, is used. */
		.format = n == 6 ? tile_mime_of(ext) : "image/png",
	};
	res->endpoint = n == 6 ? "wmts_gettile" : "wmts_getfeatureinfo";
	if (wmts_tile_parse(req, &text, &wmts_kvp_names, &tile, &err) != 0) {
		/* A resource that does not exist at all is 404. */
		if (err.code == WMTS_CODE_FROM_KIND &&
		    (err.err.kind == REQ_LAYER_NOT_DEFINED ||
		     err.err.kind == REQ_STYLE_NOT_DEFINED ||
		     strcmp(err.err.parameter, "TileMatrixSet") == 0))
			err.status = 404;
		wmts_reply_error(req, res, &err);
		goto done;
	}
	if (n == 6)
		wmts_tile_reply(req, res, &tile,
				http_header(req, "If-None-Match"));
	else
		wmts_get_feature_info(req, res, &tile, seg[7], seg[6],
				      info_mime_of(ext));
done:
	wmts_tile_clear(&tile);
	free(copy);
}

void wmts_handle(struct http_request *req, struct http_response *res)
{
	static const char rest_prefix[] = "/wmts/1.0.0/";

	res->endpoint = "wmts";
	if (strcmp(req->path, "/wmts") == 0) {
		handle_kvp(req, res);
		return;
	}
	if (strncmp(req->path, rest_prefix, sizeof(rest_prefix) - 1) == 0) {
		handle_rest(req, res, req->path + sizeof(rest_prefix) - 1);
		return;
	}
	rest_not_found(req, res);
}
