#!/usr/bin/env bash
# rststorm --churn against neper tcp_crr and netperf TCP_CRR, side by side on
# 127.0.0.1, interleaved by round (the order rotates every round) so that
# whatever else the machine does hits all three alike. Each run has a fresh
# network namespace of its own (unshare -n), so the kernel's TCP counters
# (ActiveOpens) are the run's alone and serve as a yardstick common to the
# three tools. Writes results/bench/NAME.csv (one row per run), NAME.txt
# (medians and paired ratios) and NAME.png.
#   NEPER_SRC=DIR NETPERF_SRC=DIR bench/peers.sh [-r ROUNDS] [-d SECONDS]
#                 [-f "100 1000"] [-t TOOLS] [-o NAME] [-s OPTIONS]
#                 [-n] [-a] [-h]
# NEPER_SRC, NETPERF_SRC: clones of github.com/google/neper and
# github.com/HewlettPackard/netperf. Neither is copied into this repository:
# neper's tcp_crr is built into build/peers/neper, netperf from a copy in
# build/peers/netperf (its autogen.sh writes into the tree it runs in).
# Build dependencies come from Debian: when gcc, make, autoconf or automake
# are missing the script runs `apt-get install` for them (root), and it
# installs linux-perf, time and gnuplot-nox when missing (for syscalls,
# context switches and the picture; without them those are left out).
#   -r ROUNDS   rounds, each running every tool at every flow count (default 7)
#   -d SECONDS  load phase of each run (default 5)
#   -f LIST     flow counts (default "100 1000"; 1..5000 with netperf,
#               which runs a process per flow, else 1..19000)
#   -t TOOLS    which tools, of "rststorm neper netperf" (the default); e.g.
#               -t "rststorm neper" -f "100 1000 10000 18000" for the growth
#               of CPU per connection with the flow count, tool by tool
#   -o NAME     results/bench/NAME.{csv,txt,png} (default peers)
#   -s OPTIONS  rststorm's options instead of --churn, e.g. "--close rst
#               --ops none --wait close" (the RST close of neper's default)
#   -n          dry run: print the commands one round would run, run nothing
#   -a          no runs: medians, ratios and picture again from NAME.csv
#   -h          this text
# Rate: each tool's own count (rststorm's summary.csv, neper's
# num_transactions and throughput; netperf's instances' transactions over
# the span from the first start to the last exit, since they do not run at
# once), and, common to all, the highest rate of ActiveOpens over any 1 s.
# Cost: user and sys of every process a run starts (from a cgroup v2 of the
# run's own, cpu.stat; without cgroup v2 from the shell's `times`, which
# misses netserver's test children: it ignores SIGCHLD, so nobody waits for
# them) plus ksoftirqd's threads, per data connection (ActiveOpens less the
# tools' control connections). Syscalls and context switches: perf stat
# over the whole process tree in a counting round 0 (not used for rate or
# CPU: counting every syscall costs the tools that make more of them more).
# The machine's load: /proc/loadavg (netperf's own 2000 processes count in
# it) and the share of CPU time neither the run's processes nor ksoftirqd
# took (/proc/stat). Run it at nice -n -10 on a shared machine.
set -euo pipefail
# The body is one block, read whole before it runs: editing the file during
# a long run then changes nothing in it (bash reads a script as it goes).
{
cd "$(dirname "$0")/.."
me=bench/peers.sh

# esc VALUE: VALUE quoted for a one-line message ('...', or $'...' with
# escapes when it holds a newline or another unprintable byte)
esc() {
	if [[ $1 == *[![:print:]]* ]]; then printf '%q' "$1"; else printf "'%s'" "$1"; fi
}
usage() { sed -n '2,46p' "$0" | sed 's/^# \{0,1\}//'; }
# bad OPTION VALUE ALLOWED: the usage error, one line, exit 2
bad() {
	printf '%s: %s: %s is not allowed: %s\n' "$me" "$1" "$(esc "$2")" "$3" >&2
	exit 2
}
posint() { [[ $1 =~ ^[1-9][0-9]{0,6}$ ]]; }

# The inner mode (-I) runs one tool inside the namespace; see run_inner.
if [ "${1:-}" = -I ]; then inner=1; else inner=''; fi

rounds=7 dur=5 flows="100 1000" name=peers dry='' again='' shape=--churn
tools=(rststorm neper netperf)
uses() { [[ " ${tools[*]} " == *" $1 "* ]]; }
if [ -z "$inner" ]; then
	while getopts :r:d:f:t:o:s:nah o; do
		case $o in
		r) posint "$OPTARG" && [ "$OPTARG" -le 100 ] || bad -r "$OPTARG" "a round count, 1..100" ; rounds=$OPTARG ;;
		d) posint "$OPTARG" && [ "$OPTARG" -le 600 ] || bad -d "$OPTARG" "whole seconds, 1..600" ; dur=$OPTARG ;;
		f) for f in $OPTARG; do posint "$f" && [ "$f" -le 19000 ] || bad -f "$OPTARG" "flow counts 1..19000 (1..5000 with netperf), separated by spaces"; done
		   [ -n "${OPTARG// /}" ] || bad -f "$OPTARG" "flow counts 1..19000 (1..5000 with netperf), separated by spaces"
		   flows=$OPTARG ;;
		t) tools=()
		   for t in rststorm neper netperf; do [[ " $OPTARG " != *" $t "* ]] || tools+=("$t"); done
		   for t in $OPTARG; do [[ $t =~ ^(rststorm|neper|netperf)$ ]] || bad -t "$OPTARG" "one or more of rststorm neper netperf, separated by spaces"; done
		   [ ${#tools[@]} -gt 0 ] || bad -t "$OPTARG" "one or more of rststorm neper netperf, separated by spaces" ;;
		o) [[ $OPTARG =~ ^[A-Za-z0-9_.-]+$ ]] || bad -o "$OPTARG" "a name of letters, digits, '.', '_', '-'" ; name=$OPTARG ;;
		s) [[ $OPTARG =~ ^[A-Za-z0-9_=,\ -]+$ ]] || bad -s "$OPTARG" "rststorm run options: letters, digits, '-', '_', '=', ',' and spaces"; shape=$OPTARG ;;
		n) dry=1 ;;
		a) again=1 ;;
		h) usage; exit 0 ;;
		:) echo "$me: -$OPTARG: needs a value (see $me -h)" >&2; exit 2 ;;
		*) echo "$me: -$OPTARG: unknown option (allowed: -r -d -f -t -o -s -n -a -h; see $me -h)" >&2; exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# = 0 ] || bad argument "$1" "no arguments besides options (see $me -h)"
	if [[ " ${tools[*]} " == *" netperf "* ]]; then
		# netperf runs a process per flow on each side
		for f in $flows; do [ "$f" -le 5000 ] || bad -f "$flows" "flow counts 1..5000 with netperf (leave it out with -t for more)"; done
	fi
	export PEERS_SHAPE=$shape # the inner mode takes -s from here
