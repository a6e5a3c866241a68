/* ctl.h - hikyakuctl's commands that live outside hikyakuctl.c, one file
 * per family.  Each takes the loaded config and the command's own argv
 * (argv[0] is the command name) and returns the status of docs/REFERENCE.md:
 * 0 success; 1 usage; 2 configuration or database error; 3 a size limit
 * refused the message; 4 authentication failed; 5 connection, TLS or
 * protocol failure.  Errors go to stderr as one line naming the cause. */
#ifndef HK_CTL_H
#define HK_CTL_H

#include "conf.h"

enum {
	HK_EXIT_OK = 0,
	HK_EXIT_USAGE = 1,
	HK_EXIT_CONFIG = 2,
	HK_EXIT_SIZE = 3,
	HK_EXIT_AUTH = 4,
	HK_EXIT_NET = 5,
};

/* The longest secret read from standard input, in bytes. */
#define HK_CTL_SECRET_MAX 4096

/* The first line of standard input without its line end (LF or CRLF), for
 * the caller to free with hk_free_secret.  NULL with errno ENODATA when
 * the input is empty, E2BIG when the line is longer than
 * HK_CTL_SECRET_MAX (the rest of the line is consumed, never kept). */
char *hk_ctl_read_secret(void);	/* ctl_input.c */
/* The same from file descriptor fd (which is left open). */
char *hk_ctl_read_secret_fd(int fd);

int ctl_test(const struct hk_config *cfg, int argc, char **argv);	/* ctl_test.c */
int ctl_send(const struct hk_config *cfg, int argc, char **argv);	/* ctl_mail.c */
int ctl_fetch(const struct hk_config *cfg, int argc, char **argv);	/* ctl_mail.c */
/* oauth2 connect|status: OAuth 2.0 accounts (ctl_oauth2.c). */
int ctl_oauth2(const struct hk_config *cfg, int argc, char **argv);
/* backup FILE: an online copy of the database, checked (ctl_backup.c). */
int ctl_backup(const struct hk_config *cfg, int argc, char **argv);
/* migrate-db --to URI: the SQLite database copied into an empty
 * PostgreSQL one and verified, in one transaction (ctl_migrate.c). */
int ctl_migrate_db(const struct hk_config *cfg, int argc, char **argv);
/* export [--with-secrets]: the settings as one XML document (ctl_export.c). */
int ctl_export(const struct hk_config *cfg, int argc, char **argv);
/* import FILE [--dry-run] [--replace]: an export document back (ctl_import.c). */
int ctl_import(const struct hk_config *cfg, int argc, char **argv);
int ctl_rotate_key(const struct hk_config *cfg, int argc, char **argv);	/* ctl_keys.c */
/* init's part (ctl_keys.c): records the key file's fingerprint as the
 * current key of db when none is recorded yet (a new database, or one
 * from before the record existed), provided no stored password shows it
 * is the wrong key.  0, or -1 having said why on stderr. */
struct hk_db;
int ctl_adopt_key(const struct hk_config *cfg, struct hk_db *db);

#endif
