/*
 * Versions on disk: <data_dir>/versions/<layer>/<N>/{data.gpkg,
 * manifest.json}. A version exists once its manifest is in place; the
 * manifest is always the last file renamed into a version's folder.
 * Durable writes go through a temporary name, fsync, rename and an fsync
 * of the folder.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_port.h>

#include "layers/publish.h"

/* GDAL 3.6 exports CPL_SHA256 but does not install cpl_sha256.h. */
void CPL_SHA256(const void *data, size_t len, GByte hash[32]);

/* Maximum number of versions listed for one layer. */
#define VERSIONS_MAX ((size_t)1000000)

int versions_path(const struct cfg *cfg, const char *layer_id,
		  int64_t number, const char *file, char *out, size_t size)
{
	int n;

	if (number > 0)
		n = snprintf(out, size, "%s/versions/%s/%lld%s%s",
			     cfg->data_dir, layer_id, (long long)number,
			     file != NULL ? "/" : "", file != NULL ? file : "");
	else
		n = snprintf(out, size, "%s/versions/%s", cfg->data_dir,
			     layer_id);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* A folder name made of digits only, with no leading zero. */
static int64_t version_number_of(const char *name)
{
	int64_t n = 0;

	if (name[0] < '1' || name[0] > '9' || strlen(name) > 15)
		return 0;
	for (const char *p = name; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (*p - '0');
	}
	return n;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Every numbered folder, complete or not, ascending. */
static size_t versions_scan(const struct cfg *cfg, const char *layer_id,
			    bool complete_only, int64_t **numbers)
{
	char dir[4096], manifest[4400];
	DIR *d;
	struct dirent *e;
	int64_t *list = NULL;
	size_t n = 0, cap = 0;

	*numbers = NULL;
	if (versions_path(cfg, layer_id, 0, NULL, dir, sizeof(dir)) != 0 ||
	    (d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < VERSIONS_MAX) {
		int64_t v = version_number_of(e->d_name);

		if (v <= 0)
			continue;
		snprintf(manifest, sizeof(manifest), "%s/%s/manifest.json",
			 dir, e->d_name);
		if (complete_only && !file_exists(manifest))
			continue;
		if (n == cap) {
			size_t grown = cap ? cap * 2 : 16;
			int64_t *bigger = realloc(list, grown * sizeof(*list));

			if (bigger == NULL)
				break;
			list = bigger;
			cap = grown;
		}
		list[n++] = v;
	}
	closedir(d);
	if (n > 0)
		qsort(list, n, sizeof(*list), compare_i64);
	*numbers = list;
	return n;
}

size_t versions_list(const struct cfg *cfg, const char *layer_id,
		     int64_t **numbers)
{
	return versions_scan(cfg, layer_id, true, numbers);
}

int64_t versions_latest(const struct cfg *cfg, const char *layer_id)
{
	int64_t *list = NULL;
	size_t n = versions_list(cfg, layer_id, &list);
	int64_t latest = n > 0 ? list[n - 1] : 0;

	free(list);
	return latest;
}

/* Read a whole small file (at most `max` bytes) into a new string. */
static char *read_small_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    (size_t)size > max || fseek(f, 0, SEEK_SET) != 0)
		goto done;
	text = malloc((size_t)size + 1);
	if (text == NULL)
		goto done;
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		free(text);
		text = NULL;
		goto done;
	}
	text[size] = '\0';
done:
	fclose(f);
	return text;
}

char *versions_manifest(const struct cfg *cfg, const char *layer_id,
			int64_t number)
{
	char path[4096];

	if (number <= 0 || versions_path(cfg, layer_id, number,
					 "manifest.json", path,
					 sizeof(path)) != 0)
		return NULL;
	return read_small_file(path, 64u << 20);
}

/* Remove a folder and the files in it (versions hold no subfolders). */
static int remove_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4400];

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir);
}

/* Parent folder of a path, in `out`. */
static void parent_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - path);

	if (slash == path)
		n = 1;
	if (n == 0 || n >= size) {
		snprintf(out, size, ".");
		return;
	}
	memcpy(out, path, n);
	out[n] = '\0';
}

