/* fetch.c - receiving an account's mail into its Maildir, crash-safely
 * (see fetch.h and docs/MAIL.md). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "fetch.h"
#include "health.h"
#include "imap.h"
#include "log.h"
#include "maildir.h"
#include "base64.h"
#include "mem.h"
#include "msgheaders.h"
#include "oversized.h"
#include "pop3.h"
#include "recv.h"

/* A message line may be longer than HK_POP3_LINE_MAX in real mail (no
 * line breaks in a base64 blob); accept up to this many bytes a line. */
#define BODY_LINE_MAX (4u * 1024 * 1024)
/* Bytes of header kept for an oversized message. */
#define HEADER_MAX (64u * 1024)
/* Sessions a run may open when messages keep breaking the connection. */
#define SESSIONS_MAX 5

struct item {
	char *uid;			/* fetch_seen.uid */
	unsigned long n;		/* POP3 message number */
	unsigned long long imap_uid;
	unsigned long long size;
	int state;			/* -1 new, 0 delivering, 1 stored */
	bool oversized_known;
	bool have_uid, have_size;
	bool dup;			/* another listed message has this uid */
};

struct run {
	const struct hk_fetch_params *p;
	struct hk_fetch_result *res;
	struct hk_recv r;
	struct hk_maildir md;
	struct item *items;
	size_t n, cap;
	unsigned long long limit;
	char **skip;			/* uids that failed in this run */
	size_t n_skip;
	char *culprit;			/* the uid whose download broke the session */
	bool local_error;		/* Maildir or database: stop everything */
	bool called_off;		/* going_on said no: stop as *stop */
};

/* ---- names --------------------------------------------------------------- */

char *
hk_fetch_maildir_path(const char *mail_dir, const char *account_name)
{
	struct hk_buf b = HK_BUF_INIT;

	hk_buf_printf(&b, "%s/", mail_dir);
	for (const unsigned char *s = (const unsigned char *)account_name; *s;
	    s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		    *s == '@' || *s == '+' ||
		    (*s == '.' && s != (const unsigned char *)account_name))
			hk_buf_putc(&b, (char)*s);
		else
			hk_buf_printf(&b, "%%%02X", *s);
	}
	return hk_buf_steal(&b);
}

void
hk_fetch_msg_name(long long account_id, const char *uid, char *out,
    size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdl = 0;
	char *in = hk_aprintf("%lld\n%s", account_id, uid);
	char hex[65];

	EVP_Digest(in, strlen(in), md, &mdl, EVP_sha256(), NULL);
	free(in);
	hk_hex(md, 16, hex);
	hex[32] = '\0';
	snprintf(out, outlen, "%s.A%lld.hikyaku", hex, account_id);
}

/* ---- results -------------------------------------------------------------- */

void
hk_fetch_result_clear(struct hk_fetch_result *res)
{
	free(res->error);
	free(res->reply);
	memset(res, 0, sizeof(*res));
}

static void
set_error(struct run *x, int code, bool server_fault, const char *reply,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
set_error(struct run *x, int code, bool server_fault, const char *reply,
    const char *fmt, ...)
{
	struct hk_buf b = HK_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hk_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(x->res->error);
	free(x->res->reply);
	x->res->error = hk_buf_steal(&b);
	x->res->reply = reply != NULL && *reply ? hk_strdup(reply) : NULL;
	x->res->exit_code = code;
	x->res->server_fault = server_fault;
}

static void
msg_failed(struct run *x, const struct item *it, const char *why)
{
	x->res->failed++;
	if (x->p->report != NULL)
		fprintf(x->p->report, "hikyakuctl: fetch %s: message %s (%llu "
		    "bytes) failed: %s\n", x->p->acct->name, it->uid, it->size, why);
	x->skip = hk_realloc(x->skip, (x->n_skip + 1) * sizeof(*x->skip));
	x->skip[x->n_skip++] = hk_strdup(it->uid);
}

static bool
skipped(const struct run *x, const char *uid)
{
	for (size_t i = 0; i < x->n_skip; i++)
		if (strcmp(x->skip[i], uid) == 0)
			return true;
	return false;
}

/* ---- the listing ------------------------------------------------------- */

static void
items_free(struct run *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->items[i].uid);
	free(x->items);
	x->items = NULL;
	x->n = x->cap = 0;
}

