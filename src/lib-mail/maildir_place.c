/* maildir_place.c - where an account's Maildir is (maildir_place.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "fsyncdir.h"
#include "log.h"
#include "maildir.h"
#include "maildir_place.h"
#include "mem.h"

/* Moves mail_dir/<legacy name> to path when it is there and path is not.
 * 0 when nothing is left to do, -1 with *err_r. */
static int
move_legacy(const char *mail_dir, const char *legacy, const char *path,
    char **err_r)
{
	char *old = hk_fetch_maildir_path(mail_dir, legacy);
	struct stat st;
	int rc = 0;

	if (lstat(old, &st) != 0 || !S_ISDIR(st.st_mode)) {
		/* Never received anything, or already moved. */
	} else if (lstat(path, &st) == 0 || errno != ENOENT) {
		hk_warn("%s: left in place: the account's Maildir %s exists "
		    "already (merge them by hand if both hold mail)", old, path);
	} else if (rename(old, path) != 0 || hk_fsync_dir(mail_dir) != 0) {
		*err_r = hk_aprintf("cannot move the Maildir %s to %s: %s", old,
		    path, strerror(errno));
		rc = -1;
	} else
		hk_info("moved the Maildir %s to %s", old, path);
	free(old);
	return rc;
}

char *
hk_maildir_place(struct hk_db *db, const char *mail_dir, long long account_id,
    char **err_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "SELECT maildir, maildir_legacy "
	    "FROM mail_accounts WHERE id = ?1");
	char *name = NULL, *legacy = NULL, *path = NULL;
	int step;

	*err_r = NULL;
	hk_sql_bind_int64(st, 1, account_id);
	step = hk_sql_step(st);
	if (step == HK_SQL_ROW) {
		if (!hk_sql_column_is_null(st, 0))
			name = hk_strdup(hk_sql_column_text(st, 0));
		if (!hk_sql_column_is_null(st, 1))
			legacy = hk_strdup(hk_sql_column_text(st, 1));
	}
	hk_db_done(st);
	if (step != HK_SQL_ROW) {
		*err_r = step == HK_SQL_DONE ?
		    hk_aprintf("no mail account %lld", account_id) :
		    hk_aprintf("%s", hk_db_errmsg(db));
		goto out;
	}
	/* Set by the database, but a hand-edited value must not lead out of
	 * mail_dir. */
	if (name == NULL || !hk_maildir_name_ok(name)) {
		*err_r = hk_aprintf("mail account %lld has no valid Maildir name "
		    "(mail_accounts.maildir)", account_id);
		goto out;
	}
	path = hk_aprintf("%s/%s", mail_dir, name);
	if (legacy != NULL) {
		if (move_legacy(mail_dir, legacy, path, err_r) < 0)
			goto fail;
		st = hk_db_prepare(db, "UPDATE mail_accounts SET maildir_legacy "
		    "= NULL WHERE id = ?1");
		hk_sql_bind_int64(st, 1, account_id);
		step = hk_sql_step(st);
		hk_db_done(st);
		if (step != HK_SQL_DONE) {
			/* The move is done; the next call finds nothing to move. */
			*err_r = hk_aprintf("%s", hk_db_errmsg(db));
			goto fail;
		}
	}
	goto out;
fail:
	free(path);
	path = NULL;
out:
	free(name);
	free(legacy);
	return path;
}

int
hk_maildir_place_migrate_all(struct hk_db *db, const char *mail_dir,
    FILE *out, char **err_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db, "SELECT id, name, maildir_legacy "
	    "FROM mail_accounts WHERE maildir_legacy IS NOT NULL ORDER BY id");
	struct todo { long long id; char *name, *legacy; } *v = NULL;
	size_t n = 0, cap = 0;
	int step, rc = 0;

	*err_r = NULL;
	while ((step = hk_sql_step(st)) == HK_SQL_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = hk_realloc(v, cap * sizeof(*v));
		}
		v[n].id = hk_sql_column_int64(st, 0);
		v[n].name = hk_strdup(hk_sql_column_text(st, 1));
		v[n].legacy = hk_strdup(hk_sql_column_text(st, 2));
		n++;
	}
	hk_db_done(st);
	if (step != HK_SQL_DONE) {
		*err_r = hk_aprintf("%s", hk_db_errmsg(db));
		rc = -1;
	}
	for (size_t i = 0; i < n && rc >= 0; i++) {
		char *old = hk_fetch_maildir_path(mail_dir, v[i].legacy);
		bool was_there = access(old, F_OK) == 0;
		char *path = hk_maildir_place(db, mail_dir, v[i].id, err_r);

		if (path == NULL)
			rc = -1;
		else {
			if (was_there && access(old, F_OK) != 0)
				fprintf(out, "Maildir of mail account %s: %s -> %s\n",
				    v[i].name, old, path);
			rc++;
		}
		free(path);
		free(old);
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].legacy);
	}
	free(v);
	return rc;
}
