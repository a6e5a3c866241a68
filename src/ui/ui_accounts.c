/* ui_accounts.c - the mail-account screens: list, add, change, delete.
 *
 * XML (docs/REFERENCE.md): <mail-accounts page pages per-page total q
 * link-query> of one page of <mail-account id version> on the list (?page,
 * ?per_page, ?q: hk_account_page); one <mail-account> on a form, with <mail-servers> (display order)
 * for the pulldown; a conflict (409) adds <current> holding the stored
 * values beside the entered ones.  Passwords never appear: only
 * <password_set>true|false</password_set> (and <password_unreadable> when
 * the stored one no longer decrypts).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "app.h"
#include "buf.h"
#include "dbutil.h"
#include "log.h"
#include "mem.h"
#include "ui.h"

static void
status_fail(struct hk_ctx *ctx, enum hk_account_rc rc)
{
	switch (rc) {
	case HK_ACCOUNT_NOT_FOUND:
		hk_fail(ctx, 404, "not-found");
		break;
	case HK_ACCOUNT_STALE:
		hk_fail(ctx, 409, "conflict");
		break;
	case HK_ACCOUNT_BUSY:
	case HK_ACCOUNT_KEY_CHANGED:
		hk_fail(ctx, 503, "unavailable");
		break;
	default:
		hk_fail(ctx, 500, "internal");
		break;
	}
}

static void
store_fail(struct hk_ctx *ctx, enum hk_store_rc rc)
{
	status_fail(ctx, hk_account_rc_from_store(rc));
}

/* <mail-account id version> with the fields; id 0 leaves the attributes
 * out (a new account). */
static xmlNodePtr
account_xml(xmlNodePtr parent, const struct hk_account *a, bool with_server)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST "mail-account", NULL);

	if (a->id != 0) {
		hk_xml_attr_int(n, "id", a->id);
		hk_xml_attr_int(n, "version", a->version);
	}
	hk_xml_text(n, "name", a->name);
	hk_xml_text(n, "address", a->address);
	if (a->server_id > 0)
		hk_xml_int(n, "server_id", a->server_id);
	else
		hk_xml_text(n, "server_id", "");
	if (with_server && a->server_name != NULL)
		hk_xml_text(n, "server_name", a->server_name);
	hk_xml_text(n, "username", a->username);
	hk_xml_text(n, "password_set", a->password_set ? "true" : "false");
	if (a->password_unreadable)
		hk_xml_text(n, "password_unreadable", "true");
	return n;
}

/* <mail-servers> in display order, for the pulldown.  False on a
 * database failure (the page has then been turned into an error). */
static bool
servers_xml(struct hk_ctx *ctx, xmlNodePtr root)
{
	struct hk_db *db = ctx->app->db;
	struct hk_sql_stmt *st = hk_db_prepare(db, "SELECT id, version, position, name "
	    "FROM mail_servers ORDER BY position, id");
	xmlNodePtr list = xmlNewChild(root, NULL, BAD_CAST "mail-servers", NULL);
	int step;

	while ((step = hk_sql_step(st)) == HK_SQL_ROW) {
		xmlNodePtr s = xmlNewChild(list, NULL, BAD_CAST "mail-server",
		    NULL);

		hk_xml_attr_int(s, "id", hk_sql_column_int64(st, 0));
		hk_xml_attr_int(s, "version", hk_sql_column_int64(st, 1));
		hk_xml_attr_int(s, "position", hk_sql_column_int64(st, 2));
		hk_xml_text(s, "name", hk_sql_column_text(st, 3));
	}
	hk_db_done(st);
	if (step != HK_SQL_DONE) {
		store_fail(ctx, hk_db_busy(step) ? HK_STORE_BUSY :
		    HK_STORE_ERROR);
		return false;
	}
	return true;
}

/* How many servers there are, and the only one's id when there is one. */
static int
server_count(struct hk_ctx *ctx, long long *only_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(ctx->app->db,
	    "SELECT count(*), min(id) FROM mail_servers");
	int n = 0;

	*only_r = 0;
	if (hk_sql_step(st) == HK_SQL_ROW) {
		n = hk_sql_column_int(st, 0);
		if (n == 1)
			*only_r = hk_sql_column_int64(st, 1);
	}
	hk_db_done(st);
	return n;
}

static const char *const form_order[] = {
	"", "name", "address", "server_id", "username", "password",
};

/* The account form screen with a's values; errs (may be NULL) beside the
 * fields.  current (may be NULL): the stored values after a conflict. */
