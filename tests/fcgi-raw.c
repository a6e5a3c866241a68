/* fcgi-raw.c - a tiny raw FastCGI client for tests/integration/t-hostile.sh:
 * it talks to the worker's socket directly, so it can send what nginx
 * never would (params with NUL bytes, no REQUEST_METHOD, a 64 KiB param,
 * a record cut short, a record of an unknown type, lengths that would
 * overflow).  Built by the test with plain `cc`, against libc only.
 *
 *   fcgi-raw SOCKET CASE [SECONDS]
 *
 * Plays CASE on the unix socket SOCKET and prints one line:
 *   status NNN      the worker answered with that Status
 *   unknown-type    the worker answered FCGI_UNKNOWN_TYPE (management)
 *   closed          the connection closed before any answer
 *   timeout         nothing came within SECONDS (default 10)
 * Exits 0 for any of these, 2 when it cannot connect.  "fcgi-raw - list"
 * prints the case names.  The stall-* cases send part of a request and
 * then wait, connection open, for the worker to give up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BEGIN 1
#define END 3
#define PARAMS 4
#define STDIN 5
#define STDOUT 6
#define UNKNOWN_TYPE 11

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void
put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			exit(3);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/* One record; content longer than 65535 is split into several. */
static void
record(struct buf *out, int type, int id, const void *data, size_t len)
{
	const unsigned char *d = data;

	do {
		size_t n = len > 65535 ? 65535 : len;
		unsigned char h[8] = { 1, (unsigned char)type,
		    (unsigned char)(id >> 8), (unsigned char)id,
		    (unsigned char)(n >> 8), (unsigned char)n, 0, 0 };

		put(out, h, 8);
		put(out, d, n);
		d += n;
		len -= n;
	} while (len > 0);
}

static void
putlen(struct buf *b, size_t n)
{
	if (n < 128) {
		unsigned char c = (unsigned char)n;
		put(b, &c, 1);
	} else {
		unsigned char c[4] = { (unsigned char)(0x80 | (n >> 24)),
		    (unsigned char)(n >> 16), (unsigned char)(n >> 8),
		    (unsigned char)n };
		put(b, c, 4);
	}
}

/* A name-value pair whose parts may hold NUL bytes. */
static void
pair(struct buf *b, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	putlen(b, nlen);
	putlen(b, vlen);
	put(b, name, nlen);
	put(b, value, vlen);
}

static void
nv(struct buf *b, const char *name, const char *value)
{
	pair(b, name, strlen(name), value, strlen(value));
}

static void
begin(struct buf *out, int id)
{
	unsigned char body[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };	/* responder */

	record(out, BEGIN, id, body, 8);
}

/* The usual params of a GET, without the ones named in skip. */
static void
std_params(struct buf *p, const char *uri, const char *skip)
{
	if (strstr(skip, "method") == NULL)
		nv(p, "REQUEST_METHOD", "GET");
	if (strstr(skip, "uri") == NULL) {
		nv(p, "REQUEST_URI", uri);
		nv(p, "DOCUMENT_URI", uri);
	}
	nv(p, "QUERY_STRING", "");
	nv(p, "REMOTE_ADDR", "127.0.0.1");
	nv(p, "HTTP_ACCEPT", "application/xml");
}

/* A whole request: BEGIN, the params, empty PARAMS, STDIN body, empty STDIN. */
static void
request(struct buf *out, struct buf *params, const char *body, size_t blen)
{
	begin(out, 1);
	record(out, PARAMS, 1, params->p, params->len);
	record(out, PARAMS, 1, "", 0);
	if (blen > 0)
		record(out, STDIN, 1, body, blen);
	record(out, STDIN, 1, "", 0);
}

static const char *const cases[] = {
	"ok", "post-ok", "nul-uri", "nul-name", "nul-method", "nul-cookie",
	"no-method", "no-uri", "empty-method", "bogus-method", "big-cookie",
	"big-uri", "big-name", "many-params", "truncated-header",
	"truncated-params", "truncated-body", "bogus-type", "bogus-first",
	"bad-version", "get-values", "wrong-id", "overflow-lengths",
	"huge-length", "cl-lies-long", "cl-lies-short", "cl-garbage",
	"abort", "two-begins", "stall-params", "stall-body", NULL,
};

