/*
 * The audit log: JSON lines built with jansson and appended with one
 * write(2) each to a file opened with O_APPEND. See layers/audit.h for what
 * goes in a line and the fsync policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "layers/audit.h"

/* Longest path of the log file. */
#define AUDIT_MAX_PATH 4096

static struct {
	pthread_mutex_t lock;
	int fd;                   /* -1 when closed */
	char path[AUDIT_MAX_PATH];
	struct timespec last_sync; /* CLOCK_MONOTONIC of the last fdatasync */
	bool unsynced;            /* lines written since the last sync */
} audit = { PTHREAD_MUTEX_INITIALIZER, -1, "", { 0, 0 }, false };

/* Create `dir` and its missing parents (mode 0750). Returns 0 or -1. */
static int audit_mkdirs(const char *dir)
{
	char buf[AUDIT_MAX_PATH];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char saved = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST)
			return -1;
		buf[i] = saved;
	}
	return 0;
}

int audit_open(const char *data_dir)
{
	char path[AUDIT_MAX_PATH];
	int fd;

	if (data_dir == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/audit.log", data_dir) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (audit_mkdirs(data_dir) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	audit_close();
	pthread_mutex_lock(&audit.lock);
	audit.fd = fd;
	memcpy(audit.path, path, sizeof(path));
	clock_gettime(CLOCK_MONOTONIC, &audit.last_sync);
	audit.last_sync.tv_sec -= 2;
	audit.unsynced = false;
	pthread_mutex_unlock(&audit.lock);
	return 0;
}

void audit_close(void)
{
	pthread_mutex_lock(&audit.lock);
	if (audit.fd >= 0) {
		if (audit.unsynced)
			fdatasync(audit.fd);
		close(audit.fd);
	}
	audit.fd = -1;
	audit.path[0] = '\0';
	audit.unsynced = false;
	pthread_mutex_unlock(&audit.lock);
}

bool audit_is_open(void)
{
	bool open;

	pthread_mutex_lock(&audit.lock);
	open = audit.fd >= 0;
	pthread_mutex_unlock(&audit.lock);
	return open;
}

const char *audit_path(void)
{
	return audit.path[0] != '\0' ? audit.path : NULL;
}

/* Set a string member, cut to 200 bytes; NULL leaves it out. */
static int audit_set_string(json_t *obj, const char *key, const char *value)
{
	char cut[201];

	if (value == NULL)
		return 0;
	snprintf(cut, sizeof(cut), "%s", value);
	/* jansson rejects invalid UTF-8 (a cut inside a character too):
	   such a value is written as its placeholder. */
	json_t *s = json_string(cut);
	if (s == NULL)
		s = json_string("?");
	return json_object_set_new(obj, key, s);
}

static int audit_set_fields(json_t *obj, const struct audit_event *ev,
			    const char *time)
{
	int rc = 0;

	rc |= audit_set_string(obj, "time", time);
	rc |= audit_set_string(obj, "event", ev->event);
	rc |= audit_set_string(obj, "reason", ev->reason);
	rc |= audit_set_string(obj, "user", ev->user);
	if (ev->has_role)
		rc |= audit_set_string(obj, "role", cfg_role_name(ev->role));
	rc |= audit_set_string(obj, "layer", ev->layer);
	rc |= audit_set_string(obj, "method", ev->method);
	rc |= audit_set_string(obj, "path", ev->path);
	rc |= audit_set_string(obj, "parameter", ev->parameter);
	rc |= audit_set_string(obj, "scene", ev->scene);
	rc |= audit_set_string(obj, "code", ev->code);
	if (ev->status > 0)
		rc |= json_object_set_new(obj, "status",
					  json_integer(ev->status));
	if (ev->count > 0)
		rc |= json_object_set_new(obj, "count",
					  json_integer(ev->count));
	if (ev->area_km2 > 0)
		rc |= json_object_set_new(obj, "area_km2",
					  json_real(ev->area_km2));
	return rc;
}

int audit_format(const struct audit_event *ev, const char *time, char *out,
		 size_t size)
{
	json_t *obj = json_object();
	char *text = NULL;
	int len = -1;

	if (obj == NULL)
		return -1;
	if (audit_set_fields(obj, ev, time) != 0)
		goto cleanup;
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL || strlen(text) + 1 > size)
		goto cleanup;
	len = (int)strlen(text);
	memcpy(out, text, (size_t)len + 1);
cleanup:
	free(text);
	json_decref(obj);
	return len;
}

static void audit_time_now(char *out, size_t size)
{
	struct timespec now;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%03dZ", stamp, (int)(now.tv_nsec / 1000000));
}

/* Sync now for load events, else at most once per second. Lock held. */
static void audit_sync_locked(bool urgent)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!urgent && now.tv_sec - audit.last_sync.tv_sec < 1) {
		audit.unsynced = true;
		return;
	}
	fdatasync(audit.fd);
	audit.last_sync = now;
	audit.unsynced = false;
}

int audit_log_event(const struct audit_event *ev)
{
	char line[AUDIT_MAX_LINE + 1], time[40];
	int len, rc = -1;

	audit_time_now(time, sizeof(time));
	len = audit_format(ev, time, line, sizeof(line) - 1);
	if (len < 0)
		return -1;
	line[len++] = '\n';

	pthread_mutex_lock(&audit.lock);
	if (audit.fd >= 0) {
		/* One write per line: O_APPEND puts it at the end whole. */
		ssize_t n = write(audit.fd, line, (size_t)len);
		if (n == (ssize_t)len) {
			audit_sync_locked(ev->status == 0);
			rc = 0;
		} else {
			fprintf(stderr, "audit: cannot append to %s: %s\n",
				audit.path, n < 0 ? strerror(errno)
						  : "short write");
		}
	}
	pthread_mutex_unlock(&audit.lock);
	return rc;
}
