/* oauth2-json.c - reading the endpoints' JSON answers (RFC 6749 5.1 and
 * 5.2, RFC 8628 3.2 and 3.5): tokens, device codes, error objects.
 *
 * The answer is untrusted: anything but a JSON object of the right shape
 * is HK_OAUTH2_PROTO, and a token with a character outside printable
 * ASCII is refused too, since it ends up inside IMAP, POP3 and SMTP
 * command lines.  jansson's copies live in wiped memory (oauth2-alloc.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "mem.h"
#include "oauth2-private.h"

#define TEN_YEARS (10LL * 366 * 24 * 3600)
#define MAX_SHOWN 2048		/* user code, verification URI, scope */

/* The error codes that are not plain refusals; every other code is
 * HK_OAUTH2_REFUSED. */
static const struct error_class {
	const char *code;
	enum hk_oauth2_status status;
} error_classes[] = {
	{ "invalid_grant",		HK_OAUTH2_GRANT },
	{ "authorization_pending",	HK_OAUTH2_PENDING },	/* RFC 8628 3.5 */
	{ "slow_down",			HK_OAUTH2_PENDING },
};

time_t
hk_oauth2_expires_at(time_t now, long long expires_in)
{
	if (expires_in < 0 || expires_in > TEN_YEARS)
		return -1;
	return now + (time_t)expires_in;
}

static enum hk_oauth2_status
error_object(long http_status, json_t *root, const char *code,
    struct hk_oauth2_error *err)
{
	json_t *desc = json_object_get(root, "error_description");
	enum hk_oauth2_status st = HK_OAUTH2_REFUSED;
	size_t i;

	for (i = 0; i < sizeof(error_classes) / sizeof(error_classes[0]); i++)
		if (strcmp(code, error_classes[i].code) == 0)
			st = error_classes[i].status;
	if (json_is_string(desc) && json_string_length(desc) > 0)
		hk_oauth2_err_set(err, http_status, code, "%s",
		    json_string_value(desc));
	else
		hk_oauth2_err_set(err, http_status, code,
		    "the provider answered %s", code);
	return st;
}

/* Parses an answer: OK with *root_r (the caller's to json_decref) for a
 * 2xx JSON object without "error"; the class of an error object; PROTO
 * for anything else. */
static enum hk_oauth2_status
decode(long http_status, const char *body, size_t len, json_t **root_r,
    struct hk_oauth2_error *err)
{
	json_error_t jerr;
	json_t *root = NULL, *code;
	enum hk_oauth2_status st;

	*root_r = NULL;
	hk_oauth2_init();	/* jansson must allocate in wiped memory */
	if (len > 0)
		root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root != NULL && !json_is_object(root)) {
		json_decref(root);
		root = NULL;
	}
	code = root != NULL ? json_object_get(root, "error") : NULL;
	if (json_is_string(code) && json_string_length(code) > 0) {
		st = error_object(http_status, root, json_string_value(code), err);
		json_decref(root);
		return st;
	}
	if (http_status >= 200 && http_status <= 299 && root != NULL) {
		*root_r = root;
		return HK_OAUTH2_OK;
	}
	json_decref(root);
	if (http_status >= 300 && http_status <= 399)
		hk_oauth2_err_set(err, http_status, NULL, "the endpoint "
		    "redirected (HTTP %ld); redirects are not followed",
		    http_status);
	else if (http_status >= 200 && http_status <= 299)
		hk_oauth2_err_set(err, http_status, NULL, "the answer "
		    "(HTTP %ld) is not a JSON object", http_status);
	else
		hk_oauth2_err_set(err, http_status, NULL, "HTTP status %ld "
		    "without an OAuth 2.0 error", http_status);
	return HK_OAUTH2_PROTO;
}

/* A member that is an integer, or a string of digits (older Microsoft
 * endpoints send "3599"): 1 with *n_r, 0 when absent, -1 when malformed. */
static int
get_count(json_t *root, const char *name, long long *n_r)
{
	json_t *v = json_object_get(root, name);
	const char *s;
	char *end;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*n_r = json_integer_value(v);
		return 1;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*n_r = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' ? 1 : -1;
}

/* A string member: 1 with *s_r, 0 when absent (or null), -1 when not a
 * string. */
static int
get_string(json_t *root, const char *name, const char **s_r)
{
	json_t *v = json_object_get(root, name);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*s_r = json_string_value(v);
	return 1;
}

/* A token or code goes into protocol lines: visible ASCII only. */
static bool
token_chars_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

static bool
secret_into(struct hk_buf *b, const char *s)
{
	if (*s == '\0' || !token_chars_ok(s))
		return false;
	hk_buf_init(b, 0, HK_BUF_SECRET);
	hk_buf_puts(b, s);
	return true;
}

