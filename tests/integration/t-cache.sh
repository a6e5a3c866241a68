#!/usr/bin/env bash
# t-cache.sh - the rendered-page cache (src/lib-web/pagecache.h) through a real
# nginx with two workers: two signed-in admins never see each other's CSRF
# token or name; every kind of write (through the screens, by hikyakuctl,
# by SQL from outside) shows on the next list from both workers; the
# language is part of the key; a page from the cache is byte for byte a
# fresh rendering.
set -u
. "$HK_SRCDIR/tests/lib/tap.sh"
. "$HK_SRCDIR/tests/lib/instance.sh"
. "$HK_SRCDIR/tests/lib/http.sh"
HK_WORKERS=2
HK_ADMIN_USER=alice.cache
NB=bob-two@example.jp
PB=another-long-password
trap hk_instance_stop EXIT
hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
CTL=("$HK_PREFIX/bin/hikyakuctl" --config "$HK_CONFIG")
LOG=$HK_WORKER_LOG
NA=$HK_ADMIN_USER
printf '%s\n' "$PB" | "${CTL[@]}" admin add "$NB" >/dev/null

sql() { hk_sql "$@"; }

# Two browsers, one per admin.
new_browser; JA=$HK_JAR; sign_in >/dev/null
req GET 'mail-servers?format=xml'; TA=$(csrf_of)
new_browser; JB=$HK_JAR; sign_in "$NB" "$PB" >/dev/null
req GET 'mail-servers?format=xml'; TB=$(csrf_of)
ok "two sessions with two different tokens" test -n "$TA" -a -n "$TB" -a "$TA" != "$TB"
is "XML is never answered from the cache" "$(header X-Hikyaku-Cache)" ""

