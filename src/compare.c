/* `rststorm compare A B`: two reports of the same kind aligned by key.
 * Cells judged exact differ when the set of results differs; every other
 * cell (measured cells of a check, all cells of a run) is measured: with
 * replicate blocks on both sides (blocks.csv) it differs when its shares
 * are at least --min-diff apart and Welch's t test on the block shares,
 * Holm-adjusted over all measured cells, is below alpha; without blocks
 * the spread between runs is unknown, and Fisher's exact test is shown
 * but fails only under --strict. Verdict changes, ops and phases found in
 * one report only, and the probe path and configuration of each side are
 * shown too. */
#include "compare.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "esc.h"
#include "json.h"
#include "repdir.h"
#include "report.h"

/* ------------------------------------------------- Fisher's exact test */

static double lchoose(double n, double k)
{
	return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

/*
 * With margins n1, n2 and K = k1 + k2 fixed, x (the top-left cell) runs
 * over [lo, hi] with P(x) = C(n1, x) C(n2, K - x) / C(N, K), which is
 * unimodal. The tables at most as probable as the observed one are two
 * tails, [lo, xl] and [xr, hi]: found by bisection on log P, then summed
 * outward relative to P(observed) with the ratio of neighbouring terms,
 * until what is left of a tail cannot matter.
 */
double rs_fisher_p(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2)
{
	uint64_t K = k1 + k2, N = n1 + n2, lo, hi, mode, xl, xr, a, b;
	double base, lp0, tol, sum = 0;

	if (!n1 || !n2 || !K || K == N || k1 > n1 || k2 > n2)
		return 1.0;
	lo = K > n2 ? K - n2 : 0;
	hi = K < n1 ? K : n1;
	base = lchoose((double)N, (double)K);
#define LP(x) (lchoose((double)n1, (double)(x)) + \
	       lchoose((double)n2, (double)(K - (x))) - base)
	lp0 = LP(k1);
	/* R's relative 1e-7; wider where lgamma's own rounding is larger */
	tol = 1e-7 + 64 * DBL_EPSILON * lgamma((double)N + 1);
	mode = (uint64_t)(((unsigned __int128)(K + 1) * (n1 + 1)) / (N + 2));
	if (mode < lo)
		mode = lo;
	if (mode > hi)
		mode = hi;
	if (LP(mode) <= lp0 + tol)
		return 1.0; /* every table is at most as probable */

	/* left tail: the last x < mode with LP(x) <= lp0 + tol */
	xl = UINT64_MAX;
	if (LP(lo) <= lp0 + tol) {
		a = lo;
		b = mode; /* LP(a) <= thr < LP(b) */
		while (b - a > 1) {
			uint64_t m = a + (b - a) / 2;

			if (LP(m) <= lp0 + tol)
				a = m;
			else
				b = m;
		}
		xl = a;
	}
	/* right tail: the first x > mode with LP(x) <= lp0 + tol */
	xr = UINT64_MAX;
	if (LP(hi) <= lp0 + tol) {
		a = mode;
		b = hi; /* LP(a) > thr >= LP(b) */
		while (b - a > 1) {
			uint64_t m = a + (b - a) / 2;

			if (LP(m) <= lp0 + tol)
				b = m;
			else
				a = m;
		}
		xr = b;
	}
	if (xl != UINT64_MAX) {
		double t = exp(LP(xl) - lp0);

		for (uint64_t x = xl;; x--) {
			sum += t;
			/* each term left is at most t: stop when all of
			 * them together cannot change the sum */
			if (x == lo || t * (double)(x - lo) < sum * 1e-17)
				break;
			t *= ((double)x * (double)(n2 - K + x)) /
			     ((double)(n1 - x + 1) * (double)(K - x + 1));
		}
	}
	if (xr != UINT64_MAX) {
		double t = exp(LP(xr) - lp0);

		for (uint64_t x = xr;; x++) {
			sum += t;
			if (x == hi || t * (double)(hi - x) < sum * 1e-17)
				break;
			t *= ((double)(n1 - x) * (double)(K - x)) /
			     ((double)(x + 1) * (double)(n2 - K + x + 1));
		}
	}
#undef LP
	if (!(sum > 0))
		return 0.0;
	sum = exp(lp0 + log(sum));
	return sum > 1.0 ? 1.0 : sum;
}

/* --------------------------------------------------- Welch and Holm */

/* The continued fraction of the regularized incomplete beta function
 * (modified Lentz), for x < (a + 1) / (a + b + 2). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

/* I_x(a, b), the regularized incomplete beta function. */
static double incbeta(double x, double a, double b)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * betacf(a, b, x) / a;
	return 1 - front * betacf(b, a, 1 - x) / b;
}

double rs_t2_sf(double t, double df)
{
	if (!(df > 0))
		return 1.0;
	if (isinf(t))
		return 0.0;
	return incbeta(df / (df + t * t), df / 2, 0.5);
}

static void mean_var(const double *v, unsigned n, double *mean, double *var)
{
	double m = 0, q = 0;

	for (unsigned i = 0; i < n; i++)
		m += v[i];
	m /= n;
	for (unsigned i = 0; i < n; i++)
		q += (v[i] - m) * (v[i] - m);
	*mean = m;
	*var = n > 1 ? q / (n - 1) : 0;
}

double rs_welch_p(const double *a, unsigned na, const double *b, unsigned nb)
{
	double ma, va, mb, vb, ea, eb, se2, df;

	if (na < 2 || nb < 2)
		return 1.0;
	mean_var(a, na, &ma, &va);
	mean_var(b, nb, &mb, &vb);
	ea = va / na;
	eb = vb / nb;
	se2 = ea + eb;
	/* shares are k/n: below 1e-15 a variance is rounding, not spread */
	if (se2 < 1e-24)
		return fabs(mb - ma) < 1e-12 ? 1.0 : 0.0;
	df = se2 * se2 / (ea * ea / (na - 1) + eb * eb / (nb - 1));
	return rs_t2_sf((mb - ma) / sqrt(se2), df);
}

static int cmp_idx(const void *x, const void *y, void *arg)
{
	const double *p = arg;
	double a = p[*(const size_t *)x], b = p[*(const size_t *)y];

	return a < b ? -1 : a > b ? 1 :
	       *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

int rs_holm(const double *p, size_t n, double *adj)
{
	size_t *ix = malloc((n + 1) * sizeof(*ix));
	double run = 0;

	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof(*ix), cmp_idx, (void *)p);
	/* the k-th smallest (0-based) times n - k, kept monotone */
	for (size_t k = 0; k < n; k++) {
		double v = p[ix[k]] * (double)(n - k);

		if (v > 1)
			v = 1;
		if (v > run)
			run = v;
		adj[ix[k]] = run;
	}
	free(ix);
	return 0;
}

/* ----------------------------------------------------------- layout */

/* Most blocks a side's blocks.csv may number (a merge of many) */
#define RS_MAX_BLOCKS 65536u

enum test { TEST_EXACT, TEST_FISHER, TEST_MISSING, TEST_BLOCKS };
static const char *const test_name[] = { "exact", "fisher", "missing",
					 "welch-blocks" };

