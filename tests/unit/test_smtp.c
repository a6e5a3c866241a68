/* test_smtp.c - SMTP reply lines, multi-line replies, EHLO capabilities
 * (hostile ones too), DATA's dot-stuffing, and AUTH's handling of a
 * garbled challenge. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "mem.h"
#include "smtp.h"
#include "test_net_util.h"

static void
test_parse_line(void **state)
{
	int code;
	bool more;
	size_t off;

	assert_int_equal(hk_smtp_parse_line("250-mail.example", 16, &code, &more, &off), 0);
	assert_int_equal(code, 250);
	assert_true(more);
	assert_int_equal(off, 4);
	assert_int_equal(hk_smtp_parse_line("354 go", 6, &code, &more, &off), 0);
	assert_int_equal(code, 354);
	assert_false(more);
	assert_int_equal(hk_smtp_parse_line("221", 3, &code, &more, &off), 0);
	assert_false(more);
	assert_int_equal(off, 3);
	assert_int_equal(hk_smtp_parse_line("25", 2, &code, &more, &off), -1);
	assert_int_equal(hk_smtp_parse_line("2500 x", 6, &code, &more, &off), -1);
	assert_int_equal(hk_smtp_parse_line("250\tx", 5, &code, &more, &off), -1);
	assert_int_equal(hk_smtp_parse_line("199 x", 5, &code, &more, &off), -1);
	assert_int_equal(hk_smtp_parse_line("650 x", 5, &code, &more, &off), -1);
	assert_int_equal(hk_smtp_parse_line("+OK x", 5, &code, &more, &off), -1);
	assert_int_equal(hk_smtp_parse_line("2a0 x", 5, &code, &more, &off), -1);
}

static void
test_multiline(void **state)
{
	static const char data[] =
	    "250-mail.example.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"
	    "550 5.1.1 no\r\n";
	struct hk_smtp_reply r = HK_SMTP_REPLY_INIT;
	struct hk_buf b = HK_BUF_INIT;
	struct fake f;

	fake_open(&f, data, sizeof(data) - 1);
	assert_int_equal(hk_smtp_read_reply(&f.c, &r), HK_NET_OK);
	assert_int_equal(r.code, 250);
	assert_int_equal(r.lines, 3);
	assert_string_equal(hk_buf_str(&r.text),
	    "mail.example.test\nPIPELINING\nSIZE 1000");
	hk_smtp_reply_format(&r, &b);
	assert_string_equal(hk_buf_str(&b),
	    "250 mail.example.test / 250 PIPELINING / 250 SIZE 1000");
	assert_int_equal(hk_smtp_read_reply(&f.c, &r), HK_NET_OK);
	assert_int_equal(r.code, 550);
	fake_close(&f);
	hk_buf_free(&b);
	hk_smtp_reply_free(&r);
}

static void
test_hostile_replies(void **state)
{
	struct hk_smtp_reply r = HK_SMTP_REPLY_INIT;
	struct hk_buf many = HK_BUF_INIT;
	struct fake f;

	/* The code changes in the middle of a reply. */
	fake_open(&f, "250-a\r\n550 b\r\n", 14);
	assert_int_equal(hk_smtp_read_reply(&f.c, &r), HK_NET_PROTOCOL);
	assert_int_equal(r.code, 0);
	fake_close(&f);
	/* Not a reply at all (a POP3 server on the port). */
	fake_open(&f, "+OK POP3 ready\r\n", 16);
	assert_int_equal(hk_smtp_read_reply(&f.c, &r), HK_NET_PROTOCOL);
	fake_close(&f);
	/* A reply that never ends. */
	for (int i = 0; i < HK_SMTP_REPLY_LINES_MAX + 5; i++)
		hk_buf_puts(&many, "250-x\r\n");
	fake_open(&f, many.data, many.len);
	assert_int_equal(hk_smtp_read_reply(&f.c, &r), HK_NET_TOO_LONG);
	fake_close(&f);
	/* One line over HK_SMTP_LINE_MAX. */
	hk_buf_reset(&many);
	hk_buf_puts(&many, "250 ");
	for (int i = 0; i < HK_SMTP_LINE_MAX; i++)
		hk_buf_putc(&many, 'x');
	hk_buf_puts(&many, "\r\n");
	fake_open(&f, many.data, many.len);
	assert_int_equal(hk_smtp_read_reply(&f.c, &r), HK_NET_TOO_LONG);
	fake_close(&f);
	hk_buf_free(&many);
	hk_smtp_reply_free(&r);
}

