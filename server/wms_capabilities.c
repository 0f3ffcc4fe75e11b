/*
 * WMS GetCapabilities, 1.3.0 (WMS_Capabilities) and 1.1.1
 * (WMT_MS_Capabilities with its DOCTYPE).
 *
 * One root layer without a Name carries every CRS and the union of the
 * extents. Each configured layer is a named child with its CRS list (the
 * configured output CRSs plus its own storage CRS) and its geographic box.
 * It also has one BoundingBox per CRS, in that CRS's axis order in 1.3.0.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/secrecy.h"
#include "server/wms.h"

/* The CRSs of a capabilities document; a layer adds at most one. */
struct crs_list {
	const struct vn2000_crs **items;
	size_t count;
	size_t capacity;
};

/* Add a CRS once. A custom CRS read from a data file ("CUSTOM:n") has no
   identifier that clients know, so it is not advertised. */
static void crs_list_add(struct crs_list *list, const struct vn2000_crs *crs)
{
	if (crs == NULL || list->count == list->capacity)
		return;
	if (crs->epsg == 0 && strcmp(crs->id, "CRS:84") != 0)
		return;
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i] == crs || strcmp(list->items[i]->id,
						    crs->id) == 0)
			return;
	list->items[list->count++] = crs;
}

/* The configured output CRSs, and room for `extra` more. */
static int crs_list_init(struct crs_list *list, const struct cfg *cfg,
			 size_t extra)
{
	list->count = 0;
	list->capacity = cfg->n_output_crs + extra;
	list->items = calloc(list->capacity + 1, sizeof(*list->items));
	if (list->items == NULL)
		return -1;
	for (size_t i = 0; i < cfg->n_output_crs; i++)
		crs_list_add(list, vn2000_crs_find(cfg->output_crs[i]));
	return 0;
}

static bool box_valid(const double box[4])
{
	for (int i = 0; i < 4; i++)
		if (!isfinite(box[i]))
			return false;
	return box[0] <= box[2] && box[1] <= box[3];
}

/*
 * The CRS84 extent of a layer: its features' extent, else the union of the
 * footprints of its served scenes. A layer that serves nothing has none and
 * inherits the root layer's box, as WMS 1.3.0 allows.
 */
static bool layer_extent(const struct layer_snapshot *snap, double out[4])
{
	bool found = false;

	if (snap->n_features > 0 && box_valid(snap->extent)) {
		memcpy(out, snap->extent, 4 * sizeof(double));
		return true;
	}
	for (size_t i = 0; i < snap->n_scenes; i++) {
		const double *fp = snap->scenes[i].footprint;

		if (snap->scenes[i].dropped || !box_valid(fp))
			continue;
		if (!found) {
			memcpy(out, fp, 4 * sizeof(double));
			found = true;
			continue;
		}
		out[0] = fmin(out[0], fp[0]);
		out[1] = fmin(out[1], fp[1]);
		out[2] = fmax(out[2], fp[2]);
		out[3] = fmax(out[3], fp[3]);
	}
	return found;
}

/* Append a box rounded outwards: 7 decimals for degrees (about 1 cm),
   2 for metres. */
static void put_coord(struct strbuf *sb, const char *name, double value,
		      bool geographic, bool upper)
{
	int decimals = geographic ? 7 : 2;
	double scale = pow(10.0, decimals);
	double rounded = upper ? ceil(value * scale - 1e-6) / scale
			       : floor(value * scale + 1e-6) / scale;

	strbuf_printf(sb, " %s=\"%.*f\"", name, decimals, rounded);
}

static void put_bbox_attrs(struct strbuf *sb, const double box[4],
			   bool geographic)
{
	put_coord(sb, "minx", box[0], geographic, false);
	put_coord(sb, "miny", box[1], geographic, false);
	put_coord(sb, "maxx", box[2], geographic, true);
	put_coord(sb, "maxy", box[3], geographic, true);
}

