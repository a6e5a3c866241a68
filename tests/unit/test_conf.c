/* test_conf.c - hikyaku.conf: defaults, every key, and errors that name
 * the file and the line. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "mem.h"

struct fixture {
	char dir[64];
	char *path;		/* dir/hikyaku.conf */
};

static int
setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/hk-test-conf.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->path = hk_aprintf("%s/hikyaku.conf", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static void
write_conf(const struct fixture *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
assert_defaults(const struct hk_config *cfg)
{
	assert_string_equal(cfg->database, HK_STATEDIR "/hikyaku.db");
	assert_string_equal(cfg->secret_key, HK_SYSCONFDIR "/secret.key");
	assert_string_equal(cfg->module_dir, HK_MODULEDIR);
	assert_string_equal(cfg->xsl_dir, HK_PKGDATADIR "/xsl");
	assert_string_equal(cfg->static_dir, HK_PKGDATADIR "/static");
	assert_string_equal(cfg->mail_dir, HK_STATEDIR "/mail");
	assert_null(cfg->listen);
	assert_int_equal(cfg->workers, 4);
	assert_int_equal(cfg->oauth2_timeout, 30);
	assert_int_equal(cfg->max_body, 1048576);
	assert_string_equal(cfg->base_path, "/");
	assert_false(cfg->trust_remote_user);
	assert_int_equal(cfg->socket_mode, 0660);
	assert_null(cfg->ca_file);
	assert_true(cfg->page_cache);
	assert_null(cfg->public_url);
}

static void
test_optional_absent_gives_defaults(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = (char *)"untouched";

	assert_int_equal(hk_config_load(f->path, false, &cfg, &err), 0);
	assert_null(err);
	assert_null(cfg.path);
	assert_defaults(&cfg);
	hk_config_free(&cfg);
	assert_null(cfg.database);
}

static void
test_required_missing_names_path(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL, *want;

	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), -1);
	want = hk_aprintf("%s: %s", f->path, strerror(ENOENT));
	assert_string_equal(err, want);
	free(want);
	free(err);
	/* Still safe to free, and holding the defaults. */
	assert_defaults(&cfg);
	hk_config_free(&cfg);
}

