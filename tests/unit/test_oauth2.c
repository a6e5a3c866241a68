/* test_oauth2.c - the OAuth 2.0 client without a network: PKCE against
 * RFC 7636's example, the authorization URL's encoding, the reading of
 * token, error, device and garbage answers, the expiry, and that tokens
 * are wiped when freed. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "freewatch.h"
#include "mem.h"
#include "oauth2.h"
#include "oauth2-private.h"
#include "secmem.h"

#define UNRESERVED "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

static enum hk_oauth2_status
tokens(long status, const char *body, time_t now,
    struct hk_oauth2_token_response *t, struct hk_oauth2_error *err)
{
	memset(err, 0, sizeof(*err));
	return hk_oauth2_parse_tokens(status, body, strlen(body), now, t, err);
}

/* RFC 7636 Appendix B. */
static void
test_pkce_rfc7636_example(void **state)
{
	char challenge[44];

	(void)state;
	assert_int_equal(hk_oauth2_pkce_challenge(
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", challenge), 0);
	assert_string_equal(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_pkce_refuses_bad_verifiers(void **state)
{
	char challenge[44], v[130];

	(void)state;
	memset(v, 'a', sizeof(v));
	v[42] = '\0';		/* 42: too short */
	assert_int_equal(hk_oauth2_pkce_challenge(v, challenge), -1);
	v[42] = 'a';
	v[43] = '\0';		/* 43: the shortest */
	assert_int_equal(hk_oauth2_pkce_challenge(v, challenge), 0);
	v[43] = 'a';
	v[128] = '\0';		/* 128: the longest */
	assert_int_equal(hk_oauth2_pkce_challenge(v, challenge), 0);
	v[128] = 'a';
	v[129] = '\0';		/* 129: too long */
	assert_int_equal(hk_oauth2_pkce_challenge(v, challenge), -1);
	assert_int_equal(hk_oauth2_pkce_challenge(
	    "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk", challenge), -1);
}

static void
test_pkce_new_and_state(void **state)
{
	struct hk_oauth2_pkce a, b;
	char check[44], s1[44], s2[44];

	(void)state;
	hk_oauth2_pkce_new(&a);
	hk_oauth2_pkce_new(&b);
	assert_int_equal(strlen(a.verifier), 64);
	assert_int_equal(strspn(a.verifier, UNRESERVED), 64);
	assert_int_equal(strlen(a.challenge), 43);
	assert_int_equal(hk_oauth2_pkce_challenge(a.verifier, check), 0);
	assert_string_equal(check, a.challenge);
	assert_string_not_equal(a.verifier, b.verifier);
	hk_oauth2_state_new(s1);
	hk_oauth2_state_new(s2);
	assert_int_equal(strlen(s1), 43);
	assert_int_equal(strspn(s1, UNRESERVED), 43);
	assert_string_not_equal(s1, s2);
}

static void
test_percent_encoding(void **state)
{
	struct hk_buf b = HK_BUF_INIT;

	(void)state;
	hk_oauth2_pct_encode(&b, "a b&c=d/\xc3\xa9+%~._-Z9");
	assert_string_equal(hk_buf_str(&b), "a%20b%26c%3Dd%2F%C3%A9%2B%25~._-Z9");
	hk_buf_reset(&b);
	hk_oauth2_form_add(&b, "grant_type", "refresh_token");
	hk_oauth2_form_add(&b, "absent", NULL);
	hk_oauth2_form_add(&b, "empty", "");
	hk_oauth2_form_add(&b, "scope", "openid offline_access");
	assert_string_equal(hk_buf_str(&b),
	    "grant_type=refresh_token&scope=openid%20offline_access");
	hk_buf_free(&b);
}

static void
test_auth_url(void **state)
{
	struct hk_oauth2_client c = { 0 };
	char *url;

	(void)state;
	c.auth_url = "https://login.example.com/common/oauth2/v2.0/authorize";
	c.client_id = "1d6e-app";
	url = hk_oauth2_auth_url(&c, "https://admin.example.com/hk/oauth2/callback",
	    "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
	    "st4te", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
	    "user+tag@example.com");
	assert_string_equal(url,
	    "https://login.example.com/common/oauth2/v2.0/authorize"
	    "?response_type=code&client_id=1d6e-app"
	    "&redirect_uri=https%3A%2F%2Fadmin.example.com%2Fhk%2Foauth2%2Fcallback"
	    "&scope=https%3A%2F%2Foutlook.office.com%2FIMAP.AccessAsUser.All%20offline_access"
	    "&state=st4te&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	    "&code_challenge_method=S256&login_hint=user%2Btag%40example.com");
	free(url);

	/* A query of the endpoint's own is kept; a fragment is dropped; no
	 * login_hint, no parameter. */
	c.auth_url = "https://idp.example/auth?tenant=a#frag";
	url = hk_oauth2_auth_url(&c, "https://r/", NULL, "s", "c", NULL);
	assert_string_equal(url, "https://idp.example/auth?tenant=a"
	    "&response_type=code&client_id=1d6e-app&redirect_uri=https%3A%2F%2Fr%2F"
	    "&state=s&code_challenge=c&code_challenge_method=S256");
	free(url);

	c.auth_url = "http://idp.example/auth";
	assert_null(hk_oauth2_auth_url(&c, "https://r/", "x", "s", "c", NULL));
	c.auth_url = "https://idp.example/auth";
	assert_null(hk_oauth2_auth_url(&c, "https://r/", "x", "", "c", NULL));
	c.client_id = NULL;
	assert_null(hk_oauth2_auth_url(&c, "https://r/", "x", "s", "c", NULL));
}

static void
test_expiry(void **state)
{
	(void)state;
	assert_int_equal(hk_oauth2_expires_at(1000, 3600), 4600);
	assert_int_equal(hk_oauth2_expires_at(1000, 0), 1000);
	assert_int_equal(hk_oauth2_expires_at(1000, -1), -1);
	assert_int_equal(hk_oauth2_expires_at(1000, 11LL * 366 * 24 * 3600), -1);
}

static void
test_parse_success(void **state)
{
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;

	(void)state;
	assert_int_equal(tokens(200, "{\"token_type\":\"Bearer\",\"scope\":"
	    "\"IMAP.AccessAsUser.All SMTP.Send\",\"expires_in\":3599,"
	    "\"ext_expires_in\":3599,\"access_token\":\"eyJ0.eyJ1.c2ln\","
	    "\"refresh_token\":\"0.AAAA-rt\"}", 1700000000, &t, &err),
	    HK_OAUTH2_OK);
	assert_string_equal(hk_buf_str(&t.access_token), "eyJ0.eyJ1.c2ln");
	assert_string_equal(hk_buf_str(&t.refresh_token), "0.AAAA-rt");
	assert_true(t.access_token.flags & HK_BUF_SECRET);
	assert_true(t.refresh_token.flags & HK_BUF_SECRET);
	assert_string_equal(t.scope, "IMAP.AccessAsUser.All SMTP.Send");
	assert_int_equal(t.expires_at, 1700000000 + 3599);

	/* No refresh token: not rotated.  No scope: as asked.  A lifetime
	 * as a string, a lower-case type. */
	assert_int_equal(tokens(200, "{\"access_token\":\"a\",\"token_type\":"
	    "\"bearer\",\"expires_in\":\"3600\"}", 100, &t, &err), HK_OAUTH2_OK);
	assert_string_equal(hk_buf_str(&t.access_token), "a");
	assert_int_equal(t.refresh_token.len, 0);
	assert_null(t.scope);
	assert_int_equal(t.expires_at, 3700);

	/* No lifetime at all: 0, "unknown". */
	assert_int_equal(tokens(200, "{\"access_token\":\"a\",\"token_type\":"
	    "\"Bearer\"}", 100, &t, &err), HK_OAUTH2_OK);
	assert_int_equal(t.expires_at, 0);
	hk_oauth2_token_response_free(&t);
	assert_int_equal(t.access_token.len, 0);
}

static void
test_parse_provider_errors(void **state)
{
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	char *long_desc, *body;

	(void)state;
	assert_int_equal(tokens(400, "{\"error\":\"invalid_grant\","
	    "\"error_description\":\"AADSTS70000: revoked\\u0007\\n\\u00e9\"}",
	    0, &t, &err), HK_OAUTH2_GRANT);
	assert_string_equal(err.error, "invalid_grant");
	assert_string_equal(err.description, "AADSTS70000: revoked????");
	assert_int_equal(err.http_status, 400);
	assert_int_equal(t.access_token.len, 0);

	assert_int_equal(tokens(401, "{\"error\":\"invalid_client\"}", 0, &t,
	    &err), HK_OAUTH2_REFUSED);
	assert_string_equal(err.error, "invalid_client");
	assert_string_equal(err.description, "the provider answered invalid_client");

	assert_int_equal(tokens(400, "{\"error\":\"authorization_pending\"}",
	    0, &t, &err), HK_OAUTH2_PENDING);
	assert_int_equal(tokens(400, "{\"error\":\"slow_down\"}", 0, &t, &err),
	    HK_OAUTH2_PENDING);
	/* An error object wins over a 200. */
	assert_int_equal(tokens(200, "{\"error\":\"access_denied\"}", 0, &t,
	    &err), HK_OAUTH2_REFUSED);

	/* A long description is cut, never overflows. */
	long_desc = hk_malloc(3000);
	memset(long_desc, 'x', 2999);
	long_desc[2999] = '\0';
	body = hk_aprintf("{\"error\":\"invalid_scope%s\",\"error_description\":"
	    "\"%s\"}", long_desc, long_desc);
	assert_int_equal(tokens(400, body, 0, &t, &err), HK_OAUTH2_REFUSED);
	assert_int_equal(strlen(err.description), sizeof(err.description) - 1);
	assert_int_equal(strlen(err.error), sizeof(err.error) - 1);
	assert_memory_equal(err.error, "invalid_scope", 13);
	free(body);
	free(long_desc);
	hk_oauth2_token_response_free(&t);
}

static void
expect_proto(long status, const char *body)
{
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;

	assert_int_equal(tokens(status, body, 0, &t, &err), HK_OAUTH2_PROTO);
	assert_int_equal(t.access_token.len, 0);
	assert_int_equal(t.refresh_token.len, 0);
	assert_null(t.scope);
	assert_int_equal(err.http_status, status);
	assert_string_equal(err.error, "");
	assert_true(err.description[0] != '\0');
	hk_oauth2_token_response_free(&t);
}

static void
test_parse_garbage(void **state)
{
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;

	(void)state;
	expect_proto(200, "");
	expect_proto(200, "access_token=abc&token_type=bearer");
	expect_proto(200, "[\"access_token\"]");
	expect_proto(200, "{\"access_token\":\"a\"");	/* cut short */
	expect_proto(200, "{}");
	expect_proto(200, "{\"access_token\":\"\"}");
	expect_proto(200, "{\"access_token\":42}");
	expect_proto(200, "{\"access_token\":\"a\",\"token_type\":\"mac\"}");
	expect_proto(200, "{\"access_token\":\"a\",\"expires_in\":-5}");
	expect_proto(200, "{\"access_token\":\"a\",\"expires_in\":\"soon\"}");
	expect_proto(200, "{\"access_token\":\"a\",\"expires_in\":1e99}");
	expect_proto(200, "{\"access_token\":\"a\",\"refresh_token\":7}");
	expect_proto(200, "{\"access_token\":\"a\",\"access_token\":\"b\"}");
	/* A token must not smuggle a line break into a protocol line. */
	expect_proto(200, "{\"access_token\":\"a\\r\\nA001 LOGOUT\"}");
	expect_proto(200, "{\"access_token\":\"a\",\"refresh_token\":\"r t\"}");
	expect_proto(500, "<html><body>Internal Server Error</body></html>");
	expect_proto(503, "");
	expect_proto(400, "{\"message\":\"no\"}");
	expect_proto(302, "");

	assert_int_equal(tokens(500, "oops", 0, &t, &err), HK_OAUTH2_PROTO);
	assert_string_equal(err.description,
	    "HTTP status 500 without an OAuth 2.0 error");
	assert_int_equal(tokens(200, "{\"access_token\":\"a\\u0000b\"}", 0,
	    &t, &err), HK_OAUTH2_PROTO);
	hk_oauth2_token_response_free(&t);
}

static void
test_parse_device(void **state)
{
	struct hk_oauth2_device d = HK_OAUTH2_DEVICE_INIT;
	struct hk_oauth2_error err;
	const char *google = "{\"device_code\":\"AH-1Ng\",\"user_code\":"
	    "\"GQVQ-JKEC\",\"verification_url\":\"https://www.google.com/device\","
	    "\"expires_in\":1800}";
	const char *rfc = "{\"device_code\":\"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS\","
	    "\"user_code\":\"WDJB-MJHT\",\"verification_uri\":"
	    "\"https://example.com/device\",\"verification_uri_complete\":"
	    "\"https://example.com/device?user_code=WDJB-MJHT\","
	    "\"expires_in\":1800,\"interval\":7}";
	const char *no_user = "{\"device_code\":\"x\",\"verification_uri\":"
	    "\"https://e/\",\"expires_in\":1800}";

	(void)state;
	assert_int_equal(hk_oauth2_parse_device(200, google, strlen(google), 50,
	    &d, &err), HK_OAUTH2_OK);
	assert_string_equal(hk_buf_str(&d.device_code), "AH-1Ng");
	assert_true(d.device_code.flags & HK_BUF_SECRET);
	assert_string_equal(d.user_code, "GQVQ-JKEC");
	assert_string_equal(d.verification_uri, "https://www.google.com/device");
	assert_null(d.verification_uri_complete);
	assert_int_equal(d.interval, 5);
	assert_int_equal(d.expires_at, 1850);

	assert_int_equal(hk_oauth2_parse_device(200, rfc, strlen(rfc), 0, &d,
	    &err), HK_OAUTH2_OK);
	assert_string_equal(d.verification_uri_complete,
	    "https://example.com/device?user_code=WDJB-MJHT");
	assert_int_equal(d.interval, 7);

	assert_int_equal(hk_oauth2_parse_device(200, no_user, strlen(no_user),
	    0, &d, &err), HK_OAUTH2_PROTO);
	assert_null(d.user_code);
	assert_int_equal(d.device_code.len, 0);
	assert_int_equal(hk_oauth2_parse_device(400, "{\"error\":\"invalid_client\"}",
	    strlen("{\"error\":\"invalid_client\"}"), 0, &d, &err),
	    HK_OAUTH2_REFUSED);
	hk_oauth2_device_free(&d);
}

static void
test_parse_revocation(void **state)
{
	struct hk_oauth2_error err;
	const char *unsupported = "{\"error\":\"unsupported_token_type\"}";

	(void)state;
	assert_int_equal(hk_oauth2_parse_empty(200, "", 0, &err), HK_OAUTH2_OK);
	assert_int_equal(hk_oauth2_parse_empty(400, unsupported,
	    strlen(unsupported), &err), HK_OAUTH2_REFUSED);
	assert_string_equal(err.error, "unsupported_token_type");
	assert_int_equal(hk_oauth2_parse_empty(503, "busy", 4, &err),
	    HK_OAUTH2_PROTO);
}

/* The tokens, and jansson's copies of them, are wiped before their
 * memory goes. */
static void
test_tokens_wiped(void **state)
{
	struct hk_oauth2_token_response t = HK_OAUTH2_TOKEN_RESPONSE_INIT;
	struct hk_oauth2_error err;
	size_t released;

	(void)state;
	hk_secmem_set_spares(0);
	freewatch_start("NEEDLE-");
	assert_int_equal(tokens(200, "{\"access_token\":\"NEEDLE-access\","
	    "\"refresh_token\":\"NEEDLE-refresh\",\"token_type\":\"Bearer\"}",
	    0, &t, &err), HK_OAUTH2_OK);
	assert_string_equal(hk_buf_str(&t.refresh_token), "NEEDLE-refresh");
	hk_oauth2_token_response_free(&t);
	assert_int_equal(freewatch_stop(&released), 0);
	assert_true(released >= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkce_rfc7636_example),
		cmocka_unit_test(test_pkce_refuses_bad_verifiers),
		cmocka_unit_test(test_pkce_new_and_state),
		cmocka_unit_test(test_percent_encoding),
		cmocka_unit_test(test_auth_url),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_parse_success),
		cmocka_unit_test(test_parse_provider_errors),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_device),
		cmocka_unit_test(test_parse_revocation),
		cmocka_unit_test(test_tokens_wiped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
