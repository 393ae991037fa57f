/* The JSON writer and the report document (json.h). */
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "report.h"
#include "util.h"

/* ----------------------------------------------------------- strings */

/* The length of the valid UTF-8 sequence at s (1..4), or 0 when the byte
 * at s does not start one (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF). */
static unsigned utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
		unsigned char hi = c == 0xED ? 0x9F : 0xBF;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3
									 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
			       (s[3] & 0xC0) == 0x80
			   ? 4
			   : 0;
	}
	return 0;
}

void rs_json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		unsigned n;

		switch (*s) {
		case '"':
			fputs("\\\"", f);
			s++;
			continue;
		case '\\':
			fputs("\\\\", f);
			s++;
			continue;
		case '\n':
			fputs("\\n", f);
			s++;
			continue;
		case '\r':
			fputs("\\r", f);
			s++;
			continue;
		case '\t':
			fputs("\\t", f);
			s++;
			continue;
		case '\b':
			fputs("\\b", f);
			s++;
			continue;
		case '\f':
			fputs("\\f", f);
			s++;
			continue;
		default:
			break;
		}
		if (*s < 0x20) {
			fprintf(f, "\\u%04x", *s++);
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			/* not UTF-8: the byte, as the code point of its
			 * value, so that nothing is lost or invalid */
			fprintf(f, "\\u%04x", *s++);
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
}

bool rs_json_number_ok(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	/* no leading zero before more digits */
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* ------------------------------------------------------------ writer */

void rs_json_init(struct rs_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
}

/* The separator and the key before a value. */
static void lead(struct rs_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		rs_json_string(j->f, key);
		fputc(':', j->f);
	}
}

