/*
 * WMTS and XYZ requests run through wmts_handle() and xyz_handle() on the
 * real Da Nang parcels: bad input with its exception code and locator, the
 * limits of every advertised matrix, one tile through four paths, ETags and
 * 304, and a tile cache that re-renders exactly the tiles over a change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <cmocka.h>
#include <gdal.h>

#include "server/http_core.h"
#include "server/wmts.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DANANG VNSDI_SHARED_DIR "/data/real/danang-parcels/"

static const char config_format[] =
	"server:\n"
	"  listen: 127.0.0.1:8080\n"
	"  data_dir: %s\n"
	"  title: {vi: \"Thử nghiệm\", en: \"Test\"}\n"
	"limits: {max_width: 1024, max_height: 1024, default_features: 10,\n"
	"         max_features: 100, request_timeout: 30}\n"
	"output_crs: [EPSG:3857, EPSG:4326, CRS:84]\n"
	"layers:\n"
	"  - id: parcels\n"
	"    title: {vi: \"Thửa đất\", en: \"Land parcels\"}\n"
	"    source: " DANANG "DERIVED_parcels_20248_vn2000_tm3_107-45.gpkg\n"
	"    crs: EPSG:5899\n"
	"    styles:\n"
	"      - name: default\n"
	"        fill_by: KyHieuMucDichSuDung\n"
	"        stroke: \"#B22222\"\n"
	"        label: SoThuTuThua\n"
	"        label_area: DienTich\n"
	"      - name: outline\n"
	"        stroke: \"#000000\"\n";

struct fixture {
	char dir[64];
	char path[96];
	struct cfg *cfg;
	struct layer_registry *layers;
	struct server srv;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct cfg_errors errors = {0};
	FILE *f;

	GDALAllRegister();
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_wmts_XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/vnsdi.yaml", fx->dir);
	f = fopen(fx->path, "w");
	assert_non_null(f);
	fprintf(f, config_format, fx->dir);
	fclose(f);
	if (cfg_load(fx->path, &fx->cfg, &errors) != 0 ||
	    layer_registry_open(fx->cfg, NULL, &fx->layers, &errors) != 0) {
		cfg_errors_print(&errors, stderr);
		fail_msg("the test config did not load");
	}
	cfg_errors_clear(&errors);
	fx->srv.cfg = fx->cfg;
	fx->srv.layers = fx->layers;
	fx->srv.tiles = tilecache_shared(fx->cfg);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char command[128];

	tilecache_shared_close();
	layer_registry_close(fx->layers);
	cfg_free(fx->cfg);
	snprintf(command, sizeof(command), "rm -rf %s", fx->dir);
	if (system(command) != 0)
		print_error("could not remove %s\n", fx->dir);
	free(fx);
	vn2000_thread_cleanup();
	layer_thread_cleanup();
	cairo_debug_reset_static_data();
	return 0;
}

/* Run a path with an optional query ("a=b&c=d", no percent-encoding
   needed by the cases). The caller clears `res`. */
static void run(struct fixture *fx, const char *path, const char *query,
		struct http_response *res)
{
	struct http_param params[32];
	struct http_request req = {
		.srv = &fx->srv,
		.method = "GET",
		.path = path,
		.raw_url = path,
		.params = params,
		.lang = "en",
		.role = CFG_ROLE_ANONYMOUS,
		.base_url = "http://127.0.0.1:8080",
	};
	char *copy = strdup(query != NULL ? query : "");
	char *save = NULL;

	for (char *item = strtok_r(copy, "&", &save);
	     item != NULL && req.n_params < COUNT(params);
	     item = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(item, '=');

		if (eq != NULL)
			*eq = '\0';
		params[req.n_params].name = item;
		params[req.n_params].value = eq != NULL ? eq + 1 : item + strlen(item);
		req.n_params++;
	}
	memset(res, 0, sizeof(*res));
	if (strncmp(path, "/tiles/", 7) == 0)
		xyz_handle(&req, res);
	else
		wmts_handle(&req, res);
	free(copy);
}

