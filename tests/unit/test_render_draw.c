/*
 * Drawing vector snapshots built by hand: fills from the land-use table,
 * holes, outlines, CRS handling, labels, PNG/PNG8/JPEG output and legends.
 * Every image is decoded back with libpng and checked pixel by pixel.
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

#include <cmocka.h>
#include <png.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

/* ---- decoded images ---- */

struct image {
	png_image info;
	unsigned char *rgba;     /* width * 4 bytes per row */
};

static void image_decode(const unsigned char *png, size_t size,
			 struct image *img)
{
	memset(img, 0, sizeof(*img));
	img->info.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_memory(&img->info, png, size));
	img->info.format = PNG_FORMAT_RGBA;
	img->rgba = malloc(PNG_IMAGE_SIZE(img->info));
	assert_non_null(img->rgba);
	assert_true(png_image_finish_read(&img->info, NULL, img->rgba, 0,
					  NULL));
}

static uint32_t image_pixel(const struct image *img, int x, int y)
{
	const unsigned char *p = img->rgba + ((size_t)y * img->info.width + x) * 4;

	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void expect_pixel(const char *what, const struct image *img, int x,
			 int y, uint32_t rgba)
{
	uint32_t got = image_pixel(img, x, y);

	if (got != rgba) {
		print_error("%s: pixel (%d, %d): expected #%08X, obtained "
			    "#%08X\n", what, x, y, rgba, got);
		fail();
	}
}

/* ---- the test layer ---- */

/*
 * Parcel 1: a square of 0.016 degrees with a square hole, land use
 * "ODT+CLN", parcel number 125. Canvas: 105.70..105.72 E, 10.00..10.02 N
 * at 200 x 200 pixels, so one pixel is 0.0001 degrees and the parcel spans
 * pixels 20..180 with the hole at 80..120.
 */
static const double canvas_box[4] = {105.70, 10.00, 105.72, 10.02};

static double parcel_xy[] = {
	105.702, 10.002, 105.718, 10.002, 105.718, 10.018, 105.702, 10.018,
	105.702, 10.002,
	105.708, 10.008, 105.708, 10.012, 105.712, 10.012, 105.712, 10.008,
	105.708, 10.008,
};
static uint32_t parcel_parts[] = {0, 5, 10};
static bool parcel_outer[] = {true, false};

static double road_xy[] = {105.700, 10.019, 105.720, 10.019};
static uint32_t road_parts[] = {0, 2};
static double well_xy[] = {105.719, 10.001};
static uint32_t well_parts[] = {0, 1};

static struct attr_def attrs[] = {
	{"KyHieuMucDichSuDung", ATTR_STRING, false},
	{"SoThuTuThua", ATTR_INTEGER, false},
	{"ChuSuDung", ATTR_STRING, true},
};

struct fixture {
	struct cfg_style styles[3];
	struct cfg_layer layer;
	struct value values[3][3];
	struct feature features[3];
	struct layer_snapshot snap;
	double native[3][20];      /* VN-2000 copies of the coordinates */
};

static void geom_set(struct geom *g, enum geom_type type, double *xy,
		     uint32_t n_points, uint32_t *parts, uint32_t n_parts,
		     bool *outer)
{
	g->type = type;
	g->multi = false;
	g->xy = xy;
	g->n_points = n_points;
	g->part_start = parts;
	g->n_parts = n_parts;
	g->part_outer = outer;
}

static void bbox_of(const struct geom *g, double box[4])
{
	box[0] = box[1] = INFINITY;
	box[2] = box[3] = -INFINITY;
	for (uint32_t i = 0; i < g->n_points; i++) {
		box[0] = fmin(box[0], g->xy[2 * i]);
		box[1] = fmin(box[1], g->xy[2 * i + 1]);
		box[2] = fmax(box[2], g->xy[2 * i]);
		box[3] = fmax(box[3], g->xy[2 * i + 1]);
	}
}

static void value_set_s(struct value *v, char *s)
{
	v->is_null = s == NULL;
	v->u.s = s;
}

/* Build the layer with its three features stored in CRS84, or in
   `native_crs` when not NULL (coordinates transformed through vn2000). */
static struct fixture *fixture_new(const struct vn2000_crs *native_crs)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct feature *f;

	assert_non_null(fx);
	fx->styles[0] = (struct cfg_style){
		.name = "landuse", .title_vi = "Thửa đất theo mục đích",
		.title_en = "Parcels by land use",
		.fill_by = "KyHieuMucDichSuDung", .fill = 0xC0C0C0FF,
		.stroke = 0x000000FF, .stroke_width = 2.0,
		.point_radius = 3.0, .label = NULL};
	fx->styles[1] = fx->styles[0];
	fx->styles[1].name = "labelled";
	fx->styles[1].label = "SoThuTuThua";
	fx->styles[2] = fx->styles[0];
	fx->styles[2].name = "owner";
	fx->styles[2].label = "ChuSuDung";
	fx->layer = (struct cfg_layer){
		.id = "parcels", .title_vi = "Thửa đất", .title_en = "Parcels",
		.kind = CFG_LAYER_VECTOR, .styles = fx->styles, .n_styles = 3};
	for (int i = 0; i < 3; i++) {
		fx->features[i].fid = i + 1;
		fx->features[i].values = fx->values[i];
		for (int a = 0; a < 3; a++)
			fx->values[i][a].is_null = true;
	}

	f = &fx->features[0];
	geom_set(&f->lonlat, GEOM_POLYGON, parcel_xy, 10, parcel_parts, 2,
		 parcel_outer);
	value_set_s(&f->values[0], "ODT+CLN");
	f->values[1].is_null = false;
	f->values[1].u.i = 125;
	value_set_s(&f->values[2], "Nguyễn Văn Ân");
	f = &fx->features[1];
	geom_set(&f->lonlat, GEOM_LINE, road_xy, 2, road_parts, 1, NULL);
	value_set_s(&f->values[0], "DGT");
	f = &fx->features[2];
	geom_set(&f->lonlat, GEOM_POINT, well_xy, 1, well_parts, 1, NULL);

	for (int i = 0; i < 3; i++) {
		f = &fx->features[i];
		bbox_of(&f->lonlat, f->bbox);
		f->native = f->lonlat;
		if (native_crs == NULL)
			continue;
		/* Store the feature in the VN-2000 CRS, as the loader would. */
		memcpy(fx->native[i], f->lonlat.xy,
		       f->lonlat.n_points * 2 * sizeof(double));
		assert_int_equal(vn2000_transform_xy(
			vn2000_transform_get(vn2000_crs_find("CRS:84"),
					     native_crs),
			fx->native[i], f->lonlat.n_points), 0);
		f->native.xy = fx->native[i];
		bbox_of(&f->native, f->native_bbox);
	}

	fx->snap = (struct layer_snapshot){
		.cfg = &fx->layer, .version = 1,
		.crs = native_crs ? native_crs : vn2000_crs_find("CRS:84"),
		.attrs = attrs, .n_attrs = 3,
		.features = fx->features, .n_features = 3,
		.index = NULL, .refcount = 1};
	assert_non_null(fx->snap.crs);
	return fx;
}