else
	shape=${PEERS_SHAPE:---churn}
fi

build=build/peers
out=results/bench
neper_bin=$build/neper/tcp_crr
netperf_bin=$build/netperf/src/netperf
netserver_bin=$build/netperf/src/netserver
nthreads=$(nproc)

# The command lines, one place: the dry run prints them, the runs use them.
rst_cmd() { echo "./rststorm run -q $shape -c $1 -d ${2}s --csv $3"; }
# neper's listen backlog is 128 unless told; rststorm asks for 65535, which
# somaxconn caps: both get somaxconn, or at -F 18000 neper's accept queue
# overflows, SYNs are dropped and retried a second later
backlog=$(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo 4096)
neper_srv_cmd() { echo "$neper_bin -T $nthreads -F $1 -l $2 --listen-backlog $backlog"; }
neper_cli_cmd() { echo "$neper_bin -c -H 127.0.0.1 -T $nthreads -F $1 -l $2"; }
netserver_cmd() { echo "$netserver_bin -D -4 -L 127.0.0.1 -p 12865"; }
netperf_cmd() { echo "$netperf_bin -H 127.0.0.1 -p 12865 -t TCP_CRR -l $1 -P 0 -- -k THROUGHPUT,ELAPSED_TIME"; }

# ---------------------------------------------------------------- inner mode
# -I TOOL FLOWS SECONDS DIR, in a fresh network namespace: bring lo up, run
# TOOL, write DIR/inner (key=value): the tool's own count and rate, the Tcp
# ActiveOpens delta, the user and sys time of every process started here.
tcp_mib() { awk -v f="${1:-ActiveOpens}" '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 }
	else for (i = 1; i <= NF; i++) if (k[i] == f) print $i }' /proc/net/snmp; }
