/*
 * Rendering real data: imagery scenes warped by GDAL, and the Đà Nẵng
 * cadastral parcels (read here with OGR, not through the layer loader),
 * which also serve to measure PNG encoder settings. Set
 * VNSDI_RENDER_MEASURE=1 to print the measurement table.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <gdal.h>
#include <ogr_api.h>
#include <png.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

#define IMAGERY VNSDI_SHARED_DIR "/data/real/imagery/"
#define DANANG VNSDI_SHARED_DIR \
	"/data/real/danang-parcels/parcels_20212_tan_chinh.geojson"

struct image {
	png_image info;
	unsigned char *rgba;
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

static void transform_box(const char *from, const char *to,
			  const double in[4], double out[4])
{
	struct vn2000_transform *tr =
		vn2000_transform_get(vn2000_crs_find(from), vn2000_crs_find(to));

	assert_non_null(tr);
	assert_int_equal(vn2000_transform_bbox(tr, in, out, 21), 0);
}

/* Extent of a north-up dataset in its own CRS. */
static void dataset_extent(GDALDatasetH ds, double box[4])
{
	double gt[6];

	assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
	box[0] = gt[0];
	box[3] = gt[3];
	box[2] = gt[0] + gt[1] * GDALGetRasterXSize(ds);
	box[1] = gt[3] + gt[5] * GDALGetRasterYSize(ds);
}

/* ---- imagery ---- */

struct raster_fixture {
	struct cfg_layer layer;
	struct scene scenes[2];
	struct layer_snapshot snap;
};

static void raster_fixture_init(struct raster_fixture *fx, const char *path,
				const double footprint[4])
{
	memset(fx, 0, sizeof(*fx));
	fx->layer = (struct cfg_layer){
		.id = "imagery", .title_vi = "Ảnh hàng không và ảnh vệ tinh",
		.title_en = "Aerial and satellite images",
		.kind = CFG_LAYER_RASTER};
	/* A dropped scene over the same place: opening it would fail, so
	   a zero return proves it was never opened. */
	fx->scenes[0] = (struct scene){
		.path = "/nonexistent/restricted-scene.tif", .dropped = true,
		.drop_reason = "footprint over the limit"};
	memcpy(fx->scenes[0].footprint, footprint, 4 * sizeof(double));
	fx->scenes[1] = (struct scene){.path = (char *)path};
	memcpy(fx->scenes[1].footprint, footprint, 4 * sizeof(double));
	fx->snap = (struct layer_snapshot){
		.cfg = &fx->layer, .version = 1, .scenes = fx->scenes,
		.n_scenes = 2, .refcount = 1};
}

static void render_raster(const struct raster_fixture *fx, const char *crs,
			  const double box[4], int w, int h, struct image *img)
{
	struct render_request req = {
		.crs = vn2000_crs_find(crs), .width = w, .height = h,
		.transparent = true};
	struct render_canvas *canvas;
	unsigned char *png = NULL;
	size_t size = 0;

	assert_non_null(req.crs);
	memcpy(req.bbox, box, sizeof(req.bbox));
	canvas = render_canvas_new(&req);
	assert_non_null(canvas);
	assert_int_equal(render_canvas_draw_layer(canvas, &fx->snap, NULL), 0);
	assert_int_equal(render_canvas_encode(canvas, RENDER_PNG, &png, &size),
			 0);
	render_canvas_free(canvas);
	image_decode(png, size, img);
	free(png);
}

/* The aerial COG (EPSG:3857, 1024 px, overviews down to 16 px) drawn over
   its own extent at 256 px matches GDAL's own 256 px read of it. */
static void aerial_scene_in_place(void **state)
{
	GDALDatasetH ds = GDALOpen(IMAGERY "aerial_0p6m_cogeo.tif", GA_ReadOnly);
	double extent[4], footprint[4];
	struct raster_fixture fx;
	struct image img;
	unsigned char *ref;
	double diff = 0;
	int n = 0;

	(void)state;
	assert_non_null(ds);
	dataset_extent(ds, extent);
	transform_box("EPSG:3857", "CRS:84", extent, footprint);
	raster_fixture_init(&fx, IMAGERY "aerial_0p6m_cogeo.tif", footprint);

	ref = malloc((size_t)256 * 256 * 3);
	assert_non_null(ref);
	assert_int_equal(GDALDatasetRasterIO(ds, GF_Read, 0, 0,
					     GDALGetRasterXSize(ds),
					     GDALGetRasterYSize(ds), ref, 256,
					     256, GDT_Byte, 3, NULL, 3,
					     256 * 3, 1), CE_None);
	render_raster(&fx, "EPSG:3857", extent, 256, 256, &img);

	/* Compare away from the border, where resampling kernels differ. */
	for (int y = 4; y < 252; y++)
		for (int x = 4; x < 252; x++) {
			const unsigned char *p = img.rgba + (y * 256 + x) * 4;
			const unsigned char *q = ref + (y * 256 + x) * 3;

			assert_int_equal(p[3], 255);
			for (int c = 0; c < 3; c++)
				diff += fabs((double)p[c] - q[c]);
			n += 3;
		}
	if (diff / n > 4.0) {
		print_error("mean channel difference %.2f, expected <= 4\n",
			    diff / n);
		fail();
	}
	free(ref);
	free(img.rgba);
	GDALClose(ds);
}

