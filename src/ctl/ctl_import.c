/* ctl_import.c - `hikyakuctl import FILE [--dry-run] [--replace]`: the
 * document of `export` back into the database (docs/REFERENCE.md, "The
 * export document").
 *
 * Everything is checked before anything is written: the XML itself, its
 * shape against the installed schema (xmlSchemaValidateDoc), the
 * passphrase when it holds secrets, then every server and account by the
 * screens' own rules (hk_server_from_form, hk_account_from_form) plus the
 * names (unique, existing without --replace) and each account's server.
 * Every problem is printed as FILE:LINE: ..., and any of them means
 * exit 1 with nothing changed.  Then the whole document is applied in one
 * transaction through the model's audited writes (db.h nests them). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "accounts.h"
#include "ctl.h"
#include "ctl_fields.h"
#include "ctl_xfer.h"
#include "i18n.h"
#include "mem.h"
#include "modload.h"
#include "server_form.h"
#include "server_store.h"

#define SCHEMA_FILE "hikyaku-export.xsd"

struct imp_server {
	xmlNodePtr node;
	struct hk_server s;
	long long existing;	/* id of the stored server of that name, 0 */
};

struct imp_account {
	xmlNodePtr node;
	struct hk_account a;
	long long existing;	/* id of the stored account of that name, 0 */
	long doc_server;	/* index into the document's servers, or -1 */
	long long db_server;	/* else the stored server's id */
};

struct import {
	const char *file;
	struct ctl_session *cs;
	bool replace;
	size_t problems;
	unsigned char xkey[HK_KEY_LEN];
	bool have_xkey;
	struct imp_server *sv;
	size_t ns;
	struct imp_account *av;
	size_t na;
};

static int
usage(void)
{
	fputs("usage: hikyakuctl import FILE [--dry-run] [--replace]\n"
	    "       (a document with secrets: the passphrase on standard input)\n",
	    stderr);
	return HK_EXIT_USAGE;
}

