/*
 * Checks at load: a config CRS that contradicts the one the data set
 * declares, an extent outside Vietnam, the message for a data set without
 * a CRS (wholly in one language per text), and a source that is a FIFO.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "layers/layers.h"

static char tmp_dir[] = "/tmp/vnsdi-load-checks-XXXXXX";

/* A point of Ninh Kieu, Can Tho, in VN-2000 / TM-3 105-00 (EPSG:5897). */
static const char tm3_json[] =
	"{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", "
	"\"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::5897\"}}, "
	"\"features\": [{\"type\": \"Feature\", \"properties\": {\"MaThua\": "
	"1}, \"geometry\": {\"type\": \"Point\", \"coordinates\": "
	"[587000.0, 1108000.0]}}]}\n";

static char tm3_path[512], no_crs_path[512], fifo_path[512];

/* A shapefile without a .prj: a data set with no CRS. */
static void write_shapefile_without_crs(const char *path)
{
	GDALDriverH drv = GDALGetDriverByName("ESRI Shapefile");
	GDALDatasetH ds;
	OGRLayerH layer;
	OGRFeatureH f;
	OGRGeometryH g;

	assert_non_null(drv);
	ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
	assert_non_null(ds);
	layer = GDALDatasetCreateLayer(ds, "points", NULL, wkbPoint, NULL);
	assert_non_null(layer);
	f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	g = OGR_G_CreateGeometry(wkbPoint);
	OGR_G_SetPoint_2D(g, 0, 587000.0, 1108000.0);
	OGR_F_SetGeometryDirectly(f, g);
	assert_int_equal(OGR_L_CreateFeature(layer, f), OGRERR_NONE);
	OGR_F_Destroy(f);
	GDALClose(ds);
}

static int setup(void **state)
{
	FILE *f;

	(void)state;
	if (mkdtemp(tmp_dir) == NULL)
		return -1;
	GDALAllRegister();
	snprintf(tm3_path, sizeof(tm3_path), "%s/tm3.geojson", tmp_dir);
	f = fopen(tm3_path, "w");
	if (f == NULL || fputs(tm3_json, f) < 0 || fclose(f) != 0)
		return -1;
	snprintf(no_crs_path, sizeof(no_crs_path), "%s/points.shp", tmp_dir);
	write_shapefile_without_crs(no_crs_path);
	snprintf(fifo_path, sizeof(fifo_path), "%s/fifo.geojson", tmp_dir);
	if (mkfifo(fifo_path, 0600) != 0)
		return -1;
	/* Opening the FIFO would block: fail instead of hanging. */
	alarm(60);
	return 0;
}

static int teardown(void **state)
{
	char command[600];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf '%s'", tmp_dir);
	layer_thread_cleanup();
	vn2000_thread_cleanup();
	return system(command) == 0 ? 0 : -1;
}

/* Index of the first problem whose English text has all of `words`. */
static long find_problem(const struct cfg_errors *errors,
			 enum cfg_severity severity, const char *const *words,
			 size_t n_words)
{
	for (size_t i = 0; i < errors->count; i++) {
		const struct cfg_error *e = &errors->items[i];
		bool all = e->severity == severity && e->message_en != NULL;
		for (size_t w = 0; all && w < n_words; w++)
			all = strstr(e->message_en, words[w]) != NULL;
		if (all)
			return (long)i;
	}
	cfg_errors_print_lang(errors, stderr, true);
	return -1;
}

struct declared_case {
	const char *crs;          /* declared in the config */
	size_t n_warnings;        /* expected */
};

