/*
 * The publisher: one slot per layer serialises its publishes and keeps the
 * progress that clients poll. A publish goes: detect the file, validate it
 * while writing the version's GeoPackage, compare with the live version,
 * build and index the new snapshot, commit the manifest, swap.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "layers/layers_internal.h"
#include "layers/publish_internal.h"

void publish_slot_progress(void *arg, const char *stage, size_t done,
			  size_t total)
{
	struct publish_slot *slot = arg;

	pthread_mutex_lock(&slot->state_lock);
	snprintf(slot->stage, sizeof(slot->stage), "%s", stage);
	slot->done = done;
	slot->total = total;
	pthread_mutex_unlock(&slot->state_lock);
}

void publish_outcome_clear(struct publish_outcome *out)
{
	if (out == NULL)
		return;
	validate_report_clear(&out->report);
	free(out->manifest);
	free(out->changed_boxes);
	memset(out, 0, sizeof(*out));
}

void publish_message(struct publish_outcome *out, enum publish_status status,
		     const char *vi, const char *en)
{
	out->status = status;
	snprintf(out->message_vi, sizeof(out->message_vi), "%s", vi);
	snprintf(out->message_en, sizeof(out->message_en), "%s", en);
}

int layer_mkdirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Load version `number` of a layer into the registry. */
static int slot_restore_one(struct publisher *pub, const struct cfg_layer *l,
			    int64_t number)
{
	struct cfg_errors errors = {0};
	struct layer_snapshot *snap = NULL;
	char path[4096];
	int rc = -1;

	if (versions_path(pub->cfg, l->id, number, "data.gpkg", path,
			  sizeof(path)) == 0 &&
	    layer_snapshot_load(pub->cfg, l, path, number, pub->restricted,
				&snap, &errors) == 0 &&
	    layer_registry_swap(pub->registry, snap) == 0) {
		snap = NULL;
		rc = 0;
	}
	if (rc != 0) {
		fprintf(stderr, "publish: layer=%s version %lld cannot be "
			"loaded; trying an older one\n", l->id,
			(long long)number);
		cfg_errors_print_lang(&errors, stderr, true);
	}
	layer_snapshot_release(snap);
	cfg_errors_clear(&errors);
	return rc;
}

/* Bring back the newest complete version that loads. */
static void slot_restore(struct publisher *pub, size_t index)
{
	const struct cfg_layer *l = &pub->cfg->layers[index];
	int64_t *list = NULL;
	size_t n;

	versions_clean(pub->cfg, l->id);
	n = versions_list(pub->cfg, l->id, &list);
	while (n > 0 && slot_restore_one(pub, l, list[n - 1]) != 0)
		n--;
	pub->slots[index].live = n > 0 ? list[n - 1] : 0;
	if (n > 0)
		fprintf(stderr, "publish: layer=%s serving published version "
			"%lld\n", l->id, (long long)pub->slots[index].live);
	free(list);
}

/* Remove uploads left by a crash. */
static void uploads_clean(const struct cfg *cfg)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/uploads", cfg->data_dir);
	publish_remove_tree_files(dir);
}

struct publisher *publisher_open(const struct cfg *cfg,
				 struct layer_registry *registry,
				 const struct restricted_set *restricted,
				 bool (*landuse_known)(const char *code))
{
	struct publisher *pub = calloc(1, sizeof(*pub));

	if (pub == NULL)
		return NULL;
	pub->slots = calloc(cfg->n_layers + 1, sizeof(*pub->slots));
	if (pub->slots == NULL) {
		free(pub);
		return NULL;
	}
	pub->cfg = cfg;
	pub->registry = registry;
	pub->restricted = restricted;
	pub->landuse_known = landuse_known;
	pub->n_slots = cfg->n_layers;
	for (size_t i = 0; i < pub->n_slots; i++) {
		pthread_mutex_init(&pub->slots[i].lock, NULL);
		pthread_mutex_init(&pub->slots[i].state_lock, NULL);
		snprintf(pub->slots[i].stage, sizeof(pub->slots[i].stage),
			 "idle");
		if (cfg->layers[i].kind == CFG_LAYER_VECTOR)
			slot_restore(pub, i);
	}
	uploads_clean(cfg);
	return pub;
}

void publisher_close(struct publisher *pub)
{
	if (pub == NULL)
		return;
	for (size_t i = 0; i < pub->n_slots; i++) {
		pthread_mutex_destroy(&pub->slots[i].lock);
		pthread_mutex_destroy(&pub->slots[i].state_lock);
	}
	free(pub->slots);
	free(pub);
}

long publish_slot_find(const struct publisher *pub, const char *layer_id)
{
	for (size_t i = 0; i < pub->n_slots; i++)
		if (strcmp(pub->cfg->layers[i].id, layer_id) == 0)
			return (long)i;
	return -1;
}

