/* conntest-store.c - a connection test's result as the server's last
 * test (conntest.h): its report written out as XML text, stored by
 * servertest.c. */
#include "config.h"

#include "conntest.h"
#include "servertest.h"

int
hk_conntest_store(struct hk_db *db, long long server_id,
    const struct hk_conntest_result *res, xmlNodePtr result)
{
	xmlBufferPtr xb = xmlBufferCreate();
	int rc;

	xmlNodeDump(xb, result->doc, result, 0, 0);
	rc = hk_servertest_put(db, server_id, res->ok, res->summary,
	    (const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	return rc;
}
