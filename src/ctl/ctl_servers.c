/* ctl_servers.c - `hikyakuctl servers`: list, show, add, change, delete
 * and order the mail servers with the screens' fields, validation,
 * messages and audit entries (docs/REFERENCE.md, hikyakuctl(8)).
 *
 * add starts from the add screen's defaults and change from the stored
 * record; --set FIELD=VALUE replaces a field, and the result is checked
 * as the form would be (hk_server_from_form).  Nothing is written unless
 * every field is valid. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_fields.h"
#include "mem.h"
#include "modload.h"
#include "server_form.h"
#include "server_store.h"

/* The form's fields (docs/REFERENCE.md), the secrets aside. */
static const char *const server_fields[] = {
	"name", "smtp_host", "smtp_port", "smtp_security", "smtp_tls_verify",
	"smtp_auth", "smtp_auth_method", "smtp_credentials", "smtp_user",
	"pop_before_smtp", "pop_before_smtp_wait", "send_limit",
	"recv_protocol", "apop", "recv_host", "recv_port", "recv_security",
	"recv_tls_verify", "recv_limit", "recv_auth_method", "oauth2_provider", "oauth2_tenant",
	"oauth2_client_id", "oauth2_auth_url", "oauth2_token_url",
	"oauth2_device_url", "oauth2_scope", "oauth2_grant", NULL
};

static int
usage(void)
{
	fputs("usage: hikyakuctl servers [list]\n"
	    "       hikyakuctl servers show SERVER\n"
	    "       hikyakuctl servers add --set FIELD=VALUE... [--password | --password-fd N]\n"
	    "                              [--client-secret | --client-secret-fd N]\n"
	    "       hikyakuctl servers change SERVER [--version N] --set FIELD=VALUE...\n"
	    "                                 [--password | --password-fd N]\n"
	    "                                 [--client-secret | --client-secret-fd N]\n"
	    "       hikyakuctl servers delete SERVER [--version N] [--replace-with SERVER]\n"
	    "       hikyakuctl servers order SERVER...\n", stderr);
	return HK_EXIT_USAGE;
}

static const char *
flag(bool b)
{
	return b ? "on" : "off";
}

/* The record as the form would send it, each field overridden by --set. */
static void
server_form(const struct hk_server *s, const struct ctl_sets *sets,
    struct hk_params *form)
{
	char num[6][24];

	snprintf(num[0], sizeof(num[0]), "%d", s->smtp_port);
	snprintf(num[1], sizeof(num[1]), "%d", s->pop_before_smtp_wait);
	snprintf(num[2], sizeof(num[2]), "%lld", s->send_limit);
	snprintf(num[3], sizeof(num[3]), "%d", s->recv_port);
	snprintf(num[4], sizeof(num[4]), "%lld", s->recv_limit);
	ctl_form_field(form, sets, "name", s->name);
	ctl_form_field(form, sets, "smtp_host", s->smtp_host);
	ctl_form_field(form, sets, "smtp_port", num[0]);
	ctl_form_field(form, sets, "smtp_security",
	    hk_security_name(s->smtp_security));
	ctl_form_field(form, sets, "smtp_tls_verify", flag(s->smtp_tls_verify));
	ctl_form_field(form, sets, "smtp_auth", flag(s->smtp_auth));
	ctl_form_field(form, sets, "smtp_auth_method",
	    s->smtp_auth_method != NULL ? s->smtp_auth_method : "");
	ctl_form_field(form, sets, "smtp_credentials",
	    hk_credentials_name(s->smtp_credentials));
	ctl_form_field(form, sets, "smtp_user",
	    s->smtp_user != NULL ? s->smtp_user : "");
	ctl_form_field(form, sets, "pop_before_smtp", flag(s->pop_before_smtp));
	ctl_form_field(form, sets, "pop_before_smtp_wait", num[1]);
	ctl_form_field(form, sets, "send_limit", num[2]);
	ctl_form_field(form, sets, "recv_protocol",
	    hk_recv_protocol_name(s->recv_protocol));
	ctl_form_field(form, sets, "apop", flag(s->apop));
	ctl_form_field(form, sets, "recv_host", s->recv_host);
	ctl_form_field(form, sets, "recv_port", num[3]);
	ctl_form_field(form, sets, "recv_security",
	    hk_security_name(s->recv_security));
	ctl_form_field(form, sets, "recv_tls_verify", flag(s->recv_tls_verify));
	ctl_form_field(form, sets, "recv_limit", num[4]);
	ctl_form_field(form, sets, "recv_auth_method",
	    s->recv_auth_method != NULL ? s->recv_auth_method :
	    HK_RECV_AUTH_PASSWORD);
	ctl_form_field(form, sets, "oauth2_provider",
	    hk_oauth2_provider_name(s->oauth2_provider));
	ctl_form_field(form, sets, "oauth2_tenant",
	    s->oauth2_tenant != NULL ? s->oauth2_tenant : "");
	ctl_form_field(form, sets, "oauth2_client_id",
	    s->oauth2_client_id != NULL ? s->oauth2_client_id : "");
	ctl_form_field(form, sets, "oauth2_auth_url",
	    s->oauth2_auth_url != NULL ? s->oauth2_auth_url : "");
	ctl_form_field(form, sets, "oauth2_token_url",
	    s->oauth2_token_url != NULL ? s->oauth2_token_url : "");
	ctl_form_field(form, sets, "oauth2_device_url",
	    s->oauth2_device_url != NULL ? s->oauth2_device_url : "");
	ctl_form_field(form, sets, "oauth2_scope",
	    s->oauth2_scope != NULL ? s->oauth2_scope : "");
	ctl_form_field(form, sets, "oauth2_grant",
	    hk_oauth2_grant_name(s->oauth2_grant));
}

