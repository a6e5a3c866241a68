/* test_mod_apop.c - APOP against RFC 1939 §7 and garbled greetings. */
#include "config.h"

#include "test_mod_util.h"

static void
apop_rfc1939(void **unused)
{
	struct mt t;

	mt_init(&t, "mrose", "tanstaaf", NULL);
	assert_string_equal(t.mod->name, "apop");
	assert_int_equal(t.mod->kind, HK_AUTHMOD_KIND_POP3);
	assert_null(t.mod->sasl_name);
	mt_steps(&t, HK_AUTHMOD_EV_START, 1,
	    "POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
	mt_assert_send(&t, "APOP mrose c4c9334bac560ecc979e58001b3e22fb");
	/* Only "APOP mrose " may be logged. */
	assert_int_equal(t.act.log_len, strlen("APOP mrose "));
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1,
	    "mrose's maildrop has 2 messages (320 octets)"), HK_AUTHMOD_DONE);
	mt_free(&t);
}

static void
apop_design_notes_vector(void **unused)
{
	struct mt t;

	mt_init(&t, "user", "secret", NULL);
	mt_steps(&t, HK_AUTHMOD_EV_START, 1, "curl POP3 <1972.987654321@curl>");
	mt_assert_send(&t, "APOP user 7501b4cdc224d469940e65e7b5e4d6eb");
	mt_free(&t);
}

static void
apop_bad_greetings(void **unused)
{
	static const char *const bad[] = {
		"POP3 server ready",			/* none */
		"POP3 server ready <>",
		"POP3 server ready <1896.697170952>",	/* no @ */
		"POP3 server ready <1896.697170952@dbc",	/* unterminated */
		"POP3 server ready <1896 697170952@dbc>",	/* space */
		"POP3 server ready <@dbc>",
		"POP3 server ready <1896@>",
		"POP3 server ready <a<b@c>",
		"",
	};
	struct mt t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mt_init(&t, "mrose", "tanstaaf", NULL);
		assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_START, 1, bad[i]),
		    HK_AUTHMOD_FAIL_PROTOCOL);
		assert_non_null(strstr(t.act.message, "no valid APOP timestamp"));
		mt_free(&t);
	}
	/* A control character inside the timestamp. */
	mt_init(&t, "mrose", "tanstaaf", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, "<1\0002@x>", 8),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
}

static void
apop_user_cannot_inject(void **unused)
{
	static const char *const bad[] = { "mrose\r\nDELE 1", "m rose", "" };
	struct mt t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mt_init(&t, bad[i], "tanstaaf", NULL);
		assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_START, 1,
		    "<1896.697170952@dbc.mtview.ca.us>"), HK_AUTHMOD_FAIL_CONFIG);
		mt_free(&t);
	}
}

static void
apop_refused(void **unused)
{
	struct mt t;

	mt_init(&t, "mrose", "Xyzzy-9", NULL);
	mt_steps(&t, HK_AUTHMOD_EV_START, 1, "<1896.697170952@dbc.mtview.ca.us>");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0,
	    "permission denied"), HK_AUTHMOD_FAIL_AUTH);
	mt_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(apop_rfc1939),
		cmocka_unit_test(apop_design_notes_vector),
		cmocka_unit_test(apop_bad_greetings),
		cmocka_unit_test(apop_user_cannot_inject),
		cmocka_unit_test(apop_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
