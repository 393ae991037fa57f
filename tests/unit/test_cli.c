/* Unit tests for the options of `rststorm run` (src/cli.c): defaults, unit
 * suffixes, every bad value and its one-line message, cross checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_ARGS 32

/* argv for rs_cli_parse: "run", then the arguments given. */
#define ARGS(...) ((const char *[]){ "run", __VA_ARGS__, NULL })
#define NO_ARGS ((const char *[]){ "run", NULL })

static char err[512];

/* Parse args into cfg, starting from the defaults for ncpu CPUs. getopt
 * permutes argv, so it gets a copy of the pointers; the strings are
 * literals and stay valid for the next call. */
static int parse_ncpu(struct rs_config *cfg, unsigned ncpu, const char **args)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;

	rs_config_defaults(cfg, ncpu);
	while (args[argc]) {
		assert_true(argc < MAX_ARGS);
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	return rs_cli_parse(cfg, argc, argv, err, sizeof(err));
}

static int parse(struct rs_config *cfg, const char **args)
{
	return parse_ncpu(cfg, 2, args);
}

/* The arguments after "run", space-separated, for failure messages. */
static const char *joined(const char **args)
{
	static char buf[512];
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 1; args[i] && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
					i > 1 ? " " : "", args[i]);
	return buf;
}

static void assert_parses(struct rs_config *cfg, const char **args)
{
	int rc = parse(cfg, args);

	if (rc != 0)
		fail_msg("'%s': returned %d, err '%s'", joined(args), rc, err);
}

static void assert_has(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("'%s' does not contain '%s'", s, want);
}

/* err holds exactly one non-empty line naming every needle. */
static void assert_err_line(const char *a, const char *b, const char *c)
{
	assert_true(strlen(err) > 0);
	assert_null(strchr(err, '\n'));
	assert_has(err, a);
	if (b)
		assert_has(err, b);
	if (c)
		assert_has(err, c);
}

static void test_defaults(void **state)
{
	struct rs_config cfg;
	char buf[64];

	(void)state;
	rs_config_defaults(&cfg, 4);
	assert_int_equal(cfg.concurrency, 2000);
	assert_int_equal(cfg.duration_ns, 5000000000ull);
	assert_int_equal(cfg.count, 0);
	assert_int_equal(cfg.threads, 4);
	assert_int_equal(cfg.server_threads, 4);
	assert_int_equal(cfg.ports, 8);
	assert_int_equal(cfg.mix.weight[RS_CLOSE_FIN], 50);
	assert_int_equal(cfg.mix.weight[RS_CLOSE_RST], 50);
	assert_int_equal(cfg.mix.weight[RS_CLOSE_UNREAD], 0);
	assert_int_equal(cfg.mix.weight[RS_CLOSE_SHUTDOWN], 0);
	assert_int_equal(cfg.mix.total, 100);
	assert_int_equal(cfg.script.n, 4);
	assert_int_equal(cfg.script.kind[0], RS_OP_SEND);
	assert_int_equal(cfg.script.kind[1], RS_OP_SEND);
	assert_int_equal(cfg.script.kind[2], RS_OP_SEND);
	assert_int_equal(cfg.script.kind[3], RS_OP_RECV);
	rs_script_format(&cfg.script, buf, sizeof(buf));
	assert_string_equal(buf, "send,send,send,recv");
	rs_mix_format(&cfg.mix, buf, sizeof(buf));
	assert_string_equal(buf, "fin=50,rst=50");
	assert_int_equal(cfg.wait, RS_WAIT_CLOSE);
	assert_int_equal(cfg.op_size, 1);
	assert_int_equal(cfg.server_sends, 0);
	assert_int_equal(cfg.closer, RS_SIDE_SERVER);
	assert_int_equal(cfg.timeout_ns, 5000000000ull);
	assert_int_equal(cfg.ring, RS_RING_AUTO);
	assert_int_equal(cfg.engine, RS_ENGINE_URING);
	assert_int_equal(cfg.seed, 0);
	assert_false(cfg.seed_given);
	assert_null(cfg.csv_dir);
	assert_false(cfg.quiet);
	assert_false(cfg.no_direct);
	assert_false(cfg.no_multishot);

	/* No CPU count known: one thread each. */
	rs_config_defaults(&cfg, 0);
	assert_int_equal(cfg.threads, 1);
	assert_int_equal(cfg.server_threads, 1);
}

static void test_no_options(void **state)
{
	struct rs_config cfg, want;

	(void)state;
	assert_int_equal(parse_ncpu(&cfg, 3, NO_ARGS), 0);
	rs_config_defaults(&want, 3);
	assert_memory_equal(&cfg, &want, sizeof(cfg));
}

