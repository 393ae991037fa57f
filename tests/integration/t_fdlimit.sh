# Without direct descriptors (either side), -c beyond the fd limit is refused up front
# with the number needed.
. "$(dirname "$0")/lib.sh"

( ulimit -n 512 && exec "$RSTSTORM" run --no-direct --no-server-direct -c 1000 -d 1s ) \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "exit $rc, want 1: $(cat "$TMP/err")"
grep -q "needs about 2072 file descriptors" "$TMP/err" || fail "$(cat "$TMP/err")"
grep -q "RLIMIT_NOFILE is 512" "$TMP/err" || fail "$(cat "$TMP/err")"
echo "measured: $(cut -c1-140 "$TMP/err")"

# the epoll engine's client sockets are ordinary fds as well
( ulimit -n 512 && exec "$RSTSTORM" run --engine epoll -c 1000 -d 1s ) \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "epoll: exit $rc, want 1: $(cat "$TMP/err")"
# the servers keep their sockets as direct descriptors where the kernel
# allows it: then only the client's count
grep -Eq "needs about (2072|10[0-9][0-9]) file descriptors" "$TMP/err" || fail "$(cat "$TMP/err")"
grep -q "the epoll engine" "$TMP/err" || fail "epoll not named: $(cat "$TMP/err")"
echo "measured: $(cut -c1-140 "$TMP/err")"
