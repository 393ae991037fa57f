#!/usr/bin/env bash
# Runs the unit test binaries given as arguments (cmocka), then every
# tests/integration/t_*.sh under a timeout. Exit codes of a script: 0 pass,
# 77 skip, anything else fail. Ends with "N passed, N failed, N skipped".
set -u
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0 failed_names=()

for bin in "$@"; do
	name=$(basename "$bin")
	out=$("$bin" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	pass=$((pass + ${p:-0}))
	if [ "$rc" -ne 0 ] || [ "${f:-0}" -ne 0 ]; then
		printf '%s\n' "$out"
		fail=$((fail + ${f:-1}))
		failed_names+=("$name")
		echo "FAIL unit $name"
	else
		echo "ok   unit $name (${p:-0} cases)"
	fi
done

for t in "$here"/integration/t_*.sh; do
	[ "${RS_ONLY:-}" = unit ] && break
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log=$(mktemp)
	start=$(date +%s.%N)
	timeout -k 5 ${TEST_TIMEOUT:-300} bash "$t" >"$log" 2>&1
	rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
	case $rc in
	0) pass=$((pass + 1)); echo "ok   $name (${secs}s)"; sed 's/^/     /' "$log" | grep -E '^     (#|measured)' || true ;;
	77) skip=$((skip + 1)); echo "skip $name: $(tail -n1 "$log")" ;;
	*) fail=$((fail + 1)); failed_names+=("$name"); echo "FAIL $name (exit $rc, ${secs}s)"; sed 's/^/     /' "$log" ;;
	esac
	rm -f "$log"
done

echo
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
