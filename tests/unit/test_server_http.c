/*
 * Pure functions of the HTTP core: path safety, Accept-Language,
 * Accept-Encoding and Accept negotiation, content types, gzip, CORS and
 * token hashing.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "server/http.h"
#include "server/http_util.h"

struct path_case {
	const char *raw;
	enum http_path_problem expected;
	const char *decoded;   /* expected decoded path when accepted */
};

static const struct path_case path_cases[] = {
	{"/", HTTP_PATH_OK, "/"},
	{"/collections/parcels/items?f=json", HTTP_PATH_OK,
	 "/collections/parcels/items"},
	{"/collections/th%E1%BB%ADa", HTTP_PATH_OK, "/collections/thửa"},
	{"/a.b/c..d", HTTP_PATH_DOT_DOT, NULL},
	{"/collections/../../etc/passwd", HTTP_PATH_DOT_DOT, NULL},
	{"/collections/%2e%2e/%2e%2e/etc/passwd", HTTP_PATH_DOT_DOT, NULL},
	{"/collections/x/items/%2E%2E%2f%2E%2E%2fetc", HTTP_PATH_DOT_DOT, NULL},
	{"/%2e/x", HTTP_PATH_DOT_SEGMENT, NULL},
	{"/./x", HTTP_PATH_DOT_SEGMENT, NULL},
	{"/x/.", HTTP_PATH_DOT_SEGMENT, NULL},
	{"/x/.hidden", HTTP_PATH_OK, "/x/.hidden"},
	{"/%252e%252e/x", HTTP_PATH_ENCODED_DOT, NULL},
	{"/healthz%00.png", HTTP_PATH_NUL, NULL},
	{"/collections/a?x=%00", HTTP_PATH_NUL, NULL},
	{"/a%0Ab", HTTP_PATH_CONTROL, NULL},
	{"/a%7fb", HTTP_PATH_CONTROL, NULL},
	{"/a%zzb", HTTP_PATH_BAD_ESCAPE, NULL},
	{"/a%4", HTTP_PATH_BAD_ESCAPE, NULL},
	{"*", HTTP_PATH_NOT_ABSOLUTE, NULL},
	{"", HTTP_PATH_NOT_ABSOLUTE, NULL},
};

