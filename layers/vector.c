/*
 * Loading a vector layer: every feature of one OGR layer into a snapshot,
 * with its geometry in the storage CRS and in CRS84, its exposed attributes
 * typed and in UTF-8, minus the features that touch a restricted area.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>

#include "layers/layers_internal.h"

struct vector_load {
	const struct cfg *cfg;
	const struct cfg_layer *layer;
	const char *path;              /* the data set */
	const char *file;              /* the config file, for messages */
	int line;
	struct cfg_errors *errors;
	const struct restricted_set *restricted;
	struct layer_snapshot *snap;

	GDALDatasetH ds;
	OGRLayerH ogr;
	struct layer_text *text;
	char **field_names;            /* UTF-8 names of every OGR field */
	int n_fields;
	int *attr_field;               /* OGR field of each exposed attr */
	int id_field;                  /* -1: the OGR FID */
	int *key_field;                /* OGR field of each dropped_keys
					  entry of the snapshot */
	struct vn2000_transform *to_lonlat; /* NULL: storage is CRS84 */
	size_t cap_features;
};

static bool name_in(const char *name, char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

enum attr_type layer_attr_type_of(OGRFieldType type)
{
	switch (type) {
	case OFTInteger:
	case OFTInteger64:
		return ATTR_INTEGER;
	case OFTReal:
		return ATTR_REAL;
	case OFTDate:
		return ATTR_DATE;
	case OFTDateTime:
		return ATTR_DATETIME;
	default:
		return ATTR_STRING;
	}
}

/* Read every field name of the source into UTF-8. */
static int vector_field_names(struct vector_load *v)
{
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(v->ogr);

	v->n_fields = OGR_FD_GetFieldCount(defn);
	v->field_names = calloc((size_t)v->n_fields + 1, sizeof(char *));
	if (v->field_names == NULL)
		return -1;
	for (int i = 0; i < v->n_fields; i++) {
		const char *raw = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn,
									  i));
		v->field_names[i] = layer_text_convert(v->text, raw);
		if (v->field_names[i] == NULL) {
			LAYER_ERROR(v->errors, v->file, v->line,
				    "lớp %s: tên trường thứ %d không phải "
				    "văn bản hợp lệ; khai báo encoding",
				    "layer %s: the name of field %d is not "
				    "valid text; declare its encoding",
				    v->layer->id, i + 1);
			return -1;
		}
	}
	return 0;
}

static int vector_field_find(const struct vector_load *v, const char *name)
{
	for (int i = 0; i < v->n_fields; i++)
		if (strcmp(v->field_names[i], name) == 0)
			return i;
	return -1;
}

static int vector_missing_field(struct vector_load *v, const char *what,
				const char *name)
{
	LAYER_ERROR(v->errors, v->file, v->line,
		    "lớp %s: %s '%s' không phải là trường của %s",
		    "layer %s: %s '%s' is not a field of %s",
		    v->layer->id, what, name, v->path);
	return -1;
}

/* Check the id attribute: it must exist and hold integers. */
static int vector_id_field(struct vector_load *v)
{
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(v->ogr);
	const char *name = v->layer->id_attribute;
	OGRFieldType type;

	v->id_field = -1;
	if (name == NULL)
		return 0;
	v->id_field = vector_field_find(v, name);
	if (v->id_field < 0)
		return vector_missing_field(v, "id_attribute", name);
	type = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, v->id_field));
	if (type != OFTInteger && type != OFTInteger64) {
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s: id_attribute '%s' có kiểu %s, phải là "
			    "số nguyên",
			    "layer %s: id_attribute '%s' is of type %s; it "
			    "must be an integer",
			    v->layer->id, name, OGR_GetFieldTypeName(type));
		return -1;
	}
	return 0;
}

/* Exposed attributes in config order (every field when none is listed). */
static int vector_attributes(struct vector_load *v)
{
	const struct cfg_layer *l = v->layer;
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(v->ogr);
	size_t n = l->n_attributes ? l->n_attributes : (size_t)v->n_fields;
	struct layer_snapshot *snap = v->snap;

	for (size_t i = 0; i < l->n_personal; i++)
		if (vector_field_find(v, l->personal[i]) < 0)
			return vector_missing_field(v, "personal",
						    l->personal[i]);
	snap->attrs = calloc(n + 1, sizeof(*snap->attrs));
	v->attr_field = calloc(n + 1, sizeof(int));
	if (snap->attrs == NULL || v->attr_field == NULL)
		return -1;

	for (size_t i = 0; i < n; i++) {
		int field = l->n_attributes
				    ? vector_field_find(v, l->attributes[i])
				    : (int)i;
		if (field < 0)
			return vector_missing_field(v, "attribute",
						    l->attributes[i]);
		OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, field);
		struct attr_def *a = &snap->attrs[i];
		a->name = strdup(v->field_names[field]);
		if (a->name == NULL)
			return -1;
		a->type = layer_attr_type_of(OGR_Fld_GetType(fd));
		a->personal = name_in(a->name, l->personal, l->n_personal);
		v->attr_field[i] = field;
		snap->n_attrs = i + 1;
	}
	return 0;
}

