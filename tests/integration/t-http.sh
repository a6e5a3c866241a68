#!/usr/bin/env bash
# t-http.sh - the HTTP contract of docs/REFERENCE.md through a real nginx:
# HTML vs XML, sign-in, sessions, CSRF, cookies, headers, language,
# routing errors and hostile input.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/serverpages.sh"
trap hk_instance_stop EXIT
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
new_browser

# --- the sign-in screen, as HTML and as XML
req GET login
is "GET /login answers 200" "$STATUS" 200
like "GET /login is HTML" "$(header Content-Type)" '^text/html; charset=utf-8'
like "the login form carries a CSRF token" "$BODY" 'name="csrf_token" value="[0-9a-f]{64}"'
like "a pre-session cookie is HttpOnly and SameSite=Strict" "$(header Set-Cookie)" '^hikyaku_pre=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict$'
csp=$(header Content-Security-Policy)
like "CSP forbids anything not from self" "$csp" "default-src 'none'; .*script-src 'self'"
unlike "CSP allows no inline script or style" "$csp" "unsafe-inline|unsafe-eval"
is "X-Content-Type-Options" "$(header X-Content-Type-Options)" nosniff
is "frame protection" "$(header X-Frame-Options)" DENY
like "frame-ancestors too" "$csp" "frame-ancestors 'none'"

req GET login -H 'Accept: application/xml'
like "Accept: application/xml gives XML" "$(header Content-Type)" '^application/xml'
like "the XML is <page screen=login csrf=...>" "$BODY" '<page screen="login" lang="en" csrf="[0-9a-f]{64}" base="/">'
pre_csrf=$(csrf_of)
req GET 'login?format=xml'
like "?format=xml gives XML" "$BODY" '^<\?xml version="1.0" encoding="UTF-8"\?>'
is "the pre-session CSRF token is stable for one browser" "$(csrf_of)" "$pre_csrf"
req GET login -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
like "a browser's Accept gives HTML" "$(header Content-Type)" '^text/html'
req GET login -H 'Accept: application/xml' -H 'Accept-Language: ja-JP,ja;q=0.9,en;q=0.5'
like "Accept-Language ja gives lang=ja" "$BODY" 'lang="ja"'
req GET login -H 'Accept-Language: ja'
like "the Japanese login screen" "$BODY" '<html lang="ja"'

# --- nginx's own answers (as set up by scripts/demo, from the nginx
# sample): the worker's security headers, once, and no version
server_pages "$HK_URL" 400 405 414 400 404

# --- signed out: screens redirect, XML gets 401
req GET mail-servers
is "signed out: a screen redirects" "$STATUS" 303
is "... to the login screen" "$(header Location)" /login
req GET mail-servers -H 'Accept: application/xml'
is "signed out: XML gets 401" "$STATUS" 401
req POST logout ""
is "signed out: a POST without csrf_token is 403" "$STATUS" 403
req POST preferences/lang "lang=ja" -H 'Accept: application/xml'
is "signed out: an XML POST without csrf_token is 403 too" "$STATUS" 403
req GET ''
is "the base redirects to the list" "$(header Location)" /mail-servers
req GET ''
is "the base is a redirect, not a page" "$STATUS" 303

# --- CSRF on sign-in
req POST login "user=$HK_ADMIN_USER&password=$HK_ADMIN_PASS"
is "sign-in without csrf_token is 403" "$STATUS" 403
req POST login "csrf_token=$(printf '%064d' 0)&user=$HK_ADMIN_USER&password=$HK_ADMIN_PASS"
is "sign-in with a wrong csrf_token is 403" "$STATUS" 403
jar=$HK_JAR; new_browser; other_csrf=$(csrf_now login); HK_JAR=$jar
req POST login "csrf_token=$other_csrf&user=$HK_ADMIN_USER&password=$HK_ADMIN_PASS"
is "another browser's token is 403" "$STATUS" 403

# --- wrong password, then right
req POST login "csrf_token=$pre_csrf&user=$HK_ADMIN_USER&password=wrong-password" -H 'Accept: application/xml'
is "a wrong password re-renders the form with 422" "$STATUS" 422
like "... with the error" "$BODY" '<error field="" code="error.login.failed">[^<]+</error>'
like "... keeping the user name" "$BODY" "<login user=\"$HK_ADMIN_USER\"/>"
unlike "... never echoing the password" "$BODY" 'wrong-password'
req POST login "csrf_token=$pre_csrf&user=$HK_ADMIN_USER&password=$HK_ADMIN_PASS"
is "the right password signs in with 303" "$STATUS" 303
is "... to the list" "$(header Location)" /mail-servers
cookies=$(printf '%s\n' "$HEADERS" | grep -i '^Set-Cookie: hikyaku_session=')
like "the session cookie is HttpOnly; SameSite=Strict" "$cookies" 'hikyaku_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict'
unlike "... and not Secure over plain HTTP" "$cookies" Secure
like "the pre-session cookie is dropped" "$HEADERS" 'hikyaku_pre=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0'

