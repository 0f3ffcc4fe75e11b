/*
 * Validation of a file before it goes live: the CRS, the attribute schema,
 * and per feature the geometry (GEOS validity, slivers), the land-use code,
 * the official area against the geodesic one and the uniqueness of the
 * parcel key. The accepted features are written to the version's
 * GeoPackage in the same pass (validate_write.c).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>

#include "layers/layers_internal.h"
#include "layers/validate_internal.h"

/* Features between two progress reports. */
#define VALIDATE_PROGRESS_STEP 64

void validate_add(struct validate_run *run, enum validate_kind kind,
		  enum validate_severity severity,
		  const struct validate_feature *feat, const char *fmt_vi,
		  const char *fmt_en, ...)
{
	struct validate_report *r = run->report;
	struct validate_problem *p;
	char vi[768], en[768];
	va_list ap;

	r->counts[kind]++;
	if (severity == VALIDATE_ERROR)
		r->n_errors++;
	else if (severity == VALIDATE_WARNING)
		r->n_warnings++;
	else
		r->n_repaired++;
	if (r->n_problems >= VALIDATE_MAX_LISTED)
		return;
	if (r->n_problems == r->cap_problems) {
		size_t cap = r->cap_problems ? r->cap_problems * 2 : 32;
		void *grown = realloc(r->problems, cap * sizeof(*p));

		if (grown == NULL)
			return;
		r->problems = grown;
		r->cap_problems = cap;
	}
	va_start(ap, fmt_en);
	vsnprintf(vi, sizeof(vi), fmt_vi, ap);
	va_end(ap);
	va_start(ap, fmt_en);
	vsnprintf(en, sizeof(en), fmt_en, ap);
	va_end(ap);
	p = &r->problems[r->n_problems];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->severity = severity;
	p->message_vi = strdup(vi);
	p->message_en = strdup(en);
	if (p->message_vi == NULL || p->message_en == NULL) {
		free(p->message_vi);
		free(p->message_en);
		return;
	}
	if (feat != NULL) {
		p->has_feature = true;
		p->fid = feat->fid;
		snprintf(p->key, sizeof(p->key), "%s", feat->key);
		p->has_location = feat->has_location;
		p->lon = feat->lon;
		p->lat = feat->lat;
	}
	r->n_problems++;
}

/* Severity of a data problem under the layer's policy. */
enum validate_severity validate_policy_severity(const struct validate_run *run)
{
	return run->opt->layer->publish.policy == CFG_PUBLISH_REPAIR ?
	       VALIDATE_WARNING : VALIDATE_ERROR;
}

/* Move a native point to CRS84; false when it cannot be transformed. */
bool validate_to_lonlat(const struct validate_run *run, double x, double y,
			double *lon, double *lat)
{
	double xy[2] = { x, y };

	if (run->to_lonlat != NULL &&
	    vn2000_transform_xy(run->to_lonlat, xy, 1) != 0)
		return false;
	if (!isfinite(xy[0]) || !isfinite(xy[1]))
		return false;
	*lon = xy[0];
	*lat = xy[1];
	return true;
}

/* Choose and check the CRS of the file. */
static int validate_crs(struct validate_run *run)
{
	const struct cfg_layer *l = run->opt->layer;
	char note[512];
	struct layer_message why, warning;
	const struct vn2000_crs *crs;

	crs = layer_crs_choose_lang(run->ds, run->ogr, NULL, note,
				    sizeof(note), &why, &warning);
	if (crs == NULL && l->crs != NULL &&
	    OGR_L_GetSpatialRef(run->ogr) == NULL) {
		crs = vn2000_crs_find(l->crs);
		validate_add(run, VALIDATE_CRS, VALIDATE_WARNING, NULL,
			     "tệp không khai báo hệ tọa độ; dùng %s của lớp",
			     "the file declares no CRS; using the layer's %s",
			     l->crs);
	}
	if (crs == NULL) {
		validate_add(run, VALIDATE_CRS, VALIDATE_ERROR, NULL,
			     "không nhận ra hệ tọa độ của tệp: %s%.0s",
			     "the CRS of the file is not recognised: %.0s%s",
			     why.vi, why.en);
		return -1;
	}
	snprintf(run->report->crs_id, sizeof(run->report->crs_id), "%s",
		 crs->id);
	run->crs = crs;
	if (l->crs != NULL && strcmp(l->crs, crs->id) != 0) {
		validate_add(run, VALIDATE_CRS, VALIDATE_ERROR, NULL,
			     "tệp dùng hệ tọa độ %s, lớp khai báo %s",
			     "the file is in %s; the layer declares %s",
			     crs->id, l->crs);
		return -1;
	}
	if (crs->datum == VN2000_DATUM_WGS84 && crs->geographic)
		validate_add(run, VALIDATE_CRS, VALIDATE_WARNING, NULL,
			     "hệ tọa độ %s không phải VN-2000; dữ liệu được "
			     "lưu nguyên trong %s",
			     "CRS %s is not VN-2000; the data is stored as it "
			     "is, in %s",
			     crs->id, crs->id);
	else if (crs->datum != VN2000_DATUM_VN2000) {
		validate_add(run, VALIDATE_CRS, VALIDATE_ERROR, NULL,
			     "hệ tọa độ %s không phải VN-2000",
			     "CRS %s is not VN-2000", crs->id);
		return -1;
	}
	if (!crs->geographic || crs->datum != VN2000_DATUM_WGS84)
		run->to_lonlat = vn2000_transform_get(crs,
						      vn2000_crs_find("CRS:84"));
	if (run->to_lonlat == NULL && !(crs->geographic &&
					crs->datum == VN2000_DATUM_WGS84)) {
		validate_add(run, VALIDATE_CRS, VALIDATE_ERROR, NULL,
			     "không đổi được %s sang WGS 84",
			     "cannot transform %s to WGS 84", crs->id);
		return -1;
	}
	return 0;
}

