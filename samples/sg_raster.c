/*
 * Synthetic imagery: two 1 m orthoimages painted from the parcels (roofs,
 * gardens, ponds, roads) and one coarse 100 m scene of the delta around the
 * city, large enough that the server's secrecy rule must drop it. Nothing
 * here comes from real imagery; every pixel is a function of the plan and
 * fixed-seed hashes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>
#include <gdal_alg.h>
#include <ogr_srs_api.h>

#include "samples/samplegen.h"

#define SG_ORTHO_SIZE 1024
#define SG_ORTHO_RES 1.0
#define SG_OVERVIEW_SIZE 256
#define SG_OVERVIEW_RES 100.0

enum sg_texture { SG_TEX_ROOF, SG_TEX_TREES, SG_TEX_FIELD, SG_TEX_WATER,
		  SG_TEX_ROAD };

struct sg_paint {
	unsigned char rgb[3];
	enum sg_texture texture;
};

/* Colour of a parcel by its land use, varied per parcel. */
static struct sg_paint sg_parcel_paint(const struct sg_parcel *p)
{
	static const unsigned char roofs[][3] = {
		{ 168, 84, 60 }, { 140, 60, 50 }, { 150, 152, 156 },
		{ 80, 105, 140 }, { 200, 196, 186 },
	};
	struct sg_paint paint = { { 190, 190, 192 }, SG_TEX_ROOF };
	double h = sg_hash01(0xC0104ull, p->id, 0);
	const char *u = p->use;

	if (!strncmp(u, "ODT", 3) || !strncmp(u, "ONT", 3))
		memcpy(paint.rgb, roofs[(int)(h * 5) % 5], 3);
	else if (!strncmp(u, "TMD", 3))
		memcpy(paint.rgb, h < 0.5 ? (unsigned char[]){ 190, 190, 192 }
					  : (unsigned char[]){ 100, 130, 160 },
		       3);
	else if (!strncmp(u, "SKC", 3))
		memcpy(paint.rgb, (unsigned char[]){ 165, 168, 170 }, 3);
	else if (!strncmp(u, "DGD", 3))
		memcpy(paint.rgb, (unsigned char[]){ 190, 120, 70 }, 3);
	else if (!strncmp(u, "DYT", 3))
		memcpy(paint.rgb, (unsigned char[]){ 215, 215, 210 }, 3);
	else if (!strncmp(u, "TON", 3) || !strncmp(u, "DVH", 3))
		memcpy(paint.rgb, (unsigned char[]){ 175, 95, 45 }, 3);
	else if (!strncmp(u, "CLN", 3))
		paint = (struct sg_paint){ { 58, 95, 48 }, SG_TEX_TREES };
	else if (!strncmp(u, "LUK", 3))
		paint = (struct sg_paint){ { 120, 160, 70 }, SG_TEX_FIELD };
	else if (!strncmp(u, "NTS", 3))
		paint = (struct sg_paint){ { 60, 95, 90 }, SG_TEX_WATER };
	else if (!strncmp(u, "DGT", 3))
		paint = (struct sg_paint){ { 95, 95, 92 }, SG_TEX_ROAD };
	return paint;
}

/* Noise added to one pixel: tree crowns are blotchy, water is smooth. */
static double sg_texture_noise(enum sg_texture t, uint64_t seed, int x, int y)
{
	double fine = sg_hash01(seed, x, y) - 0.5;
	double coarse = sg_hash01(seed + 1, x / 3, y / 3) - 0.5;
	switch (t) {
	case SG_TEX_TREES:
		return 50.0 * coarse + 12.0 * fine;
	case SG_TEX_FIELD:
		return 8.0 * coarse + 6.0 * fine;
	case SG_TEX_WATER:
		return 4.0 * fine;
	case SG_TEX_ROAD:
		return 8.0 * fine;
	default:
		return 10.0 * fine;
	}
}

static unsigned char sg_clamp_byte(double v)
{
	return (unsigned char)lround(fmin(fmax(v, 0.0), 255.0));
}

