# check --netns: a close racing the peer's data is reconciled by
# construction. The test seam RSTSTORM_TEST_CLOSER_DELAY_MS holds the
# cross-CPU closer between its SIOCINQ read and close(), so the victim's
# byte lands in between and tcp_close() counts TCPAbortOnClose where the
# earlier read said TCPAbortOnData (linger 0) or nothing (FIN). The trial
# must count such a close as "either counter" (a joint range), not guess.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "not root: no network namespace"
ip netns add "rststorm-probe-$$" 2>/dev/null || skip "network namespaces not available here"
ip netns del "rststorm-probe-$$"

RSTSTORM_TEST_CLOSER_DELAY_MS=20 "$RSTSTORM" check -q --netns --trials 30 \
	--load-c 0 --gap 20ms --csv "$TMP/c" race-rst-xcpu race-fin-xcpu \
	>"$TMP/out" 2>&1 || fail "exit $?: $(grep -E 'MISMATCH|DIFF|skip' "$TMP/out" | head)"
grep -q "kernel counters: reconciled (0 outside" "$TMP/out" ||
	fail "not reconciled: $(grep -E 'counters' "$TMP/out")"
grep -q MISMATCH "$TMP/out" && fail "a counter outside its range"
# the seam made the race happen: measured, not asserted (it is timing)
ac=$(awk -F, '$5 == "TcpExt.TCPAbortOnClose" { n += $6 } END { print n + 0 }' "$TMP/c/mib.csv")
echo "measured: TCPAbortOnClose $ac of 60 racy closes"
exit 0
