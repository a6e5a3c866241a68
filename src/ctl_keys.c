/* ctl_keys.c - (to be written) */
#include "config.h"

#include <stdio.h>

#include "ctl.h"

int
ctl_rotate_key(const struct hk_config *cfg, int argc, char **argv)
{
	fprintf(stderr, "hikyakuctl: %s: not available yet\n", argv[0]);
	return HK_EXIT_USAGE;
}
