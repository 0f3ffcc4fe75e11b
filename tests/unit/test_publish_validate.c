/*
 * Validation, diff and version folders on the real Da Nang ward 20248
 * (VN-2000 TM-3 107-45 GeoPackage): the one self-intersecting parcel and
 * the three duplicate (SoHieuToBanDo, SoThuTuThua) keys are found under
 * both policies; the repair policy repairs the first and accepts the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <gdal.h>
#include <ogr_api.h>

#include "layers/publish.h"
#include "tiles/render.h"

#define WARD VNSDI_SHARED_DIR \
	"/data/real/danang-parcels/DERIVED_parcels_20248_vn2000_tm3_107-45.gpkg"

/* An address in NFC, as it must come out of a CP1258 file. */
#define ADDRESS "Phường Nam Dương, quận Hải Châu"

static char *key_names[] = { "SoHieuToBanDo", "SoThuTuThua" };

static bool landuse_known(const char *code)
{
	return render_landuse_name(code, "vi") != NULL;
}

static void layer_init(struct cfg_layer *l, enum cfg_publish_policy policy)
{
	memset(l, 0, sizeof(*l));
	l->id = "parcels";
	l->source_layer = "parcels_20248";
	l->id_attribute = "OBJECTID";
	l->publish.policy = policy;
	l->publish.sliver_area_m2 = 0.5;
	l->publish.area_tolerance_pct = 5;
	l->publish.key = key_names;
	l->publish.n_key = 2;
	l->publish.landuse_attribute = "KyHieuMucDichSuDung";
}

/* One row of the expected counts per policy. */
struct expect {
	enum cfg_publish_policy policy;
	bool accepted;
	size_t self_intersection, duplicate_key, repaired, errors_min;
};

static void check_case(const struct expect *e)
{
	struct cfg_layer layer;
	struct validate_options opt = {0};
	struct validate_report report;
	char out[] = "/tmp/vnsdi-test-publish-XXXXXX";
	char gpkg[64];
	int fd = mkstemp(out);

	assert_true(fd >= 0);
	close(fd);
	unlink(out);
	snprintf(gpkg, sizeof(gpkg), "%s.gpkg", out);
	layer_init(&layer, e->policy);
	opt.layer = &layer;
	opt.landuse_known = landuse_known;
	assert_int_equal(validate_file(&opt, WARD, gpkg, &report), 0);
	printf("policy %s: expected accepted=%d self=%zu dup=%zu repaired=%zu; "
	       "obtained accepted=%d self=%zu dup=%zu repaired=%zu errors=%zu\n",
	       e->policy == CFG_PUBLISH_REPAIR ? "repair" : "reject",
	       e->accepted, e->self_intersection, e->duplicate_key,
	       e->repaired, report.accepted,
	       report.counts[VALIDATE_SELF_INTERSECTION],
	       report.counts[VALIDATE_DUPLICATE_KEY], report.n_repaired,
	       report.n_errors);
	assert_int_equal(report.accepted, e->accepted);
	assert_int_equal(report.n_features, 1955);
	assert_int_equal(report.counts[VALIDATE_SELF_INTERSECTION],
			 e->self_intersection);
	assert_int_equal(report.counts[VALIDATE_DUPLICATE_KEY],
			 e->duplicate_key);
	assert_int_equal(report.n_repaired, e->repaired);
	assert_true(report.n_errors >= e->errors_min);
	assert_int_equal(report.counts[VALIDATE_LANDUSE], 0);
	assert_string_equal(report.crs_id, "EPSG:5899");
	/* The GeoPackage exists only when the file was accepted. */
	assert_int_equal(access(gpkg, F_OK) == 0, e->accepted);
	if (e->accepted) {
		struct diff_result diff;
		char error[256];

		assert_int_equal(report.n_written, 1955);
		assert_int_equal(diff_files(&layer, gpkg, gpkg, &diff, error,
					    sizeof(error)), 0);
		assert_int_equal(diff.n_added + diff.n_removed +
				 diff.n_modified, 0);
		diff_result_clear(&diff);
		/* The repaired parcel is the one modified against the source. */
		assert_int_equal(diff_files(&layer, WARD, gpkg, &diff, error,
					    sizeof(error)), 0);
		assert_int_equal(diff.n_modified, 1);
		assert_int_equal(diff.n_added + diff.n_removed, 0);
		assert_true(diff.has_extent);
		diff_result_clear(&diff);
		unlink(gpkg);
	}
	char *json = validate_report_json(&report);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"self_intersection\""));
	free(json);
	validate_report_clear(&report);
}

