/* test_validate.c - every rule of validate.h, at its boundaries. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "mem.h"
#include "validate.h"

static char *
rep(char c, size_t n)
{
	char *s = hk_malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
port(const char *in, enum hk_valid want, int want_port)
{
	int p = -7;

	assert_int_equal(hk_valid_port(in, &p), want);
	if (want == HK_VALID_OK)
		assert_int_equal(p, want_port);
}

static void
test_ports(void **state)
{
	(void)state;
	port("0", HK_VALID_BAD, 0);
	port("1", HK_VALID_OK, 1);
	port("25", HK_VALID_OK, 25);
	port("65535", HK_VALID_OK, 65535);
	port("65536", HK_VALID_BAD, 0);
	port("99999", HK_VALID_BAD, 0);
	port("100000", HK_VALID_BAD, 0);
	port("", HK_VALID_EMPTY, 0);
	port(NULL, HK_VALID_EMPTY, 0);
	port("8a", HK_VALID_BAD, 0);
	port("+25", HK_VALID_BAD, 0);
	port("-1", HK_VALID_BAD, 0);
	port(" 25", HK_VALID_BAD, 0);
	port("25 ", HK_VALID_BAD, 0);
	port("2.5", HK_VALID_BAD, 0);
	port("0x19", HK_VALID_BAD, 0);
	port("00025", HK_VALID_OK, 25);
	port("000000025", HK_VALID_BAD, 0);
}

static void
host(const char *in, enum hk_valid want, const char *stored)
{
	char *out = NULL;

	assert_int_equal(hk_valid_host(in, &out), want);
	if (want == HK_VALID_OK)
		assert_string_equal(out, stored);
	else
		assert_null(out);
	free(out);
}

static void
test_hosts_ip(void **state)
{
	(void)state;
	host("10.0.1.55", HK_VALID_OK, "10.0.1.55");
	host("0.0.0.0", HK_VALID_OK, "0.0.0.0");
	host("255.255.255.255", HK_VALID_OK, "255.255.255.255");
	host("256.1.1.1", HK_VALID_BAD, NULL);
	host("10.0.1", HK_VALID_BAD, NULL);
	host("1.2.3.4.5", HK_VALID_BAD, NULL);
	host("010.0.0.1", HK_VALID_BAD, NULL);	/* octal or decimal? refuse */
	host("1..2.3", HK_VALID_BAD, NULL);
	host("1.2.3.", HK_VALID_BAD, NULL);
	/* IPv6: bare or bracketed, stored bare and canonical (RFC 5952). */
	host("2001:db8::1", HK_VALID_OK, "2001:db8::1");
	host("[2001:db8::1]", HK_VALID_OK, "2001:db8::1");
	host("[2001:DB8:0:0:0:0:0:1]", HK_VALID_OK, "2001:db8::1");
	host("::1", HK_VALID_OK, "::1");
	host("::ffff:192.0.2.1", HK_VALID_OK, "::ffff:192.0.2.1");
	host("[::1", HK_VALID_BAD, NULL);
	host("::1]", HK_VALID_BAD, NULL);
	host("[]", HK_VALID_BAD, NULL);
	host("2001:db8::g", HK_VALID_BAD, NULL);
	host("2001:db8:::1", HK_VALID_BAD, NULL);
	host("fe80::1%eth0", HK_VALID_BAD, NULL);	/* no zone ids */
	host("[10.0.0.1]", HK_VALID_BAD, NULL);
	host("host:25", HK_VALID_BAD, NULL);
}

