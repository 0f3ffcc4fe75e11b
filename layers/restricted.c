/*
 * Restricted areas: polygons read once per config into GEOS prepared
 * geometries in CRS84. Layers test every feature and scene against them
 * when a snapshot is built and drop what touches one.
 *
 * The set owns one GEOS handle, used under the set's mutex: prepared
 * geometries build their internal index lazily on first use, so two
 * threads must not evaluate them at once. Tests run at load time only, so
 * the lock costs requests nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>

#include "layers/layers_internal.h"
#include "layers/secrecy.h"

/*
 * GDAL 3.6 exports CPL_SHA256 from libgdal but does not install its header
 * cpl_sha256.h, so the prototype is repeated here as the library defines it.
 */
void CPL_SHA256(const void *data, size_t len, GByte hash[32]);

/* Largest number of restricted polygons in one config. */
#define RESTRICTED_MAX_AREAS ((size_t)100000)

struct restricted_area {
	GEOSGeometry *geom;
	const GEOSPreparedGeometry *prepared;
	double bbox[4];
	char *name;        /* never logged or served */
	char *reason;
};

struct restricted_set {
	GEOSContextHandle_t h;
	pthread_mutex_t lock;
	struct restricted_area *areas;
	size_t n_areas;
	size_t cap_areas;
	char digest[65];   /* restricted_set_digest, set at load */
};

/* State of reading one configured source. */
struct restricted_load {
	struct restricted_set *set;
	const struct cfg_restricted *r;
	const char *file;
	struct cfg_errors *errors;
	GDALDatasetH ds;
	OGRLayerH ogr;
	struct layer_text *text;
	struct vn2000_transform *to_lonlat;
	int name_field;
	int reason_field;
};

static void restricted_message_ignore(const char *message, void *data)
{
	(void)message;
	(void)data;
}

void restricted_set_free(struct restricted_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n_areas; i++) {
		struct restricted_area *a = &set->areas[i];
		GEOSPreparedGeom_destroy_r(set->h, a->prepared);
		GEOSGeom_destroy_r(set->h, a->geom);
		free(a->name);
		free(a->reason);
	}
	free(set->areas);
	if (set->h != NULL)
		GEOS_finish_r(set->h);
	pthread_mutex_destroy(&set->lock);
	free(set);
}

static struct restricted_set *restricted_set_new(void)
{
	struct restricted_set *set = calloc(1, sizeof(*set));

	if (set == NULL)
		return NULL;
	pthread_mutex_init(&set->lock, NULL);
	set->h = GEOS_init_r();
	if (set->h == NULL) {
		restricted_set_free(set);
		return NULL;
	}
	GEOSContext_setErrorMessageHandler_r(set->h,
					     restricted_message_ignore, NULL);
	GEOSContext_setNoticeMessageHandler_r(set->h,
					      restricted_message_ignore, NULL);
	return set;
}

/* Text of an optional field, converted to UTF-8; NULL when absent. */
static char *restricted_text(struct restricted_load *l, OGRFeatureH f,
			     int field)
{
	if (field < 0 || !OGR_F_IsFieldSetAndNotNull(f, field))
		return NULL;
	return layer_text_convert(l->text, OGR_F_GetFieldAsString(f, field));
}

/* Make a geometry that GEOS can evaluate, repairing invalid rings. */
static GEOSGeometry *restricted_valid(GEOSContextHandle_t h,
				      GEOSGeometry *g)
{
	GEOSGeometry *fixed;

	if (GEOSisValid_r(h, g) == 1)
		return g;
	fixed = GEOSMakeValid_r(h, g);
	if (fixed == NULL)
		return g;
	GEOSGeom_destroy_r(h, g);
	return fixed;
}

