/*
 * config: the one YAML file that describes a vnsdi server, parsed with
 * libyaml into an immutable struct.
 *
 * A loaded config is never changed; a new config replaces the old one by
 * pointer. Every string is UTF-8 and owned by the config; everything is freed
 * by cfg_free(). Paths are stored resolved: relative paths in the file are
 * taken relative to the folder of the config file.
 */
#ifndef VNSDI_CONFIG_H
#define VNSDI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cfg_layer_kind {
	CFG_LAYER_VECTOR,
	CFG_LAYER_RASTER
};

/* How a vector layer is drawn. */
struct cfg_style {
	char *name;            /* style id, "default" when not given */
	char *title_vi;
	char *title_en;
	char *fill_by;         /* attribute holding a land-use code whose colour
				  fills the polygon, or NULL */
	uint32_t fill;         /* 0xRRGGBBAA fill when fill_by is NULL or the
				  code is unknown; alpha 0 for no fill */
	uint32_t stroke;       /* 0xRRGGBBAA outline and line colour */
	double stroke_width;   /* pixels */
	double point_radius;   /* pixels */
	char *label;           /* attribute drawn as a label, or NULL */
	char *label_area;      /* attribute printed under the label, as
				  cadastral maps print the area under the
				  parcel number, or NULL */
};

/* One imagery scene of a raster layer. */
struct cfg_scene {
	char *path;            /* GDAL dataset */
	char *title;           /* may be NULL */
	int line;
};

/*
 * A link from each feature of a layer to the records of another layer that
 * share a key: the feature's `key` value is looked up as `target_key` in
 * `layer` (OGC API links with rel "related").
 */
struct cfg_link {
	char *layer;           /* target layer id */
	char *key;             /* attribute of this layer */
	char *target_key;      /* attribute of the target layer, NULL: key */
	char *title_vi;        /* link title, NULL: the target layer's */
	char *title_en;
	int line;
};

/* What a published version of a vector layer must satisfy. */
enum cfg_publish_policy {
	CFG_PUBLISH_REJECT,    /* any problem rejects the file */
	CFG_PUBLISH_REPAIR     /* invalid geometries are repaired with GEOS
				  MakeValid; data problems are reported as
				  warnings; schema and CRS errors still reject */
};

struct cfg_publish {
	enum cfg_publish_policy policy;  /* reject by default */
	double sliver_area_m2;  /* polygons smaller than this are slivers, 1 */
	double area_tolerance_pct; /* largest gap between the area attribute
				      and the geodesic area, in %, 5 */
	char **required;       /* fields every version must have */
	size_t n_required;
	char **key;            /* fields naming a parcel across versions, such
				  as SoHieuToBanDo, SoThuTuThua; NULL/0: the
				  feature id */
	size_t n_key;
	char *area_attribute;  /* official area in m2, "DienTich"; checked
				  only when the data has the field */
	char *landuse_attribute; /* land-use code field, NULL: the default
				    style's fill_by */
	int line;              /* line of `publish`, 0 when absent */
};

struct cfg_layer {
	char *id;              /* stable ASCII id */
	char *title_vi;
	char *title_en;
	char *abstract_vi;
	char *abstract_en;
	enum cfg_layer_kind kind;

	/* Vector source: a GDAL dataset and one layer in it. */
	char *source;          /* path or GDAL connection string */
	char *source_layer;    /* NULL: the dataset's first layer */
	char *crs;             /* declared storage CRS, NULL: read from data */
	char *encoding;        /* source text encoding such as "CP1258", NULL:
				  as the driver declares it */
	char *id_attribute;    /* attribute used as featureId, NULL: the FID */
	char *time_attribute;  /* attribute used by datetime queries, or NULL */
	char **attributes;     /* exposed attributes, in order; NULL/0: all */
	size_t n_attributes;
	char **personal;       /* personal-data attributes */
	size_t n_personal;
	char **personal_roles; /* roles allowed to read personal attributes */
	size_t n_personal_roles;
	struct cfg_style *styles; /* first one is the default */
	size_t n_styles;

	/* Raster source: imagery scenes. */
	struct cfg_scene *scenes;
	size_t n_scenes;

	int line;              /* line of the layer in the config file */
	int source_line;       /* line of `source` (or `scenes`), for messages
				  about the data set; 0 when absent */
	int crs_line;          /* line of `crs`, 0 when absent */

	struct cfg_publish publish; /* checks of published versions */

	struct cfg_link *links;   /* linked records of other layers */
	size_t n_links;
};

/* A restricted area: features that touch it are never served. */
struct cfg_restricted {
	char *source;          /* GDAL dataset with polygons */
	char *source_layer;    /* NULL: first layer */
	char *crs;             /* declared CRS, NULL: read from data */
	char *name_attribute;  /* attribute with the area's name */
	char *reason_attribute;/* attribute with the reason code */
	int line;
};

enum cfg_role {
	CFG_ROLE_ANONYMOUS,
	CFG_ROLE_PARTNER,
	CFG_ROLE_PLANNER,
	CFG_ROLE_PUBLISHER,
	CFG_ROLE_ADMIN
};

struct cfg_user {
	char *name;
	enum cfg_role role;
	char *token_sha256;    /* lowercase hex SHA-256 of the token */
	double rate_limit;     /* requests per second, 0: none */
	int line;
};

