#!/usr/bin/env bash
# Prints the kernel matrix as Markdown: one row per kernel in
# results/kernels/*/ with the path rststorm's probe chose, then, where
# `rststorm check` left a verdicts.csv, one row per scenario and phase with
# each kernel's verdict, then what `rststorm compare` (./rststorm, or
# $RSTSTORM) says of the host's reports against each guest's.
#   bench/kernels-table.sh [DIR]      (DIR defaults to results/kernels)
set -euo pipefail
usage="usage: bench/kernels-table.sh [DIR]   (DIR: results/kernels by default)"
case "${1:-}" in -h | --help) echo "$usage"; exit 0 ;; esac
[ $# -le 1 ] || { echo "$usage" >&2; exit 2; }
cd "$(dirname "$0")/.."
dir=${1:-results/kernels}
[ -d "$dir" ] || { echo "kernels-table: $dir not found: run make kernel-matrix first" >&2; exit 1; }

mapfile -t kernels < <(for d in "$dir"/*/; do [ -f "$d/probe.txt" ] && basename "$d"; done | sort -V)
((${#kernels[@]})) || { echo "kernels-table: no $dir/*/probe.txt: run make kernel-matrix first" >&2; exit 1; }

# field FILE KEY: the value after "KEY " on the line that starts with it
field() { [ -f "$1" ] && sed -n "s/^$2 //p" "$1" | head -n1 || true; }

# csv_col FILE COLUMN: that column of the first data row, found by header name
csv_col() {
	[ -f "$1" ] || return 0
	awk -v want="$2" "$(csv_awk)"'
		{ n = csv_split($0, f) }
		NR == 1 { for (i = 1; i <= n; i++) if (f[i] == want) k = i; next }
		NR == 2 && k { print f[k]; exit }' "$1"
}

# csv_awk: an awk function that splits one RFC 4180 line (no line breaks
# inside fields) into f[1..n] and returns n.
csv_awk() {
	cat <<'AWK'
function csv_split(line, f,    n, i, c, q, cur) {
	n = 0; cur = ""; q = 0
	sub(/\r$/, "", line)
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"" && substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ }
			else if (c == "\"") q = 0
			else cur = cur c
		} else if (c == "\"") q = 1
		else if (c == ",") { f[++n] = cur; cur = "" }
		else cur = cur c
	}
	f[++n] = cur
	return n
}
AWK
}

# the probe's choice: its path: line when it prints one, else the
# "ring flags:", "client sockets:" and "server accept:" lines without the
# explanation in parentheses
path_of() {
	local p=$1/probe.txt line
	line=$(sed -n 's/^path: //p' "$p" | head -n1)
	if [ -n "$line" ]; then
		echo "$line" | awk -F' [|] ' '{
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^ring /) r = substr($i, 6)
				if ($i ~ /^client sockets /) c = substr($i, 16)
				if ($i ~ /^accept /) a = substr($i, 8)
			}
			print r "\t" c "\t" a }'
		return
	fi
	strip() { sed -n "s/^$1: //p" "$p" | head -n1 | sed 's/ (.*//'; }
	printf '%s\t%s\t%s\n' "$(strip 'ring flags')" "$(strip 'client sockets')" "$(strip 'server accept')"
}

echo "| kernel | package (suite) | io_uring features | ops missing | ring flags | client sockets | accept | \`run\` books | boot to poweroff |"
echo "|---|---|---|---|---|---|---|---|---|"
for k in "${kernels[@]}"; do
	d=$dir/$k
	pkg="this machine, no qemu"
	if [ -f "$d/package.txt" ]; then
		pkg="$(field "$d/package.txt" metapackage) $(field "$d/package.txt" version) ($(field "$d/package.txt" suite))"
	fi
	feat=$(sed -n 's/^io_uring: //p' "$d/probe.txt" | head -n1 | sed 's/^available, features //')
	missing=$(sed -n 's/^ops: //p' "$d/probe.txt" | tr ' ' '\n' | sed -n 's/^-//p' | tr '\n' ' ' | sed 's/ $//')
	IFS=$'\t' read -r ring socks accept < <(path_of "$d")
	ring=${ring//|/\\|}
	books=$(csv_col "$d/run/summary.csv" books_balanced)
	case $books in
	1) books="balance ($(csv_col "$d/run/summary.csv" conns_completed)/$(csv_col "$d/run/summary.csv" conns_started))" ;;
	0) books="**do not balance**" ;;
	*) books="-" ;;
	esac
	boot=$(field "$d/boot-time.txt" qemu_wall_s)
	att=$(field "$d/boot-time.txt" attempt)
	[ "${att:-1}" -gt 1 ] && att=", boot $att" || att=""
	boot=${boot:+$boot s ($(field "$d/boot-time.txt" accel)$att)}
	echo "| $k | $pkg | ${feat:--} | ${missing:-none} | ${ring:--} | ${socks:--} | ${accept:--} | $books | ${boot:--} |"
done

# scenario x kernel verdicts, from each kernel's verdicts.csv (found anywhere
# under its directory), read by the header names scenario, phase and verdict
vfiles=()
for k in "${kernels[@]}"; do
	while IFS= read -r f; do vfiles+=("$k=$f"); done < <(find "$dir/$k" -name verdicts.csv -type f | sort)
