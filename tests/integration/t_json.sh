# --json on run, check, merge and compare: the document parses with
# python3's json module (an independent parser), and every value equals the
# CSV files of the same run (field names = the CSV column names, numbers
# exact); --json - writes the document alone on stdout; usage errors exit 2.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "python3 missing: make deps installs it"

# jcheck JSON DIR: the document against the report DIR, file by file.
jcheck() {
	python3 - "$1" "$2" <<'PY' || fail "jcheck $1 $2"
import csv, json, os, sys
from decimal import Decimal

doc = json.load(open(sys.argv[1]), parse_float=Decimal)
d = sys.argv[2]
assert doc["schema_version"] == 2, doc["schema_version"]
kind = doc["kind"]
head = "summary.csv" if kind == "run" else "check.csv"
arrays = {"outcomes.csv": "outcomes", "ops.csv": "ops",
          "failures.csv": "failures", "histograms.csv": "histograms",
          "mib.csv": "mib", "verdicts.csv": "verdicts", "cells.csv": "cells"}

def same(csvv, jv, where):
    if isinstance(jv, str):
        ok = jv == csvv
    elif isinstance(jv, bool) or jv is None:
        ok = False
    elif isinstance(jv, int):
        ok = str(jv) == csvv            # whole numbers: the same digits
    else:
        ok = jv == Decimal(csvv)        # decimals: the same value, exactly
    if not ok:
        sys.exit(f"{where}: CSV {csvv!r}, JSON {jv!r}")

def rows(name):
    with open(os.path.join(d, name), newline="") as f:
        return list(csv.DictReader(f))

# the head: every column once, at the top or in one group
h = rows(head)[0]
found = {}
for k, v in doc.items():
    if isinstance(v, dict):
        for kk, vv in v.items():
            assert kk not in found, kk
            found[kk] = vv
    elif not isinstance(v, list) and k not in ("command", "kind"):
        found[k] = v
for col, v in h.items():
    same(v, found[col], f"{head} {col}")
assert set(h) == set(found), set(h) ^ set(found)
n = 1
for name, key in arrays.items():
    p = os.path.join(d, name)
    if not os.path.exists(p):
        assert key not in doc or key == "mib", key
        continue
    r = rows(name)
    j = doc[key]
    assert len(r) == len(j), (name, len(r), len(j))
    for i, (a, b) in enumerate(zip(r, j)):
        a.pop("schema_version")
        assert set(a) == set(b), (name, set(a) ^ set(b))
        for col in a:
            same(a[col], b[col], f"{name} row {i + 1} {col}")
    n += len(r)
print(f"measured: {doc['command']} {kind} JSON: {n} rows equal to the CSV files")
PY
}

"$RSTSTORM" run -q -c 50 -n 400 --close fin,rst,unread --seed 7 \
	--csv "$TMP/r1" --json "$TMP/r1.json" >/dev/null || fail "run 1: exit $?"
jcheck "$TMP/r1.json" "$TMP/r1"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["command"])' "$TMP/r1.json")" = run ] ||
	fail "run: command is not run"

# --json -: the document alone on stdout, the table on stderr
"$RSTSTORM" run -q -c 50 -n 400 --close fin,rst,unread --seed 8 --csv "$TMP/r2" --json - \
	>"$TMP/r2.json" 2>"$TMP/r2.err" || fail "run --json -: exit $?"
jcheck "$TMP/r2.json" "$TMP/r2"
grep -q "connections  started" "$TMP/r2.err" || fail "run --json -: no table on stderr"

"$RSTSTORM" merge "$TMP/r1" "$TMP/r2" -o "$TMP/m" --json "$TMP/m.json" ||
	fail "merge: exit $?"
jcheck "$TMP/m.json" "$TMP/m"
python3 - "$TMP/m.json" "$TMP/r1" "$TMP/r2" <<'PY' || fail "merge: command or inputs"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "merge" and d["inputs"] == sys.argv[2:], d.get("inputs")
PY

"$RSTSTORM" compare "$TMP/r1" "$TMP/r2" --csv "$TMP/cmp" --json "$TMP/cmp.json" \
	>/dev/null
