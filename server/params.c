/*
 * Request errors and strict parsing of request values shared by the
 * protocol handlers.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/handlers.h"
#include "tiles/render.h"

int req_error_set(struct req_error *err, enum req_error_kind kind,
		  const char *parameter, const char *fmt, ...)
{
	va_list ap;

	err->kind = kind;
	snprintf(err->parameter, sizeof(err->parameter), "%s",
		 parameter != NULL ? parameter : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

double request_deadline(const struct cfg *cfg)
{
	int timeout = cfg->limits.request_timeout > 0 ?
		cfg->limits.request_timeout : 30;

	return render_clock() + timeout;
}

int req_error_status(enum req_error_kind kind)
{
	switch (kind) {
	case REQ_OK:
		return 200;
	case REQ_MISSING_PARAMETER:
	case REQ_INVALID_PARAMETER:
	case REQ_INVALID_CRS:
	case REQ_INVALID_FORMAT:
	case REQ_LAYER_NOT_DEFINED:
	case REQ_STYLE_NOT_DEFINED:
	case REQ_OPERATION_NOT_SUPPORTED:
	case REQ_CURRENT_UPDATE_SEQUENCE:
	case REQ_INVALID_UPDATE_SEQUENCE:
		return 400;
	case REQ_UNAUTHORIZED:
		return 401;
	case REQ_FORBIDDEN:
		return 403;
	case REQ_NOT_FOUND:
		return 404;
	case REQ_METHOD_NOT_ALLOWED:
		return 405;
	case REQ_NOT_ACCEPTABLE:
		return 406;
	case REQ_TOO_LARGE:
		return 413;
	case REQ_TOO_MANY_REQUESTS:
		return 429;
	case REQ_UNAVAILABLE:
		return 503;
	case REQ_INTERNAL:
		return 500;
	}
	return 500;
}

/*
 * Length of the well-formed UTF-8 character at s (1 to 4), or 0 when the
 * bytes are not one: a stray continuation byte, an overlong form, a
 * surrogate, a code point past U+10FFFF, or the non-characters U+FFFE and
 * U+FFFF, which XML 1.0 does not allow either.
 */
static size_t utf8_char_length(const unsigned char *s)
{
	unsigned int cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
	    cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return len;
}

const char *req_value(const char *value, char *buf, size_t size)
{
	const size_t max_bytes = 64;
	const unsigned char *in;
	size_t out = 0;

	if (size == 0)
		return buf;
	if (value == NULL)
		value = "";
	in = (const unsigned char *)value;

	/* Copy whole characters only; anything that is not printable,
	   well-formed UTF-8 becomes '?', so the copy is safe in XML and
	   JSON messages. */
	while (*in != '\0' && (size_t)(in - (const unsigned char *)value) <
	       max_bytes) {
		size_t len = utf8_char_length(in);

		if (len == 0 || in[0] < 0x20 || in[0] == 0x7f) {
			if (out + 1 >= size)
				break;
			buf[out++] = '?';
			in++;
			continue;
		}
		if (out + len >= size ||
		    (size_t)(in - (const unsigned char *)value) + len >
		    max_bytes)
			break;
		memcpy(buf + out, in, len);
		out += len;
		in += len;
	}

	if (*in != '\0' && out + 4 <= size) {
		memcpy(buf + out, "...", 3);
		out += 3;
	}
	buf[out] = '\0';
	return buf;
}

int parse_double(const char *text, double *out)
{
	char *end = NULL;
	double value;

	if (text == NULL || *text == '\0')
		return -1;
	/* Only decimal notation: strtod would also take leading white space,
	   hexadecimal ("0x10"), "inf" and "nan". */
	if (strspn(text, "0123456789+-.eE") != strlen(text))
		return -1;

	errno = 0;
	value = strtod(text, &end);
	if (end == text || *end != '\0' || errno == ERANGE || !isfinite(value))
		return -1;
	*out = value;
	return 0;
}

int parse_long(const char *text, long min, long max, long *out)
{
	char *end = NULL;
	long value;

	if (text == NULL || *text == '\0')
		return -1;
	if (!((*text >= '0' && *text <= '9') || *text == '-' || *text == '+'))
		return -1;

	errno = 0;
	value = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno == ERANGE)
		return -1;
	if (value < min || value > max)
		return -1;
	*out = value;
	return 0;
}

