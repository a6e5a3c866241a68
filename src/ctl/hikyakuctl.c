/* hikyakuctl - the admin command line.
 *
 * Exit status (docs/REFERENCE.md): 0 ok; 1 usage; 2 configuration or database
 * error; 3 a size limit refused the message; 4 authentication failed;
 * 5 connection, TLS or protocol failure.  Errors are one line on stderr.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "admins.h"
#include "buf.h"
#include "conf.h"
#include "ctl.h"
#include "ctl_fields.h"
#include "db.h"
#include "keyfile.h"
#include "log.h"
#include "maildir_place.h"
#include "mem.h"
#include "modload.h"
#include "nocore.h"
#include "oauth2.h"
#include "tls.h"

enum { EX_OK = 0, EX_USAGE_ = 1, EX_CONFIG = 2 };

static const char usage_text[] =
	"usage: hikyakuctl [--config FILE] COMMAND [ARGS]\n"
	"commands:\n"
	"  init                 create the database and the secret key if absent\n"
	"  admin add NAME       add an administrator (password on standard input)\n"
	"  admin passwd NAME    change a password (password on standard input)\n"
	"  modules              list the loaded auth modules (refusals on stderr)\n"
	"  servers [list|show|add|change|delete|order] ...\n"
	"                       the mail servers (see hikyakuctl(8))\n"
	"  accounts [list|add|change|delete] ...\n"
	"                       the mail accounts (see hikyakuctl(8))\n"
	"  test SERVER (--account NAME | --user U [--address ADDR])\n"
	"                       the staged connection test (password on stdin with --user)\n"
	"  send --account NAME --from ADDR --to ADDR [--to ADDR...]\n"
	"                       send the message on standard input\n"
	"  fetch (--account NAME | --all [--jobs N] [--loop [--interval S]])\n"
	"                       receive into the account's Maildir\n"
	"  oauth2 connect --account NAME [--redirect-uri URI]\n"
	"                       connect an account to its OAuth 2.0 provider\n"
	"  oauth2 status [--account NAME]\n"
	"                       each OAuth 2.0 account's state and token expiry\n"
	"  rotate-key           re-encrypt every stored password under a new key\n"
	"  export [--with-secrets]\n"
	"                       every server and account as one XML document\n"
	"  import FILE [--dry-run] [--replace]\n"
	"                       check an export document, then apply it at once\n"
	"  backup FILE          a checked copy of the database, taken while it runs\n"
	"  migrate-db --to URI  copy the SQLite database into an empty PostgreSQL one\n";

static int
usage(void)
{
	fputs(usage_text, stderr);
	return EX_USAGE_;
}

static void
die_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
die_line(const char *fmt, ...)
{
	va_list ap;

	fputs("hikyakuctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* mkdir -p for the folder that will hold path. */
static int
make_parent(const char *path, mode_t mode)
{
	char *dir = hk_strdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash == NULL || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(dir, mode) != 0 && errno != EEXIST) {
				die_line("%s: %s", dir, strerror(errno));
				rc = -1;
				break;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	free(dir);
	return rc;
}

static struct hk_db *
open_db(const struct hk_config *cfg, bool create)
{
	char *err = NULL;
	struct hk_db *db = hk_db_open(cfg->database, create, &err);

	if (db == NULL) {
		die_line("%s", err);
		free(err);
		return NULL;
	}
	if (!create && hk_db_schema_version(db) != hk_db_schema_latest()) {
		die_line("%s: the schema is not current (run 'hikyakuctl init')",
		    cfg->database);
		hk_db_close(&db);
	}
	return db;
}

static int
cmd_init(const struct hk_config *cfg)
{
	struct hk_db *db;
	char *err = NULL, *shown;
	bool created;
	int before;

	/* A PostgreSQL database is no file; the Maildirs' folder may then
	 * be the first thing under its parent. */
	if ((!hk_sql_target_is_pgsql(cfg->database) &&
	    make_parent(cfg->database, 0750) < 0) ||
	    make_parent(cfg->secret_key, 0750) < 0 ||
	    make_parent(cfg->mail_dir, 0750) < 0)
		return EX_CONFIG;
	if (mkdir(cfg->mail_dir, 0700) != 0 && errno != EEXIST) {
		die_line("%s: %s", cfg->mail_dir, strerror(errno));
		return EX_CONFIG;
	}
	if (hk_keyfile_create(cfg->secret_key, &created, &err) < 0) {
		die_line("%s", err);
		free(err);
		return EX_CONFIG;
	}
	printf("secret key: %s (%s)\n", cfg->secret_key,
	    created ? "created" : "kept");
	if ((db = open_db(cfg, true)) == NULL)
		return EX_CONFIG;
	before = hk_db_schema_version(db);
	shown = hk_sql_target_shown(cfg->database);
	if (hk_db_migrate(db, &err) < 0) {
		die_line("%s: %s", shown, err);
		free(err);
		free(shown);
		hk_db_close(&db);
		return EX_CONFIG;
	}
	printf("database: %s (schema %d -> %d)\n", shown, before,
	    hk_db_schema_version(db));
	free(shown);
	if (ctl_adopt_key(cfg, db) < 0) {
		hk_db_close(&db);
		return EX_CONFIG;
	}
	/* Maildirs from before they had names of their own. */
	if (hk_maildir_place_migrate_all(db, cfg->mail_dir, stdout, &err) < 0) {
		die_line("%s", err);
		free(err);
		hk_db_close(&db);
		return EX_CONFIG;
	}
	hk_db_close(&db);
	return EX_OK;
}

