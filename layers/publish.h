/*
 * layers/publish: new versions of a vector layer, published from a file.
 *
 * A publish reads an uploaded GeoPackage, zipped Shapefile or GeoJSON,
 * checks it (validate.c), writes the accepted features to a GeoPackage of
 * the new version, compares it with the live version by parcel key
 * (diff.c), builds and indexes the new snapshot in full, commits the
 * version by renaming its manifest into place last (versions.c), and only
 * then swaps the snapshot into the registry (publish.c). Requests in flight
 * finish on the old snapshot.
 *
 * On disk, under <data_dir>/versions/<layer>/<N>/: data.gpkg and
 * manifest.json. A folder without manifest.json is an unfinished publish:
 * it is never listed and is removed at the next start or publish. Every
 * file is written to a temporary name, synced, renamed, and its folder is
 * synced, so a crash at any moment leaves either the previous version or
 * the new one, complete.
 *
 * Threads: a publisher may be shared by every request thread; publishes of
 * one layer are serialised (a second one at the same time is refused).
 */
#ifndef VNSDI_LAYERS_PUBLISH_H
#define VNSDI_LAYERS_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "layers/layers.h"

/* ---- Validation report (validate.c) ---- */

enum validate_kind {
	VALIDATE_FILE,              /* the file cannot be read */
	VALIDATE_CRS,               /* CRS missing, unknown or not VN-2000 */
	VALIDATE_SCHEMA,            /* a field is missing or of another type */
	VALIDATE_GEOMETRY_TYPE,     /* empty geometry or not a polygon */
	VALIDATE_SELF_INTERSECTION, /* GEOS: self-intersection */
	VALIDATE_BAD_RING,          /* GEOS: any other invalid ring */
	VALIDATE_SLIVER,            /* polygon under sliver_area_m2 */
	VALIDATE_DUPLICATE_KEY,     /* a parcel key used twice */
	VALIDATE_LANDUSE,           /* land-use code not in the official list */
	VALIDATE_AREA,              /* area attribute vs geodesic area */
	VALIDATE_TEXT,              /* text not in UTF-8, or how it was read */
	VALIDATE_KIND_COUNT
};

enum validate_severity {
	VALIDATE_ERROR,             /* blocks the publish */
	VALIDATE_WARNING,           /* reported, the feature is kept as is */
	VALIDATE_REPAIRED           /* repaired with GEOS MakeValid */
};

struct validate_problem {
	enum validate_kind kind;
	enum validate_severity severity;
	bool has_feature;
	int64_t fid;                /* the id attribute, else the source FID */
	char key[96];               /* parcel key "sheet/number", or "" */
	bool has_location;
	double lon, lat;            /* CRS84 point where it is */
	char *message_vi;           /* owned */
	char *message_en;           /* owned */
};

/* Maximum number of problems listed; the counts go on past it. */
#define VALIDATE_MAX_LISTED 5000

struct validate_report {
	char driver[32];            /* GDAL driver of the file */
	char crs_id[32];            /* "EPSG:5899", or "" */
	size_t n_features;          /* read from the file */
	size_t n_written;           /* written to the version's GeoPackage */
	size_t n_errors, n_warnings, n_repaired;
	size_t counts[VALIDATE_KIND_COUNT];
	struct validate_problem *problems; /* at most VALIDATE_MAX_LISTED */
	size_t n_problems;
	size_t cap_problems;
	bool readable;              /* false: the file itself is unreadable */
	bool accepted;              /* no error: the version may go live */
};

/* Free the problems of a report and zero it. Accepts NULL. */
void validate_report_clear(struct validate_report *report);

/* Stable ASCII name of a kind ("self_intersection"...) and a severity. */
const char *validate_kind_name(enum validate_kind kind);
const char *validate_severity_name(enum validate_severity severity);

/*
 * The report as JSON text (a new string the caller frees, NULL when out of
 * memory): counts, every listed problem with its feature id, key, CRS84
 * location and messages in both languages, and the summaries.
 */
char *validate_report_json(const struct validate_report *report);

