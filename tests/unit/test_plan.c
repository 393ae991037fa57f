/* Unit tests for close plans and op scripts (src/plan.c, src/script.c):
 * names, mix and script parsing, and the per-connection choice of mode. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "script.h"

#define NIDS 100000

static char err[256];

static void parse_mix(const char *s, struct rs_mix *mix)
{
	memset(err, 0, sizeof(err));
	if (rs_mix_parse(s, mix, err, sizeof(err)))
		fail_msg("rs_mix_parse('%s'): %s", s, err);
}

static void assert_has(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("'%s' does not contain '%s'", s, want);
}

static void test_close_names(void **state)
{
	static const char *const names[RS_CLOSE_NMODES] = {
		"fin", "rst", "unread", "shutdown",
	};
	unsigned m;

	(void)state;
	for (m = 0; m < RS_CLOSE_NMODES; m++) {
		assert_string_equal(rs_close_name(m), names[m]);
		assert_int_equal(rs_close_from_name(names[m]), m);
		assert_int_equal(rs_close_from_name(rs_close_name(m)), m);
	}
	assert_int_equal(RS_CLOSE_FIN, 0);
	assert_int_equal(rs_close_from_name("fin"), RS_CLOSE_FIN);
	assert_int_equal(rs_close_from_name("shutdown"), RS_CLOSE_SHUTDOWN);
	assert_string_equal(rs_close_name(RS_CLOSE_NMODES), "?");
	assert_string_equal(rs_close_name(~0u), "?");
	assert_int_equal(rs_close_from_name("bogus"), -1);
	assert_int_equal(rs_close_from_name(""), -1);
	assert_int_equal(rs_close_from_name("FIN"), -1);
	assert_int_equal(rs_close_from_name("fin "), -1);
	assert_int_equal(rs_close_from_name("?"), -1);
}

static void test_mix_round_trip(void **state)
{
	static const struct {
		const char *in, *canon;
		uint32_t w[RS_CLOSE_NMODES], total;
	} cases[] = {
		{ "fin=50,rst=50", "fin=50,rst=50", { 50, 50, 0, 0 }, 100 },
		{ "rst=3,fin=1", "fin=1,rst=3", { 1, 3, 0, 0 }, 4 },
		{ "fin", "fin=1", { 1, 0, 0, 0 }, 1 },
		{ "shutdown", "shutdown=1", { 0, 0, 0, 1 }, 1 },
		{ "fin=0,rst=2", "rst=2", { 0, 2, 0, 0 }, 2 },
		{ "shutdown=9,unread=7,rst=2,fin=1",
		  "fin=1,rst=2,unread=7,shutdown=9",
		  { 1, 2, 7, 9 },
		  19 },
		{ "fin=1,rst=3,unread,shutdown=0", "fin=1,rst=3,unread=1",
		  { 1, 3, 1, 0 }, 5 },
		{ "fin=1000000,rst=1000000,unread=1000000,shutdown=1000000",
		  "fin=1000000,rst=1000000,unread=1000000,shutdown=1000000",
		  { 1000000, 1000000, 1000000, 1000000 },
		  4000000 },
		{ ",fin=2,,rst=1,", "fin=2,rst=1", { 2, 1, 0, 0 }, 3 },
	};
	struct rs_mix mix, again;
	char buf[128], buf2[128];
	size_t i;
	unsigned m;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_mix(cases[i].in, &mix);
		for (m = 0; m < RS_CLOSE_NMODES; m++)
			assert_int_equal(mix.weight[m], cases[i].w[m]);
		assert_int_equal(mix.total, cases[i].total);
		rs_mix_format(&mix, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].canon);

		/* The canonical form parses to the same mix and prints
		 * the same. */
		parse_mix(buf, &again);
		assert_memory_equal(&mix, &again, sizeof(mix));
		rs_mix_format(&again, buf2, sizeof(buf2));
		assert_string_equal(buf, buf2);
	}

	/* A short buffer gets a terminated prefix and nothing past it. */
	parse_mix("fin=50,rst=50", &mix);
	memset(buf, 'x', sizeof(buf));
	rs_mix_format(&mix, buf, 10);
	assert_int_equal(strlen(buf), 9);
	assert_memory_equal(buf, "fin=50,rst=50", 9);
	assert_int_equal(buf[10], 'x');
}