static void
test_hosts_names(void **state)
{
	char *l63 = rep('a', 63), *l64 = rep('a', 64), *l61 = rep('b', 61);
	char *h253 = hk_aprintf("%s.%s.%s.%s", l63, l63, l63, l61);
	char *h254 = hk_aprintf("%s.%s.%s.%sb", l63, l63, l63, l61);
	char *n63 = hk_aprintf("%s.example.jp", l63);
	char *n64 = hk_aprintf("%s.example.jp", l64);
	char *dot253 = hk_aprintf("%s.", h253);

	(void)state;
	assert_int_equal(strlen(h253), 253);
	assert_int_equal(strlen(h254), 254);
	host("mailwise.server.co.jp", HK_VALID_OK, "mailwise.server.co.jp");
	host("Mail.Example.JP", HK_VALID_OK, "Mail.Example.JP");
	host("localhost", HK_VALID_OK, "localhost");
	host("3com.com", HK_VALID_OK, "3com.com");	/* RFC 1123: digits first */
	host("a-b.jp", HK_VALID_OK, "a-b.jp");
	host("  smtp.example.jp  ", HK_VALID_OK, "smtp.example.jp");
	host("example.jp.", HK_VALID_OK, "example.jp");
	host(n63, HK_VALID_OK, n63);
	host(n64, HK_VALID_TOO_LONG, NULL);
	host(h253, HK_VALID_OK, h253);
	host(dot253, HK_VALID_OK, h253);
	host(h254, HK_VALID_TOO_LONG, NULL);
	host("", HK_VALID_EMPTY, NULL);
	host("   ", HK_VALID_EMPTY, NULL);
	host(NULL, HK_VALID_EMPTY, NULL);
	host("-a.jp", HK_VALID_BAD, NULL);
	host("a-.jp", HK_VALID_BAD, NULL);
	host("a..jp", HK_VALID_BAD, NULL);
	host(".a.jp", HK_VALID_BAD, NULL);
	host("a.jp..", HK_VALID_BAD, NULL);
	host(".", HK_VALID_BAD, NULL);
	host("bad_host.jp", HK_VALID_BAD, NULL);
	host("a b.jp", HK_VALID_BAD, NULL);
	host("a.123", HK_VALID_BAD, NULL);	/* all-numeric last label */
	host("xn--zz.jp", HK_VALID_BAD, NULL);	/* an A-label that does not decode */
	free(l63); free(l64); free(l61); free(h253); free(h254);
	free(n63); free(n64); free(dot253);
}

static void
test_hosts_idn(void **state)
{
	char *d;

	(void)state;
	host("メール.例え.jp", HK_VALID_OK, "xn--4dkua4c.xn--r8jz45g.jp");
	host("ＭＡＩＬ.例え.jp", HK_VALID_OK, "mail.xn--r8jz45g.jp");	/* UTS 46 maps */
	host("bücher.de", HK_VALID_OK, "xn--bcher-kva.de");
	host("xn--4dkua4c.xn--r8jz45g.jp", HK_VALID_OK, "xn--4dkua4c.xn--r8jz45g.jp");
	host("メ_ル.jp", HK_VALID_BAD, NULL);
	host("☃\xe2\x80\x8b.jp", HK_VALID_BAD, NULL);	/* a zero-width space */
	d = hk_host_display("xn--4dkua4c.xn--r8jz45g.jp");
	assert_string_equal(d, "メール.例え.jp");
	free(d);
	d = hk_host_display("smtp.example.jp");
	assert_string_equal(d, "smtp.example.jp");
	free(d);
	d = hk_host_display("2001:db8::1");
	assert_string_equal(d, "2001:db8::1");
	free(d);
	/* A label of 63 characters after conversion is the limit. */
	{
		char *u = NULL;
		struct hk_buf b = HK_BUF_INIT;

		for (int i = 0; i < 60; i++)
			hk_buf_puts(&b, "あ");
		hk_buf_puts(&b, ".jp");
		assert_int_equal(hk_valid_host(hk_buf_str(&b), &u), HK_VALID_TOO_LONG);
		assert_null(u);
		hk_buf_free(&b);
	}
}

