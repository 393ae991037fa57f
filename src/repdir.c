/* A report directory read back and checked against the schema table
 * (src/schema.c): the header, each column's type, keys, and the files
 * against each other. */
#include "repdir.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "histo.h"
#include "mib.h"
#include "outcome.h"
#include "plan.h"
#include "report.h"
#include "scenario.h"
#include "script.h"
#include "tally.h"
#include "util.h"

/* Rows one file may hold: a run's histograms.csv has at most
 * 1216 buckets * (1 + 3 * 4 modes * 16 ops) rows, far below this. */
#define MAX_ROWS 4000000

/* A field echoed in a message: one line, escaped, at most n bytes of it
 * (a compound literal: valid to the end of the enclosing block). */
#define ESC(s, n) rs_esc_field((s), (n), (char[4 * (n) + 8]){ 0 }, 4 * (n) + 8)

/* The files as src/schema.c describes them. */
#define FILE_(f) (*rs_schema_file(f))

const char *rs_rkind_name(enum rs_rkind k)
{
	return k == RS_RKIND_RUN ? "run" : "check";
}

const char *rs_rfile_name(enum rs_rfile f)
{
	return FILE_(f).name;
}

enum rs_rkind rs_rfile_kind(enum rs_rfile f)
{
	return FILE_(f).kind;
}

bool rs_rfile_required(enum rs_rfile f)
{
	return FILE_(f).required;
}

unsigned rs_rfile_ncols(enum rs_rfile f)
{
	return FILE_(f).ncols;
}

void rs_rfile_header(enum rs_rfile f, FILE *out)
{
	for (unsigned i = 0; i < FILE_(f).ncols; i++)
		fprintf(out, "%s%s", i ? "," : "", FILE_(f).cols[i].name);
	fputc('\n', out);
}

unsigned rs_rcol(enum rs_rfile f, const char *name)
{
	for (unsigned i = 0; i < FILE_(f).ncols; i++)
		if (strcmp(FILE_(f).cols[i].name, name) == 0)
			return i;
	fprintf(stderr, "rststorm: internal error: %s has no column %s\n",
		FILE_(f).name, name);
	abort();
}

const char *rs_rget1(const struct rs_repdir *d, enum rs_rfile f,
		     const char *col)
{
	return d->t[f].rows[0][rs_rcol(f, col)];
}

uint64_t rs_rfield_u64(const char *s)
{
	uint64_t v = 0;

	rs_csv_u64(s, &v);
	return v;
}

int64_t rs_rfield_i64(const char *s)
{
	int64_t v = 0;

	rs_csv_i64(s, &v);
	return v;
}

uint64_t rs_rfield_fixed(const char *s, unsigned decimals)
{
	uint64_t v = 0;

	rs_csv_fixed(s, decimals, &v);
	return v;
}

/* ------------------------------------------------------------ ranks */

static int rank_in(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int rs_mode_rank(const char *mode)
{
	if (strcmp(mode, "all") == 0)
		return -1;
	return rs_close_from_name(mode);
}

int rs_phase_rank(const char *phase)
{
	for (unsigned p = 0; p < RS_PH_N; p++)
		if (strcmp(phase, rs_phase_name(p)) == 0)
			return (int)p;
	return -1;
}

int rs_result_rank(const char *result)
{
	if (strcmp(result, "abandoned") == 0)
		return RS_RES_N;
	return rs_result_from_name(result);
}

int rs_histname_rank(const char *name)
{
	static const char *const n[] = { "connect_ns", "op_ns",
					 "since_close_ns",
					 "since_close_err_ns", "pass_ns" };

	return rank_in(name, n, 5);
}

int rs_counter_rank(const char *name)
{
	int r = rank_in(name, (const char *const *)rs_mib_watched,
			(int)rs_mib_nwatched);

	return r < 0 ? 1000000 : r;
}

int rs_scenario_rank(const char *name)
{
	for (size_t i = 0; i < rs_scenario_count(); i++)
		if (strcmp(rs_scenario_at(i)->name, name) == 0)
			return (int)i;
	return 1000000;
}

/* ---------------------------------------------------------- loading */

/* Checks across the fields of one row that the types alone miss. */
static const char *row_ok(enum rs_rfile f, char **row)
{
	if (f == RS_RF_HISTOGRAMS) {
		uint64_t lo = rs_rfield_u64(row[7]), hi = rs_rfield_u64(row[8]);
		unsigned b = rs_histo_bucket_of(lo);

		if (rs_histo_bucket_lo(b) != lo || rs_histo_bucket_hi(b) != hi)
			return "bucket_lo_ns and bucket_hi_ns are not a bucket of the histogram layout (docs/csv.md)";
		if ((strcmp(row[3], "connect_ns") == 0 ||
		     strcmp(row[3], "pass_ns") == 0) !=
		    (strcmp(row[4], "all") == 0 && strcmp(row[5], "0") == 0))
			return "connect_ns and pass_ns go with close_mode all and op_index 0, the other histograms with a close mode and an op";
	}
	return NULL;
}

static void free_table(struct rs_rtable *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i]);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/* A row as one allocation: the pointer array, then the strings. */
static char **copy_row(char **fields, unsigned n)
{
	size_t len = 0;
	char **row;
	char *p;

	for (unsigned i = 0; i < n; i++)
		len += strlen(fields[i]) + 1;
	row = malloc(n * sizeof(char *) + len);
	if (!row)
		return NULL;
	p = (char *)(row + n);
	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(fields[i]) + 1;

		memcpy(p, fields[i], l);
		row[i] = p;
		p += l;
	}
	return row;
}

