/*
 * One request from libmicrohttpd to a handler: path safety, query
 * parameters, language, authentication, method check and routing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/admin.h"
#include "server/auth.h"
#include "server/handlers.h"
#include "server/http_core.h"
#include "server/http_util.h"
#include "server/metrics.h"
#include "server/viewer.h"
#include "server/wmts.h"

/* Most query parameters a request may carry. */
#define HTTP_MAX_PARAMS 100
/* Longest decoded path routed. */
#define HTTP_MAX_PATH 2048

/* Error document format of a path. */
enum error_style {
	STYLE_PROBLEM,   /* OGC API and everything else: problem JSON */
	STYLE_WMS,       /* WMS ServiceExceptionReport */
	STYLE_OWS        /* WMTS and tiles: OWS ExceptionReport */
};

struct param_list {
	struct http_param *items;
	size_t count;
	bool too_many;
	bool no_memory;
};

static bool path_is(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/' || path[n] == '?');
}

static enum error_style error_style_of(const char *path)
{
	if (path_is(path, "/wms"))
		return STYLE_WMS;
	if (path_is(path, "/wmts") || path_is(path, "/tiles"))
		return STYLE_OWS;
	return STYLE_PROBLEM;
}

static void reply_error(struct http_request *req, struct http_response *res,
			enum error_style style, const struct req_error *err)
{
	if (style == STYLE_PROBLEM)
		http_problem_reply(req, res, err);
	else
		http_exception_reply(req, res, err, style == STYLE_OWS);
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *value)
{
	struct param_list *list = cls;
	struct http_param *p;

	(void)kind;
	if (list->count == HTTP_MAX_PARAMS) {
		list->too_many = true;
		return MHD_NO;
	}
	p = &list->items[list->count];
	p->name = strdup(key != NULL ? key : "");
	p->value = strdup(value != NULL ? value : "");
	if (p->name == NULL || p->value == NULL) {
		free(p->name);
		free(p->value);
		list->no_memory = true;
		return MHD_NO;
	}
	list->count++;
	return MHD_YES;
}

static void params_free(struct param_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].name);
		free(list->items[i].value);
	}
	free(list->items);
}

/* "http://host:port" for links: the configured public URL, else the Host
   header when it looks like a host name, else the listen address. */
static void base_url_build(const struct server *srv,
			   const struct http_request *req, char *out,
			   size_t size)
{
	const char *host = http_header(req, "Host");
	size_t n;

	if (srv->cfg->public_url != NULL) {
		snprintf(out, size, "%s", srv->cfg->public_url);
	} else if (http_host_valid(host)) {
		snprintf(out, size, "http://%s", host);
	} else {
		snprintf(out, size, "http://%s:%d", srv->cfg->listen_host,
			 srv->cfg->listen_port);
	}
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
}

static void reply_metrics(struct http_request *req, struct http_response *res)
{
	struct strbuf sb;
	char *body;
	size_t size;

	strbuf_init(&sb, 4u << 20);
	if (metrics_render(req->srv->metrics, req->srv->layers, &sb) != 0) {
		struct req_error err;

		strbuf_free(&sb);
		req_error_set(&err, REQ_UNAVAILABLE, "",
			      "metrics text over 4 MiB");
		http_problem_reply(req, res, &err);
		return;
	}
	body = strbuf_take(&sb, &size);
	http_response_take(res, 200, "text/plain; version=0.0.4; charset=utf-8",
			   body, size);
}

static void route(struct http_request *req, struct http_response *res)
{
	const char *path = req->path;

	if (strcmp(path, "/healthz") == 0) {
		res->endpoint = "healthz";
		http_response_copy(res, 200, "text/plain; charset=utf-8",
				   "ok\n", 3);
	} else if (strcmp(path, "/metrics") == 0) {
		res->endpoint = "metrics";
		reply_metrics(req, res);
	} else if (strcmp(path, "/wms") == 0) {
		res->endpoint = "wms";
		wms_handle(req, res);
	} else if (path_is(path, "/wmts")) {
		res->endpoint = "wmts";
		wmts_handle(req, res);
	} else if (path_is(path, "/tiles")) {
		res->endpoint = "tiles";
		xyz_handle(req, res);
	} else if (path_is(path, "/viewer")) {
		res->endpoint = "viewer";
		viewer_handle(req, res);
	} else if (strcmp(path, "/admin/audit") == 0) {
		res->endpoint = "admin";
		auth_audit_handle(req, res);
	} else if (path_is(path, "/admin")) {
		res->endpoint = "admin";
		admin_handle(req, res);
	} else {
		res->endpoint = "ogcapi";
		ogcapi_handle(req, res);
	}
}