done
if ((${#vfiles[@]} == 0)); then
	echo
	echo "(no verdicts.csv under $dir: no \`rststorm check\` results yet)"
	exit 0
fi
echo
prog='
BEGIN { nk = split(kernels, kl, " ") }
FNR == 1 {
	n = csv_split($0, f)
	s = p = v = 0
	for (i = 1; i <= n; i++) {
		if (f[i] == "scenario") s = i
		if (f[i] == "phase") p = i
		if (f[i] == "verdict") v = i
	}
	if (!s || !v) printf "kernels-table: %s has no scenario or verdict column: skipped\n", FILENAME > "/dev/stderr"
	next
}
!s || !v { next }
{
	n = csv_split($0, f)
	key = f[s] SUBSEP (p ? f[p] : "-")
	if (!(key in seen)) { seen[key] = 1; order[++nrow] = key }
	cell = key SUBSEP kern
	if (!index(" " got[cell] " ", " " f[v] " ")) got[cell] = got[cell] (got[cell] == "" ? "" : " ") f[v]
}
END {
	printf "| scenario | phase |"
	for (j = 1; j <= nk; j++) printf " %s |", kl[j]
	printf "\n|---|---|"
	for (j = 1; j <= nk; j++) printf "---|"
	printf "\n"
	for (r = 1; r <= nrow; r++) {
		split(order[r], sp, SUBSEP)
		printf "| %s | %s |", sp[1], sp[2]
		for (j = 1; j <= nk; j++) {
			c = got[order[r], kl[j]]
			gsub(/\|/, "\\|", c)
			printf " %s |", (c == "" ? "-" : c)
		}
		printf "\n"
	}
}'
# awk operands: kern=KERNEL before each of that kernel's files
args=() ks=()
for kv in "${vfiles[@]}"; do
	k=${kv%%=*}
	args+=("kern=$k" "${kv#*=}")
	[[ " ${ks[*]} " == *" $k "* ]] || ks+=("$k")
done
awk -v kernels="${ks[*]}" "$(csv_awk)$prog" "${args[@]}"

# rststorm compare of the host's reports (the kernel without package.txt:
# no qemu) against each guest's, as compare judges today: its summary line
# per report kind, and the path differences it shows
host=""
for k in "${kernels[@]}"; do [ -f "$dir/$k/package.txt" ] || host=$k; done
bin=${RSTSTORM:-./rststorm}
echo
if [ -z "$host" ] || [ ! -x "$bin" ]; then
	echo "(no compare table: ${host:+$bin is not built}${host:-no host kernel in $dir})"
	exit 0
fi
echo "\`rststorm compare $dir/$host $dir/KERNEL\` (exit status; per report: ops compared, how, differ; path differences shown):"
echo
echo "| A (host $host) vs B | exit | check | check verdict changes | run | \`--strict\` (Fisher per cell): check, run differ | path differences |"
echo "|---|---|---|---|---|---|---|"
for k in "${kernels[@]}"; do
	[ "$k" = "$host" ] && continue
	st=0
	"$bin" compare "$dir/$host" "$dir/$k" >"${TMPDIR:-/tmp}/kt.$$" 2>&1 || st=$?
	# --strict exits 1 when a cell differs: the pipeline's status is not the
	# point (pipefail would end the script), the counts are
	strict=$("$bin" compare --strict "$dir/$host" "$dir/$k" 2>&1 |
		awk '/^== / { kind = $2 } /^compare: / { d = $0; sub(/.*\): /, "", d); sub(/ differ.*/, "", d); s[kind] = d }
			END { printf "%s, %s (exit %s)", s["check"], s["run"], (s["check"] + s["run"] ? 1 : 0) }' || true)
	awk -v k="$k" -v st="$st" -v strict="$strict" '
		/^== / { kind = $2 }
		# first(LINE, RE): the first number in the leftmost match of RE (a
		# string: a bare /re/ would be matched against $0), or "?"
		function first(line, re,    m) {
			if (!match(line, re)) return "?"
			m = substr(line, RSTART, RLENGTH)
			match(m, /[0-9]+/)
			return substr(m, RSTART, RLENGTH)
		}
		/^compare: / {
			line = $0
			ops = $2
			ex = first(line, "[(][0-9]+ exact")
			blk = first(line, "[0-9]+ by the block test")
			fis = first(line, "points, [0-9]+ by Fisher")
			dif = first(line, "[)]: [0-9]+ differ")
			c[kind] = ops " ops (" ex " exact, " blk " by blocks, " fis " Fisher: spread unknown), " dif " differ"
			if (kind == "check") {
				v = first(line, "; [0-9]+ verdict changes")
				if (match(line, "[0-9]+ whole-trial sequences"))
					v = v "; sequences: " first(line, "phases: [0-9]+ differ") " of " first(line, "[0-9]+ whole-trial") " apart by Fisher (not judged), " first(line, "[0-9]+ in one report only$") " in one report only"
			}
		}
		/^spread unknown: / { u[kind] = $3 }
		/^        differs: / {
			if (!(kind in p)) {
				d = substr($0, 18); sub(/^kernel_release(, )?/, "", d)
				p[kind] = d
			}
		}
		END {
			for (x in u) c[x] = c[x] "; " u[x] " ops apart by Fisher, not judged"
			path = p["check"] != "" ? p["check"] : "kernel only"
			if (p["run"] != "" && p["run"] != p["check"]) path = path " (run: " p["run"] ")"
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", k, st, c["check"], v, c["run"], strict, path
		}' "${TMPDIR:-/tmp}/kt.$$"
	rm -f "${TMPDIR:-/tmp}/kt.$$"
done
