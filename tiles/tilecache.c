/*
 * The tile cache on disk: paths, the tile file format, fetch-or-render and
 * ETags. The validity rule lives in tilecache_digest.c.
 *
 * A tile file is a 32-byte header, then the image:
 *   "VNSDITL1", layer version (int64), data fingerprint (uint64),
 *   image hash (uint64, the ETag)
 * in the machine's byte order; the cache is local to one machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tiles/tilecache_internal.h"

/* Bump when the renderer changes how tiles look: every stored tile of an
   older renderer then misses. */
#define TILECACHE_RENDER_VERSION 1

/* Largest tile file read back; a 256 × 256 RGBA PNG stays far below. */
#define TILECACHE_MAX_FILE (4u * 1024u * 1024u)

/* Most layers one cache tracks. */
#define TILECACHE_MAX_LAYERS 1024

static const char tile_magic[8] = {'V', 'N', 'S', 'D', 'I', 'T', 'L', '1'};

struct tile_header {
	char magic[8];
	int64_t version;
	uint64_t fingerprint;
	uint64_t image_hash;
};

struct tilecache {
	char *root;
	struct tilecache_pruner pruner;
	pthread_mutex_t lock;      /* guards layers[] */
	struct layer_state *layers[TILECACHE_MAX_LAYERS];
	size_t n_layers;
};

struct tilecache *tilecache_open(const char *data_dir, uint64_t max_bytes)
{
	struct tilecache *cache;
	size_t n;

	if (data_dir == NULL)
		return NULL;
	cache = calloc(1, sizeof(*cache));
	if (cache == NULL)
		return NULL;
	n = strlen(data_dir) + sizeof("/tilecache");
	cache->root = malloc(n);
	if (cache->root == NULL) {
		free(cache);
		return NULL;
	}
	snprintf(cache->root, n, "%s/tilecache", data_dir);
	if (layer_mkdirs(cache->root) != 0) {
		fprintf(stderr, "tilecache: cannot create %s: %s; tiles are "
			"served without a cache\n", cache->root,
			strerror(errno));
		free(cache->root);
		free(cache);
		return NULL;
	}
	pthread_mutex_init(&cache->lock, NULL);
	if (max_bytes > 0 &&
	    tilecache_pruner_start(&cache->pruner, cache->root, max_bytes) != 0)
		fprintf(stderr, "tilecache: cannot start the thread that keeps "
			"%s under %llu MiB; the cache may grow past it\n",
			cache->root, (unsigned long long)(max_bytes >> 20));
	return cache;
}

void tilecache_close(struct tilecache *cache)
{
	if (cache == NULL)
		return;
	tilecache_pruner_stop(&cache->pruner);
	for (size_t i = 0; i < cache->n_layers; i++)
		tilecache_state_free(cache->layers[i]);
	pthread_mutex_destroy(&cache->lock);
	free(cache->root);
	free(cache);
}

/* ---- the process-wide cache ---- */

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tilecache *shared_cache;
static char *shared_dir;
static bool shared_failed;

struct tilecache *tilecache_shared(const struct cfg *cfg)
{
	struct tilecache *cache;

	if (cfg == NULL || cfg->data_dir == NULL)
		return NULL;
	pthread_mutex_lock(&shared_lock);
	if (shared_dir != NULL && strcmp(shared_dir, cfg->data_dir) != 0) {
		/* A new config with another data_dir. NOTE: requests still
		   using the old cache must have finished; the server swaps
		   configs only at start today. */
		tilecache_close(shared_cache);
		free(shared_dir);
		shared_cache = NULL;
		shared_dir = NULL;
		shared_failed = false;
	}
	if (shared_cache == NULL && !shared_failed) {
		shared_cache = tilecache_open(cfg->data_dir,
					      (uint64_t)cfg->tiles_cache_max_mb
					      << 20);
		shared_dir = strdup(cfg->data_dir);
		shared_failed = shared_cache == NULL;
	}
	cache = shared_cache;
	pthread_mutex_unlock(&shared_lock);
	return cache;
}

void tilecache_shared_close(void)
{
	pthread_mutex_lock(&shared_lock);
	tilecache_close(shared_cache);
	free(shared_dir);
	shared_cache = NULL;
	shared_dir = NULL;
	shared_failed = false;
	pthread_mutex_unlock(&shared_lock);
}

/* ---- names ---- */

