/*
 * tiles/tilecache: rendered tiles on disk under <data_dir>/tilecache, with
 * strong ETags, and the invalidation of exactly the tiles over the area a
 * new layer version changed.
 *
 * A tile is stored at
 *   <layer>/<style>-<style hash>/<matrix set>/<z>/<col>/<row>.<format>
 * with a header stamping the layer version and the data fingerprint it was
 * drawn from. The style hash covers every style setting and the renderer's
 * own version, so a changed style or renderer never serves old images.
 *
 * Invalidation. For each layer the cache keeps a digest of the data it last
 * saw: per feature (or imagery scene) its id, CRS84 box and a hash of its
 * geometry and attributes, and a fingerprint of the whole. When a request
 * brings a snapshot whose fingerprint differs, the cache compares the two
 * digests and appends one entry to the layer's change log: the version, the
 * fingerprints before and after, and the boxes of the features added,
 * removed or changed. A stored tile drawn at an older fingerprint is served
 * only when the change log links its fingerprint to the current one and no
 * recorded box touches the tile (widened by a few pixels for outlines).
 * Any gap in the log, such as data changed while no digest was kept, makes
 * the tile a miss, so a stale tile is never served and a one-parcel change
 * re-renders only the tiles over that parcel. The digest and the log are
 * kept on disk, so this holds across restarts.
 *
 * Size. With a limit (tiles.cache_max_mb), a background thread deletes the
 * least recently used tiles once the tiles on disk exceed it, down to nine
 * tenths of it. A deleted tile is drawn again on its next request.
 *
 * Threads: a cache may be shared by every request thread.
 */
#ifndef VNSDI_TILES_TILECACHE_H
#define VNSDI_TILES_TILECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "layers/layers.h"
#include "tiles/render.h"
#include "tiles/tms.h"

/* Cache-Control of tiles when the config sets none. */
#define TILECACHE_DEFAULT_CACHE_CONTROL "public, max-age=3600"

/* Length of a strong ETag with its quotes and NUL: "\"" 16 hex "\"". */
#define TILECACHE_ETAG_SIZE 24

struct tilecache;

/*
 * Open (creating it when missing) the cache under <data_dir>/tilecache.
 * With `max_bytes` > 0, a thread keeps the tile files under that size
 * (0: no limit). Returns NULL when the
 * folder cannot be created; the caller then serves tiles uncached. Free
 * with tilecache_close().
 */
struct tilecache *tilecache_open(const char *data_dir, uint64_t max_bytes);

/* Result of one tilecache_prune(). */
struct tilecache_prune_result {
	uint64_t bytes_before;      /* tile files found */
	uint64_t bytes_after;
	size_t deleted;
};

/*
 * Delete the least recently used tile files under `root` (oldest
 * modification time first) until they take at most nine tenths of
 * `max_bytes`, when they take more than `max_bytes`. Other files are kept.
 * Returns 0, or -1 when the folder cannot be scanned.
 */
int tilecache_prune(const char *root, uint64_t max_bytes,
		    struct tilecache_prune_result *out);
void tilecache_close(struct tilecache *cache);

/*
 * The process-wide cache of a config's data_dir, opened on first use
 * (NULL when it cannot be opened). Valid until tilecache_shared_close().
 */
struct tilecache *tilecache_shared(const struct cfg *cfg);
void tilecache_shared_close(void);

/* One tile request. */
struct tilecache_key {
	const struct tms_set *set;
	int z;
	int64_t col;
	int64_t row;
	const char *style;          /* NULL or "": the layer's default */
	enum render_format format;
	double deadline;            /* render_clock() time by which a miss
				       must be drawn; 0: no limit */
};

/* A tile image and its ETag. */
struct tilecache_tile {
	unsigned char *data;        /* malloc'ed, freed by tilecache_tile_clear */
	size_t size;
	char etag[TILECACHE_ETAG_SIZE];
	bool hit;                   /* served from disk without rendering */
};

void tilecache_tile_clear(struct tilecache_tile *tile);

/*
 * Return the tile of `snap` for `key`: from disk when a stored copy is valid
 * for the snapshot (see the header comment), else rendered and stored.
 * `cache` may be NULL: the tile is then rendered and not stored. Returns 0,
 * TMS_RENDER_TIMED_OUT when drawing passed key->deadline (nothing is
 * stored), or -1 when rendering failed.
 */
int tilecache_fetch(struct tilecache *cache, const struct cfg *cfg,
		    const struct layer_snapshot *snap,
		    const struct tilecache_key *key, struct tilecache_tile *out);

/*
 * Whether a valid stored copy exists (no rendering). Used by `vnsdi seed`
 * to skip tiles when it resumes.
 */
bool tilecache_has(struct tilecache *cache, const struct layer_snapshot *snap,
		   const struct tilecache_key *key);

/*
 * Bring the cache's digest of a layer up to date with `snap`, recording the
 * change when the data differs from the digest. tilecache_fetch does this
 * itself; a publisher may call it right after a swap so that the first
 * tile request does not pay for the comparison. Returns 0 or -1.
 */
int tilecache_observe(struct tilecache *cache,
		      const struct layer_snapshot *snap);

/*
 * Record that version `version` of layer `layer_id` changed the CRS84
 * boxes `boxes[0..n-1]` (west, south, east, north). For a publisher that
 * has the changed area from the edit itself, where a digest comparison
 * would find less. Tiles stored before, over those boxes, are no longer
 * served. Returns 0 or -1.
 */
int tilecache_invalidate(struct tilecache *cache, const char *layer_id,
			 int64_t version, const double (*boxes)[4], size_t n);

/*
 * Strong ETag of an image: a quoted 64-bit FNV-1a hash of its bytes, so a
 * tile drawn again from unchanged data keeps its ETag.
 */
void tilecache_etag(const unsigned char *data, size_t size,
		    char etag[TILECACHE_ETAG_SIZE]);

/*
 * Whether an If-None-Match header value (a list of entity tags or "*")
 * matches `etag`, by the weak comparison RFC 9110 prescribes for
 * If-None-Match. NULL never matches.
 */
bool tilecache_etag_matches(const char *if_none_match, const char *etag);

/*
 * Entry point of `vnsdi seed --config FILE --layer ID --tms ID --zoom A-B
 * [--bbox W,S,E,N] [--style NAME] [--format png|png8|jpeg]`. argv[0] is
 * "seed". Prints a progress bar on stderr; SIGINT stops after the current
 * tile and a second run with the same arguments resumes. Returns the exit
 * status: 0 done, 1 failure, 2 bad usage, 130 interrupted.
 */
int seed_cli_main(int argc, char **argv);

#endif
