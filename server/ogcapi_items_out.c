/*
 * Writers of /collections/{id}/items: GeoJSON (in memory for small pages,
 * streamed in chunks for large ones), HTML, CSV (streamed), FlatGeobuf and
 * GeoPackage downloads written by GDAL and streamed from a temporary file,
 * and one feature with its links to related records.
 *
 * Every format leaves out the attributes the role may not read.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cpl_conv.h>

#include "server/ogcapi.h"
#include "server/output.h"
#include "vn2000/vn2000.h"

/* Pages with more features than this are streamed instead of built in
   memory (streamed bodies are not compressed). */
#define ITEMS_STREAM_MIN 1000

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

/* How features are written: CRS, attributes kept, role. */
struct feature_out {
	struct layer_snapshot *snap;     /* reference held when streamed */
	const struct vn2000_crs *crs;    /* NULL: CRS84 */
	bool *mask;                      /* owned copy, NULL: all */
	enum cfg_role role;
	bool wkt;
};

static void feature_out_free(void *arg)
{
	struct feature_out *out = arg;

	if (out == NULL)
		return;
	free(out->mask);
	free(out);
}

static struct feature_out *feature_out_new(const struct layer_snapshot *snap,
					   const struct items_query *q,
					   enum cfg_role role)
{
	struct feature_out *out = calloc(1, sizeof(*out));

	if (out == NULL)
		return NULL;
	out->snap = (struct layer_snapshot *)snap;
	out->crs = q->crs;
	out->role = role;
	out->wkt = q->wkt;
	if (q->mask != NULL) {
		out->mask = malloc((snap->n_attrs + 1) * sizeof(*out->mask));
		if (out->mask == NULL) {
			free(out);
			return NULL;
		}
		memcpy(out->mask, q->mask, snap->n_attrs * sizeof(*out->mask));
	}
	return out;
}

/* Append one GeoJSON Feature. */
static void put_feature(struct strbuf *sb, const struct feature_out *out,
			const struct feature *f)
{
	bool failed = false;
	double *xy = NULL;

	if (out->crs != NULL)
		xy = output_coords(out->snap, f, out->crs,
				   out->crs->lat_first, &failed);
	strbuf_printf(sb, "{\"type\":\"Feature\",\"id\":%lld,\"geometry\":",
		      (long long)f->fid);
	if (failed)
		strbuf_puts(sb, "null");
	else if (xy != NULL)
		geojson_geometry_coords(sb, &f->native, xy,
					out->crs->geographic ? 7 : 3);
	else
		geojson_geometry(sb, &f->lonlat);
	strbuf_puts(sb, ",\"properties\":");
	geojson_properties_mask(sb, out->snap, f, out->role, out->mask);
	strbuf_puts(sb, "}");
	free(xy);
}

static void stream_feature(struct strbuf *sb, const struct feature *f,
			   size_t i, void *arg)
{
	if (i > 0)
		strbuf_puts(sb, ",");
	put_feature(sb, arg, f);
}

/* The FeatureCollection up to the opening of "features". */
static void collection_head(struct ogc_ctx *ctx,
			    const struct layer_snapshot *snap,
			    const struct items_query *q,
			    const struct layer_result *result,
			    struct strbuf *sb)
{
	struct page_links l;
	char stamp[32];

	page_links_build(ctx, snap->cfg->id, q, result, &l, "json");
	time_stamp(stamp, sizeof(stamp));
	strbuf_printf(sb, "{\"type\":\"FeatureCollection\",\"numberMatched\":"
		      "%zu,\"numberReturned\":%zu,\"timeStamp\":\"%s\","
		      "\"links\":[", result->matched, result->count, stamp);
	put_link(sb, l.self, "self", OGC_MEDIA_GEOJSON, NULL, true);
	put_link(sb, l.alternate, "alternate", "text/html", NULL, false);
	if (l.next != NULL)
		put_link(sb, l.next, "next", OGC_MEDIA_GEOJSON,
			 i18n_pick(ctx->req, "Trang sau", "Next page"), false);
	if (l.prev != NULL)
		put_link(sb, l.prev, "prev", OGC_MEDIA_GEOJSON,
			 i18n_pick(ctx->req, "Trang trước", "Previous page"),
			 false);
	put_link(sb, l.collection, "collection", OGC_MEDIA_JSON,
		 ogcapi_layer_title(ctx, snap->cfg), false);
	strbuf_puts(sb, "],\"features\":[");
	page_links_free(&l);
}

