/*
 * Raster layers: each kept imagery scene is warped by GDAL into the canvas
 * CRS and box (overviews used, alpha from nodata and masks) and composited
 * onto the Cairo surface in scene order. Dropped scenes are never opened:
 * the secrecy rules decide in layers, and this file only reads what they
 * kept.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

/*
 * The official VN-2000 to WGS 84 parameters (Decision 05/2007/QĐ-BTNMT,
 * EPSG:6960, coordinate frame rotations) in PROJ's position-vector
 * +towgs84 form: rotation signs flipped, scale in ppm. Without them GDAL
 * would pick its own operation, up to about 200 m off.
 */
#define VN2000_TOWGS84 \
	" +towgs84=-191.90441429,-39.30318279,-111.45032835," \
	"0.00928836,-0.01975479,0.00427372,0.252906278"

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;

static void gdal_register(void)
{
	GDALAllRegister();
}

void render_gdal_init(void)
{
	pthread_once(&gdal_once, gdal_register);
}

/* WKT of a catalogue CRS for GDAL, with the official datum shift for
   VN-2000. Returns a string to free with CPLFree(), or NULL. */
static char *raster_crs_wkt(const struct vn2000_crs *crs)
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	char proj[1024];
	char *wkt = NULL;
	int n;

	if (srs == NULL || crs->proj_def == NULL)
		goto done;
	n = snprintf(proj, sizeof(proj), "%s%s", crs->proj_def,
		     crs->datum == VN2000_DATUM_VN2000 &&
		     strstr(crs->proj_def, "+towgs84") == NULL ?
		     VN2000_TOWGS84 : "");
	if (n < 0 || (size_t)n >= sizeof(proj))
		goto done;
	if (OSRImportFromProj4(srs, proj) != OGRERR_NONE)
		goto done;
	if (OSRExportToWkt(srs, &wkt) != OGRERR_NONE) {
		CPLFree(wkt);
		wkt = NULL;
	}
done:
	if (srs != NULL)
		OSRDestroySpatialReference(srs);
	return wkt;
}

/* A 4-band RGBA MEM dataset over the canvas box. */
static GDALDatasetH raster_target(const struct render_canvas *canvas,
				  const char *wkt)
{
	GDALDriverH mem = GDALGetDriverByName("MEM");
	const double *b = canvas->req.bbox;
	double gt[6] = {b[0], (b[2] - b[0]) / canvas->req.width, 0,
			b[3], 0, -(b[3] - b[1]) / canvas->req.height};
	GDALDatasetH ds;

	if (mem == NULL)
		return NULL;
	ds = GDALCreate(mem, "", canvas->req.width, canvas->req.height, 4,
			GDT_Byte, NULL);
	if (ds == NULL)
		return NULL;
	GDALSetGeoTransform(ds, gt);
	GDALSetProjection(ds, wkt);
	GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, 4),
					 GCI_AlphaBand);
	return ds;
}

/* Colour bands of a source: 1 (grey) or 3 (RGB). */
static int raster_color_bands(GDALDatasetH ds)
{
	int n = GDALGetRasterCount(ds);

	if (n > 0 && GDALGetRasterColorInterpretation(
			     GDALGetRasterBand(ds, n)) == GCI_AlphaBand)
		n--;
	return n >= 3 ? 3 : 1;
}

/* Whether GDAL can warp the source straight into 8-bit RGBA. */
static bool raster_direct(GDALDatasetH ds)
{
	int n = GDALGetRasterCount(ds);
	GDALRasterBandH first = GDALGetRasterBand(ds, 1);
	bool alpha = GDALGetRasterColorInterpretation(
			     GDALGetRasterBand(ds, n)) == GCI_AlphaBand;

	if (GDALGetRasterDataType(first) != GDT_Byte ||
	    GDALGetRasterColorTable(first) != NULL)
		return false;
	return n - (alpha ? 1 : 0) == 1 || n - (alpha ? 1 : 0) == 3;
}

