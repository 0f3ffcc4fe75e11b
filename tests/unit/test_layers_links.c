/*
 * Records linked to restricted features: a record whose link key matches
 * the key of a feature dropped for a restricted area is dropped by the
 * registry too, along chains of links, and comes back when a new version
 * of the linked layer no longer drops that feature.
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

#include "layers/layers.h"

static char tmp_dir[] = "/tmp/vnsdi-layers-links-XXXXXX";

/* The restricted area, and parcels 1 and 2 inside it, 3 outside. */
static const char area_json[] =
	"{\"type\": \"FeatureCollection\", \"features\": [{\"type\": "
	"\"Feature\", \"properties\": {\"Ten\": \"Khu A\", \"MaLyDo\": "
	"\"QP\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
	"[[[105.70, 10.00], [105.71, 10.00], [105.71, 10.01], "
	"[105.70, 10.01], [105.70, 10.00]]]}}]}\n";

#define PARCEL(id, lon)                                                      \
	"{\"type\": \"Feature\", \"properties\": {\"MaThua\": " #id "}, "    \
	"\"geometry\": {\"type\": \"Point\", \"coordinates\": [" lon        \
	", 10.005]}}"

static const char parcels_json[] =
	"{\"type\": \"FeatureCollection\", \"features\": ["
	PARCEL(1, "105.702") ", " PARCEL(2, "105.705") ", "
	PARCEL(3, "105.80") "]}\n";

/* A new version where parcel 1 moved out of the area. */
static const char parcels_v2_json[] =
	"{\"type\": \"FeatureCollection\", \"features\": ["
	PARCEL(1, "105.802") ", " PARCEL(2, "105.705") ", "
	PARCEL(3, "105.80") "]}\n";

/*
 * Documents without geometry. The key is text here while the parcels'
 * is an integer: keys compare as text. Document 13 names no parcel.
 */
#define DOCUMENT(id, parcel, number)                                         \
	"{\"type\": \"Feature\", \"properties\": {\"MaVanBan\": " #id        \
	", \"MaThua\": " parcel ", \"SoHieu\": \"" number "\"}, "          \
	"\"geometry\": null}"

static const char documents_json[] =
	"{\"type\": \"FeatureCollection\", \"features\": ["
	DOCUMENT(10, "\"1\"", "12/QĐ-UBND") ", "
	DOCUMENT(11, "\"2\"", "13/QĐ-UBND") ", "
	DOCUMENT(12, "\"3\"", "14/QĐ-UBND") ", "
	DOCUMENT(13, "null", "15/QĐ-UBND") "]}\n";

/* Inspections link to documents by SoHieu: a link of a link. */
#define INSPECTION(id, number)                                               \
	"{\"type\": \"Feature\", \"properties\": {\"MaVuViec\": " #id        \
	", \"SoHieuVanBan\": \"" number "\"}, \"geometry\": null}"

static const char inspections_json[] =
	"{\"type\": \"FeatureCollection\", \"features\": ["
	INSPECTION(20, "12/QĐ-UBND") ", " INSPECTION(21, "14/QĐ-UBND") ", "
	INSPECTION(22, "99/QĐ-UBND") "]}\n";

static char area_path[512], parcels_path[512], parcels_v2_path[512],
	documents_path[512], inspections_path[512];

static struct cfg_link document_links[] = {
	{ .layer = (char *)"parcels", .key = (char *)"MaThua" },
};
static struct cfg_link inspection_links[] = {
	{ .layer = (char *)"legal_documents", .key = (char *)"SoHieuVanBan",
	  .target_key = (char *)"SoHieu" },
};

static struct cfg_layer layers[3];
static struct cfg_restricted area = { .reason_attribute = (char *)"MaLyDo",
				      .line = 5 };
static struct cfg test_cfg = { .path = (char *)"test-links.yaml",
			       .layers = layers, .n_layers = 3,
			       .restricted = &area, .n_restricted = 1,
			       .imagery_max_km2 = 200 };