/* ISO 8601 text of an OGR date or date-time field. */
static void format_datetime(OGRFeatureH f, int field, bool date_only,
			    char *out, size_t size)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, tz = 0;
	float sec = 0;
	int used;

	OGR_F_GetFieldAsDateTimeEx(f, field, &y, &mo, &d, &h, &mi, &sec, &tz);
	if (date_only) {
		snprintf(out, size, "%04d-%02d-%02d", y, mo, d);
		return;
	}
	if (sec == floorf(sec))
		used = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d", y,
				mo, d, h, mi, (int)sec);
	else
		used = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%06.3f",
				y, mo, d, h, mi, (double)sec);
	if (used < 0 || (size_t)used >= size)
		return;
	/* OGR time zones: 100 is UTC, each step away is 15 minutes. */
	if (tz == 100) {
		snprintf(out + used, size - (size_t)used, "Z");
	} else if (tz > 1) {
		int minutes = (tz - 100) * 15;
		int a = minutes < 0 ? -minutes : minutes;
		snprintf(out + used, size - (size_t)used, "%c%02d:%02d",
			 minutes < 0 ? '-' : '+', a / 60, a % 60);
	}
}

static int vector_read_value(struct vector_load *v, OGRFeatureH f,
			     size_t i, int64_t fid, struct value *out)
{
	const struct attr_def *a = &v->snap->attrs[i];
	int field = v->attr_field[i];
	char text[64];

	out->is_null = !OGR_F_IsFieldSetAndNotNull(f, field);
	if (out->is_null)
		return 0;
	switch (a->type) {
	case ATTR_INTEGER:
		out->u.i = OGR_F_GetFieldAsInteger64(f, field);
		return 0;
	case ATTR_REAL:
		out->u.d = OGR_F_GetFieldAsDouble(f, field);
		return 0;
	case ATTR_DATE:
	case ATTR_DATETIME:
		format_datetime(f, field, a->type == ATTR_DATE, text,
				sizeof(text));
		out->u.s = strdup(text);
		return out->u.s ? 0 : -1;
	default:
		out->u.s = layer_text_convert(v->text,
					      OGR_F_GetFieldAsString(f, field));
		if (out->u.s != NULL)
			return 0;
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s, đối tượng %lld, thuộc tính %s: văn bản "
			    "không hợp lệ trong bảng mã của nguồn; khai báo "
			    "encoding của lớp",
			    "layer %s, feature %lld, attribute %s: text is "
			    "not valid in the source encoding; declare the "
			    "layer's encoding",
			    v->layer->id, (long long)fid, a->name);
		out->is_null = true;
		return -1;
	}
}

/* The fid of a feature: the id attribute, or the OGR FID. */
static int vector_fid(struct vector_load *v, OGRFeatureH f, int64_t *fid)
{
	if (v->id_field < 0) {
		*fid = OGR_F_GetFID(f);
		return 0;
	}
	if (!OGR_F_IsFieldSetAndNotNull(f, v->id_field)) {
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s: đối tượng FID %lld không có giá trị %s",
			    "layer %s: feature with FID %lld has no %s value",
			    v->layer->id, (long long)OGR_F_GetFID(f),
			    v->layer->id_attribute);
		return -1;
	}
	*fid = OGR_F_GetFieldAsInteger64(f, v->id_field);
	return 0;
}

/* Native geometry, its CRS84 copy and both boxes. */
static int vector_geometry(struct vector_load *v, OGRFeatureH f,
			   struct feature *out)
{
	char reason[160];
	size_t failed = 0;