int parse_bbox(const char *text, const char *parameter, bool allow_3d,
	       double out[4], const struct http_request *req,
	       struct req_error *err)
{
	double values[6];
	size_t count = 0;
	char shown[80];
	const char *p = text;

	if (text == NULL || *text == '\0')
		return req_error_set(err, REQ_MISSING_PARAMETER, parameter,
			i18n_pick(req, "Thiếu tham số %s.",
				  "Missing parameter %s."), parameter);
	req_value(text, shown, sizeof(shown));

	/* Split on commas; each piece must be a strict number. */
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char piece[64];

		if (count == 6 || n == 0 || n >= sizeof(piece)) {
			count = 7;
			break;
		}
		memcpy(piece, p, n);
		piece[n] = '\0';
		if (parse_double(piece, &values[count]) != 0)
			return req_error_set(err, REQ_INVALID_PARAMETER,
				parameter,
				i18n_pick(req,
					  "Giá trị %s=\"%s\" không hợp lệ: "
					  "\"%s\" không phải là số.",
					  "Invalid %s=\"%s\": \"%s\" is not a "
					  "number."),
				parameter, shown, piece);
		count++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}

	if (count == 4) {
		memcpy(out, values, 4 * sizeof(double));
	} else if (count == 6 && allow_3d) {
		out[0] = values[0];
		out[1] = values[1];
		out[2] = values[3];
		out[3] = values[4];
	} else {
		const char *expected = allow_3d ? "4/6" : "4";

		if (count > 6)
			return req_error_set(err, REQ_INVALID_PARAMETER, parameter,
				i18n_pick(req,
					  "Giá trị %s=\"%s\" không hợp lệ: cần %s "
					  "số cách nhau bởi dấu phẩy, nhận được "
					  "nhiều hơn hoặc có phần rỗng.",
					  "Invalid %s=\"%s\": expected %s "
					  "comma-separated numbers, received more "
					  "or an empty one."),
				parameter, shown, expected);
		return req_error_set(err, REQ_INVALID_PARAMETER, parameter,
			i18n_pick(req,
				  "Giá trị %s=\"%s\" không hợp lệ: cần %s số "
				  "cách nhau bởi dấu phẩy, nhận được %zu.",
				  "Invalid %s=\"%s\": expected %s "
				  "comma-separated numbers, received %zu."),
			parameter, shown, expected, count);
	}

	if (!(out[0] < out[2]) || !(out[1] < out[3]))
		return req_error_set(err, REQ_INVALID_PARAMETER, parameter,
			i18n_pick(req,
				  "Giá trị %s=\"%s\" không hợp lệ: giá trị nhỏ "
				  "nhất phải nhỏ hơn giá trị lớn nhất.",
				  "Invalid %s=\"%s\": each minimum must be less "
				  "than its maximum."),
			parameter, shown);
	return 0;
}

const char *i18n_pick_pair(const struct http_request *req, const char *pair,
			   char *buf, size_t size)
{
	static const char separator[] = " / ";
	const size_t sep_len = sizeof(separator) - 1;
	bool english = strcmp(i18n_pick(req, "vi", "en"), "en") == 0;
	const char *split = NULL;
	size_t count = 0, wanted;

	if (size == 0)
		return buf;
	for (const char *p = strstr(pair, separator); p != NULL;
	     p = strstr(p + sep_len, separator))
		count++;
	if (count == 0) {
		snprintf(buf, size, "%s", pair);
		return buf;
	}

	/* Both halves quote the same values, so a value containing the
	   separator adds as many to each half: the middle one splits them. */
	wanted = count / 2;
	split = strstr(pair, separator);
	for (size_t i = 0; i < wanted; i++)
		split = strstr(split + sep_len, separator);
	if (english)
		snprintf(buf, size, "%s", split + sep_len);
	else
		snprintf(buf, size, "%.*s", (int)(split - pair), pair);
	return buf;
}

