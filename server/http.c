/*
 * The libmicrohttpd glue: daemon start and stop, the per-request context,
 * turning a struct http_response into an MHD response (CORS, gzip, headers),
 * the access log and the metrics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/handlers.h"
#include "server/http_core.h"
#include "server/http_util.h"
#include "server/metrics.h"
#include "server/upload.h"
#include "vn2000/vn2000.h"

/* Per-request state, from the URI log callback to the completion callback. */
struct request_ctx {
	struct server *srv;
	char *raw_url;
	struct timespec start;
	char method[16];
	char remote[INET6_ADDRSTRLEN];
	int status;
	unsigned long long bytes;
	const char *endpoint;
	bool started;      /* the first access-handler call has happened */
	bool answered;
	struct http_upload *upload; /* admin POST body, or NULL */
	struct conn_state *conn;   /* its connection's state, or NULL */
};

/*
 * State of one TCP connection: the request whose URI was logged and that
 * has not completed. libmicrohttpd does not call request_completed for a
 * request it rejects itself, such as one whose request line and headers
 * exceed its memory limit. So such a request is released when its
 * connection closes, or when the next request on it starts.
 */
struct conn_state {
	struct request_ctx *pending;
};

/* A streamed body and the context whose byte count it updates. */
struct stream_glue {
	struct http_stream stream;
	struct request_ctx *ctx;
};

/* Key whose destructor frees a worker thread's PROJ state at thread exit. */
static pthread_key_t thread_cleanup_key;

/* Requests between the URI log callback and the completion callback. */
static atomic_long requests_in_flight;

/* Poll interval of the shutdown wait for requests in flight. */
#define HTTP_DRAIN_POLL_NS 20000000L

void http_log(const char *fmt, ...)
{
	char line[2048];
	char stamp[32];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ ", stamp,
		     now.tv_nsec / 1000000);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* One fputs of a whole line keeps concurrent lines apart. */
	strcat(line, "\n");
	fputs(line, stderr);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Free a request's context and count it out of the requests in flight. */
static void request_release(struct request_ctx *ctx)
{
	http_upload_free(ctx->upload);
	free(ctx->raw_url);
	free(ctx);
	atomic_fetch_sub(&requests_in_flight, 1);
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request_ctx *ctx = calloc(1, sizeof(*ctx));
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *state = info != NULL ? info->socket_context : NULL;

	/* The connection's previous request never completed: free it. */
	if (state != NULL && state->pending != NULL) {
		request_release(state->pending);
		state->pending = NULL;
	}
	if (ctx == NULL)
		return NULL;
	ctx->srv = cls;
	ctx->raw_url = strdup(uri != NULL ? uri : "");
	if (ctx->raw_url == NULL) {
		free(ctx);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &ctx->start);
	atomic_fetch_add(&requests_in_flight, 1);
	if (state != NULL) {
		state->pending = ctx;
		ctx->conn = state;
	}
	return ctx;
}

/* The path of a request target for the log: no query (it may hold an
   api_key), control characters replaced, cut to 200 bytes. */
static void log_path(const char *raw, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = raw; *p != '\0' && *p != '?' && n + 1 < size &&
	     n < 200; p++) {
		unsigned char c = (unsigned char)*p;

		out[n++] = (c < 0x21 || c == 0x7f) ? '?' : (char)c;
	}
	out[n] = '\0';
}

static void request_completed(void *cls, struct MHD_Connection *conn,
			      void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct request_ctx *ctx = *con_cls;
	char path[256];
	double seconds;

	(void)cls;
	(void)conn;
	if (ctx == NULL)
		return;
	*con_cls = NULL;
	if (ctx->conn != NULL && ctx->conn->pending == ctx)
		ctx->conn->pending = NULL;
	if (ctx->answered) {
		seconds = seconds_since(&ctx->start);
		log_path(ctx->raw_url, path, sizeof(path));
		http_log("%s %s %s %d %llu %.1fms%s", ctx->remote, ctx->method,
			 path, ctx->status, ctx->bytes, seconds * 1000.0,
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ?
			 "" : " (connection closed early)");
		metrics_observe(ctx->srv->metrics, ctx->endpoint, ctx->status,
				seconds);
	}
	request_release(ctx);
}

