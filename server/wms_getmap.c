/*
 * WMS GetMap: every parameter is checked first, then the layers are drawn
 * in the order of LAYERS (the first at the bottom) and the image encoded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/wms.h"

/* Fill `err` for a canvas stopped at its deadline. Returns -1. */
static int timed_out(const struct wms_request *wr, struct req_error *err)
{
	return req_error_set(err, REQ_UNAVAILABLE, "",
		i18n_pick(wr->http,
			  "Vẽ bản đồ mất quá %d giây (limits.request_timeout) "
			  "nên đã dừng; hãy yêu cầu vùng nhỏ hơn, ảnh nhỏ hơn "
			  "hoặc ít lớp hơn.",
			  "Drawing the map took longer than %d seconds "
			  "(limits.request_timeout) and was stopped; request a "
			  "smaller area, a smaller image or fewer layers."),
		wr->cfg->limits.request_timeout);
}

/* Draw every layer of the map on the canvas. Returns 0 or -1 with err. */
static int draw_layers(const struct wms_request *wr, const struct wms_map *map,
		       struct render_canvas *canvas, struct req_error *err)
{
	const struct http_request *req = wr->http;

	for (size_t i = 0; i < map->n_layers; i++) {
		const struct layer_snapshot *snap = map->snaps[i];

		/* No response with imagery pixels may cover more ground than
		   imagery_max_km2: above it the imagery layer stays empty. */
		if (snap->cfg->kind == CFG_LAYER_RASTER &&
		    wms_imagery_too_large(wr->cfg, map->crs, map->bbox))
			continue;

		if (render_canvas_draw_layer(canvas, snap, map->styles[i]) == 0)
			continue;
		if (render_canvas_timed_out(canvas))
			return timed_out(wr, err);
		return req_error_set(err, REQ_INVALID_CRS,
			map->crs_param,
			i18n_pick(req,
				  "Không thể chuyển lớp \"%s\" sang hệ "
				  "tọa độ %s=\"%s\".",
				  "Layer \"%s\" cannot be transformed "
				  "to %s=\"%s\"."),
			snap->cfg->id, map->crs_param, map->crs->id);
	}
	return 0;
}

static int render_map(const struct wms_request *wr, const struct wms_map *map,
		      unsigned char **image, size_t *size,
		      struct req_error *err)
{
	struct render_request rr = {
		.crs = map->crs,
		.width = wr->width,
		.height = wr->height,
		.transparent = wr->transparent,
		.bgcolor = wr->bgcolor,
		.deadline = request_deadline(wr->cfg),
	};
	struct render_canvas *canvas = NULL;
	int rc = -1;

	memcpy(rr.bbox, map->bbox, sizeof(rr.bbox));
	canvas = render_canvas_new(&rr);
	if (canvas == NULL) {
		req_error_set(err, REQ_INTERNAL, "",
			      i18n_pick(wr->http, "Không thể tạo ảnh.",
					"The image could not be created."));
		goto cleanup;
	}
	if (draw_layers(wr, map, canvas, err) != 0)
		goto cleanup;
	if (render_canvas_encode(canvas, wr->format, image, size) != 0) {
		if (render_canvas_timed_out(canvas))
			timed_out(wr, err);
		else
			req_error_set(err, REQ_INTERNAL, "",
				      i18n_pick(wr->http,
						"Không thể mã hóa ảnh.",
						"The image could not be "
						"encoded."));
		goto cleanup;
	}
	rc = 0;

cleanup:
	render_canvas_free(canvas);
	return rc;
}

void wms_get_map(struct wms_request *wr, struct http_response *res)
{
	struct wms_map map = {0};
	struct req_error err = {0};
	unsigned char *image = NULL;
	size_t size = 0;

	if (wms_image_params_parse(wr, true, &err) != 0 ||
	    wms_map_parse(wr, &map, &err) != 0 ||
	    render_map(wr, &map, &image, &size, &err) != 0) {
		wms_map_clear(&map);
		wms_reply_error(wr, &err, res);
		return;
	}
	wms_map_clear(&map);

	http_response_take(res, 200, render_format_mime(wr->format),
			   (char *)image, size);
	/* TODO: GetMap images are not cached; with a cache keyed by layer
	   versions they could carry an ETag and a longer max-age. */
	http_response_header(res, "Cache-Control", "max-age=0, must-revalidate");
}
