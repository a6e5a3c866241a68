/* test_imap.c - literals (parsing, sending, receiving), quoting,
 * capabilities, FETCH parsing, with hostile input. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "imap.h"
#include "mem.h"
#include "test_net_util.h"

static void
test_literal_len(void **state)
{
	unsigned long long n = 99;
	bool ns;

#define L(s) hk_imap_literal_len(s, strlen(s), &n, &ns)
	assert_int_equal(L("* 1 FETCH (BODY[] {342}"), 1);
	assert_int_equal(n, 342);
	assert_false(ns);
	assert_int_equal(L("a LOGIN {5+}"), 1);
	assert_int_equal(n, 5);
	assert_true(ns);
	assert_int_equal(L("{0}"), 1);
	assert_int_equal(n, 0);
	assert_int_equal(L("* OK done"), 0);
	assert_int_equal(L("* OK [x]"), 0);
	assert_int_equal(L("abc}"), 0);
	assert_int_equal(L(""), 0);
	assert_int_equal(L("x {}"), -1);
	assert_int_equal(L("x {12x}"), -1);
	assert_int_equal(L("x {+}"), -1);
	assert_int_equal(L("x {99999999999}"), -1);
	assert_int_equal(L("x {4294967296}"), -1);
	assert_int_equal(L("x {4294967295}"), 1);
#undef L
}

static void
test_quote(void **state)
{
	struct hk_buf b = HK_BUF_INIT;
	char big[1100];

	assert_int_equal(hk_imap_quote(&b, "alice"), 0);
	assert_string_equal(hk_buf_str(&b), "\"alice\"");
	hk_buf_reset(&b);
	assert_int_equal(hk_imap_quote(&b, "a\"b\\c d"), 0);
	assert_string_equal(hk_buf_str(&b), "\"a\\\"b\\\\c d\"");
	hk_buf_reset(&b);
	assert_int_equal(hk_imap_quote(&b, ""), 0);
	assert_string_equal(hk_buf_str(&b), "\"\"");
	hk_buf_reset(&b);
	assert_int_equal(hk_imap_quote(&b, "p\xc3\xa4ss"), 1);
	assert_int_equal(hk_imap_quote(&b, "a\r\nb"), 1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(hk_imap_quote(&b, big), 1);
	assert_int_equal(b.len, 0);
	hk_buf_free(&b);
}

static void
test_caps_fetch(void **state)
{
	struct hk_imap_caps c;
	const char *l = "IMAP4rev1 SASL-IR LITERAL+ STARTTLS LOGINDISABLED] ready";
	unsigned long seq;
	unsigned long long uid, size;

	hk_imap_caps_parse(&c, l, strlen(l));
	assert_true(c.imap4rev1);
	assert_true(c.literal_plus);
	assert_true(c.starttls);
	assert_true(c.logindisabled);
	assert_false(c.uidplus);

	assert_int_equal(hk_imap_parse_fetch("3 FETCH (UID 17 RFC822.SIZE 2345)",
	    &seq, &uid, &size), 0);
	assert_int_equal(seq, 3);
	assert_int_equal(uid, 17);
	assert_int_equal(size, 2345);
	assert_int_equal(hk_imap_parse_fetch("12 fetch (rfc822.size 9 uid 4)",
	    &seq, &uid, &size), 0);
	assert_int_equal(uid, 4);
	assert_int_equal(size, 9);
	/* Flag updates have no size: not a listing line, not an error. */
	assert_int_equal(hk_imap_parse_fetch("3 FETCH (UID 17)", &seq, &uid, &size), 1);
	assert_int_equal(hk_imap_parse_fetch("3 FETCH (FLAGS (\\Seen))", &seq,
	    &uid, &size), 1);
	assert_int_equal(hk_imap_parse_fetch("3 FETCH (RFC822.SIZE x UID 1)",
	    &seq, &uid, &size), -1);
	assert_int_equal(hk_imap_parse_fetch("3 FETCH (XUID 17 RFC822.SIZE 1)",
	    &seq, &uid, &size), -1);
	assert_int_equal(hk_imap_parse_fetch("3 FETCH (UID 99999999999999999999999 RFC822.SIZE 1)",
	    &seq, &uid, &size), -1);
	assert_int_equal(hk_imap_parse_fetch("x FETCH (UID 1 RFC822.SIZE 1)",
	    &seq, &uid, &size), -1);
	assert_int_equal(hk_imap_parse_fetch("3 EXISTS", &seq, &uid, &size), -1);
}

