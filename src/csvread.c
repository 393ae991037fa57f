/* RFC 4180 record reader with bounded records, and strict number parsers
 * for the fields of rststorm's reports. See csvread.h for what is accepted. */
#include "csvread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct rs_csvr {
	FILE *f;
	const char *name;
	unsigned long line;	/* line the next byte is on */
	unsigned long rec_line;	/* line the last record began on */
	int err;		/* sticky error, 0 if none */
	char msg[256];		/* its message */
	size_t len;		/* bytes used in buf */
	char buf[RS_CSVR_MAX_RECORD + 1];
	char *field[RS_CSVR_MAX_FIELDS];
};

struct rs_csvr *rs_csvr_new(FILE *f, const char *name)
{
	struct rs_csvr *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->f = f;
	r->name = name;
	r->line = 1;
	return r;
}

void rs_csvr_free(struct rs_csvr *r)
{
	free(r);
}

unsigned long rs_csvr_line(const struct rs_csvr *r)
{
	return r->rec_line;
}

static int fail(struct rs_csvr *r, int e, unsigned long line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct rs_csvr *r, int e, unsigned long line,
		const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(r->msg, sizeof(r->msg), "%s: line %lu: %s", r->name, line,
		 why);
	r->err = e;
	return -e;
}

/* The next byte, or EOF; a read error is remembered in r->err. */
static int next_byte(struct rs_csvr *r, size_t *raw)
{
	int c = getc(r->f);

	if (c == EOF) {
		if (ferror(r->f))
			return fail(r, EIO, r->line, "cannot read: %s",
				    strerror(errno)),
			       EOF;
		return EOF;
	}
	if (++*raw > RS_CSVR_MAX_RECORD) {
		fail(r, EINVAL, r->rec_line,
		     "record longer than %d bytes: not a rststorm report",
		     RS_CSVR_MAX_RECORD);
		return EOF;
	}
	if (c == '\n')
		r->line++;
	return c;
}

/* Append a byte of field content; room is guaranteed by the raw bound. */
static void put(struct rs_csvr *r, char c)
{
	r->buf[r->len++] = c;
}

int rs_csvr_next(struct rs_csvr *r, char ***fields, unsigned *n, char *err,
		 size_t errlen)
{
	size_t raw = 0;
	unsigned nf = 0;
	int c;

	if (r->err)
		goto out;
	r->len = 0;
	r->rec_line = r->line;
	c = next_byte(r, &raw);
	if (c == EOF)
		goto out;
	for (;;) {
		/* c is the first byte of a field */
		if (nf == RS_CSVR_MAX_FIELDS) {
			fail(r, EINVAL, r->rec_line, "more than %d fields",
			     RS_CSVR_MAX_FIELDS);
			goto out;
		}
		r->field[nf++] = r->buf + r->len;
		if (c == '"') {
			unsigned long qline = r->line;

			for (;;) {
				c = next_byte(r, &raw);
				if (c == EOF) {
					if (!r->err)
						fail(r, EINVAL, qline,
						     "unbalanced quote: the file ends inside a quoted field");
					goto out;
				}
				if (c == '\0') {
					fail(r, EINVAL, r->line, "NUL byte");
					goto out;
				}
				if (c != '"') {
					put(r, (char)c);
					continue;
				}
				c = next_byte(r, &raw);
				if (c != '"')
					break;
				put(r, '"');
			}
			/* after the closing quote: ',' or the line end */
			if (c != ',' && c != '\n' && c != '\r') {
				if (r->err)
					goto out;
				if (c == EOF)
					fail(r, EINVAL, r->line,
					     "no line end after the last record: the file is truncated");
				else
					fail(r, EINVAL, r->line,
					     "text after a closing quote (field %u)",
					     nf);
				goto out;
			}
		} else {
			while (c != ',' && c != '\n' && c != '\r') {
				if (c == EOF) {
					if (!r->err)
						fail(r, EINVAL, r->line,
						     "no line end after the last record: the file is truncated");
					goto out;
				}
				if (c == '"') {
					fail(r, EINVAL, r->line,
					     "quote inside an unquoted field (field %u)",
					     nf);
					goto out;
				}
				if (c == '\0') {
					fail(r, EINVAL, r->line, "NUL byte");
					goto out;
				}
				put(r, (char)c);
				c = next_byte(r, &raw);
			}
		}
		put(r, '\0');
		if (c == ',') {
			c = next_byte(r, &raw);
			continue;
		}
		if (c == '\r') {
			/* CRLF is tolerated; a lone CR is not a line end */
			c = next_byte(r, &raw);
			if (c != '\n') {
				if (!r->err)
					fail(r, EINVAL, r->line,
					     "carriage return not followed by a line feed");
				goto out;
			}
		}
		break;
	}
	if (nf == 1 && r->field[0][0] == '\0') {
		fail(r, EINVAL, r->rec_line, "empty line");
		goto out;
	}
	*fields = r->field;
	*n = nf;
	return 1;
out:
	if (!r->err)
		return 0;
	snprintf(err, errlen, "%s", r->msg);
	return -r->err;
}

int rs_csv_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, (uint64_t)(*s - '0'), &x))
			return -EINVAL;
	}
	*v = x;
	return 0;
}

int rs_csv_i64(const char *s, int64_t *v)
{
	bool neg = *s == '-';
	uint64_t x;

	if (rs_csv_u64(s + neg, &x))
		return -EINVAL;
	if (neg) {
		if (x > (uint64_t)INT64_MAX + 1)
			return -EINVAL;
		*v = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
	} else {
		if (x > (uint64_t)INT64_MAX)
			return -EINVAL;
		*v = (int64_t)x;
	}
	return 0;
}

int rs_csv_fixed(const char *s, unsigned decimals, uint64_t *v)
{
	char digits[32];
	const char *dot = strchr(s, '.');
	size_t ilen = dot ? (size_t)(dot - s) : strlen(s);
	size_t flen = dot ? strlen(dot + 1) : 0;
	uint64_t x;

	if (decimals > 9 || !ilen || (dot && !flen) || flen > decimals ||
	    ilen + decimals >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, ilen);
	if (flen)
		memcpy(digits + ilen, dot + 1, flen);
	memset(digits + ilen + flen, '0', decimals - flen);
	digits[ilen + decimals] = '\0';
	if (rs_csv_u64(digits, &x))
		return -EINVAL;
	*v = x;
	return 0;
}

int rs_csv_float(const char *s, double *v)
{
	char *end;
	unsigned dots = 0;
	double x;

	if (!*s || *s == '.')
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			return -EINVAL;
	}
	if (dots > 1 || s[strlen(s) - 1] == '.')
		return -EINVAL;
	errno = 0;
	x = strtod(s, &end);
	if (*end || errno == ERANGE || !(x >= 0) || x > 1e300)
		return -EINVAL;
	*v = x;
	return 0;
}
