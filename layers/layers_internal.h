/*
 * layers internals shared between the files of the module: geometry
 * conversion (OGR to struct geom, struct geom to GEOS), the per-thread GEOS
 * handle, text recoding, the packed R-tree and the loaders.
 */
#ifndef VNSDI_LAYERS_INTERNAL_H
#define VNSDI_LAYERS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <geos_c.h>
#include <gdal.h>
#include <ogr_api.h>

#include "layers/layers.h"

/* Largest number of points in one geometry and of features in one layer. */
#define LAYER_MAX_POINTS ((size_t)50000000)
#define LAYER_MAX_FEATURES ((size_t)20000000)

/* Report a problem in Vietnamese and English with the same arguments. */
#define LAYER_ERROR(errors, file, line, fmt_vi, fmt_en, ...)                 \
	cfg_errors_add_lang((errors), CFG_SEVERITY_ERROR, (file), (line),    \
			    fmt_vi, fmt_en, __VA_ARGS__)
#define LAYER_WARNING(errors, file, line, fmt_vi, fmt_en, ...)               \
	cfg_errors_add_lang((errors), CFG_SEVERITY_WARNING, (file), (line),  \
			    fmt_vi, fmt_en, __VA_ARGS__)

/* Free the geometries and values of one feature. Accepts NULL arrays. */
void layer_feature_clear(struct feature *f, const struct attr_def *attrs,
			 size_t n_attrs);

/* Call GDALAllRegister() once per process. Thread-safe. */
void layer_gdal_init(void);

/* Milliseconds since an arbitrary start (CLOCK_MONOTONIC). */
double layer_now_ms(void);

/*
 * Convert an OGR geometry (NULL allowed) into `out`, which must be zeroed.
 * Curves are linearised, Multi* keep their parts, a collection whose
 * members are all of one family (points, lines or polygons) is flattened.
 * An empty or NULL geometry gives GEOM_NONE. Returns 0, or -1 with a reason
 * in `error` (a mixed collection, an unsupported type, too many points).
 */
int geom_from_ogr(OGRGeometryH h, struct geom *out, char *error,
		  size_t error_size);

/* Deep copy of `src` into `dst` (zeroed). Returns 0 or -1 (no memory). */
int geom_copy(struct geom *dst, const struct geom *src);

/*
 * Bounding box (minx, miny, maxx, maxy) of the points of `g`. Returns false
 * and leaves zeros when the geometry has no point.
 */
bool geom_bbox(const struct geom *g, double box[4]);

/* Whether two boxes (minx, miny, maxx, maxy) share at least one point. */
bool geom_box_intersects(const double a[4], const double b[4]);

/* Whether box `inner` lies inside box `outer`, edges included. */
bool geom_box_contains(const double outer[4], const double inner[4]);

/* Grow `acc` to cover `box`; `*empty` is true until the first box. */
void geom_box_union(double acc[4], bool *empty, const double box[4]);


/*
 * The calling thread's GEOS handle, created on first use and destroyed by
 * layer_thread_cleanup() or when the thread exits. Never NULL unless GEOS
 * cannot allocate, in which case NULL.
 */
GEOSContextHandle_t layer_geos_thread_handle(void);

/*
 * Text recoding of one layer's strings into UTF-8. `encoding` NULL means
 * the strings are already UTF-8 and are only validated.
 */
struct layer_text;

/* Returns 0 and *out, or -1 when iconv does not know `encoding`. */
int layer_text_open(const char *encoding, struct layer_text **out);
void layer_text_close(struct layer_text *text);

/*
 * Return a new UTF-8 string for `raw` (recoded, or copied after
 * validation), or NULL when the bytes are not valid in the source encoding
 * (or not valid UTF-8). The caller frees the result.
 */
char *layer_text_convert(struct layer_text *text, const char *raw);

/*
 * The encoding in which a layer's strings arrive from the driver, or NULL
 * when they are UTF-8. `declared` is the config's encoding (may be NULL).
 * `note` receives a line for the log when a decision was made.
 */
const char *layer_text_source_encoding(GDALDatasetH ds, OGRLayerH layer,
				       const char *path, const char *declared,
				       char *note, size_t note_size);

/* Packed Hilbert R-tree over boxes; node size 16. Immutable once built. */
struct layer_index *layer_index_build(const double (*boxes)[4],
				      const size_t *ids, size_t n);
void layer_index_free(struct layer_index *index);

/*
 * Call visit(id, arg) for each item whose box intersects `box`. Stops
 * early when visit returns non-zero and returns that value.
 */
int layer_index_search(const struct layer_index *index, const double box[4],
		       int (*visit)(size_t id, void *arg), void *arg);

/* Number of items in the index. */
size_t layer_index_size(const struct layer_index *index);

