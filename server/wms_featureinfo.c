/*
 * WMS GetFeatureInfo and the shared featureinfo_answer (featureinfo.h).
 * The clicked pixel (I/J in 1.3.0, X/Y in 1.1.1) becomes a box of BUFFER
 * pixels around it in the request CRS, then a CRS84 box. The spatial index gives the candidates of each QUERY_LAYERS layer,
 * and a candidate is kept when its geometry intersects that box (a GEOS
 * prepared geometry). Features come nearest first, FEATURE_COUNT per layer.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <geos_c.h>

#include "server/featureinfo.h"
#include "server/wms.h"

/* Most candidates examined per layer; the box is a few pixels wide, so this
   is only reached on data far denser than the image. */
#define INFO_MAX_CANDIDATES 10000

/* The parameters of GetFeatureInfo beyond the map. */
struct info_params {
	size_t query[WMS_MAX_LAYERS]; /* indexes into the map's layers */
	size_t n_query;
	long feature_count;
	long i;
	long j;
	int buffer;
};

static int query_layers_parse(const struct wms_request *wr,
			      const struct wms_map *map,
			      struct info_params *params, struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *text = http_param_ci(req, "QUERY_LAYERS");
	char shown[80];
	const char *p = text;

	if (text == NULL || *text == '\0')
		return req_error_set(err, REQ_MISSING_PARAMETER, "QUERY_LAYERS",
			i18n_pick(req, "Thiếu tham số QUERY_LAYERS.",
				  "Missing parameter QUERY_LAYERS."));

	/* Each name must be one of LAYERS and a vector layer. */
	for (;;) {
		size_t n = strcspn(p, ",");
		size_t found = map->n_layers;
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		for (size_t k = 0; k < map->n_layers; k++)
			if (n < sizeof(name) &&
			    strcmp(map->snaps[k]->cfg->id, name) == 0)
				found = k;
		if (found == map->n_layers)
			return req_error_set(err, REQ_LAYER_NOT_DEFINED,
				"QUERY_LAYERS",
				i18n_pick(req,
					  "Lớp QUERY_LAYERS=\"%s\" không có "
					  "trong LAYERS.",
					  "Layer QUERY_LAYERS=\"%s\" is not one "
					  "of LAYERS."),
				req_value(name, shown, sizeof(shown)));
		if (map->snaps[found]->cfg->kind != CFG_LAYER_VECTOR)
			return req_error_set(err, REQ_OPERATION_NOT_SUPPORTED,
				"QUERY_LAYERS",
				i18n_pick(req,
					  "Lớp QUERY_LAYERS=\"%s\" không hỗ "
					  "trợ truy vấn.",
					  "Layer QUERY_LAYERS=\"%s\" is not "
					  "queryable."),
				req_value(name, shown, sizeof(shown)));
		/* A layer named twice is queried once, so repeating a name
		   cannot multiply the work or the answer. */
		bool repeated = false;
		for (size_t k = 0; k < params->n_query; k++)
			if (strcmp(map->snaps[params->query[k]]->cfg->id,
				   name) == 0)
				repeated = true;
		if (!repeated && params->n_query == WMS_MAX_LAYERS)
			return req_error_set(err, REQ_INVALID_PARAMETER,
				"QUERY_LAYERS",
				i18n_pick(req,
					  "Tham số QUERY_LAYERS nêu quá nhiều "
					  "lớp: tối đa %d lớp.",
					  "QUERY_LAYERS names too many layers: "
					  "at most %d."),
				WMS_MAX_LAYERS);
		if (!repeated)
			params->query[params->n_query++] = found;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return 0;
}

/* I and J (1.3.0) or X and Y (1.1.1): a pixel of the map. */
static int point_parse(const struct wms_request *wr, const char *name,
		       const char *other, long max, long *out,
		       struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *text = http_param_ci(req, name);
	char shown[80];

	if (text == NULL && http_param_ci(req, other) != NULL) {
		name = other;
		text = http_param_ci(req, other);
	}
	if (text == NULL || *text == '\0')
		return req_error_set(err, REQ_MISSING_PARAMETER, name,
			i18n_pick(req, "Thiếu tham số %s.",
				  "Missing parameter %s."), name);
	if (parse_long(text, 0, max, out) == 0)
		return 0;
	return req_error_set(err, REQ_INVALID_PARAMETER, name,
		i18n_pick(req,
			  "Giá trị %s=\"%s\" không hợp lệ: cần một số nguyên "
			  "từ 0 đến %ld (điểm ảnh trong ảnh).",
			  "Invalid %s=\"%s\": expected an integer from 0 to %ld "
			  "(a pixel of the image)."),
		name, req_value(text, shown, sizeof(shown)), max);
}

static int info_params_parse(const struct wms_request *wr,
			     const struct wms_map *map,
			     struct info_params *params,
			     enum wms_info_format *format,
			     struct req_error *err)
{
	const struct http_request *req = wr->http;
	const char *info_format = http_param_ci(req, "INFO_FORMAT");
	const char *count = http_param_ci(req, "FEATURE_COUNT");
	const char *buffer = http_param_ci(req, "BUFFER");
	bool v130 = wr->version == WMS_VERSION_130;
	long max_count = wr->cfg->limits.max_features > 0
				 ? wr->cfg->limits.max_features : 1;
	char shown[80];

	if (query_layers_parse(wr, map, params, err) != 0)
		return -1;
	if (wms_info_format_parse(info_format, format) != 0)
		return req_error_set(err, REQ_INVALID_FORMAT, "INFO_FORMAT",
			i18n_pick(req,
				  "Định dạng INFO_FORMAT=\"%s\" không được hỗ "
				  "trợ; dùng application/json, text/html, "
				  "text/plain hoặc application/vnd.ogc.gml.",
				  "Unsupported INFO_FORMAT=\"%s\"; use "
				  "application/json, text/html, text/plain or "
				  "application/vnd.ogc.gml."),
			req_value(info_format, shown, sizeof(shown)));

	params->feature_count = 1;
	if (count != NULL && *count != '\0' &&
	    parse_long(count, 1, max_count, &params->feature_count) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER,
			"FEATURE_COUNT",
			i18n_pick(req,
				  "Giá trị FEATURE_COUNT=\"%s\" không hợp lệ: "
				  "cần một số nguyên từ 1 đến %ld.",
				  "Invalid FEATURE_COUNT=\"%s\": expected an "
				  "integer from 1 to %ld."),
			req_value(count, shown, sizeof(shown)), max_count);

	params->buffer = FEATUREINFO_BUFFER_DEFAULT;
	if (buffer != NULL && *buffer != '\0') {
		long value;

		if (parse_long(buffer, 0, FEATUREINFO_BUFFER_MAX, &value) != 0)
			return req_error_set(err, REQ_INVALID_PARAMETER,
				"BUFFER",
				i18n_pick(req,
					  "Giá trị BUFFER=\"%s\" không hợp lệ: "
					  "cần một số nguyên từ 0 đến %d "
					  "(điểm ảnh).",
					  "Invalid BUFFER=\"%s\": expected an "
					  "integer from 0 to %d (pixels)."),
				req_value(buffer, shown, sizeof(shown)),
				FEATUREINFO_BUFFER_MAX);
		params->buffer = (int)value;
	}
	if (point_parse(wr, v130 ? "I" : "X", v130 ? "X" : "I",
			wr->width - 1, &params->i, err) != 0 ||
	    point_parse(wr, v130 ? "J" : "Y", v130 ? "Y" : "J",
			wr->height - 1, &params->j, err) != 0)
		return -1;
	return 0;
}

/* The search box and the clicked point in CRS84. Returns 0 or -1. */
static int click_to_crs84(const struct featureinfo_query *q, double box[4],
			  double point[2])
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	struct vn2000_transform *tr;
	double dx = (q->bbox[2] - q->bbox[0]) / q->width;
	double dy = (q->bbox[3] - q->bbox[1]) / q->height;
	double x = q->bbox[0] + (q->i + 0.5) * dx;
	double y = q->bbox[3] - (q->j + 0.5) * dy;
	/* Half a pixel at least, so BUFFER=0 still covers the pixel. */
	double half = q->buffer > 0 ? q->buffer : 0.5;
	double near[4] = {
		x - half * dx, y - half * dy, x + half * dx, y + half * dy,
	};

	if (crs84 == NULL)
		return -1;
	tr = vn2000_transform_get(q->crs, crs84);
	if (tr == NULL || vn2000_transform_bbox(tr, near, box, 5) != 0)
		return -1;
	point[0] = x;
	point[1] = y;
	return vn2000_transform_xy(tr, point, 1) == 0 ? 0 : -1;
}

