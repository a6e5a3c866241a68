/* test_modload.c - the module loader against the shipped modules and
 * deliberately broken ones, the session checks against a misbehaving
 * module, and the protocol driver against scripted servers (the exact
 * lines sent, and what may be logged of them). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "mem.h"
#include "modload.h"

static const char *const shipped[] = {
	"apop", "cram-md5", "login", "oauthbearer", "plain",
	"pop-before-smtp", "scram-sha-256", "xoauth2",
};
#define N_SHIPPED (sizeof(shipped) / sizeof(shipped[0]))

/* ---- helpers -------------------------------------------------------- */

static char *
make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *d = hk_aprintf("%s/hk-modload-XXXXXX", tmp != NULL ? tmp : "/tmp");

	assert_non_null(mkdtemp(d));
	return d;
}

static void
remove_dir(char *d)
{
	char *cmd = hk_aprintf("rm -rf '%s'", d);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(d);
}

static void
copy_file(const char *from, const char *dir, const char *name, mode_t mode)
{
	char *to = hk_aprintf("%s/%s", dir, name);
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out;

	if (in < 0)
		fail_msg("cannot open %s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	assert_int_equal(chmod(to, mode), 0);
	free(to);
}

static void
copy_shipped(const char *dir, const char *name)
{
	char *from = hk_aprintf("%s/modules/.libs/%s.so", HK_TEST_BUILDDIR, name);
	char *to = hk_aprintf("%s.so", name);

	copy_file(from, dir, to, 0644);
	free(from);
	free(to);
}

static void
copy_test_module(const char *dir, const char *name, const char *as)
{
	char *from = hk_aprintf("%s/tests/unit/.libs/%s.so", HK_TEST_BUILDDIR, name);

	copy_file(from, dir, as, 0644);
	free(from);
}

/* Loads dir with stderr captured into *log_r (caller frees). */
static struct hk_modset *
load_captured(const char *dir, char **log_r)
{
	char path[] = "/tmp/hk-modload-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct hk_modset *set;
	struct hk_buf b = HK_BUF_INIT;
	char buf[4096];
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	set = hk_modset_load(dir);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		hk_buf_append(&b, buf, (size_t)n);
	close(fd);
	unlink(path);
	*log_r = hk_buf_steal(&b);
	return set;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* The one log line mentioning file, or fails. */
static void
assert_refused(const char *log, const char *dir, const char *file,
    const char *reason)
{
	char *needle = hk_aprintf("auth module %s/%s refused: %s", dir, file,
	    reason);

	if (strstr(log, needle) == NULL)
		fail_msg("no \"%s\" in log:\n%s", needle, log);
	free(needle);
}

/* ---- the loader ----------------------------------------------------- */

static void
load_shipped(void **unused)
{
	char *dir = make_dir(), *log, *out = NULL;
	struct hk_modset *set;
	size_t out_len = 0;
	FILE *f;

	for (size_t i = 0; i < N_SHIPPED; i++)
		copy_shipped(dir, shipped[i]);
	/* Ignored: not *.so, hidden. */
	copy_shipped(dir, "plain");
	copy_file(HK_TEST_BUILDDIR "/modules/.libs/login.so", dir, "README", 0644);
	copy_file(HK_TEST_BUILDDIR "/modules/.libs/login.so", dir, ".hidden.so", 0644);

	set = load_captured(dir, &log);
	assert_string_equal(log, "");
	assert_int_equal(hk_modset_count(set), N_SHIPPED);
	for (size_t i = 0; i < N_SHIPPED; i++) {
		char *file = hk_aprintf("%s/%s.so", dir, shipped[i]);

		assert_string_equal(hk_modset_at(set, i)->name, shipped[i]);
		assert_string_equal(hk_modset_file(set, i), file);
		free(file);
	}
	assert_null(hk_modset_at(set, N_SHIPPED));
	assert_null(hk_modset_file(set, N_SHIPPED));

	const struct hk_authmod *m = hk_modset_find(set, "cram-md5",
	    HK_AUTHMOD_KIND_SASL);
	assert_non_null(m);
	assert_string_equal(m->sasl_name, "CRAM-MD5");
	assert_null(hk_modset_find(set, "apop", HK_AUTHMOD_KIND_SASL));
	assert_non_null(hk_modset_find(set, "apop", 0));
	assert_non_null(hk_modset_find(set, "pop-before-smtp",
	    HK_AUTHMOD_KIND_PRESEND));
	assert_null(hk_modset_find(set, "PLAIN", 0));
	assert_null(hk_modset_find(set, "nope", 0));

	f = open_memstream(&out, &out_len);
	hk_modset_print(set, f);
	fclose(f);
	char *want = hk_aprintf(
	    "apop\tpop3-auth\t1.0\t%1$s/apop.so\n"
	    "cram-md5\tsmtp-auth\t1.0\t%1$s/cram-md5.so\n"
	    "login\tsmtp-auth\t1.0\t%1$s/login.so\n"
	    "oauthbearer\tsmtp-auth\t1.0\t%1$s/oauthbearer.so\n"
	    "plain\tsmtp-auth\t1.0\t%1$s/plain.so\n"
	    "pop-before-smtp\tpre-send\t1.0\t%1$s/pop-before-smtp.so\n"
	    "scram-sha-256\tsmtp-auth\t1.0\t%1$s/scram-sha-256.so\n"
	    "xoauth2\tsmtp-auth\t1.0\t%1$s/xoauth2.so\n", dir);
	assert_string_equal(out, want);
	free(want);
	free(out);

	hk_modset_free(&set);
	assert_null(set);
	hk_modset_free(&set);	/* NULL is fine */
	free(log);
	remove_dir(dir);
}

static void
load_refuses_broken(void **unused)
{
	char *dir = make_dir(), *log;
	struct hk_modset *set;
	FILE *f;

	copy_shipped(dir, "plain");
	copy_test_module(dir, "bad_nosym", "bad_nosym.so");
	copy_test_module(dir, "bad_major", "bad_major.so");
	copy_test_module(dir, "bad_minor", "bad_minor.so");
	copy_test_module(dir, "bad_null", "bad_null.so");
	copy_test_module(dir, "bad_name", "bad_name.so");
	copy_test_module(dir, "bad_size", "bad_size.so");
	copy_test_module(dir, "bad_undef", "bad_undef.so");
	/* After plain.so in file-name order, so plain.so keeps the name. */
	copy_test_module(dir, "bad_dup", "zz_dup.so");
	/* A world-writable and a group-writable copy of good modules. */
	copy_file(HK_TEST_BUILDDIR "/modules/.libs/login.so", dir,
	    "world.so", 0666);
	copy_file(HK_TEST_BUILDDIR "/modules/.libs/login.so", dir,
	    "group.so", 0664);
	/* Not a shared object at all. */
	{
		char *junk = hk_aprintf("%s/junk.so", dir);

		f = fopen(junk, "w");
		assert_non_null(f);
		fputs("this is not an ELF file\n", f);
		fclose(f);
		free(junk);
	}

	set = load_captured(dir, &log);
	assert_int_equal(hk_modset_count(set), 1);
	assert_string_equal(hk_modset_at(set, 0)->name, "plain");
	assert_non_null(strstr(hk_modset_file(set, 0), "/plain.so"));

	assert_refused(log, dir, "bad_nosym.so",
	    "it has no entry symbol hikyaku_authmod_entry");
	assert_refused(log, dir, "bad_major.so",
	    "it is built for module ABI 2.0, we have 1.0");
	assert_refused(log, dir, "bad_minor.so",
	    "it needs module ABI 1.7, newer than ours (1.0): upgrade hikyaku");
	assert_refused(log, dir, "bad_null.so",
	    "its entry hikyaku_authmod_entry returned no descriptor");
	assert_refused(log, dir, "bad_name.so",
	    "its name is missing or not 1-32 characters");
	assert_refused(log, dir, "bad_size.so",
	    "its descriptor is 16 bytes, ABI 1.0 needs at least");
	assert_refused(log, dir, "bad_undef.so", "cannot load it: ");
	assert_non_null(strstr(log, "hk_no_such_symbol_anywhere"));
	assert_refused(log, dir, "zz_dup.so",
	    "the name \"plain\" is already taken by ");
	assert_refused(log, dir, "world.so",
	    "it is group- or world-writable (mode 0666)");
	assert_refused(log, dir, "group.so",
	    "it is group- or world-writable (mode 0664)");
	assert_refused(log, dir, "junk.so", "cannot load it: ");
	/* One line per refused file, nothing else. */
	assert_int_equal(count_lines(log), 11);

	hk_modset_free(&set);
	free(log);
	remove_dir(dir);
}

/* A module reached through a symbolic link is refused, wherever the link
 * points: the file checked must be the file loaded, and a link can be
 * turned elsewhere between the two.  So is a FIFO under a module's name,
 * without hanging the start-up. */
static void
load_refuses_links(void **unused)
{
	char *dir = make_dir(), *elsewhere = make_dir(), *log;
	char *target = hk_aprintf("%s/login.so", elsewhere);
	char *link = hk_aprintf("%s/linked.so", dir);
	char *inside = hk_aprintf("%s/plain.so", dir);
	char *link2 = hk_aprintf("%s/alias.so", dir);
	char *fifo = hk_aprintf("%s/fifo.so", dir);
	struct hk_modset *set;

	copy_shipped(elsewhere, "login");
	copy_shipped(dir, "plain");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(symlink(inside, link2), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);

	set = load_captured(dir, &log);
	assert_int_equal(hk_modset_count(set), 1);
	assert_string_equal(hk_modset_at(set, 0)->name, "plain");
	assert_refused(log, dir, "linked.so", "it is a symbolic link");
	assert_refused(log, dir, "alias.so", "it is a symbolic link");
	assert_refused(log, dir, "fifo.so", "not a regular file");
	assert_int_equal(count_lines(log), 3);
	hk_modset_free(&set);
	free(log);
	free(target);
	free(link);
	free(inside);
	free(link2);
	free(fifo);
	remove_dir(elsewhere);
	remove_dir(dir);
}

/* A module directory that others can write is refused as a whole: they
 * could put any file there, or swap one between start-ups. */
static void
load_refuses_open_dir(void **unused)
{
	static const mode_t modes[] = { 0777, 0770, 01777 };
	char *dir = make_dir(), *log, *want;
	struct hk_modset *set;

	copy_shipped(dir, "plain");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(dir, modes[i]), 0);
		set = load_captured(dir, &log);
		assert_int_equal(hk_modset_count(set), 0);
		want = hk_aprintf("auth module directory %s refused: it is group- "
		    "or world-writable (mode %04o): no auth modules loaded\n",
		    dir, (unsigned)modes[i]);
		assert_non_null(strstr(log, want));
		assert_int_equal(count_lines(log), 1);
		free(want);
		free(log);
		hk_modset_free(&set);
	}
	/* Owner-only write access is fine. */
	assert_int_equal(chmod(dir, 0755), 0);
	set = load_captured(dir, &log);
	assert_int_equal(hk_modset_count(set), 1);
	assert_string_equal(log, "");
	free(log);
	hk_modset_free(&set);
	remove_dir(dir);
}

