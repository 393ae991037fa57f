#!/usr/bin/env bash
# compare as a regression gate, measured: how often two runs of one
# configuration compare equal, and how often a planted change is found.
#   bench/compare-gate.sh [PAIRS] [OUT]   (20 pairs, results/compare-gate)
# Each run: rststorm run $GATE_ARGS --repeat $REPEAT (default --wait none
# -c 300 -n 1500 --repeat 20: twenty blocks of 1500 connections), seeds
# differ.
#  - same:    run 2i against run 2i+1 (same configuration)       -> exit 0?
#  - strict:  the same pairs without blocks.csv, compare --strict (the old
#             Fisher-per-run rule)                                 -> exit 0?
#  - shift:   run 2i against run 2i+1 with fin op 2's EPIPE share moved
#             $SHIFT points (default 10) to ok in every block (blocks.csv
#             and outcomes.csv rewritten consistently)             -> exit 1?
#  - mix:     --close fin=50,rst=50 against --close fin=50,unread=50 (MIX_PAIRS)
# Writes OUT/pairs.csv (one row per comparison) and OUT/summary.txt. Runs
# under nice; about 9 s per run on 2 cores (8 minutes in all). RSTSTORM: the binary (./rststorm).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-20}
out=${2:-results/compare-gate}
repeat=${REPEAT:-20}
mix_pairs=${MIX_PAIRS:-5}
shift_pts=${SHIFT:-10}
case $shift_pts in '' | *[!0-9]*) echo "compare-gate: SHIFT '$shift_pts': whole points" >&2; exit 2 ;; esac
read -r -a args <<<"${GATE_ARGS:---wait none -c 300 -n 1500}"
bin=${RSTSTORM:-./rststorm}
[ -x "$bin" ] || { echo "compare-gate: $bin not built: run make first" >&2; exit 1; }
case $pairs in '' | *[!0-9]*) echo "compare-gate: PAIRS '$pairs': a whole number" >&2; exit 2 ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

run() { # DIR SEED [extra args]
	local d=$1 s=$2
	shift 2
	nice -n 10 "$bin" run "${args[@]}" --repeat "$repeat" --seed "$s" -q --csv "$d" "$@" >/dev/null 2>"$d.err" ||
		{ echo "compare-gate: run failed: $(tail -n1 "$d.err")" >&2; exit 1; }
}

cmp() { # A B [options]: compare's exit status
	local st=0
	"$bin" compare "$@" >"$work/cmp.txt" 2>&1 || st=$?
	[ "$st" -le 1 ] || { echo "compare-gate: compare failed: $(tail -n1 "$work/cmp.txt")" >&2; exit 1; }
	echo "$st"
}

# shift DIR: move $shift_pts points of fin op 2's share from EPIPE to ok in
# every block, and the same counts in outcomes.csv
plant_shift() {
	local d=$1
	# blocks without an ok row (EPIPE every time) get one
	awk -F, -v OFS=, -v pts="$shift_pts" '
		NR == FNR { if (FNR > 1 && $6 == "fin" && $7 == 2) { t[$2] += $10; if ($9 == "EPIPE") { e[$2] = $10; row[$2] = $0 } }; next }
		FNR == 1 { for (b in t) { m[b] = int(t[b] * pts / 100 + 0.5); if (m[b] > e[b]) m[b] = e[b] }; print; next }
		$6 == "fin" && $7 == 2 && $9 == "EPIPE" { $10 -= m[$2] }
		$6 == "fin" && $7 == 2 && $9 == "ok" { $10 += m[$2]; seen[$2] = 1 }
		{ print }
		END { for (b in m) if (!seen[b] && m[b]) { n = split(row[b], r, ","); r[9] = "ok"; r[10] = m[b]; line = r[1]; for (i = 2; i <= n; i++) line = line "," r[i]; print line } }
	' "$d/blocks.csv" "$d/blocks.csv" >"$d/blocks.new"
	local moved
	moved=$(awk -F, '$6 == "fin" && $7 == 2 && $9 == "ok" { s += $10 } END { print s + 0 }' "$d/blocks.new")
	mv "$d/blocks.new" "$d/blocks.csv"
	awk -F, -v OFS=, -v ok="$moved" '
		NR == FNR { if (FNR > 1 && $4 == "fin" && $5 == 2) { t += $8; if ($7 == "ok") o = $8; if ($7 == "EPIPE") row = $0 }; next }
		FNR == 1 { print; next }
		$4 == "fin" && $5 == 2 && $7 == "EPIPE" { $8 -= ok - o }
		$4 == "fin" && $5 == 2 && $7 == "ok" { $8 = ok; seen = 1 }
		$4 == "fin" && $5 == 2 { $9 = sprintf("%.6f", $8 / t) }
		{ print }
		END { if (!seen && ok) { n = split(row, r, ","); r[7] = "ok"; r[8] = ok; r[9] = sprintf("%.6f", ok / t); line = r[1]; for (i = 2; i <= n; i++) line = line "," r[i]; print line } }' "$d/outcomes.csv" "$d/outcomes.csv" >"$d/outcomes.new"
	mv "$d/outcomes.new" "$d/outcomes.csv"
}