tcp_opens() { tcp_mib ActiveOpens; }
# listening PORT SECS: poll until something listens on 127.0.0.1:PORT
listening() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt "$deadline" ]; do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}
# sampler FILE: every 0.2 s, "seconds ActiveOpens" into FILE, with bash
# builtins only (no process per sample, so it costs the run next to nothing)
sampler() {
	local fd l n
	exec {fd}<> <(:)
	while :; do
		n=0
		while read -ra l; do
			[ "${l[0]}" = Tcp: ] && n=$((n + 1)) && [ $n = 2 ] && echo "$EPOCHREALTIME ${l[5]}" && break
		done </proc/net/snmp
		read -r -t 0.2 -u "$fd" || true
	done >"$1"
}
run_inner() {
	local tool=$1 f=$2 d=$3 dir=$4 o0 o1 g0 g1 t0 t1 conns rate ctl=0 pids=() p rc=0 sp isum=''
	# netperf resolves 127.0.0.1 with AI_ADDRCONFIG, which finds nothing
	# while the namespace has loopback addresses only: give lo one more
	# (198.18.0.1, the benchmarking range; nothing is sent to it)
	{ ip link set lo up && ip addr add 198.18.0.1/32 dev lo; } ||
		{ echo "$me: setting up lo in the run's namespace failed: run as root with iproute2" >&2; exit 1; }
	[ "$(tcp_opens)" -lt 1 ] ||
		{ echo "$me: the run's namespace is not fresh (ActiveOpens $(tcp_opens)): unshare -n did not take effect" >&2; exit 1; }
	# CPU time: a cgroup v2 of the run's own when one can be made, since
	# wait4's rusage (the shell's `times`) misses processes nobody waits
	# for: netserver ignores SIGCHLD, so its forked test children's CPU
	# would be lost
	local mnt cg='' cpu_src=times
	mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$mnt" ] && mkdir "$mnt/rststorm-peers.$$" 2>/dev/null; then
		if echo $$ >"$mnt/rststorm-peers.$$/cgroup.procs" 2>/dev/null &&
			[ -r "$mnt/rststorm-peers.$$/cpu.stat" ]; then
			cg=$mnt/rststorm-peers.$$ cpu_src=cgroup
		else
			rmdir "$mnt/rststorm-peers.$$"
		fi
	fi
	sampler "$dir/samples" &
	sp=$!
	# also when a tool fails: stop the sampler, leave and remove the cgroup
	trap "kill $sp 2>/dev/null || true; ${cg:+echo $$ >$mnt/cgroup.procs; rmdir $cg 2>/dev/null || true;} true" EXIT
	o0=$(tcp_opens) g0=$(tcp_mib OutSegs)
	case $tool in
	rststorm)
		t0=$EPOCHREALTIME
		$(rst_cmd "$f" "$d" "$dir/csv") >"$dir/tool.out" 2>&1 ||
			{ echo "$me: rststorm -c $f failed (exit $?): $(tail -1 "$dir/tool.out")" >&2; exit 1; }
		t1=$EPOCHREALTIME
		conns=$(bench_summary conns_completed "$dir/csv/summary.csv")
		rate=$(bench_summary conns_per_s "$dir/csv/summary.csv")
		;;
	neper)
		# one control connection, from the client to the server. neper
		# writes a log file into its working directory: run it in the run's
		ctl=1
		neper_bin=$PWD/$neper_bin
		cd "$dir"
		$(neper_srv_cmd "$f" "$d") >"$dir/server.out" 2>&1 &
		p=$!
		listening 12866 10 || { echo "$me: neper's server did not listen on port 12866 within 10 s: see $dir/server.out" >&2; kill "$p"; exit 1; }
		t0=$EPOCHREALTIME
		$(neper_cli_cmd "$f" "$d") >"$dir/tool.out" 2>&1 ||
			{ echo "$me: neper tcp_crr -c -F $f failed (exit $?): $(tail -1 "$dir/tool.out")" >&2; kill "$p"; exit 1; }
		t1=$EPOCHREALTIME
		wait "$p" || { echo "$me: neper's server failed (exit $?): $(tail -1 "$dir/server.out")" >&2; exit 1; }
		conns=$(awk -F= '$1 == "num_transactions" { print $2 }' "$dir/tool.out")
		rate=$(awk -F= '$1 == "throughput" { print $2 }' "$dir/tool.out")
		;;
	netperf)
		# one control connection per netperf instance
		ctl=$f
		$(netserver_cmd) >"$dir/server.out" 2>&1 &
		p=$!
		listening 12865 10 || { echo "$me: netserver did not listen on port 12865 within 10 s: see $dir/server.out" >&2; kill "$p"; exit 1; }
		t0=$EPOCHREALTIME
		for i in $(seq 1 "$f"); do
			$(netperf_cmd "$d") >"$dir/np.$i" 2>&1 &
			pids+=($!)
		done
		for q in "${pids[@]}"; do wait "$q" || rc=$?; done
		t1=$EPOCHREALTIME
		kill -TERM "$p"; wait "$p" || true
		[ $rc = 0 ] || { echo "$me: a netperf instance failed (exit $rc): $(cat "$dir"/np.* | grep -v = | tail -1)" >&2; exit 1; }
		# each instance: THROUGHPUT (transactions/s) over ELAPSED_TIME (s).
		# The instances start one after another and do not all overlap, so
		# the sum of their rates overstates; the rate is their count over
		# the span from the first start to the last exit (isum: the sum)
		read -r conns isum < <(cat "$dir"/np.* | awk -F= '
			$1 == "THROUGHPUT" { t = $2 } $1 == "ELAPSED_TIME" { n++; c += t * $2; r += t }
			END { if (n != '"$f"') { print "x x"; exit } printf "%.0f %.2f\n", c, r }')
		[ "$conns" != x ] || { echo "$me: not all $f netperf instances printed THROUGHPUT and ELAPSED_TIME: see $dir/np.*" >&2; exit 1; }
		rate=$(awk -v c="$conns" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f", c / (t1 - t0) }')
		;;
	esac
	o1=$(tcp_opens) g1=$(tcp_mib OutSegs)
	kill "$sp"
	wait "$sp" 2>/dev/null || true
	times >"$dir/times" # not in a pipe: a subshell's `times` has no children
	if [ -n "$cg" ]; then cat "$cg/cpu.stat" >"$dir/cpu.stat"; else : >"$dir/cpu.stat"; fi
	# peak1s: the highest ActiveOpens rate over any 1 s of the samples
	awk -v c="$conns" -v r="$rate" -v o=$((o1 - o0)) -v g=$((g1 - g0)) -v ctl="$ctl" -v t0="$t0" -v t1="$t1" -v isum="$isum" -v src=$cpu_src '
		function s(x) { split(x, a, /[ms]/); return a[1] * 60 + a[2] }
		FILENAME ~ /samples$/ { n++; ts[n] = $1; ao[n] = $2; next }
		FILENAME ~ /cpu.stat$/ { cg[$1] = $2; next }
		FNR == 2 { u = s($1); y = s($2) }
		END {
			j = 1; pk = 0
			for (i = 1; i <= n; i++) {
				while (j <= n && ts[j] - ts[i] < 1) j++
				if (j <= n && (ao[j] - ao[i]) / (ts[j] - ts[i]) > pk) pk = (ao[j] - ao[i]) / (ts[j] - ts[i])
			}
			tu = u + y
			if ("user_usec" in cg) { u = cg["user_usec"] / 1e6; y = cg["system_usec"] / 1e6 }
			printf "own_conns=%s\nown_rate=%s\ninst_rate_sum=%s\nactive_opens=%d\ncontrol_conns=%d\nspan_s=%.3f\npeak1s_rate=%.0f\nuser_s=%.3f\nsys_s=%.3f\nout_segs=%d\ncpu_src=%s\nwaited_cpu_s=%.3f\n",
				c, r, isum, o, ctl, t1 - t0, pk, u, y, g, src, tu
		}' "$dir/samples" "$dir/cpu.stat" "$dir/times" >"$dir/inner"
}

# summary COLUMN FILE: a column of rststorm's summary.csv (RFC 4180 quoting)
. bench/lib.sh # (the repository root is the working directory)
bench_summary() { csv_col "$@"; }

if [ -n "$inner" ]; then
	run_inner "$2" "$3" "$4" "$5"
	exit 0
fi

# ---------------------------------------------------------------- sources
if [ -z "$again" ]; then
	src_ok() { # VAR FILE URL
		local v=${!1:-}
		[ -n "$v" ] || { echo "$me: $1 is not set: clone $3 and give its directory, e.g. $1=\$HOME/${3##*/} $me" >&2; exit 2; }
		[ -f "$v/$2" ] || { echo "$me: $1=$(esc "$v") has no $2: give a clone of $3" >&2; exit 2; }
	}
	if uses neper; then
		src_ok NEPER_SRC tcp_crr.c https://github.com/google/neper
		NEPER_SRC=$(realpath "$NEPER_SRC")
	fi
	if uses netperf; then
		src_ok NETPERF_SRC src/netserver.c https://github.com/HewlettPackard/netperf
		NETPERF_SRC=$(realpath "$NETPERF_SRC")
	fi
fi

# ---------------------------------------------------------------- dry run
if [ -n "$dry" ]; then
	echo "# would build (into $build):"
	! uses neper || echo "make -C $build/neper -f $NEPER_SRC/Makefile VPATH=$NEPER_SRC tcp_crr"
	! uses netperf || echo "copy $NETPERF_SRC (without .git) to $build/netperf; cd $build/netperf && ./autogen.sh && ./configure && make -C src"
	echo "# then $rounds round(s); each run in its own 'unshare -n' namespace;"
	echo "#   round 0 (when perf works) once more each under perf stat -x, -e raw_syscalls:sys_enter,context-switches"
	for f in $flows; do
		echo "# -F $f, ${dur}s:"
		for t in "${tools[@]}"; do case $t in
		rststorm) echo "rststorm: $(rst_cmd "$f" "$dur" DIR/csv)" ;;
		neper) echo "neper:    $(neper_srv_cmd "$f" "$dur") &  then  $(neper_cli_cmd "$f" "$dur")" ;;
		netperf) echo "netperf:  $(netserver_cmd) &  then $f x  $(netperf_cmd "$dur") &" ;;
		esac; done
	done
	exit 0
