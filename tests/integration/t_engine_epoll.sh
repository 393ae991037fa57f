# --engine epoll: the same state machine on nonblocking syscalls. The seeds'
# claims hold, the books balance, timeouts and abandoned runs are counted,
# summary.csv names the engine, and both engines fill the outcome table
# with the same dominant result for every op.
. "$(dirname "$0")/lib.sh"

ep() { "$RSTSTORM" run -q --engine epoll "$@"; }

# the seeds: after FIN the first write succeeds, the second gets EPIPE;
# after RST the first write gets ECONNRESET
ep -c 200 -n 4000 --close fin --ops write,write,write --csv "$TMP/fin" \
	>"$TMP/fin.out" || fail "fin run exited $?: $(cat "$TMP/fin.out")"
expect_op fin 1 ok 0.95 "$TMP/fin"
expect_op fin 2 EPIPE 0.95 "$TMP/fin"
ep -c 200 -n 4000 --close rst --ops write,write,read --csv "$TMP/rst" \
	>"$TMP/rst.out" || fail "rst run exited $?: $(cat "$TMP/rst.out")"
expect_op rst 1 ECONNRESET 0.95 "$TMP/rst"
expect_op rst 2 EPIPE 0.95 "$TMP/rst"
grep -q -- '--engine epoll' "$TMP/rst.out" || fail "start line lacks --engine epoll"
[ "$(summary engine "$TMP/rst")" = epoll ] || fail "summary.csv engine is $(summary engine "$TMP/rst")"
[ "$(summary client_sockets "$TMP/rst")" = "socket(2)" ] || fail "client_sockets is $(summary client_sockets "$TMP/rst")"

# the books at -c 2000
ep -c 2000 -d 2s --csv "$TMP/books" >"$TMP/books.out" ||
	fail "books run exited $?: $(cat "$TMP/books.out")"
s=$(summary conns_started "$TMP/books")
c=$(summary conns_completed "$TMP/books")
f=$(summary conns_failed "$TMP/books")
a=$(summary conns_abandoned "$TMP/books")
echo "measured: epoll -c 2000: started $s completed $c failed $f abandoned $a"
[ "$(summary books_balanced "$TMP/books")" = 1 ] || fail "books_balanced is not 1"
[ "$s" -eq $((c + f + a)) ] || fail "$s != $c + $f + $a"
[ "$s" -gt 2000 ] || fail "only $s connections in 2 s at -c 2000"
ops=$(awk -F, 'NR > 1 { n += $8 } END { print n }' "$TMP/books/outcomes.csv")
[ "$ops" -ge $((c * 4)) ] || fail "outcomes hold $ops ops for $c connections"

# --timeout: requests older than 2 ms end as timeouts, still balanced
ep -c 1000 -d 1s --timeout 2ms --csv "$TMP/to" >"$TMP/to.out" ||
	fail "timeout run exited $?: $(cat "$TMP/to.out")"
[ "$(summary books_balanced "$TMP/to")" = 1 ] || fail "timeout run: books"
grep -q ',timeout,' "$TMP/to/failures.csv" || echo "# no timeout at 2 ms on this machine"
echo "measured: epoll --timeout 2ms: failed $(summary conns_failed "$TMP/to") of $(summary conns_started "$TMP/to")"

# two SIGINTs: what is in flight is abandoned, and counted
"$RSTSTORM" run --engine epoll -c 500 -d 60s --wait 30s --csv "$TMP/ab" \
	>"$TMP/ab.out" 2>"$TMP/ab.err" &
pid=$!
wait_for "$TMP/ab.out" '^path:' 10 || { kill -9 $pid; fail "no start line"; }
# wait until the clients have started (progress is not shown off a tty,
# so give the 500 connections time to reach their 30 s gap)
deadline=$((SECONDS + 10))
while [ $SECONDS -lt $deadline ]; do
	[ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -ge 5 ] && break
	sleep 0.05
done
sleep 0.5
kill -INT $pid
sleep 0.2
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "abandon: exit $rc, want 130: $(cat "$TMP/ab.err")"
[ "$(summary books_balanced "$TMP/ab")" = 1 ] || fail "abandon: books"
ab=$(summary conns_abandoned "$TMP/ab")
echo "measured: epoll, two SIGINTs: abandoned $ab"
[ "$ab" -gt 0 ] || fail "nothing abandoned"

# both engines, same mode and script: the same dominant result per op
for mode in fin rst; do
	for e in uring epoll; do
		"$RSTSTORM" run -q --engine $e -c 200 -n 4000 --close $mode \
			--csv "$TMP/$mode-$e" >"$TMP/$mode-$e.out" ||
			fail "$e --close $mode exited $?: $(cat "$TMP/$mode-$e.out")"
		[ "$(summary books_balanced "$TMP/$mode-$e")" = 1 ] ||
			fail "$e --close $mode: books"
	done
	for op in 1 2 3 4; do
		du=$(dominant $mode $op "$TMP/$mode-uring")
		de=$(dominant $mode $op "$TMP/$mode-epoll")
		echo "measured: $mode op $op: uring $du ($(share $mode $op "$du" "$TMP/$mode-uring")) epoll $de ($(share $mode $op "$de" "$TMP/$mode-epoll"))"
		[ -n "$du" ] || fail "$mode op $op: no uring result"
		[ "$du" = "$de" ] || fail "$mode op $op: uring $du, epoll $de"
	done
done
exit 0
