/* test_net_util.h - a connection whose server side is a script of bytes,
 * for the protocol clients' unit tests.
 *
 * fake_open(data, len) makes a socketpair; a child process writes data
 * to the server side, shuts its sending side (the client then sees the
 * server close) and reads (and keeps) whatever the client sends until the
 * client closes; fake_sent() returns that.  fake_open_silent() keeps the
 * server side open instead, so that the client waits (timeouts).  The client
 * side becomes a struct hk_conn with short timeouts.
 */
#ifndef TEST_NET_UTIL_H
#define TEST_NET_UTIL_H

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "net.h"

struct fake {
	struct hk_conn c;
	pid_t pid;
	int back;		/* pipe: what the client sent, from the child */
	struct hk_buf sent;
};

static const struct hk_net_timeouts fake_timeouts = {
	.resolve_ms = 500, .connect_ms = 500, .io_ms = 500, .total_ms = 3000,
};

static __attribute__((unused)) void
fake_open_x(struct fake *f, const void *data, size_t len, int keep_open)
{
	int sv[2], pp[2];

	memset(f, 0, sizeof(*f));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(pp) < 0)
		abort();
	f->pid = fork();
	if (f->pid == 0) {
		const char *p = data;
		char buf[4096];
		ssize_t n;

		close(sv[0]);
		close(pp[0]);
		signal(SIGPIPE, SIG_IGN);
		while (len > 0 && (n = write(sv[1], p, len)) > 0) {
			p += n;
			len -= (size_t)n;
		}
		if (!keep_open)
			shutdown(sv[1], SHUT_WR);
		while ((n = read(sv[1], buf, sizeof(buf))) > 0)
			if (write(pp[1], buf, (size_t)n) != n)
				break;
		_exit(0);
	}
	close(sv[1]);
	close(pp[1]);
	hk_conn_init(&f->c, &fake_timeouts);
	f->c.fd = sv[0];
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	snprintf(f->c.peer, sizeof(f->c.peer), "fake");
	f->back = pp[0];
}

static __attribute__((unused)) void
fake_open(struct fake *f, const void *data, size_t len)
{
	fake_open_x(f, data, len, 0);
}

static __attribute__((unused)) void
fake_open_silent(struct fake *f)
{
	fake_open_x(f, "", 0, 1);
}

/* Closes the client side and returns everything it sent. */
static __attribute__((unused)) const char *
fake_sent(struct fake *f)
{
	char buf[4096];
	ssize_t n;

	hk_conn_close(&f->c);
	while ((n = read(f->back, buf, sizeof(buf))) > 0)
		hk_buf_append(&f->sent, buf, (size_t)n);
	return hk_buf_str(&f->sent);
}

static __attribute__((unused)) void
fake_close(struct fake *f)
{
	(void)fake_sent(f);
	close(f->back);
	waitpid(f->pid, NULL, 0);
	hk_conn_free(&f->c);
	hk_buf_free(&f->sent);
}

#endif
