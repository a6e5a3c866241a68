/* health.c - a mail server's health from real sending and receiving:
 * what the server said made safe to store (healthdb.c stores it). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "msgheaders.h"

void
hk_health_record(struct hk_db *db, long long server_id,
    enum hk_health_end end, bool ok, const char *error, const char *reply)
{
	char *e, *r;

	if (ok) {
		hk_healthdb_record(db, server_id, end, true, NULL, NULL);
		return;
	}
	/* Server replies are untrusted bytes: valid UTF-8 only. */
	e = hk_header_clean(error ? error : "", error ? strlen(error) : 0);
	r = reply != NULL ? hk_header_clean(reply, strlen(reply)) : NULL;
	hk_healthdb_record(db, server_id, end, false, e, r);
	free(e);
	free(r);
}
