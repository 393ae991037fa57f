#!/usr/bin/env bash
# A fleet on simulated hosts, for figures: network namespaces on a bridge,
# rststorm serve on 198.18.1.1 and N client hosts 198.18.1.11.. each
# running `run --target --client-index I/N --csv`; then merge. Prints each
# client's figures (clock, started, completed, failed, conn/s), the merged
# totals and serve's accepted count; keeps the reports in OUT (default
# results/bench/fleet).
#   bench/fleet-sim.sh [-N CLIENTS] [-c CONC] [-d DURATION] [-r RATE] [-o OUT]
# Root only (it makes namespaces); every namespace is removed on exit. Each
# client is bounded by -d and --rate, and the whole by `timeout`.
set -euo pipefail
cd "$(dirname "$0")/.."
n=4 conc=100 dur=10s rate=1000 out=results/bench/fleet
while getopts N:c:d:r:o: o; do
	case $o in
	N) n=$OPTARG ;;
	c) conc=$OPTARG ;;
	d) dur=$OPTARG ;;
	r) rate=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-N CLIENTS] [-c CONC] [-d DURATION] [-r RATE] [-o OUT]" >&2; exit 2 ;;
	esac
done
case $n in
[1-9] | [1-9][0-9] | 1[0-9][0-9] | 2[0-4][0-9]) ;;
*) echo "$0: -N '$n' is not allowed: 1 to 249 clients (the hosts are 198.18.1.11 on)" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "$0: needs root: it makes network namespaces" >&2; exit 1; }
[ -x ./rststorm ] || make
p=rsfs$$
spid=
cleanup() {
	[ -n "$spid" ] && kill -9 "$spid" 2>/dev/null
	for ns in $p-br $p-s $(seq -f "$p-c%g" 1 "$n"); do
		ip netns del "$ns" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add $p-br
ip -n $p-br link add br0 type bridge forward_delay 0 stp_state 0
ip -n $p-br link set br0 up
host() { # NS ADDR INDEX
	ip netns add "$1"
	ip -n $p-br link add "v$3" type veth peer name eth0 netns "$1"
	ip -n $p-br link set "v$3" master br0 up
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" link set lo up
}
host $p-s 198.18.1.1 0
for i in $(seq 1 "$n"); do host "$p-c$i" "198.18.1.$((10 + i))" "$i"; done

rm -rf "$out"
mkdir -p "$out"
ip netns exec $p-s ./rststorm serve -q --allow-remote --listen 198.18.1.1:0 \
	--csv "$out/serve" >"$out/serve.out" 2>"$out/serve.err" &
spid=$!
for _ in $(seq 1 200); do
	grep -q '^listening on' "$out/serve.out" && break
	sleep 0.05
done
port=$(sed -n 's/^listening on 198\.18\.1\.1:\([0-9]*\)$/\1/p' "$out/serve.out")
[ -n "$port" ] || { echo "$0: serve did not start: $(cat "$out/serve.err")" >&2; exit 1; }

pids=
for i in $(seq 1 "$n"); do
	ip netns exec "$p-c$i" timeout 600 ./rststorm run -q --allow-remote \
		--client-index "$((i - 1))/$n" --target "198.18.1.1:$port" \
		-c "$conc" -d "$dur" --rate "$rate" --csv "$out/client$i" \
		>"$out/client$i.out" 2>"$out/client$i.err" &
	pids="$pids $!"
done
status=0
for pid in $pids; do wait "$pid" || status=1; done
kill -TERM "$spid"
wait "$spid" || status=1
spid=

# csv COLUMN FILE: a column of the first data row by its header name,
# RFC 4180 quoting understood (close_mix is quoted: it holds commas)
. bench/lib.sh # (the repository root is the working directory)
csv() { csv_col "$@"; }
col() { csv "$1" "$2/summary.csv"; }
echo "client,clock,started,completed,failed,abandoned,conns_per_s"
for i in $(seq 1 "$n"); do
	d=$out/client$i
	[ -f "$d/summary.csv" ] || { echo "client $i: no report: $(cat "$d.err")"; status=1; continue; }
	echo "$i,$(col clock "$d"),$(col conns_started "$d"),$(col conns_completed "$d"),$(col conns_failed "$d"),$(col conns_abandoned "$d"),$(col conns_per_s "$d")"
done
./rststorm merge $(seq -f "$out/client%g" 1 "$n") -o "$out/fleet" >/dev/null || status=1
if [ -f "$out/fleet/summary.csv" ]; then
	echo "merged,$(col clock "$out/fleet"),$(col conns_started "$out/fleet"),$(col conns_completed "$out/fleet"),$(col conns_failed "$out/fleet"),$(col conns_abandoned "$out/fleet"),books_balanced=$(col books_balanced "$out/fleet")"
fi
sv=$out/serve/serve.csv
echo "serve: accepted $(csv srv_accepted "$sv"), queries $(csv srv_queries "$sv"), bad hellos $(csv srv_bad_hello "$sv"), seed mismatches $(csv srv_seed_mismatch "$sv")"
exit $status