	if (geom_from_ogr(OGR_F_GetGeometryRef(f), &out->native, reason,
			  sizeof(reason)) != 0) {
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s, đối tượng %lld: hình học không dùng "
			    "được (%s)",
			    "layer %s, feature %lld: unusable geometry (%s)",
			    v->layer->id, (long long)out->fid, reason);
		return -1;
	}
	if (geom_copy(&out->lonlat, &out->native) != 0)
		return -1;
	if (v->to_lonlat != NULL && out->lonlat.n_points > 0)
		failed = vn2000_transform_xy(v->to_lonlat, out->lonlat.xy,
					     out->lonlat.n_points);
	if (failed > 0) {
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s, đối tượng %lld: %zu điểm không chuyển "
			    "được sang CRS84 từ %s",
			    "layer %s, feature %lld: %zu points cannot be "
			    "transformed to CRS84 from %s",
			    v->layer->id, (long long)out->fid, failed,
			    v->snap->crs->id);
		return -1;
	}
	geom_bbox(&out->native, out->native_bbox);
	geom_bbox(&out->lonlat, out->bbox);
	return 0;
}

/*
 * The attributes that other layers link to (target_key, else key): their
 * values in the features dropped for a restricted area are kept in the
 * snapshot, so the registry can drop the records that link to them.
 */
static int vector_key_fields(struct vector_load *v)
{
	const struct cfg *cfg = v->cfg;
	struct layer_snapshot *snap = v->snap;
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_layers; i++)
		n += cfg->layers[i].n_links;
	snap->dropped_keys = calloc(n + 1, sizeof(*snap->dropped_keys));
	v->key_field = calloc(n + 1, sizeof(int));
	if (snap->dropped_keys == NULL || v->key_field == NULL)
		return -1;
	for (size_t i = 0; i < cfg->n_layers; i++) {
		const struct cfg_layer *from = &cfg->layers[i];
		for (size_t j = 0; j < from->n_links; j++) {
			const struct cfg_link *link = &from->links[j];
			const char *attr = link->target_key ? link->target_key
							    : link->key;
			bool seen = false;
			if (link->layer == NULL || attr == NULL ||
			    strcmp(link->layer, v->layer->id) != 0)
				continue;
			for (size_t k = 0; k < snap->n_dropped_keys; k++)
				seen |= strcmp(snap->dropped_keys[k].attr,
					       attr) == 0;
			if (seen)
				continue;
			int field = vector_field_find(v, attr);
			if (field < 0)
				return vector_missing_field(
					v, "links target_key", attr);
			struct layer_dropped_keys *keys =
				&snap->dropped_keys[snap->n_dropped_keys];
			keys->attr = strdup(attr);
			if (keys->attr == NULL)
				return -1;
			v->key_field[snap->n_dropped_keys++] = field;
		}
	}
	return 0;
}

