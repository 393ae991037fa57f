/* libFuzzer harness for the report reader (src/repdir.c): the input is a
 * report directory as text, split into files, written into a scratch
 * directory and read back with rs_repdir_load().
 *
 * Input format: sections, each starting with a line "#> NAME" where NAME
 * is one of the report's file names (summary.csv, ..., cells.csv); the
 * bytes up to the next such line are the file. Bytes before the first
 * section are ignored. tests/fuzz/mkseeds.sh turns the golden reports into
 * seeds of this form. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "merge.h"
#include "repdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"summary.csv", "outcomes.csv", "ops.csv", "failures.csv",
	"histograms.csv", "mib.csv", "check.csv", "verdicts.csv", "cells.csv",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* the input, its copy, their merge (under the first) */
static char dir[64], dir2[80], dir3[80];
static FILE *devnull;

static void clear(const char *d)
{
	char p[160];

	for (size_t i = 0; i < NNAMES; i++) {
		snprintf(p, sizeof(p), "%s/%s", d, names[i]);
		unlink(p);
	}
}

static void remove_dir(void)
{
	clear(dir3);
	rmdir(dir3);
	clear(dir2);
	rmdir(dir2);
	clear(dir);
	rmdir(dir);
}

static void write_one(const char *d, const char *name, const uint8_t *b,
		      size_t len)
{
	char p[160];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", d, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	while (len) {
		ssize_t n = write(fd, b, len);

		if (n <= 0)
			abort();
		b += n;
		len -= (size_t)n;
	}
	close(fd);
}

static void write_file(const char *name, size_t nlen, const uint8_t *b,
		       size_t len)
{
	for (size_t i = 0; i < NNAMES; i++) {
		if (strlen(names[i]) != nlen || memcmp(names[i], name, nlen))
			continue;
		write_one(dir, names[i], b, len);
		write_one(dir2, names[i], b, len);
		return;
	}
}

/* The start of the next "#> " line at or after p (at the start of the
 * input or after a newline), or end. */
static const uint8_t *next_section(const uint8_t *p, const uint8_t *start,
				   const uint8_t *end)
{
	for (; p + 3 <= end; p++)
		if ((p == start || p[-1] == '\n') && p[0] == '#' &&
		    p[1] == '>' && p[2] == ' ')
			return p;
	return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *p;
	struct rs_repdir d;
	char err[1024];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/rs-fuzz-repdir.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		snprintf(dir2, sizeof(dir2), "%s/copy", dir);
		snprintf(dir3, sizeof(dir3), "%s/sum", dir);
		if (mkdir(dir2, 0700) || !(devnull = fopen("/dev/null", "w")))
			abort();
		atexit(remove_dir);
	}
	clear(dir);
	clear(dir2);
	clear(dir3);
	p = next_section(data, data, end);
	while (p < end) {
		const uint8_t *name = p + 3, *nl = name, *body, *next;

		while (nl < end && *nl != '\n')
			nl++;
		body = nl < end ? nl + 1 : end;
		next = next_section(body, data, end);
		write_file((const char *)name, (size_t)(nl - name), body,
			   (size_t)(next - body));
		p = next;
	}
	err[0] = '\0';
	if (rs_repdir_load(&d, dir, err, sizeof(err)) == 0) {
		/* every field the loader passed is readable by the typed
		 * readers the commands use */
		for (unsigned f = 0; f < RS_RF_N; f++) {
			if (!d.t[f].present)
				continue;
			for (size_t i = 0; i < d.t[f].nrows; i++)
				for (unsigned c = 0; c < rs_rfile_ncols(f); c++)
					if (!d.t[f].rows[i][c])
						abort();
		}
		rs_repdir_free(&d);
		{
			struct rs_compare_opts o = { .alpha = 0.01 };
			const char *two[2] = { dir, dir2 };
			int r;

			/* a report against its copy: nothing differs */
			r = rs_compare_dirs(dir, dir2, &o, devnull, err,
					    sizeof(err));
			if (r == 1)
				abort();
			/* its sum with itself is a report again (or the
			 * merge is refused with one line) */
			err[0] = '\0';
			r = rs_merge_dirs(two, 2, dir3, err, sizeof(err));
			if (r == 0) {
				if (rs_repdir_load(&d, dir3, err, sizeof(err)))
					abort();
				rs_repdir_free(&d);
			} else if (!err[0] || strchr(err, '\n')) {
				abort();
			}
		}
	} else if (!err[0] || strchr(err, '\n')) {
		/* a refusal is one line, never empty */
		abort();
	}
	return 0;
}