static void put_geographic_bbox(struct strbuf *sb, enum wms_version version,
				const double ext[4])
{
	if (version == WMS_VERSION_111) {
		strbuf_puts(sb, "<LatLonBoundingBox");
		put_bbox_attrs(sb, ext, true);
		strbuf_puts(sb, "/>\n");
		return;
	}
	strbuf_printf(sb,
		"<EX_GeographicBoundingBox>"
		"<westBoundLongitude>%.7f</westBoundLongitude>"
		"<eastBoundLongitude>%.7f</eastBoundLongitude>"
		"<southBoundLatitude>%.7f</southBoundLatitude>"
		"<northBoundLatitude>%.7f</northBoundLatitude>"
		"</EX_GeographicBoundingBox>\n",
		floor(ext[0] * 1e7) / 1e7, ceil(ext[2] * 1e7) / 1e7,
		floor(ext[1] * 1e7) / 1e7, ceil(ext[3] * 1e7) / 1e7);
}

/* One BoundingBox per CRS, the extent transformed from CRS84. 1.3.0
   writes latitude-first CRSs as minx=minlat, miny=minlon... */
static void put_bboxes(struct strbuf *sb, enum wms_version version,
		       const struct crs_list *list, const double ext[4])
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");

	for (size_t i = 0; i < list->count; i++) {
		const struct vn2000_crs *crs = list->items[i];
		struct vn2000_transform *tr =
			crs84 != NULL ? vn2000_transform_get(crs84, crs) : NULL;
		double box[4];

		/* NOTE: a CRS that cannot hold the extent gets no BoundingBox
		   rather than a wrong one. */
		if (tr == NULL || vn2000_transform_bbox(tr, ext, box, 21) != 0)
			continue;
		if (version == WMS_VERSION_130 && crs->lat_first) {
			double swapped[4] = {box[1], box[0], box[3], box[2]};

			memcpy(box, swapped, sizeof(box));
		}
		strbuf_printf(sb, "<BoundingBox %s=\"",
			      version == WMS_VERSION_130 ? "CRS" : "SRS");
		strbuf_xml(sb, crs->id);
		strbuf_puts(sb, "\"");
		put_bbox_attrs(sb, box, crs->geographic);
		strbuf_puts(sb, "/>\n");
	}
}

static void put_crs_elements(struct strbuf *sb, enum wms_version version,
			     const struct crs_list *list)
{
	const char *tag = version == WMS_VERSION_130 ? "CRS" : "SRS";

	for (size_t i = 0; i < list->count; i++) {
		strbuf_printf(sb, "<%s>", tag);
		strbuf_xml(sb, list->items[i]->id);
		strbuf_printf(sb, "</%s>\n", tag);
	}
}