struct candidates {
	const struct feature **items;
	size_t count;
	size_t capacity;
};

static int collect(const struct feature *f, void *arg)
{
	struct candidates *c = arg;

	if (c->count == c->capacity) {
		size_t capacity = c->capacity == 0 ? 64 : 2 * c->capacity;
		const struct feature **items;

		if (capacity > INFO_MAX_CANDIDATES)
			return 1;
		items = realloc(c->items, capacity * sizeof(*items));
		if (items == NULL)
			return 1;
		c->items = items;
		c->capacity = capacity;
	}
	c->items[c->count++] = f;
	return 0;
}

static int hit_compare(const void *a, const void *b)
{
	const struct wms_info_hit *x = a;
	const struct wms_info_hit *y = b;

	if (x->distance != y->distance)
		return x->distance < y->distance ? -1 : 1;
	return x->feature->fid < y->feature->fid ? -1
	       : x->feature->fid > y->feature->fid;
}

/* Test one candidate exactly. Returns 1 and its distance when it is hit. */
static int candidate_test(GEOSContextHandle_t gh, const GEOSPreparedGeometry *box,
			  const GEOSGeometry *point, const struct feature *f,
			  double *distance)
{
	GEOSGeometry *geom = geom_to_geos(gh, &f->lonlat);
	char hit;

	if (geom == NULL)
		return 0;
	hit = GEOSPreparedIntersects_r(gh, box, geom);
	if (hit == 2) {
		/* An invalid source polygon: test its repaired form. */
		GEOSGeometry *valid = GEOSMakeValid_r(gh, geom);

		hit = valid != NULL ? GEOSPreparedIntersects_r(gh, box, valid) : 0;
		GEOSGeom_destroy_r(gh, valid);
	}
	if (hit == 1 && GEOSDistance_r(gh, point, geom, distance) != 1)
		*distance = 0.0;
	GEOSGeom_destroy_r(gh, geom);
	return hit == 1;
}