static int restricted_add(struct restricted_load *l, struct geom *lonlat,
			  OGRFeatureH f)
{
	struct restricted_set *set = l->set;
	struct restricted_area *a;

	if (set->n_areas == set->cap_areas) {
		size_t cap = set->cap_areas ? set->cap_areas * 2 : 8;
		struct restricted_area *areas;
		if (set->n_areas >= RESTRICTED_MAX_AREAS)
			return -1;
		areas = realloc(set->areas, cap * sizeof(*areas));
		if (areas == NULL)
			return -1;
		set->areas = areas;
		set->cap_areas = cap;
	}
	a = &set->areas[set->n_areas];
	memset(a, 0, sizeof(*a));
	a->geom = geom_to_geos(set->h, lonlat);
	if (a->geom == NULL)
		return -1;
	a->geom = restricted_valid(set->h, a->geom);
	a->prepared = GEOSPrepare_r(set->h, a->geom);
	if (a->prepared == NULL) {
		GEOSGeom_destroy_r(set->h, a->geom);
		return -1;
	}
	geom_bbox(lonlat, a->bbox);
	a->name = restricted_text(l, f, l->name_field);
	a->reason = restricted_text(l, f, l->reason_field);
	set->n_areas++;
	return 0;
}

static int restricted_feature(struct restricted_load *l, OGRFeatureH f)
{
	struct geom native = { 0 };
	char reason[160] = "";
	long long fid = (long long)OGR_F_GetFID(f);
	int rc = -1;

	if (geom_from_ogr(OGR_F_GetGeometryRef(f), &native, reason,
			  sizeof(reason)) != 0 ||
	    native.type != GEOM_POLYGON) {
		LAYER_ERROR(l->errors, l->file, l->r->line,
			    "vùng hạn chế %s, đối tượng %lld: cần hình đa "
			    "giác %s",
			    "restricted area %s, feature %lld: a polygon is "
			    "required %s",
			    l->r->source, fid, reason);
		goto cleanup;
	}
	if (l->to_lonlat != NULL &&
	    vn2000_transform_xy(l->to_lonlat, native.xy, native.n_points)) {
		LAYER_ERROR(l->errors, l->file, l->r->line,
			    "vùng hạn chế %s, đối tượng %lld: không chuyển "
			    "được sang CRS84",
			    "restricted area %s, feature %lld: cannot be "
			    "transformed to CRS84",
			    l->r->source, fid);
		goto cleanup;
	}
	rc = restricted_add(l, &native, f);
	if (rc != 0)
		LAYER_ERROR(l->errors, l->file, l->r->line,
			    "vùng hạn chế %s, đối tượng %lld: không tạo được "
			    "hình học GEOS",
			    "restricted area %s, feature %lld: cannot build "
			    "the GEOS geometry",
			    l->r->source, fid);
cleanup:
	geom_clear(&native);
	return rc;
}

/* Find an optional attribute; report it when configured but missing. */
static int restricted_field(struct restricted_load *l, const char *name,
			    int *field)
{
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l->ogr);

	*field = -1;
	if (name == NULL)
		return 0;
	*field = OGR_FD_GetFieldIndex(defn, name);
	if (*field >= 0)
		return 0;
	LAYER_ERROR(l->errors, l->file, l->r->line,
		    "vùng hạn chế %s: không có trường '%s'",
		    "restricted area %s: no field '%s'", l->r->source, name);
	return -1;
}

static int restricted_open(struct restricted_load *l)
{
	const struct cfg_restricted *r = l->r;
	const struct vn2000_crs *crs, *crs84 = vn2000_crs_find("CRS:84");
	char error[640], note[256];
	struct layer_message why, warning;
	const char *enc;

	l->ds = layer_vector_open(r->source, r->source_layer, NULL, false,
				  &l->ogr, error, sizeof(error));
	if (l->ds == NULL) {
		LAYER_ERROR(l->errors, l->file, r->line,
			    "vùng hạn chế: không mở được %s: %s",
			    "restricted area: cannot open %s: %s",
			    r->source, error);
		return -1;
	}
	crs = layer_crs_choose_lang(l->ds, l->ogr, r->crs, note, sizeof(note),
				    &why, &warning);
	if (crs == NULL) {
		LAYER_ERROR(l->errors, l->file, r->line,
			    "vùng hạn chế %s: %s%.0s; khai báo crs: EPSG:NNNN",
			    "restricted area %s: %.0s%s; declare crs: "
			    "EPSG:NNNN",
			    r->source, why.vi, why.en);
		return -1;
	}
	if (warning.vi[0] != '\0')
		LAYER_WARNING(l->errors, l->file, r->line,
			      "vùng hạn chế %s: %s%.0s",
			      "restricted area %s: %.0s%s", r->source,
			      warning.vi, warning.en);
	if (crs != crs84) {
		l->to_lonlat = vn2000_transform_get(crs, crs84);
		if (l->to_lonlat == NULL) {
			LAYER_ERROR(l->errors, l->file, r->line,
				    "vùng hạn chế %s: không chuyển được từ "
				    "%s sang CRS84",
				    "restricted area %s: no transformation "
				    "from %s to CRS84",
				    r->source, crs->id);
			return -1;
		}
	}
	enc = layer_text_source_encoding(l->ds, l->ogr, r->source, NULL, note,
					 sizeof(note));
	if (layer_text_open(enc, &l->text) != 0)
		return -1;
	if (restricted_field(l, r->name_attribute, &l->name_field) != 0 ||
	    restricted_field(l, r->reason_attribute, &l->reason_field) != 0)
		return -1;
	return 0;
}

