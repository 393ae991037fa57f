# check: when the trials cannot start (the guest's start fails, forced
# here by the test seam RSTSTORM_TEST_GUEST_START_ERRNO), check prints one
# complete line itself from the error code: what failed, the errno text
# and name, what to do; never "see the error above" with nothing above.
. "$(dirname "$0")/lib.sh"

RSTSTORM_TEST_GUEST_START_ERRNO=24 "$RSTSTORM" check -q --trials 3 \
	--load-c 0 fin-write3 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "exit $rc, want 1"
grep -q "see the error above" "$TMP/out" "$TMP/err" && fail "points at an error that is not there"
line=$(grep -c "^rststorm check fin-write3: the trials could not start: Too many open files (EMFILE).*: raise the open file limit" "$TMP/err")
[ "$line" = 1 ] || fail "no complete error line: $(cat "$TMP/err")"
grep -q "DIFF alone: the trials could not start: Too many open files (EMFILE)" "$TMP/out" ||
	fail "verdict detail: $(grep DIFF "$TMP/out")"
exit 0
