/* net.c - resolving, connecting, and bounded reads/writes with timeouts. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "net.h"

const struct hk_net_timeouts hk_net_timeouts_default = {
	.resolve_ms = 10000,
	.connect_ms = 10000,
	.io_ms = 30000,
	.total_ms = 120000,
};

const char *
hk_net_rc_name(enum hk_net_rc rc)
{
	switch (rc) {
	case HK_NET_OK: return "ok";
	case HK_NET_RESOLVE: return "resolve";
	case HK_NET_REFUSED: return "refused";
	case HK_NET_UNREACHABLE: return "unreachable";
	case HK_NET_TIMEOUT: return "timeout";
	case HK_NET_CLOSED: return "closed";
	case HK_NET_TOO_LONG: return "too-long";
	case HK_NET_PROTOCOL: return "protocol";
	case HK_NET_IO: return "io";
	case HK_NET_TLS: return "tls";
	case HK_NET_TLS_PLAIN: return "tls-plain";
	case HK_NET_TLS_VERIFY: return "tls-verify";
	}
	return "unknown";
}

long long
hk_net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum hk_net_rc
hk_conn_fail(struct hk_conn *c, enum hk_net_rc rc, const char *fmt, ...)
{
	va_list ap;

	hk_buf_reset(&c->err);
	va_start(ap, fmt);
	hk_buf_vprintf(&c->err, fmt, ap);
	va_end(ap);
	return rc;
}

static const struct hk_conn_ops plain_ops;

void
hk_conn_init(struct hk_conn *c, const struct hk_net_timeouts *to)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->ops = &plain_ops;
	c->to = to != NULL ? *to : hk_net_timeouts_default;
	if (c->to.total_ms > 0)
		c->deadline = hk_net_now_ms() + c->to.total_ms;
}

/* Gives the layer back its state to free and returns to plain text. */
static void
pop_layer(struct hk_conn *c)
{
	if (c->ops != NULL && c->ops->close != NULL)
		c->ops->close(c);
	c->ops = &plain_ops;
	c->layer = NULL;
}

void
hk_conn_push_layer(struct hk_conn *c, const struct hk_conn_ops *ops,
    void *state)
{
	pop_layer(c);
	hk_conn_drop_input(c);
	c->ops = ops;
	c->layer = state;
}

bool
hk_conn_has_layer(const struct hk_conn *c)
{
	return c->ops != NULL && c->ops != &plain_ops;
}

