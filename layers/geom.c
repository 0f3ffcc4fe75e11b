/*
 * Geometry conversion: OGR geometries into the flat struct geom of a
 * snapshot, and struct geom into GEOS geometries for predicates.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers_internal.h"

/* A struct geom under construction, with growable arrays. */
struct geom_builder {
	struct geom *g;
	size_t cap_points;
	size_t cap_parts;
	char *error;
	size_t error_size;
};

void geom_clear(struct geom *g)
{
	if (g == NULL)
		return;
	free(g->xy);
	free(g->part_start);
	free(g->part_outer);
	memset(g, 0, sizeof(*g));
}

static int builder_fail(struct geom_builder *b, const char *message)
{
	snprintf(b->error, b->error_size, "%s", message);
	return -1;
}

/* Make room for `points` more points and one more part. */
static int builder_reserve(struct geom_builder *b, size_t points)
{
	struct geom *g = b->g;
	size_t need = (size_t)g->n_points + points;

	if (need > LAYER_MAX_POINTS)
		return builder_fail(b, "geometry has too many points");
	if (need > b->cap_points) {
		size_t cap = b->cap_points ? b->cap_points : 16;
		while (cap < need)
			cap *= 2;
		double *xy = realloc(g->xy, cap * 2 * sizeof(double));
		if (xy == NULL)
			return builder_fail(b, "out of memory");
		g->xy = xy;
		b->cap_points = cap;
	}
	if ((size_t)g->n_parts + 2 > b->cap_parts) {
		size_t cap = b->cap_parts ? b->cap_parts * 2 : 4;
		uint32_t *starts = realloc(g->part_start,
					   cap * sizeof(uint32_t));
		if (starts == NULL)
			return builder_fail(b, "out of memory");
		g->part_start = starts;
		bool *outer = realloc(g->part_outer, cap * sizeof(bool));
		if (outer == NULL)
			return builder_fail(b, "out of memory");
		g->part_outer = outer;
		b->cap_parts = cap;
	}
	return 0;
}

/* Check that a simple geometry belongs to the family already collected. */
static int builder_family(struct geom_builder *b, enum geom_type type)
{
	if (b->g->type == GEOM_NONE || b->g->type == type) {
		b->g->type = type;
		return 0;
	}
	return builder_fail(b, "geometry collection mixes points, lines and "
			    "polygons");
}

/*
 * Append the points of a point, line string or ring as one part. Rings are
 * closed when the source left them open.
 */
static int builder_add_part(struct geom_builder *b, OGRGeometryH h,
			    bool ring, bool outer)
{
	struct geom *g = b->g;
	int n = OGR_G_GetPointCount(h);

	if (n <= 0)
		return 0;
	if (builder_reserve(b, (size_t)n + 1) != 0)
		return -1;

	double *dst = g->xy + 2 * (size_t)g->n_points;
	OGR_G_GetPoints(h, dst, 2 * sizeof(double), dst + 1,
			2 * sizeof(double), NULL, 0);
	g->part_start[g->n_parts] = g->n_points;
	g->part_outer[g->n_parts] = outer;
	g->n_parts++;
	g->n_points += (uint32_t)n;

	if (ring && (dst[0] != dst[2 * (n - 1)] ||
		     dst[1] != dst[2 * (n - 1) + 1])) {
		dst[2 * n] = dst[0];
		dst[2 * n + 1] = dst[1];
		g->n_points++;
	}
	g->part_start[g->n_parts] = g->n_points;
	return 0;
}

static int builder_add_polygon(struct geom_builder *b, OGRGeometryH h)
{
	int rings = OGR_G_GetGeometryCount(h);

	if (rings <= 0 || OGR_G_IsEmpty(h))
		return 0;
	if (builder_family(b, GEOM_POLYGON) != 0)
		return -1;
	for (int i = 0; i < rings; i++) {
		OGRGeometryH ring = OGR_G_GetGeometryRef(h, i);
		if (builder_add_part(b, ring, true, i == 0) != 0)
			return -1;
	}
	return 0;
}

