# bench/peers.sh's picture: connections/s (each tool's own count) and CPU
# per connection, every run, by round, for each tool (colour) and flow
# count (filled circle: the first, square: the others).
#   gnuplot -e "csv='results/bench/peers.csv'; png='out.png'; flows='100 1000'" bench/peers.gp
set terminal pngcairo size 1200,500 font ",10"
set output png
set termoption noenhanced
set datafile separator ","
set key top left box opaque
set grid
set multiplot layout 1,2 title "rststorm --churn, neper tcp_crr, netperf TCP_CRR on 127.0.0.1 (every run, by round; round 0, under perf stat, left out)"
# columns: 1 round, 2 flows, 3 tool, 8 own_rate, 16 cpu_us_per_conn
if (!exists("flows")) flows = "100 1000"
# round 0 is the counting pass under perf stat: left out
sel(t, f, c) = (strcol(3) eq t && column(2) == f && column(1) > 0) ? column(c) : 1/0
set xlabel "round"
set xrange [0.5:*]
set ylabel "connections/s (the tool's own count)"
set yrange [0:*]
plot for [f in flows] for [t in "rststorm neper netperf"] \
	csv using 1:(sel(t, int(f), 8)) every ::1 with points \
	pt (f eq word(flows, 1) ? 7 : 5) \
	lc (t eq "rststorm" ? 1 : t eq "neper" ? 2 : 4) title sprintf("%s -F %s", t, f)
set ylabel "CPU µs per connection (all processes + ksoftirqd)"
plot for [f in flows] for [t in "rststorm neper netperf"] \
	csv using 1:(sel(t, int(f), 16)) every ::1 with points \
	pt (f eq word(flows, 1) ? 7 : 5) \
	lc (t eq "rststorm" ? 1 : t eq "neper" ? 2 : 4) title sprintf("%s -F %s", t, f)
unset multiplot
