/*
 * GeoJSON (RFC 7946) writing into a capped strbuf: numbers, strings,
 * geometries and feature properties.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/ogcapi.h"

int geojson_format_fixed(double value, int decimals, char *buf, size_t size)
{
	int n;

	if (!isfinite(value) || size == 0)
		return -1;
	n = snprintf(buf, size, "%.*f", decimals, value);
	if (n < 0 || (size_t)n >= size)
		return -1;
	/* Trim trailing zeros of the fraction, then a bare point. */
	if (strchr(buf, '.') != NULL) {
		while (n > 0 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '.')
			buf[--n] = '\0';
	}
	if (strcmp(buf, "-0") == 0) {
		buf[0] = '0';
		buf[1] = '\0';
		n = 1;
	}
	return n;
}

int geojson_format_coord(double value, char *buf, size_t size)
{
	return geojson_format_fixed(value, 7, buf, size);
}

int geojson_format_real(double value, char *buf, size_t size)
{
	int n = -1;

	if (!isfinite(value))
		return -1;
	for (int precision = 15; precision <= 17; precision++) {
		n = snprintf(buf, size, "%.*g", precision, value);
		if (n < 0 || (size_t)n >= size)
			return -1;
		if (strtod(buf, NULL) == value)
			break;
	}
	return n;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when invalid. */
static size_t utf8_sequence(const unsigned char *p)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
			return 0;   /* overlong, or a UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
		    (p[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

/* A copy of `text` with each invalid UTF-8 byte replaced by U+FFFD. */
static char *utf8_repair(const char *text)
{
	size_t len = strlen(text);
	char *out = malloc(3 * len + 1);
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)text;

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		size_t seq = utf8_sequence(p);

		if (seq == 0) {
			memcpy(out + n, "\xEF\xBF\xBD", 3);
			n += 3;
			p++;
			continue;
		}
		memcpy(out + n, p, seq);
		n += seq;
		p += seq;
	}
	out[n] = '\0';
	return out;
}

static int dump_to_strbuf(const char *buffer, size_t size, void *data)
{
	return strbuf_append(data, buffer, size);
}

int geojson_string(struct strbuf *sb, const char *text)
{
	json_t *value = json_string(text != NULL ? text : "");
	int rc;

	if (value == NULL) {
		/* json_string rejects invalid UTF-8. */
		char *repaired = utf8_repair(text);

		value = repaired != NULL ? json_string(repaired) : NULL;
		free(repaired);
		if (value == NULL)
			return strbuf_puts(sb, "null");
	}
	rc = json_dump_callback(value, dump_to_strbuf, sb, JSON_ENCODE_ANY);
	json_decref(value);
	return rc;
}

/* Append one position "[x,y]". */
static void put_position(struct strbuf *sb, const double *xy, int decimals)
{
	char x[48], y[48];

	geojson_format_fixed(xy[0], decimals, x, sizeof(x));
	geojson_format_fixed(xy[1], decimals, y, sizeof(y));
	strbuf_printf(sb, "[%s,%s]", x, y);
}

/* Append the positions of part `i` as "[[x,y],...]". */
static void put_part(struct strbuf *sb, const struct geom *g, const double *xy,
		     uint32_t i, int decimals)
{
	strbuf_puts(sb, "[");
	for (uint32_t k = g->part_start[i]; k < g->part_start[i + 1]; k++) {
		if (k > g->part_start[i])
			strbuf_puts(sb, ",");
		put_position(sb, xy + 2 * (size_t)k, decimals);
	}
	strbuf_puts(sb, "]");
}

static uint32_t polygon_count(const struct geom *g)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->n_parts; i++)
		n += (g->part_outer == NULL || g->part_outer[i] || i == 0) ? 1 : 0;
	return n;
}

static void put_polygons(struct strbuf *sb, const struct geom *g,
			 const double *xy, int decimals)
{
	bool multi = g->multi || polygon_count(g) > 1;

	strbuf_printf(sb, "{\"type\":\"%s\",\"coordinates\":",
		      multi ? "MultiPolygon" : "Polygon");
	if (multi)
		strbuf_puts(sb, "[");
	for (uint32_t i = 0; i < g->n_parts; i++) {
		bool outer = g->part_outer == NULL || g->part_outer[i] || i == 0;

		if (outer && i > 0)
			strbuf_puts(sb, "],");
		if (outer)
			strbuf_puts(sb, "[");
		else
			strbuf_puts(sb, ",");
		put_part(sb, g, xy, i, decimals);
	}
	strbuf_puts(sb, multi ? "]]}" : "]}");
}

