/*
 * OGC API - Features items: /collections/{id}/items with bbox, bbox-crs,
 * limit, offset, equality filters, CQL2 filter (Part 3), datetime, sortby
 * and properties, and /collections/{id}/items/{featureId}. The writers of
 * each format are in ogcapi_items_out.c.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/ogcapi.h"
#include "vn2000/vn2000.h"

static const char *const items_params[] = {
	"f", "lang", "api_key", "bbox", "bbox-crs", "crs", "limit", "offset",
	"datetime", "filter", "filter-lang", "filter-crs", "sortby",
	"properties", "wkt", NULL
};

static bool name_in(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(name, list[i]) == 0)
			return true;
	}
	return false;
}

void items_query_clear(struct items_query *q)
{
	for (size_t i = 0; i < q->n_filters; i++)
		layer_filter_free(q->filters[i]);
	q->n_filters = 0;
	free(q->mask);
	q->mask = NULL;
}

static int parse_limit(struct ogc_ctx *ctx, const char *text, long *out,
		       struct req_error *err)
{
	const struct cfg_limits *limits = &ctx->req->srv->cfg->limits;
	char shown[80];
	long value;

	*out = limits->default_features > 0 ? limits->default_features : 10;
	if (text == NULL)
		return 0;
	if (parse_long(text, LONG_MIN, LONG_MAX, &value) != 0 || value < 1)
		return req_error_set(err, REQ_INVALID_PARAMETER, "limit",
			i18n_pick(ctx->req,
				  "Giá trị limit=\"%s\" không hợp lệ: cần một số "
				  "nguyên từ 1 đến %d.",
				  "Invalid limit=\"%s\": expected an integer from "
				  "1 to %d."),
			req_value(text, shown, sizeof(shown)),
			limits->max_features);
	/* A limit above the maximum is lowered to it: OGC API - Features
	   Part 1 lets a server return fewer features than requested. */
	if (limits->max_features > 0 && value > limits->max_features)
		value = limits->max_features;
	*out = value;
	return 0;
}

static int parse_offset(struct ogc_ctx *ctx, const char *text, long *out,
			struct req_error *err)
{
	char shown[80];

	*out = 0;
	if (text == NULL)
		return 0;
	if (parse_long(text, 0, LONG_MAX, out) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, "offset",
			i18n_pick(ctx->req,
				  "Giá trị offset=\"%s\" không hợp lệ: cần một số "
				  "nguyên không âm.",
				  "Invalid offset=\"%s\": expected a "
				  "non-negative integer."),
			req_value(text, shown, sizeof(shown)));
	return 0;
}

/*
 * Add the exact test of a bbox given in bbox-crs: the box as a polygon in
 * that CRS, densified and moved to CRS84 by the filter parser. The CRS84
 * envelope alone would also select features up to a few decimetres outside
 * a projected box, since a TM-3 box is rotated by the meridian convergence
 * against CRS84. The text is printed from the parsed numbers, never copied
 * from the request. `box` is in the CRS's axis order.
 */
static int add_bbox_polygon(struct ogc_ctx *ctx,
			    const struct layer_snapshot *snap,
			    const struct vn2000_crs *crs, const double box[4],
			    struct items_query *q, struct req_error *err)
{
	char text[512], message[512], picked[512];

	snprintf(text, sizeof(text),
		 "S_INTERSECTS(geometry,POLYGON((%.17g %.17g,%.17g %.17g,"
		 "%.17g %.17g,%.17g %.17g,%.17g %.17g)))",
		 box[0], box[1], box[2], box[1], box[2], box[3], box[0],
		 box[3], box[0], box[1]);
	if (layer_filter_parse(snap, LAYER_FILTER_CQL2_TEXT, text, crs,
			       ctx->req->role, &q->filters[q->n_filters],
			       message, sizeof(message)) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, "bbox",
			i18n_pick(ctx->req, "bbox không hợp lệ trong %s: %s",
				  "Invalid bbox in %s: %s"), crs->id,
			i18n_pick_pair(ctx->req, message, picked,
				       sizeof(picked)));
	q->n_filters++;
	return 0;
}

/* Catch swapped axes in a bbox given in a geographic bbox-crs. */
static int check_items_geographic(struct ogc_ctx *ctx,
				  const struct vn2000_crs *crs,
				  const char *text, const double box[4],
				  struct req_error *err)
{
	double lonlat[4];

	if (crs->lat_first) {
		lonlat[0] = box[1];
		lonlat[1] = box[0];
		lonlat[2] = box[3];
		lonlat[3] = box[2];
	} else {
		memcpy(lonlat, box, sizeof(lonlat));
	}
	return check_geographic_bbox(ctx->req, "bbox", text, lonlat, crs->id,
				     "bbox của OGC API với bbox-crs",
				     "OGC API bbox with bbox-crs",
				     crs->lat_first, err);
}

