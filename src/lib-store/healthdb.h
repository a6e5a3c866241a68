/* healthdb.h - each mail server's health in the database (table
 * server_health): the last successful send and receive, the last error
 * with the server's reply, and how many attempts in a row have failed.
 * Recording is hk_health_record (health.h, which cleans what the server
 * said first); the server list shows it (ui_health.c).
 */
#ifndef HK_HEALTHDB_H
#define HK_HEALTHDB_H

#include <stdbool.h>

#include "db.h"
#include "storerc.h"

enum hk_health_end {
	HK_HEALTH_SEND = 0,
	HK_HEALTH_RECEIVE
};

struct hk_health {
	bool sent, received, failed;	/* which of the times below are known */
	long long last_send_ok;		/* unix time */
	long long last_recv_ok;
	long long last_error_at;
	char *last_error_end;		/* "send" or "receive" */
	char *last_error;		/* one English line */
	char *last_error_reply;		/* what the server said; NULL: nothing */
	long long failures;		/* in a row; 0 after a success */
};

/* Stores one attempt on server_id's end: ok resets the failure count and
 * sets the last success time; a failure keeps error and reply (valid
 * UTF-8; reply may be NULL or "" for none) and counts it.  Runs in its
 * own statement (autocommit); a server deleted meanwhile is no error;
 * other failures are logged only. */
void hk_healthdb_record(struct hk_db *db, long long server_id,
    enum hk_health_end end, bool ok, const char *error, const char *reply);

/* Reads server_id's health into *out (filled by the callee, freed with
 * hk_health_clear).  HK_STORE_NOT_FOUND while the server has had no
 * traffic; busy or error as hk_db_store_rc says. */
enum hk_store_rc hk_healthdb_read(struct hk_db *db, long long server_id,
    struct hk_health *out);
/* Calls fn once per server that has a health row, in no set order, with
 * its health (valid during the call only).  One query, for lists.
 * HK_STORE_OK, or busy/error as hk_db_store_rc says (rows already passed
 * to fn stay passed). */
enum hk_store_rc hk_healthdb_each(struct hk_db *db,
    void (*fn)(void *arg, long long server_id, const struct hk_health *h),
    void *arg);
/* Frees the strings of h and zeroes it. */
void hk_health_clear(struct hk_health *h);

#endif