static int builder_walk(struct geom_builder *b, OGRGeometryH h, int depth)
{
	OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(h));

	if (depth > 32)
		return builder_fail(b, "geometry collections nested too deep");
	if (OGR_G_IsEmpty(h))
		return 0;

	switch (type) {
	case wkbPoint:
		if (builder_family(b, GEOM_POINT) != 0)
			return -1;
		return builder_add_part(b, h, false, false);
	case wkbLineString:
	case wkbLinearRing:
		if (builder_family(b, GEOM_LINE) != 0)
			return -1;
		return builder_add_part(b, h, false, false);
	case wkbPolygon:
	case wkbTriangle:
		return builder_add_polygon(b, h);
	case wkbMultiPoint:
	case wkbMultiLineString:
	case wkbMultiPolygon:
	case wkbGeometryCollection:
	case wkbPolyhedralSurface:
	case wkbTIN:
		b->g->multi = true;
		for (int i = 0; i < OGR_G_GetGeometryCount(h); i++) {
			OGRGeometryH part = OGR_G_GetGeometryRef(h, i);
			if (builder_walk(b, part, depth + 1) != 0)
				return -1;
		}
		return 0;
	default:
		snprintf(b->error, b->error_size,
			 "unsupported geometry type %s",
			 OGRGeometryTypeToName(type));
		return -1;
	}
}

int geom_from_ogr(OGRGeometryH h, struct geom *out, char *error,
		  size_t error_size)
{
	struct geom_builder b = { .g = out, .error = error,
				  .error_size = error_size };
	OGRGeometryH linear = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (h == NULL || OGR_G_IsEmpty(h))
		return 0;

	/* Arcs and curve polygons become line strings and plain polygons. */
	if (OGR_G_HasCurveGeometry(h, TRUE)) {
		linear = OGR_G_GetLinearGeometry(h, 0, NULL);
		if (linear == NULL) {
			builder_fail(&b, "curve geometry cannot be linearised");
			goto cleanup;
		}
		h = linear;
	}
	if (builder_walk(&b, h, 0) != 0)
		goto cleanup;

	/* NaN or infinity would poison every box, predicate and extent. */
	for (uint32_t i = 0; i < 2 * out->n_points; i++) {
		if (!isfinite(out->xy[i])) {
			builder_fail(&b, "a coordinate is not a finite number");
			goto cleanup;
		}
	}

	if (out->n_points == 0) {
		geom_clear(out);
	} else if (out->type != GEOM_POLYGON) {
		free(out->part_outer);
		out->part_outer = NULL;
	}
	rc = 0;
cleanup:
	if (rc != 0)
		geom_clear(out);
	if (linear != NULL)
		OGR_G_DestroyGeometry(linear);
	return rc;
}

int geom_copy(struct geom *dst, const struct geom *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->type = src->type;
	dst->multi = src->multi;
	if (src->n_points == 0)
		return 0;

	dst->xy = malloc((size_t)src->n_points * 2 * sizeof(double));
	dst->part_start = malloc(((size_t)src->n_parts + 1) *
				 sizeof(uint32_t));
	if (src->part_outer != NULL)
		dst->part_outer = malloc(src->n_parts * sizeof(bool));
	if (dst->xy == NULL || dst->part_start == NULL ||
	    (src->part_outer != NULL && dst->part_outer == NULL)) {
		geom_clear(dst);
		return -1;
	}
	memcpy(dst->xy, src->xy, (size_t)src->n_points * 2 * sizeof(double));
	memcpy(dst->part_start, src->part_start,
	       ((size_t)src->n_parts + 1) * sizeof(uint32_t));
	if (src->part_outer != NULL)
		memcpy(dst->part_outer, src->part_outer,
		       src->n_parts * sizeof(bool));
	dst->n_points = src->n_points;
	dst->n_parts = src->n_parts;
	return 0;
}

bool geom_bbox(const struct geom *g, double box[4])
{
	box[0] = box[1] = box[2] = box[3] = 0.0;
	if (g->n_points == 0)
		return false;

	box[0] = box[2] = g->xy[0];
	box[1] = box[3] = g->xy[1];
	for (uint32_t i = 1; i < g->n_points; i++) {
		double x = g->xy[2 * i], y = g->xy[2 * i + 1];
		box[0] = fmin(box[0], x);
		box[1] = fmin(box[1], y);
		box[2] = fmax(box[2], x);
		box[3] = fmax(box[3], y);
	}
	return true;
}

