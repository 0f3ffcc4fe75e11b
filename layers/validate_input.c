/*
 * What an uploaded file is: a zip (a zipped Shapefile, or a GeoPackage or
 * GeoJSON in a zip), a GeoPackage or a GeoJSON text, told apart by their
 * first bytes, never by the name the client gave.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

#include "layers/layers_internal.h"
#include "layers/publish.h"

enum input_kind {
	INPUT_UNKNOWN,
	INPUT_ZIP,
	INPUT_GPKG,
	INPUT_GEOJSON
};

/* Tell the kind of a file from its first bytes. */
static enum input_kind input_sniff(const char *path)
{
	unsigned char head[64];
	size_t n, i = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return INPUT_UNKNOWN;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0)
		return INPUT_ZIP;
	if (n >= 16 && memcmp(head, "SQLite format 3", 16) == 0)
		return INPUT_GPKG;
	/* GeoJSON: a '{' after an optional UTF-8 BOM and white space. */
	if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' ||
			 head[i] == '\r' || head[i] == '\n'))
		i++;
	return i < n && head[i] == '{' ? INPUT_GEOJSON : INPUT_UNKNOWN;
}

static bool name_ends(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcasecmp(name + n - e, ext) == 0;
}

static void set_error(char *vi, char *en, size_t size, const char *text_vi,
		      const char *text_en)
{
	snprintf(vi, size, "%s", text_vi);
	snprintf(en, size, "%s", text_en);
}

/* The one data set inside a zip: a .shp, else a .gpkg, .geojson, .json. */
static int zip_member(const char *zip_path, char *out, size_t size,
		      char *error_vi, char *error_en, size_t error_size)
{
	static const char *const exts[] = { ".shp", ".gpkg", ".geojson",
					    ".json", NULL };
	char root[4200];
	char **names;
	int found = 0;

	snprintf(root, sizeof(root), "/vsizip/%s", zip_path);
	names = VSIReadDirRecursive(root);
	if (names == NULL) {
		set_error(error_vi, error_en, error_size,
			  "tệp zip bị hỏng hoặc không đầy đủ",
			  "the zip file is damaged or truncated");
		return -1;
	}
	for (int e = 0; exts[e] != NULL && found == 0; e++) {
		for (int i = 0; names[i] != NULL; i++) {
			if (!name_ends(names[i], exts[e]) ||
			    strstr(names[i], "__MACOSX") != NULL)
				continue;
			if (found++ == 0)
				snprintf(out, size, "%s/%s", root, names[i]);
		}
	}
	CSLDestroy(names);
	if (found == 1)
		return 0;
	if (found == 0)
		set_error(error_vi, error_en, error_size,
			  "tệp zip không chứa tệp .shp, .gpkg hay .geojson "
			  "nào",
			  "the zip holds no .shp, .gpkg or .geojson file");
	else
		set_error(error_vi, error_en, error_size,
			  "tệp zip chứa nhiều tập dữ liệu: chỉ gửi một",
			  "the zip holds several data sets: send one");
	return -1;
}

int publish_input_detect(const char *upload_path, char *gdal_path,
			 size_t gdal_path_size, char *error_vi,
			 char *error_en, size_t error_size)
{
	static const char *const ext[] = { "", ".zip", ".gpkg", ".geojson" };
	enum input_kind kind = input_sniff(upload_path);
	char renamed[4096];

	if (kind == INPUT_UNKNOWN) {
		set_error(error_vi, error_en, error_size,
			  "không nhận ra định dạng tệp: cần GeoPackage, "
			  "Shapefile nén zip hoặc GeoJSON",
			  "unrecognised file format: send a GeoPackage, a "
			  "zipped Shapefile or GeoJSON");
		return -1;
	}
	if (snprintf(renamed, sizeof(renamed), "%s%s", upload_path,
		     ext[kind]) >= (int)sizeof(renamed) ||
	    rename(upload_path, renamed) != 0) {
		set_error(error_vi, error_en, error_size,
			  "không đổi tên được tệp tải lên",
			  "cannot rename the uploaded file");
		return -1;
	}
	if (kind == INPUT_ZIP)
		return zip_member(renamed, gdal_path, gdal_path_size,
				  error_vi, error_en, error_size);
	snprintf(gdal_path, gdal_path_size, "%s", renamed);
	return 0;
}
