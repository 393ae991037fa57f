# rststorm check: every deterministic scenario PASSes on this kernel, alone
# and under a small load, in both directions; a deliberately wrong
# expectation (a test-only scenario) gives DIFF and exit 1; the CSV files
# have the documented headers; bad options exit 2 with one line.
. "$(dirname "$0")/lib.sh"
DOC="$(dirname "$0")/../../docs/csv.md"

"$RSTSTORM" check -q --trials 20 --load-c 200 --gap 50ms --csv "$TMP/c" >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "check exit $rc: $(grep -A3 DIFF "$TMP/out" | head -20)"
for f in check verdicts cells mib; do
	[ -s "$TMP/c/$f.csv" ] || fail "$f.csv missing"
	h=$(head -n1 "$TMP/c/$f.csv")
	grep -qF "$h" "$DOC" || fail "$f.csv header is not in docs/csv.md: $h"
done
# verdicts.csv: col 2 scenario, 3 phase, 11 verdict (no commas before it)
n=$(awk -F, 'NR > 1 { n++ } END { print n + 0 }' "$TMP/c/verdicts.csv")
[ "$n" -ge 50 ] || fail "only $n verdict rows"
awk -F, 'NR > 1 && $11 == "DIFF" { print; bad = 1 } END { exit bad }' \
	"$TMP/c/verdicts.csv" || fail "a DIFF"
# every scenario without a race or a path other than inline PASSes alone
awk -F, 'NR > 1 && $3 == "alone" && $6 == "observed" && $7 == "inline" &&
	$11 != "PASS" { print; bad = 1 } END { exit bad }' "$TMP/c/verdicts.csv" ||
	fail "a deterministic scenario did not PASS alone"
pass=$(awk -F, 'NR > 1 && $11 == "PASS" { n++ } END { print n + 0 }' "$TMP/c/verdicts.csv")
echo "measured: $n verdicts, $pass PASS"
# the seeds' claims are reported
grep -q "claim (Go write-up): op 3 send -> EPIPE: alone holds (20/20)" "$TMP/out" ||
	fail "Go claim not shown as holding: $(grep -A12 '^seed-go' "$TMP/out")"
grep -q "claim (Java write-up): op 3 send -> ECONNRESET: alone does not hold" "$TMP/out" ||
	fail "Java RST claim on the 2nd write not shown as failing"

# the other direction: the client closes, the server runs the ops
"$RSTSTORM" check -q --closer client --trials 20 --load-c 0 \
	fin-write3 rst-write2 rst-read2-write unread-write2 shutdown-write2-read \
	>"$TMP/cl" 2>&1 || fail "--closer client: exit $?: $(grep -A3 DIFF "$TMP/cl")"
grep -q "closer client" "$TMP/cl" || fail "closer not shown"

# a wrong expectation: DIFF, exit 1, and the basis shown
RS_TEST_SCENARIOS=1 "$RSTSTORM" check -q --trials 5 --load-c 0 \
	test-wrong-expectation >"$TMP/w" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "wrong expectation: exit $rc, want 1"
grep -q "DIFF alone: op 1 send: expected ECONNRESET, got ok 5/5" "$TMP/w" ||
	fail "no DIFF line: $(cat "$TMP/w")"
# test-only scenarios are hidden otherwise
"$RSTSTORM" check test-wrong-expectation >/dev/null 2>"$TMP/e"
[ $? -eq 2 ] || fail "hidden scenario: want exit 2"
"$RSTSTORM" scenarios | grep -q test-wrong && fail "test-only scenario listed"

# usage errors: exit 2, one line naming the option
for args in "--trials 0" "--trials x" "--load-c 100001" "--gap 2m" \
	"--closer both" "--parallel 0" "--timeout 0" "no-such-scenario" \
	"--bogus" "seed-go seed-go"; do
	# shellcheck disable=SC2086
	"$RSTSTORM" check $args >/dev/null 2>"$TMP/u"
	rc=$?
	[ $rc -eq 2 ] || fail "check $args: exit $rc, want 2"
	[ "$(wc -l <"$TMP/u")" -eq 1 ] || fail "check $args: not one line: $(cat "$TMP/u")"
done
"$RSTSTORM" scenarios | grep -q '^seed-go ' || fail "scenarios does not list seed-go"
exit 0
