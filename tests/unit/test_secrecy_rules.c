/*
 * Secrecy rules outside the load-time drops: the imagery footprint of a
 * response and its scale limit, the footprint of a scene inside a nodata
 * frame, the config checks (restricted sources never served, personal
 * data never open to anonymous or partner callers), the restricted-set
 * digest, the partner rate limit and the audit log.
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
#include <gdal.h>
#include <jansson.h>
#include <pthread.h>

#include "layers/audit.h"
#include "layers/layers.h"
#include "layers/secrecy.h"
#include "server/ratelimit.h"

#define REAL VNSDI_SHARED_DIR "/data/real/"
#define DANANG_JSON REAL "danang-parcels/parcels_20248_nam_duong.geojson"
#define BENTRE REAL "imagery/bentre_man_s2_20191127_clip.tif"

static char tmp_dir[] = "/tmp/vnsdi-secrecy-rules-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmp_dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char command[512];

	(void)state;
	audit_close();
	snprintf(command, sizeof(command), "rm -rf '%s'", tmp_dir);
	if (system(command) != 0)
		return -1;
	layer_thread_cleanup();
	vn2000_thread_cleanup();
	return 0;
}

/* A one-polygon GeoJSON file (CRS84) at `name` in the test folder. */
static void write_box(char *path, size_t size, const char *name,
		      const double box[4], const char *code)
{
	FILE *f;

	snprintf(path, size, "%s/%s", tmp_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"type\": \"FeatureCollection\", \"features\": [{"
		"\"type\": \"Feature\", \"properties\": {\"Ten\": \"Khu A\", "
		"\"MaLyDo\": \"%s\"}, \"geometry\": {\"type\": \"Polygon\", "
		"\"coordinates\": [[[%.7f, %.7f], [%.7f, %.7f], [%.7f, %.7f], "
		"[%.7f, %.7f], [%.7f, %.7f]]]}}]}\n", code, box[0], box[1],
		box[2], box[1], box[2], box[3], box[0], box[3], box[0], box[1]);
	fclose(f);
}

struct area_case {
	const char *what;
	double box[4];
	double min_km2, max_km2;   /* expected range; min < 0: invalid */
};

