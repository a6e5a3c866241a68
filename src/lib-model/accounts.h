/* accounts.h - the mail-account model (docs/REFERENCE.md): the record,
 * reading it from a form (validation included), and storing it.
 *
 * Used by the screens (ui_accounts.c), the connection test (an account's
 * address and credentials), send/fetch and hikyakuctl.
 *
 * The password is stored only encrypted (secret.h, associated data
 * "mail_accounts:<id>:password").  It is in a struct hk_account in clear
 * only when loaded with_secrets or read from a form, and hk_account_clear
 * wipes it.  Every write records an audit entry in the same transaction.
 */
#ifndef HK_ACCOUNTS_H
#define HK_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "keyfile.h"
#include "params.h"
#include "storerc.h"
#include "validate.h"

#define HK_ACCOUNT_NAME_MAX 100		/* characters, after trimming */
#define HK_ACCOUNT_USER_MAX 255		/* characters, after trimming */
#define HK_ACCOUNT_PASSWORD_MAX 1024	/* bytes */

struct hk_account {
	long long id;			/* 0: not stored yet */
	long long version;		/* optimistic locking; 0 when new */
	char *name;			/* trimmed */
	char *address;			/* RFC 5321 mailbox, domain in A-labels */
	long long server_id;
	char *server_name;		/* set by load/find/list; NULL from a form */
	char *username;			/* trimmed */
	/* The password in clear: from a form (NULL when left empty) or from
	 * a load with_secrets.  Wiped by hk_account_clear. */
	char *password;
	bool password_set;		/* one is stored */
	/* Set by load/find/list when a key was given: the stored password
	 * does not decrypt (altered, or sealed under another key). */
	bool password_unreadable;
};

/* Frees every string (wiping the password) and zeroes a. */
void hk_account_clear(struct hk_account *a);

/* Reads account id into out (which must be empty: zeroed or cleared).
 * key may be NULL: then the password is neither decrypted nor checked.
 * With a key the stored password is decrypted to check it
 * (password_unreadable); with_secrets keeps it in out->password, otherwise
 * it is wiped at once.  Returns HK_STORE_OK, HK_STORE_NOT_FOUND, or
 * HK_STORE_INVALID when with_secrets was asked for and the stored password
 * does not decrypt (logged without any value; out then holds everything
 * else, password NULL and password_unreadable true: report it, and never
 * try to sign in with anything).  Other failures: HK_STORE_BUSY/ERROR, and
 * out stays empty. */
enum hk_store_rc hk_account_load(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], long long id, bool with_secrets,
    struct hk_account *out);
/* The same, finding the account by name (compared as hk_name_equal). */
enum hk_store_rc hk_account_find_by_name(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const char *name, bool with_secrets,
    struct hk_account *out);

/* Every account, by name (then id), without secrets; key as for load
 * (NULL: password_unreadable is not checked).  *list_r is an array of *n_r
 * records; free with hk_account_list_free. */
enum hk_store_rc hk_account_list(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], struct hk_account **list_r,
    size_t *n_r);
void hk_account_list_free(struct hk_account **list, size_t n);

/* ---- reading a form ---- */

/* hk_account_from_form flags */
#define HK_ACCOUNT_FORM_CHANGE 0x1	/* an empty password keeps the stored one */
#define HK_ACCOUNT_FORM_NO_PASSWORD 0x2	/* the password is optional */

/* Reads and checks name, address, server_id, username and password from a
 * submitted form into out (which must be empty): name 1-100 characters
 * after trimming, address an RFC 5321 mailbox (hk_valid_mailbox_n),
 * server_id a positive integer, username 1-255 characters, password
 * required unless HK_ACCOUNT_FORM_CHANGE (then empty keeps the stored one:
 * out->password NULL), at most 1024 bytes; no field may hold a control
 * character (CR, LF, ...).  What is valid is stored in out even when other
 * fields are not; an invalid name/address/username is kept as entered, so
 * that the form can show it again.  Name uniqueness and the server's
 * existence need the database: see hk_account_create/update.  Returns the
 * number of errors added to errs (0: out is complete and valid). */
size_t hk_account_from_form(const struct hk_params *form, unsigned flags,
    struct hk_account *out, struct hk_form_errors *errs);

/* Whether an account of server server_id needs no password: the server
 * signs in with OAuth 2.0 on both ends (hk_server_oauth2_both_ends).
 * False when there is no such server.  Pass HK_ACCOUNT_FORM_NO_PASSWORD
 * to hk_account_from_form when true. */
bool hk_account_password_optional(struct hk_db *db, long long server_id);

/* ---- writing (each in its own transaction, audited as actor) ---- */

enum hk_account_rc {
	HK_ACCOUNT_OK = 0,
	HK_ACCOUNT_NOT_FOUND,	/* no such account (404) */
	HK_ACCOUNT_NAME_TAKEN,	/* another account has that name (422) */
	HK_ACCOUNT_NO_SERVER,	/* server_id names no server (422) */
	HK_ACCOUNT_STALE,	/* the version differs: nothing written (409) */
	HK_ACCOUNT_UNREADABLE,	/* kept password does not decrypt (422) */
	HK_ACCOUNT_KEY_CHANGED,	/* key opens no stored secret: the key was
				   rotated, restart the worker (503) */
	HK_ACCOUNT_BUSY,	/* the database stayed locked (503) */
	HK_ACCOUNT_ERROR	/* anything else, logged (500) */
};

/* A store outcome as an account outcome (OK, NOT_FOUND, BUSY; the rest
 * is ERROR). */
enum hk_account_rc hk_account_rc_from_store(enum hk_store_rc rc);

/* Adds a (validated; a->password NULL only when the server needs none,
 * hk_account_password_optional); sets a->id and a->version.  The
 * row is inserted first and the password sealed under its new id in the
 * same transaction.  Create and update first check, inside the
 * transaction, that key still opens the other stored secrets (when there
 * are any): a worker that kept an old key after `hikyakuctl rotate-key`
 * gets HK_ACCOUNT_KEY_CHANGED instead of sealing under a retired key. */
enum hk_account_rc hk_account_create(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const char *actor,
    struct hk_account *a);
/* Stores a over account a->id if its version is still a->version; a NULL
 * a->password keeps the stored one (which must still decrypt under key:
 * else HK_ACCOUNT_UNREADABLE, so that a broken value is replaced, not
 * kept unnoticed).  On success a->version is the new version. */
enum hk_account_rc hk_account_update(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const char *actor,
    struct hk_account *a);
/* Deletes account id; version 0 deletes whatever is stored, otherwise it
 * must match (else HK_ACCOUNT_STALE). */
enum hk_account_rc hk_account_delete(struct hk_db *db, const char *actor,
    long long id, long long version);

#endif
