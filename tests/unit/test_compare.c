/* Unit tests for `rststorm compare` and `rststorm merge` (src/compare.c,
 * src/merge.c) and the readers under them (src/csvread.c, src/repdir.c),
 * on the golden reports of tests/golden/compare/ (see its README.md for
 * what each holds and the numbers worked out by hand).
 *
 * Malformed inputs are made at run time from a copy of a golden report
 * with one file spoiled, each in the test's own temporary directory.
 * RS_GOLDEN_DIR overrides where tests/golden/compare is. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "csvread.h"
#include "merge.h"
#include "repdir.h"

static char golden[PATH_MAX];

struct fixture {
	char dir[PATH_MAX]; /* the test's own temporary directory */
	char err[1024];
	FILE *devnull;
	char made[64][PATH_MAX]; /* the reports copy_report() made */
	unsigned nmade;
};

static void golden_dir(void)
{
	const char *env = getenv("RS_GOLDEN_DIR");
	char *slash;

	if (env && *env) {
		snprintf(golden, sizeof(golden), "%s", env);
		return;
	}
	snprintf(golden, sizeof(golden), "%s", __FILE__);
	/* tests/unit/test_compare.c -> tests */
	for (int i = 0; i < 2; i++) {
		slash = strrchr(golden, '/');
		if (!slash) {
			snprintf(golden, sizeof(golden), "tests");
			break;
		}
		*slash = '\0';
	}
	strncat(golden, "/golden/compare", sizeof(golden) - strlen(golden) - 1);
}

static int remove_one(const char *path, const struct stat *sb, int flag,
		      struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/rststorm-cmp-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	fx->devnull = fopen("/dev/null", "w");
	if (!mkdtemp(fx->dir) || !fx->devnull) {
		if (fx->devnull)
			fclose(fx->devnull);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int ret = nftw(fx->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);

	fclose(fx->devnull);
	free(fx);
	return ret ? -1 : 0;
}

/* ------------------------------------------------------------ helpers */

static const char *g(const char *name)
{
	static char buf[4][PATH_MAX];
	static unsigned i;
	char *b = buf[i++ % 4];

	if (snprintf(b, PATH_MAX, "%s/%s", golden, name) >= PATH_MAX)
		fail_msg("path too long");
	return b;
}

static const char *t(const struct fixture *fx, const char *name)
{
	static char buf[4][PATH_MAX];
	static unsigned i;
	char *b = buf[i++ % 4];

	if (snprintf(b, PATH_MAX, "%s/%s", fx->dir, name) >= PATH_MAX)
		fail_msg("path too long");
	return b;
}

/* The whole of a file, NUL-terminated; NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Copy golden report src to the fixture's directory dst. The path
 * returned lives as long as the fixture. */
static const char *copy_report(struct fixture *fx, const char *src,
			       const char *dst)
{
	static const char *const names[] = {
		"check.csv", "verdicts.csv", "cells.csv", "mib.csv",
		"summary.csv", "outcomes.csv", "ops.csv", "failures.csv",
		"histograms.csv", "blocks.csv",
	};
	char *out;

	assert_true(fx->nmade < 64);
	out = fx->made[fx->nmade++];
	snprintf(out, PATH_MAX, "%s", t(fx, dst));
	assert_int_equal(mkdir(out, 0777), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char from[PATH_MAX], to[PATH_MAX];
		size_t len;
		char *data;

		snprintf(from, sizeof(from), "%s/%s", g(src), names[i]);
		data = slurp(from, &len);
		if (!data)
			continue;
		snprintf(to, sizeof(to), "%s/%s", out, names[i]);
		spit(to, data, len);
		free(data);
	}
	return out;
}

/* Replace the first occurrence of `from` in dir/file by `to`. */
static void edit(const char *dir, const char *file, const char *from,
		 const char *to)
{
	char path[PATH_MAX];
	char *data, *at, *out;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	data = slurp(path, &len);
	assert_non_null(data);
	at = strstr(data, from);
	assert_non_null(at);
	out = malloc(len + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)(at - data));
	strcpy(out + (at - data), to);
	strcat(out, at + strlen(from));
	spit(path, out, strlen(out));
	free(out);
	free(data);
}

/* Drop the lines of dir/file that contain `what`. */
static void drop_lines(const char *dir, const char *file, const char *what)
{
	char path[PATH_MAX];
	char *data, *out, *line, *save = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	data = slurp(path, &len);
	assert_non_null(data);
	out = calloc(1, len + 1);
	assert_non_null(out);
	for (line = strtok_r(data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strstr(line, what)) {
			strcat(out, line);
			strcat(out, "\n");
		}
	spit(path, out, strlen(out));
	free(out);
	free(data);
}

static int cmp_opt(struct fixture *fx, const char *a, const char *b,
		   double alpha, bool strict)
{
	struct rs_compare_opts o = { .alpha = alpha,
				     .min_diff = RS_COMPARE_MIN_DIFF,
				     .strict = strict };

	fx->err[0] = '\0';
	return rs_compare_dirs(a, b, &o, fx->devnull, fx->err,
			       sizeof(fx->err));
}

/* the old rule, as --strict keeps it for reports without blocks */
static int cmp(struct fixture *fx, const char *a, const char *b, double alpha)
{
	struct rs_compare_opts o = { .alpha = alpha,
				     .min_diff = RS_COMPARE_MIN_DIFF,
				     .strict = true };

	fx->err[0] = '\0';
	return rs_compare_dirs(a, b, &o, fx->devnull, fx->err,
			       sizeof(fx->err));
}

/* An error is one line that names a file or directory. */
static void one_line_naming(const struct fixture *fx, const char *what)
{
	if (!strstr(fx->err, what))
		fail_msg("'%s' lacks '%s'", fx->err, what);
	assert_null(strchr(fx->err, '\n'));
}

/* ------------------------------------------------------------ csvread */

static int read_all(const char *text, char *err, size_t errlen,
		    unsigned *records, char fields[][64], unsigned maxf)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct rs_csvr *r = rs_csvr_new(f, "x.csv");
	char **fl;
	unsigned n, k = 0;
	int ret;

	*records = 0;
	while ((ret = rs_csvr_next(r, &fl, &n, err, errlen)) == 1) {
		(*records)++;
		for (unsigned i = 0; i < n && k < maxf; i++)
			snprintf(fields[k++], 64, "%s", fl[i]);
	}
	rs_csvr_free(r);
	fclose(f);
	return ret;
}

