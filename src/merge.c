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
#include "repdir.h"
#include "report.h"
#include "util.h"

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
	const struct mrows *hist, *fail, *cells;
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

static void put_fix3(FILE *f, uint64_t v)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64, v / 1000, v % 1000);
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

static void field(FILE *f, const char *s, bool last)
{
	rs_csv_field(f, s);
	fputc(last ? '\n' : ',', f);
}

/* ------------------------------------------------------ histograms */

/* The histogram (histogram name, mode, op) of merged histogram rows, as
 * struct rs_histo: min and max are the bounds of the outer buckets, the
 * exact ones not being in the report. */
static void histo_of(const struct mrows *h, const char *name,
		     const char *mode, const char *op, struct rs_histo *out)
{
	unsigned ch = rs_rcol(RS_RF_HISTOGRAMS, "histogram");
	unsigned cm = rs_rcol(RS_RF_HISTOGRAMS, "close_mode");
	unsigned co = rs_rcol(RS_RF_HISTOGRAMS, "op_index");
	unsigned cl = rs_rcol(RS_RF_HISTOGRAMS, "bucket_lo_ns");
	unsigned first = RS_HISTO_NBUCKETS, last = 0;

	rs_histo_reset(out);
	for (size_t i = 0; i < h->n; i++) {
		char **r = h->r[i].row;
		unsigned b;

		if (strcmp(r[ch], name) || (mode && strcmp(r[cm], mode)) ||
		    (op && strcmp(r[co], op)))
			continue;
		b = rs_histo_bucket_of(rs_rfield_u64(r[cl]));
		out->bucket[b] += h->r[i].count;
		out->count += h->r[i].count;
		if (b < first)
			first = b;
		if (b > last)
			last = b;
	}
	if (out->count) {
		out->min = rs_histo_bucket_lo(first);
		out->max = rs_histo_bucket_hi(last);
	}
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

static int write_summary(struct wctx *w, FILE *f)
{
	struct merge *m = w->m;
	const struct mrows *hist = w->hist;
	/* how each column of summary.csv is merged */
	enum rule { SAME, MIXED, EARLIEST, SUM, FIX3, SUM0, FIX30, SEED, MAX,
		    AND, RATE_C, RATE_O, PCT };
	static const struct {
		const char *col;
		enum rule r;
	} rules[] = {
		{ "schema_version", SAME }, { "tool_version", SAME },
		{ "scenario", SAME }, { "engine", MIXED },
		{ "started_utc", EARLIEST }, { "kernel_release", MIXED },
		{ "machine", MIXED }, { "liburing_version", MIXED },
		{ "ring_flags", MIXED }, { "client_sockets", MIXED },
		{ "accept", MIXED }, { "concurrency", SUM },
		{ "duration_s", FIX30 }, { "connections_limit", SUM0 },
		{ "client_threads", SUM }, { "server_threads", SUM },
		{ "ports", SUM }, { "close_mix", SAME }, { "ops", SAME },
		{ "wait", SAME }, { "op_gap_s", SAME }, { "seed", SEED },
		{ "timeout_s", SAME }, { "elapsed_s", FIX3 },
		{ "interrupted", MAX }, { "books_balanced", AND },
		{ "conns_started", SUM }, { "conns_completed", SUM },
		{ "conns_failed", SUM }, { "conns_abandoned", SUM },
		{ "ops_completed", SUM }, { "conns_per_s", RATE_C },
		{ "ops_per_s", RATE_O }, { "connect_p50_us", PCT },
		{ "connect_p99_us", PCT }, { "op_p50_us", PCT },
		{ "op_p99_us", PCT }, { "client_user_s", FIX3 },
		{ "client_sys_s", FIX3 }, { "server_user_s", FIX3 },
		{ "server_sys_s", FIX3 }, { "process_user_s", FIX3 },
		{ "process_sys_s", FIX3 }, { "srv_accepted", SUM },
		{ "srv_closed_fin", SUM }, { "srv_closed_rst", SUM },
		{ "srv_closed_unread", SUM }, { "srv_closed_shutdown", SUM },
		{ "srv_open_at_stop", SUM }, { "srv_no_slot", SUM },
		{ "srv_bad_hello", SUM }, { "srv_early_eof", SUM },
		{ "srv_unread_empty", SUM }, { "srv_accept_errors", SUM },
		{ "close_errors", SUM }, { "cq_overflow", SUM },
		{ "stray_cqes", SUM }, { "family", MIXED },
		{ "clock", MIXED }, { "target", MIXED },
		/* the link is configuration that must be equal (runs over
		 * other links measure other round trips: merge_run refuses
		 * them); the round trips measured are the largest of the
		 * inputs, the packets lost and dropped their sum */
		{ "link", SAME }, { "link_rtt_asked_us", SAME },
		{ "link_rtt_min_us", MAX }, { "link_rtt_srtt_us", MAX },
		{ "link_lost", SUM }, { "link_dropped", SUM },
	};
	const enum rs_rfile S = RS_RF_SUMMARY;
	char **rows[m->n];
	struct rs_histo *conn = malloc(sizeof(*conn));
	struct rs_histo *op = malloc(sizeof(*op));
	uint64_t elapsed = 0, completed = 0, nops = 0;
	int ret = 0;

	_Static_assert(sizeof(rules) / sizeof(rules[0]) == 66,
		       "one rule per summary.csv column");
	if (!conn || !op) {
		ret = -ENOMEM;
		goto out;
	}
	heads(m, S, rows);
	histo_of(hist, "connect_ns", NULL, NULL, conn);
	histo_of(hist, "op_ns", NULL, NULL, op);
	if ((ret = sum_fixed(m, rows, S, "elapsed_s", 3, &elapsed)) ||
	    (ret = sum_u64(m, rows, S, "conns_completed", &completed)) ||
	    (ret = sum_u64(m, rows, S, "ops_completed", &nops)))
		goto out;
	rs_rfile_header(S, f);
	for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
		const char *col = rules[k].col;
		unsigned c = rs_rcol(S, col);
		bool last = k + 1 == sizeof(rules) / sizeof(rules[0]);
		uint64_t v = 0;
		double el = (double)elapsed / 1000.0;

		switch (rules[k].r) {
		case SAME:
			field(f, rows[0][c], last);
			break;
		case MIXED:
			field(f, common(m, rows, S, col), last);
			break;
		case EARLIEST:
			field(f, earliest(m, rows, S), last);
			break;
		case SUM:
			if ((ret = sum_u64(m, rows, S, col, &v)))
				goto out;
			fprintf(f, "%" PRIu64 "%c", v, last ? '\n' : ',');
			break;
		case SUM0:
			/* 0 is "no limit": one input without makes none */
			for (unsigned i = 0; i < m->n; i++)
				if (!rs_rfield_u64(rows[i][c]))
					goto zero;
			if ((ret = sum_u64(m, rows, S, col, &v)))
				goto out;
		zero:
			fprintf(f, "%" PRIu64 "%c", v, last ? '\n' : ',');
			break;
		case FIX3:
		case FIX30:
			if (rules[k].r == FIX30)
				for (unsigned i = 0; i < m->n; i++)
					if (!rs_rfield_fixed(rows[i][c], 3))
						goto zero3;
			if ((ret = sum_fixed(m, rows, S, col, 3, &v)))
				goto out;
		zero3:
			put_fix3(f, v);
			fputc(last ? '\n' : ',', f);
			break;
		case SEED:
			/* one seed if all are the same, else 0 */
			v = rs_rfield_u64(rows[0][c]);
			for (unsigned i = 1; i < m->n; i++)
				if (rs_rfield_u64(rows[i][c]) != v)
					v = 0;
			fprintf(f, "%" PRIu64 ",", v);
			break;
		case MAX:
			for (unsigned i = 0; i < m->n; i++)
				if (rs_rfield_u64(rows[i][c]) > v)
					v = rs_rfield_u64(rows[i][c]);
			fprintf(f, "%" PRIu64 ",", v);
			break;
		case AND:
			v = 1;
			for (unsigned i = 0; i < m->n; i++)
				v &= rs_rfield_u64(rows[i][c]);
			fprintf(f, "%" PRIu64 ",", v);
			break;
		case RATE_C:
		case RATE_O:
			fprintf(f, "%.1f,",
				el > 0 ? (double)(rules[k].r == RATE_C ?
							  completed :
							  nops) /
						 el :
					 0);
			break;
		case PCT:
			fprintf(f, "%.3f,",
				p_us(strncmp(col, "connect", 7) ? op : conn,
				     strstr(col, "p50") ? 50 : 99));
			break;
		}
	}
out:
	free(conn);
	free(op);
	return ret;
}

