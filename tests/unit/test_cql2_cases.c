/*
 * CQL2 filters on the Da Nang parcels: each case in text and in JSON gives
 * the same features, and both equal an independent scan of the snapshot
 * (plain C comparisons, unprepared GEOS predicates). Bad filters, injection
 * attempts and hidden attributes are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layers/layers_internal.h"

#define DANANG_JSON                                                          \
	VNSDI_SHARED_DIR "/data/real/danang-parcels/"                        \
			 "parcels_20248_nam_duong.geojson"

static struct cfg test_cfg = { .path = (char *)"test-cql2.yaml" };
static char *personal[] = { (char *)"MaXa" };
static char *personal_roles[] = { (char *)"planner" };
static struct cfg_layer parcels = {
	.id = (char *)"parcels",
	.source = (char *)DANANG_JSON,
	.id_attribute = (char *)"OBJECTID",
	.personal = personal,
	.n_personal = 1,
	.personal_roles = personal_roles,
	.n_personal_roles = 1,
	.line = 1,
};

static const struct layer_snapshot *g_snap;

static double num(const struct feature *f, const char *name)
{
	int a = layer_attr_find(g_snap, name);

	return g_snap->attrs[a].type == ATTR_INTEGER ?
	       (double)f->values[a].u.i : f->values[a].u.d;
}

static const char *str(const struct feature *f, const char *name)
{
	const struct value *v = &f->values[layer_attr_find(g_snap, name)];

	return v->is_null ? NULL : v->u.s;
}

static bool is(const struct feature *f, const char *code)
{
	const char *s = str(f, "KyHieuMucDichSuDung");

	return s != NULL && strcmp(s, code) == 0;
}

/* Spatial oracle: an unprepared GEOS predicate against a WKT. */
enum oracle_op { OR_NONE, OR_INTERSECTS, OR_WITHIN, OR_CONTAINS,
		 OR_DISJOINT };

static bool geos_oracle(const struct feature *f, enum oracle_op op,
			const char *wkt)
{
	GEOSContextHandle_t h = layer_geos_thread_handle();
	GEOSWKTReader *r = GEOSWKTReader_create_r(h);
	GEOSGeometry *q = GEOSWKTReader_read_r(h, r, wkt);
	GEOSGeometry *g = geom_to_geos(h, &f->lonlat);
	char hit = 0;

	assert_non_null(q);
	assert_non_null(g);
	switch (op) {
	case OR_INTERSECTS:
		hit = GEOSIntersects_r(h, g, q);
		break;
	case OR_WITHIN:
		hit = GEOSWithin_r(h, g, q);
		break;
	case OR_CONTAINS:
		hit = GEOSContains_r(h, g, q);
		break;
	case OR_DISJOINT:
		hit = GEOSDisjoint_r(h, g, q);
		break;
	case OR_NONE:
		break;
	}
	GEOSGeom_destroy_r(h, g);
	GEOSGeom_destroy_r(h, q);
	GEOSWKTReader_destroy_r(h, r);
	return hit == 1;
}

#define BOX_WKT                                                              \
	"POLYGON((108.215 16.059,108.217 16.059,108.217 16.061,"             \
	"108.215 16.061,108.215 16.059))"
#define HOLE_WKT                                                             \
	"POLYGON((108.214 16.0585,108.219 16.0585,108.219 16.062,"           \
	"108.214 16.062,108.214 16.0585),(108.2155 16.0595,108.2175 16.0595," \
	"108.2175 16.0612,108.2155 16.0612,108.2155 16.0595))"
#define HOLE_JSON                                                            \
	"{\"type\":\"Polygon\",\"coordinates\":[[[108.214,16.0585],"          \
	"[108.219,16.0585],[108.219,16.062],[108.214,16.062],"               \
	"[108.214,16.0585]],[[108.2155,16.0595],[108.2175,16.0595],"          \
	"[108.2175,16.0612],[108.2155,16.0612],[108.2155,16.0595]]]}"