/* bbox, optionally in bbox-crs, as a CRS84 box. */
static int parse_items_bbox(struct ogc_ctx *ctx,
			    const struct layer_snapshot *snap,
			    struct items_query *q, struct req_error *err)
{
	const char *text = http_param(ctx->req, "bbox");
	const char *crs_text = http_param(ctx->req, "bbox-crs");
	const struct vn2000_crs *crs = NULL;
	struct vn2000_transform *tr;
	double box[4], swapped[4];
	char shown[80];

	if (crs_text != NULL && ogcapi_crs_param(ctx, snap, "bbox-crs",
						  crs_text, &crs, err) != 0)
		return -1;
	if (text == NULL)
		return 0;
	if (parse_bbox(text, "bbox", true, box, ctx->req, err) != 0)
		return -1;
	q->has_bbox = true;
	if (crs == NULL) {
		if (check_geographic_bbox(ctx->req, "bbox", text, box, "CRS84",
					  "bbox của OGC API khi không có "
					  "bbox-crs",
					  "OGC API bbox without bbox-crs",
					  false, err) != 0)
			return -1;
		memcpy(q->bbox, box, sizeof(box));
		return 0;
	}
	if (crs->geographic && check_items_geographic(ctx, crs, text, box,
						      err) != 0)
		return -1;
	if (box[0] <= box[2] &&
	    add_bbox_polygon(ctx, snap, crs, box, q, err) != 0)
		return -1;
	/* The box is in the CRS's axis order: latitude first for EPSG:4326
	   and EPSG:4756. */
	if (crs->lat_first) {
		swapped[0] = box[1];
		swapped[1] = box[0];
		swapped[2] = box[3];
		swapped[3] = box[2];
		memcpy(box, swapped, sizeof(box));
	}
	tr = vn2000_transform_get(crs, vn2000_crs_find("CRS:84"));
	if (tr == NULL || vn2000_transform_bbox(tr, box, q->bbox, 21) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, "bbox",
			i18n_pick(ctx->req,
				  "Không thể chuyển bbox=\"%s\" về CRS84.",
				  "Cannot transform bbox=\"%s\" to CRS84."),
			req_value(text, shown, sizeof(shown)));
	return 0;
}

/* Check a filter value against its attribute's type. */
static int check_condition(struct ogc_ctx *ctx,
			   const struct layer_snapshot *snap, int index,
			   const char *name, const char *value,
			   struct req_error *err)
{
	enum attr_type type = snap->attrs[index].type;
	char shown[80];
	double d;
	long l;

	if (type == ATTR_INTEGER && parse_long(value, LONG_MIN, LONG_MAX,
					       &l) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, name,
			i18n_pick(ctx->req,
				  "Giá trị %s=\"%s\" không hợp lệ: cần một số "
				  "nguyên.",
				  "Invalid %s=\"%s\": expected an integer."),
			name, req_value(value, shown, sizeof(shown)));
	if (type == ATTR_REAL && parse_double(value, &d) != 0)
		return req_error_set(err, REQ_INVALID_PARAMETER, name,
			i18n_pick(ctx->req,
				  "Giá trị %s=\"%s\" không hợp lệ: cần một số.",
				  "Invalid %s=\"%s\": expected a number."),
			name, req_value(value, shown, sizeof(shown)));
	return 0;
}

/* Sort every query parameter into a known one, a filter, or an error. */
static int classify_params(struct ogc_ctx *ctx,
			   const struct layer_snapshot *snap,
			   struct items_query *q, struct req_error *err)
{
	const struct http_request *req = ctx->req;
	char shown[80];

	for (size_t i = 0; i < req->n_params; i++) {
		const char *name = req->params[i].name;
		int index;

		if (name_in(name, items_params))
			continue;
		index = layer_attr_find(snap, name);
		if (index < 0 || !layer_attr_visible(snap, (size_t)index,
						     req->role))
			return req_error_set(err, REQ_INVALID_PARAMETER, name,
				i18n_pick(req,
					  "Tham số \"%s\" không được hỗ trợ: "
					  "không phải tham số chuẩn hay thuộc "
					  "tính có thể lọc của tập dữ liệu. Xem "
					  "các thuộc tính có thể lọc tại "
					  "/collections/%s/queryables.",
					  "Unknown query parameter \"%s\": neither "
					  "a standard parameter nor a queryable "
					  "attribute of the collection. See "
					  "/collections/%s/queryables for the "
					  "queryable attributes."),
				req_value(name, shown, sizeof(shown)),
				snap->cfg->id);
		if (q->n_conditions == OGC_MAX_CONDITIONS)
			return req_error_set(err, REQ_INVALID_PARAMETER, name,
				i18n_pick(req, "Quá nhiều điều kiện lọc (tối đa %d).",
					  "Too many filters (maximum %d)."),
				OGC_MAX_CONDITIONS);
		if (check_condition(ctx, snap, index, name,
				    req->params[i].value, err) != 0)
			return -1;
		q->conditions[q->n_conditions].name = name;
		q->conditions[q->n_conditions].value = req->params[i].value;
		q->n_conditions++;
	}
	return 0;
}

