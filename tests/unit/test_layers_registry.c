/*
 * The registry: loading every layer, acquiring by index and id, reference
 * counts, and swaps while reader threads hold and query snapshots.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "layers/layers.h"

#define REAL VNSDI_SHARED_DIR "/data/real/"
#define READERS 4
#define MAX_SWAPS 1000000
#define MIN_SWAPS 500
#define MIN_READS 2000

static struct cfg_layer layers[] = {
	{ .id = (char *)"parcels", .line = 10,
	  .source = (char *)(REAL "danang-parcels/"
			     "parcels_20248_nam_duong.geojson"),
	  .id_attribute = (char *)"OBJECTID" },
	{ .id = (char *)"admin", .line = 20,
	  .source = (char *)(REAL "mekong-admin-govportal/"
			     "mekong_delta_admin_l1_l2.geojson") },
};

static struct cfg test_cfg = {
	.path = (char *)"test-registry.yaml",
	.layers = layers,
	.n_layers = 2,
	.imagery_max_km2 = 200,
};

static struct layer_registry *registry_open(void)
{
	struct cfg_errors errors = { 0 };
	struct layer_registry *reg = NULL;
	int rc = layer_registry_open(&test_cfg, NULL, &reg, &errors);

	if (rc != 0)
		cfg_errors_print_lang(&errors, stderr, true);
	cfg_errors_clear(&errors);
	assert_int_equal(rc, 0);
	return reg;
}

static void test_registry_acquire(void **state)
{
	struct layer_registry *reg = registry_open();
	struct layer_snapshot *a, *b;
	(void)state;

	assert_int_equal(layer_registry_count(reg), 2);
	a = layer_registry_acquire_id(reg, "admin");
	b = layer_registry_acquire(reg, 1);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(a->n_features, 147);
	assert_int_equal(a->version, 1);
	/* The registry's reference and ours. */
	assert_int_equal(atomic_load(&a->refcount), 3);
	layer_snapshot_release(b);
	assert_int_equal(atomic_load(&a->refcount), 2);
	layer_snapshot_release(a);

	assert_null(layer_registry_acquire_id(reg, "thua_dat"));
	assert_null(layer_registry_acquire(reg, 2));
	assert_null(layer_registry_acquire_id(reg, NULL));
	layer_registry_close(reg);
	layer_registry_close(NULL);
	layer_snapshot_release(NULL);
}

static void test_registry_reports_every_layer(void **state)
{
	struct cfg_layer bad[] = { layers[0], layers[1] };
	struct cfg cfg = test_cfg;
	struct cfg_errors errors = { 0 };
	struct layer_registry *reg = (void *)1;
	(void)state;

	bad[0].source = (char *)"/nonexistent/a.gpkg";
	bad[1].source = (char *)"/nonexistent/b.gpkg";
	cfg.layers = bad;
	assert_int_equal(layer_registry_open(&cfg, NULL, &reg, &errors), -1);
	assert_null(reg);
	assert_int_equal(errors.count, 2);
	assert_int_equal(errors.items[0].line, 10);
	assert_int_equal(errors.items[1].line, 20);
	cfg_errors_clear(&errors);
}

struct reader_state {
	struct layer_registry *reg;
	atomic_bool *stop;
	atomic_long *reads;
	long bad;
};

/* Acquire, check the whole snapshot is consistent, query, release. */
static void *reader(void *arg)
{
	struct reader_state *r = arg;

	while (!atomic_load(r->stop)) {
		struct layer_snapshot *s =
			layer_registry_acquire_id(r->reg, "parcels");
		struct layer_query q = { .offset = 1900, .limit = 100 };
		struct layer_result res;
		char error[128];
		if (s == NULL || s->n_features != 1955 ||
		    layer_query_run(s, &q, &res, error, sizeof(error)) != 0) {
			r->bad++;
			layer_snapshot_release(s);
			continue;
		}
		if (res.count != 55 || res.features[54]->fid != 1135433)
			r->bad++;
		layer_result_clear(&res);
		layer_snapshot_release(s);
		atomic_fetch_add(r->reads, 1);
	}
	layer_thread_cleanup();
	return NULL;
}

static void test_swap_under_readers(void **state)
{
	struct layer_registry *reg = registry_open();
	struct layer_snapshot *spare = NULL, *live;
	struct cfg_errors errors = { 0 };
	struct reader_state readers[READERS];
	pthread_t threads[READERS];
	atomic_bool stop = false;
	atomic_long reads = 0;
	int swaps = 0;
	(void)state;

	assert_int_equal(layer_snapshot_load(&test_cfg, &layers[0], NULL, 2,
					     NULL, &spare, &errors), 0);
	for (int i = 0; i < READERS; i++) {
		readers[i] = (struct reader_state){ reg, &stop, &reads, 0 };
		assert_int_equal(pthread_create(&threads[i], NULL, reader,
						&readers[i]), 0);
	}

	/*
	 * Swap two snapshots back and forth: each swap hands the registry a
	 * reference and takes the live one back, which readers may still
	 * hold. Swaps go on until both sides have done enough.
	 */
	while (swaps < MAX_SWAPS &&
	       (swaps < MIN_SWAPS || atomic_load(&reads) < MIN_READS)) {
		live = layer_registry_acquire_id(reg, "parcels");
		assert_int_equal(layer_registry_swap(reg, spare), 0);
		spare = live;
		swaps++;
	}
	atomic_store(&stop, true);
	for (int i = 0; i < READERS; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(readers[i].bad, 0);
	}
	fprintf(stderr, "%d swaps, %ld reads by %d threads\n", swaps,
		atomic_load(&reads), READERS);
	assert_true(atomic_load(&reads) >= MIN_READS);
	assert_true(swaps >= MIN_SWAPS);

	/* Only our reference to the spare and the registry's remain. */
	live = layer_registry_acquire_id(reg, "parcels");
	assert_int_equal(atomic_load(&live->refcount), 2);
	assert_int_equal(atomic_load(&spare->refcount), 1);
	assert_true(live != spare);
	layer_snapshot_release(live);
	layer_snapshot_release(spare);

	/* A snapshot of a layer the registry does not have is refused. */
	struct cfg_layer other = layers[1];
	other.id = (char *)"other";
	assert_int_equal(layer_snapshot_load(&test_cfg, &other, NULL, 1, NULL,
					     &spare, &errors), 0);
	assert_int_equal(layer_registry_swap(reg, spare), -1);
	layer_snapshot_release(spare);
	layer_registry_close(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_acquire),
		cmocka_unit_test(test_registry_reports_every_layer),
		cmocka_unit_test(test_swap_under_readers),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	layer_thread_cleanup();
	vn2000_thread_cleanup();
	return rc;
}
