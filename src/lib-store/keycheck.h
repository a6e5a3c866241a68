/* keycheck.h - does the key in this process still open what is stored?
 *
 * After `hikyakuctl rotate-key`, a worker started before it holds the
 * retired key; sealing a new password under that key would make it
 * unreadable once workers restart.  Writers of secrets call this inside
 * their write transaction and refuse (503) when the key no longer fits.
 */
#ifndef HK_KEYCHECK_H
#define HK_KEYCHECK_H

#include "db.h"
#include "keyfile.h"

enum hk_keycheck {
	HK_KEY_FITS = 0,	/* opens a stored secret, or none is stored */
	HK_KEY_RETIRED,		/* opens none of the stored secrets (logged) */
	HK_KEY_DB_ERROR,	/* *sqlite_rc_r says which */
};

/* Tries the stored passwords (up to 64 per table) other than the one of
 * skip_table/skip_id (a record about to be overwritten; NULL/0: none).
 * One success is enough: a single altered value must not block writes. */
enum hk_keycheck hk_key_check(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *skip_table, long long skip_id, int *sqlite_rc_r);

#endif
