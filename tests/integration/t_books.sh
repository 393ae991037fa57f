# At -c 2000 for 2 s with the default mix and script, every connection
# started is completed, failed or abandoned, and every op issued is counted.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q -c 2000 -d 2s --csv "$TMP/r" >"$TMP/out" ||
	fail "run exited $?: $(cat "$TMP/out")"
grep -q 'books balance' "$TMP/out" || fail "no 'books balance' in the table"
s=$(summary conns_started "$TMP/r")
c=$(summary conns_completed "$TMP/r")
f=$(summary conns_failed "$TMP/r")
a=$(summary conns_abandoned "$TMP/r")
echo "measured: started $s completed $c failed $f abandoned $a"
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "books_balanced is not 1"
[ "$s" -eq $((c + f + a)) ] || fail "$s != $c + $f + $a"
[ "$s" -gt 2000 ] || fail "only $s connections in 2 s at -c 2000"
# the outcome table holds every op of every completed connection
ops=$(awk -F, 'NR > 1 { n += $8 } END { print n }' "$TMP/r/outcomes.csv")
[ "$ops" -ge $((c * 4)) ] || fail "outcomes hold $ops ops for $c connections"
# the server closed every connection the client completed, by plan
sf=$(summary srv_closed_fin "$TMP/r")
sr=$(summary srv_closed_rst "$TMP/r")
[ $((sf + sr)) -ge "$c" ] || fail "server closed $sf+$sr < completed $c"
