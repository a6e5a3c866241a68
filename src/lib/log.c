/* log.c - one-line log messages on stderr. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "hikyaku";
static enum hk_log_level log_max = HK_LOG_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
hk_log_init(const char *prog)
{
	log_prog = prog;
}

void
hk_log_set_level(enum hk_log_level level)
{
	log_max = level;
}

static void
log_v(enum hk_log_level level, const char *fmt, va_list ap)
{
	char line[2048], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s[%ld] %s: ", stamp, log_prog,
	    (long)getpid(), level_names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One write per line keeps lines from several workers whole. */
	n = (int)strlen(line);
	/* Control characters would let a peer forge log lines. */
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			line[i] = '?';
	if ((size_t)n < sizeof(line) - 1)
		line[n++] = '\n';
	else
		line[sizeof(line) - 2] = '\n', n = (int)sizeof(line) - 1;
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

void
hk_log(enum hk_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	log_v(level, fmt, ap);
	va_end(ap);
}

void
hk_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(HK_LOG_ERR, fmt, ap);
	va_end(ap);
	abort();
}
