# check: an RST close whose SO_LINGER 0 fails (forced for real by the test
# seam RSTSTORM_TEST_LINGER_EINVAL: a short optlen, EINVAL) closes with a
# FIN; the trial counts what happened (no linger RST), check says so as a
# DIFF, and with --netns the kernel's counters still reconcile.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "not root: no network namespace"
ip netns add "rststorm-probe-$$" 2>/dev/null || skip "network namespaces not available here"
ip netns del "rststorm-probe-$$"

RSTSTORM_TEST_LINGER_EINVAL=1 "$RSTSTORM" check -q --netns --trials 10 \
	--load-c 0 rst-write2 >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "exit $rc, want 1 (DIFF)"
grep -q "DIFF alone: SO_LINGER 0 could not be set on 10 closes" "$TMP/out" ||
	fail "failed linger not reported: $(grep DIFF "$TMP/out")"
grep -q "kernel counters: reconciled (0 outside" "$TMP/out" ||
	fail "counters: $(grep counters "$TMP/out")"
exit 0
