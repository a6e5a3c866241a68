#!/usr/bin/env bash
# t-throttle.sh - sign-in throttling through a real nginx, with clients on
# different loopback addresses (127.0.0.2, 127.0.0.3, ... are all the
# machine; nginx passes each as REMOTE_ADDR): guessing from one address is
# slowed, guessing from many addresses is slowed, and the administrator
# signs in from an address that was not guessing, during both attacks.
# The numbers are throttle.h's: 5 free failures per name and address,
# 20 per address, 50 per name, from addresses that failed twice for it.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
trap hk_instance_stop EXIT
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }

if ! curl -s -o /dev/null --interface 127.0.0.2 "${HK_URL}login"; then
	echo "ok 1 # SKIP cannot send from 127.0.0.2"
	done_testing
	exit 0
fi

# attempt ADDR USER PASSWORD: one sign-in from ADDR, in the attacker's
# browser (its pre-session token stays valid); sets STATUS, HEADERS.
new_browser
ATTACKER_JAR=$HK_JAR
TOKEN=$(csrf_now login)
attempt() {
	HK_JAR=$ATTACKER_JAR
	req POST login "csrf_token=$TOKEN&user=$2&password=$3" --interface "$1"
}
# admin_from ADDR: the administrator, in a browser of their own, with the
# right password.
admin_from() {
	new_browser
	local token
	token=$(csrf_now login)
	req POST login "csrf_token=$token&user=$HK_ADMIN_USER&password=$HK_ADMIN_PASS" \
		--interface "$1"
}

# --- one address guessing
codes=
for i in 1 2 3 4 5; do
	attempt 127.0.0.2 "$HK_ADMIN_USER" "guess-$i"
	codes="$codes $STATUS"
done
is "five wrong passwords from one address: 422 each" "$codes" " 422 422 422 422 422"
# The waits double: 2 s after the 5th failure, 4 s after the 6th, 8 s
# after the 7th (which leaves the checks below room on a busy machine).
sleep 2.2
attempt 127.0.0.2 "$HK_ADMIN_USER" guess-6
is "after 2 s the next guess is heard (422)" "$STATUS" 422
sleep 4.2
attempt 127.0.0.2 "$HK_ADMIN_USER" guess-7
is "after 4 more the next (422)" "$STATUS" 422
attempt 127.0.0.2 "$HK_ADMIN_USER" guess-8
is "then at once: slowed, 429" "$STATUS" 429
like "... with Retry-After, up to 8 s" "$(header Retry-After)" '^[1-8]$'
attempt 127.0.0.2 "$HK_ADMIN_USER" "$HK_ADMIN_PASS"
is "... even with the right password (nothing to learn from a guess)" "$STATUS" 429
like "the worker logged which counter held it back" "$(cat "$HK_WORKER_LOG")" \
	"sign-in of '$HK_ADMIN_USER' from 127.0.0.2 refused: throttled by the name\\+address counter"
admin_from 127.0.0.3
is "meanwhile the administrator signs in from another address: 303" "$STATUS" 303
is "... to the list" "$(header Location)" /mail-servers
attempt 127.0.0.2 nobody-else wrong
is "the guessing address may still try other names (below its own limit)" "$STATUS" 422

# --- many addresses guessing, each only twice (below its own limits):
# 7 failures so far for the name, 46 more from 23 addresses make 53, so
# the name's wait is 2^(53-50+1) = 16 s.
codes=
for n in $(seq 10 32); do
	for k in 1 2; do
		attempt "127.0.0.$n" "$HK_ADMIN_USER" "spread-$n-$k"
		codes="$codes$STATUS "
	done
done
like "46 wrong passwords from 23 addresses: each 422" "$codes" '^(422 ){46}$'
attempt 127.0.0.10 "$HK_ADMIN_USER" spread-again
is "then a third attempt from any of those addresses is slowed: 429" "$STATUS" 429
like "... with Retry-After, up to 16 s" "$(header Retry-After)" '^([1-9]|1[0-6])$'
attempt 127.0.0.32 "$HK_ADMIN_USER" "$HK_ADMIN_PASS"
is "... the right password from one of them too" "$STATUS" 429
like "... held back by the name's counter" "$(cat "$HK_WORKER_LOG")" \
	"from 127.0.0.10 refused: throttled by the name counter"
attempt 127.0.0.40 "$HK_ADMIN_USER" fresh-1
is "a fresh address gets one guess: 422" "$STATUS" 422
attempt 127.0.0.40 "$HK_ADMIN_USER" fresh-2
is "... and a second (a typo is forgiven): 422" "$STATUS" 422
attempt 127.0.0.40 "$HK_ADMIN_USER" fresh-3
is "... then it is slowed like the others: 429" "$STATUS" 429
admin_from 127.0.0.41
is "the administrator still signs in from an address that was not guessing: 303" "$STATUS" 303

# --- the log and the audit trail
like "the onset is logged" "$(cat "$HK_WORKER_LOG")" \
	"sign-in throttling: 50 failures for name '$HK_ADMIN_USER' from 127.0.0.31"
req GET 'audit?format=xml'
is "the audit trail (as the administrator): 200" "$STATUS" 200
like "... records the name+address onset" "$BODY" \
	"<actor>127.0.0.2</actor><action>throttle</action><object type=\"sign-in\">$HK_ADMIN_USER</object><details>counter: name\\+address"
like "... and the name's" "$BODY" \
	"<actor>127.0.0.31</actor><action>throttle</action><object type=\"sign-in\">$HK_ADMIN_USER</object><details>counter: name"

hk_instance_stop
done_testing