static void test_policies(void **state)
{
	static const struct expect cases[] = {
		{ CFG_PUBLISH_REJECT, false, 1, 3, 0, 4 },
		{ CFG_PUBLISH_REPAIR, true, 1, 3, 1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* The ward's first 30 parcels as a Shapefile whose DBF is in CP1258 and
   that has no .cpg, with a DiaChi text in Vietnamese, in a new folder
   whose path is written to `dir`. */
static void make_cp1258_shapefile(char *dir, size_t size)
{
	char command[1024], cpg[128];

	snprintf(dir, size, "/tmp/vnsdi-test-cp1258-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(command, sizeof(command),
		 "ogr2ogr -q -f 'ESRI Shapefile' -lco ENCODING=CP1258 "
		 "-nln ward '%s/ward.shp' '%s' -dialect SQLite -sql "
		 "\"SELECT *, '%s' AS DiaChi FROM parcels_20248 "
		 "WHERE fid <= 30\" 2>/dev/null",
		 dir, WARD, ADDRESS);
	assert_int_equal(system(command), 0);
	snprintf(cpg, sizeof(cpg), "%s/ward.cpg", dir);
	assert_int_equal(unlink(cpg), 0);
}

/* Validate the CP1258 Shapefile for a layer declaring `encoding`. */
static void validate_cp1258(const char *dir, const char *encoding,
			    const char *gpkg, struct validate_report *report)
{
	struct cfg_layer layer;
	struct validate_options opt = {0};
	char path[128];

	memset(&layer, 0, sizeof(layer));
	layer.id = "parcels";
	layer.source_layer = "ward";
	layer.id_attribute = "OBJECTID";
	layer.encoding = (char *)encoding;
	layer.publish.policy = CFG_PUBLISH_REPAIR;
	layer.publish.area_tolerance_pct = 5;
	opt.layer = &layer;
	snprintf(path, sizeof(path), "%s/ward.shp", dir);
	assert_int_equal(validate_file(&opt, path, gpkg, report), 0);
}

static void test_shapefile_without_cpg(void **state)
{
	char dir[64], gpkg[96], command[128];
	struct validate_report report;
	GDALDatasetH ds;
	OGRFeatureH f;
	const char *address;

	(void)state;
	make_cp1258_shapefile(dir, sizeof(dir));
	snprintf(gpkg, sizeof(gpkg), "%s/out.gpkg", dir);

	/* With the layer's encoding, the text reaches the version in UTF-8,
	   and the report notes how the file was read. */
	validate_cp1258(dir, "CP1258", gpkg, &report);
	printf("CP1258 layer: accepted=%d text=%zu errors=%zu\n",
	       report.accepted, report.counts[VALIDATE_TEXT], report.n_errors);
	for (size_t i = 0; i < report.n_problems; i++)
		printf("  %s\n", report.problems[i].message_en);
	assert_true(report.accepted);
	assert_int_equal(report.counts[VALIDATE_TEXT], 1);
	assert_int_equal(report.problems[0].severity, VALIDATE_WARNING);
	validate_report_clear(&report);
	ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
	assert_non_null(ds);
	f = OGR_L_GetNextFeature(GDALDatasetGetLayer(ds, 0));
	assert_non_null(f);
	address = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "DiaChi"));
	printf("expected \"%s\", obtained \"%s\"\n", ADDRESS, address);
	assert_string_equal(address, ADDRESS);
	OGR_F_Destroy(f);
	GDALClose(ds);
	unlink(gpkg);

	/* Without it, the CP1258 bytes are not UTF-8: every feature is an
	   error and nothing is written. */
	validate_cp1258(dir, NULL, gpkg, &report);
	printf("no encoding: accepted=%d text=%zu\n", report.accepted,
	       report.counts[VALIDATE_TEXT]);
	assert_false(report.accepted);
	assert_int_equal(report.counts[VALIDATE_TEXT], 30);
	assert_int_equal(access(gpkg, F_OK), -1);
	validate_report_clear(&report);

	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
}

static void test_durable_files(void **state)
{
	char dir[] = "/tmp/vnsdi-test-versions-XXXXXX";
	char path[128], hex[65];
	struct cfg cfg = {0};
	int64_t *list = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cfg.data_dir = dir;
	snprintf(path, sizeof(path), "%s/versions/parcels/1", dir);
	assert_int_equal(layer_mkdirs(path), 0);
	snprintf(path, sizeof(path), "%s/versions/parcels/2", dir);
	assert_int_equal(layer_mkdirs(path), 0);
	snprintf(path, sizeof(path), "%s/versions/parcels/1/manifest.json",
		 dir);
	assert_int_equal(versions_write_file(path, "{}", 2), 0);
	/* Version 2 has no manifest: unfinished, not listed, cleaned. */
	assert_int_equal(versions_list(&cfg, "parcels", &list), 1);
	assert_int_equal(list[0], 1);
	free(list);
	versions_clean(&cfg, "parcels");
	snprintf(path, sizeof(path), "%s/versions/parcels/2", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/versions/parcels/1/manifest.json",
		 dir);
	assert_int_equal(versions_sha256_file(path, hex), 0);
	/* SHA-256 of "{}". */
	assert_string_equal(hex, "44136fa355b3678a1146ad16f7e8649e"
				 "94fb4fc21fe77e8310c060f61caaff8a");
	assert_int_equal(versions_retain(&cfg, "parcels", 1, 1), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/versions/parcels/1", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/versions/parcels", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/versions", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_durable_files),
		cmocka_unit_test(test_shapefile_without_cpg),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	layer_thread_cleanup();
	vn2000_thread_cleanup();
	return rc;
}
