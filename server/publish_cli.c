/*
 * The client side of publishing: `vnsdi publish`, `vnsdi versions` and
 * `vnsdi rollback` over HTTP.
 *
 * A small blocking HTTP/1.1 client over POSIX sockets, for http:// URLs
 * only (the admin API is meant for 127.0.0.1 or a trusted network behind
 * a TLS proxy). GDAL's CPLHTTPFetch was not used: it uploads a body from
 * memory or as a multipart form, and reports no upload progress, while a
 * publish must stream a file of any size and show how far it got. Each
 * request uses its own connection ("Connection: close"), so the answer
 * ends at the end of the stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "server/admin.h"
#include "server/handlers.h"

/* Maximum size of a response read. */
#define CLI_MAX_ANSWER ((size_t)256 << 20)

struct cli_target {
	char host[256];
	char port[8];
	const char *token;
	const char *layer;
};

struct cli_answer {
	int status;
	char *body;        /* NUL-terminated */
	size_t size;
};

static bool cli_english(void)
{
	const char *names[] = { "VNSDI_LANG", "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < 4; i++) {
		const char *v = getenv(names[i]);

		if (v != NULL && v[0] != '\0')
			return strncmp(v, "en", 2) == 0;
	}
	return false;
}

/* Split "http://HOST:PORT" (an optional trailing slash). */
static int parse_server(const char *url, struct cli_target *t)
{
	const char *p, *colon;
	size_t n;
	long port = 80;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	p = url + 7;
	n = strcspn(p, ":/");
	if (n == 0 || n >= sizeof(t->host))
		return -1;
	memcpy(t->host, p, n);
	t->host[n] = '\0';
	colon = p + n;
	if (*colon == ':') {
		char digits[8];
		size_t d = strcspn(colon + 1, "/");

		if (d == 0 || d >= sizeof(digits))
			return -1;
		memcpy(digits, colon + 1, d);
		digits[d] = '\0';
		if (parse_long(digits, 1, 65535, &port) != 0)
			return -1;
	}
	snprintf(t->port, sizeof(t->port), "%ld", port);
	return 0;
}