/* GET and HEAD everywhere; POST only where the admin API will live. */
static bool method_allowed(const char *method, const char *path)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return true;
	return strcmp(method, "POST") == 0 && path_is(path, "/admin");
}

/* Checks that run before routing; returns -1 with `err` and the style. */
static int request_prepare(struct http_request *req, struct http_outcome *out,
			   char *path_buf, enum http_path_problem *problem,
			   struct req_error *err, int *retry_after)
{
	char shown[80];

	*problem = http_path_check(req->raw_url, path_buf, HTTP_MAX_PATH);
	if (*problem != HTTP_PATH_OK) {
		req->path = "";
		return req_error_set(err, REQ_INVALID_PARAMETER, "path",
			i18n_pick(req,
				  "Đường dẫn \"%s\" không hợp lệ: %s.",
				  "Invalid path \"%s\": %s."),
			req_value(req->raw_url, shown, sizeof(shown)),
			http_path_problem_text(*problem,
					       strcmp(req->lang, "en") == 0));
	}
	req->path = path_buf;
	/* "/collections/" is "/collections". */
	for (size_t n = strlen(path_buf); n > 1 && path_buf[n - 1] == '/'; n--)
		path_buf[n - 1] = '\0';

	if (strcmp(req->method, "OPTIONS") == 0) {
		out->preflight = true;
		return 0;
	}
	if (auth_request(req, err, retry_after) != 0) {
		if (err->kind == REQ_UNAUTHORIZED)
			out->authenticate = "Bearer realm=\"vnsdi\", error=\"invalid_token\"";
		return -1;
	}
	if (!method_allowed(req->method, req->path)) {
		out->allow = path_is(req->path, "/admin") ?
			"GET, HEAD, POST, OPTIONS" : "GET, HEAD, OPTIONS";
		return req_error_set(err, REQ_METHOD_NOT_ALLOWED, "",
			i18n_pick(req,
				  "Phương thức %s không được phép ở đây.",
				  "Method %s is not allowed here."),
			req_value(req->method, shown, sizeof(shown)));
	}
	return 0;
}

void http_dispatch(struct server *srv, struct MHD_Connection *conn,
		   const char *method, const char *raw_url,
		   struct http_response *res, struct http_outcome *out)
{
	struct http_request req;
	struct param_list params = {0};
	struct req_error err = {0};
	char *path_buf = malloc(HTTP_MAX_PATH);
	char base_url[320];
	enum http_path_problem problem = HTTP_PATH_OK;
	int retry_after = 0;

	memset(&req, 0, sizeof(req));
	memset(out, 0, sizeof(*out));
	req.srv = srv;
	req.method = method;
	req.raw_url = raw_url;
	req.connection = conn;
	req.path = "";

	params.items = calloc(HTTP_MAX_PARAMS, sizeof(*params.items));
	if (path_buf == NULL || params.items == NULL) {
		http_response_copy(res, 503, "text/plain; charset=utf-8",
				   "out of memory\n", 14);
		goto done;
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param,
				  &params);
	req.params = params.items;
	req.n_params = params.count;
	req.lang = http_lang_pick(http_param(&req, "lang"),
				  http_header(&req, "Accept-Language"));
	out->lang = req.lang;
	out->gzip_allowed = http_accepts_gzip(http_header(&req,
							  "Accept-Encoding"));
	out->cors_origin = http_cors_origin(srv->cfg,
					    http_header(&req, "Origin"));
	base_url_build(srv, &req, base_url, sizeof(base_url));
	req.base_url = base_url;

	if (request_prepare(&req, out, path_buf, &problem, &err,
			    &retry_after) != 0) {
		bool rejected = problem != HTTP_PATH_OK;

		res->endpoint = rejected ? "rejected" : "other";
		reply_error(&req, res, error_style_of(rejected ? raw_url :
						      req.path), &err);
		if (retry_after > 0) {
			char seconds[16];

			snprintf(seconds, sizeof(seconds), "%d", retry_after);
			http_response_header(res, "Retry-After", seconds);
		}
		goto done;
	}
	if (params.too_many || params.no_memory) {
		res->endpoint = "rejected";
		req_error_set(&err, REQ_INVALID_PARAMETER, "",
			      i18n_pick(&req,
					"Yêu cầu có quá nhiều tham số (tối đa %d).",
					"Too many query parameters (maximum %d)."),
			      HTTP_MAX_PARAMS);
		reply_error(&req, res, error_style_of(req.path), &err);
		goto done;
	}
	if (out->preflight) {
		res->endpoint = "options";
		http_response_take(res, 204, NULL, NULL, 0);
		goto done;
	}
	route(&req, res);

done:
	if (res->status != 0)
		auth_audit_response(&req, res);
	params_free(&params);
	free(path_buf);
}
