/* Command-line options of `rststorm run`: the table, parsing with units,
 * cross-option checks and the configuration dump. */
#include "cli.h"
#include "esc.h"
#include "interval.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define RS_MAX_CONC 1000000u
#define RS_MAX_THREADS 256u
#define RS_MAX_PORTS 64u
#define RS_MAX_SOURCES 64u
#define RS_HOLD_DEADLINE (60ull * 1000000000ull)
#define RS_MAX_DURATION (24ull * 3600 * 1000000000ull)

enum opt_id {
	OPT_CONC = 'c',
	OPT_DURATION = 'd',
	OPT_COUNT = 'n',
	OPT_THREADS = 't',
	OPT_QUIET = 'q',
	OPT_HELP = 'h',
	OPT_SERVER_THREADS = 256,
	OPT_PORTS,
	OPT_CLOSE,
	OPT_SEED,
	OPT_OPS,
	OPT_WAIT,
	OPT_TIMEOUT,
	OPT_CSV,
	OPT_JSON,
	OPT_HLOG,
	OPT_NO_DIRECT,
	OPT_NO_MULTISHOT,
	OPT_RING,
	OPT_NETNS,
	OPT_OP_GAP,
	OPT_HOLD,
	OPT_CHURN,
	OPT_SOURCES,
	OPT_NO_SERVER_DIRECT,
	OPT_ENGINE,
	OPT_TARGET,
	OPT_LISTEN,
	OPT_ALLOW_REMOTE,
	OPT_RATE,
	OPT_IPV6 = '6',
	OPT_FOREIGN = 300,
	OPT_REQUEST,
	OPT_LINK,
	OPT_CLIENT_INDEX,
	OPT_INTERVAL,
	OPT_REPEAT,
	OPT_OP_SIZE,
	OPT_SERVER_SENDS,
	OPT_CLOSER,
};

/* Which commands take an option. */
#define C_RUN (1u << RS_CLI_RUN)
#define C_SERVE (1u << RS_CLI_SERVE)
#define C_ALL (C_RUN | C_SERVE)

struct opt_desc {
	const char *name;
	int id;
	int has_arg;
	const char *metavar;
	const char *help;
	unsigned cmds;          /* C_RUN, C_SERVE: the commands taking it */
	const char *serve_help; /* serve's text, where it differs */
};

