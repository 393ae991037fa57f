/* A report directory read back into memory: which kind it is (a `run`
 * report or a `check` report), and each of its CSV files checked against
 * the header and column types of src/schema.c, so
 * that compare and merge can trust every field they use. */
#ifndef RS_REPDIR_H
#define RS_REPDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "schema.h"

/* Largest report file read, in bytes: the largest file rststorm writes (a
 * run's histograms.csv with 16 ops) is about 25 MB. Larger files, and
 * files that are not regular files (a FIFO, a device), are refused before
 * they are read, so reading a report needs bounded memory and time. */
#define RS_REPORT_MAX_BYTES (128 << 20)

/* One CSV file: its rows, every field already checked for its type. */
struct rs_rtable {
	bool present;
	unsigned version; /* schema_version of its rows (0 with none) */
	size_t nrows;
	char ***rows;     /* rows[i][col], NUL-terminated strings */
};

struct rs_repdir {
	enum rs_rkind kind;
	char dir[4096];
	struct rs_rtable t[RS_RF_N];
};

/* "run" or "check". */
const char *rs_rkind_name(enum rs_rkind k);

/* The file name ("outcomes.csv"); both mib files are "mib.csv". */
const char *rs_rfile_name(enum rs_rfile f);

/* The kind a file belongs to. */
enum rs_rkind rs_rfile_kind(enum rs_rfile f);

/* Whether a report of its kind must have the file (mib.csv need not). */
bool rs_rfile_required(enum rs_rfile f);

/* The number of documented columns of a file. */
unsigned rs_rfile_ncols(enum rs_rfile f);

/* Write the documented header line of a file, LF-terminated. */
void rs_rfile_header(enum rs_rfile f, FILE *out);

/* The index of a documented column; aborts on a name the file does not
 * have (a programming error, not an input error). */
unsigned rs_rcol(enum rs_rfile f, const char *name);

/*
 * Read the report in dir. Its kind is found from summary.csv (run) or
 * check.csv (check); every required file of that kind must exist and
 * every file must have: the documented header exactly, schema_version 2
 * on every row (or the same older version the reader still takes, whose
 * missing percentile columns are then computed from histograms.csv as
 * merge computes them), the header's number of fields on every row, and fields of
 * the documented types (counts are decimal integers, names known ones,
 * histogram buckets real buckets of src/histo.c, one row in summary.csv
 * and check.csv), no key twice in a file, and the files agreeing with
 * each other (a run's outcomes add up to ops.csv `counted`; a check's
 * cells add up to the trials of their verdicts row, with its closer and
 * close_mode and one op_kind, expected and judged per op). The rows of
 * every file are then sorted by its key (rs_rfile_key) in the writers'
 * order. Returns 0, or -errno with one line naming the file and
 * the reason in err (then d holds nothing to free).
 */
int rs_repdir_load(struct rs_repdir *d, const char *dir, char *err,
		   size_t errlen);

/* rs_repdir_load with flags: RS_RLOAD_NO_HISTOGRAMS takes a run report
 * without histograms.csv (compare, which judges no histogram; the
 * committed kernel matrix reports lack it); its older-version percentile
 * columns then stay as the file has them. */
#define RS_RLOAD_NO_HISTOGRAMS 1u
int rs_repdir_load_opt(struct rs_repdir *d, const char *dir, unsigned flags,
		       char *err, size_t errlen);

/* Most key columns of a file. */
#define RS_RKEY_MAX 8

/* The key columns of file f into cols[RS_RKEY_MAX], in the order the
 * writers sort rows; none for summary.csv and check.csv. Returns their
 * number. */
unsigned rs_rfile_key(enum rs_rfile f, unsigned *cols);

/* Order two rows of file f (which may come from different reports) by the
 * columns cols[0..n): the writers' order (close modes fin, rst, unread,
 * shutdown; results by code; scenarios in catalogue order; numbers by
 * value; other text by strcmp). Returns <0, 0 or >0. */
int rs_rrow_cmp(enum rs_rfile f, char *const *a, char *const *b,
		const unsigned *cols, unsigned n);

/* Read one file f of dir into d->t[f] (replacing what it held) with the
 * checks of rs_repdir_load that concern the file alone (header, schema
 * version, field types, keys, sorted by key), not against other files:
 * for files rs_repdir_load does not read (hold.csv, compare.csv). d may
 * be zeroed or loaded; d->dir is set to dir. Returns 0, or -errno with one
 * line naming the file in err (-ENOENT: it is missing). */
int rs_repdir_load_one(struct rs_repdir *d, enum rs_rfile f,
		       const char *dir, char *err, size_t errlen);

/* Free what rs_repdir_load() read. A zeroed struct is allowed. */
void rs_repdir_free(struct rs_repdir *d);

/* Field col of row i of file f (must be present and i < nrows). */
static inline const char *rs_rfield(const struct rs_repdir *d,
				    enum rs_rfile f, size_t i, unsigned col)
{
	return d->t[f].rows[i][col];
}

/* Field by column name of the first row (summary.csv, check.csv). */
const char *rs_rget1(const struct rs_repdir *d, enum rs_rfile f,
		     const char *col);

/* Typed reads of fields the loader has checked: they cannot fail. */
uint64_t rs_rfield_u64(const char *s);
int64_t rs_rfield_i64(const char *s);
uint64_t rs_rfield_fixed(const char *s, unsigned decimals);

/* Rank helpers for the canonical row order of the writers. */
int rs_mode_rank(const char *mode);      /* all -1, fin 0 .. shutdown 3 */
int rs_phase_rank(const char *phase);    /* socket 0 .. close 5 */
int rs_result_rank(const char *result);  /* result code, abandoned last */
/* A histogram made from histograms.csv rows: rs_histo_sel (out reset),
 * rs_histo_sel_add for each row with its count (rows of another
 * histogram name, close_mode or op_index are skipped; NULL mode or op:
 * any), rs_histo_sel_end. Counts saturate; min and max are the bounds of
 * the lowest and highest non-empty bucket, the exact ones not being in a
 * report. Used by the reader and by merge. */
struct rs_histo_sel {
	const char *name, *mode, *op;
	struct rs_histo *out;
	unsigned ch, cm, co, cl, first, last;
};
struct rs_histo_sel rs_histo_sel(const char *name, const char *mode,
				  const char *op, struct rs_histo *out);
void rs_histo_sel_add(struct rs_histo_sel *s, char **row, uint64_t count);
void rs_histo_sel_end(struct rs_histo_sel *s);

int rs_histname_rank(const char *name);  /* connect_ns 0 .. */
int rs_counter_rank(const char *name);   /* rs_mib_watched order, else big */
int rs_scenario_rank(const char *name);  /* catalogue order, else big */

#endif