static void
render_form(struct hk_ctx *ctx, const struct hk_account *a,
    const struct hk_form_errors *errs, const struct hk_account *current)
{
	xmlNodePtr root = hk_page_new(ctx, "mail-account-form");

	account_xml(root, a, false);
	if (current != NULL) {
		xmlNodePtr c = xmlNewChild(root, NULL, BAD_CAST "current", NULL);

		account_xml(c, current, true);
	}
	if (!servers_xml(ctx, root))
		return;
	ui_oauth2_servers_xml(ctx, root);
	if (a->id != 0)
		ui_oauth2_account_xml(ctx, root, a->id, a->server_id);
	/* Page-level errors first, then the fields in the form's order. */
	for (size_t f = 0; errs != NULL && f < sizeof(form_order) /
	    sizeof(form_order[0]); f++)
		for (size_t i = 0; i < errs->n; i++) {
			const struct hk_field_error *e = &errs->v[i];
			const char *args[2] = { e->args[0], e->args[1] };

			if (strcmp(e->field, form_order[f]) == 0)
				hk_page_error(ctx, e->field, e->key, args,
				    e->nargs);
		}
}

/* A query parameter as a positive integer of at most 12 digits: dflt when
 * absent, 0 when malformed. */
static long long
query_number(struct hk_ctx *ctx, const char *name, long long dflt)
{
	const char *s = hk_params_get(&ctx->query, name);
	char *end;
	long long v;

	if (s == NULL)
		return dflt;
	if (*s < '1' || *s > '9' || strlen(s) > 12)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' ? v : 0;
}

/* The search term without the spaces around it (caller frees). */
static char *
search_term(struct hk_ctx *ctx)
{
	const char *s = hk_params_get(&ctx->query, "q");
	size_t len;

	if (s == NULL)
		s = "";
	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return hk_strndup(s, len);
}

/* The query that keeps the search and page size across page links,
 * percent-encoded ("q=...&per_page=N", either part only when it is not
 * the default; "" for the plain list).  Caller frees. */
static char *
link_query(const char *q, long long per_page)
{
	static const char hex[] = "0123456789ABCDEF";
	struct hk_buf b = HK_BUF_INIT;

	if (*q != '\0') {
		hk_buf_puts(&b, "q=");
		for (const unsigned char *p = (const unsigned char *)q; *p;
		    p++) {
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
				hk_buf_putc(&b, (char)*p);
			} else {
				hk_buf_putc(&b, '%');
				hk_buf_putc(&b, hex[*p >> 4]);
				hk_buf_putc(&b, hex[*p & 0xf]);
			}
		}
	}
	if (per_page != HK_ACCOUNT_PER_PAGE)
		hk_buf_printf(&b, "%sper_page=%lld", *q != '\0' ? "&" : "",
		    per_page);
	return hk_buf_steal(&b);
}

/* GET /mail-accounts: one page of the list, optionally searched.  A page
 * that is not a number from 1 to the last answers 404 (as /audit does);
 * a per_page outside 1..500 or a search term over 255 bytes, 400. */
void
ui_accounts_list(struct hk_ctx *ctx)
{
	struct hk_account_page pg = { 0 };
	long long page = query_number(ctx, "page", 1);
	long long per_page = query_number(ctx, "per_page",
	    HK_ACCOUNT_PER_PAGE);
	char *q = search_term(ctx), *lq;
	enum hk_store_rc rc;
	xmlNodePtr root, list;
	long long only;

	if (per_page < 1 || per_page > HK_ACCOUNT_PER_PAGE_MAX ||
	    strlen(q) > HK_ACCOUNT_SEARCH_MAX) {
		hk_fail(ctx, 400, "bad-request");
		goto out;
	}
	if (page < 1) {
		hk_fail(ctx, 404, "not-found");
		goto out;
	}
	rc = hk_account_page(ctx->app->db, ctx->app->key, q, page, per_page,
	    &pg);
	if (rc != HK_STORE_OK) {
		store_fail(ctx, rc);
		goto out;
	}
	root = hk_page_new(ctx, "mail-accounts");
	list = xmlNewChild(root, NULL, BAD_CAST "mail-accounts", NULL);
	hk_xml_attr_int(list, "page", page);
	hk_xml_attr_int(list, "pages", pg.pages);
	hk_xml_attr_int(list, "per-page", per_page);
	hk_xml_attr_int(list, "total", pg.total);
	xmlNewProp(list, BAD_CAST "q", BAD_CAST q);
	lq = link_query(q, per_page);
	xmlNewProp(list, BAD_CAST "link-query", BAD_CAST lq);
	free(lq);
	for (size_t i = 0; i < pg.n; i++)
		account_xml(list, &pg.v[i], true);
	ui_oauth2_accounts_xml(ctx, list);
	/* The empty state says whether a server must be added first. */
	hk_xml_int(root, "server-count", server_count(ctx, &only));
out:
	hk_account_page_free(&pg);
	free(q);
}

