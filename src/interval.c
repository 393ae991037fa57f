/* run --interval (interval.h): the workers' records, their ring, and the
 * main thread's rows of intervals.csv and interval_ops.csv. */
#include "interval.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "outcome.h"
#include "plan.h"
#include "report.h"
#include "schema.h"

const double rs_iv_pcts[RS_IV_NPCT] = { 50, 90, 99, 99.9, 100 };
static const char *const pct_name[RS_IV_NPCT] = { "p50", "p90", "p99",
						  "p99_9", "max" };

/* Records a worker may publish before the main thread has taken them:
 * the main thread looks every 100 ms, and an interval is 100 ms or more. */
#define RS_IV_RING 4

/* What one worker counted between two of its records. */
struct rs_iv_rec {
	uint64_t k;    /* the interval the counts go to */
	uint64_t next; /* the interval the worker was in when it took them */
	uint64_t started, completed, failed, abandoned;
	struct rs_histo connect, op;
	struct rs_outcome out;
};

struct rs_ivw {
	struct rs_iv *iv;
	/* the worker's own */
	uint64_t cur;                  /* interval the next record goes to */
	uint64_t p_started, p_completed, p_failed, p_abandoned;
	struct rs_histo p_connect, p_op, scratch;
	struct rs_outcome p_out;
	struct rs_iv_rec fin;          /* rs_ivw_final's, read after join */
	bool has_fin;
	/* the ring: slot i % RS_IV_RING holds record i */
	struct rs_iv_rec ring[RS_IV_RING];
	_Atomic uint64_t pub;          /* records published (worker) */
	_Atomic uint64_t ack;          /* records taken (main thread) */
	/* the main thread's */
	uint64_t seen;
	uint64_t next;                 /* the worker is past every k < next */
};

/* One interval being gathered. */
struct agg {
	uint64_t started, completed, failed, abandoned;
	struct rs_histo connect, op;
	struct rs_outcome out;
};

struct rs_iv {
	uint64_t t0, period;
	unsigned n;
	const struct rs_script *script;
	FILE *nd;
	struct rs_ivw **w;
	uint64_t kw;          /* the first interval not closed */
	struct agg **pend;    /* pend[j]: interval kw + j, or NULL */
	size_t npend, cappend;
	struct rs_iv_row *rows;
	unsigned nrows, caprows;
	bool oom;
};

void rs_iv_histo_delta(struct rs_histo *d, const struct rs_histo *now,
		       const struct rs_histo *prev)
{
	unsigned first = RS_HISTO_NBUCKETS, last = 0;

	memset(d, 0, sizeof(*d));
	d->count = now->count - prev->count;
	if (!d->count)
		return;
	d->clipped = now->clipped - prev->clipped;
	d->sum = now->sum == UINT64_MAX ? UINT64_MAX : now->sum - prev->sum;
	for (unsigned b = 0; b < RS_HISTO_NBUCKETS; b++) {
		d->bucket[b] = now->bucket[b] - prev->bucket[b];
		if (!d->bucket[b])
			continue;
		if (first == RS_HISTO_NBUCKETS)
			first = b;
		last = b;
	}
	if (!prev->count || now->min < prev->min) {
		d->min = now->min;
	} else {
		d->min = rs_histo_bucket_lo(first);
		if (d->min < now->min)
			d->min = now->min;
	}
	if (!prev->count || now->max > prev->max) {
		d->max = now->max;
	} else {
		d->max = rs_histo_bucket_hi(last);
		if (d->max > now->max)
			d->max = now->max;
	}
}

/* ------------------------------------------------------------ workers */

/* What t counted since the worker's last record, into r; the worker's
 * copy moves on. */
static void take(struct rs_ivw *w, struct rs_iv_rec *r,
		 const struct rs_tally *t, uint64_t k, uint64_t next)
{
	uint64_t failed = rs_tally_failed_total(t);
	uint64_t abandoned = rs_tally_abandoned_total(t);

	r->k = k;
	r->next = next;
	r->started = t->started - w->p_started;
	r->completed = t->completed - w->p_completed;
	r->failed = failed - w->p_failed;
	r->abandoned = abandoned - w->p_abandoned;
	w->p_started = t->started;
	w->p_completed = t->completed;
	w->p_failed = failed;
	w->p_abandoned = abandoned;
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		for (unsigned i = 0; i < RS_MAX_OPS; i++)
			for (unsigned x = 0; x < RS_RES_N; x++) {
				uint64_t v = t->outcome.n[m][i][x];

				r->out.n[m][i][x] = v - w->p_out.n[m][i][x];
				w->p_out.n[m][i][x] = v;
			}
	rs_iv_histo_delta(&r->connect, &t->connect_ns, &w->p_connect);
	w->p_connect = t->connect_ns;
	rs_histo_reset(&w->scratch);
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		for (unsigned i = 0; i < RS_MAX_OPS; i++)
			if (t->op_ns[m][i].count)
				rs_histo_add(&w->scratch, &t->op_ns[m][i]);
	rs_iv_histo_delta(&r->op, &w->scratch, &w->p_op);
	w->p_op = w->scratch;
}

