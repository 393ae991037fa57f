# SIGINT stops the run: partial report printed and written, marked
# interrupted, books still balanced, exit 130.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -c 500 -d 60s -t 1 --server-threads 1 --csv "$TMP/r" >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/out" '^path:' 10 || { kill -9 $pid; fail "no start line"; }
# the client thread is up once the process has 3 threads
deadline=$((SECONDS + 10))
while [ $SECONDS -lt $deadline ]; do
	n=$(ls /proc/$pid/task 2>/dev/null | wc -l)
	[ "$n" -ge 3 ] && break
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "exit $rc, want 130: $(cat "$TMP/err")"
grep -q INTERRUPTED "$TMP/out" || fail "table not marked interrupted"
[ "$(summary interrupted "$TMP/r")" = 2 ] || fail "summary.csv interrupted is not 2 (SIGINT)"
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "books do not balance"
el=$(summary elapsed_s "$TMP/r")
echo "measured: stopped after ${el}s of 60s, completed $(summary conns_completed "$TMP/r")"
awk -v e="$el" 'BEGIN { exit !(e < 30) }' || fail "took ${el}s to stop"
ls -A "$TMP/r" | grep -q '^\.' && fail "temporary files left in the report dir"
exit 0
