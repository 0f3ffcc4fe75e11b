/*
 * OGC API - Features items: /collections/{id}/items with bbox, limit,
 * offset and equality filters, and /collections/{id}/items/{featureId}.
 * Output is GeoJSON in CRS84 with 7 decimals, or in another advertised CRS
 * through the crs parameter (Part 2), or HTML.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/ogcapi.h"
#include "vn2000/vn2000.h"

#define ITEMS_MAX_CONDITIONS 32

/* Parameters of an items request, checked. */
struct items_query {
	long limit;
	long offset;
	bool has_bbox;
	double bbox[4];                /* CRS84 */
	const struct vn2000_crs *crs;  /* output CRS, NULL for CRS84 */
	char crs_uri[96];
	struct layer_condition conditions[ITEMS_MAX_CONDITIONS];
	size_t n_conditions;
};

static const char *const items_params[] = {
	"f", "lang", "api_key", "bbox", "bbox-crs", "crs", "limit", "offset",
	"datetime", NULL
};

static bool name_in(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(name, list[i]) == 0)
			return true;
	}
	return false;
}

/* The OGC URI of a catalogue CRS. */
static void crs_uri_of(const struct vn2000_crs *crs, char *out, size_t size)
{
	if (crs->epsg > 0)
		snprintf(out, size, "http://www.opengis.net/def/crs/EPSG/0/%d",
			 crs->epsg);
	else
		snprintf(out, size, "%s", OGC_CRS84_URI);
}

/*
 * Resolve a crs or bbox-crs value to an advertised CRS: CRS84 or one of
 * the config's output CRSs. *out is NULL for CRS84.
 */
static int crs_param(struct ogc_ctx *ctx, const char *name, const char *value,
		     const struct vn2000_crs **out, struct req_error *err)
{
	const struct cfg *cfg = ctx->req->srv->cfg;
	const struct vn2000_crs *crs = vn2000_crs_find(value);
	char shown[80];

	*out = NULL;
	if (crs != NULL && crs->epsg == 0 && strcmp(crs->id, "CRS:84") == 0)
		return 0;
	for (size_t i = 0; crs != NULL && i < cfg->n_output_crs; i++) {
		if (vn2000_crs_find(cfg->output_crs[i]) == crs) {
			*out = crs;
			return 0;
		}
	}
	return req_error_set(err, REQ_INVALID_CRS, name,
		i18n_pick(ctx->req,
			  "Giá trị %s=\"%s\" không hợp lệ: hệ tọa độ không "
			  "được cung cấp. Xem danh sách crs của tập dữ liệu.",
			  "Invalid %s=\"%s\": CRS not offered. See the "
			  "collection's crs list."),
		name, req_value(value, shown, sizeof(shown)));
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

/* bbox, optionally in bbox-crs, as a CRS84 box. */
static int parse_items_bbox(struct ogc_ctx *ctx, struct items_query *q,
			    struct req_error *err)
{
	const char *text = http_param(ctx->req, "bbox");
	const char *crs_text = http_param(ctx->req, "bbox-crs");
	const struct vn2000_crs *crs = NULL;
	struct vn2000_transform *tr;
	double box[4], swapped[4];
	char shown[80];

	if (crs_text != NULL && crs_param(ctx, "bbox-crs", crs_text, &crs,
					  err) != 0)
		return -1;
	if (text == NULL)
		return 0;
	if (parse_bbox(text, "bbox", true, box, ctx->req, err) != 0)
		return -1;
	q->has_bbox = true;
	if (crs == NULL) {
		memcpy(q->bbox, box, sizeof(box));
		return 0;
	}
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
					  "tính có thể lọc của tập dữ liệu.",
					  "Unknown query parameter \"%s\": neither "
					  "a standard parameter nor a queryable "
					  "attribute of the collection."),
				req_value(name, shown, sizeof(shown)));
		if (q->n_conditions == ITEMS_MAX_CONDITIONS)
			return req_error_set(err, REQ_INVALID_PARAMETER, name,
				i18n_pick(req, "Quá nhiều điều kiện lọc (tối đa %d).",
					  "Too many filters (maximum %d)."),
				ITEMS_MAX_CONDITIONS);
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

static int parse_output_crs(struct ogc_ctx *ctx, struct items_query *q,
			    struct req_error *err)
{
	const char *text = http_param(ctx->req, "crs");