static void test_box_area(void **state)
{
	/* 0.1° x 0.1° at 10° N: 10.96 km x 11.06 km, about 121 km². */
	static const struct area_case cases[] = {
		{ "0.1 deg at 10N", { 105.7, 10.0, 105.8, 10.1 }, 120, 122 },
		{ "antimeridian", { 179.95, 10.0, -179.95, 10.1 }, 120, 122 },
		{ "south > north", { 105.7, 10.1, 105.8, 10.0 }, -1, -1 },
		{ "NaN", { 105.7, NAN, 105.8, 10.1 }, -1, -1 },
		{ "infinite", { -INFINITY, 10, 105.8, 10.1 }, -1, -1 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct area_case *c = &cases[i];
		double got = secrecy_box_area_km2(c->box);
		bool ok = c->min_km2 < 0 ? got < 0
					 : got >= c->min_km2 && got <= c->max_km2;
		if (!ok)
			fprintf(stderr, "%s: expected %g..%g km², got %g\n",
				c->what, c->min_km2, c->max_km2, got);
		assert_true(ok);
	}
}

static void test_imagery_allowed(void **state)
{
	struct cfg cfg = { .imagery_max_km2 = 200 };
	struct cfg unset = { 0 };
	const double small[4] = { 105.77, 10.02, 105.80, 10.05 };
	/* 0.13° square at 10° N: about 205 km², just over the limit. */
	const double over[4] = { 105.70, 10.00, 105.83, 10.13 };
	const double under[4] = { 105.70, 10.00, 105.828, 10.128 };
	const double bad[4] = { 105.7, NAN, 105.8, 10.1 };
	(void)state;

	assert_true(secrecy_imagery_allowed(&cfg, small));
	assert_true(secrecy_imagery_allowed(&cfg, under));
	assert_false(secrecy_imagery_allowed(&cfg, over));
	assert_false(secrecy_imagery_allowed(&cfg, bad));
	/* A config without a limit gets 200 km². */
	assert_true(secrecy_max_km2(&unset) == 200.0);
	assert_false(secrecy_imagery_allowed(&unset, over));
	cfg.imagery_max_km2 = 1;
	assert_false(secrecy_imagery_allowed(&cfg, small));
}

/*
 * The advertised scale limit is safe: a 4096 x 4096 map at that scale in
 * VN-2000 TM-3 (EPSG:5897, Can Tho) and in Web Mercator covers at most
 * 200 km² of ground.
 */
static void test_max_scale_safe(void **state)
{
	struct cfg cfg = { .imagery_max_km2 = 200 };
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	const int crs_ids[] = { 5897, 3857 };
	const double centre_lonlat[2] = { 105.78, 10.03 };
	double scale = secrecy_max_imagery_scale(&cfg, 4096, 4096);
	(void)state;

	/* sqrt(200e6 / 4096²) / 0.00028 * 0.99 = 12,207. */
	assert_true(scale > 12150 && scale < 12250);
	assert_true(secrecy_max_imagery_scale(&cfg, 256, 256) > 190000);
	assert_true(secrecy_max_imagery_scale(&cfg, 0, 256) == 0);

	for (size_t i = 0; i < 2; i++) {
		const struct vn2000_crs *crs = vn2000_crs_by_epsg(crs_ids[i]);
		struct vn2000_transform *to = vn2000_transform_get(crs84, crs);
		struct vn2000_transform *back = vn2000_transform_get(crs, crs84);
		double c[2] = { centre_lonlat[0], centre_lonlat[1] };
		double half = 4096 * scale * SECRECY_PIXEL_SIZE_M / 2;
		double ring[8], box[4];

		assert_non_null(to);
		assert_non_null(back);
		assert_int_equal(vn2000_transform_xy(to, c, 1), 0);
		double xy[8] = { c[0] - half, c[1] - half, c[0] + half,
				 c[1] - half, c[0] + half, c[1] + half,
				 c[0] - half, c[1] + half };
		memcpy(ring, xy, sizeof(ring));
		assert_int_equal(vn2000_transform_xy(back, ring, 4), 0);
		box[0] = fmin(ring[0], ring[6]);
		box[1] = fmin(ring[1], ring[3]);
		box[2] = fmax(ring[2], ring[4]);
		box[3] = fmax(ring[5], ring[7]);
		double area = secrecy_box_area_km2(box);
		fprintf(stderr, "EPSG:%d: 4096 px at 1:%.0f covers %.1f km²\n",
			crs_ids[i], scale, area);
		assert_true(area > 0 && area <= 200);
		assert_true(secrecy_imagery_allowed(&cfg, box));
	}
}

/*
 * A restricted box inside the nodata frame of the Ben Tre scene (upper
 * right corner, rows 2-11, columns 225-233, checked with GDAL: no valid
 * pixel) still drops the scene, because the footprint is the raster's
 * bounding box, not the outline of its valid pixels.
 */
static void test_scene_bbox_footprint(void **state)
{
	const double nodata_box[4] = { 106.4270, 10.2775, 106.4310, 10.2815 };
	struct cfg_scene scenes[] = { { .path = (char *)BENTRE } };
	struct cfg_layer l = { .id = (char *)"imagery",
			       .kind = CFG_LAYER_RASTER, .scenes = scenes,
			       .n_scenes = 1, .line = 40 };
	char path[512];
	struct cfg_restricted r = { .reason_attribute = (char *)"MaLyDo",
				    .line = 9 };
	struct cfg cfg = { .path = (char *)"test.yaml", .restricted = &r,
			   .n_restricted = 1, .imagery_max_km2 = 200 };
	struct cfg_errors errors = { 0 };
	struct restricted_set *set = NULL;
	struct layer_snapshot *snap = NULL;
	(void)state;

	write_box(path, sizeof(path), "bentre_frame.geojson", nodata_box,
		  "QP");
	r.source = path;
	assert_int_equal(restricted_set_load(&cfg, &set, &errors), 0);
	assert_int_equal(layer_snapshot_load(&cfg, &l, NULL, 1, set, &snap,
					     &errors), 0);
	assert_true(snap->scenes[0].dropped);
	assert_non_null(strstr(snap->scenes[0].drop_reason,
			       "reason code QP"));
	assert_int_equal(snap->n_dropped_restricted, 1);
	assert_true(snap->empty);
	layer_snapshot_release(snap);

	/*
	 * Valid pixels cover 72 km², the box 127 km²: with a 100 km² limit
	 * the box rule applies and the scene is dropped.
	 */
	cfg.imagery_max_km2 = 100;
	assert_int_equal(layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap,
					     &errors), 0);
	assert_true(snap->scenes[0].dropped);
	assert_true(snap->scenes[0].area_km2 > 120);
	assert_int_equal(snap->n_dropped_footprint, 1);
	layer_snapshot_release(snap);
	restricted_set_free(set);
	cfg_errors_clear(&errors);
}