static void test_parse_count(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "2000", 2000 },
		{ "10k", 10000 },
		{ "10K", 10000 },
		{ "1m", 1000000 },
		{ "3M", 3000000 },
		{ "18446744073709551615", UINT64_MAX },
		{ "18446744073709551k", 18446744073709551000ull },
	};
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "abc", "1x", "10kk", "1.5k", "k",
		"10 ", "18446744073709551616", "18446744073709552k",
		"18446744073710m",
		/* decimal only: no other base, no leading zero */
		"0x10", "0X10", "010", "00", "0010k", "0b1", "0o7",
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		assert_int_equal(rs_parse_count(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		if (rs_parse_count(bad[i], &v) != -EINVAL)
			fail_msg("rs_parse_count('%s') accepted", bad[i]);
		assert_int_equal(v, 12345);
	}
}

static void test_parse_duration(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} good[] = {
		{ "5s", 5000000000ull },
		{ "500ms", 500000000ull },
		{ "20us", 20000ull },
		{ "100ns", 100ull },
		{ "2m", 120000000000ull },
		{ "1h", 3600000000000ull },
		{ "5", 5000000000ull },
		{ "1.5s", 1500000000ull },
		{ "0.25ms", 250000ull },
		{ "0", 0 },
		{ "24h", 86400000000000ull },
		{ ".5s", 500000000ull },
		{ "0.0000000015s", 2 }, /* 1.5 ns, rounded half up */
		{ "0.1s", 100000000ull },  /* exact: no binary fraction */
		{ "1.00000000000000000000001s", 1000000000ull },
		{ "18446744073709551615ns", UINT64_MAX },
		{ "0.5ns", 1 },
		{ "0.4ns", 0 },
	};
	static const char *const bad[] = {
		"",   "-1s",  "+1s", " 1s",  "5x", "s",  "ms",  "1 s",
		"1S", "1sec", "nan", "inf",  "1e30s", "5ss", "1.5.5s",
		/* decimal only: strtod took hex floats and exponents */
		"0x10ms", "0x10", "0X1p3s", "1e3s", "1E3", "05s", "00.5s",
		"010ms", "infinity", ".", ".s", "18446744073709551616ns",
		"307445734561825861m",
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		assert_int_equal(rs_parse_duration(good[i].s, &v), 0);
		assert_int_equal(v, good[i].ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		if (rs_parse_duration(bad[i], &v) != -EINVAL)
			fail_msg("rs_parse_duration('%s') accepted", bad[i]);
		assert_int_equal(v, 12345);
	}
}

static void test_format_duration(void **state)
{
	static const struct {
		uint64_t ns;
		const char *s;
	} cases[] = {
		{ 0, "0s" },
		{ 5000000000ull, "5s" },
		{ 500000000ull, "500ms" },
		{ 1500000000ull, "1500ms" },
		{ 120000000000ull, "120s" },
		{ 20000ull, "20us" },
		{ 100ull, "100ns" },
		{ 1000001ull, "1000001ns" },
	};
	char buf[32];
	uint64_t back;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rs_format_duration(cases[i].ns, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
		/* What is written parses back to the same value. */
		assert_int_equal(rs_parse_duration(buf, &back), 0);
		assert_int_equal(back, cases[i].ns);
	}
	/* A short buffer is truncated, never overrun. */
	memset(buf, 'x', sizeof(buf));
	rs_format_duration(500000000ull, buf, 3);
	assert_string_equal(buf, "50");
	assert_int_equal(buf[3], 'x');
}

static void test_counts_and_durations(void **state)
{
	struct rs_config cfg;

	(void)state;
	assert_parses(&cfg, ARGS("-c", "10k"));
	assert_int_equal(cfg.concurrency, 10000);
	assert_parses(&cfg, ARGS("-c10"));
	assert_int_equal(cfg.concurrency, 10);
	assert_parses(&cfg, ARGS("--concurrency", "1m"));
	assert_int_equal(cfg.concurrency, 1000000);
	assert_parses(&cfg, ARGS("--concurrency=3"));
	assert_int_equal(cfg.concurrency, 3);

	assert_parses(&cfg, ARGS("-d", "500ms"));
	assert_int_equal(cfg.duration_ns, 500000000ull);
	assert_parses(&cfg, ARGS("-d", "2m"));
	assert_int_equal(cfg.duration_ns, 120000000000ull);
	assert_parses(&cfg, ARGS("--duration", "24h"));
	assert_int_equal(cfg.duration_ns, 86400000000000ull);
	assert_parses(&cfg, ARGS("--duration=1"));
	assert_int_equal(cfg.duration_ns, 1000000000ull);

	assert_parses(&cfg, ARGS("-t", "1", "--server-threads", "8"));
	assert_int_equal(cfg.threads, 1);
	assert_int_equal(cfg.server_threads, 8);
	assert_parses(&cfg, ARGS("--threads", "256", "--ports", "64",
				 "--server-threads=64"));
	assert_int_equal(cfg.threads, 256);
	assert_int_equal(cfg.ports, 64);
	assert_int_equal(cfg.server_threads, 64);
	assert_parses(&cfg, ARGS("--ports", "2"));
	assert_int_equal(cfg.ports, 2);
}

