/*
 * Loading an imagery layer: the footprint and ground area of each scene,
 * and the drops that state-secret rules require.
 *
 * Aerial and satellite images covering more than 200 km² are state secrets
 * (Circular 29/2013/TT-BCA, list of state secrets of the natural resources
 * and environment sector), and so is survey data of areas classified for
 * protection. A scene over the configured limit, or touching a restricted
 * area, is dropped whole: it stays in the snapshot only as a record of the
 * drop, and nothing reads its pixels.
 *
 * NOTE: the footprint is the box of the raster's geotransform corners, not
 * the outline of its valid pixels, so a scene inside a nodata frame (a
 * tilted satellite scene) is counted larger than the ground it shows. That
 * errs on the safe side for a secrecy rule: a larger footprint can only
 * drop more scenes, never let a secret one through, and it does not depend
 * on nodata values that a file may declare wrongly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>

#include "layers/layers_internal.h"
#include "layers/secrecy.h"

/* Points per edge when the corner box is carried into CRS84. */
#define RASTER_EDGE_POINTS 21

struct raster_load {
	const struct cfg *cfg;
	const struct cfg_layer *layer;
	const struct restricted_set *restricted;
	struct layer_snapshot *snap;
	struct cfg_errors *errors;
	double max_km2;
};

/*
 * Write `v` for people: thousands grouped by `sep` for 100 and more, two
 * decimals with `point` below that.
 */
static void format_number(double v, char sep, char point, char *out,
			  size_t size)
{
	char digits[32];
	size_t n, used = 0;

	if (v < 100) {
		snprintf(out, size, "%.2f", v);
		char *dot = strchr(out, '.');
		if (dot != NULL)
			*dot = point;
		return;
	}
	snprintf(digits, sizeof(digits), "%.0f", v);
	n = strlen(digits);
	for (size_t i = 0; i < n && used + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[used++] = sep;
		out[used++] = digits[i];
	}
	out[used] = '\0';
}

static char *reason_area(double area, double max)
{
	char a_vi[32], a_en[32], m_vi[32], m_en[32], buf[256];

	format_number(area, ' ', ',', a_vi, sizeof(a_vi));
	format_number(area, ',', '.', a_en, sizeof(a_en));
	format_number(max, ' ', ',', m_vi, sizeof(m_vi));
	format_number(max, ',', '.', m_en, sizeof(m_en));
	snprintf(buf, sizeof(buf), "diện tích phủ %s km² > %s km² (bí mật nhà "
		 "nước) / coverage %s km² > %s km² (state secret)", a_vi, m_vi,
		 a_en, m_en);
	return strdup(buf);
}

/* The reason of a drop by a restricted area, with its reason code. */
static char *reason_restricted(const struct restricted_set *set,
			       const double footprint[4])
{
	const char *code = restricted_set_reason_box(set, footprint);
	char buf[256];

	if (code == NULL || code[0] == '\0')
		code = "-";
	snprintf(buf, sizeof(buf), "giao với khu vực hạn chế, mã lý do %.40s "
		 "(bí mật nhà nước) / touches a restricted area, reason code "
		 "%.40s (state secret)", code, code);
	return strdup(buf);
}

/* Box of the four geotransform corners in the scene's CRS. */
static void corner_box(const double gt[6], int w, int h, double box[4])
{
	const double px[4] = { 0, w, 0, w }, py[4] = { 0, 0, h, h };
	bool empty = true;

	for (int i = 0; i < 4; i++) {
		double x = gt[0] + px[i] * gt[1] + py[i] * gt[2];
		double y = gt[3] + px[i] * gt[4] + py[i] * gt[5];
		double pt[4] = { x, y, x, y };
		geom_box_union(box, &empty, pt);
	}
}

/*
 * CRS84 box of the densified edges of `native`. Unlike
 * vn2000_transform_bbox this never clips to the CRS's area of use, which
 * would shrink the footprint of a scene that reaches beyond its zone and
 * so under-count its area. Returns -1 when any point fails.
 */
static int footprint_lonlat(const struct vn2000_crs *crs,
			    const double native[4], double out[4])
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	struct vn2000_transform *tr;
	double xy[8 * RASTER_EDGE_POINTS];
	size_t n = 0;
	bool empty = true;

	if (crs84 == NULL)
		return -1;
	if (crs == crs84) {
		memcpy(out, native, 4 * sizeof(double));
		return 0;
	}
	tr = vn2000_transform_get(crs, crs84);
	if (tr == NULL)
		return -1;
	for (int i = 0; i < RASTER_EDGE_POINTS; i++) {
		double t = (double)i / (RASTER_EDGE_POINTS - 1);
		double x = native[0] + t * (native[2] - native[0]);
		double y = native[1] + t * (native[3] - native[1]);
		double edge[8] = { x, native[1], x, native[3],
				   native[0], y, native[2], y };
		memcpy(xy + 2 * n, edge, sizeof(edge));
		n += 4;
	}
	if (vn2000_transform_xy(tr, xy, n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		double pt[4] = { xy[2 * i], xy[2 * i + 1], xy[2 * i],
				 xy[2 * i + 1] };
		if (!isfinite(pt[0]) || !isfinite(pt[1]))
			return -1;
		geom_box_union(out, &empty, pt);
	}
	return 0;
}

/* Open a scene and read its size, CRS and native box. */
static int scene_open(struct raster_load *r, const struct cfg_scene *cs,
		      struct scene *s)
{
	const struct cfg_layer *l = r->layer;
	const char *file = r->cfg->path;
	int line = cs->line ? cs->line : l->line;
	char note[256], reason[512] = "";
	double gt[6];
	GDALDatasetH ds = NULL;
	int rc = -1;