#define BOX_JSON                                                             \
	"{\"type\":\"Polygon\",\"coordinates\":[[[108.215,16.059],"           \
	"[108.217,16.059],[108.217,16.061],[108.215,16.061],"                \
	"[108.215,16.059]]]}"
#define PROP(name) "{\"property\":\"" name "\"}"

struct cql2_case {
	const char *text;
	const char *json;
	bool (*oracle)(const struct feature *f);
	enum oracle_op op;
	const char *wkt;
};

static bool o_gt100(const struct feature *f) { return num(f, "DienTich") > 100; }
static bool o_range(const struct feature *f)
{
	return num(f, "DienTich") >= 100 && num(f, "DienTich") < 200;
}
static bool o_between(const struct feature *f)
{
	return num(f, "DienTich") >= 100 && num(f, "DienTich") <= 200;
}
static bool o_not_between(const struct feature *f) { return !o_between(f); }
static bool o_odt(const struct feature *f) { return is(f, "ODT"); }
static bool o_not_odt(const struct feature *f)
{
	return str(f, "KyHieuMucDichSuDung") != NULL && !is(f, "ODT");
}
static bool o_in(const struct feature *f) { return is(f, "ODT") || is(f, "CLN"); }
static bool o_like_o(const struct feature *f)
{
	const char *s = str(f, "KyHieuMucDichSuDung");

	return s != NULL && s[0] == 'O';
}
static bool o_like_d(const struct feature *f)
{
	const char *s = str(f, "KyHieuMucDichSuDung");

	return s != NULL && strlen(s) == 3 && s[1] == 'D';
}
static bool o_not_like_o(const struct feature *f)
{
	return str(f, "KyHieuMucDichSuDung") != NULL && !o_like_o(f);
}
static bool o_sheet56(const struct feature *f)
{
	return num(f, "SoHieuToBanDo") == 5 || num(f, "SoHieuToBanDo") == 6;
}
static bool o_sheet567(const struct feature *f)
{
	return o_sheet56(f) || num(f, "SoHieuToBanDo") == 7;
}
static bool o_first10(const struct feature *f) { return f->fid <= 10; }
static bool o_null(const struct feature *f)
{
	return str(f, "KyHieuMucDichSuDung") == NULL;
}
static bool o_not_null(const struct feature *f) { return !o_null(f); }
static bool o_mixed(const struct feature *f)
{
	return (num(f, "DienTich") > 100 && is(f, "ODT")) ||
	       num(f, "SoHieuToBanDo") == 1;
}
static bool o_all(const struct feature *f) { (void)f; return true; }
static bool o_none(const struct feature *f) { (void)f; return false; }
static bool o_not_small(const struct feature *f)
{
	return !(num(f, "DienTich") < 50);
}
static bool o_parcel_no(const struct feature *f)
{
	return num(f, "SoThuTuThua") >= 10 && num(f, "SoThuTuThua") <= 20 &&
	       !is(f, "ODT");
}

