/* buf.c - a growable byte buffer, always NUL-terminated. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mem.h"

static void
buf_reserve(struct hk_buf *b, size_t extra)
{
	size_t need;

	if (extra > (size_t)-1 - b->len - 1)
		hk_fatal("buffer size overflow");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	b->data = hk_realloc(b->data, cap);
	b->cap = cap;
}

void
hk_buf_append(struct hk_buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
hk_buf_puts(struct hk_buf *b, const char *s)
{
	hk_buf_append(b, s, strlen(s));
}

void
hk_buf_putc(struct hk_buf *b, char c)
{
	hk_buf_append(b, &c, 1);
}

void
hk_buf_vprintf(struct hk_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		hk_fatal("hk_buf_printf: bad format");
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
hk_buf_printf(struct hk_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hk_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
hk_buf_reset(struct hk_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

const char *
hk_buf_str(const struct hk_buf *b)
{
	return b->data != NULL ? b->data : "";
}

void
hk_buf_free(struct hk_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
hk_buf_wipe_free(struct hk_buf *b)
{
	hk_wipe(b->data, b->cap);
	hk_buf_free(b);
}

char *
hk_buf_steal(struct hk_buf *b)
{
	char *p = b->data != NULL ? b->data : hk_strdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