/*
 * Map the header h (n names) onto the columns of file f in schema version
 * v: map[col] is the header position of each column of that version, or
 * -1 for a column added within version 1 or 2 (early_v1) that an older
 * file of that version lacks. Returns 0, or -EINVAL with the first mismatch in err.
 */
static int header_map(enum rs_rfile f, unsigned v, char **h, unsigned n,
		      int *map, const char *path, char *err, size_t errlen)
{
	unsigned j = 0, want = 0;

	for (unsigned i = 0; i < FILE_(f).ncols; i++) {
		const struct rs_scol *c = &FILE_(f).cols[i];

		map[i] = -1;
		if (!rs_scol_in(c, v))
			continue;
		want++;
		if (j < n && strcmp(h[j], c->name) == 0) {
			map[i] = (int)j++;
			continue;
		}
		if (c->early_v1 && (v == 1 || c->early_v2))
			continue;
		snprintf(err, errlen,
			 "%s: header does not match the documented columns of schema_version %u: column %u is '%.40s', expected '%s'",
			 path, v, j + 1, j < n ? ESC(h[j], 40) : "(none)",
			 c->name);
		return -EINVAL;
	}
	if (j != n) {
		snprintf(err, errlen,
			 "%s: header does not match the documented columns of schema_version %u: %u columns, expected %u",
			 path, v, n, want);
		return -EINVAL;
	}
	return 0;
}

/* A header with no rows after it: any version's header will do. */
static int header_err(enum rs_rfile f, char **h, unsigned n,
		      const char *path, char *err, size_t errlen)
{
	int map[RS_ROW_MAXCOLS];

	for (unsigned v = RS_CSV_SCHEMA_MIN; v < RS_CSV_SCHEMA; v++)
		if (!header_map(f, v, h, n, map, path, err, errlen))
			return 0;
	return header_map(f, RS_CSV_SCHEMA, h, n, map, path, err, errlen);
}

static int open_report_file(const char *path, FILE **fp, char *err,
			    size_t errlen)
{
	struct stat st;
	int fd, e, fl;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: not a regular file (%s): a report holds only the files rststorm wrote",
			 path,
			 S_ISFIFO(st.st_mode) ? "a FIFO" :
			 S_ISDIR(st.st_mode)  ? "a directory" :
			 S_ISSOCK(st.st_mode) ? "a socket" :
						"a device");
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > RS_REPORT_MAX_BYTES) {
		snprintf(err, errlen,
			 "%s: %lld bytes, larger than %d MiB: not a report rststorm wrote",
			 path, (long long)st.st_size,
			 RS_REPORT_MAX_BYTES >> 20);
		close(fd);
		return -EFBIG;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 ||
	    !(*fp = fdopen(fd, "r"))) {
		e = errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	return 0;
}