fi

# ---------------------------------------------------------------- analysis
# med(a, n): the median of a[1..n], which it sorts (insertion sort: a few
# dozen values); put before each awk program that needs it
awk_med='
function med(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'
analyse() {
	local csv=$out/$name.csv
	{
		echo "$(uname -r), $(nproc) CPUs, ${dur}s per run, rststorm $shape, $1 ($csv)"
		echo "segs/c: Tcp OutSegs per data connection (in a namespace the loopback's sent segments are also all its received ones)"
		echo "cpu_us/conn: user+sys of every process of the run plus ksoftirqd's threads, over the data connections (Tcp ActiveOpens of the run's namespace less the tools' control connections)"
		echo
		echo "medians (min..max) per tool and flow count:"
		awk -F, "$awk_med"'
			NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			# round 0 is the counting pass under perf stat: its syscalls and
			# context switches are used, its rate and CPU are not
			{ k = $c["flows"] SUBSEP $c["tool"]
			  split("own_rate peak1s_rate cpu_us_per_conn opens_per_own syscalls_per_conn ctxsw_per_conn load1_start idle_pct others_pct out_segs_per_conn", ks, " ")
			  if ($c["round"] != 0) n[k]++
			  for (i in ks) {
			    x = ks[i]
			    if (!(x in c)) continue # a column that an older CSV lacks
			    if ((x ~ /^(syscalls|ctxsw)/) != ($c["round"] == 0) || $c[x] == "") continue
			    nv[k, x]++; v[k, x, nv[k, x]] = $c[x]
			    if (nv[k, x] == 1 || $c[x] + 0 < lo[k, x]) lo[k, x] = $c[x] + 0
			    if (nv[k, x] == 1 || $c[x] + 0 > hi[k, x]) hi[k, x] = $c[x] + 0 } }
			END {
				printf "%-6s %-9s %4s  %-24s %-24s %-22s %-9s %-10s %-8s %-6s %-6s %-7s %s\n", "flows", "tool", "runs",
					"own conns/s (min..max)", "peak 1 s conns/s", "cpu_us/conn (min..max)", "opens/own", "syscalls/c", "ctxsw/c", "load1", "idle%", "others%", "segs/c"
				for (k in n) { split(k, p, SUBSEP); fs[p[1]] = 1 }
				nf = 0; for (f in fs) ff[++nf] = f + 0
				for (i = 2; i <= nf; i++) { t = ff[i]; for (j = i - 1; j > 0 && ff[j] > t; j--) ff[j + 1] = ff[j]; ff[j + 1] = t }
				for (fi = 1; fi <= nf; fi++) for (ti = 1; ti <= 3; ti++) {
					tool = (ti == 1 ? "rststorm" : ti == 2 ? "neper" : "netperf"); k = ff[fi] SUBSEP tool
					if (!n[k]) continue
					split("own_rate peak1s_rate cpu_us_per_conn opens_per_own syscalls_per_conn ctxsw_per_conn load1_start idle_pct others_pct out_segs_per_conn", ks, " ")
					for (i = 1; i <= 10; i++) { delete a; nn = nv[k, ks[i]]; for (r = 1; r <= nn; r++) a[r] = v[k, ks[i], r] + 0; m[i] = nn ? med(a, nn) : -1 }
					printf "%-6d %-9s %4d  %-24s %-24s %-22s %-9.3f %-10.2f %-8.2f %-6.2f %-6.1f %-7.1f %s\n", ff[fi], tool, n[k],
						sprintf("%.0f (%.0f..%.0f)", m[1], lo[k, "own_rate"], hi[k, "own_rate"]),
						sprintf("%.0f (%.0f..%.0f)", m[2], lo[k, "peak1s_rate"], hi[k, "peak1s_rate"]),
						sprintf("%.1f (%.1f..%.1f)", m[3], lo[k, "cpu_us_per_conn"], hi[k, "cpu_us_per_conn"]),
						m[4], m[5], m[6], m[7], m[8], m[9], (m[10] < 0 ? "-" : sprintf("%.2f", m[10]))
				}
			}' "$csv"
		echo
		echo "paired ratios, per round (rststorm over the peer; CPU: rststorm's cpu_us/conn over the peer's), median (min..max):"
		awk -F, "$awk_med"'
			function mr(a, n,    m) { m = med(a, n); return sprintf("%.3f (%.3f..%.3f)", m, a[1], a[n]) } # med sorts a
			NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["round"] == 0 { next }
			{ k = $c["flows"] SUBSEP $c["round"] SUBSEP $c["tool"]; rate[k] = $c["own_rate"]; cpu[k] = $c["cpu_us_per_conn"]
			  pk[k] = $c["peak1s_rate"]
			  fs[$c["flows"]] = 1; rs[$c["round"]] = 1 }
			END {
				printf "%-6s %-8s %6s  %-24s %-24s %-24s\n", "flows", "peer", "pairs", "rate ratio (own counts)", "rate ratio (peak 1 s)", "cpu/conn ratio"
				nf = 0; for (f in fs) ff[++nf] = f + 0
				for (i = 2; i <= nf; i++) { t = ff[i]; for (j = i - 1; j > 0 && ff[j] > t; j--) ff[j + 1] = ff[j]; ff[j + 1] = t }
				for (fi = 1; fi <= nf; fi++) for (pi = 1; pi <= 2; pi++) {
					peer = pi == 1 ? "neper" : "netperf"; np = 0; delete a; delete b; delete e
					for (r in rs) {
						s = ff[fi] SUBSEP r SUBSEP "rststorm"; q = ff[fi] SUBSEP r SUBSEP peer
						if (!(s in rate) || !(q in rate) || rate[q] + 0 == 0 || cpu[q] + 0 == 0 || pk[q] + 0 == 0) continue
						np++; a[np] = rate[s] / rate[q]; b[np] = cpu[s] / cpu[q]; e[np] = pk[s] / pk[q]
					}
					if (!np) continue
					printf "%-6d %-8s %6d  %-24s %-24s %-24s\n", ff[fi], peer, np, mr(a, np), mr(e, np), mr(b, np)
				}
			}' "$csv"
		echo
		echo "CPU per connection against the flow count, per tool: its cpu_us/conn at F over its own at the lowest F of the same round, median (min..max):"
		awk -F, "$awk_med"'
			NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["round"] == 0 { next }
			{ cpu[$c["tool"], $c["round"], $c["flows"] + 0] = $c["cpu_us_per_conn"]; ts[$c["tool"]] = 1; rs[$c["round"]] = 1
			  f = $c["flows"] + 0; if (!(f in fs)) { fs[f] = 1; ff[++nf] = f } }
			END {
				for (i = 2; i <= nf; i++) { t = ff[i]; for (j = i - 1; j > 0 && ff[j] > t; j--) ff[j + 1] = ff[j]; ff[j + 1] = t }
				if (nf < 2) { print "(one flow count only)"; exit }
				printf "%-9s %7s %6s  %s\n", "tool", "flows", "pairs", "cpu_us/conn over the lowest flows\x27"
				for (ti = 1; ti <= 3; ti++) {
					tool = (ti == 1 ? "rststorm" : ti == 2 ? "neper" : "netperf")
					if (!(tool in ts)) continue
					for (fi = 2; fi <= nf; fi++) {
						np = 0; delete a
						for (r in rs) {
							lo = tool SUBSEP r SUBSEP ff[1]; hi = tool SUBSEP r SUBSEP ff[fi]
							if (!(lo in cpu) || !(hi in cpu) || cpu[lo] + 0 == 0) continue
							a[++np] = cpu[hi] / cpu[lo]
						}
						if (!np) continue
						m = med(a, np)
						printf "%-9s %7d %6d  %.3f (%.3f..%.3f)\n", tool, ff[fi], np, m, a[1], a[np]
					}
				}
			}' "$csv"
	} | tee "$out/$name.txt.tmp"
	mv "$out/$name.txt.tmp" "$out/$name.txt"
	# three flow counts or more: the growth picture, from the medians
	local nflows med
	nflows=$(awk -F, 'NR > 1 && !s[$2]++ { n++ } END { print n + 0 }' "$csv")
	if [ "$nflows" -ge 3 ]; then
		med=$(mktemp)
		awk -F, "$awk_med"'
			NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["round"] == 0 { next }
			{ k = $c["tool"] "," $c["flows"]; v[k, ++n[k]] = $c["cpu_us_per_conn"] + 0 }
			END { for (k in n) { delete a; for (i = 1; i <= n[k]; i++) a[i] = v[k, i]; m = med(a, n[k]); print k "," m "," a[1] "," a[n[k]] } }' "$csv" |
			sort -t, -k1,1 -k2,2n >"$med"
	fi
	if ! command -v gnuplot >/dev/null; then
		:
	elif [ "$nflows" -ge 3 ]; then
		gnuplot -e "csv='$csv'; med='$med'; png='$out/$name.png.tmp'; tools='$(awk -F, 'NR > 1 && !s[$3]++ { printf "%s%s", n++ ? " " : "", $3 }' "$csv")'" bench/growth.gp &&
			mv "$out/$name.png.tmp" "$out/$name.png" ||
			{ rm -f "$out/$name.png.tmp"; echo "$me: gnuplot failed: no $out/$name.png (the CSV and the table are written)"; }
	elif true; then
		gnuplot -e "csv='$csv'; png='$out/$name.png.tmp'; flows='$(awk -F, 'NR > 1 && !s[$2]++ { printf "%s%s", n++ ? " " : "", $2 }' "$csv")'" bench/peers.gp &&
			mv "$out/$name.png.tmp" "$out/$name.png" ||
			echo "$me: gnuplot failed: no $out/$name.png (the CSV and the table are written)"
	fi
	command -v gnuplot >/dev/null || echo "$me: no gnuplot (apt-get install gnuplot-nox): no $out/$name.png"
	[ -z "${med:-}" ] || rm -f "$med"
}

if [ -n "$again" ]; then
	[ -r "$out/$name.csv" ] || { echo "$me: no $out/$name.csv to analyse: run without -a first" >&2; exit 1; }
	analyse "analysed again"
	exit 0
fi

# ---------------------------------------------------------------- dependencies
[ "$(id -u)" = 0 ] || { echo "$me: needs root (unshare -n, apt-get): run it as root" >&2; exit 1; }
missing=''
for c in gcc:gcc make:make autoconf:autoconf automake:automake ss:iproute2 unshare:util-linux; do
	command -v "${c%%:*}" >/dev/null || missing="$missing ${c#*:}"
done
command -v perf >/dev/null || missing="$missing linux-perf"
command -v gnuplot >/dev/null || missing="$missing gnuplot-nox"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ]; then
	echo "installing from Debian:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
		echo "$me: apt-get install$missing failed: install them and run again (perf and gnuplot are optional)" >&2
