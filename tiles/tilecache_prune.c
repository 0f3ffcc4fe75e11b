/*
 * The size limit of the tile cache: a background thread that, when the
 * tiles on disk exceed the limit, deletes the least recently used ones
 * until they take at most nine tenths of it.
 *
 * "Recently used" is the file's modification time: a tile is written when
 * drawn, and tile_read() touches a tile it serves when its time is more than
 * an hour old, so a hit costs no write in the common case. Deleting a tile
 * only makes the next request for it a miss, so readers need no lock: a
 * reader that has the file open keeps reading it.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tiles/tilecache_internal.h"

/* Open file descriptors nftw() may use. */
#define PRUNE_FTW_FDS 16

struct prune_file {
	struct timespec mtime;
	off_t size;
	char *path;
};

struct prune_scan {
	struct prune_file *files;
	size_t n, cap;
	uint64_t total;
	bool failed;                /* out of memory: delete nothing */
};

/* nftw() has no user pointer: the scan of the calling thread. */
static _Thread_local struct prune_scan *current_scan;

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Tile files end in .png (and .8.png) or .jpg; digests, change logs and
   temporary files are left alone. */
static bool is_tile_file(const char *path)
{
	return ends_with(path, ".png") || ends_with(path, ".jpg");
}

static int scan_entry(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	struct prune_scan *scan = current_scan;

	(void)ftw;
	if (type != FTW_F || !is_tile_file(path))
		return 0;
	if (scan->n == scan->cap) {
		size_t cap = scan->cap > 0 ? scan->cap * 2 : 1024;
		struct prune_file *grown =
			realloc(scan->files, cap * sizeof(*grown));

		if (grown == NULL) {
			scan->failed = true;
			return 1;
		}
		scan->files = grown;
		scan->cap = cap;
	}
	scan->files[scan->n].path = strdup(path);
	if (scan->files[scan->n].path == NULL) {
		scan->failed = true;
		return 1;
	}
	scan->files[scan->n].mtime = st->st_mtim;
	scan->files[scan->n].size = st->st_size;
	scan->n++;
	scan->total += (uint64_t)st->st_size;
	return 0;
}

static int oldest_first(const void *a, const void *b)
{
	const struct timespec *x = &((const struct prune_file *)a)->mtime;
	const struct timespec *y = &((const struct prune_file *)b)->mtime;

	if (x->tv_sec != y->tv_sec)
		return (x->tv_sec > y->tv_sec) - (x->tv_sec < y->tv_sec);
	return (x->tv_nsec > y->tv_nsec) - (x->tv_nsec < y->tv_nsec);
}

int tilecache_prune(const char *root, uint64_t max_bytes,
		    struct tilecache_prune_result *out)
{
	struct prune_scan scan = {0};
	uint64_t target = max_bytes / 10 * 9;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	current_scan = &scan;
	if (nftw(root, scan_entry, PRUNE_FTW_FDS, FTW_PHYS) != 0 &&
	    (scan.failed || errno != ENOENT))
		goto done;
	out->bytes_before = scan.total;
	if (scan.total > max_bytes) {
		qsort(scan.files, scan.n, sizeof(*scan.files), oldest_first);
		for (size_t i = 0; i < scan.n && scan.total > target; i++) {
			if (unlink(scan.files[i].path) != 0)
				continue;
			scan.total -= (uint64_t)scan.files[i].size;
			out->deleted++;
		}
	}
	out->bytes_after = scan.total;
	rc = 0;
done:
	current_scan = NULL;
	for (size_t i = 0; i < scan.n; i++)
		free(scan.files[i].path);
	free(scan.files);
	return rc;
}

static void *prune_thread(void *arg)
{
	struct tilecache_pruner *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct tilecache_prune_result result;

		while (!p->stop && !p->scan_due)
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stop)
			break;
		p->scan_due = false;
		pthread_mutex_unlock(&p->lock);

		if (tilecache_prune(p->root, p->max_bytes, &result) != 0)
			fprintf(stderr, "tilecache: could not scan %s to keep "
				"it under %llu MiB: %s\n", p->root,
				(unsigned long long)(p->max_bytes >> 20),
				strerror(errno));
		else if (result.deleted > 0)
			fprintf(stderr, "tilecache: deleted %zu least recently "
				"used tiles (%.1f MiB to %.1f MiB) to stay under "
				"%llu MiB\n", result.deleted,
				result.bytes_before / 1048576.0,
				result.bytes_after / 1048576.0,
				(unsigned long long)(p->max_bytes >> 20));

		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int tilecache_pruner_start(struct tilecache_pruner *p, const char *root,
			   uint64_t max_bytes)
{
	memset(p, 0, sizeof(*p));
	p->root = root;
	p->max_bytes = max_bytes;
	/* A first scan at start finds what earlier runs left. */
	p->scan_due = true;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, prune_thread, p) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	p->running = true;
	return 0;
}

void tilecache_pruner_written(struct tilecache_pruner *p, size_t bytes)
{
	if (!p->running)
		return;
	/* A scan is due once a tenth of the limit has been written since
	   the last one. */
	if (atomic_fetch_add(&p->written, bytes) + bytes < p->max_bytes / 10)
		return;
	atomic_store(&p->written, 0);
	pthread_mutex_lock(&p->lock);
	p->scan_due = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void tilecache_pruner_stop(struct tilecache_pruner *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	p->running = false;
}
