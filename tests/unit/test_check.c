/* Unit tests for check's judge and its counter reconciliation
 * (src/check.c): the verdict of a phase from made-up trial results, and
 * each counter's expected range at its exact edges. The functions are
 * static, so this file includes check.c itself; its three external
 * functions are renamed here so they do not clash with the copy in the
 * project's objects the test is linked with. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define rs_cmd_check test_copy_rs_cmd_check
#define rs_cmd_scenarios test_copy_rs_cmd_scenarios
#define rs_wilson95 test_copy_rs_wilson95
#include "../../src/check.c"
#undef rs_cmd_check
#undef rs_cmd_scenarios
#undef rs_wilson95

#define EPIPE_RES (RS_RES_ERRNO0 + EPIPE)
#define ECONNRESET_RES (RS_RES_ERRNO0 + ECONNRESET)

/* A one-op scenario: a send after a FIN, judged as exp_kind says, with
 * expected results a (and b when nexp is 2). */
static struct rs_scenario one_op(uint8_t exp_kind, uint8_t nexp, uint16_t a,
				 uint16_t b)
{
	struct rs_scenario sc = {
		.name = "unit",
		.mode = RS_CLOSE_FIN,
		.path = RS_PATH_INLINE,
		.nops = 1,
		.sigpipe = RS_SIG_NONE,
	};

	sc.op[0] = (struct rs_sc_op){ .kind = RS_SOP_SEND,
				      .exp_kind = exp_kind,
				      .nexp = nexp,
				      .exp = { a, b },
				      .claim = -1 };
	return sc;
}

/* A phase that ran all its trials: n0 results a, n1 results b of op 1. */
static void ran(struct phase *p, unsigned a, uint64_t n0, unsigned b,
		uint64_t n1)
{
	memset(p, 0, sizeof(*p));
	p->want_trials = (uint32_t)(n0 + n1);
	p->r.trials = n0 + n1;
	p->r.n[0][a] += n0;
	p->r.n[0][b] += n1;
}

/* Exact, and only expected results: PASS. */
static void test_judge_exact_pass(void **state)
{
	struct rs_scenario sc = one_op(RS_EXP_EXACT, 1, EPIPE_RES, 0);
	struct phase p;

	(void)state;
	ran(&p, EPIPE_RES, 10, EPIPE_RES, 0);
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "PASS");
	assert_string_equal(p.detail, "");
}

/* Exact, one unexpected result among them: DIFF, naming it. */
static void test_judge_exact_diff(void **state)
{
	struct rs_scenario sc = one_op(RS_EXP_EXACT, 1, EPIPE_RES, 0);
	struct phase p;

	(void)state;
	ran(&p, EPIPE_RES, 9, ECONNRESET_RES, 1);
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "DIFF");
	assert_non_null(strstr(p.detail,
			       "op 1 send: expected EPIPE, got ECONNRESET 1/10"));
}

/* A measured op is a distribution: MEASURED, never PASS, whatever its
 * results (all expected ones, or a mix). */
static void test_judge_measured_never_pass(void **state)
{
	struct rs_scenario sc = one_op(RS_EXP_MEASURED, 2, RS_RES_OK,
				       EPIPE_RES);
	struct phase p;

	(void)state;
	ran(&p, RS_RES_OK, 6, EPIPE_RES, 4);
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "MEASURED");
	ran(&p, EPIPE_RES, 10, EPIPE_RES, 0);
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "MEASURED");
	/* ordered: exact alone on the inline path, measured under load */
	sc.op[0].exp_kind = RS_EXP_ORDERED;
	ran(&p, EPIPE_RES, 10, EPIPE_RES, 0);
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "PASS");
	p.loaded = true;
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "MEASURED");
}

/* Fewer trials than asked: DIFF. */
static void test_judge_too_few_trials(void **state)
{
	struct rs_scenario sc = one_op(RS_EXP_EXACT, 1, EPIPE_RES, 0);
	struct phase p;

	(void)state;
	ran(&p, EPIPE_RES, 10, EPIPE_RES, 0);
	p.want_trials = 11;
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "DIFF");
	assert_non_null(strstr(p.detail, "only 10 of 11 trials ran"));
}

/* The SIGPIPE rule: none means no SIGPIPE at all, whatever the EPIPEs;
 * per-EPIPE means exactly one per EPIPE write. */