static void fixture_free(struct fixture *fx)
{
	free(fx);
}

/* With VNSDI_RENDER_DUMP=DIR set, write each image there for a look. */
static void dump_png(const char *name, const unsigned char *png, size_t size)
{
	static int counter;
	const char *dir = getenv("VNSDI_RENDER_DUMP");
	char path[512];
	FILE *fp;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/draw-%02d-%s.png", dir, ++counter,
		 name ? name : "default");
	fp = fopen(path, "wb");
	if (fp != NULL) {
		fwrite(png, 1, size, fp);
		fclose(fp);
	}
}

/* Render the fixture on a canvas and decode the PNG. */
static void render_png(const struct fixture *fx, const char *crs_id,
		       const double box[4], int size, const char *style,
		       enum render_format format, struct image *img)
{
	struct render_request req = {
		.crs = vn2000_crs_find(crs_id),
		.width = size, .height = size, .transparent = true};
	struct render_canvas *canvas;
	unsigned char *png = NULL;
	size_t png_size = 0;

	assert_non_null(req.crs);
	memcpy(req.bbox, box, sizeof(req.bbox));
	canvas = render_canvas_new(&req);
	assert_non_null(canvas);
	assert_int_equal(render_canvas_draw_layer(canvas, &fx->snap, style), 0);
	assert_int_equal(render_canvas_encode(canvas, format, &png, &png_size),
			 0);
	render_canvas_free(canvas);
	dump_png(style, png, png_size);
	image_decode(png, png_size, img);
	free(png);
}

