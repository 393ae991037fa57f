#!/usr/bin/env bash
# Seeds for fuzz_repdir: every golden report directory as one input of the
# harness's form ("#> NAME" line, then the file), into the directory $1.
set -eu
out=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
for d in "$root"/tests/golden/compare/*/ "$root"/tests/golden/report/; do
	[ -d "$d" ] || continue
	name=$(basename "$d")
	{
		for f in "$d"*.csv; do
			printf '#> %s\n' "$(basename "$f")"
			cat "$f"
		done
	} >"$out/$name"
done
