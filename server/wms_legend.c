/*
 * WMS GetLegendGraphic (the SLD extension): LAYER, STYLE and FORMAT
 * image/png; the legend is drawn in the request's language. WIDTH, HEIGHT,
 * SCALE and SLD_VERSION are accepted and ignored.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/wms.h"

static int legend_parse(const struct wms_request *wr,
			struct layer_snapshot **snap, const char **style,
			struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *layer = http_param_ci(req, "LAYER");
	const char *format = http_param_ci(req, "FORMAT");
	char shown[80];

	if (layer == NULL || *layer == '\0')
		return req_error_set(err, REQ_MISSING_PARAMETER, "LAYER",
			i18n_pick(req, "Thiếu tham số LAYER.",
				  "Missing parameter LAYER."));
	*snap = layer_registry_acquire_id(req->srv->layers, layer);
	if (*snap == NULL)
		return req_error_set(err, REQ_LAYER_NOT_DEFINED, "LAYER",
			i18n_pick(req,
				  "Lớp LAYER=\"%s\" không tồn tại. Xem danh "
				  "sách lớp trong GetCapabilities.",
				  "Layer LAYER=\"%s\" is not defined. See "
				  "GetCapabilities for the list of layers."),
			req_value(layer, shown, sizeof(shown)));

	*style = http_param_ci(req, "STYLE");
	if (*style != NULL && **style != '\0' &&
	    !wms_style_exists(*snap, *style))
		return req_error_set(err, REQ_STYLE_NOT_DEFINED, "STYLE",
			i18n_pick(req,
				  "Kiểu STYLE=\"%s\" không tồn tại cho lớp "
				  "\"%s\". Xem danh sách kiểu trong "
				  "GetCapabilities.",
				  "Style STYLE=\"%s\" is not defined for "
				  "layer \"%s\". See GetCapabilities for the "
				  "list of styles."),
			req_value(*style, shown, sizeof(shown)),
			(*snap)->cfg->id);
	if (*style == NULL || **style == '\0')
		*style = (*snap)->cfg->n_styles > 0
				 ? (*snap)->cfg->styles[0].name
				 : NULL;

	if (format != NULL && *format != '\0' &&
	    strcasecmp(format, "image/png") != 0)
		return req_error_set(err, REQ_INVALID_FORMAT, "FORMAT",
			i18n_pick(req,
				  "Định dạng FORMAT=\"%s\" không được hỗ trợ "
				  "cho chú giải; dùng image/png.",
				  "Unsupported FORMAT=\"%s\" for a legend; use "
				  "image/png."),
			req_value(format, shown, sizeof(shown)));
	return 0;
}

void wms_get_legend_graphic(struct wms_request *wr, struct http_response *res)
{
	struct layer_snapshot *snap = NULL;
	const char *style = NULL;
	struct req_error err = {0};
	unsigned char *png = NULL;
	size_t size = 0;

	if (legend_parse(wr, &snap, &style, &err) != 0)
		goto fail;
	if (render_legend_png(snap, style, wr->http->lang, &png, &size) != 0) {
		req_error_set(&err, REQ_INTERNAL, "",
			      i18n_pick(wr->http,
					"Không thể vẽ chú giải của lớp.",
					"The layer's legend could not be "
					"drawn."));
		goto fail;
	}
	layer_snapshot_release(snap);
	http_response_take(res, 200, "image/png", (char *)png, size);
	http_response_header(res, "Cache-Control", "max-age=0, must-revalidate");
	return;

fail:
	layer_snapshot_release(snap);
	wms_reply_error(wr, &err, res);
}
