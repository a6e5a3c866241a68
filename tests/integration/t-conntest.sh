#!/usr/bin/env bash
# t-conntest.sh - the staged connection test (docs/PROTOCOLS.md) with real mail
# servers on loopback (tests/peers/mailpeers: Dovecot + Postfix), through
# hikyakuctl and through the screens, which must report the same stages.
#
# Covers: POP3 USER/PASS and APOP, IMAP4, SMTP submission with LOGIN,
# PLAIN, CRAM-MD5 and SCRAM-SHA-256, each over plain, STARTTLS and
# implicit TLS; wrong passwords (exit 4, the right stage and field); the
# self-signed certificate (exit 5 with its fingerprint when verified,
# passing when verification is off or the CA is trusted); POP before
# SMTP (refused without, accepted with, including the wait); the SIZE
# warning; the stored last result; the unsaved-form route.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
. "$HK_SRCDIR/tests/lib/mail.sh"

# The SIZE both SMTP ports advertise: 5 MiB, below a 10 MiB send_limit.
hk_mail_start conntest MAILPEERS_MAX_MESSAGE_SIZE=5242880

# stages XML: "end:stage:ok ..." in document order.
stages() {
	grep -oE '<end name="[a-z]+"|<stage name="[a-z-]+" ok="[a-z]+"' | sed -E 's/<end name="([a-z]+)"/\1/; s/<stage name="([a-z-]+)" ok="([a-z]+)"/\1=\2/' | tr '\n' ' ' | sed 's/ $//'
}
# stage_attr XML STAGE ATTR: an attribute of the first stage called STAGE.
stage_attr() {
	grep -oE "<stage name=\"$2\"[^>]*>" | head -1 | grep -oE "$3=\"[^\"]*\"" | sed -E 's/^[^=]+="(.*)"$/\1/'
}

# ---------------------------------------------------------------- set-up
# Twelve servers: every SMTP-AUTH module over every kind of security,
# each with one of the seven ways of receiving.
recv=(
	"recv_protocol=pop3 recv_security=none recv_port=$POP3_PORT"
	"recv_protocol=pop3 recv_security=starttls recv_port=$POP3_PORT"
	"recv_protocol=pop3 recv_security=tls recv_port=$POP3S_PORT"
	"recv_protocol=pop3 recv_security=none recv_port=$POP3_PORT apop=on"
	"recv_protocol=imap4 recv_security=none recv_port=$IMAP_PORT"
	"recv_protocol=imap4 recv_security=starttls recv_port=$IMAP_PORT"
	"recv_protocol=imap4 recv_security=tls recv_port=$IMAPS_PORT"
)
declare -A expect_recv expect_send
i=0
for method in login plain cram-md5 scram-sha-256; do
	for sec in none starttls tls; do
		port=$SUBMISSION_PORT; [ $sec = tls ] && port=$SUBMISSIONS_PORT
		r=${recv[$((i % 7))]}
		# shellcheck disable=SC2086
		mkserver "m-$method-$sec" smtp_auth_method=$method smtp_security=$sec smtp_port=$port $r
		rt=""; [[ $r == *recv_security=none* ]] || rt="tls=true "
		st=""; [ $sec = none ] || st="tls=true "
		expect_recv[m-$method-$sec]="receive resolve=true connect=true ${rt}greeting=true login=true"
		expect_send[m-$method-$sec]="send resolve=true connect=true ${st}greeting=true auth=true relay=true"
		i=$((i + 1))
	done
done
SID=$(server_id m-login-none)
req POST mail-accounts "csrf_token=$CSRF&name=alice&address=$ALICE_ADDR&server_id=$SID&username=$ALICE_USER&password=$ALICE_PASS"
is "the account alice is added through its screen" "$STATUS" 303
AID=$(req GET 'mail-accounts?format=xml'; printf '%s' "$BODY" | grep -oE '<mail-account id="[0-9]+"' | head -1 | tr -dc 0-9)

