/*
 * server/auth: who is calling (roles from tokens), how often (partner rate
 * limits), what was denied (the audit log), and GET /admin/audit.
 *
 * Roles: anonymous (no token), partner (one API key per business, with a
 * rate limit), planner, publisher and admin. A client sends its token as
 * "Authorization: Bearer TOKEN" or, for WMS and WMTS clients that cannot
 * set headers, as an api_key query parameter. The config stores only the
 * SHA-256 of each token.
 *
 * Threads: every function may be called from any request thread.
 */
#ifndef VNSDI_SERVER_AUTH_H
#define VNSDI_SERVER_AUTH_H

#include "server/handlers.h"
#include "server/http.h"

/* Largest Retry-After sent, in seconds. */
#define AUTH_MAX_RETRY_AFTER 3600

/*
 * Set req->role and req->user from the request's token, then remove every
 * api_key parameter (any case) from req->params, so no handler can echo
 * the token into a link, a capabilities document or a log. Then take one
 * token from the user's rate-limit bucket. Returns 0, or -1 with `err` set:
 * REQ_UNAUTHORIZED for a bad token or scheme, REQ_TOO_MANY_REQUESTS with
 * *retry_after (whole seconds, at least 1) for a user over its limit.
 */
int auth_request(struct http_request *req, struct req_error *err,
		 int *retry_after);

/*
 * Write an audit line and count a denied request when `res` is one: a 401,
 * 403 or 429, or a 400 to a caller who named a personal attribute it may
 * not read (in a parameter name, or in a filter, sortby or properties
 * value). Call once per request after the response is filled.
 */
void auth_audit_response(const struct http_request *req,
			 const struct http_response *res);

/*
 * Whether the request names a personal attribute that its role may not
 * read, in a parameter name or as a word of a parameter value. Writes the
 * attribute name into `attr` (at most attr_size bytes) when it does.
 */
bool auth_names_hidden_attribute(const struct http_request *req, char *attr,
				 size_t attr_size);

/*
 * GET /admin/audit?limit=N&offset=M: the audit log, newest line first, as
 * JSON {"events": [...], "numberMatched", "numberReturned", "offset",
 * "limit"}. Admin role only: 401 without a token, 403 for other roles.
 */
void auth_audit_handle(struct http_request *req, struct http_response *res);

/*
 * Append the secrecy metrics: vnsdi_requests_denied_total{reason} and
 * vnsdi_secrecy_drops{layer,kind,reason} from `reg` (may be NULL).
 * Returns 0 or -1 when `out` overflows.
 */
int auth_metrics_render(struct layer_registry *reg, struct strbuf *out);

/* Free the rate-limit buckets (at server stop). */
void auth_shutdown(void);

#endif
