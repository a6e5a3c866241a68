/* ctl_oauth2.c - hikyakuctl oauth2: connecting mail accounts to their
 * server's OAuth 2.0 provider from the command line (docs/OAUTH2.md).
 *
 *   hikyakuctl oauth2 connect --account NAME [--redirect-uri URI]
 *   hikyakuctl oauth2 status [--account NAME]
 *
 * connect: by device authorization (RFC 8628) when the server has a
 * device URL -- the verification URL and the code go to standard output,
 * then it waits for the user -- otherwise by the authorization code flow
 * with PKCE: it prints the authorization URL and reads the address the
 * browser was sent back to (REDIRECT?code=...&state=...) pasted on
 * standard input, checks its state and exchanges the code.  The redirect
 * URI is --redirect-uri, else public_url + "oauth2/callback" (the browser
 * flow's), registered at the provider.  A server with
 * oauth2_grant = client_credentials needs no account connected: connect
 * then fetches the server's app-only token, to show that it works.
 *
 * status: one line per account of an OAuth 2.0 server, tab-separated:
 * name, state (connected / not connected / needs reconnecting), access
 * token expiry (ISO-8601, "-" when none), granted scope, last error.
 *
 * Exit: 0; 1 usage; 2 configuration or database; 4 the provider refused
 * (its error text on standard error); 5 the provider could not be
 * reached or gave no OAuth 2.0 answer.  Tokens are never printed.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "ctl.h"
#include "ctl_fetch.h"
#include "db.h"
#include "db_schema.h"
#include "form.h"
#include "keyfile.h"
#include "mem.h"
#include "oauth2_call.h"
#include "oauth2_tokens.h"
#include "params.h"
#include "server_store.h"
#include "servers.h"
#include "validate.h"

static int
usage(void)
{
	fputs("usage: hikyakuctl oauth2 connect --account NAME "
	    "[--redirect-uri URI]\n"
	    "       hikyakuctl oauth2 status [--account NAME]\n", stderr);
	return HK_EXIT_USAGE;
}

static void
iso_time(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(out, 32, "-");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The exit status of a provider answer that is not OK; says why. */
static int
answer_failed(const char *what, const struct hk_oauth2_answer *a)
{
	char *text = hk_oauth2_answer_text(a);
	int rc;

	fprintf(stderr, "hikyakuctl: oauth2 %s: %s: %s\n", what,
	    a->cls == HK_OAUTH2_CALL_UNREACHABLE ? "the token endpoint gave "
	    "no usable answer (nothing stored)" : a->cls == HK_OAUTH2_CALL_CONFIG ?
	    "the server's OAuth 2.0 settings cannot work" :
	    "the provider refused", text);
	free(text);
	rc = a->cls == HK_OAUTH2_CALL_UNREACHABLE ? HK_EXIT_NET :
	    a->cls == HK_OAUTH2_CALL_CONFIG ? HK_EXIT_CONFIG : HK_EXIT_AUTH;
	return rc;
}

/* Stores a first connection's tokens for owner; 0 or the exit status. */
static int
store(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    struct hk_oauth2_owner owner, const struct hk_server *s,
    const struct hk_oauth2_answer *a, const char *name)
{
	char until[32];
	enum hk_store_rc rc;

	rc = hk_oauth2_tokens_connect(db, key, owner, a->access, a->expires,
	    a->scope != NULL ? a->scope : hk_oauth2_call_scope(s), a->refresh,
	    (long long)time(NULL));
	if (rc != HK_STORE_OK) {
		fprintf(stderr, "hikyakuctl: oauth2 connect: cannot store the "
		    "tokens of %s (%s)\n", name, rc == HK_STORE_INVALID ?
		    "the provider's token is empty or too long" :
		    "the database refused; see the log");
		return HK_EXIT_CONFIG;
	}
	iso_time(a->expires, until);
	printf("%s: connected; access token valid until %s%s\n", name, until,
	    owner.kind == HK_OAUTH2_OWNER_ACCOUNT && a->refresh == NULL ?
	    " (the provider gave no refresh token: connect again after it)" :
	    "");
	return 0;
}

static void
show_device(void *arg, const char *uri, const char *uri_complete,
    const char *user_code, long long expires_at)
{
	char until[32];

	(void)arg;
	iso_time(expires_at, until);
	printf("To connect, open %s and enter the code %s (valid until %s).\n",
	    uri, user_code, until);
	if (uri_complete != NULL)
		printf("Or open %s\n", uri_complete);
	printf("Waiting for the sign-in...\n");
	fflush(stdout);
}

/* The pasted redirect: checks state, returns the code (caller frees with
 * hk_free_secret), or NULL having said why (*rc set). */
