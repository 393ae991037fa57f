/* Per-worker counters: merge and the conservation check. */
#include "tally.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const phase_names[RS_PH_N] = {
	"socket", "connect", "hello", "wait", "ops", "close",
};

const char *rs_phase_name(unsigned ph)
{
	return ph < RS_PH_N ? phase_names[ph] : "?";
}

int rs_phase_from_name(const char *name)
{
	for (unsigned i = 0; i < RS_PH_N; i++)
		if (strcmp(name, phase_names[i]) == 0)
			return (int)i;
	return -1;
}

struct rs_tally *rs_tally_new(void)
{
	return calloc(1, sizeof(struct rs_tally));
}

static void add_u64(void *dst, const void *src, size_t bytes)
{
	uint64_t *d = dst;
	const uint64_t *s = src;

	for (size_t i = 0; i < bytes / sizeof(uint64_t); i++)
		d[i] += s[i];
}

static void add_histos(struct rs_histo *d, const struct rs_histo *s,
		       size_t bytes)
{
	for (size_t i = 0; i < bytes / sizeof(struct rs_histo); i++)
		rs_histo_add(&d[i], &s[i]);
}

/* Field by field, from the lists in tally.h: no assumption about where in
 * the struct a counter sits. */
#define ADD_COUNTER(f) add_u64(&dst->f, &src->f, sizeof(src->f));
#define ADD_HISTO(f) \
	add_histos((struct rs_histo *)&dst->f, \
		   (const struct rs_histo *)&src->f, sizeof(src->f));

void rs_tally_add(struct rs_tally *dst, const struct rs_tally *src)
{
	RS_TALLY_COUNTERS(ADD_COUNTER)
	RS_TALLY_HISTOS(ADD_HISTO)
}

#undef ADD_COUNTER
#undef ADD_HISTO

void rs_tally_take_ops(struct rs_tally *dst, struct rs_tally *src)
{
#define TAKE(f)                                                   \
	do {                                                      \
		memcpy(&dst->f, &src->f, sizeof(dst->f));         \
		memset(&src->f, 0, sizeof(src->f));               \
	} while (0)
	TAKE(op_issued);
	TAKE(op_abandoned);
	TAKE(before_close);
	TAKE(outcome);
	TAKE(op_bytes);
	TAKE(op_ns);
	TAKE(since_close_ns);
	TAKE(since_close_err_ns);
#undef TAKE
}

uint64_t rs_tally_failed_total(const struct rs_tally *t)
{
	uint64_t n = 0;

	for (unsigned p = 0; p < RS_PH_N; p++)
		for (unsigned r = 0; r < RS_RES_N; r++)
			n += t->failed[p][r];
	return n;
}

uint64_t rs_tally_abandoned_total(const struct rs_tally *t)
{
	uint64_t n = 0;

	for (unsigned p = 0; p < RS_PH_N; p++)
		n += t->abandoned[p];
	return n;
}

bool rs_tally_balanced(const struct rs_tally *t, unsigned nops, char *why,
		       size_t len)
{
	uint64_t failed = rs_tally_failed_total(t);
	uint64_t aband = rs_tally_abandoned_total(t);

	if (t->started != t->completed + failed + aband) {
		snprintf(why, len,
			 "connections started %" PRIu64 " != completed %" PRIu64
			 " + failed %" PRIu64 " + abandoned %" PRIu64,
			 t->started, t->completed, failed, aband);
		return false;
	}
	if (t->cq_dropped) {
		snprintf(why, len,
			 "the kernel dropped %" PRIu64 " completions (CQ overflow)",
			 t->cq_dropped);
		return false;
	}
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
		for (unsigned i = 0; i < nops && i < RS_MAX_OPS; i++) {
			uint64_t got = rs_outcome_total(&t->outcome, m, i);

			if (t->op_issued[m][i] != got + t->op_abandoned[m][i]) {
				snprintf(why, len,
					 "%s op %u: issued %" PRIu64
					 " != counted %" PRIu64
					 " + abandoned %" PRIu64,
					 rs_close_name(m), i + 1,
					 t->op_issued[m][i], got,
					 t->op_abandoned[m][i]);
				return false;
			}
		}
	}
	snprintf(why, len, "balanced");
	return true;
}
