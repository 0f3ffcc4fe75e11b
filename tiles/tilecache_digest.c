/*
 * Digests of layer data and the change log that records which stored tiles
 * a new version left untouched. See tiles/tilecache.h for the rule.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tiles/tilecache_internal.h"

static const char digest_magic[8] = {'V', 'N', 'S', 'D', 'I', 'D', 'G', '1'};
static const char change_magic[4] = {'C', 'H', 'G', '1'};

/* Most items a digest file may announce: far above any layer served. */
#define DIGEST_MAX_ITEMS (64u * 1024u * 1024u)

uint64_t tilecache_hash(uint64_t h, const void *data, size_t size)
{
	const unsigned char *p = data;

	/* FNV-1a, 64 bits. */
	for (size_t i = 0; i < size; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A faster mix for arrays of doubles and integers: whole 64-bit words. */
static uint64_t hash_words(uint64_t h, const void *data, size_t size)
{
	const unsigned char *p = data;
	size_t i = 0;

	for (; i + 8 <= size; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h ^= w;
		h *= 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	return tilecache_hash(h, p + i, size - i);
}

#define HASH_SEED 0xcbf29ce484222325ULL

static uint64_t geom_hash(uint64_t h, const struct geom *g)
{
	uint32_t head[3] = {(uint32_t)g->type, g->n_points, g->n_parts};

	h = hash_words(h, head, sizeof(head));
	if (g->xy != NULL)
		h = hash_words(h, g->xy, 2 * sizeof(double) * g->n_points);
	if (g->part_start != NULL)
		h = hash_words(h, g->part_start,
			       sizeof(uint32_t) * (g->n_parts + 1));
	if (g->part_outer != NULL)
		h = tilecache_hash(h, g->part_outer, sizeof(bool) * g->n_parts);
	return h;
}

static uint64_t feature_hash(const struct layer_snapshot *snap,
			     const struct feature *f)
{
	uint64_t h = geom_hash(HASH_SEED, &f->native);

	for (size_t a = 0; f->values != NULL && a < snap->n_attrs; a++) {
		const struct value *v = &f->values[a];
		unsigned char null = v->is_null;

		h = tilecache_hash(h, &null, 1);
		if (v->is_null)
			continue;
		switch (snap->attrs[a].type) {
		case ATTR_INTEGER:
			h = hash_words(h, &v->u.i, sizeof(v->u.i));
			break;
		case ATTR_REAL:
			h = hash_words(h, &v->u.d, sizeof(v->u.d));
			break;
		default:
			if (v->u.s != NULL)
				h = tilecache_hash(h, v->u.s,
						   strlen(v->u.s) + 1);
		}
	}
	return h;
}

/* Scenes are compared by path, placement, drop decision and the file's
   size and modification time, which change when a scene is replaced. */
static uint64_t scene_hash(const struct scene *s)
{
	uint64_t h = HASH_SEED;
	struct stat st;
	unsigned char dropped = s->dropped;

	if (s->path != NULL) {
		h = tilecache_hash(h, s->path, strlen(s->path) + 1);
		if (stat(s->path, &st) == 0) {
			int64_t facts[3] = {(int64_t)st.st_size,
					    (int64_t)st.st_mtim.tv_sec,
					    (int64_t)st.st_mtim.tv_nsec};

			h = hash_words(h, facts, sizeof(facts));
		}
	}
	h = hash_words(h, s->native_bbox, sizeof(s->native_bbox));
	return tilecache_hash(h, &dropped, 1);
}

static int digest_build(const struct layer_snapshot *snap, struct digest *out)
{
	bool raster = snap->cfg != NULL && snap->cfg->kind == CFG_LAYER_RASTER;
	size_t n = raster ? snap->n_scenes : snap->n_features;
	uint64_t fp = HASH_SEED;

	memset(out, 0, sizeof(*out));
	out->items = calloc(n > 0 ? n : 1, sizeof(*out->items));
	if (out->items == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct digest_item *it = &out->items[i];

		if (raster) {
			it->fid = (int64_t)i;
			memcpy(it->box, snap->scenes[i].footprint,
			       sizeof(it->box));
			it->hash = scene_hash(&snap->scenes[i]);
		} else {
			/* Features are sorted by fid in the snapshot. */
			it->fid = snap->features[i].fid;
			memcpy(it->box, snap->features[i].bbox,
			       sizeof(it->box));
			it->hash = feature_hash(snap, &snap->features[i]);
		}
		fp = hash_words(fp, it, sizeof(*it));
	}
	out->n = n;
	out->fingerprint = fp;
	return 0;
}

/* ---- changed boxes ---- */

struct box_list {
	double (*boxes)[4];
	size_t n;
	size_t cap;
	bool overflow;
	double all[4];             /* union of every box pushed */
};

static void box_list_push(struct box_list *list, const double box[4])
{
	if (list->n == 0 && !list->overflow) {
		memcpy(list->all, box, sizeof(list->all));
	} else {
		list->all[0] = fmin(list->all[0], box[0]);
		list->all[1] = fmin(list->all[1], box[1]);
		list->all[2] = fmax(list->all[2], box[2]);
		list->all[3] = fmax(list->all[3], box[3]);
	}
	if (list->overflow)
		return;
	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 64;
		double (*grown)[4];

		if (cap > TILECACHE_MAX_CHANGE_BOXES) {
			list->overflow = true;
			return;
		}
		grown = realloc(list->boxes, cap * sizeof(*grown));
		if (grown == NULL) {
			list->overflow = true;
			return;
		}
		list->boxes = grown;
		list->cap = cap;
	}
	memcpy(list->boxes[list->n++], box, sizeof(double[4]));
}

/* Boxes of every item added, removed or changed between two digests. */
static void digest_diff(const struct digest *old, const struct digest *new,
			struct box_list *out)
{
	size_t i = 0, j = 0;

	while (i < old->n || j < new->n) {
		const struct digest_item *a = i < old->n ? &old->items[i] : NULL;
		const struct digest_item *b = j < new->n ? &new->items[j] : NULL;

		if (b == NULL || (a != NULL && a->fid < b->fid)) {
			box_list_push(out, a->box);      /* removed */
			i++;
		} else if (a == NULL || b->fid < a->fid) {
			box_list_push(out, b->box);      /* added */
			j++;
		} else {
			if (a->hash != b->hash ||
			    memcmp(a->box, b->box, sizeof(a->box)) != 0) {
				box_list_push(out, a->box);
				box_list_push(out, b->box);
			}
			i++;
			j++;
		}
	}
	/* Too many boxes: their union stands for all of them. */
	if (out->overflow) {
		free(out->boxes);
		out->boxes = malloc(sizeof(double[4]));
		out->n = 0;
		if (out->boxes != NULL) {
			memcpy(out->boxes[0], out->all, sizeof(out->all));
			out->n = 1;
		}
	}
}

/* ---- files ---- */

static int digest_save(const struct layer_state *state)
{
	char path[4096], tmp[4200];
	uint64_t head[2] = {state->digest.fingerprint, state->digest.n};
	FILE *f;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/digest.bin", state->dir);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if (layer_mkdirs(state->dir) != 0)
		return -1;
	f = fopen(tmp, "wb");
	if (f == NULL)
		return -1;
	if (fwrite(digest_magic, 1, 8, f) == 8 &&
	    fwrite(head, sizeof(head), 1, f) == 1 &&
	    (state->digest.n == 0 ||
	     fwrite(state->digest.items, sizeof(struct digest_item),
		    state->digest.n, f) == state->digest.n))
		rc = 0;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		remove(tmp);
	return rc;
}

static void digest_load(struct layer_state *state)
{
	char path[4096], magic[8];
	uint64_t head[2];
	struct digest d = {0};
	FILE *f;

	snprintf(path, sizeof(path), "%s/digest.bin", state->dir);
	f = fopen(path, "rb");
	if (f == NULL)
		return;
	if (fread(magic, 1, 8, f) != 8 || memcmp(magic, digest_magic, 8) != 0 ||
	    fread(head, sizeof(head), 1, f) != 1 || head[1] > DIGEST_MAX_ITEMS)
		goto done;
	d.items = calloc(head[1] > 0 ? head[1] : 1, sizeof(*d.items));
	if (d.items == NULL)
		goto done;
	if (head[1] > 0 &&
	    fread(d.items, sizeof(*d.items), head[1], f) != head[1]) {
		free(d.items);
		goto done;
	}
	d.n = head[1];
	d.fingerprint = head[0];
	state->digest = d;
	state->have_digest = true;
done:
	fclose(f);
}

static int change_append_file(const struct layer_state *state,
			      const struct change *c)
{
	char path[4096];
	int64_t head[5] = {c->version, (int64_t)c->fp_before,
			   (int64_t)c->fp_after, c->explicit_boxes,
			   (int64_t)c->n_boxes};
	FILE *f;
	int rc = -1;

	if (layer_mkdirs(state->dir) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/changes.bin", state->dir);
	f = fopen(path, "ab");
	if (f == NULL)
		return -1;
	if (fwrite(change_magic, 1, 4, f) == 4 &&
	    fwrite(head, sizeof(head), 1, f) == 1 &&
	    (c->n_boxes == 0 ||
	     fwrite(c->boxes, sizeof(double[4]), c->n_boxes, f) == c->n_boxes))
		rc = 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

static int change_push(struct layer_state *state, const struct change *c)
{
	struct change *grown = realloc(state->changes,
				       (state->n_changes + 1) * sizeof(*grown));

	if (grown == NULL)
		return -1;
	state->changes = grown;
	state->changes[state->n_changes++] = *c;
	return 0;
}

/* Read the change log. A truncated last entry (a crash while appending)
   ends the log there; later appends follow it, so a torn entry also makes
   every older tile a miss through the broken fingerprint chain. */
static void changes_load(struct layer_state *state)
{
	char path[4096], magic[4];
	int64_t head[5];
	FILE *f;

	snprintf(path, sizeof(path), "%s/changes.bin", state->dir);
	f = fopen(path, "rb");
	if (f == NULL)
		return;
	while (fread(magic, 1, 4, f) == 4 && memcmp(magic, change_magic, 4) == 0 &&
	       fread(head, sizeof(head), 1, f) == 1) {
		struct change c = {
			.version = head[0],
			.fp_before = (uint64_t)head[1],
			.fp_after = (uint64_t)head[2],
			.explicit_boxes = head[3] != 0,
		};

		if (head[4] < 0 || head[4] > TILECACHE_MAX_CHANGE_BOXES)
			break;
		c.n_boxes = (size_t)head[4];
		c.boxes = malloc((c.n_boxes > 0 ? c.n_boxes : 1) *
				 sizeof(double[4]));
		if (c.boxes == NULL)
			break;
		if ((c.n_boxes > 0 &&
		     fread(c.boxes, sizeof(double[4]), c.n_boxes, f) !=
			     c.n_boxes) ||
		    change_push(state, &c) != 0) {
			free(c.boxes);
			break;
		}
	}
	fclose(f);
}

void tilecache_state_load(struct layer_state *state)
{
	digest_load(state);
	changes_load(state);
}

void tilecache_state_free(struct layer_state *state)
{
	if (state == NULL)
		return;
	for (size_t i = 0; i < state->n_changes; i++)
		free(state->changes[i].boxes);
	free(state->changes);
	free(state->digest.items);
	pthread_mutex_destroy(&state->lock);
	free(state->id);
	free(state->dir);
	free(state);
}

int tilecache_state_record(struct layer_state *state, int64_t version,
			   uint64_t fp_before, uint64_t fp_after,
			   bool explicit_boxes, double (*boxes)[4],
			   size_t n_boxes)
{
	struct change c = {
		.version = version,
		.fp_before = fp_before,
		.fp_after = fp_after,
		.explicit_boxes = explicit_boxes,
		.boxes = boxes,
		.n_boxes = n_boxes,
	};

	/* The file first: a change lost from disk but used in memory would
	   let a later process serve a tile that this one found stale. */
	if (change_append_file(state, &c) != 0 || change_push(state, &c) != 0) {
		free(boxes);
		return -1;
	}
	return 0;
}

int tilecache_state_observe(struct layer_state *state,
			    const struct layer_snapshot *snap)
{
	struct digest fresh;

	if (state->seen && state->seen_snap == (const void *)snap &&
	    state->seen_version == snap->version)
		return 0;
	/* A request still running on a snapshot older than one already
	   compared: comparing it would record the change backwards. */
	if (state->seen && snap->version < state->seen_version)
		return 1;
	if (digest_build(snap, &fresh) != 0)
		return -1;

	if (!state->have_digest ||
	    state->digest.fingerprint != fresh.fingerprint) {
		if (state->have_digest) {
			struct box_list list = {0};

			digest_diff(&state->digest, &fresh, &list);
			if (tilecache_state_record(state, snap->version,
						   state->digest.fingerprint,
						   fresh.fingerprint, false,
						   list.boxes, list.n) != 0) {
				free(fresh.items);
				return -1;
			}
		}
		free(state->digest.items);
		state->digest = fresh;
		state->have_digest = true;
		/* Without the digest on disk the next process cannot link
		   old tiles to this data: they become misses, never stale. */
		if (digest_save(state) != 0)
			fprintf(stderr, "tilecache: could not save the digest "
				"of layer %s in %s: %s\n", state->id,
				state->dir, strerror(errno));
	} else {
		free(fresh.items);
	}
	state->seen = true;
	state->seen_snap = snap;
	state->seen_version = snap->version;
	return 0;
}

static bool boxes_touch(const double (*boxes)[4], size_t n, const double *box)
{
	for (size_t i = 0; i < n; i++)
		if (boxes[i][0] <= box[2] && box[0] <= boxes[i][2] &&
		    boxes[i][1] <= box[3] && box[1] <= boxes[i][3])
			return true;
	return false;
}

bool tilecache_state_tile_valid(const struct layer_state *state,
				int64_t version, uint64_t fingerprint,
				const double *box)
{
	size_t start = state->n_changes;

	if (!state->have_digest)
		return false;
	/* Changes a publisher declared after the tile was drawn. */
	for (size_t i = 0; i < state->n_changes; i++) {
		const struct change *c = &state->changes[i];

		if (c->explicit_boxes && c->version > version &&
		    (box == NULL || boxes_touch(c->boxes, c->n_boxes, box)))
			return false;
	}
	if (fingerprint == state->digest.fingerprint)
		return true;
	if (box == NULL)
		return false;

	/* The latest change that starts from the tile's data, then every
	   change after it must chain up to the current data without
	   touching the tile. */
	for (size_t i = state->n_changes; i-- > 0;) {
		if (!state->changes[i].explicit_boxes &&
		    state->changes[i].fp_before == fingerprint) {
			start = i;
			break;
		}
	}
	if (start == state->n_changes)
		return false;
	uint64_t fp = fingerprint;

	for (size_t i = start; i < state->n_changes; i++) {
		const struct change *c = &state->changes[i];

		if (c->explicit_boxes)
			continue;
		if (c->fp_before != fp)
			return false;
		if (boxes_touch(c->boxes, c->n_boxes, box))
			return false;
		fp = c->fp_after;
	}
	return fp == state->digest.fingerprint;
}