static int count_dark(const struct image *img, int x0, int y0, int x1,
		      int y1)
{
	int n = 0;

	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			uint32_t p = image_pixel(img, x, y);

			if ((p & 0xFF) > 128 && (p >> 24) < 96 &&
			    ((p >> 16) & 0xFF) < 96 && ((p >> 8) & 0xFF) < 96)
				n++;
		}
	return n;
}

/* ---- tests ---- */

static void fill_hole_outline_outside(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct image img;

	(void)state;
	render_png(fx, "CRS:84", canvas_box, 200, NULL, RENDER_PNG, &img);

	/* ODT+CLN takes the colour of ODT, #FFA0FF, fully opaque. */
	expect_pixel("fill", &img, 50, 100, 0xFFA0FFFF);
	expect_pixel("fill", &img, 150, 60, 0xFFA0FFFF);
	expect_pixel("hole", &img, 100, 100, 0x00000000);
	expect_pixel("outside", &img, 5, 100, 0x00000000);
	expect_pixel("outside", &img, 190, 150, 0x00000000);
	/* The outline, 2 px wide, is centred on x = 20 and y = 180. */
	expect_pixel("outline left", &img, 19, 100, 0x000000FF);
	expect_pixel("outline left", &img, 20, 100, 0x000000FF);
	expect_pixel("outline hole", &img, 80, 100, 0x000000FF);
	expect_pixel("outline bottom", &img, 100, 180, 0x000000FF);
	/* The road runs along pixel row 10; the well is a circle of radius
	   3 at (190, 190), filled with the style's grey. */
	expect_pixel("road", &img, 100, 9, 0x000000FF);
	expect_pixel("road", &img, 100, 10, 0x000000FF);
	expect_pixel("well", &img, 190, 190, 0xC0C0C0FF);
	free(img.rgba);
	fixture_free(fx);
}

static void epsg4326_matches_crs84(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct image a, b;

	(void)state;
	/* The renderer takes x = lon, y = lat for both; the protocol layer
	   swaps EPSG:4326 axes before it calls the renderer. */
	render_png(fx, "CRS:84", canvas_box, 200, "labelled", RENDER_PNG, &a);
	render_png(fx, "EPSG:4326", canvas_box, 200, "labelled", RENDER_PNG, &b);
	assert_int_equal(a.info.width, b.info.width);
	assert_memory_equal(a.rgba, b.rgba, (size_t)200 * 200 * 4);
	free(a.rgba);
	free(b.rgba);
	fixture_free(fx);
}

/* The same parcel stored in CRS84 and in VN-2000 TM-3 105-00 (EPSG:5897)
   lands on the same pixels of a Web Mercator map. */
