# The kernel's reason for every RST (tcp:tcp_send_reset through a private
# tracefs instance): check --netns attributes each RST to its trial by the
# pair's ports and every trial of the deterministic scenarios sends exactly
# what the model says (linger 0: TCP_STATE; unread data:
# TCP_ABORT_ON_CLOSE; data to a FIN-closed orphan: one RST,
# TCP_ABORT_ON_DATA from a full socket or TCP_TIMEWAIT_SOCKET from a
# timewait one: the split is a race, measured); the instance is removed at
# the end and on SIGINT; run --netns writes rst_reasons.csv whose total
# covers the namespace's OutRsts.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "not root: no tracefs instance and no network namespace"
T=/sys/kernel/tracing
[ -d $T/instances ] || skip "no tracefs at $T"
[ -r $T/events/tcp/tcp_send_reset/format ] || skip "the kernel has no tcp:tcp_send_reset event"
grep -q 'sk_rst_reason reason;' $T/events/tcp/tcp_send_reset/format ||
	skip "tcp_send_reset has no reason field (kernel before 6.10)"
ip netns add "rststorm-probe-$$" 2>/dev/null || skip "network namespaces not available here"
ip netns del "rststorm-probe-$$"

N=12
"$RSTSTORM" check --netns --trials $N --load-c 0 --gap 10ms --csv "$TMP/c" \
	rst-write2 unread-write2 fin-write3 >"$TMP/out" 2>&1 &
pid=$!
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "check exit $rc: $(grep -E 'DIFF|off [1-9]|RST' "$TMP/out" | head)"
[ ! -e $T/instances/rststorm.$pid ] || fail "instance rststorm.$pid left behind"
grep -q "^RST reasons: traced" "$TMP/out" || fail "not traced: $(grep 'RST reasons' "$TMP/out")"
grep -q "RST reasons: as modelled (0 phases" "$TMP/out" || fail "summary: $(tail -n1 "$TMP/out")"
grep "RSTs alone" "$TMP/out" | sed 's/^/measured: /'
# every trial exact, none off, none racy
n=$(grep -c "RSTs alone:.*trials exact $N, off 0, racy (measured) 0  exact" "$TMP/out")
[ "$n" = 3 ] || fail "not every trial exact: $(grep 'RSTs alone' "$TMP/out")"
csv=$TMP/c/rst_reasons.csv
[ "$(head -n1 "$csv")" = "schema_version,scenario,phase,side,role,state,reason,count,status" ] ||
	fail "header: $(head -n1 "$csv")"
rows() { awk -F, -v s="$1" 'NR > 1 && $2 == s { print $4, $5, $6, $7, $8, $9 }' "$csv"; }
[ "$(rows rst-write2)" = "server closer TCP_CLOSE TCP_STATE $N exact" ] ||
	fail "rst-write2: $(rows rst-write2)"
[ "$(rows unread-write2)" = "server closer TCP_CLOSE TCP_ABORT_ON_CLOSE $N exact" ] ||
	fail "unread-write2: $(rows unread-write2)"