static void
test_login_literal(void **state)
{
	struct hk_imap m;
	struct fake f;
	enum hk_imap_status st;
	static const char data[] = "+ go on\r\nh1 OK Logged in\r\n";

	fake_open(&f, data, sizeof(data) - 1);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_login(&m, "us\"er", "p\xc3\xa4ss", &st), HK_NET_OK);
	assert_int_equal(st, HK_IMAP_OK);
	assert_string_equal(fake_sent(&f),
	    "h1 LOGIN \"us\\\"er\" {5}\r\np\xc3\xa4ss\r\n");
	hk_imap_free(&m);
	fake_close(&f);

	/* With LITERAL+ there is no waiting for the continuation. */
	fake_open(&f, "h1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", 53);
	hk_imap_init(&m, &f.c);
	m.caps.literal_plus = true;
	assert_int_equal(hk_imap_login(&m, "u", "\xc3\xa4", &st), HK_NET_OK);
	assert_int_equal(st, HK_IMAP_NO);
	assert_string_equal(fake_sent(&f), "h1 LOGIN \"u\" {2+}\r\n\xc3\xa4\r\n");
	hk_imap_free(&m);
	fake_close(&f);

	/* A refusal instead of the continuation ends the command. */
	fake_open(&f, "h1 BAD no literals\r\n", 20);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_login(&m, "u", "\xc3\xa4", &st), HK_NET_OK);
	assert_int_equal(st, HK_IMAP_BAD);
	assert_string_equal(fake_sent(&f), "h1 LOGIN \"u\" {2}\r\n");
	hk_imap_free(&m);
	fake_close(&f);
}

static int
sink(void *ctx, const char *p, size_t len)
{
	hk_buf_append(ctx, p, len);
	return 0;
}

static void
test_fetch_literal(void **state)
{
	static const char data[] =
	    "* 1 FETCH (UID 5 BODY[] {13}\r\nhello\r\nworld!)\r\n"
	    "* 2 EXISTS\r\n"
	    "h1 OK Fetch completed.\r\n";
	struct hk_buf got = HK_BUF_INIT;
	struct hk_imap m;
	struct fake f;
	enum hk_imap_status st;

	fake_open(&f, data, sizeof(data) - 1);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_uid_fetch_message(&m, 5, 0, sink, &got, &st),
	    HK_NET_OK);
	assert_int_equal(st, HK_IMAP_OK);
	assert_string_equal(hk_buf_str(&got), "hello\r\nworld!");
	assert_string_equal(fake_sent(&f), "h1 UID FETCH 5 BODY.PEEK[]\r\n");
	hk_imap_free(&m);
	fake_close(&f);

	/* Over the cap: refused before reading it. */
	fake_open(&f, data, sizeof(data) - 1);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_uid_fetch_message(&m, 5, 12, sink, &got, &st),
	    HK_NET_TOO_LONG);
	hk_imap_free(&m);
	fake_close(&f);

	/* An unknown tag, and a huge unexpected literal. */
	fake_open(&f, "zz OK what\r\n", 12);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_uid_store_deleted(&m, 1, &st), HK_NET_PROTOCOL);
	hk_imap_free(&m);
	fake_close(&f);
	fake_open(&f, "* OK {99999999}\r\n", 17);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_uid_store_deleted(&m, 1, &st), HK_NET_TOO_LONG);
	hk_imap_free(&m);
	fake_close(&f);
	hk_buf_free(&got);
}

