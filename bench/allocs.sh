#!/usr/bin/env bash
# No allocation per connection or per op: count every heap allocation of a
# whole run (all threads) at -n N and at -n 10N, same -c. Equal counts mean
# nothing is allocated per connection or op. Both engines, at two -c.
#
# The counter is an LD_PRELOAD shim (bench/alloc_count.c). valgrind 3.19
# cannot run rststorm (its io_uring servers hang under it, whatever the
# engine), so valgrind's count is taken of the floor alone, as a check that
# the shim counts what valgrind counts. Writes results/bench/allocs.csv.
#   bench/allocs.sh [-n N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=2000
while getopts n: o; do
	case $o in
	n) n=$OPTARG ;;
	*) echo "usage: $0 [-n N]" >&2; exit 2 ;;
	esac
done
make -s rststorm build/floor
cc -O2 -shared -fPIC -Wall -Wextra -o build/alloc_count.so bench/alloc_count.c
shim=$PWD/build/alloc_count.so
out=results/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "program,engine,concurrency,connections,completed,allocs,frees,bytes,counter" >"$tmp/allocs.csv"
# field KEY FILE: the value of KEY=value in FILE
field() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p"; }

for c in 100 1000; do
	for conns in "$n" $((10 * n)); do
		for e in uring epoll; do
			timeout -s KILL 300 env RS_ALLOC_OUT="$tmp/a" LD_PRELOAD="$shim" \
				./rststorm run -q --engine $e -c $c -n "$conns" >"$tmp/o" 2>&1 ||
				{ echo "rststorm --engine $e -c $c -n $conns failed:"; cat "$tmp/o"; exit 1; }
			done_=$(sed -n 's/^connections  started [0-9]* = completed \([0-9]*\).*/\1/p' "$tmp/o")
			echo "rststorm,$e,$c,$conns,$done_,$(field allocs "$tmp/a"),$(field frees "$tmp/a"),$(field bytes "$tmp/a"),preload" >>"$tmp/allocs.csv"
		done
		timeout -s KILL 300 env RS_ALLOC_OUT="$tmp/a" LD_PRELOAD="$shim" \
			build/floor -c $c -n "$conns" >"$tmp/o" 2>&1
		echo "floor,epoll,$c,$conns,$(field conns "$tmp/o"),$(field allocs "$tmp/a"),$(field frees "$tmp/a"),$(field bytes "$tmp/a"),preload" >>"$tmp/allocs.csv"
	done
done
if command -v valgrind >/dev/null; then
	for conns in "$n" $((10 * n)); do
		timeout -s KILL 300 valgrind --tool=memcheck build/floor -c 100 -n "$conns" >"$tmp/o" 2>&1 || true
		a=$(sed -n 's/.*total heap usage: \([0-9,]*\) allocs, \([0-9,]*\) frees, \([0-9,]*\) bytes.*/\1 \2 \3/p' "$tmp/o" | tr -d ,)
		[ -n "$a" ] && echo "floor,epoll,100,$conns,$(field conns "$tmp/o"),${a// /,},valgrind" >>"$tmp/allocs.csv"
	done
fi
mv "$tmp/allocs.csv" "$out/allocs.csv"
column -s, -t "$out/allocs.csv"
echo
# (the shim is given to the measured program alone: env execs it, so no
# other process writes the totals)
# the verdict: per (program, engine, -c, counter), allocs at N and 10N
awk -F, 'NR > 1 { k = $1 " " $2 " -c " $3 " (" $9 ")"; if (!(k in a)) { a[k] = $6; keys[++nk] = k } else b[k] = $6 }
	END {
		bad = 0
		for (i = 1; i <= nk; i++) {
			k = keys[i]
			printf "%-32s allocs %s at -n N, %s at -n 10N: %s\n", k, a[k], b[k], a[k] == b[k] ? "none per connection" : "DIFFERENT"
			if (a[k] != b[k]) bad = 1
		}
		exit bad
	}' "$out/allocs.csv"
