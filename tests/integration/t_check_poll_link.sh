# The poll for the error really waits: over an emulated link of 4 ms the
# RST a write draws is a round trip away, so a second write right after
# the first is accepted (fin-write3's 2nd write: ok, measured), while with
# poll(2) for POLLERR|POLLHUP between them (fin-poll-write, inline and on
# io-wq) the second write gets EPIPE in every trial.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "emulated links need root (network namespaces, tun)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun: the delay line needs the tun driver (modprobe tun)"
unshare -n true 2>/dev/null || skip "cannot make a network namespace (unshare -n failed)"

"$RSTSTORM" check -q --link rtt=4ms --trials 20 --load-c 0 --csv "$TMP/c" \
	fin-poll-write fin-poll-write-async fin-write3 >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "check --link: exit $rc: $(grep -A3 DIFF "$TMP/out" | head)"
# cells.csv: 2 scenario, 3 phase, 6 op_index, 8 result, 9 count
cell() {
	awk -F, -v s="$1" -v o="$2" -v r="$3" '
		NR > 1 && $2 == s && $3 == "alone" && $6 == o && $8 == r { c = $9 }
		END { print c + 0 }' "$TMP/c/cells.csv"
}
for sc in fin-poll-write fin-poll-write-async; do
	p=$(cell $sc 2 ok)
	e=$(cell $sc 3 EPIPE)
	echo "measured: $sc over rtt=4ms: poll-err ok $p/20, 2nd send EPIPE $e/20"
	[ "$p" -eq 20 ] && [ "$e" -eq 20 ] || fail "$sc: poll ok $p, EPIPE $e of 20"
done
ok=$(cell fin-write3 2 ok)
echo "measured: fin-write3 over rtt=4ms without the wait: 2nd send ok $ok/20"
exit 0