static char *
pasted_code(const char *line, const char *state, int *rc)
{
	struct hk_params q = HK_PARAMS_INIT;
	const char *qs = strchr(line, '?'), *got, *err;
	size_t len;
	char *code = NULL;

	*rc = HK_EXIT_USAGE;
	if (qs == NULL) {
		fprintf(stderr, "hikyakuctl: oauth2 connect: the pasted address "
		    "has no query (?code=...&state=...)\n");
		return NULL;
	}
	qs++;
	len = strcspn(qs, "#");
	if (hk_form_parse(qs, len, 32, &q) != HK_FORM_OK) {
		fprintf(stderr, "hikyakuctl: oauth2 connect: the pasted address "
		    "cannot be read\n");
		return NULL;
	}
	got = hk_params_get(&q, "state");
	if (got == NULL || strlen(got) != strlen(state) ||
	    !hk_ct_equal(got, state, strlen(state))) {
		fprintf(stderr, "hikyakuctl: oauth2 connect: the pasted address "
		    "is not the answer to this sign-in (its state differs): "
		    "nothing stored\n");
		goto out;
	}
	if ((err = hk_params_get(&q, "error")) != NULL) {
		const char *d = hk_params_get(&q, "error_description");

		fprintf(stderr, "hikyakuctl: oauth2 connect: the provider "
		    "refused: %.64s%s%.512s\n", err, d != NULL ? ": " : "",
		    d != NULL ? d : "");
		*rc = HK_EXIT_AUTH;
		goto out;
	}
	if ((got = hk_params_get(&q, "code")) == NULL || *got == '\0') {
		fprintf(stderr, "hikyakuctl: oauth2 connect: the pasted address "
		    "has no code\n");
		goto out;
	}
	code = hk_strdup(got);
	*rc = 0;
out:
	for (size_t i = 0; i < q.n; i++)
		if (q.v[i].value != NULL)
			hk_wipe(q.v[i].value, strlen(q.v[i].value));
	hk_params_free(&q);
	return code;
}

static int
connect_by_redirect(const struct hk_config *cfg, const struct hk_server *s,
    const struct hk_account *a, const char *redirect,
    struct hk_oauth2_answer *ans)
{
	char state[44], verifier[129];
	char *url, *line, *code, *own = NULL;
	int rc;

	/* The browser flow's redirect URI unless told otherwise: the one
	 * already registered at the provider. */
	if (redirect == NULL && cfg->public_url != NULL)
		redirect = own = hk_aprintf("%soauth2/callback", cfg->public_url);
	if (redirect == NULL) {
		fprintf(stderr, "hikyakuctl: oauth2 connect: mail server %s has "
		    "no device authorization URL: set public_url in hikyaku.conf "
		    "or give --redirect-uri with the redirect URI registered at "
		    "the provider\n", s->name);
		return HK_EXIT_USAGE;
	}
	url = hk_oauth2_call_auth_url(s, redirect, a->username, state, verifier);
	if (url == NULL) {
		fprintf(stderr, "hikyakuctl: oauth2 connect: mail server %s has "
		    "no https:// authorization URL or no client id\n", s->name);
		hk_wipe(verifier, sizeof(verifier));
		free(own);
		return HK_EXIT_CONFIG;
	}
	printf("Open this address in a browser and sign in as %s:\n%s\n"
	    "Then paste the address the browser was sent back to:\n",
	    a->username, url);
	fflush(stdout);
	free(url);
	if ((line = hk_ctl_read_secret()) == NULL) {
		fprintf(stderr, "hikyakuctl: oauth2 connect: %s\n", errno == E2BIG ?
		    "the pasted address is too long" : "nothing was pasted");
		hk_wipe(verifier, sizeof(verifier));
		free(own);
		return HK_EXIT_USAGE;
	}
	code = pasted_code(line, state, &rc);
	hk_free_secret(line);
	if (code != NULL) {
		hk_oauth2_call_exchange(s, cfg->ca_file, code, verifier, redirect,
		    ans);
		hk_free_secret(code);
	}
	hk_wipe(verifier, sizeof(verifier));
	free(own);
	return rc;
}

static int
cmd_connect(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "redirect-uri", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *account = NULL, *redirect = NULL;
	unsigned char key[HK_KEY_LEN];
	struct hk_db *db = NULL;
	struct hk_account a = { 0 };
	struct hk_server s = { 0 };
	struct hk_oauth2_answer ans;
	enum hk_store_rc src;
	int c, rc;

	memset(&ans, 0, sizeof(ans));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': account = optarg; break;
		case 'r': redirect = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc || account == NULL)
		return usage();
	if ((rc = ctl_open_store(cfg, key, &db)) != 0)
		return rc;
	rc = HK_EXIT_CONFIG;
	src = hk_account_find_by_name(db, key, account, false, &a);
	if (src != HK_STORE_OK) {
		fprintf(stderr, "hikyakuctl: %s\n", src == HK_STORE_NOT_FOUND ?
		    "no such mail account" : "cannot read the mail account");
		goto out;
	}
	if (hk_server_load(db, key, a.server_id, true, &s) != HK_STORE_OK) {
		fprintf(stderr, "hikyakuctl: the mail server of account '%s' "
		    "cannot be read (its secrets must decrypt)\n", a.name);
		goto out;
	}
	if (s.oauth2_provider == HK_OAUTH2_NONE) {
		fprintf(stderr, "hikyakuctl: oauth2 connect: mail server %s does "
		    "not use OAuth 2.0 (oauth2_provider none)\n", s.name);
		goto out;
	}
	if (s.oauth2_grant == HK_OAUTH2_GRANT_CLIENT) {
		struct hk_oauth2_owner owner = { HK_OAUTH2_OWNER_SERVER, s.id };
		char *label = hk_aprintf("mail server %s", s.name);

		printf("mail server %s uses client credentials: accounts need no "
		    "connecting; fetching its app-only token\n", s.name);
		hk_oauth2_call_client_credentials(&s, cfg->ca_file, &ans);
		rc = ans.cls == HK_OAUTH2_CALL_OK ?
		    store(db, key, owner, &s, &ans, label) :
		    answer_failed("connect", &ans);
		free(label);
		goto out;
	}
	if (s.oauth2_device_url != NULL && *s.oauth2_device_url != '\0')
		hk_oauth2_call_device(&s, cfg->ca_file, show_device, NULL, &ans);
	else if ((rc = connect_by_redirect(cfg, &s, &a, redirect, &ans)) != 0)
		goto out;
	if (ans.cls != HK_OAUTH2_CALL_OK)
		rc = answer_failed("connect", &ans);
	else
		rc = store(db, key, (struct hk_oauth2_owner){
		    HK_OAUTH2_OWNER_ACCOUNT, a.id }, &s, &ans, a.name);
