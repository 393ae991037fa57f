#!/usr/bin/env bash
# Cost with concurrency: CPU per connection against -c, churn on loopback.
# Each run is `rststorm run` in a fresh network namespace of its own (made
# here with unshare -n, so that nstat reads the run's own TCP counters);
# the concurrencies run interleaved (round 1: every -c, round 2: every -c,
# ...) so that other load on the machine hits all of them alike. Per run:
# process user and sys CPU (which include the embedded servers and the
# softirq work done in the process's context), the CPU the two ksoftirqd
# threads took meanwhile (host-wide: other load counts there too), the
# load average, and per connection the segments sent, delayed ACKs sent
# and sockets that went through TIME_WAIT.
# Writes results/bench/NAME.csv (one row per run), NAME.txt (medians per
# -c, the growth against the first -c; CPU is divided by the connections
# started, completed or failed) and NAME.png (CPU per connection
# against -c, gnuplot).
#   bench/flat.sh [-d SECONDS] [-r ROUNDS] [-s "100 1000 ..."] [-t THREADS]
#                 [-m CLOSE_MIX] [-x "EXTRA RUN OPTIONS"] [-e EHASH]
#                 [-T TIMEOUT] [-o NAME] [-a]
# (defaults: -d 5 -r 5 -s "100 1000 10000 18000 50000 100000" -t 8
#  -m fin=50,rst=50 (rststorm's default) -e 262144 -T 60s -o flat.
#  -e: buckets of the run's own established-socket hash table, 0: the
#  host's shared one. -T: rststorm's --timeout, long so that no connection
#  fails for waiting in line behind -c others on a busy machine (a failed
#  connection skips steps and costs less). -t sets both --threads
#  and --server-threads: one ring's direct descriptor table is capped by
#  RLIMIT_NOFILE, so -c 100000 needs at least 6 client threads, and the
#  same thread count at every -c keeps the runs comparable. -a: no runs,
#  the table and the picture again from NAME.csv)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=5 rounds=5 sweep="100 1000 10000 18000 50000 100000" threads=8
mix=fin=50,rst=50 extra='' name=flat again='' ehash=262144 tmo=60s
while getopts d:r:s:t:m:x:o:ae:T: o; do
	case $o in
	d) dur=$OPTARG ;;
	r) rounds=$OPTARG ;;
	s) sweep=$OPTARG ;;
	t) threads=$OPTARG ;;
	m) mix=$OPTARG ;;
	x) extra=$OPTARG ;;
	o) name=$OPTARG ;;
	a) again=1 ;;
	e) ehash=$OPTARG ;;
	T) tmo=$OPTARG ;;
	*) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
out=results/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh # csv_col

# ksoftirqd CPU seconds, all CPUs (utime + stime of the ksoftirqd/N threads)
ksoftirqd_s() {
	local tck p sum=0
	tck=$(getconf CLK_TCK)
	for p in $(pgrep -x 'ksoftirqd/[0-9]+' || true); do
		sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	awk -v s=$sum -v t="$tck" 'BEGIN { printf "%.3f", s / t }'
}

# host softirq CPU seconds (/proc/stat, all CPUs, everyone's)
host_softirq_s() {
	awk -v t="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.3f", $8 / t }' /proc/stat
}

