/*
 * Records linked to restricted features. A layer that links to another by
 * a key (cfg_link) would still tell what a dropped feature was: a legal
 * document about a parcel inside a restricted area names that parcel. So
 * every record whose link key matches the key of a feature dropped for a
 * restricted area is dropped as well, and so on along the links until
 * nothing changes.
 *
 * The loaded snapshot of a layer (its base) stays untouched; the layer is
 * served through a copy that borrows the base's features and leaves the
 * linked records out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers_internal.h"

const char *layer_key_text(const struct attr_def *attr,
			   const struct value *value, char *buf, size_t size)
{
	if (value == NULL || value->is_null)
		return NULL;
	switch (attr->type) {
	case ATTR_INTEGER:
		snprintf(buf, size, "%lld", (long long)value->u.i);
		return buf;
	case ATTR_REAL:
		snprintf(buf, size, "%.17g", value->u.d);
		return buf;
	default:
		return value->u.s;
	}
}

int layer_dropped_keys_add(struct layer_dropped_keys *keys,
			   const char *value)
{
	char *copy;

	if (keys->n_values == keys->cap_values) {
		size_t cap = keys->cap_values ? keys->cap_values * 2 : 16;
		char **values;
		if (keys->n_values >= LAYER_MAX_DROPPED_KEYS)
			return -1;
		values = realloc(keys->values, cap * sizeof(*values));
		if (values == NULL)
			return -1;
		keys->values = values;
		keys->cap_values = cap;
	}
	copy = strdup(value);
	if (copy == NULL)
		return -1;
	keys->values[keys->n_values++] = copy;
	return 0;
}

static int key_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void layer_dropped_keys_finish(struct layer_dropped_keys *keys)
{
	size_t kept = 0;

	if (keys->n_values > 1)
		qsort(keys->values, keys->n_values, sizeof(*keys->values),
		      key_compare);
	for (size_t i = 0; i < keys->n_values; i++) {
		if (kept > 0 &&
		    strcmp(keys->values[kept - 1], keys->values[i]) == 0) {
			free(keys->values[i]);
			continue;
		}
		keys->values[kept++] = keys->values[i];
	}
	keys->n_values = kept;
}

void layer_dropped_keys_free(struct layer_dropped_keys *keys, size_t n)
{
	if (keys == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < keys[i].n_values; j++)
			free(keys[i].values[j]);
		free(keys[i].values);
		free(keys[i].attr);
	}
	free(keys);
}

/* The layers being filtered: which base records are dropped so far. */
struct links_run {
	struct layer_snapshot *const *bases;
	size_t n;
	bool **dropped;        /* per layer, per base feature; NULL: none */
	size_t *n_dropped;
};

static long links_layer_find(const struct links_run *run, const char *id)
{
	for (size_t i = 0; i < run->n; i++)
		if (run->bases[i] != NULL &&
		    strcmp(run->bases[i]->cfg->id, id) == 0)
			return (long)i;
	return -1;
}

/*
 * The dropped keys of attribute `attr` in layer `t`: those recorded at
 * load plus those of the records dropped here so far (when `attr` is
 * exposed). Fills `out` (sorted and unique, for bsearch).
 */
static int links_target_keys(const struct links_run *run, size_t t,
			     const char *attr, struct layer_dropped_keys *out)
{
	const struct layer_snapshot *base = run->bases[t];
	int index = layer_attr_find(base, attr);
	char buf[64];

	for (size_t k = 0; k < base->n_dropped_keys; k++) {
		const struct layer_dropped_keys *keys = &base->dropped_keys[k];
		if (strcmp(keys->attr, attr) != 0)
			continue;
		for (size_t i = 0; i < keys->n_values; i++)
			if (layer_dropped_keys_add(out, keys->values[i]) != 0)
				return -1;
	}
	/* NOTE: a target key that is not among the exposed attributes only
	   carries the keys of features dropped at load, not those of records
	   dropped here for a link. */
	for (size_t i = 0; index >= 0 && run->n_dropped[t] > 0 &&
			   i < base->n_features; i++) {
		const char *text;
		if (!run->dropped[t][i])
			continue;
		text = layer_key_text(&base->attrs[index],
				      &base->features[i].values[index], buf,
				      sizeof(buf));
		if (text != NULL && layer_dropped_keys_add(out, text) != 0)
			return -1;
	}
	layer_dropped_keys_finish(out);
	return 0;
}

/* Mark the records of layer `l` that link to a dropped key of `link`. */
static int links_mark(struct links_run *run, size_t l,
		      const struct cfg_link *link, bool *changed)
{
	const struct layer_snapshot *base = run->bases[l];
	struct layer_dropped_keys keys = {0};
	long t = links_layer_find(run, link->layer);
	int index = layer_attr_find(base, link->key);
	char buf[64];
	int rc = -1;

	if (t < 0 || index < 0)
		return 0;
	if (links_target_keys(run, (size_t)t,
			      link->target_key ? link->target_key : link->key,
			      &keys) != 0)
		goto cleanup;
	for (size_t i = 0; keys.n_values > 0 && i < base->n_features; i++) {
		const char *text;
		if (run->dropped[l][i])
			continue;
		text = layer_key_text(&base->attrs[index],
				      &base->features[i].values[index], buf,
				      sizeof(buf));
		if (text == NULL ||
		    bsearch(&text, keys.values, keys.n_values,
			    sizeof(*keys.values), key_compare) == NULL)
			continue;
		run->dropped[l][i] = true;
		run->n_dropped[l]++;
		*changed = true;
	}
	rc = 0;
cleanup:
	for (size_t i = 0; i < keys.n_values; i++)
		free(keys.values[i]);
	free(keys.values);
	return rc;
}