out:
	hk_oauth2_answer_clear(&ans);
	hk_account_clear(&a);
	hk_server_clear(&s);
	hk_db_close(&db);
	hk_wipe(key, sizeof(key));
	return rc;
}

/* One status line for account a of server s. */
static int
status_line(struct hk_db *db, const struct hk_account *a,
    const struct hk_server *s)
{
	bool cc = s->oauth2_grant == HK_OAUTH2_GRANT_CLIENT;
	struct hk_oauth2_owner owner = {
		cc ? HK_OAUTH2_OWNER_SERVER : HK_OAUTH2_OWNER_ACCOUNT,
		cc ? s->id : a->id,
	};
	struct hk_oauth2_tokens t;
	enum hk_store_rc rc;
	const char *state;
	char until[32];

	memset(&t, 0, sizeof(t));
	rc = hk_oauth2_tokens_load(db, NULL, owner, false, &t);
	if (rc != HK_STORE_OK && rc != HK_STORE_NOT_FOUND) {
		fprintf(stderr, "hikyakuctl: oauth2 status: cannot read the "
		    "tokens of %s\n", a->name);
		return HK_EXIT_CONFIG;
	}
	if (cc)
		state = rc == HK_STORE_NOT_FOUND ? "no token yet (client "
		    "credentials: fetched on first use)" :
		    "connected (client credentials)";
	else if (rc == HK_STORE_NOT_FOUND)
		state = "not connected";
	else if (t.needs_reconnect)
		state = "needs reconnecting";
	else
		state = "connected";
	iso_time(t.access_set ? t.access_expires : 0, until);
	printf("%s\t%s\t%s\t%s\t%s\n", a->name, state, until,
	    t.scope != NULL && *t.scope != '\0' ? t.scope : "-",
	    t.last_error != NULL ? t.last_error : "-");
	hk_oauth2_tokens_clear(&t);
	return 0;
}

static int
cmd_status(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *account = NULL;
	unsigned char key[HK_KEY_LEN];
	struct hk_db *db = NULL;
	struct hk_account *accts = NULL;
	struct hk_server *srvs = NULL;
	size_t na = 0, ns = 0, shown = 0;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': account = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc)
		return usage();
	if ((rc = ctl_open_store(cfg, key, &db)) != 0)
		return rc;
	rc = HK_EXIT_CONFIG;
	if (hk_account_list(db, NULL, &accts, &na) != HK_STORE_OK ||
	    hk_server_list(db, &srvs, &ns) != HK_STORE_OK) {
		fprintf(stderr, "hikyakuctl: oauth2 status: cannot read the "
		    "accounts and servers\n");
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < na && rc == 0; i++) {
		const struct hk_server *s = NULL;

		if (account != NULL && !hk_name_equal(accts[i].name, account))
			continue;
		for (size_t j = 0; j < ns; j++)
			if (srvs[j].id == accts[i].server_id)
				s = &srvs[j];
		if (s == NULL || s->oauth2_provider == HK_OAUTH2_NONE) {
			if (account != NULL) {
				fprintf(stderr, "hikyakuctl: oauth2 status: the mail "
				    "server of account '%s' does not use OAuth 2.0\n",
				    account);
				rc = HK_EXIT_CONFIG;
			}
			continue;
		}
		rc = status_line(db, &accts[i], s);
		shown++;
	}
	if (rc == 0 && account != NULL && shown == 0) {
		fprintf(stderr, "hikyakuctl: no mail account '%s'\n", account);
		rc = HK_EXIT_CONFIG;
	}
out:
	hk_account_list_free(&accts, na);
	hk_server_list_free(&srvs, ns);
	hk_db_close(&db);
	hk_wipe(key, sizeof(key));
	return rc;
}

int
ctl_oauth2(const struct hk_config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "connect") == 0)
		return cmd_connect(cfg, argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(cfg, argc - 1, argv + 1);
	return usage();
}
