/* The client connection state machine, shared by every engine: which
 * request comes next, and what each completion means for the tally. The
 * engine only carries requests to the kernel and results back. */
#ifndef RS_CONN_H
#define RS_CONN_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "client.h"

/* The hello: the first bytes on every connection, naming it (little-endian
 * on the wire). The server
 * reads the 16-byte header, looks up the plan by id, and reads the pad too
 * except when the plan is to close with data unread. */
#define RS_HELLO_LEN 32
#define RS_HELLO_HDR 16
#define RS_HELLO_MAGIC 0x53545352u /* "RSTS" little-endian */

static inline void rs_hello_encode(uint8_t *buf, uint64_t id)
{
	uint32_t magic = htole32(RS_HELLO_MAGIC), ver = htole32(1);

	memset(buf, 0, RS_HELLO_LEN);
	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &ver, 4);
	id = htole64(id);
	memcpy(buf + 8, &id, 8);
	memset(buf + RS_HELLO_HDR, 'p', RS_HELLO_LEN - RS_HELLO_HDR);
}

/* Returns true and the id when hdr (RS_HELLO_HDR bytes) is a hello. */
static inline bool rs_hello_decode(const uint8_t *hdr, uint64_t *id)
{
	uint32_t magic, ver;

	memcpy(&magic, hdr, 4);
	memcpy(&ver, hdr + 4, 4);
	memcpy(id, hdr + 8, 8);
	*id = le64toh(*id);
	return le32toh(magic) == RS_HELLO_MAGIC && le32toh(ver) == 1;
}

/* A connection id names the global slot and its generation. */
static inline uint64_t rs_conn_id(uint32_t gslot, uint32_t gen)
{
	return (uint64_t)gen << 32 | gslot;
}

/* The server's close stamp for a slot: generation (16 bits) and time since
 * the run's start + 1 (48 bits), so a stale stamp is never mistaken for the
 * current connection's. */
static inline uint64_t rs_stamp_make(uint32_t gen, uint64_t rel_ns)
{
	return (uint64_t)(gen & 0xffff) << 48 |
	       ((rel_ns + 1) & 0xffffffffffffull);
}

/* The listener slot's connection number gen goes to: successive
 * connections of a slot rotate over the ports. */
static inline const struct sockaddr_in *
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

/* Publish the worker's progress counters for the main thread (relaxed
 * stores; called by the worker at each tick and at its end). */
void rs_conn_publish(struct rs_client *w);

#endif