static void reply_no_memory(struct ogc_ctx *ctx)
{
	struct req_error err;

	req_error_set(&err, REQ_UNAVAILABLE, "", "%s",
		      i18n_pick(ctx->req, "Không đủ bộ nhớ.", "Out of memory."));
	ogcapi_reply_error(ctx, &err);
}

/* Stream result's features through `write` between head and tail. */
static void stream_page(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
			const char *type, struct strbuf *head,
			const char *tail, struct feature_out *out,
			struct layer_result *result,
			void (*write)(struct strbuf *, const struct feature *,
				      size_t, void *))
{
	struct output_items items = {0};

	if (head->overflow || (items.tail = strdup(tail)) == NULL) {
		strbuf_free(head);
		feature_out_free(out);
		reply_no_memory(ctx);
		return;
	}
	items.snap = layer_snapshot_retain((struct layer_snapshot *)snap);
	items.head = strbuf_take(head, NULL);
	items.features = result->features;
	items.count = result->count;
	result->features = NULL;
	result->count = 0;
	items.write = write;
	items.arg = out;
	items.arg_free = feature_out_free;
	if (output_stream_items(ctx->res, 200, type, &items) != 0)
		reply_no_memory(ctx);
}

void ogcapi_items_json(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       struct items_query *q, struct layer_result *result)
{
	struct feature_out *out = feature_out_new(snap, q, ctx->req->role);
	struct strbuf sb;
	char header[128];

	if (out == NULL) {
		reply_no_memory(ctx);
		return;
	}
	strbuf_init(&sb, OGC_MAX_BODY);
	collection_head(ctx, snap, q, result, &sb);
	if (result->count > ITEMS_STREAM_MIN) {
		stream_page(ctx, snap, OGC_MEDIA_GEOJSON, &sb, "]}\n", out,
			    result, stream_feature);
		snprintf(header, sizeof(header), "<%s>", q->crs_uri);
		http_response_header(ctx->res, "Content-Crs", header);
		return;
	}
	for (size_t i = 0; i < result->count && !sb.overflow; i++)
		stream_feature(&sb, result->features[i], i, out);
	strbuf_puts(&sb, "]}\n");
	feature_out_free(out);
	send_geojson(ctx, &sb, q);
}

void ogcapi_items_html(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       const struct items_query *q,
		       const struct layer_result *result)
{
	struct page_links l;

	page_links_build(ctx, snap->cfg->id, q, result, &l, "html");
	ogcapi_html_items(ctx, snap, result, l.prev, l.next, l.alternate);
	page_links_free(&l);
}

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote or a
   line break. */
static void csv_field(struct strbuf *sb, const char *text)
{
	if (strpbrk(text, ",\"\r\n") == NULL) {
		strbuf_puts(sb, text);
		return;
	}
	strbuf_puts(sb, "\"");
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '"')
			strbuf_puts(sb, "\"");
		strbuf_append(sb, p, 1);
	}
	strbuf_puts(sb, "\"");
}

static bool csv_kept(const struct feature_out *out, size_t a)
{
	return layer_attr_visible(out->snap, a, out->role) &&
	       (out->mask == NULL || out->mask[a]);
}

static void csv_wkt(struct strbuf *sb, const struct feature_out *out,
		    const struct feature *f)
{
	bool failed = false;
	bool lat_first = out->crs != NULL && out->crs->lat_first;
	double *xy = output_coords(out->snap, f, out->crs, lat_first, &failed);
	OGRGeometryH g = output_ogr_geometry(&f->native, xy);
	char *wkt = NULL;

	free(xy);
	strbuf_puts(sb, ",");
	if (g != NULL && OGR_G_ExportToWkt(g, &wkt) == OGRERR_NONE)
		csv_field(sb, wkt);
	CPLFree(wkt);
	if (g != NULL)
		OGR_G_DestroyGeometry(g);
}