[ $? -le 1 ] || fail "compare: exit 2"
python3 - "$TMP/cmp.json" "$TMP/cmp/compare.csv" <<'PY' || fail "compare JSON"
import csv, json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]), parse_float=Decimal)
r = list(csv.DictReader(open(sys.argv[2], newline="")))
assert d["command"] == "compare" and d["kind"] == "run"
assert len(d["cells"]) == len(r), (len(d["cells"]), len(r))
fisher = 0
for a, b in zip(r, d["cells"]):
    for k, v in a.items():
        if k == "schema_version":
            continue
        j = b[k]
        if k in ("p_value", "p_adjusted"):
            assert (v == "-") == (j is None), (v, j)
            if j is not None:
                assert Decimal(v) == j, (v, j)   # exactly the CSV's digits
                fisher += k == "p_value"
        elif k.startswith("share") or k in ("sd_a", "sd_b", "diff"):
            assert Decimal(v) == j, (k, v, j)
        elif isinstance(j, int):
            assert str(j) == v, (k, v, j)
        else:
            assert j == v, (k, v, j)
t = d["totals"]
assert t["ops_differ"] == sum(int(x["differs"]) for x in r), t
print(f"measured: compare JSON: {len(r)} cells ({fisher} with a p-value) equal to compare.csv")
PY

"$RSTSTORM" check seed-go --trials 5 --load-c 0 --gap 1ms -q --csv "$TMP/c" \
	--json "$TMP/c.json" >/dev/null || fail "check: exit $?"
jcheck "$TMP/c.json" "$TMP/c"

# check --json - : the document alone on stdout, the verdict lines on stderr
"$RSTSTORM" check seed-go --trials 3 --load-c 0 --gap 1ms -q --json - \
	>"$TMP/c2.json" 2>"$TMP/c2.err" || fail "check --json -: exit $?"
grep -q "^check: " "$TMP/c2.err" || fail "check --json -: no summary on stderr"
python3 - "$TMP/c2.json" <<'PY' || fail "check --json -: the document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "check" and d["kind"] == "check"
v = d["verdicts"]
assert [x["phase"] for x in v] == ["alone"] and v[0]["scenario"] == "seed-go", v
assert d["config"]["trials"] == 3 and v[0]["trials"] == 3, (d["config"], v)
t = d["totals"]
assert t["pass"] + t["measured"] + t["diff"] == len(v), t
assert sum(c["count"] for c in d["cells"] if c["op_index"] == 1) == 3
PY

# --json without --csv: the books of the document balance
"$RSTSTORM" run -q -c 20 -n 100 --json "$TMP/alone.json" >/dev/null ||
	fail "run --json alone: exit $?"
python3 - "$TMP/alone.json" <<'PY' || fail "run --json alone: the document"
import json, sys
d = json.load(open(sys.argv[1]))
b = d["books"]
assert b["conns_started"] == 100, b
assert b["conns_started"] == b["conns_completed"] + b["conns_failed"] + b["conns_abandoned"], b
assert b["ops_completed"] == sum(o["count"] for o in d["outcomes"]), b
assert all(o["issued"] == o["counted"] + o["abandoned"] for o in d["ops"])
PY
[ -z "$(ls -A "$TMP" | grep '^\.alone')" ] || fail "a temporary file was left: $(ls -A "$TMP")"

# usage errors: exit 2, one line naming --json
usage() {
	"$RSTSTORM" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] || fail "rststorm $*: exit $rc, want 2"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q -- "--json" "$TMP/err" ||
		fail "rststorm $*: $(cat "$TMP/err")"
}
usage run -n 10 --json ''
usage run -n 10 --json "$TMP/no/such/dir/x.json"
usage run -n 10 --json "$TMP"
usage check seed-go --json ''
usage merge "$TMP/r1" "$TMP/r2" -o "$TMP/m2" --json ''
usage compare "$TMP/r1" "$TMP/r2" --json ''
usage compare "$TMP/r1" "$TMP/r2" --json "$TMP/no/such/x.json"
[ ! -e "$TMP/m2" ] || fail "merge with a bad --json wrote its output"
# a symlink, a FIFO or a device at FILE: the rename would replace it
# (as root, --json /dev/stdout replaced the /dev/stdout link): refused
echo victim >"$TMP/victim"
ln -s "$TMP/victim" "$TMP/link.json"
mkfifo "$TMP/fifo.json"
usage run -n 10 --json "$TMP/link.json"
usage check --trials 2 --load-c 0 seed-go --json "$TMP/fifo.json"
usage compare "$TMP/r1" "$TMP/r2" --json /dev/null
[ -L "$TMP/link.json" ] && [ "$(cat "$TMP/victim")" = victim ] || fail "--json replaced or wrote through a symlink"
[ -p "$TMP/fifo.json" ] || fail "--json replaced a FIFO"
grep -q "is a device, not a regular file" "$TMP/err" || fail "/dev/null: $(cat "$TMP/err")"
exit 0
