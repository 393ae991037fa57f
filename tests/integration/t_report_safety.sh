# No command damages an existing report: merge refuses an output that is
# one of its inputs and a report given twice; report files that are not
# regular files (a FIFO) or are too large are refused at once; a symlink
# planted at a temporary or final report name is never written through; a
# run into a check report (and the reverse) is refused and leaves it as it
# was; a bad --csv, or a directory of files that are not a report, is
# refused before the run.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)/src

# snap DIR: one line per file of DIR, its name, type and checksum
snap() { (cd "$1" && for f in * .[!.]*; do [ -e "$f" ] || [ -L "$f" ] || continue
	printf '%s %s ' "$f" "$(stat -c %F "$f")"
	if [ -f "$f" ] && [ ! -L "$f" ]; then md5sum <"$f"; else echo; fi; done) }
# exit status of a command that must end within SECONDS (124 if it hung)
within() { local s=$1; shift; timeout "$s" "$@"; }

for s in 1 2; do
	"$RSTSTORM" run -q -c 20 -n 100 --seed $s --csv "$TMP/r$s" \
		>/dev/null || fail "run $s: exit $?"
done
before=$(snap "$TMP/r1")

# 1. merge: the output is an input, by any name
ln -s "$TMP/r1" "$TMP/link1"
for o in "$TMP/r1" "$TMP/r1/" "$TMP/link1" "$TMP/./r1/../r1"; do
	"$RSTSTORM" merge "$TMP/r1" "$TMP/r2" -o "$o" 2>"$TMP/err"
	st=$?
	[ $st -eq 2 ] || fail "merge r1 r2 -o $o: exit $st, expected 2"
	grep -q "is the input report" "$TMP/err" || fail "-o $o: $(cat "$TMP/err")"
done
(cd "$TMP" && "$RSTSTORM" merge r2 r1 -o ./r1/ 2>/dev/null)
[ $? -eq 2 ] || fail "relative -o ./r1/ accepted"
[ "$(snap "$TMP/r1")" = "$before" ] || fail "merge changed its input r1"
# the same report twice
for b in "$TMP/r1" "$TMP/r1/" "$TMP/link1"; do
	"$RSTSTORM" merge "$TMP/r1" "$b" -o "$TMP/twice" 2>"$TMP/err"
	st=$?
	[ $st -eq 2 ] || fail "merge r1 $b: exit $st, expected 2"
	grep -q "same report" "$TMP/err" || fail "r1 $b: $(cat "$TMP/err")"
	[ ! -e "$TMP/twice" ] || fail "merge r1 $b wrote an output"
done
echo "merge: output-is-input and same-report-twice refused (exit 2)"

# 4. a FIFO as outcomes.csv: compare and merge exit 2 promptly
cp -r "$TMP/r2" "$TMP/fifo"
rm "$TMP/fifo/outcomes.csv"
mkfifo "$TMP/fifo/outcomes.csv"
within 10 "$RSTSTORM" merge "$TMP/r1" "$TMP/fifo" -o "$TMP/m" 2>"$TMP/err"
st=$?
[ $st -eq 2 ] || fail "merge with a FIFO: exit $st, expected 2 (124: hung)"
grep -q "not a regular file (a FIFO)" "$TMP/err" || fail "$(cat "$TMP/err")"
within 10 "$RSTSTORM" compare "$TMP/r1" "$TMP/fifo" >/dev/null 2>"$TMP/err"
st=$?
[ $st -eq 2 ] || fail "compare with a FIFO: exit $st, expected 2 (124: hung)"
grep -q "not a regular file (a FIFO)" "$TMP/err" || fail "$(cat "$TMP/err")"
# a huge file (sparse: no disk used) is refused before it is read
cp -r "$TMP/r2" "$TMP/huge"
truncate -s 200M "$TMP/huge/histograms.csv"
within 10 "$RSTSTORM" compare "$TMP/r1" "$TMP/huge" >/dev/null 2>"$TMP/err"
st=$?
[ $st -eq 2 ] || fail "compare with a 200 MiB file: exit $st, expected 2"
grep -q "larger than 128 MiB" "$TMP/err" || fail "$(cat "$TMP/err")"
echo "reading: FIFO and oversized files refused (exit 2)"

# 5. a malformed field is echoed on one line, escaped
cp -r "$TMP/r2" "$TMP/esc"
awk -F, -v OFS=, 'NR == 2 { $4 = "\"fi\033[2J\nn\"" } 1' \
	"$TMP/r2/outcomes.csv" >"$TMP/esc/outcomes.csv"
"$RSTSTORM" compare "$TMP/r1" "$TMP/esc" >/dev/null 2>"$TMP/err"
st=$?
[ $st -eq 2 ] || fail "compare with a malformed field: exit $st, expected 2"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "the error is not one line: $(cat -A "$TMP/err")"
LC_ALL=C grep -q $'\033' "$TMP/err" && fail "a control character reached the terminal"
grep -qF 'fi\x1b[2J\x0an' "$TMP/err" || fail "field not shown escaped: $(cat -A "$TMP/err")"
echo "messages: a malformed field is shown escaped on one line"

# 4. symlinks planted at the temporary and at the final name
echo victim >"$TMP/victim"
mkdir "$TMP/planted"
ln -s "$TMP/victim" "$TMP/planted/outcomes.csv" # at a final name
# exec keeps the shell's pid: the temporary names are known in advance
V="$TMP/victim" D="$TMP/planted" bash -c '
	for f in summary outcomes ops failures histograms mib; do
		ln -s "$V" "$D/.$f.csv.tmp.$$" || exit 1 # earlier naming
		for k in 0 1 2; do
			ln -s "$V" "$D/.$f.csv.tmp.$$.$k" || exit 1
		done
	done
	exec "$0" run -q -c 20 -n 100 --csv "$D" >/dev/null' "$RSTSTORM" ||
	fail "run into a directory with symlinks at the temporary names: exit $?"
