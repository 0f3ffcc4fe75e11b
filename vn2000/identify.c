/*
 * Identify the CRS of a data set from GDAL's spatial reference.
 *
 * The checks run in this order. First a deprecated or known EPSG authority
 * code. Then the parameters of a VN-2000 or WGS 84 CRS, because Shapefile
 * .prj files in ESRI WKT carry names and parameters but no code and no
 * TOWGS84. Then a catalogue CRS that GDAL finds equivalent. Anything else
 * becomes a custom CRS built from its PROJ string, which PROJ's own
 * operation takes to WGS 84.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include "vn2000/vn2000_internal.h"

/* Tolerances for matching parameters read from WKT. */
#define DEG_EPS 1e-7
#define SCALE_EPS 1e-9
#define METRE_EPS 1e-3

/* Facts read from a spatial reference for the checks below. */
struct srs_facts {
	bool geographic, projected, tmerc;
	bool vn2000_datum, wgs84_datum, wgs84_ellipsoid;
	bool metres, degrees, greenwich;
	bool lon_first_data;
	double lat0, cm, k0, fe, fn;
	char name[256];
};

static void set_text(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_text(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!buf || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static bool near(double a, double b, double eps)
{
	return fabs(a - b) <= eps;
}

/* True when the folded text contains one of the VN-2000 spellings. */
static bool names_vn2000(const char *text)
{
	char key[256];

	if (!text || !vn2000_fold_name(text, key, sizeof(key)))
		return false;
	return strstr(key, "vn2000") || strstr(key, "vietnam2000");
}

/* True when the datum name is one of the spellings of WGS 84. */
static bool names_wgs84(const char *text)
{
	char key[256];

	if (!text || !vn2000_fold_name(text, key, sizeof(key)))
		return false;
	return strcmp(key, "wgs84") == 0 || strcmp(key, "wgs1984") == 0 ||
	       strcmp(key, "dwgs1984") == 0 ||
	       strcmp(key, "worldgeodeticsystem1984") == 0;
}

/*
 * True when TOWGS84 contains the official parameters, in PROJ's position
 * vector signs or, as some files have them, the Decision's coordinate frame
 * signs copied unchanged.
 */
static bool towgs84_is_official(const double t[7])
{
	return near(t[0], -191.90441429, 1e-6) &&
	       near(t[1], -39.30318279, 1e-6) &&
	       near(t[2], -111.45032835, 1e-6) &&
	       near(fabs(t[3]), 0.00928836, 1e-8) &&
	       near(fabs(t[4]), 0.01975479, 1e-8) &&
	       near(fabs(t[5]), 0.00427372, 1e-8);
}

/* Read the datum facts: names, ellipsoid, TOWGS84. */
static void read_datum(OGRSpatialReferenceH srs, struct srs_facts *f)
{
	double t[7] = { 0 };
	bool has_towgs84 = OSRGetTOWGS84(srs, t, 7) == OGRERR_NONE;
	bool zero_shift = true;
	OGRErr err = OGRERR_NONE;
	double a = OSRGetSemiMajor(srs, &err);
	double invf = OSRGetInvFlattening(srs, &err);
	const char *datum = OSRGetAttrValue(srs, "DATUM", 0);
	const char *geogcs = OSRGetAttrValue(srs, "GEOGCS", 0);

	for (int i = 0; i < 7; i++)
		if (t[i] != 0)
			zero_shift = false;
	f->wgs84_ellipsoid = near(a, VN2000_WGS84_A, 1e-3) &&
			     near(invf, VN2000_WGS84_INVF, 1e-8);
	f->vn2000_datum = f->wgs84_ellipsoid &&
			  (names_vn2000(datum) || names_vn2000(geogcs) ||
			   names_vn2000(f->name) ||
			   (has_towgs84 && towgs84_is_official(t)));
	f->wgs84_datum = f->wgs84_ellipsoid && !f->vn2000_datum &&
			 (!has_towgs84 || zero_shift) &&
			 (names_wgs84(datum) || names_wgs84(geogcs));
}

/* Read everything the checks below need from srs. */
static void read_facts(OGRSpatialReferenceH srs, struct srs_facts *f)
{
	const char *name = OSRGetName(srs);
	const char *method = OSRGetAttrValue(srs, "PROJECTION", 0);
	const int *mapping;
	int count = 0;
	OGRErr err = OGRERR_NONE;

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	f->geographic = OSRIsGeographic(srs) != 0;
	f->projected = OSRIsProjected(srs) != 0;
	read_datum(srs, f);
	f->greenwich = near(OSRGetPrimeMeridian(srs, NULL), 0.0, 1e-12);
	f->degrees = near(OSRGetAngularUnits(srs, NULL), M_PI / 180, 1e-12);
	f->metres = f->projected && near(OSRGetLinearUnits(srs, NULL), 1, 1e-12);
	f->tmerc = f->projected && method &&
		   strcmp(method, SRS_PT_TRANSVERSE_MERCATOR) == 0;
	if (f->tmerc) {
		f->lat0 = OSRGetProjParm(srs, SRS_PP_LATITUDE_OF_ORIGIN, 0, &err);
		f->cm = OSRGetProjParm(srs, SRS_PP_CENTRAL_MERIDIAN, 0, &err);
		f->k0 = OSRGetProjParm(srs, SRS_PP_SCALE_FACTOR, 1, &err);
		f->fe = OSRGetProjParm(srs, SRS_PP_FALSE_EASTING, 0, &err);
		f->fn = OSRGetProjParm(srs, SRS_PP_FALSE_NORTHING, 0, &err);
	}
	mapping = OSRGetDataAxisToSRSAxisMapping(srs, &count);
	f->lon_first_data = f->geographic && count >= 2 && mapping &&
			    mapping[0] == 2 && mapping[1] == 1;
}

/* Match a transverse Mercator on VN-2000 or WGS 84 to a catalogue entry. */
static const struct vn2000_crs *match_tmerc(const struct srs_facts *f,
					    enum vn2000_datum datum,
					    bool swapped_origin)
{
	double fe = swapped_origin ? f->fn : f->fe;
	double fn = swapped_origin ? f->fe : f->fn;

	for (size_t i = 0; i < vn2000_crs_count(); i++) {
		const struct vn2000_crs *c = vn2000_crs_at(i);

		/* Catalogue zones all have false easting 500 000, FN 0. */
		if (c->datum == datum && c->scale_factor != 0 &&
		    near(c->central_meridian, f->cm, DEG_EPS) &&
		    near(c->scale_factor, f->k0, SCALE_EPS) &&
		    near(fe, 500000, METRE_EPS) && near(fn, 0, METRE_EPS))
			return c;
	}
	return NULL;
}

/* Register the exact definition of a VN-2000 TM not in the catalogue. */
static const struct vn2000_crs *custom_vn2000_tmerc(const struct srs_facts *f)
{
	char def[512], name[256];

	snprintf(def, sizeof(def),
		 "+proj=tmerc +lat_0=%.12g +lon_0=%.12g +k=%.12g +x_0=%.12g "
		 "+y_0=%.12g +ellps=WGS84 +units=m +no_defs",
		 f->lat0, f->cm, f->k0, f->fe, f->fn);
	snprintf(name, sizeof(name),
		 "VN-2000 / TM lon_0=%.9g k=%.9g x_0=%.9g y_0=%.9g (custom)",
		 f->cm, f->k0, f->fe, f->fn);
	return vn2000_custom_register(name, def, VN2000_DATUM_VN2000, false,
				      NULL, f->cm, f->k0);
}

/* VN-2000 and WGS 84 CRSs recognised by their parameters. */
static const struct vn2000_crs *match_parameters(const struct srs_facts *f,
						 char *note, size_t note_size)
{
	const struct vn2000_crs *c;
	int replacement;

	if (!f->greenwich || !f->degrees)
		return NULL;
	if (f->geographic && f->vn2000_datum) {
		set_text(note, note_size,
			 "%s: VN-2000 geographic datum and WGS 84 ellipsoid "
			 "-> EPSG:4756", f->name);
		return vn2000_crs_by_epsg(4756);
	}
	if (f->geographic && f->wgs84_datum) {
		c = vn2000_crs_find(f->lon_first_data ? "CRS:84" : "EPSG:4326");
		set_text(note, note_size, "%s: WGS 84 geographic -> %s",
			 f->name, c->id);
		return c;
	}
	if (!f->tmerc || !f->metres || !near(f->lat0, 0, DEG_EPS))
		return NULL;

	if (f->vn2000_datum) {
		if ((c = match_tmerc(f, VN2000_DATUM_VN2000, false)) != NULL) {
			set_text(note, note_size,
				 "%s: VN-2000 transverse Mercator, CM %.9g, "
				 "k0 %.9g -> %s (%s)",
				 f->name, f->cm, f->k0, c->id, c->name_en);
			return c;
		}
		c = match_tmerc(f, VN2000_DATUM_VN2000, true);
		replacement = c ? c->epsg : 0;
		if (c && replacement >= 5896 && replacement <= 5899) {
			set_text(note, note_size,
				 "WARNING: %s has false easting 0 and false "
				 "northing 500000, the swapped origin of the "
				 "deprecated EPSG:%d; using its replacement "
				 "EPSG:%d", f->name, replacement + 1060,
				 replacement);
			return c;
		}
		c = custom_vn2000_tmerc(f);
		if (c)
			set_text(note, note_size,
				 "%s: VN-2000 transverse Mercator not in the "
				 "catalogue (CM %.9g, k0 %.9g, FE %.9g, FN %.9g)"
				 " -> custom %s, official VN-2000 datum shift",
				 f->name, f->cm, f->k0, f->fe, f->fn, c->id);
		return c;
	}
	if (f->wgs84_datum &&
	    (c = match_tmerc(f, VN2000_DATUM_WGS84, false)) != NULL) {
		set_text(note, note_size, "%s: WGS 84 transverse Mercator -> %s",
			 f->name, c->id);
		return c;
	}
	return NULL;
}

/* Catalogue entry from the EPSG authority code, with deprecated codes. */
static const struct vn2000_crs *match_authority(OGRSpatialReferenceH srs,
						const struct srs_facts *f,
						char *note, size_t note_size)
{
	const char *auth = OSRGetAuthorityName(srs, NULL);
	const char *code_text = OSRGetAuthorityCode(srs, NULL);
	const struct vn2000_crs *c;
	char *end = NULL;
	long code;
	int replacement;

	if (!auth || !code_text)
		return NULL;
	if (strcasecmp(auth, "OGC") == 0 && strcasecmp(code_text, "CRS84") == 0) {
		set_text(note, note_size, "OGC:CRS84 -> CRS:84");
		return vn2000_crs_find("CRS:84");
	}
	if (strcasecmp(auth, "EPSG") != 0)
		return NULL;
	code = strtol(code_text, &end, 10);
	if (*end != '\0' || code <= 0 || code > 999999)
		return NULL;

	replacement = vn2000_crs_deprecated((int)code);
	if (replacement) {
		set_text(note, note_size,
			 "WARNING: EPSG:%ld is deprecated (false easting and "
			 "northing swapped, data would land 500 km away); using "
			 "its replacement EPSG:%d", code, replacement);
		return vn2000_crs_by_epsg(replacement);
	}
	c = vn2000_crs_by_epsg((int)code);
	if (!c)
		return NULL;
	if (code == 4326 && f->lon_first_data)
		c = vn2000_crs_find("CRS:84");
	set_text(note, note_size, "EPSG:%ld from the data set -> %s (%s)", code,
		 c->id, c->name_en);
	return c;
}

/*
 * A catalogue CRS that GDAL finds equivalent (confidence >= 90 %), for
 * files that carry a known CRS without its code, such as an ESRI .prj of
 * Web Mercator.
 */
static const struct vn2000_crs *match_equivalent(OGRSpatialReferenceH srs,
						 const struct srs_facts *f,
						 char *note, size_t note_size)
{
	OGRSpatialReferenceH *matches;
	const struct vn2000_crs *found = NULL;
	int *confidence = NULL;
	int n = 0;

	matches = OSRFindMatches(srs, NULL, &n, &confidence);
	for (int i = 0; matches && i < n && !found; i++) {
		const char *auth = OSRGetAuthorityName(matches[i], NULL);
		const char *code = OSRGetAuthorityCode(matches[i], NULL);
		char *end;
		long v;

		if (confidence[i] < 90 || !auth || !code ||
		    strcasecmp(auth, "EPSG") != 0)
			continue;
		v = strtol(code, &end, 10);
		if (*end != '\0' || v <= 0 || v > 999999 ||
		    vn2000_crs_deprecated((int)v))
			continue;
		found = vn2000_crs_by_epsg((int)v);
		if (found)
			set_text(note, note_size,
				 "%s: equivalent to %s (GDAL match, confidence "
				 "%d %%)", f->name, found->id, confidence[i]);
	}
	if (matches)
		OSRFreeSRSArray(matches);
	CPLFree(confidence);
	return found;
}

/* Any other CRS: a custom entry transformed by PROJ's own operation. */
static const struct vn2000_crs *custom_other(OGRSpatialReferenceH srs,
					     const struct srs_facts *f,
					     char *note, size_t note_size,
					     char *message, size_t message_size)
{
	const struct vn2000_crs *c = NULL;
	char *proj4 = NULL;
	double area[4], *area_ptr = NULL;
	const char *area_name = NULL;

	if (OSRIsLocal(srs) || (!f->geographic && !f->projected) ||
	    OSRExportToProj4(srs, &proj4) != OGRERR_NONE || !proj4 ||
	    strstr(proj4, "+proj=") == NULL) {
		set_text(message, message_size,
			 "Không dùng được hệ tọa độ \"%s\" của tập dữ liệu; hãy "
			 "khai báo hệ tọa độ trong cấu hình, ví dụ crs: "
			 "EPSG:5897. / The CRS \"%s\" of the data set cannot be "
			 "used; declare the CRS in the config, for example "
			 "crs: EPSG:5897.",
			 f->name, f->name);
		goto cleanup;
	}
	if (OSRGetAreaOfUse(srs, &area[0], &area[1], &area[2], &area[3],
			    &area_name) &&
	    area[0] > -1000)
		area_ptr = area;
	c = vn2000_custom_register(f->name[0] ? f->name : proj4, proj4,
				   VN2000_DATUM_OTHER, f->geographic, area_ptr,
				   f->tmerc ? f->cm : 0, f->tmerc ? f->k0 : 0);
	if (!c)
		set_text(message, message_size,
			 "Không lưu được hệ tọa độ tùy biến \"%s\". / Cannot "
			 "register the custom CRS \"%s\".",
			 f->name, f->name);
	else
		set_text(note, note_size,
			 "%s: not a VN-2000 or WGS 84 CRS of the catalogue -> "
			 "custom %s (%s), transformed to WGS 84 by PROJ as "
			 "declared",
			 f->name, c->id, proj4);
cleanup:
	CPLFree(proj4);
	return c;
}

const struct vn2000_crs *vn2000_crs_identify(OGRSpatialReferenceH srs,
					     char *note, size_t note_size,
					     char *message, size_t message_size)
{
	struct srs_facts facts;
	const struct vn2000_crs *c;

	set_text(note, note_size, "%s", "");
	set_text(message, message_size, "%s", "");
	if (!srs) {
		set_text(message, message_size,
			 "Tập dữ liệu không có hệ tọa độ; hãy khai báo trong cấu "
			 "hình, ví dụ crs: EPSG:5897. / The data set has no CRS; "
			 "declare it in the config, for example crs: EPSG:5897.");
		return NULL;
	}
	if (OSRIsLocal(srs)) {
		set_text(message, message_size,
			 "Hệ tọa độ cục bộ (LOCAL_CS) không có vị trí trên "
			 "Trái Đất; hãy khai báo hệ tọa độ trong cấu hình, ví "
			 "dụ crs: EPSG:5897. / A local CRS (LOCAL_CS) has no "
			 "place on Earth; declare the CRS in the config, for "
			 "example crs: EPSG:5897.");
		return NULL;
	}
	read_facts(srs, &facts);

	c = match_authority(srs, &facts, note, note_size);
	if (!c)
		c = match_parameters(&facts, note, note_size);
	if (!c)
		c = match_equivalent(srs, &facts, note, note_size);
	if (!c)
		c = custom_other(srs, &facts, note, note_size, message,
				 message_size);
	return c;
}