static const struct cql2_case cases[] = {
	{"DienTich > 100",
	 "{\"op\":\">\",\"args\":[" PROP("DienTich") ",100]}", o_gt100, OR_NONE, NULL},
	{"DienTich >= 100 AND DienTich < 200",
	 "{\"op\":\"and\",\"args\":[{\"op\":\">=\",\"args\":[" PROP("DienTich")
	 ",100]},{\"op\":\"<\",\"args\":[" PROP("DienTich") ",200]}]}",
	 o_range, OR_NONE, NULL},
	{"DienTich BETWEEN 100 AND 200",
	 "{\"op\":\"between\",\"args\":[" PROP("DienTich") ",100,200]}",
	 o_between, OR_NONE, NULL},
	{"DienTich NOT BETWEEN 100 AND 200",
	 "{\"op\":\"not\",\"args\":[{\"op\":\"between\",\"args\":["
	 PROP("DienTich") ",100,200]}]}", o_not_between, OR_NONE, NULL},
	{"KyHieuMucDichSuDung = 'ODT'",
	 "{\"op\":\"=\",\"args\":[" PROP("KyHieuMucDichSuDung") ",\"ODT\"]}",
	 o_odt, OR_NONE, NULL},
	{"'ODT' = \"KyHieuMucDichSuDung\"",
	 "{\"op\":\"=\",\"args\":[\"ODT\"," PROP("KyHieuMucDichSuDung") "]}",
	 o_odt, OR_NONE, NULL},
	{"KyHieuMucDichSuDung <> 'ODT'",
	 "{\"op\":\"<>\",\"args\":[" PROP("KyHieuMucDichSuDung") ",\"ODT\"]}",
	 o_not_odt, OR_NONE, NULL},
	{"KyHieuMucDichSuDung IN ('ODT', 'CLN')",
	 "{\"op\":\"in\",\"args\":[" PROP("KyHieuMucDichSuDung")
	 ",[\"ODT\",\"CLN\"]]}", o_in, OR_NONE, NULL},
	{"KyHieuMucDichSuDung LIKE 'O%'",
	 "{\"op\":\"like\",\"args\":[" PROP("KyHieuMucDichSuDung") ",\"O%\"]}",
	 o_like_o, OR_NONE, NULL},
	{"KyHieuMucDichSuDung like '_D_'",
	 "{\"op\":\"like\",\"args\":[" PROP("KyHieuMucDichSuDung") ",\"_D_\"]}",
	 o_like_d, OR_NONE, NULL},
	{"KyHieuMucDichSuDung NOT LIKE 'O%'",
	 "{\"op\":\"not\",\"args\":[{\"op\":\"like\",\"args\":["
	 PROP("KyHieuMucDichSuDung") ",\"O%\"]}]}", o_not_like_o, OR_NONE, NULL},
	{"SoHieuToBanDo = 5 OR SoHieuToBanDo = 6",
	 "{\"op\":\"or\",\"args\":[{\"op\":\"=\",\"args\":["
	 PROP("SoHieuToBanDo") ",5]},{\"op\":\"=\",\"args\":["
	 PROP("SoHieuToBanDo") ",6]}]}", o_sheet56, OR_NONE, NULL},
	{"SoHieuToBanDo IN (5, 6, 7)",
	 "{\"op\":\"in\",\"args\":[" PROP("SoHieuToBanDo") ",[5,6,7]]}",
	 o_sheet567, OR_NONE, NULL},
	{"OBJECTID <= 10",
	 "{\"op\":\"<=\",\"args\":[" PROP("OBJECTID") ",10]}", o_first10, OR_NONE, NULL},
	{"KyHieuMucDichSuDung IS NULL",
	 "{\"op\":\"isNull\",\"args\":[" PROP("KyHieuMucDichSuDung") "]}",
	 o_null, OR_NONE, NULL},
	{"KyHieuMucDichSuDung IS NOT NULL",
	 "{\"op\":\"not\",\"args\":[{\"op\":\"isNull\",\"args\":["
	 PROP("KyHieuMucDichSuDung") "]}]}", o_not_null, OR_NONE, NULL},
	{"(DienTich > 100 AND KyHieuMucDichSuDung = 'ODT') OR "
	 "SoHieuToBanDo = 1",
	 "{\"op\":\"or\",\"args\":[{\"op\":\"and\",\"args\":[{\"op\":\">\","
	 "\"args\":[" PROP("DienTich") ",100]},{\"op\":\"=\",\"args\":["
	 PROP("KyHieuMucDichSuDung") ",\"ODT\"]}]},{\"op\":\"=\",\"args\":["
	 PROP("SoHieuToBanDo") ",1]}]}", o_mixed, OR_NONE, NULL},
	{"NOT DienTich < 50",
	 "{\"op\":\"not\",\"args\":[{\"op\":\"<\",\"args\":[" PROP("DienTich")
	 ",50]}]}", o_not_small, OR_NONE, NULL},
	{"SoThuTuThua BETWEEN 10 AND 20 AND NOT KyHieuMucDichSuDung = 'ODT'",
	 "{\"op\":\"and\",\"args\":[{\"op\":\"between\",\"args\":["
	 PROP("SoThuTuThua") ",10,20]},{\"op\":\"not\",\"args\":[{\"op\":"
	 "\"=\",\"args\":[" PROP("KyHieuMucDichSuDung") ",\"ODT\"]}]}]}",
	 o_parcel_no, OR_NONE, NULL},
	{"TRUE", "true", o_all, OR_NONE, NULL},
	{"1 = 2", "{\"op\":\"=\",\"args\":[1,2]}", o_none, OR_NONE, NULL},
	{"S_INTERSECTS(geometry, BBOX(108.215, 16.059, 108.217, 16.061))",
	 "{\"op\":\"s_intersects\",\"args\":[" PROP("geometry")
	 ",{\"bbox\":[108.215,16.059,108.217,16.061]}]}", NULL,
	 OR_INTERSECTS, BOX_WKT},
	{"S_WITHIN(geometry, " BOX_WKT ")",
	 "{\"op\":\"s_within\",\"args\":[" PROP("geometry") "," BOX_JSON "]}",
	 NULL, OR_WITHIN, BOX_WKT},
	{"S_CONTAINS(geometry, POINT(108.216 16.060))",
	 "{\"op\":\"s_contains\",\"args\":[" PROP("geometry")
	 ",{\"type\":\"Point\",\"coordinates\":[108.216,16.060]}]}", NULL,
	 OR_CONTAINS, "POINT(108.216 16.060)"},
	{"S_DISJOINT(geometry, " BOX_WKT ")",
	 "{\"op\":\"s_disjoint\",\"args\":[" PROP("geometry") "," BOX_JSON
	 "]}", NULL, OR_DISJOINT, BOX_WKT},
	{"S_INTERSECTS(geometry, " HOLE_WKT ")",
	 "{\"op\":\"s_intersects\",\"args\":[" PROP("geometry") "," HOLE_JSON
	 "]}", NULL, OR_INTERSECTS, HOLE_WKT},
};

