#!/usr/bin/env bash
# Where CPU per connection goes at each -c: `perf record -g` (cpu-clock,
# which works where hardware counters do not, e.g. in a VM) of one run per
# -c, each in a namespace of its own, then the samples grouped by kernel
# area and divided by the connections of the run, so that the areas can be
# compared across -c in microseconds per connection. Also the share of
# samples taken in softirq (a handle_softirqs frame on the stack) and the
# top symbols that grew most from the first -c to the last.
# Writes results/bench/NAME.txt.
#   bench/flat-perf.sh [-d SECONDS] [-s "100 18000 100000"] [-t THREADS]
#                      [-m CLOSE_MIX] [-x "EXTRA RUN OPTIONS"] [-o NAME]
#                      [-T TIMEOUT]
# (defaults: -d 5 -s "100 18000 100000" -t 8 -m fin=50,rst=50 -T 60s
#  -o flat-perf, as bench/flat.sh; connections are those started;
#  needs perf: apt-get install linux-perf)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=5 sweep="100 18000 100000" threads=8 mix=fin=50,rst=50 extra='' name=flat-perf
tmo=60s
while getopts d:s:t:m:x:o:T: o; do
	case $o in
	d) dur=$OPTARG ;;
	s) sweep=$OPTARG ;;
	t) threads=$OPTARG ;;
	m) mix=$OPTARG ;;
	x) extra=$OPTARG ;;
	o) name=$OPTARG ;;
	T) tmo=$OPTARG ;;
	*) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
command -v perf >/dev/null ||
	{ echo "no perf: apt-get install linux-perf (Debian), then run again"; exit 77; }
make -s rststorm
out=results/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh # csv_col

# The area of a symbol: the first pattern that matches, in this order.
areas='
user		^\[\.\]
ehash/ports	__inet_lookup_established|inet_ehash|__inet_hash_connect|__inet_check_established|inet_bind|inet_lhash|__inet_lookup_listener|inet_twsk_hashdance|inet_hash
timers		timer|hrtimer|tcp_delack|tcp_write_timer|tcp_keepalive|inet_csk_reset_xmit|sk_reset_timer|sk_stop_timer|tcp_schedule_loss_probe|tcp_rearm_rto
time-wait	twsk|tw_|tcp_time_wait|timewait
io_uring	io_|__io_|io_uring
slab/memcg/rcu	slab|kmem_cache|kfree|kmalloc|memcg|obj_cgroup|refill_obj|rcu|__free_pages|alloc_pages|get_page_from|free_unref|mod_node_page|percpu
locks/irq	_raw_spin|queued_spin|pv_queued|_raw_read|_raw_write|native_write_msr|native_read_msr
scheduler	schedule|finish_task_switch|wake|enqueue_|dequeue_|pick_next|update_curr|update_load|switch_to|task_tick|select_task|ttwu|psi_
files/inodes	fput|alloc_file|inode|dentry|d_alloc|sock_alloc|iput|filp|fd_install|file_|__sys_socket|sock_release|__sock_release|sock_close|security_
tcp/ip/sockets	tcp|inet|ip_|__ip|ipv4|sk_|__sk|sock|skb|dst_|net|dev_|loopback|raw_local|__netif|process_backlog|csum|release_sock|lock_sock|__release_sock|tcp_v4|secure_|siphash|__x64_sys|do_syscall|entry_SYSCALL|syscall
'

