/*
 * Text into UTF-8: CP1258 (Windows Vietnamese) with combining tone marks
 * becomes precomposed NFC text, invalid bytes are rejected, and a MapInfo
 * table declaring the WindowsVietnamese charset loads byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gdal.h>
#include <ogr_api.h>

#include "layers/layers_internal.h"

struct recode_case {
	const char *encoding;
	const char *raw;
	const char *expected;  /* NULL: must be rejected */
};

static const struct recode_case recode_cases[] = {
	/* "Phường": ư (0xFD), ơ (0xF5) then a combining grave (0xCC). */
	{ "CP1258", "Ph\xfd\xf5\xccng", "Ph\xc6\xb0\xe1\xbb\x9dng" },
	/* "Quận Ninh Kiều": â + dot below (0xF2), ê + grave. */
	{ "CP1258", "Qu\xe2\xf2n Ninh Ki\xea\xccu",
	  "Qu\xe1\xba\xadn Ninh Ki\xe1\xbb\x81u" },
	/* "Cần Thơ", "Hậu Giang", "Đắk Lắk" (ă + acute 0xEC). */
	{ "CP1258", "C\xe2\xccn Th\xf5", "C\xe1\xba\xa7n Th\xc6\xa1" },
	{ "CP1258", "H\xe2\xf2u Giang", "H\xe1\xba\xadu Giang" },
	{ "CP1258", "\xd0\xe3\xeck L\xe3\xeck",
	  "\xc4\x90\xe1\xba\xaf" "k L\xe1\xba\xaf" "k" },
	/* The letter held back for a tone mark is flushed at the end. */
	{ "CP1258", "Th\xf5", "Th\xc6\xa1" },
	{ "WindowsVietnamese", "\xe0", "\xc3\xa0" },
	{ "CP1258", "", "" },
	/* 0x81 is not a character of CP1258. */
	{ "CP1258", "a\x81", NULL },
	{ NULL, "Ph\xc6\xb0\xe1\xbb\x9dng", "Ph\xc6\xb0\xe1\xbb\x9dng" },
	{ "UTF-8", "abc", "abc" },
	{ NULL, "abc\xff", NULL },
	{ NULL, "\xc3", NULL },
	/* An overlong encoding of '/' is not UTF-8. */
	{ NULL, "\xc0\xaf", NULL },
};

static void test_recode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(recode_cases) / sizeof(*recode_cases);
	     i++) {
		const struct recode_case *c = &recode_cases[i];
		struct layer_text *text = NULL;
		assert_int_equal(layer_text_open(c->encoding, &text), 0);
		char *got = layer_text_convert(text, c->raw);
		bool ok = c->expected == NULL
				  ? got == NULL
				  : got != NULL &&
					    strcmp(got, c->expected) == 0;
		if (!ok)
			fprintf(stderr, "case %zu (%s): expected \"%s\", "
				"obtained \"%s\"\n", i,
				c->encoding ? c->encoding : "UTF-8",
				c->expected ? c->expected : "(rejected)",
				got ? got : "(rejected)");
		free(got);
		layer_text_close(text);
		assert_true(ok);
	}
}

static void test_unknown_encoding(void **state)
{
	struct layer_text *text = (void *)1;

	(void)state;
	assert_int_equal(layer_text_open("NO-SUCH-CODEPAGE", &text), -1);
	assert_null(text);
	layer_text_close(NULL);
}

/* Replace every `from` with `to` in a small text file. */
static void file_replace(const char *path, const char *from, const char *to)
{
	char buf[8192], out[8192];
	FILE *f = fopen(path, "rb");
	size_t n, used = 0;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (char *p = buf; *p != '\0';) {
		char *hit = strstr(p, from);
		size_t keep = hit ? (size_t)(hit - p) : strlen(p);
		assert_true(used + keep + strlen(to) < sizeof(out));
		memcpy(out + used, p, keep);
		used += keep;
		if (hit == NULL)
			break;
		memcpy(out + used, to, strlen(to));
		used += strlen(to);
		p = hit + strlen(from);
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(out, 1, used, f), used);
	fclose(f);
}