static int load_file(struct rs_rtable *t, enum rs_rfile f, const char *path,
		     char *err, size_t errlen)
{
	FILE *fp = NULL;
	struct rs_csvr *r = NULL;
	char **fl, **header = NULL;
	unsigned n, hn = 0, want = FILE_(f).ncols;
	char *full[RS_ROW_MAXCOLS];
	int map[RS_ROW_MAXCOLS];
	size_t cap = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	if (want > RS_ROW_MAXCOLS) {
		snprintf(err, errlen, "%s: internal error: %u columns", path,
			 want);
		return -EINVAL;
	}
	ret = open_report_file(path, &fp, err, errlen);
	if (ret)
		return ret;
	r = rs_csvr_new(fp, path);
	if (!r) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	ret = rs_csvr_next(r, &fl, &n, err, errlen);
	if (ret < 0)
		goto out;
	if (ret == 0) {
		snprintf(err, errlen, "%s: empty file: no header line", path);
		ret = -EINVAL;
		goto out;
	}
	header = copy_row(fl, n);
	hn = n;
	if (!header) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while ((ret = rs_csvr_next(r, &fl, &n, err, errlen)) == 1) {
		unsigned long line = rs_csvr_line(r);
		uint64_t v;
		const char *why;
		char **row;

		/* the schema version first: a newer report gets that answer
		 * rather than a header or column count mismatch */
		if (!rs_schema_type_ok(RS_CT_SCHEMA, fl[0], &why)) {
			if (rs_csv_u64(fl[0], &v) == 0 &&
			    strcmp(header[0], "schema_version") == 0)
				snprintf(err, errlen,
					 "%s: line %lu: schema_version %s: this rststorm reads versions %d to %d",
					 path, line, ESC(fl[0], 20),
					 RS_CSV_SCHEMA_MIN, RS_CSV_SCHEMA);
			else if (!header_err(f, header, hn, path, err,
					     errlen))
				snprintf(err, errlen,
					 "%s: line %lu: schema_version is '%s', expected %d",
					 path, line, ESC(fl[0], 40),
					 RS_CSV_SCHEMA);
			ret = -EINVAL;
			goto out;
		}
		rs_csv_u64(fl[0], &v);
		if (!t->nrows) {
			t->version = (unsigned)v;
			if ((ret = header_map(f, t->version, header, hn, map,
					      path, err, errlen)))
				goto out;
		} else if (v != t->version) {
			snprintf(err, errlen,
				 "%s: line %lu: schema_version %s, the rows above are version %u",
				 path, line, fl[0], t->version);
			ret = -EINVAL;
			goto out;
		}
		if (n != hn) {
			snprintf(err, errlen,
				 "%s: line %lu: %u fields, expected %u", path,
				 line, n, hn);
			ret = -EINVAL;
			goto out;
		}
		/* an older version's row at the current columns: a column
		 * added within version 1 gets its early_v1 value, a later
		 * version's percentile "0.000" until fill_old_pcts() */
		for (unsigned i = 0; i < want; i++) {
			const struct rs_scol *c = &FILE_(f).cols[i];

			if (map[i] >= 0)
				full[i] = fl[map[i]];
			else if (rs_scol_in(c, t->version))
				full[i] = (char *)c->early_v1;
			else
				full[i] = (char *)"0.000";
		}
		fl = full;
		n = want;
		for (unsigned i = 0; i < n; i++)
			if (!rs_schema_type_ok(FILE_(f).cols[i].type, fl[i], &why)) {
				snprintf(err, errlen,
					 "%s: line %lu: %s '%s': expected %s",
					 path, line, FILE_(f).cols[i].name,
					 ESC(fl[i], 40), why);
				ret = -EINVAL;
				goto out;
			}
		if ((why = row_ok(f, fl))) {
			snprintf(err, errlen, "%s: line %lu: %s", path, line,
				 why);
			ret = -EINVAL;
			goto out;
		}
		/* a file that grew past the limit while being read */
		if (!(t->nrows & 4095) && ftell(fp) > RS_REPORT_MAX_BYTES) {
			snprintf(err, errlen,
				 "%s: larger than %d MiB: not a report rststorm wrote",
				 path, RS_REPORT_MAX_BYTES >> 20);
			ret = -EFBIG;
			goto out;
		}
		if (t->nrows == MAX_ROWS) {
			snprintf(err, errlen, "%s: more than %d rows", path,
				 MAX_ROWS);
			ret = -EINVAL;
			goto out;
		}
		if (t->nrows == cap) {
			size_t nc = cap ? 2 * cap : 64;
			char ***nr = realloc(t->rows, nc * sizeof(*nr));

			if (!nr) {
				ret = -ENOMEM;
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			t->rows = nr;
			cap = nc;
		}
		row = copy_row(fl, n);
		if (!row) {
			ret = -ENOMEM;
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
		t->rows[t->nrows++] = row;
	}
	if (ret < 0)
		goto out;
	if ((ret = header_err(f, header, hn, path, err, errlen)))
		goto out;
	if ((f == RS_RF_SUMMARY || f == RS_RF_CHECK) && t->nrows != 1) {
		snprintf(err, errlen, "%s: %zu rows, expected exactly one",
			 path, t->nrows);
		ret = -EINVAL;
		goto out;
	}
	t->present = true;
	ret = 0;
out:
	free(header);
	rs_csvr_free(r);
	fclose(fp);
	if (ret)
		free_table(t);
	return ret;
}


/* ---------------------------------------------------- order and keys */

unsigned rs_rfile_key(enum rs_rfile f, unsigned *cols)
{
	const struct rs_sfile *s = rs_schema_file(f);

	for (unsigned i = 0; i < s->nkey; i++)
		cols[i] = rs_rcol(f, s->key[i]);
	return s->nkey;
}

/* A number that sorts a field of column col as the writers order rows.
 * Text columns are then compared as strings (see rs_rrow_cmp). */
static int64_t field_rank(enum rs_rfile f, unsigned col, const char *s)
{
	const struct rs_scol *c = rs_schema_col(f, col);

	switch (c->type) {
	case RS_CT_MODE:
	case RS_CT_HMODE:
		return rs_mode_rank(s);
	case RS_CT_RESULT:
	case RS_CT_FRESULT:
		return rs_result_rank(s);
	case RS_CT_PHASE:
		return rs_phase_rank(s);
	case RS_CT_HIST:
		return rs_histname_rank(s);
	case RS_CT_CPHASE:
		return strcmp(s, "load") == 0;
	case RS_CT_OPIDX:
	case RS_CT_HOPIDX:
	case RS_CT_U64:
		return (int64_t)(rs_rfield_u64(s) & INT64_MAX);
	case RS_CT_STR:
		if (strcmp(c->name, "scenario") == 0)
			return rs_scenario_rank(s);
		if (strcmp(c->name, "counter") == 0)
			return rs_counter_rank(s);
		return 0;
	default:
		return 0;
	}
}

int rs_rrow_cmp(enum rs_rfile f, char *const *a, char *const *b,
		const unsigned *cols, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned c = cols[i];
		int64_t ra = field_rank(f, c, a[c]);
		int64_t rb = field_rank(f, c, b[c]);
		int s;

		if (ra != rb)
			return ra < rb ? -1 : 1;
		if (FILE_(f).cols[c].type == RS_CT_STR &&
		    (s = strcmp(a[c], b[c])) != 0)
			return s < 0 ? -1 : 1;
	}
	return 0;
}

struct sort_ctx {
	enum rs_rfile f;
	unsigned cols[RS_RKEY_MAX], n;
};

static int sort_cmp(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *c = arg;

	return rs_rrow_cmp(c->f, *(char **const *)x, *(char **const *)y,
			   c->cols, c->n);
}

/* The key of a row as text, for messages: "fin,2,EPIPE". */
static void key_text(enum rs_rfile f, char **row, const unsigned *cols,
		     unsigned n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && used + 1 < len; i++) {
		snprintf(buf + used, len - used, "%s%s", i ? "," : "",
			 ESC(row[cols[i]], 40));
		used = strlen(buf);
	}
	(void)f;
}

