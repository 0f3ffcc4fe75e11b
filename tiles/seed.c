/*
 * `vnsdi seed`: fill the tile cache of one layer over a zoom range and an
 * optional CRS84 box, with a progress bar. SIGINT stops after the current
 * tile and records how far the run went; the same command resumes there.
 * Tiles already valid in the cache are skipped, so a resumed or repeated
 * run never renders a tile twice.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gdal.h>

#include "layers/publish.h"
#include "tiles/tilecache_internal.h"

static volatile sig_atomic_t seed_stop;

static void seed_on_signal(int sig)
{
	(void)sig;
	seed_stop = 1;
}

struct seed_options {
	const char *config;
	const char *layer;
	const char *tms;
	const char *style;
	const char *format_name;
	enum render_format format;
	long zoom_min, zoom_max;
	bool have_bbox;
	double bbox[4];
};

static void seed_usage(FILE *out)
{
	fputs("Usage: vnsdi seed --config FILE --layer ID --tms ID --zoom A-B\n"
	      "                  [--bbox WEST,SOUTH,EAST,NORTH] [--style NAME]\n"
	      "                  [--format png|png8|jpeg]\n"
	      "Fill the tile cache of layer ID in tile matrix set ID\n"
	      "(WebMercatorQuad, WorldCRS84Quad or VN2000UTM48N) for tile\n"
	      "matrices A to B, over the layer's extent or the CRS84 box\n"
	      "given in degrees. Ctrl-C stops; the same command resumes.\n",
	      out);
}

static int parse_number(const char *text, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	return end != text && *end == '\0' && errno == 0 ? 0 : -1;
}

static int parse_zoom(const char *text, long *lo, long *hi)
{
	char *end;

	errno = 0;
	*lo = strtol(text, &end, 10);
	if (end == text || errno != 0 || *lo < 0)
		return -1;
	if (*end == '\0') {
		*hi = *lo;
		return 0;
	}
	if (*end != '-')
		return -1;
	text = end + 1;
	*hi = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0 || *hi < *lo)
		return -1;
	return 0;
}

static int parse_box(const char *text, double box[4])
{
	char copy[256];
	char *save = NULL, *item;
	int n = 0;

	if (strlen(text) >= sizeof(copy))
		return -1;
	strcpy(copy, text);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if (n == 4 || parse_number(item, &box[n]) != 0)
			return -1;
		n++;
	}
	return n == 4 && box[0] < box[2] && box[1] < box[3] ? 0 : -1;
}

/* Parse the options; -1 after a message on stderr. */
static int seed_options_parse(int argc, char **argv, struct seed_options *o)
{
	memset(o, 0, sizeof(*o));
	o->format_name = "png";
	o->zoom_min = -1;
	for (int i = 1; i < argc; i++) {
		const char *name = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
			seed_usage(stdout);
			exit(0);
		}
		if (value == NULL) {
			fprintf(stderr, "vnsdi seed: %s needs a value\n", name);
			return -1;
		}
		i++;
		if (strcmp(name, "--config") == 0) {
			o->config = value;
		} else if (strcmp(name, "--layer") == 0) {
			o->layer = value;
		} else if (strcmp(name, "--tms") == 0) {
			o->tms = value;
		} else if (strcmp(name, "--style") == 0) {
			o->style = value;
		} else if (strcmp(name, "--format") == 0) {
			o->format_name = value;
		} else if (strcmp(name, "--zoom") == 0) {
			if (parse_zoom(value, &o->zoom_min, &o->zoom_max) != 0) {
				fprintf(stderr, "vnsdi seed: invalid --zoom "
					"\"%s\": expected A-B with 0 <= A <= B\n",
					value);
				return -1;
			}
		} else if (strcmp(name, "--bbox") == 0) {
			if (parse_box(value, o->bbox) != 0) {
				fprintf(stderr, "vnsdi seed: invalid --bbox "
					"\"%s\": expected WEST,SOUTH,EAST,NORTH "
					"in degrees with WEST < EAST and "
					"SOUTH < NORTH\n", value);
				return -1;
			}
			o->have_bbox = true;
		} else {
			fprintf(stderr, "vnsdi seed: unknown option \"%s\"\n",
				name);
			return -1;
		}
	}
	if (o->config == NULL || o->layer == NULL || o->tms == NULL ||
	    o->zoom_min < 0) {
		fprintf(stderr, "vnsdi seed: --config, --layer, --tms and "
			"--zoom are required\n");
		seed_usage(stderr);
		return -1;
	}
	if (strcmp(o->format_name, "png") == 0)
		o->format = RENDER_PNG;
	else if (strcmp(o->format_name, "png8") == 0)
		o->format = RENDER_PNG8;
	else if (strcmp(o->format_name, "jpeg") == 0 ||
		 strcmp(o->format_name, "jpg") == 0)
		o->format = RENDER_JPEG;
	else {
		fprintf(stderr, "vnsdi seed: invalid --format \"%s\": use png, "
			"png8 or jpeg\n", o->format_name);
		return -1;
	}
	return 0;
}

