/*
 * Features through OGR: geometries for WKT and GML, and whole query
 * results written as FlatGeobuf or GeoPackage files by GDAL's drivers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdal.h>
#include <ogr_srs_api.h>

#include "server/output.h"
#include "vn2000/vn2000.h"

double *output_coords(const struct layer_snapshot *snap,
		      const struct feature *f, const struct vn2000_crs *crs,
		      bool lat_first, bool *failed)
{
	const struct vn2000_crs *crs84 = vn2000_crs_find("CRS:84");
	size_t n = f->native.n_points;
	struct vn2000_transform *tr;
	double *xy;

	*failed = false;
	if (n == 0)
		return NULL;
	xy = malloc(2 * n * sizeof(double));
	if (xy == NULL) {
		*failed = true;
		return NULL;
	}
	if (crs == NULL || crs == crs84) {
		memcpy(xy, f->lonlat.xy, 2 * n * sizeof(double));
	} else {
		memcpy(xy, f->native.xy, 2 * n * sizeof(double));
		if (crs != snap->crs) {
			tr = vn2000_transform_get(snap->crs, crs);
			if (tr == NULL || vn2000_transform_xy(tr, xy, n) != 0) {
				free(xy);
				*failed = true;
				return NULL;
			}
		}
	}
	for (size_t i = 0; lat_first && i < n; i++) {
		double t = xy[2 * i];

		xy[2 * i] = xy[2 * i + 1];
		xy[2 * i + 1] = t;
	}
	return xy;
}

static OGRGeometryH ogr_path(OGRwkbGeometryType type, const double *xy,
			     uint32_t from, uint32_t to)
{
	OGRGeometryH g = OGR_G_CreateGeometry(type);

	OGR_G_SetPointCount(g, (int)(to - from));
	for (uint32_t k = from; k < to; k++)
		OGR_G_SetPoint_2D(g, (int)(k - from), xy[2 * (size_t)k],
				  xy[2 * (size_t)k + 1]);
	return g;
}

static OGRGeometryH ogr_polygons(const struct geom *g, const double *xy)
{
	OGRGeometryH multi = OGR_G_CreateGeometry(wkbMultiPolygon);
	OGRGeometryH poly = NULL;

	for (uint32_t i = 0; i < g->n_parts; i++) {
		if (poly == NULL || g->part_outer == NULL || g->part_outer[i]) {
			if (poly != NULL)
				OGR_G_AddGeometryDirectly(multi, poly);
			poly = OGR_G_CreateGeometry(wkbPolygon);
		}
		OGR_G_AddGeometryDirectly(poly, ogr_path(wkbLinearRing, xy,
			g->part_start[i], g->part_start[i + 1]));
	}
	if (poly != NULL)
		OGR_G_AddGeometryDirectly(multi, poly);
	if (!g->multi && OGR_G_GetGeometryCount(multi) == 1) {
		OGRGeometryH single = OGR_G_Clone(OGR_G_GetGeometryRef(multi,
								       0));

		OGR_G_DestroyGeometry(multi);
		return single;
	}
	return multi;
}

OGRGeometryH output_ogr_geometry(const struct geom *g, const double *xy)
{
	OGRGeometryH out;

	if (g->type == GEOM_NONE || g->n_points == 0 || xy == NULL)
		return NULL;
	switch (g->type) {
	case GEOM_POINT:
		if (!g->multi && g->n_points == 1) {
			out = OGR_G_CreateGeometry(wkbPoint);
			OGR_G_SetPoint_2D(out, 0, xy[0], xy[1]);
			return out;
		}
		out = OGR_G_CreateGeometry(wkbMultiPoint);
		for (uint32_t k = 0; k < g->n_points; k++) {
			OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);

			OGR_G_SetPoint_2D(p, 0, xy[2 * (size_t)k],
					  xy[2 * (size_t)k + 1]);
			OGR_G_AddGeometryDirectly(out, p);
		}
		return out;
	case GEOM_LINE:
		if (!g->multi && g->n_parts == 1)
			return ogr_path(wkbLineString, xy, g->part_start[0],
					g->part_start[1]);
		out = OGR_G_CreateGeometry(wkbMultiLineString);
		for (uint32_t i = 0; i < g->n_parts; i++)
			OGR_G_AddGeometryDirectly(out, ogr_path(wkbLineString,
				xy, g->part_start[i], g->part_start[i + 1]));
		return out;
	case GEOM_POLYGON:
		return ogr_polygons(g, xy);
	case GEOM_NONE:
		break;
	}
	return NULL;
}

OGRSpatialReferenceH output_ogr_srs(const struct vn2000_crs *crs)
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OGRErr rc;

	if (srs == NULL)
		return NULL;
	if (crs == NULL || (crs->epsg == 0 && strcmp(crs->id, "CRS:84") == 0))
		rc = OSRSetFromUserInput(srs, "OGC:CRS84");
	else if (crs->epsg > 0)
		rc = OSRImportFromEPSG(srs, crs->epsg);
	else
		rc = OSRImportFromProj4(srs, crs->proj_def);
	if (rc != OGRERR_NONE) {
		OSRRelease(srs);
		return NULL;
	}
	OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
	return srs;
}

static OGRFieldType field_type(enum attr_type type)
{
	switch (type) {
	case ATTR_INTEGER:
		return OFTInteger64;
	case ATTR_REAL:
		return OFTReal;
	case ATTR_DATE:
		return OFTDate;
	case ATTR_DATETIME:
		return OFTDateTime;
	case ATTR_STRING:
		break;
	}
	return OFTString;
}

static bool attr_kept(const struct output_source *src, size_t a)
{
	return layer_attr_visible(src->snap, a, src->role) &&
	       (src->mask == NULL || src->mask[a]);
}

static int create_fields(const struct output_source *src, OGRLayerH layer)
{
	for (size_t a = 0; a < src->snap->n_attrs; a++) {
		OGRFieldDefnH def;
		OGRErr rc;

		if (!attr_kept(src, a))
			continue;
		def = OGR_Fld_Create(src->snap->attrs[a].name,
				     field_type(src->snap->attrs[a].type));
		rc = OGR_L_CreateField(layer, def, TRUE);
		OGR_Fld_Destroy(def);
		if (rc != OGRERR_NONE)
			return -1;
	}
	return 0;
}

static int write_feature(const struct output_source *src, OGRLayerH layer,
			 const struct feature *f)
{
	OGRFeatureH out = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	bool failed = false;
	double *xy = output_coords(src->snap, f, src->crs, false, &failed);
	OGRGeometryH g = output_ogr_geometry(&f->native, xy);
	int field = 0;
	OGRErr rc;

	free(xy);
	OGR_F_SetFID(out, (GIntBig)f->fid);
	if (g != NULL)
		OGR_F_SetGeometryDirectly(out, g);
	for (size_t a = 0; a < src->snap->n_attrs; a++) {
		const struct value *v = &f->values[a];

		if (!attr_kept(src, a))
			continue;
		if (v->is_null)
			OGR_F_SetFieldNull(out, field);
		else if (src->snap->attrs[a].type == ATTR_INTEGER)
			OGR_F_SetFieldInteger64(out, field, v->u.i);
		else if (src->snap->attrs[a].type == ATTR_REAL)
			OGR_F_SetFieldDouble(out, field, v->u.d);
		else
			OGR_F_SetFieldString(out, field, v->u.s);
		field++;
	}
	rc = OGR_L_CreateFeature(layer, out);
	OGR_F_Destroy(out);
	return rc == OGRERR_NONE ? 0 : -1;
}

static int write_layer(const struct output_source *src, GDALDatasetH ds,
		       enum output_file_format format, const char *folder)
{
	OGRSpatialReferenceH srs = output_ogr_srs(src->crs);
	char temp_dir[4200];
	/* NOTE: FlatGeobuf is written without its spatial index. With
	   SPATIAL_INDEX=YES GDAL 3.6 held about 350 bytes per feature in
	   memory (68 MiB for 200,000 parcels) until the file was done. */
	char *options[] = {"SPATIAL_INDEX=NO", temp_dir, NULL};
	OGRLayerH layer;
	int rc = -1;

	snprintf(temp_dir, sizeof(temp_dir), "TEMPORARY_DIR=%s", folder);
	layer = GDALDatasetCreateLayer(ds, src->snap->cfg->id, srs,
				       wkbUnknown,
				       format == OUTPUT_FILE_FGB ? options
								 : NULL);
	if (srs != NULL)
		OSRRelease(srs);
	if (layer == NULL || create_fields(src, layer) != 0)
		return -1;
	if (format == OUTPUT_FILE_GPKG &&
	    GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
		return -1;
	for (size_t i = 0; i < src->count; i++)
		if (write_feature(src, layer, src->features[i]) != 0)
			goto done;
	rc = 0;
done:
	if (format == OUTPUT_FILE_GPKG)
		rc = GDALDatasetCommitTransaction(ds) == OGRERR_NONE ? rc : -1;
	return rc;
}

