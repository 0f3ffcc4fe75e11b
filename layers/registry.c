/*
 * The registry of live snapshots: one slot per configured layer. A reader
 * takes the slot's read lock only to load the pointer and add its
 * reference; a swap takes the write lock to replace the pointer and drops
 * the registry's reference to the old snapshot after unlocking, so
 * requests in flight finish on the snapshot they hold.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers_internal.h"

struct layer_slot {
	pthread_rwlock_t lock;
	struct layer_snapshot *snap;  /* the registry's reference */
};

struct layer_registry {
	const struct cfg *cfg;
	struct layer_slot *slots;     /* one per cfg->layers entry */
	size_t n_slots;
};

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

	/* Load every layer, so one run reports every problem. */
	for (size_t i = 0; i < cfg->n_layers; i++) {
		struct layer_slot *slot = &reg->slots[i];
		pthread_rwlock_init(&slot->lock, NULL);
		reg->n_slots++;
		if (layer_snapshot_load(cfg, &cfg->layers[i], NULL, 1,
					restricted, &slot->snap, errors) != 0)
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
	struct layer_slot *slot;
	struct layer_snapshot *old;
	long i;

	if (reg == NULL || snap == NULL || snap->cfg == NULL)
		return -1;
	i = registry_find(reg, snap->cfg->id);
	if (i < 0)
		return -1;
	slot = &reg->slots[i];
	pthread_rwlock_wrlock(&slot->lock);
	old = slot->snap;
	slot->snap = snap;
	pthread_rwlock_unlock(&slot->lock);
	layer_snapshot_release(old);
	return 0;
}
