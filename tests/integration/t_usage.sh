# Bad input: exit 2 and one line that names the option and the value.
# --help for every command: exit 0, the usage on stdout.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../../src" && pwd)

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
check "--ops: 'write,send_zc'.*unknown op 'send_zc'" run --ops write,send_zc
check "--ops: send-zc is IORING_OP_SEND_ZC.*--engine uring" run --engine epoll --ops send,send-zc
check "--op-size: '0' is not allowed: a whole number from 1 to 65536" run --op-size 0
check "--op-size: '65537' is not allowed" run --op-size 65537
check "--server-sends: '70000' is not allowed: a whole number from 0 to 65536" run --server-sends 70000
check "--server-sends: not with --target.*rststorm serve" run --server-sends 10 --target 127.0.0.1:9
check "--closer: 'peer' is not allowed: server or client" run --closer peer
check "--closer: client is not with --target" run --closer client --target 127.0.0.1:9
check "--close: with --closer client only fin and rst" run --closer client --close shutdown
check "--wait: 'later'" run --wait later
check "--timeout: '0'" run --timeout 0
check "--ports: '100'" run --ports 100
check "--threads" run -c 2 -t 4
check "--engine: 'kqueue' is not allowed: uring or epoll" run --engine kqueue
check "--target: '10.0.0.1:80' is not allowed: .*--allow-remote" run --target 10.0.0.1:80
check "--listen: '\[::\]:0' is not allowed: .*--allow-remote" serve --listen '[::]:0'
check "'--concurrency': unknown option (see rststorm serve --help)" serve --concurrency 5
check "--rate: 'fast'" run --rate fast
check "--repeat 2: not with --interval" run --repeat 2 --interval 1s
check "--repeat 3: not with --hold" run --repeat 3 --hold
check "--link: rtt=20: the round trip is a time" run --link rtt=20
check "--link: loss=0.01: the loss is a percentage" run --link rtt=20ms,loss=0.01
check "--link: empty" run --link ''
check "--link: not with --target" run --link rtt=1ms --target 127.0.0.1:80
check "--netns: not with --link" run --link rtt=1ms --netns
check "'--link': unknown option" serve --link rtt=1ms
check "--link: rtt=5: the round trip" check --link rtt=5
check "--netns: not with --link" check --link rtt=1ms --netns
check "--client-index: '4/4' is not allowed: I/N" run --client-index 4/4 --target 127.0.0.1:9
check "--client-index: needs --target" run --client-index 0/4
check "--client-index: '0/4' gives each of 4 clients 250000 .* -c 250001 is more" run --client-index 0/4 -c 250001 --target 127.0.0.1:9
check "--bogus" run --bogus
check "'extra'" run extra
check "'frobnicate'" frobnicate
check "a command is needed (allowed: run, serve, check," # no command at all

# numbers are decimal only, in every command
check "--wait: '0x10ms' is not allowed: .*decimal only" run --wait 0x10ms
check "--seed: '010' is not allowed: .*decimal only" run --seed 010
check "--seed: '0x10' is not allowed" run --seed 0x10
check "--op-gap: '0x1s'" run --op-gap 0x1s
check "--trials '010'" check --trials 010
check "--gap '0x10ms'" check --gap 0x10ms
check "--timeout '1e3ms'" check --timeout 1e3ms
check "compare: --alpha '0x1p-4': .*in decimal" compare --alpha 0x1p-4 a b
check "compare: --alpha '1e-2': .*in decimal" compare --alpha 1e-2 a b
check "compare: --alpha 'inf'" compare --alpha inf a b

# commands that take no arguments refuse them
check "version: 'extra': unexpected argument" version extra
check "version: 'extra': unexpected argument" -V extra
check "probe: 'extra': unexpected argument" probe extra
check "scenarios: 'extra': unexpected argument" scenarios extra
check "help: 'b': unexpected argument" help run b
check "'bogus': unknown command" help bogus