	q->crs = NULL;
	snprintf(q->crs_uri, sizeof(q->crs_uri), "%s", OGC_CRS84_URI);
	if (text == NULL)
		return 0;
	if (crs_param(ctx, "crs", text, &q->crs, err) != 0)
		return -1;
	if (q->crs != NULL)
		crs_uri_of(q->crs, q->crs_uri, sizeof(q->crs_uri));
	return 0;
}

static int parse_items_query(struct ogc_ctx *ctx,
			     const struct layer_snapshot *snap,
			     struct items_query *q, struct req_error *err)
{
	const char *datetime = http_param(ctx->req, "datetime");
	char shown[80];

	memset(q, 0, sizeof(*q));
	if (classify_params(ctx, snap, q, err) != 0 ||
	    parse_lang(ctx, err) != 0 ||
	    parse_limit(ctx, http_param(ctx->req, "limit"), &q->limit,
			err) != 0 ||
	    parse_offset(ctx, http_param(ctx->req, "offset"), &q->offset,
			 err) != 0 ||
	    parse_output_crs(ctx, q, err) != 0 ||
	    parse_items_bbox(ctx, q, err) != 0)
		return -1;
	/* TODO: datetime filtering on the layer's time attribute is not
	   built yet. */
	if (datetime != NULL)
		return req_error_set(err, REQ_INVALID_PARAMETER, "datetime",
			i18n_pick(ctx->req,
				  "Tham số datetime=\"%s\" chưa được hỗ trợ.",
				  "Parameter datetime=\"%s\" is not supported "
				  "yet."),
			req_value(datetime, shown, sizeof(shown)));
	return 0;
}

/* Append the request's query without f, lang, limit and offset, then the
   given limit, offset and format. `lang` is added by ogcapi_href. */
static void paging_query(struct ogc_ctx *ctx, struct strbuf *sb, long limit,
			 long offset, const char *format)
{
	const struct http_request *req = ctx->req;

	for (size_t i = 0; i < req->n_params; i++) {
		const char *name = req->params[i].name;

		if (strcmp(name, "f") == 0 || strcmp(name, "lang") == 0 ||
		    strcmp(name, "limit") == 0 || strcmp(name, "offset") == 0)
			continue;
		strbuf_urlencode(sb, name);
		strbuf_puts(sb, "=");
		strbuf_urlencode(sb, req->params[i].value);
		strbuf_puts(sb, "&");
	}
	strbuf_printf(sb, "limit=%ld&offset=%ld&f=%s", limit, offset, format);
}

/* A full href of the items path with a paging query. */
static char *items_href(struct ogc_ctx *ctx, const char *id, long limit,
			long offset, const char *format)
{
	struct strbuf query, href;
	char path[320];
	char *out;

	snprintf(path, sizeof(path), "/collections/%s/items", id);
	strbuf_init(&query, 64 * 1024);
	paging_query(ctx, &query, limit, offset, format);
	strbuf_init(&href, 64 * 1024);
	ogcapi_href(ctx, &href, path, query.data);
	strbuf_free(&query);
	if (href.overflow) {
		strbuf_free(&href);
		return NULL;
	}
	out = strbuf_take(&href, NULL);
	return out;
}

static void put_link(struct strbuf *sb, const char *href, const char *rel,
		     const char *type, const char *title, bool first)
{
	if (!first)
		strbuf_puts(sb, ",");
	strbuf_puts(sb, "{\"href\":");
	geojson_string(sb, href != NULL ? href : "");
	strbuf_printf(sb, ",\"rel\":\"%s\",\"type\":\"%s\"", rel, type);
	if (title != NULL) {
		strbuf_puts(sb, ",\"title\":");
		geojson_string(sb, title);
	}
	strbuf_puts(sb, "}");
}

/* Coordinates of a feature in the output CRS, malloc'ed, or NULL for
   CRS84 (use f->lonlat). *failed is set when the transform fails. */
static double *feature_coords(const struct layer_snapshot *snap,
			      const struct feature *f,
			      const struct vn2000_crs *crs, bool *failed)
{
	struct vn2000_transform *tr;
	size_t n = f->native.n_points;
	double *xy;

	*failed = false;
	if (crs == NULL || n == 0)
		return NULL;
	xy = malloc(2 * n * sizeof(double));
	if (xy == NULL) {
		*failed = true;
		return NULL;
	}
	memcpy(xy, f->native.xy, 2 * n * sizeof(double));
	if (crs != snap->crs) {
		tr = vn2000_transform_get(snap->crs, crs);
		if (tr == NULL || vn2000_transform_xy(tr, xy, n) != 0)
			*failed = true;
	}
	if (crs->lat_first) {
		for (size_t i = 0; i < n; i++) {
			double t = xy[2 * i];

			xy[2 * i] = xy[2 * i + 1];
			xy[2 * i + 1] = t;
		}
	}
	return xy;
}

