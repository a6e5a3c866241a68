/* oauth2_call.h - the requests hikyaku makes to a mail server's OAuth 2.0
 * provider (lib-oauth2), with their answers as plain strings.
 *
 * It turns a mail server's fields into a lib-oauth2 client and the
 * provider's answers into plain strings and few classes, so that the
 * code that stores tokens (oauth2_token.c, hikyakuctl's oauth2 command)
 * handles neither lib-oauth2's buffers nor its status classes.
 *
 * Every function takes the mail server s (loaded with secrets: the
 * client secret) and ca_file (hikyaku.conf's, NULL: none) and fills an
 * answer the caller clears with hk_oauth2_answer_clear (which wipes the
 * tokens), also on failure.  Nothing here logs a token.
 */
#ifndef HK_OAUTH2_CALL_H
#define HK_OAUTH2_CALL_H

#include <stdbool.h>

#include "servers.h"

/* The provider's answer in few classes (lib-oauth2's, CONN and PROTO
 * joined: either way there was no usable answer). */
enum hk_oauth2_call_class {
	HK_OAUTH2_CALL_OK = 0,
	HK_OAUTH2_CALL_GRANT,		/* invalid_grant: the grant is gone */
	HK_OAUTH2_CALL_REFUSED,		/* another error answer */
	HK_OAUTH2_CALL_UNREACHABLE,	/* no answer, no OAuth 2.0 answer, or
					 * server_error / temporarily_unavailable */
	HK_OAUTH2_CALL_CONFIG,		/* nothing sent: impossible as set up */
};

struct hk_oauth2_answer {
	enum hk_oauth2_call_class cls;
	char *access;		/* OK: the access token (secret) */
	char *refresh;		/* a (rotated) refresh token (secret); NULL:
				 * none sent, keep the one stored */
	char *scope;		/* as granted; NULL: as requested */
	long long expires;	/* unix time; 0: not said */
	/* Not OK: what the provider said, or hikyaku's words for
	 * UNREACHABLE and CONFIG; printable ASCII. */
	char error[64];		/* "invalid_grant", "" when none */
	char description[512];
};
void hk_oauth2_answer_clear(struct hk_oauth2_answer *a);
/* "error: description" (or the one that is there) into a new string. */
char *hk_oauth2_answer_text(const struct hk_oauth2_answer *a);

/* The scope requests carry: the server's, else its preset's. */
const char *hk_oauth2_call_scope(const struct hk_server *s);

/* refresh_token grant, always with the scope (Microsoft requires it). */
void hk_oauth2_call_refresh(const struct hk_server *s, const char *ca_file,
    const char *refresh_token, struct hk_oauth2_answer *a);
/* client_credentials grant (app-only). */
void hk_oauth2_call_client_credentials(const struct hk_server *s,
    const char *ca_file, struct hk_oauth2_answer *a);
/* authorization_code grant: the code with its PKCE verifier. */
void hk_oauth2_call_exchange(const struct hk_server *s, const char *ca_file,
    const char *code, const char *verifier, const char *redirect_uri,
    struct hk_oauth2_answer *a);

/* A new authorization request: fresh state and PKCE verifier (into the
 * caller's arrays; wipe verifier after use) and the URL to open, which
 * the caller frees.  NULL when the server's authorization URL is not
 * https:// or the client id is missing. */
char *hk_oauth2_call_auth_url(const struct hk_server *s,
    const char *redirect_uri, const char *login_hint, char state[44],
    char verifier[129]);

/* Device authorization (RFC 8628): starts, calls show with what the user
 * must do (uri_complete may be NULL), then polls until the user finished,
 * refused, or the code expired. */
void hk_oauth2_call_device(const struct hk_server *s, const char *ca_file,
    void (*show)(void *arg, const char *uri, const char *uri_complete,
    const char *user_code, long long expires_at), void *arg,
    struct hk_oauth2_answer *a);

#endif
