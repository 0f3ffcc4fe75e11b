/*
 * Opening a vector source read-only and choosing its storage CRS: the one
 * declared in the config, or the data set's own.
 */
#include <stdio.h>
#include <string.h>

#include <cpl_error.h>
#include <cpl_string.h>

#include "layers/layers_internal.h"

/* List the layer names of a data set into `out`, comma separated. */
static void list_layers(GDALDatasetH ds, char *out, size_t size)
{
	size_t used = 0;
	int n = GDALDatasetGetLayerCount(ds);

	out[0] = '\0';
	for (int i = 0; i < n && used + 1 < size; i++) {
		OGRLayerH l = GDALDatasetGetLayer(ds, i);
		int w = snprintf(out + used, size - used, "%s%s",
				 i ? ", " : "", OGR_L_GetName(l));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static GDALDatasetH open_vector(const char *path, bool raw_strings)
{
	/* An empty ENCODING hands the DBF bytes over as they are. */
	const char *raw[] = { "ENCODING=", NULL };
	const char *shapefile[] = { "ESRI Shapefile", NULL };
	unsigned flags = GDAL_OF_VECTOR | GDAL_OF_READONLY;
	GDALDatasetH ds = GDALOpenEx(path, flags, NULL, NULL, NULL);

	if (ds == NULL || !raw_strings)
		return ds;
	if (strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)),
		   "ESRI Shapefile") != 0)
		return ds;
	GDALClose(ds);
	return GDALOpenEx(path, flags, shapefile, raw, NULL);
}

GDALDatasetH layer_vector_open(const char *path, const char *layer_name,
			       bool raw_strings, bool allow_single,
			       OGRLayerH *layer, char *error,
			       size_t error_size)
{
	GDALDatasetH ds;
	char names[512];

	layer_gdal_init();
	*layer = NULL;
	CPLErrorReset();
	ds = open_vector(path, raw_strings);
	if (ds == NULL) {
		const char *reason = CPLGetLastErrorMsg();
		snprintf(error, error_size, "%s", reason[0] ? reason : "?");
		return NULL;
	}
	if (layer_name == NULL)
		*layer = GDALDatasetGetLayer(ds, 0);
	else
		*layer = GDALDatasetGetLayerByName(ds, layer_name);
	if (*layer == NULL && allow_single &&
	    GDALDatasetGetLayerCount(ds) == 1)
		*layer = GDALDatasetGetLayer(ds, 0);
	if (*layer == NULL) {
		list_layers(ds, names, sizeof(names));
		snprintf(error, error_size, "layer '%s' not found (layers: %s)",
			 layer_name ? layer_name : "", names);
		GDALClose(ds);
		return NULL;
	}
	return ds;
}

/*
 * GeoJSON coordinates are longitude, latitude (RFC 7946), and OGR reports
 * WGS 84 for a file without a crs member.
 */
static bool is_geojson_wgs84(GDALDatasetH ds, OGRSpatialReferenceH srs)
{
	const char *driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
	const char *code;

	if (strcmp(driver, "GeoJSON") != 0 && strcmp(driver, "GeoJSONSeq"))
		return false;
	if (!OSRIsGeographic(srs))
		return false;
	code = OSRGetAuthorityCode(srs, NULL);
	return code != NULL && strcmp(code, "4326") == 0;
}

const struct vn2000_crs *layer_crs_choose(GDALDatasetH ds, OGRLayerH layer,
					  const char *declared,
					  char *note, size_t note_size,
					  char *error, size_t error_size)
{
	OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
	const struct vn2000_crs *crs;
	char reason[512] = "";

	note[0] = '\0';
	if (declared != NULL) {
		crs = vn2000_crs_find(declared);
		if (crs == NULL)
			snprintf(error, error_size, "unknown CRS '%s'",
				 declared);
		else
			snprintf(note, note_size, "%s declared in the config",
				 crs->id);
		return crs;
	}
	if (srs == NULL) {
		snprintf(error, error_size, "the data set has no CRS");
		return NULL;
	}
	if (is_geojson_wgs84(ds, srs)) {
		crs = vn2000_crs_find("CRS:84");
		snprintf(note, note_size, "CRS:84, GeoJSON in WGS 84 "
			 "longitude, latitude");
		return crs;
	}
	crs = vn2000_crs_identify(srs, note, note_size, reason, sizeof(reason));
	if (crs == NULL)
		snprintf(error, error_size, "%s", reason[0] ? reason
			 : "the CRS of the data set cannot be identified");
	return crs;
}