/* Record the link keys of a feature dropped for a restricted area. */
static int vector_record_keys(struct vector_load *v, OGRFeatureH f)
{
	struct layer_snapshot *snap = v->snap;
	char text[64];

	for (size_t k = 0; k < snap->n_dropped_keys; k++) {
		int field = v->key_field[k];
		OGRFieldDefnH fd;
		char *owned = NULL;
		const char *value = text;
		int rc;

		if (!OGR_F_IsFieldSetAndNotNull(f, field))
			continue;
		fd = OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(v->ogr), field);
		switch (layer_attr_type_of(OGR_Fld_GetType(fd))) {
		case ATTR_INTEGER:
			snprintf(text, sizeof(text), "%lld",
				 (long long)OGR_F_GetFieldAsInteger64(f, field));
			break;
		case ATTR_REAL:
			snprintf(text, sizeof(text), "%.17g",
				 OGR_F_GetFieldAsDouble(f, field));
			break;
		case ATTR_DATE:
		case ATTR_DATETIME:
			format_datetime(f, field,
					OGR_Fld_GetType(fd) == OFTDate, text,
					sizeof(text));
			break;
		default:
			/* Text that cannot be recoded cannot match a key. */
			owned = layer_text_convert(
				v->text, OGR_F_GetFieldAsString(f, field));
			if (owned == NULL)
				continue;
			value = owned;
		}
		rc = layer_dropped_keys_add(&snap->dropped_keys[k], value);
		free(owned);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * Read one OGR feature into `out`. Sets *dropped when it touches a
 * restricted area (out is then cleared).
 */
static int vector_read_feature(struct vector_load *v, OGRFeatureH f,
			       struct feature *out, bool *dropped)
{
	size_t n = v->snap->n_attrs;

	memset(out, 0, sizeof(*out));
	*dropped = false;
	if (vector_fid(v, f, &out->fid) != 0)
		return -1;
	if (vector_geometry(v, f, out) != 0)
		goto fail;
	if (v->restricted != NULL && out->lonlat.type != GEOM_NONE &&
	    restricted_set_hits(v->restricted, &out->lonlat)) {
		*dropped = true;
		layer_feature_clear(out, NULL, 0);
		return vector_record_keys(v, f);
	}
	out->values = calloc(n + 1, sizeof(*out->values));
	if (out->values == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (vector_read_value(v, f, i, out->fid, &out->values[i]) != 0)
			goto fail;
	return 0;
fail:
	layer_feature_clear(out, v->snap->attrs, n);
	return -1;
}

static int vector_grow(struct vector_load *v)
{
	struct layer_snapshot *snap = v->snap;
	size_t cap;
	struct feature *features;

	if (snap->n_features < v->cap_features)
		return 0;
	if (snap->n_features >= LAYER_MAX_FEATURES) {
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s: quá %zu đối tượng",
			    "layer %s: more than %zu features",
			    v->layer->id, LAYER_MAX_FEATURES);
		return -1;
	}
	cap = v->cap_features ? v->cap_features * 2 : 256;
	if (cap > LAYER_MAX_FEATURES)
		cap = LAYER_MAX_FEATURES;
	features = realloc(snap->features, cap * sizeof(*features));
	if (features == NULL)
		return -1;
	snap->features = features;
	v->cap_features = cap;
	return 0;
}

static int vector_read_all(struct vector_load *v)
{
	struct layer_snapshot *snap = v->snap;
	OGRFeatureH f;
	int rc = 0;

	OGR_L_ResetReading(v->ogr);
	while (rc == 0 && (f = OGR_L_GetNextFeature(v->ogr)) != NULL) {
		bool dropped = false;
		rc = vector_grow(v);
		if (rc == 0)
			rc = vector_read_feature(
				v, f, &snap->features[snap->n_features],
				&dropped);
		if (rc == 0 && dropped)
			snap->n_dropped_restricted++;
		else if (rc == 0)
			snap->n_features++;
		OGR_F_Destroy(f);
	}
	return rc;
}

static int feature_compare(const void *a, const void *b)
{
	const struct feature *x = a, *y = b;

	return x->fid < y->fid ? -1 : x->fid > y->fid;
}

/* Sort by fid, the stable order of every query, and reject duplicates. */
static int vector_sort(struct vector_load *v)
{
	struct layer_snapshot *snap = v->snap;
	int rc = 0;

	/* qsort must not be given a NULL array, which an empty layer has. */
	if (snap->n_features > 1)
		qsort(snap->features, snap->n_features,
		      sizeof(*snap->features), feature_compare);
	for (size_t i = 1; i < snap->n_features; i++) {
		if (snap->features[i].fid != snap->features[i - 1].fid)
			continue;
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s: giá trị %s = %lld bị trùng",
			    "layer %s: duplicate %s value %lld",
			    v->layer->id,
			    v->layer->id_attribute ? v->layer->id_attribute
						   : "FID",
			    (long long)snap->features[i].fid);
		rc = -1;
		while (i + 1 < snap->n_features &&
		       snap->features[i + 1].fid == snap->features[i].fid)
			i++;
	}
	return rc;
}

/* Spatial index and extents over the features that have a geometry. */
int layer_vector_index(struct layer_snapshot *snap)
{
	double (*boxes)[4] = malloc((snap->n_features + 1) * sizeof(*boxes));
	size_t *ids = malloc((snap->n_features + 1) * sizeof(*ids));
	size_t n = 0;
	bool empty = true, native_empty = true;

	if (boxes == NULL || ids == NULL)
		goto fail;
	for (size_t i = 0; i < snap->n_features; i++) {
		const struct feature *f = &snap->features[i];
		if (f->lonlat.type == GEOM_NONE)
			continue;
		memcpy(boxes[n], f->bbox, sizeof(boxes[n]));
		ids[n++] = i;
		geom_box_union(snap->extent, &empty, f->bbox);
		geom_box_union(snap->native_extent, &native_empty,
			       f->native_bbox);
	}
	snap->empty = empty;
	snap->index = layer_index_build((const double(*)[4])boxes, ids, n);
	free(boxes);
	free(ids);
	return snap->index ? 0 : -1;
fail:
	free(boxes);
	free(ids);
	return -1;
}