/*
 * The storage CRS of a vector layer: the declared `crs` when not NULL,
 * else the data set's own. Writes how it was chosen into `note`. Returns
 * NULL with a message in `error` when there is none.
 */
const struct vn2000_crs *layer_crs_choose(GDALDatasetH ds, OGRLayerH layer,
					  const char *declared,
					  char *note, size_t note_size,
					  char *error, size_t error_size);

/* A message in Vietnamese and in English; empty strings: none. */
struct layer_message {
	char vi[1024];
	char en[1024];
};

/*
 * layer_crs_choose with its failure reason in both languages (`error`),
 * and a `warning` when the config declares a CRS that differs from the one
 * the data set declares (different PROJ definitions).
 */
const struct vn2000_crs *layer_crs_choose_lang(GDALDatasetH ds,
					       OGRLayerH layer,
					       const char *declared,
					       char *note, size_t note_size,
					       struct layer_message *error,
					       struct layer_message *warning);

/*
 * Whether `path` names something that is neither a regular file nor a
 * folder (a FIFO, a device, a socket), which GDAL could block on. False
 * for paths that do not exist, such as GDAL connection strings.
 */
bool layer_path_is_special(const char *path);

/*
 * Open a vector data set read-only and find the named layer (NULL: the
 * first). A Shapefile is opened with GDAL's ENCODING option set to
 * `dbf_encoding` when it is not NULL. "" hands the DBF bytes over as they
 * are, and an encoding name makes GDAL convert from it to UTF-8. GDAL 3.6
 * gets that conversion wrong for CP1258: it drops each string's last
 * character.
 * `allow_single` accepts the only layer of the data set when the name is
 * not found. Returns the data set (caller closes) or NULL with a message
 * in `error`.
 */
GDALDatasetH layer_vector_open(const char *path, const char *layer_name,
			       const char *dbf_encoding, bool allow_single,
			       OGRLayerH *layer, char *error,
			       size_t error_size);

/* Loaders behind layer_snapshot_load, for each kind of layer. */
int layer_vector_load(const struct cfg *cfg, const struct cfg_layer *layer,
		      const char *source,
		      const struct restricted_set *restricted,
		      struct layer_snapshot *snap, struct cfg_errors *errors);
int layer_raster_load(const struct cfg *cfg, const struct cfg_layer *layer,
		      const struct restricted_set *restricted,
		      struct layer_snapshot *snap, struct cfg_errors *errors);

/*
 * The values of one attribute over the features of a layer that were
 * dropped for a restricted area, as key text (layer_key_text), sorted and
 * unique once the load ends.
 */
struct layer_dropped_keys {
	char *attr;
	char **values;
	size_t n_values;
	size_t cap_values;
};

/* Largest number of key values recorded per attribute. */
#define LAYER_MAX_DROPPED_KEYS LAYER_MAX_FEATURES

/*
 * The text by which link keys are compared: integers in decimal, reals
 * with 17 significant digits, strings and dates as they are. Returns NULL
 * for a null value; the result is `buf` or the value's own string.
 */
const char *layer_key_text(const struct attr_def *attr,
			   const struct value *value, char *buf,
			   size_t size);

/* Add `value` (copied) to `keys`. Returns 0, or -1 (no memory, cap). */
int layer_dropped_keys_add(struct layer_dropped_keys *keys,
			   const char *value);

/* Sort the values and drop duplicates, so they can be searched. */
void layer_dropped_keys_finish(struct layer_dropped_keys *keys);

/* Free the n entries of `keys` and the array. Accepts NULL. */
void layer_dropped_keys_free(struct layer_dropped_keys *keys, size_t n);

/*
 * Build the snapshots to serve from the loaded ones: bases[i] is layer i of
 * the config as loaded (NULL for none), current[i] what is served now (NULL
 * at start). Every record of a vector layer whose link key (cfg_link.key)
 * matches a dropped key of the linked layer is dropped, then the records
 * linking to those, until nothing changes. served[i] receives a new
 * reference: current[i] when it already serves the same records, bases[i]
 * when nothing is dropped, else a filtered copy that borrows the base's
 * features. Returns 0, or -1 when memory runs out (served[] is then all
 * NULL).
 */
int layer_links_filter(struct layer_snapshot *const *bases,
		       struct layer_snapshot *const *current, size_t n,
		       struct layer_snapshot **served);

/*
 * Build the spatial index and the extents of a snapshot's features.
 * Returns 0, or -1 when memory runs out.
 */
int layer_vector_index(struct layer_snapshot *snap);

/* Free a snapshot's contents and the snapshot (refcount ignored). */
void layer_snapshot_destroy(struct layer_snapshot *snap);

/* The attribute type of an OGR field type: Integer and Integer64 are
   integers, Real is real, Date and DateTime keep their ISO text, and every
   other type is read as a string. */
enum attr_type layer_attr_type_of(OGRFieldType type);

#endif
