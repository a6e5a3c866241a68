#!/usr/bin/env bash
# t-oauth-web.sh - connecting a mail account to its OAuth 2.0 provider from
# the account screen (docs/REFERENCE.md, "OAuth 2.0 connection") against
# the real test authorization server (tests/peers/idp): the connect
# redirect and every parameter it carries, the callback storing the
# tokens sealed and audited, each refused state (bad, replayed, of
# another session, expired), the provider's error, a token endpoint that
# hangs, answers garbage or 500, disconnect, CSRF, the resume page for a
# browser that comes back without its SameSite=Strict cookie, and an
# instance without public_url.  No mail peers needed.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/idp.sh"

if ! idp_available; then
	echo "1..0 # SKIP needs node and 'npm ci' in tests/peers/idp (tests/deps)"
	exit 0
fi

HK_WANT_PORT=$(hk_free_port)
PUBLIC="http://127.0.0.1:$HK_WANT_PORT/"
trap 'hk_instance_stop; idp_stop' EXIT
idp_start IDP_REDIRECT_URIS="${PUBLIC}oauth2/callback" 2>"${HK_TMP:-/tmp}/idp-web.err" ||
	{ echo "not ok 1 - the IdP started"; sed 's/^/# /' "${HK_TMP:-/tmp}/idp-web.err"; exit 1; }
HK_EXTRA_CONF="public_url = $PUBLIC
ca_file = $IDP_CA_FILE
oauth2_timeout = 3"
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
is "the instance runs where public_url says" "$HK_URL" "$PUBLIC"

XML=(-H 'Accept: application/xml')
ctl() { LC_ALL=C LANG=C "$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG" "$@"; }
ctl servers add --set name=IdP --set smtp_host=smtp.example.test \
	--set recv_host=imap.example.test --set oauth2_provider=custom \
	--set oauth2_client_id="$IDP_PUBLIC_ID" --set oauth2_auth_url="$IDP_AUTH_URL" \
	--set oauth2_token_url="$IDP_TOKEN_URL" --set oauth2_scope="$IDP_SCOPE" >/dev/null
ctl servers add --set name=Plain --set smtp_host=smtp.example.test \
	--set recv_host=pop.example.test >/dev/null
ctl accounts add --set name=alice --set address=alice@example.test \
	--set server_id=IdP --set username=alice <<<'Acct-pw-1' >/dev/null
ctl accounts add --set name=carol --set address=carol@example.test \
	--set server_id=Plain --set username=carol <<<'Acct-pw-2' >/dev/null
A=$(hk_sql "SELECT id FROM mail_accounts WHERE name='alice'")
C=$(hk_sql "SELECT id FROM mail_accounts WHERE name='carol'")
ok "the server and accounts were set up" test -n "$A" -a -n "$C"

new_browser
sign_in
T=$(csrf_now "mail-accounts/$A/edit")

# query_param URL NAME: the decoded value of NAME in URL's query.
query_param() {
	python3 -c 'import sys, urllib.parse as u
q = u.parse_qs(u.urlsplit(sys.argv[1]).query, keep_blank_values=True)
print(q.get(sys.argv[2], [""])[0])' "$1" "$2"
}
# connect: POSTs Connect for account $1; LOC is the provider URL.
connect() {
	req POST "mail-accounts/$1/oauth2/connect" "csrf_token=$T"
	LOC=$(header Location)
}
# back URL: the browser comes back to hikyaku with URL (from the IdP).
back() { req GET "${1#"$PUBLIC"}" "${@:2}"; }
tokens_rows() { hk_sql "SELECT count(*) FROM oauth2_tokens WHERE account_id = $A"; }

# --- the account screen offers Connect
req GET "mail-accounts/$A/edit" "${XML[@]}"
like "the account of an OAuth 2.0 server shows its state: not connected" "$BODY" \
	'<oauth2 connected="false" needs-reconnect="false"/>'
req GET "mail-accounts/$A/edit"
like "... and a Connect form with the token" "$BODY" \
	"<form method=\"post\" action=\"/mail-accounts/$A/oauth2/connect\" class=\"inline oauth2-connect\"><input type=\"hidden\" name=\"csrf_token\" value=\"$T\">"
unlike "... no Disconnect yet" "$BODY" 'oauth2/disconnect'
like "... its CSP lets that form's redirect go to the provider (https:)" \
	"$(header Content-Security-Policy)" "form-action 'self' https:; "
