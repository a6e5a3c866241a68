/* test_mod_xoauth2.c - XOAUTH2 against Google's documented example. */
#include "config.h"

#include "test_mod_util.h"

/* Google's "XOAUTH2 mechanism" page: the initial client response for
 * someuser@example.com and its base64, and the server's error
 * challenge. */
#define G_USER "someuser@example.com"
#define G_TOKEN "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
#define G_B64 "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5Ln" \
	"ZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
#define G_ERROR "{\"status\":\"401\",\"schemes\":\"bearer mac\"," \
	"\"scope\":\"https://mail.google.com/\"}\n"

static void
xoauth2_google_example(void **unused)
{
	struct mt t;

	mt_init(&t, G_USER, G_TOKEN, NULL);
	assert_string_equal(t.mod->name, "xoauth2");
	assert_string_equal(t.mod->sasl_name, "XOAUTH2");
	assert_int_equal(t.mod->protocols, HK_AUTHMOD_PROTO_SMTP |
	    HK_AUTHMOD_PROTO_POP3 | HK_AUTHMOD_PROTO_IMAP);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_assert_send(&t, "user=" G_USER "\001auth=Bearer " G_TOKEN "\001\001");
	mt_assert_send_b64(&t, G_B64);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1,
	    "2.7.0 Accepted"), HK_AUTHMOD_DONE);
	mt_free(&t);
}

static void
xoauth2_error_challenge_gets_empty_answer(void **unused)
{
	struct mt t;

	mt_init(&t, G_USER, G_TOKEN, NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	/* Google documents an empty response to the error challenge. */
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, G_ERROR),
	    HK_AUTHMOD_SEND);
	assert_int_equal(t.act.len, 0);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0,
	    "5.7.8 Username and Password not accepted"), HK_AUTHMOD_FAIL_AUTH);
	assert_string_equal(t.act.message,
	    "the server refused the access token (status 401)");
	mt_free(&t);
}

static void
xoauth2_second_challenge_and_late_ok(void **unused)
{
	struct mt t;

	mt_init(&t, G_USER, G_TOKEN, NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "not json at all");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, G_ERROR),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);

	/* Success after the error challenge is not believed. */
	mt_init(&t, G_USER, G_TOKEN, NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "not json at all");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "ok"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	assert_string_equal(t.act.message,
	    "the server refused the access token (status unknown)");
	mt_free(&t);
}

static void
xoauth2_bad_settings(void **unused)
{
	struct mt t;

	mt_init(&t, G_USER, "", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
	mt_init(&t, "", G_TOKEN, NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
	/* A ^A in the user would let it forge the auth field. */
	mt_init(&t, "a\001auth=Bearer x", G_TOKEN, NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xoauth2_google_example),
		cmocka_unit_test(xoauth2_error_challenge_gets_empty_answer),
		cmocka_unit_test(xoauth2_second_challenge_and_late_ok),
		cmocka_unit_test(xoauth2_bad_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
