# The server's close calls on ordinary fds are checked: a failed SO_LINGER
# makes the close a FIN, counted as fin (not rst), and stderr names the call,
# its errno text and the count. Every 4th SO_LINGER fails through a shim.
. "$(dirname "$0")/lib.sh"

${CC:-cc} -shared -fPIC -O1 -o "$TMP/fail_sockopt.so" \
	"$(dirname "$0")/fail_sockopt.c" -ldl 2>"$TMP/cc" ||
	skip "cannot build the LD_PRELOAD shim: $(cat "$TMP/cc")"

n=200
# an ASan build wants its runtime first; the shim only wraps setsockopt
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
RS_FAIL_LINGER_EVERY=4 LD_PRELOAD="$TMP/fail_sockopt.so" \
	"$RSTSTORM" run -q --no-server-direct --close rst -c 10 -n $n \
	--csv "$TMP/r" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] || fail "exit $rc: $(cat "$TMP/err")"
acc=$(summary srv_accepted "$TMP/r")
rst=$(summary srv_closed_rst "$TMP/r")
fin=$(summary srv_closed_fin "$TMP/r")
echo "measured: accepted $acc, closed rst $rst, fin $fin; $(cat "$TMP/err")"
[ "$acc" -eq $n ] || fail "accepted $acc, want $n"
# the server is the only caller of SO_LINGER here: exactly n/4 fail
[ "$fin" -eq $((n / 4)) ] || fail "closed fin $fin, want $((n / 4))"
[ "$rst" -eq $((n - n / 4)) ] || fail "closed rst $rst, want $((n - n / 4))"
[ "$(grep -c 'server close calls failed' "$TMP/err")" -eq 1 ] ||
	fail "want one line: $(cat "$TMP/err")"
grep -q "setsockopt(SO_LINGER) failed $((n / 4)) times (Protocol not available" \
	"$TMP/err" || fail "call, count or errno not named: $(cat "$TMP/err")"
grep -q "closes by mode: rst $((n / 4))" "$TMP/err" || fail "$(cat "$TMP/err")"

# without failures: no such line, every close an rst
"$RSTSTORM" run -q --no-server-direct --close rst -c 10 -n $n \
	--csv "$TMP/r2" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 0 ] || fail "clean run: $(cat "$TMP/err")"
[ "$(summary srv_closed_rst "$TMP/r2")" -eq $n ] || fail "clean rst count"
grep -q "server close calls failed" "$TMP/err" && fail "spurious: $(cat "$TMP/err")"
exit 0