static void test_mix_errors(void **state)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "bogus=1", "bogus" },
		{ "fin=1,bogus", "bogus" },
		{ "FIN=1", "FIN" },
		{ "fin=abc", "abc" },
		{ "fin=", "fin" },
		{ "fin=-1", "-1" },
		{ "fin=1x", "1x" },
		{ "fin=1000001", "1000001" },
		{ "fin=99999999999999999999999", "fin" },
		{ "fin=0,rst=0", "positive" },
		{ "fin=0", "positive" },
		{ "", "positive" },
		{ ",", "positive" },
		{ "fin,fin", "twice" },
		{ "fin=1,rst=1,fin=2", "twice" },
		{ "=1", "''" },
		{ "fin=1;rst=1", "weight" },
	};
	struct rs_mix mix;
	char longer[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(err, 0, sizeof(err));
		if (rs_mix_parse(cases[i].in, &mix, err, sizeof(err)) !=
		    -EINVAL)
			fail_msg("rs_mix_parse('%s') accepted", cases[i].in);
		assert_true(strlen(err) > 0);
		assert_null(strchr(err, '\n'));
		assert_has(err, cases[i].why);
	}

	memset(longer, 0, sizeof(longer));
	strcpy(longer, "fin=1");
	memset(longer + 5, ',', sizeof(longer) - 6);
	assert_int_equal(rs_mix_parse(longer, &mix, err, sizeof(err)),
			 -EINVAL);
	assert_has(err, "too long");
}

static void test_plan_hash(void **state)
{
	uint64_t h = rs_plan_hash(1, 2);

	(void)state;
	assert_int_equal(rs_plan_hash(1, 2), h);
	assert_true(rs_plan_hash(1, 3) != h);
	assert_true(rs_plan_hash(2, 2) != h);
	/* Not symmetric in seed and id. */
	assert_true(rs_plan_hash(2, 1) != h);
	assert_true(rs_plan_hash(0, 0) != 0);
}

static void test_mode_deterministic(void **state)
{
	struct rs_mix mix;
	unsigned differ = 0;
	uint64_t id;

	(void)state;
	parse_mix("fin=1,rst=1,unread=1,shutdown=1", &mix);
	for (id = 0; id < 10000; id++) {
		enum rs_close_mode a = rs_plan_mode(&mix, 42, id);

		assert_in_range(a, 0, RS_CLOSE_NMODES - 1);
		/* The same answer every time, in this or another process:
		 * it depends on nothing but (mix, seed, id). */
		assert_int_equal(rs_plan_mode(&mix, 42, id), a);
		assert_int_equal(rs_plan_mode(&mix, 42, id), a);
		if (rs_plan_mode(&mix, 43, id) != a)
			differ++;
	}
	/* Another seed is another plan: with four equal modes about 3/4
	 * of the ids change. */
	assert_in_range(differ, 7000, 8000);

	/* High bits of id (the generation) matter too. */
	differ = 0;
	for (id = 0; id < 1000; id++)
		if (rs_plan_mode(&mix, 42, id) !=
		    rs_plan_mode(&mix, 42, id | 1ull << 32))
			differ++;
	assert_in_range(differ, 600, 900);
}

static void count_modes(const char *spec, uint64_t seed,
			unsigned n[RS_CLOSE_NMODES])
{
	struct rs_mix mix;
	uint64_t id;

	parse_mix(spec, &mix);
	memset(n, 0, RS_CLOSE_NMODES * sizeof(n[0]));
	for (id = 0; id < NIDS; id++) {
		enum rs_close_mode m = rs_plan_mode(&mix, seed, id);

		assert_in_range(m, 0, RS_CLOSE_NMODES - 1);
		n[m]++;
	}
}