/*
 * A readable summary of a report in Vietnamese (`english` false) or
 * English: one line of counts, then one line per listed problem, at most
 * `max_lines` of them. A new string the caller frees.
 */
char *validate_report_text(const struct validate_report *report,
			   bool english, size_t max_lines);

/* Progress of a long step: `done` of `total` units (total 0: unknown). */
typedef void (*publish_progress_fn)(void *arg, const char *stage,
				    size_t done, size_t total);

struct validate_options {
	const struct cfg *cfg;
	const struct cfg_layer *layer;
	const struct layer_snapshot *live; /* schema of the live version, or
					      NULL; borrowed */
	bool (*landuse_known)(const char *code); /* NULL: codes unchecked */
	publish_progress_fn progress;      /* may be NULL */
	void *progress_arg;
};

/*
 * Read the data set at `path` (a GDAL name: a file, or a /vsizip/ path),
 * check every feature and, when `out_gpkg` is not NULL, write the accepted
 * features (repaired where the policy says so) to a new GeoPackage there,
 * keeping every field, the feature ids and the CRS. The GeoPackage is
 * removed again when the report has an error. Returns 0 when the report is
 * complete (accepted or not), -1 when out of memory or when writing failed.
 */
int validate_file(const struct validate_options *opt, const char *path,
		  const char *out_gpkg, struct validate_report *report);

/*
 * Find the data set inside an uploaded file by its first bytes: a zip
 * (the one .shp, .gpkg, .geojson or .json in it, read through /vsizip/),
 * a GeoPackage or a GeoJSON text. The file is renamed to carry the
 * extension GDAL expects. Writes the GDAL name to open into `gdal_path`.
 * Returns 0, or -1 with a message in both languages.
 */
int publish_input_detect(const char *upload_path, char *gdal_path,
			 size_t gdal_path_size, char *error_vi,
			 char *error_en, size_t error_size);

/* ---- Changes between two versions (diff.c) ---- */

struct diff_entry {
	char *key;                  /* parcel key, or "fid:N" */
	int64_t fid_old;            /* -1 when absent */
	int64_t fid_new;
};

struct diff_result {
	struct diff_entry *added, *removed, *modified;
	size_t n_added, n_removed, n_modified;
	size_t n_old, n_new;        /* features in each version */
	double (*boxes)[4];         /* CRS84 boxes of every change, before and
				       after: west, south, east, north */
	size_t n_boxes;
	double extent[4];           /* union of the boxes */
	bool has_extent;            /* false: nothing changed in space */
};

/*
 * Compare two data sets of a layer by parcel key (layer->publish.key, else
 * the feature id): a feature is modified when its geometry or any field
 * differs. `old_path` NULL stands for an empty layer. Returns 0, or -1 with
 * a message in `error`.
 */
int diff_files(const struct cfg_layer *layer, const char *old_path,
	       const char *new_path, struct diff_result *out, char *error,
	       size_t error_size);

/* Free a result and zero it. Accepts NULL. */
void diff_result_clear(struct diff_result *result);

/* The result as JSON text (new string), with at most `max_keys` keys per
   list. */
char *diff_result_json(const struct diff_result *result, int64_t from,
		       int64_t to, size_t max_keys);

/* ---- Versions on disk (versions.c) ---- */

/* Write the folder of a layer's versions, or of one version when
   `number` > 0. Returns 0, -1 when it does not fit. */
int versions_path(const struct cfg *cfg, const char *layer_id,
		  int64_t number, const char *file, char *out, size_t size);

/*
 * The complete versions of a layer (those with a manifest), ascending, in a
 * new array the caller frees. Returns the count; 0 when there is none.
 */
size_t versions_list(const struct cfg *cfg, const char *layer_id,
		     int64_t **numbers);

/* The newest complete version, 0 when there is none. */
int64_t versions_latest(const struct cfg *cfg, const char *layer_id);

/* The manifest text of a version (new string), or NULL. */
char *versions_manifest(const struct cfg *cfg, const char *layer_id,
			int64_t number);

