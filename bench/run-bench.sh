#!/usr/bin/env bash
# The core benchmark: `rststorm run` at -c 1000, 5000 and 18000, three runs
# each, interleaved (1000 5000 18000 1000 ...) so drift hits all alike.
# Writes every run to results/bench-run.csv and prints the medians.
#   bench/run-bench.sh [-d DURATION] [-r RUNS] [-c "1000 5000 18000"]
set -euo pipefail
cd "$(dirname "$0")/.."
dur=5s runs=3 concs="1000 5000 18000"
while getopts d:r:c: o; do
	case $o in
	d) dur=$OPTARG ;;
	r) runs=$OPTARG ;;
	c) concs=$OPTARG ;;
	*) echo "usage: $0 [-d DURATION] [-r RUNS] [-c \"C1 C2 ...\"]" >&2; exit 2 ;;
	esac
done
[ -x ./rststorm ] || make
out=results/bench-run.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p results

# column COLUMN FILE: a summary.csv column by name (RFC 4180 quoting)
column() {
	python3 - "$1" "$2" <<'PY' 2>/dev/null || awk -F, -v c="$1" 'NR==1{for(i=1;i<=NF;i++)if($i==c)k=i}NR==2{print $k}' "$2"
import csv, sys
r = list(csv.DictReader(open(sys.argv[2])))
print(r[0][sys.argv[1]])
PY
}

echo "run,concurrency,duration_s,kernel_release,ring_flags,client_sockets,conns_per_s,ops_per_s,client_user_s,client_sys_s,server_user_s,server_sys_s,process_user_s,process_sys_s,books_balanced" >"$tmp/all.csv"
for r in $(seq 1 "$runs"); do
	for c in $concs; do
		d="$tmp/r$r-c$c"
		./rststorm run -q -c "$c" -d "$dur" --csv "$d" >"$d.out" 2>&1 ||
			{ echo "run $r -c $c failed:"; cat "$d.out"; exit 1; }
		row="$r,$c"
		for col in duration_s kernel_release ring_flags client_sockets conns_per_s ops_per_s client_user_s client_sys_s server_user_s server_sys_s process_user_s process_sys_s books_balanced; do
			row="$row,$(column $col "$d/summary.csv")"
		done
		echo "$row" >>"$tmp/all.csv"
		echo "run $r -c $c: $(column conns_per_s "$d/summary.csv") conn/s, $(column ops_per_s "$d/summary.csv") ops/s"
	done
done
mv "$tmp/all.csv" "$out"
echo
echo "medians of $runs runs, $dur each ($out):"
printf '%-12s %14s %14s %14s %14s\n' concurrency conn/s ops/s client_user_s client_sys_s
for c in $concs; do
	med() { awk -F, -v c="$c" -v k="$1" 'NR>1 && $2==c {print $k}' "$out" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
	printf '%-12s %14.0f %14.0f %14.2f %14.2f\n' "$c" "$(med 7)" "$(med 8)" "$(med 9)" "$(med 10)"
done
