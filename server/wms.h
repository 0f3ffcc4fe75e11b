/*
 * server/wms: Web Map Service 1.3.0 and 1.1.1 at /wms (GetCapabilities,
 * GetMap, GetFeatureInfo, GetLegendGraphic), split over wms*.c files.
 *
 * This header is private to those files and to their unit tests; other
 * modules call wms_handle() from server/handlers.h only.
 *
 * Every operation parses into a struct wms_request first and fills a
 * struct req_error on bad input. wms_reply_error() then writes the exception
 * in the format of the EXCEPTIONS parameter (XML, INIMAGE or BLANK), so
 * nothing is written before the status is known.
 */
#ifndef VNSDI_SERVER_WMS_H
#define VNSDI_SERVER_WMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/handlers.h"
#include "server/http.h"
#include "tiles/render.h"
#include "vn2000/vn2000.h"

/* The two protocol flavours. A request for 1.1.0 is served as 1.1.1: the
   parameters that matter here (SRS, X/Y, x/y axis order) are the same. */
enum wms_version {
	WMS_VERSION_111,
	WMS_VERSION_130
};

/* How an error is reported (the EXCEPTIONS parameter). */
enum wms_exceptions {
	WMS_EXCEPTIONS_XML,
	WMS_EXCEPTIONS_INIMAGE,
	WMS_EXCEPTIONS_BLANK
};

/* Most layers one GetMap or GetFeatureInfo may name (WMS LayerLimit). */
#define WMS_MAX_LAYERS 32

/* Largest XML document (capabilities, exceptions, feature info) in bytes. */
#define WMS_MAX_XML (8u * 1024u * 1024u)

/* The state of one WMS request while it is parsed and answered. */
struct wms_request {
	struct http_request *http;
	const struct cfg *cfg;
	enum wms_version version;
	enum wms_exceptions exceptions;

	/* Image parameters of GetMap, set once all of them are valid; an
	   INIMAGE or BLANK exception needs them and falls back to XML
	   without them. */
	bool image_ok;
	int width;
	int height;
	enum render_format format;
	bool transparent;
	uint32_t bgcolor;     /* 0xRRGGBB */
};

/* The layers, styles, CRS and box of a GetMap, also used by
   GetFeatureInfo. Snapshots are references released by
   wms_map_clear(). */
struct wms_map {
	struct layer_snapshot *snaps[WMS_MAX_LAYERS];
	const char *styles[WMS_MAX_LAYERS]; /* NULL: the default style */
	char *styles_buf;                   /* storage of styles[] */
	size_t n_layers;
	const struct vn2000_crs *crs;
	const char *crs_param;              /* "CRS" or "SRS" */
	double bbox[4];                     /* x/y order: minx, miny, maxx, maxy */
};

/* --- wms_parse.c: request values, exceptions (no rendering) --- */

/*
 * Parse a version "X.Y.Z" of three decimal numbers. Returns 0 and the
 * numbers packed as X * 10000 + Y * 100 + Z, or -1. Each part must be 0..99.
 */
int wms_version_number(const char *text, int *number);

/*
 * Choose the version of a GetCapabilities answer from the requested one
 * (NULL: none requested), by the OGC negotiation rule: the highest
 * supported version when none is given or the request is above it, the
 * requested one when supported, else the next lower supported one, and the
 * lowest one when the request is below every supported version.
 * Returns 0, or -1 when `text` is not a version number.
 */
int wms_version_negotiate(const char *text, enum wms_version *out);

/*
 * The version of an operation other than GetCapabilities: "1.3.0", or
 * "1.1.1" and "1.1.0" (served as 1.1.1). Returns 0 or -1.
 */
int wms_version_parse(const char *text, enum wms_version *out);

/* The version as written in documents: "1.3.0" or "1.1.1". */
const char *wms_version_text(enum wms_version version);

/*
 * Parse EXCEPTIONS. Both spellings are accepted in both versions: XML,
 * INIMAGE, BLANK (1.3.0) and application/vnd.ogc.se_xml, se_inimage,
 * se_blank (1.1.1); the 1.3.0 names also as "application/vnd.ogc.se_..."
 * and "text/xml" for XML. Compared without case, as MIME types are.
 * NULL or "" gives XML. Returns 0 or -1.
 */
int wms_exceptions_parse(const char *text, enum wms_exceptions *out);

/* Parse BGCOLOR: exactly "0x" or "0X" and six hexadecimal digits.
   Returns 0 and 0xRRGGBB, or -1. */
int wms_bgcolor_parse(const char *text, uint32_t *rgb);

/* Parse TRANSPARENT: TRUE or FALSE in any case. Returns 0 or -1. */
int wms_bool_parse(const char *text, bool *out);

/*
 * The OGC exception code of an error. This is the one place where error
 * kinds become WMS codes: InvalidCRS is InvalidSRS in 1.1.1, an invalid
 * I, J, X or Y is InvalidPoint, and an operation refused on a layer of
 * QUERY_LAYERS is LayerNotQueryable. The HTTP status comes from
 * req_error_status().
 */