/* Remove the folders of unfinished versions and stale temporary files. */
void versions_clean(const struct cfg *cfg, const char *layer_id);

/*
 * Keep the newest `keep` versions (0: all) and never `live`; remove the
 * others' folders. Returns the number removed.
 */
size_t versions_retain(const struct cfg *cfg, const char *layer_id,
		       int keep, int64_t live);

/*
 * Durable writes: write `size` bytes to path + ".tmp", fsync, rename over
 * `path`, fsync the folder. Returns 0 or -1 (errno set).
 */
int versions_write_file(const char *path, const void *data, size_t size);

/* fsync a file, or a folder, by name. Returns 0 or -1. */
int versions_fsync(const char *path);

/* Copy a file durably (temporary name, fsync, rename, fsync folder). */
int versions_copy_file(const char *from, const char *to);

/* Lowercase hex SHA-256 of a file's bytes (65 bytes). Returns 0 or -1. */
int versions_sha256_file(const char *path, char hex[65]);

/*
 * Test hook: when the environment variable VNSDI_TEST_CRASH_AT equals
 * `stage`, the process ends at once with _exit(99), as a kill -9 would.
 */
void publish_crash_point(const char *stage);

/* ---- The publisher (publish.c) ---- */

struct publisher;

enum publish_status {
	PUBLISH_OK,
	PUBLISH_REJECTED,           /* validation errors: see the report */
	PUBLISH_UNREADABLE,         /* not a data set we can read */
	PUBLISH_NOT_FOUND,          /* unknown layer or version */
	PUBLISH_NOT_VECTOR,         /* a raster layer */
	PUBLISH_BUSY,               /* another publish of the layer runs */
	PUBLISH_FAILED              /* disk or memory failure: logged */
};

struct publish_outcome {
	enum publish_status status;
	int64_t version;            /* the new version */
	struct validate_report report;
	char *manifest;             /* JSON text of the new manifest */
	char message_vi[512];
	char message_en[512];
	double changed_extent[4];   /* CRS84, valid when has_changed_extent */
	bool has_changed_extent;
	double (*changed_boxes)[4]; /* CRS84 boxes for the tile cache */
	size_t n_changed_boxes;
};

void publish_outcome_clear(struct publish_outcome *out);

/*
 * Open the publisher of a server and bring back the live version of each
 * vector layer: the newest complete version on disk is loaded and swapped
 * into the registry (falling back to older ones when it cannot be read).
 * `registry`, `restricted` and `cfg` are borrowed. `landuse_known` checks
 * a single land-use code (may be NULL). Returns NULL when out of memory.
 */
struct publisher *publisher_open(const struct cfg *cfg,
				 struct layer_registry *registry,
				 const struct restricted_set *restricted,
				 bool (*landuse_known)(const char *code));
void publisher_close(struct publisher *pub);

/*
 * Publish the data set in `upload_path` (taken over: moved or removed) as
 * the next version of `layer_id`, on behalf of `user`. `file_name` is the
 * name the client gave (may be NULL). Fills `out`; returns 0 when
 * out->status is PUBLISH_OK.
 */
int publisher_publish(struct publisher *pub, const char *layer_id,
		      const char *upload_path, const char *file_name,
		      const char *user, struct publish_outcome *out);

/* Publish a copy of version `target` as the next version. */
int publisher_rollback(struct publisher *pub, const char *layer_id,
		       int64_t target, const char *user,
		       struct publish_outcome *out);

/* The live published version of a layer, 0 for the config's source. */
int64_t publisher_live_version(struct publisher *pub, const char *layer_id);

/*
 * Progress of the current or last publish of a layer as JSON text:
 * {"layer", "state", "stage", "done", "total"}. New string, or NULL.
 */
char *publisher_progress_json(struct publisher *pub, const char *layer_id);

/*
 * Diff two versions of a layer (0 is the config's source). Returns 0 and
 * JSON text in *json, -1 when a version does not exist or cannot be read.
 */
int publisher_diff(struct publisher *pub, const char *layer_id,
		   int64_t from, int64_t to, char **json);

#endif
