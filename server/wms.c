/*
 * WMS at /wms: picks the version and the operation, and writes exceptions
 * in the format the client asked for.
 *
 * Deviations from the letter of WMS 1.3.0, chosen to match what GeoServer
 * and MapServer clients send (docs/wms.md lists them):
 * - parameter names are compared without case, and so are the values of
 *   SERVICE, REQUEST, TRANSPARENT, EXCEPTIONS and FORMAT;
 * - SERVICE may be left out of every request but GetCapabilities;
 * - VERSION may be left out of GetMap, GetFeatureInfo and GetLegendGraphic:
 *   the request is then read as 1.3.0 unless it carries SRS and no CRS;
 * - exceptions are sent with a 4xx status (400 for bad parameters) where
 *   GeoServer sends 200, so that HTTP clients and caches see the failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/wms.h"

/* An empty image of the request's size and format (EXCEPTIONS=BLANK). */
static int blank_encode(const struct wms_request *wr, unsigned char **out,
			size_t *out_size)
{
	struct render_request rr = {
		.crs = vn2000_crs_find("CRS:84"),
		.bbox = {0.0, 0.0, 1.0, 1.0},
		.width = wr->width,
		.height = wr->height,
		.transparent = wr->transparent,
		.bgcolor = wr->bgcolor,
	};
	struct render_canvas *canvas;
	int rc;

	if (rr.crs == NULL)
		return -1;
	canvas = render_canvas_new(&rr);
	if (canvas == NULL)
		return -1;
	rc = render_canvas_encode(canvas, wr->format, out, out_size);
	render_canvas_free(canvas);
	return rc;
}

static void reply_error_xml(const struct wms_request *wr,
			    const struct req_error *err,
			    struct http_response *res)
{
	struct strbuf sb;
	size_t size = 0;
	char *body;

	strbuf_init(&sb, 64 * 1024);
	wms_exception_xml(&sb, err, wr->version);
	body = strbuf_take(&sb, &size);
	strbuf_free(&sb);
	if (body == NULL) {
		http_response_printf(res, 500, "text/plain; charset=UTF-8",
				     "out of memory\n");
		return;
	}
	http_response_take(res, req_error_status(err->kind),
			   wms_exception_mime(wr->version), body, size);
}

void wms_reply_error(const struct wms_request *wr, const struct req_error *err,
		     struct http_response *res)
{
	unsigned char *image = NULL;
	size_t size = 0;
	int rc = -1;

	/* Server faults are logged; client errors are in the access log. */
	if (err->kind == REQ_INTERNAL || err->kind == REQ_UNAVAILABLE)
		http_log("wms: %s failed: %s",
			 res->endpoint != NULL ? res->endpoint : "wms",
			 err->message);

	if (wr->image_ok && wr->exceptions == WMS_EXCEPTIONS_INIMAGE)
		rc = wms_inimage_encode(wr, err->message, &image, &size);
	else if (wr->image_ok && wr->exceptions == WMS_EXCEPTIONS_BLANK)
		rc = blank_encode(wr, &image, &size);

	if (rc == 0) {
		http_response_take(res, req_error_status(err->kind),
				   render_format_mime(wr->format),
				   (char *)image, size);
		http_response_header(res, "Cache-Control", "no-store");
		return;
	}
	reply_error_xml(wr, err, res);
	http_response_header(res, "Cache-Control", "no-store");
}

/* The version of a request, by operation. Returns 0 or -1 with err. */
static int version_pick(struct wms_request *wr, const char *operation,
			struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *parameter = "VERSION";
	const char *text = http_param_ci(req, "VERSION");
	char shown[80];
	int rc;

	/* WMTVER is the name WMS 1.0 used. */
	if (text == NULL && http_param_ci(req, "WMTVER") != NULL) {
		parameter = "WMTVER";
		text = http_param_ci(req, "WMTVER");
	}

	if (strcasecmp(operation, "GetCapabilities") == 0 ||
	    strcasecmp(operation, "capabilities") == 0) {
		rc = wms_version_negotiate(text, &wr->version);
	} else if (text == NULL || *text == '\0') {
		bool srs_only = http_param_ci(req, "CRS") == NULL &&
				http_param_ci(req, "SRS") != NULL;

		wr->version = srs_only ? WMS_VERSION_111 : WMS_VERSION_130;
		rc = 0;
	} else {
		rc = wms_version_parse(text, &wr->version);
	}
	if (rc == 0)
		return 0;

	wr->version = WMS_VERSION_130;
	return req_error_set(err, REQ_INVALID_PARAMETER, parameter,
		i18n_pick(req,
			  "Giá trị %s=\"%s\" không hợp lệ: phiên bản WMS được "
			  "hỗ trợ là 1.3.0 và 1.1.1.",
			  "Invalid %s=\"%s\": the supported WMS versions are "
			  "1.3.0 and 1.1.1."),
		parameter, req_value(text, shown, sizeof(shown)));
}

