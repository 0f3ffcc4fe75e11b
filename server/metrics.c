/*
 * Request metrics kept in small fixed tables under one mutex: the request
 * path takes the lock for a few additions only.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/auth.h"
#include "server/metrics.h"

#define METRICS_MAX_ENDPOINTS 24
#define METRICS_MAX_STATUSES 16

/* Upper bounds of the latency buckets, in seconds; +Inf is implicit. */
static const double bucket_bounds[] = {
	0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define METRICS_N_BUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

struct endpoint_stats {
	const char *name;
	int statuses[METRICS_MAX_STATUSES];
	uint64_t status_counts[METRICS_MAX_STATUSES];
	size_t n_statuses;
	uint64_t other_status_count; /* statuses past the table */
	uint64_t buckets[METRICS_N_BUCKETS]; /* not cumulative */
	uint64_t count;
	double sum;
};

struct metrics {
	pthread_mutex_t lock;
	struct endpoint_stats endpoints[METRICS_MAX_ENDPOINTS];
	size_t n_endpoints;
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Find or add an endpoint row; the caller holds the lock. */
static struct endpoint_stats *endpoint_row(struct metrics *m, const char *name)
{
	for (size_t i = 0; i < m->n_endpoints; i++) {
		if (strcmp(m->endpoints[i].name, name) == 0)
			return &m->endpoints[i];
	}
	if (m->n_endpoints < METRICS_MAX_ENDPOINTS) {
		struct endpoint_stats *row = &m->endpoints[m->n_endpoints++];

		row->name = name;
		return row;
	}
	/* The table is full: count under the last row. */
	return &m->endpoints[METRICS_MAX_ENDPOINTS - 1];
}

void metrics_observe(struct metrics *m, const char *endpoint, int status,
		     double seconds)
{
	struct endpoint_stats *row;
	size_t i;

	if (m == NULL)
		return;
	if (endpoint == NULL)
		endpoint = "other";
	if (!(seconds >= 0))
		seconds = 0;

	pthread_mutex_lock(&m->lock);
	row = endpoint_row(m, endpoint);
	for (i = 0; i < row->n_statuses; i++) {
		if (row->statuses[i] == status)
			break;
	}
	if (i < row->n_statuses) {
		row->status_counts[i]++;
	} else if (row->n_statuses < METRICS_MAX_STATUSES) {
		row->statuses[row->n_statuses] = status;
		row->status_counts[row->n_statuses++] = 1;
	} else {
		row->other_status_count++;
	}
	for (i = 0; i < METRICS_N_BUCKETS; i++) {
		if (seconds <= bucket_bounds[i]) {
			row->buckets[i]++;
			break;
		}
	}
	row->count++;
	row->sum += seconds;
	pthread_mutex_unlock(&m->lock);
}

static int render_requests(const struct metrics *m, struct strbuf *out)
{
	strbuf_puts(out,
		    "# HELP vnsdi_requests_total HTTP requests by endpoint and "
		    "status.\n# TYPE vnsdi_requests_total counter\n");
	for (size_t e = 0; e < m->n_endpoints; e++) {
		const struct endpoint_stats *row = &m->endpoints[e];

		for (size_t s = 0; s < row->n_statuses; s++)
			strbuf_printf(out,
				      "vnsdi_requests_total{endpoint=\"%s\","
				      "status=\"%d\"} %llu\n",
				      row->name, row->statuses[s],
				      (unsigned long long)row->status_counts[s]);
		if (row->other_status_count > 0)
			strbuf_printf(out,
				      "vnsdi_requests_total{endpoint=\"%s\","
				      "status=\"other\"} %llu\n", row->name,
				      (unsigned long long)row->other_status_count);
	}
	return out->overflow ? -1 : 0;
}

static int render_durations(const struct metrics *m, struct strbuf *out)
{
	strbuf_puts(out,
		    "# HELP vnsdi_request_duration_seconds Time from request "
		    "to the end of the response.\n"
		    "# TYPE vnsdi_request_duration_seconds histogram\n");
	for (size_t e = 0; e < m->n_endpoints; e++) {
		const struct endpoint_stats *row = &m->endpoints[e];
		uint64_t cumulative = 0;

		for (size_t b = 0; b < METRICS_N_BUCKETS; b++) {
			cumulative += row->buckets[b];
			strbuf_printf(out,
				      "vnsdi_request_duration_seconds_bucket{"
				      "endpoint=\"%s\",le=\"%g\"} %llu\n",
				      row->name, bucket_bounds[b],
				      (unsigned long long)cumulative);
		}
		strbuf_printf(out,
			      "vnsdi_request_duration_seconds_bucket{endpoint="
			      "\"%s\",le=\"+Inf\"} %llu\n"
			      "vnsdi_request_duration_seconds_sum{endpoint="
			      "\"%s\"} %.6f\n"
			      "vnsdi_request_duration_seconds_count{endpoint="
			      "\"%s\"} %llu\n",
			      row->name, (unsigned long long)row->count,
			      row->name, row->sum, row->name,
			      (unsigned long long)row->count);
	}
	return out->overflow ? -1 : 0;
}

/* Layer ids are stable ASCII, checked by the config; a quote or backslash
   would still break the label, so such ids are skipped. */
static bool label_safe(const char *s)
{
	return strpbrk(s, "\"\\\n") == NULL;
}

static int render_layers(struct layer_registry *reg, struct strbuf *out)
{
	size_t n = layer_registry_count(reg);

	strbuf_puts(out,
		    "# HELP vnsdi_layer_features Features served by each "
		    "layer's live snapshot.\n"
		    "# TYPE vnsdi_layer_features gauge\n");
	for (size_t i = 0; i < n; i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);

		if (snap == NULL)
			continue;
		if (label_safe(snap->cfg->id))
			strbuf_printf(out, "vnsdi_layer_features{layer=\"%s\"} %zu\n",
				      snap->cfg->id, snap->n_features);
		layer_snapshot_release(snap);
	}

	strbuf_puts(out,
		    "# HELP vnsdi_features_dropped_total Features never served "
		    "because they touch a restricted area.\n"
		    "# TYPE vnsdi_features_dropped_total counter\n");
	for (size_t i = 0; i < n; i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);

		if (snap == NULL)
			continue;
		if (label_safe(snap->cfg->id))
			strbuf_printf(out,
				      "vnsdi_features_dropped_total{layer=\"%s\","
				      "reason=\"restricted_area\"} %zu\n",
				      snap->cfg->id, snap->n_dropped_restricted);
		layer_snapshot_release(snap);
	}

	strbuf_puts(out,
		    "# HELP vnsdi_scenes_dropped Imagery scenes never served "
		    "(footprint over the limit or unreadable).\n"
		    "# TYPE vnsdi_scenes_dropped gauge\n");
	for (size_t i = 0; i < n; i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);
		size_t dropped = 0;

		if (snap == NULL)
			continue;
		for (size_t s = 0; s < snap->n_scenes; s++)
			dropped += snap->scenes[s].dropped ? 1 : 0;
		if (snap->n_scenes > 0 && label_safe(snap->cfg->id))
			strbuf_printf(out, "vnsdi_scenes_dropped{layer=\"%s\"} %zu\n",
				      snap->cfg->id, dropped);
		layer_snapshot_release(snap);
	}
	return out->overflow ? -1 : 0;
}

int metrics_render(struct metrics *m, struct layer_registry *reg,
		   struct strbuf *out)
{
	int rc = 0;

	if (m != NULL) {
		pthread_mutex_lock(&m->lock);
		rc = render_requests(m, out);
		if (rc == 0)
			rc = render_durations(m, out);
		pthread_mutex_unlock(&m->lock);
	}
	if (rc == 0 && reg != NULL)
		rc = render_layers(reg, out);
	if (rc == 0)
		rc = auth_metrics_render(reg, out);
	return rc;
}
