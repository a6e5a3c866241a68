/* test_mod_login.c - the LOGIN mechanism, step by step. */
#include "config.h"

#include "test_mod_util.h"

static void
login_exchange(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "tanstaaftanstaaf", NULL);
	assert_string_equal(t.mod->name, "login");
	assert_string_equal(t.mod->sasl_name, "LOGIN");
	assert_int_equal(t.mod->kind, HK_AUTHMOD_KIND_SASL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_EXPECT);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "Username:");
	mt_assert_send(&t, "tim");
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "Password:");
	mt_assert_send(&t, "tanstaaftanstaaf");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1,
	    "2.7.0 Authentication successful"), HK_AUTHMOD_DONE);
	mt_free(&t);
}

static void
login_prompt_wording_is_not_checked(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "", 0);
	mt_assert_send(&t, "tim");
	mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "\0\xff", 2);
	mt_assert_send(&t, "pw");
	mt_free(&t);
}

static void
login_third_prompt(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "Username:");
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "Password:");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "More:"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	assert_string_equal(t.act.message, "the server sent a third LOGIN prompt");
	mt_free(&t);
}

static void
login_success_too_early(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "Username:");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "ok"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
}

static void
login_refused(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "Username:");
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "Password:");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 0,
	    "5.7.8 Authentication credentials invalid"), HK_AUTHMOD_FAIL_AUTH);
	mt_free(&t);
}

static void
login_empty_user(void **unused)
{
	struct mt t;

	mt_init(&t, "", "pw", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(login_exchange),
		cmocka_unit_test(login_prompt_wording_is_not_checked),
		cmocka_unit_test(login_third_prompt),
		cmocka_unit_test(login_success_too_early),
		cmocka_unit_test(login_refused),
		cmocka_unit_test(login_empty_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
