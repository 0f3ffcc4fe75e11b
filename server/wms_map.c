/*
 * The map part of GetMap and GetFeatureInfo: image size and format, layers,
 * styles, CRS and box, checked before anything is allocated or drawn.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/wms.h"

static int missing(const struct http_request *req, const char *parameter,
		   struct req_error *err)
{
	return req_error_set(err, REQ_MISSING_PARAMETER, parameter,
		i18n_pick(req, "Thiếu tham số %s.", "Missing parameter %s."),
		parameter);
}

/* Parse WIDTH or HEIGHT: an integer from 1 to `max`. */
static int size_parse(const struct http_request *req, const char *parameter,
		      long max, int *out, struct req_error *err)
{
	const char *text = http_param_ci(req, parameter);
	char shown[80];
	long value;

	if (text == NULL || *text == '\0')
		return missing(req, parameter, err);
	req_value(text, shown, sizeof(shown));
	if (parse_long(text, LONG_MIN, LONG_MAX, &value) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, parameter,
			i18n_pick(req,
				  "Giá trị %s=\"%s\" không hợp lệ: cần một số "
				  "nguyên.",
				  "Invalid %s=\"%s\": expected an integer."),
			parameter, shown);
	if (value < 1 || value > max)
		return req_error_set(err, REQ_INVALID_PARAMETER, parameter,
			i18n_pick(req,
				  "Giá trị %s=\"%s\" không hợp lệ: phải từ 1 "
				  "đến %ld điểm ảnh.",
				  "Invalid %s=\"%s\": must be from 1 to %ld "
				  "pixels."),
			parameter, shown, max);
	*out = (int)value;
	return 0;
}

static int format_parse(struct wms_request *wr, bool required,
			struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *text = http_param_ci(req, "FORMAT");
	char shown[80];

	if (text == NULL || *text == '\0') {
		if (required)
			return missing(req, "FORMAT", err);
		wr->format = RENDER_PNG;
		return 0;
	}
	if (render_format_parse(text, &wr->format) == 0)
		return 0;
	return req_error_set(err, REQ_INVALID_FORMAT, "FORMAT",
		i18n_pick(req,
			  "Định dạng FORMAT=\"%s\" không được hỗ trợ; dùng "
			  "image/png, image/png; mode=8bit hoặc image/jpeg.",
			  "Unsupported FORMAT=\"%s\"; use image/png, "
			  "image/png; mode=8bit or image/jpeg."),
		req_value(text, shown, sizeof(shown)));
}

static int colour_parse(struct wms_request *wr, struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *transparent = http_param_ci(req, "TRANSPARENT");
	const char *bgcolor = http_param_ci(req, "BGCOLOR");
	char shown[80];

	wr->transparent = false;
	if (transparent != NULL && *transparent != '\0' &&
	    wms_bool_parse(transparent, &wr->transparent) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, "TRANSPARENT",
			i18n_pick(req,
				  "Giá trị TRANSPARENT=\"%s\" không hợp lệ: "
				  "cần TRUE hoặc FALSE.",
				  "Invalid TRANSPARENT=\"%s\": expected TRUE "
				  "or FALSE."),
			req_value(transparent, shown, sizeof(shown)));

	wr->bgcolor = 0xFFFFFF;
	if (bgcolor != NULL && *bgcolor != '\0' &&
	    wms_bgcolor_parse(bgcolor, &wr->bgcolor) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, "BGCOLOR",
			i18n_pick(req,
				  "Giá trị BGCOLOR=\"%s\" không hợp lệ: cần "
				  "dạng 0xRRGGBB.",
				  "Invalid BGCOLOR=\"%s\": expected 0xRRGGBB."),
			req_value(bgcolor, shown, sizeof(shown)));
	return 0;
}

