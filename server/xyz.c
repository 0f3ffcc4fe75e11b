/*
 * XYZ tiles at /tiles/{layer}/{z}/{x}/{y}.png in WebMercatorQuad (x is
 * the column, y the row from the top, as in WMTS), for web and mobile map
 * libraries. A tile outside the layer's limits, an unknown layer and a
 * zoom that is not a matrix of the layer are 404; a malformed x or y is
 * 400.
 * The optional `style` parameter picks a style; .jpg and .png8 ask for
 * JPEG and 8-bit PNG where the layer offers them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/wmts.h"

static const struct wmts_names xyz_names = {
	.layer = "layer",
	.style = "style",
	.format = "format",
	.set = "TileMatrixSet",
	.matrix = "z",
	.row = "y",
	.col = "x",
};

static void not_found(struct http_request *req, struct http_response *res)
{
	struct wmts_error err = {0};
	char shown[80];

	req_error_set(&err.err, REQ_NOT_FOUND, "",
		i18n_pick(req,
			  "Không có mảnh bản đồ tại \"%s\"; dùng "
			  "/tiles/{lớp}/{z}/{x}/{y}.png.",
			  "No tile at \"%s\"; use /tiles/{layer}/{z}/{x}/{y}.png."),
		req_value(req->path, shown, sizeof(shown)));
	err.status = 404;
	wmts_reply_error(req, res, &err);
}

static const char *format_of(const char *ext)
{
	if (strcmp(ext, "png") == 0)
		return "image/png";
	if (strcmp(ext, "png8") == 0)
		return "image/png; mode=8bit";
	if (strcmp(ext, "jpg") == 0 || strcmp(ext, "jpeg") == 0)
		return "image/jpeg";
	return NULL;
}

void xyz_handle(struct http_request *req, struct http_response *res)
{
	static const char prefix[] = "/tiles/";
	char *copy = NULL, *seg[4], *dot;
	struct wmts_tile_text text = {0};
	struct wmts_tile tile = {0};
	struct wmts_error err;
	int n = 0;

	res->endpoint = "tiles";
	if (strncmp(req->path, prefix, sizeof(prefix) - 1) != 0 ||
	    (copy = strdup(req->path + sizeof(prefix) - 1)) == NULL) {
		not_found(req, res);
		return;
	}
	for (char *p = copy; p != NULL && n < 4; n++) {
		char *slash = strchr(p, '/');

		seg[n] = p;
		if (slash != NULL)
			*slash = '\0';
		p = slash != NULL ? slash + 1 : NULL;
		if (n == 3 && p != NULL)
			n = 99;
	}
	dot = n == 4 ? strrchr(seg[3], '.') : NULL;
	if (dot == NULL || format_of(dot + 1) == NULL) {
		not_found(req, res);
		goto done;
	}
	*dot = '\0';
	text = (struct wmts_tile_text){
		.layer = seg[0], .style = http_param(req, "style"),
		.format = format_of(dot + 1), .set = "WebMercatorQuad",
		.matrix = seg[1], .col = seg[2], .row = seg[3],
	};
	if (wmts_tile_parse(req, &text, &xyz_names, &tile, &err) != 0) {
		/* Outside the layer's tiles, or no such layer: not found. */
		if (err.code == WMTS_CODE_TILE_OUT_OF_RANGE ||
		    err.err.kind == REQ_LAYER_NOT_DEFINED)
			err.status = 404;
		wmts_reply_error(req, res, &err);
		goto done;
	}
	wmts_tile_reply(req, res, &tile, http_header(req, "If-None-Match"));
done:
	wmts_tile_clear(&tile);
	free(copy);
}
