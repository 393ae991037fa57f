# Faults around serve and run --target: a serve killed mid-run (the
# clients' books still balance, failures by phase and errno), a port in
# use, a target nobody listens on, and one that cannot be reached (an
# empty network namespace): each one line with the errno and what to do.
# Two clients on the same ids of one serve at once: the second refused.
# (t_fleet.sh: the same faults for a fleet across simulated hosts.)
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" serve --seed 9 >"$TMP/serve.out" 2>"$TMP/serve.err" &
spid=$!
trap 'kill -9 $spid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for "$TMP/serve.out" '^listening on ' 10 || fail "serve did not start"
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/serve.out")

# a port in use: one line naming the address, the errno and what to do
"$RSTSTORM" serve --listen 127.0.0.1:$port >"$TMP/inuse.out" 2>"$TMP/inuse.err"
rc=$?
[ $rc -eq 1 ] || fail "port in use: exit $rc, want 1"
[ "$(wc -l <"$TMP/inuse.err")" -eq 1 ] || fail "port in use: $(cat "$TMP/inuse.err")"
grep -q "cannot listen on 127.0.0.1:$port: .*(EADDRINUSE): .*port 0" "$TMP/inuse.err" ||
	fail "port in use: $(cat "$TMP/inuse.err")"
grep -q '^listening on' "$TMP/inuse.out" && fail "a listener that failed was announced"

# two clients on this host on the same ids at once: the second is refused
# before any connection, in one line (its connections would overwrite the
# close stamps the first reads); the first runs on undisturbed. It runs
# until told to stop (SIGINT), so the refusals below meet it running
# however slow the machine is.
"$RSTSTORM" run -q -c 4 -d 120s --rate 100 --client-index 1/2 \
	--target 127.0.0.1:$port >"$TMP/ida.out" 2>"$TMP/ida.err" &
idpid=$!
wait_for "$TMP/ida.out" '^clock: ' 10 || fail "first client did not start: $(cat "$TMP/ida.err")"
grep -q '^clock: stamp: ' "$TMP/ida.out" || fail "first client: $(grep '^clock' "$TMP/ida.out")"
"$RSTSTORM" run -q -c 4 -n 10 --client-index 1/2 --target 127.0.0.1:$port \
	>"$TMP/idb.out" 2>"$TMP/idb.err"
rc=$?
[ $rc -eq 1 ] || fail "same ids at once: exit $rc, want 1"
[ "$(wc -l <"$TMP/idb.err")" -eq 1 ] || fail "same ids: not one line: $(cat "$TMP/idb.err")"
grep -q "^rststorm run: --target 127.0.0.1:$port: serve's connection ids 500000..500003 are in use by another client on this host now: .*--client-index I/N" "$TMP/idb.err" ||
	fail "same ids: $(cat "$TMP/idb.err")"
[ -s "$TMP/idb.out" ] && fail "same ids: a run started"
# overlapping, not equal: -c 500001 without an index takes ids 0..500000,
# and 500000 is the first client's
"$RSTSTORM" run -q -c 500001 -n 10 -t 1 --target 127.0.0.1:$port \
	>"$TMP/idc.out" 2>"$TMP/idc.err"
rc=$?
[ $rc -eq 1 ] || fail "overlapping ids: exit $rc, want 1: $(cat "$TMP/idc.err")"
grep -q "serve's connection ids 0..500000 are in use by another client" "$TMP/idc.err" ||
	fail "overlapping ids: $(cat "$TMP/idc.err")"
kill -0 $idpid 2>/dev/null || fail "first client ended before the refusals were checked"
kill -INT $idpid
wait $idpid
rc=$?
[ $rc -eq 130 ] || fail "first client: exit $rc after SIGINT, want 130: $(cat "$TMP/ida.err")"
# the same ids again, now free: their stamps are the first client's, so
# the seen clock, and the line says why
"$RSTSTORM" run -q -c 4 -n 10 --client-index 1/2 --target 127.0.0.1:$port \
	>"$TMP/idd.out" 2>"$TMP/idd.err" || fail "ids reused: exit $?: $(cat "$TMP/idd.err")"
grep -q "^clock: seen: this host, but [1-4] of serve's close stamps for ids 500000..500003 are another client's (an earlier run with --client-index 1/2" "$TMP/idd.out" ||
	fail "ids reused: $(grep '^clock' "$TMP/idd.out")"
echo "measured: same ids at once: $(cut -c1-120 "$TMP/idb.err")"

# serve dies (SIGKILL) while the clients run: every connection is counted
# somewhere, and the failures name their phase and errno
"$RSTSTORM" run -q -c 100 -d 4s --target 127.0.0.1:$port --csv "$TMP/k" \
	>"$TMP/k.out" 2>"$TMP/k.err" &
