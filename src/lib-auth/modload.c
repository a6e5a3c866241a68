/* modload.c - loading auth modules: the module set (modload.h, part 1). */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "modload.h"

/* Largest per-session state a module may ask for. */
#define MOD_STATE_MAX 65536

struct hk_modset_ent {
	struct hk_authmod desc;	/* our copy, zero-filled past the module's size */
	char *file;
	void *handle;
};

struct hk_modset {
	struct hk_modset_ent *v;
	size_t n, cap;
};

const char *
hk_authmod_kind_name(enum hk_authmod_kind kind)
{
	switch (kind) {
	case HK_AUTHMOD_KIND_SASL:
		return "smtp-auth";
	case HK_AUTHMOD_KIND_POP3:
		return "pop3-auth";
	case HK_AUTHMOD_KIND_PRESEND:
		return "pre-send";
	}
	return "unknown";
}

static int
valid_name(const char *s)
{
	size_t n;

	if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		char c = s[n];
		if (n >= 32 || !((c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* RFC 4422 §3.1: 1-20 characters of [A-Z0-9-_]. */
static int
valid_sasl_name(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		char c = s[n];
		if (n >= 20 || !((c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int
valid_title(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= 200 || (unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return 0;
	return 1;
}

/* Checks what the module's entry returned and copies it into *out.
 * Returns NULL, or why the descriptor is refused. */
static const char *
check_desc(const struct hk_authmod *d, struct hk_authmod *out,
    char *why, size_t why_len)
{
	/* The three frozen members first, before anything else is read. */
	if (d->abi_major != HK_AUTHMOD_ABI_MAJOR) {
		snprintf(why, why_len,
		    "it is built for module ABI %u.%u, we have %u.%u",
		    d->abi_major, d->abi_minor, HK_AUTHMOD_ABI_MAJOR,
		    HK_AUTHMOD_ABI_MINOR);
		return why;
	}
	if (d->abi_minor > HK_AUTHMOD_ABI_MINOR) {
		snprintf(why, why_len,
		    "it needs module ABI %u.%u, newer than ours (%u.%u): upgrade hikyaku",
		    d->abi_major, d->abi_minor, HK_AUTHMOD_ABI_MAJOR,
		    HK_AUTHMOD_ABI_MINOR);
		return why;
	}
	if (d->size < HK_AUTHMOD_SIZE_1_0) {
		snprintf(why, why_len,
		    "its descriptor is %u bytes, ABI 1.0 needs at least %zu",
		    d->size, (size_t)HK_AUTHMOD_SIZE_1_0);
		return why;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out, d, d->size < sizeof(*out) ? d->size : sizeof(*out));

	if (!valid_name(out->name))
		return "its name is missing or not 1-32 characters of [a-z0-9._-]";
	if (!valid_title(out->title))
		return "its title is missing, too long or holds control characters";
	if (out->kind != HK_AUTHMOD_KIND_SASL &&
	    out->kind != HK_AUTHMOD_KIND_POP3 &&
	    out->kind != HK_AUTHMOD_KIND_PRESEND)
		return "its kind is unknown";
	if (out->protocols == 0 || (out->protocols & ~(HK_AUTHMOD_PROTO_SMTP |
	    HK_AUTHMOD_PROTO_POP3 | HK_AUTHMOD_PROTO_IMAP)) != 0)
		return "its protocol set is empty or unknown";
	if (out->kind == HK_AUTHMOD_KIND_SASL ? !valid_sasl_name(out->sasl_name)
	    : out->sasl_name != NULL)
		return "its SASL mechanism name is missing, invalid, or set for a non-SASL kind";
	if (out->kind == HK_AUTHMOD_KIND_POP3 &&
	    !(out->protocols & HK_AUTHMOD_PROTO_POP3))
		return "a POP3 login module must serve POP3";
	if (out->state_size > MOD_STATE_MAX)
		return "its per-session state is larger than 64 KiB";
	if (out->step == NULL)
		return "it has no step function";
	return NULL;
}

static int
ends_with_so(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_ent(const void *a, const void *b)
{
	const struct hk_modset_ent *x = a, *y = b;

	return strcmp(x->desc.name, y->desc.name);
}

/* Who may own a module or its directory: root, or the user we run as
 * (who could load anything anyway).  Anyone else could swap the code. */
static bool
trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* Checks the module directory itself: a file whose directory others can
 * write can be replaced between our checks and any later reload. */
static const char *
check_dir(int dirfd, char *why, size_t why_len)
{
	struct stat st;

	if (fstat(dirfd, &st) < 0) {
		snprintf(why, why_len, "%s", strerror(errno));
		return why;
	}
	if (!trusted_owner(st.st_uid)) {
		snprintf(why, why_len, "it is owned by uid %u, neither root nor "
		    "the user hikyaku runs as (%u)", (unsigned)st.st_uid,
		    (unsigned)geteuid());
		return why;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, why_len, "it is group- or world-writable (mode %04o)",
		    (unsigned)(st.st_mode & 07777));
		return why;
	}
	return NULL;
}

/* Opens name in dirfd without following a symbolic link, and checks the
 * opened file (not the name, which could change meanwhile).  Returns the
 * descriptor, or -1 with *why_r set. */
static int
open_checked(int dirfd, const char *name, char *why, size_t why_len,
    const char **why_r)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO planted under a module's name must not hang
	 * the start-up; it is refused below as not a regular file. */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*why_r = errno == ELOOP ? "it is a symbolic link" : strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*why_r = strerror(errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*why_r = "not a regular file";
		close(fd);
		return -1;
	}
	if (!trusted_owner(st.st_uid)) {
		snprintf(why, why_len, "it is owned by uid %u, neither root nor "
		    "the user hikyaku runs as (%u)", (unsigned)st.st_uid,
		    (unsigned)geteuid());
		*why_r = why;
		close(fd);
		return -1;
	}
	/* Anyone who can write the file can run code in every worker. */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, why_len, "it is group- or world-writable (mode %04o)",
		    (unsigned)(st.st_mode & 07777));
		*why_r = why;
		close(fd);
		return -1;
	}
	return fd;
}

/* The dynamic loader knows a loaded object by the name it was opened
 * under, and hands back that object for the same name.  So that
 * "/proc/self/fd/N" never names two files in one process (an object kept
 * loaded after its descriptor closed, say), every load goes through a
 * descriptor numbered above all the ones used before.  fd is taken over
 * (closed); returns the new one, or -1 with errno. */
static int
fresh_name_fd(int fd)
{
	static int name_floor;	/* one process, one thread: no lock */
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, name_floor);
	int e = errno;

	close(fd);
	if (nfd < 0) {
		errno = e;
		return -1;
	}
	name_floor = nfd + 1;
	return nfd;
}

/* Loads one file into the set, or logs why not.  path names it in
 * messages; the code loaded is the file opened and checked (through
 * /proc/self/fd), never whatever the name points to by then. */
static void
load_one(struct hk_modset *set, int dirfd, const char *name,
    const char *path)
{
	const struct hk_authmod *(*entry)(void);
	const struct hk_authmod *d;
	struct hk_authmod desc;
	char why[256], self[64];
	const char *err;
	void *h;
	int fd;

	if ((fd = open_checked(dirfd, name, why, sizeof(why), &err)) < 0) {
		hk_warn("auth module %s refused: %s", path, err);
		return;
	}
	if ((fd = fresh_name_fd(fd)) < 0) {
		hk_warn("auth module %s refused: no descriptor left to load it "
		    "through: %s", path, strerror(errno));
		return;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	dlerror();
	h = dlopen(self, RTLD_NOW | RTLD_LOCAL);
	close(fd);	/* mapped now; its number is never used again */
	if (h == NULL) {
		err = dlerror();
		hk_warn("auth module %s refused: cannot load it: %s", path,
		    err != NULL ? err : "unknown dlopen error");
		return;
	}
	dlerror();
	*(void **)&entry = dlsym(h, HK_AUTHMOD_ENTRY_NAME);
	if (entry == NULL) {
		hk_warn("auth module %s refused: it has no entry symbol %s (not a hikyaku module?)",
		    path, HK_AUTHMOD_ENTRY_NAME);
		goto unload;
	}
	d = entry();
	if (d == NULL) {
		hk_warn("auth module %s refused: its entry %s returned no descriptor",
		    path, HK_AUTHMOD_ENTRY_NAME);
		goto unload;
	}
	if ((err = check_desc(d, &desc, why, sizeof(why))) != NULL) {
		hk_warn("auth module %s refused: %s", path, err);
		goto unload;
	}
	for (size_t i = 0; i < set->n; i++) {
		if (strcmp(set->v[i].desc.name, desc.name) == 0) {
			hk_warn("auth module %s refused: the name \"%s\" is already taken by %s",
			    path, desc.name, set->v[i].file);
			goto unload;
		}
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		set->v = hk_realloc(set->v, set->cap * sizeof(*set->v));
	}
	set->v[set->n].desc = desc;
	set->v[set->n].file = hk_strdup(path);
	set->v[set->n].handle = h;
	set->n++;
	return;
unload:
	dlclose(h);
}

struct hk_modset *
hk_modset_load(const char *dir)
{
	struct hk_modset *set = hk_calloc(1, sizeof(*set));
	char **names = NULL, why[256];
	const char *err;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int dirfd, listfd;
	DIR *d;

	if (dir == NULL ||
	    (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		hk_warn("auth module directory %s: %s: no auth modules loaded",
		    dir != NULL ? dir : "(none)",
		    dir != NULL ? strerror(errno) : "not configured");
		return set;
	}
	if ((err = check_dir(dirfd, why, sizeof(why))) != NULL) {
		hk_warn("auth module directory %s refused: %s: no auth modules "
		    "loaded", dir, err);
		close(dirfd);
		return set;
	}
	/* The names come from the directory checked, and so do the files. */
	if ((listfd = dup(dirfd)) < 0 || (d = fdopendir(listfd)) == NULL) {
		hk_warn("auth module directory %s: %s: no auth modules loaded",
		    dir, strerror(errno));
		if (listfd >= 0)
			close(listfd);
		close(dirfd);
		return set;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !ends_with_so(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = hk_realloc(names, cap * sizeof(*names));
		}
		names[n++] = hk_strdup(de->d_name);
	}
	closedir(d);
	/* File-name order: which of two same-named modules wins does not
	 * depend on the file system. */
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *path = hk_aprintf("%s/%s", dir, names[i]);

		load_one(set, dirfd, names[i], path);
		free(path);
		free(names[i]);
	}
	free(names);
	close(dirfd);
	if (set->n > 0)
		qsort(set->v, set->n, sizeof(*set->v), cmp_ent);
	return set;
}

void
hk_modset_free(struct hk_modset **setp)
{
	struct hk_modset *set = *setp;

	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].file);
		dlclose(set->v[i].handle);
	}
	free(set->v);
	free(set);
	*setp = NULL;
}

size_t
hk_modset_count(const struct hk_modset *set)
{
	return set != NULL ? set->n : 0;
}

const struct hk_authmod *
hk_modset_at(const struct hk_modset *set, size_t i)
{
	return set != NULL && i < set->n ? &set->v[i].desc : NULL;
}

const char *
hk_modset_file(const struct hk_modset *set, size_t i)
{
	return set != NULL && i < set->n ? set->v[i].file : NULL;
}

const struct hk_authmod *
hk_modset_find(const struct hk_modset *set, const char *name,
    enum hk_authmod_kind kind)
{
	if (set == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < set->n; i++) {
		const struct hk_authmod *m = &set->v[i].desc;

		if (strcmp(m->name, name) == 0 &&
		    (kind == 0 || m->kind == kind))
			return m;
	}
	return NULL;
}

void
hk_modset_print(const struct hk_modset *set, FILE *out)
{
	for (size_t i = 0; i < hk_modset_count(set); i++) {
		const struct hk_authmod *m = &set->v[i].desc;

		fprintf(out, "%s\t%s\t%u.%u\t%s\n", m->name,
		    hk_authmod_kind_name(m->kind), m->abi_major, m->abi_minor,
		    set->v[i].file);
	}
}