/* The server named (or, failing that, numbered) ref.  Says why not. */
static int
find_server(struct ctl_session *cs, const char *ref, struct hk_server *out)
{
	enum hk_store_rc rc;

	memset(out, 0, sizeof(*out));
	rc = hk_server_find_by_name(cs->db, NULL, ref, false, out);
	if (rc == HK_STORE_NOT_FOUND && ctl_positive(ref) > 0)
		rc = hk_server_load(cs->db, NULL, ctl_positive(ref), false, out);
	if (rc == HK_STORE_NOT_FOUND)
		fprintf(stderr, "hikyakuctl: no mail server '%s'\n", ref);
	else if (rc != HK_STORE_OK)
		fprintf(stderr, "hikyakuctl: cannot read the mail servers%s\n",
		    rc == HK_STORE_BUSY ? ": the database is locked" : "");
	return rc == HK_STORE_OK ? 0 : -1;
}

/* Says what a failed write means; the exit status. */
static int
write_failed(struct ctl_session *cs, enum hk_server_rc rc)
{
	switch (rc) {
	case HK_SERVER_NOT_FOUND:
		fputs("hikyakuctl: the mail server is gone\n", stderr);
		return HK_EXIT_CONFIG;
	case HK_SERVER_STALE:
		ctl_print_msg(cs, NULL, "error.stale", NULL, 0);
		return HK_EXIT_USAGE;
	case HK_SERVER_BUSY:
		fputs("hikyakuctl: the database is locked by another process\n",
		    stderr);
		return HK_EXIT_CONFIG;
	default:
		fputs("hikyakuctl: cannot write the mail server (see the log "
		    "line above)\n", stderr);
		return HK_EXIT_CONFIG;
	}
}

static int
cmd_list(struct ctl_session *cs)
{
	struct hk_server *v = NULL;
	size_t n = 0;

	if (hk_server_list(cs->db, &v, &n) != HK_STORE_OK) {
		fputs("hikyakuctl: cannot read the mail servers\n", stderr);
		return HK_EXIT_CONFIG;
	}
	/* The format `hikyakuctl servers` always had. */
	for (size_t i = 0; i < n; i++)
		printf("%s\tsmtp %s:%d\t%s %s:%d\n", v[i].name, v[i].smtp_host,
		    v[i].smtp_port, hk_recv_protocol_name(v[i].recv_protocol),
		    v[i].recv_host, v[i].recv_port);
	hk_server_list_free(&v, n);
	return HK_EXIT_OK;
}

static int
cmd_show(struct ctl_session *cs, const char *ref)
{
	struct hk_server s;
	struct ctl_sets none = { HK_PARAMS_INIT };
	struct hk_params form = HK_PARAMS_INIT;

	if (find_server(cs, ref, &s) < 0)
		return HK_EXIT_CONFIG;
	printf("id=%lld\nversion=%lld\nposition=%lld\n", s.id, s.version,
	    s.position);
	server_form(&s, &none, &form);
	for (size_t i = 0; i < form.n; i++)
		printf("%s=%s\n", form.v[i].name, form.v[i].value);
	printf("smtp_password_set=%s\n", s.smtp_password_set ? "yes" : "no");
	printf("oauth2_client_secret_set=%s\n",
	    s.oauth2_client_secret_set ? "yes" : "no");
	hk_params_free(&form);
	hk_server_clear(&s);
	return HK_EXIT_OK;
}

