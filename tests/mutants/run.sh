#!/usr/bin/env bash
# Mutation testing: applies one-line mutants of rststorm's core, one at a
# time, each in its own copy of the tree, and runs the test suite against
# each. A mutant is killed by the first test that fails; one that passes the
# whole suite SURVIVED (a missing test, or an equivalent mutant).
#
# Usage: tests/mutants/run.sh [-j N] [-o FILE] [-r REV] [-k] [LIST...]
#   -j N    mutants run in parallel (default 2)
#   -r REV  the revision to mutate (default HEAD)
#   -o FILE the report (default results/mutants.txt)
#   -k      keep the scratch trees
#   LIST    mutant lists (default tests/mutants/*.list)
#
# A list holds blocks separated by blank lines; '#' lines outside a block
# are comments:
#   @ ID FILE
#   = what the mutant changes (one line)
#   - an exact source substring, found exactly once in FILE (one line)
#   + its replacement
# A substring not found exactly once makes the mutant STALE (an error: the
# list must track the code). A mutant that does not build with CI=1 is
# COMPILE-ERROR. Neither counts as killed. The tree mutated is REV of the
# repository (git archive), never the work tree. loop.list holds mutants of
# the shared worker loop (src/worker.c): against a tree without it they are
# STALE; pass the lists wanted to leave it out.
#
# First a baseline copy is built and the whole suite run on it: its tests'
# times order the runs (fastest first, so mutants die early) and set each
# test's timeout; a test failing on the baseline is left out and named. Each
# mutant copy starts from the baseline's build, so only what the mutant
# touches is rebuilt. Exit: 0 report written, 1 setup failed, 2 usage.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
jobs=2 out=$top/results/mutants.txt keep=0 rev=HEAD
while getopts 'j:o:r:k' o; do
	case $o in
	j) case $OPTARG in
	   [1-9] | [1-9][0-9]) jobs=$OPTARG ;;
	   *) echo "run.sh: -j '$OPTARG' is not a count: use 1..99" >&2
	      exit 2 ;;
	   esac ;;
	o) out=$OPTARG ;;
	r) rev=$OPTARG ;;
	k) keep=1 ;;
	*) echo "usage: run.sh [-j N] [-o FILE] [-r REV] [-k] [LIST...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
lists=("$@")
[ ${#lists[@]} -gt 0 ] || lists=("$here"/*.list)

work=$(mktemp -d "${TMPDIR:-/tmp}/rs-mutants.XXXXXX") || {
	echo "run.sh: mktemp failed: set TMPDIR to a writable directory" >&2
	exit 1
}
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
commit=$(git -C "$top" rev-parse --verify -q "$rev^{commit}") || {
	echo "run.sh: -r '$rev' is not a commit of the repository at $top: give a branch, tag or commit" >&2
	exit 1
}

# Parse the lists into one record per mutant: work/m/ID/{file,desc,old,new}
mkdir -p "$work/m"
perl -e '
	my ($dir, @lists) = @ARGV; my @order; my %seen;
	for my $l (@lists) {
		open(my $f, "<", $l) or die "run.sh: cannot read $l: $!\n";
		my $cur;
		while (my $line = <$f>) {
			chomp $line;
			if ($line =~ /^@ (\S+) (\S+)\s*$/) {
				die "run.sh: $l: mutant $1 listed twice\n" if $seen{$1}++;
				$cur = { id => $1, file => $2, list => $l };
				push @order, $cur;
			} elsif ($line =~ /^([=+-]) (.*)$/ && $cur) {
				$cur->{$1} = $2;
			} elsif ($line =~ /^\s*$/) {
				$cur = undef;
			} elsif ($line !~ /^#/) {
				die "run.sh: $l: cannot parse line $.: $line\n";
			}
		}
	}
	open(my $o, ">", "$dir/order") or die;
	for my $m (@order) {
		for my $k ("=", "-", "+") {
			die "run.sh: mutant $m->{id}: no \"$k \" line\n"
				unless defined $m->{$k};
		}
		mkdir "$dir/$m->{id}";
		for ([file => "file"], ["=" => "desc"], ["-" => "old"],
		     ["+" => "new"], [list => "list"]) {
			open(my $w, ">", "$dir/$m->{id}/$_->[1]") or die;
			print $w $m->{$_->[0]};
		}
		print $o "$m->{id}\n";
	}
' "$work/m" "${lists[@]}" || exit 1
mapfile -t ids <"$work/m/order"
echo "run.sh: ${#ids[@]} mutants from ${lists[*]##*/} against $commit"

# Baseline: build and run every test, recording its time.
echo "run.sh: building and testing the baseline"
base=$work/base
mkdir -p "$base"
git -C "$top" archive "$commit" | tar -x -C "$base" || exit 1
unit_bins=()
for b in "$base"/tests/unit/test_*.c; do
	b=${b##*/}; unit_bins+=("build/rel/tests/${b%.c}")
done
make -C "$base" -j2 CI=1 all "${unit_bins[@]}" build/rel/tests/noring \
	build/rel/link-rtt \
	>"$work/base.log" 2>&1 || {
	tail -n 20 "$work/base.log"
	echo "run.sh: the unmutated tree does not build with CI=1: fix it first" >&2
	exit 1
}

# run_test DIR NAME TIMEOUT: one unit binary or integration script in DIR.
run_test() {
	local d=$1 n=$2 t=$3 rc
	case $n in
	unit:*)
		timeout -k 5 "$t" "$d/build/rel/tests/${n#unit:}" \
			>"$d/test.log" 2>&1
		rc=$?
		[ $rc -eq 0 ] && grep -q '^\[  FAILED  \]' "$d/test.log" && rc=1
		;;
	*)
		RSTSTORM=$d/rststorm NORING=$d/build/rel/tests/noring \
		LINK_RTT=$d/build/rel/link-rtt \
			timeout -k 5 "$t" bash "$d/tests/integration/$n.sh" \
			>"$d/test.log" 2>&1
		rc=$?
		;;
	esac
	return $rc
}

tests=()
for b in "$base"/tests/unit/test_*.c; do
	b=${b##*/}; tests+=("unit:${b%.c}")
done
for t in "$base"/tests/integration/t_*.sh; do
	t=${t##*/}; tests+=("${t%.sh}")
done
: >"$work/times"
excluded=()
for n in "${tests[@]}"; do
	s=$(date +%s.%N)
	run_test "$base" "$n" 300
	rc=$?
	secs=$(awk -v s="$s" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
	case $rc in
	0) echo "$secs $n" >>"$work/times"; echo "  base ok   $n ${secs}s" ;;
	77) excluded+=("$n(skip)"); echo "  base skip $n" ;;
	*) excluded+=("$n(fails)"); echo "  base FAIL $n: left out" ;;
	esac
done
mapfile -t order < <(sort -n "$work/times" | awk '{print $2}')
base_secs=$(awk '{s += $1} END {printf "%.0f", s}' "$work/times")
echo "run.sh: baseline ${#order[@]} tests, ${base_secs}s; left out: ${excluded[*]:-none}"

# timeout_of NAME: five times its baseline time, at least 60 s.
timeout_of() {
	awk -v n="$1" '$2 == n { t = $1 * 5; if (t < 60) t = 60;
		printf "%.0f", t }' "$work/times"
}

