/* test_mod_scram.c - SCRAM-SHA-256 against RFC 7677 §3 and hostile
 * servers.  The client nonce comes from the services table's random(),
 * so the RFC's "rOprNGfwEbeRWgbNEkqO" is injected as its 15 raw bytes. */
#include "config.h"

#include "test_mod_util.h"

static const unsigned char rfc_nonce_raw[15] = {
	0xac, 0xea, 0x6b, 0x34, 0x67, 0xf0, 0x11, 0xb7, 0x91, 0x5a, 0x06,
	0xcd, 0x12, 0x4a, 0x8e
};

#define RFC_CLIENT_FIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_FIRST "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define RFC_CLIENT_FINAL "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

static void
scram_start_rfc(struct mt *t, const char *user, const char *authzid)
{
	mt_init(t, user, "pencil", authzid);
	t->rand = rfc_nonce_raw;
	t->rand_len = sizeof(rfc_nonce_raw);
	assert_int_equal(mt_step(t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_SEND);
}

static void
scram_rfc7677(void **unused)
{
	struct mt t;

	scram_start_rfc(&t, "user", NULL);
	assert_string_equal(t.mod->sasl_name, "SCRAM-SHA-256");
	mt_assert_send(&t, RFC_CLIENT_FIRST);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FIRST);
	mt_assert_send(&t, RFC_CLIENT_FINAL);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FINAL);
	mt_assert_send(&t, "");
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "2.7.0 ok"),
	    HK_AUTHMOD_DONE);
	assert_true(t.wipes >= 6);
	mt_free(&t);
}

static void
scram_escapes_names(void **unused)
{
	struct mt t;

	scram_start_rfc(&t, "a=b,c", "adm,in");
	mt_assert_send(&t, "n,a=adm=2Cin,n=a=3Db=2Cc,r=rOprNGfwEbeRWgbNEkqO");
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FIRST);
	assert_int_equal(t.rc, HK_AUTHMOD_SEND);
	/* c= is base64("n,a=adm=2Cin,") */
	assert_memory_equal(t.act.data, "c=bixhPWFkbT0yQ2luLA==,r=", 25);
	mt_free(&t);
}

static void
scram_bad_server_signature(void **unused)
{
	struct mt t;

	scram_start_rfc(&t, "user", NULL);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FIRST);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1,
	    "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
	    HK_AUTHMOD_FAIL_AUTH);
	assert_non_null(strstr(t.act.message, "signature is wrong"));
	mt_free(&t);

	scram_start_rfc(&t, "user", NULL);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FIRST);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "v=AAAA"),
	    HK_AUTHMOD_FAIL_AUTH);
	mt_free(&t);
}

static void
scram_success_without_proof(void **unused)
{
	struct mt t;

	scram_start_rfc(&t, "user", NULL);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FIRST);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_REPLY, 1, "ok"),
	    HK_AUTHMOD_FAIL_AUTH);
	assert_string_equal(t.act.message,
	    "the server reported success without proving it knows the password");
	mt_free(&t);
}

static void
scram_server_error(void **unused)
{
	struct mt t;

	scram_start_rfc(&t, "user", NULL);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FIRST);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1,
	    "e=invalid-proof"), HK_AUTHMOD_FAIL_AUTH);
	assert_string_equal(t.act.message,
	    "the server refused SCRAM authentication: invalid-proof");
	mt_free(&t);
}

static void
scram_hostile_server_first(void **unused)
{
	static const char *const bad[] = {
		"",						/* empty */
		"r=XXXXNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", /* not our nonce */
		"r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",	/* not extended */
		"r=rOprNGfwEbeRWgbNEkq,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",	/* shorter */
		"m=ext,r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOxx,s=not*base64,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOxx,s=,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1",
		"r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999",
		"r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096",
		"r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=",
		"r=rOprNGfwEbeRWgbNEkqOxx,i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==",	/* order */
		"r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==",		/* no i */
		"garbage",
	};
	struct mt t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		scram_start_rfc(&t, "user", NULL);
		assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1,
		    bad[i]), HK_AUTHMOD_FAIL_PROTOCOL);
		mt_free(&t);
	}
	/* NUL inside, and oversized. */
	static const char with_nul[] = "r=rOprNGfwEbeRWgbNEkqO\0x,s=QQ==,i=4096";
	scram_start_rfc(&t, "user", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1,
	    with_nul, sizeof(with_nul) - 1), HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
	char *big = malloc(5000);
	memset(big, 'r', 5000);
	scram_start_rfc(&t, "user", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_CHALLENGE, 1, big, 5000),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
	free(big);
}

static void
scram_nonce_message(void **unused)
{
	struct mt t;

	scram_start_rfc(&t, "user", NULL);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1,
	    "r=evilnonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
	assert_int_equal(t.rc, HK_AUTHMOD_FAIL_PROTOCOL);
	assert_string_equal(t.act.message,
	    "the server's SCRAM nonce does not extend ours");
	mt_free(&t);
}

static void
scram_too_many_challenges(void **unused)
{
	struct mt t;

	scram_start_rfc(&t, "user", NULL);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FIRST);
	mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, RFC_SERVER_FINAL);
	assert_int_equal(mt_steps(&t, HK_AUTHMOD_EV_CHALLENGE, 1, "v=x"),
	    HK_AUTHMOD_FAIL_PROTOCOL);
	mt_free(&t);
}

static void
scram_needs_credentials(void **unused)
{
	struct mt t;

	mt_init(&t, "user", "", NULL);
	assert_int_equal(mt_step(&t, HK_AUTHMOD_EV_START, 1, NULL, 0),
	    HK_AUTHMOD_FAIL_CONFIG);
	mt_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scram_rfc7677),
		cmocka_unit_test(scram_escapes_names),
		cmocka_unit_test(scram_bad_server_signature),
		cmocka_unit_test(scram_success_without_proof),
		cmocka_unit_test(scram_server_error),
		cmocka_unit_test(scram_hostile_server_first),
		cmocka_unit_test(scram_nonce_message),
		cmocka_unit_test(scram_too_many_challenges),
		cmocka_unit_test(scram_needs_credentials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
