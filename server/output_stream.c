/*
 * Streamed bodies: a list of features written a chunk at a time, and an
 * open file sent as it is read. Memory stays bounded by one chunk whatever
 * the number of features.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/output.h"

/* Features are written until a chunk holds at least this many bytes. */
#define STREAM_CHUNK (64u * 1024u)
/* Cap on one chunk: a single feature larger than this fails the stream. */
#define STREAM_CHUNK_MAX (256u << 20)

struct items_stream {
	struct output_items items;
	size_t next;            /* next feature to write */
	int stage;              /* 0 head, 1 features, 2 tail, 3 done */
	struct strbuf chunk;
	size_t pos;             /* bytes of chunk already sent */
};

static void items_fill(struct items_stream *st)
{
	st->chunk.len = 0;
	st->pos = 0;
	if (st->stage == 0) {
		strbuf_puts(&st->chunk, st->items.head != NULL ?
			    st->items.head : "");
		st->stage = 1;
	}
	while (st->stage == 1 && st->chunk.len < STREAM_CHUNK &&
	       !st->chunk.overflow) {
		if (st->next == st->items.count) {
			st->stage = 2;
			break;
		}
		st->items.write(&st->chunk, st->items.features[st->next],
				st->next, st->items.arg);
		st->next++;
	}
	if (st->stage == 2 && st->chunk.len < STREAM_CHUNK) {
		strbuf_puts(&st->chunk, st->items.tail != NULL ?
			    st->items.tail : "");
		st->stage = 3;
	}
}

static ssize_t items_read(void *arg, char *buf, size_t max)
{
	struct items_stream *st = arg;
	size_t n;

	if (st->pos == st->chunk.len) {
		if (st->stage == 3)
			return 0;
		items_fill(st);
		if (st->chunk.overflow)
			return -1;
		if (st->chunk.len == 0)
			return st->stage == 3 ? 0 : -1;
	}
	n = st->chunk.len - st->pos;
	if (n > max)
		n = max;
	memcpy(buf, st->chunk.data + st->pos, n);
	st->pos += n;
	return (ssize_t)n;
}

static void items_clear(struct output_items *items)
{
	if (items->arg_free != NULL)
		items->arg_free(items->arg);
	free(items->features);
	free(items->head);
	free(items->tail);
	layer_snapshot_release(items->snap);
	memset(items, 0, sizeof(*items));
}

static void items_free(void *arg)
{
	struct items_stream *st = arg;

	items_clear(&st->items);
	strbuf_free(&st->chunk);
	free(st);
}

int output_stream_items(struct http_response *res, int status,
			const char *content_type, struct output_items *items)
{
	struct items_stream *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		items_clear(items);
		return -1;
	}
	st->items = *items;
	memset(items, 0, sizeof(*items));
	strbuf_init(&st->chunk, STREAM_CHUNK_MAX);
	http_response_take(res, status, content_type, NULL, 0);
	res->stream.read = items_read;
	res->stream.free = items_free;
	res->stream.arg = st;
	return 0;
}

static ssize_t fd_read(void *arg, char *buf, size_t max)
{
	int fd = (int)(intptr_t)arg;
	ssize_t n;

	do {
		n = read(fd, buf, max);
	} while (n < 0 && errno == EINTR);
	return n;
}

static void fd_free(void *arg)
{
	close((int)(intptr_t)arg);
}

void output_stream_fd(struct http_response *res, int status,
		      const char *content_type, int fd)
{
	http_response_take(res, status, content_type, NULL, 0);
	res->stream.read = fd_read;
	res->stream.free = fd_free;
	res->stream.arg = (void *)(intptr_t)fd;
}