static void connection_notify(void *cls, struct MHD_Connection *conn,
			      void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct conn_state *state = *socket_context;

	(void)cls;
	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct conn_state));
		return;
	}
	if (state == NULL)
		return;
	if (state->pending != NULL) {
		char path[256];

		log_path(state->pending->raw_url, path, sizeof(path));
		http_log("%s rejected by libmicrohttpd before it was handled "
			 "(request line or headers too large, or malformed)",
			 path);
		request_release(state->pending);
	}
	free(state);
	*socket_context = NULL;
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_glue *glue = cls;
	ssize_t n;

	(void)pos;
	n = glue->stream.read(glue->stream.arg, buf, max);
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	glue->ctx->bytes += (unsigned long long)n;
	return n;
}

static void stream_free(void *cls)
{
	struct stream_glue *glue = cls;

	if (glue->stream.free != NULL)
		glue->stream.free(glue->stream.arg);
	free(glue);
}

/* Compress a text body, or wrap a streamed one, when the client accepts
   gzip. Returns whether the body is now gzip-encoded. */
static bool maybe_gzip(struct http_response *res, bool allowed)
{
	void *packed;
	size_t packed_size;

	if (!allowed || !http_type_compressible(res->content_type))
		return false;
	for (size_t i = 0; i < res->n_headers; i++) {
		if (strcasecmp(res->headers[i].name, "Content-Encoding") == 0)
			return false;
	}
	if (res->stream.read != NULL)
		return http_gzip_stream(&res->stream) == 0;
	if (res->body == NULL || res->size < HTTP_GZIP_MIN_SIZE)
		return false;
	if (http_gzip(res->body, res->size, &packed, &packed_size) != 0)
		return false;
	free(res->body);
	res->body = packed;
	res->size = packed_size;
	return true;
}

static struct MHD_Response *mhd_response_new(struct request_ctx *ctx,
					     struct http_response *res)
{
	struct MHD_Response *mr;

	if (res->stream.read != NULL) {
		struct stream_glue *glue = malloc(sizeof(*glue));

		if (glue == NULL)
			return NULL;
		glue->stream = res->stream;
		glue->ctx = ctx;
		mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
						       64 * 1024, stream_reader,
						       glue, stream_free);
		if (mr == NULL) {
			free(glue);
			return NULL;
		}
		/* The glue owns the stream now. */
		memset(&res->stream, 0, sizeof(res->stream));
		return mr;
	}
	mr = MHD_create_response_from_buffer(res->size,
					     res->body != NULL ? res->body : "",
					     res->body != NULL ?
					     MHD_RESPMEM_MUST_FREE :
					     MHD_RESPMEM_PERSISTENT);
	if (mr != NULL && res->body != NULL) {
		/* libmicrohttpd frees the body with the response. */
		ctx->bytes = res->size;
		res->body = NULL;
		res->size = 0;
	}
	return mr;
}

/* Add the handler's headers and the core's; merges every Vary value. */
static void add_headers(struct MHD_Response *mr, const struct http_response *res,
			const struct http_outcome *out, bool gzipped)
{
	char vary[256] = "Origin";
	bool text = http_type_compressible(res->content_type);

	if (res->content_type != NULL)
		MHD_add_response_header(mr, "Content-Type", res->content_type);
	for (size_t i = 0; i < res->n_headers; i++) {
		const struct http_header *h = &res->headers[i];

		if (strcasecmp(h->name, "Vary") == 0) {
			size_t n = strlen(vary);

			snprintf(vary + n, sizeof(vary) - n, ", %s", h->value);
			continue;
		}
		MHD_add_response_header(mr, h->name, h->value);
	}
	if (text) {
		size_t n = strlen(vary);

		snprintf(vary + n, sizeof(vary) - n, ", Accept-Encoding");
		MHD_add_response_header(mr, "Content-Language", out->lang);
	}
	MHD_add_response_header(mr, "Vary", vary);
	if (gzipped)
		MHD_add_response_header(mr, "Content-Encoding", "gzip");

	if (out->cors_origin != NULL) {
		MHD_add_response_header(mr, "Access-Control-Allow-Origin",
					out->cors_origin);
		MHD_add_response_header(mr, "Access-Control-Expose-Headers",
					"Content-Language, Content-Encoding");
	}
	if (out->preflight) {
		MHD_add_response_header(mr, "Access-Control-Allow-Methods",
					"GET, HEAD, POST, OPTIONS");
		MHD_add_response_header(mr, "Access-Control-Allow-Headers",
					"Authorization, Content-Type, "
					"Accept-Language");
		MHD_add_response_header(mr, "Access-Control-Max-Age", "86400");
		MHD_add_response_header(mr, "Allow", "GET, HEAD, POST, OPTIONS");
	}
	if (out->allow != NULL)
		MHD_add_response_header(mr, "Allow", out->allow);
	if (out->authenticate != NULL)
		MHD_add_response_header(mr, "WWW-Authenticate",
					out->authenticate);
}

