/* statics.c - static files held in memory. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/sha.h>

#include "buf.h"
#include "log.h"
#include "base64.h"
#include "mem.h"
#include "statics.h"

#define MAX_STATIC_SIZE (4 * 1024 * 1024)

struct entry {
	struct hk_static_file f;	/* what find returns */
	char *name;			/* owned copies behind f */
	char *data;
	char etag[20];
};

struct hk_statics {
	struct entry *v;
	size_t n;
};

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *
type_of(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t m = strlen(types[i].ext);
		if (n > m && strcmp(name + n - m, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

static int
read_file(const char *path, struct entry *e)
{
	FILE *f = fopen(path, "rb");
	struct hk_buf b = HK_BUF_INIT;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		hk_buf_append(&b, chunk, n);
		if (b.len > MAX_STATIC_SIZE)
			break;
	}
	fclose(f);
	if (b.len > MAX_STATIC_SIZE) {
		hk_buf_free(&b);
		return -1;
	}
	e->f.len = b.len;
	e->data = hk_buf_steal(&b);
	return 0;
}

struct hk_statics *
hk_statics_load(const char *dir)
{
	struct hk_statics *s = hk_calloc(1, sizeof(*s));
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	if (d == NULL) {
		hk_warn("%s: no static files (cannot open the folder)", dir);
		return s;
	}
	while ((de = readdir(d)) != NULL) {
		const char *type = type_of(de->d_name);
		unsigned char digest[SHA256_DIGEST_LENGTH];
		char hex[2 * 8 + 1];
		struct entry e = { 0 };
		char *path;

		if (de->d_name[0] == '.' || type == NULL)
			continue;
		path = hk_aprintf("%s/%s", dir, de->d_name);
		if (read_file(path, &e) < 0) {
			hk_warn("%s: cannot read (or larger than %d bytes)", path,
			    MAX_STATIC_SIZE);
			free(path);
			continue;
		}
		free(path);
		e.name = hk_strdup(de->d_name);
		SHA256((const unsigned char *)e.data, e.f.len, digest);
		hk_hex(digest, 8, hex);
		snprintf(e.etag, sizeof(e.etag), "\"%.16s\"", hex);
		if (s->n == cap) {
			cap = cap ? cap * 2 : 8;
			s->v = hk_realloc(s->v, cap * sizeof(*s->v));
		}
		s->v[s->n++] = e;
		for (size_t i = 0; i < s->n; i++) {
			/* Re-point after realloc may have moved the entries. */
			s->v[i].f.name = s->v[i].name;
			s->v[i].f.data = s->v[i].data;
			s->v[i].f.etag = s->v[i].etag;
		}
		s->v[s->n - 1].f.content_type = type;
	}
	closedir(d);
	return s;
}

void
hk_statics_free(struct hk_statics **sp)
{
	struct hk_statics *s = *sp;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].data);
	}
	free(s->v);
	free(s);
	*sp = NULL;
}

const struct hk_static_file *
hk_statics_find(const struct hk_statics *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i].f;
	return NULL;
}
