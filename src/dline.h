/* The delay line's queue for one direction of an emulated link: packets
 * held until their due time, lost with a probability, paced by a rate,
 * bounded in number. Pure: the caller passes the clock, so the rules are
 * unit-tested without a network (the forwarding lives in link.c). */
#ifndef RS_DLINE_H
#define RS_DLINE_H

#include <stddef.h>
#include <stdint.h>

/* The largest packet a slot holds: the TUN device's MTU (1500) with room
 * to spare; longer reads are truncated by the kernel and counted as
 * errors by the forwarder. */
#define RS_DLINE_SLOT 2048

struct rs_dline_cfg {
	uint64_t delay_ns;  /* one-way delay */
	uint64_t jitter_ns; /* each packet's delay is delay_ns +- jitter_ns (uniform) */
	uint64_t rate_bps;  /* bits per second; 0: no rate limit */
	uint32_t loss_ppm;  /* per packet, parts per million (1% = 10000) */
	uint32_t limit;     /* packets queued at most (waiting or in flight) */
	uint64_t seed;      /* the loss and jitter draws */
};

/* Counters, each written by the queue's one owner thread and readable
 * from any thread (relaxed atomics): rs_dline_stats copies them. */
struct rs_dline_stats {
	uint64_t forwarded;    /* popped: handed to the far side */
	uint64_t bytes;        /* bytes forwarded */
	uint64_t lost;         /* dropped by the loss draw */
	uint64_t dropped_full; /* dropped because the queue held limit packets */
	uint64_t dropped_err;  /* dropped by the forwarder (read or write error) */
	uint64_t max_queued;   /* the most packets queued at once */
	uint64_t late_sum_ns;  /* sum over forwarded packets of (popped - due) */
	uint64_t late_max_ns;  /* the latest a packet left after its due time */
};

struct rs_dline_slot {
	uint64_t due_ns;
	uint32_t len;
	uint8_t buf[RS_DLINE_SLOT];
};

struct rs_dline {
	struct rs_dline_cfg cfg;
	struct rs_dline_slot *slots; /* cfg.limit of them, a ring */
	uint32_t head, count;
	uint64_t last_due_ns;  /* due times never go back: order is kept */
	uint64_t link_free_ns; /* when the rate-limited wire is free again */
	uint64_t rng;
	struct rs_dline_stats st;
};

/* Set q up for cfg (limit >= 1). Returns 0 or -ENOMEM / -EINVAL. */
int rs_dline_init(struct rs_dline *q, const struct rs_dline_cfg *cfg);

/* Free q's slots (q itself is the caller's). Accepts an all-zero q. */
void rs_dline_free(struct rs_dline *q);

/* The buffer (RS_DLINE_SLOT bytes) the next packet is read into, or NULL
 * when the queue is full (then read it elsewhere and call
 * rs_dline_drop_full). */
uint8_t *rs_dline_tail(struct rs_dline *q);

/* Commit the packet of len bytes read into rs_dline_tail(q) at time now:
 * the loss draw, then its due time, = max(now, wire free) + transmission
 * time at the rate + delay +- jitter, never before the previous packet's.
 * Returns 1 when queued, 0 when lost (the slot is reused). */
int rs_dline_push(struct rs_dline *q, uint32_t len, uint64_t now_ns);

/* Count a packet dropped because the queue was full. */
void rs_dline_drop_full(struct rs_dline *q);

/* Count a packet dropped by a read or write error. */
void rs_dline_drop_err(struct rs_dline *q);

/* The due time of the packet at the head, or UINT64_MAX when empty. */
uint64_t rs_dline_next_due(const struct rs_dline *q);

/* The head packet when it is due at now (its length in *len), else NULL. */
const uint8_t *rs_dline_peek(const struct rs_dline *q, uint64_t now_ns,
			     uint32_t *len);

/* Remove the head packet and count it forwarded at now_ns (its lateness,
 * now_ns - due, is added to the counters). The slot stays readable until
 * the next rs_dline_tail/push: peek, pop, then send the bytes. */
void rs_dline_pop(struct rs_dline *q, uint64_t now_ns);

/* A copy of q's counters; safe from any thread. */
void rs_dline_stats(const struct rs_dline *q, struct rs_dline_stats *out);

#endif
