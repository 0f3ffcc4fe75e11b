/*
 * Error documents of the HTTP core and the OGC API: RFC 7807 problem
 * details in JSON, and OGC exception reports in XML for the map services.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "server/handlers.h"

struct problem_kind {
	const char *slug;      /* last part of the problem type URN */
	const char *title_vi;
	const char *title_en;
	const char *ows_code;  /* OGC exception code */
};

static struct problem_kind problem_kind_of(enum req_error_kind kind)
{
	switch (kind) {
	case REQ_MISSING_PARAMETER:
		return (struct problem_kind){"missing-parameter", "Thiếu tham số",
			"Missing parameter", "MissingParameterValue"};
	case REQ_INVALID_PARAMETER:
		return (struct problem_kind){"invalid-parameter",
			"Giá trị tham số không hợp lệ",
			"Invalid parameter value", "InvalidParameterValue"};
	case REQ_INVALID_CRS:
		return (struct problem_kind){"invalid-crs",
			"Hệ tọa độ không hợp lệ", "Invalid CRS", "InvalidCRS"};
	case REQ_INVALID_FORMAT:
		return (struct problem_kind){"invalid-format",
			"Định dạng không được hỗ trợ", "Unsupported format",
			"InvalidFormat"};
	case REQ_LAYER_NOT_DEFINED:
		return (struct problem_kind){"not-found",
			"Không tìm thấy lớp dữ liệu", "Layer not found",
			"LayerNotDefined"};
	case REQ_STYLE_NOT_DEFINED:
		return (struct problem_kind){"invalid-parameter",
			"Kiểu hiển thị không tồn tại", "Style not defined",
			"StyleNotDefined"};
	case REQ_OPERATION_NOT_SUPPORTED:
		return (struct problem_kind){"not-supported",
			"Thao tác không được hỗ trợ", "Operation not supported",
			"OperationNotSupported"};
	case REQ_CURRENT_UPDATE_SEQUENCE:
	case REQ_INVALID_UPDATE_SEQUENCE:
		return (struct problem_kind){"invalid-parameter",
			"Giá trị tham số không hợp lệ",
			"Invalid parameter value", "InvalidUpdateSequence"};
	case REQ_NOT_FOUND:
		return (struct problem_kind){"not-found", "Không tìm thấy",
			"Not found", "OperationNotSupported"};
	case REQ_METHOD_NOT_ALLOWED:
		return (struct problem_kind){"method-not-allowed",
			"Phương thức không được phép", "Method not allowed",
			"OperationNotSupported"};
	case REQ_UNAUTHORIZED:
		return (struct problem_kind){"unauthorized", "Chưa xác thực",
			"Unauthorized", "NoApplicableCode"};
	case REQ_FORBIDDEN:
		return (struct problem_kind){"forbidden",
			"Không có quyền truy cập", "Forbidden",
			"NoApplicableCode"};
	case REQ_NOT_ACCEPTABLE:
		return (struct problem_kind){"not-acceptable",
			"Không có định dạng phù hợp", "Not acceptable",
			"InvalidFormat"};
	case REQ_TOO_LARGE:
		return (struct problem_kind){"too-large", "Yêu cầu quá lớn",
			"Request too large", "InvalidParameterValue"};
	case REQ_TOO_MANY_REQUESTS:
		return (struct problem_kind){"too-many-requests",
			"Quá nhiều yêu cầu", "Too many requests",
			"NoApplicableCode"};
	case REQ_UNAVAILABLE:
		return (struct problem_kind){"unavailable",
			"Dịch vụ tạm thời không sẵn sàng",
			"Service unavailable", "NoApplicableCode"};
	case REQ_OK:
	case REQ_INTERNAL:
		break;
	}
	return (struct problem_kind){"internal-error", "Lỗi máy chủ",
		"Internal server error", "NoApplicableCode"};
}

/* Last resort when even the error document cannot be built. */
static void reply_out_of_memory(struct http_response *res)
{
	http_response_copy(res, 503, "text/plain; charset=utf-8",
			   "out of memory\n", 14);
}

void http_problem_reply(const struct http_request *req,
			struct http_response *res, const struct req_error *err)
{
	struct problem_kind kind = problem_kind_of(err->kind);
	int status = err->kind == REQ_LAYER_NOT_DEFINED ?
		404 : req_error_status(err->kind);
	char type[96];
	json_t *doc = json_object();
	char *text;

	snprintf(type, sizeof(type), "urn:vnsdi:problem:%s", kind.slug);
	if (doc == NULL) {
		reply_out_of_memory(res);
		return;
	}
	json_object_set_new(doc, "type", json_string(type));
	json_object_set_new(doc, "title",
			    json_string(i18n_pick(req, kind.title_vi,
						  kind.title_en)));
	json_object_set_new(doc, "status", json_integer(status));
	/* json_string rejects invalid UTF-8; a message cut by req_value stays
	   valid, but fall back to the title rather than drop the detail. */
	if (json_object_set_new(doc, "detail", json_string(err->message)) != 0)
		json_object_set_new(doc, "detail",
				    json_string(i18n_pick(req, kind.title_vi,
							  kind.title_en)));
	if (err->parameter[0] != '\0')
		json_object_set_new(doc, "parameter",
				    json_string(err->parameter));

	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL) {
		reply_out_of_memory(res);
		return;
	}
	http_response_take(res, status, "application/problem+json", text,
			   strlen(text));
}

void http_exception_reply(const struct http_request *req,
			  struct http_response *res,
			  const struct req_error *err, bool ows)
{
	struct problem_kind kind = problem_kind_of(err->kind);
	int status = req_error_status(err->kind);
	struct strbuf sb;
	char *body;
	size_t size;

	strbuf_init(&sb, 16384);
	strbuf_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (ows) {
		strbuf_printf(&sb,
			      "<ows:ExceptionReport xmlns:ows=\"http://www.opengis"
			      ".net/ows/1.1\" version=\"1.0.0\" xml:lang=\"%s\">\n"
			      "  <ows:Exception exceptionCode=\"%s\"",
			      i18n_pick(req, "vi", "en"), kind.ows_code);
	} else {
		strbuf_printf(&sb,
			      "<ServiceExceptionReport version=\"1.3.0\" "
			      "xmlns=\"http://www.opengis.net/ogc\">\n"
			      "  <ServiceException code=\"%s\"", kind.ows_code);
	}
	if (err->parameter[0] != '\0') {
		strbuf_puts(&sb, " locator=\"");
		strbuf_xml(&sb, err->parameter);
		strbuf_puts(&sb, "\"");
	}
	strbuf_puts(&sb, ows ? ">\n    <ows:ExceptionText>" : ">");
	strbuf_xml(&sb, err->message);
	strbuf_puts(&sb, ows ? "</ows:ExceptionText>\n  </ows:Exception>\n"
			       "</ows:ExceptionReport>\n"
			     : "</ServiceException>\n</ServiceExceptionReport>\n");
	if (sb.overflow) {
		strbuf_free(&sb);
		reply_out_of_memory(res);
		return;
	}
	body = strbuf_take(&sb, &size);
	if (body == NULL) {
		reply_out_of_memory(res);
		return;
	}
	http_response_take(res, status,
			   ows ? "application/xml" : "text/xml; charset=utf-8",
			   body, size);
}
