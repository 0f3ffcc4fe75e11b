/* strbuf: the cap on growth, XML escaping and URL encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/http.h"

static void test_append_within_cap(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 10);
	assert_int_equal(strbuf_puts(&sb, "12345"), 0);
	assert_int_equal(strbuf_printf(&sb, "%d", 6789), 0);
	assert_int_equal(strbuf_append(&sb, "0", 1), 0);
	assert_int_equal(sb.len, 10);
	assert_string_equal(sb.data, "1234567890");
	assert_false(sb.overflow);
	strbuf_free(&sb);
}

static void test_cap_refuses_and_sticks(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 10);
	assert_int_equal(strbuf_puts(&sb, "123456789"), 0);
	assert_int_equal(strbuf_puts(&sb, "ab"), -1);
	assert_true(sb.overflow);
	assert_int_equal(sb.len, 9);
	/* Later appends fail even when they would fit. */
	assert_int_equal(strbuf_puts(&sb, "a"), -1);
	assert_int_equal(strbuf_printf(&sb, "%s", ""), -1);
	assert_string_equal(sb.data, "123456789");
	strbuf_free(&sb);
}

static void test_printf_over_cap(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 4);
	assert_int_equal(strbuf_printf(&sb, "%s", "hello"), -1);
	assert_true(sb.overflow);
	assert_int_equal(sb.len, 0);
	strbuf_free(&sb);
}

static void test_allocation_stays_near_cap(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 300);
	for (int i = 0; i < 30; i++)
		assert_int_equal(strbuf_puts(&sb, "0123456789"), 0);
	assert_int_equal(sb.len, 300);
	assert_true(sb.cap <= 301);
	assert_int_equal(strbuf_puts(&sb, "x"), -1);
	strbuf_free(&sb);
}

static void test_take_resets(void **state)
{
	struct strbuf sb;
	size_t len = 99;
	char *text;

	(void)state;
	strbuf_init(&sb, 100);
	text = strbuf_take(&sb, &len);
	assert_non_null(text);
	assert_string_equal(text, "");
	assert_int_equal(len, 0);
	free(text);

	strbuf_puts(&sb, "Quận Ninh Kiều");
	text = strbuf_take(&sb, &len);
	assert_string_equal(text, "Quận Ninh Kiều");
	assert_int_equal(len, strlen("Quận Ninh Kiều"));
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
	free(text);
	strbuf_free(&sb);
	strbuf_free(NULL);
}

struct escape_case {
	const char *input;
	const char *expected;
};

static const struct escape_case xml_cases[] = {
	{"", ""},
	{"Phường", "Phường"},
	{"a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#39;"},
	{"<script>alert(1)</script>",
	 "&lt;script&gt;alert(1)&lt;/script&gt;"},
	{"tab\tline\ncr\r", "tab\tline\ncr\r"},
	{"bell\x07" "esc\x1b" "del\x7f", "bell?esc?del?"},
};

static void test_xml_escape(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(xml_cases) / sizeof(xml_cases[0]); i++) {
		struct strbuf sb;

		strbuf_init(&sb, 1024);
		strbuf_xml(&sb, xml_cases[i].input);
		if (strcmp(sb.data != NULL ? sb.data : "",
			   xml_cases[i].expected) != 0) {
			printf("xml %zu: input \"%s\": expected \"%s\", obtained "
			       "\"%s\"\n", i, xml_cases[i].input,
			       xml_cases[i].expected, sb.data ? sb.data : "");
			failures++;
		}
		strbuf_free(&sb);
	}
	assert_int_equal(failures, 0);
}

static void test_xml_escape_cap(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 8);
	assert_int_equal(strbuf_xml(&sb, "<<<"), -1);
	assert_true(sb.overflow);
	strbuf_free(&sb);
}

static const struct escape_case url_cases[] = {
	{"abc-._~XYZ019", "abc-._~XYZ019"},
	{"1,2,3:4/5", "1,2,3:4/5"},
	{"a b&c=d?e#f", "a%20b%26c%3Dd%3Fe%23f"},
	{"Kiều", "Ki%E1%BB%81u"},
	{"100%", "100%25"},
	{"+", "%2B"},
};

static void test_urlencode(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		struct strbuf sb;

		strbuf_init(&sb, 1024);
		strbuf_urlencode(&sb, url_cases[i].input);
		if (strcmp(sb.data != NULL ? sb.data : "",
			   url_cases[i].expected) != 0) {
			printf("url %zu: input \"%s\": expected \"%s\", obtained "
			       "\"%s\"\n", i, url_cases[i].input,
			       url_cases[i].expected, sb.data ? sb.data : "");
			failures++;
		}
		strbuf_free(&sb);
	}
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_within_cap),
		cmocka_unit_test(test_cap_refuses_and_sticks),
		cmocka_unit_test(test_printf_over_cap),
		cmocka_unit_test(test_allocation_stays_near_cap),
		cmocka_unit_test(test_take_resets),
		cmocka_unit_test(test_xml_escape),
		cmocka_unit_test(test_xml_escape_cap),
		cmocka_unit_test(test_urlencode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
