/*
 * vn2000: the catalogue of coordinate reference systems that vnsdi knows and
 * the transformations between them.
 *
 * Every coordinate the server touches goes through this module. Transforms
 * between VN-2000 and WGS 84 always use the official 7-parameter Helmert
 * transformation of Decision 05/2007/QD-BTNMT (EPSG:6960, coordinate frame
 * rotations), built as an explicit PROJ pipeline, never PROJ's own choice of
 * operation.
 *
 * Coordinate order: every function here takes and returns x then y, that is
 * longitude, latitude for geographic CRSs and easting, northing for projected
 * ones, whatever the CRS's official axis order is. Protocol handlers swap for
 * CRSs whose axis order is latitude first (see vn2000_crs.lat_first).
 *
 * Threads: catalogue entries are immutable and may be shared. Transforms are
 * per thread (one PJ_CONTEXT per thread, no lock on the request path).
 */
#ifndef VNSDI_VN2000_H
#define VNSDI_VN2000_H

#include <stdbool.h>
#include <stddef.h>

#include <ogr_srs_api.h>

/* Datum of a CRS, which decides the datum step of a transformation. */
enum vn2000_datum {
	VN2000_DATUM_WGS84,  /* WGS 84 and CRSs treated as equal to it (3857) */
	VN2000_DATUM_VN2000, /* VN-2000: official Helmert to reach WGS 84 */
	VN2000_DATUM_OTHER   /* anything else: PROJ's own transformation */
};

/* One coordinate reference system. */
struct vn2000_crs {
	int epsg;             /* EPSG code, 0 for CRS:84 and custom CRSs */
	const char *id;       /* short id: "EPSG:5897", "CRS:84", or "CUSTOM:n" */
	const char *name_en;  /* English name */
	const char *name_vi;  /* Vietnamese name, UTF-8 NFC */
	const char *proj_def; /* PROJ string of the CRS without any datum shift */
	enum vn2000_datum datum;
	bool geographic;      /* coordinates in degrees */
	bool lat_first;       /* official axis order is latitude, longitude */
	double area[4];       /* area of use in CRS84: west, south, east, north */
	double central_meridian; /* transverse Mercator zones; 0 otherwise */
	double scale_factor;     /* transverse Mercator zones; 0 otherwise */
};

/*
 * Find a CRS by any name a client may send: "EPSG:5897", "epsg:5897",
 * "urn:ogc:def:crs:EPSG::5897", "http://www.opengis.net/def/crs/EPSG/0/5897",
 * "CRS:84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", or a province
 * name with or without diacritics (its TM-3 zone).
 * Returns a catalogue entry that lives as long as the process, or NULL.
 * The deprecated EPSG codes 6956-6959 return NULL: see vn2000_crs_deprecated.
 */
const struct vn2000_crs *vn2000_crs_find(const char *name);

/*
 * vn2000_crs_find for a value from a request: a name with leading or
 * trailing white space is not a CRS name and returns NULL, since clients
 * must send exactly one of the names above.
 */
const struct vn2000_crs *vn2000_crs_find_exact(const char *name);

/* Find a catalogue entry by EPSG code. Returns NULL when unknown. */
const struct vn2000_crs *vn2000_crs_by_epsg(int epsg);

/*
 * Return the replacement of a deprecated VN-2000 EPSG code (6956-6959 swap
 * false easting and northing; they map to 5896-5899), or 0 when the code is
 * not one of them.
 */
int vn2000_crs_deprecated(int epsg);

/* Iterate the catalogue: entries 0 .. vn2000_crs_count() - 1. */
size_t vn2000_crs_count(void);
const struct vn2000_crs *vn2000_crs_at(size_t index);

/*
 * Find the 3-degree cadastral zone (TM-3, k0 0.9999) or, failing that, any
 * catalogue transverse Mercator zone whose central meridian is
 * `central_meridian` degrees (within 1e-7 degree). Returns NULL when none.
 */
const struct vn2000_crs *vn2000_crs_by_meridian(double central_meridian);

