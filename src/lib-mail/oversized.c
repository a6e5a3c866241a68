/* oversized.c - received messages refused by recv_limit: records, the
 * list, and deleting one from its mail server. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "audit.h"
#include "dbutil.h"
#include "health.h"
#include "log.h"
#include "mem.h"
#include "oauth2_token.h"
#include "oversized.h"
#include "recv.h"
#include "server_store.h"
#include "servers.h"
#include "sizefmt.h"

static enum hk_store_rc
step_rc(int rc)
{
	if (rc == HK_SQL_DONE || rc == HK_SQL_ROW)
		return HK_STORE_OK;
	return hk_db_busy(rc) ? HK_STORE_BUSY : HK_STORE_ERROR;
}

enum hk_store_rc
hk_oversized_record(struct hk_db *db, long long account_id,
    long long server_id, const char *uid, unsigned long long size,
    const struct hk_msgheaders *h)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "INSERT INTO oversized (account_id, server_id, uid, size, sender,"
	    " subject, date, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (account_id, uid) DO NOTHING");
	int rc;

	hk_sql_bind_int64(st, 1, account_id);
	hk_sql_bind_int64(st, 2, server_id);
	hk_sql_bind_text(st, 3, uid);
	hk_sql_bind_int64(st, 4, (int64_t)size);
	hk_sql_bind_text(st, 5, h->from);
	hk_sql_bind_text(st, 6, h->subject);
	hk_sql_bind_text(st, 7, h->date);
	hk_sql_bind_int64(st, 8, (int64_t)time(NULL));
	rc = hk_sql_step(st);
	hk_db_done(st);
	return step_rc(rc);
}

enum hk_store_rc
hk_oversized_forget(struct hk_db *db, long long account_id, const char *uid)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "DELETE FROM oversized WHERE account_id = ?1 AND uid = ?2");
	int rc;

	hk_sql_bind_int64(st, 1, account_id);
	hk_sql_bind_text(st, 2, uid);
	rc = hk_sql_step(st);
	hk_db_done(st);
	return step_rc(rc);
}

static void
from_row(struct hk_sql_stmt *st, struct hk_oversized *o)
{
	o->id = hk_sql_column_int64(st, 0);
	o->account_id = hk_sql_column_int64(st, 1);
	o->server_id = hk_sql_column_int64(st, 2);
	o->uid = hk_db_text_dup(st, 3);
	o->size = hk_sql_column_int64(st, 4);
	o->from = hk_db_text_dup(st, 5);
	o->subject = hk_db_text_dup(st, 6);
	o->date = hk_db_text_dup(st, 7);
	o->seen_at = hk_sql_column_int64(st, 8);
}

void
hk_oversized_clear(struct hk_oversized *o)
{
	free(o->uid);
	free(o->from);
	free(o->subject);
	free(o->date);
	memset(o, 0, sizeof(*o));
}

enum hk_store_rc
hk_oversized_list(struct hk_db *db, struct hk_oversized **list_r, size_t *n_r)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT id, account_id, server_id, uid, size, sender, subject, date,"
	    " seen_at FROM oversized ORDER BY seen_at DESC, id DESC");
	struct hk_oversized *v = NULL;
	size_t n = 0;
	int rc;

	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		v = hk_realloc(v, (n + 1) * sizeof(*v));
		from_row(st, &v[n++]);
	}
	hk_db_done(st);
	if (rc != HK_SQL_DONE) {
		hk_oversized_list_free(&v, n);
		return step_rc(rc);
	}
	*list_r = v;
	*n_r = n;
	return HK_STORE_OK;
}

void
hk_oversized_list_free(struct hk_oversized **list, size_t n)
{
	if (*list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		hk_oversized_clear(&(*list)[i]);
	free(*list);
	*list = NULL;
}

enum hk_store_rc
hk_oversized_load(struct hk_db *db, long long id, struct hk_oversized *out)
{
	struct hk_sql_stmt *st = hk_db_prepare(db,
	    "SELECT id, account_id, server_id, uid, size, sender, subject, date,"
	    " seen_at FROM oversized WHERE id = ?1");
	int rc;

	memset(out, 0, sizeof(*out));
	hk_sql_bind_int64(st, 1, id);
	rc = hk_sql_step(st);
	if (rc == HK_SQL_ROW)
		from_row(st, out);
	hk_db_done(st);
	if (rc == HK_SQL_DONE)
		return HK_STORE_NOT_FOUND;
	return step_rc(rc);
}

/* ---- deleting from the server -------------------------------------------- */