req GET "mail-accounts/$C/edit"
unlike "an account of a password server offers no Connect" "$BODY" 'oauth2/connect'
like "... and its CSP keeps forms on the site" "$(header Content-Security-Policy)" "form-action 'self'; "

# --- CSRF and sign-in
req POST "mail-accounts/$A/oauth2/connect" ""
is "Connect without the token: 403" "$STATUS" 403
req POST "mail-accounts/$A/oauth2/disconnect" "csrf_token=0000"
is "Disconnect with a wrong token: 403" "$STATUS" 403
is "... no state was issued" "$(hk_sql 'SELECT count(*) FROM oauth2_states')" 0

# --- connect: the redirect and each parameter
connect "$A"
is "Connect answers 303" "$STATUS" 303
like "... to the authorization endpoint" "$LOC" "^$IDP_AUTH_URL\\?"
is "... response_type=code" "$(query_param "$LOC" response_type)" code
is "... client_id" "$(query_param "$LOC" client_id)" "$IDP_PUBLIC_ID"
is "... the server's scope" "$(query_param "$LOC" scope)" "$IDP_SCOPE"
is "... redirect_uri = public_url + oauth2/callback" "$(query_param "$LOC" redirect_uri)" "${PUBLIC}oauth2/callback"
like "... a state of 43 base64url characters" "$(query_param "$LOC" state)" '^[A-Za-z0-9_-]{43}$'
like "... a S256 code challenge" "$(query_param "$LOC" code_challenge)" '^[A-Za-z0-9_-]{43}$'
is "... code_challenge_method=S256" "$(query_param "$LOC" code_challenge_method)" S256
is "... login_hint = the account's user name" "$(query_param "$LOC" login_hint)" alice
is "... one state stored, for this account" "$(hk_sql "SELECT count(*), max(account_id) FROM oauth2_states")" "1|$A"
unlike "... the verifier is not stored in clear" "$(hk_sql 'SELECT hex(verifier) FROM oauth2_states')" '^$'

# --- the provider sends the browser back: tokens stored
CB=$(idp_authorize "$LOC" alice)
like "the IdP sends the browser back with a code and the state" "$CB" "^${PUBLIC}oauth2/callback\\?code=.*state=$(query_param "$LOC" state)"
CODE=$(query_param "$CB" code)
back "$CB"
is "the callback answers 303" "$STATUS" 303
is "... to the account's edit screen" "$(header Location)" "/mail-accounts/$A/edit"
req GET "mail-accounts/$A/edit" "${XML[@]}"
like "the account is connected, with expiry and scope" "$BODY" \
	"<oauth2 connected=\"true\" needs-reconnect=\"false\" expires=\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\" scope=\"[^\"]*mail"
req GET "mail-accounts/$A/edit"
like "... the screen says Connected" "$BODY" 'class="badge ok connected">Connected<'
like "... and offers Reconnect" "$BODY" '>Reconnect</button>'
like "... and Disconnect" "$BODY" "action=\"/mail-accounts/$A/oauth2/disconnect\""
req GET mail-accounts "${XML[@]}"
like "the (cached) account list shows it connected too" "$BODY" '<oauth2 connected="true"'
is "the state is spent" "$(hk_sql 'SELECT count(*) FROM oauth2_states')" 0
row=$(hk_sql "SELECT CASE WHEN refresh_token IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN access_token IS NOT NULL THEN 1 ELSE 0 END FROM oauth2_tokens WHERE account_id = $A")
is "both tokens stored" "$row" "1|1"
is "... both sealed (secret.h's magic), not in clear" \
	"$(hk_sql "SELECT substr(hex(refresh_token), 1, 6), substr(hex(access_token), 1, 6) FROM oauth2_tokens WHERE account_id = $A")" \
	"686B01|686B01"