static int restricted_source(struct restricted_set *set,
			     const struct cfg *cfg,
			     const struct cfg_restricted *r,
			     struct cfg_errors *errors)
{
	struct restricted_load l = { .set = set, .r = r, .file = cfg->path,
				     .errors = errors };
	OGRFeatureH f;
	size_t before = set->n_areas;
	int rc = restricted_open(&l);

	if (rc == 0) {
		OGR_L_ResetReading(l.ogr);
		while (rc == 0 && (f = OGR_L_GetNextFeature(l.ogr)) != NULL) {
			rc = restricted_feature(&l, f);
			OGR_F_Destroy(f);
		}
	}
	/* A source that yields no polygon, such as a truncated export,
	   would silently switch the protection off. */
	if (rc == 0 && set->n_areas == before) {
		LAYER_ERROR(l.errors, l.file, r->line,
			    "vùng hạn chế %s: không có đa giác nào",
			    "restricted area %s: the source has no polygon",
			    r->source);
		rc = -1;
	}
	layer_text_close(l.text);
	if (l.ds != NULL)
		GDALClose(l.ds);
	return rc;
}

/* Append `n` bytes to a growing buffer; -1 when out of memory. */
static int digest_append(unsigned char **buf, size_t *len, size_t *cap,
			 const void *data, size_t n)
{
	if (*len + n > *cap) {
		size_t want = (*cap ? *cap * 2 : 4096) + n;
		unsigned char *grown = realloc(*buf, want);
		if (grown == NULL)
			return -1;
		*buf = grown;
		*cap = want;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	return 0;
}

/*
 * SHA-256 over each area's WKB (CRS84) and reason code, in load order, so
 * any change of a polygon or a code changes the digest.
 */
static int restricted_digest_compute(struct restricted_set *set)
{
	static const char digits[] = "0123456789abcdef";
	GEOSWKBWriter *writer = GEOSWKBWriter_create_r(set->h);
	unsigned char *buf = NULL, hash[32];
	size_t len = 0, cap = 0;
	int rc = -1;

	if (writer == NULL)
		return -1;
	for (size_t i = 0; i < set->n_areas; i++) {
		const struct restricted_area *a = &set->areas[i];
		size_t size = 0;
		unsigned char *wkb = GEOSWKBWriter_write_r(set->h, writer,
							   a->geom, &size);
		const char *code = a->reason != NULL ? a->reason : "";
		int failed = wkb == NULL ||
			     digest_append(&buf, &len, &cap, wkb, size) ||
			     digest_append(&buf, &len, &cap, code,
					   strlen(code) + 1);
		GEOSFree_r(set->h, wkb);
		if (failed)
			goto cleanup;
	}
	CPL_SHA256(buf != NULL ? (const void *)buf : "", len, hash);
	for (size_t i = 0; i < 32; i++) {
		set->digest[2 * i] = digits[hash[i] >> 4];
		set->digest[2 * i + 1] = digits[hash[i] & 0x0f];
	}
	set->digest[64] = '\0';
	if (set->n_areas == 0)
		memset(set->digest, '0', 64);
	rc = 0;
cleanup:
	free(buf);
	GEOSWKBWriter_destroy_r(set->h, writer);
	return rc;
}

int restricted_set_load(const struct cfg *cfg, struct restricted_set **out,
			struct cfg_errors *errors)
{
	struct restricted_set *set = restricted_set_new();
	int rc = 0;

	*out = NULL;
	if (set == NULL) {
		LAYER_ERROR(errors, cfg->path, 0, "%s", "%s",
			    "vùng hạn chế: hết bộ nhớ / restricted areas: "
			    "out of memory");
		return -1;
	}
	layer_gdal_init();
	if (secrecy_config_check(cfg, errors) != 0)
		rc = -1;
	CPLPushErrorHandler(CPLQuietErrorHandler);
	for (size_t i = 0; i < cfg->n_restricted; i++)
		if (restricted_source(set, cfg, &cfg->restricted[i],
				      errors) != 0)
			rc = -1;
	CPLPopErrorHandler();
	if (rc != 0) {
		restricted_set_free(set);
		return -1;
	}
	if (restricted_digest_compute(set) != 0) {
		LAYER_ERROR(errors, cfg->path, 0, "%s", "%s",
			    "vùng hạn chế: hết bộ nhớ / restricted areas: "
			    "out of memory");
		restricted_set_free(set);
		return -1;
	}
	fprintf(stderr, "layers: restricted areas: %zu polygons from %zu "
		"sources, digest %.16s\n", set->n_areas, cfg->n_restricted,
		set->digest);
	*out = set;
	return 0;
}

size_t restricted_set_count(const struct restricted_set *set)
{
	return set == NULL ? 0 : set->n_areas;
}

bool restricted_set_hits(const struct restricted_set *set,
			 const struct geom *lonlat)
{
	struct restricted_set *s = (struct restricted_set *)set;
	GEOSGeometry *g = NULL;
	double box[4];
	bool hit = false;

	if (s == NULL || s->n_areas == 0 || !geom_bbox(lonlat, box))
		return false;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_areas && !hit; i++) {
		const struct restricted_area *a = &s->areas[i];
		if (!geom_box_intersects(a->bbox, box))
			continue;
		if (g == NULL)
			g = geom_to_geos(s->h, lonlat);
		/* On any GEOS failure the safe answer is a hit. */
		if (g == NULL ||
		    GEOSPreparedIntersects_r(s->h, a->prepared, g) != 0)
			hit = true;
	}
	if (g != NULL)
		GEOSGeom_destroy_r(s->h, g);
	pthread_mutex_unlock(&s->lock);
	return hit;
}