static int parse_lang(struct ogc_ctx *ctx, struct req_error *err)
{
	const char *lang = http_param(ctx->req, "lang");
	char shown[80];

	if (lang == NULL || strcmp(lang, "vi") == 0 || strcmp(lang, "en") == 0)
		return 0;
	return req_error_set(err, REQ_INVALID_PARAMETER, "lang",
		i18n_pick(ctx->req,
			  "Giá trị lang=\"%s\" không hợp lệ: chỉ hỗ trợ vi "
			  "hoặc en.",
			  "Invalid lang=\"%s\": only vi and en are supported."),
		req_value(lang, shown, sizeof(shown)));
}

static int parse_output_crs(struct ogc_ctx *ctx,
			    const struct layer_snapshot *snap,
			    struct items_query *q, struct req_error *err)
{
	const char *text = http_param(ctx->req, "crs");

	q->crs = NULL;
	snprintf(q->crs_uri, sizeof(q->crs_uri), "%s", OGC_CRS84_URI);
	if (text == NULL)
		return 0;
	if (ogcapi_crs_param(ctx, snap, "crs", text, &q->crs, err) != 0)
		return -1;
	if (q->crs != NULL)
		ogcapi_crs_uri(q->crs, q->crs_uri, sizeof(q->crs_uri));
	return 0;
}

/* A 400 naming `param`, with the module's "vi / en" message. */
static int filter_error(struct ogc_ctx *ctx, const char *param,
			const char *value, const char *message,
			struct req_error *err)
{
	char shown[80];

	return req_error_set(err, REQ_INVALID_PARAMETER, param,
		i18n_pick(ctx->req, "Giá trị %s=\"%s\" không hợp lệ: %s",
			  "Invalid %s=\"%s\": %s"),
		param, req_value(value, shown, sizeof(shown)), message);
}

/* filter, filter-lang and filter-crs (OGC API - Features Part 3). */
static int parse_filter(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
			struct items_query *q, struct req_error *err)
{
	const char *text = http_param(ctx->req, "filter");
	const char *lang = http_param(ctx->req, "filter-lang");
	const char *crs_text = http_param(ctx->req, "filter-crs");
	enum layer_filter_lang which = LAYER_FILTER_CQL2_TEXT;
	const struct vn2000_crs *crs = NULL;
	char message[512], picked[512], detail[768];

	if (lang != NULL && strcmp(lang, "cql2-json") == 0)
		which = LAYER_FILTER_CQL2_JSON;
	else if (lang != NULL && strcmp(lang, "cql2-text") != 0)
		return filter_error(ctx, "filter-lang", lang,
				    i18n_pick(ctx->req, "dùng cql2-text hoặc "
					      "cql2-json", "use cql2-text or "
					      "cql2-json"), err);
	if (crs_text != NULL && ogcapi_crs_param(ctx, snap, "filter-crs",
						 crs_text, &crs, err) != 0)
		return -1;
	if (text == NULL)
		return 0;
	if (layer_filter_parse(snap, which, text, crs, ctx->req->role,
			       &q->filters[q->n_filters], message,
			       sizeof(message)) != 0) {
		snprintf(detail, sizeof(detail),
			 i18n_pick(ctx->req,
				   "%s. Xem các thuộc tính có thể lọc tại "
				   "/collections/%s/queryables.",
				   "%s. See /collections/%s/queryables for the "
				   "queryable properties."),
			 i18n_pick_pair(ctx->req, message, picked,
					sizeof(picked)),
			 snap->cfg->id);
		return filter_error(ctx, "filter", text, detail, err);
	}
	q->n_filters++;
	return 0;
}

static int parse_datetime(struct ogc_ctx *ctx,
			  const struct layer_snapshot *snap,
			  struct items_query *q, struct req_error *err)
{
	const char *text = http_param(ctx->req, "datetime");
	char message[512], picked[512];

