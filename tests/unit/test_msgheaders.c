/* test_msgheaders.c - From/Subject/Date/Message-ID of a header block:
 * folding, encoded words (B, Q, ISO-2022-JP, unknown charsets), missing
 * and repeated fields, hostile bytes. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "msgheaders.h"

static void
parse(const char *s, struct hk_msgheaders *h)
{
	hk_msgheaders_parse(s, strlen(s), h);
}

static void
test_plain(void **state)
{
	struct hk_msgheaders h;

	(void)state;
	parse("Received: from x\r\nFrom: Alice <a@example.test>\r\n"
	    "Subject: hello\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\n"
	    "Message-ID: <1@x>\r\n\r\nFrom: not a header\r\n", &h);
	assert_string_equal(h.from, "Alice <a@example.test>");
	assert_string_equal(h.subject, "hello");
	assert_string_equal(h.date, "Mon, 2 Nov 2026 10:00:00 +0900");
	assert_string_equal(h.message_id, "<1@x>");
	hk_msgheaders_clear(&h);
}

static void
test_folded_and_case(void **state)
{
	struct hk_msgheaders h;

	(void)state;
	parse("SUBJECT: a long\n\tsubject\n  folded\nfrom :x@y\n", &h);
	assert_string_equal(h.subject, "a long subject  folded");	/* a tab shows as a space */
	assert_string_equal(h.from, "x@y");	/* obsolete "from :" */
	hk_msgheaders_clear(&h);
}

static void
test_missing_and_repeated(void **state)
{
	struct hk_msgheaders h;

	(void)state;
	parse("Subject: first\nSubject: second\n", &h);
	assert_string_equal(h.subject, "first");
	assert_string_equal(h.from, "");
	assert_string_equal(h.date, "");
	assert_string_equal(h.message_id, "");
	hk_msgheaders_clear(&h);
	parse("", &h);
	assert_string_equal(h.subject, "");
	hk_msgheaders_clear(&h);
	parse("not a header at all\nno colon\n", &h);
	assert_string_equal(h.subject, "");
	hk_msgheaders_clear(&h);
}

static void
test_encoded_words(void **state)
{
	char *s;

	(void)state;
	s = hk_rfc2047_decode("=?UTF-8?B?5aSn44GN44Gq5re75LuY?=", 32);
	assert_string_equal(s, "大きな添付");
	free(s);
	/* adjacent encoded words: the white space between them goes */
	s = hk_rfc2047_decode("=?utf-8?q?a?= =?utf-8?q?b?= c", 29);
	assert_string_equal(s, "ab c");
	free(s);
	/* Q: underscore is a space, =XX a byte */
	s = hk_rfc2047_decode("=?ISO-8859-1?Q?caf=E9_au_lait?=", 31);
	assert_string_equal(s, "café au lait");
	free(s);
	/* ISO-2022-JP (Japanese mail) */
	s = hk_rfc2047_decode("=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <y@x>", 40);
	assert_string_equal(s, "山田 <y@x>");
	free(s);
	/* an unknown charset stays as it was */
	s = hk_rfc2047_decode("=?x-nonsense?B?YWJj?=", 21);
	assert_string_equal(s, "=?x-nonsense?B?YWJj?=");
	free(s);
	/* malformed: not an encoded word */
	s = hk_rfc2047_decode("=?utf-8?Z?abc?= =?utf-8?b?", 26);
	assert_string_equal(s, "=?utf-8?Z?abc?= =?utf-8?b?");
	free(s);
	/* RFC 2231 language suffix */
	s = hk_rfc2047_decode("=?UTF-8*ja?B?44GC?=", 19);
	assert_string_equal(s, "あ");
	free(s);
}

static void
test_hostile_bytes(void **state)
{
	struct hk_msgheaders h;
	char *s;

	(void)state;
	/* invalid UTF-8 becomes '?', controls a space, the result trimmed */
	s = hk_header_clean("  a\xff\x01" "b\xc3 ", 9);
	assert_string_equal(s, "a? b?");
	free(s);
	/* an encoded word that decodes to a control character or NUL */
	s = hk_rfc2047_decode("=?utf-8?q?x=00=0Ay?=", 20);
	assert_string_equal(s, "x  y");
	free(s);
	/* raw ISO-2022-JP in a header (old Japanese mail) */
	parse("Subject: \x1b$B;3ED\x1b(B\n", &h);
	assert_string_equal(h.subject, "山田");
	hk_msgheaders_clear(&h);
	/* a value longer than the cap is cut on a character boundary */
	{
		char big[3 * 1000 + 20];
		size_t n = 0;

		n += (size_t)sprintf(big, "Subject: ");
		for (int i = 0; i < 1000; i++)
			n += (size_t)sprintf(big + n, "あ");
		parse(big, &h);
		assert_true(strlen(h.subject) <= HK_MSGHDR_MAX);
		assert_int_equal(strlen(h.subject) % 3, 0);
		hk_msgheaders_clear(&h);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_folded_and_case),
		cmocka_unit_test(test_missing_and_repeated),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_hostile_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
