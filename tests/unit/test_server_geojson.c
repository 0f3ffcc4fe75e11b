/* GeoJSON writing: coordinate and real formatting, strings through
   jansson, geometry shapes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/ogcapi.h"

struct number_case {
	double value;
	const char *expected;   /* NULL: rejected */
};

static const struct number_case coord_cases[] = {
	{105.78123456789, "105.7812346"},
	{10.0, "10"},
	{-0.5, "-0.5"},
	{0.0, "0"},
	{-0.00000001, "0"},
	{-1e-7, "-0.0000001"},
	{108.2, "108.2"},
	{16.05000004, "16.05"},
	{179.99999999, "180"},
	{1234567.123456789, "1234567.1234568"},
	{NAN, NULL},
	{INFINITY, NULL},
	{-INFINITY, NULL},
};

static void test_format_coord(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(coord_cases) / sizeof(coord_cases[0]);
	     i++) {
		char buf[64];
		int n = geojson_format_coord(coord_cases[i].value, buf,
					     sizeof(buf));
		const char *expected = coord_cases[i].expected;
		bool ok = expected == NULL ? n == -1 :
			  (n == (int)strlen(expected) &&
			   strcmp(buf, expected) == 0);

		if (!ok) {
			printf("coord %zu: input %.12g: expected %s, obtained "
			       "%d \"%s\"\n", i, coord_cases[i].value,
			       expected ? expected : "(rejected)", n,
			       n >= 0 ? buf : "");
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_format_fixed_decimals(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(geojson_format_fixed(587412.34567, 3, buf,
					      sizeof(buf)), 10);
	assert_string_equal(buf, "587412.346");
	assert_int_equal(geojson_format_fixed(12.5, 0, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "12");
	/* Too small a buffer is an error, not a cut number. */
	assert_int_equal(geojson_format_fixed(105.1234567, 7, buf, 5), -1);
}

static const struct number_case real_cases[] = {
	{123.45, "123.45"},
	{0.1, "0.1"},
	{1.0 / 3.0, "0.3333333333333333"},
	{1e20, "1e+20"},
	{-2.5, "-2.5"},
	{1234.0, "1234"},
	{NAN, NULL},
	{INFINITY, NULL},
};

static void test_format_real(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		char buf[64];
		int n = geojson_format_real(real_cases[i].value, buf,
					    sizeof(buf));
		const char *expected = real_cases[i].expected;
		bool ok = expected == NULL ? n == -1 :
			  (n >= 0 && strcmp(buf, expected) == 0 &&
			   strtod(buf, NULL) == real_cases[i].value);

		if (!ok) {
			printf("real %zu: input %.17g: expected %s, obtained "
			       "\"%s\"\n", i, real_cases[i].value,
			       expected ? expected : "(rejected)",
			       n >= 0 ? buf : "");
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

struct string_case {
	const char *input;
	const char *expected;
};

static const struct string_case string_cases[] = {
	{"Quận Ninh Kiều", "\"Quận Ninh Kiều\""},
	{"a\"b\\c", "\"a\\\"b\\\\c\""},
	{"line\nnext\ttab", "\"line\\nnext\\ttab\""},
	{"</script>", "\"</script>\""},
	{"\x01", "\"\\u0001\""},
	{"bad\xff" "byte", "\"bad\xEF\xBF\xBD" "byte\""},
	{"\xC3", "\"\xEF\xBF\xBD\""},
	{"", "\"\""},
};

static void test_string(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(string_cases) / sizeof(string_cases[0]);
	     i++) {
		struct strbuf sb;

		strbuf_init(&sb, 1024);
		geojson_string(&sb, string_cases[i].input);
		if (sb.data == NULL ||
		    strcmp(sb.data, string_cases[i].expected) != 0) {
			printf("string %zu: input \"%s\": expected %s, obtained "
			       "%s\n", i, string_cases[i].input,
			       string_cases[i].expected, sb.data ? sb.data : "");
			failures++;
		}
		strbuf_free(&sb);
	}
	assert_int_equal(failures, 0);
}

/* Write a geometry and compare with the expected text. */
static void check_geometry(const struct geom *g, const char *expected)
{
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	assert_int_equal(geojson_geometry(&sb, g), 0);
	if (strcmp(sb.data, expected) != 0)
		printf("geometry: expected %s\n          obtained %s\n",
		       expected, sb.data);
	assert_string_equal(sb.data, expected);
	strbuf_free(&sb);
}

static void test_point_and_multipoint(void **state)
{
	double xy[] = {105.7812345, 10.0312, 105.8, 10.1};
	uint32_t one[] = {0, 1};
	uint32_t two[] = {0, 2};
	struct geom g = {.type = GEOM_POINT, .n_points = 1, .n_parts = 1,
			 .xy = xy, .part_start = one};

	(void)state;
	check_geometry(&g, "{\"type\":\"Point\",\"coordinates\":"
			   "[105.7812345,10.0312]}");
	g.n_points = 2;
	g.part_start = two;
	g.multi = true;
	check_geometry(&g, "{\"type\":\"MultiPoint\",\"coordinates\":"
			   "[[105.7812345,10.0312],[105.8,10.1]]}");
}

static void test_lines(void **state)
{
	double xy[] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint32_t one[] = {0, 4};
	uint32_t two[] = {0, 2, 4};
	struct geom g = {.type = GEOM_LINE, .n_points = 4, .n_parts = 1,
			 .xy = xy, .part_start = one};

	(void)state;
	check_geometry(&g, "{\"type\":\"LineString\",\"coordinates\":"
			   "[[1,2],[3,4],[5,6],[7,8]]}");
	g.n_parts = 2;
	g.part_start = two;
	check_geometry(&g, "{\"type\":\"MultiLineString\",\"coordinates\":"
			   "[[[1,2],[3,4]],[[5,6],[7,8]]]}");
}

static void test_polygons(void **state)
{
	/* Outer ring, a hole, then a second polygon. */
	double xy[] = {0, 0, 4, 0, 4, 4, 0, 0,
		       1, 1, 2, 1, 2, 2, 1, 1,
		       10, 10, 11, 10, 11, 11, 10, 10};
	uint32_t starts[] = {0, 4, 8, 12};
	bool outer[] = {true, false, true};
	struct geom g = {.type = GEOM_POLYGON, .n_points = 8, .n_parts = 2,
			 .xy = xy, .part_start = starts, .part_outer = outer};

	(void)state;
	check_geometry(&g, "{\"type\":\"Polygon\",\"coordinates\":"
			   "[[[0,0],[4,0],[4,4],[0,0]],"
			   "[[1,1],[2,1],[2,2],[1,1]]]}");
	g.n_points = 12;
	g.n_parts = 3;
	check_geometry(&g, "{\"type\":\"MultiPolygon\",\"coordinates\":"
			   "[[[[0,0],[4,0],[4,4],[0,0]],"
			   "[[1,1],[2,1],[2,2],[1,1]]],"
			   "[[[10,10],[11,10],[11,11],[10,10]]]]}");
	g.n_points = 4;
	g.n_parts = 1;
	g.multi = true;
	check_geometry(&g, "{\"type\":\"MultiPolygon\",\"coordinates\":"
			   "[[[[0,0],[4,0],[4,4],[0,0]]]]}");
}

static void test_null_geometries(void **state)
{
	double bad[] = {1, NAN};
	uint32_t one[] = {0, 1};
	struct geom none = {.type = GEOM_NONE};
	struct geom nan_point = {.type = GEOM_POINT, .n_points = 1,
				 .n_parts = 1, .xy = bad, .part_start = one};

	(void)state;
	check_geometry(&none, "null");
	check_geometry(&nan_point, "null");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_coord),
		cmocka_unit_test(test_format_fixed_decimals),
		cmocka_unit_test(test_format_real),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_point_and_multipoint),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_polygons),
		cmocka_unit_test(test_null_geometries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
