#!/usr/bin/env bash
# run and check over an emulated link (--link): a 20 ms link's run balances
# its books, its header names the link and a measured round trip that is
# never shorter than asked (and under 40 ms), and summary.csv carries both;
# IPv6 and --sources work over the link; check --link completes its verdict
# grid (the RST scenarios and the Go seed with a gap above the round trip
# PASS, alone and under load; the 2nd write after a FIN is printed,
# measured); nothing is left
# behind (no rslink device, no named namespace); SIGINT stops a run over
# the link (exit 130, books balanced); without root, run and check --link
# say in one line what is missing (exit 1).
#
# The test runs in a network and mount namespace of its own (re-executed
# under unshare), with its own empty /run/netns: the devices and named
# namespaces it compares are its own, whatever else the machine runs.
if [ -z "${RS_T_LINK_RUN_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "emulated links need root (network namespaces, tun)"; exit 77; }
	[ -c /dev/net/tun ] || { echo "no /dev/net/tun: the delay line needs the tun driver (modprobe tun)"; exit 77; }
	unshare -n -m true 2>/dev/null || { echo "cannot make a network and mount namespace (unshare -n -m failed)"; exit 77; }
	RS_T_LINK_RUN_INNER=1 exec unshare -n -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
ip link set lo up || fail "cannot bring up lo in the test's namespace"
{ mkdir -p /run/netns && mount -t tmpfs rs-t-link-run /run/netns; } ||
	fail "cannot mount a private /run/netns"

links_before=$(ip -o link show | awk -F': ' '{print $2}' | sort)
netns_before=$(ip netns list 2>/dev/null | sort)

# 1. run over a 20 ms link
"$RSTSTORM" run --link rtt=20ms -c 50 -n 500 -q --csv "$TMP/r20" >"$TMP/out20" 2>"$TMP/err20" ||
	fail "run --link rtt=20ms exited $?: $(cat "$TMP/err20")"
grep -q '^link: delay line .*rtt=20ms' "$TMP/out20" || grep -q '^link: netem .*rtt=20ms' "$TMP/out20" ||
	fail "the header does not name the link: $(head -5 "$TMP/out20")"
grep -q -- ' --link rtt=20ms' "$TMP/out20" || fail "the command line in the header lacks --link"
min=$(sed -n 's/^link rtt: asked 20000 us, measured min_rtt \([0-9]*\) us.*/\1/p' "$TMP/out20")
srtt=$(sed -n 's/^link rtt: .* srtt \([0-9]*\) us.*/\1/p' "$TMP/out20")
[ -n "$min" ] || fail "no measured RTT in the header: $(grep '^link' "$TMP/out20")"
echo "measured: run --link rtt=20ms: min_rtt ${min} us, srtt ${srtt} us"
# never shorter than asked; above it the box's scheduling, bounded widely
{ [ "$min" -ge 19900 ] && [ "$min" -le 40000 ]; } || fail "min_rtt $min us outside 19900..40000"
[ "$(summary books_balanced "$TMP/r20")" = 1 ] || fail "rtt=20ms: the books do not balance"
[ "$(summary conns_started "$TMP/r20")" = 500 ] || fail "rtt=20ms: $(summary conns_started "$TMP/r20") started, want 500"
[ "$(summary link "$TMP/r20")" = rtt=20ms ] || fail "summary.csv link is '$(summary link "$TMP/r20")'"
[ "$(summary link_rtt_asked_us "$TMP/r20")" = 20000 ] || fail "summary.csv link_rtt_asked_us"
[ "$(summary link_rtt_min_us "$TMP/r20")" = "$min" ] || fail "summary.csv link_rtt_min_us differs from the header"
[ "$(summary link_lost "$TMP/r20")" = 0 ] || fail "a lossless link lost packets"
grep -q "^kernel       the link's two namespaces, summed:.* ActiveOpens +" "$TMP/out20" ||
	fail "no kernel counters of the link's sides: $(grep '^kernel' "$TMP/out20")"
# every connection crossed the link: each side counted each once (the
# measurement's connections came before the first snapshot)
grep -q "^kernel .* ActiveOpens +500 PassiveOpens +500 " "$TMP/out20" ||
	fail "ActiveOpens/PassiveOpens not +500 each on the link's sides: $(grep '^kernel' "$TMP/out20")"
# the RST half of the mix: the first write gets ECONNRESET, exactly
[ "$(share rst 1 ECONNRESET "$TMP/r20")" = 1.000000 ] ||
	fail "rst op 1: ECONNRESET share $(share rst 1 ECONNRESET "$TMP/r20"), want 1"

# merge: runs over the same link add up (losses sum, the measured round
# trip is the larger); runs over different links are refused
"$RSTSTORM" run --link rtt=20ms -c 20 -n 100 -q --csv "$TMP/r20b" >/dev/null 2>"$TMP/err20b" ||
	fail "second run --link rtt=20ms exited $?: $(cat "$TMP/err20b")"
"$RSTSTORM" merge "$TMP/r20" "$TMP/r20b" -o "$TMP/m20" >/dev/null 2>"$TMP/errm" ||
	fail "merge of two rtt=20ms runs exited $?: $(cat "$TMP/errm")"
[ "$(summary link "$TMP/m20")" = rtt=20ms ] || fail "merged link is '$(summary link "$TMP/m20")'"
[ "$(summary conns_started "$TMP/m20")" = 600 ] || fail "merged conns_started $(summary conns_started "$TMP/m20"), want 600"
a=$(summary link_rtt_min_us "$TMP/r20") b=$(summary link_rtt_min_us "$TMP/r20b")
[ "$(summary link_rtt_min_us "$TMP/m20")" = $((a > b ? a : b)) ] || fail "merged link_rtt_min_us is not the larger of $a and $b"


"$RSTSTORM" run --link rtt=5ms -6 -c 20 -n 100 -q --csv "$TMP/r6" >"$TMP/out6" 2>"$TMP/err6" ||
	fail "run --link rtt=5ms -6 exited $?: $(cat "$TMP/err6")"
[ "$(summary family "$TMP/r6")" = ipv6 ] || fail "-6 over the link: family $(summary family "$TMP/r6")"
[ "$(summary books_balanced "$TMP/r6")" = 1 ] || fail "-6 over the link: the books do not balance"
[ "$(summary conns_completed "$TMP/r6")" = 100 ] || fail "-6 over the link: $(summary conns_completed "$TMP/r6") of 100 completed"
echo "measured: -6: $(grep '^link rtt' "$TMP/out6")"

"$RSTSTORM" merge "$TMP/r20" "$TMP/r6" -o "$TMP/mx" >/dev/null 2>"$TMP/errx"
rc=$?
[ $rc -eq 2 ] || fail "merge of an rtt=20ms and an rtt=5ms run: exit $rc, want 2"
grep -q "link" "$TMP/errx" || fail "merge's refusal does not name the link: $(cat "$TMP/errx")"

# 3. --sources over the link: the client side's addresses
"$RSTSTORM" run --link rtt=1ms --sources 4 -c 40 -n 200 -q --csv "$TMP/rs" >"$TMP/outs" 2>"$TMP/errs" ||
	fail "run --link --sources 4 exited $?: $(cat "$TMP/errs")"
[ "$(summary conns_completed "$TMP/rs")" = 200 ] || fail "--sources 4 over the link: $(summary conns_completed "$TMP/rs") of 200 completed"

# 4. check over a 5 ms link: a gap of 100 ms is far above the round trip.
# 60 trials, 50 at once: slots are reused while the RST is still on its way
# (a poll in flight then: it must not be cancelled as overdue, which gave
# rst-read2-sys-recv EAGAIN once per reuse before the fix)
"$RSTSTORM" check --link rtt=5ms seed-go rst-write2 fin-write3 rst-read2-sys-recv \
	--trials 60 --load-c 50 --gap 100ms -q --csv "$TMP/c" >"$TMP/outc" 2>"$TMP/errc"
rc=$?
[ $rc -le 1 ] || fail "check --link exited $rc: $(cat "$TMP/errc")"
grep -q '^check: [0-9]* PASS, [0-9]* MEASURED, [0-9]* DIFF' "$TMP/outc" || fail "no verdict line: $(tail -3 "$TMP/outc")"
grep -q '^link rtt: asked 5000 us, measured' "$TMP/outc" || fail "check's header lacks the measured link"
for sc in seed-go rst-write2 rst-read2-sys-recv; do
	grep -A12 "^$sc:" "$TMP/outc" | grep -q 'verdict: alone PASS, under load PASS' ||
		fail "$sc over a 5 ms link: not PASS: $(grep -A12 "^$sc:" "$TMP/outc")"
done
# fin-write3's EPIPE* writes are ordered: exact alone on loopback, a share
# over a link (the drawn RST is a round trip away), so MEASURED, never DIFF
grep -A12 "^fin-write3:" "$TMP/outc" | grep -q 'verdict: alone MEASURED, under load MEASURED' ||
	fail "fin-write3 over a 5 ms link: not MEASURED: $(grep -A12 "^fin-write3:" "$TMP/outc")"
grep -A12 "^fin-write3:" "$TMP/outc" | grep -q '^  2 .*EPIPE (share)' ||
	fail "fin-write3 over a 5 ms link: op 2 not judged as a share"
[ $rc -eq 0 ] || fail "check --link: exit $rc (a DIFF): $(grep -B2 DIFF "$TMP/outc" | head -5)"
echo "measured: check --link rtt=5ms fin-write3: $(grep -A6 '^fin-write3:' "$TMP/outc" | grep '^  2 ' | tr -s ' ')"
echo "measured: check --link rtt=5ms: $(grep '^check:' "$TMP/outc")"

# 5. SIGINT during a run over the link: the run stops, reports, exits 130
"$RSTSTORM" run --link rtt=5ms -c 20 -d 60s -q >"$TMP/outi" 2>"$TMP/erri" &
pid=$!
deadline=$((SECONDS + 20))
until grep -q '^link rtt:' "$TMP/outi" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || { kill -KILL $pid; fail "no header within 20 s: $(cat "$TMP/erri")"; }
	sleep 0.1
done
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "SIGINT over the link: exit $rc, want 130: $(cat "$TMP/erri")"
grep -q '(books balance)' "$TMP/outi" || fail "SIGINT over the link: no balanced books: $(grep '^connections' "$TMP/outi")"

# 6. without root: one line saying what is missing, exit 1, nothing run
if command -v setpriv >/dev/null; then
	chmod 755 "$TMP"
	cp "$RSTSTORM" "$TMP/rs-user"
	chmod 755 "$TMP/rs-user"
	for cmd in "run --link rtt=1ms -c 1 -n 1" "check --link rtt=1ms seed-go"; do
		# shellcheck disable=SC2086 # the command's words
		setpriv --reuid 65534 --regid 65534 --clear-groups "$TMP/rs-user" $cmd >"$TMP/outu" 2>"$TMP/erru"
		rc=$?
		[ $rc -eq 1 ] || fail "$cmd as nobody: exit $rc, want 1"
		[ "$(wc -l <"$TMP/erru")" -eq 1 ] || fail "$cmd as nobody: not one line: $(cat "$TMP/erru")"
		grep -q -- '--link: .*root' "$TMP/erru" || fail "$cmd as nobody: '$(cat "$TMP/erru")' does not say root is needed"
	done
else
	echo "# setpriv missing: the unprivileged case is not run"
fi

# 7. nothing left behind
links_after=$(ip -o link show | awk -F': ' '{print $2}' | sort)
[ "$links_before" = "$links_after" ] || fail "devices changed: before '$links_before', after '$links_after'"
[ "$netns_before" = "$(ip netns list 2>/dev/null | sort)" ] || fail "named namespaces changed"
exit 0
