/* buf.c - a growable byte buffer, always NUL-terminated. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mem.h"
#include "secmem.h"

void
hk_buf_init(struct hk_buf *b, size_t max, unsigned flags)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->flags = flags;
}

/* Moves the contents to a block of cap bytes. */
static void
buf_move(struct hk_buf *b, size_t cap)
{
	char *p;

	if (!(b->flags & HK_BUF_SECRET)) {
		b->data = hk_realloc(b->data, cap);
		b->cap = cap;
		return;
	}
	/* Never realloc a secret: copy, then wipe the old block. */
	cap = hk_secmem_size(cap);
	p = hk_secmem_alloc(cap);
	if (b->data != NULL) {
		memcpy(p, b->data, b->len + 1);
		hk_secmem_free(b->data, b->cap);
	}
	b->data = p;
	b->cap = cap;
}

/* 0 when extra more bytes fit under the cap, -1 when not. */
static int
buf_fits(const struct hk_buf *b, size_t extra)
{
	if (b->max == 0)
		return 0;
	return b->len > b->max || extra > b->max - b->len ? -1 : 0;
}

static void
buf_grow(struct hk_buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > (size_t)-1 - b->len - 1)
		hk_fatal("buffer size overflow");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	/* No block larger than the cap (and its terminator) allows. */
	if (b->max != 0 && cap > b->max + 1)
		cap = b->max + 1;
	buf_move(b, cap);
}

void
hk_buf_reserve(struct hk_buf *b, size_t extra)
{
	if (buf_fits(b, extra) < 0)
		hk_fatal("buffer of at most %zu bytes asked for %zu more",
		    b->max, extra);
	buf_grow(b, extra);
}

int
hk_buf_add(struct hk_buf *b, const void *p, size_t n)
{
	if (buf_fits(b, n) < 0)
		return -1;
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void
hk_buf_append(struct hk_buf *b, const void *p, size_t n)
{
	if (hk_buf_add(b, p, n) < 0)
		hk_fatal("buffer of at most %zu bytes asked for %zu more",
		    b->max, n);
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
	hk_buf_reserve(b, (size_t)n);
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
	if (b->data == NULL)
		return;
	if (b->flags & HK_BUF_SECRET)
		hk_wipe(b->data, b->len);
	b->len = 0;
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
	if (b->flags & HK_BUF_SECRET)
		hk_secmem_free(b->data, b->cap);	/* wipes */
	else
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
	char *p;

	if (b->flags & HK_BUF_SECRET) {
		p = hk_malloc(b->len + 1);
		memcpy(p, hk_buf_str(b), b->len + 1);
		hk_buf_free(b);
		return p;
	}
	p = b->data != NULL ? b->data : hk_strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
