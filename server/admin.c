/*
 * The publishing API: /admin/layers/{id}/versions (POST publishes, GET
 * lists), /admin/layers/{id}/versions/{n}, /admin/layers/{id}/diff,
 * /admin/layers/{id}/rollback and /admin/layers/{id}/publish (progress).
 * After each swap the tile cache drops the tiles over the changed area
 * and the audit log records the publish, the rejection or the rollback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "layers/audit.h"
#include "layers/publish.h"
#include "server/admin.h"
#include "server/handlers.h"
#include "server/upload.h"
#include "tiles/render.h"
#include "tiles/tilecache.h"

static struct publisher *admin_publisher;

static bool admin_landuse_known(const char *code)
{
	return render_landuse_name(code, "vi") != NULL;
}

int admin_open(struct server *srv)
{
	admin_publisher = publisher_open(srv->cfg, srv->layers,
					 srv->restricted, admin_landuse_known);
	return admin_publisher != NULL ? 0 : -1;
}

void admin_close(void)
{
	publisher_close(admin_publisher);
	admin_publisher = NULL;
}

/* A problem document with an optional extra JSON member. */
static void admin_problem(const struct http_request *req,
			  struct http_response *res, int status,
			  const char *slug, const char *title_vi,
			  const char *title_en, const char *detail,
			  const char *extra_name, const char *extra_json)
{
	char type[96];
	json_t *doc;
	char *text;

	snprintf(type, sizeof(type), "urn:vnsdi:problem:%s", slug);
	doc = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title",
			i18n_pick(req, title_vi, title_en), "status", status,
			"detail", detail);
	if (extra_name != NULL && extra_json != NULL)
		json_object_set_new(doc, extra_name,
				    json_loads(extra_json, 0, NULL));
	text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	if (text == NULL) {
		http_response_copy(res, 503, "text/plain; charset=utf-8",
				   "out of memory\n", 14);
		return;
	}
	http_response_take(res, status, "application/problem+json", text,
			   strlen(text));
}

static void admin_error(const struct http_request *req,
			struct http_response *res, enum req_error_kind kind,
			const char *parameter, const char *vi, const char *en)
{
	struct req_error err;

	req_error_set(&err, kind, parameter, "%s", i18n_pick(req, vi, en));
	http_problem_reply(req, res, &err);
}

static void admin_audit(const struct http_request *req, const char *event,
			const char *reason, const char *layer, int status,
			int64_t version)
{
	struct audit_event ev = {0};

	ev.event = event;
	ev.reason = reason;
	ev.user = req->user;
	ev.role = req->role;
	ev.has_role = true;
	ev.layer = layer;
	ev.method = req->method;
	ev.path = req->path;
	ev.status = status;
	/* NOTE: the audit event has no version member; the version number
	   goes into `count`. */
	ev.count = version;
	audit_log_event(&ev);
}

/* The tile cache drops the tiles over the changed boxes. */
static void admin_after_swap(const struct http_request *req,
			     const char *layer_id,
			     const struct publish_outcome *out)
{
	struct tilecache *cache = tilecache_shared(req->srv->cfg);
	struct layer_snapshot *snap;

	if (cache == NULL)
		return;
	if (out->n_changed_boxes > 0)
		tilecache_invalidate(cache, layer_id, out->version,
				     (const double (*)[4])out->changed_boxes,
				     out->n_changed_boxes);
	snap = layer_registry_acquire_id(req->srv->layers, layer_id);
	if (snap != NULL)
		tilecache_observe(cache, snap);
	layer_snapshot_release(snap);
}

static int status_of(enum publish_status s)
{
	switch (s) {
	case PUBLISH_OK:
		return 201;
	case PUBLISH_REJECTED:
		return 422;
	case PUBLISH_UNREADABLE:
	case PUBLISH_NOT_VECTOR:
		return 400;
	case PUBLISH_NOT_FOUND:
		return 404;
	case PUBLISH_BUSY:
		return 409;
	case PUBLISH_FAILED:
		break;
	}
	return 503;
}

static const char *slug_of(enum publish_status s)
{
	switch (s) {
	case PUBLISH_REJECTED:
		return "validation-failed";
	case PUBLISH_UNREADABLE:
		return "invalid-format";
	case PUBLISH_NOT_VECTOR:
		return "not-supported";
	case PUBLISH_NOT_FOUND:
		return "not-found";
	case PUBLISH_BUSY:
		return "conflict";
	case PUBLISH_OK:
	case PUBLISH_FAILED:
		break;
	}
	return "unavailable";
}

