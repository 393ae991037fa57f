# Port exhaustion: in a namespace of its own whose local port range holds 4
# ports (one of them taken by the listener), a --hold run keeps each
# connection open until all are in, so every connect past the free ports
# fails with EADDRNOTAVAIL. stderr names it once, with the count and what
# to do.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "not root: no network namespace"
unshare -n true 2>/dev/null || skip "unshare -n not permitted here"

c=20
unshare -n bash -c '
	ip link set lo up &&
	sysctl -qw net.ipv4.ip_local_port_range="40000 40003" || exit 77
	exec "$0" run -q --hold -c '$c' -d 10s --ports 1 --server-threads 1 \
		--close rst --csv "$1"' "$RSTSTORM" "$TMP/r" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 77 ] && skip "cannot set up lo or the port range in a new namespace"
[ $rc -eq 0 ] || fail "exit $rc: $(cat "$TMP/err")"
failed=$(summary conns_failed "$TMP/r")
echo "measured: failed $failed of $c; $(cat "$TMP/err")"
# at most 3 ports are free: at least c - 3 connects fail
[ "$failed" -ge $((c - 3)) ] || fail "failed $failed, want >= $((c - 3))"
[ "$(grep -c 'EADDRNOTAVAIL' "$TMP/err")" -eq 1 ] ||
	fail "want one line: $(cat "$TMP/err")"
grep -q "^rststorm: $failed connections failed with Cannot assign requested address (EADDRNOTAVAIL)" \
	"$TMP/err" || fail "count not named: $(cat "$TMP/err")"
grep -q "net.ipv4.ip_local_port_range" "$TMP/err" || fail "no advice"
grep -q -- "--sources" "$TMP/err" || fail "no --sources advice"
exit 0