static int write_outcomes(struct wctx *w, FILE *f)
{
	struct merge *m = w->m;
	const enum rs_rfile O = RS_RF_OUTCOMES;
	struct mrows v = { 0 };
	unsigned gk[RS_RKEY_MAX];
	int ret = merged_counts(m, O, &v);

	rs_rfile_key(O, gk);
	if (ret)
		goto out;
	rs_rfile_header(O, f);
	for (size_t i = 0; i < v.n;) {
		uint64_t total = 0;
		size_t g = i;

		/* (scenario, closer, close_mode, op_index): the first four
		 * key columns */
		while (g < v.n &&
		       !rs_rrow_cmp(O, v.r[g].row, v.r[i].row, gk, 4))
			total += v.r[g++].count;
		for (; i < g; i++) {
			char **r = v.r[i].row;

			fprintf(f, "%d,", RS_CSV_SCHEMA);
			for (unsigned c = 1; c < 7; c++)
				field(f, r[c], false);
			fprintf(f, "%" PRIu64 ",%.6f\n", v.r[i].count,
				total ? (double)v.r[i].count / (double)total :
					0.0);
		}
	}
out:
	free(v.r);
	return ret;
}

static int write_ops(struct wctx *wc, FILE *f)
{
	struct merge *m = wc->m;
	const struct mrows *hist = wc->hist;
	const enum rs_rfile P = RS_RF_OPS;
	static const char *const sums[] = { "issued", "counted", "abandoned",
					    "before_close" };
	struct walk *w = walk_new(m, P);
	struct rs_histo *op = malloc(sizeof(*op)), *sc = malloc(sizeof(*sc));
	char **rows[m->n];
	unsigned cm = rs_rcol(P, "close_mode"), co = rs_rcol(P, "op_index");
	int ret = 0;

	if (!w || !op || !sc) {
		ret = -ENOMEM;
		goto out;
	}
	rs_rfile_header(P, f);
	while (walk_next(w, rows)) {
		char **r = first_of(rows, m->n);

		fprintf(f, "%d,", RS_CSV_SCHEMA);
		for (unsigned c = 1; c < 6; c++)
			field(f, r[c], false);
		for (unsigned k = 0; k < 4; k++) {
			uint64_t s;

			if ((ret = sum_u64(m, rows, P, sums[k], &s)))
				goto out;
			fprintf(f, "%" PRIu64 ",", s);
		}
		histo_of(hist, "op_ns", r[cm], r[co], op);
		histo_of(hist, "since_close_ns", r[cm], r[co], sc);
		fprintf(f, "%.3f,%.3f,%.3f,%.3f\n", p_us(op, 50), p_us(op, 99),
			p_us(sc, 50), p_us(sc, 99));
	}
out:
	free(w);
	free(op);
	free(sc);
	return ret;
}