static void remote_address(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info != NULL ? info->client_addr : NULL;

	snprintf(out, size, "-");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)
			  ->sin_addr, out, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
				      (const void *)sa)->sin6_addr, out,
			  (socklen_t)size);
}

/* A handler that left no status is a bug: send 500 and log it. */
static void check_handler_result(struct http_response *res, const char *method,
				 const char *raw_url)
{
	char shown[80];

	if (res->status >= 100 && res->status <= 599)
		return;
	http_log("BUG: no response status for %s %s", method,
		 req_value(raw_url, shown, sizeof(shown)));
	http_response_copy(res, 500, "text/plain; charset=utf-8",
			   "internal error\n", 15);
}

static enum MHD_Result answer(struct request_ctx *ctx,
			      struct MHD_Connection *conn, const char *method)
{
	struct http_response res;
	struct http_outcome out;
	struct MHD_Response *mr;
	enum MHD_Result ret;
	bool gzipped;

	memset(&res, 0, sizeof(res));
	http_dispatch(ctx->srv, conn, method, ctx->raw_url, &res, &out);
	check_handler_result(&res, method, ctx->raw_url);
	gzipped = maybe_gzip(&res, out.gzip_allowed);

	mr = mhd_response_new(ctx, &res);
	if (mr == NULL) {
		http_response_clear(&res);
		return MHD_NO;
	}
	add_headers(mr, &res, &out, gzipped);
	ctx->status = res.status;
	ctx->endpoint = res.endpoint;
	ret = MHD_queue_response(conn, (unsigned int)res.status, mr);
	MHD_destroy_response(mr);
	http_response_clear(&res);
	return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn,
				      const char *url, const char *method,
				      const char *version,
				      const char *upload_data,
				      size_t *upload_data_size, void **con_cls)
{
	struct request_ctx *ctx = *con_cls;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (ctx == NULL)
		return MHD_NO;
	/* libmicrohttpd 0.9.75 closes the connection after a response queued
	   in the first call, so respond from the second one, after the body. */
	if (!ctx->started) {
		ctx->started = true;
		ctx->upload = http_upload_begin(ctx->srv, conn, method, url);
		return MHD_YES;
	}
	if (*upload_data_size != 0 || ctx->answered) {
		/* Admin POST bodies go to server/upload.c; others are
		   dropped. */
		if (!ctx->answered)
			http_upload_feed(ctx->upload, upload_data,
					 *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (pthread_getspecific(thread_cleanup_key) == NULL)
		pthread_setspecific(thread_cleanup_key, ctx->srv);

	ctx->answered = true;
	snprintf(ctx->method, sizeof(ctx->method), "%s", method);
	remote_address(conn, ctx->remote, sizeof(ctx->remote));
	http_upload_finish(ctx->upload);
	http_upload_set_current(ctx->upload);
	ret = answer(ctx, conn, method);
	http_upload_set_current(NULL);
	return ret;
}

static void thread_cleanup(void *value)
{
	(void)value;
	vn2000_thread_cleanup();
	layer_thread_cleanup();
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char text[1024];
	size_t n;

	(void)cls;
	vsnprintf(text, sizeof(text), fmt, ap);
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	http_log("libmicrohttpd: %s", text);
}

/* Resolve HOST and PORT into a socket address; -1 with a log line. */
static int listen_address(const char *host, int port,
			  struct sockaddr_storage *addr, bool *ipv6)
{
	struct addrinfo hints, *found = NULL;
	char service[16];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &found);
	if (rc != 0 || found == NULL) {
		http_log("cannot resolve listen address \"%s\": %s", host,
			 gai_strerror(rc));
		return -1;
	}
	memset(addr, 0, sizeof(*addr));
	memcpy(addr, found->ai_addr, found->ai_addrlen);
	*ipv6 = found->ai_family == AF_INET6;
	freeaddrinfo(found);
	return 0;
}

static struct MHD_Daemon *daemon_start(struct server *srv, const char *host,
				       int port)
{
	struct sockaddr_storage addr;
	bool ipv6 = false;
	/* MHD_USE_ITC makes MHD_quiesce_daemon work with a thread pool.
	   poll(), not epoll: with epoll, libmicrohttpd 0.9.75 removes the
	   listening socket from each worker's epoll set in
	   MHD_quiesce_daemon while the worker may be changing that set, and
	   aborts the process when the removal fails (seen at SIGTERM). */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			     MHD_USE_ERROR_LOG | MHD_USE_ITC;
	unsigned int threads = srv->cfg->threads > 0 ?
		(unsigned int)srv->cfg->threads : 1;
	unsigned int timeout = srv->cfg->limits.request_timeout > 0 ?
		(unsigned int)srv->cfg->limits.request_timeout : 30;

	if (listen_address(host, port, &addr, &ipv6) != 0)
		return NULL;
	if (ipv6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
				access_handler, srv,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_THREAD_POOL_SIZE, threads,
				MHD_OPTION_CONNECTION_TIMEOUT, timeout,
				MHD_OPTION_URI_LOG_CALLBACK, uri_logger, srv,
				MHD_OPTION_NOTIFY_COMPLETED, request_completed,
				srv,
				MHD_OPTION_NOTIFY_CONNECTION, connection_notify,
				srv,
				MHD_OPTION_END);
}

/*
 * Stop accepting connections, then wait up to `timeout` seconds for the
 * requests in flight to be answered. Idle keep-alive connections are not
 * waited for: MHD_stop_daemon closes them. Returns the listening socket,
 * which the caller closes after MHD_stop_daemon.
 */
static MHD_socket http_drain(struct MHD_Daemon *daemon, unsigned timeout)
{
	const struct timespec pause = { 0, HTTP_DRAIN_POLL_NS };
	struct timespec start;
	MHD_socket listen_fd = MHD_quiesce_daemon(daemon);
	long left;

	if (listen_fd == MHD_INVALID_SOCKET)
		http_log("cannot stop accepting connections; in-flight "
			 "requests may be cut");
	/* On Linux, shutting a listening socket down stops the listening,
	   so new clients are refused at once instead of waiting in the
	   backlog. The descriptor stays open until MHD_stop_daemon. */
	else
		shutdown(listen_fd, SHUT_RDWR);
	clock_gettime(CLOCK_MONOTONIC, &start);
	left = atomic_load(&requests_in_flight);
	if (left > 0)
		http_log("waiting up to %u s for %ld requests in flight",
			 timeout, left);
	while (left > 0 && seconds_since(&start) < (double)timeout) {
		nanosleep(&pause, NULL);
		left = atomic_load(&requests_in_flight);
	}
	if (left > 0)
		http_log("%ld requests still running after %u s; closing them",
			 left, timeout);
	return listen_fd;
}

int http_serve(struct server *srv, const char *host, int port)
{
	MHD_socket listen_fd;
	struct MHD_Daemon *daemon = NULL;
	const union MHD_DaemonInfo *info;
	sigset_t stop_signals, old_mask;
	int sig = 0;
	int status = 1;
	bool own_metrics = false;

	/* Block the stop signals before the worker threads start, so they
	   inherit the mask and only sigwait below receives them. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
	signal(SIGPIPE, SIG_IGN);

	if (srv->metrics == NULL) {
		srv->metrics = metrics_new();
		own_metrics = srv->metrics != NULL;
	}
	if (pthread_key_create(&thread_cleanup_key, thread_cleanup) != 0) {
		http_log("cannot create the thread cleanup key");
		goto done;
	}

	daemon = daemon_start(srv, host, port);
	if (daemon == NULL) {
		http_log("cannot listen on %s:%d: %s", host, port,
			 strerror(errno));
		pthread_key_delete(thread_cleanup_key);
		goto done;
	}
	info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	http_log("listening on http://%s:%u with %d threads", host,
		 info != NULL ? (unsigned)info->port : (unsigned)port,
		 srv->cfg->threads);

	while (sigwait(&stop_signals, &sig) != 0 || (sig != SIGINT &&
						     sig != SIGTERM))
		;
	http_log("%s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	listen_fd = http_drain(daemon, srv->cfg->limits.request_timeout > 0 ?
				       (unsigned)srv->cfg->limits.request_timeout
				       : 30);
	MHD_stop_daemon(daemon);
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
	pthread_key_delete(thread_cleanup_key);
	http_log("stopped");
	status = 0;

done:
	vn2000_thread_cleanup();
	layer_thread_cleanup();
	if (own_metrics) {
		metrics_free(srv->metrics);
		srv->metrics = NULL;
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}