for c in $sweep; do
	d="$tmp/$c"
	mkdir -p "$d"
	# --netns: the run's namespace, with an ehash of its own (netns.c)
	# shellcheck disable=SC2086 # $extra: options, split on purpose
	perf record -q -g -e cpu-clock -F 1999 -o "$d/perf.data" -- \
		./rststorm run -q --netns -c "$c" -d "${dur}s" --close "$mix" \
		-t "$threads" --server-threads "$threads" --timeout "$tmo" \
		$extra --csv "$d/csv" \
		>"$d/out" 2>&1 || { echo "rststorm -c $c failed:"; cat "$d/out"; exit 1; }
	echo $(($(csv_col conns_completed "$d/csv/summary.csv") + $(csv_col conns_failed "$d/csv/summary.csv"))) >"$d/conns"
	perf report -i "$d/perf.data" --no-children --sort dso,sym -g none --stdio -n -q 2>/dev/null |
		awk 'NF >= 4 && $1 ~ /%$/ { n = $2; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); print n "\t" $0 }' >"$d/syms"
	# samples with a softirq frame on their stack (perf prints the share of
	# samples matching --parent in a "[other]"-less line per parent)
	perf report -i "$d/perf.data" --no-children -g none --stdio -n -q \
		--parent='handle_softirqs|__do_softirq|net_rx_action' --sort parent 2>/dev/null |
		awk '$1 ~ /%$/ && $0 !~ /\[other\]/ { s += $2 } END { print s + 0 }' >"$d/softirq"
	echo "-c $c: $(cat "$d/conns") connections, $(awk -F'\t' '{ s += $1 } END { print s }' "$d/syms") samples"
done

# total samples per second of CPU: -F per CPU, so 1e6 / F microseconds each
{
	echo "$(uname -r), $(nproc) CPUs, --close $mix, -t $threads --server-threads $threads --timeout $tmo${extra:+, $extra}, ${dur}s per run, $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "perf record -g -e cpu-clock -F 1999: CPU microseconds per connection by area (samples x 1e6/1999 us / connections)"
	printf '%-22s' area
	for c in $sweep; do printf '%12s' "-c $c"; done
	echo
	for c in $sweep; do
		awk -F'\t' -v areas="$areas" -v conns="$(cat "$tmp/$c/conns")" -v c="$c" '
			BEGIN {
				n = split(areas, l, "\n")
				for (i = 1; i <= n; i++) if (l[i] != "") {
					split(l[i], f, "\t+"); na++; an[na] = f[1]; ap[na] = f[2]
				}
			}
			{
				s = $2; k = 0
				for (i = 1; i <= na && !k; i++) {
					sym = s
					if (an[i] != "user") { sub(/^.*\[k\] /, "", sym); if (s !~ /\[k\]/) continue }
					if (sym ~ ap[i]) k = i
				}
				a = k ? an[k] : "other kernel"
				t[a] += $1; tot += $1
			}
			END {
				for (a in t) printf "%s\t%s\t%.2f\n", c, a, t[a] * 1e6 / 1999 / conns
				printf "%s\t%s\t%.2f\n", c, "TOTAL", tot * 1e6 / 1999 / conns
			}' "$tmp/$c/syms"
		awk -v c="$c" -v s="$(cat "$tmp/$c/softirq")" -v conns="$(cat "$tmp/$c/conns")" \
			'BEGIN { printf "%s\t%s\t%.2f\n", c, "(of all: in softirq)", s * 1e6 / 1999 / conns }'
	done >"$tmp/areas"
	order=$(printf '%s\n' "$areas" | awk -F'\t+' 'NF > 1 { print $1 }'; echo "other kernel"; echo TOTAL; echo "(of all: in softirq)")
	printf '%s\n' "$order" | while IFS= read -r a; do
		printf '%-22s' "$a"
		for c in $sweep; do
			printf '%12s' "$(awk -F'\t' -v c="$c" -v a="$a" '$1 == c && $2 == a { v = $3 } END { printf "%.2f", v }' "$tmp/areas")"
		done
		echo
	done
	first=${sweep%% *} last=${sweep##* }
	echo
	echo "symbols that grew most, -c $first -> -c $last (CPU us per connection):"
	awk -F'\t' -v a="$(cat "$tmp/$first/conns")" -v b="$(cat "$tmp/$last/conns")" '
		FNR == NR { x[$2] = $1; next } { y[$2] = $1 }
		END {
			for (k in x) u[k] = 1; for (k in y) u[k] = 1
			for (k in u) printf "%8.2f %8.2f %+8.2f  %s\n", x[k] * 1e6 / 1999 / a, y[k] * 1e6 / 1999 / b, y[k] * 1e6 / 1999 / b - x[k] * 1e6 / 1999 / a, k
		}' "$tmp/$first/syms" "$tmp/$last/syms" | sort -k3 -gr | head -25
} | tee "$out/$name.txt"
