/* fsyncdir.c - making a change to a folder's entries durable. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fsyncdir.h"

int
hk_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