static uint64_t interval_of(const struct rs_iv *iv, uint64_t now)
{
	return now > iv->t0 ? (now - iv->t0) / iv->period : 0;
}

void rs_ivw_tick(struct rs_ivw *w, const struct rs_tally *t, uint64_t now)
{
	uint64_t k = interval_of(w->iv, now);
	uint64_t pub, ack;

	if (k <= w->cur)
		return;
	pub = atomic_load_explicit(&w->pub, memory_order_relaxed);
	ack = atomic_load_explicit(&w->ack, memory_order_acquire);
	if (pub - ack >= RS_IV_RING)
		return; /* the main thread is behind: the next record has it */
	take(w, &w->ring[pub % RS_IV_RING], t, w->cur, k);
	w->cur = k;
	atomic_store_explicit(&w->pub, pub + 1, memory_order_release);
}

void rs_ivw_final(struct rs_ivw *w, const struct rs_tally *t, uint64_t now)
{
	uint64_t k = interval_of(w->iv, now);

	take(w, &w->fin, t, w->cur, k > w->cur ? k : w->cur);
	w->has_fin = true;
}

/* ---------------------------------------------------------- the run */

struct rs_iv *rs_iv_new(uint64_t t0, uint64_t period, unsigned nworkers,
			const struct rs_script *script, FILE *nd)
{
	struct rs_iv *iv = calloc(1, sizeof(*iv));

	if (!iv)
		return NULL;
	iv->t0 = t0;
	iv->period = period ? period : 1;
	iv->n = nworkers;
	iv->script = script;
	iv->nd = nd;
	iv->w = calloc(nworkers ? nworkers : 1, sizeof(*iv->w));
	if (!iv->w)
		goto err;
	for (unsigned i = 0; i < nworkers; i++) {
		iv->w[i] = calloc(1, sizeof(*iv->w[i]));
		if (!iv->w[i])
			goto err;
		iv->w[i]->iv = iv;
	}
	return iv;
err:
	rs_iv_free(iv);
	return NULL;
}

void rs_iv_free(struct rs_iv *iv)
{
	if (!iv)
		return;
	for (unsigned i = 0; iv->w && i < iv->n; i++)
		free(iv->w[i]);
	free(iv->w);
	for (size_t j = 0; j < iv->npend; j++)
		free(iv->pend[j]);
	free(iv->pend);
	for (unsigned i = 0; i < iv->nrows; i++)
		free(iv->rows[i].cells);
	free(iv->rows);
	free(iv);
}

struct rs_ivw *rs_iv_worker(struct rs_iv *iv, unsigned i)
{
	return i < iv->n ? iv->w[i] : NULL;
}

/* Add a record to its interval's sums. */
static void absorb(struct rs_iv *iv, const struct rs_iv_rec *r)
{
	uint64_t j = r->k >= iv->kw ? r->k - iv->kw : 0;
	struct agg *a;

	/* a record is never for a closed interval (its worker had not left
	 * it); were it, it goes to the first open one: counts are kept */
	if (j >= iv->cappend) {
		size_t cap = iv->cappend ? iv->cappend : 8;
		struct agg **p;

		while (cap <= j)
			cap *= 2;
		p = realloc(iv->pend, cap * sizeof(*p));
		if (!p) {
			iv->oom = true;
			return;
		}
		iv->pend = p;
		iv->cappend = cap;
	}
	while (iv->npend <= j)
		iv->pend[iv->npend++] = NULL;
	if (!iv->pend[j]) {
		iv->pend[j] = calloc(1, sizeof(struct agg));
		if (!iv->pend[j]) {
			iv->oom = true;
			return;
		}
	}
	a = iv->pend[j];
	a->started += r->started;
	a->completed += r->completed;
	a->failed += r->failed;
	a->abandoned += r->abandoned;
	rs_histo_add(&a->connect, &r->connect);
	rs_histo_add(&a->op, &r->op);
	rs_outcome_add(&a->out, &r->out);
}

