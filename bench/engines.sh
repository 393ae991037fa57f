#!/usr/bin/env bash
# io_uring engine against epoll engine against the floor (bench/floor.c), in
# one run, interleaved A B C A B C ... so that whatever else the machine is
# doing hits all three alike. Main phase: -r runs of each at -c 5000; sweep
# phase: -R runs of each over the -s concurrencies (the floor and the epoll
# engine are skipped where their ordinary fds do not fit RLIMIT_NOFILE).
# Writes results/bench/engines.csv (one row per run), engines.txt (what is
# printed) and engines.png (conns/s against concurrency, drawn when more
# than one concurrency ran); prints medians,
# spreads, the ratios uring/epoll and uring/floor, the client's user CPU as
# a share of its CPU, and CPU microseconds per connection (client threads,
# whole process), which other load on the machine disturbs less than the
# rate.
#   bench/engines.sh [-d SECONDS] [-r RUNS] [-c CONC] [-R SWEEP_RUNS]
#                    [-s "100 1000 9000 18000"] [-m CLOSE_MODES] [-o NAME]
#                    [-a] [-B BINARY [-b] [-N BINARY]]
# (-R 0: no sweep; -o: results/bench/NAME.csv etc., default engines;
#  -a: no runs, the medians and the picture again from NAME.csv; give the
#  measuring run's -m and -d, which only label the output;
#  -B BINARY: against a baseline build of rststorm instead of the floor:
#  the main phase runs uring base-uring epoll base-epoll interleaved, no
#  sweep, and prints the new/baseline rate ratios; -b: with -B, every
#  second round runs the baseline first (base-uring uring base-epoll
#  epoll), so neither build always follows the other; -N BINARY: run
#  BINARY as the new build instead of ./rststorm, e.g. the baseline
#  against itself to see how far apart two identical builds come out)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=5 runs=7 conc=5000 sruns=3 sweep="100 1000 9000 18000"
modes=fin,rst,unread,shutdown name=engines again='' base='' swap='' newbin=./rststorm
while getopts d:r:c:R:s:m:o:aB:bN: o; do
	case $o in
	d) dur=$OPTARG ;;
	r) runs=$OPTARG ;;
	c) conc=$OPTARG ;;
	R) sruns=$OPTARG ;;
	s) sweep=$OPTARG ;;
	m) modes=$OPTARG ;;
	o) name=$OPTARG ;;
	a) again=1 ;;
	B) base=$(realpath "$OPTARG") sruns=0 ;;
	b) swap=1 ;;
	N) newbin=$(realpath "$OPTARG") ;;
	*) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
[ -n "$again" ] || make -s rststorm build/floor
if ! command -v gnuplot >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null ||
			echo "gnuplot-nox did not install: no picture"
	else
		echo "no gnuplot (apt-get install gnuplot-nox): no picture"
	fi
fi
out=results/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nofile=$(ulimit -n)

# summary COLUMN FILE: a summary.csv column by name (RFC 4180 quoting)
. bench/lib.sh # (the repository root is the working directory)
summary() { csv_col "$@"; }

# fits ENGINE CONC: do its fds fit? (uring: direct descriptors on the client)
fits() {
	case $1 in
	uring) [ $(($2 + 8 + 64)) -le "$nofile" ] ;;
	*) [ $((2 * $2 + 8 + 64)) -le "$nofile" ] ;;
	esac
}

# one ENGINE CONC RUN: run it, append a row to all.csv
one() {
	local e=$1 c=$2 r=$3 d="$tmp/$1-$2-$3" row
	if [ "$e" = floor ]; then
		build/floor -c "$c" -d "$dur" -m "$modes" >"$d.out" 2>&1 ||
			{ echo "floor -c $c failed:"; cat "$d.out"; exit 1; }
		row=$(awk '/^conns=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			print v["conns_per_s"] "," v["ops_per_s"] "," v["client_user_s"] "," v["client_sys_s"] "," \
				v["elapsed_s"] "," v["conns"] "," v["server_user_s"] "," v["server_sys_s"] "," \
				v["process_user_s"] "," v["process_sys_s"] }' "$d.out")
	else
		local bin=$newbin
		case $e in base-*) bin=$base e=${e#base-} ;; esac
		"$bin" run -q --engine "$e" -c "$c" -d "${dur}s" --close "$modes" \
			--csv "$d" >"$d.out" 2>&1 ||
			{ echo "rststorm --engine $e -c $c failed:"; cat "$d.out"; exit 1; }
		[ "$(summary books_balanced "$d/summary.csv")" = 1 ] ||
			{ echo "books do not balance: $d.out"; exit 1; }
		row=$(for k in conns_per_s ops_per_s client_user_s client_sys_s elapsed_s \
			conns_completed server_user_s server_sys_s process_user_s process_sys_s; do
			summary $k "$d/summary.csv"; done | paste -sd,)
	fi
	echo "$1,$c,$r,$row" >>"$tmp/all.csv"
	printf '%-11s -c %-6s run %s: %s\n' "$1" "$c" "$r" "$row"
}

