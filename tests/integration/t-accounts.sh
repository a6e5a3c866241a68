#!/usr/bin/env bash
# t-accounts.sh - the mail-account screens (docs/REFERENCE.md)
# and the audit log through a real nginx: every route, status and XML
# shape, validation, the server pulldown in display order, optimistic
# locking, and the audit trail they write.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
trap hk_instance_stop EXIT
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
new_browser
XML=(-H 'Accept: application/xml')
q() { hk_sql "$@"; }
# add_server NAME POSITION: a minimal valid mail server row.
add_server() {
	q "INSERT INTO mail_servers (position, name, smtp_host, smtp_port,
	    smtp_security, smtp_tls_verify, smtp_auth, smtp_auth_method,
	    smtp_credentials, pop_before_smtp, pop_before_smtp_wait, send_limit,
	    recv_protocol, apop, recv_host, recv_port, recv_security,
	    recv_tls_verify, recv_limit, created_at, updated_at)
	    VALUES ($2, '$1', 'smtp.example.jp', 25, 'none', 1, 0, 'login',
	    'account', 0, 0, 0, 'pop3', 0, 'pop.example.jp', 110, 'none', 1, 0,
	    0, 0) RETURNING id;"
}
# server_order: the pulldown's server names, in document order.
server_order() {
	printf '%s' "$BODY" | grep -oE '<mail-server id="[0-9]+"[^>]*><name>[^<]*</name>' |
		sed -E 's/.*<name>([^<]*)<\/name>/\1/' | paste -sd, -
}

# --- signed out
req GET mail-accounts
is "signed out: the list redirects" "$STATUS" 303
is "... to the sign-in screen" "$(header Location)" /login
req GET mail-accounts "${XML[@]}"
is "signed out: XML gets 401" "$STATUS" 401
req GET audit "${XML[@]}"
is "signed out: the audit log gets 401" "$STATUS" 401
req POST mail-accounts "name=x&address=x@example.jp"
is "signed out: a POST without a token is 403" "$STATUS" 403
pre=$(csrf_now login)
req POST mail-accounts "csrf_token=$pre&name=x&address=x@example.jp"
is "signed out: a POST with the sign-in token is sent to sign in" "$STATUS" 303

sign_in
is "signed in" "$STATUS" 303
T=$(csrf_now mail-accounts)

# --- the empty state, without and with servers
req GET mail-accounts "${XML[@]}"
is "the empty list answers 200" "$STATUS" 200
like "... <page screen=mail-accounts>" "$BODY" '<page screen="mail-accounts" lang="en" csrf="[0-9a-f]{64}" base="/">'
like "... an empty <mail-accounts/>" "$BODY" '<mail-accounts/>'
like "... saying there is no server yet" "$BODY" '<server-count>0</server-count>'
req GET mail-accounts
like "the HTML empty state sends the admin to add a server first" "$BODY" 'href="/mail-servers/new"'
like "... and says why" "$BODY" 'needs a mail server'

req GET mail-accounts/new "${XML[@]}"
is "the add form without servers still answers 200" "$STATUS" 200
like "... with an empty <mail-servers/>" "$BODY" '<mail-servers/>'

S1=$(add_server Tokyo 3)
S2=$(add_server Osaka 1)
S3=$(add_server Nagoya 2)
req GET mail-accounts "${XML[@]}"
like "with servers, the empty state offers to add an account" "$BODY" '<server-count>3</server-count>'

