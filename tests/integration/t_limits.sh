# The kernel's limits checked before a run starts (src/klimits.c): each
# refusal path through the real binary, its /proc value made small by a
# bind mount in a private mount namespace (the host's sysctls are never
# written). Each refusal is one line on stderr naming the sysctl, exit 1,
# and nothing run; the same command without the mount runs.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace"
unshare -m true 2>/dev/null || skip "unshare -m refused: no mount namespace"

# refuse FILE VALUE PATTERN ARGS...: with FILE reading VALUE, the run stops
# with exit 1 and one stderr line matching PATTERN
refuse() {
	local file=$1 value=$2 pat=$3 rc
	shift 3
	printf '%s\n' "$value" >"$TMP/value"
	rc=0
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
		"$TMP/value" "$file" "$RSTSTORM" run -q "$@" \
		>"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = 1 ] || fail "$file=$value: exit $rc, expected 1: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" = 1 ] ||
		fail "$file=$value: not one line: $(cat "$TMP/err")"
	grep -q -- "$pat" "$TMP/err" ||
		fail "$file=$value: no '$pat' in: $(cat "$TMP/err")"
	grep -q '^close ' "$TMP/out" && fail "$file=$value: the run ran"
	echo "refused: $(cat "$TMP/err")"
}

# the control: the command the refusals stop runs as it is
"$RSTSTORM" run -q -c 1000 --hold -d 20s --close fin >"$TMP/ctl" 2>&1 ||
	fail "control run: exit $?: $(tail -3 "$TMP/ctl")"
grep -q '(books balance)' "$TMP/ctl" || fail "control run: books"

refuse /proc/sys/fs/file-max 1000 \
	'fs.file-max is 1000 .*sysctl -w fs.file-max=' -c 1000 --hold -d 20s --close fin
refuse /proc/sys/net/ipv4/tcp_mem "10 20 30" \
	'net.ipv4.tcp_mem.* is 30: raise it' -c 1000 --hold -d 20s --close fin
refuse /proc/sys/net/ipv4/tcp_max_orphans 100 \
	'closes 1000 connections with a FIN .*tcp_max_orphans .* is 100: .*sysctl -w net.ipv4.tcp_max_orphans=2000' \
	-c 1000 --hold -d 20s --close fin
refuse /proc/sys/vm/max_map_count 100 \
	'vm.max_map_count is 100: sysctl -w vm.max_map_count=' -c 1000 --hold -d 20s --close fin
grep -v '^MemAvailable:' /proc/meminfo >"$TMP/meminfo"
echo "MemAvailable:       1000 kB" >>"$TMP/meminfo"
refuse /proc/meminfo "$(cat "$TMP/meminfo")" \
	'MiB is available (MemAvailable): lower -c to 137' -c 1000 --hold -d 20s --close fin
# the orphans of a storm of RST closes: none, so the same limit holds it
printf '100\n' >"$TMP/value"
unshare -m sh -c 'mount --bind "$1" /proc/sys/net/ipv4/tcp_max_orphans && shift && exec "$@"' sh \
	"$TMP/value" "$RSTSTORM" run -q -c 1000 --hold -d 20s --close rst \
	>"$TMP/rst" 2>&1 || fail "--close rst under tcp_max_orphans 100: exit $?: $(tail -3 "$TMP/rst")"
# --netns raises the namespace's own backlog limits to what the run needs
# (-c 5000 on one port: 5064), and says so; the host's stay as they were
host=$(cat /proc/sys/net/core/somaxconn)
"$RSTSTORM" run -q -c 5000 -n 5000 --ports 1 --netns >"$TMP/ns" 2>&1 ||
	fail "--netns -c 5000 --ports 1: exit $?: $(tail -3 "$TMP/ns")"
# (a fresh namespace starts at 4096 and 2048 since Linux 5.4)
grep -q '^netns: raised in the run.s namespace: net.core.somaxconn [0-9]* -> 5064, net.ipv4.tcp_max_syn_backlog [0-9]* -> 5064$' "$TMP/ns" ||
	fail "no netns line: $(head -3 "$TMP/ns")"
[ "$(cat /proc/sys/net/core/somaxconn)" = "$host" ] ||
	fail "the host's somaxconn changed"
grep -q '(books balance)' "$TMP/ns" || fail "--netns -c 5000: books"
echo ok
