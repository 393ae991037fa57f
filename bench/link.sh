#!/usr/bin/env bash
# What distance changes: `rststorm run --link` over round trips of 0
# (loopback, no link), 1, 5, 20 and 50 ms, loss 0 and 1 %, and a pause
# between the ops (--op-gap) of 0, rtt/2, rtt and 2 x rtt. Each point is
# one bounded run: -c 200, at most -n 2000 connections and -d 10s, half
# FIN and half RST closes, then write, write, read (--wait close).
#   bench/link.sh [-c CONC] [-n CONNS] [-r "1ms 5ms 20ms 50ms"] [-l "0% 1%"]
# Writes results/link/sweep.csv (one row per point; the fin_err_* columns
# are the error rate of the FIN closes' writes by time since the close),
# since-close.csv (the same in power-of-two bins, both modes, per point)
# and since-close.png. -o DIR writes there instead. Needs root and /dev/net/tun (the delay line). Not run
# under nice: it measures time; /proc/loadavg goes into each row.
set -euo pipefail
cd "$(dirname "$0")/.."
c=200 n=2000 rtts="1ms 5ms 20ms 50ms" losses="0% 1%"
out=results/link
while getopts c:n:r:l:o: o; do
	case $o in
	o) out=$OPTARG ;;
	c) c=$OPTARG ;;
	n) n=$OPTARG ;;
	r) rtts=$OPTARG ;;
	l) losses=$OPTARG ;;
	*) echo "usage: $0 [-o DIR] [-c CONC] [-n CONNS] [-r \"1ms 5ms ...\"] [-l \"0% 1%\"]" >&2; exit 2 ;;
	esac
done
[ -x ./rststorm ] || make
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# microseconds of a round trip written as Nms (the sweep's own values)
us_of() { case $1 in 0) echo 0 ;; *ms) echo $((${1%ms} * 1000)) ;; *) echo "bad rtt $1" >&2; exit 2 ;; esac; }

points=()
for loss in $losses; do
	# loopback: no link, no loss to ask for
	[ "$loss" = "0%" ] && points+=("0 0% 0")
	for rtt in $rtts; do
		r=$(us_of "$rtt")
		for g in 0 $((r / 2)) "$r" $((2 * r)); do
			points+=("$rtt $loss ${g}us")
		done
	done
done

echo "rtt_asked_us,rtt_min_us,rtt_srtt_us,loss_pct,op_gap_us,conns_completed,conns_failed,link_lost,fin_w1_ok,fin_w2_ok,fin_w2_epipe,fin_w2_econnreset,fin_read_eof,fin_read_econnreset,rst_w1_econnreset,rst_w2_epipe,rst_read_eof,rst_read_econnreset,fin_w1_since_close_p50_us,fin_w2_since_close_p50_us,fin_err_lt_100us,fin_err_100us_1ms,fin_err_1_10ms,fin_err_10_100ms,fin_err_ge_100ms,concurrency,loadavg_1m" >"$tmp/sweep.csv"
echo "rtt_asked_us,loss_pct,op_gap_us,close_mode,bin_lo_us,bin_hi_us,writes,errors,error_rate" >"$tmp/since.csv"
for p in "${points[@]}"; do
	read -r rtt loss gap <<<"$p"
	d="$tmp/run"
	rm -rf "$d"
	args=(run -q -c "$c" -n "$n" -d 10s --close "fin=1,rst=1" --ops "send,send,recv" --wait close --op-gap "$gap" --csv "$d")
	[ "$rtt" = 0 ] || args+=(--link "rtt=$rtt,loss=$loss")
	if ! ./rststorm "${args[@]}" >"$tmp/out" 2>"$tmp/err"; then
		echo "rststorm ${args[*]}: exit status $?: $(tail -2 "$tmp/err")" >&2
	fi
	[ -f "$d/summary.csv" ] || { echo "no report for ${args[*]}" >&2; continue; }
	load=$(cut -d' ' -f1 /proc/loadavg)
	python3 - "$d" "$rtt" "$loss" "$gap" "$load" "$tmp/sweep.csv" "$tmp/since.csv" "$c" <<'PY'
import csv, sys, math, collections
d, rtt, loss, gap, load, sweep, since, conc = sys.argv[1:9]
s = next(csv.DictReader(open(f"{d}/summary.csv")))
sh = collections.defaultdict(float)
for r in csv.DictReader(open(f"{d}/outcomes.csv")):
    sh[(r["close_mode"], r["op_index"], r["result"])] = float(r["share"])
def f(m, op, res):
    return f"{sh[(m, op, res)]:.4f}"
