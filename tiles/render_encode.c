/*
 * Encoding canvases: PNG through libpng, 8-bit palette PNG, and JPEG
 * through GDAL's JPEG driver. Format names as WMS and WMTS clients send
 * them.
 */
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <png.h>
#include <gdal.h>
#include <cpl_vsi.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

/* Largest encoded image accepted, in bytes. A PNG is never much larger
   than its raw pixels; this only bounds a runaway buffer. */
#define ENCODE_MAX_BYTES ((size_t)1 << 31)

struct mem_writer {
	unsigned char *data;
	size_t len;
	size_t cap;
	bool failed;
};

static void mem_write(png_structp png, png_bytep bytes, png_size_t n)
{
	struct mem_writer *w = png_get_io_ptr(png);

	if (w->failed)
		return;
	if (n > ENCODE_MAX_BYTES - w->len) {
		w->failed = true;
		return;
	}
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 8192;
		unsigned char *data;

		while (cap < w->len + n)
			cap *= 2;
		data = realloc(w->data, cap);
		if (data == NULL) {
			w->failed = true;
			return;
		}
		w->data = data;
		w->cap = cap;
	}
	memcpy(w->data + w->len, bytes, n);
	w->len += n;
}

static void mem_flush(png_structp png)
{
	(void)png;
}

/* Parameters of one PNG image. */
struct png_params {
	int width;
	int height;
	int color_type;          /* PNG_COLOR_TYPE_* */
	int filters;             /* PNG_FILTER_* mask */
	int level;               /* zlib level */
	const png_color *palette;
	int n_palette;
	const png_byte *trans;   /* alpha of the first n_trans palette entries */
	int n_trans;
};

/* The canvas that this thread is encoding, or NULL. render_canvas_encode
   sets it around the encoder it calls, so that the shared encoders below
   need no parameter for its deadline. */
static _Thread_local struct render_canvas *encoding;

static bool encode_past_deadline(void)
{
	return encoding != NULL && render_deadline_passed(encoding);
}

/* libpng calls this after each row: stop (longjmp) once the deadline has
   passed, reading the clock every 64 rows. */
static void png_row_written(png_structp png, png_uint_32 row, int pass)
{
	(void)pass;
	if (row % 64 == 0 && encode_past_deadline())
		png_error(png, "request_timeout passed while encoding");
}

/* GDAL progress callback of the JPEG encoder. */
static int CPL_STDCALL jpeg_progress(double done, const char *message,
				     void *arg)
{
	(void)done;
	(void)message;
	(void)arg;
	return !encode_past_deadline();
}

/* Every libpng call that may longjmp, in a function of its own so that
   no local changes between setjmp and a longjmp. */
static int png_write_all(png_structp png, png_infop info, png_bytep *rows,
			 const struct png_params *pp, struct mem_writer *w)
{
	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_set_write_fn(png, w, mem_write, mem_flush);
	png_set_IHDR(png, info, (png_uint_32)pp->width,
		     (png_uint_32)pp->height, 8, pp->color_type,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	if (pp->palette != NULL)
		png_set_PLTE(png, info, pp->palette, pp->n_palette);
	if (pp->trans != NULL && pp->n_trans > 0)
		png_set_tRNS(png, info, pp->trans, pp->n_trans, NULL);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, pp->filters);
	png_set_compression_level(png, pp->level);
	png_set_write_status_fn(png, png_row_written);
	png_write_info(png, info);
	png_write_image(png, rows);
	png_write_end(png, info);
	return 0;
}

/* Encode `rows` (one pointer per row) into a malloc'ed buffer. */
static int png_encode_rows(png_bytep *rows, const struct png_params *pp,
			   unsigned char **out, size_t *out_size)
{
	struct mem_writer w = {0};
	png_structp png;
	png_infop info = NULL;
	int rc = -1;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png == NULL)
		return -1;
	info = png_create_info_struct(png);
	if (info == NULL)
		goto done;
	if (png_write_all(png, info, rows, pp, &w) != 0 || w.failed)
		goto done;
	*out = w.data;
	*out_size = w.len;
	w.data = NULL;
	rc = 0;