/* Where the cells of a kind are, and which columns make their key. */
struct layout {
	enum rs_rfile f;        /* cells.csv or outcomes.csv */
	enum rs_rfile head;     /* check.csv or summary.csv */
	unsigned key[8], nkey;  /* group columns, then the result */
	unsigned ngroup;
	unsigned scenario, result, count, judged, expected, phase, op, kind,
		mode;
	bool check;
	/* blocks.csv: the group columns it has (bkey[k] of key[k], -1:
	 * none), its result, count and block */
	enum rs_rfile bf;
	int bkey[8];
	unsigned bres, bcount, bblock;
};

/* The key of a cell: compare.csv's key columns in the schema table, which
 * are cells.csv's (check) or outcomes.csv's (run) names. */
static const struct rs_sfile *cmp_file(bool check)
{
	return rs_schema_file(check ? RS_RF_CMP_CHECK : RS_RF_CMP_RUN);
}

static void layout_init(struct layout *l, enum rs_rkind k)
{
	const char *const *names = cmp_file(k == RS_RKIND_CHECK)->key;

	memset(l, 0, sizeof(*l));
	l->check = k == RS_RKIND_CHECK;
	l->f = l->check ? RS_RF_CELLS : RS_RF_OUTCOMES;
	l->head = l->check ? RS_RF_CHECK : RS_RF_SUMMARY;
	l->nkey = cmp_file(l->check)->nkey;
	l->ngroup = l->nkey - 1;
	for (unsigned i = 0; i < l->nkey; i++)
		l->key[i] = rs_rcol(l->f, names[i]);
	l->scenario = rs_rcol(l->f, "scenario");
	l->result = rs_rcol(l->f, "result");
	l->count = rs_rcol(l->f, "count");
	l->op = rs_rcol(l->f, "op_index");
	l->kind = rs_rcol(l->f, "op_kind");
	l->mode = rs_rcol(l->f, "close_mode");
	if (l->check) {
		l->judged = rs_rcol(l->f, "judged");
		l->expected = rs_rcol(l->f, "expected");
		l->phase = rs_rcol(l->f, "phase");
	}
	l->bf = l->check ? RS_RF_CHECK_BLOCKS : RS_RF_RUN_BLOCKS;
	for (unsigned i = 0; i < l->ngroup; i++)
		l->bkey[i] = rs_schema_find(l->bf, names[i]);
	l->bres = rs_rcol(l->bf, "result");
	l->bcount = rs_rcol(l->bf, "count");
	l->bblock = rs_rcol(l->bf, "block");
}

/* The replicate blocks of a report: the highest block number of its
 * blocks.csv (0: none). */
static unsigned nblocks_of(const struct rs_repdir *d, const struct layout *l)
{
	const struct rs_rtable *t = &d->t[l->bf];
	uint64_t n = 0;

	for (size_t i = 0; t->present && i < t->nrows; i++) {
		uint64_t b = rs_rfield_u64(t->rows[i][l->bblock]);

		n = b > n ? b : n;
	}
	return n > RS_MAX_BLOCKS ? RS_MAX_BLOCKS : (unsigned)n;
}

/* Per block, the counts of the op of row r (a cells.csv or outcomes.csv
 * row) with result res (NULL: all results, the op's block totals). */
static void block_counts(const struct rs_repdir *d, const struct layout *l,
			 char **r, const char *res, uint64_t *out,
			 unsigned nb)
{
	const struct rs_rtable *t = &d->t[l->bf];

	memset(out, 0, nb * sizeof(*out));
	for (size_t i = 0; i < t->nrows; i++) {
		char **b = t->rows[i];
		uint64_t k = rs_rfield_u64(b[l->bblock]);
		unsigned g;

		for (g = 0; g < l->ngroup; g++)
			if (l->bkey[g] >= 0 &&
			    strcmp(b[l->bkey[g]], r[l->key[g]]) != 0)
				break;
		if (g < l->ngroup || (res && strcmp(b[l->bres], res) != 0) ||
		    k < 1 || k > nb)
			continue;
		out[k - 1] += rs_rfield_u64(b[l->bcount]);
	}
}

/* The shares of the blocks that ran the op (total > 0): returns their
 * number; their sd into *sd. */
static unsigned block_shares(const uint64_t *k, const uint64_t *n,
			     unsigned nb, double *sh, double *sd)
{
	unsigned m = 0;
	double mean, var;

	for (unsigned i = 0; i < nb; i++)
		if (n[i])
			sh[m++] = (double)k[i] / (double)n[i];
	mean_var(sh, m ? m : 1, &mean, &var);
	*sd = m > 1 ? sqrt(var) : 0;
	return m;
}

/* One result of one op, as the two reports have it. */
struct ccell {
	char **ra, **rb;    /* the rows, NULL where a report has none */
	uint64_t ca, ta, cb, tb;
	enum test test;
	double p;           /* Fisher or the block test */
	double padj;        /* the block test's p, Holm over all such cells */
	double diff;        /* share B - share A */
	unsigned nba, nbb;  /* blocks that ran the op, each side */
	double sda, sdb;    /* sd of the block shares, each side */
	bool differs;
	const char *decision;
};

struct cmp {
	const struct rs_repdir *a, *b;
	const struct rs_compare_opts *o;
	struct layout l;
	FILE *out;
	struct ccell *cells;
	size_t ncells, cap;
	unsigned nba, nbb;   /* blocks of each side (0: no blocks.csv) */
	uint64_t *bk, *bn;   /* per block counts and totals, one side */
	double *sha, *shb;   /* block shares */
	/* pass 2: the Holm-adjusted p of each cell of pass 1 (NULL: pass 1) */
	const double *adj;
	size_t nadj;
	/* tallies */
	unsigned long nops, nexact, nfisher, nblocks, ops_differ, ops_missing,
		ops_unknown, verdict_changes, phases_missing;
	/* check reports: the whole-trial sequences (compare_sequences) */
	struct ccell *seqs;
	size_t nseqs, capseqs;
	unsigned long seq_phases, seq_differ, seq_only;
	bool seq_absent;             /* a report has no sequences.csv */
	bool seq_header;             /* their heading printed */
	const char *shown_scenario;  /* header printed for this one */
};

