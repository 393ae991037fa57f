/* HdrHistogram interval log writer (hlog.h): HdrHistogram's bucket
 * arithmetic, its V2 encoding (zigzag LEB128, zlib, base64) and the log's
 * text lines. */
#include "hlog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"
#include "esc.h"
#include "outcome.h"
#include "report.h"
#include "script.h"
#include "tally.h"
#include "util.h"

/*
 * HdrHistogram's layout for lowest 1 and 3 significant digits: 2 * 10^3
 * values need 11 bits of sub-bucket (2048 sub-buckets, the lower half of
 * every bucket after the first overlapping the one before), unit
 * magnitude 0. Bucket b covers values below 2048 << b in steps of 1 << b.
 */
#define SUB_MAG 11			/* ceil(log2(2 * 10^SIGFIGS)) */
#define SUB_HALF_MAG (SUB_MAG - 1)
#define SUB_HALF (1u << SUB_HALF_MAG)
#define SUB_MASK ((UINT64_C(1) << SUB_MAG) - 1)
#define LZC_BASE (64 - SUB_HALF_MAG - 1)

/* V2 cookies with the word-size nibble HdrHistogram writes (0x10). */
#define V2_ENCODING_COOKIE 0x1c849313u
#define V2_COMPRESSED_COOKIE 0x1c849314u
#define V2_HEADER 40

#define ESC(s) rs_esc((char[RS_ESC_VALUE]){ 0 }, RS_ESC_VALUE, (s))

_Static_assert(RS_HLOG_SIGFIGS == 3 && RS_HLOG_LOWEST == 1,
	       "SUB_MAG is worked out for these");

unsigned rs_hlog_ncounts(void)
{
	uint64_t smallest = UINT64_C(1) << SUB_MAG;
	unsigned buckets = 1;

	while (smallest <= RS_HLOG_HIGHEST) {
		smallest <<= 1;
		buckets++;
	}
	return (buckets + 1) * SUB_HALF;
}

unsigned rs_hlog_index(uint64_t v)
{
	unsigned b = LZC_BASE - (unsigned)__builtin_clzll(v | SUB_MASK);
	unsigned sb = (unsigned)(v >> b);

	return ((b + 1) << SUB_HALF_MAG) + sb - SUB_HALF;
}

uint64_t rs_hlog_index_lo(unsigned idx)
{
	int b = (int)(idx >> SUB_HALF_MAG) - 1;
	uint64_t sb = (idx & (SUB_HALF - 1)) + SUB_HALF;

	if (b < 0) {
		sb -= SUB_HALF;
		b = 0;
	}
	return sb << b;
}

uint64_t rs_hlog_index_hi(unsigned idx)
{
	uint64_t lo = rs_hlog_index_lo(idx);
	unsigned b = LZC_BASE - (unsigned)__builtin_clzll(lo | SUB_MASK);

	return lo + (UINT64_C(1) << b) - 1;
}

uint64_t rs_hlog_value(const struct rs_histo *h, unsigned b)
{
	uint64_t lo = rs_histo_bucket_lo(b), hi = rs_histo_bucket_hi(b);
	uint64_t v = lo + (hi - lo) / 2;

	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	if (v >= RS_HLOG_HIGHEST)
		v = RS_HLOG_HIGHEST - 1;
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* HdrHistogram's ZigZag LEB128-64b9B: 7 bits a byte for 8 bytes, then
 * all 8 bits of the ninth. */
static size_t zigzag(uint8_t *p, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t n = 0;

	while (n < 8) {
		if (u < 0x80) {
			p[n++] = (uint8_t)u;
			return n;
		}
		p[n++] = (uint8_t)((u & 0x7f) | 0x80);
		u >>= 7;
	}
	p[n++] = (uint8_t)u;
	return n;
}

static char *base64(const uint8_t *in, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t x = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			x |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			x |= in[i + 2];
		*o++ = tab[(x >> 18) & 63];
		*o++ = tab[(x >> 12) & 63];
		*o++ = i + 1 < len ? tab[(x >> 6) & 63] : '=';
		*o++ = i + 2 < len ? tab[x & 63] : '=';
	}
	*o = '\0';
	return out;
}