/* The one table: getopt_long's options and the usage text come from it. */
static const struct opt_desc opts[] = {
	{ "concurrency", OPT_CONC, 1, "N",
	  "connections in flight, all client threads (default 2000; 1..1000000; 10k ok)", C_RUN, NULL },
	{ "duration", OPT_DURATION, 1, "T",
	  "how long to start new connections (default 5s; e.g. 500ms, 30s, 2m)", C_ALL, "how long to serve (default: until SIGINT or SIGTERM)" },
	{ "connections", OPT_COUNT, 1, "N",
	  "run N connections instead of for a duration (10k ok)", C_RUN, NULL },
	{ "threads", OPT_THREADS, 1, "N",
	  "client threads, one io_uring (or epoll fd) each (default: CPUs online)", C_ALL, "server threads, one io_uring each (default: CPUs online, at most one per --listen)" },
	{ "server-threads", OPT_SERVER_THREADS, 1, "N",
	  "embedded server threads, one io_uring each (default: CPUs online)", C_RUN, NULL },
	{ "ports", OPT_PORTS, 1, "N",
	  "listening ports on 127.0.0.1, kernel-chosen (default 8; 1..64)", C_RUN, NULL },
	{ "close", OPT_CLOSE, 1, "MIX",
	  "close modes and weights: fin, rst, unread, shutdown (default fin=50,rst=50)", C_ALL, NULL },
	{ "seed", OPT_SEED, 1, "N",
	  "seed of the per-connection close plan (default: from the clock, printed)", C_ALL, "seed of the per-connection close plan (default: from the clock, printed; clients of this server need the same)" },
	{ "ops", OPT_OPS, 1, "LIST",
	  "ops after the close: send, sendmsg, send-zc, write, recv, read (io_uring ops of those names; write is IORING_OP_WRITE, no longer send), or none (default send,send,send,recv)", C_RUN, NULL },
	{ "op-size", OPT_OP_SIZE, 1, "N",
	  "bytes per write op, and the read ops' buffer (default 1; 1..65536)", C_RUN, NULL },
	{ "server-sends", OPT_SERVER_SENDS, 1, "N",
	  "the server sends N bytes right before its close, so reads see data first (default 0; 0..65536)", C_ALL, NULL },
	{ "closer", OPT_CLOSER, 1, "SIDE",
	  "who closes by the plan: server (the client runs --ops) or client (fin and rst only; the server runs --ops) (default server)", C_RUN, NULL },
	{ "wait", OPT_WAIT, 1, "POLICY",
	  "before the ops: close (until FIN/RST is seen), none, or a gap like 10ms (default close)", C_RUN, NULL },
	{ "op-gap", OPT_OP_GAP, 1, "T",
	  "pause between the ops, e.g. 1s as in the Go write-up (default 0)", C_RUN, NULL },
	{ "timeout", OPT_TIMEOUT, 1, "T",
	  "cancel a step (connect, hello, wait, op) after T (default 5s)", C_RUN, NULL },
	{ "csv", OPT_CSV, 1, "DIR",
	  "write summary, outcomes, ops, failures and histograms CSV files into DIR", C_ALL, "write serve.csv (accepted, closes by mode, close errors, stamps) into DIR" },
	{ "json", OPT_JSON, 1, "FILE",
	  "write the report as one JSON document to FILE, or - for stdout (the table then goes to stderr)", C_RUN, NULL },
	{ "hlog", OPT_HLOG, 1, "FILE",
	  "write the latency histograms as an HdrHistogram interval log (V2 compressed, values in ns) to FILE", C_RUN, NULL },
	{ "interval", OPT_INTERVAL, 2, "[T]",
	  "per interval of T (alone: 1s; 100ms..1h): intervals.csv and interval_ops.csv with --csv, NDJSON lines with --json (see man page); progress lines off a terminal every T", C_RUN, NULL },
	{ "quiet", OPT_QUIET, 0, NULL, "no progress line on stderr", C_ALL, NULL },
	{ "no-direct", OPT_NO_DIRECT, 0, NULL,
	  "client sockets from socket(2), not io_uring direct descriptors", C_RUN, NULL },
	{ "no-multishot", OPT_NO_MULTISHOT, 0, NULL,
	  "server accepts with re-armed single-shot accept", C_ALL, NULL },
	{ "ring", OPT_RING, 1, "MODE",
	  "ring setup flags: auto (the best the kernel has), or exactly defer, coop or plain", C_ALL, NULL },
	{ "engine", OPT_ENGINE, 1, "NAME",
	  "client engine: uring (io_uring) or epoll (nonblocking syscalls, the baseline) (default uring)", C_RUN, NULL },
	{ "netns", OPT_NETNS, 0, NULL,
	  "run in a fresh network namespace (root, or a user namespace of its own): the kernel counters are the run's own", C_RUN, NULL },
	{ "hold", OPT_HOLD, 0, NULL,
	  "open -c connections once each and hold them; when all are up (or -d, default 60s, passes) the servers close them all at once, then the ops run", C_RUN, NULL },
	{ "churn", OPT_CHURN, 0, NULL,
	  "connect, hello, server FIN, then client close (TCP_CRR's shape): --close fin --ops none --wait close", C_RUN, NULL },
	{ "sources", OPT_SOURCES, 1, "N",
	  "client source addresses 127.0.0.1..127.0.0.N, bound with IP_BIND_ADDRESS_NO_PORT (default 1: no bind; 1..64)", C_RUN, NULL },
	{ "no-server-direct", OPT_NO_SERVER_DIRECT, 0, NULL,
	  "server sockets as ordinary fds with inline close syscalls, not io_uring direct descriptors", C_ALL, NULL },
	{ "target", OPT_TARGET, 1, "LIST",
	  "clients only, against servers at ADDR:PORT[,ADDR:PORT...] ([::1]:PORT for IPv6): rststorm serve (same --seed and --close), or --foreign", C_RUN, NULL },
	{ "listen", OPT_LISTEN, 1, "ADDR:PORT",
	  "listen there (repeatable; port 0: kernel-chosen; default 127.0.0.1:0, or [::1]:0 with -6)", C_SERVE, NULL },
	{ "allow-remote", OPT_ALLOW_REMOTE, 0, NULL,
	  "allow --target/--listen addresses outside 127.0.0.0/8 and ::1 (new connections then capped by --rate, default 1000/s)", C_ALL, NULL },
	{ "rate", OPT_RATE, 1, "N",
	  "at most N new connections per second, all threads (default: no cap; 1000 with --allow-remote)", C_RUN, NULL },
	{ "ipv6", OPT_IPV6, 0, NULL,
	  "IPv6: embedded servers and clients on ::1 (with --target the addresses choose)", C_ALL,
	  "IPv6: listen on [::1]:0 unless --listen says where" },
	{ "foreign", OPT_FOREIGN, 0, NULL,
	  "the --target servers are not rststorm: send --request, read the response, classify the server's close as FIN or RST as observed", C_RUN, NULL },
	{ "request", OPT_REQUEST, 1, "STRING|@FILE",
	  "with --foreign: the bytes to send (\\r \\n \\t \\\\ escapes; @FILE: a file's bytes) (default an HTTP/1.1 GET / with Connection: keep-alive)", C_RUN, NULL },
	{ "link", OPT_LINK, 1, "SPEC",
	  "servers and clients in two fresh network namespaces joined by an emulated link: rtt=T[,loss=P%][,jitter=T][,rate=R][,limit=N], e.g. rtt=20ms,loss=1% (root; not with --target or --netns)", C_RUN, NULL },
	{ "client-index", OPT_CLIENT_INDEX, 1, "I/N",
	  "with --target: client I (0..N-1) of a fleet of N: connection ids and close stamp slots I x (1000000/N) on, apart from the others' (N 1..1000)", C_RUN, NULL },
	{ "repeat", OPT_REPEAT, 1, "N",
	  "run the same configuration N times as replicate blocks (seeds derived from --seed, recorded in blocks.csv), for compare's between-block spread (default 1; 1..1000)", C_RUN, NULL },
	{ "help", OPT_HELP, 0, NULL, "this text", C_ALL, NULL },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

void rs_config_defaults(struct rs_config *cfg, unsigned ncpu)
{
	char err[128];

	if (ncpu == 0)
		ncpu = 1;
	memset(cfg, 0, sizeof(*cfg));
	cfg->concurrency = 2000;
	cfg->duration_ns = 5000000000ull;
	cfg->threads = ncpu;
	cfg->server_threads = ncpu;
	cfg->ports = 8;
	cfg->repeat = 1;
	rs_mix_parse("fin=50,rst=50", &cfg->mix, err, sizeof(err));
	rs_script_parse("send,send,send,recv", &cfg->script, err,
			sizeof(err));
	cfg->wait = RS_WAIT_CLOSE;
	cfg->op_size = 1;
	cfg->timeout_ns = 5000000000ull;
	cfg->ring = RS_RING_AUTO;
	cfg->sources = 1;
	cfg->engine = RS_ENGINE_URING;
}

int rs_parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	/* decimal only: "0x10" and "010" (octal to strtoull base 0) are
	 * refused, not read as 16 or 8 or 10 */
	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		mul = 1000, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1000000, end++;
	if (*end != '\0' || v > UINT64_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

int rs_parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = {
		{ "ns", 1 },	      { "us", 1000 },
		{ "ms", 1000000 },    { "s", 1000000000ull },
		{ "", 1000000000ull }, { "m", 60000000000ull },
		{ "h", 3600000000000ull },
	};
	unsigned __int128 whole = 0, frac = 0, scale = 1, t;
	const char *p = s;
	bool digits = false;

	/* decimal digits, a fraction, a unit: no strtod, so no hex floats
	 * ("0x10ms"), exponents, inf or nan, and no rounding error */
	if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++, digits = true)
		if ((whole = whole * 10 + (unsigned)(*p - '0')) > UINT64_MAX)
			return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits = true) {
			/* digits past the 19th cannot change the result */
			if (scale <= UINT64_MAX / 10) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (!digits)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		t = whole * units[i].mul +
		    (frac * units[i].mul + scale / 2) / scale;
		if (t > UINT64_MAX)
			return -EINVAL;
		*ns = (uint64_t)t;
		return 0;
	}
	return -EINVAL;
}