struct case_expect {
	const char *name;
	const char *path;
	const char *query;
	int status;
	const char *code;         /* NULL: no exception expected */
	const char *locator;      /* NULL: none */
};

static int check_case(struct fixture *fx, const struct case_expect *c)
{
	struct http_response res;
	char code[96] = "", locator[96] = "";
	const char *body;
	bool ok;

	run(fx, c->path, c->query, &res);
	body = res.body != NULL && res.content_type != NULL &&
			       strstr(res.content_type, "xml") != NULL
		       ? res.body : "";
	if (c->code != NULL)
		snprintf(code, sizeof(code), "exceptionCode=\"%s\"", c->code);
	if (c->locator != NULL)
		snprintf(locator, sizeof(locator), "locator=\"%s\"", c->locator);
	ok = res.status == c->status &&
	     (c->code == NULL || strstr(body, code) != NULL) &&
	     (c->locator == NULL || strstr(body, locator) != NULL);
	if (!ok)
		print_error("%s: %s?%s\n  expected %d %s %s\n  obtained %d "
			    "%s\n%.500s\n", c->name, c->path,
			    c->query ? c->query : "", c->status, code, locator,
			    res.status, res.content_type ? res.content_type : "",
			    body);
	http_response_clear(&res);
	return ok ? 0 : 1;
}

#define KVP "SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=parcels" \
	    "&STYLE=default&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad"