static void vn2000_storage_same_pixels(void **state)
{
	const struct vn2000_crs *tm3 = vn2000_crs_find("EPSG:5897");
	struct fixture *lonlat, *native;
	struct image a, b;
	double box[4];
	int differ = 0;

	(void)state;
	assert_non_null(tm3);
	lonlat = fixture_new(NULL);
	native = fixture_new(tm3);
	assert_int_equal(vn2000_transform_bbox(
		vn2000_transform_get(vn2000_crs_find("CRS:84"),
				     vn2000_crs_find("EPSG:3857")),
		canvas_box, box, 21), 0);
	render_png(lonlat, "EPSG:3857", box, 256, NULL, RENDER_PNG, &a);
	render_png(native, "EPSG:3857", box, 256, NULL, RENDER_PNG, &b);

	/* Round trips through the Helmert shift agree to well under a
	   millimetre, far below a pixel (8.7 m here); allow a few
	   anti-aliased edge pixels to differ by rounding. */
	for (size_t i = 0; i < (size_t)256 * 256 * 4; i++)
		if (abs((int)a.rgba[i] - (int)b.rgba[i]) > 2)
			differ++;
	if (differ > 0) {
		print_error("%d channel values differ by more than 2\n",
			    differ);
		fail();
	}
	expect_pixel("fill in 3857", &b, 60, 128, 0xFFA0FFFF);
	free(a.rgba);
	free(b.rgba);
	fixture_free(lonlat);
	fixture_free(native);
}

static void label_skipped_centroid_in_hole(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct image plain, labelled;

	(void)state;
	render_png(fx, "CRS:84", canvas_box, 200, NULL, RENDER_PNG, &plain);
	render_png(fx, "CRS:84", canvas_box, 200, "labelled", RENDER_PNG,
		   &labelled);

	/* "125" sits around the centroid of the ring (100, 100), which is in
	   the hole, so it is not drawn there; the unlabelled map has no dark
	   pixel in the parcel body. */
	assert_int_equal(count_dark(&plain, 25, 25, 175, 75), 0);
	assert_int_equal(count_dark(&labelled, 25, 25, 175, 75), 0);
	free(plain.rgba);
	free(labelled.rgba);
	fixture_free(fx);
}

static void label_in_plain_parcel(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct image plain, labelled;
	int dark_plain, dark_label;

	(void)state;
	/* Without its hole the parcel has room for the label at its centre. */
	fx->features[0].lonlat.n_parts = 1;
	fx->features[0].lonlat.n_points = 5;
	fx->features[0].native = fx->features[0].lonlat;
	render_png(fx, "CRS:84", canvas_box, 200, NULL, RENDER_PNG, &plain);
	render_png(fx, "CRS:84", canvas_box, 200, "labelled", RENDER_PNG,
		   &labelled);
	dark_plain = count_dark(&plain, 80, 90, 120, 110);
	dark_label = count_dark(&labelled, 80, 90, 120, 110);
	assert_int_equal(dark_plain, 0);
	assert_true(dark_label > 10);
	expect_pixel("fill around label", &labelled, 50, 100, 0xFFA0FFFF);
	free(plain.rgba);
	free(labelled.rgba);
	fixture_free(fx);
}

static void personal_label_never_drawn(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct image plain, owner;

	(void)state;
	fx->features[0].lonlat.n_parts = 1;
	fx->features[0].lonlat.n_points = 5;
	fx->features[0].native = fx->features[0].lonlat;
	render_png(fx, "CRS:84", canvas_box, 200, NULL, RENDER_PNG, &plain);
	render_png(fx, "CRS:84", canvas_box, 200, "owner", RENDER_PNG, &owner);
	assert_memory_equal(plain.rgba, owner.rgba, (size_t)200 * 200 * 4);
	free(plain.rgba);
	free(owner.rgba);
	fixture_free(fx);
}

/* A canvas deep inside the parcel: pixel coordinates of its corners run
   to millions of pixels and must be clipped, not overflow. */
static void huge_coordinates_clipped(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	const double box[4] = {105.7050, 10.0050, 105.705001, 10.005001};
	struct image img;

	(void)state;
	render_png(fx, "CRS:84", box, 64, NULL, RENDER_PNG, &img);
	for (int y = 0; y < 64; y += 7)
		for (int x = 0; x < 64; x += 7)
			expect_pixel("inside", &img, x, y, 0xFFA0FFFF);
	free(img.rgba);
	fixture_free(fx);
}

