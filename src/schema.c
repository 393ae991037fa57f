/* The schema table of every report file (schema.h): the columns, and the
 * code that the writers, the reader, merge, JSON and docs/csv.md share. */
#include "schema.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "esc.h"
#include "histo.h"
#include "outcome.h"
#include "plan.h"
#include "script.h"
#include "tally.h"
#include "verdict.h"

#define RS_STR_(x) #x
#define RS_STR(x) RS_STR_(x)

#define C(n, t, u, m, h, p, g, d) { n, t, u, m, h, p, g, d, NULL, 0, NULL, false }
#define CW(n, t, u, m, h, p, g, d, w) { n, t, u, m, h, p, g, d, w, 0, NULL, false }
/* A column added within version 1 (no bump): older version 1 files lack
 * it, and the reader gives it the value e, what every run had before the
 * column existed; w as CW's (or NULL). */
#define CE(n, t, u, m, g, d, w, e) { n, t, u, m, NULL, 0, g, d, w, 0, e, false }
/* A column added within version 2 (no bump): every older file (version 1,
 * and version 2 files before it) lacks it and is read as e. */
#define CE2(n, t, u, m, g, d, w, e) { n, t, u, m, NULL, 0, g, d, w, 0, e, true }
/* A percentile column added within schema version 2 without a bump:
 * version 1 files and early version 2 files lack it (0.000: nothing was
 * measured). */
#define CV2(n, h, p, d) \
	{ n, RS_CT_FLOAT, "µs", RS_MR_PCT, h, p, "percentiles", d, NULL, 2, \
	  "0.000", true }
/* A percentile column added in schema version 2. */
#define CP2(n, h, p, g, d) \
	{ n, RS_CT_FLOAT, "µs", RS_MR_PCT, h, p, g, d, NULL, 2, NULL, false }

/* ------------------------------------------------------------ columns
 *
 * Adding a column to a file is one row here, in the place the header
 * shall have it: C(name, type, unit, merge rule, histogram, percentile,
 * JSON group, meaning), or CW(..., why) for an equal-or-refuse column
 * that needs its own reason. Then:
 * - a percentile (RS_MR_PCT of a histogram the writers keep) is filled
 *   by the writers and merge with nothing more;
 * - any other value needs the one rs_row_set(w, "name", ...) in its
 *   writer (report.c, check.c) that computes it; merge applies the rule
 *   (RS_MR_RECOMPUTE only needs code of its own);
 * - rststorm schema --update docs/csv.md regenerates the docs; the
 *   goldens change and schema_version is bumped (docs/csv.md says when).
 * test_schema and the row builder fail on a column set but not here, or
 * here but not set.
 */

