# rststorm serve + run --target on loopback: the books balance, the
# outcomes are the embedded run's for the same seed (FIN: op 1 ok, op 2
# EPIPE; RST: op 1 ECONNRESET), the time since the close comes from the
# server's stamps (same host), a client with another seed is refused, and a
# hello with another plan tag is counted by the server.
. "$(dirname "$0")/lib.sh"

SEED=4242
"$RSTSTORM" serve --seed $SEED --close fin=1,rst=1 --csv "$TMP/s" \
	>"$TMP/serve.out" 2>"$TMP/serve.err" &
spid=$!
trap 'kill -9 $spid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for "$TMP/serve.out" '^listening on ' 10 ||
	fail "serve printed no listening line: $(cat "$TMP/serve.err")"
# the first line is the listener, before anything else
head -n1 "$TMP/serve.out" | grep -q '^listening on 127\.0\.0\.1:[0-9]*$' ||
	fail "first line: $(head -n1 "$TMP/serve.out")"
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/serve.out")

# the client takes the server's seed and mix when --seed is left out
"$RSTSTORM" run -q -c 100 -n 3000 --target 127.0.0.1:$port \
	--ops write,write,read --csv "$TMP/t" >"$TMP/t.out" 2>"$TMP/t.err" ||
	fail "run --target exited $?: $(cat "$TMP/t.err")"
grep -q "^clock: stamp: " "$TMP/t.out" || fail "clock: $(grep clock "$TMP/t.out")"
[ "$(summary seed "$TMP/t")" = $SEED ] || fail "seed not taken from the server"
[ "$(summary clock "$TMP/t")" = stamp ] || fail "summary clock $(summary clock "$TMP/t")"
[ "$(summary target "$TMP/t")" = "127.0.0.1:$port" ] || fail "summary target $(summary target "$TMP/t")"
[ "$(summary family "$TMP/t")" = ipv4 ] || fail "summary family"
[ "$(summary books_balanced "$TMP/t")" = 1 ] || fail "target run: books"
[ "$(summary conns_completed "$TMP/t")" = 3000 ] ||
	fail "completed $(summary conns_completed "$TMP/t") of 3000"
expect_op fin 1 ok 0.95 "$TMP/t"
expect_op fin 2 EPIPE 0.95 "$TMP/t"
expect_op rst 1 ECONNRESET 0.95 "$TMP/t"

# the embedded run with the same seed: the same dominant result per cell
"$RSTSTORM" run -q -c 100 -n 3000 --seed $SEED --close fin=1,rst=1 \
	--ops write,write,read --csv "$TMP/e" >"$TMP/e.out" ||
	fail "embedded run exited $?"
for m in fin rst; do
	for o in 1 2 3; do
		a=$(dominant $m $o "$TMP/t")
		b=$(dominant $m $o "$TMP/e")
		[ "$a" = "$b" ] || fail "$m op $o: target $a, embedded $b"
	done
done
# stamps crossed the process boundary: every op has a time since the close
awk -F, 'NR > 1 && ($10 != 0 || $16 + 0 <= 0) { bad = 1 } END { exit bad }' \
	"$TMP/t/ops.csv" || fail "ops without a stamp: $(cat "$TMP/t/ops.csv")"
echo "measured: target fin op 1 since close p50 $(awk -F, '$4 == "fin" && $5 == 1 { print $16 }' "$TMP/t/ops.csv") us"

# another seed is refused before any connection, naming both
"$RSTSTORM" run -q -c 10 -n 100 --seed 1 --target 127.0.0.1:$port \
	>"$TMP/m.out" 2>"$TMP/m.err"
rc=$?
[ $rc -eq 1 ] || fail "seed mismatch: exit $rc, want 1"
grep -q "seed mismatch: the server plans with --seed $SEED" "$TMP/m.err" ||
	fail "mismatch message: $(cat "$TMP/m.err")"
[ -s "$TMP/m.out" ] && fail "a refused run printed a report: $(cat "$TMP/m.out")"

# a hello whose plan tag is not the server's (zeros) is counted by serve
exec 3<>/dev/tcp/127.0.0.1/$port || fail "raw connect"
printf 'RSTS\x01\x00\x00\x00\x07\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00pppppppp' >&3
cat <&3 >/dev/null 2>&1
exec 3<&-

