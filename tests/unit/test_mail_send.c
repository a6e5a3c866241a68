/* test_mail_send.c - the canonical form of a message to send (bare LF and
 * bare CR become CRLF, the last line gets one), its size against the
 * limit, dot-stuffing on the wire, and the size messages. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "mem.h"
#include "send.h"
#include "sizefmt.h"
#include "smtp.h"
#include "test_net_util.h"

/* canon(in, chunk): the canonical form, fed chunk bytes at a time. */
static char *
canon(const char *in, size_t chunk, unsigned long long *size)
{
	struct hk_send_canon k;
	struct hk_buf out = HK_BUF_INIT;
	size_t n = strlen(in);

	hk_send_canon_init(&k, 0);
	for (size_t i = 0; i < n; i += chunk)
		hk_send_canon_feed(&k, in + i, n - i < chunk ? n - i : chunk, &out);
	hk_send_canon_end(&k, &out);
	*size = k.size;
	return hk_buf_steal(&out);
}

static void
check(const char *in, const char *want)
{
	/* Every way of cutting the input gives the same result. */
	for (size_t chunk = 1; chunk <= strlen(in) + 1; chunk++) {
		unsigned long long size;
		char *got = canon(in, chunk, &size);

		assert_string_equal(got, want);
		assert_int_equal(size, strlen(want));
		free(got);
	}
}

static void
test_canonical(void **state)
{
	(void)state;
	check("a\nb\n", "a\r\nb\r\n");			/* bare LF */
	check("a\r\nb\r\n", "a\r\nb\r\n");		/* already CRLF */
	check("a\rb\r", "a\r\nb\r\n");			/* bare CR */
	check("a\r\r\nb", "a\r\n\r\nb\r\n");		/* CR CR LF */
	check("no end", "no end\r\n");			/* last line */
	check("x\n\n\ny", "x\r\n\r\n\r\ny\r\n");	/* empty lines kept */
	check(".\n..\n", ".\r\n..\r\n");		/* dots untouched here */
}

static void
test_keep_counts_all(void **state)
{
	struct hk_send_canon k;
	struct hk_buf out = HK_BUF_INIT;

	(void)state;
	/* Past keep, bytes are only counted: the size is still exact. */
	hk_send_canon_init(&k, 4);
	hk_send_canon_feed(&k, "abc\ndef\nghi\n", 12, &out);
	hk_send_canon_end(&k, &out);
	assert_int_equal(k.size, 15);
	assert_int_equal(out.len, 4);
	hk_buf_free(&out);
}

struct reader {
	const char *p;
	size_t left;
};

static long
rd(void *ctx, char *buf, size_t len)
{
	struct reader *r = ctx;
	size_t n = r->left < 3 ? r->left : 3;	/* small chunks on purpose */

	(void)len;
	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;
	return (long)n;
}

static void
test_dot_stuffing_on_the_wire(void **state)
{
	unsigned long long size;
	char *msg = canon("Subject: x\n\n.\n.hidden\n..two\nlast", 64, &size);
	struct reader r = { msg, strlen(msg) };
	struct hk_smtp_reply rep = HK_SMTP_REPLY_INIT;
	struct fake f;

	(void)state;
	fake_open(&f, "354 go\r\n250 ok\r\n", 16);
	assert_int_equal(hk_smtp_data(&f.c, &rep, rd, &r), HK_NET_OK);
	assert_int_equal(rep.code, 250);
	/* A lone dot line must not end the message early. */
	assert_string_equal(fake_sent(&f), "DATA\r\nSubject: x\r\n\r\n..\r\n"
	    "..hidden\r\n...two\r\nlast\r\n.\r\n");
	fake_close(&f);
	hk_smtp_reply_free(&rep);
	free(msg);
}

static void
test_size_format(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(hk_size_format(0, b, sizeof(b)), "0 bytes");
	assert_string_equal(hk_size_format(1, b, sizeof(b)), "1 byte");
	assert_string_equal(hk_size_format(1023, b, sizeof(b)), "1023 bytes");
	assert_string_equal(hk_size_format(1024, b, sizeof(b)), "1 KB");
	assert_string_equal(hk_size_format(1536, b, sizeof(b)), "1.5 KB");
	assert_string_equal(hk_size_format(524288, b, sizeof(b)), "512 KB");
	/* cut, never rounded up to the limit */
	assert_string_equal(hk_size_format(1048575, b, sizeof(b)), "1023.9 KB");
	assert_string_equal(hk_size_format(1048576, b, sizeof(b)), "1 MB");
	assert_string_equal(hk_size_format(3145728, b, sizeof(b)), "3 MB");
	assert_string_equal(hk_size_format(10485760 + 104858, b, sizeof(b)),
	    "10.1 MB");
	assert_string_equal(hk_size_format(18446744073709551615ULL, b,
	    sizeof(b)), "17592186044415.9 MB");
}

static void
test_size_error(void **state)
{
	char *e = hk_send_size_error(1468006, "the send limit", 1048576);

	(void)state;
	assert_string_equal(e, "the message is 1.3 MB (1468006 bytes), larger "
	    "than the send limit of 1 MB (1048576 bytes)");
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_keep_counts_all),
		cmocka_unit_test(test_dot_stuffing_on_the_wire),
		cmocka_unit_test(test_size_format),
		cmocka_unit_test(test_size_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
