# check: one SIGINT stops a long check; the phase it stopped is
# INTERRUPTED (not DIFF: "only N of M trials ran" is not a finding), the
# summary says so and the exit status is 130 (128 + SIGINT). The stop time
# is measured, not asserted beyond a generous bound: with --timeout 20s a
# check whose trials ignore the stop (no guest stop hook) ends only at the
# run's abort, 21 s after the signal; with the hook, about 0.1 s.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" check --trials 100000 --load-c 0 --gap 1s --timeout 20s \
	--csv "$TMP/c" seed-go >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/out" '^path:' 10 || { kill -9 $pid; fail "no start line"; }
# the trials are running once the process has its client thread
wait_threads $pid 3 10
t0=$(date +%s%N)
kill -INT $pid
deadline=$((SECONDS + 30))
while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $deadline ]; do
	sleep 0.02
done
t1=$(date +%s%N)
kill -0 $pid 2>/dev/null && { kill -9 $pid; fail "still running 30 s after SIGINT"; }
wait $pid
rc=$?
ms=$(((t1 - t0) / 1000000))
echo "measured: check stopped ${ms} ms after SIGINT"
[ $rc -eq 130 ] || fail "exit $rc, want 130: $(cat "$TMP/err")"
grep -q "INTERRUPTED alone: interrupted by signal 2 after" "$TMP/out" ||
	fail "phase not marked interrupted: $(grep -A10 '^seed-go' "$TMP/out")"
grep -q DIFF "$TMP/out" && grep -q "[1-9][0-9]* DIFF" "$TMP/out" &&
	fail "an interrupted phase counted as DIFF: $(tail -n2 "$TMP/out")"
grep -q "0 DIFF, 1 INTERRUPTED; stopped by signal 2" "$TMP/out" ||
	fail "summary: $(tail -n1 "$TMP/out")"
[ "$ms" -lt 5000 ] || fail "took ${ms} ms to stop"
exit 0
