/* ctl_breaker.c - the mail servers that did not answer in this fetch run
 * (ctl_breaker.h). */
#include "config.h"

#include <stddef.h>
#include <sys/mman.h>

#include "ctl_breaker.h"

#define TRIPS_MAX 256

/* Writers reserve a slot with one atomic add, fill in the server, then
 * publish the time; a reader takes a slot with no time as empty. */
struct ctl_breaker {
	long long hold_s;
	unsigned int used;
	struct trip {
		long long server_id;
		long long at;		/* 0: not published yet */
	} trips[TRIPS_MAX];
};

struct ctl_breaker *
ctl_breaker_new(long long hold_s)
{
	struct ctl_breaker *b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		return NULL;
	b->hold_s = hold_s;	/* the mapping starts zeroed */
	return b;
}

void
ctl_breaker_free(struct ctl_breaker *b)
{
	if (b != NULL)
		(void)munmap(b, sizeof(*b));
}

void
ctl_breaker_trip(struct ctl_breaker *b, long long server_id, long long now)
{
	unsigned int i, n;

	if (b == NULL || ctl_breaker_tripped(b, server_id, now, NULL))
		return;
	if (now <= 0)
		now = 1;
	/* A server tripped before (a service's earlier round) keeps its
	 * slot, so that the table holds servers, not trips. */
	n = __atomic_load_n(&b->used, __ATOMIC_ACQUIRE);
	for (i = 0; i < n && i < TRIPS_MAX; i++)
		if (__atomic_load_n(&b->trips[i].at, __ATOMIC_ACQUIRE) != 0 &&
		    b->trips[i].server_id == server_id) {
			__atomic_store_n(&b->trips[i].at, now,
			    __ATOMIC_RELEASE);
			return;
		}
	i = __atomic_fetch_add(&b->used, 1, __ATOMIC_ACQ_REL);
	if (i >= TRIPS_MAX)
		return;
	b->trips[i].server_id = server_id;
	__atomic_store_n(&b->trips[i].at, now, __ATOMIC_RELEASE);
}

bool
ctl_breaker_tripped(const struct ctl_breaker *b, long long server_id,
    long long now, long long *since_r)
{
	unsigned int n;

	if (b == NULL)
		return false;
	n = __atomic_load_n(&b->used, __ATOMIC_ACQUIRE);
	if (n > TRIPS_MAX)
		n = TRIPS_MAX;
	/* The latest entry of the server counts (two workers tripping it
	 * at once may both have added one). */
	for (unsigned int i = n; i-- > 0;) {
		long long at = __atomic_load_n(&b->trips[i].at,
		    __ATOMIC_ACQUIRE);

		if (at == 0 || b->trips[i].server_id != server_id)
			continue;
		if (now - at >= b->hold_s)
			return false;
		if (since_r != NULL)
			*since_r = at;
		return true;
	}
	return false;
}
