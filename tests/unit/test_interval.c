/* Unit tests for run --interval's records (src/interval.c): the histogram
 * difference, and the collector driven by hand in one thread (two
 * "workers" ticking, a main thread polling): rows contiguous, counts
 * adding up exactly, an interval closed only when every worker left it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "interval.h"

#define MS 1000000ull
#define T0 (1000 * MS)

static void test_delta_exact(void **state)
{
	struct rs_histo *now = calloc(3, sizeof(*now)), *prev = now + 1,
			*d = now + 2, *ref;
	(void)state;
	assert_non_null(now);
	ref = calloc(1, sizeof(*ref));
	assert_non_null(ref);
	for (uint64_t v = 1; v < 5000; v += 7)
		rs_histo_record(now, v * 1000);
	*prev = *now;
	/* the interval's values: a new maximum, nothing below the min */
	for (uint64_t v = 3000; v < 9000; v += 11) {
		rs_histo_record(now, v * 1000 + 3);
		rs_histo_record(ref, v * 1000 + 3);
	}
	rs_iv_histo_delta(d, now, prev);
	assert_int_equal(d->count, ref->count);
	assert_memory_equal(d->bucket, ref->bucket, sizeof(d->bucket));
	assert_int_equal(d->sum, ref->sum);
	assert_int_equal(d->max, ref->max); /* the run's new maximum: exact */
	/* not the run's new minimum: the bucket's bottom, within 1/32 */
	assert_true(d->min <= ref->min);
	assert_true(d->min >= ref->min - ref->min / 32);
	for (double p = 1; p < 100; p += 7)
		assert_int_equal(rs_histo_percentile(d, p),
				 rs_histo_percentile(ref, p));
	/* nothing new: empty */
	*prev = *now;
	rs_iv_histo_delta(d, now, prev);
	assert_int_equal(d->count, 0);
	assert_int_equal(d->max, 0);
	/* a smaller interval maximum: its bucket's top, clamped */
	rs_histo_record(now, 5);
	rs_iv_histo_delta(d, now, prev);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->min, 5);
	assert_int_equal(d->max, 5);
	free(now);
	free(ref);
}

static void count_conn(struct rs_tally *t, uint64_t lat, unsigned res)
{
	t->started++;
	t->completed++;
	rs_histo_record(&t->connect_ns, lat);
	rs_histo_record(&t->op_ns[0][0], lat / 2);
	t->outcome.n[0][0][res]++;
}