static void csv_row(struct strbuf *sb, const struct feature *f, size_t i,
		    void *arg)
{
	const struct feature_out *out = arg;
	char num[64];

	(void)i;
	strbuf_printf(sb, "%lld", (long long)f->fid);
	for (size_t a = 0; a < out->snap->n_attrs; a++) {
		const struct value *v = &f->values[a];

		if (!csv_kept(out, a))
			continue;
		strbuf_puts(sb, ",");
		if (v->is_null)
			continue;
		if (out->snap->attrs[a].type == ATTR_INTEGER) {
			strbuf_printf(sb, "%lld", (long long)v->u.i);
		} else if (out->snap->attrs[a].type == ATTR_REAL) {
			if (geojson_format_real(v->u.d, num, sizeof(num)) > 0)
				strbuf_puts(sb, num);
		} else {
			csv_field(sb, v->u.s);
		}
	}
	if (out->wkt)
		csv_wkt(sb, out, f);
	strbuf_puts(sb, "\r\n");
}

/* NOTE: text that starts with =, +, - or @ is written as it is; a
   spreadsheet may read it as a formula. */
void ogcapi_items_csv(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		      struct items_query *q, struct layer_result *result)
{
	struct feature_out *out = feature_out_new(snap, q, ctx->req->role);
	struct strbuf head;
	char disposition[300];

	if (out == NULL) {
		reply_no_memory(ctx);
		return;
	}
	strbuf_init(&head, 1 << 20);
	strbuf_puts(&head, "id");
	for (size_t a = 0; a < snap->n_attrs; a++) {
		if (!csv_kept(out, a))
			continue;
		strbuf_puts(&head, ",");
		csv_field(&head, snap->attrs[a].name);
	}
	strbuf_puts(&head, out->wkt ? ",WKT\r\n" : "\r\n");
	stream_page(ctx, snap, "text/csv; charset=utf-8; header=present",
		    &head, "", out, result, csv_row);
	snprintf(disposition, sizeof(disposition),
		 "attachment; filename=\"%s.csv\"", snap->cfg->id);
	http_response_header(ctx->res, "Content-Disposition", disposition);
}

void ogcapi_items_file(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       const struct items_query *q,
		       const struct layer_result *result)
{
	bool fgb = ctx->format == OGC_FORMAT_FGB;
	struct output_source src = {
		.snap = snap, .features = result->features,
		.count = result->count, .mask = q->mask,
		.role = ctx->req->role, .crs = q->crs,
	};
	const char *dir = ctx->req->srv->cfg->data_dir != NULL ?
			  ctx->req->srv->cfg->data_dir : "/tmp";
	char disposition[300], message[512];
	struct req_error err;
	long long size = 0;
	int fd;

	fd = output_file_write(&src, fgb ? OUTPUT_FILE_FGB : OUTPUT_FILE_GPKG,
			       dir, &size, message, sizeof(message));
	if (fd < 0) {
		http_log("ogcapi: download of %s failed: %s", snap->cfg->id,
			 message);
		req_error_set(&err, REQ_UNAVAILABLE, "f", "%s",
			      i18n_pick(ctx->req, "Không tạo được tệp tải về.",
					"The download file could not be "
					"written."));
		ogcapi_reply_error(ctx, &err);
		return;
	}
	if (size > OUTPUT_MAX_FILE) {
		close(fd);
		req_error_set(&err, REQ_TOO_LARGE, "limit",
			      i18n_pick(ctx->req,
					"Tệp tải về vượt quá %lld MiB; hãy thu "
					"hẹp bộ lọc.",
					"The download exceeds %lld MiB; narrow "
					"the filter."), OUTPUT_MAX_FILE >> 20);
		ogcapi_reply_error(ctx, &err);
		return;
	}
	output_stream_fd(ctx->res, 200, fgb ? "application/flatgeobuf" :
			 "application/geopackage+sqlite3", fd);
	snprintf(disposition, sizeof(disposition),
		 "attachment; filename=\"%s.%s\"", snap->cfg->id,
		 fgb ? "fgb" : "gpkg");
	http_response_header(ctx->res, "Content-Disposition", disposition);
	snprintf(disposition, sizeof(disposition), "<%s>", q->crs_uri);
	http_response_header(ctx->res, "Content-Crs", disposition);
}

