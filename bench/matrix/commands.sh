#!/bin/sh
# The kernel matrix's commands, run the same way in a guest (busybox sh) and on
# the host: each command's stdout, stderr, exit status and duration go to OUT.
#   commands.sh OUT      (rststorm on PATH)
# Environment: MATRIX_CMDS replaces the default list (commands separated by ';'
# or newlines, run by sh with $OUT set); TRIALS, LOAD_C and GAP tune `check`;
# CMD_TIMEOUT bounds each command (seconds, default 600).
#
# Default list: `rststorm probe`, `rststorm run -c 50 -n 2000`, then
# `rststorm check` when this rststorm has it (`check --help` exits 0).
# Files: NAME.txt (stdout), NAME.err (stderr, kept when not empty), commands.tsv
# (name, exit status, seconds, command), where NAME is the rststorm subcommand
# (or the program) with -2, -3 ... added when it repeats.
set -uf
if [ $# -ne 1 ]; then
	echo "usage: $0 OUT" >&2
	exit 2
fi
OUT=$1
export OUT
mkdir -p "$OUT" || { echo "commands.sh: cannot create $OUT: check the path" >&2; exit 1; }

if [ -n "${MATRIX_CMDS:-}" ]; then
	cmds=$MATRIX_CMDS
else
	cmds='rststorm probe;rststorm run -c 50 -n 2000 --csv $OUT/run'
	if rststorm check --help >/dev/null 2>&1; then
		cmds="$cmds;rststorm check --trials ${TRIALS:-50} --load-c ${LOAD_C:-200} --gap ${GAP:-200ms} --csv \$OUT/check"
	fi
fi

uptime_s() { cut -d' ' -f1 /proc/uptime; }

printf 'name\texit_status\tseconds\tcommand\n' >"$OUT/commands.tsv"
printf '%s\n' "$cmds" | tr ';' '\n' | while IFS= read -r cmd; do
	# trim blanks; skip empty lines
	cmd=$(printf '%s' "$cmd" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
	[ -n "$cmd" ] || continue
	# split into words on purpose (globbing is off: set -f) to name the output
	# shellcheck disable=SC2086
	set -- $cmd
	name=$(basename "$1")
	[ "$name" = rststorm ] && [ $# -ge 2 ] && name=$2
	base=$name
	n=1
	while [ -e "$OUT/$name.txt" ]; do
		n=$((n + 1))
		name=$base-$n
	done
	t0=$(uptime_s)
	timeout "${CMD_TIMEOUT:-600}" sh -c "$cmd" >"$OUT/$name.txt" 2>"$OUT/$name.err" </dev/null
	rc=$?
	t1=$(uptime_s)
	[ -s "$OUT/$name.err" ] || rm -f "$OUT/$name.err"
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$secs" "$cmd" >>"$OUT/commands.tsv"
	echo "matrix: $name exit $rc in ${secs}s: $cmd"
done
exit 0
