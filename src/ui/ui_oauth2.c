/* ui_oauth2.c - the OAuth 2.0 state on the account and server screens.
 *
 * An account of a server with an OAuth 2.0 provider gets
 *   <oauth2 connected="true|false" needs-reconnect="true|false"
 *           expires="ISO-8601" scope="…"><last-error>…</last-error></oauth2>
 * (expires when an access token is stored, last-error when the provider
 * refused); the servers of a pulldown get oauth2="PROVIDER",
 * password-optional="true|false" and, with a provider,
 * oauth2-grant="authorization_code|client_credentials"; a listed server gets
 * <needs-reconnect count="N"/> when N of its accounts need reconnecting.
 * Every value comes from the data generation's tables (oauth2_tokens has
 * its triggers), so cached pages stay right.
 *
 * Also the token store's side of connecting and disconnecting an account
 * (ui_oauth2_flow.c talks to the provider): each write and its audit row
 * commit together; the audit names the scope and expiry, never a token.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "app.h"
#include "audit.h"
#include "mem.h"
#include "oauth2_tokens.h"
#include "server_store.h"
#include "ui.h"
#include "ui_server_index.h"

static void
iso(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}

/* The id="" of e, or 0. */
static long long
node_id(xmlNodePtr e)
{
	xmlChar *v = xmlGetProp(e, BAD_CAST "id");
	long long id = v != NULL ? strtoll((const char *)v, NULL, 10) : 0;

	xmlFree(v);
	return id;
}

/* The text of e's child called name as a number, or 0. */
static long long
child_number(xmlNodePtr e, const char *name)
{
	for (xmlNodePtr c = e->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(c->name, BAD_CAST name) == 0) {
			xmlChar *v = xmlNodeGetContent(c);
			long long n = v != NULL ?
			    strtoll((const char *)v, NULL, 10) : 0;

			xmlFree(v);
			return n;
		}
	return 0;
}

/* <oauth2> for tokens t (NULL: never connected). */
static void
oauth2_xml(xmlNodePtr account, const struct hk_oauth2_tokens *t)
{
	xmlNodePtr o = xmlNewChild(account, NULL, BAD_CAST "oauth2", NULL);
	bool connected = t != NULL && !t->needs_reconnect &&
	    (t->refresh_set || t->access_set);
	char at[32];

	xmlNewProp(o, BAD_CAST "connected", BAD_CAST(connected ? "true" : "false"));
	xmlNewProp(o, BAD_CAST "needs-reconnect",
	    BAD_CAST(t != NULL && t->needs_reconnect ? "true" : "false"));
	if (t == NULL)
		return;
	if (t->access_set && t->access_expires > 0) {
		iso(t->access_expires, at);
		xmlNewProp(o, BAD_CAST "expires", BAD_CAST at);
	}
	if (t->scope != NULL && *t->scope != '\0')
		xmlNewProp(o, BAD_CAST "scope", BAD_CAST t->scope);
	if (t->last_error != NULL)
		xmlNewTextChild(o, NULL, BAD_CAST "last-error",
		    BAD_CAST t->last_error);
}

/* The servers, for looking up each account's; NULL (n 0) on failure. */
static struct hk_server *
servers(struct hk_ctx *ctx, size_t *n_r)
{
	struct hk_server *v = NULL;

	if (hk_server_list(ctx->app->db, &v, n_r) != HK_STORE_OK) {
		*n_r = 0;
		return NULL;
	}
	return v;
}

static const struct hk_server *
server_of(const struct hk_server *v, size_t n, long long id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			return &v[i];
	return NULL;
}

void
ui_oauth2_servers_xml(struct hk_ctx *ctx, xmlNodePtr root)
{
	size_t n;
	struct hk_server *v = servers(ctx, &n);

	for (xmlNodePtr l = root->children; l != NULL; l = l->next) {
		if (l->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(l->name, BAD_CAST "mail-servers") != 0)
			continue;
		for (xmlNodePtr e = l->children; e != NULL; e = e->next) {
			const struct hk_server *s = e->type == XML_ELEMENT_NODE ?
			    server_of(v, n, node_id(e)) : NULL;

			if (s == NULL)
				continue;
			xmlSetProp(e, BAD_CAST "oauth2", BAD_CAST
			    hk_oauth2_provider_name(s->oauth2_provider));
			xmlSetProp(e, BAD_CAST "password-optional", BAD_CAST
			    (hk_server_oauth2_both_ends(s) ? "true" : "false"));
			/* app-only servers have nothing to connect */
			if (s->oauth2_provider != HK_OAUTH2_NONE)
				xmlSetProp(e, BAD_CAST "oauth2-grant", BAD_CAST
				    hk_oauth2_grant_name(s->oauth2_grant));
		}
	}
	hk_server_list_free(&v, n);
}