/* A module file or directory owned by another user (neither root nor
 * us) is refused: that user could change the code we run.  Needs root to
 * give a file away. */
static void
load_refuses_foreign_owner(void **unused)
{
	char *dir, *log, *file, *want;
	struct hk_modset *set;

	if (geteuid() != 0) {
		skip();
		return;
	}
	dir = make_dir();
	copy_shipped(dir, "plain");
	copy_shipped(dir, "login");
	file = hk_aprintf("%s/login.so", dir);
	assert_int_equal(chown(file, 65534, 65534), 0);
	set = load_captured(dir, &log);
	assert_int_equal(hk_modset_count(set), 1);
	assert_string_equal(hk_modset_at(set, 0)->name, "plain");
	assert_refused(log, dir, "login.so",
	    "it is owned by uid 65534, neither root nor the user hikyaku "
	    "runs as (0)");
	assert_int_equal(count_lines(log), 1);
	free(log);
	hk_modset_free(&set);

	assert_int_equal(chown(dir, 65534, 65534), 0);
	set = load_captured(dir, &log);
	assert_int_equal(hk_modset_count(set), 0);
	want = hk_aprintf("auth module directory %s refused: it is owned by "
	    "uid 65534, neither root nor the user hikyaku runs as (0)", dir);
	assert_non_null(strstr(log, want));
	free(want);
	free(log);
	free(file);
	hk_modset_free(&set);
	remove_dir(dir);
}

