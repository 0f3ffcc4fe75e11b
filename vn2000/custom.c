/*
 * Custom CRSs read from data files: allocated once, deduplicated by
 * definition, and kept for the life of the process so that layers and
 * per-thread transform caches can hold plain pointers to them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vn2000/vn2000_internal.h"

/* Cap on distinct custom CRSs: a config names a few dozen data sets. */
#define CUSTOM_MAX 4096

struct custom_entry {
	struct vn2000_crs crs;
	char id[32];
	char *name;
	char *proj_def;
};

static pthread_mutex_t custom_lock = PTHREAD_MUTEX_INITIALIZER;
static struct custom_entry **custom_list;
static size_t custom_count;
static size_t custom_capacity;

/* Look for an entry with the same datum and definition; lock held. */
static const struct vn2000_crs *custom_lookup(const char *proj_def,
					      enum vn2000_datum datum)
{
	for (size_t i = 0; i < custom_count; i++) {
		const struct custom_entry *e = custom_list[i];

		if (e->crs.datum == datum && strcmp(e->proj_def, proj_def) == 0)
			return &e->crs;
	}
	return NULL;
}

/* Make room for one more pointer in the list; lock held. */
static int custom_reserve(void)
{
	struct custom_entry **grown;
	size_t capacity;

	if (custom_count < custom_capacity)
		return 0;
	if (custom_capacity >= CUSTOM_MAX)
		return -1;
	capacity = custom_capacity ? custom_capacity * 2 : 16;
	grown = realloc(custom_list, capacity * sizeof(*grown));
	if (!grown)
		return -1;
	custom_list = grown;
	custom_capacity = capacity;
	return 0;
}

/* Allocate an entry with copies of the strings. */
static struct custom_entry *custom_new(const char *name, const char *proj_def)
{
	struct custom_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->name = strdup(name ? name : "custom CRS");
	e->proj_def = strdup(proj_def);
	if (!e->name || !e->proj_def) {
		free(e->name);
		free(e->proj_def);
		free(e);
		return NULL;
	}
	return e;
}

const struct vn2000_crs *vn2000_custom_register(const char *name,
						const char *proj_def,
						enum vn2000_datum datum,
						bool geographic,
						const double area[4],
						double central_meridian,
						double scale_factor)
{
	const struct vn2000_crs *found;
	struct custom_entry *e = NULL;

	if (!proj_def)
		return NULL;
	pthread_mutex_lock(&custom_lock);
	found = custom_lookup(proj_def, datum);
	if (found || custom_reserve() != 0)
		goto done;
	e = custom_new(name, proj_def);
	if (!e)
		goto done;

	snprintf(e->id, sizeof(e->id), "CUSTOM:%zu", custom_count + 1);
	e->crs.epsg = 0;
	e->crs.id = e->id;
	e->crs.name_en = e->name;
	e->crs.name_vi = e->name;
	e->crs.proj_def = e->proj_def;
	e->crs.datum = datum;
	e->crs.geographic = geographic;
	e->crs.lat_first = false;
	if (area)
		memcpy(e->crs.area, area, sizeof(e->crs.area));
	e->crs.central_meridian = central_meridian;
	e->crs.scale_factor = scale_factor;
	custom_list[custom_count++] = e;
	found = &e->crs;
done:
	pthread_mutex_unlock(&custom_lock);
	return found;
}