struct find_pop3 {
	const char *uid;
	unsigned long n;
};

static int
find_pop3_cb(void *ctx, unsigned long n, const char *uid)
{
	struct find_pop3 *f = ctx;

	if (f->n == 0 && strcmp(uid, f->uid) == 0)
		f->n = n;
	return 0;
}

struct find_imap {
	unsigned long long uid;
	bool found;
};

static int
find_imap_cb(void *ctx, unsigned long long uid, unsigned long long size)
{
	struct find_imap *f = ctx;

	(void)size;
	if (uid == f->uid)
		f->found = true;
	return 0;
}

/* The server session: 0 deleted, 1 not there, or the exit code with
 * *error_r / *reply_r. */
static int
delete_on_server(struct hk_recv *r, const struct hk_oversized *o,
    char **error_r, char **reply_r)
{
	struct hk_conn *c = &r->c;
	struct hk_buf t = HK_BUF_INIT;

	if (r->imap) {
		unsigned long long validity = 0, uid = 0;
		struct find_imap f;
		enum hk_imap_status st = HK_IMAP_OK;
		bool expunged = false;

		if (sscanf(o->uid, "%llu:%llu", &validity, &uid) != 2)
			return 1;
		/* Another UIDVALIDITY: the UID may now name another message. */
		if (validity != r->m.uidvalidity)
			return 1;
		f.uid = uid;
		f.found = false;
		if (r->m.exists > 0 &&
		    (hk_imap_uid_fetch_sizes(&r->m, find_imap_cb, &f, &st) !=
		    HK_NET_OK))
			goto net;
		if (!f.found)
			return 1;
		if (hk_imap_uid_store_deleted(&r->m, uid, &st) != HK_NET_OK)
			goto net;
		if (st != HK_IMAP_OK)
			goto refused_imap;
		if (hk_imap_expunge_uids(&r->m, &uid, 1, &st, &expunged) !=
		    HK_NET_OK)
			goto net;
		if (st != HK_IMAP_OK)
			goto refused_imap;
		if (!expunged) {
			*error_r = hk_aprintf("the message is marked deleted but "
			    "still on the server: other messages there are marked "
			    "deleted too, and without UIDPLUS hikyaku cannot "
			    "remove one without them");
			return 5;
		}
		return 0;
refused_imap:
		*error_r = hk_aprintf("the IMAP server refused to delete the "
		    "message");
		*reply_r = hk_strdup(hk_buf_str(&r->m.last));
		return 5;
	} else {
		struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;
		struct find_pop3 f = { o->uid, 0 };
		enum hk_net_rc rc;

		/* Find the number by UIDL in this session: numbers change. */
		rc = hk_pop3_uidl(c, &pr, find_pop3_cb, &f);
		if (rc == HK_NET_OK && pr.ok && f.n == 0) {
			hk_pop3_reply_free(&pr);
			return 1;
		}
		if (rc == HK_NET_OK && pr.ok)
			rc = hk_pop3_dele(c, &pr, f.n);
		if (rc != HK_NET_OK) {
			hk_pop3_reply_free(&pr);
			goto net;
		}
		if (!pr.ok) {
			hk_pop3_reply_format(&pr, &t);
			*error_r = hk_strdup("the POP3 server refused to delete the "
			    "message");
			*reply_r = hk_buf_steal(&t);
			hk_pop3_reply_free(&pr);
			return 5;
		}
		hk_pop3_reply_free(&pr);
		/* QUIT commits the deletion. */
		if (hk_recv_close(r) < 0) {
			*error_r = hk_strdup("the POP3 server did not confirm QUIT, "
			    "so the message was not deleted");
			return 5;
		}
		return 0;
	}
net:
	*error_r = hk_aprintf("%s: %s", r->imap ? "IMAP" : "POP3",
	    hk_buf_str(&c->err));
	hk_buf_free(&t);
	return 5;
}