static void
test_controls(void **state)
{
	char *out = NULL;

	(void)state;
	host("a.jp\r\nb.jp", HK_VALID_CONTROL, NULL);
	host("a.jp\n", HK_VALID_CONTROL, NULL);
	host("a\tb.jp", HK_VALID_CONTROL, NULL);
	assert_int_equal(hk_valid_text("ab\rc", 100, &out), HK_VALID_CONTROL);
	assert_int_equal(hk_valid_text("ab\nc", 100, &out), HK_VALID_CONTROL);
	assert_int_equal(hk_valid_text("ab\x7f", 100, &out), HK_VALID_CONTROL);
	assert_int_equal(hk_valid_text("a\tb", 100, &out), HK_VALID_CONTROL);
	assert_int_equal(hk_valid_text("\tab\t", 100, &out), HK_VALID_OK);
	assert_string_equal(out, "ab");
	free(out);
	out = NULL;
	assert_int_equal(hk_valid_text("ab\xc2\x85", 100, &out), HK_VALID_CONTROL);	/* NEL */
	assert_int_equal(hk_valid_text("\xc0\xaf", 100, &out), HK_VALID_CONTROL);	/* bad UTF-8 */
	assert_null(out);
	assert_true(hk_has_control("pass\rword"));
	assert_true(hk_has_control("pass\nword"));
	assert_false(hk_has_control("pass word ü"));
	/* NUL cannot reach a C string; the form parser refuses %00 before. */
}

static void
test_text(void **state)
{
	char *out = NULL, *s100, *s101;
	struct hk_buf ja = HK_BUF_INIT;

	(void)state;
	assert_int_equal(hk_valid_text("  Main  ", 100, &out), HK_VALID_OK);
	assert_string_equal(out, "Main");
	free(out);
	assert_int_equal(hk_valid_text("\xe3\x80\x80本社\xe3\x80\x80", 100, &out), HK_VALID_OK);
	assert_string_equal(out, "本社");
	free(out);
	assert_int_equal(hk_valid_text("a \xe3\x80\x80 b", 100, &out), HK_VALID_OK);
	assert_string_equal(out, "a \xe3\x80\x80 b");	/* inside is kept */
	free(out);
	assert_int_equal(hk_valid_text("", 100, &out), HK_VALID_EMPTY);
	assert_int_equal(hk_valid_text(" \t\xe3\x80\x80 ", 100, &out), HK_VALID_EMPTY);
	assert_int_equal(hk_valid_text(NULL, 100, &out), HK_VALID_EMPTY);
	s100 = rep('x', 100);
	s101 = rep('x', 101);
	assert_int_equal(hk_valid_text(s100, 100, NULL), HK_VALID_OK);
	assert_int_equal(hk_valid_text(s101, 100, NULL), HK_VALID_TOO_LONG);
	/* Characters, not bytes: 100 kana are 300 bytes. */
	for (int i = 0; i < 100; i++)
		hk_buf_puts(&ja, "あ");
	assert_int_equal(hk_valid_text(hk_buf_str(&ja), 100, NULL), HK_VALID_OK);
	hk_buf_puts(&ja, "あ");
	assert_int_equal(hk_valid_text(hk_buf_str(&ja), 100, NULL), HK_VALID_TOO_LONG);
	hk_buf_free(&ja);
	free(s100);
	free(s101);
}

static void
mbox(const char *in, enum hk_valid want, const char *norm)
{
	char *out = NULL;

	assert_int_equal(hk_valid_mailbox_n(in, &out), want);
	assert_int_equal(hk_valid_mailbox(in), want == HK_VALID_OK);
	if (want == HK_VALID_OK)
		assert_string_equal(out, norm);
	free(out);
}