void
ui_account_new(struct hk_ctx *ctx)
{
	struct hk_account a = { 0 };

	(void)server_count(ctx, &a.server_id);
	render_form(ctx, &a, NULL, NULL);
}

/* Maps a store outcome of create/update to the form's errors; true when
 * it was one (the form is then re-rendered with 422). */
static bool
form_outcome(enum hk_account_rc rc, struct hk_form_errors *errs)
{
	switch (rc) {
	case HK_ACCOUNT_NAME_TAKEN:
		hk_form_error(errs, "name", "error.name-taken", NULL, NULL);
		return true;
	case HK_ACCOUNT_NO_SERVER:
		hk_form_error(errs, "server_id", "error.server-missing", NULL,
		    NULL);
		return true;
	case HK_ACCOUNT_UNREADABLE:
		hk_form_error(errs, "password", "error.password-unreadable",
		    NULL, NULL);
		return true;
	default:
		return false;
	}
}

/* When the form has errors anyway, also report the ones only the
 * database can tell (a taken name, a server that is gone), so that the
 * administrator sees them all at once.  Read-only; the write re-checks. */
static void
precheck(struct hk_ctx *ctx, const struct hk_account *a, long long self_id,
    struct hk_form_errors *errs)
{
	struct hk_account other = { 0 };
	struct hk_sql_stmt *st;

	if (!hk_form_has_error(errs, "name") && hk_account_find_by_name(
	    ctx->app->db, NULL, a->name, false, &other) == HK_STORE_OK &&
	    other.id != self_id)
		hk_form_error(errs, "name", "error.name-taken", NULL, NULL);
	hk_account_clear(&other);
	if (hk_form_has_error(errs, "server_id"))
		return;
	st = hk_db_prepare(ctx->app->db,
	    "SELECT 1 FROM mail_servers WHERE id = ?1");
	hk_sql_bind_int64(st, 1, a->server_id);
	if (hk_sql_step(st) == HK_SQL_DONE)
		hk_form_error(errs, "server_id", "error.server-missing", NULL,
		    NULL);
	hk_db_done(st);
}

/* The form flags: the password is optional when the chosen server signs
 * in with OAuth 2.0 on both ends. */
static unsigned
form_flags(struct hk_ctx *ctx, unsigned flags)
{
	const char *v = hk_params_get(&ctx->form, "server_id");
	long long id = v != NULL && strlen(v) <= 18 &&
	    strspn(v, "0123456789") == strlen(v) ? strtoll(v, NULL, 10) : 0;

	if (hk_account_password_optional(ctx->app->db, id))
		flags |= HK_ACCOUNT_FORM_NO_PASSWORD;
	return flags;
}

void
ui_account_create(struct hk_ctx *ctx)
{
	struct hk_account a = { 0 };
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	enum hk_account_rc rc;

	if (hk_account_from_form(&ctx->form, form_flags(ctx, 0), &a,
	    &errs) == 0) {
		rc = hk_account_create(ctx->app->db, ctx->app->key,
		    ctx->session.admin_name, &a);
		if (rc == HK_ACCOUNT_OK) {
			hk_info("%s added mail account %lld", ctx->session.admin_name,
			    a.id);
			hk_redirect(ctx, "mail-accounts");
			goto out;
		}
		if (!form_outcome(rc, &errs)) {
			status_fail(ctx, rc);
			goto out;
		}
	} else
		precheck(ctx, &a, 0, &errs);
	hk_free_secret(a.password);	/* never shown again */
	a.password = NULL;
	render_form(ctx, &a, &errs, NULL);
	if (ctx->res->status == 0 || ctx->res->status == 200)
		ctx->res->status = 422;
out:
	hk_account_clear(&a);
}

void
ui_account_edit(struct hk_ctx *ctx)
{
	struct hk_account a = { 0 };
	enum hk_store_rc rc = hk_account_load(ctx->app->db, ctx->app->key,
	    ctx->id, false, &a);

	if (rc != HK_STORE_OK) {
		store_fail(ctx, rc);
		return;
	}
	render_form(ctx, &a, NULL, NULL);
	hk_account_clear(&a);
}

void
ui_account_edit_error(struct hk_ctx *ctx, long long id, int status,
    const char *key, const char *const *args, size_t nargs)
{
	struct hk_account a = { 0 };
	enum hk_store_rc rc = hk_account_load(ctx->app->db, ctx->app->key, id,
	    false, &a);

	if (rc != HK_STORE_OK) {
		store_fail(ctx, rc);
		return;
	}
	render_form(ctx, &a, NULL, NULL);
	hk_account_clear(&a);
	if (ctx->res->status == 0 || ctx->res->status == 200) {
		hk_page_error(ctx, "", key, args, nargs);
		ctx->res->status = status;
	}
}