static struct item *
item_new(struct run *x)
{
	struct item *it;

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		x->items = hk_realloc(x->items, x->cap * sizeof(*x->items));
	}
	it = &x->items[x->n++];
	memset(it, 0, sizeof(*it));
	it->state = -1;
	return it;
}

/* POP3 numbers are 1..count at the start of a session. */
static struct item *
item_by_n(struct run *x, unsigned long n)
{
	if (n >= 1 && n <= x->n && x->items[n - 1].n == n)
		return &x->items[n - 1];
	for (size_t i = 0; i < x->n; i++)
		if (x->items[i].n == n)
			return &x->items[i];
	return NULL;
}

static int
uidl_cb(void *ctx, unsigned long n, const char *uid)
{
	struct run *x = ctx;
	struct item *it = item_by_n(x, n);

	if (it == NULL) {
		it = item_new(x);
		it->n = n;
	}
	if (it->have_uid)
		return -1;
	it->uid = hk_strdup(uid);
	it->have_uid = true;
	return 0;
}

static int
list_cb(void *ctx, unsigned long n, unsigned long long size)
{
	struct run *x = ctx;
	struct item *it = item_by_n(x, n);

	if (it == NULL) {
		it = item_new(x);
		it->n = n;
	}
	it->size = size;
	it->have_size = true;
	return 0;
}

static int
imap_size_cb(void *ctx, unsigned long long uid, unsigned long long size)
{
	struct run *x = ctx;
	struct item *it = item_new(x);

	it->imap_uid = uid;
	it->uid = hk_aprintf("%llu:%llu", x->r.m.uidvalidity, uid);
	it->size = size;
	it->have_uid = it->have_size = true;
	return 0;
}

static int
cmp_item_uid(const void *a, const void *b)
{
	return strcmp((*(struct item *const *)a)->uid,
	    (*(struct item *const *)b)->uid);
}

/* Messages listed with the same UID (POP3 UIDL, or IMAP UID in one
 * UIDVALIDITY) cannot be told apart: they would share one Maildir name
 * and one record, so storing one could pass for storing both.  None of
 * them is downloaded or deleted; each is reported as failed (once a run)
 * and stays on the server. */
static void
mark_duplicates(struct run *x)
{
	struct item **v;
	size_t i, j;

	if (x->n < 2)
		return;
	v = hk_malloc(x->n * sizeof(*v));
	for (i = 0; i < x->n; i++)
		v[i] = &x->items[i];
	qsort(v, x->n, sizeof(*v), cmp_item_uid);
	for (i = 0; i < x->n; i = j) {
		char *why;

		for (j = i + 1; j < x->n && strcmp(v[i]->uid, v[j]->uid) == 0; j++)
			;
		if (j - i < 2)
			continue;
		for (size_t k = i; k < j; k++)
			v[k]->dup = true;
		if (skipped(x, v[i]->uid))
			continue;	/* reported by an earlier session */
		why = hk_aprintf("the server lists %zu messages with this unique "
		    "id, which hikyaku cannot tell apart; they stay on the "
		    "server", j - i);
		x->res->failed += j - i - 1;
		msg_failed(x, v[i], why);
		free(why);
	}
	free(v);
}

static int
list_messages(struct run *x)
{
	struct hk_conn *c = &x->r.c;
	enum hk_net_rc rc;

	items_free(x);
	if (x->r.imap) {
		enum hk_imap_status st = HK_IMAP_OK;

		if (x->r.m.uidvalidity == 0) {
			set_error(x, 5, true, hk_buf_str(&x->r.m.last), "the IMAP "
			    "server gave no UIDVALIDITY for INBOX, so messages "
			    "cannot be told apart across sessions");
			return 5;
		}
		if (x->r.m.exists == 0)
			return 0;
		rc = hk_imap_uid_fetch_sizes(&x->r.m, imap_size_cb, x, &st);
		if (rc == HK_NET_OK && st != HK_IMAP_OK) {
			set_error(x, 5, true, hk_buf_str(&x->r.m.last), "IMAP UID "
			    "FETCH of the sizes failed");
			return 5;
		}
	} else {
		struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;
		struct hk_buf t = HK_BUF_INIT;

		rc = hk_pop3_uidl(c, &pr, uidl_cb, x);
		if (rc == HK_NET_OK && !pr.ok) {
			hk_pop3_reply_format(&pr, &t);
			set_error(x, 5, true, t.data, "the POP3 server refused UIDL, "
			    "so hikyaku cannot tell which messages it already has");
			hk_pop3_reply_free(&pr);
			hk_buf_free(&t);
			return 5;
		}
		if (rc == HK_NET_OK)
			rc = hk_pop3_list(c, &pr, list_cb, x);
		if (rc == HK_NET_OK && !pr.ok) {
			hk_pop3_reply_format(&pr, &t);
			set_error(x, 5, true, t.data, "the POP3 server refused LIST");
			hk_pop3_reply_free(&pr);
			hk_buf_free(&t);
			return 5;
		}
		hk_pop3_reply_free(&pr);
		hk_buf_free(&t);
	}
	if (rc != HK_NET_OK) {
		set_error(x, 5, true, NULL, "listing the messages: %s",
		    hk_buf_str(&c->err));
		return 5;
	}
	for (size_t i = 0; i < x->n; i++)
		if (!x->items[i].have_uid || !x->items[i].have_size) {
			set_error(x, 5, true, NULL, "the server's UIDL and LIST "
			    "answers do not name the same messages");
			return 5;
		}
	mark_duplicates(x);
	return 0;
}

