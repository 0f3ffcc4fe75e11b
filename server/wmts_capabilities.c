/*
 * WMTS 1.0.0 GetCapabilities: one document for KVP and RESTful clients,
 * with TileMatrixLimits computed from each layer's extent and, for imagery,
 * only the matrices that pass the imagery area rule.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/wmts.h"

static void xml_text(struct strbuf *sb, const char *element, const char *lang,
		     const char *text)
{
	if (text == NULL || text[0] == '\0')
		return;
	if (lang != NULL)
		strbuf_printf(sb, "<%s xml:lang=\"%s\">", element, lang);
	else
		strbuf_printf(sb, "<%s>", element);
	strbuf_xml(sb, text);
	strbuf_printf(sb, "</%s>", element);
}

/* Two coordinates in the CRS's official axis order. */
static void corner(struct strbuf *sb, const struct vn2000_crs *crs, double x,
		   double y)
{
	if (crs->lat_first)
		strbuf_printf(sb, "%.16g %.16g", y, x);
	else
		strbuf_printf(sb, "%.16g %.16g", x, y);
}

/* The sections of the document that a Sections parameter can name. */
enum {
	SECTION_IDENTIFICATION = 1,
	SECTION_PROVIDER = 2,
	SECTION_OPERATIONS = 4,
	SECTION_CONTENTS = 8,
	SECTION_THEMES = 16,        /* vnsdi has no themes: always empty */
	SECTION_ALL = 31
};

static const struct {
	const char *name;
	unsigned int bits;
} section_names[] = {
	{"ServiceIdentification", SECTION_IDENTIFICATION},
	{"ServiceProvider", SECTION_PROVIDER},
	{"OperationsMetadata", SECTION_OPERATIONS},
	{"Contents", SECTION_CONTENTS},
	{"Themes", SECTION_THEMES},
	{"All", SECTION_ALL},
};

static void service_part(struct strbuf *sb, const struct http_request *req,
			 unsigned int sections)
{
	const struct cfg *cfg = req->srv->cfg;

	if (sections & SECTION_IDENTIFICATION) {
		strbuf_puts(sb, "<ows:ServiceIdentification>");
		xml_text(sb, "ows:Title", "vi", cfg->title_vi);
		xml_text(sb, "ows:Title", "en", cfg->title_en);
		xml_text(sb, "ows:Abstract", "vi", cfg->abstract_vi);
		xml_text(sb, "ows:Abstract", "en", cfg->abstract_en);
		strbuf_puts(sb,
			"<ows:ServiceType>OGC WMTS</ows:ServiceType>"
			"<ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>"
			"<ows:Fees>none</ows:Fees>"
			"<ows:AccessConstraints>none</ows:AccessConstraints>"
			"</ows:ServiceIdentification>\n");
	}
	if (sections & SECTION_PROVIDER) {
		strbuf_puts(sb, "<ows:ServiceProvider><ows:ProviderName>");
		strbuf_xml(sb, i18n_pick(req, cfg->title_vi, cfg->title_en));
		strbuf_puts(sb, "</ows:ProviderName><ows:ServiceContact/>"
				"</ows:ServiceProvider>\n");
	}
}

/* Take the next item of the comma-separated list at *p: return its start
   and set *len, or return NULL at the end of the list. Empty items, as in
   "a,,b" or a trailing comma, are skipped. */
static const char *list_next(const char **p, size_t *len)
{
	const char *item = *p;

	while (*item == ',')
		item++;
	if (*item == '\0')
		return NULL;
	*len = strcspn(item, ",");
	*p = item + *len;
	return item;
}

static bool item_is(const char *item, size_t len, const char *name)
{
	return strlen(name) == len && strncmp(item, name, len) == 0;
}

/* Whether the comma-separated `list` contains `name` (compared exactly). */
static bool list_has(const char *list, const char *name)
{
	const char *item;
	size_t len;

	while ((item = list_next(&list, &len)) != NULL)
		if (item_is(item, len, name))
			return true;
	return false;
}

/* Check AcceptVersions: a list without 1.0.0 is VersionNegotiationFailed. */
static int accept_versions_check(struct http_request *req,
				 struct wmts_error *err)
{
	const char *versions = http_param_ci(req, "AcceptVersions");
	char shown[80];

