# The clock's honesty: every run reports the client loop's pass durations
# (the width of the uncertainty of the pass's one clock read) in
# summary.csv, histograms.csv and the table, for both engines. The
# durations are measured, not judged: the test asserts the fields exist,
# are ordered (p50 <= p90 <= p99 <= p99.9 <= max) and are above zero.
# The epoll engine's syscalls run in the loop, so it reads the clock per
# step: every step that completed opens a window of its own, so its
# pass_ns count is at least the steps of its 2000 connections (7 each:
# socket, connect, hello, wait, three sends, recv, close less the ops a
# close cut short; 5 is the floor asserted); io_uring reads once per pass
# and has far fewer.
. "$(dirname "$0")/lib.sh"

check_engine() {
	local e=$1 d=$TMP/$1 prev=0 v k n
	"$RSTSTORM" run -q -c 200 -n 2000 --engine "$e" --csv "$d" \
		>"$TMP/$e.out" || fail "$e: exit $?"
	for k in p50 p90 p99 p99_9 max; do
		v=$(summary "pass_${k}_us" "$d")
		[ -n "$v" ] || fail "$e: pass_${k}_us missing"
		awk -v a="$v" -v b="$prev" 'BEGIN { exit !(a + 0 >= b + 0 && a + 0 > 0) }' ||
			fail "$e: pass_${k}_us $v is not above 0 and >= the one before ($prev)"
		prev=$v
		echo "measured: $e pass_${k}_us $v"
	done
	# the histogram behind them: one row per bucket, all with op 0
	n=$(awk -F, '$4 == "pass_ns" && $5 == "all" && $6 == 0 { n += $10 }
		END { print n + 0 }' "$d/histograms.csv")
	[ "$n" -gt 0 ] || fail "$e: no pass_ns rows in histograms.csv"
	echo "measured: $e pass_ns windows $n for 2000 connections"
	if [ "$e" = epoll ]; then
		[ "$n" -ge 10000 ] ||
			fail "epoll: $n stamp windows for 2000 connections: the clock is not read per step (want >= 10000)"
	fi
	grep -q '^clock        pass    p50 ' "$TMP/$e.out" ||
		fail "$e: no clock line in the table: $(cat "$TMP/$e.out")"
}

check_engine uring
check_engine epoll
echo ok