/* ---- the database ------------------------------------------------------ */

static struct item *
find_uid(struct item **sorted, size_t n, const char *uid)
{
	struct item key = { .uid = (char *)uid }, *kp = &key, **f;

	f = bsearch(&kp, sorted, n, sizeof(*sorted), cmp_item_uid);
	return f != NULL ? *f : NULL;
}

static bool
db_ok(struct run *x, int rc, const char *what)
{
	if (rc == HK_SQL_DONE || rc == HK_SQL_OK || rc == HK_SQL_ROW)
		return true;
	set_error(x, 2, false, NULL, "the database failed while %s: %s", what,
	    hk_db_errmsg(x->p->db));
	x->local_error = true;
	return false;
}

/* Reads what the database knows of the listed messages; forgets records
 * of messages no longer on the server (their deletion was committed by
 * an earlier session). */
static int
load_state(struct run *x)
{
	struct hk_db *db = x->p->db;
	long long aid = x->p->acct->id;
	struct item **sorted = hk_malloc((x->n ? x->n : 1) * sizeof(*sorted));
	char **gone = NULL, **ogone = NULL;
	size_t n_gone = 0, n_ogone = 0;
	struct hk_sql_stmt *st;
	int rc, code = 0;

	for (size_t i = 0; i < x->n; i++)
		sorted[i] = &x->items[i];
	qsort(sorted, x->n, sizeof(*sorted), cmp_item_uid);

	st = hk_db_prepare(db, "SELECT uid, state FROM fetch_seen"
	    " WHERE account_id = ?1");
	hk_sql_bind_int64(st, 1, aid);
	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		const char *uid = hk_sql_column_text(st, 0);
		struct item *it = find_uid(sorted, x->n, uid ? uid : "");

		if (it != NULL)
			it->state = hk_sql_column_int(st, 1);
		else {
			gone = hk_realloc(gone, (n_gone + 1) * sizeof(*gone));
			gone[n_gone++] = hk_strdup(uid ? uid : "");
		}
	}
	hk_db_done(st);
	if (!db_ok(x, rc, "reading the received messages")) {
		code = 2;
		goto out;
	}
	st = hk_db_prepare(db, "SELECT uid FROM oversized WHERE account_id = ?1");
	hk_sql_bind_int64(st, 1, aid);
	while ((rc = hk_sql_step(st)) == HK_SQL_ROW) {
		const char *uid = hk_sql_column_text(st, 0);
		struct item *it = find_uid(sorted, x->n, uid ? uid : "");

		if (it != NULL)
			it->oversized_known = true;
		else {
			ogone = hk_realloc(ogone, (n_ogone + 1) * sizeof(*ogone));
			ogone[n_ogone++] = hk_strdup(uid ? uid : "");
		}
	}
	hk_db_done(st);
	if (!db_ok(x, rc, "reading the oversized messages")) {
		code = 2;
		goto out;
	}
	if (n_gone + n_ogone > 0) {
		if (!db_ok(x, hk_db_begin(db), "forgetting deleted messages")) {
			code = 2;
			goto out;
		}
		for (size_t i = 0; i < n_gone; i++) {
			st = hk_db_prepare(db, "DELETE FROM fetch_seen"
			    " WHERE account_id = ?1 AND uid = ?2");
			hk_sql_bind_int64(st, 1, aid);
			hk_sql_bind_text(st, 2, gone[i]);
			rc = hk_sql_step(st);
			hk_db_done(st);
		}
		for (size_t i = 0; i < n_ogone; i++)
			(void)hk_oversized_forget(db, aid, ogone[i]);
		if (!db_ok(x, hk_db_commit(db), "forgetting deleted messages")) {
			hk_db_rollback(db);
			code = 2;
		}
	}