/* Loading through /proc/self/fd/N: the dynamic loader hands back an
 * object already loaded under the same name, so a descriptor number
 * reused while an object loaded through it is still there (here: kept by
 * a second set) must not give another file that object. */
static void
load_twice(void **unused)
{
	char *dir = make_dir(), *dir2 = make_dir(), *log;
	struct hk_modset *a, *b, *c;

	for (size_t i = 0; i < N_SHIPPED; i++)
		copy_shipped(dir, shipped[i]);
	copy_shipped(dir2, "login");
	copy_shipped(dir2, "plain");
	a = load_captured(dir, &log);
	free(log);
	b = load_captured(dir, &log);
	assert_string_equal(log, "");
	free(log);
	assert_int_equal(hk_modset_count(a), N_SHIPPED);
	assert_int_equal(hk_modset_count(b), N_SHIPPED);
	hk_modset_free(&a);
	c = load_captured(dir2, &log);
	assert_string_equal(log, "");
	assert_int_equal(hk_modset_count(c), 2);
	assert_string_equal(hk_modset_at(c, 0)->name, "login");
	assert_string_equal(hk_modset_at(c, 1)->name, "plain");
	free(log);
	a = load_captured(dir, &log);
	assert_string_equal(log, "");
	for (size_t i = 0; i < N_SHIPPED; i++)
		assert_string_equal(hk_modset_at(a, i)->name, shipped[i]);
	hk_modset_free(&a);
	hk_modset_free(&b);
	hk_modset_free(&c);
	free(log);
	remove_dir(dir2);
	remove_dir(dir);
}

static void
load_missing_dir(void **unused)
{
	char *log;
	struct hk_modset *set = load_captured("/nonexistent/hk-modules", &log);

	assert_non_null(set);
	assert_int_equal(hk_modset_count(set), 0);
	assert_null(hk_modset_find(set, "plain", 0));
	assert_non_null(strstr(log, "auth module directory /nonexistent/hk-modules: No such file or directory"));
	assert_int_equal(count_lines(log), 1);
	hk_modset_free(&set);
	free(log);
}

/* ---- sessions: checks on a misbehaving module ------------------------ */

static struct hk_modset *misbehaving_set;
static char *misbehaving_dir;

static int
misbehaving_setup(void **unused)
{
	char *log;

	misbehaving_dir = make_dir();
	copy_test_module(misbehaving_dir, "good_newer", "misbehaves.so");
	misbehaving_set = load_captured(misbehaving_dir, &log);
	free(log);
	return hk_modset_count(misbehaving_set) == 1 ? 0 : -1;
}

static int
misbehaving_teardown(void **unused)
{
	hk_modset_free(&misbehaving_set);
	remove_dir(misbehaving_dir);
	return 0;
}

static struct hk_authsess *
misbehaving_session(void)
{
	struct hk_authsess_params p = {
		.mod = hk_modset_at(misbehaving_set, 0),
		.user = "u", .password = "p",
	};
	struct hk_authsess *s = hk_authsess_new(&p);
	struct hk_authmod_action act;

	assert_int_equal(hk_authsess_step(s, HK_AUTHMOD_EV_START, 1, NULL, 0,
	    &act), HK_AUTHMOD_EXPECT);
	return s;
}

