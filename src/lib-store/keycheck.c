/* keycheck.c - does the key in this process still open what is stored? */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "keycheck.h"
#include "log.h"
#include "mem.h"
#include "secret.h"

static const struct {
	const char *table, *field, *sql;
} stores[] = {
	{ "mail_servers", "smtp_password",
	  "SELECT id, smtp_password FROM mail_servers WHERE "
	  "length(smtp_password) > 0 AND id != ?1 LIMIT 64" },
	{ "mail_accounts", "password",
	  "SELECT id, password FROM mail_accounts WHERE "
	  "length(password) > 0 AND id != ?1 LIMIT 64" },
};

enum hk_keycheck
hk_key_check(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *skip_table, long long skip_id, int *sqlite_rc_r)
{
	bool any = false;

	*sqlite_rc_r = SQLITE_OK;
	for (size_t k = 0; k < sizeof(stores) / sizeof(stores[0]); k++) {
		sqlite3_stmt *st = hk_db_prepare(db, stores[k].sql);
		bool skip = skip_table != NULL &&
		    strcmp(skip_table, stores[k].table) == 0;
		int step;

		sqlite3_bind_int64(st, 1, skip ? skip_id : 0);
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
				return HK_KEY_FITS;
			}
		}
		hk_db_done(st);
		if (step != SQLITE_DONE) {
			*sqlite_rc_r = step;
			return HK_KEY_DB_ERROR;
		}
	}
	if (!any)
		return HK_KEY_FITS;
	hk_err("the secret key in memory opens none of the stored passwords: "
	    "was it rotated (hikyakuctl rotate-key)?  Restart hikyaku-fcgi");
	return HK_KEY_RETIRED;
}
