/*
 * Pure helpers of the HTTP core: path safety, language and encoding
 * negotiation, gzip, CORS origin matching and token hashing.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_port.h>
#include <zlib.h>

#include "server/http.h"
#include "server/http_util.h"

/*
 * GDAL 3.6 exports CPL_SHA256 from libgdal but does not install its header
 * cpl_sha256.h, so the prototype is repeated here as the library defines it.
 */
void CPL_SHA256(const void *data, size_t len, GByte hash[32]);

int http_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reject "%00" anywhere in the target, query included. */
static bool target_has_encoded_nul(const char *raw)
{
	for (const char *p = raw; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == '0' && p[2] == '0')
			return true;
	}
	return false;
}

/* Percent-decode the path part of `raw` into `out`. */
static enum http_path_problem path_decode(const char *raw, char *out,
					  size_t out_size)
{
	size_t n = 0;

	for (const char *p = raw; *p != '\0' && *p != '?' && *p != '#'; p++) {
		int c = (unsigned char)*p;

		if (c == '%') {
			int hi = http_hex_value(p[1]);
			int lo = hi >= 0 ? http_hex_value(p[2]) : -1;

			if (hi < 0 || lo < 0)
				return HTTP_PATH_BAD_ESCAPE;
			c = hi * 16 + lo;
			p += 2;
		}
		if (c == 0)
			return HTTP_PATH_NUL;
		if (c < 0x20 || c == 0x7f)
			return HTTP_PATH_CONTROL;
		if (n + 1 >= out_size)
			return HTTP_PATH_TOO_LONG;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return HTTP_PATH_OK;
}

/* Whether the query of `raw` has a "%" without two hex digits after it;
   MHD would pass such text on undecoded. */
static bool query_has_bad_escape(const char *raw)
{
	const char *p = strchr(raw, '?');

	for (; p != NULL && *p != '\0' && *p != '#'; p++) {
		if (*p != '%')
			continue;
		if (http_hex_value(p[1]) < 0 || http_hex_value(p[2]) < 0)
			return true;
		p += 2;
	}
	return false;
}

/* "%2e" in any case, left in a path after one round of decoding. */
static bool has_encoded_dot(const char *path)
{
	for (const char *p = path; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == '2' && (p[2] == 'e' || p[2] == 'E'))
			return true;
	}
	return false;
}

enum http_path_problem http_path_check(const char *raw_target, char *out,
				       size_t out_size)
{
	enum http_path_problem problem;
	const char *segment;

	if (out_size == 0)
		return HTTP_PATH_TOO_LONG;
	out[0] = '\0';
	if (raw_target == NULL || raw_target[0] != '/')
		return HTTP_PATH_NOT_ABSOLUTE;
	if (target_has_encoded_nul(raw_target))
		return HTTP_PATH_NUL;
	problem = path_decode(raw_target, out, out_size);
	if (problem != HTTP_PATH_OK)
		return problem;
	if (query_has_bad_escape(raw_target))
		return HTTP_PATH_BAD_ESCAPE;

	if (strstr(out, "..") != NULL)
		return HTTP_PATH_DOT_DOT;
	if (has_encoded_dot(out))
		return HTTP_PATH_ENCODED_DOT;
	/* A lone "." segment: "/./" or a trailing "/.". */
	segment = out;
	while ((segment = strchr(segment, '/')) != NULL) {
		segment++;
		if (segment[0] == '.' && (segment[1] == '/' || segment[1] == '\0'))
			return HTTP_PATH_DOT_SEGMENT;
	}
	return HTTP_PATH_OK;
}

const char *http_path_problem_text(enum http_path_problem problem,
				   bool english)
{
	switch (problem) {
	case HTTP_PATH_OK:
		return english ? "no problem" : "không có lỗi";
	case HTTP_PATH_NOT_ABSOLUTE:
		return english ? "it does not start with \"/\"" :
				 "không bắt đầu bằng \"/\"";
	case HTTP_PATH_BAD_ESCAPE:
		return english ? "a \"%\" is not followed by two hex digits" :
				 "dấu \"%\" không có hai chữ số thập lục phân "
				 "theo sau";
	case HTTP_PATH_NUL:
		return english ? "it contains a NUL byte (%00)" :
				 "chứa byte NUL (%00)";
	case HTTP_PATH_CONTROL:
		return english ? "it contains a control character" :
				 "chứa ký tự điều khiển";
	case HTTP_PATH_TOO_LONG:
		return english ? "it is too long" : "quá dài";
	case HTTP_PATH_DOT_DOT:
		return english ? "it contains \"..\"" : "chứa \"..\"";
	case HTTP_PATH_DOT_SEGMENT:
		return english ? "it contains a \".\" segment" :
				 "chứa đoạn \".\"";
	case HTTP_PATH_ENCODED_DOT:
		return english ? "it contains \"%2e\" after decoding (an encoded "
				 "\".\" or \"..\")" :
				 "còn \"%2e\" sau khi giải mã (dấu \".\" hay "
				 "\"..\" bị mã hóa)";
	}
	return "?";
}