if [ -z "$again" ]; then
echo "engine,concurrency,run,conns_per_s,ops_per_s,client_user_s,client_sys_s,elapsed_s,conns,server_user_s,server_sys_s,process_user_s,process_sys_s" >"$tmp/all.csv"
t_start=$SECONDS
order="uring epoll floor"
[ -z "$base" ] || order="uring base-uring epoll base-epoll"
echo "main phase: -c $conc, $runs runs of ${dur}s each, --close $modes, order $order${swap:+ (every second round baseline first)}${base:+ (base: $base)}${base:+ (new: $newbin)}"
for r in $(seq 1 "$runs"); do
	o=$order
	[ -z "$swap" ] || [ $((r % 2)) = 1 ] || o="base-uring uring base-epoll epoll"
	for e in $o; do one "$e" "$conc" "$r"; done
done
echo "sweep: -c $sweep, $sruns runs each"
for r in $(seq 1 "$sruns"); do
	for c in $sweep; do
		for e in uring epoll floor; do
			if fits $e "$c"; then one $e "$c" "$r"
			elif [ "$r" = 1 ]; then echo "$e -c $c: skipped, needs more fds than RLIMIT_NOFILE $nofile"; fi
		done
	done
done
mv "$tmp/all.csv" "$out/$name.csv"
when="$(date -u +%Y-%m-%dT%H:%M:%SZ), $((SECONDS - t_start)) s in all"
else
	[ -r "$out/$name.csv" ] || { echo "no $out/$name.csv to analyse"; exit 1; }
	when="analysed again from $out/$name.csv"
fi

# medians, spread and ratios
{
	echo
	echo "$(uname -r), $(nproc) CPUs, RLIMIT_NOFILE $nofile, --close $modes, ${dur}s per run, $when"
	echo "medians (min..max) per engine and concurrency ($out/$name.csv):"
	awk -F, '
		function med(a, n,    i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		}
		NR > 1 {
			# rows come in run order: the j-th of each (engine, -c)
			# is run j, so ratios can be taken pair by pair
			k = $1 SUBSEP $2; n[k]++
			cps[k, n[k]] = $4; ops[k, n[k]] = $5; us[k, n[k]] = $6; sy[k, n[k]] = $7
			sh[k, n[k]] = ($6 + $7) > 0 ? $6 / ($6 + $7) : 0
			# CPU per connection, in microseconds: what the rate would
			# be on an idle machine depends on it, not on the noise
			ccpu[k, n[k]] = $9 > 0 ? 1e6 * ($6 + $7) / $9 : 0
			pcpu[k, n[k]] = $9 > 0 ? 1e6 * ($12 + $13) / $9 : 0
			if (!($2 in seenc)) { seenc[$2] = 1; cs[++nc] = $2 }
		}
		END {
			printf "%-6s %7s %5s %11s %19s %11s %8s %8s %9s %11s %11s\n", "engine", "conc", "runs", "conns/s", "(min..max)", "ops/s", "user_s", "sys_s", "user/cpu", "client_us/c", "process_us/c"
			for (i = 1; i <= nc; i++) for (e = 1; e <= 3; e++) {
				en = e == 1 ? "uring" : e == 2 ? "epoll" : "floor"
				k = en SUBSEP cs[i]; m = n[k]; if (!m) continue
				lo = hi = cps[k, 1]
				for (j = 1; j <= m; j++) { a[j] = cps[k, j]; if (a[j] < lo) lo = a[j]; if (a[j] > hi) hi = a[j] }
				mc = med(a, m); M[k] = mc
				for (j = 1; j <= m; j++) a[j] = ops[k, j]; mo = med(a, m)
				for (j = 1; j <= m; j++) a[j] = us[k, j]; mu = med(a, m)
				for (j = 1; j <= m; j++) a[j] = sy[k, j]; ms = med(a, m)
				for (j = 1; j <= m; j++) a[j] = sh[k, j]; msh = med(a, m)
				for (j = 1; j <= m; j++) a[j] = ccpu[k, j]; mcc = med(a, m); CC[k] = mcc
				for (j = 1; j <= m; j++) a[j] = pcpu[k, j]; mpc = med(a, m); PC[k] = mpc
				printf "%-6s %7s %5d %11.0f %8.0f..%-8.0f %11.0f %8.3f %8.3f %8.2f%% %11.1f %11.1f\n", en, cs[i], m, mc, lo, hi, mo, mu, ms, 100 * msh, mcc, mpc
				print en, cs[i], mc, lo, hi, mpc, mcc > "'"$tmp/plot.dat"'"
			}
			print ""
			print "ratios of the medians (and the median of the per-run ratios, min..max, from runs with the same index):"
			for (i = 1; i <= nc; i++) {
				u = "uring" SUBSEP cs[i]
				for (e = 2; e <= 3; e++) {
					en = e == 2 ? "epoll" : "floor"; o = en SUBSEP cs[i]
					if (!M[u] || !M[o]) continue
					m = 0
					for (j = 1; j <= n[u] && j <= n[o]; j++) if (cps[o, j] > 0) a[++m] = cps[u, j] / cps[o, j]
					lo = hi = a[1]; for (j = 1; j <= m; j++) { if (a[j] < lo) lo = a[j]; if (a[j] > hi) hi = a[j] }
					printf "  -c %-6s uring/%s  %.3f   (per run %.3f, %.3f..%.3f, %d pairs)   CPU per connection %s/uring: client %.3f, process %.3f\n", cs[i], en, M[u] / M[o], med(a, m), lo, hi, m, en, (CC[u] > 0 ? CC[o] / CC[u] : 0), (PC[u] > 0 ? PC[o] / PC[u] : 0)
				}
			}
		}' "$out/$name.csv"
	[ -z "$base" ] || awk -F, '
		function med(a, n,    i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		}
		NR > 1 { k = $1 SUBSEP $2; n[k]++; cps[k, n[k]] = $4; if (!($2 in seenc)) { seenc[$2] = 1; cs[++nc] = $2 } }
		END {
			print ""
			print "new/baseline (medians of interleaved rounds; per-round ratio median, min..max):"
			for (i = 1; i <= nc; i++) for (e = 1; e <= 2; e++) {
				en = e == 1 ? "uring" : "epoll"; u = en SUBSEP cs[i]; o = "base-" en SUBSEP cs[i]
				if (!n[u] || !n[o]) continue
				for (j = 1; j <= n[u]; j++) a[j] = cps[u, j]; mu = med(a, n[u])
				for (j = 1; j <= n[o]; j++) a[j] = cps[o, j]; mo = med(a, n[o])
				m = 0
				for (j = 1; j <= n[u] && j <= n[o]; j++) if (cps[o, j] > 0) a[++m] = cps[u, j] / cps[o, j]
				lo = hi = a[1]; for (j = 1; j <= m; j++) { if (a[j] < lo) lo = a[j]; if (a[j] > hi) hi = a[j] }
				printf "  -c %-6s %-5s new %.0f / base %.0f conns/s = %.3f   (per round %.3f, %.3f..%.3f, %d rounds)\n", cs[i], en, mu, mo, mu / mo, med(a, m), lo, hi, m
			}
		}' "$out/$name.csv"
} | tee "$tmp/summary.txt"
cp "$tmp/summary.txt" "$out/$name.txt"