static int layer_query(GEOSContextHandle_t gh, const GEOSPreparedGeometry *box,
		       const GEOSGeometry *point, const double search[4],
		       long feature_count, struct wms_info_layer *out)
{
	struct candidates c = {0};
	size_t n = 0;

	layer_snapshot_search(out->snap, search, collect, &c);
	out->hits = calloc(c.count > 0 ? c.count : 1, sizeof(*out->hits));
	if (out->hits == NULL) {
		free(c.items);
		return -1;
	}
	for (size_t k = 0; k < c.count; k++) {
		double distance = 0.0;

		if (candidate_test(gh, box, point, c.items[k], &distance)) {
			out->hits[n].feature = c.items[k];
			out->hits[n].distance = distance;
			n++;
		}
	}
	free(c.items);
	qsort(out->hits, n, sizeof(*out->hits), hit_compare);
	out->n_hits = n < (size_t)feature_count ? n : (size_t)feature_count;
	return 0;
}

static int info_query(const struct featureinfo_query *q, const double box[4],
		      const double point[2], struct wms_info *info)
{
	GEOSContextHandle_t gh = GEOS_init_r();
	GEOSGeometry *box_geom = NULL;
	GEOSGeometry *point_geom = NULL;
	const GEOSPreparedGeometry *prepared = NULL;
	int rc = -1;

	if (gh == NULL)
		return -1;
	box_geom = GEOSGeom_createRectangle_r(gh, box[0], box[1], box[2],
					      box[3]);
	point_geom = GEOSGeom_createPointFromXY_r(gh, point[0], point[1]);
	if (box_geom == NULL || point_geom == NULL)
		goto cleanup;
	prepared = GEOSPrepare_r(gh, box_geom);
	if (prepared == NULL)
		goto cleanup;

	for (size_t k = 0; k < q->n_layers && k < WMS_MAX_LAYERS; k++) {
		struct wms_info_layer *layer = &info->layers[info->n_layers++];

		layer->snap = q->layers[k];
		if (layer_query(gh, prepared, point_geom, box,
				q->feature_count, layer) != 0)
			goto cleanup;
	}
	rc = 0;

cleanup:
	GEOSPreparedGeom_destroy_r(gh, prepared);
	GEOSGeom_destroy_r(gh, point_geom);
	GEOSGeom_destroy_r(gh, box_geom);
	GEOS_finish_r(gh);
	return rc;
}

