/* tokenpeer.c - a scripted HTTPS endpoint for the OAuth 2.0 client's
 * tests (tests/unit/test_oauth2_http.c): the answers a real authorization
 * server does not give on request - hanging, garbage, a 500, an oversized
 * body, a redirect - next to plain good and error answers.  Real
 * behaviour is tested against a real authorization server; this only
 * plays what that cannot.
 *
 *   tokenpeer -c CERT -k KEY [-l LOGFILE]
 *
 * Listens on 127.0.0.1 (an ephemeral port, printed on the first line of
 * standard output), serves TLS with CERT and KEY (PEM), and answers each
 * connection in a child process by the request's path (the table below).
 * Each request is logged to LOGFILE as three lines: "REQ METHOD PATH",
 * "AUTH <Authorization header or ->" and "BODY <body>".
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_REQUEST 16384
#define BIG_BODY (100 * 1024)

enum special { PLAIN, HANG, BIG };

static const struct answer {
	const char *path;
	enum special special;
	int status;
	const char *headers;	/* extra header lines, each ending in CRLF */
	const char *body;
} answers[] = {
	{ "/token", PLAIN, 200, "",
	  "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
	  "\"refresh_token\":\"rt-2\",\"scope\":\"mail offline_access\"}" },
	{ "/norotate", PLAIN, 200, "",
	  "{\"access_token\":\"at-3\",\"token_type\":\"Bearer\",\"expires_in\":60}" },
	{ "/garbage", PLAIN, 200, "", "<html><body>Sign in</body></html>" },
	{ "/500", PLAIN, 500, "", "<html><body>Internal Server Error</body></html>" },
	{ "/invalid_grant", PLAIN, 400, "",
	  "{\"error\":\"invalid_grant\",\"error_description\":"
	  "\"AADSTS70008: The refresh token has expired.\"}" },
	{ "/device", PLAIN, 200, "",
	  "{\"device_code\":\"dc-1\",\"user_code\":\"ABCD-EFGH\","
	  "\"verification_uri\":\"https://127.0.0.1/device\","
	  "\"expires_in\":600,\"interval\":1}" },
	{ "/pending", PLAIN, 400, "", "{\"error\":\"authorization_pending\"}" },
	{ "/slow_down", PLAIN, 400, "", "{\"error\":\"slow_down\"}" },
	{ "/denied", PLAIN, 400, "",
	  "{\"error\":\"access_denied\",\"error_description\":\"The user said no.\"}" },
	{ "/redirect", PLAIN, 302, "Location: /token\r\n", "" },
	{ "/revoke", PLAIN, 200, "", "" },
	{ "/big", BIG, 200, "", NULL },
	{ "/hang", HANG, 0, "", NULL },
};

static FILE *log_file;

static int
ssl_write_all(SSL *ssl, const char *p, size_t n)
{
	while (n > 0) {
		int w = SSL_write(ssl, p, n > 16384 ? 16384 : (int)n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads the request head and the body its Content-Length announces into
 * buf; returns the body's offset, or -1. */
static int
read_request(SSL *ssl, char *buf, size_t cap, size_t *len_r)
{
	size_t len = 0, want;
	char *end, *cl;
	int r;

	for (;;) {
		if (len + 1 >= cap)
			return -1;
		if ((r = SSL_read(ssl, buf + len, (int)(cap - 1 - len))) <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	cl = strcasestr(buf, "\r\nContent-Length:");
	want = (size_t)(end + 4 - buf) +
	    (cl != NULL && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
	while (len < want && len + 1 < cap) {
		if ((r = SSL_read(ssl, buf + len, (int)(cap - 1 - len))) <= 0)
			return -1;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*len_r = len;
	return (int)(end + 4 - buf);
}

static void
log_request(char *buf, int body_at)
{
	char *line_end = strstr(buf, "\r\n"), *auth;
	size_t auth_len = 0;

	if (log_file == NULL)
		return;
	auth = strcasestr(buf, "\r\nAuthorization: ");
	if (auth != NULL && auth < buf + body_at) {
		auth += 17;
		auth_len = strcspn(auth, "\r\n");
	}
	fprintf(log_file, "REQ %.*s\nAUTH %.*s\nBODY %s\n",
	    (int)(line_end - buf), buf, auth != NULL ? (int)auth_len : 1,
	    auth != NULL ? auth : "-", buf + body_at);
	fflush(log_file);
}

static void
answer(SSL *ssl, const struct answer *a)
{
	char head[512], *big = NULL;
	const char *body = a->body;
	size_t n;

	if (a->special == HANG) {	/* until the client gives up */
		char c;

		while (SSL_read(ssl, &c, 1) > 0)
			;
		return;
	}
	if (a->special == BIG) {
		big = malloc(BIG_BODY + 1);
		if (big == NULL)
			return;
		memset(big, ' ', BIG_BODY);
		memcpy(big, "{\"access_token\":\"", 17);
		memcpy(big + BIG_BODY - 2, "\"}", 2);
		big[BIG_BODY] = '\0';
		body = big;
	}
	n = strlen(body);
	snprintf(head, sizeof(head), "HTTP/1.1 %d Scripted\r\nContent-Type: "
	    "%s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
	    a->status, body[0] == '{' ? "application/json" : "text/html", n,
	    a->headers);
	if (ssl_write_all(ssl, head, strlen(head)) == 0)
		(void)ssl_write_all(ssl, body, n);
	free(big);
}

static void
serve(SSL_CTX *ctx, int fd)
{
	static char buf[MAX_REQUEST];
	const struct answer *a = NULL;
	char path[256] = "";
	size_t len, i;
	int body_at;
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1)
		goto out;	/* e.g. the client refused our certificate */
	if ((body_at = read_request(ssl, buf, sizeof(buf), &len)) < 0)
		goto out;
	log_request(buf, body_at);
	if (sscanf(buf, "%*s %255s", path) != 1)
		goto out;
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
		if (strcmp(path, answers[i].path) == 0)
			a = &answers[i];
	if (a != NULL) {
		answer(ssl, a);
	} else {
		const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n";

		(void)ssl_write_all(ssl, nf, strlen(nf));
	}
	SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	close(fd);
}

int
main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	SSL_CTX *ctx;
	int opt, lfd, fd;

	while ((opt = getopt(argc, argv, "c:k:l:")) != -1) {
		switch (opt) {
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'l':
			if ((log_file = fopen(optarg, "a")) == NULL) {
				perror(optarg);
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	if (cert == NULL || key == NULL) {
		fprintf(stderr, "usage: tokenpeer -c CERT -k KEY [-l LOGFILE]\n");
		return 2;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 16) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("tokenpeer");
		return 2;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		switch (fork()) {
		case 0:
			prctl(PR_SET_PDEATHSIG, SIGKILL);	/* go with us */
			close(lfd);
			serve(ctx, fd);
			_exit(0);
		case -1:
			perror("fork");
			break;
		}
		close(fd);
	}
}
