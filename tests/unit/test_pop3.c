/* test_pop3.c - status lines, the APOP time stamp (RFC 1939 §7),
 * dot-unstuffing, and hostile LIST/UIDL/RETR answers. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "mem.h"
#include "pop3.h"
#include "test_net_util.h"

static void
test_status(void **state)
{
	bool ok;
	size_t off;

	assert_int_equal(hk_pop3_parse_status("+OK", 3, &ok, &off), 0);
	assert_true(ok);
	assert_int_equal(off, 3);
	assert_int_equal(hk_pop3_parse_status("+OK 2 320", 9, &ok, &off), 0);
	assert_int_equal(off, 4);
	assert_int_equal(hk_pop3_parse_status("-ERR no", 7, &ok, &off), 0);
	assert_false(ok);
	assert_int_equal(hk_pop3_parse_status("+OKAY", 5, &ok, &off), -1);
	assert_int_equal(hk_pop3_parse_status("+ok", 3, &ok, &off), -1);
	assert_int_equal(hk_pop3_parse_status("", 0, &ok, &off), -1);
	assert_int_equal(hk_pop3_parse_status("220 smtp", 8, &ok, &off), -1);
}

static void
test_timestamp(void **state)
{
	const char *ts;
	size_t n;
	const char *g = "POP3 server ready <1896.697170952@dbc.mtview.ca.us>";

	assert_true(hk_pop3_timestamp(g, &ts, &n));
	assert_int_equal(n, strlen("<1896.697170952@dbc.mtview.ca.us>"));
	assert_memory_equal(ts, "<1896.697170952@dbc.mtview.ca.us>", n);
	/* The first <...> counts; it needs an '@'. */
	assert_true(hk_pop3_timestamp("<a@b> <c@d>", &ts, &n));
	assert_memory_equal(ts, "<a@b>", n);
	assert_false(hk_pop3_timestamp("Dovecot ready.", &ts, &n));
	assert_false(hk_pop3_timestamp("ready <1896.697170952>", &ts, &n));
	assert_false(hk_pop3_timestamp("ready <>", &ts, &n));
	assert_false(hk_pop3_timestamp("ready <a@b", &ts, &n));
	assert_false(hk_pop3_timestamp("ready < a@b>", &ts, &n));
	assert_false(hk_pop3_timestamp("ready <a@b\x01>", &ts, &n));
	assert_false(hk_pop3_timestamp("ready <a<b@c>", &ts, &n));
	assert_false(hk_pop3_timestamp("ready <a@b\xe3\x81\x82>", &ts, &n));
}