void rs_format_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns == 0)
		snprintf(buf, len, "0s");
	else if (ns % 1000000000ull == 0)
		snprintf(buf, len, "%" PRIu64 "s", (uint64_t)(ns / 1000000000ull));
	else if (ns % 1000000ull == 0)
		snprintf(buf, len, "%" PRIu64 "ms", (uint64_t)(ns / 1000000ull));
	else if (ns % 1000ull == 0)
		snprintf(buf, len, "%" PRIu64 "us", (uint64_t)(ns / 1000ull));
	else
		snprintf(buf, len, "%" PRIu64 "ns", ns);
}

void rs_wait_format(const struct rs_config *cfg, char *buf, size_t len)
{
	switch (cfg->wait) {
	case RS_WAIT_CLOSE:
		snprintf(buf, len, "close");
		break;
	case RS_WAIT_NONE:
		snprintf(buf, len, "none");
		break;
	case RS_WAIT_GAP:
		rs_format_duration(cfg->gap_ns, buf, len);
		break;
	}
}

/* The value as it may be echoed: escaped, elided in the middle, in room
 * bytes at most (RS_ESC_VALUE at most, 8 at least). */
static const char *esc_value(char *buf, size_t room, const char *val)
{
	if (room > RS_ESC_VALUE)
		room = RS_ESC_VALUE;
	if (room < 8)
		room = 8;
	return rs_esc(buf, room, val);
}

/* A hint when a number was written in another base. */
static const char *radix_hint(const char *val)
{
	if (val[0] == '0' &&
	    ((val[1] >= '0' && val[1] <= '9') || val[1] == 'x' ||
	     val[1] == 'X' || val[1] == 'o' || val[1] == 'b'))
		return " (decimal only: no 0x or leading 0)";
	return "";
}

/* "--OPT: 'VALUE' is not allowed: ALLOWED" in err. The value and the
 * allowed part (which may quote the value) are escaped; the value is cut
 * in the middle first, so the allowed part always survives. */
static int bad(char *err, size_t errlen, const char *opt, const char *val,
	       const char *allowed, const char *hint)
{
	char a[256], v[RS_ESC_VALUE];
	size_t fixed;

	rs_esc(a, sizeof(a), allowed);
	fixed = strlen(opt) + strlen(a) + strlen(hint) +
		sizeof("--: '' is not allowed: ");
	esc_value(v, errlen > fixed ? errlen - fixed : 0, val);
	snprintf(err, errlen, "--%s: '%s' is not allowed: %s%s", opt, v, a,
		 hint);
	return -EINVAL;
}

/* bad() for the options that take a number */
static int bad_num(char *err, size_t errlen, const char *opt,
		   const char *val, const char *allowed)
{
	return bad(err, errlen, opt, val, allowed, radix_hint(val));
}

