/* modload.h - loading auth modules, and running their sessions.
 *
 * Part 1 lives in modload.c, part 2 in authsess.c, part 3 in authrun.c.
 *
 * Three layers, each usable on its own:
 *
 * 1. The module set (hk_modset_*): every *.so of the module directory,
 *    dlopen()ed once at start-up, checked, and sorted by name.  Refused
 *    files are logged (hk_warn, one line naming the file and the reason)
 *    and skipped; the rest load.
 *
 * 2. A session (hk_authsess_*): one run of one module's state machine.
 *    The session owns copies of the credentials and options (wiped when it
 *    is freed), lends the module the services table, and checks every
 *    action the module returns, so that a buggy third-party module fails
 *    cleanly instead of driving the protocol client into nonsense.
 *
 * 3. The driver (hk_auth_run): runs a session over a connection given as
 *    callbacks (send one line, read one reply, open/close the POP3 side
 *    connection, sleep).  It owns the protocol framing: "AUTH <mech>",
 *    the 334 / "+ " continuations, base64, "=" for an empty initial
 *    response, "*" to cancel, line-length limits, and the redaction hints
 *    passed to send_line.  Sockets, TLS and timeouts belong to the
 *    callbacks, which makes the driver testable with plain buffers.
 */
#ifndef HK_MODLOAD_H
#define HK_MODLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hikyaku/authmod.h>

#include "buf.h"

/* ---- 1. The module set ---------------------------------------------- */

struct hk_modset;

/* Loads every *.so in dir (dlopen RTLD_NOW | RTLD_LOCAL).  The whole
 * directory is refused (no modules, a warning) when it is owned by
 * someone other than root or the user we run as, or is group- or
 * world-writable.  Each file is opened with O_NOFOLLOW, checked through
 * that descriptor and loaded from it (/proc/self/fd/N, N never used for
 * a load before in this process), so the code run is the file checked.  A file is
 * refused when it is a symbolic link or not a regular file, is owned by
 * someone other than root or the user we run as, is group- or
 * world-writable, cannot be loaded, lacks
 * the entry symbol, returns no descriptor, is built for another ABI major
 * or a newer minor, has an invalid descriptor, or reuses a loaded
 * module's name (the first in file-name order wins).  Never NULL: a
 * missing or unreadable dir gives an empty set and a warning.  The caller
 * frees the set with hk_modset_free. */
struct hk_modset *hk_modset_load(const char *dir);
/* dlcloses every module, frees the set and sets *set to NULL.  No
 * descriptor from the set may be used afterwards. */
void hk_modset_free(struct hk_modset **set);

size_t hk_modset_count(const struct hk_modset *set);
/* The i-th module (0 <= i < count), in name order.  The descriptor is the
 * core's own copy, valid until hk_modset_free. */
const struct hk_authmod *hk_modset_at(const struct hk_modset *set, size_t i);
/* The path of the i-th module's file. */
const char *hk_modset_file(const struct hk_modset *set, size_t i);
/* The module called name (exact, case-sensitive) of the given kind, or
 * NULL.  kind 0 matches any kind. */
const struct hk_authmod *hk_modset_find(const struct hk_modset *set,
    const char *name, enum hk_authmod_kind kind);
/* One line per module: name, kind, ABI version, file (tab-separated),
 * e.g. "cram-md5\tsmtp-auth\t1.0\t/usr/lib/hikyaku/modules/cram-md5.so". */
void hk_modset_print(const struct hk_modset *set, FILE *out);

/* "smtp-auth", "pop3-auth", "pre-send", or "unknown". */
const char *hk_authmod_kind_name(enum hk_authmod_kind kind);

/* ---- 2. Sessions ---------------------------------------------------- */

/* A per-session option, such as { "wait", "3" } for pop-before-smtp. */
struct hk_auth_opt {
	const char *key;
	const char *value;
};

struct hk_authsess_params {
	const struct hk_authmod *mod;	/* from the set; must outlive the session */
	uint32_t protocol;		/* HK_AUTHMOD_PROTO_*; 0: the first served */
	const char *user;		/* NULL is taken as "" */
	const char *password;		/* NULL is taken as "" */
	const char *authzid;		/* NULL: none */
	const char *host;		/* NULL: unknown */
	const struct hk_auth_opt *opts;
	size_t n_opts;
	/* Overrides the CSPRNG given to the module (tests inject fixed
	 * nonces); NULL: hk_random. */
	void (*random)(void *ctx, void *p, size_t n);
	void *random_ctx;
};

struct hk_authsess;

/* Starts a session: copies everything in p (the caller may wipe its own
 * copies right away) and allocates the module's state.  Free with
 * hk_authsess_free. */
struct hk_authsess *hk_authsess_new(const struct hk_authsess_params *p);
/* Feeds one event to the module and returns the checked action (an enum
 * hk_authmod_rc).  act is filled as the module left it, except that a
 * FAIL_* always has a message, log_len never exceeds len, and an action
 * the module may not take (wrong for its kind or state, unknown code,
 * SEND without data, too many steps, any call after DONE/FAIL) comes back
 * as HK_AUTHMOD_FAIL_INTERNAL.  The pointers in act stay valid until the
 * next call or hk_authsess_free.  data is copied; it may be NULL if
 * len is 0. */
