/*
 * The second half of a publish or a rollback: make the validated data
 * durable, compare it with the live version, build and index the new
 * snapshot in full, write the manifest last, swap, apply retention.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "layers/layers_internal.h"
#include "layers/publish_internal.h"

/* Keys listed per change kind in a manifest. */
#define MANIFEST_MAX_KEYS ((size_t)100000)

void publish_remove_tree_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4400];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	if (strstr(dir, "/uploads") == NULL)
		rmdir(dir);
}

long long publish_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int publish_version_dir(struct publisher *pub, const struct cfg_layer *layer,
			int64_t *number, char *dir, size_t size)
{
	char root[4096];

	versions_clean(pub->cfg, layer->id);
	*number = versions_latest(pub->cfg, layer->id) + 1;
	if (versions_path(pub->cfg, layer->id, 0, NULL, root,
			  sizeof(root)) != 0 ||
	    layer_mkdirs(root) != 0 ||
	    versions_path(pub->cfg, layer->id, *number, NULL, dir,
			  size) != 0)
		return -1;
	publish_remove_tree_files(dir);
	if (layer_mkdirs(dir) != 0)
		return -1;
	return versions_fsync(root);
}

static json_t *keys_json(const struct diff_entry *list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < MANIFEST_MAX_KEYS; i++)
		json_array_append_new(a, json_string(list[i].key));
	return a;
}

static json_t *changes_json(const struct diff_result *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "added", json_integer((json_int_t)d->n_added));
	json_object_set_new(o, "removed",
			    json_integer((json_int_t)d->n_removed));
	json_object_set_new(o, "modified",
			    json_integer((json_int_t)d->n_modified));
	json_object_set_new(o, "changed_extent", d->has_extent ?
			    json_pack("[f,f,f,f]", d->extent[0], d->extent[1],
				      d->extent[2], d->extent[3]) :
			    json_null());
	json_object_set_new(o, "added_keys", keys_json(d->added, d->n_added));
	json_object_set_new(o, "removed_keys",
			    keys_json(d->removed, d->n_removed));
	json_object_set_new(o, "modified_keys",
			    keys_json(d->modified, d->n_modified));
	return o;
}

static json_t *validation_json(const struct validate_report *r)
{
	json_t *o = json_object(), *counts = json_object();

	for (int k = 0; k < VALIDATE_KIND_COUNT; k++)
		json_object_set_new(counts, validate_kind_name(k),
				    json_integer((json_int_t)r->counts[k]));
	json_object_set_new(o, "errors", json_integer((json_int_t)r->n_errors));
	json_object_set_new(o, "warnings",
			    json_integer((json_int_t)r->n_warnings));
	json_object_set_new(o, "repaired",
			    json_integer((json_int_t)r->n_repaired));
	json_object_set_new(o, "counts", counts);
	return o;
}

struct manifest_in {
	const struct cfg_layer *layer;
	int64_t version, previous;
	const struct publish_source *src;
	const char *user;
	const char *data_path;
	const struct validate_report *report;
	const struct diff_result *diff;
	const struct layer_snapshot *snap;
};

static char *manifest_build(const struct manifest_in *m)
{
	char created[32], data_sha[65] = "";
	time_t now = time(NULL);
	struct tm tm;
	json_t *doc;
	char *text;

	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	versions_sha256_file(m->data_path, data_sha);
	doc = json_pack("{s:s, s:I, s:s, s:s, s:s, s:I}",
			"layer", m->layer->id, "version", (json_int_t)m->version,
			"action", m->src->action, "created", created,
			"user", m->user ? m->user : "",
			"previous_version", (json_int_t)m->previous);
	if (m->src->rollback_of > 0)
		json_object_set_new(doc, "rollback_of",
				    json_integer(m->src->rollback_of));
	json_object_set_new(doc, "source", json_pack(
		"{s:s, s:s, s:I, s:s, s:s}",
		"file_name", m->src->file_name ? m->src->file_name : "",
		"sha256", m->src->sha256, "bytes", (json_int_t)m->src->bytes,
		"driver", m->report->driver[0] ? m->report->driver : "GPKG",
		"crs", m->snap->crs != NULL ? m->snap->crs->id : ""));
	json_object_set_new(doc, "data", json_pack(
		"{s:s, s:s, s:I}", "file", "data.gpkg", "sha256", data_sha,
		"bytes", (json_int_t)publish_file_size(m->data_path)));
	json_object_set_new(doc, "features", json_pack(
		"{s:I, s:I, s:I, s:I}",
		"read", (json_int_t)m->report->n_features,
		"stored", (json_int_t)m->diff->n_new,
		"served", (json_int_t)m->snap->n_features,
		"dropped_restricted",
		(json_int_t)m->snap->n_dropped_restricted));
	json_object_set_new(doc, "validation", validation_json(m->report));
	json_object_set_new(doc, "changes", changes_json(m->diff));
	text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	return text;
}

