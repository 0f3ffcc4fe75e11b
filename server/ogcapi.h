/*
 * server/ogcapi: internals shared by the OGC API - Features files
 * (ogcapi*.c). The entry point, ogcapi_handle, is in handlers.h.
 */
#ifndef VNSDI_SERVER_OGCAPI_H
#define VNSDI_SERVER_OGCAPI_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "server/handlers.h"

#define OGC_CRS84_URI "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define OGC_MEDIA_OPENAPI "application/vnd.oai.openapi+json;version=3.0"
#define OGC_MEDIA_GEOJSON "application/geo+json"
#define OGC_MEDIA_JSON "application/json"
#define OGC_MEDIA_HTML "text/html; charset=utf-8"

/* Cap on one OGC API response body. */
#define OGC_MAX_BODY (128u << 20)

enum ogc_format {
	OGC_FORMAT_JSON,
	OGC_FORMAT_HTML,
	OGC_FORMAT_CSV,        /* items only */
	OGC_FORMAT_FGB,        /* items only: FlatGeobuf download */
	OGC_FORMAT_GPKG        /* items only: GeoPackage download */
};

/* One OGC API request in progress. */
struct ogc_ctx {
	struct http_request *req;
	struct http_response *res;
	enum ogc_format format;
	bool lang_param;       /* the request carried lang=, kept in links */
};

/*
 * Pick JSON or HTML from f= or the Accept header. Returns 0, or -1 with
 * `err` set (400 naming f for an unknown f value, 406 when Accept allows
 * neither).
 */
int ogcapi_format_pick(const struct http_request *req, enum ogc_format *out,
		       struct req_error *err);

/*
 * Append "base + path" with a query built from `query` (may be NULL or "")
 * and the lang parameter when the request had one. `query` is already
 * encoded ("f=json&limit=10").
 */
void ogcapi_href(const struct ogc_ctx *ctx, struct strbuf *sb,
		 const char *path, const char *query);

/* A new link object {href, rel, type, title}; title may be NULL. */
json_t *ogcapi_link(const struct ogc_ctx *ctx, const char *path,
		    const char *query, const char *rel, const char *type,
		    const char *title);

/* Send a JSON document (takes the reference) with the given type. */
void ogcapi_reply_json(struct ogc_ctx *ctx, json_t *doc,
		       const char *content_type);

/* Send an error as problem JSON. */
void ogcapi_reply_error(struct ogc_ctx *ctx, const struct req_error *err);

/*
 * Find a vector layer for /collections/{id}. Returns a snapshot the caller
 * releases, or NULL with a 404 error in `err` (unknown id or a raster
 * layer, which is not a feature collection).
 */
struct layer_snapshot *ogcapi_collection_acquire(struct ogc_ctx *ctx,
						 const char *id,
						 struct req_error *err);

/*
 * The CRSs a collection offers: CRS84, the config's output_crs and the
 * layer's storage CRS. ogcapi_crs_list returns their OGC URIs (new
 * reference); snap may be NULL for the service-wide list.
 */
json_t *ogcapi_crs_list(const struct cfg *cfg,
			const struct layer_snapshot *snap);

/*
 * Resolve the value of parameter `name` (crs, bbox-crs, filter-crs) to an
 * offered CRS; *out is NULL for CRS84. Returns 0, or -1 with a 400
 * invalid-crs error naming the parameter and the value.
 */
int ogcapi_crs_param(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		     const char *name, const char *value,
		     const struct vn2000_crs **out, struct req_error *err);

/* The OGC URI of a catalogue CRS into out; false when it has none. */
bool ogcapi_crs_uri(const struct vn2000_crs *crs, char *out, size_t size);

/* The vector layer `id`, or NULL without an error (related links). */
struct layer_snapshot *ogcapi_collection_acquire_quiet(struct ogc_ctx *ctx,
						       const char *id);

/* Title and description of a layer in the request's language. */
const char *ogcapi_layer_title(const struct ogc_ctx *ctx,
			       const struct cfg_layer *layer);
const char *ogcapi_layer_description(const struct ogc_ctx *ctx,
				     const struct cfg_layer *layer);

/* The collection document of /collections and /collections/{id}. */
json_t *ogcapi_collection_json(struct ogc_ctx *ctx,
			       const struct layer_snapshot *snap);

#define OGC_MAX_SORT 16
#define OGC_MAX_CONDITIONS 32