static void info_clear(struct wms_info *info)
{
	for (size_t k = 0; k < info->n_layers; k++)
		free(info->layers[k].hits);
	info->n_layers = 0;
}

int featureinfo_answer(const struct http_request *req,
		       const struct featureinfo_query *q, char **body,
		       size_t *size, struct req_error *err)
{
	struct wms_info info = {0};
	double box[4];
	double point[2];
	int rc = -1;

	info.format = q->format;
	info.crs = q->crs;
	if (click_to_crs84(q, box, point) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, "BBOX",
			i18n_pick(req,
				  "Điểm được chọn nằm ngoài vùng sử dụng của hệ "
				  "tọa độ %s.",
				  "The chosen point lies outside the area of use "
				  "of %s."),
			q->crs->id);
	if (info_query(q, box, point, &info) != 0 ||
	    featureinfo_write(req, &info, q->axis_order, q->gml32, body,
			      size) != 0)
		req_error_set(err, REQ_INTERNAL, "",
			i18n_pick(req, "Không thể truy vấn đối tượng.",
				  "The features could not be queried."));
	else
		rc = 0;
	info_clear(&info);
	return rc;
}

void wms_get_feature_info(struct wms_request *wr, struct http_response *res)
{
	struct wms_map map = {0};
	struct info_params params = {0};
	struct featureinfo_query q = {0};
	struct layer_snapshot *layers[WMS_MAX_LAYERS];
	enum wms_info_format format = WMS_INFO_TEXT;
	struct req_error err = {0};
	char *body = NULL;
	size_t size = 0;

	/* FORMAT is optional here. Exceptions are always XML because the
	   response is not an image. */
	if (wms_image_params_parse(wr, false, &err) != 0)
		goto fail;
	wr->image_ok = false;
	if (wms_map_parse(wr, &map, &err) != 0 ||
	    info_params_parse(wr, &map, &params, &format, &err) != 0)
		goto fail;
	for (size_t k = 0; k < params.n_query; k++)
		layers[k] = map.snaps[params.query[k]];
	q.layers = layers;
	q.n_layers = params.n_query;
	q.crs = map.crs;
	memcpy(q.bbox, map.bbox, sizeof(q.bbox));
	q.width = wr->width;
	q.height = wr->height;
	q.i = params.i;
	q.j = params.j;
	q.buffer = params.buffer;
	q.feature_count = params.feature_count;
	q.format = format;
	q.axis_order = wr->version == WMS_VERSION_130;
	q.gml32 = wr->version == WMS_VERSION_130;
	if (featureinfo_answer(wr->http, &q, &body, &size, &err) != 0)
		goto fail;

	wms_map_clear(&map);
	http_response_take(res, 200, wms_info_format_mime(format), body,
			   size);
	http_response_header(res, "Cache-Control", "max-age=0, must-revalidate");
	return;

fail:
	wms_map_clear(&map);
	wms_reply_error(wr, &err, res);
}