/* Append one GeoJSON Feature. */
static void put_feature(struct strbuf *sb, const struct layer_snapshot *snap,
			const struct feature *f, const struct items_query *q,
			enum cfg_role role)
{
	bool failed = false;
	double *xy = feature_coords(snap, f, q->crs, &failed);

	strbuf_printf(sb, "{\"type\":\"Feature\",\"id\":%lld,\"geometry\":",
		      (long long)f->fid);
	if (failed)
		strbuf_puts(sb, "null");
	else if (xy != NULL)
		geojson_geometry_coords(sb, &f->native, xy,
					q->crs->geographic ? 7 : 3);
	else
		geojson_geometry(sb, &f->lonlat);
	strbuf_puts(sb, ",\"properties\":");
	geojson_properties(sb, snap, f, role);
	strbuf_puts(sb, "}");
	free(xy);
}

static void time_stamp(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void reply_too_large(struct ogc_ctx *ctx)
{
	struct req_error err;

	req_error_set(&err, REQ_TOO_LARGE, "limit",
		      i18n_pick(ctx->req,
				"Kết quả vượt quá %u MiB; hãy giảm limit.",
				"The response exceeds %u MiB; lower limit."),
		      OGC_MAX_BODY >> 20);
	ogcapi_reply_error(ctx, &err);
}

/* Send a GeoJSON body built in `sb`, or 413 when it overflowed. */
static void send_geojson(struct ogc_ctx *ctx, struct strbuf *sb,
			 const struct items_query *q)
{
	char header[128];
	size_t size;
	char *body;

	if (sb->overflow) {
		strbuf_free(sb);
		reply_too_large(ctx);
		return;
	}
	body = strbuf_take(sb, &size);
	http_response_take(ctx->res, 200, OGC_MEDIA_GEOJSON, body, size);
	snprintf(header, sizeof(header), "<%s>", q->crs_uri);
	http_response_header(ctx->res, "Content-Crs", header);
}

struct page_links {
	char *self, *alternate, *next, *prev, *collection;
};

static void page_links_free(struct page_links *l)
{
	free(l->self);
	free(l->alternate);
	free(l->next);
	free(l->prev);
	free(l->collection);
}

static void page_links_build(struct ogc_ctx *ctx, const char *id,
			     const struct items_query *q,
			     const struct layer_result *result,
			     struct page_links *l, const char *format)
{
	struct strbuf sb;
	char path[320];

	memset(l, 0, sizeof(*l));
	l->self = items_href(ctx, id, q->limit, q->offset, format);
	l->alternate = items_href(ctx, id, q->limit, q->offset,
				  strcmp(format, "json") == 0 ? "html" : "json");
	if ((size_t)q->offset + result->count < result->matched &&
	    result->count > 0)
		l->next = items_href(ctx, id, q->limit,
				     q->offset + (long)result->count, format);
	if (q->offset > 0)
		l->prev = items_href(ctx, id, q->limit,
				     q->offset > q->limit ? q->offset - q->limit
							  : 0, format);
	snprintf(path, sizeof(path), "/collections/%s", id);
	strbuf_init(&sb, 8192);
	ogcapi_href(ctx, &sb, path, strcmp(format, "json") == 0 ?
		    "f=json" : "f=html");
	l->collection = strbuf_take(&sb, NULL);
}

static void items_json(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       const struct items_query *q,
		       const struct layer_result *result)
{
	struct page_links l;
	struct strbuf sb;
	char stamp[32];

	page_links_build(ctx, snap->cfg->id, q, result, &l, "json");
	time_stamp(stamp, sizeof(stamp));
	strbuf_init(&sb, OGC_MAX_BODY);
	strbuf_printf(&sb, "{\"type\":\"FeatureCollection\",\"numberMatched\":"
		      "%zu,\"numberReturned\":%zu,\"timeStamp\":\"%s\","
		      "\"links\":[", result->matched, result->count, stamp);
	put_link(&sb, l.self, "self", OGC_MEDIA_GEOJSON, NULL, true);
	put_link(&sb, l.alternate, "alternate", "text/html", NULL, false);
	if (l.next != NULL)
		put_link(&sb, l.next, "next", OGC_MEDIA_GEOJSON,
			 i18n_pick(ctx->req, "Trang sau", "Next page"), false);
	if (l.prev != NULL)
		put_link(&sb, l.prev, "prev", OGC_MEDIA_GEOJSON,
			 i18n_pick(ctx->req, "Trang trước", "Previous page"),
			 false);
	put_link(&sb, l.collection, "collection", OGC_MEDIA_JSON,
		 ogcapi_layer_title(ctx, snap->cfg), false);
	strbuf_puts(&sb, "],\"features\":[");
	for (size_t i = 0; i < result->count && !sb.overflow; i++) {
		if (i > 0)
			strbuf_puts(&sb, ",");
		put_feature(&sb, snap, result->features[i], q, ctx->req->role);
	}
	strbuf_puts(&sb, "]}\n");
	page_links_free(&l);
	send_geojson(ctx, &sb, q);
}

static void items_html(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       const struct items_query *q,
		       const struct layer_result *result)
{
	struct page_links l;

	page_links_build(ctx, snap->cfg->id, q, result, &l, "html");
	ogcapi_html_items(ctx, snap, result, l.prev, l.next, l.alternate);
	page_links_free(&l);
}

void ogcapi_items(struct ogc_ctx *ctx, const char *id)
{
	struct req_error err;
	struct layer_snapshot *snap = ogcapi_collection_acquire(ctx, id, &err);
	struct layer_result result = {0};
	struct layer_query query = {0};
	struct items_query q;
	char message[256];

	if (snap == NULL) {
		ogcapi_reply_error(ctx, &err);
		return;
	}
	if (parse_items_query(ctx, snap, &q, &err) != 0) {
		ogcapi_reply_error(ctx, &err);
		goto done;
	}
	query.bbox = q.has_bbox ? q.bbox : NULL;
	query.conditions = q.conditions;
	query.n_conditions = q.n_conditions;
	query.offset = (size_t)q.offset;
	query.limit = (size_t)q.limit;
	query.role = ctx->req->role;
	message[0] = '\0';
	if (layer_query_run(snap, &query, &result, message,
			    sizeof(message)) != 0) {
		req_error_set(&err, REQ_INVALID_PARAMETER, "",
			      i18n_pick(ctx->req, "Điều kiện lọc không hợp lệ: %s",
					"Invalid filter: %s"), message);
		ogcapi_reply_error(ctx, &err);
		goto done;
	}
	if (ctx->format == OGC_FORMAT_HTML)
		items_html(ctx, snap, &q, &result);
	else
		items_json(ctx, snap, &q, &result);

done:
	layer_result_clear(&result);
	layer_snapshot_release(snap);
}

static int check_item_params(struct ogc_ctx *ctx, struct items_query *q,
			     struct req_error *err)
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
	return parse_output_crs(ctx, q, err);
}