static int
cmd_admin(const struct hk_config *cfg, int argc, char **argv)
{
	struct hk_db *db;
	char *password;
	enum hk_store_rc rc;
	bool add;

	if (argc != 3 || (strcmp(argv[1], "add") != 0 &&
	    strcmp(argv[1], "passwd") != 0))
		return usage();
	add = strcmp(argv[1], "add") == 0;
	if (!hk_admin_name_valid(argv[2])) {
		die_line("'%s' is not a valid administrator name (1-64 of "
		    "A-Z a-z 0-9 . _ @ -)", argv[2]);
		return EX_USAGE_;
	}
	if ((password = hk_ctl_read_secret()) == NULL) {
		die_line(errno == E2BIG ? "the password on standard input is too long" :
		    "no password on standard input");
		return EX_USAGE_;
	}
	if (!hk_admin_password_valid(password)) {
		hk_free_secret(password);
		die_line("the password must be 8 to 1024 characters without "
		    "control characters");
		return EX_USAGE_;
	}
	if ((db = open_db(cfg, false)) == NULL) {
		hk_free_secret(password);
		return EX_CONFIG;
	}
	rc = add ? hk_admin_add(db, argv[2], password) :
	    hk_admin_set_password(db, argv[2], password);
	hk_free_secret(password);
	hk_db_close(&db);
	switch (rc) {
	case HK_STORE_OK:
		printf("administrator %s %s\n", argv[2], add ? "added" : "updated");
		return EX_OK;
	case HK_STORE_EXISTS:
		die_line("administrator '%s' already exists", argv[2]);
		return EX_CONFIG;
	case HK_STORE_NOT_FOUND:
		die_line("no administrator '%s'", argv[2]);
		return EX_CONFIG;
	case HK_STORE_BUSY:
		die_line("%s: the database is locked by another process",
		    cfg->database);
		return EX_CONFIG;
	default:
		die_line("%s: cannot write the administrator", cfg->database);
		return EX_CONFIG;
	}
}

static int
cmd_modules(const struct hk_config *cfg)
{
	/* Refused modules are logged as warnings on stderr, one per file. */
	struct hk_modset *set = hk_modset_load(cfg->module_dir);

	hk_modset_print(set, stdout);
	hk_modset_free(&set);
	return EX_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_flag = NULL, *path;
	struct hk_config cfg;
	char *err = NULL;
	bool required;
	int c, rc;

	hk_log_init("hikyakuctl");
	hk_log_set_level(HK_LOG_WARN);
	/* Before anything is read: a core would hold the key and passwords. */
	if (hk_nocore() < 0) {
		die_line("cannot turn core dumps off: %s", strerror(errno));
		return EX_CONFIG;
	}
	/* '+': options end at the command, whose own flags follow it. */
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_flag = optarg; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		case 'V': puts(PACKAGE_STRING); return EX_OK;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();

	path = hk_config_choose(config_flag, &required);
	if (hk_config_load(path, required, &cfg, &err) < 0) {
		die_line("%s", err);
		free(err);
		hk_config_free(&cfg);
		return EX_CONFIG;
	}
	hk_oauth2_set_timeout(cfg.oauth2_timeout * 1000L);
	if (cfg.ca_file != NULL && hk_tls_trust_file(cfg.ca_file, &err) < 0) {
		die_line("%s", err);
		free(err);
		hk_config_free(&cfg);
		return EX_CONFIG;
	}
	xmlInitParser();
	if (strcmp(argv[0], "init") == 0 && argc == 1)
		rc = cmd_init(&cfg);
	else if (strcmp(argv[0], "admin") == 0)
		rc = cmd_admin(&cfg, argc, argv);
	else if (strcmp(argv[0], "modules") == 0 && argc == 1)
		rc = cmd_modules(&cfg);
	else if (strcmp(argv[0], "servers") == 0)
		rc = ctl_servers(&cfg, argc, argv);
	else if (strcmp(argv[0], "accounts") == 0)
		rc = ctl_accounts(&cfg, argc, argv);
	else if (strcmp(argv[0], "test") == 0)
		rc = ctl_test(&cfg, argc, argv);
	else if (strcmp(argv[0], "send") == 0)
		rc = ctl_send(&cfg, argc, argv);
	else if (strcmp(argv[0], "fetch") == 0)
		rc = ctl_fetch(&cfg, argc, argv);
	else if (strcmp(argv[0], "oauth2") == 0)
		rc = ctl_oauth2(&cfg, argc, argv);
	else if (strcmp(argv[0], "export") == 0)
		rc = ctl_export(&cfg, argc, argv);
	else if (strcmp(argv[0], "import") == 0)
		rc = ctl_import(&cfg, argc, argv);
	else if (strcmp(argv[0], "backup") == 0)
		rc = ctl_backup(&cfg, argc, argv);
	else if (strcmp(argv[0], "migrate-db") == 0)
		rc = ctl_migrate_db(&cfg, argc, argv);
	else if (strcmp(argv[0], "rotate-key") == 0)
		rc = ctl_rotate_key(&cfg, argc, argv);
	else
		rc = usage();
	hk_config_free(&cfg);
	xmlCleanupParser();
	return rc;
}
