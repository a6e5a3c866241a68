/* freewatch.c - free, realloc and munmap wrapped (ld --wrap) to search
 * what is released for a needle (freewatch.h). */
#include "config.h"

#include <malloc.h>
#include <string.h>
#include <sys/mman.h>

#include "freewatch.h"

void __real_free(void *p);
void *__real_realloc(void *p, size_t n);
int __real_munmap(void *p, size_t n);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t n);
int __wrap_munmap(void *p, size_t n);

static const char *needle;
static size_t leaks, released;

static void
look(const void *p, size_t n)
{
	if (needle == NULL || p == NULL)
		return;
	released++;
	if (memmem(p, n, needle, strlen(needle)) != NULL)
		leaks++;
}

void
__wrap_free(void *p)
{
	if (p != NULL)
		look(p, malloc_usable_size(p));
	__real_free(p);
}

void *
__wrap_realloc(void *p, size_t n)
{
	if (p != NULL)
		look(p, malloc_usable_size(p));
	return __real_realloc(p, n);
}

int
__wrap_munmap(void *p, size_t n)
{
	look(p, n);
	return __real_munmap(p, n);
}

void
freewatch_start(const char *s)
{
	needle = s;
	leaks = released = 0;
}

size_t
freewatch_stop(size_t *released_r)
{
	needle = NULL;
	*released_r = released;
	return leaks;
}