/* Copy a name for use as one path component: letters, digits, '-', '_'
   and '.' kept (but not a leading '.'), anything else becomes '_'. */
static void name_component(const char *name, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = name; *p != '\0' && n + 1 < size; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			  (c == '.' && n > 0);

		out[n++] = ok ? c : '_';
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, size, "_");
}

static uint64_t hash_string(uint64_t h, const char *s)
{
	return s != NULL ? tilecache_hash(h, s, strlen(s) + 1)
			 : tilecache_hash(h, "", 1);
}

/* Hash of every setting of the style that a tile depends on. */
static uint64_t style_hash(const struct layer_snapshot *snap,
			   const char *name, const char **resolved)
{
	const struct cfg_layer *layer = snap->cfg;
	const struct cfg_style *style = NULL;
	uint64_t h = 0xcbf29ce484222325ULL;
	int version = TILECACHE_RENDER_VERSION;

	h = tilecache_hash(h, &version, sizeof(version));
	if (layer != NULL && layer->n_styles > 0) {
		style = &layer->styles[0];
		for (size_t i = 0; name != NULL && name[0] != '\0' &&
				   i < layer->n_styles; i++)
			if (strcmp(layer->styles[i].name, name) == 0)
				style = &layer->styles[i];
	}
	*resolved = style != NULL ? style->name : "default";
	if (style == NULL)
		return h;
	h = hash_string(h, style->name);
	h = hash_string(h, style->fill_by);
	h = hash_string(h, style->label);
	h = hash_string(h, style->label_area);
	h = tilecache_hash(h, &style->fill, sizeof(style->fill));
	h = tilecache_hash(h, &style->stroke, sizeof(style->stroke));
	h = tilecache_hash(h, &style->stroke_width, sizeof(double));
	h = tilecache_hash(h, &style->point_radius, sizeof(double));
	return h;
}

static const char *format_extension(enum render_format format)
{
	switch (format) {
	case RENDER_PNG8:
		return "8.png";
	case RENDER_JPEG:
		return "jpg";
	case RENDER_PNG:
	default:
		return "png";
	}
}

static int tile_path(const struct tilecache *cache,
		     const struct layer_snapshot *snap,
		     const struct tilecache_key *key, char *out, size_t size)
{
	char layer[128], style[128];
	const char *style_name = NULL;
	uint64_t sh = style_hash(snap, key->style, &style_name);
	int n;

	name_component(snap->cfg->id, layer, sizeof(layer));
	name_component(style_name, style, sizeof(style));
	n = snprintf(out, size,
		     "%s/%s/%s-%08" PRIx32 "/%s/%d/%" PRId64 "/%" PRId64 ".%s",
		     cache->root, layer, style, (uint32_t)(sh ^ (sh >> 32)),
		     key->set->id, key->z, key->col, key->row,
		     format_extension(key->format));
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* ---- layers ---- */

static struct layer_state *state_get(struct tilecache *cache, const char *id)
{
	struct layer_state *state = NULL;
	char component[128];
	size_t n;

	pthread_mutex_lock(&cache->lock);
	for (size_t i = 0; i < cache->n_layers; i++)
		if (strcmp(cache->layers[i]->id, id) == 0) {
			state = cache->layers[i];
			goto done;
		}
	if (cache->n_layers == TILECACHE_MAX_LAYERS)
		goto done;
	state = calloc(1, sizeof(*state));
	if (state == NULL)
		goto done;
	name_component(id, component, sizeof(component));
	n = strlen(cache->root) + strlen(component) + 2;
	state->id = strdup(id);
	state->dir = malloc(n);
	if (state->id == NULL || state->dir == NULL) {
		free(state->id);
		free(state->dir);
		free(state);
		state = NULL;
		goto done;
	}
	snprintf(state->dir, n, "%s/%s", cache->root, component);
	pthread_mutex_init(&state->lock, NULL);
	tilecache_state_load(state);
	cache->layers[cache->n_layers++] = state;
done:
	pthread_mutex_unlock(&cache->lock);
	return state;
}

/* ---- tile files ---- */

/* Read a tile file. Returns 0 with the header and a malloc'ed image, or
   -1 when missing or damaged. */
static int tile_read(const char *path, struct tile_header *head,
		     unsigned char **data, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *buf = NULL;
	size_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(*head) ||
	    st.st_size > (off_t)TILECACHE_MAX_FILE)
		goto fail;
	n = (size_t)st.st_size - sizeof(*head);
	buf = malloc(n > 0 ? n : 1);
	if (buf == NULL ||
	    pread(fd, head, sizeof(*head), 0) != (ssize_t)sizeof(*head) ||
	    memcmp(head->magic, tile_magic, 8) != 0 ||
	    pread(fd, buf, n, sizeof(*head)) != (ssize_t)n)
		goto fail;
	/* Mark the tile as used for the size limit, at most once an hour
	   so that a hit rarely writes. */
	if (st.st_mtime < time(NULL) - 3600)
		futimens(fd, NULL);
	close(fd);
	*data = buf;
	*size = n;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

/* Read only the header (for tilecache_has). */
static int tile_read_header(const char *path, struct tile_header *head)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, head, sizeof(*head), 0);
	close(fd);
	return n == (ssize_t)sizeof(*head) &&
	       memcmp(head->magic, tile_magic, 8) == 0 ? 0 : -1;
}

