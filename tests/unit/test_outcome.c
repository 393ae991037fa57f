/* Unit tests for result codes, the outcome table and worker tallies
 * (src/outcome.c, src/tally.c): names, merging, the books check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "tally.h"

static struct rs_tally *new_tally(void)
{
	struct rs_tally *t = rs_tally_new();

	assert_non_null(t);
	return t;
}

static void assert_has(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("'%s' does not contain '%s'", s, want);
}

static void test_result_of(void **state)
{
	(void)state;
	assert_int_equal(rs_result_of(1), RS_RES_OK);
	assert_int_equal(rs_result_of(64), RS_RES_OK);
	assert_int_equal(rs_result_of(1 << 30), RS_RES_OK);
	assert_int_equal(rs_result_of(0), RS_RES_EOF);
	assert_int_equal(rs_result_of(-EPIPE), RS_RES_ERRNO0 + EPIPE);
	assert_string_equal(rs_result_name(rs_result_of(-EPIPE)), "EPIPE");
	assert_string_equal(rs_result_name(rs_result_of(-ECONNRESET)),
			    "ECONNRESET");
	assert_string_equal(rs_result_name(rs_result_of(-ECONNREFUSED)),
			    "ECONNREFUSED");
	assert_string_equal(rs_result_name(rs_result_of(-ETIMEDOUT)),
			    "ETIMEDOUT");
	assert_string_equal(rs_result_name(rs_result_of(-ECANCELED)),
			    "ECANCELED");

	/* The largest errno kept, and the first beyond it. */
	assert_int_equal(rs_result_of(-RS_RES_ERRNO_MAX),
			 RS_RES_ERRNO0 + RS_RES_ERRNO_MAX);
	assert_true(RS_RES_ERRNO0 + RS_RES_ERRNO_MAX < RS_RES_KILLED);
	assert_int_equal(rs_result_of(-RS_RES_ERRNO_MAX - 1), RS_RES_ERRNO0);
	/* Out of range: kept visible as "E0", not dropped or overrun. */
	assert_int_equal(rs_result_of(-9999), RS_RES_ERRNO0);
	assert_string_equal(rs_result_name(rs_result_of(-9999)), "E0");

	assert_false(rs_result_is_error(RS_RES_OK));
	assert_false(rs_result_is_error(RS_RES_EOF));
	assert_true(rs_result_is_error(RS_RES_TIMEOUT));
	assert_true(rs_result_is_error(RS_RES_SHORT));
	assert_true(rs_result_is_error(RS_RES_ERRNO0));
	assert_true(rs_result_is_error(rs_result_of(-EPIPE)));
}

static void test_result_names(void **state)
{
	static const struct {
		const char *name;
		int code;
	} cases[] = {
		{ "ok", RS_RES_OK },
		{ "eof", RS_RES_EOF },
		{ "timeout", RS_RES_TIMEOUT },
		{ "short", RS_RES_SHORT },
		{ "E0", RS_RES_ERRNO0 },
		{ "EPIPE", RS_RES_ERRNO0 + EPIPE },
		{ "ECONNRESET", RS_RES_ERRNO0 + ECONNRESET },
		{ "EAGAIN", RS_RES_ERRNO0 + EAGAIN },
		{ "killed:SIGPIPE", RS_RES_KILLED },
		{ "not-run", RS_RES_NOTRUN },
	};
	static const char *const unknown[] = {
		"bogus", "", "OK", "Eof", "EPIPE ", "epipe", "E9999", "?",
		"E-1", "killed", "killed:SIGKILL", "not run",
	};
	char name[32];
	size_t i;
	unsigned r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(rs_result_name(cases[i].code),
				    cases[i].name);
		assert_int_equal(rs_result_from_name(cases[i].name),
				 cases[i].code);
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (rs_result_from_name(unknown[i]) != -1)
			fail_msg("'%s' has a result code", unknown[i]);
	assert_string_equal(rs_result_name(RS_RES_N), "?");

	/* Every code has its own name. The name is copied first: for
	 * errnos the C library does not name it lives in a per-thread
	 * buffer that the lookup itself reuses. */
	for (r = 0; r < RS_RES_N; r++) {
		snprintf(name, sizeof(name), "%s", rs_result_name(r));
		assert_true(strlen(name) > 0);
		if (rs_result_from_name(name) != (int)r)
			fail_msg("code %u: name '%s' maps back to %d", r, name,
				 rs_result_from_name(name));
	}
}