/* Sort the rows of a file by its key; a key twice is an error. */
static int sort_table(struct rs_repdir *d, enum rs_rfile f, char *err,
		      size_t errlen)
{
	struct rs_rtable *t = &d->t[f];
	struct sort_ctx c = { .f = f };

	c.n = rs_rfile_key(f, c.cols);
	if (!t->present || !c.n || t->nrows < 2)
		return 0;
	qsort_r(t->rows, t->nrows, sizeof(t->rows[0]), sort_cmp, &c);
	for (size_t i = 1; i < t->nrows; i++)
		if (!rs_rrow_cmp(f, t->rows[i - 1], t->rows[i], c.cols, c.n)) {
			char k[200];

			key_text(f, t->rows[i], c.cols, c.n, k, sizeof(k));
			snprintf(err, errlen,
				 "%s/%s: two rows with the same key (%s)",
				 d->dir, FILE_(f).name, k);
			return -EINVAL;
		}
	return 0;
}

static int add_u64(uint64_t *sum, uint64_t v)
{
	return __builtin_add_overflow(*sum, v, sum) ? -EOVERFLOW : 0;
}

/* blocks.csv against the totals (outcomes.csv, cells.csv): per key (the
 * blocks' key without `block`) the blocks add up to the total's count,
 * and no total lacks its blocks. */
