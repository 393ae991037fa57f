# Scenario files a user writes (docs/scenarios.md): check -f runs them and
# judges them as the built-ins (a right expectation: PASS, exit 0; a wrong
# one: DIFF, exit 1); a file that does not parse gives one line
# FILE:LINE:COL: expected X, found 'Y' and exit 2, from check and from
# scenarios alike; scenarios -f lists the file's scenarios, marked; --show
# prints a built-in as a file that runs as it is.
. "$(dirname "$0")/lib.sh"

CHECK="check -q --trials 5 --load-c 0 --gap 10ms"

# a deterministic scenario, with a claim of its own
cat >"$TMP/good.scn" <<'SCN'
# server closes (FIN), the client sends twice: the 2nd send gets EPIPE
scenario user-fin-write2
desc server closes (FIN); client sends twice
basis F4: the 1st send draws an RST; F1: it arrives in CLOSE_WAIT: EPIPE
claim a user
closer server fin       # who closes, and how
wait observed
path inline
op send expect ok claim ok
op send expect EPIPE ordered claim EPIPE
sigpipe none
SCN
"$RSTSTORM" $CHECK -f "$TMP/good.scn" >"$TMP/good.out" 2>&1 ||
	fail "check -f good.scn: exit $? (want 0): $(grep -E 'DIFF|verdict' "$TMP/good.out")"
grep -q '^rststorm check: 1 scenarios' "$TMP/good.out" ||
	fail "check -f ran other scenarios than the file's: $(grep '^rststorm check:' "$TMP/good.out")"
grep -q '^  verdict: alone PASS$' "$TMP/good.out" ||
	fail "user-fin-write2: not PASS: $(grep verdict "$TMP/good.out")"
echo "measured: user file: $(grep -c '^  verdict: alone PASS$' "$TMP/good.out") PASS"

# the same with a wrong expectation: DIFF and exit 1
sed -e 's/^scenario user-fin-write2/scenario user-wrong/' \
	-e 's/^op send expect EPIPE ordered claim EPIPE/op send expect ECONNRESET claim EPIPE/' \
	"$TMP/good.scn" >"$TMP/wrong.scn"
rc=0
"$RSTSTORM" $CHECK -f "$TMP/wrong.scn" >"$TMP/wrong.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "check -f wrong.scn: exit $rc, want 1"
grep -q '^  verdict: alone DIFF' "$TMP/wrong.out" ||
	fail "user-wrong: no DIFF: $(grep verdict "$TMP/wrong.out")"

# NAMEs pick among built-ins and files: one of two files' scenarios
"$RSTSTORM" $CHECK -f "$TMP/good.scn" -f "$TMP/wrong.scn" user-fin-write2 \
	>"$TMP/pick.out" 2>&1 || fail "check -f -f NAME: exit $?"
grep -q '^rststorm check: 1 scenarios' "$TMP/pick.out" ||
	fail "check -f -f NAME: $(grep '^rststorm check:' "$TMP/pick.out")"

# scenarios -f: the file's scenarios only, marked with their file
"$RSTSTORM" scenarios -f "$TMP/good.scn" >"$TMP/list" 2>&1 ||
	fail "scenarios -f: exit $?"
[ "$(grep -c '^[a-z0-9-]* *closer' "$TMP/list")" = 1 ] ||
	fail "scenarios -f lists $(grep -c '^[a-z0-9-]* *closer' "$TMP/list") scenarios, want 1"
grep -qxF "  file: $TMP/good.scn:2" "$TMP/list" || fail "scenarios -f: no file mark"
"$RSTSTORM" scenarios -f "$TMP/good.scn" --all >"$TMP/listall" 2>&1 ||
	fail "scenarios -f --all: exit $?"
nb=$("$RSTSTORM" scenarios | grep -c '^[a-z0-9-]* *closer')
[ "$(grep -c '^[a-z0-9-]* *closer' "$TMP/listall")" = $((nb + 1)) ] ||
	fail "scenarios -f --all: not the $nb built-ins and the file's"

