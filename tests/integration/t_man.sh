# The man page against the program: every command `rststorm help` lists has
# an entry under COMMANDS and an "OPTIONS OF" section; each section's option
# tags (the line after .TP) are exactly that command's --help options, short
# forms included; every option the page names anywhere is one some --help
# has; and the page formats without a warning (groff -ww, mandoc -Tlint).
# A new option: one .TP entry in its command's section (tag line, text line).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/options.sh"
MAN=$(cd "$(dirname "$0")/../.." && pwd)/man/rststorm.1
[ -f "$MAN" ] || fail "no man page at man/rststorm.1"

# the page without its comments and with \- turned into -, for reading names
sed -e '/^\.\\"/d' -e 's/\\-/-/g' "$MAN" >"$TMP/page"

# man_commands: the names under .SH COMMANDS (.B NAME after .TP)
awk '/^\.SH / { on = ($0 == ".SH COMMANDS") ; next }
	on && prev == ".TP" && /^\.B / { print $2 } { prev = $0 }' "$TMP/page" |
	sort >"$TMP/man-cmds"
commands | grep -vx help | sort >"$TMP/help-cmds"
diff -u "$TMP/help-cmds" "$TMP/man-cmds" | sed -n 's/^[-+][a-z]/&/p' >"$TMP/d"
# help is listed under COMMANDS too; compare the rest
grep -vx '+help' "$TMP/d" >"$TMP/d2" || true
[ -s "$TMP/d2" ] && fail "commands differ (-: only in rststorm help, +: only in the man page's COMMANDS): $(tr '\n' ' ' <"$TMP/d2")"

# man_options CMD: the tags of the OPTIONS OF section naming CMD, in the
# form help_options prints ("--long" or "-s,--long")
man_options() {
	awk -v cmd="$1" '
		/^\.S[HS] / {
			on = 0
			if ($0 ~ /^\.SH OPTIONS OF /) {
				s = tolower(substr($0, 16)); gsub(/,/, " ", s)
				n = split(s, w, " ")
				for (i = 1; i <= n; i++) if (w[i] == cmd) on = 1
			}
			next
		}
		on && prev == ".TP" {
			line = $0; gsub(/"/, " ", line)
			long = ""; short = ""
			if (match(line, /--[a-z0-9][a-z0-9-]*/)) long = substr(line, RSTART, RLENGTH)
			if (match(line, /(^| )-[A-Za-z0-9]( |$)/)) {
				short = substr(line, RSTART, RLENGTH); gsub(/ /, "", short)
			}
			if (long != "") print (short != "" ? short "," : "") long
		}
		{ prev = $0 }' "$TMP/page" | sort -u
}

sections=$(sed -n 's/^\.SH OPTIONS OF //p' "$TMP/page" | tr 'A-Z,\n' 'a-z  ')
n=0
for c in $(commands); do
	[ "$c" = help ] && continue
	echo " $sections " | grep -q " $c " ||
		fail "the man page has no OPTIONS OF section naming $c"
	help_options "$c" >"$TMP/h"
	man_options "$c" >"$TMP/m"
	if ! cmp -s "$TMP/h" "$TMP/m"; then
		echo "rststorm $c: --help (<) and the man page's OPTIONS OF section (>) differ:"
		diff "$TMP/h" "$TMP/m" | grep '^[<>]'
		fail "man page out of date for $c: add or remove a .TP entry per option"
	fi
	n=$((n + $(wc -l <"$TMP/h")))
done
echo "measured: $n command options documented"

# every option named anywhere in the page exists in some --help (or in
# `rststorm help`, which names -V and --version)
{ for c in $(commands); do help_options "$c"; done
  "$RSTSTORM" help | grep -o -- '--[a-z][a-z0-9-]*'; } |
	sed 's/.*,//' | sort -u >"$TMP/all"
grep -o -- '--[a-z][a-z0-9-]*' "$TMP/page" | sort -u >"$TMP/named"
extra=$(comm -13 "$TMP/all" "$TMP/named" | tr '\n' ' ')
[ -z "$extra" ] || fail "the man page names options no --help has: $extra"

# the page's version (.TH's fourth field) is the program's
v=$("$RSTSTORM" version | awk '{ print $2 }')
grep -q "^\.TH RSTSTORM 1 [0-9-]* \"rststorm $v\"" "$MAN" ||
	fail "the man page's .TH does not say rststorm $v (rststorm version): $(grep '^\.TH' "$MAN")"

# the page formats without warnings
out=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1) || fail "groff failed: $out"
[ -z "$out" ] || fail "groff -ww warns: $out"
if command -v mandoc >/dev/null; then
	out=$(mandoc -Tlint -W warning "$MAN" 2>&1) || fail "mandoc -Tlint: $out"
	[ -z "$out" ] || fail "mandoc -Tlint warns: $out"
else
	fail "mandoc is missing: make deps installs it (TEST_DEPS)"
fi
out=$(MANWIDTH=80 man -l "$MAN" 2>&1 >/dev/null) || fail "man -l failed: $out"
[ -z "$out" ] || fail "man -l warns: $out"
exit 0