done:
	png_destroy_write_struct(&png, &info);
	free(w.data);
	return rc;
}

int render_png_encode_rgba(const unsigned char *rgba, int width, int height,
			   size_t stride, bool rgb, int filters, int level,
			   unsigned char **out, size_t *out_size)
{
	struct png_params pp = {
		.width = width, .height = height,
		.color_type = rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA,
		.filters = filters, .level = level,
	};
	png_bytep *rows;
	unsigned char *packed = NULL;
	int rc = -1;

	rows = malloc((size_t)height * sizeof(*rows));
	if (rows == NULL)
		return -1;

	/* RGB output: pack each row to 3 bytes per pixel. */
	if (rgb) {
		packed = malloc((size_t)width * 3 * (size_t)height);
		if (packed == NULL)
			goto done;
		for (int y = 0; y < height; y++) {
			const unsigned char *src = rgba + (size_t)y * stride;
			unsigned char *dst = packed + (size_t)y * width * 3;

			for (int x = 0; x < width; x++)
				memcpy(dst + 3 * x, src + 4 * x, 3);
			rows[y] = dst;
		}
	} else {
		for (int y = 0; y < height; y++)
			rows[y] = (png_bytep)(rgba + (size_t)y * stride);
	}
	rc = png_encode_rows(rows, &pp, out, out_size);
done:
	free(rows);
	free(packed);
	return rc;
}

int render_png_encode_indexed(const unsigned char *indexes, int width,
			      int height, const unsigned char *palette_rgba,
			      int n_colors, unsigned char **out,
			      size_t *out_size)
{
	png_color palette[256];
	png_byte trans[256];
	struct png_params pp = {
		.width = width, .height = height,
		.color_type = PNG_COLOR_TYPE_PALETTE,
		/* The PNG specification recommends no filter for palette images. */
		.filters = PNG_FILTER_NONE, .level = RENDER_PNG_LEVEL,
		.palette = palette, .n_palette = n_colors, .trans = trans,
	};
	png_bytep *rows;
	int rc;

	if (n_colors < 1 || n_colors > 256)
		return -1;
	for (int i = 0; i < n_colors; i++) {
		palette[i].red = palette_rgba[4 * i];
		palette[i].green = palette_rgba[4 * i + 1];
		palette[i].blue = palette_rgba[4 * i + 2];
		trans[i] = palette_rgba[4 * i + 3];
		/* tRNS stops after the last entry that is not opaque. */
		if (trans[i] != 255)
			pp.n_trans = i + 1;
	}
	rows = malloc((size_t)height * sizeof(*rows));
	if (rows == NULL)
		return -1;
	for (int y = 0; y < height; y++)
		rows[y] = (png_bytep)(indexes + (size_t)y * width);
	rc = png_encode_rows(rows, &pp, out, out_size);
	free(rows);
	return rc;
}