static void
problem(struct import *im, const xmlNode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
problem(struct import *im, const xmlNode *at, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%ld: ", im->file, at != NULL ? xmlGetLineNo(at) : 0L);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	im->problems++;
}

/* libxml2's parser and schema errors, as FILE:LINE: message.  (The
 * handler's error became const in libxml2 2.12.) */
#if LIBXML_VERSION >= 21200
#define XML_ERROR_CONST const
#else
#define XML_ERROR_CONST
#endif
static void
xml_error(void *ctx, XML_ERROR_CONST xmlError *e)
{
	struct import *im = ctx;
	size_t n = e->message != NULL ? strlen(e->message) : 0;

	while (n > 0 && e->message[n - 1] == '\n')
		n--;
	fprintf(stderr, "%s:%d: %.*s\n", im->file, e->line, (int)n,
	    e->message != NULL ? e->message : "");
	im->problems++;
}

static xmlNodePtr
child(const xmlNode *parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* The text of parent's child name ("" when absent); caller frees. */
static char *
child_text(const xmlNode *parent, const char *name)
{
	xmlNodePtr c = child(parent, name);
	xmlChar *t = c != NULL ? xmlNodeGetContent(c) : NULL;
	char *out = hk_strdup(t != NULL ? (const char *)t : "");

	xmlFree(t);
	return out;
}

/* Prints the model's errors for the record at node, each at the line of
 * its field's element (renamed where the document's name differs). */
static void
model_errors(struct import *im, const xmlNode *node, const char *kind,
    const char *name, const struct hk_form_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++) {
		const struct hk_field_error *e = &errs->v[i];
		const char *field = e->field;
		const char *args[2] = { e->args[0], e->args[1] };
		char *m = hk_msg_format(im->cs->cat, im->cs->lang, e->key, args,
		    e->nargs);
		xmlNodePtr at;

		if (strcmp(kind, "mail-account") == 0 &&
		    strcmp(field, "server_id") == 0)
			field = "server_name";
		at = child(node, field);
		problem(im, at != NULL ? at : node, "%s '%s': %s: %s", kind, name,
		    field, m);
		free(m);
	}
}

/* Reads <secrets> and derives the key; false having reported why. */
static bool
open_secrets(struct import *im, xmlNodePtr secrets)
{
	xmlChar *a[4] = {
		xmlGetProp(secrets, BAD_CAST "scrypt-n"),
		xmlGetProp(secrets, BAD_CAST "scrypt-r"),
		xmlGetProp(secrets, BAD_CAST "scrypt-p"),
		xmlGetProp(secrets, BAD_CAST "salt"),
	};
	unsigned char *salt = NULL;
	size_t salt_len = 0;
	char *pass = NULL, *check = NULL;
	bool ok = false;

	salt = hk_xfer_unb64((const char *)a[3], &salt_len);
	if ((pass = hk_ctl_read_secret()) == NULL || *pass == '\0') {
		problem(im, secrets, "the document holds secrets: give its "
		    "passphrase on standard input");
	} else if (salt == NULL || salt_len < 8 ||
	    hk_xfer_derive(pass, salt, salt_len,
	    strtoull((const char *)a[0], NULL, 10),
	    strtoull((const char *)a[1], NULL, 10),
	    strtoull((const char *)a[2], NULL, 10), im->xkey) < 0) {
		problem(im, secrets, "the secrets' parameters are out of bounds");
	} else if ((check = hk_xfer_open(secrets, im->xkey, "check")) == NULL ||
	    strcmp(check, HK_XFER_ROOT) != 0) {
		problem(im, secrets, "the passphrase does not open this "
		    "document's secrets");
	} else {
		ok = im->have_xkey = true;
	}
	hk_free_secret(check);
	hk_free_secret(pass);
	free(salt);
	for (size_t i = 0; i < 4; i++)
		xmlFree(a[i]);
	return ok;
}

/* The clear text of the secret element e of record name (NULL when
 * absent); a secret that does not open is reported. */
static char *
secret_of(struct import *im, xmlNodePtr e, const char *kind,
    const char *name, const char *field)
{
	char *where, *plain;

	if (e == NULL)
		return NULL;
	if (!im->have_xkey) {
		problem(im, e, "%s '%s': %s: a secret, but no <secrets> element",
		    kind, name, field);
		return NULL;
	}
	where = hk_xfer_where(kind, name, field);
	plain = hk_xfer_open(e, im->xkey, where);
	free(where);
	if (plain == NULL)
		problem(im, e, "%s '%s': %s: does not decrypt (altered, or moved "
		    "from another record)", kind, name, field);
	return plain;
}

static void
check_server(struct import *im, const struct hk_modset *mods, size_t idx)
{
	struct imp_server *is = &im->sv[idx];
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	struct hk_params form = HK_PARAMS_INIT;
	struct hk_server cur;
	char *name = child_text(is->node, "name"), *pw;
	unsigned flags = 0;

	for (xmlNodePtr c = is->node->children; c != NULL; c = c->next) {
		xmlChar *t;

		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, "smtp_password") == 0 ||
		    strcmp((const char *)c->name, "oauth2_client_secret") == 0)
			continue;
		t = xmlNodeGetContent(c);
		hk_params_add(&form, (const char *)c->name,
		    t != NULL ? (const char *)t : "");
		xmlFree(t);
	}
	pw = secret_of(im, child(is->node, "smtp_password"), "mail-server", name,
	    "smtp_password");
	if (pw != NULL) {
		hk_params_add(&form, "smtp_password", pw);
		hk_free_secret(pw);
	}
	pw = secret_of(im, child(is->node, "oauth2_client_secret"),
	    "mail-server", name, "oauth2_client_secret");
	if (pw != NULL) {
		hk_params_add(&form, "oauth2_client_secret", pw);
		hk_free_secret(pw);
	}
	memset(&cur, 0, sizeof(cur));
	if (hk_server_find_by_name(im->cs->db, NULL, name, false, &cur) ==
	    HK_STORE_OK) {
		if (!im->replace)
			hk_form_error(&errs, "name", "error.name-taken", NULL,
			    NULL);
		is->existing = cur.id;
		flags = HK_SERVER_FORM_CHANGE;	/* a stored password stays */
	}
	hk_server_from_form(&form, mods, flags, &is->s, &errs);
	hk_params_free(&form);
	/* Replacing: secrets given now or stored. */
	if (is->existing != 0)
		hk_server_form_stored(&is->s, &cur, &errs);
	hk_server_clear(&cur);
	for (size_t j = 0; j < idx && !hk_form_has_error(&errs, "name"); j++)
		if (im->sv[j].s.name != NULL && is->s.name != NULL &&
		    hk_name_equal(im->sv[j].s.name, is->s.name))
			hk_form_error(&errs, "name", "error.name-taken", NULL,
			    NULL);
	model_errors(im, is->node, "mail-server", name, &errs);
	free(name);
}

