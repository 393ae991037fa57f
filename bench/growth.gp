# bench/peers.sh's picture when it ran three flow counts or more: CPU per
# connection against the flow count (log scale), each tool's median with
# its min..max over the rounds, and every run as a dot.
#   gnuplot -e "csv='results/bench/growth-peers.csv'; med='MEDIANS'; tools='rststorm neper'; png='out.png'" bench/growth.gp
# MEDIANS: lines "tool,flows,median,min,max", written by bench/peers.sh;
# tools: the tools the CSV has.
set terminal pngcairo size 900,520 font ",10"
set output png
set termoption noenhanced
set datafile separator ","
set key top left box opaque
set grid
set logscale x
set xlabel "flows (concurrent connections)"
set ylabel "CPU µs per connection (all processes + ksoftirqd)"
set yrange [0:*]
set title "CPU per connection against the flow count on 127.0.0.1 (median, min..max; dots: every run)"
# columns of the CSV: 1 round, 2 flows, 3 tool, 16 cpu_us_per_conn
sel(t, c) = (strcol(3) eq t && column(1) > 0) ? column(c) : 1/0
col(t) = t eq "rststorm" ? 1 : t eq "neper" ? 2 : 4
if (!exists("tools")) tools = "rststorm neper netperf"
plot for [t in tools] \
	csv using 2:(sel(t, 16)) every ::1 with points pt 7 ps 0.5 lc col(t) notitle, \
     for [t in tools] \
	med using 2:(strcol(1) eq t ? $3 : 1/0):4:5 with yerrorlines \
	lw 2 pt 5 lc col(t) title t