enum hk_oversized_rc
hk_oversized_delete(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const char *ca_file,
    const struct hk_modset *mods, const struct hk_net_timeouts *to,
    long long id, const char *actor, char **error_r, char **reply_r)
{
	struct hk_oversized o;
	struct hk_account a = { 0 };
	struct hk_server s = { 0 };
	struct hk_recv r;
	struct hk_recv_fail f;
	enum hk_store_rc src;
	enum hk_oversized_rc orc = HK_OVERSIZED_ERROR;
	struct hk_oauth2_src oauth2 = { db, key, ca_file };
	int code;

	*error_r = NULL;
	*reply_r = NULL;
	src = hk_oversized_load(db, id, &o);
	if (src != HK_STORE_OK)
		return src == HK_STORE_NOT_FOUND ? HK_OVERSIZED_NOT_FOUND :
		    src == HK_STORE_BUSY ? HK_OVERSIZED_BUSY : HK_OVERSIZED_ERROR;
	src = hk_account_load(db, key, o.account_id, true, &a);
	if (src == HK_STORE_OK || src == HK_STORE_INVALID)
		src = hk_server_load(db, key, o.server_id, false, &s);
	if (src != HK_STORE_OK) {
		orc = src == HK_STORE_NOT_FOUND ? HK_OVERSIZED_NOT_FOUND :
		    src == HK_STORE_BUSY ? HK_OVERSIZED_BUSY : HK_OVERSIZED_ERROR;
		goto out;
	}
	if (hk_oauth2_token_recv(&s)) {
		/* The token request needs the client secret. */
		hk_server_clear(&s);
		src = hk_server_load(db, key, o.server_id, true, &s);
		if (src != HK_STORE_OK) {
			orc = src == HK_STORE_BUSY ? HK_OVERSIZED_BUSY :
			    HK_OVERSIZED_ERROR;
			goto out;
		}
	}
	code = hk_recv_open(&r, &s, &a, mods, &oauth2, to, &f);
	if (code != 0) {
		*error_r = f.error;
		*reply_r = f.reply;
		f.error = f.reply = NULL;
		if (code != 2 && !f.token)
			hk_health_record(db, s.id, HK_HEALTH_RECEIVE, false, *error_r,
			    *reply_r);
		hk_recv_free(&r);
		orc = HK_OVERSIZED_FAILED;
		goto out;
	}
	code = delete_on_server(&r, &o, error_r, reply_r);
	if (r.imap || code != 0)
		(void)hk_recv_close(&r);
	hk_recv_free(&r);
	if (code > 1) {
		hk_health_record(db, s.id, HK_HEALTH_RECEIVE, false, *error_r,
		    *reply_r);
		orc = HK_OVERSIZED_FAILED;
		goto out;
	}
	hk_health_record(db, s.id, HK_HEALTH_RECEIVE, true, NULL, NULL);
	{
		char sz[32];
		char *details = hk_aprintf("account: %s\nserver: %s\nsize: %s (%lld "
		    "bytes)\nfrom: %s\nsubject: %s\ndate: %s%s", a.name, s.name,
		    hk_size_format((unsigned long long)o.size, sz, sizeof(sz)),
		    o.size, o.from, o.subject, o.date,
		    code == 1 ? "\nno longer on the server" : "");
		struct hk_sql_stmt *st;
		int rc;

		if ((rc = hk_db_begin(db)) != HK_SQL_OK) {
			free(details);
			orc = hk_db_busy(rc) ? HK_OVERSIZED_BUSY :
			    HK_OVERSIZED_ERROR;
			goto out;
		}
		st = hk_db_prepare(db, "DELETE FROM oversized WHERE id = ?1");
		hk_sql_bind_int64(st, 1, id);
		rc = hk_sql_step(st);
		hk_db_done(st);
		if (rc != HK_SQL_DONE ||
		    hk_audit_record(db, actor, "delete", "oversized-message", id,
		    o.subject, details) != HK_STORE_OK ||
		    hk_db_commit(db) != HK_SQL_OK) {
			hk_err("deleting oversized message %lld: %s", id,
			    hk_db_errmsg(db));
			hk_db_rollback(db);
			free(details);
			orc = HK_OVERSIZED_ERROR;
			goto out;
		}
		free(details);
	}
	orc = code == 1 ? HK_OVERSIZED_GONE : HK_OVERSIZED_DELETED;
out:
	hk_oversized_clear(&o);
	hk_account_clear(&a);
	hk_server_clear(&s);
	return orc;
}
