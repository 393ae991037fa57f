# A fleet on simulated hosts: network namespaces on a bridge, one server
# host (198.18.1.1) running rststorm serve and four client hosts
# (198.18.1.11-14) running run --target, each with --client-index I/4 and
# its own report. The merge of the four equals their sum exactly (books,
# every outcome, op, failure and histogram cell), and serve accepted
# exactly the connections that reached it plus the queries. Then the
# faults across hosts: serve killed mid-run (every client's books balance,
# the failures name phase and errno, one line says serve is gone), a
# target port nobody listens on, a subnet with no route, an address on the
# subnet with no host: each one line with the errno and what to do.
# (t_serve_faults.sh covers the same faults on loopback.)
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root: it makes network namespaces"
command -v ip >/dev/null || skip "needs ip(8) from iproute2"
N=4
P=rsf$$
BR=$P-br
SRV=$P-s
SERVE_PID=
CPIDS=
cleanup() {
	# only the processes this test started, by pid
	[ -n "$SERVE_PID" ] && kill -9 $SERVE_PID 2>/dev/null
	for p in $CPIDS; do kill -9 $p 2>/dev/null; done
	for ns in $BR $SRV $(seq -f "$P-c%g" 1 $N); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add $BR 2>"$TMP/ns.err" ||
	skip "network namespaces not available here: $(head -n1 "$TMP/ns.err")"

# the hub: a bridge in its own namespace, so nothing touches this host's
ip -n $BR link add br0 type bridge forward_delay 0 stp_state 0 ||
	skip "no bridge support in this kernel"
ip -n $BR link set br0 up
# host NS ADDR INDEX: a namespace on the bridge with ADDR/24 on its eth0
host() {
	ip netns add "$1" || fail "ip netns add $1"
	ip -n $BR link add v$3 type veth peer name eth0 netns "$1" ||
		skip "no veth support in this kernel"
	ip -n $BR link set v$3 master br0 up || fail "bridge port v$3"
	ip -n "$1" addr add "$2/24" dev eth0 || fail "address $2 in $1"
	ip -n "$1" link set eth0 up || fail "eth0 up in $1"
	ip -n "$1" link set lo up || fail "lo up in $1"
}
host $SRV 198.18.1.1 0
for i in $(seq 1 $N); do
	host $P-c$i 198.18.1.$((10 + i)) $i
done
# every bridge port forwards before traffic starts (poll, no sleep)
deadline=$((SECONDS + 10))
while ip -n $BR -d link show type bridge_slave | grep -q 'state \(listening\|learning\|blocking\|disabled\)'; do
	[ $SECONDS -lt $deadline ] || fail "bridge ports not forwarding: $(ip -n $BR -d link show type bridge_slave)"
	sleep 0.05
done

# start_serve DIR [options]: serve on 198.18.1.1, kernel-chosen port
start_serve() {
	local d=$1
	shift
	ip netns exec $SRV "$RSTSTORM" serve -q --allow-remote \
		--listen 198.18.1.1:0 --csv "$TMP/$d" "$@" \
		>"$TMP/$d.out" 2>"$TMP/$d.err" &
	SERVE_PID=$!
	wait_for "$TMP/$d.out" '^listening on ' 10 ||
		fail "serve did not start: $(cat "$TMP/$d.err")"
	PORT=$(sed -n 's/^listening on 198\.18\.1\.1:\([0-9]*\)$/\1/p' "$TMP/$d.out")
	[ -n "$PORT" ] || fail "no port in: $(cat "$TMP/$d.out")"
}

# fleet_start TAG [run options]: the four clients at once, each in its
# host, --client-index I/4, report in $TMP/TAG-I; fleet_wait TAG waits for
# them and keeps each exit status in $TMP/TAG-I.rc
fleet_start() {
	local tag=$1 i
	shift
	CPIDS=
	for i in $(seq 1 $N); do
		ip netns exec $P-c$i "$RSTSTORM" run -q --allow-remote \
			--client-index $((i - 1))/$N --target 198.18.1.1:$PORT \
			--csv "$TMP/$tag-$i" "$@" \
			>"$TMP/$tag-$i.out" 2>"$TMP/$tag-$i.err" &
		CPIDS="$CPIDS $!"
	done
}
fleet_wait() {
	local i=0 p
	for p in $CPIDS; do
		i=$((i + 1))
		wait $p
		echo $? >"$TMP/$1-$i.rc"
	done
	CPIDS=
}

# sum_check FILE KEYCOLS COUNTCOLS MERGED INPUT...: every key of the inputs,
# and nothing else, is in MERGED with its counts added
sum_check() {
	local f=$1 keys=$2 counts=$3 m=$4
	shift 4
	awk -F, -v keys="$keys" -v counts="$counts" -v nin=$# '
		BEGIN { nk = split(keys, k, " "); nc = split(counts, c, " ") }
		FNR == 1 { file++; next }
		{
			key = ""
			for (i = 1; i <= nk; i++) key = key "," $k[i]
			if (file <= nin) {
				seen[key] = 1
				for (i = 1; i <= nc; i++) want[key, i] += $c[i]
			} else {
				inm[key] = 1
				for (i = 1; i <= nc; i++) got[key, i] = $c[i]
			}
		}
		END {
			for (key in inm) if (!(key in seen)) { print "extra " key; bad = 1 }
			for (key in seen) {
				if (!(key in inm)) { print "missing " key; bad = 1; continue }
				for (i = 1; i <= nc; i++)
					if (want[key, i] != got[key, i]) {
						print key ": column " c[i] " " got[key, i] " != " want[key, i]
						bad = 1
					}
			}
			exit bad
		}' $(for d in "$@"; do echo "$d/$f"; done) "$m/$f" >"$TMP/sum.err" ||
		fail "$f of the merge is not the sum of its inputs: $(head -n3 "$TMP/sum.err")"
}

# merge_check TAG: merge the four reports and check it cell by cell
merge_check() {
	local tag=$1 dirs= c s i
	for i in $(seq 1 $N); do dirs="$dirs $TMP/$tag-$i"; done
	"$RSTSTORM" merge $dirs -o "$TMP/$tag-m" >"$TMP/$tag-m.out" 2>&1 ||
		fail "merge of the $tag fleet: $(cat "$TMP/$tag-m.out")"
	sum_check outcomes.csv "2 3 4 5 6 7" "8" "$TMP/$tag-m" $dirs
	sum_check ops.csv "2 3 4 5 6" "7 8 9 10" "$TMP/$tag-m" $dirs
	sum_check failures.csv "2 3 4 5" "6" "$TMP/$tag-m" $dirs
	sum_check histograms.csv "2 3 4 5 6 7 8 9" "10" "$TMP/$tag-m" $dirs
	for c in conns_started conns_completed conns_failed conns_abandoned \
		ops_completed concurrency; do
		s=0
		for i in $(seq 1 $N); do
			s=$((s + $(summary $c "$TMP/$tag-$i")))
		done
		[ "$(summary $c "$TMP/$tag-m")" = $s ] ||
			fail "$tag merge: $c $(summary $c "$TMP/$tag-m") != the sum $s"
	done
	[ "$(summary books_balanced "$TMP/$tag-m")" = 1 ] || fail "$tag merge: books"
}

# reached_dir DIR: connections of a run that got past connect (so serve
# accepted them): started - abandoned - failures in socket or connect
reached_dir() {
	local st ab pre
	st=$(summary conns_started "$1")
	ab=$(summary conns_abandoned "$1")
	pre=$(awk -F, 'NR > 1 && ($4 == "socket" || $4 == "connect") { s += $6 }
		END { print s + 0 }' "$1/failures.csv")
	echo $((st - ab - pre))
}
# reached TAG: the same for the fleet's four
reached() {
	local i n=0
	for i in $(seq 1 $N); do n=$((n + $(reached_dir "$TMP/$1-$i"))); done
	echo $n
}

# --- a healthy fleet: 4 clients x 600 connections, 16 in flight each ---
start_serve serve --seed 4242 --close fin=40,rst=40,unread=10,shutdown=10
fleet_start ok -c 16 -n 600 --rate 2000
fleet_wait ok
for i in $(seq 1 $N); do
	d=$TMP/ok-$i
	[ "$(cat "$d.rc")" = 0 ] || fail "client $i: exit $(cat "$d.rc"): $(cat "$d.err")"
	# same PID namespace and boot id as serve: its stamps, exactly
	grep -q '^clock: stamp: the server.s close stamps (same host' "$d.out" ||
		fail "client $i: $(grep '^clock' "$d.out")"
	grep -q -- "--seed 4242 .*--client-index $((i - 1))/$N" "$d.out" ||
		fail "client $i: seed or index: $(head -n1 "$d.out")"
	[ "$(summary books_balanced "$d")" = 1 ] || fail "client $i: books"
	[ "$(summary conns_started "$d")" = 600 ] || fail "client $i: started $(summary conns_started "$d")"
	[ "$(summary clock "$d")" = stamp ] || fail "client $i: summary clock"
	echo "measured: client $i (198.18.1.$((10 + i)), --client-index $((i - 1))/$N): clock stamp, started $(summary conns_started "$d") completed $(summary conns_completed "$d") failed $(summary conns_failed "$d") abandoned $(summary conns_abandoned "$d"), $(summary conns_per_s "$d") conn/s"
done
merge_check ok
[ "$(summary clock "$TMP/ok-m")" = stamp ] || fail "merged clock $(summary clock "$TMP/ok-m")"
[ "$(summary seed "$TMP/ok-m")" = 4242 ] || fail "merged seed $(summary seed "$TMP/ok-m")"
echo "measured: merged: started $(summary conns_started "$TMP/ok-m") completed $(summary conns_completed "$TMP/ok-m") failed $(summary conns_failed "$TMP/ok-m") abandoned $(summary conns_abandoned "$TMP/ok-m") ops $(summary ops_completed "$TMP/ok-m")"

# a fifth client without --client-index takes ids 0..15, client 0's: their
# stamps are there, so it must not read them as its own
ip netns exec $P-c1 "$RSTSTORM" run -q --allow-remote -c 16 -n 100 \
	--target 198.18.1.1:$PORT --csv "$TMP/lone" >"$TMP/lone.out" 2>"$TMP/lone.err" ||
	fail "client without --client-index: exit $?: $(cat "$TMP/lone.err")"
grep -q "^clock: seen: this host, but [0-9]* of serve's close stamps for ids 0..15 are another client's" "$TMP/lone.out" ||
	fail "no fallback to the seen clock: $(grep '^clock' "$TMP/lone.out")"
echo "measured: client without --client-index: $(grep '^clock' "$TMP/lone.out" | cut -c1-120)"

# two clients on one host with the same ids at once: the second is refused
# before it starts (its connections would overwrite the stamps the first
# reads); the first is not disturbed. It runs until told to stop (SIGINT),
# so the refusal meets it running however slow the machine is.
ip netns exec $P-c1 "$RSTSTORM" run -q --allow-remote -c 4 -d 120s --rate 100 \
	--client-index 2/$N --target 198.18.1.1:$PORT --csv "$TMP/twinA" \
	>"$TMP/twinA.out" 2>"$TMP/twinA.err" &
CPIDS=$!
wait_for "$TMP/twinA.out" '^clock: ' 10 || fail "first twin did not start: $(cat "$TMP/twinA.err")"
ip netns exec $P-c2 "$RSTSTORM" run -q --allow-remote -c 4 -n 10 \
	--client-index 2/$N --target 198.18.1.1:$PORT >"$TMP/twinB.out" 2>"$TMP/twinB.err"
rc=$?
[ $rc -eq 1 ] || fail "second client with the same ids: exit $rc, want 1"
[ "$(wc -l <"$TMP/twinB.err")" -eq 1 ] || fail "same ids: not one line: $(cat "$TMP/twinB.err")"
grep -q "^rststorm run: --target 198.18.1.1:$PORT: serve's connection ids 500000..500003 are in use by another client on this host now: .*--client-index I/N" "$TMP/twinB.err" ||
	fail "same ids: $(cat "$TMP/twinB.err")"
[ -s "$TMP/twinB.out" ] && fail "same ids: a run started: $(cat "$TMP/twinB.out")"
kill -0 $CPIDS 2>/dev/null || fail "first twin ended before the refusal was checked"
kill -INT $CPIDS
wait $CPIDS
rc=$?
[ $rc -eq 130 ] || fail "first twin: exit $rc after SIGINT, want 130: $(cat "$TMP/twinA.err")"
CPIDS=
[ "$(summary books_balanced "$TMP/twinA")" = 1 ] || fail "first twin: books"
# its ids carry client 3's stamps from the fleet above: the seen clock
grep -q "^clock: seen: this host, but [0-9]* of serve's close stamps for ids 500000..500003 are another client's (an earlier run with --client-index 2/4, or one on another host)" "$TMP/twinA.out" ||
	fail "first twin: $(grep '^clock' "$TMP/twinA.out")"
echo "measured: same --client-index twice at once: $(cut -c1-130 "$TMP/twinB.err")"

kill -TERM $SERVE_PID
wait $SERVE_PID || fail "serve: exit $?: $(cat "$TMP/serve.err")"
SERVE_PID=
acc=$(csv_col srv_accepted "$TMP/serve/serve.csv")
q=$(csv_col srv_queries "$TMP/serve/serve.csv")
want=$(($(reached ok) + $(reached_dir "$TMP/lone") + $(reached_dir "$TMP/twinA") + q))
[ "$acc" = "$want" ] ||
	fail "serve accepted $acc, the clients reached it $want times (queries $q included)"
# two per run (before and after), one for the refused twin
[ "$q" = $((2 * N + 5)) ] || fail "serve answered $q queries, want $((2 * N + 5))"
for c in srv_bad_hello srv_seed_mismatch srv_no_slot srv_accept_errors; do
	[ "$(csv_col $c "$TMP/serve/serve.csv")" = 0 ] ||
		fail "serve $c $(csv_col $c "$TMP/serve/serve.csv")"
done
echo "measured: serve accepted $acc = connections $((acc - q)) + queries $q"

# --- serve killed (SIGKILL) while the four clients run ---
# the clients are running once each client host has established a
# connection past its query (done before the load starts): its namespace's
# own TCP counters, active opens less the attempts refused or reset
established() {
	ip netns exec "$1" awk '/^Tcp:/ { if (!a) { for (i = 1; i <= NF; i++) {
		if ($i == "ActiveOpens") a = i; if ($i == "AttemptFails") f = i } }
		else print $a - $f }' /proc/net/snmp
}
start_serve kserve
# the counters of the hosts count from their creation: a baseline each
for i in $(seq 1 $N); do
	base[$i]=$(established $P-c$i)
