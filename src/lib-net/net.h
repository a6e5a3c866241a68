/* net.h - client connections to mail servers: resolving (IPv4 and IPv6),
 * connecting, reading lines and bytes, writing, with a timeout on every
 * step and a deadline for the whole dialogue; TLS is in tls.h.
 *
 * A connection is a non-blocking socket driven with poll(), so that no
 * step can block longer than min(its own timeout, the deadline).  Reads go
 * through a fixed 16 KiB buffer inside the connection and are handed out
 * as lines (with a caller-given length cap: a longer line is an error,
 * never a bigger allocation) or as counted bytes (IMAP literals, in
 * chunks).  Every failure leaves a one-line English detail in c->err (for
 * logs and the connection test's <detail>; never shown as the explanation,
 * which comes from the message catalogues).
 *
 * The bytes themselves move through the connection's transport (struct
 * hk_conn_ops): plain send/recv until a layer such as TLS (tls.h) installs
 * its own operations on the connected socket.  This file knows no layer.
 *
 * Ownership: the caller owns struct hk_conn (stack or heap); hk_conn_init
 * prepares it, hk_conn_close releases the socket and any layer's state and
 * may be called any number of times.
 */
#ifndef HK_NET_H
#define HK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

/* Outcome of every network step.  The values are stable: they appear in
 * logs and decide the connection test's explanations. */
enum hk_net_rc {
	HK_NET_OK = 0,
	HK_NET_RESOLVE,		/* the host name does not resolve */
	HK_NET_REFUSED,		/* nobody listens on that port */
	HK_NET_UNREACHABLE,	/* no route, network down */
	HK_NET_TIMEOUT,		/* a step or the whole dialogue took too long */
	HK_NET_CLOSED,		/* the server closed the connection */
	HK_NET_TOO_LONG,	/* a line longer than the cap */
	HK_NET_PROTOCOL,	/* the server sent something malformed */
	HK_NET_IO,		/* any other socket error */
	HK_NET_TLS,		/* the TLS handshake or record layer failed */
	HK_NET_TLS_PLAIN,	/* TLS spoken to a server that answered in plain text */
	HK_NET_TLS_VERIFY	/* the certificate was not accepted */
};

/* A short English name for logs ("timeout", "refused", ...). */
const char *hk_net_rc_name(enum hk_net_rc rc);

/* Milliseconds.  0 means "none" for total_ms only. */
struct hk_net_timeouts {
	int resolve_ms;
	int connect_ms;
	int io_ms;		/* each read or write */
	int total_ms;		/* the whole dialogue, from hk_conn_init */
};

/* The defaults (docs/CONFIGURATION.md "Choices"): resolve 10 s, connect
 * 10 s, each read/write 30 s, the whole dialogue 120 s. */
extern const struct hk_net_timeouts hk_net_timeouts_default;

#define HK_NET_MAX_ADDRS 16

/* The addresses a name resolved to, in the resolver's order. */
struct hk_addrs {
	size_t n;
	struct sockaddr_storage sa[HK_NET_MAX_ADDRS];
	socklen_t len[HK_NET_MAX_ADDRS];
};

/* Numeric form of an address ("192.0.2.1", "2001:db8::1") into out. */
void hk_net_addr_str(const struct sockaddr *sa, char *out, size_t outlen);

/* What a protocol client wants to know of each line sent or received, for
 * debugging: dir is '>' (sent) or '<' (received); only the first log_len
 * bytes of a sent line may be shown (the rest is a secret). */
typedef void (*hk_net_trace_fn)(void *ctx, char dir, const char *line,
    size_t len, size_t log_len);

#define HK_NET_RBUF 16384

struct hk_conn;

/* How bytes cross a connection.  A layer (TLS) installs its table with
 * hk_conn_push_layer once the socket is connected; hk_conn_close calls its
 * close and goes back to plain.  read stores the count received in *got
 * (at least 1 on HK_NET_OK) and waits with hk_conn_wait; write sends all
 * of p.  Both report failures through hk_conn_fail. */
struct hk_conn_ops {
	const char *name;		/* "plain", "tls": for logs */
	enum hk_net_rc (*read)(struct hk_conn *c, void *p, size_t len,
	    size_t *got);
	enum hk_net_rc (*write)(struct hk_conn *c, const void *p, size_t len);
	void (*close)(struct hk_conn *c);	/* frees layer; no waiting */
};

