# --netns without root: an unprivileged user (nobody, through setpriv when
# the test runs as root) gets a network namespace inside a user namespace
# of its own, and the kernel counters read there are the run's alone (they
# reconcile with what rststorm counted, as in t_netns.sh). Where user
# namespaces are unavailable, the run fails with one line saying why and
# what to do; that path is forced here by user.max_user_namespaces=0 in a
# user namespace of the test's own, with every capability dropped.
. "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"

# as_user CMD...: CMD as an unprivileged user (nobody when we are root)
if [ "$(id -u)" = 0 ]; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
	chmod 755 "$TMP"
	mkdir "$TMP/u" && chown 65534:65534 "$TMP/u"
else
	as_user() { "$@"; }
	mkdir "$TMP/u"
fi
as_user "$RSTSTORM" version >/dev/null 2>&1 ||
	skip "the unprivileged user cannot run $RSTSTORM (a directory on its path is not searchable)"

if ! why=$(as_user unshare -rn true 2>&1); then
	# the kernel forbids it: the run must say so in one line
	as_user "$RSTSTORM" run -q --netns -c 5 -n 5 >"$TMP/o" 2>"$TMP/e"
	rc=$?
	[ $rc -eq 1 ] || fail "without user namespaces: exit $rc, want 1"
	[ "$(wc -l <"$TMP/e")" -eq 1 ] || fail "not one line: $(cat "$TMP/e")"
	grep -q -- "--netns: .*drop --netns" "$TMP/e" || fail "$(cat "$TMP/e")"
	skip "unprivileged user namespaces are not available here (unshare -rn: $why): the error path passed"
fi

# 1. the run, as the unprivileged user
as_user "$RSTSTORM" run -q --netns -c 50 -n 1000 --close fin=1,rst=1,unread=1 \
	--csv "$TMP/u/r" >"$TMP/out" 2>"$TMP/err" ||
	fail "run --netns as uid $(as_user id -u): exit $?: $(cat "$TMP/err")"
grep -q "this run's namespace" "$TMP/out" || fail "no own-namespace kernel line: $(cat "$TMP/out")"
[ -s "$TMP/err" ] && fail "stderr not empty: $(cat "$TMP/err")"
owner=$(stat -c %u "$TMP/u/r/summary.csv")
[ "$owner" = "$(as_user id -u)" ] || fail "summary.csv owned by uid $owner, not the user who ran it"
delta() { awk -F, -v c="$1" '$3 == "netns" && $4 == c { print $7 }' "$TMP/u/r/mib.csv"; }
started=$(summary conns_started "$TMP/u/r")
accepted=$(summary srv_accepted "$TMP/u/r")
unread=$(summary srv_closed_unread "$TMP/u/r")
echo "measured: as uid $(as_user id -u): ActiveOpens $(delta Tcp.ActiveOpens)/$started PassiveOpens $(delta Tcp.PassiveOpens)/$accepted TCPAbortOnClose $(delta TcpExt.TCPAbortOnClose)/$unread"
[ "$started" = 1000 ] || fail "started $started connections, want 1000"
[ "$(delta Tcp.ActiveOpens)" = "$started" ] || fail "mib.csv: ActiveOpens '$(delta Tcp.ActiveOpens)' != connections started $started"
[ "$(delta Tcp.PassiveOpens)" = "$accepted" ] || fail "mib.csv: PassiveOpens != accepted"
[ "$(delta TcpExt.TCPAbortOnClose)" = "$unread" ] || fail "mib.csv: TCPAbortOnClose != unread closes"

# 2. check --netns reconciles its counters the same way
as_user "$RSTSTORM" check -q seed-go --trials 5 --load-c 0 --netns >"$TMP/c" 2>&1 ||
	fail "check --netns as the user: exit $?: $(tail -n 3 "$TMP/c")"
grep -q 'kernel counters: reconciled' "$TMP/c" || fail "check --netns did not reconcile: $(tail -n 3 "$TMP/c")"

# 3. root without CAP_SYS_ADMIN takes the same path
if [ "$(id -u)" = 0 ]; then
	setpriv --bounding-set=-sys_admin "$RSTSTORM" run -q --netns -c 5 -n 5 \
		>"$TMP/o3" 2>&1 || fail "root without CAP_SYS_ADMIN: exit $?: $(cat "$TMP/o3")"
	grep -q "this run's namespace" "$TMP/o3" || fail "root without CAP_SYS_ADMIN: $(cat "$TMP/o3")"
fi

# 4. no user namespace to be had: one line, the errno, the setting, what to do
unshare -U -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces' 2>/dev/null ||
	skip "cannot set user.max_user_namespaces in a user namespace here: the refusal path is untested"
unshare -U -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces &&
	exec setpriv --bounding-set=-all --inh-caps=-all "$0" run -q --netns -c 5 -n 5' \
	"$RSTSTORM" >"$TMP/o4" 2>"$TMP/e4"
rc=$?
[ $rc -eq 1 ] || fail "without any namespace: exit $rc, want 1: $(cat "$TMP/e4")"
[ "$(wc -l <"$TMP/e4")" -eq 1 ] || fail "not one line: $(cat "$TMP/e4")"
[ -s "$TMP/o4" ] && fail "wrote to stdout: $(cat "$TMP/o4")"
grep -q -- "--netns: no CAP_SYS_ADMIN .*unshare(CLONE_NEWUSER) failed: .*(ENOSPC): .*user.max_user_namespaces=0.*drop --netns" "$TMP/e4" ||
	fail "message: $(cat "$TMP/e4")"
echo "# refused: $(cat "$TMP/e4")"
exit 0