int64_t publisher_live_version(struct publisher *pub, const char *layer_id)
{
	long i = pub == NULL ? -1 : publish_slot_find(pub, layer_id);
	int64_t live;

	if (i < 0)
		return 0;
	pthread_mutex_lock(&pub->slots[i].state_lock);
	live = pub->slots[i].live;
	pthread_mutex_unlock(&pub->slots[i].state_lock);
	return live;
}

char *publisher_progress_json(struct publisher *pub, const char *layer_id)
{
	long i = pub == NULL ? -1 : publish_slot_find(pub, layer_id);
	struct publish_slot *slot;
	json_t *doc;
	char *text;

	if (i < 0)
		return NULL;
	slot = &pub->slots[i];
	pthread_mutex_lock(&slot->state_lock);
	doc = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "layer", layer_id,
			"state", slot->running ? "running" : "idle",
			"stage", slot->stage, "done", (json_int_t)slot->done,
			"total", (json_int_t)slot->total, "live_version",
			(json_int_t)slot->live);
	pthread_mutex_unlock(&slot->state_lock);
	text = json_dumps(doc, 0);
	json_decref(doc);
	return text;
}

/* Take the layer's slot, or say why not. NULL when refused. */
struct publish_slot *publish_slot_take(struct publisher *pub,
				       const char *layer_id,
				       const struct cfg_layer **layer,
				       struct publish_outcome *out)
{
	long i = publish_slot_find(pub, layer_id);
	struct publish_slot *slot;

	if (i < 0) {
		publish_message(out, PUBLISH_NOT_FOUND, "không có lớp này",
				"no such layer");
		return NULL;
	}
	*layer = &pub->cfg->layers[i];
	if ((*layer)->kind != CFG_LAYER_VECTOR) {
		publish_message(out, PUBLISH_NOT_VECTOR,
				"chỉ xuất bản được lớp vector",
				"only vector layers can be published");
		return NULL;
	}
	slot = &pub->slots[i];
	if (pthread_mutex_trylock(&slot->lock) != 0) {
		publish_message(out, PUBLISH_BUSY,
				"lớp đang được xuất bản; thử lại sau",
				"the layer is being published; try again "
				"later");
		return NULL;
	}
	pthread_mutex_lock(&slot->state_lock);
	slot->running = true;
	pthread_mutex_unlock(&slot->state_lock);
	publish_slot_progress(slot, "starting", 0, 0);
	return slot;
}

void publish_slot_give(struct publish_slot *slot)
{
	pthread_mutex_lock(&slot->state_lock);
	slot->running = false;
	pthread_mutex_unlock(&slot->state_lock);
	publish_slot_progress(slot, "idle", 0, 0);
	pthread_mutex_unlock(&slot->lock);
}

/* Remove an upload under every name detection may have given it. */
static void upload_remove(const char *path)
{
	static const char *const ext[] = { "", ".zip", ".gpkg", ".geojson",
					   NULL };
	char name[4200];

	for (int i = 0; ext[i] != NULL; i++) {
		snprintf(name, sizeof(name), "%s%s", path, ext[i]);
		unlink(name);
	}
}

/* Detect and validate the upload into <dir>/tmp-data.gpkg. */
static int publish_validate(struct publisher *pub, struct publish_slot *slot,
			    const struct cfg_layer *layer,
			    const char *upload_path, const char *tmp_gpkg,
			    struct publish_outcome *out)
{
	char gdal_path[4400], vi[256], en[256];
	struct validate_options opt = {0};
	struct layer_snapshot *live;
	int rc;

	publish_slot_progress(slot, "detecting", 0, 0);
	if (publish_input_detect(upload_path, gdal_path, sizeof(gdal_path),
				 vi, en, sizeof(vi)) != 0) {
		publish_message(out, PUBLISH_UNREADABLE, vi, en);
		return -1;
	}
	live = layer_registry_acquire_id(pub->registry, layer->id);
	opt.cfg = pub->cfg;
	opt.layer = layer;
	opt.live = live;
	opt.landuse_known = pub->landuse_known;
	opt.progress = publish_slot_progress;
	opt.progress_arg = slot;
	rc = validate_file(&opt, gdal_path, tmp_gpkg, &out->report);
	layer_snapshot_release(live);
	if (rc != 0) {
		publish_message(out, PUBLISH_FAILED,
				"không ghi được dữ liệu của phiên bản mới",
				"cannot write the data of the new version");
		return -1;
	}
	if (!out->report.readable) {
		publish_message(out, PUBLISH_UNREADABLE,
				"tệp bị hỏng hoặc không đọc được",
				"the file is damaged or unreadable");
		return -1;
	}
	if (!out->report.accepted) {
		publish_message(out, PUBLISH_REJECTED,
				"tệp không đạt kiểm tra: xem báo cáo",
				"the file failed validation: see the report");
		return -1;
	}
	return 0;
}

