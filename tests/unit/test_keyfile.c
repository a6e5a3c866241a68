/* test_keyfile.c - the secret key file: created once, mode 0600, 64 hex
 * digits and a newline; reading refuses loose modes and bad content. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

#include "keyfile.h"
#include "base64.h"
#include "mem.h"

struct fixture {
	char dir[64];
	char *path;
};

static int
setup(void **state)
{
	struct fixture *f = hk_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/hk-test-key.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->path = hk_aprintf("%s/secret.key", f->dir);
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

/* Reads the whole (small) file into buf; returns its length. */
static size_t
slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, size - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return (size_t)n;
}

static void
write_key(const char *path, const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
expect_read_error(const char *path, const char *suffix)
{
	unsigned char key[HK_KEY_LEN];
	char *err = NULL, *want = hk_aprintf("%s%s", path, suffix);

	assert_int_equal(hk_keyfile_read(path, key, &err), -1);
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static void
test_create_then_keep(void **state)
{
	struct fixture *f = *state;
	bool created = false;
	char *err = NULL;
	char first[128], second[128];
	struct stat st;

	assert_int_equal(hk_keyfile_create(f->path, &created, &err), 0);
	assert_null(err);
	assert_true(created);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(slurp(f->path, first, sizeof(first)), 65);
	for (int i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", first[i]));
	assert_int_equal(first[64], '\n');

	/* A second create never overwrites. */
	created = true;
	assert_int_equal(hk_keyfile_create(f->path, &created, &err), 0);
	assert_null(err);
	assert_false(created);
	assert_int_equal(slurp(f->path, second, sizeof(second)), 65);
	assert_string_equal(first, second);
}

static void
test_create_keeps_foreign_file(void **state)
{
	struct fixture *f = *state;
	bool created = true;
	char *err = NULL, text[64];

	write_key(f->path, "not a key at all", 0600);
	assert_int_equal(hk_keyfile_create(f->path, &created, &err), 0);
	assert_false(created);
	slurp(f->path, text, sizeof(text));
	assert_string_equal(text, "not a key at all");
}

static void
test_create_in_missing_folder(void **state)
{
	struct fixture *f = *state;
	bool created = true;
	char *err = NULL, *path = hk_aprintf("%s/no/such/secret.key", f->dir);
	char *want = hk_aprintf("%s: %s", path, strerror(ENOENT));

	assert_int_equal(hk_keyfile_create(path, &created, &err), -1);
	assert_false(created);
	assert_string_equal(err, want);
	free(err);
	free(want);
	free(path);
}

static void
test_read_round_trip(void **state)
{
	struct fixture *f = *state;
	bool created;
	char *err = NULL, text[128], hex[2 * HK_KEY_LEN + 1];
	unsigned char key[HK_KEY_LEN];

	assert_int_equal(hk_keyfile_create(f->path, &created, &err), 0);
	slurp(f->path, text, sizeof(text));
	memset(key, 0, sizeof(key));
	assert_int_equal(hk_keyfile_read(f->path, key, &err), 0);
	assert_null(err);
	hk_hex(key, sizeof(key), hex);
	assert_memory_equal(hex, text, 64);

	/* Fixed content; upper-case hex and a missing newline are fine. */
	write_key(f->path,
	    "000102030405060708090A0B0C0D0E0F"
	    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 0400);
	assert_int_equal(hk_keyfile_read(f->path, key, &err), 0);
	assert_null(err);
	for (int i = 0; i < 16; i++) {
		assert_int_equal(key[i], i);
		assert_int_equal(key[16 + i], 0xf0 + i);
	}
}

static void
test_read_refuses_loose_mode(void **state)
{
	struct fixture *f = *state;
	static const char text[] =
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";

	write_key(f->path, text, 0644);
	expect_read_error(f->path, ": must not be readable or writable by "
	    "group or others (chmod 600)");
	write_key(f->path, text, 0640);
	expect_read_error(f->path, ": must not be readable or writable by "
	    "group or others (chmod 600)");
	write_key(f->path, text, 0602);
	expect_read_error(f->path, ": must not be readable or writable by "
	    "group or others (chmod 600)");
}

static void
test_read_refuses_bad_content(void **state)
{
	struct fixture *f = *state;

	write_key(f->path,
	    "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	    0600);
	expect_read_error(f->path, ": expected 64 hex digits");
	write_key(f->path,
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeg\n",
	    0600);
	expect_read_error(f->path, ": expected 64 hex digits");
	/* Too short. */
	write_key(f->path, "00112233\n", 0600);
	expect_read_error(f->path, ": expected 64 hex digits");
	write_key(f->path, "", 0600);
	expect_read_error(f->path, ": expected 64 hex digits");
	/* Too long: a 65th digit instead of the newline. */
	write_key(f->path,
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0\n",
	    0600);
	expect_read_error(f->path, ": expected 64 hex digits");
}

static void
test_read_missing(void **state)
{
	struct fixture *f = *state;
	char *suffix = hk_aprintf(": %s (run 'hikyakuctl init' to create it)",
	    strerror(ENOENT));

	expect_read_error(f->path, suffix);
	free(suffix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_then_keep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_keeps_foreign_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_in_missing_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_loose_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_bad_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_missing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
