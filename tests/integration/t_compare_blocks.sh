# run --repeat N writes replicate blocks (blocks.csv: N blocks, seeds
# derived from --seed, the same for the same --seed), merge keeps them, and compare
# judges measured cells against the between-block spread when both sides
# have blocks; without blocks it says the spread is unknown. Exit codes
# asserted only where they are deterministic (a report against itself, an
# op in one report only); the statistics are unit-tested on crafted blocks.
. "$(dirname "$0")/lib.sh"

run() { "$RSTSTORM" run -q -c 50 -n 300 "$@" >/dev/null 2>"$TMP/run.err" || fail "run $*: exit $?: $(cat "$TMP/run.err")"; }
run --repeat 3 --seed 1 --csv "$TMP/a"
run --repeat 3 --seed 2 --csv "$TMP/b"
run --repeat 2 --seed 3 --close fin=100 --csv "$TMP/f"

# three blocks, block 1 with the seed given, the others derived
[ -f "$TMP/a/blocks.csv" ] || fail "--repeat 3 wrote no blocks.csv"
nb=$(awk -F, 'NR > 1 { b[$2] = $3 } END { print length(b) }' "$TMP/a/blocks.csv")
[ "$nb" = 3 ] || fail "blocks.csv has $nb blocks, want 3"
[ "$(awk -F, '$2 == 1 { print $3; exit }' "$TMP/a/blocks.csv")" = 1 ] || fail "block 1's seed is not --seed 1"
s2=$(awk -F, '$2 == 2 { print $3; exit }' "$TMP/a/blocks.csv")
[ -n "$s2" ] && [ "$s2" != 1 ] || fail "block 2's seed '$s2' is not derived"
# the blocks add up to outcomes.csv
sum_b=$(awk -F, 'NR > 1 { s += $10 } END { print s }' "$TMP/a/blocks.csv")
sum_o=$(awk -F, 'NR > 1 { s += $8 } END { print s }' "$TMP/a/outcomes.csv")
[ "$sum_b" = "$sum_o" ] || fail "blocks add to $sum_b, outcomes.csv to $sum_o"
# the seeds are derived from --seed alone: the same --seed, the same
# seeds, each block its own
run --repeat 3 --seed 1 --csv "$TMP/a2"
seeds() { awk -F, 'NR > 1 && !s[$2]++ { print $2, $3 }' "$1/blocks.csv"; }
[ "$(seeds "$TMP/a")" = "$(seeds "$TMP/a2")" ] || fail "--seed 1 twice: block seeds $(seeds "$TMP/a" | tr '\n' ' ') and $(seeds "$TMP/a2" | tr '\n' ' ')"
[ "$(seeds "$TMP/a" | awk '{ print $2 }' | sort -u | wc -l)" = 3 ] || fail "block seeds repeat: $(seeds "$TMP/a" | tr '\n' ' ')"
run --csv "$TMP/one" --seed "$s2"
[ ! -f "$TMP/one/blocks.csv" ] || fail "--repeat 1 wrote blocks.csv"

# a report against itself: the block test, the same
"$RSTSTORM" compare "$TMP/a" "$TMP/a" >"$TMP/out" || fail "a against itself: exit $?: $(cat "$TMP/out")"
grep -q "8 by the block test" "$TMP/out" || fail "a against itself: not the block test: $(cat "$TMP/out")"
# two runs of one configuration: the block test decides (0 or 1), never 2
st=0
"$RSTSTORM" compare "$TMP/a" "$TMP/b" --json "$TMP/ab.json" >"$TMP/out" || st=$?
[ $st -le 1 ] || fail "a against b: exit $st"
grep -q '"min_diff":0.05' "$TMP/ab.json" || fail "compare JSON lacks min_diff: $(head -c 300 "$TMP/ab.json")"
grep -q '"test":"welch-blocks"' "$TMP/ab.json" || fail "compare JSON lacks the per-cell test"
grep -q '"p_adjusted":' "$TMP/ab.json" || fail "compare JSON lacks p_adjusted"
grep -q '"decision":"same"' "$TMP/ab.json" || fail "compare JSON lacks a decision"
echo "measured: two runs of -c 50 -n 300 --repeat 3 compare with exit $st"
# another close mix: rst ops in one report only: different
st=0
"$RSTSTORM" compare "$TMP/a" "$TMP/f" >"$TMP/out" || st=$?
[ $st -eq 1 ] || fail "fin=50,rst=50 against fin=100: exit $st, want 1: $(cat "$TMP/out")"