static void
test_unstuff(void **state)
{
	const char *o;
	size_t n;

	assert_int_equal(hk_pop3_unstuff(".", 1, &o, &n), 1);
	assert_int_equal(hk_pop3_unstuff("..", 2, &o, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(o, ".", 1);
	assert_int_equal(hk_pop3_unstuff(".x", 2, &o, &n), 0);
	assert_memory_equal(o, "x", 1);
	assert_int_equal(hk_pop3_unstuff("", 0, &o, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hk_pop3_unstuff("x.", 2, &o, &n), 0);
	assert_int_equal(n, 2);
}

static int
lines(void *ctx, const char *line, size_t len)
{
	struct hk_buf *b = ctx;

	hk_buf_append(b, line, len);
	hk_buf_putc(b, '|');
	return 0;
}

static void
test_retr(void **state)
{
	static const char data[] = "+OK 40 octets\r\nSubject: a\r\n\r\n..dot\r\n"
	    "x\r\n.\r\n+OK next\r\n";
	struct hk_pop3_reply r = HK_POP3_REPLY_INIT;
	struct hk_buf got = HK_BUF_INIT;
	struct fake f;

	fake_open(&f, data, sizeof(data) - 1);
	assert_int_equal(hk_pop3_retr(&f.c, &r, 1, 0, lines, &got), HK_NET_OK);
	assert_true(r.ok);
	assert_string_equal(hk_buf_str(&got), "Subject: a||.dot|x|");
	assert_int_equal(hk_pop3_read_status(&f.c, &r), HK_NET_OK);
	assert_string_equal(hk_buf_str(&r.text), "next");
	assert_string_equal(fake_sent(&f), "RETR 1\r\n");
	fake_close(&f);

	/* Over the size cap: stops with TOO_LONG. */
	hk_buf_reset(&got);
	fake_open(&f, data, sizeof(data) - 1);
	assert_int_equal(hk_pop3_retr(&f.c, &r, 1, 12, lines, &got),
	    HK_NET_TOO_LONG);
	fake_close(&f);
	/* The body never ends. */
	fake_open(&f, "+OK\r\nline\r\n", 11);
	assert_int_equal(hk_pop3_retr(&f.c, &r, 1, 0, lines, &got), HK_NET_CLOSED);
	fake_close(&f);
	hk_buf_free(&got);
	hk_pop3_reply_free(&r);
}

static int
list_fn(void *ctx, unsigned long n, unsigned long long size)
{
	hk_buf_printf(ctx, "%lu=%llu ", n, size);
	return 0;
}

static int
uidl_fn(void *ctx, unsigned long n, const char *uid)
{
	hk_buf_printf(ctx, "%lu=%s ", n, uid);
	return 0;
}

static void
test_list_uidl(void **state)
{
	static const char list[] = "+OK 2 messages\r\n1 120\r\n2 3000\r\n.\r\n";
	static const char uidl[] = "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n";
	struct hk_pop3_reply r = HK_POP3_REPLY_INIT;
	struct hk_buf got = HK_BUF_INIT;
	unsigned long count;
	unsigned long long size;
	struct fake f;

	fake_open(&f, list, sizeof(list) - 1);
	assert_int_equal(hk_pop3_list(&f.c, &r, list_fn, &got), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got), "1=120 2=3000 ");
	fake_close(&f);
	hk_buf_reset(&got);
	fake_open(&f, uidl, sizeof(uidl) - 1);
	assert_int_equal(hk_pop3_uidl(&f.c, &r, uidl_fn, &got), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got),
	    "1=whqtswO00WBw418f9t5JxYwZ 2=QhdPYR:00WBw1Ph7x7 ");
	fake_close(&f);

	/* Hostile answers. */
	fake_open(&f, "+OK\r\nx 12\r\n.\r\n", 14);
	assert_int_equal(hk_pop3_list(&f.c, &r, list_fn, &got), HK_NET_PROTOCOL);
	fake_close(&f);
	fake_open(&f, "+OK\r\n0 12\r\n.\r\n", 14);
	assert_int_equal(hk_pop3_list(&f.c, &r, list_fn, &got), HK_NET_PROTOCOL);
	fake_close(&f);
	fake_open(&f, "+OK\r\n1 99999999999999999999999\r\n.\r\n", 35);
	assert_int_equal(hk_pop3_list(&f.c, &r, list_fn, &got), HK_NET_PROTOCOL);
	fake_close(&f);
	fake_open(&f, "+OK\r\n1 has space\r\n.\r\n", 21);
	assert_int_equal(hk_pop3_uidl(&f.c, &r, uidl_fn, &got), HK_NET_PROTOCOL);
	fake_close(&f);
	fake_open(&f, "+OK 3\r\n", 7);
	assert_int_equal(hk_pop3_stat(&f.c, &r, &count, &size), HK_NET_PROTOCOL);
	fake_close(&f);
	fake_open(&f, "+OK 3 4500\r\n", 12);
	assert_int_equal(hk_pop3_stat(&f.c, &r, &count, &size), HK_NET_OK);
	assert_int_equal(count, 3);
	assert_int_equal(size, 4500);
	fake_close(&f);
	hk_buf_free(&got);
	hk_pop3_reply_free(&r);
}

static void
test_login_redaction(void **state)
{
	struct hk_pop3_reply r = HK_POP3_REPLY_INIT;
	struct fake f;

	fake_open(&f, "+OK\r\n-ERR [AUTH] Authentication failed.\r\n", 42);
	assert_int_equal(hk_pop3_login(&f.c, &r, "bob", "s3cret pw"), HK_NET_OK);
	assert_false(r.ok);
	assert_string_equal(fake_sent(&f), "USER bob\r\nPASS s3cret pw\r\n");
	fake_close(&f);
	/* Nothing is sent for arguments POP3 cannot carry. */
	fake_open(&f, "", 0);
	assert_int_equal(hk_pop3_login(&f.c, &r, "bob smith", "pw"), HK_NET_PROTOCOL);
	assert_int_equal(hk_pop3_login(&f.c, &r, "bob", "p\r\nDELE 1"), HK_NET_PROTOCOL);
	assert_string_equal(fake_sent(&f), "");
	fake_close(&f);
	hk_pop3_reply_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_unstuff),
		cmocka_unit_test(test_retr),
		cmocka_unit_test(test_list_uidl),
		cmocka_unit_test(test_login_redaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