static void
test_empty_file_gives_defaults(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL;

	write_conf(f, "# nothing but a comment\n\n   \n\t# indented comment\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	assert_null(err);
	assert_string_equal(cfg.path, f->path);
	assert_defaults(&cfg);
	hk_config_free(&cfg);
}

static void
test_every_key(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL, *want;

	write_conf(f,
	    "# hikyaku test configuration\n"
	    "\n"
	    "database = db/hikyaku.db\n"
	    "secret_key=/etc/hk/secret.key\n"
	    "  module_dir\t=\tmods   # trailing comment\n"
	    "xsl_dir = ./xsl\n"
	    "static_dir = /srv/static\n"
	    "mail_dir = ../mail\n"
	    "listen = unix:/run/hikyaku.sock\n"
	    "workers = 256\n"
	    "oauth2_timeout = 300\n"
	    "max_body = 1024\r\n"
	    "base_path = /hk/\n"
	    "trust_remote_user = yes\n"
	    "socket_mode = 0600\n"
	    "ca_file = certs/ca.pem\n"
	    "page_cache = no\n"
	    "public_url = https://admin.example.jp:8443/hk\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	assert_null(err);
	assert_string_equal(cfg.path, f->path);

	want = hk_aprintf("%s/db/hikyaku.db", f->dir);
	assert_string_equal(cfg.database, want);
	free(want);
	assert_string_equal(cfg.secret_key, "/etc/hk/secret.key");
	want = hk_aprintf("%s/mods", f->dir);
	assert_string_equal(cfg.module_dir, want);
	free(want);
	want = hk_aprintf("%s/./xsl", f->dir);
	assert_string_equal(cfg.xsl_dir, want);
	free(want);
	assert_string_equal(cfg.static_dir, "/srv/static");
	want = hk_aprintf("%s/../mail", f->dir);
	assert_string_equal(cfg.mail_dir, want);
	free(want);
	assert_string_equal(cfg.listen, "unix:/run/hikyaku.sock");
	assert_int_equal(cfg.workers, 256);
	assert_int_equal(cfg.oauth2_timeout, 300);
	assert_int_equal(cfg.max_body, 1024);
	assert_string_equal(cfg.base_path, "/hk/");
	assert_true(cfg.trust_remote_user);
	assert_int_equal(cfg.socket_mode, 0600);
	want = hk_aprintf("%s/certs/ca.pem", f->dir);
	assert_string_equal(cfg.ca_file, want);
	free(want);
	assert_false(cfg.page_cache);
	/* The trailing '/' is added, as for base_path. */
	assert_string_equal(cfg.public_url, "https://admin.example.jp:8443/hk/");
	hk_config_free(&cfg);
}

static void
test_boundaries_accepted(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL;

	write_conf(f,
	    "workers = 1\n"
	    "max_body = 1073741824\n"
	    "listen = 127.0.0.1:9000\n"
	    "trust_remote_user = no\n"
	    "base_path = /hk\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	assert_null(err);
	assert_int_equal(cfg.workers, 1);
	assert_int_equal(cfg.max_body, 1073741824);
	assert_string_equal(cfg.listen, "127.0.0.1:9000");
	assert_false(cfg.trust_remote_user);
	/* Normalised to end with a slash. */
	assert_string_equal(cfg.base_path, "/hk/");
	hk_config_free(&cfg);

	write_conf(f, "listen = [::1]:65535\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	assert_string_equal(cfg.listen, "[::1]:65535");
	hk_config_free(&cfg);
}

/* A config file whose third line is bad_line, after a comment and a blank
 * line; expects exactly "PATH:3: <message>". */
static void
expect_line3_error(const struct fixture *f, const char *bad_line,
    const char *message)
{
	struct hk_config cfg;
	char *text, *err = NULL, *want;

	text = hk_aprintf("# comment\n\n%s\nworkers = 2\n", bad_line);
	write_conf(f, text);
	free(text);
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), -1);
	assert_non_null(err);
	want = hk_aprintf("%s:3: %s", f->path, message);
	assert_string_equal(err, want);
	free(want);
	free(err);
	hk_config_free(&cfg);
	assert_null(cfg.path);
}

static void
test_unknown_key(void **state)
{
	expect_line3_error(*state, "colour = blue", "unknown key 'colour'");
	expect_line3_error(*state, "= blue", "unknown key ''");
	/* Keys are case-sensitive. */
	expect_line3_error(*state, "Workers = 2", "unknown key 'Workers'");
}

static void
test_repeated_key(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL, *want;

	write_conf(f, "workers = 2\n# again:\nworkers = 3\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), -1);
	want = hk_aprintf("%s:3: 'workers' is set twice", f->path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	hk_config_free(&cfg);
}

static void
test_line_without_equals(void **state)
{
	expect_line3_error(*state, "workers 4", "expected 'key = value'");
	/* A '=' that is inside a comment does not count. */
	expect_line3_error(*state, "workers # = 4", "expected 'key = value'");
}

static void
test_bad_values(void **state)
{
	expect_line3_error(*state, "workers = 0",
	    "workers: expected a whole number from 1 to 256");
	expect_line3_error(*state, "oauth2_timeout = 0",
	    "oauth2_timeout: expected a whole number from 1 to 300");
	expect_line3_error(*state, "oauth2_timeout = 301",
	    "oauth2_timeout: expected a whole number from 1 to 300");
	expect_line3_error(*state, "workers = 257",
	    "workers: expected a whole number from 1 to 256");
	expect_line3_error(*state, "workers = -1",
	    "workers: expected a whole number from 1 to 256");
	expect_line3_error(*state, "workers = 4x",
	    "workers: expected a whole number from 1 to 256");
	expect_line3_error(*state, "workers =",
	    "workers: expected a whole number from 1 to 256");
	expect_line3_error(*state, "max_body = 1023",
	    "max_body: expected a number of bytes from 1024 to 1073741824");
	expect_line3_error(*state, "max_body = 1073741825",
	    "max_body: expected a number of bytes from 1024 to 1073741824");
	expect_line3_error(*state, "trust_remote_user = maybe",
	    "trust_remote_user: expected yes or no");
	expect_line3_error(*state, "trust_remote_user = YES",
	    "trust_remote_user: expected yes or no");
	expect_line3_error(*state, "listen = nonsense",
	    "listen: expected unix:PATH or HOST:PORT");
	expect_line3_error(*state, "listen = unix:",
	    "listen: expected unix:PATH or HOST:PORT");
	expect_line3_error(*state, "listen = host:0",
	    "listen: expected unix:PATH or HOST:PORT");
	expect_line3_error(*state, "listen = host:65536",
	    "listen: expected unix:PATH or HOST:PORT");
	expect_line3_error(*state, "listen = :80",
	    "listen: expected unix:PATH or HOST:PORT");
	expect_line3_error(*state, "listen = [::1]80",
	    "listen: expected unix:PATH or HOST:PORT");
	expect_line3_error(*state, "public_url = ftp://example.jp/",
	    "public_url: expected an http:// or https:// URL such as "
	    "https://mail-admin.example.com/hikyaku/");
	expect_line3_error(*state, "public_url = /hikyaku/",
	    "public_url: expected an http:// or https:// URL such as "
	    "https://mail-admin.example.com/hikyaku/");
	expect_line3_error(*state, "public_url = https:///x/",
	    "public_url: expected an http:// or https:// URL such as "
	    "https://mail-admin.example.com/hikyaku/");
	expect_line3_error(*state, "public_url = https://a.jp/x?y=1",
	    "public_url: expected an http:// or https:// URL such as "
	    "https://mail-admin.example.com/hikyaku/");
	expect_line3_error(*state, "public_url = https://a.jp/\"x\"/",
	    "public_url: expected an http:// or https:// URL such as "
	    "https://mail-admin.example.com/hikyaku/");
	expect_line3_error(*state, "base_path = x",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "base_path = /a//b",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "base_path = /a?b",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "base_path = /a<b",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "base_path =",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	/* It lands in cookie paths and links: nothing but unreserved URL
	 * characters, no dot segments. */
	expect_line3_error(*state, "base_path = /a;b",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "base_path = /\xe3\x83\xa1/",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "base_path = /a\x01b",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "base_path = /a/../b",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "base_path = /a/..",
	    "base_path: expected an absolute URL path such as /hikyaku/");
	expect_line3_error(*state, "listen = host: 80",
	    "listen: expected unix:PATH or HOST:PORT");
	expect_line3_error(*state, "workers = +4",
	    "workers: expected a whole number from 1 to 256");
	expect_line3_error(*state, "database =",
	    "database: a path is required");
	expect_line3_error(*state, "socket_mode = 0999",
	    "socket_mode: expected an octal mode such as 0660");
	expect_line3_error(*state, "socket_mode = 01777",
	    "socket_mode: expected an octal mode such as 0660");
}

/* A database that is a URI names a server store: PostgreSQL's two
 * schemes are kept as given; any other is an error naming the scheme,
 * never a file called like the URI. */
static void
test_database_uri_refused(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL, *want;

	write_conf(f, "database = postgresql://hk@db.example/hikyaku\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	assert_string_equal(cfg.database, "postgresql://hk@db.example/hikyaku");
	hk_config_free(&cfg);
	write_conf(f, "database = postgres://localhost/hk?sslmode=require\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	assert_string_equal(cfg.database, "postgres://localhost/hk?sslmode=require");
	hk_config_free(&cfg);
	expect_line3_error(f, "database = PostgreSQL://localhost/hk",
	    "database: 'PostgreSQL://' is not a supported database: expected "
	    "the path of an SQLite file or a postgresql:// URI");
	expect_line3_error(f, "database = mysql://root@localhost/hk",
	    "database: 'mysql://' is not a supported database: expected "
	    "the path of an SQLite file or a postgresql:// URI");
	expect_line3_error(f, "database = file:///var/lib/hk.db",
	    "database: 'file://' is not a supported database: expected "
	    "the path of an SQLite file or a postgresql:// URI");
	expect_line3_error(f, "database = sqlite+x.y-z://a",
	    "database: 'sqlite+x.y-z://' is not a supported database: expected "
	    "the path of an SQLite file or a postgresql:// URI");

	/* Paths that merely contain "://" or a colon stay paths. */
	write_conf(f, "database = /srv/a://b.db\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	assert_string_equal(cfg.database, "/srv/a://b.db");
	hk_config_free(&cfg);
	write_conf(f, "database = 1x://b.db\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	want = hk_aprintf("%s/1x://b.db", f->dir);
	assert_string_equal(cfg.database, want);
	free(want);
	hk_config_free(&cfg);
	write_conf(f, "database = db:main.db\n");
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	want = hk_aprintf("%s/db:main.db", f->dir);
	assert_string_equal(cfg.database, want);
	free(want);
	hk_config_free(&cfg);
	assert_null(err);
}

static void
test_long_line(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL, *want;
	char big[5000], *text;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	text = hk_aprintf("workers = 2\ndatabase = %s\n", big);
	write_conf(f, text);
	free(text);
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), -1);
	want = hk_aprintf("%s:2: line longer than 4094 bytes", f->path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	hk_config_free(&cfg);
}

/* A NUL byte would hide the rest of its line from a C string. */
static void
test_nul_byte(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL, *want;
	static const char text[] = "# ok\nworkers = 4\0junk\n";
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, fp), sizeof(text) - 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), -1);
	want = hk_aprintf("%s:2: a NUL byte", f->path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	hk_config_free(&cfg);
}

/* A last line that fills the buffer exactly and has no line end is still
 * read (it is not "too long"). */
static void
test_full_last_line(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL, *text;
	char path[4096 - 11];	/* "database = " + path = 4095 bytes */

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	text = hk_aprintf("database = %s", path);
	assert_int_equal(strlen(text), 4095);
	write_conf(f, text);
	free(text);
	assert_int_equal(hk_config_load(f->path, true, &cfg, &err), 0);
	assert_string_equal(cfg.database, path);
	hk_config_free(&cfg);
}

static void
test_relative_config_path(void **state)
{
	struct fixture *f = *state;
	struct hk_config cfg;
	char *err = NULL, cwd[PATH_MAX];

	write_conf(f, "database = x.db\n");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(hk_config_load("hikyaku.conf", true, &cfg, &err), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_null(err);
	/* A config file named without a folder is in ".". */
	assert_string_equal(cfg.database, "./x.db");
	hk_config_free(&cfg);
}

static void
test_choose(void **state)
{
	bool required = false;
	const char *p;

	(void)state;
	unsetenv("HIKYAKU_CONFIG");
	p = hk_config_choose(NULL, &required);
	assert_string_equal(p, HK_SYSCONFDIR "/hikyaku.conf");
	assert_false(required);

	setenv("HIKYAKU_CONFIG", "", 1);
	p = hk_config_choose(NULL, &required);
	assert_string_equal(p, HK_SYSCONFDIR "/hikyaku.conf");
	assert_false(required);

	setenv("HIKYAKU_CONFIG", "/env/hk.conf", 1);
	p = hk_config_choose(NULL, &required);
	assert_string_equal(p, "/env/hk.conf");
	assert_true(required);

	/* The flag wins over the environment. */
	required = false;
	p = hk_config_choose("/flag/hk.conf", &required);
	assert_string_equal(p, "/flag/hk.conf");
	assert_true(required);

	unsetenv("HIKYAKU_CONFIG");
	required = false;
	p = hk_config_choose("/flag/hk.conf", &required);
	assert_string_equal(p, "/flag/hk.conf");
	assert_true(required);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_optional_absent_gives_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required_missing_names_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_gives_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boundaries_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_without_equals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_database_uri_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_last_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_config_path, setup, teardown),
		cmocka_unit_test(test_choose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
