/* conf.h - hikyaku.conf: "key = value" lines, '#' starts a comment.
 *
 * Which file: --config FILE, else $HIKYAKU_CONFIG, else the default
 * SYSCONFDIR/hikyaku/hikyaku.conf, which may be absent (all defaults).
 * A file named by flag or environment must exist.  Unknown keys, repeated
 * keys, malformed lines and bad values are errors naming file and line.
 * Relative paths are relative to the folder of the config file.
 */
#ifndef HK_CONF_H
#define HK_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hk_config {
	char *path;		/* the file read, or NULL when none was */
	char *database;
	char *secret_key;
	char *module_dir;
	char *xsl_dir;
	char *static_dir;
	char *mail_dir;
	char *listen;		/* NULL: accept on fd 0 */
	int workers;
	int fetch_lease_seconds;	/* a fetch lease's length (docs/MAIL.md) */
	int oauth2_timeout;	/* seconds for one request to a provider */
	size_t max_body;
	char *base_path;	/* always starts and ends with '/' */
	bool trust_remote_user;
	mode_t socket_mode;	/* for a unix listening socket */
	char *ca_file;		/* extra trusted CAs (PEM) for every TLS connection; NULL: none */
	bool page_cache;	/* keep rendered pages (docs/DESIGN.md) */
	/* The site's external base URL (http:// or https://, always ending
	 * in '/'), for the OAuth 2.0 redirect URI; NULL: not set. */
	char *public_url;
};

/* The path to read: flag_path if not NULL, else $HIKYAKU_CONFIG, else the
 * default.  *required_r says whether a missing file is an error. */
const char *hk_config_choose(const char *flag_path, bool *required_r);

/* Fills cfg with the defaults, then the file at path (if it exists or is
 * required).  Returns 0, or -1 with *err_r (caller frees) naming file and
 * line.  cfg is always safe to hk_config_free afterwards. */
int hk_config_load(const char *path, bool required, struct hk_config *cfg,
    char **err_r);
void hk_config_free(struct hk_config *cfg);

#endif