# fin-write3: one RST per trial from the orphan, full or timewait
fin=$(awk -F, 'NR > 1 && $2 == "fin-write3" && $4 == "server" && $9 == "exact" &&
	(($6 == "TCP_CLOSE" && $7 == "TCP_ABORT_ON_DATA") ||
	 ($6 == "TCP_TIME_WAIT" && $7 == "TCP_TIMEWAIT_SOCKET")) { n += $8 }
	NR > 1 && $2 == "fin-write3" { all += $8 } END { print n + 0, all + 0 }' "$csv")
[ "$fin" = "$N $N" ] || fail "fin-write3: $fin (want $N $N): $(rows fin-write3)"
echo "measured: fin-write3: $(rows fin-write3 | awk '{ printf "%s %s; ", $4, $5 }')"
# the reasons' totals agree with the namespace's OutRsts per phase
for s in rst-write2 unread-write2 fin-write3; do
	o=$(awk -F, -v s=$s '$2 == s && $5 == "Tcp.OutRsts" { print $6 }' "$TMP/c/mib.csv")
	[ "$o" = $N ] || fail "$s: OutRsts $o, want $N"
done

# SIGINT in the middle: the instance goes with the process
"$RSTSTORM" check --netns --trials 100000 --load-c 0 --gap 1s --timeout 20s \
	seed-go >"$TMP/sig" 2>&1 &
pid=$!
deadline=$((SECONDS + 20))
while [ ! -d $T/instances/rststorm.$pid ] && [ $SECONDS -lt $deadline ]; do
	sleep 0.05
done
[ -d $T/instances/rststorm.$pid ] || { kill -9 $pid; fail "no instance rststorm.$pid while running"; }
wait_for "$TMP/sig" '^RST reasons: traced' 10 || { kill -9 $pid; fail "no start line: $(cat "$TMP/sig")"; }
wait_threads $pid 3 10
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "SIGINT: exit $rc, want 130"
[ ! -e $T/instances/rststorm.$pid ] || fail "instance rststorm.$pid left behind after SIGINT"

# run --netns: every RST of the namespace has an end on the run's
# listening ports, so the traced total is at least OutRsts; more only when
# another namespace's connection used one of those port numbers in the
# same moment (measured, not asserted)
for mode in rst unread fin; do
	"$RSTSTORM" run --netns -c 50 -n 2000 --close $mode --csv "$TMP/r$mode" \
		>"$TMP/r$mode.out" 2>&1 &
	pid=$!
	wait $pid || fail "run --close $mode: exit $?: $(tail -n3 "$TMP/r$mode.out")"
	[ ! -e $T/instances/rststorm.$pid ] || fail "run: instance rststorm.$pid left behind"
	r=$TMP/r$mode
	[ -f $r/rst_reasons.csv ] || fail "run: no rst_reasons.csv"
	traced=$(awk -F, 'NR > 1 { n += $6 } END { print n + 0 }' $r/rst_reasons.csv)
	out=$(awk -F, '$4 == "Tcp.OutRsts" { print $7 }' $r/mib.csv)
	grep "^RST reasons:" "$r.out" | sed "s/^/measured: --close $mode: /"
	echo "measured: --close $mode: traced $traced, OutRsts $out"
	[ -n "$out" ] && [ "$traced" -ge "$out" ] || fail "--close $mode: traced $traced < OutRsts $out: events lost"
	awk -F, -v m=$mode 'NR > 1 && ($2 != m || $7 != "traced") { exit 1 }' $r/rst_reasons.csv ||
		fail "--close $mode: $(cat $r/rst_reasons.csv)"
done
# linger 0 and unread: all from the server, one reason
grep -q "^2,rst,server,TCP_CLOSE,TCP_STATE," "$TMP/rrst/rst_reasons.csv" ||
	fail "--close rst: $(cat "$TMP/rrst/rst_reasons.csv")"
grep -q "^2,unread,server,TCP_CLOSE,TCP_ABORT_ON_CLOSE," "$TMP/runread/rst_reasons.csv" ||
	fail "--close unread: $(cat "$TMP/runread/rst_reasons.csv")"

# without permission (an unprivileged user, where it can run the binary
# and have a user namespace): one line, the counters alone, a status row
if command -v setpriv >/dev/null; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
	chmod 755 "$TMP"
	mkdir "$TMP/u" && chown 65534:65534 "$TMP/u"
	if as_user "$RSTSTORM" version >/dev/null 2>&1 && as_user unshare -rn true 2>/dev/null; then
		as_user "$RSTSTORM" check --netns --trials 3 --load-c 0 --csv "$TMP/u/c" \
			rst-write2 >"$TMP/u.out" 2>&1 || fail "as nobody: exit $?: $(cat "$TMP/u.out")"
		[ "$(grep -c '^RST reasons: not traced: no permission' "$TMP/u.out")" = 1 ] ||
			fail "as nobody: $(grep 'RST' "$TMP/u.out")"
		[ "$(tail -n +2 "$TMP/u/c/rst_reasons.csv")" = "2,rst-write2,alone,-,-,-,-,0,no-trace" ] ||
			fail "as nobody: $(cat "$TMP/u/c/rst_reasons.csv")"
		echo "measured: as nobody: $(grep '^RST reasons' "$TMP/u.out")"
	else
		echo "measured: the unprivileged fallback not tried (nobody cannot run the binary or has no user namespace)"
	fi
fi
exit 0
