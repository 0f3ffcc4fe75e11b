/*
 * The four GetFeatureInfo formats: text/plain, text/html (Vietnamese or
 * English), GeoJSON with geometries in the request CRS, and GML (3.2 for
 * WMS 1.3.0 and WMTS, 2 for WMS 1.1.1) with each feature's geometry in the
 * request CRS, written by OGR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <cpl_conv.h>
#include <ogr_api.h>

#include "server/featureinfo.h"
#include "server/output.h"
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

static void write_text(const struct http_request *req,
		       const struct wms_info *info, struct strbuf *sb)
{
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

static void write_html(const struct http_request *req,
		       const struct wms_info *info, struct strbuf *sb)
{
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

/* The srsName of a CRS in GML 3.2 (OGC URI) or GML 2 ("EPSG:n"). */
static void srs_name(const struct vn2000_crs *crs, bool gml32, char *out,
		     size_t size)
{
	if (crs->epsg > 0 && gml32)
		snprintf(out, size, "http://www.opengis.net/def/crs/EPSG/0/%d",
			 crs->epsg);
	else if (crs->epsg > 0)
		snprintf(out, size, "EPSG:%d", crs->epsg);
	else if (gml32)
		snprintf(out, size, "http://www.opengis.net/def/crs/OGC/1.3/"
			 "CRS84");
	else
		snprintf(out, size, "%s", crs->id);
}

/* A feature's geometry in the request CRS as GML, with srsName. */
static void write_gml_geometry(struct strbuf *sb,
			       const struct layer_snapshot *snap,
			       const struct feature *f,
			       const struct wms_info *info, bool axis_order,
			       bool gml32, const char *gml_id)
{
	bool failed = false;
	bool swap = axis_order && info->crs->lat_first;
	double *xy = output_coords(snap, f, info->crs, swap, &failed);
	OGRGeometryH g = output_ogr_geometry(&f->native, xy);
	char id_option[200];
	char *options[] = {gml32 ? "FORMAT=GML32" : "FORMAT=GML2", id_option,
			   NULL};
	char srs[96];
	char *gml;
	const char *close;

	free(xy);
	if (g == NULL)
		return;
	snprintf(id_option, sizeof(id_option), "GMLID=%s.geom", gml_id);
	gml = OGR_G_ExportToGMLEx(g, options);
	OGR_G_DestroyGeometry(g);
	close = gml != NULL ? strchr(gml, '>') : NULL;
	if (close == NULL || close == gml || close[-1] == '/') {
		CPLFree(gml);
		return;
	}
	/* Add srsName to the outer element: OGR writes none without an SRS,
	   and the coordinates are already in the order wanted. */
	srs_name(info->crs, gml32, srs, sizeof(srs));
	strbuf_puts(sb, "<geometry>");
	strbuf_append(sb, gml, (size_t)(close - gml));
	strbuf_puts(sb, " srsName=\"");
	strbuf_xml(sb, srs);
	strbuf_puts(sb, "\"");
	strbuf_puts(sb, close);
	strbuf_puts(sb, "</geometry>\n");
	CPLFree(gml);
}

static void write_gml(const struct http_request *req,
		      const struct wms_info *info, bool axis_order, bool gml32,
		      struct strbuf *sb)
{
	char buf[64];

	strbuf_printf(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<FeatureInfoResponse xmlns:gml=\"%s\">\n",
		      gml32 ? "http://www.opengis.net/gml/3.2"
			    : "http://www.opengis.net/gml");
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
			char gml_id[160];

			snprintf(gml_id, sizeof(gml_id), "%s.%lld", id,
				 (long long)f->fid);
			strbuf_printf(sb, "<%s_feature %s=\"%s\">\n", id,
				      gml32 ? "gml:id" : "fid", gml_id);
			write_gml_geometry(sb, snap, f, info, axis_order,
					   gml32, gml_id);
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

/* A GeoJSON Feature with its geometry in `crs`, latitude first when
   `swap`. */
static json_t *json_feature(const struct http_request *req,
			    const struct layer_snapshot *snap,
			    const struct feature *f,
			    const struct vn2000_crs *crs, bool swap)
{
	bool failed = false;
	double *xy = output_coords(snap, f, crs, swap, &failed);
	json_t *geometry;
	char id[160];

	geometry = xy != NULL ? json_geometry(&f->native, xy) : json_null();
	free(xy);

	snprintf(id, sizeof(id), "%s.%lld", snap->cfg->id, (long long)f->fid);
	return json_pack("{s:s,s:s,s:s,s:o,s:o}", "type", "Feature", "id", id,
			 "layer", snap->cfg->id, "geometry", geometry,
			 "properties", json_properties(req, snap, f));
}

static char *write_json(const struct http_request *req,
			const struct wms_info *info, bool axis_order)
{
	json_t *features = json_array();
	json_t *root;
	char *text;
	bool swap = axis_order && info->crs->lat_first;

	for (size_t k = 0; k < info->n_layers; k++) {
		const struct wms_info_layer *layer = &info->layers[k];

		for (size_t h = 0; h < layer->n_hits; h++)
			json_array_append_new(features, json_feature(
				req, layer->snap, layer->hits[h].feature,
				info->crs, swap));
	}
	root = json_pack("{s:s,s:o}", "type", "FeatureCollection", "features",
			 features);
	if (root == NULL)
		return NULL;
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(root);
	return text;
}

int featureinfo_write(const struct http_request *req,
		      const struct wms_info *info, bool axis_order,
		      bool gml32, char **body, size_t *size)
{
	struct strbuf sb;

	if (info->format == WMS_INFO_JSON) {
		*body = write_json(req, info, axis_order);
		if (*body == NULL)
			return -1;
		*size = strlen(*body);
		return 0;
	}

	strbuf_init(&sb, WMS_MAX_XML);
	if (info->format == WMS_INFO_HTML)
		write_html(req, info, &sb);
	else if (info->format == WMS_INFO_GML)
		write_gml(req, info, axis_order, gml32, &sb);
	else
		write_text(req, info, &sb);
	*body = sb.overflow ? NULL : strbuf_take(&sb, size);
	strbuf_free(&sb);
	return *body != NULL ? 0 : -1;
}

int wms_info_write(const struct wms_request *wr, const struct wms_info *info,
		   char **body, size_t *size)
{
	bool v130 = wr->version == WMS_VERSION_130;

	return featureinfo_write(wr->http, info, v130, v130, body, size);
}
