# check: a cross-CPU scenario with one CPU available (taskset -c 0) is
# SKIPPED with its reason, not run on one CPU and judged; with two CPUs it
# runs, every close and op on its pinned CPU.
. "$(dirname "$0")/lib.sh"
command -v taskset >/dev/null || skip "no taskset"

taskset -c 0 "$RSTSTORM" check -q --trials 10 --load-c 20 --csv "$TMP/c" \
	race-rst-xcpu fin-write3 >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "exit $rc: $(cat "$TMP/out")"
grep -q "SKIPPED alone: only one CPU is available to this process" "$TMP/out" ||
	fail "no skip reason: $(grep -A8 '^race-rst-xcpu' "$TMP/out")"
grep -q "verdict: alone SKIPPED$" "$TMP/out" || fail "loaded phase of a skipped scenario ran"
grep -q "check: 1 PASS, 1 MEASURED, 0 DIFF, 1 SKIPPED" "$TMP/out" ||
	fail "summary: $(tail -n1 "$TMP/out")"
grep -q "^2,race-rst-xcpu," "$TMP/c/verdicts.csv" && fail "a skipped phase in verdicts.csv"
grep -q "^2,fin-write3,load," "$TMP/c/verdicts.csv" || fail "fin-write3 missing from verdicts.csv"

[ "$(nproc)" -ge 2 ] || { echo "one CPU: the two-CPU half is not run"; exit 0; }
"$RSTSTORM" check -q --trials 20 --load-c 0 race-fin-xcpu >"$TMP/two" 2>&1 ||
	fail "two CPUs: exit $?: $(grep -E 'DIFF|SKIP' "$TMP/two")"
grep -q "verdict: alone MEASURED" "$TMP/two" ||
	fail "two CPUs: $(grep -E 'verdict|SKIP' "$TMP/two")"
exit 0
