/* ctl_export.c - `hikyakuctl export [--with-secrets]`: every mail server
 * (in display order) and mail account as one XML document on standard
 * output, named as the screens' XML names them (docs/REFERENCE.md, "The
 * export document").  Without --with-secrets it holds no secret at all;
 * with it, the passwords are sealed for a passphrase read from the first
 * line of standard input (ctl_xfer.h).  Read in one transaction, so the
 * document is one consistent state. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/rand.h>

#include "accounts.h"
#include "ctl.h"
#include "ctl_fields.h"
#include "ctl_xfer.h"
#include "mem.h"
#include "server_store.h"

static int
usage(void)
{
	fputs("usage: hikyakuctl export [--with-secrets]\n"
	    "       (with --with-secrets: the passphrase on standard input)\n",
	    stderr);
	return HK_EXIT_USAGE;
}

static void
text(xmlNodePtr parent, const char *name, const char *value)
{
	xmlNewTextChild(parent, NULL, BAD_CAST name,
	    BAD_CAST (value != NULL ? value : ""));
}

static void
num(xmlNodePtr parent, const char *name, long long v)
{
	char b[24];

	snprintf(b, sizeof(b), "%lld", v);
	text(parent, name, b);
}

static void
flag(xmlNodePtr parent, const char *name, bool on)
{
	text(parent, name, on ? "on" : "off");
}

/* <mail-server> with the children of hk_xfer_server_fields. */
static void
server_xml(xmlNodePtr parent, const struct hk_server *s,
    const unsigned char *xkey)
{
	xmlNodePtr e = xmlNewChild(parent, NULL, BAD_CAST "mail-server", NULL);

	text(e, "name", s->name);
	text(e, "smtp_host", s->smtp_host);
	num(e, "smtp_port", s->smtp_port);
	text(e, "smtp_security", hk_security_name(s->smtp_security));
	flag(e, "smtp_tls_verify", s->smtp_tls_verify);
	flag(e, "smtp_auth", s->smtp_auth);
	text(e, "smtp_auth_method", s->smtp_auth_method);
	text(e, "smtp_credentials", hk_credentials_name(s->smtp_credentials));
	text(e, "smtp_user", s->smtp_user);
	if (xkey != NULL && s->smtp_password != NULL) {
		char *where = hk_xfer_where("mail-server", s->name,
		    "smtp_password");

		hk_xfer_seal(e, "smtp_password", xkey, where, s->smtp_password);
		free(where);
	}
	flag(e, "pop_before_smtp", s->pop_before_smtp);
	num(e, "pop_before_smtp_wait", s->pop_before_smtp_wait);
	num(e, "send_limit", s->send_limit);
	text(e, "recv_protocol", hk_recv_protocol_name(s->recv_protocol));
	flag(e, "apop", s->apop);
	text(e, "recv_host", s->recv_host);
	num(e, "recv_port", s->recv_port);
	text(e, "recv_security", hk_security_name(s->recv_security));
	flag(e, "recv_tls_verify", s->recv_tls_verify);
	num(e, "recv_limit", s->recv_limit);
	text(e, "recv_auth_method", s->recv_auth_method);
	text(e, "oauth2_provider", hk_oauth2_provider_name(s->oauth2_provider));
	text(e, "oauth2_tenant", s->oauth2_tenant);
	text(e, "oauth2_client_id", s->oauth2_client_id);
	if (xkey != NULL && s->oauth2_client_secret != NULL) {
		char *where = hk_xfer_where("mail-server", s->name,
		    "oauth2_client_secret");

		hk_xfer_seal(e, "oauth2_client_secret", xkey, where,
		    s->oauth2_client_secret);
		free(where);
	}
	text(e, "oauth2_auth_url", s->oauth2_auth_url);
	text(e, "oauth2_token_url", s->oauth2_token_url);
	text(e, "oauth2_device_url", s->oauth2_device_url);
	text(e, "oauth2_scope", s->oauth2_scope);
	text(e, "oauth2_grant", hk_oauth2_grant_name(s->oauth2_grant));
}

static void
account_xml(xmlNodePtr parent, const struct hk_account *a,
    const unsigned char *xkey)
{
	xmlNodePtr e = xmlNewChild(parent, NULL, BAD_CAST "mail-account", NULL);

	text(e, "name", a->name);
	text(e, "address", a->address);
	text(e, "server_name", a->server_name);
	text(e, "username", a->username);
	if (xkey != NULL && a->password != NULL) {
		char *where = hk_xfer_where("mail-account", a->name, "password");

		hk_xfer_seal(e, "password", xkey, where, a->password);
		free(where);
	}
}

