/*
 * Identifying the CRS of data files read with OGR: EPSG codes, ESRI .prj
 * files without TOWGS84, deprecated codes, custom CRSs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "vn2000/vn2000.h"

#define REAL VNSDI_SHARED_DIR "/data/real"

/* ESRI WKT as ArcGIS writes it for EPSG:9210, with no TOWGS84. */
static const char prj_tm3_105_45[] =
	"PROJCS[\"VN-2000_TM-3_105-45\",GEOGCS[\"GCS_VN_2000\","
	"DATUM[\"D_Vietnam_2000\",SPHEROID[\"WGS_1984\",6378137.0,"
	"298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\","
	"0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],"
	"PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\","
	"0.0],PARAMETER[\"Central_Meridian\",105.75],PARAMETER["
	"\"Scale_Factor\",0.9999],PARAMETER[\"Latitude_Of_Origin\",0.0],"
	"UNIT[\"Meter\",1.0]]";

static const char prj_utm48[] =
	"PROJCS[\"VN_2000_UTM_Zone_48N\",GEOGCS[\"GCS_VN_2000\","
	"DATUM[\"D_Vietnam_2000\",SPHEROID[\"WGS_1984\",6378137.0,"
	"298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\","
	"0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],"
	"PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\","
	"0.0],PARAMETER[\"Central_Meridian\",105.0],PARAMETER["
	"\"Scale_Factor\",0.9996],PARAMETER[\"Latitude_Of_Origin\",0.0],"
	"UNIT[\"Meter\",1.0]]";

/* Provincial administrative map: provincial meridian with k0 0.9996. */
static const char prj_admin_105_45[] =
	"PROJCS[\"VN_2000_KTT_105_45_k09996\",GEOGCS[\"GCS_VN_2000\","
	"DATUM[\"D_Vietnam_2000\",SPHEROID[\"WGS_1984\",6378137.0,"
	"298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\","
	"0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],"
	"PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\","
	"0.0],PARAMETER[\"Central_Meridian\",105.75],PARAMETER["
	"\"Scale_Factor\",0.9996],PARAMETER[\"Latitude_Of_Origin\",0.0],"
	"UNIT[\"Meter\",1.0]]";

/* A TM with an anonymous datum but the official TOWGS84. */
static const char wkt_towgs84[] =
	"PROJCS[\"unnamed\",GEOGCS[\"unnamed\",DATUM[\"unknown\",SPHEROID["
	"\"WGS 84\",6378137,298.257223563],TOWGS84[-191.90441429,"
	"-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,"
	"0.252906278]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\","
	"0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],"
	"PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\","
	"107.75],PARAMETER[\"scale_factor\",0.9999],PARAMETER["
	"\"false_easting\",500000],PARAMETER[\"false_northing\",0],"
	"UNIT[\"metre\",1]]";

struct opened {
	GDALDatasetH ds;
	OGRSpatialReferenceH srs; /* owned by the layer */
};

static void open_layer(const char *path, struct opened *o)
{
	OGRLayerH layer;

	o->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL,
			   NULL);
	assert_non_null(o->ds);
	layer = GDALDatasetGetLayer(o->ds, 0);
	assert_non_null(layer);
	o->srs = OGR_L_GetSpatialRef(layer);
}

