/* test_mod_pbs.c - POP-before-SMTP: open, USER/PASS (or APOP), close,
 * wait, all as actions for the core. */
#include "config.h"

#include "test_mod_util.h"

static void
pbs_user_pass_then_wait(void **unused)
{
	struct mt t;

	mt_init(&t, "alice", "s3cret pw", NULL);
	assert_string_equal(t.mod->name, "pop-before-smtp");
	assert_int_equal(t.mod->kind, HK_AUTHMOD_KIND_PRESEND);
	mt_option_set(&t, "wait", "3");
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_POP3_OPEN);
	mt_steps(&t, HK_AUTHMOD_EV_OPENED, 1, "POP3 ready");
	mt_assert_send(&t, "USER alice");
	assert_int_equal(t.act.log_len, t.act.len);
	mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "");
	mt_assert_send(&t, "PASS s3cret pw");
	assert_int_equal(t.act.log_len, strlen("PASS "));
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "logged in"),
	    HK_AUTHMOD_POP3_CLOSE);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_CLOSED, 1, NULL, 0),
	    HK_AUTHMOD_WAIT);
	assert_int_equal(t.act.seconds, 3);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_WAITED, 1, NULL, 0),
	    HK_AUTHMOD_DONE);
	mt_free(&t);
}

static void
pbs_no_wait(void **unused)
{
	struct mt t;

	mt_init(&t, "alice", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_OPENED, 1, "ready");
	mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "");
	mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "");
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_CLOSED, 1, NULL, 0),
	    HK_AUTHMOD_DONE);
	mt_free(&t);
}

static void
pbs_apop(void **unused)
{
	struct mt t;

	mt_init(&t, "mrose", "tanstaaf", NULL);
	mt_option_set(&t, "apop", "on");
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_OPENED, 1,
	    "POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
	mt_assert_send(&t, "APOP mrose c4c9334bac560ecc979e58001b3e22fb");
	assert_int_equal(t.act.log_len, strlen("APOP mrose "));
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, ""),
	    HK_AUTHMOD_POP3_CLOSE);
	mt_free(&t);

	mt_init(&t, "mrose", "tanstaaf", NULL);
	mt_option_set(&t, "apop", "on");
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_OPENED, 1, "no stamp"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
}

static void
pbs_bad_options(void **unused)
{
	static const char *const waits[] = { "6", "-1", "10", "x", "1.5", " 1" };
	struct mt t;

	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		mt_init(&t, "alice", "pw", NULL);
		mt_option_set(&t, "wait", waits[i]);
		assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
		    HK_AUTHMOD_FAIL_CONFIG);
		mt_free(&t);
	}
	mt_init(&t, "alice", "pw", NULL);
	mt_option_set(&t, "apop", "maybe");
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
}

static void
pbs_refusals(void **unused)
{
	struct mt t;

	/* greeting -ERR */
	mt_init(&t, "alice", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_OPENED, 0, "busy"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
	/* USER refused */
	mt_init(&t, "alice", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_OPENED, 1, "ready");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0, "no such user"),
	    HK_AUTHMOD_FAIL_AUTH);
	mt_free(&t);
	/* PASS refused */
	mt_init(&t, "alice", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_OPENED, 1, "ready");
	mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0, "bad password"),
	    HK_AUTHMOD_FAIL_AUTH);
	mt_free(&t);
	/* out-of-order events */
	mt_init(&t, "alice", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_WAITED, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_INTERNAL);
	mt_free(&t);
}

static void
pbs_credentials_cannot_inject(void **unused)
{
	struct mt t;

	mt_init(&t, "alice\r\nDELE 1", "pw", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
	mt_init(&t, "alice", "pw\nDELE 1", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pbs_user_pass_then_wait),
		cmocka_unit_test(pbs_no_wait),
		cmocka_unit_test(pbs_apop),
		cmocka_unit_test(pbs_bad_options),
		cmocka_unit_test(pbs_refusals),
		cmocka_unit_test(pbs_credentials_cannot_inject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