static void
session_checks_actions(void **unused)
{
	static const struct { const char *in; const char *why; } cases[] = {
		{ "n", "it asked to send bytes it did not give" },
		{ "w", "a side-connection action from a module that is not pre-send" },
		{ "u", "it returned an unknown action code" },
	};
	struct hk_authmod_action act;
	struct hk_authsess *s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = misbehaving_session();
		assert_int_equal(hk_authsess_step(s, HK_AUTHMOD_EV_CHALLENGE, 1,
		    cases[i].in, 1, &act), HK_AUTHMOD_FAIL_INTERNAL);
		assert_string_equal(act.message, cases[i].why);
		/* Nothing after the end. */
		assert_int_equal(hk_authsess_step(s, HK_AUTHMOD_EV_CHALLENGE, 1,
		    "x", 1, &act), HK_AUTHMOD_FAIL_INTERNAL);
		assert_string_equal(act.message,
		    "the authentication session is already over");
		hk_authsess_free(&s);
		assert_null(s);
	}

	/* A failure without a message gets one. */
	s = misbehaving_session();
	assert_int_equal(hk_authsess_step(s, HK_AUTHMOD_EV_CHALLENGE, 1, "f", 1,
	    &act), HK_AUTHMOD_FAIL_AUTH);
	assert_string_equal(act.message,
	    "the authentication module failed without saying why");
	hk_authsess_free(&s);

	/* A module that never finishes is stopped. */
	s = misbehaving_session();
	int rc, steps = 1;
	while ((rc = hk_authsess_step(s, HK_AUTHMOD_EV_CHALLENGE, 1, "x", 1,
	    &act)) == HK_AUTHMOD_SEND)
		steps++;
	assert_int_equal(rc, HK_AUTHMOD_FAIL_INTERNAL);
	assert_int_equal(steps, 64);
	assert_string_equal(act.message, "it did not finish within 64 steps");
	hk_authsess_free(&s);

	/* A session must begin with START. */
	struct hk_authsess_params p = {
		.mod = hk_modset_at(misbehaving_set, 0),
	};
	s = hk_authsess_new(&p);
	assert_int_equal(hk_authsess_step(s, HK_AUTHMOD_EV_CHALLENGE, 1, "x", 1,
	    &act), HK_AUTHMOD_FAIL_INTERNAL);
	hk_authsess_free(&s);
}

/* ---- the driver, against scripted servers --------------------------- */

struct reply_script {
	enum hk_reply_kind kind;
	int code;
	const char *text;
};

#define END_SCRIPT { HK_REPLY_ERR, -1, NULL }

struct fake {
	const struct reply_script *replies;	/* main connection */
	const struct reply_script *side;	/* side connection (first: greeting) */
	struct hk_buf sent;		/* exactly what was sent */
	struct hk_buf logged;		/* what a log would show */
	int side_open_fails;
	unsigned slept;
	/* Instead of replies: the server's lines, read as the protocol's
	 * row says (hk_auth_reply_parse); NULL ends them (a hang-up). */
	const char *const *lines;
	uint32_t proto;
	const char *tag;
	bool sasl_ir;
};

static void
fake_record(struct fake *f, enum hk_auth_conn conn, const char *line,
    size_t len, size_t log_len)
{
	const char *tag = conn == HK_CONN_MAIN ? "C" : "c";

	assert_true(log_len <= len);
	assert_null(memchr(line, '\r', len));
	assert_null(memchr(line, '\n', len));
	hk_buf_printf(&f->sent, "%s: ", tag);
	hk_buf_append(&f->sent, line, len);
	hk_buf_putc(&f->sent, '\n');
	hk_buf_printf(&f->logged, "%s: ", tag);
	hk_buf_append(&f->logged, line, log_len);
	if (log_len < len)
		hk_buf_puts(&f->logged, log_len > 0 &&
		    line[log_len - 1] != ' ' ? " ********" : "********");
	hk_buf_putc(&f->logged, '\n');
}

static int
fake_send(void *ctx, enum hk_auth_conn conn, const char *line, size_t len,
    size_t log_len)
{
	fake_record(ctx, conn, line, len, log_len);
	return 0;
}

static int
fake_pop(const struct reply_script **sp, struct hk_auth_reply *r)
{
	const struct reply_script *s = *sp;

	if (s == NULL || s->code < 0)
		return -1;	/* the server hung up */
	r->kind = s->kind;
	r->code = s->code;
	hk_buf_puts(&r->text, s->text);
	(*sp)++;
	return 0;
}

static int
fake_read(void *ctx, enum hk_auth_conn conn, struct hk_auth_reply *r)
{
	struct fake *f = ctx;

	if (f->lines != NULL) {
		int rc;

		do {
			if (*f->lines == NULL)
				return -1;
			rc = hk_auth_reply_parse(f->proto, f->tag, *f->lines++,
			    r);
		} while (rc == 1);
		assert_int_equal(rc, 0);
		return 0;
	}

	return fake_pop(conn == HK_CONN_MAIN ? &f->replies : &f->side, r);
}

static int
fake_side_open(void *ctx, struct hk_auth_reply *greeting)
{
	struct fake *f = ctx;

	if (f->side_open_fails)
		return -1;
	hk_buf_puts(&f->sent, "c: (open)\n");
	return fake_pop(&f->side, greeting);
}

static void
fake_side_close(void *ctx)
{
	struct fake *f = ctx;

	hk_buf_puts(&f->sent, "c: QUIT (close)\n");
}

static void
fake_sleep(void *ctx, unsigned int seconds)
{
	struct fake *f = ctx;

	f->slept += seconds;
}

static const struct hk_auth_io fake_io_tmpl = {
	.send_line = fake_send,
	.read_reply = fake_read,
	.side_open = fake_side_open,
	.side_close = fake_side_close,
	.sleep = fake_sleep,
};

static struct hk_modset *shipped_set;
static char *shipped_dir;

static int
shipped_setup(void **unused)
{
	char *log;

	shipped_dir = make_dir();
	for (size_t i = 0; i < N_SHIPPED; i++)
		copy_shipped(shipped_dir, shipped[i]);
	copy_test_module(shipped_dir, "good_newer", "misbehaves.so");
	shipped_set = load_captured(shipped_dir, &log);
	free(log);
	return hk_modset_count(shipped_set) == N_SHIPPED + 1 ? 0 : -1;
}

static int
shipped_teardown(void **unused)
{
	hk_modset_free(&shipped_set);
	remove_dir(shipped_dir);
	return 0;
}

static const unsigned char rfc7677_nonce[15] = {
	0xac, 0xea, 0x6b, 0x34, 0x67, 0xf0, 0x11, 0xb7, 0x91, 0x5a, 0x06,
	0xcd, 0x12, 0x4a, 0x8e
};

