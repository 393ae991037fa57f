/* run --interval: per-interval counts and latencies. Each client worker
 * takes the difference of its own tally since its last record at its tick
 * and publishes it through a small single-producer ring (no lock, nothing
 * added to the per-op path); the main thread gathers the records by
 * interval into rows (intervals.csv, interval_ops.csv, NDJSON lines). */
#ifndef RS_INTERVAL_H
#define RS_INTERVAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "histo.h"
#include "script.h"
#include "tally.h"

/* --interval: at least one worker tick, at most an hour */
#define RS_IV_MIN_NS 100000000ull
#define RS_IV_MAX_NS 3600000000000ull

/* One (close mode, op, result) count of an interval. */
struct rs_iv_cell {
	uint8_t mode, op;
	uint16_t result;
	uint64_t count;
};

/* One interval of the run, all workers: [t_start_s, t_end_s) since the
 * start. Every count is the workers' difference between two of their own
 * ticks, so the rows add up exactly to the run's totals; a count falls in
 * the interval in which its worker's tick saw it (a tick is 100 ms). */
/* The percentiles of every interval's latency columns: p50 p90 p99 p99.9
 * and 100 (the maximum). */
#define RS_IV_NPCT 5
extern const double rs_iv_pcts[RS_IV_NPCT];

struct rs_iv_row {
	uint64_t k;
	double t_start_s, t_end_s;
	uint64_t started, completed, failed, abandoned, ops;
	/* the interval's latencies (ns): values, and rs_iv_pcts of them;
	 * op: every mode and op merged. Kept as numbers, not histograms: a
	 * long run has many rows */
	uint64_t connect_n, op_n;
	uint64_t connect_pct[RS_IV_NPCT], op_pct[RS_IV_NPCT];
	struct rs_iv_cell *cells;    /* nonzero counts, by mode, op, result */
	unsigned ncells;
};

/* Histogram of the values recorded into now since prev (a copy of the
 * same histogram taken earlier): buckets, count, clipped and sum are
 * exact; min and max are exact when the interval holds the histogram's
 * new extreme, else the bounds of the lowest and highest non-empty bucket
 * clamped to the histogram's min and max. Pure. */
void rs_iv_histo_delta(struct rs_histo *d, const struct rs_histo *now,
		       const struct rs_histo *prev);

struct rs_ivw; /* one worker's side */
struct rs_iv;  /* the run's side */

/* The run's interval collector for nworkers workers, period ns long from
 * t0 (CLOCK_MONOTONIC ns). nd: a stream for one NDJSON line per interval
 * as each completes (flushed), or NULL. script names the ops. NULL when
 * out of memory. */
struct rs_iv *rs_iv_new(uint64_t t0, uint64_t period, unsigned nworkers,
			const struct rs_script *script, FILE *nd);
void rs_iv_free(struct rs_iv *iv);

/* Worker i's side, for rs_ivw_tick and rs_ivw_final in that worker. */
struct rs_ivw *rs_iv_worker(struct rs_iv *iv, unsigned i);

/* In the worker's thread, at its tick: when now has left the worker's
 * current interval, publish what t counted since the last record (skipped,
 * and counted in the next, when the main thread is 4 records behind). */
void rs_ivw_tick(struct rs_ivw *w, const struct rs_tally *t, uint64_t now);

/* In the worker's thread, after its last count: the rest. The main thread
 * reads it after joining the thread. */
void rs_ivw_final(struct rs_ivw *w, const struct rs_tally *t, uint64_t now);

/* Main thread, while the workers run: take the published records and
 * close every interval all workers have left (NDJSON lines). */
void rs_iv_poll(struct rs_iv *iv);

/* Main thread, after every worker's rs_ivw_final and join: the rest;
 * intervals run up to elapsed_s, the last one ending there. Returns 0 or
 * -ENOMEM. */
int rs_iv_finish(struct rs_iv *iv, double elapsed_s);

/* The closed intervals, in order. */
unsigned rs_iv_nrows(const struct rs_iv *iv);
const struct rs_iv_row *rs_iv_row(const struct rs_iv *iv, unsigned i);

/* One row of intervals.csv and its interval_ops.csv rows, written to f
 * (the headers are the caller's). */
void rs_iv_write_row(const struct rs_iv_row *r, FILE *f);
void rs_iv_write_ops(const struct rs_iv_row *r,
		     const struct rs_script *script, FILE *f);

/* One NDJSON line for the row: intervals.csv's columns (no
 * schema_version) with "kind":"interval" first and its interval_ops.csv
 * rows as "ops". */
void rs_iv_ndjson(const struct rs_iv_row *r, const struct rs_script *script,
		  FILE *f);

#endif