const char *wms_exception_code(enum req_error_kind kind,
			       const char *parameter, enum wms_version version);

/* The MIME type of an XML exception report of a version. */
const char *wms_exception_mime(enum wms_version version);

/*
 * Append the ServiceExceptionReport of `err` for `version` to `sb`.
 * Returns 0, or -1 when the buffer overflowed.
 */
int wms_exception_xml(struct strbuf *sb, const struct req_error *err,
		      enum wms_version version);

/* The text of `vi` or `en` for the request's language; falls back to the
   other one when the chosen one is NULL, and to "" when both are. */
const char *wms_text(const struct http_request *req, const char *vi,
		     const char *en);

/* Append `text` percent-encoded for a query value (RFC 3986 unreserved
   characters pass unchanged). Returns 0 or -1 on overflow. */
int wms_url_encode(struct strbuf *sb, const char *text);

/* --- wms.c: dispatch and error replies --- */

/* Fill `res` with the exception of `err` in the request's EXCEPTIONS
   format. */
void wms_reply_error(const struct wms_request *wr, const struct req_error *err,
		     struct http_response *res);

/* --- wms_map.c: the map part shared by GetMap and GetFeatureInfo --- */

/*
 * Parse EXCEPTIONS, WIDTH, HEIGHT, FORMAT, TRANSPARENT and BGCOLOR into
 * `wr` (image_ok is set when all are valid). FORMAT is required when
 * `format_required`. Returns 0 or -1 with `err` filled.
 */
int wms_image_params_parse(struct wms_request *wr, bool format_required,
			   struct req_error *err);

/*
 * Parse LAYERS, STYLES, CRS or SRS and BBOX into `map` (zeroed by the
 * caller). Returns 0 or -1 with `err` filled; in both cases the caller
 * calls wms_map_clear().
 */
int wms_map_parse(const struct wms_request *wr, struct wms_map *map,
		  struct req_error *err);

/* Whether `name` is a style of the layer. Raster layers have one style,
   "default". */
bool wms_style_exists(const struct layer_snapshot *snap, const char *name);

/* Release the snapshots and buffers of a map. Accepts a zeroed map. */
void wms_map_clear(struct wms_map *map);

/*
 * Whether a request box covers more ground than imagery may show: its
 * geodesic area in CRS84 above cfg->imagery_max_km2, or a box that cannot
 * be transformed to CRS84 (refused to be safe).
 */
bool wms_imagery_too_large(const struct cfg *cfg,
			   const struct vn2000_crs *crs, const double bbox[4]);

/* --- GetFeatureInfo: wms_featureinfo.c queries, wms_info_output.c writes --- */

enum wms_info_format {
	WMS_INFO_TEXT,       /* text/plain, the default */
	WMS_INFO_HTML,       /* text/html */
	WMS_INFO_JSON,       /* application/json: GeoJSON */
	WMS_INFO_GML         /* application/vnd.ogc.gml: GML 2 */
};

/* Parse INFO_FORMAT (compared without case). Returns 0 or -1. */
int wms_info_format_parse(const char *text, enum wms_info_format *out);

/* The Content-Type of an info format. */
const char *wms_info_format_mime(enum wms_info_format format);

struct wms_info_hit {
	const struct feature *feature;
	double distance;     /* from the clicked point, in CRS84 degrees */
};

/* The features found in one layer of QUERY_LAYERS, nearest first. */
struct wms_info_layer {
	const struct layer_snapshot *snap; /* borrowed from the wms_map */
	struct wms_info_hit *hits;         /* malloc'ed */
	size_t n_hits;
};

struct wms_info {
	struct wms_info_layer layers[WMS_MAX_LAYERS];
	size_t n_layers;
	enum wms_info_format format;
	const struct vn2000_crs *crs;      /* the request CRS */
};

/*
 * Write the answer of a GetFeatureInfo in info->format. Attributes that
 * the request's role may not read (layer_attr_visible) are left out.
 * Returns 0 and a malloc'ed body, or -1.
 */
int wms_info_write(const struct wms_request *wr, const struct wms_info *info,
		   char **body, size_t *size);

/* --- the operations, one file each --- */

void wms_get_capabilities(struct wms_request *wr, struct http_response *res);
void wms_get_map(struct wms_request *wr, struct http_response *res);
void wms_get_feature_info(struct wms_request *wr, struct http_response *res);
void wms_get_legend_graphic(struct wms_request *wr,
			    struct http_response *res);

/* --- wms_inimage.c --- */

/*
 * Draw `message` into an image of the request's size, background and
 * format (the INIMAGE exception). Returns 0 and a malloc'ed buffer, or -1.
 */
int wms_inimage_encode(const struct wms_request *wr, const char *message,
		       unsigned char **out, size_t *out_size);

#endif