static void write_file(char *path, size_t size, const char *name,
		       const char *text)
{
	FILE *f;

	snprintf(path, size, "%s/%s", tmp_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(tmp_dir) == NULL)
		return -1;
	write_file(area_path, sizeof(area_path), "area.geojson", area_json);
	write_file(parcels_path, sizeof(parcels_path), "parcels.geojson",
		   parcels_json);
	write_file(parcels_v2_path, sizeof(parcels_v2_path),
		   "parcels_v2.geojson", parcels_v2_json);
	write_file(documents_path, sizeof(documents_path),
		   "documents.geojson", documents_json);
	write_file(inspections_path, sizeof(inspections_path),
		   "inspections.geojson", inspections_json);
	area.source = area_path;
	layers[0] = (struct cfg_layer){
		.id = (char *)"parcels", .line = 10, .source = parcels_path,
		.id_attribute = (char *)"MaThua" };
	layers[1] = (struct cfg_layer){
		.id = (char *)"legal_documents", .line = 20,
		.source = documents_path,
		.id_attribute = (char *)"MaVanBan",
		.links = document_links, .n_links = 1 };
	layers[2] = (struct cfg_layer){
		.id = (char *)"inspections", .line = 30,
		.source = inspections_path,
		.id_attribute = (char *)"MaVuViec",
		.links = inspection_links, .n_links = 1 };
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

/* Check that layer `id` serves exactly the fids `expected` (sorted). */
static void expect_fids(struct layer_registry *reg, const char *id,
			const int64_t *expected, size_t n,
			size_t n_dropped_linked)
{
	struct layer_snapshot *snap = layer_registry_acquire_id(reg, id);
	bool same;

	assert_non_null(snap);
	same = snap->n_features == n;
	for (size_t i = 0; same && i < n; i++)
		same = snap->features[i].fid == expected[i];
	if (!same || snap->n_dropped_linked != n_dropped_linked) {
		fprintf(stderr, "layer %s: expected %zu features (%zu "
			"linked drops), got %zu (%zu):", id, n,
			n_dropped_linked, snap->n_features,
			snap->n_dropped_linked);
		for (size_t i = 0; i < snap->n_features; i++)
			fprintf(stderr, " %lld",
				(long long)snap->features[i].fid);
		fprintf(stderr, "\n");
	}
	assert_true(same);
	assert_int_equal(snap->n_dropped_linked, n_dropped_linked);
	layer_snapshot_release(snap);
}

static struct layer_registry *open_registry(struct restricted_set **set)
{
	struct cfg_errors errors = { 0 };
	struct layer_registry *reg = NULL;
	int rc = restricted_set_load(&test_cfg, set, &errors);

	if (rc == 0)
		rc = layer_registry_open(&test_cfg, *set, &reg, &errors);
	if (rc != 0)
		cfg_errors_print_lang(&errors, stderr, true);
	cfg_errors_clear(&errors);
	assert_int_equal(rc, 0);
	return reg;
}

static void test_links_drop_chain(void **state)
{
	struct restricted_set *set = NULL;
	struct layer_registry *reg = open_registry(&set);
	struct layer_snapshot *docs;
	(void)state;

	{
		const int64_t parcels[] = { 3 };
		const int64_t documents[] = { 12, 13 };
		const int64_t inspections[] = { 21, 22 };
		expect_fids(reg, "parcels", parcels, 1, 0);
		expect_fids(reg, "legal_documents", documents, 2, 2);
		expect_fids(reg, "inspections", inspections, 2, 1);
	}
	/* Linked drops count with the restricted ones. */
	docs = layer_registry_acquire_id(reg, "legal_documents");
	assert_int_equal(docs->n_dropped_restricted, 2);
	assert_non_null(docs->base);
	assert_int_equal(docs->base->n_features, 4);
	layer_snapshot_release(docs);

	layer_registry_close(reg);
	restricted_set_free(set);
}

static void test_links_swap_restores(void **state)
{
	struct restricted_set *set = NULL;
	struct layer_registry *reg = open_registry(&set);
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *v2 = NULL, *held;
	(void)state;

	/* A reader holds the filtered documents across the swap. */
	held = layer_registry_acquire_id(reg, "legal_documents");
	assert_int_equal(layer_snapshot_load(&test_cfg, &layers[0],
					     parcels_v2_path, 2, set, &v2,
					     &errors), 0);
	assert_int_equal(layer_registry_swap(reg, v2), 0);
	{
		const int64_t parcels[] = { 1, 3 };
		const int64_t documents[] = { 10, 12, 13 };
		const int64_t inspections[] = { 20, 21, 22 };
		expect_fids(reg, "parcels", parcels, 2, 0);
		expect_fids(reg, "legal_documents", documents, 3, 1);
		expect_fids(reg, "inspections", inspections, 3, 0);
	}
	assert_int_equal(held->n_features, 2);
	layer_snapshot_release(held);

	/* The first version again: the documents of parcel 1 go again. */
	v2 = NULL;
	assert_int_equal(layer_snapshot_load(&test_cfg, &layers[0], NULL, 3,
					     set, &v2, &errors), 0);
	assert_int_equal(layer_registry_swap(reg, v2), 0);
	{
		const int64_t documents[] = { 12, 13 };
		expect_fids(reg, "legal_documents", documents, 2, 2);
	}
	cfg_errors_clear(&errors);
	layer_registry_close(reg);
	restricted_set_free(set);
}

static void test_links_missing_target_key(void **state)
{
	struct cfg_link bad = { .layer = (char *)"parcels",
				.key = (char *)"MaThua",
				.target_key = (char *)"SoThua" };
	struct restricted_set *set = NULL;
	struct cfg_errors errors = { 0 };
	struct layer_registry *reg = NULL;
	bool named = false;
	(void)state;

	layers[1].links = &bad;
	assert_int_equal(restricted_set_load(&test_cfg, &set, &errors), 0);
	assert_int_equal(layer_registry_open(&test_cfg, set, &reg, &errors),
			 -1);
	assert_null(reg);
	for (size_t i = 0; i < errors.count; i++)
		named |= strstr(errors.items[i].message_en, "SoThua") != NULL;
	if (!named)
		cfg_errors_print_lang(&errors, stderr, true);
	assert_true(named);
	layers[1].links = document_links;
	cfg_errors_clear(&errors);
	restricted_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links_drop_chain),
		cmocka_unit_test(test_links_swap_restores),
		cmocka_unit_test(test_links_missing_target_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
