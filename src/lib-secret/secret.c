/* secret.c - passwords encrypted at rest: AES-256-GCM (OpenSSL EVP).
 *
 * Stored form: 'h' 'k' 1 || nonce (12) || ciphertext || tag (16).  The
 * associated data "<table>:<id>:<field>" binds a value to its record and
 * field.  The header (magic and version) is authenticated too, as part of
 * the associated data, so a changed version byte cannot pass.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "log.h"
#include "mem.h"
#include "secret.h"

#define HDR_LEN 3
#define NONCE_LEN 12
#define TAG_LEN 16
#define OVERHEAD (HDR_LEN + NONCE_LEN + TAG_LEN)

static const unsigned char hdr[HDR_LEN] = { 'h', 'k', 1 };

/* "<table>:<id>:<field>" preceded by the header; caller frees. */
static char *
make_aad(const char *table, long long id, const char *field, size_t *len_r)
{
	char *aad = hk_aprintf("hk\001%s:%lld:%s", table, id, field);

	*len_r = strlen(aad);
	return aad;
}

void
hk_secret_seal(const unsigned char key[HK_KEY_LEN], const char *table,
    long long id, const char *field, const char *plain,
    unsigned char **blob_r, size_t *len_r)
{
	size_t plen = strlen(plain), aadlen;
	unsigned char *blob, *nonce, *ct, *tag;
	char *aad;
	EVP_CIPHER_CTX *c;
	int n, fin;

	if (plen > INT_MAX - OVERHEAD)
		hk_fatal("secret: value too long");
	blob = hk_malloc(plen + OVERHEAD);
	memcpy(blob, hdr, HDR_LEN);
	nonce = blob + HDR_LEN;
	ct = nonce + NONCE_LEN;
	tag = ct + plen;
	hk_random(nonce, NONCE_LEN);
	aad = make_aad(table, id, field, &aadlen);

	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)aad,
		(int)aadlen) != 1 ||
	    EVP_EncryptUpdate(c, ct, &n, (const unsigned char *)plain,
		(int)plen) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + n, &fin) != 1 ||
	    (size_t)(n + fin) != plen ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1)
		hk_fatal("secret: OpenSSL cannot encrypt");
	EVP_CIPHER_CTX_free(c);
	free(aad);
	*blob_r = blob;
	*len_r = plen + OVERHEAD;
}

enum hk_secret_rc
hk_secret_open(const unsigned char key[HK_KEY_LEN], const char *table,
    long long id, const char *field, const unsigned char *blob, size_t len,
    char **plain_r)
{
	const unsigned char *nonce, *ct, *tag;
	size_t clen, aadlen;
	unsigned char *plain;
	char *aad;
	EVP_CIPHER_CTX *c;
	int n = 0, fin = 0, ok;

	*plain_r = NULL;
	if (blob == NULL || len < OVERHEAD || len - OVERHEAD > INT_MAX ||
	    blob[0] != 'h' || blob[1] != 'k')
		return HK_SECRET_MALFORMED;
	if (blob[2] != 1)
		return HK_SECRET_MALFORMED;	/* a version this code never wrote */
	nonce = blob + HDR_LEN;
	ct = nonce + NONCE_LEN;
	clen = len - OVERHEAD;
	tag = ct + clen;
	plain = hk_malloc(clen + 1);
	aad = make_aad(table, id, field, &aadlen);

	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)aad,
		(int)aadlen) != 1 ||
	    EVP_DecryptUpdate(c, plain, &n, ct, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
		(void *)tag) != 1)
		hk_fatal("secret: OpenSSL cannot decrypt");
	/* Final is where GCM checks the tag: 1 only when it matches. */
	ok = EVP_DecryptFinal_ex(c, plain + n, &fin) == 1 &&
	    (size_t)(n + fin) == clen;
	EVP_CIPHER_CTX_free(c);
	free(aad);
	if (!ok) {
		hk_wipe(plain, clen + 1);
		free(plain);
		return HK_SECRET_TAMPERED;
	}
	plain[clen] = '\0';
	/* A value with a NUL inside was not written by hk_secret_seal. */
	if (memchr(plain, '\0', clen) != NULL) {
		hk_wipe(plain, clen + 1);
		free(plain);
		return HK_SECRET_MALFORMED;
	}
	*plain_r = (char *)plain;
	return HK_SECRET_OK;
}