# one C ROUND: a run in a namespace of its own, a row to all.csv
one() {
	local c=$1 r=$2 d="$tmp/$1-$2" k0 k1 h0 h1 l row
	mkdir -p "$d"
	k0=$(ksoftirqd_s) h0=$(host_softirq_s)
	# shellcheck disable=SC2086 # $extra: options, split on purpose
	unshare -n bash "$tmp/outer.sh" "$ehash" "$d" \
		./rststorm run -q -c "$c" -d "${dur}s" --close "$mix" \
		-t "$threads" --server-threads "$threads" --timeout "$tmo" \
		$extra --csv "$d/csv" ||
		{ echo "rststorm -c $c failed:"; cat "$d/out"; exit 1; }
	k1=$(ksoftirqd_s) h1=$(host_softirq_s)
	l=$(cut -d' ' -f1 /proc/loadavg)
	[ "$(csv_col books_balanced "$d/csv/summary.csv")" = 1 ] ||
		{ echo "books do not balance at -c $c: $d/out"; exit 1; }
	row=$(for k in elapsed_s conns_completed conns_failed process_user_s \
		process_sys_s client_user_s client_sys_s server_user_s \
		server_sys_s conns_per_s; do
		csv_col $k "$d/csv/summary.csv"; done | paste -sd,)
	row="$row,$(awk -v a="$k0" -v b="$k1" 'BEGIN { printf "%.3f", b - a }')"
	row="$row,$(awk -v a="$h0" -v b="$h1" 'BEGIN { printf "%.3f", b - a }')"
	row="$row,$l,$(awk '
		{ v[$1] = $2 }
		END { printf "%d,%d,%d,%d", v["TcpOutSegs"], v["TcpExtDelayedACKs"],
			v["TcpExtTW"], v["TcpRetransSegs"] }' "$d/nstat")"
	echo "$c,$r,$dur,$row" >>"$tmp/all.csv"
	printf -- '-c %-6s round %s: %s\n' "$c" "$r" "$row"
	rm -rf "$d"
}

# Two namespaces: the outer one (outer.sh EHASH DIR CMD...) only sets
# tcp_child_ehash_entries, so that the run's namespace (inner.sh DIR
# CMD...) gets an established-socket hash table of its own (Linux 5.19+;
# otherwise every namespace shares the host's, and other processes'
# sockets lengthen the chains the run walks)
cat >"$tmp/outer.sh" <<'EOF'
set -e
if [ "$1" != 0 ] && ! sysctl -qw net.ipv4.tcp_child_ehash_entries="$1"; then
	echo "no ehash of the run's own (tcp_child_ehash_entries: Linux 5.19+): -e 0 shares the host's"
	exit 1
fi
shift
exec unshare -n bash "$(dirname "$0")/inner.sh" "$@"
EOF
cat >"$tmp/inner.sh" <<'EOF'
set -e
d=$1
shift
ip link set lo up
nstat -n >/dev/null
"$@" >"$d/out" 2>&1
nstat -as >"$d/nstat"
EOF

if [ -z "$again" ]; then
	make -s rststorm
	command -v nstat >/dev/null || { echo "no nstat (iproute2): apt-get install iproute2"; exit 1; }
	echo "concurrency,round,duration_s,elapsed_s,conns,conns_failed,process_user_s,process_sys_s,client_user_s,client_sys_s,server_user_s,server_sys_s,conns_per_s,ksoftirqd_s,host_softirq_s,load1,out_segs,delayed_acks,time_waits,retrans_segs" >"$tmp/all.csv"
	t_start=$SECONDS
	echo "sweep: -c $sweep; $rounds rounds of ${dur}s runs, interleaved; --close $mix; -t $threads --server-threads $threads --timeout $tmo${extra:+; $extra}; ehash $ehash"
	for r in $(seq 1 "$rounds"); do
		for c in $sweep; do one "$c" "$r"; done
	done
	mv "$tmp/all.csv" "$out/$name.csv"
	when="$(date -u +%Y-%m-%dT%H:%M:%SZ), $((SECONDS - t_start)) s in all"
else
	[ -r "$out/$name.csv" ] || { echo "no $out/$name.csv to analyse"; exit 1; }
	when="analysed again from $out/$name.csv"
fi

