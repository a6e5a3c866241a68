/* test_refusal.c - what an SMTP refusal means (refusal.h): one table of
 * replies, as servers send them, and the exit status each must give. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "refusal.h"

static int
exit_for(int code, const char *text, enum hk_smtp_step step)
{
	struct hk_smtp_reply r = HK_SMTP_REPLY_INIT;
	int e;

	r.code = code;
	hk_buf_puts(&r.text, text);
	e = hk_refusal_exit(hk_refusal_of(&r, step));
	hk_smtp_reply_free(&r);
	return e;
}

static void
test_table(void **state)
{
	static const struct {
		int code;
		const char *text;
		enum hk_smtp_step step;
		int exit;
	} rows[] = {
		/* Bare relay denials: who we may write to (exit 4). */
		{ 550, "relay not permitted", HK_SMTP_AT_RCPT, 4 },
		{ 550, "Invalid recipient", HK_SMTP_AT_RCPT, 4 },
		{ 553, "sender address rejected", HK_SMTP_AT_MAIL, 4 },
		{ 554, "5.7.1 <x@y>: Relay access denied", HK_SMTP_AT_RCPT, 4 },
		{ 450, "4.7.1 Client host rejected: POP first", HK_SMTP_AT_RCPT, 4 },
		{ 530, "5.7.0 Authentication required", HK_SMTP_AT_MAIL, 4 },
		{ 554, "5.7.1 Message rejected as spam", HK_SMTP_AT_DATA, 4 },
		/* Sizes (exit 3). */
		{ 552, "5.3.4 Message size exceeds fixed limit", HK_SMTP_AT_DATA, 3 },
		{ 552, "message too big", HK_SMTP_AT_MAIL, 3 },
		{ 554, "5.3.4 too big", HK_SMTP_AT_DATA, 3 },
		/* An address the server does not know, a temporary failure, a
		 * failed transaction: the server failed us (exit 5). */
		{ 550, "5.1.1 <nobody@example.test>: User unknown", HK_SMTP_AT_RCPT, 5 },
		{ 451, "4.3.0 try again later", HK_SMTP_AT_RCPT, 5 },
		{ 450, "mailbox busy", HK_SMTP_AT_RCPT, 5 },
		{ 554, "Transaction failed", HK_SMTP_AT_DATA, 5 },
		/* Not an enhanced code: "5.7" alone, or text after the digits. */
		{ 550, "5.7 denied", HK_SMTP_AT_DATA, 5 },
		{ 550, "5.71.1 odd", HK_SMTP_AT_DATA, 5 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int got = exit_for(rows[i].code, rows[i].text, rows[i].step);

		if (got != rows[i].exit)
			fail_msg("%d %s: exit %d, want %d", rows[i].code,
			    rows[i].text, got, rows[i].exit);
	}
}

static void
test_auth_unavailable(void **state)
{
	struct hk_smtp_caps none, some;

	memset(&none, 0, sizeof(none));
	memset(&some, 0, sizeof(some));
	some.auth = true;
	assert_true(hk_refusal_auth_unavailable(&none,
	    "503 5.5.1 Error: authentication not enabled"));
	assert_true(hk_refusal_auth_unavailable(&none, "502 command not implemented"));
	assert_true(hk_refusal_auth_unavailable(&none, "500 unrecognised command"));
	assert_true(hk_refusal_auth_unavailable(&none, "504 5.5.4 unknown mechanism"));
	/* A wrong password stays a wrong password. */
	assert_false(hk_refusal_auth_unavailable(&none, "535 5.7.8 bad credentials"));
	/* A server that offers AUTH and then refuses the command: the
	 * mechanism or the password, not the connection. */
	assert_false(hk_refusal_auth_unavailable(&some, "503 bad sequence"));
	assert_false(hk_refusal_auth_unavailable(&none, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_auth_unavailable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
