/* ctl_input.c - reading a secret from hikyakuctl's standard input or
 * another file descriptor. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "buf.h"
#include "ctl.h"
#include "mem.h"

char *
hk_ctl_read_secret(void)
{
	return hk_ctl_read_secret_fd(STDIN_FILENO);
}

char *
hk_ctl_read_secret_fd(int fd)
{
	/* A secret buffer (wiped on grow, out of core dumps), capped so
	 * that a longer line is refused, not truncated.  One more byte for
	 * the CR of a CRLF line end.  read(2) one byte at a time rather
	 * than stdio: stdin's buffer would keep a copy nobody wipes. */
	struct hk_buf line;
	bool too_long = false, got = false;
	char c;
	ssize_t n;
	char *out = NULL;

	hk_buf_init(&line, HK_CTL_SECRET_MAX + 1, HK_BUF_SECRET);
	while ((n = read(fd, &c, 1)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got = true;
		if (c == '\n')
			break;
		if (!too_long && hk_buf_add(&line, &c, 1) < 0)
			too_long = true;	/* the rest of the line is read, never kept */
	}
	if (line.len > 0 && line.data[line.len - 1] == '\r')
		line.data[--line.len] = '\0';
	if (!got) {
		errno = ENODATA;
	} else if (too_long || line.len > HK_CTL_SECRET_MAX) {
		errno = E2BIG;
	} else {
		out = hk_buf_steal(&line);	/* for hk_free_secret */
	}
	c = 0;
	hk_buf_free(&line);
	return out;
}
