#!/usr/bin/env bash
# Emulated links (src/link.c) through the link-rtt program: a TCP connection
# across a 20 ms link measures a round trip (min_rtt) of at least 19.9 ms
# and at most 30 ms, and a smoothed one of at least 19.9 ms (its excess is
# printed: it grows with the machine's load); loss=100% blocks the connection and
# the delay line counts the losses; a full queue drops and counts; many
# connections at once all get through; IPv6 too; connections spread over
# client sources come from that many addresses; nothing is left behind after close
# (no namespace held, no device in the host namespace, no named
# namespace); --kind netem is refused in one line where the kernel has no
# sch_netem, and its veth pair carries traffic when nothing is shaped;
# without root, and without tun and netem, one line says what is missing;
# bad specs exit 2 with one line.
. "$(dirname "$0")/lib.sh"
LINK_RTT=${LINK_RTT:-$(cd "$(dirname "$0")/../.." && pwd)/build/rel/link-rtt}
[ -x "$LINK_RTT" ] || { echo "no link-rtt at $LINK_RTT: run make"; exit 1; }
[ "$(id -u)" = 0 ] || skip "emulated links need root (network namespaces, tun)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun: the delay line needs the tun driver (modprobe tun)"
unshare -n true 2>/dev/null || skip "cannot make a network namespace (unshare -n failed)"

# field NAME FILE: the value of NAME=... on the "measured:" line
field() { sed -n "s/^measured:.* $1=\([^ ]*\).*/\1/p" "$2"; }
# counter DIR NAME FILE: a delay line counter of one direction
counter() { sed -n 's/^counters: //p' "$3" | tr ';' '\n' | grep -- "$1 " |
	sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }

links_before=$(ip -o link show | awk -F': ' '{print $2}' | sort)
netns_before=$(ip netns list 2>/dev/null | sort)

# 1. a 20 ms link
"$LINK_RTT" --link rtt=20ms --conns 1 --pings 20 >"$TMP/20" 2>&1 ||
	fail "link-rtt rtt=20ms exited $?: $(cat "$TMP/20")"
cat "$TMP/20"
[ "$(field conns "$TMP/20")" = 1/1 ] || fail "rtt=20ms: the connection was not established"
minrtt=$(field min_rtt_us "$TMP/20" | cut -d/ -f1)
srtt=$(field srtt_us "$TMP/20" | cut -d/ -f1)
echo "measured: rtt=20ms: tcpi_min_rtt ${minrtt} us, tcpi_rtt ${srtt} us"
# the hold is never shorter than asked (a packet leaves at its due time or
# later); above, the box's scheduling latency, bounded generously
{ [ "$minrtt" -ge 19900 ] && [ "$minrtt" -le 30000 ]; } ||
	fail "rtt=20ms: tcpi_min_rtt $minrtt us is outside 19900..30000 us"
# the smoothed RTT also carries the endpoints' scheduling delays, which
# grow with the machine's load: bounded below only (measured above)
[ "$srtt" -ge 19900 ] || fail "rtt=20ms: tcpi_rtt $srtt us is below 19900 us"
grep -q '^closed: no namespace reference or device left' "$TMP/20" ||
	fail "rtt=20ms: no 'closed' line"

# 2. loss=100% blocks the connection
"$LINK_RTT" --link rtt=1ms,loss=100% --timeout 2s >"$TMP/loss" 2>&1 ||
	fail "link-rtt loss=100% exited $?: $(cat "$TMP/loss")"
cat "$TMP/loss"
[ "$(field conns "$TMP/loss")" = 0/1 ] || fail "loss=100%: a connection was established"
[ "$(counter to_server forwarded "$TMP/loss")" = 0 ] || fail "loss=100%: packets reached the server"
[ "$(counter to_client forwarded "$TMP/loss")" = 0 ] || fail "loss=100%: packets reached the client"
lost=$(counter to_server lost "$TMP/loss")
[ "${lost:-0}" -ge 1 ] || fail "loss=100%: no loss counted toward the server"
echo "measured: loss=100%: ${lost} packets lost toward the server in 2 s (SYN and retries)"

# 3. a queue of 2 packets at 1 Mbit/s: a 16 KiB burst overflows it
"$LINK_RTT" --link rtt=1ms,rate=1mbit,limit=2 --bytes 16384 --pings 2 --timeout 30s >"$TMP/full" 2>&1 ||
	fail "link-rtt limit=2 exited $?: $(cat "$TMP/full")"
