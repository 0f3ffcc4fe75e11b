/*
 * Vector layers loaded from the real data sets: counts, storage CRS,
 * coordinates, attribute types and Vietnamese text byte for byte.
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
#include <math.h>

/* cmocka 1.1 compares floats only: a double check that prints both. */
#define assert_near(got, want, eps)                                          \
	do {                                                                 \
		double got_ = (got), want_ = (want);                         \
		if (!(fabs(got_ - want_) <= (eps)))                          \
			fail_msg("%s: expected %.12g, obtained %.12g", #got, \
				 want_, got_);                               \
	} while (0)

#include "layers/layers.h"

#define REAL VNSDI_SHARED_DIR "/data/real/"
#define DANANG_JSON REAL "danang-parcels/parcels_20248_nam_duong.geojson"
#define DANANG_GPKG \
	REAL "danang-parcels/DERIVED_parcels_20248_vn2000_tm3_107-45.gpkg"
#define CANTHO REAL "cantho-2008-mapinfo/"
#define MEKONG REAL "mekong-admin-govportal/mekong_delta_admin_l1_l2.geojson"
#define HAUGIANG REAL "haugiang-admin/haugiang_xa_polygon.shp"

static struct cfg test_cfg = {
	.path = (char *)"test-layers.yaml",
	.imagery_max_km2 = 200,
};

static struct cfg_layer layer_new(const char *id, const char *source,
				  const char *crs)
{
	struct cfg_layer l = {
		.id = (char *)id,
		.kind = CFG_LAYER_VECTOR,
		.source = (char *)source,
		.crs = (char *)crs,
		.line = 7,
	};
	return l;
}

/* Load a layer that must load; print the errors when it does not. */
static struct layer_snapshot *load_ok(const struct cfg_layer *l)
{
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	int rc = layer_snapshot_load(&test_cfg, l, NULL, 1, NULL, &snap,
				     &errors);

	if (rc != 0)
		cfg_errors_print_lang(&errors, stderr, true);
	cfg_errors_clear(&errors);
	assert_int_equal(rc, 0);
	assert_non_null(snap);
	return snap;
}

/* Load a layer that must fail with a message containing `expected`. */
static void load_fails(const struct cfg_layer *l, const char *expected)
{
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	int rc = layer_snapshot_load(&test_cfg, l, NULL, 1, NULL, &snap,
				     &errors);
	bool found = false;

	for (size_t i = 0; i < errors.count; i++) {
		const char *en = errors.items[i].message_en;
		if (en != NULL && strstr(en, expected) != NULL &&
		    errors.items[i].line == 7)
			found = true;
	}
	if (!found) {
		fprintf(stderr, "layer %s: expected an error containing "
			"\"%s\", obtained:\n", l->id, expected);
		cfg_errors_print_lang(&errors, stderr, true);
	}
	cfg_errors_clear(&errors);
	assert_int_equal(rc, -1);
	assert_null(snap);
	assert_true(found);
}

struct count_case {
	const char *id;
	const char *source;
	const char *source_layer;
	size_t features;
	const char *crs;       /* expected storage CRS id */
};

static const struct count_case count_cases[] = {
	{ "danang_json", DANANG_JSON, NULL, 1955, "CRS:84" },
	{ "danang_gpkg", DANANG_GPKG, "parcels_20248", 1955, "EPSG:5899" },
	{ "cantho_districts", CANTHO "quanhuyen.TAB", NULL, 8, NULL },
	{ "cantho_roads", CANTHO "giaothong.TAB", NULL, 1896, NULL },
	{ "mekong_admin", MEKONG, NULL, 147, "CRS:84" },
	{ "haugiang_communes", HAUGIANG, NULL, 76, NULL },
};