static void unknown_code_uses_style_fill(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct image img;

	(void)state;
	fx->values[0][0].u.s = "QQQ";
	render_png(fx, "CRS:84", canvas_box, 200, NULL, RENDER_PNG, &img);
	expect_pixel("fallback fill", &img, 50, 100, 0xC0C0C0FF);
	free(img.rgba);
	fixture_free(fx);
}

static void opaque_background_rgb(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct render_request req = {
		.crs = vn2000_crs_find("CRS:84"), .width = 100, .height = 80,
		.transparent = false, .bgcolor = 0x336699};
	struct render_canvas *canvas;
	unsigned char *png = NULL;
	size_t size = 0;
	struct image img;

	(void)state;
	memcpy(req.bbox, canvas_box, sizeof(req.bbox));
	canvas = render_canvas_new(&req);
	assert_non_null(canvas);
	assert_int_equal(render_canvas_draw_layer(canvas, &fx->snap, ""), 0);
	assert_int_equal(render_canvas_encode(canvas, RENDER_PNG, &png, &size),
			 0);
	/* IHDR colour type (byte 25): 2 is RGB, chosen for opaque images. */
	assert_true(size > 26);
	assert_int_equal(png[25], 2);
	image_decode(png, size, &img);
	assert_int_equal(img.info.width, 100);
	assert_int_equal(img.info.height, 80);
	expect_pixel("background", &img, 2, 40, 0x336699FF);
	free(img.rgba);
	free(png);
	render_canvas_free(canvas);
	fixture_free(fx);
}

static void png8_round_trip(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct image full, pal;
	unsigned char *png = NULL;
	size_t size = 0;
	struct render_request req = {
		.crs = vn2000_crs_find("CRS:84"), .width = 200, .height = 200,
		.transparent = true};
	struct render_canvas *canvas;

	(void)state;
	render_png(fx, "CRS:84", canvas_box, 200, "labelled", RENDER_PNG, &full);
	memcpy(req.bbox, canvas_box, sizeof(req.bbox));
	canvas = render_canvas_new(&req);
	assert_int_equal(render_canvas_draw_layer(canvas, &fx->snap,
						  "labelled"), 0);
	assert_int_equal(render_canvas_encode(canvas, RENDER_PNG8, &png, &size),
			 0);
	assert_int_equal(png[25], 3);   /* palette colour type */
	image_decode(png, size, &pal);

	/* Flat fills and anti-aliased edges stay under 256 colours here, so
	   the palette is exact. */
	assert_memory_equal(full.rgba, pal.rgba, (size_t)200 * 200 * 4);
	free(full.rgba);
	free(pal.rgba);
	free(png);
	render_canvas_free(canvas);
	fixture_free(fx);
}

/* More than 256 colours: the median-cut palette with tRNS. */
static void png8_quantized_gradient(void **state)
{
	unsigned char *rgba = malloc((size_t)256 * 256 * 4);
	unsigned char *png = NULL;
	size_t size = 0;
	struct image img;
	int worst = 0;

	(void)state;
	assert_non_null(rgba);
	/* Red across, green down, blue fixed; the left quarter transparent,
	   the next quarter half transparent. */
	for (int y = 0; y < 256; y++)
		for (int x = 0; x < 256; x++) {
			unsigned char *p = rgba + ((size_t)y * 256 + x) * 4;

			p[3] = x < 64 ? 0 : x < 128 ? 128 : 255;
			p[0] = p[3] ? (unsigned char)x : 0;
			p[1] = p[3] ? (unsigned char)y : 0;
			p[2] = p[3] ? 90 : 0;
		}
	assert_int_equal(render_png8_encode(rgba, 256, 256, &png, &size), 0);
	assert_int_equal(png[25], 3);
	image_decode(png, size, &img);
	for (size_t i = 0; i < (size_t)256 * 256 * 4; i++) {
		int d = abs((int)img.rgba[i] - (int)rgba[i]);

		worst = d > worst ? d : worst;
	}
	/* 256 entries for 3 x 16384 colours: about 16 levels per channel. */
	if (worst > 24) {
		print_error("largest channel error %d, expected <= 24\n", worst);
		fail();
	}
	expect_pixel("transparent stays transparent", &img, 10, 10, 0);
	assert_int_equal(image_pixel(&img, 200, 10) & 0xFF, 255);
	free(img.rgba);
	free(png);
	free(rgba);
}

