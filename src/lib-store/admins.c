/* admins.c - administrators and their password hashes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admins.h"
#include "dbutil.h"
#include "log.h"
#include "mem.h"
#include "password.h"
#include "utf8.h"

int
hk_admin_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._@-", c) != NULL))
			return 0;
	}
	return 1;
}

int
hk_admin_password_valid(const char *password)
{
	size_t n = strlen(password);

	if (n < 8 || n > 1024 || !hk_utf8_valid(password, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)password[i] < 0x20 || password[i] == 0x7f)
			return 0;
	return 1;
}

/* hk_db_store_rc, with a taken name as HK_STORE_EXISTS. */
static enum hk_store_rc
step_rc(struct hk_db *db, int rc)
{
	if (rc == HK_SQL_UNIQUE)
		return HK_STORE_EXISTS;
	return hk_db_store_rc(db, rc);
}

enum hk_store_rc
hk_admin_add(struct hk_db *db, const char *name, const char *password)
{
	struct hk_sql_stmt *st;
	char *hash;
	enum hk_store_rc rc;
	long long now = (long long)time(NULL);

	if (!hk_admin_name_valid(name) || !hk_admin_password_valid(password))
		return HK_STORE_INVALID;
	if ((hash = hk_password_hash(password)) == NULL)
		return HK_STORE_ERROR;
	st = hk_db_prepare(db, "INSERT INTO admins (name, password_hash, "
	    "created_at, updated_at) VALUES (?1, ?2, ?3, ?3)");
	hk_sql_bind_text(st, 1, name);
	hk_sql_bind_text(st, 2, hash);
	hk_sql_bind_int64(st, 3, now);
	rc = step_rc(db, hk_sql_step(st));
	hk_db_done(st);
	free(hash);
	return rc;
}

/* Stores a new hash of password for name; sessions are left alone. */
static enum hk_store_rc
store_hash(struct hk_db *db, const char *name, const char *password)
{
	struct hk_sql_stmt *st;
	char *hash;
	enum hk_store_rc rc;

	if ((hash = hk_password_hash(password)) == NULL)
		return HK_STORE_ERROR;
	st = hk_db_prepare(db, "UPDATE admins SET password_hash = ?2, "
	    "updated_at = ?3 WHERE lower(name) = lower(?1)");
	hk_sql_bind_text(st, 1, name);
	hk_sql_bind_text(st, 2, hash);
	hk_sql_bind_int64(st, 3, (long long)time(NULL));
	rc = step_rc(db, hk_sql_step(st));
	hk_db_done(st);
	free(hash);
	if (rc == HK_STORE_OK && hk_sql_changes(hk_db_sql(db)) == 0)
		rc = HK_STORE_NOT_FOUND;
	return rc;
}

enum hk_store_rc
hk_admin_set_password(struct hk_db *db, const char *name, const char *password)
{
	struct hk_sql_stmt *st;
	enum hk_store_rc rc;

	if (!hk_admin_password_valid(password))
		return HK_STORE_INVALID;
	rc = store_hash(db, name, password);
	if (rc == HK_STORE_OK) {
		/* A new password ends every session signed in with the old. */
		st = hk_db_prepare(db, "DELETE FROM sessions WHERE admin_id = "
		    "(SELECT id FROM admins WHERE lower(name) = lower(?1))");
		hk_sql_bind_text(st, 1, name);
		rc = step_rc(db, hk_sql_step(st));
		hk_db_done(st);
	}
	return rc;
}

enum hk_store_rc
hk_admin_check(struct hk_db *db, const char *name, const char *password,
    long long *id_r)
{
	struct hk_sql_stmt *st;
	char *hash = NULL;
	long long id = 0;
	int rc, ok;

	st = hk_db_prepare(db, "SELECT id, password_hash FROM admins WHERE lower(name) = lower(?1)");
	hk_sql_bind_text(st, 1, name);
	rc = hk_sql_step(st);
	if (rc == HK_SQL_ROW) {
		id = hk_sql_column_int64(st, 0);
		hash = hk_strdup(hk_sql_column_text(st, 1));
	}
	hk_db_done(st);
	if (rc != HK_SQL_ROW && rc != HK_SQL_DONE)
		return step_rc(db, rc);
	if (hash == NULL) {
		hk_password_dummy_verify(password);
		return HK_STORE_NOT_FOUND;
	}
	ok = hk_password_verify(password, hash);
	if (ok < 0)
		hk_err("admin %s: stored password hash is malformed", name);
	/* Same password, stronger hash: the admin's sessions stay. */
	if (ok == 1 && hk_password_needs_rehash(hash))
		(void)store_hash(db, name, password);
	free(hash);
	if (ok != 1)
		return HK_STORE_NOT_FOUND;
	*id_r = id;
	return HK_STORE_OK;
}

enum hk_store_rc
hk_admin_set_lang(struct hk_db *db, long long id, const char *lang)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "UPDATE admins SET lang = ?2, updated_at = ?3 WHERE id = ?1");
	enum hk_store_rc rc;

	hk_sql_bind_int64(st, 1, id);
	if (lang != NULL && *lang != '\0')
		hk_sql_bind_text(st, 2, lang);
	else
		hk_sql_bind_null(st, 2);
	hk_sql_bind_int64(st, 3, (long long)time(NULL));
	rc = step_rc(db, hk_sql_step(st));
	hk_db_done(st);
	return rc;
}