static void test_vector_counts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(count_cases) / sizeof(*count_cases);
	     i++) {
		const struct count_case *c = &count_cases[i];
		struct cfg_layer l = layer_new(c->id, c->source, NULL);
		l.source_layer = (char *)c->source_layer;
		struct layer_snapshot *snap = load_ok(&l);
		bool crs_ok = c->crs == NULL ||
			      strcmp(snap->crs->id, c->crs) == 0;
		if (snap->n_features != c->features || !crs_ok)
			fprintf(stderr, "%s (%s): expected %zu features in "
				"%s, obtained %zu in %s\n", c->id, c->source,
				c->features, c->crs ? c->crs : "any CRS",
				snap->n_features, snap->crs->id);
		assert_int_equal(snap->n_features, c->features);
		assert_true(crs_ok);
		assert_int_equal(snap->n_dropped_restricted, 0);
		assert_false(snap->empty);
		assert_non_null(snap->crs_note);
		/* Every feature has a box inside the CRS84 extent. */
		for (size_t k = 0; k < snap->n_features; k++) {
			const struct feature *f = &snap->features[k];
			assert_true(f->bbox[0] >= snap->extent[0]);
			assert_true(f->bbox[3] <= snap->extent[3]);
			if (k > 0)
				assert_true(f->fid > snap->features[k - 1].fid);
		}
		layer_snapshot_release(snap);
	}
}

static const struct value *value_of(const struct layer_snapshot *snap,
				    const struct feature *f, const char *name)
{
	int i = layer_attr_find(snap, name);

	assert_true(i >= 0);
	return &f->values[i];
}

static void test_danang_geojson_parcel(void **state)
{
	struct cfg_layer l = layer_new("parcels", DANANG_JSON, NULL);
	static const char *names[] = { "OBJECTID", "MaXa", "SoThuTuThua",
				       "SoHieuToBanDo", "DienTich",
				       "KyHieuMucDichSuDung" };
	static const enum attr_type types[] = { ATTR_INTEGER, ATTR_STRING,
						ATTR_INTEGER, ATTR_INTEGER,
						ATTR_REAL, ATTR_STRING };
	(void)state;
	l.id_attribute = (char *)"OBJECTID";
	struct layer_snapshot *snap = load_ok(&l);

	assert_int_equal(snap->n_attrs, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(snap->attrs[i].name, names[i]);
		assert_int_equal(snap->attrs[i].type, types[i]);
		assert_false(snap->attrs[i].personal);
	}
	assert_int_equal(snap->features[0].fid, 1133479);
	assert_int_equal(snap->features[1954].fid, 1135433);

	const struct feature *f = layer_feature_find(snap, 1133479);
	assert_non_null(f);
	assert_null(layer_feature_find(snap, 42));
	assert_int_equal(f->lonlat.type, GEOM_POLYGON);
	assert_true(f->lonlat.part_outer[0]);
	assert_near(f->lonlat.xy[0], 108.215332026338, 1e-12);
	assert_near(f->lonlat.xy[1], 16.0613124594818, 1e-12);
	assert_near(value_of(snap, f, "DienTich")->u.d, 155.379001,
			    1e-9);
	assert_string_equal(value_of(snap, f, "KyHieuMucDichSuDung")->u.s,
			    "DCH");
	assert_string_equal(value_of(snap, f, "MaXa")->u.s, "20248");
	/* Rings are closed. */
	uint32_t last = f->lonlat.part_start[1] - 1;
	assert_near(f->lonlat.xy[2 * last], f->lonlat.xy[0], 0);
	layer_snapshot_release(snap);
}

/*
 * The GeoPackage holds the same parcels projected to VN-2000 TM-3 107°45'
 * with the official 7-parameter transformation; back in CRS84 every vertex
 * must land within 1e-7° (about 1 cm) of the GeoJSON source.
 */
static void test_danang_gpkg_matches_geojson(void **state)
{
	struct cfg_layer lj = layer_new("json", DANANG_JSON, NULL);
	struct cfg_layer lg = layer_new("gpkg", DANANG_GPKG, NULL);
	double worst = 0;
	(void)state;
	lj.id_attribute = lg.id_attribute = (char *)"OBJECTID";
	struct layer_snapshot *json = load_ok(&lj);
	struct layer_snapshot *gpkg = load_ok(&lg);

	assert_string_equal(gpkg->crs->id, "EPSG:5899");
	const struct feature *g = layer_feature_find(gpkg, 1133479);
	assert_non_null(g);
	assert_near(g->native.xy[0], 549591.673227697, 1e-6);
	assert_near(g->native.xy[1], 1776419.14386722, 1e-6);
	assert_near(g->native_bbox[0], 549552.000227732, 1e-6);

	for (size_t i = 0; i < json->n_features; i++) {
		const struct feature *a = &json->features[i];
		const struct feature *b = layer_feature_find(gpkg, a->fid);
		assert_non_null(b);
		assert_int_equal(a->lonlat.n_points, b->lonlat.n_points);
		for (uint32_t k = 0; k < 2 * a->lonlat.n_points; k++) {
			double d = a->lonlat.xy[k] - b->lonlat.xy[k];
			if (d < 0)
				d = -d;
			if (d > worst)
				worst = d;
		}
	}
	fprintf(stderr, "largest GeoPackage/GeoJSON difference: %.3g°\n",
		worst);
	assert_true(worst < 1e-7);
	layer_snapshot_release(json);
	layer_snapshot_release(gpkg);
}

