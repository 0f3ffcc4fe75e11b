/*
 * The checks of one feature: geometry validity with GEOS (and its repair
 * with MakeValid under the repair policy), slivers, the official area
 * against the geodesic area, the land-use code and the parcel key.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

#include "layers/layers_internal.h"
#include "layers/validate_internal.h"

/* Maximum number of points of a ring measured for its geodesic area. */
#define VALIDATE_RING_MAX ((size_t)5000000)

static void feature_identity(const struct validate_run *run, OGRFeatureH f,
			     struct validate_feature *feat)
{
	size_t used = 0;

	memset(feat, 0, sizeof(*feat));
	feat->fid = run->id_field >= 0 &&
		    OGR_F_IsFieldSetAndNotNull(f, run->id_field) ?
		    (int64_t)OGR_F_GetFieldAsInteger64(f, run->id_field) :
		    (int64_t)OGR_F_GetFID(f);
	for (size_t i = 0; i < run->n_key_fields; i++) {
		int field = run->key_fields[i];
		int n;

		if (field < 0 || !OGR_F_IsFieldSetAndNotNull(f, field)) {
			feat->key[0] = '\0';
			return;
		}
		n = snprintf(feat->key + used, sizeof(feat->key) - used,
			     "%s%s", i ? "/" : "",
			     OGR_F_GetFieldAsString(f, field));
		if (n < 0 || (size_t)n >= sizeof(feat->key) - used)
			return;
		used += (size_t)n;
	}
}

static GEOSGeometry *ogr_to_geos(GEOSContextHandle_t h, OGRGeometryH g)
{
	size_t size = (size_t)OGR_G_WkbSize(g);
	unsigned char *wkb = malloc(size ? size : 1);
	GEOSGeometry *out = NULL;

	if (wkb == NULL)
		return NULL;
	if (OGR_G_ExportToWkb(g, wkbNDR, wkb) == OGRERR_NONE)
		out = GEOSGeomFromWKB_buf_r(h, wkb, size);
	free(wkb);
	return out;
}

static OGRGeometryH geos_to_ogr(GEOSContextHandle_t h, const GEOSGeometry *g,
				OGRSpatialReferenceH srs)
{
	GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
	unsigned char *wkb;
	size_t size = 0;
	OGRGeometryH out = NULL;

	if (w == NULL)
		return NULL;
	GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
	wkb = GEOSWKBWriter_write_r(h, w, g, &size);
	GEOSWKBWriter_destroy_r(h, w);
	if (wkb == NULL)
		return NULL;
	if (OGR_G_CreateFromWkbEx(wkb, srs, &out, size) != OGRERR_NONE)
		out = NULL;
	GEOSFree_r(h, wkb);
	return out;
}

/* Geodesic area of one ring, its points moved to CRS84. */
static double ring_geodesic_area(const struct validate_run *run,
				 GEOSContextHandle_t h, const GEOSGeometry *ring)
{
	const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned int n = 0;
	double *xy, area;

	if (seq == NULL || GEOSCoordSeq_getSize_r(h, seq, &n) == 0 || n < 3 ||
	    n > VALIDATE_RING_MAX)
		return 0;
	xy = malloc(2 * (size_t)n * sizeof(*xy));
	if (xy == NULL)
		return NAN;
	for (unsigned int i = 0; i < n; i++)
		GEOSCoordSeq_getXY_r(h, seq, i, &xy[2 * i], &xy[2 * i + 1]);
	if (run->to_lonlat != NULL &&
	    vn2000_transform_xy(run->to_lonlat, xy, n) != 0) {
		free(xy);
		return NAN;
	}
	area = vn2000_geodesic_area(xy, n);
	free(xy);
	return area;
}

/* Geodesic area of a polygon or multipolygon: shells minus holes. */
static double geodesic_area(const struct validate_run *run,
			    GEOSContextHandle_t h, const GEOSGeometry *g)
{
	int type = GEOSGeomTypeId_r(h, g);
	double area = 0;

	if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
		int n = GEOSGetNumGeometries_r(h, g);

		for (int i = 0; i < n; i++)
			area += geodesic_area(run, h,
					      GEOSGetGeometryN_r(h, g, i));
		return area;
	}
	if (type != GEOS_POLYGON)
		return 0;
	area = ring_geodesic_area(run, h, GEOSGetExteriorRing_r(h, g));
	for (int i = 0; i < GEOSGetNumInteriorRings_r(h, g); i++)
		area -= ring_geodesic_area(run, h,
					   GEOSGetInteriorRingN_r(h, g, i));
	return area;
}

