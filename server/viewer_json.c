/*
 * The two JSON documents of the map viewer: /viewer/config.json (limits
 * and the CRS catalogue as proj4 definitions) and /viewer/landuse.json
 * (names of land-use codes).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "server/handlers.h"
#include "server/viewer.h"
#include "tiles/render.h"

/* Most land-use codes looked up in one landuse.json request. */
#define VIEWER_MAX_CODES 64
/* Maximum length of one land-use code, in bytes. */
#define VIEWER_MAX_CODE_LEN 32
/* Maximum length of the codes parameter, commas included, in bytes. */
#define VIEWER_MAX_CODES_LEN 1024

/* The seven Helmert parameters: x, y, z (m), rx, ry, rz (arc seconds), s
   (ppm), named as in PROJ's helmert step. */
static const char *const helmert_names[7] = {
	"x", "y", "z", "rx", "ry", "rz", "s"
};

/* Read "+name=value" of the helmert step that starts at `step`. */
static int helmert_value(const char *step, const char *name, double *out)
{
	char key[8];
	const char *p;
	const char *end = strstr(step + 1, " +proj=");

	snprintf(key, sizeof(key), "+%s=", name);
	for (p = strstr(step, key); p != NULL; p = strstr(p + 1, key)) {
		if (end != NULL && p > end)
			break;
		if (p[-1] != ' ')
			continue;
		{
			char number[64];
			size_t n = strcspn(p + strlen(key), " ");

			if (n == 0 || n >= sizeof(number))
				return -1;
			memcpy(number, p + strlen(key), n);
			number[n] = '\0';
			return parse_double(number, out);
		}
	}
	return -1;
}

/*
 * Write "+towgs84=..." for VN-2000 from the catalogue's own VN-2000 to WGS 84
 * pipeline. proj4 reads rotations as a position vector (EPSG:9606); the
 * pipeline's official parameters (EPSG:6960) are a coordinate frame
 * rotation (EPSG:9607), whose rotations have the opposite sign.
 */