/* Open the source, choose the CRS and the text encoding. */
static int vector_open(struct vector_load *v)
{
	const struct cfg_layer *l = v->layer;
	char error[640], note[1024], enc_note[256];
	struct layer_message why, warning;
	const char *encoding;

	v->ds = layer_vector_open(v->path, l->source_layer,
				  l->encoding != NULL ? "" : NULL,
				  v->path != l->source, &v->ogr, error,
				  sizeof(error));
	if (v->ds == NULL) {
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s: không mở được %s: %s",
			    "layer %s: cannot open %s: %s",
			    l->id, v->path, error);
		return -1;
	}
	v->snap->crs = layer_crs_choose_lang(v->ds, v->ogr, l->crs, note,
					     sizeof(note), &why, &warning);
	if (v->snap->crs == NULL) {
		/* Each text takes its own language's reason. */
		LAYER_ERROR(v->errors, v->file, l->crs_line ? l->crs_line
							     : v->line,
			    "lớp %s: %s: %s%.0s; khai báo crs: EPSG:NNNN "
			    "trong lớp",
			    "layer %s: %s: %.0s%s; declare crs: EPSG:NNNN in "
			    "the layer",
			    l->id, v->path, why.vi, why.en);
		return -1;
	}
	if (warning.vi[0] != '\0')
		LAYER_WARNING(v->errors, v->file, l->crs_line ? l->crs_line
							       : v->line,
			      "lớp %s: %s%.0s", "layer %s: %.0s%s", l->id,
			      warning.vi, warning.en);
	encoding = layer_text_source_encoding(v->ds, v->ogr, v->path,
					      l->encoding, enc_note,
					      sizeof(enc_note));
	if (layer_text_open(encoding, &v->text) != 0) {
		LAYER_ERROR(v->errors, v->file, v->line,
			    "lớp %s: bảng mã '%s' không được hỗ trợ",
			    "layer %s: encoding '%s' is not supported",
			    l->id, encoding);
		return -1;
	}
	if (enc_note[0] != '\0')
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "; %s", enc_note);
	v->snap->crs_note = strdup(note);
	return v->snap->crs_note ? 0 : -1;
}

static int vector_transform(struct vector_load *v)
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");

	if (crs84 == NULL || v->snap->crs == crs84)
		return 0;
	v->to_lonlat = vn2000_transform_get(v->snap->crs, crs84);
	if (v->to_lonlat != NULL)
		return 0;
	LAYER_ERROR(v->errors, v->file, v->line,
		    "lớp %s: không tạo được phép chuyển từ %s sang CRS84",
		    "layer %s: no transformation from %s to CRS84",
		    v->layer->id, v->snap->crs->id);
	return -1;
}

static void vector_load_free(struct vector_load *v)
{
	if (v->field_names != NULL)
		for (int i = 0; i < v->n_fields; i++)
			free(v->field_names[i]);
	free(v->field_names);
	free(v->attr_field);
	free(v->key_field);
	layer_text_close(v->text);
	if (v->ds != NULL)
		GDALClose(v->ds);
}

int layer_vector_load(const struct cfg *cfg, const struct cfg_layer *layer,
		      const char *source,
		      const struct restricted_set *restricted,
		      struct layer_snapshot *snap, struct cfg_errors *errors)
{
	struct vector_load v = {
		.cfg = cfg, .layer = layer, .errors = errors,
		.path = source ? source : layer->source,
		.file = cfg->path,
		.line = layer->source_line ? layer->source_line : layer->line,
		.restricted = restricted, .snap = snap, .id_field = -1,
	};
	size_t before = errors->count;
	int rc = -1;

	/* MapInfo warns on every read about charsets it cannot map. */
	CPLPushErrorHandler(CPLQuietErrorHandler);
	if (v.path == NULL) {
		LAYER_ERROR(errors, v.file, layer->line,
			    "lớp %s: thiếu source", "layer %s: no source",
			    layer->id);
		goto cleanup;
	}
	if (vector_open(&v) != 0 || vector_transform(&v) != 0 ||
	    vector_field_names(&v) != 0 || vector_id_field(&v) != 0 ||
	    vector_attributes(&v) != 0 || vector_key_fields(&v) != 0 ||
	    vector_read_all(&v) != 0 || vector_sort(&v) != 0 ||
	    layer_vector_index(snap) != 0)
		goto cleanup;
	for (size_t k = 0; k < snap->n_dropped_keys; k++)
		layer_dropped_keys_finish(&snap->dropped_keys[k]);
	rc = 0;
cleanup:
	CPLPopErrorHandler();
	if (rc != 0 && errors->count == before)
		LAYER_ERROR(errors, v.file, layer->line,
			    "lớp %s: hết bộ nhớ khi nạp %s",
			    "layer %s: out of memory while loading %s",
			    layer->id, v.path ? v.path : "");
	vector_load_free(&v);
	return rc;
}