int wms_image_params_parse(struct wms_request *wr, bool format_required,
			   struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *exceptions = http_param_ci(req, "EXCEPTIONS");
	const struct cfg_limits *limits = &wr->cfg->limits;
	char shown[80];

	wr->image_ok = false;
	if (wms_exceptions_parse(exceptions, &wr->exceptions) != 0) {
		wr->exceptions = WMS_EXCEPTIONS_XML;
		return req_error_set(err, REQ_INVALID_PARAMETER, "EXCEPTIONS",
			i18n_pick(req,
				  "Giá trị EXCEPTIONS=\"%s\" không hợp lệ: "
				  "cần XML, INIMAGE hoặc BLANK.",
				  "Invalid EXCEPTIONS=\"%s\": expected XML, "
				  "INIMAGE or BLANK."),
			req_value(exceptions, shown, sizeof(shown)));
	}

	/* Each side is capped, so WIDTH x HEIGHT never exceeds
	   max_width x max_height; nothing is allocated before this. */
	if (size_parse(req, "WIDTH", limits->max_width, &wr->width, err) != 0 ||
	    size_parse(req, "HEIGHT", limits->max_height, &wr->height,
		       err) != 0 ||
	    format_parse(wr, format_required, err) != 0 ||
	    colour_parse(wr, err) != 0)
		return -1;
	wr->image_ok = true;
	return 0;
}

/* Split a comma-separated list in place into at most `max` items.
   Returns the count, or max + 1 when there are more. */
