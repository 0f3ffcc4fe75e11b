/*
 * State-secret rules applied at load time: features touching a restricted
 * area are dropped (whatever the CRS of the area), and imagery scenes over
 * the footprint limit or touching a restricted area are dropped whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gdal.h>
#include <ogr_api.h>

#include "layers/layers.h"

#define REAL VNSDI_SHARED_DIR "/data/real/"
#define DANANG_JSON REAL "danang-parcels/parcels_20248_nam_duong.geojson"
#define DANANG_GPKG \
	REAL "danang-parcels/DERIVED_parcels_20248_vn2000_tm3_107-45.gpkg"
#define LANDSAT REAL "imagery/landsat7_bahamas_RGB.byte.tif"
#define AERIAL REAL "imagery/aerial_0p6m_cogeo.tif"
#define BENTRE REAL "imagery/bentre_man_s2_20191127_clip.tif"
#define PARCELS 1955

/*
 * A quadrilateral over the middle of the Nam Duong parcels (lon, lat),
 * tilted so that it cuts parcels along slanted edges.
 */
static const double area_lonlat[5][2] = {
	{ 108.2150, 16.0590 }, { 108.2185, 16.0598 }, { 108.2180, 16.0625 },
	{ 108.2148, 16.0615 }, { 108.2150, 16.0590 },
};

static char tmp_dir[] = "/tmp/vnsdi-secrecy-XXXXXX";
static char area_crs84[256], area_vn2000[256], area_aerial[256];

static void write_polygon(const char *path, const char *crs_urn,
			  const double (*xy)[2], size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "{\"type\": \"FeatureCollection\",\n");
	if (crs_urn != NULL)
		fprintf(f, " \"crs\": {\"type\": \"name\", \"properties\": "
			"{\"name\": \"%s\"}},\n", crs_urn);
	fprintf(f, " \"features\": [{\"type\": \"Feature\", \"properties\": "
		"{\"Ten\": \"Khu v\xe1\xbb\xb1\x63 A\", \"MaLyDo\": \"QP\"}, "
		"\"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s[%.10f, %.10f]", i ? ", " : "", xy[i][0],
			xy[i][1]);
	fprintf(f, "]]}}]}\n");
	fclose(f);
}

/* The restricted area in CRS84, and the same one in VN-2000 TM-3. */
static int setup(void **state)
{
	double tm3[5][2];
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	const struct vn2000_crs *zone = vn2000_crs_by_epsg(5899);
	struct vn2000_transform *tr = vn2000_transform_get(crs84, zone);
	/* A box inside the aerial scene (near 128.66°E, 37.67°N). */
	const double aerial[5][2] = { { 128.600, 37.600 }, { 128.700, 37.600 },
				      { 128.700, 37.700 }, { 128.600, 37.700 },
				      { 128.600, 37.600 } };

	(void)state;
	if (mkdtemp(tmp_dir) == NULL || tr == NULL)
		return -1;
	snprintf(area_crs84, sizeof(area_crs84), "%s/area_crs84.geojson",
		 tmp_dir);
	snprintf(area_vn2000, sizeof(area_vn2000), "%s/area_5899.geojson",
		 tmp_dir);
	snprintf(area_aerial, sizeof(area_aerial), "%s/area_aerial.geojson",
		 tmp_dir);
	write_polygon(area_crs84, NULL, area_lonlat, 5);
	memcpy(tm3, area_lonlat, sizeof(tm3));
	if (vn2000_transform_xy(tr, &tm3[0][0], 5) != 0)
		return -1;
	write_polygon(area_vn2000, "urn:ogc:def:crs:EPSG::5899",
		      (const double(*)[2])tm3, 5);
	write_polygon(area_aerial, NULL, aerial, 5);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(area_crs84);
	unlink(area_vn2000);
	unlink(area_aerial);
	rmdir(tmp_dir);
	layer_thread_cleanup();
	vn2000_thread_cleanup();
	return 0;
}

