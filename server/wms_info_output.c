/*
 * The four GetFeatureInfo formats: text/plain, text/html (Vietnamese or
 * English), GeoJSON with geometries in the request CRS (x/y order), and
 * GML 2 with each feature's CRS84 box.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "server/wms.h"

/* A value as text; strings are returned as they are. */
static const char *value_text(const struct attr_def *def,
			      const struct value *v, char *buf, size_t size)
{
	if (v->is_null)
		return "";
	switch (def->type) {
	case ATTR_INTEGER:
		snprintf(buf, size, "%lld", (long long)v->u.i);
		return buf;
	case ATTR_REAL:
		snprintf(buf, size, "%.15g", v->u.d);
		return buf;
	case ATTR_STRING:
	case ATTR_DATE:
	case ATTR_DATETIME:
		break;
	}
	return v->u.s != NULL ? v->u.s : "";
}

static const char *layer_title(const struct http_request *req,
			       const struct layer_snapshot *snap)
{
	return wms_text(req, snap->cfg->title_vi, snap->cfg->title_en);
}

static void write_text(const struct wms_request *wr,
		       const struct wms_info *info, struct strbuf *sb)
{
	const struct http_request *req = wr->http;
	char buf[64];

	for (size_t k = 0; k < info->n_layers; k++) {
		const struct wms_info_layer *layer = &info->layers[k];
		const struct layer_snapshot *snap = layer->snap;

		strbuf_printf(sb, "%s '%s' (%s):\n",
			      i18n_pick(req, "Lớp", "Layer"), snap->cfg->id,
			      layer_title(req, snap));
		if (layer->n_hits == 0)
			strbuf_printf(sb, "  %s\n",
				      i18n_pick(req, "Không có đối tượng nào.",
						"No feature found."));
		for (size_t h = 0; h < layer->n_hits; h++) {
			const struct feature *f = layer->hits[h].feature;

			strbuf_printf(sb, "  %s %lld:\n",
				      i18n_pick(req, "Đối tượng", "Feature"),
				      (long long)f->fid);
			for (size_t a = 0; a < snap->n_attrs; a++) {
				if (!layer_attr_visible(snap, a, req->role))
					continue;
				strbuf_printf(sb, "    %s = '%s'\n",
					      snap->attrs[a].name,
					      value_text(&snap->attrs[a],
							 &f->values[a], buf,
							 sizeof(buf)));
			}
		}
	}
}

static void write_html(const struct wms_request *wr,
		       const struct wms_info *info, struct strbuf *sb)
{
	const struct http_request *req = wr->http;
	char buf[64];

	strbuf_printf(sb, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n<title>%s</title>\n"
		      "<style>table{border-collapse:collapse}"
		      "th,td{border:1px solid #999;padding:2px 6px}</style>\n"
		      "</head>\n<body>\n",
		      i18n_pick(req, "vi", "en"),
		      i18n_pick(req, "Thông tin đối tượng", "Feature information"));
	for (size_t k = 0; k < info->n_layers; k++) {
		const struct wms_info_layer *layer = &info->layers[k];
		const struct layer_snapshot *snap = layer->snap;

		strbuf_puts(sb, "<h2>");
		strbuf_xml(sb, layer_title(req, snap));
		strbuf_puts(sb, "</h2>\n");
		if (layer->n_hits == 0) {
			strbuf_printf(sb, "<p>%s</p>\n",
				      i18n_pick(req, "Không có đối tượng nào.",
						"No feature found."));
			continue;
		}
		strbuf_puts(sb, "<table>\n<tr>");
		for (size_t a = 0; a < snap->n_attrs; a++) {
			if (!layer_attr_visible(snap, a, req->role))
				continue;
			strbuf_puts(sb, "<th>");
			strbuf_xml(sb, snap->attrs[a].name);
			strbuf_puts(sb, "</th>");
		}
		strbuf_puts(sb, "</tr>\n");
		for (size_t h = 0; h < layer->n_hits; h++) {
			const struct feature *f = layer->hits[h].feature;

			strbuf_puts(sb, "<tr>");
			for (size_t a = 0; a < snap->n_attrs; a++) {
				if (!layer_attr_visible(snap, a, req->role))
					continue;
				strbuf_puts(sb, "<td>");
				strbuf_xml(sb, value_text(&snap->attrs[a],
							  &f->values[a], buf,
							  sizeof(buf)));
				strbuf_puts(sb, "</td>");
			}
			strbuf_puts(sb, "</tr>\n");
		}
		strbuf_puts(sb, "</table>\n");
	}
	strbuf_puts(sb, "</body>\n</html>\n");
}