/* Landsat scene (UTM 18N, nodata 0): the nodata collar is transparent. */
static void nodata_becomes_transparent(void **state)
{
	GDALDatasetH ds = GDALOpen(IMAGERY "landsat7_bahamas_RGB.byte.tif",
				   GA_ReadOnly);
	OGRSpatialReferenceH srs, wgs;
	OGRCoordinateTransformationH ct;
	double extent[4], footprint[4], box[4];
	double xs[4], ys[4];
	struct raster_fixture fx;
	struct image img;
	int transparent = 0, opaque = 0;

	(void)state;
	assert_non_null(ds);
	dataset_extent(ds, extent);

	/* UTM 18N is outside the catalogue: find the footprint with OGR. */
	srs = OSRClone(GDALGetSpatialRef(ds));
	wgs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(wgs, 4326);
	OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
	OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
	ct = OCTNewCoordinateTransformation(srs, wgs);
	assert_non_null(ct);
	xs[0] = xs[3] = extent[0];
	xs[1] = xs[2] = extent[2];
	ys[0] = ys[1] = extent[1];
	ys[2] = ys[3] = extent[3];
	assert_true(OCTTransform(ct, 4, xs, ys, NULL));
	footprint[0] = fmin(fmin(xs[0], xs[1]), fmin(xs[2], xs[3]));
	footprint[2] = fmax(fmax(xs[0], xs[1]), fmax(xs[2], xs[3]));
	footprint[1] = fmin(fmin(ys[0], ys[1]), fmin(ys[2], ys[3]));
	footprint[3] = fmax(fmax(ys[0], ys[1]), fmax(ys[2], ys[3]));
	OCTDestroyCoordinateTransformation(ct);
	OSRDestroySpatialReference(srs);
	OSRDestroySpatialReference(wgs);

	raster_fixture_init(&fx, IMAGERY "landsat7_bahamas_RGB.byte.tif",
			    footprint);
	memcpy(box, footprint, sizeof(box));
	render_raster(&fx, "CRS:84", box, 200, 180, &img);
	for (size_t i = 0; i < (size_t)200 * 180; i++) {
		if (img.rgba[4 * i + 3] == 0)
			transparent++;
		else if (img.rgba[4 * i + 3] == 255)
			opaque++;
	}
	assert_true(transparent > 1000);
	assert_true(opaque > 10000);
	free(img.rgba);
	GDALClose(ds);
}

/* A Float32 single-band scene is scaled to grey, and its nodata (-9999)
   becomes transparent. This clip holds 0.0 on 57 % of its pixels and
   nodata elsewhere. */
static void float_scene_scaled_to_grey(void **state)
{
	const char *path = IMAGERY "bentre_man_s2_20191127_clip.tif";
	GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
	double extent[4], footprint[4];
	struct raster_fixture fx;
	struct image img;
	int grey = 0, transparent = 0;

	(void)state;
	assert_non_null(ds);
	dataset_extent(ds, extent);
	/* The scene is in WGS 84 / UTM 48N, which the catalogue does not
	   hold: find the footprint with OGR. */
	GDALClose(ds);
	ds = NULL;
	{
		GDALDatasetH src = GDALOpen(path, GA_ReadOnly);
		OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
		OGRSpatialReferenceH srs = OSRClone(GDALGetSpatialRef(src));
		OGRCoordinateTransformationH ct;
		double xs[2] = {extent[0], extent[2]};
		double ys[2] = {extent[1], extent[3]};

		OSRImportFromEPSG(wgs, 4326);
		OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
		OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
		ct = OCTNewCoordinateTransformation(srs, wgs);
		assert_true(OCTTransform(ct, 2, xs, ys, NULL));
		footprint[0] = xs[0];
		footprint[1] = ys[0];
		footprint[2] = xs[1];
		footprint[3] = ys[1];
		OCTDestroyCoordinateTransformation(ct);
		OSRDestroySpatialReference(srs);
		OSRDestroySpatialReference(wgs);
		GDALClose(src);
	}
	raster_fixture_init(&fx, path, footprint);
	render_raster(&fx, "CRS:84", footprint, 120, 100, &img);
	for (size_t i = 0; i < (size_t)120 * 100; i++) {
		const unsigned char *p = img.rgba + 4 * i;

		if (p[3] == 255 && p[0] == p[1] && p[1] == p[2])
			grey++;
		else if (p[3] == 0)
			transparent++;
	}
	/* Both parts are large; warping blurs their border a little. */
	assert_true(grey > 120 * 100 * 40 / 100);
	assert_true(transparent > 120 * 100 * 25 / 100);
	free(img.rgba);
}

