/* `rststorm compare A B`: two reports of the same kind aligned by key.
 * Cells judged exact differ when the set of results differs; every other
 * cell (measured cells of a check, all cells of a run) differs when
 * Fisher's exact test puts its two shares apart at the chosen alpha.
 * Verdict changes, ops and phases found in one report only, and the
 * probe path and configuration of each side are shown too. */
#include "compare.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* ----------------------------------------------------------- layout */

enum test { TEST_EXACT, TEST_FISHER, TEST_MISSING };
static const char *const test_name[] = { "exact", "fisher", "missing" };

/* Where the cells of a kind are, and which columns make their key. */
struct layout {
	enum rs_rfile f;        /* cells.csv or outcomes.csv */
	enum rs_rfile head;     /* check.csv or summary.csv */
	unsigned key[8], nkey;  /* group columns, then the result */
	unsigned ngroup;
	unsigned scenario, result, count, judged, expected, phase, op, kind,
		mode;
	bool check;
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
}

/* One result of one op, as the two reports have it. */
struct ccell {
	char **ra, **rb;    /* the rows, NULL where a report has none */
	uint64_t ca, ta, cb, tb;
	enum test test;
	double p;           /* Fisher only */
	bool differs;
};

struct cmp {
	const struct rs_repdir *a, *b;
	const struct rs_compare_opts *o;
	struct layout l;
	FILE *out;
	struct ccell *cells;
	size_t ncells, cap;
	/* tallies */
	unsigned long nops, nexact, nfisher, ops_differ, ops_missing,
		verdict_changes, phases_missing;
	const char *shown_scenario;  /* header printed for this one */
};

static int push(struct cmp *c, const struct ccell *x)
{
	if (c->ncells == c->cap) {
		size_t n = c->cap ? 2 * c->cap : 256;
		struct ccell *p = realloc(c->cells, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->cells = p;
		c->cap = n;
	}
	c->cells[c->ncells++] = *x;
	return 0;
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

/* Compare one op (a group of cells with the same key but the result):
 * rows [a0, a1) of A and [b0, b1) of B, either range possibly empty. */
static int compare_group(struct cmp *c, char ***ra, size_t a0, size_t a1,
			 char ***rb, size_t b0, size_t b1)
{
	const struct layout *l = &c->l;
	uint64_t ta = 0, tb = 0;
	bool exact = l->check, differs = false;
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
	test = !ta || !tb ? TEST_MISSING : exact ? TEST_EXACT : TEST_FISHER;
	c->nops++;
	if (test == TEST_EXACT)
		c->nexact++;
	else if (test == TEST_FISHER)
		c->nfisher++;

	/* the results of the op, both sides, in result order */
	for (i = a0, j = b0; i < a1 || j < b1;) {
		struct ccell x = { .ta = ta, .tb = tb, .test = test, .p = 1 };
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
		switch (test) {
		case TEST_MISSING:
			x.differs = true;
			break;
		case TEST_EXACT:
			x.differs = !x.ca != !x.cb;
			break;
		case TEST_FISHER:
			x.p = rs_fisher_p(x.ca, ta, x.cb, tb);
			x.differs = x.p < c->o->alpha;
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
	if (!differs && !c->o->all)
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
	else
		fprintf(c->out, " (%s, Fisher's exact test): %s\n",
			l->check ? "measured" : "share",
			differs ? "shares differ" : "same within alpha");
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
		rs_row_set(&w, "count_a", "%" PRIu64, x->ca);
		rs_row_set(&w, "total_a", "%" PRIu64, x->ta);
		rs_row_set(&w, "share_a", "%.6f", pct(x->ca, x->ta) / 100);
		rs_row_set(&w, "count_b", "%" PRIu64, x->cb);
		rs_row_set(&w, "total_b", "%" PRIu64, x->tb);
		rs_row_set(&w, "share_b", "%.6f", pct(x->cb, x->tb) / 100);
		rs_row_set(&w, "test", "%s", test_name[x->test]);
		if (x->test == TEST_FISHER)
			rs_row_set(&w, "p_value", "%.6g", x->p);
		else
			rs_row_set(&w, "p_value", "-");
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
	rs_json_str(&j, "result", status ? "different" : "same");
	rs_json_begin(&j, "totals", '{');
	rs_json_u64(&j, "ops", c->nops);
	rs_json_u64(&j, "exact", c->nexact);
	rs_json_u64(&j, "fisher", c->nfisher);
	rs_json_u64(&j, "ops_differ", c->ops_differ);
	rs_json_u64(&j, "ops_missing", c->ops_missing);
	if (l->check) {
		rs_json_u64(&j, "verdict_changes", c->verdict_changes);
		rs_json_u64(&j, "phases_missing", c->phases_missing);
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
	rs_json_end(&j, '}');
	fputc('\n', o.f);
	return rs_json_close(&o, err, errlen);
}

/* ------------------------------------------------------------ command */

int rs_compare_dirs(const char *a, const char *b,
		    const struct rs_compare_opts *o, FILE *out, char *err,
		    size_t errlen)
{
	struct rs_repdir A, B;
	struct cmp c;
	int status = 2;

	if (rs_repdir_load(&A, a, err, errlen))
		return 2;
	if (rs_repdir_load(&B, b, err, errlen)) {
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
	c.out = out;
	layout_init(&c.l, A.kind);
	show_path(&c);
	if (compare_cells(&c)) {
		snprintf(err, errlen, "out of memory");
		free(c.cells);
		goto out;
	}
	if (c.shown_scenario || c.o->all)
		fputc('\n', out);
	fprintf(out,
		"compare: %lu ops (%lu exact, %lu by Fisher's exact test at alpha %g): %lu differ, %lu in one report only",
		c.nops, c.nexact, c.nfisher, o->alpha, c.ops_differ,
		c.ops_missing);
	if (c.l.check)
		fprintf(out, "; %lu verdict changes, %lu phases in one report only",
			c.verdict_changes, c.phases_missing);
	status = c.ops_differ || c.ops_missing || c.verdict_changes ||
			 c.phases_missing ?
			 1 :
			 0;
	fprintf(out, "\nresult: %s\n",
		status ? "DIFFERENT" : "same within tolerance");
	if (o->csv_dir && write_csv(&c, err, errlen))
		status = 2;
	else if (o->json_path && write_json(&c, a, b, status, err, errlen))
		status = 2;
	free(c.cells);
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
		"differ; every other share is compared with Fisher's exact test.\n"
		"Exit status: 0 same within tolerance, 1 something differs, 2 unreadable\n"
		"or mismatched input.\n"
		"\n"
		"options:\n"
		"  --alpha P     significance level of the test (default %g; 0 < P < 1)\n"
		"  --csv DIR     write the comparison, one row per cell, to DIR/compare.csv\n"
		"  --json FILE   the comparison as one JSON document; - for stdout (the\n"
		"                text then goes to stderr)\n"
		"  --all         print every op and verdict, not only those that differ\n"
		"  -h, --help    this text\n",
		RS_COMPARE_ALPHA);
}

int rs_cmd_compare(int argc, char **argv)
{
	enum { O_ALPHA = 256, O_CSV, O_ALL, O_JSON };
	static const struct option longopts[] = {
		{ "alpha", 1, NULL, O_ALPHA },
		{ "csv", 1, NULL, O_CSV },
		{ "json", 1, NULL, O_JSON },
		{ "all", 0, NULL, O_ALL },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rs_compare_opts o = { .alpha = RS_COMPARE_ALPHA };
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
