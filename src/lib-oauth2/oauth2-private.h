/* oauth2-private.h - what the files of src/lib-oauth2 share with each
 * other and with their unit tests; not for other layers (use oauth2.h).
 */
#ifndef HK_OAUTH2_PRIVATE_H
#define HK_OAUTH2_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "oauth2.h"

/* oauth2-alloc.c: the allocator handed to libcurl and jansson.  Each
 * block carries its size, so that free can wipe all of it first. */
void *hk_oauth2_wmalloc(size_t n);
void *hk_oauth2_wcalloc(size_t nmemb, size_t size);
void *hk_oauth2_wrealloc(void *p, size_t n);
char *hk_oauth2_wstrdup(const char *s);
void hk_oauth2_wfree(void *p);

/* oauth2-form.c: percent-encoding (RFC 3986: everything but
 * [A-Za-z0-9-._~] as %XX), for URLs and x-www-form-urlencoded bodies. */
void hk_oauth2_pct_encode(struct hk_buf *b, const char *s);
/* Appends "name=value" (value encoded), preceded by '&' unless b is
 * empty.  A NULL or empty value adds nothing. */
void hk_oauth2_form_add(struct hk_buf *b, const char *name, const char *value);
/* The client's part of a token request body: client_id always, and
 * client_secret when the client has one and authenticates by POST. */
void hk_oauth2_form_client(struct hk_buf *b, const struct hk_oauth2_client *c);
/* "https://" at the start, case-insensitive. */
bool hk_oauth2_is_https(const char *url);

/* oauth2-result.c: fills err (http_status, the provider's error code or
 * NULL, a printf-style description), sanitized and cut to size. */
void hk_oauth2_err_set(struct hk_oauth2_error *err, long http_status,
    const char *error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Copies src into dst (cap bytes) keeping printable ASCII, '?' for
 * anything else; always terminated. */
void hk_oauth2_sanitize(char *dst, size_t cap, const char *src);

/* oauth2-http.c: POSTs the form body to url (https only).  On OK an HTTP
 * answer came: its status in *status_r and its body in body (made here
 * HK_BUF_SECRET with the cap HK_OAUTH2_MAX_BODY; the caller wipes and
 * frees it, whatever the class).  CONN: no answer; PROTO: the answer was too large; CONFIG: not
 * https or an unreadable ca_file.  *err is filled on every class but OK. */
enum hk_oauth2_status hk_oauth2_post(const struct hk_oauth2_client *c,
    const char *url, const struct hk_buf *form, long *status_r,
    struct hk_buf *body, struct hk_oauth2_error *err);

/* oauth2-flows.c: what every request needs (an endpoint url, named by
 * what in the message, and a client id): OK with *err cleared, or CONFIG. */
enum hk_oauth2_status hk_oauth2_check_client(const struct hk_oauth2_client *c,
    const char *url, const char *what, struct hk_oauth2_error *err);
/* Adds the client's credentials to form, posts it to url and reads the
 * token answer into *t (freed first).  form is wiped and freed. */
enum hk_oauth2_status hk_oauth2_token_request(const struct hk_oauth2_client *c,
    const char *url, struct hk_buf *form, struct hk_oauth2_token_response *t,
    struct hk_oauth2_error *err);

/* oauth2-json.c: reading the answers. */
/* now + expires_in, or -1 when expires_in is negative or absurd (more
 * than ten years). */
time_t hk_oauth2_expires_at(time_t now, long long expires_in);
/* A token answer (RFC 6749 5.1/5.2) of HTTP status http_status: OK with
 * *t filled, or GRANT/REFUSED/PENDING from an error object, or PROTO.
 * now is the time the request was sent. */
enum hk_oauth2_status hk_oauth2_parse_tokens(long http_status,
    const char *body, size_t len, time_t now,
    struct hk_oauth2_token_response *t, struct hk_oauth2_error *err);
/* A device authorization answer (RFC 8628 3.2). */
enum hk_oauth2_status hk_oauth2_parse_device(long http_status,
    const char *body, size_t len, time_t now, struct hk_oauth2_device *d,
    struct hk_oauth2_error *err);
/* An answer with no content of interest (revocation): OK for a 2xx, else
 * the class of its error object, or PROTO. */
enum hk_oauth2_status hk_oauth2_parse_empty(long http_status,
    const char *body, size_t len, struct hk_oauth2_error *err);

#endif
