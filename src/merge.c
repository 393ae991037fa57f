/* `rststorm merge A B ... -o OUT`: reports added into one, exactly. Counts
 * add by key; what derives from counts (shares, Wilson intervals, rates,
 * percentiles, verdicts) is computed again from the sums; configuration
 * that would make the sum meaningless is refused. The rules are in
 * docs/compare.md. */
#include "merge.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "esc.h"
#include "histo.h"
#include "json.h"
#include "repdir.h"
#include "report.h"
#include "util.h"
#include "verdict.h"

/* A field echoed in a message: one line, escaped (compound literal). */
#define ESC(s, n) rs_esc_field((s), (n), (char[4 * (n) + 8]){ 0 }, 4 * (n) + 8)

struct merge {
	struct rs_repdir *d;
	unsigned n;
	const char *out;
	char *err;
	size_t errlen;
};

struct mrows;
struct mphase;
struct mmib;

/* What the writers of the output files share. */
struct wctx {
	struct merge *m;
	const struct mrows *hist, *cells;
	const struct mphase *ph;
	size_t nph;
	const struct mmib *mib;
	size_t nmib;
	unsigned mismatches;
};

static int refuse(struct merge *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int refuse(struct merge *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, m->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ------------------------------------------------------- union walk */

/* A walk over one file of every input at once, key by key in the writers'
 * order: each step gives, per input, its row with that key or NULL. */
struct walk {
	struct merge *m;
	enum rs_rfile f;
	unsigned key[RS_RKEY_MAX], nk;
	size_t pos[];
};

static struct walk *walk_new(struct merge *m, enum rs_rfile f)
{
	struct walk *w = calloc(1, sizeof(*w) + m->n * sizeof(size_t));

	if (!w)
		return NULL;
	w->m = m;
	w->f = f;
	w->nk = rs_rfile_key(f, w->key);
	return w;
}

static bool walk_next(struct walk *w, char ***rows)
{
	char **min = NULL;

	for (unsigned i = 0; i < w->m->n; i++) {
		const struct rs_rtable *t = &w->m->d[i].t[w->f];

		if (w->pos[i] < t->nrows &&
		    (!min || rs_rrow_cmp(w->f, t->rows[w->pos[i]], min, w->key,
					 w->nk) < 0))
			min = t->rows[w->pos[i]];
	}
	if (!min)
		return false;
	for (unsigned i = 0; i < w->m->n; i++) {
		const struct rs_rtable *t = &w->m->d[i].t[w->f];

		rows[i] = NULL;
		if (w->pos[i] < t->nrows &&
		    !rs_rrow_cmp(w->f, t->rows[w->pos[i]], min, w->key, w->nk))
			rows[i] = t->rows[w->pos[i]++];
	}
	return true;
}

/* The first row that is there. */
static char **first_of(char ***rows, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (rows[i])
			return rows[i];
	return NULL;
}

/* A merged row: the key fields of its first input row, and sums. */
struct mrow {
	char **row;
	uint64_t count;
};

struct mrows {
	struct mrow *r;
	size_t n, cap;
};

static int mrows_push(struct mrows *v, char **row, uint64_t count)
{
	if (v->n == v->cap) {
		size_t c = v->cap ? 2 * v->cap : 256;
		struct mrow *p = realloc(v->r, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->r = p;
		v->cap = c;
	}
	v->r[v->n].row = row;
	v->r[v->n++].count = count;
	return 0;
}

/* ------------------------------------------------------------ sums */

/* The sum of a whole-number column over the rows there are; refused when
 * it overflows 64 bits. */
static int sum_u64(struct merge *m, char ***rows, enum rs_rfile f,
		   const char *col, uint64_t *out)
{
	unsigned c = rs_rcol(f, col);
	uint64_t s = 0;

	for (unsigned i = 0; i < m->n; i++)
		if (rows[i] &&
		    __builtin_add_overflow(s, rs_rfield_u64(rows[i][c]), &s))
			return refuse(m, "%s/%s: %s: the sum overflows 64 bits",
				      m->d[i].dir, rs_rfile_name(f), col);
	*out = s;
	return 0;
}

/* The same for a fixed-point column with dec decimals, in its units. */
static int sum_fixed(struct merge *m, char ***rows, enum rs_rfile f,
		     const char *col, unsigned dec, uint64_t *out)
{
	unsigned c = rs_rcol(f, col);
	uint64_t s = 0;

	for (unsigned i = 0; i < m->n; i++)
		if (rows[i] && __builtin_add_overflow(
				       s, rs_rfield_fixed(rows[i][c], dec), &s))
			return refuse(m, "%s/%s: %s: the sum overflows 64 bits",
				      m->d[i].dir, rs_rfile_name(f), col);
	*out = s;
	return 0;
}

/* The rows of the single-row file h (summary.csv, check.csv), per input. */
static void heads(struct merge *m, enum rs_rfile h, char ***rows)
{
	for (unsigned i = 0; i < m->n; i++)
		rows[i] = m->d[i].t[h].rows[0];
}

/* Refuse when column col of the rows differs (by text, or by value for
 * fixed-point columns: dec > 0). */
static int must_match(struct merge *m, char ***rows, enum rs_rfile f,
		      const char *col, unsigned dec, const char *why)
{
	unsigned c = rs_rcol(f, col);
	char **r0 = first_of(rows, m->n);
	unsigned i0 = 0;

	while (rows[i0] != r0)
		i0++;
	for (unsigned i = i0 + 1; i < m->n; i++) {
		if (!rows[i])
			continue;
		if (dec ? rs_rfield_fixed(rows[i][c], dec) ==
				  rs_rfield_fixed(r0[c], dec) :
			  strcmp(rows[i][c], r0[c]) == 0)
			continue;
		return refuse(m,
			      "%s: %s '%s' differs from %s's '%s': %s",
			      m->d[i].dir, col, ESC(rows[i][c], 60),
			      m->d[i0].dir, ESC(r0[c], 60), why);
	}
	return 0;
}

/* Refuse when a column whose rule is RS_MR_SAME differs: the reason is
 * the column's own (schema.c) or why. */
static int must_match_all(struct merge *m, char ***rows, enum rs_rfile f,
			  const char *why)
{
	const struct rs_sfile *s = rs_schema_file(f);

	for (unsigned k = 0; k < s->ncols; k++) {
		const struct rs_scol *c = &s->cols[k];
		unsigned dec = c->type == RS_CT_FIX3 ? 3 :
			       c->type == RS_CT_FIX6 ? 6 : 0;

		if (c->merge == RS_MR_SAME &&
		    must_match(m, rows, f, c->name, dec, c->why ? c->why : why))
			return -EINVAL;
	}
	return 0;
}

/* The common value of a text column, or "mixed". */
static const char *common(struct merge *m, char ***rows, enum rs_rfile f,
			  const char *col)
{
	unsigned c = rs_rcol(f, col);
	char **r0 = first_of(rows, m->n);

	for (unsigned i = 0; i < m->n; i++)
		if (rows[i] && strcmp(rows[i][c], r0[c]) != 0)
			return "mixed";
	return r0[c];
}

/* The earliest started_utc (ISO 8601 sorts as text). */
static const char *earliest(struct merge *m, char ***rows, enum rs_rfile f)
{
	unsigned c = rs_rcol(f, "started_utc");
	const char *e = rows[0][c];

	for (unsigned i = 1; i < m->n; i++)
		if (strcmp(rows[i][c], e) < 0)
			e = rows[i][c];
	return e;
}

/* ------------------------------------------------------ histograms */

/* The histogram (histogram name, mode, op) of merged histogram rows, as
 * struct rs_histo (rs_histo_sel). */
static void histo_of(const struct mrows *h, const char *name,
		     const char *mode, const char *op, struct rs_histo *out)
{
	struct rs_histo_sel s = rs_histo_sel(name, mode, op, out);

	for (size_t i = 0; i < h->n; i++)
		rs_histo_sel_add(&s, h->r[i].row, h->r[i].count);
	rs_histo_sel_end(&s);
}

static double p_us(const struct rs_histo *h, double p)
{
	return (double)rs_histo_percentile(h, p) / 1000.0;
}

/* -------------------------------------------------------- run reports */

static int merged_counts(struct merge *m, enum rs_rfile f, struct mrows *v)
{
	struct walk *w = walk_new(m, f);
	char **rows[m->n];
	int ret = 0;

	if (!w)
		return -ENOMEM;
	while (!ret && walk_next(w, rows)) {
		uint64_t s;

		ret = sum_u64(m, rows, f, "count", &s);
		if (!ret)
			ret = mrows_push(v, first_of(rows, m->n), s);
	}
	free(w);
	return ret;
}

/* A column computed again from the merged counts (RS_MR_RECOMPUTE) other
 * than the ones merge_fields knows: the file's writer sets it. */
typedef int (*recompute_fn)(struct merge *m, const struct rs_scol *c,
			    char ***rows, struct rs_row *w, void *arg);

/* The decimals of a fixed-point type; 0 for whole numbers. */
static unsigned decimals(enum rs_ctype t)
{
	return t == RS_CT_FIX3 ? 3 : t == RS_CT_FIX6 ? 6 : 0;
}

static void set_fixed(struct rs_row *w, const char *col, uint64_t v,
		      unsigned dec)
{
	if (dec == 3)
		rs_row_set(w, col, "%" PRIu64 ".%03" PRIu64, v / 1000, v % 1000);
	else if (dec == 6)
		rs_row_set(w, col, "%" PRIu64 ".%06" PRIu64, v / 1000000,
			   v % 1000000);
	else
		rs_row_set(w, col, "%" PRIu64, v);
}

/*
 * One merged row of file F from the inputs' rows with one key (NULL
 * where an input has none), every column by its rule in the schema table
 * (src/schema.c): key and copied columns from the first row there is,
 * sums, common values, percentiles of the merged histograms (over the
 * row's close_mode and op_index when the file has them), and the rest
 * through recompute. Returns 0, or a refusal (-EINVAL with m->err).
 */
static int merge_fields(struct merge *m, enum rs_rfile F, char ***rows,
			const struct mrows *hist, struct rs_row *w,
			recompute_fn recompute, void *arg)
{
	const struct rs_sfile *sf = rs_schema_file(F);
	char **r0 = first_of(rows, m->n);
	int cm = rs_schema_find(F, "close_mode");
	int co = rs_schema_find(F, "op_index");
	int ret;

	rs_row_init(w, F);
	for (unsigned k = 1; k < sf->ncols; k++) {
		const struct rs_scol *c = &sf->cols[k];
		unsigned dec = decimals(c->type);
		uint64_t v = 0;

		switch (c->merge) {
		case RS_MR_SCHEMA:
		case RS_MR_NONE:
		case RS_MR_BLOCK: /* blocks.csv: write_blocks_of */
			break;
		case RS_MR_KEY:
		case RS_MR_COPY:
			rs_row_set(w, c->name, "%s", r0[k]);
			break;
		case RS_MR_SAME:
			ret = must_match(m, rows, F, c->name, dec,
					 c->why ? c->why :
						  "reports whose settings differ do not add up");
			if (ret)
				return ret;
			rs_row_set(w, c->name, "%s", r0[k]);
			break;
		case RS_MR_MIXED:
			rs_row_set(w, c->name, "%s", common(m, rows, F, c->name));
			break;
		case RS_MR_EARLIEST:
			rs_row_set(w, c->name, "%s", earliest(m, rows, F));
			break;
		case RS_MR_SUM0:
			/* 0 is "no limit": one input without makes none */
			for (unsigned i = 0; i < m->n; i++)
				if (rows[i] && !rs_rfield_fixed(rows[i][k], dec))
					goto zero;
			/* fall through */
		case RS_MR_SUM:
			if (c->type == RS_CT_HI) {
				bool inf = false;

				/* no upper bound in one input: none in the sum */
				for (unsigned i = 0; i < m->n; i++)
					inf |= rows[i] &&
					       strcmp(rows[i][k], "inf") == 0;
				if (inf) {
					rs_row_set(w, c->name, "inf");
					break;
				}
			}
			if (c->type == RS_CT_I64) {
				int64_t si = 0;

				for (unsigned i = 0; i < m->n; i++)
					if (rows[i] &&
					    __builtin_add_overflow(
						    si, rs_rfield_i64(rows[i][k]),
						    &si))
						return refuse(m, "%s/%s: %s: the sum overflows 64 bits",
							      m->d[i].dir,
							      sf->name, c->name);
				rs_row_set(w, c->name, "%" PRId64, si);
				break;
			}
			ret = dec ? sum_fixed(m, rows, F, c->name, dec, &v) :
				    sum_u64(m, rows, F, c->name, &v);
			if (ret)
				return ret;
		zero:
			set_fixed(w, c->name, v, dec);
			break;
		case RS_MR_MAX:
			for (unsigned i = 0; i < m->n; i++)
				if (rows[i] && rs_rfield_u64(rows[i][k]) > v)
					v = rs_rfield_u64(rows[i][k]);
			rs_row_set(w, c->name, "%" PRIu64, v);
			break;
		case RS_MR_AND:
			v = 1;
			for (unsigned i = 0; i < m->n; i++)
				if (rows[i])
					v &= rs_rfield_u64(rows[i][k]);
			rs_row_set(w, c->name, "%" PRIu64, v);
			break;
		case RS_MR_SEED:
			/* one seed if all are the same, else 0 */
			v = rs_rfield_u64(r0[k]);
			for (unsigned i = 0; i < m->n; i++)
				if (rows[i] && rs_rfield_u64(rows[i][k]) != v)
					v = 0;
			rs_row_set(w, c->name, "%" PRIu64, v);
			break;
		case RS_MR_PCT: {
			struct rs_histo *h;

			if (c->pct >= 100) {
				/* the maximum: the largest of the inputs',
				 * exact where theirs are (the histogram only
				 * knows the top of the highest bucket) */
				double mx = 0;

				for (unsigned i = 0; i < m->n; i++)
					if (rows[i] && strtod(rows[i][k], NULL) > mx)
						mx = strtod(rows[i][k], NULL);
				rs_row_set(w, c->name, "%.3f", mx);
				break;
			}
			h = malloc(sizeof(*h));

			if (!h)
				return -ENOMEM;
			histo_of(hist, c->hist, cm >= 0 ? r0[cm] : NULL,
				 co >= 0 ? r0[co] : NULL, h);
			rs_row_set(w, c->name, "%.3f", p_us(h, c->pct));
			free(h);
			break;
		}
		case RS_MR_RECOMPUTE:
			if (!recompute)
				return refuse(m, "internal error: %s: no rule for %s",
					      sf->name, c->name);
			if ((ret = recompute(m, c, rows, w, arg)))
				return ret;
			break;
		}
	}
	return 0;
}

/* Write a merged row: a row the builder refuses is a programming error
 * (a column of the table nobody sets), reported as a refusal. */
static int put_row(struct merge *m, const struct rs_row *w, FILE *f)
{
	char e[256];

	if (rs_row_check(w, e, sizeof(e)))
		return refuse(m, "internal error: %s", e);
	rs_row_write(w, f);
	return 0;
}

/* summary.csv's rates, from the sums. */
static int summary_rates(struct merge *m, const struct rs_scol *c,
			 char ***rows, struct rs_row *w, void *arg)
{
	const enum rs_rfile S = RS_RF_SUMMARY;
	uint64_t elapsed, n;
	double el;
	int ret;

	(void)arg;
	if ((ret = sum_fixed(m, rows, S, "elapsed_s", 3, &elapsed)) ||
	    (ret = sum_u64(m, rows, S,
			   strcmp(c->name, "conns_per_s") == 0 ?
				   "conns_completed" :
				   "ops_completed",
			   &n)))
		return ret;
	if (strcmp(c->name, "conns_per_s") && strcmp(c->name, "ops_per_s"))
		return refuse(m, "internal error: summary.csv: no rule for %s",
			      c->name);
	el = (double)elapsed / 1000.0;
	rs_row_set(w, c->name, "%.1f", el > 0 ? (double)n / el : 0);
	return 0;
}

static int write_summary(struct wctx *w, FILE *f)
{
	struct merge *m = w->m;
	char **rows[m->n];
	struct rs_row *r = malloc(sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	heads(m, RS_RF_SUMMARY, rows);
	rs_schema_header(RS_RF_SUMMARY, f);
	ret = merge_fields(m, RS_RF_SUMMARY, rows, w->hist, r, summary_rates,
			   NULL);
	if (!ret)
		ret = put_row(m, r, f);
	free(r);
	return ret;
}

/* outcomes.csv's share: the merged count over the merged counts of its
 * (close_mode, op_index), which arg holds. */
static int outcome_share(struct merge *m, const struct rs_scol *c,
			 char ***rows, struct rs_row *w, void *arg)
{
	const uint64_t *total = arg;
	uint64_t n;
	int ret = sum_u64(m, rows, RS_RF_OUTCOMES, "count", &n);

	if (ret)
		return ret;
	rs_row_set(w, c->name, "%.6f",
		   *total ? (double)n / (double)*total : 0.0);
	return 0;
}

static int write_outcomes(struct wctx *wc, FILE *f)
{
	struct merge *m = wc->m;
	const enum rs_rfile O = RS_RF_OUTCOMES;
	struct mrows v = { 0 };
	unsigned gk[RS_RKEY_MAX];
	struct walk *w = NULL;
	char **rows[m->n];
	struct rs_row r;
	int ret = merged_counts(m, O, &v);
	size_t i = 0;

	rs_rfile_key(O, gk);
	if (ret)
		goto out;
	w = walk_new(m, O);
	if (!w) {
		ret = -ENOMEM;
		goto out;
	}
	rs_schema_header(O, f);
	/* the merged counts give each group's total; the walk gives the rows
	 * again, in the same order */
	while (!ret && i < v.n) {
		uint64_t total = 0;
		size_t g = i;

		/* (scenario, closer, close_mode, op_index): the first four
		 * key columns */
		while (g < v.n &&
		       !rs_rrow_cmp(O, v.r[g].row, v.r[i].row, gk, 4))
			total += v.r[g++].count;
		for (; !ret && i < g; i++) {
			walk_next(w, rows);
			ret = merge_fields(m, O, rows, NULL, &r, outcome_share,
					   &total);
			if (!ret)
				ret = put_row(m, &r, f);
		}
	}
out:
	free(w);
	free(v.r);
	return ret;
}

/* A run file merged row by row, every column by its rule: ops.csv,
 * failures.csv and histograms.csv. */
static int write_rows(struct wctx *wc, enum rs_rfile F, FILE *f)
{
	struct merge *m = wc->m;
	struct walk *w = walk_new(m, F);
	char **rows[m->n];
	struct rs_row r;
	int ret = 0;

	if (!w)
		return -ENOMEM;
	rs_schema_header(F, f);
	while (!ret && walk_next(w, rows)) {
		ret = merge_fields(m, F, rows, wc->hist, &r, NULL, NULL);
		if (!ret)
			ret = put_row(m, &r, f);
	}
	free(w);
	return ret;
}

static int write_ops(struct wctx *w, FILE *f)
{
	return write_rows(w, RS_RF_OPS, f);
}

static int write_failures(struct wctx *w, FILE *f)
{
	return write_rows(w, RS_RF_FAILURES, f);
}

static int write_histograms(struct wctx *w, FILE *f)
{
	return write_rows(w, RS_RF_HISTOGRAMS, f);
}

static int write_run_mib(struct wctx *wc, FILE *f)
{
	struct merge *m = wc->m;
	const enum rs_rfile M = RS_RF_RUN_MIB;
	struct walk *w = walk_new(m, M);
	char **rows[m->n];
	struct rs_row r;
	int ret = 0;

	if (!w)
		return -ENOMEM;
	rs_schema_header(M, f);
	while (!ret && walk_next(w, rows)) {
		bool all = true;

		for (unsigned i = 0; i < m->n; i++)
			all = all && rows[i];
		if (!all)
			continue; /* a counter some kernel does not have */
		ret = merge_fields(m, M, rows, NULL, &r, NULL, NULL);
		if (!ret)
			ret = put_row(m, &r, f);
	}
	free(w);
	return ret;
}

/* ----------------------------------------------------- check reports */

/* A merged phase of a scenario (a verdicts.csv row). */
struct mphase {
	char **row;          /* the first input's row: key and names */
	uint64_t trials, want, setup_failed, sigpipe, epipe, load_conns,
		elapsed;
	const char *rule;    /* sigpipe_expected, or "mixed" */
	int worst_input;     /* 0 PASS, 1 MEASURED, 2 DIFF */
	int verdict;
	size_t c0, c1;       /* its merged cells */
	char detail[1024];
};

/* A merged row of a check's mib.csv. */
struct mmib {
	char **row;
	const char *scope, *status;
	int64_t delta;
	uint64_t lo, hi;
	bool inf;
};

/*
 * The verdict of a merged phase, judged by the verdict module exactly as
 * check judges one (verdict.h). A verdict is never better than an
 * input's: a DIFF the sums hide (a SIGPIPE rule the sum meets but one
 * input did not) stays a DIFF.
 */
static int judge(struct mphase *p, const struct mrows *cells)
{
	const enum rs_rfile C = RS_RF_CELLS;
	unsigned cj = rs_rcol(C, "judged"), ce = rs_rcol(C, "expected");
	unsigned cr = rs_rcol(C, "result"), co = rs_rcol(C, "op_index");
	unsigned ck = rs_rcol(C, "op_kind");
	size_t n = p->c1 - p->c0;
	struct rs_vcell *vc = calloc(n ? n : 1, sizeof(*vc));
	struct rs_vphase vp = {
		.want = p->want,
		.trials = p->trials,
		.setup_failed = p->setup_failed,
		.sigpipe = p->sigpipe,
		.epipe = p->epipe,
		.sig_rule = p->rule,
		.cells = vc,
		.ncells = n,
	};

	if (!vc)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char **r = cells->r[p->c0 + i].row;

		vc[i] = (struct rs_vcell){
			.op_index = (unsigned)rs_rfield_u64(r[co]),
			.op_kind = r[ck],
			.result = r[cr],
			.expected = r[ce],
			.exact = strcmp(r[cj], "exact") == 0,
			.count = cells->r[p->c0 + i].count,
		};
		/* an op judged as a share has cells of that op only */
		vp.measured_ops |= !vc[i].exact;
	}
	p->detail[0] = '\0';
	p->verdict = (int)rs_verdict_judge(&vp, p->detail, sizeof(p->detail));
	free(vc);
	if (p->worst_input == RS_V_DIFF && p->verdict != RS_V_DIFF)
		rs_append(p->detail, sizeof(p->detail),
		       "DIFF in an input report that the sums do not show; ");
	if (p->worst_input > p->verdict)
		p->verdict = p->worst_input;
	return 0;
}

static int merge_phases(struct merge *m, struct mphase **out, size_t *nout)
{
	const enum rs_rfile V = RS_RF_VERDICTS;
	struct walk *w = walk_new(m, V);
	char **rows[m->n];
	struct mphase *ph = NULL;
	size_t n = 0, cap = 0;
	unsigned ctr = rs_rcol(RS_RF_CHECK, "trials");
	unsigned cv = rs_rcol(V, "verdict");
	int ret = 0;

	if (!w)
		return -ENOMEM;
	while (walk_next(w, rows)) {
		struct mphase *p;

		if ((ret = must_match_all(m, rows, V,
					  "a scenario must have run the same way in every report")))
			goto out;
		if (n == cap) {
			size_t c = cap ? 2 * cap : 64;
			struct mphase *np = realloc(ph, c * sizeof(*np));

			if (!np) {
				ret = -ENOMEM;
				goto out;
			}
			ph = np;
			cap = c;
		}
		p = &ph[n++];
		memset(p, 0, sizeof(*p));
		p->row = first_of(rows, m->n);
		if ((ret = sum_u64(m, rows, V, "trials", &p->trials)) ||
		    (ret = sum_u64(m, rows, V, "setup_failed", &p->setup_failed)) ||
		    (ret = sum_u64(m, rows, V, "sigpipe", &p->sigpipe)) ||
		    (ret = sum_u64(m, rows, V, "epipe_writes", &p->epipe)) ||
		    (ret = sum_u64(m, rows, V, "load_conns", &p->load_conns)) ||
		    (ret = sum_fixed(m, rows, V, "elapsed_s", 3, &p->elapsed)))
			goto out;
		p->rule = common(m, rows, V, "sigpipe_expected");
		for (unsigned i = 0; i < m->n; i++) {
			const char *asked;
			int v;

			if (!rows[i])
				continue;
			/* the trials asked for: --trials of each input */
			asked = rs_rfield(&m->d[i], RS_RF_CHECK, 0, ctr);
			if (__builtin_add_overflow(p->want, rs_rfield_u64(asked),
						   &p->want)) {
				ret = refuse(m, "%s/check.csv: trials: the sum overflows 64 bits",
					     m->d[i].dir);
				goto out;
			}
			v = rs_verdict_from_name(rows[i][cv]);
			if (v > p->worst_input)
				p->worst_input = v;
		}
	}
out:
	free(w);
	if (ret) {
		free(ph);
		return ret;
	}
	*out = ph;
	*nout = n;
	return 0;
}

static int merge_cells(struct merge *m, struct mrows *v)
{
	const enum rs_rfile C = RS_RF_CELLS;
	struct walk *w = walk_new(m, C);
	char **rows[m->n];
	int ret = 0;

	if (!w)
		return -ENOMEM;
	while (!ret && walk_next(w, rows)) {
		uint64_t s;

		ret = must_match_all(m, rows, C,
				     "reports of scenario tables that differ do not add up");
		if (!ret)
			ret = sum_u64(m, rows, C, "count", &s);
		if (!ret)
			ret = mrows_push(v, first_of(rows, m->n), s);
	}
	free(w);
	return ret;
}

/* Each phase's range of merged cells (both lists are in key order), and
 * its verdict. */
static int judge_all(struct mphase *ph, size_t nph, const struct mrows *cells)
{
	unsigned cs = rs_rcol(RS_RF_CELLS, "scenario");
	unsigned cp = rs_rcol(RS_RF_CELLS, "phase");
	unsigned vs = rs_rcol(RS_RF_VERDICTS, "scenario");
	unsigned vp = rs_rcol(RS_RF_VERDICTS, "phase");
	size_t c = 0;

	for (size_t i = 0; i < nph; i++) {
		char **r = ph[i].row;

		/* cells belong to a verdicts row (checked on reading) and
		 * come in the phases' order, so this phase's, if any, are
		 * next: a phase without cells (trials that all failed to set
		 * up) must not skip the cells of the phases after it */
		ph[i].c0 = c;
		while (c < cells->n && !strcmp(cells->r[c].row[cs], r[vs]) &&
		       !strcmp(cells->r[c].row[cp], r[vp]))
			c++;
		ph[i].c1 = c;
		if (judge(&ph[i], cells))
			return -ENOMEM;
	}
	return 0;
}

/* Whether input d has a verdicts row for the (scenario, phase) of the
 * mib.csv row r. */
static bool has_phase(const struct rs_repdir *d, char **r)
{
	const struct rs_rtable *v = &d->t[RS_RF_VERDICTS];
	unsigned vs = rs_rcol(RS_RF_VERDICTS, "scenario");
	unsigned vp = rs_rcol(RS_RF_VERDICTS, "phase");
	unsigned ms = rs_rcol(RS_RF_CHECK_MIB, "scenario");
	unsigned mp = rs_rcol(RS_RF_CHECK_MIB, "phase");

	for (size_t i = 0; i < v->nrows; i++)
		if (!strcmp(v->rows[i][vs], r[ms]) &&
		    !strcmp(v->rows[i][vp], r[mp]))
			return true;
	return false;
}

static int merge_check_mib(struct merge *m, struct mmib **out, size_t *nout)
{
	const enum rs_rfile M = RS_RF_CHECK_MIB;
	struct walk *w = walk_new(m, M);
	char **rows[m->n];
	unsigned cd = rs_rcol(M, "delta"), cl = rs_rcol(M, "expected_lo");
	unsigned ch = rs_rcol(M, "expected_hi"), cst = rs_rcol(M, "status");
	struct mmib *v = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (!w)
		return -ENOMEM;
	while (walk_next(w, rows)) {
		struct mmib x = { .row = first_of(rows, m->n) };
		bool unread = false, sticky = false, all = true;

		/* a phase's counter is summed only when every input that ran
		 * the phase has it */
		for (unsigned i = 0; i < m->n; i++)
			if (!rows[i] && has_phase(&m->d[i], x.row))
				all = false;
		if (!all)
			continue;
		for (unsigned i = 0; i < m->n; i++) {
			int64_t d;

			if (!rows[i])
				continue;
			d = rs_rfield_i64(rows[i][cd]);
			if (d < 0)
				unread = true; /* check.c's -1: unreadable */
			else if (__builtin_add_overflow(x.delta, d, &x.delta))
				goto overflow;
			if (__builtin_add_overflow(
				    x.lo, rs_rfield_u64(rows[i][cl]), &x.lo))
				goto overflow;
			if (strcmp(rows[i][ch], "inf") == 0)
				x.inf = true;
			else if (__builtin_add_overflow(
					 x.hi, rs_rfield_u64(rows[i][ch]),
					 &x.hi))
				goto overflow;
			sticky |= strcmp(rows[i][cst], "MISMATCH") == 0;
		}
		if (unread)
			x.delta = -1;
		x.scope = common(m, rows, M, "scope");
		if (strcmp(x.scope, "netns") != 0)
			x.status = "not-judged";
		else if (sticky || x.delta < 0 || (uint64_t)x.delta < x.lo ||
			 (!x.inf && (uint64_t)x.delta > x.hi))
			x.status = "MISMATCH";
		else
			x.status = "ok";
		if (n == cap) {
			size_t c = cap ? 2 * cap : 64;
			struct mmib *p = realloc(v, c * sizeof(*p));

			if (!p) {
				ret = -ENOMEM;
				goto out;
			}
			v = p;
			cap = c;
		}
		v[n++] = x;
		continue;
overflow:
		ret = refuse(m, "mib.csv: %s %s %s: the sum overflows 64 bits",
			     x.row[1], x.row[2], x.row[4]);
		goto out;
	}
out:
	free(w);
	if (ret) {
		free(v);
		return ret;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* check.csv's totals, from the merged verdicts and counters; the exit
 * status is the inputs' worst, and 1 at least when the merge has a DIFF
 * or a mismatch. */
static int check_totals(struct merge *m, const struct rs_scol *c,
			char ***rows, struct rs_row *r, void *arg)
{
	const struct wctx *w = arg;
	unsigned counts[3] = { 0, 0, 0 }, scenarios = 0;
	unsigned cv = rs_rcol(RS_RF_VERDICTS, "scenario");
	uint64_t status = 0;

	for (size_t i = 0; i < w->nph; i++) {
		counts[w->ph[i].verdict]++;
		if (!i || strcmp(w->ph[i].row[cv], w->ph[i - 1].row[cv]))
			scenarios++;
	}
	if (!strcmp(c->name, "scenarios"))
		rs_row_set(r, c->name, "%u", scenarios);
	else if (!strcmp(c->name, "pass"))
		rs_row_set(r, c->name, "%u", counts[RS_V_PASS]);
	else if (!strcmp(c->name, "measured"))
		rs_row_set(r, c->name, "%u", counts[RS_V_MEASURED]);
	else if (!strcmp(c->name, "diff"))
		rs_row_set(r, c->name, "%u", counts[RS_V_DIFF]);
	else if (!strcmp(c->name, "counter_mismatches"))
		rs_row_set(r, c->name, "%u", w->mismatches);
	else if (!strcmp(c->name, "exit_status")) {
		for (unsigned i = 0; i < m->n; i++) {
			uint64_t st = rs_rfield_u64(
				rows[i][rs_rcol(RS_RF_CHECK, "exit_status")]);

			if (st > status)
				status = st;
		}
		if ((counts[RS_V_DIFF] || w->mismatches) && status < 1)
			status = 1;
		rs_row_set(r, c->name, "%" PRIu64, status);
	} else {
		return refuse(m, "internal error: check.csv: no rule for %s",
			      c->name);
	}
	return 0;
}

static int write_check_head(struct wctx *w, FILE *f)
{
	const enum rs_rfile H = RS_RF_CHECK;
	struct merge *m = w->m;
	char **rows[m->n];
	struct rs_row r;
	int ret;

	w->mismatches = 0;
	for (size_t i = 0; i < w->nmib; i++)
		w->mismatches += strcmp(w->mib[i].status, "MISMATCH") == 0;
	heads(m, H, rows);
	rs_schema_header(H, f);
	ret = merge_fields(m, H, rows, NULL, &r, check_totals, w);
	return ret ? ret : put_row(m, &r, f);
}

static int write_verdicts(struct wctx *w, FILE *f)
{
	const enum rs_rfile V = RS_RF_VERDICTS;
	struct rs_row *r = malloc(sizeof(*r));
	int ret = 0;

	if (!r)
		return -ENOMEM;
	rs_schema_header(V, f);
	for (size_t i = 0; i < w->nph && !ret; i++) {
		const struct mphase *p = &w->ph[i];

		rs_row_init(r, V);
		/* the key and the columns every input has the same */
		for (unsigned k = 1; k < rs_schema_file(V)->ncols; k++) {
			const struct rs_scol *c = rs_schema_col(V, k);

			if (c->merge == RS_MR_KEY || c->merge == RS_MR_SAME)
				rs_row_set(r, c->name, "%s", p->row[k]);
		}
		rs_row_set(r, "trials", "%" PRIu64, p->trials);
		rs_row_set(r, "setup_failed", "%" PRIu64, p->setup_failed);
		rs_row_set(r, "verdict", "%s", rs_verdict_name(p->verdict));
		rs_row_set(r, "sigpipe", "%" PRIu64, p->sigpipe);
		rs_row_set(r, "sigpipe_expected", "%s", p->rule);
		rs_row_set(r, "epipe_writes", "%" PRIu64, p->epipe);
		rs_row_set(r, "load_conns", "%" PRIu64, p->load_conns);
		set_fixed(r, "elapsed_s", p->elapsed, 3);
		rs_row_set(r, "detail", "%s", p->detail[0] ? p->detail : "-");
		ret = put_row(w->m, r, f);
	}
	free(r);
	return ret;
}

static int write_cells(struct wctx *w, FILE *f)
{
	const enum rs_rfile C = RS_RF_CELLS;
	struct rs_row r;
	int ret = 0;

	rs_schema_header(C, f);
	for (size_t i = 0; i < w->nph && !ret; i++) {
		const struct mphase *p = &w->ph[i];

		for (size_t k = p->c0; k < p->c1 && !ret; k++) {
			char **x = w->cells->r[k].row;
			uint64_t n = w->cells->r[k].count;
			double lo, hi;

			rs_wilson95(n, p->trials, &lo, &hi);
			rs_row_init(&r, C);
			for (unsigned c = 1; c < rs_schema_file(C)->ncols; c++) {
				const struct rs_scol *col = rs_schema_col(C, c);

				if (col->merge == RS_MR_KEY ||
				    col->merge == RS_MR_SAME)
					rs_row_set(&r, col->name, "%s", x[c]);
			}
			rs_row_set(&r, "count", "%" PRIu64, n);
			rs_row_set(&r, "share", "%.6f",
				   p->trials ? (double)n / (double)p->trials :
					       0.0);
			rs_row_set(&r, "ci_lo", "%.6f", lo);
			rs_row_set(&r, "ci_hi", "%.6f", hi);
			ret = put_row(w->m, &r, f);
		}
	}
	return ret;
}

static int write_check_mib(struct wctx *w, FILE *f)
{
	const enum rs_rfile M = RS_RF_CHECK_MIB;
	struct rs_row r;
	int ret = 0;

	rs_schema_header(M, f);
	for (size_t i = 0; i < w->nmib && !ret; i++) {
		const struct mmib *x = &w->mib[i];

		rs_row_init(&r, M);
		for (unsigned s = 0; s < rs_schema_file(M)->nkey; s++) {
			const char *k = rs_schema_file(M)->key[s];

			rs_row_set(&r, k, "%s", x->row[rs_rcol(M, k)]);
		}
		rs_row_set(&r, "scope", "%s", x->scope);
		rs_row_set(&r, "delta", "%" PRId64, x->delta);
		rs_row_set(&r, "expected_lo", "%" PRIu64, x->lo);
		if (x->inf)
			rs_row_set(&r, "expected_hi", "inf");
		else
			rs_row_set(&r, "expected_hi", "%" PRIu64, x->hi);
		rs_row_set(&r, "status", "%s", x->status);
		ret = put_row(w->m, &r, f);
	}
	return ret;
}

/* sequences.csv's share: the merged count over the merged phase's trials
 * (verdicts.csv). */
static int seq_share(struct merge *m, const struct rs_scol *c, char ***rows,
		     struct rs_row *r, void *arg)
{
	const enum rs_rfile Q = RS_RF_SEQUENCES;
	const struct wctx *w = arg;
	char **r0 = first_of(rows, m->n);
	unsigned qs = rs_rcol(Q, "scenario"), qp = rs_rcol(Q, "phase");
	unsigned vs = rs_rcol(RS_RF_VERDICTS, "scenario");
	unsigned vp = rs_rcol(RS_RF_VERDICTS, "phase");
	uint64_t n;
	int ret = sum_u64(m, rows, Q, "count", &n);

	if (ret)
		return ret;
	for (size_t i = 0; i < w->nph; i++) {
		const struct mphase *p = &w->ph[i];

		if (strcmp(p->row[vs], r0[qs]) || strcmp(p->row[vp], r0[qp]))
			continue;
		rs_row_set(r, c->name, "%.6f",
			   p->trials ? (double)n / (double)p->trials : 0.0);
		return 0;
	}
	return refuse(m, "%s/sequences.csv: (%s, %s) has no row in verdicts.csv",
		      m->d[0].dir, r0[qs], r0[qp]);
}

/* sequences.csv: the counts added by (scenario, phase, sequence). */
static int write_sequences(struct wctx *w, FILE *f)
{
	const enum rs_rfile Q = RS_RF_SEQUENCES;
	struct walk *wk = walk_new(w->m, Q);
	char **rows[w->m->n];
	struct rs_row r;
	int ret = 0;

	if (!wk)
		return -ENOMEM;
	rs_schema_header(Q, f);
	while (!ret && walk_next(wk, rows)) {
		ret = merge_fields(w->m, Q, rows, NULL, &r, seq_share, w);
		if (!ret)
			ret = put_row(w->m, &r, f);
	}
	free(wk);
	return ret;
}

/* ---------------------------------------------------------- writing */

/* ------------------------------------------------------------ blocks */

/* One replicate block of the merge: rows [r0, r1) of an input's
 * blocks.csv, or (an input without one) its whole outcomes.csv or
 * cells.csv, which is then one block. */
struct mblock {
	const struct rs_repdir *d;
	enum rs_rfile src;     /* the blocks file or the totals file */
	size_t r0, r1;
	uint64_t seed;
	char *text;            /* its rows without block and seed: the order */
};

static int mblock_cmp(const void *x, const void *y)
{
	const struct mblock *a = x, *b = y;

	if (a->seed != b->seed)
		return a->seed < b->seed ? -1 : 1;
	return strcmp(a->text, b->text);
}

/* The columns of blocks file F a block's rows carry over (all but
 * schema_version, block and seed). */
static bool block_col(const char *name)
{
	return strcmp(name, "schema_version") && strcmp(name, "block") &&
	       strcmp(name, "seed");
}

static int block_text(struct mblock *b, enum rs_rfile F)
{
	const struct rs_sfile *sf = rs_schema_file(F);
	const struct rs_rtable *t = &b->d->t[b->src];
	size_t len = 0;
	FILE *m = open_memstream(&b->text, &len);

	if (!m)
		return -ENOMEM;
	for (size_t i = b->r0; i < b->r1; i++) {
		for (unsigned c = 0; c < sf->ncols; c++)
			if (block_col(sf->cols[c].name))
				fprintf(m, "%s,",
					t->rows[i][rs_rcol(b->src,
							   sf->cols[c].name)]);
		fputc('\n', m);
	}
	return fclose(m) ? -ENOMEM : 0;
}

/*
 * blocks.csv of the merge: the blocks of every input (an input without
 * blocks.csv is one block, its totals), ordered by seed and then by their
 * rows so that the order of the inputs does not matter, and numbered from
 * 1. A fleet's hosts merged are the blocks of the fleet's report.
 */
static int write_blocks_of(struct wctx *wc, enum rs_rfile F, enum rs_rfile T,
			   FILE *f)
{
	struct merge *m = wc->m;
	const struct rs_sfile *sf = rs_schema_file(F);
	bool seeded = rs_schema_find(F, "seed") >= 0;
	struct mblock *bl = NULL;
	size_t nb = 0, cap = 0;
	int ret = 0;

	for (unsigned i = 0; i < m->n; i++) {
		const struct rs_repdir *d = &m->d[i];
		const struct rs_rtable *t = &d->t[F];
		unsigned cb = rs_rcol(F, "block");

		for (size_t r = 0; r < (t->present ? t->nrows : 1);) {
			struct mblock b = { .d = d, .src = F, .r0 = r };

			if (!t->present) {
				b.src = T;
				b.r1 = d->t[T].nrows;
				if (seeded)
					b.seed = rs_rfield_u64(rs_rget1(
						d, RS_RF_SUMMARY, "seed"));
				r = 1;
			} else {
				while (r < t->nrows &&
				       !strcmp(t->rows[r][cb],
					       t->rows[b.r0][cb]))
					r++;
				b.r1 = r;
				if (seeded)
					b.seed = rs_rfield_u64(
						t->rows[b.r0][rs_rcol(F, "seed")]);
			}
			if (nb == cap) {
				size_t n = cap ? 2 * cap : 16;
				struct mblock *p = realloc(bl, n * sizeof(*p));

				if (!p) {
					ret = -ENOMEM;
					goto out;
				}
				bl = p;
				cap = n;
			}
			bl[nb++] = b;
			if ((ret = block_text(&bl[nb - 1], F)))
				goto out;
		}
	}
	qsort(bl, nb, sizeof(*bl), mblock_cmp);
	rs_schema_header(F, f);
	for (size_t k = 0; k < nb; k++) {
		const struct rs_rtable *t = &bl[k].d->t[bl[k].src];

		for (size_t i = bl[k].r0; i < bl[k].r1; i++) {
			struct rs_row w;

			rs_row_init(&w, F);
			rs_row_set(&w, "block", "%zu", k + 1);
			if (seeded)
				rs_row_set(&w, "seed", "%" PRIu64, bl[k].seed);
			for (unsigned c = 0; c < sf->ncols; c++)
				if (block_col(sf->cols[c].name))
					rs_row_set(&w, sf->cols[c].name, "%s",
						   t->rows[i][rs_rcol(bl[k].src,
								      sf->cols[c].name)]);
			if ((ret = put_row(m, &w, f)))
				goto out;
		}
	}
out:
	for (size_t k = 0; k < nb; k++)
		free(bl[k].text);
	free(bl);
	return ret;
}

static int write_run_blocks(struct wctx *w, FILE *f)
{
	return write_blocks_of(w, RS_RF_RUN_BLOCKS, RS_RF_OUTCOMES, f);
}

static int write_check_blocks(struct wctx *w, FILE *f)
{
	return write_blocks_of(w, RS_RF_CHECK_BLOCKS, RS_RF_CELLS, f);
}

static int oom(struct merge *m)
{
	snprintf(m->err, m->errlen, "out of memory");
	return 2;
}

struct outfile {
	const char *name;
	int (*w)(struct wctx *c, FILE *f);
};

/*
 * Write the files into OUT, all or nothing as far as the file system
 * allows: each is written to its temporary file first; only when every
 * writer has succeeded are they renamed into place. A refusal found while
 * writing (a sum that overflows) leaves OUT as it was, and removes OUT when
 * this call created it. Returns 0, 1 (cannot write) or 2 (refused).
 */
static int write_all(struct wctx *c, const struct outfile *files, size_t n)
{
	struct merge *m = c->m;
	struct rs_csv_out o[8];
	struct stat st;
	bool existed = stat(m->out, &st) == 0;
	size_t opened = 0;
	int ret = rs_mkdir_p(m->out), r;

	if (ret) {
		snprintf(m->err, m->errlen, "%s: cannot create the directory: %s",
			 m->out, strerror(-ret));
		return 1;
	}
	for (; opened < n; opened++) {
		if (rs_csv_open(&o[opened], m->out, files[opened].name, m->err,
				m->errlen)) {
			ret = 1;
			goto undo;
		}
		r = files[opened].w(c, o[opened].f);
		if (r) {
			opened++;
			ret = r == -ENOMEM ? oom(m) : 2;
			goto undo;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (rs_csv_close(&o[i], m->err, m->errlen)) {
			/* the ones before are in place already: say so */
			size_t len = strlen(m->err);

			if (i)
				snprintf(m->err + len, m->errlen - len,
					 " (%zu of the %zu files were replaced)",
					 i, n);
			while (++i < n) {
				fclose(o[i].f);
				unlink(o[i].tmp);
			}
			return 1;
		}
	return 0;
undo:
	for (size_t i = 0; i < opened; i++) {
		fclose(o[i].f);
		unlink(o[i].tmp);
	}
	if (!existed)
		rmdir(m->out);
	return ret;
}

static int merge_run(struct merge *m)
{
	const enum rs_rfile S = RS_RF_SUMMARY;
	static const struct outfile files[] = {
		{ "summary.csv", write_summary },
		{ "outcomes.csv", write_outcomes },
		{ "ops.csv", write_ops },
		{ "failures.csv", write_failures },
		{ "histograms.csv", write_histograms },
		{ "blocks.csv", write_run_blocks },
		{ "mib.csv", write_run_mib },
	};
	char **rows[m->n];
	struct mrows hist = { 0 };
	struct wctx c = { .m = m, .hist = &hist };
	size_t nfiles = sizeof(files) / sizeof(files[0]);
	bool mib = true;
	char path[4200];
	int st = 0;

	heads(m, S, rows);
	if (must_match_all(m, rows, S,
			   "runs with different settings do not add up"))
		return 2;
	st = merged_counts(m, RS_RF_HISTOGRAMS, &hist);
	if (st) {
		st = st == -ENOMEM ? oom(m) : 2;
		goto out;
	}
	/* mib.csv only when every input has one: a partial sum would lie */
	for (unsigned i = 0; i < m->n; i++)
		mib = mib && m->d[i].t[RS_RF_RUN_MIB].present;
	if (!mib)
		nfiles--; /* mib.csv is the last */
	st = write_all(&c, files, nfiles);
	/* a mib.csv left from an earlier report would be read as this one's */
	snprintf(path, sizeof(path), "%s/mib.csv", m->out);
	if (!st && !mib && unlink(path) && errno != ENOENT) {
		snprintf(m->err, m->errlen, "%s: cannot remove: %s", path,
			 strerror(errno));
		st = 1;
	}
out:
	free(hist.r);
	return st;
}

static int merge_check(struct merge *m)
{
	const enum rs_rfile H = RS_RF_CHECK;
	static const struct outfile files[] = {
		{ "check.csv", write_check_head },
		{ "verdicts.csv", write_verdicts },
		{ "cells.csv", write_cells },
		{ "blocks.csv", write_check_blocks },
		{ "mib.csv", write_check_mib },
		{ "sequences.csv", write_sequences },
	};
	char **rows[m->n];
	char path[4200];
	bool seqs = true;
	struct mrows cells = { 0 };
	struct mphase *ph = NULL;
	struct mmib *mib = NULL;
	struct wctx c = { .m = m, .cells = &cells };
	int st;

	heads(m, H, rows);
	if (must_match_all(m, rows, H, "check reports that differ do not add up"))
		return 2;
	st = merge_phases(m, &ph, &c.nph);
	if (!st)
		st = merge_cells(m, &cells);
	if (!st)
		st = merge_check_mib(m, &mib, &c.nmib);
	if (st) {
		st = st == -ENOMEM ? oom(m) : 2;
		goto out;
	}
	if (judge_all(ph, c.nph, &cells)) {
		st = oom(m);
		goto out;
	}
	c.ph = ph;
	c.mib = mib;
	/* sequences.csv only when every input has one (reports before it
	 * lack it): a partial sum would lie */
	for (unsigned i = 0; i < m->n; i++)
		seqs = seqs && m->d[i].t[RS_RF_SEQUENCES].present;
	st = write_all(&c, files,
		       sizeof(files) / sizeof(files[0]) - !seqs);
	/* one left from an earlier report would be read as this one's */
	snprintf(path, sizeof(path), "%s/sequences.csv", m->out);
	if (!st && !seqs && unlink(path) && errno != ENOENT) {
		snprintf(m->err, m->errlen, "%s: cannot remove: %s", path,
			 strerror(errno));
		st = 1;
	}
out:
	free(cells.r);
	free(ph);
	free(mib);
	return st;
}

/*
 * Refuse a report given twice (its counts would be added twice) and an
 * output that is one of the inputs (the input would be replaced by the
 * sum). Paths are compared by what they name, device and inode, so that
 * A, ./A/, a symlink to A and a bind mount of A are one report. Returns
 * 0, or -EINVAL with one line in err.
 */
static int same_paths(const char *const *dirs, unsigned n, const char *out,
		      char *err, size_t errlen)
{
	struct stat st[n], so;

	for (unsigned i = 0; i < n; i++) {
		if (stat(dirs[i], &st[i]) != 0) {
			int e = errno;

			snprintf(err, errlen, "%s: cannot read the report: %s",
				 dirs[i], strerror(e));
			return -e;
		}
		for (unsigned j = 0; j < i; j++)
			if (st[j].st_dev == st[i].st_dev &&
			    st[j].st_ino == st[i].st_ino) {
				snprintf(err, errlen,
					 "%s and %s are the same report: give each report once (its counts would be added twice)",
					 dirs[j], dirs[i]);
				return -EINVAL;
			}
	}
	if (stat(out, &so) != 0)
		return 0; /* created by the merge: no input is there */
	for (unsigned i = 0; i < n; i++)
		if (st[i].st_dev == so.st_dev && st[i].st_ino == so.st_ino) {
			snprintf(err, errlen,
				 "-o %s: is the input report %s: write the merge to a new directory (the input would be replaced)",
				 out, dirs[i]);
			return -EINVAL;
		}
	return 0;
}

int rs_merge_dirs(const char *const *dirs, unsigned n, const char *out,
		  char *err, size_t errlen)
{
	struct merge m = { .n = n, .out = out, .err = err, .errlen = errlen };
	char path[4200];
	struct stat st;
	int ret = 2;

	if (n < 2) {
		snprintf(err, errlen, "needs at least two reports, got %u", n);
		return 2;
	}
	if (same_paths(dirs, n, out, err, errlen))
		return 2;
	m.d = calloc(n, sizeof(*m.d));
	if (!m.d)
		return oom(&m);
	for (unsigned i = 0; i < n; i++)
		if (rs_repdir_load(&m.d[i], dirs[i], err, errlen))
			goto out;
	for (unsigned i = 1; i < n; i++)
		if (m.d[i].kind != m.d[0].kind) {
			snprintf(err, errlen,
				 "%s is a %s report, %s a %s report: merge reports of one kind",
				 dirs[i], rs_rkind_name(m.d[i].kind), dirs[0],
				 rs_rkind_name(m.d[0].kind));
			goto out;
		}
	/* OUT must not end up holding two kinds of report */
	snprintf(path, sizeof(path), "%s/%s", out,
		 m.d[0].kind == RS_RKIND_RUN ? "check.csv" : "summary.csv");
	if (stat(path, &st) == 0) {
		snprintf(err, errlen,
			 "%s: holds a %s report: write the merged %s report to another directory",
			 out, m.d[0].kind == RS_RKIND_RUN ? "check" : "run",
			 rs_rkind_name(m.d[0].kind));
		goto out;
	}
	ret = m.d[0].kind == RS_RKIND_RUN ? merge_run(&m) : merge_check(&m);
out:
	for (unsigned i = 0; i < n; i++)
		rs_repdir_free(&m.d[i]);
	free(m.d);
	return ret;
}

/* The merged report in out, as one JSON document (json.h). Returns 0,
 * or 1 with err. */
static int merge_json(const char *const *dirs, unsigned n, const char *out,
		      const char *path, char *err, size_t errlen)
{
	struct rs_jdoc d = { .command = "merge", .inputs = dirs,
			     .ninputs = n };
	char head[4200];
	struct stat st;
	int ret;

	snprintf(head, sizeof(head), "%s/summary.csv", out);
	d.kind = stat(head, &st) == 0 ? RS_RKIND_RUN : RS_RKIND_CHECK;
	ret = rs_jdoc_read_dir(&d, out, err, errlen);
	if (!ret)
		ret = rs_jdoc_write(&d, path, err, errlen);
	rs_jdoc_free(&d);
	if (ret) {
		size_t len = strlen(err);

		snprintf(err + len, errlen - len,
			 " (the JSON document was not written; %s was)", out);
		return 1;
	}
	return 0;
}

static void merge_usage(FILE *f)
{
	fprintf(f,
		"usage: rststorm merge A B [C...] -o OUT\n"
		"\n"
		"Add reports of the same kind (directories written by `rststorm run --csv`\n"
		"or `rststorm check --csv`, or by merge) into one report in OUT: counts\n"
		"add by key; shares, intervals, rates, percentiles and verdicts are\n"
		"computed again from the sums. Reports whose settings make the sum\n"
		"meaningless are refused (docs/compare.md lists the rules).\n"
		"Exit status: 0 merged, 1 OUT could not be written, 2 unreadable input,\n"
		"reports that do not add up, or a usage error.\n"
		"\n"
		"options:\n"
		"  -o, --output OUT  the directory to write (created if missing)\n"
		"  --json FILE       the merged report as one JSON document too; - for\n"
		"                    stdout\n"
		"  -h, --help        this text\n");
}

int rs_cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", 1, NULL, 'o' },
		{ "json", 1, NULL, 'J' },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *json = NULL;
	char err[1024], ev[RS_ESC_VALUE];
	int c, st;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!*optarg) {
				fprintf(stderr,
					"rststorm merge: -o '': a directory name\n");
				return 2;
			}
			out = optarg;
			break;
		case 'J':
			if (!*optarg) {
				fprintf(stderr,
					"rststorm merge: --json '': a file path, or - for standard output\n");
				return 2;
			}
			json = optarg;
			break;
		case 'h':
			merge_usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "rststorm merge: %s: needs a value\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		default:
			fprintf(stderr,
				"rststorm merge: '%s': unknown option (rststorm merge --help lists them)\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		}
	}
	if (!out) {
		fprintf(stderr,
			"rststorm merge: -o OUT: the output directory is required\n");
		return 2;
	}
	if (argc - optind < 2) {
		fprintf(stderr,
			"rststorm merge: needs at least two report directories, got %d\n",
			argc - optind);
		return 2;
	}
	if (json && rs_json_prepare(json, err, sizeof(err))) {
		fprintf(stderr, "rststorm merge: %s\n", err);
		return 2;
	}
	st = rs_merge_dirs((const char *const *)argv + optind,
			   (unsigned)(argc - optind), out, err, sizeof(err));
	if (!st && json)
		st = merge_json((const char *const *)argv + optind,
				(unsigned)(argc - optind), out, json, err,
				sizeof(err));
	if (st)
		fprintf(stderr, "rststorm merge: %s\n", err);
	return st;
}