/* Check SERVICE: required for GetCapabilities, optional elsewhere, and
   "WMS" when given. */
static int service_check(const struct wms_request *wr, bool required,
			 struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *service = http_param_ci(req, "SERVICE");
	char shown[80];

	if (service == NULL || *service == '\0') {
		if (!required)
			return 0;
		return req_error_set(err, REQ_MISSING_PARAMETER, "SERVICE",
			i18n_pick(req, "Thiếu tham số SERVICE=WMS.",
				  "Missing parameter SERVICE=WMS."));
	}
	if (strcasecmp(service, "WMS") == 0)
		return 0;
	return req_error_set(err, REQ_INVALID_PARAMETER, "SERVICE",
		i18n_pick(req,
			  "Giá trị SERVICE=\"%s\" không hợp lệ: địa chỉ này "
			  "chỉ phục vụ WMS.",
			  "Invalid SERVICE=\"%s\": this endpoint serves WMS "
			  "only."),
		req_value(service, shown, sizeof(shown)));
}

/* LANGUAGE (as INSPIRE view services send it) overrides the language of
   the HTTP core: "vie"/"vi" or "eng"/"en". Other values are ignored. */
static void language_pick(struct http_request *req)
{
	const char *language = http_param_ci(req, "LANGUAGE");

	if (language == NULL)
		return;
	if (strcasecmp(language, "eng") == 0 || strcasecmp(language, "en") == 0)
		req->lang = "en";
	else if (strcasecmp(language, "vie") == 0 ||
		 strcasecmp(language, "vi") == 0)
		req->lang = "vi";
}

static const struct {
	const char *name;
	void (*run)(struct wms_request *wr, struct http_response *res);
	const char *endpoint;
	bool service_required;
} operations[] = {
	{"GetCapabilities", wms_get_capabilities, "wms_getcapabilities", true},
	/* The WMS 1.0 name of GetCapabilities. */
	{"capabilities", wms_get_capabilities, "wms_getcapabilities", true},
	{"GetMap", wms_get_map, "wms_getmap", false},
	{"GetFeatureInfo", wms_get_feature_info, "wms_getfeatureinfo", false},
	{"GetLegendGraphic", wms_get_legend_graphic, "wms_getlegendgraphic",
	 false},
};

void wms_handle(struct http_request *req, struct http_response *res)
{
	struct wms_request wr = {
		.http = req,
		.cfg = req->srv->cfg,
		.version = WMS_VERSION_130,
		.exceptions = WMS_EXCEPTIONS_XML,
	};
	struct req_error err = {0};
	const char *operation = http_param_ci(req, "REQUEST");
	char shown[80];

	res->endpoint = "wms";
	language_pick(req);

	if (operation == NULL || *operation == '\0') {
		version_pick(&wr, "", &err);
		req_error_set(&err, REQ_MISSING_PARAMETER, "REQUEST",
			i18n_pick(req,
				  "Thiếu tham số REQUEST (GetCapabilities, "
				  "GetMap, GetFeatureInfo hoặc "
				  "GetLegendGraphic).",
				  "Missing parameter REQUEST (GetCapabilities, "
				  "GetMap, GetFeatureInfo or GetLegendGraphic)."));
		wms_reply_error(&wr, &err, res);
		return;
	}

	for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++) {
		if (strcasecmp(operation, operations[i].name) != 0)
			continue;
		res->endpoint = operations[i].endpoint;
		if (version_pick(&wr, operation, &err) != 0 ||
		    service_check(&wr, operations[i].service_required,
				  &err) != 0) {
			wms_reply_error(&wr, &err, res);
			return;
		}
		operations[i].run(&wr, res);
		return;
	}

	version_pick(&wr, "", &err);
	req_error_set(&err, REQ_OPERATION_NOT_SUPPORTED, "REQUEST",
		i18n_pick(req,
			  "Thao tác REQUEST=\"%s\" không được hỗ trợ; dùng "
			  "GetCapabilities, GetMap, GetFeatureInfo hoặc "
			  "GetLegendGraphic.",
			  "Operation REQUEST=\"%s\" is not supported; use "
			  "GetCapabilities, GetMap, GetFeatureInfo or "
			  "GetLegendGraphic."),
		req_value(operation, shown, sizeof(shown)));
	wms_reply_error(&wr, &err, res);
}