/* Links of a feature to the records of other layers that share a key
   (the layer's `links` in the config). */
static void related_links(struct ogc_ctx *ctx,
			  const struct layer_snapshot *snap,
			  const struct feature *f, struct strbuf *sb)
{
	const struct cfg_layer *cfg = snap->cfg;

	for (size_t i = 0; i < cfg->n_links; i++) {
		const struct cfg_link *link = &cfg->links[i];
		const char *tkey = link->target_key != NULL ?
				   link->target_key : link->key;
		int key = layer_attr_find(snap, link->key);
		struct layer_snapshot *target;
		struct strbuf href, query;
		const struct value *v;
		char path[400], num[64];
		const char *value;
		int tattr;

		if (key < 0 || !layer_attr_visible(snap, (size_t)key,
						   ctx->req->role))
			continue;
		v = &f->values[key];
		if (v->is_null)
			continue;
		target = ogcapi_collection_acquire_quiet(ctx, link->layer);
		if (target == NULL)
			continue;
		tattr = layer_attr_find(target, tkey);
		if (tattr < 0 || !layer_attr_visible(target, (size_t)tattr,
						     ctx->req->role)) {
			layer_snapshot_release(target);
			continue;
		}
		if (snap->attrs[key].type == ATTR_INTEGER) {
			snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
			value = num;
		} else if (snap->attrs[key].type == ATTR_REAL) {
			geojson_format_real(v->u.d, num, sizeof(num));
			value = num;
		} else {
			value = v->u.s;
		}
		strbuf_init(&href, 64 * 1024);
		strbuf_init(&query, 64 * 1024);
		if (target->cfg->id_attribute != NULL &&
		    strcmp(target->cfg->id_attribute, tkey) == 0 &&
		    target->attrs[tattr].type == ATTR_INTEGER) {
			/* The key is the target's feature id. */
			snprintf(path, sizeof(path), "/collections/%s/items/%s",
				 target->cfg->id, value);
			strbuf_puts(&query, "f=json");
		} else {
			snprintf(path, sizeof(path), "/collections/%s/items",
				 target->cfg->id);
			strbuf_urlencode(&query, tkey);
			strbuf_puts(&query, "=");
			strbuf_urlencode(&query, value);
			strbuf_puts(&query, "&f=json");
		}
		ogcapi_href(ctx, &href, path, query.data);
		put_link(sb, href.data, "related", OGC_MEDIA_GEOJSON,
			 link->title_vi != NULL ?
			 i18n_pick(ctx->req, link->title_vi,
				   link->title_en != NULL ? link->title_en :
				   link->title_vi) :
			 ogcapi_layer_title(ctx, target->cfg), false);
		strbuf_free(&href);
		strbuf_free(&query);
		layer_snapshot_release(target);
	}
}

void ogcapi_item_json(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		      const struct feature *f, const struct items_query *q)
{
	struct feature_out out = {
		.snap = (struct layer_snapshot *)snap, .crs = q->crs,
		.role = ctx->req->role,
	};
	struct strbuf sb, href;
	char path[400];

	strbuf_init(&sb, OGC_MAX_BODY);
	strbuf_init(&href, 8192);
	put_feature(&sb, &out, f);
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
	related_links(ctx, snap, f, &sb);
	strbuf_puts(&sb, "]}\n");
	strbuf_free(&href);
	send_geojson(ctx, &sb, q);
}