void
hk_conn_close(struct hk_conn *c)
{
	pop_layer(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	/* Buffered input may hold secrets (a server echoing a command). */
	hk_wipe(c->rbuf, sizeof(c->rbuf));
	c->rpos = c->rlen = 0;
}

void
hk_conn_free(struct hk_conn *c)
{
	hk_conn_close(c);
	hk_buf_free(&c->err);
}

void
hk_net_addr_str(const struct sockaddr *sa, char *out, size_t outlen)
{
	const void *a = sa->sa_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;

	if (inet_ntop(sa->sa_family, a, out, (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "?");
}

/* The time left for one step: min(step, deadline - now); <= 0 is over. */
static int
step_ms(const struct hk_conn *c, int step)
{
	long long left;

	if (c->deadline == 0)
		return step;
	left = c->deadline - hk_net_now_ms();
	if (left <= 0)
		return 0;
	return left < step ? (int)left : step;
}

int
hk_net_strip_brackets(const char *host, char *out, size_t outlen)
{
	size_t n = strlen(host);

	if (n > 0 && host[0] == '[') {
		if (n < 3 || host[n - 1] != ']')
			return -1;
		host++;
		n -= 2;
	}
	if (n + 1 > outlen)
		return -1;
	memcpy(out, host, n);
	out[n] = '\0';
	return 0;
}

bool
hk_net_is_ip_literal(const char *host)
{
	char h[256];
	unsigned char a[16];

	if (hk_net_strip_brackets(host, h, sizeof(h)) < 0)
		return false;
	return inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1;
}

static void
add_addrs(struct hk_addrs *out, const struct addrinfo *ai)
{
	for (; ai != NULL && out->n < HK_NET_MAX_ADDRS; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(out->sa[0]))
			continue;
		memcpy(&out->sa[out->n], ai->ai_addr, ai->ai_addrlen);
		out->len[out->n] = ai->ai_addrlen;
		out->n++;
	}
}

enum hk_net_rc
hk_net_resolve(struct hk_conn *c, const char *host, unsigned int port,
    struct hk_addrs *out)
{
	struct addrinfo hints, *res = NULL;
	char h[256], service[8];
	int rc, ms;

	memset(out, 0, sizeof(*out));
	if (host == NULL || *host == '\0' ||
	    hk_net_strip_brackets(host, h, sizeof(h)) < 0)
		return hk_conn_fail(c, HK_NET_RESOLVE, "invalid host name");
	if (port == 0 || port > 65535)
		return hk_conn_fail(c, HK_NET_RESOLVE, "invalid port %u", port);
	snprintf(service, sizeof(service), "%u", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	/* Literals never touch the resolver. */
	if (getaddrinfo(h, service, &hints, &res) == 0) {
		add_addrs(out, res);
		freeaddrinfo(res);
		return out->n > 0 ? HK_NET_OK :
		    hk_conn_fail(c, HK_NET_RESOLVE, "no usable address");
	}

	/* A name: ask the resolver asynchronously, so that the wait is
	 * ours to bound (getaddrinfo itself follows resolv.conf's
	 * timeouts and retries, which can add up to a minute). */
	{
		struct gaicb *req = hk_calloc(1, sizeof(*req));
		struct gaicb *list[1] = { req };
		struct addrinfo *hints2 = hk_malloc(sizeof(*hints2));
		struct timespec ts;

		*hints2 = hints;
		hints2->ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
		req->ar_name = hk_strdup(h);
		req->ar_service = hk_strdup(service);
		req->ar_request = hints2;
		if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
			free((char *)req->ar_name);
			free((char *)req->ar_service);
			free(hints2);
			free(req);
			return hk_conn_fail(c, HK_NET_RESOLVE,
			    "cannot start resolving: %s", gai_strerror(rc));
		}
		ms = step_ms(c, c->to.resolve_ms);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		for (;;) {
			rc = gai_suspend((const struct gaicb *const *)list, 1, &ts);
			if (rc == EAI_INTR)
				continue;
			break;
		}
		if (rc == EAI_AGAIN && gai_error(req) == EAI_INPROGRESS) {
			if (gai_cancel(req) != EAI_CANCELED) {
				/* The resolver thread still owns req: leave
				 * it (a few hundred bytes) rather than let
				 * the thread write into freed memory. */
				return hk_conn_fail(c, HK_NET_TIMEOUT,
				    "resolving %s took longer than %d ms", h, ms);
			}
			rc = EAI_AGAIN;
			res = NULL;
		} else {
			rc = gai_error(req);
			res = req->ar_result;
		}
		free((char *)req->ar_name);
		free((char *)req->ar_service);
		free(hints2);
		free(req);
		if (rc == EAI_CANCELED || (rc == EAI_AGAIN && res == NULL &&
		    step_ms(c, c->to.resolve_ms) == 0))
			return hk_conn_fail(c, HK_NET_TIMEOUT,
			    "resolving %s took longer than %d ms", h, ms);
		if (rc != 0) {
			if (res != NULL)
				freeaddrinfo(res);
			return hk_conn_fail(c, HK_NET_RESOLVE, "%s: %s", h,
			    gai_strerror(rc));
		}
		add_addrs(out, res);
		freeaddrinfo(res);
	}
	return out->n > 0 ? HK_NET_OK :
	    hk_conn_fail(c, HK_NET_RESOLVE, "%s: no IPv4 or IPv6 address", h);
}

static enum hk_net_rc
errno_rc(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return HK_NET_REFUSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
		return HK_NET_UNREACHABLE;
	case ETIMEDOUT:
		return HK_NET_TIMEOUT;
	case ECONNRESET:
	case EPIPE:
		return HK_NET_CLOSED;
	default:
		return HK_NET_IO;
	}
}

static enum hk_net_rc
connect_one(struct hk_conn *c, const struct sockaddr *sa, socklen_t len)
{
	struct pollfd pfd;
	int fd, e = 0, one = 1, ms;
	socklen_t elen = sizeof(e);

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP);
	if (fd < 0)
		return hk_conn_fail(c, errno_rc(errno), "socket: %s",
		    strerror(errno));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, sa, len) == 0)
		goto connected;
	if (errno != EINPROGRESS) {
		e = errno;
		close(fd);
		return hk_conn_fail(c, errno_rc(e), "connect: %s", strerror(e));
	}
	ms = step_ms(c, c->to.connect_ms);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		int n = ms > 0 ? poll(&pfd, 1, ms) : 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			close(fd);
			return hk_conn_fail(c, HK_NET_TIMEOUT,
			    "no answer to the connection within %d ms", ms);
		}
		if (n < 0) {
			e = errno;
			close(fd);
			return hk_conn_fail(c, HK_NET_IO, "poll: %s", strerror(e));
		}
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
		e = errno;
	if (e != 0) {
		close(fd);
		return hk_conn_fail(c, errno_rc(e), "connect: %s", strerror(e));
	}