/* Skip spaces and tabs. */
static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Parse one list item of an Accept-* header, "token;q=0.8" or "token".
 * Copies the token lowercased into `token` and returns its q-value, or -1
 * for an item to ignore (malformed q, token too long). *next points past
 * the item's comma.
 */
static double header_item(const char *p, char *token, size_t token_size,
			  const char **next)
{
	const char *end = strchr(p, ',');
	size_t n = 0;
	double q = 1.0;
	bool bad = false;

	if (end == NULL)
		end = p + strlen(p);
	*next = *end == ',' ? end + 1 : end;

	p = skip_ows(p);
	while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
		if (n + 1 >= token_size)
			bad = true;
		else
			token[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	token[n] = '\0';

	/* Parameters: only q matters. */
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		char value[16];
		size_t len;

		if (semi == NULL)
			break;
		p = skip_ows(semi + 1);
		if ((p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
			continue;
		p += 2;
		len = 0;
		while (p < end && *p != ';' && *p != ' ' && len + 1 < sizeof(value))
			value[len++] = *p++;
		value[len] = '\0';

		char *stop = NULL;
		errno = 0;
		q = strtod(value, &stop);
		if (len == 0 || *stop != '\0' || errno != 0 || q < 0 || q > 1)
			bad = true;
	}
	return (bad || n == 0) ? -1.0 : q;
}

const char *http_lang_pick(const char *lang_param, const char *accept_language)
{
	double q_vi = -1, q_en = -1, q_any = -1;
	const char *p = accept_language;

	if (lang_param != NULL) {
		if (strcmp(lang_param, "en") == 0)
			return "en";
		if (strcmp(lang_param, "vi") == 0)
			return "vi";
	}
	if (p == NULL)
		return "vi";

	while (*p != '\0') {
		char tag[64];
		double q = header_item(p, tag, sizeof(tag), &p);

		if (q < 0)
			continue;
		if (strcmp(tag, "*") == 0)
			q_any = q > q_any ? q : q_any;
		else if (strcmp(tag, "vi") == 0 || strncmp(tag, "vi-", 3) == 0)
			q_vi = q > q_vi ? q : q_vi;
		else if (strcmp(tag, "en") == 0 || strncmp(tag, "en-", 3) == 0)
			q_en = q > q_en ? q : q_en;
	}
	/* A language not listed takes the wildcard's q-value. */
	if (q_vi < 0)
		q_vi = q_any;
	if (q_en < 0)
		q_en = q_any;
	return (q_en > 0 && q_en > q_vi) ? "en" : "vi";
}

bool http_accepts_gzip(const char *accept_encoding)
{
	double q_gzip = -1, q_any = -1;
	const char *p = accept_encoding;

	if (p == NULL)
		return false;
	while (*p != '\0') {
		char token[32];
		double q = header_item(p, token, sizeof(token), &p);

		if (q < 0)
			continue;
		if (strcmp(token, "gzip") == 0 || strcmp(token, "x-gzip") == 0)
			q_gzip = q > q_gzip ? q : q_gzip;
		else if (strcmp(token, "*") == 0)
			q_any = q > q_any ? q : q_any;
	}
	if (q_gzip >= 0)
		return q_gzip > 0;
	return q_any > 0;
}

double http_accept_quality(const char *accept, const char *type)
{
	const char *slash = strchr(type, '/');
	size_t major = slash != NULL ? (size_t)(slash - type) : strlen(type);
	double q_exact = -1, q_major = -1, q_any = -1;
	const char *p = accept;

	if (p == NULL || *skip_ows(p) == '\0')
		return 1.0;
	while (*p != '\0') {
		char range[128];
		double q = header_item(p, range, sizeof(range), &p);

		if (q < 0)
			continue;
		if (strcasecmp(range, type) == 0)
			q_exact = q > q_exact ? q : q_exact;
		else if (strncasecmp(range, type, major) == 0 &&
			 strcmp(range + major, "/*") == 0)
			q_major = q > q_major ? q : q_major;
		else if (strcmp(range, "*/*") == 0)
			q_any = q > q_any ? q : q_any;
	}
	if (q_exact >= 0)
		return q_exact;
	if (q_major >= 0)
		return q_major;
	return q_any >= 0 ? q_any : 0.0;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

bool http_type_compressible(const char *content_type)
{
	size_t n;

	if (content_type == NULL)
		return false;
	n = strcspn(content_type, ";");
	while (n > 0 && content_type[n - 1] == ' ')
		n--;
	if (strncasecmp(content_type, "text/", 5) == 0)
		return true;
	/* application/json, geo+json, problem+json, vnd.oai.openapi+json,
	   application/xml, vnd.ogc.se_xml, image/svg+xml... */
	return ends_with(content_type, n, "json") ||
	       ends_with(content_type, n, "xml");
}

/* Start a deflate stream that writes gzip: windowBits 15 + 16 adds the
   gzip header and trailer. Returns 0 or -1. */
static int gzip_deflate_init(z_stream *zs)
{
	return deflateInit2(zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			    Z_DEFAULT_STRATEGY) == Z_OK ? 0 : -1;
}

int http_gzip(const void *data, size_t size, void **out, size_t *out_size)
{
	z_stream zs;
	unsigned char *buf = NULL;
	uLong bound;
	int rc;

	*out = NULL;
	*out_size = 0;
	if (size > UINT_MAX / 2)
		return -1;

	memset(&zs, 0, sizeof(zs));
	if (gzip_deflate_init(&zs) != 0)
		return -1;
	bound = deflateBound(&zs, (uLong)size);
	buf = malloc(bound);
	if (buf == NULL) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)size;
	zs.next_out = buf;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	if (rc != Z_STREAM_END) {
		deflateEnd(&zs);
		free(buf);
		return -1;
	}
	*out_size = zs.total_out;
	*out = buf;
	deflateEnd(&zs);
	return 0;
}

/* A streamed body compressed on the fly: `inner` is read in blocks of
   GZIP_STREAM_BLOCK bytes and deflated into the caller's buffer. */
#define GZIP_STREAM_BLOCK (64 * 1024)

struct gzip_stream {
	struct http_stream inner;
	z_stream zs;
	bool inner_done;  /* inner returned 0 */
	bool finished;    /* deflate wrote the gzip trailer */
	unsigned char in[GZIP_STREAM_BLOCK];
};

static ssize_t gzip_stream_read(void *arg, char *buf, size_t max)
{
	struct gzip_stream *gz = arg;

	if (max > UINT_MAX)
		max = UINT_MAX;
	gz->zs.next_out = (Bytef *)buf;
	gz->zs.avail_out = (uInt)max;
	while (gz->zs.avail_out > 0 && !gz->finished) {
		int rc;

		if (gz->zs.avail_in == 0 && !gz->inner_done) {
			ssize_t n = gz->inner.read(gz->inner.arg,
						   (char *)gz->in,
						   sizeof(gz->in));

			if (n < 0)
				return -1;
			if (n == 0)
				gz->inner_done = true;
			gz->zs.next_in = gz->in;
			gz->zs.avail_in = (uInt)n;
		}
		rc = deflate(&gz->zs, gz->inner_done ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			gz->finished = true;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return -1;
	}
	return (ssize_t)(max - gz->zs.avail_out);
}

static void gzip_stream_free(void *arg)
{
	struct gzip_stream *gz = arg;

	deflateEnd(&gz->zs);
	if (gz->inner.free != NULL)
		gz->inner.free(gz->inner.arg);
	free(gz);
}

int http_gzip_stream(struct http_stream *stream)
{
	struct gzip_stream *gz = calloc(1, sizeof(*gz));

	if (gz == NULL)
		return -1;
	if (gzip_deflate_init(&gz->zs) != 0) {
		free(gz);
		return -1;
	}
	gz->inner = *stream;
	stream->read = gzip_stream_read;
	stream->free = gzip_stream_free;
	stream->arg = gz;
	return 0;
}

const char *http_cors_origin(const struct cfg *cfg, const char *origin)
{
	for (size_t i = 0; i < cfg->n_cors_origins; i++) {
		if (strcmp(cfg->cors_origins[i], "*") == 0)
			return "*";
	}
	if (origin == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->n_cors_origins; i++) {
		if (strcmp(cfg->cors_origins[i], origin) == 0)
			return origin;
	}
	return NULL;
}

void http_sha256_hex(const char *text, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	GByte hash[32];

	CPL_SHA256(text, strlen(text), hash);
	for (size_t i = 0; i < 32; i++) {
		hex[2 * i] = digits[hash[i] >> 4];
		hex[2 * i + 1] = digits[hash[i] & 0x0f];
	}
	hex[64] = '\0';
}

/* Compare two hex digests without an early exit, case-insensitively. */
static bool digest_equal(const char *a, const char *b)
{
	unsigned diff = 0;

	if (strlen(a) != 64 || strlen(b) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		diff |= (unsigned)(tolower((unsigned char)a[i]) ^
				   tolower((unsigned char)b[i]));
	return diff == 0;
}

const struct cfg_user *http_user_by_token(const struct cfg *cfg,
					  const char *token)
{
	char hex[65];
	const struct cfg_user *found = NULL;

	if (token == NULL || token[0] == '\0')
		return NULL;
	http_sha256_hex(token, hex);
	for (size_t i = 0; i < cfg->n_users; i++) {
		const char *want = cfg->users[i].token_sha256;

		if (want != NULL && digest_equal(hex, want) && found == NULL)
			found = &cfg->users[i];
	}
	return found;
}

bool http_host_valid(const char *host)
{
	size_t n = 0;

	if (host == NULL || host[0] == '\0')
		return false;
	for (const char *p = host; *p != '\0'; p++, n++) {
		unsigned char c = (unsigned char)*p;

		if (n >= 255)
			return false;
		if (!(isalnum(c) || c == '.' || c == '-' || c == ':' ||
		      c == '[' || c == ']' || c == '_'))
			return false;
	}
	return true;
}