/* Whether `errors` holds a message containing `text` (English). */
static bool errors_mention(const struct cfg_errors *errors, const char *text)
{
	for (size_t i = 0; i < errors->count; i++) {
		const char *m = errors->items[i].message_en;
		if (m != NULL && strstr(m, text) != NULL)
			return true;
	}
	return false;
}

static void test_restricted_source_rejected(void **state)
{
	const double box[4] = { 108.2150, 16.0590, 108.2185, 16.0625 };
	char area[512], copy[512], relative[600];
	struct cfg_restricted r = { .name_attribute = (char *)"Ten",
				    .reason_attribute = (char *)"MaLyDo",
				    .line = 9 };
	struct cfg_layer l = { .id = (char *)"leak",
			       .kind = CFG_LAYER_VECTOR, .line = 30,
			       .source_line = 31 };
	struct cfg cfg = { .path = (char *)"test.yaml", .restricted = &r,
			   .n_restricted = 1, .layers = &l, .n_layers = 1 };
	struct cfg_errors errors = { 0 };
	struct restricted_set *set = NULL;
	struct layer_snapshot *snap = NULL;
	(void)state;

	write_box(area, sizeof(area), "area.geojson", box, "QP");
	r.source = area;

	/* The same file, also through another spelling of its path. */
	snprintf(relative, sizeof(relative), "%s/./area.geojson", tmp_dir);
	const char *spellings[] = { area, relative };
	for (size_t i = 0; i < 2; i++) {
		l.source = (char *)spellings[i];
		assert_true(secrecy_source_is_restricted(&cfg, l.source, NULL));
		assert_int_equal(secrecy_config_check(&cfg, &errors), -1);
		assert_int_equal(errors.items[0].line, 31);
		assert_true(errors_mention(&errors, "restricted-area data set"));
		cfg_errors_clear(&errors);
		memset(&errors, 0, sizeof(errors));
		/* restricted_set_load runs the check: serve and check fail. */
		assert_int_equal(restricted_set_load(&cfg, &set, &errors), -1);
		assert_null(set);
		cfg_errors_clear(&errors);
		memset(&errors, 0, sizeof(errors));
	}
	/* Naming the first layer explicitly is the same layer. */
	l.source = area;
	l.source_layer = (char *)"area";
	assert_true(secrecy_source_is_restricted(&cfg, area, "area"));
	assert_false(secrecy_source_is_restricted(&cfg, area, "other"));
	l.source_layer = NULL;

	/* A copy under another name passes the check, but every polygon of
	   it touches the restricted area, so nothing is served. */
	write_box(copy, sizeof(copy), "copy.geojson", box, "QP");
	l.source = copy;
	assert_false(secrecy_source_is_restricted(&cfg, copy, NULL));
	assert_int_equal(restricted_set_load(&cfg, &set, &errors), 0);
	assert_int_equal(layer_snapshot_load(&cfg, &l, NULL, 1, set, &snap,
					     &errors), 0);
	assert_int_equal(snap->n_features, 0);
	assert_int_equal(snap->n_dropped_restricted, 1);
	assert_true(snap->empty);
	layer_snapshot_release(snap);
	restricted_set_free(set);
	cfg_errors_clear(&errors);
}