out:
	for (size_t i = 0; i < n_gone; i++)
		free(gone[i]);
	for (size_t i = 0; i < n_ogone; i++)
		free(ogone[i]);
	free(gone);
	free(ogone);
	free(sorted);
	return code;
}

/* Sets the state of items [from, to) that have want set; one commit. */
static bool
mark(struct run *x, struct item **v, size_t n, int state)
{
	struct hk_db *db = x->p->db;
	long long aid = x->p->acct->id;
	int rc;

	if (n == 0)
		return true;
	if (!db_ok(x, hk_db_begin(db), "recording messages"))
		return false;
	for (size_t i = 0; i < n; i++) {
		struct hk_sql_stmt *st = hk_db_prepare(db,
		    "INSERT INTO fetch_seen (account_id, uid, state, at)"
		    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account_id, uid)"
		    " DO UPDATE SET state = excluded.state, at = excluded.at");

		hk_sql_bind_int64(st, 1, aid);
		hk_sql_bind_text(st, 2, v[i]->uid);
		hk_sql_bind_int64(st, 3, state);
		hk_sql_bind_int64(st, 4, (int64_t)time(NULL));
		rc = hk_sql_step(st);
		hk_db_done(st);
		if (!db_ok(x, rc, "recording messages")) {
			hk_db_rollback(db);
			return false;
		}
		if (state == 1 && v[i]->oversized_known) {
			(void)hk_oversized_forget(db, aid, v[i]->uid);
			v[i]->oversized_known = false;
		}
	}
	if (!db_ok(x, hk_db_commit(db), "recording messages")) {
		hk_db_rollback(db);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		v[i]->state = state;
	return true;
}

/* ---- downloading --------------------------------------------------------- */

static void
quiet_trace(void *ctx, char dir, const char *line, size_t len, size_t log_len)
{
	(void)ctx; (void)dir; (void)line; (void)len; (void)log_len;
}

/* Reads a POP3 multi-line body into m (LF line ends). */
static enum hk_net_rc
pop3_body_to(struct hk_conn *c, struct hk_maildir_msg *m,
    unsigned long long max)
{
	struct hk_buf line = HK_BUF_INIT;
	unsigned long long bytes = 0;
	enum hk_net_rc rc;
	const char *p;
	size_t n;

	for (;;) {
		if ((rc = hk_conn_read_line(c, &line, BODY_LINE_MAX)) != HK_NET_OK)
			break;
		if (hk_pop3_unstuff(line.data ? line.data : "", line.len, &p,
		    &n) == 1)
			break;
		bytes += n + 2;
		if (max > 0 && bytes > max) {
			rc = hk_conn_fail(c, HK_NET_TOO_LONG, "the message is "
			    "longer than the server said (over %llu bytes)", max);
			break;
		}
		hk_maildir_write(m, p, n);
		hk_maildir_write(m, "\n", 1);
	}
	hk_buf_free(&line);
	return rc;
}

static int
imap_sink(void *ctx, const char *p, size_t len)
{
	hk_maildir_write_crlf(ctx, p, len);
	return 0;
}

/* How many bytes a download may take: what the server announced, with
 * room for servers that count loosely, but never over recv_limit: the
 * limit holds on the bytes received, whatever the listing said.  A
 * message that overruns fails (HK_NET_TOO_LONG) and is not stored. */
static unsigned long long
download_cap(const struct run *x, const struct item *it)
{
	unsigned long long cap = it->size + it->size / 8 + 65536;

	if (x->limit > 0 && cap > x->limit)
		cap = x->limit;
	return cap;
}

static bool
stopping(const struct run *x)
{
	return x->called_off || (x->p->stop != NULL && *x->p->stop);
}

/* Asks the caller whether to go on (going_on); false when stopping. */
static bool
go_on(struct run *x)
{
	if (!x->called_off && x->p->going_on != NULL &&
	    !x->p->going_on(x->p->going_on_arg))
		x->called_off = true;
	return !stopping(x);
}

