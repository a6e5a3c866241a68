/* servers.h - the mail-server model (SPEC §2): the record, its defaults,
 * reading it from a form (validation included), and storing it.
 *
 * Used by the screens (ui_servers.c), the connection test (which can test
 * the unsaved values of a form: hk_server_from_form), the accounts screens
 * (the server pulldown: hk_server_list) and hikyakuctl.
 *
 * Hosts are stored as entered except that internationalised names are
 * stored as A-labels and IPv6 literals without brackets (validate.h); use
 * hk_host_display() to show one.  The SMTP password is stored only
 * encrypted (secret.h); it is in a struct hk_server in clear only when
 * loaded with_secrets or read from a form, and hk_server_clear wipes it.
 * Every write records an audit entry in the same transaction.
 */
#ifndef HK_SERVERS_H
#define HK_SERVERS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "keyfile.h"
#include "params.h"
#include "storerc.h"
#include "validate.h"

struct hk_modset;

enum hk_security {
	HK_SEC_NONE = 0,	/* "none" */
	HK_SEC_STARTTLS,	/* "starttls" */
	HK_SEC_TLS		/* "tls": implicit TLS */
};

enum hk_recv_protocol {
	HK_RECV_POP3 = 0,	/* "pop3" */
	HK_RECV_IMAP4		/* "imap4" */
};

enum hk_credentials {
	HK_CRED_ACCOUNT = 0,	/* "account": the mail account's own */
	HK_CRED_FIXED		/* "fixed": smtp_user / smtp_password */
};

#define HK_SERVER_NAME_MAX 100		/* characters, after trimming */
#define HK_SERVER_USER_MAX 255		/* characters */
#define HK_SERVER_PASSWORD_MAX 1024	/* bytes */
#define HK_SERVER_WAIT_MAX 5		/* pop_before_smtp_wait, seconds */

/* The allowed send_limit / recv_limit values, 0 = unlimited. */
extern const long long hk_server_limits[];
extern const size_t hk_server_limit_count;

struct hk_server {
	long long id;			/* 0: not stored yet */
	long long version;		/* optimistic locking; 0 when new */
	long long position;		/* display order, 1-based */

	char *name;			/* trimmed */
	/* sending */
	char *smtp_host;		/* stored form (A-labels) */
	int smtp_port;
	enum hk_security smtp_security;
	bool smtp_tls_verify;
	bool smtp_auth;
	char *smtp_auth_method;		/* a module name, e.g. "login" */
	enum hk_credentials smtp_credentials;
	char *smtp_user;		/* "" unless fixed */
	/* The password in clear: from a form (NULL when left empty) or from
	 * hk_server_load(with_secrets) (NULL when none is stored).  Wiped by
	 * hk_server_clear. */
	char *smtp_password;
	bool smtp_password_set;		/* one is stored */
	bool pop_before_smtp;
	int pop_before_smtp_wait;	/* 0-5 */
	long long send_limit;		/* bytes, 0 = unlimited */
	/* receiving */
	enum hk_recv_protocol recv_protocol;
	bool apop;
	char *recv_host;		/* stored form (A-labels) */
	int recv_port;
	enum hk_security recv_security;
	bool recv_tls_verify;
	long long recv_limit;		/* bytes, 0 = unlimited */
};

/* ---- names of the choices (the form and database values) ---- */

const char *hk_security_name(enum hk_security s);		/* "none"... */
const char *hk_recv_protocol_name(enum hk_recv_protocol p);	/* "pop3"... */
const char *hk_credentials_name(enum hk_credentials c);	/* "account"... */
/* Parsers: 0, or -1 when s is not one of the names. */
int hk_security_parse(const char *s, enum hk_security *out);
int hk_recv_protocol_parse(const char *s, enum hk_recv_protocol *out);
int hk_credentials_parse(const char *s, enum hk_credentials *out);

/* The receiving port to use when the admin typed none: 110/143, or 995/993
 * with implicit TLS. */
int hk_recv_default_port(enum hk_recv_protocol p, enum hk_security s);

/* ---- the record ---- */

/* Fills s with the SPEC defaults (strings allocated, name and hosts "").
 * s must not hold anything that needs freeing. */
void hk_server_defaults(struct hk_server *s);
/* Frees every string (wiping the password) and zeroes s. */
void hk_server_clear(struct hk_server *s);

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

/* ---- reading a form ---- */

/* hk_server_from_form flags */
#define HK_SERVER_FORM_CHANGE 0x1	/* an empty password keeps the stored one */

/* Reads and checks every field of SPEC §2 from a submitted form into out
 * (which it first fills with the defaults): choices must be one of their
 * values, absent checkboxes are off, pop_before_smtp and apop need pop3,
 * smtp_auth_method must name a loaded SASL module serving SMTP (mods may
 * be NULL: then any well-formed name passes; with smtp_auth off a stored
 * method that is no longer loaded may stay), smtp_user / smtp_password
 * are required when smtp_auth is on with "fixed" credentials (the
 * password only without HK_SERVER_FORM_CHANGE: an empty one on change
 * keeps the stored one), both ports are required, and hosts are
 * normalised (hk_valid_host).  What is valid is stored in out even when
 * other fields are not.  Name uniqueness needs the database: see
 * hk_server_create/update.  Returns the number of errors added to errs
 * (0: out is complete and valid).  The caller clears out. */
size_t hk_server_from_form(const struct hk_params *form,
    const struct hk_modset *mods, unsigned flags, struct hk_server *out,
    struct hk_form_errors *errs);

/* ---- writing (each in its own transaction, audited as actor) ---- */

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
