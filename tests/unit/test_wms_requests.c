/*
 * WMS requests run through wms_handle() on real data: the Da Nang parcels,
 * stored in VN-2000 TM-3 107-45 and in WGS 84. Every bad input must get its
 * status, exception code and locator. GetMaps of the same EPSG:4326 area in
 * 1.3.0 and 1.1.1 must give the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <cmocka.h>
#include <gdal.h>

#include "server/http_core.h"
#include "server/wms.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DANANG VNSDI_SHARED_DIR "/data/real/danang-parcels/"

/* Nam Duong ward, Da Nang: lon 108.2133..108.2197, lat 16.0583..16.0627. */
#define BOX_XY "108.2133311,16.0582725,108.2196720,16.0626716"
#define BOX_LATLON "16.0582725,108.2133311,16.0626716,108.2196720"
#define MAP_130 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels" \
		"&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON \
		"&WIDTH=200&HEIGHT=140&FORMAT=image/png"
#define MAP_111 "SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=parcels" \
		"&STYLES=&SRS=EPSG:4326&BBOX=" BOX_XY \
		"&WIDTH=200&HEIGHT=140&FORMAT=image/png"

static const char config_text[] =
	"server:\n"
	"  listen: 127.0.0.1:8080\n"
	"  data_dir: /tmp\n"
	"  title: {vi: \"Thử nghiệm\", en: \"Test\"}\n"
	"limits: {max_width: 1024, max_height: 1024, default_features: 10,\n"
	"         max_features: 100, request_timeout: 30}\n"
	"output_crs: [EPSG:3857, EPSG:4326, CRS:84, EPSG:4756]\n"
	"layers:\n"
	"  - id: parcels\n"
	"    title: {vi: \"Thửa đất\", en: \"Land parcels\"}\n"
	"    source: " DANANG "DERIVED_parcels_20248_vn2000_tm3_107-45.gpkg\n"
	"    crs: EPSG:5899\n"
	"    styles:\n"
	"      - name: default\n"
	"        fill_by: KyHieuMucDichSuDung\n"
	"        stroke: \"#B22222\"\n"
	"  - id: parcels_wgs84\n"
	"    title: {vi: \"Thửa đất WGS 84\", en: \"Land parcels WGS 84\"}\n"
	"    source: " DANANG "parcels_20248_nam_duong.geojson\n"
	"    crs: EPSG:4326\n"
	"    personal: [DienTich]\n"
	"    personal_roles: [planner]\n"
	"    styles:\n"
	"      - name: default\n"
	"        stroke: \"#000000\"\n";

struct fixture {
	char path[64];
	struct cfg *cfg;
	struct layer_registry *layers;
	struct server srv;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct cfg_errors errors = {0};
	FILE *f;
	int fd;

