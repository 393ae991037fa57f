# io_uring refused (a seccomp filter makes io_uring_setup fail): a clear
# error naming the cause and what to do, exit 1.
. "$(dirname "$0")/lib.sh"
NORING=${NORING:-}
[ -x "$NORING" ] || skip "no noring helper (build with make test)"

for e in ENOSYS EPERM; do
	"$NORING" $e "$RSTSTORM" run -c 10 -n 10 >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 77 ] && skip "seccomp filters not allowed here"
	[ $rc -eq 1 ] || fail "$e: exit $rc, want 1"
	grep -q "io_uring is not available" "$TMP/err" || fail "$e: $(cat "$TMP/err")"
	grep -q "($e)" "$TMP/err" || fail "$e: errno not named: $(cat "$TMP/err")"
	echo "measured: $e -> $(cut -c1-120 "$TMP/err")"
done
"$NORING" ENOSYS "$RSTSTORM" probe >"$TMP/out" 2>&1
[ $? -eq 1 ] || fail "probe without io_uring should exit 1"
grep -q "io_uring: unavailable" "$TMP/out" || fail "probe: $(cat "$TMP/out")"
