/*
 * A growable, capped text buffer. Every append checks the cap first, so a
 * response built in a strbuf can never grow past the size fixed at creation.
 * After the first failed append the buffer keeps `overflow` set and refuses
 * every later append, so callers may check once at the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http.h"

void strbuf_init(struct strbuf *sb, size_t max)
{
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->max = max;
	sb->overflow = false;
}

/* Make room for `extra` more bytes plus the terminating NUL. */
static int strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need;
	size_t cap;
	char *data;

	if (sb->overflow)
		return -1;
	if (extra > sb->max || sb->len > sb->max - extra) {
		sb->overflow = true;
		return -1;
	}
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;

	cap = sb->cap != 0 ? sb->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	/* Never allocate far past the cap: one byte for the NUL is enough. */
	if (cap > sb->max + 1)
		cap = sb->max + 1;
	data = realloc(sb->data, cap);
	if (data == NULL) {
		sb->overflow = true;
		return -1;
	}
	sb->data = data;
	sb->cap = cap;
	return 0;
}

int strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
	if (strbuf_reserve(sb, n) != 0)
		return -1;
	if (n > 0)
		memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
	return 0;
}

int strbuf_puts(struct strbuf *sb, const char *s)
{
	return strbuf_append(sb, s, strlen(s));
}

int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->overflow = true;
		return -1;
	}
	if (strbuf_reserve(sb, (size_t)n) != 0)
		return -1;

	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_xml(struct strbuf *sb, const char *s)
{
	const char *run = s;
	const char *p;

	if (s == NULL)
		return 0;
	for (p = s; *p != '\0'; p++) {
		const char *entity = NULL;
		unsigned char c = (unsigned char)*p;

		switch (c) {
		case '&': entity = "&amp;"; break;
		case '<': entity = "&lt;"; break;
		case '>': entity = "&gt;"; break;
		case '"': entity = "&quot;"; break;
		case '\'': entity = "&#39;"; break;
		default:
			/* XML 1.0 forbids these control characters even as
			   references; tab, LF and CR are allowed. */
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			    c == 0x7f)
				entity = "?";
			break;
		}
		if (entity == NULL)
			continue;
		if (strbuf_append(sb, run, (size_t)(p - run)) != 0 ||
		    strbuf_puts(sb, entity) != 0)
			return -1;
		run = p + 1;
	}
	return strbuf_append(sb, run, (size_t)(p - run));
}

char *strbuf_take(struct strbuf *sb, size_t *len)
{
	char *data = sb->data;

	if (data == NULL) {
		data = malloc(1);
		if (data != NULL)
			data[0] = '\0';
	}
	if (len != NULL)
		*len = data != NULL ? sb->len : 0;
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->overflow = false;
	return data;
}

void strbuf_free(struct strbuf *sb)
{
	if (sb == NULL)
		return;
	free(sb->data);
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
}

int strbuf_urlencode(struct strbuf *sb, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		unsigned char c = *p;
		char esc[3];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == ',' || c == ':' || c == '/') {
			if (strbuf_append(sb, (const char *)p, 1) != 0)
				return -1;
			continue;
		}
		esc[0] = '%';
		esc[1] = digits[c >> 4];
		esc[2] = digits[c & 0x0f];
		if (strbuf_append(sb, esc, 3) != 0)
			return -1;
	}
	return 0;
}