static void test_personal_roles_checked(void **state)
{
	char *roles_bad[] = { (char *)"planner", (char *)"partner" };
	char *roles_anon[] = { (char *)"anonymous" };
	char *roles_ok[] = { (char *)"planner", (char *)"admin" };
	char *personal[] = { (char *)"TenChu" };
	struct cfg_layer l = { .id = (char *)"parcels", .line = 12,
			       .kind = CFG_LAYER_VECTOR,
			       .personal = personal, .n_personal = 1 };
	struct cfg cfg = { .path = (char *)"test.yaml", .layers = &l,
			   .n_layers = 1 };
	struct cfg_errors errors = { 0 };
	(void)state;

	l.personal_roles = roles_bad;
	l.n_personal_roles = 2;
	assert_int_equal(secrecy_config_check(&cfg, &errors), -1);
	assert_true(errors_mention(&errors, "role 'partner' may not read"));
	cfg_errors_clear(&errors);
	memset(&errors, 0, sizeof(errors));

	l.personal_roles = roles_anon;
	l.n_personal_roles = 1;
	assert_int_equal(secrecy_config_check(&cfg, &errors), -1);
	assert_true(errors_mention(&errors, "role 'anonymous' may not read"));
	cfg_errors_clear(&errors);
	memset(&errors, 0, sizeof(errors));

	l.personal_roles = roles_ok;
	l.n_personal_roles = 2;
	assert_int_equal(secrecy_config_check(&cfg, &errors), 0);
	assert_int_equal(errors.count, 0);
}

static void digest_of(const char *path, char hex[65])
{
	struct cfg_restricted r = { .source = (char *)path,
				    .reason_attribute = (char *)"MaLyDo" };
	struct cfg cfg = { .path = (char *)"test.yaml", .restricted = &r,
			   .n_restricted = path != NULL };
	struct cfg_errors errors = { 0 };
	struct restricted_set *set = NULL;

	assert_int_equal(restricted_set_load(&cfg, &set, &errors), 0);
	restricted_set_digest(set, hex);
	restricted_set_free(set);
	cfg_errors_clear(&errors);
}

static void test_restricted_digest(void **state)
{
	const double a[4] = { 105.78, 10.02, 105.79, 10.03 };
	const double b[4] = { 105.78, 10.02, 105.79, 10.0301 };
	char pa[512], pb[512], pc[512], none[65], da[65], da2[65], db[65],
		dc[65];
	(void)state;

	write_box(pa, sizeof(pa), "digest_a.geojson", a, "QP");
	write_box(pb, sizeof(pb), "digest_b.geojson", b, "QP");
	write_box(pc, sizeof(pc), "digest_c.geojson", a, "AN");
	digest_of(NULL, none);
	digest_of(pa, da);
	digest_of(pa, da2);
	digest_of(pb, db);
	digest_of(pc, dc);
	assert_int_equal(strlen(da), 64);
	assert_string_equal(none, "0000000000000000000000000000000000000000"
				  "000000000000000000000000");
	assert_string_equal(da, da2);
	assert_string_not_equal(da, none);
	assert_string_not_equal(da, db);   /* a moved vertex */
	assert_string_not_equal(da, dc);   /* another reason code */
	restricted_set_digest(NULL, none);
	assert_int_equal(none[0], '0');
}

struct take_case {
	double at;         /* seconds */
	size_t key;
	bool allowed;
	double retry_min, retry_max;
};

/* Rate 2/s, burst 2 for key 0; key 1 has its own bucket. */
static void test_rate_limit_buckets(void **state)
{
	static const struct take_case cases[] = {
		{ 0.0, 0, true, 0, 0 },
		{ 0.0, 0, true, 0, 0 },
		{ 0.0, 0, false, 0.49, 0.51 },   /* empty: 0.5 s to a token */
		{ 0.0, 1, true, 0, 0 },          /* other keys unaffected */
		{ 0.25, 0, false, 0.24, 0.26 },
		{ 0.5, 0, true, 0, 0 },
		{ 0.5, 0, false, 0.49, 0.51 },
		{ 10.0, 0, true, 0, 0 },         /* refilled to the burst... */
		{ 10.0, 0, true, 0, 0 },
		{ 10.0, 0, false, 0.49, 0.51 },  /* ...and no more */
		{ 10.0, 5, true, 0, 0 },         /* out of range: no limit */
	};
	struct ratelimit *rl = ratelimit_new(2);
	(void)state;

	assert_non_null(rl);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct take_case *c = &cases[i];
		double retry = -1;
		bool got = ratelimit_take(rl, c->key, 2, 2, c->at, &retry);
		if (got != c->allowed || retry < c->retry_min ||
		    retry > c->retry_max)
			fprintf(stderr, "case %zu (t=%g key=%zu): expected "
				"%d retry %g..%g, got %d retry %g\n", i,
				c->at, c->key, c->allowed, c->retry_min,
				c->retry_max, got, retry);
		assert_true(got == c->allowed);
		assert_true(retry >= c->retry_min && retry <= c->retry_max);
	}
	/* A rate of 0 never limits. */
	double retry;
	for (int i = 0; i < 100; i++)
		assert_true(ratelimit_take(rl, 1, 0, 1, 0, &retry));
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