static void test_count_and_duration(void **state)
{
	struct rs_config cfg;

	(void)state;
	/* -n alone: no time limit. */
	assert_parses(&cfg, ARGS("-n", "1m"));
	assert_int_equal(cfg.count, 1000000);
	assert_int_equal(cfg.duration_ns, 0);
	assert_parses(&cfg, ARGS("--connections", "10k"));
	assert_int_equal(cfg.count, 10000);
	assert_int_equal(cfg.duration_ns, 0);

	/* -n with -d, in either order: both limits kept. */
	assert_parses(&cfg, ARGS("-n", "500", "-d", "2s"));
	assert_int_equal(cfg.count, 500);
	assert_int_equal(cfg.duration_ns, 2000000000ull);
	assert_parses(&cfg, ARGS("-d", "5s", "-n", "7"));
	assert_int_equal(cfg.count, 7);
	assert_int_equal(cfg.duration_ns, 5000000000ull);

	/* Neither: the default duration, no count. */
	assert_parses(&cfg, ARGS("-c", "5"));
	assert_int_equal(cfg.count, 0);
	assert_int_equal(cfg.duration_ns, 5000000000ull);
}

static void test_close_ops_wait(void **state)
{
	struct rs_config cfg;
	char buf[160];

	(void)state;
	assert_parses(&cfg, ARGS("--close", "fin=1,rst=3,unread,shutdown=0"));
	assert_int_equal(cfg.mix.weight[RS_CLOSE_FIN], 1);
	assert_int_equal(cfg.mix.weight[RS_CLOSE_RST], 3);
	assert_int_equal(cfg.mix.weight[RS_CLOSE_UNREAD], 1);
	assert_int_equal(cfg.mix.weight[RS_CLOSE_SHUTDOWN], 0);
	assert_int_equal(cfg.mix.total, 5);
	rs_mix_format(&cfg.mix, buf, sizeof(buf));
	assert_string_equal(buf, "fin=1,rst=3,unread=1");

	assert_parses(&cfg, ARGS("--close=shutdown"));
	assert_int_equal(cfg.mix.weight[RS_CLOSE_SHUTDOWN], 1);
	assert_int_equal(cfg.mix.total, 1);

	assert_parses(&cfg, ARGS("--ops", "write,read,recv,send"));
	rs_script_format(&cfg.script, buf, sizeof(buf));
	assert_string_equal(buf, "write,read,recv,send");
	assert_parses(&cfg, ARGS("--ops=recv"));
	assert_int_equal(cfg.script.n, 1);
	assert_int_equal(cfg.script.kind[0], RS_OP_RECV);

	assert_parses(&cfg, ARGS("--wait", "10ms"));
	assert_int_equal(cfg.wait, RS_WAIT_GAP);
	assert_int_equal(cfg.gap_ns, 10000000ull);
	rs_wait_format(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "10ms");
	assert_parses(&cfg, ARGS("--wait", "none"));
	assert_int_equal(cfg.wait, RS_WAIT_NONE);
	rs_wait_format(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	assert_parses(&cfg, ARGS("--wait", "10ms", "--wait=close"));
	assert_int_equal(cfg.wait, RS_WAIT_CLOSE);
	rs_wait_format(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "close");

	assert_parses(&cfg, ARGS("--timeout", "250ms"));
	assert_int_equal(cfg.timeout_ns, 250000000ull);
	assert_parses(&cfg, ARGS("--timeout=1ms"));
	assert_int_equal(cfg.timeout_ns, 1000000ull);
	assert_parses(&cfg, ARGS("--timeout", "1h"));
	assert_int_equal(cfg.timeout_ns, 3600000000000ull);
}

static void test_flags_seed_ring(void **state)
{
	static const struct {
		const char *name;
		enum rs_ringmode mode;
	} rings[] = {
		{ "auto", RS_RING_AUTO },
		{ "defer", RS_RING_DEFER },
		{ "coop", RS_RING_COOP },
		{ "plain", RS_RING_PLAIN },
	};
	struct rs_config cfg;
	size_t i;

	(void)state;
	assert_parses(&cfg, ARGS("-q", "--no-direct", "--no-multishot",
				 "--csv", "out/dir"));
	assert_true(cfg.quiet);
	assert_true(cfg.no_direct);
	assert_true(cfg.no_multishot);
	assert_string_equal(cfg.csv_dir, "out/dir");
	assert_parses(&cfg, ARGS("--quiet"));
	assert_true(cfg.quiet);
	assert_false(cfg.no_direct);

	assert_parses(&cfg, ARGS("--seed", "42"));
	assert_int_equal(cfg.seed, 42);
	assert_true(cfg.seed_given);
	/* decimal only: base 0 read 0x10 as 16 and 010 as octal 8 */
	assert_int_equal(parse(&cfg, ARGS("--seed=0x10")), -EINVAL);
	assert_err_line("--seed: '0x10' is not allowed:", "decimal only",
			NULL);
	assert_int_equal(parse(&cfg, ARGS("--seed", "010")), -EINVAL);
	assert_err_line("--seed: '010' is not allowed:", "decimal only",
			NULL);
	assert_parses(&cfg, ARGS("--seed", "10"));
	assert_int_equal(cfg.seed, 10);
	assert_parses(&cfg, ARGS("--seed", "0"));
	assert_int_equal(cfg.seed, 0);
	assert_true(cfg.seed_given);
	assert_parses(&cfg, ARGS("--seed", "18446744073709551615"));
	assert_int_equal(cfg.seed, UINT64_MAX);

	for (i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		assert_parses(&cfg, ARGS("--ring", rings[i].name));
		assert_int_equal(cfg.ring, rings[i].mode);
	}
}

static void test_engine(void **state)
{
	struct rs_config cfg;

	(void)state;
	assert_parses(&cfg, ARGS("--engine", "epoll"));
	assert_int_equal(cfg.engine, RS_ENGINE_EPOLL);
	assert_parses(&cfg, ARGS("--engine=uring"));
	assert_int_equal(cfg.engine, RS_ENGINE_URING);
	/* the last one given wins, like every other option */
	assert_parses(&cfg, ARGS("--engine", "uring", "--engine", "epoll"));
	assert_int_equal(cfg.engine, RS_ENGINE_EPOLL);
	/* epoll takes the same options as uring */
	assert_parses(&cfg, ARGS("--engine", "epoll", "--no-direct", "--ring",
				 "coop", "-c", "10", "-n", "100"));
	assert_int_equal(cfg.engine, RS_ENGINE_EPOLL);
}

/* Every bad value: -EINVAL and one line naming the option and the value. */
static void test_bad_values(void **state)
{
	static const struct {
		const char *args[5];
		const char *opt, *val, *why;
	} cases[] = {
		{ { "-c", "0" }, "--concurrency", "'0'", "1 to 1000000" },
		{ { "-c", "abc" }, "--concurrency", "'abc'", NULL },
		{ { "-c", "-5" }, "--concurrency", "'-5'", NULL },
		{ { "-c", "2000000" }, "--concurrency", "'2000000'", NULL },
		{ { "--concurrency=" }, "--concurrency", "''", NULL },
		{ { "-d", "0" }, "--duration", "'0'", NULL },
		{ { "-d", "5x" }, "--duration", "'5x'", NULL },
		{ { "-d", "-1s" }, "--duration", "'-1s'", NULL },
		{ { "--duration", "25h" }, "--duration", "'25h'", "24h" },
		{ { "-n", "0" }, "--connections", "'0'", NULL },
		{ { "-n", "1.5k" }, "--connections", "'1.5k'", NULL },
		{ { "-t", "0" }, "--threads", "'0'", "1 to 256" },
		{ { "-t", "257" }, "--threads", "'257'", NULL },
		{ { "--server-threads", "0" },
		  "--server-threads", "'0'", NULL },
		{ { "--ports", "65" }, "--ports", "'65'", "1 to 64" },
		{ { "--ports", "0" }, "--ports", "'0'", NULL },
		{ { "--close", "bogus=1" }, "--close", "'bogus=1'", "unknown" },
		{ { "--close", "fin=abc" }, "--close", "'fin=abc'", "weight" },
		{ { "--close", "fin=0,rst=0" },
		  "--close", "'fin=0,rst=0'", "positive" },
		{ { "--close", "fin,fin" }, "--close", "'fin,fin'", "twice" },
		{ { "--close", "fin=-1" }, "--close", "'fin=-1'", NULL },
		{ { "--close", "fin=1000001" },
		  "--close", "'fin=1000001'", NULL },
		{ { "--ops", "write,bogus" },
		  "--ops", "'write,bogus'", "bogus" },
		{ { "--ops", "" }, "--ops", "''", NULL },
		{ { "--ops", "send," }, "--ops", "'send,'", NULL },
		{ { "--ops", "send-zc,x" }, "--ops", "'send-zc,x'", "'x'" },
		{ { "--op-size", "0" }, "--op-size", "'0'", "1 to 65536" },
		{ { "--op-size", "65537" }, "--op-size", "'65537'",
		  "1 to 65536" },
		{ { "--op-size", "-1" }, "--op-size", "'-1'", NULL },
		{ { "--server-sends", "65537" }, "--server-sends", "'65537'",
		  "0 to 65536" },
		{ { "--server-sends", "x" }, "--server-sends", "'x'", NULL },
		{ { "--closer", "both" }, "--closer", "'both'",
		  "server or client" },
		{ { "--closer", "Client" }, "--closer", "'Client'", NULL },
		{ { "--wait", "sometimes" }, "--wait", "'sometimes'", NULL },
		{ { "--wait", "0" }, "--wait", "'0'", NULL },
		{ { "--wait", "2h" }, "--wait", "'2h'", NULL },
		{ { "--timeout", "0" }, "--timeout", "'0'", "1ms to 1h" },
		{ { "--timeout", "500us" }, "--timeout", "'500us'", NULL },
		{ { "--timeout", "61m" }, "--timeout", "'61m'", NULL },
		{ { "--ring", "fast" }, "--ring", "'fast'", "plain" },
		{ { "--engine", "io_uring" }, "--engine", "'io_uring'",
		  "uring or epoll" },
		{ { "--engine", "EPOLL" }, "--engine", "'EPOLL'", "uring or epoll" },
		{ { "--engine=" }, "--engine", "''", "uring or epoll" },
		{ { "--engine" }, "--engine", "needs a value", NULL },
		{ { "--seed", "-1" }, "--seed", "'-1'", NULL },
		{ { "--seed", "abc" }, "--seed", "'abc'", NULL },
		{ { "--seed", "18446744073709551616" },
		  "--seed", "'18446744073709551616'", NULL },
		{ { "--csv", "" }, "--csv", "''", NULL },
		{ { "--bogus" }, "--bogus", "unknown option", NULL },
		{ { "--bogus=1" }, "--bogus=1", "unknown option", NULL },
		{ { "-x" }, "-x", "unknown option", NULL },
		{ { "-c", "5", "extra" },
		  "'extra'", "unexpected argument", NULL },
		{ { "extra", "-c", "5" },
		  "'extra'", "unexpected argument", NULL },
		{ { "--", "-c" }, "'-c'", "unexpected argument", NULL },
		{ { "-c" }, "-c", "needs a value", NULL },
		{ { "-q", "-d" }, "-d", "needs a value", NULL },
		{ { "--ports" }, "--ports", "needs a value", NULL },
		{ { "--timeout" }, "--timeout", "needs a value", NULL },
	};
	struct rs_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[7] = { "run" };
		int rc;

		memcpy(args + 1, cases[i].args, sizeof(cases[i].args));
		rc = parse(&cfg, args);
		if (rc != -EINVAL)
			fail_msg("'%s': returned %d, want -EINVAL",
				 joined(args), rc);
		assert_err_line(cases[i].opt, cases[i].val, cases[i].why);
	}
}