/* fetch_body(script, uid, max, &got): one UID FETCH against script. */
static enum hk_net_rc
fetch_body(const char *data, unsigned long long uid, unsigned long long max,
    struct hk_buf *got)
{
	struct hk_imap m;
	struct fake f;
	enum hk_imap_status st = HK_IMAP_BAD;
	enum hk_net_rc rc;

	hk_buf_reset(got);
	fake_open(&f, data, strlen(data));
	hk_imap_init(&m, &f.c);
	rc = hk_imap_uid_fetch_message(&m, uid, max, sink, got, &st);
	if (rc == HK_NET_OK)
		assert_int_equal(st, HK_IMAP_OK);
	hk_imap_free(&m);
	fake_close(&f);
	return rc;
}

/* Only the BODY[] of the response for the UID asked for fills the sink,
 * and only once, however many bodies a server sends before its OK. */
static void
test_fetch_one_body(void **state)
{
	struct hk_buf got = HK_BUF_INIT;

	/* The same body again and again: only the first is kept. */
	assert_int_equal(fetch_body(
	    "* 1 FETCH (UID 1 BODY[] {5}\r\nfirst)\r\n"
	    "* 1 FETCH (UID 1 BODY[] {6}\r\nsecond)\r\n"
	    "* 1 FETCH (UID 1 BODY[] {5}\r\nthird)\r\n"
	    "h1 OK done\r\n", 1, 100, &got), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got), "first");
	/* Another message's body, before and after ours, is skipped. */
	assert_int_equal(fetch_body(
	    "* 2 FETCH (UID 9 BODY[] {5}\r\nother)\r\n"
	    "* 1 FETCH (UID 1 BODY[] {4}\r\nmine)\r\n"
	    "* 3 FETCH (UID 10 BODY[] {5}\r\nthree)\r\n"
	    "h1 OK done\r\n", 1, 100, &got), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got), "mine");
	/* A literal that is not the BODY[] item is not the message. */
	assert_int_equal(fetch_body(
	    "* 1 FETCH (UID 1 BODY[HEADER] {4}\r\nhead BODY[] {4}\r\nbody)\r\n"
	    "h1 OK done\r\n", 1, 100, &got), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got), "body");
	/* The UID may follow the body; a wrong one fails the fetch. */
	assert_int_equal(fetch_body(
	    "* 1 FETCH (BODY[] {4}\r\nbody UID 1)\r\nh1 OK done\r\n", 1, 100,
	    &got), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got), "body");
	assert_int_equal(fetch_body(
	    "* 1 FETCH (BODY[] {4}\r\nbody UID 2)\r\nh1 OK done\r\n", 1, 100,
	    &got), HK_NET_PROTOCOL);
	assert_int_equal(fetch_body(
	    "* 1 FETCH (BODY[] {4}\r\nbody)\r\nh1 OK done\r\n", 1, 100,
	    &got), HK_NET_PROTOCOL);
	/* A repeated body does not count against the cap, and is not kept. */
	assert_int_equal(fetch_body(
	    "* 1 FETCH (UID 1 BODY[] {5}\r\nfirst)\r\n"
	    "* 1 FETCH (UID 1 BODY[] {5}\r\nfirst)\r\n"
	    "h1 OK done\r\n", 1, 5, &got), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got), "first");
	hk_buf_free(&got);
}

static int
sizes(void *ctx, unsigned long long uid, unsigned long long size)
{
	hk_buf_printf(ctx, "%llu:%llu ", uid, size);
	return 0;
}

