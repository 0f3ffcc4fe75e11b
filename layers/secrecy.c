/*
 * The state-secret rules that apply to responses (imagery footprint and
 * scale) and to the config as a whole (restricted sources never served,
 * personal data never open to anonymous or partner callers), and the audit
 * lines of the drops made at load time.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>

#include "layers/audit.h"
#include "layers/layers_internal.h"
#include "layers/secrecy.h"

/* Margin on the scale limit for the scale factor of TM grids. */
#define SECRECY_SCALE_MARGIN 0.99

double secrecy_max_km2(const struct cfg *cfg)
{
	if (cfg == NULL || !(cfg->imagery_max_km2 > 0))
		return SECRECY_DEFAULT_MAX_KM2;
	return cfg->imagery_max_km2;
}

double secrecy_box_area_km2(const double box_crs84[4])
{
	double box[4];

	for (int i = 0; i < 4; i++) {
		if (!isfinite(box_crs84[i]))
			return -1;
		box[i] = box_crs84[i];
	}
	if (box[1] > box[3])
		return -1;
	/* West greater than east: the box crosses 180°. */
	if (box[0] > box[2])
		box[2] += 360.0;
	return vn2000_geodesic_bbox_area(box) / 1e6;
}

bool secrecy_imagery_allowed(const struct cfg *cfg,
			     const double box_crs84[4])
{
	double area = secrecy_box_area_km2(box_crs84);

	return area >= 0 && area <= secrecy_max_km2(cfg);
}

double secrecy_max_imagery_scale(const struct cfg *cfg, int width,
				 int height)
{
	double pixels, ground_pixel_m;

	if (width < 1 || height < 1)
		return 0;
	pixels = (double)width * (double)height;
	ground_pixel_m = sqrt(secrecy_max_km2(cfg) * 1e6 / pixels);
	return ground_pixel_m / SECRECY_PIXEL_SIZE_M * SECRECY_SCALE_MARGIN;
}

/*
 * The canonical form of a source path for comparison: realpath() of a
 * file, or the text itself for a GDAL connection string or a missing file.
 * The caller frees the result.
 */
static char *secrecy_canonical(const char *source)
{
	char *real = realpath(source, NULL);

	return real != NULL ? real : strdup(source);
}

/* Name of a data set's first vector layer, or NULL (caller frees). */
static char *secrecy_first_layer(const char *source)
{
	GDALDatasetH ds;
	char *name = NULL;

	layer_gdal_init();
	if (layer_path_is_special(source))
		return NULL;
	CPLPushErrorHandler(CPLQuietErrorHandler);
	ds = GDALOpenEx(source, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
			NULL, NULL);
	CPLPopErrorHandler();
	if (ds == NULL)
		return NULL;
	if (GDALDatasetGetLayerCount(ds) > 0)
		name = strdup(OGR_L_GetName(GDALDatasetGetLayer(ds, 0)));
	GDALClose(ds);
	return name;
}

/* Whether two layer names of one data set (NULL: the first) are equal. */
static bool secrecy_same_layer(const char *source, const char *a,
			       const char *b)
{
	char *first = NULL;
	bool same;

	if (a == NULL || b == NULL) {
		first = secrecy_first_layer(source);
		/* Unreadable: assume the same layer, which is the safe choice. */
		if (first == NULL) {
			return true;
		}
		a = a != NULL ? a : first;
		b = b != NULL ? b : first;
	}
	same = strcmp(a, b) == 0;
	free(first);
	return same;
}

bool secrecy_source_is_restricted(const struct cfg *cfg, const char *source,
				  const char *source_layer)
{
	char *canon;
	bool hit = false;

	if (cfg == NULL || source == NULL)
		return false;
	canon = secrecy_canonical(source);
	if (canon == NULL)
		return true;
	for (size_t i = 0; i < cfg->n_restricted && !hit; i++) {
		const struct cfg_restricted *r = &cfg->restricted[i];
		char *other = secrecy_canonical(r->source);
		if (other == NULL || (strcmp(canon, other) == 0 &&
				      secrecy_same_layer(canon, source_layer,
							 r->source_layer)))
			hit = true;
		free(other);
	}
	free(canon);
	return hit;
}

