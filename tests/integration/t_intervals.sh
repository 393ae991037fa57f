# run --interval: intervals.csv and interval_ops.csv add up EXACTLY to the
# run's totals (summary.csv, outcomes.csv); the intervals tile the run from
# 0 to elapsed_s; the NDJSON lines (--json FILE: the sibling
# NAME.intervals.ndjson; --json -: stdout, then the document) parse with
# python3's json module and equal the CSV rows; bad values exit 2 naming
# the option; off a terminal, progress lines appear on stderr (period from
# --interval, or RSTSTORM_TEST_PROGRESS_MS, the tests' override) and -q stops
# them.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "python3 missing: make deps installs it"

# usage errors: exit 2, one line naming the option, the value, the range
for v in 50ms 2h 0 abc 1x; do
	"$RSTSTORM" run -d 1 --interval "$v" >"$TMP/o" 2>"$TMP/e"
	rc=$?
	[ $rc -eq 2 ] || fail "--interval $v: exit $rc, wanted 2"
	grep -q -- "--interval" "$TMP/e" && grep -qF "$v" "$TMP/e" &&
		grep -q "100ms to 1h" "$TMP/e" ||
		fail "--interval $v: message lacks option, value or range: $(cat "$TMP/e")"
	[ "$(wc -l <"$TMP/e")" -eq 1 ] || fail "--interval $v: more than one line"
done

# sums: CSV files against the totals, NDJSON against the CSV
check_sums() { # DIR NDJSON
	python3 - "$1" "$2" <<'PY' || fail "sums of $1"
import csv, json, sys
from collections import Counter
from decimal import Decimal
d, nd = sys.argv[1], sys.argv[2]
rows = lambda n: list(csv.DictReader(open(f"{d}/{n}", newline="")))
s = rows("summary.csv")[0]
iv = rows("intervals.csv")
ops = rows("interval_ops.csv")
assert iv, "no interval rows"
for col in ("conns_started", "conns_completed", "conns_failed",
            "conns_abandoned", "ops_completed"):
    t = sum(int(r[col]) for r in iv)
    assert t == int(s[col]), f"{col}: intervals {t}, summary {s[col]}"
# the rows tile [0, elapsed_s]
for i, r in enumerate(iv):
    assert int(r["interval"]) == i, (i, r["interval"])
    if i:
        assert r["t_start_s"] == iv[i - 1]["t_end_s"], (i, r)
assert iv[0]["t_start_s"] == "0.000"
assert iv[-1]["t_end_s"] == s["elapsed_s"], (iv[-1]["t_end_s"], s["elapsed_s"])
# interval_ops.csv by (mode, op, result) == outcomes.csv, and per interval
# its ops add up to ops_completed
key = lambda r: (r["close_mode"], r["op_index"], r["op_kind"], r["result"])
a = Counter()
per = Counter()
for r in ops:
    a[key(r)] += int(r["count"])
    per[r["interval"]] += int(r["count"])
b = Counter({key(r): int(r["count"]) for r in rows("outcomes.csv")})
assert a == b, f"interval_ops {dict(a)} outcomes {dict(b)}"
for r in iv:
    assert per[r["interval"]] == int(r["ops_completed"]), r["interval"]
# NDJSON: one line per interval, every field equal to the CSV's
lines = [json.loads(l, parse_float=Decimal) for l in open(nd)]
lines = [l for l in lines if l.get("kind") == "interval"]
assert len(lines) == len(iv), (len(lines), len(iv))
byiv = {}
for r in ops:
    byiv.setdefault(r["interval"], []).append(r)
for l, r in zip(lines, iv):
    assert l["schema_version"] == 2
    for k, v in r.items():
        if k == "schema_version":
            continue
        j = l[k]
        assert (str(j) == v if isinstance(j, int) else j == Decimal(v)), (k, v, j)
    want = byiv.get(r["interval"], [])
    assert len(l["ops"]) == len(want), r["interval"]
    for jo, co in zip(l["ops"], want):
        for k, v in co.items():
            if k in ("schema_version", "interval"):
                continue
            assert str(jo[k]) == v, (k, v, jo[k])
print(f"measured: {len(iv)} intervals, {s['conns_completed']} connections, "
      f"{s['ops_completed']} ops: sums exact")
PY
}

