/* keyfile.h - the secret key file (secret_key in hikyaku.conf).
 *
 * 32 random bytes written as 64 hex digits and a newline, mode 0600.  It
 * encrypts stored passwords (AES-256-GCM) and signs the sign-in form's
 * CSRF token; losing it makes stored mail passwords unreadable.
 */
#ifndef HK_KEYFILE_H
#define HK_KEYFILE_H

#include <stdbool.h>

#define HK_KEY_LEN 32

/* Creates the key file when it does not exist; never overwrites one.
 * *created_r tells which happened.  0, or -1 with *err_r (caller frees). */
int hk_keyfile_create(const char *path, bool *created_r, char **err_r);
/* Reads the key into key[HK_KEY_LEN].  Refuses a file that others can read
 * or write.  0, or -1 with *err_r set. The caller wipes key when done. */
int hk_keyfile_read(const char *path, unsigned char key[HK_KEY_LEN],
    char **err_r);

#define HK_KEY_FINGERPRINT_LEN 32

/* Names a key without revealing it: HMAC-SHA256 under the key of a fixed
 * label, so the database can record which key is current (keycheck.h).
 * Knowing the fingerprint does not help to find the key. */
void hk_key_fingerprint(const unsigned char key[HK_KEY_LEN],
    unsigned char out[HK_KEY_FINGERPRINT_LEN]);

#endif
