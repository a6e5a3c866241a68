/* conf.c - the hikyaku.conf reader. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "mem.h"

#define DEFAULT_CONFIG HK_SYSCONFDIR "/hikyaku.conf"
#define MAX_LINE 4096

enum kind { K_PATH, K_STORE, K_STRING, K_INT, K_SIZE, K_BOOL, K_MODE, K_BASE,
    K_URL };

struct key {
	const char *name;
	enum kind kind;
	size_t offset;
	long long min, max;
};

#define F(field) offsetof(struct hk_config, field)
static const struct key keys[] = {
	{ "database",          K_STORE,  F(database), 0, 0 },
	{ "secret_key",        K_PATH,   F(secret_key), 0, 0 },
	{ "module_dir",        K_PATH,   F(module_dir), 0, 0 },
	{ "xsl_dir",           K_PATH,   F(xsl_dir), 0, 0 },
	{ "static_dir",        K_PATH,   F(static_dir), 0, 0 },
	{ "mail_dir",          K_PATH,   F(mail_dir), 0, 0 },
	{ "listen",            K_STRING, F(listen), 0, 0 },
	{ "workers",           K_INT,    F(workers), 1, 256 },
	{ "fetch_lease_seconds", K_INT,  F(fetch_lease_seconds), 2, 86400 },
	{ "oauth2_timeout",    K_INT,    F(oauth2_timeout), 1, 300 },
	{ "max_body",          K_SIZE,   F(max_body), 1024, 1073741824LL },
	{ "base_path",         K_BASE,   F(base_path), 0, 0 },
	{ "trust_remote_user", K_BOOL,   F(trust_remote_user), 0, 0 },
	{ "socket_mode",       K_MODE,   F(socket_mode), 0, 0777 },
	{ "ca_file",           K_PATH,   F(ca_file), 0, 0 },
	{ "page_cache",        K_BOOL,   F(page_cache), 0, 0 },
	{ "public_url",        K_URL,    F(public_url), 0, 0 },
};
#undef F

const char *
hk_config_choose(const char *flag_path, bool *required_r)
{
	const char *env = getenv("HIKYAKU_CONFIG");

	*required_r = true;
	if (flag_path != NULL)
		return flag_path;
	if (env != NULL && *env != '\0')
		return env;
	*required_r = false;
	return DEFAULT_CONFIG;
}

static void
set_defaults(struct hk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->database = hk_strdup(HK_STATEDIR "/hikyaku.db");
	cfg->secret_key = hk_strdup(HK_SYSCONFDIR "/secret.key");
	cfg->module_dir = hk_strdup(HK_MODULEDIR);
	cfg->xsl_dir = hk_strdup(HK_PKGDATADIR "/xsl");
	cfg->static_dir = hk_strdup(HK_PKGDATADIR "/static");
	cfg->mail_dir = hk_strdup(HK_STATEDIR "/mail");
	cfg->workers = 4;
	cfg->fetch_lease_seconds = 300;
	cfg->oauth2_timeout = 30;
	cfg->max_body = 1048576;
	cfg->base_path = hk_strdup("/");
	cfg->socket_mode = 0660;
	cfg->page_cache = true;
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return hk_strdup(".");
	if (slash == path)
		return hk_strdup("/");
	return hk_strndup(path, (size_t)(slash - path));
}

static int
parse_number(const char *v, int base, long long min, long long max,
    long long *out)
{
	char *end;
	long long n;

	/* strtoll would skip leading space and take a sign: neither is a
	 * number here. */
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, base);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* Checks "unix:/path" or "host:port" / "[v6]:port". */
static int
listen_valid(const char *v)
{
	const char *colon;
	long long port;

	if (strncmp(v, "unix:", 5) == 0)
		return v[5] != '\0';
	if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (close == NULL || close[1] != ':')
			return 0;
		colon = close + 1;
	} else if ((colon = strrchr(v, ':')) == NULL || colon == v) {
		return 0;
	}
	return parse_number(colon + 1, 10, 1, 65535, &port) == 0;
}