# a picture only when there is a curve: with one concurrency the table says
# all of it (engines-finrst has none for that reason)
nconc=$(awk '{ print $2 }' "$tmp/plot.dat" 2>/dev/null | sort -u | wc -l)
if [ -z "$base" ] && [ "$nconc" -lt 2 ]; then
	echo "one concurrency: no picture (the table above is the result)"
elif [ -z "$base" ] && command -v gnuplot >/dev/null; then
	for e in uring epoll floor; do
		awk -v e=$e '$1 == e { print $2, $3, $4, $5, $6, $7 }' "$tmp/plot.dat" | sort -n >"$tmp/$e.dat"
	done
	gnuplot <<EOF
set terminal pngcairo size 1300,560
set output "$out/$name.png"
set multiplot layout 1,2 title "--close $modes, medians of ${dur} s runs interleaved; $(uname -r), $(nproc) CPUs, RLIMIT_NOFILE $nofile" noenhanced
set logscale x
set xrange [60:30000]
set xlabel "concurrency (-c)"
set yrange [0:*]
set key bottom right
set grid
set title "teardown rate (bars: min..max)"
set ylabel "connections/s"
plot "$tmp/uring.dat" using 1:2:3:4 with yerrorlines lw 2 lc 1 title "rststorm io\\\\_uring engine", \
     "$tmp/epoll.dat" using 1:2:3:4 with yerrorlines lw 2 lc 2 title "rststorm epoll engine", \
     "$tmp/floor.dat" using 1:2:3:4 with yerrorlines lw 2 lc 3 dt 2 title "floor (plain epoll, no bookkeeping)"
set title "CPU per connection (solid: whole process; dashed: client threads)"
set ylabel "CPU microseconds per connection"
plot "$tmp/uring.dat" using 1:5 with linespoints lw 2 lc 1 title "io\\\\_uring engine", \
     "$tmp/epoll.dat" using 1:5 with linespoints lw 2 lc 2 title "epoll engine", \
     "$tmp/floor.dat" using 1:5 with linespoints lw 2 lc 3 title "floor", \
     "$tmp/uring.dat" using 1:6 with linespoints lw 1 lc 1 dt 2 notitle, \
     "$tmp/epoll.dat" using 1:6 with linespoints lw 1 lc 2 dt 2 notitle, \
     "$tmp/floor.dat" using 1:6 with linespoints lw 1 lc 3 dt 2 notitle
unset multiplot
EOF
	echo "picture: $out/$name.png"
fi
