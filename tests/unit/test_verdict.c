/* Unit tests for the verdict module (src/verdict.c): the rules check and
 * merge share, each reason for a DIFF, and MEASURED. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "verdict.h"

static const struct rs_vcell exact_ok[] = {
	{ 1, "send", "ok", "ok", true, 10 },
	{ 2, "send", "EPIPE", "EPIPE|ECONNRESET", true, 7 },
	{ 2, "send", "ECONNRESET", "EPIPE|ECONNRESET", true, 3 },
};

static struct rs_vphase base(void)
{
	struct rs_vphase p = {
		.want = 10, .trials = 10, .sig_rule = "none",
		.cells = exact_ok, .ncells = 3,
	};

	return p;
}

static enum rs_verdict judge(const struct rs_vphase *p, char *d, size_t n)
{
	d[0] = '\0';
	return rs_verdict_judge(p, d, n);
}

static void test_pass(void **state)
{
	struct rs_vphase p = base();
	char d[512];

	(void)state;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_PASS);
	assert_string_equal(d, "");
}

static void test_unexpected_result(void **state)
{
	struct rs_vcell c[] = {
		{ 1, "send", "ok", "ok", true, 9 },
		{ 1, "send", "ECONNRESET", "ok", true, 1 },
	};
	struct rs_vphase p = base();
	char d[512];

	(void)state;
	p.cells = c;
	p.ncells = 2;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_DIFF);
	assert_string_equal(d, "op 1 send: expected ok, got ECONNRESET 1/10; ");
	/* the same result in a measured op is a share, not a DIFF */
	c[1].exact = c[0].exact = false;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_MEASURED);
}

static void test_trials(void **state)
{
	struct rs_vphase p = base();
	char d[512];

	(void)state;
	p.trials = 8;
	p.setup_failed = 1;
	p.setup_err = "EMFILE";
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_DIFF);
	assert_string_equal(d, "only 9 of 10 trials ran; 1 trials could not be set up (EMFILE); ");
	p.setup_err = NULL;
	p.trials = 9;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_DIFF);
	assert_string_equal(d, "1 trials could not be set up; ");
}

static void test_sigpipe(void **state)
{
	struct rs_vphase p = base();
	char d[512];

	(void)state;
	p.sigpipe = 1;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_DIFF);
	assert_string_equal(d, "SIGPIPE delivered 1 times, expected 0 (none); ");
	p.sig_rule = "per-EPIPE";
	p.epipe = 1;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_PASS);
	p.epipe = 2;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_DIFF);
	/* coalesced: 1..epipe, or 0 when no EPIPE */
	p.sig_rule = "1..per-EPIPE";
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_PASS);
	p.sigpipe = 3;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_DIFF);
	assert_string_equal(d, "SIGPIPE delivered 3 times for 2 EPIPE writes, expected 1..2; ");
	p.sigpipe = 0;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_DIFF);
	p.epipe = 0;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_PASS);
	p.sig_rule = "measured";
	p.sigpipe = 7;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_MEASURED);
	/* a rule that is not one (a merge of kernels that differ) is not
	 * judged here */
	p.sig_rule = "mixed";
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_PASS);
}

static void test_measured_ops(void **state)
{
	struct rs_vphase p = base();
	char d[512];

	(void)state;
	p.measured_ops = true;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_MEASURED);
	/* DIFF wins over MEASURED */
	p.sigpipe = 1;
	assert_int_equal(judge(&p, d, sizeof(d)), RS_V_DIFF);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(rs_verdict_expected("ok|EPIPE", "EPIPE"));
	assert_true(rs_verdict_expected("EPIPE", "EPIPE"));
	assert_false(rs_verdict_expected("EPIPE", "EPIP"));
	assert_false(rs_verdict_expected("ok|EPIPE", "o"));
	for (int v = 0; v < RS_V_NJUDGED; v++)
		assert_int_equal(rs_verdict_from_name(rs_verdict_name(v)), v);
	assert_int_equal(rs_verdict_from_name("SKIPPED"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_unexpected_result),
		cmocka_unit_test(test_trials),
		cmocka_unit_test(test_sigpipe),
		cmocka_unit_test(test_measured_ops),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