static struct restricted_set *restricted_load(const char *path)
{
	struct cfg_restricted r = { .source = (char *)path,
				    .name_attribute = (char *)"Ten",
				    .reason_attribute = (char *)"MaLyDo",
				    .line = 21 };
	struct cfg cfg = { .path = (char *)"test-secrecy.yaml",
			   .restricted = &r, .n_restricted = path ? 1 : 0 };
	struct cfg_errors errors = { 0 };
	struct restricted_set *set = NULL;
	int rc = restricted_set_load(&cfg, &set, &errors);

	if (rc != 0)
		cfg_errors_print_lang(&errors, stderr, true);
	cfg_errors_clear(&errors);
	assert_int_equal(rc, 0);
	assert_non_null(set);
	return set;
}

static struct layer_snapshot *load_layer(const struct cfg_layer *l,
					 const struct restricted_set *set)
{
	struct cfg cfg = { .path = (char *)"test-secrecy.yaml",
			   .imagery_max_km2 = 200 };
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	int rc = layer_snapshot_load(&cfg, l, NULL, 1, set, &snap, &errors);

	if (rc != 0)
		cfg_errors_print_lang(&errors, stderr, true);
	cfg_errors_clear(&errors);
	assert_int_equal(rc, 0);
	return snap;
}

/*
 * OBJECTIDs of the source parcels that intersect the area, computed by
 * OGR on the source file: an independent answer.
 */
static size_t expected_drops(unsigned char *dropped, size_t size)
{
	GDALDatasetH ds = GDALOpenEx(DANANG_JSON, GDAL_OF_VECTOR, NULL, NULL,
				     NULL);
	OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
	OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
	OGRLayerH layer;
	OGRFeatureH f;
	size_t n = 0;

	assert_non_null(ds);
	for (int i = 0; i < 5; i++)
		OGR_G_AddPoint_2D(ring, area_lonlat[i][0], area_lonlat[i][1]);
	OGR_G_AddGeometryDirectly(poly, ring);
	layer = GDALDatasetGetLayer(ds, 0);
	while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
		int64_t id = OGR_F_GetFieldAsInteger64(f, 0);
		assert_true(id >= 1133479 && id - 1133479 < (int64_t)size);
		if (OGR_G_Intersects(OGR_F_GetGeometryRef(f), poly)) {
			dropped[id - 1133479] = 1;
			n++;
		}
		OGR_F_Destroy(f);
	}
	OGR_G_DestroyGeometry(poly);
	GDALClose(ds);
	return n;
}

/* Check a snapshot against the expected drops, extent included. */
static void check_drops(const struct layer_snapshot *snap,
			const unsigned char *dropped, size_t n_dropped)
{
	double ext[4] = { 1e9, 1e9, -1e9, -1e9 };

	if (snap->n_dropped_restricted != n_dropped)
		fprintf(stderr, "%s: expected %zu parcels dropped, obtained "
			"%zu\n", snap->cfg->id, n_dropped,
			snap->n_dropped_restricted);
	assert_int_equal(snap->n_dropped_restricted, n_dropped);
	assert_int_equal(snap->n_features, PARCELS - n_dropped);
	for (int64_t id = 1133479; id <= 1135433; id++) {
		const struct feature *f = layer_feature_find(snap, id);
		if ((f == NULL) != (dropped[id - 1133479] != 0))
			fprintf(stderr, "%s: parcel %lld expected %s\n",
				snap->cfg->id, (long long)id,
				dropped[id - 1133479] ? "dropped" : "kept");
		assert_int_equal(f == NULL, dropped[id - 1133479] != 0);
		if (f == NULL)
			continue;
		ext[0] = f->bbox[0] < ext[0] ? f->bbox[0] : ext[0];
		ext[1] = f->bbox[1] < ext[1] ? f->bbox[1] : ext[1];
		ext[2] = f->bbox[2] > ext[2] ? f->bbox[2] : ext[2];
		ext[3] = f->bbox[3] > ext[3] ? f->bbox[3] : ext[3];
	}
	/* The extent covers the served parcels only. */
	for (int i = 0; i < 4; i++)
		assert_true(snap->extent[i] == ext[i]);
}