/* Downloads batch v[0..n) into the Maildir.  Sets done[i] for the
 * messages now in new/.  Returns false when the session broke (x->culprit
 * names the message) or on a local error. */
static bool
download_batch(struct run *x, struct item **v, size_t n, bool *done)
{
	struct hk_conn *c = &x->r.c;
	struct hk_maildir_msg *m = hk_malloc(sizeof(*m));
	struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;
	struct hk_buf cmds = HK_BUF_INIT, t = HK_BUF_INIT;
	bool pipelined = !x->r.imap && x->r.caps.pipelining;
	bool ok = true;
	size_t sent = 0;

	if (pipelined) {
		for (size_t i = 0; i < n; i++)
			hk_buf_printf(&cmds, "RETR %lu\r\n", v[i]->n);
		if (hk_conn_write(c, cmds.data, cmds.len) != HK_NET_OK) {
			set_error(x, 5, true, NULL, "POP3 RETR: %s",
			    hk_buf_str(&c->err));
			ok = false;
			goto out;
		}
		sent = n;
	}
	for (size_t i = 0; i < n; i++) {
		struct item *it = v[i];
		char name[96];
		enum hk_net_rc rc;
		bool refused = false;
		int crc;

		done[i] = false;
		/* Pipelined, the answers are on their way: read them all. */
		if (!go_on(x) && !pipelined)
			break;
		hk_fetch_msg_name(x->p->acct->id, it->uid, name, sizeof(name));
		if (hk_maildir_begin(&x->md, name, m) < 0) {
			set_error(x, 2, false, NULL, "cannot write into %s/tmp: %s",
			    x->md.path, strerror(errno));
			x->local_error = true;
			ok = false;
			goto out;
		}
		if (x->r.imap) {
			enum hk_imap_status st = HK_IMAP_OK;

			rc = hk_imap_uid_fetch_message(&x->r.m, it->imap_uid,
			    download_cap(x, it), imap_sink, m, &st);
			if (rc == HK_NET_OK && st != HK_IMAP_OK) {
				refused = true;
				hk_buf_reset(&t);
				hk_buf_puts(&t, hk_buf_str(&x->r.m.last));
			} else if (rc == HK_NET_OK && m->bytes == 0) {
				refused = true;	/* expunged meanwhile: no body */
				hk_buf_reset(&t);
				hk_buf_puts(&t, "the server sent no message");
			}
		} else {
			char cmd[32];

			if (!pipelined) {
				snprintf(cmd, sizeof(cmd), "RETR %lu", it->n);
				rc = hk_conn_send_line(c, cmd, strlen(cmd), strlen(cmd));
				if (rc == HK_NET_OK)
					sent++;
			} else
				rc = HK_NET_OK;
			if (rc == HK_NET_OK)
				rc = hk_pop3_read_status(c, &pr);
			if (rc == HK_NET_OK && !pr.ok) {
				refused = true;
				hk_buf_reset(&t);
				hk_pop3_reply_format(&pr, &t);
			} else if (rc == HK_NET_OK) {
				c->trace = quiet_trace;	/* message text stays out of logs */
				rc = pop3_body_to(c, m, download_cap(x, it));
				c->trace = NULL;
			}
		}
		if (rc != HK_NET_OK) {
			hk_maildir_abort(m);
			free(x->culprit);
			x->culprit = hk_strdup(it->uid);
			msg_failed(x, it, hk_buf_str(&c->err));
			set_error(x, 5, true, NULL, "%s", hk_buf_str(&c->err));
			ok = false;
			goto out;
		}
		if (refused) {
			hk_maildir_abort(m);
			msg_failed(x, it, hk_buf_str(&t));
			continue;
		}
		crc = hk_maildir_commit(m, true);
		if (crc < 0) {
			set_error(x, 2, false, NULL, "cannot deliver into %s: %s",
			    x->md.path, strerror(errno));
			x->local_error = true;
			ok = false;
			goto out;
		}
		done[i] = true;
		if (crc == 1)
			x->res->recovered++;	/* delivered before a crash */
		else
			x->res->fetched++;
	}
out:
	hk_pop3_reply_free(&pr);
	hk_buf_free(&cmds);
	hk_buf_free(&t);
	free(m);
	(void)sent;
	return ok;
}

/* DELE / UID STORE \Deleted + hk_imap_expunge_uids for v[0..n) whose
 * state is stored. */