static void
test_caps(void **state)
{
	struct hk_smtp_caps c;

	memset(&c, 0, sizeof(c));
	hk_smtp_caps_parse(&c, "mail.example STARTTLS SIZE AUTH\n"
	    "8BITMIME\nAUTH PLAIN login Cram-MD5\nSIZE 52428800\n"
	    "STARTTLS\nPIPELINING\nAUTH=LOGIN XOAUTH2");
	assert_true(c.starttls);
	assert_true(c.eightbitmime);
	assert_true(c.pipelining);
	assert_true(c.auth);
	assert_true(c.size);
	assert_int_equal(c.size_max, 52428800);
	/* Upper-cased, no duplicates, the old AUTH= syntax counted. */
	assert_string_equal(c.auth_mechs, "PLAIN LOGIN CRAM-MD5 XOAUTH2");
	assert_true(hk_smtp_caps_has_auth(&c, "cram-md5"));
	assert_true(hk_smtp_caps_has_auth(&c, "XOAUTH2"));
	assert_false(hk_smtp_caps_has_auth(&c, "SCRAM-SHA-256"));
	assert_false(hk_smtp_caps_has_auth(&c, "CRAM"));

	/* The greeting line is not a capability. */
	memset(&c, 0, sizeof(c));
	hk_smtp_caps_parse(&c, "STARTTLS");
	assert_false(c.starttls);
	/* SIZE without a number, and absurd ones. */
	memset(&c, 0, sizeof(c));
	hk_smtp_caps_parse(&c, "x\nSIZE");
	assert_true(c.size);
	assert_int_equal(c.size_max, 0);
	memset(&c, 0, sizeof(c));
	hk_smtp_caps_parse(&c, "x\nSIZE 99999999999999999999999999");
	assert_int_equal(c.size_max, 0);
	memset(&c, 0, sizeof(c));
	hk_smtp_caps_parse(&c, "x\nSIZE 12abc");
	assert_int_equal(c.size_max, 0);
	/* Hostile AUTH lists: junk names skipped, the list bounded. */
	memset(&c, 0, sizeof(c));
	hk_smtp_caps_parse(&c, "x\nAUTH PL<AIN LOGIN A_VERY_LONG_MECHANISM_NAME_OVER_20 \t PLAIN");
	assert_string_equal(c.auth_mechs, "LOGIN PLAIN");
	{
		struct hk_buf b = HK_BUF_INIT;

		hk_buf_puts(&b, "x\nAUTH");
		for (int i = 0; i < 500; i++)
			hk_buf_printf(&b, " M%d", i);
		memset(&c, 0, sizeof(c));
		hk_smtp_caps_parse(&c, hk_buf_str(&b));
		assert_true(strlen(c.auth_mechs) < sizeof(c.auth_mechs));
		assert_true(hk_smtp_caps_has_auth(&c, "M0"));
		assert_false(hk_smtp_caps_has_auth(&c, "M499"));
		hk_buf_free(&b);
	}
}

struct msg {
	const char *p;
	size_t left;
};

static long
msg_read(void *ctx, char *buf, size_t len)
{
	struct msg *m = ctx;
	size_t n = m->left < 3 ? m->left : 3;	/* tiny chunks on purpose */

	if (n > len)
		n = len;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}

static void
test_data_stuffing(void **state)
{
	static const char msg[] = "Subject: x\n\n.hidden\r\n..two\nend";
	struct msg m = { msg, sizeof(msg) - 1 };
	struct hk_smtp_reply r = HK_SMTP_REPLY_INIT;
	struct fake f;

	fake_open(&f, "354 go\r\n250 queued\r\n", 20);
	assert_int_equal(hk_smtp_data(&f.c, &r, msg_read, &m), HK_NET_OK);
	assert_int_equal(r.code, 250);
	assert_string_equal(fake_sent(&f), "DATA\r\nSubject: x\r\n\r\n..hidden\r\n"
	    "...two\r\nend\r\n.\r\n");
	fake_close(&f);
	hk_smtp_reply_free(&r);
}

static void
test_envelope_injection(void **state)
{
	struct hk_smtp_reply r = HK_SMTP_REPLY_INIT;
	struct fake f;

	fake_open(&f, "", 0);
	assert_int_equal(hk_smtp_rcpt(&f.c, &r, "a@b>\r\nDATA"), HK_NET_PROTOCOL);
	assert_int_equal(hk_smtp_mail(&f.c, &r, "a@b> SIZE=1", 0), HK_NET_PROTOCOL);
	assert_string_equal(fake_sent(&f), "");
	fake_close(&f);
	hk_smtp_reply_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_hostile_replies),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_data_stuffing),
		cmocka_unit_test(test_envelope_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