/* Append x to the growing array *v of *n cells (room for *cap). */
static int ccell_append(struct ccell **v, size_t *n, size_t *cap,
			const struct ccell *x)
{
	if (*n == *cap) {
		size_t m = *cap ? 2 * *cap : 64;
		struct ccell *p = realloc(*v, m * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = m;
	}
	(*v)[(*n)++] = *x;
	return 0;
}

static int push(struct cmp *c, const struct ccell *x)
{
	return ccell_append(&c->cells, &c->ncells, &c->cap, x);
}

static void scenario_header(struct cmp *c, const char *sc)
{
	if (c->shown_scenario && strcmp(c->shown_scenario, sc) == 0)
		return;
	fprintf(c->out, "\n%s\n", sc);
	c->shown_scenario = sc;
}

static double pct(uint64_t k, uint64_t n)
{
	return n ? 100.0 * (double)k / (double)n : 0.0;
}

/* The block test of cell x: A's and B's block shares for its result. */
static void test_blocks(struct cmp *c, struct ccell *x, char **op,
			const char *res)
{
	const struct layout *l = &c->l;

	block_counts(c->a, l, op, NULL, c->bn, c->nba);
	block_counts(c->a, l, op, res, c->bk, c->nba);
	x->nba = block_shares(c->bk, c->bn, c->nba, c->sha, &x->sda);
	block_counts(c->b, l, op, NULL, c->bn, c->nbb);
	block_counts(c->b, l, op, res, c->bk, c->nbb);
	x->nbb = block_shares(c->bk, c->bn, c->nbb, c->shb, &x->sdb);
	x->p = rs_welch_p(c->sha, x->nba, c->shb, x->nbb);
}

/* How many blocks of d ran the op of row r. */
static unsigned ran_blocks(struct cmp *c, const struct rs_repdir *d, char **r,
			   unsigned nb)
{
	unsigned n = 0;

	block_counts(d, &c->l, r, NULL, c->bn, nb);
	for (unsigned i = 0; i < nb; i++)
		n += c->bn[i] > 0;
	return n;
}

/* Compare one op (a group of cells with the same key but the result):
 * rows [a0, a1) of A and [b0, b1) of B, either range possibly empty. */
static int compare_group(struct cmp *c, char ***ra, size_t a0, size_t a1,
			 char ***rb, size_t b0, size_t b1)
{
	const struct layout *l = &c->l;
	uint64_t ta = 0, tb = 0;
	bool exact = l->check, differs = false, unknown = false;
	size_t first = c->ncells, i, j;
	char **any = a1 > a0 ? ra[a0] : rb[b0];
	enum test test;

	for (i = a0; i < a1; i++) {
		ta += rs_rfield_u64(ra[i][l->count]);
		exact = exact && strcmp(ra[i][l->judged], "exact") == 0;
	}
	for (j = b0; j < b1; j++) {
		tb += rs_rfield_u64(rb[j][l->count]);
		exact = exact && strcmp(rb[j][l->judged], "exact") == 0;
	}
	test = !ta || !tb ? TEST_MISSING :
	       exact	  ? TEST_EXACT :
	       c->nba >= 2 && c->nbb >= 2 ? TEST_BLOCKS :
				 TEST_FISHER;
	/* an op that fewer than 2 blocks of a side ran has no spread there:
	 * as without blocks */
	if (test == TEST_BLOCKS &&
	    (ran_blocks(c, c->a, any, c->nba) < 2 ||
	     ran_blocks(c, c->b, any, c->nbb) < 2))
		test = TEST_FISHER;
	c->nops++;
	if (test == TEST_EXACT)
		c->nexact++;
	else if (test == TEST_FISHER)
		c->nfisher++;
	else if (test == TEST_BLOCKS)
		c->nblocks++;

	/* the results of the op, both sides, in result order */
	for (i = a0, j = b0; i < a1 || j < b1;) {
		struct ccell x = { .ta = ta, .tb = tb, .test = test, .p = 1,
				   .padj = 1 };
		const unsigned *res_col = &l->key[l->ngroup];
		int cmp = i == a1 ? 1 :
			  j == b1 ? -1 :
				    rs_rrow_cmp(l->f, ra[i], rb[j], res_col, 1);

		if (cmp <= 0) {
			x.ra = ra[i++];
			x.ca = rs_rfield_u64(x.ra[l->count]);
		}
		if (cmp >= 0) {
			x.rb = rb[j++];
			x.cb = rs_rfield_u64(x.rb[l->count]);
		}
		x.diff = pct(x.cb, x.tb) / 100 - pct(x.ca, x.ta) / 100;
		switch (test) {
		case TEST_MISSING:
			x.differs = true;
			x.decision = "different";
			break;
		case TEST_EXACT:
			x.differs = !x.ca != !x.cb;
			x.decision = x.differs ? "different" : "same";
			break;
		case TEST_FISHER:
			x.p = rs_fisher_p(x.ca, ta, x.cb, tb);
			x.differs = c->o->strict && x.p < c->o->alpha;
			x.decision = c->o->strict ? (x.differs ? "different" :
								  "same") :
						    "unknown";
			unknown |= !c->o->strict && x.p < c->o->alpha;
			break;
		case TEST_BLOCKS:
			test_blocks(c, &x, any, (x.ra ? x.ra : x.rb)[l->result]);
			if (c->adj && c->ncells < c->nadj)
				x.padj = c->adj[c->ncells];
			/* the margin first: a shift too small to matter never
			 * fails, however sure the test is of it */
			x.differs = fabs(x.diff) >= c->o->min_diff - 1e-9 &&
				    x.padj < c->o->alpha;
			x.decision = x.differs ? "different" : "same";
			break;
		}
		differs |= x.differs;
		if (push(c, &x))
			return -ENOMEM;
	}
	if (test == TEST_MISSING)
		c->ops_missing++;
	else if (differs)
		c->ops_differ++;
	else if (unknown)
		c->ops_unknown++;
	if (!differs && !unknown && !c->o->all)
		return 0;

	scenario_header(c, any[l->scenario]);
	fprintf(c->out, "  %s%s op %s %s", l->check ? "" : "close ",
		l->check ? any[l->phase] : any[l->mode], any[l->op],
		any[l->kind]);
	if (test == TEST_MISSING)
		fprintf(c->out, ": only in %s\n", ta ? "A" : "B");
	else if (test == TEST_EXACT)
		fprintf(c->out, " (exact, expected %s): %s\n",
			any[l->expected],
			differs ? "the results differ" : "same results");
	else if (test == TEST_BLOCKS)
		fprintf(c->out,
			" (%s, Welch test on %u+%u block shares, Holm, min-diff %.1f points): %s\n",
			l->check ? "measured" : "share", c->nba, c->nbb,
			100 * c->o->min_diff,
			differs ? "shares differ" : "same within the spread");
	else if (c->o->strict)
		fprintf(c->out, " (%s, Fisher's exact test, --strict): %s\n",
			l->check ? "measured" : "share",
			differs ? "shares differ" : "same within alpha");
	else
		fprintf(c->out,
			" (%s, Fisher's exact test): %s\n",
			l->check ? "measured" : "share",
			unknown ? "shares differ, spread between runs unknown (no blocks: not judged)" :
				  "same within alpha, spread between runs unknown");
	for (size_t k = first; k < c->ncells; k++) {
		const struct ccell *x = &c->cells[k];
		const char *res = (x->ra ? x->ra : x->rb)[l->result];

		fprintf(c->out,
			"      %-12s A %" PRIu64 "/%" PRIu64 " %5.1f%%   B %" PRIu64
			"/%" PRIu64 " %5.1f%%",
			res, x->ca, x->ta, pct(x->ca, x->ta), x->cb, x->tb,
			pct(x->cb, x->tb));
		if (test == TEST_FISHER)
			fprintf(c->out, "   p=%.2g%s", x->p,
				x->differs	       ? "  DIFFERS" :
				!c->o->strict && x->p < c->o->alpha ? "  (spread unknown)" :
								 "");
		else if (test == TEST_BLOCKS)
			fprintf(c->out,
				"   sd A %.1f B %.1f points, p=%.2g Holm %.2g%s",
				100 * x->sda, 100 * x->sdb, x->p, x->padj,
				x->differs ? "  DIFFERS" : "");
		else if (test == TEST_EXACT && x->differs)
			fprintf(c->out, "   only in %s", x->ca ? "A" : "B");
		fputc('\n', c->out);
	}
	return 0;
}

/* Order of two scenario names: catalogue order, then by name. */
static int scenario_cmp(const char *x, const char *y)
{
	int rx = rs_scenario_rank(x), ry = rs_scenario_rank(y);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(x, y);
}

/* The verdicts of one scenario: rows [a0, a1) of A, [b0, b1) of B. */
static void compare_verdicts(struct cmp *c, size_t a0, size_t a1, size_t b0,
			     size_t b1)
{
	const struct rs_rtable *va = &c->a->t[RS_RF_VERDICTS];
	const struct rs_rtable *vb = &c->b->t[RS_RF_VERDICTS];
	unsigned ph = rs_rcol(RS_RF_VERDICTS, "phase");
	unsigned v = rs_rcol(RS_RF_VERDICTS, "verdict");
	unsigned tr = rs_rcol(RS_RF_VERDICTS, "trials");
	unsigned sp = rs_rcol(RS_RF_VERDICTS, "sigpipe");
	unsigned ew = rs_rcol(RS_RF_VERDICTS, "epipe_writes");
	unsigned det = rs_rcol(RS_RF_VERDICTS, "detail");
	unsigned key[RS_RKEY_MAX];

	rs_rfile_key(RS_RF_VERDICTS, key);
	while (a0 < a1 || b0 < b1) {
		int cmp = a0 == a1 ? 1 : b0 == b1 ? -1 :
			  rs_rrow_cmp(RS_RF_VERDICTS, va->rows[a0],
				      vb->rows[b0], key, 2);
		char **x = cmp <= 0 ? va->rows[a0] : NULL;
		char **y = cmp >= 0 ? vb->rows[b0] : NULL;

		a0 += cmp <= 0;
		b0 += cmp >= 0;
		if (!x || !y) {
			char **r = x ? x : y;

			c->phases_missing++;
			scenario_header(c, r[1]);
			fprintf(c->out, "  verdict %s: only in %s (%s, %s trials)\n",
				r[ph], x ? "A" : "B", r[v], r[tr]);
			continue;
		}
		if (strcmp(x[v], y[v]) != 0) {
			c->verdict_changes++;
			scenario_header(c, x[1]);
			fprintf(c->out, "  verdict %s: %s -> %s", x[ph], x[v],
				y[v]);
			if (strcmp(x[sp], y[sp]) || strcmp(x[ew], y[ew]))
				fprintf(c->out,
					" (SIGPIPE %s for %s EPIPE writes -> %s for %s)",
					x[sp], x[ew], y[sp], y[ew]);
			fputc('\n', c->out);
			if (strcmp(x[v], "DIFF") == 0)
				fprintf(c->out, "      A: %s\n", x[det]);
			if (strcmp(y[v], "DIFF") == 0)
				fprintf(c->out, "      B: %s\n", y[det]);
		} else if (c->o->all) {
			scenario_header(c, x[1]);
			fprintf(c->out, "  verdict %s: %s in both\n", x[ph],
				x[v]);
		}
	}
}

/* The end of the run of rows starting at i with scenario sc. */
static size_t scenario_end(char ***rows, size_t i, size_t n, unsigned col,
			   const char *sc)
{
	while (i < n && strcmp(rows[i][col], sc) == 0)
		i++;
	return i;
}

static int compare_cells(struct cmp *c)
{
	const struct layout *l = &c->l;
	const struct rs_rtable *A = &c->a->t[l->f], *B = &c->b->t[l->f];
	const struct rs_rtable *VA = &c->a->t[RS_RF_VERDICTS];
	const struct rs_rtable *VB = &c->b->t[RS_RF_VERDICTS];
	size_t ia = 0, ib = 0, va = 0, vb = 0;
	unsigned vsc = rs_rcol(RS_RF_VERDICTS, "scenario");

	for (;;) {
		const char *sc = NULL;
		const char *heads[4] = {
			ia < A->nrows ? A->rows[ia][l->scenario] : NULL,
			ib < B->nrows ? B->rows[ib][l->scenario] : NULL,
			l->check && va < VA->nrows ? VA->rows[va][vsc] : NULL,
			l->check && vb < VB->nrows ? VB->rows[vb][vsc] : NULL,
		};
		size_t ea, eb, eva = va, evb = vb;

		for (unsigned k = 0; k < 4; k++)
			if (heads[k] && (!sc || scenario_cmp(heads[k], sc) < 0))
				sc = heads[k];
		if (!sc)
			break;
		ea = ia;
		eb = ib;
		if (heads[0] && !strcmp(heads[0], sc))
			ea = scenario_end(A->rows, ia, A->nrows, l->scenario,
					  sc);
		if (heads[1] && !strcmp(heads[1], sc))
			eb = scenario_end(B->rows, ib, B->nrows, l->scenario,
					  sc);
		if (heads[2] && !strcmp(heads[2], sc))
			eva = scenario_end(VA->rows, va, VA->nrows, vsc, sc);
		if (heads[3] && !strcmp(heads[3], sc))
			evb = scenario_end(VB->rows, vb, VB->nrows, vsc, sc);

		/* the ops of this scenario, group by group */
		while (ia < ea || ib < eb) {
			int cmp = ia == ea ? 1 : ib == eb ? -1 :
				  rs_rrow_cmp(l->f, A->rows[ia], B->rows[ib],
					      l->key, l->ngroup);
			size_t ga = ia, gb = ib;

			if (cmp <= 0)
				while (ga < ea &&
				       !rs_rrow_cmp(l->f, A->rows[ga],
						    A->rows[ia], l->key,
						    l->ngroup))
					ga++;
			if (cmp >= 0)
				while (gb < eb &&
				       !rs_rrow_cmp(l->f, B->rows[gb],
						    B->rows[ib], l->key,
						    l->ngroup))
					gb++;
			if (compare_group(c, A->rows, ia, ga, B->rows, ib, gb))
				return -ENOMEM;
			ia = ga;
			ib = gb;
		}
		if (l->check)
			compare_verdicts(c, va, eva, vb, evb);
		va = eva;
		vb = evb;
	}
	return 0;
}

/* The sequences of one phase both reports have: rows [a0, a1) of A and
 * [b0, b1) of B, aligned by sequence; each pair of shares by Fisher's
 * exact test; a sequence in one report only is named. */
static int compare_seq_phase(struct cmp *c, char ***ra, size_t a0, size_t a1,
			     char ***rb, size_t b0, size_t b1)
{
	const enum rs_rfile Q = RS_RF_SEQUENCES;
	unsigned cnt = rs_rcol(Q, "count"), seq = rs_rcol(Q, "sequence");
	unsigned key[RS_RKEY_MAX];
	uint64_t ta = 0, tb = 0;
	size_t first = c->nseqs, i, j;
	char **any = ra[a0];

	rs_rfile_key(Q, key);
	for (i = a0; i < a1; i++)
		ta += rs_rfield_u64(ra[i][cnt]);
	for (j = b0; j < b1; j++)
		tb += rs_rfield_u64(rb[j][cnt]);
	c->seq_phases++;
	for (i = a0, j = b0; i < a1 || j < b1;) {
		struct ccell x = { .ta = ta, .tb = tb, .test = TEST_FISHER };
		int cmp = i == a1 ? 1 : j == b1 ? -1 :
			  rs_rrow_cmp(Q, ra[i], rb[j], &key[2], 1);

		if (cmp <= 0) {
			x.ra = ra[i++];
			x.ca = rs_rfield_u64(x.ra[cnt]);
		}
		if (cmp >= 0) {
			x.rb = rb[j++];
			x.cb = rs_rfield_u64(x.rb[cnt]);
		}
		x.p = rs_fisher_p(x.ca, ta, x.cb, tb);
		x.differs = x.p < c->o->alpha;
		c->seq_differ += x.differs;
		c->seq_only += !x.ra || !x.rb;
		if (ccell_append(&c->seqs, &c->nseqs, &c->capseqs, &x))
			return -ENOMEM;
	}
	for (size_t k = first; k < c->nseqs; k++) {
		const struct ccell *x = &c->seqs[k];

		if (!c->o->all && !x->differs && x->ra && x->rb)
			continue;
		if (!c->seq_header) {
			fprintf(c->out, "\nwhole-trial sequences (sequences.csv)\n");
			c->seq_header = true;
		}
		fprintf(c->out,
			"  %s %s: %-24s A %" PRIu64 "/%" PRIu64 " %5.1f%%   B %" PRIu64
			"/%" PRIu64 " %5.1f%%   p=%.2g%s%s\n",
			any[rs_rcol(Q, "scenario")], any[rs_rcol(Q, "phase")],
			(x->ra ? x->ra : x->rb)[seq], x->ca, x->ta,
			pct(x->ca, x->ta), x->cb, x->tb, pct(x->cb, x->tb),
			x->p, !x->differs ? "" :
			c->o->strict ? "  DIFFERS" : "  differs (spread unknown)",
			!x->ra ? "  only in B" : !x->rb ? "  only in A" : "");
	}
	return 0;
}

/* Check reports: sequences.csv of both, phase by phase (a phase in one
 * report only is the verdicts' business). Skipped, and said, when a
 * report has no sequences.csv (written before it existed). */
static int compare_sequences(struct cmp *c)
{
	const enum rs_rfile Q = RS_RF_SEQUENCES;
	const struct rs_rtable *A = &c->a->t[Q], *B = &c->b->t[Q];
	unsigned key[RS_RKEY_MAX];
	size_t ia = 0, ib = 0;

	if (!A->present || !B->present) {
		c->seq_absent = true;
		return 0;
	}
	rs_rfile_key(Q, key);
	while (ia < A->nrows || ib < B->nrows) {
		int cmp = ia == A->nrows ? 1 : ib == B->nrows ? -1 :
			  rs_rrow_cmp(Q, A->rows[ia], B->rows[ib], key, 2);
		size_t ga = ia, gb = ib;

		if (cmp <= 0)
			while (ga < A->nrows &&
			       !rs_rrow_cmp(Q, A->rows[ga], A->rows[ia], key, 2))
				ga++;
		if (cmp >= 0)
			while (gb < B->nrows &&
			       !rs_rrow_cmp(Q, B->rows[gb], B->rows[ib], key, 2))
				gb++;
		if (cmp == 0 &&
		    compare_seq_phase(c, A->rows, ia, ga, B->rows, ib, gb))
			return -ENOMEM;
		ia = ga;
		ib = gb;
	}
	return 0;
}

/* ------------------------------------------------------ path, config */

static void show_side(const struct rs_repdir *d, enum rs_rfile h, FILE *out)
{
	fprintf(out, "kernel %s %s, ring %s, sockets %s, accept %s, liburing %s",
		rs_rget1(d, h, "kernel_release"), rs_rget1(d, h, "machine"),
		rs_rget1(d, h, "ring_flags"), rs_rget1(d, h, "client_sockets"),
		rs_rget1(d, h, "accept"), rs_rget1(d, h, "liburing_version"));
}

static void show_path(const struct cmp *c)
{
	static const char *const path[] = { "kernel_release", "machine",
					     "ring_flags", "client_sockets",
					     "accept", "liburing_version" };
	static const char *const run_cfg[] = {
		"tool_version", "ops", "close_mix", "wait", "op_gap_s",
		"timeout_s", "concurrency", "duration_s", "connections_limit",
		"client_threads", "server_threads", "ports", "interrupted",
		"books_balanced", "family", "clock", "target", "link",
		"link_rtt_asked_us", "op_size", "server_sends", "closer",
	};
	static const char *const check_cfg[] = {
		"tool_version", "trials", "load_c", "parallel", "gap_s",
		"timeout_s", "closer", "netns", "family",
	};
	enum rs_rfile h = c->l.head;
	const char *const *cfg = c->l.check ? check_cfg : run_cfg;
	size_t ncfg = c->l.check ? sizeof(check_cfg) / sizeof(cfg[0]) :
				   sizeof(run_cfg) / sizeof(cfg[0]);
	bool any = false;

	fprintf(c->out, "rststorm compare: two %s reports\n  A %s\n  B %s\n",
		rs_rkind_name(c->a->kind), c->a->dir, c->b->dir);
	fprintf(c->out, "path    A: ");
	show_side(c->a, h, c->out);
	fprintf(c->out, "\n        B: ");
	show_side(c->b, h, c->out);
	fputc('\n', c->out);
	for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++)
		if (strcmp(rs_rget1(c->a, h, path[i]),
			   rs_rget1(c->b, h, path[i])) != 0) {
			fprintf(c->out, "%s%s", any ? ", " : "        differs: ",
				path[i]);
			any = true;
		}
	fprintf(c->out, any ? "\n" : "        same path\n");
	any = false;
	for (size_t i = 0; i < ncfg; i++) {
		const char *x = rs_rget1(c->a, h, cfg[i]);
		const char *y = rs_rget1(c->b, h, cfg[i]);

		if (strcmp(x, y) != 0) {
			fprintf(c->out, "%s%s A %s, B %s",
				any ? "; " : "config  differs: ", cfg[i], x, y);
			any = true;
		}
	}
	if (any)
		fputc('\n', c->out);
}