/* An xlink OnlineResource; 1.1.1 declares the xlink namespace on it. */
static void put_online_resource(struct strbuf *sb, enum wms_version version,
				const char *href)
{
	strbuf_puts(sb, "<OnlineResource");
	if (version == WMS_VERSION_111)
		strbuf_puts(sb, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
	strbuf_puts(sb, " xlink:type=\"simple\" xlink:href=\"");
	strbuf_xml(sb, href);
	strbuf_puts(sb, "\"/>\n");
}

/* Width and height of a PNG from its IHDR chunk. */
static bool png_size(const unsigned char *png, size_t size, unsigned *width,
		     unsigned *height)
{
	if (size < 24 || memcmp(png + 12, "IHDR", 4) != 0)
		return false;
	*width = (unsigned)png[16] << 24 | (unsigned)png[17] << 16 |
		 (unsigned)png[18] << 8 | png[19];
	*height = (unsigned)png[20] << 24 | (unsigned)png[21] << 16 |
		  (unsigned)png[22] << 8 | png[23];
	return *width > 0 && *height > 0;
}

static void put_legend_url(struct strbuf *sb, const struct wms_request *wr,
			   const struct layer_snapshot *snap,
			   const char *style)
{
	unsigned char *png = NULL;
	size_t size = 0;
	unsigned width;
	unsigned height;
	struct strbuf url;

	/* LegendURL must state the image size, so the legend is drawn here
	   once to measure it. */
	if (render_legend_png(snap, style, wr->http->lang, &png, &size) != 0)
		return;
	if (!png_size(png, size, &width, &height)) {
		free(png);
		return;
	}
	free(png);

	strbuf_init(&url, 4096);
	strbuf_puts(&url, wr->http->base_url);
	strbuf_printf(&url, "/wms?SERVICE=WMS&REQUEST=GetLegendGraphic"
		      "&VERSION=%s&FORMAT=image%%2Fpng&LAYER=",
		      wms_version_text(wr->version));
	wms_url_encode(&url, snap->cfg->id);
	strbuf_puts(&url, "&STYLE=");
	wms_url_encode(&url, style);
	if (!url.overflow && url.data != NULL) {
		strbuf_printf(sb, "<LegendURL width=\"%u\" height=\"%u\">\n"
			      "<Format>image/png</Format>\n", width, height);
		put_online_resource(sb, wr->version, url.data);
		strbuf_puts(sb, "</LegendURL>\n");
	}
	strbuf_free(&url);
}

static void put_abstract(struct strbuf *sb, const char *text)
{
	if (*text == '\0')
		return;
	strbuf_puts(sb, "<Abstract>");
	strbuf_xml(sb, text);
	strbuf_puts(sb, "</Abstract>\n");
}

static void put_styles(struct strbuf *sb, const struct wms_request *wr,
		       const struct layer_snapshot *snap)
{
	const struct cfg_layer *layer = snap->cfg;
	size_t n = layer->n_styles > 0 ? layer->n_styles : 1;

	for (size_t i = 0; i < n; i++) {
		const struct cfg_style *style =
			layer->n_styles > 0 ? &layer->styles[i] : NULL;
		const char *name = style != NULL ? style->name : "default";
		const char *title =
			style != NULL ? wms_text(wr->http, style->title_vi,
						 style->title_en)
				      : "";

		if (*title == '\0')
			title = name;
		strbuf_puts(sb, "<Style><Name>");
		strbuf_xml(sb, name);
		strbuf_puts(sb, "</Name><Title>");
		strbuf_xml(sb, title);
		strbuf_puts(sb, "</Title>\n");
		put_legend_url(sb, wr, snap, name);
		strbuf_puts(sb, "</Style>\n");
	}
}

/*
 * The imagery footprint rule as a scale limit: at the largest image the
 * server accepts, a map at this scale shows at most imagery_max_km2 of
 * ground (secrecy_max_imagery_scale). GetMap enforces the area itself
 * whatever the scale. WMS 1.1.1 states it as ScaleHint, the ground size of
 * a pixel's diagonal in metres.
 */
static void put_imagery_scale(struct strbuf *sb, const struct wms_request *wr)
{
	double scale = secrecy_max_imagery_scale(wr->cfg,
						 wr->cfg->limits.max_width,
						 wr->cfg->limits.max_height);

	if (!(scale > 0))
		return;
	if (wr->version == WMS_VERSION_130)
		strbuf_printf(sb, "<MaxScaleDenominator>%.0f"
			      "</MaxScaleDenominator>\n", floor(scale));
	else
		strbuf_printf(sb, "<ScaleHint min=\"0\" max=\"%.3f\"/>\n",
			      floor(scale) * SECRECY_PIXEL_SIZE_M * sqrt(2.0));
}

static void put_layer(struct strbuf *sb, const struct wms_request *wr,
		      const struct layer_snapshot *snap)
{
	const struct http_request *req = wr->http;
	const struct cfg_layer *layer = snap->cfg;
	struct crs_list list;
	double ext[4];

	strbuf_printf(sb, "<Layer queryable=\"%d\" opaque=\"%d\">\n<Name>",
		      layer->kind == CFG_LAYER_VECTOR,
		      layer->kind == CFG_LAYER_RASTER);
	strbuf_xml(sb, layer->id);
	strbuf_puts(sb, "</Name>\n<Title>");
	strbuf_xml(sb, wms_text(req, layer->title_vi, layer->title_en));
	strbuf_puts(sb, "</Title>\n");
	put_abstract(sb, wms_text(req, layer->abstract_vi, layer->abstract_en));

	if (crs_list_init(&list, wr->cfg, 1) == 0) {
		crs_list_add(&list, snap->crs);
		put_crs_elements(sb, wr->version, &list);
		if (layer_extent(snap, ext)) {
			put_geographic_bbox(sb, wr->version, ext);
			put_bboxes(sb, wr->version, &list, ext);
		}
		free(list.items);
	}
	put_styles(sb, wr, snap);
	if (layer->kind == CFG_LAYER_RASTER)
		put_imagery_scale(sb, wr);
	strbuf_puts(sb, "</Layer>\n");
}

static void put_service(struct strbuf *sb, const struct wms_request *wr,
			const char *online)
{
	const struct cfg *cfg = wr->cfg;
	const struct http_request *req = wr->http;

	strbuf_printf(sb, "<Service>\n<Name>%s</Name>\n<Title>",
		      wr->version == WMS_VERSION_130 ? "WMS" : "OGC:WMS");
	strbuf_xml(sb, wms_text(req, cfg->title_vi, cfg->title_en));
	strbuf_puts(sb, "</Title>\n");
	put_abstract(sb, wms_text(req, cfg->abstract_vi, cfg->abstract_en));
	put_online_resource(sb, wr->version, online);
	strbuf_puts(sb, "<Fees>none</Fees>\n"
			"<AccessConstraints>none</AccessConstraints>\n");
	if (wr->version == WMS_VERSION_130)
		strbuf_printf(sb, "<LayerLimit>%d</LayerLimit>\n"
			      "<MaxWidth>%d</MaxWidth>\n"
			      "<MaxHeight>%d</MaxHeight>\n",
			      WMS_MAX_LAYERS, cfg->limits.max_width,
			      cfg->limits.max_height);
	strbuf_puts(sb, "</Service>\n");
}

static void put_operation(struct strbuf *sb, enum wms_version version,
			  const char *tag, const char *const *formats,
			  const char *online)
{
	strbuf_printf(sb, "<%s>\n", tag);
	for (size_t i = 0; formats[i] != NULL; i++)
		strbuf_printf(sb, "<Format>%s</Format>\n", formats[i]);
	strbuf_puts(sb, "<DCPType><HTTP><Get>");
	put_online_resource(sb, version, online);
	strbuf_printf(sb, "</Get></HTTP></DCPType>\n</%s>\n", tag);
}

static void put_request(struct strbuf *sb, enum wms_version version,
			const char *online)
{
	static const char *const caps_130[] = {"text/xml", NULL};
	static const char *const caps_111[] = {"application/vnd.ogc.wms_xml",
					       NULL};
	static const char *const map[] = {"image/png", "image/png; mode=8bit",
					  "image/jpeg", NULL};
	static const char *const info[] = {"application/json", "text/html",
					   "text/plain",
					   "application/vnd.ogc.gml", NULL};
	static const char *const legend[] = {"image/png", NULL};
	static const char *const exc_130[] = {"XML", "INIMAGE", "BLANK", NULL};
	static const char *const exc_111[] = {"application/vnd.ogc.se_xml",
					      "application/vnd.ogc.se_inimage",
					      "application/vnd.ogc.se_blank",
					      NULL};
	bool v130 = version == WMS_VERSION_130;

	strbuf_puts(sb, "<Request>\n");
	put_operation(sb, version, "GetCapabilities", v130 ? caps_130 : caps_111,
		      online);
	put_operation(sb, version, "GetMap", map, online);
	put_operation(sb, version, "GetFeatureInfo", info, online);
	/* 1.3.0 takes extra operations from another namespace (SLD 1.1.0). */
	put_operation(sb, version, v130 ? "sld:GetLegendGraphic"
					: "GetLegendGraphic", legend, online);
	strbuf_puts(sb, "</Request>\n<Exception>\n");
	for (const char *const *f = v130 ? exc_130 : exc_111; *f != NULL; f++)
		strbuf_printf(sb, "<Format>%s</Format>\n", *f);
	strbuf_puts(sb, "</Exception>\n");
}

static void put_header(struct strbuf *sb, enum wms_version version,
		       int64_t update_sequence)
{
	if (version == WMS_VERSION_130) {
		strbuf_printf(sb,
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<WMS_Capabilities version=\"1.3.0\""
			" updateSequence=\"%" PRId64 "\""
			" xmlns=\"http://www.opengis.net/wms\""
			" xmlns:sld=\"http://www.opengis.net/sld\""
			" xmlns:xlink=\"http://www.w3.org/1999/xlink\""
			" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
			" xsi:schemaLocation=\"http://www.opengis.net/wms"
			" http://schemas.opengis.net/wms/1.3.0/"
			"capabilities_1_3_0.xsd"
			" http://www.opengis.net/sld"
			" http://schemas.opengis.net/sld/1.1.0/"
			"sld_capabilities.xsd\">\n", update_sequence);
		return;
	}
	strbuf_printf(sb,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<!DOCTYPE WMT_MS_Capabilities SYSTEM"
		" \"http://schemas.opengis.net/wms/1.1.1/"
		"WMS_MS_Capabilities.dtd\">\n"
		"<WMT_MS_Capabilities version=\"1.1.1\""
		" updateSequence=\"%" PRId64 "\">\n", update_sequence);
}

/* The root layer and its children. */
static int put_layers(struct strbuf *sb, const struct wms_request *wr)
{
	const struct http_request *req = wr->http;
	struct layer_registry *reg = req->srv->layers;
	size_t n = layer_registry_count(reg);
	struct crs_list list;
	double all[4];
	bool have_extent = false;

	if (crs_list_init(&list, wr->cfg, n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);
		double ext[4];

		if (snap == NULL)
			continue;
		crs_list_add(&list, snap->crs);
		if (layer_extent(snap, ext)) {
			if (!have_extent)
				memcpy(all, ext, sizeof(all));
			all[0] = fmin(all[0], ext[0]);
			all[1] = fmin(all[1], ext[1]);
			all[2] = fmax(all[2], ext[2]);
			all[3] = fmax(all[3], ext[3]);
			have_extent = true;
		}
		layer_snapshot_release(snap);
	}

	strbuf_puts(sb, "<Layer>\n<Title>");
	strbuf_xml(sb, wms_text(req, wr->cfg->title_vi, wr->cfg->title_en));
	strbuf_puts(sb, "</Title>\n");
	put_crs_elements(sb, wr->version, &list);
	if (have_extent) {
		put_geographic_bbox(sb, wr->version, all);
		put_bboxes(sb, wr->version, &list, all);
	}
	free(list.items);

	for (size_t i = 0; i < n; i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);

		if (snap == NULL)
			continue;
		put_layer(sb, wr, snap);
		layer_snapshot_release(snap);
	}
	strbuf_puts(sb, "</Layer>\n");
	return 0;
}