/* Field index by name in the file, or -1. */
int validate_field(const struct validate_run *run, const char *name)
{
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(run->ogr);

	return name == NULL ? -1 : OGR_FD_GetFieldIndex(defn, name);
}

static const char *type_label(enum attr_type type)
{
	static const char *const names[] = { "integer", "real", "string",
					     "date", "datetime" };

	return names[type];
}

static void require_field(struct validate_run *run, const char *name,
			  const char *why)
{
	if (name == NULL || validate_field(run, name) >= 0)
		return;
	validate_add(run, VALIDATE_SCHEMA, VALIDATE_ERROR, NULL,
		     "thiếu trường bắt buộc \"%s\" (%s)",
		     "required field \"%s\" is missing (%s)", name, why);
}

/* Required fields, then the types of the live version's attributes. */
static void validate_schema(struct validate_run *run)
{
	const struct cfg_layer *l = run->opt->layer;
	const struct layer_snapshot *live = run->opt->live;
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(run->ogr);

	for (size_t i = 0; i < l->publish.n_required; i++)
		require_field(run, l->publish.required[i], "publish.required");
	for (size_t i = 0; i < l->publish.n_key; i++)
		require_field(run, l->publish.key[i], "publish.key");
	for (size_t i = 0; i < l->n_attributes; i++)
		require_field(run, l->attributes[i], "attributes");
	require_field(run, l->id_attribute, "id_attribute");
	for (size_t i = 0; live != NULL && i < live->n_attrs; i++) {
		int f = validate_field(run, live->attrs[i].name);
		enum attr_type t;

		if (f < 0)
			continue;
		t = layer_attr_type_of(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, f)));
		if (t == live->attrs[i].type)
			continue;
		validate_add(run, VALIDATE_SCHEMA, VALIDATE_ERROR, NULL,
			     "trường \"%s\" có kiểu %s, phiên bản đang phục vụ "
			     "có kiểu %s",
			     "field \"%s\" is of type %s; the live version "
			     "has %s",
			     live->attrs[i].name, type_label(t),
			     type_label(live->attrs[i].type));
	}
	run->id_field = validate_field(run, l->id_attribute);
	run->area_field = validate_field(run, l->publish.area_attribute ?
					 l->publish.area_attribute :
					 "DienTich");
	run->landuse_field = validate_field(run, run->landuse_name);
	for (size_t i = 0; i < l->publish.n_key && i < VALIDATE_MAX_KEY; i++)
		run->key_fields[run->n_key_fields++] =
			validate_field(run, l->publish.key[i]);
}

/* The land-use field: the configured one, else the default style's. */
static const char *landuse_field_name(const struct cfg_layer *l)
{
	if (l->publish.landuse_attribute != NULL)
		return l->publish.landuse_attribute;
	return l->n_styles > 0 ? l->styles[0].fill_by : NULL;
}