/* Features matching a filter, as a 0/1 array indexed like the snapshot. */
static char *run_filter(const struct layer_snapshot *snap,
			enum layer_filter_lang lang, const char *text,
			enum cfg_role role, size_t *matched)
{
	struct layer_filter *flt = NULL;
	char error[512];
	char *hits = calloc(snap->n_features, 1);

	assert_non_null(hits);
	if (layer_filter_parse(snap, lang, text, NULL, role, &flt, error,
			       sizeof(error)) != 0) {
		fprintf(stderr, "filter: %s\nerror: %s\n", text, error);
		fail();
	}
	*matched = 0;
	for (size_t i = 0; i < snap->n_features; i++) {
		hits[i] = layer_filter_match(flt, &snap->features[i]);
		*matched += (size_t)hits[i];
	}
	layer_filter_free(flt);
	return hits;
}

static void test_cases_text_json_oracle(void **state)
{
	const struct layer_snapshot *snap = *state;
	int failures = 0;

	g_snap = snap;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		const struct cql2_case *c = &cases[k];
		size_t n_text, n_json, n_oracle = 0;
		char *a = run_filter(snap, LAYER_FILTER_CQL2_TEXT, c->text,
				     CFG_ROLE_ANONYMOUS, &n_text);
		char *b = run_filter(snap, LAYER_FILTER_CQL2_JSON, c->json,
				     CFG_ROLE_ANONYMOUS, &n_json);
		size_t differ = 0;

		for (size_t i = 0; i < snap->n_features; i++) {
			const struct feature *f = &snap->features[i];
			bool want = c->oracle != NULL ? c->oracle(f)
					: geos_oracle(f, c->op, c->wkt);

			n_oracle += want;
			differ += (a[i] != b[i]) + ((bool)a[i] != want);
		}
		if (differ != 0) {
			fprintf(stderr, "case %zu: %s\n  expected %zu, text %zu,"
				" json %zu, %zu differences\n", k, c->text,
				n_oracle, n_text, n_json, differ);
			failures++;
		}
		free(a);
		free(b);
	}
	assert_int_equal(failures, 0);
}

