/*
 * The GeoPackage of a new version, written during the validation pass:
 * every field of the file, the feature ids and the CRS are kept; repaired
 * geometries replace the originals. One transaction for the whole layer.
 */
#include <stdio.h>
#include <string.h>

#include <cpl_error.h>

#include "layers/layers_internal.h"
#include "layers/validate_internal.h"

int validate_write_open(struct validate_run *run, const char *path)
{
	const struct cfg_layer *l = run->opt->layer;
	GDALDriverH driver = GDALGetDriverByName("GPKG");
	OGRFeatureDefnH defn = OGR_L_GetLayerDefn(run->ogr);
	const char *name = l->source_layer != NULL ? l->source_layer : l->id;
	OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(run->ogr);
	const char *options[] = { "FID=fid", "SPATIAL_INDEX=NO", NULL };

	if (driver == NULL)
		return -1;
	VSIUnlink(path);
	run->out_ds = GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, NULL);
	if (run->out_ds == NULL)
		return -1;
	run->out_layer = GDALDatasetCreateLayer(run->out_ds, name, srs,
						OGR_L_GetGeomType(run->ogr),
						(char **)options);
	if (run->out_layer == NULL)
		return -1;
	for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
		OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);

		/* A field named like the FID column cannot be created. */
		if (strcmp(OGR_Fld_GetNameRef(fd), "fid") == 0)
			continue;
		if (OGR_L_CreateField(run->out_layer, fd, TRUE) != OGRERR_NONE)
			return -1;
	}
	return GDALDatasetStartTransaction(run->out_ds, FALSE) == OGRERR_NONE ?
	       0 : -1;
}

int validate_write_feature(struct validate_run *run, OGRFeatureH f,
			   OGRGeometryH geometry)
{
	OGRFeatureH out = OGR_F_Create(OGR_L_GetLayerDefn(run->out_layer));
	OGRErr err;

	if (out == NULL)
		return -1;
	OGR_F_SetFrom(out, f, TRUE);
	if (geometry != NULL)
		OGR_F_SetGeometry(out, geometry);
	/* The source id is kept as it is, 0 included (GeoJSON and shapefile
	   ids start at 0, and SQLite stores a rowid of 0), so a layer without
	   an id attribute keeps its featureIds across versions. Giving id 0 a
	   new one would collide with the source's id 1. */
	OGR_F_SetFID(out, OGR_F_GetFID(f) >= 0 ? OGR_F_GetFID(f) : OGRNullFID);
	err = OGR_L_CreateFeature(run->out_layer, out);
	OGR_F_Destroy(out);
	if (err != OGRERR_NONE)
		return -1;
	run->report->n_written++;
	return 0;
}

int validate_write_close(struct validate_run *run)
{
	int rc = 0;

	if (GDALDatasetCommitTransaction(run->out_ds) != OGRERR_NONE)
		rc = -1;
	CPLErrorReset();
	GDALClose(run->out_ds);
	run->out_ds = NULL;
	run->out_layer = NULL;
	if (CPLGetLastErrorType() >= CE_Failure)
		rc = -1;
	return rc;
}