req GET mail-servers -H 'Accept: application/xml'
is "signed in: the list answers 200" "$STATUS" 200
like "the list is <page screen=mail-servers>" "$BODY" '<page screen="mail-servers" lang="en" csrf="[0-9a-f]{64}" base="/">'
like "... with an empty <mail-servers>" "$BODY" '<mail-servers/>'
like "... and the admin" "$BODY" "<admin name=\"$HK_ADMIN_USER\" lang-override=\"\"/>"
session_csrf=$(csrf_of)
ok "a new CSRF token is issued at sign-in" test "$session_csrf" != "$pre_csrf"
req GET mail-servers
like "the list as HTML" "$BODY" '<html lang="en"'
is "signed in: /login redirects to the list" "$(req GET login; header Location)" /mail-servers

# --- language preference per administrator
req POST preferences/lang "csrf_token=$session_csrf&lang=ja"
is "the language switch answers 303" "$STATUS" 303
req GET mail-servers -H 'Accept: application/xml' -H 'Accept-Language: en'
like "the override beats Accept-Language" "$BODY" 'lang="ja"'
like "... and is shown" "$BODY" 'lang-override="ja"'
req POST preferences/lang "csrf_token=$session_csrf&lang=xx"
is "an unknown language is 400" "$STATUS" 400
req POST preferences/lang "csrf_token=$session_csrf&lang="
req GET mail-servers -H 'Accept: application/xml' -H 'Accept-Language: en'
like "an empty choice follows the browser again" "$BODY" 'lang="en"'

# --- routing errors
req GET no-such-screen
is "an unknown route is 404" "$STATUS" 404
like "... with the error screen" "$BODY" '<html'
req GET no-such-screen -H 'Accept: application/xml'
like "... which still knows who is signed in" "$BODY" "<admin name=\"$HK_ADMIN_USER\""
req DELETE login
is "a wrong method is 405" "$STATUS" 405
is "... naming the allowed ones" "$(header Allow)" "GET, POST"
req GET 'static/../hikyaku.db'
is "path tricks are 404" "$STATUS" 404
req GET 'mail-servers%2F..%2Fx'
is "encoded slashes are 404" "$STATUS" 404

# --- hostile input: a clear 4xx, nothing stored
req GET 'mail-servers?a=%zz'
is "a malformed query escape is 400" "$STATUS" 400
req GET 'mail-servers?a=%00'
is "a NUL in the query is 400" "$STATUS" 400
req POST preferences/lang "csrf_token=$session_csrf&lang=%C0%AF"
is "invalid UTF-8 in a form is 400" "$STATUS" 400
CT=text/plain req POST preferences/lang "csrf_token=$session_csrf&lang=ja"
is "a body that is not a form is 415" "$STATUS" 415
big=$HK_DIR/big.form
{ printf 'csrf_token=%s&lang=ja&pad=' "$session_csrf"; head -c 1100000 /dev/zero | tr '\0' a; } > "$big"
req POST preferences/lang "@$big"
is "a body over max_body is 413" "$STATUS" 413
req GET mail-servers -H 'Accept: application/xml' -H 'Accept-Language: en'
like "... and nothing was stored" "$BODY" 'lang-override=""'
jar=$HK_JAR; new_browser
req GET mail-servers -H "Cookie: hikyaku_session=$(printf 'Z%.0s' $(seq 64))"
is "a garbage session cookie is just signed out" "$STATUS" 303
HK_JAR=$jar

# --- static files
req GET static/hikyaku.css
is "the CSS is served" "$STATUS" 200
like "... as text/css" "$(header Content-Type)" '^text/css'
etag=$(header ETag)
req GET static/hikyaku.css -H "If-None-Match: $etag"
is "... and revalidated with 304" "$STATUS" 304

# --- sign-out
req POST logout "csrf_token=wrong"
is "sign-out without the token is 403" "$STATUS" 403
req POST logout "csrf_token=$session_csrf"
is "sign-out answers 303" "$STATUS" 303
is "... to the login screen" "$(header Location)" /login
req GET mail-servers
is "after sign-out the session is gone" "$STATUS" 303

# --- throttling of failed sign-ins
new_browser
t=$(csrf_now login)
for i in 1 2 3 4 5; do
	req POST login "csrf_token=$t&user=mallory&password=guess-$i"
done
is "the fifth failure is still a plain 422" "$STATUS" 422
req POST login "csrf_token=$t&user=mallory&password=guess-6"
is "the sixth attempt is throttled with 429" "$STATUS" 429
sleep 2.2
req POST login "csrf_token=$t&user=mallory&password=guess-7"
is "after the wait, one more try is let through" "$STATUS" 422
req POST login "csrf_token=$t&user=mallory&password=guess-8"
is "... then it waits longer" "$STATUS" 429
like "... with Retry-After" "$(header Retry-After)" '^[0-9]+$'
like "... and says so" "$BODY" 'Too many|too many'
req POST login "csrf_token=$t&user=$HK_ADMIN_USER&password=$HK_ADMIN_PASS"
is "another user from the same address still signs in" "$STATUS" 303

hk_instance_stop
done_testing
