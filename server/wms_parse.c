/*
 * WMS request values and exception reports: the parts of the WMS handler
 * that need neither layers nor rendering, kept apart for unit tests.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/http_util.h"
#include "server/wms.h"

#define VERSION_111 10101
#define VERSION_130 10300

int wms_version_number(const char *text, int *number)
{
	int parts[3];
	const char *p = text;

	if (text == NULL)
		return -1;
	for (int i = 0; i < 3; i++) {
		int value = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			if (digits == 2)
				return -1;
			value = value * 10 + (*p - '0');
			digits++;
			p++;
		}
		if (digits == 0)
			return -1;
		parts[i] = value;
		if (i < 2 && *p++ != '.')
			return -1;
	}
	if (*p != '\0')
		return -1;
	*number = parts[0] * 10000 + parts[1] * 100 + parts[2];
	return 0;
}

int wms_version_negotiate(const char *text, enum wms_version *out)
{
	int number;

	if (text == NULL || *text == '\0') {
		*out = WMS_VERSION_130;
		return 0;
	}
	if (wms_version_number(text, &number) != 0)
		return -1;

	/* Supported: 1.1.1 and 1.3.0. Anything from 1.3.0 up gets 1.3.0;
	   anything below gets 1.1.1, the next lower or the lowest one. */
	*out = number >= VERSION_130 ? WMS_VERSION_130 : WMS_VERSION_111;
	return 0;
}

int wms_version_parse(const char *text, enum wms_version *out)
{
	if (text == NULL)
		return -1;
	if (strcmp(text, "1.3.0") == 0) {
		*out = WMS_VERSION_130;
		return 0;
	}
	if (strcmp(text, "1.1.1") == 0 || strcmp(text, "1.1.0") == 0) {
		*out = WMS_VERSION_111;
		return 0;
	}
	return -1;
}

const char *wms_version_text(enum wms_version version)
{
	return version == WMS_VERSION_130 ? "1.3.0" : "1.1.1";
}

int wms_exceptions_parse(const char *text, enum wms_exceptions *out)
{
	static const struct {
		const char *name;
		enum wms_exceptions value;
	} names[] = {
		{"XML", WMS_EXCEPTIONS_XML},
		{"INIMAGE", WMS_EXCEPTIONS_INIMAGE},
		{"BLANK", WMS_EXCEPTIONS_BLANK},
		{"application/vnd.ogc.se_xml", WMS_EXCEPTIONS_XML},
		{"application/vnd.ogc.se_inimage", WMS_EXCEPTIONS_INIMAGE},
		{"application/vnd.ogc.se_blank", WMS_EXCEPTIONS_BLANK},
		{"text/xml", WMS_EXCEPTIONS_XML},
	};

	if (text == NULL || *text == '\0') {
		*out = WMS_EXCEPTIONS_XML;
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i].name) == 0) {
			*out = names[i].value;
			return 0;
		}
	}
	return -1;
}

