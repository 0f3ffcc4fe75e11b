/*
 * The validation report as JSON (jansson) and as a readable summary in
 * Vietnamese or English.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "layers/publish.h"

/* Longest readable summary, in bytes. */
#define VALIDATE_TEXT_MAX ((size_t)4 << 20)

static const char *const kind_names[VALIDATE_KIND_COUNT] = {
	"file", "crs", "schema", "geometry_type", "self_intersection",
	"bad_ring", "sliver", "duplicate_key", "landuse_code", "area", "text"
};

static const char *const kind_vi[VALIDATE_KIND_COUNT] = {
	"tệp", "hệ tọa độ", "cấu trúc trường", "kiểu hình học", "tự cắt",
	"vòng không hợp lệ", "mảnh vụn", "trùng khóa thửa", "mã loại đất",
	"diện tích", "văn bản"
};

static const char *const kind_en[VALIDATE_KIND_COUNT] = {
	"file", "CRS", "schema", "geometry type", "self-intersection",
	"bad ring", "sliver", "duplicate parcel key", "land-use code", "area",
	"text"
};

void validate_report_clear(struct validate_report *report)
{
	if (report == NULL)
		return;
	for (size_t i = 0; i < report->n_problems; i++) {
		free(report->problems[i].message_vi);
		free(report->problems[i].message_en);
	}
	free(report->problems);
	memset(report, 0, sizeof(*report));
}

const char *validate_kind_name(enum validate_kind kind)
{
	return kind < VALIDATE_KIND_COUNT ? kind_names[kind] : "?";
}

const char *validate_severity_name(enum validate_severity severity)
{
	switch (severity) {
	case VALIDATE_ERROR:
		return "error";
	case VALIDATE_WARNING:
		return "warning";
	case VALIDATE_REPAIRED:
		return "repaired";
	}
	return "?";
}

static json_t *problem_json(const struct validate_problem *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(validate_kind_name(p->kind)));
	json_object_set_new(o, "severity",
			    json_string(validate_severity_name(p->severity)));
	if (p->has_feature)
		json_object_set_new(o, "feature_id", json_integer(p->fid));
	if (p->key[0] != '\0')
		json_object_set_new(o, "key", json_string(p->key));
	if (p->has_location)
		json_object_set_new(o, "location",
				    json_pack("[f,f]", p->lon, p->lat));
	json_object_set_new(o, "message_vi", json_string(p->message_vi));
	json_object_set_new(o, "message_en", json_string(p->message_en));
	return o;
}

static char *summary_line(const struct validate_report *r, bool english)
{
	char text[512];

	if (english)
		snprintf(text, sizeof(text), "%s: %zu features read, %zu errors, %zu "
			     "warnings, %zu repaired (driver %s, CRS %s)",
			     r->accepted ? "Accepted" : "Rejected",
			     r->n_features, r->n_errors, r->n_warnings,
			     r->n_repaired, r->driver[0] ? r->driver : "?",
			     r->crs_id[0] ? r->crs_id : "?");
	else
		snprintf(text, sizeof(text), "%s: đọc %zu đối tượng, %zu lỗi, %zu cảnh "
			     "báo, %zu đã sửa (trình điều khiển %s, hệ tọa độ "
			     "%s)",
			     r->accepted ? "Chấp nhận" : "Từ chối",
			     r->n_features, r->n_errors, r->n_warnings,
			     r->n_repaired, r->driver[0] ? r->driver : "?",
			     r->crs_id[0] ? r->crs_id : "?");
	return strdup(text);
}

char *validate_report_json(const struct validate_report *r)
{
	json_t *doc = json_object(), *counts = json_object();
	json_t *problems = json_array();
	char *vi = summary_line(r, false), *en = summary_line(r, true);
	char *text_vi = validate_report_text(r, false, 50);
	char *text_en = validate_report_text(r, true, 50);
	char *out;

	for (int k = 0; k < VALIDATE_KIND_COUNT; k++)
		json_object_set_new(counts, kind_names[k],
				    json_integer((json_int_t)r->counts[k]));
	for (size_t i = 0; i < r->n_problems; i++)
		json_array_append_new(problems, problem_json(&r->problems[i]));
	json_object_set_new(doc, "accepted", json_boolean(r->accepted));
	json_object_set_new(doc, "driver", json_string(r->driver));
	json_object_set_new(doc, "crs", json_string(r->crs_id));
	json_object_set_new(doc, "features", json_integer((json_int_t)
							  r->n_features));
	json_object_set_new(doc, "errors", json_integer((json_int_t)
							r->n_errors));
	json_object_set_new(doc, "warnings", json_integer((json_int_t)
							  r->n_warnings));
	json_object_set_new(doc, "repaired", json_integer((json_int_t)
							  r->n_repaired));
	json_object_set_new(doc, "counts", counts);
	json_object_set_new(doc, "problems_listed", json_integer(
				    (json_int_t)r->n_problems));
	json_object_set_new(doc, "problems", problems);
	json_object_set_new(doc, "summary_vi", json_string(vi ? vi : ""));
	json_object_set_new(doc, "summary_en", json_string(en ? en : ""));
	json_object_set_new(doc, "text_vi", json_string(text_vi ? text_vi : ""));
	json_object_set_new(doc, "text_en", json_string(text_en ? text_en : ""));
	out = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	free(vi);
	free(en);
	free(text_vi);
	free(text_en);
	return out;
}

/* Append to a growing text, capped at VALIDATE_TEXT_MAX. */
static void text_append(char **text, size_t *len, const char *piece)
{
	size_t n = strlen(piece);
	char *grown;

	if (*text == NULL || *len + n + 1 > VALIDATE_TEXT_MAX)
		return;
	grown = realloc(*text, *len + n + 1);
	if (grown == NULL)
		return;
	memcpy(grown + *len, piece, n + 1);
	*text = grown;
	*len += n;
}

char *validate_report_text(const struct validate_report *r, bool english,
			   size_t max_lines)
{
	char *text = strdup(""), *line = summary_line(r, english);
	char buf[1200];
	size_t len = 0;

	text_append(&text, &len, line ? line : "");
	text_append(&text, &len, "\n");
	free(line);
	for (int k = 0; k < VALIDATE_KIND_COUNT; k++) {
		if (r->counts[k] == 0)
			continue;
		snprintf(buf, sizeof(buf), "  %s: %zu\n",
			 english ? kind_en[k] : kind_vi[k], r->counts[k]);
		text_append(&text, &len, buf);
	}
	for (size_t i = 0; i < r->n_problems && i < max_lines; i++) {
		const struct validate_problem *p = &r->problems[i];
		char where[80] = "";

		if (p->has_location)
			snprintf(where, sizeof(where), " @ %.7f, %.7f",
				 p->lon, p->lat);
		snprintf(buf, sizeof(buf), "  [%s] %s%s\n",
			 validate_severity_name(p->severity),
			 english ? p->message_en : p->message_vi, where);
		text_append(&text, &len, buf);
	}
	if (r->n_problems > max_lines) {
		snprintf(buf, sizeof(buf), english ?
			 "  ... and %zu more in the JSON report\n" :
			 "  ... và %zu vấn đề khác trong báo cáo JSON\n",
			 r->n_problems - max_lines);
		text_append(&text, &len, buf);
	}
	return text;
}
