/* testaudit.h - every connection test in the audit trail.
 *
 * A connection test sends credentials (perhaps stored ones) to the hosts
 * in its settings, so each one is recorded, whoever ran it: the actor
 * (an administrator's name, or "hikyakuctl"), the server (id and name;
 * id 0 for a form's unsaved values), where the credentials came from,
 * the hosts and ports of both ends, and the outcome.  Never a secret.
 */
#ifndef HK_TESTAUDIT_H
#define HK_TESTAUDIT_H

#include <stdbool.h>

#include "db.h"
#include "servers.h"
#include "audit.h"

struct hk_testaudit {
	const char *actor;
	const struct hk_server *srv;	/* the settings tested */
	bool saved;			/* srv as saved, not a form's values */
	/* Where the credentials came from: a mail account (account_name
	 * set, with account_id), or a user name typed for the test. */
	const char *account_name;
	long long account_id;
	const char *typed_user;
	bool stored_smtp_password;	/* the server's stored one was used */
	/* The outcome: a request refused before anything was sent
	 * (refused: why), or else the test's ok, exit_code and summary. */
	bool ok;
	int exit_code;
	const char *summary;
	const char *refused;
};

/* Records one audit row "test" / "mail-server" outside any transaction
 * of the caller's.  Returns HK_STORE_OK, or the failure (logged); the
 * test's own outcome does not depend on it. */
enum hk_store_rc hk_testaudit_record(struct hk_db *db,
    const struct hk_testaudit *t);

#endif