/*
 * Write a MapInfo table with raw CP1258 bytes, then mark it with the
 * WindowsVietnamese charset, as MapInfo Professional writes Vietnamese.
 */
static void write_cp1258_tab(const char *path)
{
	GDALDriverH drv = GDALGetDriverByName("MapInfo File");
	const char *neutral[] = { "ENCODING=", NULL };
	GDALDatasetH ds;
	OGRLayerH layer;
	OGRFieldDefnH fld;
	OGRFeatureH f;
	OGRGeometryH pt;
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);

	assert_non_null(drv);
	OSRImportFromEPSG(srs, 5897);
	ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
	assert_non_null(ds);
	layer = GDALDatasetCreateLayer(ds, "phuong", srs, wkbPoint,
				       (char **)neutral);
	assert_non_null(layer);
	fld = OGR_Fld_Create("Ten", OFTString);
	OGR_Fld_SetWidth(fld, 40);
	assert_int_equal(OGR_L_CreateField(layer, fld, TRUE), OGRERR_NONE);
	OGR_Fld_Destroy(fld);

	f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	OGR_F_SetFieldString(f, 0, "Ph\xfd\xf5\xccng An H\xf4\xf2i");
	pt = OGR_G_CreateGeometry(wkbPoint);
	OGR_G_SetPoint_2D(pt, 0, 587000, 1110000);
	OGR_F_SetGeometryDirectly(f, pt);
	assert_int_equal(OGR_L_CreateFeature(layer, f), OGRERR_NONE);
	OGR_F_Destroy(f);
	GDALClose(ds);
	OSRDestroySpatialReference(srs);

	file_replace(path, "Neutral", "WindowsVietnamese");
}

static void test_mapinfo_cp1258_loads_as_utf8(void **state)
{
	char dir[] = "/tmp/vnsdi-text-XXXXXX";
	char path[256];
	struct cfg cfg = { .path = (char *)"test-text.yaml" };
	struct cfg_errors errors = { 0 };
	struct layer_snapshot *snap = NULL;
	static const char *ext[] = { "tab", "dat", "map", "id" };
	(void)state;

	layer_gdal_init();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/phuong.tab", dir);
	write_cp1258_tab(path);

	/* MapInfo has no VN-2000 datum, so the CRS is declared. */
	struct cfg_layer l = { .id = (char *)"wards", .source = path,
			       .crs = (char *)"EPSG:5897", .line = 3 };
	int rc = layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap, &errors);
	if (rc != 0)
		cfg_errors_print_lang(&errors, stderr, true);
	cfg_errors_clear(&errors);
	assert_int_equal(rc, 0);
	assert_int_equal(snap->n_features, 1);
	/* "Phường An Hội", precomposed. */
	assert_string_equal(snap->features[0].values[0].u.s,
			    "Ph\xc6\xb0\xe1\xbb\x9dng An H\xe1\xbb\x99i");
	assert_string_equal(snap->crs->id, "EPSG:5897");
	layer_snapshot_release(snap);

	/* Declared as UTF-8, the same bytes are invalid and named. */
	l.encoding = (char *)"UTF-8";
	rc = layer_snapshot_load(&cfg, &l, NULL, 1, NULL, &snap, &errors);
	assert_int_equal(rc, -1);
	assert_int_equal(errors.count, 1);
	assert_non_null(strstr(errors.items[0].message_en,
			       "layer wards, feature 1, attribute Ten: text "
			       "is not valid in the source encoding"));
	cfg_errors_clear(&errors);

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/phuong.%s", dir, ext[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recode_table),
		cmocka_unit_test(test_unknown_encoding),
		cmocka_unit_test(test_mapinfo_cp1258_loads_as_utf8),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	vn2000_thread_cleanup();
	return rc;
}