# ------------------------------------------- the matrix, CLI and screens
for name in $(printf '%s\n' "${!expect_recv[@]}" | sort); do
	out=$($CTL test "$name" --account alice --xml 2>"$HK_DIR/ctl.err"); rc=$?
	want="${expect_recv[$name]} ${expect_send[$name]}"
	is "$name: hikyakuctl test exits 0" "$rc" 0
	[ $rc = 0 ] || sed 's/^/# /' "$HK_DIR/ctl.err"
	is "$name: hikyakuctl reports every stage in order" "$(printf '%s' "$out" | stages)" "$want"
	id=$(server_id "$name")
	# alice's stored password goes only to her own server's hosts and
	# ports: the others are tested with her credentials typed.
	if [ "$id" = "$SID" ]; then creds="account_id=$AID"; else creds="test_user=$ALICE_USER&test_password=$ALICE_PASS&test_address=$ALICE_ADDR"; fi
	req POST "mail-servers/$id/test" "csrf_token=$CSRF&$creds" -H 'Accept: application/xml'
	is "$name: the screen answers 200" "$STATUS" 200
	is "$name: the screen reports the same stages" "$(printf '%s' "$BODY" | stages)" "$want"
done
out=$($CTL test m-login-none --account alice --xml)
like "POP3 USER/PASS: the greeting stage shows the capabilities" "$out" '<capability name="USER"'
like "POP3: the login shows the mailbox" "$out" '<mailbox messages="[0-9]+" size="[0-9]+"/>'
out=$($CTL test m-login-tls --account alice --xml)
like "implicit TLS: the tls stage names the version" "$out" '<version>TLSv1\.[23]</version>'
like "... the certificate's subject" "$out" '<subject>[^<]*CN=localhost[^<]*</subject>'
like "... its SHA-256 fingerprint" "$out" '<sha256>([0-9A-F]{2}:){31}[0-9A-F]{2}</sha256>'
like "... its expiry" "$out" '<not-after>[0-9]{4}-[0-9]{2}-[0-9]{2}T'
like "... and that it was not verified (verification off)" "$out" '<verified>false</verified>'
out=$($CTL test m-plain-none --account alice --xml)
like "APOP server: the greeting stage lists APOP" "$out" '<capability name="APOP"'
out=$($CTL test m-cram-md5-none --account alice --xml)
like "IMAP: the greeting lists IMAP4rev1" "$out" '<capability name="IMAP4rev1"'
like "IMAP: SELECT INBOX gives UIDVALIDITY" "$out" '<mailbox messages="[0-9]+" uidvalidity="[1-9][0-9]*"/>'
like "SMTP: EHLO's AUTH methods are reported" "$out" '<capability name="AUTH">PLAIN LOGIN CRAM-MD5'
like "SMTP: and SIZE" "$out" '<capability name="SIZE">5242880</capability>'

out=$($CTL test m-login-none --account alice); rc=$?
like "the plain-text report has one line per stage" "$out" 'send +auth +ok +[0-9]+ ms  235 '
like "... and ends with the summary" "$(printf '%s\n' "$out" | tail -1)" '^All steps passed\.$'

# --------------------------------------------------------- wrong secrets
out=$(printf 'wrong-secret\n' | $CTL test m-login-none --user "$ALICE_USER" --address "$BOB_ADDR" --xml 2>"$HK_DIR/err"); rc=$?
is "a wrong password exits 4" "$rc" 4
is "... failing the receive login and SMTP AUTH" "$(printf '%s' "$out" | stages)" "receive resolve=true connect=true greeting=true login=false send resolve=true connect=true greeting=true auth=false"
is "... the login points at the test user" "$(printf '%s' "$out" | stage_attr x login field)" test_user
like "... with a plain explanation" "$out" 'code="conntest.login.refused">The server refused the user name or password'
like "... and the server's reply" "$out" '<reply>-ERR \[AUTH\] Authentication failed'
unlike "... the password is never echoed" "$out" 'wrong-secret'
like "... one line on stderr" "$(cat "$HK_DIR/err")" '^hikyakuctl: test m-login-none: Receiving, Sign in: The server refused'

