/* mem.h - allocation that never returns NULL, and secret hygiene.
 *
 * Allocation failure is fatal (hk_fatal): a worker that cannot allocate is
 * restarted by the master, which is safer than limping on.  Everything
 * returned here is freed with free().
 */
#ifndef HK_MEM_H
#define HK_MEM_H

#include <stddef.h>

void *hk_malloc(size_t n);
void *hk_calloc(size_t nmemb, size_t size);
void *hk_realloc(void *p, size_t n);
char *hk_strdup(const char *s);
/* Copies at most n bytes of s and terminates the copy. */
char *hk_strndup(const char *s, size_t n);
/* Like asprintf; the result is the caller's to free. */
char *hk_aprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Overwrites n bytes in a way the compiler cannot drop. */
void hk_wipe(void *p, size_t n);
/* Wipes a NUL-terminated string and frees it; NULL is fine. */
void hk_free_secret(char *s);
/* Constant-time comparison of n bytes: 1 when equal. */
int hk_ct_equal(const void *a, const void *b, size_t n);
/* Fills p with n bytes from the OpenSSL CSPRNG; fatal on failure. */
void hk_random(void *p, size_t n);

#endif