static void
check_account(struct import *im, size_t idx)
{
	struct imp_account *ia = &im->av[idx];
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	struct hk_params form = HK_PARAMS_INIT;
	struct hk_account cur = { 0 };
	struct hk_server srv;
	char *name = child_text(ia->node, "name");
	char *sname = child_text(ia->node, "server_name"), *pw;
	static const char *const fields[] = { "name", "address", "username" };
	unsigned flags = 0;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *t = child_text(ia->node, fields[i]);

		hk_params_add(&form, fields[i], t);
		free(t);
	}
	/* The server: one of the document's, else (adding) a stored one. */
	ia->doc_server = -1;
	for (size_t j = 0; j < im->ns && ia->doc_server < 0; j++)
		if (im->sv[j].s.name != NULL && hk_name_equal(im->sv[j].s.name,
		    sname))
			ia->doc_server = (long)j;
	memset(&srv, 0, sizeof(srv));
	if (ia->doc_server < 0 && !im->replace && hk_server_find_by_name(
	    im->cs->db, NULL, sname, false, &srv) == HK_STORE_OK)
		ia->db_server = srv.id;
	hk_server_clear(&srv);
	hk_params_add(&form, "server_id", "1");	/* resolved when applied */

	pw = secret_of(im, child(ia->node, "password"), "mail-account", name,
	    "password");
	if (pw != NULL) {
		hk_params_add(&form, "password", pw);
		hk_free_secret(pw);
	}
	if (hk_account_find_by_name(im->cs->db, NULL, name, false, &cur) ==
	    HK_STORE_OK) {
		if (!im->replace)
			hk_form_error(&errs, "name", "error.name-taken", NULL,
			    NULL);
		ia->existing = cur.id;
		flags = HK_ACCOUNT_FORM_CHANGE;	/* a stored password stays */
	}
	hk_account_clear(&cur);
	hk_account_from_form(&form, flags, &ia->a, &errs);
	hk_params_free(&form);
	if (ia->doc_server < 0 && ia->db_server == 0)
		hk_form_error(&errs, "server_id", "error.server-missing", NULL,
		    NULL);
	for (size_t j = 0; j < idx && !hk_form_has_error(&errs, "name"); j++)
		if (im->av[j].a.name != NULL && ia->a.name != NULL &&
		    hk_name_equal(im->av[j].a.name, ia->a.name))
			hk_form_error(&errs, "name", "error.name-taken", NULL,
			    NULL);
	model_errors(im, ia->node, "mail-account", name, &errs);
	free(name);
	free(sname);
}

