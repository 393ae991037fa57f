# rststorm compare on real reports (a report against itself is the same;
# run against check is refused) and the usage errors of compare and merge:
# exit 2, one line naming the option and what is allowed.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q -c 50 -n 500 --csv "$TMP/r" >/dev/null || fail "run: exit $?"
"$RSTSTORM" check seed-go --trials 5 --load-c 0 --gap 1ms -q --csv "$TMP/c" \
	>/dev/null || fail "check: exit $?"
"$RSTSTORM" compare "$TMP/r" "$TMP/r" >"$TMP/out" || fail "run against itself: exit $?"
grep -q "same within tolerance" "$TMP/out" || fail "run against itself: $(cat "$TMP/out")"
"$RSTSTORM" compare "$TMP/c" "$TMP/c" --all >"$TMP/out" || fail "check against itself: exit $?"
grep -q "verdict alone: PASS in both" "$TMP/out" || fail "--all: $(cat "$TMP/out")"

usage() {
	local want=$1
	shift
	"$RSTSTORM" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] || fail "rststorm $*: exit $rc, want 2"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "rststorm $*: not one line: $(cat "$TMP/err")"
	grep -q -- "$want" "$TMP/err" || fail "rststorm $*: '$(cat "$TMP/err")' does not name $want"
	[ -s "$TMP/out" ] && fail "rststorm $*: wrote to stdout"
	return 0
}
usage "run report" compare "$TMP/r" "$TMP/c"
usage "$TMP/nothing" compare "$TMP/r" "$TMP/nothing"
usage "two report directories" compare "$TMP/r"
usage "two report directories" compare "$TMP/r" "$TMP/r" "$TMP/r"
usage "--alpha '2'" compare --alpha 2 "$TMP/r" "$TMP/r"
usage "--alpha 'x'" compare --alpha x "$TMP/r" "$TMP/r"
usage "--alpha: needs a value" compare "$TMP/r" "$TMP/r" --alpha
usage "'--bogus'" compare --bogus "$TMP/r" "$TMP/r"
usage "-o OUT" merge "$TMP/r" "$TMP/r"
usage "at least two" merge "$TMP/r" -o "$TMP/m"
usage "'--bogus'" merge --bogus "$TMP/r" "$TMP/r" -o "$TMP/m"
usage "one kind" merge "$TMP/r" "$TMP/c" -o "$TMP/m"
"$RSTSTORM" compare --help | grep -q -- '--alpha' || fail "compare --help lacks --alpha"
"$RSTSTORM" merge --help | grep -q -- '-o' || fail "merge --help lacks -o"
"$RSTSTORM" help | grep -q "compare" || fail "usage lacks compare"
exit 0