struct cfg_limits {
	int max_width;         /* pixels, WMS MaxWidth */
	int max_height;        /* pixels, WMS MaxHeight */
	int default_features;  /* items limit when the client gives none */
	int max_features;      /* largest items limit accepted */
	int request_timeout;   /* seconds */
	long long max_upload;  /* bytes */
};

struct cfg {
	char *path;            /* the config file as given */
	char *dir;             /* folder of the config file */

	char *listen_host;     /* "127.0.0.1" */
	int listen_port;       /* 8080 */
	int threads;           /* worker threads */
	char *data_dir;        /* writable: cache, versions, audit log */
	char *public_url;      /* base URL used in links, NULL: from Host */

	char *title_vi;        /* service title */
	char *title_en;
	char *abstract_vi;
	char *abstract_en;

	char **output_crs;     /* CRS ids offered to clients, in order */
	size_t n_output_crs;

	struct cfg_limits limits;

	char **cors_origins;   /* "*" allows any origin */
	size_t n_cors_origins;

	struct cfg_layer *layers;
	size_t n_layers;

	struct cfg_restricted *restricted;
	size_t n_restricted;
	double imagery_max_km2; /* largest scene and response footprint, 200 */

	struct cfg_user *users;
	size_t n_users;

	int versions_retention; /* published versions kept per layer, 0: all */

	char *tiles_cache_control; /* Cache-Control of tiles, NULL: the
				     default of tiles/tilecache.h */
	int tiles_cache_max_mb;    /* tile cache size limit, 0: none */
};

/* Severity of a problem. A zeroed entry is an error. */
enum cfg_severity {
	CFG_SEVERITY_ERROR,    /* the config cannot be used */
	CFG_SEVERITY_WARNING   /* the config loads, but something needs care,
				  such as a deprecated CRS code replaced */
};

/* One problem found in a config file or the data it names. */
struct cfg_error {
	char *file;            /* the config file, or a data file */
	int line;              /* 1-based line in the config, 0 when unknown */
	char *message;         /* what is wrong, naming the value; Vietnamese
				  when message_en is set */
	char *message_en;      /* English text of the same message, or NULL
				  when `message` is the only text */
	enum cfg_severity severity;
};

struct cfg_errors {
	struct cfg_error *items;
	size_t count;          /* errors and warnings */
	size_t capacity;
	size_t n_warnings;     /* how many of `count` are warnings */
};

/*
 * Parse a config file. On success returns 0 and *out receives a config that
 * the caller frees with cfg_free(). On failure returns -1, *out is NULL and
 * `errors` lists every problem found (unknown keys, wrong types, missing
 * required values, unknown CRS names, unreadable files named by paths).
 * `errors` must be zeroed by the caller and freed with cfg_errors_clear().
 * On success `errors` may still hold warnings (errors->n_warnings), such as
 * a deprecated CRS code that was replaced: print them too.
 * Checks of the data sets themselves (that a layer exists in a data set,
 * that it has a CRS) belong to `vnsdi check`, which loads them.
 *
 * Strings that the file may omit are filled in. Titles fall back to the
 * layer id or the other language, and abstracts to "". So title_vi,
 * title_en, abstract_vi and abstract_en of the config, its layers and their
 * styles are never NULL. Every layer has at least one style.
 */
int cfg_load(const char *path, struct cfg **out, struct cfg_errors *errors);

/* Free a config. Accepts NULL. */
void cfg_free(struct cfg *cfg);

/* Append a problem: printf-style message. */
void cfg_errors_add(struct cfg_errors *errors, const char *file, int line,
		    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Append a problem with a Vietnamese and an English text that take the same
 * printf arguments. `line` 0 means no line.
 */
void cfg_errors_add_lang(struct cfg_errors *errors,
			 enum cfg_severity severity, const char *file,
			 int line, const char *fmt_vi, const char *fmt_en, ...)
	__attribute__((format(printf, 5, 7), format(printf, 6, 7)));

/*
 * Print every problem as "file:line: message" to `out` (a FILE *), warnings
 * as "file:line: warning: message" ("cảnh báo" in Vietnamese). The text is
 * Vietnamese unless the first of VNSDI_LANG, LC_ALL, LC_MESSAGES and LANG
 * that is set starts with "en".
 */
void cfg_errors_print(const struct cfg_errors *errors, void *out);

/* Same as cfg_errors_print in a given language: true for English. */
void cfg_errors_print_lang(const struct cfg_errors *errors, void *out,
			   bool english);

/* Number of entries that are errors, not warnings. */
size_t cfg_errors_count(const struct cfg_errors *errors);

void cfg_errors_clear(struct cfg_errors *errors);

/* Find a layer by id. Returns NULL when the config has none with that id. */
const struct cfg_layer *cfg_layer_find(const struct cfg *cfg, const char *id);

/* Role names as used in the config: "anonymous", "partner", ... */
const char *cfg_role_name(enum cfg_role role);

/*
 * Find a role by its config name. Returns 0 and sets *out, or -1 when the
 * name is not a role.
 */
int cfg_role_parse(const char *name, enum cfg_role *out);

/*
 * Resolve a path named in the config. An absolute path or a GDAL connection
 * string (a ':' before any '/', such as "PG:dbname=x" or "OAPIF:http://...")
 * is kept as it is. A relative path is taken from the config file's folder.
 * Returns a new string the caller frees, or NULL when out of memory.
 */
char *cfg_path_resolve(const struct cfg *cfg, const char *path);

#endif