# --- the add form
req GET mail-accounts/new "${XML[@]}"
is "GET /mail-accounts/new answers 200" "$STATUS" 200
like "... <page screen=mail-account-form>" "$BODY" '<page screen="mail-account-form"'
like "... an empty <mail-account> with every field" "$BODY" '<mail-account><name></name><address></address><server_id></server_id><username></username><password_set>false</password_set></mail-account>'
like "... the servers with id, version and position" "$BODY" "<mail-server id=\"$S2\" version=\"1\" position=\"1\" oauth2=\"none\" password-optional=\"false\"><name>Osaka</name></mail-server>"
is "... in display order" "$(server_order)" "Osaka,Nagoya,Tokyo"
q "UPDATE mail_servers SET position = CASE id WHEN $S1 THEN 1 WHEN $S2 THEN 3 ELSE 2 END"
req GET mail-accounts/new "${XML[@]}"
is "reordering the servers reorders the pulldown" "$(server_order)" "Tokyo,Nagoya,Osaka"
req GET mail-accounts/new
like "the HTML pulldown follows the display order too" "$(printf '%s' "$BODY" | tr -d '\n')" "<option value=\"\" selected>[^<]*</option><option value=\"$S1\">Tokyo</option><option value=\"$S3\">Nagoya</option><option value=\"$S2\">Osaka</option>"
like "... the password field is a password input, never pre-filled" "$BODY" '<input type="password" id="f-password" name="password" value="" autocomplete="new-password"'

# --- creating
req POST mail-accounts "csrf_token=$T&name=+Support+&address=support@example.jp&server_id=$S1&username=support&password=Pa55+word%21"
is "a valid account is created: 303" "$STATUS" 303
is "... to the list" "$(header Location)" /mail-accounts
A1=$(q "SELECT id FROM mail_accounts WHERE name = 'Support'")
ok "... stored with its name trimmed" test -n "$A1"
is "... its address, server and username" "$(q "SELECT address, server_id, username, version FROM mail_accounts WHERE id = $A1")" "support@example.jp|$S1|support|1"
like "... and its password sealed (hk 1 || nonce || ct || tag)" "$(q "SELECT hex(password) FROM mail_accounts WHERE id = $A1")" '^686B01[0-9A-F]{24}[0-9A-F]{20}[0-9A-F]{32}$'

req POST mail-accounts "name=x&address=x@example.jp&server_id=$S1&username=x&password=x"
is "a POST without csrf_token is 403" "$STATUS" 403
req POST mail-accounts "csrf_token=$(printf '%064d' 0)&name=x&address=x@example.jp&server_id=$S1&username=x&password=x"
is "a POST with a wrong token is 403" "$STATUS" 403
is "... and wrote nothing" "$(q "SELECT count(*) FROM mail_accounts")" 1

req POST mail-accounts "csrf_token=$T&name=&address=not-an-address&server_id=&username=&password=" "${XML[@]}"
is "an invalid form answers 422" "$STATUS" 422
like "... the form again" "$BODY" '<page screen="mail-account-form"'
like "... name required" "$BODY" '<error field="name" code="error.required">'
like "... address malformed" "$BODY" '<error field="address" code="error.address">'
like "... server missing" "$BODY" '<error field="server_id" code="error.server-missing">'
like "... username required" "$BODY" '<error field="username" code="error.required">'
like "... password required on create" "$BODY" '<error field="password" code="error.required">'
like "... the entered values kept" "$BODY" '<address>not-an-address</address>'
like "... and the pulldown still there" "$BODY" '<mail-servers><mail-server'

req POST mail-accounts "csrf_token=$T&name=SUPPORT&address=s2@example.jp&server_id=$S2&username=u&password=secret-one" "${XML[@]}"
is "a name taken (other case) answers 422" "$STATUS" 422
like "... beside the name" "$BODY" '<error field="name" code="error.name-taken">'
unlike "... never echoing the password" "$BODY" 'secret-one'
like "... keeping the other values" "$BODY" "<name>SUPPORT</name><address>s2@example.jp</address><server_id>$S2</server_id><username>u</username>"
req POST mail-accounts "csrf_token=$T&name=%EF%BC%B3upport&address=s2@example.jp&server_id=$S2&username=u&password=p" "${XML[@]}"
is "a full-width variant of a taken name is taken too" "$STATUS" 422

req POST mail-accounts "csrf_token=$T&name=Sales&address=sales@example.jp&server_id=999&username=u&password=p" "${XML[@]}"
is "a server that does not exist answers 422" "$STATUS" 422
like "... beside server_id" "$BODY" '<error field="server_id" code="error.server-missing">'
req POST mail-accounts "csrf_token=$T&name=Sales&address=sales@example.jp&server_id=1x&username=u&password=p" "${XML[@]}"
is "a malformed server_id answers 422" "$STATUS" 422

