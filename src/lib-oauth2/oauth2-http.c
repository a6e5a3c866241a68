/* oauth2-http.c - the one HTTPS request of the OAuth 2.0 client: a form
 * POST through libcurl.
 *
 * Always: https only, peer and host name verified against the system's
 * CAs plus the client's ca_file (added to the store, never replacing
 * it), TLS 1.2 or later, no redirect followed, a connect and a total
 * timeout, the answer capped at HK_OAUTH2_MAX_BODY in the caller's secret
 * buffer.  Proxies named by the environment (https_proxy, no_proxy) are
 * honoured, as in every libcurl program.  Nothing about the request body
 * is logged: it holds codes, tokens and the client secret.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "log.h"
#include "mem.h"
#include "oauth2-private.h"

struct sink {
	struct hk_buf *body;
	bool too_big;
};

/* Set once at start-up (hk_oauth2_set_timeout), read by every request. */
static long process_timeout_ms = HK_OAUTH2_TIMEOUT_MS;

void
hk_oauth2_set_timeout(long total_ms)
{
	process_timeout_ms = total_ms > 0 ? total_ms : HK_OAUTH2_TIMEOUT_MS;
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (hk_buf_add(s->body, p, size * n) < 0) {
		s->too_big = true;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	return size * n;
}

/* libcurl's OpenSSL context hook: the extra trust anchors join the
 * default ones curl has loaded. */
static CURLcode
add_ca_file(CURL *curl, void *ssl_ctx, void *arg)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ssl_ctx);

	(void)curl;
	if (X509_STORE_load_locations(store, arg, NULL) != 1) {
		ERR_clear_error();
		return CURLE_SSL_CACERT_BADFILE;
	}
	return CURLE_OK;
}

/* RFC 6749 2.3.1: the id and secret are form-encoded before Basic. */
static void
basic_auth(CURL *curl, const struct hk_oauth2_client *c, struct hk_buf *user,
    struct hk_buf *pass)
{
	hk_oauth2_pct_encode(user, c->client_id != NULL ? c->client_id : "");
	hk_oauth2_pct_encode(pass, c->client_secret);
	curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(curl, CURLOPT_USERNAME, hk_buf_str(user));
	curl_easy_setopt(curl, CURLOPT_PASSWORD, hk_buf_str(pass));
}

static enum hk_oauth2_status
failure(CURLcode rc, const struct sink *sink, const char *detail,
    long timeout_ms, struct hk_oauth2_error *err)
{
	const char *why = *detail != '\0' ? detail : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_WRITE_ERROR:
		if (!sink->too_big)
			break;
		hk_oauth2_err_set(err, 0, NULL, "the answer is larger than "
		    "%d bytes", HK_OAUTH2_MAX_BODY);
		return HK_OAUTH2_PROTO;
	case CURLE_OPERATION_TIMEDOUT:
		hk_oauth2_err_set(err, 0, NULL, "no answer within %ld ms",
		    timeout_ms);
		return HK_OAUTH2_CONN;
	case CURLE_UNSUPPORTED_PROTOCOL:
		hk_oauth2_err_set(err, 0, NULL, "only https:// is allowed");
		return HK_OAUTH2_CONFIG;
	default:
		break;
	}
	hk_oauth2_err_set(err, 0, NULL, "cannot reach the endpoint: %s", why);
	return HK_OAUTH2_CONN;
}

enum hk_oauth2_status
hk_oauth2_post(const struct hk_oauth2_client *c, const char *url,
    const struct hk_buf *form, long *status_r, struct hk_buf *body,
    struct hk_oauth2_error *err)
{
	char detail[CURL_ERROR_SIZE] = "";
	struct hk_buf user, pass;
	struct curl_slist *headers = NULL;
	struct sink sink = { body, false };
	long total_ms = c->timeout_ms > 0 ? c->timeout_ms : process_timeout_ms;
	long connect_ms = c->connect_timeout_ms > 0 ? c->connect_timeout_ms :
	    total_ms < HK_OAUTH2_CONNECT_TIMEOUT_MS ? total_ms :
	    HK_OAUTH2_CONNECT_TIMEOUT_MS;
	enum hk_oauth2_status st = HK_OAUTH2_OK;
	CURLcode rc;
	CURL *curl;

	*status_r = 0;
	if (!hk_oauth2_is_https(url)) {
		hk_oauth2_err_set(err, 0, NULL, "the endpoint is not an "
		    "https:// URL");
		return HK_OAUTH2_CONFIG;
	}
	if (c->ca_file != NULL && *c->ca_file != '\0' &&
	    access(c->ca_file, R_OK) != 0) {
		hk_oauth2_err_set(err, 0, NULL, "ca_file %s cannot be read",
		    c->ca_file);
		return HK_OAUTH2_CONFIG;
	}
	hk_oauth2_init();
	if ((curl = curl_easy_init()) == NULL)
		hk_fatal("oauth2: curl_easy_init failed");
	hk_buf_init(body, HK_OAUTH2_MAX_BODY, HK_BUF_SECRET);
	hk_buf_init(&user, 0, HK_BUF_SECRET);
	hk_buf_init(&pass, 0, HK_BUF_SECRET);
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, "Expect:");
	if (headers == NULL)
		hk_fatal("oauth2: out of memory");

	curl_easy_setopt(curl, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85 */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_ms);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c->ca_file != NULL && *c->ca_file != '\0') {
		curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, c->ca_file);
		if (curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION,
		    add_ca_file) != CURLE_OK) {
			/* Another TLS back end: the anchors cannot be added,
			 * and dropping them silently would fail later. */
			hk_oauth2_err_set(err, 0, NULL, "ca_file needs libcurl "
			    "built with OpenSSL");
			st = HK_OAUTH2_CONFIG;
			goto out;
		}
	}
	curl_easy_setopt(curl, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form->data != NULL ?
	    form->data : "");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)form->len);
	if (c->client_auth == HK_OAUTH2_AUTH_BASIC &&
	    c->client_secret != NULL && *c->client_secret != '\0')
		basic_auth(curl, c, &user, &pass);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);

	if ((rc = curl_easy_perform(curl)) != CURLE_OK) {
		hk_buf_reset(body);
		st = failure(rc, &sink, detail, total_ms, err);
		hk_debug("oauth2: POST %s: %s", url, err->description);
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status_r);
	hk_debug("oauth2: POST %s: HTTP %ld, %zu bytes", url, *status_r,
	    body->len);
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	hk_buf_wipe_free(&user);
	hk_buf_wipe_free(&pass);
	return st;
}
