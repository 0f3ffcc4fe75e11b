/*
 * server/http_util: the pure functions of the HTTP core (no libmicrohttpd,
 * no global state), kept apart so unit tests can call them directly.
 */
#ifndef VNSDI_SERVER_HTTP_UTIL_H
#define VNSDI_SERVER_HTTP_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* Reason a request path is rejected. */
enum http_path_problem {
	HTTP_PATH_OK,
	HTTP_PATH_NOT_ABSOLUTE,   /* does not start with "/" */
	HTTP_PATH_BAD_ESCAPE,     /* "%" not followed by two hex digits */
	HTTP_PATH_NUL,            /* "%00" anywhere in the target */
	HTTP_PATH_CONTROL,        /* a control character, raw or encoded */
	HTTP_PATH_TOO_LONG,
	HTTP_PATH_DOT_DOT,        /* ".." in the decoded path */
	HTTP_PATH_DOT_SEGMENT,    /* a "." segment */
	HTTP_PATH_ENCODED_DOT     /* "%2e" left after decoding: double encoding */
};

/*
 * Decode the path part of a request target (everything before '?') into
 * `out` and check that it is safe to route; a "%" without two hex digits
 * in the query is a problem too. Returns HTTP_PATH_OK or the first problem
 * found; `out` is then not usable.
 */
enum http_path_problem http_path_check(const char *raw_target, char *out,
				       size_t out_size);

/* A static phrase describing a path problem, in Vietnamese or English. */
const char *http_path_problem_text(enum http_path_problem problem,
				   bool english);

/*
 * Pick the response language: `lang_param` when it is "vi" or "en", else the
 * Accept-Language header with q-values (English only when the client
 * prefers it to Vietnamese), else "vi". Returns a static string.
 */
const char *http_lang_pick(const char *lang_param, const char *accept_language);

/* Whether an Accept-Encoding header allows gzip (q > 0, or "*" with q > 0
   when gzip is not listed). NULL allows nothing. */
bool http_accepts_gzip(const char *accept_encoding);

/*
 * The q-value an Accept header gives a media type ("application/json"),
 * taken from the most specific range that matches it: the type itself,
 * then the type's major range ("application" + "/" + "*"), then the full
 * wildcard range. Parameters of the ranges are ignored.
 * A missing or empty header accepts everything (1.0); no match gives 0.
 */
double http_accept_quality(const char *accept, const char *type);

/* Whether responses of this Content-Type are text worth compressing. */
bool http_type_compressible(const char *content_type);

struct http_stream;

/*
 * Wrap a streamed body so that it reads gzip-compressed, in constant memory.
 * The wrapper takes over the original stream. Returns 0, or -1 with the
 * stream unchanged.
 */
int http_gzip_stream(struct http_stream *stream);

/* Smallest body the core compresses, in bytes. */
#define HTTP_GZIP_MIN_SIZE 512

/*
 * Compress `size` bytes with gzip framing. Returns 0 and a malloc'ed buffer
 * in *out (caller frees) with its size in *out_size, or -1.
 */
int http_gzip(const void *data, size_t size, void **out, size_t *out_size);

/*
 * Decide the Access-Control-Allow-Origin value for a request Origin.
 * Returns "*" when the config allows any origin, `origin` itself when it is
 * listed, and NULL when the origin is absent or not allowed.
 */
const char *http_cors_origin(const struct cfg *cfg, const char *origin);

/* Write the lowercase hex SHA-256 of `text` into `hex` (65 bytes). */
void http_sha256_hex(const char *text, char hex[65]);

/* Value of one hexadecimal digit, or -1 when c is not one. */
int http_hex_value(char c);

/*
 * Find the user whose token hashes to a configured token_sha256. Returns the
 * user (borrowed from the config) or NULL.
 */
const struct cfg_user *http_user_by_token(const struct cfg *cfg,
					  const char *token);

/*
 * Whether a Host header value is safe to put in links: host name or
 * address characters and an optional port, at most 255 bytes.
 */
bool http_host_valid(const char *host);

#endif
