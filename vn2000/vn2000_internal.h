/*
 * vn2000 internals shared by the files of this folder only.
 */
#ifndef VNSDI_VN2000_INTERNAL_H
#define VNSDI_VN2000_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "vn2000/vn2000.h"

/*
 * Official VN-2000 to WGS 84 parameters of Decision 05/2007/QD-BTNMT, as
 * recorded in EPSG:6960 (method EPSG:9607, coordinate frame rotation):
 * translations in metres, rotations in arc seconds, scale in ppm.
 */
#define VN2000_HELMERT_STEP                                                  \
	"+proj=helmert +x=-191.90441429 +y=-39.30318279 +z=-111.45032835 "  \
	"+rx=-0.00928836 +ry=0.01975479 +rz=-0.00427372 +s=0.252906278 "    \
	"+convention=coordinate_frame"

/* WGS 84 ellipsoid (EPSG:7030), which VN-2000 also uses. */
#define VN2000_WGS84_A 6378137.0
#define VN2000_WGS84_INVF 298.257223563

/*
 * Register a custom CRS, or return the one already registered with the
 * same datum and definition. The strings are copied; the entry lives as
 * long as the process. `area` may be NULL (unknown). Returns NULL when out
 * of memory or when the registry is full. Thread-safe (one mutex, taken at
 * load time only).
 */
const struct vn2000_crs *vn2000_custom_register(const char *name,
						const char *proj_def,
						enum vn2000_datum datum,
						bool geographic,
						const double area[4],
						double central_meridian,
						double scale_factor);

/*
 * Write into `out` the pipeline step that goes from geographic radians on
 * the CRS's ellipsoid to the CRS (inverse == false) or back (inverse ==
 * true), built from proj_def with the tokens that have no meaning in a
 * pipeline step removed. Returns 0, or -1 when it does not fit.
 */
int vn2000_crs_step(const struct vn2000_crs *crs, bool inverse, char *out,
		    size_t out_size);

/*
 * Fill `box` (west, south, east, north in CRS84 degrees) with the region
 * where points of this CRS are worth transforming in a bounding box. For
 * VN-2000 CRSs this is the whole of Vietnam (EPSG extent 1252), not the
 * nominal zone, because 3-degree zones are used well beyond their province
 * lists. Returns false when no such region is known (custom CRSs without an
 * area of use).
 */
bool vn2000_crs_clip_region(const struct vn2000_crs *crs, double box[4]);

#endif