static int cli_connect(const struct cli_target *t)
{
	struct addrinfo hints = {0}, *res = NULL;
	int fd = -1;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(t->host, t->port, &hints, &res) != 0)
		return -1;
	for (struct addrinfo *a = res; a != NULL && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

static int send_all(int fd, const char *data, size_t size)
{
	while (size > 0) {
		ssize_t w = send(fd, data, size, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		size -= (size_t)w;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One line of progress bar on stderr, redrawn in place. */
static void progress_bar(const char *label, long long done, long long total)
{
	int width = 30, filled = total > 0 ? (int)(done * width / total) : 0;
	char bar[32];

	for (int i = 0; i < width; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[width] = '\0';
	if (total > 0)
		fprintf(stderr, "\r%-12s [%s] %3lld%% %lld/%lld", label, bar,
			done * 100 / total, done, total);
	else
		fprintf(stderr, "\r%-12s [%s] %lld", label, bar, done);
	fflush(stderr);
}

/* Stream a file as the body, with a progress bar. */
static int send_file(int fd, int file, long long size)
{
	char buf[1 << 16];
	long long sent = 0;
	double last = 0;
	ssize_t n;

	while ((n = read(file, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || send_all(fd, buf, (size_t)n) != 0)
			return -1;
		sent += n;
		if (now_s() - last > 0.1 || sent == size) {
			progress_bar(cli_english() ? "upload" : "tải lên", sent,
				     size);
			last = now_s();
		}
	}
	fputc('\n', stderr);
	return 0;
}

/* Read the whole response: status line, headers, body up to the close. */
static int read_answer(int fd, struct cli_answer *a)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1), *body;
	ssize_t n;

	if (buf == NULL)
		return -1;
	while ((n = recv(fd, buf + len, cap - len, 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			char *grown = cap * 2 > CLI_MAX_ANSWER ? NULL :
				      realloc(buf, cap * 2 + 1);
			if (grown == NULL)
				break;
			buf = grown;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	body = strstr(buf, "\r\n\r\n");
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || body == NULL) {
		free(buf);
		return -1;
	}
	a->status = (int)strtol(buf + 9, NULL, 10);
	a->size = len - (size_t)(body + 4 - buf);
	memmove(buf, body + 4, a->size + 1);
	a->body = buf;
	return 0;
}

/* One request; `file` >= 0 streams that file as the body. */
static int cli_request(const struct cli_target *t, const char *method,
		       const char *path, int file, long long size,
		       struct cli_answer *a)
{
	char head[2048];
	int fd = cli_connect(t), n, rc = -1;

	memset(a, 0, sizeof(*a));
	if (fd < 0)
		return -1;
	n = snprintf(head, sizeof(head),
		     "%s %s HTTP/1.1\r\nHost: %s:%s\r\n"
		     "Authorization: Bearer %s\r\nConnection: close\r\n"
		     "Accept-Language: %s\r\nContent-Length: %lld\r\n"
		     "Content-Type: application/octet-stream\r\n\r\n",
		     method, path, t->host, t->port, t->token,
		     cli_english() ? "en" : "vi", file >= 0 ? size : 0);
	if (n > 0 && (size_t)n < sizeof(head) &&
	    send_all(fd, head, (size_t)n) == 0 &&
	    (file < 0 || send_file(fd, file, size) == 0))
		rc = read_answer(fd, a);
	close(fd);
	return rc;
}

struct poller {
	const struct cli_target *t;
	char path[512];
	volatile bool stop;
};

/* Show the server's processing stage while the publish runs. */
static void *poll_progress(void *arg)
{
	struct poller *p = arg;

	while (!p->stop) {
		struct cli_answer a;
		json_t *doc;

		usleep(200 * 1000);
		if (p->stop || cli_request(p->t, "GET", p->path, -1, 0, &a) != 0)
			continue;
		doc = a.status == 200 ? json_loads(a.body, 0, NULL) : NULL;
		if (doc != NULL && !p->stop) {
			const char *stage = json_string_value(
				json_object_get(doc, "stage"));
			char label[40];

			snprintf(label, sizeof(label), "%s", stage ? stage : "?");
			progress_bar(label, (long long)json_integer_value(
					     json_object_get(doc, "done")),
				     (long long)json_integer_value(
					     json_object_get(doc, "total")));
		}
		json_decref(doc);
		free(a.body);
	}
	return NULL;
}

/* Print the outcome of a publish or rollback; returns the exit status. */
static int print_outcome(const struct cli_answer *a)
{
	bool en = cli_english();
	json_t *doc = json_loads(a->body, 0, NULL);
	json_t *report = json_object_get(doc, "report");
	json_t *changes = json_object_get(json_object_get(doc, "manifest"),
					  "changes");
	const char *text = json_string_value(json_object_get(report,
		en ? "text_en" : "text_vi"));

	if (text != NULL)
		fputs(text, stdout);
	if (a->status == 201) {
		printf(en ? "version %lld published: %lld added, %lld removed, "
			    "%lld modified\n" :
			    "đã xuất bản phiên bản %lld: thêm %lld, xóa %lld, "
			    "sửa %lld\n",
		       (long long)json_integer_value(json_object_get(doc,
								     "version")),
		       (long long)json_integer_value(json_object_get(changes,
								     "added")),
		       (long long)json_integer_value(json_object_get(changes,
								     "removed")),
		       (long long)json_integer_value(json_object_get(changes,
								     "modified")));
	} else {
		const char *detail = json_string_value(json_object_get(doc,
								       "detail"));

		fprintf(stderr, "HTTP %d: %s\n", a->status,
			detail != NULL ? detail : a->body);
	}
	json_decref(doc);
	return a->status == 201 ? 0 : 1;
}

struct cli_args {
	const char *server, *token, *layer, *file, *version, *from, *to;
};

static int parse_args(int argc, char **argv, struct cli_args *o)
{
	memset(o, 0, sizeof(*o));
	o->token = getenv("VNSDI_TOKEN");
	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;

		if (strcmp(argv[i], "--server") == 0)
			slot = &o->server;
		else if (strcmp(argv[i], "--token") == 0)
			slot = &o->token;
		else if (strcmp(argv[i], "--layer") == 0)
			slot = &o->layer;
		else if (strcmp(argv[i], "--version") == 0)
			slot = &o->version;
		else if (strcmp(argv[i], "--from") == 0)
			slot = &o->from;
		else if (strcmp(argv[i], "--to") == 0)
			slot = &o->to;
		if (slot == NULL && argv[i][0] != '-' && o->file == NULL) {
			o->file = argv[i];
			continue;
		}
		if (slot == NULL || i + 1 >= argc) {
			fprintf(stderr, "vnsdi %s: bad option \"%s\"\n", argv[0],
				argv[i]);
			return -1;
		}
		*slot = argv[++i];
	}
	if (o->server == NULL || o->token == NULL || o->layer == NULL) {
		fprintf(stderr, "vnsdi %s: --server URL, --token TOKEN (or "
			"VNSDI_TOKEN) and --layer ID are required\n", argv[0]);
		return -1;
	}
	return 0;
}

static int target_of(const struct cli_args *o, struct cli_target *t,
		     const char *command)
{
	memset(t, 0, sizeof(*t));
	if (parse_server(o->server, t) != 0) {
		fprintf(stderr, "vnsdi %s: --server must be http://HOST:PORT, "
			"not \"%s\"\n", command, o->server);
		return -1;
	}
	t->token = o->token;
	t->layer = o->layer;
	return 0;
}

int publish_cli_main(int argc, char **argv)
{
	struct cli_args o;
	struct cli_target t;
	struct cli_answer a;
	struct poller poll = {0};
	pthread_t thread;
	struct stat st;
	char path[1024];
	const char *base;
	int file, rc;

	if (parse_args(argc, argv, &o) != 0 || o.file == NULL ||
	    target_of(&o, &t, "publish") != 0)
		return 2;
	file = open(o.file, O_RDONLY | O_CLOEXEC);
	if (file < 0 || fstat(file, &st) != 0) {
		fprintf(stderr, "vnsdi publish: cannot read %s: %s\n", o.file,
			strerror(errno));
		return 1;
	}
	base = strrchr(o.file, '/') ? strrchr(o.file, '/') + 1 : o.file;
	snprintf(path, sizeof(path), "/admin/layers/%s/versions?filename=%s",
		 o.layer, base);
	poll.t = &t;
	snprintf(poll.path, sizeof(poll.path), "/admin/layers/%s/publish",
		 o.layer);
	pthread_create(&thread, NULL, poll_progress, &poll);
	rc = cli_request(&t, "POST", path, file, (long long)st.st_size, &a);
	poll.stop = true;
	pthread_join(thread, NULL);
	fputc('\n', stderr);
	close(file);
	if (rc != 0) {
		fprintf(stderr, "vnsdi publish: no response from %s\n", o.server);
		return 1;
	}
	rc = print_outcome(&a);
	free(a.body);
	return rc;
}

int versions_cli_main(int argc, char **argv)
{
	struct cli_args o;
	struct cli_target t;
	struct cli_answer a;
	char path[512];
	int rc;

	if (parse_args(argc, argv, &o) != 0 ||
	    target_of(&o, &t, "versions") != 0)
		return 2;
	if (o.from != NULL && o.to != NULL)
		snprintf(path, sizeof(path), "/admin/layers/%s/diff?from=%s&to=%s",
			 o.layer, o.from, o.to);
	else if (o.version != NULL)
		snprintf(path, sizeof(path), "/admin/layers/%s/versions/%s",
			 o.layer, o.version);
	else
		snprintf(path, sizeof(path), "/admin/layers/%s/versions",
			 o.layer);
	if (cli_request(&t, "GET", path, -1, 0, &a) != 0) {
		fprintf(stderr, "vnsdi versions: no response from %s\n", o.server);
		return 1;
	}
	fputs(a.body, a.status == 200 ? stdout : stderr);
	fputc('\n', a.status == 200 ? stdout : stderr);
	rc = a.status == 200 ? 0 : 1;
	free(a.body);
	return rc;
}

int rollback_cli_main(int argc, char **argv)
{
	struct cli_args o;
	struct cli_target t;
	struct cli_answer a;
	char path[512];
	long v;
	int rc;

	if (parse_args(argc, argv, &o) != 0 ||
	    target_of(&o, &t, "rollback") != 0)
		return 2;
	if (o.version == NULL || parse_long(o.version, 1, 1000000000L, &v)) {
		fprintf(stderr, "vnsdi rollback: --version N is required\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/admin/layers/%s/rollback?version=%ld",
		 o.layer, v);
	if (cli_request(&t, "POST", path, -1, 0, &a) != 0) {
		fprintf(stderr, "vnsdi rollback: no response from %s\n", o.server);
		return 1;
	}
	rc = print_outcome(&a);
	free(a.body);
	return rc;
}
