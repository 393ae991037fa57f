# The seeds' claims, in aggregate on this kernel: after the peer's FIN the
# first write succeeds and the second gets EPIPE (Go and Java write-ups);
# after the peer's RST (SO_LINGER 0) the first write gets ECONNRESET and the
# next EPIPE.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q -c 200 -n 4000 --close fin --ops write,write,write \
	--csv "$TMP/fin" >"$TMP/fin.out" || fail "fin run exited $?"
expect_op fin 1 ok 0.95 "$TMP/fin"
expect_op fin 2 EPIPE 0.95 "$TMP/fin"
expect_op fin 3 EPIPE 0.95 "$TMP/fin"

"$RSTSTORM" run -q -c 200 -n 4000 --close rst --ops write,write,read \
	--csv "$TMP/rst" >"$TMP/rst.out" || fail "rst run exited $?"
expect_op rst 1 ECONNRESET 0.95 "$TMP/rst"
expect_op rst 2 EPIPE 0.95 "$TMP/rst"
expect_op rst 3 eof 0.95 "$TMP/rst"
[ "$(summary books_balanced "$TMP/rst")" = 1 ] || fail "rst books"