# the writes' (ops 1 and 2) errors by time since the close
allb = collections.Counter(); errb = collections.Counter()
dec = collections.Counter(); dece = collections.Counter()
edges = [100, 1000, 10000, 100000]
for r in csv.DictReader(open(f"{d}/histograms.csv")):
    h = r["histogram"]
    if h not in ("since_close_ns", "since_close_err_ns") or r["op_index"] not in ("1", "2"):
        continue
    lo_us = int(r["bucket_lo_ns"]) / 1000.0
    n = int(r["count"])
    b = 0 if lo_us < 1 else int(math.log2(lo_us)) + 1
    k = sum(lo_us >= e for e in edges)
    (allb if h == "since_close_ns" else errb)[(r["close_mode"], b)] += n
    if r["close_mode"] == "fin":
        (dec if h == "since_close_ns" else dece)[k] += n
p50 = {}
for r in csv.DictReader(open(f"{d}/ops.csv")):
    if r["close_mode"] == "fin":
        p50[r["op_index"]] = r["since_close_p50_us"]
rtt_us = 0 if rtt == "0" else int(rtt[:-2]) * 1000
gap_us = int(gap[:-2]) if gap.endswith("us") else 0
row = [rtt_us, s["link_rtt_min_us"], s["link_rtt_srtt_us"], loss.rstrip("%"), gap_us,
       s["conns_completed"], s["conns_failed"], s["link_lost"],
       f("fin", "1", "ok"), f("fin", "2", "ok"), f("fin", "2", "EPIPE"), f("fin", "2", "ECONNRESET"),
       f("fin", "3", "eof"), f("fin", "3", "ECONNRESET"),
       f("rst", "1", "ECONNRESET"), f("rst", "2", "EPIPE"), f("rst", "3", "eof"), f("rst", "3", "ECONNRESET")]
row += [p50.get("1", ""), p50.get("2", "")]
row += [f"{dece[k] / dec[k]:.4f}" if dec[k] else "" for k in range(5)]
row += [conc, load]
with open(sweep, "a") as o:
    o.write(",".join(str(x) for x in row) + "\n")
with open(since, "a") as o:
    for (m, b), n in sorted(allb.items()):
        lo = 0 if b == 0 else 2 ** (b - 1)
        hi = 1 if b == 0 else 2 ** b
        e = errb[(m, b)]
        o.write(f"{rtt_us},{loss.rstrip('%')},{gap_us},{m},{lo},{hi},{n},{e},{e / n:.6f}\n")
PY
	echo "rtt=$rtt loss=$loss op-gap=$gap: $(tail -1 "$tmp/sweep.csv")"
done
cp "$tmp/sweep.csv" "$out/sweep.csv"
cp "$tmp/since.csv" "$out/since-close.csv"
echo "wrote $out/sweep.csv, $out/since-close.csv"

if command -v gnuplot >/dev/null; then
	# FIN closes: the writes' error rate against the time since the close,
	# all gaps of one round trip pooled; a panel per loss
	for loss in $losses; do
		l=${loss%\%}
		for rtt in 0 $rtts; do
			r=$(us_of "$rtt")
			awk -F, -v r="$r" -v l="$l" 'NR > 1 && $1 == r && $2 == l && $4 == "fin" { n[$5] += $7; e[$5] += $8; hi[$5] = $6 }
				END { for (k in n) print (k + hi[k]) / 2 / 1000, e[k] / n[k], n[k] }' \
				"$out/since-close.csv" | sort -g >"$tmp/fin-$l-$r.dat"
		done
	done
	{
		echo 'set terminal pngcairo size 1100,450 font ",10"'
		echo "set output '$out/since-close.png'"
		echo "set multiplot layout 1,$(echo "$losses" | wc -w)"
		echo 'set logscale x; set xlabel "time from the server'"'"'s FIN close to the client'"'"'s write (ms)"; set ylabel "error rate of the writes"; set yrange [-0.02:1.05]; set key top left'
		for loss in $losses; do
			l=${loss%\%}
			plot="set title 'FIN close, then write, write (ops 1-2, all --op-gap), loss $loss'; plot"
			sep=""
			for rtt in 0 $rtts; do
				r=$(us_of "$rtt")
				[ -s "$tmp/fin-$l-$r.dat" ] || continue
				plot="$plot$sep '$tmp/fin-$l-$r.dat' using 1:2 with linespoints title 'rtt $([ "$rtt" = 0 ] && echo loopback || echo "$rtt")'"
				sep=","
			done
			echo "$plot"
		done
		echo 'unset multiplot'
	} >"$tmp/plot.gp"
	gnuplot "$tmp/plot.gp" && echo "picture: $out/since-close.png"
else
	echo "gnuplot not installed (apt-get install gnuplot-nox): no picture"
fi