static void test_mekong_text_byte_for_byte(void **state)
{
	struct cfg_layer l = layer_new("admin", MEKONG, NULL);
	(void)state;
	struct layer_snapshot *snap = load_ok(&l);
	const struct feature *f = layer_feature_find(snap, 99);

	assert_non_null(f);
	/* "Quận Ninh Kiều" in UTF-8 NFC. */
	assert_string_equal(value_of(snap, f, "name")->u.s,
			    "Qu\xe1\xba\xadn Ninh Ki\xe1\xbb\x81u");
	assert_string_equal(value_of(snap, f, "parent_name")->u.s,
			    "Th\xc3\xa0nh ph\xe1\xbb\x91 C\xe1\xba\xa7n "
			    "Th\xc6\xa1");
	assert_string_equal(value_of(snap, f, "code")->u.s, "916");
	assert_int_equal(value_of(snap, f, "level")->u.i, 2);
	/* Provinces have no parent: a null value, not an empty string. */
	assert_true(value_of(snap, layer_feature_find(snap, 0),
			     "parent_name")->is_null);
	layer_snapshot_release(snap);
}

static void test_cantho_mapinfo(void **state)
{
	struct cfg_layer l = layer_new("districts", CANTHO "quanhuyen.TAB",
				       NULL);
	struct cfg_layer r = layer_new("roads", CANTHO "giaothong.TAB", NULL);
	(void)state;
	struct layer_snapshot *snap = load_ok(&l);
	const struct feature *f = layer_feature_find(snap, 1);

	assert_non_null(f);
	assert_string_equal(value_of(snap, f, "Ten")->u.s, "Quan Ninh Kieu");
	assert_near(value_of(snap, f, "Dientich")->u.d, 2922.04, 1e-9);
	assert_int_equal(f->native.type, GEOM_POLYGON);
	assert_near(f->native.xy[0], 586185.05, 1e-9);
	assert_near(f->native.xy[1], 1108774.05, 1e-9);
	/* Ninh Kieu lies near 105.78°E, 10.03°N. */
	assert_true(f->bbox[0] > 105.7 && f->bbox[2] < 105.9);
	assert_true(f->bbox[1] > 9.9 && f->bbox[3] < 10.1);
	/* The MapInfo charset WindowsVietnamese is read as CP1258. */
	assert_non_null(strstr(snap->crs_note, "CP1258"));
	layer_snapshot_release(snap);

	snap = load_ok(&r);
	f = layer_feature_find(snap, 1);
	assert_non_null(f);
	assert_int_equal(f->native.type, GEOM_LINE);
	assert_int_equal(f->native.n_points, 2);
	assert_near(f->native.xy[2], 586284.46, 1e-9);
	assert_string_equal(value_of(snap, f, "ten_duong")->u.s,
			    "quay dau xe");
	assert_int_equal(value_of(snap, f, "mot_chieu")->u.i, 0);
	layer_snapshot_release(snap);
}

