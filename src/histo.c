/* Log-linear, mergeable latency histogram: bucket arithmetic, recording,
 * merging and percentile queries. See histo.h for the layout. */
#include "histo.h"

#include <string.h>

#define SUB_SHIFT (RS_HISTO_SUB_BITS - 1)
#define LAST_BUCKET (RS_HISTO_NBUCKETS - 1)

_Static_assert(RS_HISTO_NBUCKETS == 1216, "bucket layout changed");
_Static_assert(RS_HISTO_MAX_EXP < 63, "RS_HISTO_LIMIT must fit in uint64_t");

/*
 * For v >= 2^SUB_BITS with top bit e, shift = e - SUB_SHIFT keeps the top
 * SUB_BITS bits, m = v >> shift in [SUB_HALF, SUB_COUNT). Bucket index
 * SUB_COUNT + (e - SUB_BITS) * SUB_HALF + (m - SUB_HALF) simplifies to
 * shift * SUB_HALF + m, which also makes the inverse a pair of bit ops.
 */
static inline unsigned bucket_index(uint64_t v)
{
	unsigned shift;

	if (v < RS_HISTO_SUB_COUNT)
		return (unsigned)v;
	if (v >= RS_HISTO_LIMIT)
		return LAST_BUCKET;
	shift = (unsigned)(63 - __builtin_clzll(v)) - SUB_SHIFT;
	return (shift << SUB_SHIFT) + (unsigned)(v >> shift);
}

static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return UINT64_MAX;
	return r;
}

unsigned rs_histo_bucket_of(uint64_t v)
{
	return bucket_index(v);
}

uint64_t rs_histo_bucket_lo(unsigned idx)
{
	unsigned shift;
	uint64_t m;

	if (idx >= RS_HISTO_NBUCKETS)
		return UINT64_MAX;
	if (idx < RS_HISTO_SUB_COUNT)
		return idx;
	shift = (idx >> SUB_SHIFT) - 1;
	m = RS_HISTO_SUB_HALF + (idx & (RS_HISTO_SUB_HALF - 1));
	return m << shift;
}

uint64_t rs_histo_bucket_hi(unsigned idx)
{
	unsigned shift;
	uint64_t m;

	if (idx >= RS_HISTO_NBUCKETS)
		return UINT64_MAX;
	if (idx < RS_HISTO_SUB_COUNT)
		return idx;
	shift = (idx >> SUB_SHIFT) - 1;
	m = RS_HISTO_SUB_HALF + (idx & (RS_HISTO_SUB_HALF - 1));
	return ((m + 1) << shift) - 1;
}

void rs_histo_reset(struct rs_histo *h)
{
	memset(h, 0, sizeof(*h));
}

bool rs_histo_record(struct rs_histo *h, uint64_t v)
{
	bool kept = v < RS_HISTO_LIMIT;

	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->clipped += !kept;
	h->sum = sat_add(h->sum, v);
	h->bucket[bucket_index(v)]++;
	return kept;
}

void rs_histo_add(struct rs_histo *dst, const struct rs_histo *src)
{
	unsigned i;

	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->clipped += src->clipped;
	dst->sum = sat_add(dst->sum, src->sum);
	for (i = 0; i < RS_HISTO_NBUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t rs_histo_percentile(const struct rs_histo *h, double p)
{
	double r;
	uint64_t rank, seen = 0, v;
	unsigned i;

	if (h->count == 0)
		return 0;
	if (!(p > 0.0))
		return h->min;
	if (p >= 100.0)
		return h->max;

	/*
	 * p * count first: exact for integral p, where p / 100 is not. The
	 * ceiling is done by hand so the module needs no libm.
	 */
	r = p * (double)h->count / 100.0;
	if (r >= (double)h->count) {
		rank = h->count;
	} else {
		rank = (uint64_t)r;
		if ((double)rank < r)
			rank++;
		if (rank == 0)
			rank = 1;
	}

	for (i = 0; i < LAST_BUCKET; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	if (i == LAST_BUCKET && h->clipped)
		return h->max;
	v = rs_histo_bucket_hi(i);
	if (v < h->min)
		return h->min;
	if (v > h->max)
		return h->max;
	return v;
}

double rs_histo_mean(const struct rs_histo *h)
{
	if (h->count == 0)
		return 0.0;
	return (double)h->sum / (double)h->count;
}