/* A polygon with a hole: features wholly inside the hole are left out. */
static void test_hole_excludes(void **state)
{
	const struct layer_snapshot *snap = *state;
	size_t n_hole, n_inner, n_outer;
	char *hole = run_filter(snap, LAYER_FILTER_CQL2_TEXT,
				"S_INTERSECTS(geometry, " HOLE_WKT ")",
				CFG_ROLE_ANONYMOUS, &n_hole);
	char *inner = run_filter(snap, LAYER_FILTER_CQL2_TEXT,
				 "S_WITHIN(geometry, POLYGON((108.2155 "
				 "16.0595,108.2175 16.0595,108.2175 16.0612,"
				 "108.2155 16.0612,108.2155 16.0595)))",
				 CFG_ROLE_ANONYMOUS, &n_inner);
	char *outer = run_filter(snap, LAYER_FILTER_CQL2_TEXT,
				 "S_INTERSECTS(geometry, POLYGON((108.214 "
				 "16.0585,108.219 16.0585,108.219 16.062,"
				 "108.214 16.062,108.214 16.0585)))",
				 CFG_ROLE_ANONYMOUS, &n_outer);

	assert_true(n_inner > 10);
	assert_int_equal(n_hole, n_outer - n_inner);
	for (size_t i = 0; i < snap->n_features; i++)
		if (inner[i])
			assert_false(hole[i]);
	free(hole);
	free(inner);
	free(outer);
}

struct bad_case {
	enum layer_filter_lang lang;
	const char *text;
	const char *needle;   /* expected in the error message */
};

static const struct bad_case bad[] = {
	{LAYER_FILTER_CQL2_TEXT, "DienTich > 1; DROP TABLE parcels", "syntax"},
	{LAYER_FILTER_CQL2_TEXT, "DienTich > 1 -- comment", "syntax"},
	{LAYER_FILTER_CQL2_TEXT, "DienTich > 1 /* x */", "syntax"},
	{LAYER_FILTER_CQL2_TEXT, "KyHieuMucDichSuDung = 'ODT''", "quote"},
	{LAYER_FILTER_CQL2_TEXT, "KyHieuMucDichSuDung = 'a' OR '1'='1' --",
	 "syntax"},
	{LAYER_FILTER_CQL2_TEXT, "Nope = 1", "queryable"},
	{LAYER_FILTER_CQL2_TEXT, "MaXa = '20248'", "queryable"},
	{LAYER_FILTER_CQL2_TEXT, "UPPER(KyHieuMucDichSuDung) = 'ODT'",
	 "unknown function"},
	{LAYER_FILTER_CQL2_TEXT, "DienTich = 'abc'", "type"},
	{LAYER_FILTER_CQL2_TEXT, "DienTich LIKE '1%'", "string"},
	{LAYER_FILTER_CQL2_TEXT, "S_INTERSECTS(geometry, POLYGON((0 0, 1 1, "
	 "1 0, 0 1, 0 0)))", "invalid geometry"},
	{LAYER_FILTER_CQL2_TEXT, "S_INTERSECTS(geometry, POLYGON((0 0, 0x1p3 "
	 "0, 1 1, 0 0)))", "invalid WKT"},
	{LAYER_FILTER_CQL2_TEXT, "DienTich > 0x10", "syntax"},
	{LAYER_FILTER_CQL2_TEXT, "", "empty"},
	{LAYER_FILTER_CQL2_JSON, "{\"op\":\"sql\",\"args\":[\"DROP\"]}",
	 "unknown function"},
	{LAYER_FILTER_CQL2_JSON, "{\"op\":\"=\",\"args\":[" PROP("MaXa")
	 ",\"1\"]}", "queryable"},
	{LAYER_FILTER_CQL2_JSON, "{\"op\":\"=\"", "invalid CQL2 JSON"},
};