audit=$(hk_sql "SELECT actor, action, object_type, object_id, object_name, details FROM audit_log WHERE action LIKE 'oauth2%'")
like "the connect is audited" "$audit" "^$HK_ADMIN_USER\\|oauth2-connect\\|mail-account\\|$A\\|alice\\|scope: "
unlike "... without the code" "$audit" "$CODE"
ok "the code is nowhere in the store" hk_store_lacks "$CODE"
# The IdP's tokens are 43 characters of base64url, like its codes: none
# may be anywhere in the store's files: no run of 43 such characters
# mixing upper and lower case, once the sessions' hex tokens (64 digits)
# and the schema's keyword CREATE are taken out.
if hk_sqlite_only "the file scan reads SQLite's files"; then
	hk_sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	runs=$(cat "$HK_DIR"/data/hikyaku.db* | strings -n 43 | grep -oE '[A-Za-z0-9_-]{43,}' |
		sed -E 's/CREATE//g; s/[0-9a-f]{64}//g' | grep -E '.{43}' | grep '[A-Z]' | grep '[a-z]')
	is "no token-shaped text anywhere in the store" "$runs" ""
fi

# --- replay: the same callback URL again
back "$CB"
is "the same callback again (a replay): 400" "$STATUS" 400
like "... says the sign-in link is not valid" "$BODY" 'This sign-in link is not valid'
back "$CB" "${XML[@]}"
like "... <problem code=oauth2-state-unknown>" "$BODY" '<problem status="400" code="oauth2-state-unknown"'

# --- bad state
back "${PUBLIC}oauth2/callback?code=abc&state=not-a-state"
is "an unknown state: 400" "$STATUS" 400
back "${PUBLIC}oauth2/callback?code=abc" "${XML[@]}"
like "no state at all: the same" "$BODY" 'code="oauth2-state-unknown"'

# --- a state from another session
hk_sql "DELETE FROM oauth2_tokens"
connect "$A"
CB=$(idp_authorize "$LOC" alice)
SAVED_JAR=$HK_JAR
new_browser
sign_in >/dev/null
back "$CB"
is "a state issued to another session: 400" "$STATUS" 400
like "... says so" "$BODY" 'started by someone else'
HK_JAR=$SAVED_JAR
back "$CB"
is "... and it is spent: its own session cannot use it afterwards" "$STATUS" 400
is "... nothing stored" "$(tokens_rows)" 0

# --- an expired state
connect "$A"
CB=$(idp_authorize "$LOC" alice)
hk_sql "UPDATE oauth2_states SET created_at = created_at - 601"
back "$CB"
is "a state older than 10 minutes: 400" "$STATUS" 400
like "... says it took too long" "$BODY" 'This sign-in took too long'
is "... nothing stored" "$(tokens_rows)" 0

# --- the provider's error
connect "$A"
CB=$(idp_deny "$LOC")
like "the user aborts at the IdP: error=access_denied" "$CB" 'error=access_denied'
back "$CB"
is "the provider's error: the account screen, 400" "$STATUS" 400
like "... saying it in plain language" "$BODY" 'The sign-in at the provider was cancelled, or access was not allowed \(access_denied'
like "... beside the connection state" "$BODY" 'Not connected'
is "... nothing stored" "$(tokens_rows)" 0
back "${PUBLIC}oauth2/callback?error=invalid_scope&error_description=%3Cb%3Ebad%3C%2Fb%3E%0Ascope" "${XML[@]}" \
	--get --data-urlencode "state=x"
like "an error with a bad state is still a bad state" "$BODY" 'code="oauth2-state-unknown"'
connect "$A"
S=$(query_param "$LOC" state)
back "${PUBLIC}oauth2/callback?error=invalid_scope&error_description=%3Cb%3Ebad%3C%2Fb%3E%0Ascope&state=$S" "${XML[@]}"
like "another provider error: shown with its description, as text" "$BODY" \
	'<error field="" code="oauth2.error.provider">The provider refused the connection \(invalid_scope: &lt;b&gt;bad&lt;/b&gt; scope\)'

# --- a token endpoint that hangs, answers garbage or 500
for mode in garbage 500 hang; do
	connect "$A"
	CB=$(idp_authorize "$LOC" alice)
	idp_fault "$mode"
	t0=$SECONDS
	back "$CB" "${XML[@]}" -m 60
	el=$((SECONDS - t0))
	idp_fault off
	case $mode in
	500)  is "a token endpoint answering 500: 502" "$STATUS" 502
	      like "... the account screen says the provider failed" "$BODY" 'code="oauth2.error.token-server">[^<]*HTTP 500' ;;
	hang) is "a token endpoint that hangs: 502 (after $el s)" "$STATUS" 502
	      ok "... once oauth2_timeout (3 s) has passed, not the default 30" test "$el" -ge 2 -a "$el" -le 8
	      like "... the account screen says it did not answer" "$BODY" 'code="oauth2.error.token-conn"' ;;
	*)    is "a token endpoint answering $mode: 502" "$STATUS" 502
	      like "... the account screen says the answer is no OAuth answer" "$BODY" 'code="oauth2.error.token-proto"' ;;
	esac
	is "... nothing stored" "$(tokens_rows)" 0
