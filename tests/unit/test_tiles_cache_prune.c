/*
 * The tile cache's size limit: tilecache_prune() deletes the least recently
 * used tile files, oldest modification time first, down to nine tenths of
 * the limit, and keeps every other file.
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "layers/layers.h"
#include "tiles/tilecache.h"

#define N_TILES 10
#define TILE_BYTES 1000

/* Write `size` bytes to root/relative with a modification time `age`
   seconds ago. */
static void make_file(const char *root, const char *relative, size_t size,
		      time_t age)
{
	char path[512], dir[512];
	char *buf = calloc(1, size + 1);
	struct timespec times[2];
	FILE *f;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", root, relative);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(layer_mkdirs(dir), 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
	free(buf);
	times[0].tv_sec = times[1].tv_sec = time(NULL) - age;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static bool exists(const char *root, const char *relative)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, relative);
	return access(path, F_OK) == 0;
}

/* Tile i is i hours old, so tile 0 is the most recently used. */
static void tile_name(int i, char *out, size_t size)
{
	snprintf(out, size, "parcels/default-0/WebMercatorQuad/18/%d/%d.%s",
		 100 + i, 200 + i, i % 3 == 0 ? "8.png" : i % 3 == 1 ? "png"
							      : "jpg");
}

static void make_cache(char *root, size_t size)
{
	char name[256];

	snprintf(root, size, "/tmp/vnsdi-prune-XXXXXX");
	assert_non_null(mkdtemp(root));
	for (int i = 0; i < N_TILES; i++) {
		tile_name(i, name, sizeof(name));
		make_file(root, name, TILE_BYTES, (time_t)i * 3600);
	}
	/* Never tiles: the digest, the change log, a file being written. */
	make_file(root, "parcels/digest.bin", 50000, 99 * 3600);
	make_file(root, "parcels/changes.bin", 50000, 99 * 3600);
	make_file(root, "parcels/default-0/WebMercatorQuad/18/1/2.png.7-1.tmp",
		  50000, 99 * 3600);
}

static void remove_cache(const char *root)
{
	char command[600];

	snprintf(command, sizeof(command), "rm -rf '%s'", root);
	assert_int_equal(system(command), 0);
}

static void prune_oldest_first(void **state)
{
	char root[64], name[256];
	struct tilecache_prune_result result;

	(void)state;
	make_cache(root, sizeof(root));
	/* Limit 5,000 bytes: down to 4,500, so the six oldest tiles go. */
	assert_int_equal(tilecache_prune(root, 5000, &result), 0);
	assert_int_equal(result.bytes_before, N_TILES * TILE_BYTES);
	assert_int_equal(result.deleted, 6);
	assert_int_equal(result.bytes_after, 4 * TILE_BYTES);
	for (int i = 0; i < N_TILES; i++) {
		tile_name(i, name, sizeof(name));
		if (i < 4)
			assert_true(exists(root, name));
		else
			assert_false(exists(root, name));
	}
	assert_true(exists(root, "parcels/digest.bin"));
	assert_true(exists(root, "parcels/changes.bin"));
	assert_true(exists(root,
		"parcels/default-0/WebMercatorQuad/18/1/2.png.7-1.tmp"));
	remove_cache(root);
}

static void prune_under_limit_keeps_all(void **state)
{
	char root[64];
	struct tilecache_prune_result result;

	(void)state;
	make_cache(root, sizeof(root));
	assert_int_equal(tilecache_prune(root, N_TILES * TILE_BYTES, &result),
			 0);
	assert_int_equal(result.deleted, 0);
	assert_int_equal(result.bytes_after, N_TILES * TILE_BYTES);
	remove_cache(root);
}

static void prune_missing_folder(void **state)
{
	struct tilecache_prune_result result;

	(void)state;
	assert_int_equal(tilecache_prune("/tmp/vnsdi-prune-none/tilecache",
					  1000, &result), 0);
	assert_int_equal(result.bytes_before, 0);
	assert_int_equal(result.deleted, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prune_oldest_first),
		cmocka_unit_test(prune_under_limit_keeps_all),
		cmocka_unit_test(prune_missing_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