connected:
	c->fd = fd;
	hk_net_addr_str(sa, c->peer, sizeof(c->peer));
	{
		int port = sa->sa_family == AF_INET6 ?
		    ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port) :
		    ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);

		snprintf(c->peer_log, sizeof(c->peer_log),
		    strchr(c->peer, ':') != NULL ? "[%s]:%d" : "%s:%d", c->peer, port);
	}
	return HK_NET_OK;
}

enum hk_net_rc
hk_conn_connect(struct hk_conn *c, const struct hk_addrs *a)
{
	enum hk_net_rc rc = HK_NET_UNREACHABLE, first = HK_NET_OK;
	struct hk_buf first_err = HK_BUF_INIT;

	hk_conn_close(c);
	for (size_t i = 0; i < a->n; i++) {
		char addr[64];

		rc = connect_one(c, (const struct sockaddr *)&a->sa[i], a->len[i]);
		if (rc == HK_NET_OK) {
			hk_buf_free(&first_err);
			return rc;
		}
		hk_net_addr_str((const struct sockaddr *)&a->sa[i], addr,
		    sizeof(addr));
		/* Report the first failure: it is the preferred address. */
		if (first == HK_NET_OK) {
			first = rc;
			hk_buf_printf(&first_err, "%s: %s", addr,
			    hk_buf_str(&c->err));
		}
		if (step_ms(c, 1) == 0)
			break;
	}
	if (first == HK_NET_OK)
		return hk_conn_fail(c, HK_NET_UNREACHABLE, "no address to connect to");
	hk_conn_fail(c, first, "%s", hk_buf_str(&first_err));
	hk_buf_free(&first_err);
	return first;
}

enum hk_net_rc
hk_conn_wait(struct hk_conn *c, bool want_write)
{
	struct pollfd pfd;
	int ms = step_ms(c, c->to.io_ms), n;

	pfd.fd = c->fd;
	pfd.events = want_write ? POLLOUT : POLLIN;
	pfd.revents = 0;
	for (;;) {
		n = ms > 0 ? poll(&pfd, 1, ms) : 0;
		if (n < 0 && errno == EINTR) {
			ms = step_ms(c, ms);
			continue;
		}
		break;
	}
	if (n == 0) {
		if (c->deadline != 0 && hk_net_now_ms() >= c->deadline)
			return hk_conn_fail(c, HK_NET_TIMEOUT,
			    "the dialogue took longer than %d ms", c->to.total_ms);
		return hk_conn_fail(c, HK_NET_TIMEOUT,
		    "the server did not %s within %d ms",
		    want_write ? "accept data" : "answer", ms);
	}
	if (n < 0)
		return hk_conn_fail(c, HK_NET_IO, "poll: %s", strerror(errno));
	return HK_NET_OK;
}

/* Plain text: recv, waiting while the socket has nothing. */
static enum hk_net_rc
plain_read(struct hk_conn *c, void *p, size_t len, size_t *got)
{
	enum hk_net_rc rc;
	ssize_t n;

	*got = 0;
	for (;;) {
		n = recv(c->fd, p, len, 0);
		if (n > 0) {
			*got = (size_t)n;
			return HK_NET_OK;
		}
		if (n == 0)
			return hk_conn_fail(c, HK_NET_CLOSED,
			    "the server closed the connection");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return hk_conn_fail(c, errno_rc(errno), "recv: %s",
			    strerror(errno));
		if ((rc = hk_conn_wait(c, false)) != HK_NET_OK)
			return rc;
	}
}

/* Plain text: send all of p, waiting while the socket is full. */
static enum hk_net_rc
plain_write(struct hk_conn *c, const void *p, size_t len)
{
	const char *s = p;
	enum hk_net_rc rc;
	ssize_t n;

	while (len > 0) {
		n = send(c->fd, s, len, MSG_NOSIGNAL);
		if (n > 0) {
			s += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((rc = hk_conn_wait(c, true)) != HK_NET_OK)
				return rc;
			continue;
		}
		return hk_conn_fail(c, errno_rc(errno), "send: %s",
		    strerror(errno));
	}
	return HK_NET_OK;
}

static const struct hk_conn_ops plain_ops = {
	.name = "plain",
	.read = plain_read,
	.write = plain_write,
	.close = NULL,
};

/* The connection's transport (a zeroed hk_conn counts as plain). */
static const struct hk_conn_ops *
ops_of(const struct hk_conn *c)
{
	return c->ops != NULL ? c->ops : &plain_ops;
}