static int parse_u32(const char *val, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v;

	if (rs_parse_count(val, &v) || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* --client-index I/N: decimal digits only, I < N <= RS_FLEET_MAX. */
static int parse_fleet(const char *val, uint32_t *index, uint32_t *count)
{
	char *slash, *end;
	unsigned long i, n;

	if (val[0] < '0' || val[0] > '9')
		return -EINVAL;
	errno = 0;
	i = strtoul(val, &slash, 10);
	if (errno || *slash != '/' || slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	n = strtoul(slash + 1, &end, 10);
	if (errno || *end || n < 1 || n > RS_FLEET_MAX || i >= n)
		return -EINVAL;
	*index = (uint32_t)i;
	*count = (uint32_t)n;
	return 0;
}

static int apply(struct rs_config *cfg, const struct opt_desc *o,
		 const char *val, char *err, size_t errlen)
{
	char why[160];
	uint64_t v;

	switch (o->id) {
	case OPT_CONC:
		if (parse_u32(val, 1, RS_MAX_CONC, &cfg->concurrency))
			return bad_num(err, errlen, o->name, val,
				   "a whole number from 1 to 1000000 (k suffix ok)");
		return 0;
	case OPT_DURATION:
		if (rs_parse_duration(val, &v) || v == 0 ||
		    v > RS_MAX_DURATION)
			return bad_num(err, errlen, o->name, val,
				   "a duration from 1ns to 24h, e.g. 500ms, 5s, 2m");
		cfg->duration_ns = v;
		return 0;
	case OPT_COUNT:
		if (rs_parse_count(val, &v) || v == 0 ||
		    v > 1000000000000ull)
			return bad_num(err, errlen, o->name, val,
				   "a whole number from 1 to 10^12 (k, m suffixes ok)");
		cfg->count = v;
		return 0;
	case OPT_THREADS:
		if (parse_u32(val, 1, RS_MAX_THREADS, &cfg->threads))
			return bad_num(err, errlen, o->name, val,
				   "a whole number from 1 to 256");
		return 0;
	case OPT_SERVER_THREADS:
		if (parse_u32(val, 1, RS_MAX_THREADS, &cfg->server_threads))
			return bad_num(err, errlen, o->name, val,
				   "a whole number from 1 to 256");
		return 0;
	case OPT_PORTS:
		if (parse_u32(val, 1, RS_MAX_PORTS, &cfg->ports))
			return bad_num(err, errlen, o->name, val,
				   "a whole number from 1 to 64");
		return 0;
	case OPT_CLOSE:
	case OPT_OPS: {
		/* the parsers quote the token they refuse: room for all of it,
		 * so the allowed part after it is not cut off */
		size_t wl = strlen(val) + 256;
		char *w = malloc(wl);
		int ret;

		if (!w)
			w = why, wl = sizeof(why);
		if (o->id == OPT_CLOSE)
			ret = rs_mix_parse(val, &cfg->mix, w, wl);
		else
			ret = rs_script_parse(val, &cfg->script, w, wl);
		if (ret)
			ret = bad(err, errlen, o->name, val, w, "");
		if (w != why)
			free(w);
		return ret;
	}
	case OPT_SEED: {
		char *end;

		/* base 10: base 0 read "010" as octal 8 and took "0x10" */
		errno = 0;
		cfg->seed = strtoull(val, &end, 10);
		if (errno || end == val || *end || val[0] < '0' ||
		    val[0] > '9' || (val[0] == '0' && val[1]))
			return bad_num(err, errlen, o->name, val,
				       "a whole number from 0 to 2^64-1");
		cfg->seed_given = true;
		return 0;
	}
	case OPT_WAIT:
		if (strcmp(val, "close") == 0) {
			cfg->wait = RS_WAIT_CLOSE;
		} else if (strcmp(val, "none") == 0) {
			cfg->wait = RS_WAIT_NONE;
		} else if (rs_parse_duration(val, &v) == 0 && v > 0 &&
			   v <= 3600000000000ull) {
			cfg->wait = RS_WAIT_GAP;
			cfg->gap_ns = v;
		} else {
			return bad_num(err, errlen, o->name, val,
				   "close, none, or a gap from 1ns to 1h such as 10ms");
		}
		return 0;
	case OPT_OP_SIZE:
		if (parse_u32(val, 1, RS_OP_SIZE_MAX, &cfg->op_size))
			return bad_num(err, errlen, o->name, val,
				       "a whole number from 1 to 65536");
		return 0;
	case OPT_SERVER_SENDS:
		if (parse_u32(val, 0, RS_SERVER_SENDS_MAX, &cfg->server_sends))
			return bad_num(err, errlen, o->name, val,
				       "a whole number from 0 to 65536");
		return 0;
	case OPT_CLOSER: {
		int side = rs_side_parse(val);

		if (side < 0)
			return bad_num(err, errlen, o->name, val,
				       "server or client");
		cfg->closer = (enum rs_side)side;
		return 0;
	}
	case OPT_OP_GAP:
		if (rs_parse_duration(val, &v) || v > 3600000000000ull)
			return bad_num(err, errlen, o->name, val,
				   "a duration from 0 to 1h, e.g. 1s, 10ms");
		cfg->op_gap_ns = v;
		return 0;
	case OPT_TIMEOUT:
		if (rs_parse_duration(val, &v) || v < 1000000ull ||
		    v > 3600000000000ull)
			return bad_num(err, errlen, o->name, val,
				   "a duration from 1ms to 1h, e.g. 500ms, 5s");
		cfg->timeout_ns = v;
		return 0;
	case OPT_CSV:
		if (!*val)
			return bad(err, errlen, o->name, val,
				   "a directory path", "");
		cfg->csv_dir = val;
		return 0;
	case OPT_JSON:
		if (!*val)
			return bad(err, errlen, o->name, val,
				   "a file path, or - for standard output", "");
		cfg->json_path = val;
		return 0;
	case OPT_HLOG:
		if (!*val || val[strlen(val) - 1] == '/')
			return bad(err, errlen, o->name, val,
				   "a file path", "");
		cfg->hlog_path = val;
		return 0;
	case OPT_INTERVAL:
		if (!val) {
			cfg->interval_ns = 1000000000ull;
			return 0;
		}
		if (rs_parse_duration(val, &v) || v < RS_IV_MIN_NS ||
		    v > RS_IV_MAX_NS)
			return bad_num(err, errlen, o->name, val,
				   "a duration from 100ms to 1h, e.g. 1s, 500ms (alone: 1s)");
		cfg->interval_ns = v;
		return 0;
	case OPT_QUIET:
		cfg->quiet = true;
		return 0;
	case OPT_NO_DIRECT:
		cfg->no_direct = true;
		return 0;
	case OPT_NO_MULTISHOT:
		cfg->no_multishot = true;
		return 0;
	case OPT_NETNS:
		cfg->netns = true;
		return 0;
	case OPT_REPEAT:
		if (parse_u32(val, 1, RS_MAX_REPEAT, &cfg->repeat))
			return bad_num(err, errlen, o->name, val,
				       "a whole number from 1 to 1000");
		return 0;
	case OPT_HOLD:
		cfg->hold = true;
		return 0;
	case OPT_CHURN:
		cfg->churn = true;
		return 0;
	case OPT_NO_SERVER_DIRECT:
		cfg->no_server_direct = true;
		return 0;
	case OPT_SOURCES:
		if (parse_u32(val, 1, RS_MAX_SOURCES, &cfg->sources))
			return bad_num(err, errlen, o->name, val,
				   "a whole number from 1 to 64");
		return 0;
	case OPT_RING:
		if (strcmp(val, "auto") == 0)
			cfg->ring = RS_RING_AUTO;
		else if (strcmp(val, "defer") == 0)
			cfg->ring = RS_RING_DEFER;
		else if (strcmp(val, "coop") == 0)
			cfg->ring = RS_RING_COOP;
		else if (strcmp(val, "plain") == 0)
			cfg->ring = RS_RING_PLAIN;
		else
			return bad(err, errlen, o->name, val,
				   "auto, defer, coop or plain", "");
		return 0;
	case OPT_TARGET: {
		int n = rs_cli_parse_addrs(o->name, val, false, cfg->target,
					   cfg->ntargets, RS_MAX_ADDRS, err,
					   errlen);

		if (n < 0)
			return n;
		cfg->ntargets = (uint32_t)n;
		return 0;
	}
	case OPT_LISTEN: {
		int n = rs_cli_parse_addrs(o->name, val, true, cfg->listen,
					   cfg->nlisten, RS_MAX_ADDRS, err,
					   errlen);

		if (n < 0)
			return n;
		cfg->nlisten = (uint32_t)n;
		return 0;
	}
	case OPT_ALLOW_REMOTE:
		cfg->allow_remote = true;
		return 0;
	case OPT_RATE:
		if (rs_parse_count(val, &v) || v == 0 || v > 10000000ull)
			return bad_num(err, errlen, o->name, val,
				   "a whole number of connections per second from 1 to 10000000 (k, m suffixes ok)");
		cfg->rate = v;
		return 0;
	case OPT_IPV6:
		cfg->ipv6 = true;
		return 0;
	case OPT_FOREIGN:
		cfg->foreign = true;
		return 0;
	case OPT_REQUEST:
		if (!*val || (val[0] == '@' && !val[1]))
			return bad(err, errlen, o->name, val,
				   "a non-empty string, or @FILE", "");
		cfg->request = val;
		return 0;
	case OPT_LINK:
		/* rs_link_parse's line names --link, the field, the value
		 * and what is allowed */
		if (rs_link_parse(val, &cfg->link_spec, err, errlen))
			return -EINVAL;
		cfg->link_given = true;
		return 0;
	case OPT_CLIENT_INDEX:
		if (parse_fleet(val, &cfg->client_index, &cfg->client_count))
			return bad(err, errlen, o->name, val,
				   "I/N: this client's index I from 0 to N-1 in a fleet of N clients, N from 1 to 1000 (e.g. 0/4)",
				   "");
		return 0;
	case OPT_ENGINE:
		if (strcmp(val, "uring") == 0)
			cfg->engine = RS_ENGINE_URING;
		else if (strcmp(val, "epoll") == 0)
			cfg->engine = RS_ENGINE_EPOLL;
		else
			return bad(err, errlen, o->name, val,
				   "uring or epoll", "");
		return 0;
	}
	return -EINVAL;
}

int rs_cli_parse_addrs(const char *opt, const char *val, bool port0_ok,
		       struct rs_addr *out, uint32_t have, uint32_t max,
		       char *err, size_t errlen)
{
	const char *p = val;

	if (!*val)
		return bad(err, errlen, opt, val,
			   "ADDR:PORT[,ADDR:PORT...] (A.B.C.D:PORT or [IPV6]:PORT)",
			   "");
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char one[80], why[128], allowed[200];

		if (have >= max) {
			snprintf(allowed, sizeof(allowed),
				 "at most %u addresses", max);
			return bad(err, errlen, opt, val, allowed, "");
		}
		if (n >= sizeof(one)) {
			snprintf(why, sizeof(why), "an address is too long");
			n = 0;
		} else {
			memcpy(one, p, n);
			one[n] = '\0';
			why[0] = '\0';
		}
		if (why[0] ||
		    rs_addr_parse(one, port0_ok, &out[have], why, sizeof(why))) {
			snprintf(allowed, sizeof(allowed),
				 "%s; ADDR:PORT is A.B.C.D:PORT or [IPV6]:PORT",
				 why);
			return bad(err, errlen, opt, val, allowed, "");
		}
		have++;
		if (!comma)
			break;
		p = comma + 1;
	}
	return (int)have;
}

int rs_cli_check_remote(const struct rs_config *cfg, char *err,
			size_t errlen)
{
	static const struct {
		const char *opt;
		size_t off, noff;
	} lists[] = {
		{ "target", offsetof(struct rs_config, target),
		  offsetof(struct rs_config, ntargets) },
		{ "listen", offsetof(struct rs_config, listen),
		  offsetof(struct rs_config, nlisten) },
	};

	if (cfg->allow_remote)
		return 0;
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		const struct rs_addr *a =
			(const void *)((const char *)cfg + lists[l].off);
		uint32_t n = *(const uint32_t *)((const char *)cfg +
						 lists[l].noff);

		for (uint32_t i = 0; i < n; i++) {
			char t[RS_ADDR_TEXT];

			if (rs_addr_is_loopback(&a[i]))
				continue;
			rs_addr_format(&a[i], t, sizeof(t));
			snprintf(err, errlen,
				 "--%s: '%s' is not allowed: it is outside 127.0.0.0/8 and ::1; traffic leaves this machine only with --allow-remote (and then at most --rate new connections per second)",
				 lists[l].opt, t);
			return -EINVAL;
		}
	}
	return 0;
}

/* The request's text with \r \n \t \\ read as escapes. */
static int unescape(const char *s, char *out, size_t *len)
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		switch (*++s) {
		case 'r': out[n++] = '\r'; break;
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case '\\': out[n++] = '\\'; break;
		default: return -EINVAL;
		}
	}
	*len = n;
	return 0;
}

