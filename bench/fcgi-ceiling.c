/* fcgi-ceiling - the cheapest FastCGI responder we can write: the ceiling
 * that bench/screens compares hikyaku against.  It pre-forks like
 * hikyaku-fcgi and answers every request with a fixed HTML page of the
 * given size, so that the only difference measured is hikyaku's own work.
 *
 *   fcgi-ceiling SOCKET_PATH WORKERS BODY_BYTES
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

int
main(int argc, char **argv)
{
	FCGX_Request r;
	char *body, head[128];
	long workers, size;
	int fd, hlen;

	if (argc != 4 || (workers = atol(argv[2])) < 1 || (size = atol(argv[3])) < 1) {
		fprintf(stderr, "usage: fcgi-ceiling SOCKET WORKERS BODY_BYTES\n");
		return 1;
	}
	body = malloc((size_t)size);
	if (body == NULL)
		return 1;
	memset(body, 'x', (size_t)size);
	hlen = snprintf(head, sizeof(head), "Status: 200 OK\r\nContent-Type: "
	    "text/html; charset=utf-8\r\nContent-Length: %ld\r\n\r\n", size);
	FCGX_Init();
	unlink(argv[1]);
	if ((fd = FCGX_OpenSocket(argv[1], 128)) < 0)
		return 1;
	chmod(argv[1], 0666);
	for (long i = 1; i < workers; i++)
		if (fork() == 0)
			break;
	FCGX_InitRequest(&r, fd, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutStr(head, hlen, r.out);
		FCGX_PutStr(body, (int)size, r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