# two client threads, a mixed close and a 200 ms interval; stderr is a file
D="$TMP/r1"
"$RSTSTORM" run -d 1500ms -c 40 --threads 2 --close fin=1,rst=1,unread=1 \
	--interval 200ms --csv "$D" --json "$TMP/r1.json" >"$TMP/o1" 2>"$TMP/e1" ||
	fail "run --interval: exit $? ($(tail -3 "$TMP/e1"))"
[ -s "$TMP/r1.intervals.ndjson" ] || fail "no r1.intervals.ndjson beside --json"
check_sums "$D" "$TMP/r1.intervals.ndjson"
# the document has the rows too
python3 - "$TMP/r1.json" "$D" <<'PY' || fail "the JSON document's intervals"
import csv, json, sys
doc = json.load(open(sys.argv[1]))
n = len(list(csv.DictReader(open(sys.argv[2] + "/intervals.csv"))))
assert len(doc["intervals"]) == n, (len(doc["intervals"]), n)
assert "interval_ops" in doc
PY
# progress lines off a terminal, every --interval
np=$(grep -c '^rststorm: progress  *[0-9.]*s  connections [0-9]* ([0-9]*/s)  ops [0-9]*  failed [0-9]*  in flight [0-9]*$' "$TMP/e1")
echo "measured: $np progress lines in a 1.5 s run with --interval 200ms"
[ "$np" -ge 1 ] || fail "no progress line on stderr (not a terminal): $(cat "$TMP/e1")"
grep -q $'\r' "$TMP/e1" && fail "a carriage return in stderr that is not a terminal"

# --interval alone is 1s; the NDJSON lines then the document on stdout
D="$TMP/r2"
"$RSTSTORM" run -d 1200ms -c 20 --interval --csv "$D" --json - \
	>"$TMP/o2" 2>"$TMP/e2" || fail "run --interval --json -: exit $?"
[ "$(csv_col t_end_s "$D/intervals.csv")" = "1.000" ] ||
	fail "--interval alone: first interval ends at $(csv_col t_end_s "$D/intervals.csv"), not 1.000"
check_sums "$D" "$TMP/o2"
python3 - "$TMP/o2" <<'PY' || fail "--json - stream"
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert len(ls) >= 3, len(ls)
assert all(l["kind"] == "interval" for l in ls[:-1])
assert ls[-1]["kind"] == "run" and len(ls[-1]["intervals"]) == len(ls) - 1
PY
# a value as the next word
"$RSTSTORM" run -n 200 -c 10 --interval 300ms --csv "$TMP/r3" >/dev/null 2>&1 ||
	fail "--interval 300ms (two words): exit $?"
[ "$(csv_col t_end_s "$TMP/r3/intervals.csv")" = "0.300" ] ||
	[ "$(csv_col t_end_s "$TMP/r3/intervals.csv")" = "$(summary elapsed_s "$TMP/r3")" ] ||
	fail "--interval 300ms: first interval ends at $(csv_col t_end_s "$TMP/r3/intervals.csv")"

# no --interval: the test override of the period; -q: nothing
RSTSTORM_TEST_PROGRESS_MS=200 "$RSTSTORM" run -d 1 -c 10 >/dev/null 2>"$TMP/e4" ||
	fail "run: exit $?"
np=$(grep -c '^rststorm: progress ' "$TMP/e4")
echo "measured: $np progress lines in a 1 s run, period 200 ms"
[ "$np" -ge 1 ] || fail "no progress line with RSTSTORM_TEST_PROGRESS_MS=200"
RSTSTORM_TEST_PROGRESS_MS=200 "$RSTSTORM" run -q -d 1 -c 10 >/dev/null 2>"$TMP/e5" ||
	fail "run -q: exit $?"
grep -q '^rststorm: progress ' "$TMP/e5" && fail "-q printed progress lines"
# without --interval no interval files
"$RSTSTORM" run -n 100 -c 10 --csv "$TMP/r6" >/dev/null 2>&1 || fail "run: exit $?"
[ -e "$TMP/r6/intervals.csv" ] && fail "intervals.csv without --interval"
echo "ok"
