#!/usr/bin/env bash
# The race scenarios' shares, per kernel of the matrix (results/kernels/*/
# check) and for this host's own larger check (results/check): the share
# of the named result of each race cell, alone and under load, with 95 %
# Wilson intervals. Writes results/kernels/races.csv (every source, every
# cell) and draws results/kernels/races.png with the cells whose share
# varies (strictly between 0 and 1 somewhere, or different between
# sources); when none varies there is nothing to see, and no picture.
#   bench/kernels-plot.sh            -> results/kernels/races.csv, races.png
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/kernels
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$out" "$tmp" >"$out/races.csv" <<'PY'
import csv, glob, os, sys, math
out, tmp = sys.argv[1], sys.argv[2]
cells = [("race-rst-xcpu", "1", "send", "ECONNRESET"), ("race-rst-xcpu", "2", "send", "EPIPE"),
         ("race-fin-xcpu", "2", "send", "EPIPE"), ("race-fin-xcpu", "3", "recv", "eof")]
def wilson(k, n, z=1.959964):
    if n == 0: return 0.0, 1.0
    p = k / n; d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)
def key(rel):
    return [int(x) if x.isdigit() else 0 for x in rel.replace("+", ".").replace("-", ".").split(".")[:3]]
kernels = sorted((os.path.basename(os.path.dirname(os.path.dirname(d))) for d in glob.glob(f"{out}/*/check/cells.csv")), key=key)
# (label, source, dir): the matrix's kernels, then the host's own check
sources = [(k.split("-")[0].split("+")[0], "matrix", f"{out}/{k}/check") for k in kernels]
if os.path.exists("results/check/cells.csv"):
    sources.append(("host", "host", "results/check"))
print("source,kernel,trials,load_c,scenario,phase,op_index,result,count,total,share,ci_lo,ci_hi")
table = {}   # (cell, phase) -> [(label, share, lo, hi)]
labels = []
for label, src, d in sources:
    meta = next(csv.DictReader(open(f"{d}/check.csv")))
    rows = list(csv.DictReader(open(f"{d}/cells.csv")))
    labels.append(f"{label} {meta['kernel_release'].split('-')[0].split('+')[0] if src == 'host' else ''}".strip()
                  + f" ({meta['trials']} trials, load -c {meta['load_c']})")
    for sc, op, kind, res in cells:
        for ph in ("alone", "load"):
            sel = [r for r in rows if r["scenario"] == sc and r["phase"] == ph and r["op_index"] == op]
            tot = sum(int(r["count"]) for r in sel)
            n = sum(int(r["count"]) for r in sel if r["result"] == res)
            lo, hi = wilson(n, tot)
            s = n / tot if tot else 0.0
            print(f"{src},{meta['kernel_release']},{meta['trials']},{meta['load_c']},{sc},{ph},{op},{res},{n},{tot},{s:.6f},{lo:.6f},{hi:.6f}")
            table.setdefault((sc, op, kind, res, ph), []).append((s, lo, hi))
vary = [c for c, v in table.items()
        if any(0 < s < 1 for s, _, _ in v) or len({round(s, 6) for s, _, _ in v}) > 1]
with open(f"{tmp}/plot.dat", "w") as f:
    for c in vary:
        sc, op, kind, res, ph = c
        f.write(f'"{sc[5:]}\\n{kind} {op} {res}\\n{ph}" ' + " ".join(f"{s:.4f} {lo:.4f} {hi:.4f}" for s, lo, hi in table[c]) + "\n")
with open(f"{tmp}/labels", "w") as f:
    f.write("\n".join(labels) + "\n")
print(f"{len(vary)} of {len(table)} race cells vary", file=sys.stderr)
PY
nvary=$(awk 'END { print NR }' "$tmp/plot.dat")
if [ "$nvary" = 0 ]; then
	rm -f "$out/races.png"
	echo "no race share varies between 0 and 1 or between sources: no picture ($out/races.csv has the shares)"
	exit 0
fi
if ! command -v gnuplot >/dev/null; then
	echo "gnuplot not installed (apt-get install gnuplot-nox): $out/races.csv only"
	exit 0
fi
nsrc=$(wc -l <"$tmp/labels")
{
	echo 'set terminal pngcairo size 1100,600 font ",10"'
	echo "set output \"$out/races.png\""
	echo 'set title "The races'"'"' named results: share per kernel of the matrix and on this host, 95 % Wilson intervals" noenhanced'
	echo 'set style data histograms'
	echo 'set style histogram errorbars gap 2 lw 1'
	echo 'set style fill solid 0.7 border -1'
	echo 'set yrange [0:1.1]'
	echo 'set ytics 0,0.2,1'
	echo 'set ylabel "share of the op'"'"'s results"'
	echo 'set key outside below horizontal maxcols 3 noenhanced'
	echo 'set bmargin 8'
	echo 'set grid ytics'
	echo 'set xtics font ",9"'
	printf 'plot "%s" ' "$tmp/plot.dat"
	for i in $(seq 1 "$nsrc"); do
		c=$((2 + 3 * (i - 1)))
		t=$(sed -n "${i}p" "$tmp/labels")
		[ "$i" -gt 1 ] && printf ', "" '
		if [ "$i" = 1 ]; then
			printf 'using %d:%d:%d:xtic(1) title "%s"' "$c" $((c + 1)) $((c + 2)) "$t"
		else
			printf 'using %d:%d:%d title "%s"' "$c" $((c + 1)) $((c + 2)) "$t"
		fi
		[ "$(sed -n "${i}p" "$tmp/labels" | cut -c1-4)" = host ] && printf ' lc rgb "#d62728"'
	done
	echo
} >"$tmp/plot.gp"
gnuplot "$tmp/plot.gp"
echo "picture: $out/races.png"
