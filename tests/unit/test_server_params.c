/* Strict parsing of request values: parse_long, parse_double, parse_bbox
   and req_value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/handlers.h"

struct long_case {
	const char *text;
	long min, max;
	int expected_rc;
	long expected;
};

static const struct long_case long_cases[] = {
	{"10", 1, 1000, 0, 10},
	{"+7", 0, 10, 0, 7},
	{"0", 0, 10, 0, 0},
	{"-1", 0, 10, -1, 0},
	{"-1", -5, 10, 0, -1},
	{"abc", 0, 10, -1, 0},
	{"", 0, 10, -1, 0},
	{NULL, 0, 10, -1, 0},
	{" 5", 0, 10, -1, 0},
	{"5 ", 0, 10, -1, 0},
	{"2.5", 0, 10, -1, 0},
	{"1e3", 0, 10000, -1, 0},
	{"0x10", 0, 100, -1, 0},
	{"11", 0, 10, -1, 0},
	{"99999999999999999999", 0, 10, -1, 0},
	{"9223372036854775807", 0, 9223372036854775807L, 0,
	 9223372036854775807L},
};

static void test_parse_long(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(long_cases) / sizeof(long_cases[0]); i++) {
		const struct long_case *c = &long_cases[i];
		long got = 0;
		int rc = parse_long(c->text, c->min, c->max, &got);

		if (rc != c->expected_rc || (rc == 0 && got != c->expected)) {
			printf("long %zu: input \"%s\" in [%ld, %ld]: expected rc "
			       "%d value %ld, obtained rc %d value %ld\n", i,
			       c->text ? c->text : "(null)", c->min, c->max,
			       c->expected_rc, c->expected, rc, got);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

struct double_case {
	const char *text;
	int expected_rc;
	double expected;
};

static const struct double_case double_cases[] = {
	{"1.5", 0, 1.5},
	{"-105.75", 0, -105.75},
	{"1e3", 0, 1000},
	{"nan", -1, 0},
	{"NaN", -1, 0},
	{"inf", -1, 0},
	{"-Infinity", -1, 0},
	{"1e999", -1, 0},
	{"", -1, 0},
	{" 1", -1, 0},
	{"1 ", -1, 0},
	{"1,5", -1, 0},
	{"abc", -1, 0},
};

static void test_parse_double(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(double_cases) / sizeof(double_cases[0]);
	     i++) {
		const struct double_case *c = &double_cases[i];
		double got = 0;
		int rc = parse_double(c->text, &got);

		if (rc != c->expected_rc || (rc == 0 && got != c->expected)) {
			printf("double %zu: input \"%s\": expected rc %d value "
			       "%g, obtained rc %d value %g\n", i, c->text,
			       c->expected_rc, c->expected, rc, got);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

struct bbox_case {
	const char *text;
	bool allow_3d;
	int expected_rc;
	double expected[4];
	enum req_error_kind kind;
	const char *message_part;   /* expected in the English message */
};

static const struct bbox_case bbox_cases[] = {
	{"105.7,10.0,105.8,10.1", false, 0, {105.7, 10.0, 105.8, 10.1},
	 REQ_OK, NULL},
	{"1,2,0,3,4,10", true, 0, {1, 2, 3, 4}, REQ_OK, NULL},
	{"1,2,0,3,4,10", false, -1, {0}, REQ_INVALID_PARAMETER,
	 "expected 4 comma-separated numbers, received 6"},
	{"1,2,3", true, -1, {0}, REQ_INVALID_PARAMETER,
	 "expected 4/6 comma-separated numbers, received 3"},
	{"1,2,3,4,5", true, -1, {0}, REQ_INVALID_PARAMETER, "received 5"},
	{"1,2,3,4,5,6,7", true, -1, {0}, REQ_INVALID_PARAMETER,
	 "received more"},
	{"a,b,c,d", false, -1, {0}, REQ_INVALID_PARAMETER,
	 "\"a\" is not a number"},
	{"1,,3,4", false, -1, {0}, REQ_INVALID_PARAMETER, "an empty one"},
	{"nan,1,2,3", false, -1, {0}, REQ_INVALID_PARAMETER,
	 "\"nan\" is not a number"},
	{"3,1,2,4", false, -1, {0}, REQ_INVALID_PARAMETER,
	 "minimum must be less"},
	{"1,4,2,4", false, -1, {0}, REQ_INVALID_PARAMETER,
	 "minimum must be less"},
	{"", false, -1, {0}, REQ_MISSING_PARAMETER, "Missing parameter bbox"},
	{NULL, false, -1, {0}, REQ_MISSING_PARAMETER, "Missing parameter bbox"},
};

