/*
 * Changes between two versions of a layer, by parcel key: each feature is
 * reduced to its key, a hash of its geometry (WKB) and of every field
 * (by field name, so a new column order changes nothing), and its box.
 * The two sorted lists are then merged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "layers/layers_internal.h"
#include "layers/publish.h"

/* Maximum number of features compared per version. */
#define DIFF_MAX_FEATURES ((size_t)20000000)

struct diff_item {
	char *key;
	uint64_t hash[2];
	int64_t fid;
	double box[4];         /* CRS84 */
	bool has_box;
	size_t order;
};

struct diff_side {
	struct diff_item *items;
	size_t n, cap;
};

static void hash_bytes(uint64_t h[2], const void *data, size_t size)
{
	const unsigned char *p = data;

	/* Two FNV-1a streams with different offsets: 128 bits in all. */
	for (size_t i = 0; i < size; i++) {
		h[0] = (h[0] ^ p[i]) * 0x100000001b3ULL;
		h[1] = (h[1] ^ p[i]) * 0x100000001b3ULL;
	}
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Field indexes ordered by field name. */
static int *fields_by_name(OGRFeatureDefnH defn, int *count)
{
	int n = OGR_FD_GetFieldCount(defn);
	const char **names = calloc((size_t)n + 1, sizeof(*names));
	int *order = calloc((size_t)n + 1, sizeof(*order));

	*count = 0;
	if (names == NULL || order == NULL) {
		free(names);
		free(order);
		return NULL;
	}
	for (int i = 0; i < n; i++)
		names[i] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
	qsort(names, (size_t)n, sizeof(*names), compare_names);
	for (int i = 0; i < n; i++)
		order[i] = OGR_FD_GetFieldIndex(defn, names[i]);
	free(names);
	*count = n;
	return order;
}

static void hash_feature(OGRFeatureH f, const int *order, int n,
			 uint64_t h[2])
{
	OGRGeometryH g = OGR_F_GetGeometryRef(f);

	h[0] = 0xcbf29ce484222325ULL;
	h[1] = 0x84222325cbf29ce4ULL;
	if (g != NULL) {
		size_t size = (size_t)OGR_G_WkbSize(g);
		unsigned char *wkb = malloc(size ? size : 1);

		if (wkb != NULL && OGR_G_ExportToWkb(g, wkbNDR, wkb) ==
		    OGRERR_NONE)
			hash_bytes(h, wkb, size);
		free(wkb);
	}
	for (int i = 0; i < n; i++) {
		const char *v = OGR_F_IsFieldSetAndNotNull(f, order[i]) ?
				OGR_F_GetFieldAsString(f, order[i]) : "\x01";
		hash_bytes(h, v, strlen(v) + 1);
	}
}

/* "sheet/number" from the key fields, or "id:N". */
static char *feature_key(const struct cfg_layer *layer, OGRFeatureH f,
			 OGRFeatureDefnH defn, int64_t fid)
{
	char key[256];
	size_t used = 0;

	for (size_t i = 0; i < layer->publish.n_key; i++) {
		int field = OGR_FD_GetFieldIndex(defn, layer->publish.key[i]);
		int n;

		if (field < 0 || !OGR_F_IsFieldSetAndNotNull(f, field))
			goto by_id;
		n = snprintf(key + used, sizeof(key) - used, "%s%s",
			     i ? "/" : "", OGR_F_GetFieldAsString(f, field));
		if (n < 0 || (size_t)n >= sizeof(key) - used)
			goto by_id;
		used += (size_t)n;
	}
	if (used > 0)
		return strdup(key);
by_id:
	snprintf(key, sizeof(key), "id:%lld", (long long)fid);
	return strdup(key);
}

static int side_add(struct diff_side *s, struct diff_item *item)
{
	if (s->n == DIFF_MAX_FEATURES)
		return -1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		void *grown = realloc(s->items, cap * sizeof(*item));

		if (grown == NULL)
			return -1;
		s->items = grown;
		s->cap = cap;
	}
	item->order = s->n;
	s->items[s->n++] = *item;
	return 0;
}

static void feature_box(OGRFeatureH f, struct vn2000_transform *tr,
			struct diff_item *item)
{
	OGRGeometryH g = OGR_F_GetGeometryRef(f);
	OGREnvelope env;
	double box[4];