static void test_csvread_fields(void **state)
{
	char err[256], f[16][64];
	unsigned n;

	(void)state;
	assert_int_equal(read_all("a,\"b,c\",\"say \"\"hi\"\"\"\n"
				  "\"two\nlines\",x\r\n",
				  err, sizeof(err), &n, f, 16),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b,c");
	assert_string_equal(f[2], "say \"hi\"");
	assert_string_equal(f[3], "two\nlines");
	assert_string_equal(f[4], "x"); /* CRLF tolerated */
	assert_int_equal(read_all("", err, sizeof(err), &n, f, 16), 0);
	assert_int_equal(n, 0);
}

static void test_csvread_errors(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "a,b\nc,\"d\n", "unbalanced quote" },
		{ "a,b\nc,d", "truncated" },
		{ "a,b\nc,\"d\"", "truncated" },
		{ "a,b\"c\n", "quote inside an unquoted field" },
		{ "\"a\"b,c\n", "text after a closing quote" },
		{ "a\rb\n", "carriage return" },
		{ "a,b\n\nc\n", "empty line" },
		{ "a,\0b\n", "NUL" },
	};
	char err[256], f[1][64];
	unsigned n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].text);
		FILE *fp;
		struct rs_csvr *r;
		char **fl;
		unsigned nf;
		int ret;

		/* the NUL case is longer than its strlen */
		if (strstr(bad[i].why, "NUL"))
			len = 6;
		fp = fmemopen((void *)bad[i].text, len, "r");
		r = rs_csvr_new(fp, "x.csv");
		while ((ret = rs_csvr_next(r, &fl, &nf, err, sizeof(err))) == 1)
			;
		assert_int_equal(ret, -EINVAL);
		assert_non_null(strstr(err, bad[i].why));
		assert_non_null(strstr(err, "x.csv: line "));
		/* the error sticks */
		assert_int_equal(rs_csvr_next(r, &fl, &nf, err, sizeof(err)),
				 -EINVAL);
		rs_csvr_free(r);
		fclose(fp);
	}
	(void)f;
	(void)n;
}

static void test_csvread_bounds(void **state)
{
	size_t big = RS_CSVR_MAX_RECORD + 10;
	char *text = malloc(big + 2);
	char err[256], f[1][64];
	unsigned n;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', big);
	text[big] = '\n';
	text[big + 1] = '\0';
	assert_int_equal(read_all(text, err, sizeof(err), &n, f, 1), -EINVAL);
	assert_non_null(strstr(err, "longer than"));
	/* just fits: RS_CSVR_MAX_RECORD bytes with the line end */
	text[RS_CSVR_MAX_RECORD - 1] = '\n';
	text[RS_CSVR_MAX_RECORD] = '\0';
	assert_int_equal(read_all(text, err, sizeof(err), &n, f, 1), 0);
	assert_int_equal(n, 1);
	/* too many fields */
	memset(text, ',', RS_CSVR_MAX_FIELDS + 1);
	text[RS_CSVR_MAX_FIELDS + 1] = '\n';
	text[RS_CSVR_MAX_FIELDS + 2] = '\0';
	assert_int_equal(read_all(text, err, sizeof(err), &n, f, 1), -EINVAL);
	assert_non_null(strstr(err, "fields"));
	free(text);
}

