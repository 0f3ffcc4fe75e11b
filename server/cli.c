/*
 * `vnsdi serve` and `vnsdi check`: load a config and its data, report
 * problems as "file:line: message", then serve or print a report.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>

#include "layers/audit.h"
#include "layers/secrecy.h"
#include "server/admin.h"
#include "server/auth.h"
#include "server/cli.h"
#include "tiles/tilecache.h"
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

/*
 * The stop signal (SIGTERM or SIGINT) that arrived while the server was
 * loading, consumed, or 0. The signals are blocked, so they wait pending.
 */
static int stop_signal_pending(const sigset_t *stop_signals)
{
	const struct timespec now = { 0, 0 };
	sigset_t pending;

	if (sigpending(&pending) != 0 || (!sigismember(&pending, SIGTERM) &&
					  !sigismember(&pending, SIGINT)))
		return 0;
	return sigtimedwait(stop_signals, NULL, &now);
}

int cli_serve(const char *config_path, const char *host, int port)
{
	struct cfg_errors errors = {0};
	struct cfg *cfg = NULL;
	struct restricted_set *restricted = NULL;
	struct layer_registry *layers = NULL;
	struct server srv = {0};
	sigset_t stop_signals;
	int status = 1, sig;

	/* Loading can take minutes: a stop signal meanwhile waits pending
	   and ends the start cleanly once loading is over. The mask stays
	   until exit, so a second signal during shutdown cannot kill the
	   process halfway. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	if (cfg_load(config_path, &cfg, &errors) != 0)
		goto done;
	/* Denied requests and load-time drops are audited: no audit log,
	   no server. */
	if (audit_open(cfg->data_dir) != 0) {
		fprintf(stderr, "vnsdi: không mở được nhật ký kiểm toán "
			"%s/audit.log / cannot open the audit log "
			"%s/audit.log: %s\n", cfg->data_dir, cfg->data_dir,
			strerror(errno));
		goto done;
	}
	if (restricted_set_load(cfg, &restricted, &errors) != 0)
		goto done;
	if (layer_registry_open(cfg, restricted, &layers, &errors) != 0)
		goto done;
	errors_flush(&errors);   /* warnings */
	for (size_t i = 0; i < layer_registry_count(layers); i++) {
		struct layer_snapshot *snap = layer_registry_acquire(layers, i);

		secrecy_audit_snapshot(snap);
		layer_snapshot_release(snap);
	}

	srv.cfg = cfg;
	srv.layers = layers;
	srv.restricted = restricted;
	/* The same cache as tilecache_shared(), so code that reaches it that
	   way sees the same tiles. */
	srv.tiles = tilecache_shared(cfg);
	srv.metrics = metrics_new();
	if (srv.metrics == NULL) {
		http_log("out of memory");
		goto done;
	}
	/* The live version of each layer is the newest published one. */
	if (admin_open(&srv) != 0) {
		http_log("out of memory");
		goto done;
	}
	sig = stop_signal_pending(&stop_signals);
	if (sig > 0) {
		http_log("%s received while loading; exiting without serving",
			 sig == SIGINT ? "SIGINT" : "SIGTERM");
		status = 0;
		goto done;
	}
	status = http_serve(&srv, host != NULL ? host : cfg->listen_host,
			    port >= 0 ? port : cfg->listen_port);
	if (status != 0)
		status = 2;

done:
	if (errors.count > 0)
		errors_flush(&errors);
	if (status == 1)
		fprintf(stderr, "vnsdi: không khởi động vì cấu hình hoặc dữ liệu "
			"có lỗi / not started: the config or its data has "
			"errors\n");
	metrics_free(srv.metrics);
	admin_close();
	auth_shutdown();
	audit_close();
	tilecache_shared_close();
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

/* The imagery limits and the digest of the restricted set. */
static void report_secrecy(FILE *out, const struct cfg *cfg,
			   const struct restricted_set *restricted)
{
	char digest[65];

	restricted_set_digest(restricted, digest);
	fprintf(out, "  secrecy: imagery footprint limit %g km²; WMS "
		"MaxScaleDenominator %.0f for %d x %d pixels; restricted set "
		"digest %.16s\n", secrecy_max_km2(cfg),
		secrecy_max_imagery_scale(cfg, cfg->limits.max_width,
					  cfg->limits.max_height),
		cfg->limits.max_width, cfg->limits.max_height, digest);
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
			"areas (%zu of them linked to a restricted feature)\n",
			snap->n_features, snap->n_dropped_restricted,
			snap->n_dropped_linked);
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
	struct layer_snapshot **snaps = NULL;
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
	report_secrecy(out, cfg, restricted);

	snaps = calloc(cfg->n_layers + 1, sizeof(*snaps));
	for (size_t i = 0; snaps != NULL && i < cfg->n_layers; i++)
		if (layer_snapshot_load(cfg, &cfg->layers[i], NULL, 1,
					restricted, &snaps[i], &errors) != 0)
			snaps[i] = NULL;
	/* What the server would serve: without linked restricted records. */
	if (snaps == NULL ||
	    layer_snapshots_filter_links(snaps, cfg->n_layers) != 0)
		cfg_errors_add_lang(&errors, CFG_SEVERITY_ERROR, cfg->path, 0,
				    "hết bộ nhớ", "out of memory");
	for (size_t i = 0; snaps != NULL && i < cfg->n_layers; i++) {
		if (snaps[i] == NULL) {
			fprintf(out, "  layer %s: NOT LOADED (see errors)\n",
				cfg->layers[i].id);
			continue;
		}
		n_warnings += (size_t)report_layer(out, snaps[i]);
		layer_snapshot_release(snaps[i]);
	}
	free(snaps);
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