done
fleet_start k -c 8 -d 3s --rate 400
deadline=$((SECONDS + 20))
for i in $(seq 1 $N); do
	until [ "$(established $P-c$i)" -ge $((base[i] + 2)) ]; do
		[ $SECONDS -lt $deadline ] || fail "client $i did not reach serve"
		sleep 0.02
	done
done
kill -9 $SERVE_PID
wait $SERVE_PID 2>/dev/null
SERVE_PID=
fleet_wait k
for i in $(seq 1 $N); do
	d=$TMP/k-$i
	[ "$(cat "$d.rc")" = 0 ] || fail "client $i after serve died: exit $(cat "$d.rc"): $(cat "$d.err")"
	[ "$(summary books_balanced "$d")" = 1 ] || fail "client $i: books after serve died"
	st=$(summary conns_started "$d") co=$(summary conns_completed "$d")
	fa=$(summary conns_failed "$d") ab=$(summary conns_abandoned "$d")
	[ $((co + fa + ab)) -eq "$st" ] || fail "client $i: $st != $co + $fa + $ab"
	[ "$fa" -gt 0 ] || fail "client $i: no failure after serve died"
	grep -q '^2,run,server,connect,ECONNREFUSED,[1-9]' "$d/failures.csv" ||
		fail "client $i: no connect ECONNREFUSED: $(cat "$d/failures.csv")"
	[ "$(grep -c "^rststorm run: --target 198.18.1.1:$PORT is gone at the end of the run (connect failed: .*(ECONNREFUSED)" "$d.err")" = 1 ] ||
		fail "client $i: no one line saying serve is gone: $(cat "$d.err")"
	echo "measured: serve killed, client $i: started $st completed $co failed $fa abandoned $ab; $(sed -n '2,$p' "$d/failures.csv" | cut -d, -f4-6 | tr '\n' ' ')"
done
merge_check k
echo "measured: serve killed, merged: started $(summary conns_started "$TMP/k-m") completed $(summary conns_completed "$TMP/k-m") failed $(summary conns_failed "$TMP/k-m")"

# --- targets that cannot be used: one line each, errno and what to do ---
# one_line NAME ERRNO_RE ADDR: run from client host 1 against ADDR
one_line() {
	ip netns exec $P-c1 "$RSTSTORM" run -q --allow-remote -n 10 -c 2 \
		--client-index 0/$N --target "$3" >"$TMP/$1.out" 2>"$TMP/$1.err"
	rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, want 1: $(cat "$TMP/$1.err")"
	[ "$(wc -l <"$TMP/$1.err")" -eq 1 ] || fail "$1: not one line: $(cat "$TMP/$1.err")"
	grep -q "^rststorm run: --target $3: connect failed: .*($2): start rststorm serve there" "$TMP/$1.err" ||
		fail "$1: $(cat "$TMP/$1.err")"
	[ -s "$TMP/$1.out" ] && fail "$1: a run started: $(cat "$TMP/$1.out")"
	echo "measured: $1: $(cat "$TMP/$1.err" | cut -c1-110)"
}
# the server host is up, nothing listens on the port serve had
one_line refused ECONNREFUSED 198.18.1.1:$PORT
# no route to 198.18.2.0/24 inside the client's namespace
one_line noroute ENETUNREACH 198.18.2.1:9
# on the subnet, but no host answers ARP: the 2 s connect limit, or the
# neighbour's failure, whichever comes first
one_line nohost '\(ETIMEDOUT\|EHOSTUNREACH\)' 198.18.1.99:9
exit 0