static void test_collector(void **state)
{
	struct rs_script sc = { .n = 1, .kind = { 0 } };
	struct rs_tally *a = rs_tally_new(), *b = rs_tally_new();
	struct rs_iv *iv = rs_iv_new(T0, 100 * MS, 2, &sc, NULL);
	struct rs_ivw *wa, *wb;
	uint64_t st = 0, ops = 0, ok = 0, ep = 0;
	unsigned res_ok = rs_result_of(0), res_ep = rs_result_of(-32);
	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(iv);
	wa = rs_iv_worker(iv, 0);
	wb = rs_iv_worker(iv, 1);
	assert_null(rs_iv_worker(iv, 2));

	/* interval 0: a counts 3, b 1 */
	for (int i = 0; i < 3; i++)
		count_conn(a, 1000 + i, res_ok);
	count_conn(b, 50000, res_ep);
	rs_ivw_tick(wa, a, T0 + 50 * MS); /* still in 0: nothing */
	rs_iv_poll(iv);
	assert_int_equal(rs_iv_nrows(iv), 0);
	rs_ivw_tick(wa, a, T0 + 110 * MS);
	rs_iv_poll(iv);
	/* b has not left interval 0: not closed */
	assert_int_equal(rs_iv_nrows(iv), 0);
	rs_ivw_tick(wb, b, T0 + 120 * MS);
	rs_iv_poll(iv);
	assert_int_equal(rs_iv_nrows(iv), 1);
	/* intervals 1 and 2: b is stalled until 350 ms */
	count_conn(a, 2000, res_ok);
	rs_ivw_tick(wa, a, T0 + 210 * MS);
	count_conn(a, 3000, res_ep);
	count_conn(b, 4000, res_ok);
	rs_ivw_tick(wa, a, T0 + 310 * MS);
	rs_iv_poll(iv);
	assert_int_equal(rs_iv_nrows(iv), 1);
	rs_ivw_tick(wb, b, T0 + 350 * MS);
	rs_iv_poll(iv);
	assert_int_equal(rs_iv_nrows(iv), 3);
	/* the end: a abandons one at 380 ms */
	a->started++;
	a->abandoned[RS_PH_WAIT]++;
	rs_ivw_final(wa, a, T0 + 380 * MS);
	rs_ivw_final(wb, b, T0 + 360 * MS);
	assert_int_equal(rs_iv_finish(iv, 0.4205), 0);
	/* 0.4205 s: intervals 0..4, the last 0.400..0.4205 */
	assert_int_equal(rs_iv_nrows(iv), 5);
	for (unsigned i = 0; i < rs_iv_nrows(iv); i++) {
		const struct rs_iv_row *r = rs_iv_row(iv, i);

		assert_int_equal(r->k, i);
		assert_true(r->t_start_s == (double)(i * 100 * MS) / 1e9);
		if (i + 1 < rs_iv_nrows(iv))
			assert_true(r->t_end_s ==
				    rs_iv_row(iv, i + 1)->t_start_s);
		st += r->started;
		ops += r->ops;
		for (unsigned c = 0; c < r->ncells; c++) {
			if (r->cells[c].result == res_ok)
				ok += r->cells[c].count;
			if (r->cells[c].result == res_ep)
				ep += r->cells[c].count;
		}
	}
	assert_true(rs_iv_row(iv, 4)->t_end_s == 0.4205);
	assert_int_equal(st, a->started + b->started);
	assert_int_equal(ops, 7);
	assert_int_equal(ok, 5);
	assert_int_equal(ep, 2);
	/* by interval: 0 has a's 3 and b's 1; 1 has a's 2000 and b's 4000
	 * (b's record, taken at 350 ms, goes to the interval it had been in);
	 * 2 a's 3000; 3 a's abandonment; 4 nothing */
	assert_int_equal(rs_iv_row(iv, 0)->started, 4);
	assert_int_equal(rs_iv_row(iv, 0)->connect_n, 4);
	assert_int_equal(rs_iv_row(iv, 0)->op_n, 4);
	/* the maximum (pct 100) exact: the run's largest so far */
	assert_int_equal(rs_iv_row(iv, 0)->connect_pct[RS_IV_NPCT - 1], 50000);
	/* p50: the second of 1000, 1001, 1002, 50000, its bucket's top */
	assert_int_equal(rs_iv_row(iv, 0)->connect_pct[0],
			 rs_histo_bucket_hi(rs_histo_bucket_of(1001)));
	assert_int_equal(rs_iv_row(iv, 1)->connect_n, 2);
	/* 4000 came from b, whose largest so far was 50000: the top of
	 * its bucket, not exact */
	assert_int_equal(rs_iv_row(iv, 1)->connect_pct[RS_IV_NPCT - 1],
			 rs_histo_bucket_hi(rs_histo_bucket_of(4000)));
	assert_true(rs_histo_bucket_hi(rs_histo_bucket_of(4000)) > 4000);
	assert_int_equal(rs_iv_row(iv, 1)->started, 2);
	assert_int_equal(rs_iv_row(iv, 2)->started, 1);
	assert_int_equal(rs_iv_row(iv, 3)->started, 1);
	assert_int_equal(rs_iv_row(iv, 3)->abandoned, 1);
	assert_int_equal(rs_iv_row(iv, 4)->started, 0);
	rs_iv_free(iv);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_exact),
		cmocka_unit_test(test_collector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
