# run --hlog FILE against an independent decoder: hdr-histogram-js (the
# npm package, installed into build/npm by `make npm`) reads every
# histogram of the log. Its tags are exactly the histograms of
# histograms.csv, its total counts equal theirs exactly, and its p50, p90,
# p99, p99.9 and max lie in the rststorm bucket of the same rank, widened
# by HdrHistogram's 3-digit quantisation (src/hlog.h). Usage errors of
# --hlog exit 2 before the run; an unwritable file leaves no log behind.
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
HDRJS=${HDRJS:-$root/build/npm/node_modules/hdr-histogram-js}
command -v node >/dev/null || skip "node missing: make deps installs nodejs"
command -v python3 >/dev/null || skip "python3 missing: make deps installs it"
[ -f "$HDRJS/package.json" ] ||
	skip "hdr-histogram-js not in build/npm: make npm (the npm registry could not be reached?)"

# usage errors: exit 2, one line naming --hlog, nothing run
for bad in "" "$TMP/nodir/x.hlog" "$TMP" "$TMP/dir/"; do
	out=$("$RSTSTORM" run -q -n 10 --hlog "$bad" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq 2 ] || fail "--hlog '$bad': exit $rc, expected 2 ($out)"
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
		fail "--hlog '$bad': more than one line: $out"
	case $out in *--hlog*) ;; *) fail "--hlog '$bad': message lacks --hlog: $out" ;; esac
done

"$RSTSTORM" run -q -c 50 -n 3000 --close fin=40,rst=40,unread=20 \
	--ops send,recv,send --csv "$TMP/r" --hlog "$TMP/r.hlog" >/dev/null ||
	fail "run exit $?"
[ -s "$TMP/r.hlog" ] || fail "no log written"
ls "$TMP" | grep -q '\.tmp' && fail "a temporary file was left: $(ls "$TMP")"
head -n 5 "$TMP/r.hlog" | grep -q '^#\[StartTime: [0-9]*\.[0-9]* (seconds since epoch)' ||
	fail "no StartTime line: $(head -n 5 "$TMP/r.hlog")"
grep -qx '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"' \
	"$TMP/r.hlog" || fail "no legend line"

# the decoder: one JSON object a histogram
node -e '
const hdr = require(process.argv[1]);
const fs = require("fs");
// 64-bit counts (bitBucketSize 64): no count is cut to 32 bits
const r = new hdr.HistogramLogReader(fs.readFileSync(process.argv[2], "utf8"), 64);
let h;
while ((h = r.nextIntervalHistogram()) !== null) {
	const p = {};
	for (const q of [50, 90, 99, 99.9, 100])
		p[q] = h.getValueAtPercentile(q);
	console.log(JSON.stringify({ tag: h.tag, total: h.totalCount,
		start: h.startTimeStampMsec, end: h.endTimeStampMsec, p: p }));
}' "$HDRJS" "$TMP/r.hlog" >"$TMP/decoded" || fail "hdr-histogram-js could not read the log"

python3 - "$TMP/decoded" "$TMP/r" <<'PY' || fail "the log does not match histograms.csv"
import csv, json, sys
from fractions import Fraction

dec = [json.loads(l) for l in open(sys.argv[1])]
rep = sys.argv[2]
hists = {}
for row in csv.DictReader(open(rep + "/histograms.csv")):
    name = row["histogram"][:-3]  # connect_ns -> connect
    tag = name if name in ("connect", "pass") else "%s.%s.%s%s" % (
        name, row["close_mode"], row["op_kind"], row["op_index"])
    hists.setdefault(tag, []).append(
        (int(row["bucket_lo_ns"]), int(row["bucket_hi_ns"]), int(row["count"])))
got = {d["tag"]: d for d in dec}
assert len(got) == len(dec), "a tag twice"
assert set(got) == set(hists), "tags %s != histograms %s" % (
    sorted(set(got) ^ set(hists)), "")
summ = next(csv.DictReader(open(rep + "/summary.csv")))
elapsed = float(summ["elapsed_s"])
worst = 0.0
for tag, buckets in hists.items():
    d = got[tag]
    total = sum(c for _, _, c in buckets)
    assert d["total"] == total, "%s: total %s, histograms.csv %d" % (tag, d["total"], total)
    assert abs((d["end"] - d["start"]) / 1000 - elapsed) < 0.002, \
        "%s: interval %s ms, elapsed_s %s" % (tag, d["end"] - d["start"], elapsed)
    buckets.sort()
    for q, v in d["p"].items():
        rank = max(1, -(-Fraction(q) * total // 100))
        seen = 0
        for lo, hi, c in buckets:
            seen += c
            if seen >= rank:
                break
        # the bucket midpoint, then HdrHistogram's highest equivalent
        # value: at most 1/1024 above it (3 digits)
        assert lo <= v <= hi + hi // 1024 + 1, \
            "%s p%s: %s not in bucket [%d, %d] of rank %d" % (tag, q, v, lo, hi, rank)
        worst = max(worst, abs(v - (lo + hi) / 2) / max(hi, 1))
# the op histograms hold every counted completion of ops.csv
for row in csv.DictReader(open(rep + "/ops.csv")):
    tag = "op.%s.%s%s" % (row["close_mode"], row["op_kind"], row["op_index"])
    n = got[tag]["total"] if tag in got else 0
    assert n == int(row["counted"]), "%s: %d in the log, ops.csv counted %s" % (
        tag, n, row["counted"])
print("measured: %d histograms decoded by hdr-histogram-js, totals exact; "
      "largest distance of a decoded percentile from its bucket midpoint "
      "%.2f%% of the bucket top" % (len(dec), 100 * worst))
PY
