# The bash completion, run by bash itself: its commands and each command's
# options are exactly those the program's help texts list (so it cannot go
# stale), every value it offers for an option is one the program accepts,
# and every word the program's "not allowed" message names and accepts is
# offered; paths and scenario names complete where they belong.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/options.sh"
COMP=$(cd "$(dirname "$0")/../.." && pwd)/completion/rststorm.bash
[ -f "$COMP" ] || fail "no completion at completion/rststorm.bash"
# shellcheck source=/dev/null
. "$COMP"
complete -p rststorm | grep -q -- '-F _rststorm rststorm' ||
	fail "sourcing the completion did not register _rststorm for rststorm"

# comp WORD...: COMPREPLY for the command line WORD... (the last word is
# the one being completed), sorted, one a line, in $TMP/got
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_rststorm 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort >"$TMP/got"
}
# expect WANT... : $TMP/got is exactly WANT
expect() {
	printf '%s\n' "$@" | sed '/^$/d' | sort >"$TMP/want"
	cmp -s "$TMP/want" "$TMP/got" ||
		fail "completing '${COMP_WORDS[*]}': got [$(tr '\n' ' ' <"$TMP/got")], want [$*]"
}
words() { tr ' \t' '\n\n' | sed '/^$/d' | sort -u; }

# commands
comp "$RSTSTORM" ""
commands | sort >"$TMP/c"
cmp -s "$TMP/c" "$TMP/got" || fail "commands: completion [$(tr '\n' ' ' <"$TMP/got")] but rststorm help lists [$(tr '\n' ' ' <"$TMP/c")]"
comp rststorm ""
cmp -s "$TMP/c" "$TMP/got" || fail "commands for the bare name differ"
comp rststorm help c; expect check compare
comp rststorm -; expect -V --version -h --help

# options of every command, and which of them take a value
n=0
for c in $(commands); do
	[ "$c" = help ] && continue
	# every command takes -h and --help (those without options too)
	{ help_options "$c" | tr ',' '\n'; echo -h; echo --help; } | sort -u >"$TMP/h"
	comp rststorm "$c" -
	if ! cmp -s "$TMP/h" "$TMP/got"; then
		echo "rststorm $c: --help (<) and the completion (>) differ:"
		diff "$TMP/h" "$TMP/got" | grep '^[<>]'
		fail "completion out of date for $c: edit _rststorm_opts_$c in completion/rststorm.bash"
	fi
	n=$((n + $(wc -l <"$TMP/h")))
	# the value-taking options: long ones from --help, with their short forms
	help_argopts "$c" >"$TMP/al"
	help_options "$c" | awk -F, 'NR == FNR { a[$1] = 1; next }
		{ l = $NF; if (l in a) { print l; if (NF == 2) print $1 } }' "$TMP/al" - |
		sort -u >"$TMP/a"
	v=_rststorm_args_$c
	printf '%s\n' "${!v-}" | words >"$TMP/ca"
	if ! cmp -s "$TMP/a" "$TMP/ca"; then
		echo "rststorm $c: options taking a value, --help (<) and the completion (>):"
		diff "$TMP/a" "$TMP/ca" | grep '^[<>]'
		fail "completion out of date for $c: edit _rststorm_args_$c in completion/rststorm.bash"
	fi
	# after a value-taking option, no option names are offered
	for o in $(cat "$TMP/a"); do
		comp rststorm "$c" "$o" --
		[ -s "$TMP/got" ] && fail "rststorm $c $o --: offers options as the value: $(tr '\n' ' ' <"$TMP/got")"
	done
done
echo "measured: $n options of $(commands | grep -cvx help) commands match their --help"

# values of the options with a fixed set: each offered value is accepted
# (values are checked while parsing, before --help ends the command), and
# each digit-free word of the "not allowed" message that is accepted is
# offered
enum() {
	local c=$1 o=$2 w got
	comp rststorm "$c" "$o" ""
	got=$(cat "$TMP/got")
	[ -n "$got" ] || fail "rststorm $c $o: no values offered"
	for w in $got; do
		"$RSTSTORM" "$c" "$o" "$w" --help >/dev/null 2>"$TMP/err" ||
			fail "rststorm $c $o: completion offers '$w', which the program refuses: $(cat "$TMP/err")"
	done
	"$RSTSTORM" "$c" "$o" x-not-a-value --help >/dev/null 2>"$TMP/err" &&
		fail "rststorm $c $o x-not-a-value was accepted: cannot learn its values"
	for w in $(sed "s/.*x-not-a-value'//" "$TMP/err" | tr -c 'a-z0-9\n' ' ' | words | grep -v '[0-9]'); do
		"$RSTSTORM" "$c" "$o" "$w" --help >/dev/null 2>&1 || continue
		grep -qx -- "$w" "$TMP/got" ||
			fail "rststorm $c $o: the program accepts '$w' but the completion does not offer it"
	done
	echo "measured: $c $o: $(echo $got)"
}
enum run --engine
enum run --ring
enum serve --ring
enum check --ring
enum run --wait
enum check --closer
enum run --close
enum run --ops
enum serve --close

# comma lists: the part after the last comma completes
comp rststorm run --close fin=3,r; expect fin=3,rst
comp rststorm run --ops write,r; expect write,read write,recv
"$RSTSTORM" run --ops write,recv --help >/dev/null || fail "--ops write,recv refused"

# as bash calls it: COMP_WORDS split at = and : (COMP_WORDBREAKS), the
# whole line in COMP_LINE; what is offered replaces the last piece only
compl() {
	COMP_LINE=$1
	COMP_POINT=${#1}
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_rststorm 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort >"$TMP/got"
}
compl "rststorm run --close fin=50,r" rststorm run --close fin = 50,r; expect 50,rst
compl "rststorm run --close=fin=1,sh" rststorm run --close = fin = 1,sh; expect 1,shutdown
compl "rststorm run --engine=e" rststorm run --engine = e; expect epoll
compl "rststorm run --engine=" rststorm run --engine =; expect uring epoll
compl "rststorm check --closer=" rststorm check --closer =; expect server client
compl "rststorm run --ops " rststorm run --ops ""; expect send sendmsg send-zc write recv read none
compl "rststorm run --target 127.0.0.1:" rststorm run --target 127.0.0.1 :; expect

# paths: directories for --csv and -o and compare/merge's reports, files
# after @ for --request
mkdir -p "$TMP/w/rep-a" "$TMP/w/rep-b"
: >"$TMP/w/req.txt"
cd "$TMP/w" || fail "cd $TMP/w"
comp rststorm run --csv rep; expect rep-a rep-b
comp rststorm check --csv rep-a; expect rep-a
comp rststorm merge -o re; expect rep-a rep-b
comp rststorm compare rep-a r; expect rep-a rep-b
comp rststorm run --request @req; expect @req.txt
comp rststorm run --request @re; expect @rep-a @rep-b @req.txt
comp rststorm run --request GET; expect
comp rststorm run --threads ""; expect

# scenario names for check, from the program being completed
comp "$RSTSTORM" check seed-java; expect seed-java-fin seed-java-rst
comp "$RSTSTORM" check --trials 5 seed-g; expect seed-go
comp "$RSTSTORM" scenarios --show seed-java; expect seed-java-fin seed-java-rst
# scenario files for -f
: >"$TMP/w/mine.scn"
comp rststorm check -f mi; expect mine.scn
comp rststorm scenarios --file mi; expect mine.scn
exit 0