#define RS_MAX_REQUEST 4096

int rs_cli_load_request(struct rs_config *cfg, char *err, size_t errlen)
{
	static const char dflt[] =
		"GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: keep-alive\\r\\n\\r\\n";
	const char *src = cfg->request ? cfg->request : dflt;
	char v[RS_ESC_VALUE];

	free(cfg->request_buf);
	cfg->request_buf = malloc(RS_MAX_REQUEST + 1);
	if (!cfg->request_buf) {
		snprintf(err, errlen, "--request: out of memory");
		return -ENOMEM;
	}
	if (src[0] == '@') {
		FILE *f = fopen(src + 1, "rb");
		size_t n;

		if (!f) {
			int e = errno;

			snprintf(err, errlen,
				 "--request: cannot open '%s': %s: give a readable file after @",
				 rs_esc(v, sizeof(v), src + 1), strerror(e));
			return -e;
		}
		n = fread(cfg->request_buf, 1, RS_MAX_REQUEST + 1, f);
		fclose(f);
		if (n == 0 || n > RS_MAX_REQUEST) {
			snprintf(err, errlen,
				 "--request: '%s' holds %s bytes: 1 to %d are allowed",
				 rs_esc(v, sizeof(v), src + 1),
				 n ? "too many" : "no", RS_MAX_REQUEST);
			return -EINVAL;
		}
		cfg->request_len = n;
		return 0;
	}
	if (strlen(src) > RS_MAX_REQUEST ||
	    unescape(src, cfg->request_buf, &cfg->request_len) ||
	    cfg->request_len == 0) {
		snprintf(err, errlen,
			 "--request: '%s' is not allowed: 1 to %d bytes, escapes \\r \\n \\t \\\\ only, or @FILE",
			 rs_esc(v, sizeof(v), src), RS_MAX_REQUEST);
		return -EINVAL;
	}
	return 0;
}

