/*
 * server/upload: request bodies of POST /admin/... requests, received by
 * the HTTP core before the handler runs.
 *
 * A publish (POST /admin/layers/{id}/versions) from a caller whose token
 * has the publisher or admin role is streamed to a file under
 * <data_dir>/uploads, never held in memory; past limits.max_upload the
 * rest is read and dropped and the handler answers 413. Any other admin
 * POST body is kept in memory up to UPLOAD_MEMORY_MAX bytes. Bodies of
 * callers without the role are dropped unread, so an anonymous client
 * cannot fill the disk.
 *
 * Threads: one upload belongs to one request. The core makes it the
 * calling thread's current upload while the handler runs
 * (http_upload_current), because the handler interface has no body field.
 */
#ifndef VNSDI_SERVER_UPLOAD_H
#define VNSDI_SERVER_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "server/http.h"

/* Largest admin body kept in memory (JSON of a rollback). */
#define UPLOAD_MEMORY_MAX ((size_t)64 * 1024)

struct http_upload;
struct MHD_Connection;

/*
 * Start receiving the body of a request, or return NULL when the request
 * is not an admin POST. `url` is the request path.
 */
struct http_upload *http_upload_begin(struct server *srv,
				      struct MHD_Connection *conn,
				      const char *method, const char *url);

/* Take one chunk of the body. Never fails: problems are recorded. */
void http_upload_feed(struct http_upload *up, const char *data, size_t size);

/* The body is complete: close the file. Accepts NULL. */
void http_upload_finish(struct http_upload *up);

/* Remove what is left of the upload (the file unless taken) and free it.
   Accepts NULL. */
void http_upload_free(struct http_upload *up);

/* The calling thread's upload while its handler runs (may be NULL). */
void http_upload_set_current(struct http_upload *up);
struct http_upload *http_upload_current(void);

/* Bytes received (all of them, also past the limit). */
long long http_upload_bytes(const struct http_upload *up);

/* Whether the body went past limits.max_upload (or UPLOAD_MEMORY_MAX). */
bool http_upload_too_large(const struct http_upload *up);

/* Whether writing the body to disk failed. */
bool http_upload_failed(const struct http_upload *up);

/*
 * Take over the file of a streamed body: returns its path (a new string
 * the caller frees and whose file the caller now removes), or NULL when
 * the body was not stored.
 */
char *http_upload_take_file(struct http_upload *up);

/* A body kept in memory, NUL-terminated, or NULL; `size` may be NULL. */
const char *http_upload_memory(const struct http_upload *up, size_t *size);

#endif
