/*
 * Shared between the files of the publisher (publish.c, publish_commit.c).
 */
#ifndef VNSDI_LAYERS_PUBLISH_INTERNAL_H
#define VNSDI_LAYERS_PUBLISH_INTERNAL_H

#include <pthread.h>

#include "layers/publish.h"

struct publish_slot {
	pthread_mutex_t lock;        /* held for a whole publish */
	pthread_mutex_t state_lock;  /* guards the fields below */
	bool running;
	char stage[32];
	size_t done, total;
	int64_t live;                /* live published version, 0: none */
};

struct publisher {
	const struct cfg *cfg;
	struct layer_registry *registry;
	const struct restricted_set *restricted;
	bool (*landuse_known)(const char *code);
	struct publish_slot *slots;  /* one per config layer */
	size_t n_slots;
};

/* Where the data of a new version comes from, for its manifest. */
struct publish_source {
	const char *action;          /* "publish" or "rollback" */
	const char *file_name;       /* as the client named it, or NULL */
	char sha256[65];             /* of the file received */
	long long bytes;
	int64_t rollback_of;         /* 0 unless a rollback */
};

void publish_message(struct publish_outcome *out, enum publish_status status,
		     const char *vi, const char *en);
long publish_slot_find(const struct publisher *pub, const char *layer_id);
struct publish_slot *publish_slot_take(struct publisher *pub,
				       const char *layer_id,
				       const struct cfg_layer **layer,
				       struct publish_outcome *out);
void publish_slot_give(struct publish_slot *slot);

/* Record the stage of the running publish (a publish_progress_fn). */
void publish_slot_progress(void *slot, const char *stage, size_t done,
			   size_t total);

/* Remove the files of a folder, then the folder (no subfolders). */
void publish_remove_tree_files(const char *dir);

/* Size of a file in bytes, -1 when unknown. */
long long publish_file_size(const char *path);

/*
 * Pick the next version number (after removing unfinished folders) and
 * create its folder. Returns 0 or -1.
 */
int publish_version_dir(struct publisher *pub, const struct cfg_layer *layer,
			int64_t *number, char *dir, size_t size);

int publish_live_data_path(struct publisher *pub, const struct cfg_layer *l,
			   int64_t live, char *out, size_t size);

/*
 * Make the validated data in `tmp_gpkg` version out->version: sync and
 * rename it, compare with the live version, build the snapshot, write the
 * manifest last, swap, apply retention. Removes `dir` on failure.
 */
int publish_commit(struct publisher *pub, struct publish_slot *slot,
		   const struct cfg_layer *layer, const char *dir,
		   const char *tmp_gpkg, const struct publish_source *src,
		   const char *user, struct publish_outcome *out);

#endif