/* Sync the data file and rename it into place. */
static int data_commit(const char *dir, const char *tmp_gpkg, char *data,
		       size_t size)
{
	snprintf(data, size, "%s/data.gpkg", dir);
	if (versions_fsync(tmp_gpkg) != 0)
		return -1;
	publish_crash_point("data-written");
	if (rename(tmp_gpkg, data) != 0 || versions_fsync(dir) != 0)
		return -1;
	publish_crash_point("data-renamed");
	return 0;
}

/* Compare with the live version (or the config's source). */
static int changes_compute(struct publisher *pub,
			   const struct cfg_layer *layer, int64_t live,
			   const char *data, struct diff_result *diff)
{
	char old[4096], error[512];
	bool have_old = publish_live_data_path(pub, layer, live, old,
					       sizeof(old)) == 0 &&
			access(old, R_OK) == 0;

	if (diff_files(layer, have_old ? old : NULL, data, diff, error,
		       sizeof(error)) == 0)
		return 0;
	fprintf(stderr, "publish: layer=%s cannot compare versions: %s\n",
		layer->id, error);
	return -1;
}

static void outcome_fill(struct publish_outcome *out, struct diff_result *d,
			 char *manifest)
{
	out->manifest = manifest;
	out->changed_boxes = d->boxes;
	out->n_changed_boxes = d->n_boxes;
	d->boxes = NULL;
	d->n_boxes = 0;
	out->has_changed_extent = d->has_extent;
	memcpy(out->changed_extent, d->extent, sizeof(d->extent));
	publish_message(out, PUBLISH_OK, "đã xuất bản phiên bản mới",
			"the new version is live");
}

static int snapshot_build(struct publisher *pub,
			  const struct cfg_layer *layer, const char *data,
			  int64_t version, struct layer_snapshot **snap,
			  struct publish_outcome *out)
{
	struct cfg_errors errors = {0};
	int rc = layer_snapshot_load(pub->cfg, layer, data, version,
				     pub->restricted, snap, &errors);

	if (rc != 0) {
		const struct cfg_error *e = errors.count ? &errors.items[0]
							 : NULL;
		publish_message(out, PUBLISH_REJECTED,
				e ? e->message : "không nạp được dữ liệu",
				e && e->message_en ? e->message_en :
				"the data cannot be loaded");
	}
	cfg_errors_clear(&errors);
	return rc;
}

int publish_commit(struct publisher *pub, struct publish_slot *slot,
		   const struct cfg_layer *layer, const char *dir,
		   const char *tmp_gpkg, const struct publish_source *src,
		   const char *user, struct publish_outcome *out)
{
	struct diff_result diff = {0};
	struct layer_snapshot *snap = NULL;
	struct manifest_in m = {0};
	char data[4200], manifest_path[4200], *manifest = NULL;
	int rc = -1;

	publish_slot_progress(slot, "syncing", 0, 0);
	if (data_commit(dir, tmp_gpkg, data, sizeof(data)) != 0) {
		publish_message(out, PUBLISH_FAILED, "không ghi được dữ liệu",
				"cannot write the data");
		goto done;
	}
	pthread_mutex_lock(&slot->state_lock);
	m.previous = slot->live;
	pthread_mutex_unlock(&slot->state_lock);
	publish_slot_progress(slot, "comparing", 0, 0);
	if (changes_compute(pub, layer, m.previous, data, &diff) != 0) {
		publish_message(out, PUBLISH_FAILED,
				"không so sánh được với phiên bản trước",
				"cannot compare with the previous version");
		goto done;
	}
	publish_slot_progress(slot, "indexing", 0, 0);
	if (snapshot_build(pub, layer, data, out->version, &snap, out) != 0)
		goto done;

	m.layer = layer;
	m.version = out->version;
	m.src = src;
	m.user = user;
	m.data_path = data;
	m.report = &out->report;
	m.diff = &diff;
	m.snap = snap;
	manifest = manifest_build(&m);
	snprintf(manifest_path, sizeof(manifest_path), "%s/manifest.json",
		 dir);
	publish_slot_progress(slot, "committing", 0, 0);
	publish_crash_point("manifest-writing");
	if (manifest == NULL ||
	    versions_write_file(manifest_path, manifest,
				strlen(manifest)) != 0) {
		publish_message(out, PUBLISH_FAILED,
				"không ghi được bản kê phiên bản",
				"cannot write the version manifest");
		goto done;
	}
	publish_crash_point("committed");
	layer_registry_swap(pub->registry, snap);
	snap = NULL;
	pthread_mutex_lock(&slot->state_lock);
	slot->live = out->version;
	pthread_mutex_unlock(&slot->state_lock);
	publish_crash_point("swapped");
	versions_retain(pub->cfg, layer->id, pub->cfg->versions_retention,
			out->version);
	outcome_fill(out, &diff, manifest);
	manifest = NULL;
	rc = 0;
done:
	if (rc != 0)
		publish_remove_tree_files(dir);
	layer_snapshot_release(snap);
	diff_result_clear(&diff);
	free(manifest);
	return rc;
}
