/* admins.h - administrators: the people who sign in to the screens. */
#ifndef HK_ADMINS_H
#define HK_ADMINS_H

#include "db.h"
#include "storerc.h"

/* Names: 1-64 characters of [A-Za-z0-9._@-]; passwords: 8-1024 bytes of
 * valid UTF-8 without control characters. */
int hk_admin_name_valid(const char *name);
int hk_admin_password_valid(const char *password);

enum hk_store_rc hk_admin_add(struct hk_db *db, const char *name,
    const char *password);
enum hk_store_rc hk_admin_set_password(struct hk_db *db, const char *name,
    const char *password);

/* Checks a sign-in.  On success *id_r is the admin's id.  Unknown names
 * take as long as wrong passwords. */
enum hk_store_rc hk_admin_check(struct hk_db *db, const char *name,
    const char *password, long long *id_r);

/* Sets the admin's language override ("" or NULL: follow the browser). */
enum hk_store_rc hk_admin_set_lang(struct hk_db *db, long long id,
    const char *lang);

#endif