/* 201 with the manifest and the report, or a problem with the report. */
static void admin_reply_outcome(const struct http_request *req,
				struct http_response *res,
				const struct publish_outcome *out)
{
	int status = status_of(out->status);
	char *report = validate_report_json(&out->report);
	const char *detail = i18n_pick(req, out->message_vi, out->message_en);

	if (out->status == PUBLISH_OK) {
		json_t *doc = json_pack("{s:I, s:s}", "version",
					(json_int_t)out->version, "detail",
					detail);
		char *text;

		json_object_set_new(doc, "manifest",
				    json_loads(out->manifest, 0, NULL));
		if (report != NULL)
			json_object_set_new(doc, "report",
					    json_loads(report, 0, NULL));
		text = json_dumps(doc, JSON_INDENT(1));
		json_decref(doc);
		if (text != NULL)
			http_response_take(res, 201, "application/json", text,
					   strlen(text));
		else
			http_response_copy(res, 503, "text/plain", "?\n", 2);
	} else {
		admin_problem(req, res, status, slug_of(out->status),
			      "Không xuất bản được", "Publish refused", detail,
			      out->report.n_features || out->report.n_problems ?
			      "report" : NULL, report);
	}
	free(report);
}

static void admin_publish(struct http_request *req, struct http_response *res,
			  const char *layer_id)
{
	struct http_upload *up = http_upload_current();
	struct publish_outcome out;
	char *path;

	if (http_upload_too_large(up)) {
		admin_audit(req, "publish_rejected", "too_large", layer_id, 413,
			    0);
		admin_error(req, res, REQ_TOO_LARGE, "body",
			    "Tệp tải lên vượt quá giới hạn limits.max_upload_mb.",
			    "The upload is larger than limits.max_upload_mb.");
		return;
	}
	path = http_upload_take_file(up);
	if (path == NULL || http_upload_bytes(up) == 0) {
		if (path != NULL)
			remove(path);
		free(path);
		admin_error(req, res, http_upload_failed(up) ?
			    REQ_UNAVAILABLE : REQ_MISSING_PARAMETER, "body",
			    "Thiếu tệp dữ liệu trong thân yêu cầu.",
			    "The request body holds no data file.");
		return;
	}
	publisher_publish(admin_publisher, layer_id, path,
			  http_param(req, "filename"), req->user, &out);
	free(path);
	if (out.status == PUBLISH_OK)
		admin_after_swap(req, layer_id, &out);
	admin_audit(req, out.status == PUBLISH_OK ? "layer_published" :
		    "publish_rejected", slug_of(out.status), layer_id,
		    status_of(out.status), out.version);
	admin_reply_outcome(req, res, &out);
	publish_outcome_clear(&out);
}