	if (text == NULL)
		return 0;
	if (layer_filter_datetime(snap, text, &q->filters[q->n_filters],
				  message, sizeof(message)) != 0)
		return filter_error(ctx, "datetime", text,
				    i18n_pick_pair(ctx->req, message, picked,
						   sizeof(picked)), err);
	q->n_filters++;
	return 0;
}

/* The attribute at the start of `p` (n bytes) visible to the role. */
static int visible_attr(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
			const char *p, size_t n)
{
	char name[128];
	int attr;

	if (n == 0 || n >= sizeof(name))
		return -1;
	memcpy(name, p, n);
	name[n] = '\0';
	attr = layer_attr_find(snap, name);
	if (attr < 0 || !layer_attr_visible(snap, (size_t)attr,
					    ctx->req->role))
		return -1;
	return attr;
}

/* sortby=+A,-B: attributes the role may read, ascending by default. */
static int parse_sortby(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
			struct items_query *q, struct req_error *err)
{
	const char *text = http_param(ctx->req, "sortby");
	const char *p = text;

	if (text == NULL)
		return 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		bool desc = *p == '-';
		int attr;

		if (*p == '-' || *p == '+') {
			p++;
			n--;
		}
		attr = visible_attr(ctx, snap, p, n);
		if (attr < 0 || q->n_sort == OGC_MAX_SORT)
			return filter_error(ctx, "sortby", text,
				i18n_pick(ctx->req,
					  "cần tối đa 16 thuộc tính có thể "
					  "lọc, mỗi thuộc tính có thể có + "
					  "hoặc - phía trước",
					  "expected up to 16 queryable "
					  "properties, each with an optional "
					  "+ or - prefix"), err);
		q->sort[q->n_sort].attr = (size_t)attr;
		q->sort[q->n_sort].descending = desc;
		q->n_sort++;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

/* properties=A,B: the attributes returned (the id always is). */
static int parse_properties(struct ogc_ctx *ctx,
			    const struct layer_snapshot *snap,
			    struct items_query *q, struct req_error *err)
{
	const char *text = http_param(ctx->req, "properties");
	const char *p = text;

	if (text == NULL)
		return 0;
	q->mask = calloc(snap->n_attrs + 1, sizeof(*q->mask));
	if (q->mask == NULL)
		return req_error_set(err, REQ_UNAVAILABLE, "", "%s",
				     i18n_pick(ctx->req, "Không đủ bộ nhớ.",
					       "Out of memory."));
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		int attr = visible_attr(ctx, snap, p, n);

		if (attr < 0)
			return filter_error(ctx, "properties", text,
				i18n_pick(ctx->req,
					  "cần các thuộc tính của tập dữ liệu, "
					  "cách nhau bởi dấu phẩy",
					  "expected properties of the "
					  "collection separated by commas"),
				err);
		q->mask[attr] = true;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int parse_wkt_flag(struct ogc_ctx *ctx, struct items_query *q,
			  struct req_error *err)
{
	const char *text = http_param(ctx->req, "wkt");

	if (text == NULL || strcmp(text, "false") == 0)
		return 0;
	if (strcmp(text, "true") == 0) {
		q->wkt = true;
		return 0;
	}
	return filter_error(ctx, "wkt", text,
			    i18n_pick(ctx->req, "dùng true hoặc false",
				      "use true or false"), err);
}

static int parse_items_query(struct ogc_ctx *ctx,
			     const struct layer_snapshot *snap,
			     struct items_query *q, struct req_error *err)
{
	memset(q, 0, sizeof(*q));
	q->limit_given = http_param(ctx->req, "limit") != NULL;
	if (classify_params(ctx, snap, q, err) != 0 ||
	    parse_lang(ctx, err) != 0 ||
	    parse_limit(ctx, http_param(ctx->req, "limit"), &q->limit,
			err) != 0 ||
	    parse_offset(ctx, http_param(ctx->req, "offset"), &q->offset,
			 err) != 0 ||
	    parse_output_crs(ctx, snap, q, err) != 0 ||
	    parse_items_bbox(ctx, snap, q, err) != 0 ||
	    parse_filter(ctx, snap, q, err) != 0 ||
	    parse_datetime(ctx, snap, q, err) != 0 ||
	    parse_sortby(ctx, snap, q, err) != 0 ||
	    parse_properties(ctx, snap, q, err) != 0 ||
	    parse_wkt_flag(ctx, q, err) != 0)
		return -1;
	return 0;
}

/* Run the query of an items request. Downloads take every match unless
   the request gives limit or offset. */
static int items_run(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		     const struct items_query *q, struct layer_result *result,
		     struct req_error *err)
{
	bool whole = ctx->format == OGC_FORMAT_FGB ||
		     ctx->format == OGC_FORMAT_GPKG;
	struct layer_query query = {0};
	char message[512], picked[512];

