# --netns: the run gets a namespace of its own, so the kernel's counters
# are the run's alone, and the ones with a one-to-one meaning reconcile
# exactly with what rststorm counted. Without CAP_SYS_ADMIN the namespace
# comes through a user namespace: t_netns_user.sh.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "not root: no network namespace"
ip netns add "rststorm-probe-$$" 2>/dev/null || skip "network namespaces not available here"
ip netns del "rststorm-probe-$$"

"$RSTSTORM" run -q --netns -c 200 -n 4000 \
	--close fin=1,rst=1,unread=1,shutdown=1 --csv "$TMP/r" >"$TMP/out" ||
	fail "exit $?: $(cat "$TMP/out")"
grep -q "this run's namespace" "$TMP/out" || fail "no kernel line: $(cat "$TMP/out")"
delta() { awk -F, -v c="$1" '$4 == c { print $7 }' "$TMP/r/mib.csv"; }
started=$(summary conns_started "$TMP/r")
accepted=$(summary srv_accepted "$TMP/r")
rst=$(summary srv_closed_rst "$TMP/r")
unread=$(summary srv_closed_unread "$TMP/r")
echo "measured: ActiveOpens $(delta Tcp.ActiveOpens)/$started PassiveOpens $(delta Tcp.PassiveOpens)/$accepted TCPAbortOnClose $(delta TcpExt.TCPAbortOnClose)/$unread TCPAbortOnData $(delta TcpExt.TCPAbortOnData)>=$rst OutRsts $(delta Tcp.OutRsts)>=$((rst + unread))"
[ "$(delta Tcp.ActiveOpens)" = "$started" ] || fail "ActiveOpens != connections started"
[ "$(delta Tcp.PassiveOpens)" = "$accepted" ] || fail "PassiveOpens != accepted"
[ "$(delta TcpExt.TCPAbortOnClose)" = "$unread" ] || fail "TCPAbortOnClose != unread closes"
[ "$(delta TcpExt.TCPAbortOnData)" -ge "$rst" ] || fail "TCPAbortOnData < linger-0 closes"
[ "$(delta Tcp.OutRsts)" -ge $((rst + unread)) ] || fail "OutRsts < RST closes"
[ "$(delta TcpExt.ListenOverflows)" = 0 ] || fail "listen overflow at -c 200"

exit 0