	/* An empty list is read as absent, as for the other parameters. */
	if (versions == NULL || versions[strspn(versions, ",")] == '\0' ||
	    list_has(versions, "1.0.0"))
		return 0;
	err->code = WMTS_CODE_VERSION_NEGOTIATION_FAILED;
	return req_error_set(&err->err, REQ_INVALID_PARAMETER, "AcceptVersions",
		i18n_pick(req,
			  "AcceptVersions=\"%s\" không có phiên bản nào máy "
			  "chủ hỗ trợ; phiên bản WMTS được hỗ trợ là 1.0.0.",
			  "AcceptVersions=\"%s\" lists no version that this "
			  "server supports; the supported WMTS version is "
			  "1.0.0."),
		req_value(versions, shown, sizeof(shown)));
}

/* Parse Sections into bits. An unknown name is InvalidParameterValue, and
   an absent parameter or one without any name selects the whole
   document. */
static int sections_parse(struct http_request *req, unsigned int *out,
			  struct wmts_error *err)
{
	const char *text = http_param_ci(req, "Sections");
	const char *item;
	size_t len;
	char shown[80];

	*out = 0;
	if (text == NULL || text[0] == '\0') {
		*out = SECTION_ALL;
		return 0;
	}
	while ((item = list_next(&text, &len)) != NULL) {
		size_t i;

		for (i = 0; i < sizeof(section_names) / sizeof(section_names[0]);
		     i++) {
			if (item_is(item, len, section_names[i].name))
				break;
		}
		if (i == sizeof(section_names) / sizeof(section_names[0]))
			return req_error_set(&err->err, REQ_INVALID_PARAMETER,
				"Sections",
				i18n_pick(req,
					  "Giá trị Sections=\"%s\" không hợp "
					  "lệ: các phần là ServiceIdentification, "
					  "ServiceProvider, OperationsMetadata, "
					  "Contents, Themes và All.",
					  "Invalid Sections=\"%s\": the "
					  "sections are ServiceIdentification, "
					  "ServiceProvider, OperationsMetadata, "
					  "Contents, Themes and All."),
				req_value(http_param_ci(req, "Sections"), shown,
					  sizeof(shown)));
		*out |= section_names[i].bits;
	}
	if (*out == 0)
		*out = SECTION_ALL;
	return 0;
}

/* The response type for AcceptFormats: the first of the listed types that
   vnsdi writes, else application/xml. */
static const char *accept_formats_pick(const char *list)
{
	const char *item;
	size_t len;

	while (list != NULL && (item = list_next(&list, &len)) != NULL) {
		if (item_is(item, len, "text/xml"))
			return "text/xml";
		if (item_is(item, len, "application/xml"))
			return "application/xml";
	}
	return "application/xml";
}

static void operation(struct strbuf *sb, const char *base, const char *name)
{
	strbuf_printf(sb, "<ows:Operation name=\"%s\"><ows:DCP><ows:HTTP>", name);
	strbuf_puts(sb, "<ows:Get xlink:href=\"");
	strbuf_xml(sb, base);
	strbuf_puts(sb, "/wmts?\"><ows:Constraint name=\"GetEncoding\">"
			"<ows:AllowedValues><ows:Value>KVP</ows:Value>"
			"</ows:AllowedValues></ows:Constraint></ows:Get>");
	strbuf_puts(sb, "<ows:Get xlink:href=\"");
	strbuf_xml(sb, base);
	strbuf_puts(sb, "/wmts/1.0.0/\"><ows:Constraint name=\"GetEncoding\">"
			"<ows:AllowedValues><ows:Value>RESTful</ows:Value>"
			"</ows:AllowedValues></ows:Constraint></ows:Get>");
	strbuf_puts(sb, "</ows:HTTP></ows:DCP></ows:Operation>\n");
}

static void operations_part(struct strbuf *sb, const char *base)
{
	strbuf_puts(sb, "<ows:OperationsMetadata>\n");
	operation(sb, base, "GetCapabilities");
	operation(sb, base, "GetTile");
	operation(sb, base, "GetFeatureInfo");
	strbuf_puts(sb, "</ows:OperationsMetadata>\n");
}