# control characters from argv are escaped, the message stays one line
check "--ring: 'a\\\\nb\\\\x1b\[2J' is not allowed: auto, defer, coop or plain" run --ring $'a\nb\e[2J'
check "'x\\\\ny': unexpected argument" scenarios $'x\ny'
check "'\\\\x1b\]0;pwn\\\\x07': unknown command" $'\e]0;pwn\a'
check "check: '\\\\x1b\[2Jx\\\\ty': unknown scenario" check $'\e[2Jx\ty'
check "check: --gap '1\\\\ns': a duration" check --gap $'1\ns'
check "check: '--x\\\\ny': unknown option" check $'--x\ny'
check "compare: '--x\\\\ny': unknown option" compare $'--x\ny'
check "merge: '--x\\\\ny': unknown option" merge $'--x\ny'
check "compare: --alpha '\\\\x1b\[2J': a probability" compare --alpha $'\e[2J' a b

# a 5000-byte value: cut in the middle, the allowed part kept whole
big=$(head -c 5000 /dev/zero | tr '\0' a)
check "--engine: 'aaa*\.\.\.aaa*' is not allowed: uring or epoll$" run --engine "$big"
check "(allowed: send, sendmsg, send-zc, write, recv, read; or none alone)$" run --ops "$big"
[ "$(wc -c <"$TMP/err")" -lt 600 ] || fail "a 5000-byte value gave a $(wc -c <"$TMP/err")-byte line"

# --help for every command: exit 0, usage on stdout, nothing on stderr
for cmd in run serve check scenarios compare merge probe version help; do
	for h in --help -h; do
		"$RSTSTORM" $cmd $h >"$TMP/out" 2>"$TMP/err"
		rc=$?
		[ $rc -eq 0 ] || fail "rststorm $cmd $h: exit $rc: $(cat "$TMP/err")"
		grep -q '^usage: rststorm' "$TMP/out" || fail "rststorm $cmd $h: no usage on stdout"
		[ -s "$TMP/err" ] && fail "rststorm $cmd $h: wrote to stderr"
	done
	"$RSTSTORM" help $cmd >"$TMP/help" 2>&1 || fail "rststorm help $cmd: exit $?"
	"$RSTSTORM" $cmd --help >"$TMP/out" 2>&1
	cmp -s "$TMP/help" "$TMP/out" || fail "rststorm help $cmd differs from $cmd --help"
done
for h in help --help -h; do
	"$RSTSTORM" $h | grep -q '^  merge ' || fail "rststorm $h: no command list"
done

# -V and --version print what version prints
v=$("$RSTSTORM" version) || fail "version: exit $?"
echo "$v" | grep -q '^rststorm [0-9]' || fail "version printed '$v'"
[ "$("$RSTSTORM" -V)" = "$v" ] || fail "-V differs from version"
[ "$("$RSTSTORM" --version)" = "$v" ] || fail "--version differs from version"

# run --help and serve --help list every option the table gives them, each
# at the start of its line; and none of the other command's
"$RSTSTORM" run --help >"$TMP/run.help" || fail "run --help: exit $?"
"$RSTSTORM" serve --help >"$TMP/serve.help" || fail "serve --help: exit $?"
awk '/^static const struct opt_desc opts\[\] = \{/ { on = 1; next }
	on && /^\};/ { exit }
	on && match($0, /^\t\{ "[a-z0-9-]+", OPT_/) { name = substr($0, 5); sub(/".*/, "", name) }
	on && name != "" && /C_(RUN|SERVE|ALL)/ {
		c = /C_ALL/ ? "all" : /C_SERVE/ ? "serve" : "run"; print name, c; name = "" }' \
	"$SRC/cli.c" >"$TMP/opts"
n=0
while read -r o c; do
	for cmd in run serve; do
		if [ "$c" = all ] || [ "$c" = $cmd ]; then
			grep -qE -- "^  (-., )?    --$o( |$)|^  -., --$o( |$)" "$TMP/$cmd.help" ||
				fail "$cmd --help lacks --$o"
		else
			grep -qE -- "^  (-., )?    --$o( |$)|^  -., --$o( |$)" "$TMP/$cmd.help" &&
				fail "$cmd --help lists --$o, which is not its option"
		fi
	done
	n=$((n + 1))
done <"$TMP/opts"
[ $n -ge 30 ] || fail "read only $n options from the table in cli.c"
echo "# run and serve --help list all $n options of the table, each its own"
exit 0
