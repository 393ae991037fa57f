#!/usr/bin/env bash
# --hold at several sizes: N connections established and held at once, then
# closed by the servers in one storm. Each run is bounded by --hold's -d
# deadline and by `timeout`. Runs interleave the sizes (1000 10000 50000
# 100000 1000 ...) so drift on a shared machine hits all alike.
# Writes results/bench/hold.csv (every run) and, through bench/hold-plot.sh,
# results/bench/rss.png (memory added and bytes per connection against N).
#   bench/hold.sh [-r RUNS] [-c "1000 10000 50000 100000"] [-s SOURCES] [-l]
# -l, the longer invocation, goes up to a million: -c "1000 10000 50000
# 100000 200000 500000 1000000" (several minutes a round on 2 cores; 1M
# needs ~8 GiB of kernel memory, which the run checks before it starts).
# Each row also has the kernel's slab memory per connection (host-wide)
# and the load averages (/proc/loadavg) just before and after the run; the
# largest run's table goes to results/bench/hold-N.txt.
# Where a network namespace can be had (root, or an unprivileged user
# namespace) each run gets one of its own (--netns), so the kernel counters
# in its report are the run's alone.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh # csv_col
runs=1 sizes="1000 10000 50000 100000" sources=4
while getopts r:c:s:l o; do
	case $o in
	r) runs=$OPTARG ;;
	c) sizes=$OPTARG ;;
	s) sources=$OPTARG ;;
	l) sizes="1000 10000 50000 100000 200000 500000 1000000" ;;
	*) echo "usage: $0 [-r RUNS] [-c \"N1 N2 ...\"] [-s SOURCES] [-l]" >&2; exit 2 ;;
	esac
done
[ -x ./rststorm ] || make
out=results/bench/hold.csv
png=results/bench/rss.png
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p results/bench
netns=
{ unshare -n true || unshare -rn true; } 2>/dev/null && netns=--netns

# col FILE COLUMN: a column of a one-row CSV by its header name (hold.csv
# has no quoted fields)
col() {
	awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
		NR == 2 { print $k }' "$1"
}

echo "run,N,established,establish_s,storm_s,drain_s,rss_before_kb,rss_held_kb,bytes_per_slot,client_threads,server_threads,ports,sources,accept,books_balanced,slab_before_kb,slab_held_kb,kernel_bytes_per_conn,conns_failed,load1_before,load5_before,load1_after,load5_after" >"$tmp/all.csv"
big=0
for r in $(seq 1 "$runs"); do
	for n in $sizes; do
		d="$tmp/r$r-n$n"
		# establishing 1M took 51 s on the shared box: -d and the
		# outer bound grow with N
		hd=60 lim=300
		if [ "$n" -gt 100000 ]; then hd=240 lim=600; fi
		read -r l1b l5b _ </proc/loadavg
		timeout -k 5 "$lim" ./rststorm run -q -c "$n" --hold -d "${hd}s" \
			--sources "$sources" $netns --csv "$d" >"$d.out" 2>&1 ||
			{ echo "run $r -c $n failed:"; cat "$d.out"; exit 1; }
		read -r l1a l5a _ </proc/loadavg
		h="$d/hold.csv"
		printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$r" "$n" \
			"$(col "$h" established)" "$(col "$h" establish_s)" \
			"$(col "$h" storm_s)" "$(col "$h" drain_s)" \
			"$(col "$h" rss_before_kb)" "$(col "$h" rss_held_kb)" \
			"$(col "$h" bytes_per_conn)" "$(col "$h" client_threads)" \
			"$(col "$h" server_threads)" "$(col "$h" ports)" \
			"$(col "$h" sources)" "$(col "$h" accept)" \
			"$(grep -q '(books balance)' "$d.out" && echo 1 || echo 0)" \
			"$(col "$h" slab_before_kb)" "$(col "$h" slab_held_kb)" \
			"$(col "$h" kernel_bytes_per_conn)" \
			"$(csv_col conns_failed "$d/summary.csv")" \
			"$l1b" "$l5b" "$l1a" "$l5a" >>"$tmp/all.csv"
		if [ "$r" = 1 ] && [ "$n" -gt "$big" ]; then
			big=$n
			cp "$d.out" "$tmp/big.txt"
		fi
		echo "run $r -c $n: $(grep -E '^hold' "$d.out" | sed 's/  */ /g')"
		echo "             $(grep -E '^(memory|slab)' "$d.out" | sed 's/  */ /g' | tr '\n' ' ')"
		echo "             load $l1b $l5b before, $l1a $l5a after; $(grep -E '^connections' "$d.out" | sed 's/  */ /g')"
	done
done
mv "$tmp/all.csv" "$out"
echo "wrote $out"
cp "$tmp/big.txt" "results/bench/hold-$big.txt"
echo "wrote results/bench/hold-$big.txt"

bench/hold-plot.sh "$out" "$png"