static void test_bad_input(void **state)
{
	static const struct case_expect cases[] = {
		{"no REQUEST", "/wmts", "SERVICE=WMTS", 400,
		 "MissingParameterValue", "REQUEST"},
		{"unknown REQUEST", "/wmts", "SERVICE=WMTS&REQUEST=GetMap", 400,
		 "OperationNotSupported", "REQUEST"},
		{"no SERVICE", "/wmts", "REQUEST=GetCapabilities", 400,
		 "MissingParameterValue", "SERVICE"},
		{"wrong SERVICE", "/wmts", "SERVICE=WMS&REQUEST=GetCapabilities",
		 400, "InvalidParameterValue", "SERVICE"},
		{"wrong VERSION", "/wmts", "SERVICE=WMTS&REQUEST=GetTile"
		 "&VERSION=2.0.0&LAYER=parcels&STYLE=default&FORMAT=image/png"
		 "&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=5&TILEROW=0"
		 "&TILECOL=0", 400, "InvalidParameterValue", "VERSION"},
		{"unknown layer", "/wmts", "SERVICE=WMTS&REQUEST=GetTile"
		 "&VERSION=1.0.0&LAYER=nope&STYLE=default&FORMAT=image/png"
		 "&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=5&TILEROW=0"
		 "&TILECOL=0", 400, "InvalidParameterValue", "Layer"},
		{"unknown style", "/wmts", "SERVICE=WMTS&REQUEST=GetTile"
		 "&VERSION=1.0.0&LAYER=parcels&STYLE=fancy&FORMAT=image/png"
		 "&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=5&TILEROW=0"
		 "&TILECOL=0", 400, "InvalidParameterValue", "Style"},
		{"bad format", "/wmts", "SERVICE=WMTS&REQUEST=GetTile"
		 "&VERSION=1.0.0&LAYER=parcels&STYLE=default&FORMAT=image/gif"
		 "&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=5&TILEROW=0"
		 "&TILECOL=0", 400, "InvalidParameterValue", "Format"},
		{"JPEG for vector", "/wmts", "SERVICE=WMTS&REQUEST=GetTile"
		 "&VERSION=1.0.0&LAYER=parcels&STYLE=default&FORMAT=image/jpeg"
		 "&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=5&TILEROW=0"
		 "&TILECOL=0", 400, "InvalidParameterValue", "Format"},
		{"unknown set", "/wmts", "SERVICE=WMTS&REQUEST=GetTile"
		 "&VERSION=1.0.0&LAYER=parcels&STYLE=default&FORMAT=image/png"
		 "&TILEMATRIXSET=Mars&TILEMATRIX=5&TILEROW=0&TILECOL=0", 400,
		 "InvalidParameterValue", "TileMatrixSet"},
		{"unknown matrix", "/wmts", KVP "&TILEMATRIX=99&TILEROW=0"
		 "&TILECOL=0", 400, "TileOutOfRange", "TileMatrix"},
		{"missing matrix", "/wmts", KVP "&TILEROW=0&TILECOL=0", 400,
		 "MissingParameterValue", "TileMatrix"},
		{"row not a number", "/wmts", KVP "&TILEMATRIX=5&TILEROW=x"
		 "&TILECOL=0", 400, "InvalidParameterValue", "TileRow"},
		{"row outside", "/wmts", KVP "&TILEMATRIX=5&TILEROW=0"
		 "&TILECOL=0", 400, "TileOutOfRange", "TileRow"},
		{"negative col", "/wmts", KVP "&TILEMATRIX=0&TILEROW=0"
		 "&TILECOL=-1", 400, "TileOutOfRange", "TileCol"},
		{"missing col", "/wmts", KVP "&TILEMATRIX=0&TILEROW=0", 400,
		 "MissingParameterValue", "TileCol"},
		{"matrix 0 ok", "/wmts", KVP "&TILEMATRIX=0&TILEROW=0"
		 "&TILECOL=0", 200, NULL, NULL},
		{"REST unknown layer", "/wmts/1.0.0/nope/default/"
		 "WebMercatorQuad/0/0/0.png", NULL, 404,
		 "InvalidParameterValue", "Layer"},
		{"REST bad extension", "/wmts/1.0.0/parcels/default/"
		 "WebMercatorQuad/0/0/0.gif", NULL, 400,
		 "InvalidParameterValue", "Format"},
		{"REST outside", "/wmts/1.0.0/parcels/default/"
		 "WebMercatorQuad/0/1/0.png", NULL, 400, "TileOutOfRange",
		 "TileRow"},
		{"REST short path", "/wmts/1.0.0/parcels", NULL, 404, NULL,
		 NULL},
		{"REST caps", "/wmts/1.0.0/WMTSCapabilities.xml", NULL, 200,
		 NULL, NULL},
		{"XYZ outside", "/tiles/parcels/5/0/0.png", NULL, 404,
		 "TileOutOfRange", NULL},
		{"XYZ unknown layer", "/tiles/nope/0/0/0.png", NULL, 404, NULL,
		 NULL},
		{"XYZ bad zoom", "/tiles/parcels/x/0/0.png", NULL, 404, NULL,
		 NULL},
		{"XYZ bad x", "/tiles/parcels/0/a/0.png", NULL, 400,
		 "InvalidParameterValue", "x"},
		{"XYZ no extension", "/tiles/parcels/0/0/0", NULL, 404, NULL,
		 NULL},
		{"XYZ ok", "/tiles/parcels/0/0/0.png", NULL, 200, NULL, NULL},
		{"GFI I outside", "/wmts", "SERVICE=WMTS&REQUEST=GetFeatureInfo"
		 "&VERSION=1.0.0&LAYER=parcels&STYLE=default&FORMAT=image/png"
		 "&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=0&TILEROW=0"
		 "&TILECOL=0&I=256&J=0&INFOFORMAT=application/json", 400,
		 "PointIJOutOfRange", "I"},
		{"GFI bad InfoFormat", "/wmts", "SERVICE=WMTS"
		 "&REQUEST=GetFeatureInfo&VERSION=1.0.0&LAYER=parcels"
		 "&STYLE=default&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad"
		 "&TILEMATRIX=0&TILEROW=0&TILECOL=0&I=1&J=0"
		 "&INFOFORMAT=image/png", 400, "InvalidParameterValue",
		 "InfoFormat"},
	};
	int failed = 0;

	for (size_t i = 0; i < COUNT(cases); i++)
		failed += check_case(*state, &cases[i]);
	assert_int_equal(failed, 0);
}