static void test_judge_sigpipe_rule(void **state)
{
	struct rs_scenario sc = one_op(RS_EXP_EXACT, 1, EPIPE_RES, 0);
	struct phase p;

	(void)state;
	ran(&p, EPIPE_RES, 10, EPIPE_RES, 0);
	p.r.epipe_writes = 10;
	judge(&sc, &p, 0);
	assert_int_equal(p.sig_rule, RS_SIG_NONE);
	assert_string_equal(vname[p.v], "PASS");
	p.r.sigpipe = 1;
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "DIFF");
	assert_non_null(strstr(p.detail,
			       "SIGPIPE delivered 1 times, expected 0 (none)"));
	/* a syscall write: one SIGPIPE per EPIPE */
	sc.op[0].kind = RS_SOP_SYS_WRITE;
	sc.sigpipe = RS_SIG_PER_EPIPE;
	p.r.sigpipe = 10;
	judge(&sc, &p, 0);
	assert_int_equal(p.sig_rule, RS_SIG_PER_EPIPE);
	assert_string_equal(vname[p.v], "PASS");
	p.r.sigpipe = 9;
	judge(&sc, &p, 0);
	assert_string_equal(vname[p.v], "DIFF");
}

/* counter_ok: the range is inclusive at both ends, and nothing outside it
 * (one below, one above, or an unreadable counter) is accepted. */
static void test_counter_range_edges(void **state)
{
	struct phase p;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.want[C_OUTRSTS] = (struct expect_range){ 5, 7 };
	for (int64_t d = 3; d <= 9; d++) {
		p.delta[C_OUTRSTS] = d;
		if (counter_ok(&p, C_OUTRSTS) != (d >= 5 && d <= 7))
			fail_msg("delta %lld against [5, 7]: counter_ok says %d",
				 (long long)d, counter_ok(&p, C_OUTRSTS));
	}
	p.delta[C_OUTRSTS] = -1;
	assert_false(counter_ok(&p, C_OUTRSTS));
	/* an exact range: only its one value */
	p.want[C_OUTRSTS] = (struct expect_range){ 0, 0 };
	p.delta[C_OUTRSTS] = 0;
	assert_true(counter_ok(&p, C_OUTRSTS));
	p.delta[C_OUTRSTS] = 1;
	assert_false(counter_ok(&p, C_OUTRSTS));
}

/* The trials' exact facts become exact ranges: 3 RST closes with unread
 * data (each an EstabReset and an AbortOnClose), alone (no load). A
 * counter one above or one below is a mismatch. */
static void test_expect_counters_exact(void **state)
{
	struct rs_run_out out;
	struct phase p;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&out, 0, sizeof(out));
	p.r.trials = 3;
	p.r.rst_unread = 3;
	p.r.estab_resets = 3;
	expect_counters(&p, &out);
	assert_int_equal(p.want[C_ESTABRESETS].lo, 3);
	assert_int_equal(p.want[C_ESTABRESETS].hi, 3);
	assert_int_equal(p.want[C_OUTRSTS].lo, 3);
	assert_int_equal(p.want[C_OUTRSTS].hi, 3);
	assert_int_equal(p.want[C_ABORTCLOSE].lo, 3);
	assert_int_equal(p.want[C_ABORTCLOSE].hi, 3);
	assert_int_equal(p.want[C_ACTIVE].lo, 3);
	assert_int_equal(p.want[C_ACTIVE].hi, 3);
	for (unsigned i = C_OUTRSTS; i <= C_ABORTCLOSE; i++) {
		if (i == C_ATTEMPTFAILS)
			continue;
		p.delta[i] = (int64_t)p.want[i].lo;
		assert_true(counter_ok(&p, i));
		p.delta[i] = (int64_t)p.want[i].hi + 1;
		assert_false(counter_ok(&p, i));
		p.delta[i] = (int64_t)p.want[i].lo - 1;
		assert_false(counter_ok(&p, i));
	}
	/* AbortOnClose + AbortOnData: 3 exactly */
	p.delta[C_ABORTCLOSE] = 3;
	p.delta[C_ABORTDATA] = 0;
	assert_true(abort_sum_ok(&p));
	p.delta[C_ABORTDATA] = 1;
	assert_false(abort_sum_ok(&p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_exact_pass),
		cmocka_unit_test(test_judge_exact_diff),
		cmocka_unit_test(test_judge_measured_never_pass),
		cmocka_unit_test(test_judge_too_few_trials),
		cmocka_unit_test(test_judge_sigpipe_rule),
		cmocka_unit_test(test_counter_range_edges),
		cmocka_unit_test(test_expect_counters_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
