/*
 * Tile matrix sets: the OGC 17-083r4 values of WebMercatorQuad and
 * WorldCRS84Quad, tile bounds, limits over a box, the national VN-2000 set,
 * the imagery area rule, and labels that stay whole across a tile edge.
 */
#include <math.h>
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
#include <png.h>

#include "tiles/tms.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DANANG VNSDI_SHARED_DIR "/data/real/danang-parcels/"

static int close_to(double a, double b, double tolerance)
{
	return fabs(a - b) <= tolerance * fmax(1.0, fabs(b));
}

/* Scale denominators and matrix sizes of OGC 17-083r4 Annex D. */
static void test_quad_definitions(void **state)
{
	static const struct {
		const char *set;
		int z;
		double scale;
		int64_t width, height;
	} cases[] = {
		{"WebMercatorQuad", 0, 559082264.0287178, 1, 1},
		{"WebMercatorQuad", 1, 279541132.0143589, 2, 2},
		{"WebMercatorQuad", 18, 2132.72958384159, 262144, 262144},
		{"WebMercatorQuad", 24, 33.32389974752, 16777216, 16777216},
		{"WorldCRS84Quad", 0, 279541132.0143589, 2, 1},
		{"WorldCRS84Quad", 1, 139770566.0071794, 4, 2},
		{"WorldCRS84Quad", 17, 2132.72958384159, 262144, 131072},
		{"VN2000UTM48N", 0, 1000000, 19, 31},
		{"VN2000UTM48N", 10, 500, 36273, 61384},
	};
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		const struct tms_set *set = tms_find(cases[i].set);
		const struct tms_matrix *m;

		assert_non_null(set);
		m = &set->matrices[cases[i].z];
		if (!close_to(m->scale_denominator, cases[i].scale, 1e-9) ||
		    m->matrix_width != cases[i].width ||
		    m->matrix_height != cases[i].height) {
			print_error("%s/%d: expected scale %.10g %lldx%lld, "
				    "obtained %.10g %lldx%lld\n", cases[i].set,
				    cases[i].z, cases[i].scale,
				    (long long)cases[i].width,
				    (long long)cases[i].height,
				    m->scale_denominator,
				    (long long)m->matrix_width,
				    (long long)m->matrix_height);
			failed = 1;
		}
	}
	assert_int_equal(failed, 0);
	assert_null(tms_find("GoogleMapsCompatible"));
	assert_non_null(tms_find("webmercatorquad"));
	assert_int_equal(tms_matrix_find(tms_find("WebMercatorQuad"), "25"),
			 -1);
	assert_int_equal(tms_matrix_find(tms_find("WebMercatorQuad"), "07"),
			 -1);
}

static void test_tile_bounds(void **state)
{
	const struct tms_set *wm = tms_find("WebMercatorQuad");
	const struct tms_set *geo = tms_find("WorldCRS84Quad");
	double b[4];

	(void)state;
	tms_tile_bbox(wm, 0, 0, 0, b);
	assert_true(close_to(b[0], -20037508.3427892, 1e-12));
	assert_true(close_to(b[3], 20037508.3427892, 1e-12));
	tms_tile_bbox(wm, 1, 1, 0, b);      /* north-east quarter */
	assert_true(fabs(b[0]) < 1e-6);
	assert_true(fabs(b[1]) < 1e-6);
	tms_tile_bbox(geo, 0, 1, 0, b);     /* eastern hemisphere */
	assert_true(b[0] == 0 && b[1] == -90 && b[2] == 180 && b[3] == 90);
	tms_tile_bbox(geo, 2, 5, 1, b);
	assert_true(b[0] == 45 && b[1] == 0 && b[2] == 90 && b[3] == 45);
}

/* Limits over a box; the Nam Duong ward lies in XYZ tile 17/104061/61...
   as computed by the classic slippy-map formula. */
static void test_limits_of_box(void **state)
{
	const struct tms_set *wm = tms_find("WebMercatorQuad");
	const struct tms_set *geo = tms_find("WorldCRS84Quad");
	const double ward[4] = {108.2133311, 16.0582725, 108.2196720, 16.0626716};
	const double edge[4] = {0.0, 0.0, 90.0, 45.0};
	struct tms_limits l;
	int n = 1 << 17;
	double lat0 = 16.0626716 * M_PI / 180;

	(void)state;
	assert_int_equal(tms_limits_of_box(wm, 17, ward, &l), 0);
	assert_false(l.empty);
	assert_int_equal(l.min_col, (int64_t)floor((108.2133311 + 180) / 360 * n));
	assert_int_equal(l.max_col, (int64_t)floor((108.2196720 + 180) / 360 * n));
	assert_int_equal(l.min_row,
			 (int64_t)floor((1 - log(tan(lat0) + 1 / cos(lat0)) /
					 M_PI) / 2 * n));
	assert_true(tms_limits_contain(&l, l.max_col, l.max_row));
	assert_false(tms_limits_contain(&l, l.max_col + 1, l.max_row));
	assert_false(tms_limits_contain(&l, l.max_col, l.min_row - 1));

	/* A box ending exactly on tile edges covers only the tiles inside. */
	assert_int_equal(tms_limits_of_box(geo, 2, edge, &l), 0);
	assert_int_equal(l.min_col, 4);
	assert_int_equal(l.max_col, 5);
	assert_int_equal(l.min_row, 1);
	assert_int_equal(l.max_row, 1);
}