/* ---- Đà Nẵng parcels ---- */

struct parcels {
	struct cfg_style style;
	struct cfg_layer layer;
	struct attr_def attrs[2];
	struct feature *features;
	struct value *values;
	size_t n;
	struct layer_snapshot snap;
};

/* Copy an OGR polygon into a struct geom (CRS84). */
static void geom_from_ogr(OGRGeometryH g, struct geom *out)
{
	int n_rings = OGR_G_GetGeometryCount(g);
	uint32_t n_points = 0, k = 0;

	for (int r = 0; r < n_rings; r++)
		n_points += (uint32_t)OGR_G_GetPointCount(
			OGR_G_GetGeometryRef(g, r));
	out->type = GEOM_POLYGON;
	out->n_points = n_points;
	out->n_parts = (uint32_t)n_rings;
	out->xy = malloc(n_points * 2 * sizeof(double));
	out->part_start = malloc((n_rings + 1) * sizeof(uint32_t));
	out->part_outer = malloc(n_rings * sizeof(bool));
	assert_true(out->xy && out->part_start && out->part_outer);
	for (int r = 0; r < n_rings; r++) {
		OGRGeometryH ring = OGR_G_GetGeometryRef(g, r);

		out->part_start[r] = k;
		out->part_outer[r] = r == 0;
		for (int i = 0; i < OGR_G_GetPointCount(ring); i++, k++) {
			out->xy[2 * k] = OGR_G_GetX(ring, i);
			out->xy[2 * k + 1] = OGR_G_GetY(ring, i);
		}
	}
	out->part_start[n_rings] = k;
}

static struct parcels *parcels_load(void)
{
	struct parcels *p = calloc(1, sizeof(*p));
	GDALDatasetH ds;
	OGRLayerH layer;
	OGRFeatureH f;
	size_t cap;

	assert_non_null(p);
	render_gdal_init();
	ds = GDALOpenEx(DANANG, GDAL_OF_VECTOR, NULL, NULL, NULL);
	assert_non_null(ds);
	layer = GDALDatasetGetLayer(ds, 0);
	cap = (size_t)OGR_L_GetFeatureCount(layer, TRUE);
	p->features = calloc(cap, sizeof(*p->features));
	p->values = calloc(cap * 2, sizeof(*p->values));
	assert_true(p->features && p->values);

	while ((f = OGR_L_GetNextFeature(layer)) != NULL && p->n < cap) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		struct feature *ft = &p->features[p->n];
		OGREnvelope env;

		if (g == NULL || wkbFlatten(OGR_G_GetGeometryType(g)) !=
				 wkbPolygon) {
			OGR_F_Destroy(f);
			continue;
		}
		ft->fid = (int64_t)p->n + 1;
		geom_from_ogr(g, &ft->lonlat);
		ft->native = ft->lonlat;
		OGR_G_GetEnvelope(g, &env);
		ft->bbox[0] = env.MinX;
		ft->bbox[1] = env.MinY;
		ft->bbox[2] = env.MaxX;
		ft->bbox[3] = env.MaxY;
		ft->values = &p->values[2 * p->n];
		ft->values[0].u.s = strdup(OGR_F_GetFieldAsString(
			f, OGR_F_GetFieldIndex(f, "KyHieuMucDichSuDung")));
		ft->values[1].u.i = OGR_F_GetFieldAsInteger(
			f, OGR_F_GetFieldIndex(f, "SoThuTuThua"));
		p->n++;
		OGR_F_Destroy(f);
	}
	GDALClose(ds);

	p->style = (struct cfg_style){
		.name = "landuse", .title_vi = "Thửa đất", .title_en = "Parcels",
		.fill_by = "KyHieuMucDichSuDung", .fill = 0xDDDDDDFF,
		.stroke = 0x333333FF, .stroke_width = 1.0, .point_radius = 3,
		.label = "SoThuTuThua"};
	p->layer = (struct cfg_layer){.id = "parcels", .title_vi = "Thửa đất",
				      .kind = CFG_LAYER_VECTOR,
				      .styles = &p->style, .n_styles = 1};
	p->attrs[0] = (struct attr_def){"KyHieuMucDichSuDung", ATTR_STRING,
					false};
	p->attrs[1] = (struct attr_def){"SoThuTuThua", ATTR_INTEGER, false};
	p->snap = (struct layer_snapshot){
		.cfg = &p->layer, .version = 1, .crs = vn2000_crs_find("CRS:84"),
		.attrs = p->attrs, .n_attrs = 2, .features = p->features,
		.n_features = p->n, .refcount = 1};
	return p;
}

