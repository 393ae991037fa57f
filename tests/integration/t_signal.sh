# SIGINT stops the run: partial report printed and written, marked
# interrupted, books still balanced, exit 130. A SIGINT that comes during
# setup is held and handled the same way (run and check); commands that do
# not handle it die by it.
. "$(dirname "$0")/lib.sh"

"$RSTSTORM" run -c 500 -d 60s -t 1 --server-threads 1 --csv "$TMP/r" >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/out" '^path:' 10 || { kill -9 $pid; fail "no start line"; }
# the client thread is up once the process has 3 threads
wait_threads $pid 3 10
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "exit $rc, want 130: $(cat "$TMP/err")"
grep -q INTERRUPTED "$TMP/out" || fail "table not marked interrupted"
[ "$(summary interrupted "$TMP/r")" = 2 ] || fail "summary.csv interrupted is not 2 (SIGINT)"
[ "$(summary books_balanced "$TMP/r")" = 1 ] || fail "books do not balance"
el=$(summary elapsed_s "$TMP/r")
echo "measured: stopped after ${el}s of 60s, completed $(summary conns_completed "$TMP/r")"
awk -v e="$el" 'BEGIN { exit !(e < 30) }' || fail "took ${el}s to stop"
ls -A "$TMP/r" | grep -q '^\.' && fail "temporary files left in the report dir"

# Early signals. The shell cannot tell exit 130 from death by SIGINT, so a
# perl helper (perl-base, Essential in Debian) spawns, signals and reports
# the wait status: "exit N" or "signal N".
#   sig.pl pending OUT ERR CMD...  SIGINT is pending and blocked at exec
#   sig.pl netns D OUT ERR CMD...  SIGINT D seconds after the process left
#                                  our network namespace (setup under way)
#   sig.pl ring D OUT ERR CMD...   the same from its first io_uring fd
# A signal before main() (in the dynamic loader) kills any program, so the
# delays count from a point inside setup, not from exec.
cat >"$TMP/sig.pl" <<'PERL'
use strict;
use POSIX ();
my $mode = shift;
my $delay = $mode eq 'pending' ? 0 : shift;
my ($out, $err, @cmd) = @ARGV;
my $int = POSIX::SigSet->new(POSIX::SIGINT());
$SIG{INT} = 'DEFAULT';
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new());
	if ($mode eq 'pending') {
		POSIX::sigprocmask(POSIX::SIG_BLOCK(), $int);
		kill 'INT', $$;
	}
	open(STDOUT, '>', $out) or POSIX::_exit(126);
	open(STDERR, '>', $err) or POSIX::_exit(126);
	exec { $cmd[0] } @cmd;
	POSIX::_exit(127);
}
sub status {
	return POSIX::WIFSIGNALED($?) ? "signal " . POSIX::WTERMSIG($?) :
	    "exit " . POSIX::WEXITSTATUS($?);
}
sub reached {
	if ($mode eq 'netns') {
		my $ns = readlink("/proc/$pid/ns/net");
		return defined $ns && $ns ne readlink("/proc/self/ns/net");
	}
	opendir(my $d, "/proc/$pid/fd") or return 0;
	for (readdir $d) {
		my $l = readlink("/proc/$pid/fd/$_");
		return 1 if defined $l && $l eq 'anon_inode:[io_uring]';
	}
	return 0;
}
if ($mode ne 'pending') {
	my $deadline = time + 20;
	until (reached()) {
		if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
			print "ended before the signal: ", status(), "\n";
			exit 0;
		}
		if (time > $deadline) {
			kill 'KILL', $pid;
			waitpid($pid, 0);
			print "setup not seen in 20 s\n";
			exit 0;
		}
	}
	select(undef, undef, undef, $delay) if $delay > 0;
	kill 'INT', $pid;
}
my $deadline = time + 60;
while (waitpid($pid, POSIX::WNOHANG()) != $pid) {
	if (time > $deadline) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
		print "still running 60 s after the signal\n";
		exit 0;
	}
	select(undef, undef, undef, 0.005);
}
print status(), "\n";
PERL

RUN=(run -d 30s -c 50 -t 1 --server-threads 1 --ports 1 -q)
# short enough that an interrupted check stops fast (its stop time grows
# with --trials), long enough to be running when the signal comes
CHECK=(check fin-write3 --trials 2000 --load-c 0 --gap 0 -q)
RUN_SUM='^INTERRUPTED by signal 2 after'
CHECK_SUM='^check: .*; stopped by signal 2: partial$'

# expect LANE WANT SUMMARY_RE MODE DELAY CMD...: one spawn (DELAY "-" for
# pending); fail unless the wait status is WANT and, for "exit 130", the
# summary line was printed.
expect() {
	local lane=$1 want=$2 re=$3 mode=$4 delay=$5 got
	shift 5
	if [ "$delay" = - ]; then
		got=$(perl "$TMP/sig.pl" pending "$TMP/o$lane" "$TMP/e$lane" "$RSTSTORM" "$@")
	else
		# a helper starved by a busy machine may see the setup only
		# after the command ended: no signal was sent, so that spawn
		# is no sample; try again (at most 3 times)
		for try in 1 2 3; do
			got=$(perl "$TMP/sig.pl" "$mode" "$delay" "$TMP/o$lane" "$TMP/e$lane" "$RSTSTORM" "$@")
			case $got in "ended before the signal"*) echo "# retried: $got" ;; *) break ;; esac
		done
	fi
	[ "$got" = "$want" ] || fail "$mode $delay: $*: got '$got', want '$want': $(head -c 300 "$TMP/e$lane")"
	[ -z "$re" ] || grep -q "$re" "$TMP/o$lane" || fail "$mode $delay: $*: no summary line: $(head -c 300 "$TMP/o$lane")"
}

# pending at exec: run and check hold it and stop; the others die by it
expect 0 "exit 130" "$RUN_SUM" pending - "${RUN[@]}"
expect 0 "exit 130" "$CHECK_SUM" pending - "${CHECK[@]}"
for cmd in probe version scenarios "compare $TMP $TMP" "merge -o $TMP/m $TMP $TMP"; do
	expect 0 "signal 2" "" pending - $cmd
done

# during setup: 20 spawns each at 0, 5 and 20 ms, never a death. run and
# check in two lanes at once, each checked on its own.
if unshare -n true 2>/dev/null; then
	mode=netns RUN+=(--netns) CHECK+=(--netns)
else
	mode=ring
	echo "# no network namespaces here: delays count from the first io_uring fd"
fi
lane() {
	local n=$1 re=$2
	shift 2
	for delay in 0 0.005 0.02; do
		for i in $(seq 20); do
			expect "$n" "exit 130" "$re" $mode $delay "$@"
		done
	done
}
lane 1 "$RUN_SUM" "${RUN[@]}" >"$TMP/lane1" 2>&1 &
p1=$!
lane 2 "$CHECK_SUM" "${CHECK[@]}" >"$TMP/lane2" 2>&1 &
p2=$!
wait $p1 || fail "run: $(cat "$TMP/lane1")"
wait $p2 || fail "check: $(cat "$TMP/lane2")"
cat "$TMP/lane1" "$TMP/lane2"
echo "measured: 120 early SIGINTs ($mode, 0/5/20 ms after setup began, run and check): all stopped with exit 130 and a summary"
exit 0
