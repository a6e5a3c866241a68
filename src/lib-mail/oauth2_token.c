/* oauth2_token.c - the access token of a mail session (oauth2_token.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mem.h"
#include "oauth2_call.h"
#include "oauth2_token.h"

void
hk_oauth2_token_clear(struct hk_oauth2_token *t)
{
	hk_free_secret(t->access);
	free(t->error);
	free(t->provider_error);
	memset(t, 0, sizeof(*t));
}

static bool
oauth_method(const char *m)
{
	return m != NULL && (strcmp(m, "xoauth2") == 0 ||
	    strcmp(m, "oauthbearer") == 0);
}

bool
hk_oauth2_token_recv(const struct hk_server *s)
{
	return oauth_method(s->recv_auth_method);
}

bool
hk_oauth2_token_send(const struct hk_server *s)
{
	return s->smtp_auth && oauth_method(s->smtp_auth_method);
}

enum hk_oauth2_need
hk_oauth2_token_need(bool found, const struct hk_oauth2_tokens *t,
    bool client_credentials, long long now, long long seen_expires)
{
	bool have_access = found && t->access_set && t->access_token != NULL;

	if (client_credentials) {
		/* No user step: a refused request is simply made again. */
		if (have_access && (t->access_expires == 0 ||
		    t->access_expires > now + HK_OAUTH2_MARGIN))
			return HK_OAUTH2_NEED_USE;
		if (have_access && seen_expires >= 0 &&
		    t->access_expires > seen_expires && t->access_expires > now)
			return HK_OAUTH2_NEED_USE;
		return HK_OAUTH2_NEED_REFRESH;
	}
	if (!found)
		return HK_OAUTH2_NEED_CONNECT;
	if (t->needs_reconnect)
		return HK_OAUTH2_NEED_RECONNECT;
	if (have_access && (t->access_expires == 0 ||
	    t->access_expires > now + HK_OAUTH2_MARGIN))
		return HK_OAUTH2_NEED_USE;
	if (have_access && seen_expires >= 0 &&
	    t->access_expires > seen_expires && t->access_expires > now)
		return HK_OAUTH2_NEED_USE;
	if (!t->refresh_set || t->refresh_token == NULL)
		return HK_OAUTH2_NEED_RECONNECT;
	return HK_OAUTH2_NEED_REFRESH;
}

static int
fail(struct hk_oauth2_token *out, enum hk_oauth2_step step,
    const char *provider_error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct hk_oauth2_token *out, enum hk_oauth2_step step,
    const char *provider_error, const char *fmt, ...)
{
	struct hk_buf b = HK_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hk_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	out->step = step;
	out->error = hk_buf_steal(&b);
	if (provider_error != NULL && *provider_error != '\0')
		out->provider_error = hk_strdup(provider_error);
	switch (step) {
	case HK_OAUTH2_STEP_UNREACHABLE:
		out->exit_code = 5;
		break;
	case HK_OAUTH2_STEP_CONFIG:
	case HK_OAUTH2_STEP_STORE:
		out->exit_code = 2;
		break;
	default:
		out->exit_code = 4;
		break;
	}
	return out->exit_code;
}

static int
use(struct hk_oauth2_token *out, enum hk_oauth2_step step,
    const char *access, long long expires)
{
	out->step = step;
	out->exit_code = 0;
	out->access = hk_strdup(access);
	out->expires = expires;
	return 0;
}

/* Who the owner is, for messages. */
static const char *
who(const struct hk_server *s, const struct hk_account *a, char *buf,
    size_t len)
{
	if (s->oauth2_grant == HK_OAUTH2_GRANT_CLIENT)
		snprintf(buf, len, "mail server %s", s->name);
	else
		snprintf(buf, len, "mail account %s", a->name);
	return buf;
}

/* The provider said no, or could not be asked: one failure line.  An
 * invalid_grant marks the owner as needing reconnection. */
