/*
 * `vnsdi serve` and `vnsdi check`: load a config and its data, report
 * problems as "file:line: message", then serve or print a report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>

#include "server/cli.h"
#include "server/http.h"
#include "server/metrics.h"
#include "vn2000/vn2000.h"

static void gdal_error_handler(CPLErr level, CPLErrorNum number,
			       const char *message)
{
	const char *name;

	switch (level) {
	case CE_Warning:
		name = "warning";
		break;
	case CE_Failure:
		name = "error";
		break;
	case CE_Fatal:
		name = "fatal error";
		break;
	case CE_None:
	case CE_Debug:
	default:
		return;
	}
	http_log("GDAL %s %d: %s", name, (int)number,
		 message != NULL ? message : "");
}

void cli_gdal_init(void)
{
	GDALAllRegister();
	CPLSetErrorHandler(gdal_error_handler);
}

/* Print and clear the problems collected so far. */
static void errors_flush(struct cfg_errors *errors)
{
	cfg_errors_print(errors, stderr);
	cfg_errors_clear(errors);
	memset(errors, 0, sizeof(*errors));
}

int cli_serve(const char *config_path, const char *host, int port)
{
	struct cfg_errors errors = {0};
	struct cfg *cfg = NULL;
	struct restricted_set *restricted = NULL;
	struct layer_registry *layers = NULL;
	struct server srv = {0};
	int status = 1;

	if (cfg_load(config_path, &cfg, &errors) != 0)
		goto done;
	if (restricted_set_load(cfg, &restricted, &errors) != 0)
		goto done;
	if (layer_registry_open(cfg, restricted, &layers, &errors) != 0)
		goto done;
	errors_flush(&errors);   /* warnings */

	srv.cfg = cfg;
	srv.layers = layers;
	srv.restricted = restricted;
	srv.metrics = metrics_new();
	if (srv.metrics == NULL) {
		http_log("out of memory");
		goto done;
	}
	status = http_serve(&srv, host != NULL ? host : cfg->listen_host,
			    port >= 0 ? port : cfg->listen_port);
	if (status != 0)
		status = 2;

done:
	if (errors.count > 0)
		errors_flush(&errors);
	if (status == 1 && cfg != NULL)
		fprintf(stderr, "vnsdi: không khởi động vì cấu hình hoặc dữ liệu "
			"có lỗi / not started: the config or its data has "
			"errors\n");
	metrics_free(srv.metrics);
	layer_registry_close(layers);
	restricted_set_free(restricted);
	cfg_free(cfg);
	vn2000_thread_cleanup();
	layer_thread_cleanup();
	return status;
}

static const char *kind_name(enum cfg_layer_kind kind)
{
	return kind == CFG_LAYER_RASTER ? "raster" : "vector";
}

static void report_scenes(FILE *out, const struct layer_snapshot *snap)
{
	for (size_t i = 0; i < snap->n_scenes; i++) {
		const struct scene *s = &snap->scenes[i];

		if (s->dropped)
			fprintf(out, "    scene %s: %.1f km², dropped: %s\n",
				s->path, s->area_km2, s->drop_reason != NULL ?
				s->drop_reason : "?");
		else
			fprintf(out, "    scene %s: %.1f km², served\n", s->path,
				s->area_km2);
	}
}

/* Print one loaded layer; returns the number of warnings it raised. */
static int report_layer(FILE *out, const struct layer_snapshot *snap)
{
	const struct cfg_layer *layer = snap->cfg;
	int warnings = 0;

	fprintf(out, "  layer %s (%s): %s / %s\n", layer->id,
		kind_name(layer->kind), layer->title_vi, layer->title_en);
	if (layer->kind == CFG_LAYER_VECTOR)
		fprintf(out, "    source: %s%s%s\n", layer->source,
			layer->source_layer != NULL ? ", layer " : "",
			layer->source_layer != NULL ? layer->source_layer : "");
	if (snap->crs != NULL)
		fprintf(out, "    CRS: %s (%s)%s%s\n", snap->crs->id,
			snap->crs->name_en,
			snap->crs_note != NULL && snap->crs_note[0] != '\0' ?
			": " : "",
			snap->crs_note != NULL ? snap->crs_note : "");
	if (layer->kind == CFG_LAYER_VECTOR)
		fprintf(out, "    features: %zu kept, %zu dropped by restricted "
			"areas\n", snap->n_features, snap->n_dropped_restricted);
	else
		fprintf(out, "    scenes: %zu, %zu dropped for their footprint, "
			"%zu dropped by restricted areas\n", snap->n_scenes,
			snap->n_dropped_footprint, snap->n_dropped_restricted);
	if (!snap->empty)
		fprintf(out, "    extent (CRS84): %.7f, %.7f, %.7f, %.7f\n",
			snap->extent[0], snap->extent[1], snap->extent[2],
			snap->extent[3]);
	report_scenes(out, snap);

	if (layer->kind == CFG_LAYER_VECTOR && snap->n_features == 0) {
		fprintf(out, "    warning: the layer serves no feature\n");
		warnings++;
	}
	if (layer->kind == CFG_LAYER_RASTER && snap->empty) {
		fprintf(out, "    warning: every scene is dropped\n");
		warnings++;
	}
	return warnings;
}

int cli_check(const char *config_path, FILE *out)
{
	struct cfg_errors errors = {0};
	struct cfg *cfg = NULL;
	struct restricted_set *restricted = NULL;
	size_t n_errors = 0, n_warnings = 0;
	int status = 1;

	fprintf(out, "vnsdi check %s\n", config_path);
	if (cfg_load(config_path, &cfg, &errors) != 0) {
		n_errors = cfg_errors_count(&errors);
		goto done;
	}
	fprintf(out, "  config: %zu layers, %zu output CRSs, %zu users\n",
		cfg->n_layers, cfg->n_output_crs, cfg->n_users);
	if (restricted_set_load(cfg, &restricted, &errors) != 0)
		fprintf(out, "  restricted areas: not loaded (see errors); "
			"layers are checked without them\n");
	else
		fprintf(out, "  restricted areas: %zu polygons from %zu sources\n",
			restricted_set_count(restricted), cfg->n_restricted);
	if (cfg->n_restricted == 0) {
		fprintf(out, "  warning: no restricted area is configured\n");
		n_warnings++;
	}

	for (size_t i = 0; i < cfg->n_layers; i++) {
		struct layer_snapshot *snap = NULL;

		if (layer_snapshot_load(cfg, &cfg->layers[i], NULL, 1,
					restricted, &snap, &errors) != 0) {
			fprintf(out, "  layer %s: NOT LOADED (see errors)\n",
				cfg->layers[i].id);
			continue;
		}
		n_warnings += (size_t)report_layer(out, snap);
		layer_snapshot_release(snap);
	}
	n_errors = cfg_errors_count(&errors);

done:
	n_warnings += errors.n_warnings;
	if (errors.count > 0) {
		fflush(out);
		cfg_errors_print(&errors, out);
	}
	fprintf(out, "%s: %zu errors, %zu warnings\n",
		n_errors == 0 ? "OK" : "FAILED", n_errors, n_warnings);
	status = n_errors == 0 ? 0 : 1;
	cfg_errors_clear(&errors);
	restricted_set_free(restricted);
	cfg_free(cfg);
	vn2000_thread_cleanup();
	layer_thread_cleanup();
	return status;
}
