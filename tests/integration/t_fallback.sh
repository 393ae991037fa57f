# The fallback path (socket(2), ordinary server fds, single-shot accept,
# plain ring: what a 5.10 kernel gets) gives the same answers and balanced
# books.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q -c 300 -n 3000 --no-direct --no-server-direct --no-multishot --ring plain \
	--close fin=1,rst=1 --ops write,write --csv "$TMP/r" >"$TMP/out" ||
	fail "exit $?: $(cat "$TMP/out")"
grep -q 'client sockets socket(2) | accept single-shot' "$TMP/out" ||
	fail "path not reported: $(grep path: "$TMP/out")"
grep -q 'ring none' "$TMP/out" || grep -q 'ring SUBMIT_ALL' "$TMP/out" ||
	fail "ring flags not stepped down: $(grep path: "$TMP/out")"
expect_op fin 1 ok 0.95 "$TMP/r"
expect_op fin 2 EPIPE 0.95 "$TMP/r"
expect_op rst 1 ECONNRESET 0.95 "$TMP/r"
expect_op rst 2 EPIPE 0.95 "$TMP/r"
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "books"
[ "$(summary conns_completed "$TMP/r")" = 3000 ] || fail "not all 3000 completed"