static void test_too_many_ops(void **state)
{
	static const char *const ok16 =
		"send,send,send,send,send,send,send,send,"
		"recv,recv,recv,recv,recv,recv,recv,recv";
	static const char *const bad17 =
		"send,send,send,send,send,send,send,send,"
		"recv,recv,recv,recv,recv,recv,recv,recv,write";
	struct rs_config cfg;

	(void)state;
	assert_parses(&cfg, ARGS("--ops", ok16));
	assert_int_equal(cfg.script.n, 16);
	assert_int_equal(parse(&cfg, ARGS("--ops", bad17)), -EINVAL);
	assert_err_line("--ops", bad17, "more than 16");
}

static void test_cross_checks(void **state)
{
	struct rs_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, ARGS("--threads", "4", "-c", "2")),
			 -EINVAL);
	assert_err_line("--threads", "4", "--concurrency 2");
	assert_int_equal(parse(&cfg, ARGS("-c", "2", "-t", "4")), -EINVAL);
	assert_err_line("--threads", "--concurrency", NULL);
	assert_parses(&cfg, ARGS("--threads", "4", "-c", "4"));

	assert_int_equal(parse(&cfg, ARGS("--server-threads", "9", "--ports",
					  "8")),
			 -EINVAL);
	assert_err_line("--server-threads", "9", "--ports 8");
	assert_parses(&cfg, ARGS("--server-threads", "8", "--ports", "8"));

	/* the op vocabulary against the engine and the closer */
	assert_int_equal(parse(&cfg, ARGS("--engine", "epoll", "--ops",
					  "send,send-zc")),
			 -EINVAL);
	assert_err_line("--ops", "send-zc", "--engine uring");
	assert_parses(&cfg, ARGS("--engine", "epoll", "--ops",
				 "write,sendmsg,read"));
	assert_parses(&cfg, ARGS("--ops", "send-zc"));
	assert_int_equal(parse(&cfg, ARGS("--server-sends", "10", "--target",
					  "127.0.0.1:9")),
			 -EINVAL);
	assert_err_line("--server-sends", "--target", "rststorm serve");
	assert_int_equal(parse(&cfg, ARGS("--closer", "client", "--target",
					  "127.0.0.1:9")),
			 -EINVAL);
	assert_err_line("--closer", "--target", NULL);
	assert_int_equal(parse(&cfg, ARGS("--closer", "client", "--hold")),
			 -EINVAL);
	assert_err_line("--closer", "--hold", NULL);
	assert_int_equal(parse(&cfg, ARGS("--closer", "client", "--close",
					  "fin=1,unread=1")),
			 -EINVAL);
	assert_err_line("--close", "fin and rst", NULL);
	assert_int_equal(parse(&cfg, ARGS("--closer", "client", "--op-gap",
					  "10ms")),
			 -EINVAL);
	assert_err_line("--op-gap", "--closer client", NULL);
	assert_int_equal(parse(&cfg, ARGS("--closer", "client", "--wait",
					  "none")),
			 -EINVAL);
	assert_err_line("--wait", "--closer client", NULL);
	assert_parses(&cfg, ARGS("--closer", "client", "--close",
				 "fin=1,rst=1"));
	assert_int_equal(cfg.closer, RS_SIDE_CLIENT);
	assert_parses(&cfg, ARGS("--closer", "server", "--op-size", "64k",
				 "--server-sends", "0"));
	assert_int_equal(cfg.closer, RS_SIDE_SERVER);
	assert_int_equal(cfg.op_size, 64000);
	assert_int_equal(cfg.server_sends, 0);
	assert_parses(&cfg, ARGS("--op-size", "65536", "--server-sends",
				 "65536"));
	assert_int_equal(cfg.op_size, 65536);
	assert_int_equal(cfg.server_sends, 65536);

	/* Two threads given explicitly: a count of 1 cannot feed both. */
	assert_int_equal(parse(&cfg, ARGS("-n", "1", "-t", "2")), -EINVAL);
	assert_err_line("--connections", "1", "--threads 2");
	assert_parses(&cfg, ARGS("-n", "1", "-t", "1"));

	/* Defaults from the CPU count shrink to what -c, -n and --ports
	 * leave room for instead of failing. */
	assert_int_equal(parse_ncpu(&cfg, 16, ARGS("-n", "1")), 0);
	assert_int_equal(cfg.threads, 1);
	assert_int_equal(parse_ncpu(&cfg, 16, ARGS("-c", "3")), 0);
	assert_int_equal(cfg.threads, 3);
	assert_int_equal(parse_ncpu(&cfg, 16, ARGS("-q")), 0);
	assert_int_equal(cfg.server_threads, 8);
	assert_int_equal(parse_ncpu(&cfg, 16, ARGS("--ports", "2")), 0);
	assert_int_equal(cfg.server_threads, 2);
}