void rs_json_begin(struct rs_json *j, const char *key, char brace)
{
	lead(j, key);
	fputc(brace, j->f);
	if (j->depth + 1 < RS_JSON_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

void rs_json_end(struct rs_json *j, char brace)
{
	if (j->depth)
		j->depth--;
	fputc(brace, j->f);
}

void rs_json_str(struct rs_json *j, const char *key, const char *v)
{
	lead(j, key);
	rs_json_string(j->f, v);
}

void rs_json_u64(struct rs_json *j, const char *key, uint64_t v)
{
	lead(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void rs_json_dbl(struct rs_json *j, const char *key, double v)
{
	lead(j, key);
	/* %.17g round-trips a double; NaN and inf are not JSON */
	if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308)
		fputs("null", j->f);
	else
		fprintf(j->f, "%.17g", v);
}

void rs_json_null(struct rs_json *j, const char *key)
{
	lead(j, key);
	fputs("null", j->f);
}

void rs_json_num(struct rs_json *j, const char *key, const char *v)
{
	if (!rs_json_number_ok(v)) {
		rs_json_str(j, key, v);
		return;
	}
	lead(j, key);
	fputs(v, j->f);
}

/* ------------------------------------------------------------ output */

static int json_stdout = -1; /* the real standard output, kept aside */

int rs_json_claim_stdout(void)
{
	if (json_stdout >= 0)
		return 0;
	fflush(stdout);
	json_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (json_stdout < 0)
		return -errno;
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		int e = errno;

		close(json_stdout);
		json_stdout = -1;
		return -e;
	}
	return 0;
}

/* dir and base of path, into the buffers. */
int rs_json_prepare(const char *path, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0)
		return 0;
	return rs_out_prepare("--json", path, true, err, errlen);
}

int rs_json_open(struct rs_json_out *o, const char *path, char *err,
		 size_t errlen)
{
	char dir[4096], base[4096];

	memset(o, 0, sizeof(*o));
	if (strcmp(path, "-") == 0) {
		int fd =
		    json_stdout >= 0 ? dup(json_stdout) : dup(STDOUT_FILENO);

		o->to_stdout = true;
		o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!o->f) {
			snprintf(err, errlen, "standard output: %s",
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return -EIO;
		}
		return 0;
	}
	if (rs_out_split(path, dir, sizeof(dir), base, sizeof(base))) {
		snprintf(err, errlen, "--json '%.60s': not a file path", path);
		return -EINVAL;
	}
	if (rs_csv_open(&o->file, dir, base, err, errlen))
		return -EIO;
	o->f = o->file.f;
	return 0;
}

int rs_json_close(struct rs_json_out *o, char *err, size_t errlen)
{
	if (o->to_stdout) {
		int bad = ferror(o->f);

		if (fclose(o->f) != 0 || bad) {
			snprintf(err, errlen,
				 "cannot write the JSON document to standard "
				 "output");
			return -EIO;
		}
		return 0;
	}
	return rs_csv_close(&o->file, err, errlen);
}

void rs_json_abort(struct rs_json_out *o)
{
	fclose(o->f);
	if (!o->to_stdout)
		unlink(o->file.tmp);
}

/* ---------------------------------------------------------- document */

void rs_json_field(struct rs_json *j, const struct rs_scol *c, const char *v)
{
	if (rs_schema_json_null(c->type, v))
		rs_json_null(j, c->name);
	else if (rs_schema_json_number(c->type, v))
		rs_json_num(j, c->name, v);
	else
		rs_json_str(j, c->name, v);
}

/* The rows of one file's CSV text, header checked against the table. */
struct rows {
	struct rs_csvr *r;
	FILE *f;
};

static int rows_open(struct rows *x, char *text, size_t len, enum rs_rfile f,
		     char *err, size_t errlen)
{
	const struct rs_sfile *s = rs_schema_file(f);
	char **fl;
	unsigned n;
	int ret;

	x->f = fmemopen(text, len ? len : 1, "r");
	x->r = x->f ? rs_csvr_new(x->f, s->name) : NULL;
	if (!x->r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = rs_csvr_next(x->r, &fl, &n, err, errlen);
	if (ret != 1 || n != s->ncols) {
		if (ret >= 0)
			snprintf(err, errlen,
				 "%s: not the header of the schema", s->name);
		return -EINVAL;
	}
	return 0;
}

static void rows_close(struct rows *x)
{
	rs_csvr_free(x->r);
	if (x->f)
		fclose(x->f);
}

/* A file of one row: the fields of group g (NULL: all) as members of the
 * current object. */
static int one_row(struct rs_json *j, const struct rs_jdoc *d, enum rs_rfile f,
		   const char *g, char *err, size_t errlen)
{
	const struct rs_sfile *s = rs_schema_file(f);
	struct rows x = {0};
	char **fl;
	unsigned n;
	int ret = rows_open(&x, d->text[f], d->len[f], f, err, errlen);

	if (!ret && (ret = rs_csvr_next(x.r, &fl, &n, err, errlen)) == 1) {
		ret = 0;
		for (unsigned i = 1; i < s->ncols && i < n; i++)
			if (!g || strcmp(s->cols[i].group, g) == 0)
				rs_json_field(j, &s->cols[i], fl[i]);
	} else if (ret == 0) {
		snprintf(err, errlen, "%s: no row", s->name);
		ret = -EINVAL;
	}
	rows_close(&x);
	return ret < 0 ? ret : 0;
}

int rs_json_rows(struct rs_json *j, const char *key, enum rs_rfile f,
		 char *text, size_t len, char *err, size_t errlen)
{
	const struct rs_sfile *s = rs_schema_file(f);
	struct rows x = { 0 };
	char **fl;
	unsigned n;
	int ret = rows_open(&x, text, len, f, err, errlen);

	if (ret) {
		rows_close(&x);
		return ret;
	}
	rs_json_begin(j, key, '[');
	while ((ret = rs_csvr_next(x.r, &fl, &n, err, errlen)) == 1) {
		rs_json_begin(j, NULL, '{');
		for (unsigned i = 1; i < s->ncols && i < n; i++)
			rs_json_field(j, &s->cols[i], fl[i]);
		rs_json_end(j, '}');
	}
	rs_json_end(j, ']');
	rows_close(&x);
	return ret < 0 ? ret : 0;
}

int rs_jdoc_emit(const struct rs_jdoc *d, struct rs_json *j, char *err,
		 size_t errlen)
{
	enum rs_rfile head =
	    d->kind == RS_RKIND_RUN ? RS_RF_SUMMARY : RS_RF_CHECK;
	const struct rs_sfile *h = rs_schema_file(head);
	int ret;

	if (!d->text[head]) {
		snprintf(err, errlen, "%s: missing", h->name);
		return -EINVAL;
	}
	rs_json_begin(j, NULL, '{');
	rs_json_u64(j, "schema_version", RS_CSV_SCHEMA);
	rs_json_str(j, "command", d->command);
	rs_json_str(j, "kind", d->kind == RS_RKIND_RUN ? "run" : "check");
	if (d->inputs) {
		rs_json_begin(j, "inputs", '[');
		for (unsigned i = 0; i < d->ninputs; i++)
			rs_json_str(j, NULL, d->inputs[i]);
		rs_json_end(j, ']');
	}
	/* the head's top-level fields, then its groups in column order */
	if ((ret = one_row(j, d, head, "", err, errlen)))
		return ret;
	for (unsigned i = 1; i < h->ncols; i++) {
		const char *g = h->cols[i].group;
		bool seen = !*g;

		for (unsigned k = 1; k < i && !seen; k++)
			seen = strcmp(h->cols[k].group, g) == 0;
		if (seen)
			continue;
		rs_json_begin(j, g, '{');
		if ((ret = one_row(j, d, head, g, err, errlen)))
			return ret;
		rs_json_end(j, '}');
	}
	for (unsigned f = 0; f < RS_RF_N; f++) {
		const struct rs_sfile *s = rs_schema_file(f);

		/* compare.csv is no part of a report */
		if (f == head || s->kind != d->kind || !d->text[f] ||
		    f == RS_RF_CMP_RUN || f == RS_RF_CMP_CHECK ||
		    f == RS_RF_CMP_SEQ)
			continue;
		if (s->one_row) {
			rs_json_begin(j, s->json, '{');
			if ((ret = one_row(j, d, f, NULL, err, errlen)))
				return ret;
			rs_json_end(j, '}');
			continue;
		}
		ret = rs_json_rows(j, s->json, f, d->text[f], d->len[f], err,
				   errlen);
		if (ret)
			return ret;
	}
	rs_json_end(j, '}');
	return 0;
}

int rs_jdoc_write(const struct rs_jdoc *d, const char *path, char *err,
		  size_t errlen)
{
	struct rs_json_out o;
	struct rs_json j;
	int ret = rs_json_open(&o, path, err, errlen);

	if (ret)
		return ret;
	rs_json_init(&j, o.f);
	ret = rs_jdoc_emit(d, &j, err, errlen);
	if (ret) {
		rs_json_abort(&o);
		return ret;
	}
	fputc('\n', o.f);
	return rs_json_close(&o, err, errlen);
}

FILE *rs_jdoc_begin(struct rs_jdoc *d, enum rs_rfile f, char *err,
		    size_t errlen)
{
	FILE *m = open_memstream(&d->text[f], &d->len[f]);

	if (!m)
		snprintf(err, errlen, "out of memory");
	return m;
}

int rs_jdoc_end(FILE *m, char *err, size_t errlen)
{
	if (fclose(m) == 0)
		return 0;
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

void rs_jdoc_free(struct rs_jdoc *d)
{
	for (unsigned f = 0; f < RS_RF_N; f++) {
		free(d->text[f]);
		d->text[f] = NULL;
	}
}

int rs_jdoc_read_dir(struct rs_jdoc *d, const char *dir, char *err,
		     size_t errlen)
{
	for (unsigned f = 0; f < RS_RF_N; f++) {
		const struct rs_sfile *s = rs_schema_file(f);
		char path[4200];
		FILE *in;
		char *buf = NULL;
		size_t len = 0, cap = 0, r;

		if (s->kind != d->kind || !s->readback)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, s->name);
		in = fopen(path, "re");
		if (!in) {
			if (errno == ENOENT)
				continue;
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(errno));
			return -EIO;
		}
		do {
			if (len + 65536 > cap) {
				char *p = realloc(buf, cap = 2 * cap + 65536);

				if (!p) {
					free(buf);
					fclose(in);
					snprintf(err, errlen, "out of memory");
					return -ENOMEM;
				}
				buf = p;
			}
			r = fread(buf + len, 1, 65536, in);
			len += r;
		} while (r > 0);
		fclose(in);
		d->text[f] = buf;
		d->len[f] = len;
	}
	return 0;
}