static void test_mode_weights(void **state)
{
	unsigned n[RS_CLOSE_NMODES];
	double share;
	unsigned m;

	(void)state;
	count_modes("fin=1,rst=3", 7, n);
	share = (double)n[RS_CLOSE_RST] / NIDS;
	if (share < 0.74 || share > 0.76)
		fail_msg("rst share %.4f, want 0.75 +- 0.01", share);
	assert_int_equal(n[RS_CLOSE_FIN] + n[RS_CLOSE_RST], NIDS);
	assert_int_equal(n[RS_CLOSE_UNREAD], 0);
	assert_int_equal(n[RS_CLOSE_SHUTDOWN], 0);

	/* Another seed, the same shares. */
	count_modes("fin=1,rst=3", 0x123456789abcdefull, n);
	share = (double)n[RS_CLOSE_RST] / NIDS;
	if (share < 0.74 || share > 0.76)
		fail_msg("rst share %.4f, want 0.75 +- 0.01", share);

	/* Four equal weights. */
	count_modes("fin=5,rst=5,unread=5,shutdown=5", 1, n);
	for (m = 0; m < RS_CLOSE_NMODES; m++) {
		share = (double)n[m] / NIDS;
		if (share < 0.24 || share > 0.26)
			fail_msg("%s share %.4f, want 0.25 +- 0.01",
				 rs_close_name(m), share);
	}

	/* A zero weight never comes up. */
	count_modes("fin=1,unread=0,rst=1,shutdown=0", 3, n);
	assert_int_equal(n[RS_CLOSE_UNREAD], 0);
	assert_int_equal(n[RS_CLOSE_SHUTDOWN], 0);
	assert_in_range(n[RS_CLOSE_FIN], NIDS * 49 / 100, NIDS * 51 / 100);

	/* A single mode is every connection's mode. */
	for (m = 0; m < RS_CLOSE_NMODES; m++) {
		char spec[32];

		snprintf(spec, sizeof(spec), "%s=7", rs_close_name(m));
		count_modes(spec, 99, n);
		assert_int_equal(n[m], NIDS);
	}

	/* Lopsided: 1 in 1001. */
	count_modes("fin=1000,unread=1", 5, n);
	assert_in_range(n[RS_CLOSE_UNREAD], 50, 160);
}

static void test_op_names(void **state)
{
	(void)state;
	assert_string_equal(rs_op_name(RS_OP_SEND), "send");
	assert_string_equal(rs_op_name(RS_OP_RECV), "recv");
	assert_string_equal(rs_op_name(RS_OP_WRITE), "write");
	assert_string_equal(rs_op_name(RS_OP_SENDMSG), "sendmsg");
	assert_string_equal(rs_op_name(RS_OP_SEND_ZC), "send-zc");
	assert_string_equal(rs_op_name(RS_OP_READ), "read");
	assert_string_equal(rs_op_name(RS_OP_NKINDS), "?");
	/* the writes: what --op-size's pattern goes out through */
	assert_true(rs_op_is_write(RS_OP_SEND));
	assert_true(rs_op_is_write(RS_OP_WRITE));
	assert_true(rs_op_is_write(RS_OP_SENDMSG));
	assert_true(rs_op_is_write(RS_OP_SEND_ZC));
	assert_false(rs_op_is_write(RS_OP_RECV));
	assert_false(rs_op_is_write(RS_OP_READ));
	assert_false(rs_op_is_write(RS_OP_NKINDS));
	assert_string_equal(rs_op_name(~0u), "?");
}

