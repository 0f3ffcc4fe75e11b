/*
 * vnsdi-samplegen OUT_DIR: write the Can Tho sample data set,
 * OUT_DIR/cantho_sample.gpkg and the GeoTIFFs in OUT_DIR/imagery.
 * Every run writes the same features and pixels.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "samples/samplegen.h"
#include "vn2000/vn2000.h"

#define SG_PATH_MAX 4096

/* mkdir -p: create the folder and its missing parents. */
static int sg_mkdir(const char *path)
{
	char buf[SG_PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf)) {
		fprintf(stderr, "samplegen: invalid folder \"%s\"\n", path);
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(buf, 0755) == 0 || errno == EEXIST)
		return 0;
fail:
	fprintf(stderr, "samplegen: cannot create %s: %s\n", buf,
		strerror(errno));
	return -1;
}

typedef int (*sg_writer)(GDALDatasetH, const struct sg_plan *);

/* Write every vector layer into a new GeoPackage at `path`. */
static int sg_gpkg_write(const char *path, const struct sg_plan *plan)
{
	static const sg_writer writers[] = {
		sg_write_parcels, sg_write_land_use, sg_write_land_prices,
		sg_write_legal_documents, sg_write_land_statistics,
		sg_write_land_quality, sg_write_inspections,
		sg_write_restricted,
	};
	GDALDriverH driver = GDALGetDriverByName("GPKG");
	GDALDatasetH ds = NULL;
	int rc = -1;

	unlink(path);
	if (driver)
		ds = GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, NULL);
	if (!ds) {
		fprintf(stderr, "samplegen: cannot create %s: %s\n", path,
			CPLGetLastErrorMsg());
		return -1;
	}
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE ||
		    writers[i](ds, plan) < 0 ||
		    GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
			goto cleanup;
	}
	rc = 0;

cleanup:
	GDALClose(ds);
	return rc;
}

static int sg_generate(const char *out)
{
	char imagery[SG_PATH_MAX], tmp[SG_PATH_MAX], gpkg[SG_PATH_MAX];
	struct sg_plan plan;
	int rc = -1;

	snprintf(imagery, sizeof(imagery), "%s/imagery", out);
	snprintf(tmp, sizeof(tmp), "%s/.cantho_sample.tmp.gpkg", out);
	snprintf(gpkg, sizeof(gpkg), "%s/cantho_sample.gpkg", out);
	if (sg_mkdir(out) < 0 || sg_mkdir(imagery) < 0)
		return -1;
	if (sg_plan_build(&plan) < 0) {
		fprintf(stderr, "samplegen: cannot build the plan\n");
		goto cleanup;
	}

	/* The GeoPackage comes last: make-sample.sh tests for it. */
	if (sg_write_imagery(imagery, &plan) < 0 ||
	    sg_gpkg_write(tmp, &plan) < 0)
		goto cleanup;
	if (rename(tmp, gpkg) != 0) {
		fprintf(stderr, "samplegen: cannot rename %s to %s: %s\n", tmp,
			gpkg, strerror(errno));
		goto cleanup;
	}
	printf("samplegen: wrote %s (%zu parcels, %zu blocks) and %s/*.tif\n",
	       gpkg, plan.n_parcels, plan.n_blocks, imagery);
	rc = 0;

cleanup:
	sg_plan_free(&plan);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr,
			"usage: vnsdi-samplegen OUT_DIR\n"
			"Writes the synthetic Can Tho sample: "
			"OUT_DIR/cantho_sample.gpkg and OUT_DIR/imagery/*.tif "
			"(EPSG:5897).\n");
		return 2;
	}
	GDALAllRegister();
	/* GeoPackage timestamps are fixed so that runs write equal files. */
	CPLSetConfigOption("OGR_CURRENT_DATE", "2024-01-01T00:00:00.000Z");
	CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");

	int rc = sg_generate(argv[1]);

	vn2000_thread_cleanup();
	GDALDestroyDriverManager();
	OSRCleanup();
	return rc == 0 ? 0 : 1;
}
