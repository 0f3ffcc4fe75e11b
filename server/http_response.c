/*
 * Accessors of struct http_request and fillers of struct http_response, the
 * part of the core that handlers call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "server/http.h"
#include "server/http_core.h"

const char *http_param(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++) {
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	}
	return NULL;
}

const char *http_param_ci(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++) {
		if (strcasecmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	}
	return NULL;
}

const char *http_header(const struct http_request *req, const char *name)
{
	if (req->connection == NULL)
		return NULL;
	/* libmicrohttpd compares header names without case. */
	return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND,
					   name);
}

/* Drop a previous body or stream, so a handler may overwrite a response. */
static void response_reset_body(struct http_response *res)
{
	free(res->body);
	res->body = NULL;
	res->size = 0;
	if (res->stream.free != NULL)
		res->stream.free(res->stream.arg);
	memset(&res->stream, 0, sizeof(res->stream));
}

void http_response_take(struct http_response *res, int status,
			const char *content_type, char *body, size_t size)
{
	response_reset_body(res);
	res->status = status;
	res->content_type = content_type;
	res->body = body;
	res->size = body != NULL ? size : 0;
}

void http_response_copy(struct http_response *res, int status,
			const char *content_type, const void *body,
			size_t size)
{
	char *copy = malloc(size + 1);

	if (copy == NULL) {
		http_response_take(res, 503, "text/plain; charset=utf-8", NULL,
				   0);
		return;
	}
	if (size > 0)
		memcpy(copy, body, size);
	copy[size] = '\0';
	http_response_take(res, status, content_type, copy, size);
}

void http_response_printf(struct http_response *res, int status,
			  const char *content_type, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0)
		text = malloc((size_t)n + 1);
	if (text == NULL) {
		http_response_take(res, 503, "text/plain; charset=utf-8", NULL,
				   0);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	http_response_take(res, status, content_type, text, (size_t)n);
}

void http_response_header(struct http_response *res, const char *name,
			  const char *value)
{
	struct http_header *h;

	if (res->n_headers >= HTTP_MAX_HEADERS) {
		http_log("response header %s dropped: more than %d headers",
			 name, HTTP_MAX_HEADERS);
		return;
	}
	h = &res->headers[res->n_headers];
	h->name = strdup(name);
	h->value = strdup(value);
	if (h->name == NULL || h->value == NULL) {
		free(h->name);
		free(h->value);
		h->name = NULL;
		h->value = NULL;
		return;
	}
	res->n_headers++;
}

void http_response_clear(struct http_response *res)
{
	response_reset_body(res);
	for (size_t i = 0; i < res->n_headers; i++) {
		free(res->headers[i].name);
		free(res->headers[i].value);
	}
	res->n_headers = 0;
}