static void test_phase_names(void **state)
{
	static const char *const names[RS_PH_N] = {
		"socket", "connect", "hello", "wait", "ops", "close",
	};
	unsigned p;

	(void)state;
	for (p = 0; p < RS_PH_N; p++) {
		assert_string_equal(rs_phase_name(p), names[p]);
		assert_int_equal(rs_phase_from_name(names[p]), p);
	}
	assert_string_equal(rs_phase_name(RS_PH_N), "?");
	assert_int_equal(rs_phase_from_name("abandoned"), -1);
	assert_int_equal(rs_phase_from_name(""), -1);
}

static void test_outcome_add(void **state)
{
	struct rs_outcome *a = calloc(1, sizeof(*a));
	struct rs_outcome *b = calloc(1, sizeof(*b));
	struct rs_outcome *zero = calloc(1, sizeof(*zero));
	unsigned m, i, r;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(zero);
	for (m = 0; m < RS_CLOSE_NMODES; m++)
		for (i = 0; i < RS_MAX_OPS; i++)
			for (r = 0; r < RS_RES_N; r++) {
				a->n[m][i][r] = m * 100000 + i * 1000 + r;
				b->n[m][i][r] = (r * 7 + i) % 5;
			}
	rs_outcome_count(b, RS_CLOSE_SHUTDOWN, RS_MAX_OPS - 1, RS_RES_N - 1);
	rs_outcome_add(a, b);
	for (m = 0; m < RS_CLOSE_NMODES; m++)
		for (i = 0; i < RS_MAX_OPS; i++)
			for (r = 0; r < RS_RES_N; r++) {
				uint64_t want = m * 100000 + i * 1000 + r +
						(r * 7 + i) % 5;

				if (m == RS_CLOSE_SHUTDOWN &&
				    i == RS_MAX_OPS - 1 && r == RS_RES_N - 1)
					want++;
				assert_int_equal(a->n[m][i][r], want);
			}

	/* Adding nothing changes nothing; into nothing, it copies. */
	memcpy(b, a, sizeof(*b));
	rs_outcome_add(a, zero);
	assert_memory_equal(a, b, sizeof(*a));
	rs_outcome_add(zero, a);
	assert_memory_equal(zero, a, sizeof(*a));

	memset(a, 0, sizeof(*a));
	rs_outcome_count(a, RS_CLOSE_RST, 2, RS_RES_OK);
	rs_outcome_count(a, RS_CLOSE_RST, 2, rs_result_of(-EPIPE));
	rs_outcome_count(a, RS_CLOSE_RST, 2, rs_result_of(-EPIPE));
	rs_outcome_count(a, RS_CLOSE_RST, 3, RS_RES_EOF);
	assert_int_equal(rs_outcome_total(a, RS_CLOSE_RST, 2), 3);
	assert_int_equal(rs_outcome_total(a, RS_CLOSE_RST, 3), 1);
	assert_int_equal(rs_outcome_total(a, RS_CLOSE_FIN, 2), 0);
	free(a);
	free(b);
	free(zero);
}

/* Count event k into t as a worker would, touching every field by name:
 * the same k always gives the same counts and histogram values. */
static void record(struct rs_tally *t, unsigned k)
{
	unsigned mode = k % RS_CLOSE_NMODES;
	unsigned op = (k / RS_CLOSE_NMODES) % RS_MAX_OPS;
	unsigned ph = (k / 3) % RS_PH_N;
	int res = k % 3 == 0 ? -(int)(k % (RS_RES_ERRNO_MAX + 20)) :
			       (int)(k % 5);
	unsigned r = rs_result_of(res);
	uint64_t lat = (uint64_t)k * k * 7919 % (UINT64_C(1) << 40);

	t->started++;
	t->mode_started[mode]++;
	switch (k % 4) {
	case 0:
	case 1:
		t->completed++;
		t->mode_completed[mode]++;
		break;
	case 2:
		t->failed[ph][r]++;
		break;
	case 3:
		t->abandoned[ph]++;
		break;
	}
	t->op_issued[mode][op]++;
	if (k % 7 == 0)
		t->op_abandoned[mode][op]++;
	else
		rs_outcome_count(&t->outcome, mode, op, r);
	if (k % 5 == 0)
		t->before_close[mode][op]++;
	t->close_errors += k % 11 == 0;
	t->cq_overflow += k % 13 == 0;
	t->cq_dropped += k % 17 == 0;
	t->stray_cqes += k % 19 == 0;
	t->srv_accepted++;
	t->srv_closed[mode]++;
	t->srv_accept_errors += k % 23 == 0;
	t->srv_no_slot += k % 29 == 0;
	t->srv_bad_hello += k % 31 == 0;
	t->srv_early_eof += k % 37 == 0;
	t->srv_unread_empty += k % 41 == 0;
	t->srv_open_at_stop += k % 43 == 0;
	t->user_ns += k * 1000ull;
	t->sys_ns += k * 7ull;
	rs_histo_record(&t->connect_ns, lat / 3);
	rs_histo_record(&t->op_ns[mode][op], lat);
	rs_histo_record(&t->since_close_ns[mode][op], lat / 2 + k);
	if (rs_result_is_error(r))
		rs_histo_record(&t->since_close_err_ns[mode][op], lat / 2 + k);
	if (k % 101 == 0)
		rs_histo_record(&t->op_ns[mode][op], UINT64_C(1) << 45);
}