	if (g == NULL || OGR_G_IsEmpty(g))
		return;
	OGR_G_GetEnvelope(g, &env);
	box[0] = env.MinX;
	box[1] = env.MinY;
	box[2] = env.MaxX;
	box[3] = env.MaxY;
	if (tr == NULL) {
		memcpy(item->box, box, sizeof(box));
		item->has_box = true;
		return;
	}
	item->has_box = vn2000_transform_bbox(tr, box, item->box, 5) == 0;
}

static int side_read(const struct cfg_layer *layer, const char *path,
		     struct diff_side *s, char *error, size_t error_size)
{
	OGRLayerH ogr;
	GDALDatasetH ds;
	OGRFeatureH f;
	const struct vn2000_crs *crs;
	struct vn2000_transform *tr = NULL;
	char note[512];
	int *order, n_fields, id_field, rc = 0;

	ds = layer_vector_open(path, layer->source_layer, NULL, true, &ogr,
			       error, error_size);
	if (ds == NULL)
		return -1;
	crs = layer_crs_choose(ds, ogr, layer->crs, note, sizeof(note), error,
			       error_size);
	if (crs != NULL && !(crs->geographic &&
			     crs->datum == VN2000_DATUM_WGS84))
		tr = vn2000_transform_get(crs, vn2000_crs_find("CRS:84"));
	order = fields_by_name(OGR_L_GetLayerDefn(ogr), &n_fields);
	id_field = layer->id_attribute == NULL ? -1 :
		   OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(ogr),
					layer->id_attribute);
	while (rc == 0 && order != NULL &&
	       (f = OGR_L_GetNextFeature(ogr)) != NULL) {
		struct diff_item item = {0};

		item.fid = id_field >= 0 ? OGR_F_GetFieldAsInteger64(f, id_field)
					 : OGR_F_GetFID(f);
		item.key = feature_key(layer, f, OGR_L_GetLayerDefn(ogr),
				       item.fid);
		hash_feature(f, order, n_fields, item.hash);
		feature_box(f, tr, &item);
		OGR_F_Destroy(f);
		if (item.key == NULL || side_add(s, &item) != 0) {
			free(item.key);
			snprintf(error, error_size, "out of memory");
			rc = -1;
		}
	}
	free(order);
	GDALClose(ds);
	return rc;
}

static int item_compare(const void *a, const void *b)
{
	const struct diff_item *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->order > y->order) - (x->order < y->order);
}

static int entry_add(struct diff_entry **list, size_t *n, const char *key,
		     int64_t fid_old, int64_t fid_new)
{
	struct diff_entry *grown = realloc(*list, (*n + 1) * sizeof(**list));

	if (grown == NULL)
		return -1;
	*list = grown;
	grown[*n].key = strdup(key);
	grown[*n].fid_old = fid_old;
	grown[*n].fid_new = fid_new;
	if (grown[*n].key == NULL)
		return -1;
	(*n)++;
	return 0;
}

static void box_add(struct diff_result *out, const struct diff_item *item)
{
	double (*grown)[4];
	bool empty = !out->has_extent;

	if (!item->has_box)
		return;
	grown = realloc(out->boxes, (out->n_boxes + 1) * sizeof(*grown));
	if (grown == NULL)
		return;
	out->boxes = grown;
	memcpy(out->boxes[out->n_boxes++], item->box, sizeof(item->box));
	geom_box_union(out->extent, &empty, item->box);
	out->has_extent = true;
}

static int diff_merge(struct diff_side *a, struct diff_side *b,
		      struct diff_result *out)
{
	size_t i = 0, j = 0;
	int rc = 0;

	while (rc == 0 && (i < a->n || j < b->n)) {
		int c = i == a->n ? 1 : j == b->n ? -1 :
			strcmp(a->items[i].key, b->items[j].key);

		if (c < 0) {
			rc = entry_add(&out->removed, &out->n_removed,
				       a->items[i].key, a->items[i].fid, -1);
			box_add(out, &a->items[i++]);
		} else if (c > 0) {
			rc = entry_add(&out->added, &out->n_added,
				       b->items[j].key, -1, b->items[j].fid);
			box_add(out, &b->items[j++]);
		} else {
			if (memcmp(a->items[i].hash, b->items[j].hash,
				   sizeof(a->items[i].hash)) != 0) {
				rc = entry_add(&out->modified, &out->n_modified,
					       a->items[i].key, a->items[i].fid,
					       b->items[j].fid);
				box_add(out, &a->items[i]);
				box_add(out, &b->items[j]);
			}
			i++;
			j++;
		}
	}
	return rc;
}

