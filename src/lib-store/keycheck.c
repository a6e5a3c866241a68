/* keycheck.c - which secret key the stored passwords are under. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "keycheck.h"
#include "log.h"
#include "mem.h"
#include "secret.h"

enum hk_key_record
hk_key_compare(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    int *sqlite_rc_r)
{
	sqlite3_stmt *st = hk_db_prepare(db,
	    "SELECT fingerprint FROM secret_key_id WHERE id = 1");
	unsigned char fp[HK_KEY_FINGERPRINT_LEN];
	enum hk_key_record rc;
	int step;

	*sqlite_rc_r = SQLITE_OK;
	hk_key_fingerprint(key, fp);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const void *have = sqlite3_column_blob(st, 0);

		rc = sqlite3_column_bytes(st, 0) == HK_KEY_FINGERPRINT_LEN &&
		    have != NULL && memcmp(have, fp, sizeof(fp)) == 0 ?
		    HK_KEYREC_SAME : HK_KEYREC_OTHER;
	} else if (step == SQLITE_DONE)
		rc = HK_KEYREC_NONE;
	else {
		*sqlite_rc_r = step;
		rc = HK_KEYREC_ERROR;
	}
	hk_db_done(st);
	return rc;
}

enum hk_keycheck
hk_key_check(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    int *sqlite_rc_r)
{
	switch (hk_key_compare(db, key, sqlite_rc_r)) {
	case HK_KEYREC_SAME:
		return HK_KEY_FITS;
	case HK_KEYREC_OTHER:
		hk_err("the secret key in memory is not the one the database "
		    "records as current: was it rotated (hikyakuctl "
		    "rotate-key)?  Restart hikyaku-fcgi");
		return HK_KEY_RETIRED;
	case HK_KEYREC_NONE:
		hk_err("the database records no current secret key: run "
		    "'hikyakuctl init' before storing passwords");
		return HK_KEY_RETIRED;
	case HK_KEYREC_ERROR:
		break;
	}
	return HK_KEY_DB_ERROR;
}

int
hk_key_record(struct hk_db *db, const unsigned char key[HK_KEY_LEN])
{
	sqlite3_stmt *st = hk_db_prepare(db,
	    "INSERT OR REPLACE INTO secret_key_id (id, fingerprint) "
	    "VALUES (1, ?1)");
	unsigned char fp[HK_KEY_FINGERPRINT_LEN];
	int step;

	hk_key_fingerprint(key, fp);
	sqlite3_bind_blob(st, 1, fp, sizeof(fp), SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	hk_db_done(st);
	return step == SQLITE_DONE ? SQLITE_OK : step;
}

static const struct {
	const char *table, *field, *sql;
} stores[] = {
	{ "mail_servers", "smtp_password",
	  "SELECT id, smtp_password FROM mail_servers WHERE "
	  "length(smtp_password) > 0" },
	{ "mail_accounts", "password",
	  "SELECT id, password FROM mail_accounts WHERE "
	  "length(password) > 0" },
};

bool
hk_key_opens_stored(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    int *sqlite_rc_r)
{
	bool any = false;

	*sqlite_rc_r = SQLITE_OK;
	for (size_t k = 0; k < sizeof(stores) / sizeof(stores[0]); k++) {
		sqlite3_stmt *st = hk_db_prepare(db, stores[k].sql);
		int step;

		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			char *plain = NULL;

			any = true;
			if (hk_secret_open(key, stores[k].table,
			    sqlite3_column_int64(st, 0), stores[k].field,
			    sqlite3_column_blob(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1), &plain) ==
			    HK_SECRET_OK) {
				hk_free_secret(plain);
				hk_db_done(st);
				return true;
			}
		}
		hk_db_done(st);
		if (step != SQLITE_DONE) {
			*sqlite_rc_r = step;
			return false;
		}
	}
	return !any;
}