/* --ops, --server-sends and --closer against the rest. */
static int check_ops(const struct rs_config *cfg, char *err, size_t errlen)
{
	if (cfg->engine == RS_ENGINE_EPOLL &&
	    rs_script_has(&cfg->script, RS_OP_SEND_ZC)) {
		snprintf(err, errlen,
			 "--ops: send-zc is IORING_OP_SEND_ZC, which --engine epoll has no equivalent of (send(2) with MSG_ZEROCOPY reports completion on the error queue instead): drop send-zc or use --engine uring");
		return -EINVAL;
	}
	if (cfg->server_sends && cfg->ntargets) {
		snprintf(err, errlen,
			 "--server-sends: not with --target: the servers send, so give --server-sends to rststorm serve");
		return -EINVAL;
	}
	if (cfg->closer != RS_SIDE_CLIENT)
		return 0;
	if (cfg->ntargets) {
		snprintf(err, errlen,
			 "--closer: client is not with --target: the victim's ops would run in rststorm serve, which closes by the plan itself");
		return -EINVAL;
	}
	if (cfg->hold || cfg->churn) {
		snprintf(err, errlen,
			 "--closer: client is not with %s (the storm and the preset are server closes)",
			 cfg->hold ? "--hold" : "--churn");
		return -EINVAL;
	}
	if (cfg->op_gap_ns || cfg->wait != RS_WAIT_CLOSE) {
		snprintf(err, errlen,
			 "%s: not with --closer client: the server, the victim, waits for the client's close and runs the ops back to back",
			 cfg->op_gap_ns ? "--op-gap" : "--wait");
		return -EINVAL;
	}
	if (cfg->mix.weight[RS_CLOSE_UNREAD] ||
	    cfg->mix.weight[RS_CLOSE_SHUTDOWN]) {
		snprintf(err, errlen,
			 "--close: with --closer client only fin and rst are planned (a client close with unread data or a shutdown is not implemented)");
		return -EINVAL;
	}
	return 0;
}

int rs_cli_check(const struct rs_config *cfg, char *err, size_t errlen)
{
	if (rs_cli_check_remote(cfg, err, errlen))
		return -EINVAL;
	if (cfg->foreign && !cfg->ntargets) {
		snprintf(err, errlen,
			 "--foreign: needs --target (the servers that are not rststorm)");
		return -EINVAL;
	}
	if (cfg->foreign && cfg->wait != RS_WAIT_CLOSE) {
		snprintf(err, errlen,
			 "--wait: --foreign waits for the server's close (--wait close): it is what tells FIN from RST");
		return -EINVAL;
	}
	if (cfg->request && !cfg->foreign) {
		snprintf(err, errlen,
			 "--request: only with --foreign (rststorm's own servers read a hello)");
		return -EINVAL;
	}
	if (rs_cli_check_fleet(cfg, err, errlen))
		return -EINVAL;
	if (cfg->repeat > 1 && (cfg->hold || cfg->ntargets)) {
		snprintf(err, errlen,
			 "--repeat %u: not with %s (each block is a whole run of the embedded servers)",
			 cfg->repeat, cfg->hold ? "--hold" : "--target");
		return -EINVAL;
	}
	if (cfg->repeat > 1 && cfg->interval_ns) {
		snprintf(err, errlen,
			 "--repeat %u: not with --interval (the intervals are one run's time series; the blocks are its replicates: ask for one or the other)",
			 cfg->repeat);
		return -EINVAL;
	}
	if (check_ops(cfg, err, errlen))
		return -EINVAL;
	if (cfg->ntargets && cfg->hold) {
		snprintf(err, errlen,
			 "--hold: not with --target (the storm is called inside one process)");
		return -EINVAL;
	}
	if (cfg->ntargets && cfg->ipv6) {
		snprintf(err, errlen,
			 "--ipv6: not with --target: each target's address chooses its family ([::1]:PORT for IPv6)");
		return -EINVAL;
	}
	if (cfg->link_given && cfg->ntargets) {
		snprintf(err, errlen,
			 "--link: not with --target: the link joins the embedded servers and the clients (run rststorm serve inside a namespace of your own instead)");
		return -EINVAL;
	}
	if (cfg->link_given && cfg->netns) {
		snprintf(err, errlen,
			 "--netns: not with --link, which makes two fresh network namespaces of its own (drop --netns)");
		return -EINVAL;
	}
	if (cfg->sources > 1 && cfg->ipv6) {
		snprintf(err, errlen,
			 "--sources: the source addresses are IPv4 (127.0.0.x, or the link's 198.18.0.x): not with --ipv6");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < cfg->ntargets; i++) {
		if (cfg->sources > 1 &&
		    rs_addr_family(&cfg->target[i]) != AF_INET) {
			snprintf(err, errlen,
				 "--sources: the source addresses are 127.0.0.x: not with an IPv6 --target");
			return -EINVAL;
		}
	}
	if (cfg->threads > cfg->concurrency) {
		snprintf(err, errlen,
			 "--threads: %u is more than --concurrency %u: each client thread needs at least one connection",
			 cfg->threads, cfg->concurrency);
		return -EINVAL;
	}
	if (cfg->server_threads > cfg->ports) {
		snprintf(err, errlen,
			 "--server-threads: %u is more than --ports %u: each server thread needs at least one port",
			 cfg->server_threads, cfg->ports);
		return -EINVAL;
	}
	if (cfg->count && cfg->count < cfg->threads) {
		snprintf(err, errlen,
			 "--connections: %llu is fewer than --threads %u",
			 (unsigned long long)cfg->count, cfg->threads);
		return -EINVAL;
	}
	if (cfg->hold && cfg->count) {
		snprintf(err, errlen,
			 "--connections: not with --hold, which opens each of the -c slots once");
		return -EINVAL;
	}
	if (cfg->hold && cfg->wait != RS_WAIT_CLOSE) {
		snprintf(err, errlen,
			 "--wait: --hold waits for the close (--wait close)");
		return -EINVAL;
	}
	if (cfg->hold && cfg->churn) {
		snprintf(err, errlen, "--churn: not with --hold");
		return -EINVAL;
	}
	if (cfg->duration_ns == 0 && cfg->count == 0) {
		snprintf(err, errlen,
			 "--duration: a run needs a duration or --connections");
		return -EINVAL;
	}
	return 0;
}

static const char *const cmd_names[] = { "run", "serve" };

/* serve: its --threads are server threads, one listener each at least;
 * it runs until a signal unless -d is given. */
