/*
 * Static packed R-tree: items sorted along a Hilbert curve of their box
 * centres, then grouped 16 per node, level by level up to one root. It is
 * built once and never changed, so readers need no lock.
 *
 * Layout: positions 0 .. n_items - 1 are the leaves in Hilbert order, each
 * level of nodes follows the one below it, and the root is the last
 * position. A leaf's ref is the caller's id; a node's ref is the position
 * of its first child.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers_internal.h"

#define INDEX_NODE_SIZE 16
#define INDEX_MAX_LEVELS 32
#define HILBERT_SIDE 65536u

struct layer_index {
	size_t n_items;
	size_t n_levels;
	size_t level_end[INDEX_MAX_LEVELS]; /* exclusive end of each level */
	double (*boxes)[4];
	size_t *refs;
};

struct hilbert_item {
	uint32_t key;
	size_t pos;
};

/* Distance along the Hilbert curve of a cell of a 65536 x 65536 grid. */
static uint32_t hilbert_key(uint32_t x, uint32_t y)
{
	uint32_t d = 0;

	for (uint32_t s = HILBERT_SIDE / 2; s > 0; s /= 2) {
		uint32_t rx = (x & s) != 0, ry = (y & s) != 0;
		d += s * s * ((3 * rx) ^ ry);
		if (ry == 0) {
			if (rx == 1) {
				x = HILBERT_SIDE - 1 - x;
				y = HILBERT_SIDE - 1 - y;
			}
			uint32_t t = x;
			x = y;
			y = t;
		}
	}
	return d;
}

static int hilbert_compare(const void *a, const void *b)
{
	const struct hilbert_item *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Scale a coordinate of the extent [lo, hi] to a grid cell. */
static uint32_t grid_cell(double v, double lo, double hi)
{
	double t = hi > lo ? (v - lo) / (hi - lo) : 0.0;
	double cell = floor(t * (HILBERT_SIDE - 1));

	if (!(cell >= 0.0))
		return 0;
	if (cell > HILBERT_SIDE - 1)
		return HILBERT_SIDE - 1;
	return (uint32_t)cell;
}

/* Sort the items and store them as the leaves. */
static int index_fill_leaves(struct layer_index *ix,
			     const double (*boxes)[4], const size_t *ids,
			     size_t n)
{
	struct hilbert_item *items = malloc(n * sizeof(*items));
	double ext[4];
	bool empty = true;

	if (items == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		geom_box_union(ext, &empty, boxes[i]);
	for (size_t i = 0; i < n; i++) {
		double cx = (boxes[i][0] + boxes[i][2]) / 2;
		double cy = (boxes[i][1] + boxes[i][3]) / 2;
		items[i].key = hilbert_key(grid_cell(cx, ext[0], ext[2]),
					   grid_cell(cy, ext[1], ext[3]));
		items[i].pos = i;
	}
	qsort(items, n, sizeof(*items), hilbert_compare);
	for (size_t i = 0; i < n; i++) {
		memcpy(ix->boxes[i], boxes[items[i].pos], sizeof(ix->boxes[i]));
		ix->refs[i] = ids[items[i].pos];
	}
	free(items);
	return 0;
}

/* Build the levels of nodes above the leaves, up to one root. */
static void index_fill_nodes(struct layer_index *ix)
{
	size_t start = 0, count = ix->n_items, next = ix->n_items;

	ix->level_end[0] = ix->n_items;
	ix->n_levels = 1;
	do {
		size_t parents = (count + INDEX_NODE_SIZE - 1) /
				 INDEX_NODE_SIZE;
		for (size_t p = 0; p < parents; p++) {
			size_t first = start + p * INDEX_NODE_SIZE;
			size_t end = first + INDEX_NODE_SIZE;
			bool empty = true;
			if (end > start + count)
				end = start + count;
			for (size_t c = first; c < end; c++)
				geom_box_union(ix->boxes[next], &empty,
					       ix->boxes[c]);
			ix->refs[next++] = first;
		}
		start += count;
		count = parents;
		ix->level_end[ix->n_levels++] = next;
	} while (count > 1);
}

struct layer_index *layer_index_build(const double (*boxes)[4],
				      const size_t *ids, size_t n)
{
	struct layer_index *ix = calloc(1, sizeof(*ix));
	size_t total = n, count = n, levels = 1;

	if (ix == NULL)
		return NULL;
	ix->n_items = n;
	if (n == 0)
		return ix;

	do {
		count = (count + INDEX_NODE_SIZE - 1) / INDEX_NODE_SIZE;
		total += count;
		levels++;
	} while (count > 1);
	if (levels > INDEX_MAX_LEVELS)
		goto fail;

	ix->boxes = malloc(total * sizeof(*ix->boxes));
	ix->refs = malloc(total * sizeof(*ix->refs));
	if (ix->boxes == NULL || ix->refs == NULL)
		goto fail;
	if (index_fill_leaves(ix, boxes, ids, n) != 0)
		goto fail;
	index_fill_nodes(ix);
	return ix;
fail:
	layer_index_free(ix);
	return NULL;
}

void layer_index_free(struct layer_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->boxes);
	free(ix->refs);
	free(ix);
}

size_t layer_index_size(const struct layer_index *ix)
{
	return ix == NULL ? 0 : ix->n_items;
}

int layer_index_search(const struct layer_index *ix, const double box[4],
		       int (*visit)(size_t id, void *arg), void *arg)
{
	/* Depth-first: at most 16 pending children per level. */
	size_t stack_pos[INDEX_NODE_SIZE * INDEX_MAX_LEVELS];
	size_t stack_level[INDEX_NODE_SIZE * INDEX_MAX_LEVELS];
	size_t top = 0;

	if (ix == NULL || ix->n_items == 0)
		return 0;
	stack_pos[top] = ix->level_end[ix->n_levels - 1] - 1;
	stack_level[top++] = ix->n_levels - 1;

	while (top > 0) {
		top--;
		size_t pos = stack_pos[top], level = stack_level[top];
		size_t first = ix->refs[pos];
		size_t end = first + INDEX_NODE_SIZE;

		if (end > ix->level_end[level - 1])
			end = ix->level_end[level - 1];
		for (size_t c = first; c < end; c++) {
			if (!geom_box_intersects(ix->boxes[c], box))
				continue;
			if (level == 1) {
				int rc = visit(ix->refs[c], arg);
				if (rc != 0)
					return rc;
			} else {
				stack_pos[top] = c;
				stack_level[top++] = level - 1;
			}
		}
	}
	return 0;
}