int wms_info_format_parse(const char *text, enum wms_info_format *out)
{
	static const struct {
		const char *mime;
		enum wms_info_format format;
	} formats[] = {
		{"text/plain", WMS_INFO_TEXT},
		{"text/html", WMS_INFO_HTML},
		{"application/json", WMS_INFO_JSON},
		{"application/geo+json", WMS_INFO_JSON},
		{"application/vnd.ogc.gml", WMS_INFO_GML},
	};

	if (text == NULL || *text == '\0') {
		*out = WMS_INFO_TEXT;
		return 0;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcasecmp(text, formats[i].mime) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -1;
}

const char *wms_info_format_mime(enum wms_info_format format)
{
	switch (format) {
	case WMS_INFO_HTML:
		return "text/html; charset=UTF-8";
	case WMS_INFO_JSON:
		return "application/json";
	case WMS_INFO_GML:
		return "application/vnd.ogc.gml";
	case WMS_INFO_TEXT:
		break;
	}
	return "text/plain; charset=UTF-8";
}

int wms_bgcolor_parse(const char *text, uint32_t *rgb)
{
	uint32_t value = 0;

	if (text == NULL || strlen(text) != 8)
		return -1;
	if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return -1;
	for (int i = 2; i < 8; i++) {
		int digit = http_hex_value(text[i]);

		if (digit < 0)
			return -1;
		value = value << 4 | (uint32_t)digit;
	}
	*rgb = value;
	return 0;
}

int wms_bool_parse(const char *text, bool *out)
{
	if (text == NULL)
		return -1;
	if (strcasecmp(text, "TRUE") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(text, "FALSE") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

static bool is_point_parameter(const char *parameter)
{
	return strcmp(parameter, "I") == 0 || strcmp(parameter, "J") == 0 ||
	       strcmp(parameter, "X") == 0 || strcmp(parameter, "Y") == 0;
}

const char *wms_exception_code(enum req_error_kind kind,
			       const char *parameter, enum wms_version version)
{
	if (parameter == NULL)
		parameter = "";

	switch (kind) {
	case REQ_MISSING_PARAMETER:
		return "MissingParameterValue";
	case REQ_INVALID_PARAMETER:
		return is_point_parameter(parameter) ? "InvalidPoint"
						     : "InvalidParameterValue";
	case REQ_INVALID_CRS:
		return version == WMS_VERSION_130 ? "InvalidCRS" : "InvalidSRS";
	case REQ_INVALID_FORMAT:
		return "InvalidFormat";
	case REQ_LAYER_NOT_DEFINED:
	case REQ_NOT_FOUND:
		return "LayerNotDefined";
	case REQ_STYLE_NOT_DEFINED:
		return "StyleNotDefined";
	case REQ_OPERATION_NOT_SUPPORTED:
		return strcmp(parameter, "QUERY_LAYERS") == 0
			       ? "LayerNotQueryable"
			       : "OperationNotSupported";
	case REQ_CURRENT_UPDATE_SEQUENCE:
		return "CurrentUpdateSequence";
	case REQ_INVALID_UPDATE_SEQUENCE:
		return "InvalidUpdateSequence";
	case REQ_OK:
	case REQ_METHOD_NOT_ALLOWED:
	case REQ_UNAUTHORIZED:
	case REQ_FORBIDDEN:
	case REQ_NOT_ACCEPTABLE:
	case REQ_TOO_LARGE:
	case REQ_TOO_MANY_REQUESTS:
	case REQ_UNAVAILABLE:
	case REQ_INTERNAL:
		break;
	}
	/* No WMS code fits: the report carries the message without a code
	   name of its own, which both versions allow. */
	return "NoApplicableCode";
}

const char *wms_exception_mime(enum wms_version version)
{
	return version == WMS_VERSION_130 ? "text/xml; charset=UTF-8"
					  : "application/vnd.ogc.se_xml";
}

int wms_exception_xml(struct strbuf *sb, const struct req_error *err,
		      enum wms_version version)
{
	if (version == WMS_VERSION_130) {
		strbuf_puts(sb,
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<ServiceExceptionReport version=\"1.3.0\""
			" xmlns=\"http://www.opengis.net/ogc\""
			" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
			" xsi:schemaLocation=\"http://www.opengis.net/ogc"
			" http://schemas.opengis.net/wms/1.3.0/"
			"exceptions_1_3_0.xsd\">\n");
	} else {
		strbuf_puts(sb,
			"<?xml version=\"1.0\" encoding=\"UTF-8\""
			" standalone=\"no\"?>\n"
			"<!DOCTYPE ServiceExceptionReport SYSTEM"
			" \"http://schemas.opengis.net/wms/1.1.1/"
			"exception_1_1_1.dtd\">\n"
			"<ServiceExceptionReport version=\"1.1.1\">\n");
	}

	strbuf_puts(sb, "<ServiceException code=\"");
	strbuf_puts(sb, wms_exception_code(err->kind, err->parameter, version));
	strbuf_puts(sb, "\"");
	if (err->parameter[0] != '\0') {
		strbuf_puts(sb, " locator=\"");
		strbuf_xml(sb, err->parameter);
		strbuf_puts(sb, "\"");
	}
	strbuf_puts(sb, ">");
	strbuf_xml(sb, err->message);
	strbuf_puts(sb, "</ServiceException>\n</ServiceExceptionReport>\n");
	return sb->overflow ? -1 : 0;
}

const char *wms_text(const struct http_request *req, const char *vi,
		     const char *en)
{
	const char *text = i18n_pick(req, vi, en);

	if (text == NULL)
		text = vi != NULL ? vi : en;
	return text != NULL ? text : "";
}

int wms_url_encode(struct strbuf *sb, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		unsigned char c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			strbuf_append(sb, (const char *)p, 1);
		} else {
			char escaped[3] = {'%', hex[c >> 4], hex[c & 15]};

			strbuf_append(sb, escaped, 3);
		}
	}
	return sb->overflow ? -1 : 0;
}
