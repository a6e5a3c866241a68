/* buf.h - a growable byte buffer, always NUL-terminated.
 *
 * The buffer owns data; hk_buf_free releases it, hk_buf_steal hands it to
 * the caller (who frees it).  Growth is fatal on allocation failure (mem.h).
 */
#ifndef HK_BUF_H
#define HK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct hk_buf {
	char *data;	/* NULL until the first append */
	size_t len;
	size_t cap;
};

#define HK_BUF_INIT { NULL, 0, 0 }

void hk_buf_append(struct hk_buf *b, const void *p, size_t n);
void hk_buf_puts(struct hk_buf *b, const char *s);
void hk_buf_putc(struct hk_buf *b, char c);
void hk_buf_printf(struct hk_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hk_buf_vprintf(struct hk_buf *b, const char *fmt, va_list ap);
/* Empties the buffer and keeps its memory. */
void hk_buf_reset(struct hk_buf *b);
/* The contents as a string ("" when empty); valid until the next change. */
const char *hk_buf_str(const struct hk_buf *b);
/* Releases the memory (wiping it first with hk_buf_wipe_free). */
void hk_buf_free(struct hk_buf *b);
void hk_buf_wipe_free(struct hk_buf *b);
/* Returns the NUL-terminated contents for the caller to free; empties b. */
char *hk_buf_steal(struct hk_buf *b);

#endif