/* <secrets>: the construction's parameters and a sealed check value. */
static int
secrets_xml(xmlNodePtr root, const char *passphrase,
    unsigned char xkey[HK_KEY_LEN])
{
	unsigned char salt[HK_XFER_SALT_LEN];
	char b[24], *salt_s;
	xmlNodePtr e;

	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    hk_xfer_derive(passphrase, salt, sizeof(salt), HK_XFER_SCRYPT_N,
	    HK_XFER_SCRYPT_R, HK_XFER_SCRYPT_P, xkey) < 0) {
		fputs("hikyakuctl: cannot derive the key from the passphrase\n",
		    stderr);
		return -1;
	}
	e = hk_xfer_seal(root, "secrets", xkey, "check", HK_XFER_ROOT);
	xmlNewProp(e, BAD_CAST "cipher", BAD_CAST "aes-256-gcm");
	xmlNewProp(e, BAD_CAST "kdf", BAD_CAST "scrypt");
	snprintf(b, sizeof(b), "%llu", HK_XFER_SCRYPT_N);
	xmlNewProp(e, BAD_CAST "scrypt-n", BAD_CAST b);
	snprintf(b, sizeof(b), "%llu", HK_XFER_SCRYPT_R);
	xmlNewProp(e, BAD_CAST "scrypt-r", BAD_CAST b);
	snprintf(b, sizeof(b), "%llu", HK_XFER_SCRYPT_P);
	xmlNewProp(e, BAD_CAST "scrypt-p", BAD_CAST b);
	salt_s = hk_xfer_b64(salt, sizeof(salt));
	xmlNewProp(e, BAD_CAST "salt", BAD_CAST salt_s);
	free(salt_s);
	return 0;
}

/* Fills root from the database; -1 having said why. */
static int
build(struct ctl_session *cs, xmlNodePtr root, const unsigned char *xkey)
{
	const unsigned char *key = xkey != NULL ? cs->key : NULL;
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "mail-servers", NULL);
	struct hk_server *sv = NULL;
	struct hk_account *av = NULL;
	size_t ns = 0, na = 0;
	int rc = 0;

	if (hk_server_list(cs->db, &sv, &ns) != HK_STORE_OK) {
		fputs("hikyakuctl: cannot read the mail servers\n", stderr);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < ns; i++) {
		struct hk_server s;

		memset(&s, 0, sizeof(s));
		if (key != NULL && (sv[i].smtp_password_set ||
		    sv[i].oauth2_client_secret_set) &&
		    hk_server_load(cs->db, key, sv[i].id, true, &s) !=
		    HK_STORE_OK) {
			fprintf(stderr, "hikyakuctl: the SMTP password or OAuth "
			    "2.0 client secret of mail server '%s' cannot be "
			    "read (set it again)\n",
			    sv[i].name);
			rc = -1;
			break;
		}
		server_xml(list, s.name != NULL ? &s : &sv[i], xkey);
		hk_server_clear(&s);
	}
	hk_server_list_free(&sv, ns);
	if (rc < 0)
		return -1;

	list = xmlNewChild(root, NULL, BAD_CAST "mail-accounts", NULL);
	if (hk_account_list(cs->db, NULL, &av, &na) != HK_STORE_OK) {
		fputs("hikyakuctl: cannot read the mail accounts\n", stderr);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < na; i++) {
		struct hk_account a = { 0 };

		if (key != NULL && (hk_account_load(cs->db, key, av[i].id, true,
		    &a) != HK_STORE_OK || a.password == NULL)) {
			fprintf(stderr, "hikyakuctl: the password of mail "
			    "account '%s' cannot be read (set it again)\n",
			    av[i].name);
			hk_account_clear(&a);
			rc = -1;
			break;
		}
		account_xml(list, a.name != NULL ? &a : &av[i], xkey);
		hk_account_clear(&a);
	}
	hk_account_list_free(&av, na);
	return rc;
}

int
ctl_export(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "with-secrets", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char xkey[HK_KEY_LEN];
	struct ctl_session cs;
	bool secrets = false;
	char *passphrase = NULL;
	xmlDocPtr doc;
	xmlNodePtr root;
	int c, status = HK_EXIT_CONFIG;

	optind = 0;	/* glibc: re-initialise (main used getopt already) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 's')
			return usage();
		secrets = true;
	}
	if (optind != argc)
		return usage();
	if (secrets) {
		if ((passphrase = hk_ctl_read_secret()) == NULL ||
		    *passphrase == '\0') {
			fprintf(stderr, "hikyakuctl: --with-secrets needs a "
			    "passphrase on standard input%s\n", errno == E2BIG ?
			    " (that one is too long)" : "");
			hk_free_secret(passphrase);
			return HK_EXIT_USAGE;
		}
	}
	if (ctl_session_open(cfg, secrets, &cs) < 0) {
		hk_free_secret(passphrase);
		return HK_EXIT_CONFIG;
	}
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewNode(NULL, BAD_CAST HK_XFER_ROOT);
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, BAD_CAST "version", BAD_CAST HK_XFER_VERSION);
	if (secrets && secrets_xml(root, passphrase, xkey) < 0)
		goto out;
	/* One snapshot for the whole document. */
	if (hk_db_exec(cs.db, "BEGIN") != HK_SQL_OK) {
		fprintf(stderr, "hikyakuctl: %s\n", hk_db_errmsg(cs.db));
		goto out;
	}
	if (build(&cs, root, secrets ? xkey : NULL) == 0) {
		if (xmlSaveFormatFileEnc("-", doc, "UTF-8", 1) < 0 ||
		    fflush(stdout) != 0)
			fputs("hikyakuctl: cannot write the document\n", stderr);
		else
			status = HK_EXIT_OK;
	}
	hk_db_rollback(cs.db);	/* read only */
out:
	hk_wipe(xkey, sizeof(xkey));
	hk_free_secret(passphrase);
	xmlFreeDoc(doc);
	ctl_session_close(&cs);
	return status;
}
