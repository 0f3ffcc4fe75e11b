/*
 * layers/audit: the append-only audit log of the secrecy rules, one JSON
 * object per line at <data_dir>/audit.log.
 *
 * It records requests that were denied (401, 403, 429, and 400 when a
 * caller filters or sorts on a personal attribute it may not read) and the
 * drops made when a layer is loaded. A line never carries personal data,
 * a token, a query string or the name of a restricted area: only the
 * event, the time, the user name or role, the layer, a reason code, the
 * parameter name (never its value), and counts.
 *
 * Durability: the file is opened with O_APPEND and each line is one
 * write(2), so lines of concurrent threads never interleave and nothing is
 * overwritten. Load-time events are followed by fdatasync at once. Denied
 * requests are synced at most once per second (the first one after a quiet
 * second syncs at once), so a flood of bad requests cannot turn the log
 * into a disk-bound bottleneck; at most one second of denied requests can
 * be lost in a power failure. audit_close syncs what is left.
 *
 * Threads: every function may be called from any thread. The log is
 * process-wide, like the server it belongs to.
 */
#ifndef VNSDI_LAYERS_AUDIT_H
#define VNSDI_LAYERS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* Largest audit line written; longer field values are cut. */
#define AUDIT_MAX_LINE 2048

/* One event. Strings are borrowed for the call; NULL members are left out. */
struct audit_event {
	const char *event;      /* "request_denied", "features_dropped",
				   "scene_dropped" */
	const char *reason;     /* code: "invalid_token", "forbidden",
				   "rate_limited", "personal_attribute",
				   "restricted_area", "linked_restricted"
				   (a record linking to a feature dropped
				   for a restricted area), "footprint" */
	const char *user;       /* configured user name, NULL: anonymous */
	enum cfg_role role;
	bool has_role;          /* write `role` */
	const char *layer;      /* layer id */
	const char *method;     /* HTTP method */
	const char *path;       /* request path without the query string */
	const char *parameter;  /* parameter name at fault, never its value */
	const char *scene;      /* scene file of an imagery layer */
	const char *code;       /* restricted area reason code */
	int status;             /* HTTP status, 0 for load events */
	long long count;        /* items concerned, written when > 0 */
	double area_km2;        /* scene footprint, written when > 0 */
};

/*
 * Open (creating when missing) <data_dir>/audit.log for appending, and the
 * folder itself when needed. Returns 0, or -1 with errno set; the log then
 * stays closed. Opening again closes the previous file first.
 */
int audit_open(const char *data_dir);

/* Sync and close the log. Accepts a closed log. */
void audit_close(void);

/* Whether the log is open. */
bool audit_is_open(void);

/* Path of the open log, or NULL; valid until audit_close. */
const char *audit_path(void);

/*
 * Append one event with the current UTC time. Returns 0, -1 when the log
 * is closed or the write failed (logged once to stderr per failure).
 */
int audit_log_event(const struct audit_event *ev);

/*
 * Format one event as a JSON line (no newline) into `out`, with `time` as
 * the "time" member. Returns the length, or -1 when it does not fit.
 * Exposed for tests.
 */
int audit_format(const struct audit_event *ev, const char *time, char *out,
		 size_t size);

#endif