static const struct rs_scol c_summary[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, "",
	  "`" RS_STR(RS_CSV_SCHEMA) "` (version `1` is read too)"),
	C("tool_version", RS_CT_STR, "", RS_MR_SAME, NULL, 0, "config",
	  "`RS_VERSION`, e.g. `0.1.0`"),
	C("scenario", RS_CT_STR, "", RS_MR_SAME, NULL, 0, "config",
	  "`run`"),
	C("engine", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "config",
	  "client engine: `io_uring` (default) or `epoll` (`--engine epoll`); the servers are io_uring either way"),
	C("started_utc", RS_CT_TIME, "UTC", RS_MR_EARLIEST, NULL, 0, "config",
	  "wall clock after the server threads are created, just before the clients start: `2026-11-21T19:57:23Z`"),
	C("kernel_release", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "`uname -r`"),
	C("machine", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "`uname -m`"),
	C("liburing_version", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "liburing-dev version at build time, or `unknown`"),
	C("ring_flags", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "setup flags of every ring: `SINGLE_ISSUER\\|DEFER_TASKRUN`, `COOP_TASKRUN\\|TASKRUN_FLAG` or `none`, with `\\|SUBMIT_ALL` appended when set. When only SUBMIT_ALL is set, the value is `SUBMIT_ALL`"),
	C("client_sockets", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "`io_uring-direct` (IORING_OP_SOCKET into direct descriptors) or `socket(2)` (always with `--engine epoll`)"),
	C("accept", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "server accept: `multishot` or `single-shot` (re-armed), into ordinary fds; `multishot-direct` or `single-shot-direct` when the server accepts into io_uring direct descriptors and closes through the ring"),
	C("concurrency", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "config",
	  "`-c`: connection slots, all client threads"),
	C("duration_s", RS_CT_FIX3, "s", RS_MR_SUM0, NULL, 0, "config",
	  "`-d`; `0.000` = no time limit (`-n` alone)"),
	C("connections_limit", RS_CT_U64, "", RS_MR_SUM0, NULL, 0, "config",
	  "`-n`; `0` = no count limit"),
	C("client_threads", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "config",
	  "`-t`"),
	C("server_threads", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "config",
	  "`--server-threads`"),
	C("ports", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "config",
	  "`--ports`: listeners on 127.0.0.1"),
	C("close_mix", RS_CT_STR, "", RS_MR_SAME, NULL, 0, "config",
	  "`--close`, canonical, zero weights left out: `\"fin=50,rst=50\"`"),
	C("ops", RS_CT_STR, "", RS_MR_SAME, NULL, 0, "config",
	  "`--ops`, canonical: `\"send,send,send,recv\"`, or `none` (`--churn`)"),
	C("wait", RS_CT_STR, "", RS_MR_SAME, NULL, 0, "config",
	  "`close`, `none`, or the gap (`10ms`)"),
	C("op_gap_s", RS_CT_FIX6, "s", RS_MR_SAME, NULL, 0, "config",
	  "`--op-gap`: pause between the ops (0: none)"),
	C("seed", RS_CT_U64, "", RS_MR_SEED, NULL, 0, "config",
	  "the plan seed, given or taken from the clock"),
	C("timeout_s", RS_CT_FIX3, "s", RS_MR_SAME, NULL, 0, "config",
	  "`--timeout`"),
	C("elapsed_s", RS_CT_FIX3, "s", RS_MR_SUM, NULL, 0, "books",
	  "from just before the client threads start until they have all been joined"),
	C("interrupted", RS_CT_U64, "", RS_MR_MAX, NULL, 0, "books",
	  "0, or the number of the signal (2 SIGINT, 15 SIGTERM) that stopped the run (partial results)"),
	C("books_balanced", RS_CT_BIT, "", RS_MR_AND, NULL, 0, "books",
	  "1 when the client books balance (see below)"),
	C("conns_started", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "books",
	  "connections begun"),
	C("conns_completed", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "books",
	  "connections that ran every step and closed"),
	C("conns_failed", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "books",
	  "connections that failed in a step (sum of failures.csv rows other than `abandoned`)"),
	C("conns_abandoned", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "books",
	  "connections still in flight when the run was abandoned"),
	C("ops_completed", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "books",
	  "op completions counted in outcomes.csv, errors included"),
	C("conns_per_s", RS_CT_FLOAT, "1/s", RS_MR_RECOMPUTE, NULL, 0, "rates",
	  "`conns_completed / elapsed_s`"),
	C("ops_per_s", RS_CT_FLOAT, "1/s", RS_MR_RECOMPUTE, NULL, 0, "rates",
	  "`ops_completed / elapsed_s`"),
	C("connect_p50_us", RS_CT_FLOAT, "µs", RS_MR_PCT, "connect_ns", 50, "percentiles",
	  "median connect latency (connect_ns)"),
	CP2("connect_p90_us", "connect_ns", 90, "percentiles",
	    "90th percentile connect latency"),
	C("connect_p99_us", RS_CT_FLOAT, "µs", RS_MR_PCT, "connect_ns", 99, "percentiles",
	  "99th percentile connect latency"),
	CP2("connect_p99_9_us", "connect_ns", 99.9, "percentiles",
	    "99.9th percentile connect latency"),
	CP2("connect_max_us", "connect_ns", 100, "percentiles",
	    "slowest connect: exact (merge: the largest of the inputs'; a version 1 report read back: the top of the highest non-empty bucket)"),
	C("op_p50_us", RS_CT_FLOAT, "µs", RS_MR_PCT, "op_ns", 50, "percentiles",
	  "median op latency, all modes and ops merged (op_ns). With `--engine epoll` an op whose syscall completes when issued counts that syscall's time (clock reads just before and after it); with io_uring, issue to completion as the loop's passes see them (pass_ns gives the width of that)"),
	CP2("op_p90_us", "op_ns", 90, "percentiles",
	    "90th percentile of the same"),
	C("op_p99_us", RS_CT_FLOAT, "µs", RS_MR_PCT, "op_ns", 99, "percentiles",
	  "99th percentile of the same"),
	CP2("op_p99_9_us", "op_ns", 99.9, "percentiles",
	    "99.9th percentile of the same"),
	CP2("op_max_us", "op_ns", 100, "percentiles",
	    "slowest op (exact, or a bucket top as for connect_max_us)"),
	CV2("pass_p50_us", "pass_ns", 50,
	    "median stamp window (pass_ns): from a clock read of the client loop to the next read or to the wait where the SQEs it stamped go to the kernel. Every timestamp taken in the window is that one read, so its length is the width of their uncertainty. io_uring reads once per loop pass; epoll, whose syscalls run in the loop, just before and after each step's syscall, and the syscall's own time is not a window (docs/performance.md, the clock)"),
	CV2("pass_p90_us", "pass_ns", 90,
	    "90th percentile of the same"),
	CV2("pass_p99_us", "pass_ns", 99,
	    "99th percentile of the same"),
	CV2("pass_p99_9_us", "pass_ns", 99.9,
	    "99.9th percentile of the same"),
	CV2("pass_max_us", "pass_ns", 100,
	    "longest stamp window (exact, or a bucket top as for connect_max_us)"),
	C("client_user_s", RS_CT_FIX3, "s", RS_MR_SUM, NULL, 0, "cpu",
	  "user CPU of the client threads (RUSAGE_THREAD, summed)"),
	C("client_sys_s", RS_CT_FIX3, "s", RS_MR_SUM, NULL, 0, "cpu",
	  "system CPU of the client threads"),
	C("server_user_s", RS_CT_FIX3, "s", RS_MR_SUM, NULL, 0, "cpu",
	  "user CPU of the server threads"),
	C("server_sys_s", RS_CT_FIX3, "s", RS_MR_SUM, NULL, 0, "cpu",
	  "system CPU of the server threads"),
	C("process_user_s", RS_CT_FIX3, "s", RS_MR_SUM, NULL, 0, "cpu",
	  "user CPU of the whole process (RUSAGE_SELF)"),
	C("process_sys_s", RS_CT_FIX3, "s", RS_MR_SUM, NULL, 0, "cpu",
	  "system CPU of the whole process"),
	C("srv_accepted", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "connections the servers accepted"),
	C("srv_closed_fin", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "server closes done by plan `fin`"),
	C("srv_closed_rst", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "by plan `rst`"),
	C("srv_closed_unread", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "by plan `unread`"),
	C("srv_closed_shutdown", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "by plan `shutdown` (`shutdown(SHUT_WR)` calls)"),
	C("srv_open_at_stop", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "server connections still open when the servers stopped (e.g. half-closed, waiting for the client)"),
	C("srv_no_slot", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "connections accepted while every server slot was busy (closed at once). Should be 0"),
	C("srv_bad_hello", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "hellos with a wrong magic or an id out of range. Should be 0"),
	C("srv_early_eof", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "connections that ended (EOF or error) before their hello was read"),
	C("srv_unread_empty", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "`unread` closes that found nothing unread (they went out as FIN, not RST). Should be 0"),
	C("srv_accept_errors", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "server",
	  "accept completions with an error (other than cancellation)"),
	C("close_errors", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "books",
	  "the client's own close of a socket failed"),
	C("cq_overflow", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "books",
	  "event-loop passes, client and server, that found IORING_SQ_CQ_OVERFLOW set (the epoll engine's clients add nothing). Should be 0"),
	C("stray_cqes", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "books",
	  "completions, client and server, that matched no request in flight. Should be 0"),
	CE("family", RS_CT_STR, "", RS_MR_MIXED, "",
	   "the servers' address family: `ipv4`, `ipv6` (`-6`, or IPv6 targets) or `mixed` (targets of both)",
	   NULL, "ipv4"),
	CE("clock", RS_CT_STR, "", RS_MR_MIXED, "",
	   "what the time since the close is measured from: `stamp` (the servers' close stamps on the CLOCK_MONOTONIC this host shares: embedded servers, or `rststorm serve` on the same host) or `seen` (the completion of the client's wait that saw the FIN/RST: another host, several serve processes, `--foreign`). With `seen` and `--wait` other than `close`, every op counts in `before_close`",
	   NULL, "stamp"),
	CE("target", RS_CT_STR, "", RS_MR_MIXED, "",
	   "`embedded`, or the `--target` addresses separated by spaces, the first prefixed `foreign ` with `--foreign`",
	   NULL, "embedded"),
	CE("link", RS_CT_STR, "", RS_MR_SAME, "link",
	   "`none`, or the `--link` spec as rststorm writes it (`rtt=20ms`, `rtt=5ms,loss=1%`): the servers and the clients were on the two sides of an emulated link (docs/network.md)",
	   "runs over different links measure different round trips", "none"),
	CE("link_rtt_asked_us", RS_CT_U64, "us", RS_MR_SAME, "link",
	   "the round trip asked with `--link` (0 without)",
	   "runs over different links measure different round trips", "0"),
	CE("link_rtt_min_us", RS_CT_U64, "us", RS_MR_MAX, "link",
	   "the round trip measured before the run: the median over 4 connections of `tcpi_min_rtt` (5 pings each). 0: not measured (no link, or no connection got up: a lossy link); merged: the largest",
	   NULL, "0"),
	CE("link_rtt_srtt_us", RS_CT_U64, "us", RS_MR_MAX, "link",
	   "the same measurement's smoothed RTT (`tcpi_rtt`), median over the connections; 0 as above; merged: the largest",
	   NULL, "0"),
	CE("link_lost", RS_CT_U64, "", RS_MR_SUM, "link",
	   "packets the link dropped by its loss draw, both directions, measurement included (the delay line; 0 on the netem path, whose qdisc keeps its own counters)",
	   NULL, "0"),
	CE("link_dropped", RS_CT_U64, "", RS_MR_SUM, "link",
	   "packets the link dropped on a full queue or a write error, both directions. Should be 0 unless `limit=` or `rate=` is small",
	   NULL, "0"),
	CE2("op_size", RS_CT_U64, "", RS_MR_SAME, "config",
	    "`--op-size`: bytes per write op and the read ops' buffer",
	    NULL, "1"),
	CE2("server_sends", RS_CT_U64, "", RS_MR_SAME, "config",
	    "`--server-sends`: bytes the server sent before each close (0: none)",
	    NULL, "0"),
	CE2("closer", RS_CT_STR, "", RS_MR_SAME, "config",
	    "`--closer`: `server` (the client ran the ops) or `client` (the server did)",
	    NULL, "server"),
};