/* The tiles to seed at each matrix: the layer's limits, cut to --bbox. */
struct seed_plan {
	struct tms_limits limits[TMS_MAX_MATRICES];
	uint64_t total;
};

static int seed_plan_build(const struct cfg *cfg, const struct tms_set *set,
			   const struct layer_snapshot *snap,
			   const struct seed_options *o, struct seed_plan *plan)
{
	struct tms_layer_limits layer;

	memset(plan, 0, sizeof(*plan));
	if (tms_layer_limits(cfg, set, snap, &layer) != 0)
		return -1;
	for (long z = o->zoom_min; z <= o->zoom_max; z++) {
		struct tms_limits *l = &plan->limits[z];
		struct tms_limits cut;

		*l = layer.limits[z];
		if (l->empty)
			continue;
		if (o->have_bbox) {
			if (tms_limits_of_box(set, (int)z, o->bbox, &cut) != 0 ||
			    cut.empty) {
				l->empty = true;
				continue;
			}
			l->min_col = l->min_col > cut.min_col ? l->min_col : cut.min_col;
			l->max_col = l->max_col < cut.max_col ? l->max_col : cut.max_col;
			l->min_row = l->min_row > cut.min_row ? l->min_row : cut.min_row;
			l->max_row = l->max_row < cut.max_row ? l->max_row : cut.max_row;
			if (l->min_col > l->max_col || l->min_row > l->max_row) {
				l->empty = true;
				continue;
			}
		}
		plan->total += (uint64_t)(l->max_col - l->min_col + 1) *
			       (uint64_t)(l->max_row - l->min_row + 1);
	}
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void format_duration(double seconds, char *out, size_t size)
{
	/* Capped at 9999:59:59 so the text always fits. */
	long s = seconds > 0 && seconds < 36e6 ? (long)(seconds + 0.5) : 0;
	int h = (int)(s / 3600 % 10000), m = (int)(s / 60 % 60);
	int sec = (int)(s % 60);

	snprintf(out, size, "%02d:%02d:%02d", h, m, sec);
}

/* One progress line: bar, done/total, rate and time left. */
static void seed_progress(uint64_t done, uint64_t total, uint64_t rendered,
			  double elapsed, bool final)
{
	enum { WIDTH = 30 };
	double fraction = total > 0 ? (double)done / (double)total : 1.0;
	double rate = elapsed > 0 ? (double)rendered / elapsed : 0.0;
	double left = rate > 0 ? (double)(total - done) / rate : 0.0;
	char bar[WIDTH + 1], eta[16];
	int filled = (int)(fraction * WIDTH);

	for (int i = 0; i < WIDTH; i++)
		bar[i] = i < filled ? '#' : '-';
	bar[WIDTH] = '\0';
	format_duration(left, eta, sizeof(eta));
	fprintf(stderr, "%s[%s] %" PRIu64 "/%" PRIu64 " tiles %5.1f%%  "
		"%.1f tiles/s  %s left%s", isatty(2) ? "\r" : "", bar, done,
		total, 100.0 * fraction, rate, eta,
		final || !isatty(2) ? "\n" : "");
	fflush(stderr);
}

/* The file that records how far an interrupted run went. */
static void seed_state_path(const struct cfg *cfg, const struct seed_options *o,
			    char *out, size_t size)
{
	char key[512];
	uint64_t h;

	snprintf(key, sizeof(key), "%s|%s|%s|%s|%ld-%ld|%d|%.17g,%.17g,%.17g,"
		 "%.17g", o->layer, o->tms, o->style ? o->style : "",
		 o->format_name, o->zoom_min, o->zoom_max, o->have_bbox,
		 o->bbox[0], o->bbox[1], o->bbox[2], o->bbox[3]);
	h = tilecache_hash(0xcbf29ce484222325ULL, key, strlen(key));
	snprintf(out, size, "%s/tilecache/seed-%016" PRIx64 ".state",
		 cfg->data_dir, h);
}

static uint64_t seed_state_read(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long long done = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &done) != 1)
		done = 0;
	fclose(f);
	return done;
}

static void seed_state_write(const char *path, uint64_t done)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "vnsdi seed: cannot write %s: %s\n", path,
			strerror(errno));
		return;
	}
	fprintf(f, "%" PRIu64 "\n", done);
	fclose(f);
}

struct seed_run {
	const struct cfg *cfg;
	const struct tms_set *set;
	const struct layer_snapshot *snap;
	const struct seed_options *opt;
	struct tilecache *cache;
	const struct seed_plan *plan;
	uint64_t skip;          /* tiles done by an earlier run */
	uint64_t done;
	uint64_t rendered;
	uint64_t failed;
};

/* Seed every tile of the plan in matrix, row, column order. Returns 0, or
   1 when interrupted. */
