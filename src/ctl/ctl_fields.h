/* ctl_fields.h - what the commands that change servers and accounts
 * share: the database and key opened the way every command needs them,
 * the actor of their audit entries, --set FIELD=VALUE pairs laid over a
 * stored record as a form, passwords from standard input or a file
 * descriptor, and form errors printed with the screens' messages. */
#ifndef HK_CTL_FIELDS_H
#define HK_CTL_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "db.h"
#include "keyfile.h"
#include "params.h"
#include "validate.h"

/* Everything a changing command holds; ctl_session_close frees it. */
struct ctl_session {
	struct hk_db *db;
	unsigned char key[HK_KEY_LEN];
	bool have_key;
	char *actor;			/* "cli:USER" */
	struct hk_catalog *cat;		/* NULL: keys are printed instead */
	const char *lang;		/* "en" or "ja" (LC_ALL, LC_MESSAGES, LANG) */
};

/* Opens the database (schema current), reads the key when need_key, loads
 * the catalogues.  0, or -1 having said why on stderr (exit 2). */
int ctl_session_open(const struct hk_config *cfg, bool need_key,
    struct ctl_session *cs);
void ctl_session_close(struct ctl_session *cs);

/* The audit actor for the user running the command: "cli:" and the name
 * of the effective uid (its number when it has no name).  Caller frees. */
char *ctl_actor(void);

/* --set pairs collected from the command line. */
struct ctl_sets {
	struct hk_params p;
};

/* Records "FIELD=VALUE" if FIELD is one of allowed (NULL-terminated).
 * Returns 0, or -1 having said why on stderr (a usage error); a password
 * field is refused with a pointer to --password / --password-fd. */
int ctl_sets_add(struct ctl_sets *s, const char *arg,
    const char *const *allowed);
/* The last value given for field, or NULL. */
const char *ctl_sets_get(const struct ctl_sets *s, const char *field);
void ctl_sets_free(struct ctl_sets *s);

/* Adds field to form with the value given by --set, else with stored
 * (which may be NULL: then the field is left out, as a browser leaves out
 * an unchecked box). */
void ctl_form_field(struct hk_params *form, const struct ctl_sets *s,
    const char *field, const char *stored);

/* Where a password comes from: none asked for, standard input, or fd. */
struct ctl_pwsource {
	bool wanted;
	int fd;
};
/* Parses the --password-fd argument into src.  0, or -1 (usage). */
int ctl_pwsource_fd(struct ctl_pwsource *src, const char *arg);
/* The first line from the source (hk_free_secret), or NULL having said
 * why on stderr. */
char *ctl_pwsource_read(const struct ctl_pwsource *src);

/* Prints each error as "FIELD: message" (the message alone for a form-wide
 * one) on stderr, in the session's language. */
void ctl_print_errors(const struct ctl_session *cs,
    const struct hk_form_errors *errs);
/* One catalogue message (args may be NULL) on stderr, prefixed by
 * "FIELD: " (field NULL: by "hikyakuctl: "). */
void ctl_print_msg(const struct ctl_session *cs, const char *field,
    const char *key, const char *const *args, size_t nargs);

/* A positive decimal number of at most 18 digits; 0 when s is not one. */
long long ctl_positive(const char *s);

int ctl_servers(const struct hk_config *cfg, int argc, char **argv);	/* ctl_servers.c */
int ctl_accounts(const struct hk_config *cfg, int argc, char **argv);	/* ctl_accounts.c */

#endif
