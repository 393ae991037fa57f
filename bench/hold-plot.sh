#!/usr/bin/env bash
# The --hold picture from results/bench/hold.csv (bench/hold.sh writes both):
# left, the memory the held connections add (VmRSS held - VmRSS before) per
# run, with the median per size; right, what one connection costs: the
# added memory over N per run, and the marginal cost between successive
# sizes (difference of the medians over the difference of N), which is
# the per-connection figure once the fixed part is paid.
#   bench/hold-plot.sh [hold.csv [rss.png]]
set -euo pipefail
cd "$(dirname "$0")/.."
csv=${1:-results/bench/hold.csv}
png=${2:-results/bench/rss.png}
command -v gnuplot >/dev/null ||
	{ echo "no gnuplot: $png not drawn (apt-get install gnuplot-nox)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# runs.dat: N added_MiB bytes_per_conn kernel_bytes_per_conn (every run;
#           NaN for rows of a hold.csv before the kernel's column)
# med.dat:  N median_added_MiB median_bytes_per_conn marginal_bytes threads
awk -F, -v runs="$tmp/runs.dat" -v med="$tmp/med.dat" '
	function median(s,    n, a, i, j, t) {
		n = split(s, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{
		n = $c["N"]; add = ($c["rss_held_kb"] - $c["rss_before_kb"]) * 1024
		kb = ("kernel_bytes_per_conn" in c) ? $c["kernel_bytes_per_conn"] : "NaN"
		if (kb + 0 <= 0) kb = "NaN" # host-wide Slab fell: others freed more
		printf "%d %.4f %.1f %s\n", n, add / 1048576, add / n, kb >runs
		A[n] = A[n] " " add; th[n] = $c["client_threads"] "+" $c["server_threads"]
		if (!(n in seen)) { seen[n] = 1; ns[++k] = n }
	}
	END {
		for (i = 2; i <= k; i++) for (j = i; j > 1 && ns[j-1] > ns[j]; j--) { t = ns[j]; ns[j] = ns[j-1]; ns[j-1] = t }
		for (i = 1; i <= k; i++) {
			n = ns[i]; m = median(A[n])
			marg = i > 1 ? sprintf("%.1f", (m - pm) / (n - pn)) : "NaN"
			printf "%d %.4f %.1f %s %s\n", n, m / 1048576, m / n, marg, th[n] >med
			pm = m; pn = n
		}
	}' "$csv"

gnuplot <<GP
set terminal pngcairo size 1650,480 font ",10"
set output "$png"
set multiplot layout 1,3 title "rststorm run --hold: memory of N connections held at once (results/bench/hold.csv; each point a run, lines the medians)" noenhanced
set xlabel "connections held (N)"
set grid
set key top left
set title "VmRSS added by the held connections (labels: client+server threads)"
set xrange [0:*]
set ylabel "MiB (held - before the run)"
set yrange [0:*]
plot "$tmp/runs.dat" using 1:2 with points pt 6 lc 1 title "a run", \
     "$tmp/med.dat" using 1:2 with lines lw 2 lc 1 title "median", \
     "$tmp/med.dat" using 1:2:(sprintf("%s thr", stringcolumn(5))) with labels offset 0,1.2 left notitle
set title "bytes per connection"
set logscale x
set xrange [700:1400000]
set ylabel "bytes"
set yrange [0:700]
plot "$tmp/runs.dat" using 1:3 with points pt 6 lc 1 title "added / N, a run", \
     "$tmp/med.dat" using 1:3 with lines lw 2 lc 1 title "added / N, median", \
     "$tmp/med.dat" using 1:4 with linespoints lw 2 lc 2 pt 7 title "marginal: between this N and the one before", \
     256 with lines dt 2 lc 8 title "target: 256 bytes"
set title "kernel slab per connection (both sockets; host-wide)"
set ylabel "bytes"
set yrange [0:*]
plot "$tmp/runs.dat" using 1:4 with points pt 7 lc 3 title "a run"
unset multiplot
GP
echo "picture: $png"