static void side_free(struct diff_side *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i].key);
	free(s->items);
}

/* Keys used twice get "#2", "#3"... so each item has its own key. */
static void side_number_duplicates(struct diff_side *s)
{
	size_t i = 0;

	/* qsort must not be given a NULL array, which an empty side has. */
	if (s->n > 1)
		qsort(s->items, s->n, sizeof(*s->items), item_compare);
	while (i < s->n) {
		size_t j = i;

		while (j + 1 < s->n &&
		       strcmp(s->items[j + 1].key, s->items[i].key) == 0)
			j++;
		for (size_t k = i + 1; k <= j; k++) {
			size_t len = strlen(s->items[k].key) + 24;
			char *numbered = malloc(len);

			if (numbered == NULL)
				continue;
			snprintf(numbered, len, "%s#%zu", s->items[k].key,
				 k - i + 1);
			free(s->items[k].key);
			s->items[k].key = numbered;
		}
		i = j + 1;
	}
	if (s->n > 1)
		qsort(s->items, s->n, sizeof(*s->items), item_compare);
}

int diff_files(const struct cfg_layer *layer, const char *old_path,
	       const char *new_path, struct diff_result *out, char *error,
	       size_t error_size)
{
	struct diff_side a = {0}, b = {0};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	layer_gdal_init();
	if (old_path != NULL &&
	    side_read(layer, old_path, &a, error, error_size) != 0)
		goto done;
	if (side_read(layer, new_path, &b, error, error_size) != 0)
		goto done;
	side_number_duplicates(&a);
	side_number_duplicates(&b);
	out->n_old = a.n;
	out->n_new = b.n;
	rc = diff_merge(&a, &b, out);
	if (rc != 0)
		snprintf(error, error_size, "out of memory");
done:
	side_free(&a);
	side_free(&b);
	if (rc != 0)
		diff_result_clear(out);
	return rc;
}

static void entries_free(struct diff_entry *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].key);
	free(list);
}

void diff_result_clear(struct diff_result *r)
{
	if (r == NULL)
		return;
	entries_free(r->added, r->n_added);
	entries_free(r->removed, r->n_removed);
	entries_free(r->modified, r->n_modified);
	free(r->boxes);
	memset(r, 0, sizeof(*r));
}

static json_t *entries_json(const struct diff_entry *list, size_t n,
			    size_t max)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < max; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "key", json_string(list[i].key));
		if (list[i].fid_old >= 0)
			json_object_set_new(o, "id_before",
					    json_integer(list[i].fid_old));
		if (list[i].fid_new >= 0)
			json_object_set_new(o, "id_after",
					    json_integer(list[i].fid_new));
		json_array_append_new(a, o);
	}
	return a;
}

char *diff_result_json(const struct diff_result *r, int64_t from, int64_t to,
		       size_t max_keys)
{
	json_t *doc = json_object();
	char *text;

	json_object_set_new(doc, "from", json_integer(from));
	json_object_set_new(doc, "to", json_integer(to));
	json_object_set_new(doc, "features_before",
			    json_integer((json_int_t)r->n_old));
	json_object_set_new(doc, "features_after",
			    json_integer((json_int_t)r->n_new));
	json_object_set_new(doc, "n_added", json_integer((json_int_t)
							 r->n_added));
	json_object_set_new(doc, "n_removed", json_integer((json_int_t)
							   r->n_removed));
	json_object_set_new(doc, "n_modified", json_integer((json_int_t)
							    r->n_modified));
	json_object_set_new(doc, "added", entries_json(r->added, r->n_added,
						       max_keys));
	json_object_set_new(doc, "removed", entries_json(r->removed,
							 r->n_removed,
							 max_keys));
	json_object_set_new(doc, "modified", entries_json(r->modified,
							  r->n_modified,
							  max_keys));
	if (r->has_extent)
		json_object_set_new(doc, "changed_extent",
				    json_pack("[f,f,f,f]", r->extent[0],
					      r->extent[1], r->extent[2],
					      r->extent[3]));
	else
		json_object_set_new(doc, "changed_extent", json_null());
	text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	return text;
}