static void
fixed_random(void *ctx, void *p, size_t n)
{
	assert_int_equal(n, sizeof(rfc7677_nonce));
	memcpy(p, rfc7677_nonce, n);
}

/* Runs mod over the fake; returns the status; *f keeps the transcript. */
static enum hk_auth_status
drive(struct fake *f, const char *mod, uint32_t proto, const char *user,
    const char *password, const char *greeting, const struct hk_auth_opt *opts,
    size_t n_opts, struct hk_auth_result *res)
{
	struct hk_auth_io io = fake_io_tmpl;
	struct hk_authsess_params p = {
		.mod = hk_modset_find(shipped_set, mod, 0),
		.protocol = proto,
		.user = user,
		.password = password,
		.opts = opts,
		.n_opts = n_opts,
		.random = fixed_random,
	};

	assert_non_null(p.mod);
	io.ctx = f;
	io.tag = f->tag;
	io.sasl_ir = f->sasl_ir;
	f->proto = proto;
	return hk_auth_run(&p, greeting, &io, res);
}

static void
fake_free(struct fake *f, struct hk_auth_result *res)
{
	hk_buf_free(&f->sent);
	hk_buf_free(&f->logged);
	hk_auth_result_clear(res);
}

static void
drive_smtp_plain(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_OK, 235, "2.7.0 Authentication successful" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_SMTP, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\n");
	assert_string_equal(hk_buf_str(&f.logged), "C: AUTH PLAIN ********\n");
	assert_null(res.message);
	assert_string_equal(hk_buf_str(&res.last_reply),
	    "235 2.7.0 Authentication successful");
	fake_free(&f, &res);
}

static void
drive_smtp_login(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_CONT, 334, "VXNlcm5hbWU6" },
		{ HK_REPLY_CONT, 334, "UGFzc3dvcmQ6 " },	/* trailing blank */
		{ HK_REPLY_OK, 235, "ok" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "login", HK_AUTHMOD_PROTO_SMTP, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: AUTH LOGIN\nC: dGlt\nC: dGFuc3RhYWZ0YW5zdGFhZg==\n");
	assert_string_equal(hk_buf_str(&f.logged),
	    "C: AUTH LOGIN\nC: ********\nC: ********\n");
	fake_free(&f, &res);
}

static void
drive_smtp_cram_md5_rfc2195(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_CONT, 334,
		  "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+" },
		{ HK_REPLY_OK, 235, "ok" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "cram-md5", HK_AUTHMOD_PROTO_SMTP, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: AUTH CRAM-MD5\nC: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\n");
	fake_free(&f, &res);
}

#define B64_SERVER_FIRST "cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY="
#define B64_SERVER_FINAL "dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ=="

static void
drive_smtp_scram_rfc7677(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_CONT, 334, B64_SERVER_FIRST },
		{ HK_REPLY_CONT, 334, B64_SERVER_FINAL },
		{ HK_REPLY_OK, 235, "ok" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "scram-sha-256", HK_AUTHMOD_PROTO_SMTP,
	    "user", "pencil", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\n"
	    "C: Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==\n"
	    "C: \n");
	fake_free(&f, &res);
}

static void
drive_smtp_scram_bad_signature_cancels(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_CONT, 334, B64_SERVER_FIRST },
		{ HK_REPLY_CONT, 334, "dj1BQUFB" },		/* v=AAAA */
		{ HK_REPLY_ERR, 501, "5.7.0 Authentication cancelled" },
		END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "scram-sha-256", HK_AUTHMOD_PROTO_SMTP,
	    "user", "pencil", NULL, NULL, 0, &res), HK_AUTH_REJECTED);
	assert_non_null(strstr(hk_buf_str(&f.sent), "\nC: *\n"));
	assert_non_null(strstr(res.message, "scram-sha-256: the server's SCRAM signature is wrong"));
	assert_int_equal(hk_auth_status_exit(res.status), 4);
	fake_free(&f, &res);
}

static void
drive_smtp_garbled_challenge(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_CONT, 334, "not base64!" },
		{ HK_REPLY_ERR, 501, "cancelled" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "login", HK_AUTHMOD_PROTO_SMTP, "tim", "pw",
	    NULL, NULL, 0, &res), HK_AUTH_PROTOCOL);
	assert_string_equal(hk_buf_str(&f.sent), "C: AUTH LOGIN\nC: *\n");
	assert_string_equal(res.message,
	    "the server's LOGIN challenge is not valid base64");
	assert_int_equal(hk_auth_status_exit(res.status), 5);
	fake_free(&f, &res);
}

static void
drive_smtp_oversized_challenge(void **unused)
{
	struct reply_script r[] = {
		{ HK_REPLY_CONT, 334, NULL },
		{ HK_REPLY_ERR, 501, "cancelled" }, END_SCRIPT
	};
	char *big = hk_malloc(20001);
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	memset(big, 'A', 20000);
	big[20000] = '\0';
	r[0].text = big;
	assert_int_equal(drive(&f, "cram-md5", HK_AUTHMOD_PROTO_SMTP, "tim", "pw",
	    NULL, NULL, 0, &res), HK_AUTH_PROTOCOL);
	assert_string_equal(hk_buf_str(&f.sent), "C: AUTH CRAM-MD5\nC: *\n");
	fake_free(&f, &res);
	free(big);
}