/* Builds CASE into out; *half_close says to shut the write side after. */
static int
build(const char *name, struct buf *out, int *half_close)
{
	struct buf p = { 0 };

	*half_close = 0;
	if (strcmp(name, "ok") == 0) {
		std_params(&p, "/login", "");
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "post-ok") == 0) {
		/* A POST without a token: the pipeline's own 403. */
		std_params(&p, "/logout", "method");
		nv(&p, "REQUEST_METHOD", "POST");
		nv(&p, "CONTENT_TYPE", "application/x-www-form-urlencoded");
		nv(&p, "CONTENT_LENGTH", "3");
		request(out, &p, "a=1", 3);
	} else if (strcmp(name, "nul-uri") == 0) {
		std_params(&p, "", "uri");
		pair(&p, "REQUEST_URI", 11, "/login\0/../../etc/passwd", 24);
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "nul-name") == 0) {
		std_params(&p, "/login", "");
		pair(&p, "HTTP_COOKIE\0X", 13, "hikyaku_session=x", 17);
		pair(&p, "\0\0\0", 3, "\0", 1);
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "nul-method") == 0) {
		std_params(&p, "/login", "method");
		pair(&p, "REQUEST_METHOD", 14, "GET\0POST", 8);
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "nul-cookie") == 0) {
		std_params(&p, "/login", "");
		pair(&p, "HTTP_COOKIE", 11, "hikyaku_pre=\0\xff\xfe; a=\0", 21);
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "no-method") == 0) {
		std_params(&p, "/login", "method");
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "no-uri") == 0) {
		std_params(&p, "", "uri");
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "empty-method") == 0) {
		std_params(&p, "/login", "method");
		nv(&p, "REQUEST_METHOD", "");
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "bogus-method") == 0) {
		std_params(&p, "/login", "method");
		nv(&p, "REQUEST_METHOD", "G\xc3\xa9T\r\nX: y");
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "big-cookie") == 0 ||
	    strcmp(name, "big-uri") == 0 || strcmp(name, "big-name") == 0) {
		size_t n = 65536;
		char *big = malloc(n + 1);

		if (big == NULL)
			return -1;
		memset(big, 'a', n);
		big[0] = '/';
		big[n] = '\0';
		if (strcmp(name, "big-uri") == 0) {
			std_params(&p, "", "uri");
			nv(&p, "REQUEST_URI", big);
		} else if (strcmp(name, "big-cookie") == 0) {
			std_params(&p, "/login", "");
			memcpy(big, "hikyaku_session=", 16);
			nv(&p, "HTTP_COOKIE", big);
		} else {
			std_params(&p, "/login", "");
			memcpy(big, "HTTP_", 5);
			nv(&p, big, "x");
		}
		free(big);
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "many-params") == 0) {
		char n[32];

		std_params(&p, "/login", "");
		for (int i = 0; i < 20000; i++) {
			snprintf(n, sizeof(n), "HTTP_X_%d", i);
			nv(&p, n, "v");
		}
		request(out, &p, NULL, 0);
	} else if (strcmp(name, "truncated-header") == 0) {
		begin(out, 1);
		put(out, "\1\4\0", 3);	/* 3 bytes of an 8-byte header */
		*half_close = 1;
	} else if (strcmp(name, "truncated-params") == 0) {
		std_params(&p, "/login", "");
		begin(out, 1);
		record(out, PARAMS, 1, p.p, p.len);
		out->len -= p.len / 2;	/* the record says more than comes */
		*half_close = 1;
	} else if (strcmp(name, "truncated-body") == 0) {
		std_params(&p, "/logout", "method");
		nv(&p, "REQUEST_METHOD", "POST");
		nv(&p, "CONTENT_TYPE", "application/x-www-form-urlencoded");
		nv(&p, "CONTENT_LENGTH", "100");
		begin(out, 1);
		record(out, PARAMS, 1, p.p, p.len);
		record(out, PARAMS, 1, "", 0);
		record(out, STDIN, 1, "csrf_token=abc&x=", 17);
		out->len -= 5;
		*half_close = 1;
	} else if (strcmp(name, "bogus-type") == 0) {
		std_params(&p, "/login", "");
		begin(out, 1);
		record(out, 99, 1, "garbage", 7);
		record(out, PARAMS, 1, p.p, p.len);
		record(out, PARAMS, 1, "", 0);
		record(out, 200, 1, "more", 4);
		record(out, STDIN, 1, "", 0);
	} else if (strcmp(name, "bogus-first") == 0) {
		std_params(&p, "/login", "");
		record(out, 99, 1, "garbage", 7);
		request(out, &p, NULL, 0);
		*half_close = 1;
	} else if (strcmp(name, "bad-version") == 0) {
		std_params(&p, "/login", "");
		request(out, &p, NULL, 0);
		out->p[0] = 2;		/* FastCGI version 2 */
		*half_close = 1;
	} else if (strcmp(name, "get-values") == 0) {
		nv(&p, "FCGI_MAX_CONNS", "");
		record(out, 9, 0, p.p, p.len);
		record(out, 42, 0, "x", 1);	/* unknown management type */
		*half_close = 1;
	} else if (strcmp(name, "wrong-id") == 0) {
		std_params(&p, "/login", "");
		begin(out, 1);
		record(out, PARAMS, 7, p.p, p.len);	/* another request's id */
		record(out, PARAMS, 1, p.p, p.len);
		record(out, PARAMS, 1, "", 0);
		record(out, STDIN, 1, "", 0);
	} else if (strcmp(name, "overflow-lengths") == 0) {
		/* nameLen + valueLen + 2 overflows an int (CVE-2025-23016). */
		unsigned char l[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff };

		put(&p, l, 8);
		for (int i = 0; i < 64; i++)
			put(&p, "AAAAAAAAAAAAAAAA", 16);
		begin(out, 1);
		record(out, PARAMS, 1, p.p, p.len);
		record(out, PARAMS, 1, "", 0);
		*half_close = 1;
	} else if (strcmp(name, "huge-length") == 0) {
		/* A 1 GiB param announced, 16 bytes sent. */
		unsigned char l[5] = { 0x0e, 0xc0, 0x00, 0x00, 0x00 };

		put(&p, l, 5);
		put(&p, "REQUEST_URI_____", 16);
		begin(out, 1);
		record(out, PARAMS, 1, p.p, p.len);
		record(out, PARAMS, 1, "", 0);
		*half_close = 1;
	} else if (strcmp(name, "cl-lies-long") == 0 ||
	    strcmp(name, "cl-lies-short") == 0 ||
	    strcmp(name, "cl-garbage") == 0) {
		const char *cl = strcmp(name, "cl-lies-long") == 0 ? "1000000" :
		    strcmp(name, "cl-lies-short") == 0 ? "1" : "-1x";

		std_params(&p, "/logout", "method");
		nv(&p, "REQUEST_METHOD", "POST");
		nv(&p, "CONTENT_TYPE", "application/x-www-form-urlencoded");
		nv(&p, "CONTENT_LENGTH", cl);
		request(out, &p, "csrf_token=x&a=1", 16);
	} else if (strcmp(name, "abort") == 0) {
		unsigned char none[1];

		std_params(&p, "/login", "");
		begin(out, 1);
		record(out, PARAMS, 1, p.p, p.len);
		record(out, 2, 1, none, 0);	/* FCGI_ABORT_REQUEST */
		record(out, PARAMS, 1, "", 0);
		record(out, STDIN, 1, "", 0);
	} else if (strcmp(name, "two-begins") == 0) {
		std_params(&p, "/login", "");
		begin(out, 1);
		begin(out, 2);
		record(out, PARAMS, 1, p.p, p.len);
		record(out, PARAMS, 1, "", 0);
		record(out, STDIN, 1, "", 0);
	} else if (strcmp(name, "stall-params") == 0) {
		/* Half a params record, then silence with the connection
		 * open: the worker must give up, not wait for ever. */
		std_params(&p, "/login", "");
		begin(out, 1);
		record(out, PARAMS, 1, p.p, p.len);
		out->len -= p.len / 2;
	} else if (strcmp(name, "stall-body") == 0) {
		std_params(&p, "/logout", "method");
		nv(&p, "REQUEST_METHOD", "POST");
		nv(&p, "CONTENT_TYPE", "application/x-www-form-urlencoded");
		nv(&p, "CONTENT_LENGTH", "100");
		begin(out, 1);
		record(out, PARAMS, 1, p.p, p.len);
		record(out, PARAMS, 1, "", 0);
		record(out, STDIN, 1, "csrf_token=abc", 14);
	} else {
		free(p.p);
		return -1;
	}
	free(p.p);
	return 0;
}

