/*
 * Shared between the files of the validation: one pass over a file.
 */
#ifndef VNSDI_LAYERS_VALIDATE_INTERNAL_H
#define VNSDI_LAYERS_VALIDATE_INTERNAL_H

#include <geos_c.h>
#include <gdal.h>
#include <ogr_api.h>

#include "layers/publish.h"

/* Maximum number of fields in a parcel key. */
#define VALIDATE_MAX_KEY 8

/* What a problem says about its feature. */
struct validate_feature {
	int64_t fid;
	char key[96];
	bool has_location;
	double lon, lat;
};

/* A parcel key seen, for the duplicate check after the pass. */
struct validate_key {
	char *key;
	struct validate_feature feat;
	size_t order;          /* position in the file */
};

struct validate_run {
	const struct validate_options *opt;
	struct validate_report *report;
	GDALDatasetH ds;
	OGRLayerH ogr;
	const struct vn2000_crs *crs;
	struct vn2000_transform *to_lonlat; /* NULL: the file is CRS84 */
	const char *landuse_name;
	int id_field, area_field, landuse_field;
	int key_fields[VALIDATE_MAX_KEY];
	size_t n_key_fields;
	struct validate_key *keys;
	size_t n_keys, cap_keys;
	struct layer_text *text; /* converts a Shapefile's DBF text read as
				    raw bytes, or NULL */
	GDALDatasetH out_ds;   /* the version's GeoPackage, or NULL */
	OGRLayerH out_layer;
};

/* Record a problem; `feat` may be NULL for a problem of the whole file. */
void validate_add(struct validate_run *run, enum validate_kind kind,
		  enum validate_severity severity,
		  const struct validate_feature *feat, const char *fmt_vi,
		  const char *fmt_en, ...)
	__attribute__((format(printf, 5, 7), format(printf, 6, 7)));

/* Error under the reject policy, warning under repair. */
enum validate_severity validate_policy_severity(const struct validate_run *run);

bool validate_to_lonlat(const struct validate_run *run, double x, double y,
			double *lon, double *lat);

int validate_field(const struct validate_run *run, const char *name);

/* Check one feature and write it out. Returns -1 only when out of memory
   or when writing fails. */
int validate_feature(struct validate_run *run, OGRFeatureH f);

/* Report every parcel key used more than once. */
void validate_duplicates(struct validate_run *run);

/* The version's GeoPackage: create, add one feature, commit and close. */
int validate_write_open(struct validate_run *run, const char *path);
int validate_write_feature(struct validate_run *run, OGRFeatureH f,
			   OGRGeometryH geometry);
int validate_write_close(struct validate_run *run);

#endif
