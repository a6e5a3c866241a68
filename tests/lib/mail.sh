# tests/lib/mail.sh - an instance talking to real mail servers on loopback
# (tests/peers/mailpeers: Dovecot + Postfix), for the integration tests of
# the connection test, send and fetch.  Source after tap.sh, instance.sh
# and http.sh:
#
#   hk_mail_start TAG [VAR=value...]
#       Skips the whole test (prints "1..0 # SKIP", exits 0) unless
#       mailpeers can run (root and its packages).  Else starts the peers in
#       /tmp/hk-TAG-mp.XXXXXX with MAILPEERS_PORT_OFFSET=auto and the given
#       MAILPEERS_* settings, reads their KEY=VALUE lines (SUBMISSION_PORT,
#       POP3_PORT, MAIL_DOMAIN, ALICE_USER, ...), sets an EXIT trap that
#       stops them and the instance (and idp_start's IdP, if any), starts
#       the instance and signs in.  With an IdP: idp_start first, then
#       hk_mail_start TAG $(idp_mailpeers_vars).
#       Sets MP, MPDIR, CTL (hikyakuctl with the instance's config) and
#       CSRF.  Prints "not ok 1 - ..." and exits 1 when either fails to
#       start.
#   server_form NAME [field=value...]
#       The mail-server add/change form's fields: plain POP3 and plain
#       submission with LOGIN and the account's credentials, no limits; a
#       value "off" leaves the field out (an unchecked checkbox).
#   mkserver NAME [field=value...]    adds a server through the add screen
#   mkaccount NAME SERVER USER PASS [ADDR]
#       adds an account on server SERVER (ADDR defaults to USER@MAIL_DOMAIN)
#   server_id NAME, account_id NAME   the id shown on the list screen
#   count USER                        messages in USER's mailbox on the peers
# mkserver and mkaccount write a diagnostic line when the screen refuses.

hk_mail_cleanup() {
	"$MP" stop "$MPDIR" >/dev/null 2>&1
	rm -rf "$MPDIR"
	hk_instance_stop
	# the OAuth tests' IdP (tests/lib/idp.sh), when one was started
	! declare -F idp_stop >/dev/null || idp_stop
}

hk_mail_start() {
	local tag=$1; shift
	MP=${MAILPEERS:-$HK_SRCDIR/tests/peers/mailpeers}
	if [ ! -x "$MP" ] || [ "$(id -u)" != 0 ] || ! "$MP" install >/dev/null 2>&1 && ! command -v dovecot >/dev/null; then
		echo "1..0 # SKIP mailpeers needs root and its packages"
		exit 0
	fi
	MPDIR=$(mktemp -d "/tmp/hk-$tag-mp.XXXXXX")
	trap hk_mail_cleanup EXIT
	if ! env MAILPEERS_PORT_OFFSET=auto "$@" \
		"$MP" start "$MPDIR" > "$MPDIR.env" 2>"$MPDIR.err"; then
		echo "not ok 1 - mailpeers started"; sed 's/^/# /' "$MPDIR.err"; exit 1
	fi
	. "$MPDIR.env"
	rm -f "$MPDIR.env" "$MPDIR.err"

	hk_instance_start || { echo "not ok 1 - instance started"; exit 1; }
	new_browser
	sign_in >/dev/null
	CTL="$HK_PREFIX/bin/hikyakuctl --config $HK_CONFIG"
	CSRF=$(csrf_now mail-servers)
}

server_form() {
	local name=$1; shift
	local -A f=(
		[smtp_host]=127.0.0.1 [smtp_port]=$SUBMISSION_PORT [smtp_security]=none
		[smtp_auth]=on [smtp_auth_method]=login [smtp_credentials]=account
		[pop_before_smtp_wait]=0 [send_limit]=0 [recv_protocol]=pop3
		[recv_host]=127.0.0.1 [recv_port]=$POP3_PORT [recv_security]=none
		[recv_limit]=0
	)
	local kv body="csrf_token=$CSRF&name=$name"
	for kv in "$@"; do f[${kv%%=*}]=${kv#*=}; done
	for kv in "${!f[@]}"; do
		[ "${f[$kv]}" = off ] && continue
		body="$body&$kv=${f[$kv]}"
	done
	printf '%s' "$body"
}

mkserver() {
	local name=$1
	req POST mail-servers "$(server_form "$@")"
	[ "$STATUS" = 303 ] || { diag "adding server $name: $STATUS"; printf '%s\n' "$BODY" | grep -o '<error[^<]*<' | sed 's/^/# /'; }
}

mkaccount() {
	req POST mail-accounts "csrf_token=$CSRF&name=$1&address=${5:-$3@$MAIL_DOMAIN}&server_id=$(server_id "$2")&username=$3&password=$4"
	[ "$STATUS" = 303 ] || diag "adding account $1: $STATUS"
}

# list_id KIND NAME: the id of the mail-KIND called NAME on its list screen.
list_id() {
	req GET "mail-$1s?format=xml"
	printf '%s' "$BODY" | tr '\n' ' ' | grep -oE "<mail-$1 id=\"[0-9]+\"[^>]*>[[:space:]]*<name>$2</name>" | grep -oE 'id="[0-9]+"' | head -1 | tr -dc 0-9
}
server_id() { list_id server "$1"; }
account_id() { list_id account "$1"; }

count() { "$MP" count "$MPDIR" "$1"; }
