/*
 * The CRS catalogue: the built-in province table against the reference
 * CSV, lookups by code, URI, province name and central meridian.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vn2000/vn2000.h"

#define PROVINCES_CSV VNSDI_SHARED_DIR "/vn2000/provinces_tm3.csv"

/* Read the first `max` comma-separated fields (quoted fields unquoted). */
static int split_fields(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	while (n < max && *p && *p != '\n' && *p != '\r') {
		if (*p == '"') {
			fields[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return n;
			*p++ = '\0';
		} else {
			fields[n++] = p;
			p += strcspn(p, ",\r\n");
		}
		if (*p == ',')
			*p++ = '\0';
		else if (*p)
			*p = '\0';
	}
	return n;
}

static void test_provinces_match_csv(void **state)
{
	FILE *f = fopen(PROVINCES_CSV, "r");
	char line[2048];
	size_t rows = 0;
	int mismatches = 0;

	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		char *fld[5];
		const struct vn2000_province *p;
		double cm;
		long epsg;

		assert_true(split_fields(line, fld, 5) == 5);
		assert_true(rows < vn2000_province_count());
		p = vn2000_province_at(rows++);
		cm = strtod(fld[2], NULL);
		epsg = strtol(fld[4] + strlen("EPSG:"), NULL, 10);
		if (strcmp(p->name_vi, fld[0]) != 0 ||
		    strcmp(p->name_ascii, fld[1]) != 0 ||
		    fabs(p->central_meridian - cm) > 1e-9 || p->epsg != epsg) {
			mismatches++;
			print_error("row %zu: expected %s / %s / %.2f / %ld, "
				    "built in %s / %s / %.2f / %d\n",
				    rows, fld[0], fld[1], cm, epsg, p->name_vi,
				    p->name_ascii, p->central_meridian, p->epsg);
		}
	}
	fclose(f);
	assert_int_equal(rows, vn2000_province_count());
	assert_int_equal(mismatches, 0);
}

/* Each province's zone has the province's meridian and k0 0.9999. */
static void test_province_zones(void **state)
{
	(void)state;
	for (size_t i = 0; i < vn2000_province_count(); i++) {
		const struct vn2000_province *p = vn2000_province_at(i);
		const struct vn2000_crs *c = vn2000_crs_by_epsg(p->epsg);

		assert_non_null(c);
		assert_true(fabs(c->central_meridian - p->central_meridian) <
			    1e-12);
		assert_true(c->scale_factor == 0.9999);
		assert_ptr_equal(vn2000_crs_by_meridian(p->central_meridian), c);
		assert_ptr_equal(vn2000_crs_find(p->name_vi), c);
		assert_ptr_equal(vn2000_crs_find(p->name_ascii), c);
	}
}

struct find_case {
	const char *name;
	const char *expected_id; /* NULL: not found */
};