/* Burn parcel index + 1 into an Int32 grid (0 where there is none). */
static int32_t *sg_parcel_grid(const struct sg_plan *plan,
			       const double gt[6], int size)
{
	GDALDriverH mem = GDALGetDriverByName("MEM");
	GDALDatasetH ds = GDALCreate(mem, "", size, size, 1, GDT_Int32, NULL);
	int32_t *grid = NULL;
	OGRGeometryH *geoms = malloc(plan->n_parcels * sizeof(*geoms));
	double *burn = malloc(plan->n_parcels * sizeof(*burn));
	int band = 1;

	if (!ds || !geoms || !burn)
		goto cleanup;
	GDALSetGeoTransform(ds, (double *)gt);
	for (size_t i = 0; i < plan->n_parcels; i++) {
		geoms[i] = plan->parcels[i].geom;
		burn[i] = (double)(i + 1);
	}
	if (GDALRasterizeGeometries(ds, 1, &band, (int)plan->n_parcels, geoms,
				    NULL, NULL, burn, NULL, NULL,
				    NULL) != CE_None)
		goto cleanup;
	grid = malloc((size_t)size * size * sizeof(*grid));
	if (grid &&
	    GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, size, size,
			 grid, size, size, GDT_Int32, 0, 0) != CE_None) {
		free(grid);
		grid = NULL;
	}

cleanup:
	if (ds)
		GDALClose(ds);
	free(geoms);
	free(burn);
	return grid;
}

/*
 * Write an RGB GeoTIFF in EPSG:5897: tiled, deflate, with overviews.
 * rgb contains three planes of size * size bytes.
 */
static int sg_geotiff_write(const char *path, const double gt[6], int size,
			    unsigned char *rgb, bool overviews)
{
	char **options = NULL;
	options = CSLSetNameValue(options, "TILED", "YES");
	options = CSLSetNameValue(options, "COMPRESS", "DEFLATE");
	options = CSLSetNameValue(options, "PREDICTOR", "2");
	options = CSLSetNameValue(options, "PHOTOMETRIC", "RGB");

	GDALDriverH gtiff = GDALGetDriverByName("GTiff");
	GDALDatasetH ds = GDALCreate(gtiff, path, size, size, 3, GDT_Byte,
				     options);
	CSLDestroy(options);
	if (!ds) {
		fprintf(stderr, "samplegen: cannot create %s: %s\n", path,
			CPLGetLastErrorMsg());
		return -1;
	}

	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(srs, SG_EPSG);
	GDALSetSpatialRef(ds, srs);
	OSRDestroySpatialReference(srs);
	GDALSetGeoTransform(ds, (double *)gt);
	int bands[3] = { 1, 2, 3 };
	CPLErr err = GDALDatasetRasterIO(ds, GF_Write, 0, 0, size, size, rgb,
					 size, size, GDT_Byte, 3, bands, 0, 0,
					 0);
	GDALClose(ds);
	if (err != CE_None)
		return -1;
	if (!overviews)
		return 0;

	int levels[3] = { 2, 4, 8 };
	ds = GDALOpen(path, GA_Update);
	if (!ds)
		return -1;
	CPLSetConfigOption("COMPRESS_OVERVIEW", "DEFLATE");
	err = GDALBuildOverviews(ds, "AVERAGE", 3, levels, 0, NULL, NULL,
				 NULL);
	CPLSetConfigOption("COMPRESS_OVERVIEW", NULL);
	GDALClose(ds);
	return err == CE_None ? 0 : -1;
}

/* One orthoimage with its top-left corner at (e0, n0). */
static int sg_ortho_write(const char *path, const struct sg_plan *plan,
			  double e0, double n0, uint64_t seed)
{
	const int size = SG_ORTHO_SIZE;
	const size_t plane = (size_t)size * size;
	double gt[6] = { e0, SG_ORTHO_RES, 0, n0, 0, -SG_ORTHO_RES };
	int32_t *grid = sg_parcel_grid(plan, gt, size);
	unsigned char *rgb = malloc(3 * plane);
	int rc = -1;

	if (!grid || !rgb)
		goto cleanup;
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++) {
			size_t at = (size_t)y * size + x;
			struct sg_paint paint = {
				{ 105, 125, 70 }, SG_TEX_TREES
			};
			if (grid[at] > 0)
				paint = sg_parcel_paint(
					&plan->parcels[grid[at] - 1]);
			double shade = sg_texture_noise(paint.texture, seed,
							x + (int)e0,
							y - (int)n0);
			for (int b = 0; b < 3; b++)
				rgb[b * plane + at] =
					sg_clamp_byte(paint.rgb[b] + shade);
		}
	rc = sg_geotiff_write(path, gt, size, rgb, true);

