/* ctl_accounts.c - `hikyakuctl accounts`: list, add, change and delete
 * the mail accounts with the screens' fields, validation, messages and
 * audit entries (docs/REFERENCE.md, hikyakuctl(8)).
 *
 * add starts from an empty form and change from the stored record;
 * --set FIELD=VALUE replaces a field (server_id may also name the server)
 * and the result is checked as the form would be (hk_account_from_form).
 * The password comes only from standard input or --password-fd. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_fields.h"
#include "accounts.h"
#include "mem.h"
#include "server_store.h"

static const char *const account_fields[] = {
	"name", "address", "server_id", "username", NULL
};

static int
usage(void)
{
	fputs("usage: hikyakuctl accounts [list]\n"
	    "       hikyakuctl accounts add --set FIELD=VALUE... [--password-fd N]\n"
	    "                       (the password on standard input by default)\n"
	    "       hikyakuctl accounts change ACCOUNT [--version N] [--set FIELD=VALUE...]\n"
	    "                                  [--password | --password-fd N]\n"
	    "       hikyakuctl accounts delete ACCOUNT [--version N]\n", stderr);
	return HK_EXIT_USAGE;
}

static int
find_account(struct ctl_session *cs, const char *ref, struct hk_account *out)
{
	enum hk_store_rc rc;

	memset(out, 0, sizeof(*out));
	rc = hk_account_find_by_name(cs->db, NULL, ref, false, out);
	if (rc == HK_STORE_NOT_FOUND && ctl_positive(ref) > 0)
		rc = hk_account_load(cs->db, NULL, ctl_positive(ref), false, out);
	if (rc == HK_STORE_NOT_FOUND)
		fprintf(stderr, "hikyakuctl: no mail account '%s'\n", ref);
	else if (rc != HK_STORE_OK)
		fprintf(stderr, "hikyakuctl: cannot read the mail accounts%s\n",
		    rc == HK_STORE_BUSY ? ": the database is locked" : "");
	return rc == HK_STORE_OK ? 0 : -1;
}

static int
write_failed(struct ctl_session *cs, enum hk_account_rc rc)
{
	switch (rc) {
	case HK_ACCOUNT_NOT_FOUND:
	case HK_ACCOUNT_STALE:
		ctl_print_msg(cs, NULL, "error.account-stale", NULL, 0);
		return HK_EXIT_USAGE;
	case HK_ACCOUNT_KEY_CHANGED:
		fputs("hikyakuctl: the key file does not open the stored "
		    "passwords (an interrupted rotate-key? run it again)\n",
		    stderr);
		return HK_EXIT_CONFIG;
	case HK_ACCOUNT_BUSY:
		fputs("hikyakuctl: the database is locked by another process\n",
		    stderr);
		return HK_EXIT_CONFIG;
	default:
		fputs("hikyakuctl: cannot write the mail account (see the log "
		    "line above)\n", stderr);
		return HK_EXIT_CONFIG;
	}
}

static int
cmd_list(struct ctl_session *cs)
{
	struct hk_account *v = NULL;
	size_t n = 0;

	if (hk_account_list(cs->db, cs->key, &v, &n) != HK_STORE_OK) {
		fputs("hikyakuctl: cannot read the mail accounts\n", stderr);
		return HK_EXIT_CONFIG;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\tid %lld\tversion %lld%s\n", v[i].name,
		    v[i].address, v[i].server_name != NULL ? v[i].server_name : "",
		    v[i].username, v[i].id, v[i].version,
		    v[i].password_unreadable ? "\tpassword unreadable" : "");
	hk_account_list_free(&v, n);
	return HK_EXIT_OK;
}

/* The form for add (cur NULL) or change; server_id given as a name is
 * replaced by that server's id (an unknown name stays, and fails as the
 * screen's "no such server" would). */