/* The hidden version field: a positive integer, else 0. */
static long long
form_version(struct hk_ctx *ctx)
{
	const char *s = hk_params_get(&ctx->form, "version");
	char *end;
	long long v;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' ? v : 0;
}

void
ui_account_update(struct hk_ctx *ctx)
{
	struct hk_account a = { 0 }, cur = { 0 };
	struct hk_form_errors errs = HK_FORM_ERRORS_INIT;
	enum hk_store_rc lrc;
	enum hk_account_rc rc;
	long long version = form_version(ctx);

	lrc = hk_account_load(ctx->app->db, ctx->app->key, ctx->id, false, &cur);
	if (lrc != HK_STORE_OK) {
		store_fail(ctx, lrc);
		return;
	}
	if (version == 0) {
		hk_fail(ctx, 400, "bad-request");
		goto out;
	}
	(void)hk_account_from_form(&ctx->form,
	    form_flags(ctx, HK_ACCOUNT_FORM_CHANGE), &a, &errs);
	a.id = ctx->id;
	a.version = version;
	a.password_set = cur.password_set;
	a.password_unreadable = cur.password_unreadable;
	if (cur.version != version) {
		rc = HK_ACCOUNT_STALE;
		goto stale;
	}
	if (errs.n > 0) {
		precheck(ctx, &a, a.id, &errs);
		goto invalid;
	}
	rc = hk_account_update(ctx->app->db, ctx->app->key,
	    ctx->session.admin_name, &a);
	if (rc == HK_ACCOUNT_OK) {
		hk_info("%s changed mail account %lld", ctx->session.admin_name,
		    a.id);
		hk_redirect(ctx, "mail-accounts");
		goto out;
	}
	if (rc == HK_ACCOUNT_STALE || rc == HK_ACCOUNT_NOT_FOUND) {
		/* Someone else got there between our read and the write. */
		hk_account_clear(&cur);
		lrc = hk_account_load(ctx->app->db, ctx->app->key, ctx->id,
		    false, &cur);
		if (lrc != HK_STORE_OK) {
			status_fail(ctx, rc == HK_ACCOUNT_NOT_FOUND ?
			    HK_ACCOUNT_STALE : rc);
			goto out;
		}
		goto stale;
	}
	if (!form_outcome(rc, &errs)) {
		status_fail(ctx, rc);
		goto out;
	}
invalid:
	hk_free_secret(a.password);
	a.password = NULL;
	render_form(ctx, &a, &errs, NULL);
	if (ctx->res->status == 0 || ctx->res->status == 200)
		ctx->res->status = 422;
	goto out;
stale:
	/* Nothing written.  The form shows what was entered, the stored
	 * values beside it, and carries the current version so that saving
	 * again is a deliberate overwrite. */
	hk_free_secret(a.password);
	a.password = NULL;
	a.version = cur.version;
	hk_form_error(&errs, "", "error.account-stale", NULL, NULL);
	render_form(ctx, &a, &errs, &cur);
	if (ctx->res->status == 0 || ctx->res->status == 200)
		ctx->res->status = 409;
out:
	hk_account_clear(&a);
	hk_account_clear(&cur);
}

void
ui_account_delete_form(struct hk_ctx *ctx)
{
	struct hk_account a = { 0 };
	enum hk_store_rc rc = hk_account_load(ctx->app->db, NULL, ctx->id, false,
	    &a);
	xmlNodePtr root;

	if (rc != HK_STORE_OK) {
		store_fail(ctx, rc);
		return;
	}
	root = hk_page_new(ctx, "mail-account-delete");
	account_xml(root, &a, true);
	hk_account_clear(&a);
}

void
ui_account_delete(struct hk_ctx *ctx)
{
	struct hk_account a = { 0 };
	enum hk_account_rc rc = hk_account_delete(ctx->app->db,
	    ctx->session.admin_name, ctx->id, form_version(ctx));
	xmlNodePtr root;

	if (rc == HK_ACCOUNT_OK) {
		hk_info("%s deleted mail account %lld", ctx->session.admin_name,
		    ctx->id);
		hk_redirect(ctx, "mail-accounts");
		return;
	}
	if (rc != HK_ACCOUNT_STALE ||
	    hk_account_load(ctx->app->db, NULL, ctx->id, false, &a) !=
	    HK_STORE_OK) {
		status_fail(ctx, rc);
		return;
	}
	/* Changed since the confirmation was shown: show it again. */
	root = hk_page_new(ctx, "mail-account-delete");
	account_xml(root, &a, true);
	hk_page_error(ctx, "", "error.stale", NULL, 0);
	ctx->res->status = 409;
	hk_account_clear(&a);
}
