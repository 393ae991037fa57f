# RLIMIT_NOFILE too small for -c: refused up front with the number needed and
# advice that is possible for the command given. The advice is taken at its
# word: rerun with the values it names and see the run start.
. "$(dirname "$0")/lib.sh"

# try LIMIT ARGS...: run under ulimit -n LIMIT; sets rc, and err to stderr
try() {
	local lim=$1
	shift
	( ulimit -n "$lim" && exec "$RSTSTORM" run -q "$@" ) >"$TMP/out" 2>"$TMP/err"
	rc=$?
	err=$(cat "$TMP/err")
}

# follow LIMIT ARGS...: the run must start, or be refused with advice that,
# followed, starts it
follow() {
	local lim=$1 adv c lim2
	shift
	try "$lim" "$@"
	[ $rc -ne 136 ] || fail "ulimit -n $lim $*: SIGFPE"
	[ $rc -eq 0 ] && { echo "measured: ulimit -n $lim $*: runs"; return; }
	[ $rc -eq 1 ] || fail "ulimit -n $lim $*: exit $rc: $err"
	echo "measured: ulimit -n $lim $*: $err"
	local e0=$err
	case "$e0" in
	*"--server-threads 0"* | *"--ports 0"* | *"-c to 0"*)
		fail "impossible advice: $err" ;;
	esac
	if adv=$(printf '%s' "$e0" | grep -o 'use --threads [0-9]* --server-threads [0-9]* --ports [0-9]*'); then
		try "$lim" "$@" ${adv#use }
		[ $rc -eq 0 ] || fail "advice '$adv' at ulimit -n $lim: exit $rc: $err"
	fi
	if c=$(printf '%s' "$e0" | grep -o 'lower -c to [0-9]*'); then
		c=${c##* }
		[ "$c" -ge 1 ] || fail "advised -c $c"
		adv=$(printf '%s' "$e0" | grep -o 'with --threads [0-9]* --server-threads [0-9]* --ports [0-9]*' || true)
		try "$lim" "$@" -c "$c" ${adv#with }
		[ $rc -eq 0 ] || fail "advised -c $c $adv at ulimit -n $lim: exit $rc: $err"
	fi
	lim2=$(printf '%s' "$e0" | grep -o 'ulimit -n [0-9]*' | tail -1)
	lim2=${lim2##* }
	[ -n "$lim2" ] || fail "no limit to raise to: $e0"
	try "$lim2" "$@"
	[ $rc -eq 0 ] || fail "advised ulimit -n $lim2: exit $rc: $err"
}

# the numbers needed, exactly: 1000 client + 1000 server fds, 8 listeners,
# 2 + 2 rings, 64 spare
try 512 --no-direct --no-server-direct -c 1000 -t 2 --server-threads 2 -d 1s
[ $rc -eq 1 ] || fail "exit $rc, want 1: $err"
grep -q "needs about 2076 file descriptors" "$TMP/err" || fail "$err"
grep -q "RLIMIT_NOFILE is 512" "$TMP/err" || fail "$err"
grep -q "lower -c to 218," "$TMP/err" || fail "$err"

# the epoll engine's client sockets are ordinary fds as well
try 512 --engine epoll -c 1000 -d 1s
[ $rc -eq 1 ] || fail "epoll: exit $rc, want 1: $err"
grep -q "the epoll engine" "$TMP/err" || fail "epoll not named: $err"

for lim in 64 128 256 1024; do
	follow $lim -c 2000 -d 200ms
	follow $lim -c 2000 -t 2 --server-threads 2 -d 200ms
	follow $lim -c 2000 --no-direct --no-server-direct -d 200ms
	follow $lim -c 2000 --engine epoll -d 200ms
done

# no -c fits: the limit to raise to, never "lower -c to 0"
try 64 -c 10 --no-direct -d 200ms
[ $rc -eq 1 ] || fail "exit $rc at 64: $err"
printf '%s' "$err" | grep -q "no -c fits: raise the limit to at least" || fail "$err"
echo "measured: $err"