mkserver fixed-bad smtp_credentials=fixed smtp_user=alice smtp_password=not-her-password smtp_auth_method=plain
out=$($CTL test fixed-bad --account alice --xml); rc=$?
is "fixed SMTP credentials with a wrong password exit 4" "$rc" 4
is "... only the send end's auth fails" "$(printf '%s' "$out" | stages)" "receive resolve=true connect=true greeting=true login=true send resolve=true connect=true greeting=true auth=false"
is "... pointing at smtp_password" "$(printf '%s' "$out" | stage_attr x auth field)" smtp_password
like "... with the server's 535" "$out" '<reply>535 '
unlike "... and no secret" "$out" 'not-her-password'

# ------------------------------------------------------------ certificates
mkserver verified recv_security=tls recv_port=$POP3S_PORT recv_tls_verify=on \
	smtp_security=starttls smtp_tls_verify=on smtp_auth_method=cram-md5
out=$($CTL test verified --account alice --xml); rc=$?
is "a self-signed certificate with verification on exits 5" "$rc" 5
is "... failing both tls stages" "$(printf '%s' "$out" | stages)" "receive resolve=true connect=true tls=false send resolve=true connect=true tls=false"
like "... explained as not trusted" "$out" 'code="conntest.tls.untrusted"'
is "... pointing at the verification checkbox" "$(printf '%s' "$out" | stage_attr x tls field)" recv_tls_verify
fp=$(openssl x509 -in "$TLS_CA_FILE" -noout -fingerprint -sha256 | sed 's/^.*=//')
like "... reporting the certificate's fingerprint" "$out" "<sha256>$fp</sha256>"
like "... and why it was refused" "$out" '<verify-error>self-signed certificate</verify-error>'
req POST "mail-servers/$(server_id verified)/test" "csrf_token=$CSRF&test_user=$ALICE_USER&test_password=$ALICE_PASS" -H 'Accept: application/xml'
is "... the screen answers 200 all the same" "$STATUS" 200
like "... with ok=false" "$BODY" '<test-result ok="false" exit="5"'
is "... and the same stages" "$(printf '%s' "$BODY" | stages)" "receive resolve=true connect=true tls=false send resolve=true connect=true tls=false"
out=$(SSL_CERT_FILE=$TLS_CA_FILE $CTL test verified --account alice --xml); rc=$?
is "trusting the CA, the same server passes (chain and IP SAN 127.0.0.1)" "$rc" 0
like "... and says it verified the certificate" "$out" '<verified>true</verified>'
mkserver by-name recv_host=localhost recv_security=tls recv_port=$POP3S_PORT recv_tls_verify=on \
	smtp_host=localhost smtp_security=tls smtp_port=$SUBMISSIONS_PORT smtp_tls_verify=on
is "a DNS name in the certificate verifies too" "$(SSL_CERT_FILE=$TLS_CA_FILE $CTL test by-name --account alice >/dev/null 2>&1; echo $?)" 0
mkserver tls-on-plain smtp_security=tls smtp_port=$SUBMISSION_PORT
out=$($CTL test tls-on-plain --account alice --xml --timeout 5); rc=$?
is "TLS on a plain-text port exits 5" "$rc" 5
like "... explained as a plain-text port" "$out" 'code="conntest.tls.plain-port"'
is "... pointing at smtp_security" "$(printf '%s' "$out" | sed -n '/<end name="send"/,$p' | stage_attr x tls field)" smtp_security
mkserver wrong-port smtp_port=$LMTP_PORT recv_port=$SUBMISSION_PORT
out=$($CTL test wrong-port --account alice --xml --timeout 5); rc=$?
is "a wrong port (POP3 speaking to SMTP) exits 5" "$rc" 5
is "... at the receive greeting" "$(printf '%s' "$out" | stage_attr x greeting field)" recv_port

# -------------------------------------------------------- POP before SMTP
mkserver pbs-off recv_protocol=imap4 recv_port=$IMAP_PORT smtp_port=$PBS_SMTP_PORT smtp_auth=off
"$MP" pbs-reset "$MPDIR" >/dev/null
out=$($CTL test pbs-off --account alice --xml); rc=$?
is "without POP before SMTP the PBS port refuses to relay: exit 4" "$rc" 4
is "... at the relay stage" "$(printf '%s' "$out" | stages)" "receive resolve=true connect=true greeting=true login=true send resolve=true connect=true greeting=true relay=false"
like "... with Postfix's 554" "$out" '<reply>250 [^<]* / 554 5\.7\.1 '
is "... pointing at smtp_auth" "$(printf '%s' "$out" | stage_attr x relay field)" smtp_auth