int hk_authsess_step(struct hk_authsess *s, enum hk_authmod_event ev,
    int ok, const void *data, size_t len, struct hk_authmod_action *act);
/* Calls the module's cleanup (if it was started), wipes its state and
 * the copied secrets, frees everything and sets *s to NULL. */
void hk_authsess_free(struct hk_authsess **s);

/* ---- 3. The driver -------------------------------------------------- */

enum hk_auth_status {
	HK_AUTH_OK = 0,
	HK_AUTH_REJECTED,	/* credentials refused, or the server's proof wrong */
	HK_AUTH_PROTOCOL,	/* the server misbehaved or lacks the method */
	HK_AUTH_CONFIG,		/* the settings cannot work */
	HK_AUTH_IO,		/* a callback failed (connection, TLS, timeout) */
	HK_AUTH_INTERNAL	/* the module misbehaved */
};

/* hikyakuctl's exit status for a status: 0, 4 (REJECTED), 2 (CONFIG),
 * otherwise 5. */
int hk_auth_status_exit(enum hk_auth_status st);

enum hk_reply_kind {
	HK_REPLY_OK,		/* SMTP 2xx/3xx other than 334; POP3 "+OK";
				 * IMAP the tagged OK */
	HK_REPLY_CONT,		/* SMTP 334; POP3 and IMAP "+ " */
	HK_REPLY_ERR		/* SMTP 4xx/5xx; POP3 "-ERR"; IMAP NO, BAD */
};

struct hk_auth_reply {
	enum hk_reply_kind kind;
	int code;		/* SMTP reply code; 0 for POP3 */
	struct hk_buf text;	/* the text after the code/status word */
};

/* Which connection a line goes to. */
enum hk_auth_conn {
	HK_CONN_MAIN = 0,	/* the connection hk_auth_run was called on */
	HK_CONN_SIDE = 1	/* the POP3 side connection of a PRESEND module */
};

/* The protocol client's side of a session.  Each callback returns 0, or
 * -1 when the connection failed (the driver then stops with HK_AUTH_IO;
 * it never calls send_line or read_reply on a failed connection again). */
struct hk_auth_io {
	void *ctx;
	/* Sends line (len bytes, no CR/LF/NUL inside) plus CRLF.  Only the
	 * first log_len bytes may be logged; log the rest as "********". */
	int (*send_line)(void *ctx, enum hk_auth_conn conn, const char *line,
	    size_t len, size_t log_len);
	/* Reads one complete (multi-line joined) reply into *r, whose text
	 * buffer the driver owns and resets before each call. */
	int (*read_reply)(void *ctx, enum hk_auth_conn conn,
	    struct hk_auth_reply *r);
	/* PRESEND only: connects to the receiving POP3 server (its host,
	 * port, security) and reads the greeting into *greeting. */
	int (*side_open)(void *ctx, struct hk_auth_reply *greeting);
	/* PRESEND only: sends QUIT (ignoring its reply) and closes. */
	void (*side_close)(void *ctx);
	/* Waits; NULL: sleep(3). */
	void (*sleep)(void *ctx, unsigned int seconds);
	/* IMAP: the tag of the AUTHENTICATE command (borrowed), and whether
	 * the server listed SASL-IR (an initial response may then go on
	 * the command line, RFC 4959).  Unused for SMTP and POP3. */
	const char *tag;
	bool sasl_ir;
};

/* For a line-based protocol's read_reply (POP3, IMAP): reads the server's
 * line (no CRLF) of a SASL exchange as a reply into *r (its text buffer
 * reset first).  tag: IMAP's tag of the command.  Returns 0 for a reply,
 * 1 for an IMAP untagged line (not the reply: read the next line), -1
 * for SMTP, whose numbered replies its client reads by code. */
int hk_auth_reply_parse(uint32_t protocol, const char *tag, const char *line,
    struct hk_auth_reply *r);

struct hk_auth_result {
	enum hk_auth_status status;
	/* NULL on success; otherwise one English line for the administrator
	 * (no secret in it).  Freed by hk_auth_result_clear. */
	char *message;
	/* The last reply the server sent ("535 5.7.8 ...", "-ERR ..."), for
	 * the staged connection test. */
	struct hk_buf last_reply;
};

#define HK_AUTH_RESULT_INIT { HK_AUTH_OK, NULL, HK_BUF_INIT }

/* Runs one session of p->mod to the end:
 * - KIND_SASL over p->protocol SMTP, POP3 or IMAP (RFC 4954 / RFC 5034 /
 *   RFC 3501 AUTHENTICATE, with io->tag) on the main connection, after
 *   the capability exchange;
 * - KIND_POP3 (APOP) on the main connection; greeting is the text of the
 *   server's "+OK" greeting line;
 * - KIND_PRESEND on a side connection it opens and closes through io.
 * Fills *res (call hk_auth_result_clear afterwards) and returns its
 * status.  Secrets are wiped before it returns. */
enum hk_auth_status hk_auth_run(const struct hk_authsess_params *p,
    const char *greeting, const struct hk_auth_io *io,
    struct hk_auth_result *res);
void hk_auth_result_clear(struct hk_auth_result *res);

#endif