static bool
delete_batch(struct run *x, struct item **v, size_t n)
{
	struct hk_conn *c = &x->r.c;
	struct hk_buf cmds = HK_BUF_INIT;

	if (x->p->keep || n == 0)
		return true;
	if (x->r.imap) {
		enum hk_imap_status st = HK_IMAP_OK;
		unsigned long long *uids = hk_malloc(n * sizeof(*uids));
		size_t nu = 0;
		bool expunged = false;

		for (size_t i = 0; i < n; i++) {
			if (v[i]->state != 1)
				continue;
			if (hk_imap_uid_store_deleted(&x->r.m, v[i]->imap_uid, &st) !=
			    HK_NET_OK) {
				free(uids);
				goto net;
			}
			if (st == HK_IMAP_OK)
				uids[nu++] = v[i]->imap_uid;
		}
		/* Only our messages: another client's \Deleted ones stay. */
		if (hk_imap_expunge_uids(&x->r.m, uids, nu, &st, &expunged) !=
		    HK_NET_OK) {
			free(uids);
			goto net;
		}
		if (expunged)
			x->res->deleted += nu;
		free(uids);
		return true;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i]->state == 1)
			hk_buf_printf(&cmds, "DELE %lu\r\n", v[i]->n);
	if (cmds.len == 0)
		return true;
	if (x->r.caps.pipelining) {
		if (hk_conn_write(c, cmds.data, cmds.len) != HK_NET_OK)
			goto net;
	}
	for (size_t i = 0; i < n; i++) {
		struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;
		enum hk_net_rc rc;

		if (v[i]->state != 1)
			continue;
		if (x->r.caps.pipelining)
			rc = hk_pop3_read_status(c, &pr);
		else
			rc = hk_pop3_dele(c, &pr, v[i]->n);
		if (rc == HK_NET_OK && pr.ok)
			x->res->deleted++;
		hk_pop3_reply_free(&pr);
		if (rc != HK_NET_OK)
			goto net;
	}
	hk_buf_free(&cmds);
	return true;
net:
	hk_buf_free(&cmds);
	set_error(x, 5, true, NULL, "deleting received messages: %s",
	    hk_buf_str(&c->err));
	return false;
}

/* ---- oversized messages ------------------------------------------------- */

static int
top_line(void *ctx, const char *line, size_t len)
{
	struct hk_buf *b = ctx;

	if (b->len + len + 2 <= HEADER_MAX) {
		hk_buf_append(b, line, len);
		hk_buf_puts(b, "\r\n");
	}
	return 0;
}

static int
top_line_raw_sink(void *ctx, const char *p, size_t len)
{
	struct hk_buf *b = ctx;

	if (b->len + len <= HEADER_MAX)
		hk_buf_append(b, p, len);
	return 0;
}

/* UID FETCH uid (BODY.PEEK[HEADER.FIELDS (...)]): imap.h has no call for
 * it, so the command is written here with its public pieces (tags in
 * the client's own sequence, hk_imap_literal_len, bounded reads). */
static enum hk_net_rc
imap_headers(struct run *x, unsigned long long uid, struct hk_buf *out,
    bool *ok)
{
	struct hk_imap *m = &x->r.m;
	struct hk_conn *c = &x->r.c;
	struct hk_buf line = HK_BUF_INIT;
	char tag[16], *cmd;
	enum hk_net_rc rc;
	bool got = false;

	*ok = false;
	snprintf(tag, sizeof(tag), "h%u", ++m->tag);
	cmd = hk_aprintf("%s UID FETCH %llu (BODY.PEEK[HEADER.FIELDS (FROM "
	    "SUBJECT DATE MESSAGE-ID)])", tag, uid);
	rc = hk_conn_send_line(c, cmd, strlen(cmd), strlen(cmd));
	free(cmd);
	while (rc == HK_NET_OK) {
		unsigned long long n;
		bool nonsync;
		int lit;

		if ((rc = hk_conn_read_line(c, &line, HK_IMAP_LINE_MAX)) !=
		    HK_NET_OK)
			break;
		if (strncmp(hk_buf_str(&line), tag, strlen(tag)) == 0 &&
		    line.data[strlen(tag)] == ' ') {
			*ok = strncasecmp(line.data + strlen(tag) + 1, "OK", 2) == 0;
			hk_buf_reset(&m->last);
			hk_buf_append(&m->last, line.data, line.len);
			break;
		}
		lit = hk_imap_literal_len(hk_buf_str(&line), line.len, &n, &nonsync);
		if (lit < 0) {
			rc = hk_conn_fail(c, HK_NET_PROTOCOL, "a malformed IMAP "
			    "literal");
			break;
		}
		if (lit == 0)
			continue;
		if (n > HK_IMAP_SKIP_MAX) {
			rc = hk_conn_fail(c, HK_NET_TOO_LONG, "an IMAP header "
			    "literal of %llu bytes", n);
			break;
		}
		if (!got && strcasestr(hk_buf_str(&line), " FETCH (") != NULL) {
			got = true;
			hk_buf_reset(out);
			rc = hk_conn_read_n(c, n, top_line_raw_sink, out);
		} else
			rc = hk_conn_read_n(c, n, NULL, NULL);
	}
	hk_buf_free(&line);
	return rc;
}

