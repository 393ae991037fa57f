/* The one description of every report file rststorm writes: per file its
 * name, kind, key and JSON name; per column its name, type, unit, merge
 * rule, JSON group and meaning. The CSV writers' headers, the reader's
 * checks (repdir.c), merge's rules, the JSON documents and the column
 * tables of docs/csv.md are all made from it: adding a column is one row
 * in src/schema.c. */
#ifndef RS_SCHEMA_H
#define RS_SCHEMA_H

#include <stdbool.h>
#include <stdio.h>

/* schema_version: the first column of every file (docs/csv.md says when
 * it is bumped). */
#define RS_CSV_SCHEMA 2

/* The oldest version the reader still takes: version 1 files lack the
 * columns whose `since` is 2 (p90, p99.9 and max of every percentile
 * set); the reader fills them from the report's histograms. */
#define RS_CSV_SCHEMA_MIN 1

enum rs_rkind { RS_RKIND_RUN, RS_RKIND_CHECK };

/* The files of both kinds. */
enum rs_rfile {
	RS_RF_SUMMARY,    /* run */
	RS_RF_OUTCOMES,
	RS_RF_OPS,
	RS_RF_FAILURES,
	RS_RF_HISTOGRAMS,
	RS_RF_RUN_MIB,    /* run, optional */
	RS_RF_CHECK,      /* check */
	RS_RF_VERDICTS,
	RS_RF_CELLS,
	RS_RF_CHECK_MIB,  /* check, optional */
	RS_RF_HOLD,       /* run --hold: written, not read back */
	RS_RF_CHECK_RST,  /* check --netns: RST reasons, not read back */
	RS_RF_RUN_RST,    /* run --netns: RST reasons, not read back */
	RS_RF_INTERVALS,  /* run --interval: not read back */
	RS_RF_INTERVAL_OPS,
	RS_RF_SEQUENCES,  /* check, optional (reports before it lack it) */
	RS_RF_CMP_RUN,    /* compare --csv of two run reports */
	RS_RF_CMP_CHECK,  /* compare --csv of two check reports */
	RS_RF_CMP_SEQ,    /* compare --csv of two check reports: sequences */
	RS_RF_RUN_BLOCKS, /* run --repeat N: per block outcomes, optional */
	RS_RF_CHECK_BLOCKS, /* check --repeat N: per block cells, optional */
	RS_RF_N
};

/* A column's type: what its fields may hold (rs_schema_type_ok). */
enum rs_ctype {
	RS_CT_SCHEMA,  /* RS_CSV_SCHEMA */
	RS_CT_STR,     /* any non-empty text */
	RS_CT_TIME,    /* ISO 8601 UTC time (checked as non-empty text) */
	RS_CT_U64,
	RS_CT_I64,
	RS_CT_FIX3,    /* non-negative, up to 3 decimals */
	RS_CT_FIX6,
	RS_CT_FLOAT,   /* non-negative decimal */
	RS_CT_SDEC,    /* decimal, may be negative */
	RS_CT_MODE,    /* fin, rst, unread, shutdown */
	RS_CT_HMODE,   /* a mode or all */
	RS_CT_RESULT,  /* a result name of outcome.c */
	RS_CT_FRESULT, /* a result name or abandoned */
	RS_CT_PHASE,   /* socket .. close */
	RS_CT_HIST,    /* connect_ns .. since_close_err_ns */
	RS_CT_CPHASE,  /* alone, load */
	RS_CT_VERDICT, /* PASS, MEASURED, DIFF */
	RS_CT_JUDGED,  /* exact, measured */
	RS_CT_HI,      /* u64 or inf */
	RS_CT_BIT,     /* 0 or 1 */
	RS_CT_OPIDX,   /* 1..RS_MAX_OPS */
	RS_CT_HOPIDX,  /* 0..RS_MAX_OPS */
	RS_CT_STATUS,  /* ok, MISMATCH, not-judged */
	RS_CT_PVAL,    /* a probability printed %.6g, or - (none) */
};