static int serve_finish(struct rs_config *cfg, bool duration_given,
			bool threads_given, char *err, size_t errlen)
{
	if (!duration_given)
		cfg->duration_ns = 0;
	if (!cfg->nlisten) {
		rs_addr_loopback(&cfg->listen[0],
				 cfg->ipv6 ? AF_INET6 : AF_INET, 0);
		cfg->nlisten = 1;
	}
	if (threads_given && cfg->threads > cfg->nlisten) {
		snprintf(err, errlen,
			 "--threads: %u is more than the %u --listen address%s: each server thread needs at least one",
			 cfg->threads, cfg->nlisten,
			 cfg->nlisten == 1 ? "" : "es");
		return -EINVAL;
	}
	if (cfg->threads > cfg->nlisten)
		cfg->threads = cfg->nlisten;
	cfg->server_threads = cfg->threads;
	cfg->server_threads_given = threads_given;
	cfg->ports = cfg->nlisten;
	return rs_cli_check_remote(cfg, err, errlen);
}

int rs_cli_parse(struct rs_config *cfg, int argc, char **argv, char *err,
		 size_t errlen)
{
	return rs_cli_parse_cmd(cfg, RS_CLI_RUN, argc, argv, err, errlen);
}

int rs_cli_parse_cmd(struct rs_config *cfg, enum rs_cli_cmd cmd, int argc,
		     char **argv, char *err, size_t errlen)
{
	const char *cn = cmd_names[cmd];
	unsigned mask = 1u << cmd;
	struct option lopts[NOPTS + 1];
	char shorts[2 * NOPTS + 2];
	size_t ns = 0;
	bool duration_given = false, threads_given = false;
	bool server_threads_given = false;
	bool preset_clash = false; /* --close, --ops or --wait given */
	int c, idx;

	memset(lopts, 0, sizeof(lopts));
	shorts[ns++] = ':'; /* a missing value returns ':', not '?' */
	for (size_t i = 0, k = 0; i < NOPTS; i++) {
		if (!(opts[i].cmds & mask))
			continue;
		lopts[k].name = opts[i].name;
		lopts[k].has_arg = opts[i].has_arg == 2 ? optional_argument :
				   opts[i].has_arg ? required_argument :
						     no_argument;
		lopts[k++].val = opts[i].id;
		if (opts[i].id < 256) {
			shorts[ns++] = (char)opts[i].id;
			if (opts[i].has_arg)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';

	/* 0, not 1: glibc's full reset, so a parse that stopped inside a
	 * group of short options leaves nothing behind for the next one */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, &idx)) != -1) {
		const struct opt_desc *o = NULL;

		if (c == '?' || c == ':') {
			const struct opt_desc *bo = NULL;
			char v[RS_ESC_VALUE];

			for (size_t i = 0; i < NOPTS; i++)
				if (optopt && opts[i].id == optopt &&
				    (opts[i].cmds & mask))
					bo = &opts[i];
			if (bo && c == ':')
				snprintf(err, errlen,
					 "--%s: needs a value (see rststorm %s --help)",
					 bo->name, cn);
			else if (bo && !bo->has_arg)
				snprintf(err, errlen,
					 "--%s: takes no value (see rststorm %s --help)",
					 bo->name, cn);
			else if (optopt && optopt < 256) {
				char oc = (char)optopt;

				snprintf(err, errlen,
					 "-%s: unknown option (see rststorm %s --help)",
					 rs_esc_mem(v, sizeof(v), &oc, 1), cn);
			} else {
				snprintf(err, errlen,
					 "'%s': unknown option (see rststorm %s --help)",
					 rs_esc(v, sizeof(v), argv[optind - 1]),
					 cn);
			}
			return -EINVAL;
		}
		for (size_t i = 0; i < NOPTS; i++)
			if (opts[i].id == c && (opts[i].cmds & mask))
				o = &opts[i];
		if (!o)
			return -EINVAL;
		if (c == OPT_HELP) {
			rs_cli_usage_cmd(cmd, stdout);
			return 1;
		}
		/* an optional value may be the next word too (--interval 2s):
		 * the commands take no arguments, so it can be nothing else */
		if (o->has_arg == 2 && !optarg && optind < argc &&
		    argv[optind][0] != '-')
			optarg = argv[optind++];
		if (c == OPT_DURATION)
			duration_given = true;
		if (c == OPT_THREADS)
			threads_given = true;
		if (c == OPT_SERVER_THREADS)
			server_threads_given = true;
		if (c == OPT_CLOSE || c == OPT_OPS || c == OPT_WAIT)
			preset_clash = true;
		if (c == OPT_PORTS)
			cfg->ports_given = true;
		if (apply(cfg, o, optarg, err, errlen))
			return -EINVAL;
	}
	if (optind < argc) {
		char v[RS_ESC_VALUE];

		snprintf(err, errlen,
			 "'%s': unexpected argument (options only; see rststorm %s --help)",
			 rs_esc(v, sizeof(v), argv[optind]), cn);
		return -EINVAL;
	}
	if (cmd == RS_CLI_SERVE)
		return serve_finish(cfg, duration_given, threads_given, err,
				    errlen);
	/* --allow-remote: new connections are capped unless --rate says */
	if (cfg->allow_remote && !cfg->rate)
		cfg->rate = RS_REMOTE_RATE;
	/* -n alone runs until the count is done; -d with -n stops at either. */
	if (cfg->count && !duration_given)
		cfg->duration_ns = 0;
	/* --hold: -d is the deadline to establish every connection */
	if (cfg->hold && !duration_given)
		cfg->duration_ns = RS_HOLD_DEADLINE;
	if (cfg->churn) {
		if (preset_clash) {
			snprintf(err, errlen,
				 "--churn: sets --close fin --ops none --wait close; drop those options or --churn");
			return -EINVAL;
		}
		/* the client closes after the server's FIN: one round trip
		 * per connection, as TCP_CRR's request and response. With
		 * --wait none it would close first and run ahead of the
		 * server. */
		rs_mix_parse("fin", &cfg->mix, err, errlen);
		cfg->script.n = 0;
		cfg->wait = RS_WAIT_CLOSE;
	}
	cfg->threads_given = threads_given;
	cfg->server_threads_given = server_threads_given;
	/* defaults follow the CPU count, but never past what -c, -n and
	 * --ports leave room for; values given explicitly are checked */
	if (!threads_given && cfg->threads > cfg->concurrency)
		cfg->threads = cfg->concurrency;
	if (!threads_given && cfg->count && cfg->threads > cfg->count)
		cfg->threads = (uint32_t)cfg->count;
	if (!server_threads_given && cfg->server_threads > cfg->ports)
		cfg->server_threads = cfg->ports;
	return rs_cli_check(cfg, err, errlen);
}

