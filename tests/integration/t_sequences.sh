# check's whole-trial sequences (sequences.csv): a deterministic scenario
# has exactly one sequence with every trial in it, in the CSV file, the
# JSON document and the printed table; every phase's counts add up to its
# trials (verdicts.csv), and a file where they do not is refused; merge
# adds the counts by key, and leaves the file out when an input lacks it;
# compare aligns them by (scenario, phase, sequence): a sequence in one
# report only is named, shares apart by Fisher's test make it differ.
# Off a terminal check prints plain progress lines (not with -q).
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

# two scenarios, alone and loaded: every phase's counts add up to its
# trials. Its stderr is a file: plain progress lines (the test period;
# the loaded phase's 300 ms warm-up makes the run longer than it)
RSTSTORM_TEST_PROGRESS_MS=100 "$RSTSTORM" check seed-go fin-write3 --trials 9 \
	--load-c 20 --gap 1ms --csv "$TMP/b" >"$TMP/out2" 2>"$TMP/err2" ||
	fail "check: exit $?: $(tail -5 "$TMP/out2")"
np=$(grep -c '^rststorm: progress  *[0-9.]*s  scenario [12] of 2 ([a-z0-9-]* [a-z ]*)  trials done [0-9]*$' "$TMP/err2")
echo "measured: $np check progress lines, period 100 ms"
[ "$np" -ge 1 ] || fail "check printed no progress line off a terminal: $(cat "$TMP/err2")"
RSTSTORM_TEST_PROGRESS_MS=100 "$RSTSTORM" check seed-go fin-write3 --trials 9 \
	--load-c 20 --gap 1ms -q >/dev/null 2>"$TMP/err2q" || fail "check -q: exit $?"
grep -q 'progress' "$TMP/err2q" && fail "check -q printed progress lines"
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

# compare: the same sequences -> same; compare_sequences.csv exact
"$RSTSTORM" compare "$TMP/a" "$TMP/c" --csv "$TMP/k1" >"$TMP/cmp1" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "compare of two seed-go reports: exit $rc: $(tail -3 "$TMP/cmp1")"
grep -q "1 whole-trial sequences in 1 phases: 0 differ by Fisher's exact test (not judged: spread unknown), 0 in one report only" "$TMP/cmp1" ||
	fail "compare summary: $(tail -2 "$TMP/cmp1")"
want='2,seed-go,alone,"ok,ok,EPIPE",13,13,1.000000,9,9,1.000000,-,1,0'
got=$(sed -n '2,$p' "$TMP/k1/compare_sequences.csv")
[ "$got" = "$want" ] || fail "compare_sequences.csv: got [$got], want [$want]"
# B with half its trials in another sequence: only in B, and differs
cp -r "$TMP/a" "$TMP/x"
rm -f "$TMP/x/report.html"
printf '%s\n' 'schema_version,scenario,phase,closer,close_mode,sequence,count,share' \
	'2,seed-go,alone,server,fin,"ok,ECONNRESET,EPIPE",7,0.538462' \
	'2,seed-go,alone,server,fin,"ok,ok,EPIPE",6,0.461538' >"$TMP/x/sequences.csv"
# without blocks a sequence's share is not judged (spread unknown): shown, exit 0
"$RSTSTORM" compare "$TMP/a" "$TMP/x" >"$TMP/cmp2n" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "compare with a sequence in B only, not --strict: exit $rc, want 0: $(tail -3 "$TMP/cmp2n")"
grep -q 'seed-go alone: ok,ECONNRESET,EPIPE .*A 0/13 .*B 7/13 .*differs (spread unknown)  only in B' "$TMP/cmp2n" ||
	fail "compare does not show the sequence only in B: $(grep -A3 whole-trial "$TMP/cmp2n")"
"$RSTSTORM" compare --strict "$TMP/a" "$TMP/x" --csv "$TMP/k2" --json "$TMP/k2.json" >"$TMP/cmp2" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "compare --strict with a sequence in B only: exit $rc, want 1: $(tail -3 "$TMP/cmp2")"
grep -q 'seed-go alone: ok,ECONNRESET,EPIPE .*A 0/13 .*B 7/13 .*DIFFERS  only in B' "$TMP/cmp2" ||
	fail "compare does not name the sequence only in B: $(grep -A3 whole-trial "$TMP/cmp2")"
python3 - "$TMP/k2.json" <<'PY' || fail "compare's JSON sequences"
import json, sys
d = json.load(open(sys.argv[1]))
s = {r["sequence"]: r for r in d["sequences"]}
assert s["ok,ECONNRESET,EPIPE"]["only_in"] == "B" and s["ok,ECONNRESET,EPIPE"]["differs"] == 1, s
assert s["ok,ok,EPIPE"]["only_in"] == "-" and s["ok,ok,EPIPE"]["count_b"] == 6, s
assert d["totals"]["sequences_one_only"] == 1, d["totals"]
PY
# counts that do not add up to the trials: refused (exit 2, one line)
sed -i 's/,7,0.538462/,8,0.538462/' "$TMP/x/sequences.csv"
"$RSTSTORM" compare "$TMP/a" "$TMP/x" >"$TMP/cmp3" 2>"$TMP/e3"
rc=$?
[ $rc -eq 2 ] || fail "compare of a report whose sequences do not add up: exit $rc, want 2"
grep -q 'sequences.csv: (seed-go,alone): counts add to 14, verdicts.csv says 13 trials' "$TMP/e3" ||
	fail "the refusal does not say why: $(cat "$TMP/e3")"
echo "ok"
