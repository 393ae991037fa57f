# make install into a staging DESTDIR: exactly the binary, the man page and
# the completion, where PREFIX says; the installed binary runs, man finds
# the page, bash loads the completion; make uninstall then leaves no file.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v make >/dev/null || skip "make is not installed"
D=$TMP/stage
P=/opt/rs-test

mk() { make --no-print-directory -s -C "$ROOT" "$@" DESTDIR="$D" PREFIX="$P" INSTALL_BIN="$RSTSTORM"; }

mk install >"$TMP/out" 2>&1 || fail "make install failed: $(tail -n 3 "$TMP/out")"
(cd "$D" && find . -type f | sort) >"$TMP/files"
printf '%s\n' ./opt/rs-test/bin/rststorm \
	./opt/rs-test/share/bash-completion/completions/rststorm \
	./opt/rs-test/share/man/man1/rststorm.1 | sort >"$TMP/want"
cmp -s "$TMP/want" "$TMP/files" || fail "installed files: $(tr '\n' ' ' <"$TMP/files"), want $(tr '\n' ' ' <"$TMP/want")"
sed 's/^/# installed: /' "$TMP/files"
[ -x "$D$P/bin/rststorm" ] || fail "$D$P/bin/rststorm is not executable"
[ "$(stat -c %a "$D$P/share/man/man1/rststorm.1")" = 644 ] || fail "the man page is not mode 644"

out=$("$D$P/bin/rststorm" version) || fail "the installed binary's version failed"
echo "$out" | grep -q '^rststorm [^ ]* (liburing ' || fail "installed version printed '$out'"
echo "measured: installed: $out"

man -M "$D$P/share/man" -P cat rststorm 2>/dev/null | grep -q 'rststorm - stress-test TCP' ||
	fail "man -M $D$P/share/man rststorm does not show the page"
bash -c '. "$1" && complete -p rststorm' _ "$D$P/share/bash-completion/completions/rststorm" |
	grep -q -- '-F _rststorm' || fail "the installed completion does not register"

mk uninstall >"$TMP/out" 2>&1 || fail "make uninstall failed: $(tail -n 3 "$TMP/out")"
left=$(cd "$D" && find . ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
# uninstall touches nothing else: a file beside them stays
mk install >/dev/null 2>&1 || fail "second make install failed"
: >"$D$P/bin/other"
mk uninstall >/dev/null 2>&1 || fail "second make uninstall failed"
left=$(cd "$D" && find . ! -type d)
[ "$left" = ./opt/rs-test/bin/other ] || fail "after uninstall, want only ./opt/rs-test/bin/other, got: $left"
exit 0
