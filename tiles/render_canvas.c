/*
 * Canvases: a Cairo ARGB32 image surface over one box of one CRS, with the
 * affine map from world coordinates (x right, y up) to pixels.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

const struct cfg_style render_default_style = {
	.name = "default",
	.title_vi = "Mặc định",
	.title_en = "Default",
	.fill_by = NULL,
	.fill = 0xFFFFFF80,
	.stroke = 0x000000FF,
	.stroke_width = 1.0,
	.point_radius = 3.0,
	.label = NULL,
};

static bool canvas_request_valid(const struct render_request *req)
{
	if (req == NULL || req->crs == NULL)
		return false;
	if (req->width <= 0 || req->height <= 0 ||
	    req->width > RENDER_MAX_SIDE || req->height > RENDER_MAX_SIDE)
		return false;
	/* The caller checked the configured maximum; this guards the
	   byte count of the surface. */
	if ((size_t)req->width > SIZE_MAX / 4 / (size_t)req->height)
		return false;
	for (int i = 0; i < 4; i++)
		if (!isfinite(req->bbox[i]))
			return false;
	return req->bbox[0] < req->bbox[2] && req->bbox[1] < req->bbox[3];
}

double render_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool render_canvas_timed_out(const struct render_canvas *canvas)
{
	return canvas != NULL && canvas->timed_out;
}

struct render_canvas *render_canvas_new(const struct render_request *req)
{
	struct render_canvas *canvas = NULL;

	if (!canvas_request_valid(req))
		return NULL;
	canvas = calloc(1, sizeof(*canvas));
	if (canvas == NULL)
		return NULL;
	canvas->req = *req;
	canvas->scale_x = req->width / (req->bbox[2] - req->bbox[0]);
	canvas->scale_y = req->height / (req->bbox[3] - req->bbox[1]);
	if (!isfinite(canvas->scale_x) || !isfinite(canvas->scale_y))
		goto fail;

	canvas->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
						     req->width, req->height);
	if (cairo_surface_status(canvas->surface) != CAIRO_STATUS_SUCCESS)
		goto fail;
	canvas->cr = cairo_create(canvas->surface);
	if (cairo_status(canvas->cr) != CAIRO_STATUS_SUCCESS)
		goto fail;
	cairo_set_antialias(canvas->cr, CAIRO_ANTIALIAS_DEFAULT);

	/* A new image surface is transparent black; paint the background. */
	if (!req->transparent) {
		cairo_set_source_rgb(canvas->cr,
				     ((req->bgcolor >> 16) & 0xFF) / 255.0,
				     ((req->bgcolor >> 8) & 0xFF) / 255.0,
				     (req->bgcolor & 0xFF) / 255.0);
		cairo_paint(canvas->cr);
	}
	return canvas;

fail:
	render_canvas_free(canvas);
	return NULL;
}

void render_canvas_free(struct render_canvas *canvas)
{
	if (canvas == NULL)
		return;
	if (canvas->cr != NULL)
		cairo_destroy(canvas->cr);
	if (canvas->surface != NULL)
		cairo_surface_destroy(canvas->surface);
	free(canvas);
}

const struct cfg_style *render_style_find(const struct layer_snapshot *snap,
					  const char *name)
{
	const struct cfg_layer *layer = snap != NULL ? snap->cfg : NULL;

	if (layer == NULL || layer->n_styles == 0)
		return &render_default_style;
	if (name == NULL || name[0] == '\0')
		return &layer->styles[0];
	for (size_t i = 0; i < layer->n_styles; i++)
		if (layer->styles[i].name != NULL &&
		    strcmp(layer->styles[i].name, name) == 0)
			return &layer->styles[i];
	/* The caller checked the name; fall back rather than draw nothing. */
	return &layer->styles[0];
}

int render_canvas_lonlat_box(const struct render_canvas *canvas,
			     double margin_px, double box[4])
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	struct vn2000_transform *tr;
	double in[4];
	double mx = margin_px / canvas->scale_x;
	double my = margin_px / canvas->scale_y;

	in[0] = canvas->req.bbox[0] - mx;
	in[1] = canvas->req.bbox[1] - my;
	in[2] = canvas->req.bbox[2] + mx;
	in[3] = canvas->req.bbox[3] + my;
	if (crs84 == NULL)
		return -1;
	if (canvas->req.crs == crs84) {
		memcpy(box, in, sizeof(in));
		return 0;
	}
	tr = vn2000_transform_get(canvas->req.crs, crs84);
	if (tr == NULL)
		return -1;
	return vn2000_transform_bbox(tr, in, box, 21);
}

int render_canvas_draw_layer(struct render_canvas *canvas,
			     const struct layer_snapshot *snap,
			     const char *style)
{
	if (canvas == NULL || snap == NULL || render_deadline_passed(canvas))
		return -1;
	if (snap->cfg != NULL && snap->cfg->kind == CFG_LAYER_RASTER)
		return render_raster_draw(canvas, snap);
	return render_vector_draw(canvas, snap,
				  render_style_find(snap, style));
}