# without blocks: Fisher shown, spread unknown, judged only with --strict
for d in a b; do
	mkdir "$TMP/$d.nb" && cp "$TMP/$d"/*.csv "$TMP/$d.nb/" && rm "$TMP/$d.nb/blocks.csv"
done
"$RSTSTORM" compare "$TMP/a.nb" "$TMP/a.nb" >"$TMP/out" || fail "a.nb against itself: exit $?"
grep -q "8 by Fisher's exact test, not judged: spread unknown" "$TMP/out" || fail "no blocks: $(cat "$TMP/out")"
st=0
"$RSTSTORM" compare "$TMP/a.nb" "$TMP/b.nb" >"$TMP/out" || st=$?
[ $st -eq 0 ] || fail "a.nb against b.nb without --strict: exit $st, want 0 (spread unknown): $(cat "$TMP/out")"
"$RSTSTORM" compare "$TMP/a.nb" "$TMP/a.nb" --strict >"$TMP/out" || fail "--strict a.nb against itself: exit $?"
grep -q ", --strict)" "$TMP/out" || fail "--strict: $(cat "$TMP/out")"
st=0
"$RSTSTORM" compare "$TMP/a.nb" "$TMP/f" --strict >/dev/null || st=$?
[ $st -eq 1 ] || fail "--strict fin=50,rst=50 against fin=100: exit $st"

# merge keeps the blocks: 3 + 3, and the block-less input is one block
"$RSTSTORM" merge "$TMP/a" "$TMP/b" -o "$TMP/m" >/dev/null || fail "merge a b: exit $?"
nb=$(awk -F, 'NR > 1 { b[$2] = 1 } END { print length(b) }' "$TMP/m/blocks.csv")
[ "$nb" = 6 ] || fail "merge a b: $nb blocks, want 6"
"$RSTSTORM" merge "$TMP/b" "$TMP/a" -o "$TMP/m2" >/dev/null || fail "merge b a: exit $?"
cmp -s "$TMP/m/blocks.csv" "$TMP/m2/blocks.csv" || fail "merge a b and merge b a write other blocks.csv"
"$RSTSTORM" merge "$TMP/a.nb" "$TMP/b" -o "$TMP/m3" >/dev/null || fail "merge a.nb b: exit $?"
nb=$(awk -F, 'NR > 1 { b[$2] = 1 } END { print length(b) }' "$TMP/m3/blocks.csv")
[ "$nb" = 4 ] || fail "merge a.nb b: $nb blocks, want 4 (a block-less input is one block)"
"$RSTSTORM" compare "$TMP/m" "$TMP/m" >/dev/null || fail "merged against itself: exit $?"

# directories of reports (the kernel matrix's layout): pair by pair
mkdir -p "$TMP/s1" "$TMP/s2"
cp -r "$TMP/a" "$TMP/s1/run" && cp -r "$TMP/a" "$TMP/s2/run"
"$RSTSTORM" compare "$TMP/s1" "$TMP/s2" >"$TMP/out" || fail "report sets: exit $?: $(cat "$TMP/out")"
grep -q "^== run" "$TMP/out" || fail "report sets: no run pair: $(cat "$TMP/out")"
cp -r "$TMP/f" "$TMP/s1/other"
st=0
"$RSTSTORM" compare "$TMP/s1" "$TMP/s2" >"$TMP/out" || st=$?
[ $st -eq 1 ] || fail "report sets, one report only in A: exit $st"
grep -q "^== other: only in A" "$TMP/out" || fail "report sets: $(cat "$TMP/out")"

# usage errors: exit 2, one line naming the option
usage() {
	local want=$1
	shift
	"$RSTSTORM" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] || fail "rststorm $*: exit $rc, want 2"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "rststorm $*: not one line: $(cat "$TMP/err")"
	grep -q -- "$want" "$TMP/err" || fail "rststorm $*: '$(cat "$TMP/err")' does not name $want"
	return 0
}
usage "--min-diff '200'" compare --min-diff 200 "$TMP/a" "$TMP/a"
usage "--min-diff 'x'" compare --min-diff x "$TMP/a" "$TMP/a"
usage "--repeat" run --repeat 0 -n 10
usage "--repeat" run --repeat 1001 -n 10
usage "--repeat 2: not with --hold" run --repeat 2 --hold -c 10

# check --repeat: each phase's trials in blocks; check.csv asks trials x N
"$RSTSTORM" check seed-go race-fin-nowait --trials 5 --repeat 2 --load-c 0 --gap 1ms -q \
	--csv "$TMP/c" >"$TMP/c.txt" 2>&1 || fail "check --repeat 2: exit $?: $(tail -n 3 "$TMP/c.txt")"
[ "$(awk -F, 'NR > 1 { b[$2] = 1 } END { print length(b) }' "$TMP/c/blocks.csv")" = 2 ] ||
	fail "check --repeat 2: blocks.csv has not 2 blocks"
grep -q "^seed-go,alone,.*,10," <(cut -d, -f2- "$TMP/c/verdicts.csv") || fail "check --repeat 2: seed-go alone did not run 10 trials: $(cat "$TMP/c/verdicts.csv")"
grep -q "blocks min/median/max 100/100/100%" "$TMP/c.txt" || fail "check --repeat 2: no block spread printed: $(cat "$TMP/c.txt")"
"$RSTSTORM" compare "$TMP/c" "$TMP/c" >"$TMP/out" || fail "check report against itself: exit $?"
grep -q "by the block test" "$TMP/out" || fail "check blocks: not the block test: $(cat "$TMP/out")"
"$RSTSTORM" check seed-go --trials 5 --load-c 0 --gap 1ms -q --csv "$TMP/c" >/dev/null 2>&1 || fail "check again: exit $?"
[ ! -f "$TMP/c/blocks.csv" ] || fail "check without --repeat left a stale blocks.csv"
usage "--repeat '0'" check --repeat 0 seed-go

exit 0