static void test_tally_add_equals_one(void **state)
{
	struct rs_tally *all = new_tally(), *a = new_tally();
	struct rs_tally *b = new_tally(), *sum = new_tally();
	struct rs_tally *empty = new_tally();
	unsigned k;

	(void)state;
	for (k = 0; k < 20000; k++) {
		record(all, k);
		record(k % 3 ? a : b, k);
	}
	assert_true(a->started > 0 && b->started > 0);
	assert_true(all->op_ns[0][0].clipped > 0);

	rs_tally_add(sum, a);
	assert_memory_equal(sum, a, sizeof(*sum));
	rs_tally_add(sum, b);
	assert_memory_equal(sum, all, sizeof(*sum));

	/* The other order, into a non-empty dst. */
	rs_tally_add(b, a);
	assert_memory_equal(b, all, sizeof(*b));

	/* Adding an empty tally changes nothing. */
	rs_tally_add(sum, empty);
	assert_memory_equal(sum, all, sizeof(*sum));
	assert_int_equal(rs_tally_failed_total(sum) +
				 rs_tally_abandoned_total(sum) +
				 sum->completed,
			 20000);

	free(all);
	free(a);
	free(b);
	free(sum);
	free(empty);
}

/* Every counter, whatever its name, is summed: fill them all through the
 * named fields at both ends and the outcome table in the middle. */
static void test_tally_add_counters(void **state)
{
	enum { M = RS_CLOSE_NMODES - 1, O = RS_MAX_OPS - 1, R = RS_RES_N - 1 };
	struct rs_tally *a = new_tally(), *b = new_tally();

	(void)state;
	a->started = 1;
	b->started = 2;
	a->failed[RS_PH_N - 1][R] = 3;
	b->failed[RS_PH_N - 1][R] = 4;
	a->outcome.n[M][O][R] = 5;
	b->outcome.n[M][O][R] = 6;
	a->srv_open_at_stop = 7;
	b->srv_open_at_stop = 8;
	a->user_ns = 9;
	b->user_ns = 10;
	a->sys_ns = 11;
	b->sys_ns = 12;
	rs_histo_record(&b->since_close_err_ns[M][O], 77);
	rs_tally_add(a, b);
	assert_int_equal(a->started, 3);
	assert_int_equal(a->failed[RS_PH_N - 1][R], 7);
	assert_int_equal(a->outcome.n[M][O][R], 11);
	assert_int_equal(a->srv_open_at_stop, 15);
	assert_int_equal(a->user_ns, 19);
	assert_int_equal(a->sys_ns, 23);
	assert_int_equal(a->since_close_err_ns[M][O].count, 1);
	assert_int_equal(a->since_close_err_ns[M][O].min, 77);
	/* src is left as it was. */
	assert_int_equal(b->started, 2);
	assert_int_equal(b->sys_ns, 12);
	free(a);
	free(b);
}

/* A small consistent tally: 10 connections, 4 ops each for the ones that
 * got that far. */