/* One row of the built-in table of provincial TM-3 central meridians. */
struct vn2000_province {
	const char *name_vi;     /* official name, UTF-8 NFC */
	const char *name_ascii;  /* name without diacritics */
	double central_meridian; /* degrees */
	int epsg;                /* EPSG code of the VN-2000 TM-3 zone */
};

/* Iterate the province table: entries 0 .. vn2000_province_count() - 1. */
size_t vn2000_province_count(void);
const struct vn2000_province *vn2000_province_at(size_t index);

/*
 * Write into `out` a search key for `name`: Vietnamese diacritics removed
 * (d for đ/Đ included), ASCII letters lower-cased, everything that is not a
 * letter or a digit dropped. Returns the key length, or 0 when the key does
 * not fit in out_size bytes (out is then the empty string).
 */
size_t vn2000_fold_name(const char *name, char *out, size_t out_size);

/*
 * Identify the CRS of a data set from GDAL's spatial reference (a .prj in
 * ESRI WKT, a MapInfo CRS, a GeoPackage EPSG code...). A VN-2000 CRS found
 * by its parameters is returned as the catalogue entry, even when the file
 * carries no TOWGS84. Any other CRS is returned as a custom entry that lives
 * as long as the process. Returns NULL when srs is NULL or cannot be used;
 * then `message` (may be NULL) receives why and how to declare the CRS in the
 * config. `note`, when not NULL, receives a line for the log saying which
 * CRS was chosen and why (for example a deprecated code replaced).
 * Thread-safe.
 */
const struct vn2000_crs *vn2000_crs_identify(OGRSpatialReferenceH srs,
					     char *note, size_t note_size,
					     char *message, size_t message_size);

/* Opaque transformation between two CRSs, owned by the calling thread. */
struct vn2000_transform;

/*
 * Return the calling thread's transformation from `from` to `to`, creating
 * it on first use. The result is cached per thread and freed by
 * vn2000_thread_cleanup(); callers never free it. Returns NULL when PROJ
 * cannot build the pipeline.
 */
struct vn2000_transform *vn2000_transform_get(const struct vn2000_crs *from,
					      const struct vn2000_crs *to);

/*
 * Transform n points in place (x then y, see the header comment). A point
 * that cannot be transformed becomes HUGE_VAL in both coordinates. Returns
 * the number of points that failed.
 */
size_t vn2000_transform_points(struct vn2000_transform *tr, double *x,
			       double *y, size_t n);

/*
 * Return the text of the explicit PROJ pipeline of a transformation (for
 * logs, docs and benchmarks): "" for the identity. PROJ's own operations
 * to and from custom CRSs are not part of it. Owned by the transform.
 */
const char *vn2000_transform_definition(const struct vn2000_transform *tr);

/* Same as vn2000_transform_points for interleaved x,y pairs. */
size_t vn2000_transform_xy(struct vn2000_transform *tr, double *xy, size_t n);

/*
 * Transform a box (minx, miny, maxx, maxy) along its edges, densified with
 * `densify` points per edge (21 is a good default), and return the box that
 * contains every transformed point. The input is first clipped to the
 * source CRS's area of use when that is known. Returns 0 on success, -1 when
 * no point of the box could be transformed (out is left untouched). The
 * result never contains NaN or infinity.
 */
int vn2000_transform_bbox(struct vn2000_transform *tr, const double in[4],
			  double out[4], int densify);

/* Free the calling thread's PROJ context and transforms. */
void vn2000_thread_cleanup(void);

/*
 * Geodesic area in square metres of a ring given as n interleaved lon,lat
 * pairs in WGS 84 degrees (CRS84), on the WGS 84 ellipsoid. The sign is
 * dropped. The ring may be closed or not.
 */
double vn2000_geodesic_area(const double *lonlat, size_t n);

/* Geodesic length in metres of a line of n interleaved lon,lat pairs. */
double vn2000_geodesic_length(const double *lonlat, size_t n);

/* Geodesic area in square metres of a CRS84 box (west, south, east, north). */
double vn2000_geodesic_bbox_area(const double box[4]);

/*
 * Entry point of `vnsdi crs ...` (convert, list). argv[0] is "crs".
 * Returns the process exit status.
 */
int vn2000_cli_main(int argc, char **argv);

#endif