static int validate_open(struct validate_run *run, const char *path)
{
	const struct cfg_layer *l = run->opt->layer;
	char error[640];

	CPLErrorReset();
	run->ds = layer_vector_open(path, l->source_layer, NULL, true,
				    &run->ogr, error, sizeof(error));
	/* A Shapefile whose .cpg (or DBF header) names no encoding is read
	   in the layer's configured one, as the layer's own source is: raw
	   bytes converted by layer_text. GDAL's own ENCODING option is not
	   used because GDAL 3.6 drops the last character of every CP1258
	   string it converts. */
	if (run->ds != NULL && l->encoding != NULL &&
	    strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(run->ds)),
		   "ESRI Shapefile") == 0 &&
	    !OGR_L_TestCapability(run->ogr, OLCStringsAsUTF8)) {
		GDALClose(run->ds);
		run->ds = layer_vector_open(path, l->source_layer, "", true,
					    &run->ogr, error, sizeof(error));
		if (run->ds != NULL &&
		    layer_text_open(l->encoding, &run->text) != 0) {
			validate_add(run, VALIDATE_TEXT, VALIDATE_ERROR, NULL,
				     "bảng mã %s của lớp không được hỗ trợ",
				     "the layer's encoding %s is not supported",
				     l->encoding);
			return -1;
		}
		if (run->ds != NULL)
			validate_add(run, VALIDATE_TEXT, VALIDATE_WARNING, NULL,
				     "tệp .dbf không khai báo bảng mã (thiếu "
				     "tệp .cpg): đọc theo bảng mã %s của lớp",
				     "the .dbf declares no encoding (no .cpg "
				     "file): read in the layer's encoding %s",
				     l->encoding);
	}
	if (run->ds == NULL) {
		validate_add(run, VALIDATE_FILE, VALIDATE_ERROR, NULL,
			     "không đọc được tệp: %s",
			     "cannot read the file: %s", error);
		return -1;
	}
	snprintf(run->report->driver, sizeof(run->report->driver), "%s",
		 GDALGetDriverShortName(GDALGetDatasetDriver(run->ds)));
	return 0;
}

/* Read every feature; a read error ends the pass as unreadable. */
static int validate_features(struct validate_run *run)
{
	OGRFeatureH f;
	GIntBig total = OGR_L_GetFeatureCount(run->ogr, TRUE);
	size_t done = 0;

	OGR_L_ResetReading(run->ogr);
	CPLErrorReset();
	while ((f = OGR_L_GetNextFeature(run->ogr)) != NULL) {
		int rc = validate_feature(run, f);

		OGR_F_Destroy(f);
		if (rc != 0)
			return -1;
		run->report->n_features = ++done;
		if (run->opt->progress != NULL &&
		    done % VALIDATE_PROGRESS_STEP == 0)
			run->opt->progress(run->opt->progress_arg, "validating",
					   done, total > 0 ? (size_t)total : 0);
	}
	if (CPLGetLastErrorType() >= CE_Failure) {
		validate_add(run, VALIDATE_FILE, VALIDATE_ERROR, NULL,
			     "tệp bị hỏng hoặc không đầy đủ: %s",
			     "the file is damaged or truncated: %s",
			     CPLGetLastErrorMsg());
		run->report->readable = false;
	}
	if (done == 0)
		validate_add(run, VALIDATE_FILE, VALIDATE_ERROR, NULL,
			     "tệp không có đối tượng nào",
			     "the file holds no feature");
	return 0;
}

static void validate_run_clear(struct validate_run *run)
{
	layer_text_close(run->text);
	for (size_t i = 0; i < run->n_keys; i++)
		free(run->keys[i].key);
	free(run->keys);
	if (run->out_ds != NULL)
		GDALClose(run->out_ds);
	if (run->ds != NULL)
		GDALClose(run->ds);
}

int validate_file(const struct validate_options *opt, const char *path,
		  const char *out_gpkg, struct validate_report *report)
{
	struct validate_run run;
	int rc = 0;

	memset(report, 0, sizeof(*report));
	memset(&run, 0, sizeof(run));
	run.opt = opt;
	run.report = report;
	run.landuse_name = landuse_field_name(opt->layer);
	report->readable = true;
	layer_gdal_init();

	if (validate_open(&run, path) != 0) {
		report->readable = false;
		goto done;
	}
	if (validate_crs(&run) != 0)
		goto done;
	validate_schema(&run);
	if (report->n_errors > 0)
		goto done;
	if (out_gpkg != NULL && validate_write_open(&run, out_gpkg) != 0) {
		rc = -1;
		goto done;
	}
	if (validate_features(&run) != 0) {
		rc = -1;
		goto done;
	}
	validate_duplicates(&run);
	if (run.out_ds != NULL && validate_write_close(&run) != 0)
		rc = -1;

done:
	validate_run_clear(&run);
	report->accepted = rc == 0 && report->n_errors == 0;
	if (out_gpkg != NULL && !report->accepted)
		VSIUnlink(out_gpkg);
	return rc;
}
