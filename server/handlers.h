/*
 * server/handlers: the protocol handlers the HTTP core routes to, and the
 * request error they share.
 *
 * A handler reads a struct http_request and fills a struct http_response,
 * body and status included, before returning. It decides the status before
 * it writes anything, so an error never follows partial output.
 */
#ifndef VNSDI_SERVER_HANDLERS_H
#define VNSDI_SERVER_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "server/http.h"

/* What went wrong with a request. Mapped to an HTTP status by
   req_error_status() and to an OGC exception code by each protocol. */
enum req_error_kind {
	REQ_OK = 0,
	REQ_MISSING_PARAMETER,   /* 400 MissingParameterValue */
	REQ_INVALID_PARAMETER,   /* 400 InvalidParameterValue */
	REQ_INVALID_CRS,         /* 400 InvalidCRS / InvalidSRS */
	REQ_INVALID_FORMAT,      /* 400 InvalidFormat */
	REQ_LAYER_NOT_DEFINED,   /* 400 LayerNotDefined (404 in OGC API) */
	REQ_STYLE_NOT_DEFINED,   /* 400 StyleNotDefined */
	REQ_OPERATION_NOT_SUPPORTED, /* 400 OperationNotSupported */
	REQ_CURRENT_UPDATE_SEQUENCE, /* 400 CurrentUpdateSequence (WMS) */
	REQ_INVALID_UPDATE_SEQUENCE, /* 400 InvalidUpdateSequence */
	REQ_NOT_FOUND,           /* 404 */
	REQ_METHOD_NOT_ALLOWED,  /* 405 */
	REQ_UNAUTHORIZED,        /* 401 */
	REQ_FORBIDDEN,           /* 403 */
	REQ_NOT_ACCEPTABLE,      /* 406 */
	REQ_TOO_LARGE,           /* 413 */
	REQ_TOO_MANY_REQUESTS,   /* 429 */
	REQ_UNAVAILABLE,         /* 503: a layer could not be read */
	REQ_INTERNAL             /* 500: a bug; logged, never with details */
};

struct req_error {
	enum req_error_kind kind;
	char parameter[64];      /* the parameter at fault, "" when none */
	char message[512];       /* in the request's language, value included */
};

/*
 * Record an error. The message is printf-formatted; values from the request
 * must go through req_value() so they are escaped and cut to 64 bytes.
 * Returns -1 so a caller can write `return req_error_set(...)`.
 */
int req_error_set(struct req_error *err, enum req_error_kind kind,
		  const char *parameter, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The render_clock() time by which a request's drawing must end:
 * limits.request_timeout seconds from now (30 when the config sets none).
 */
double request_deadline(const struct cfg *cfg);

/* The HTTP status of an error kind. */
int req_error_status(enum req_error_kind kind);

/*
 * Copy a request value for a message: control characters become '?', and
 * the value is cut to 64 bytes on a UTF-8 boundary with "..." appended.
 * Returns `buf`.
 */
const char *req_value(const char *value, char *buf, size_t size);

/* Pick the request's language: Vietnamese by default, English on request. */
static inline const char *i18n_pick(const struct http_request *req,
				    const char *vi, const char *en)
{
	return (req->lang != NULL && strcmp(req->lang, "en") == 0) ? en : vi;
}

/*
 * Strict number parsing: the whole text must be one number in range, with no
 * leading or trailing junk and no NaN or infinity. Return 0 or -1.
 */
int parse_double(const char *text, double *out);
int parse_long(const char *text, long min, long max, long *out);

/*
 * Parse a box "minx,miny,maxx,maxy" into out in the order given. With
 * allow_3d, "minx,miny,minz,maxx,maxy,maxz" is accepted too and the heights
 * are dropped (OGC API bbox). Checks that every value is a finite number and
 * that min < max on both axes. On failure returns -1 and fills `err` naming
 * the parameter and the value, with the count expected and received.
 */
int parse_bbox(const char *text, const char *parameter, bool allow_3d,
	       double out[4], const struct http_request *req,
	       struct req_error *err);

/*
 * Check a box in a geographic CRS, given as lon,lat whatever the CRS's axis
 * order: a latitude outside [-90, 90] or a longitude outside [-360, 360]
 * usually means the client swapped the axes. On failure returns -1 and
 * fills `err` naming the parameter and the value, and stating the axis
 * order "`crs_name` in `context` is ..." (`lat_first`) expected there.
 */
int check_geographic_bbox(const struct http_request *req,
			  const char *parameter, const char *text,
			  const double lonlat[4], const char *crs_name,
			  const char *context_vi, const char *context_en,
			  bool lat_first, struct req_error *err);

/* Result of comparing a GetCapabilities update sequence with the server's. */
enum update_sequence_match {
	UPDATE_SEQUENCE_OLDER,    /* absent or lower: send the document */
	UPDATE_SEQUENCE_CURRENT,  /* equal: the client's copy is current */
	UPDATE_SEQUENCE_INVALID   /* higher, or not a sequence number */
};

/*
 * Compare the update sequence a client sent in `parameter` (NULL when
 * absent) with the server's `current` one (see
 * layer_registry_update_sequence). For CURRENT and INVALID, `err` is
 * filled with REQ_CURRENT_UPDATE_SEQUENCE or REQ_INVALID_UPDATE_SEQUENCE,
 * naming the parameter and both values.
 */
enum update_sequence_match update_sequence_check(
	const struct http_request *req, const char *parameter,
	const char *requested, int64_t current, struct req_error *err);

/*
 * Copy into `buf` the half of a "Vietnamese / English" message of the
 * layers module (see layers.h) in the request's language, and return
 * `buf`. Text without the " / " separator is copied whole.
 */
const char *i18n_pick_pair(const struct http_request *req, const char *pair,
			   char *buf, size_t size);

/*
 * Fill `res` with an RFC 7807 problem document (application/problem+json):
 * type, title in the request's language, status, detail (err->message) and
 * parameter when err->parameter is set. LayerNotDefined becomes 404 here.
 */
void http_problem_reply(const struct http_request *req,
			struct http_response *res, const struct req_error *err);

/*
 * Fill `res` with an OGC exception report: a WMS 1.3.0
 * ServiceExceptionReport (text/xml) when `ows` is false, an OWS 1.1
 * ExceptionReport (application/xml, WMTS and tiles) when it is true. The
 * code comes from err->kind and the locator from err->parameter.
 */
void http_exception_reply(const struct http_request *req,
			  struct http_response *res,
			  const struct req_error *err, bool ows);

/* OGC API - Features: /, /conformance, /api, /collections... */
void ogcapi_handle(struct http_request *req, struct http_response *res);

/* WMS 1.1.1 and 1.3.0 at /wms. */
void wms_handle(struct http_request *req, struct http_response *res);

#endif
