/*
 * server/viewer: the map viewer at /viewer.
 *
 * The page and its bundle (built with OpenLayers and proj4 from
 * server/viewer/src into server/viewer/dist) are compiled into the binary:
 * a CMake step turns every file of server/viewer/dist into one entry of
 * viewer_assets[]. Besides the files, the handler serves two small JSON
 * documents built from the running server:
 *
 *   /viewer/config.json   the imagery footprint limit, the feature limit
 *                         and the VN-2000 CRS catalogue as proj4 strings
 *   /viewer/landuse.json  Vietnamese and English names of land-use codes
 *                         (?codes=ODT,CLN)
 */
#ifndef VNSDI_SERVER_VIEWER_H
#define VNSDI_SERVER_VIEWER_H

#include <stddef.h>

#include "server/http.h"
#include "vn2000/vn2000.h"

/* One file of the built viewer, embedded at build time. */
struct viewer_asset {
	const char *name;         /* path below /viewer/, "index.html" */
	const char *content_type; /* static string */
	const unsigned char *data;
	size_t size;
};

/* The embedded files, generated from server/viewer/dist by
   server/viewer/embed.cmake. Immutable, live as long as the process. */
extern const struct viewer_asset viewer_assets[];
extern const size_t viewer_asset_count;

/*
 * Serve /viewer and everything below it. "/viewer" without the final slash
 * is redirected to "viewer/" (a relative Location), so the page's relative
 * URLs resolve below /viewer/ and the API paths one level up, behind a
 * reverse proxy's path prefix too.
 */
void viewer_handle(struct http_request *req, struct http_response *res);

/*
 * Write the proj4 definition of a catalogue CRS into `out`: the catalogue's
 * PROJ string, plus "+towgs84=" for VN-2000 CRSs. The seven parameters are
 * read from the catalogue's own VN-2000 to WGS 84 pipeline and converted to
 * the position vector convention that proj4 uses. Returns 0, or -1 when the
 * definition does not fit in `size` bytes or the pipeline cannot be read.
 */
int viewer_proj4_def(const struct vn2000_crs *crs, char *out, size_t size);

/* Internal to server/viewer*.c: replies with a problem document. */
void viewer_reply_not_found(struct http_request *req,
			    struct http_response *res);
/* Internal to server/viewer*.c: /viewer/config.json. */
void viewer_reply_config(struct http_request *req, struct http_response *res);
/* Internal to server/viewer*.c: /viewer/landuse.json?codes=A,B. */
void viewer_reply_landuse(struct http_request *req, struct http_response *res);

#endif