bool geom_box_intersects(const double a[4], const double b[4])
{
	return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

bool geom_box_contains(const double outer[4], const double inner[4])
{
	return outer[0] <= inner[0] && outer[1] <= inner[1] &&
	       inner[2] <= outer[2] && inner[3] <= outer[3];
}

void geom_box_union(double acc[4], bool *empty, const double box[4])
{
	if (*empty) {
		memcpy(acc, box, 4 * sizeof(double));
		*empty = false;
		return;
	}
	acc[0] = fmin(acc[0], box[0]);
	acc[1] = fmin(acc[1], box[1]);
	acc[2] = fmax(acc[2], box[2]);
	acc[3] = fmax(acc[3], box[3]);
}

/*
 * A coordinate sequence of part `i`, padded to at least `min_points` by
 * repeating its last point (GEOS rejects lines of one point and rings of
 * fewer than four).
 */
static GEOSCoordSequence *part_sequence(GEOSContextHandle_t h,
					const struct geom *g, uint32_t i,
					unsigned min_points)
{
	uint32_t start = g->part_start[i];
	unsigned n = g->part_start[i + 1] - start;
	const double *xy = g->xy + 2 * (size_t)start;

	if (n >= min_points)
		return GEOSCoordSeq_copyFromBuffer_r(h, xy, n, 0, 0);

	double pad[8];
	for (unsigned k = 0; k < min_points; k++) {
		unsigned src = k < n ? k : n - 1;
		pad[2 * k] = xy[2 * src];
		pad[2 * k + 1] = xy[2 * src + 1];
	}
	if (min_points == 4) {
		/* The padded ring must end where it starts. */
		pad[6] = pad[0];
		pad[7] = pad[1];
	}
	return GEOSCoordSeq_copyFromBuffer_r(h, pad, min_points, 0, 0);
}

static GEOSGeometry *part_to_geos(GEOSContextHandle_t h,
				  const struct geom *g, uint32_t i)
{
	GEOSCoordSequence *seq;

	switch (g->type) {
	case GEOM_POINT:
		seq = part_sequence(h, g, i, 1);
		return seq ? GEOSGeom_createPoint_r(h, seq) : NULL;
	case GEOM_LINE:
		seq = part_sequence(h, g, i, 2);
		return seq ? GEOSGeom_createLineString_r(h, seq) : NULL;
	default:
		seq = part_sequence(h, g, i, 4);
		return seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL;
	}
}

static void destroy_all(GEOSContextHandle_t h, GEOSGeometry **items,
			size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (items[i] != NULL)
			GEOSGeom_destroy_r(h, items[i]);
}

/*
 * One polygon from rings first .. first + n - 1 (shell then holes). The
 * GEOS constructors take over the rings even when they fail.
 */
static GEOSGeometry *polygon_to_geos(GEOSContextHandle_t h,
				     const struct geom *g, uint32_t first,
				     uint32_t n)
{
	GEOSGeometry *shell = part_to_geos(h, g, first);
	GEOSGeometry **holes = NULL;
	GEOSGeometry *poly = NULL;

	if (shell == NULL)
		return NULL;
	if (n > 1) {
		holes = calloc(n - 1, sizeof(*holes));
		if (holes == NULL)
			goto fail;
		for (uint32_t k = 1; k < n; k++) {
			holes[k - 1] = part_to_geos(h, g, first + k);
			if (holes[k - 1] == NULL)
				goto fail;
		}
	}
	poly = GEOSGeom_createPolygon_r(h, shell, holes, n - 1);
	free(holes);
	return poly;
fail:
	if (holes != NULL)
		destroy_all(h, holes, n - 1);
	free(holes);
	GEOSGeom_destroy_r(h, shell);
	return NULL;
}

/* Split the rings into polygons: each outer ring starts one. */
static size_t polygons_to_geos(GEOSContextHandle_t h, const struct geom *g,
			       GEOSGeometry **items)
{
	size_t count = 0;
	uint32_t i = 0;

	while (i < g->n_parts) {
		uint32_t n = 1;
		while (i + n < g->n_parts && !g->part_outer[i + n])
			n++;
		items[count] = polygon_to_geos(h, g, i, n);
		if (items[count] == NULL) {
			destroy_all(h, items, count);
			return 0;
		}
		count++;
		i += n;
	}
	return count;
}

GEOSGeometry *geom_to_geos(GEOSContextHandle_t h, const struct geom *g)
{
	GEOSGeometry **items = NULL;
	GEOSGeometry *result = NULL;
	size_t count = 0;
	int type;

	if (g->type == GEOM_NONE || g->n_parts == 0)
		return NULL;
	items = calloc(g->n_parts, sizeof(*items));
	if (items == NULL)
		return NULL;

	if (g->type == GEOM_POLYGON) {
		count = polygons_to_geos(h, g, items);
		type = GEOS_MULTIPOLYGON;
	} else {
		for (uint32_t i = 0; i < g->n_parts; i++) {
			items[i] = part_to_geos(h, g, i);
			if (items[i] == NULL) {
				destroy_all(h, items, i);
				count = 0;
				goto cleanup;
			}
		}
		count = g->n_parts;
		type = g->type == GEOM_POINT ? GEOS_MULTIPOINT
					     : GEOS_MULTILINESTRING;
	}
	if (count == 0)
		goto cleanup;
	if (count == 1) {
		result = items[0];
		goto cleanup;
	}
	/* The collection takes over the items, even when it fails. */
	result = GEOSGeom_createCollection_r(h, type, items,
					     (unsigned)count);
cleanup:
	free(items);
	return result;
}