/* Write a tile through a temporary file and rename(), so that readers
   see the old file or the new one, never a part. */
static int tile_write(const char *path, const struct tile_header *head,
		      const unsigned char *data, size_t size)
{
	char tmp[4200], dir[4096];
	const char *slash = strrchr(path, '/');
	static _Atomic unsigned long counter;
	int fd;
	bool ok;

	if (slash == NULL || (size_t)(slash - path) >= sizeof(dir))
		return -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (layer_mkdirs(dir) != 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%ld-%lu.tmp", path, (long)getpid(),
		 counter++);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ok = write(fd, head, sizeof(*head)) == (ssize_t)sizeof(*head) &&
	     write(fd, data, size) == (ssize_t)size;
	ok = close(fd) == 0 && ok;
	if (ok && rename(tmp, path) == 0)
		return 0;
	unlink(tmp);
	return -1;
}

/* Stamp a tile that a change left valid with the current version and
   fingerprint, so later requests take the fast path. */
static void tile_restamp(const char *path, int64_t version,
			 uint64_t fingerprint)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	struct {
		int64_t version;
		uint64_t fingerprint;
	} stamp = {version, fingerprint};

	if (fd < 0)
		return;
	/* One 16-byte write: a concurrent reader gets either stamp, and
	   both are right for this image. */
	if (pwrite(fd, &stamp, sizeof(stamp), 8) != (ssize_t)sizeof(stamp))
		fprintf(stderr, "tilecache: could not restamp %s\n", path);
	close(fd);
}

/* ---- ETags ---- */

static void etag_format(uint64_t hash, char etag[TILECACHE_ETAG_SIZE])
{
	snprintf(etag, TILECACHE_ETAG_SIZE, "\"%016" PRIx64 "\"", hash);
}

static uint64_t image_hash(const unsigned char *data, size_t size)
{
	return tilecache_hash(0xcbf29ce484222325ULL, data, size);
}

void tilecache_etag(const unsigned char *data, size_t size,
		    char etag[TILECACHE_ETAG_SIZE])
{
	etag_format(image_hash(data, size), etag);
}

bool tilecache_etag_matches(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match;
	size_t etag_len = strlen(etag);

	if (p == NULL)
		return false;
	while (*p != '\0') {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		/* Weak comparison: "W/" does not matter for If-None-Match. */
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == etag_len && memcmp(p, etag, n) == 0)
			return true;
		p += n;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return false;
}

void tilecache_tile_clear(struct tilecache_tile *tile)
{
	if (tile == NULL)
		return;
	free(tile->data);
	memset(tile, 0, sizeof(*tile));
}

/* ---- lookups ---- */

/* Whether a stored header is right for the current data. Takes the state
   lock. `restamp` is set when the tile is valid through the change log. */
static bool stored_valid(struct layer_state *state,
			 const struct layer_snapshot *snap,
			 const struct tilecache_key *key,
			 const struct tile_header *head, bool *restamp)
{
	double box[4];
	bool have_box;
	bool valid;

	*restamp = false;
	pthread_mutex_lock(&state->lock);
	if (head->fingerprint == state->digest.fingerprint &&
	    head->version == snap->version) {
		valid = tilecache_state_tile_valid(state, head->version,
						   head->fingerprint, NULL);
		pthread_mutex_unlock(&state->lock);
		return valid;
	}
	pthread_mutex_unlock(&state->lock);

	/* The box costs a transformation: compute it outside the lock. */
	have_box = tms_tile_lonlat_box(key->set, key->z, key->col, key->row,
				       TILECACHE_TILE_MARGIN_PX, box) == 0;
	pthread_mutex_lock(&state->lock);
	valid = tilecache_state_tile_valid(state, head->version,
					   head->fingerprint,
					   have_box ? box : NULL);
	pthread_mutex_unlock(&state->lock);
	*restamp = valid;
	return valid;
}