/* Mark every linked record, along the links until nothing changes. */
static int links_mark_all(struct links_run *run)
{
	bool changed = true;

	/* Marks only grow, so the loop ends. */
	while (changed) {
		changed = false;
		for (size_t l = 0; l < run->n; l++) {
			const struct layer_snapshot *base = run->bases[l];
			if (base == NULL || base->cfg->kind != CFG_LAYER_VECTOR)
				continue;
			for (size_t j = 0; j < base->cfg->n_links; j++)
				if (links_mark(run, l, &base->cfg->links[j],
					       &changed) != 0)
					return -1;
		}
	}
	return 0;
}

/* A copy of `base` without the marked records; borrows its features. */
static struct layer_snapshot *links_copy(struct layer_snapshot *base,
					 const bool *dropped,
					 size_t n_dropped)
{
	struct layer_snapshot *snap = calloc(1, sizeof(*snap));
	size_t n = 0;

	if (snap == NULL)
		return NULL;
	*snap = (struct layer_snapshot){
		.cfg = base->cfg,
		.version = base->version,
		.crs = base->crs,
		.crs_note = base->crs_note,
		.attrs = base->attrs,
		.n_attrs = base->n_attrs,
		.n_dropped_restricted = base->n_dropped_restricted + n_dropped,
		.n_dropped_linked = n_dropped,
		.dropped_keys = base->dropped_keys,
		.n_dropped_keys = base->n_dropped_keys,
		.load_ms = base->load_ms,
		.base = layer_snapshot_retain(base),
	};
	atomic_init(&snap->refcount, 1);
	snap->features = malloc((base->n_features - n_dropped + 1) *
				sizeof(*snap->features));
	if (snap->features == NULL)
		goto fail;
	for (size_t i = 0; i < base->n_features; i++)
		if (!dropped[i])
			snap->features[n++] = base->features[i];
	snap->n_features = n;
	if (layer_vector_index(snap) != 0)
		goto fail;
	fprintf(stderr, "layers: layer=%s version=%lld kept=%zu "
		"dropped_linked=%zu (linked to a restricted feature)\n",
		base->cfg->id, (long long)base->version, n, n_dropped);
	return snap;
fail:
	layer_snapshot_destroy(snap);
	return NULL;
}

/* Whether `current` serves exactly the unmarked records of `base`. */
static bool links_same(const struct layer_snapshot *current,
		       const struct layer_snapshot *base, const bool *dropped,
		       size_t n_dropped)
{
	size_t n = 0;

	if (current == NULL || current->base != base ||
	    current->n_features != base->n_features - n_dropped)
		return false;
	for (size_t i = 0; i < base->n_features; i++) {
		if (dropped[i])
			continue;
		if (current->features[n++].fid != base->features[i].fid)
			return false;
	}
	return true;
}

static struct layer_snapshot *links_served(struct links_run *run, size_t i,
					   struct layer_snapshot *current)
{
	struct layer_snapshot *base = run->bases[i];

	if (base == NULL)
		return NULL;
	if (run->n_dropped[i] == 0)
		return layer_snapshot_retain(base);
	if (links_same(current, base, run->dropped[i], run->n_dropped[i]))
		return layer_snapshot_retain(current);
	return links_copy(base, run->dropped[i], run->n_dropped[i]);
}

int layer_links_filter(struct layer_snapshot *const *bases,
		       struct layer_snapshot *const *current, size_t n,
		       struct layer_snapshot **served)
{
	struct links_run run = { .bases = bases, .n = n };
	int rc = -1;

	memset(served, 0, n * sizeof(*served));
	run.dropped = calloc(n + 1, sizeof(*run.dropped));
	run.n_dropped = calloc(n + 1, sizeof(*run.n_dropped));
	if (run.dropped == NULL || run.n_dropped == NULL)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		if (bases[i] == NULL)
			continue;
		run.dropped[i] = calloc(bases[i]->n_features + 1, sizeof(bool));
		if (run.dropped[i] == NULL)
			goto cleanup;
	}
	if (links_mark_all(&run) != 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		served[i] = links_served(&run, i, current ? current[i] : NULL);
		if (served[i] == NULL && bases[i] != NULL)
			goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc != 0)
		for (size_t i = 0; i < n; i++) {
			layer_snapshot_release(served[i]);
			served[i] = NULL;
		}
	for (size_t i = 0; run.dropped != NULL && i < n; i++)
		free(run.dropped[i]);
	free(run.dropped);
	free(run.n_dropped);
	return rc;
}

int layer_snapshots_filter_links(struct layer_snapshot **snaps, size_t n)
{
	struct layer_snapshot **served = calloc(n + 1, sizeof(*served));

	if (served == NULL || layer_links_filter(snaps, NULL, n, served) != 0) {
		free(served);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		layer_snapshot_release(snaps[i]);
		snaps[i] = served[i];
	}
	free(served);
	return 0;
}
