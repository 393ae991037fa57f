#!/usr/bin/env bash
# What the client loop costs per connection, counted rather than timed:
# this build and a baseline build, interleaved (new old new old ...), each
# a fixed -n COUNT run at -c CONC with all four close modes under
# `perf stat` (software events and tracepoints, which a VM without PMU
# counters still has). Per connection: io_uring_enter calls, waits that
# slept (io_uring_cqring_wait), SQEs submitted, context switches, all
# syscalls, and the client threads' CPU. Counts come from the whole process (clients and
# servers) and do not depend on how busy the machine is; the rate and the
# CPU do. Writes results/bench/NAME.csv and prints the medians.
#   bench/loopcost.sh -B BASELINE_BINARY [-r ROUNDS] [-n COUNT] [-c CONC]
#                     [-e ENGINE] [-o NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5 count=50000 conc=5000 engine=uring name=loopcost base=''
while getopts B:r:n:c:e:o: o; do
	case $o in
	B) base=$(realpath "$OPTARG") ;;
	r) rounds=$OPTARG ;;
	n) count=$OPTARG ;;
	c) conc=$OPTARG ;;
	e) engine=$OPTARG ;;
	o) name=$OPTARG ;;
	*) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
[ -n "$base" ] || { echo "bench/loopcost.sh: -B BASELINE_BINARY is required" >&2; exit 2; }
command -v perf >/dev/null ||
	{ echo "bench/loopcost.sh: no perf (apt-get install linux-perf)" >&2; exit 1; }
make -s rststorm
out=results/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# summary COLUMN FILE: a summary.csv column by name (RFC 4180 quoting)
. bench/lib.sh # (the repository root is the working directory)
summary() { csv_col "$@"; }

# stat EVENT FILE: a perf stat -x, count by event name
stat() { awk -F, -v e="$1" '$3 == e { print $1 }' "$2"; }

events=task-clock,context-switches,raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter,io_uring:io_uring_cqring_wait,io_uring:io_uring_submit_req
echo "build,round,conns,elapsed_s,conns_per_s,client_cpu_us_per_conn,process_cpu_us_per_conn,enters_per_conn,sleeping_waits_per_conn,sqes_per_conn,context_switches_per_conn,syscalls_per_conn" >"$tmp/all.csv"
for r in $(seq 1 "$rounds"); do
	for b in new old; do
		bin=./rststorm
		[ $b = new ] || bin=$base
		d="$tmp/$b-$r"
		perf stat -x, -o "$d.stat" -e "$events" "$bin" run -q --engine "$engine" \
			-c "$conc" -n "$count" --close fin,rst,unread,shutdown \
			--csv "$d" >"$d.out" 2>&1 ||
			{ echo "$b round $r failed:"; cat "$d.out"; exit 1; }
		n=$(summary conns_completed "$d/summary.csv")
		row=$(awk -v n="$n" -v el="$(summary elapsed_s "$d/summary.csv")" \
			-v cps="$(summary conns_per_s "$d/summary.csv")" \
			-v cu="$(summary client_user_s "$d/summary.csv")" \
			-v cs="$(summary client_sys_s "$d/summary.csv")" \
			-v tc="$(stat task-clock "$d.stat")" \
			-v en="$(stat syscalls:sys_enter_io_uring_enter "$d.stat")" \
			-v wt="$(stat io_uring:io_uring_cqring_wait "$d.stat")" \
			-v sq="$(stat io_uring:io_uring_submit_req "$d.stat")" \
			-v sw="$(stat context-switches "$d.stat")" \
			-v sc="$(stat raw_syscalls:sys_enter "$d.stat")" 'BEGIN {
				printf "%d,%s,%s,%.2f,%.2f,%.4f,%.4f,%.3f,%.4f,%.3f",
					n, el, cps, 1e6 * (cu + cs) / n, 1e3 * tc / n,
					en / n, wt / n, sq / n, sw / n, sc / n }')
		echo "$b,$r,$row" >>"$tmp/all.csv"
		echo "$b round $r: $row"
	done
done
mv "$tmp/all.csv" "$out/$name.csv"
echo "medians over $rounds rounds, -c $conc -n $count --engine $engine ($out/$name.csv):"
awk -F, '
	function med(a, n,    i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	NR == 1 { for (i = 5; i <= NF; i++) h[i] = $i; nf = NF; next }
	{ k = $1; n[k]++; for (i = 5; i <= NF; i++) v[k, i, n[k]] = $i }
	END {
		for (i = 5; i <= nf; i++) {
			for (j = 1; j <= n["new"]; j++) a[j] = v["new", i, j]
			mn = med(a, n["new"])
			for (j = 1; j <= n["old"]; j++) b[j] = v["old", i, j]
			mo = med(b, n["old"])
			printf "  %-28s new %10.4f  baseline %10.4f  new/baseline %.3f\n", h[i], mn, mo, mo ? mn / mo : 0
		}
	}' "$out/$name.csv"