static void
drive_smtp_refused_and_unsupported(void **unused)
{
	static const struct reply_script r535[] = {
		{ HK_REPLY_ERR, 535, "5.7.8 Authentication credentials invalid" },
		END_SCRIPT
	};
	static const struct reply_script r504[] = {
		{ HK_REPLY_ERR, 504, "5.5.4 Unrecognized authentication type" },
		END_SCRIPT
	};
	struct fake f = { .replies = r535 };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_SMTP, "tim", "pw",
	    NULL, NULL, 0, &res), HK_AUTH_REJECTED);
	assert_string_equal(res.message,
	    "the server refused PLAIN authentication: 535 5.7.8 Authentication credentials invalid");
	fake_free(&f, &res);

	memset(&f, 0, sizeof(f));
	f.replies = r504;
	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_SMTP, "tim", "pw",
	    NULL, NULL, 0, &res), HK_AUTH_PROTOCOL);
	assert_non_null(strstr(res.message, "does not accept the PLAIN mechanism"));
	fake_free(&f, &res);
}

static void
drive_smtp_long_initial_response(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_CONT, 334, "" },
		{ HK_REPLY_OK, 235, "ok" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;
	char user[256], pass[256];

	memset(user, 'u', 255);
	user[255] = '\0';
	memset(pass, 'p', 255);
	pass[255] = '\0';
	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_SMTP, user, pass,
	    NULL, NULL, 0, &res), HK_AUTH_OK);
	/* "AUTH PLAIN" alone, then the 684-character response. */
	assert_memory_equal(hk_buf_str(&f.sent), "C: AUTH PLAIN\nC: AHV1", 21);
	assert_int_equal(f.sent.len, strlen("C: AUTH PLAIN\nC: \n") + 684);
	fake_free(&f, &res);
}

static void
drive_empty_initial_response(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_OK, 235, "ok" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "zz-misbehaves", HK_AUTHMOD_PROTO_SMTP,
	    "empty", "", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent), "C: AUTH X-BROKEN =\n");
	fake_free(&f, &res);
}

static void
drive_connection_lost(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_CONT, 334, "VXNlcm5hbWU6" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "login", HK_AUTHMOD_PROTO_SMTP, "tim", "pw",
	    NULL, NULL, 0, &res), HK_AUTH_IO);
	assert_non_null(strstr(res.message, "connection failed"));
	fake_free(&f, &res);
}

static void
drive_pop3_sasl(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_OK, 0, "Maildrop locked and ready" }, END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_POP3, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\n");
	assert_string_equal(hk_buf_str(&res.last_reply),
	    "+OK Maildrop locked and ready");
	fake_free(&f, &res);
}

static void
drive_pop3_apop(void **unused)
{
	static const struct reply_script r[] = {
		{ HK_REPLY_OK, 0, "mrose's maildrop has 2 messages (320 octets)" },
		END_SCRIPT
	};
	struct fake f = { .replies = r };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "apop", HK_AUTHMOD_PROTO_POP3, "mrose",
	    "tanstaaf", "POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
	    NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: APOP mrose c4c9334bac560ecc979e58001b3e22fb\n");
	assert_string_equal(hk_buf_str(&f.logged), "C: APOP mrose ********\n");
	fake_free(&f, &res);
}

static void
drive_pop3_apop_without_timestamp(void **unused)
{
	struct fake f = { 0 };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "apop", HK_AUTHMOD_PROTO_POP3, "mrose",
	    "tanstaaf", "POP3 server ready", NULL, 0, &res), HK_AUTH_PROTOCOL);
	assert_string_equal(hk_buf_str(&f.sent), "");
	assert_non_null(strstr(res.message,
	    "apop: the server's greeting has no valid APOP timestamp"));
	fake_free(&f, &res);
}

static void
drive_pop_before_smtp(void **unused)
{
	static const struct reply_script side[] = {
		{ HK_REPLY_OK, 0, "POP3 ready" },
		{ HK_REPLY_OK, 0, "" },
		{ HK_REPLY_OK, 0, "logged in" }, END_SCRIPT
	};
	static const struct hk_auth_opt opts[] = { { "wait", "2" } };
	struct fake f = { .side = side };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "pop-before-smtp", HK_AUTHMOD_PROTO_SMTP,
	    "alice", "open sesame", NULL, opts, 1, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "c: (open)\nc: USER alice\nc: PASS open sesame\nc: QUIT (close)\n");
	assert_string_equal(hk_buf_str(&f.logged),
	    "c: USER alice\nc: PASS ********\n");
	assert_int_equal(f.slept, 2);
	fake_free(&f, &res);
}