/* Whether a name can be an XML element name as written (ASCII NCName). */
static bool xml_name_ok(const char *name)
{
	if (!((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') ||
	      *name == '_'))
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			return false;
	return true;
}

static void write_gml_value(struct strbuf *sb, const char *name,
			    const char *text)
{
	if (xml_name_ok(name)) {
		strbuf_printf(sb, "<%s>", name);
		strbuf_xml(sb, text);
		strbuf_printf(sb, "</%s>\n", name);
		return;
	}
	strbuf_puts(sb, "<attribute name=\"");
	strbuf_xml(sb, name);
	strbuf_puts(sb, "\">");
	strbuf_xml(sb, text);
	strbuf_puts(sb, "</attribute>\n");
}

static void write_gml(const struct wms_request *wr,
		      const struct wms_info *info, struct strbuf *sb)
{
	const struct http_request *req = wr->http;
	char buf[64];

	/* TODO: GML output carries each feature's CRS84 box but not its
	   geometry. */
	strbuf_puts(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<FeatureInfoResponse"
			" xmlns:gml=\"http://www.opengis.net/gml\">\n");
	for (size_t k = 0; k < info->n_layers; k++) {
		const struct wms_info_layer *layer = &info->layers[k];
		const struct layer_snapshot *snap = layer->snap;
		const char *id = xml_name_ok(snap->cfg->id) ? snap->cfg->id
							    : "layer";

		strbuf_printf(sb, "<%s_layer>\n<gml:name>", id);
		strbuf_xml(sb, layer_title(req, snap));
		strbuf_puts(sb, "</gml:name>\n");
		for (size_t h = 0; h < layer->n_hits; h++) {
			const struct feature *f = layer->hits[h].feature;

			strbuf_printf(sb, "<%s_feature fid=\"%s.%lld\">\n"
				      "<gml:boundedBy><gml:Box srsName=\"CRS:84\">"
				      "<gml:coordinates>%.7f,%.7f %.7f,%.7f"
				      "</gml:coordinates></gml:Box>"
				      "</gml:boundedBy>\n",
				      id, id, (long long)f->fid, f->bbox[0],
				      f->bbox[1], f->bbox[2], f->bbox[3]);
			for (size_t a = 0; a < snap->n_attrs; a++) {
				if (!layer_attr_visible(snap, a, req->role))
					continue;
				write_gml_value(sb, snap->attrs[a].name,
						value_text(&snap->attrs[a],
							   &f->values[a], buf,
							   sizeof(buf)));
			}
			strbuf_printf(sb, "</%s_feature>\n", id);
		}
		strbuf_printf(sb, "</%s_layer>\n", id);
	}
	strbuf_puts(sb, "</FeatureInfoResponse>\n");
}

static json_t *json_positions(const double *xy, uint32_t from, uint32_t to)
{
	json_t *list = json_array();

	for (uint32_t p = from; p < to; p++)
		json_array_append_new(list, json_pack("[ff]", xy[2 * p],
						      xy[2 * p + 1]));
	return list;
}

/* A GeoJSON geometry of `g` with coordinates `xy` (already transformed). */
static json_t *json_geometry(const struct geom *g, const double *xy)
{
	json_t *coords = json_array();
	const char *type = "GeometryCollection";
	json_t *polygon = NULL;

	switch (g->type) {
	case GEOM_NONE:
		json_decref(coords);
		return json_null();
	case GEOM_POINT:
		json_decref(coords);
		coords = json_positions(xy, 0, g->n_points);
		if (!g->multi && g->n_points == 1) {
			json_t *point = json_incref(json_array_get(coords, 0));

			json_decref(coords);
			return json_pack("{s:s,s:o}", "type", "Point",
					 "coordinates", point);
		}
		type = "MultiPoint";
		break;
	case GEOM_LINE:
		for (uint32_t i = 0; i < g->n_parts; i++)
			json_array_append_new(coords, json_positions(
				xy, g->part_start[i], g->part_start[i + 1]));
		type = "MultiLineString";
		if (!g->multi && g->n_parts == 1) {
			json_t *single = json_incref(json_array_get(coords, 0));

			json_decref(coords);
			coords = single;
			type = "LineString";
		}
		break;
	case GEOM_POLYGON:
		for (uint32_t i = 0; i < g->n_parts; i++) {
			if (g->part_outer[i] || polygon == NULL) {
				polygon = json_array();
				json_array_append_new(coords, polygon);
			}
			json_array_append_new(polygon, json_positions(
				xy, g->part_start[i], g->part_start[i + 1]));
		}
		type = "MultiPolygon";
		if (!g->multi && json_array_size(coords) == 1) {
			json_t *single = json_incref(json_array_get(coords, 0));

			json_decref(coords);
			coords = single;
			type = "Polygon";
		}
		break;
	}
	return json_pack("{s:s,s:o}", "type", type, "coordinates", coords);
}

static json_t *json_properties(const struct http_request *req,
			       const struct layer_snapshot *snap,
			       const struct feature *f)
{
	json_t *props = json_object();

	for (size_t a = 0; a < snap->n_attrs; a++) {
		const struct value *v = &f->values[a];
		json_t *value = NULL;

		if (!layer_attr_visible(snap, a, req->role))
			continue;
		if (v->is_null)
			value = json_null();
		else if (snap->attrs[a].type == ATTR_INTEGER)
			value = json_integer(v->u.i);
		else if (snap->attrs[a].type == ATTR_REAL)
			value = json_real(v->u.d);
		else
			value = json_string(v->u.s != NULL ? v->u.s : "");
		/* json_string returns NULL on text that is not UTF-8. */
		json_object_set_new(props, snap->attrs[a].name,
				    value != NULL ? value : json_null());
	}
	return props;
}

/* A GeoJSON Feature with its geometry transformed to `crs`. */
static json_t *json_feature(const struct http_request *req,
			    const struct layer_snapshot *snap,
			    const struct feature *f,
			    const struct vn2000_crs *crs)
{
	struct vn2000_transform *tr = vn2000_transform_get(snap->crs, crs);
	const struct geom *g = &f->native;
	double *xy = NULL;
	json_t *geometry;
	char id[160];

	if (g->n_points > 0)
		xy = malloc(2 * (size_t)g->n_points * sizeof(double));
	if (tr != NULL && xy != NULL) {
		memcpy(xy, g->xy, 2 * (size_t)g->n_points * sizeof(double));
		vn2000_transform_xy(tr, xy, g->n_points);
		geometry = json_geometry(g, xy);
	} else {
		geometry = json_null();
	}
	free(xy);

	snprintf(id, sizeof(id), "%s.%lld", snap->cfg->id, (long long)f->fid);
	return json_pack("{s:s,s:s,s:s,s:o,s:o}", "type", "Feature", "id", id,
			 "layer", snap->cfg->id, "geometry", geometry,
			 "properties", json_properties(req, snap, f));
}

static char *write_json(const struct wms_request *wr,
			const struct wms_info *info)
{
	json_t *features = json_array();
	json_t *root;
	char *text;

	for (size_t k = 0; k < info->n_layers; k++) {
		const struct wms_info_layer *layer = &info->layers[k];

		for (size_t h = 0; h < layer->n_hits; h++)
			json_array_append_new(features, json_feature(
				wr->http, layer->snap,
				layer->hits[h].feature, info->crs));
	}
	/* NOTE: coordinates are in the request CRS in x/y order (easting,
	   northing or longitude, latitude) whatever the CRS's axis order. */
	root = json_pack("{s:s,s:o}", "type", "FeatureCollection", "features",
			 features);
	if (root == NULL)
		return NULL;
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(root);
	return text;
}

int wms_info_write(const struct wms_request *wr, const struct wms_info *info,
		   char **body, size_t *size)
{
	struct strbuf sb;

	if (info->format == WMS_INFO_JSON) {
		*body = write_json(wr, info);
		if (*body == NULL)
			return -1;
		*size = strlen(*body);
		return 0;
	}

	strbuf_init(&sb, WMS_MAX_XML);
	if (info->format == WMS_INFO_HTML)
		write_html(wr, info, &sb);
	else if (info->format == WMS_INFO_GML)
		write_gml(wr, info, &sb);
	else
		write_text(wr, info, &sb);
	*body = sb.overflow ? NULL : strbuf_take(&sb, size);
	strbuf_free(&sb);
	return *body != NULL ? 0 : -1;
}