static void test_check_direct(void **state)
{
	struct rs_config cfg;

	(void)state;
	rs_config_defaults(&cfg, 2);
	assert_int_equal(rs_cli_check(&cfg, err, sizeof(err)), 0);

	/* A run needs some limit. */
	cfg.duration_ns = 0;
	assert_int_equal(rs_cli_check(&cfg, err, sizeof(err)), -EINVAL);
	assert_err_line("--duration", "--connections", NULL);
	cfg.count = 10;
	assert_int_equal(rs_cli_check(&cfg, err, sizeof(err)), 0);

	rs_config_defaults(&cfg, 2);
	cfg.threads = 3000;
	assert_int_equal(rs_cli_check(&cfg, err, sizeof(err)), -EINVAL);
	assert_err_line("--threads", "3000", NULL);
	rs_config_defaults(&cfg, 2);
	cfg.ports = 1;
	assert_int_equal(rs_cli_check(&cfg, err, sizeof(err)), -EINVAL);
	assert_err_line("--server-threads", "--ports 1", NULL);
}

static void test_help(void **state)
{
	struct rs_config cfg;
	int saved, null, rc[3];

	(void)state;
	/* The usage goes to stdout: send it to /dev/null meanwhile. */
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	null = open("/dev/null", O_WRONLY);
	assert_true(null >= 0);
	assert_true(dup2(null, STDOUT_FILENO) >= 0);
	close(null);
	rc[0] = parse(&cfg, ARGS("--help"));
	rc[1] = parse(&cfg, ARGS("-c", "5", "-h"));
	/* Options after --help are not looked at. */
	rc[2] = parse(&cfg, ARGS("-h", "-c", "0"));
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);

	assert_int_equal(rc[0], 1);
	assert_int_equal(rc[1], 1);
	assert_int_equal(rc[2], 1);
}

