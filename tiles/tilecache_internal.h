/*
 * Declarations shared by tiles/tilecache*.c: the per-layer digest and
 * change log. Not part of the module's interface.
 */
#ifndef VNSDI_TILES_TILECACHE_INTERNAL_H
#define VNSDI_TILES_TILECACHE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tiles/tilecache.h"

/* Most boxes one change keeps; a larger change is recorded as the union of
   its boxes, which invalidates more tiles but never too few. */
#define TILECACHE_MAX_CHANGE_BOXES 65536

/* Pixels added around a tile when it is tested against changed boxes:
   outlines and anti-aliasing of a changed feature reach this far. */
#define TILECACHE_TILE_MARGIN_PX 8.0

/* The thread that keeps the tiles under the cache's size limit (see
   tilecache_prune.c). */
struct tilecache_pruner {
	const char *root;           /* borrowed from the cache */
	uint64_t max_bytes;
	_Atomic size_t written;     /* tile bytes written since the last scan */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool scan_due;              /* a scan is due */
	bool stop;
	bool running;
};

/* Start the thread, which scans once at start. Returns 0 or -1. */
int tilecache_pruner_start(struct tilecache_pruner *p, const char *root,
			   uint64_t max_bytes);

/* Count bytes of tiles written; wakes the thread after a tenth of the
   limit. Does nothing when the thread is not running. */
void tilecache_pruner_written(struct tilecache_pruner *p, size_t bytes);

void tilecache_pruner_stop(struct tilecache_pruner *p);

/* One feature or imagery scene of a digest. */
struct digest_item {
	int64_t fid;               /* feature id, or scene index */
	double box[4];             /* CRS84 */
	uint64_t hash;             /* geometry and attribute values */
};

struct digest {
	struct digest_item *items; /* sorted by fid */
	size_t n;
	uint64_t fingerprint;      /* of every item, in order */
};

/* One entry of a layer's change log. */
struct change {
	int64_t version;           /* layer version that made the change */
	uint64_t fp_before;        /* data fingerprints; both 0 for a change */
	uint64_t fp_after;         /* recorded by tilecache_invalidate */
	bool explicit_boxes;       /* recorded by tilecache_invalidate */
	double (*boxes)[4];        /* CRS84 */
	size_t n_boxes;
};

struct layer_state {
	char *id;
	char *dir;                 /* <root>/<layer id> */
	pthread_mutex_t lock;

	/* The snapshot the digest was last compared with. */
	const void *seen_snap;
	int64_t seen_version;
	bool seen;

	bool have_digest;
	struct digest digest;

	struct change *changes;    /* in the order recorded */
	size_t n_changes;
};

/* Load the digest and the change log of a layer from state->dir. */
void tilecache_state_load(struct layer_state *state);
void tilecache_state_free(struct layer_state *state);

/*
 * Update the digest of `state` from `snap` (state->lock held). Returns 0
 * when the digest now matches the snapshot, 1 when the snapshot is older
 * than one already seen (the caller must bypass the cache), or -1.
 */
int tilecache_state_observe(struct layer_state *state,
			    const struct layer_snapshot *snap);

/*
 * Whether a tile stored at (version, fingerprint) is still right for the
 * current data (state->lock held). `box` is the tile's CRS84 box, widened;
 * NULL when it could not be computed (then only an unchanged fingerprint
 * with no explicit change passes).
 */
bool tilecache_state_tile_valid(const struct layer_state *state,
				int64_t version, uint64_t fingerprint,
				const double *box);

/* Append a change to the log in memory and on disk (state->lock held).
   Takes over `boxes`. Returns 0 or -1. */
int tilecache_state_record(struct layer_state *state, int64_t version,
			   uint64_t fp_before, uint64_t fp_after,
			   bool explicit_boxes, double (*boxes)[4],
			   size_t n_boxes);

/* Hash `size` bytes into `h` (a 64-bit mix, not cryptographic). */
uint64_t tilecache_hash(uint64_t h, const void *data, size_t size);

#endif
