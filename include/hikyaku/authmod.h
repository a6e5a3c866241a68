/* hikyaku/authmod.h - the SDK for hikyaku authentication modules.
 *
 * An authentication method (an SMTP-AUTH SASL mechanism, a POP3 login such
 * as APOP, or an action to perform before sending such as POP-before-SMTP)
 * is a shared object that hikyaku dlopen()s once at start-up from its
 * module directory.  Build one out of tree with
 *
 *     cc -shared -fPIC $(pkg-config --cflags hikyaku-authmod) -o m.so m.c
 *
 * A module is a state machine and nothing else.  It never touches a socket,
 * TLS, base64 framing, timers or log redaction: the core owns the
 * connection and feeds the module events (the start of the session, a
 * server challenge already base64-decoded, a server's final reply, a side
 * connection opened or closed, a wait finished).  For each event the
 * module answers with one action (send these bytes, expect the server's
 * next challenge, open a POP3 side connection, close it, wait N seconds,
 * done, or fail with a message).  docs/hikyaku-authmod.3 and
 * docs/MODULES.md describe the life of a session in prose.
 *
 * ABI rules (see HK_AUTHMOD_ABI_MAJOR):
 * - The module exports exactly one symbol, HK_AUTHMOD_ENTRY_NAME, a
 *   function returning a pointer to a static descriptor.
 * - The first three members of struct hk_authmod (abi_major, abi_minor,
 *   size) are frozen for every ABI version, so the core can always read
 *   them before anything else.
 * - A new minor version only appends members at the end of the structs
 *   below; every struct carries its size, so either side can tell which
 *   members the other knows.  A new major version may change anything.
 * - The core refuses a module whose major differs from its own, or whose
 *   minor is newer than its own.
 */
#ifndef HIKYAKU_AUTHMOD_H
#define HIKYAKU_AUTHMOD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HK_AUTHMOD_ABI_MAJOR 1
#define HK_AUTHMOD_ABI_MINOR 0

/* The one symbol a module exports. */
#define HK_AUTHMOD_ENTRY hikyaku_authmod_entry
#define HK_AUTHMOD_ENTRY_NAME "hikyaku_authmod_entry"

#if defined(__GNUC__)
# define HK_AUTHMOD_EXPORT __attribute__((visibility("default")))
#else
# define HK_AUTHMOD_EXPORT
#endif

/* What a module does, which decides how the core drives it. */
enum hk_authmod_kind {
	/* An SMTP-AUTH (SASL) mechanism.  The core sends "AUTH <sasl_name>",
	 * with the START answer as initial response when there is one, and
	 * feeds every 334 / "+ " continuation to the module, decoded. */
	HK_AUTHMOD_KIND_SASL = 1,
	/* A POP3 login other than USER/PASS (APOP).  START carries the
	 * server's greeting; each SEND is one POP3 command line. */
	HK_AUTHMOD_KIND_POP3 = 2,
	/* An action performed before sending (POP-before-SMTP).  Its SENDs
	 * are POP3 command lines on a side connection it asks the core to
	 * open (HK_AUTHMOD_POP3_OPEN). */
	HK_AUTHMOD_KIND_PRESEND = 3
};

/* Protocols a module serves (struct hk_authmod.protocols, a bit set) and
 * the one a session runs over (struct hk_authmod_session.protocol). */
#define HK_AUTHMOD_PROTO_SMTP 0x1u
#define HK_AUTHMOD_PROTO_POP3 0x2u
#define HK_AUTHMOD_PROTO_IMAP 0x4u

/* Events the core feeds to step(). */
enum hk_authmod_event {
	/* The first call of a session.  data: for KIND_POP3 the server's
	 * greeting line (without "+OK "), otherwise empty. */
	HK_AUTHMOD_EV_START = 1,
	/* KIND_SASL: a server challenge, base64-decoded by the core (may be
	 * empty; may hold any bytes, NUL included). */
	HK_AUTHMOD_EV_CHALLENGE = 2,
	/* The server's final answer to the last SEND (SMTP 2xx/4xx/5xx other
	 * than 334, POP3 "+OK"/"-ERR").  ok: 1 positive, 0 negative.  data:
	 * the reply text without the code or status word. */
	HK_AUTHMOD_EV_REPLY = 3,
	/* The POP3 side connection asked for by POP3_OPEN is open.  ok: 1
	 * when its greeting was "+OK".  data: the greeting text. */
	HK_AUTHMOD_EV_OPENED = 4,
	/* The side connection was closed (after QUIT). */
	HK_AUTHMOD_EV_CLOSED = 5,
	/* The wait asked for by WAIT is over. */
	HK_AUTHMOD_EV_WAITED = 6
};

