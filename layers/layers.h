/*
 * layers: land layers read through GDAL into immutable snapshots with a
 * spatial index, the registry that swaps them atomically, and the queries
 * every endpoint reads them through.
 *
 * The state-secret and personal-data rules live here, where data is read,
 * so every endpoint inherits them: features that touch a restricted area
 * are dropped when a snapshot is built, imagery scenes over the footprint
 * limit are dropped whole, and personal attributes are hidden from roles
 * that may not read them (layer_attr_visible).
 *
 * Threads: a snapshot is never changed after layer_snapshot_load returns, so
 * any number of threads may read it while they hold a reference.
 */
#ifndef VNSDI_LAYERS_H
#define VNSDI_LAYERS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <geos_c.h>

#include "config/config.h"
#include "vn2000/vn2000.h"

enum geom_type {
	GEOM_NONE,     /* a record without geometry */
	GEOM_POINT,    /* one or more points (MultiPoint) */
	GEOM_LINE,     /* one or more lines (MultiLineString) */
	GEOM_POLYGON   /* one or more polygons (MultiPolygon) */
};

/*
 * A geometry as flat arrays. Part i runs over points
 * part_start[i] .. part_start[i + 1] - 1. For polygons each part is a ring,
 * closed (first point repeated last); part_outer[i] is true for the exterior
 * ring that starts a new polygon and false for its holes, which follow it.
 * `multi` records whether the source was a Multi* type.
 */
struct geom {
	enum geom_type type;
	bool multi;
	uint32_t n_points;
	uint32_t n_parts;
	double *xy;            /* 2 * n_points: x, y, x, y ... */
	uint32_t *part_start;  /* n_parts + 1 entries */
	bool *part_outer;      /* n_parts entries, polygons only, else NULL */
};

enum attr_type {
	ATTR_INTEGER,
	ATTR_REAL,
	ATTR_STRING,
	ATTR_DATE,      /* ISO 8601 text "YYYY-MM-DD" kept in .s */
	ATTR_DATETIME   /* ISO 8601 text kept in .s */
};

struct attr_def {
	char *name;
	enum attr_type type;
	bool personal;         /* only roles in the layer's personal_roles */
};

struct value {
	bool is_null;
	union {
		int64_t i;
		double d;
		char *s;       /* UTF-8 NFC */
	} u;
};

/*
 * A feature without geometry (GEOM_NONE) has zero boxes, is left out of
 * the spatial index and of the extents, and is found by queries without a
 * bbox only.
 */
struct feature {
	int64_t fid;           /* stable id: the id attribute or the source FID */
	struct geom native;    /* in the snapshot's storage CRS */
	struct geom lonlat;    /* in CRS84, lon/lat WGS 84 degrees */
	double bbox[4];        /* of lonlat: west, south, east, north */
	double native_bbox[4]; /* of native */
	struct value *values;  /* one per attr_def of the snapshot */
};

/* An imagery scene of a raster layer. */
struct scene {
	char *path;
	double footprint[4];   /* CRS84 box */
	double area_km2;       /* geodesic area of the footprint */
	bool dropped;          /* never read into a response */
	char *drop_reason;     /* why, or NULL: Vietnamese, then " / " and
				  English */
	const struct vn2000_crs *crs; /* CRS of the scene's pixels */
	double native_bbox[4]; /* box of the geotransform corners in crs */
	int width, height;     /* pixels */
};

struct layer_index;            /* packed R-tree over feature bboxes */

struct layer_snapshot {
	const struct cfg_layer *cfg;   /* borrowed from the config */
	int64_t version;               /* 1, 2, ... increases at each publish */
	const struct vn2000_crs *crs;  /* storage CRS */
	char *crs_note;                /* how the CRS was identified */

	struct attr_def *attrs;        /* exposed attributes, in config order */
	size_t n_attrs;

	struct feature *features;      /* sorted by fid: the stable order */
	size_t n_features;
	struct layer_index *index;     /* over feature bbox (CRS84) */
	double extent[4];              /* CRS84 extent of served features */
	double native_extent[4];
	bool empty;                    /* nothing served: extents are zero */

	struct scene *scenes;          /* raster layers */
	size_t n_scenes;

	size_t n_dropped_restricted;   /* features (or scenes) dropped at load
					  because they touch a restricted
					  area */
	size_t n_dropped_footprint;    /* scenes dropped for their area */
	size_t n_dropped_linked;       /* of n_dropped_restricted: records
					  dropped because they link to a
					  feature dropped for a restricted
					  area (see layer_registry_open) */
	/* Key values that other layers link to (cfg_link target_key) of
	   the features dropped for a restricted area, one entry per
	   attribute; never served. */
	struct layer_dropped_keys *dropped_keys;
	size_t n_dropped_keys;
	struct layer_snapshot *base;   /* the snapshot whose features this
					  one borrows (a link-filtered
					  copy), or NULL */
	double load_ms;                /* time taken by layer_snapshot_load */
	atomic_int refcount;           /* see layer_snapshot_retain */
};