/* Close interval kw, ending at t_end_s. */
static void close_one(struct rs_iv *iv, double t_end_s)
{
	struct agg *a = iv->npend ? iv->pend[0] : NULL;
	struct rs_iv_row *r;
	unsigned nc = 0;

	if (iv->nrows == iv->caprows) {
		unsigned cap = iv->caprows ? iv->caprows * 2 : 64;
		struct rs_iv_row *p = realloc(iv->rows, cap * sizeof(*p));

		if (!p) {
			iv->oom = true;
			return;
		}
		iv->rows = p;
		iv->caprows = cap;
	}
	r = &iv->rows[iv->nrows];
	memset(r, 0, sizeof(*r));
	r->k = iv->kw;
	r->t_start_s = (double)(iv->kw * iv->period) / 1e9;
	r->t_end_s = t_end_s > r->t_start_s ? t_end_s : r->t_start_s;
	if (a) {
		r->started = a->started;
		r->completed = a->completed;
		r->failed = a->failed;
		r->abandoned = a->abandoned;
		r->connect_n = a->connect.count;
		r->op_n = a->op.count;
		for (unsigned p = 0; p < RS_IV_NPCT; p++) {
			r->connect_pct[p] =
				rs_histo_percentile(&a->connect, rs_iv_pcts[p]);
			r->op_pct[p] = rs_histo_percentile(&a->op, rs_iv_pcts[p]);
		}
		for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
			for (unsigned i = 0; i < RS_MAX_OPS; i++)
				for (unsigned x = 0; x < RS_RES_N; x++)
					nc += a->out.n[m][i][x] != 0;
		r->cells = calloc(nc ? nc : 1, sizeof(*r->cells));
		if (!r->cells) {
			iv->oom = true;
			return;
		}
		for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
			for (unsigned i = 0; i < RS_MAX_OPS; i++)
				for (unsigned x = 0; x < RS_RES_N; x++) {
					uint64_t v = a->out.n[m][i][x];

					if (!v)
						continue;
					r->cells[r->ncells++] = (struct rs_iv_cell){
						(uint8_t)m, (uint8_t)i,
						(uint16_t)x, v
					};
					r->ops += v;
				}
		free(a);
	}
	if (iv->npend) {
		memmove(iv->pend, iv->pend + 1,
			(iv->npend - 1) * sizeof(*iv->pend));
		iv->npend--;
	}
	iv->nrows++;
	iv->kw++;
	if (iv->nd) {
		rs_iv_ndjson(r, iv->script, iv->nd);
		fflush(iv->nd);
	}
}

/* Take worker w's published records. */
static void drain(struct rs_iv *iv, struct rs_ivw *w)
{
	uint64_t pub = atomic_load_explicit(&w->pub, memory_order_acquire);

	for (; w->seen < pub; w->seen++) {
		const struct rs_iv_rec *r = &w->ring[w->seen % RS_IV_RING];

		absorb(iv, r);
		w->next = r->next;
	}
	atomic_store_explicit(&w->ack, pub, memory_order_release);
}

void rs_iv_poll(struct rs_iv *iv)
{
	for (unsigned i = 0; i < iv->n; i++)
		drain(iv, iv->w[i]);
	for (;;) {
		bool all = true;

		for (unsigned i = 0; i < iv->n && all; i++)
			all = iv->w[i]->next > iv->kw;
		if (!all || !iv->n || iv->oom)
			break;
		close_one(iv, (double)((iv->kw + 1) * iv->period) / 1e9);
	}
}

int rs_iv_finish(struct rs_iv *iv, double elapsed_s)
{
	double per = (double)iv->period / 1e9;
	uint64_t kend;

	for (unsigned i = 0; i < iv->n; i++) {
		drain(iv, iv->w[i]);
		if (iv->w[i]->has_fin)
			absorb(iv, &iv->w[i]->fin);
	}
	/* every interval up to the end of the run, at least one */
	kend = iv->kw + iv->npend;
	if (elapsed_s > 0 && (uint64_t)(elapsed_s / per + 0.999999) > kend)
		kend = (uint64_t)(elapsed_s / per + 0.999999);
	if (kend == 0)
		kend = 1;
	while (iv->kw < kend && !iv->oom) {
		double end = (double)(iv->kw + 1) * per;

		if (iv->kw + 1 == kend || end > elapsed_s)
			end = elapsed_s;
		close_one(iv, end);
	}
	return iv->oom ? -ENOMEM : 0;
}

unsigned rs_iv_nrows(const struct rs_iv *iv)
{
	return iv->nrows;
}

