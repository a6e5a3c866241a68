/* http.c - request and response objects, and the CGI response format. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"

void
hk_request_free(struct hk_request *req)
{
	/* Bodies carry passwords. */
	hk_buf_wipe_free(&req->body);
}

void
hk_response_init(struct hk_response *res)
{
	memset(res, 0, sizeof(*res));
	res->status = 200;
	/* Set-Cookie carries the session token. */
	hk_buf_init(&res->headers, 0, HK_BUF_SECRET);
}

void
hk_response_free(struct hk_response *res)
{
	hk_buf_free(&res->headers);
	hk_buf_free(&res->body);
	if (res->doc != NULL)
		xmlFreeDoc(res->doc);
	res->doc = NULL;
}

void
hk_response_header(struct hk_response *res, const char *name,
    const char *fmt, ...)
{
	size_t start = res->headers.len;
	va_list ap;

	hk_buf_printf(&res->headers, "%s: ", name);
	va_start(ap, fmt);
	hk_buf_vprintf(&res->headers, fmt, ap);
	va_end(ap);
	/* Header injection would be a bug in the caller: refuse loudly. */
	if (strpbrk(res->headers.data + start, "\r\n") != NULL)
		hk_fatal("header %s: value contains CR or LF", name);
	hk_buf_puts(&res->headers, "\r\n");
}

const char *
hk_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
hk_response_serialise_head(const struct hk_response *res, struct hk_buf *out)
{
	hk_buf_printf(out, "Status: %d %s\r\n", res->status,
	    hk_status_text(res->status));
	if (res->content_type != NULL)
		hk_buf_printf(out, "Content-Type: %s\r\n", res->content_type);
	hk_buf_append(out, res->headers.data, res->headers.len);
	hk_buf_printf(out, "Content-Length: %zu\r\n\r\n", res->body.len);
}

void
hk_response_serialise(const struct hk_response *res, struct hk_buf *out)
{
	hk_response_serialise_head(res, out);
	hk_buf_append(out, res->body.data, res->body.len);
}