static int towgs84_write(char *out, size_t size)
{
	const struct vn2000_crs *vn = vn2000_crs_by_epsg(4756);
	const struct vn2000_crs *wgs = vn2000_crs_find("CRS:84");
	struct vn2000_transform *tr;
	const char *pipeline;
	const char *step;
	double v[7];
	bool frame;
	int n;

	if (vn == NULL || wgs == NULL)
		return -1;
	tr = vn2000_transform_get(vn, wgs);
	if (tr == NULL)
		return -1;
	pipeline = vn2000_transform_definition(tr);
	step = strstr(pipeline, "+proj=helmert");
	/* A step written "+inv +proj=helmert" goes the other way. */
	if (step == NULL || (step - pipeline >= 5 &&
			     strncmp(step - 5, "+inv ", 5) == 0))
		return -1;
	for (int i = 0; i < 7; i++) {
		if (helmert_value(step, helmert_names[i], &v[i]) != 0)
			return -1;
	}
	frame = strstr(step, "+convention=coordinate_frame") != NULL;
	if (frame) {
		for (int i = 3; i < 6; i++)
			v[i] = -v[i];
	}
	n = snprintf(out, size, "+towgs84=%.8f,%.8f,%.8f,%.8f,%.8f,%.8f,%.9f",
		     v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int viewer_proj4_def(const struct vn2000_crs *crs, char *out, size_t size)
{
	char towgs84[192];
	int n;

	if (crs == NULL || crs->proj_def == NULL)
		return -1;
	if (crs->datum != VN2000_DATUM_VN2000) {
		n = snprintf(out, size, "%s", crs->proj_def);
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	if (towgs84_write(towgs84, sizeof(towgs84)) != 0)
		return -1;
	n = snprintf(out, size, "%s %s", crs->proj_def, towgs84);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* One catalogue entry as JSON, or NULL when it has no proj4 form. */
static json_t *crs_json(const struct vn2000_crs *crs)
{
	char def[1024];
	const char *datum = crs->datum == VN2000_DATUM_VN2000 ? "VN-2000"
							      : "WGS 84";

	if (crs->datum == VN2000_DATUM_OTHER ||
	    viewer_proj4_def(crs, def, sizeof(def)) != 0)
		return NULL;
	return json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:[f,f,f,f]}",
			 "id", crs->id, "epsg", crs->epsg,
			 "name_vi", crs->name_vi, "name_en", crs->name_en,
			 "datum", datum, "proj4", def,
			 "geographic", crs->geographic,
			 "area", crs->area[0], crs->area[1], crs->area[2],
			 crs->area[3]);
}

/* The CRS the vector layers are stored in, when the config declares one. */
static const char *storage_crs(const struct cfg *cfg)
{
	for (size_t i = 0; i < cfg->n_layers; i++) {
		const struct vn2000_crs *crs;

		if (cfg->layers[i].kind != CFG_LAYER_VECTOR ||
		    cfg->layers[i].crs == NULL)
			continue;
		crs = vn2000_crs_find(cfg->layers[i].crs);
		if (crs != NULL && crs->datum == VN2000_DATUM_VN2000 &&
		    !crs->geographic)
			return crs->id;
	}
	return NULL;
}

static void reply_json(struct http_request *req, struct http_response *res,
		       json_t *doc)
{
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT |
					      JSON_PRESERVE_ORDER |
					      JSON_REAL_PRECISION(12))
				 : NULL;
	struct req_error err;

	json_decref(doc);
	if (text == NULL) {
		req_error_set(&err, REQ_INTERNAL, "", "viewer JSON");
		http_problem_reply(req, res, &err);
		return;
	}
	http_response_take(res, 200, "application/json", text, strlen(text));
	http_response_header(res, "Cache-Control", "no-cache");
}

void viewer_reply_config(struct http_request *req, struct http_response *res)
{
	const struct cfg *cfg = req->srv->cfg;
	const char *zone = storage_crs(cfg);
	json_t *doc = json_object();
	json_t *list = json_array();

	for (size_t i = 0; doc != NULL && list != NULL &&
			    i < vn2000_crs_count(); i++) {
		json_t *entry = crs_json(vn2000_crs_at(i));

		if (entry != NULL)
			json_array_append_new(list, entry);
	}
	if (doc == NULL || list == NULL) {
		json_decref(doc);
		json_decref(list);
		reply_json(req, res, NULL);
		return;
	}
	json_object_set_new(doc, "imagery_max_km2",
			    json_real(cfg->imagery_max_km2));
	json_object_set_new(doc, "max_features",
			    json_integer(cfg->limits.max_features));
	json_object_set_new(doc, "storage_crs",
			    zone != NULL ? json_string(zone) : json_null());
	json_object_set_new(doc, "crs", list);
	reply_json(req, res, doc);
}

/* Add the names of one code to `doc`; unknown codes get null. */
static void landuse_add(json_t *doc, const char *code)
{
	const char *vi = render_landuse_name(code, "vi");
	const char *en = render_landuse_name(code, "en");

	if (vi == NULL || en == NULL) {
		json_object_set_new(doc, code, json_null());
		return;
	}
	json_object_set_new(doc, code,
			    json_pack("{s:s, s:s}", "vi", vi, "en", en));
}

void viewer_reply_landuse(struct http_request *req, struct http_response *res)
{
	const char *codes = http_param(req, "codes");
	struct req_error err;
	char shown[80];
	json_t *doc;
	size_t count = 0;

	if (codes == NULL || codes[0] == '\0') {
		req_error_set(&err, REQ_MISSING_PARAMETER, "codes",
			      i18n_pick(req, "Thiếu tham số codes.",
					"Parameter codes is missing."));
		http_problem_reply(req, res, &err);
		return;
	}
	if (strlen(codes) > VIEWER_MAX_CODES_LEN) {
		req_error_set(&err, REQ_INVALID_PARAMETER, "codes",
			      i18n_pick(req,
					"Tham số codes=\"%s\" dài quá %d byte.",
					"Parameter codes=\"%s\" is longer than "
					"%d bytes."),
			      req_value(codes, shown, sizeof(shown)),
			      VIEWER_MAX_CODES_LEN);
		http_problem_reply(req, res, &err);
		return;
	}

	doc = json_object();
	for (const char *p = codes; doc != NULL && *p != '\0';) {
		size_t n = strcspn(p, ",");
		char code[VIEWER_MAX_CODE_LEN + 1];

		if (n == 0 || n > VIEWER_MAX_CODE_LEN ||
		    ++count > VIEWER_MAX_CODES) {
			json_decref(doc);
			req_error_set(&err, REQ_INVALID_PARAMETER, "codes",
				      i18n_pick(req,
						"Tham số codes=\"%s\" không hợp lệ: "
						"tối đa %d mã, mỗi mã 1 đến %d ký tự, "
						"cách nhau bằng dấu phẩy.",
						"Invalid codes=\"%s\": at most %d "
						"codes of 1 to %d characters, "
						"separated by commas."),
				      req_value(codes, shown, sizeof(shown)),
				      VIEWER_MAX_CODES, VIEWER_MAX_CODE_LEN);
			http_problem_reply(req, res, &err);
			return;
		}
		memcpy(code, p, n);
		code[n] = '\0';
		landuse_add(doc, code);
		p += n;
		if (*p == ',')
			p++;
	}
	reply_json(req, res, doc);
}