static int
record_oversized(struct run *x, struct item *it)
{
	struct hk_buf head = HK_BUF_INIT;
	struct hk_msgheaders h;
	enum hk_net_rc rc;
	bool ok = false;

	if (x->r.imap)
		rc = imap_headers(x, it->imap_uid, &head, &ok);
	else {
		struct hk_pop3_reply pr = HK_POP3_REPLY_INIT;
		char cmd[40];

		snprintf(cmd, sizeof(cmd), "TOP %lu 0", it->n);
		rc = hk_pop3_command(&x->r.c, &pr, cmd, strlen(cmd));
		if (rc == HK_NET_OK && pr.ok) {
			x->r.c.trace = quiet_trace;
			rc = hk_pop3_read_body(&x->r.c, top_line, &head,
			    (size_t)-1, 0);
			x->r.c.trace = NULL;
			ok = rc == HK_NET_OK;
		}
		hk_pop3_reply_free(&pr);
	}
	if (rc != HK_NET_OK) {
		hk_buf_free(&head);
		set_error(x, 5, true, NULL, "reading the header of an oversized "
		    "message: %s", hk_buf_str(&x->r.c.err));
		return 5;
	}
	/* Without TOP (or with a refusal), the record still lists the size. */
	hk_msgheaders_parse(ok && head.data ? head.data : "", ok ? head.len : 0,
	    &h);
	if (hk_oversized_record(x->p->db, x->p->acct->id, x->p->srv->id, it->uid,
	    it->size, &h) != HK_STORE_OK) {
		set_error(x, 2, false, NULL, "recording an oversized message: %s",
		    hk_db_errmsg(x->p->db));
		x->local_error = true;
		hk_msgheaders_clear(&h);
		hk_buf_free(&head);
		return 2;
	}
	it->oversized_known = true;
	x->res->oversized++;
	hk_msgheaders_clear(&h);
	hk_buf_free(&head);
	return 0;
}

/* ---- one session ----------------------------------------------------------- */


