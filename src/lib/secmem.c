/* secmem.c - page mappings for secrets: out of core dumps, wiped on free. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "secmem.h"

static size_t
page_size(void)
{
	static size_t page;

	if (page == 0) {
		long v = sysconf(_SC_PAGESIZE);

		page = v > 0 ? (size_t)v : 4096;
	}
	return page;
}

size_t
hk_secmem_size(size_t n)
{
	size_t page = page_size();

	if (n == 0)
		return page;
	if (n > (size_t)-1 - (page - 1))
		hk_fatal("secure memory size overflow");
	return (n + page - 1) / page * page;
}

/* Wiped one-page blocks kept for reuse: a request uses a few secret
 * buffers of one page (the head, the headers, the form value), and two
 * system calls for each would show in the request rate.  The blocks keep
 * their MADV_DONTDUMP mark and hold nothing but zeros while kept. */
#define SPARE_MAX 8
static void *spare[SPARE_MAX];
static size_t n_spare, spare_max = SPARE_MAX;

void
hk_secmem_set_spares(size_t max)
{
	spare_max = max < SPARE_MAX ? max : SPARE_MAX;
	while (n_spare > spare_max) {
		void *p = spare[--n_spare];

		if (munmap(p, page_size()) != 0)
			hk_fatal("munmap of a secret block failed: %s",
			    strerror(errno));
	}
}

void *
hk_secmem_alloc(size_t n)
{
	size_t size = hk_secmem_size(n);
	void *p;

	if (size == page_size() && n_spare > 0)
		return spare[--n_spare];
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		hk_fatal("out of memory (%zu bytes for a secret): %s", size,
		    strerror(errno));
#ifdef MADV_DONTDUMP
	(void)madvise(p, size, MADV_DONTDUMP);
#endif
	return p;
}

void
hk_secmem_free(void *p, size_t n)
{
	size_t size;

	if (p == NULL)
		return;
	size = hk_secmem_size(n);
	/* explicit_bzero: a wipe the compiler keeps, at memset's speed (a
	 * page a request adds up: OPENSSL_cleanse stores a word at a time),
	 * and it leaves the zeros a kept block must hold. */
	explicit_bzero(p, size);
	if (size == page_size() && n_spare < spare_max) {
		spare[n_spare++] = p;
		return;
	}
	if (munmap(p, size) != 0)
		hk_fatal("munmap of a secret block failed: %s", strerror(errno));
}
