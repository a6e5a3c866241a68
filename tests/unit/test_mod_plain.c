/* test_mod_plain.c - PLAIN (RFC 4616) against the RFC's examples. */
#include "config.h"

#include "test_mod_util.h"

static void
plain_rfc4616_no_authzid(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "tanstaaftanstaaf", NULL);
	assert_string_equal(t.mod->sasl_name, "PLAIN");
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_SEND);
	assert_int_equal(t.act.len, 21);
	assert_memory_equal(t.act.data, "\0tim\0tanstaaftanstaaf", 21);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "ok"),
	    HK_AUTHMOD_DONE);
	mt_free(&t);
}

static void
plain_rfc4616_authzid(void **unused)
{
	struct mt t;

	mt_init(&t, "Kurt", "xipj3plmq", "Ursel");
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(t.act.len, 20);
	assert_memory_equal(t.act.data, "Ursel\0Kurt\0xipj3plmq", 20);
	mt_free(&t);
}

static void
plain_empty_challenge_resends(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "", 0),
	    HK_AUTHMOD_SEND);
	assert_memory_equal(t.act.data, "\0tim\0pw", 7);
	/* but only once */
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "", 0),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
}

static void
plain_nonempty_challenge(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "what?"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	assert_string_equal(t.act.message, "the server sent a challenge to PLAIN");
	mt_free(&t);
}

static void
plain_oversized_and_empty_fields(void **unused)
{
	struct mt t;
	char big[300];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mt_init(&t, big, "pw", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
	mt_init(&t, "tim", "", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
	/* 255 bytes per field must be accepted (RFC 4616 §2). */
	big[255] = '\0';
	mt_init(&t, big, big, big);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_SEND);
	assert_int_equal(t.act.len, 3 * 255 + 2);
	mt_free(&t);
}

static void
plain_refused(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0, "no"),
	    HK_AUTHMOD_FAIL_AUTH);
	mt_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_rfc4616_no_authzid),
		cmocka_unit_test(plain_rfc4616_authzid),
		cmocka_unit_test(plain_empty_challenge_resends),
		cmocka_unit_test(plain_nonempty_challenge),
		cmocka_unit_test(plain_oversized_and_empty_fields),
		cmocka_unit_test(plain_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