static void
test_mailbox(void **state)
{
	char *l64 = rep('l', 64), *l65 = rep('l', 65), *a, *b;
	char *d63 = rep('d', 63);

	(void)state;
	mbox("support@example.co.jp", HK_VALID_OK, "support@example.co.jp");
	mbox("first.last+tag@example.jp", HK_VALID_OK, "first.last+tag@example.jp");
	mbox("!#$%&'*+-/=?^_`{|}~@example.jp", HK_VALID_OK, "!#$%&'*+-/=?^_`{|}~@example.jp");
	mbox("\"john doe\"@example.jp", HK_VALID_OK, "\"john doe\"@example.jp");
	mbox("\"a\\\"b@c\"@example.jp", HK_VALID_OK, "\"a\\\"b@c\"@example.jp");
	mbox("user@[192.0.2.1]", HK_VALID_OK, "user@[192.0.2.1]");
	mbox("user@[IPv6:2001:db8::1]", HK_VALID_OK, "user@[IPv6:2001:db8::1]");
	mbox("user@localhost", HK_VALID_OK, "user@localhost");
	mbox("info@メール.例え.jp", HK_VALID_OK, "info@xn--4dkua4c.xn--r8jz45g.jp");
	mbox("", HK_VALID_EMPTY, NULL);
	mbox("example.jp", HK_VALID_BAD, NULL);
	mbox("@example.jp", HK_VALID_BAD, NULL);
	mbox("user@", HK_VALID_BAD, NULL);
	mbox(".user@example.jp", HK_VALID_BAD, NULL);
	mbox("user.@example.jp", HK_VALID_BAD, NULL);
	mbox("us..er@example.jp", HK_VALID_BAD, NULL);
	mbox("us er@example.jp", HK_VALID_BAD, NULL);
	mbox("user@exa mple.jp", HK_VALID_BAD, NULL);
	mbox("a@b@example.jp", HK_VALID_BAD, NULL);
	mbox("user@example.jp.", HK_VALID_BAD, NULL);
	mbox("user@192.0.2.1", HK_VALID_BAD, NULL);	/* a literal needs [] */
	mbox("user@[192.0.2.256]", HK_VALID_BAD, NULL);
	mbox("user@[IPv6:zz::1]", HK_VALID_BAD, NULL);
	mbox("user@-example.jp", HK_VALID_BAD, NULL);
	mbox("\"unterminated@example.jp", HK_VALID_BAD, NULL);
	mbox("ユーザー@example.jp", HK_VALID_BAD, NULL);	/* RFC 5321 is ASCII */
	mbox("Name <user@example.jp>", HK_VALID_BAD, NULL);
	mbox("user@example.jp\r\nRCPT TO:<x@y>", HK_VALID_CONTROL, NULL);
	a = hk_aprintf("%s@example.jp", l64);
	b = hk_aprintf("%s@example.jp", l65);
	mbox(a, HK_VALID_OK, a);
	mbox(b, HK_VALID_TOO_LONG, NULL);
	free(a);
	free(b);
	/* 64 + 1 + 189 = 254 octets is the most. */
	a = hk_aprintf("%s@%s.%s.%.61s", l64, d63, d63, "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	assert_int_equal(strlen(a), 64 + 1 + 63 + 1 + 63 + 1 + 61);
	mbox(a, HK_VALID_OK, a);
	b = hk_aprintf("%sx", a);
	mbox(b, HK_VALID_TOO_LONG, NULL);
	free(a);
	free(b);
	free(l64);
	free(l65);
	free(d63);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(hk_name_equal("Main", "mAIN"));
	assert_true(hk_name_equal("ＭＡＩＮ", "main"));	/* full width */
	assert_true(hk_name_equal("Ünïcödé", "üNÏCÖDÉ"));
	assert_true(hk_name_equal("Łódź", "łÓDŹ"));
	assert_true(hk_name_equal("ΑΘΗΝΑ", "αθηνα"));
	assert_true(hk_name_equal("МОСКВА", "москва"));
	assert_true(hk_name_equal("本社", "本社"));
	assert_false(hk_name_equal("本社", "支社"));
	assert_false(hk_name_equal("Main", "Main2"));
	assert_false(hk_name_equal("a", ""));
}

static void
test_form_errors(void **state)
{
	struct hk_form_errors e = HK_FORM_ERRORS_INIT;

	(void)state;
	hk_form_error(&e, "smtp_port", "error.port", NULL, NULL);
	hk_form_error(&e, "pop_before_smtp_wait", "error.range", "0", "5");
	assert_int_equal(e.n, 2);
	assert_true(hk_form_has_error(&e, "smtp_port"));
	assert_false(hk_form_has_error(&e, "name"));
	assert_int_equal(e.v[1].nargs, 2);
	assert_string_equal(e.v[1].args[1], "5");
	for (int i = 0; i < 40; i++)
		hk_form_error(&e, "name", "error.required", NULL, NULL);
	assert_int_equal(e.n, HK_FORM_ERRORS_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_hosts_ip),
		cmocka_unit_test(test_hosts_names),
		cmocka_unit_test(test_hosts_idn),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_mailbox),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_form_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