static bool is_polygonal(GEOSContextHandle_t h, const GEOSGeometry *g)
{
	int type = GEOSGeomTypeId_r(h, g);

	return type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON;
}

/* The polygons of MakeValid's result; lines and points it adds along a
   collapsed edge are dropped. NULL when nothing polygonal is left. */
static GEOSGeometry *polygonal_part(GEOSContextHandle_t h, GEOSGeometry *g)
{
	GEOSGeometry *parts[1024];
	unsigned int n = 0;
	int count;

	if (g == NULL || is_polygonal(h, g))
		return g;
	count = GEOSGetNumGeometries_r(h, g);
	for (int i = 0; i < count; i++) {
		const GEOSGeometry *m = GEOSGetGeometryN_r(h, g, i);
		int type = GEOSGeomTypeId_r(h, m);

		if (type == GEOS_POLYGON && n < 1024)
			parts[n++] = GEOSGeom_clone_r(h, m);
		for (int j = 0; type == GEOS_MULTIPOLYGON &&
		     j < GEOSGetNumGeometries_r(h, m) && n < 1024; j++)
			parts[n++] = GEOSGeom_clone_r(h,
						GEOSGetGeometryN_r(h, m, j));
	}
	GEOSGeom_destroy_r(h, g);
	if (n == 0)
		return NULL;
	return GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, n);
}

/* A CRS84 point on the surface of a geometry, for problem locations. */
static void feature_location(const struct validate_run *run,
			     GEOSContextHandle_t h, const GEOSGeometry *g,
			     struct validate_feature *feat)
{
	GEOSGeometry *p = GEOSPointOnSurface_r(h, g);
	double x, y;

	if (p == NULL)
		return;
	if (GEOSisEmpty_r(h, p) == 0 && GEOSGeomGetX_r(h, p, &x) == 1 &&
	    GEOSGeomGetY_r(h, p, &y) == 1)
		feat->has_location = validate_to_lonlat(run, x, y, &feat->lon,
							&feat->lat);
	GEOSGeom_destroy_r(h, p);
}

/*
 * GEOS validity of a polygon. Under the repair policy an invalid polygon is
 * replaced by MakeValid's result in *geos and *repaired. Returns false when
 * the geometry stays invalid.
 */
static bool check_validity(struct validate_run *run, GEOSContextHandle_t h,
			   GEOSGeometry **geos, OGRGeometryH source,
			   OGRGeometryH *repaired,
			   const struct validate_feature *feat)
{
	char *reason = NULL;
	GEOSGeometry *where = NULL, *fixed;
	struct validate_feature at = *feat;
	enum validate_kind kind;
	bool repair = run->opt->layer->publish.policy == CFG_PUBLISH_REPAIR;
	double x, y;

	if (GEOSisValidDetail_r(h, *geos, 0, &reason, &where) != 0)
		return true;
	kind = reason != NULL && strstr(reason, "elf-intersection") != NULL ?
	       VALIDATE_SELF_INTERSECTION : VALIDATE_BAD_RING;
	if (where != NULL && GEOSGeomGetX_r(h, where, &x) == 1 &&
	    GEOSGeomGetY_r(h, where, &y) == 1)
		at.has_location = validate_to_lonlat(run, x, y, &at.lon,
						     &at.lat);
	fixed = repair ? polygonal_part(h, GEOSMakeValid_r(h, *geos)) : NULL;
	if (fixed != NULL)
		*repaired = geos_to_ogr(h, fixed,
					OGR_G_GetSpatialReference(source));
	if (fixed != NULL && *repaired != NULL) {
		validate_add(run, kind, VALIDATE_REPAIRED, &at,
			     "thửa %lld: hình học không hợp lệ (%s); đã sửa "
			     "bằng GEOS MakeValid",
			     "feature %lld: invalid geometry (%s); repaired "
			     "with GEOS MakeValid",
			     (long long)feat->fid, reason ? reason : "?");
		GEOSGeom_destroy_r(h, *geos);
		*geos = fixed;
		fixed = NULL;
	} else {
		validate_add(run, kind, VALIDATE_ERROR, &at,
			     "thửa %lld: hình học không hợp lệ (%s)",
			     "feature %lld: invalid geometry (%s)",
			     (long long)feat->fid, reason ? reason : "?");
	}
	if (fixed != NULL)
		GEOSGeom_destroy_r(h, fixed);
	GEOSFree_r(h, reason);
	if (where != NULL)
		GEOSGeom_destroy_r(h, where);
	return *repaired != NULL;
}

