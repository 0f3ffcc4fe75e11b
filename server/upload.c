/*
 * Request bodies of admin POSTs: a publish streamed to a file under
 * <data_dir>/uploads with a size cap, anything else kept in memory up to
 * a small cap. See server/upload.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "layers/publish.h"
#include "server/http_util.h"
#include "server/upload.h"

struct http_upload {
	int fd;                 /* -1 when not streaming to a file */
	char *path;             /* the file, NULL once taken */
	long long bytes;        /* received */
	long long limit;        /* bytes allowed */
	bool to_disk;
	bool too_large;
	bool failed;
	char *memory;           /* small bodies */
	size_t mem_len;
};

static _Thread_local struct http_upload *upload_current;

/* Whether the request is a publish: POST /admin/layers/{id}/versions. */
static bool is_publish_path(const char *url)
{
	static const char prefix[] = "/admin/layers/";
	static const char suffix[] = "/versions";
	size_t n = strcspn(url, "?");
	size_t p = sizeof(prefix) - 1, s = sizeof(suffix) - 1;

	while (n > 0 && url[n - 1] == '/')
		n--;
	return n > p + s && strncmp(url, prefix, p) == 0 &&
	       strncmp(url + n - s, suffix, s) == 0 &&
	       memchr(url + p, '/', n - p - s) == NULL;
}

/* The role of the request's token, looked up before the body arrives. */
static bool may_publish(const struct cfg *cfg, struct MHD_Connection *conn)
{
	const char *header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 "Authorization");
	const char *token = NULL;
	const struct cfg_user *user;

	if (header != NULL && strncasecmp(header, "Bearer ", 7) == 0) {
		token = header + 7;
		while (*token == ' ')
			token++;
	} else if (header == NULL) {
		token = MHD_lookup_connection_value(conn,
						    MHD_GET_ARGUMENT_KIND,
						    "api_key");
	}
	user = token != NULL ? http_user_by_token(cfg, token) : NULL;
	return user != NULL && (user->role == CFG_ROLE_PUBLISHER ||
				user->role == CFG_ROLE_ADMIN);
}

/* Open a new file under <data_dir>/uploads. */
static int upload_open_file(struct http_upload *up, const char *data_dir)
{
	char dir[4096];
	size_t n;

	snprintf(dir, sizeof(dir), "%s/uploads", data_dir);
	if (layer_mkdirs(dir) != 0)
		return -1;
	n = strlen(dir) + 32;
	up->path = malloc(n);
	if (up->path == NULL)
		return -1;
	snprintf(up->path, n, "%s/up-XXXXXX", dir);
	up->fd = mkstemp(up->path);
	if (up->fd < 0) {
		free(up->path);
		up->path = NULL;
		return -1;
	}
	return 0;
}

/* Content-Length over the limit: refuse before the first byte. */
static bool declared_too_large(struct MHD_Connection *conn, long long limit)
{
	const char *text = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       "Content-Length");
	char *end = NULL;
	long long n;

	if (text == NULL)
		return false;
	errno = 0;
	n = strtoll(text, &end, 10);
	return errno == 0 && end != text && *end == '\0' && n > limit;
}

struct http_upload *http_upload_begin(struct server *srv,
				      struct MHD_Connection *conn,
				      const char *method, const char *url)
{
	struct http_upload *up;

	if (method == NULL || url == NULL || strcmp(method, "POST") != 0 ||
	    strncmp(url, "/admin", 6) != 0)
		return NULL;
	up = calloc(1, sizeof(*up));
	if (up == NULL)
		return NULL;
	up->fd = -1;
	up->limit = (long long)UPLOAD_MEMORY_MAX;
	if (!is_publish_path(url))
		return up;
	/* A caller without the role gets its 401 or 403 from the handler;
	   its body is dropped unread. */
	if (!may_publish(srv->cfg, conn))
		return up;
	up->limit = srv->cfg->limits.max_upload;
	up->to_disk = true;
	if (declared_too_large(conn, up->limit))
		up->too_large = true;
	else if (upload_open_file(up, srv->cfg->data_dir) != 0)
		up->failed = true;
	return up;
}

static void upload_drop_file(struct http_upload *up)
{
	if (up->fd >= 0)
		close(up->fd);
	up->fd = -1;
	if (up->path != NULL)
		unlink(up->path);
	free(up->path);
	up->path = NULL;
}

static void feed_disk(struct http_upload *up, const char *data, size_t size)
{
	while (size > 0 && up->fd >= 0) {
		ssize_t w = write(up->fd, data, size);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			up->failed = true;
			upload_drop_file(up);
			return;
		}
		data += w;
		size -= (size_t)w;
	}
}

void http_upload_feed(struct http_upload *up, const char *data, size_t size)
{
	if (up == NULL || size == 0)
		return;
	up->bytes += (long long)size;
	if (up->bytes > up->limit && !up->too_large) {
		up->too_large = true;
		upload_drop_file(up);
	}
	if (up->too_large || up->failed)
		return;
	if (up->to_disk) {
		feed_disk(up, data, size);
		return;
	}
	char *grown = realloc(up->memory, up->mem_len + size + 1);

	if (grown == NULL) {
		up->failed = true;
		return;
	}
	memcpy(grown + up->mem_len, data, size);
	up->mem_len += size;
	grown[up->mem_len] = '\0';
	up->memory = grown;
}

void http_upload_finish(struct http_upload *up)
{
	if (up == NULL || up->fd < 0)
		return;
	if (close(up->fd) != 0)
		up->failed = true;
	up->fd = -1;
}

void http_upload_free(struct http_upload *up)
{
	if (up == NULL)
		return;
	if (upload_current == up)
		upload_current = NULL;
	upload_drop_file(up);
	free(up->memory);
	free(up);
}

void http_upload_set_current(struct http_upload *up)
{
	upload_current = up;
}

struct http_upload *http_upload_current(void)
{
	return upload_current;
}

long long http_upload_bytes(const struct http_upload *up)
{
	return up != NULL ? up->bytes : 0;
}

bool http_upload_too_large(const struct http_upload *up)
{
	return up != NULL && up->too_large;
}

bool http_upload_failed(const struct http_upload *up)
{
	return up != NULL && up->failed;
}

char *http_upload_take_file(struct http_upload *up)
{
	char *path;

	if (up == NULL || up->path == NULL || up->too_large || up->failed)
		return NULL;
	http_upload_finish(up);
	path = up->path;
	up->path = NULL;
	return path;
}

const char *http_upload_memory(const struct http_upload *up, size_t *size)
{
	if (size != NULL)
		*size = up != NULL ? up->mem_len : 0;
	return up != NULL ? up->memory : NULL;
}