static void test_restricted_drops_parcels(void **state)
{
	static unsigned char dropped[PARCELS];
	struct cfg_layer json = { .id = (char *)"parcels_json",
				  .source = (char *)DANANG_JSON,
				  .id_attribute = (char *)"OBJECTID" };
	struct cfg_layer gpkg = json;
	(void)state;

	gpkg.id = (char *)"parcels_gpkg";
	gpkg.source = (char *)DANANG_GPKG;
	size_t n = expected_drops(dropped, PARCELS);
	fprintf(stderr, "parcels intersecting the area (OGR): %zu\n", n);
	assert_true(n > 50 && n < PARCELS / 2);

	/* The same area in CRS84 and in VN-2000 TM-3 107°45'. */
	const char *areas[] = { area_crs84, area_vn2000 };
	for (size_t a = 0; a < 2; a++) {
		struct restricted_set *set = restricted_load(areas[a]);
		assert_int_equal(restricted_set_count(set), 1);
		struct layer_snapshot *sj = load_layer(&json, set);
		struct layer_snapshot *sg = load_layer(&gpkg, set);
		check_drops(sj, dropped, n);
		check_drops(sg, dropped, n);
		layer_snapshot_release(sj);
		layer_snapshot_release(sg);
		restricted_set_free(set);
	}
}

static void test_empty_restricted_set(void **state)
{
	struct restricted_set *set = restricted_load(NULL);
	double box[4] = { -180, -90, 180, 90 };
	(void)state;

	assert_int_equal(restricted_set_count(set), 0);
	assert_false(restricted_set_hits_box(set, box));
	assert_false(restricted_set_hits_box(NULL, box));
	restricted_set_free(set);
	restricted_set_free(NULL);
}

static void test_restricted_errors(void **state)
{
	struct cfg_restricted r = { .source = (char *)area_crs84,
				    .name_attribute = (char *)"TenKhu",
				    .line = 21 };
	struct cfg cfg = { .path = (char *)"test-secrecy.yaml",
			   .restricted = &r, .n_restricted = 1 };
	struct cfg_errors errors = { 0 };
	struct restricted_set *set = (void *)1;
	(void)state;

	assert_int_equal(restricted_set_load(&cfg, &set, &errors), -1);
	assert_null(set);
	assert_int_equal(errors.count, 1);
	assert_int_equal(errors.items[0].line, 21);
	assert_non_null(strstr(errors.items[0].message_en,
			       "no field 'TenKhu'"));
	cfg_errors_clear(&errors);

	/* Lines are not areas. */
	r.name_attribute = NULL;
	r.source = (char *)(REAL "cantho-2008-mapinfo/giaothong.TAB");
	assert_int_equal(restricted_set_load(&cfg, &set, &errors), -1);
	assert_true(errors.count >= 1);
	assert_non_null(strstr(errors.items[0].message_en,
			       "a polygon is required"));
	cfg_errors_clear(&errors);
}

static const struct scene *scene_of(const struct layer_snapshot *snap,
				    const char *path)
{
	for (size_t i = 0; i < snap->n_scenes; i++)
		if (strcmp(snap->scenes[i].path, path) == 0)
			return &snap->scenes[i];
	fail_msg("scene %s missing", path);
	return NULL;
}