/* Write a one-point shapefile and its .prj in a fresh temp directory. */
static void write_shapefile(const char *dir, const char *prj_text)
{
	char path[512];
	GDALDriverH drv = GDALGetDriverByName("ESRI Shapefile");
	GDALDatasetH ds;
	OGRLayerH layer;
	OGRFeatureH feat;
	OGRGeometryH pt;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data.shp", dir);
	ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
	assert_non_null(ds);
	layer = GDALDatasetCreateLayer(ds, "data", NULL, wkbPoint, NULL);
	assert_non_null(layer);
	feat = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	pt = OGR_G_CreateGeometry(wkbPoint);
	OGR_G_SetPoint_2D(pt, 0, 603992.9740, 1191830.2482);
	OGR_F_SetGeometryDirectly(feat, pt);
	assert_int_equal(OGR_L_CreateFeature(layer, feat), OGRERR_NONE);
	OGR_F_Destroy(feat);
	GDALClose(ds);

	snprintf(path, sizeof(path), "%s/data.prj", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(prj_text, f);
	fclose(f);
}

static void remove_shapefile(const char *dir)
{
	static const char *const ext[] = { "shp", "shx", "dbf", "prj", "cpg" };
	char path[512];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(path, sizeof(path), "%s/data.%s", dir, ext[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Identify the CRS of a shapefile whose .prj is `prj_text`. */
static const struct vn2000_crs *identify_prj(const char *prj_text,
					     char *note, size_t note_size)
{
	char dir[] = "/tmp/vnsdi-vn2000-XXXXXX";
	char path[512], message[512];
	struct opened o;
	const struct vn2000_crs *c;

	assert_non_null(mkdtemp(dir));
	write_shapefile(dir, prj_text);
	snprintf(path, sizeof(path), "%s/data.shp", dir);
	open_layer(path, &o);
	assert_non_null(o.srs);
	c = vn2000_crs_identify(o.srs, note, note_size, message,
				sizeof(message));
	GDALClose(o.ds);
	remove_shapefile(dir);
	return c;
}

static double meters_between(double lon1, double lat1, double lon2,
			     double lat2)
{
	double line[4] = { lon1, lat1, lon2, lat2 };

	return vn2000_geodesic_length(line, 2);
}

/* A .prj with no TOWGS84 still gets the official transformation. */
static void test_prj_without_towgs84(void **state)
{
	char note[512];
	const struct vn2000_crs *c = identify_prj(prj_tm3_105_45, note,
						  sizeof(note));
	struct vn2000_transform *tr;
	double x = 603992.9740, y = 1191830.2482;

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->id, "EPSG:9210");
	tr = vn2000_transform_get(c, vn2000_crs_find("CRS:84"));
	assert_non_null(tr);
	vn2000_transform_points(tr, &x, &y, 1);
	/* District 1, Ho Chi Minh City, with EPSG:6960; PROJ's default
	 * (EPSG:5194) would be about 0.8 m away. */
	assert_true(meters_between(x, y, 106.7026862253, 10.7758814899) <
		    0.01);
}

static void test_prj_utm48(void **state)
{
	char note[512];
	const struct vn2000_crs *c = identify_prj(prj_utm48, note, sizeof(note));

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->id, "EPSG:3405");
}

/* Provincial meridian with k0 0.9996: a custom VN-2000 CRS, kept whole. */
static void test_prj_custom_vn2000(void **state)
{
	char note[512];
	const struct vn2000_crs *c = identify_prj(prj_admin_105_45, note,
						  sizeof(note));
	const struct vn2000_crs *again;
	struct vn2000_transform *tr;
	double x = 603992.9740, y = 1191830.2482;

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->datum, VN2000_DATUM_VN2000);
	assert_int_equal(c->epsg, 0);
	assert_true(strncmp(c->id, "CUSTOM:", 7) == 0);
	assert_true(c->scale_factor == 0.9996);
	assert_true(c->central_meridian == 105.75);
	assert_non_null(strstr(c->proj_def, "+k=0.9996"));
	assert_non_null(strstr(note, "custom"));
	again = identify_prj(prj_admin_105_45, note, sizeof(note));
	assert_ptr_equal(again, c);

	/* Transverse Mercator scales linearly with k0: the same point in
	 * TM-3 105-45 (k0 0.9999) is this one scaled by 0.9999 / 0.9996. */
	tr = vn2000_transform_get(c, vn2000_crs_by_epsg(9210));
	assert_non_null(tr);
	vn2000_transform_points(tr, &x, &y, 1);
	assert_true(fabs(x - (500000 + (603992.9740 - 500000) * 0.9999 /
					       0.9996)) < 1e-4);
	assert_true(fabs(y - 1191830.2482 * 0.9999 / 0.9996) < 1e-4);
}

/* A file declared with the deprecated EPSG:6959 gets the warning. */
static void test_deprecated_6959_file(void **state)
{
	char path[] = "/tmp/vnsdi-vn2000-XXXXXX";
	char note[512], message[512];
	struct opened o;
	const struct vn2000_crs *c;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\","
	      "\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::6959\"}},"
	      "\"features\":[{\"type\":\"Feature\",\"properties\":{},"
	      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[550370.2064,"
	      "1777025.4798]}}]}",
	      f);
	fclose(f);
	{
		char **drivers = CSLAddString(NULL, "GeoJSON");

		o.ds = GDALOpenEx(path, GDAL_OF_VECTOR, (const char *const *)drivers,
				  NULL, NULL);
		CSLDestroy(drivers);
	}
	assert_non_null(o.ds);
	o.srs = OGR_L_GetSpatialRef(GDALDatasetGetLayer(o.ds, 0));
	c = vn2000_crs_identify(o.srs, note, sizeof(note), message,
				sizeof(message));
	GDALClose(o.ds);
	unlink(path);
	assert_non_null(c);
	assert_string_equal(c->id, "EPSG:5899");
	if (!strstr(note, "WARNING") || !strstr(note, "6959"))
		print_error("note: %s\n", note);
	assert_non_null(strstr(note, "WARNING"));
	assert_non_null(strstr(note, "EPSG:6959"));
	assert_non_null(strstr(note, "EPSG:5899"));
}

static void test_wkt_official_towgs84(void **state)
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt_towgs84);
	char note[512], message[512];
	const struct vn2000_crs *c;

	(void)state;
	assert_non_null(srs);
	c = vn2000_crs_identify(srs, note, sizeof(note), message,
				sizeof(message));
	OSRDestroySpatialReference(srs);
	assert_non_null(c);
	assert_string_equal(c->id, "EPSG:5899");
}