static void test_usage_and_dump(void **state)
{
	struct rs_config cfg;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rs_cli_usage(f);
	assert_int_equal(fclose(f), 0);
	assert_has(buf, "usage: rststorm run");
	assert_has(buf, "-c, --concurrency N");
	assert_has(buf, "--server-threads N");
	assert_has(buf, "--no-multishot");
	assert_has(buf, "--engine NAME");
	assert_has(buf, "uring (io_uring) or epoll");
	free(buf);

	assert_parses(&cfg, ARGS("--seed", "7", "--wait", "10ms", "-n", "3"));
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rs_cli_dump(&cfg, f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "concurrency=2000\n"
				 "duration=0s\n"
				 "connections=3\n"
				 "threads=2\n"
				 "server_threads=2\n"
				 "ports=8\n"
				 "close=fin=50,rst=50\n"
				 "seed=7\n"
				 "ops=send,send,send,recv\n"
				 "wait=10ms\n"
				 "op_gap=0s\n"
				 "timeout=5s\n"
				 "engine=uring\n");
	free(buf);

	assert_parses(&cfg, ARGS("--engine", "epoll", "-n", "3"));
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rs_cli_dump(&cfg, f);
	assert_int_equal(fclose(f), 0);
	assert_has(buf, "\nengine=epoll\n");
	free(buf);
}

/* getopt keeps state between calls: rs_cli_parse must reset it, so that
 * parse after parse, good or bad, each sees only its own argv. */
/* A parse that stopped inside a group of short options (-xq) must leave
 * nothing for the next parse; a value for a flag is named as such. */
