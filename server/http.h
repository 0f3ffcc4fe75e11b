/*
 * server/http: the HTTP core that the OGC handlers run on.
 *
 * libmicrohttpd runs a thread pool. For each request the core builds a
 * struct http_request, routes it to one handler, and after the handler has
 * filled a struct http_response it adds CORS headers, compresses text with
 * gzip when the client accepts it, counts the request in /metrics and writes
 * one access-log line. Handlers never call libmicrohttpd themselves.
 */
#ifndef VNSDI_SERVER_HTTP_H
#define VNSDI_SERVER_HTTP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "layers/layers.h"

struct tilecache;

/* State shared by every request; immutable while the server runs, except
   for the registry's snapshots, which are swapped atomically. */
struct server {
	const struct cfg *cfg;
	struct layer_registry *layers;
	const struct restricted_set *restricted;
	struct metrics *metrics;
	struct tilecache *tiles;          /* tile cache, NULL: tiles uncached */
};

struct http_param {
	char *name;            /* as sent, percent-decoded */
	char *value;
};

struct http_request {
	struct server *srv;
	const char *method;    /* "GET", "POST", "OPTIONS", ... */
	const char *path;      /* percent-decoded path, without the query */
	const char *raw_url;   /* the request target as received */
	struct http_param *params;
	size_t n_params;
	const char *lang;      /* "vi" (default) or "en", from Accept-Language
				  or a lang= parameter */
	enum cfg_role role;    /* from Authorization: Bearer or api_key */
	const char *user;      /* user name, NULL for anonymous */
	const char *base_url;  /* "http://host:port" for links, no slash */
	void *connection;      /* the MHD connection, for the core only */
};

/* Extra response header. */
struct http_header {
	char *name;
	char *value;
};

/*
 * A streamed body: `read` fills up to `max` bytes at `buf` and returns the
 * count, 0 at the end, or -1 on error. `free` releases `arg`.
 */
struct http_stream {
	ssize_t (*read)(void *arg, char *buf, size_t max);
	void (*free)(void *arg);
	void *arg;
};

#define HTTP_MAX_HEADERS 16

struct http_response {
	int status;
	const char *content_type; /* static string */
	char *body;               /* malloc'ed, owned by the response */
	size_t size;
	struct http_stream stream; /* used instead of body when read != NULL */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t n_headers;
	const char *endpoint;     /* label for /metrics, static string */
};

/* Value of a query parameter, exact name (OGC API) or NULL. */
const char *http_param(const struct http_request *req, const char *name);

/* Value of a query parameter, name compared without case (WMS, WMTS KVP). */
const char *http_param_ci(const struct http_request *req, const char *name);

/* Value of a request header, name compared without case, or NULL. */
const char *http_header(const struct http_request *req, const char *name);

/* Set status, type and a malloc'ed body that the response takes over. */
void http_response_take(struct http_response *res, int status,
			const char *content_type, char *body, size_t size);

/* Set status, type and a copy of `size` bytes of `body`. */
void http_response_copy(struct http_response *res, int status,
			const char *content_type, const void *body,
			size_t size);

/* Set status, type and a printf-formatted body. */
void http_response_printf(struct http_response *res, int status,
			  const char *content_type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Add a header (copied). Extra headers beyond HTTP_MAX_HEADERS are dropped
   with a log line. */
void http_response_header(struct http_response *res, const char *name,
			  const char *value);

/*
 * A growable buffer with a cap set at creation. Appends past the cap fail
 * and set `overflow`, so a response can never grow without bound.
 */
struct strbuf {
	char *data;
	size_t len;
	size_t cap;        /* allocated */
	size_t max;        /* cap on len */
	bool overflow;
};

void strbuf_init(struct strbuf *sb, size_t max);
int strbuf_append(struct strbuf *sb, const char *s, size_t n);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append text escaped for XML/HTML content and attributes. */
int strbuf_xml(struct strbuf *sb, const char *s);
/* Hand the data over (NUL-terminated) and reset the buffer. */
char *strbuf_take(struct strbuf *sb, size_t *len);
void strbuf_free(struct strbuf *sb);

/*
 * Append `s` percent-encoded for a URL query component: unreserved
 * characters (RFC 3986) and ',' ':' '/' stay as they are.
 */
int strbuf_urlencode(struct strbuf *sb, const char *s);

/*
 * Write one line to the server log (stderr) with a UTC time stamp. The line
 * is written in one call, so lines of concurrent threads do not mix.
 */
void http_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Start the server; blocks until SIGTERM or SIGINT. Returns exit status. */
int http_serve(struct server *srv, const char *host, int port);

#endif