static int check_blocks(struct rs_repdir *d, enum rs_rfile B, enum rs_rfile T,
			char *err, size_t errlen)
{
	const struct rs_rtable *b = &d->t[B], *t = &d->t[T];
	struct sort_ctx sc = { .f = B };
	unsigned bk[RS_RKEY_MAX], tk[RS_RKEY_MAX], nb, nt;
	unsigned bc = rs_rcol(B, "count"), tc = rs_rcol(T, "count");
	char ***rows;
	size_t i = 0, j = 0;
	char k[200];
	int ret = 0;

	if (!b->present)
		return 0;
	nb = rs_rfile_key(B, bk);
	nt = rs_rfile_key(T, tk);
	/* the totals' key, by name, is the blocks' without `block` first */
	for (unsigned x = 0; x < nt; x++)
		tk[x] = rs_rcol(T, rs_schema_col(B, bk[x + 1])->name);
	if (nb != nt + 1)
		abort();
	rows = malloc((b->nrows + 1) * sizeof(*rows));
	if (!rows) {
		snprintf(err, errlen, "%s: out of memory", d->dir);
		return -ENOMEM;
	}
	memcpy(rows, b->rows, b->nrows * sizeof(*rows));
	sc.n = nt;
	memcpy(sc.cols, bk + 1, nt * sizeof(*bk));
	qsort_r(rows, b->nrows, sizeof(*rows), sort_cmp, &sc);
	while (i < b->nrows || j < t->nrows) {
		char *tmp[RS_ROW_MAXCOLS];
		uint64_t sum = 0;
		int c;

		if (i < b->nrows)
			for (unsigned x = 0; x < nt; x++)
				tmp[tk[x]] = rows[i][bk[x + 1]];
		c = i == b->nrows ? 1 :
		    j == t->nrows ? -1 :
				    -rs_rrow_cmp(T, t->rows[j], tmp, tk, nt);
		if (c > 0) {
			key_text(T, t->rows[j], tk, nt, k, sizeof(k));
			snprintf(err, errlen,
				 "%s/%s: (%s) has no rows in blocks.csv",
				 d->dir, FILE_(T).name, k);
			ret = -EINVAL;
			break;
		}
		key_text(B, rows[i], bk + 1, nt, k, sizeof(k));
		for (size_t g = i; i < b->nrows &&
				   !rs_rrow_cmp(B, rows[i], rows[g], bk + 1, nt);
		     i++)
			if (add_u64(&sum, rs_rfield_u64(rows[i][bc]))) {
				snprintf(err, errlen,
					 "%s/blocks.csv: (%s): counts overflow 64 bits",
					 d->dir, k);
				ret = -EINVAL;
				goto out;
			}
		if (c < 0 || sum != rs_rfield_u64(t->rows[j][tc])) {
			snprintf(err, errlen,
				 "%s/blocks.csv: (%s): the blocks add to %" PRIu64
				 ", %s says %s",
				 d->dir, k, sum, FILE_(T).name,
				 c < 0 ? "nothing" : t->rows[j][tc]);
			ret = -EINVAL;
			break;
		}
		j++;
	}
out:
	free(rows);
	return ret;
}

/* outcomes.csv against ops.csv: every (mode, op) group of outcomes has its
 * ops row, with the same op_kind, and its counts add to `counted`. */
static int check_run(struct rs_repdir *d, char *err, size_t errlen)
{
	const struct rs_rtable *o = &d->t[RS_RF_OUTCOMES];
	const struct rs_rtable *p = &d->t[RS_RF_OPS];
	unsigned ok[RS_RKEY_MAX], pk[RS_RKEY_MAX];
	unsigned okind = rs_rcol(RS_RF_OUTCOMES, "op_kind");
	unsigned ocount = rs_rcol(RS_RF_OUTCOMES, "count");
	unsigned pkind = rs_rcol(RS_RF_OPS, "op_kind");
	unsigned pcounted = rs_rcol(RS_RF_OPS, "counted");
	size_t j = 0;
	char k[200];

	rs_rfile_key(RS_RF_OUTCOMES, ok);
	rs_rfile_key(RS_RF_OPS, pk);
	for (size_t i = 0; i < o->nrows;) {
		uint64_t sum = 0;
		size_t g = i;
		int c = 1;

		/* both sorted: find the ops row of this group */
		while (j < p->nrows) {
			char *tmp[16];

			/* compare on the ops key using the outcome row's
			 * fields at the ops column positions */
			for (unsigned x = 0; x < 4; x++)
				tmp[pk[x]] = o->rows[i][ok[x]];
			c = rs_rrow_cmp(RS_RF_OPS, p->rows[j], tmp, pk, 4);
			if (c >= 0)
				break;
			j++;
		}
		key_text(RS_RF_OUTCOMES, o->rows[i], ok, 4, k, sizeof(k));
		if (j == p->nrows || c != 0) {
			snprintf(err, errlen,
				 "%s/outcomes.csv: (%s) has no row in ops.csv",
				 d->dir, k);
			return -EINVAL;
		}
		for (; g < o->nrows &&
		       !rs_rrow_cmp(RS_RF_OUTCOMES, o->rows[g], o->rows[i],
				    ok, 4);
		     g++) {
			if (strcmp(o->rows[g][okind], p->rows[j][pkind]) != 0) {
				snprintf(err, errlen,
					 "%s/outcomes.csv: (%s) is op_kind %s, ops.csv says %s",
					 d->dir, k, ESC(o->rows[g][okind], 20),
					 ESC(p->rows[j][pkind], 20));
				return -EINVAL;
			}
			if (add_u64(&sum, rs_rfield_u64(o->rows[g][ocount]))) {
				snprintf(err, errlen,
					 "%s/outcomes.csv: (%s): counts overflow 64 bits",
					 d->dir, k);
				return -EINVAL;
			}
		}
		if (sum != rs_rfield_u64(p->rows[j][pcounted])) {
			snprintf(err, errlen,
				 "%s/outcomes.csv: (%s): counts add to %" PRIu64
				 ", ops.csv says counted %s",
				 d->dir, k, sum, p->rows[j][pcounted]);
			return -EINVAL;
		}
		i = g;
	}
	return 0;
}

/* cells.csv against verdicts.csv: every (scenario, phase, op) group of
 * cells has its verdicts row with the same closer and close_mode, one
 * op_kind, expected and judged, and counts that add to its trials. */
