# Safety: a --target or --listen address outside 127.0.0.0/8 and ::1 is
# refused (exit 2, naming --allow-remote) before any socket exists. Run in
# an empty network namespace, so nothing could leave the machine even if
# the check broke. Bad address forms are usage errors too. With
# --allow-remote, new connections are capped (--rate, default 1000/s).
. "$(dirname "$0")/lib.sh"

unshare -n true 2>/dev/null || skip "unshare -n is not permitted here (needs root or user namespaces)"

# refuse ARGS...: exit 2 and one line naming WANT (the last argument)
refuse() {
	local want=${!#} n=$(($# - 1))
	unshare -n "$RSTSTORM" "${@:1:$n}" >"$TMP/o" 2>"$TMP/e"
	local rc=$?
	[ $rc -eq 2 ] || fail "$*: exit $rc, want 2: $(cat "$TMP/e")"
	[ "$(wc -l <"$TMP/e")" -eq 1 ] || fail "$*: not one line: $(cat "$TMP/e")"
	grep -qF -- "$want" "$TMP/e" || fail "$*: '$(cat "$TMP/e")' lacks '$want'"
	[ -s "$TMP/o" ] && fail "$*: printed on stdout: $(cat "$TMP/o")"
	return 0
}

# outside the allow-list (198.18.0.0/15 is the benchmarking range)
refuse run -n 1 -c 1 --target 198.18.0.1:80 "--target: '198.18.0.1:80' is not allowed: it is outside 127.0.0.0/8 and ::1; traffic leaves this machine only with --allow-remote"
refuse run -n 1 -c 1 --target 127.0.0.1:80,198.18.0.2:80 "'198.18.0.2:80' is not allowed"
refuse run -n 1 -c 1 --target '[2001:db8::1]:80' "'[2001:db8::1]:80' is not allowed"
refuse run -n 1 -c 1 --target '[::]:80' "'[::]:80' is not allowed"
refuse run -n 1 -c 1 --target 0.0.0.0:80 "'0.0.0.0:80' is not allowed"
refuse serve --listen 198.18.0.1:0 "--listen: '198.18.0.1:0' is not allowed"
refuse serve --listen 0.0.0.0:0 "--allow-remote"
refuse serve --listen '[::]:0' "--allow-remote"
# bad forms
refuse run -n 1 -c 1 --target ::1:80 "an IPv6 address needs brackets"
refuse run -n 1 -c 1 --target '[::1]80' "[ADDR]:PORT"
refuse run -n 1 -c 1 --target localhost:80 "not a numeric IPv4 address"
refuse run -n 1 -c 1 --target 127.0.0.1 "the port is missing"
refuse run -n 1 -c 1 --target 127.0.0.1:0 "not a number from 1 to 65535"
refuse run -n 1 -c 1 --target 127.0.0.1:65536 "not a number from 1 to 65535"
refuse run -n 1 -c 1 --target '' "--target: '' is not allowed"
refuse run -n 1 -c 1 --rate 0 "--rate: '0' is not allowed"
refuse run -n 1 -c 1 --request x "--request: only with --foreign"
refuse run -n 1 -c 1 --foreign "--foreign: needs --target"
refuse run -n 1 -c 1 -6 --target '[::1]:80' "--ipv6: not with --target"
refuse serve --listen 127.0.0.1:99999 "--listen"
refuse serve --threads 2 "--threads: 2 is more than the 1 --listen address"
# 127.0.0.0/8 and ::1 pass the check (and then find nothing there)
unshare -n "$RSTSTORM" run -q -n 1 -c 1 --target 127.8.9.10:80 >/dev/null 2>"$TMP/e"
[ $? -eq 1 ] || fail "127.8.9.10 refused: $(cat "$TMP/e")"
unshare -n "$RSTSTORM" run -q -n 1 -c 1 --target '[::1]:80' >/dev/null 2>"$TMP/e"
[ $? -eq 1 ] || fail "::1 refused: $(cat "$TMP/e")"

# --allow-remote: the address passes the check (inside the empty
# namespace nothing routes: the query fails to connect) and the run is
# capped at 1000 new connections per second unless --rate says
unshare -n "$RSTSTORM" run -q -n 1 -c 1 --allow-remote --target 198.18.0.1:80 \
	>"$TMP/o" 2>"$TMP/e"
rc=$?
[ $rc -eq 1 ] || fail "--allow-remote: exit $rc: $(cat "$TMP/e")"
grep -q "connect failed: .*(ENETUNREACH)" "$TMP/e" || fail "--allow-remote: $(cat "$TMP/e")"

# --rate caps new connections: at most rate x elapsed + one per thread
"$RSTSTORM" run -q -c 20 -t 2 -d 1s --rate 300 --csv "$TMP/r" >"$TMP/o" ||
	fail "--rate run exited $?"
grep -q -- '--rate 300' "$TMP/o" || fail "command line lacks --rate"
started=$(summary conns_started "$TMP/r")
el=$(summary elapsed_s "$TMP/r")
echo "measured: --rate 300 for -d 1s: started $started in ${el}s"
awk -v s="$started" -v e="$el" 'BEGIN { exit !(s <= 300 * e + 2) }' ||
	fail "--rate 300: started $started in ${el}s"
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "--rate: books"
"$RSTSTORM" run -q -c 2 -n 2 --allow-remote >"$TMP/o" || fail "--allow-remote run"
grep -q -- '--rate 1000 --allow-remote' "$TMP/o" || fail "default cap: $(head -n1 "$TMP/o")"
exit 0
