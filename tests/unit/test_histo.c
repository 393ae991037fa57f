/* Unit tests for the log-linear histogram (src/histo.c): bucket arithmetic,
 * percentiles against a sorted reference, clipping, merging, saturation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "histo.h"

#define LAST (RS_HISTO_NBUCKETS - 1)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

/* A value below 2^42 spread over all magnitudes, not just the top ones. */
static uint64_t rng_log(void)
{
	unsigned bits = (unsigned)(rng() % 43);

	return bits ? rng() >> (64 - bits) : 0;
}

static struct rs_histo *new_histo(void)
{
	struct rs_histo *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* ceil() for 0 <= x < 2^64 without libm: the suggested build has no -lm. */
static uint64_t ceil_u64(double x)
{
	uint64_t r = (uint64_t)x;

	return (double)r < x ? r + 1 : r;
}

/* What rs_histo_percentile must return, computed from sorted values. */
static uint64_t ref_percentile(const uint64_t *sorted, size_t n, double p)
{
	uint64_t rank, v;

	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	rank = ceil_u64(p * (double)n / 100.0);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	v = sorted[rank - 1];
	if (v >= RS_HISTO_LIMIT)
		return sorted[n - 1];
	v = rs_histo_bucket_hi(rs_histo_bucket_of(v));
	if (v < sorted[0])
		v = sorted[0];
	if (v > sorted[n - 1])
		v = sorted[n - 1];
	return v;
}

static void test_empty(void **state)
{
	static const double ps[] = { 0, 0.1, 50, 99.9, 100 };
	struct rs_histo *h = new_histo();
	struct rs_histo *zero = new_histo();
	size_t i;

	(void)state;
	assert_int_equal(h->count, 0);
	assert_int_equal(h->max, 0);
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_int_equal(rs_histo_percentile(h, ps[i]), 0);
	assert_true(rs_histo_mean(h) == 0.0);

	assert_true(rs_histo_record(h, 1234));
	rs_histo_reset(h);
	assert_memory_equal(h, zero, sizeof(*h));
	assert_int_equal(rs_histo_percentile(h, 50), 0);
	free(h);
	free(zero);
}

static void test_first_value_sets_min(void **state)
{
	struct rs_histo *h = new_histo();

	(void)state;
	rs_histo_record(h, 5);
	assert_int_equal(h->min, 5);
	assert_int_equal(h->max, 5);
	rs_histo_record(h, 0);
	assert_int_equal(h->min, 0);
	rs_histo_record(h, 9);
	assert_int_equal(h->min, 0);
	assert_int_equal(h->max, 9);
	assert_int_equal(h->count, 3);
	assert_int_equal(h->sum, 14);
	free(h);
}

static void test_exact_region(void **state)
{
	struct rs_histo *h = new_histo();
	unsigned v;

	(void)state;
	for (v = 0; v < 64; v++) {
		assert_int_equal(rs_histo_bucket_of(v), v);
		assert_int_equal(rs_histo_bucket_lo(v), v);
		assert_int_equal(rs_histo_bucket_hi(v), v);
		assert_true(rs_histo_record(h, v));
	}
	for (v = 0; v < 64; v++)
		assert_int_equal(h->bucket[v], 1);
	for (v = 64; v < RS_HISTO_NBUCKETS; v++)
		assert_int_equal(h->bucket[v], 0);
	assert_int_equal(h->count, 64);
	assert_int_equal(h->min, 0);
	assert_int_equal(h->max, 63);
	assert_true(rs_histo_mean(h) == 31.5);

	/* (k + 1) * 100 / 64 is exact in binary: rank k + 1 holds value k. */
	for (v = 0; v < 64; v++) {
		double p = (v + 1) * 100.0 / 64;

		assert_int_equal(rs_histo_percentile(h, p), v);
	}
	assert_int_equal(rs_histo_percentile(h, 0), 0);
	assert_int_equal(rs_histo_percentile(h, 100), 63);
	assert_int_equal(rs_histo_percentile(h, 0.0001), 0);
	free(h);
}

static void check_value(uint64_t v)
{
	unsigned i = rs_histo_bucket_of(v);

	assert_in_range(i, 0, LAST);
	assert_true(rs_histo_bucket_lo(i) <= v);
	assert_true(v <= rs_histo_bucket_hi(i));
}

static void test_bucket_values(void **state)
{
	uint64_t v;
	unsigned k, n;

	(void)state;
	for (v = 0; v < 100000; v++)
		check_value(v);
	for (k = 0; k <= RS_HISTO_MAX_EXP; k++) {
		v = UINT64_C(1) << k;
		check_value(v);
		check_value(v - 1);
		check_value(v + 1);
		check_value(v + v / 2);
	}
	check_value(RS_HISTO_LIMIT - 1);
	for (n = 0; n < 1000000; n++) {
		check_value(rng() >> 22);
		check_value(rng_log());
	}

	assert_int_equal(rs_histo_bucket_of(63), 63);
	assert_int_equal(rs_histo_bucket_of(64), 64);
	assert_int_equal(rs_histo_bucket_of(RS_HISTO_LIMIT - 1), LAST);
	assert_int_equal(rs_histo_bucket_of(RS_HISTO_LIMIT), LAST);
	assert_int_equal(rs_histo_bucket_of(UINT64_C(1) << 50), LAST);
	assert_int_equal(rs_histo_bucket_of(UINT64_MAX), LAST);
}

static void test_bucket_layout(void **state)
{
	unsigned i;
	uint64_t lo, hi;

	(void)state;
	assert_int_equal(RS_HISTO_NBUCKETS, 1216);
	assert_int_equal(rs_histo_bucket_lo(0), 0);
	assert_int_equal(rs_histo_bucket_hi(LAST), RS_HISTO_LIMIT - 1);
	assert_int_equal(rs_histo_bucket_lo(LAST), UINT64_C(63) << 36);
	assert_int_equal(rs_histo_bucket_lo(RS_HISTO_NBUCKETS), UINT64_MAX);
	assert_int_equal(rs_histo_bucket_hi(RS_HISTO_NBUCKETS), UINT64_MAX);
	assert_int_equal(rs_histo_bucket_lo(~0u), UINT64_MAX);

	for (i = 0; i < RS_HISTO_NBUCKETS; i++) {
		lo = rs_histo_bucket_lo(i);
		hi = rs_histo_bucket_hi(i);
		assert_true(lo <= hi);
		assert_int_equal(rs_histo_bucket_of(lo), i);
		assert_int_equal(rs_histo_bucket_of(hi), i);
		if (i < LAST)
			assert_int_equal(hi + 1, rs_histo_bucket_lo(i + 1));
		if (lo >= 64)
			assert_true((hi - lo + 1) * 32 <= lo);
	}
}

static void test_uniform(void **state)
{
	struct rs_histo *h = new_histo();
	uint64_t v, p50, p99;

	(void)state;
	for (v = 1; v <= 100000; v++)
		assert_true(rs_histo_record(h, v));
	assert_int_equal(h->count, 100000);
	assert_int_equal(h->clipped, 0);
	assert_true(rs_histo_mean(h) == 50000.5);

	p50 = rs_histo_percentile(h, 50);
	p99 = rs_histo_percentile(h, 99);
	assert_in_range(p50, 50000, 50000 * 1.032);
	assert_in_range(p99, 99000, 99000 * 1.032);
	assert_int_equal(p50, rs_histo_bucket_hi(rs_histo_bucket_of(50000)));
	/* 99000's bucket reaches 100351, past max: clamped. */
	assert_true(rs_histo_bucket_hi(rs_histo_bucket_of(99000)) > 100000);
	assert_int_equal(p99, 100000);
	assert_int_equal(rs_histo_percentile(h, 100), 100000);
	assert_int_equal(rs_histo_percentile(h, 0), 1);
	/* 99.999 % falls in the top bucket, whose hi is clamped to max. */
	assert_int_equal(rs_histo_percentile(h, 99.999), 100000);
	assert_int_equal(rs_histo_percentile(h, 150), 100000);
	assert_int_equal(rs_histo_percentile(h, -1), 1);
	assert_int_equal(rs_histo_percentile(h, NAN), 1);
	free(h);
}

static void test_rank_rounding(void **state)
{
	struct rs_histo *h = new_histo();

	(void)state;
	rs_histo_record(h, 10);
	rs_histo_record(h, 20);
	rs_histo_record(h, 30);
	assert_int_equal(rs_histo_percentile(h, 33.3), 10);
	assert_int_equal(rs_histo_percentile(h, 33.4), 20);
	assert_int_equal(rs_histo_percentile(h, 50), 20);
	assert_int_equal(rs_histo_percentile(h, 66.6), 20);
	assert_int_equal(rs_histo_percentile(h, 66.7), 30);
	assert_int_equal(rs_histo_percentile(h, 99.99), 30);
	free(h);
}

static void test_against_reference(void **state)
{
	enum { N = 20000 };
	static const double ps[] = {
		0, 0.001, 1, 10, 25, 33.3, 50, 75, 90, 99, 99.9, 99.99, 100,
	};
	struct rs_histo *h = new_histo();
	uint64_t *vals = malloc(N * sizeof(*vals));
	uint64_t got, want, exact;
	size_t i, j;

	(void)state;
	assert_non_null(vals);
	for (i = 0; i < N; i++) {
		vals[i] = (i % 97 == 0) ? (rng() >> 10) : rng_log();
		rs_histo_record(h, vals[i]);
	}
	qsort(vals, N, sizeof(*vals), cmp_u64);
	assert_int_equal(h->min, vals[0]);
	assert_int_equal(h->max, vals[N - 1]);
	assert_true(h->clipped > 0);

	for (j = 0; j < sizeof(ps) / sizeof(ps[0]); j++) {
		got = rs_histo_percentile(h, ps[j]);
		want = ref_percentile(vals, N, ps[j]);
		assert_int_equal(got, want);
	}
	/* Away from the clipped tail the error bound is 1/32 of the value. */
	for (j = 1; j < 90; j++) {
		got = rs_histo_percentile(h, (double)j);
		exact = vals[ceil_u64(j * (double)N / 100.0) - 1];
		assert_true(got >= exact);
		assert_true(got - exact <= exact / 32 + 1);
	}
	free(vals);
	free(h);
}

static void test_clipping(void **state)
{
	struct rs_histo *h = new_histo();
	uint64_t big = UINT64_C(1) << 50;

	(void)state;
	assert_false(rs_histo_record(h, big));
	assert_int_equal(h->count, 1);
	assert_int_equal(h->clipped, 1);
	assert_int_equal(h->bucket[LAST], 1);
	assert_int_equal(h->min, big);
	assert_int_equal(h->max, big);
	assert_int_equal(h->sum, big);
	assert_int_equal(rs_histo_percentile(h, 50), big);
	assert_true(rs_histo_mean(h) == (double)big);

	assert_true(rs_histo_record(h, RS_HISTO_LIMIT - 1));
	assert_false(rs_histo_record(h, RS_HISTO_LIMIT));
	assert_int_equal(h->clipped, 2);
	assert_int_equal(h->count, 3);
	assert_int_equal(h->bucket[LAST], 3);
	assert_int_equal(h->min, RS_HISTO_LIMIT - 1);

	rs_histo_reset(h);
	rs_histo_record(h, 100);
	rs_histo_record(h, big);
	assert_int_equal(rs_histo_percentile(h, 50), 101);
	assert_int_equal(rs_histo_percentile(h, 51), big);
	assert_int_equal(rs_histo_percentile(h, 100), big);
	assert_int_equal(h->clipped, 1);
	free(h);
}

static void test_merge(void **state)
{
	struct rs_histo *all = new_histo(), *a = new_histo();
	struct rs_histo *b = new_histo(), *d = new_histo();
	struct rs_histo *empty = new_histo();
	uint64_t v;
	unsigned n;

	(void)state;
	for (n = 0; n < 50000; n++) {
		v = (n % 1000 == 0) ? (rng() >> 8) : rng_log();
		rs_histo_record(all, v);
		rs_histo_record((rng() & 1) ? a : b, v);
	}
	assert_true(all->clipped > 0);

	/* Into an empty dst: a plain copy, min and max included. */
	rs_histo_add(d, a);
	assert_memory_equal(d, a, sizeof(*d));
	rs_histo_add(d, b);
	assert_memory_equal(d, all, sizeof(*d));

	/* The other order gives the same struct. */
	rs_histo_add(b, a);
	assert_memory_equal(b, all, sizeof(*b));

	/* From an empty src: nothing changes. */
	rs_histo_add(d, empty);
	assert_memory_equal(d, all, sizeof(*d));
	rs_histo_add(empty, empty);
	memset(a, 0, sizeof(*a));
	assert_memory_equal(empty, a, sizeof(*a));

	/* Empty dst whose min of 0 must not survive the merge. */
	rs_histo_reset(a);
	rs_histo_reset(d);
	rs_histo_record(a, 700);
	rs_histo_add(d, a);
	assert_int_equal(d->min, 700);
	assert_int_equal(d->max, 700);
	assert_memory_equal(d, a, sizeof(*d));

	free(all);
	free(a);
	free(b);
	free(d);
	free(empty);
}

static void test_sum_saturation(void **state)
{
	struct rs_histo *h = new_histo(), *a = new_histo();
	struct rs_histo *b = new_histo(), *all = new_histo();

	(void)state;
	rs_histo_record(h, UINT64_MAX - 10);
	assert_int_equal(h->sum, UINT64_MAX - 10);
	rs_histo_record(h, 10);
	assert_int_equal(h->sum, UINT64_MAX);
	rs_histo_record(h, 1);
	assert_int_equal(h->sum, UINT64_MAX);
	rs_histo_record(h, UINT64_MAX);
	assert_int_equal(h->sum, UINT64_MAX);
	assert_int_equal(h->count, 4);
	assert_int_equal(h->max, UINT64_MAX);
	assert_int_equal(h->min, 1);
	assert_true(isfinite(rs_histo_mean(h)));
	assert_true(rs_histo_mean(h) > 0);

	/* Saturating parts merge to the same saturated total. */
	rs_histo_record(a, UINT64_MAX / 2 + 1);
	rs_histo_record(all, UINT64_MAX / 2 + 1);
	rs_histo_record(b, UINT64_MAX / 2 + 1);
	rs_histo_record(all, UINT64_MAX / 2 + 1);
	assert_int_equal(a->sum, UINT64_MAX / 2 + 1);
	rs_histo_add(a, b);
	assert_int_equal(a->sum, UINT64_MAX);
	assert_memory_equal(a, all, sizeof(*a));

	free(h);
	free(a);
	free(b);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_first_value_sets_min),
		cmocka_unit_test(test_exact_region),
		cmocka_unit_test(test_bucket_values),
		cmocka_unit_test(test_bucket_layout),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_rank_rounding),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_clipping),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_sum_saturation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
