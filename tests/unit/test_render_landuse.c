/*
 * Land-use colour and name lookups, and WMS format names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tiles/render.h"

struct color_case {
	const char *id;
	const char *code;
	bool found;
	uint32_t rgb;
};

static void check_color(const struct color_case *c)
{
	uint32_t rgb = 0xDEADBEEF;
	bool found = render_landuse_color(c->code, &rgb);

	if (found != c->found || (found && rgb != c->rgb)) {
		print_error("%s: code \"%s\": expected %s #%06X, obtained %s "
			    "#%06X\n", c->id, c->code ? c->code : "(null)",
			    c->found ? "found" : "unknown", c->rgb,
			    found ? "found" : "unknown", rgb);
		fail();
	}
}

static void landuse_color_cases(void **state)
{
	static const struct color_case cases[] = {
		{"color-1", "ODT", true, 0xFFA0FF},
		{"color-2", "ODT+CLN", true, 0xFFA0FF},
		{"color-3", "CLN+ODT", true, 0xFFD2A0},
		{"color-4", "LUC(NTS)", true, 0xFFFC8C},
		{"color-5", "ONT*", true, 0xFFD0FF},
		{"color-6", "ODT-C", true, 0xFFA0FF},
		{"color-7", "CLN-P", true, 0xFFD2A0},
		{"color-8", " odt", true, 0xFFA0FF},
		{"color-9", "SKC+ODT", true, 0xFAAAA0},
		{"color-10", "DGT", true, 0xFFAA32},
		{"color-11", "OTC", true, 0xFFB4FF},
		{"color-12", "OCT", true, 0xFFB4FF},
		{"color-13", "RSN", true, 0xB4FFB4},
		{"color-14", "CNT", true, 0xE6E682},
		{"color-15", "LMU", true, 0x000000},
		/* A known 2024 code without any published colour. */
		{"color-16", "KĐD", false, 0},
		{"color-17", "CNC", false, 0},
		{"color-18", "XYZ", false, 0},
		{"color-19", "", false, 0},
		{"color-20", "+ODT", false, 0},
		{"color-21", "(LUC)", false, 0},
		{"color-22", NULL, false, 0},
		{"color-23", "ODTX", false, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_color(&cases[i]);
}

struct name_case {
	const char *id;
	const char *code;
	const char *lang;
	const char *name;      /* NULL: unknown */
};

static void landuse_name_cases(void **state)
{
	static const struct name_case cases[] = {
		{"name-1", "ODT", "vi", "Đất ở tại đô thị"},
		{"name-2", "ODT", "en", "Urban residential land"},
		{"name-3", "ODT", NULL, "Đất ở tại đô thị"},
		{"name-4", "ONT+CLN", "vi", "Đất ở tại nông thôn"},
		/* The official 2014 name wins over the unverified 2024 one. */
		{"name-5", "LUC(NTS)", "vi", "Đất chuyên trồng lúa nước"},
		{"name-6", "KĐD", "vi", "Đất cơ sở bảo tồn đa dạng sinh học"},
		{"name-7", "kđd", "vi", "Đất cơ sở bảo tồn đa dạng sinh học"},
		{"name-8", "CNT", "vi", "Đất chăn nuôi tập trung"},
		{"name-9", "RSN", "vi", "Đất có rừng tự nhiên sản xuất"},
		{"name-10", "NNP", "en", "Agricultural land group (aggregate)"},
		{"name-11", "TSN", "vi", "Đất nuôi trồng thủy sản nước ngọt"},
		{"name-12", "XYZ", "vi", NULL},
		{"name-13", "", "vi", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct name_case *c = &cases[i];
		const char *name = render_landuse_name(c->code, c->lang);

		if ((name == NULL) != (c->name == NULL) ||
		    (name != NULL && strcmp(name, c->name) != 0)) {
			print_error("%s: code \"%s\" lang %s: expected \"%s\", "
				    "obtained \"%s\"\n", c->id, c->code,
				    c->lang ? c->lang : "(null)",
				    c->name ? c->name : "(null)",
				    name ? name : "(null)");
			fail();
		}
	}
}

struct format_case {
	const char *id;
	const char *mime;
	int rc;
	enum render_format format;
};

static void format_parse_cases(void **state)
{
	static const struct format_case cases[] = {
		{"format-1", "image/png", 0, RENDER_PNG},
		{"format-2", "image/png8", 0, RENDER_PNG8},
		{"format-3", "image/png; mode=8bit", 0, RENDER_PNG8},
		{"format-4", "image/png;mode=8bit", 0, RENDER_PNG8},
		{"format-5", "IMAGE/PNG; MODE = 8BIT", 0, RENDER_PNG8},
		{"format-6", "image/png; mode=24bit", 0, RENDER_PNG},
		{"format-7", "image/png; mode=32bit", 0, RENDER_PNG},
		{"format-8", "image/jpeg", 0, RENDER_JPEG},
		{"format-9", " image/jpeg ", 0, RENDER_JPEG},
		{"format-10", "image/gif", -1, 0},
		{"format-11", "image/png; mode=16bit", -1, 0},
		{"format-12", "image/jpeg; mode=8bit", -1, 0},
		{"format-13", "image/png; quality=5", -1, 0},
		{"format-14", "image/pngx", -1, 0},
		{"format-15", "", -1, 0},
		{"format-16", "image/png;", -1, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct format_case *c = &cases[i];
		enum render_format format = RENDER_JPEG;
		int rc = render_format_parse(c->mime, &format);

		if (rc != c->rc || (rc == 0 && format != c->format)) {
			print_error("%s: \"%s\": expected rc %d format %d, "
				    "obtained rc %d format %d\n", c->id,
				    c->mime, c->rc, (int)c->format, rc,
				    (int)format);
			fail();
		}
	}
	assert_int_equal(render_format_parse(NULL, NULL), -1);
}

static void format_mime_round_trip(void **state)
{
	static const enum render_format formats[] = {
		RENDER_PNG, RENDER_PNG8, RENDER_JPEG
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		enum render_format back;

		assert_int_equal(render_format_parse(
			render_format_mime(formats[i]), &back), 0);
		assert_int_equal(back, formats[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(landuse_color_cases),
		cmocka_unit_test(landuse_name_cases),
		cmocka_unit_test(format_parse_cases),
		cmocka_unit_test(format_mime_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
