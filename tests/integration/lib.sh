# Shared by the integration tests: the binary, a scratch directory removed
# on exit, assertions, and readers for the CSV report.
set -u
RSTSTORM=${RSTSTORM:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/rststorm}
[ -x "$RSTSTORM" ] || { echo "no binary at $RSTSTORM: run make"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }

# share MODE OP RESULT DIR: the share of RESULT among op OP's completions for
# close mode MODE in DIR/outcomes.csv (0 when absent).
share() {
	awk -F, -v m="$1" -v o="$2" -v r="$3" '
		NR > 1 && $4 == m && $5 == o && $7 == r { s = $9 }
		END { printf "%s", (s == "" ? 0 : s) }' "$4/outcomes.csv"
}

# dominant MODE OP DIR: the most frequent result of op OP for MODE.
dominant() {
	awk -F, -v m="$1" -v o="$2" '
		NR > 1 && $4 == m && $5 == o && $8 + 0 > best { best = $8 + 0; r = $7 }
		END { printf "%s", r }' "$3/outcomes.csv"
}

# summary COLUMN DIR: a column of DIR/summary.csv by its header name
# (fields may be quoted: RFC 4180).
summary() {
	csv_col "$1" "$2/summary.csv"
}

# csv_col COLUMN FILE: a column of the first data row of FILE by its header
# name (fields may be quoted: RFC 4180).
. "$(dirname "${BASH_SOURCE[0]}")/../../bench/lib.sh" # csv_col

# expect_op MODE OP RESULT MIN_SHARE DIR: RESULT is the dominant result of
# the op and has at least MIN_SHARE of its completions.
expect_op() {
	local d s
	d=$(dominant "$1" "$2" "$5")
	s=$(share "$1" "$2" "$3" "$5")
	echo "measured: $1 op $2: $3 share $s (dominant: $d)"
	[ "$d" = "$3" ] || fail "$1 op $2: expected $3 to dominate, got '$d'"
	awk -v s="$s" -v m="$4" 'BEGIN { exit !(s >= m) }' ||
		fail "$1 op $2: $3 share $s is below $4"
}

# wait_for FILE PATTERN SECONDS: poll until FILE matches PATTERN.
wait_for() {
	local deadline=$((SECONDS + $3))
	while [ $SECONDS -lt $deadline ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_threads PID N SECS: poll until process PID has at least N threads
# (its client thread is up), for at most SECS seconds.
wait_threads() {
	local deadline=$((SECONDS + $3)) n
	while [ $SECONDS -lt $deadline ]; do
		n=$(ls /proc/"$1"/task 2>/dev/null | wc -l)
		[ "$n" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# A TCP port on 127.0.0.1 below the ephemeral range that nothing listens
# on now. A serve restarted on its port must bind it again while the
# clients churn: a port from the ephemeral range can be some client
# connection's local port at that moment (EADDRINUSE, seen under load).
free_fixed_port() {
	local lo p i
	lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range)
	for i in $(seq 50); do
		p=$(( (lo > 11000 ? lo - 10000 : 1024) + RANDOM % 9000 ))
		[ "$p" -lt "$lo" ] || continue
		ss -Htan "( sport = :$p )" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}