/* The version to roll back to: ?version=N or {"version": N}. */
static int rollback_target(const struct http_request *req, long *target)
{
	const char *text = http_param(req, "version");
	const char *body = http_upload_memory(http_upload_current(), NULL);
	json_t *doc, *v;
	int rc = -1;

	if (text != NULL)
		return parse_long(text, 1, 1000000000L, target);
	if (body == NULL || (doc = json_loads(body, 0, NULL)) == NULL)
		return -1;
	v = json_object_get(doc, "version");
	if (json_is_integer(v) && json_integer_value(v) >= 1) {
		*target = (long)json_integer_value(v);
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

static void admin_rollback(struct http_request *req, struct http_response *res,
			   const char *layer_id)
{
	struct publish_outcome out;
	long target;

	if (rollback_target(req, &target) != 0) {
		admin_error(req, res, REQ_MISSING_PARAMETER, "version",
			    "Cần tham số version=N (số nguyên từ 1).",
			    "Parameter version=N (an integer from 1) is "
			    "needed.");
		return;
	}
	publisher_rollback(admin_publisher, layer_id, target, req->user, &out);
	if (out.status == PUBLISH_OK)
		admin_after_swap(req, layer_id, &out);
	admin_audit(req, out.status == PUBLISH_OK ? "layer_rolled_back" :
		    "rollback_refused", slug_of(out.status), layer_id,
		    status_of(out.status), out.version);
	admin_reply_outcome(req, res, &out);
	publish_outcome_clear(&out);
}

static void reply_json_text(struct http_response *res, char *text)
{
	if (text == NULL) {
		http_response_copy(res, 503, "text/plain; charset=utf-8",
				   "out of memory\n", 14);
		return;
	}
	http_response_take(res, 200, "application/json", text, strlen(text));
}

/* Every manifest, without the lists of keys. */
static void admin_list(struct http_request *req, struct http_response *res,
		       const char *layer_id)
{
	int64_t *list = NULL;
	size_t n = versions_list(req->srv->cfg, layer_id, &list);
	json_t *doc = json_object(), *items = json_array();

	for (size_t i = 0; i < n; i++) {
		char *text = versions_manifest(req->srv->cfg, layer_id, list[i]);
		json_t *m = text ? json_loads(text, 0, NULL) : NULL;
		json_t *changes = json_object_get(m, "changes");

		free(text);
		if (m == NULL)
			continue;
		json_object_del(changes, "added_keys");
		json_object_del(changes, "removed_keys");
		json_object_del(changes, "modified_keys");
		json_array_append_new(items, m);
	}
	free(list);
	json_object_set_new(doc, "layer", json_string(layer_id));
	json_object_set_new(doc, "live_version", json_integer(
		publisher_live_version(admin_publisher, layer_id)));
	json_object_set_new(doc, "versions", items);
	reply_json_text(res, json_dumps(doc, JSON_INDENT(1)));
	json_decref(doc);
}

static void admin_one(struct http_request *req, struct http_response *res,
		      const char *layer_id, const char *number)
{
	long n;
	char *text = NULL;

	if (parse_long(number, 1, 1000000000L, &n) == 0)
		text = versions_manifest(req->srv->cfg, layer_id, n);
	if (text == NULL) {
		admin_error(req, res, REQ_NOT_FOUND, "version",
			    "Không có phiên bản này.", "No such version.");
		return;
	}
	reply_json_text(res, text);
}

static void admin_diff(struct http_request *req, struct http_response *res,
		       const char *layer_id)
{
	const char *from = http_param(req, "from"), *to = http_param(req, "to");
	long a, b;
	char *json = NULL;

	if (from == NULL || to == NULL ||
	    parse_long(from, 0, 1000000000L, &a) != 0 ||
	    parse_long(to, 0, 1000000000L, &b) != 0) {
		admin_error(req, res, REQ_INVALID_PARAMETER, "from",
			    "Cần from=N và to=M (số nguyên từ 0).",
			    "from=N and to=M (integers from 0) are needed.");
		return;
	}
	if (publisher_diff(admin_publisher, layer_id, a, b, &json) != 0) {
		admin_error(req, res, REQ_NOT_FOUND, "from",
			    "Không có phiên bản này.", "No such version.");
		return;
	}
	reply_json_text(res, json);
}

/* Check the role: 401 for anonymous callers, 403 for the other roles. */
static bool admin_allowed(struct http_request *req, struct http_response *res)
{
	if (req->role == CFG_ROLE_PUBLISHER || req->role == CFG_ROLE_ADMIN)
		return true;
	if (req->role == CFG_ROLE_ANONYMOUS) {
		admin_error(req, res, REQ_UNAUTHORIZED, "Authorization",
			    "Cần mã truy cập có vai trò publisher.",
			    "A token with the publisher role is needed.");
		http_response_header(res, "WWW-Authenticate",
				     "Bearer realm=\"vnsdi\"");
	} else {
		admin_error(req, res, REQ_FORBIDDEN, "Authorization",
			    "Vai trò của bạn không được xuất bản dữ liệu.",
			    "Your role may not publish data.");
	}
	return false;
}

void admin_handle(struct http_request *req, struct http_response *res)
{
	char id[80], rest[80];
	const char *p = req->path + strlen("/admin/layers/");
	const char *slash;
	bool post = strcmp(req->method, "POST") == 0;

	if (strncmp(req->path, "/admin/layers/", 14) != 0 ||
	    (slash = strchr(p, '/')) == NULL || (size_t)(slash - p) >= sizeof(id)
	    || strlen(slash + 1) >= sizeof(rest) || slash == p) {
		admin_error(req, res, REQ_NOT_FOUND, "", "Không tìm thấy.",
			    "Not found.");
		return;
	}
	if (!admin_allowed(req, res))
		return;
	memcpy(id, p, (size_t)(slash - p));
	id[slash - p] = '\0';
	snprintf(rest, sizeof(rest), "%s", slash + 1);
	if (cfg_layer_find(req->srv->cfg, id) == NULL) {
		admin_error(req, res, REQ_NOT_FOUND, "layer",
			    "Không có lớp này.", "No such layer.");
		return;
	}
	if (strcmp(rest, "versions") == 0 && post)
		admin_publish(req, res, id);
	else if (strcmp(rest, "versions") == 0)
		admin_list(req, res, id);
	else if (strncmp(rest, "versions/", 9) == 0 && !post)
		admin_one(req, res, id, rest + 9);
	else if (strcmp(rest, "rollback") == 0 && post)
		admin_rollback(req, res, id);
	else if (strcmp(rest, "diff") == 0 && !post)
		admin_diff(req, res, id);
	else if (strcmp(rest, "publish") == 0 && !post)
		reply_json_text(res, publisher_progress_json(admin_publisher,
							     id));
	else
		admin_error(req, res, REQ_NOT_FOUND, "", "Không tìm thấy.",
			    "Not found.");
}