struct real_case {
	const char *path;
	const char *expected_id; /* NULL: a custom CRS */
	enum vn2000_datum datum;
};

static void test_real_files(void **state)
{
	static const struct real_case cases[] = {
		{ REAL "/danang-parcels/parcels_20248_nam_duong.geojson",
		  "CRS:84", VN2000_DATUM_WGS84 },
		{ REAL "/danang-parcels/DERIVED_parcels_20248_vn2000_tm3_107-45"
		       ".gpkg",
		  "EPSG:5899", VN2000_DATUM_VN2000 },
		{ REAL "/haugiang-admin/haugiang_tinh_polygon.shp",
		  "EPSG:32648", VN2000_DATUM_WGS84 },
		{ REAL "/cantho-2008-mapinfo/quanhuyen.TAB", NULL,
		  VN2000_DATUM_OTHER },
	};

	(void)state;
	CPLPushErrorHandler(CPLQuietErrorHandler);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opened o;
		char note[512], message[512];
		const struct vn2000_crs *c;

		open_layer(cases[i].path, &o);
		c = vn2000_crs_identify(o.srs, note, sizeof(note), message,
					sizeof(message));
		GDALClose(o.ds);
		if (!c || (cases[i].expected_id &&
			   strcmp(c->id, cases[i].expected_id) != 0))
			print_error("%s: expected %s, obtained %s (%s%s)\n",
				    cases[i].path,
				    cases[i].expected_id ? cases[i].expected_id
							 : "custom",
				    c ? c->id : "(null)", note, message);
		assert_non_null(c);
		assert_int_equal(c->datum, cases[i].datum);
		if (cases[i].expected_id)
			assert_string_equal(c->id, cases[i].expected_id);
		else
			assert_true(strncmp(c->id, "CUSTOM:", 7) == 0);
		assert_true(note[0] != '\0');
	}
	CPLPopErrorHandler();
}

/* The Can Tho MapInfo CRS (TM 105°, k0 1, Krassovsky, no datum shift) is
 * read as declared and still reaches VN-2000 through the official step. */
