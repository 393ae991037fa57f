/* `rststorm compare A B`: what differs between two reports of the same
 * kind, cell by cell, with Fisher's exact test for shares. */
#ifndef RS_COMPARE_H
#define RS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RS_COMPARE_ALPHA 0.01

struct rs_compare_opts {
	double alpha;          /* a share differs when p < alpha */
	const char *csv_dir;   /* write compare.csv there, or NULL */
	const char *json_path; /* the comparison as JSON (FILE or -), or NULL */
	bool all;              /* print every compared op, not only changes */
};

/*
 * Compare report directories a and b, printing per scenario what differs
 * to out. Returns 0 when nothing differs beyond tolerance, 1 when
 * something does (a cell, a verdict, an op or phase present in one report
 * only), 2 when an input cannot be read or the two do not go together
 * (kinds, schema) or the CSV cannot be written: then err holds one line
 * naming the file and the reason.
 */
int rs_compare_dirs(const char *a, const char *b,
		    const struct rs_compare_opts *o, FILE *out, char *err,
		    size_t errlen);

/*
 * Two-sided Fisher's exact test of the 2x2 table
 *     k1  n1-k1
 *     k2  n2-k2
 * (k1 of n1 against k2 of n2): the probability, under the hypergeometric
 * distribution with the margins fixed, of a table at most as probable as
 * the observed one (ties within a relative 1e-7, as R's fisher.test).
 * Returns 1 when a margin is empty. Needs k1 <= n1, k2 <= n2. Pure.
 */
double rs_fisher_p(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2);

/* argv[0] is "compare". Returns the exit status (0, 1, 2). */
int rs_cmd_compare(int argc, char **argv);

#endif