fi
for c in gcc make autoconf automake ss unshare; do
	command -v $c >/dev/null || { echo "$me: no $c after apt-get install: install it and run again" >&2; exit 1; }
done

# ---------------------------------------------------------------- build
make -s rststorm
if uses neper; then
	mkdir -p "$build/neper"
	make -s -C "$build/neper" -f "$NEPER_SRC/Makefile" VPATH="$NEPER_SRC" tcp_crr >"$build/neper.log" 2>&1 ||
		{ echo "$me: building neper's tcp_crr failed: see $build/neper.log" >&2; exit 1; }
fi
if ! uses netperf; then
	:
elif [ ! -x "$netserver_bin" ] || [ -n "$(find "$NETPERF_SRC" -newer "$netserver_bin" -not -path '*/.git/*' -print -quit)" ]; then
	rm -rf "$build/netperf"
	mkdir -p "$build/netperf"
	tar -C "$NETPERF_SRC" --exclude=.git -cf - . | tar -C "$build/netperf" -xf -
	(cd "$build/netperf" && ./autogen.sh && ./configure -q && make -C src) >"$build/netperf.log" 2>&1 ||
		{ echo "$me: building netperf failed: see $build/netperf.log" >&2; exit 1; }
fi

# counter: perf (syscalls and context switches of the process tree), or
# GNU time (context switches only: voluntary + involuntary from the rusage
# of every waited-for process), or none
counter=''
case ${PEERS_COUNTER:-} in # to try the fallbacks: PEERS_COUNTER=time or none
''|perf) ;;
time|none) counter=$PEERS_COUNTER ;;
*) echo "$me: PEERS_COUNTER=$(esc "$PEERS_COUNTER") is not allowed: perf, time or none" >&2; exit 2 ;;
esac
if [ -n "$counter" ]; then
	[ "$counter" != none ] || counter=''
	echo "$me: PEERS_COUNTER=${PEERS_COUNTER}: ${counter:-no} counting round"