kill -TERM $spid
wait $spid
rc=$?
[ $rc -eq 0 ] || fail "serve exited $rc after SIGTERM: $(cat "$TMP/serve.err")"
col() { csv_col "$1" "$TMP/s/serve.csv"; }
[ "$(col srv_seed_mismatch)" = 1 ] || fail "srv_seed_mismatch $(col srv_seed_mismatch), want 1"
# one query at the start and one at the end of the target run, one for
# the refused run
[ "$(col srv_queries)" = 3 ] || fail "srv_queries $(col srv_queries), want 3"
fin=$(col srv_closed_fin) rst=$(col srv_closed_rst)
[ $((fin + rst)) -eq 3001 ] || fail "serve closed $fin + $rst, want 3001"
[ "$(col srv_close_errors)" = 0 ] || fail "close errors"
grep -q "seed mismatches 1" "$TMP/serve.out" || fail "serve's table: $(tail -n2 "$TMP/serve.out")"
echo "measured: serve closed fin $fin rst $rst"

# serve on ordinary fds (its fallback path: inline close calls, the query
# answered by send(2)) with all four modes, clients on the epoll engine
"$RSTSTORM" serve --no-server-direct --seed 5 --close fin=1,rst=1,unread=1,shutdown=1 \
	--csv "$TMP/s2" >"$TMP/serve2.out" 2>"$TMP/serve2.err" &
spid=$!
wait_for "$TMP/serve2.out" '^listening on ' 10 || fail "serve --no-server-direct did not start"
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/serve2.out")
"$RSTSTORM" run -q -c 50 -n 2000 --engine epoll --target 127.0.0.1:$port \
	--ops write,write,read --csv "$TMP/t2" >"$TMP/t2.out" 2>"$TMP/t2.err" ||
	fail "run --engine epoll --target: exit $?: $(cat "$TMP/t2.err")"
kill -TERM $spid
wait $spid || fail "serve --no-server-direct exited $?"
[ "$(summary books_balanced "$TMP/t2")" = 1 ] || fail "fd path: books"
expect_op unread 1 ECONNRESET 0.95 "$TMP/t2"
expect_op shutdown 1 ok 0.95 "$TMP/t2"
expect_op shutdown 3 eof 0.95 "$TMP/t2"
col2() { csv_col "$1" "$TMP/s2/serve.csv"; }
[ "$(col2 server_sockets)" = fd ] || fail "serve.csv server_sockets $(col2 server_sockets)"
[ "$(col2 srv_queries)" = 2 ] && [ "$(col2 srv_query_errors)" = 0 ] ||
	fail "fd path queries $(col2 srv_queries) errors $(col2 srv_query_errors)"
[ "$(col2 srv_seed_mismatch)" = 0 ] || fail "fd path: seed mismatches"
# serve in another PID namespace: its pid means nothing here, so its
# stamps cannot be found; the client says so and uses the seen clock (the
# completion of the wait that saw the close), still timing every op
if unshare -p --kill-child=TERM true 2>/dev/null; then
	unshare -p --kill-child=TERM "$RSTSTORM" serve --seed 6 >"$TMP/serve3.out" 2>"$TMP/serve3.err" &
	spid=$!
	wait_for "$TMP/serve3.out" '^listening on ' 10 || fail "serve in a PID namespace did not start"
	port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/serve3.out")
	"$RSTSTORM" run -q -c 50 -n 1000 --target 127.0.0.1:$port --csv "$TMP/t3" \
		>"$TMP/t3.out" 2>"$TMP/t3.err" || fail "run against serve in a PID namespace: $(cat "$TMP/t3.err")"
	# unshare ignores SIGTERM while it waits: serve is its child
	kill -TERM $(cat /proc/$spid/task/$spid/children)
	wait $spid
	grep -q '^clock: seen: this host, but .*/proc/[0-9]*/fd/[0-9]*' "$TMP/t3.out" ||
		fail "clock line: $(grep clock "$TMP/t3.out")"
	[ "$(summary clock "$TMP/t3")" = seen ] || fail "summary clock $(summary clock "$TMP/t3")"
	[ "$(summary books_balanced "$TMP/t3")" = 1 ] || fail "seen clock: books"
	awk -F, 'NR > 1 && ($10 != 0 || $7 != $8) { bad = 1 } END { exit bad }' "$TMP/t3/ops.csv" ||
		fail "seen clock: an op without a time since the close: $(cat "$TMP/t3/ops.csv")"
	echo "measured: seen clock, fin op 1 since the FIN was seen p50 $(awk -F, '$4 == "fin" && $5 == 1 { print $16 }' "$TMP/t3/ops.csv") us"
else
	echo "# unshare -p unavailable: the seen clock on one host is left out"
fi
exit 0