static int check_check(struct rs_repdir *d, char *err, size_t errlen)
{
	const struct rs_rtable *c = &d->t[RS_RF_CELLS];
	const struct rs_rtable *v = &d->t[RS_RF_VERDICTS];
	unsigned gk[3], vk[RS_RKEY_MAX];
	static const char *const same[] = { "closer", "close_mode" };
	static const char *const fixed[] = { "op_kind", "expected", "judged" };
	unsigned ccount = rs_rcol(RS_RF_CELLS, "count");
	unsigned vtrials = rs_rcol(RS_RF_VERDICTS, "trials");
	size_t j = 0;
	char k[200];

	gk[0] = rs_rcol(RS_RF_CELLS, "scenario");
	gk[1] = rs_rcol(RS_RF_CELLS, "phase");
	gk[2] = rs_rcol(RS_RF_CELLS, "op_index");
	rs_rfile_key(RS_RF_VERDICTS, vk);
	for (size_t i = 0; i < c->nrows;) {
		uint64_t sum = 0;
		size_t g;
		int cmp = 1;

		while (j < v->nrows) {
			char *tmp[32];

			tmp[vk[0]] = c->rows[i][gk[0]];
			tmp[vk[1]] = c->rows[i][gk[1]];
			cmp = rs_rrow_cmp(RS_RF_VERDICTS, v->rows[j], tmp, vk,
					  2);
			if (cmp >= 0)
				break;
			j++;
		}
		key_text(RS_RF_CELLS, c->rows[i], gk, 3, k, sizeof(k));
		if (j == v->nrows || cmp != 0) {
			snprintf(err, errlen,
				 "%s/cells.csv: (%s) has no row in verdicts.csv",
				 d->dir, k);
			return -EINVAL;
		}
		for (unsigned x = 0; x < 2; x++)
			if (strcmp(c->rows[i][rs_rcol(RS_RF_CELLS, same[x])],
				   v->rows[j][rs_rcol(RS_RF_VERDICTS,
						      same[x])]) != 0) {
				snprintf(err, errlen,
					 "%s/cells.csv: (%s): %s differs from verdicts.csv",
					 d->dir, k, same[x]);
				return -EINVAL;
			}
		for (g = i; g < c->nrows &&
			    !rs_rrow_cmp(RS_RF_CELLS, c->rows[g], c->rows[i],
					 gk, 3);
		     g++) {
			for (unsigned x = 0; x < 3; x++) {
				unsigned col = rs_rcol(RS_RF_CELLS, fixed[x]);

				if (strcmp(c->rows[g][col], c->rows[i][col])) {
					snprintf(err, errlen,
						 "%s/cells.csv: (%s): two values of %s",
						 d->dir, k, fixed[x]);
					return -EINVAL;
				}
			}
			if (add_u64(&sum, rs_rfield_u64(c->rows[g][ccount]))) {
				snprintf(err, errlen,
					 "%s/cells.csv: (%s): counts overflow 64 bits",
					 d->dir, k);
				return -EINVAL;
			}
		}
		if (sum != rs_rfield_u64(v->rows[j][vtrials])) {
			snprintf(err, errlen,
				 "%s/cells.csv: (%s): counts add to %" PRIu64
				 ", verdicts.csv says %s trials",
				 d->dir, k, sum, v->rows[j][vtrials]);
			return -EINVAL;
		}
		i = g;
	}
	return 0;
}

/* sequences.csv (when there) against verdicts.csv: every (scenario,
 * phase) of sequences has its verdicts row, with the same closer and
 * close_mode, and counts that add to its trials. */