static void test_audit_format(void **state)
{
	struct audit_event ev = { .event = "request_denied",
				  .reason = "personal_attribute",
				  .user = "đối-tác", .role = CFG_ROLE_PARTNER,
				  .has_role = true, .method = "GET",
				  .path = "/collections/parcels/items",
				  .parameter = "TenChu", .status = 400 };
	char line[AUDIT_MAX_LINE];
	json_t *obj;
	const char *key;
	json_t *value;
	(void)state;

	assert_true(audit_format(&ev, "2025-01-02T03:04:05.000Z", line,
				 sizeof(line)) > 0);
	obj = json_loads(line, 0, NULL);
	assert_non_null(obj);
	assert_string_equal(json_string_value(json_object_get(obj, "user")),
			    "đối-tác");
	assert_string_equal(json_string_value(json_object_get(obj, "role")),
			    "partner");
	assert_int_equal(json_integer_value(json_object_get(obj, "status")),
			 400);
	/* Only the documented members, and no member left empty. */
	json_object_foreach(obj, key, value) {
		static const char *const allowed[] = {
			"time", "event", "reason", "user", "role", "method",
			"path", "parameter", "status", NULL
		};
		bool known = false;
		for (size_t i = 0; allowed[i] != NULL; i++)
			known |= strcmp(allowed[i], key) == 0;
		if (!known)
			fprintf(stderr, "unexpected member %s\n", key);
		assert_true(known);
	}
	json_decref(obj);
	assert_int_equal(audit_format(&ev, "t", line, 16), -1);
}

#define AUDIT_THREADS 4
#define AUDIT_LINES 200

static void *audit_writer(void *arg)
{
	struct audit_event ev = { .event = "request_denied",
				  .reason = "rate_limited",
				  .user = (const char *)arg, .status = 429,
				  .path = "/wms" };

	for (int i = 0; i < AUDIT_LINES; i++)
		audit_log_event(&ev);
	return NULL;
}

/* Lines of concurrent writers never mix; earlier lines stay in place. */
static void test_audit_append(void **state)
{
	char dir[512], path[600], line[4096];
	const char *first = "{\"event\":\"earlier\"}\n";
	const char *names[AUDIT_THREADS] = { "a", "b", "c", "d" };
	pthread_t threads[AUDIT_THREADS];
	size_t n = 0;
	FILE *f;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/var/nested", tmp_dir);
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	struct audit_event ev = { .event = "x" };
	assert_int_equal(audit_log_event(&ev), -1);   /* closed */
	assert_int_equal(audit_open(dir), 0);
	assert_true(audit_is_open());
	assert_string_equal(audit_path(), path);
	audit_close();
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(first, f);
	fclose(f);

	assert_int_equal(audit_open(dir), 0);
	for (int i = 0; i < AUDIT_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL,
						audit_writer,
						(void *)names[i]), 0);
	for (int i = 0; i < AUDIT_THREADS; i++)
		pthread_join(threads[i], NULL);
	audit_close();

	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, first);
	while (fgets(line, sizeof(line), f) != NULL) {
		json_t *obj = json_loads(line, 0, NULL);
		if (obj == NULL)
			fprintf(stderr, "broken line: %s", line);
		assert_non_null(obj);
		assert_int_equal(json_integer_value(json_object_get(obj,
								    "status")),
				 429);
		json_decref(obj);
		n++;
	}
	fclose(f);
	assert_int_equal(n, AUDIT_THREADS * AUDIT_LINES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_box_area),
		cmocka_unit_test(test_imagery_allowed),
		cmocka_unit_test(test_max_scale_safe),
		cmocka_unit_test(test_scene_bbox_footprint),
		cmocka_unit_test(test_restricted_source_rejected),
		cmocka_unit_test(test_personal_roles_checked),
		cmocka_unit_test(test_restricted_digest),
		cmocka_unit_test(test_rate_limit_buckets),
		cmocka_unit_test(test_audit_format),
		cmocka_unit_test(test_audit_append),
	};

	GDALAllRegister();
	return cmocka_run_group_tests(tests, setup, teardown);
}