[ "$(cat "$TMP/victim")" = victim ] || fail "a planted symlink was written through"
[ -f "$TMP/planted/outcomes.csv" ] && [ ! -L "$TMP/planted/outcomes.csv" ] ||
	fail "outcomes.csv is not a regular file"
"$RSTSTORM" compare "$TMP/r1" "$TMP/planted" >/dev/null 2>&1
[ $? -le 1 ] || fail "the report written among planted symlinks does not read"
echo "writing: planted symlinks not followed (victim intact)"

# 2. run into a check report, check into a run report
"$RSTSTORM" check -q --trials 2 --load-c 0 seed-go \
	--csv "$TMP/chk" >/dev/null 2>&1
[ -f "$TMP/chk/check.csv" ] || skip "check --csv wrote no report here"
cbefore=$(snap "$TMP/chk")
"$RSTSTORM" run -q -c 20 -n 100 --csv "$TMP/chk" >"$TMP/out" 2>"$TMP/err"
st=$?
[ $st -ne 0 ] || fail "run into a check report: exit 0"
grep -q "holds a check report" "$TMP/err" || fail "$(cat "$TMP/err")"
[ "$(snap "$TMP/chk")" = "$cbefore" ] || fail "run changed the check report"
"$RSTSTORM" check -q --trials 2 --load-c 0 seed-go \
	--csv "$TMP/r1" >/dev/null 2>"$TMP/err"
[ $? -ne 0 ] || fail "check into a run report: exit 0"
grep -q "holds a run report" "$TMP/err" || fail "$(cat "$TMP/err")"
[ "$(snap "$TMP/r1")" = "$before" ] || fail "check changed the run report"
echo "kinds: run into a check report and check into a run report refused"

# 2, 3 up front: run and check refuse a bad --csv before any work
: >"$TMP/afile"
for d in "$TMP/afile" "$TMP/afile/sub" "$TMP/chk"; do
	"$RSTSTORM" run -c 20 -n 100 --csv "$d" >"$TMP/out" 2>"$TMP/err"
	st=$?
	[ $st -eq 2 ] || fail "run --csv $d: exit $st, expected 2"
	[ ! -s "$TMP/out" ] || fail "run --csv $d: refused only after the run"
	grep -q -- "--csv" "$TMP/err" || fail "$(cat "$TMP/err")"
	[ "$d" = "$TMP/chk" ] && continue # a check report: check may replace it
	"$RSTSTORM" check --trials 2 --load-c 0 seed-go \
		--csv "$d" >"$TMP/out" 2>"$TMP/err"
	st=$?
	[ $st -eq 2 ] || fail "check --csv $d: exit $st, expected 2"
	grep -q "PASS" "$TMP/out" && fail "check --csv $d: refused after the run"
done
"$RSTSTORM" check --trials 2 --load-c 0 seed-go \
	--csv "$TMP/r1" >"$TMP/out" 2>/dev/null
[ $? -eq 2 ] || fail "check --csv (a run report): not refused up front"
echo "up front: a bad --csv is refused before the run (exit 2)"

# 6. a directory holding other files and no report (a home directory,
# /etc) is refused before the run, and left as it was
mkdir "$TMP/home" && echo mine >"$TMP/home/notes.txt"
homesnap=$(snap "$TMP/home")
for cmd in "run -c 20 -n 100" "check --trials 2 --load-c 0 seed-go" "serve -d 1s --listen 127.0.0.1:0"; do
	$RSTSTORM $cmd --csv "$TMP/home" >"$TMP/out" 2>"$TMP/err"
	st=$?
	[ $st -eq 2 ] || [ $st -eq 1 ] || fail "${cmd%% *} --csv (foreign files): exit $st, expected a refusal"
	grep -q "holds files that are not a rststorm report (notes.txt)" "$TMP/err" ||
		fail "${cmd%% *}: $(cat "$TMP/err")"
	[ "$(snap "$TMP/home")" = "$homesnap" ] || fail "${cmd%% *} wrote into a foreign directory"
done
# an empty directory and a directory holding a report are taken
mkdir "$TMP/empty"
"$RSTSTORM" run -q -c 20 -n 100 --csv "$TMP/empty" >/dev/null || fail "run into an empty directory: exit $?"
"$RSTSTORM" run -q -c 20 -n 100 --csv "$TMP/empty" >/dev/null || fail "run into its own report: exit $?"
echo "foreign: a directory of other files refused, an empty one and a report taken"

# 7. a file option (--json, --hlog) naming a symlink, a FIFO or a device:
# the rename would replace it (as root, /dev/stdout), so it is refused
echo victim >"$TMP/victim"
ln -s "$TMP/victim" "$TMP/vlink"
mkfifo "$TMP/vfifo"
for opt in --json --hlog; do
	for f in "$TMP/vlink" "$TMP/vfifo" /dev/null; do
		"$RSTSTORM" run -q -c 5 -n 10 $opt "$f" >"$TMP/out" 2>"$TMP/err"
		st=$?
		[ $st -eq 2 ] || fail "run $opt $f: exit $st, want 2"
		grep -q -- "$opt .*not a regular file" "$TMP/err" || fail "run $opt $f: $(cat "$TMP/err")"
	done
done
[ -L "$TMP/vlink" ] && [ "$(cat "$TMP/victim")" = victim ] && [ -p "$TMP/vfifo" ] && [ -c /dev/null ] ||
	fail "a file option replaced or wrote through what it named"
echo "file options: a symlink, a FIFO and a device refused for --json and --hlog"
exit 0