static void
drive_pop_before_smtp_failures(void **unused)
{
	static const struct reply_script side[] = {
		{ HK_REPLY_OK, 0, "POP3 ready" },
		{ HK_REPLY_OK, 0, "" },
		{ HK_REPLY_ERR, 0, "invalid password" }, END_SCRIPT
	};
	static const struct hk_auth_opt bad_wait[] = { { "wait", "9" } };
	struct fake f = { .side = side };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	/* Refused: the side connection is still closed, no wait. */
	assert_int_equal(drive(&f, "pop-before-smtp", HK_AUTHMOD_PROTO_SMTP,
	    "alice", "pw", NULL, NULL, 0, &res), HK_AUTH_REJECTED);
	assert_non_null(strstr(hk_buf_str(&f.sent), "c: QUIT (close)\n"));
	assert_string_equal(hk_buf_str(&res.last_reply), "-ERR invalid password");
	assert_int_equal(f.slept, 0);
	fake_free(&f, &res);

	/* Cannot connect. */
	memset(&f, 0, sizeof(f));
	f.side_open_fails = 1;
	assert_int_equal(drive(&f, "pop-before-smtp", HK_AUTHMOD_PROTO_SMTP,
	    "alice", "pw", NULL, NULL, 0, &res), HK_AUTH_IO);
	fake_free(&f, &res);

	/* Bad option: nothing is opened. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(drive(&f, "pop-before-smtp", HK_AUTHMOD_PROTO_SMTP,
	    "alice", "pw", NULL, bad_wait, 1, &res), HK_AUTH_CONFIG);
	assert_string_equal(hk_buf_str(&f.sent), "");
	assert_int_equal(hk_auth_status_exit(res.status), 2);
	fake_free(&f, &res);
}

static void
drive_wrong_protocol(void **unused)
{
	struct fake f = { 0 };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "apop", HK_AUTHMOD_PROTO_SMTP, "mrose",
	    "tanstaaf", "<1@x>", NULL, 0, &res), HK_AUTH_CONFIG);
	assert_string_equal(hk_buf_str(&f.sent), "");
	fake_free(&f, &res);
}

/* ---- the IMAP and POP3 rows, from the servers' own lines -------------- */

static void
drive_imap_without_sasl_ir(void **unused)
{
	static const char *const l[] = {
		"+ ", "a7 OK [CAPABILITY IMAP4rev1] Logged in", NULL
	};
	struct fake f = { .lines = l, .tag = "a7" };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	/* RFC 3501: no initial response without SASL-IR; it follows the
	 * empty continuation instead. */
	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_IMAP, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: a7 AUTHENTICATE PLAIN\nC: AHRpbQB0YW5zdGFhZnRhbnN0YWFm\n");
	assert_string_equal(hk_buf_str(&f.logged),
	    "C: a7 AUTHENTICATE PLAIN\nC: ********\n");
	fake_free(&f, &res);
}

static void
drive_imap_sasl_ir(void **unused)
{
	static const char *const l[] = {
		"* CAPABILITY IMAP4rev1 SASL-IR", "a1 OK done", NULL
	};
	struct fake f = { .lines = l, .tag = "a1", .sasl_ir = true };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	/* RFC 4959: the response on the command line; the untagged line
	 * before the tagged one is not the reply. */
	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_IMAP, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: a1 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\n");
	fake_free(&f, &res);
}

static void
drive_imap_cram_md5_and_refusal(void **unused)
{
	static const char *const ok[] = {
		"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
		"a2 OK CRAM-MD5 authentication successful", NULL
	};
	static const char *const no[] = {
		"+", "a3 NO [AUTHENTICATIONFAILED] Invalid credentials", NULL
	};
	struct fake f = { .lines = ok, .tag = "a2" };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "cram-md5", HK_AUTHMOD_PROTO_IMAP, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: a2 AUTHENTICATE CRAM-MD5\n"
	    "C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\n");
	fake_free(&f, &res);

	memset(&f, 0, sizeof(f));
	f.lines = no;
	f.tag = "a3";
	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_IMAP, "tim", "pw",
	    NULL, NULL, 0, &res), HK_AUTH_REJECTED);
	assert_non_null(strstr(res.message, "[AUTHENTICATIONFAILED] Invalid credentials"));
	fake_free(&f, &res);
}

/* LOGIN over IMAP AUTHENTICATE (draft-murchison-sasl-login section 3),
 * as Dovecot and Exchange offer it. */
static void
drive_imap_login(void **unused)
{
	static const char *const l[] = {
		"+ VXNlcm5hbWU6", "+ UGFzc3dvcmQ6", "a5 OK Logged in", NULL
	};
	struct fake f = { .lines = l, .tag = "a5" };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "login", HK_AUTHMOD_PROTO_IMAP, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent), "C: a5 AUTHENTICATE LOGIN\n"
	    "C: dGlt\nC: dGFuc3RhYWZ0YW5zdGFhZg==\n");
	fake_free(&f, &res);
}

/* RFC 7628 §4.3 as the core runs it: the error challenge is answered
 * with ^A ("AQ=="), and the refusal carries the error's status. */
static void
drive_imap_oauthbearer_error(void **unused)
{
	static const char *const l[] = {
		"+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Nj"
		"b3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUu"
		"Y29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=",
		"t1 NO SASL authentication failed", NULL
	};
	static const struct hk_auth_opt port[] = { { "port", "143" } };
	struct fake f = { .lines = l, .tag = "t1", .sasl_ir = true,
	    .proto = HK_AUTHMOD_PROTO_IMAP };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;
	struct hk_auth_io io = fake_io_tmpl;
	struct hk_authsess_params p = {
		.mod = hk_modset_find(shipped_set, "oauthbearer", 0),
		.protocol = HK_AUTHMOD_PROTO_IMAP,
		.user = "user@example.com",
		.password = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
		.host = "server.example.com",
		.opts = port, .n_opts = 1,
	};

	assert_non_null(p.mod);
	io.ctx = &f;
	io.tag = f.tag;
	io.sasl_ir = true;
	assert_int_equal(hk_auth_run(&p, NULL, &io, &res), HK_AUTH_REJECTED);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: t1 AUTHENTICATE OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhv"
	    "c3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZG"
	    "OWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB\n"
	    "C: AQ==\n");
	assert_string_equal(hk_buf_str(&f.logged),
	    "C: t1 AUTHENTICATE OAUTHBEARER ********\nC: ********\n");
	assert_string_equal(res.message, "the server refused OAUTHBEARER "
	    "authentication: -ERR SASL authentication failed; the server "
	    "refused the access token (status invalid_token, scope "
	    "example_scope)");
	assert_int_equal(hk_auth_status_exit(res.status), 4);
	fake_free(&f, &res);
}

static void
drive_imap_garbled_challenge_cancels(void **unused)
{
	static const char *const l[] = {
		"+ not base64!", "a4 BAD cancelled", NULL
	};
	struct fake f = { .lines = l, .tag = "a4" };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "cram-md5", HK_AUTHMOD_PROTO_IMAP, "tim",
	    "pw", NULL, NULL, 0, &res), HK_AUTH_PROTOCOL);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: a4 AUTHENTICATE CRAM-MD5\nC: *\n");
	fake_free(&f, &res);
}