# The request lines the workers log, to tell which worker answered.
logged() { grep -cE '\[[0-9]+\] [a-z]+: [A-Z]+ /' "$LOG"; }
logged_more() { [ "$(logged)" -gt "$1" ]; }
# fetch JAR PATH [curl args]: GET with that browser; sets BODY, STATUS,
# CACHE (the X-Hikyaku-Cache header) and PID (the worker that answered).
fetch() {
	local jar=$1 path=$2 n
	shift 2
	n=$(logged)
	HK_JAR=$jar
	req GET "$path" "$@"
	CACHE=$(header X-Hikyaku-Cache)
	hk_wait_for logged_more "$n"
	PID=$(grep -E '\[[0-9]+\] [a-z]+: [A-Z]+ /' "$LOG" | tail -1 | sed -E 's/^[^[]*\[([0-9]+)\].*/\1/')
}
# own TOKEN NAME OTHER-TOKEN OTHER-NAME: BODY is this session's page only:
# its token in every form, its name, nothing of the other session's, and
# no other long hex string (a placeholder left in).
own() {
	[ "$STATUS" = 200 ] &&
	[ "$(printf '%s' "$BODY" | grep -oE 'name="csrf_token" value="[^"]*"' | sort -u)" = "name=\"csrf_token\" value=\"$1\"" ] &&
	[[ $BODY == *"$2"* ]] && [[ $BODY != *"$3"* ]] && [[ $BODY != *"$4"* ]] &&
	[ -z "$(printf '%s' "$BODY" | grep -oE '[0-9a-f]{24,}' | grep -vx "$1")" ]
}
fetch_a() { fetch "$JA" "$@"; own "$TA" "$NA" "$TB" "$NB"; }
fetch_b() { fetch "$JB" "$@"; own "$TB" "$NB" "$TA" "$NA"; }

# warm PATH: lists until both workers have answered from the cache.
warm() {
	local -A hit=()
	for _ in $(seq 1 80); do
		fetch_a "$1" >/dev/null; [ "$CACHE" = hit ] && hit[$PID]=1
		fetch_b "$1" >/dev/null; [ "$CACHE" = hit ] && hit[$PID]=1
		[ ${#hit[@]} -ge 2 ] && break
	done
	is "$2: both workers answer $1 from the cache" "${#hit[@]}" 2
}
# sweep DESC REGEX [PATH]: right after a write, lists (both sessions
# alternately) until each worker has answered at least twice: every page
# shows REGEX and is its session's own; each worker's first is rendered
# afresh, and later ones come from the cache again.
sweep() {
	local desc=$1 re=$2 path=${3:-mail-servers} bad=0 stale=0 fresh=0 hits=0 i
	local -A seen=()
	for i in $(seq 1 80); do
		if (( i % 2 )); then fetch_a "$path" || bad=$((bad + 1))
		else fetch_b "$path" || bad=$((bad + 1)); fi
		printf '%s' "$BODY" | grep -Eq -- "$re" || stale=$((stale + 1))
		if [ -z "${seen[$PID]:-}" ]; then
			[ "$CACHE" = miss ] || fresh=$((fresh + 1))
		else
			[ "$CACHE" = hit ] && hits=$((hits + 1))
		fi
		seen[$PID]=$(( ${seen[$PID]:-0} + 1 ))
		if [ ${#seen[@]} -ge 2 ]; then
			local min=99 w
			for w in "${!seen[@]}"; do (( seen[$w] < min )) && min=${seen[$w]}; done
			(( min >= 2 )) && break
		fi
	done
	is "$desc: both workers answered" "${#seen[@]}" 2
	is "$desc: every page shows it" "$stale" 0
	is "$desc: every page carries only its own session's token and name" "$bad" 0
	is "$desc: each worker's first page after it was rendered afresh" "$fresh" 0
	ok "$desc: ... and later ones came from the cache" test "$hits" -gt 0
}

# A complete valid server form; NAME=VALUE arguments override.
form() {
	local -A f=(
		[name]=Cache-One [smtp_host]=127.0.0.1 [smtp_port]=1
		[smtp_security]=none [smtp_tls_verify]=on [smtp_auth_method]=plain
		[smtp_credentials]=account [pop_before_smtp_wait]=0 [send_limit]=0
		[recv_protocol]=pop3 [recv_host]=127.0.0.1 [recv_port]=1
		[recv_security]=none [recv_tls_verify]=on [recv_limit]=0
	)
	local kv out="csrf_token=$TA"
	for kv in "$@"; do f[${kv%%=*}]=${kv#*=}; done
	for kv in "${!f[@]}"; do out+="&$kv=${f[$kv]}"; done
	printf '%s' "$out"
}
sid() { sql "SELECT id FROM mail_servers WHERE name = '$1'"; }
ver() { sql "SELECT version FROM mail_servers WHERE id = $1"; }

# ------------------------------------------------ two sessions, many lists
HK_JAR=$JA; req POST mail-servers "$(form)"
is "a server is added" "$STATUS" 303
S1=$(sid Cache-One)
bad=0; hits_a=0; hits_b=0
for _ in $(seq 1 20); do
	fetch_a mail-servers || bad=$((bad + 1)); [ "$CACHE" = hit ] && hits_a=$((hits_a + 1))
	fetch_b mail-servers || bad=$((bad + 1)); [ "$CACHE" = hit ] && hits_b=$((hits_b + 1))
done
is "40 lists, alternately: each carries only its own token and name" "$bad" 0
ok "... the first admin's lists came from the cache ($hits_a of 20)" test "$hits_a" -gt 10
ok "... and the second's ($hits_b of 20)" test "$hits_b" -gt 10
is "a page from the cache is still no-store" "$(header Cache-Control)" no-store

# -------------------------------------- a hit is byte for byte a fresh render
# A query the list does not read makes its own key: its first answer is
# rendered afresh for this session.
fetch_b "mail-servers?fresh=$RANDOM$RANDOM"
is "a new key is a miss" "$CACHE" miss
fresh_b=$BODY
for _ in $(seq 1 10); do fetch_b mail-servers; [ "$CACHE" = hit ] && break; done
is "the second admin gets the list from the cache" "$CACHE" hit
ok "... identical to a fresh render for that session" test "$BODY" = "$fresh_b"
fetch_a "mail-servers?fresh=$RANDOM$RANDOM"; fresh_a=$BODY
for _ in $(seq 1 10); do fetch_a mail-servers; [ "$CACHE" = hit ] && break; done
ok "... and for the first admin" test "$CACHE" = hit -a "$BODY" = "$fresh_a"

# --------------------------------------------------- writes through screens
warm mail-servers "before adding"
HK_JAR=$JA; req POST mail-servers "$(form name=Cache-Two smtp_port=2)"
is "a second server is added" "$STATUS" 303
S2=$(sid Cache-Two)
sweep "after adding a server" 'Cache-One.*Cache-Two'

warm mail-servers "before changing"
HK_JAR=$JA; req POST "mail-servers/$S1" "$(form name=Cache-Renamed)&version=$(ver "$S1")"
is "the first server is changed" "$STATUS" 303
sweep "after changing a server" 'Cache-Renamed'

warm mail-servers "before reordering"
HK_JAR=$JA; req POST mail-servers/order "csrf_token=$TA&order=$S2&order=$S1"
is "the servers are reordered" "$STATUS" 303
sweep "after reordering" 'Cache-Two.*Cache-Renamed'

warm mail-servers/new "before adding an account"
warm mail-accounts "before adding an account"
HK_JAR=$JA; req POST mail-accounts "csrf_token=$TA&name=cache-acct&address=acct@example.jp&server_id=$S2&username=u&password=pw"
is "an account is added" "$STATUS" 303
sweep "after adding an account, the account list" 'cache-acct' mail-accounts
sweep "after adding an account, the server form's test part" 'cache-acct' mail-servers/new

# ------------------------------------------------- writes by other processes
warm mail-servers "before an outside SQL write"
sql "UPDATE mail_servers SET name = 'Outside-Edit' WHERE id = $S2"
sweep "after an UPDATE by SQL from outside" 'Outside-Edit'

warm mail-servers "before hikyakuctl test"
ok "no test result shown yet" test "$(printf '%s' "$BODY" | grep -c 'badge bad')" = 0
printf 'pw\n' | timeout 60 "${CTL[@]}" test Cache-Renamed --user u >/dev/null 2>&1
is "hikyakuctl test stored a result" "$(sql "SELECT count(*) FROM server_tests WHERE server_id = $S1")" 1
sweep "after hikyakuctl test" 'badge bad'

# --------------------------------------------------------------- deleting
warm mail-servers "before deleting"
HK_JAR=$JA; req POST "mail-servers/$S1/delete" "csrf_token=$TA"
is "the first server is deleted" "$STATUS" 303
sweep "after deleting a server" 'Outside-Edit'
unlike "... the deleted one is gone" "$BODY" 'Cache-Renamed'

# --------------------------------------------------------------- languages
bad=0
for _ in $(seq 1 6); do
	fetch_a mail-servers -H 'Accept-Language: ja' || bad=$((bad + 1))
	[[ $BODY == *'<html lang="ja"'* ]] || bad=$((bad + 1))
	fetch_b mail-servers -H 'Accept-Language: en' || bad=$((bad + 1))
	[[ $BODY == *'<html lang="en"'* ]] || bad=$((bad + 1))
done
is "Accept-Language ja and en, alternately: each list in its language" "$bad" 0
fetch_b mail-servers -H 'Accept-Language: ja'
like "... the same admin switching browsers gets Japanese" "$BODY" '<html lang="ja"'

HK_JAR=$JA; req POST preferences/lang "csrf_token=$TA&lang=ja"
is "the first admin chooses Japanese" "$STATUS" 303
bad=0
for _ in $(seq 1 6); do
	fetch_a mail-servers -H 'Accept-Language: en' || bad=$((bad + 1))
	[[ $BODY == *'<html lang="ja"'* ]] || bad=$((bad + 1))
	printf '%s' "$BODY" | grep -Eq 'name="lang" value="ja"[^>]*aria-pressed="true"' || bad=$((bad + 1))
	fetch_b mail-servers -H 'Accept-Language: en' || bad=$((bad + 1))
	[[ $BODY == *'<html lang="en"'* ]] || bad=$((bad + 1))
	printf '%s' "$BODY" | grep -Eq 'name="lang" value=""[^>]*aria-pressed="true"' || bad=$((bad + 1))
done
is "an override is the admin's own: Japanese for them, English for the other" "$bad" 0
HK_JAR=$JA; req POST preferences/lang "csrf_token=$TA&lang="
fetch_a mail-servers -H 'Accept-Language: en'
like "back to the browser's language" "$BODY" '<html lang="en"'

# ----------------------------------------------------- what is never kept
HK_JAR=$JA
req GET mail-servers/999999/edit
is "an error page is not from the cache" "$(header X-Hikyaku-Cache)" ""
req POST mail-servers "$(form name= smtp_port=0)"
is "a failed POST answers 422" "$STATUS" 422
is "... not from the cache" "$(header X-Hikyaku-Cache)" ""
req GET mail-servers -H 'Accept: application/xml'
is "XML by Accept is not from the cache" "$(header X-Hikyaku-Cache)" ""
like "... and carries the current data" "$BODY" 'Outside-Edit'
new_browser
req GET mail-servers
is "signed out: a redirect, not a cached page" "$STATUS:$(header X-Hikyaku-Cache)" "303:"
ok "nothing was logged about a page that did not match its rendering" \
	test "$(grep -c 'page cache' "$LOG")" = 0
hk_instance_stop

# ----------------------------------------- page_cache = no: nothing kept
HK_EXTRA_CONF='page_cache = no' hk_instance_start ||
	{ ok "instance with page_cache = no started" false; exit 1; }
new_browser; sign_in >/dev/null
seen=
for _ in 1 2 3; do
	req GET mail-servers
	seen="$seen$STATUS:$(header X-Hikyaku-Cache) "
done
is "page_cache = no: every list is rendered, none from the cache" "$seen" "200: 200: 200: "
hk_instance_stop
done_testing
