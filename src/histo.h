/* Log-linear, mergeable histogram of uint64 values (latencies in ns): fixed
 * size, no allocation, cheap to record on the hot path, exact to merge. */
#ifndef RS_HISTO_H
#define RS_HISTO_H

#include <stdbool.h>
#include <stdint.h>

/* Values below 2^RS_HISTO_SUB_BITS are kept exactly; above that every power
 * of two is split into 2^(RS_HISTO_SUB_BITS - 1) = 32 linear buckets, so a
 * bucket is at most 1/32 (~3 %) of its lower bound wide. */
#define RS_HISTO_SUB_BITS 6
#define RS_HISTO_SUB_COUNT (1u << RS_HISTO_SUB_BITS)
#define RS_HISTO_SUB_HALF (RS_HISTO_SUB_COUNT / 2)

/* Largest power of two kept: values below 2^(RS_HISTO_MAX_EXP + 1) ns
 * (2^42 ns, ~73 min). Larger values are clipped into the last bucket. */
#define RS_HISTO_MAX_EXP 41
#define RS_HISTO_LIMIT (UINT64_C(1) << (RS_HISTO_MAX_EXP + 1))

#define RS_HISTO_NBUCKETS \
	(RS_HISTO_SUB_COUNT + \
	 (RS_HISTO_MAX_EXP - RS_HISTO_SUB_BITS + 1) * RS_HISTO_SUB_HALF)

/* An all-zero struct (memset, calloc, static storage) is a valid empty
 * histogram. Callers embed it by value; it holds no pointers, so it may be
 * copied and compared with memcpy/memcmp. */
struct rs_histo {
	uint64_t count;		/* values recorded, clipped ones included */
	uint64_t clipped;	/* values >= RS_HISTO_LIMIT, in last bucket */
	uint64_t min;		/* exact; meaningful only when count > 0 */
	uint64_t max;		/* exact; 0 when count == 0 */
	uint64_t sum;		/* saturates at UINT64_MAX, never wraps */
	uint64_t bucket[RS_HISTO_NBUCKETS];
};

/* None of these functions lock. A histogram may be read by many threads at
 * once, but any write (reset, record, being the dst of add) must not run
 * concurrently with another access to the same histogram. The usual pattern
 * is one histogram per worker, merged with rs_histo_add after the workers
 * have stopped. Functions that take no histogram are pure and thread-safe. */

/* Make h empty (equivalent to memset(h, 0, sizeof(*h))). */
void rs_histo_reset(struct rs_histo *h);

/* Record one value. Constant time: no loops, no division. Returns true if v
 * was kept in its own bucket, false if v >= RS_HISTO_LIMIT and was clipped
 * into the last bucket; a clipped value still counts in count, min, max and
 * sum, and also in clipped. */
bool rs_histo_record(struct rs_histo *h, uint64_t v);

/* Merge src into dst (dst += src). Exact: the result is bit-for-bit what
 * recording both value sets into one histogram would have given. An empty
 * src leaves dst unchanged; dst and src must not be the same object. */
void rs_histo_add(struct rs_histo *dst, const struct rs_histo *src);

/* The p-th percentile, p in [0, 100]. Returns 0 for an empty histogram,
 * min for p <= 0 (or NaN), max for p >= 100. Otherwise returns the highest
 * value of the bucket holding the value of rank ceil(p / 100 * count) (at
 * least 1), clamped to [min, max]; so the result is never below the true
 * percentile and at most 1/32 above it. When that bucket is the last one
 * and clipped > 0, the result is max. */
uint64_t rs_histo_percentile(const struct rs_histo *h, double p);

/* Arithmetic mean of the recorded values, 0 for an empty histogram. Too
 * low once sum has saturated (total above UINT64_MAX ns, ~584 years). */
double rs_histo_mean(const struct rs_histo *h);

/* Index of the bucket that holds v, in [0, RS_HISTO_NBUCKETS); values
 * >= RS_HISTO_LIMIT map to the last bucket. */
unsigned rs_histo_bucket_of(uint64_t v);

/* Lowest and highest value that map to bucket idx (lo == hi == idx below
 * RS_HISTO_SUB_COUNT). hi of the last bucket is RS_HISTO_LIMIT - 1: clipped
 * values lie above it. For idx >= RS_HISTO_NBUCKETS both return
 * UINT64_MAX. */
uint64_t rs_histo_bucket_lo(unsigned idx);
uint64_t rs_histo_bucket_hi(unsigned idx);

#endif