static void test_numbers(void **state)
{
	uint64_t u;
	int64_t i;
	double d;

	(void)state;
	assert_int_equal(rs_csv_u64("18446744073709551615", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(rs_csv_u64("18446744073709551616", &u), -EINVAL);
	assert_int_equal(rs_csv_u64("", &u), -EINVAL);
	assert_int_equal(rs_csv_u64(" 1", &u), -EINVAL);
	assert_int_equal(rs_csv_u64("+1", &u), -EINVAL);
	assert_int_equal(rs_csv_u64("0x10", &u), -EINVAL);
	assert_int_equal(rs_csv_i64("-9223372036854775808", &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(rs_csv_i64("9223372036854775808", &i), -EINVAL);
	assert_int_equal(rs_csv_fixed("1.031", 3, &u), 0);
	assert_int_equal(u, 1031);
	assert_int_equal(rs_csv_fixed("5", 3, &u), 0);
	assert_int_equal(u, 5000);
	assert_int_equal(rs_csv_fixed("0.5", 6, &u), 0);
	assert_int_equal(u, 500000);
	assert_int_equal(rs_csv_fixed("1.0001", 3, &u), -EINVAL);
	assert_int_equal(rs_csv_fixed("1.", 3, &u), -EINVAL);
	assert_int_equal(rs_csv_fixed(".5", 3, &u), -EINVAL);
	assert_int_equal(rs_csv_fixed("-1", 3, &u), -EINVAL);
	assert_int_equal(rs_csv_float("0.750000", &d), 0);
	assert_true(d == 0.75);
	assert_int_equal(rs_csv_float("1e3", &d), -EINVAL);
	assert_int_equal(rs_csv_float("nan", &d), -EINVAL);
	assert_int_equal(rs_csv_float("1.2.3", &d), -EINVAL);
}

/* ------------------------------------------------------------- Fisher */

static void test_fisher(void **state)
{
	(void)state;
	/* exact values (R's fisher.test, and by hand from the binomials) */
	assert_true(fabs(rs_fisher_p(3, 4, 1, 4) - 0.4857142857) < 1e-9);
	assert_true(fabs(rs_fisher_p(10, 10, 5, 10) - 0.0325077399) < 1e-9);
	assert_true(fabs(rs_fisher_p(13, 20, 20, 20) - 0.0083160083) < 1e-9);
	assert_true(fabs(rs_fisher_p(0, 20, 4, 20) - 0.1060291060) < 1e-9);
	/* symmetric in the two rows and in the two columns */
	assert_true(fabs(rs_fisher_p(20, 20, 13, 20) -
			 rs_fisher_p(7, 20, 0, 20)) < 1e-12);
	/* degenerate margins */
	assert_true(rs_fisher_p(0, 0, 3, 5) == 1.0);
	assert_true(rs_fisher_p(5, 5, 5, 5) == 1.0);
	assert_true(rs_fisher_p(0, 5, 0, 5) == 1.0);
	assert_true(rs_fisher_p(7, 10, 7, 10) == 1.0);
	/* large counts stay fast and sane: 50.00 % against 50.01 % */
	{
		double p = rs_fisher_p(5000000, 10000000, 5001000, 10000000);

		assert_true(p > 0.6 && p < 0.7);
	}
	assert_true(rs_fisher_p(0, 3000000000u, 3000000000u, 3000000000u) ==
		    0.0);
}

/* ------------------------------------------------------------ compare */

static void test_compare_goldens(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(cmp(fx, g("check-a"), g("check-a"), 0.01), 0);
	assert_int_equal(cmp(fx, g("check-a"), g("check-exact"), 0.01), 1);
	assert_int_equal(cmp(fx, g("check-a"), g("check-sig"), 0.01), 1);
	assert_int_equal(cmp(fx, g("check-a"), g("check-sig"), 0.001), 0);
	assert_int_equal(cmp(fx, g("check-a"), g("check-nonsig"), 0.01), 0);
	assert_int_equal(cmp(fx, g("check-nonsig"), g("check-a"), 0.01), 0);
	assert_int_equal(cmp(fx, g("run-h1"), g("run-h1"), 0.01), 0);
	assert_int_equal(cmp(fx, g("run-h1"), g("run-h2"), 0.01), 1);
	/* merged output compares like any report */
	assert_int_equal(cmp(fx, g("check-whole"), g("check-whole"), 0.01), 0);
	assert_int_equal(cmp(fx, g("run-whole"), g("run-whole"), 0.01), 0);
	/* without --strict, measured cells of reports without blocks are
	 * shown but not judged: the spread between runs is unknown */
	assert_int_equal(cmp_opt(fx, g("check-a"), g("check-sig"), 0.01, false),
			 0);
	assert_int_equal(cmp_opt(fx, g("run-h1"), g("run-h2"), 0.01, false), 0);
	/* exact cells stay exact */
	assert_int_equal(cmp_opt(fx, g("check-a"), g("check-exact"), 0.01,
				 false),
			 1);
}

/* ------------------------------------------------------------- blocks */

static void test_holm(void **state)
{
	/* R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") =
	 * 0.03 0.06 0.06 0.02 */
	static const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	static const double want[] = { 0.03, 0.06, 0.06, 0.02 };
	/* ties and a cap at 1: p.adjust(c(0.5, 0.5, 0.001), "holm") =
	 * 1 1 0.003 */
	static const double q[] = { 0.5, 0.5, 0.001 };
	static const double wq[] = { 1, 1, 0.003 };
	double adj[4];

	(void)state;
	assert_int_equal(rs_holm(p, 4, adj), 0);
	for (int i = 0; i < 4; i++)
		assert_true(fabs(adj[i] - want[i]) < 1e-12);
	assert_int_equal(rs_holm(q, 3, adj), 0);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(adj[i] - wq[i]) < 1e-12);
	assert_int_equal(rs_holm(q, 0, adj), 0);
}

static void test_welch(void **state)
{
	static const double a[] = { 0.80, 0.80, 0.80, 0.80 };
	static const double b[] = { 0.92, 0.92, 0.92, 0.92 };
	static const double c[] = { 0.40, 1.00, 0.80, 1.00 };
	static const double d[] = { 1.00, 1.00, 0.48, 1.00 };
	static const double e[] = { 0.1, 0.2, 0.3 };
	static const double f[] = { 0.5, 0.6, 0.7, 0.8 };

	(void)state;
	assert_true(rs_welch_p(a, 4, a, 4) == 1.0);
	assert_true(rs_welch_p(a, 4, b, 4) == 0.0); /* no spread: sure */
	/* t.test(c(.4, 1, .8, 1), c(1, 1, .48, 1))$p.value: 0.72814 (the t
	 * density integrated numerically, not this code) */
	assert_true(fabs(rs_welch_p(c, 4, d, 4) - 0.7281389) < 1e-5);
	/* t.test(c(.1, .2, .3), c(.5, .6, .7, .8))$p.value: 0.0035621 */
	assert_true(fabs(rs_welch_p(e, 3, f, 4) - 0.0035621) < 1e-6);
	assert_true(rs_welch_p(e, 1, f, 4) == 1.0); /* too few blocks */
	/* Student's t, two-sided: qt(0.975, 10) = 2.228139 */
	assert_true(fabs(rs_t2_sf(2.228139, 10) - 0.05) < 1e-6);
	assert_true(fabs(rs_t2_sf(-2.228139, 10) - 0.05) < 1e-6);
	assert_true(rs_t2_sf(0, 3) == 1.0);
}

/*
 * A run report with 4 blocks made from run-h1 (each op 100 completions,
 * 25 a block): fin op 2 recv has eof[b] of 25 in block b, ECONNRESET the
 * rest; every other op splits its golden counts (rst op 1: ok 2,1,1,1).
 * outcomes.csv holds the sums.
 */
static const char *blocks_report(struct fixture *fx, const char *name,
				 const unsigned eof[4])
{
	const char *d = copy_report(fx, "run-h1", name);
	char path[PATH_MAX], buf[4096];
	unsigned sum = 0;
	size_t n = 0;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "schema_version,block,seed,scenario,closer,close_mode,op_index,op_kind,result,count\n");
	for (unsigned b = 0; b < 4; b++) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "1,%u,%u,run,server,fin,1,send,ok,25\n"
				      "1,%u,%u,run,server,fin,2,recv,eof,%u\n",
				      b + 1, 7 + b, b + 1, 7 + b, eof[b]);
		if (eof[b] < 25)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "1,%u,%u,run,server,fin,2,recv,ECONNRESET,%u\n",
					      b + 1, 7 + b, 25 - eof[b]);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "1,%u,%u,run,server,rst,1,send,ok,%u\n"
				      "1,%u,%u,run,server,rst,1,send,ECONNRESET,%u\n"
				      "1,%u,%u,run,server,rst,2,recv,eof,25\n",
				      b + 1, 7 + b, b ? 1 : 2, b + 1, 7 + b,
				      b ? 24 : 23, b + 1, 7 + b);
		sum += eof[b];
	}
	snprintf(path, sizeof(path), "%s/blocks.csv", d);
	spit(path, buf, n);
	n = (size_t)snprintf(buf, sizeof(buf),
			     "schema_version,scenario,closer,close_mode,op_index,op_kind,result,count,share\n"
			     "1,run,server,fin,1,send,ok,100,1.000000\n"
			     "1,run,server,fin,2,recv,eof,%u,%.6f\n",
			     sum, sum / 100.0);
	if (sum < 100)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "1,run,server,fin,2,recv,ECONNRESET,%u,%.6f\n",
				      100 - sum, (100 - sum) / 100.0);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "1,run,server,rst,1,send,ok,5,0.050000\n"
			      "1,run,server,rst,1,send,ECONNRESET,95,0.950000\n"
			      "1,run,server,rst,2,recv,eof,100,1.000000\n");
	snprintf(path, sizeof(path), "%s/outcomes.csv", d);
	spit(path, buf, n);
	return d;
}

