/*
 * Queries on the Da Nang parcels: paging in fid order, bbox through the
 * packed R-tree, equality filters, personal attributes and bad values.
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
#define PARCELS 1955

static struct cfg test_cfg = { .path = (char *)"test-query.yaml" };
static char *personal[] = { (char *)"KyHieuMucDichSuDung" };
static char *personal_roles[] = { (char *)"planner", (char *)"admin" };
static struct cfg_layer parcels = {
	.id = (char *)"parcels",
	.source = (char *)DANANG_JSON,
	.id_attribute = (char *)"OBJECTID",
	.line = 12,
};

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
	return 0;
}

static void test_paging_covers_all(void **state)
{
	const struct layer_snapshot *snap = *state;
	size_t seen = 0;
	int64_t last = INT64_MIN;
	char error[256];

	for (size_t offset = 0; offset < PARCELS + 100; offset += 100) {
		struct layer_query q = { .offset = offset, .limit = 100 };
		struct layer_result r;
		assert_int_equal(layer_query_run(snap, &q, &r, error,
						 sizeof(error)), 0);
		assert_int_equal(r.matched, PARCELS);
		size_t want = offset >= PARCELS ? 0
			      : PARCELS - offset < 100 ? PARCELS - offset
						       : 100;
		assert_int_equal(r.count, want);
		for (size_t i = 0; i < r.count; i++) {
			/* Strictly increasing: no repeat, stable order. */
			assert_true(r.features[i]->fid > last);
			last = r.features[i]->fid;
			seen++;
		}
		layer_result_clear(&r);
	}
	assert_int_equal(seen, PARCELS);

	struct layer_query none = { .limit = 0 };
	struct layer_result r;
	assert_int_equal(layer_query_run(snap, &none, &r, error,
					 sizeof(error)), 0);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.matched, PARCELS);
	layer_result_clear(&r);
}

struct box_count {
	size_t n;
};

static int count_visit(const struct feature *f, void *arg)
{
	(void)f;
	((struct box_count *)arg)->n++;
	return 0;
}

/* The R-tree finds exactly the features a linear scan of boxes finds. */
static void test_index_matches_scan(void **state)
{
	const struct layer_snapshot *snap = *state;
	const double *e = snap->extent;
	double w = e[2] - e[0], h = e[3] - e[1];

	for (int i = 0; i < 10; i++) {
		for (int j = 0; j < 10; j++) {
			double box[4] = { e[0] + w * i / 10, e[1] + h * j / 10,
					  e[0] + w * (i + 2) / 10,
					  e[1] + h * (j + 1.5) / 10 };
			struct box_count c = { 0 };
			size_t scan = 0;
			layer_snapshot_search(snap, box, count_visit, &c);
			for (size_t k = 0; k < snap->n_features; k++)
				scan += geom_box_intersects(
					snap->features[k].bbox, box);
			if (c.n != scan)
				fprintf(stderr, "box %d,%d: index %zu, scan "
					"%zu\n", i, j, c.n, scan);
			assert_int_equal(c.n, scan);
		}
	}
}

static size_t query_count(const struct layer_snapshot *snap,
			  const double *bbox,
			  const struct layer_condition *conds, size_t n,
			  enum cfg_role role)
{
	struct layer_query q = { .bbox = bbox, .conditions = conds,
				 .n_conditions = n, .limit = PARCELS,
				 .role = role };
	struct layer_result r;
	char error[256] = "";
	int rc = layer_query_run(snap, &q, &r, error, sizeof(error));

	if (rc != 0)
		fprintf(stderr, "query failed: %s\n", error);
	assert_int_equal(rc, 0);
	assert_int_equal(r.count, r.matched);
	for (size_t i = 1; i < r.count; i++)
		assert_true(r.features[i]->fid > r.features[i - 1]->fid);
	size_t matched = r.matched;
	layer_result_clear(&r);
	return matched;
}

static void test_bbox_queries(void **state)
{
	const struct layer_snapshot *snap = *state;
	const struct feature *f = layer_feature_find(snap, 1133479);
	double all[4] = { 108.0, 15.9, 108.5, 16.2 };
	double away[4] = { 105.0, 10.0, 105.1, 10.1 };
	/* A box around the first vertex of parcel 1133479 only. */
	double x = f->lonlat.xy[0], y = f->lonlat.xy[1];
	double tiny[4] = { x - 1e-7, y - 1e-7, x + 1e-7, y + 1e-7 };
	/* Across the antimeridian: west 170, east -170. */
	double wrap[4] = { 170.0, 15.0, -170.0, 17.0 };
	struct layer_query q = { .bbox = tiny, .limit = 10 };
	struct layer_result r;
	char error[256];
	bool found = false;

	assert_int_equal(query_count(snap, all, NULL, 0, 0), PARCELS);
	assert_int_equal(query_count(snap, snap->extent, NULL, 0, 0),
			 PARCELS);
	assert_int_equal(query_count(snap, away, NULL, 0, 0), 0);
	assert_int_equal(query_count(snap, wrap, NULL, 0, 0), 0);

	assert_int_equal(layer_query_run(snap, &q, &r, error, sizeof(error)),
			 0);
	assert_true(r.matched >= 1 && r.matched <= 4);
	for (size_t i = 0; i < r.count; i++)
		found |= r.features[i]->fid == 1133479;
	assert_true(found);
	layer_result_clear(&r);
}