{
	echo
	echo "$(uname -r), $(nproc) CPUs, --close $mix, -t $threads --server-threads $threads --timeout $tmo${extra:+, $extra}, ehash $ehash, ${dur}s per run, $when"
	echo "medians per -c over the rounds ($out/$name.csv); CPU in microseconds per connection:"
	awk -F, -v plot="$tmp/plot.dat" '
		function med(a, n,    i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		}
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		{
			c = $h["concurrency"]; n[c]++; k = n[c]; N = $h["conns"] + $h["conns_failed"]; fl[c] += $h["conns_failed"]
			if (!(c in seen)) { seen[c] = 1; cs[++nc] = c }
			cpu[c, k] = 1e6 * ($h["process_user_s"] + $h["process_sys_s"]) / N
			usr[c, k] = 1e6 * $h["process_user_s"] / N
			sys_[c, k] = 1e6 * $h["process_sys_s"] / N
			cli[c, k] = 1e6 * ($h["client_user_s"] + $h["client_sys_s"]) / N
			srv[c, k] = 1e6 * ($h["server_user_s"] + $h["server_sys_s"]) / N
			ksi[c, k] = 1e6 * $h["ksoftirqd_s"] / N
			rate[c, k] = $h["conns_per_s"]; ld[c, k] = $h["load1"]
			seg[c, k] = $h["out_segs"] / N; dack[c, k] = $h["delayed_acks"] / N
			tw[c, k] = $h["time_waits"] / N; rtx[c, k] = $h["retrans_segs"] / N
		}
		function m(arr, c,    j) { for (j = 1; j <= n[c]; j++) a[j] = arr[c, j]; return med(a, n[c]) }
		function lo(arr, c,    j, v) { v = arr[c, 1]; for (j = 2; j <= n[c]; j++) if (arr[c, j] < v) v = arr[c, j]; return v }
		function hi(arr, c,    j, v) { v = arr[c, 1]; for (j = 2; j <= n[c]; j++) if (arr[c, j] > v) v = arr[c, j]; return v }
		END {
			printf "%7s %4s %9s %15s %7s %7s %8s %8s %10s %8s %7s %9s %10s %7s\n", "-c", "runs", "cpu_us/c", "(min..max)", "user", "sys", "client", "server", "ksoftirqd", "conns/s", "load1", "segs/conn", "delack/c", "tw/c"
			for (i = 1; i <= nc; i++) {
				c = cs[i]; v = m(cpu, c); if (i == 1) base = v
				printf "%7s %4d %9.1f %6.1f..%-6.1f %7.2f %7.1f %8.1f %8.1f %10.1f %8.0f %7.2f %9.2f %10.3f %7.3f\n", c, n[c], v, lo(cpu, c), hi(cpu, c), m(usr, c), m(sys_, c), m(cli, c), m(srv, c), m(ksi, c), m(rate, c), m(ld, c), m(seg, c), m(dack, c), m(tw, c)
				print c, v, lo(cpu, c), hi(cpu, c), m(usr, c), m(cli, c), m(srv, c) > plot
				last = c; lastv = v
			}
			for (i = 1; i <= nc; i++) if (fl[cs[i]]) printf "-c %s: %d connections failed in all (counted in the connections CPU is divided by)\n", cs[i], fl[cs[i]]
			printf "growth of the median CPU per connection, -c %s -> -c %s: %+.1f %%\n", cs[1], last, 100 * (lastv / base - 1)
			for (i = 2; i <= nc; i++) printf "  -c %s: %+.1f %%\n", cs[i], 100 * (m(cpu, cs[i]) / base - 1)
		}' "$out/$name.csv"
} | tee "$tmp/summary.txt"
cp "$tmp/summary.txt" "$out/$name.txt"

loads=$(awk -F, 'NR > 1 { l = $16 + 0; if (lo == "" || l < lo) lo = l; if (l > hi) hi = l }
	END { printf "%.0f-%.0f", lo, hi }' "$out/$name.csv")
if command -v gnuplot >/dev/null; then
	gnuplot <<EOF
set terminal pngcairo size 1000,600
set output "$out/$name.png"
set title "CPU per connection against concurrency (-c): medians of $rounds interleaved ${dur} s runs, bars min..max\n--close $mix, -t $threads --server-threads $threads${extra:+, $extra}; $(uname -r), $(nproc) CPUs, load average $loads during the runs" noenhanced
set logscale x
set xrange [60:170000]
set xlabel "concurrency (-c)"
set ylabel "CPU microseconds per connection"
set yrange [0:*]
set key below
set grid
plot "$tmp/plot.dat" using 1:2:3:4 with yerrorlines lw 2 lc 1 title "whole process", \
     "$tmp/plot.dat" using 1:6 with linespoints lw 1 lc 2 dt 2 title "client threads", \
     "$tmp/plot.dat" using 1:7 with linespoints lw 1 lc 3 dt 2 title "server threads", \
     "$tmp/plot.dat" using 1:5 with linespoints lw 1 lc 4 dt 3 title "user space (whole process)"
EOF
	echo "picture: $out/$name.png"
else
	echo "no gnuplot (apt-get install gnuplot-nox): no picture"
fi