/* The national set covers Vietnam, from Lũng Cú to Trường Sa's west. */
static void test_vn2000_set(void **state)
{
	const struct tms_set *vn = tms_find("VN2000UTM48N");
	const double places[][4] = {
		{105.3161, 23.3636, 105.3161, 23.3636},   /* Lũng Cú */
		{104.7227, 8.5953, 104.7227, 8.5953},     /* Cà Mau cape */
		{108.2200, 16.0600, 108.2200, 16.0600},   /* Đà Nẵng */
		{112.3, 16.5, 112.3, 16.5},               /* Hoàng Sa */
	};
	struct tms_limits l;

	(void)state;
	assert_non_null(vn);
	assert_int_equal(vn->crs->epsg, 3405);
	for (size_t i = 0; i < COUNT(places); i++) {
		for (size_t z = 0; z < vn->n_matrices; z++) {
			assert_int_equal(tms_limits_of_box(vn, (int)z,
							   places[i], &l), 0);
			if (l.empty)
				print_error("place %zu is outside matrix %zu\n",
					    i, z);
			assert_false(l.empty);
			assert_int_equal(l.min_col, l.max_col);
		}
	}
	/* 1:500 cells are 0.14 m: a 256 px tile is 35.84 m. */
	assert_true(close_to(vn->matrices[10].cell_size * 256, 35.84, 1e-12));
}

/* Tile areas against the closed form of a WGS 84 sphere-free check: the
   equator tile of WebMercatorQuad 10 is about 39.1 km wide. */
static void test_tile_area(void **state)
{
	const struct tms_set *wm = tms_find("WebMercatorQuad");
	struct tms_limits equator = {false, 512, 512, 511, 511};
	struct tms_limits north = {false, 512, 512, 100, 100};
	double a = tms_max_tile_area_km2(wm, 10, &equator);
	double b = tms_max_tile_area_km2(wm, 10, &north);

	(void)state;
	/* 39.135 km by 39.0 km, within 1 %. */
	assert_true(a > 1500 && a < 1550);
	assert_true(b < a);
}

/* ---- labels across tile edges ---- */

struct fixture {
	char path[64];
	struct cfg *cfg;
	struct layer_registry *layers;
};

static const char config_text[] =
	"server:\n"
	"  listen: 127.0.0.1:8080\n"
	"  data_dir: /tmp\n"
	"limits: {max_width: 1024, max_height: 1024, default_features: 10,\n"
	"         max_features: 100, request_timeout: 30}\n"
	"secrecy: {imagery_max_km2: 200}\n"
	"layers:\n"
	"  - id: parcels\n"
	"    source: " DANANG "DERIVED_parcels_20248_vn2000_tm3_107-45.gpkg\n"
	"    crs: EPSG:5899\n"
	"    styles:\n"
	"      - name: default\n"
	"        fill_by: KyHieuMucDichSuDung\n"
	"        stroke: \"#B22222\"\n"
	"        label: SoThuTuThua\n"
	"        label_area: DienTich\n"
	"  - id: imagery\n"
	"    kind: raster\n"
	"    scenes:\n"
	"      - path: " VNSDI_SHARED_DIR "/data/real/imagery/aerial_0p6m_cogeo.tif\n";

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct cfg_errors errors = {0};
	FILE *f;
	int fd;

	GDALAllRegister();
	snprintf(fx->path, sizeof(fx->path), "/tmp/test_tiles_XXXXXX");
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
	cairo_debug_reset_static_data();
	return 0;
}

/* Decode a PNG into RGBA rows (width * 4 bytes each). */
static unsigned char *png_decode(const unsigned char *data, size_t size,
				 int *width, int *height)
{
	png_image image;
	unsigned char *pixels;

	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&image, data, size))
		return NULL;
	image.format = PNG_FORMAT_RGBA;
	pixels = malloc(PNG_IMAGE_SIZE(image));
	if (pixels == NULL ||
	    !png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
		free(pixels);
		return NULL;
	}
	*width = (int)image.width;
	*height = (int)image.height;
	return pixels;
}

static unsigned char *render_box(const struct layer_snapshot *snap,
				 const struct tms_set *set, const double box[4],
				 int width, int height)
{
	struct render_request rr = {
		.crs = set->crs, .width = width, .height = height,
		.transparent = true,
	};
	struct render_canvas *canvas;
	unsigned char *png = NULL, *rgba;
	size_t size = 0;
	int w, h;

	memcpy(rr.bbox, box, sizeof(rr.bbox));
	canvas = render_canvas_new(&rr);
	assert_non_null(canvas);
	assert_int_equal(render_canvas_draw_layer(canvas, snap, NULL), 0);
	assert_int_equal(render_canvas_encode(canvas, RENDER_PNG, &png, &size),
			 0);
	render_canvas_free(canvas);
	rgba = png_decode(png, size, &w, &h);
	free(png);
	assert_non_null(rgba);
	return rgba;
}