/* add (cur NULL) or change (cur the stored record). */
static int
cmd_write(struct ctl_session *cs, const struct hk_config *cfg,
    struct hk_server *cur, long long version, const struct ctl_sets *sets,
    const struct ctl_pwsource *pw, const struct ctl_pwsource *cs_src)
{
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	struct hk_params form = HK_PARAMS_INIT;
	struct hk_server base, s;
	struct hk_modset *mods;
	enum hk_server_rc rc;
	char *password = NULL, *client_secret = NULL;
	bool used = false;
	int status = HK_EXIT_USAGE;

	memset(&s, 0, sizeof(s));
	if (pw->wanted && (password = ctl_pwsource_read(pw)) == NULL)
		return HK_EXIT_USAGE;
	if (cs_src->wanted &&
	    (client_secret = ctl_pwsource_read(cs_src)) == NULL) {
		hk_free_secret(password);
		return HK_EXIT_USAGE;
	}
	if (cur == NULL) {
		enum hk_recv_protocol p;
		enum hk_security sec;

		hk_server_defaults(&base);
		/* As the add screen offers: the receiving port follows the
		 * protocol and security chosen, unless one is given. */
		if (hk_recv_protocol_parse(ctl_sets_get(sets, "recv_protocol"),
		    &p) == 0)
			base.recv_protocol = p;
		if (hk_security_parse(ctl_sets_get(sets, "recv_security"),
		    &sec) == 0)
			base.recv_security = sec;
		base.recv_port = hk_recv_default_port(base.recv_protocol,
		    base.recv_security);
		server_form(&base, sets, &form);
		hk_server_clear(&base);
	} else {
		server_form(cur, sets, &form);
	}
	if (password != NULL) {
		hk_params_add(&form, "smtp_password", password);
		hk_free_secret(password);
	}
	if (client_secret != NULL) {
		hk_params_add(&form, "oauth2_client_secret", client_secret);
		hk_free_secret(client_secret);
	}
	mods = hk_modset_load(cfg->module_dir);
	hk_server_from_form(&form, mods, cur != NULL ? HK_SERVER_FORM_CHANGE : 0,
	    &s, &errs);
	hk_modset_free(&mods);
	hk_params_free(&form);
	/* Secrets given now or stored (fixed credentials, client
	 * credentials). */
	if (cur != NULL)
		hk_server_form_stored(&s, cur, &errs);
	if (!hk_form_has_error(&errs, "name") && s.name != NULL && *s.name != '\0') {
		if (hk_server_name_used(cs->db, s.name, cur != NULL ? cur->id : 0,
		    &used) != HK_STORE_OK) {
			status = write_failed(cs, HK_SERVER_ERROR);
			goto out;
		}
		if (used)
			hk_form_error(&errs, "name", "error.name-taken", NULL, NULL);
	}
	if (errs.n > 0) {
		ctl_print_errors(cs, &errs);
		goto out;
	}
	if (cur == NULL) {
		rc = hk_server_create(cs->db, cs->key, cs->actor, &s);
	} else {
		s.id = cur->id;
		s.version = version != 0 ? version : cur->version;
		rc = hk_server_update(cs->db, cs->key, cs->actor, &s);
	}
	if (rc == HK_SERVER_NAME_TAKEN) {
		hk_form_error(&errs, "name", "error.name-taken", NULL, NULL);
		ctl_print_errors(cs, &errs);
	} else if (rc != HK_SERVER_OK) {
		status = write_failed(cs, rc);
	} else {
		printf("mail server %s %s (id %lld, version %lld)\n", s.name,
		    cur == NULL ? "added" : "changed", s.id, s.version);
		status = HK_EXIT_OK;
	}
out:
	hk_server_clear(&s);
	return status;
}

static int
cmd_delete(struct ctl_session *cs, const char *ref, long long version,
    const char *replace_ref)
{
	struct hk_server s, repl;
	struct hk_buf users = HK_BUF_INIT;
	long long replace_with = 0;
	enum hk_server_rc rc;
	int status;

	memset(&repl, 0, sizeof(repl));
	if (find_server(cs, ref, &s) < 0)
		return HK_EXIT_CONFIG;
	if (replace_ref != NULL) {
		if (find_server(cs, replace_ref, &repl) < 0) {
			hk_server_clear(&s);
			return HK_EXIT_USAGE;
		}
		replace_with = repl.id;
		hk_server_clear(&repl);
	}
	/* The screens delete servers without a version; the command
	 * compares it just before, which narrows the race to the moment
	 * between the two transactions. */
	if (version != 0 && version != s.version) {
		ctl_print_msg(cs, NULL, "error.stale", NULL, 0);
		hk_server_clear(&s);
		return HK_EXIT_USAGE;
	}
	rc = hk_server_delete(cs->db, cs->actor, s.id, replace_with, &users);
	switch (rc) {
	case HK_SERVER_OK:
		printf("mail server %s deleted\n", s.name);
		status = HK_EXIT_OK;
		break;
	case HK_SERVER_IN_USE: {
		/* One line: the names as the screen lists them. */
		for (size_t i = 0; i + 1 < users.len; i++)
			if (users.data[i] == '\n')
				users.data[i] = ',';
		if (users.len > 0 && users.data[users.len - 1] == '\n')
			users.data[--users.len] = '\0';
		const char *args[1] = { hk_buf_str(&users) };

		ctl_print_msg(cs, "replace_with", "error.in-use", args, 1);
		status = HK_EXIT_USAGE;
		break;
	}
	case HK_SERVER_BAD_REPLACEMENT:
		ctl_print_msg(cs, "replace_with", "error.server-missing", NULL, 0);
		status = HK_EXIT_USAGE;
		break;
	default:
		status = write_failed(cs, rc);
		break;
	}
	hk_buf_free(&users);
	hk_server_clear(&s);
	return status;
}