/* ---------------------------------------------------------------- CSV */

/* The counts, totals and shares of both sides, as both CSV files have them. */
static void set_counts(struct rs_row *w, const struct ccell *x)
{
	rs_row_set(w, "count_a", "%" PRIu64, x->ca);
	rs_row_set(w, "total_a", "%" PRIu64, x->ta);
	rs_row_set(w, "share_a", "%.6f", pct(x->ca, x->ta) / 100);
	rs_row_set(w, "count_b", "%" PRIu64, x->cb);
	rs_row_set(w, "total_b", "%" PRIu64, x->tb);
	rs_row_set(w, "share_b", "%.6f", pct(x->cb, x->tb) / 100);
}

/* compare.csv's header and rows, as the schema table has them. */
static void write_rows(const struct cmp *c, FILE *f)
{
	const struct layout *l = &c->l;
	enum rs_rfile file = l->check ? RS_RF_CMP_CHECK : RS_RF_CMP_RUN;

	rs_schema_header(file, f);
	for (size_t i = 0; i < c->ncells; i++) {
		const struct ccell *x = &c->cells[i];
		char **r = x->ra ? x->ra : x->rb;
		struct rs_row w;

		rs_row_init(&w, file);
		for (unsigned k = 0; k < l->nkey; k++)
			rs_row_set(&w, cmp_file(l->check)->key[k], "%s",
				   r[l->key[k]]);
		set_counts(&w, x);
		rs_row_set(&w, "test", "%s", test_name[x->test]);
		if (x->test == TEST_FISHER || x->test == TEST_BLOCKS)
			rs_row_set(&w, "p_value", "%.6g", x->p);
		else
			rs_row_set(&w, "p_value", "-");
		if (x->test == TEST_BLOCKS)
			rs_row_set(&w, "p_adjusted", "%.6g", x->padj);
		else
			rs_row_set(&w, "p_adjusted", "-");
		rs_row_set(&w, "blocks_a", "%u", x->nba);
		rs_row_set(&w, "blocks_b", "%u", x->nbb);
		rs_row_set(&w, "sd_a", "%.6f", x->sda);
		rs_row_set(&w, "sd_b", "%.6f", x->sdb);
		/* no "-0.000000" */
		rs_row_set(&w, "diff", "%.6f",
			   fabs(x->diff) < 5e-7 ? 0.0 : x->diff);
		rs_row_set(&w, "decision", "%s", x->decision);
		rs_row_set(&w, "differs", "%d", x->differs);
		rs_row_write(&w, f);
	}
}