mkserver pbs-on smtp_port=$PBS_SMTP_PORT smtp_auth=off pop_before_smtp=on pop_before_smtp_wait=1
"$MP" pbs-reset "$MPDIR" >/dev/null
out=$($CTL test pbs-on --account alice --xml); rc=$?
is "with POP before SMTP the same port relays: exit 0" "$rc" 0
is "... with its stage between greeting and relay" "$(printf '%s' "$out" | stages)" "receive resolve=true connect=true greeting=true login=true send resolve=true connect=true greeting=true pop-before-smtp=true relay=true"
ms=$(printf '%s' "$out" | stage_attr x pop-before-smtp ms)
ok "... which includes the 1 s wait (${ms} ms)" test "${ms:-0}" -ge 1000
like "... and says so" "$out" '<wait seconds="1"/>'
like "... after its own POP3 login" "$(printf '%s' "$out" | sed -n '/<stage name="pop-before-smtp"/,/<\/stage>/p')" '<reply>\+OK '
"$MP" pbs-reset "$MPDIR" >/dev/null
out=$(printf 'wrong\n' | $CTL test pbs-on --user "$ALICE_USER" --address "$ALICE_ADDR" --xml); rc=$?
is "POP before SMTP with a wrong password exits 4" "$rc" 4
like "... failing its stage" "$out" '<stage name="pop-before-smtp" ok="false"'

# ------------------------------------------------------------- warnings
mkserver size-warn send_limit=10485760 smtp_auth_method=scram-sha-256
out=$($CTL test size-warn --account alice --xml); rc=$?
is "a server SIZE below send_limit still passes" "$rc" 0
like "... with a warning on send_limit" "$out" '<warning code="conntest.warn.size" field="send_limit">The server accepts messages of at most 5242880 bytes, less than the sending limit of 10485760'

# ------------------------------------------------------ the stored result
$CTL test m-login-none --account alice >/dev/null
is "the last result is stored for the list" \
	"$(hk_sql "SELECT ok, summary FROM server_tests WHERE server_id = $(server_id m-login-none)")" \
	"1|All steps passed."
$CTL test verified --account alice >/dev/null 2>&1
like "... failures with their first failing stage" \
	"$(hk_sql "SELECT ok, summary FROM server_tests WHERE server_id = $(server_id verified)")" \
	'^0\|Receiving, Encryption \(TLS\): The server.s certificate is not trusted'
like "... and the whole XML" \
	"$(hk_sql "SELECT result_xml FROM server_tests WHERE server_id = $(server_id verified)")" \
	'^<test-result ok="false" exit="5"'

# ------------------------------------------------- the screens, more cases
form=$(server_form unsaved smtp_security=starttls smtp_auth_method=cram-md5 \
	recv_protocol=imap4 recv_port=$IMAP_PORT recv_security=starttls)
