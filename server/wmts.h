/*
 * server/wmts: WMTS 1.0.0 (KVP at /wmts, RESTful under /wmts/1.0.0/) and
 * XYZ tiles at /tiles/{layer}/{z}/{x}/{y}.png, split over wmts*.c and
 * xyz.c.
 *
 * The HTTP core routes to wmts_handle() and xyz_handle(); the rest of this
 * header is shared by those files and their unit tests. Every request is
 * parsed into a struct wmts_tile first; nothing is written before the
 * status is known. Errors are OWS 1.1 ExceptionReports with the WMTS codes
 * (MissingParameterValue, InvalidParameterValue, OperationNotSupported,
 * TileOutOfRange, PointIJOutOfRange, NoApplicableCode) and the parameter
 * at fault as locator.
 */
#ifndef VNSDI_SERVER_WMTS_H
#define VNSDI_SERVER_WMTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/handlers.h"
#include "server/http.h"
#include "tiles/render.h"
#include "tiles/tilecache.h"
#include "tiles/tms.h"

/* /wmts (KVP) and /wmts/1.0.0/... (RESTful). */
void wmts_handle(struct http_request *req, struct http_response *res);

/* /tiles/{layer}/{z}/{x}/{y}.png in WebMercatorQuad; 404 outside the
   layer's tiles. */
void xyz_handle(struct http_request *req, struct http_response *res);

/* Largest capabilities document, in bytes. */
#define WMTS_MAX_XML (8u * 1024u * 1024u)

/* A WMTS error: the request error plus the codes that no request error
   kind maps to. */
enum wmts_code {
	WMTS_CODE_FROM_KIND,        /* from err.kind */
	WMTS_CODE_TILE_OUT_OF_RANGE,
	WMTS_CODE_POINT_OUT_OF_RANGE,
	WMTS_CODE_VERSION_NEGOTIATION_FAILED
};

struct wmts_error {
	struct req_error err;
	enum wmts_code code;
	int status;                 /* 0: from the code and err.kind */
};

/* Parameter names as written in the locator: the KVP names of WMTS 1.0.0,
   which the RESTful segments and the XYZ path map onto. */
struct wmts_names {
	const char *layer;          /* "Layer" */
	const char *style;          /* "Style" */
	const char *format;         /* "Format" */
	const char *set;            /* "TileMatrixSet" */
	const char *matrix;         /* "TileMatrix" */
	const char *row;            /* "TileRow" */
	const char *col;            /* "TileCol" */
};

extern const struct wmts_names wmts_kvp_names;

/* A tile request, checked against the layer's limits. */
struct wmts_tile {
	struct layer_snapshot *snap;   /* reference; wmts_tile_clear drops it */
	const char *style;             /* a style of the layer, never NULL */
	const struct tms_set *set;
	int z;
	int64_t col;
	int64_t row;
	enum render_format format;
};

/* The text values of a tile request, as received. */
struct wmts_tile_text {
	const char *layer;
	const char *style;             /* NULL or "": the default style */
	const char *format;            /* a MIME type */
	const char *set;
	const char *matrix;
	const char *row;
	const char *col;
};

/*
 * Check a tile request: layer, style, format, set, matrix, row and column,
 * in that order. A matrix the layer is not served at, and a row or column
 * outside the layer's TileMatrixLimits, are TileOutOfRange. Returns 0 with
 * `out` filled, or -1 with `err` naming the parameter; call
 * wmts_tile_clear() in both cases.
 */
int wmts_tile_parse(struct http_request *req, const struct wmts_tile_text *text,
		    const struct wmts_names *names, struct wmts_tile *out,
		    struct wmts_error *err);
void wmts_tile_clear(struct wmts_tile *tile);

/* Whether `name` is a style of the layer ("" and NULL are: the default). */
bool wmts_style_exists(const struct layer_snapshot *snap, const char *name);

/* The style id a request names: the layer's first style for "" or NULL. */
const char *wmts_style_resolve(const struct layer_snapshot *snap,
			       const char *name);

/* Whether the layer offers `format` (PNG and 8-bit PNG for vector layers,
   PNG and JPEG for imagery). */
bool wmts_format_offered(const struct layer_snapshot *snap,
			 enum render_format format);

/*
 * Reply to a checked tile request: from the tile cache or rendered, with a
 * strong ETag and the tile Cache-Control, or 304 when `if_none_match`
 * matches the ETag.
 */
void wmts_tile_reply(struct http_request *req, struct http_response *res,
		     const struct wmts_tile *tile, const char *if_none_match);

/* Fill `res` with the OWS ExceptionReport of `err`. */
void wmts_reply_error(const struct http_request *req, struct http_response *res,
		      const struct wmts_error *err);

/* The exception code and HTTP status of an error. */
const char *wmts_error_code(const struct wmts_error *err);
int wmts_error_status(const struct wmts_error *err);

/* The Cache-Control value of tiles. */
const char *wmts_cache_control(const struct cfg *cfg);

/*
 * GetCapabilities, KVP (`kvp`) or RESTful. Both give the same document; the
 * KVP form also takes the OWS Common parameters AcceptVersions, Sections,
 * UpdateSequence and AcceptFormats.
 */
void wmts_get_capabilities(struct http_request *req, struct http_response *res,
			   bool kvp);

/*
 * GetFeatureInfo at pixel (i, j) of a checked tile, in `info_format`
 * (application/json, text/html, text/plain or application/vnd.ogc.gml).
 * A pixel outside the tile is PointIJOutOfRange with locator I or J.
 */
void wmts_get_feature_info(struct http_request *req, struct http_response *res,
			   const struct wmts_tile *tile, const char *i_text,
			   const char *j_text, const char *info_format);

#endif