static void parcels_free(struct parcels *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->features[i].lonlat.xy);
		free(p->features[i].lonlat.part_start);
		free(p->features[i].lonlat.part_outer);
		free(p->values[2 * i].u.s);
	}
	free(p->features);
	free(p->values);
	free(p);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Print size and time of PNG settings on this map (docs/rendering.md). */
static void measure_png(struct render_canvas *canvas, int width, int height)
{
	static const struct { const char *name; int mask; } filters[] = {
		{"NONE", PNG_FILTER_NONE}, {"SUB", PNG_FILTER_SUB},
		{"UP", PNG_FILTER_UP}, {"PAETH", PNG_FILTER_PAETH},
		{"ALL", PNG_ALL_FILTERS},
	};
	static const int levels[] = {1, 3, 6, 9};
	bool opaque;
	unsigned char *rgba = render_surface_to_rgba(canvas->surface, &opaque);

	assert_non_null(rgba);
	printf("filter level bytes ms (mean of 5)\n");
	for (size_t f = 0; f < 5; f++)
		for (size_t l = 0; l < 4; l++) {
			unsigned char *png = NULL;
			size_t size = 0;
			double t0 = now_ms();

			for (int rep = 0; rep < 5; rep++) {
				free(png);
				assert_int_equal(render_png_encode_rgba(
					rgba, width, height,
					(size_t)width * 4, opaque,
					filters[f].mask, levels[l], &png,
					&size), 0);
			}
			printf("%-5s %d %zu %.1f\n", filters[f].name, levels[l],
			       size, (now_ms() - t0) / 5);
			free(png);
		}
	free(rgba);
}

static void danang_parcels_map(void **state)
{
	struct parcels *p = parcels_load();
	double box[4], lonlat[4] = {108.2040, 16.0675, 108.2139, 16.0724};
	struct render_request req = {
		.crs = vn2000_crs_find("EPSG:3857"), .width = 1024,
		.height = 512, .transparent = true};
	struct render_canvas *canvas;
	unsigned char *png = NULL;
	size_t size = 0;
	struct image img;
	int odt = 0;
	double t0, t_draw, t_png;
	bool measure = getenv("VNSDI_RENDER_MEASURE") != NULL;

	(void)state;
	assert_true(p->n > 3000);
	transform_box("CRS:84", "EPSG:3857", lonlat, box);
	memcpy(req.bbox, box, sizeof(box));
	canvas = render_canvas_new(&req);
	assert_non_null(canvas);
	t0 = now_ms();
	assert_int_equal(render_canvas_draw_layer(canvas, &p->snap, NULL), 0);
	t_draw = now_ms() - t0;
	t0 = now_ms();
	assert_int_equal(render_canvas_encode(canvas, RENDER_PNG, &png, &size),
			 0);
	t_png = now_ms() - t0;
	image_decode(png, size, &img);
	for (size_t i = 0; i < (size_t)1024 * 512; i++)
		if (memcmp(img.rgba + 4 * i, "\xFF\xA0\xFF\xFF", 4) == 0)
			odt++;
	/* Most of Tân Chính is urban residential land (ODT). */
	assert_true(odt > 1024 * 512 / 10);
	if (measure) {
		FILE *fp = fopen("danang-parcels.png", "wb");

		if (fp != NULL) {
			fwrite(png, 1, size, fp);
			fclose(fp);
		}
		printf("%zu parcels, draw %.1f ms, default PNG %zu bytes "
		       "%.1f ms\n", p->n, t_draw, size, t_png);
		measure_png(canvas, 1024, 512);
	}
	free(img.rgba);
	free(png);
	render_canvas_free(canvas);
	parcels_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aerial_scene_in_place),
		cmocka_unit_test(nodata_becomes_transparent),
		cmocka_unit_test(float_scene_scaled_to_grey),
		cmocka_unit_test(danang_parcels_map),
	};
	int rc;

	render_gdal_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	vn2000_thread_cleanup();
	/* Free Cairo's font caches so leak checkers see only real leaks. */
	cairo_debug_reset_static_data();
	return rc;
}