cpid=$!
# the clients are running once serve holds an established connection
deadline=$((SECONDS + 20))
until [ -n "$(ss -Htn state established "( sport = :$port )" 2>/dev/null | head -n1)" ]; do
	[ $SECONDS -lt $deadline ] || { kill -9 $cpid; fail "no connection reached serve"; }
	sleep 0.02
done
kill -9 $spid
wait $spid 2>/dev/null
wait $cpid
rc=$?
[ $rc -eq 0 ] || fail "run after serve died: exit $rc: $(cat "$TMP/k.err")"
[ "$(summary books_balanced "$TMP/k")" = 1 ] || fail "books after serve died"
grep -q "^rststorm run: --target 127.0.0.1:$port is gone at the end of the run (connect failed: .*(ECONNREFUSED)" "$TMP/k.err" ||
	fail "no line saying serve is gone: $(cat "$TMP/k.err")"
started=$(summary conns_started "$TMP/k")
completed=$(summary conns_completed "$TMP/k")
failed=$(summary conns_failed "$TMP/k")
abandoned=$(summary conns_abandoned "$TMP/k")
[ $((completed + failed + abandoned)) -eq "$started" ] || fail "books: $started != $completed + $failed + $abandoned"
[ "$failed" -gt 0 ] || fail "no failure after serve died"
# after the kill nothing listens: new connections are refused at connect
grep -q '^2,run,server,connect,ECONNREFUSED,[1-9]' "$TMP/k/failures.csv" ||
	fail "no connect ECONNREFUSED: $(cat "$TMP/k/failures.csv")"
echo "measured: serve killed mid-run: started $started completed $completed failed $failed abandoned $abandoned"
sed -n '2,$p' "$TMP/k/failures.csv" | sed 's/^/measured: failure /'

# serve restarts mid-run on the same port with another seed: the end of
# the run says so (closes after the restart may be under the wrong mode).
# A fixed port below the ephemeral range: the clients' own local ports
# cannot take it while serve is down.
port=$(free_fixed_port) || fail "no free port below the ephemeral range"
"$RSTSTORM" serve --seed 21 --listen 127.0.0.1:$port >"$TMP/a.out" 2>"$TMP/a.err" &
apid=$!
wait_for "$TMP/a.out" '^listening on ' 10 || fail "serve A did not start: $(cat "$TMP/a.err")"
"$RSTSTORM" run -q -c 20 -d 60s --target 127.0.0.1:$port --csv "$TMP/rs" \
	>"$TMP/rs.out" 2>"$TMP/rs.err" &
cpid=$!
wait_threads $cpid 3 10
kill -TERM $apid
wait $apid
"$RSTSTORM" serve --seed 22 --listen 127.0.0.1:$port >"$TMP/b.out" 2>"$TMP/b.err" &
bpid=$!
trap 'kill -9 $spid $bpid $cpid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for "$TMP/b.out" '^listening on ' 10 || fail "serve B did not start: $(cat "$TMP/b.err")"
kill -INT $cpid
wait $cpid
rc=$?
kill -TERM $bpid
wait $bpid
[ $rc -eq 130 ] || fail "run across a restart: exit $rc: $(cat "$TMP/rs.err")"
grep -q "^rststorm run: --target 127.0.0.1:$port restarted during the run (another serve process answers now): it plans with another seed or mix" "$TMP/rs.err" ||
	fail "no restart line: $(cat "$TMP/rs.err")"
[ "$(summary books_balanced "$TMP/rs")" = 1 ] || fail "books across a restart"
grep -q "seed mismatches [1-9]" "$TMP/b.out" || echo "# serve B saw no hello from the old run before the stop"

# nobody listens any more: refused before any client starts
"$RSTSTORM" run -q -n 10 -c 2 --target 127.0.0.1:$port >"$TMP/r.out" 2>"$TMP/r.err"
rc=$?
[ $rc -eq 1 ] || fail "refused target: exit $rc"
grep -q "^rststorm run: --target 127.0.0.1:$port: connect failed: .*(ECONNREFUSED): start rststorm serve" "$TMP/r.err" ||
	fail "refused target: $(cat "$TMP/r.err")"

# unreachable: in an empty namespace even loopback is down
if unshare -n true 2>/dev/null; then
	unshare -n "$RSTSTORM" run -q -n 10 -c 2 --target 127.0.0.1:9 \
		>"$TMP/u.out" 2>"$TMP/u.err"
	rc=$?
	[ $rc -eq 1 ] || fail "unreachable target: exit $rc"
	grep -q "connect failed: .*(ENETUNREACH)" "$TMP/u.err" ||
		fail "unreachable target: $(cat "$TMP/u.err")"
	[ "$(wc -l <"$TMP/u.err")" -eq 1 ] || fail "unreachable: more than one line"
else
	echo "# unshare -n unavailable: the unreachable case is left out"
fi
exit 0
