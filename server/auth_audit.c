/*
 * GET /admin/audit: the audit log for the admin role, newest line first,
 * paged with limit and offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "layers/audit.h"
#include "server/auth.h"

/* Bytes read from the end of the log; older lines are not listed. */
#define AUDIT_READ_MAX (64L << 20)
#define AUDIT_DEFAULT_LIMIT 100
#define AUDIT_MAX_LIMIT 1000

/* The tail of the log, split into lines. */
struct audit_lines {
	char *text;
	size_t *starts;      /* offset of each line in text, oldest first */
	size_t n;
};

static void audit_lines_free(struct audit_lines *l)
{
	free(l->text);
	free(l->starts);
}

/* Read at most AUDIT_READ_MAX bytes from the end; -1 on a read error. */
static int audit_read_tail(const char *path, struct audit_lines *l)
{
	struct stat st;
	off_t start;
	size_t size, got = 0, skip = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = -1;

	memset(l, 0, sizeof(*l));
	if (fd < 0 || fstat(fd, &st) != 0)
		goto cleanup;
	start = st.st_size > AUDIT_READ_MAX ? st.st_size - AUDIT_READ_MAX : 0;
	size = (size_t)(st.st_size - start);
	l->text = malloc(size + 1);
	if (l->text == NULL)
		goto cleanup;
	while (got < size) {
		ssize_t n = pread(fd, l->text + got, size - got,
				  start + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	l->text[got] = '\0';
	/* A tail that starts inside a line drops that partial line. */
	if (start > 0) {
		char *nl = memchr(l->text, '\n', got);
		skip = nl != NULL ? (size_t)(nl - l->text) + 1 : got;
	}
	l->starts = malloc((got / 2 + 2) * sizeof(*l->starts));
	if (l->starts == NULL)
		goto cleanup;
	for (size_t i = skip; i < got;) {
		char *nl = memchr(l->text + i, '\n', got - i);
		size_t end = nl != NULL ? (size_t)(nl - l->text) : got;
		if (end > i)
			l->starts[l->n++] = i;
		l->text[end] = '\0';
		i = end + 1;
	}
	rc = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Check the role: 401 without a token, 403 for any role but admin. */
static int audit_access(struct http_request *req, struct http_response *res,
			struct req_error *err)
{
	if (req->role == CFG_ROLE_ADMIN)
		return 0;
	if (req->role == CFG_ROLE_ANONYMOUS) {
		http_response_header(res, "WWW-Authenticate",
				     "Bearer realm=\"vnsdi\"");
		return req_error_set(err, REQ_UNAUTHORIZED, "Authorization",
			i18n_pick(req,
				  "Nhật ký kiểm toán cần mã truy cập của "
				  "quản trị viên.",
				  "The audit log requires an admin access "
				  "token."));
	}
	return req_error_set(err, REQ_FORBIDDEN, "",
		i18n_pick(req,
			  "Vai trò %s không được xem nhật ký kiểm toán.",
			  "Role %s may not read the audit log."),
		cfg_role_name(req->role));
}

/* limit, offset, f and lang; anything else is a 400 naming it. */
static int audit_params(struct http_request *req, long *limit, long *offset,
			struct req_error *err)
{
	char shown[80];

	*limit = AUDIT_DEFAULT_LIMIT;
	*offset = 0;
	for (size_t i = 0; i < req->n_params; i++) {
		const struct http_param *p = &req->params[i];
		if (strcmp(p->name, "lang") == 0)
			continue;
		if (strcmp(p->name, "f") == 0 && strcmp(p->value, "json") == 0)
			continue;
		if (strcmp(p->name, "limit") == 0 &&
		    parse_long(p->value, 1, AUDIT_MAX_LIMIT, limit) == 0)
			continue;
		if (strcmp(p->name, "offset") == 0 &&
		    parse_long(p->value, 0, 1L << 40, offset) == 0)
			continue;
		return req_error_set(err, REQ_INVALID_PARAMETER, p->name,
			i18n_pick(req,
				  "Tham số %s=\"%s\" không hợp lệ: dùng "
				  "limit (1-%d), offset (>= 0), f=json.",
				  "Invalid parameter %s=\"%s\": use limit "
				  "(1-%d), offset (>= 0), f=json."),
			req_value(p->name, shown, sizeof(shown)),
			req_value(p->value, shown + 40, sizeof(shown) - 40),
			AUDIT_MAX_LIMIT);
	}
	return 0;
}

/* The page of lines, newest first, as a JSON document. */
static char *audit_page(const struct audit_lines *l, long limit, long offset)
{
	json_t *doc = json_object(), *events = json_array();
	char *text = NULL;
	size_t returned = 0;

	if (doc == NULL || events == NULL)
		goto cleanup;
	for (size_t k = (size_t)offset; k < l->n && returned < (size_t)limit;
	     k++, returned++) {
		const char *line = l->text + l->starts[l->n - 1 - k];
		json_t *ev = json_loads(line, 0, NULL);
		json_array_append_new(events, ev != NULL ? ev
					      : json_string("unreadable line"));
	}
	json_object_set_new(doc, "numberMatched", json_integer((json_int_t)l->n));
	json_object_set_new(doc, "numberReturned",
			    json_integer((json_int_t)returned));
	json_object_set_new(doc, "offset", json_integer(offset));
	json_object_set_new(doc, "limit", json_integer(limit));
	json_object_set(doc, "events", events);
	text = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_INDENT(1));
cleanup:
	json_decref(events);
	json_decref(doc);
	return text;
}

void auth_audit_handle(struct http_request *req, struct http_response *res)
{
	struct req_error err = { 0 };
	struct audit_lines lines = { 0 };
	long limit, offset;
	char *body = NULL;
	const char *path = audit_path();

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		http_response_header(res, "Allow", "GET, HEAD, OPTIONS");
		req_error_set(&err, REQ_METHOD_NOT_ALLOWED, "",
			      i18n_pick(req, "Chỉ chấp nhận GET.",
					"Only GET is allowed."));
		goto fail;
	}
	if (audit_access(req, res, &err) != 0 ||
	    audit_params(req, &limit, &offset, &err) != 0)
		goto fail;
	if (path == NULL || audit_read_tail(path, &lines) != 0 ||
	    (body = audit_page(&lines, limit, offset)) == NULL) {
		req_error_set(&err, REQ_UNAVAILABLE, "",
			      i18n_pick(req, "Không đọc được nhật ký kiểm toán.",
					"The audit log cannot be read."));
		goto fail;
	}
	http_response_take(res, 200, "application/json", body, strlen(body));
	audit_lines_free(&lines);
	return;
fail:
	audit_lines_free(&lines);
	http_problem_reply(req, res, &err);
}
