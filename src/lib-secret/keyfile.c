/* keyfile.c - creating and reading the secret key file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "keyfile.h"
#include "base64.h"
#include "log.h"
#include "mem.h"

int
hk_keyfile_create(const char *path, bool *created_r, char **err_r)
{
	unsigned char key[HK_KEY_LEN];
	char text[2 * HK_KEY_LEN + 2];
	int fd;
	ssize_t n;

	*created_r = false;
	*err_r = NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		*err_r = hk_aprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	hk_random(key, sizeof(key));
	hk_hex(key, sizeof(key), text);
	text[2 * HK_KEY_LEN] = '\n';
	text[2 * HK_KEY_LEN + 1] = '\0';
	n = write(fd, text, 2 * HK_KEY_LEN + 1);
	hk_wipe(key, sizeof(key));
	hk_wipe(text, sizeof(text));
	if (n != 2 * HK_KEY_LEN + 1 || fsync(fd) != 0) {
		*err_r = hk_aprintf("%s: cannot write the key: %s", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	*created_r = true;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hk_keyfile_read(const char *path, unsigned char key[HK_KEY_LEN], char **err_r)
{
	char text[2 * HK_KEY_LEN + 3];
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	*err_r = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*err_r = hk_aprintf("%s: %s (run 'hikyakuctl init' to create it)",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		*err_r = hk_aprintf("%s: must not be readable or writable by group "
		    "or others (chmod 600)", path);
		goto out;
	}
	n = read(fd, text, sizeof(text) - 1);
	if (n < 2 * HK_KEY_LEN || (n > 2 * HK_KEY_LEN && text[2 * HK_KEY_LEN] != '\n')) {
		*err_r = hk_aprintf("%s: expected 64 hex digits", path);
		goto out;
	}
	for (int i = 0; i < HK_KEY_LEN; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			*err_r = hk_aprintf("%s: expected 64 hex digits", path);
			goto out;
		}
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	rc = 0;
out:
	hk_wipe(text, sizeof(text));
	close(fd);
	return rc;
}

void
hk_key_fingerprint(const unsigned char key[HK_KEY_LEN],
    unsigned char out[HK_KEY_FINGERPRINT_LEN])
{
	static const char label[] = "hikyaku key fingerprint v1";
	unsigned int len = 0;

	if (HMAC(EVP_sha256(), key, HK_KEY_LEN, (const unsigned char *)label,
	    sizeof(label) - 1, out, &len) == NULL ||
	    len != HK_KEY_FINGERPRINT_LEN)
		hk_fatal("HMAC-SHA256 failed");
}
