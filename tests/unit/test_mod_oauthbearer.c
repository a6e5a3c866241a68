/* test_mod_oauthbearer.c - OAUTHBEARER against RFC 7628's examples. */
#include "config.h"

#include "test_mod_util.h"

/* RFC 7628 §4.1 (and §4.3, which sends the same initial response). */
#define R_USER "user@example.com"
#define R_HOST "server.example.com"
#define R_TOKEN "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="
#define R_B64 "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29t" \
	"AXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJo" \
	"ZG1semRHRXVZMjl0Q2c9PQEB"
/* RFC 7628 §4.3: the server's error challenge, base64 and decoded. */
#define R_ERROR_B64 "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFt" \
	"cGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1w" \
	"bGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="

static void
rfc_session(struct mt *t)
{
	mt_init(t, R_USER, R_TOKEN, NULL);
	t->sess.host = R_HOST;
	t->sess.protocol = HK_AUTHMOD_PROTO_IMAP;
	mt_option_set(t, "port", "143");
}

static void
oauthbearer_rfc7628_4_1(void **unused)
{
	struct mt t;

	rfc_session(&t);
	assert_string_equal(t.mod->name, "oauthbearer");
	assert_string_equal(t.mod->sasl_name, "OAUTHBEARER");
	assert_int_equal(t.mod->protocols, HK_AUTHMOD_PROTO_SMTP |
	    HK_AUTHMOD_PROTO_POP3 | HK_AUTHMOD_PROTO_IMAP);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_assert_send(&t, "n,a=" R_USER ",\001host=" R_HOST "\001port=143"
	    "\001auth=Bearer " R_TOKEN "\001\001");
	mt_assert_send_b64(&t, R_B64);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1,
	    "SASL authentication succeeded"), HK_AUTHMOD_DONE);
	mt_free(&t);
}

static void
oauthbearer_rfc7628_4_3_error_challenge(void **unused)
{
	unsigned char json[256];
	long n = hk_b64_decode(R_ERROR_B64, strlen(R_ERROR_B64), json);
	struct mt t;

	assert_true(n > 0);
	rfc_session(&t);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_assert_send_b64(&t, R_B64);
	/* The client answers the error with a single ^A: "AQ==". */
	mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1, json, (size_t)n);
	mt_assert_send_b64(&t, "AQ==");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0,
	    "SASL authentication failed"), HK_AUTHMOD_FAIL_AUTH);
	assert_string_equal(t.act.message, "the server refused the access "
	    "token (status invalid_token, scope example_scope)");
	mt_free(&t);
}

static void
oauthbearer_without_host_port_and_escaped_name(void **unused)
{
	struct mt t;

	/* RFC 5801: ',' and '=' in the authzid are escaped. */
	mt_init(&t, "a,b=c", "tok", NULL);
	t.sess.host = NULL;
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_assert_send(&t, "n,a=a=2Cb=3Dc,\001auth=Bearer tok\001\001");
	mt_free(&t);

	/* An authzid, when set, is what the header names. */
	mt_init(&t, "u", "tok", "shared@example.com");
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_assert_send(&t, "n,a=shared@example.com,\001host=mail.example.net"
	    "\001auth=Bearer tok\001\001");
	mt_free(&t);
}

static void
oauthbearer_hostile_challenges(void **unused)
{
	static const char *const bad[] = {
		"", "{", "{\"status\":", "{\"status\":\"x", "[\"status\"]",
		"{\"status\":{\"a\":1}}", "{\"status\":1}",
		"{\"status\":\"\\q\"}",
	};
	struct mt t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rfc_session(&t);
		mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
		mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, bad[i]);
		mt_assert_send_b64(&t, "AQ==");
		assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0, "no"),
		    HK_AUTHMOD_FAIL_AUTH);
		assert_string_equal(t.act.message,
		    "the server refused the access token (status unknown)");
		mt_free(&t);
	}
	/* Control bytes from the server never reach the message. */
	rfc_session(&t);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1,
	    "{\"status\":\"bad\\nline\\u0007\xc3\xa9\"}");
	mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0, "no");
	assert_string_equal(t.act.message,
	    "the server refused the access token (status bad?line??" "?)");
	mt_free(&t);
	/* A second challenge, and success after an error, are refused. */
	rfc_session(&t);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "{\"status\":\"x\"}");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "{}"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
	rfc_session(&t);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "{\"status\":\"x\"}");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "ok"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
}

static void
oauthbearer_bad_settings(void **unused)
{
	struct mt t;

	mt_init(&t, R_USER, "", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
	mt_init(&t, R_USER, "tok\001auth=Bearer other", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oauthbearer_rfc7628_4_1),
		cmocka_unit_test(oauthbearer_rfc7628_4_3_error_challenge),
		cmocka_unit_test(oauthbearer_without_host_port_and_escaped_name),
		cmocka_unit_test(oauthbearer_hostile_challenges),
		cmocka_unit_test(oauthbearer_bad_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
