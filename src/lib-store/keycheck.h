/* keycheck.h - which secret key the stored passwords are under.
 *
 * The database records the fingerprint of the current key (keyfile.h:
 * HMAC-SHA256 of a fixed label, never the key) in secret_key_id: written
 * by `hikyakuctl init` and by `hikyakuctl rotate-key` inside the
 * rotation's transaction.  A worker started before a rotation holds the
 * retired key; sealing a new password under it would make that password
 * unreadable once workers restart, even when nothing else is stored to
 * test the key against.  Every writer of a secret therefore compares its
 * key with the recorded fingerprint inside its write transaction and
 * refuses (503) when they differ.
 */
#ifndef HK_KEYCHECK_H
#define HK_KEYCHECK_H

#include "db.h"
#include "keyfile.h"

enum hk_keycheck {
	HK_KEY_FITS = 0,	/* key is the one recorded */
	HK_KEY_RETIRED,		/* another key, or none recorded (logged) */
	HK_KEY_DB_ERROR,	/* *sql_rc_r says which */
};

/* Compares key with the recorded fingerprint.  Call it inside the write
 * transaction that seals with key, so that a rotation cannot slip in
 * between the check and the write. */
enum hk_keycheck hk_key_check(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], int *sql_rc_r);

/* Records key as the current one (replacing any earlier record), inside
 * the caller's transaction.  Returns an SQLite result code. */
int hk_key_record(struct hk_db *db, const unsigned char key[HK_KEY_LEN]);

/* What the database records, compared with key, without logging. */
enum hk_key_record {
	HK_KEYREC_SAME,		/* key is the recorded one */
	HK_KEYREC_OTHER,	/* another key is recorded */
	HK_KEYREC_NONE,		/* nothing recorded yet */
	HK_KEYREC_ERROR,	/* *sql_rc_r says which */
};
enum hk_key_record hk_key_compare(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], int *sql_rc_r);

/* The trial the fingerprint replaced, kept for adopting a key into a
 * database that records none yet (`hikyakuctl init` after an upgrade):
 * true when no password is stored or key opens at least one of them. */
bool hk_key_opens_stored(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    int *sql_rc_r);

#endif