/* Length of the scheme of a URI "scheme://..." (RFC 3986: a letter, then
 * letters, digits, '+', '-', '.'), or 0 when v is not one. */
static size_t
uri_scheme_len(const char *v)
{
	size_t n;

	if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z')))
		return 0;
	n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+-.");
	return strncmp(v + n, "://", 3) == 0 ? n : 0;
}

/* public_url: it becomes the OAuth 2.0 redirect_uri, which the provider
 * compares byte for byte, and goes into Location headers: an absolute
 * http(s) URL with a host, of printable ASCII without spaces, quotes,
 * angle brackets, a query or a fragment. */
static bool
public_url_valid(const char *v)
{
	size_t n = strlen(v), skip;

	if (strncmp(v, "https://", 8) == 0)
		skip = 8;
	else if (strncmp(v, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	if (n > 1024 || v[skip] == '\0' || v[skip] == '/')
		return false;
	for (const char *p = v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\"'<>\\^`{|}?#", *p))
			return false;
	return true;
}

/* database: the path of the SQLite file, or a PostgreSQL connection URI
 * (postgresql:// or postgres://, as libpq reads it), kept as given.  Any
 * other scheme is refused by name instead of becoming a file called
 * "mysql:/...".  Returns 0 for a path, 1 for a URI, -1 with *why set. */
static int
store_check(const char *v, char **why)
{
	size_t n = uri_scheme_len(v);

	if (n == 0)
		return 0;
	if (strncmp(v, "postgresql://", 13) == 0 ||
	    strncmp(v, "postgres://", 11) == 0)
		return 1;
	*why = hk_aprintf("'%.*s://' is not a supported database: expected the "
	    "path of an SQLite file or a postgresql:// URI",
	    (int)(n > 32 ? 32 : n), v);
	return -1;
}

static int
set_value(struct hk_config *cfg, const struct key *k, const char *v,
    const char *base_dir, char **why)
{
	void *field = (char *)cfg + k->offset;
	long long n;

	switch (k->kind) {
	case K_STORE:
		switch (store_check(v, why)) {
		case -1:
			return -1;
		case 1:
			free(*(char **)field);
			*(char **)field = hk_strdup(v);
			return 0;
		}
		/* FALLTHROUGH */
	case K_PATH:
		if (*v == '\0')
			return *why = hk_strdup("a path is required"), -1;
		free(*(char **)field);
		*(char **)field = v[0] == '/' ? hk_strdup(v) :
		    hk_aprintf("%s/%s", base_dir, v);
		return 0;
	case K_STRING:
		if (k->offset == offsetof(struct hk_config, listen) &&
		    !listen_valid(v))
			return *why = hk_strdup("expected unix:PATH or HOST:PORT"), -1;
		free(*(char **)field);
		*(char **)field = hk_strdup(v);
		return 0;
	case K_INT:
		if (parse_number(v, 10, k->min, k->max, &n) < 0)
			return *why = hk_aprintf("expected a whole number from %lld to %lld",
			    k->min, k->max), -1;
		*(int *)field = (int)n;
		return 0;
	case K_SIZE:
		if (parse_number(v, 10, k->min, k->max, &n) < 0)
			return *why = hk_aprintf("expected a number of bytes from %lld to %lld",
			    k->min, k->max), -1;
		*(size_t *)field = (size_t)n;
		return 0;
	case K_BOOL:
		if (strcmp(v, "yes") == 0)
			*(bool *)field = true;
		else if (strcmp(v, "no") == 0)
			*(bool *)field = false;
		else
			return *why = hk_strdup("expected yes or no"), -1;
		return 0;
	case K_MODE:
		if (parse_number(v, 8, k->min, k->max, &n) < 0)
			return *why = hk_strdup("expected an octal mode such as 0660"), -1;
		*(mode_t *)field = (mode_t)n;
		return 0;
	case K_BASE:
		/* It goes into links, Location headers and cookie paths: only
		 * unreserved URL characters, no empty, "." or ".." segment. */
		if (v[0] != '/' || strstr(v, "//") != NULL ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789/._~-") != strlen(v) || strstr(v, "/./") != NULL ||
		    strstr(v, "/../") != NULL ||
		    (strlen(v) >= 2 && strcmp(v + strlen(v) - 2, "/.") == 0) ||
		    (strlen(v) >= 3 && strcmp(v + strlen(v) - 3, "/..") == 0))
			return *why = hk_strdup("expected an absolute URL path such as /hikyaku/"), -1;
		free(*(char **)field);
		*(char **)field = v[strlen(v) - 1] == '/' ? hk_strdup(v) :
		    hk_aprintf("%s/", v);
		return 0;
	case K_URL:
		if (!public_url_valid(v))
			return *why = hk_strdup("expected an http:// or https:// "
			    "URL such as https://mail-admin.example.com/hikyaku/"), -1;
		free(*(char **)field);
		*(char **)field = v[strlen(v) - 1] == '/' ? hk_strdup(v) :
		    hk_aprintf("%s/", v);
		return 0;
	}
	return -1;
}

int
hk_config_load(const char *path, bool required, struct hk_config *cfg,
    char **err_r)
{
	FILE *f;
	char line[MAX_LINE];
	unsigned seen = 0;
	int lineno = 0, rc = -1;
	char *base_dir;

	*err_r = NULL;
	set_defaults(cfg);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		*err_r = hk_aprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	cfg->path = hk_strdup(path);
	base_dir = dir_of(path);
	for (;;) {
		char *p, *eq, *name, *value, *why = NULL;
		const struct key *k = NULL;
		size_t got = 0;
		int c;

		/* By hand rather than fgets, to see NUL bytes. */
		while (got < sizeof(line) - 1 && (c = getc(f)) != EOF) {
			line[got++] = (char)c;
			if (c == '\n')
				break;
		}
		if (got == 0)
			break;
		line[got] = '\0';
		lineno++;
		if (memchr(line, '\0', got) != NULL) {
			*err_r = hk_aprintf("%s:%d: a NUL byte", path, lineno);
			goto out;
		}
		/* A full buffer without a line end is too long, unless the
		 * file ends right there. */
		if (got == sizeof(line) - 1 && line[got - 1] != '\n' &&
		    (c = getc(f)) != EOF) {
			*err_r = hk_aprintf("%s:%d: line longer than %d bytes",
			    path, lineno, MAX_LINE - 2);
			goto out;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		p = trim(line);
		if (*p == '\0')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			*err_r = hk_aprintf("%s:%d: expected 'key = value'", path, lineno);
			goto out;
		}
		*eq = '\0';
		name = trim(p);
		value = trim(eq + 1);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i].name, name) == 0)
				k = &keys[i];
		if (k == NULL) {
			*err_r = hk_aprintf("%s:%d: unknown key '%s'", path, lineno, name);
			goto out;
		}
		if (seen & (1u << (k - keys))) {
			*err_r = hk_aprintf("%s:%d: '%s' is set twice", path, lineno, name);
			goto out;
		}
		seen |= 1u << (k - keys);
		if (set_value(cfg, k, value, base_dir, &why) < 0) {
			*err_r = hk_aprintf("%s:%d: %s: %s", path, lineno, name, why);
			free(why);
			goto out;
		}
	}
	if (ferror(f)) {
		*err_r = hk_aprintf("%s: read error", path);
		goto out;
	}
	rc = 0;
out:
	free(base_dir);
	fclose(f);
	return rc;
}

void
hk_config_free(struct hk_config *cfg)
{
	free(cfg->path);
	free(cfg->database);
	free(cfg->secret_key);
	free(cfg->module_dir);
	free(cfg->xsl_dir);
	free(cfg->static_dir);
	free(cfg->mail_dir);
	free(cfg->listen);
	free(cfg->base_path);
	free(cfg->ca_file);
	free(cfg->public_url);
	memset(cfg, 0, sizeof(*cfg));
}
