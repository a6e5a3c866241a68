/* test_maildir.c - the Maildir writer: folders, tmp -> new, CRLF -> LF
 * across chunk boundaries, no second copy under one name, names found in
 * cur/ after a reader moved them, the account folder and message names. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fetch.h"
#include "maildir.h"
#include "mem.h"

static char *
tmpdir(void)
{
	char t[] = "/tmp/hk-maildir-test.XXXXXX";

	assert_non_null(mkdtemp(t));
	return hk_strdup(t);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = hk_malloc(1 << 20);

	assert_non_null(f);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void
rm_rf(const char *d)
{
	char *cmd = hk_aprintf("rm -rf '%s'", d);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void
test_deliver(void **state)
{
	char *d = tmpdir(), *md_path = hk_aprintf("%s/a/b", d), *p, *data;
	struct hk_maildir md;
	struct hk_maildir_msg *m = hk_malloc(sizeof(*m));
	char *err = NULL;
	size_t len;
	struct stat st;

	(void)state;
	assert_int_equal(hk_maildir_open(&md, md_path, &err), 0);
	p = hk_aprintf("%s/tmp", md_path);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	free(p);

	assert_int_equal(hk_maildir_begin(&md, "m1.hikyaku", m), 0);
	/* CRLF split over chunks, a bare CR kept, a CR at the very end */
	hk_maildir_write_crlf(m, "a\r", 2);
	hk_maildir_write_crlf(m, "\nb\rc\r\n\r", 7);
	hk_maildir_write_crlf(m, "\n", 1);
	hk_maildir_write_crlf(m, "end\r", 4);
	assert_int_equal(hk_maildir_commit(m, true), 0);
	p = hk_aprintf("%s/new/m1.hikyaku", md_path);
	data = slurp(p, &len);
	assert_int_equal(len, 11);
	assert_memory_equal(data, "a\nb\rc\n\nend\r", 11);
	free(data);
	free(p);
	p = hk_aprintf("%s/tmp/m1.hikyaku", md_path);
	assert_int_not_equal(stat(p, &st), 0);	/* tmp/ is cleaned */
	free(p);
	assert_int_equal(hk_maildir_sync(&md), 0);

	/* the same name again: "already there", the first copy untouched */
	assert_int_equal(hk_maildir_begin(&md, "m1.hikyaku", m), 0);
	hk_maildir_write(m, "other", 5);
	assert_int_equal(hk_maildir_commit(m, false), 1);
	p = hk_aprintf("%s/new/m1.hikyaku", md_path);
	data = slurp(p, &len);
	assert_int_equal(len, 11);
	free(data);
	free(p);

	/* found in new/, and in cur/ with an info suffix after a move */
	assert_true(hk_maildir_has(&md, "m1.hikyaku"));
	assert_false(hk_maildir_has(&md, "m1.hikyak"));
	{
		char *a = hk_aprintf("%s/new/m1.hikyaku", md_path);
		char *b = hk_aprintf("%s/cur/m1.hikyaku:2,S", md_path);

		assert_int_equal(rename(a, b), 0);
		free(a);
		free(b);
	}
	assert_true(hk_maildir_has(&md, "m1.hikyaku"));
	assert_false(hk_maildir_has(&md, "m1"));

	/* an abandoned delivery leaves nothing */
	assert_int_equal(hk_maildir_begin(&md, "m2.hikyaku", m), 0);
	hk_maildir_write(m, "x", 1);
	hk_maildir_abort(m);
	assert_false(hk_maildir_has(&md, "m2.hikyaku"));
	p = hk_aprintf("%s/tmp/m2.hikyaku", md_path);
	assert_int_not_equal(stat(p, &st), 0);
	free(p);

	/* names that could escape the folder are refused */
	assert_int_equal(hk_maildir_begin(&md, "../x", m), -1);
	assert_int_equal(hk_maildir_begin(&md, ".hidden", m), -1);
	assert_int_equal(hk_maildir_begin(&md, "", m), -1);

	/* a big message through the buffer */
	assert_int_equal(hk_maildir_begin(&md, "big", m), 0);
	for (int i = 0; i < 10000; i++)
		hk_maildir_write(m, "0123456789\n", 11);
	assert_int_equal(hk_maildir_commit(m, true), 0);
	p = hk_aprintf("%s/new/big", md_path);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 110000);
	free(p);

	hk_maildir_close(&md);
	free(m);
	rm_rf(d);
	free(md_path);
	free(d);
}

static void
test_open_fails(void **state)
{
	struct hk_maildir md;
	char *err = NULL;

	(void)state;
	assert_int_equal(hk_maildir_open(&md, "/dev/null/x", &err), -1);
	assert_non_null(strstr(err, "/dev/null/x"));
	free(err);
}

static void
test_names(void **state)
{
	char *p, n1[96], n2[96], n3[96];

	(void)state;
	p = hk_fetch_maildir_path("/m", "sales");
	assert_string_equal(p, "/m/sales");
	free(p);
	p = hk_fetch_maildir_path("/m", "../x/y z");
	assert_string_equal(p, "/m/%2E.%2Fx%2Fy%20z");
	free(p);
	p = hk_fetch_maildir_path("/m", "営業");
	assert_string_equal(p, "/m/%E5%96%B6%E6%A5%AD");
	free(p);
	hk_fetch_msg_name(3, "UID17", n1, sizeof(n1));
	hk_fetch_msg_name(3, "UID17", n2, sizeof(n2));
	hk_fetch_msg_name(4, "UID17", n3, sizeof(n3));
	assert_string_equal(n1, n2);		/* deterministic */
	assert_string_not_equal(n1, n3);	/* per account */
	assert_true(hk_maildir_name_ok(n1));
	assert_int_equal(strlen(n1), 32 + strlen(".A3.hikyaku"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