static void test_parse_bbox(void **state)
{
	struct http_request req = {.lang = "en"};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bbox_cases) / sizeof(bbox_cases[0]); i++) {
		const struct bbox_case *c = &bbox_cases[i];
		struct req_error err = {0};
		double box[4] = {0};
		int rc = parse_bbox(c->text, "bbox", c->allow_3d, box, &req,
				    &err);
		bool ok = rc == c->expected_rc;

		if (ok && rc == 0)
			ok = memcmp(box, c->expected, sizeof(box)) == 0;
		if (ok && rc != 0)
			ok = err.kind == c->kind &&
			     strcmp(err.parameter, "bbox") == 0 &&
			     strstr(err.message, c->message_part) != NULL &&
			     (c->text == NULL || c->text[0] == '\0' ||
			      strstr(err.message, c->text) != NULL);
		if (!ok) {
			printf("bbox %zu: input \"%s\": expected rc %d (%s), "
			       "obtained rc %d kind %d message \"%s\"\n", i,
			       c->text ? c->text : "(null)", c->expected_rc,
			       c->message_part ? c->message_part : "",
			       rc, (int)err.kind, err.message);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_parse_bbox_vietnamese(void **state)
{
	struct http_request req = {.lang = "vi"};
	struct req_error err = {0};
	double box[4];

	(void)state;
	assert_int_equal(parse_bbox("a,b,c,d", "BBOX", false, box, &req, &err),
			 -1);
	assert_string_equal(err.parameter, "BBOX");
	assert_non_null(strstr(err.message, "không phải là số"));
	assert_non_null(strstr(err.message, "a,b,c,d"));
}

static void test_req_value(void **state)
{
	char buf[80];
	char long_text[200];

	(void)state;
	assert_string_equal(req_value("abc", buf, sizeof(buf)), "abc");
	assert_string_equal(req_value(NULL, buf, sizeof(buf)), "");
	assert_string_equal(req_value("a\nb\x01" "c", buf, sizeof(buf)),
			    "a?b?c");
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	req_value(long_text, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 64 + 3);
	assert_string_equal(buf + 64, "...");

	/* 63 ASCII bytes then "ề" (3 bytes): the cut drops the partial
	   character instead of leaving invalid UTF-8. */
	memset(long_text, 'y', 63);
	strcpy(long_text + 63, "ềềề");
	req_value(long_text, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 63 + 3);
	assert_string_equal(buf + 63, "...");

	/* Bytes that are not well-formed UTF-8 would make an exception
	   report invalid XML: each becomes '?'. */
	assert_string_equal(req_value("\xff", buf, sizeof(buf)), "?");
	assert_string_equal(req_value("a\xc0\xaf" "b", buf, sizeof(buf)),
			    "a??b");
	assert_string_equal(req_value("\xed\xa0\x80", buf, sizeof(buf)),
			    "???");
	assert_string_equal(req_value("\xe1\xbb", buf, sizeof(buf)), "??");
	assert_string_equal(req_value("\xef\xbf\xbf", buf, sizeof(buf)),
			    "???");
	assert_string_equal(req_value("Phường", buf, sizeof(buf)), "Phường");
}

struct pair_case {
	const char *pair;
	const char *lang;
	const char *expected;
};

static const struct pair_case pair_cases[] = {
	{"không có thuộc tính 'X' để lọc / 'X' is not a queryable property",
	 "en", "'X' is not a queryable property"},
	{"không có thuộc tính 'X' để lọc / 'X' is not a queryable property",
	 "vi", "không có thuộc tính 'X' để lọc"},
	{"không có thuộc tính 'X' để lọc / 'X' is not a queryable property",
	 NULL, "không có thuộc tính 'X' để lọc"},
	/* A value containing the separator is quoted in both halves. */
	{"giá trị 'a / b' sai / value 'a / b' is wrong", "en",
	 "value 'a / b' is wrong"},
	{"giá trị 'a / b' sai / value 'a / b' is wrong", "vi",
	 "giá trị 'a / b' sai"},
	{"no separator", "en", "no separator"},
	{"", "vi", ""},
};

static void test_i18n_pick_pair(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(pair_cases) / sizeof(pair_cases[0]); i++) {
		const struct pair_case *c = &pair_cases[i];
		struct http_request req = {0};
		char buf[256];
		const char *got;

		req.lang = c->lang;
		got = i18n_pick_pair(&req, c->pair, buf, sizeof(buf));
		if (got != buf || strcmp(got, c->expected) != 0) {
			printf("pair %zu: input \"%s\" lang %s: expected \"%s\", "
			       "obtained \"%s\"\n", i, c->pair,
			       c->lang ? c->lang : "(default)", c->expected, got);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_geographic_bbox_swapped(void **state)
{
	struct http_request req = {0};
	struct req_error err;
	/* Latitude first given where longitude first is expected. */
	const double swapped[4] = {10.030, 105.786, 10.036, 105.792};
	const double good[4] = {105.786, 10.030, 105.792, 10.036};
	const double far_east[4] = {400.0, 10.0, 401.0, 11.0};

	(void)state;
	req.lang = "en";
	assert_int_equal(check_geographic_bbox(&req, "BBOX", "x", good,
					       "EPSG:4326", "WMS 1.3.0",
					       "WMS 1.3.0", true, &err), 0);
	assert_int_equal(check_geographic_bbox(&req, "BBOX",
					       "105.786,10.030,105.792,10.036",
					       swapped, "EPSG:4326", "WMS 1.3.0",
					       "WMS 1.3.0", true, &err), -1);
	assert_int_equal(err.kind, REQ_INVALID_PARAMETER);
	assert_string_equal(err.parameter, "BBOX");
	assert_non_null(strstr(err.message, "105.786,10.030,105.792,10.036"));
	assert_non_null(strstr(err.message, "latitude 105.786"));
	assert_non_null(strstr(err.message, "EPSG:4326 in WMS 1.3.0 is latitude "
					    "first: minlat,minlon,maxlat,maxlon"));

	assert_int_equal(check_geographic_bbox(&req, "bbox", "x", far_east,
					       "CRS84", "vi", "OGC API bbox",
					       false, &err), -1);
	assert_non_null(strstr(err.message, "longitude 400"));
	assert_non_null(strstr(err.message, "is longitude first: "
					    "minlon,minlat,maxlon,maxlat"));

	req.lang = NULL;
	assert_int_equal(check_geographic_bbox(&req, "BBOX", "x", swapped,
					       "EPSG:4326", "WMS 1.3.0",
					       "WMS 1.3.0", true, &err), -1);
	assert_non_null(strstr(err.message, "vĩ độ 105.786"));
}

static void test_error_status(void **state)
{
	(void)state;
	assert_int_equal(req_error_status(REQ_INVALID_PARAMETER), 400);
	assert_int_equal(req_error_status(REQ_NOT_FOUND), 404);
	assert_int_equal(req_error_status(REQ_NOT_ACCEPTABLE), 406);
	assert_int_equal(req_error_status(REQ_UNAUTHORIZED), 401);
	assert_int_equal(req_error_status(REQ_METHOD_NOT_ALLOWED), 405);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_double),
		cmocka_unit_test(test_parse_bbox),
		cmocka_unit_test(test_parse_bbox_vietnamese),
		cmocka_unit_test(test_req_value),
		cmocka_unit_test(test_error_status),
		cmocka_unit_test(test_i18n_pick_pair),
		cmocka_unit_test(test_geographic_bbox_swapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