static int
provider_failed(const struct hk_oauth2_src *src, const struct hk_server *s,
    struct hk_oauth2_owner owner, const char *whom,
    const struct hk_oauth2_answer *a, struct hk_oauth2_token *out)
{
	char *text = hk_oauth2_answer_text(a);
	int code;

	switch (a->cls) {
	case HK_OAUTH2_CALL_GRANT:
		if (s->oauth2_grant != HK_OAUTH2_GRANT_CLIENT &&
		    hk_oauth2_tokens_mark_needs_reconnect(src->db, owner, text,
		    (long long)time(NULL)) != HK_STORE_OK)
			hk_err("oauth2: %s: cannot record that it needs "
			    "reconnecting", whom);
		hk_warn("oauth2: %s needs reconnecting: %s", whom, text);
		code = fail(out, HK_OAUTH2_STEP_RECONNECT, text, "%s needs "
		    "reconnecting: the provider refused its refresh token (%s); "
		    "connect it again (docs/OAUTH2.md)", whom, text);
		break;
	case HK_OAUTH2_CALL_REFUSED:
		code = fail(out, HK_OAUTH2_STEP_REFUSED, text, "the OAuth 2.0 "
		    "provider of mail server %s refused the token request: %s",
		    s->name, text);
		break;
	case HK_OAUTH2_CALL_CONFIG:
		code = fail(out, HK_OAUTH2_STEP_CONFIG, NULL, "the OAuth 2.0 "
		    "settings of mail server %s cannot work: %s", s->name, text);
		break;
	default:
		code = fail(out, HK_OAUTH2_STEP_UNREACHABLE, NULL, "the token "
		    "endpoint of mail server %s gave no usable answer: %s "
		    "(nothing stored changed)", s->name, text);
		break;
	}
	free(text);
	return code;
}

static int
store_failed(struct hk_oauth2_token *out, enum hk_store_rc rc,
    const char *whom)
{
	return fail(out, HK_OAUTH2_STEP_STORE, NULL, "cannot %s the OAuth 2.0 "
	    "tokens of %s (%s)", rc == HK_STORE_BUSY ? "lock" : "read or store",
	    whom, rc == HK_STORE_BUSY ? "the database or the refresh lock "
	    "stayed busy" : "see the log");
}

/* A client_credentials server without a token yet: ask, store. */
static int
first_client_token(const struct hk_oauth2_src *src, const struct hk_server *s,
    struct hk_oauth2_owner owner, const char *whom,
    struct hk_oauth2_token *out)
{
	struct hk_oauth2_answer a;
	long long now = (long long)time(NULL);
	enum hk_store_rc rc;
	int code;

	hk_oauth2_call_client_credentials(s, src->ca_file, &a);
	if (a.cls != HK_OAUTH2_CALL_OK) {
		code = provider_failed(src, s, owner, whom, &a, out);
		hk_oauth2_answer_clear(&a);
		return code;
	}
	rc = hk_oauth2_tokens_connect(src->db, src->key, owner, a.access,
	    a.expires, a.scope != NULL ? a.scope : hk_oauth2_call_scope(s),
	    NULL, now);
	code = rc == HK_STORE_OK ? use(out, HK_OAUTH2_STEP_REFRESHED, a.access,
	    a.expires) : store_failed(out, rc, whom);
	hk_oauth2_answer_clear(&a);
	return code;
}

/* Under the lock, with t just re-read: ask the provider, store. */
static int
refresh_locked(const struct hk_oauth2_src *src, const struct hk_server *s,
    struct hk_oauth2_owner owner, const char *whom,
    const struct hk_oauth2_tokens *t, struct hk_oauth2_token *out)
{
	bool cc = s->oauth2_grant == HK_OAUTH2_GRANT_CLIENT;
	struct hk_oauth2_answer a;
	enum hk_store_rc rc;
	int code;

	if (cc)
		hk_oauth2_call_client_credentials(s, src->ca_file, &a);
	else
		hk_oauth2_call_refresh(s, src->ca_file, t->refresh_token, &a);
	if (a.cls != HK_OAUTH2_CALL_OK) {
		code = provider_failed(src, s, owner, whom, &a, out);
		hk_oauth2_answer_clear(&a);
		return code;
	}
	/* The access token and a rotated refresh token together. */
	if (cc)
		rc = hk_oauth2_tokens_connect(src->db, src->key, owner, a.access,
		    a.expires, a.scope != NULL ? a.scope :
		    hk_oauth2_call_scope(s), NULL, (long long)time(NULL));
	else
		rc = hk_oauth2_tokens_save(src->db, src->key, owner, a.access,
		    a.expires, a.scope, a.refresh);
	if (rc == HK_STORE_OK) {
		hk_info("oauth2: %s: access token refreshed%s", whom,
		    a.refresh != NULL ? " (refresh token rotated)" : "");
		code = use(out, HK_OAUTH2_STEP_REFRESHED, a.access, a.expires);
	} else if (rc == HK_STORE_NOT_FOUND)
		code = fail(out, HK_OAUTH2_STEP_NOT_CONNECTED, NULL, "%s was "
		    "disconnected meanwhile", whom);
	else
		code = store_failed(out, rc, whom);
	hk_oauth2_answer_clear(&a);
	return code;
}

