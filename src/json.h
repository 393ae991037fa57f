/* A small JSON writer, and the schema-versioned JSON document of a report
 * (`--json FILE|-` on run, check, merge and compare): the same rows as
 * the CSV files, field names = the CSV column names, numbers as the CSV
 * writes them (exact), strings escaped (control characters and bytes that
 * are not UTF-8 as \u00XX). */
#ifndef RS_JSON_H
#define RS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "schema.h"

#define RS_JSON_DEPTH 16

struct rs_json {
	FILE *f;
	unsigned depth;
	bool first[RS_JSON_DEPTH]; /* nothing written yet at this depth */
};

/* Write s as a JSON string, quotes included: ", \ and the control
 * characters escaped (\n, \t, \r, \b, \f, else \u00XX), valid UTF-8 kept
 * as is, and every byte that is not part of a valid UTF-8 sequence (a
 * stray continuation byte, an overlong form, a surrogate, a truncated
 * sequence, 0xF5..0xFF) written as \u00XX. Pure apart from the stream. */
void rs_json_string(FILE *f, const char *s);

/* Whether s is a JSON number (RFC 8259): -?digits (no leading zero),
 * optionally .digits, optionally e[+-]digits; no leading + or . */
bool rs_json_number_ok(const char *s);

void rs_json_init(struct rs_json *j, FILE *f);
/* Open an object or array: as a member named key of the enclosing object,
 * or (key NULL) as an element of the enclosing array or the document. */
void rs_json_begin(struct rs_json *j, const char *key, char brace);
void rs_json_end(struct rs_json *j, char brace);
/* Members and elements (key NULL in an array). */
void rs_json_str(struct rs_json *j, const char *key, const char *v);
void rs_json_u64(struct rs_json *j, const char *key, uint64_t v);
void rs_json_dbl(struct rs_json *j, const char *key, double v);
void rs_json_null(struct rs_json *j, const char *key);
/* A number written as its text (checked with rs_json_number_ok: a text
 * that is not one is written as a string). */
void rs_json_num(struct rs_json *j, const char *key, const char *v);

/* Where a JSON document goes: FILE (a temporary file in its directory,
 * created O_EXCL|O_NOFOLLOW and renamed into place on success) or "-"
 * (standard output, kept aside by rs_json_claim_stdout). */
struct rs_json_out {
	FILE *f;
	bool to_stdout;
	struct rs_csv_out file;
};

/* With --json -, the document is the only thing on standard output:
 * what the command prints for people goes to standard error. Call once,
 * before anything is printed. Returns 0 or -errno. */
int rs_json_claim_stdout(void);

int rs_json_open(struct rs_json_out *o, const char *path, char *err,
		 size_t errlen);
int rs_json_close(struct rs_json_out *o, char *err, size_t errlen);
/* On a failure after open: remove the temporary file. */
void rs_json_abort(struct rs_json_out *o);

/* Check that --json's value can be written (a directory that exists and
 * accepts a file), before any work. Returns 0, or -errno with one line
 * naming --json, the path and what to do in err. */
int rs_json_prepare(const char *path, char *err, size_t errlen);

/* A report as JSON: the CSV text of each of its files (NULL: absent). */
struct rs_jdoc {
	const char *command; /* "run", "check", "merge" */
	enum rs_rkind kind;
	char *text[RS_RF_N];
	size_t len[RS_RF_N];
	const char *const *inputs; /* merge: the input directories */
	unsigned ninputs;
};

/*
 * Write the document of d to path (FILE or -):
 * {"schema_version":1,"command":...,"kind":..., then the one-row file's
 * columns by their schema group ("config", "path", "books", ...; group ""
 * at the top: "family", "target", "clock"), then each file of many rows
 * as an array of objects under its JSON name ("outcomes", "verdicts", ...)
 * and a one-row file other than the head as an object ("hold")}. Fields
 * of numeric types are JSON numbers, exactly as in the CSV. Returns 0, or
 * -errno with err.
 */
int rs_jdoc_write(const struct rs_jdoc *d, const char *path, char *err,
		  size_t errlen);

/* The same into an open writer, as one object (the whole document). */
int rs_jdoc_emit(const struct rs_jdoc *d, struct rs_json *j, char *err,
		 size_t errlen);

/* One field of column c, its text v typed by the schema: a number,
 * null (a p-value of -) or a string. */
void rs_json_field(struct rs_json *j, const struct rs_scol *c, const char *v);

/* The rows of the CSV text (len bytes) of file f as an array named key of
 * the current object: one object per row, without schema_version, typed
 * by the schema. Returns 0 or -errno with err. */
int rs_json_rows(struct rs_json *j, const char *key, enum rs_rfile f,
		 char *text, size_t len, char *err, size_t errlen);

/* Free the texts. */
void rs_jdoc_free(struct rs_jdoc *d);

/* File f of d rendered in memory: the CSV writer writes to the FILE
 * returned, then rs_jdoc_end closes it into d->text[f]. NULL, or nonzero
 * from rs_jdoc_end, is out of memory (with err). */
FILE *rs_jdoc_begin(struct rs_jdoc *d, enum rs_rfile f, char *err,
		    size_t errlen);
int rs_jdoc_end(FILE *m, char *err, size_t errlen);

/* Read the files of a report directory of kind k into d->text (the ones
 * present). Returns 0 or -errno with err. */
int rs_jdoc_read_dir(struct rs_jdoc *d, const char *dir, char *err,
		     size_t errlen);

#endif
