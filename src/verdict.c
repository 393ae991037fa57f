/* The judge of a check phase, shared by check and merge (verdict.h). */
#include "verdict.h"

#include <inttypes.h>
#include <string.h>

#include "util.h"

static const char *const names[] = {"PASS", "MEASURED", "DIFF"};

const char *rs_verdict_name(enum rs_verdict v)
{
	return v < RS_V_NJUDGED ? names[v] : "?";
}

int rs_verdict_from_name(const char *s)
{
	for (int i = 0; i < RS_V_NJUDGED; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

bool rs_verdict_expected(const char *expected, const char *result)
{
	size_t n = strlen(result);

	for (const char *p = expected; p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, result, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

enum rs_verdict rs_verdict_judge(const struct rs_vphase *p, char *detail,
				 size_t len)
{
	bool diff = false, measured = p->measured_ops;
	const char *rule = p->sig_rule ? p->sig_rule : "";

	if (p->trials + p->setup_failed < p->want) {
		diff = true;
		rs_append(detail, len,
			  "only %" PRIu64 " of %" PRIu64 " trials ran; ",
			  p->trials + p->setup_failed, p->want);
	}
	if (p->setup_failed) {
		diff = true;
		if (p->setup_err)
			rs_append(detail, len,
				  "%" PRIu64
				  " trials could not be set up (%s); ",
				  p->setup_failed, p->setup_err);
		else
			rs_append(detail, len,
				  "%" PRIu64 " trials could not be set up; ",
				  p->setup_failed);
	}
	for (size_t i = 0; i < p->ncells; i++) {
		const struct rs_vcell *c = &p->cells[i];

		if (!c->exact) {
			measured = true;
			continue;
		}
		if (!c->count || rs_verdict_expected(c->expected, c->result))
			continue;
		diff = true;
		rs_append(detail, len,
			  "op %u %s: expected %s, got %s %" PRIu64 "/%" PRIu64
			  "; ",
			  c->op_index, c->op_kind, c->expected, c->result,
			  c->count, p->trials);
	}
	if (strcmp(rule, "measured") == 0) {
		measured = true;
	} else if (strcmp(rule, "1..per-EPIPE") == 0) {
		bool ok = p->epipe ? p->sigpipe >= 1 && p->sigpipe <= p->epipe
				   : p->sigpipe == 0;

		if (!ok) {
			diff = true;
			rs_append(detail, len,
				  "SIGPIPE delivered %" PRIu64
				  " times for %" PRIu64
				  " EPIPE writes, expected 1..%" PRIu64 "; ",
				  p->sigpipe, p->epipe, p->epipe);
		}
	} else if (strcmp(rule, "none") == 0 ||
		   strcmp(rule, "per-EPIPE") == 0) {
		uint64_t want = strcmp(rule, "none") == 0 ? 0 : p->epipe;

		if (p->sigpipe != want) {
			diff = true;
			rs_append(detail, len,
				  "SIGPIPE delivered %" PRIu64
				  " times, expected %" PRIu64 " (%s); ",
				  p->sigpipe, want, rule);
		}
	}
	/* any other rule ("mixed": kernels that expect different rules) is
	 * not judged here: merge keeps each input's own verdict */
	return diff ? RS_V_DIFF : measured ? RS_V_MEASURED : RS_V_PASS;
}
