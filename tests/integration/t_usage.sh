# Bad input: exit 2 and one line that names the option and the value.
. "$(dirname "$0")/lib.sh"

check() {
	local want=$1
	shift
	"$RSTSTORM" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] || fail "rststorm $*: exit $rc, want 2"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "rststorm $*: not one line: $(cat "$TMP/err")"
	grep -q -- "$want" "$TMP/err" || fail "rststorm $*: '$(cat "$TMP/err")' does not name $want"
	[ -s "$TMP/out" ] && fail "rststorm $*: wrote to stdout"
	return 0
}
check "--concurrency: '0'" run -c 0
check "--concurrency: 'lots'" run --concurrency lots
check "--duration: '5x'" run -d 5x
check "--close: 'fin=x'" run --close fin=x
check "--close: 'tcp'" run --close tcp
check "--ops: 'write,poke'" run --ops write,poke
check "--wait: 'later'" run --wait later
check "--timeout: '0'" run --timeout 0
check "--ports: '100'" run --ports 100
check "--threads" run -c 2 -t 4
check "--engine: 'kqueue' is not allowed: uring or epoll" run --engine kqueue
check "--bogus" run --bogus
check "'extra'" run extra
check "'frobnicate'" frobnicate
"$RSTSTORM" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no command: want exit 2"
"$RSTSTORM" run --help | grep -q -- '--concurrency' || fail "--help lacks options"