req POST mail-accounts "csrf_token=$T&name=Evil%0D%0AName&address=e@example.jp&server_id=$S1&username=u%0Ax&password=p%0D%0AQUIT" "${XML[@]}"
is "CR/LF in name, username, password: 422" "$STATUS" 422
like "... name refused" "$BODY" '<error field="name" code="error.encoding">'
like "... username refused" "$BODY" '<error field="username" code="error.encoding">'
like "... password refused" "$BODY" '<error field="password" code="error.encoding">'
req POST mail-accounts "csrf_token=$T&name=Evil&address=e%0D%0A@example.jp&server_id=$S1&username=u&password=p" "${XML[@]}"
is "CR/LF in the address: 422" "$STATUS" 422
req POST mail-accounts "csrf_token=$T&name=Evil&address=e@example.jp&server_id=$S1&username=u&password=p%00" "${XML[@]}"
is "a NUL byte is refused before any handler: 400" "$STATUS" 400
is "none of these wrote anything" "$(q "SELECT count(*) FROM mail_accounts")" 1
long=$(printf 'n%.0s' $(seq 1 101))
req POST mail-accounts "csrf_token=$T&name=$long&address=l@example.jp&server_id=$S1&username=u&password=p" "${XML[@]}"
like "a name over 100 characters: too long" "$BODY" '<error field="name" code="error.too-long">Enter at most 100 characters.</error>'
name100=$(printf '%.0s名' $(seq 1 100))
req POST mail-accounts "csrf_token=$T&name=$name100&address=madoguchi@%E4%BE%8B%E3%81%88.jp&server_id=$S3&username=u&password=p" "${XML[@]}"
like "100 Japanese characters and an internationalised domain are fine" "$STATUS" 303
A2=$(q "SELECT id FROM mail_accounts WHERE name = '$name100'")
like "... the domain stored in A-labels" "$(q "SELECT address FROM mail_accounts WHERE id = $A2")" '@xn--'

# --- the list
req GET mail-accounts "${XML[@]}"
is "the list answers 200" "$STATUS" 200
like "... each account with id, version and its fields" "$BODY" "<mail-account id=\"$A1\" version=\"1\"><name>Support</name><address>support@example.jp</address><server_id>$S1</server_id><server_name>Tokyo</server_name><username>support</username><password_set>true</password_set></mail-account>"
unlike "... never a password" "$BODY" 'Pa55'
req GET mail-accounts
like "the HTML list shows the server's name" "$BODY" '<td data-label="Mail server">Tokyo</td>'
like "... change and delete links" "$BODY" "href=\"/mail-accounts/$A1/edit\".*href=\"/mail-accounts/$A1/delete\""

# --- changing
req GET "mail-accounts/$A1/edit" "${XML[@]}"
is "GET edit answers 200" "$STATUS" 200
like "... with the stored values and version" "$BODY" "<mail-account id=\"$A1\" version=\"1\"><name>Support</name><address>support@example.jp</address><server_id>$S1</server_id><username>support</username><password_set>true</password_set></mail-account>"
req GET "mail-accounts/$A1/edit"
like "the HTML form carries the version" "$BODY" '<input type="hidden" name="version" value="1">'
like "... and selects the stored server" "$BODY" "<option value=\"$S1\" selected>Tokyo</option>"
req GET mail-accounts/999/edit
is "editing an unknown account is 404" "$STATUS" 404
req GET mail-accounts/abc/edit
is "a non-numeric id is 404" "$STATUS" 404

blob0=$(q "SELECT hex(password) FROM mail_accounts WHERE id = $A1")
req POST "mail-accounts/$A1" "csrf_token=$T&version=1&name=Support&address=help@example.jp&server_id=$S2&username=support&password="
is "a change with an empty password: 303" "$STATUS" 303
is "... the values stored, version 2" "$(q "SELECT address, server_id, version FROM mail_accounts WHERE id = $A1")" "help@example.jp|$S2|2"
is "... the stored password kept as it was" "$(q "SELECT hex(password) FROM mail_accounts WHERE id = $A1")" "$blob0"
req POST "mail-accounts/$A1" "csrf_token=$T&version=2&name=Support&address=help@example.jp&server_id=$S2&username=support&password=n3w-secret"
is "a change with a new password: 303" "$STATUS" 303
ok "... the password re-sealed" test "$(q "SELECT hex(password) FROM mail_accounts WHERE id = $A1")" != "$blob0"