static void
test_select_and_sizes(void **state)
{
	static const char data[] =
	    "* FLAGS (\\Answered)\r\n* 2 EXISTS\r\n* 0 RECENT\r\n"
	    "* OK [UIDVALIDITY 1700000000] UIDs valid\r\n"
	    "h1 OK [READ-WRITE] Select completed.\r\n"
	    "* 1 FETCH (UID 7 RFC822.SIZE 100)\r\n"
	    "* 2 FETCH (RFC822.SIZE 2000 UID 9)\r\n"
	    "h2 OK done\r\n";
	struct hk_buf got = HK_BUF_INIT;
	struct hk_imap m;
	struct fake f;
	enum hk_imap_status st;

	fake_open(&f, data, sizeof(data) - 1);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_select(&m, "INBOX", &st), HK_NET_OK);
	assert_int_equal(m.exists, 2);
	assert_int_equal(m.uidvalidity, 1700000000ULL);
	assert_int_equal(hk_imap_uid_fetch_sizes(&m, sizes, &got, &st), HK_NET_OK);
	assert_string_equal(hk_buf_str(&got), "7:100 9:2000 ");
	hk_imap_free(&m);
	fake_close(&f);
	hk_buf_free(&got);
}

/* Capabilities come from a greeting's or a tagged reply's [CAPABILITY]
 * response code, or from an untagged CAPABILITY response (RFC 3501 7.2.1,
 * RFC 9051 7.2.2); a completion's own text ("h1 OK CAPABILITY completed")
 * is no list, and must not replace the one the server just sent. */
static void
test_caps_where_they_come_from(void **state)
{
	static const char data[] =
	    "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready\r\n"
	    "* capability imap4rev1 STARTTLS AUTH=PLAIN\r\n"
	    "h1 OK CAPABILITY Completed\r\n"
	    "* OK CAPABILITY is what this text says\r\n"
	    "h2 OK [CAPABILITY IMAP4rev1 UIDPLUS SASL-IR] Logged in\r\n";
	struct hk_imap m;
	struct fake f;
	enum hk_imap_status st;

	fake_open(&f, data, sizeof(data) - 1);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_greeting(&m, &st), HK_NET_OK);
	assert_true(m.caps_known);
	assert_true(m.caps.logindisabled);
	assert_false(m.caps.starttls);
	assert_int_equal(hk_imap_capability(&m, &st), HK_NET_OK);
	assert_int_equal(st, HK_IMAP_OK);
	assert_true(m.caps_known);
	assert_true(m.caps.imap4rev1);
	assert_true(m.caps.starttls);
	assert_false(m.caps.logindisabled);
	assert_string_equal(m.caps.list, "imap4rev1 STARTTLS AUTH=PLAIN");
	/* An untagged OK whose text merely starts with the word, then a
	 * login whose completion carries the new list. */
	assert_int_equal(hk_imap_login(&m, "u", "pw", &st), HK_NET_OK);
	assert_int_equal(st, HK_IMAP_OK);
	assert_true(m.caps.uidplus);
	assert_false(m.caps.starttls);
	assert_string_equal(m.caps.list, "IMAP4rev1 UIDPLUS SASL-IR");
	hk_imap_free(&m);
	fake_close(&f);
}

/* Flag updates may come at any time, also in the middle of the size
 * listing; and a listing has a cap. */
static void
test_sizes_unsolicited_and_cap(void **state)
{
	static const char data[] =
	    "* 1 FETCH (UID 7 RFC822.SIZE 100)\r\n"
	    "* 1 FETCH (FLAGS (\\Seen))\r\n"
	    "* 4 FETCH (UID 12 FLAGS (\\Deleted))\r\n"
	    "* 2 FETCH (RFC822.SIZE 2000 UID 9)\r\n"
	    "* 5 EXISTS\r\n"
	    "* 3 FETCH (UID 10 RFC822.SIZE 30)\r\n"
	    "h1 OK done\r\n";
	struct hk_buf got = HK_BUF_INIT;
	struct hk_imap m;
	struct fake f;
	enum hk_imap_status st = HK_IMAP_BAD;

	fake_open(&f, data, sizeof(data) - 1);
	hk_imap_init(&m, &f.c);
	assert_int_equal(hk_imap_uid_fetch_sizes(&m, sizes, &got, &st), HK_NET_OK);
	assert_int_equal(st, HK_IMAP_OK);
	assert_string_equal(hk_buf_str(&got), "7:100 9:2000 10:30 ");
	hk_imap_free(&m);
	fake_close(&f);

	/* One message more than the cap fails the listing; flag updates do
	 * not count. */
	hk_buf_reset(&got);
	fake_open(&f, data, sizeof(data) - 1);
	hk_imap_init(&m, &f.c);
	assert_int_equal(m.list_max, HK_IMAP_LIST_MAX);
	m.list_max = 2;
	assert_int_equal(hk_imap_uid_fetch_sizes(&m, sizes, &got, &st),
	    HK_NET_TOO_LONG);
	assert_string_equal(hk_buf_str(&got), "7:100 9:2000 ");
	assert_string_equal(hk_buf_str(&f.c.err),
	    "the IMAP server listed more than 2 messages");
	hk_imap_free(&m);
	fake_close(&f);
	hk_buf_free(&got);
}