static void test_bad_filters(void **state)
{
	const struct layer_snapshot *snap = *state;
	int failures = 0;

	for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
		struct layer_filter *flt = NULL;
		char error[512] = "";
		int rc = layer_filter_parse(snap, bad[k].lang, bad[k].text,
					    NULL, CFG_ROLE_ANONYMOUS, &flt,
					    error, sizeof(error));

		if (rc == 0 || flt != NULL ||
		    strstr(error, bad[k].needle) == NULL) {
			fprintf(stderr, "bad case %zu: %s\n  expected an error "
				"with '%s', got rc %d: %s\n", k, bad[k].text,
				bad[k].needle, rc, error);
			failures++;
		}
		layer_filter_free(flt);
	}
	assert_int_equal(failures, 0);
}

/* The personal attribute is known to a role allowed to read it. */
static void test_personal_by_role(void **state)
{
	const struct layer_snapshot *snap = *state;
	size_t n;
	char *hits = run_filter(snap, LAYER_FILTER_CQL2_TEXT,
				"MaXa LIKE '%'", CFG_ROLE_PLANNER, &n);

	assert_true(n > 0);
	free(hits);
}

/* A filter geometry in VN-2000 TM-3 107°45' finds what CRS84 finds. */
static void test_filter_crs(void **state)
{
	const struct layer_snapshot *snap = *state;
	const struct vn2000_crs *tm3 = vn2000_crs_find("EPSG:5899");
	const struct vn2000_crs *wgs = vn2000_crs_find("EPSG:4326");
	struct vn2000_transform *tr =
		vn2000_transform_get(vn2000_crs_find("CRS:84"), tm3);
	double p[4] = {108.215, 16.059, 108.217, 16.061};
	struct layer_filter *a = NULL, *b = NULL, *c = NULL;
	char text[512], error[512];
	size_t differ = 0, n = 0;

	assert_non_null(tm3);
	assert_int_equal(vn2000_transform_xy(tr, p, 2), 0);
	snprintf(text, sizeof(text), "S_INTERSECTS(geometry, POINT(%.3f %.3f))",
		 (p[0] + p[2]) / 2, (p[1] + p[3]) / 2);
	assert_int_equal(layer_filter_parse(snap, LAYER_FILTER_CQL2_TEXT, text,
					    tm3, CFG_ROLE_ANONYMOUS, &a, error,
					    sizeof(error)), 0);
	/* EPSG:4326 is latitude first. */
	assert_int_equal(layer_filter_parse(snap, LAYER_FILTER_CQL2_TEXT,
		"S_INTERSECTS(geometry, BBOX(16.059, 108.215, 16.061, 108.217))",
		wgs, CFG_ROLE_ANONYMOUS, &b, error, sizeof(error)), 0);
	assert_int_equal(layer_filter_parse(snap, LAYER_FILTER_CQL2_TEXT,
		"S_INTERSECTS(geometry, BBOX(108.215, 16.059, 108.217, 16.061))",
		NULL, CFG_ROLE_ANONYMOUS, &c, error, sizeof(error)), 0);
	for (size_t i = 0; i < snap->n_features; i++) {
		differ += layer_filter_match(b, &snap->features[i]) !=
			  layer_filter_match(c, &snap->features[i]);
		n += layer_filter_match(a, &snap->features[i]);
	}
	assert_int_equal(differ, 0);
	assert_int_equal(n, 1);
	layer_filter_free(a);
	layer_filter_free(b);
	layer_filter_free(c);
}

static int setup(void **state)
{
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	int rc = layer_snapshot_load(&test_cfg, &parcels, NULL, 1, NULL, &snap,
				     &errors);

	if (rc != 0)
		cfg_errors_print_lang(&errors, stderr, true);
	cfg_errors_clear(&errors);
	*state = snap;
	return rc;
}

static int teardown(void **state)
{
	layer_snapshot_release(*state);
	layer_thread_cleanup();
	vn2000_thread_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases_text_json_oracle),
		cmocka_unit_test(test_hole_excludes),
		cmocka_unit_test(test_bad_filters),
		cmocka_unit_test(test_personal_by_role),
		cmocka_unit_test(test_filter_crs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