static void style_part(struct strbuf *sb, const char *base,
		       const struct layer_snapshot *snap)
{
	const struct cfg_layer *layer = snap->cfg;
	size_t n = layer->kind == CFG_LAYER_RASTER || layer->n_styles == 0
			   ? 1 : layer->n_styles;

	for (size_t i = 0; i < n; i++) {
		const struct cfg_style *style =
			layer->kind == CFG_LAYER_VECTOR && layer->n_styles > 0
				? &layer->styles[i] : NULL;
		const char *id = style != NULL ? style->name : "default";

		strbuf_printf(sb, "<Style isDefault=\"%s\">",
			      i == 0 ? "true" : "false");
		xml_text(sb, "ows:Title", "vi",
			 style != NULL ? style->title_vi : "Mặc định");
		xml_text(sb, "ows:Title", "en",
			 style != NULL ? style->title_en : "Default");
		xml_text(sb, "ows:Identifier", NULL, id);
		strbuf_puts(sb, "<LegendURL format=\"image/png\" xlink:href=\"");
		strbuf_xml(sb, base);
		strbuf_puts(sb, "/wms?SERVICE=WMS&amp;VERSION=1.3.0&amp;"
				"REQUEST=GetLegendGraphic&amp;FORMAT=image/png"
				"&amp;LAYER=");
		strbuf_xml(sb, layer->id);
		strbuf_puts(sb, "&amp;STYLE=");
		strbuf_xml(sb, id);
		strbuf_puts(sb, "\"/></Style>\n");
	}
}

static void limits_part(struct strbuf *sb, const struct tms_set *set,
			const struct tms_layer_limits *limits)
{
	strbuf_printf(sb, "<TileMatrixSetLink><TileMatrixSet>%s</TileMatrixSet>"
		      "<TileMatrixSetLimits>\n", set->id);
	for (int z = limits->min_z; z <= limits->max_z; z++) {
		const struct tms_limits *l = &limits->limits[z];

		if (l->empty)
			continue;
		strbuf_printf(sb,
			      "<TileMatrixLimits><TileMatrix>%s</TileMatrix>"
			      "<MinTileRow>%lld</MinTileRow>"
			      "<MaxTileRow>%lld</MaxTileRow>"
			      "<MinTileCol>%lld</MinTileCol>"
			      "<MaxTileCol>%lld</MaxTileCol></TileMatrixLimits>\n",
			      set->matrices[z].id, (long long)l->min_row,
			      (long long)l->max_row, (long long)l->min_col,
			      (long long)l->max_col);
	}
	strbuf_puts(sb, "</TileMatrixSetLimits></TileMatrixSetLink>\n");
}

static void resource_url(struct strbuf *sb, const char *base, const char *layer,
			 const char *format, const char *type,
			 const char *suffix)
{
	strbuf_printf(sb, "<ResourceURL format=\"%s\" resourceType=\"%s\" "
		      "template=\"", format, type);
	strbuf_xml(sb, base);
	strbuf_puts(sb, "/wmts/1.0.0/");
	strbuf_xml(sb, layer);
	strbuf_printf(sb, "/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/"
		      "{TileCol}%s\"/>\n", suffix);
}

static void formats_part(struct strbuf *sb, const struct layer_snapshot *snap)
{
	bool raster = snap->cfg->kind == CFG_LAYER_RASTER;

	strbuf_puts(sb, "<Format>image/png</Format>");
	strbuf_puts(sb, raster ? "<Format>image/jpeg</Format>\n"
			       : "<Format>image/png; mode=8bit</Format>\n");
	if (!raster)
		strbuf_puts(sb, "<InfoFormat>application/json</InfoFormat>"
				"<InfoFormat>text/html</InfoFormat>"
				"<InfoFormat>text/plain</InfoFormat>"
				"<InfoFormat>application/vnd.ogc.gml"
				"</InfoFormat>\n");
}

