# `rststorm scenarios` shows what check judges: the SIGPIPE rule of every
# scenario is the one check prints for it (one source), and descriptions
# follow --closer.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" scenarios >"$TMP/list" 2>&1 || fail "scenarios exit $?"
for sc in fin-write3-write fin-write3-send-flags0 fin-write3-sys-write \
	fin-write3-write-async fin-write3; do
	listed=$(awk -v n="$sc" '$1 == n { f = 1; next }
		f && /SIGPIPE/ { sub(/.*SIGPIPE /, ""); sub(/ \(.*/, ""); print; exit }' "$TMP/list")
	"$RSTSTORM" check -q --trials 3 --load-c 0 --gap 10ms "$sc" >"$TMP/c" 2>&1 ||
		fail "check $sc: exit $?: $(grep DIFF "$TMP/c")"
	judged=$(sed -n 's/.*SIGPIPE expected: //p' "$TMP/c" | head -n1)
	echo "measured: $sc listed '$listed', judged '$judged'"
	[ -n "$listed" ] && [ "$listed" = "$judged" ] ||
		fail "$sc: scenarios shows '$listed', check judges '$judged'"
done

"$RSTSTORM" check -q --trials 3 --load-c 0 --closer client fin-write3 >"$TMP/cl" 2>&1 ||
	fail "check --closer client: exit $?"
grep -q "^fin-write3: client closes (FIN); server sends 3 times$" "$TMP/cl" ||
	fail "description ignores --closer: $(head -n4 "$TMP/cl" | tail -n1)"
exit 0
