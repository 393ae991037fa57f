/* The one client worker loop: slot start, timeouts, the --hold rule,
 * abandonment, publishing and the guest's hooks, written once, over a
 * transport (io_uring, epoll, or a fake in the unit tests) that only
 * carries a slot's step to the kernel and its result back. */
#ifndef RS_WORKER_H
#define RS_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"

struct io_uring;
struct rs_worker;

/* A completion handed back by a transport's reap: ud in the ring.h layout
 * (RS_UD_CONN with the slot's generation and index, or RS_UD_GUEST), res
 * as a CQE carries it (bytes, 0 or -errno), at now. */
typedef void (*rs_done_fn)(struct rs_worker *wk, uint64_t ud, int res,
			   uint64_t now);

/*
 * A transport. Every function runs on the worker's thread; none allocates
 * per operation.
 *  open    set up (ring, epoll fd) for wk->cl's slots; 0 or -errno after
 *          filling wk->cl->errmsg
 *  close   tear down; close the fds of connections still open
 *  now     the clock (CLOCK_MONOTONIC ns; the fake's own in tests)
 *  issue   carry the slot's current step (already counted as issued at
 *          now). Returns true with *res when it completed at once, false
 *          when its result comes through reap
 *  cancel  the slot's request timed out (already counted): stop it, best
 *          effort. Returns true when its completion will still come
 *          through reap (the worker holds the slot until then)
 *  wait    block until a completion is ready or the clock reaches
 *          deadline (ns), whichever is first
 *  reap    hand every ready completion to done; returns the time they are
 *          stamped with (read before the completions are looked at)
 *  ring    the io_uring ring a guest may ride on, or NULL: this transport
 *          cannot carry a guest
 *  clock_per_step
 *          true when steps run inside issue and reap (syscalls, the epoll
 *          engine): the worker then reads the clock just before every
 *          step's syscall and just after every step ends (in issue, or
 *          in reap before the completion is handed over), so a stamp is
 *          off by the bookkeeping between a read and its syscall, not by
 *          a pass of syscalls. False (io_uring): one read per pass, as the
 *          SQEs of a pass reach the kernel together at its end
 */
struct rs_transport {
	const char *name;
	int (*open)(struct rs_worker *wk);
	void (*close)(struct rs_worker *wk);
	uint64_t (*now)(struct rs_worker *wk);
	bool (*issue)(struct rs_worker *wk, uint32_t slot, uint64_t now,
		      int *res);
	bool (*cancel)(struct rs_worker *wk, uint32_t slot);
	void (*wait)(struct rs_worker *wk, uint64_t deadline);
	uint64_t (*reap)(struct rs_worker *wk, rs_done_fn done);
	struct io_uring *(*ring)(struct rs_worker *wk);
	bool clock_per_step;
};

/* No slot: the end of a deadline list. */
#define RS_NO_SLOT UINT32_MAX

/* One worker's loop state. Transports read cl and keep their own state in
 * tp; the rest belongs to worker.c. */
struct rs_worker {
	struct rs_client *cl;
	const struct rs_transport *t;
	void *tp;                /* the transport's state */
	char who[24];            /* "client N", for messages */
	bool stopping;           /* no new connections */
	uint32_t inflight;       /* slots busy: not idle, or holding a late
				  * completion */
	uint64_t timeout_ns;     /* --timeout, per step */
	uint64_t tick_ns;        /* publish, stop checks, idle slots */
	/* Slots with a timed request, oldest issue first: every step has the
	 * same timeout, so the head is the next to expire. */
	uint32_t *prev, *next;
	uint32_t head, tail;
	/* --hold: waits for the storm, outside the list */
	uint32_t nheld;
	uint64_t held_next;      /* no held wait expires before this */
	uint64_t last_wait_done; /* the last wait that saw its close */
	/* --hold: slots being set up at once (UINT32_MAX: no window), and
	 * the next slot to start when one of them is held */
	uint32_t hold_window;
	uint32_t hold_cursor;
	/* The last clock read whose value stamps what happens now, and
	 * whether this pass has one yet: from it to the next read (or the
	 * pass's end) is one window of pass_ns. */
	uint64_t stamp;
	bool stamped;
};

/* Run client worker cl over transport t to the end of the run. Returns 0,
 * or -errno after filling cl->errmsg when it could not start (a guest's
 * start error among them). */
int rs_worker_run(struct rs_client *cl, const struct rs_transport *t);

/* When the slot's timed request expires (UINT64_MAX: it does not), for
 * tests and transports. */
uint64_t rs_worker_due(const struct rs_worker *wk, uint32_t slot);

extern const struct rs_transport rs_transport_uring;
extern const struct rs_transport rs_transport_epoll;

#endif