/* Sliver and official-area checks of a valid polygon. */
static void check_areas(struct validate_run *run, GEOSContextHandle_t h,
			const GEOSGeometry *g, OGRFeatureH f,
			const struct validate_feature *feat)
{
	const struct cfg_publish *p = &run->opt->layer->publish;
	double area = geodesic_area(run, h, g), official, gap;

	if (!isfinite(area))
		return;
	if (area < p->sliver_area_m2)
		validate_add(run, VALIDATE_SLIVER,
			     validate_policy_severity(run), feat,
			     "thửa %lld: diện tích %.3f m² nhỏ hơn ngưỡng "
			     "mảnh vụn %.3f m²",
			     "feature %lld: area %.3f m² is under the sliver "
			     "threshold of %.3f m²",
			     (long long)feat->fid, area, p->sliver_area_m2);
	if (run->area_field < 0 || !OGR_F_IsFieldSetAndNotNull(f,
							       run->area_field))
		return;
	official = OGR_F_GetFieldAsDouble(f, run->area_field);
	if (area <= 0 || !isfinite(official))
		return;
	gap = fabs(official - area) / area * 100.0;
	if (gap > p->area_tolerance_pct)
		validate_add(run, VALIDATE_AREA, validate_policy_severity(run),
			     feat,
			     "thửa %lld: %s = %.2f m² lệch %.2f%% so với diện "
			     "tích trắc địa %.2f m² (dung sai %.2f%%)",
			     "feature %lld: %s = %.2f m² differs by %.2f%% "
			     "from the geodesic area %.2f m² (tolerance "
			     "%.2f%%)",
			     (long long)feat->fid,
			     OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(
				     OGR_L_GetLayerDefn(run->ogr),
				     run->area_field)),
			     official, gap, area, p->area_tolerance_pct);
}

/* Each part of a code such as "ODT+CLN" must be in the official list. */
static void check_landuse(struct validate_run *run, OGRFeatureH f,
			  const struct validate_feature *feat)
{
	char code[128], *part, *save = NULL;
	const char *value;

	if (run->landuse_field < 0 || run->opt->landuse_known == NULL ||
	    !OGR_F_IsFieldSetAndNotNull(f, run->landuse_field))
		return;
	value = OGR_F_GetFieldAsString(f, run->landuse_field);
	snprintf(code, sizeof(code), "%s", value);
	for (part = strtok_r(code, "+", &save); part != NULL;
	     part = strtok_r(NULL, "+", &save)) {
		while (*part == ' ')
			part++;
		for (size_t n = strlen(part); n > 0 && part[n - 1] == ' '; n--)
			part[n - 1] = '\0';
		if (run->opt->landuse_known(part))
			continue;
		validate_add(run, VALIDATE_LANDUSE,
			     validate_policy_severity(run), feat,
			     "thửa %lld: mã loại đất \"%s\" không có trong "
			     "danh mục chính thức",
			     "feature %lld: land-use code \"%s\" is not in the "
			     "official list",
			     (long long)feat->fid, part);
		return;
	}
}

/* Text must reach the version in UTF-8: DBF text read as raw bytes is
   converted first, and a value that is still not UTF-8 cannot be repaired,
   whatever the policy. */
static void check_text(struct validate_run *run, OGRFeatureH f,
		      const struct validate_feature *feat)
{
	OGRFeatureDefnH defn = OGR_F_GetDefnRef(f);

	for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
		OGRFieldDefnH field = OGR_FD_GetFieldDefn(defn, i);
		char *utf8;

		if (OGR_Fld_GetType(field) != OFTString ||
		    !OGR_F_IsFieldSetAndNotNull(f, i))
			continue;
		if (run->text != NULL) {
			utf8 = layer_text_convert(run->text,
						  OGR_F_GetFieldAsString(f, i));
			if (utf8 != NULL) {
				OGR_F_SetFieldString(f, i, utf8);
				free(utf8);
			}
		}
		if (CPLIsUTF8(OGR_F_GetFieldAsString(f, i), -1))
			continue;
		validate_add(run, VALIDATE_TEXT, VALIDATE_ERROR, feat,
			     "thửa %lld: trường %s không phải văn bản UTF-8; "
			     "thêm tệp .cpg ghi bảng mã vào tệp zip, hoặc "
			     "khai báo encoding của lớp",
			     "feature %lld: field %s is not UTF-8 text; add a "
			     ".cpg file naming the encoding to the zip, or "
			     "declare the layer's encoding",
			     (long long)feat->fid, OGR_Fld_GetNameRef(field));
		return;
	}
}

