/*
 * server/output: features written through OGR (WKT, GML, FlatGeobuf and
 * GeoPackage files) and the streams that send large answers in chunks.
 *
 * Geometries are taken from a feature's storage geometry with coordinates
 * moved to an output CRS; the caller chooses the axis order.
 */
#ifndef VNSDI_SERVER_OUTPUT_H
#define VNSDI_SERVER_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include <ogr_api.h>

#include "server/http.h"

/* Largest download file (FlatGeobuf, GeoPackage) in bytes. */
#define OUTPUT_MAX_FILE ((long long)2 << 30)

/*
 * Coordinates of feature `f` of `snap` in `crs` (NULL: CRS84), x/y order,
 * swapped to latitude first when `lat_first`. Returns a malloc'ed array
 * of 2 * n_points doubles, or NULL when the feature has no point or a
 * point cannot be transformed (*failed set then).
 */
double *output_coords(const struct layer_snapshot *snap,
		      const struct feature *f, const struct vn2000_crs *crs,
		      bool lat_first, bool *failed);

/* An OGR geometry of `g` with coordinates `xy` (2 * g->n_points), or NULL
   for GEOM_NONE. The caller destroys it. */
OGRGeometryH output_ogr_geometry(const struct geom *g, const double *xy);

/* An OGR spatial reference of a catalogue CRS in x/y order, or NULL. The
   caller releases it with OSRRelease. */
OGRSpatialReferenceH output_ogr_srs(const struct vn2000_crs *crs);

enum output_file_format {
	OUTPUT_FILE_FGB,
	OUTPUT_FILE_GPKG
};

/* A feature source for output_file_write. */
struct output_source {
	const struct layer_snapshot *snap;
	const struct feature *const *features;
	size_t count;
	const bool *mask;                 /* attributes kept, NULL: all */
	enum cfg_role role;               /* hidden attributes are dropped */
	const struct vn2000_crs *crs;     /* output CRS, NULL: CRS84 */
};

/*
 * Write the features to a new file under `dir` with GDAL's driver, open
 * it, remove its name and return the open descriptor (so nothing is left
 * on disk whatever happens next), with the size in *size. Returns -1 on
 * failure with a reason in `error`.
 */
int output_file_write(const struct output_source *src,
		      enum output_file_format format, const char *dir,
		      long long *size, char *error, size_t error_size);

/* Send an open file descriptor as the body (closed when sent). */
void output_stream_fd(struct http_response *res, int status,
		      const char *content_type, int fd);

/*
 * A body produced in chunks: `head`, then write(i) for i in 0..count-1,
 * then `tail`. Each write appends one item to `sb`. The stream owns `arg`
 * and frees it with arg_free; it holds its own reference on `snap`.
 */
struct output_items {
	struct layer_snapshot *snap;
	const struct feature **features; /* owned by the stream */
	size_t count;
	char *head;                        /* owned */
	char *tail;                        /* owned */
	void (*write)(struct strbuf *sb, const struct feature *f, size_t i,
		      void *arg);
	void *arg;
	void (*arg_free)(void *arg);
};

/* Set the response to stream `items` (taken over, zeroed). Returns 0, or
   -1 when out of memory (items freed anyway). */
int output_stream_items(struct http_response *res, int status,
			const char *content_type, struct output_items *items);

#endif
