/* nocore.c - no core dumps (RLIMIT_CORE, PR_SET_DUMPABLE). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "nocore.h"

int
hk_nocore(void)
{
	const char *keep = getenv(HK_NOCORE_ENV);
	struct rlimit none = { 0, 0 };

	if (keep != NULL && strcmp(keep, "1") == 0)
		return 1;
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return -1;
	/* Without this a core could still go to a pipe (core_pattern "|"),
	 * which ignores RLIMIT_CORE. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return 0;
}