/* For every matrix of every set: min and max row and column give 200,
   max + 1 gives TileOutOfRange. Matrices sampled every third level to keep
   the run short; the first and last are always checked. */
static void test_limits_edges(void **state)
{
	struct fixture *fx = *state;
	struct layer_snapshot *snap =
		layer_registry_acquire_id(fx->layers, "parcels");
	int failed = 0;

	for (size_t s = 0; s < tms_count(); s++) {
		const struct tms_set *set = tms_at(s);
		struct tms_layer_limits limits;

		assert_int_equal(tms_layer_limits(fx->cfg, set, snap, &limits), 0);
		for (int z = limits.min_z; z <= limits.max_z; z++) {
			const struct tms_limits *l = &limits.limits[z];
			char path[160];
			struct case_expect c = {.name = set->id, .path = path};

			if (z != limits.max_z && z % 3 != 0)
				continue;
			const long long probes[][3] = {
				{l->min_row, l->min_col, 200},
				{l->max_row, l->max_col, 200},
				{l->max_row + 1, l->max_col, 400},
				{l->max_row, l->max_col + 1, 400},
			};
			for (size_t k = 0; k < COUNT(probes); k++) {
				snprintf(path, sizeof(path),
					 "/wmts/1.0.0/parcels/outline/%s/%s/%lld/"
					 "%lld.png", set->id, set->matrices[z].id,
					 probes[k][0], probes[k][1]);
				c.status = (int)probes[k][2];
				c.code = c.status == 400 ? "TileOutOfRange" : NULL;
				c.locator = c.status != 400 ? NULL
					    : k == 2 ? "TileRow" : "TileCol";
				failed += check_case(fx, &c);
			}
		}
	}
	layer_snapshot_release(snap);
	assert_int_equal(failed, 0);
}

static void fetch_body(struct fixture *fx, const char *path, const char *query,
		       char **body, size_t *size)
{
	struct http_response res;

	run(fx, path, query, &res);
	if (res.status != 200)
		print_error("%s?%s: %d %.300s\n", path, query ? query : "",
			    res.status, res.body ? res.body : "");
	assert_int_equal(res.status, 200);
	*body = res.body;
	*size = res.size;
	res.body = NULL;
	http_response_clear(&res);
}

/* One tile through WMTS REST, WMTS KVP, XYZ and WMS GetMap: same bytes. */
static void test_same_tile_four_ways(void **state)
{
	struct fixture *fx = *state;
	const struct tms_set *wm = tms_find("WebMercatorQuad");
	const double ward[4] = {108.2160, 16.0600, 108.2160, 16.0600};
	struct tms_limits l;
	char path[160], query[512], *a, *b, *c, *d;
	size_t na, nb, nc, nd;
	double box[4];
	struct http_response res;

	assert_int_equal(tms_limits_of_box(wm, 18, ward, &l), 0);
	snprintf(path, sizeof(path), "/wmts/1.0.0/parcels/default/"
		 "WebMercatorQuad/18/%lld/%lld.png", (long long)l.min_row,
		 (long long)l.min_col);
	fetch_body(fx, path, NULL, &a, &na);
	snprintf(query, sizeof(query), KVP "&TILEMATRIX=18&TILEROW=%lld"
		 "&TILECOL=%lld", (long long)l.min_row, (long long)l.min_col);
	fetch_body(fx, "/wmts", query, &b, &nb);
	snprintf(path, sizeof(path), "/tiles/parcels/18/%lld/%lld.png",
		 (long long)l.min_col, (long long)l.min_row);
	fetch_body(fx, path, NULL, &c, &nc);

	tms_tile_bbox(wm, 18, l.min_col, l.min_row, box);
	snprintf(query, sizeof(query), "SERVICE=WMS&VERSION=1.3.0"
		 "&REQUEST=GetMap&LAYERS=parcels&STYLES=default"
		 "&CRS=EPSG:3857&BBOX=%.17g,%.17g,%.17g,%.17g&WIDTH=256"
		 "&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE",
		 box[0], box[1], box[2], box[3]);
	struct http_param params[16];
	struct http_request req = {
		.srv = &fx->srv, .method = "GET", .path = "/wms",
		.raw_url = "/wms", .params = params, .lang = "en",
		.base_url = "http://127.0.0.1:8080",
	};
	char *copy = strdup(query), *save = NULL;

	for (char *item = strtok_r(copy, "&", &save); item != NULL;
	     item = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(item, '=');

		*eq = '\0';
		params[req.n_params].name = item;
		params[req.n_params++].value = eq + 1;
	}
	memset(&res, 0, sizeof(res));
	wms_handle(&req, &res);
	assert_int_equal(res.status, 200);
	d = res.body;
	nd = res.size;
	res.body = NULL;
	http_response_clear(&res);
	free(copy);

	assert_true(na > 1000);
	assert_true(na == nb && memcmp(a, b, na) == 0);
	assert_true(na == nc && memcmp(a, c, na) == 0);
	if (na != nd || memcmp(a, d, na) != 0)
		print_error("WMS GetMap differs from the tile: %zu vs %zu "
			    "bytes\n", nd, na);
	assert_true(na == nd && memcmp(a, d, na) == 0);
	free(a);
	free(b);
	free(c);
	free(d);
}

