/* HdrHistogram interval logs (`run --hlog FILE`): rststorm's histograms
 * re-encoded in the V2 compressed format that HdrHistogram's own tools
 * (Java HistogramLogProcessor, HdrHistogram_c, HdrHistogramJS) read. */
#ifndef RS_HLOG_H
#define RS_HLOG_H

#include <stddef.h>
#include <stdint.h>

#include "histo.h"

struct rs_report;

/*
 * The HdrHistogram every rststorm histogram becomes: values in ns,
 * lowest discernible value 1, highest trackable RS_HISTO_LIMIT, 3
 * significant digits. Each rststorm bucket [lo, hi] is recorded as its
 * count at the midpoint lo + (hi - lo) / 2, clamped to the histogram's
 * exact [min, max] (and below RS_HISTO_LIMIT). rststorm's buckets are at
 * most 1/32 of their lower bound wide, so a decoded value is within
 * 1/64 (1.6 %) of any value of its bucket, plus HdrHistogram's own
 * quantisation (3 digits: within 1/1024 of the value): a percentile read
 * from the log lies in the rststorm bucket of the same rank, widened by
 * 0.1 % either side. Counts are exact.
 */
#define RS_HLOG_SIGFIGS 3
#define RS_HLOG_LOWEST 1
#define RS_HLOG_HIGHEST RS_HISTO_LIMIT

/* The HdrHistogram counts index of value v (v < RS_HLOG_HIGHEST) and the
 * lowest and highest value of index idx: HdrHistogram's own bucket
 * arithmetic for the parameters above. Pure, thread-safe. */
unsigned rs_hlog_index(uint64_t v);
uint64_t rs_hlog_index_lo(unsigned idx);
uint64_t rs_hlog_index_hi(unsigned idx);

/* The number of counts of such an HdrHistogram. */
unsigned rs_hlog_ncounts(void);

/* The value h's bucket b is recorded at (see above). */
uint64_t rs_hlog_value(const struct rs_histo *h, unsigned b);

/* Encode h as an HdrHistogram V2 compressed histogram (zigzag LEB128
 * counts, zlib DEFLATE, base64) into a malloc'd NUL-terminated string
 * *out (the caller frees it). Returns 0, or -ENOMEM / -EIO (zlib). */
int rs_hlog_encode(const struct rs_histo *h, char **out);

/* Before the run: path names a file (not a directory) in an existing,
 * writable directory. Returns 0, or -errno with one line in err naming
 * --hlog, the path and what to do. */
int rs_hlog_prepare(const char *path, char *err, size_t errlen);

/* After the run: write the interval log of r to path through a temporary
 * file and a rename. One interval, the whole run (StartTimestamp 0.000
 * from BaseTime = the run's start, Interval_Length its elapsed time),
 * one line per non-empty histogram of histograms.csv, tagged `connect`, `pass`,
 * `op.MODE.KINDn`, `since_close.MODE.KINDn`, `since_close_err.MODE.KINDn`
 * (e.g. `op.fin.send1`). Returns 0, or -errno with the reason in err. */
int rs_hlog_write(const struct rs_report *r, const char *path, char *err,
		  size_t errlen);

#endif