# stale version: nothing written, current vs entered
before=$(q "SELECT version, name, address, hex(password) FROM mail_accounts WHERE id = $A1")
req POST "mail-accounts/$A1" "csrf_token=$T&version=1&name=Support+Desk&address=desk@example.jp&server_id=$S3&username=desk&password=other-secret" "${XML[@]}"
is "a stale version answers 409" "$STATUS" 409
is "... and writes nothing" "$(q "SELECT version, name, address, hex(password) FROM mail_accounts WHERE id = $A1")" "$before"
like "... the entered values, with the current version" "$BODY" "<mail-account id=\"$A1\" version=\"3\"><name>Support Desk</name><address>desk@example.jp</address><server_id>$S3</server_id><username>desk</username>"
like "... the stored values beside them" "$BODY" "<current><mail-account id=\"$A1\" version=\"3\"><name>Support</name><address>help@example.jp</address><server_id>$S2</server_id><server_name>Osaka</server_name>"
like "... an error saying so" "$BODY" '<error field="" code="error.account-stale">'
unlike "... never the password" "$BODY" 'other-secret'
req POST "mail-accounts/$A1" "csrf_token=$T&version=1&name=Support+Desk&address=desk@example.jp&server_id=$S3&username=desk&password="
like "the HTML conflict screen compares stored and entered" "$(printf '%s' "$BODY" | tr -d '\n')" '<tr class="differs"><th scope="row">Name</th><td class="stored">Support</td><td class="entered">Support Desk</td></tr>'
req POST "mail-accounts/$A1" "csrf_token=$T&name=Support&address=help@example.jp&server_id=$S2&username=support&password="
is "a change without a version is 400" "$STATUS" 400
req POST "mail-accounts/$A1" "csrf_token=$T&version=3&name=Support&address=bad@&server_id=$S2&username=support&password=" "${XML[@]}"
is "an invalid change answers 422" "$STATUS" 422
like "... keeping id and version" "$BODY" "<mail-account id=\"$A1\" version=\"3\"><name>Support</name><address>bad@</address>"
like "... and password_set" "$BODY" '<password_set>true</password_set>'
req POST "mail-accounts/$A1" "csrf_token=$T&version=3&name=${name100}&address=help@example.jp&server_id=$S2&username=support&password=" "${XML[@]}"
is "renaming onto another account's name: 422" "$STATUS" 422
like "... name-taken" "$BODY" '<error field="name" code="error.name-taken">'
req POST mail-accounts/999 "csrf_token=$T&version=1&name=X&address=x@example.jp&server_id=$S2&username=x&password="
is "changing an unknown account is 404" "$STATUS" 404
req POST "mail-accounts/$A1" "version=3&name=X&address=x@example.jp&server_id=$S2&username=x&password="
is "a change without csrf_token is 403" "$STATUS" 403