/* The value of response header `name`, or "" when absent. */
static const char *response_header(const struct http_response *res,
				   const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (strcmp(res->headers[i].name, name) == 0)
			return res->headers[i].value;
	return "";
}

static void test_etag_304(void **state)
{
	struct fixture *fx = *state;
	struct http_param none[1];
	struct http_request req = {
		.srv = &fx->srv, .method = "GET", .path = "/tiles",
		.params = none, .lang = "en",
	};
	struct wmts_tile tile = {
		.snap = layer_registry_acquire_id(fx->layers, "parcels"),
		.style = "default",
		.set = tms_find("WorldCRS84Quad"),
		.z = 0, .col = 1, .row = 0,
		.format = RENDER_PNG,
	};
	struct http_response res = {0};
	char etag[64] = "";
	const struct {
		const char *header;    /* If-None-Match; %s: the ETag */
		int status;
	} cases[] = {
		{"%s", 304}, {"W/%s", 304}, {"\"abc\", %s", 304},
		{"*", 304}, {"\"abc\"", 200}, {"", 200},
	};

	wmts_tile_reply(&req, &res, &tile, NULL);
	assert_int_equal(res.status, 200);
	snprintf(etag, sizeof(etag), "%s", response_header(&res, "ETag"));
	assert_int_equal(strlen(etag), 18);
	assert_int_equal(etag[0], '"');
	http_response_clear(&res);

	for (size_t i = 0; i < COUNT(cases); i++) {
		char header[128];
		const char *got;

		snprintf(header, sizeof(header), cases[i].header, etag);
		memset(&res, 0, sizeof(res));
		wmts_tile_reply(&req, &res, &tile, header);
		got = response_header(&res, "ETag");
		if (res.status != cases[i].status || strcmp(got, etag) != 0)
			print_error("If-None-Match: %s: expected %d with ETag "
				    "%s, obtained %d with ETag %s\n", header,
				    cases[i].status, etag, res.status, got);
		assert_int_equal(res.status, cases[i].status);
		/* A 304 carries the ETag too (RFC 9110, 15.4.5). */
		assert_string_equal(got, etag);
		if (res.status == 304)
			assert_int_equal(res.size, 0);
		http_response_clear(&res);
	}
	wmts_tile_clear(&tile);
}

/* ---- invalidation ---- */