/* Observe the snapshot. Returns the state, or NULL when the cache must be
   bypassed for this request; *fingerprint receives the current data's. */
static struct layer_state *state_observe(struct tilecache *cache,
					 const struct layer_snapshot *snap,
					 uint64_t *fingerprint)
{
	struct layer_state *state;
	int rc;

	if (cache == NULL || snap == NULL || snap->cfg == NULL)
		return NULL;
	state = state_get(cache, snap->cfg->id);
	if (state == NULL)
		return NULL;
	pthread_mutex_lock(&state->lock);
	rc = tilecache_state_observe(state, snap);
	*fingerprint = state->digest.fingerprint;
	pthread_mutex_unlock(&state->lock);
	return rc == 0 ? state : NULL;
}

int tilecache_observe(struct tilecache *cache,
		      const struct layer_snapshot *snap)
{
	uint64_t fp;

	return state_observe(cache, snap, &fp) != NULL ? 0 : -1;
}

bool tilecache_has(struct tilecache *cache, const struct layer_snapshot *snap,
		   const struct tilecache_key *key)
{
	struct layer_state *state;
	struct tile_header head;
	char path[4096];
	uint64_t fp;
	bool restamp;

	state = state_observe(cache, snap, &fp);
	if (state == NULL || tile_path(cache, snap, key, path, sizeof(path)) ||
	    tile_read_header(path, &head) != 0)
		return false;
	if (!stored_valid(state, snap, key, &head, &restamp))
		return false;
	if (restamp)
		tile_restamp(path, snap->version, fp);
	return true;
}

int tilecache_fetch(struct tilecache *cache, const struct cfg *cfg,
		    const struct layer_snapshot *snap,
		    const struct tilecache_key *key, struct tilecache_tile *out)
{
	struct layer_state *state;
	struct tile_header head;
	char path[4096];
	uint64_t fp = 0;
	bool restamp;
	int rc;

	memset(out, 0, sizeof(*out));
	state = state_observe(cache, snap, &fp);
	if (state != NULL && tile_path(cache, snap, key, path, sizeof(path)))
		state = NULL;

	if (state != NULL &&
	    tile_read(path, &head, &out->data, &out->size) == 0) {
		if (stored_valid(state, snap, key, &head, &restamp)) {
			if (restamp)
				tile_restamp(path, snap->version, fp);
			etag_format(head.image_hash, out->etag);
			out->hit = true;
			return 0;
		}
		free(out->data);
		out->data = NULL;
		out->size = 0;
	}

	rc = tms_render_tile(cfg, key->set, key->z, key->col, key->row, snap,
			     key->style, key->format, key->deadline,
			     &out->data, &out->size);
	if (rc != 0)
		return rc;
	head = (struct tile_header){
		.version = snap->version,
		.fingerprint = fp,
		.image_hash = image_hash(out->data, out->size),
	};
	memcpy(head.magic, tile_magic, 8);
	etag_format(head.image_hash, out->etag);
	if (state != NULL && tile_write(path, &head, out->data, out->size) != 0)
		fprintf(stderr, "tilecache: could not write %s: %s\n", path,
			strerror(errno));
	else if (state != NULL)
		tilecache_pruner_written(&cache->pruner,
					 sizeof(head) + out->size);
	return 0;
}

int tilecache_invalidate(struct tilecache *cache, const char *layer_id,
			 int64_t version, const double (*boxes)[4], size_t n)
{
	struct layer_state *state;
	double (*copy)[4];
	int rc;

	if (cache == NULL || layer_id == NULL ||
	    n > TILECACHE_MAX_CHANGE_BOXES)
		return -1;
	state = state_get(cache, layer_id);
	if (state == NULL)
		return -1;
	copy = malloc((n > 0 ? n : 1) * sizeof(*copy));
	if (copy == NULL)
		return -1;
	if (n > 0)
		memcpy(copy, boxes, n * sizeof(*copy));
	pthread_mutex_lock(&state->lock);
	rc = tilecache_state_record(state, version, 0, 0, true, copy, n);
	pthread_mutex_unlock(&state->lock);
	return rc;
}