static int remember_key(struct validate_run *run,
			const struct validate_feature *feat)
{
	struct validate_key *k;

	if (feat->key[0] == '\0')
		return 0;
	if (run->n_keys == run->cap_keys) {
		size_t cap = run->cap_keys ? run->cap_keys * 2 : 1024;
		void *grown = realloc(run->keys, cap * sizeof(*k));

		if (grown == NULL)
			return -1;
		run->keys = grown;
		run->cap_keys = cap;
	}
	k = &run->keys[run->n_keys];
	k->key = strdup(feat->key);
	if (k->key == NULL)
		return -1;
	k->feat = *feat;
	k->order = run->n_keys++;
	return 0;
}

int validate_feature(struct validate_run *run, OGRFeatureH f)
{
	GEOSContextHandle_t h = layer_geos_thread_handle();
	OGRGeometryH g = OGR_F_GetGeometryRef(f), linear = NULL;
	OGRGeometryH repaired = NULL;
	GEOSGeometry *geos = NULL;
	struct validate_feature feat;
	int rc = -1;

	feature_identity(run, f, &feat);
	if (h == NULL)
		return -1;
	if (g != NULL && OGR_G_HasCurveGeometry(g, TRUE))
		g = linear = OGR_G_GetLinearGeometry(g, 0, NULL);
	if (g == NULL || OGR_G_IsEmpty(g)) {
		validate_add(run, VALIDATE_GEOMETRY_TYPE, VALIDATE_ERROR, &feat,
			     "thửa %lld: không có hình học",
			     "feature %lld: no geometry", (long long)feat.fid);
	} else if ((geos = ogr_to_geos(h, g)) == NULL) {
		validate_add(run, VALIDATE_BAD_RING, VALIDATE_ERROR, &feat,
			     "thửa %lld: GEOS không đọc được hình học (vòng "
			     "thiếu điểm hoặc tọa độ sai)",
			     "feature %lld: GEOS cannot read the geometry (a "
			     "ring with too few points or bad coordinates)",
			     (long long)feat.fid);
	} else {
		feature_location(run, h, geos, &feat);
		if (is_polygonal(h, geos) &&
		    check_validity(run, h, &geos, g, &repaired, &feat))
			check_areas(run, h, geos, f, &feat);
	}
	check_text(run, f, &feat);
	check_landuse(run, f, &feat);
	if (remember_key(run, &feat) != 0)
		goto done;
	rc = run->out_ds == NULL ? 0 :
	     validate_write_feature(run, f, repaired != NULL ? repaired :
				    linear);
done:
	if (geos != NULL)
		GEOSGeom_destroy_r(h, geos);
	if (repaired != NULL)
		OGR_G_DestroyGeometry(repaired);
	if (linear != NULL)
		OGR_G_DestroyGeometry(linear);
	return rc;
}

static int key_compare(const void *a, const void *b)
{
	const struct validate_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->order > y->order) - (x->order < y->order);
}

void validate_duplicates(struct validate_run *run)
{
	char names[160] = "";
	size_t used = 0;

	for (size_t i = 0; i < run->opt->layer->publish.n_key; i++) {
		int n = snprintf(names + used, sizeof(names) - used, "%s%s",
				 i ? ", " : "",
				 run->opt->layer->publish.key[i]);
		if (n < 0 || (size_t)n >= sizeof(names) - used)
			break;
		used += (size_t)n;
	}
	/* qsort must not be given a NULL array, which a file without
	   features has. */
	if (run->n_keys > 1)
		qsort(run->keys, run->n_keys, sizeof(*run->keys),
		      key_compare);
	for (size_t i = 1; i < run->n_keys; i++) {
		const struct validate_key *first = &run->keys[i - 1];
		const struct validate_key *k = &run->keys[i];

		if (strcmp(first->key, k->key) != 0)
			continue;
		/* Point at the first feature of the run of equal keys. */
		for (size_t j = i - 1; j > 0 &&
		     strcmp(run->keys[j - 1].key, k->key) == 0; j--)
			first = &run->keys[j - 1];
		validate_add(run, VALIDATE_DUPLICATE_KEY,
			     validate_policy_severity(run), &k->feat,
			     "thửa %lld: khóa (%s) = (%s) trùng với thửa %lld",
			     "feature %lld: key (%s) = (%s) is also used by "
			     "feature %lld",
			     (long long)k->feat.fid, names, k->key,
			     (long long)first->feat.fid);
	}
}