static void test_path_check(void **state)
{
	char out[256];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];
		enum http_path_problem got = http_path_check(c->raw, out,
							     sizeof(out));

		if (got != c->expected ||
		    (c->decoded != NULL && strcmp(out, c->decoded) != 0)) {
			printf("path %zu: input \"%s\": expected problem %d "
			       "\"%s\", obtained %d \"%s\"\n", i, c->raw,
			       (int)c->expected, c->decoded ? c->decoded : "",
			       (int)got, out);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_path_too_long(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(http_path_check("/collections", out, sizeof(out)),
			 HTTP_PATH_TOO_LONG);
	assert_int_equal(http_path_check("/abc", out, sizeof(out)),
			 HTTP_PATH_OK);
}

static void test_path_problem_text(void **state)
{
	(void)state;
	assert_non_null(strstr(http_path_problem_text(HTTP_PATH_DOT_DOT, true),
			       ".."));
	assert_non_null(strstr(http_path_problem_text(HTTP_PATH_DOT_DOT, false),
			       ".."));
	assert_string_not_equal(http_path_problem_text(HTTP_PATH_NUL, true),
				http_path_problem_text(HTTP_PATH_NUL, false));
}

struct lang_case {
	const char *param;
	const char *header;
	const char *expected;
};

static const struct lang_case lang_cases[] = {
	{NULL, NULL, "vi"},
	{NULL, "", "vi"},
	{NULL, "en", "en"},
	{NULL, "en-US,en;q=0.9", "en"},
	{NULL, "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "vi"},
	{NULL, "fr-FR, en;q=0.5", "en"},
	{NULL, "fr-FR", "vi"},
	{NULL, "*", "vi"},
	{NULL, "en;q=0.5, vi;q=0.5", "vi"},
	{NULL, "en;q=0.6, *;q=0.5", "en"},
	{NULL, "vi;q=0.2, en;q=0.8", "en"},
	{NULL, "en;q=0", "vi"},
	{NULL, "en;q=abc", "vi"},
	{NULL, "EN-gb", "en"},
	{NULL, "eng", "vi"},
	{"en", "vi", "en"},
	{"vi", "en", "vi"},
	{"fr", "en", "en"},
	{"", NULL, "vi"},
};

static void test_lang_pick(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(lang_cases) / sizeof(lang_cases[0]); i++) {
		const struct lang_case *c = &lang_cases[i];
		const char *got = http_lang_pick(c->param, c->header);

		if (strcmp(got, c->expected) != 0) {
			printf("lang %zu: lang=%s Accept-Language: %s: expected "
			       "%s, obtained %s\n", i,
			       c->param ? c->param : "(none)",
			       c->header ? c->header : "(none)", c->expected,
			       got);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

struct gzip_case {
	const char *header;
	bool expected;
};

static const struct gzip_case gzip_cases[] = {
	{NULL, false},
	{"", false},
	{"gzip", true},
	{"gzip, deflate, br", true},
	{"deflate", false},
	{"gzip;q=0", false},
	{"*", true},
	{"*;q=0", false},
	{"identity", false},
	{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
	{"*, gzip;q=0", false},
	{"x-gzip", true},
	{"GZIP", true},
};

static void test_accepts_gzip(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(gzip_cases) / sizeof(gzip_cases[0]); i++) {
		bool got = http_accepts_gzip(gzip_cases[i].header);

		if (got != gzip_cases[i].expected) {
			printf("gzip %zu: Accept-Encoding: %s: expected %d, "
			       "obtained %d\n", i,
			       gzip_cases[i].header ? gzip_cases[i].header :
			       "(none)", gzip_cases[i].expected, got);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

struct accept_case {
	const char *header;
	const char *type;
	double expected;
};

static const struct accept_case accept_cases[] = {
	{NULL, "application/json", 1.0},
	{"*/*", "text/html", 1.0},
	{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
	 "text/html", 1.0},
	{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
	 "application/json", 0.8},
	{"application/geo+json, application/json", "application/json", 1.0},
	{"application/json;q=0.5, */*", "application/json", 0.5},
	{"application/*;q=0.3", "application/json", 0.3},
	{"application/*;q=0.3", "text/html", 0.0},
	{"image/png", "application/json", 0.0},
	{"application/vnd.oai.openapi+json;version=3.0",
	 "application/vnd.oai.openapi+json", 1.0},
};

static void test_accept_quality(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(accept_cases) / sizeof(accept_cases[0]);
	     i++) {
		const struct accept_case *c = &accept_cases[i];
		double got = http_accept_quality(c->header, c->type);

		if (got < c->expected - 1e-9 || got > c->expected + 1e-9) {
			printf("accept %zu: Accept: %s, type %s: expected %g, "
			       "obtained %g\n", i, c->header ? c->header : "(none)",
			       c->type, c->expected, got);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_type_compressible(void **state)
{
	(void)state;
	assert_true(http_type_compressible("application/json"));
	assert_true(http_type_compressible("application/geo+json"));
	assert_true(http_type_compressible("application/problem+json"));
	assert_true(http_type_compressible(
		"application/vnd.oai.openapi+json;version=3.0"));
	assert_true(http_type_compressible("text/html; charset=utf-8"));
	assert_true(http_type_compressible("text/xml"));
	assert_true(http_type_compressible("application/vnd.ogc.se_xml"));
	assert_false(http_type_compressible("image/png"));
	assert_false(http_type_compressible("image/jpeg"));
	assert_false(http_type_compressible(NULL));
}

static void test_gzip_round_trip(void **state)
{
	char text[20000];
	void *packed = NULL;
	size_t packed_size = 0;
	unsigned char restored[sizeof(text)];
	z_stream zs;

	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = "Thửa đất số 12, tờ bản đồ 34 "[i % 31];
	assert_int_equal(http_gzip(text, sizeof(text), &packed, &packed_size),
			 0);
	assert_true(packed_size > 18);
	assert_true(packed_size < sizeof(text));
	/* gzip magic bytes */
	assert_int_equal(((unsigned char *)packed)[0], 0x1f);
	assert_int_equal(((unsigned char *)packed)[1], 0x8b);

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = packed;
	zs.avail_in = (uInt)packed_size;
	zs.next_out = restored;
	zs.avail_out = sizeof(restored);
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.total_out, sizeof(text));
	assert_memory_equal(restored, text, sizeof(text));
	inflateEnd(&zs);
	free(packed);
}

static void test_gzip_empty(void **state)
{
	void *packed = NULL;
	size_t packed_size = 0;

	(void)state;
	assert_int_equal(http_gzip("", 0, &packed, &packed_size), 0);
	assert_true(packed_size >= 18);
	free(packed);
}

/* A stream over a memory buffer that returns at most `step` bytes a call. */
struct memory_stream {
	const char *data;
	size_t size, pos, step;
	bool freed;
};

static ssize_t memory_stream_read(void *arg, char *buf, size_t max)
{
	struct memory_stream *m = arg;
	size_t n = m->size - m->pos;

	if (n > m->step)
		n = m->step;
	if (n > max)
		n = max;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static void memory_stream_free(void *arg)
{
	((struct memory_stream *)arg)->freed = true;
}

static void test_gzip_stream_round_trip(void **state)
{
	/* 300 kB of varied text, more than one 64 KiB block of the wrapper. */
	size_t size = 300 * 1000;
	char *text = malloc(size);
	unsigned char *restored = malloc(size + 1);
	unsigned char out[1000];
	struct memory_stream m = {text, size, 0, 7000, false};
	struct http_stream stream = {memory_stream_read, memory_stream_free, &m};
	z_stream zs;
	int rc = Z_OK;
	ssize_t n;

	(void)state;
	assert_non_null(text);
	assert_non_null(restored);
	for (size_t i = 0; i < size; i++)
		text[i] = (char)("Phường An Khánh, Quận Ninh Kiều "[i % 37] ^
				 (i % 4099 == 0 ? 1 : 0));
	assert_int_equal(http_gzip_stream(&stream), 0);
	assert_ptr_not_equal(stream.arg, &m);

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_out = restored;
	zs.avail_out = (uInt)size + 1;
	/* Read in pieces much smaller than the wrapper's input block. */
	while ((n = stream.read(stream.arg, (char *)out, sizeof(out))) > 0) {
		zs.next_in = out;
		zs.avail_in = (uInt)n;
		rc = inflate(&zs, Z_NO_FLUSH);
		assert_true(rc == Z_OK || rc == Z_STREAM_END);
	}
	assert_int_equal(n, 0);
	assert_int_equal(rc, Z_STREAM_END);
	assert_int_equal(zs.total_out, size);
	assert_true(zs.total_in < size / 10);
	assert_memory_equal(restored, text, size);
	inflateEnd(&zs);

	stream.free(stream.arg);
	assert_true(m.freed);
	free(restored);
	free(text);
}

static void test_cors_origin(void **state)
{
	char *listed[] = {"https://bando.example.vn"};
	char *any[] = {"https://a.example", "*"};
	struct cfg cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_null(http_cors_origin(&cfg, "https://bando.example.vn"));
	cfg.cors_origins = listed;
	cfg.n_cors_origins = 1;
	assert_string_equal(http_cors_origin(&cfg, "https://bando.example.vn"),
			    "https://bando.example.vn");
	assert_null(http_cors_origin(&cfg, "https://khac.example.com"));
	assert_null(http_cors_origin(&cfg, NULL));
	cfg.cors_origins = any;
	cfg.n_cors_origins = 2;
	assert_string_equal(http_cors_origin(&cfg, "https://x.example"), "*");
	assert_string_equal(http_cors_origin(&cfg, NULL), "*");
}

static void test_sha256_and_users(void **state)
{
	char hex[65];
	struct cfg_user users[2];
	struct cfg cfg;

	(void)state;
	/* FIPS 180-2 test vector for "abc". */
	http_sha256_hex("abc", hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	http_sha256_hex("demo-partner-token", hex);
	assert_string_equal(hex, "1dadeac5e7b1c964057e5bafb6559b24"
				 "99c58f18f4ae1db70ab9ca6af91adbab");

	memset(&cfg, 0, sizeof(cfg));
	memset(users, 0, sizeof(users));
	users[0].name = "a";
	users[0].token_sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	users[1].name = "partner";
	users[1].role = CFG_ROLE_PARTNER;
	users[1].token_sha256 = "1DADEAC5E7B1C964057E5BAFB6559B2499C58F18F4AE1DB70AB9CA6AF91ADBAB";
	cfg.users = users;
	cfg.n_users = 2;
	assert_ptr_equal(http_user_by_token(&cfg, "demo-partner-token"),
			 &users[1]);
	assert_null(http_user_by_token(&cfg, "wrong"));
	assert_null(http_user_by_token(&cfg, ""));
	assert_null(http_user_by_token(&cfg, NULL));
}

static void test_host_valid(void **state)
{
	(void)state;
	assert_true(http_host_valid("127.0.0.1:8080"));
	assert_true(http_host_valid("[::1]:8080"));
	assert_true(http_host_valid("bando.example.vn"));
	assert_false(http_host_valid(""));
	assert_false(http_host_valid(NULL));
	assert_false(http_host_valid("a\"><script>"));
	assert_false(http_host_valid("a b"));
	assert_false(http_host_valid("evil.example/path"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_check),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_path_problem_text),
		cmocka_unit_test(test_lang_pick),
		cmocka_unit_test(test_accepts_gzip),
		cmocka_unit_test(test_accept_quality),
		cmocka_unit_test(test_type_compressible),
		cmocka_unit_test(test_gzip_round_trip),
		cmocka_unit_test(test_gzip_empty),
		cmocka_unit_test(test_gzip_stream_round_trip),
		cmocka_unit_test(test_cors_origin),
		cmocka_unit_test(test_sha256_and_users),
		cmocka_unit_test(test_host_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
