/*
 * Snapshots: loading one layer, reference counting, and the read-only
 * look-ups every endpoint uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers_internal.h"

void layer_feature_clear(struct feature *f, const struct attr_def *attrs,
			 size_t n_attrs)
{
	geom_clear(&f->native);
	geom_clear(&f->lonlat);
	if (f->values != NULL) {
		for (size_t i = 0; i < n_attrs; i++) {
			if (attrs[i].type == ATTR_INTEGER ||
			    attrs[i].type == ATTR_REAL || f->values[i].is_null)
				continue;
			free(f->values[i].u.s);
		}
		free(f->values);
		f->values = NULL;
	}
}

void layer_snapshot_destroy(struct layer_snapshot *snap)
{
	if (snap == NULL)
		return;
	if (snap->base != NULL) {
		/* A link-filtered copy owns only its array and its index. */
		free(snap->features);
		layer_index_free(snap->index);
		layer_snapshot_release(snap->base);
		free(snap);
		return;
	}
	layer_dropped_keys_free(snap->dropped_keys, snap->n_dropped_keys);
	for (size_t i = 0; i < snap->n_features; i++)
		layer_feature_clear(&snap->features[i], snap->attrs,
				    snap->n_attrs);
	free(snap->features);
	for (size_t i = 0; snap->attrs != NULL && i < snap->n_attrs; i++)
		free(snap->attrs[i].name);
	free(snap->attrs);
	layer_index_free(snap->index);
	for (size_t i = 0; i < snap->n_scenes; i++) {
		free(snap->scenes[i].path);
		free(snap->scenes[i].drop_reason);
	}
	free(snap->scenes);
	free(snap->crs_note);
	free(snap);
}

/* One line per layer: what was loaded, never what was dropped. */
static void snapshot_log(const struct layer_snapshot *snap,
			 const char *source)
{
	const struct cfg_layer *l = snap->cfg;

	if (l->kind == CFG_LAYER_RASTER) {
		size_t kept_scenes = 0;
		for (size_t i = 0; i < snap->n_scenes; i++)
			kept_scenes += !snap->scenes[i].dropped;
		fprintf(stderr, "layers: layer=%s version=%lld scenes=%zu "
			"kept=%zu dropped_footprint=%zu "
			"dropped_restricted=%zu ms=%.0f\n",
			l->id, (long long)snap->version, snap->n_scenes,
			kept_scenes, snap->n_dropped_footprint,
			snap->n_dropped_restricted, snap->load_ms);
		return;
	}
	fprintf(stderr, "layers: layer=%s version=%lld source=%s crs=%s "
		"(%s) kept=%zu dropped_restricted=%zu ms=%.0f\n",
		l->id, (long long)snap->version, source, snap->crs->id,
		snap->crs_note ? snap->crs_note : "", snap->n_features,
		snap->n_dropped_restricted, snap->load_ms);
}

/*
 * Warn about a vector layer whose CRS84 extent leaves Vietnam: its CRS is
 * most likely wrong, and then the restricted areas miss its features. The box
 * is EPSG extent 1252 "Vietnam" (102.14-112.55°E, 5.67-23.4°N) widened to
 * 118°E for the Hoàng Sa and Trường Sa islands, and rounded outwards.
 */
static void snapshot_check_extent(const struct cfg *cfg,
				  const struct layer_snapshot *snap,
				  struct cfg_errors *errors)
{
	static const double vietnam[4] = { 102.0, 5.5, 118.0, 24.0 };
	const struct cfg_layer *l = snap->cfg;
	const double *e = snap->extent;

