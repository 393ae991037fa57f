/* Reading rststorm's CSV reports back: an RFC 4180 record reader with
 * bounded records, and strict parsers for the numbers the writers print. */
#ifndef RS_CSVREAD_H
#define RS_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest record accepted, in bytes as stored in the file (quotes, line
 * breaks inside quotes and the line end included). rststorm writes records
 * of a few hundred bytes; anything near this is not one of its reports. */
#define RS_CSVR_MAX_RECORD 65536
/* Most fields in one record (summary.csv has 57). */
#define RS_CSVR_MAX_FIELDS 128

struct rs_csvr;

/* Read the stream f, named name in messages (f stays the caller's to
 * close). Returns a reader for rs_csvr_free(), or NULL when out of memory. */
struct rs_csvr *rs_csvr_new(FILE *f, const char *name);

/* Free a reader. NULL is allowed. */
void rs_csvr_free(struct rs_csvr *r);

/*
 * The next record. Returns 1 and its fields in *fields[0..*n) (strings
 * owned by the reader, valid until the next call), 0 at the end of the
 * file, or -EINVAL (malformed) or -EIO (read error) with one line
 * "NAME: line L: reason" in err.
 *
 * Accepted: fields separated by ',', a field either bare (no '"', CR or LF)
 * or wholly in double quotes with each quote inside doubled; records ended
 * by LF, or by CRLF (a CR anywhere else outside quotes is an error); line
 * breaks inside quotes. Refused: an empty line, a NUL byte, a quote inside
 * a bare field or text after a closing quote, a file ending inside quotes
 * (unbalanced quote) or without a line end on its last record (truncated),
 * a record longer than RS_CSVR_MAX_RECORD or with more than
 * RS_CSVR_MAX_FIELDS fields. After an error the reader returns the same
 * error again.
 */
int rs_csvr_next(struct rs_csvr *r, char ***fields, unsigned *n, char *err,
		 size_t errlen);

/* The line the last record returned began on (1-based). */
unsigned long rs_csvr_line(const struct rs_csvr *r);

/* Strict number parsers for report fields: no blanks, no sign unless
 * stated, no hex, the whole string consumed, in range. Return 0 or
 * -EINVAL. */

/* A decimal unsigned 64-bit integer ("0", "18446744073709551615"). */
int rs_csv_u64(const char *s, uint64_t *v);

/* A decimal signed 64-bit integer, '-' allowed. */
int rs_csv_i64(const char *s, int64_t *v);

/* A non-negative fixed-point decimal with at most `decimals` (<= 9)
 * digits after the point ("1.031", "5", "0.5"), as an integer count of
 * 10^-decimals units (1.031 with 3 decimals -> 1031). Exact, unlike
 * strtod, so sums of such fields are exact. */
int rs_csv_fixed(const char *s, unsigned decimals, uint64_t *v);

/* A finite non-negative decimal float ("0.750000", "3.5"): digits with
 * at most one '.', no exponent. */
int rs_csv_float(const char *s, double *v);

#endif