/*
 * A box inside the bbox of an L-shaped or slanted parcel but outside the
 * parcel itself: the index finds it, the exact GEOS test removes it.
 */
static void test_bbox_exact_test(void **state)
{
	const struct layer_snapshot *snap = *state;
	size_t removed = 0;

	for (size_t k = 0; k < snap->n_features; k++) {
		const struct feature *f = &snap->features[k];
		/* A small box at the south-west corner of the parcel box. */
		double eps = 1e-7;
		double box[4] = { f->bbox[0] - eps, f->bbox[1] - eps,
				  f->bbox[0] + eps, f->bbox[1] + eps };
		struct layer_query q = { .bbox = box, .limit = PARCELS };
		struct layer_result r;
		char error[256];
		bool hit = false;
		assert_int_equal(layer_query_run(snap, &q, &r, error,
						 sizeof(error)), 0);
		for (size_t i = 0; i < r.count; i++)
			hit |= r.features[i] == f;
		removed += !hit;
		layer_result_clear(&r);
	}
	/* Most parcels are not rectangles aligned with the meridians. */
	fprintf(stderr, "corner boxes outside their parcel: %zu of %d\n",
		removed, PARCELS);
	assert_true(removed > PARCELS / 2);
}

static void test_equality_filters(void **state)
{
	const struct layer_snapshot *snap = *state;
	struct layer_condition odt[] = { { "KyHieuMucDichSuDung", "ODT" } };
	struct layer_condition sheet[] = { { "SoHieuToBanDo", "1" },
					   { "SoThuTuThua", "149" } };
	struct layer_condition area[] = { { "DienTich", "155.379001" } };
	struct layer_condition none[] = { { "KyHieuMucDichSuDung", "odt" } };
	struct layer_condition ward[] = { { "MaXa", "20248" } };

	assert_int_equal(query_count(snap, NULL, odt, 1, 0), 1825);
	assert_int_equal(query_count(snap, NULL, sheet, 2, 0), 1);
	assert_int_equal(query_count(snap, NULL, area, 1, 0), 1);
	assert_int_equal(query_count(snap, NULL, none, 1, 0), 0);
	assert_int_equal(query_count(snap, NULL, ward, 1, 0), PARCELS);
	assert_int_equal(query_count(snap, snap->extent, odt, 1, 0), 1825);
}

struct bad_case {
	const char *name;
	const char *value;
	const char *expected;  /* part of the English error */
};

static const struct bad_case bad_cases[] = {
	{ "SoHieuToBanDo", "abc", "value 'abc' of 'SoHieuToBanDo' is not an "
				  "integer" },
	{ "SoHieuToBanDo", "1.5", "is not an integer" },
	{ "SoHieuToBanDo", " 1", "is not an integer" },
	{ "SoHieuToBanDo", "", "is not an integer" },
	{ "SoHieuToBanDo", "99999999999999999999", "is not an integer" },
	{ "DienTich", "12m2", "value '12m2' of 'DienTich' is not a number" },
	{ "DienTich", "nan", "is not a number" },
	{ "TenChu", "x", "'TenChu' is not a queryable attribute" },
};

static void test_bad_conditions(void **state)
{
	const struct layer_snapshot *snap = *state;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(*bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct layer_condition cond = { c->name, c->value };
		struct layer_query q = { .conditions = &cond,
					 .n_conditions = 1, .limit = 10 };
		struct layer_result r;
		char error[256] = "";
		int rc = layer_query_run(snap, &q, &r, error, sizeof(error));
		bool ok = rc == -1 && strstr(error, c->expected) != NULL;
		if (!ok)
			fprintf(stderr, "%s=%s: expected an error with \"%s\", "
				"obtained rc %d \"%s\"\n", c->name, c->value,
				c->expected, rc, error);
		assert_true(ok);
		assert_null(r.features);
	}
}