enum hk_oauth2_status
hk_oauth2_parse_tokens(long http_status, const char *body, size_t len,
    time_t now, struct hk_oauth2_token_response *t, struct hk_oauth2_error *err)
{
	const char *access = NULL, *refresh = NULL, *type = NULL, *scope = NULL;
	long long expires_in = 0;
	enum hk_oauth2_status st;
	json_t *root;
	int has_expiry;

	hk_oauth2_token_response_free(t);
	if ((st = decode(http_status, body, len, &root, err)) != HK_OAUTH2_OK)
		return st;
	st = HK_OAUTH2_PROTO;
	if (get_string(root, "access_token", &access) != 1 || *access == '\0') {
		hk_oauth2_err_set(err, http_status, NULL,
		    "the answer holds no access_token");
		goto out;
	}
	/* RFC 6749 requires token_type; a few servers leave it out. */
	if (get_string(root, "token_type", &type) < 0 ||
	    (type != NULL && strcasecmp(type, "bearer") != 0)) {
		hk_oauth2_err_set(err, http_status, NULL, "the token type is "
		    "'%.32s', not Bearer", type != NULL ? type : "?");
		goto out;
	}
	if ((has_expiry = get_count(root, "expires_in", &expires_in)) < 0 ||
	    (has_expiry && hk_oauth2_expires_at(now, expires_in) < 0)) {
		hk_oauth2_err_set(err, http_status, NULL,
		    "the answer's expires_in is not a number of seconds");
		goto out;
	}
	if (get_string(root, "refresh_token", &refresh) < 0 ||
	    get_string(root, "scope", &scope) < 0 ||
	    (scope != NULL && strlen(scope) > MAX_SHOWN)) {
		hk_oauth2_err_set(err, http_status, NULL,
		    "the answer's refresh_token or scope is malformed");
		goto out;
	}
	if (!secret_into(&t->access_token, access) ||
	    (refresh != NULL && !secret_into(&t->refresh_token, refresh))) {
		hk_oauth2_token_response_free(t);
		hk_oauth2_err_set(err, http_status, NULL,
		    "a token holds characters other than visible ASCII");
		goto out;
	}
	t->expires_at = has_expiry ? hk_oauth2_expires_at(now, expires_in) : 0;
	t->scope = scope != NULL ? hk_strdup(scope) : NULL;
	st = HK_OAUTH2_OK;
out:
	json_decref(root);
	return st;
}

/* A copy of a string shown to the user, or NULL when it is too long. */
static char *
shown_copy(const char *s)
{
	char *c;

	if (strlen(s) > MAX_SHOWN)
		return NULL;
	c = hk_malloc(strlen(s) + 1);
	hk_oauth2_sanitize(c, strlen(s) + 1, s);
	return c;
}

enum hk_oauth2_status
hk_oauth2_parse_device(long http_status, const char *body, size_t len,
    time_t now, struct hk_oauth2_device *d, struct hk_oauth2_error *err)
{
	const char *code = NULL, *user = NULL, *uri = NULL, *complete = NULL;
	long long expires_in = 0, interval = 5;
	enum hk_oauth2_status st;
	json_t *root;

	hk_oauth2_device_free(d);
	if ((st = decode(http_status, body, len, &root, err)) != HK_OAUTH2_OK)
		return st;
	st = HK_OAUTH2_PROTO;
	if (get_string(root, "device_code", &code) != 1 ||
	    get_string(root, "user_code", &user) != 1 || *user == '\0' ||
	    /* Google's name for it, from a draft of RFC 8628 */
	    (get_string(root, "verification_uri", &uri) != 1 &&
	    get_string(root, "verification_url", &uri) != 1) || *uri == '\0' ||
	    get_string(root, "verification_uri_complete", &complete) < 0 ||
	    get_count(root, "expires_in", &expires_in) != 1 ||
	    hk_oauth2_expires_at(now, expires_in) < 0 ||
	    get_count(root, "interval", &interval) < 0 ||
	    interval < 0 || interval > 3600) {
		hk_oauth2_err_set(err, http_status, NULL, "the device "
		    "authorization answer lacks a field or has a malformed one");
		goto out;
	}
	if (!secret_into(&d->device_code, code) ||
	    (d->user_code = shown_copy(user)) == NULL ||
	    (d->verification_uri = shown_copy(uri)) == NULL ||
	    (complete != NULL &&
	    (d->verification_uri_complete = shown_copy(complete)) == NULL)) {
		hk_oauth2_device_free(d);
		hk_oauth2_err_set(err, http_status, NULL, "the device "
		    "authorization answer has an oversized or malformed field");
		goto out;
	}
	d->interval = interval > 0 ? (int)interval : 5;
	d->expires_at = hk_oauth2_expires_at(now, expires_in);
	st = HK_OAUTH2_OK;
out:
	json_decref(root);
	return st;
}

enum hk_oauth2_status
hk_oauth2_parse_empty(long http_status, const char *body, size_t len,
    struct hk_oauth2_error *err)
{
	json_t *root;
	enum hk_oauth2_status st;

	/* RFC 7009 2.2: a 200 says it all, whatever its body. */
	if (http_status >= 200 && http_status <= 299)
		return HK_OAUTH2_OK;
	st = decode(http_status, body, len, &root, err);
	json_decref(root);
	return st;
}
