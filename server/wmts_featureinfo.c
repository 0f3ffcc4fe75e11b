/*
 * WMTS GetFeatureInfo: pixel (I, J) of a tile is queried through the WMS
 * GetFeatureInfo of the same box, size and CRS, so that both services find
 * the same features and write them the same way (JSON, HTML, text, GML).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/wmts.h"

static const char *const info_formats[] = {
	"application/json", "text/html", "text/plain",
	"application/vnd.ogc.gml", "application/geo+json",
};

/* Features returned per click, so that overlapping zones all show; never
   above the configured max_features. */
#define WMTS_INFO_FEATURE_COUNT 10

static int pixel_parse(struct http_request *req, const char *name,
		       const char *text, struct wmts_error *err)
{
	char shown[80];
	long value;

	if (text == NULL || text[0] == '\0')
		return req_error_set(&err->err, REQ_MISSING_PARAMETER, name,
			i18n_pick(req, "Thiếu tham số %s.",
				  "Missing parameter %s."), name);
	if (parse_long(text, 0, TMS_TILE_SIZE - 1, &value) == 0)
		return 0;
	if (parse_long(text, -(1L << 40), 1L << 40, &value) == 0)
		err->code = WMTS_CODE_POINT_OUT_OF_RANGE;
	return req_error_set(&err->err, REQ_INVALID_PARAMETER, name,
		i18n_pick(req,
			  "Giá trị %s=\"%s\" không hợp lệ: cần một số nguyên "
			  "từ 0 đến %d (điểm ảnh trong mảnh).",
			  "Invalid %s=\"%s\": expected an integer from 0 to %d "
			  "(a pixel of the tile)."),
		name, req_value(text, shown, sizeof(shown)), TMS_TILE_SIZE - 1);
}

static int info_format_check(struct http_request *req, const char *text,
			     struct wmts_error *err)
{
	char shown[80];

	if (text == NULL || text[0] == '\0')
		return req_error_set(&err->err, REQ_MISSING_PARAMETER,
			"InfoFormat",
			i18n_pick(req, "Thiếu tham số InfoFormat.",
				  "Missing parameter InfoFormat."));
	for (size_t i = 0; i < sizeof(info_formats) / sizeof(*info_formats);
	     i++)
		if (strcasecmp(text, info_formats[i]) == 0)
			return 0;
	return req_error_set(&err->err, REQ_INVALID_FORMAT, "InfoFormat",
		i18n_pick(req,
			  "Định dạng InfoFormat=\"%s\" không được hỗ trợ; dùng "
			  "application/json, text/html hoặc text/plain.",
			  "Unsupported InfoFormat=\"%s\"; use application/json, "
			  "text/html or text/plain."),
		req_value(text, shown, sizeof(shown)));
}

void wmts_get_feature_info(struct http_request *req, struct http_response *res,
			   const struct wmts_tile *tile, const char *i_text,
			   const char *j_text, const char *info_format)
{
	struct wmts_error err = {0};
	struct http_param params[14];
	struct http_request sub;
	char bbox_text[160];
	char count[24];
	int max_features = req->srv->cfg->limits.max_features;
	double bbox[4];
	const struct vn2000_crs *crs = tile->set->crs;

	if (tile->snap->cfg->kind != CFG_LAYER_VECTOR) {
		req_error_set(&err.err, REQ_OPERATION_NOT_SUPPORTED, "Layer",
			i18n_pick(req,
				  "Lớp \"%s\" không hỗ trợ truy vấn đối tượng.",
				  "Layer \"%s\" is not queryable."),
			tile->snap->cfg->id);
		wmts_reply_error(req, res, &err);
		return;
	}
	if (pixel_parse(req, "I", i_text, &err) != 0 ||
	    pixel_parse(req, "J", j_text, &err) != 0 ||
	    info_format_check(req, info_format, &err) != 0) {
		wmts_reply_error(req, res, &err);
		return;
	}

	/* The WMS 1.3.0 request of the same tile; BBOX follows the CRS's
	   axis order. */
	snprintf(count, sizeof(count), "%d",
		 max_features > 0 && max_features < WMTS_INFO_FEATURE_COUNT
			 ? max_features : WMTS_INFO_FEATURE_COUNT);
	tms_tile_bbox(tile->set, tile->z, tile->col, tile->row, bbox);
	if (crs->lat_first)
		snprintf(bbox_text, sizeof(bbox_text), "%.17g,%.17g,%.17g,%.17g",
			 bbox[1], bbox[0], bbox[3], bbox[2]);
	else
		snprintf(bbox_text, sizeof(bbox_text), "%.17g,%.17g,%.17g,%.17g",
			 bbox[0], bbox[1], bbox[2], bbox[3]);
	struct http_param list[] = {
		{"SERVICE", "WMS"}, {"VERSION", "1.3.0"},
		{"REQUEST", "GetFeatureInfo"},
		{"LAYERS", tile->snap->cfg->id},
		{"QUERY_LAYERS", tile->snap->cfg->id},
		{"STYLES", (char *)tile->style}, {"CRS", (char *)crs->id},
		{"BBOX", bbox_text}, {"WIDTH", "256"}, {"HEIGHT", "256"},
		{"I", (char *)i_text}, {"J", (char *)j_text},
		{"INFO_FORMAT", (char *)info_format},
		{"FEATURE_COUNT", count},
	};
	memcpy(params, list, sizeof(list));
	sub = *req;
	sub.path = "/wms";
	sub.params = params;
	sub.n_params = sizeof(list) / sizeof(list[0]);
	wms_handle(&sub, res);
	res->endpoint = "wmts_getfeatureinfo";
}