[ "$(field conns "$TMP/full")" = 1/1 ] || fail "limit=2: the connection was not established"
[ "$(field pings "$TMP/full")" = 2 ] || fail "limit=2: the pings did not get through (TCP retransmits should carry them)"
full=$(counter to_server dropped_full "$TMP/full")
[ "${full:-0}" -ge 1 ] || fail "limit=2: no drop counted on a full queue: $(cat "$TMP/full")"
echo "measured: limit=2 rate=1mbit: ${full} packets dropped on a full queue toward the server, retrans $(field retrans "$TMP/full")"

# 4. many connections at once
"$LINK_RTT" --link rtt=5ms --conns 200 --pings 10 >"$TMP/load" 2>&1 ||
	fail "link-rtt 200 connections exited $?: $(cat "$TMP/load")"
[ "$(field conns "$TMP/load")" = 200/200 ] || fail "200 connections: not all established: $(cat "$TMP/load")"
[ "$(field pings "$TMP/load")" = 2000 ] || fail "200 connections: not every ping came back: $(cat "$TMP/load")"
m=$(field min_rtt_us "$TMP/load")
[ "${m%%/*}" -ge 4900 ] || fail "200 connections: a min_rtt of ${m%%/*} us is below the 5 ms asked"
echo "measured: rtt=5ms 200 connections: tcpi_min_rtt min/median/max $m us, app $(field app_rtt_us "$TMP/load") us (min/median/p99)"

# 4b. the same over the link's IPv6 addresses (where the kernel has IPv6)
"$LINK_RTT" --link rtt=5ms --pings 10 --ipv6 >"$TMP/v6" 2>&1 ||
	fail "link-rtt --ipv6 exited $?: $(cat "$TMP/v6")"
if grep -q '^link:.*2001:2::1 <-> 2001:2::2' "$TMP/v6"; then
	[ "$(field conns "$TMP/v6")" = 1/1 ] || fail "IPv6: the connection was not established: $(cat "$TMP/v6")"
	m=$(field min_rtt_us "$TMP/v6")
	{ [ "${m%%/*}" -ge 4900 ] && [ "${m%%/*}" -le 15000 ]; } || fail "IPv6 rtt=5ms: min_rtt ${m%%/*} us is outside 4900..15000 us"
	echo "measured: IPv6 rtt=5ms: tcpi_min_rtt ${m%%/*} us"
else
	echo "# no IPv6 on the link here: $(head -n1 "$TMP/v6")"
fi

# 4c. client sources: 8 connections over 4 client addresses reach the
# server from 4 distinct addresses, in both families
for fam in "" --ipv6; do
	[ -n "$fam" ] && ! grep -q '2001:2::1 <-> 2001:2::2' "$TMP/v6" && continue
	"$LINK_RTT" --link rtt=1ms --conns 8 --sources 4 --pings 2 $fam >"$TMP/src" 2>&1 ||
		fail "link-rtt --sources 4 $fam exited $?: $(cat "$TMP/src")"
	[ "$(field conns "$TMP/src")" = 8/8 ] || fail "--sources 4 $fam: not all connected: $(cat "$TMP/src")"
	[ "$(field sources_seen "$TMP/src")" = 4 ] || fail "--sources 4 $fam: the server saw $(field sources_seen "$TMP/src") addresses, want 4"
done

# 5. the kernel's path: netem where the kernel has it; a veth pair alone
# when nothing is to be shaped (this part runs on any kernel)
if unshare -n sh -c 'ip link set lo up && tc qdisc add dev lo root netem delay 1ms' 2>/dev/null; then
	echo "# this kernel has sch_netem: --kind netem is not refused here"
	"$LINK_RTT" --link rtt=20ms --kind netem --pings 10 >"$TMP/netem" 2>&1 ||
		fail "link-rtt --kind netem exited $?: $(cat "$TMP/netem")"
	grep -q '^link: netem' "$TMP/netem" || fail "--kind netem: not the netem path: $(cat "$TMP/netem")"
	m=$(field min_rtt_us "$TMP/netem")
	echo "measured: netem rtt=20ms: tcpi_min_rtt ${m%%/*} us"
	[ "${m%%/*}" -ge 19900 ] || fail "netem rtt=20ms: min_rtt ${m%%/*} us"
	netem=1