/* Reads what is available into rbuf (which must have room). */
static enum hk_net_rc
fill(struct hk_conn *c)
{
	enum hk_net_rc rc;
	size_t got = 0;

	if (c->fd < 0)
		return hk_conn_fail(c, HK_NET_CLOSED, "the connection is closed");
	if (c->rpos == c->rlen)
		c->rpos = c->rlen = 0;
	else if (c->rpos > 0 && c->rlen == sizeof(c->rbuf)) {
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rpos = 0;
	}
	rc = ops_of(c)->read(c, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen,
	    &got);
	if (rc == HK_NET_OK)
		c->rlen += got;
	return rc;
}

enum hk_net_rc
hk_conn_read_line(struct hk_conn *c, struct hk_buf *line, size_t max)
{
	enum hk_net_rc rc;

	hk_buf_reset(line);
	for (;;) {
		unsigned char *p = c->rbuf + c->rpos;
		size_t avail = c->rlen - c->rpos;
		unsigned char *lf = memchr(p, '\n', avail);
		size_t take = lf != NULL ? (size_t)(lf - p) : avail;

		/* max bytes of text, plus the CR of a CRLF. */
		if (line->len + take > max + 1) {
			c->rpos = c->rlen = 0;
			return hk_conn_fail(c, HK_NET_TOO_LONG,
			    "the server sent a line longer than %zu bytes", max);
		}
		hk_buf_append(line, p, take);
		if (lf != NULL) {
			c->rpos += take + 1;
			if (line->len > 0 && line->data[line->len - 1] == '\r')
				line->data[--line->len] = '\0';
			if (line->len > max) {
				c->rpos = c->rlen = 0;
				return hk_conn_fail(c, HK_NET_TOO_LONG,
				    "the server sent a line longer than %zu bytes",
				    max);
			}
			if (memchr(line->data != NULL ? line->data : "", '\0',
			    line->len) != NULL)
				return hk_conn_fail(c, HK_NET_PROTOCOL,
				    "the server sent a NUL byte");
			c->lines_in++;
			if (c->trace != NULL)
				c->trace(c->trace_ctx, '<', hk_buf_str(line),
				    line->len, line->len);
			else
				hk_info("%s < %.200s", c->peer_log, hk_buf_str(line));
			return HK_NET_OK;
		}
		c->rpos = c->rlen;
		if ((rc = fill(c)) != HK_NET_OK)
			return rc;
	}
}

enum hk_net_rc
hk_conn_read_n(struct hk_conn *c, unsigned long long n,
    int (*sink)(void *ctx, const char *p, size_t len), void *ctx)
{
	enum hk_net_rc rc;

	while (n > 0) {
		size_t avail = c->rlen - c->rpos;

		if (avail == 0) {
			if ((rc = fill(c)) != HK_NET_OK)
				return rc;
			continue;
		}
		if (avail > n)
			avail = (size_t)n;
		if (sink != NULL && sink(ctx, (const char *)c->rbuf + c->rpos,
		    avail) < 0)
			return hk_conn_fail(c, HK_NET_PROTOCOL,
			    "the data was refused by its reader");
		c->rpos += avail;
		n -= avail;
	}
	return HK_NET_OK;
}

enum hk_net_rc
hk_conn_write(struct hk_conn *c, const void *p, size_t len)
{
	if (c->fd < 0)
		return hk_conn_fail(c, HK_NET_CLOSED, "the connection is closed");
	return ops_of(c)->write(c, p, len);
}

enum hk_net_rc
hk_conn_send_line(struct hk_conn *c, const char *line, size_t len,
    size_t log_len)
{
	enum hk_net_rc rc;
	char *buf;

	if (memchr(line, '\r', len) != NULL || memchr(line, '\n', len) != NULL ||
	    memchr(line, '\0', len) != NULL)
		return hk_conn_fail(c, HK_NET_PROTOCOL,
		    "refusing to send a command holding CR, LF or NUL");
	if (log_len > len)
		log_len = len;
	if (c->trace != NULL)
		c->trace(c->trace_ctx, '>', line, len, log_len);
	else
		hk_info("%s > %.*s%s", c->peer_log, (int)(log_len > 200 ? 200 : log_len),
		    line, log_len < len ? "********" : "");
	buf = hk_malloc(len + 2);
	memcpy(buf, line, len);
	buf[len] = '\r';
	buf[len + 1] = '\n';
	rc = hk_conn_write(c, buf, len + 2);
	hk_wipe(buf, len + 2);
	free(buf);
	return rc;
}

size_t
hk_conn_drop_input(struct hk_conn *c)
{
	size_t n = c->rlen - c->rpos;

	c->rpos = c->rlen = 0;
	return n;
}
