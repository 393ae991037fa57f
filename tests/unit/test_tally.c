/* Unit tests for the tally merge (src/tally.c): every field of struct
 * rs_tally is summed, none forgotten, none counted twice. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tally.h"

/* Every field is made of uint64_t words: the struct can be walked as an
 * array of them without knowing its fields, so a field missing from the
 * merge's lists shows up here without this test naming it. */
_Static_assert(sizeof(struct rs_tally) % sizeof(uint64_t) == 0,
	       "struct rs_tally is not made of uint64_t words");

#define NWORDS (sizeof(struct rs_tally) / sizeof(uint64_t))

static struct rs_tally *distinct(void)
{
	struct rs_tally *t = rs_tally_new();
	uint64_t w[1];

	assert_non_null(t);
	for (size_t i = 0; i < NWORDS; i++) {
		w[0] = i + 1;
		memcpy((char *)t + i * sizeof(uint64_t), w, sizeof(w));
	}
	return t;
}

static uint64_t word(const struct rs_tally *t, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)t + i * sizeof(uint64_t), sizeof(v));
	return v;
}

/* Into an empty tally, the merge copies every word: a field left out of the
 * merge stays 0 where the source holds i + 1. */
static void test_add_into_empty_copies_every_field(void **state)
{
	struct rs_tally *src = distinct(), *dst = rs_tally_new();

	(void)state;
	assert_non_null(dst);
	rs_tally_add(dst, src);
	for (size_t i = 0; i < NWORDS; i++)
		if (word(dst, i) != word(src, i))
			fail_msg("word %zu (byte offset %zu): merged %llu, source %llu",
				 i, i * sizeof(uint64_t),
				 (unsigned long long)word(dst, i),
				 (unsigned long long)word(src, i));
	free(src);
	free(dst);
}

/* Merged twice, every counter is doubled (not added three times, as a field
 * listed twice would be); a histogram's count, clipped, sum and buckets
 * double and its min and max stay. */
static void test_add_twice_doubles_counters(void **state)
{
	struct rs_tally *src = distinct(), *dst = rs_tally_new();
	size_t hmin = offsetof(struct rs_histo, min) / sizeof(uint64_t);
	size_t hmax = offsetof(struct rs_histo, max) / sizeof(uint64_t);
	size_t h0 = offsetof(struct rs_tally, connect_ns) / sizeof(uint64_t);
	size_t hw = sizeof(struct rs_histo) / sizeof(uint64_t);

	(void)state;
	assert_non_null(dst);
	/* histograms are made of whole histograms from connect_ns on */
	assert_int_equal((sizeof(struct rs_tally) -
			  offsetof(struct rs_tally, connect_ns)) %
				 sizeof(struct rs_histo),
			 0);
	rs_tally_add(dst, src);
	rs_tally_add(dst, src);
	for (size_t i = 0; i < NWORDS; i++) {
		uint64_t want = 2 * word(src, i);

		if (i >= h0) {
			size_t k = (i - h0) % hw;

			if (k == hmin || k == hmax)
				want = word(src, i);
		}
		if (word(dst, i) != want)
			fail_msg("word %zu: %llu after two merges, want %llu", i,
				 (unsigned long long)word(dst, i),
				 (unsigned long long)want);
	}
	free(src);
	free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_into_empty_copies_every_field),
		cmocka_unit_test(test_add_twice_doubles_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