/* What step() returns: the action the core performs next.  Codes not
 * listed here are treated as HK_AUTHMOD_FAIL_INTERNAL. */
enum hk_authmod_rc {
	/* Send act->data (act->len bytes).  KIND_SASL: a SASL response, which
	 * the core base64-encodes (an empty one is sent as "=" in the
	 * initial response, as an empty line otherwise).  Other kinds: one
	 * command line without CRLF; it must not contain CR, LF or NUL, and
	 * act->log_len says how many leading bytes may be logged (the rest
	 * shows as "********").  SASL payloads are never logged. */
	HK_AUTHMOD_SEND = 1,
	/* KIND_SASL, answering START only: the mechanism has no initial
	 * response; the core sends a bare "AUTH <mech>" and waits for the
	 * first challenge. */
	HK_AUTHMOD_EXPECT = 2,
	/* Open a POP3 connection to the account's receiving server (its
	 * host, port and TLS settings, with the core's timeouts). */
	HK_AUTHMOD_POP3_OPEN = 3,
	/* Send QUIT on the side connection and close it. */
	HK_AUTHMOD_POP3_CLOSE = 4,
	/* Wait act->seconds seconds (the core caps it at 300). */
	HK_AUTHMOD_WAIT = 5,
	/* The session succeeded. */
	HK_AUTHMOD_DONE = 6,
	/* Authentication failed: the server refused the credentials, or the
	 * server could not prove it knows them (SCRAM's signature). */
	HK_AUTHMOD_FAIL_AUTH = 7,
	/* The server sent something this method cannot accept (a garbled
	 * challenge, a greeting without an APOP timestamp). */
	HK_AUTHMOD_FAIL_PROTOCOL = 8,
	/* The settings cannot work (an invalid option, a user name that
	 * cannot be sent). */
	HK_AUTHMOD_FAIL_CONFIG = 9,
	/* The module itself failed (out of memory, a crypto error). */
	HK_AUTHMOD_FAIL_INTERNAL = 10
};

/* Levels for hk_authmod_services.log. */
enum hk_authmod_log_level {
	HK_AUTHMOD_LOG_ERR = 0,
	HK_AUTHMOD_LOG_WARN = 1,
	HK_AUTHMOD_LOG_INFO = 2,
	HK_AUTHMOD_LOG_DEBUG = 3
};

/* Services the core lends a module.  Owned by the core; valid from the
 * START step until cleanup() returns.  Read a member only when
 * svc->size says it is there (members appended in later minors). */
struct hk_authmod_services {
	uint32_t size;		/* sizeof(struct hk_authmod_services) in the core */
	void *ctx;		/* pass back as the first argument */
	/* One log line, prefixed by the core with the module's name.  Never
	 * pass a secret, not even part of one. */
	void (*log)(void *ctx, enum hk_authmod_log_level level,
	    const char *fmt, ...)
#if defined(__GNUC__)
	    __attribute__((format(printf, 3, 4)))
#endif
	    ;
	/* Overwrites n bytes in a way the compiler cannot drop
	 * (OPENSSL_cleanse).  Use it on every copy of a secret. */
	void (*wipe)(void *p, size_t n);
	/* Fills p with n bytes from a CSPRNG (tests substitute fixed bytes).
	 * Never fails: the core aborts rather than return weak bytes. */
	void (*random)(void *ctx, void *p, size_t n);
	/* The value of a per-session option, or NULL when unset (e.g. "wait"
	 * for POP-before-SMTP).  Valid until cleanup. */
	const char *(*option)(void *ctx, const char *key);
};