static void
drive_imap_needs_a_tag(void **unused)
{
	struct fake f = { 0 };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_IMAP, "tim", "pw",
	    NULL, NULL, 0, &res), HK_AUTH_INTERNAL);
	assert_string_equal(hk_buf_str(&f.sent), "");
	fake_free(&f, &res);
}

static void
drive_pop3_rfc5034_lines(void **unused)
{
	static const char *const l[] = {
		"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
		"+OK Maildrop locked and ready", NULL
	};
	static const char *const refused[] = { "-ERR [AUTH] no", NULL };
	struct fake f = { .lines = l };
	struct hk_auth_result res = HK_AUTH_RESULT_INIT;

	assert_int_equal(drive(&f, "cram-md5", HK_AUTHMOD_PROTO_POP3, "tim",
	    "tanstaaftanstaaf", NULL, NULL, 0, &res), HK_AUTH_OK);
	assert_string_equal(hk_buf_str(&f.sent),
	    "C: AUTH CRAM-MD5\n"
	    "C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\n");
	fake_free(&f, &res);

	memset(&f, 0, sizeof(f));
	f.lines = refused;
	assert_int_equal(drive(&f, "plain", HK_AUTHMOD_PROTO_POP3, "tim", "pw",
	    NULL, NULL, 0, &res), HK_AUTH_REJECTED);
	fake_free(&f, &res);
}

static void
reply_parse_rows(void **unused)
{
	struct hk_auth_reply r = { HK_REPLY_OK, 0, HK_BUF_INIT };

	assert_int_equal(hk_auth_reply_parse(HK_AUTHMOD_PROTO_SMTP, NULL,
	    "334 abc", &r), -1);
	assert_int_equal(hk_auth_reply_parse(HK_AUTHMOD_PROTO_IMAP, "a1",
	    "+ abc", &r), 0);
	assert_int_equal(r.kind, HK_REPLY_CONT);
	assert_string_equal(hk_buf_str(&r.text), "abc");
	assert_int_equal(hk_auth_reply_parse(HK_AUTHMOD_PROTO_IMAP, "a1",
	    "a10 OK not ours", &r), 1);
	assert_int_equal(hk_auth_reply_parse(HK_AUTHMOD_PROTO_IMAP, "a1",
	    "a1 OKAY", &r), 0);
	assert_int_equal(r.kind, HK_REPLY_ERR);
	assert_int_equal(hk_auth_reply_parse(HK_AUTHMOD_PROTO_POP3, NULL,
	    "+OK fine", &r), 0);
	assert_int_equal(r.kind, HK_REPLY_OK);
	assert_string_equal(hk_buf_str(&r.text), "fine");
	assert_int_equal(hk_auth_reply_parse(HK_AUTHMOD_PROTO_POP3, NULL,
	    "-ERR no", &r), 0);
	assert_int_equal(r.kind, HK_REPLY_ERR);
	hk_buf_free(&r.text);
}

int
main(void)
{
	const struct CMUnitTest loader[] = {
		cmocka_unit_test(load_shipped),
		cmocka_unit_test(load_refuses_broken),
		cmocka_unit_test(load_missing_dir),
		cmocka_unit_test(load_refuses_links),
		cmocka_unit_test(load_refuses_open_dir),
		cmocka_unit_test(load_refuses_foreign_owner),
		cmocka_unit_test(load_twice),
	};
	const struct CMUnitTest sessions[] = {
		cmocka_unit_test(session_checks_actions),
	};
	const struct CMUnitTest driver[] = {
		cmocka_unit_test(drive_smtp_plain),
		cmocka_unit_test(drive_smtp_login),
		cmocka_unit_test(drive_smtp_cram_md5_rfc2195),
		cmocka_unit_test(drive_smtp_scram_rfc7677),
		cmocka_unit_test(drive_smtp_scram_bad_signature_cancels),
		cmocka_unit_test(drive_smtp_garbled_challenge),
		cmocka_unit_test(drive_smtp_oversized_challenge),
		cmocka_unit_test(drive_smtp_refused_and_unsupported),
		cmocka_unit_test(drive_smtp_long_initial_response),
		cmocka_unit_test(drive_empty_initial_response),
		cmocka_unit_test(drive_connection_lost),
		cmocka_unit_test(drive_pop3_sasl),
		cmocka_unit_test(drive_pop3_apop),
		cmocka_unit_test(drive_pop3_apop_without_timestamp),
		cmocka_unit_test(drive_pop_before_smtp),
		cmocka_unit_test(drive_pop_before_smtp_failures),
		cmocka_unit_test(drive_wrong_protocol),
		cmocka_unit_test(drive_imap_without_sasl_ir),
		cmocka_unit_test(drive_imap_sasl_ir),
		cmocka_unit_test(drive_imap_cram_md5_and_refusal),
		cmocka_unit_test(drive_imap_login),
		cmocka_unit_test(drive_imap_oauthbearer_error),
		cmocka_unit_test(drive_imap_garbled_challenge_cancels),
		cmocka_unit_test(drive_imap_needs_a_tag),
		cmocka_unit_test(drive_pop3_rfc5034_lines),
		cmocka_unit_test(reply_parse_rows),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("loader", loader, NULL, NULL);
	failed += cmocka_run_group_tests_name("sessions", sessions,
	    misbehaving_setup, misbehaving_teardown);
	failed += cmocka_run_group_tests_name("driver", driver, shipped_setup,
	    shipped_teardown);
	return failed != 0;
}
