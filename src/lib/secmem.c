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

void *
hk_secmem_alloc(size_t n)
{
	size_t size = hk_secmem_size(n);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
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
	hk_wipe(p, size);
	if (munmap(p, size) != 0)
		hk_fatal("munmap of a secret block failed: %s", strerror(errno));
}
