#!/usr/bin/env bash
# The clock's honesty, measured: the width of the stamp windows (pass_ns:
# from a clock read to the next read or the wait; every stamp taken in a
# window is off by at most its length) next to the op latencies and the
# CPU per connection, per engine, at -c 10000 in a namespace of its own.
# With -b, the same runs of a second binary alternate with this one's
# (A B B A ...), for a before/after of a change to the loop.
#   bench/clock.sh [-r ROUNDS] [-c CONNS] [-d SECONDS] [-e "uring epoll"]
#                  [-b OTHER_BINARY] [-o NAME] [-h]
#   -r ROUNDS   rounds (default 5)
#   -c CONNS    concurrent connections (default 10000)
#   -d SECONDS  run length (default 4)
#   -e ENGINES  engines (default "uring epoll")
#   -b BINARY   another rststorm build to alternate with ./rststorm
#               (labelled "other"; ./rststorm is "this")
#   -o NAME     results/bench/NAME.{csv,txt} (default clock)
# Needs root (--netns). CPU per connection: the process's user + sys over
# the connections started.
set -euo pipefail
{
cd "$(dirname "$0")/.."
. bench/lib.sh
me=bench/clock.sh
bad() { printf "%s: %s: '%s' is not allowed: %s\n" "$me" "$1" "$2" "$3" >&2; exit 2; }
rounds=5 conns=10000 dur=4 engines="uring epoll" other='' name=clock
while getopts :r:c:d:e:b:o:h o; do
	case $o in
	r) [[ $OPTARG =~ ^[1-9][0-9]?$ ]] || bad -r "$OPTARG" "a round count, 1..99"; rounds=$OPTARG ;;
	c) [[ $OPTARG =~ ^[1-9][0-9]{0,5}$ ]] || bad -c "$OPTARG" "a connection count, 1..999999"; conns=$OPTARG ;;
	d) [[ $OPTARG =~ ^[1-9][0-9]{0,2}$ ]] || bad -d "$OPTARG" "whole seconds, 1..999"; dur=$OPTARG ;;
	e) for e in $OPTARG; do [[ $e =~ ^(uring|epoll)$ ]] || bad -e "$OPTARG" "uring and/or epoll"; done
	   [ -n "${OPTARG// /}" ] || bad -e "$OPTARG" "uring and/or epoll"; engines=$OPTARG ;;
	b) [ -x "$OPTARG" ] || bad -b "$OPTARG" "an executable rststorm build"; other=$(realpath "$OPTARG") ;;
	o) [[ $OPTARG =~ ^[A-Za-z0-9_.-]+$ ]] || bad -o "$OPTARG" "a name of letters, digits, '.', '_', '-'"; name=$OPTARG ;;
	h) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	:) echo "$me: -$OPTARG: needs a value (see $me -h)" >&2; exit 2 ;;
	*) echo "$me: -$OPTARG: unknown option (allowed: -r -c -d -e -b -o -h)" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || bad argument "$1" "no arguments besides options (see $me -h)"
[ "$(id -u)" = 0 ] || { echo "$me: needs root for --netns: run it as root" >&2; exit 1; }
make -s rststorm
out=results/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bins="this${other:+ other}"
cols="conns_started conns_per_s pass_p50_us pass_p90_us pass_p99_us pass_p99_9_us pass_max_us op_p50_us op_p99_us process_user_s process_sys_s"
echo "round,binary,engine,load1,${cols// /,},cpu_us_per_conn" >"$tmp/all.csv"
for r in $(seq 1 "$rounds"); do
	for e in $engines; do
		order=$bins
		[ $((r % 2)) = 1 ] || order=$(echo "$bins" | awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "") }')
		for b in $order; do
			bin=./rststorm
			[ "$b" = this ] || bin=$other
			d=$tmp/$r-$e-$b l=$(cut -d' ' -f1 /proc/loadavg)
			"$bin" run -q -c "$conns" -d "$dur" --netns --engine "$e" --csv "$d" >/dev/null 2>"$d.err" ||
				{ echo "$me: round $r, $b, $e failed: $(tail -1 "$d.err")" >&2; exit 1; }
			row="$r,$b,$e,$l"
			for c in $cols; do row="$row,$(csv_col "$c" "$d/summary.csv")"; done
			echo "$row" | awk -F, '{ printf "%s,%.2f\n", $0, ($14 + $15) / $5 * 1e6 }' >>"$tmp/all.csv"
			tail -1 "$tmp/all.csv" | awk -F, '{ printf "round %s %-5s %-5s stamp window p50 %s p99 %s p99.9 %s us; op p50 %s p99 %s us; %.0f conns/s; %s us CPU/conn; load %s\n", $1, $2, $3, $7, $9, $10, $12, $13, $6, $16, $4 }'
		done
	done
done
mv "$tmp/all.csv" "$out/$name.csv"
{
	echo "$(uname -r), $(nproc) CPUs, -c $conns -d ${dur}s --netns, $rounds rounds, $(date -u +%Y-%m-%dT%H:%M:%SZ) ($out/$name.csv)"
	echo "medians (min..max) per engine and binary; µs"
	awk -F, '
		function med(a, n,    i, j, t) {
			for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function mr(k, c,    a, i) { for (i = 1; i <= n[k]; i++) a[i] = v[k, c, i]; return sprintf("%.1f (%.1f..%.1f)", med(a, n[k]), a[1], a[n[k]]) }
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ k = $3 " " $2; if (!(k in n)) ks[++nk] = k; n[k]++
		  split("pass_p50_us pass_p99_us pass_p99_9_us op_p50_us op_p99_us conns_per_s cpu_us_per_conn load1", cs, " ")
		  for (i in cs) v[k, cs[i], n[k]] = $col[cs[i]]
		  cpu[$3, $2, $1] = $col["cpu_us_per_conn"] }
		END {
			printf "%-12s %4s  %-22s %-22s %-24s %-18s %-22s %-22s %-22s %s\n", "engine bin", "runs", "window p50", "window p99", "window p99.9", "op p50", "op p99", "conns/s", "CPU us/conn", "load1"
			for (i = 1; i <= nk; i++) { k = ks[i]
				printf "%-12s %4d  %-22s %-22s %-24s %-18s %-22s %-22s %-22s %s\n", k, n[k], mr(k, "pass_p50_us"), mr(k, "pass_p99_us"), mr(k, "pass_p99_9_us"),
					mr(k, "op_p50_us"), mr(k, "op_p99_us"), mr(k, "conns_per_s"), mr(k, "cpu_us_per_conn"), mr(k, "load1") }
			for (i = 1; i <= nk; i++) { split(ks[i], p, " "); if (p[2] != "this") continue
				m = 0; delete a
				for (kk in cpu) { split(kk, q, SUBSEP); if (q[1] == p[1] && q[2] == "this" && ((p[1], "other", q[3]) in cpu)) a[++m] = cpu[kk] / cpu[p[1], "other", q[3]] }
				if (m) printf "%s: CPU per connection, this over other, per round: median %.3f (%.3f..%.3f) of %d\n", p[1], med(a, m), a[1], a[m], m }
		}' "$out/$name.csv"
} | tee "$tmp/txt"
mv "$tmp/txt" "$out/$name.txt"
exit
}
