# --sources: clients bind 127.0.0.1..N with IP_BIND_ADDRESS_NO_PORT (through
# the ring on direct descriptors, bind(2) on fds). With the ephemeral range
# cut to 500 ports in a namespace of its own, one port takes 1500
# connections only when they come from several source addresses.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "not root: no network namespace"
command -v unshare >/dev/null || skip "no unshare"
unshare -n true 2>/dev/null || skip "network namespaces not available here"

in_ns() {
	unshare -n sh -c 'ip link set lo up &&
		echo "40000 40499" >/proc/sys/net/ipv4/ip_local_port_range &&
		exec "$@"' sh "$@"
}
args="-q -c 1500 --hold -d 20s --timeout 2s --ports 1 --close fin"

in_ns "$RSTSTORM" run $args --sources 4 --csv "$TMP/d" >"$TMP/out" ||
	fail "direct: exit $?: $(cat "$TMP/out")"
grep -q 'sources 4 by ' "$TMP/out" || fail "path: $(grep path: "$TMP/out")"
grep -q '^hold  *established 1500 of 1500' "$TMP/out" ||
	fail "direct: $(grep -E '^(hold|connections|not)' "$TMP/out")"
echo "measured: $(grep -o 'sources 4 by [^ ]*' "$TMP/out"): 1500 of 1500 on one port with 500 ephemeral ports"

in_ns "$RSTSTORM" run $args --sources 4 --no-direct --csv "$TMP/f" >"$TMP/out2" ||
	fail "fds: exit $?: $(cat "$TMP/out2")"
grep -q 'sources 4 by bind(2)' "$TMP/out2" || fail "path: $(grep path: "$TMP/out2")"
grep -q '^hold  *established 1500 of 1500' "$TMP/out2" || fail "bind(2): not all held"

# one source: the port range runs out, and connect says so
in_ns "$RSTSTORM" run $args --csv "$TMP/one" >"$TMP/out3"
[ "$(summary books_balanced "$TMP/one")" = 1 ] || fail "one source: books"
grep -q ',EADDRNOTAVAIL,' "$TMP/one/failures.csv" ||
	fail "one source: no EADDRNOTAVAIL: $(cat "$TMP/one/failures.csv")"
echo "measured: one source: $(grep -o '^hold.*of 1500' "$TMP/out3")"
exit 0
