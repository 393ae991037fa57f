# bench/peers.sh's picture: connections/s (each tool's own count) and CPU
# per connection, every run, by round, for each tool and flow count.
#   gnuplot -e "csv='results/bench/peers.csv'; png='out.png'" bench/peers.gp
set terminal pngcairo size 1200,500 font ",10"
set output png
set datafile separator ","
set key top left box opaque
set grid
set multiplot layout 1,2 title "rststorm --churn, neper tcp_crr, netperf TCP_CRR on 127.0.0.1 (every run; by round)"
# columns: 1 round, 2 flows, 3 tool, 8 own_rate, 16 cpu_us_per_conn
sel(t, f, c) = (strcol(3) eq t && column(2) == f) ? column(c) : 1/0
set xlabel "round"
set ylabel "connections/s (the tool's own count)"
set yrange [0:*]
plot for [f in "100 1000"] for [t in "rststorm neper netperf"] \
	csv using 1:(sel(t, int(f), 8)) every ::1 with linespoints \
	pt (t eq "rststorm" ? 7 : t eq "neper" ? 5 : 9) dt (f eq "100" ? 1 : 2) \
	lc (t eq "rststorm" ? 1 : t eq "neper" ? 2 : 4) title sprintf("%s -F %s", t, f)
set ylabel "CPU µs per connection (all processes + ksoftirqd)"
plot for [f in "100 1000"] for [t in "rststorm neper netperf"] \
	csv using 1:(sel(t, int(f), 16)) every ::1 with linespoints \
	pt (t eq "rststorm" ? 7 : t eq "neper" ? 5 : 9) dt (f eq "100" ? 1 : 2) \
	lc (t eq "rststorm" ? 1 : t eq "neper" ? 2 : 4) title sprintf("%s -F %s", t, f)
unset multiplot