/* expunge(script, uidplus, &expunged): what the client sent. */
static char *
expunge(const char *data, bool uidplus, bool *expunged)
{
	static const unsigned long long uids[] = { 3, 5 };
	struct hk_imap m;
	struct fake f;
	enum hk_imap_status st;
	char *sent;

	fake_open(&f, data, strlen(data));
	hk_imap_init(&m, &f.c);
	m.caps.uidplus = uidplus;
	assert_int_equal(hk_imap_expunge_uids(&m, uids, 2, &st, expunged),
	    HK_NET_OK);
	sent = hk_strdup(fake_sent(&f));
	hk_imap_free(&m);
	fake_close(&f);
	return sent;
}

/* Only our messages are expunged: UID EXPUNGE with UIDPLUS; without it,
 * EXPUNGE only when no other message is \Deleted. */
static void
test_expunge_ours_only(void **state)
{
	bool x = false;
	char *sent;

	sent = expunge("h1 OK done\r\n", true, &x);
	assert_string_equal(sent, "h1 UID EXPUNGE 3,5\r\n");
	assert_true(x);
	free(sent);
	/* UIDPLUS listed only now: asked again, then used. */
	sent = expunge("* CAPABILITY IMAP4rev1 UIDPLUS\r\nh1 OK done\r\n"
	    "h2 OK done\r\n", false, &x);
	assert_string_equal(sent, "h1 CAPABILITY\r\nh2 UID EXPUNGE 3,5\r\n");
	assert_true(x);
	free(sent);
	/* Another client's \Deleted message (7): no EXPUNGE. */
	sent = expunge("h1 OK done\r\n* SEARCH 3 7 5\r\nh2 OK done\r\n", false,
	    &x);
	assert_string_equal(sent, "h1 CAPABILITY\r\nh2 UID SEARCH DELETED\r\n");
	assert_false(x);
	free(sent);
	/* No SEARCH answer at all: no EXPUNGE either. */
	sent = expunge("h1 OK done\r\nh2 OK done\r\n", false, &x);
	assert_string_equal(sent, "h1 CAPABILITY\r\nh2 UID SEARCH DELETED\r\n");
	assert_false(x);
	free(sent);
	/* Only ours: EXPUNGE. */
	sent = expunge("h1 OK done\r\n* SEARCH 5 3\r\nh2 OK done\r\n"
	    "* 1 EXPUNGE\r\nh3 OK done\r\n", false, &x);
	assert_string_equal(sent, "h1 CAPABILITY\r\nh2 UID SEARCH DELETED\r\n"
	    "h3 EXPUNGE\r\n");
	assert_true(x);
	free(sent);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_len),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_caps_fetch),
		cmocka_unit_test(test_login_literal),
		cmocka_unit_test(test_fetch_literal),
		cmocka_unit_test(test_fetch_one_body),
		cmocka_unit_test(test_select_and_sizes),
		cmocka_unit_test(test_caps_where_they_come_from),
		cmocka_unit_test(test_sizes_unsolicited_and_cap),
		cmocka_unit_test(test_expunge_ours_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
