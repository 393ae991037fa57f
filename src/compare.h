/* `rststorm compare A B`: what differs between two reports of the same
 * kind, cell by cell: exact cells by their results, measured shares
 * against the spread between replicate blocks (Welch, Holm, a minimum
 * difference), or by Fisher's exact test under --strict without blocks. */
#ifndef RS_COMPARE_H
#define RS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RS_COMPARE_ALPHA 0.01
/* --min-diff: the smallest difference of shares that can fail a
 * comparison, in points (0.05 = 5 points) */
#define RS_COMPARE_MIN_DIFF 0.05

struct rs_compare_opts {
	double alpha;          /* a share differs when p (Holm) < alpha */
	double min_diff;       /* ... and |share B - share A| >= min_diff */
	bool strict;           /* without blocks: Fisher's p < alpha fails */
	const char *csv_dir;   /* write compare.csv there, or NULL */
	const char *json_path; /* the comparison as JSON (FILE or -), or NULL */
	bool all;              /* print every compared op, not only changes */
};

/*
 * Compare report directories a and b, printing per scenario what differs
 * to out. Returns 0 when nothing differs beyond tolerance, 1 when
 * something does (an exact cell, a measured cell whose difference passes
 * min_diff and the block test after Holm, or without blocks under strict
 * Fisher's test; a verdict, an op or phase present in one report only), 2 when an input cannot be read or the two do not go together
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

/*
 * Welch's t test of the block shares a[0..na) against b[0..nb) (na, nb
 * >= 2): the two-sided p of mean(b) - mean(a) against the spread between
 * blocks, with the Welch-Satterthwaite degrees of freedom. Both spreads
 * zero: p is 1 when the means are equal, else 0. Pure.
 */
double rs_welch_p(const double *a, unsigned na, const double *b,
		  unsigned nb);

/* The upper tail of Student's t with df degrees of freedom, two-sided:
 * P(|T| >= |t|). Pure. */
double rs_t2_sf(double t, double df);

/* Holm's step-down adjustment of the n p-values p into adj (adj[i] is p[i]
 * adjusted, monotone in p, at most 1). Returns 0 or -ENOMEM. */
int rs_holm(const double *p, size_t n, double *adj);

/* argv[0] is "compare". Returns the exit status (0, 1, 2). */
int rs_cmd_compare(int argc, char **argv);

#endif
