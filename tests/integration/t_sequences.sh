# check's whole-trial sequences (sequences.csv): a deterministic scenario
# has exactly one sequence with every trial in it, in the CSV file, the
# JSON document and the printed table; every phase's counts add up to its
# trials (verdicts.csv); merge adds the counts by key, and leaves the file
# out when an input lacks it.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "python3 missing: make deps installs it"

"$RSTSTORM" check seed-go --trials 13 --load-c 0 --gap 1ms -q \
	--csv "$TMP/a" --json "$TMP/a.json" >"$TMP/out" 2>&1 ||
	fail "check seed-go: exit $?: $(tail -5 "$TMP/out")"
want='2,seed-go,alone,server,fin,"ok,ok,EPIPE",13,1.000000'
got=$(sed -n '2,$p' "$TMP/a/sequences.csv")
[ "$got" = "$want" ] || fail "seed-go sequences.csv: got [$got], want [$want]"
grep -qx '  sequences alone (1): ok,ok,EPIPE 13 (100.0%)' "$TMP/out" ||
	fail "the table lacks the sequence line: $(grep sequences "$TMP/out")"
python3 - "$TMP/a.json" <<'PY' || fail "the JSON document's sequences"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["sequences"]
assert s == [{"scenario": "seed-go", "phase": "alone", "closer": "server",
              "close_mode": "fin", "sequence": "ok,ok,EPIPE", "count": 13,
              "share": 1.0}], s
PY

# two scenarios, alone and loaded: every phase's counts add up to its trials
"$RSTSTORM" check seed-go fin-write3 --trials 9 --load-c 20 --gap 1ms -q \
	--csv "$TMP/b" >"$TMP/out2" 2>&1 || fail "check: exit $?: $(tail -5 "$TMP/out2")"
python3 - "$TMP/b" <<'PY' || fail "sequences against verdicts"
import csv, sys
from collections import Counter
d = sys.argv[1]
rows = lambda n: list(csv.DictReader(open(f"{d}/{n}", newline="")))
seq = Counter()
for r in rows("sequences.csv"):
    seq[(r["scenario"], r["phase"])] += int(r["count"])
trials = {(r["scenario"], r["phase"]): int(r["trials"]) for r in rows("verdicts.csv")}
assert seq == Counter(trials), (seq, trials)
assert len(trials) == 4, trials
print("measured: %d phases, sequences add up to the trials" % len(trials))
PY

# merge: counts added by key (reports with the same settings)
"$RSTSTORM" check seed-go --trials 9 --load-c 0 --gap 1ms -q \
	--csv "$TMP/c" >"$TMP/out3" 2>&1 || fail "check: exit $?"
"$RSTSTORM" merge "$TMP/a" "$TMP/c" -o "$TMP/m" >/dev/null 2>"$TMP/merr" ||
	fail "merge: exit $?: $(cat "$TMP/merr")"
got=$(sed -n '2,$p' "$TMP/m/sequences.csv")
want='2,seed-go,alone,server,fin,"ok,ok,EPIPE",22,1.000000'
[ "$got" = "$want" ] || fail "merged seed-go: got [$got], want [$want]"
# an input without sequences.csv (an older report): no sequences.csv
cp -r "$TMP/a" "$TMP/old"
rm "$TMP/old/sequences.csv"
"$RSTSTORM" merge "$TMP/old" "$TMP/c" -o "$TMP/m" >/dev/null 2>"$TMP/merr" ||
	fail "merge with an older input: exit $?: $(cat "$TMP/merr")"
[ -e "$TMP/m/sequences.csv" ] && fail "merge wrote sequences.csv though an input lacks it"
echo "ok"
