#!/usr/bin/env bash
# The emulated link's accuracy: round trip asked against round trip measured
# (TCP_INFO tcpi_min_rtt and tcpi_rtt, and the echo round trips an
# application sees) at 0, 1, 5, 20 and 50 ms, idle (one connection; also
# with the forwarder's spin off) and under load (many connections pinging
# at once; and bulk pings of 16 KiB on 20 connections).
# Cases interleave (0 1 5 20 50 0 1 ...) so drift on a shared machine hits
# all alike. Needs root, /dev/net/tun and network namespaces.
# Writes results/link/accuracy.csv (every run, one row each).
#   bench/link-accuracy.sh [-r RUNS] [-t "0ms 1ms 5ms 20ms 50ms"] [-n CONNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 rtts="0ms 1ms 5ms 20ms 50ms" load=200
while getopts r:t:n: o; do
	case $o in
	r) runs=$OPTARG ;;
	t) rtts=$OPTARG ;;
	n) load=$OPTARG ;;
	*) echo "usage: $0 [-r RUNS] [-t \"0ms 1ms ...\"] [-n CONNS]" >&2; exit 2 ;;
	esac
done
tool=build/rel/link-rtt
[ -x $tool ] || make $tool
[ "$(id -u)" = 0 ] || { echo "bench/link-accuracy.sh: needs root (namespaces, tun)"; exit 1; }
out=results/link/accuracy.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p results/link

# case NAME ARGS...: one run of link-rtt, its CSV row prefixed with the
# case, the run and the load average at its start
first=1
one() {
	local name=$1 r=$2
	shift 2
	local la
	la=$(cut -d' ' -f1 /proc/loadavg)
	timeout -k 5 120 "$tool" --csv "$@" >"$tmp/row" ||
		{ echo "link-rtt $* failed ($?)" >&2; return 1; }
	if [ $first = 1 ]; then
		echo "case,run,loadavg,$(head -n1 "$tmp/row")" >"$tmp/all.csv"
		first=0
	fi
	sed -n '2,$p' "$tmp/row" | sed "s/^/$name,$r,$la,/" >>"$tmp/all.csv"
}

for r in $(seq 1 "$runs"); do
	for t in $rtts; do
		one idle "$r" --link "rtt=$t" --conns 1 --pings 50
		one idle-nospin "$r" --link "rtt=$t" --conns 1 --pings 50 --spin 0
		one "load${load}" "$r" --link "rtt=$t" --conns "$load" --pings 20
		one bulk16k "$r" --link "rtt=$t" --conns 20 --pings 10 --bytes 16384
		echo "run $r rtt=$t done" >&2
	done
done
mv "$tmp/all.csv" "$out"
echo "wrote $out"
# the table docs/network.md shows: medians over runs of each case
awk -F, 'NR > 1 {
	gsub(/"/, "", $4)
	k = $1 "," $4
	n[k]++; asked[k] = $5
	mr[k] = mr[k] " " $12; sr[k] = sr[k] " " $15; ap[k] = ap[k] " " $18; p9[k] = p9[k] " " $19
	ok[k] += $9; want[k] += $6
	lm[k] = lm[k] " " $25; cpu[k] = cpu[k] " " $29
}
function med(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((n + 1) / 2)]
}
END {
	printf "%-12s %-10s %9s %11s %9s %11s %11s %8s %6s %s\n", "case", "spec", "asked_us", "min_rtt_us", "srtt_us", "app_med_us", "app_p99_us", "late_us", "cpu", "conns_ok"
	cmd = "sort -k3,3n -k1,1"
	for (k in n) {
		split(k, p, ",")
		printf "%-12s %-10s %9d %11s %9s %11s %11s %8s %6s %d/%d\n", p[1], p[2], asked[k], med(mr[k]), med(sr[k]), med(ap[k]), med(p9[k]), med(lm[k]), med(cpu[k]), ok[k], want[k] | cmd
	}
	close(cmd)
}' "$out"
