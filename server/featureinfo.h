/*
 * server/featureinfo: "the features at this pixel of a map", shared by WMS
 * GetFeatureInfo (1.1.1 and 1.3.0) and WMTS GetFeatureInfo, so both
 * services find the same features and write them the same way.
 *
 * The pixel centre grows into a square of ±buffer pixels in the map CRS,
 * moved to CRS84; a feature is found when its geometry meets that square
 * (GEOS prepared geometry). Features come nearest to the clicked point
 * first, then by feature id, at most feature_count per layer. Attributes
 * the request's role may not read are left out of every format.
 */
#ifndef VNSDI_SERVER_FEATUREINFO_H
#define VNSDI_SERVER_FEATUREINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "server/wms.h"

/* Default and largest tolerance, in pixels (BUFFER). */
#define FEATUREINFO_BUFFER_DEFAULT 3
#define FEATUREINFO_BUFFER_MAX 100

struct featureinfo_query {
	struct layer_snapshot *const *layers; /* vector layers, borrowed */
	size_t n_layers;                      /* at most WMS_MAX_LAYERS */
	const struct vn2000_crs *crs;         /* the map CRS */
	double bbox[4];       /* map box in x/y order: minx, miny, maxx, maxy */
	int width, height;    /* map size in pixels */
	long i, j;            /* clicked pixel: column, row from the top */
	int buffer;           /* tolerance in pixels */
	long feature_count;   /* per layer, >= 1 */
	enum wms_info_format format;
	bool axis_order;      /* GeoJSON and GML coordinates in the CRS's own
				 axis order (WMS 1.3.0, WMTS); false: x/y */
	bool gml32;           /* GML 3.2 (WMS 1.3.0, WMTS); false: GML 2 */
};

/*
 * Answer a query in q->format. Returns 0 with a malloc'ed body of *size
 * bytes, or -1 with `err` set (the point is outside the CRS's area of use:
 * an invalid BBOX; or an internal failure).
 */
int featureinfo_answer(const struct http_request *req,
		       const struct featureinfo_query *q, char **body,
		       size_t *size, struct req_error *err);

/* Write found features (wms_info_output.c). Returns 0 or -1. */
int featureinfo_write(const struct http_request *req,
		      const struct wms_info *info, bool axis_order,
		      bool gml32, char **body, size_t *size);

#endif