static void
account_form(struct ctl_session *cs, const struct hk_account *cur,
    const struct ctl_sets *sets, struct hk_params *form)
{
	const char *srv = ctl_sets_get(sets, "server_id");
	char num[24];

	ctl_form_field(form, sets, "name", cur != NULL ? cur->name : NULL);
	ctl_form_field(form, sets, "address", cur != NULL ? cur->address : NULL);
	ctl_form_field(form, sets, "username", cur != NULL ? cur->username : NULL);
	if (srv != NULL && ctl_positive(srv) == 0 && *srv != '\0') {
		struct hk_server s;

		memset(&s, 0, sizeof(s));
		if (hk_server_find_by_name(cs->db, NULL, srv, false, &s) ==
		    HK_STORE_OK) {
			snprintf(num, sizeof(num), "%lld", s.id);
			hk_params_add(form, "server_id", num);
			hk_server_clear(&s);
			return;
		}
		hk_server_clear(&s);
	}
	snprintf(num, sizeof(num), "%lld", cur != NULL ? cur->server_id : 0LL);
	ctl_form_field(form, sets, "server_id", cur != NULL ? num : NULL);
}

/* The errors only the database can tell (a taken name, a server that is
 * not there), reported with the others as the screen does. */
static void
precheck(struct ctl_session *cs, const struct hk_account *a, long long self,
    struct hk_form_errors *errs)
{
	struct hk_account other = { 0 };
	struct hk_server s;

	if (!hk_form_has_error(errs, "name") && a->name != NULL &&
	    hk_account_find_by_name(cs->db, NULL, a->name, false, &other) ==
	    HK_STORE_OK && other.id != self)
		hk_form_error(errs, "name", "error.name-taken", NULL, NULL);
	hk_account_clear(&other);
	if (hk_form_has_error(errs, "server_id"))
		return;
	memset(&s, 0, sizeof(s));
	if (hk_server_load(cs->db, NULL, a->server_id, false, &s) ==
	    HK_STORE_NOT_FOUND)
		hk_form_error(errs, "server_id", "error.server-missing", NULL,
		    NULL);
	hk_server_clear(&s);
}

static int
cmd_write(struct ctl_session *cs, struct hk_account *cur, long long version,
    const struct ctl_sets *sets, const struct ctl_pwsource *pw)
{
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	struct hk_params form = HK_PARAMS_INIT;
	struct hk_account a = { 0 };
	enum hk_account_rc rc;
	char *password = NULL;
	int status = HK_EXIT_USAGE;

	if ((cur == NULL || pw->wanted) &&
	    (password = ctl_pwsource_read(pw)) == NULL)
		return HK_EXIT_USAGE;
	account_form(cs, cur, sets, &form);
	if (password != NULL) {
		hk_params_add(&form, "password", password);
		hk_free_secret(password);
	}
	hk_account_from_form(&form, cur != NULL ? HK_ACCOUNT_FORM_CHANGE : 0,
	    &a, &errs);
	hk_params_free(&form);
	if (cur != NULL) {
		a.id = cur->id;
		a.version = version != 0 ? version : cur->version;
		a.password_set = cur->password_set;
		if (a.version != cur->version) {
			ctl_print_msg(cs, NULL, "error.account-stale", NULL, 0);
			goto out;
		}
	}
	precheck(cs, &a, cur != NULL ? cur->id : 0, &errs);
	if (errs.n > 0) {
		ctl_print_errors(cs, &errs);
		goto out;
	}
	rc = cur == NULL ? hk_account_create(cs->db, cs->key, cs->actor, &a) :
	    hk_account_update(cs->db, cs->key, cs->actor, &a);
	switch (rc) {
	case HK_ACCOUNT_OK:
		printf("mail account %s %s (id %lld, version %lld)\n", a.name,
		    cur == NULL ? "added" : "changed", a.id, a.version);
		status = HK_EXIT_OK;
		break;
	case HK_ACCOUNT_NAME_TAKEN:
		hk_form_error(&errs, "name", "error.name-taken", NULL, NULL);
		ctl_print_errors(cs, &errs);
		break;
	case HK_ACCOUNT_NO_SERVER:
		hk_form_error(&errs, "server_id", "error.server-missing", NULL,
		    NULL);
		ctl_print_errors(cs, &errs);
		break;
	case HK_ACCOUNT_UNREADABLE:
		hk_form_error(&errs, "password", "error.password-unreadable",
		    NULL, NULL);
		ctl_print_errors(cs, &errs);
		break;
	default:
		status = write_failed(cs, rc);
		break;
	}
out:
	hk_account_clear(&a);
	return status;
}

