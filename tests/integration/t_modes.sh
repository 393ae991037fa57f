# The other close modes. unread: the server closes with the hello's pad
# unread, so the kernel sends RST and the first write gets ECONNRESET.
# shutdown: the server half-closes (FIN) but keeps reading, so writes
# succeed and a read sees EOF.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q -c 200 -n 2000 --close unread=1,shutdown=1 \
	--ops write,write,read --csv "$TMP/r" >"$TMP/out" ||
	fail "exit $?: $(cat "$TMP/out")"
expect_op unread 1 ECONNRESET 0.95 "$TMP/r"
expect_op unread 2 EPIPE 0.95 "$TMP/r"
expect_op shutdown 1 ok 0.99 "$TMP/r"
expect_op shutdown 2 ok 0.99 "$TMP/r"
expect_op shutdown 3 eof 0.99 "$TMP/r"
grep -q 'unread-found-empty' "$TMP/out" && fail "server found nothing unread: $(grep notes "$TMP/out")"
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "books"
exit 0