static void test_script_parse(void **state)
{
	static const struct {
		const char *in, *canon;
	} cases[] = {
		/* write and read are their own io_uring ops now, no
		 * longer send's and recv's aliases */
		{ "write,write,write,read", "write,write,write,read" },
		{ "send,send,send,recv", "send,send,send,recv" },
		{ "recv", "recv" },
		{ "write", "write" },
		{ "sendmsg,send-zc", "sendmsg,send-zc" },
		{ "read,send,write,recv", "read,send,write,recv" },
		{ "send,send,send,send,send,send,send,send,"
		  "read,read,read,read,read,read,read,read",
		  "send,send,send,send,send,send,send,send,"
		  "read,read,read,read,read,read,read,read" },
	};
	struct rs_script sc, again;
	char buf[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(err, 0, sizeof(err));
		assert_int_equal(rs_script_parse(cases[i].in, &sc, err,
						 sizeof(err)),
				 0);
		rs_script_format(&sc, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].canon);
		assert_int_equal(rs_script_parse(buf, &again, err,
						 sizeof(err)),
				 0);
		assert_memory_equal(&sc, &again, sizeof(sc));
	}

	assert_int_equal(rs_script_parse("write,send,sendmsg,send-zc,read,recv",
					 &sc, err, sizeof(err)),
			 0);
	assert_int_equal(sc.n, 6);
	assert_int_equal(sc.kind[0], RS_OP_WRITE);
	assert_int_equal(sc.kind[1], RS_OP_SEND);
	assert_int_equal(sc.kind[2], RS_OP_SENDMSG);
	assert_int_equal(sc.kind[3], RS_OP_SEND_ZC);
	assert_int_equal(sc.kind[4], RS_OP_READ);
	assert_int_equal(sc.kind[5], RS_OP_RECV);
	assert_int_equal(sc.kind[6], 0);
	assert_true(rs_script_has(&sc, RS_OP_SEND_ZC));
	assert_int_equal(rs_script_parse("send,recv", &sc, err, sizeof(err)),
			 0);
	assert_false(rs_script_has(&sc, RS_OP_SEND_ZC));
	assert_false(rs_script_has(&sc, RS_OP_WRITE));
	assert_int_equal(rs_script_parse("send,send,send,recv", &sc, err,
					 sizeof(err)),
			 0);

	/* A short buffer gets a terminated prefix and nothing past it. */
	memset(buf, 'x', sizeof(buf));
	rs_script_format(&sc, buf, 12);
	assert_int_equal(strlen(buf), 11);
	assert_memory_equal(buf, "send,send,send,recv", 11);
	assert_int_equal(buf[12], 'x');
}

static void test_script_errors(void **state)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "write,bogus", "'bogus'" },
		{ "", "''" },
		{ "send,", "''" },
		{ ",send", "''" },
		{ "send,,recv", "''" },
		{ "SEND", "'SEND'" },
		{ "sen", "'sen'" },
		{ "sendx", "'sendx'" },
		{ "send_zc", "'send_zc'" },
		{ "sendzc", "'sendzc'" },
		{ "send-z", "'send-z'" },
		{ "sendms", "'sendms'" },
		{ "send-flags0", "'send-flags0'" },
		{ "send recv", "'send recv'" },
		{ "send,send,send,send,send,send,send,send,"
		  "send,send,send,send,send,send,send,send,recv",
		  "more than 16" },
		{ "send,send,send,send,send,send,send,send,"
		  "send,send,send,send,send,send,send,send,"
		  "send,send,send,send,send,send,send,send",
		  "more than 16" },
	};
	struct rs_script sc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(err, 0, sizeof(err));
		if (rs_script_parse(cases[i].in, &sc, err, sizeof(err)) !=
		    -EINVAL)
			fail_msg("rs_script_parse('%s') accepted",
				 cases[i].in);
		assert_null(strchr(err, '\n'));
		assert_has(err, cases[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_names),
		cmocka_unit_test(test_mix_round_trip),
		cmocka_unit_test(test_mix_errors),
		cmocka_unit_test(test_plan_hash),
		cmocka_unit_test(test_mode_deterministic),
		cmocka_unit_test(test_mode_weights),
		cmocka_unit_test(test_op_names),
		cmocka_unit_test(test_script_parse),
		cmocka_unit_test(test_script_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
