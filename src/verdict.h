/* The one judge of a check phase: PASS, MEASURED or DIFF from the trials
 * run, the cells (op, result, count, expected, exact or measured) and the
 * SIGPIPE rule. `check` judges what it ran with it, `merge` judges merged
 * check reports with it, so both apply exactly the same rules. Pure. */
#ifndef RS_VERDICT_H
#define RS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rs_verdict { RS_V_PASS, RS_V_MEASURED, RS_V_DIFF, RS_V_NJUDGED };

/* One non-zero cell: op op_index (1-based) of kind op_kind returned
 * result count times; expected is "EPIPE" or "ok|EPIPE"; exact says
 * whether any other result is a DIFF (else the op is a measured share). */
struct rs_vcell {
	unsigned op_index;
	const char *op_kind, *result, *expected;
	bool exact;
	uint64_t count;
};

struct rs_vphase {
	uint64_t want;	       /* trials asked for */
	uint64_t trials;       /* trials run to the end */
	uint64_t setup_failed; /* trials whose pair could not be opened */
	const char *setup_err; /* why (NULL: not said) */
	uint64_t sigpipe;      /* SIGPIPE deliveries counted */
	uint64_t epipe;	       /* EPIPE results of write ops */
	/* the SIGPIPE rule by name (rs_sig_rule_name): "none", "per-EPIPE",
	 * "1..per-EPIPE", "measured"; any other ("mixed") is not judged */
	const char *sig_rule;
	bool measured_ops; /* some op is judged as a share */
	const struct rs_vcell *cells;
	size_t ncells;
};

/*
 * Judge a phase: DIFF when fewer trials ran than were asked for, a trial
 * could not be set up, an exact cell holds a result not expected, or the
 * SIGPIPE count breaks its rule; else MEASURED when an op or the SIGPIPE
 * rule is measured; else PASS. Each reason for a DIFF is appended to
 * detail ("...; "), which the caller has initialised (it may already hold
 * reasons of its own). Pure.
 */
enum rs_verdict rs_verdict_judge(const struct rs_vphase *p, char *detail,
				 size_t len);

/* Whether result is one of expected ("a" or "a|b"). */
bool rs_verdict_expected(const char *expected, const char *result);

/* "PASS", "MEASURED", "DIFF"; and back (-1 for another string). */
const char *rs_verdict_name(enum rs_verdict v);
int rs_verdict_from_name(const char *s);

#endif
