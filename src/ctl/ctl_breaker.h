/* ctl_breaker.h - the mail servers that did not answer in this fetch run.
 *
 * With many accounts on one server that hangs, each of them would hold a
 * worker for the whole dialogue timeout, one after another, and the run
 * with them.  So the first account whose fetch fails slowly on the
 * server's side (a network failure after CTL_BREAKER_SLOW_S or more)
 * "trips" its server, and the run's other accounts on that server are
 * not tried until the trip has lasted hold_s seconds: they fail at once,
 * saying why, and are due again as any failed account is.
 *
 * The table is shared by the worker processes that `fetch --all --jobs N`
 * forks (an anonymous shared mapping made before forking), so one worker
 * learns what another found.  Each process on another host learns it
 * for itself, at the cost of one timeout.
 */
#ifndef HK_CTL_BREAKER_H
#define HK_CTL_BREAKER_H

#include <stdbool.h>

/* A failure that took at least this long trips its server. */
#define CTL_BREAKER_SLOW_S 10

struct ctl_breaker;

/* A table whose trips last hold_s seconds, to be shared with processes
 * forked after this call.  NULL when the mapping fails (the run then goes
 * on without one).  Free with ctl_breaker_free (in the process that made
 * it; forked ones just exit). */
struct ctl_breaker *ctl_breaker_new(long long hold_s);
void ctl_breaker_free(struct ctl_breaker *b);

/* Records that server_id failed slowly at now (a server tripped before
 * keeps its entry, restarted).  A full table (256 servers) keeps the
 * ones it has. */
void ctl_breaker_trip(struct ctl_breaker *b, long long server_id,
    long long now);

/* Whether server_id was tripped less than hold_s seconds before now; if
 * so and since_r is not NULL, *since_r is when. */
bool ctl_breaker_tripped(const struct ctl_breaker *b, long long server_id,
    long long now, long long *since_r);

#endif
