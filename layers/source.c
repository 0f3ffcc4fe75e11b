/*
 * Opening a vector source read-only and choosing its storage CRS: the one
 * declared in the config, or the data set's own.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

bool layer_path_is_special(const char *path)
{
	struct stat st;

	/* Connection strings and /vsi paths do not stat: GDAL decides. */
	if (path == NULL || stat(path, &st) != 0)
		return false;
	return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

static GDALDatasetH open_vector(const char *path, const char *dbf_encoding)
{
	const char *shapefile[] = { "ESRI Shapefile", NULL };
	unsigned flags = GDAL_OF_VECTOR | GDAL_OF_READONLY;
	GDALDatasetH ds = GDALOpenEx(path, flags, NULL, NULL, NULL);
	char option[96];
	const char *options[] = { option, NULL };

	if (ds == NULL || dbf_encoding == NULL)
		return ds;
	if (strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)),
		   "ESRI Shapefile") != 0)
		return ds;
	GDALClose(ds);
	/* An empty ENCODING hands the DBF bytes over as they are. */
	snprintf(option, sizeof(option), "ENCODING=%s", dbf_encoding);
	return GDALOpenEx(path, flags, shapefile, options, NULL);
}

GDALDatasetH layer_vector_open(const char *path, const char *layer_name,
			       const char *dbf_encoding, bool allow_single,
			       OGRLayerH *layer, char *error,
			       size_t error_size)
{
	GDALDatasetH ds;
	char names[512];

	layer_gdal_init();
	*layer = NULL;
	if (layer_path_is_special(path)) {
		snprintf(error, error_size, "not a regular file or a folder");
		return NULL;
	}
	CPLErrorReset();
	ds = open_vector(path, dbf_encoding);
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

/*
 * Split a message of vn2000_crs_identify, "Vietnamese. / English.", into
 * its two languages. CRS names may contain " / " themselves, so the split
 * is at the first ". / ".
 */
static void split_message(const char *both, struct layer_message *out)
{
	const char *sep = strstr(both, ". / ");

	if (sep == NULL) {
		snprintf(out->vi, sizeof(out->vi), "%s", both);
		snprintf(out->en, sizeof(out->en), "%s", both);
		return;
	}
	snprintf(out->vi, sizeof(out->vi), "%.*s", (int)(sep - both + 1),
		 both);
	snprintf(out->en, sizeof(out->en), "%s", sep + 4);
}

static void set_message(struct layer_message *out, const char *vi,
			const char *en)
{
	snprintf(out->vi, sizeof(out->vi), "%s", vi);
	snprintf(out->en, sizeof(out->en), "%s", en);
}

/*
 * Warn when the data set declares a CRS of its own that is not the one
 * the config declares: one of the two is wrong, and the features would
 * land far from where they are (and miss the restricted areas).
 */
static void check_declared(GDALDatasetH ds, OGRSpatialReferenceH srs,
			   const struct vn2000_crs *declared,
			   struct layer_message *warning)
{
	const struct vn2000_crs *own;
	char note[256], reason[512];

	/* OGR reports WGS 84 for any GeoJSON file without a crs member, so
	   that is no declaration of the data's CRS. */
	if (srs == NULL || is_geojson_wgs84(ds, srs))
		return;
	own = vn2000_crs_identify(srs, note, sizeof(note), reason,
				  sizeof(reason));
	/* A custom entry is a CRS outside the catalogue, such as the WGS 84
	   stand-in that MapInfo writes for VN-2000; declaring the CRS is the
	   documented fix for those, so only catalogue entries are compared. */
	if (own == NULL || own == declared ||
	    strncmp(own->id, "CUSTOM:", 7) == 0 ||
	    strcmp(own->proj_def, declared->proj_def) == 0)
		return;
	snprintf(warning->vi, sizeof(warning->vi),
		 "cấu hình khai báo crs %s nhưng tập dữ liệu khai báo %s (%s); "
		 "dữ liệu được đọc theo %s, hãy kiểm tra lại",
		 declared->id, own->id, own->name_vi, declared->id);
	snprintf(warning->en, sizeof(warning->en),
		 "the config declares crs %s but the data set declares %s "
		 "(%s); the data is read as %s, check which one is right",
		 declared->id, own->id, own->name_en, declared->id);
}

const struct vn2000_crs *layer_crs_choose_lang(GDALDatasetH ds,
					       OGRLayerH layer,
					       const char *declared,
					       char *note, size_t note_size,
					       struct layer_message *error,
					       struct layer_message *warning)
{
	OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
	const struct vn2000_crs *crs;
	char reason[1024] = "";

	note[0] = '\0';
	error->vi[0] = error->en[0] = '\0';
	warning->vi[0] = warning->en[0] = '\0';
	if (declared != NULL) {
		crs = vn2000_crs_find(declared);
		if (crs == NULL) {
			snprintf(error->vi, sizeof(error->vi), "hệ tọa độ '%s' "
				 "không có trong danh mục", declared);
			snprintf(error->en, sizeof(error->en),
				 "unknown CRS '%s'", declared);
			return NULL;
		}
		snprintf(note, note_size, "%s declared in the config",
			 crs->id);
		check_declared(ds, srs, crs, warning);
		return crs;
	}
	if (srs == NULL) {
		set_message(error, "tập dữ liệu không có hệ tọa độ",
			    "the data set has no CRS");
		return NULL;
	}
	if (is_geojson_wgs84(ds, srs)) {
		crs = vn2000_crs_find("CRS:84");
		snprintf(note, note_size, "CRS:84, GeoJSON in WGS 84 "
			 "longitude, latitude");
		return crs;
	}
	crs = vn2000_crs_identify(srs, note, note_size, reason, sizeof(reason));
	if (crs == NULL && reason[0] != '\0')
		split_message(reason, error);
	else if (crs == NULL)
		set_message(error, "không nhận ra hệ tọa độ của tập dữ liệu",
			    "the CRS of the data set cannot be identified");
	return crs;
}

const struct vn2000_crs *layer_crs_choose(GDALDatasetH ds, OGRLayerH layer,
					  const char *declared,
					  char *note, size_t note_size,
					  char *error, size_t error_size)
{
	struct layer_message why, warning;
	const struct vn2000_crs *crs;

	crs = layer_crs_choose_lang(ds, layer, declared, note, note_size,
				    &why, &warning);
	if (crs == NULL)
		snprintf(error, error_size, "%s", why.en);
	return crs;
}