static void jpeg_encoded(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct render_request req = {
		.crs = vn2000_crs_find("CRS:84"), .width = 120, .height = 90,
		.transparent = true};
	struct render_canvas *canvas;
	unsigned char *jpeg = NULL;
	size_t size = 0;

	(void)state;
	memcpy(req.bbox, canvas_box, sizeof(req.bbox));
	canvas = render_canvas_new(&req);
	assert_int_equal(render_canvas_draw_layer(canvas, &fx->snap, NULL), 0);
	assert_int_equal(render_canvas_encode(canvas, RENDER_JPEG, &jpeg, &size),
			 0);
	assert_true(size > 100);
	assert_int_equal(jpeg[0], 0xFF);
	assert_int_equal(jpeg[1], 0xD8);
	assert_int_equal(jpeg[size - 2], 0xFF);
	assert_int_equal(jpeg[size - 1], 0xD9);
	free(jpeg);
	render_canvas_free(canvas);
	fixture_free(fx);
}

/* A canvas whose deadline has passed draws and encodes nothing and reports
   the timeout; one with no deadline, or a later one, draws the layer. */
static void deadline_stops_drawing(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	struct render_request req = {
		.crs = vn2000_crs_find("CRS:84"), .width = 120, .height = 90,
		.transparent = true};
	struct render_canvas *canvas;
	unsigned char *png = NULL;
	size_t size = 0;

	(void)state;
	memcpy(req.bbox, canvas_box, sizeof(req.bbox));
	req.deadline = render_clock() - 1.0;
	canvas = render_canvas_new(&req);
	assert_non_null(canvas);
	assert_int_equal(render_canvas_draw_layer(canvas, &fx->snap, NULL), -1);
	assert_true(render_canvas_timed_out(canvas));
	/* A stopped canvas is never encoded: no partial image can leave. */
	assert_int_equal(render_canvas_encode(canvas, RENDER_PNG, &png, &size),
			 -1);
	assert_null(png);
	render_canvas_free(canvas);

	for (int i = 0; i < 2; i++) {
		req.deadline = i == 0 ? 0 : render_clock() + 60.0;
		canvas = render_canvas_new(&req);
		assert_int_equal(render_canvas_draw_layer(canvas, &fx->snap,
							  NULL), 0);
		assert_false(render_canvas_timed_out(canvas));
		render_canvas_free(canvas);
	}

	/* A deadline that passes between drawing and encoding stops the
	   encoding too, in every format. */
	for (int format = RENDER_PNG; format <= RENDER_JPEG; format++) {
		req.deadline = render_clock() + 0.2;
		canvas = render_canvas_new(&req);
		assert_int_equal(render_canvas_draw_layer(canvas, &fx->snap,
							  NULL), 0);
		while (render_clock() <= req.deadline)
			usleep(10000);
		png = NULL;
		assert_int_equal(render_canvas_encode(canvas, format, &png,
						      &size), -1);
		assert_null(png);
		assert_true(render_canvas_timed_out(canvas));
		render_canvas_free(canvas);
	}
	fixture_free(fx);
}

static void canvas_rejects_bad_requests(void **state)
{
	struct render_request req = {
		.crs = vn2000_crs_find("CRS:84"), .width = 10, .height = 10,
		.bbox = {1, 1, 2, 2}};
	struct render_request bad;

	(void)state;
	bad = req;
	bad.width = 0;
	assert_null(render_canvas_new(&bad));
	bad = req;
	bad.height = -5;
	assert_null(render_canvas_new(&bad));
	bad = req;
	bad.width = 100000;
	bad.height = 100000;
	assert_null(render_canvas_new(&bad));
	bad = req;
	bad.bbox[2] = 1;          /* minx == maxx */
	assert_null(render_canvas_new(&bad));
	bad = req;
	bad.bbox[1] = NAN;
	assert_null(render_canvas_new(&bad));
	bad = req;
	bad.crs = NULL;
	assert_null(render_canvas_new(&bad));
	assert_null(render_canvas_new(NULL));
	render_canvas_free(NULL);
}