void rs_cli_usage(FILE *f)
{
	rs_cli_usage_cmd(RS_CLI_RUN, f);
}

void rs_cli_usage_cmd(enum rs_cli_cmd cmd, FILE *f)
{
	if (cmd == RS_CLI_SERVE)
		fprintf(f,
			"usage: rststorm serve [options]\n"
			"\n"
			"The embedded server as a command of its own: accept on each --listen\n"
			"address, read each client's hello and close the connection by the plan\n"
			"(--seed, --close), for `rststorm run --target` in other processes.\n"
			"The first lines on stdout are \"listening on ADDR:PORT\", one per\n"
			"listener. Runs until SIGINT or SIGTERM, or -d.\n\noptions:\n");
	else
		fprintf(f,
			"usage: rststorm run [options]\n"
			"\n"
			"Open connections to embedded io_uring servers on 127.0.0.1 that close\n"
			"each one by FIN, RST, close with unread data or half-close (per\n"
			"--close), run --ops on it after the close, and count what every op\n"
			"returned. With --target, clients only, against rststorm serve or\n"
			"(--foreign) another server.\n\noptions:\n");
	for (size_t i = 0; i < NOPTS; i++) {
		char left[48];
		const char *help = cmd == RS_CLI_SERVE && opts[i].serve_help ?
					   opts[i].serve_help :
					   opts[i].help;

		if (!(opts[i].cmds & (1u << cmd)))
			continue;
		if (opts[i].id < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 opts[i].id, opts[i].name,
				 opts[i].metavar ? " " : "",
				 opts[i].metavar ? opts[i].metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s",
				 opts[i].name, opts[i].metavar ? " " : "",
				 opts[i].metavar ? opts[i].metavar : "");
		fprintf(f, "  %-26s %s\n", left, help);
	}
}

void rs_cli_dump(const struct rs_config *cfg, FILE *f)
{
	char mix[128], ops[160], wait[32], dur[32], to[32], gap[32];

	rs_mix_format(&cfg->mix, mix, sizeof(mix));
	rs_script_format(&cfg->script, ops, sizeof(ops));
	rs_wait_format(cfg, wait, sizeof(wait));
	rs_format_duration(cfg->duration_ns, dur, sizeof(dur));
	rs_format_duration(cfg->timeout_ns, to, sizeof(to));
	rs_format_duration(cfg->op_gap_ns, gap, sizeof(gap));
	fprintf(f,
		"concurrency=%u\nduration=%s\nconnections=%" PRIu64
		"\nthreads=%u\nserver_threads=%u\nports=%u\nclose=%s\n"
		"seed=%" PRIu64 "\nops=%s\nwait=%s\nop_gap=%s\ntimeout=%s\n"
		"engine=%s\n",
		cfg->concurrency, dur, cfg->count, cfg->threads,
		cfg->server_threads, cfg->ports, mix, cfg->seed, ops, wait,
		gap, to, cfg->engine == RS_ENGINE_EPOLL ? "epoll" : "uring");
	/* the modes and the spread appear only when used */
	if (cfg->hold)
		fprintf(f, "hold=1\n");
	if (cfg->interval_ns) {
		rs_format_duration(cfg->interval_ns, dur, sizeof(dur));
		fprintf(f, "interval=%s\n", dur);
	}
	if (cfg->op_size != 1)
		fprintf(f, "op_size=%u\n", cfg->op_size);
	if (cfg->server_sends)
		fprintf(f, "server_sends=%u\n", cfg->server_sends);
	if (cfg->closer == RS_SIDE_CLIENT)
		fprintf(f, "closer=client\n");
	if (cfg->churn)
		fprintf(f, "churn=1\n");
	if (cfg->sources > 1)
		fprintf(f, "sources=%u\n", cfg->sources);
	if (cfg->ipv6)
		fprintf(f, "ipv6=1\n");
	for (uint32_t i = 0; i < cfg->ntargets; i++) {
		char a[RS_ADDR_TEXT];

		rs_addr_format(&cfg->target[i], a, sizeof(a));
		fprintf(f, "%s%s", i ? "," : "target=", a);
	}
	if (cfg->ntargets)
		fputc('\n', f);
	if (cfg->foreign)
		fprintf(f, "foreign=1\n");
	if (cfg->allow_remote)
		fprintf(f, "allow_remote=1\n");
	if (cfg->rate)
		fprintf(f, "rate=%" PRIu64 "\n", cfg->rate);
	if (cfg->link_given) {
		char ls[160];

		rs_link_spec_format(&cfg->link_spec, ls, sizeof(ls));
		fprintf(f, "link=%s\n", ls);
	}
	if (cfg->client_count)
		fprintf(f, "client_index=%u/%u\n", cfg->client_index,
			cfg->client_count);
}

uint32_t rs_cli_slot_base(const struct rs_config *cfg)
{
	if (!cfg->client_count)
		return 0;
	return cfg->client_index * (RS_FLEET_SLOTS / cfg->client_count);
}

int rs_cli_check_fleet(const struct rs_config *cfg, char *err, size_t errlen)
{
	uint32_t span;

	if (!cfg->client_count)
		return 0;
	if (!cfg->ntargets) {
		snprintf(err, errlen,
			 "--client-index: needs --target (the embedded servers serve this one process)");
		return -EINVAL;
	}
	span = RS_FLEET_SLOTS / cfg->client_count;
	if (cfg->concurrency > span) {
		snprintf(err, errlen,
			 "--client-index: '%u/%u' gives each of %u clients %u of the server's %u connection slots; -c %u is more: lower -c, or N",
			 cfg->client_index, cfg->client_count,
			 cfg->client_count, span, RS_FLEET_SLOTS,
			 cfg->concurrency);
		return -EINVAL;
	}
	return 0;
}