else
	netem=0
	"$LINK_RTT" --link rtt=20ms --kind netem >"$TMP/netem" 2>&1
	rc=$?
	[ $rc = 3 ] || fail "--kind netem without sch_netem: exit $rc, want 3: $(cat "$TMP/netem")"
	[ "$(wc -l <"$TMP/netem")" = 1 ] || fail "--kind netem without sch_netem: not one line: $(cat "$TMP/netem")"
	grep -q 'no sch_netem' "$TMP/netem" || fail "--kind netem: the message does not say sch_netem is missing: $(cat "$TMP/netem")"
	"$LINK_RTT" --link rtt=1ms --pings 5 >"$TMP/auto" 2>&1 || fail "link-rtt auto exited $?: $(cat "$TMP/auto")"
	grep -q '^link: delay line' "$TMP/auto" || fail "auto without sch_netem: not the delay line: $(cat "$TMP/auto")"
fi
"$LINK_RTT" --link rtt=0ms --kind netem --pings 10 --ipv6 >"$TMP/veth" 2>&1 ||
	fail "link-rtt rtt=0ms --kind netem exited $?: $(cat "$TMP/veth")"
grep -q '^link: veth' "$TMP/veth" || fail "rtt=0ms --kind netem: not the veth pair alone: $(cat "$TMP/veth")"
[ "$(field conns "$TMP/veth")" = 1/1 ] || fail "veth: the connection was not established"
[ "$(field pings "$TMP/veth")" = 10 ] || fail "veth: not every ping came back"
s=$(field srtt_us "$TMP/veth")
# a SYN-ACK lost while a new pair settles is retried after 1 s and leaves srtt
# in the hundreds of ms: rs_link_open waits until a connection gets through
[ "${s%%/*}" -lt 100000 ] || fail "veth: srtt ${s%%/*} us: the link was used before it ran"
grep -q '^closed: no namespace reference or device left' "$TMP/veth" || fail "veth: no 'closed' line"
echo "measured: veth pair alone: tcpi_min_rtt $(field min_rtt_us "$TMP/veth") us, srtt ${s%%/*} us"

# 6. what cannot be made here says so in one line (exit 3 from link-rtt)
# without root: no namespace (where nobody can reach link-rtt at all)
if setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$LINK_RTT" 2>/dev/null; then
	setpriv --reuid 65534 --regid 65534 --clear-groups "$LINK_RTT" --link rtt=1ms >"$TMP/nobody" 2>&1
	rc=$?
	[ $rc = 3 ] || fail "as nobody: exit $rc, want 3: $(cat "$TMP/nobody")"
	[ "$(wc -l <"$TMP/nobody")" = 1 ] || fail "as nobody: not one line: $(cat "$TMP/nobody")"
	grep -q 'CAP_SYS_ADMIN' "$TMP/nobody" || fail "as nobody: the message does not say what is needed: $(cat "$TMP/nobody")"
else
	echo "# not run as nobody: that user cannot reach $LINK_RTT"
fi
# no /dev/net/tun (hidden in a mount namespace) and no sch_netem: neither path
if [ $netem = 0 ]; then
	# shellcheck disable=SC2016 # $0 is the inner shell's: link-rtt
	unshare -m sh -c 'mount -t tmpfs none /dev/net && exec "$0" --link rtt=1ms' "$LINK_RTT" >"$TMP/neither" 2>&1
	rc=$?
	[ $rc = 3 ] || fail "no tun, no netem: exit $rc, want 3: $(cat "$TMP/neither")"
	[ "$(wc -l <"$TMP/neither")" = 1 ] || fail "no tun, no netem: not one line: $(cat "$TMP/neither")"
	grep -q 'no sch_netem.*/dev/net/tun.*modprobe tun' "$TMP/neither" ||
		fail "no tun, no netem: the line does not name both: $(cat "$TMP/neither")"
fi

# 7. nothing left behind in the host namespace
links_after=$(ip -o link show | awk -F': ' '{print $2}' | sort)
[ "$links_before" = "$links_after" ] || fail "host devices changed: before '$links_before' after '$links_after'"
[ "$netns_before" = "$(ip netns list 2>/dev/null | sort)" ] || fail "named namespaces changed"

# 8. bad specs: exit 2, one line naming the field
for bad in 'rtt=20' 'loss=1%' 'rtt=1ms,loss=2' 'rtt=1ms,jitter=5ms' 'rtt=1ms,speed=1mbit'; do
	"$LINK_RTT" --link "$bad" >"$TMP/bad" 2>&1
	rc=$?
	[ $rc = 2 ] || fail "--link $bad: exit $rc, want 2"
	[ "$(wc -l <"$TMP/bad")" = 1 ] || fail "--link $bad: not one line: $(cat "$TMP/bad")"
	grep -q -- '--link' "$TMP/bad" || fail "--link $bad: the message does not name --link"
done
echo "ok"
