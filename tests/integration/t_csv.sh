# The CSV report: five files, headers as documented, schema version 1 in
# every row, a wait gap and no-wait policy both run.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q -c 100 -n 500 --wait 1ms --csv "$TMP/r" >/dev/null ||
	fail "exit $?"
for f in summary outcomes ops failures histograms mib; do
	[ -s "$TMP/r/$f.csv" ] || fail "$f.csv missing"
	awk -F, 'NR > 1 && $1 != 2 { bad = 1 } END { exit bad }' "$TMP/r/$f.csv" ||
		fail "$f.csv has a row without schema_version 2"
	h=$(head -n1 "$TMP/r/$f.csv")
	grep -qF "$h" "$(dirname "$0")/../../docs/csv.md" ||
		fail "$f.csv header is not in docs/csv.md: $h"
done
[ "$(summary wait "$TMP/r")" = 1ms ] || fail "wait not recorded"
# the since-close histogram has counts for the first op
awk -F, '$4 == "since_close_ns" && $6 == 1 { n += $10 } END { exit !(n > 0) }' \
	"$TMP/r/histograms.csv" || fail "no since_close_ns rows"

"$RSTSTORM" run -q -c 100 -n 500 --wait none --csv "$TMP/n" >/dev/null ||
	fail "wait none: exit $?"
[ "$(summary books_balanced "$TMP/n")" = 1 ] || fail "wait none: books"
