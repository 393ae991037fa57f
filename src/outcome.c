/* The outcome table and result names. */
#include "outcome.h"

#include <string.h>

#include "util.h"

const char *rs_result_name(unsigned r)
{
	switch (r) {
	case RS_RES_OK:
		return "ok";
	case RS_RES_EOF:
		return "eof";
	case RS_RES_TIMEOUT:
		return "timeout";
	case RS_RES_SHORT:
		return "short";
	case RS_RES_ERRNO0:
		return "E0";
	default:
		return r < RS_RES_N ? rs_errname((int)(r - RS_RES_ERRNO0)) :
				      "?";
	}
}

int rs_result_from_name(const char *name)
{
	for (unsigned r = 0; r < RS_RES_ERRNO0; r++)
		if (strcmp(name, rs_result_name(r)) == 0)
			return (int)r;
	if (strcmp(name, "E0") == 0)
		return RS_RES_ERRNO0;
	for (unsigned r = RS_RES_ERRNO0 + 1; r < RS_RES_N; r++)
		if (strcmp(name, rs_result_name(r)) == 0)
			return (int)r;
	return -1;
}

void rs_outcome_add(struct rs_outcome *dst, const struct rs_outcome *src)
{
	uint64_t *d = &dst->n[0][0][0];
	const uint64_t *s = &src->n[0][0][0];

	for (size_t i = 0; i < sizeof(dst->n) / sizeof(d[0]); i++)
		d[i] += s[i];
}

uint64_t rs_outcome_total(const struct rs_outcome *o, unsigned mode,
			  unsigned op)
{
	uint64_t t = 0;

	for (unsigned r = 0; r < RS_RES_N; r++)
		t += o->n[mode][op][r];
	return t;
}
