/* `rststorm merge A B ... -o OUT`: reports of several runs or machines
 * added into one report of the same kind and schema. */
#ifndef RS_MERGE_H
#define RS_MERGE_H

#include <stddef.h>

/*
 * Merge the n >= 2 report directories dirs[] into the directory out
 * (created if missing; each file written to a temporary file and renamed,
 * as the reports themselves are). Returns 0, 2 when an input cannot be
 * read or the inputs cannot be added (different kinds, schema or a
 * configuration that makes the sum meaningless: see docs/compare.md), 1
 * when the output cannot be written; err then holds one line.
 */
int rs_merge_dirs(const char *const *dirs, unsigned n, const char *out,
		  char *err, size_t errlen);

/* argv[0] is "merge". Returns the exit status (0, 1, 2). */
int rs_cmd_merge(int argc, char **argv);

#endif
