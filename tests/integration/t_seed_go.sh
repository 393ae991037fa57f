# The Go write-up's timing: the server reads the client's first bytes (our
# hello) and closes; the client writes one byte, pauses, writes again, a
# pause before each write. Claim: the second of those writes (the Go
# program's third) gets EPIPE. Shortened from 1 s to 50 ms pauses.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q -c 50 -n 200 --close fin --ops write,write \
	--wait 50ms --op-gap 50ms --csv "$TMP/r" >"$TMP/out" ||
	fail "exit $?: $(cat "$TMP/out")"
expect_op fin 1 ok 0.99 "$TMP/r"
expect_op fin 2 EPIPE 0.99 "$TMP/r"
[ "$(summary op_gap_s "$TMP/r")" = 0.050000 ] || fail "op_gap_s not recorded"
# every op was issued after the server's close, 50 ms apart
awk -F, 'NR > 1 && $10 != 0 { bad = 1 } END { exit bad }' "$TMP/r/ops.csv" ||
	fail "ops issued before the close: $(cat "$TMP/r/ops.csv")"
awk -F, 'NR > 1 && $5 == 2 && $16 + 0 < 50000 { bad = 1 } END { exit bad }' \
	"$TMP/r/ops.csv" || fail "op 2 less than 50 ms after the close"
