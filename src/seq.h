/* Whole-trial result sequences of check: per (scenario, phase), each
 * distinct sequence of per-op results a trial gave ("ok,ok,EPIPE") with
 * its count. Pure: no allocation, no threads. */
#ifndef RS_SEQ_H
#define RS_SEQ_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Distinct sequences kept per phase; trials with a sequence beyond them
 * are counted in `other` (none seen: a scenario has up to RS_SC_MAX_OPS
 * ops and a handful of results each). */
#define RS_SEQ_MAX 64

struct rs_seq {
	uint16_t res[RS_SC_MAX_OPS]; /* result codes (outcome.h) */
	uint64_t count;
};

/* An all-zero struct is empty. */
struct rs_seqs {
	unsigned n, nops;
	struct rs_seq s[RS_SEQ_MAX];
	uint64_t other;
};

/* Count one trial's results res[0..nops-1] (nops <= RS_SC_MAX_OPS; every
 * call for one struct with the same nops). */
void rs_seqs_add(struct rs_seqs *s, const uint16_t *res, unsigned nops);

/* The sequence as text, the result names joined by commas: "ok,ok,EPIPE".
 * Returns the length, or -1 when it did not fit in len. */
int rs_seq_format(const struct rs_seq *q, unsigned nops, char *buf,
		  size_t len);

/* idx[0..s->n-1]: the sequences most frequent first, equal counts in the
 * order of their text. */
void rs_seqs_by_count(const struct rs_seqs *s, unsigned *idx);

/* idx[0..s->n-1]: the sequences in the order of their text (strcmp),
 * the order of sequences.csv's rows. */
void rs_seqs_by_text(const struct rs_seqs *s, unsigned *idx);

#endif
