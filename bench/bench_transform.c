/*
 * Points per second through vn2000_transform_points against a plain
 * proj_trans_generic call on the same PROJ pipeline and the same points.
 *
 * Usage: bench_transform [POINTS [RUNS]]   (defaults 1000000 and 7)
 * Prints one line per direction with the best run of each side.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <proj.h>

#include "vn2000/vn2000.h"

#define MAX_POINTS 100000000L
#define MAX_RUNS 1000L

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long parse_arg(const char *text, const char *name, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end != '\0' || v <= 0 || v > max) {
		fprintf(stderr, "bench_transform: invalid %s \"%s\" (1 .. %ld)\n",
			name, text, max);
		exit(2);
	}
	return v;
}

/* Deterministic points spread over onshore Vietnam (the area of use of
 * EPSG:4756), expressed in the source CRS. */
static void make_points(const struct vn2000_crs *crs, double *x, double *y,
			size_t n)
{
	struct vn2000_transform *to_src =
		vn2000_transform_get(vn2000_crs_find("CRS:84"), crs);
	const double *area = vn2000_crs_by_epsg(4756)->area;
	unsigned long long state = 0x9E3779B97F4A7C15ULL;

	for (size_t i = 0; i < n; i++) {
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		x[i] = area[0] + (area[2] - area[0]) *
					      (double)(state >> 11) / 9007199254740992.0;
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		y[i] = area[1] + (area[3] - area[1]) *
					      (double)(state >> 11) / 9007199254740992.0;
	}
	vn2000_transform_points(to_src, x, y, n);
}

struct result {
	double vnsdi_pps, proj_pps;
	size_t failed;
};

static void bench_pair(const char *from_id, const char *to_id, size_t n,
		       long runs, struct result *res)
{
	const struct vn2000_crs *from = vn2000_crs_find(from_id);
	const struct vn2000_crs *to = vn2000_crs_find(to_id);
	struct vn2000_transform *tr = vn2000_transform_get(from, to);
	PJ_CONTEXT *ctx = proj_context_create();
	PJ *plain = proj_create(ctx, vn2000_transform_definition(tr));
	double *sx = malloc(n * sizeof(double)), *sy = malloc(n * sizeof(double));
	double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
	double best_vnsdi = HUGE_VAL, best_proj = HUGE_VAL;

	res->failed = 0;

	if (!tr || !plain || !sx || !sy || !x || !y) {
		fprintf(stderr, "bench_transform: setup failed for %s -> %s\n",
			from_id, to_id);
		exit(1);
	}
	make_points(from, sx, sy, n);

	/* Interleave the two sides so that both see the same machine state. */
	for (long r = 0; r < runs; r++) {
		double t0;

		memcpy(x, sx, n * sizeof(double));
		memcpy(y, sy, n * sizeof(double));
		t0 = now_seconds();
		proj_trans_generic(plain, PJ_FWD, x, sizeof(double), n, y,
				   sizeof(double), n, NULL, 0, 0, NULL, 0, 0);
		best_proj = fmin(best_proj, now_seconds() - t0);

		memcpy(x, sx, n * sizeof(double));
		memcpy(y, sy, n * sizeof(double));
		t0 = now_seconds();
		res->failed = vn2000_transform_points(tr, x, y, n);
		best_vnsdi = fmin(best_vnsdi, now_seconds() - t0);
	}
	res->proj_pps = n / best_proj;
	res->vnsdi_pps = n / best_vnsdi;

	printf("%-9s -> %-9s %9zu points  proj_trans_generic %10.0f pt/s  "
	       "vn2000_transform_points %10.0f pt/s  ratio %5.1f %%  failed %zu\n",
	       from_id, to_id, n, res->proj_pps, res->vnsdi_pps,
	       100.0 * res->vnsdi_pps / res->proj_pps, res->failed);
	proj_destroy(plain);
	proj_context_destroy(ctx);
	free(sx);
	free(sy);
	free(x);
	free(y);
}

int main(int argc, char **argv)
{
	static const char *const pairs[][2] = {
		{ "EPSG:5897", "CRS:84" },    /* TM-3 -> WGS 84 */
		{ "CRS:84", "EPSG:5897" },    /* WGS 84 -> TM-3 */
		{ "EPSG:5899", "EPSG:3857" }, /* TM-3 -> Web Mercator */
		{ "EPSG:9210", "EPSG:3405" }, /* TM-3 -> UTM, same datum */
	};
	size_t n = argc > 1 ? (size_t)parse_arg(argv[1], "POINTS", MAX_POINTS)
			    : 1000000;
	long runs = argc > 2 ? parse_arg(argv[2], "RUNS", MAX_RUNS) : 7;
	int status = 0;

	printf("PROJ %s, %zu points, best of %ld runs\n",
	       proj_info().release, n, runs);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct result res;

		bench_pair(pairs[i][0], pairs[i][1], n, runs, &res);
		if (res.vnsdi_pps < 0.9 * res.proj_pps)
			status = 1;
	}
	vn2000_thread_cleanup();
	return status;
}
