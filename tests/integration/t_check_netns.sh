# rststorm check --netns: in a namespace of its own the kernel's TCP
# counters reconcile with the trials: every RST the kernel sent is
# accounted for by a close (linger 0, unread data) or by data that reached
# a closed socket, EstabResets and TCPAbortOnClose exactly.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "not root: no network namespace"
ip netns add "rststorm-probe-$$" 2>/dev/null || skip "network namespaces not available here"
ip netns del "rststorm-probe-$$"

"$RSTSTORM" check -q --netns --trials 30 --load-c 0 --gap 20ms --csv "$TMP/c" \
	>"$TMP/out" 2>&1 || fail "exit $?: $(grep -E 'MISMATCH|DIFF' "$TMP/out" | head)"
grep -q "kernel counters: reconciled (0 outside" "$TMP/out" || fail "not reconciled"
# mib.csv: every counter of every scenario judged ok, scope netns
awk -F, 'NR > 1 && ($4 != "netns" || $9 != "ok") { print; bad = 1 } END { exit bad }' \
	"$TMP/c/mib.csv" || fail "a counter outside its range"
rows=$(awk 'END { print NR - 1 }' "$TMP/c/mib.csv")
rsts=$(awk -F, '$5 == "Tcp.OutRsts" { n += $6 } END { print n + 0 }' "$TMP/c/mib.csv")
echo "measured: $rows counter rows reconciled, $rsts RSTs accounted for"
[ "$rsts" -gt 500 ] || fail "too few RSTs ($rsts) for the catalogue"

# one unread byte is unread: the close with it sends an RST, counted as
# such: one OutRst and one TCPAbortOnClose per trial, exactly
RS_TEST_SCENARIOS=1 "$RSTSTORM" check -q --netns --trials 10 --load-c 0 --gap 20ms \
	--csv "$TMP/u1" test-unread-1byte >"$TMP/u1.out" 2>&1 ||
	fail "test-unread-1byte: exit $?: $(grep -E 'MISMATCH|DIFF|counter' "$TMP/u1.out" | head)"
grep -q "kernel counters: reconciled (0 outside" "$TMP/u1.out" ||
	fail "test-unread-1byte: not reconciled: $(cat "$TMP/u1.out")"
u1() { awk -F, -v c="$1" '$5 == c { print $6 }' "$TMP/u1/mib.csv"; }
echo "measured: test-unread-1byte: OutRsts $(u1 Tcp.OutRsts) EstabResets $(u1 Tcp.EstabResets) TCPAbortOnClose $(u1 TcpExt.TCPAbortOnClose) over 10 trials"
[ "$(u1 TcpExt.TCPAbortOnClose)" = 10 ] ||
	fail "test-unread-1byte: TCPAbortOnClose $(u1 TcpExt.TCPAbortOnClose), want 10"

# and under load: the load's RSTs fall in the range its plans allow
"$RSTSTORM" check -q --netns --trials 20 --load-c 300 --gap 20ms \
	seed-go rst-write2 unread-write2 >"$TMP/l" 2>&1 ||
	fail "under load: exit $?: $(grep -E 'MISMATCH|DIFF' "$TMP/l" | head)"
grep -q "counters under load:.*reconciled" "$TMP/l" || fail "load phase not reconciled"
exit 0