int publisher_publish(struct publisher *pub, const char *layer_id,
		      const char *upload_path, const char *file_name,
		      const char *user, struct publish_outcome *out)
{
	const struct cfg_layer *layer = NULL;
	struct publish_slot *slot;
	struct publish_source src = {0};
	char dir[4096], tmp_gpkg[4200];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	slot = publish_slot_take(pub, layer_id, &layer, out);
	if (slot == NULL) {
		upload_remove(upload_path);
		return -1;
	}
	src.file_name = file_name;
	src.action = "publish";
	if (versions_sha256_file(upload_path, src.sha256) != 0 ||
	    publish_version_dir(pub, layer, &out->version, dir,
				sizeof(dir)) != 0) {
		publish_message(out, PUBLISH_FAILED,
				"không tạo được thư mục phiên bản",
				"cannot create the version folder");
		goto done;
	}
	src.bytes = publish_file_size(upload_path);
	publish_crash_point("uploaded");
	snprintf(tmp_gpkg, sizeof(tmp_gpkg), "%s/tmp-data.gpkg", dir);
	if (publish_validate(pub, slot, layer, upload_path, tmp_gpkg,
			     out) != 0) {
		publish_remove_tree_files(dir);
		goto done;
	}
	publish_crash_point("validated");
	rc = publish_commit(pub, slot, layer, dir, tmp_gpkg, &src, user, out);
done:
	upload_remove(upload_path);
	publish_slot_give(slot);
	return rc;
}

int publisher_rollback(struct publisher *pub, const char *layer_id,
		       int64_t target, const char *user,
		       struct publish_outcome *out)
{
	const struct cfg_layer *layer = NULL;
	struct publish_slot *slot;
	struct publish_source src = {0};
	char dir[4096], from[4096], tmp_gpkg[4200], *manifest;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	slot = publish_slot_take(pub, layer_id, &layer, out);
	if (slot == NULL)
		return -1;
	manifest = versions_manifest(pub->cfg, layer_id, target);
	if (manifest == NULL ||
	    versions_path(pub->cfg, layer_id, target, "data.gpkg", from,
			  sizeof(from)) != 0) {
		publish_message(out, PUBLISH_NOT_FOUND,
				"không có phiên bản này",
				"no such version");
		goto done;
	}
	src.action = "rollback";
	src.rollback_of = target;
	src.file_name = "data.gpkg";
	if (versions_sha256_file(from, src.sha256) != 0 ||
	    publish_version_dir(pub, layer, &out->version, dir,
				sizeof(dir)) != 0) {
		publish_message(out, PUBLISH_FAILED,
				"không tạo được thư mục phiên bản",
				"cannot create the version folder");
		goto done;
	}
	src.bytes = publish_file_size(from);
	snprintf(tmp_gpkg, sizeof(tmp_gpkg), "%s/tmp-data.gpkg", dir);
	publish_slot_progress(slot, "copying", 0, 0);
	if (versions_copy_file(from, tmp_gpkg) != 0) {
		publish_message(out, PUBLISH_FAILED,
				"không sao chép được dữ liệu",
				"cannot copy the data");
		publish_remove_tree_files(dir);
		goto done;
	}
	rc = publish_commit(pub, slot, layer, dir, tmp_gpkg, &src, user, out);
done:
	free(manifest);
	publish_slot_give(slot);
	return rc;
}

/* Path of version `v`'s data: 0 is the config's source. */
static int data_path_of(struct publisher *pub, const struct cfg_layer *l,
			int64_t v, char *out, size_t size)
{
	char *manifest;

	if (v == 0) {
		snprintf(out, size, "%s", l->source);
		return 0;
	}
	manifest = versions_manifest(pub->cfg, l->id, v);
	if (manifest == NULL)
		return -1;
	free(manifest);
	return versions_path(pub->cfg, l->id, v, "data.gpkg", out, size);
}

int publisher_diff(struct publisher *pub, const char *layer_id,
		   int64_t from, int64_t to, char **json)
{
	long i = publish_slot_find(pub, layer_id);
	const struct cfg_layer *l;
	struct diff_result diff;
	char a[4096], b[4096], error[512];

	*json = NULL;
	if (i < 0 || from < 0 || to < 0)
		return -1;
	l = &pub->cfg->layers[i];
	if (l->kind != CFG_LAYER_VECTOR ||
	    data_path_of(pub, l, from, a, sizeof(a)) != 0 ||
	    data_path_of(pub, l, to, b, sizeof(b)) != 0)
		return -1;
	if (diff_files(l, a, b, &diff, error, sizeof(error)) != 0)
		return -1;
	*json = diff_result_json(&diff, from, to, (size_t)1000000);
	diff_result_clear(&diff);
	return *json != NULL ? 0 : -1;
}

/* Data path of the live version, for the change summary. */
int publish_live_data_path(struct publisher *pub, const struct cfg_layer *l,
			   int64_t live, char *out, size_t size)
{
	return data_path_of(pub, l, live, out, size);
}
