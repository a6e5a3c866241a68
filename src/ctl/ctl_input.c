/* ctl_input.c - reading a secret from hikyakuctl's standard input. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "ctl.h"
#include "mem.h"

char *
hk_ctl_read_secret(void)
{
	/* A fixed buffer: growing one would leave copies behind in freed
	 * memory that nobody wipes. */
	char line[HK_CTL_SECRET_MAX + 2];
	size_t n = 0;
	int c;
	char *out = NULL;

	while ((c = getchar()) != EOF && c != '\n') {
		if (n < sizeof(line) - 1)
			line[n] = (char)c;
		n++;
	}
	if (n == 0 && c == EOF) {
		errno = ENODATA;
	} else if (n > HK_CTL_SECRET_MAX + 1 ||
	    (n == HK_CTL_SECRET_MAX + 1 && line[n - 1] != '\r')) {
		errno = E2BIG;
	} else {
		if (n > 0 && line[n - 1] == '\r')
			n--;
		out = hk_strndup(line, n);
	}
	hk_wipe(line, sizeof(line));
	return out;
}