/* A fresh folder under `dir` for one download. */
static int temp_folder(const char *dir, char *out, size_t size)
{
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -1;
	if ((size_t)snprintf(out, size, "%s/download-XXXXXX", dir) >= size)
		return -1;
	return mkdtemp(out) != NULL ? 0 : -1;
}

int output_file_write(const struct output_source *src,
		      enum output_file_format format, const char *dir,
		      long long *size, char *error, size_t error_size)
{
	const char *driver_name = format == OUTPUT_FILE_FGB ? "FlatGeobuf"
							    : "GPKG";
	GDALDriverH driver;
	GDALDatasetH ds;
	char folder[4096], path[4200];
	struct stat st;
	int fd = -1;
	int rc;

	GDALAllRegister();
	driver = GDALGetDriverByName(driver_name);
	if (driver == NULL || temp_folder(dir, folder, sizeof(folder)) != 0) {
		snprintf(error, error_size, "no %s driver or no folder in %s",
			 driver_name, dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.%s", folder, src->snap->cfg->id,
		 format == OUTPUT_FILE_FGB ? "fgb" : "gpkg");
	ds = GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, NULL);
	rc = ds != NULL ? write_layer(src, ds, format, folder) : -1;
	if (ds != NULL)
		GDALClose(ds);
	if (rc == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (rc != 0 || fd < 0 || fstat(fd, &st) != 0) {
		snprintf(error, error_size, "%s: %s", driver_name,
			 CPLGetLastErrorMsg());
		if (fd >= 0)
			close(fd);
		fd = -1;
	} else {
		*size = (long long)st.st_size;
	}
	/* The open descriptor keeps the data; the names go now. */
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.%s-journal", folder,
		 src->snap->cfg->id, "gpkg");
	unlink(path);
	rmdir(folder);
	return fd;
}