/* Restricted areas loaded once per config, in CRS84 as GEOS geometries. */
struct restricted_set;

/*
 * Load the restricted areas of a config. Returns 0 on success with *out set
 * (an empty set when the config names none), -1 with messages in `errors`.
 */
int restricted_set_load(const struct cfg *cfg, struct restricted_set **out,
			struct cfg_errors *errors);
void restricted_set_free(struct restricted_set *set);

/*
 * True when a CRS84 geometry touches a restricted area. A NULL or empty
 * set, or a geometry without points, never hits. Thread-safe (the set
 * serialises its GEOS work under a mutex; meant for load time).
 */
bool restricted_set_hits(const struct restricted_set *set,
			 const struct geom *lonlat);

/* Same test for a CRS84 box (west, south, east, north). */
bool restricted_set_hits_box(const struct restricted_set *set,
			     const double box[4]);

/* Number of restricted polygons in the set; 0 for NULL. */
size_t restricted_set_count(const struct restricted_set *set);

/*
 * Build a snapshot of one layer from its source, as version `version`.
 * `source` overrides cfg->source when not NULL (a published file).
 * Features touching `restricted` (may be NULL) are dropped and counted.
 * Returns 0 and a snapshot with refcount 1, or -1 with messages in errors
 * (file, line of the layer in the config, value).
 */
int layer_snapshot_load(const struct cfg *cfg, const struct cfg_layer *layer,
			const char *source, int64_t version,
			const struct restricted_set *restricted,
			struct layer_snapshot **out, struct cfg_errors *errors);

/* Add a reference (atomic). Returns the snapshot for chaining. */
struct layer_snapshot *layer_snapshot_retain(struct layer_snapshot *snap);

/* Drop a reference (atomic); the last one frees. Accepts NULL. */
void layer_snapshot_release(struct layer_snapshot *snap);

/* Index of an attribute by name, or -1. */
int layer_attr_find(const struct layer_snapshot *snap, const char *name);

/* Whether `role` may read attribute `index` (personal-data rule). */
bool layer_attr_visible(const struct layer_snapshot *snap, size_t index,
			enum cfg_role role);

/* The feature with that fid, or NULL. Binary search: features are sorted. */
const struct feature *layer_feature_find(const struct layer_snapshot *snap,
					 int64_t fid);

/*
 * Call `visit` for every feature whose CRS84 bbox intersects `box` (west,
 * south, east, north), in no particular order. Stops early when visit
 * returns non-zero and returns that value; returns 0 otherwise.
 */
int layer_snapshot_search(const struct layer_snapshot *snap,
			  const double box[4],
			  int (*visit)(const struct feature *f, void *arg),
			  void *arg);

/* An equality condition on an attribute, value as text from the request. */
struct layer_condition {
	const char *name;
	const char *value;
};

struct layer_filter;                   /* a parsed filter, layer_filter_parse */

/* One key of a sort: an attribute index and the direction. */
struct layer_sort_key {
	size_t attr;
	bool descending;
};

struct layer_query {
	const double *bbox;            /* CRS84 box, or NULL */
	const struct layer_condition *conditions;
	size_t n_conditions;
	size_t offset;
	size_t limit;
	enum cfg_role role;            /* conditions on hidden attributes fail */
	/* Filters that must all match (CQL2, datetime); may be NULL/0. */
	const struct layer_filter *const *filters;
	size_t n_filters;
	/* Sort keys, then fid; NULL/0: fid order. */
	const struct layer_sort_key *sort;
	size_t n_sort;
};

struct layer_result {
	const struct feature **features; /* the page, in fid order */
	size_t count;                     /* numberReturned */
	size_t matched;                   /* numberMatched */
};

/*
 * Run a query. Features are in fid order, so pages are stable. Returns 0,
 * or -1 with `error` naming the attribute when a condition names an
 * attribute that does not exist or is not visible to the role, or a value
 * that does not fit the attribute's type. The message is
 * "Vietnamese / English": both halves joined by " / ", and each quotes
 * the same values, so a server picks the request's language by splitting
 * at the middle " / ". Free the result with layer_result_clear().
 */
int layer_query_run(const struct layer_snapshot *snap,
		    const struct layer_query *query,
		    struct layer_result *result,
		    char *error, size_t error_size);
void layer_result_clear(struct layer_result *result);

/*
 * Filters (CQL2 text and JSON, datetime), parsed into one tree and
 * evaluated by vnsdi; no request text ever reaches a database.
 */
enum layer_filter_lang {
	LAYER_FILTER_CQL2_TEXT,
	LAYER_FILTER_CQL2_JSON
};

/* Name of the geometry in filters and queryables. */
#define LAYER_FILTER_GEOMETRY "geometry"