/* Channel differences above this count as a different pixel. Outlines
   crossing the tile edge differ by up to about 20 levels in their
   anti-aliased pixels, because Cairo rasterises the clipped path of each
   canvas. A shifted or missing label differs by well over 100. */
#define PIXEL_TOLERANCE 24

/*
 * Two neighbouring tiles must equal the two halves of one image drawn over
 * both: labels crossing the shared edge are then drawn once, whole, at the
 * same place. Checked on every pair of tiles of a 4 × 3 block at zoom 19
 * over Nam Duong, where labelled parcels straddle tile edges.
 */
static void test_labels_across_edges(void **state)
{
	struct fixture *fx = *state;
	const struct tms_set *wm = tms_find("WebMercatorQuad");
	struct layer_snapshot *snap =
		layer_registry_acquire_id(fx->layers, "parcels");
	const double ward[4] = {108.2150, 16.0590, 108.2180, 16.0615};
	struct tms_limits l;
	size_t bad = 0, total = 0, labelled = 0;

	assert_non_null(snap);
	assert_int_equal(tms_limits_of_box(wm, 19, ward, &l), 0);
	for (int64_t r = l.min_row; r <= l.min_row + 2; r++) {
		for (int64_t c = l.min_col; c <= l.min_col + 3; c++) {
			double a[4], b[4], both[4];
			unsigned char *left, *right, *whole;

			tms_tile_bbox(wm, 19, c, r, a);
			tms_tile_bbox(wm, 19, c + 1, r, b);
			both[0] = a[0];
			both[1] = a[1];
			both[2] = b[2];
			both[3] = a[3];
			left = render_box(snap, wm, a, 256, 256);
			right = render_box(snap, wm, b, 256, 256);
			whole = render_box(snap, wm, both, 512, 256);
			for (int y = 0; y < 256; y++) {
				for (int x = 0; x < 512; x++) {
					const unsigned char *p = x < 256
						? &left[(y * 256 + x) * 4]
						: &right[(y * 256 + x - 256) * 4];
					const unsigned char *q =
						&whole[(y * 512 + x) * 4];

					for (int k = 0; k < 4; k++)
						if (abs(p[k] - q[k]) > PIXEL_TOLERANCE) {
							if (bad < 10)
								print_error("tile %lld/%lld pixel %d,%d: "
									    "tiles %d %d %d %d, whole "
									    "%d %d %d %d\n",
									    (long long)c, (long long)r,
									    x, y, p[0], p[1], p[2], p[3],
									    q[0], q[1], q[2], q[3]);
							bad++;
							break;
						}
					/* Black ink near the edge: label text. */
					if ((x == 254 || x == 257) && q[3] == 255 &&
					    q[0] < 40 && q[1] < 40 && q[2] < 40)
						labelled++;
					total++;
				}
			}
			free(left);
			free(right);
			free(whole);
		}
	}
	layer_snapshot_release(snap);
	if (bad > 0)
		print_error("%zu of %zu pixels differ between tiles and the "
			    "whole image\n", bad, total);
	assert_int_equal(bad, 0);
	/* The block must actually test labels that cross an edge. */
	assert_true(labelled > 0);
}

/* Imagery is served only where every tile covers at most 200 km². */
static void test_imagery_rule(void **state)
{
	struct fixture *fx = *state;
	struct layer_snapshot *snap =
		layer_registry_acquire_id(fx->layers, "imagery");
	struct tms_layer_limits limits;

	assert_non_null(snap);
	for (size_t s = 0; s < tms_count(); s++) {
		const struct tms_set *set = tms_at(s);

		assert_int_equal(tms_layer_limits(fx->cfg, set, snap, &limits),
				 0);
		/* The scene lies in Korea, outside the national set. */
		if (strcmp(set->id, "VN2000UTM48N") == 0) {
			assert_int_equal(limits.min_z, -1);
			continue;
		}
		assert_true(limits.min_z > 0);
		for (int z = 0; z < (int)set->n_matrices; z++) {
			double area;

			if (limits.limits[z].empty) {
				assert_true(z < limits.min_z);
				continue;
			}
			area = tms_max_tile_area_km2(set, z, &limits.limits[z]);
			assert_true(area > 0 && area <= 200);
		}
		/* The matrix before the first one served is too coarse. */
		struct tms_limits coarse;

		assert_int_equal(tms_limits_of_box(set, limits.min_z - 1,
						   snap->extent, &coarse), 0);
		assert_true(tms_max_tile_area_km2(set, limits.min_z - 1,
						  &coarse) > 200);
	}
	layer_snapshot_release(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quad_definitions),
		cmocka_unit_test(test_tile_bounds),
		cmocka_unit_test(test_limits_of_box),
		cmocka_unit_test(test_vn2000_set),
		cmocka_unit_test(test_tile_area),
		cmocka_unit_test_setup_teardown(test_labels_across_edges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_imagery_rule, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