elif perf stat -x, -o /dev/null -e raw_syscalls:sys_enter,context-switches true 2>/dev/null; then
	counter=perf
elif [ -x /usr/bin/time ]; then
	counter=time
	echo "$me: perf stat does not work here (no linux-perf, or no raw_syscalls tracepoint): context switches from GNU time's rusage, no syscalls per connection"
else
	echo "$me: neither perf stat nor GNU time works here: no syscalls or context switches per connection"
fi

# ---------------------------------------------------------------- runs
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ksoftirqd_s() { # utime + stime of every ksoftirqd thread, in seconds
	local t=0 p
	for p in $(pgrep -x 'ksoftirqd/[0-9]+' 2>/dev/null || ps -eo pid=,comm= | awk '$2 ~ /^ksoftirqd\// { print $1 }'); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	awk -v t=$t -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}
cpu_stat() { head -1 /proc/stat; } # cpu user nice system idle iowait irq softirq steal
hdr=round,flows,tool,position,dur_s,span_s,own_conns,own_rate,active_opens,control_conns,data_opens,opens_per_own,user_s,sys_s,ksoftirqd_s,cpu_us_per_conn,softirq_host_s,syscalls,ctxsw,syscalls_per_conn,ctxsw_per_conn,load1_start,load1_end,busy_host_s,idle_pct,others_pct,span_rate,peak1s_rate,inst_rate_sum,out_segs_per_conn,cpu_source,waited_cpu_s
echo "$hdr" >"$tmp/all.csv"