/* How merge makes a column of the sum from the inputs' columns. */
enum rs_mrule {
	RS_MR_SCHEMA,    /* RS_CSV_SCHEMA */
	RS_MR_KEY,       /* part of the key: rows with the same key are added */
	RS_MR_COPY,      /* follows from the key: the first input's */
	RS_MR_SAME,      /* equal in every input, or the merge is refused */
	RS_MR_MIXED,     /* the common value, or `mixed` */
	RS_MR_EARLIEST,  /* the earliest (ISO 8601 sorts as text) */
	RS_MR_SUM,       /* added (exactly; 64-bit overflow refused) */
	RS_MR_SUM0,      /* added; 0 (no limit) when any input has 0 */
	RS_MR_MAX,       /* the largest */
	RS_MR_AND,       /* 1 only when every input has 1 */
	RS_MR_SEED,      /* the common value, or 0 */
	RS_MR_PCT,       /* percentile pct of histogram hist of the sums */
	RS_MR_RECOMPUTE, /* computed again from the merged counts */
	RS_MR_NONE,      /* the file is not merged */
	RS_MR_BLOCK,     /* blocks.csv: each input's blocks kept, renumbered */
};

struct rs_scol {
	const char *name;
	enum rs_ctype type;
	const char *unit;   /* "" when none */
	enum rs_mrule merge;
	/* RS_MR_PCT: the histogram (histograms.csv `histogram`) over the
	 * row's key and the percentile; the writers compute it the same way */
	const char *hist;
	double pct;         /* 0 < pct < 100, or 100 for the maximum */
	/* JSON of a one-row file: the object the field goes in ("" the
	 * document itself); NULL in files of many rows */
	const char *group;
	const char *desc;   /* markdown, one line */
	const char *why;    /* RS_MR_SAME: why a difference is refused */
	unsigned since;     /* the schema version that added it; 0 = 1 */
	/* added within version 1 (since 0) or within version 2 (since 2)
	 * without a bump: early files of that version lack it, and the
	 * reader gives it this value (what every run had before the column
	 * existed); NULL when always there */
	const char *early_v1;
	/* added within version 2 without a bump: early version 2 files lack
	 * it as well (read as early_v1) */
	bool early_v2;
};

struct rs_sfile {
	const char *name;     /* "summary.csv" */
	const char *id;       /* "run/summary.csv": unique, for the docs */
	const char *doc;      /* the document with its column table */
	enum rs_rkind kind;
	bool required;        /* a report of its kind must have it */
	bool readback;        /* compare and merge read it */
	bool one_row;
	const char *json;     /* its name in the JSON document */
	const struct rs_scol *cols;
	unsigned ncols;
	const char *const *key; /* the key columns, in the writers' order */
	unsigned nkey;
};

/* The description of file f. */
const struct rs_sfile *rs_schema_file(enum rs_rfile f);

/* The column col of file f. */
const struct rs_scol *rs_schema_col(enum rs_rfile f, unsigned col);

/* The index of a column, or -1. */
int rs_schema_find(enum rs_rfile f, const char *name);

/* Write the header line of file f, LF-terminated. */
void rs_schema_header(enum rs_rfile f, FILE *out);

/* Whether column c exists in files of schema version v. */
static inline bool rs_scol_in(const struct rs_scol *c, unsigned v)
{
	return (c->since ? c->since : 1) <= v;
}

/* Whether s is a valid field of type t; *why says what is wanted. */
bool rs_schema_type_ok(enum rs_ctype t, const char *s, const char **why);

/* Whether a field of type t holding s is written as a JSON number. */
bool rs_schema_json_number(enum rs_ctype t, const char *s);

/* Whether it is written as JSON null (a p-value of -). */
bool rs_schema_json_null(enum rs_ctype t, const char *s);

/* Names for people: "u64", "sum". */
const char *rs_ctype_name(enum rs_ctype t);
const char *rs_mrule_name(enum rs_mrule r);

/* The markdown block of docs/csv.md for file f: the header line in a code
 * block and the column table. Returns 0 or -errno of the stream. */
int rs_schema_markdown(enum rs_rfile f, FILE *out);

/* The begin and end marker lines around a generated block in
 * docs/csv.md, without the newline, into buf. */
void rs_schema_marker(enum rs_rfile f, bool end, char *buf, size_t len);

/* Compare (write false) or rewrite (write true) the generated blocks of
 * the markdown file path (docs/csv.md, docs/compare.md: the files whose
 * `doc` is its name): each file's block between its markers. Returns 0 (up to date or rewritten), the
 * number of stale blocks (>0, with the first in err), or -errno with err. */
int rs_schema_doc_sync(const char *path, bool write, char *err,
		       size_t errlen);

/* `rststorm schema [--markdown] [--check FILE]`: argv[0] is "schema". */
int rs_cmd_schema(int argc, char **argv);

#endif
