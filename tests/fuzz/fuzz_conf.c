/* fuzz_conf.c - hk_config_load (hikyaku.conf).
 *
 * Input: the file's bytes, written to a memfd and read through
 * /proc/self/fd/N, so relative paths resolve against /proc/self/fd.
 * Checks (conf.h, docs/CONFIGURATION.md):
 * - an error names the file ("PATH:" or "PATH:LINE:") on one line, with a
 *   line number that exists in the input;
 * - success gives values within their documented ranges: absolute paths,
 *   workers 1-256, max_body 1 KiB-1 GiB, socket_mode <= 0777, base_path
 *   "/.../" without "//", listen NULL or unix:PATH / HOST:PORT;
 * - a config is accepted or refused the same way twice, and an accepted
 *   one gives the same values;
 * - hk_config_free leaves nothing behind (LeakSanitizer).
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#include "conf.h"

static int memfd = -1;
static char path[64];

static bool
listen_ok(const char *v)
{
	const char *colon;
	long port;
	char *end;

	if (strncmp(v, "unix:", 5) == 0)
		return v[5] != '\0';
	colon = strrchr(v, ':');
	if (colon == NULL || colon == v)
		return false;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port >= 1 && port <= 65535 && colon[1] != '+';
}

static void
check_ok(const struct hk_config *c)
{
	const char *paths[] = { c->database, c->secret_key, c->module_dir,
	    c->xsl_dir, c->static_dir, c->mail_dir };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		FZ_CHECK(paths[i] != NULL && paths[i][0] == '/',
		    "path %zu is not absolute: %s", i, paths[i]);
	FZ_CHECK(c->workers >= 1 && c->workers <= 256, "workers %d",
	    c->workers);
	FZ_CHECK(c->max_body >= 1024 && c->max_body <= 1073741824,
	    "max_body %zu", c->max_body);
	FZ_CHECK((c->socket_mode & ~0777u) == 0, "socket_mode %o",
	    (unsigned)c->socket_mode);
	size_t bl = strlen(c->base_path);
	FZ_CHECK(bl >= 1 && c->base_path[0] == '/' &&
	    c->base_path[bl - 1] == '/' && strstr(c->base_path, "//") == NULL,
	    "base_path '%s'", c->base_path);
	FZ_CHECK(strpbrk(c->base_path, " \t?#%\"'<>\\") == NULL,
	    "base_path '%s' holds a character it must not", c->base_path);
	FZ_CHECK(c->listen == NULL || listen_ok(c->listen), "listen '%s'",
	    c->listen);
	FZ_CHECK(c->path != NULL && strcmp(c->path, path) == 0,
	    "cfg.path is not the file read");
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hk_config c1, c2;
	char *e1 = NULL, *e2 = NULL;
	int r1, r2;

	if (memfd < 0) {
		memfd = memfd_create("hikyaku.conf", 0);
		FZ_CHECK(memfd >= 0, "memfd_create failed");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) !=
	    (ssize_t)size)
		abort();

	r1 = hk_config_load(path, true, &c1, &e1);
	r2 = hk_config_load(path, true, &c2, &e2);
	FZ_CHECK(r1 == r2, "loaded twice: %d then %d", r1, r2);
	if (r1 < 0) {
		size_t pl = strlen(path);

		FZ_CHECK(e1 != NULL && e2 != NULL && strcmp(e1, e2) == 0,
		    "two different errors for one file");
		FZ_CHECK(strncmp(e1, path, pl) == 0 && e1[pl] == ':',
		    "the error does not name the file: %s", e1);
		FZ_CHECK(strchr(e1, '\n') == NULL, "a multi-line error: %s", e1);
		if (e1[pl + 1] >= '0' && e1[pl + 1] <= '9') {
			long line = strtol(e1 + pl + 1, NULL, 10);
			long lines = 1;
			for (size_t i = 0; i < size; i++)
				lines += data[i] == '\n';
			FZ_CHECK(line >= 1 && line <= lines,
			    "line %ld of a %ld-line file", line, lines);
		}
	} else {
		FZ_CHECK(e1 == NULL, "success with an error message");
		check_ok(&c1);
		FZ_CHECK(same(c1.database, c2.database) &&
		    same(c1.listen, c2.listen) &&
		    same(c1.base_path, c2.base_path) &&
		    c1.workers == c2.workers && c1.max_body == c2.max_body &&
		    c1.socket_mode == c2.socket_mode &&
		    c1.trust_remote_user == c2.trust_remote_user,
		    "one file, two configurations");
	}
	free(e1);
	free(e2);
	hk_config_free(&c1);
	hk_config_free(&c2);
	return 0;
}
