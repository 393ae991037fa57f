# --churn: connect, hello, the server's FIN, the client's close, nothing
# else: every connection is accepted and closed by FIN, no op is run, and
# the books balance.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -q --churn -c 100 -n 5000 --csv "$TMP/r" >"$TMP/out" ||
	fail "exit $?: $(cat "$TMP/out")"
grep -q -- '--close fin=1 --ops none --wait close' "$TMP/out" ||
	fail "preset not shown: $(head -n1 "$TMP/out")"
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "books"
[ "$(summary ops "$TMP/r")" = none ] || fail "ops: $(summary ops "$TMP/r")"
[ "$(summary conns_completed "$TMP/r")" = 5000 ] || fail "completed"
[ "$(summary srv_accepted "$TMP/r")" = 5000 ] || fail "accepted"
[ "$(summary srv_closed_fin "$TMP/r")" = 5000 ] || fail "server FIN closes"
[ "$(summary srv_no_slot "$TMP/r")" = 0 ] || fail "no-slot"
[ "$(summary ops_completed "$TMP/r")" = 0 ] || fail "ops ran"
[ "$(awk 'END { print NR }' "$TMP/r/outcomes.csv")" = 1 ] || fail "outcome rows"
echo "measured: $(summary conns_per_s "$TMP/r") connections/s at -c 100"

"$RSTSTORM" run --churn --ops write >/dev/null 2>"$TMP/e" && fail "--churn --ops ran"
grep -q -- '--churn' "$TMP/e" || fail "$(cat "$TMP/e")"
exit 0
