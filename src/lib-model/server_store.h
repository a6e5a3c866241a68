/* server_store.h - mail servers in the database (servers.h for the
 * record): loading, listing, and writes that each run in their own
 * transaction and record an audit entry in it.  The SMTP password is
 * sealed (secret.h) under the server's id. */
#ifndef HK_SERVER_STORE_H
#define HK_SERVER_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "keyfile.h"
#include "servers.h"
#include "storerc.h"

/* Reads server id.  with_secrets: also decrypts smtp_password (a stored
 * value that does not decrypt is HK_STORE_ERROR, logged without the
 * value).  s must be empty (zeroed or cleared); on failure it stays so. */
enum hk_store_rc hk_server_load(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], long long id, bool with_secrets,
    struct hk_server *out);
/* The same, finding the server by name (compared as hk_name_equal). */
enum hk_store_rc hk_server_find_by_name(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const char *name, bool with_secrets,
    struct hk_server *out);

/* Whether another server than except_id (0: none) is called name (as
 * hk_name_equal compares), for reporting it with the other form errors;
 * hk_server_create/update check again inside their transaction. */
enum hk_store_rc hk_server_name_used(struct hk_db *db, const char *name,
    long long except_id, bool *used_r);

/* Every server, in display order (position, then id), without secrets.
 * *list_r is an array of *n_r records; free with hk_server_list_free. */
enum hk_store_rc hk_server_list(struct hk_db *db, struct hk_server **list_r,
    size_t *n_r);
void hk_server_list_free(struct hk_server **list, size_t n);

/* ---- writing (each in its own transaction, audited as actor) ----- */

enum hk_server_rc {
	HK_SERVER_OK = 0,
	HK_SERVER_NOT_FOUND,	/* no such server (404) */
	HK_SERVER_NAME_TAKEN,	/* another server has that name (422) */
	HK_SERVER_STALE,	/* the version differs: nothing written (409) */
	HK_SERVER_IN_USE,	/* mail accounts use it (409) */
	HK_SERVER_BAD_ORDER,	/* not a permutation of all ids (422) */
	HK_SERVER_BAD_REPLACEMENT, /* replace_with is not another server (422) */
	HK_SERVER_BUSY,		/* the database stayed locked (503) */
	HK_SERVER_ERROR		/* anything else, logged (500) */
};

/* A store outcome as a server outcome (OK, NOT_FOUND, BUSY; the rest is
 * ERROR). */
enum hk_server_rc hk_server_rc_from_store(enum hk_store_rc rc);

/* Adds s (validated) as the last server; sets s->id, version, position.
 * The password, if any, is sealed under the new id. */
enum hk_server_rc hk_server_create(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const char *actor,
    struct hk_server *s);
/* Stores s over server s->id if its version is still s->version; a NULL
 * s->smtp_password keeps the stored one (cleared when credentials are not
 * "fixed").  On success s->version is the new version. */
enum hk_server_rc hk_server_update(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const char *actor,
    struct hk_server *s);
/* Puts the servers in the order of ids (which must list every server
 * exactly once). */
enum hk_server_rc hk_server_reorder(struct hk_db *db, const char *actor,
    const long long *ids, size_t n);
/* Deletes server id.  When mail accounts use it: with replace_with 0 the
 * answer is HK_SERVER_IN_USE and *users_r (may be NULL) receives their
 * names, one per line; otherwise they are moved to replace_with first. */
enum hk_server_rc hk_server_delete(struct hk_db *db, const char *actor,
    long long id, long long replace_with, struct hk_buf *users_r);

#endif