static int check_sequences(struct rs_repdir *d, char *err, size_t errlen)
{
	const enum rs_rfile Q = RS_RF_SEQUENCES;
	const struct rs_rtable *q = &d->t[Q];
	const struct rs_rtable *v = &d->t[RS_RF_VERDICTS];
	static const char *const same[] = { "closer", "close_mode" };
	unsigned qk[RS_RKEY_MAX], vk[RS_RKEY_MAX];
	unsigned qcount = rs_rcol(Q, "count");
	unsigned vtrials = rs_rcol(RS_RF_VERDICTS, "trials");
	size_t j = 0;
	char k[200];

	if (!q->present)
		return 0;
	rs_rfile_key(Q, qk);
	rs_rfile_key(RS_RF_VERDICTS, vk);
	for (size_t i = 0; i < q->nrows;) {
		uint64_t sum = 0;
		size_t g;
		int cmp = 1;

		while (j < v->nrows) {
			char *tmp[32];

			tmp[vk[0]] = q->rows[i][qk[0]];
			tmp[vk[1]] = q->rows[i][qk[1]];
			cmp = rs_rrow_cmp(RS_RF_VERDICTS, v->rows[j], tmp, vk,
					  2);
			if (cmp >= 0)
				break;
			j++;
		}
		key_text(Q, q->rows[i], qk, 2, k, sizeof(k));
		if (j == v->nrows || cmp != 0) {
			snprintf(err, errlen,
				 "%s/sequences.csv: (%s) has no row in verdicts.csv",
				 d->dir, k);
			return -EINVAL;
		}
		for (g = i; g < q->nrows &&
			    !rs_rrow_cmp(Q, q->rows[g], q->rows[i], qk, 2);
		     g++) {
			for (unsigned x = 0; x < 2; x++)
				if (strcmp(q->rows[g][rs_rcol(Q, same[x])],
					   v->rows[j][rs_rcol(RS_RF_VERDICTS,
							      same[x])])) {
					snprintf(err, errlen,
						 "%s/sequences.csv: (%s): %s differs from verdicts.csv",
						 d->dir, k, same[x]);
					return -EINVAL;
				}
			if (add_u64(&sum, rs_rfield_u64(q->rows[g][qcount]))) {
				snprintf(err, errlen,
					 "%s/sequences.csv: (%s): counts overflow 64 bits",
					 d->dir, k);
				return -EINVAL;
			}
		}
		if (sum != rs_rfield_u64(v->rows[j][vtrials])) {
			snprintf(err, errlen,
				 "%s/sequences.csv: (%s): counts add to %" PRIu64
				 ", verdicts.csv says %s trials",
				 d->dir, k, sum, v->rows[j][vtrials]);
			return -EINVAL;
		}
		i = g;
	}
	return 0;
}

struct rs_histo_sel rs_histo_sel(const char *name, const char *mode,
				  const char *op, struct rs_histo *out)
{
	struct rs_histo_sel s = {
		.name = name, .mode = mode, .op = op, .out = out,
		.ch = rs_rcol(RS_RF_HISTOGRAMS, "histogram"),
		.cm = rs_rcol(RS_RF_HISTOGRAMS, "close_mode"),
		.co = rs_rcol(RS_RF_HISTOGRAMS, "op_index"),
		.cl = rs_rcol(RS_RF_HISTOGRAMS, "bucket_lo_ns"),
		.first = RS_HISTO_NBUCKETS,
	};

	rs_histo_reset(out);
	return s;
}

void rs_histo_sel_add(struct rs_histo_sel *s, char **r, uint64_t c)
{
	struct rs_histo *out = s->out;
	unsigned b;

	if (strcmp(r[s->ch], s->name) || (s->mode && strcmp(r[s->cm], s->mode)) ||
	    (s->op && strcmp(r[s->co], s->op)) || !c)
		return;
	b = rs_histo_bucket_of(rs_rfield_u64(r[s->cl]));
	/* saturate: a hostile file cannot wrap the counts */
	out->bucket[b] = out->bucket[b] + c < c ? UINT64_MAX : out->bucket[b] + c;
	out->count = out->count + c < c ? UINT64_MAX : out->count + c;
	if (b < s->first)
		s->first = b;
	if (b > s->last)
		s->last = b;
}

void rs_histo_sel_end(struct rs_histo_sel *s)
{
	if (s->first < RS_HISTO_NBUCKETS) {
		s->out->min = rs_histo_bucket_lo(s->first);
		s->out->max = rs_histo_bucket_hi(s->last);
	}
}

/* Histogram name of the rows of h with close_mode mode and op_index op
 * (NULL: any) into out (rs_histo_sel). */
static void histo_from(const struct rs_rtable *h, const char *name,
		       const char *mode, const char *op, struct rs_histo *out)
{
	struct rs_histo_sel s = rs_histo_sel(name, mode, op, out);
	unsigned cc = rs_rcol(RS_RF_HISTOGRAMS, "count");

	for (size_t i = 0; i < h->nrows; i++)
		rs_histo_sel_add(&s, h->rows[i], rs_rfield_u64(h->rows[i][cc]));
	rs_histo_sel_end(&s);
}

/* The percentile columns an older version's rows lack (they hold
 * "0.000"), computed from histograms.csv: summary.csv and ops.csv of a
 * version 1 run report. */
