/* audit.h - the audit trail: who changed what, when (never a secret). */
#ifndef HK_AUDIT_H
#define HK_AUDIT_H

#include "storerc.h"
#include "db.h"

/* Records one change.  actor is the admin's name (or "hikyakuctl");
 * action is a short verb ("create", "update", "delete", "reorder",
 * "rotate-key", ...); object_type is "mail-server", "mail-account", ...;
 * object_id may be 0; details (may be NULL) lists what changed, one
 * "field: old -> new" per line, with secrets only as "(changed)".
 * Meant to run inside the caller's transaction, so that the change and its
 * record commit or roll back together. */
enum hk_store_rc hk_audit_record(struct hk_db *db, const char *actor,
    const char *action, const char *object_type, long long object_id,
    const char *object_name, const char *details);

#endif