echo "kind,pair,seed_a,seed_b,exit,ops_line" >"$out/pairs.csv"
same=0 strict=0 shift=0 mix=0
for ((i = 0; i < pairs; i++)); do
	a=$work/a$i b=$work/b$i
	run "$a" $((1000 + 2 * i))
	run "$b" $((1001 + 2 * i))
	st=$(cmp "$a" "$b")
	echo "same,$i,$((1000 + 2 * i)),$((1001 + 2 * i)),$st,\"$(grep '^compare:' "$work/cmp.txt")\"" >>"$out/pairs.csv"
	[ "$st" = 0 ] && same=$((same + 1))
	# the old rule: one run's binomial model (Fisher), no blocks
	for d in "$a" "$b"; do mkdir -p "$d.nb" && cp "$d"/*.csv "$d.nb/" && rm "$d.nb/blocks.csv"; done
	st=$(cmp "$a.nb" "$b.nb" --strict)
	echo "strict-noblocks,$i,$((1000 + 2 * i)),$((1001 + 2 * i)),$st,\"$(grep '^compare:' "$work/cmp.txt")\"" >>"$out/pairs.csv"
	[ "$st" = 0 ] && strict=$((strict + 1))
	plant_shift "$b"
	st=$(cmp "$a" "$b")
	echo "shift$shift_pts,$i,$((1000 + 2 * i)),$((1001 + 2 * i)),$st,\"$(grep '^compare:' "$work/cmp.txt")\"" >>"$out/pairs.csv"
	[ "$st" = 1 ] && shift=$((shift + 1))
	rm -rf "$a" "$b" "$a.nb" "$b.nb"
done
for ((i = 0; i < mix_pairs; i++)); do
	a=$work/ma$i b=$work/mb$i
	run "$a" $((3000 + 2 * i)) --close fin=50,rst=50
	run "$b" $((3001 + 2 * i)) --close fin=50,unread=50
	st=$(cmp "$a" "$b")
	echo "mix,$i,$((3000 + 2 * i)),$((3001 + 2 * i)),$st,\"$(grep '^compare:' "$work/cmp.txt")\"" >>"$out/pairs.csv"
	[ "$st" = 1 ] && mix=$((mix + 1))
	rm -rf "$a" "$b"
done
{
	echo "compare-gate: $(date -u +%Y-%m-%dT%H:%M:%SZ), kernel $(uname -r), $(nproc) CPUs"
	echo "runs: rststorm run ${args[*]} --repeat $repeat (seeds differ), compare defaults (alpha 0.01, Holm, min-diff 5 points)"
	echo "same configuration, equal:               $same of $pairs pairs"
	echo "same configuration, old rule (--strict, no blocks) equal: $strict of $pairs pairs"
	echo "planted $shift_pts-point shift (fin op 2 EPIPE -> ok, every block), found: $shift of $pairs pairs"
	echo "planted close mix (fin=50,rst=50 vs fin=50,unread=50), found: $mix of $mix_pairs pairs"
} | tee "$out/summary.txt"
