/* sizefmt.c - message sizes in human units. */
#include "config.h"

#include <stdio.h>

#include "sizefmt.h"

char *
hk_size_format(unsigned long long bytes, char *out, size_t outlen)
{
	unsigned long long unit, tenths;
	const char *name;

	if (bytes >= 1024ULL * 1024) {
		unit = 1024ULL * 1024;
		name = "MB";
	} else if (bytes >= 1024) {
		unit = 1024;
		name = "KB";
	} else {
		snprintf(out, outlen, "%llu byte%s", bytes, bytes == 1 ? "" : "s");
		return out;
	}
	/* Cut (not round) to one decimal: 1048575 is 1023.9 KB, not 1 MB. */
	tenths = bytes / unit * 10 + bytes % unit * 10 / unit;
	if (tenths % 10 == 0)
		snprintf(out, outlen, "%llu %s", tenths / 10, name);
	else
		snprintf(out, outlen, "%llu.%llu %s", tenths / 10, tenths % 10,
		    name);
	return out;
}