	if (layer_path_is_special(cs->path)) {
		LAYER_ERROR(r->errors, file, line,
			    "lớp %s: ảnh %s không phải tệp thông thường",
			    "layer %s: scene %s is not a regular file",
			    l->id, cs->path);
		return -1;
	}
	ds = GDALOpenEx(cs->path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL,
			NULL, NULL);
	if (ds == NULL) {
		LAYER_ERROR(r->errors, file, line,
			    "lớp %s: không mở được ảnh %s: %s",
			    "layer %s: cannot open scene %s: %s", l->id,
			    cs->path, CPLGetLastErrorMsg());
		return -1;
	}
	s->width = GDALGetRasterXSize(ds);
	s->height = GDALGetRasterYSize(ds);
	if (GDALGetGeoTransform(ds, gt) != CE_None) {
		LAYER_ERROR(r->errors, file, line,
			    "lớp %s: ảnh %s không có georeference",
			    "layer %s: scene %s has no georeferencing",
			    l->id, cs->path);
		goto cleanup;
	}
	s->crs = l->crs ? vn2000_crs_find(l->crs)
			: vn2000_crs_identify(GDALGetSpatialRef(ds), note,
					      sizeof(note), reason,
					      sizeof(reason));
	if (s->crs == NULL) {
		LAYER_ERROR(r->errors, file, line,
			    "lớp %s: ảnh %s: không xác định được hệ tọa độ "
			    "(%s); khai báo crs: EPSG:NNNN trong lớp",
			    "layer %s: scene %s: no usable CRS (%s); declare "
			    "crs: EPSG:NNNN in the layer",
			    l->id, cs->path, reason);
		goto cleanup;
	}
	corner_box(gt, s->width, s->height, s->native_bbox);
	rc = 0;
cleanup:
	GDALClose(ds);
	return rc;
}

/* Decide whether a scene is served; fill its footprint and area. */
static int scene_judge(struct raster_load *r, const struct cfg_scene *cs,
		       struct scene *s)
{
	const struct cfg_layer *l = r->layer;

	if (footprint_lonlat(s->crs, s->native_bbox, s->footprint) != 0) {
		LAYER_ERROR(r->errors, r->cfg->path,
			    cs->line ? cs->line : l->line,
			    "lớp %s: không tính được vùng phủ của ảnh %s trong "
			    "CRS84",
			    "layer %s: the footprint of scene %s cannot be "
			    "computed in CRS84",
			    l->id, cs->path);
		return -1;
	}
	s->area_km2 = secrecy_box_area_km2(s->footprint);
	/* An area that cannot be measured (negative) is dropped too. */
	if (!(s->area_km2 >= 0 && s->area_km2 <= r->max_km2)) {
		s->dropped = true;
		s->drop_reason = reason_area(s->area_km2, r->max_km2);
		r->snap->n_dropped_footprint++;
	} else if (restricted_set_hits_box(r->restricted, s->footprint)) {
		s->dropped = true;
		s->drop_reason = reason_restricted(r->restricted,
						   s->footprint);
		r->snap->n_dropped_restricted++;
	}
	if (s->dropped && s->drop_reason == NULL)
		return -1;
	if (s->dropped)
		fprintf(stderr, "layers: layer=%s scene=%s dropped: %s\n",
			l->id, s->path, s->drop_reason);
	return 0;
}

/* The layer's CRS (declared, else CRS84) and extents of kept scenes. */
static int raster_extent(struct raster_load *r)
{
	struct layer_snapshot *snap = r->snap;
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	bool empty = true;

	snap->crs = r->layer->crs ? vn2000_crs_find(r->layer->crs) : crs84;
	if (snap->crs == NULL)
		return -1;
	for (size_t i = 0; i < snap->n_scenes; i++)
		if (!snap->scenes[i].dropped)
			geom_box_union(snap->extent, &empty,
				       snap->scenes[i].footprint);
	snap->empty = empty;
	if (empty || snap->crs == crs84) {
		memcpy(snap->native_extent, snap->extent, sizeof(snap->extent));
		return 0;
	}
	struct vn2000_transform *tr = vn2000_transform_get(crs84, snap->crs);
	if (tr == NULL || vn2000_transform_bbox(tr, snap->extent,
						snap->native_extent,
						RASTER_EDGE_POINTS) != 0)
		return -1;
	return 0;
}

int layer_raster_load(const struct cfg *cfg, const struct cfg_layer *layer,
		      const struct restricted_set *restricted,
		      struct layer_snapshot *snap, struct cfg_errors *errors)
{
	struct raster_load r = { cfg, layer, restricted, snap, errors,
				 secrecy_max_km2(cfg) };
	int rc = 0;

	snap->scenes = calloc(layer->n_scenes + 1, sizeof(*snap->scenes));
	if (snap->scenes == NULL)
		return -1;
	CPLPushErrorHandler(CPLQuietErrorHandler);
	for (size_t i = 0; i < layer->n_scenes; i++) {
		const struct cfg_scene *cs = &layer->scenes[i];
		struct scene *s = &snap->scenes[snap->n_scenes];
		s->path = strdup(cs->path);
		if (s->path == NULL)
			rc = -1;
		snap->n_scenes++;
		if (s->path == NULL || scene_open(&r, cs, s) != 0 ||
		    scene_judge(&r, cs, s) != 0)
			rc = -1;
	}
	CPLPopErrorHandler();
	if (rc == 0 && raster_extent(&r) != 0) {
		LAYER_ERROR(errors, cfg->path, layer->line,
			    "lớp %s: không tính được phạm vi của lớp ảnh",
			    "layer %s: the extent of the imagery layer cannot "
			    "be computed", layer->id);
		rc = -1;
	}
	return rc;
}