static void test_getopt_reset(void **state)
{
	struct rs_config cfg;
	const char *bad[] = { "run", "-xq", NULL };
	const char *good[] = { "run", "-c", "5", NULL };
	const char *flagval[] = { "run", "--quiet=x", NULL };

	(void)state;
	assert_int_equal(parse(&cfg, bad), -EINVAL);
	assert_int_equal(parse(&cfg, good), 0);
	assert_int_equal(cfg.concurrency, 5);
	assert_false(cfg.quiet);

	assert_int_equal(parse(&cfg, flagval), -EINVAL);
	rs_config_defaults(&cfg, 2);
	{
		char *argv[] = { "run", "--quiet=x", NULL };

		assert_int_equal(rs_cli_parse(&cfg, 2, argv, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "--quiet: takes no value"));
	}
}

static void test_many_calls(void **state)
{
	struct rs_config cfg;
	unsigned i;

	(void)state;
	for (i = 0; i < 200; i++) {
		switch (i % 5) {
		case 0:
			assert_parses(&cfg, ARGS("-c", "10", "-d", "1s"));
			assert_int_equal(cfg.concurrency, 10);
			assert_int_equal(cfg.duration_ns, 1000000000ull);
			break;
		case 1:
			assert_int_equal(parse(&cfg, ARGS("-c", "0", "-d",
							  "1s")),
					 -EINVAL);
			assert_err_line("--concurrency", "'0'", NULL);
			break;
		case 2:
			assert_int_equal(parse(&cfg, ARGS("--bogus", "-c",
							  "3")),
					 -EINVAL);
			assert_err_line("--bogus", NULL, NULL);
			break;
		case 3:
			assert_int_equal(parse(&cfg, ARGS("stray", "-q")),
					 -EINVAL);
			assert_err_line("'stray'", NULL, NULL);
			break;
		case 4:
			assert_parses(&cfg, ARGS("-q", "--ports", "3", "-t",
						 "1", "--server-threads",
						 "3"));
			assert_true(cfg.quiet);
			assert_int_equal(cfg.ports, 3);
			assert_int_equal(cfg.concurrency, 2000);
			break;
		}
	}
}

/* --hold, --churn, --sources and --ops none: presets, the hold deadline,
 * the given flags the run grows defaults by, and what cannot combine. */
static void test_hold_churn_sources(void **state)
{
	struct rs_config cfg;
	char buf[64];

	(void)state;
	assert_parses(&cfg, ARGS("--ops", "none"));
	assert_int_equal(cfg.script.n, 0);
	rs_script_format(&cfg.script, buf, sizeof(buf));
	assert_string_equal(buf, "none");

	assert_parses(&cfg, ARGS("--hold", "-c", "100k"));
	assert_true(cfg.hold);
	assert_true(cfg.duration_ns == 60000000000ull); /* the deadline */
	assert_false(cfg.threads_given);
	assert_false(cfg.server_threads_given);
	assert_false(cfg.ports_given);
	assert_parses(&cfg, ARGS("--hold", "-d", "5s", "-t", "7",
				 "--server-threads", "7", "--ports", "14"));
	assert_true(cfg.duration_ns == 5000000000ull);
	assert_true(cfg.threads_given && cfg.server_threads_given &&
		    cfg.ports_given);
	assert_int_equal(parse(&cfg, ARGS("--hold", "-n", "10")), -EINVAL);
	assert_err_line("--connections", "--hold", NULL);
	assert_int_equal(parse(&cfg, ARGS("--hold", "--wait", "none")),
			 -EINVAL);
	assert_err_line("--wait", "--hold", NULL);

	assert_parses(&cfg, ARGS("--churn"));
	assert_true(cfg.churn);
	assert_int_equal(cfg.script.n, 0);
	assert_int_equal(cfg.wait, RS_WAIT_CLOSE);
	assert_int_equal(cfg.mix.weight[RS_CLOSE_FIN], 1);
	assert_int_equal(cfg.mix.total, 1);
	assert_int_equal(parse(&cfg, ARGS("--churn", "--close", "rst")),
			 -EINVAL);
	assert_err_line("--churn", "--close fin", NULL);
	assert_int_equal(parse(&cfg, ARGS("--churn", "--hold")), -EINVAL);

	assert_parses(&cfg, NO_ARGS);
	assert_int_equal(cfg.sources, 1);
	assert_parses(&cfg, ARGS("--sources", "4"));
	assert_int_equal(cfg.sources, 4);
	assert_int_equal(parse(&cfg, ARGS("--sources", "0")), -EINVAL);
	assert_err_line("--sources", "'0'", "1 to 64");
	assert_int_equal(parse(&cfg, ARGS("--sources", "65")), -EINVAL);
	assert_parses(&cfg, ARGS("--no-server-direct"));
	assert_true(cfg.no_server_direct);
}

/* Every numeric option refuses other bases: "0x10" and "010" are usage
 * errors that name the option, the value and the decimal rule. */