static void test_cantho_custom_transform(void **state)
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	char note[512], message[512];
	const struct vn2000_crs *c, *wgs = vn2000_crs_find("CRS:84");
	struct vn2000_transform *to_wgs, *to_tm3, *tm3_to_wgs;
	double x = 586336.8817, y = 1109618.9951, x2, y2;

	(void)state;
	assert_int_equal(OSRImportFromProj4(srs, "+proj=tmerc +lat_0=0 "
						 "+lon_0=105 +k=1 +x_0=500000 "
						 "+y_0=0 +ellps=krass +units=m "
						 "+no_defs"),
			 OGRERR_NONE);
	c = vn2000_crs_identify(srs, note, sizeof(note), message,
				sizeof(message));
	OSRDestroySpatialReference(srs);
	assert_non_null(c);
	assert_int_equal(c->datum, VN2000_DATUM_OTHER);

	to_wgs = vn2000_transform_get(c, wgs);
	to_tm3 = vn2000_transform_get(c, vn2000_crs_by_epsg(5897));
	tm3_to_wgs = vn2000_transform_get(vn2000_crs_by_epsg(5897), wgs);
	assert_non_null(to_wgs);
	assert_non_null(to_tm3);
	x2 = x;
	y2 = y;
	assert_int_equal(vn2000_transform_points(to_wgs, &x, &y, 1), 0);
	assert_true(x > 105.7 && x < 105.9 && y > 9.9 && y < 10.2);
	assert_int_equal(vn2000_transform_points(to_tm3, &x2, &y2, 1), 0);
	assert_int_equal(vn2000_transform_points(tm3_to_wgs, &x2, &y2, 1), 0);
	assert_true(meters_between(x, y, x2, y2) < 0.001);
}

static void test_unusable(void **state)
{
	OGRSpatialReferenceH local = OSRNewSpatialReference(NULL);
	char note[512], message[512];

	(void)state;
	assert_null(vn2000_crs_identify(NULL, note, sizeof(note), message,
					sizeof(message)));
	assert_non_null(strstr(message, "crs:"));
	OSRSetLocalCS(local, "site grid");
	assert_null(vn2000_crs_identify(local, note, sizeof(note), message,
					sizeof(message)));
	assert_non_null(strstr(message, "crs:"));
	OSRDestroySpatialReference(local);
}

static void test_web_mercator(void **state)
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	char note[512], message[512];
	const struct vn2000_crs *c;

	(void)state;
	assert_int_equal(OSRImportFromEPSG(srs, 3857), OGRERR_NONE);
	c = vn2000_crs_identify(srs, note, sizeof(note), message,
				sizeof(message));
	assert_non_null(c);
	assert_string_equal(c->id, "EPSG:3857");
	/* The same CRS as an ESRI .prj, which carries no code. */
	OSRMorphToESRI(srs);
	{
		char *wkt = NULL;
		OGRSpatialReferenceH esri;

		OSRExportToWkt(srs, &wkt);
		esri = OSRNewSpatialReference(NULL);
		OSRImportFromESRI(esri, (char **)&(const char *[]){ wkt, NULL });
		c = vn2000_crs_identify(esri, note, sizeof(note), message,
					sizeof(message));
		CPLFree(wkt);
		OSRDestroySpatialReference(esri);
	}
	OSRDestroySpatialReference(srs);
	assert_non_null(c);
	if (strcmp(c->id, "EPSG:3857") != 0)
		print_error("ESRI Web Mercator: %s (%s)\n", c->id, note);
	assert_string_equal(c->id, "EPSG:3857");
}

static int setup(void **state)
{
	(void)state;
	GDALAllRegister();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vn2000_thread_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prj_without_towgs84),
		cmocka_unit_test(test_prj_utm48),
		cmocka_unit_test(test_prj_custom_vn2000),
		cmocka_unit_test(test_deprecated_6959_file),
		cmocka_unit_test(test_wkt_official_towgs84),
		cmocka_unit_test(test_real_files),
		cmocka_unit_test(test_cantho_custom_transform),
		cmocka_unit_test(test_unusable),
		cmocka_unit_test(test_web_mercator),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