unsigned char *render_surface_to_rgba(cairo_surface_t *surface, bool *opaque)
{
	int width = cairo_image_surface_get_width(surface);
	int height = cairo_image_surface_get_height(surface);
	int stride = cairo_image_surface_get_stride(surface);
	const unsigned char *data;
	unsigned char *rgba;
	bool all_opaque = true;

	cairo_surface_flush(surface);
	data = cairo_image_surface_get_data(surface);
	if (data == NULL || width <= 0 || height <= 0)
		return NULL;
	rgba = malloc((size_t)width * 4 * (size_t)height);
	if (rgba == NULL)
		return NULL;

	/* Cairo stores premultiplied 0xAARRGGBB words in native byte order. */
	for (int y = 0; y < height; y++) {
		const uint32_t *src = (const uint32_t *)(data + (size_t)y * stride);
		unsigned char *dst = rgba + (size_t)y * width * 4;

		if (y % 64 == 0 && encode_past_deadline()) {
			free(rgba);
			return NULL;
		}

		for (int x = 0; x < width; x++) {
			uint32_t px = src[x];
			unsigned a = px >> 24;
			unsigned r = (px >> 16) & 0xFF;
			unsigned g = (px >> 8) & 0xFF;
			unsigned b = px & 0xFF;

			if (a != 255) {
				all_opaque = false;
				if (a == 0) {
					r = g = b = 0;
				} else {
					r = (r * 255 + a / 2) / a;
					g = (g * 255 + a / 2) / a;
					b = (b * 255 + a / 2) / a;
				}
			}
			dst[4 * x] = (unsigned char)r;
			dst[4 * x + 1] = (unsigned char)g;
			dst[4 * x + 2] = (unsigned char)b;
			dst[4 * x + 3] = (unsigned char)a;
		}
	}
	if (opaque != NULL)
		*opaque = all_opaque;
	return rgba;
}

int render_surface_png(cairo_surface_t *surface, unsigned char **out,
		       size_t *out_size)
{
	int width = cairo_image_surface_get_width(surface);
	int height = cairo_image_surface_get_height(surface);
	bool opaque = false;
	unsigned char *rgba = render_surface_to_rgba(surface, &opaque);
	int rc;

	if (rgba == NULL)
		return -1;
	rc = render_png_encode_rgba(rgba, width, height, (size_t)width * 4,
				    opaque, RENDER_PNG_FILTERS,
				    RENDER_PNG_LEVEL, out, out_size);
	free(rgba);
	return rc;
}

/* ---- JPEG ---- */

/* Copy the canvas into a 3-band MEM dataset, composited over white where
   the canvas is transparent (JPEG has no alpha). */
static GDALDatasetH jpeg_source(const unsigned char *rgba, int width,
				int height)
{
	GDALDriverH mem = GDALGetDriverByName("MEM");
	GDALDatasetH ds;
	unsigned char *rgb;
	size_t n = (size_t)width * (size_t)height;
	CPLErr err;

	if (mem == NULL)
		return NULL;
	rgb = malloc(n * 3);
	if (rgb == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned a = rgba[4 * i + 3];

		for (int c = 0; c < 3; c++)
			rgb[3 * i + c] = (unsigned char)((rgba[4 * i + c] * a +
							  255 * (255 - a) +
							  127) / 255);
	}
	ds = GDALCreate(mem, "", width, height, 3, GDT_Byte, NULL);
	if (ds == NULL) {
		free(rgb);
		return NULL;
	}
	err = GDALDatasetRasterIO(ds, GF_Write, 0, 0, width, height, rgb,
				  width, height, GDT_Byte, 3, NULL, 3,
				  (GSpacing)width * 3, 1);
	free(rgb);
	if (err != CE_None) {
		GDALClose(ds);
		return NULL;
	}
	return ds;
}

static int encode_jpeg(cairo_surface_t *surface, unsigned char **out,
		       size_t *out_size)
{
	static atomic_ulong counter;
	int width = cairo_image_surface_get_width(surface);
	int height = cairo_image_surface_get_height(surface);
	char name[64];
	char *options[] = {"QUALITY=85", NULL};
	unsigned char *rgba = NULL, *buf = NULL;
	vsi_l_offset len = 0;
	GDALDatasetH src = NULL, dst = NULL;
	GDALDriverH jpeg;
	int rc = -1;

	render_gdal_init();
	jpeg = GDALGetDriverByName("JPEG");
	rgba = render_surface_to_rgba(surface, NULL);
	if (jpeg == NULL || rgba == NULL)
		goto done;
	src = jpeg_source(rgba, width, height);
	if (src == NULL)
		goto done;

	/* A name per call: /vsimem/ is shared by every thread. */
	snprintf(name, sizeof(name), "/vsimem/vnsdi-render-%lu.jpg",
		 (unsigned long)atomic_fetch_add(&counter, 1));
	dst = GDALCreateCopy(jpeg, name, src, FALSE, options, jpeg_progress,
			     NULL);
	if (dst == NULL)
		goto unlink;
	GDALClose(dst);
	buf = VSIGetMemFileBuffer(name, &len, FALSE);
	if (buf == NULL || len == 0)
		goto unlink;
	*out = malloc((size_t)len);
	if (*out == NULL)
		goto unlink;
	memcpy(*out, buf, (size_t)len);
	*out_size = (size_t)len;
	rc = 0;
unlink:
	VSIUnlink(name);
done:
	if (src != NULL)
		GDALClose(src);
	free(rgba);
	return rc;
}

