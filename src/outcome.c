/* The outcome table and result names. */
#include "outcome.h"

#include <stdio.h>
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
	case RS_RES_KILLED:
		return "killed:SIGPIPE";
	case RS_RES_NOTRUN:
		return "not-run";
	default:
		return r < RS_RES_N ? rs_errname((int)(r - RS_RES_ERRNO0)) :
				      "?";
	}
}

int rs_result_from_name(const char *name)
{
	int e;

	for (unsigned r = 0; r < RS_RES_ERRNO0; r++)
		if (strcmp(name, rs_result_name(r)) == 0)
			return (int)r;
	if (strcmp(name, "E0") == 0)
		return RS_RES_ERRNO0;
	if (strcmp(name, rs_result_name(RS_RES_KILLED)) == 0)
		return RS_RES_KILLED;
	if (strcmp(name, rs_result_name(RS_RES_NOTRUN)) == 0)
		return RS_RES_NOTRUN;
	/* compared without rs_errname's shared buffer: "E58" is an errno
	 * the C library does not name */
	e = rs_errno_from_name(name);
	if (!e && name[0] == 'E' && sscanf(name + 1, "%d", &e) == 1) {
		char back[16];

		snprintf(back, sizeof(back), "E%d", e);
		if (strcmp(back, name) != 0)
			e = 0;
	}
	if (e > 0 && e <= RS_RES_ERRNO_MAX)
		return (int)(RS_RES_ERRNO0 + (unsigned)e);
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
