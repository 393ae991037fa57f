# When the probe finds direct accept and socket commands, the server holds
# its connections as io_uring direct descriptors: under `ulimit -n 1024`
# -c 3000 are held at once (ordinary fds could not), and the same run with
# --no-server-direct is refused up front with the fd count it needs.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" probe >"$TMP/probe" || fail "probe exit $?"
grep -q '^server sockets: io_uring-direct' "$TMP/probe" ||
	skip "no server direct descriptors here: $(grep '^server sockets' "$TMP/probe")"
grep -q '^socket commands: setsockopt and SIOCINQ' "$TMP/probe" ||
	fail "server direct without socket commands: $(cat "$TMP/probe")"

args="-q -c 3000 --hold -d 30s --threads 4 --server-threads 4 --ports 4 --close fin=1,rst=1,unread=1,shutdown=1"
( ulimit -n 1024 && exec "$RSTSTORM" run $args --csv "$TMP/r" ) \
	>"$TMP/out" 2>&1 || fail "exit $?: $(cat "$TMP/out")"
grep -q '| accept multishot-direct' "$TMP/out" ||
	fail "path: $(grep path: "$TMP/out")"
grep -q '^limit:' "$TMP/out" && fail "a limit line with direct descriptors"
grep -q '^hold  *established 3000 of 3000' "$TMP/out" ||
	fail "not all held: $(grep -E '^(hold|connections)' "$TMP/out")"
[ "$(summary accept "$TMP/r")" = multishot-direct ] || fail "summary accept"
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "books"
[ "$(summary srv_accept_errors "$TMP/r")" = 0 ] || fail "accept errors"
echo "measured: 3000 held under ulimit -n 1024 with $(summary accept "$TMP/r")"

( ulimit -n 1024 && exec "$RSTSTORM" run $args --no-server-direct ) \
	>"$TMP/o2" 2>"$TMP/e2"
rc=$?
[ $rc -eq 1 ] || fail "--no-server-direct: exit $rc, want 1"
grep -q "server sockets as ordinary fds" "$TMP/e2" || fail "$(cat "$TMP/e2")"
exit 0
