/*
 * The INIMAGE exception: the error message drawn with Cairo into an image
 * of the requested size, background and format.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>

#include "server/wms.h"

#define FONT_FAMILY "DejaVu Sans"
#define FONT_SIZE 12.0
#define MARGIN 6.0

/* Draw `line` at the baseline `y` when it fits in the image. */
static void show_line(cairo_t *cr, const char *line, double y, int height)
{
	if (*line == '\0' || y > height)
		return;
	cairo_move_to(cr, MARGIN, y);
	cairo_show_text(cr, line);
}

/* Draw the message in dark red, in words wrapped to the image width. */
static void draw_message(cairo_t *cr, int width, int height,
			 const char *message)
{
	const double max_width = width - 2.0 * MARGIN;
	char text[sizeof(((struct req_error *)0)->message)];
	size_t line_start = 0;
	size_t line_end = 0;   /* end of the words that fit so far */
	size_t pos = 0;
	double y = MARGIN + FONT_SIZE;

	snprintf(text, sizeof(text), "%s", message);
	cairo_select_font_face(cr, FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, FONT_SIZE);
	cairo_set_source_rgb(cr, 0.6, 0.0, 0.0);

	/* Words are split at ASCII spaces only, so a line never ends inside
	   a UTF-8 sequence. */
	while (text[pos] != '\0') {
		size_t word_end = pos + strcspn(text + pos, " ");
		char saved = text[word_end];
		cairo_text_extents_t ext;

		text[word_end] = '\0';
		cairo_text_extents(cr, text + line_start, &ext);
		if (line_end > line_start && ext.x_advance > max_width) {
			text[line_end] = '\0';
			show_line(cr, text + line_start, y, height);
			y += FONT_SIZE * 1.3;
			line_start = pos;
		}
		text[word_end] = saved;
		line_end = word_end;
		pos = word_end;
		while (text[pos] == ' ')
			pos++;
	}
	text[line_end] = '\0';
	show_line(cr, text + line_start, y, height);
}

static cairo_status_t png_write(void *closure, const unsigned char *data,
				unsigned int length)
{
	struct strbuf *sb = closure;

	return strbuf_append(sb, (const char *)data, length) == 0
		       ? CAIRO_STATUS_SUCCESS
		       : CAIRO_STATUS_WRITE_ERROR;
}

static int encode_png(cairo_surface_t *surface, unsigned char **out,
		      size_t *out_size)
{
	struct strbuf sb;
	int rc = -1;

	/* An image of at most MaxWidth x MaxHeight compresses far below this;
	   the cap only bounds a pathological case. */
	strbuf_init(&sb, 256u * 1024u * 1024u);
	if (cairo_surface_write_to_png_stream(surface, png_write, &sb) ==
		    CAIRO_STATUS_SUCCESS && !sb.overflow) {
		*out = (unsigned char *)strbuf_take(&sb, out_size);
		rc = *out != NULL ? 0 : -1;
	}
	strbuf_free(&sb);
	return rc;
}

/* JPEG through GDAL's JPEG driver: the opaque Cairo pixels become three
   bands of a MEM data set copied into a /vsimem/ file. */
static int encode_jpeg(cairo_surface_t *surface, unsigned char **out,
		       size_t *out_size)
{
	static atomic_ulong counter;
	int width = cairo_image_surface_get_width(surface);
	int height = cairo_image_surface_get_height(surface);
	int stride = cairo_image_surface_get_stride(surface);
	const unsigned char *pixels;
	GDALDriverH mem = GDALGetDriverByName("MEM");
	GDALDriverH jpeg = GDALGetDriverByName("JPEG");
	GDALDatasetH src = NULL;
	GDALDatasetH dst = NULL;
	unsigned char *band = NULL;
	char path[64] = "";
	vsi_l_offset length = 0;
	GByte *data;
	int rc = -1;

	if (mem == NULL || jpeg == NULL)
		return -1;
	cairo_surface_flush(surface);
	pixels = cairo_image_surface_get_data(surface);
	src = GDALCreate(mem, "", width, height, 3, GDT_Byte, NULL);
	band = malloc((size_t)width * (size_t)height);
	if (src == NULL || band == NULL)
		goto cleanup;

	/* CAIRO_FORMAT_RGB24 keeps each pixel as a native-endian uint32
	   0x00RRGGBB. */
	for (int b = 0; b < 3; b++) {
		int shift = 16 - 8 * b;

		for (int y = 0; y < height; y++) {
			const uint32_t *row =
				(const uint32_t *)(pixels + (size_t)y * stride);

			for (int x = 0; x < width; x++)
				band[(size_t)y * width + x] =
					(unsigned char)(row[x] >> shift);
		}
		if (GDALRasterIO(GDALGetRasterBand(src, b + 1), GF_Write, 0, 0,
				 width, height, band, width, height, GDT_Byte,
				 0, 0) != CE_None)
			goto cleanup;
	}

	snprintf(path, sizeof(path), "/vsimem/wms_inimage_%lu.jpg",
		 (unsigned long)atomic_fetch_add(&counter, 1));
	dst = GDALCreateCopy(jpeg, path, src, FALSE, NULL, NULL, NULL);
	if (dst == NULL)
		goto cleanup;
	GDALClose(dst);
	data = VSIGetMemFileBuffer(path, &length, TRUE);
	if (data != NULL) {
		*out = malloc((size_t)length);
		if (*out != NULL) {
			memcpy(*out, data, (size_t)length);
			*out_size = (size_t)length;
			rc = 0;
		}
		CPLFree(data);
	}

cleanup:
	if (path[0] != '\0')
		VSIUnlink(path);
	free(band);
	if (src != NULL)
		GDALClose(src);
	return rc;
}

int wms_inimage_encode(const struct wms_request *wr, const char *message,
		       unsigned char **out, size_t *out_size)
{
	bool jpeg = wr->format == RENDER_JPEG;
	bool transparent = wr->transparent && !jpeg;
	cairo_surface_t *surface;
	cairo_t *cr;
	int rc = -1;

	surface = cairo_image_surface_create(
		transparent ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
		wr->width, wr->height);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
		goto cleanup;
	cr = cairo_create(surface);
	if (transparent) {
		cairo_set_source_rgba(cr, 0, 0, 0, 0);
	} else {
		cairo_set_source_rgb(cr, ((wr->bgcolor >> 16) & 0xFF) / 255.0,
				     ((wr->bgcolor >> 8) & 0xFF) / 255.0,
				     (wr->bgcolor & 0xFF) / 255.0);
	}
	cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
	cairo_paint(cr);
	cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
	draw_message(cr, wr->width, wr->height, message);
	cairo_destroy(cr);

	/* PNG8 is sent as full-colour PNG, which is still image/png. */
	rc = jpeg ? encode_jpeg(surface, out, out_size)
		  : encode_png(surface, out, out_size);

cleanup:
	cairo_surface_destroy(surface);
	return rc;
}