static void test_find_forms(void **state)
{
	static const struct find_case cases[] = {
		{ "EPSG:5897", "EPSG:5897" },
		{ "epsg:5897", "EPSG:5897" },
		{ " EPSG:9210 ", "EPSG:9210" },
		{ "urn:ogc:def:crs:EPSG::5897", "EPSG:5897" },
		{ "urn:ogc:def:crs:EPSG:9.1:3405", "EPSG:3405" },
		{ "http://www.opengis.net/def/crs/EPSG/0/5899", "EPSG:5899" },
		{ "https://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326" },
		{ "CRS:84", "CRS:84" },
		{ "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "CRS:84" },
		{ "urn:ogc:def:crs:OGC:1.3:CRS84", "CRS:84" },
		{ "EPSG:3857", "EPSG:3857" },
		{ "EPSG:32648", "EPSG:32648" },
		{ "EPSG:4756", "EPSG:4756" },
		{ "Đà Nẵng", "EPSG:5899" },
		{ "da nang", "EPSG:5899" },
		{ "ĐÀ NẴNG", "EPSG:5899" },
		{ "Thành phố Cần Thơ", "EPSG:5897" },
		{ "Tỉnh Đắk Lắk", "EPSG:9218" },
		{ "Khánh Hoà", "EPSG:9217" },  /* old-style tone placement */
		{ "Khánh Hòa", "EPSG:9217" },
		{ "Bà Rịa - Vũng Tàu", "EPSG:5899" },
		{ "TP HCM", "EPSG:9210" },
		{ "Huế", "EPSG:9214" },
		/* "Đà Nẵng" in decomposed form (NFD combining marks). */
		{ "\xc4\x90" "a\xcc\x80 Na\xcc\x86\xcc\x83ng", "EPSG:5899" },
		{ "VN-2000 / TM-3 105-45", "EPSG:9210" },
		{ "EPSG:6959", NULL },
		{ "EPSG:6956", NULL },
		{ "urn:ogc:def:crs:EPSG::6957", NULL },
		{ "EPSG:99999", NULL },
		{ "EPSG:5897x", NULL },
		{ "EPSG:", NULL },
		{ "", NULL },
		{ "Paris", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vn2000_crs *c = vn2000_crs_find(cases[i].name);
		const char *got = c ? c->id : "(null)";
		const char *want = cases[i].expected_id ? cases[i].expected_id
							: "(null)";

		if (strcmp(got, want) != 0)
			print_error("find \"%s\": expected %s, obtained %s\n",
				    cases[i].name, want, got);
		assert_string_equal(got, want);
	}
	assert_null(vn2000_crs_find(NULL));
}

static void test_deprecated(void **state)
{
	(void)state;
	assert_int_equal(vn2000_crs_deprecated(6956), 5896);
	assert_int_equal(vn2000_crs_deprecated(6957), 5897);
	assert_int_equal(vn2000_crs_deprecated(6958), 5898);
	assert_int_equal(vn2000_crs_deprecated(6959), 5899);
	assert_int_equal(vn2000_crs_deprecated(5899), 0);
	assert_null(vn2000_crs_by_epsg(6959));
}

static void test_by_meridian(void **state)
{
	(void)state;
	assert_string_equal(vn2000_crs_by_meridian(105.0)->id, "EPSG:5897");
	assert_string_equal(vn2000_crs_by_meridian(107.75)->id, "EPSG:5899");
	assert_string_equal(vn2000_crs_by_meridian(111.0)->id, "EPSG:3406");
	assert_null(vn2000_crs_by_meridian(100.0));
	assert_null(vn2000_crs_by_meridian(NAN));
}

static void test_catalogue_entries(void **state)
{
	static const int required[] = { 4326, 3857, 32648, 32649, 4756, 3405,
					 3406, 5896, 5897, 5898, 5899, 9205,
					 9206, 9207, 9208, 9209, 9210, 9211,
					 9212, 9213, 9214, 9215, 9216, 9217,
					 9218 };

	(void)state;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		assert_non_null(vn2000_crs_by_epsg(required[i]));
	for (size_t i = 0; i < vn2000_crs_count(); i++) {
		const struct vn2000_crs *c = vn2000_crs_at(i);

		assert_non_null(c->name_en);
		assert_non_null(c->name_vi);
		assert_true(c->area[0] < c->area[2] && c->area[1] < c->area[3]);
		assert_ptr_equal(vn2000_crs_find(c->id), c);
		if (c->datum == VN2000_DATUM_VN2000 && !c->geographic)
			assert_true(c->scale_factor == 0.9999 ||
				    c->scale_factor == 0.9996);
	}
	assert_true(vn2000_crs_by_epsg(4326)->lat_first);
	assert_true(vn2000_crs_by_epsg(4756)->lat_first);
	assert_false(vn2000_crs_find("CRS:84")->lat_first);
	assert_null(vn2000_crs_at(vn2000_crs_count()));
}

static void test_fold_name(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(vn2000_fold_name("Đắk Lắk", out, sizeof(out)), 6);
	assert_string_equal(out, "daklak");
	vn2000_fold_name("Thừa Thiên Huế", out, sizeof(out));
	assert_string_equal(out, "thuathienhue");
	vn2000_fold_name("Bà Rịa – Vũng Tàu", out, sizeof(out));
	assert_string_equal(out, "bariavungtau");
	assert_int_equal(vn2000_fold_name("abcdef", out, 4), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provinces_match_csv),
		cmocka_unit_test(test_province_zones),
		cmocka_unit_test(test_find_forms),
		cmocka_unit_test(test_deprecated),
		cmocka_unit_test(test_by_meridian),
		cmocka_unit_test(test_catalogue_entries),
		cmocka_unit_test(test_fold_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