	/* Scenes carry their own georeferencing; no config CRS to blame. */
	if (l->kind != CFG_LAYER_VECTOR || snap->empty ||
	    geom_box_contains(vietnam, e))
		return;
	LAYER_WARNING(errors, cfg->path, l->crs_line ? l->crs_line : l->line,
		      "lớp %s: phạm vi dữ liệu (%.4f, %.4f, %.4f, %.4f theo "
		      "CRS84) không nằm trọn trong Việt Nam; kiểm tra crs của "
		      "lớp (%s)",
		      "layer %s: the data extent (%.4f, %.4f, %.4f, %.4f in "
		      "CRS84) is not inside Vietnam; check the layer's crs "
		      "(%s)",
		      l->id, e[0], e[1], e[2], e[3],
		      snap->crs != NULL ? snap->crs->id : "?");
}

int layer_snapshot_load(const struct cfg *cfg, const struct cfg_layer *layer,
			const char *source, int64_t version,
			const struct restricted_set *restricted,
			struct layer_snapshot **out, struct cfg_errors *errors)
{
	double start = layer_now_ms();
	struct layer_snapshot *snap = calloc(1, sizeof(*snap));
	int rc;

	*out = NULL;
	if (snap == NULL) {
		LAYER_ERROR(errors, cfg->path, layer->line,
			    "lớp %s: hết bộ nhớ", "layer %s: out of memory",
			    layer->id);
		return -1;
	}
	snap->cfg = layer;
	snap->version = version;
	atomic_init(&snap->refcount, 1);

	layer_gdal_init();
	if (layer->kind == CFG_LAYER_RASTER)
		rc = layer_raster_load(cfg, layer, restricted, snap, errors);
	else
		rc = layer_vector_load(cfg, layer, source, restricted, snap,
				       errors);
	if (rc != 0) {
		layer_snapshot_destroy(snap);
		return -1;
	}
	snap->load_ms = layer_now_ms() - start;
	snapshot_check_extent(cfg, snap, errors);
	snapshot_log(snap, source ? source : layer->source);
	*out = snap;
	return 0;
}

struct layer_snapshot *layer_snapshot_retain(struct layer_snapshot *snap)
{
	if (snap != NULL)
		atomic_fetch_add_explicit(&snap->refcount, 1,
					  memory_order_relaxed);
	return snap;
}

void layer_snapshot_release(struct layer_snapshot *snap)
{
	if (snap == NULL)
		return;
	/* Release pairs with the acquire of the thread that frees. */
	if (atomic_fetch_sub_explicit(&snap->refcount, 1,
				      memory_order_acq_rel) == 1)
		layer_snapshot_destroy(snap);
}

int layer_attr_find(const struct layer_snapshot *snap, const char *name)
{
	for (size_t i = 0; i < snap->n_attrs; i++)
		if (strcmp(snap->attrs[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool layer_attr_visible(const struct layer_snapshot *snap, size_t index,
			enum cfg_role role)
{
	const struct cfg_layer *l = snap->cfg;
	const char *name = cfg_role_name(role);

	if (index >= snap->n_attrs)
		return false;
	if (!snap->attrs[index].personal)
		return true;
	for (size_t i = 0; name != NULL && i < l->n_personal_roles; i++)
		if (strcmp(l->personal_roles[i], name) == 0)
			return true;
	return false;
}

const struct feature *layer_feature_find(const struct layer_snapshot *snap,
					 int64_t fid)
{
	size_t lo = 0, hi = snap->n_features;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t v = snap->features[mid].fid;
		if (v == fid)
			return &snap->features[mid];
		if (v < fid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct search_visit {
	const struct layer_snapshot *snap;
	int (*visit)(const struct feature *f, void *arg);
	void *arg;
};

static int search_visit_id(size_t id, void *arg)
{
	struct search_visit *s = arg;

	return s->visit(&s->snap->features[id], s->arg);
}

int layer_snapshot_search(const struct layer_snapshot *snap,
			  const double box[4],
			  int (*visit)(const struct feature *f, void *arg),
			  void *arg)
{
	struct search_visit s = { snap, visit, arg };

	return layer_index_search(snap->index, box, search_visit_id, &s);
}