static bool box_touches(const double a[4], const double b[4])
{
	return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/*
 * Version 2 changes the land-use code of one parcel. Over a 6 × 6 block of
 * zoom 19 tiles around it, exactly the tiles whose box (widened by the
 * cache margin) touches the parcel are drawn again and change; every other
 * tile comes from the cache with its ETag. A reopened cache remembers.
 */
static void test_invalidation(void **state)
{
	struct fixture *fx = *state;
	const struct tms_set *wm = tms_find("WebMercatorQuad");
	struct layer_snapshot *v1 = layer_registry_acquire_id(fx->layers,
							      "parcels");
	struct layer_snapshot *v2 = NULL;
	struct cfg_errors errors = {0};
	char cache_dir[96];
	struct tilecache *cache;
	const struct feature *changed = NULL;
	int code_attr = layer_attr_find(v1, "KyHieuMucDichSuDung");
	char etags[36][TILECACHE_ETAG_SIZE];
	struct tms_limits l;
	int n_changed = 0, n_kept = 0, failed = 0;

	snprintf(cache_dir, sizeof(cache_dir), "%s/inv", fx->dir);
	cache = tilecache_open(cache_dir, 0);
	assert_non_null(cache);
	assert_int_equal(layer_snapshot_load(fx->cfg, v1->cfg, NULL, 2, NULL,
					     &v2, &errors), 0);
	cfg_errors_clear(&errors);

	/* A small parcel near the middle of the data, turned into a river. */
	struct feature *pick = NULL;
	double best = 1e9;

	for (size_t i = 0; i < v2->n_features; i++) {
		struct feature *f = &v2->features[i];
		double area = (f->bbox[2] - f->bbox[0]) * (f->bbox[3] - f->bbox[1]);

		if (fabs(f->bbox[0] - 108.2160) < 0.0008 &&
		    fabs(f->bbox[1] - 16.0600) < 0.0008 && area > 1e-9 &&
		    area < best) {
			best = area;
			pick = f;
		}
	}
	assert_non_null(pick);
	free(pick->values[code_attr].u.s);
	pick->values[code_attr].u.s = strdup("SON");
	pick->values[code_attr].is_null = false;
	changed = pick;
	const double centre[4] = {
		(changed->bbox[0] + changed->bbox[2]) / 2,
		(changed->bbox[1] + changed->bbox[3]) / 2,
		(changed->bbox[0] + changed->bbox[2]) / 2,
		(changed->bbox[1] + changed->bbox[3]) / 2,
	};
	assert_int_equal(tms_limits_of_box(wm, 19, centre, &l), 0);

	for (int pass = 0; pass < 3; pass++) {
		struct layer_snapshot *snap = pass == 0 ? v1 : v2;

		if (pass == 2) {
			tilecache_close(cache);
			cache = tilecache_open(cache_dir, 0);
		}
		for (int k = 0; k < 36; k++) {
			struct tilecache_key key = {
				.set = wm, .z = 19, .format = RENDER_PNG,
				.col = l.min_col - 3 + k % 6,
				.row = l.min_row - 3 + k / 6,
			};
			struct tilecache_tile t;
			double box[4];
			bool touches;

			assert_int_equal(tms_tile_lonlat_box(wm, 19, key.col,
							     key.row, 8.0, box), 0);
			touches = box_touches(box, changed->bbox);
			assert_int_equal(tilecache_fetch(cache, fx->cfg, snap,
							 &key, &t), 0);
			if (pass == 0) {
				memcpy(etags[k], t.etag, sizeof(t.etag));
				failed += t.hit;
			} else if (pass == 1 && touches) {
				n_changed++;
				failed += t.hit;
				/* The tile under the parcel's centre must
				   show the new colour. */
				if (k == 21 && strcmp(etags[k], t.etag) == 0)
					failed++;
			} else {
				n_kept += pass == 1;
				if (!t.hit || (pass == 1 &&
					       strcmp(etags[k], t.etag) != 0)) {
					print_error("pass %d tile %d: hit %d "
						    "etag %s vs %s\n", pass, k,
						    t.hit, t.etag, etags[k]);
					failed++;
				}
			}
			tilecache_tile_clear(&t);
		}
	}
	assert_true(n_changed >= 1);
	assert_true(n_kept >= 20);
	assert_int_equal(failed, 0);

	/* A publisher's explicit change over one tile. */
	struct tilecache_key key = {.set = wm, .z = 19, .format = RENDER_PNG,
				    .col = l.min_col + 2, .row = l.min_row + 2};
	double box[4];
	struct tilecache_tile t;

	assert_int_equal(tms_tile_lonlat_box(wm, 19, key.col, key.row, 0, box),
			 0);
	assert_true(tilecache_has(cache, v2, &key));
	assert_int_equal(tilecache_invalidate(cache, "parcels", 3,
					      (const double (*)[4])&box, 1), 0);
	assert_false(tilecache_has(cache, v2, &key));
	assert_int_equal(tilecache_fetch(cache, fx->cfg, v2, &key, &t), 0);
	assert_false(t.hit);
	tilecache_tile_clear(&t);

	tilecache_close(cache);
	layer_snapshot_release(v2);
	layer_snapshot_release(v1);
}

static void test_capabilities(void **state)
{
	struct http_response res;
	const char *must[] = {
		"<ows:Identifier>parcels</ows:Identifier>",
		"<TileMatrixSet>WebMercatorQuad</TileMatrixSet>",
		"<TileMatrixSet>WorldCRS84Quad</TileMatrixSet>",
		"<TileMatrixSet>VN2000UTM48N</TileMatrixSet>",
		"urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible",
		"<ScaleDenominator>559082264.0287178</ScaleDenominator>",
		"<ScaleDenominator>500</ScaleDenominator>",
		"<ows:SupportedCRS>urn:ogc:def:crs:EPSG::3405</ows:SupportedCRS>",
		"resourceType=\"FeatureInfo\"",
		"{TileMatrix}/{TileRow}/{TileCol}.png",
		"<InfoFormat>text/html</InfoFormat>",
		"xml:lang=\"vi\">Thửa đất</ows:Title>",
		"<ows:Identifier>outline</ows:Identifier>",
	};

	run(*state, "/wmts", "SERVICE=WMTS&REQUEST=GetCapabilities", &res);
	assert_int_equal(res.status, 200);
	for (size_t i = 0; i < COUNT(must); i++) {
		if (strstr(res.body, must[i]) == NULL)
			print_error("capabilities lack %s\n", must[i]);
		assert_non_null(strstr(res.body, must[i]));
	}
	http_response_clear(&res);
}

static void test_feature_info(void **state)
{
	struct fixture *fx = *state;
	const struct tms_set *wm = tms_find("WebMercatorQuad");
	const double point[4] = {108.2160, 16.0600, 108.2160, 16.0600};
	const char *formats[][2] = {
		{"json", "\"SoThuTuThua\""}, {"html", "<table"},
		{"txt", "SoThuTuThua"},
	};
	struct tms_limits l;
	double b[4];

	assert_int_equal(tms_limits_of_box(wm, 18, point, &l), 0);
	tms_tile_bbox(wm, 18, l.min_col, l.min_row, b);
	for (size_t i = 0; i < COUNT(formats); i++) {
		char path[200];
		struct http_response res;
		int px = (int)((108.2160 * 20037508.3427892 / 180 - b[0]) /
			       (b[2] - b[0]) * 256);

		snprintf(path, sizeof(path), "/wmts/1.0.0/parcels/default/"
			 "WebMercatorQuad/18/%lld/%lld/128/%d.%s",
			 (long long)l.min_row, (long long)l.min_col, px,
			 formats[i][0]);
		run(fx, path, NULL, &res);
		if (res.status != 200 || strstr(res.body, formats[i][1]) == NULL)
			print_error("%s: %d %.400s\n", path, res.status,
				    res.body ? res.body : "");
		assert_int_equal(res.status, 200);
		assert_non_null(strstr(res.body, formats[i][1]));
		http_response_clear(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_limits_edges),
		cmocka_unit_test(test_same_tile_four_ways),
		cmocka_unit_test(test_etag_304),
		cmocka_unit_test(test_invalidation),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_feature_info),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
