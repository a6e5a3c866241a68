/* test_mod_cram_md5.c - CRAM-MD5 against RFC 2195 and hostile input. */
#include "config.h"

#include "test_mod_util.h"

static void
cram_rfc2195(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "tanstaaftanstaaf", NULL);
	assert_string_equal(t.mod->sasl_name, "CRAM-MD5");
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_EXPECT);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1,
	    "<1896.697170952@postoffice.reston.mci.net>");
	mt_assert_send(&t, "tim b913a602c7eda7a495b4e6e7334d3890");
	assert_true(t.wipes >= 2);	/* the digest's copies */
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "ok"),
	    HK_AUTHMOD_DONE);
	mt_free(&t);
}

static void
cram_design_notes_vector(void **unused)
{
	struct mt t;

	mt_init(&t, "user", "secret", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "<1972.987654321@curl>");
	mt_assert_send(&t, "user 7031725599fdbb5d412689aa323e3e0b");
	mt_free(&t);
}

static void
cram_hostile(void **unused)
{
	static const struct { const char *data; size_t len; } bad[] = {
		{ "", 0 },			/* empty */
		{ "<a\0b@c>", 7 },		/* NUL */
		{ "<a\r\nb@c>", 8 },		/* CR LF */
		{ "\x80\x81", 2 },		/* not ASCII */
	};
	struct mt t;
	char *big;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mt_init(&t, "tim", "pw", NULL);
		mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
		assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1,
		    bad[i].data, bad[i].len), HK_AUTHMOD_FAIL_PROTOCOL);
		mt_free(&t);
	}
	big = malloc(1025);
	memset(big, 'x', 1025);
	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1, big, 1025),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
	free(big);
}

static void
cram_second_challenge(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "<1@x>");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "<2@x>"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
}

static void
cram_success_without_challenge(void **unused)
{
	struct mt t;

	mt_init(&t, "tim", "pw", NULL);
	mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "ok"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cram_rfc2195),
		cmocka_unit_test(cram_design_notes_vector),
		cmocka_unit_test(cram_hostile),
		cmocka_unit_test(cram_second_challenge),
		cmocka_unit_test(cram_success_without_challenge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
