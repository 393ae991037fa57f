/* Whole-trial result sequences (seq.h). */
#include "seq.h"

#include <stdio.h>
#include <string.h>

#include "outcome.h"

void rs_seqs_add(struct rs_seqs *s, const uint16_t *res, unsigned nops)
{
	if (nops > RS_SC_MAX_OPS)
		nops = RS_SC_MAX_OPS;
	s->nops = nops;
	for (unsigned i = 0; i < s->n; i++)
		if (!memcmp(s->s[i].res, res, nops * sizeof(*res))) {
			s->s[i].count++;
			return;
		}
	if (s->n == RS_SEQ_MAX) {
		s->other++;
		return;
	}
	memset(&s->s[s->n], 0, sizeof(s->s[s->n]));
	memcpy(s->s[s->n].res, res, nops * sizeof(*res));
	s->s[s->n++].count = 1;
}

int rs_seq_format(const struct rs_seq *q, unsigned nops, char *buf,
		  size_t len)
{
	size_t used = 0;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (unsigned i = 0; i < nops; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 rs_result_name(q->res[i]));

		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return (int)used;
}

static int text_cmp(const struct rs_seqs *s, unsigned a, unsigned b)
{
	char x[RS_SC_MAX_OPS * 24], y[RS_SC_MAX_OPS * 24];

	rs_seq_format(&s->s[a], s->nops, x, sizeof(x));
	rs_seq_format(&s->s[b], s->nops, y, sizeof(y));
	return strcmp(x, y);
}

/* Insertion sort: at most RS_SEQ_MAX entries. */
static void sort(const struct rs_seqs *s, unsigned *idx, int by_count)
{
	for (unsigned i = 0; i < s->n; i++)
		idx[i] = i;
	for (unsigned i = 1; i < s->n; i++) {
		unsigned v = idx[i], j = i;

		while (j > 0) {
			unsigned u = idx[j - 1];
			int c = 0;

			if (by_count && s->s[u].count != s->s[v].count)
				c = s->s[u].count < s->s[v].count ? 1 : -1;
			if (!c)
				c = text_cmp(s, u, v);
			if (c <= 0)
				break;
			idx[j] = u;
			j--;
		}
		idx[j] = v;
	}
}

void rs_seqs_by_count(const struct rs_seqs *s, unsigned *idx)
{
	sort(s, idx, 1);
}

void rs_seqs_by_text(const struct rs_seqs *s, unsigned *idx)
{
	sort(s, idx, 0);
}