	GDALAllRegister();
	snprintf(fx->path, sizeof(fx->path), "/tmp/test_wms_XXXXXX");
	fd = mkstemp(fx->path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(config_text, f);
	fclose(f);

	if (cfg_load(fx->path, &fx->cfg, &errors) != 0 ||
	    layer_registry_open(fx->cfg, NULL, &fx->layers, &errors) != 0) {
		cfg_errors_print(&errors, stderr);
		fail_msg("the test config did not load");
	}
	cfg_errors_clear(&errors);
	fx->srv.cfg = fx->cfg;
	fx->srv.layers = fx->layers;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	layer_registry_close(fx->layers);
	cfg_free(fx->cfg);
	unlink(fx->path);
	free(fx);
	vn2000_thread_cleanup();
	layer_thread_cleanup();
	/* Release the font caches that INIMAGE text fills, so that the leak
	   checker of sanitizer builds reports fewer leaks that are not ours.
	   NOTE: fontconfig still keeps 288 bytes until FcFini(). */
	cairo_debug_reset_static_data();
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode %XX and '+' in place. */
static void percent_decode(char *s)
{
	char *out = s;

	for (char *p = s; *p; p++) {
		if (*p == '%' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
			*out++ = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
			p += 2;
		} else {
			*out++ = *p == '+' ? ' ' : *p;
		}
	}
	*out = '\0';
}

/* Run one query string through wms_handle. The caller clears `res`. */
static void run(struct fixture *fx, const char *query, enum cfg_role role,
		struct http_response *res)
{
	struct http_param params[64];
	struct http_request req = {
		.srv = &fx->srv,
		.method = "GET",
		.path = "/wms",
		.raw_url = query,
		.params = params,
		.lang = "vi",
		.role = role,
		.base_url = "http://127.0.0.1:8080",
	};
	char *copy = strdup(query);
	char *save = NULL;

	for (char *item = strtok_r(copy, "&", &save);
	     item != NULL && req.n_params < COUNT(params);
	     item = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(item, '=');

		if (eq != NULL)
			*eq = '\0';
		percent_decode(item);
		params[req.n_params].name = item;
		params[req.n_params].value = eq != NULL ? eq + 1 : item + strlen(item);
		percent_decode(params[req.n_params].value);
		req.n_params++;
	}
	memset(res, 0, sizeof(*res));
	wms_handle(&req, res);
	free(copy);
}

struct case_expect {
	const char *name;
	const char *query;
	int status;
	const char *type_prefix;  /* start of the Content-Type */
	const char *code;         /* exception code, NULL for none */
	const char *locator;
};

static int check_case(struct fixture *fx, const struct case_expect *c)
{
	struct http_response res;
	char expected[160] = "";
	const char *body;
	int failed = 0;

	run(fx, c->query, CFG_ROLE_ANONYMOUS, &res);
	body = res.body != NULL ? res.body : "";
	if (c->code != NULL)
		snprintf(expected, sizeof(expected),
			 "code=\"%s\" locator=\"%s\"", c->code, c->locator);
	if (res.status != c->status ||
	    res.content_type == NULL ||
	    strncmp(res.content_type, c->type_prefix,
		    strlen(c->type_prefix)) != 0 ||
	    (c->code != NULL && strstr(body, expected) == NULL)) {
		print_error("%s: %s\n  expected %d %s %s\n  obtained %d %s\n%.600s\n",
			    c->name, c->query, c->status, c->type_prefix,
			    expected, res.status,
			    res.content_type ? res.content_type : "(none)",
			    res.content_type != NULL &&
					    strncmp(res.content_type, "image", 5) == 0
				    ? "(image)" : body);
		failed = 1;
	}
	http_response_clear(&res);
	return failed;
}

static void test_bad_input(void **state)
{
	static const struct case_expect cases[] = {
		{"no REQUEST", "SERVICE=WMS", 400, "text/xml",
		 "MissingParameterValue", "REQUEST"},
		{"unknown REQUEST", "SERVICE=WMS&REQUEST=GetFoo", 400,
		 "text/xml", "OperationNotSupported", "REQUEST"},
		{"caps without SERVICE", "REQUEST=GetCapabilities", 400,
		 "text/xml", "MissingParameterValue", "SERVICE"},
		{"caps bad VERSION", "SERVICE=WMS&REQUEST=GetCapabilities"
		 "&VERSION=x", 400, "text/xml", "InvalidParameterValue",
		 "VERSION"},
		{"unknown layer", "LAYERS=nope&" MAP_130, 400, "text/xml",
		 "LayerNotDefined", "LAYERS"},
		{"unknown style", "STYLES=fancy&" MAP_130, 400, "text/xml",
		 "StyleNotDefined", "STYLES"},
		{"unknown CRS 1.3.0",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:99999&BBOX=0,0,1,1&WIDTH=10&HEIGHT=10"
		 "&FORMAT=image/png", 400, "text/xml", "InvalidCRS", "CRS"},
		{"unknown SRS 1.1.1",
		 "SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&SRS=EPSG:99999&BBOX=0,0,1,1&WIDTH=10&HEIGHT=10"
		 "&FORMAT=image/png", 400, "application/vnd.ogc.se_xml",
		 "InvalidSRS", "SRS"},
		{"missing BBOX",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&WIDTH=10&HEIGHT=10&FORMAT=image/png",
		 400, "text/xml", "MissingParameterValue", "BBOX"},
		{"BBOX not numbers",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&BBOX=a,b,c,d&WIDTH=10&HEIGHT=10"
		 "&FORMAT=image/png", 400, "text/xml",
		 "InvalidParameterValue", "BBOX"},
		{"BBOX minx >= maxx",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&BBOX=16.1,108,16.0,109&WIDTH=10"
		 "&HEIGHT=10&FORMAT=image/png", 400, "text/xml",
		 "InvalidParameterValue", "BBOX"},
		{"WIDTH missing",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON "&HEIGHT=10"
		 "&FORMAT=image/png", 400, "text/xml",
		 "MissingParameterValue", "WIDTH"},
		{"WIDTH not a number",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON "&WIDTH=ten"
		 "&HEIGHT=10&FORMAT=image/png", 400, "text/xml",
		 "InvalidParameterValue", "WIDTH"},
		{"HEIGHT above max",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON "&WIDTH=10"
		 "&HEIGHT=1025&FORMAT=image/png", 400, "text/xml",
		 "InvalidParameterValue", "HEIGHT"},
		{"WIDTH x HEIGHT huge",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON
		 "&WIDTH=99999999999&HEIGHT=99999999999&FORMAT=image/png",
		 400, "text/xml", "InvalidParameterValue", "WIDTH"},
		{"unknown FORMAT",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON "&WIDTH=10"
		 "&HEIGHT=10&FORMAT=image/gif", 400, "text/xml",
		 "InvalidFormat", "FORMAT"},
		{"bad BGCOLOR", "BGCOLOR=white&" MAP_130, 400, "text/xml",
		 "InvalidParameterValue", "BGCOLOR"},
		{"bad TRANSPARENT", "TRANSPARENT=1&" MAP_130, 400, "text/xml",
		 "InvalidParameterValue", "TRANSPARENT"},
		{"bad EXCEPTIONS", "EXCEPTIONS=json&" MAP_130, 400, "text/xml",
		 "InvalidParameterValue", "EXCEPTIONS"},
		{"INIMAGE exception",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=nope"
		 "&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON "&WIDTH=100"
		 "&HEIGHT=50&FORMAT=image/png&EXCEPTIONS=INIMAGE", 400,
		 "image/png", NULL, NULL},
		{"BLANK exception 1.1.1",
		 "SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=nope"
		 "&STYLES=&SRS=EPSG:4326&BBOX=" BOX_XY "&WIDTH=100"
		 "&HEIGHT=50&FORMAT=image/jpeg"
		 "&EXCEPTIONS=application/vnd.ogc.se_blank", 400,
		 "image/jpeg", NULL, NULL},
		{"INIMAGE with bad WIDTH is XML",
		 "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels"
		 "&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON "&WIDTH=0"
		 "&HEIGHT=50&FORMAT=image/png&EXCEPTIONS=INIMAGE", 400,
		 "text/xml", "InvalidParameterValue", "WIDTH"},
		{"GetFeatureInfo I outside",
		 "REQUEST=GetFeatureInfo&QUERY_LAYERS=parcels&I=200&J=0&"
		 MAP_130, 400, "text/xml", "InvalidPoint", "I"},
		{"GetFeatureInfo Y not a number",
		 "REQUEST=GetFeatureInfo&QUERY_LAYERS=parcels&X=0&Y=y&"
		 MAP_111, 400, "application/vnd.ogc.se_xml", "InvalidPoint",
		 "Y"},
		{"GetFeatureInfo unknown INFO_FORMAT",
		 "REQUEST=GetFeatureInfo&QUERY_LAYERS=parcels&I=1&J=1"
		 "&INFO_FORMAT=text/csv&" MAP_130, 400, "text/xml",
		 "InvalidFormat", "INFO_FORMAT"},
		{"GetLegendGraphic unknown layer",
		 "SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=nope", 400,
		 "text/xml", "LayerNotDefined", "LAYER"},
	};
	struct fixture *fx = *state;
	int failures = 0;

	/* The first value of a repeated parameter is the one read, so a case
	   changes a parameter of MAP_130 by writing it before. */
	for (size_t i = 0; i < COUNT(cases); i++)
		failures += check_case(fx, &cases[i]);
	assert_int_equal(failures, 0);
}

static void test_getmap_axis_order(void **state)
{
	struct fixture *fx = *state;
	struct http_response a;
	struct http_response b;

	run(fx, MAP_130, CFG_ROLE_ANONYMOUS, &a);
	run(fx, MAP_111, CFG_ROLE_ANONYMOUS, &b);
	assert_int_equal(a.status, 200);
	assert_int_equal(b.status, 200);
	assert_string_equal(a.content_type, "image/png");
	assert_int_equal(a.size, b.size);
	assert_memory_equal(a.body, b.body, a.size);
	http_response_clear(&a);
	http_response_clear(&b);
}

static void test_capabilities_layers(void **state)
{
	struct fixture *fx = *state;
	struct http_response res;

	run(fx, "SERVICE=WMS&REQUEST=GetCapabilities", CFG_ROLE_ANONYMOUS, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(res.body, "<WMS_Capabilities version=\"1.3.0\""));
	assert_non_null(strstr(res.body, "<Name>parcels</Name>"));
	assert_non_null(strstr(res.body, "<Name>parcels_wgs84</Name>"));
	assert_non_null(strstr(res.body, "<Title>Thửa đất</Title>"));
	assert_non_null(strstr(res.body, "<MaxWidth>1024</MaxWidth>"));
	/* EPSG:4326 is latitude first in 1.3.0: minx is the south edge. */
	assert_non_null(strstr(res.body,
		"<BoundingBox CRS=\"EPSG:4326\" minx=\"16.0582725\""
		" miny=\"108.2133311\" maxx=\"16.0626716\""
		" maxy=\"108.2196720\"/>"));
	assert_non_null(strstr(res.body, "<CRS>EPSG:5899</CRS>"));
	http_response_clear(&res);

	run(fx, "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1",
	    CFG_ROLE_ANONYMOUS, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(res.body, "<!DOCTYPE WMT_MS_Capabilities"));
	assert_non_null(strstr(res.body,
		"<BoundingBox SRS=\"EPSG:4326\" minx=\"108.2133311\""
		" miny=\"16.0582725\" maxx=\"108.2196720\""
		" maxy=\"16.0626716\"/>"));
	http_response_clear(&res);
}

static void test_feature_info_personal(void **state)
{
	struct fixture *fx = *state;
	const char *query =
		"SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo"
		"&LAYERS=parcels_wgs84&STYLES=&CRS=EPSG:4326&BBOX=" BOX_LATLON
		"&WIDTH=600&HEIGHT=420&QUERY_LAYERS=parcels_wgs84&I=190&J=45"
		"&INFO_FORMAT=application/json";
	struct http_response res;

	/* Pixel 190,45 of this map lies inside parcel 30 of sheet 2. */
	run(fx, query, CFG_ROLE_ANONYMOUS, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(res.body, "\"SoThuTuThua\":30"));
	assert_null(strstr(res.body, "DienTich"));
	http_response_clear(&res);

	run(fx, query, CFG_ROLE_PLANNER, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(res.body, "\"SoThuTuThua\":30"));
	assert_non_null(strstr(res.body, "\"DienTich\":6753.30735"));
	http_response_clear(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_getmap_axis_order),
		cmocka_unit_test(test_capabilities_layers),
		cmocka_unit_test(test_feature_info_personal),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
