/* buf.h - a growable byte buffer, always NUL-terminated.
 *
 * The buffer owns data; hk_buf_free releases it, hk_buf_steal hands it to
 * the caller (who frees it).  Growth is fatal on allocation failure (mem.h).
 *
 * Two properties are chosen once, with hk_buf_init, and kept for the
 * buffer's life (hk_buf_free and hk_buf_reset leave them as they are):
 *   - a cap: the most bytes the buffer may hold (curl's dynbuf "toobig").
 *     hk_buf_add refuses to go beyond it and leaves the buffer as it was,
 *     so input from the network cannot grow memory without bound.  The
 *     unchecked appends (hk_buf_append, _puts, _putc, _printf, _reserve)
 *     are for callers that bound their input themselves: past the cap they
 *     are a programming error and fatal.
 *   - HK_BUF_SECRET, for anything that may hold a password, key or token:
 *     the memory comes from secmem.h (left out of core dumps), growing
 *     copies into a new block and wipes the old one before releasing it
 *     (never realloc, which would leave the old copy behind), and reset
 *     and free wipe too.
 * A buffer from HK_BUF_INIT (or all zeros) has no cap and is not secret.
 */
#ifndef HK_BUF_H
#define HK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct hk_buf {
	char *data;	/* NULL until the first append */
	size_t len;
	size_t cap;	/* bytes allocated at data */
	size_t max;	/* most bytes of content; 0: no cap */
	unsigned flags;	/* HK_BUF_SECRET */
};

#define HK_BUF_INIT { NULL, 0, 0, 0, 0 }

/* The buffer may hold a secret: wiped on grow, reset and free. */
#define HK_BUF_SECRET 0x1u

/* Makes *b an empty buffer holding at most max bytes (0: no cap) with the
 * given flags.  Nothing is allocated yet. */
void hk_buf_init(struct hk_buf *b, size_t max, unsigned flags);

/* Appends n bytes: 0, or -1 when that would take the buffer past its cap
 * (the buffer is left exactly as it was). */
int hk_buf_add(struct hk_buf *b, const void *p, size_t n)
	__attribute__((warn_unused_result));

void hk_buf_append(struct hk_buf *b, const void *p, size_t n);
void hk_buf_puts(struct hk_buf *b, const char *s);
void hk_buf_putc(struct hk_buf *b, char c);
void hk_buf_printf(struct hk_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hk_buf_vprintf(struct hk_buf *b, const char *fmt, va_list ap);
/* Makes room for extra more bytes (and the terminator) at once, so that
 * appending them allocates nothing. */
void hk_buf_reserve(struct hk_buf *b, size_t extra);
/* Empties the buffer and keeps its memory (wiped first when secret). */
void hk_buf_reset(struct hk_buf *b);
/* The contents as a string ("" when empty); valid until the next change. */
const char *hk_buf_str(const struct hk_buf *b);
/* Releases the memory, wiping it first when the buffer is secret;
 * hk_buf_wipe_free always wipes.  The buffer is empty afterwards and may
 * be used again (same cap and flags). */
void hk_buf_free(struct hk_buf *b);
void hk_buf_wipe_free(struct hk_buf *b);
/* Returns the NUL-terminated contents for the caller to free; empties b.
 * From a secret buffer this is a copy in ordinary memory (the buffer's
 * own block is wiped and released): free it with hk_free_secret. */
char *hk_buf_steal(struct hk_buf *b);

#endif
