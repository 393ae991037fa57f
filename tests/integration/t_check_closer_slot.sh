# check: a trial's slot is never reused while the cross-CPU closer thread
# still works on it. The test seam RSTSTORM_TEST_CLOSER_DELAY_MS makes the
# closer take 2.5 s per close (longer than the old 2 s give-up), so a slot
# reused under it would have its new socket closed by the old trial's
# close: check reports that as a DIFF ("trial slot reused").
. "$(dirname "$0")/lib.sh"
[ "$(nproc)" -ge 2 ] || skip "one CPU: the cross-CPU scenario does not run"

t0=$(date +%s%N)
RSTSTORM_TEST_CLOSER_DELAY_MS=2500 "$RSTSTORM" check -q --trials 3 \
	--parallel 1 --load-c 0 --csv "$TMP/c" race-rst-xcpu >"$TMP/out" 2>&1
rc=$?
t1=$(date +%s%N)
echo "measured: 3 trials with a 2.5 s closer took $(((t1 - t0) / 1000000)) ms"
grep -q "slot reused" "$TMP/out" && fail "a slot was reused under the closer: $(grep DIFF "$TMP/out")"
[ $rc -eq 0 ] || fail "exit $rc: $(grep -E 'DIFF|skip' "$TMP/out" | head)"
# all three trials ran to the end (alone phase: 3 trials)
awk -F, 'NR > 1 && $3 == "alone" { t = $0 } END { exit t == "" }' \
	"$TMP/c/verdicts.csv" || fail "no verdict row"
grep -q "alone (3)" "$TMP/out" || fail "not 3 trials: $(head -5 "$TMP/out")"
exit 0
