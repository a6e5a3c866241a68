/* datagen.h - the data generation: one number (table data_generation,
 * migration 5 in db_schema.c) that triggers set to a fresh random value
 * in the same transaction as every write of mail_servers, mail_accounts,
 * server_tests and server_health, by whoever writes (any worker,
 * hikyakuctl, sqlite3).  Two reads that see the same generation see the
 * same rows of those four tables; the page cache (pagecache.h) keys its
 * pages on it.
 */
#ifndef HK_DATAGEN_H
#define HK_DATAGEN_H

#include <stdbool.h>

#include "db.h"

/* Opens a read transaction and reads the generation into *gen_r as its
 * first read, which fixes the snapshot every later read until
 * hk_datagen_read_end sees.  False, with no transaction left open, when
 * one is already open on db or when either step fails (e.g. busy). */
bool hk_datagen_read_begin(struct hk_db *db, long long *gen_r);
/* Ends that read transaction.  False when it had already ended (an error
 * inside rolled it back) or does not commit (it is then rolled back). */
bool hk_datagen_read_end(struct hk_db *db);

#endif
