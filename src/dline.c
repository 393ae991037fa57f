/* One direction of the delay line: a bounded FIFO of packets with due
 * times (see dline.h). Single owner thread; counters readable anywhere. */
#include "dline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A counter written by one thread and read by others: relaxed atomics
 * (no ordering is needed, only untorn values). */
static inline void bump(uint64_t *c, uint64_t by)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + by,
			 __ATOMIC_RELAXED);
}

/* splitmix64: small, fast, good enough for loss and jitter draws */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int rs_dline_init(struct rs_dline *q, const struct rs_dline_cfg *cfg)
{
	memset(q, 0, sizeof(*q));
	if (cfg->limit == 0 || cfg->loss_ppm > 1000000)
		return -EINVAL;
	q->slots = calloc(cfg->limit, sizeof(*q->slots));
	if (!q->slots)
		return -ENOMEM;
	q->cfg = *cfg;
	q->rng = cfg->seed;
	return 0;
}

void rs_dline_free(struct rs_dline *q)
{
	free(q->slots);
	q->slots = NULL;
	q->count = 0;
}

uint8_t *rs_dline_tail(struct rs_dline *q)
{
	if (q->count >= q->cfg.limit)
		return NULL;
	return q->slots[(q->head + q->count) % q->cfg.limit].buf;
}

int rs_dline_push(struct rs_dline *q, uint32_t len, uint64_t now_ns)
{
	struct rs_dline_slot *s;
	uint64_t start, due, j = q->cfg.jitter_ns;

	if (q->count >= q->cfg.limit) {
		rs_dline_drop_full(q);
		return 0;
	}
	/* the draw happens for every packet, also at 0 % and 100 %, so the
	 * jitter sequence does not depend on the loss setting */
	if (next_rand(&q->rng) % 1000000 < q->cfg.loss_ppm) {
		bump(&q->st.lost, 1);
		return 0;
	}
	start = now_ns > q->link_free_ns ? now_ns : q->link_free_ns;
	if (q->cfg.rate_bps) {
		start += (uint64_t)((unsigned __int128)len * 8 * 1000000000u /
				    q->cfg.rate_bps);
		q->link_free_ns = start;
	}
	due = start + q->cfg.delay_ns;
	if (j) {
		uint64_t r = next_rand(&q->rng) % (2 * j + 1);

		/* delay + (r - j), clamped at "no delay" */
		if (r >= j)
			due += r - j;
		else if (j - r > q->cfg.delay_ns)
			due = start;
		else
			due -= j - r;
	}
	if (due < q->last_due_ns)
		due = q->last_due_ns;
	q->last_due_ns = due;
	s = &q->slots[(q->head + q->count) % q->cfg.limit];
	s->len = len;
	s->due_ns = due;
	q->count++;
	if (q->count > q->st.max_queued)
		__atomic_store_n(&q->st.max_queued, q->count, __ATOMIC_RELAXED);
	return 1;
}

void rs_dline_drop_full(struct rs_dline *q)
{
	bump(&q->st.dropped_full, 1);
}

void rs_dline_drop_err(struct rs_dline *q)
{
	bump(&q->st.dropped_err, 1);
}

uint64_t rs_dline_next_due(const struct rs_dline *q)
{
	return q->count ? q->slots[q->head].due_ns : UINT64_MAX;
}

const uint8_t *rs_dline_peek(const struct rs_dline *q, uint64_t now_ns,
			     uint32_t *len)
{
	const struct rs_dline_slot *s;

	if (!q->count)
		return NULL;
	s = &q->slots[q->head];
	if (s->due_ns > now_ns)
		return NULL;
	*len = s->len;
	return s->buf;
}

void rs_dline_pop(struct rs_dline *q, uint64_t now_ns)
{
	uint64_t due, late;

	if (!q->count)
		return;
	due = q->slots[q->head].due_ns;
	late = now_ns > due ? now_ns - due : 0;
	bump(&q->st.late_sum_ns, late);
	if (late > q->st.late_max_ns)
		__atomic_store_n(&q->st.late_max_ns, late, __ATOMIC_RELAXED);
	bump(&q->st.forwarded, 1);
	bump(&q->st.bytes, q->slots[q->head].len);
	q->head = (q->head + 1) % q->cfg.limit;
	q->count--;
}

void rs_dline_stats(const struct rs_dline *q, struct rs_dline_stats *out)
{
	out->forwarded = __atomic_load_n(&q->st.forwarded, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&q->st.bytes, __ATOMIC_RELAXED);
	out->lost = __atomic_load_n(&q->st.lost, __ATOMIC_RELAXED);
	out->dropped_full =
		__atomic_load_n(&q->st.dropped_full, __ATOMIC_RELAXED);
	out->dropped_err = __atomic_load_n(&q->st.dropped_err, __ATOMIC_RELAXED);
	out->max_queued = __atomic_load_n(&q->st.max_queued, __ATOMIC_RELAXED);
	out->late_sum_ns = __atomic_load_n(&q->st.late_sum_ns, __ATOMIC_RELAXED);
	out->late_max_ns = __atomic_load_n(&q->st.late_max_ns, __ATOMIC_RELAXED);
}
