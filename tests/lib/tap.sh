# tests/lib/tap.sh - TAP output for shell tests; source it, then call
# `ok "description" command...`, `is "description" got want`, `done_testing`.
# tests/run counts the "ok"/"not ok" lines of every test program.
tap_n=0
tap_failed=0

# ok DESC CMD... : passes when CMD exits 0.
ok() {
	local desc=$1; shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		tap_failed=$((tap_failed + 1))
	fi
}

# is DESC GOT WANT : passes when the two strings are equal.
is() {
	tap_n=$((tap_n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		printf '#   got:  %s\n#   want: %s\n' "$2" "$3"
		tap_failed=$((tap_failed + 1))
	fi
}

# like DESC GOT REGEX : passes when GOT matches the extended regex.
like() {
	tap_n=$((tap_n + 1))
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		printf '#   got:  %.400s\n#   want match: %s\n' "$2" "$3"
		tap_failed=$((tap_failed + 1))
	fi
}

# unlike DESC GOT REGEX : passes when GOT does not match.
unlike() {
	tap_n=$((tap_n + 1))
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		echo "not ok $tap_n - $1"
		printf '#   got:  %.400s\n#   must not match: %s\n' "$2" "$3"
		tap_failed=$((tap_failed + 1))
	else
		echo "ok $tap_n - $1"
	fi
}

diag() { printf '# %s\n' "$*"; }

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