static const struct rs_scol c_outcomes[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "` (version `1` is read too)"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`run` (key)"),
	C("closer", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`server` (key)"),
	C("close_mode", RS_CT_MODE, "", RS_MR_KEY, NULL, 0, NULL,
	  "`fin`, `rst`, `unread`, `shutdown` (key)"),
	C("op_index", RS_CT_OPIDX, "", RS_MR_KEY, NULL, 0, NULL,
	  "1-based position in the script (key)"),
	C("op_kind", RS_CT_STR, "", RS_MR_COPY, NULL, 0, NULL,
	  "`send`, `recv` (follows from `op_index`)"),
	C("result", RS_CT_RESULT, "", RS_MR_KEY, NULL, 0, NULL,
	  "see Vocabulary (key)"),
	C("count", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "completions with this result"),
	C("share", RS_CT_FLOAT, "0..1", RS_MR_RECOMPUTE, NULL, 0, NULL,
	  "`count` / all completions of (close_mode, op_index), 6 decimals"),
};

static const struct rs_scol c_ops[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "` (version `1` is read too)"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`run` (key)"),
	C("closer", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`server` (key)"),
	C("close_mode", RS_CT_MODE, "", RS_MR_KEY, NULL, 0, NULL,
	  "key"),
	C("op_index", RS_CT_OPIDX, "", RS_MR_KEY, NULL, 0, NULL,
	  "1-based (key)"),
	C("op_kind", RS_CT_STR, "", RS_MR_COPY, NULL, 0, NULL,
	  "`send`, `sendmsg`, `send-zc`, `write`, `recv`, `read` (before `write` and `read` were their own ops: `send`, `recv`)"),
	C("issued", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "times this op was issued"),
	C("counted", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "completions counted in outcomes.csv (the sum of its rows)"),
	C("abandoned", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "issued but still in flight when the run was abandoned"),
	C("before_close", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "completions with no close stamp of this connection at or before the op's issue time. The op ran before the server's close and is in no since_close histogram"),
	C("op_p50_us", RS_CT_FLOAT, "µs", RS_MR_PCT, "op_ns", 50, NULL,
	  "median op latency: issue to completion (op_ns)"),
	CP2("op_p90_us", "op_ns", 90, NULL,
	    "90th percentile of the same"),
	C("op_p99_us", RS_CT_FLOAT, "µs", RS_MR_PCT, "op_ns", 99, NULL,
	  "99th percentile of the same"),
	CP2("op_p99_9_us", "op_ns", 99.9, NULL,
	    "99.9th percentile of the same"),
	CP2("op_max_us", "op_ns", 100, NULL,
	    "slowest (exact, as connect_max_us)"),
	C("since_close_p50_us", RS_CT_FLOAT, "µs", RS_MR_PCT, "since_close_ns", 50, NULL,
	  "median time from the server's close to the op's issue (since_close_ns)"),
	CP2("since_close_p90_us", "since_close_ns", 90, NULL,
	    "90th percentile of the same"),
	C("since_close_p99_us", RS_CT_FLOAT, "µs", RS_MR_PCT, "since_close_ns", 99, NULL,
	  "99th percentile of the same"),
	CP2("since_close_p99_9_us", "since_close_ns", 99.9, NULL,
	    "99.9th percentile of the same"),
	CP2("since_close_max_us", "since_close_ns", 100, NULL,
	    "largest (as op_max_us)"),
	CE2("bytes", RS_CT_U64, "", RS_MR_SUM, NULL,
	   "bytes the op's `ok` completions moved: data read (e.g. `--server-sends`), or written (`--op-size` each, less when short). The close's result is counted apart, in outcomes.csv (a read that returns data is `ok`)",
	   NULL, "0"),
};

static const struct rs_scol c_failures[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "` (version `1` is read too)"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`run` (key)"),
	C("closer", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`server` (key)"),
	C("phase", RS_CT_PHASE, "", RS_MR_KEY, NULL, 0, NULL,
	  "`socket`, `connect`, `hello`, `wait`, `ops`, `close` (key)"),
	C("result", RS_CT_FRESULT, "", RS_MR_KEY, NULL, 0, NULL,
	  "the result that failed the connection, or `abandoned` (key)"),
	C("count", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "connections"),
};

static const struct rs_scol c_histograms[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "` (version `1` is read too)"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`run` (key)"),
	C("closer", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`server` (key)"),
	C("histogram", RS_CT_HIST, "", RS_MR_KEY, NULL, 0, NULL,
	  "`connect_ns`, `op_ns`, `since_close_ns`, `since_close_err_ns`, `pass_ns` (the client loop's pass durations) (key)"),
	C("close_mode", RS_CT_HMODE, "", RS_MR_KEY, NULL, 0, NULL,
	  "a close mode, or `all` for connect_ns and pass_ns (key)"),
	C("op_index", RS_CT_HOPIDX, "", RS_MR_KEY, NULL, 0, NULL,
	  "1-based op, or `0` for connect_ns and pass_ns (key)"),
	C("op_kind", RS_CT_STR, "", RS_MR_COPY, NULL, 0, NULL,
	  "`send`, `recv`, `connect` for connect_ns, `pass` for pass_ns"),
	C("bucket_lo_ns", RS_CT_U64, "ns", RS_MR_KEY, NULL, 0, NULL,
	  "lowest value in the bucket, inclusive (key)"),
	C("bucket_hi_ns", RS_CT_U64, "ns", RS_MR_COPY, NULL, 0, NULL,
	  "highest value in the bucket, inclusive"),
	C("count", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "values recorded in the bucket"),
};

static const struct rs_scol c_hold[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, "",
	  "`" RS_STR(RS_CSV_SCHEMA) "` (version `1` is read too)"),
	C("scenario", RS_CT_STR, "", RS_MR_NONE, NULL, 0, "hold",
	  "`run`"),
	C("concurrency", RS_CT_U64, "", RS_MR_NONE, NULL, 0, "hold",
	  "`-c`: connections asked for, each slot connecting once"),
	C("established", RS_CT_U64, "", RS_MR_NONE, NULL, 0, "hold",
	  "connections the servers held (hello read) when the storm was called: `-c` when all came up before the `-d` deadline"),
	C("establish_s", RS_CT_FIX6, "s", RS_MR_NONE, NULL, 0, "hold",
	  "from the clients' start to the last connection held"),
	C("storm_s", RS_CT_SDEC, "s", RS_MR_NONE, NULL, 0, "hold",
	  "from the storm's call to the completion of the last server's last close action (close, or the shutdown of `shutdown` mode); `-1.000000` if a server never finished"),
	C("drain_s", RS_CT_FIX6, "s", RS_MR_NONE, NULL, 0, "hold",
	  "from the storm's call until every client thread had finished (ops run, sockets closed)"),
	C("rss_before_kb", RS_CT_U64, "KiB", RS_MR_NONE, NULL, 0, "hold",
	  "VmRSS (/proc/self/status) before the run allocated anything for its slots, rings or threads"),
	C("rss_held_kb", RS_CT_U64, "KiB", RS_MR_NONE, NULL, 0, "hold",
	  "VmRSS when the storm was called, with `established` connections held"),
	C("bytes_per_conn", RS_CT_FLOAT, "bytes", RS_MR_NONE, NULL, 0, "hold",
	  "`(rss_held_kb - rss_before_kb) * 1024 / established`: rststorm's own memory per connection (slots, rings, thread stacks); socket memory is the kernel's and is not in it"),
	C("slab_before_kb", RS_CT_U64, "KiB", RS_MR_NONE, NULL, 0, "hold",
	  "the kernel's `Slab` (/proc/meminfo) before the run: host-wide, other processes included"),
	C("slab_held_kb", RS_CT_U64, "KiB", RS_MR_NONE, NULL, 0, "hold",
	  "`Slab` when the storm was called"),
	C("kernel_bytes_per_conn", RS_CT_FLOAT, "bytes", RS_MR_NONE, NULL, 0, "hold",
	  "`(slab_held_kb - slab_before_kb) * 1024 / established`: the kernel's slab memory per connection, client and server socket (TCP, sock_inode_cache, filp, dentry, ...); host-wide, so other work on the host moves it"),
	C("client_threads", RS_CT_U64, "", RS_MR_NONE, NULL, 0, "hold",
	  "client rings, as run (the defaults grow to fit the per-ring limit)"),
	C("server_threads", RS_CT_U64, "", RS_MR_NONE, NULL, 0, "hold",
	  "server rings, as run"),
	C("ports", RS_CT_U64, "", RS_MR_NONE, NULL, 0, "hold",
	  "listeners, as run"),
	C("sources", RS_CT_U64, "", RS_MR_NONE, NULL, 0, "hold",
	  "`--sources`"),
	C("client_sockets", RS_CT_STR, "", RS_MR_NONE, NULL, 0, "hold",
	  "as in summary.csv"),
	C("accept", RS_CT_STR, "", RS_MR_NONE, NULL, 0, "hold",
	  "as in summary.csv"),
};

static const struct rs_scol c_run_mib[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "1"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`run`"),
	C("scope", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, NULL,
	  "`netns` or `host`"),
	C("counter", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`Prefix.Name`: Tcp.OutRsts, Tcp.EstabResets, Tcp.AttemptFails, Tcp.ActiveOpens, Tcp.PassiveOpens, TcpExt.TCPAbortOnClose, TcpExt.TCPAbortOnData, TcpExt.TCPAbortOnLinger, TcpExt.ListenOverflows, TcpExt.ListenDrops, in that order"),
	C("before", RS_CT_I64, "", RS_MR_SUM, NULL, 0, NULL,
	  "value before the run"),
	C("after", RS_CT_I64, "", RS_MR_SUM, NULL, 0, NULL,
	  "value after"),
	C("delta", RS_CT_I64, "", RS_MR_SUM, NULL, 0, NULL,
	  "after - before"),
};

static const struct rs_scol c_check[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, "",
	  "1"),
	CW("tool_version", RS_CT_STR, "", RS_MR_SAME, NULL, 0, "config",
	  "`RS_VERSION`: the expectation table belongs to it",
	   "results of different versions do not add up"),
	C("started_utc", RS_CT_STR, "", RS_MR_EARLIEST, NULL, 0, "config",
	  "wall clock at the start"),
	C("kernel_release", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "`uname -r`"),
	C("machine", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "`uname -m`"),
	C("liburing_version", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "at build time"),
	C("ring_flags", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "the probed setup flags (as in summary.csv); SQPOLL scenarios use `IORING_SETUP_SQPOLL` alone"),
	C("client_sockets", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "the load's client sockets: `io_uring-direct` or `socket(2)`"),
	C("accept", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, "path",
	  "the load servers' accept: `multishot` or `single-shot`"),
	C("trials", RS_CT_U64, "", RS_MR_SUM, NULL, 0, "config",
	  "`--trials`: per scenario and phase"),
	CW("load_c", RS_CT_U64, "", RS_MR_SAME, NULL, 0, "config",
	  "`--load-c`: load connections in flight in the loaded phase (0: no loaded phase)",
	   "the loaded phase ran under a different load"),
	CW("parallel", RS_CT_U64, "", RS_MR_SAME, NULL, 0, "config",
	  "`--parallel`: trials in flight at once",
	   "trials in flight at once differ (races, SIGPIPE coalescing)"),
	CW("gap_s", RS_CT_FIX3, "s", RS_MR_SAME, NULL, 0, "config",
	  "`--gap`",
	   "the seeds' timing differs"),
	CW("timeout_s", RS_CT_FIX3, "s", RS_MR_SAME, NULL, 0, "config",
	  "`--timeout`",
	   "what counts as a timeout differs"),
	CW("closer", RS_CT_STR, "", RS_MR_SAME, NULL, 0, "config",
	  "`--closer`: `server`, `client`, or `default` (each scenario's own)",
	   "the side that closes differs"),
	C("netns", RS_CT_BIT, "", RS_MR_AND, NULL, 0, "config",
	  "`--netns`: counters are the run's own and were judged"),
	C("scenarios", RS_CT_U64, "", RS_MR_RECOMPUTE, NULL, 0, "totals",
	  "scenarios run"),
	C("pass", RS_CT_U64, "", RS_MR_RECOMPUTE, NULL, 0, "totals",
	  "(scenario, phase) verdicts PASS"),
	C("measured", RS_CT_U64, "", RS_MR_RECOMPUTE, NULL, 0, "totals",
	  "verdicts MEASURED"),
	C("diff", RS_CT_U64, "", RS_MR_RECOMPUTE, NULL, 0, "totals",
	  "verdicts DIFF"),
	C("counter_mismatches", RS_CT_U64, "", RS_MR_RECOMPUTE, NULL, 0, "totals",
	  "counters outside their expected range (with `--netns`)"),
	C("exit_status", RS_CT_U64, "", RS_MR_RECOMPUTE, NULL, 0, "totals",
	  "the exit status check returned"),
	CE("family", RS_CT_STR, "", RS_MR_MIXED, "",
	   "`ipv4` (127.0.0.1), or `ipv6` with `check -6` (the trials' pairs and the load over ::1); `mixed` in a merge of both",
	   NULL, "ipv4"),
};

static const struct rs_scol c_verdicts[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "1"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "catalogue name (key)"),
	C("phase", RS_CT_CPHASE, "", RS_MR_KEY, NULL, 0, NULL,
	  "`alone` or `load` (key)"),
	C("closer", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "`server` or `client`: the side that closed (key)"),
	C("close_mode", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "`fin`, `rst`, `unread`, `shutdown`"),
	C("wait", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "`observed` (the victim's ops wait for a poll to see the close), `none` (ops at once, same CPU), `xcpu` (the close runs on another CPU while the ops are issued)"),
	C("path", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "`inline`, `io-wq` (IOSQE_ASYNC) or `sqpoll`"),
	C("load_c", RS_CT_U64, "", RS_MR_SAME, NULL, 0, NULL,
	  "load connections in flight (0 alone)"),
	C("trials", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "trials run to the end"),
	C("setup_failed", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "trials whose connection pair could not be opened"),
	C("verdict", RS_CT_VERDICT, "", RS_MR_RECOMPUTE, NULL, 0, NULL,
	  "`PASS`, `DIFF` or `MEASURED`"),
	C("sigpipe", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "SIGPIPE deliveries counted by a handler during the phase"),
	C("sigpipe_expected", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, NULL,
	  "`none`, `per-EPIPE` (one per EPIPE), `1..per-EPIPE` (io_uring ops: at least one, coalesced per io_uring_enter), `measured`"),
	C("epipe_writes", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "EPIPE results of write ops after the close"),
	C("load_conns", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "load connections completed during the phase"),
	C("elapsed_s", RS_CT_FIX3, "s", RS_MR_SUM, NULL, 0, NULL,
	  "the phase's length"),
	C("detail", RS_CT_STR, "", RS_MR_RECOMPUTE, NULL, 0, NULL,
	  "why a DIFF, or `-`"),
};

static const struct rs_scol c_cells[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "1"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "key"),
	C("phase", RS_CT_CPHASE, "", RS_MR_KEY, NULL, 0, NULL,
	  "`alone`, `load` (key)"),
	C("closer", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "key"),
	C("close_mode", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "key"),
	C("op_index", RS_CT_OPIDX, "", RS_MR_KEY, NULL, 0, NULL,
	  "1-based (key)"),
	C("op_kind", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "`send`, `sendmsg`, `write`, `send-flags0`, `recv`, `read` (io_uring ops), `sys-send`, `sys-write`, `sys-recv`, `sys-read` (plain syscalls), `so-error` (getsockopt SO_ERROR: `ok` = no error pending, else the errno) (key)"),
	C("result", RS_CT_RESULT, "", RS_MR_KEY, NULL, 0, NULL,
	  "see Vocabulary (key)"),
	C("count", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "trials with this result"),
	C("share", RS_CT_FLOAT, "", RS_MR_RECOMPUTE, NULL, 0, NULL,
	  "count / trials, 6 decimals"),
	C("expected", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "the expected result(s): `EPIPE`, `ok\\|EPIPE`"),
	C("judged", RS_CT_JUDGED, "", RS_MR_SAME, NULL, 0, NULL,
	  "`exact` (any other result is a DIFF) or `measured` (a share)"),
	C("ci_lo", RS_CT_FLOAT, "", RS_MR_RECOMPUTE, NULL, 0, NULL,
	  "95 % Wilson score interval of `share`, low end"),
	C("ci_hi", RS_CT_FLOAT, "", RS_MR_RECOMPUTE, NULL, 0, NULL,
	  "high end"),
};

static const struct rs_scol c_check_mib[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "1"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "key"),
	C("phase", RS_CT_CPHASE, "", RS_MR_KEY, NULL, 0, NULL,
	  "key"),
	C("scope", RS_CT_STR, "", RS_MR_MIXED, NULL, 0, NULL,
	  "`netns` or `host`"),
	C("counter", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in the run's mib.csv (key)"),
	C("delta", RS_CT_I64, "", RS_MR_SUM, NULL, 0, NULL,
	  "after - before the phase"),
	C("expected_lo", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "lowest value the trials and load allow"),
	C("expected_hi", RS_CT_HI, "", RS_MR_SUM, NULL, 0, NULL,
	  "highest"),
	C("status", RS_CT_STATUS, "", RS_MR_RECOMPUTE, NULL, 0, NULL,
	  "`ok`, `MISMATCH`, or `not-judged` (host scope: other traffic counts too)"),
};

/* rst_reasons.csv of check: the RSTs traced (tcp:tcp_send_reset) that
 * belong to the phase's trials, by sender and the kernel's reason */
static const struct rs_scol c_check_rst[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "1"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "key"),
	C("phase", RS_CT_CPHASE, "", RS_MR_KEY, NULL, 0, NULL,
	  "key"),
	C("side", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "the sender: `server` (the trial's accepted socket) or `client`; `-` on a status row"),
	C("role", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`closer` or `victim` (follows from side and the scenario); `listener`: an RST with a trial listener's port at one end and no trial's (the listener's own answer to a late segment of a trial whose socket was gone: the event names no pair, so it is tied to no trial); `-` on a status row"),
	C("state", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "the sender's TCP state as traced (`TCP_CLOSE`...; `UNKNOWN`: no socket)"),
	C("reason", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "enum sk_rst_reason as traced (`TCP_STATE`, `TCP_ABORT_ON_CLOSE`, `TCP_ABORT_ON_DATA`, `NO_SOCKET`...); `-` without the field"),
	C("count", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "RSTs of this key in the phase (merge does not read the file yet; its rule would be: added by key)"),
	C("status", RS_CT_STR, "", RS_MR_NONE, NULL, 0, NULL,
	  "`exact` (every trial as the model says), `DIFF` (some trial not: printed), `measured` (racy trials only), `overrun` (the trace lost events), `no-reason` (kernel < 6.10: counters only), `no-trace` (no tracefs or no permission: counters only)"),
};

/* rst_reasons.csv of run: the RSTs traced with an end on the run's
 * listening ports */
static const struct rs_scol c_run_rst[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "1"),
	C("close_mode", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "the run's close mode (`fin`, `rst`, `unread`, `shutdown`), or `mixed` when --close mixes several: an RST is not tied to its connection's mode"),
	C("side", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "the sender: `server` (source port a listening port of the run) or `client`; `-` on a status row"),
	C("state", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in check's rst_reasons.csv"),
	C("reason", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in check's rst_reasons.csv"),
	C("count", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "RSTs of this key in the run"),
	C("status", RS_CT_STR, "", RS_MR_NONE, NULL, 0, NULL,
	  "`traced`, `overrun` (the trace lost events), `no-reason` (kernel < 6.10), `no-trace` (no tracefs or no permission)"),
};

/* intervals.csv of run --interval: one row per interval */
#define IVP(w, h, what)                                                    \
	C(w "_p50_us", RS_CT_FLOAT, "µs", RS_MR_NONE, NULL, 0, NULL,          \
	  "median " what " latency in the interval (" h ")"),                \
	C(w "_p90_us", RS_CT_FLOAT, "µs", RS_MR_NONE, NULL, 0, NULL,          \
	  "90th percentile of the same"),                                   \
	C(w "_p99_us", RS_CT_FLOAT, "µs", RS_MR_NONE, NULL, 0, NULL,          \
	  "99th percentile of the same"),                                   \
	C(w "_p99_9_us", RS_CT_FLOAT, "µs", RS_MR_NONE, NULL, 0, NULL,        \
	  "99.9th percentile of the same"),                                 \
	C(w "_max_us", RS_CT_FLOAT, "µs", RS_MR_NONE, NULL, 0, NULL,          \
	  "largest: exact when it is the run's largest so far, else the top of the highest non-empty bucket (~3 %)")

static const struct rs_scol c_intervals[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "`"),
	C("interval", RS_CT_U64, "", RS_MR_KEY, NULL, 0, NULL,
	  "0, 1, 2, ...: the interval's number (key)"),
	C("t_start_s", RS_CT_FIX3, "s", RS_MR_NONE, NULL, 0, NULL,
	  "`interval` x `--interval`, since the clients' start"),
	C("t_end_s", RS_CT_FIX3, "s", RS_MR_NONE, NULL, 0, NULL,
	  "`t_start_s` + `--interval`; the last interval ends at the run's `elapsed_s`"),
	C("conns_started", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "connections begun in the interval; the column adds up to summary.csv's `conns_started`, and so do the next three"),
	C("conns_completed", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "connections completed in the interval"),
	C("conns_failed", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "connections failed in the interval"),
	C("conns_abandoned", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "connections abandoned (only in the last intervals: at the run's end)"),
	C("ops_completed", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "op completions, errors included: the sum of the interval's interval_ops.csv counts; adds up to summary.csv's `ops_completed`"),
	C("conns_per_s", RS_CT_FLOAT, "1/s", RS_MR_NONE, NULL, 0, NULL,
	  "`conns_completed / (t_end_s - t_start_s)`"),
	C("ops_per_s", RS_CT_FLOAT, "1/s", RS_MR_NONE, NULL, 0, NULL,
	  "`ops_completed / (t_end_s - t_start_s)`"),
	C("errors_per_s", RS_CT_FLOAT, "1/s", RS_MR_NONE, NULL, 0, NULL,
	  "`conns_failed / (t_end_s - t_start_s)`"),
	IVP("connect", "connect_ns", "connect"),
	IVP("op", "op_ns", "op (all modes and ops)"),
};

/* interval_ops.csv of run --interval: outcomes.csv's counts by interval */
static const struct rs_scol c_interval_ops[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "`"),
	C("interval", RS_CT_U64, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in intervals.csv (key)"),
	C("close_mode", RS_CT_MODE, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in outcomes.csv (key)"),
	C("op_index", RS_CT_OPIDX, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in outcomes.csv (key)"),
	C("op_kind", RS_CT_STR, "", RS_MR_NONE, NULL, 0, NULL,
	  "as in outcomes.csv"),
	C("result", RS_CT_RESULT, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in outcomes.csv (key)"),
	C("count", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "completions with this result in the interval (no row for 0); per (close_mode, op_index, result) the rows add up to outcomes.csv's `count`"),
};

/* sequences.csv of check: each distinct sequence of per-op results a
 * trial gave, with its count */
static const struct rs_scol c_sequences[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "`"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in cells.csv (key)"),
	C("phase", RS_CT_CPHASE, "", RS_MR_KEY, NULL, 0, NULL,
	  "`alone`, `load` (key)"),
	C("closer", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "as in cells.csv"),
	C("close_mode", RS_CT_STR, "", RS_MR_SAME, NULL, 0, NULL,
	  "as in cells.csv"),
	C("sequence", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "the results of the trial's ops in order, joined by commas (`ok,ok,EPIPE`), or `other` for the trials whose sequence came after 64 distinct ones (key)"),
	C("count", RS_CT_U64, "", RS_MR_SUM, NULL, 0, NULL,
	  "trials that gave this sequence; the phase's rows add up to its `trials` (verdicts.csv)"),
	C("share", RS_CT_FLOAT, "", RS_MR_RECOMPUTE, NULL, 0, NULL,
	  "count / trials, 6 decimals"),
};

/* compare.csv: the key of the cells compared (cells.csv's for check
 * reports, outcomes.csv's for run reports), then both sides and the test */
#define CMP_TAIL                                                              \
	C("count_a", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,                \
	  "the cell's count in A (0 when absent)"),                           \
	C("total_a", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,                \
	  "the op's total in A (0: the op is not in A)"),                     \
	C("share_a", RS_CT_FIX6, "0..1", RS_MR_NONE, NULL, 0, NULL,           \
	  "count_a / total_a, 6 decimals (0 when the total is 0)"),           \
	C("count_b", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,                \
	  "the cell's count in B (0 when absent)"),                           \
	C("total_b", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,                \
	  "the op's total in B (0: the op is not in B)"),                     \
	C("share_b", RS_CT_FIX6, "0..1", RS_MR_NONE, NULL, 0, NULL,           \
	  "count_b / total_b, 6 decimals"),                                   \
	C("test", RS_CT_STR, "", RS_MR_NONE, NULL, 0, NULL,                   \
	  "`exact` (result sets compared), `welch-blocks` (both sides have "  \
	  ">= 2 blocks), `fisher` (no blocks), or `missing` (op in one "      \
	  "report only)"),                                                    \
	C("p_value", RS_CT_PVAL, "", RS_MR_NONE, NULL, 0, NULL,               \
	  "the test's two-sided p, `%.6g`; `-` for `exact` and `missing`"),   \
	C("p_adjusted", RS_CT_PVAL, "", RS_MR_NONE, NULL, 0, NULL,            \
	  "`welch-blocks`: p after Holm over all such cells; else `-`"),      \
	C("blocks_a", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,               \
	  "`welch-blocks`: A's blocks that ran the op (else 0)"),             \
	C("blocks_b", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,               \
	  "`welch-blocks`: B's blocks that ran the op (else 0)"),             \
	C("sd_a", RS_CT_FIX6, "0..1", RS_MR_NONE, NULL, 0, NULL,              \
	  "sd of A's block shares (0 without blocks)"),                       \
	C("sd_b", RS_CT_FIX6, "0..1", RS_MR_NONE, NULL, 0, NULL,              \
	  "sd of B's block shares"),                                          \
	C("diff", RS_CT_SDEC, "0..1", RS_MR_NONE, NULL, 0, NULL,              \
	  "share_b - share_a, 6 decimals"),                                   \
	C("decision", RS_CT_STR, "", RS_MR_NONE, NULL, 0, NULL,               \
	  "`same`, `different`, or `unknown` (`fisher` without `--strict`: the spread between runs is unknown, not judged)"), \
	C("differs", RS_CT_BIT, "", RS_MR_NONE, NULL, 0, NULL,                \
	  "1 when the cell fails the comparison, else 0")

static const struct rs_scol c_cmp_run[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL, "`1`"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in outcomes.csv"),
	C("closer", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in outcomes.csv"),
	C("close_mode", RS_CT_MODE, "", RS_MR_KEY, NULL, 0, NULL, "as in outcomes.csv"),
	C("op_index", RS_CT_OPIDX, "", RS_MR_KEY, NULL, 0, NULL, "as in outcomes.csv"),
	C("op_kind", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in outcomes.csv"),
	C("result", RS_CT_RESULT, "", RS_MR_KEY, NULL, 0, NULL, "as in outcomes.csv"),
	CMP_TAIL,
};

static const struct rs_scol c_cmp_check[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL, "`1`"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in cells.csv"),
	C("phase", RS_CT_CPHASE, "", RS_MR_KEY, NULL, 0, NULL, "as in cells.csv"),
	C("closer", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in cells.csv"),
	C("close_mode", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in cells.csv"),
	C("op_index", RS_CT_OPIDX, "", RS_MR_KEY, NULL, 0, NULL, "as in cells.csv"),
	C("op_kind", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in cells.csv"),
	C("result", RS_CT_RESULT, "", RS_MR_KEY, NULL, 0, NULL, "as in cells.csv"),
	CMP_TAIL,
};

static const struct rs_scol c_cmp_seq[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL, "`1`"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in sequences.csv"),
	C("phase", RS_CT_CPHASE, "", RS_MR_KEY, NULL, 0, NULL, "as in sequences.csv"),
	C("sequence", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL, "as in sequences.csv"),
	C("count_a", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "the sequence's count in A (0: only in B)"),
	C("total_a", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "the phase's trials in A (the sum of its sequences)"),
	C("share_a", RS_CT_FIX6, "0..1", RS_MR_NONE, NULL, 0, NULL,
	  "count_a / total_a, 6 decimals"),
	C("count_b", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "the sequence's count in B (0: only in A)"),
	C("total_b", RS_CT_U64, "", RS_MR_NONE, NULL, 0, NULL,
	  "the phase's trials in B"),
	C("share_b", RS_CT_FIX6, "0..1", RS_MR_NONE, NULL, 0, NULL,
	  "count_b / total_b, 6 decimals"),
	C("only_in", RS_CT_STR, "", RS_MR_NONE, NULL, 0, NULL,
	  "`A` or `B` when the sequence occurred in one report only, else `-`"),
	C("p_value", RS_CT_PVAL, "", RS_MR_NONE, NULL, 0, NULL,
	  "Fisher's two-sided p of the two shares, `%.6g`"),
	C("differs", RS_CT_BIT, "", RS_MR_NONE, NULL, 0, NULL,
	  "1 when p_value < alpha, else 0 (judged under --strict only: a sequence's share has no blocks)"),
};

/* blocks.csv: the replicate blocks of --repeat N (or the inputs of a
 * merge), so compare can see the spread between runs of one
 * configuration; rows as outcomes.csv's (cells.csv's) with the block */
static const struct rs_scol c_run_blocks[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "`"),
	C("block", RS_CT_U64, "", RS_MR_BLOCK, NULL, 0, NULL,
	  "1-based block number (key); merge renumbers the blocks of all inputs, ordered by seed, then by their rows"),
	C("seed", RS_CT_U64, "", RS_MR_BLOCK, NULL, 0, NULL,
	  "the block's plan seed (`--seed` for block 1, derived for the others)"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`run` (key)"),
	C("closer", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "`server` (key)"),
	C("close_mode", RS_CT_MODE, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in outcomes.csv (key)"),
	C("op_index", RS_CT_OPIDX, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in outcomes.csv (key)"),
	C("op_kind", RS_CT_STR, "", RS_MR_COPY, NULL, 0, NULL,
	  "as in outcomes.csv"),
	C("result", RS_CT_RESULT, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in outcomes.csv (key)"),
	C("count", RS_CT_U64, "", RS_MR_BLOCK, NULL, 0, NULL,
	  "completions with this result in the block; a block's counts add to its op totals, all blocks' to outcomes.csv"),
};

static const struct rs_scol c_check_blocks[] = {
	C("schema_version", RS_CT_SCHEMA, "", RS_MR_SCHEMA, NULL, 0, NULL,
	  "`" RS_STR(RS_CSV_SCHEMA) "`"),
	C("block", RS_CT_U64, "", RS_MR_BLOCK, NULL, 0, NULL,
	  "1-based block number (key); merge renumbers as for run reports"),
	C("scenario", RS_CT_STR, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in cells.csv (key)"),
	C("phase", RS_CT_CPHASE, "", RS_MR_KEY, NULL, 0, NULL,
	  "`alone`, `load` (key)"),
	C("op_index", RS_CT_OPIDX, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in cells.csv (key)"),
	C("op_kind", RS_CT_STR, "", RS_MR_COPY, NULL, 0, NULL,
	  "as in cells.csv"),
	C("result", RS_CT_RESULT, "", RS_MR_KEY, NULL, 0, NULL,
	  "as in cells.csv (key)"),
	C("count", RS_CT_U64, "", RS_MR_BLOCK, NULL, 0, NULL,
	  "trials with this result in the block; all blocks' add to cells.csv"),
};

/* ------------------------------------------------------------- files */

static const char *const k_outcomes[] = { "scenario", "closer", "close_mode",
					  "op_index", "result", NULL };
static const char *const k_ops[] = { "scenario", "closer", "close_mode",
				     "op_index", NULL };
static const char *const k_failures[] = { "scenario", "closer", "phase",
					  "result", NULL };
/* connect_ns and pass_ns (close_mode all, op 0) first, then per mode and
 * op: op_ns, since_close_ns, since_close_err_ns, as the writer does */
static const char *const k_histograms[] = { "scenario", "closer",
					    "close_mode", "op_index",
					    "histogram", "bucket_lo_ns", NULL };
static const char *const k_run_mib[] = { "scenario", "counter", NULL };
static const char *const k_verdicts[] = { "scenario", "phase", NULL };
static const char *const k_cells[] = { "scenario", "phase", "op_index",
				       "result", NULL };
static const char *const k_check_mib[] = { "scenario", "phase", "counter", NULL };
static const char *const k_check_rst[] = { "scenario", "phase", "side",
					   "role", "state", "reason", NULL };
static const char *const k_run_rst[] = { "close_mode", "side", "state",
					 "reason", NULL };
static const char *const k_intervals[] = { "interval", NULL };
static const char *const k_interval_ops[] = { "interval", "close_mode",
					      "op_index", "result", NULL };
static const char *const k_sequences[] = { "scenario", "phase", "sequence",
					   NULL };
static const char *const k_cmp_seq[] = { "scenario", "phase", "sequence",
					 NULL };
static const char *const k_run_blocks[] = { "block", "scenario", "closer",
					    "close_mode", "op_index", "result",
					    NULL };
static const char *const k_check_blocks[] = { "block", "scenario", "phase",
					      "op_index", "result", NULL };
static const char *const k_cmp_run[] = { "scenario", "closer", "close_mode",
					 "op_index", "op_kind", "result",
					 NULL };
static const char *const k_cmp_check[] = { "scenario", "phase", "closer",
					   "close_mode", "op_index", "op_kind",
					   "result", NULL };

#define N(a) (unsigned)(sizeof(a) / sizeof(a[0]))
#define FD(id, nm, ident, doc, k, req, rb, one, js, c, key) \
	[id] = { nm, ident, doc, k, req, rb, one, js, c, N(c), key, N(key) - 1 }
#define F(id, nm, k, req, rb, one, js, c, key)                             \
	FD(id, nm, (k) == RS_RKIND_RUN ? "run/" nm : "check/" nm, "csv.md", \
	   k, req, rb, one, js, c, key)
/* a one-row file has no key (NULL); the key arrays end in NULL too, so
 * that N() - 1 counts them the same way */
static const char *const NOKEY[] = { NULL };

static const struct rs_sfile files[RS_RF_N] = {
	F(RS_RF_SUMMARY, "summary.csv", RS_RKIND_RUN, true, true, true,
	  "summary", c_summary, NOKEY),
	F(RS_RF_OUTCOMES, "outcomes.csv", RS_RKIND_RUN, true, true, false,
	  "outcomes", c_outcomes, k_outcomes),
	F(RS_RF_OPS, "ops.csv", RS_RKIND_RUN, true, true, false, "ops", c_ops,
	  k_ops),
	F(RS_RF_FAILURES, "failures.csv", RS_RKIND_RUN, true, true, false,
	  "failures", c_failures, k_failures),
	F(RS_RF_HISTOGRAMS, "histograms.csv", RS_RKIND_RUN, true, true, false,
	  "histograms", c_histograms, k_histograms),
	F(RS_RF_RUN_MIB, "mib.csv", RS_RKIND_RUN, false, true, false, "mib",
	  c_run_mib, k_run_mib),
	F(RS_RF_CHECK, "check.csv", RS_RKIND_CHECK, true, true, true, "check",
	  c_check, NOKEY),
	F(RS_RF_VERDICTS, "verdicts.csv", RS_RKIND_CHECK, true, true, false,
	  "verdicts", c_verdicts, k_verdicts),
	F(RS_RF_CELLS, "cells.csv", RS_RKIND_CHECK, true, true, false, "cells",
	  c_cells, k_cells),
	F(RS_RF_CHECK_MIB, "mib.csv", RS_RKIND_CHECK, false, true, false, "mib",
	  c_check_mib, k_check_mib),
	F(RS_RF_HOLD, "hold.csv", RS_RKIND_RUN, false, false, true, "hold",
	  c_hold, NOKEY),
	F(RS_RF_CHECK_RST, "rst_reasons.csv", RS_RKIND_CHECK, false, false,
	  false, "rst_reasons", c_check_rst, k_check_rst),
	F(RS_RF_RUN_RST, "rst_reasons.csv", RS_RKIND_RUN, false, false,
	  false, "rst_reasons", c_run_rst, k_run_rst),
	F(RS_RF_INTERVALS, "intervals.csv", RS_RKIND_RUN, false, false, false,
	  "intervals", c_intervals, k_intervals),
	F(RS_RF_INTERVAL_OPS, "interval_ops.csv", RS_RKIND_RUN, false, false,
	  false, "interval_ops", c_interval_ops, k_interval_ops),
	F(RS_RF_SEQUENCES, "sequences.csv", RS_RKIND_CHECK, false, true, false,
	  "sequences", c_sequences, k_sequences),
	FD(RS_RF_CMP_RUN, "compare.csv", "compare/run", "compare.md",
	   RS_RKIND_RUN, false, false, false, "cells", c_cmp_run, k_cmp_run),
	FD(RS_RF_CMP_CHECK, "compare.csv", "compare/check", "compare.md",
	   RS_RKIND_CHECK, false, false, false, "cells", c_cmp_check,
	   k_cmp_check),
	FD(RS_RF_CMP_SEQ, "compare_sequences.csv", "compare/sequences",
	   "compare.md", RS_RKIND_CHECK, false, false, false, "sequences",
	   c_cmp_seq, k_cmp_seq),
	FD(RS_RF_RUN_BLOCKS, "blocks.csv", "run/blocks.csv", "csv.md",
	   RS_RKIND_RUN, false, true, false, "blocks", c_run_blocks,
	   k_run_blocks),
	FD(RS_RF_CHECK_BLOCKS, "blocks.csv", "check/blocks.csv", "csv.md",
	   RS_RKIND_CHECK, false, true, false, "blocks", c_check_blocks,
	   k_check_blocks),
};
#undef F
#undef FD

const struct rs_sfile *rs_schema_file(enum rs_rfile f)
{
	return &files[f];
}

const struct rs_scol *rs_schema_col(enum rs_rfile f, unsigned col)
{
	return &files[f].cols[col];
}

int rs_schema_find(enum rs_rfile f, const char *name)
{
	for (unsigned i = 0; i < files[f].ncols; i++)
		if (strcmp(files[f].cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

void rs_schema_header(enum rs_rfile f, FILE *out)
{
	for (unsigned i = 0; i < files[f].ncols; i++)
		fprintf(out, "%s%s", i ? "," : "", files[f].cols[i].name);
	fputc('\n', out);
}

/* -------------------------------------------------------------- types */

static int rank_in(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static bool is_phase(const char *s)
{
	for (unsigned p = 0; p < RS_PH_N; p++)
		if (strcmp(s, rs_phase_name(p)) == 0)
			return true;
	return false;
}

static const char *const hist_names[] = { "connect_ns", "op_ns",
					  "since_close_ns",
					  "since_close_err_ns", "pass_ns" };

bool rs_schema_type_ok(enum rs_ctype t, const char *s, const char **why)
{
	static const char *const cphase[] = { "alone", "load" };
	static const char *const judged[] = { "exact", "measured" };
	static const char *const status[] = { "ok", "MISMATCH",
					      "not-judged" };
	uint64_t u;
	int64_t i;
	double d;

	switch (t) {
	case RS_CT_SCHEMA:
		/* every version the reader takes (repdir.c maps the older
		 * ones' columns); the writers write RS_CSV_SCHEMA */
		*why = RS_STR(RS_CSV_SCHEMA_MIN) " .. " RS_STR(RS_CSV_SCHEMA);
		return rs_csv_u64(s, &u) == 0 && u >= RS_CSV_SCHEMA_MIN &&
		       u <= RS_CSV_SCHEMA;
	case RS_CT_STR:
	case RS_CT_TIME:
		*why = "a non-empty field";
		return *s != '\0';
	case RS_CT_U64:
		*why = "a whole number (0 .. 2^64-1)";
		return rs_csv_u64(s, &u) == 0;
	case RS_CT_I64:
		*why = "a whole number, 64-bit signed";
		return rs_csv_i64(s, &i) == 0;
	case RS_CT_FIX3:
		*why = "a decimal number >= 0 with at most 3 decimals";
		return rs_csv_fixed(s, 3, &u) == 0;
	case RS_CT_FIX6:
		*why = "a decimal number >= 0 with at most 6 decimals";
		return rs_csv_fixed(s, 6, &u) == 0;
	case RS_CT_FLOAT:
		*why = "a decimal number >= 0";
		return rs_csv_float(s, &d) == 0;
	case RS_CT_SDEC:
		*why = "a decimal number";
		return rs_csv_float(s[0] == '-' ? s + 1 : s, &d) == 0;
	case RS_CT_MODE:
		*why = "fin, rst, unread or shutdown";
		return rs_close_from_name(s) >= 0;
	case RS_CT_HMODE:
		*why = "fin, rst, unread, shutdown or all";
		return strcmp(s, "all") == 0 || rs_close_from_name(s) >= 0;
	case RS_CT_RESULT:
		*why = "a result name (ok, eof, timeout, short, EPIPE, ...)";
		return rs_result_from_name(s) >= 0;
	case RS_CT_FRESULT:
		*why = "a result name or abandoned";
		return strcmp(s, "abandoned") == 0 ||
		       rs_result_from_name(s) >= 0;
	case RS_CT_PHASE:
		*why = "socket, connect, hello, wait, ops or close";
		return is_phase(s);
	case RS_CT_HIST:
		*why = "connect_ns, op_ns, since_close_ns, since_close_err_ns or pass_ns";
		return rank_in(s, hist_names, 5) >= 0;
	case RS_CT_CPHASE:
		*why = "alone or load";
		return rank_in(s, cphase, 2) >= 0;
	case RS_CT_VERDICT:
		*why = "PASS, MEASURED or DIFF";
		return rs_verdict_from_name(s) >= 0;
	case RS_CT_JUDGED:
		*why = "exact or measured";
		return rank_in(s, judged, 2) >= 0;
	case RS_CT_HI:
		*why = "a whole number or inf";
		return strcmp(s, "inf") == 0 || rs_csv_u64(s, &u) == 0;
	case RS_CT_BIT:
		*why = "0 or 1";
		return strcmp(s, "0") == 0 || strcmp(s, "1") == 0;
	case RS_CT_OPIDX:
		*why = "an op index 1..16";
		return rs_csv_u64(s, &u) == 0 && u >= 1 && u <= RS_MAX_OPS;
	case RS_CT_HOPIDX:
		*why = "an op index 0..16";
		return rs_csv_u64(s, &u) == 0 && u <= RS_MAX_OPS;
	case RS_CT_STATUS:
		*why = "ok, MISMATCH or not-judged";
		return rank_in(s, status, 3) >= 0;
	case RS_CT_PVAL: {
		char *end;

		/* %.6g: digits, a point, an exponent; no sign, hex or inf */
		*why = "a probability (0..1, %.6g) or -";
		if (strcmp(s, "-") == 0)
			return true;
		if (*s < '0' || *s > '9' || strpbrk(s, "xXpPnN"))
			return false;
		d = strtod(s, &end);
		return !*end && d >= 0 && d <= 1;
	}
	}
	*why = "?";
	return false;
}

bool rs_schema_json_number(enum rs_ctype t, const char *s)
{
	switch (t) {
	case RS_CT_SCHEMA:
	case RS_CT_U64:
	case RS_CT_I64:
	case RS_CT_FIX3:
	case RS_CT_FIX6:
	case RS_CT_FLOAT:
	case RS_CT_SDEC:
	case RS_CT_BIT:
	case RS_CT_OPIDX:
	case RS_CT_HOPIDX:
		return true;
	case RS_CT_HI:
		return strcmp(s, "inf") != 0;
	case RS_CT_PVAL:
		return strcmp(s, "-") != 0;
	default:
		return false;
	}
}

bool rs_schema_json_null(enum rs_ctype t, const char *s)
{
	return t == RS_CT_PVAL && strcmp(s, "-") == 0;
}

const char *rs_ctype_name(enum rs_ctype t)
{
	static const char *const n[] = {
		[RS_CT_SCHEMA] = "int (schema)",
		[RS_CT_STR] = "string",
		[RS_CT_TIME] = "ISO 8601 time",
		[RS_CT_U64] = "u64",
		[RS_CT_I64] = "i64",
		[RS_CT_FIX3] = "decimal, 3 places",
		[RS_CT_FIX6] = "decimal, 6 places",
		[RS_CT_FLOAT] = "decimal",
		[RS_CT_SDEC] = "decimal, signed",
		[RS_CT_MODE] = "enum close_mode",
		[RS_CT_HMODE] = "enum close_mode or `all`",
		[RS_CT_RESULT] = "enum result",
		[RS_CT_FRESULT] = "enum result or `abandoned`",
		[RS_CT_PHASE] = "enum phase",
		[RS_CT_HIST] = "enum histogram",
		[RS_CT_CPHASE] = "enum `alone`/`load`",
		[RS_CT_VERDICT] = "enum verdict",
		[RS_CT_JUDGED] = "enum `exact`/`measured`",
		[RS_CT_HI] = "u64 or `inf`",
		[RS_CT_BIT] = "0/1",
		[RS_CT_OPIDX] = "int 1..16",
		[RS_CT_HOPIDX] = "int 0..16",
		[RS_CT_STATUS] = "enum status",
		[RS_CT_PVAL] = "decimal (`%.6g`) or `-`",
	};

	return n[t];
}

const char *rs_mrule_name(enum rs_mrule r)
{
	static const char *const n[] = {
		[RS_MR_SCHEMA] = "schema",
		[RS_MR_KEY] = "key",
		[RS_MR_COPY] = "from the key",
		[RS_MR_SAME] = "equal or refuse",
		[RS_MR_MIXED] = "common or `mixed`",
		[RS_MR_EARLIEST] = "earliest",
		[RS_MR_SUM] = "sum",
		[RS_MR_SUM0] = "sum (0 if any 0)",
		[RS_MR_MAX] = "max",
		[RS_MR_AND] = "min (all 1)",
		[RS_MR_SEED] = "common or 0",
		[RS_MR_PCT] = "percentile of the summed histogram",
		[RS_MR_RECOMPUTE] = "recomputed",
		[RS_MR_NONE] = "not merged",
		[RS_MR_BLOCK] = "kept per block",
	};

	return n[r];
}

/* -------------------------------------------------------------- docs */

void rs_schema_marker(enum rs_rfile f, bool end, char *buf, size_t len)
{
	snprintf(buf, len, "<!-- %s %s -->", end ? "/schema" : "schema",
		 files[f].id);
}

int rs_schema_markdown(enum rs_rfile f, FILE *out)
{
	const struct rs_sfile *s = &files[f];

	fprintf(out, "```\n");
	rs_schema_header(f, out);
	fprintf(out, "```\n\n| # | column | type | unit | merge | meaning |\n"
		     "|---|---|---|---|---|---|\n");
	for (unsigned i = 0; i < s->ncols; i++) {
		const struct rs_scol *c = &s->cols[i];

		fprintf(out, "| %u | `%s` | %s | %s | ", i + 1, c->name,
			rs_ctype_name(c->type), *c->unit ? c->unit : "-");
		if (c->merge == RS_MR_PCT && c->pct >= 100)
			fprintf(out, "max of `%s`", c->hist);
		else if (c->merge == RS_MR_PCT)
			fprintf(out, "p%g of `%s`", c->pct, c->hist);
		else
			fputs(rs_mrule_name(c->merge), out);
		if (c->since > 1)
			fprintf(out, " (since version %u)", c->since);
		if (c->early_v1)
			fprintf(out, " (older version %s files: `%s`)",
				c->early_v2 ? "1 and 2" : "1", c->early_v1);
		fprintf(out, " | %s |\n", c->desc);
	}
	if (s->nkey) {
		fprintf(out, "\nKey: (");
		for (unsigned i = 0; i < s->nkey; i++)
			fprintf(out, "%s`%s`", i ? ", " : "", s->key[i]);
		fprintf(out, ").\n");
	}
	return ferror(out) ? -EIO : 0;
}

/* The whole text of path into a NUL-terminated buffer (free it). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = 2 * cap + 8192);

			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
	} while (r > 0 && n < (16u << 20));
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int rs_schema_doc_sync(const char *path, bool write, char *err,
		       size_t errlen)
{
	size_t len, olen = 0;
	char *doc = slurp(path, &len), *outbuf = NULL;
	FILE *o;
	const char *p, *base;
	unsigned seen[RS_RF_N] = { 0 }, nblocks = 0;
	int stale = 0;

	if (!doc) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		return -errno;
	}
	o = open_memstream(&outbuf, &olen);
	if (!o) {
		free(doc);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* the blocks in the order the document has them; each file once */
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	for (unsigned x = 0; x < RS_RF_N; x++)
		nblocks += strcmp(files[x].doc, base) == 0;
	if (!nblocks) {
		snprintf(err, errlen,
			 "%s: no file of the schema is documented there (csv.md, compare.md)",
			 path);
		fclose(o);
		free(outbuf);
		free(doc);
		return -EINVAL;
	}
	p = doc;
	for (unsigned k = 0; k < nblocks; k++) {
		char b[80], e[80], *gen = NULL;
		const char *bp = NULL, *ep = NULL;
		unsigned f = RS_RF_N;
		size_t glen = 0;
		FILE *g;

		for (unsigned x = 0; x < RS_RF_N; x++) {
			const char *q;

			if (strcmp(files[x].doc, base) != 0)
				continue;
			rs_schema_marker(x, false, b, sizeof(b));
			q = strstr(p, b);
			if (q && (!bp || q < bp)) {
				bp = q;
				f = x;
			}
		}
		if (f < RS_RF_N) {
			rs_schema_marker(f, false, b, sizeof(b));
			rs_schema_marker(f, true, e, sizeof(e));
			ep = strstr(bp, e);
		}
		if (!bp || !ep || seen[f]++) {
			snprintf(err, errlen,
				 "%s: %u of the %u blocks '<!-- schema FILE -->' ... '<!-- /schema FILE -->' found in order (each once): add the missing markers",
				 path, k, nblocks);
			fclose(o);
			free(outbuf);
			free(doc);
			return -EINVAL;
		}
		bp += strlen(b) + 1;
		g = open_memstream(&gen, &glen);
		if (!g || rs_schema_markdown(f, g)) {
			if (g)
				fclose(g);
			free(gen);
			fclose(o);
			free(outbuf);
			free(doc);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		fclose(g);
		if ((size_t)(ep - bp) != glen || memcmp(bp, gen, glen) != 0) {
			if (!stale)
				snprintf(err, errlen,
					 "%s: the columns of %s differ from src/schema.c: run rststorm schema --update %s",
					 path, files[f].id, path);
			stale++;
		}
		fwrite(p, 1, (size_t)(bp - p), o);
		fwrite(gen, 1, glen, o);
		free(gen);
		p = ep;
	}
	fputs(p, o);
	fclose(o);
	free(doc);
	if (write && stale) {
		char tmp[4200];
		int fd;
		FILE *w;

		snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC, 0644);
		w = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!w || fwrite(outbuf, 1, olen, w) != olen ||
		    fclose(w) != 0 || rename(tmp, path) != 0) {
			int er = errno;

			snprintf(err, errlen, "cannot write %s: %s", path,
				 strerror(er));
			if (fd >= 0)
				unlink(tmp);
			free(outbuf);
			return -er;
		}
		stale = 0;
	}
	free(outbuf);
	return stale;
}

static void schema_usage(FILE *f)
{
	fprintf(f,
		"usage: rststorm schema [--markdown | --check DOC | --update DOC]\n"
		"\n"
		"The columns of every report file: name, type, unit, merge rule, meaning\n"
		"(src/schema.c, the one description the writers, the reader, merge and\n"
		"the JSON documents use).\n"
		"\n"
		"options:\n"
		"  --markdown    every file's column table, as docs/csv.md has it\n"
		"  --check DOC   exit 1 when a generated block of DOC (docs/csv.md,\n"
		"                docs/compare.md) is stale\n"
		"  --update DOC  rewrite the generated blocks of DOC in place\n"
		"  -h, --help    this text\n");
}

int rs_cmd_schema(int argc, char **argv)
{
	enum { O_MD = 256, O_CHECK, O_UPDATE };
	static const struct option longopts[] = {
		{ "markdown", 0, NULL, O_MD },
		{ "check", 1, NULL, O_CHECK },
		{ "update", 1, NULL, O_UPDATE },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *doc = NULL;
	char err[600], ev[RS_ESC_VALUE];
	bool update = false;
	int c, st;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_MD:
			break;
		case O_CHECK:
		case O_UPDATE:
			doc = optarg;
			update = c == O_UPDATE;
			break;
		case 'h':
			schema_usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "rststorm schema: %s: needs a value (a markdown file)\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		default:
			fprintf(stderr,
				"rststorm schema: '%s': unknown option (rststorm schema --help lists them)\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rststorm schema: '%s': takes no arguments\n",
			rs_esc(ev, sizeof(ev), argv[optind]));
		return 2;
	}
	if (doc) {
		st = rs_schema_doc_sync(doc, update, err, sizeof(err));
		if (st < 0) {
			fprintf(stderr, "rststorm schema: %s\n", err);
			return 2;
		}
		if (st > 0)
			fprintf(stderr, "rststorm schema: %s\n", err);
		return st > 0;
	}
	for (unsigned f = 0; f < RS_RF_N; f++) {
		char m[80];

		rs_schema_marker(f, false, m, sizeof(m));
		printf("### %s\n\n%s\n", files[f].id, m);
		rs_schema_markdown(f, stdout);
		rs_schema_marker(f, true, m, sizeof(m));
		printf("%s\n\n", m);
	}
	return fflush(stdout) ? 1 : 0;
}