req POST mail-servers/test "$form&test_user=$ALICE_USER&test_password=$ALICE_PASS&test_address=$BOB_ADDR" -H 'Accept: application/xml'
is "the form's unsaved values test with 200" "$STATUS" 200
like "... and pass" "$BODY" '<test-result ok="true" exit="0"'
like "... marked as not saved" "$BODY" '<mail-server saved="false"><name>unsaved</name>'
unlike "... never echoing the password" "$BODY" "$ALICE_PASS"
# The worker logs every dialogue step, with the secrets blanked out.
log=$(cat "$HK_WORKER_LOG")
like "the worker logs each dialogue step" "$log" "127\.0\.0\.1:$IMAP_PORT > [^ ]+ (CAPABILITY|STARTTLS)"
like "... the login with its password blanked" "$log" "127\.0\.0\.1:$IMAP_PORT > [^ ]+ LOGIN [^ ]+ \*{8}"
unlike "... never the password itself" "$log" "$ALICE_PASS"
unlike "... nor its base64" "$log" "$(printf '%s' "$ALICE_PASS" | base64)"
req POST mail-servers/test "$form" -H 'Accept: application/xml'
is "without credentials: 422" "$STATUS" 422
like "... saying what is missing" "$BODY" '<error field="account_id" code="conntest.error.no-credentials">'
req POST mail-servers/test "$(server_form unsaved smtp_port=0)&test_user=a&test_password=b" -H 'Accept: application/xml'
is "an invalid form: 422 with the field's error" "$STATUS" 422
like "... on smtp_port" "$BODY" '<error field="smtp_port"'
req POST mail-servers/999999/test "csrf_token=$CSRF&account_id=$AID"
is "an unknown server: 404" "$STATUS" 404
req POST "mail-servers/$SID/test" "account_id=$AID"
is "no CSRF token: 403" "$STATUS" 403
id=$(server_id fixed-bad)
req POST "mail-servers/$id/test" "$(server_form fixed-bad smtp_credentials=fixed smtp_user=alice smtp_password= smtp_auth_method=plain)&account_id=$AID" -H 'Accept: application/xml'
like "the change form's values keep the stored SMTP password when left empty" "$BODY" 'code="conntest.auth.refused"'
req POST "mail-servers/$id/test" "$(server_form fixed-bad smtp_credentials=fixed smtp_user=alice smtp_password=$ALICE_PASS smtp_auth_method=plain)&account_id=$AID" -H 'Accept: application/xml'
like "... and use the one entered" "$BODY" '<test-result ok="true"'
req POST "mail-servers/$SID/test" "csrf_token=$CSRF&account_id=$AID"
is "HTML: 200" "$STATUS" 200
like "HTML: the result screen" "$BODY" 'class="alert alert-success test-passed"'
like "HTML: one row per stage" "$BODY" '<tr class="stage stage-relay" data-ok="true">'
like "HTML: the progress script is external" "$BODY" '<script src="/static/conntest.js" defer'
unlike "HTML: no inline script" "$BODY" '<script>'
req POST "mail-servers/$(server_id verified)/test" "csrf_token=$CSRF&test_user=$ALICE_USER&test_password=$ALICE_PASS" -H 'Accept-Language: ja'
like "HTML in Japanese explains the failure from the ja catalogue" "$BODY" 'サーバーの証明書が信頼できません'
like "... naming the field to check" "$BODY" '見直す項目'
req GET static/conntest.js
is "static/conntest.js is served" "$STATUS" 200

# ------------------------- stored secrets stay with the hosts they are for
# A signed-in session (perhaps a stolen cookie) must not be able to send a
# stored password to a host of its choosing: fakepeer plays that host and
# logs every line it reads.
FP=$HK_DIR/fakepeer
ok "fakepeer builds" cc -O1 -o "$FP" "$HK_SRCDIR/tests/fakepeer.c"
printf '%s\n' 'send +OK ready' read 'send +OK\r\nUSER\r\n.' read 'send +OK' read 'send +OK' read 'send +OK 0 0' read 'send +OK' close > "$HK_DIR/evil-pop.fp"
printf '%s\n' 'send 220 evil ESMTP' read 'send 250-evil\r\n250 AUTH PLAIN LOGIN' read 'send 334 VXNlcm5hbWU6' read 'send 334 UGFzc3dvcmQ6' read 'send 235 ok' read 'send 221 bye' close > "$HK_DIR/evil-smtp.fp"
"$FP" -l "$HK_DIR/evil-pop.log" "$HK_DIR/evil-pop.fp" > "$HK_DIR/evil-pop.port" & FP1=$!
"$FP" -l "$HK_DIR/evil-smtp.log" "$HK_DIR/evil-smtp.fp" > "$HK_DIR/evil-smtp.port" & FP2=$!
hk_wait_for test -s "$HK_DIR/evil-pop.port" -a -s "$HK_DIR/evil-smtp.port"
EVIL_POP=$(head -1 "$HK_DIR/evil-pop.port"); EVIL_SMTP=$(head -1 "$HK_DIR/evil-smtp.port")
audit_last() { hk_sql "SELECT actor || '|' || object_type || '|' || coalesce(object_id, 0) || '|' || details FROM audit_log WHERE action = 'test' ORDER BY id DESC LIMIT 1" | tr '\n' ' '; }

