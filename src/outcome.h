/* The outcome table: every client op after the close, counted once by
 * (close mode, op index, result). The op kind is the script's at that index. */
#ifndef RS_OUTCOME_H
#define RS_OUTCOME_H

#include <stdbool.h>
#include <stdint.h>

#include "plan.h"
#include "script.h"

/* Result codes: a few named outcomes, then one per errno value. */
enum {
	RS_RES_OK,      /* bytes > 0 */
	RS_RES_EOF,     /* 0: end of stream */
	RS_RES_TIMEOUT, /* cancelled by rststorm after --timeout */
	RS_RES_SHORT,   /* fewer bytes than asked where all were needed */
	RS_RES_ERRNO0,  /* RS_RES_ERRNO0 + e: -e from the kernel */
};
#define RS_RES_ERRNO_MAX 134
/* After the errno range (so no errno code moves): what a check trial whose
 * victim runs in a child process with SIGPIPE's default action can end in
 * besides a return value. */
enum {
	/* the op raised SIGPIPE and the child running it was killed */
	RS_RES_KILLED = RS_RES_ERRNO0 + RS_RES_ERRNO_MAX + 1,
	RS_RES_NOTRUN, /* an op after a killed one: never issued */
	RS_RES_N
};

/* The result code of a completion value (bytes or -errno). */
static inline unsigned rs_result_of(int res)
{
	if (res > 0)
		return RS_RES_OK;
	if (res == 0)
		return RS_RES_EOF;
	if (-res > RS_RES_ERRNO_MAX)
		return RS_RES_ERRNO0; /* "E0": out of range, kept visible */
	return RS_RES_ERRNO0 + (unsigned)-res;
}

/* True for results that are errors (everything but ok and eof). */
static inline bool rs_result_is_error(unsigned r)
{
	return r != RS_RES_OK && r != RS_RES_EOF;
}

/* "ok", "eof", "timeout", "short", "EPIPE", ..., "killed:SIGPIPE",
 * "not-run". Thread-safe. */
const char *rs_result_name(unsigned r);

/* The code for a name, or -1. */
int rs_result_from_name(const char *name);

struct rs_outcome {
	uint64_t n[RS_CLOSE_NMODES][RS_MAX_OPS][RS_RES_N];
};

static inline void rs_outcome_count(struct rs_outcome *o, unsigned mode,
				    unsigned op, unsigned r)
{
	o->n[mode][op][r]++;
}

/* dst += src, cell by cell. */
void rs_outcome_add(struct rs_outcome *dst, const struct rs_outcome *src);

/* Sum of all results for (mode, op). */
uint64_t rs_outcome_total(const struct rs_outcome *o, unsigned mode,
			  unsigned op);

#endif
