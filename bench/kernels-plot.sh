#!/usr/bin/env bash
# The kernel matrix's picture: for each kernel under results/kernels/ with a
# check report, the share of the expected result of the race scenarios'
# measured ops (alone and under load), with 95 % Wilson intervals.
#   bench/kernels-plot.sh            -> results/kernels/races.csv, races.png
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/kernels
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$out" "$tmp/plot.dat" >"$out/races.csv" <<'PY'
import csv, glob, os, sys, math
out, dat = sys.argv[1], sys.argv[2]
cells = [("race-rst-xcpu", "1", "ECONNRESET"), ("race-rst-xcpu", "2", "EPIPE"),
         ("race-fin-xcpu", "2", "EPIPE"), ("race-fin-xcpu", "3", "eof")]
def wilson(k, n, z=1.959964):
    if n == 0: return 0.0, 1.0
    p = k / n; d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)
def key(rel):
    return [int(x) if x.isdigit() else 0 for x in rel.replace("+", ".").replace("-", ".").split(".")[:3]]
kernels = sorted((os.path.basename(os.path.dirname(os.path.dirname(d))) for d in glob.glob(f"{out}/*/check/cells.csv")), key=key)
print("kernel,scenario,phase,op_index,result,count,trials,share,ci_lo,ci_hi")
with open(dat, "w") as f:
    for k in kernels:
        rows = list(csv.DictReader(open(f"{out}/{k}/check/cells.csv")))
        vals = []
        for sc, op, res in cells:
            for ph in ("alone", "load"):
                tot = sum(int(r["count"]) for r in rows if r["scenario"] == sc and r["phase"] == ph and r["op_index"] == op)
                n = sum(int(r["count"]) for r in rows if r["scenario"] == sc and r["phase"] == ph and r["op_index"] == op and r["result"] == res)
                lo, hi = wilson(n, tot)
                s = n / tot if tot else 0
                print(f"{k},{sc},{ph},{op},{res},{n},{tot},{s:.6f},{lo:.6f},{hi:.6f}")
                vals += [f"{s:.4f}", f"{lo:.4f}", f"{hi:.4f}"]
        f.write(k.split("-")[0].split("+")[0] + " " + " ".join(vals) + "\n")
PY
if ! command -v gnuplot >/dev/null; then
	echo "gnuplot not installed (apt-get install gnuplot-nox): $out/races.csv only"
	exit 0
fi
cat >"$tmp/plot.gp" <<GP
set terminal pngcairo size 1100,480 font ",10"
set output "$out/races.png"
set title "Races by kernel: share of the named result, 95 % Wilson intervals (alone: solid, under load: hatched)"
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set yrange [0:1.05]
set ylabel "share"
set key outside right
plot "$tmp/plot.dat" using 2:3:4:xtic(1) title "rst-xcpu send 1 ECONNRESET", \
     "" using 5:6:7 title "... under load" fs pattern 4, \
     "" using 8:9:10 title "rst-xcpu send 2 EPIPE", \
     "" using 11:12:13 title "... under load" fs pattern 4, \
     "" using 14:15:16 title "fin-xcpu send 2 EPIPE", \
     "" using 17:18:19 title "... under load" fs pattern 4, \
     "" using 20:21:22 title "fin-xcpu recv 3 eof", \
     "" using 23:24:25 title "... under load" fs pattern 4
GP
gnuplot "$tmp/plot.gp"
echo "picture: $out/races.png"
