/*
 * Authentication, partner rate limits and the audit of denied requests.
 * The audit log itself is layers/audit.c; GET /admin/audit is in
 * server/auth_audit.c.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "layers/audit.h"
#include "server/auth.h"
#include "server/http_util.h"
#include "server/ratelimit.h"

/* Maximum length of a bearer token with its NUL. Tokens are compared by
   their SHA-256, and configured ones are far shorter. */
#define AUTH_MAX_TOKEN 1024

/* Reasons of denied requests, as audit codes and metric labels. */
enum auth_denial {
	AUTH_DENIED_UNAUTHORIZED,
	AUTH_DENIED_FORBIDDEN,
	AUTH_DENIED_RATE_LIMITED,
	AUTH_DENIED_PERSONAL,
	AUTH_DENIED_COUNT
};

static const char *const denial_codes[AUTH_DENIED_COUNT] = {
	"unauthorized", "forbidden", "rate_limited", "personal_attribute"
};

static atomic_ullong denial_counts[AUTH_DENIED_COUNT];

/* The process-wide buckets, made for the first config that needs them. */
static struct {
	pthread_mutex_t lock;
	struct ratelimit *rl;
	const struct cfg *cfg;
} limits = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL };

static struct ratelimit *auth_limiter(const struct cfg *cfg)
{
	struct ratelimit *rl;

	pthread_mutex_lock(&limits.lock);
	if (limits.cfg != cfg) {
		ratelimit_free(limits.rl);
		limits.rl = ratelimit_new(cfg->n_users);
		limits.cfg = limits.rl != NULL ? cfg : NULL;
	}
	rl = limits.rl;
	pthread_mutex_unlock(&limits.lock);
	return rl;
}

void auth_shutdown(void)
{
	pthread_mutex_lock(&limits.lock);
	ratelimit_free(limits.rl);
	limits.rl = NULL;
	limits.cfg = NULL;
	pthread_mutex_unlock(&limits.lock);
}

/* The api_key parameter, name compared without case, or NULL; *count
   receives how many were sent. */
static const char *auth_api_key(const struct http_request *req,
				size_t *count)
{
	const char *value = NULL;

	*count = 0;
	for (size_t i = 0; i < req->n_params; i++)
		if (strcasecmp(req->params[i].name, "api_key") == 0) {
			if (value == NULL)
				value = req->params[i].value;
			(*count)++;
		}
	return value;
}

/*
 * The token of an "Authorization: Bearer" header value into `out`.
 * RFC 6750 (2.1) separates the scheme from the token by 1*SP, and HTTP
 * (RFC 9110, 5.5) excludes white space around a field value, so spaces
 * before and after the token are dropped alike. Returns false for a token
 * longer than the buffer, which no configured token is.
 */
static bool auth_bearer_token(const char *value, char *out, size_t size)
{
	size_t n;

	value += 7;   /* "Bearer " */
	while (*value == ' ' || *value == '\t')
		value++;
	n = strlen(value);
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	if (n >= size)
		return false;
	memcpy(out, value, n);
	out[n] = '\0';
	return true;
}

/*
 * Move every api_key parameter past the end of the list. The entries stay
 * in the array, so the owner of the array still frees them.
 */
static void auth_strip_api_key(struct http_request *req)
{
	size_t kept = 0;

	for (size_t i = 0; i < req->n_params; i++) {
		if (strcasecmp(req->params[i].name, "api_key") == 0)
			continue;
		if (kept != i) {
			struct http_param tmp = req->params[kept];
			req->params[kept] = req->params[i];
			req->params[i] = tmp;
		}
		kept++;
	}
	req->n_params = kept;
}

/* Find the caller's user from its token; -1 with `err` for a bad one. */
static int auth_identify(struct http_request *req, struct req_error *err,
			 const struct cfg_user **user)
{
	const char *header = http_header(req, "Authorization");
	const char *token;
	char bearer[AUTH_MAX_TOKEN];
	size_t n_keys = 0;

	*user = NULL;
	if (header != NULL) {
		if (strncasecmp(header, "Bearer ", 7) != 0)
			return req_error_set(err, REQ_UNAUTHORIZED,
				"Authorization",
				i18n_pick(req,
					  "Chỉ chấp nhận xác thực kiểu "
					  "\"Authorization: Bearer <mã truy cập>\".",
					  "Only \"Authorization: Bearer <token>\" "
					  "authentication is accepted."));
		token = auth_bearer_token(header, bearer, sizeof(bearer))
				? bearer : NULL;
	} else {
		token = auth_api_key(req, &n_keys);
		if (n_keys > 1)
			return req_error_set(err, REQ_INVALID_PARAMETER,
				"api_key",
				i18n_pick(req,
					  "Tham số api_key xuất hiện %zu lần; "
					  "chỉ gửi một mã truy cập.",
					  "Parameter api_key appears %zu times; "
					  "send one access token."),
				n_keys);
		if (token == NULL)
			return 0;
	}
	if (token != NULL)
		*user = http_user_by_token(req->srv->cfg, token);
	if (*user == NULL)
		/* The token itself is a secret: never echo it. */
		return req_error_set(err, REQ_UNAUTHORIZED,
			header != NULL ? "Authorization" : "api_key",
			i18n_pick(req, "Mã truy cập không hợp lệ.",
				  "Invalid access token."));
	return 0;
}

/* Take one token of the user's bucket; -1 with `err` when over. */
static int auth_rate_limit(struct http_request *req,
			   const struct cfg_user *user,
			   struct req_error *err, int *retry_after)
{
	const struct cfg *cfg = req->srv->cfg;
	double wait, burst = user->rate_limit > 1 ? user->rate_limit : 1;
	size_t key = (size_t)(user - cfg->users);