int rs_hlog_encode(const struct rs_histo *h, char **out)
{
	unsigned n = rs_hlog_ncounts(), limit = 0;
	uint64_t *counts = calloc(n, sizeof(*counts));
	uint8_t *raw = NULL, *z = NULL;
	size_t len = V2_HEADER;
	uLongf zlen;
	int ret = -ENOMEM;

	*out = NULL;
	if (!counts)
		return -ENOMEM;
	for (unsigned b = 0; b < RS_HISTO_NBUCKETS; b++) {
		unsigned i;

		if (!h->bucket[b])
			continue;
		i = rs_hlog_index(rs_hlog_value(h, b));
		counts[i] += h->bucket[b];
		if (i + 1 > limit)
			limit = i + 1;
	}
	/* at most 9 bytes a count */
	raw = malloc(V2_HEADER + (size_t)limit * 9 + 9);
	if (!raw)
		goto out;
	for (unsigned i = 0; i < limit;) {
		unsigned zeros = 0;

		if (counts[i]) {
			len += zigzag(raw + len, (int64_t)counts[i++]);
			continue;
		}
		while (i < limit && !counts[i]) {
			zeros++;
			i++;
		}
		/* one zero is written as 0, a run as minus its length */
		len += zigzag(raw + len, zeros > 1 ? -(int64_t)zeros : 0);
	}
	put32(raw, V2_ENCODING_COOKIE);
	put32(raw + 4, (uint32_t)(len - V2_HEADER)); /* payload length */
	put32(raw + 8, 0);			     /* normalizing offset */
	put32(raw + 12, RS_HLOG_SIGFIGS);
	put64(raw + 16, RS_HLOG_LOWEST);
	put64(raw + 24, RS_HLOG_HIGHEST);
	put64(raw + 32, UINT64_C(0x3ff0000000000000)); /* 1.0: int to double */

	zlen = compressBound(len);
	z = malloc(8 + zlen);
	if (!z)
		goto out;
	if (compress2(z + 8, &zlen, raw, len, Z_BEST_COMPRESSION) != Z_OK) {
		ret = -EIO;
		goto out;
	}
	put32(z, V2_COMPRESSED_COOKIE);
	put32(z + 4, (uint32_t)zlen);
	*out = base64(z, 8 + zlen);
	ret = *out ? 0 : -ENOMEM;
out:
	free(z);
	free(raw);
	free(counts);
	return ret;
}

int rs_hlog_prepare(const char *path, char *err, size_t errlen)
{
	return rs_out_prepare("--hlog", path, false, err, errlen);
}

/* One interval line; nothing for an empty histogram. */
static int write_line(FILE *f, const char *tag, const struct rs_histo *h,
		      double elapsed_s)
{
	char *b64;
	int ret;

	if (!h->count)
		return 0;
	ret = rs_hlog_encode(h, &b64);
	if (ret)
		return ret;
	/* Interval_Max in ms: HdrHistogram's writers divide by a "max value
	 * unit ratio" of 10^6, i.e. ns values shown as ms */
	fprintf(f, "Tag=%s,0.000,%.3f,%.3f,%s\n", tag, elapsed_s,
		(double)h->max / 1e6, b64);
	free(b64);
	return 0;
}

int rs_hlog_write(const struct rs_report *r, const char *path, char *err,
		  size_t errlen)
{
	const struct rs_tally *t = r->client;
	char dir[4096], base[4096], tag[96], when[64];
	struct rs_csv_out o;
	struct tm tm;
	double start = 0;
	int ret = 0;

	if (rs_out_split(path, dir, sizeof(dir), base, sizeof(base))) {
		snprintf(err, errlen, "--hlog '%s': not a file path",
			 ESC(path));
		return -EINVAL;
	}
	memset(&tm, 0, sizeof(tm));
	if (strptime(r->started_utc, "%Y-%m-%dT%H:%M:%SZ", &tm))
		start = (double)timegm(&tm);
	strftime(when, sizeof(when), "%a %b %d %H:%M:%S UTC %Y", &tm);
	if (rs_csv_open(&o, dir, base, err, errlen))
		return -EIO;
	fprintf(o.f, "#[rststorm %s: HdrHistogram interval log, values in ns, one interval: the whole run]\n",
		r->scenario);
	fprintf(o.f, "#[Histogram log format version 1.3]\n");
	fprintf(o.f, "#[StartTime: %.3f (seconds since epoch), %s]\n", start,
		when);
	fprintf(o.f, "#[BaseTime: %.3f (seconds since epoch)]\n", start);
	fprintf(o.f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n");
	ret = write_line(o.f, "connect", &t->connect_ns, r->elapsed_s);
	if (!ret) /* the client loop's pass durations (worker.c) */
		ret = write_line(o.f, "pass", &t->pass_ns, r->elapsed_s);
	for (unsigned m = 0; m < RS_CLOSE_NMODES && !ret; m++) {
		for (unsigned i = 0; i < r->cfg->script.n && !ret; i++) {
			const char *k = rs_op_name(r->cfg->script.kind[i]);
			const char *mn = rs_close_name(m);

			snprintf(tag, sizeof(tag), "op.%s.%s%u", mn, k, i + 1);
			ret = write_line(o.f, tag, &t->op_ns[m][i],
					 r->elapsed_s);
			snprintf(tag, sizeof(tag), "since_close.%s.%s%u", mn,
				 k, i + 1);
			if (!ret)
				ret = write_line(o.f, tag,
						 &t->since_close_ns[m][i],
						 r->elapsed_s);
			snprintf(tag, sizeof(tag), "since_close_err.%s.%s%u",
				 mn, k, i + 1);
			if (!ret)
				ret = write_line(o.f, tag,
						 &t->since_close_err_ns[m][i],
						 r->elapsed_s);
		}
	}
	if (ret) {
		snprintf(err, errlen, "%s: cannot encode a histogram: %s",
			 ESC(path), strerror(-ret));
		fclose(o.f);
		unlink(o.tmp);
		return ret;
	}
	return rs_csv_close(&o, err, errlen);
}
