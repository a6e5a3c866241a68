/* statics.h - the files under static_dir (CSS, the one script), read into
 * memory at start-up and served at <base>static/<name>.  A deployment may
 * serve them from nginx instead; this keeps a bare worker complete. */
#ifndef HK_STATICS_H
#define HK_STATICS_H

#include <stddef.h>

struct hk_statics;

struct hk_static_file {
	const char *name;
	const char *content_type;
	const char *etag;	/* quoted */
	const char *data;
	size_t len;
};

/* Reads every regular file with a known extension in dir (not recursive).
 * A missing dir gives an empty set. */
struct hk_statics *hk_statics_load(const char *dir);
void hk_statics_free(struct hk_statics **s);
/* The file called name, or NULL. */
const struct hk_static_file *hk_statics_find(const struct hk_statics *s,
    const char *name);

#endif
