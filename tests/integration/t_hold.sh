# --hold at -c 2000: every connection is established and held at once, then
# the servers close them all in one storm; the client runs the script on
# every one after its close, and the books balance.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q -c 2000 --hold -d 30s --close fin=1,rst=1,unread=1,shutdown=1 \
	--csv "$TMP/r" >"$TMP/out" || fail "exit $?: $(cat "$TMP/out")"
grep -q '^hold  *established 2000 of 2000' "$TMP/out" ||
	fail "no hold line: $(cat "$TMP/out")"
hold() { awk -F, -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
	NR == 2 { print $k }' "$TMP/r/hold.csv"; }
[ -s "$TMP/r/hold.csv" ] || fail "no hold.csv"
h=$(head -n1 "$TMP/r/hold.csv")
grep -qF "$h" "$(dirname "$0")/../../docs/csv.md" ||
	fail "hold.csv header is not in docs/csv.md: $h"
echo "measured: established $(hold established) in $(hold establish_s) s, storm $(hold storm_s) s, RSS $(hold rss_before_kb) -> $(hold rss_held_kb) kB, $(hold bytes_per_conn) B/conn"
# all 2000 were held by the servers at the moment the storm was called
[ "$(hold established)" = 2000 ] || fail "established $(hold established), want 2000"
awk -v s="$(hold storm_s)" 'BEGIN { exit !(s > 0) }' || fail "storm_s $(hold storm_s)"
[ "$(hold rss_held_kb)" -gt "$(hold rss_before_kb)" ] || fail "RSS not measured"
# each slot connected once, and every connection completed its script
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "books_balanced is not 1"
[ "$(summary conns_started "$TMP/r")" = 2000 ] || fail "started != 2000"
[ "$(summary conns_completed "$TMP/r")" = 2000 ] || fail "completed != 2000"
[ "$(summary srv_accepted "$TMP/r")" = 2000 ] || fail "accepted != 2000"
closed=0
for m in fin rst unread shutdown; do
	closed=$((closed + $(summary srv_closed_$m "$TMP/r")))
done
[ "$closed" = 2000 ] || fail "server closed $closed, want 2000"
ops=$(awk -F, 'NR > 1 { n += $8 } END { print n }' "$TMP/r/outcomes.csv")
[ "$ops" = 8000 ] || fail "outcomes hold $ops ops, want 4 x 2000"
# no op ran before its connection's close: they all waited for the storm
before=$(awk -F, 'NR > 1 { n += $10 } END { print n + 0 }' "$TMP/r/ops.csv")
[ "$before" = 0 ] || fail "$before ops issued before the close"
expect_op fin 1 ok 0.99 "$TMP/r"
expect_op rst 1 ECONNRESET 0.99 "$TMP/r"
expect_op unread 1 ECONNRESET 0.99 "$TMP/r"
expect_op shutdown 1 ok 0.99 "$TMP/r"

# the same through the ordinary-fd server: it says where its limit is
"$RSTSTORM" run -q -c 500 --hold --no-server-direct --csv "$TMP/f" >"$TMP/out2" ||
	fail "ordinary fds: exit $?: $(cat "$TMP/out2")"
grep -q '^limit: server sockets are ordinary fds.*RLIMIT_NOFILE' "$TMP/out2" ||
	fail "no limit line: $(head -n3 "$TMP/out2")"
grep -q '^hold  *established 500 of 500' "$TMP/out2" || fail "ordinary fds: not all held"
[ "$(summary books_balanced "$TMP/f")" = 1 ] || fail "ordinary fds: books"

# the storm starts only on a successful poll: with every poll of the storm's
# eventfd failing (a shim hands out an O_PATH fd), the servers say so, hold
# on, and fail the run; nothing storms early
if ${CC:-cc} -shared -fPIC -o "$TMP/fail_eventfd.so" \
	"$(dirname "$0")/fail_eventfd.c" 2>"$TMP/cc"; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		LD_PRELOAD="$TMP/fail_eventfd.so" "$RSTSTORM" run -q --hold -c 20 \
		-d 5s --server-threads 1 --ports 1 >"$TMP/out3" 2>"$TMP/e3"
	rc=$?
	echo "measured: storm poll failing: exit $rc: $(tail -n1 "$TMP/e3")"
	[ $rc -eq 1 ] || fail "storm poll failing: exit $rc, want 1"
	grep -q "server 0: --hold: the poll for the storm's call failed 3 times in a row, last with Bad file descriptor (EBADF)" \
		"$TMP/e3" || fail "storm poll error not named: $(cat "$TMP/e3")"
	grep -q "cannot call the storm" "$TMP/e3" && fail "$(cat "$TMP/e3")"
	grep -q '^hold .*storm unfinished' "$TMP/out3" ||
		fail "a storm ran: $(grep '^hold' "$TMP/out3")"
else
	echo "not run: cannot build the eventfd shim: $(cat "$TMP/cc")"
fi

# --hold's options that cannot go together are refused
"$RSTSTORM" run --hold --wait none >/dev/null 2>"$TMP/e" && fail "--hold --wait none ran"
grep -q -- '--wait' "$TMP/e" || fail "$(cat "$TMP/e")"
exit 0