/* compare_sequences.csv's header and rows. */
static void write_seq_rows(const struct cmp *c, FILE *f)
{
	const enum rs_rfile F = RS_RF_CMP_SEQ;

	rs_schema_header(F, f);
	for (size_t i = 0; i < c->nseqs; i++) {
		const struct ccell *x = &c->seqs[i];
		char **r = x->ra ? x->ra : x->rb;
		struct rs_row w;

		rs_row_init(&w, F);
		for (unsigned k = 0; k < rs_schema_file(F)->nkey; k++) {
			const char *n = rs_schema_file(F)->key[k];

			rs_row_set(&w, n, "%s", r[rs_rcol(RS_RF_SEQUENCES, n)]);
		}
		set_counts(&w, x);
		rs_row_set(&w, "only_in", "%s",
			   !x->ra ? "B" : !x->rb ? "A" : "-");
		rs_row_set(&w, "p_value", "%.6g", x->p);
		rs_row_set(&w, "differs", "%d", x->differs);
		rs_row_write(&w, f);
	}
}

static int write_csv(const struct cmp *c, char *err, size_t errlen)
{
	struct rs_csv_out o;
	int ret = rs_mkdir_p(c->o->csv_dir);

	if (ret) {
		snprintf(err, errlen, "%s: cannot create the directory: %s",
			 c->o->csv_dir, strerror(-ret));
		return ret;
	}
	if ((ret = rs_csv_open(&o, c->o->csv_dir, "compare.csv", err, errlen)))
		return ret;
	write_rows(c, o.f);
	if ((ret = rs_csv_close(&o, err, errlen)) || !c->l.check ||
	    c->seq_absent)
		return ret;
	if ((ret = rs_csv_open(&o, c->o->csv_dir, "compare_sequences.csv", err,
			       errlen)))
		return ret;
	write_seq_rows(c, o.f);
	return rs_csv_close(&o, err, errlen);
}