static void item_json(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		      const struct feature *f, const struct items_query *q)
{
	struct strbuf sb, href;
	char path[400];

	strbuf_init(&sb, OGC_MAX_BODY);
	strbuf_init(&href, 8192);
	put_feature(&sb, snap, f, q, ctx->req->role);
	/* Reopen the object to add links. */
	if (sb.len > 0 && sb.data[sb.len - 1] == '}')
		sb.len--;
	strbuf_puts(&sb, ",\"links\":[");
	snprintf(path, sizeof(path), "/collections/%s/items/%lld",
		 snap->cfg->id, (long long)f->fid);
	ogcapi_href(ctx, &href, path, "f=json");
	put_link(&sb, href.data, "self", OGC_MEDIA_GEOJSON, NULL, true);
	href.len = 0;
	ogcapi_href(ctx, &href, path, "f=html");
	put_link(&sb, href.data, "alternate", "text/html", NULL, false);
	href.len = 0;
	snprintf(path, sizeof(path), "/collections/%s", snap->cfg->id);
	ogcapi_href(ctx, &href, path, "f=json");
	put_link(&sb, href.data, "collection", OGC_MEDIA_JSON,
		 ogcapi_layer_title(ctx, snap->cfg), false);
	strbuf_puts(&sb, "]}\n");
	strbuf_free(&href);
	send_geojson(ctx, &sb, q);
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
	if (check_item_params(ctx, &q, &err) != 0) {
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
		item_json(ctx, snap, f, &q);
	}

done:
	layer_snapshot_release(snap);
}
