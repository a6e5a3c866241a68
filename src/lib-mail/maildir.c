/* maildir.c - crash-safe delivery into a Maildir. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "mem.h"

static int
mkdir_p(const char *path, mode_t mode)
{
	char *p = hk_strdup(path);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

int
hk_maildir_open(struct hk_maildir *md, const char *path, char **err_r)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	struct stat st;

	memset(md, 0, sizeof(*md));
	md->new_fd = -1;
	if (mkdir_p(path, 0700) < 0 || stat(path, &st) < 0 ||
	    !S_ISDIR(st.st_mode)) {
		*err_r = hk_aprintf("cannot create the Maildir %s: %s", path,
		    strerror(errno ? errno : ENOTDIR));
		return -1;
	}
	for (size_t i = 0; i < 3; i++) {
		char *d = hk_aprintf("%s/%s", path, sub[i]);

		if (mkdir(d, 0700) < 0 && errno != EEXIST) {
			*err_r = hk_aprintf("cannot create %s: %s", d,
			    strerror(errno));
			free(d);
			return -1;
		}
		free(d);
	}
	md->path = hk_strdup(path);
	{
		char *d = hk_aprintf("%s/new", path);

		md->new_fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(d);
	}
	if (md->new_fd < 0) {
		*err_r = hk_aprintf("cannot open %s/new: %s", path,
		    strerror(errno));
		hk_maildir_close(md);
		return -1;
	}
	return 0;
}

void
hk_maildir_close(struct hk_maildir *md)
{
	if (md->new_fd >= 0)
		close(md->new_fd);
	free(md->path);
	md->path = NULL;
	md->new_fd = -1;
}

bool
hk_maildir_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 200 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static char *
tmp_path(const struct hk_maildir_msg *m)
{
	return hk_aprintf("%s/tmp/%s", m->md->path, m->name);
}

void
hk_maildir_clear_tmp(struct hk_maildir *md)
{
	char *dir = hk_aprintf("%s/tmp", md->path);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *f = hk_aprintf("%s/%s", dir, e->d_name);

		(void)unlink(f);
		free(f);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
}

int
hk_maildir_begin(struct hk_maildir *md, const char *name,
    struct hk_maildir_msg *m)
{
	char *p;

	m->md = md;
	m->fd = -1;
	m->err = 0;
	m->cr = false;
	m->bytes = 0;
	m->blen = 0;
	m->name = NULL;
	if (!hk_maildir_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	m->name = hk_strdup(name);
	p = tmp_path(m);
	m->fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	free(p);
	if (m->fd < 0) {
		int e = errno;

		free(m->name);
		m->name = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

static void
flush(struct hk_maildir_msg *m)
{
	size_t off = 0;

	while (off < m->blen && m->err == 0) {
		ssize_t n = write(m->fd, m->buf + off, m->blen - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			m->err = errno;
			break;
		}
		off += (size_t)n;
	}
	m->blen = 0;
}

void
hk_maildir_write(struct hk_maildir_msg *m, const void *p, size_t n)
{
	const char *s = p;

	m->bytes += n;
	while (n > 0 && m->err == 0) {
		size_t k = sizeof(m->buf) - m->blen;

		if (k > n)
			k = n;
		memcpy(m->buf + m->blen, s, k);
		m->blen += k;
		s += k;
		n -= k;
		if (m->blen == sizeof(m->buf))
			flush(m);
	}
}

void
hk_maildir_write_crlf(struct hk_maildir_msg *m, const void *p, size_t n)
{
	const char *s = p, *end = s + n;

	if (n == 0)
		return;
	if (m->cr) {
		/* The last chunk ended in CR: drop it if LF follows. */
		m->cr = false;
		if (*s != '\n')
			hk_maildir_write(m, "\r", 1);
	}
	while (s < end) {
		const char *q = memchr(s, '\r', (size_t)(end - s));

		if (q == NULL) {
			hk_maildir_write(m, s, (size_t)(end - s));
			break;
		}
		hk_maildir_write(m, s, (size_t)(q - s));
		if (q + 1 == end) {
			m->cr = true;	/* decided by the next chunk */
			break;
		}
		if (q[1] != '\n')
			hk_maildir_write(m, "\r", 1);
		s = q + 1;
	}
}

void
hk_maildir_abort(struct hk_maildir_msg *m)
{
	if (m->fd >= 0) {
		char *p = tmp_path(m);

		close(m->fd);
		unlink(p);
		free(p);
	}
	m->fd = -1;
	free(m->name);
	m->name = NULL;
}

int
hk_maildir_commit(struct hk_maildir_msg *m, bool sync)
{
	char *tp, *np;
	int rc = 0, e = 0;

	if (m->cr) {
		m->cr = false;
		hk_maildir_write(m, "\r", 1);
	}
	flush(m);
	if (m->err == 0 && sync && fdatasync(m->fd) < 0)
		m->err = errno;
	if (close(m->fd) < 0 && m->err == 0)
		m->err = errno;
	m->fd = -1;
	tp = tmp_path(m);
	np = hk_aprintf("%s/new/%s", m->md->path, m->name);
	if (m->err != 0) {
		e = m->err;
		rc = -1;
	} else if (link(tp, np) < 0) {
		if (errno == EEXIST)
			rc = 1;
		else {
			e = errno;
			rc = -1;
		}
	}
	unlink(tp);
	free(tp);
	free(np);
	free(m->name);
	m->name = NULL;
	errno = e;
	return rc;
}

int
hk_maildir_sync(struct hk_maildir *md)
{
	return fsync(md->new_fd);
}

bool
hk_maildir_has(struct hk_maildir *md, const char *name)
{
	char *p = hk_aprintf("%s/new/%s", md->path, name);
	size_t nl = strlen(name);
	struct stat st;
	bool found = stat(p, &st) == 0;
	DIR *d;
	struct dirent *de;

	free(p);
	if (found)
		return true;
	p = hk_aprintf("%s/cur", md->path);
	d = opendir(p);
	free(p);
	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, name, nl) == 0 &&
		    (de->d_name[nl] == '\0' || de->d_name[nl] == ':')) {
			found = true;
			break;
		}
	closedir(d);
	return found;
}