/* One Layer element; nothing when the layer serves no tile at all. */
static void layer_part(struct strbuf *sb, const struct http_request *req,
		       const struct layer_snapshot *snap)
{
	const struct cfg_layer *layer = snap->cfg;
	const char *base = req->base_url;
	struct tms_layer_limits limits[8];
	size_t n_sets = tms_count();
	bool any = false;

	if (n_sets > 8)
		n_sets = 8;
	for (size_t s = 0; s < n_sets; s++) {
		if (tms_layer_limits(req->srv->cfg, tms_at(s), snap,
				     &limits[s]) != 0)
			limits[s].min_z = -1;
		any = any || limits[s].min_z >= 0;
	}
	if (!any)
		return;

	strbuf_puts(sb, "<Layer>");
	xml_text(sb, "ows:Title", "vi", layer->title_vi);
	xml_text(sb, "ows:Title", "en", layer->title_en);
	xml_text(sb, "ows:Abstract", "vi", layer->abstract_vi);
	xml_text(sb, "ows:Abstract", "en", layer->abstract_en);
	strbuf_printf(sb, "<ows:WGS84BoundingBox><ows:LowerCorner>%.9g %.9g"
		      "</ows:LowerCorner><ows:UpperCorner>%.9g %.9g"
		      "</ows:UpperCorner></ows:WGS84BoundingBox>",
		      snap->extent[0], snap->extent[1], snap->extent[2],
		      snap->extent[3]);
	xml_text(sb, "ows:Identifier", NULL, layer->id);
	strbuf_puts(sb, "\n");
	style_part(sb, base, snap);
	formats_part(sb, snap);
	for (size_t s = 0; s < n_sets; s++)
		if (limits[s].min_z >= 0)
			limits_part(sb, tms_at(s), &limits[s]);
	resource_url(sb, base, layer->id, "image/png", "tile", ".png");
	if (layer->kind == CFG_LAYER_RASTER) {
		resource_url(sb, base, layer->id, "image/jpeg", "tile", ".jpg");
	} else {
		resource_url(sb, base, layer->id, "image/png; mode=8bit",
			     "tile", ".png8");
		resource_url(sb, base, layer->id, "application/json",
			     "FeatureInfo", "/{J}/{I}.json");
		resource_url(sb, base, layer->id, "text/html", "FeatureInfo",
			     "/{J}/{I}.html");
		resource_url(sb, base, layer->id, "text/plain", "FeatureInfo",
			     "/{J}/{I}.txt");
	}
	strbuf_puts(sb, "</Layer>\n");
}

static void matrix_set_part(struct strbuf *sb, const struct tms_set *set)
{
	strbuf_puts(sb, "<TileMatrixSet>");
	xml_text(sb, "ows:Title", "vi", set->title_vi);
	xml_text(sb, "ows:Title", "en", set->title_en);
	xml_text(sb, "ows:Identifier", NULL, set->id);
	strbuf_printf(sb, "<ows:BoundingBox crs=\"%s\"><ows:LowerCorner>",
		      set->crs_urn);
	corner(sb, set->crs, set->bbox[0], set->bbox[1]);
	strbuf_puts(sb, "</ows:LowerCorner><ows:UpperCorner>");
	corner(sb, set->crs, set->bbox[2], set->bbox[3]);
	strbuf_printf(sb, "</ows:UpperCorner></ows:BoundingBox>"
		      "<ows:SupportedCRS>%s</ows:SupportedCRS>", set->crs_urn);
	if (set->well_known_scale_set != NULL)
		strbuf_printf(sb, "<WellKnownScaleSet>%s</WellKnownScaleSet>",
			      set->well_known_scale_set);
	strbuf_puts(sb, "\n");
	for (size_t z = 0; z < set->n_matrices; z++) {
		const struct tms_matrix *m = &set->matrices[z];

		strbuf_printf(sb, "<TileMatrix><ows:Identifier>%s"
			      "</ows:Identifier><ScaleDenominator>%.16g"
			      "</ScaleDenominator><TopLeftCorner>",
			      m->id, m->scale_denominator);
		corner(sb, set->crs, m->top_left[0], m->top_left[1]);
		strbuf_printf(sb, "</TopLeftCorner><TileWidth>%d</TileWidth>"
			      "<TileHeight>%d</TileHeight>"
			      "<MatrixWidth>%lld</MatrixWidth>"
			      "<MatrixHeight>%lld</MatrixHeight></TileMatrix>\n",
			      TMS_TILE_SIZE, TMS_TILE_SIZE,
			      (long long)m->matrix_width,
			      (long long)m->matrix_height);
	}
	strbuf_puts(sb, "</TileMatrixSet>\n");
}

#define CAPABILITIES_ROOT \
	"<Capabilities xmlns=\"http://www.opengis.net/wmts/1.0\" " \
	"xmlns:ows=\"http://www.opengis.net/ows/1.1\" " \
	"xmlns:xlink=\"http://www.w3.org/1999/xlink\" " \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" " \
	"xmlns:gml=\"http://www.opengis.net/gml\" " \
	"xsi:schemaLocation=\"http://www.opengis.net/wmts/1.0 " \
	"http://schemas.opengis.net/wmts/1.0/" \
	"wmtsGetCapabilities_response.xsd\" version=\"1.0.0\" " \
	"updateSequence=\"%" PRId64 "\""

