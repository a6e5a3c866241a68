/* ctl_test.c - hikyakuctl test: the staged connection test (docs/PROTOCOLS.md).
 *
 *   hikyakuctl test SERVER (--account NAME | --user U [--address ADDR])
 *                  [--xml] [--timeout SECONDS]
 *
 * SERVER is a saved server's name; --address overrides the account's
 * address as the relay target.  With --user the password is the first
 * line of standard input.  The stages go to standard output, one line
 * each, in English from the en catalogue (or, with --xml, the
 * <test-result> of docs/PROTOCOLS.md); a failure also gives one line on
 * standard error.  The result is stored as the server's last test.
 * --timeout sets the per-step timeout (the whole dialogue of an end gets
 * four times as long).  Every test is recorded in the audit trail
 * (actor "hikyakuctl").  Unlike the screens, the command may use an
 * account's stored password with any saved server: whoever can run it
 * can read the secret key and the database anyway.  A server that signs
 * in with OAuth 2.0 needs --account (the token is the account's; it is
 * refreshed first when it expires within five minutes, and the test
 * shows that as its token stage).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "accounts.h"
#include "conntest.h"
#include "ctl.h"
#include "db.h"
#include "i18n.h"
#include "keyfile.h"
#include "mem.h"
#include "modload.h"
#include "oauth2_token.h"
#include "server_store.h"
#include "servers.h"
#include "testaudit.h"

static int
usage(void)
{
	fputs("usage: hikyakuctl test SERVER (--account NAME | --user U "
	    "[--address ADDR]) [--xml] [--timeout SECONDS]\n", stderr);
	return HK_EXIT_USAGE;
}

int
ctl_test(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "address", required_argument, NULL, 'A' },
		{ "xml", no_argument, NULL, 'x' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *account = NULL, *user = NULL, *address = NULL;
	struct hk_server srv;
	struct hk_account acct;
	struct hk_conntest_params p;
	struct hk_conntest_result res;
	unsigned char key[HK_KEY_LEN];
	struct hk_catalog *cat = NULL;
	struct hk_modset *mods = NULL;
	struct hk_db *db = NULL;
	char *err = NULL, *password = NULL, *i18n;
	xmlDocPtr doc = NULL;
	xmlNodePtr result;
	struct hk_oauth2_token tok;
	bool xml = false, oauth_end = false, have_token = false;
	long timeout = 0;
	int c, rc = HK_EXIT_CONFIG;
	enum hk_store_rc src;

	memset(&srv, 0, sizeof(srv));
	memset(&acct, 0, sizeof(acct));
	memset(&tok, 0, sizeof(tok));
	optind = 0;	/* glibc: re-initialise (main used getopt already) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': account = optarg; break;
		case 'u': user = optarg; break;
		case 'A': address = optarg; break;
		case 'x': xml = true; break;
		case 't': {
			char *end;

			timeout = strtol(optarg, &end, 10);
			if (*end != '\0' || timeout < 1 || timeout > 600)
				return usage();
			break;
		}
		default:
			return usage();
		}
	}
	if (optind != argc - 1 || (account == NULL) == (user == NULL))
		return usage();

	if (hk_keyfile_read(cfg->secret_key, key, &err) < 0) {
		fprintf(stderr, "hikyakuctl: %s\n", err);
		free(err);
		return HK_EXIT_CONFIG;
	}
	if ((db = hk_db_open(cfg->database, false, &err)) == NULL) {
		fprintf(stderr, "hikyakuctl: %s\n", err);
		free(err);
		goto out;
	}
	if (hk_db_schema_version(db) != hk_db_schema_latest()) {
		fprintf(stderr, "hikyakuctl: %s: the schema is not current "
		    "(run 'hikyakuctl init')\n", cfg->database);
		goto out;
	}
	src = hk_server_find_by_name(db, key, argv[optind], true, &srv);
	if (src != HK_STORE_OK) {
		fprintf(stderr, "hikyakuctl: %s\n", src == HK_STORE_NOT_FOUND ?
		    "no such mail server" :
		    "cannot read the mail server (see the log line above)");
		goto out;
	}
	oauth_end = hk_oauth2_token_recv(&srv) || hk_oauth2_token_send(&srv);
	if (account != NULL) {
		src = hk_account_find_by_name(db, key, account, true, &acct);
		if (src == HK_STORE_NOT_FOUND) {
			fprintf(stderr, "hikyakuctl: no mail account '%s'\n",
			    account);
			goto out;
		}
		/* An OAuth 2.0 account may have no password: then the
		 * token signs in, and an end that needs the password fails
		 * at its sign-in stage. */
		if (src != HK_STORE_OK || (acct.password == NULL &&
		    !oauth_end)) {
			fprintf(stderr, "hikyakuctl: the password of mail account "
			    "'%s' cannot be read (set it again)\n", account);
			goto out;
		}
		user = acct.username;
		if (address == NULL)
			address = acct.address;
		password = hk_strdup(acct.password != NULL ? acct.password : "");
		if (oauth_end) {
			struct hk_oauth2_src o = { db, key, cfg->ca_file };

			(void)hk_oauth2_token_get(&o, &srv, &acct, &tok);
			have_token = true;
		}
	} else if ((password = hk_ctl_read_secret()) == NULL) {
		fprintf(stderr, "hikyakuctl: %s\n", errno == E2BIG ?
		    "the password on standard input is too long" :
		    "--user needs the password on standard input");
		rc = HK_EXIT_USAGE;
		goto out;
	}

	i18n = hk_aprintf("%s/i18n", cfg->xsl_dir);
	cat = hk_catalog_load(i18n, &err);
	free(i18n);
	if (cat == NULL) {
		/* Only the texts are lost: the keys are printed instead. */
		fprintf(stderr, "hikyakuctl: warning: %s\n", err);
		free(err);
		err = NULL;
	}
	mods = hk_modset_load(cfg->module_dir);

	memset(&p, 0, sizeof(p));
	p.srv = &srv;
	p.user = user;
	p.password = password;
	p.address = address;
	p.cred_field = account != NULL ? "account_id" : "test_user";
	p.mods = mods;
	p.token = have_token ? &tok : NULL;
	p.to = hk_net_timeouts_default;
	if (timeout > 0) {
		p.to.connect_ms = p.to.io_ms = p.to.resolve_ms = (int)timeout * 1000;
		p.to.total_ms = (int)timeout * 4000;
	}
	p.cat = cat;
	p.lang = "en";

	doc = xmlNewDoc(BAD_CAST "1.0");
	result = hk_conntest_run(&p, doc, &res);
	xmlDocSetRootElement(doc, result);
	(void)hk_conntest_store(db, srv.id, &res, result);
	{
		struct hk_testaudit t = {
			.actor = "hikyakuctl", .srv = &srv, .saved = true,
			.account_name = account != NULL ? acct.name : NULL,
			.account_id = account != NULL ? acct.id : 0,
			.typed_user = account != NULL ? NULL : user,
			.stored_smtp_password = srv.smtp_password != NULL,
			.ok = res.ok, .exit_code = res.exit_code,
			.summary = res.summary,
		};

		(void)hk_testaudit_record(db, &t);
	}
	if (xml) {
		xmlChar *mem = NULL;
		int len = 0;

		xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
		fwrite(mem, 1, (size_t)len, stdout);
		xmlFree(mem);
	} else {
		hk_conntest_print(result, stdout);
		printf("%s\n", res.summary);
	}
	if (!res.ok)
		fprintf(stderr, "hikyakuctl: test %s: %s\n", srv.name, res.summary);
	rc = res.exit_code;
	free(res.summary);
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	hk_free_secret(password);
	hk_oauth2_token_clear(&tok);
	hk_server_clear(&srv);
	hk_account_clear(&acct);
	hk_modset_free(&mods);
	hk_catalog_free(&cat);
	hk_db_close(&db);
	hk_wipe(key, sizeof(key));
	return rc;
}
