/* password.c - scrypt password hashes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base64.h"
#include "mem.h"
#include "password.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define SCRYPT_R 8
#define SCRYPT_P 1
/* OpenSSL refuses work above maxmem; allow up to ln=20. */
#define SCRYPT_MAXMEM (1100ULL * 1024 * 1024)

static int
derive(const char *password, const unsigned char *salt, int ln, int r, int p,
    unsigned char out[HASH_LEN])
{
	return EVP_PBE_scrypt(password, strlen(password), salt, SALT_LEN,
	    1ULL << ln, (uint64_t)r, (uint64_t)p, SCRYPT_MAXMEM, out, HASH_LEN) == 1
	    ? 0 : -1;
}

char *
hk_password_hash(const char *password)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char salt_hex[2 * SALT_LEN + 1], hash_hex[2 * HASH_LEN + 1];
	char *out = NULL;

	hk_random(salt, sizeof(salt));
	if (derive(password, salt, HK_SCRYPT_LN, SCRYPT_R, SCRYPT_P, hash) == 0) {
		hk_hex(salt, sizeof(salt), salt_hex);
		hk_hex(hash, sizeof(hash), hash_hex);
		out = hk_aprintf("$scrypt$ln=%d,r=%d,p=%d$%s$%s", HK_SCRYPT_LN,
		    SCRYPT_R, SCRYPT_P, salt_hex, hash_hex);
	}
	hk_wipe(hash, sizeof(hash));
	return out;
}

static int
unhex(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++) {
			char c = s[2 * i + j];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

struct parsed {
	int ln, r, p;
	unsigned char salt[SALT_LEN];
	unsigned char hash[HASH_LEN];
};

static int
parse(const char *encoded, struct parsed *out)
{
	char salt_hex[2 * SALT_LEN + 1], hash_hex[2 * HASH_LEN + 1];
	int used = 0;

	if (sscanf(encoded, "$scrypt$ln=%2d,r=%2d,p=%2d$%32[0-9a-f]$%64[0-9a-f]%n",
	    &out->ln, &out->r, &out->p, salt_hex, hash_hex, &used) != 5 ||
	    encoded[used] != '\0' || strlen(salt_hex) != 2 * SALT_LEN ||
	    strlen(hash_hex) != 2 * HASH_LEN)
		return -1;
	if (out->ln < 10 || out->ln > 20 || out->r < 1 || out->r > 32 ||
	    out->p < 1 || out->p > 4)
		return -1;
	if (unhex(salt_hex, out->salt, SALT_LEN) < 0 ||
	    unhex(hash_hex, out->hash, HASH_LEN) < 0)
		return -1;
	return 0;
}

int
hk_password_verify(const char *password, const char *encoded)
{
	struct parsed p;
	unsigned char got[HASH_LEN];
	int ok;

	if (encoded == NULL || parse(encoded, &p) < 0)
		return -1;
	if (derive(password, p.salt, p.ln, p.r, p.p, got) < 0)
		return -1;
	ok = hk_ct_equal(got, p.hash, HASH_LEN);
	hk_wipe(got, sizeof(got));
	return ok ? 1 : 0;
}

void
hk_password_dummy_verify(const char *password)
{
	unsigned char salt[SALT_LEN] = { 0 }, out[HASH_LEN];

	(void)derive(password, salt, HK_SCRYPT_LN, SCRYPT_R, SCRYPT_P, out);
	hk_wipe(out, sizeof(out));
}

bool
hk_password_needs_rehash(const char *encoded)
{
	struct parsed p;

	return parse(encoded, &p) < 0 || p.ln < HK_SCRYPT_LN ||
	    p.r < SCRYPT_R;
}
