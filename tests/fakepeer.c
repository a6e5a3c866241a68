/* fakepeer.c - a scripted mail server for the tests that real servers
 * cannot do (tests/integration/t-faults.sh): never answering, a 1 MB
 * line, a garbled SASL challenge, STARTTLS refused, a greeting without an
 * APOP time stamp, a 552 after DATA within the announced SIZE, and fetch
 * servers that lie about sizes and unique ids.  Real behaviour is tested against real servers
 * (tests/peers/mailpeers); this only plays misbehaviour.
 *
 *   fakepeer [-c] [-n CONNECTIONS] [-l LOGFILE] SCRIPT
 *
 * Listens on 127.0.0.1 (an ephemeral port, printed on the first line of
 * standard output once listening), then plays SCRIPT once per connection,
 * CONNECTIONS times (default: until killed); one connection after the
 * other, or with -c all at once, each in a child process (bench/
 * fetch-scale: many clients of a slow server).  Script lines:
 *
 *   send TEXT      send TEXT and CRLF (\r, \n, \\ and \t are unescaped)
 *   raw TEXT       send TEXT without CRLF
 *   repeat N C     send the character C N times (no CRLF)
 *   expect PREFIX  read a line; unless it starts with PREFIX (case-
 *                  insensitive) log "MISMATCH" and drop the connection
 *   read           read a line
 *   data           read lines up to a line "." (an SMTP DATA body),
 *                  logged as one "C: <N lines>"
 *   hang           read until the client closes (never answers)
 *   sleep MS       wait MS milliseconds
 *   close          close the connection
 *   # ...          a comment
 *
 * Every line read is logged as "C: line" to LOGFILE (default: none), and
 * every connection's end as "END".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;

static void
logline(const char *fmt, ...)
{
	va_list ap;

	if (log_file == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads one line (without CRLF) into buf; -1 at EOF or error. */
static int
read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = recv(fd, &c, 1, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

static size_t
unescape(const char *in, char *out)
{
	size_t n = 0;

	for (; *in != '\0'; in++) {
		if (*in == '\\' && in[1] != '\0') {
			in++;
			out[n++] = *in == 'r' ? '\r' : *in == 'n' ? '\n' :
			    *in == 't' ? '\t' : *in;
		} else
			out[n++] = *in;
	}
	out[n] = '\0';
	return n;
}

static void
play(int fd, char **lines, size_t nlines)
{
	char buf[65536], out[8192];

	for (size_t i = 0; i < nlines; i++) {
		char *l = lines[i], *arg = strchr(l, ' ');
		size_t n;

		arg = arg != NULL ? arg + 1 : l + strlen(l);
		if (l[0] == '#' || l[0] == '\0')
			continue;
		if (strncmp(l, "send", 4) == 0 && (l[4] == ' ' || l[4] == '\0')) {
			n = unescape(arg, out);
			out[n++] = '\r';
			out[n++] = '\n';
			if (send_all(fd, out, n) < 0)
				break;
		} else if (strncmp(l, "raw ", 4) == 0) {
			n = unescape(arg, out);
			if (send_all(fd, out, n) < 0)
				break;
		} else if (strncmp(l, "repeat ", 7) == 0) {
			long count = strtol(arg, &arg, 10);
			char chunk[4096];

			memset(chunk, arg[0] == ' ' ? arg[1] : 'A', sizeof(chunk));
			while (count > 0) {
				size_t k = count > (long)sizeof(chunk) ?
				    sizeof(chunk) : (size_t)count;

				if (send_all(fd, chunk, k) < 0)
					break;
				count -= (long)k;
			}
		} else if (strncmp(l, "expect ", 7) == 0) {
			if (read_line(fd, buf, sizeof(buf)) < 0)
				break;
			logline("C: %s", buf);
			if (strncasecmp(buf, arg, strlen(arg)) != 0) {
				logline("MISMATCH: wanted %s", arg);
				break;
			}
		} else if (strcmp(l, "read") == 0) {
			if (read_line(fd, buf, sizeof(buf)) < 0)
				break;
			logline("C: %s", buf);
		} else if (strcmp(l, "data") == 0) {
			long body_lines = 0;
			int r;

			while ((r = read_line(fd, buf, sizeof(buf))) == 0 &&
			    strcmp(buf, ".") != 0)
				body_lines++;
			if (r < 0)
				break;
			logline("C: <%ld lines>", body_lines);
		} else if (strcmp(l, "hang") == 0) {
			while (read_line(fd, buf, sizeof(buf)) == 0)
				logline("C: %s", buf);
			break;
		} else if (strncmp(l, "sleep ", 6) == 0) {
			long ms = strtol(arg, NULL, 10);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		} else if (strcmp(l, "close") == 0) {
			break;
		} else {
			fprintf(stderr, "fakepeer: unknown script line: %s\n", l);
			exit(2);
		}
	}
	logline("END");
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char **lines = NULL, line[8192];
	size_t nlines = 0;
	long conns = -1;
	int c, fd, one = 1, concurrent = 0;
	FILE *f;

	while ((c = getopt(argc, argv, "cn:l:")) != -1) {
		switch (c) {
		case 'c': concurrent = 1; break;
		case 'n': conns = strtol(optarg, NULL, 10); break;
		case 'l':
			if ((log_file = fopen(optarg, "a")) == NULL) {
				perror(optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: fakepeer [-c] [-n N] [-l LOG] SCRIPT\n");
			return 2;
		}
	}
	if (optind != argc - 1 || (f = fopen(argv[optind], "r")) == NULL) {
		fprintf(stderr, "usage: fakepeer [-c] [-n N] [-l LOG] SCRIPT\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		lines = realloc(lines, (nlines + 1) * sizeof(*lines));
		if (lines == NULL || (lines[nlines] = strdup(line)) == NULL)
			return 2;
		nlines++;
	}
	fclose(f);

	signal(SIGPIPE, SIG_IGN);
	if (concurrent)
		signal(SIGCHLD, SIG_IGN);	/* no zombies */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("fakepeer");
		return 2;
	}
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	while (conns != 0) {
		int cfd = accept(fd, NULL, NULL);

		if (cfd < 0) {
			if (errno == EINTR)
				continue;
			perror("accept");
			return 2;
		}
		if (!concurrent)
			play(cfd, lines, nlines);
		else if (fork() == 0) {
			close(fd);
			play(cfd, lines, nlines);
			_exit(0);
		}
		close(cfd);
		if (conns > 0)
			conns--;
	}
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	return 0;
}