cleanup:
	free(grid);
	free(rgb);
	return rc;
}

/* Distance in metres from (x, y) to the segment a-b. */
static double sg_segment_distance(double x, double y, double ax, double ay,
				  double bx, double by)
{
	double dx = bx - ax, dy = by - ay;
	double t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
	t = fmin(fmax(t, 0.0), 1.0);
	return hypot(x - ax - t * dx, y - ay - t * dy);
}

/*
 * Colour of the delta at offset (x, y) metres from the sample's centre: a
 * wide river to the north-east flowing south-east, a tributary joining it,
 * the city around the centre and rice fields cut by canals elsewhere.
 */
static struct sg_paint sg_delta_paint(double x, double y)
{
	static const unsigned char rice[][3] = {
		{ 110, 170, 60 }, { 150, 175, 70 }, { 185, 170, 90 },
		{ 135, 115, 80 },
	};
	double along = x * 0.8 - y * 0.6;
	double across = x * 0.6 + y * 0.8 - 3500.0 - 700.0 * sin(along / 6000.0);
	if (fabs(across) < 750.0)
		return (struct sg_paint){ { 150, 125, 85 }, SG_TEX_WATER };
	if (sg_segment_distance(x, y, -12000, -9000, 1500, 2500) < 120.0)
		return (struct sg_paint){ { 140, 120, 85 }, SG_TEX_WATER };

	double r = hypot(x, y) + 900.0 * (sg_hash01(7, (int)(x / 800),
						    (int)(y / 800)) - 0.5);
	if (r < 4500.0 && across < 0)
		return (struct sg_paint){ { 150, 140, 130 }, SG_TEX_ROOF };

	/* Canals every 1.2 km, fields of 300 m x 150 m between them. */
	if (fmod(fabs(x + 20000.0), 1200.0) < 60.0 ||
	    fmod(fabs(y + 20000.0), 1200.0) < 60.0)
		return (struct sg_paint){ { 90, 110, 95 }, SG_TEX_WATER };
	double h = sg_hash01(11, (int64_t)floor(x / 300.0),
			     (int64_t)floor(y / 150.0));
	struct sg_paint p = { { 0, 0, 0 }, SG_TEX_FIELD };
	memcpy(p.rgb, rice[(int)(h * 4) % 4], 3);
	return p;
}

/* A coarse scene of about 25.6 km x 25.6 km, more than 200 km². */
static int sg_overview_write(const char *path)
{
	const int size = SG_OVERVIEW_SIZE;
	const size_t plane = (size_t)size * size;
	const double half = size * SG_OVERVIEW_RES / 2;
	double gt[6] = { SG_CENTRE_E - half, SG_OVERVIEW_RES, 0,
			 SG_CENTRE_N + half, 0, -SG_OVERVIEW_RES };
	unsigned char *rgb = malloc(3 * plane);
	if (!rgb)
		return -1;

	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++) {
			double dx = (x + 0.5) * SG_OVERVIEW_RES - half;
			double dy = half - (y + 0.5) * SG_OVERVIEW_RES;
			struct sg_paint p = sg_delta_paint(dx, dy);
			double shade = sg_texture_noise(p.texture, 0x0DE17Aull,
							x, y);
			for (int b = 0; b < 3; b++)
				rgb[b * plane + (size_t)y * size + x] =
					sg_clamp_byte(p.rgb[b] + shade);
		}
	int rc = sg_geotiff_write(path, gt, size, rgb, false);
	free(rgb);
	return rc;
}

int sg_write_imagery(const char *dir, const struct sg_plan *plan)
{
	char path[4096];

	/*
	 * The server drops a scene that touches a restricted area whole, so
	 * both orthoimages keep clear of the one near the centre.
	 */
	snprintf(path, sizeof(path), "%s/ninhkieu_ortho_a.tif", dir);
	if (sg_ortho_write(path, plan, 585150.0, 1110724.0, 0xA11Aull) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/ninhkieu_ortho_b.tif", dir);
	if (sg_ortho_write(path, plan, 586400.0, 1109600.0, 0xA11Aull) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/mekong_overview.tif", dir);
	return sg_overview_write(path);
}