void
ui_oauth2_account_xml(struct hk_ctx *ctx, xmlNodePtr root,
    long long account_id, long long server_id)
{
	const struct hk_oauth2_owner owner = { HK_OAUTH2_OWNER_ACCOUNT,
	    account_id };
	struct hk_oauth2_tokens t;
	struct hk_server s;
	enum hk_store_rc rc;
	xmlNodePtr e;

	if (hk_server_load(ctx->app->db, NULL, server_id, false, &s) !=
	    HK_STORE_OK)
		return;
	if (s.oauth2_provider == HK_OAUTH2_NONE) {
		hk_server_clear(&s);
		return;
	}
	/* Connect's POST is answered with a redirect to the provider, which
	 * may pass through further sites of its own (a federated sign-in),
	 * all https:// (hk_oauth2_auth_url insists on it for the first). */
	if (s.oauth2_grant == HK_OAUTH2_GRANT_CODE)
		ctx->form_action = "https:";
	hk_server_clear(&s);
	for (e = root->children; e != NULL; e = e->next)
		if (e->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(e->name, BAD_CAST "mail-account") == 0)
			break;
	if (e == NULL)
		return;
	rc = hk_oauth2_tokens_load(ctx->app->db, NULL, owner, false, &t);
	oauth2_xml(e, rc == HK_STORE_OK ? &t : NULL);
	if (rc == HK_STORE_OK)
		hk_oauth2_tokens_clear(&t);
}

struct each_arg {
	xmlNodePtr list;
};

static void
each_account(void *arg, long long account_id, const struct hk_oauth2_tokens *t)
{
	struct each_arg *a = arg;

	for (xmlNodePtr e = a->list->children; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE || node_id(e) != account_id)
			continue;
		/* Replace the "never connected" element added first. */
		for (xmlNodePtr c = e->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE &&
			    xmlStrcmp(c->name, BAD_CAST "oauth2") == 0) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
				oauth2_xml(e, t);
				break;
			}
		return;
	}
}

void
ui_oauth2_accounts_xml(struct hk_ctx *ctx, xmlNodePtr list)
{
	size_t n;
	struct hk_server *v = servers(ctx, &n);
	struct each_arg arg = { list };
	bool any = false;

	for (xmlNodePtr e = list->children; e != NULL; e = e->next) {
		const struct hk_server *s;

		if (e->type != XML_ELEMENT_NODE)
			continue;
		s = server_of(v, n, child_number(e, "server_id"));
		if (s != NULL && s->oauth2_provider != HK_OAUTH2_NONE) {
			oauth2_xml(e, NULL);
			any = true;
		}
	}
	hk_server_list_free(&v, n);
	if (any)
		(void)hk_oauth2_tokens_each_account(ctx->app->db, each_account,
		    &arg);
}

static void
each_count(void *arg, long long server_id, long long count)
{
	xmlNodePtr e = ui_server_index_find(arg, server_id);

	if (e != NULL)
		hk_xml_attr_int(xmlNewChild(e, NULL, BAD_CAST "needs-reconnect",
		    NULL), "count", count);
}

void
ui_oauth2_server_counts_xml(struct hk_db *db, xmlNodePtr list)
{
	struct ui_server_index index;

	ui_server_index_build(&index, list);
	if (index.n > 0)
		(void)hk_oauth2_reconnect_counts(db, each_count, &index);
	ui_server_index_free(&index);
}

/* --- for the connect and disconnect routes (ui_oauth2_flow.c) --- */

/* Runs write (0: OK) and its audit row in one transaction. */
static bool
commit_with_audit(struct hk_ctx *ctx, enum hk_store_rc rc,
    const struct hk_account *a, const char *action, const char *details)
{
	if (rc == HK_STORE_OK)
		rc = hk_audit_record(ctx->app->db, ctx->session.admin_name,
		    action, "mail-account", a->id, a->name, details);
	if (rc != HK_STORE_OK) {
		hk_db_rollback(ctx->app->db);
		return false;
	}
	return hk_db_commit(ctx->app->db) == HK_SQL_OK;
}

bool
ui_oauth2_store(struct hk_ctx *ctx, const struct hk_account *a,
    const char *access, long long expires, const char *scope,
    const char *refresh)
{
	const struct hk_oauth2_owner owner = { HK_OAUTH2_OWNER_ACCOUNT, a->id };
	char at[32] = "";
	char *details;
	bool ok;

	if (hk_db_begin(ctx->app->db) != HK_SQL_OK)
		return false;
	if (expires > 0)
		iso(expires, at);
	details = hk_aprintf("scope: %s\nexpires: %s\nrefresh token: %s",
	    scope, at[0] != '\0' ? at : "(not said)",
	    refresh != NULL ? "(stored)" : "(none)");
	ok = commit_with_audit(ctx, hk_oauth2_tokens_connect(ctx->app->db,
	    ctx->app->key, owner, access, expires, scope, refresh,
	    (long long)time(NULL)), a, "oauth2-connect", details);
	free(details);
	return ok;
}

char *
ui_oauth2_refresh_token(struct hk_ctx *ctx, long long account_id)
{
	const struct hk_oauth2_owner owner = { HK_OAUTH2_OWNER_ACCOUNT,
	    account_id };
	struct hk_oauth2_tokens t;
	char *r = NULL;

	if (hk_oauth2_tokens_load(ctx->app->db, ctx->app->key, owner, true,
	    &t) != HK_STORE_OK)
		return NULL;
	if (t.refresh_token != NULL)
		r = hk_strdup(t.refresh_token);
	else if (t.access_token != NULL)
		r = hk_strdup(t.access_token);
	hk_oauth2_tokens_clear(&t);
	return r;
}

bool
ui_oauth2_forget(struct hk_ctx *ctx, const struct hk_account *a)
{
	const struct hk_oauth2_owner owner = { HK_OAUTH2_OWNER_ACCOUNT, a->id };

	if (hk_db_begin(ctx->app->db) != HK_SQL_OK)
		return false;
	return commit_with_audit(ctx, hk_oauth2_tokens_forget(ctx->app->db,
	    owner), a, "oauth2-disconnect", NULL);
}