/*
 * Parse a CQL2 filter for a snapshot. Only the attributes `role` may read
 * are known (a hidden attribute reads exactly like a missing one).
 * Geometry literals are in `filter_crs` (NULL: CRS84) and its axis order;
 * they are transformed to CRS84 with densified edges. Returns 0 and *out,
 * or -1 with a message "Vietnamese / English" in `error` (joined as the
 * messages of layer_query_run are). The filter
 * uses the calling thread's GEOS handle: evaluate it in that thread only.
 */
int layer_filter_parse(const struct layer_snapshot *snap,
		       enum layer_filter_lang lang, const char *text,
		       const struct vn2000_crs *filter_crs, enum cfg_role role,
		       struct layer_filter **out, char *error,
		       size_t error_size);

/*
 * A filter for the OGC API datetime parameter on the layer's
 * time_attribute: an instant or an interval "A/B" with ".." or "" for an
 * open end, dates or date-times. A feature matches when its time (a whole
 * day for a date) meets the instant or interval. Returns 0 and *out, or -1
 * with a message "Vietnamese / English" in `error` (no time attribute, bad
 * syntax).
 */
int layer_filter_datetime(const struct layer_snapshot *snap,
			  const char *text, struct layer_filter **out,
			  char *error, size_t error_size);

/* Whether a feature matches. Accepts NULL (matches everything). */
bool layer_filter_match(const struct layer_filter *filter,
			const struct feature *f);

/*
 * When every match must meet a CRS84 box (a spatial predicate at the top
 * of the filter or under AND), store it in `box` and return true.
 */
bool layer_filter_envelope(const struct layer_filter *filter, double box[4]);

void layer_filter_free(struct layer_filter *filter);

/*
 * The set of live snapshots, one per configured layer. Readers acquire a
 * reference; a publish swaps in a new snapshot, and requests in flight
 * finish on the old one.
 */
struct layer_registry;

/*
 * Load every layer of the config. Returns 0 and a registry, or -1 with every
 * problem in `errors`. `restricted` is borrowed and must outlive the registry.
 * Records that link (cfg_link) to a feature dropped for a restricted area
 * are dropped too: the registry serves a copy of such a layer without them,
 * and recomputes these copies at every layer_registry_swap.
 */
int layer_registry_open(const struct cfg *cfg,
			const struct restricted_set *restricted,
			struct layer_registry **out, struct cfg_errors *errors);
void layer_registry_close(struct layer_registry *reg);

/* Number of layers and their ids, in config order. */
size_t layer_registry_count(const struct layer_registry *reg);

/*
 * Acquire the live snapshot of layer `index` or of layer `id`. The caller
 * must call layer_snapshot_release(). Returns NULL for an unknown layer.
 */
struct layer_snapshot *layer_registry_acquire(struct layer_registry *reg,
					      size_t index);
struct layer_snapshot *layer_registry_acquire_id(struct layer_registry *reg,
						 const char *id);

/*
 * Swap in a new snapshot for its layer (found by snap->cfg->id); takes over
 * the caller's reference and releases the registry's reference to the old
 * one. Returns 0, or -1 for an unknown layer (the caller keeps its
 * reference). The layer served may be a copy of `snap` without the records
 * that link to a restricted feature, and the layers that link to it are
 * filtered again against its dropped keys.
 */
int layer_registry_swap(struct layer_registry *reg,
			struct layer_snapshot *snap);

/*
 * The capabilities' updateSequence: a number that grows whenever what the
 * registry serves changes. It is the time in seconds of the open or of the
 * latest swap, raised by one when the clock has not moved, so it also
 * grows across restarts while the clock is right.
 */
int64_t layer_registry_update_sequence(struct layer_registry *reg);

/*
 * Replace each of the n snapshots (one per config layer in config order,
 * NULL for a layer that did not load) by what the registry would serve:
 * a copy without the records that link to a feature dropped for a
 * restricted area. Takes over the references in `snaps`. Returns 0, or -1
 * when memory runs out (the array is then unchanged).
 */
int layer_snapshots_filter_links(struct layer_snapshot **snaps, size_t n);

/*
 * Create a folder and its missing parents (mode 0755), as mkdir -p does.
 * Returns 0, or -1 when a folder cannot be made or the path is longer than
 * 4095 bytes.
 */
int layer_mkdirs(const char *path);

/* Free a geometry's arrays (not the struct itself). Accepts NULL. */
void geom_clear(struct geom *g);

/*
 * Build a GEOS geometry from `g` with handle `h`. Degenerate parts (a line
 * of one point, a ring under four points) are padded by repeating points
 * so GEOS accepts them. Returns NULL for GEOM_NONE or on a GEOS failure;
 * the caller destroys the result with GEOSGeom_destroy_r.
 */
GEOSGeometry *geom_to_geos(GEOSContextHandle_t h, const struct geom *g);

/*
 * Free the calling thread's GEOS handle, which layer_query_run creates on
 * first use. Threads that exit free it anyway; call this in the main thread
 * before exit to leave nothing behind.
 */
void layer_thread_cleanup(void);

#endif