static void test_declared_crs_contradicts_data(void **state)
{
	static const struct declared_case cases[] = {
		{ "EPSG:3857", 2 },   /* contradiction, and off Africa */
		{ "EPSG:5897", 0 },   /* the data's own CRS */
		{ NULL, 0 },          /* read from the data */
	};
	struct cfg cfg = { .path = (char *)"test-crs.yaml" };
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cfg_layer l = { .id = (char *)"parcels", .line = 7,
				       .crs_line = 9, .source = tm3_path,
				       .crs = (char *)cases[i].crs };
		struct cfg_errors errors = { 0 };
		struct layer_snapshot *snap = NULL;
		int rc = layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap,
					     &errors);

		if (errors.n_warnings != cases[i].n_warnings) {
			fprintf(stderr, "crs %s: expected %zu warnings, got "
				"%zu\n", cases[i].crs ? cases[i].crs : "(none)",
				cases[i].n_warnings, errors.n_warnings);
			cfg_errors_print_lang(&errors, stderr, true);
		}
		assert_int_equal(rc, 0);
		assert_int_equal(errors.n_warnings, cases[i].n_warnings);
		layer_snapshot_release(snap);
		cfg_errors_clear(&errors);
	}
}

static void test_declared_crs_warning_text(void **state)
{
	static const char *const both[] = { "EPSG:3857", "EPSG:5897" };
	static const char *const extent[] = { "is not inside Vietnam",
					      "EPSG:3857" };
	struct cfg cfg = { .path = (char *)"test-crs.yaml" };
	struct cfg_layer l = { .id = (char *)"parcels", .line = 7,
			       .crs_line = 9, .source = tm3_path,
			       .crs = (char *)"EPSG:3857" };
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	long i;
	(void)state;

	assert_int_equal(layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap,
					     &errors), 0);
	i = find_problem(&errors, CFG_SEVERITY_WARNING, both, 2);
	assert_true(i >= 0);
	assert_int_equal(errors.items[i].line, 9);
	assert_non_null(strstr(errors.items[i].message, "tập dữ liệu khai báo "
					       "EPSG:5897"));
	i = find_problem(&errors, CFG_SEVERITY_WARNING, extent, 2);
	assert_true(i >= 0);
	assert_non_null(strstr(errors.items[i].message,
			       "không nằm trọn trong Việt Nam"));
	layer_snapshot_release(snap);
	cfg_errors_clear(&errors);
}

static void test_no_crs_message_language(void **state)
{
	static const char *const words[] = { "the data set has no CRS",
					     "declare crs: EPSG:NNNN" };
	struct cfg cfg = { .path = (char *)"test-crs.yaml" };
	struct cfg_layer l = { .id = (char *)"points", .line = 7,
			       .source = no_crs_path };
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	const struct cfg_error *e;
	long i;
	(void)state;

	assert_int_equal(layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap,
					     &errors), -1);
	i = find_problem(&errors, CFG_SEVERITY_ERROR, words, 2);
	assert_true(i >= 0);
	e = &errors.items[i];
	assert_non_null(strstr(e->message, "tập dữ liệu không có hệ tọa độ"));
	assert_non_null(strstr(e->message, "khai báo crs: EPSG:NNNN"));
	/* No English in the Vietnamese text, no Vietnamese in the English. */
	assert_null(strstr(e->message, "the data set"));
	assert_null(strstr(e->message_en, "khai báo"));
	assert_null(strstr(e->message_en, "tập dữ liệu"));
	cfg_errors_clear(&errors);
}

static void test_fifo_source_rejected(void **state)
{
	static const char *const words[] = { "fifo.geojson",
					     "not a regular file or a folder" };
	struct cfg cfg = { .path = (char *)"test-crs.yaml" };
	struct cfg_layer l = { .id = (char *)"points", .line = 7,
			       .source = fifo_path };
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	(void)state;

	assert_int_equal(layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap,
					     &errors), -1);
	assert_null(snap);
	assert_true(find_problem(&errors, CFG_SEVERITY_ERROR, words, 2) >= 0);
	cfg_errors_clear(&errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declared_crs_contradicts_data),
		cmocka_unit_test(test_declared_crs_warning_text),
		cmocka_unit_test(test_no_crs_message_language),
		cmocka_unit_test(test_fifo_source_rejected),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