static int fill_old_pcts(struct rs_repdir *d, enum rs_rfile f, char *err,
			 size_t errlen)
{
	struct rs_rtable *t = &d->t[f];
	const struct rs_sfile *sf = rs_schema_file(f);
	int cm = rs_schema_find(f, "close_mode");
	int co = rs_schema_find(f, "op_index");
	struct rs_histo *h;
	char buf[RS_ROW_MAXCOLS][32];
	char *full[RS_ROW_MAXCOLS];

	if (!t->present || t->version >= RS_CSV_SCHEMA ||
	    !d->t[RS_RF_HISTOGRAMS].present)
		return 0;
	h = malloc(sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "%s: out of memory", d->dir);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->nrows; i++) {
		char **row = t->rows[i], **nr;

		for (unsigned c = 0; c < sf->ncols; c++) {
			const struct rs_scol *col = &sf->cols[c];

			full[c] = row[c];
			if (rs_scol_in(col, t->version) ||
			    col->merge != RS_MR_PCT)
				continue;
			histo_from(&d->t[RS_RF_HISTOGRAMS], col->hist,
				   cm >= 0 ? row[cm] : NULL,
				   co >= 0 ? row[co] : NULL, h);
			snprintf(buf[c], sizeof(buf[c]), "%.3f",
				 (double)rs_histo_percentile(h, col->pct) /
					 1e3);
			full[c] = buf[c];
		}
		nr = copy_row(full, sf->ncols);
		if (!nr) {
			free(h);
			snprintf(err, errlen, "%s: out of memory", d->dir);
			return -ENOMEM;
		}
		free(row);
		t->rows[i] = nr;
	}
	free(h);
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int rs_repdir_load(struct rs_repdir *d, const char *dir, char *err,
		   size_t errlen)
{
	return rs_repdir_load_opt(d, dir, 0, err, errlen);
}

int rs_repdir_load_opt(struct rs_repdir *d, const char *dir, unsigned flags,
		       char *err, size_t errlen)
{
	char path[4200];
	struct stat st;
	bool run, check;
	int ret;

	memset(d, 0, sizeof(*d));
	if (strlen(dir) >= sizeof(d->dir)) {
		snprintf(err, errlen, "%.60s...: path too long", dir);
		return -ENAMETOOLONG;
	}
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	if (stat(dir, &st) != 0) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot read the report: %s", dir,
			 strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: not a directory (a report is the directory given to --csv)",
			 dir);
		return -ENOTDIR;
	}
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	run = exists(path);
	snprintf(path, sizeof(path), "%s/check.csv", dir);
	check = exists(path);
	if (run && check) {
		snprintf(err, errlen,
			 "%s: holds both summary.csv (a run report) and check.csv (a check report): give each report its own directory",
			 dir);
		return -EINVAL;
	}
	if (!run && !check) {
		snprintf(err, errlen,
			 "%s: not a report: no summary.csv (rststorm run --csv) or check.csv (rststorm check --csv)",
			 dir);
		return -EINVAL;
	}
	d->kind = run ? RS_RKIND_RUN : RS_RKIND_CHECK;
	for (unsigned f = 0; f < RS_RF_N; f++) {
		if (FILE_(f).kind != d->kind || !FILE_(f).readback)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, FILE_(f).name);
		if ((!FILE_(f).required ||
		     (f == RS_RF_HISTOGRAMS &&
		      (flags & RS_RLOAD_NO_HISTOGRAMS))) &&
		    !exists(path))
			continue;
		ret = load_file(&d->t[f], f, path, err, errlen);
		if (ret) {
			if (ret == -ENOENT)
				snprintf(err, errlen,
					 "%s: missing: a %s report has it (%s)",
					 path, rs_rkind_name(d->kind),
					 d->kind == RS_RKIND_RUN ?
						 "summary, outcomes, ops, failures, histograms" :
						 "check, verdicts, cells");
			rs_repdir_free(d);
			return ret;
		}
	}
	for (unsigned f = 0; f < RS_RF_N; f++)
		if ((ret = fill_old_pcts(d, f, err, errlen)) ||
		    (ret = sort_table(d, f, err, errlen)))
			goto bad;
	ret = d->kind == RS_RKIND_RUN ? check_run(d, err, errlen) :
					check_check(d, err, errlen);
	if (!ret && d->kind == RS_RKIND_CHECK)
		ret = check_sequences(d, err, errlen);
	if (!ret)
		ret = d->kind == RS_RKIND_RUN ?
			      check_blocks(d, RS_RF_RUN_BLOCKS, RS_RF_OUTCOMES,
					   err, errlen) :
			      check_blocks(d, RS_RF_CHECK_BLOCKS, RS_RF_CELLS,
					   err, errlen);
	if (ret)
		goto bad;
	return 0;
bad:
	rs_repdir_free(d);
	return ret;
}

int rs_repdir_load_one(struct rs_repdir *d, enum rs_rfile f,
		       const char *dir, char *err, size_t errlen)
{
	char path[4200];
	int ret;

	if (strlen(dir) >= sizeof(d->dir)) {
		snprintf(err, errlen, "%.60s...: path too long", dir);
		return -ENAMETOOLONG;
	}
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	free_table(&d->t[f]);
	snprintf(path, sizeof(path), "%s/%s", dir, FILE_(f).name);
	ret = load_file(&d->t[f], f, path, err, errlen);
	if (!ret && (ret = sort_table(d, f, err, errlen)))
		free_table(&d->t[f]);
	return ret;
}

void rs_repdir_free(struct rs_repdir *d)
{
	for (unsigned f = 0; f < RS_RF_N; f++)
		free_table(&d->t[f]);
}