/* Parses, validates against the schema and collects the records. */
static xmlDocPtr
load(struct import *im, const char *schema_path)
{
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema = NULL;
	xmlSchemaValidCtxtPtr vc;
	xmlDocPtr doc;
	xmlNodePtr root, list;

	xmlSetStructuredErrorFunc(im, xml_error);
	/* No network, no entity expansion, no DTD loading. */
	doc = xmlReadFile(im->file, NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doc == NULL) {
		if (im->problems == 0)
			problem(im, NULL, "cannot read the document: %s",
			    strerror(errno));
		return NULL;
	}
	if ((pc = xmlSchemaNewParserCtxt(schema_path)) != NULL) {
		schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	if (schema == NULL) {
		fprintf(stderr, "hikyakuctl: cannot load the schema %s\n",
		    schema_path);
		xmlFreeDoc(doc);
		im->problems++;
		return NULL;
	}
	vc = xmlSchemaNewValidCtxt(schema);
	xmlSchemaSetValidStructuredErrors(vc, xml_error, im);
	if (xmlSchemaValidateDoc(vc, doc) != 0 && im->problems == 0)
		problem(im, NULL, "the document does not follow the schema");
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	if (im->problems > 0) {
		xmlFreeDoc(doc);
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	list = child(root, "mail-servers");
	for (xmlNodePtr c = list->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			im->ns++;
	im->sv = hk_calloc(im->ns + 1, sizeof(*im->sv));
	im->ns = 0;
	for (xmlNodePtr c = list->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			im->sv[im->ns++].node = c;
	list = child(root, "mail-accounts");
	for (xmlNodePtr c = list->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			im->na++;
	im->av = hk_calloc(im->na + 1, sizeof(*im->av));
	im->na = 0;
	for (xmlNodePtr c = list->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			im->av[im->na++].node = c;
	return doc;
}

/* ---- applying (inside one transaction) ---- */

static bool
in_ids(const long long *ids, size_t n, long long id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Says what failed; false. */
static bool
failed(struct import *im, const xmlNode *at, const char *what)
{
	problem(im, at, "%s", what);
	return false;
}

static bool
apply_servers(struct import *im, size_t *created, size_t *changed)
{
	struct hk_server cur;

	for (size_t i = 0; i < im->ns; i++) {
		struct imp_server *is = &im->sv[i];
		enum hk_server_rc rc;

		if (is->existing == 0) {
			rc = hk_server_create(im->cs->db, im->cs->key,
			    im->cs->actor, &is->s);
			++*created;
		} else {
			memset(&cur, 0, sizeof(cur));
			if (hk_server_load(im->cs->db, NULL, is->existing, false,
			    &cur) != HK_STORE_OK)
				return failed(im, is->node, "the stored server "
				    "of that name is gone");
			is->s.id = cur.id;
			is->s.version = cur.version;
			hk_server_clear(&cur);
			rc = hk_server_update(im->cs->db, im->cs->key,
			    im->cs->actor, &is->s);
			++*changed;
		}
		if (rc != HK_SERVER_OK)
			return failed(im, is->node, rc == HK_SERVER_BUSY ?
			    "the database is locked by another process" :
			    "cannot write this mail server");
	}
	return true;
}

static bool
apply_accounts(struct import *im, size_t *created, size_t *changed)
{
	struct hk_account cur;

	for (size_t i = 0; i < im->na; i++) {
		struct imp_account *ia = &im->av[i];
		enum hk_account_rc rc;

		ia->a.server_id = ia->doc_server >= 0 ?
		    im->sv[ia->doc_server].s.id : ia->db_server;
		if (ia->existing == 0) {
			rc = hk_account_create(im->cs->db, im->cs->key,
			    im->cs->actor, &ia->a);
			++*created;
		} else {
			memset(&cur, 0, sizeof(cur));
			if (hk_account_load(im->cs->db, NULL, ia->existing, false,
			    &cur) != HK_STORE_OK)
				return failed(im, ia->node, "the stored account "
				    "of that name is gone");
			ia->a.id = cur.id;
			ia->a.version = cur.version;
			ia->a.password_set = cur.password_set;
			hk_account_clear(&cur);
			rc = hk_account_update(im->cs->db, im->cs->key,
			    im->cs->actor, &ia->a);
			++*changed;
		}
		if (rc == HK_ACCOUNT_UNREADABLE)
			return failed(im, ia->node, "the stored password of this "
			    "account does not decrypt: give one in the document");
		if (rc == HK_ACCOUNT_KEY_CHANGED)
			return failed(im, ia->node, "the key file does not open "
			    "the stored passwords (run rotate-key again)");
		if (rc != HK_ACCOUNT_OK)
			return failed(im, ia->node, rc == HK_ACCOUNT_BUSY ?
			    "the database is locked by another process" :
			    "cannot write this mail account");
	}
	return true;
}

/* --replace: what the document does not name goes; its order is the
 * order. */
static bool
apply_replace(struct import *im, size_t *deleted)
{
	long long *keep = hk_calloc(im->ns + im->na + 1, sizeof(*keep));
	struct hk_account *av = NULL;
	struct hk_server *sv = NULL;
	size_t na = 0, ns = 0;
	bool ok = false;

	for (size_t i = 0; i < im->na; i++)
		keep[i] = im->av[i].a.id;
	if (hk_account_list(im->cs->db, NULL, &av, &na) != HK_STORE_OK)
		goto out;
	for (size_t i = 0; i < na; i++) {
		if (in_ids(keep, im->na, av[i].id))
			continue;
		if (hk_account_delete(im->cs->db, im->cs->actor, av[i].id, 0) !=
		    HK_ACCOUNT_OK)
			goto out;
		++*deleted;
	}
	for (size_t i = 0; i < im->ns; i++)
		keep[i] = im->sv[i].s.id;
	if (hk_server_list(im->cs->db, &sv, &ns) != HK_STORE_OK)
		goto out;
	for (size_t i = 0; i < ns; i++) {
		if (in_ids(keep, im->ns, sv[i].id))
			continue;
		if (hk_server_delete(im->cs->db, im->cs->actor, sv[i].id, 0,
		    NULL) != HK_SERVER_OK)
			goto out;
		++*deleted;
	}
	ok = im->ns == 0 || hk_server_reorder(im->cs->db, im->cs->actor, keep,
	    im->ns) == HK_SERVER_OK;
out:
	if (!ok)
		problem(im, NULL, "cannot remove or reorder what the document "
		    "does not hold");
	hk_account_list_free(&av, na);
	hk_server_list_free(&sv, ns);
	free(keep);
	return ok;
}

static int
apply(struct import *im)
{
	size_t sc = 0, su = 0, ac = 0, au = 0, del = 0;
	int rc;

	if ((rc = hk_db_begin(im->cs->db)) != HK_SQL_OK) {
		fprintf(stderr, "hikyakuctl: %s\n", hk_db_errmsg(im->cs->db));
		return HK_EXIT_CONFIG;
	}
	if (!apply_servers(im, &sc, &su) || !apply_accounts(im, &ac, &au) ||
	    (im->replace && !apply_replace(im, &del))) {
		hk_db_rollback(im->cs->db);
		fputs("hikyakuctl: nothing was imported\n", stderr);
		return HK_EXIT_CONFIG;
	}
	if ((rc = hk_db_commit(im->cs->db)) != HK_SQL_OK) {
		fprintf(stderr, "hikyakuctl: nothing was imported: %s\n",
		    hk_db_errmsg(im->cs->db));
		hk_db_rollback(im->cs->db);
		return HK_EXIT_CONFIG;
	}
	printf("imported: mail servers %zu added, %zu changed; mail accounts "
	    "%zu added, %zu changed; %zu removed\n", sc, su, ac, au, del);
	return HK_EXIT_OK;
}

int
ctl_import(const struct hk_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "replace", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct import im;
	struct ctl_session cs;
	struct hk_modset *mods;
	bool dry = false;
	xmlDocPtr doc;
	xmlNodePtr secrets;
	char *schema;
	int c, status = HK_EXIT_USAGE;

	memset(&im, 0, sizeof(im));
	optind = 0;	/* glibc: re-initialise (main used getopt already) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'r': im.replace = true; break;
		default: return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	im.file = argv[optind];
	if (ctl_session_open(cfg, true, &cs) < 0)
		return HK_EXIT_CONFIG;
	im.cs = &cs;
	schema = hk_aprintf("%s/schema/" SCHEMA_FILE, HK_PKGDATADIR);
	doc = load(&im, schema);
	free(schema);
	if (doc == NULL)
		goto out;
	secrets = child(xmlDocGetRootElement(doc), "secrets");
	if (secrets != NULL && !open_secrets(&im, secrets))
		goto out_doc;
	mods = hk_modset_load(cfg->module_dir);
	for (size_t i = 0; i < im.ns; i++)
		check_server(&im, mods, i);
	hk_modset_free(&mods);
	for (size_t i = 0; i < im.na; i++)
		check_account(&im, i);
	if (im.problems > 0)
		goto out_doc;
	if (dry)
		printf("%s: valid: %zu mail servers, %zu mail accounts "
		    "(nothing imported: --dry-run)\n", im.file, im.ns, im.na);
	status = dry ? HK_EXIT_OK : apply(&im);
out_doc:
	xmlFreeDoc(doc);
out:
	if (im.problems > 0 && status == HK_EXIT_USAGE)
		fprintf(stderr, "hikyakuctl: %s: %zu problem%s; nothing was "
		    "imported\n", im.file, im.problems, im.problems == 1 ? "" :
		    "s");
	for (size_t i = 0; i < im.ns; i++)
		hk_server_clear(&im.sv[i].s);
	for (size_t i = 0; i < im.na; i++)
		hk_account_clear(&im.av[i].a);
	free(im.sv);
	free(im.av);
	hk_wipe(im.xkey, sizeof(im.xkey));
	ctl_session_close(&cs);
	return status;
}