/*
 * Wrap a source that is not 8-bit grey or RGB in a VRT that is: the first
 * three bands (or the first one), palettes expanded, other data types
 * scaled from their min..max to 1..255 with 0 as nodata.
 */
static GDALDatasetH raster_to_byte(GDALDatasetH src)
{
	char **argv = NULL;
	GDALTranslateOptions *opts;
	GDALDatasetH out;
	GDALRasterBandH first = GDALGetRasterBand(src, 1);
	int n = GDALGetRasterCount(src);
	char num[64];

	argv = CSLAddString(argv, "-of");
	argv = CSLAddString(argv, "VRT");
	if (GDALGetRasterColorTable(first) != NULL) {
		argv = CSLAddString(argv, "-expand");
		argv = CSLAddString(argv, "rgba");
	} else {
		double minmax[2] = {0, 255};

		for (int b = 1; b <= (n >= 3 ? 3 : 1); b++) {
			argv = CSLAddString(argv, "-b");
			snprintf(num, sizeof(num), "%d", b);
			argv = CSLAddString(argv, num);
		}
		GDALComputeRasterMinMax(first, TRUE, minmax);
		argv = CSLAddString(argv, "-ot");
		argv = CSLAddString(argv, "Byte");
		argv = CSLAddString(argv, "-scale");
		snprintf(num, sizeof(num), "%.17g", minmax[0]);
		argv = CSLAddString(argv, num);
		snprintf(num, sizeof(num), "%.17g",
			 minmax[1] > minmax[0] ? minmax[1] : minmax[0] + 1);
		argv = CSLAddString(argv, num);
		argv = CSLAddString(argv, "1");
		argv = CSLAddString(argv, "255");
		argv = CSLAddString(argv, "-a_nodata");
		argv = CSLAddString(argv, "0");
	}
	opts = GDALTranslateOptionsNew(argv, NULL);
	CSLDestroy(argv);
	if (opts == NULL)
		return NULL;
	out = GDALTranslate("", src, opts, NULL);
	GDALTranslateOptionsFree(opts);
	return out;
}

/* The source CRS override for a VN-2000 scene, so that GDAL uses the
   official shift. Returns a CPLFree() string or NULL to keep the file's. */
static char *raster_source_wkt(GDALDatasetH src)
{
	OGRSpatialReferenceH srs = GDALGetSpatialRef(src);
	const struct vn2000_crs *crs;

	if (srs == NULL)
		return NULL;
	crs = vn2000_crs_identify(srs, NULL, 0, NULL, 0);
	if (crs == NULL || crs->datum != VN2000_DATUM_VN2000)
		return NULL;
	return raster_crs_wkt(crs);
}

/* GDAL progress callback of a warp: stop once the canvas's deadline has
   passed. */
static int CPL_STDCALL warp_progress(double done, const char *message,
				     void *canvas)
{
	(void)done;
	(void)message;
	return !render_deadline_passed(canvas);
}

static int raster_warp(struct render_canvas *canvas, GDALDatasetH src,
		       GDALDatasetH dst)
{
	char **argv = NULL;
	char *src_wkt = raster_source_wkt(src);
	GDALWarpAppOptions *opts;
	GDALDatasetH out;
	int usage_error = 0;

	argv = CSLAddString(argv, "-r");
	argv = CSLAddString(argv, "bilinear");
	argv = CSLAddString(argv, "-dstalpha");
	if (src_wkt != NULL) {
		argv = CSLAddString(argv, "-s_srs");
		argv = CSLAddString(argv, src_wkt);
		CPLFree(src_wkt);
	}
	opts = GDALWarpAppOptionsNew(argv, NULL);
	CSLDestroy(argv);
	if (opts == NULL)
		return -1;
	GDALWarpAppOptionsSetProgress(opts, warp_progress, canvas);
	out = GDALWarp(NULL, dst, 1, &src, opts, &usage_error);
	GDALWarpAppOptionsFree(opts);
	return out != NULL ? 0 : -1;
}