static int
cmd_order(struct ctl_session *cs, int n, char **refs)
{
	long long *ids = hk_calloc((size_t)n, sizeof(*ids));
	enum hk_server_rc rc;
	struct hk_server s;
	int status = HK_EXIT_OK;

	for (int i = 0; i < n; i++) {
		if (find_server(cs, refs[i], &s) < 0) {
			free(ids);
			return HK_EXIT_USAGE;
		}
		ids[i] = s.id;
		hk_server_clear(&s);
	}
	rc = hk_server_reorder(cs->db, cs->actor, ids, (size_t)n);
	if (rc == HK_SERVER_BAD_ORDER) {
		ctl_print_msg(cs, "order", "error.order", NULL, 0);
		status = HK_EXIT_USAGE;
	} else if (rc != HK_SERVER_OK) {
		status = write_failed(cs, rc);
	} else {
		puts("mail servers reordered");
	}
	free(ids);
	return status;
}

int
ctl_servers(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "version", required_argument, NULL, 'v' },
		{ "password", no_argument, NULL, 'p' },
		{ "password-fd", required_argument, NULL, 'f' },
		{ "client-secret", no_argument, NULL, 'c' },
		{ "client-secret-fd", required_argument, NULL, 'C' },
		{ "replace-with", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_sets sets = { HK_PARAMS_INIT };
	struct ctl_pwsource pw = { false, STDIN_FILENO };
	struct ctl_pwsource secret = { false, STDIN_FILENO };
	const char *sub = argc > 1 ? argv[1] : "list", *replace = NULL;
	long long version = 0;
	struct ctl_session cs;
	struct hk_server cur;
	int c, status = HK_EXIT_USAGE;
	bool changing;

	optind = 0;	/* glibc: re-initialise (main used getopt already) */
	opterr = 0;
	/* argv[1] is the subcommand: the options follow it. */
	while (argc > 1 && (c = getopt_long(argc - 1, argv + 1, "", opts,
	    NULL)) != -1) {
		switch (c) {
		case 's':
			if (ctl_sets_add(&sets, optarg, server_fields) < 0)
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
		case 'c': secret.wanted = true; break;
		case 'C':
			if (ctl_pwsource_fd(&secret, optarg) < 0)
				goto out;
			break;
		case 'r': replace = optarg; break;
		default:
			status = usage();
			goto out;
		}
	}
	argc = argc > 1 ? argc - 1 - optind : 0;
	argv = argv + 1 + optind;	/* the operands after the subcommand */
	changing = strcmp(sub, "add") == 0 || strcmp(sub, "change") == 0;
	if ((!changing && (sets.p.n > 0 || pw.wanted || secret.wanted)) ||
	    (pw.wanted && secret.wanted && pw.fd == secret.fd) ||
	    (strcmp(sub, "delete") != 0 && replace != NULL) ||
	    (version != 0 && strcmp(sub, "change") != 0 &&
	    strcmp(sub, "delete") != 0)) {
		status = usage();
		goto out;
	}
	if (ctl_session_open(cfg, changing, &cs) < 0) {
		status = HK_EXIT_CONFIG;
		goto out;
	}
	if (strcmp(sub, "list") == 0 && argc == 0)
		status = cmd_list(&cs);
	else if (strcmp(sub, "show") == 0 && argc == 1)
		status = cmd_show(&cs, argv[0]);
	else if (strcmp(sub, "add") == 0 && argc == 0)
		status = cmd_write(&cs, cfg, NULL, 0, &sets, &pw,
		    &secret);
	else if (strcmp(sub, "change") == 0 && argc == 1) {
		if (find_server(&cs, argv[0], &cur) < 0)
			status = HK_EXIT_CONFIG;
		else
			status = cmd_write(&cs, cfg, &cur, version, &sets,
			    &pw, &secret);
		hk_server_clear(&cur);
	} else if (strcmp(sub, "delete") == 0 && argc == 1)
		status = cmd_delete(&cs, argv[0], version, replace);
	else if (strcmp(sub, "order") == 0 && argc >= 1)
		status = cmd_order(&cs, argc, argv);
	else
		status = usage();
	ctl_session_close(&cs);
out:
	ctl_sets_free(&sets);
	return status;
}
