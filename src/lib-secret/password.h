/* password.h - administrator password hashing with scrypt (OpenSSL).
 *
 * Stored form: "$scrypt$ln=15,r=8,p=1$<salt hex>$<hash hex>".  The cost is
 * stored with each hash, so raising HK_SCRYPT_LN later still verifies old
 * hashes (hk_password_needs_rehash tells the caller to upgrade them).
 */
#ifndef HK_PASSWORD_H
#define HK_PASSWORD_H

#include <stdbool.h>

/* log2 of scrypt's N: 2^15 * 128 * r = 32 MiB and ~0.1 s per hash. */
#define HK_SCRYPT_LN 15

/* Returns a new encoded hash (caller frees), or NULL when OpenSSL fails. */
char *hk_password_hash(const char *password);
/* 1 when password matches encoded, 0 when not, -1 when encoded is not a
 * hash this code understands.  Runs in time independent of where a
 * mismatch is. */
int hk_password_verify(const char *password, const char *encoded);
/* Spends the time of one verification, for unknown user names. */
void hk_password_dummy_verify(const char *password);
/* True when encoded uses weaker parameters than the current ones. */
bool hk_password_needs_rehash(const char *encoded);

#endif