/* --------------------------------------------------------------- JSON */

/* The comparison as one JSON document: the totals and one object per
 * compared cell, with compare.csv's column names. */
static int write_json(const struct cmp *c, const char *a, const char *b,
		      int status, char *err, size_t errlen)
{
	const struct layout *l = &c->l;
	struct rs_json_out o;
	struct rs_json j;
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int ret = rs_json_open(&o, c->o->json_path, err, errlen);

	if (ret)
		return ret;
	rs_json_init(&j, o.f);
	rs_json_begin(&j, NULL, '{');
	rs_json_u64(&j, "schema_version", RS_CSV_SCHEMA);
	rs_json_str(&j, "command", "compare");
	rs_json_str(&j, "kind", l->check ? "check" : "run");
	rs_json_str(&j, "a", a);
	rs_json_str(&j, "b", b);
	rs_json_dbl(&j, "alpha", c->o->alpha);
	rs_json_dbl(&j, "min_diff", c->o->min_diff);
	rs_json_num(&j, "strict", c->o->strict ? "true" : "false");
	rs_json_u64(&j, "blocks_a", c->nba);
	rs_json_u64(&j, "blocks_b", c->nbb);
	rs_json_str(&j, "result", status ? "different" : "same");
	rs_json_begin(&j, "totals", '{');
	rs_json_u64(&j, "ops", c->nops);
	rs_json_u64(&j, "exact", c->nexact);
	rs_json_u64(&j, "fisher", c->nfisher);
	rs_json_u64(&j, "welch_blocks", c->nblocks);
	rs_json_u64(&j, "ops_differ", c->ops_differ);
	rs_json_u64(&j, "ops_spread_unknown", c->ops_unknown);
	rs_json_u64(&j, "ops_missing", c->ops_missing);
	if (l->check) {
		rs_json_u64(&j, "verdict_changes", c->verdict_changes);
		rs_json_u64(&j, "phases_missing", c->phases_missing);
		if (!c->seq_absent) {
			rs_json_u64(&j, "sequences", c->nseqs);
			rs_json_u64(&j, "sequences_differ", c->seq_differ);
			rs_json_u64(&j, "sequences_one_only", c->seq_only);
		}
	}
	rs_json_end(&j, '}');
	/* the cells: compare.csv's rows, typed by the schema table */
	m = open_memstream(&text, &len);
	if (!m) {
		rs_json_abort(&o);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	write_rows(c, m);
	err[0] = '\0';
	if (fclose(m) != 0 ||
	    rs_json_rows(&j, "cells", l->check ? RS_RF_CMP_CHECK : RS_RF_CMP_RUN,
			 text, len, err, errlen)) {
		free(text);
		rs_json_abort(&o);
		if (!*err)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	free(text);
	text = NULL;
	len = 0;
	if (l->check && !c->seq_absent) {
		m = open_memstream(&text, &len);
		if (!m) {
			rs_json_abort(&o);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		write_seq_rows(c, m);
		if (fclose(m) != 0 ||
		    rs_json_rows(&j, "sequences", RS_RF_CMP_SEQ, text, len,
				 err, errlen)) {
			free(text);
			rs_json_abort(&o);
			if (!*err)
				snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		free(text);
	}
	rs_json_end(&j, '}');
	fputc('\n', o.f);
	return rs_json_close(&o, err, errlen);
}

/* ------------------------------------------------------------ command */

/* ------------------------------------------------------- report sets */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *dir, const char *name)
{
	char path[4200];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether dir is a report (summary.csv or check.csv in it). */
static bool is_report(const char *dir)
{
	return is_file(dir, "summary.csv") || is_file(dir, "check.csv");
}

static int name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The subdirectories of dir that are reports, sorted; NULL-terminated in
 * *names (free each and the array). Returns their number or -errno. */
static int sub_reports(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	int n = 0;

	*names = NULL;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char sub[4200];
		char **p;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(sub) ||
		    !is_report(sub))
			continue;
		p = realloc(v, (size_t)(n + 2) * sizeof(*v));
		if (!p || !(p[n] = strdup(e->d_name))) {
			free(p ? p : v);
			closedir(d);
			return -ENOMEM;
		}
		v = p;
		v[++n] = NULL;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), name_cmp);
	*names = v;
	return n;
}

static void free_names(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/*
 * Two directories that are not reports but hold reports (the kernel
 * matrix's results/kernels/<release>/ with run/ and check/): the reports
 * of the same name compared pair by pair, a report in one only a
 * difference. --csv DIR writes DIR/NAME/compare.csv; --json is refused
 * (one document per comparison). The worst status wins.
 */
static int compare_sets(const char *a, const char *b,
			const struct rs_compare_opts *o, FILE *out, char *err,
			size_t errlen)
{
	char **na = NULL, **nb = NULL;
	int ka = sub_reports(a, &na), kb = sub_reports(b, &nb);
	int status = 0, i = 0, j = 0;
	char ea[RS_ESC_VALUE], eb[RS_ESC_VALUE];

	if (ka <= 0 || kb <= 0) {
		snprintf(err, errlen,
			 "%s: not a report: no summary.csv (rststorm run --csv) or check.csv (rststorm check --csv), nor subdirectories that are reports",
			 rs_esc(ea, sizeof(ea), ka <= 0 ? a : b));
		status = 2;
		goto out;
	}
	if (o->json_path) {
		snprintf(err, errlen,
			 "--json: not with directories of reports (%s, %s): compare their reports one pair at a time",
			 rs_esc(ea, sizeof(ea), a), rs_esc(eb, sizeof(eb), b));
		status = 2;
		goto out;
	}
	while (i < ka || j < kb) {
		int c = i == ka ? 1 : j == kb ? -1 : strcmp(na[i], nb[j]);
		char pa[4200], pb[4200], csv[4200];
		struct rs_compare_opts so = *o;
		int st;

		if (c) {
			fprintf(out, "== %s: only in %s\n\n",
				rs_esc(ea, sizeof(ea), c < 0 ? na[i] : nb[j]),
				c < 0 ? "A" : "B");
			status = status < 1 ? 1 : status;
			i += c < 0;
			j += c > 0;
			continue;
		}
		if (snprintf(pa, sizeof(pa), "%s/%s", a, na[i]) >=
			    (int)sizeof(pa) ||
		    snprintf(pb, sizeof(pb), "%s/%s", b, nb[j]) >=
			    (int)sizeof(pb) ||
		    (o->csv_dir &&
		     snprintf(csv, sizeof(csv), "%s/%s", o->csv_dir, na[i]) >=
			     (int)sizeof(csv))) {
			snprintf(err, errlen, "%s...: path too long",
				 rs_esc(ea, 64, a));
			status = 2;
			goto out;
		}
		if (o->csv_dir)
			so.csv_dir = csv;
		fprintf(out, "== %s\n", rs_esc(ea, sizeof(ea), na[i]));
		st = rs_compare_dirs(pa, pb, &so, out, err, errlen);
		if (st == 2) {
			status = 2;
			goto out;
		}
		fputc('\n', out);
		status = st > status ? st : status;
		i++;
		j++;
	}
	fprintf(out, "result of the %d report pairs: %s\n", ka > kb ? ka : kb,
		status ? "DIFFERENT" : "same within tolerance");
out:
	free_names(na);
	free_names(nb);
	return status;
}

int rs_compare_dirs(const char *a, const char *b,
		    const struct rs_compare_opts *o, FILE *out, char *err,
		    size_t errlen)
{
	struct rs_repdir A, B;
	struct cmp c;
	int status = 2;
	char *sink = NULL;
	size_t nsink = 0, ntested = 0;
	double *p = NULL, *adj = NULL;

	if (!is_report(a) && !is_report(b) && is_dir(a) && is_dir(b))
		return compare_sets(a, b, o, out, err, errlen);
	/* histograms are no judged cells: reports without them compare */
	if (rs_repdir_load_opt(&A, a, RS_RLOAD_NO_HISTOGRAMS, err, errlen))
		return 2;
	if (rs_repdir_load_opt(&B, b, RS_RLOAD_NO_HISTOGRAMS, err, errlen)) {
		rs_repdir_free(&A);
		return 2;
	}
	if (A.kind != B.kind) {
		snprintf(err, errlen,
			 "%s is a %s report, %s a %s report: compare two of the same kind",
			 a, rs_rkind_name(A.kind), b, rs_rkind_name(B.kind));
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.a = &A;
	c.b = &B;
	c.o = o;
	layout_init(&c.l, A.kind);
	c.nba = nblocks_of(&A, &c.l);
	c.nbb = nblocks_of(&B, &c.l);
	{
		unsigned nb = (c.nba > c.nbb ? c.nba : c.nbb) + 1;

		c.bk = calloc(nb, sizeof(*c.bk));
		c.bn = calloc(nb, sizeof(*c.bn));
		c.sha = calloc(nb, sizeof(*c.sha));
		c.shb = calloc(nb, sizeof(*c.shb));
	}
	/* pass 1, printing nothing: the block tests' p values, then Holm
	 * over all of them; pass 2 judges and prints with the adjusted p */
	c.out = open_memstream(&sink, &nsink);
	if (!c.bk || !c.bn || !c.sha || !c.shb || !c.out ||
	    compare_cells(&c))
		goto oom;
	fclose(c.out);
	c.out = NULL;
	if (!(p = calloc(c.ncells + 1, sizeof(*p))) ||
	    !(adj = calloc(c.ncells + 1, sizeof(*adj))))
		goto oom;
	for (size_t i = 0; i < c.ncells; i++)
		if (c.cells[i].test == TEST_BLOCKS)
			p[ntested++] = c.cells[i].p;
	if (rs_holm(p, ntested, adj))
		goto oom;
	for (size_t i = 0, k = 0; i < c.ncells; i++)
		p[i] = c.cells[i].test == TEST_BLOCKS ? adj[k++] : 1;
	c.adj = p;
	c.nadj = c.ncells;
	c.ncells = 0;
	c.nops = c.nexact = c.nfisher = c.nblocks = c.ops_differ = 0;
	c.ops_missing = c.ops_unknown = c.verdict_changes = 0;
	c.phases_missing = 0;
	c.shown_scenario = NULL;
	c.out = out;
	show_path(&c);
	if (compare_cells(&c) || (c.l.check && compare_sequences(&c)))
		goto oom;
	if (c.shown_scenario || c.o->all)
		fputc('\n', out);
	fprintf(out,
		"compare: %lu ops (%lu exact, %lu by the block test at alpha %g with Holm and min-diff %g points, %lu by Fisher's exact test%s): %lu differ, %lu in one report only",
		c.nops, c.nexact, c.nblocks, o->alpha, 100 * o->min_diff,
		c.nfisher, o->strict ? ", --strict" : ", not judged: spread unknown",
		c.ops_differ, c.ops_missing);
	if (c.l.check)
		fprintf(out, "; %lu verdict changes, %lu phases in one report only",
			c.verdict_changes, c.phases_missing);
	if (c.l.check && c.seq_absent)
		fprintf(out, "; sequences not compared (a report has no sequences.csv)");
	else if (c.l.check)
		fprintf(out, "; %zu whole-trial sequences in %lu phases: %lu differ by Fisher's exact test%s, %lu in one report only",
			c.nseqs, c.seq_phases, c.seq_differ,
			o->strict ? "" : " (not judged: spread unknown)",
			c.seq_only);
	/* a sequence's share has no blocks: judged under --strict only (a
	 * deterministic scenario's change shows in its exact cells) */
	status = c.ops_differ || c.ops_missing || c.verdict_changes ||
			 c.phases_missing || (o->strict && c.seq_differ) ?
			 1 :
			 0;
	if (c.ops_unknown)
		fprintf(out,
			"\nspread unknown: %lu ops differ by Fisher's exact test, which takes one run's trials as independent; runs of one configuration differ by more. Not judged: give both reports blocks (--repeat N, or merge runs) or use --strict",
			c.ops_unknown);
	fprintf(out, "\nresult: %s\n",
		status ? "DIFFERENT" : "same within tolerance");
	if (o->csv_dir && write_csv(&c, err, errlen))
		status = 2;
	else if (o->json_path && write_json(&c, a, b, status, err, errlen))
		status = 2;
	goto done;
oom:
	snprintf(err, errlen, "out of memory");
	status = 2;
done:
	if (c.out && c.out != out)
		fclose(c.out);
	free(sink);
	free(p);
	free(adj);
	free(c.bk);
	free(c.bn);
	free(c.sha);
	free(c.shb);
	free(c.cells);
	free(c.seqs);
out:
	rs_repdir_free(&A);
	rs_repdir_free(&B);
	return status;
}

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: rststorm compare A B [options]\n"
		"\n"
		"Compare two reports of the same kind (directories written by\n"
		"`rststorm run --csv` or `rststorm check --csv`), op by op and result by\n"
		"result. A check's cells judged exact differ when the results that occur\n"
		"differ. Every other share is measured: when both reports have replicate\n"
		"blocks (--repeat N, or merged runs) it differs when the shares are at\n"
		"least --min-diff apart and Welch's t test on the block shares, Holm-\n"
		"adjusted over all measured cells, is below --alpha. Without blocks the\n"
		"spread between runs is unknown: differences by Fisher's exact test are\n"
		"shown but fail only with --strict.\n"
		"Exit status: 0 same within tolerance, 1 something differs, 2 unreadable\n"
		"or mismatched input, or a usage error.\n"
		"\n"
		"options:\n"
		"  --alpha P     significance level of the test (default %g; 0 < P < 1)\n"
		"  --min-diff D  smallest difference of shares that can fail, in points\n"
		"                (default %g; 0..100)\n"
		"  --strict      without blocks, fail on Fisher's exact test (p < alpha)\n"
		"  --csv DIR     write the comparison, one row per cell, to DIR/compare.csv\n"
		"  --json FILE   the comparison as one JSON document; - for stdout (the\n"
		"                text then goes to stderr)\n"
		"  --all         print every op and verdict, not only those that differ\n"
		"  -h, --help    this text\n",
		RS_COMPARE_ALPHA, 100 * RS_COMPARE_MIN_DIFF);
}

int rs_cmd_compare(int argc, char **argv)
{
	enum { O_ALPHA = 256, O_CSV, O_ALL, O_JSON, O_MIN_DIFF, O_STRICT };
	static const struct option longopts[] = {
		{ "alpha", 1, NULL, O_ALPHA },
		{ "min-diff", 1, NULL, O_MIN_DIFF },
		{ "strict", 0, NULL, O_STRICT },
		{ "csv", 1, NULL, O_CSV },
		{ "json", 1, NULL, O_JSON },
		{ "all", 0, NULL, O_ALL },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rs_compare_opts o = { .alpha = RS_COMPARE_ALPHA,
				     .min_diff = RS_COMPARE_MIN_DIFF };
	char err[1024], ev[RS_ESC_VALUE];
	int c, st;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_ALPHA: {
			char *end;
			double v;

			errno = 0;
			v = strtod(optarg, &end);
			/* decimal digits and one point only: strtod would
			 * also take hex (0x1p-4), exponents and inf */
			if (!*optarg || *end || errno || !(v > 0 && v < 1) ||
			    optarg[strspn(optarg, "0123456789.")]) {
				fprintf(stderr,
					"rststorm compare: --alpha '%s': a probability between 0 and 1, both excluded, in decimal (e.g. 0.01)\n",
					rs_esc(ev, sizeof(ev), optarg));
				return 2;
			}
			o.alpha = v;
			break;
		}
		case O_MIN_DIFF: {
			char *end;
			double v;

			errno = 0;
			v = strtod(optarg, &end);
			if (!*optarg || *end || errno || !(v >= 0 && v <= 100) ||
			    optarg[strspn(optarg, "0123456789.")]) {
				fprintf(stderr,
					"rststorm compare: --min-diff '%s': percentage points from 0 to 100 in decimal (e.g. 5 or 2.5)\n",
					rs_esc(ev, sizeof(ev), optarg));
				return 2;
			}
			o.min_diff = v / 100;
			break;
		}
		case O_STRICT:
			o.strict = true;
			break;
		case O_CSV:
			if (!*optarg) {
				fprintf(stderr,
					"rststorm compare: --csv '': a directory name\n");
				return 2;
			}
			o.csv_dir = optarg;
			break;
		case O_JSON:
			if (!*optarg) {
				fprintf(stderr,
					"rststorm compare: --json '': a file path, or - for standard output\n");
				return 2;
			}
			o.json_path = optarg;
			break;
		case O_ALL:
			o.all = true;
			break;
		case 'h':
			compare_usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "rststorm compare: %s: needs a value\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		default:
			fprintf(stderr,
				"rststorm compare: '%s': unknown option (rststorm compare --help lists them)\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr,
			"rststorm compare: needs two report directories A B, got %d (rststorm compare --help)\n",
			argc - optind);
		return 2;
	}
	if (o.json_path) {
		if (rs_json_prepare(o.json_path, err, sizeof(err))) {
			fprintf(stderr, "rststorm compare: %s\n", err);
			return 2;
		}
		if (strcmp(o.json_path, "-") == 0 && rs_json_claim_stdout()) {
			fprintf(stderr,
				"rststorm compare: --json -: cannot set standard output aside: %s\n",
				strerror(errno));
			return 2;
		}
	}
	fflush(stdout);
	st = rs_compare_dirs(argv[optind], argv[optind + 1], &o, stdout, err,
			     sizeof(err));
	if (st == 2) {
		fflush(stdout);
		fprintf(stderr, "rststorm compare: %s\n", err);
	}
	return st;
}