static bool coords_finite(const double *xy, uint32_t n_points)
{
	for (size_t i = 0; i < 2 * (size_t)n_points; i++) {
		if (!isfinite(xy[i]))
			return false;
	}
	return true;
}

int geojson_geometry_coords(struct strbuf *sb, const struct geom *g,
			    const double *xy, int decimals)
{
	bool multi;

	if (xy == NULL)
		xy = g->xy;
	if (g->type == GEOM_NONE || g->n_points == 0 || g->n_parts == 0 ||
	    !coords_finite(xy, g->n_points))
		return strbuf_puts(sb, "null");

	multi = g->multi || g->n_parts > 1;
	switch (g->type) {
	case GEOM_POINT:
		if (!multi && g->n_points == 1) {
			strbuf_puts(sb, "{\"type\":\"Point\",\"coordinates\":");
			put_position(sb, xy, decimals);
			return strbuf_puts(sb, "}");
		}
		strbuf_puts(sb, "{\"type\":\"MultiPoint\",\"coordinates\":[");
		for (uint32_t k = 0; k < g->n_points; k++) {
			if (k > 0)
				strbuf_puts(sb, ",");
			put_position(sb, xy + 2 * (size_t)k, decimals);
		}
		return strbuf_puts(sb, "]}");
	case GEOM_LINE:
		strbuf_printf(sb, "{\"type\":\"%s\",\"coordinates\":",
			      multi ? "MultiLineString" : "LineString");
		if (multi)
			strbuf_puts(sb, "[");
		for (uint32_t i = 0; i < g->n_parts; i++) {
			if (i > 0)
				strbuf_puts(sb, ",");
			put_part(sb, g, xy, i, decimals);
		}
		return strbuf_puts(sb, multi ? "]}" : "}");
	case GEOM_POLYGON:
		put_polygons(sb, g, xy, decimals);
		return sb->overflow ? -1 : 0;
	case GEOM_NONE:
		break;
	}
	return strbuf_puts(sb, "null");
}

int geojson_geometry(struct strbuf *sb, const struct geom *g)
{
	return geojson_geometry_coords(sb, g, NULL, 7);
}

static void put_value(struct strbuf *sb, enum attr_type type,
		      const struct value *v)
{
	char num[64];

	if (v->is_null) {
		strbuf_puts(sb, "null");
		return;
	}
	switch (type) {
	case ATTR_INTEGER:
		strbuf_printf(sb, "%lld", (long long)v->u.i);
		return;
	case ATTR_REAL:
		if (geojson_format_real(v->u.d, num, sizeof(num)) < 0)
			strbuf_puts(sb, "null");
		else
			strbuf_puts(sb, num);
		return;
	case ATTR_STRING:
	case ATTR_DATE:
	case ATTR_DATETIME:
		geojson_string(sb, v->u.s);
		return;
	}
	strbuf_puts(sb, "null");
}

int geojson_properties(struct strbuf *sb, const struct layer_snapshot *snap,
		       const struct feature *f, enum cfg_role role)
{
	return geojson_properties_mask(sb, snap, f, role, NULL);
}

int geojson_properties_mask(struct strbuf *sb,
			    const struct layer_snapshot *snap,
			    const struct feature *f, enum cfg_role role,
			    const bool *mask)
{
	bool first = true;

	strbuf_puts(sb, "{");
	for (size_t i = 0; i < snap->n_attrs; i++) {
		if (!layer_attr_visible(snap, i, role) ||
		    (mask != NULL && !mask[i]))
			continue;
		if (!first)
			strbuf_puts(sb, ",");
		first = false;
		geojson_string(sb, snap->attrs[i].name);
		strbuf_puts(sb, ":");
		put_value(sb, snap->attrs[i].type, &f->values[i]);
	}
	return strbuf_puts(sb, "}");
}
