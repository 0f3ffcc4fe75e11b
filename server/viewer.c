/*
 * The map viewer at /viewer: the embedded page and bundle, the redirect of
 * "/viewer" to "viewer/", and the routing to the two JSON documents built
 * in viewer_json.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "server/handlers.h"
#include "server/viewer.h"

/* Maximum length of the query string that the redirect keeps, in bytes. */
#define VIEWER_MAX_QUERY 512

/*
 * Scripts, styles and images come from the server itself. OpenLayers sets
 * element styles from script and draws map images from blob: URLs, hence
 * 'unsafe-inline' for styles and blob: for images.
 */
static const char viewer_csp[] =
	"default-src 'self'; script-src 'self'; "
	"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
	"connect-src 'self'; object-src 'none'; base-uri 'none'; "
	"frame-ancestors 'self'";

static const struct viewer_asset *asset_find(const char *name)
{
	for (size_t i = 0; i < viewer_asset_count; i++) {
		if (strcmp(viewer_assets[i].name, name) == 0)
			return &viewer_assets[i];
	}
	return NULL;
}

void viewer_reply_not_found(struct http_request *req,
			    struct http_response *res)
{
	struct req_error err;
	char shown[80];

	req_error_set(&err, REQ_NOT_FOUND, "",
		      i18n_pick(req,
				"Trình xem bản đồ không có tệp \"%s\".",
				"The map viewer has no file \"%s\"."),
		      req_value(req->path, shown, sizeof(shown)));
	http_problem_reply(req, res, &err);
}

/* True when the request target, without its query, ends with '/'. */
static bool raw_url_has_slash(const char *raw_url)
{
	size_t n = strcspn(raw_url, "?#");

	return n > 0 && raw_url[n - 1] == '/';
}

/* Redirect "/viewer?q" to "viewer/?q", relative so a path prefix added by a
   reverse proxy is kept. */
static void reply_redirect(struct http_request *req, struct http_response *res)
{
	const char *query = strchr(req->raw_url, '?');
	char location[VIEWER_MAX_QUERY + 16];

	snprintf(location, sizeof(location), "viewer/");
	if (query != NULL && strlen(query) <= VIEWER_MAX_QUERY) {
		bool clean = true;

		for (const char *p = query; *p != '\0'; p++)
			clean = clean && (unsigned char)*p > 0x20 && *p != 0x7f;
		if (clean)
			snprintf(location, sizeof(location), "viewer/%s", query);
	}
	http_response_printf(res, 301, "text/html; charset=utf-8",
			     "<!doctype html><meta charset=\"utf-8\">"
			     "<title>vnsdi</title><a href=\"viewer/\">%s</a>\n",
			     i18n_pick(req, "Mở trình xem bản đồ",
				       "Open the map viewer"));
	http_response_header(res, "Location", location);
}

static void reply_asset(struct http_response *res,
			const struct viewer_asset *asset)
{
	http_response_copy(res, 200, asset->content_type, asset->data,
			   asset->size);
	/* The file names carry no content hash: revalidate every time. */
	http_response_header(res, "Cache-Control", "no-cache");
	http_response_header(res, "X-Content-Type-Options", "nosniff");
	if (strcmp(asset->name, "index.html") == 0) {
		http_response_header(res, "Content-Security-Policy",
				     viewer_csp);
		http_response_header(res, "Referrer-Policy", "same-origin");
	}
}

void viewer_handle(struct http_request *req, struct http_response *res)
{
	const char *path = req->path;
	const char *name;
	const struct viewer_asset *asset;

	if (strcmp(path, "/viewer") == 0) {
		if (!raw_url_has_slash(req->raw_url)) {
			reply_redirect(req, res);
			return;
		}
		name = "index.html";
	} else if (strncmp(path, "/viewer/", 8) == 0) {
		name = path + 8;
	} else {
		viewer_reply_not_found(req, res);
		return;
	}

	if (strcmp(name, "config.json") == 0) {
		viewer_reply_config(req, res);
		return;
	}
	if (strcmp(name, "landuse.json") == 0) {
		viewer_reply_landuse(req, res);
		return;
	}
	asset = asset_find(name);
	if (asset == NULL) {
		viewer_reply_not_found(req, res);
		return;
	}
	reply_asset(res, asset);
}