# --- deleting
req GET "mail-accounts/$A2/delete" "${XML[@]}"
is "the delete confirmation answers 200" "$STATUS" 200
like "... <page screen=mail-account-delete> with the account" "$BODY" "<page screen=\"mail-account-delete\".*<mail-account id=\"$A2\" version=\"1\">"
req GET "mail-accounts/$A2/delete"
like "the HTML confirmation posts to the delete route" "$BODY" "action=\"/mail-accounts/$A2/delete\""
req GET mail-accounts/999/delete
is "confirming an unknown account is 404" "$STATUS" 404
req POST "mail-accounts/$A2/delete" "version=1"
is "a delete without csrf_token is 403" "$STATUS" 403
req POST "mail-accounts/$A2/delete" "csrf_token=$T&version=7" "${XML[@]}"
is "a delete with a stale version is 409" "$STATUS" 409
like "... showing the confirmation again" "$BODY" '<page screen="mail-account-delete"'
is "... and deletes nothing" "$(q "SELECT count(*) FROM mail_accounts WHERE id = $A2")" 1
req POST "mail-accounts/$A2/delete" "csrf_token=$T&version=1"
is "the delete answers 303" "$STATUS" 303
is "... to the list" "$(header Location)" /mail-accounts
is "... and the account is gone" "$(q "SELECT count(*) FROM mail_accounts WHERE id = $A2")" 0
req POST "mail-accounts/$A2/delete" "csrf_token=$T&version=1"
is "deleting it again is 404" "$STATUS" 404
req GET "mail-accounts/$A2/edit"
is "... and so is editing it" "$STATUS" 404
req PUT mail-accounts
is "an unsupported method is 405" "$STATUS" 405

# --- the audit trail
req GET audit "${XML[@]}"
is "the audit log answers 200" "$STATUS" 200
like "... <page screen=audit>" "$BODY" '<page screen="audit"'
like "... paged" "$BODY" '<audit-log page="1" pages="1" per-page="50" total="5">'
entries=$(printf '%s' "$BODY" | grep -oE '<action>[a-z-]+</action>' | sed -E 's/<\/?action>//g' | paste -sd, -)
is "... newest first" "$entries" "delete,update,update,create,create"
like "... who and when (ISO 8601)" "$BODY" "<audit-entry id=\"[0-9]+\"><at>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z</at><actor>$HK_ADMIN_USER</actor><action>delete</action><object type=\"mail-account\" id=\"$A2\">"
like "... what changed" "$BODY" 'server: Tokyo -&gt; Osaka'
like "... a new password only as (changed)" "$BODY" 'password: \(changed\)'
unlike "... never a password" "$BODY" 'Pa55|n3w-secret|other-secret|secret-one'
is "the audit rows match: one per write" "$(q "SELECT count(*) FROM audit_log WHERE object_type = 'mail-account'")" 5

q "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
   INSERT INTO audit_log (at, actor, action, object_type, object_id, object_name, details)
   SELECT 1000000000 + i, 'old', 'update', 'mail-server', 1, 'Old ' || i, NULL FROM n"
req GET audit "${XML[@]}"
like "125 entries make 3 pages" "$BODY" '<audit-log page="1" pages="3" per-page="50" total="125">'
is "... 50 on the first" "$(printf '%s' "$BODY" | grep -o '<audit-entry ' | wc -l)" 50
req GET 'audit?page=3' "${XML[@]}"
is "... 25 on the last" "$(printf '%s' "$BODY" | grep -o '<audit-entry ' | wc -l)" 25
like "... ending with the oldest" "$BODY" '<object type="mail-server" id="1">Old 1</object><details></details></audit-entry></audit-log>'
req GET 'audit?page=2'
like "the HTML pager links both ways" "$BODY" 'href="/audit\?page=1".*Page 2 of 3.*href="/audit\?page=3"'
like "times show in UTC" "$BODY" '<time datetime="2001-09-09T01:4[6-8]:[0-9]{2}Z"'
req GET 'audit?page=4'
is "a page past the end is 404" "$STATUS" 404
req GET 'audit?page=0'
is "page 0 is 404" "$STATUS" 404
req GET 'audit?page=x1'
is "a malformed page is 404" "$STATUS" 404

# --- Japanese
req GET mail-accounts -H 'Accept-Language: ja'
like "the list in Japanese" "$BODY" '<title>メールアカウント · hikyaku</title>'
req GET "mail-accounts/$A1/edit" -H 'Accept-Language: ja'
like "the form in Japanese" "$BODY" 'パスワードは保存済みです'
req GET audit -H 'Accept-Language: ja'
like "the audit log in Japanese" "$BODY" '操作ログ'
like "... actions translated" "$BODY" '<td data-label="操作">削除</td>'

unlike "the worker log never holds a password" "$(cat "$HK_WORKER_LOG")" 'Pa55|n3w-secret|other-secret|secret-one'
hk_instance_stop
done_testing