int check_geographic_bbox(const struct http_request *req,
			  const char *parameter, const char *text,
			  const double lonlat[4], const char *crs_name,
			  const char *context_vi, const char *context_en,
			  bool lat_first, struct req_error *err)
{
	const char *order_vi = lat_first ?
		"có vĩ độ trước: minlat,minlon,maxlat,maxlon" :
		"có kinh độ trước: minlon,minlat,maxlon,maxlat";
	const char *order_en = lat_first ?
		"is latitude first: minlat,minlon,maxlat,maxlon" :
		"is longitude first: minlon,minlat,maxlon,maxlat";
	char shown[80];

	req_value(text, shown, sizeof(shown));
	for (int i = 1; i < 4; i += 2) {
		if (lonlat[i] >= -90.0 && lonlat[i] <= 90.0)
			continue;
		return req_error_set(err, REQ_INVALID_PARAMETER, parameter,
			i18n_pick(req,
				  "Giá trị %s=\"%s\" không hợp lệ: vĩ độ %.10g "
				  "nằm ngoài [-90, 90]. %s trong %s %s.",
				  "Invalid %s=\"%s\": latitude %.10g is outside "
				  "[-90, 90]. %s in %s %s."),
			parameter, shown, lonlat[i], crs_name,
			i18n_pick(req, context_vi, context_en),
			i18n_pick(req, order_vi, order_en));
	}
	for (int i = 0; i < 4; i += 2) {
		if (lonlat[i] >= -360.0 && lonlat[i] <= 360.0)
			continue;
		return req_error_set(err, REQ_INVALID_PARAMETER, parameter,
			i18n_pick(req,
				  "Giá trị %s=\"%s\" không hợp lệ: kinh độ %.10g "
				  "nằm ngoài [-360, 360]. %s trong %s %s.",
				  "Invalid %s=\"%s\": longitude %.10g is outside "
				  "[-360, 360]. %s in %s %s."),
			parameter, shown, lonlat[i], crs_name,
			i18n_pick(req, context_vi, context_en),
			i18n_pick(req, order_vi, order_en));
	}
	return 0;
}

enum update_sequence_match update_sequence_check(
	const struct http_request *req, const char *parameter,
	const char *requested, int64_t current, struct req_error *err)
{
	const char *digits;
	char shown[80];
	long value;

	if (requested == NULL || requested[0] == '\0')
		return UPDATE_SEQUENCE_OLDER;
	req_value(requested, shown, sizeof(shown));
	/* Our sequence is an integer: only an integer (digits, with an
	   optional minus sign) compares with it. */
	digits = requested + (requested[0] == '-' ? 1 : 0);
	if (digits[0] == '\0' ||
	    strspn(digits, "0123456789") != strlen(digits) ||
	    parse_long(requested, LONG_MIN, LONG_MAX, &value) != 0) {
		req_error_set(err, REQ_INVALID_UPDATE_SEQUENCE, parameter,
			i18n_pick(req,
				  "Giá trị %s=\"%s\" không hợp lệ: số thứ tự "
				  "cập nhật của máy chủ là số nguyên, hiện tại "
				  "là %" PRId64 ".",
				  "Invalid %s=\"%s\": this server's update "
				  "sequence is an integer, now %" PRId64 "."),
			parameter, shown, current);
		return UPDATE_SEQUENCE_INVALID;
	}
	if ((int64_t)value > current) {
		req_error_set(err, REQ_INVALID_UPDATE_SEQUENCE, parameter,
			i18n_pick(req,
				  "Giá trị %s=\"%s\" lớn hơn số thứ tự cập "
				  "nhật hiện tại của máy chủ (%" PRId64 ").",
				  "%s=\"%s\" is greater than the server's "
				  "current update sequence (%" PRId64 ")."),
			parameter, shown, current);
		return UPDATE_SEQUENCE_INVALID;
	}
	if ((int64_t)value == current) {
		req_error_set(err, REQ_CURRENT_UPDATE_SEQUENCE, parameter,
			i18n_pick(req,
				  "Tài liệu năng lực với %s=\"%s\" vẫn là bản "
				  "mới nhất.",
				  "The capabilities document of %s=\"%s\" is "
				  "still current."),
			parameter, shown);
		return UPDATE_SEQUENCE_CURRENT;
	}
	return UPDATE_SEQUENCE_OLDER;
}
