/* Unit tests for the HdrHistogram log encoder (src/hlog.c): HdrHistogram's
 * index arithmetic at known points, and an encoded histogram decoded back
 * here (base64, zlib, V2 header, zigzag LEB128) to the same counts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "histo.h"
#include "hlog.h"

static void test_index(void **state)
{
	(void)state;
	/* 3 digits, lowest 1: 2048 sub-buckets; bucket 1 steps by 2 from
	 * 2048, bucket 2 by 4 from 4096 */
	assert_int_equal(rs_hlog_index(0), 0);
	assert_int_equal(rs_hlog_index(1), 1);
	assert_int_equal(rs_hlog_index(2047), 2047);
	assert_int_equal(rs_hlog_index(2048), 2048);
	assert_int_equal(rs_hlog_index(2049), 2048);
	assert_int_equal(rs_hlog_index(4095), 3071);
	assert_int_equal(rs_hlog_index(4096), 3072);
	assert_int_equal(rs_hlog_index(4099), 3072);
	assert_int_equal(rs_hlog_index(4100), 3073);
	assert_int_equal(rs_hlog_index_lo(3072), 4096);
	assert_int_equal(rs_hlog_index_hi(3072), 4099);
	assert_int_equal(rs_hlog_index_lo(2047), 2047);
	assert_int_equal(rs_hlog_index_hi(2047), 2047);
	/* highest trackable 2^42: 33 buckets, 34 * 1024 counts */
	assert_int_equal(rs_hlog_ncounts(), 34 * 1024);
	assert_true(rs_hlog_index(RS_HLOG_HIGHEST - 1) < rs_hlog_ncounts());
	/* every index's range maps back to it, and ranges tile the line */
	for (unsigned i = 1; i < rs_hlog_ncounts() - 1024; i++) {
		uint64_t lo = rs_hlog_index_lo(i), hi = rs_hlog_index_hi(i);

		assert_int_equal(rs_hlog_index(lo), i);
		assert_int_equal(rs_hlog_index(hi), i);
		assert_int_equal(rs_hlog_index_hi(i - 1) + 1, lo);
		/* 3 digits: a range is at most 1/1024 of its low end */
		assert_true((hi - lo + 1) * 1024 <= (lo > 2048 ? lo : 2048));
	}
}

static int b64val(char c)
{
	const char *t =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(t, c);

	return c && p ? (int)(p - t) : -1;
}

static size_t unbase64(const char *s, uint8_t *out)
{
	size_t n = 0, len = strlen(s);

	assert_int_equal(len % 4, 0);
	for (size_t i = 0; i < len; i += 4) {
		uint32_t x = 0;
		int pad = 0;

		for (int k = 0; k < 4; k++) {
			int v = s[i + k] == '=' ? (pad++, 0) : b64val(s[i + k]);

			assert_true(v >= 0);
			x = x << 6 | (uint32_t)v;
		}
		out[n++] = (uint8_t)(x >> 16);
		if (pad < 2)
			out[n++] = (uint8_t)(x >> 8);
		if (pad < 1)
			out[n++] = (uint8_t)x;
	}
	return n;
}

static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Decode s into counts[rs_hlog_ncounts()]; returns the total. */
static uint64_t decode(const char *s, uint64_t *counts)
{
	size_t blen = strlen(s);
	uint8_t *bin = malloc(blen), *raw;
	uLongf rlen = 1 << 22;
	size_t n = unbase64(s, bin), pos, end;
	uint64_t total = 0;
	unsigned idx = 0;

	assert_int_equal(get(bin, 4), 0x1c849314);
	assert_int_equal(get(bin + 4, 4), n - 8);
	raw = malloc(rlen);
	assert_int_equal(uncompress(raw, &rlen, bin + 8, n - 8), Z_OK);
	assert_int_equal(get(raw, 4), 0x1c849313);
	assert_int_equal(get(raw + 4, 4), rlen - 40);
	assert_int_equal(get(raw + 12, 4), 3);
	assert_int_equal(get(raw + 16, 8), 1);
	assert_int_equal(get(raw + 24, 8), RS_HLOG_HIGHEST);
	assert_int_equal(get(raw + 32, 8), 0x3ff0000000000000ull);
	pos = 40;
	end = rlen;
	while (pos < end) {
		uint64_t u = 0;
		int64_t v;
		int sh = 0;

		for (int k = 0; k < 9; k++) {
			uint8_t b = raw[pos++];

			if (k == 8) {
				u |= (uint64_t)b << 56;
				break;
			}
			u |= (uint64_t)(b & 0x7f) << sh;
			sh += 7;
			if (!(b & 0x80))
				break;
		}
		v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
		if (v < 0) {
			idx += (unsigned)-v;
		} else {
			assert_true(idx < rs_hlog_ncounts());
			counts[idx++] = (uint64_t)v;
			total += (uint64_t)v;
		}
	}
	free(raw);
	free(bin);
	return total;
}

static void test_roundtrip(void **state)
{
	struct rs_histo *h = calloc(1, sizeof(*h));
	unsigned n = rs_hlog_ncounts();
	uint64_t *got = calloc(n, sizeof(*got)), *want = calloc(n, sizeof(*want));
	static const uint64_t vals[] = { 0, 1, 40, 63, 64, 1000, 1001, 3000,
					 99999, 100000, 2500000, 123456789,
					 (1ull << 42) - 1 };
	char *s;

	(void)state;
	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		for (unsigned k = 0; k <= i; k++)
			rs_histo_record(h, vals[i]);
	/* a clipped value: counted, recorded below the highest trackable */
	rs_histo_record(h, 1ull << 50);
	for (unsigned b = 0; b < RS_HISTO_NBUCKETS; b++) {
		uint64_t v;

		if (!h->bucket[b])
			continue;
		v = rs_hlog_value(h, b);
		/* the midpoint stays in its own bucket */
		assert_int_equal(rs_histo_bucket_of(v), b);
		want[rs_hlog_index(v)] += h->bucket[b];
	}
	assert_int_equal(rs_hlog_encode(h, &s), 0);
	assert_int_equal(decode(s, got), h->count);
	assert_memory_equal(got, want, n * sizeof(*got));
	free(s);

	/* empty: a valid histogram with no counts */
	rs_histo_reset(h);
	memset(got, 0, n * sizeof(*got));
	assert_int_equal(rs_hlog_encode(h, &s), 0);
	assert_int_equal(decode(s, got), 0);
	free(s);
	free(want);
	free(got);
	free(h);
}

static void test_value_clamped(void **state)
{
	struct rs_histo h;

	(void)state;
	rs_histo_reset(&h);
	/* one value: the midpoint is clamped to it exactly */
	rs_histo_record(&h, 1000000);
	assert_int_equal(rs_hlog_value(&h, rs_histo_bucket_of(1000000)),
			 1000000);
	rs_histo_record(&h, 1000500);
	/* two in one bucket [1000000 .. 1015807]: midpoint 1007903, then
	 * clamped to max 1000500 */
	assert_int_equal(rs_hlog_value(&h, rs_histo_bucket_of(1000000)),
			 1000500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_value_clamped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
