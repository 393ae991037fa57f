/* A guest on a client worker's ring: work that is not the load's own
 * connections (the scenario trials of `rststorm check`) carried by the same
 * io_uring ring and event loop, so it queues behind the load. The engine
 * calls the hooks on the worker thread; the guest tags its requests
 * RS_UD_GUEST and gets exactly those completions. */
#ifndef RS_GUEST_H
#define RS_GUEST_H

#include <stdbool.h>
#include <stdint.h>

struct io_uring;

struct rs_guest {
	/* The ring exists; queue the first requests. Returns 0 or -errno
	 * after filling errmsg. */
	int (*start)(struct rs_guest *g, struct io_uring *ring, uint64_t now);
	/* A completion tagged RS_UD_GUEST. */
	void (*cqe)(struct rs_guest *g, uint64_t ud, int res, uint64_t now);
	/* Every tick of the worker (timeouts, progress). */
	void (*tick)(struct rs_guest *g, uint64_t now);
	/* The run is stopping (a signal, a failed server): end at the next
	 * tick and set done. Called on the worker thread, before tick; may
	 * be NULL (the guest then runs until done or the run's abort). */
	void (*stop)(struct rs_guest *g);
	/* Requests the guest may have in flight at once (ring sizing). */
	unsigned max_inflight;
	/* Set by the guest when it has finished: the worker then stops
	 * starting load connections and ends when they have drained. */
	bool done;
	char errmsg[320];
};

#endif
