/* maildir_place.h - where an account's Maildir is.
 *
 * mail_dir/<name>, where name is mail_accounts.maildir: "<account
 * id>-<16 random hex digits>", given by the database when the account is
 * inserted (migration 7).  It never changes and is never given again, so
 * an account created under a deleted or renamed account's name (or, after
 * a delete, under its reused id) starts with a Maildir of its own.
 *
 * Accounts that existed before migration 7 received into
 * mail_dir/<account name> (bytes outside [A-Za-z0-9._@+-] as %XX); the
 * migration recorded that name in maildir_legacy.  The first call for
 * such an account renames the old folder to the new name (rename(2),
 * atomic), then clears maildir_legacy; `hikyakuctl init` does it for all
 * of them.  Interrupted, it is simply done again: a folder already under
 * the new name is never replaced, and an old folder that would have to
 * be merged into an existing new one is left where it is (logged).
 */
#ifndef HK_MAILDIR_PLACE_H
#define HK_MAILDIR_PLACE_H

#include <stdio.h>

#include "db.h"

/* The path of account_id's Maildir (the folder may not exist yet),
 * moving a pre-migration Maildir there first.  Returns a new string
 * (caller frees), or NULL with *err_r set (caller frees) for an unknown
 * account, an invalid stored name, a database or a rename error. */
char *hk_maildir_place(struct hk_db *db, const char *mail_dir,
    long long account_id, char **err_r);

/* hk_maildir_place for every account that still has a pre-migration
 * Maildir; each move is reported to out as one line.  Returns how many
 * accounts were handled, or -1 with *err_r set at the first failure. */
int hk_maildir_place_migrate_all(struct hk_db *db, const char *mail_dir,
    FILE *out, char **err_r);

#endif
