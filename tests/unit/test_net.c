/* test_net.c - the line reader's caps and errors, counted reads, address
 * literals, and refusing to send CR/LF. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "mem.h"
#include "net.h"
#include "test_net_util.h"

static void
test_lines(void **state)
{
	static const char data[] = "one\r\ntwo\nthree\r\n\r\nlast";
	struct fake f;
	struct hk_buf l = HK_BUF_INIT;

	fake_open(&f, data, sizeof(data) - 1);
	assert_int_equal(hk_conn_read_line(&f.c, &l, 100), HK_NET_OK);
	assert_string_equal(hk_buf_str(&l), "one");
	assert_int_equal(hk_conn_read_line(&f.c, &l, 100), HK_NET_OK);
	assert_string_equal(hk_buf_str(&l), "two");	/* bare LF */
	assert_int_equal(hk_conn_read_line(&f.c, &l, 100), HK_NET_OK);
	assert_string_equal(hk_buf_str(&l), "three");
	assert_int_equal(hk_conn_read_line(&f.c, &l, 100), HK_NET_OK);
	assert_int_equal(l.len, 0);
	/* "last" never ends: the peer closes. */
	assert_int_equal(hk_conn_read_line(&f.c, &l, 100), HK_NET_CLOSED);
	hk_buf_free(&l);
	fake_close(&f);
}

static void
test_line_cap(void **state)
{
	struct hk_buf l = HK_BUF_INIT;
	struct fake f;
	char *big = hk_malloc(200000);

	/* Exactly max bytes (+CRLF) is fine, max+1 is not. */
	fake_open(&f, "12345\r\n123456\r\n", 15);
	assert_int_equal(hk_conn_read_line(&f.c, &l, 5), HK_NET_OK);
	assert_string_equal(hk_buf_str(&l), "12345");
	assert_int_equal(hk_conn_read_line(&f.c, &l, 5), HK_NET_TOO_LONG);
	fake_close(&f);

	/* A line far over the cap fails without buffering all of it. */
	memset(big, 'A', 200000);
	fake_open(&f, big, 200000);
	assert_int_equal(hk_conn_read_line(&f.c, &l, 2048), HK_NET_TOO_LONG);
	assert_true(l.cap < 2048 + HK_NET_RBUF + 64);
	assert_non_null(strstr(hk_buf_str(&f.c.err), "longer than 2048"));
	fake_close(&f);
	free(big);
	hk_buf_free(&l);
}

static void
test_nul_and_timeout(void **state)
{
	struct hk_buf l = HK_BUF_INIT;
	struct fake f;
	long long t0;

	fake_open(&f, "ab\0cd\r\n", 7);
	assert_int_equal(hk_conn_read_line(&f.c, &l, 100), HK_NET_PROTOCOL);
	fake_close(&f);

	/* Nothing arrives: the step times out (io_ms = 500). */
	fake_open_silent(&f);
	t0 = hk_net_now_ms();
	assert_int_equal(hk_conn_read_line(&f.c, &l, 100), HK_NET_TIMEOUT);
	assert_true(hk_net_now_ms() - t0 >= 450);
	assert_true(hk_net_now_ms() - t0 < 2000);
	fake_close(&f);
	hk_buf_free(&l);
}

static int
collect(void *ctx, const char *p, size_t len)
{
	hk_buf_append(ctx, p, len);
	return 0;
}

static void
test_read_n(void **state)
{
	struct hk_buf got = HK_BUF_INIT, l = HK_BUF_INIT;
	struct fake f;

	fake_open(&f, "hello world)\r\nnext\r\n", 20);
	assert_int_equal(hk_conn_read_n(&f.c, 11, collect, &got), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got), "hello world");
	assert_int_equal(hk_conn_read_line(&f.c, &l, 100), HK_NET_OK);
	assert_string_equal(hk_buf_str(&l), ")");
	assert_int_equal(hk_conn_read_n(&f.c, 100, NULL, NULL), HK_NET_CLOSED);
	fake_close(&f);
	hk_buf_free(&got);
	hk_buf_free(&l);
}

static void
test_send_line(void **state)
{
	struct fake f;

	fake_open(&f, "", 0);
	assert_int_equal(hk_conn_send_line(&f.c, "A\r\nB", 4, 4), HK_NET_PROTOCOL);
	assert_int_equal(hk_conn_send_line(&f.c, "NOOP", 4, 4), HK_NET_OK);
	assert_string_equal(fake_sent(&f), "NOOP\r\n");
	fake_close(&f);
}

static void
test_literals(void **state)
{
	struct hk_conn c;
	struct hk_addrs a;

	assert_true(hk_net_is_ip_literal("127.0.0.1"));
	assert_true(hk_net_is_ip_literal("::1"));
	assert_true(hk_net_is_ip_literal("[2001:db8::1]"));
	assert_false(hk_net_is_ip_literal("[2001:db8::1"));
	assert_false(hk_net_is_ip_literal("mail.example.com"));
	assert_false(hk_net_is_ip_literal("1.2.3"));

	hk_conn_init(&c, &fake_timeouts);
	assert_int_equal(hk_net_resolve(&c, "[::1]", 25, &a), HK_NET_OK);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.sa[0].ss_family, AF_INET6);
	assert_int_equal(hk_net_resolve(&c, "192.0.2.1", 25, &a), HK_NET_OK);
	assert_int_equal(a.sa[0].ss_family, AF_INET);
	assert_int_equal(hk_net_resolve(&c, "", 25, &a), HK_NET_RESOLVE);
	assert_int_equal(hk_net_resolve(&c, "127.0.0.1", 0, &a), HK_NET_RESOLVE);
	assert_int_equal(hk_net_resolve(&c, "no-such-host.invalid", 25, &a),
	    HK_NET_RESOLVE);
	hk_conn_free(&c);
}

static void
test_refused(void **state)
{
	struct hk_conn c;
	struct hk_addrs a;

	/* Port 1 on loopback: nobody listens there. */
	hk_conn_init(&c, &fake_timeouts);
	assert_int_equal(hk_net_resolve(&c, "127.0.0.1", 1, &a), HK_NET_OK);
	assert_int_equal(hk_conn_connect(&c, &a), HK_NET_REFUSED);
	assert_int_equal(c.fd, -1);
	hk_conn_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_line_cap),
		cmocka_unit_test(test_nul_and_timeout),
		cmocka_unit_test(test_read_n),
		cmocka_unit_test(test_send_line),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
