/*
 * The registry of live snapshots: one slot per configured layer. A reader
 * takes the slot's read lock only to load the pointer and add its
 * reference; a swap takes the write lock to replace the pointer and drops
 * the registry's reference to the old snapshot after unlocking, so
 * requests in flight finish on the snapshot they hold.
 *
 * What a slot serves is its base, the snapshot as loaded, or a copy of the
 * base without the records that link to a feature dropped for a restricted
 * area (see links.c), which holds a reference to the base. A swap replaces
 * one base and recomputes what every slot serves, under one mutex so swaps
 * never interleave.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layers/layers_internal.h"

struct layer_slot {
	pthread_rwlock_t lock;
	struct layer_snapshot *snap;  /* served: the registry's reference */
};

static struct layer_snapshot *slot_base(const struct layer_slot *slot)
{
	return slot->snap != NULL && slot->snap->base != NULL ? slot->snap->base
							      : slot->snap;
}

struct layer_registry {
	const struct cfg *cfg;
	struct layer_slot *slots;     /* one per cfg->layers entry */
	size_t n_slots;
	pthread_mutex_t swap_lock;    /* serialises layer_registry_swap */
	_Atomic int64_t update_sequence; /* see layer_registry_update_sequence */
};

/* The next update sequence after `previous`: the current time in seconds,
   or previous + 1 when the clock has not moved past it. */
static int64_t next_update_sequence(int64_t previous)
{
	int64_t now = (int64_t)time(NULL);

	return now > previous ? now : previous + 1;
}

/*
 * Serve in every slot what the links of the current bases leave, with
 * `base` (borrowed) as the new base of slot `index`. Returns 0, or -1 when
 * memory runs out (the slots then keep what they serve).
 */
static int registry_filter(struct layer_registry *reg, size_t index,
			   struct layer_snapshot *base)
{
	struct layer_snapshot **bases = calloc(reg->n_slots + 1,
					       sizeof(*bases));
	struct layer_snapshot **current = calloc(reg->n_slots + 1,
						 sizeof(*current));
	struct layer_snapshot **served = calloc(reg->n_slots + 1,
						sizeof(*served));
	int rc = -1;

	if (bases == NULL || current == NULL || served == NULL)
		goto cleanup;
	/* Only swaps write these pointers, and they hold swap_lock. */
	for (size_t i = 0; i < reg->n_slots; i++) {
		bases[i] = i == index ? base : slot_base(&reg->slots[i]);
		current[i] = reg->slots[i].snap;
	}
	if (layer_links_filter(bases, current, reg->n_slots, served) != 0)
		goto cleanup;
	for (size_t i = 0; i < reg->n_slots; i++) {
		struct layer_slot *slot = &reg->slots[i];
		struct layer_snapshot *old;
		if (served[i] == slot->snap) {
			layer_snapshot_release(served[i]);
			continue;
		}
		pthread_rwlock_wrlock(&slot->lock);
		old = slot->snap;
		slot->snap = served[i];
		pthread_rwlock_unlock(&slot->lock);
		layer_snapshot_release(old);
	}
	rc = 0;
cleanup:
	free(bases);
	free(current);
	free(served);
	return rc;
}

int layer_registry_open(const struct cfg *cfg,
			const struct restricted_set *restricted,
			struct layer_registry **out, struct cfg_errors *errors)
{
	struct layer_registry *reg = calloc(1, sizeof(*reg));
	int rc = 0;

	*out = NULL;
	if (reg != NULL)
		reg->slots = calloc(cfg->n_layers + 1, sizeof(*reg->slots));
	if (reg == NULL || reg->slots == NULL) {
		free(reg);
		LAYER_ERROR(errors, cfg->path, 0, "%s", "%s",
			    "hết bộ nhớ / out of memory");
		return -1;
	}
	reg->cfg = cfg;
	pthread_mutex_init(&reg->swap_lock, NULL);
	atomic_init(&reg->update_sequence, next_update_sequence(0));

	/* Load every layer, so one run reports every problem. */
	for (size_t i = 0; i < cfg->n_layers; i++) {
		struct layer_slot *slot = &reg->slots[i];
		pthread_rwlock_init(&slot->lock, NULL);
		reg->n_slots++;
		if (layer_snapshot_load(cfg, &cfg->layers[i], NULL, 1,
					restricted, &slot->snap, errors) != 0)
			rc = -1;
	}
	if (rc == 0 && registry_filter(reg, SIZE_MAX, NULL) != 0) {
		LAYER_ERROR(errors, cfg->path, 0, "%s", "%s",
			    "hết bộ nhớ / out of memory");
		rc = -1;
	}
	if (rc != 0) {
		layer_registry_close(reg);
		return -1;
	}
	*out = reg;
	return 0;
}

void layer_registry_close(struct layer_registry *reg)
{
	if (reg == NULL)
		return;
	for (size_t i = 0; i < reg->n_slots; i++) {
		layer_snapshot_release(reg->slots[i].snap);
		pthread_rwlock_destroy(&reg->slots[i].lock);
	}
	pthread_mutex_destroy(&reg->swap_lock);
	free(reg->slots);
	free(reg);
}

size_t layer_registry_count(const struct layer_registry *reg)
{
	return reg == NULL ? 0 : reg->n_slots;
}

struct layer_snapshot *layer_registry_acquire(struct layer_registry *reg,
					      size_t index)
{
	struct layer_slot *slot;
	struct layer_snapshot *snap;

	if (reg == NULL || index >= reg->n_slots)
		return NULL;
	slot = &reg->slots[index];
	pthread_rwlock_rdlock(&slot->lock);
	snap = layer_snapshot_retain(slot->snap);
	pthread_rwlock_unlock(&slot->lock);
	return snap;
}

/* Slot index of a layer id, or -1. */
static long registry_find(const struct layer_registry *reg, const char *id)
{
	for (size_t i = 0; i < reg->n_slots; i++)
		if (strcmp(reg->cfg->layers[i].id, id) == 0)
			return (long)i;
	return -1;
}

struct layer_snapshot *layer_registry_acquire_id(struct layer_registry *reg,
						 const char *id)
{
	long i;

	if (reg == NULL || id == NULL)
		return NULL;
	i = registry_find(reg, id);
	return i < 0 ? NULL : layer_registry_acquire(reg, (size_t)i);
}

int layer_registry_swap(struct layer_registry *reg,
			struct layer_snapshot *snap)
{
	long i;

	if (reg == NULL || snap == NULL || snap->cfg == NULL)
		return -1;
	i = registry_find(reg, snap->cfg->id);
	if (i < 0)
		return -1;
	pthread_mutex_lock(&reg->swap_lock);
	if (registry_filter(reg, (size_t)i, snap) != 0) {
		/* Serving the new version unfiltered could leak linked
		   records: keep the old one. */
		pthread_mutex_unlock(&reg->swap_lock);
		fprintf(stderr, "layers: layer=%s: out of memory while "
			"dropping linked records; version %lld not served\n",
			snap->cfg->id, (long long)snap->version);
		return -1;
	}
	atomic_store(&reg->update_sequence,
		     next_update_sequence(atomic_load(&reg->update_sequence)));
	pthread_mutex_unlock(&reg->swap_lock);
	/* The slot now holds its own reference to snap (or to a copy that
	   holds one). */
	layer_snapshot_release(snap);
	return 0;
}

int64_t layer_registry_update_sequence(struct layer_registry *reg)
{
	return reg != NULL ? atomic_load(&reg->update_sequence) : 0;
}
