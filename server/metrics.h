/*
 * server/metrics: request counters and latency histograms for /metrics, in
 * the Prometheus text exposition format (version 0.0.4).
 *
 * Threads: metrics_observe and metrics_render may be called from any thread.
 */
#ifndef VNSDI_SERVER_METRICS_H
#define VNSDI_SERVER_METRICS_H

#include "layers/layers.h"
#include "server/http.h"

/* Create empty metrics. Returns NULL on allocation failure. Free with
   metrics_free(), which accepts NULL. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/*
 * Count one request of `endpoint` (a static string such as "ogcapi" or
 * "wms", kept by pointer) that ended with `status` after `seconds`.
 * Endpoints past the table size are counted under "other".
 */
void metrics_observe(struct metrics *m, const char *endpoint, int status,
		     double seconds);

/*
 * Append the exposition text: vnsdi_requests_total{endpoint,status},
 * vnsdi_request_duration_seconds{endpoint} histogram, and from `reg` (may be
 * NULL) vnsdi_layer_features{layer}, vnsdi_features_dropped_total{layer,
 * reason} and vnsdi_scenes_dropped{layer}. Returns 0 or -1 when `out`
 * overflows.
 */
int metrics_render(struct metrics *m, struct layer_registry *reg,
		   struct strbuf *out);

#endif