const struct rs_iv_row *rs_iv_row(const struct rs_iv *iv, unsigned i)
{
	return i < iv->nrows ? &iv->rows[i] : NULL;
}

/* ------------------------------------------------------------- output */

static double rate(uint64_t n, const struct rs_iv_row *r)
{
	double len = r->t_end_s - r->t_start_s;

	return len > 0 ? (double)n / len : 0.0;
}

static void fill_row(struct rs_row *w, const struct rs_iv_row *r)
{
	char col[40];

	rs_row_init(w, RS_RF_INTERVALS);
	rs_row_set(w, "interval", "%" PRIu64, r->k);
	rs_row_set(w, "t_start_s", "%.3f", r->t_start_s);
	rs_row_set(w, "t_end_s", "%.3f", r->t_end_s);
	rs_row_set(w, "conns_started", "%" PRIu64, r->started);
	rs_row_set(w, "conns_completed", "%" PRIu64, r->completed);
	rs_row_set(w, "conns_failed", "%" PRIu64, r->failed);
	rs_row_set(w, "conns_abandoned", "%" PRIu64, r->abandoned);
	rs_row_set(w, "ops_completed", "%" PRIu64, r->ops);
	rs_row_set(w, "conns_per_s", "%.3f", rate(r->completed, r));
	rs_row_set(w, "ops_per_s", "%.3f", rate(r->ops, r));
	rs_row_set(w, "errors_per_s", "%.3f", rate(r->failed, r));
	for (unsigned p = 0; p < RS_IV_NPCT; p++) {
		snprintf(col, sizeof(col), "connect_%s_us", pct_name[p]);
		rs_row_set(w, col, "%.3f", (double)r->connect_pct[p] / 1000.0);
		snprintf(col, sizeof(col), "op_%s_us", pct_name[p]);
		rs_row_set(w, col, "%.3f", (double)r->op_pct[p] / 1000.0);
	}
}

static void fill_op(struct rs_row *w, const struct rs_iv_row *r,
		    const struct rs_iv_cell *c, const struct rs_script *script)
{
	rs_row_init(w, RS_RF_INTERVAL_OPS);
	rs_row_set(w, "interval", "%" PRIu64, r->k);
	rs_row_set(w, "close_mode", "%s", rs_close_name(c->mode));
	rs_row_set(w, "op_index", "%u", c->op + 1u);
	rs_row_set(w, "op_kind", "%s",
		   c->op < script->n ? rs_op_name(script->kind[c->op]) : "-");
	rs_row_set(w, "result", "%s", rs_result_name(c->result));
	rs_row_set(w, "count", "%" PRIu64, c->count);
}

void rs_iv_write_row(const struct rs_iv_row *r, FILE *f)
{
	struct rs_row w;

	fill_row(&w, r);
	rs_row_write(&w, f);
}

void rs_iv_write_ops(const struct rs_iv_row *r,
		     const struct rs_script *script, FILE *f)
{
	struct rs_row w;

	for (unsigned i = 0; i < r->ncells; i++) {
		fill_op(&w, r, &r->cells[i], script);
		rs_row_write(&w, f);
	}
}

/* The fields of a built row but schema_version and the skipped column. */
static void json_fields(struct rs_json *j, const struct rs_row *w,
			const char *skip)
{
	const struct rs_sfile *s = rs_schema_file(w->f);
	char err[256];

	if (rs_row_check(w, err, sizeof(err))) {
		fprintf(stderr, "rststorm: internal error: %s\n", err);
		abort();
	}
	for (unsigned i = 1; i < s->ncols; i++)
		if (!skip || strcmp(s->cols[i].name, skip))
			rs_json_field(j, &s->cols[i], w->field[i]);
}

void rs_iv_ndjson(const struct rs_iv_row *r, const struct rs_script *script,
		  FILE *f)
{
	struct rs_json j;
	struct rs_row w;

	rs_json_init(&j, f);
	rs_json_begin(&j, NULL, '{');
	rs_json_str(&j, "kind", "interval");
	rs_json_u64(&j, "schema_version", RS_CSV_SCHEMA);
	fill_row(&w, r);
	json_fields(&j, &w, NULL);
	rs_json_begin(&j, "ops", '[');
	for (unsigned i = 0; i < r->ncells; i++) {
		fill_op(&w, r, &r->cells[i], script);
		rs_json_begin(&j, NULL, '{');
		json_fields(&j, &w, "interval");
		rs_json_end(&j, '}');
	}
	rs_json_end(&j, ']');
	rs_json_end(&j, '}');
	fputc('\n', f);
}
