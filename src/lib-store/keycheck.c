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
    int *sql_rc_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT fingerprint FROM secret_key_id WHERE id = 1");
	unsigned char fp[HK_KEY_FINGERPRINT_LEN];
	enum hk_key_record rc;
	int step;

	*sql_rc_r = HK_SQL_OK;
	hk_key_fingerprint(key, fp);
	step = hk_sql_step(st);
	if (step == HK_SQL_ROW) {
		size_t have_len;
		const void *have = hk_sql_column_blob(st, 0, &have_len);

		rc = have_len == HK_KEY_FINGERPRINT_LEN &&
		    have != NULL && memcmp(have, fp, sizeof(fp)) == 0 ?
		    HK_KEYREC_SAME : HK_KEYREC_OTHER;
	} else if (step == HK_SQL_DONE)
		rc = HK_KEYREC_NONE;
	else {
		*sql_rc_r = step;
		rc = HK_KEYREC_ERROR;
	}
	hk_db_done(st);
	return rc;
}

enum hk_keycheck
hk_key_check(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    int *sql_rc_r)
{
	switch (hk_key_compare(db, key, sql_rc_r)) {
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
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "INSERT INTO secret_key_id (id, fingerprint) VALUES (1, ?1) "
	    "ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint");
	unsigned char fp[HK_KEY_FINGERPRINT_LEN];
	int step;

	hk_key_fingerprint(key, fp);
	hk_sql_bind_blob(st, 1, fp, sizeof(fp));
	step = hk_sql_step(st);
	hk_db_done(st);
	return step == HK_SQL_DONE ? HK_SQL_OK : step;
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
    int *sql_rc_r)
{
	bool any = false;

	*sql_rc_r = HK_SQL_OK;
	for (size_t k = 0; k < sizeof(stores) / sizeof(stores[0]); k++) {
		struct hk_sql_stmt *st = hk_db_prepare(db, stores[k].sql);
		int step;

		while ((step = hk_sql_step(st)) == HK_SQL_ROW) {
			char *plain = NULL;
			size_t len;
			const void *blob = hk_sql_column_blob(st, 1, &len);

			any = true;
			if (hk_secret_open(key, stores[k].table,
			    hk_sql_column_int64(st, 0), stores[k].field,
			    blob, len, &plain) ==
			    HK_SECRET_OK) {
				hk_free_secret(plain);
				hk_db_done(st);
				return true;
			}
		}
		hk_db_done(st);
		if (step != HK_SQL_DONE) {
			*sql_rc_r = step;
			return false;
		}
	}
	return !any;
}
