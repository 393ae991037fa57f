# IPv6: run -6 (embedded servers and clients on ::1), check -6 (the
# trials and the load over ::1), serve -6 with
# run --target [::1]:PORT, the family in the CSV, and the same outcomes as
# over IPv4. Skips when ::1 is unavailable. In a fresh namespace.
. "$(dirname "$0")/lib.sh"

unshare -n true 2>/dev/null || skip "unshare -n is not permitted here"
# lo brought up in the namespace has ::1 unless IPv6 is off
unshare -n sh -c 'ip link set lo up && ip -6 addr show dev lo | grep -q "inet6 ::1"' ||
	skip "::1 is unavailable (IPv6 disabled on this kernel or loopback)"

cat >"$TMP/inns.sh" <<INNER
set -u
ip link set lo up
"$RSTSTORM" run -6 -q -c 100 -n 3000 --timeout 30s --close fin=1,rst=1 --seed 11 \
	--ops write,write,read --csv "$TMP/e" >"$TMP/e.out" 2>"$TMP/e.err" || exit 10
"$RSTSTORM" check -6 -q --trials 20 --load-c 100 --gap 10ms fin-write3 rst-write2 \
	--csv "$TMP/c" >"$TMP/c.out" 2>"$TMP/c.err" || exit 14
"$RSTSTORM" serve -6 --seed 11 --close fin=1,rst=1 >"$TMP/s.out" 2>"$TMP/s.err" &
spid=\$!
for i in \$(seq 200); do grep -q '^listening on' "$TMP/s.out" && break; sleep 0.05; done
port=\$(sed -n 's/^listening on \[::1\]:\([0-9]*\)\$/\1/p' "$TMP/s.out")
[ -n "\$port" ] || { kill -9 \$spid; exit 11; }
"$RSTSTORM" run -q -c 100 -n 3000 --timeout 30s --target "[::1]:\$port" \
	--ops write,write,read --csv "$TMP/t" >"$TMP/t.out" 2>"$TMP/t.err"
rc=\$?
kill -TERM \$spid
wait \$spid || exit 13
[ \$rc -eq 0 ] || exit 12
exit 0
INNER
unshare -n bash "$TMP/inns.sh"
rc=$?
case $rc in
0) ;;
10) fail "run -6: $(cat "$TMP/e.err")" ;;
11) fail "serve -6 printed no [::1] listener: $(cat "$TMP/s.out" "$TMP/s.err")" ;;
12) fail "run --target [::1]: $(cat "$TMP/t.err")" ;;
14) fail "check -6: $(cat "$TMP/c.out" "$TMP/c.err")" ;;
*) fail "exit $rc: $(cat "$TMP/s.err" 2>/dev/null)" ;;
esac
head -n1 "$TMP/s.out" | grep -q '^listening on \[::1\]:[0-9]*$' || fail "serve's first line: $(head -n1 "$TMP/s.out")"
for d in e t; do
	[ "$(summary books_balanced "$TMP/$d")" = 1 ] || fail "$d: books"
	[ "$(summary family "$TMP/$d")" = ipv6 ] || fail "$d: family $(summary family "$TMP/$d")"
	[ "$(summary conns_completed "$TMP/$d")" = 3000 ] || fail "$d: completed $(summary conns_completed "$TMP/$d") of 3000 (--timeout 30s): $(tr "\n" " " <"$TMP/$d/failures.csv")"
	expect_op fin 1 ok 0.95 "$TMP/$d"
	expect_op fin 2 EPIPE 0.95 "$TMP/$d"
	expect_op rst 1 ECONNRESET 0.95 "$TMP/$d"
done
grep -q -- ' -6$' "$TMP/e.out" || grep -q -- ' -6 ' "$TMP/e.out" || fail "run -6 line: $(head -n1 "$TMP/e.out")"
[ "$(summary clock "$TMP/t")" = stamp ] || fail "target clock"
grep -q '^rststorm check: .*, -6$' "$TMP/c.out" || fail "check -6 line: $(head -n1 "$TMP/c.out")"
[ "$(csv_col family "$TMP/c/check.csv")" = ipv6 ] || fail "check.csv family $(csv_col family "$TMP/c/check.csv")"
grep -q '^check: [0-9]* PASS, [0-9]* MEASURED, 0 DIFF' "$TMP/c.out" || fail "check -6: $(tail -n1 "$TMP/c.out")"
exit 0