/* Check the KVP parameters of GetCapabilities. Returns 0 to send the
   document, 1 when `res` is already filled (an error, or the short
   document of a current UpdateSequence). */
static int kvp_parameters(struct http_request *req, struct http_response *res,
			  int64_t sequence, unsigned int *sections,
			  const char **type)
{
	struct wmts_error err = {0};
	struct strbuf sb;
	char *body;
	size_t size = 0;

	if (accept_versions_check(req, &err) != 0 ||
	    sections_parse(req, sections, &err) != 0) {
		wmts_reply_error(req, res, &err);
		return 1;
	}
	switch (update_sequence_check(req, "UpdateSequence",
				      http_param_ci(req, "UpdateSequence"),
				      sequence, &err.err)) {
	case UPDATE_SEQUENCE_OLDER:
		break;
	case UPDATE_SEQUENCE_INVALID:
		wmts_reply_error(req, res, &err);
		return 1;
	case UPDATE_SEQUENCE_CURRENT:
		/* OWS Common: the client's copy is current, so the reply
		   contains only the version and the updateSequence. */
		strbuf_init(&sb, 4096);
		strbuf_printf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			      "\n" CAPABILITIES_ROOT "/>\n", sequence);
		body = sb.overflow ? NULL : strbuf_take(&sb, &size);
		strbuf_free(&sb);
		if (body == NULL) {
			http_response_copy(res, 503, "text/plain; charset=utf-8",
					   "out of memory\n", 14);
			return 1;
		}
		http_response_take(res, 200, accept_formats_pick(
			http_param_ci(req, "AcceptFormats")), body, size);
		http_response_header(res, "Cache-Control",
				     "max-age=0, must-revalidate");
		return 1;
	}
	*type = accept_formats_pick(http_param_ci(req, "AcceptFormats"));
	return 0;
}

void wmts_get_capabilities(struct http_request *req, struct http_response *res,
			   bool kvp)
{
	struct layer_registry *reg = req->srv->layers;
	int64_t sequence = layer_registry_update_sequence(reg);
	unsigned int sections = SECTION_ALL;
	const char *type = "application/xml";
	struct strbuf sb;
	char *body;
	size_t size = 0;

	if (kvp && kvp_parameters(req, res, sequence, &sections, &type) != 0)
		return;
	strbuf_init(&sb, WMTS_MAX_XML);
	strbuf_printf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      CAPABILITIES_ROOT ">\n", sequence);
	service_part(&sb, req, sections);
	if (sections & SECTION_OPERATIONS)
		operations_part(&sb, req->base_url);
	if (sections & SECTION_CONTENTS) {
		strbuf_puts(&sb, "<Contents>\n");
		for (size_t i = 0; i < layer_registry_count(reg); i++) {
			struct layer_snapshot *snap =
				layer_registry_acquire(reg, i);

			if (snap == NULL)
				continue;
			layer_part(&sb, req, snap);
			layer_snapshot_release(snap);
		}
		for (size_t s = 0; s < tms_count(); s++)
			if (tms_at(s) != NULL)
				matrix_set_part(&sb, tms_at(s));
		strbuf_puts(&sb, "</Contents>\n");
	}
	if (sections == SECTION_ALL) {
		strbuf_puts(&sb, "<ServiceMetadataURL xlink:href=\"");
		strbuf_xml(&sb, req->base_url);
		strbuf_puts(&sb, "/wmts/1.0.0/WMTSCapabilities.xml\"/>\n");
	}
	strbuf_puts(&sb, "</Capabilities>\n");

	body = sb.overflow ? NULL : strbuf_take(&sb, &size);
	strbuf_free(&sb);
	if (body == NULL) {
		struct wmts_error err = {0};

		req_error_set(&err.err, REQ_INTERNAL, "",
			i18n_pick(req,
				  "Tài liệu năng lực vượt quá %u byte.",
				  "The capabilities document exceeds %u "
				  "bytes."), WMTS_MAX_XML);
		wmts_reply_error(req, res, &err);
		return;
	}
	http_response_take(res, 200, type, body, size);
	http_response_header(res, "Cache-Control", "max-age=0, must-revalidate");
}