req POST mail-servers/test "$(server_form evil recv_port=$EVIL_POP)&account_id=$AID" -H 'Accept: application/xml'
is "an account's stored password with unsaved hosts: 422" "$STATUS" 422
like "... saying it goes only to its own server's hosts" "$BODY" '<error field="account_id" code="conntest.error.account-elsewhere">[^<]*m-login-none'
unlike "... running no test" "$BODY" '<test-result'
req POST "mail-servers/$SID/test" "$(server_form m-login-none recv_port=$EVIL_POP)&account_id=$AID" -H 'Accept: application/xml'
is "... nor as the change form's values of its own server: 422" "$STATUS" 422
ok "the stored password never reached the other host" sh -c "! grep -q '^C: ' '$HK_DIR/evil-pop.log' 2>/dev/null"
like "the refusal is in the audit trail" "$(audit_last)" "^$HK_ADMIN_USER\|mail-server\|$SID\|.*mail account alice.*receive: pop3 127\.0\.0\.1:$EVIL_POP.*outcome: refused, nothing sent"
req POST "mail-servers/$(server_id fixed-bad)/test" "csrf_token=$CSRF&account_id=$AID" -H 'Accept: application/xml'
is "... while a saved server on the same host and port may use it: 200" "$STATUS" 200

id=$(server_id fixed-bad)
req POST "mail-servers/$id/test" "$(server_form fixed-bad smtp_credentials=fixed smtp_user=alice smtp_password= smtp_auth_method=login smtp_port=$EVIL_SMTP)&test_user=$ALICE_USER&test_password=$ALICE_PASS" -H 'Accept: application/xml'
is "a saved server's stored SMTP password with another SMTP port: 422" "$STATUS" 422
like "... asking for it to be typed" "$BODY" "<error field=\"smtp_password\" code=\"conntest.error.smtp-password-elsewhere\">[^<]*127\.0\.0\.1:$SUBMISSION_PORT"
ok "... which never reached the other host" sh -c "! grep -q '^C: ' '$HK_DIR/evil-smtp.log' 2>/dev/null"
like "... audited" "$(audit_last)" "send: smtp 127\.0\.0\.1:$EVIL_SMTP as alice, stored SMTP password.*outcome: refused, nothing sent"
req POST "mail-servers/$id/test" "$(server_form fixed-bad smtp_credentials=fixed smtp_user=alice smtp_password=typed-secret smtp_auth_method=login smtp_port=$EVIL_SMTP recv_port=$EVIL_POP)&test_user=someone&test_password=typed-too" -H 'Accept: application/xml'
is "typed secrets may go anywhere: the test runs (200)" "$STATUS" 200
like "... and is audited as typed, with its hosts and outcome" "$(audit_last)" "user someone, typed password.*receive: pop3 127\.0\.0\.1:$EVIL_POP.*send: smtp 127\.0\.0\.1:$EVIL_SMTP as alice, typed SMTP password.*outcome: (passed|failed)"
unlike "... never a secret" "$(audit_last)" 'typed-secret|typed-too'
kill "$FP1" "$FP2" 2>/dev/null; wait "$FP1" "$FP2" 2>/dev/null

req POST "mail-servers/$SID/test" "csrf_token=$CSRF&account_id=$AID"
like "every screen test is audited: who, server, account, hosts, outcome" "$(audit_last)" "^$HK_ADMIN_USER\|mail-server\|$SID\|settings: saved.*credentials: mail account alice \(id $AID\), stored password.*receive: pop3 127\.0\.0\.1:$POP3_PORT.*send: smtp 127\.0\.0\.1:$SUBMISSION_PORT.*outcome: passed"
$CTL test verified --account alice >/dev/null 2>&1
like "... and every hikyakuctl test" "$(audit_last)" "^hikyakuctl\|mail-server\|$(server_id verified)\|.*outcome: failed \(exit 5\)"

hk_instance_stop
done_testing