int render_canvas_encode(struct render_canvas *canvas,
			 enum render_format format,
			 unsigned char **out, size_t *out_size)
{
	unsigned char *rgba;
	int rc;

	if (canvas == NULL || out == NULL || out_size == NULL)
		return -1;
	*out = NULL;
	*out_size = 0;
	if (cairo_status(canvas->cr) != CAIRO_STATUS_SUCCESS ||
	    render_deadline_passed(canvas))
		return -1;

	encoding = canvas;
	switch (format) {
	case RENDER_PNG:
		rc = render_surface_png(canvas->surface, out, out_size);
		break;
	case RENDER_PNG8:
		rgba = render_surface_to_rgba(canvas->surface, NULL);
		rc = rgba == NULL ? -1 :
		     render_png8_encode(rgba, canvas->req.width,
					canvas->req.height, out, out_size);
		free(rgba);
		break;
	case RENDER_JPEG:
		rc = encode_jpeg(canvas->surface, out, out_size);
		break;
	default:
		rc = -1;
	}
	encoding = NULL;
	return rc;
}

/* ---- formats ---- */

static bool span_equals(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * Accepted: "image/png", "image/png8", "image/jpeg", and "image/png" with
 * one parameter "mode=8bit" (8-bit palette) or "mode=24bit"/"mode=32bit"
 * (full colour), as GeoServer and MapServer clients send them. Case and
 * spaces around ';' and '=' do not matter.
 */
int render_format_parse(const char *mime, enum render_format *format)
{
	const char *p, *semi, *eq, *end;
	size_t type_len;

	if (mime == NULL || format == NULL)
		return -1;
	p = skip_space(mime);
	semi = strchr(p, ';');
	end = semi != NULL ? semi : p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	type_len = (size_t)(end - p);

	if (semi == NULL) {
		if (span_equals(p, type_len, "image/png"))
			*format = RENDER_PNG;
		else if (span_equals(p, type_len, "image/png8"))
			*format = RENDER_PNG8;
		else if (span_equals(p, type_len, "image/jpeg"))
			*format = RENDER_JPEG;
		else
			return -1;
		return 0;
	}
	if (!span_equals(p, type_len, "image/png"))
		return -1;

	/* One parameter: mode = 8bit | 24bit | 32bit. */
	p = skip_space(semi + 1);
	eq = strchr(p, '=');
	if (eq == NULL)
		return -1;
	end = eq;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (!span_equals(p, (size_t)(end - p), "mode"))
		return -1;
	p = skip_space(eq + 1);
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (span_equals(p, (size_t)(end - p), "8bit"))
		*format = RENDER_PNG8;
	else if (span_equals(p, (size_t)(end - p), "24bit") ||
		 span_equals(p, (size_t)(end - p), "32bit"))
		*format = RENDER_PNG;
	else
		return -1;
	return 0;
}

const char *render_format_mime(enum render_format format)
{
	switch (format) {
	case RENDER_PNG:
		return "image/png";
	case RENDER_PNG8:
		return "image/png; mode=8bit";
	case RENDER_JPEG:
		return "image/jpeg";
	}
	return "application/octet-stream";
}