one() { # ROUND FLOWS TOOL POSITION
	local r=$1 f=$2 tool=$3 pos=$4 d="$tmp/$1-$2-$3" s0 s1 k0 k1 l0 l1 row
	mkdir -p "$d"
	s0=$(cpu_stat) k0=$(ksoftirqd_s) l0=$(cut -d' ' -f1 /proc/loadavg)
	if [ "$r" = 0 ] && [ $counter = perf ]; then
		perf stat -x, -o "$d/count" -e raw_syscalls:sys_enter,context-switches -- \
			unshare -n bash "$0" -I "$tool" "$f" "$dur" "$d" || exit 1
	elif [ "$r" = 0 ]; then
		/usr/bin/time -o "$d/count" -f 'rusage,%w,%c' \
			unshare -n bash "$0" -I "$tool" "$f" "$dur" "$d" || exit 1
	else
		unshare -n bash "$0" -I "$tool" "$f" "$dur" "$d" || exit 1
	fi
	s1=$(cpu_stat) k1=$(ksoftirqd_s) l1=$(cut -d' ' -f1 /proc/loadavg)
	row=$(awk -F'[=,]' -v r="$r" -v f="$f" -v tool="$tool" -v pos="$pos" -v dur="$dur" \
		-v s0="$s0" -v s1="$s1" -v k0="$k0" -v k1="$k1" -v l0="$l0" -v l1="$l1" -v hz="$(getconf CLK_TCK)" '
		FILENAME ~ /inner$/ { v[$1] = $2; next }
		$3 == "raw_syscalls:sys_enter" { sc = $1 } $3 == "context-switches" { cs = $1 }
		$1 == "rusage" { cs = $2 + $3 }
		END {
			split(s0, a, " "); split(s1, b, " ")
			busy = 0; for (i = 2; i <= 9; i++) if (i != 5 && i != 6) busy += b[i] - a[i]
			idle = (b[5] - a[5]) + (b[6] - a[6]); sirq = (b[8] - a[8]) / hz; busy /= hz; idle /= hz
			ks = k1 - k0; procs = v["user_s"] + v["sys_s"]
			data = v["active_opens"] - v["control_conns"]
			cpu = data > 0 ? (procs + ks) / data * 1e6 : 0
			others = busy - procs - ks; if (others < 0) others = 0
			printf "%d,%d,%s,%d,%d,%.3f,%d,%.2f,%d,%d,%d,%.4f,%.3f,%.3f,%.3f,%.2f,%.3f,%s,%s,%s,%s,%s,%s,%.3f,%.1f,%.1f,%.0f,%d,%s,%.2f,%s,%.3f\n",
				r, f, tool, pos, dur, v["span_s"], v["own_conns"], v["own_rate"], v["active_opens"], v["control_conns"],
				data, (v["own_conns"] > 0 ? data / v["own_conns"] : 0), v["user_s"], v["sys_s"], ks, cpu, sirq,
				sc, cs, (sc != "" && data > 0 ? sprintf("%.3f", sc / data) : ""), (cs != "" && data > 0 ? sprintf("%.3f", cs / data) : ""),
				l0, l1, busy, 100 * idle / (busy + idle), 100 * others / (busy + idle),
				(v["span_s"] > 0 ? data / v["span_s"] : 0), v["peak1s_rate"], v["inst_rate_sum"],
				(data > 0 ? v["out_segs"] / data : 0), v["cpu_src"], v["waited_cpu_s"]
		}' "$d/inner" $([ "$r" != 0 ] || echo "$d/count"))
	echo "$row" >>"$tmp/all.csv"
	echo "$row" | awk -F, '{ printf "round %s -F %-5s %-8s %8.0f conns/s (own)  %8.0f (peak 1 s)  opens/own %.3f  %6.1f us/conn  %s syscalls/conn  %s ctxsw/conn  load %s  others %s%%\n",
		$1, $2, $3, $8, $28, $12, $16, $20, $21, $22, $26 }'
	echo "$row" | awk -F, '{ printf "                                  %.2f TCP segments sent per connection\n", $30 }'
}

