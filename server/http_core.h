/*
 * server/http_core: the split between the libmicrohttpd glue (http.c) and
 * the routing of one request (http_route.c). Internal to the HTTP core.
 */
#ifndef VNSDI_SERVER_HTTP_CORE_H
#define VNSDI_SERVER_HTTP_CORE_H

#include <stdbool.h>

#include <microhttpd.h>

#include "server/http.h"

/* What the glue needs, besides the response, to finish a request. */
struct http_outcome {
	const char *cors_origin;  /* Access-Control-Allow-Origin value or
				     NULL; borrowed from the config or the
				     connection's headers */
	bool preflight;           /* add the preflight headers */
	bool gzip_allowed;        /* client accepts gzip */
	const char *lang;         /* static "vi" or "en" */
	const char *allow;        /* Allow header for 405 responses, or NULL */
	const char *authenticate; /* WWW-Authenticate for 401, or NULL */
};

/*
 * Build the request, route it to a handler and fill `res`. `res` must be
 * zeroed; the caller releases it with http_response_clear().
 */
void http_dispatch(struct server *srv, struct MHD_Connection *conn,
		   const char *method, const char *raw_url,
		   struct http_response *res, struct http_outcome *out);

/* Free the body, stream and headers of a response. */
void http_response_clear(struct http_response *res);

#endif