static void test_haugiang_shapefile(void **state)
{
	char *attrs[] = { (char *)"tenxa", (char *)"maxa",
			  (char *)"tenhuyen" };
	struct cfg_layer l = layer_new("communes", HAUGIANG, NULL);
	(void)state;
	l.attributes = attrs;
	l.n_attributes = 3;
	struct layer_snapshot *snap = load_ok(&l);
	const struct feature *f = layer_feature_find(snap, 0);

	/* Exposed attributes in config order, typed from the DBF. */
	assert_int_equal(snap->n_attrs, 3);
	assert_string_equal(snap->attrs[0].name, "tenxa");
	assert_string_equal(snap->attrs[1].name, "maxa");
	assert_int_equal(snap->attrs[1].type, ATTR_REAL);
	assert_non_null(f);
	/* "Xã Tân Phú Thạnh", "Huyện Châu Thành A" */
	assert_string_equal(f->values[0].u.s,
			    "X\xc3\xa3 T\xc3\xa2n Ph\xc3\xba Th\xe1\xba\xa1nh");
	assert_near(f->values[1].u.d, 31363, 0);
	assert_string_equal(f->values[2].u.s,
			    "Huy\xe1\xbb\x87n Ch\xc3\xa2u Th\xc3\xa0nh A");
	/* WGS 84 / UTM 48N: the province lies near 105.5-106°E, 9.6-10°N. */
	assert_true(snap->extent[0] > 105.3 && snap->extent[2] < 106.1);
	assert_true(snap->extent[1] > 9.5 && snap->extent[3] < 10.1);
	layer_snapshot_release(snap);
}

static void test_config_errors(void **state)
{
	char *missing[] = { (char *)"DienTich", (char *)"TenChu" };
	char *personal[] = { (char *)"SoGiayTo" };
	struct cfg_layer l;
	(void)state;

	l = layer_new("parcels", DANANG_JSON, NULL);
	l.attributes = missing;
	l.n_attributes = 2;
	load_fails(&l, "attribute 'TenChu' is not a field");

	/* A misspelt personal attribute must not leave data unprotected. */
	l = layer_new("parcels", DANANG_JSON, NULL);
	l.personal = personal;
	l.n_personal = 1;
	load_fails(&l, "personal 'SoGiayTo' is not a field");

	l = layer_new("parcels", DANANG_JSON, NULL);
	l.id_attribute = (char *)"SoHieuToBanDo";
	load_fails(&l, "duplicate SoHieuToBanDo value 1");

	l = layer_new("parcels", DANANG_JSON, NULL);
	l.id_attribute = (char *)"MaXa";
	load_fails(&l, "id_attribute 'MaXa' is of type String");

	l = layer_new("parcels", DANANG_JSON, "EPSG:99999");
	load_fails(&l, "declare crs: EPSG:NNNN in the layer");

	l = layer_new("parcels", REAL "does-not-exist.gpkg", NULL);
	load_fails(&l, "cannot open");

	l = layer_new("parcels", DANANG_GPKG, NULL);
	l.source_layer = (char *)"thua_dat";
	load_fails(&l, "layer 'thua_dat' not found (layers: parcels_20248)");
}

/* Copy a file byte for byte (real data into a temporary folder). */
static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[65536];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

/* A shapefile without its .prj: the message says how to declare it. */
static void test_missing_crs(void **state)
{
	char dir[] = "/tmp/vnsdi-layers-XXXXXX";
	char path[256], from[256];
	static const char *ext[] = { "shp", "shx", "dbf", "cpg" };
	(void)state;

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 4; i++) {
		snprintf(from, sizeof(from), REAL "haugiang-admin/"
			 "haugiang_xa_polygon.%s", ext[i]);
		snprintf(path, sizeof(path), "%s/xa.%s", dir, ext[i]);
		copy_file(from, path);
	}
	snprintf(path, sizeof(path), "%s/xa.shp", dir);
	struct cfg_layer l = layer_new("communes", path, NULL);
	load_fails(&l, "declare crs: EPSG:NNNN in the layer");

	/* Declared in the config, the same file loads. */
	l.crs = (char *)"EPSG:32648";
	struct layer_snapshot *snap = load_ok(&l);
	assert_int_equal(snap->n_features, 76);
	assert_non_null(strstr(snap->crs_note, "declared"));
	layer_snapshot_release(snap);

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/xa.%s", dir, ext[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_counts),
		cmocka_unit_test(test_danang_geojson_parcel),
		cmocka_unit_test(test_danang_gpkg_matches_geojson),
		cmocka_unit_test(test_mekong_text_byte_for_byte),
		cmocka_unit_test(test_cantho_mapinfo),
		cmocka_unit_test(test_haugiang_shapefile),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_missing_crs),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	layer_thread_cleanup();
	vn2000_thread_cleanup();
	return rc;
}
