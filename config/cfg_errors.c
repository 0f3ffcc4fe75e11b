/*
 * The list of problems found while loading a config: every problem is kept,
 * so one run of `vnsdi check` reports them all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

/* More problems than this are counted but not stored. */
#define CFG_ERRORS_MAX 10000

static char *cfg_vformat(const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;

	char *s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* Reserve one entry. Returns NULL when full or out of memory. */
static struct cfg_error *cfg_errors_push(struct cfg_errors *errors)
{
	if (errors->count >= CFG_ERRORS_MAX)
		return NULL;
	if (errors->count == errors->capacity) {
		size_t cap = errors->capacity ? errors->capacity * 2 : 16;
		struct cfg_error *items =
			realloc(errors->items, cap * sizeof(*items));
		if (!items)
			return NULL;
		errors->items = items;
		errors->capacity = cap;
	}
	struct cfg_error *e = &errors->items[errors->count];
	memset(e, 0, sizeof(*e));
	return e;
}

/* Store an entry whose texts are already formatted; takes them over. */
static void cfg_errors_store(struct cfg_errors *errors,
			     enum cfg_severity severity, const char *file,
			     int line, char *message, char *message_en)
{
	struct cfg_error *e = cfg_errors_push(errors);
	char *file_copy = strdup(file ? file : "");
	if (!e || !message || !file_copy) {
		free(message);
		free(message_en);
		free(file_copy);
		return;
	}
	e->file = file_copy;
	e->line = line;
	e->message = message;
	e->message_en = message_en;
	e->severity = severity;
	errors->count++;
	if (severity == CFG_SEVERITY_WARNING)
		errors->n_warnings++;
}

void cfg_errors_add(struct cfg_errors *errors, const char *file, int line,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *message = cfg_vformat(fmt, ap);
	va_end(ap);
	cfg_errors_store(errors, CFG_SEVERITY_ERROR, file, line, message,
			 NULL);
}

void cfg_errors_add_lang(struct cfg_errors *errors,
			 enum cfg_severity severity, const char *file,
			 int line, const char *fmt_vi, const char *fmt_en, ...)
{
	va_list ap;
	va_start(ap, fmt_en);
	char *vi = cfg_vformat(fmt_vi, ap);
	va_end(ap);
	va_start(ap, fmt_en);
	char *en = cfg_vformat(fmt_en, ap);
	va_end(ap);
	if (!en) {
		free(vi);
		vi = NULL;
	}
	cfg_errors_store(errors, severity, file, line, vi, en);
}

void cfg_errors_add_texts(struct cfg_errors *errors,
			  enum cfg_severity severity, const char *file,
			  int line, const char *vi, const char *en)
{
	char *vi_copy = strdup(vi);
	char *en_copy = strdup(en);
	if (!vi_copy || !en_copy) {
		free(vi_copy);
		free(en_copy);
		return;
	}
	cfg_errors_store(errors, severity, file, line, vi_copy, en_copy);
}

size_t cfg_errors_count(const struct cfg_errors *errors)
{
	return errors->count - errors->n_warnings;
}

void cfg_errors_print_lang(const struct cfg_errors *errors, void *out,
			   bool english)
{
	FILE *f = out;
	for (size_t i = 0; i < errors->count; i++) {
		const struct cfg_error *e = &errors->items[i];
		const char *text = english && e->message_en ? e->message_en
							    : e->message;
		const char *level = "";
		if (e->severity == CFG_SEVERITY_WARNING)
			level = english ? "warning: " : "cảnh báo: ";
		if (e->line > 0)
			fprintf(f, "%s:%d: %s%s\n", e->file, e->line, level,
				text);
		else
			fprintf(f, "%s: %s%s\n", e->file, level, text);
	}
}

/* English when the first language variable that is set starts with "en". */
static bool cfg_env_english(void)
{
	static const char *const vars[] = {
		"VNSDI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "en", 2) == 0;
	}
	return false;
}

void cfg_errors_print(const struct cfg_errors *errors, void *out)
{
	cfg_errors_print_lang(errors, out, cfg_env_english());
}

void cfg_errors_clear(struct cfg_errors *errors)
{
	if (!errors)
		return;
	for (size_t i = 0; i < errors->count; i++) {
		free(errors->items[i].file);
		free(errors->items[i].message);
		free(errors->items[i].message_en);
	}
	free(errors->items);
	memset(errors, 0, sizeof(*errors));
}
