/*
 * 8-bit palette PNG. Maps with flat fills usually have few colours and get
 * an exact palette. Images with more colours (imagery, many anti-aliased
 * shades) go through a median-cut quantiser over a 5-5-5-4 bit RGBA
 * histogram.
 */
#include <stdlib.h>
#include <string.h>

#include "tiles/render.h"
#include "tiles/render_internal.h"

#define HASH_SIZE 1024          /* power of two, > 4 * 256 / 3 */
#define HIST_BITS 19            /* 5 bits red, green, blue, 4 bits alpha */
#define HIST_SIZE (1u << HIST_BITS)

/* ---- exact palette ---- */

struct color_hash {
	uint32_t key[HASH_SIZE];   /* RGBA packed, valid when used[] */
	unsigned char used[HASH_SIZE];
	unsigned char index[HASH_SIZE];
	int count;
};

static uint32_t pack_rgba(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/* Slot of `key`, inserting it when absent. Returns -1 when a 257th colour
   would be inserted. */
static int hash_slot(struct color_hash *h, uint32_t key)
{
	uint32_t slot = (key * 2654435761u) & (HASH_SIZE - 1);

	while (h->used[slot]) {
		if (h->key[slot] == key)
			return (int)slot;
		slot = (slot + 1) & (HASH_SIZE - 1);
	}
	if (h->count == 256)
		return -1;
	h->used[slot] = 1;
	h->key[slot] = key;
	h->count++;
	return (int)slot;
}

/* Try an exact palette. Returns 1 when encoded, 0 when the image has more
   than 256 colours, -1 on failure. */
static int png8_exact(const unsigned char *rgba, size_t n, int width,
		      int height, unsigned char **out, size_t *out_size)
{
	struct color_hash *h = calloc(1, sizeof(*h));
	unsigned char *indexes = NULL;
	unsigned char palette[256 * 4];
	int next = 0, rc = -1;

	if (h == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (hash_slot(h, pack_rgba(rgba + 4 * i)) < 0) {
			rc = 0;
			goto done;
		}

	/* Entries that are not opaque first, so tRNS stays short. */
	for (int pass = 0; pass < 2; pass++)
		for (int s = 0; s < HASH_SIZE; s++) {
			bool opaque = (h->key[s] & 0xFF) == 0xFF;

			if (!h->used[s] || opaque != (pass == 1))
				continue;
			h->index[s] = (unsigned char)next;
			for (int c = 0; c < 4; c++)
				palette[4 * next + c] =
					(unsigned char)(h->key[s] >> (24 - 8 * c));
			next++;
		}

	indexes = malloc(n);
	if (indexes == NULL)
		goto done;
	for (size_t i = 0; i < n; i++)
		indexes[i] = h->index[hash_slot(h, pack_rgba(rgba + 4 * i))];
	rc = render_png_encode_indexed(indexes, width, height, palette, next,
				       out, out_size) == 0 ? 1 : -1;
done:
	free(indexes);
	free(h);
	return rc;
}

/* ---- median cut ---- */

struct hist_bin {
	uint32_t key;        /* histogram index */
	uint32_t count;
	unsigned sort;       /* channel value used by the current sort */
};

struct cut_box {
	size_t start, end;   /* bins[start .. end - 1] */
	uint64_t count;
	int channel;         /* widest channel */
	unsigned extent;     /* its range, 8-bit units */
};

/* Channel c (0 red .. 3 alpha) of a histogram key, in 8-bit units. */
static unsigned bin_channel(uint32_t key, int c)
{
	unsigned v;

	if (c == 3)
		return (key & 0xF) * 17;
	v = (key >> (14 - 5 * c)) & 0x1F;
	return (v << 3) | (v >> 2);
}

static uint32_t hist_key(const unsigned char *p)
{
	return ((uint32_t)(p[0] >> 3) << 14) | ((uint32_t)(p[1] >> 3) << 9) |
	       ((uint32_t)(p[2] >> 3) << 4) | (uint32_t)(p[3] >> 4);
}

static void box_measure(struct cut_box *box, const struct hist_bin *bins)
{
	unsigned lo[4] = {255, 255, 255, 255}, hi[4] = {0, 0, 0, 0};

	box->count = 0;
	for (size_t i = box->start; i < box->end; i++) {
		box->count += bins[i].count;
		for (int c = 0; c < 4; c++) {
			unsigned v = bin_channel(bins[i].key, c);

			lo[c] = v < lo[c] ? v : lo[c];
			hi[c] = v > hi[c] ? v : hi[c];
		}
	}
	box->extent = 0;
	box->channel = 0;
	for (int c = 0; c < 4; c++)
		if (hi[c] - lo[c] > box->extent) {
			box->extent = hi[c] - lo[c];
			box->channel = c;
		}
}

static int bin_compare(const void *a, const void *b)
{
	const struct hist_bin *x = a, *y = b;

	if (x->sort != y->sort)
		return x->sort < y->sort ? -1 : 1;
	return (x->key > y->key) - (x->key < y->key);
}

/* Split the box with the widest extent at its weighted median. Returns
   false when no box can be split. */
static bool cut_one(struct cut_box *boxes, int *n_boxes, struct hist_bin *bins)
{
	int best = -1;
	struct cut_box *box;
	uint64_t half, seen = 0;
	size_t split;

	for (int i = 0; i < *n_boxes; i++)
		if (boxes[i].end - boxes[i].start > 1 &&
		    (best < 0 || boxes[i].extent > boxes[best].extent))
			best = i;
	if (best < 0)
		return false;
	box = &boxes[best];
	for (size_t i = box->start; i < box->end; i++)
		bins[i].sort = bin_channel(bins[i].key, box->channel);
	qsort(bins + box->start, box->end - box->start, sizeof(*bins),
	      bin_compare);

	half = box->count / 2;
	split = box->start + 1;
	for (size_t i = box->start; i < box->end - 1; i++) {
		seen += bins[i].count;
		split = i + 1;
		if (seen >= half)
			break;
	}
	boxes[*n_boxes] = (struct cut_box){.start = split, .end = box->end};
	box->end = split;
	box_measure(box, bins);
	box_measure(&boxes[*n_boxes], bins);
	(*n_boxes)++;
	return true;
}

/* Fill `lut` (histogram index to palette index) and the palette. */
static int png8_palette(struct hist_bin *bins, size_t n_bins,
			unsigned char *lut, unsigned char *palette)
{
	struct cut_box boxes[256];
	int n_boxes = 1, next = 0;

	boxes[0] = (struct cut_box){.start = 0, .end = n_bins};
	box_measure(&boxes[0], bins);
	while (n_boxes < 256 && cut_one(boxes, &n_boxes, bins))
		;

	/* Entries that are not opaque first, so tRNS stays short. */
	for (int pass = 0; pass < 2; pass++)
		for (int b = 0; b < n_boxes; b++) {
			uint64_t sum[4] = {0, 0, 0, 0};

			for (size_t i = boxes[b].start; i < boxes[b].end; i++)
				for (int c = 0; c < 4; c++)
					sum[c] += (uint64_t)bins[i].count *
						  bin_channel(bins[i].key, c);
			unsigned alpha = (unsigned)((sum[3] + boxes[b].count / 2) /
						    boxes[b].count);
			if ((alpha == 255) != (pass == 1))
				continue;
			for (int c = 0; c < 4; c++)
				palette[4 * next + c] = (unsigned char)
					((sum[c] + boxes[b].count / 2) /
					 boxes[b].count);
			for (size_t i = boxes[b].start; i < boxes[b].end; i++)
				lut[bins[i].key] = (unsigned char)next;
			next++;
		}
	return next;
}

static int png8_quantize(const unsigned char *rgba, size_t n, int width,
			 int height, unsigned char **out, size_t *out_size)
{
	uint32_t *hist = calloc(HIST_SIZE, sizeof(*hist));
	unsigned char *lut = malloc(HIST_SIZE);
	unsigned char *indexes = malloc(n);
	struct hist_bin *bins = NULL;
	unsigned char palette[256 * 4];
	size_t n_bins = 0;
	int n_colors, rc = -1;

	if (hist == NULL || lut == NULL || indexes == NULL)
		goto done;
	for (size_t i = 0; i < n; i++) {
		uint32_t key = hist_key(rgba + 4 * i);

		if (hist[key] == 0)
			n_bins++;
		if (hist[key] < UINT32_MAX)
			hist[key]++;
	}
	bins = malloc(n_bins * sizeof(*bins));
	if (bins == NULL)
		goto done;
	n_bins = 0;
	for (uint32_t k = 0; k < HIST_SIZE; k++)
		if (hist[k] != 0)
			bins[n_bins++] = (struct hist_bin){.key = k,
							   .count = hist[k]};

	n_colors = png8_palette(bins, n_bins, lut, palette);
	for (size_t i = 0; i < n; i++)
		indexes[i] = lut[hist_key(rgba + 4 * i)];
	rc = render_png_encode_indexed(indexes, width, height, palette,
				       n_colors, out, out_size);
done:
	free(hist);
	free(lut);
	free(indexes);
	free(bins);
	return rc;
}

int render_png8_encode(const unsigned char *rgba, int width, int height,
		       unsigned char **out, size_t *out_size)
{
	size_t n = (size_t)width * (size_t)height;
	int rc;

	if (rgba == NULL || width <= 0 || height <= 0)
		return -1;
	rc = png8_exact(rgba, n, width, height, out, out_size);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	return png8_quantize(rgba, n, width, height, out, out_size);
}