/* Parameters of an items request, checked. */
struct items_query {
	long limit;
	long offset;
	bool limit_given;
	bool has_bbox;
	double bbox[4];                /* CRS84 */
	const struct vn2000_crs *crs;  /* output CRS, NULL for CRS84 */
	char crs_uri[96];
	struct layer_condition conditions[OGC_MAX_CONDITIONS];
	size_t n_conditions;
	/* bbox in bbox-crs, filter, datetime; owned */
	struct layer_filter *filters[3];
	size_t n_filters;
	struct layer_sort_key sort[OGC_MAX_SORT];
	size_t n_sort;
	bool *mask;                    /* properties=, NULL: all; owned */
	bool wkt;                      /* CSV: add a WKT column */
};

void items_query_clear(struct items_query *q);

/* Output of a page or a whole result in each format
   (ogcapi_items_out.c). `result` is taken over by the streaming ones. */
void ogcapi_items_json(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       struct items_query *q, struct layer_result *result);
void ogcapi_items_csv(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		      struct items_query *q, struct layer_result *result);
void ogcapi_items_file(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       const struct items_query *q,
		       const struct layer_result *result);
void ogcapi_items_html(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       const struct items_query *q,
		       const struct layer_result *result);
/* One feature as GeoJSON with its links (self, collection, related). */
void ogcapi_item_json(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		      const struct feature *f, const struct items_query *q);

/* /collections/{id}/items and /collections/{id}/items/{featureId}. */
void ogcapi_items(struct ogc_ctx *ctx, const char *id);
void ogcapi_item(struct ogc_ctx *ctx, const char *id, const char *feature_id);

/* /api: the OpenAPI 3.0 document (JSON) or a page listing its paths. */
void ogcapi_openapi(struct ogc_ctx *ctx);

/*
 * GeoJSON writing. Coordinates are printed with 7 decimals, trailing
 * zeros trimmed; strings go through jansson for escaping.
 */

/* Format a number with at most `decimals` decimals, trailing zeros
   trimmed and "-0" written as "0". Returns the length, or -1 for NaN,
   infinity or a buffer too small. */
int geojson_format_fixed(double value, int decimals, char *buf, size_t size);

/* Format one coordinate into buf ("105.7812345", "-0.5", "10").
   Returns the length, or -1 for NaN or infinity. */
int geojson_format_coord(double value, char *buf, size_t size);

/* Format a real number with the fewest digits that read back to the same
   double. Returns the length, or -1 for NaN or infinity. */
int geojson_format_real(double value, char *buf, size_t size);

/* Append a JSON string literal of UTF-8 text (invalid bytes become
   U+FFFD). Returns 0 or -1. */
int geojson_string(struct strbuf *sb, const char *text);

/* Append a geometry object, or null for a record without geometry or with
   a coordinate that is not finite. */
int geojson_geometry(struct strbuf *sb, const struct geom *g);

/* Same with the coordinates taken from `xy` (2 * g->n_points values, NULL
   for g->xy) printed with `decimals` decimals. */
int geojson_geometry_coords(struct strbuf *sb, const struct geom *g,
			    const double *xy, int decimals);

/* Append the "properties" object of a feature as visible to `role`. */
int geojson_properties(struct strbuf *sb, const struct layer_snapshot *snap,
		       const struct feature *f, enum cfg_role role);

/* Same, keeping only the attributes whose `mask` entry is true (mask NULL:
   every visible attribute). */
int geojson_properties_mask(struct strbuf *sb,
			    const struct layer_snapshot *snap,
			    const struct feature *f, enum cfg_role role,
			    const bool *mask);

/* HTML pages (ogcapi_html.c). Each sends the page or an error. */
void ogcapi_html_landing(struct ogc_ctx *ctx);
void ogcapi_html_collections(struct ogc_ctx *ctx);
void ogcapi_html_collection(struct ogc_ctx *ctx,
			    const struct layer_snapshot *snap);

/* An items page: the features of `result` in a table, with paging links
   (hrefs may be NULL). */
void ogcapi_html_items(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		       const struct layer_result *result, const char *prev,
		       const char *next, const char *json_href);

/* One feature's page. */
void ogcapi_html_item(struct ogc_ctx *ctx, const struct layer_snapshot *snap,
		      const struct feature *f, const char *json_href);

/* Page header up to the opening of <main>, and the footer. */
void ogcapi_html_begin(struct ogc_ctx *ctx, struct strbuf *sb,
		       const char *title);
void ogcapi_html_end(struct ogc_ctx *ctx, struct strbuf *sb);

/* Send a finished page held in `sb` (freed), or a 413 on overflow. */
void ogcapi_html_send(struct ogc_ctx *ctx, struct strbuf *sb);

#endif