# --show: a built-in as a file; renamed, it runs as the built-in does
"$RSTSTORM" scenarios --show rst-write2 >"$TMP/show.scn" || fail "--show: exit $?"
sed -i 's/^scenario rst-write2$/scenario my-rst-write2/' "$TMP/show.scn"
"$RSTSTORM" $CHECK -f "$TMP/show.scn" >"$TMP/show.out" 2>&1 ||
	fail "check -f (--show output): exit $?: $(grep verdict "$TMP/show.out")"
grep -q '^  verdict: alone PASS$' "$TMP/show.out" || fail "--show output: not PASS"

# parse errors: the exact line, exit 2, from both commands
bad() { # TEXT WANT
	printf '%b' "$1" >"$TMP/bad.scn"
	for cmd in "scenarios" "$CHECK"; do
		rc=0
		"$RSTSTORM" $cmd -f "$TMP/bad.scn" >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
		[ "$rc" = 2 ] || fail "$cmd -f: exit $rc, want 2, for: $1"
		[ ! -s "$TMP/bad.out" ] || fail "$cmd -f: wrote to stdout for: $1"
		[ "$(cat "$TMP/bad.err")" = "$TMP/bad.scn:$2" ] ||
			fail "$cmd -f: got '$(cat "$TMP/bad.err")', want '$TMP/bad.scn:$2'"
	done
}
H='scenario t\ndesc d\nbasis b\ncloser server fin\nwait observed\npath inline\n'
bad "desc x\n" "1:1: expected 'scenario NAME' first, found 'desc'"
bad "${H}op send expect EPIPX\nsigpipe none\n" \
	"7:16: expected a result: ok, eof, timeout, short, or an errno name such as EPIPE or ECONNRESET, found 'EPIPX'"
bad "${H}op sendd expect ok\n" \
	"7:4: expected send, sendmsg, write, send-flags0, recv, read, sys-send, sys-write, sys-recv, sys-read, so-error, poll-err or recv-dontwait, found 'sendd'"
bad "${H}op send expect ok\n" "8:1: expected a 'sigpipe' line in scenario 't' (line 1), found end of file"
bad "scenario t\ncloser server fin now\n" "2:19: expected end of line (or a # comment), found 'now'"
bad "scenario t\ndesc a\033[2Jb\n" "2:7: expected text, a space or a tab, found '\\x1b'"
bad "scenario seed-go\n" "1:10: expected a name not used yet (scenarios/seed-go.scn:1 has it), found 'seed-go'"
bad "" "1:1: expected 'scenario NAME' (a file holds one scenario or more), found end of file"

# a name in two files: both places
rc=0
"$RSTSTORM" scenarios -f "$TMP/good.scn" -f "$TMP/good.scn" >/dev/null 2>"$TMP/dup.err" || rc=$?
[ "$rc" = 2 ] && [ "$(cat "$TMP/dup.err")" = "$TMP/good.scn:2:10: expected a name not used yet ($TMP/good.scn:2 has it), found 'user-fin-write2'" ] ||
	fail "a name twice: exit $rc: $(cat "$TMP/dup.err")"

# a file that cannot be read: one line with the reason, exit 2
rc=0
"$RSTSTORM" $CHECK -f "$TMP/none.scn" >/dev/null 2>"$TMP/none.err" || rc=$?
[ "$rc" = 2 ] && grep -q "^rststorm check: -f '$TMP/none.scn': cannot open: No such file or directory" "$TMP/none.err" ||
	fail "a missing file: exit $rc: $(cat "$TMP/none.err")"
rc=0
"$RSTSTORM" $CHECK --all >/dev/null 2>"$TMP/all.err" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--all: only with -f FILE" "$TMP/all.err" ||
	fail "--all without -f: exit $rc: $(cat "$TMP/all.err")"
exit 0