static void test_compare_blocks(void **state)
{
	struct fixture *fx = *state;
	static const unsigned flat[4] = { 20, 20, 20, 20 };   /* 80 % */
	static const unsigned up[4] = { 23, 23, 23, 23 };     /* 92 % */
	static const unsigned wide_a[4] = { 10, 25, 20, 25 }; /* 80 % */
	static const unsigned wide_b[4] = { 25, 25, 12, 25 }; /* 87 % */
	static const unsigned near[4] = { 21, 21, 21, 21 };   /* 84 % */
	const char *a = blocks_report(fx, "flat", flat);
	const char *a2 = blocks_report(fx, "flat2", flat);
	const char *b = blocks_report(fx, "up", up);
	const char *wa = blocks_report(fx, "wide-a", wide_a);
	const char *wb = blocks_report(fx, "wide-b", wide_b);
	const char *nb = blocks_report(fx, "near", near);
	struct rs_compare_opts o = { .alpha = 0.01, .min_diff = 0.03 };
	char *csv;

	/* equal blocks: not different */
	assert_int_equal(cmp_opt(fx, a, a2, 0.01, false), 0);
	/* shifted by 12 points with no spread: different, both ways */
	assert_int_equal(cmp_opt(fx, a, b, 0.01, false), 1);
	assert_int_equal(cmp_opt(fx, b, a, 0.01, false), 1);
	/* shifted by 7 points within a spread of ~30: the same */
	assert_int_equal(cmp_opt(fx, wa, wb, 0.01, false), 0);
	/* 4 points, below the default --min-diff of 5, however sure: the
	 * same; with a margin of 3 points it differs */
	assert_int_equal(cmp_opt(fx, a, nb, 0.01, false), 0);
	assert_int_equal(rs_compare_dirs(a, nb, &o, fx->devnull, fx->err,
					 sizeof(fx->err)),
			 1);
	/* compare.csv: the test, p, Holm's p, blocks, sd, diff, decision */
	o.min_diff = 0.05;
	o.csv_dir = t(fx, "cmp");
	assert_int_equal(rs_compare_dirs(a, b, &o, fx->devnull, fx->err,
					 sizeof(fx->err)),
			 1);
	csv = slurp(t(fx, "cmp/compare.csv"), NULL);
	assert_non_null(csv);
	assert_non_null(strstr(csv,
			       "2,run,server,fin,2,recv,eof,80,100,0.800000,92,100,0.920000,welch-blocks,0,0,4,4,0.000000,0.000000,0.120000,different,1\n"));
	assert_non_null(strstr(csv,
			       "2,run,server,fin,1,send,ok,100,100,1.000000,100,100,1.000000,welch-blocks,1,1,4,4,0.000000,0.000000,0.000000,same,0\n"));
	free(csv);
	/* a block-less side: spread unknown, not judged unless --strict
	 * (80/100 against 92/100: Fisher's p = 0.024) */
	assert_int_equal(cmp_opt(fx, g("run-h1"), b, 0.05, false), 0);
	assert_int_equal(cmp_opt(fx, g("run-h1"), b, 0.05, true), 1);
	assert_int_equal(cmp_opt(fx, g("run-h1"), b, 0.01, true), 0);
	/* fin op 2 only in block 1 of one side: no spread to test against
	 * there, so the op is judged as without blocks (Fisher, spread
	 * unknown: not failed unless --strict) */
	{
		const char *one = blocks_report(fx, "one-block", up);

		drop_lines(one, "blocks.csv", "fin,2,recv");
		edit(one, "blocks.csv", "1,1,7,run,server,fin,1,send,ok,25\n",
		     "1,1,7,run,server,fin,1,send,ok,25\n"
		     "1,1,7,run,server,fin,2,recv,eof,92\n"
		     "1,1,7,run,server,fin,2,recv,ECONNRESET,8\n");
		o.csv_dir = t(fx, "cmp1");
		o.strict = false;
		assert_int_equal(rs_compare_dirs(a, one, &o, fx->devnull,
						 fx->err, sizeof(fx->err)),
				 0);
		csv = slurp(t(fx, "cmp1/compare.csv"), NULL);
		assert_non_null(csv);
		assert_non_null(strstr(csv,
				       "2,run,server,fin,2,recv,eof,80,100,0.800000,92,100,0.920000,fisher,"));
		free(csv);
		o.csv_dir = NULL;
		o.strict = true;
		/* Fisher: 80/100 against 92/100, p = 0.024 */
		o.alpha = 0.05;
		assert_int_equal(rs_compare_dirs(a, one, &o, fx->devnull,
						 fx->err, sizeof(fx->err)),
				 1);
	}
	/* blocks that do not add up to the totals are refused */
	edit(b, "blocks.csv", "fin,2,recv,eof,23", "fin,2,recv,eof,22");
	assert_int_equal(cmp_opt(fx, a, b, 0.01, false), 2);
	one_line_naming(fx, "blocks.csv");
}

