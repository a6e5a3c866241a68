/* routes.c - matching a request path against a route table. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "routes.h"

/* Matches one pattern; fills id and tail on success. */
static int
match(const char *pattern, const char *path, long long *id, const char **tail)
{
	const char *p = pattern, *s = path;

	*id = 0;
	*tail = NULL;
	while (*p != '\0') {
		if (strncmp(p, "{id}", 4) == 0) {
			long long v = 0;
			int digits = 0;

			if (*s < '1' || *s > '9')
				return 0;
			while (*s >= '0' && *s <= '9' && digits < 18) {
				v = v * 10 + (*s++ - '0');
				digits++;
			}
			if (*s >= '0' && *s <= '9')
				return 0;
			*id = v;
			p += 4;
		} else if (*p == '*') {
			/* A file name: no slash, not starting with a dot. */
			if (*s == '\0' || *s == '.' || strchr(s, '/') != NULL)
				return 0;
			*tail = s;
			return 1;
		} else if (*p++ != *s++) {
			return 0;
		}
	}
	return *s == '\0';
}

enum hk_route_match
hk_route_find(const struct hk_route *routes, size_t nroutes,
    const char *method, const char *path, const struct hk_route **route_r, long long *id_r, const char **tail_r,
    char *allow_r, size_t allow_len)
{
	size_t used = 0;
	int path_seen = 0;

	if (allow_len > 0)
		allow_r[0] = '\0';
	for (size_t i = 0; i < nroutes; i++) {
		long long id;
		const char *tail;

		if (!match(routes[i].pattern, path, &id, &tail))
			continue;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 &&
		    strcmp(routes[i].method, "GET") == 0)) {
			*route_r = &routes[i];
			*id_r = id;
			*tail_r = tail;
			return HK_ROUTE_FOUND;
		}
		path_seen = 1;
		if (used < allow_len) {
			int n = snprintf(allow_r + used, allow_len - used, "%s%s",
			    used ? ", " : "", routes[i].method);
			if (n > 0)
				used += (size_t)n;
		}
	}
	return path_seen ? HK_ROUTE_NO_METHOD : HK_ROUTE_NO_PATH;
}