	query.bbox = q->has_bbox ? q->bbox : NULL;
	query.conditions = q->conditions;
	query.n_conditions = q->n_conditions;
	query.offset = (size_t)q->offset;
	query.limit = whole && !q->limit_given ? SIZE_MAX : (size_t)q->limit;
	query.role = ctx->req->role;
	query.filters = (const struct layer_filter *const *)q->filters;
	query.n_filters = q->n_filters;
	query.sort = q->sort;
	query.n_sort = q->n_sort;
	message[0] = '\0';
	if (layer_query_run(snap, &query, result, message,
			    sizeof(message)) == 0)
		return 0;
	return req_error_set(err, REQ_INVALID_PARAMETER, "",
			     i18n_pick(ctx->req, "Điều kiện lọc không hợp lệ: %s",
				       "Invalid filter: %s"),
			     i18n_pick_pair(ctx->req, message, picked,
					    sizeof(picked)));
}

void ogcapi_items(struct ogc_ctx *ctx, const char *id)
{
	struct req_error err;
	struct layer_snapshot *snap = ogcapi_collection_acquire(ctx, id, &err);
	struct layer_result result = {0};
	struct items_query q;

	if (snap == NULL) {
		ogcapi_reply_error(ctx, &err);
		return;
	}
	if (parse_items_query(ctx, snap, &q, &err) != 0 ||
	    items_run(ctx, snap, &q, &result, &err) != 0) {
		ogcapi_reply_error(ctx, &err);
		goto done;
	}
	switch (ctx->format) {
	case OGC_FORMAT_HTML:
		ogcapi_items_html(ctx, snap, &q, &result);
		break;
	case OGC_FORMAT_CSV:
		ogcapi_items_csv(ctx, snap, &q, &result);
		break;
	case OGC_FORMAT_FGB:
	case OGC_FORMAT_GPKG:
		ogcapi_items_file(ctx, snap, &q, &result);
		break;
	case OGC_FORMAT_JSON:
		ogcapi_items_json(ctx, snap, &q, &result);
		break;
	}
done:
	items_query_clear(&q);
	layer_result_clear(&result);
	layer_snapshot_release(snap);
}

static int check_item_params(struct ogc_ctx *ctx,
			     const struct layer_snapshot *snap,
			     struct items_query *q, struct req_error *err)
{
	static const char *const allowed[] = {"f", "lang", "api_key", "crs",
					      NULL};
	const struct http_request *req = ctx->req;
	char shown[80];

	memset(q, 0, sizeof(*q));
	for (size_t i = 0; i < req->n_params; i++) {
		if (!name_in(req->params[i].name, allowed))
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
	if (parse_lang(ctx, err) != 0)
		return -1;
	return parse_output_crs(ctx, snap, q, err);
}

void ogcapi_item(struct ogc_ctx *ctx, const char *id, const char *feature_id)
{
	struct req_error err;
	struct layer_snapshot *snap = ogcapi_collection_acquire(ctx, id, &err);
	const struct feature *f = NULL;
	struct items_query q;
	char shown[80];
	long fid;

	if (snap == NULL) {
		ogcapi_reply_error(ctx, &err);
		return;
	}
	if (check_item_params(ctx, snap, &q, &err) != 0) {
		ogcapi_reply_error(ctx, &err);
		goto done;
	}
	if (parse_long(feature_id, LONG_MIN, LONG_MAX, &fid) == 0)
		f = layer_feature_find(snap, (int64_t)fid);
	if (f == NULL) {
		req_error_set(&err, REQ_NOT_FOUND, "featureId",
			      i18n_pick(ctx->req,
					"Không có đối tượng \"%s\" trong tập dữ "
					"liệu \"%s\".",
					"Feature \"%s\" not found in collection "
					"\"%s\"."),
			      req_value(feature_id, shown, sizeof(shown)), id);
		ogcapi_reply_error(ctx, &err);
		goto done;
	}
	if (ctx->format == OGC_FORMAT_HTML) {
		char path[400];
		struct strbuf href;

		snprintf(path, sizeof(path), "/collections/%s/items/%lld", id,
			 (long long)f->fid);
		strbuf_init(&href, 8192);
		ogcapi_href(ctx, &href, path, "f=json");
		ogcapi_html_item(ctx, snap, f, href.data);
		strbuf_free(&href);
	} else {
		ogcapi_item_json(ctx, snap, f, &q);
	}

done:
	layer_snapshot_release(snap);
}