static void test_imagery_footprint_rule(void **state)
{
	struct cfg_scene scenes[] = { { .path = (char *)LANDSAT },
				      { .path = (char *)AERIAL },
				      { .path = (char *)BENTRE } };
	struct cfg_layer l = { .id = (char *)"imagery",
			       .kind = CFG_LAYER_RASTER, .scenes = scenes,
			       .n_scenes = 3, .line = 40 };
	(void)state;
	struct layer_snapshot *snap = load_layer(&l, NULL);
	const struct scene *landsat = scene_of(snap, LANDSAT);
	const struct scene *aerial = scene_of(snap, AERIAL);
	const struct scene *bentre = scene_of(snap, BENTRE);

	fprintf(stderr, "areas: landsat %.1f km², aerial %.3f km², bentre "
		"%.1f km²\n", landsat->area_km2, aerial->area_km2,
		bentre->area_km2);
	/*
	 * The Landsat scene: its UTM rectangle covers 51,064 km², and the
	 * CRS84 box around it (lon -78.96..-76.57, lat 23.57..25.55), which
	 * is the footprint measured here, about 53,100 km².
	 */
	assert_true(landsat->dropped);
	assert_true(landsat->area_km2 > 52500 && landsat->area_km2 < 53700);
	assert_non_null(strstr(landsat->drop_reason, " km² > 200 km² (bí mật "
				"nhà nước) / coverage "));
	assert_non_null(strstr(landsat->drop_reason, "(state secret)"));
	assert_true(landsat->footprint[0] > -79.1 &&
		    landsat->footprint[2] < -76.4);

	/* The aerial COG covers 0.23 km² of ground, not the 0.37 "km²" of
	 * Web Mercator units. */
	assert_false(aerial->dropped);
	assert_null(aerial->drop_reason);
	assert_true(aerial->area_km2 > 0.2 && aerial->area_km2 < 0.26);
	assert_string_equal(aerial->crs->id, "EPSG:3857");
	assert_int_equal(aerial->width, 1024);

	/* Ben Tre: 127 km² by bounding box (72 km² of valid pixels). */
	assert_false(bentre->dropped);
	assert_true(bentre->area_km2 > 120 && bentre->area_km2 < 135);

	assert_int_equal(snap->n_dropped_footprint, 1);
	assert_int_equal(snap->n_dropped_restricted, 0);
	/* The extent is the union of kept scenes: far from the Bahamas. */
	assert_true(snap->extent[0] == bentre->footprint[0]);
	assert_true(snap->extent[2] == aerial->footprint[2]);
	assert_true(snap->extent[1] == bentre->footprint[1]);
	assert_true(snap->extent[3] == aerial->footprint[3]);
	layer_snapshot_release(snap);
}

static void test_imagery_restricted_and_limit(void **state)
{
	struct cfg_scene scenes[] = { { .path = (char *)AERIAL },
				      { .path = (char *)BENTRE } };
	struct cfg_layer l = { .id = (char *)"imagery",
			       .kind = CFG_LAYER_RASTER, .scenes = scenes,
			       .n_scenes = 2, .line = 40 };
	struct restricted_set *set = restricted_load(area_aerial);
	struct cfg cfg = { .path = (char *)"test-secrecy.yaml",
			   .imagery_max_km2 = 100 };
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	(void)state;

	snap = load_layer(&l, set);
	assert_true(scene_of(snap, AERIAL)->dropped);
	assert_non_null(strstr(scene_of(snap, AERIAL)->drop_reason,
			       "touches a restricted area"));
	assert_false(scene_of(snap, BENTRE)->dropped);
	assert_int_equal(snap->n_dropped_restricted, 1);
	layer_snapshot_release(snap);
	restricted_set_free(set);

	/* A lower limit drops Ben Tre (127 km²); nothing is left. */
	assert_int_equal(layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap,
					     &errors), 0);
	assert_true(scene_of(snap, BENTRE)->dropped);
	assert_non_null(strstr(scene_of(snap, BENTRE)->drop_reason,
			       "> 100 km²"));
	assert_false(scene_of(snap, AERIAL)->dropped);
	layer_snapshot_release(snap);

	/* A missing scene is an error naming it, not a silent drop. */
	scenes[1].path = (char *)"/nonexistent/scene.tif";
	scenes[1].line = 44;
	assert_int_equal(layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap,
					     &errors), -1);
	assert_int_equal(errors.count, 1);
	assert_int_equal(errors.items[0].line, 44);
	assert_non_null(strstr(errors.items[0].message_en,
			       "cannot open scene /nonexistent/scene.tif"));
	cfg_errors_clear(&errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restricted_drops_parcels),
		cmocka_unit_test(test_empty_restricted_set),
		cmocka_unit_test(test_restricted_errors),
		cmocka_unit_test(test_imagery_footprint_rule),
		cmocka_unit_test(test_imagery_restricted_and_limit),
	};

	GDALAllRegister();
	return cmocka_run_group_tests(tests, setup, teardown);
}