/* A personal attribute filters for allowed roles only. */
static void test_personal_attribute(void **state)
{
	struct cfg_layer l = parcels;
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	struct layer_condition odt = { "KyHieuMucDichSuDung", "ODT" };
	struct layer_query q = { .conditions = &odt, .n_conditions = 1,
				 .limit = 5, .role = CFG_ROLE_PARTNER };
	struct layer_result r;
	char error[256] = "";
	int i;
	(void)state;

	l.personal = personal;
	l.n_personal = 1;
	l.personal_roles = personal_roles;
	l.n_personal_roles = 2;
	assert_int_equal(layer_snapshot_load(&test_cfg, &l, NULL, 1, NULL,
					     &snap, &errors), 0);
	i = layer_attr_find(snap, "KyHieuMucDichSuDung");
	assert_true(snap->attrs[i].personal);
	assert_false(layer_attr_visible(snap, (size_t)i, CFG_ROLE_ANONYMOUS));
	assert_false(layer_attr_visible(snap, (size_t)i, CFG_ROLE_PARTNER));
	assert_true(layer_attr_visible(snap, (size_t)i, CFG_ROLE_PLANNER));
	assert_true(layer_attr_visible(snap, (size_t)i, CFG_ROLE_ADMIN));
	assert_false(layer_attr_visible(snap, (size_t)i,
					CFG_ROLE_PUBLISHER));
	assert_true(layer_attr_visible(snap, 0, CFG_ROLE_ANONYMOUS));
	assert_false(layer_attr_visible(snap, 99, CFG_ROLE_ADMIN));

	/* Hidden reads the same as missing, so it is no oracle. */
	assert_int_equal(layer_query_run(snap, &q, &r, error, sizeof(error)),
			 -1);
	assert_non_null(strstr(error, "'KyHieuMucDichSuDung' is not a "
				      "queryable attribute"));
	q.role = CFG_ROLE_PLANNER;
	assert_int_equal(layer_query_run(snap, &q, &r, error, sizeof(error)),
			 0);
	assert_int_equal(r.matched, 1825);
	assert_int_equal(r.count, 5);
	layer_result_clear(&r);
	layer_snapshot_release(snap);
}

static void test_bad_bbox(void **state)
{
	const struct layer_snapshot *snap = *state;
	double flipped[4] = { 108.0, 16.2, 108.5, 15.9 };
	double inf[4] = { 108.0, 15.9, 1.0 / 0.0, 16.2 };
	struct layer_query q = { .bbox = flipped, .limit = 10 };
	struct layer_result r;
	char error[256];

	assert_int_equal(layer_query_run(snap, &q, &r, error, sizeof(error)),
			 -1);
	assert_non_null(strstr(error, "south 16.2 > north 15.9"));
	q.bbox = inf;
	assert_int_equal(layer_query_run(snap, &q, &r, error, sizeof(error)),
			 -1);
	assert_non_null(strstr(error, "invalid bbox"));
}

struct id_hits {
	unsigned char *seen;
	size_t n;
};

static int id_visit(size_t id, void *arg)
{
	struct id_hits *h = arg;

	/* Each item is reported once. */
	assert_int_equal(h->seen[id], 0);
	h->seen[id] = 1;
	h->n++;
	return 0;
}

/* The packed R-tree alone: empty, one item, and many random boxes. */
static void test_index_sizes(void **state)
{
	static double boxes[5000][4];
	static size_t ids[5000];
	static unsigned char seen[5000];
	size_t sizes[] = { 0, 1, 16, 17, 256, 257, 4097, 5000 };
	(void)state;

	srand(7);
	for (size_t i = 0; i < 5000; i++) {
		double x = rand() % 1000, y = rand() % 1000;
		boxes[i][0] = x;
		boxes[i][1] = y;
		boxes[i][2] = x + rand() % 20;
		boxes[i][3] = y + rand() % 20;
		ids[i] = i;
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
		struct layer_index *ix = layer_index_build(
			(const double(*)[4])boxes, ids, sizes[s]);
		assert_non_null(ix);
		assert_int_equal(layer_index_size(ix), sizes[s]);
		for (int q = 0; q < 50; q++) {
			double x = rand() % 1000, y = rand() % 1000;
			double box[4] = { x, y, x + 50, y + 30 };
			struct id_hits h = { seen, 0 };
			memset(seen, 0, sizeof(seen));
			layer_index_search(ix, box, id_visit, &h);
			for (size_t i = 0; i < sizes[s]; i++) {
				bool want = geom_box_intersects(boxes[i], box);
				if (want != (seen[i] != 0))
					fprintf(stderr, "size %zu, item %zu: "
						"expected %d, obtained %d\n",
						sizes[s], i, want, seen[i]);
				assert_int_equal(want, seen[i] != 0);
			}
		}
		layer_index_free(ix);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paging_covers_all),
		cmocka_unit_test(test_index_matches_scan),
		cmocka_unit_test(test_bbox_queries),
		cmocka_unit_test(test_bbox_exact_test),
		cmocka_unit_test(test_equality_filters),
		cmocka_unit_test(test_bad_conditions),
		cmocka_unit_test(test_personal_attribute),
		cmocka_unit_test(test_bad_bbox),
		cmocka_unit_test(test_index_sizes),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);

	layer_thread_cleanup();
	vn2000_thread_cleanup();
	return rc;
}
