# bench/peers.sh's parsing, without the peers' sources and without running
# anything: -h, usage errors, the missing-source error naming NEPER_SRC, and
# the dry run (-n) printing the command lines it would run.
. "$(dirname "$0")/lib.sh"
PEERS=$(cd "$(dirname "$0")/../.." && pwd)/bench/peers.sh
[ -x "$PEERS" ] || fail "no executable $PEERS"

# expect RC PATTERN ARGS...: exit RC, one line on stderr matching PATTERN
expect() {
	local rc=$1 want=$2 got
	shift 2
	"$PEERS" "$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	[ "$got" = "$rc" ] || fail "peers.sh $*: exit $got, want $rc ($(cat "$TMP/err"))"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "peers.sh $*: not one line on stderr: $(cat "$TMP/err")"
	grep -q -- "$want" "$TMP/err" || fail "peers.sh $*: '$(cat "$TMP/err")' does not say '$want'"
	[ -s "$TMP/out" ] && fail "peers.sh $*: wrote to stdout: $(cat "$TMP/out")"
	return 0
}

unset NEPER_SRC NETPERF_SRC
expect 2 "NEPER_SRC is not set: clone https://github.com/google/neper" -n
expect 2 "NEPER_SRC is not set" -n -r 3 -d 2
NEPER_SRC=$TMP/none expect 2 "NEPER_SRC='.*/none' has no tcp_crr.c: give a clone" -n
expect 2 "-f: [$]'1[\\]n2x' is not allowed" -f $'1\n2x'   # escaped to one line

mkdir -p "$TMP/neper" "$TMP/netperf/src"
: >"$TMP/neper/tcp_crr.c"
NEPER_SRC=$TMP/neper expect 2 "NETPERF_SRC is not set: clone https://github.com/HewlettPackard/netperf" -n

# usage errors name the option and the value
expect 2 "-r: 'x' is not allowed: a round count, 1..100" -r x
expect 2 "-r: '0' is not allowed" -r 0
expect 2 "-d: '5s' is not allowed: whole seconds" -d 5s
expect 2 "-f: '100 ten' is not allowed: flow counts" -f "100 ten"
expect 2 "-f: '' is not allowed" -f ""
expect 2 "-o: '../x' is not allowed" -o ../x
expect 2 "-s: '--close rst;reboot' is not allowed: rststorm run options" -s "--close rst;reboot"
expect 2 "-t: 'iperf' is not allowed: one or more of rststorm neper netperf" -t iperf
expect 2 "-t: 'neper iperf' is not allowed" -t "neper iperf"
expect 2 "-f: '100 6000' is not allowed: flow counts 1..5000 with netperf" -f "100 6000"
expect 2 "-f: '20000' is not allowed: flow counts 1..19000" -t neper -f 20000
expect 2 "-q: unknown option" -q
expect 2 "-r: needs a value" -r
expect 2 "argument: 'extra' is not allowed" extra
expect 1 "no results/bench/no-such-name.csv to analyse" -a -o no-such-name

"$PEERS" -h >"$TMP/out" 2>"$TMP/err" || fail "peers.sh -h: exit $?"
grep -q "NEPER_SRC=DIR NETPERF_SRC=DIR bench/peers.sh" "$TMP/out" || fail "peers.sh -h: no usage line"
[ -s "$TMP/err" ] && fail "peers.sh -h: wrote to stderr"

# the dry run: sources given (empty stand-ins), nothing built or run
: >"$TMP/netperf/src/netserver.c"
export NEPER_SRC=$TMP/neper NETPERF_SRC=$TMP/netperf
"$PEERS" -n -r 3 -d 4 -f "100 1000" >"$TMP/out" 2>"$TMP/err" || fail "peers.sh -n: exit $? ($(cat "$TMP/err"))"
[ -s "$TMP/err" ] && fail "peers.sh -n: wrote to stderr: $(cat "$TMP/err")"
t=$(nproc) b=$(cat /proc/sys/net/core/somaxconn)
for want in \
	"make -C build/peers/neper -f $TMP/neper/Makefile VPATH=$TMP/neper tcp_crr" \
	"# then 3 round(s)" \
	"rststorm: ./rststorm run -q --churn -c 100 -d 4s --csv DIR/csv" \
	"rststorm: ./rststorm run -q --churn -c 1000 -d 4s --csv DIR/csv" \
	"neper:    build/peers/neper/tcp_crr -T $t -F 1000 -l 4 --listen-backlog $b &  then  build/peers/neper/tcp_crr -c -H 127.0.0.1 -T $t -F 1000 -l 4" \
	"netperf:  build/peers/netperf/src/netserver -D -4 -L 127.0.0.1 -p 12865 &  then 100 x  build/peers/netperf/src/netperf -H 127.0.0.1 -p 12865 -t TCP_CRR -l 4 -P 0 -- -k THROUGHPUT,ELAPSED_TIME &"; do
	grep -qF -- "$want" "$TMP/out" || fail "peers.sh -n: no line with '$want' in: $(cat "$TMP/out")"
done
"$PEERS" -n -f 100 -s "--close rst --ops none --wait close" >"$TMP/out2" 2>&1 || fail "peers.sh -n -s: exit $?"
grep -qF "rststorm: ./rststorm run -q --close rst --ops none --wait close -c 100 -d 5s --csv DIR/csv" "$TMP/out2" ||
	fail "peers.sh -n -s: rststorm's options not used: $(grep rststorm: "$TMP/out2")"
# -t: only the tools named, to 19 000 flows without netperf, whose source
# is then not needed
env -u NETPERF_SRC "$PEERS" -n -t "neper rststorm" -f "100 18000" >"$TMP/out3" 2>&1 ||
	fail "peers.sh -n -t 'neper rststorm': exit $? ($(cat "$TMP/out3"))"
grep -q '^netperf\|NETPERF\|netperf' "$TMP/out3" && fail "peers.sh -n -t 'neper rststorm': netperf is in it: $(cat "$TMP/out3")"
grep -qF "rststorm: ./rststorm run -q --churn -c 18000 -d 5s --csv DIR/csv" "$TMP/out3" ||
	fail "peers.sh -n -t 'neper rststorm' -f '100 18000': no rststorm run at 18000: $(cat "$TMP/out3")"
[ "$(grep -c '^neper: ' "$TMP/out3")" = 2 ] || fail "peers.sh -n -t: want 2 neper lines: $(cat "$TMP/out3")"
n=$(grep -c '^rststorm: ' "$TMP/out")
[ "$n" = 2 ] || fail "peers.sh -n -f '100 1000': $n rststorm lines, want 2"
[ ! -e "$(dirname "$PEERS")/../build/peers/neper/tcp_crr" ] || [ "$(find "$(dirname "$PEERS")/../build/peers" -newer "$TMP/out" -print -quit)" = "" ] ||
	fail "peers.sh -n built something under build/peers"
echo "measured: peers.sh -h, 15 usage errors, 4 source errors and the dry runs (all tools, -s, -t) as expected"