void wms_get_capabilities(struct wms_request *wr, struct http_response *res)
{
	struct strbuf sb;
	struct strbuf online;
	struct req_error err = {0};
	char *body = NULL;
	size_t size = 0;
	bool v130 = wr->version == WMS_VERSION_130;
	int64_t sequence =
		layer_registry_update_sequence(wr->http->srv->layers);

	/* FORMAT is not checked: each version has one capabilities format,
	   which a server sends for any FORMAT it does not offer. */
	if (update_sequence_check(wr->http, "UPDATESEQUENCE",
				  http_param_ci(wr->http, "UPDATESEQUENCE"),
				  sequence, &err) != UPDATE_SEQUENCE_OLDER) {
		wms_reply_error(wr, &err, res);
		return;
	}
	strbuf_init(&online, 4096);
	strbuf_puts(&online, wr->http->base_url);
	strbuf_puts(&online, "/wms?");
	strbuf_init(&sb, WMS_MAX_XML);

	put_header(&sb, wr->version, sequence);
	put_service(&sb, wr, online.data != NULL ? online.data : "");
	strbuf_puts(&sb, "<Capability>\n");
	put_request(&sb, wr->version, online.data != NULL ? online.data : "");
	if (put_layers(&sb, wr) != 0)
		sb.overflow = true;
	strbuf_printf(&sb, "</Capability>\n</%s>\n",
		      v130 ? "WMS_Capabilities" : "WMT_MS_Capabilities");

	if (!sb.overflow && !online.overflow)
		body = strbuf_take(&sb, &size);
	strbuf_free(&sb);
	strbuf_free(&online);
	if (body == NULL) {
		req_error_set(&err, REQ_INTERNAL, "",
			      i18n_pick(wr->http,
					"Không thể tạo tài liệu GetCapabilities.",
					"The capabilities document could not "
					"be built."));
		wms_reply_error(wr, &err, res);
		return;
	}
	http_response_take(res, 200,
			   v130 ? "text/xml; charset=UTF-8"
				: "application/vnd.ogc.wms_xml; charset=UTF-8",
			   body, size);
	http_response_header(res, "Cache-Control", "max-age=0, must-revalidate");
}