# mutate ID: copy the baseline, apply, build, test. Writes m/ID/result.
mutate() {
	local id=$1 m=$work/m/$1 d=$work/t/$1 f n rc
	f=$(cat "$m/file")
	mkdir -p "$work/t"
	cp -a "$base" "$d"
	if ! perl -e '
		my ($path, $oldf, $newf) = @ARGV;
		local $/; open(my $h, "<", $oldf) or die; my $old = <$h>;
		open($h, "<", $newf) or die; my $new = <$h>;
		open($h, "<", $path) or exit 3; my $src = <$h>; close $h;
		my $n = () = $src =~ /\Q$old\E/g;
		exit 4 if $n != 1;
		$src =~ s/\Q$old\E/$new/;
		open($h, ">", $path) or die; print $h $src;
	' "$d/$f" "$m/old" "$m/new"; then
		echo "STALE" >"$m/result"
		echo "  $id STALE: substring not found exactly once in $f"
		rm -rf "$d"
		return
	fi
	if ! make -C "$d" -j1 CI=1 all "${unit_bins[@]}" \
		>"$m/build.log" 2>&1; then
		echo "COMPILE-ERROR" >"$m/result"
		echo "  $id COMPILE-ERROR ($f)"
		rm -rf "$d"
		return
	fi
	for n in "${order[@]}"; do
		run_test "$d" "$n" "$(timeout_of "$n")"
		rc=$?
		if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
			[ $rc -eq 124 ] && n="$n(timeout)"
			echo "KILLED $n" >"$m/result"
			echo "  $id KILLED by $n"
			cp "$d/test.log" "$m/kill.log"
			[ "$keep" = 1 ] || rm -rf "$d"
			return
		fi
	done
	echo "SURVIVED" >"$m/result"
	echo "  $id SURVIVED ($f: $(cat "$m/desc"))"
	[ "$keep" = 1 ] || rm -rf "$d"
}

start=$(date +%s)
i=0
for id in "${ids[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	i=$((i + 1))
	echo "run.sh: [$i/${#ids[@]}] $id $(cat "$work/m/$id/file"): $(cat "$work/m/$id/desc")"
	mutate "$id" &
done
wait
secs=$(($(date +%s) - start))

# The report. Survivors get their reason from a "# why ID: ..." line of
# the list, written after a run has shown they survive.
killed=0 total=0 stale=0 cerr=0 surv=0
{
	echo "# rststorm mutation test: tests/mutants/run.sh"
	echo "# commit: $commit"
	echo "# lists: ${lists[*]##*/}"
	echo "# date: $(date -u +%Y-%m-%dT%H:%MZ), -j $jobs, ${secs}s for the mutants"
	echo "# baseline: ${#order[@]} tests in ${base_secs}s; left out: ${excluded[*]:-none}"
	echo "# columns: id | file | what it changes | result"
	for id in "${ids[@]}"; do
		m=$work/m/$id
		r=$(cat "$m/result" 2>/dev/null || echo "NOT-RUN")
		printf '%s | %s | %s | %s\n' "$id" "$(cat "$m/file")" \
			"$(cat "$m/desc")" "$r"
		case $r in
		KILLED*) killed=$((killed + 1)); total=$((total + 1)) ;;
		SURVIVED) surv=$((surv + 1)); total=$((total + 1))
			why=$(sed -n "s/^# why $id: //p" "$(cat "$m/list")")
			echo "    why: ${why:-not yet explained}" ;;
		STALE) stale=$((stale + 1)) ;;
		COMPILE-ERROR) cerr=$((cerr + 1)) ;;
		esac
	done
	echo "# stale (substring not found once): $stale; compile errors: $cerr; not counted"
	echo "killed $killed of $total"
} >"$out.tmp" || {
	echo "run.sh: cannot write $out.tmp: check the directory exists and is writable" >&2
	exit 1
}
mv "$out.tmp" "$out" || {
	echo "run.sh: cannot rename $out.tmp to $out: check the directory is writable" >&2
	exit 1
}
echo "run.sh: wrote $out"
tail -n 2 "$out"
[ "$stale" -eq 0 ] || echo "run.sh: $stale STALE mutants: update the list" >&2
