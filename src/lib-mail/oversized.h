/* oversized.h - received messages refused by recv_limit (docs/MAIL.md
 * /oversized): recording them (fetch.c), listing them, and deleting one
 * straight from its mail server.
 *
 * A record names the message by the UID fetch.c uses (POP3 UIDL, or IMAP
 * "UIDVALIDITY:UID"), never by a POP3 message number: deleting re-finds
 * the message in a new session (UIDL, or UIDVALIDITY checked and the UID
 * looked up), so a number that changed since cannot delete another
 * message.
 */
#ifndef HK_OVERSIZED_H
#define HK_OVERSIZED_H

#include <stddef.h>

#include "storerc.h"
#include "db.h"
#include "keyfile.h"
#include "modload.h"
#include "msgheaders.h"
#include "net.h"

struct hk_oversized {
	long long id;
	long long account_id;
	long long server_id;
	char *uid;
	long long size;
	char *from, *subject, *date;	/* decoded for display (msgheaders.h) */
	long long seen_at;		/* unix time first seen */
};

/* Records a message once (a second call for the same account and uid
 * changes nothing).  Runs in the caller's transaction, if any. */
enum hk_store_rc hk_oversized_record(struct hk_db *db, long long account_id,
    long long server_id, const char *uid, unsigned long long size,
    const struct hk_msgheaders *h);
/* Forgets the record of (account, uid): the message was received after
 * all (the limit was raised), or is no longer on the server. */
enum hk_store_rc hk_oversized_forget(struct hk_db *db, long long account_id,
    const char *uid);

/* Every record, newest first (then by id).  Free with
 * hk_oversized_list_free. */
enum hk_store_rc hk_oversized_list(struct hk_db *db,
    struct hk_oversized **list_r, size_t *n_r);
void hk_oversized_list_free(struct hk_oversized **list, size_t n);
void hk_oversized_clear(struct hk_oversized *o);
enum hk_store_rc hk_oversized_load(struct hk_db *db, long long id,
    struct hk_oversized *out);

enum hk_oversized_rc {
	HK_OVERSIZED_DELETED = 0,	/* deleted from the server, record gone */
	HK_OVERSIZED_GONE,		/* no longer on the server: record gone */
	HK_OVERSIZED_NOT_FOUND,		/* no such record */
	HK_OVERSIZED_FAILED,		/* the server session failed: see *error_r */
	HK_OVERSIZED_BUSY,		/* the database stayed locked */
	HK_OVERSIZED_ERROR		/* anything else, logged */
};

/* Deletes record id's message from its mail server (the account's
 * credentials, the recorded server's settings), then the record, with an
 * audit entry by actor in the same transaction.  On FAILED *error_r (one
 * English line) and *reply_r (the server's reply, or NULL) are set; the
 * caller frees them.  The server's health is updated either way.  ca_file
 * (hikyaku.conf's, NULL: none) is for the OAuth 2.0 token request of a
 * server that receives with a token. */
enum hk_oversized_rc hk_oversized_delete(struct hk_db *db,
    const unsigned char key[HK_KEY_LEN], const char *ca_file,
    const struct hk_modset *mods,
    const struct hk_net_timeouts *to, long long id, const char *actor,
    char **error_r, char **reply_r);

#endif