static int
read_full(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
		if (r == 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct buf out = { 0 }, got = { 0 };
	struct timeval tv = { 10, 0 };
	int fd, half_close, r = 0, unknown = 0;

	if (argc == 3 && strcmp(argv[2], "list") == 0) {
		for (int i = 0; cases[i] != NULL; i++)
			puts(cases[i]);
		return 0;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: fcgi-raw SOCKET CASE [SECONDS]\n");
		return 1;
	}
	if (argc == 4)
		tv.tv_sec = atol(argv[3]);
	if (build(argv[2], &out, &half_close) < 0) {
		fprintf(stderr, "fcgi-raw: unknown case %s\n", argv[2]);
		return 1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror(argv[1]);
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* The worker may answer (and close) before reading everything. */
	for (size_t off = 0; off < out.len;) {
		ssize_t w = send(fd, out.p + off, out.len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (half_close)
		shutdown(fd, SHUT_WR);
	for (;;) {
		unsigned char h[8], content[65536 + 256];
		size_t clen, plen;

		if ((r = read_full(fd, h, 8)) < 0)
			break;
		clen = (size_t)h[4] << 8 | h[5];
		plen = h[6];
		if ((r = read_full(fd, content, clen + plen)) < 0)
			break;
		if (h[1] == STDOUT)
			put(&got, content, clen);
		else if (h[1] == UNKNOWN_TYPE)
			unknown = 1;
		else if (h[1] == END)
			break;
	}
	close(fd);
	if (got.len > 0) {
		put(&got, "", 1);
		if (strncmp((char *)got.p, "Status: ", 8) == 0)
			printf("status %.3s\n", (char *)got.p + 8);
		else
			printf("status 200\n");	/* CGI: no Status is 200 */
	} else if (unknown)
		printf("unknown-type\n");
	else if (r == -2)
		printf("timeout\n");
	else
		printf("closed\n");
	free(out.p);
	free(got.p);
	return 0;
}