void versions_clean(const struct cfg *cfg, const char *layer_id)
{
	int64_t *all = NULL;
	size_t n = versions_scan(cfg, layer_id, false, &all);
	char dir[4096], manifest[4400];
	bool removed = false;

	for (size_t i = 0; i < n; i++) {
		if (versions_path(cfg, layer_id, all[i], NULL, dir,
				  sizeof(dir)) != 0)
			continue;
		snprintf(manifest, sizeof(manifest), "%s/manifest.json", dir);
		if (file_exists(manifest))
			continue;
		fprintf(stderr, "publish: layer=%s removing unfinished "
			"version folder %s\n", layer_id, dir);
		remove_folder(dir);
		removed = true;
	}
	free(all);
	if (removed && versions_path(cfg, layer_id, 0, NULL, dir,
				     sizeof(dir)) == 0)
		versions_fsync(dir);
}

size_t versions_retain(const struct cfg *cfg, const char *layer_id,
		       int keep, int64_t live)
{
	int64_t *list = NULL;
	size_t n = versions_list(cfg, layer_id, &list);
	size_t removed = 0;
	char dir[4096], manifest[4400];

	for (size_t i = 0; keep > 0 && n > (size_t)keep &&
	     i < n - (size_t)keep; i++) {
		if (list[i] == live ||
		    versions_path(cfg, layer_id, list[i], NULL, dir,
				  sizeof(dir)) != 0)
			continue;
		/* The manifest goes first, so a crash leaves no half
		   version listed. */
		snprintf(manifest, sizeof(manifest), "%s/manifest.json", dir);
		if (unlink(manifest) != 0)
			continue;
		versions_fsync(dir);
		remove_folder(dir);
		removed++;
	}
	free(list);
	if (removed > 0 && versions_path(cfg, layer_id, 0, NULL, dir,
					 sizeof(dir)) == 0)
		versions_fsync(dir);
	return removed;
}

int versions_fsync(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int write_all(int fd, const void *data, size_t size)
{
	const char *p = data;

	while (size > 0) {
		ssize_t w = write(fd, p, size);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		size -= (size_t)w;
	}
	return 0;
}

/* Rename tmp over path and sync the folder. */
static int commit_rename(const char *tmp, const char *path)
{
	char dir[4096];

	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	parent_of(path, dir, sizeof(dir));
	return versions_fsync(dir);
}

int versions_write_file(const char *path, const void *data, size_t size)
{
	char tmp[4200];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, size) != 0 || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		unlink(tmp);
		return -1;
	}
	publish_crash_point("manifest-renaming");
	return commit_rename(tmp, path);
}

int versions_copy_file(const char *from, const char *to)
{
	char tmp[4200], buf[1 << 16];
	int in, out;
	ssize_t n;
	int rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(out, buf, (size_t)n) != 0)
			goto done;
	}
	if (fsync(out) != 0)
		goto done;
	rc = 0;
done:
	close(in);
	if (close(out) != 0)
		rc = -1;
	if (rc != 0) {
		unlink(tmp);
		return -1;
	}
	return commit_rename(tmp, to);
}

int versions_sha256_file(const char *path, char hex[65])
{
	GByte hash[32];
	struct stat st;
	void *map = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	hex[0] = '\0';
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	/* Mapped, not read: the pages come from the page cache as the hash
	   goes, so a large upload is never held in memory whole. */
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			   fd, 0);
		if (map == MAP_FAILED) {
			close(fd);
			return -1;
		}
	}
	CPL_SHA256(map != NULL ? map : "", (size_t)st.st_size, hash);
	if (map != NULL)
		munmap(map, (size_t)st.st_size);
	close(fd);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	return 0;
}

void publish_crash_point(const char *stage)
{
	const char *at = getenv("VNSDI_TEST_CRASH_AT");

	if (at == NULL || strcmp(at, stage) != 0)
		return;
	fprintf(stderr, "publish: VNSDI_TEST_CRASH_AT=%s: ending the process "
		"now (test hook)\n", stage);
	_exit(99);
}
