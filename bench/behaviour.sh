#!/usr/bin/env bash
# The core teardown scenarios (FIN and RST, then two writes) under load at
# concurrency 1, 100, 1000 and 10000: the share of each result per op, and
# the error rate against the time since the peer's close, from
# `rststorm run` histograms. Two timings: the ops wait for the close to be
# seen (--wait close), and they race it (--wait none).
#   bench/behaviour.sh [-d DURATION] [-c "1 100 1000 10000"]
# Writes results/behaviour/{shares,errrate,runs}.csv and, through
# bench/behaviour-plot.sh, errrate.png.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=3s concs="1 100 1000 10000"
while getopts d:c: o; do
	case $o in
	d) dur=$OPTARG ;;
	c) concs=$OPTARG ;;
	*) echo "usage: $0 [-d DURATION] [-c \"C1 C2 ...\"]" >&2; exit 2 ;;
	esac
done
[ -x ./rststorm ] || make
out=results/behaviour
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

echo "concurrency,wait,conns,conns_per_s,elapsed_s" >"$out/runs.csv"
echo "concurrency,wait,close_mode,op_index,result,count,share" >"$out/shares.csv"
echo "concurrency,wait,close_mode,op_index,bin_lo_us,bin_hi_us,ops,errors,error_rate" >"$out/errrate.csv"
for wait in close none; do
	for c in $concs; do
		d="$tmp/$wait-$c"
		# -c 1: one connection at a time; bounded by count and time
		./rststorm run -q -c "$c" -d "$dur" -n 2m --close fin=1,rst=1 \
			--ops send,send --wait "$wait" --csv "$d" >/dev/null
		python3 - "$d" "$c" "$wait" "$out" <<'PY'
import csv, sys, math, collections
d, c, wait, out = sys.argv[1:5]
s = next(csv.DictReader(open(f"{d}/summary.csv")))
with open(f"{out}/runs.csv", "a") as f:
    f.write(f"{c},{wait},{s['conns_completed']},{s['conns_per_s']},{s['elapsed_s']}\n")
with open(f"{out}/shares.csv", "a") as f:
    for r in csv.DictReader(open(f"{d}/outcomes.csv")):
        f.write(f"{c},{wait},{r['close_mode']},{r['op_index']},{r['result']},{r['count']},{r['share']}\n")
# since-close histograms, summed into one bin per power of two of µs
allb = collections.Counter(); errb = collections.Counter()
for r in csv.DictReader(open(f"{d}/histograms.csv")):
    if r["histogram"] not in ("since_close_ns", "since_close_err_ns"):
        continue
    lo_us = int(r["bucket_lo_ns"]) / 1000.0
    b = 0 if lo_us < 1 else int(math.log2(lo_us)) + 1
    key = (r["close_mode"], r["op_index"], b)
    (allb if r["histogram"] == "since_close_ns" else errb)[key] += int(r["count"])
with open(f"{out}/errrate.csv", "a") as f:
    for (m, op, b), n in sorted(allb.items(), key=lambda kv: (kv[0][0], int(kv[0][1]), kv[0][2])):
        lo = 0 if b == 0 else 2 ** (b - 1)
        hi = 1 if b == 0 else 2 ** b
        e = errb[(m, op, b)]
        f.write(f"{c},{wait},{m},{op},{lo},{hi},{n},{e},{e / n:.6f}\n")
PY
		echo "-c $c --wait $wait: $(awk -F, -v c="$c" -v w="$wait" '$1 == c && $2 == w { print $3 " connections, " $4 "/s" }' "$out/runs.csv")"
	done
done

# the shares table: first and second write, by close mode
echo
echo "share of each result (wait close | wait none)"
python3 - "$out/shares.csv" <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
t = collections.defaultdict(list)
for r in rows:
    t[(r["wait"], r["close_mode"], r["op_index"], r["concurrency"])].append((float(r["share"]), r["result"]))
for wait in ("close", "none"):
    for mode in ("fin", "rst"):
        for op in ("1", "2"):
            cells = []
            for c in sorted({r["concurrency"] for r in rows}, key=int):
                v = sorted(t.get((wait, mode, op, c), []), reverse=True)
                cells.append(f"-c {c}: " + " ".join(f"{res} {100*s:.1f}%" for s, res in v[:3]))
            print(f"wait {wait:5} {mode} write {op}: " + " | ".join(cells))
PY

bench/behaviour-plot.sh "$out"
