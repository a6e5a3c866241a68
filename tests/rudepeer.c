/* rudepeer.c - a mail server that is rude in the two ways tests/fakepeer.c
 * cannot play (tests/integration/t-crash.sh): it resets the connection
 * in the middle of the dialogue (a TCP RST, not a polite close), or it
 * answers one byte at a time, slowly enough that every single read is
 * within its timeout but the dialogue never ends.
 *
 *   rudepeer STEP...
 *
 * Listens on 127.0.0.1 (an ephemeral port, printed on the first line of
 * standard output), and plays the steps on every connection, each in a
 * child process, until killed.  Steps:
 *
 *   send TEXT      send TEXT and CRLF
 *   read           read one line
 *   reset          close with SO_LINGER 0: the client sees a reset
 *   drip MS TEXT   send TEXT ("\n" is CRLF) one byte every MS
 *                  milliseconds, over and over, until the client leaves
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

static int
read_line(int fd)
{
	char c;

	for (;;) {
		ssize_t r = recv(fd, &c, 1, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n')
			return 0;
	}
}

static void
play(int fd, int nsteps, char **steps)
{
	for (int i = 0; i < nsteps; i++) {
		const char *s = steps[i];

		if (strncmp(s, "send ", 5) == 0) {
			if (send_all(fd, s + 5, strlen(s + 5)) < 0 ||
			    send_all(fd, "\r\n", 2) < 0)
				return;
		} else if (strcmp(s, "read") == 0) {
			if (read_line(fd) < 0)
				return;
		} else if (strcmp(s, "reset") == 0) {
			struct linger l = { 1, 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			return;
		} else if (strncmp(s, "drip ", 5) == 0) {
			char *text;
			long ms = strtol(s + 5, &text, 10);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			text += *text == ' ';
			for (;;)
				for (const char *p = text; *p != '\0'; p++) {
					if ((*p == '\n' && send_all(fd, "\r", 1) < 0) ||
					    send_all(fd, p, 1) < 0)
						return;
					nanosleep(&ts, NULL);
				}
		} else {
			fprintf(stderr, "rudepeer: unknown step: %s\n", s);
			return;
		}
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, one = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: rudepeer STEP...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("rudepeer");
		return 2;
	}
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int cfd = accept(fd, NULL, NULL);

		if (cfd < 0) {
			if (errno == EINTR)
				continue;
			perror("accept");
			return 2;
		}
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);	/* go with the parent */
			close(fd);
			play(cfd, argc - 1, argv + 1);
			close(cfd);
			_exit(0);
		}
		close(cfd);
	}
}