/* failures.csv and histograms.csv: every column but the count is key or
 * follows from the key. */
static int write_counts(enum rs_rfile file, const struct mrows *v, FILE *f)
{
	unsigned n = rs_rfile_ncols(file);

	rs_rfile_header(file, f);
	for (size_t i = 0; i < v->n; i++) {
		fprintf(f, "%d,", RS_CSV_SCHEMA);
		for (unsigned c = 1; c + 1 < n; c++)
			field(f, v->r[i].row[c], false);
		fprintf(f, "%" PRIu64 "\n", v->r[i].count);
	}
	return 0;
}

static int add_i64(int64_t *s, int64_t v)
{
	return __builtin_add_overflow(*s, v, s) ? -EOVERFLOW : 0;
}

static int write_failures(struct wctx *w, FILE *f)
{
	return write_counts(RS_RF_FAILURES, w->fail, f);
}

static int write_histograms(struct wctx *w, FILE *f)
{
	return write_counts(RS_RF_HISTOGRAMS, w->hist, f);
}

static int write_run_mib(struct wctx *wc, FILE *f)
{
	struct merge *m = wc->m;
	const enum rs_rfile M = RS_RF_RUN_MIB;
	struct walk *w = walk_new(m, M);
	char **rows[m->n];

	if (!w)
		return -ENOMEM;
	rs_rfile_header(M, f);
	while (walk_next(w, rows)) {
		char **r = first_of(rows, m->n);
		int64_t s[3] = { 0, 0, 0 };
		bool all = true;

		for (unsigned i = 0; i < m->n; i++)
			all = all && rows[i];
		if (!all)
			continue; /* a counter some kernel does not have */
		for (unsigned i = 0; i < m->n; i++)
			for (unsigned k = 0; k < 3; k++)
				if (add_i64(&s[k],
					    rs_rfield_i64(rows[i][4 + k]))) {
					free(w);
					return refuse(m,
						      "%s/mib.csv: %s: the sum overflows 64 bits",
						      m->d[i].dir, r[3]);
				}
		fprintf(f, "%d,", RS_CSV_SCHEMA);
		field(f, r[1], false);
		field(f, common(m, rows, M, "scope"), false);
		field(f, r[3], false);
		fprintf(f, "%" PRId64 ",%" PRId64 ",%" PRId64 "\n", s[0], s[1],
			s[2]);
	}
	free(w);
	return 0;
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

static int verdict_rank(const char *v)
{
	return strcmp(v, "PASS") == 0 ? 0 : strcmp(v, "MEASURED") == 0 ? 1 : 2;
}

static const char *const verdict_name[] = { "PASS", "MEASURED", "DIFF" };

/* Whether result is one of "a" or "a|b". */
static bool in_expected(const char *expected, const char *result)
{
	size_t n = strlen(result);

	for (const char *p = expected; p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, result, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

/*
 * The verdict of a merged phase, judged as check.c judges one: DIFF when
 * fewer trials ran than were asked for, a trial could not be set up, an
 * exact cell holds a result not expected, or SIGPIPE breaks its rule;
 * else MEASURED when a cell or the SIGPIPE rule is measured; else PASS.
 * A verdict is never better than an input's: a DIFF the sums hide (a
 * SIGPIPE rule the sum meets but one input did not) stays a DIFF.
 */
static void judge(struct mphase *p, const struct mrows *cells)
{
	const enum rs_rfile C = RS_RF_CELLS;
	unsigned cj = rs_rcol(C, "judged"), ce = rs_rcol(C, "expected");
	unsigned cr = rs_rcol(C, "result"), co = rs_rcol(C, "op_index");
	unsigned ck = rs_rcol(C, "op_kind");
	bool diff = false, measured = false;

	p->detail[0] = '\0';
	if (p->trials + p->setup_failed < p->want) {
		diff = true;
		rs_append(p->detail, sizeof(p->detail),
		       "only %" PRIu64 " of %" PRIu64 " trials ran; ",
		       p->trials + p->setup_failed, p->want);
	}
	if (p->setup_failed) {
		diff = true;
		rs_append(p->detail, sizeof(p->detail),
		       "%" PRIu64 " trials could not be set up; ",
		       p->setup_failed);
	}
	for (size_t i = p->c0; i < p->c1; i++) {
		char **r = cells->r[i].row;

		if (strcmp(r[cj], "exact") != 0) {
			measured = true;
			continue;
		}
		if (in_expected(r[ce], r[cr]))
			continue;
		diff = true;
		rs_append(p->detail, sizeof(p->detail),
		       "op %s %s: expected %s, got %s %" PRIu64 "/%" PRIu64 "; ",
		       r[co], r[ck], r[ce], r[cr], cells->r[i].count,
		       p->trials);
	}
	if (strcmp(p->rule, "measured") == 0) {
		measured = true;
	} else if (strcmp(p->rule, "1..per-EPIPE") == 0) {
		bool ok = p->epipe ? p->sigpipe >= 1 && p->sigpipe <= p->epipe :
				     p->sigpipe == 0;

		if (!ok) {
			diff = true;
			rs_append(p->detail, sizeof(p->detail),
			       "SIGPIPE delivered %" PRIu64 " times for %" PRIu64
			       " EPIPE writes, expected 1..%" PRIu64 "; ",
			       p->sigpipe, p->epipe, p->epipe);
		}
	} else if (strcmp(p->rule, "none") == 0 ||
		   strcmp(p->rule, "per-EPIPE") == 0) {
		uint64_t want = strcmp(p->rule, "none") == 0 ? 0 : p->epipe;

		if (p->sigpipe != want) {
			diff = true;
			rs_append(p->detail, sizeof(p->detail),
			       "SIGPIPE delivered %" PRIu64
			       " times, expected %" PRIu64 " (%s); ",
			       p->sigpipe, want, p->rule);
		}
	}
	/* "mixed" (kernels that expect different SIGPIPE rules): each input
	 * was judged by its own rule, and its verdict is kept below */
	p->verdict = diff ? 2 : measured ? 1 : 0;
	if (p->worst_input == 2 && !diff)
		rs_append(p->detail, sizeof(p->detail),
		       "DIFF in an input report that the sums do not show; ");
	if (p->worst_input > p->verdict)
		p->verdict = p->worst_input;
}

static int merge_phases(struct merge *m, struct mphase **out, size_t *nout)
{
	const enum rs_rfile V = RS_RF_VERDICTS;
	static const char *const same[] = { "closer", "close_mode", "wait",
					    "path", "load_c" };
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

		for (unsigned k = 0; k < 5; k++)
			if ((ret = must_match(m, rows, V, same[k], 0,
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
			v = verdict_rank(rows[i][cv]);
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
	static const char *const same[] = { "closer", "close_mode", "op_kind",
					    "expected", "judged" };
	struct walk *w = walk_new(m, C);
	char **rows[m->n];
	int ret = 0;

	if (!w)
		return -ENOMEM;
	while (!ret && walk_next(w, rows)) {
		uint64_t s;

		for (unsigned k = 0; k < 5 && !ret; k++)
			ret = must_match(m, rows, C, same[k], 0,
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
static void judge_all(struct mphase *ph, size_t nph, const struct mrows *cells)
{
	unsigned cs = rs_rcol(RS_RF_CELLS, "scenario");
	unsigned cp = rs_rcol(RS_RF_CELLS, "phase");
	unsigned vs = rs_rcol(RS_RF_VERDICTS, "scenario");
	unsigned vp = rs_rcol(RS_RF_VERDICTS, "phase");
	size_t c = 0;

	for (size_t i = 0; i < nph; i++) {
		char **r = ph[i].row;

		/* cells belong to a verdicts row (checked on reading) */
		while (c < cells->n && (strcmp(cells->r[c].row[cs], r[vs]) ||
					strcmp(cells->r[c].row[cp], r[vp])))
			c++;
		ph[i].c0 = c;
		while (c < cells->n && !strcmp(cells->r[c].row[cs], r[vs]) &&
		       !strcmp(cells->r[c].row[cp], r[vp]))
			c++;
		ph[i].c1 = c;
		judge(&ph[i], cells);
	}
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

static int write_check_head(struct wctx *w, FILE *f)
{
	const enum rs_rfile H = RS_RF_CHECK;
	static const char *const keep[] = { "load_c", "parallel", "gap_s",
					    "timeout_s", "closer" };
	struct merge *m = w->m;
	char **rows[m->n];
	unsigned counts[3] = { 0, 0, 0 }, scenarios = 0, netns = 1;
	unsigned cv = rs_rcol(RS_RF_VERDICTS, "scenario");
	uint64_t trials, status = 0;
	int ret;

	heads(m, H, rows);
	if ((ret = sum_u64(m, rows, H, "trials", &trials)))
		return ret;
	for (size_t i = 0; i < w->nph; i++) {
		counts[w->ph[i].verdict]++;
		if (!i || strcmp(w->ph[i].row[cv], w->ph[i - 1].row[cv]))
			scenarios++;
	}
	w->mismatches = 0;
	for (size_t i = 0; i < w->nmib; i++)
		w->mismatches += strcmp(w->mib[i].status, "MISMATCH") == 0;
	for (unsigned i = 0; i < m->n; i++) {
		uint64_t s = rs_rfield_u64(rows[i][rs_rcol(H, "exit_status")]);

		if (s > status)
			status = s;
		netns &= (unsigned)rs_rfield_u64(rows[i][rs_rcol(H, "netns")]);
	}
	if ((counts[2] || w->mismatches) && status < 1)
		status = 1;
	rs_rfile_header(H, f);
	fprintf(f, "%d,", RS_CSV_SCHEMA);
	field(f, rows[0][rs_rcol(H, "tool_version")], false);
	field(f, earliest(m, rows, H), false);
	field(f, common(m, rows, H, "kernel_release"), false);
	field(f, common(m, rows, H, "machine"), false);
	field(f, common(m, rows, H, "liburing_version"), false);
	field(f, common(m, rows, H, "ring_flags"), false);
	field(f, common(m, rows, H, "client_sockets"), false);
	field(f, common(m, rows, H, "accept"), false);
	fprintf(f, "%" PRIu64 ",", trials);
	for (unsigned k = 0; k < 5; k++)
		field(f, rows[0][rs_rcol(H, keep[k])], false);
	fprintf(f, "%u,%u,%u,%u,%u,%u,%" PRIu64 ",", netns, scenarios,
		counts[0], counts[1], counts[2], w->mismatches, status);
	field(f, common(m, rows, H, "family"), true);
	return 0;
}

static int write_verdicts(struct wctx *w, FILE *f)
{
	rs_rfile_header(RS_RF_VERDICTS, f);
	for (size_t i = 0; i < w->nph; i++) {
		const struct mphase *p = &w->ph[i];

		fprintf(f, "%d,", RS_CSV_SCHEMA);
		/* scenario, phase, closer, close_mode, wait, path, load_c */
		for (unsigned k = 1; k < 8; k++)
			field(f, p->row[k], false);
		fprintf(f, "%" PRIu64 ",%" PRIu64 ",%s,%" PRIu64 ",", p->trials,
			p->setup_failed, verdict_name[p->verdict], p->sigpipe);
		field(f, p->rule, false);
		fprintf(f, "%" PRIu64 ",%" PRIu64 ",", p->epipe, p->load_conns);
		put_fix3(f, p->elapsed);
		fputc(',', f);
		field(f, p->detail[0] ? p->detail : "-", true);
	}
	return 0;
}

static int write_cells(struct wctx *w, FILE *f)
{
	const enum rs_rfile C = RS_RF_CELLS;
	unsigned ce = rs_rcol(C, "expected"), cj = rs_rcol(C, "judged");

	rs_rfile_header(C, f);
	for (size_t i = 0; i < w->nph; i++) {
		const struct mphase *p = &w->ph[i];

		for (size_t k = p->c0; k < p->c1; k++) {
			char **x = w->cells->r[k].row;
			uint64_t n = w->cells->r[k].count;
			double lo, hi;

			rs_wilson95(n, p->trials, &lo, &hi);
			fprintf(f, "%d,", RS_CSV_SCHEMA);
			/* scenario .. result */
			for (unsigned col = 1; col < 8; col++)
				field(f, x[col], false);
			fprintf(f, "%" PRIu64 ",%.6f,", n,
				p->trials ? (double)n / (double)p->trials :
					    0.0);
			field(f, x[ce], false);
			field(f, x[cj], false);
			fprintf(f, "%.6f,%.6f\n", lo, hi);
		}
	}
	return 0;
}

static int write_check_mib(struct wctx *w, FILE *f)
{
	rs_rfile_header(RS_RF_CHECK_MIB, f);
	for (size_t i = 0; i < w->nmib; i++) {
		const struct mmib *x = &w->mib[i];

		fprintf(f, "%d,", RS_CSV_SCHEMA);
		field(f, x->row[1], false);
		field(f, x->row[2], false);
		field(f, x->scope, false);
		field(f, x->row[4], false);
		fprintf(f, "%" PRId64 ",%" PRIu64 ",", x->delta, x->lo);
		if (x->inf)
			fputs("inf,", f);
		else
			fprintf(f, "%" PRIu64 ",", x->hi);
		field(f, x->status, true);
	}
	return 0;
}

/* ---------------------------------------------------------- writing */

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
	static const struct {
		const char *col;
		unsigned dec;
	} same[] = { { "tool_version", 0 }, { "scenario", 0 },
		     { "ops", 0 },	    { "close_mix", 0 },
		     { "wait", 0 },	    { "op_gap_s", 6 },
		     { "timeout_s", 3 }, { "link", 0 },
		     { "link_rtt_asked_us", 0 } };
	static const struct outfile files[] = {
		{ "summary.csv", write_summary },
		{ "outcomes.csv", write_outcomes },
		{ "ops.csv", write_ops },
		{ "failures.csv", write_failures },
		{ "histograms.csv", write_histograms },
		{ "mib.csv", write_run_mib },
	};
	char **rows[m->n];
	struct mrows hist = { 0 }, fail = { 0 };
	struct wctx c = { .m = m, .hist = &hist, .fail = &fail };
	size_t nfiles = sizeof(files) / sizeof(files[0]);
	bool mib = true;
	char path[4200];
	int st = 0;

	heads(m, S, rows);
	for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++)
		if (must_match(m, rows, S, same[k].col, same[k].dec,
			       "runs with different settings do not add up"))
			return 2;
	st = merged_counts(m, RS_RF_HISTOGRAMS, &hist);
	if (!st)
		st = merged_counts(m, RS_RF_FAILURES, &fail);
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
	free(fail.r);
	return st;
}

static int merge_check(struct merge *m)
{
	const enum rs_rfile H = RS_RF_CHECK;
	static const struct {
		const char *col;
		unsigned dec;
		const char *why;
	} same[] = {
		{ "tool_version", 0, "results of different versions do not add up" },
		{ "gap_s", 3, "the seeds' timing differs" },
		{ "timeout_s", 3, "what counts as a timeout differs" },
		{ "closer", 0, "the side that closes differs" },
		{ "load_c", 0, "the loaded phase ran under a different load" },
		{ "parallel", 0, "trials in flight at once differ (races, SIGPIPE coalescing)" },
	};
	static const struct outfile files[] = {
		{ "check.csv", write_check_head },
		{ "verdicts.csv", write_verdicts },
		{ "cells.csv", write_cells },
		{ "mib.csv", write_check_mib },
	};
	char **rows[m->n];
	struct mrows cells = { 0 };
	struct mphase *ph = NULL;
	struct mmib *mib = NULL;
	struct wctx c = { .m = m, .cells = &cells };
	int st;

	heads(m, H, rows);
	for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++)
		if (must_match(m, rows, H, same[k].col, same[k].dec,
			       same[k].why))
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
	judge_all(ph, c.nph, &cells);
	c.ph = ph;
	c.mib = mib;
	st = write_all(&c, files, sizeof(files) / sizeof(files[0]));
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
		"  -h, --help        this text\n");
}

int rs_cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", 1, NULL, 'o' },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
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
	st = rs_merge_dirs((const char *const *)argv + optind,
			   (unsigned)(argc - optind), out, err, sizeof(err));
	if (st)
		fprintf(stderr, "rststorm merge: %s\n", err);
	return st;
}