static size_t list_split(char *text, const char **items, size_t max)
{
	size_t count = 0;
	char *p = text;

	for (;;) {
		char *comma = strchr(p, ',');

		if (count == max)
			return max + 1;
		items[count++] = p;
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return count;
}

static int layers_parse(const struct wms_request *wr, struct wms_map *map,
			char *layers, struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *names[WMS_MAX_LAYERS];
	size_t count = list_split(layers, names, WMS_MAX_LAYERS);
	char shown[80];

	if (count > WMS_MAX_LAYERS)
		return req_error_set(err, REQ_INVALID_PARAMETER, "LAYERS",
			i18n_pick(req,
				  "Tham số LAYERS nêu quá nhiều lớp: tối đa "
				  "%d lớp trong một yêu cầu.",
				  "LAYERS names too many layers: at most %d "
				  "per request."),
			WMS_MAX_LAYERS);

	for (size_t i = 0; i < count; i++) {
		map->snaps[i] = layer_registry_acquire_id(req->srv->layers,
							  names[i]);
		if (map->snaps[i] == NULL)
			return req_error_set(err, REQ_LAYER_NOT_DEFINED,
				"LAYERS",
				i18n_pick(req,
					  "Lớp LAYERS=\"%s\" không tồn tại. "
					  "Xem danh sách lớp trong "
					  "GetCapabilities.",
					  "Layer LAYERS=\"%s\" is not "
					  "defined. See GetCapabilities for "
					  "the list of layers."),
				req_value(names[i], shown, sizeof(shown)));
		map->n_layers = i + 1;
	}
	return 0;
}

bool wms_style_exists(const struct layer_snapshot *snap, const char *name)
{
	const struct cfg_layer *layer = snap->cfg;

	if (layer->n_styles == 0)
		return strcmp(name, "default") == 0;
	for (size_t i = 0; i < layer->n_styles; i++)
		if (strcmp(layer->styles[i].name, name) == 0)
			return true;
	return false;
}

static int styles_parse(const struct wms_request *wr, struct wms_map *map,
			const char *text, struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *names[WMS_MAX_LAYERS];
	size_t count;
	char shown[80];

	/* No STYLES or an empty one: the default style of every layer. */
	if (text == NULL || *text == '\0')
		return 0;
	map->styles_buf = strdup(text);
	if (map->styles_buf == NULL)
		return req_error_set(err, REQ_INTERNAL, "STYLES", "out of memory");
	count = list_split(map->styles_buf, names, WMS_MAX_LAYERS);
	if (count != map->n_layers)
		return req_error_set(err, REQ_INVALID_PARAMETER, "STYLES",
			i18n_pick(req,
				  "Giá trị STYLES=\"%s\" không hợp lệ: cần %zu "
				  "kiểu (một kiểu cho mỗi lớp, có thể để "
				  "trống), nhận được %zu.",
				  "Invalid STYLES=\"%s\": expected %zu styles "
				  "(one per layer, each may be empty), "
				  "received %zu."),
			req_value(text, shown, sizeof(shown)), map->n_layers,
			count > WMS_MAX_LAYERS ? (size_t)WMS_MAX_LAYERS + 1
					       : count);

	for (size_t i = 0; i < count; i++) {
		if (*names[i] == '\0')
			continue;
		if (!wms_style_exists(map->snaps[i], names[i]))
			return req_error_set(err, REQ_STYLE_NOT_DEFINED,
				"STYLES",
				i18n_pick(req,
					  "Kiểu STYLES=\"%s\" không tồn tại "
					  "cho lớp \"%s\". Xem danh sách "
					  "kiểu trong GetCapabilities.",
					  "Style STYLES=\"%s\" is not defined "
					  "for layer \"%s\". See "
					  "GetCapabilities for the list of "
					  "styles."),
				req_value(names[i], shown, sizeof(shown)),
				map->snaps[i]->cfg->id);
		map->styles[i] = names[i];
	}
	return 0;
}

/* CRS (1.3.0) or SRS (1.1.1). The other name is accepted as well when the
   version's own is absent, as GeoServer does. */
static int crs_parse(const struct wms_request *wr, struct wms_map *map,
		     struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *own = wr->version == WMS_VERSION_130 ? "CRS" : "SRS";
	const char *other = wr->version == WMS_VERSION_130 ? "SRS" : "CRS";
	const char *text = http_param_ci(req, own);
	char shown[80];

	map->crs_param = own;
	if (text == NULL && http_param_ci(req, other) != NULL) {
		map->crs_param = other;
		text = http_param_ci(req, other);
	}
	if (text == NULL || *text == '\0')
		return missing(req, own, err);

	map->crs = vn2000_crs_find_exact(text);
	if (map->crs != NULL)
		return 0;
	return req_error_set(err, REQ_INVALID_CRS, map->crs_param,
		i18n_pick(req,
			  "Hệ tọa độ %s=\"%s\" không được hỗ trợ; xem danh "
			  "sách trong GetCapabilities.",
			  "Unsupported %s=\"%s\"; see the list in "
			  "GetCapabilities."),
		map->crs_param, req_value(text, shown, sizeof(shown)));
}

static int bbox_parse(const struct wms_request *wr, struct wms_map *map,
		      struct req_error *err)
{
	const char *text = http_param_ci(wr->http, "BBOX");
	double box[4];

	if (parse_bbox(text, "BBOX", false, box, wr->http, err) != 0)
		return -1;

	/* 1.3.0 writes the box in the CRS's axis order: for EPSG:4326 and
	   EPSG:4756 that is minlat,minlon,maxlat,maxlon. */
	if (wr->version == WMS_VERSION_130 && map->crs->lat_first) {
		map->bbox[0] = box[1];
		map->bbox[1] = box[0];
		map->bbox[2] = box[3];
		map->bbox[3] = box[2];
	} else {
		memcpy(map->bbox, box, sizeof(box));
	}
	if (!map->crs->geographic)
		return 0;
	return check_geographic_bbox(wr->http, "BBOX", text, map->bbox,
		map->crs->id,
		wr->version == WMS_VERSION_130 ? "WMS 1.3.0" : "WMS 1.1.1",
		wr->version == WMS_VERSION_130 ? "WMS 1.3.0" : "WMS 1.1.1",
		wr->version == WMS_VERSION_130 && map->crs->lat_first, err);
}

int wms_map_parse(const struct wms_request *wr, struct wms_map *map,
		  struct req_error *err)
{
	const char *layers = http_param_ci(wr->http, "LAYERS");
	char *layers_buf;
	int rc;

	if (layers == NULL || *layers == '\0')
		return missing(wr->http, "LAYERS", err);
	layers_buf = strdup(layers);
	if (layers_buf == NULL)
		return req_error_set(err, REQ_INTERNAL, "LAYERS", "out of memory");
	rc = layers_parse(wr, map, layers_buf, err);
	free(layers_buf);
	if (rc != 0)
		return -1;

	if (styles_parse(wr, map, http_param_ci(wr->http, "STYLES"), err) != 0 ||
	    crs_parse(wr, map, err) != 0 || bbox_parse(wr, map, err) != 0)
		return -1;
	return 0;
}

void wms_map_clear(struct wms_map *map)
{
	for (size_t i = 0; i < map->n_layers; i++)
		layer_snapshot_release(map->snaps[i]);
	map->n_layers = 0;
	free(map->styles_buf);
	map->styles_buf = NULL;
}

/*
 * The ground a request box covers, as the CRS84 box around its outline:
 * 20 points per edge transformed one by one. vn2000_transform_bbox is not
 * used here because it first clips the box to the CRS's area of use, which
 * would understate a box that reaches beyond it while imagery is still
 * drawn there. Returns 0, or -1 when a point cannot be transformed.
 */
static int ground_box(const struct vn2000_crs *crs, const double bbox[4],
		      double lonlat[4])
{
	enum { PER_EDGE = 20, N = 4 * PER_EDGE };
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	struct vn2000_transform *tr;
	double xy[2 * N];

	if (crs84 == NULL)
		return -1;
	tr = vn2000_transform_get(crs, crs84);
	if (tr == NULL)
		return -1;

	for (int i = 0; i < PER_EDGE; i++) {
		double t = (double)i / PER_EDGE;
		double x = bbox[0] + t * (bbox[2] - bbox[0]);
		double y = bbox[1] + t * (bbox[3] - bbox[1]);

		xy[2 * i] = x;                       /* bottom edge */
		xy[2 * i + 1] = bbox[1];
		xy[2 * (PER_EDGE + i)] = bbox[2];    /* right edge */
		xy[2 * (PER_EDGE + i) + 1] = y;
		xy[2 * (2 * PER_EDGE + i)] = bbox[2] - (x - bbox[0]); /* top */
		xy[2 * (2 * PER_EDGE + i) + 1] = bbox[3];
		xy[2 * (3 * PER_EDGE + i)] = bbox[0]; /* left edge */
		xy[2 * (3 * PER_EDGE + i) + 1] = bbox[3] - (y - bbox[1]);
	}
	if (vn2000_transform_xy(tr, xy, N) != 0)
		return -1;

	lonlat[0] = lonlat[2] = xy[0];
	lonlat[1] = lonlat[3] = xy[1];
	for (int i = 1; i < N; i++) {
		lonlat[0] = xy[2 * i] < lonlat[0] ? xy[2 * i] : lonlat[0];
		lonlat[2] = xy[2 * i] > lonlat[2] ? xy[2 * i] : lonlat[2];
		lonlat[1] = xy[2 * i + 1] < lonlat[1] ? xy[2 * i + 1] : lonlat[1];
		lonlat[3] = xy[2 * i + 1] > lonlat[3] ? xy[2 * i + 1] : lonlat[3];
	}
	return 0;
}

bool wms_imagery_too_large(const struct cfg *cfg,
			   const struct vn2000_crs *crs, const double bbox[4])
{
	double lonlat[4];
	double area_km2;

	if (ground_box(crs, bbox, lonlat) != 0)
		return true;
	area_km2 = vn2000_geodesic_bbox_area(lonlat) / 1e6;
	return !(area_km2 <= cfg->imagery_max_km2);
}