	if (!(user->rate_limit > 0))
		return 0;
	if (ratelimit_take(auth_limiter(cfg), key, user->rate_limit, burst,
			   ratelimit_now(), &wait))
		return 0;
	*retry_after = wait >= AUTH_MAX_RETRY_AFTER ? AUTH_MAX_RETRY_AFTER
						     : (int)wait + 1;
	return req_error_set(err, REQ_TOO_MANY_REQUESTS, "",
		i18n_pick(req,
			  "Vượt giới hạn %g yêu cầu mỗi giây của khóa này; "
			  "thử lại sau %d giây.",
			  "This key is over its limit of %g requests per "
			  "second; retry after %d s."),
		user->rate_limit, *retry_after);
}

int auth_request(struct http_request *req, struct req_error *err,
		 int *retry_after)
{
	const struct cfg_user *user = NULL;
	int rc = auth_identify(req, err, &user);

	*retry_after = 0;
	auth_strip_api_key(req);
	req->role = CFG_ROLE_ANONYMOUS;
	req->user = NULL;
	if (rc != 0 || user == NULL)
		return rc;
	req->role = user->role;
	req->user = user->name;
	return auth_rate_limit(req, user, err, retry_after);
}

static bool auth_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Whether `word` occurs in `text` between non-identifier characters. */
static bool auth_has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	if (n == 0)
		return false;
	for (const char *p = strstr(text, word); p != NULL;
	     p = strstr(p + 1, word)) {
		bool start = p == text || !auth_ident_char(p[-1]);
		if (start && !auth_ident_char(p[n]))
			return true;
	}
	return false;
}

/* Whether `role` is among a layer's personal_roles. */
static bool auth_role_reads_personal(const struct cfg_layer *l,
				     enum cfg_role role)
{
	const char *name = cfg_role_name(role);

	for (size_t i = 0; name != NULL && i < l->n_personal_roles; i++)
		if (strcmp(l->personal_roles[i], name) == 0)
			return true;
	return false;
}

bool auth_names_hidden_attribute(const struct http_request *req, char *attr,
				 size_t attr_size)
{
	const struct cfg *cfg = req->srv->cfg;

	for (size_t i = 0; i < cfg->n_layers; i++) {
		const struct cfg_layer *l = &cfg->layers[i];
		if (auth_role_reads_personal(l, req->role))
			continue;
		for (size_t a = 0; a < l->n_personal; a++) {
			const char *name = l->personal[a];
			for (size_t p = 0; p < req->n_params; p++) {
				const struct http_param *q = &req->params[p];
				if (strcmp(q->name, name) != 0 &&
				    !auth_has_word(q->value, name))
					continue;
				snprintf(attr, attr_size, "%s", name);
				return true;
			}
		}
	}
	return false;
}

void auth_audit_response(const struct http_request *req,
			 const struct http_response *res)
{
	char attr[128] = "";
	enum auth_denial why;

	switch (res->status) {
	case 401:
		why = AUTH_DENIED_UNAUTHORIZED;
		break;
	case 403:
		why = AUTH_DENIED_FORBIDDEN;
		break;
	case 429:
		why = AUTH_DENIED_RATE_LIMITED;
		break;
	case 400:
		if (!auth_names_hidden_attribute(req, attr, sizeof(attr)))
			return;
		why = AUTH_DENIED_PERSONAL;
		break;
	default:
		return;
	}
	atomic_fetch_add(&denial_counts[why], 1);

	struct audit_event ev = {
		.event = "request_denied",
		.reason = denial_codes[why],
		.user = req->user,
		.role = req->role,
		.has_role = true,
		.method = req->method,
		.path = req->path,
		.parameter = attr[0] != '\0' ? attr : NULL,
		.status = res->status,
	};
	audit_log_event(&ev);
}

static void auth_render_drop(struct strbuf *out, const char *layer,
			     const char *kind, const char *reason, size_t n)
{
	strbuf_printf(out, "vnsdi_secrecy_drops{layer=\"%s\",kind=\"%s\","
		      "reason=\"%s\"} %zu\n", layer, kind, reason, n);
}

int auth_metrics_render(struct layer_registry *reg, struct strbuf *out)
{
	size_t n = reg != NULL ? layer_registry_count(reg) : 0;

	strbuf_puts(out, "# HELP vnsdi_requests_denied_total Requests denied "
		    "by the access rules, by reason.\n"
		    "# TYPE vnsdi_requests_denied_total counter\n");
	for (int i = 0; i < AUTH_DENIED_COUNT; i++)
		strbuf_printf(out, "vnsdi_requests_denied_total{reason=\"%s\"} "
			      "%llu\n", denial_codes[i],
			      (unsigned long long)atomic_load(&denial_counts[i]));

	strbuf_puts(out, "# HELP vnsdi_secrecy_drops Features and imagery "
		    "scenes of the live snapshots never served, by reason.\n"
		    "# TYPE vnsdi_secrecy_drops gauge\n");
	for (size_t i = 0; i < n; i++) {
		struct layer_snapshot *snap = layer_registry_acquire(reg, i);
		const char *id;

		if (snap == NULL)
			continue;
		id = snap->cfg->id;
		/* Ids are ASCII checked by the config; skip any that would
		   break the label. */
		if (strpbrk(id, "\"\\\n") == NULL) {
			if (snap->cfg->kind == CFG_LAYER_RASTER) {
				auth_render_drop(out, id, "scene", "footprint",
						 snap->n_dropped_footprint);
				auth_render_drop(out, id, "scene",
						 "restricted_area",
						 snap->n_dropped_restricted);
			} else {
				auth_render_drop(out, id, "feature",
						 "restricted_area",
						 snap->n_dropped_restricted);
			}
		}
		layer_snapshot_release(snap);
	}
	return out->overflow ? -1 : 0;
}
