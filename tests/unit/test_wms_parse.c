/*
 * WMS request values: version numbers and negotiation, EXCEPTIONS,
 * BGCOLOR, TRANSPARENT, INFO_FORMAT, exception codes and the text of the
 * exception reports of both versions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "server/wms.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *version_name(int rc, enum wms_version v)
{
	if (rc != 0)
		return "error";
	return wms_version_text(v);
}

static void test_version_negotiate(void **state)
{
	static const struct {
		const char *input;
		const char *expected; /* "error" when rejected */
	} cases[] = {
		{NULL, "1.3.0"},        /* none requested: the highest */
		{"", "1.3.0"},
		{"1.3.0", "1.3.0"},
		{"2.0.0", "1.3.0"},     /* above every version: the highest */
		{"1.3.1", "1.3.0"},
		{"1.2.0", "1.1.1"},     /* between: the next lower */
		{"1.1.1", "1.1.1"},
		{"1.1.0", "1.1.1"},     /* below every version: the lowest */
		{"1.0.0", "1.1.1"},
		{"0.9.8", "1.1.1"},
		{"1.3", "error"},
		{"1.3.0.0", "error"},
		{"a.b.c", "error"},
		{"1..3", "error"},
		{" 1.3.0", "error"},
		{"1.3.0 ", "error"},
		{"100.0.0", "error"},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		enum wms_version v = WMS_VERSION_111;
		int rc = wms_version_negotiate(cases[i].input, &v);
		const char *obtained = version_name(rc, v);

		if (strcmp(obtained, cases[i].expected) != 0) {
			print_error("negotiate \"%s\": expected %s, obtained %s\n",
				    cases[i].input ? cases[i].input : "(null)",
				    cases[i].expected, obtained);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_version_parse(void **state)
{
	static const struct {
		const char *input;
		const char *expected;
	} cases[] = {
		{"1.3.0", "1.3.0"},
		{"1.1.1", "1.1.1"},
		{"1.1.0", "1.1.1"},
		{"1.2.0", "error"},
		{"1.0.0", "error"},
		{"1.3", "error"},
		{"", "error"},
		{NULL, "error"},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		enum wms_version v = WMS_VERSION_111;
		int rc = wms_version_parse(cases[i].input, &v);
		const char *obtained = version_name(rc, v);

		if (strcmp(obtained, cases[i].expected) != 0) {
			print_error("parse \"%s\": expected %s, obtained %s\n",
				    cases[i].input ? cases[i].input : "(null)",
				    cases[i].expected, obtained);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_version_number(void **state)
{
	int number = 0;

	(void)state;
	assert_int_equal(wms_version_number("1.3.0", &number), 0);
	assert_int_equal(number, 10300);
	assert_int_equal(wms_version_number("1.1.1", &number), 0);
	assert_int_equal(number, 10101);
	assert_int_equal(wms_version_number("99.99.99", &number), 0);
	assert_int_equal(number, 999999);
	assert_int_equal(wms_version_number("+1.3.0", &number), -1);
	assert_int_equal(wms_version_number("1.3.-0", &number), -1);
}

static void test_bgcolor(void **state)
{
	static const struct {
		const char *input;
		int rc;
		uint32_t expected;
	} cases[] = {
		{"0xFFFFFF", 0, 0xFFFFFF},
		{"0x000000", 0, 0x000000},
		{"0x1a2B3c", 0, 0x1A2B3C},
		{"0XABCDEF", 0, 0xABCDEF},
		{"FFFFFF", -1, 0},
		{"#FFFFFF", -1, 0},
		{"0xFFFFF", -1, 0},
		{"0xFFFFFFF", -1, 0},
		{"0xFFFFFG", -1, 0},
		{"0x FFFFF", -1, 0},
		{"1xFFFFFF", -1, 0},
		{"", -1, 0},
		{NULL, -1, 0},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		uint32_t rgb = 0x123456;
		int rc = wms_bgcolor_parse(cases[i].input, &rgb);

		if (rc != cases[i].rc ||
		    (rc == 0 && rgb != cases[i].expected)) {
			print_error("BGCOLOR \"%s\": expected rc %d 0x%06X, "
				    "obtained rc %d 0x%06X\n",
				    cases[i].input ? cases[i].input : "(null)",
				    cases[i].rc, (unsigned)cases[i].expected,
				    rc, (unsigned)rgb);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_transparent(void **state)
{
	bool value = false;

	(void)state;
	assert_int_equal(wms_bool_parse("TRUE", &value), 0);
	assert_true(value);
	assert_int_equal(wms_bool_parse("false", &value), 0);
	assert_false(value);
	assert_int_equal(wms_bool_parse("True", &value), 0);
	assert_true(value);
	assert_int_equal(wms_bool_parse("1", &value), -1);
	assert_int_equal(wms_bool_parse("yes", &value), -1);
	assert_int_equal(wms_bool_parse("", &value), -1);
	assert_int_equal(wms_bool_parse("TRUE ", &value), -1);
}

static void test_exceptions_parse(void **state)
{
	static const struct {
		const char *input;
		int rc;
		enum wms_exceptions expected;
	} cases[] = {
		{NULL, 0, WMS_EXCEPTIONS_XML},
		{"", 0, WMS_EXCEPTIONS_XML},
		{"XML", 0, WMS_EXCEPTIONS_XML},
		{"INIMAGE", 0, WMS_EXCEPTIONS_INIMAGE},
		{"BLANK", 0, WMS_EXCEPTIONS_BLANK},
		{"inimage", 0, WMS_EXCEPTIONS_INIMAGE},
		{"application/vnd.ogc.se_xml", 0, WMS_EXCEPTIONS_XML},
		{"application/vnd.ogc.se_inimage", 0, WMS_EXCEPTIONS_INIMAGE},
		{"application/vnd.ogc.se_blank", 0, WMS_EXCEPTIONS_BLANK},
		{"text/xml", 0, WMS_EXCEPTIONS_XML},
		{"JSON", -1, WMS_EXCEPTIONS_XML},
		{"application/vnd.ogc.se", -1, WMS_EXCEPTIONS_XML},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		enum wms_exceptions obtained = WMS_EXCEPTIONS_XML;
		int rc = wms_exceptions_parse(cases[i].input, &obtained);

		if (rc != cases[i].rc ||
		    (rc == 0 && obtained != cases[i].expected)) {
			print_error("EXCEPTIONS \"%s\": expected rc %d value %d,"
				    " obtained rc %d value %d\n",
				    cases[i].input ? cases[i].input : "(null)",
				    cases[i].rc, (int)cases[i].expected, rc,
				    (int)obtained);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_info_format_parse(void **state)
{
	enum wms_info_format format = WMS_INFO_JSON;

	(void)state;
	assert_int_equal(wms_info_format_parse(NULL, &format), 0);
	assert_int_equal(format, WMS_INFO_TEXT);
	assert_int_equal(wms_info_format_parse("application/json", &format), 0);
	assert_int_equal(format, WMS_INFO_JSON);
	assert_int_equal(wms_info_format_parse("text/html", &format), 0);
	assert_int_equal(format, WMS_INFO_HTML);
	assert_int_equal(wms_info_format_parse("application/vnd.ogc.gml",
					       &format), 0);
	assert_int_equal(format, WMS_INFO_GML);
	assert_int_equal(wms_info_format_parse("image/png", &format), -1);
}

static void test_exception_codes(void **state)
{
	static const struct {
		enum req_error_kind kind;
		const char *parameter;
		enum wms_version version;
		const char *expected;
	} cases[] = {
		{REQ_INVALID_CRS, "CRS", WMS_VERSION_130, "InvalidCRS"},
		{REQ_INVALID_CRS, "SRS", WMS_VERSION_111, "InvalidSRS"},
		{REQ_LAYER_NOT_DEFINED, "LAYERS", WMS_VERSION_130,
		 "LayerNotDefined"},
		{REQ_STYLE_NOT_DEFINED, "STYLES", WMS_VERSION_111,
		 "StyleNotDefined"},
		{REQ_INVALID_FORMAT, "FORMAT", WMS_VERSION_130, "InvalidFormat"},
		{REQ_MISSING_PARAMETER, "BBOX", WMS_VERSION_130,
		 "MissingParameterValue"},
		{REQ_INVALID_PARAMETER, "WIDTH", WMS_VERSION_130,
		 "InvalidParameterValue"},
		{REQ_INVALID_PARAMETER, "I", WMS_VERSION_130, "InvalidPoint"},
		{REQ_INVALID_PARAMETER, "Y", WMS_VERSION_111, "InvalidPoint"},
		{REQ_OPERATION_NOT_SUPPORTED, "REQUEST", WMS_VERSION_130,
		 "OperationNotSupported"},
		{REQ_OPERATION_NOT_SUPPORTED, "QUERY_LAYERS", WMS_VERSION_130,
		 "LayerNotQueryable"},
		{REQ_INTERNAL, "", WMS_VERSION_130, "NoApplicableCode"},
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		const char *obtained = wms_exception_code(
			cases[i].kind, cases[i].parameter, cases[i].version);

		if (strcmp(obtained, cases[i].expected) != 0) {
			print_error("code of kind %d on %s: expected %s, "
				    "obtained %s\n", (int)cases[i].kind,
				    cases[i].parameter, cases[i].expected,
				    obtained);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_exception_xml_130(void **state)
{
	struct req_error err = {0};
	struct strbuf sb;
	const char *expected =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ServiceExceptionReport version=\"1.3.0\""
		" xmlns=\"http://www.opengis.net/ogc\""
		" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
		" xsi:schemaLocation=\"http://www.opengis.net/ogc"
		" http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd\">\n"
		"<ServiceException code=\"InvalidCRS\" locator=\"CRS\">"
		"Hệ tọa độ CRS=&quot;EPSG:9&lt;9&gt;&quot; không được hỗ trợ."
		"</ServiceException>\n"
		"</ServiceExceptionReport>\n";

	(void)state;
	req_error_set(&err, REQ_INVALID_CRS, "CRS",
		      "Hệ tọa độ CRS=\"%s\" không được hỗ trợ.", "EPSG:9<9>");
	strbuf_init(&sb, 65536);
	assert_int_equal(wms_exception_xml(&sb, &err, WMS_VERSION_130), 0);
	assert_non_null(sb.data);
	if (strcmp(sb.data, expected) != 0)
		print_error("expected:\n%s\nobtained:\n%s\n", expected, sb.data);
	assert_string_equal(sb.data, expected);
	strbuf_free(&sb);
}

static void test_exception_xml_111(void **state)
{
	struct req_error err = {0};
	struct strbuf sb;
	const char *expected =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<!DOCTYPE ServiceExceptionReport SYSTEM"
		" \"http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd\">\n"
		"<ServiceExceptionReport version=\"1.1.1\">\n"
		"<ServiceException code=\"InvalidSRS\" locator=\"SRS\">"
		"Unsupported SRS=&quot;EPSG:1&quot; &amp; more."
		"</ServiceException>\n"
		"</ServiceExceptionReport>\n";

	(void)state;
	req_error_set(&err, REQ_INVALID_CRS, "SRS",
		      "Unsupported SRS=\"%s\" & more.", "EPSG:1");
	strbuf_init(&sb, 65536);
	assert_int_equal(wms_exception_xml(&sb, &err, WMS_VERSION_111), 0);
	assert_non_null(sb.data);
	if (strcmp(sb.data, expected) != 0)
		print_error("expected:\n%s\nobtained:\n%s\n", expected, sb.data);
	assert_string_equal(sb.data, expected);
	strbuf_free(&sb);
}

static void test_exception_xml_no_locator(void **state)
{
	struct req_error err = {0};
	struct strbuf sb;

	(void)state;
	req_error_set(&err, REQ_INTERNAL, "", "failed");
	strbuf_init(&sb, 65536);
	assert_int_equal(wms_exception_xml(&sb, &err, WMS_VERSION_130), 0);
	assert_non_null(strstr(sb.data,
		"<ServiceException code=\"NoApplicableCode\">failed<"));
	assert_null(strstr(sb.data, "locator="));
	strbuf_free(&sb);
}

static void test_exception_xml_overflow(void **state)
{
	struct req_error err = {0};
	struct strbuf sb;

	(void)state;
	req_error_set(&err, REQ_INVALID_PARAMETER, "BBOX", "too long");
	strbuf_init(&sb, 64);
	assert_int_equal(wms_exception_xml(&sb, &err, WMS_VERSION_130), -1);
	strbuf_free(&sb);
}

static void test_url_encode(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 1024);
	assert_int_equal(wms_url_encode(&sb, "land_use-1.x~"), 0);
	assert_int_equal(wms_url_encode(&sb, " &/=Đ"), 0);
	assert_string_equal(sb.data, "land_use-1.x~%20%26%2F%3D%C4%90");
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_negotiate),
		cmocka_unit_test(test_version_parse),
		cmocka_unit_test(test_version_number),
		cmocka_unit_test(test_bgcolor),
		cmocka_unit_test(test_transparent),
		cmocka_unit_test(test_exceptions_parse),
		cmocka_unit_test(test_info_format_parse),
		cmocka_unit_test(test_exception_codes),
		cmocka_unit_test(test_exception_xml_130),
		cmocka_unit_test(test_exception_xml_111),
		cmocka_unit_test(test_exception_xml_no_locator),
		cmocka_unit_test(test_exception_xml_overflow),
		cmocka_unit_test(test_url_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