static void fill_balanced(struct rs_tally *t)
{
	unsigned i;

	t->started = 10;
	t->completed = 7;
	t->failed[RS_PH_CONNECT][rs_result_of(-ECONNREFUSED)] = 2;
	t->abandoned[RS_PH_OPS] = 1;
	for (i = 0; i < 4; i++) {
		t->op_issued[RS_CLOSE_FIN][i] = 4;
		rs_outcome_count(&t->outcome, RS_CLOSE_FIN, i, RS_RES_OK);
		t->outcome.n[RS_CLOSE_FIN][i][rs_result_of(-EPIPE)] += 3;
		t->op_issued[RS_CLOSE_RST][i] = 3;
		t->outcome.n[RS_CLOSE_RST][i][rs_result_of(-ECONNRESET)] = 3;
	}
	/* the abandoned connection, during its third op */
	t->op_issued[RS_CLOSE_RST][2] = 4;
	t->op_abandoned[RS_CLOSE_RST][2] = 1;
	t->cq_overflow = 1; /* seen, but nothing dropped: fine */
}

static void test_tally_balanced(void **state)
{
	struct rs_tally *t = new_tally();
	char why[256];

	(void)state;
	assert_true(rs_tally_balanced(t, 4, why, sizeof(why)));
	assert_string_equal(why, "balanced");

	fill_balanced(t);
	memset(why, 0, sizeof(why));
	assert_true(rs_tally_balanced(t, 4, why, sizeof(why)));
	assert_string_equal(why, "balanced");
	assert_int_equal(rs_tally_failed_total(t), 2);
	assert_int_equal(rs_tally_abandoned_total(t), 1);

	/* A connection too many. */
	t->started = 11;
	assert_false(rs_tally_balanced(t, 4, why, sizeof(why)));
	assert_has(why, "started 11");
	assert_has(why, "completed 7");
	assert_has(why, "failed 2");
	assert_has(why, "abandoned 1");
	t->started = 10;
	t->failed[RS_PH_HELLO][RS_RES_TIMEOUT] = 1;
	assert_false(rs_tally_balanced(t, 4, why, sizeof(why)));
	assert_has(why, "failed 3");
	t->failed[RS_PH_HELLO][RS_RES_TIMEOUT] = 0;
	assert_true(rs_tally_balanced(t, 4, why, sizeof(why)));

	/* An op issued but neither counted nor abandoned. */
	t->op_issued[RS_CLOSE_RST][2]++;
	assert_false(rs_tally_balanced(t, 4, why, sizeof(why)));
	assert_has(why, "rst op 3");
	assert_has(why, "issued 5");
	assert_has(why, "counted 3");
	assert_has(why, "abandoned 1");
	t->op_issued[RS_CLOSE_RST][2]--;
	/* An op counted that was never issued. */
	rs_outcome_count(&t->outcome, RS_CLOSE_FIN, 0, RS_RES_EOF);
	assert_false(rs_tally_balanced(t, 4, why, sizeof(why)));
	assert_has(why, "fin op 1");
	assert_has(why, "counted 5");
	t->outcome.n[RS_CLOSE_FIN][0][RS_RES_EOF] = 0;
	assert_true(rs_tally_balanced(t, 4, why, sizeof(why)));

	/* Completions the kernel dropped: the books cannot be trusted. */
	t->cq_dropped = 2;
	assert_false(rs_tally_balanced(t, 4, why, sizeof(why)));
	assert_has(why, "dropped 2");
	t->cq_dropped = 0;
	assert_true(rs_tally_balanced(t, 4, why, sizeof(why)));

	/* A short why buffer is still terminated. */
	t->started = 12;
	memset(why, 'x', sizeof(why));
	assert_false(rs_tally_balanced(t, 4, why, 8));
	assert_int_equal(strlen(why), 7);
	assert_int_equal(why[8], 'x');
	free(t);
}

/* An errno the C library does not name round-trips through "E<n>". */
static void test_unnamed_errno(void **state)
{
	char name[16];
	unsigned r;

	(void)state;
	for (r = RS_RES_ERRNO0 + 1; r < RS_RES_N; r++) {
		snprintf(name, sizeof(name), "%s", rs_result_name(r));
		assert_int_equal(rs_result_from_name(name), (int)r);
	}
	assert_int_equal(rs_result_from_name("E058"), -1);
	assert_int_equal(rs_result_from_name("E999"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_of),
		cmocka_unit_test(test_unnamed_errno),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_phase_names),
		cmocka_unit_test(test_outcome_add),
		cmocka_unit_test(test_tally_add_equals_one),
		cmocka_unit_test(test_tally_add_counters),
		cmocka_unit_test(test_tally_balanced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