static int seed_tiles(struct seed_run *run)
{
	double start = now_seconds(), last = 0;

	for (long z = run->opt->zoom_min; z <= run->opt->zoom_max; z++) {
		const struct tms_limits *l = &run->plan->limits[z];

		for (int64_t r = l->min_row; !l->empty && r <= l->max_row; r++) {
			for (int64_t c = l->min_col; c <= l->max_col; c++) {
				struct tilecache_key key = {
					.set = run->set, .z = (int)z,
					.col = c, .row = r,
					.style = run->opt->style,
					.format = run->opt->format,
				};
				struct tilecache_tile tile;
				double t;

				if (seed_stop)
					return 1;
				if (run->done < run->skip) {
					run->done++;
					continue;
				}
				if (!tilecache_has(run->cache, run->snap, &key)) {
					if (tilecache_fetch(run->cache, run->cfg,
							    run->snap, &key,
							    &tile) != 0)
						run->failed++;
					tilecache_tile_clear(&tile);
					run->rendered++;
				}
				run->done++;
				t = now_seconds();
				if (t - last >= (isatty(2) ? 0.2 : 5.0)) {
					seed_progress(run->done,
						      run->plan->total,
						      run->rendered, t - start,
						      false);
					last = t;
				}
			}
		}
	}
	seed_progress(run->done, run->plan->total, run->rendered,
		      now_seconds() - start, true);
	return 0;
}

/* Load the config and the layer, then seed. */
static int seed_with_layer(const struct cfg *cfg, struct layer_registry *reg,
			   const struct seed_options *o)
{
	struct seed_run run = {.cfg = cfg, .opt = o};
	struct seed_plan plan;
	struct layer_snapshot *snap;
	char state[4096];
	int status = 1, rc;

	run.set = tms_find(o->tms);
	if (run.set == NULL || (size_t)o->zoom_max >= run.set->n_matrices) {
		fprintf(stderr, "vnsdi seed: unknown --tms \"%s\" or --zoom "
			"beyond its last matrix\n", o->tms);
		return 2;
	}
	snap = layer_registry_acquire_id(reg, o->layer);
	if (snap == NULL) {
		fprintf(stderr, "vnsdi seed: no layer \"%s\" in %s\n", o->layer,
			cfg->path);
		return 2;
	}
	run.snap = snap;
	run.cache = tilecache_open(cfg->data_dir,
				   (uint64_t)cfg->tiles_cache_max_mb << 20);
	if (run.cache == NULL || seed_plan_build(cfg, run.set, snap, o, &plan)) {
		fprintf(stderr, "vnsdi seed: cannot open the tile cache or "
			"compute the tile limits of layer %s\n", o->layer);
		goto done;
	}
	run.plan = &plan;
	seed_state_path(cfg, o, state, sizeof(state));
	run.skip = seed_state_read(state);
	if (run.skip > 0)
		fprintf(stderr, "vnsdi seed: resuming after %" PRIu64 " of %"
			PRIu64 " tiles\n", run.skip, plan.total);

	rc = seed_tiles(&run);
	if (rc == 1) {
		seed_state_write(state, run.done);
		fprintf(stderr, "\nvnsdi seed: interrupted after %" PRIu64 " of %"
			PRIu64 " tiles; run the same command to resume\n",
			run.done, plan.total);
		status = 130;
		goto done;
	}
	remove(state);
	fprintf(stderr, "vnsdi seed: %" PRIu64 " tiles, %" PRIu64 " rendered, "
		"%" PRIu64 " failed\n", run.done, run.rendered, run.failed);
	status = run.failed > 0 ? 1 : 0;
done:
	tilecache_close(run.cache);
	layer_snapshot_release(snap);
	return status;
}

int seed_cli_main(int argc, char **argv)
{
	struct seed_options opt;
	struct cfg_errors errors = {0};
	struct cfg *cfg = NULL;
	struct restricted_set *restricted = NULL;
	struct layer_registry *reg = NULL;
	struct publisher *pub = NULL;
	struct sigaction sa;
	int status = 1;

	if (seed_options_parse(argc, argv, &opt) != 0)
		return 2;
	GDALAllRegister();
	if (cfg_load(opt.config, &cfg, &errors) != 0 ||
	    restricted_set_load(cfg, &restricted, &errors) != 0 ||
	    layer_registry_open(cfg, restricted, &reg, &errors) != 0) {
		cfg_errors_print(&errors, stderr);
		goto done;
	}
	cfg_errors_print(&errors, stderr);   /* warnings */
	/* Tiles are drawn from the live version of each layer, as the server
	   serves it: the newest published one, else the config's source. */
	pub = publisher_open(cfg, reg, restricted, NULL);
	if (pub == NULL) {
		fprintf(stderr, "vnsdi seed: out of memory\n");
		goto done;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = seed_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	status = seed_with_layer(cfg, reg, &opt);

done:
	publisher_close(pub);
	layer_registry_close(reg);
	restricted_set_free(restricted);
	cfg_free(cfg);
	cfg_errors_clear(&errors);
	vn2000_thread_cleanup();
	layer_thread_cleanup();
	return status;
}