/* One session: what the module authenticates as, and where.  Owned by the
 * core; every pointer stays valid and unchanged from the START step until
 * cleanup() returns, after which the core wipes the secrets.  A module
 * never needs to copy the password; if it does, it wipes the copy. */
struct hk_authmod_session {
	uint32_t size;		/* sizeof(struct hk_authmod_session) in the core */
	uint32_t protocol;	/* one HK_AUTHMOD_PROTO_* */
	const char *user;	/* authentication identity; never NULL, maybe "" */
	const char *password;	/* secret (for XOAUTH2: the token); never NULL */
	const char *authzid;	/* identity to act as, or NULL */
	const char *host;	/* the server's configured host name, or NULL */
	const struct hk_authmod_services *svc;
};

/* A step's input.  Owned by the core; valid only during the call.  data
 * is NUL-terminated at data[len] for convenience (and may hold NULs). */
struct hk_authmod_input {
	enum hk_authmod_event event;
	int ok;
	const unsigned char *data;
	size_t len;
};

/* A step's output.  The core zeroes it before each call.  Every pointer
 * the module stores here points to memory the module owns (normally in
 * its state) and stays valid until the next step() or cleanup() call. */
struct hk_authmod_action {
	const unsigned char *data;	/* SEND */
	size_t len;			/* SEND */
	size_t log_len;			/* SEND, line kinds: loggable prefix */
	unsigned int seconds;		/* WAIT */
	/* FAIL_*: a one-line explanation for the administrator, in English,
	 * without a secret or any part of one (server text is fine). */
	const char *message;
};

struct hk_authmod {
	/* Frozen for every ABI version: fill with HK_AUTHMOD_HEADER. */
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t size;		/* sizeof(struct hk_authmod) in the module */

	/* ABI 1.0 */
	/* Unique, 1-32 characters of [a-z0-9._-], starting with a letter or
	 * digit; what administrators choose on the server form. */
	const char *name;
	/* A short description for people, e.g. "CRAM-MD5 (RFC 2195)". */
	const char *title;
	enum hk_authmod_kind kind;
	uint32_t protocols;	/* HK_AUTHMOD_PROTO_* bits; not 0 */
	/* KIND_SASL: the mechanism name sent in AUTH (RFC 4422: 1-20 of
	 * [A-Z0-9_-]); NULL for other kinds. */
	const char *sasl_name;
	/* Bytes of per-session state the core allocates, zeroed, aligned
	 * like malloc(); at most 65536. */
	size_t state_size;
	/* The state machine.  Called with START first, then once per event
	 * until it returns DONE or a FAIL_* code; never again after that.
	 * Returns an enum hk_authmod_rc and fills *act accordingly. */
	int (*step)(void *state, const struct hk_authmod_session *sess,
	    const struct hk_authmod_input *in, struct hk_authmod_action *act);
	/* Optional (may be NULL).  Called once at the end of every session
	 * that got a START, however it ended: free what the module
	 * allocated and wipe secrets.  The core wipes and frees the state
	 * block itself afterwards. */
	void (*cleanup)(void *state, const struct hk_authmod_session *sess);
};

/* The size of the ABI 1.0 descriptor: the core refuses a smaller one. */
#define HK_AUTHMOD_SIZE_1_0 \
	(offsetof(struct hk_authmod, cleanup) + sizeof(void (*)(void)))

/* Initialises the frozen members in a designated initialiser:
 *     static const struct hk_authmod mod = { HK_AUTHMOD_HEADER, ... }; */
#define HK_AUTHMOD_HEADER \
	.abi_major = HK_AUTHMOD_ABI_MAJOR, \
	.abi_minor = HK_AUTHMOD_ABI_MINOR, \
	.size = sizeof(struct hk_authmod)

/* The entry point every module defines, returning its static descriptor
 * (never NULL; the core does not free it).  The core calls it once, right
 * after dlopen(), and calls nothing in the module before that. */
HK_AUTHMOD_EXPORT const struct hk_authmod *HK_AUTHMOD_ENTRY(void);

#ifdef __cplusplus
}
#endif

#endif