/* ---- legends ---- */

static int dark_in_row(const struct image *img, int row)
{
	return count_dark(img, 32, 4 + row * 20, (int)img->info.width,
			  4 + (row + 1) * 20);
}

static void legend_rows_by_code(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	unsigned char *vi = NULL, *en = NULL;
	size_t vi_size = 0, en_size = 0;
	struct image a, b;

	(void)state;
	/* Codes present: ODT (parcel), DGT (road), none (well: "Khác"). */
	assert_int_equal(render_legend_png(&fx->snap, "landuse", "vi", &vi,
					   &vi_size), 0);
	assert_int_equal(render_legend_png(&fx->snap, "landuse", "en", &en,
					   &en_size), 0);
	dump_png("legend-vi", vi, vi_size);
	dump_png("legend-en", en, en_size);
	image_decode(vi, vi_size, &a);
	image_decode(en, en_size, &b);
	assert_int_equal(a.info.height, 3 * 20 + 8);
	/* Sorted: DGT, ODT, then the fallback row. Swatch centres. */
	expect_pixel("DGT swatch", &a, 15, 4 + 10, 0xFFAA32FF);
	expect_pixel("ODT swatch", &a, 15, 24 + 10, 0xFFA0FFFF);
	expect_pixel("other swatch", &a, 15, 44 + 10, 0xC0C0C0FF);
	for (int row = 0; row < 3; row++) {
		assert_true(dark_in_row(&a, row) > 20);
		assert_true(dark_in_row(&b, row) > 20);
	}
	/* Vietnamese and English names differ. */
	assert_true(a.info.width != b.info.width ||
		    memcmp(a.rgba, b.rgba, PNG_IMAGE_SIZE(a.info)) != 0);
	free(a.rgba);
	free(b.rgba);
	free(vi);
	free(en);
	fixture_free(fx);
}

static void legend_plain_style(void **state)
{
	struct fixture *fx = fixture_new(NULL);
	unsigned char *png = NULL;
	size_t size = 0;
	struct image img;

	(void)state;
	fx->styles[0].fill_by = NULL;
	assert_int_equal(render_legend_png(&fx->snap, NULL, NULL, &png, &size),
			 0);
	image_decode(png, size, &img);
	assert_int_equal(img.info.height, 20 + 8);
	expect_pixel("swatch", &img, 15, 14, 0xC0C0C0FF);
	/* "Thửa đất theo mục đích" in DejaVu Sans. */
	assert_true(dark_in_row(&img, 0) > 40);
	assert_true(img.info.width > 120);
	free(img.rgba);
	free(png);
	fixture_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fill_hole_outline_outside),
		cmocka_unit_test(epsg4326_matches_crs84),
		cmocka_unit_test(vn2000_storage_same_pixels),
		cmocka_unit_test(label_skipped_centroid_in_hole),
		cmocka_unit_test(label_in_plain_parcel),
		cmocka_unit_test(personal_label_never_drawn),
		cmocka_unit_test(huge_coordinates_clipped),
		cmocka_unit_test(unknown_code_uses_style_fill),
		cmocka_unit_test(opaque_background_rgb),
		cmocka_unit_test(png8_round_trip),
		cmocka_unit_test(png8_quantized_gradient),
		cmocka_unit_test(jpeg_encoded),
		cmocka_unit_test(deadline_stops_drawing),
		cmocka_unit_test(canvas_rejects_bad_requests),
		cmocka_unit_test(legend_rows_by_code),
		cmocka_unit_test(legend_plain_style),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	vn2000_thread_cleanup();
	/* Free Cairo's font caches so leak checkers see only real leaks. */
	cairo_debug_reset_static_data();
	return rc;
}
