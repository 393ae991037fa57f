#!/usr/bin/env bash
# The picture of bench/behaviour.sh, from its CSV files: left, the error rate
# of the 2nd write after a FIN against the time from the close to the op
# (--wait none, per concurrency: results/behaviour/errrate.csv); right, what
# the racing ops (--wait none) got, as shares stacked per concurrency, for
# the 2nd write after a FIN and the 1st write after an RST
# (results/behaviour/shares.csv). The RST's error rate against time is not
# drawn: it is 1 in every bin (an op after the RST always fails; the "ok"
# ones reached the server before its close and have no time since it).
#   bench/behaviour-plot.sh [DIR]    (default results/behaviour)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/behaviour}
command -v gnuplot >/dev/null ||
	{ echo "gnuplot not installed (apt-get install gnuplot-nox): no picture"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
concs=$(awk -F, 'NR > 1 { print $1 }' "$out/errrate.csv" | sort -un | tr '\n' ' ')
for c in $concs; do
	awk -F, -v c="$c" 'NR > 1 && $1 == c && $2 == "none" && $3 == "fin" && $4 == 2 { print ($5 + $6) / 2, $9, $7 }' \
		"$out/errrate.csv" >"$tmp/fin-$c.dat"
done
# shares: "-c C" ok EPIPE ECONNRESET other, per (mode, op)
for m in fin:2 rst:1; do
	awk -F, -v m="${m%:*}" -v op="${m#*:}" '
		NR > 1 && $2 == "none" && $3 == m && $4 == op {
			if (!($1 in seen)) { seen[$1] = 1; cs[++n] = $1 }
			if ($5 == "ok" || $5 == "EPIPE" || $5 == "ECONNRESET") s[$1, $5] += $7
			else s[$1, "other"] += $7
		}
		END {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && cs[j-1] + 0 > cs[j] + 0; j--) { t = cs[j]; cs[j] = cs[j-1]; cs[j-1] = t }
			for (i = 1; i <= n; i++) { c = cs[i]; printf "\"-c %s\" %.4f %.4f %.4f %.4f\n", c, s[c, "ok"], s[c, "EPIPE"], s[c, "ECONNRESET"], s[c, "other"] }
		}' "$out/shares.csv" >"$tmp/share-${m%:*}.dat"
done
{
	echo 'set terminal pngcairo size 1200,460 font ",10"'
	echo "set output '$out/errrate.png'"
	echo 'set multiplot layout 1,2'
	echo 'set logscale x; set xlabel "time from the peer'"'"'s close to the op (µs)"; set ylabel "error rate"; set yrange [-0.02:1.05]; set key bottom right; set grid'
	plot="set title 'FIN, then write, write (--wait none): error rate of the 2nd write'; plot"
	sep=""
	for c in $concs; do
		plot="$plot$sep '$tmp/fin-$c.dat' using 1:2 with linespoints title '-c $c'"
		sep=","
	done
	echo "$plot"
	echo 'unset logscale x; unset grid; set grid ytics; set xlabel ""; set ylabel "share of the op'"'"'s results"; set yrange [0:1.15]; set key top center horizontal'
	echo 'set style data histograms; set style histogram rowstacked; set style fill solid 0.8 border -1; set boxwidth 0.75; set xtics rotate by -30 nomirror'
	echo "set title 'what the racing ops got (--wait none), by concurrency'"
	echo "plot newhistogram 'FIN: 2nd write' lt 1, '$tmp/share-fin.dat' using 2:xtic(1) title 'ok' lc rgb '#2ca02c', '' using 3 title 'EPIPE' lc rgb '#1f77b4', '' using 4 title 'ECONNRESET' lc rgb '#d62728', '' using 5 title 'other' lc rgb '#999999', \\"
	echo "     newhistogram 'RST: 1st write' lt 1, '$tmp/share-rst.dat' using 2:xtic(1) notitle lc rgb '#2ca02c', '' using 3 notitle lc rgb '#1f77b4', '' using 4 notitle lc rgb '#d62728', '' using 5 notitle lc rgb '#999999'"
	echo 'unset multiplot'
} >"$tmp/plot.gp"
gnuplot "$tmp/plot.gp"
echo "picture: $out/errrate.png"
