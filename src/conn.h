/* The client connection state machine, shared by every engine: which
 * request comes next, and what each completion means for the tally. The
 * engine only carries requests to the kernel and results back. */
#ifndef RS_CONN_H
#define RS_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "client.h"
#include "wire.h"

/* The listener slot's connection number gen goes to: successive
 * connections of a slot rotate over the ports. */
static inline const struct rs_addr *
rs_conn_dst(const struct rs_client *w, uint32_t slot, uint32_t gen)
{
	return &w->sh->addrs[(w->base + slot + gen) % w->sh->naddrs];
}

/* The slot's source address (only when sh->srcs): slots that share a port
 * are spread over the sources, so every (source, port) pair gets an equal
 * share of the ephemeral ports. */
static inline const struct sockaddr_in *rs_conn_src(const struct rs_client *w,
						    uint32_t slot)
{
	return &w->sh->srcs[((w->base + slot) / w->sh->naddrs) %
			    w->sh->nsrcs];
}

/* What the hello step sends: the slot's hello, or with --foreign the
 * request (the same bytes for every slot). */
static inline const uint8_t *rs_conn_hello(const struct rs_client *w,
					   uint32_t slot, size_t *len)
{
	const struct rs_config *cfg = w->sh->cfg;

	if (cfg->foreign) {
		*len = cfg->request_len;
		return (const uint8_t *)cfg->request_buf;
	}
	*len = RS_HELLO_LEN;
	return w->hello[slot];
}

/* Start a new connection in slot: new generation and id, the planned close
 * mode, counted as started. Leaves the slot at RS_STEP_SOCKET. */
void rs_conn_begin(struct rs_client *w, uint32_t slot);

/* The engine is about to issue the slot's current step at time now. */
void rs_conn_issue(struct rs_client *w, uint32_t slot, uint64_t now);

/* The slot's request completed with res (bytes, 0, or -errno). Counts what
 * it means and moves the slot to its next step (RS_STEP_IDLE when the
 * connection is over). */
void rs_conn_complete(struct rs_client *w, uint32_t slot, int res,
		      uint64_t now);

/* The run ended with the slot's request still in flight: count it as
 * abandoned in its phase and make the slot idle. */
void rs_conn_abandon(struct rs_client *w, uint32_t slot);

/* May the worker start another connection at now? Not once the engine is
 * stopping, the run's stop flag is set, the deadline has passed or the
 * worker's budget is spent. */
bool rs_conn_may_start(const struct rs_client *w, bool stopping,
		       uint64_t now);

/* --rate: may the worker start another connection at now without
 * passing its share of the rate? (A refusal is for now, not for good:
 * the slot is tried again at the next tick.) */
bool rs_conn_rate_ok(const struct rs_client *w, uint64_t now);

/* Publish the worker's progress counters for the main thread (relaxed
 * stores; called by the worker at each tick and at its end). */
void rs_conn_publish(struct rs_client *w);

#endif