static int
cmd_delete(struct ctl_session *cs, const char *ref, long long version)
{
	struct hk_account a;
	enum hk_account_rc rc;
	int status = HK_EXIT_OK;

	if (find_account(cs, ref, &a) < 0)
		return HK_EXIT_CONFIG;
	rc = hk_account_delete(cs->db, cs->actor, a.id, version);
	if (rc == HK_ACCOUNT_STALE) {
		ctl_print_msg(cs, NULL, "error.stale", NULL, 0);
		status = HK_EXIT_USAGE;
	} else if (rc != HK_ACCOUNT_OK) {
		status = write_failed(cs, rc);
	} else {
		printf("mail account %s deleted\n", a.name);
	}
	hk_account_clear(&a);
	return status;
}

int
ctl_accounts(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "version", required_argument, NULL, 'v' },
		{ "password", no_argument, NULL, 'p' },
		{ "password-fd", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_sets sets = { HK_PARAMS_INIT };
	struct ctl_pwsource pw = { false, STDIN_FILENO };
	const char *sub = argc > 1 ? argv[1] : "list";
	long long version = 0;
	struct ctl_session cs;
	struct hk_account cur;
	int c, status = HK_EXIT_USAGE;
	bool changing;

	optind = 0;	/* glibc: re-initialise (main used getopt already) */
	opterr = 0;
	while (argc > 1 && (c = getopt_long(argc - 1, argv + 1, "", opts,
	    NULL)) != -1) {
		switch (c) {
		case 's':
			if (ctl_sets_add(&sets, optarg, account_fields) < 0)
				goto out;
			break;
		case 'v':
			if ((version = ctl_positive(optarg)) == 0) {
				fprintf(stderr, "hikyakuctl: --version wants a "
				    "positive number\n");
				goto out;
			}
			break;
		case 'p': pw.wanted = true; break;
		case 'f':
			if (ctl_pwsource_fd(&pw, optarg) < 0)
				goto out;
			break;
		default:
			status = usage();
			goto out;
		}
	}
	argc = argc > 1 ? argc - 1 - optind : 0;
	argv = argv + 1 + optind;
	changing = strcmp(sub, "add") == 0 || strcmp(sub, "change") == 0;
	if ((!changing && (sets.p.n > 0 || pw.wanted)) ||
	    (version != 0 && strcmp(sub, "change") != 0 &&
	    strcmp(sub, "delete") != 0)) {
		status = usage();
		goto out;
	}
	/* The key: to seal passwords, and for list to tell unreadable ones. */
	if (ctl_session_open(cfg, changing || strcmp(sub, "list") == 0,
	    &cs) < 0) {
		status = HK_EXIT_CONFIG;
		goto out;
	}
	if (strcmp(sub, "list") == 0 && argc == 0)
		status = cmd_list(&cs);
	else if (strcmp(sub, "add") == 0 && argc == 0)
		status = cmd_write(&cs, NULL, 0, &sets, &pw);
	else if (strcmp(sub, "change") == 0 && argc == 1) {
		if (find_account(&cs, argv[0], &cur) < 0)
			status = HK_EXIT_CONFIG;
		else
			status = cmd_write(&cs, &cur, version, &sets, &pw);
		hk_account_clear(&cur);
	} else if (strcmp(sub, "delete") == 0 && argc == 1)
		status = cmd_delete(&cs, argv[0], version);
	else
		status = usage();
	ctl_session_close(&cs);
out:
	ctl_sets_free(&sets);
	return status;
}
