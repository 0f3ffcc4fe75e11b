/*
 * Text of a layer into UTF-8: which encoding the driver hands strings in,
 * and the conversion with iconv.
 *
 * CP1258 (Windows Vietnamese) writes most tone marks as combining
 * characters after the base letter. glibc's CP1258 converter composes them
 * into precomposed (NFC) characters, and keeps the last base letter in its
 * shift state until it sees what follows, so every string ends with a
 * flush of the converter.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_string.h>

#include "layers/layers_internal.h"

/* Longest string converted, in bytes. */
#define TEXT_MAX_BYTES ((size_t)16 << 20)

struct layer_text {
	bool recode;
	iconv_t cd;
};

/* Encoding names that mean UTF-8, and names iconv does not know. */
static const char *text_canonical(const char *name)
{
	if (name == NULL || strcasecmp(name, "UTF-8") == 0 ||
	    strcasecmp(name, "UTF8") == 0)
		return NULL;
	if (strcasecmp(name, "WindowsVietnamese") == 0 ||
	    strcasecmp(name, "WINDOWS-1258") == 0)
		return "CP1258";
	return name;
}

int layer_text_open(const char *encoding, struct layer_text **out)
{
	struct layer_text *text = calloc(1, sizeof(*text));
	const char *name = text_canonical(encoding);

	*out = NULL;
	if (text == NULL)
		return -1;
	if (name != NULL) {
		text->cd = iconv_open("UTF-8", name);
		if (text->cd == (iconv_t)-1) {
			free(text);
			return -1;
		}
		text->recode = true;
	}
	*out = text;
	return 0;
}

void layer_text_close(struct layer_text *text)
{
	if (text == NULL)
		return;
	if (text->recode)
		iconv_close(text->cd);
	free(text);
}

static char *text_recode(struct layer_text *text, const char *raw,
			 size_t len)
{
	/* Each source byte gives at most 4 UTF-8 bytes. */
	size_t cap = 4 * len + 8;
	char *buf = malloc(cap);
	char *in = (char *)raw, *out = buf;
	size_t in_left = len, out_left = cap - 1;

	if (buf == NULL)
		return NULL;
	iconv(text->cd, NULL, NULL, NULL, NULL);
	if (iconv(text->cd, &in, &in_left, &out, &out_left) == (size_t)-1)
		goto fail;
	/* Flush the letter the converter holds back for tone marks. */
	if (iconv(text->cd, NULL, NULL, &out, &out_left) == (size_t)-1)
		goto fail;
	*out = '\0';
	if (!CPLIsUTF8(buf, -1))
		goto fail;
	return buf;
fail:
	free(buf);
	return NULL;
}

char *layer_text_convert(struct layer_text *text, const char *raw)
{
	size_t len = strlen(raw);

	if (len > TEXT_MAX_BYTES)
		return NULL;
	if (text->recode)
		return text_recode(text, raw, len);
	if (!CPLIsUTF8(raw, (int)len))
		return NULL;
	return strdup(raw);
}

/*
 * The charset a MapInfo .TAB declares ("!charset WindowsVietnamese"), mapped
 * to an iconv name, or NULL when the file declares none that needs us.
 */
static const char *text_mapinfo_charset(const char *path, char *found,
					size_t found_size)
{
	FILE *f;
	char line[256];
	const char *result = NULL;
	int lines = 0;
	size_t n = strlen(path);

	found[0] = '\0';
	if (n < 4 || strcasecmp(path + n - 4, ".tab") != 0)
		return NULL;
	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	while (lines++ < 64 && fgets(line, sizeof(line), f) != NULL) {
		char name[64];
		if (sscanf(line, " !charset %63s", name) != 1)
			continue;
		snprintf(found, found_size, "%s", name);
		if (strcasecmp(name, "WindowsVietnamese") == 0)
			result = "CP1258";
		break;
	}
	fclose(f);
	return result;
}

const char *layer_text_source_encoding(GDALDatasetH ds, OGRLayerH layer,
				       const char *path, const char *declared,
				       char *note, size_t note_size)
{
	const char *driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
	bool utf8 = OGR_L_TestCapability(layer, OLCStringsAsUTF8);
	char charset[64];

	note[0] = '\0';
	if (declared != NULL && !utf8)
		return text_canonical(declared);
	if (declared != NULL) {
		snprintf(note, note_size, "declared encoding %s not applied: "
			 "the %s driver returns UTF-8", declared, driver);
		return NULL;
	}
	if (utf8)
		return NULL;

	if (strcmp(driver, "MapInfo File") == 0) {
		const char *enc = text_mapinfo_charset(path, charset,
						       sizeof(charset));
		if (enc != NULL) {
			snprintf(note, note_size, "MapInfo charset %s read "
				 "as %s", charset, enc);
			return enc;
		}
	}
	if (strcmp(driver, "ESRI Shapefile") == 0) {
		/* An OGR layer is a GDAL major object. */
		const char *enc = GDALGetMetadataItem(
			(GDALMajorObjectH)layer, "SOURCE_ENCODING",
			"SHAPEFILE");
		if (enc != NULL && enc[0] != '\0') {
			snprintf(note, note_size, "DBF encoding %s", enc);
			return text_canonical(enc);
		}
	}
	snprintf(note, note_size, "%s driver declares no encoding: text "
		 "must be UTF-8", driver);
	return NULL;
}
