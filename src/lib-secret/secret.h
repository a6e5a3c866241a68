/* secret.h - passwords encrypted at rest (docs/DESIGN.md).
 *
 * AES-256-GCM under the key from secret_key, a random 96-bit nonce per
 * value, and "<table>:<record id>:<field>" as associated data, so a
 * ciphertext copied to another record or field does not decrypt.  Stored
 * form (a BLOB): 'h' 'k' 1 (version) || nonce (12) || ciphertext || tag (16).
 */
#ifndef HK_SECRET_H
#define HK_SECRET_H

#include <stddef.h>

#include "keyfile.h"

enum hk_secret_rc {
	HK_SECRET_OK = 0,
	HK_SECRET_TAMPERED,	/* wrong key, wrong record/field, or altered */
	HK_SECRET_MALFORMED,	/* not a blob this code wrote */
};

/* Encrypts plain (a NUL-terminated string).  *blob_r (caller frees) and
 * *len_r receive the stored form.  Fatal only if OpenSSL itself fails. */
void hk_secret_seal(const unsigned char key[HK_KEY_LEN], const char *table,
    long long id, const char *field, const char *plain,
    unsigned char **blob_r, size_t *len_r);

/* Decrypts a stored blob.  On HK_SECRET_OK *plain_r is a new string the
 * caller frees with hk_free_secret; otherwise *plain_r is NULL (and the
 * caller must report the value as unreadable, never use it). */
enum hk_secret_rc hk_secret_open(const unsigned char key[HK_KEY_LEN],
    const char *table, long long id, const char *field,
    const unsigned char *blob, size_t len, char **plain_r);

#endif