static int
session(struct run *x)
{
	const struct hk_fetch_params *p = x->p;
	struct hk_recv_fail f;
	struct item **v = NULL;
	bool *done = NULL;
	size_t batch = p->batch > 0 ? p->batch : 100, nv = 0;
	int code;

	free(x->culprit);
	x->culprit = NULL;
	if ((code = hk_recv_open(&x->r, p->srv, p->acct, p->mods, p->oauth2,
	    &p->to_ms, &f)) != 0) {
		set_error(x, code, code != 2 && !f.token, f.reply, "%s", f.error);
		hk_recv_fail_clear(&f);
		hk_recv_free(&x->r);
		return code;
	}
	if (x->r.token_refreshed)
		x->res->token_refreshed = true;
	if ((code = list_messages(x)) != 0 || (code = load_state(x)) != 0)
		goto out;

	v = hk_malloc((x->n ? x->n : 1) * sizeof(*v));
	done = hk_malloc((x->n ? x->n : 1) * sizeof(*done));

	/* 1. Delivering when a run stopped: look for it in the Maildir. */
	for (size_t i = 0; i < x->n; i++) {
		char name[96];

		if (x->items[i].state != 0 || x->items[i].dup)
			continue;
		hk_fetch_msg_name(p->acct->id, x->items[i].uid, name, sizeof(name));
		if (hk_maildir_has(&x->md, name)) {
			v[nv++] = &x->items[i];
			x->res->recovered++;
		}
	}
	if (!mark(x, v, nv, 1)) {
		code = 2;
		goto out;
	}

	/* 2. Stored before (this run or an earlier one that did not get to
	 * delete them): delete from the server now. */
	nv = 0;
	for (size_t i = 0; i < x->n; i++)
		if (x->items[i].state == 1 && !x->items[i].dup)
			v[nv++] = &x->items[i];
	if (!delete_batch(x, v, nv)) {
		code = 5;
		goto out;
	}

	/* 3. Over the limit: headers only, recorded once, left there. */
	for (size_t i = 0; i < x->n && go_on(x); i++) {
		struct item *it = &x->items[i];

		if (it->state == 1 || x->limit == 0 || it->size <= x->limit ||
		    it->oversized_known || it->dup || skipped(x, it->uid))
			continue;
		if ((code = record_oversized(x, it)) != 0)
			goto out;
	}

	/* 4. The rest, in batches: delivering -> Maildir -> stored -> delete. */
	for (size_t i = 0; i < x->n && go_on(x); ) {
		size_t nb = 0, nd = 0;
		bool sound;

		while (i < x->n && nb < batch) {
			struct item *it = &x->items[i++];

			if (it->state == 1 || (x->limit > 0 && it->size > x->limit) ||
			    it->dup || skipped(x, it->uid))
				continue;
			v[nb++] = it;
		}
		if (nb == 0)
			break;
		if (!mark(x, v, nb, 0)) {
			code = 2;
			goto out;
		}
		sound = download_batch(x, v, nb, done);
		/* Whatever is in new/ now is made durable and recorded, even
		 * when the session broke. */
		for (size_t k = 0; k < nb; k++)
			if (done[k])
				v[nd++] = v[k];
		if (nd > 0 && hk_maildir_sync(&x->md) < 0) {
			set_error(x, 2, false, NULL, "cannot sync %s/new: %s",
			    x->md.path, strerror(errno));
			x->local_error = true;
			code = 2;
			goto out;
		}
		if (!mark(x, v, nd, 1)) {
			code = 2;
			goto out;
		}
		if (!sound) {
			code = x->res->exit_code;
			goto out;
		}
		if (!delete_batch(x, v, nd)) {
			code = 5;
			goto out;
		}
	}
	code = 0;
out:
	if (hk_recv_close(&x->r) < 0 && code == 0 && !p->keep &&
	    x->res->deleted > 0) {
		/* POP3 deletes at QUIT: nothing is lost (all is stored and
		 * recorded), the next run deletes them. */
		set_error(x, 5, true, NULL, "the POP3 server did not confirm QUIT; "
		    "the received messages stay on the server until the next run");
		code = 5;
	}
	hk_recv_free(&x->r);
	free(v);
	free(done);
	return code;
}

int
hk_fetch_run(const struct hk_fetch_params *p, struct hk_fetch_result *res)
{
	struct run x;
	char *err = NULL;
	int code = 0;

	memset(res, 0, sizeof(*res));
	memset(&x, 0, sizeof(x));
	x.p = p;
	x.res = res;
	x.limit = p->srv->recv_limit > 0 ? (unsigned long long)p->srv->recv_limit :
	    0;
	if (hk_maildir_open(&x.md, p->maildir, &err) < 0) {
		set_error(&x, 2, false, NULL, "%s", err);
		free(err);
		return 2;
	}
	/* The caller holds the account's fetch lock. */
	hk_maildir_clear_tmp(&x.md);
	for (int s = 0; s < SESSIONS_MAX; s++) {
		code = session(&x);
		/* A message broke the connection: carry on without it. */
		if (code != 0 && x.culprit != NULL && !x.local_error && !stopping(&x))
			continue;
		break;
	}
	if (code == 0 && res->failed > 0) {
		set_error(&x, 5, true, NULL, "%lu message%s could not be received",
		    res->failed, res->failed == 1 ? "" : "s");
		code = 5;
	} else if (code != 0 && x.culprit != NULL && res->failed > 0) {
		char *e = hk_aprintf("%lu message%s could not be received (last: %s)",
		    res->failed, res->failed == 1 ? "" : "s",
		    res->error ? res->error : "");

		free(res->error);
		res->error = e;
	}
	res->exit_code = code;
	hk_maildir_close(&x.md);
	items_free(&x);
	for (size_t i = 0; i < x.n_skip; i++)
		free(x.skip[i]);
	free(x.skip);
	free(x.culprit);
	return code;
}