static int
need_failed(struct hk_oauth2_token *out, enum hk_oauth2_need need,
    const struct hk_oauth2_tokens *t, const char *whom)
{
	if (need == HK_OAUTH2_NEED_CONNECT)
		return fail(out, HK_OAUTH2_STEP_NOT_CONNECTED, NULL, "%s is not "
		    "connected: connect it first (docs/OAUTH2.md)", whom);
	if (t->last_error != NULL && *t->last_error != '\0')
		return fail(out, HK_OAUTH2_STEP_RECONNECT, t->last_error, "%s "
		    "needs reconnecting: %s (docs/OAUTH2.md)", whom,
		    t->last_error);
	return fail(out, HK_OAUTH2_STEP_RECONNECT, NULL, "%s needs "
	    "reconnecting: its access token expired and the provider gave no "
	    "refresh token (docs/OAUTH2.md)", whom);
}

int
hk_oauth2_token_get(const struct hk_oauth2_src *src,
    const struct hk_server *s, const struct hk_account *acct,
    struct hk_oauth2_token *out)
{
	bool cc = s->oauth2_grant == HK_OAUTH2_GRANT_CLIENT;
	struct hk_oauth2_owner owner = {
		cc ? HK_OAUTH2_OWNER_SERVER : HK_OAUTH2_OWNER_ACCOUNT,
		cc ? s->id : acct->id,
	};
	struct hk_oauth2_tokens t;
	enum hk_oauth2_need need;
	enum hk_store_rc rc;
	long long seen;
	char whom[300], holder[96], host[64];
	unsigned char rnd[8];
	int code;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	who(s, acct, whom, sizeof(whom));
	if (s->oauth2_provider == HK_OAUTH2_NONE)
		return fail(out, HK_OAUTH2_STEP_CONFIG, NULL, "mail server %s "
		    "signs in with %s but has no OAuth 2.0 provider", s->name,
		    hk_oauth2_token_recv(s) ? s->recv_auth_method :
		    s->smtp_auth_method);
	rc = hk_oauth2_tokens_load(src->db, src->key, owner, true, &t);
	if (rc != HK_STORE_OK && rc != HK_STORE_NOT_FOUND)
		return store_failed(out, rc, whom);
	need = hk_oauth2_token_need(rc == HK_STORE_OK, &t, cc,
	    (long long)time(NULL), -1);
	if (need == HK_OAUTH2_NEED_USE) {
		code = use(out, HK_OAUTH2_STEP_VALID, t.access_token,
		    t.access_expires);
		hk_oauth2_tokens_clear(&t);
		return code;
	}
	if (need != HK_OAUTH2_NEED_REFRESH) {
		code = need_failed(out, need, &t, whom);
		hk_oauth2_tokens_clear(&t);
		return code;
	}
	if (cc && rc == HK_STORE_NOT_FOUND)
		return first_client_token(src, s, owner, whom, out);
	seen = t.access_set ? t.access_expires : 0;
	hk_oauth2_tokens_clear(&t);

	/* One refresh at a time: wait for the lock, then look again. */
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	hk_random(rnd, sizeof(rnd));
	snprintf(holder, sizeof(holder), "%s:%ld:%02x%02x%02x%02x%02x%02x%02x%02x",
	    host, (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
	    rnd[5], rnd[6], rnd[7]);
	rc = hk_oauth2_refresh_begin(src->db, src->key, owner, holder,
	    HK_OAUTH2_LOCK_TTL, HK_OAUTH2_LOCK_WAIT_MS, &t);
	if (rc == HK_STORE_NOT_FOUND) {
		hk_oauth2_tokens_clear(&t);
		if (cc)
			return first_client_token(src, s, owner, whom, out);
		return fail(out, HK_OAUTH2_STEP_NOT_CONNECTED, NULL, "%s is not "
		    "connected: connect it first (docs/OAUTH2.md)", whom);
	}
	if (rc != HK_STORE_OK) {
		hk_oauth2_tokens_clear(&t);
		return store_failed(out, rc, whom);
	}
	need = hk_oauth2_token_need(true, &t, cc, (long long)time(NULL), seen);
	if (need == HK_OAUTH2_NEED_USE)
		code = use(out, HK_OAUTH2_STEP_SHARED, t.access_token,
		    t.access_expires);
	else if (need == HK_OAUTH2_NEED_REFRESH)
		code = refresh_locked(src, s, owner, whom, &t, out);
	else
		code = need_failed(out, need, &t, whom);
	if (hk_oauth2_refresh_unlock(src->db, owner, holder) != HK_STORE_OK)
		hk_warn("oauth2: %s: cannot release the refresh lock (it "
		    "expires by itself)", whom);
	hk_oauth2_tokens_clear(&t);
	return code;
}