t_start=$SECONDS
echo "$rounds round(s), flows $flows, ${dur}s per run, $nthreads threads where the tool takes a count; load $(cut -d' ' -f1-3 /proc/loadavg)"
# Round 0, when perf (or GNU time) works: each tool once under perf stat,
# for syscalls and context switches per connection only. Counting a
# tracepoint on every syscall costs the tools that make more syscalls more,
# so the rates and CPU times come from rounds 1.. without perf.
for r in ${counter:+0} $(seq 1 "$rounds"); do
	for f in $flows; do
		# rotate the order every round: no tool always runs first or last
		for i in "${!tools[@]}"; do
			one "$r" "$f" "${tools[$(((i + r - 1) % ${#tools[@]}))]}" $((i + 1))
		done
	done
	# keep what is done so far: a long run cut short still leaves its rows
	cp "$tmp/all.csv" "$out/$name.csv.part"
done
mv "$tmp/all.csv" "$out/$name.csv"
rm -f "$out/$name.csv.part"
srcver() { git -C "$1" log -1 --format='%h %cs' 2>/dev/null || echo "not a git clone"; }
vers=''
uses neper && vers="$vers, neper $(srcver "$NEPER_SRC")"
uses netperf && vers="$vers, netperf $(srcver "$NETPERF_SRC")"
analyse "$(date -u +%Y-%m-%dT%H:%M:%SZ), $((SECONDS - t_start)) s in all, $rounds rounds$vers"
exit
}