done

# --- connect for real again, then disconnect
connect "$A"
back "$(idp_authorize "$LOC" alice)"
is "connected again" "$STATUS $(tokens_rows)" "303 1"
req POST "mail-accounts/$A/oauth2/disconnect" "csrf_token=$T"
is "Disconnect: 303" "$STATUS" 303
is "... to the account's edit screen" "$(header Location)" "/mail-accounts/$A/edit"
is "... the tokens are forgotten" "$(tokens_rows)" 0
req GET "mail-accounts/$A/edit" "${XML[@]}"
like "... the account shows connected=false" "$BODY" '<oauth2 connected="false"'
is "... audited" "$(hk_sql "SELECT action FROM audit_log WHERE action LIKE 'oauth2%' ORDER BY id DESC LIMIT 1")" oauth2-disconnect

# --- no connect where there is nothing to connect
connect "$C"
is "Connect on an account of a password server: 409" "$STATUS" 409
like "... saying why" "$BODY" 'does not sign in with OAuth 2.0'
ctl servers change IdP --set oauth2_grant=client_credentials --set oauth2_client_id="$IDP_POST_ID" \
	--client-secret <<<"$IDP_POST_SECRET" >/dev/null
connect "$A"
is "Connect on an app-only server: 409" "$STATUS" 409
like "... saying there is nothing to connect" "$BODY" 'uses app-only access'
req GET "mail-accounts/$A/edit"
unlike "... and the screen offers no Connect" "$BODY" 'oauth2/connect'
# From here on a confidential client: the client secret goes with the code.
ctl servers change IdP --set oauth2_grant=authorization_code --set oauth2_scope="$IDP_SCOPE" >/dev/null

# --- back without the session cookie (SameSite=Strict)
connect "$A"
CB=$(idp_authorize "$LOC" alice)
HK_JAR_SAVED=$HK_JAR
HK_JAR=/dev/null
back "$CB"
is "back without the session cookie: 200, a page of our own" "$STATUS" 200
like "... that reloads the same callback from this site" "$BODY" \
	"<meta http-equiv=\"refresh\" content=\"0;url=/oauth2/callback\\?code=$(query_param "$CB" code)&amp;state=$(query_param "$CB" state)&amp;"
like "... with a Continue link" "$BODY" 'id="oauth2-continue" href="/oauth2/callback\?code='
back "$CB&resumed=1"
is "... still without a session: 303 to sign in" "$STATUS $(header Location)" "303 /login"
is "... and the state is not spent" "$(hk_sql 'SELECT count(*) FROM oauth2_states')" 1
HK_JAR=$HK_JAR_SAVED
back "$CB&resumed=1"
is "with the cookie the resumed callback connects (a confidential client)" "$STATUS $(tokens_rows)" "303 1"

# --- an instance without public_url
hk_instance_stop
unset HK_WANT_PORT
HK_EXTRA_CONF=""
hk_instance_start || { ok "second instance" false; exit 1; }
ctl servers add --set name=IdP --set smtp_host=smtp.example.test \
	--set recv_host=imap.example.test --set oauth2_provider=custom \
	--set oauth2_client_id="$IDP_PUBLIC_ID" --set oauth2_auth_url="$IDP_AUTH_URL" \
	--set oauth2_token_url="$IDP_TOKEN_URL" --set oauth2_scope="$IDP_SCOPE" >/dev/null
ctl accounts add --set name=alice --set address=alice@example.test \
	--set server_id=IdP --set username=alice <<<'Acct-pw-1' >/dev/null
A=$(hk_sql "SELECT id FROM mail_accounts WHERE name='alice'")
new_browser
sign_in >/dev/null
T=$(csrf_now "mail-accounts/$A/edit")
connect "$A"
is "without public_url Connect answers 409" "$STATUS" 409
like "... the account screen saying what to set" "$BODY" 'set public_url in hikyaku.conf'
is "... no state issued" "$(hk_sql 'SELECT count(*) FROM oauth2_states')" 0

hk_instance_stop
idp_stop
done_testing
