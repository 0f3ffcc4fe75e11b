/*
 * Areas and lengths on the WGS 84 ellipsoid with PROJ's geodesic routines
 * (Karney's algorithms, geodesic.h), never in projected units.
 */
#include <math.h>

#include <geodesic.h>

#include "vn2000/vn2000_internal.h"

/* Maximum step, in degrees, when a box edge along a parallel is densified. */
#define PARALLEL_STEP_DEG 0.001
#define PARALLEL_MAX_STEPS 360000

static void wgs84_init(struct geod_geodesic *g)
{
	geod_init(g, VN2000_WGS84_A, 1.0 / VN2000_WGS84_INVF);
}

static bool point_valid(const double *p)
{
	return isfinite(p[0]) && isfinite(p[1]) && fabs(p[1]) <= 90.0;
}

double vn2000_geodesic_area(const double *lonlat, size_t n)
{
	struct geod_geodesic g;
	struct geod_polygon poly;
	double area = 0, perimeter = 0;
	size_t added = 0;

	if (!lonlat || n < 3)
		return 0.0;
	/* A closed ring repeats its first point: add it only once. */
	if (lonlat[0] == lonlat[2 * (n - 1)] &&
	    lonlat[1] == lonlat[2 * (n - 1) + 1])
		n--;

	wgs84_init(&g);
	geod_polygon_init(&poly, 0);
	for (size_t i = 0; i < n; i++) {
		const double *p = lonlat + 2 * i;

		if (!point_valid(p))
			continue;
		geod_polygon_addpoint(&g, &poly, p[1], p[0]);
		added++;
	}
	if (added < 3)
		return 0.0;
	geod_polygon_compute(&g, &poly, 0, 1, &area, &perimeter);
	return fabs(area);
}

double vn2000_geodesic_length(const double *lonlat, size_t n)
{
	struct geod_geodesic g;
	const double *prev = NULL;
	double total = 0;

	if (!lonlat || n < 2)
		return 0.0;
	wgs84_init(&g);
	for (size_t i = 0; i < n; i++) {
		const double *p = lonlat + 2 * i;
		double s12 = 0;

		if (!point_valid(p))
			continue;
		if (prev) {
			geod_inverse(&g, prev[1], prev[0], p[1], p[0], &s12,
				     NULL, NULL);
			total += s12;
		}
		prev = p;
	}
	return total;
}

/*
 * A box's north and south edges follow parallels, which are not geodesics:
 * they are densified every 0.001° so that the geodesic segments between the
 * added points stay within millimetres of the parallels.
 */
double vn2000_geodesic_bbox_area(const double box[4])
{
	struct geod_geodesic g;
	struct geod_polygon poly;
	double area = 0, perimeter = 0;
	double width, south, north;
	long steps;

	if (!box)
		return 0.0;
	for (int i = 0; i < 4; i++)
		if (!isfinite(box[i]))
			return 0.0;
	south = fmax(box[1], -90.0);
	north = fmin(box[3], 90.0);
	width = fmin(box[2] - box[0], 360.0);
	if (width <= 0 || north <= south)
		return 0.0;
	steps = (long)ceil(width / PARALLEL_STEP_DEG);
	if (steps < 1)
		steps = 1;
	if (steps > PARALLEL_MAX_STEPS)
		steps = PARALLEL_MAX_STEPS;

	wgs84_init(&g);
	geod_polygon_init(&poly, 0);
	for (long i = 0; i <= steps; i++)
		geod_polygon_addpoint(&g, &poly, south,
				      box[0] + width * (double)i / steps);
	for (long i = steps; i >= 0; i--)
		geod_polygon_addpoint(&g, &poly, north,
				      box[0] + width * (double)i / steps);
	geod_polygon_compute(&g, &poly, 0, 1, &area, &perimeter);
	return fabs(area);
}