static void test_compare_kinds(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(cmp(fx, g("run-h1"), g("check-a"), 0.01), 2);
	one_line_naming(fx, "run report");
	assert_int_equal(cmp(fx, g("check-a"), g("run-h1"), 0.01), 2);
	one_line_naming(fx, "check report");
	assert_int_equal(cmp(fx, g("check-a"), t(fx, "nowhere"), 0.01), 2);
	one_line_naming(fx, "nowhere");
	assert_int_equal(mkdir(t(fx, "empty"), 0777), 0);
	assert_int_equal(cmp(fx, g("check-a"), t(fx, "empty"), 0.01), 2);
	one_line_naming(fx, "not a report");
	copy_report(fx, "check-a", "both");
	spit(t(fx, "both/summary.csv"), "x\n", 2);
	assert_int_equal(cmp(fx, t(fx, "both"), g("check-a"), 0.01), 2);
	one_line_naming(fx, "both");
}

/* One spoiled copy of check-a per case: compare says 2, names the file. */
static void test_compare_malformed(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *file, *from, *to, *why;
	} cases[] = {
		{ "verdicts.csv", "1,seed-go,alone", "1,\"seed-go,alone", "unbalanced quote" },
		{ "cells.csv", "1,seed-go,alone,server,fin,1,send,ok,20,",
		  "1,seed-go,alone,server,fin,1,send,ok,20,20,", "15 fields, expected 14" },
		{ "cells.csv", "1,seed-go,alone,server,fin,1,send,ok,20,",
		  "1,seed-go,alone,server,fin,1,send,ok,twenty,", "count 'twenty'" },
		{ "cells.csv", "1,seed-go,alone,server,fin,1,send,ok,20,",
		  "1,seed-go,alone,server,fin,1,send,ok,-20,", "count '-20'" },
		{ "cells.csv", "1,seed-go,alone,server,fin,1,send,ok,",
		  "1,seed-go,alone,server,fin,1,send,EWHAT,", "result 'EWHAT'" },
		{ "cells.csv", "1,seed-go,alone,server,fin,1,",
		  "1,seed-go,alone,server,fin,0,", "op_index '0'" },
		{ "check.csv", "1,0.1.0,", "3,0.1.0,", "schema_version 3" },
		{ "cells.csv", "1,seed-go,load,server,fin,1", "7,seed-go,load,server,fin,1",
		  "schema_version 7" },
		{ "verdicts.csv", "schema_version,scenario,phase", "schema_version,scenario,stage",
		  "header does not match" },
		{ "mib.csv", ",status\n", "\n", "header does not match" },
		{ "mib.csv", "1,seed-go,load,netns,TcpExt.ListenOverflows,0,0,inf,ok",
		  "1,seed-go,load,netns,TcpExt.ListenOverflows,0,0,infinite,ok", "expected_hi" },
		{ "verdicts.csv", ",PASS,", ",FINE,", "verdict 'FINE'" },
		/* files that disagree */
		{ "cells.csv", "1,seed-go,alone,server,fin,2,send,ok,20,",
		  "1,seed-go,alone,server,fin,2,send,ok,19,", "counts add to 19" },
		{ "cells.csv", "1,seed-go,alone,server,fin,2,send,ok,20,",
		  "1,seed-go,alone,server,fin,1,send,ok,20,", "same key" },
		{ "cells.csv", "1,seed-go,alone,server,fin,1,send,ok,20,",
		  "1,seed-gone,alone,server,fin,1,send,ok,20,", "no row in verdicts.csv" },
		{ "check.csv", "io_uring-direct", "io_uring\"direct", "quote inside" },
		{ "check.csv", "\n1,0.1.0", "\r\n1,0.1.0", NULL /* CRLF: fine */ },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[32];
		const char *d;

		snprintf(name, sizeof(name), "bad%zu", i);
		d = copy_report(fx, "check-a", name);
		edit(d, cases[i].file, cases[i].from, cases[i].to);
		if (!cases[i].why) {
			assert_int_equal(cmp(fx, d, g("check-a"), 0.01), 0);
			continue;
		}
		assert_int_equal(cmp(fx, d, g("check-a"), 0.01), 2);
		if (!strstr(fx->err, cases[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, fx->err,
				 cases[i].why);
		one_line_naming(fx, cases[i].file);
		/* B spoiled is the same answer */
		assert_int_equal(cmp(fx, g("check-a"), d, 0.01), 2);
	}
}

static void test_compare_missing_files(void **state)
{
	struct fixture *fx = *state;
	const char *d = copy_report(fx, "check-a", "nocells");
	const char *e = copy_report(fx, "check-a", "emptycells");
	const char *h = copy_report(fx, "check-a", "huge");
	const char *r = copy_report(fx, "run-h1", "runbad");
	size_t big = 200000, len;
	char *line = malloc(big + 1);

	/* truncated: the last line cut short, without its line end */
	{
		const char *tr = copy_report(fx, "check-a", "truncated");
		char *data = slurp(t(fx, "truncated/cells.csv"), &len);

		assert_non_null(data);
		spit(t(fx, "truncated/cells.csv"), data, len - 20);
		free(data);
		assert_int_equal(cmp(fx, tr, g("check-a"), 0.01), 2);
		one_line_naming(fx, "cells.csv: line 19: no line end after the last record: the file is truncated");
	}

	assert_int_equal(unlink(t(fx, "nocells/cells.csv")), 0);
	assert_int_equal(cmp(fx, d, g("check-a"), 0.01), 2);
	one_line_naming(fx, "cells.csv: missing");

	spit(t(fx, "emptycells/cells.csv"), "", 0);
	assert_int_equal(cmp(fx, e, g("check-a"), 0.01), 2);
	one_line_naming(fx, "empty file");

	assert_non_null(line);
	memset(line, '9', big);
	line[big] = '\n';
	spit(t(fx, "huge/verdicts.csv"), line, big + 1);
	assert_int_equal(cmp(fx, h, g("check-a"), 0.01), 2);
	one_line_naming(fx, "longer than");
	free(line);

	/* a run report: a bucket that is not one of histo.c's, outcomes
	 * that do not add up to ops.csv */
	edit(r, "histograms.csv", "14848,15103", "14848,15104");
	assert_int_equal(cmp(fx, r, g("run-h1"), 0.01), 2);
	one_line_naming(fx, "not a bucket");
	edit(r, "histograms.csv", "14848,15104", "14848,15103");
	edit(r, "outcomes.csv", "ok,100,", "ok,99,");
	assert_int_equal(cmp(fx, r, g("run-h1"), 0.01), 2);
	one_line_naming(fx, "ops.csv says counted 100");
}

static void test_compare_csv(void **state)
{
	struct fixture *fx = *state;
	struct rs_compare_opts o = { .alpha = 0.01, .strict = true,
				     .min_diff = RS_COMPARE_MIN_DIFF,
				     .csv_dir = t(fx, "out/deeper") };
	char *csv;

	assert_int_equal(rs_compare_dirs(g("check-a"), g("check-sig"), &o,
					 fx->devnull, fx->err,
					 sizeof(fx->err)),
			 1);
	csv = slurp(t(fx, "out/deeper/compare.csv"), NULL);
	assert_non_null(csv);
	assert_non_null(strstr(csv,
			       "schema_version,scenario,phase,closer,close_mode,op_index,op_kind,result,count_a,total_a,share_a,count_b,total_b,share_b,test,p_value,p_adjusted,blocks_a,blocks_b,sd_a,sd_b,diff,decision,differs\n"));
	assert_non_null(strstr(csv,
			       "2,race-rst-xcpu,alone,server,rst,1,send,ok,13,20,0.650000,20,20,1.000000,fisher,0.00831601,-,0,0,0.000000,0.000000,0.350000,different,1\n"));
	assert_non_null(strstr(csv,
			       "2,race-rst-xcpu,alone,server,rst,1,send,ECONNRESET,7,20,0.350000,0,20,0.000000,fisher,0.00831601,-,0,0,0.000000,0.000000,-0.350000,different,1\n"));
	assert_non_null(strstr(csv,
			       "2,seed-go,alone,server,fin,3,send,EPIPE,20,20,1.000000,20,20,1.000000,exact,-,-,0,0,0.000000,0.000000,0.000000,same,0\n"));
	free(csv);
	/* an unwritable place: 2, naming it */
	o.csv_dir = "/proc/rststorm-no-such-dir";
	assert_int_equal(rs_compare_dirs(g("check-a"), g("check-a"), &o,
					 fx->devnull, fx->err,
					 sizeof(fx->err)),
			 2);
	one_line_naming(fx, "rststorm-no-such-dir");
}

/* -------------------------------------------------------------- merge */

static void assert_same_dir(const char *want, const char *got)
{
	static const char *const names[] = {
		"check.csv", "verdicts.csv", "cells.csv", "mib.csv",
		"summary.csv", "outcomes.csv", "ops.csv", "failures.csv",
		"histograms.csv", "blocks.csv",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char a[PATH_MAX], b[PATH_MAX];
		char *x, *y;

		snprintf(a, sizeof(a), "%s/%s", want, names[i]);
		snprintf(b, sizeof(b), "%s/%s", got, names[i]);
		x = slurp(a, NULL);
		y = slurp(b, NULL);
		if (!x || !y) {
			assert_true(!x && !y);
			continue;
		}
		if (strcmp(x, y) != 0)
			fail_msg("%s differs:\n--- want\n%s--- got\n%s",
				 names[i], x, y);
		free(x);
		free(y);
	}
}

static int merge2(struct fixture *fx, const char *a, const char *b,
		  const char *out)
{
	const char *dirs[2] = { a, b };

	fx->err[0] = '\0';
	return rs_merge_dirs(dirs, 2, out, fx->err, sizeof(fx->err));
}

#define LINKH "link,link_rtt_asked_us,link_rtt_min_us,link_rtt_srtt_us,link_lost,link_dropped"

static void test_merge_halves(void **state)
{
	struct fixture *fx = *state;
	const char *three[3];

	/* the halves add up to the hand-computed whole, in either order */
	assert_int_equal(merge2(fx, g("check-h1"), g("check-h2"), t(fx, "c12")), 0);
	assert_same_dir(g("check-whole"), t(fx, "c12"));
	assert_int_equal(merge2(fx, g("check-h2"), g("check-h1"), t(fx, "c21")), 0);
	assert_same_dir(g("check-whole"), t(fx, "c21"));
	assert_int_equal(merge2(fx, g("run-h1"), g("run-h2"), t(fx, "r12")), 0);
	assert_same_dir(g("run-whole"), t(fx, "r12"));
	assert_int_equal(merge2(fx, g("run-h2"), g("run-h1"), t(fx, "r21")), 0);
	assert_same_dir(g("run-whole"), t(fx, "r21"));

	/* merged output merges again: (h1 + h2) + h1 == h1 + (h2 + h1) ==
	 * h1 + h2 + h1 */
	assert_int_equal(merge2(fx, t(fx, "c12"), g("check-h1"), t(fx, "c121")), 0);
	assert_int_equal(merge2(fx, g("check-h1"), t(fx, "c21"), t(fx, "c1_21")), 0);
	assert_same_dir(t(fx, "c121"), t(fx, "c1_21"));
	/* h1 twice: a copy, since the same directory twice is refused */
	three[2] = copy_report(fx, "check-h1", "h1copy");
	three[0] = g("check-h1");
	three[1] = g("check-h2");
	assert_int_equal(rs_merge_dirs(three, 3, t(fx, "c3"), fx->err,
				       sizeof(fx->err)),
			 0);
	assert_same_dir(t(fx, "c121"), t(fx, "c3"));
	assert_int_equal(merge2(fx, t(fx, "r12"), g("run-h1"), t(fx, "r121")), 0);
	assert_int_equal(merge2(fx, g("run-h1"), t(fx, "r21"), t(fx, "r1_21")), 0);
	assert_same_dir(t(fx, "r121"), t(fx, "r1_21"));

	/* and into a directory that held a merge of its kind: mib.csv of
	 * the old one does not survive when the new one has none */
	copy_report(fx, "run-h1", "nomib");
	assert_int_equal(unlink(t(fx, "nomib/mib.csv")), 0);
	assert_int_equal(merge2(fx, t(fx, "nomib"), g("run-h2"), t(fx, "r12")), 0);
	assert_int_equal(access(t(fx, "r12/mib.csv"), F_OK), -1);
	assert_int_equal(cmp(fx, t(fx, "r12"), g("run-whole"), 0.01), 0);

	/* early version 1 reports (before family, clock, target and the
	 * link columns) read as if they had ipv4, stamp, embedded, none and
	 * 0: the same sums; and those before the link columns alone */
	copy_report(fx, "run-h1", "early-r");
	edit(t(fx, "early-r"), "summary.csv", ",family,clock,target," LINKH "\n", "\n");
	edit(t(fx, "early-r"), "summary.csv", ",ipv4,stamp,embedded,none,0,0,0,0,0\n", "\n");
	assert_int_equal(merge2(fx, t(fx, "early-r"), g("run-h2"), t(fx, "re")), 0);
	assert_same_dir(g("run-whole"), t(fx, "re"));
	copy_report(fx, "run-h1", "mid-r");
	edit(t(fx, "mid-r"), "summary.csv", "," LINKH "\n", "\n");
	edit(t(fx, "mid-r"), "summary.csv", ",none,0,0,0,0,0\n", "\n");
	assert_int_equal(merge2(fx, t(fx, "mid-r"), g("run-h2"), t(fx, "rm")), 0);
	assert_same_dir(g("run-whole"), t(fx, "rm"));
	copy_report(fx, "check-h1", "early-c");
	edit(t(fx, "early-c"), "check.csv", ",family\n", "\n");
	edit(t(fx, "early-c"), "check.csv", ",ipv4\n", "\n");
	assert_int_equal(merge2(fx, t(fx, "early-c"), g("check-h2"), t(fx, "ce")), 0);
	assert_same_dir(g("check-whole"), t(fx, "ce"));
	/* but a version 2 file must have them */
	copy_report(fx, "run-whole", "v2short");
	edit(t(fx, "v2short"), "summary.csv", "," LINKH ",", ",");
	edit(t(fx, "v2short"), "summary.csv", ",none,0,0,0,0,0,", ",");
	assert_int_equal(cmp(fx, t(fx, "v2short"), g("run-whole"), 0.01), 2);
	one_line_naming(fx, "header does not match");
	/* the columns added within version 2 (op_size, server_sends,
	 * closer; ops.csv bytes) may be absent from a version 2 file: read
	 * as 1, 0, server and 0, the same sums */
	copy_report(fx, "run-whole", "v2early");
	edit(t(fx, "v2early"), "summary.csv", ",op_size,server_sends,closer\n", "\n");
	edit(t(fx, "v2early"), "summary.csv", ",1,0,server\n", "\n");
	assert_int_equal(merge2(fx, t(fx, "v2early"), g("run-whole"), t(fx, "ve")), 0);
	copy_report(fx, "run-whole", "v2other");
	edit(t(fx, "v2other"), "summary.csv", ",1,0,server\n", ",2,0,server\n");
	/* a column merged by equality: another --op-size is refused */
	assert_int_equal(merge2(fx, t(fx, "v2other"), g("run-whole"), t(fx, "vo")), 2);
	one_line_naming(fx, "op_size");
}

/* A phase with trials but no cells (the reader takes it) does not make
 * merge lose the cells of the phases after it (found by fuzz_repdir:
 * tests/fuzz/regress/merge-phase-without-cells). */
static void test_merge_phase_without_cells(void **state)
{
	struct fixture *fx = *state;
	const char *x = copy_report(fx, "check-a", "x");
	const char *y = copy_report(fx, "check-a", "y");
	struct rs_repdir d;
	char *cells;

	drop_lines(x, "cells.csv", "race-rst-xcpu,load");
	drop_lines(y, "cells.csv", "race-rst-xcpu,load");
	assert_int_equal(merge2(fx, x, y, t(fx, "sum")), 0);
	cells = slurp(t(fx, "sum/cells.csv"), NULL);
	assert_non_null(cells);
	assert_non_null(strstr(cells, "2,fin-write3-write,alone,server,fin,1,write,ok,40,"));
	assert_non_null(strstr(cells, "2,fin-write3-write,load,server,fin,3,write,EPIPE,40,"));
	free(cells);
	/* and the sum, blocks.csv included, loads again */
	assert_int_equal(rs_repdir_load(&d, t(fx, "sum"), fx->err,
					sizeof(fx->err)),
			 0);
	rs_repdir_free(&d);
}

static void test_merge_refusals(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *src, *file, *from, *to, *why;
	} cases[] = {
		{ "run-h2", "summary.csv", "\"send,recv\"", "\"send,send\"", "ops" },
		{ "run-h2", "summary.csv", "\"fin=50,rst=50\"", "\"fin=60,rst=40\"", "close_mix" },
		{ "run-h2", "summary.csv", ",close,", ",10ms,", "wait" },
		{ "run-h2", "summary.csv", ",0.000000,", ",0.001000,", "op_gap_s" },
		{ "run-h2", "summary.csv", ",5.000,", ",2.000,", "timeout_s" },
		{ "run-h2", "summary.csv", "1,0.1.0,", "1,0.2.0,", "tool_version" },
		{ "check-h2", "check.csv", ",0.010,", ",0.020,", "gap_s" },
		{ "check-h2", "check.csv", "1,0.1.0,", "1,0.2.0,", "tool_version" },
		{ "check-h2", "check.csv", ",default,", ",client,", "closer" },
		{ "check-h2", "check.csv", ",100,50,", ",1000,50,", "load_c" },
		{ "check-h2", "verdicts.csv", "seed-go,alone,server,fin,none,",
		  "seed-go,alone,server,fin,observed,", "wait" },
		{ "check-h2", "verdicts.csv", "seed-go,alone,server,fin,none,inline",
		  "seed-go,alone,server,fin,none,io-wq", "path" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[32], out[32];
		const char *d;

		snprintf(name, sizeof(name), "in%zu", i);
		snprintf(out, sizeof(out), "out%zu", i);
		d = copy_report(fx, cases[i].src, name);
		edit(d, cases[i].file, cases[i].from, cases[i].to);
		assert_int_equal(merge2(fx, cases[i].src[0] == 'r' ?
						    g("run-h1") :
						    g("check-h1"),
					d, t(fx, out)),
				 2);
		if (!strstr(fx->err, cases[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, fx->err,
				 cases[i].why);
		assert_null(strchr(fx->err, '\n'));
		/* nothing written */
		assert_int_equal(access(t(fx, out), F_OK), -1);
	}
	assert_int_equal(merge2(fx, g("run-h1"), g("check-h1"), t(fx, "x")), 2);
	one_line_naming(fx, "merge reports of one kind");
	assert_int_equal(merge2(fx, g("run-h1"), t(fx, "nope"), t(fx, "x")), 2);
	one_line_naming(fx, "nope");
	/* an output directory holding the other kind */
	copy_report(fx, "check-a", "hascheck");
	assert_int_equal(merge2(fx, g("run-h1"), g("run-h2"), t(fx, "hascheck")), 2);
	one_line_naming(fx, "hascheck");
	/* the output is an input, by any name; the same report twice */
	{
		char before[PATH_MAX + 8], alias[PATH_MAX + 8];
		const char *a = copy_report(fx, "run-h1", "self");
		const char *same[2];

		snprintf(alias, sizeof(alias), "%s/link", fx->dir);
		assert_int_equal(symlink(a, alias), 0);
		snprintf(before, sizeof(before), "%s/.", a);
		assert_int_equal(merge2(fx, a, g("run-h2"), a), 2);
		one_line_naming(fx, "is the input report");
		assert_int_equal(merge2(fx, g("run-h2"), a, before), 2);
		one_line_naming(fx, "is the input report");
		assert_int_equal(merge2(fx, a, g("run-h2"), alias), 2);
		one_line_naming(fx, "is the input report");
		assert_same_dir(g("run-h1"), a);
		same[0] = a;
		same[1] = alias;
		assert_int_equal(rs_merge_dirs(same, 2, t(fx, "twice"), fx->err,
					       sizeof(fx->err)),
				 2);
		one_line_naming(fx, "same report");
		assert_int_equal(access(t(fx, "twice"), F_OK), -1);
		assert_int_equal(merge2(fx, a, before, t(fx, "tw2")), 2);
		one_line_naming(fx, "same report");
		assert_int_equal(merge2(fx, g("run-h1"), g("run-h1"),
					t(fx, "tw3")),
				 2);
		one_line_naming(fx, "same report");
	}
	/* a FIFO as a report file is refused without blocking; so is a file
	 * over the size limit, before it is read */
	{
		const char *f = copy_report(fx, "run-h2", "fifo");
		const char *h = copy_report(fx, "run-h2", "huge");
		char p[PATH_MAX + 32];

		snprintf(p, sizeof(p), "%s/outcomes.csv", f);
		assert_int_equal(unlink(p), 0);
		assert_int_equal(mkfifo(p, 0600), 0);
		assert_int_equal(merge2(fx, g("run-h1"), f, t(fx, "fo")), 2);
		one_line_naming(fx, "not a regular file (a FIFO)");
		snprintf(p, sizeof(p), "%s/histograms.csv", h);
		assert_int_equal(truncate(p, RS_REPORT_MAX_BYTES + 1), 0);
		assert_int_equal(merge2(fx, g("run-h1"), h, t(fx, "ho")), 2);
		one_line_naming(fx, "larger than 128 MiB");
	}
	/* fewer than two */
	{
		const char *one[1] = { g("run-h1") };

		assert_int_equal(rs_merge_dirs(one, 1, t(fx, "x"), fx->err,
					       sizeof(fx->err)),
				 2);
	}
}

/* A scenario one report did not run; kernels with different SIGPIPE
 * rules. */
static void test_one_sided(void **state)
{
	struct fixture *fx = *state;
	const char *d = copy_report(fx, "check-a", "norace");
	const char *r = copy_report(fx, "check-h2", "rule");
	char *v;

	drop_lines(d, "verdicts.csv", "race-rst-xcpu");
	drop_lines(d, "cells.csv", "race-rst-xcpu");
	drop_lines(d, "mib.csv", "race-rst-xcpu");
	assert_int_equal(cmp(fx, g("check-a"), d, 0.01), 1);
	assert_int_equal(cmp(fx, d, d, 0.01), 0);
	/* merged: race-rst-xcpu from check-a alone, judged on its 20 */
	assert_int_equal(merge2(fx, g("check-a"), d, t(fx, "m")), 0);
	v = slurp(t(fx, "m/verdicts.csv"), NULL);
	assert_non_null(v);
	assert_non_null(strstr(v, "2,race-rst-xcpu,alone,server,rst,xcpu,inline,0,20,0,MEASURED,0,none,7,0,0.100,-\n"));
	assert_non_null(strstr(v, "2,seed-go,alone,server,fin,none,inline,0,40,0,PASS,"));
	free(v);

	/* the SIGPIPE rule differs: mixed, not judged again */
	edit(r, "verdicts.csv", "1,seed-go,alone,server,fin,none,inline,0,10,0,PASS,0,none,",
	     "1,seed-go,alone,server,fin,none,inline,0,10,0,PASS,0,per-EPIPE,");
	assert_int_equal(merge2(fx, g("check-h1"), r, t(fx, "mr")), 0);
	v = slurp(t(fx, "mr/verdicts.csv"), NULL);
	assert_non_null(v);
	assert_non_null(strstr(v, "2,seed-go,alone,server,fin,none,inline,0,20,0,PASS,0,mixed,20,0,0.050,-\n"));
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csvread_fields),
		cmocka_unit_test(test_csvread_errors),
		cmocka_unit_test(test_csvread_bounds),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_fisher),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_welch),
		cmocka_unit_test_setup_teardown(test_compare_blocks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compare_goldens, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compare_kinds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compare_malformed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compare_missing_files,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_compare_csv, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge_halves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge_phase_without_cells,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_sided, setup,
						teardown),
	};

	golden_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