struct hk_conn {
	int fd;				/* -1 when closed */
	const struct hk_conn_ops *ops;	/* never NULL after hk_conn_init */
	void *layer;			/* the layer's state, owned by ops */
	struct hk_net_timeouts to;
	long long deadline;		/* monotonic ms; 0: none */
	char peer[64];			/* numeric address connected to */
	char peer_log[80];		/* "addr:port" / "[v6]:port", for logs */
	unsigned long lines_in;		/* lines read so far on this connection */
	struct hk_buf err;		/* detail of the last failure */
	hk_net_trace_fn trace;		/* NULL: hk_info lines (docs/LOGGING.md) */
	void *trace_ctx;
	size_t rpos, rlen;		/* unread bytes: rbuf[rpos..rlen) */
	unsigned char rbuf[HK_NET_RBUF];
};

/* Prepares c (no socket yet) and starts the dialogue's deadline. */
void hk_conn_init(struct hk_conn *c, const struct hk_net_timeouts *to);
/* Closes the socket (and TLS, without waiting for the peer); keeps err. */
void hk_conn_close(struct hk_conn *c);
/* Also frees err.  c may be reused after hk_conn_init. */
void hk_conn_free(struct hk_conn *c);

/* Monotonic clock in milliseconds. */
long long hk_net_now_ms(void);

/* Resolves host (a DNS name, an IPv4 literal, or an IPv6 literal with or
 * without brackets) for TCP port.  Waits at most to->resolve_ms (and
 * never past the deadline).  Returns HK_NET_OK with out->n >= 1, or an
 * error with c->err set.  c only supplies the timeouts and the error. */
enum hk_net_rc hk_net_resolve(struct hk_conn *c, const char *host,
    unsigned int port, struct hk_addrs *out);

/* True when host is an IPv4 or IPv6 literal (brackets allowed). */
bool hk_net_is_ip_literal(const char *host);

/* Connects to the first address of a that accepts, trying them in order,
 * each within to->connect_ms.  On success c->peer names the address. */
enum hk_net_rc hk_conn_connect(struct hk_conn *c, const struct hk_addrs *a);

/* Reads one line, without its CRLF (a bare LF is accepted too), into line
 * (reset first; NUL-terminated).  A line longer than max bytes is
 * HK_NET_TOO_LONG; one holding a NUL byte is HK_NET_PROTOCOL.  After any
 * error the connection must be closed. */
enum hk_net_rc hk_conn_read_line(struct hk_conn *c, struct hk_buf *line,
    size_t max);

/* Reads exactly n bytes, handing them to sink in chunks (sink returns 0,
 * or -1 to stop: HK_NET_PROTOCOL).  sink may be NULL to discard. */
enum hk_net_rc hk_conn_read_n(struct hk_conn *c, unsigned long long n,
    int (*sink)(void *ctx, const char *p, size_t len), void *ctx);

/* Writes all of p. */
enum hk_net_rc hk_conn_write(struct hk_conn *c, const void *p, size_t len);

/* Writes line plus CRLF; traces only its first log_len bytes (the rest
 * as "********").  line must not hold CR or LF (HK_NET_PROTOCOL). */
enum hk_net_rc hk_conn_send_line(struct hk_conn *c, const char *line,
    size_t len, size_t log_len);

/* Drops unread buffered input (before STARTTLS: RFC 3207 §5's injection
 * defence).  Returns the number of bytes dropped. */
size_t hk_conn_drop_input(struct hk_conn *c);

/* Installs a layer's operations over the connected socket (ops and its
 * state; ops->close frees state).  Any layer already there is closed
 * first.  Buffered plain input is dropped: bytes that arrived before the
 * layer must not be read as if they came through it. */
void hk_conn_push_layer(struct hk_conn *c, const struct hk_conn_ops *ops,
    void *state);

/* True when a layer other than plain text carries the bytes. */
bool hk_conn_has_layer(const struct hk_conn *c);

/* Copies host without IPv6 brackets into out; -1 when it does not fit or
 * the brackets do not match. */
int hk_net_strip_brackets(const char *host, char *out, size_t outlen);

/* For layers: waits until the socket is readable (want_write false) or
 * writable, within the step timeout and the deadline. */
enum hk_net_rc hk_conn_wait(struct hk_conn *c, bool want_write);

/* Where a server is and how to reach it (one end of a mail server). */
enum hk_net_security {
	HK_NET_PLAIN = 0,	/* no TLS */
	HK_NET_STARTTLS,	/* STARTTLS/STLS, required */
	HK_NET_IMPLICIT_TLS	/* TLS from the first byte */
};

struct hk_endpoint {
	const char *host;	/* DNS name or IP literal */
	unsigned int port;
	enum hk_net_security security;
	bool verify;		/* *_tls_verify */
};

/* Sets c->err to the formatted text; returns rc. */
enum hk_net_rc hk_conn_fail(struct hk_conn *c, enum hk_net_rc rc,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