static void test_decimal_only(void **state)
{
	static const char *const numeric[] = {
		"--concurrency", "--duration", "--connections", "--threads",
		"--server-threads", "--ports", "--seed", "--wait",
		"--op-gap", "--timeout", "--sources",
	};
	static const char *const vals[] = { "0x10", "010", "0x10ms", "010s" };
	struct rs_config cfg;
	char want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
		for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
			const char *args[] = { "run", numeric[i], vals[k],
					       NULL };

			if (parse(&cfg, args) != -EINVAL)
				fail_msg("'%s': accepted", joined(args));
			snprintf(want, sizeof(want), "%s: '%s' is not allowed: ",
				 numeric[i], vals[k]);
			assert_err_line(want, "(decimal only: no 0x or leading 0)",
					NULL);
		}
	}
	/* the defect as filed */
	assert_int_equal(parse(&cfg, ARGS("--wait", "0x10ms")), -EINVAL);
	assert_parses(&cfg, ARGS("--wait", "16ms"));
	assert_int_equal(cfg.gap_ns, 16000000ull);
	/* a plain bad value gets no radix hint */
	assert_int_equal(parse(&cfg, ARGS("-c", "abc")), -EINVAL);
	assert_null(strstr(err, "decimal only"));
}

/* A 5000-byte bad value: the line keeps the option, the head and tail of
 * the value around "..." and the whole allowed part. */
static void test_long_value(void **state)
{
	static char big[5001];
	static const struct {
		const char *opt, *allowed;
	} cases[] = {
		{ "--concurrency",
		  "is not allowed: a whole number from 1 to 1000000 (k suffix ok)" },
		{ "--duration",
		  "is not allowed: a duration from 1ns to 24h, e.g. 500ms, 5s, 2m" },
		{ "--wait",
		  "is not allowed: close, none, or a gap from 1ns to 1h such as 10ms" },
		{ "--ring", "is not allowed: auto, defer, coop or plain" },
		{ "--engine", "is not allowed: uring or epoll" },
		{ "--ops",
		  "(allowed: send, sendmsg, send-zc, write, recv, read; or none alone)" },
		{ "--close", "is not allowed: too long" },
	};
	struct rs_config cfg;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[0] = 'H';
	big[sizeof(big) - 2] = 'T';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = { "run", cases[i].opt, big, NULL };
		char head[32];
		const char *end;

		assert_int_equal(parse(&cfg, args), -EINVAL);
		snprintf(head, sizeof(head), "%s: 'Haaa", cases[i].opt);
		assert_err_line(head, "aaa...aaa", "aaaT'");
		assert_true(strlen(err) < 480);
		/* the allowed part ends the line */
		end = err + strlen(err) - strlen(cases[i].allowed);
		if (end < err || strcmp(end, cases[i].allowed) != 0)
			fail_msg("'%s' does not end with '%s'", err,
				 cases[i].allowed);
	}
	/* a smaller buffer cuts more of the value, never the allowed part */
	{
		char *argv[] = { "run", "--ring", big, NULL };
		char small[96];

		rs_config_defaults(&cfg, 2);
		assert_int_equal(rs_cli_parse(&cfg, 3, argv, small,
					      sizeof(small)),
				 -EINVAL);
		assert_non_null(strstr(small, "--ring: 'H"));
		assert_non_null(strstr(small,
				       "T' is not allowed: auto, defer, coop or plain"));
	}
}

/* Control characters and newlines from argv are escaped: one line. */
static void test_escaped_echo(void **state)
{
	static const struct {
		const char *args[3];
		const char *want;
	} cases[] = {
		{ { "-c", "1\n2" }, "--concurrency: '1\\n2' is not allowed" },
		{ { "--ops", "send,x\ny" },
		  "unknown op 'x\\ny' (allowed:" },
		{ { "--close", "fin=1,\033[2J" },
		  "unknown close mode '\\x1b[2J'" },
		{ { "--ring", "a\tb\rc\x7f\xc3\xa9" },
		  "'a\\tb\\rc\\x7f\\xc3\\xa9' is not allowed" },
		{ { "--bo\ngus" }, "'--bo\\ngus': unknown option" },
		{ { "-\001" }, "-\\x01: unknown option" },
		{ { "ex\ntra" }, "'ex\\ntra': unexpected argument" },
	};
	struct rs_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[4] = { "run", cases[i].args[0],
					cases[i].args[1], NULL };

		assert_int_equal(parse(&cfg, args), -EINVAL);
		assert_err_line(cases[i].want, NULL, NULL);
		for (const char *p = err; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				fail_msg("raw byte 0x%02x in '%s'",
					 (unsigned char)*p, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_no_options),
		cmocka_unit_test(test_parse_count),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_counts_and_durations),
		cmocka_unit_test(test_count_and_duration),
		cmocka_unit_test(test_close_ops_wait),
		cmocka_unit_test(test_flags_seed_ring),
		cmocka_unit_test(test_engine),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_too_many_ops),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_check_direct),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_usage_and_dump),
		cmocka_unit_test(test_many_calls),
		cmocka_unit_test(test_getopt_reset),
		cmocka_unit_test(test_hold_churn_sources),
		cmocka_unit_test(test_decimal_only),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_escaped_echo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
