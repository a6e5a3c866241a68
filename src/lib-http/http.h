/* http.h - one request and its response, independent of FastCGI.
 *
 * The FastCGI loop (hikyaku-fcgi.c) fills a hk_request from the server's
 * parameters and body, app.c routes it, a handler fills the hk_response,
 * and the loop writes it out.  Tests build requests directly.
 */
#ifndef HK_HTTP_H
#define HK_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "buf.h"
#include "params.h"

struct hk_request {
	/* Borrowed from the server's parameters; valid for the request. */
	const char *method;
	const char *uri;		/* REQUEST_URI: raw path and query */
	const char *query_string;
	const char *content_type;
	const char *content_length;	/* NULL when the body is chunked */
	const char *accept;
	const char *accept_language;
	const char *cookie;
	const char *remote_addr;
	const char *remote_user;
	const char *if_none_match;
	bool https;
	/* Owned: the request body (NUL-terminated for convenience). */
	struct hk_buf body;
	bool body_too_large;		/* more than max_body was sent */
	bool body_bad;			/* cut short, or not CONTENT_LENGTH long */
};

struct hk_response {
	int status;
	const char *content_type;	/* a literal */
	struct hk_buf headers;		/* extra "Name: value\r\n" lines */
	struct hk_buf body;
	/* A page document to render (owned); rendering fills body. */
	xmlDocPtr doc;
	char screen[48];
};

void hk_request_free(struct hk_request *req);
void hk_response_init(struct hk_response *res);
void hk_response_free(struct hk_response *res);

/* Adds one header line; value must not contain CR or LF (checked). */
void hk_response_header(struct hk_response *res, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The reason phrase for a status code. */
const char *hk_status_text(int status);

/* Writes "Status:" and the headers and body as a CGI response into out. */
void hk_response_serialise(const struct hk_response *res, struct hk_buf *out);
/* The same without the body, which the caller then writes itself. */
void hk_response_serialise_head(const struct hk_response *res,
    struct hk_buf *out);

#endif