/* Personal attributes must never be readable without a named account. */
static int secrecy_check_roles(const struct cfg *cfg,
			       const struct cfg_layer *l,
			       struct cfg_errors *errors)
{
	int rc = 0;

	for (size_t i = 0; i < l->n_personal_roles; i++) {
		enum cfg_role role;
		if (cfg_role_parse(l->personal_roles[i], &role) != 0 ||
		    (role != CFG_ROLE_ANONYMOUS && role != CFG_ROLE_PARTNER))
			continue;
		LAYER_ERROR(errors, cfg->path, l->line,
			    "lớp %s: vai trò '%s' không được đọc dữ liệu cá "
			    "nhân (personal_roles chỉ gồm planner, publisher, "
			    "admin)",
			    "layer %s: role '%s' may not read personal data "
			    "(personal_roles takes planner, publisher, admin)",
			    l->id, l->personal_roles[i]);
		rc = -1;
	}
	return rc;
}

int secrecy_config_check(const struct cfg *cfg, struct cfg_errors *errors)
{
	int rc = 0;

	for (size_t i = 0; i < cfg->n_layers; i++) {
		const struct cfg_layer *l = &cfg->layers[i];
		if (secrecy_check_roles(cfg, l, errors) != 0)
			rc = -1;
		if (l->kind != CFG_LAYER_VECTOR || l->source == NULL)
			continue;
		if (!secrecy_source_is_restricted(cfg, l->source,
						  l->source_layer))
			continue;
		LAYER_ERROR(errors, cfg->path,
			    l->source_line ? l->source_line : l->line,
			    "lớp %s: nguồn %s%s%s là dữ liệu khu vực hạn chế, "
			    "không bao giờ được cung cấp",
			    "layer %s: source %s%s%s is a restricted-area "
			    "data set, which is never served",
			    l->id, l->source, l->source_layer ? ", lớp " : "",
			    l->source_layer ? l->source_layer : "");
		rc = -1;
	}
	return rc;
}

static void secrecy_audit_scene(const struct layer_snapshot *snap,
				const struct scene *s)
{
	struct audit_event ev = {
		.event = "scene_dropped",
		.layer = snap->cfg->id,
		.scene = s->path,
		.area_km2 = s->area_km2,
		.count = 1,
	};

	/* Only the footprint rule's reason text states an area. */
	ev.reason = s->drop_reason != NULL &&
		    strstr(s->drop_reason, "km²") != NULL ? "footprint"
							  : "restricted_area";
	audit_log_event(&ev);
}

void secrecy_audit_snapshot(const struct layer_snapshot *snap)
{
	if (snap == NULL || !audit_is_open())
		return;
	for (size_t i = 0; i < snap->n_scenes; i++)
		if (snap->scenes[i].dropped)
			secrecy_audit_scene(snap, &snap->scenes[i]);
	if (snap->n_scenes == 0 &&
	    snap->n_dropped_restricted > snap->n_dropped_linked) {
		size_t n = snap->n_dropped_restricted - snap->n_dropped_linked;
		struct audit_event ev = {
			.event = "features_dropped",
			.reason = "restricted_area",
			.layer = snap->cfg->id,
			.count = n > LLONG_MAX ? LLONG_MAX : (long long)n,
		};
		audit_log_event(&ev);
	}
	if (snap->n_dropped_linked > 0) {
		struct audit_event ev = {
			.event = "features_dropped",
			.reason = "linked_restricted",
			.layer = snap->cfg->id,
			.count = snap->n_dropped_linked > LLONG_MAX
					 ? LLONG_MAX
					 : (long long)snap->n_dropped_linked,
		};
		audit_log_event(&ev);
	}
}