/* Paint the RGBA dataset over the canvas. `grey` copies band 1 to green
   and blue. */
static int raster_composite(struct render_canvas *canvas, GDALDatasetH dst,
			    bool grey)
{
	int w = canvas->req.width, h = canvas->req.height;
	cairo_surface_t *img = NULL;
	unsigned char *rgba = malloc((size_t)w * (size_t)h * 4);
	unsigned char *data;
	int stride, rc = -1;

	if (rgba == NULL)
		return -1;
	if (GDALDatasetRasterIO(dst, GF_Read, 0, 0, w, h, rgba, w, h,
				GDT_Byte, 4, NULL, 4, (GSpacing)w * 4, 1)
	    != CE_None)
		goto done;
	img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS)
		goto done;

	/* Straight RGBA bytes to premultiplied native-endian words. */
	data = cairo_image_surface_get_data(img);
	stride = cairo_image_surface_get_stride(img);
	for (int y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(data + (size_t)y * stride);
		const unsigned char *p = rgba + (size_t)y * w * 4;

		for (int x = 0; x < w; x++, p += 4) {
			unsigned a = p[3];
			unsigned r = p[0];
			unsigned g = grey ? p[0] : p[1];
			unsigned b = grey ? p[0] : p[2];

			row[x] = (a << 24) | (((r * a + 127) / 255) << 16) |
				 (((g * a + 127) / 255) << 8) |
				 ((b * a + 127) / 255);
		}
	}
	cairo_surface_mark_dirty(img);
	cairo_save(canvas->cr);
	cairo_set_source_surface(canvas->cr, img, 0, 0);
	cairo_paint(canvas->cr);
	cairo_restore(canvas->cr);
	rc = 0;
done:
	if (img != NULL)
		cairo_surface_destroy(img);
	free(rgba);
	return rc;
}

static int raster_draw_scene(struct render_canvas *canvas,
			     const struct scene *scene, const char *wkt)
{
	GDALDatasetH src = NULL, byte_src = NULL, dst = NULL;
	int rc = -1;

	src = GDALOpenEx(scene->path, GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR,
			 NULL, NULL, NULL);
	if (src == NULL || GDALGetRasterCount(src) == 0)
		goto done;
	if (!raster_direct(src)) {
		byte_src = raster_to_byte(src);
		if (byte_src == NULL)
			goto done;
	}
	dst = raster_target(canvas, wkt);
	if (dst == NULL)
		goto done;
	if (raster_warp(canvas, byte_src != NULL ? byte_src : src, dst) != 0)
		goto done;
	rc = raster_composite(canvas, dst,
			      raster_color_bands(byte_src != NULL ? byte_src
								   : src) == 1);
done:
	if (dst != NULL)
		GDALClose(dst);
	if (byte_src != NULL)
		GDALClose(byte_src);
	if (src != NULL)
		GDALClose(src);
	return rc;
}

static bool footprint_meets(const double a[4], const double b[4])
{
	return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

int render_raster_draw(struct render_canvas *canvas,
		       const struct layer_snapshot *snap)
{
	double box[4];
	char *wkt = NULL;
	int rc = 0;

	render_gdal_init();
	if (render_canvas_lonlat_box(canvas, 2.0, box) != 0)
		return 0;
	for (size_t i = 0; i < snap->n_scenes; i++) {
		const struct scene *scene = &snap->scenes[i];

		if (scene->dropped || scene->path == NULL ||
		    !footprint_meets(scene->footprint, box))
			continue;
		if (render_deadline_passed(canvas)) {
			rc = -1;
			break;
		}
		if (wkt == NULL) {
			wkt = raster_crs_wkt(canvas->req.crs);
			if (wkt == NULL)
				return -1;
		}
		if (raster_draw_scene(canvas, scene, wkt) != 0)
			rc = -1;
	}
	CPLFree(wkt);
	return rc;
}