bool restricted_set_hits_box(const struct restricted_set *set,
			     const double box[4])
{
	double ring[10] = { box[0], box[1], box[2], box[1], box[2], box[3],
			    box[0], box[3], box[0], box[1] };
	uint32_t starts[2] = { 0, 5 };
	bool outer = true;
	struct geom g = { .type = GEOM_POLYGON, .n_points = 5, .n_parts = 1,
			  .xy = ring, .part_start = starts,
			  .part_outer = &outer };

	return restricted_set_hits(set, &g);
}

void restricted_set_digest(const struct restricted_set *set, char hex[65])
{
	if (set == NULL || set->n_areas == 0) {
		memset(hex, '0', 64);
		hex[64] = '\0';
		return;
	}
	memcpy(hex, set->digest, 65);
}

const char *restricted_set_reason_box(const struct restricted_set *set,
				      const double box[4])
{
	struct restricted_set *s = (struct restricted_set *)set;
	GEOSGeometry *rect;
	const char *code = NULL;

	if (s == NULL || s->n_areas == 0)
		return NULL;
	pthread_mutex_lock(&s->lock);
	rect = GEOSGeom_createRectangle_r(s->h, box[0], box[1], box[2],
					  box[3]);
	for (size_t i = 0; rect != NULL && i < s->n_areas; i++) {
		const struct restricted_area *a = &s->areas[i];
		if (!geom_box_intersects(a->bbox, box) ||
		    GEOSPreparedIntersects_r(s->h, a->prepared, rect) != 1)
			continue;
		code = a->reason;
		break;
	}
	if (rect != NULL)
		GEOSGeom_destroy_r(s->h, rect);
	pthread_mutex_unlock(&s->lock);
	return code;
}
