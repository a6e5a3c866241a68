/* server.c - listening socket, pre-forked workers, the FastCGI loop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "log.h"
#include "mem.h"
#include "server.h"

/* Connections the kernel queues while every worker is busy.  The web
 * server opens one per client request in flight, and on a unix socket a
 * full queue is not waited on: nginx gets EAGAIN and answers 502 at once.
 * 128 made 200 concurrent clients mostly 502s (tests/integration/
 * t-load.sh); the kernel caps this at net.core.somaxconn (4096). */
#define LISTEN_BACKLOG 4096
#define MAX_WORKERS 256
/* A connection that stalls this long in the middle of a request (or of
 * taking its response) is dropped.  The web server sends a buffered
 * request at once, so only a broken or hostile peer waits this long, and
 * without a limit it would hold a worker for good. */
#define IO_TIMEOUT_S 10

/* Response bodies up to this size leave their buffer for the next one. */
#define SPARE_BODY_MAX (256 * 1024)

static volatile sig_atomic_t stopping;
static struct hk_buf spare_body = HK_BUF_INIT;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
on_child(int sig)
{
	(void)sig;
}

int
hk_listen(const char *spec, mode_t mode, char **err_r)
{
	int fd = -1, one = 1;

	*err_r = NULL;
	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sun;
		const char *path = spec + 5;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(path) >= sizeof(sun.sun_path)) {
			*err_r = hk_aprintf("%s: socket path too long", path);
			return -1;
		}
		memcpy(sun.sun_path, path, strlen(path) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			goto fail;
		/* A socket file left by a crashed run would block bind. */
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    chmod(path, mode) < 0)
			goto fail;
	} else {
		struct addrinfo hints, *ai = NULL;
		char host[256];
		const char *colon = strrchr(spec, ':');
		size_t hlen = colon ? (size_t)(colon - spec) : 0;
		int gai;

		if (colon == NULL || hlen == 0 || hlen >= sizeof(host)) {
			*err_r = hk_aprintf("%s: expected unix:PATH or HOST:PORT", spec);
			return -1;
		}
		if (spec[0] == '[' && hlen >= 2 && spec[hlen - 1] == ']')
			memcpy(host, spec + 1, hlen - 2), host[hlen - 2] = '\0';
		else
			memcpy(host, spec, hlen), host[hlen] = '\0';
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if ((gai = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
			*err_r = hk_aprintf("%s: %s", spec, gai_strerror(gai));
			return -1;
		}
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
				int e = errno;
				close(fd);
				fd = -1;
				errno = e;
			}
		}
		freeaddrinfo(ai);
		if (fd < 0)
			goto fail;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	*err_r = hk_aprintf("%s: %s", spec, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Reads the request body, at most max + 1 bytes, so too large is known.
 * A body that ends early (the peer hung up or stalled, see IO_TIMEOUT_S)
 * or that is not as long as CONTENT_LENGTH says is marked bad: handling
 * what arrived could apply half a form (a checkbox cut off reads as off). */
static void
read_body(FCGX_Request *r, struct hk_request *req, size_t max)
{
	char chunk[16384];
	unsigned long long len = 0;
	int n;

	if (req->content_length != NULL) {
		const char *cl = req->content_length;
		char *end;

		len = strtoull(cl, &end, 10);
		if (*end != '\0' || strspn(cl, "0123456789") != strlen(cl)) {
			req->body_bad = true;
			return;
		}
		if (len > max) {
			req->body_too_large = true;
			return;
		}
	}
	/* The body may carry passwords, read in several chunks: a secret
	 * buffer wipes what it leaves behind when it grows. */
	hk_buf_init(&req->body, max, HK_BUF_SECRET);
	while ((n = FCGX_GetStr(chunk, sizeof(chunk), r->in)) > 0) {
		if (hk_buf_add(&req->body, chunk, (size_t)n) < 0) {
			req->body_too_large = true;
			break;
		}
	}
	hk_wipe(chunk, sizeof(chunk));
	if (!req->body_too_large && (FCGX_GetError(r->in) != 0 ||
	    (req->content_length != NULL && req->body.len != len)))
		req->body_bad = true;
}

static const char *
param(FCGX_Request *r, const char *name)
{
	return FCGX_GetParam(name, r->envp);
}

static void
handle_one(struct hk_app *app, FCGX_Request *r)
{
	struct hk_request req;
	struct hk_response res;
	struct hk_buf out;
	struct timespec t0, t1;
	const char *https, *scheme;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* The head may carry a session cookie (Set-Cookie). */
	hk_buf_init(&out, 0, HK_BUF_SECRET);
	memset(&req, 0, sizeof(req));
	req.method = param(r, "REQUEST_METHOD");
	req.uri = param(r, "REQUEST_URI");
	if (req.uri == NULL)
		req.uri = param(r, "DOCUMENT_URI");
	req.query_string = param(r, "QUERY_STRING");
	req.content_type = param(r, "CONTENT_TYPE");
	req.content_length = param(r, "CONTENT_LENGTH");
	if (req.content_length != NULL && *req.content_length == '\0')
		req.content_length = NULL;
	req.accept = param(r, "HTTP_ACCEPT");
	req.accept_language = param(r, "HTTP_ACCEPT_LANGUAGE");
	req.cookie = param(r, "HTTP_COOKIE");
	req.if_none_match = param(r, "HTTP_IF_NONE_MATCH");
	req.remote_addr = param(r, "REMOTE_ADDR");
	req.remote_user = param(r, "REMOTE_USER");
	https = param(r, "HTTPS");
	scheme = param(r, "REQUEST_SCHEME");
	req.https = (https != NULL && strcasecmp(https, "on") == 0) ||
	    (scheme != NULL && strcmp(scheme, "https") == 0);
	if (req.method != NULL && strcmp(req.method, "POST") == 0)
		read_body(r, &req, app->cfg.max_body);

	hk_response_init(&res);
	/* The body buffer is kept from one request to the next, so that a
	 * page is rendered into memory already the right size. */
	res.body = spare_body;
	spare_body = (struct hk_buf)HK_BUF_INIT;
	hk_app_handle(app, &req, &res);
	hk_response_serialise_head(&res, &out);
	FCGX_PutStr(out.data, (int)out.len, r->out);
	if (res.body.len > 0)
		FCGX_PutStr(res.body.data, (int)res.body.len, r->out);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	hk_info("%s %.200s %d %zu %.1fms", req.method ? req.method : "-",
	    req.uri ? req.uri : "-", res.status, res.body.len,
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	hk_buf_free(&out);
	if (res.body.cap <= SPARE_BODY_MAX) {
		hk_buf_reset(&res.body);
		spare_body = res.body;
		res.body = (struct hk_buf)HK_BUF_INIT;
	}
	hk_response_free(&res);
	hk_request_free(&req);
}

/* A worker: accept and answer requests until told to stop.  SIGTERM is
 * only let in while waiting, so a request in flight always finishes. */
static int
worker_loop(struct hk_app *app, int listen_fd)
{
	FCGX_Request r;
	sigset_t blocked, waiting;
	char *err = NULL;
	int never;

	if (hk_app_open_db(app, &err) < 0) {
		hk_err("%s", err);
		free(err);
		return 2;
	}
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigprocmask(SIG_BLOCK, &blocked, &waiting);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGINT);

	/* libfcgi is handed a socket that never listens: connections are
	 * accepted below, where their timeouts are set, and never by
	 * libfcgi (which would, after dropping a bad peer). */
	if ((never = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    FCGX_InitRequest(&r, never, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		hk_err("FCGX_InitRequest failed");
		return 1;
	}
	while (!stopping) {
		/* A kept-alive connection carries the next request itself. */
		struct pollfd pfd = { r.ipcFd >= 0 ? r.ipcFd : listen_fd, POLLIN, 0 };
		int n = ppoll(&pfd, 1, NULL, &waiting);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			hk_err("poll: %s", strerror(errno));
			break;
		}
		if (r.ipcFd < 0) {
			/* Accept here rather than in libfcgi, to bound each
			 * read and write on the connection: a unix socket does
			 * not inherit SO_RCVTIMEO from the listening one. */
			struct timeval tv = { IO_TIMEOUT_S, 0 };
			int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
			int one = 1;

			if (fd < 0)
				continue;	/* another worker took it */
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			/* As libfcgi does for TCP (fails harmlessly on unix). */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			r.ipcFd = fd;
			/* FCGX_Accept_r first finishes the previous request,
			 * closing its connection unless kept: keep this one. */
			r.keepConnection = 1;
		}
		if (FCGX_Accept_r(&r) < 0)
			continue;	/* a bad peer: libfcgi dropped it */
		handle_one(app, &r);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 1);
	hk_buf_free(&spare_body);
	close(never);
	return 0;
}

static pid_t
spawn(struct hk_app *app, int listen_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa;
		int status;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		status = worker_loop(app, listen_fd);
		hk_app_free(app);
		_exit(status);
	}
	if (pid < 0)
		hk_err("fork: %s", strerror(errno));
	return pid;
}

int
hk_serve(struct hk_app *app, int listen_fd, int workers)
{
	pid_t pids[MAX_WORKERS];
	struct sigaction sa;
	sigset_t blocked, waiting;
	time_t last_spawn_fail = 0;
	int alive = 0, quick_deaths = 0, rc = 0;

	if (workers < 1 || workers > MAX_WORKERS)
		workers = 1;
	/* Non-blocking: several workers wake for one connection, and the
	 * ones that lose the race must go back to waiting. */
	fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
	if (FCGX_Init() != 0) {
		hk_err("FCGX_Init failed");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blocked, &waiting);

	for (int i = 0; i < workers; i++)
		pids[i] = 0;
	hk_info("started: %d worker%s", workers, workers == 1 ? "" : "s");
	while (!stopping) {
		pid_t pid;
		int status;

		for (int i = 0; i < workers; i++)
			if (pids[i] == 0 && (pids[i] = spawn(app, listen_fd)) > 0)
				alive++;
		sigsuspend(&waiting);
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (int i = 0; i < workers; i++)
				if (pids[i] == pid) {
					pids[i] = 0;
					alive--;
				}
			if (stopping)
				continue;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
				/* The worker cannot open the database: retrying
				 * in a loop would only flood the log. */
				hk_err("a worker could not start; stopping");
				stopping = 1;
				rc = 2;
				continue;
			}
			hk_warn("worker %ld ended (%s %d); starting another",
			    (long)pid, WIFSIGNALED(status) ? "signal" : "status",
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			/* More than 10 deaths each within 2 s of the last is a
			 * crash loop: slow it down.  A calm spell forgives. */
			if (time(NULL) - last_spawn_fail < 2)
				quick_deaths++;
			else
				quick_deaths = 0;
			if (quick_deaths > 10)
				sleep(1);
			last_spawn_fail = time(NULL);
		}
	}
	hk_info("stopping: waiting for %d worker%s to finish", alive,
	    alive == 1 ? "" : "s");
	for (int i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (alive > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < workers; i++)
			if (pids[i] == pid) {
				pids[i] = 0;
				alive--;
				if (rc == 0 && (!WIFEXITED(status) ||
				    WEXITSTATUS(status) != 0))
					rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
			}
	}
	hk_info("stopped");
	return rc;
}
