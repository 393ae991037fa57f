# rststorm merge on real reports: two runs with the same settings and
# different seeds add up, key by key, to their merge; the merge does not
# depend on the order of its inputs; merged output reads back (compare,
# merge again). The same for two small check reports.
. "$(dirname "$0")/lib.sh"

for s in 1 2; do
	"$RSTSTORM" run -q -c 100 -n 1000 --close fin=50,rst=30,unread=20 \
		--seed $s --csv "$TMP/r$s" >/dev/null || fail "run $s: exit $?"
done
"$RSTSTORM" merge "$TMP/r1" "$TMP/r2" -o "$TMP/r12" || fail "merge r1 r2: exit $?"
"$RSTSTORM" merge "$TMP/r2" "$TMP/r1" -o "$TMP/r21" || fail "merge r2 r1: exit $?"
diff -r "$TMP/r12" "$TMP/r21" >/dev/null || fail "merge(A,B) differs from merge(B,A)"

# sums: every key of A and B, and nothing else, with its counts added.
# key columns and count columns per file (docs/csv.md)
sum_check() { # FILE KEYCOLS COUNTCOLS DIR_A DIR_B DIR_AB
	awk -F, -v keys="$2" -v counts="$3" '
		BEGIN { nk = split(keys, k, " "); nc = split(counts, c, " ") }
		FNR == 1 { file++; next }
		{
			key = ""
			for (i = 1; i <= nk; i++) key = key "," $k[i]
			seen[key] = 1
			for (i = 1; i <= nc; i++)
				if (file < 3) want[key, i] += $c[i]; else got[key, i] = $c[i]
			if (file == 3) inab[key] = 1
		}
		END {
			for (key in seen) {
				if (!(key in inab)) { print "missing " key; bad = 1; continue }
				for (i = 1; i <= nc; i++)
					if (want[key, i] != got[key, i]) {
						print key ": column " c[i] " " got[key, i] " != " want[key, i]
						bad = 1
					}
			}
			exit bad
		}' "$4/$1" "$5/$1" "$6/$1"
}
sum_check outcomes.csv "2 3 4 5 6 7" "8" "$TMP/r1" "$TMP/r2" "$TMP/r12" ||
	fail "outcomes.csv counts do not add up"
sum_check ops.csv "2 3 4 5 6" "7 8 9 10" "$TMP/r1" "$TMP/r2" "$TMP/r12" ||
	fail "ops.csv counts do not add up"
sum_check failures.csv "2 3 4 5" "6" "$TMP/r1" "$TMP/r2" "$TMP/r12" ||
	fail "failures.csv counts do not add up"
sum_check histograms.csv "2 3 4 5 6 7 8 9" "10" "$TMP/r1" "$TMP/r2" "$TMP/r12" ||
	fail "histograms.csv counts do not add up"
for c in conns_started conns_completed ops_completed srv_accepted concurrency; do
	a=$(summary $c "$TMP/r1") b=$(summary $c "$TMP/r2") ab=$(summary $c "$TMP/r12")
	[ "$ab" = $((a + b)) ] || fail "summary $c: $ab != $a + $b"
done
[ "$(summary seed "$TMP/r12")" = 0 ] || fail "merged seed is not 0"
# shares recomputed: each (mode, op) adds up to 1
awk -F, 'NR > 1 { s[$4 "," $5] += $9 }
	END { for (k in s) if (s[k] < 0.999 || s[k] > 1.001) { print k, s[k]; bad = 1 }; exit bad }' \
	"$TMP/r12/outcomes.csv" || fail "merged shares do not add up to 1"
echo "measured: run merge $(summary conns_completed "$TMP/r12") connections, $(($(wc -l <"$TMP/r12/histograms.csv") - 1)) histogram rows"

# merged output reads back
"$RSTSTORM" compare "$TMP/r12" "$TMP/r21" >"$TMP/cmp.out" || fail "compare of two merges: exit $?"
"$RSTSTORM" merge "$TMP/r12" "$TMP/r1" -o "$TMP/r121" || fail "merge of a merge: exit $?"
[ "$(summary conns_completed "$TMP/r121")" = \
  $(($(summary conns_completed "$TMP/r12") + $(summary conns_completed "$TMP/r1"))) ] ||
	fail "merge of a merge does not add up"
"$RSTSTORM" compare "$TMP/r1" "$TMP/r2" --csv "$TMP/cmpcsv" >/dev/null
rc=$?
[ $rc -le 1 ] || fail "compare r1 r2: exit $rc"
[ -s "$TMP/cmpcsv/compare.csv" ] || fail "compare --csv wrote no compare.csv"

# refused: other settings (only --ops differs, so the refusal names it)
"$RSTSTORM" run -q -c 100 -n 200 --close fin=50,rst=30,unread=20 --ops write,read \
	--csv "$TMP/other" >/dev/null ||
	fail "run other: exit $?"
"$RSTSTORM" merge "$TMP/r1" "$TMP/other" -o "$TMP/bad" 2>"$TMP/err"
[ $? -eq 2 ] || fail "merge of runs with other --ops: want exit 2"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^rststorm merge: .*: ops '" "$TMP/err" ||
	fail "merge refusal: '$(cat "$TMP/err")'"
[ -e "$TMP/bad" ] && fail "a refused merge left $TMP/bad"

# check reports: two small ones, same settings
for s in 1 2; do
	"$RSTSTORM" check seed-go rst-write2 --trials 10 --load-c 0 --gap 1ms -q \
		--csv "$TMP/c$s" >/dev/null || fail "check $s: exit $?"
done
"$RSTSTORM" merge "$TMP/c1" "$TMP/c2" -o "$TMP/c12" || fail "merge c1 c2: exit $?"
"$RSTSTORM" merge "$TMP/c2" "$TMP/c1" -o "$TMP/c21" || fail "merge c2 c1: exit $?"
diff -r "$TMP/c12" "$TMP/c21" >/dev/null || fail "check merge depends on the order"
sum_check cells.csv "2 3 4 5 6 7 8" "9" "$TMP/c1" "$TMP/c2" "$TMP/c12" ||
	fail "cells.csv counts do not add up"
sum_check verdicts.csv "2 3" "9 10 12 14" "$TMP/c1" "$TMP/c2" "$TMP/c12" ||
	fail "verdicts.csv counts do not add up"
awk -F, 'NR == 2 { exit !($10 == 20) }' "$TMP/c12/check.csv" || fail "check.csv trials is not 20"
"$RSTSTORM" compare "$TMP/c1" "$TMP/c12" >/dev/null
[ $? -le 1 ] || fail "compare of a check report with a merge: exit 2"
"$RSTSTORM" merge "$TMP/c1" "$TMP/r1" -o "$TMP/mixed" 2>"$TMP/err"
[ $? -eq 2 ] || fail "merge of a check and a run report: want exit 2"
grep -q "one kind" "$TMP/err" || fail "kind refusal: '$(cat "$TMP/err")'"
exit 0
