/* testaudit.c - every connection test in the audit trail (testaudit.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "log.h"
#include "testaudit.h"

/* host:port, with an IPv6 literal in brackets. */
static void
put_place(struct hk_buf *b, const char *host, int port)
{
	if (host != NULL && strchr(host, ':') != NULL)
		hk_buf_printf(b, "[%s]:%d", host, port);
	else
		hk_buf_printf(b, "%s:%d", host != NULL ? host : "", port);
}

enum hk_store_rc
hk_testaudit_record(struct hk_db *db, const struct hk_testaudit *t)
{
	const struct hk_server *s = t->srv;
	struct hk_buf b = HK_BUF_INIT;
	enum hk_store_rc rc;

	hk_buf_printf(&b, "settings: %s\n", t->saved ? "saved" :
	    "unsaved form values");
	if (t->account_name != NULL)
		hk_buf_printf(&b, "credentials: mail account %s (id %lld), "
		    "stored password\n", t->account_name, t->account_id);
	else if (t->typed_user != NULL)
		hk_buf_printf(&b, "credentials: user %s, typed password\n",
		    t->typed_user);
	hk_buf_printf(&b, "receive: %s ", hk_recv_protocol_name(s->recv_protocol));
	put_place(&b, s->recv_host, s->recv_port);
	hk_buf_puts(&b, "\nsend: smtp ");
	put_place(&b, s->smtp_host, s->smtp_port);
	if (s->smtp_auth && s->smtp_credentials == HK_CRED_FIXED)
		hk_buf_printf(&b, " as %s, %s SMTP password", s->smtp_user ?
		    s->smtp_user : "", t->stored_smtp_password ? "stored" :
		    "typed");
	hk_buf_putc(&b, '\n');
	if (t->refused != NULL)
		hk_buf_printf(&b, "outcome: refused, nothing sent: %s",
		    t->refused);
	else if (t->ok)
		hk_buf_puts(&b, "outcome: passed");
	else
		hk_buf_printf(&b, "outcome: failed (exit %d): %s", t->exit_code,
		    t->summary != NULL ? t->summary : "");
	rc = hk_audit_record(db, t->actor, "test", "mail-server", s->id,
	    s->name, hk_buf_str(&b));
	if (rc != HK_STORE_OK)
		hk_warn("the connection test of mail server %lld could not be "
		    "recorded in the audit trail", s->id);
	hk_buf_free(&b);
	return rc;
}
