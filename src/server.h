/* The embedded server: io_uring threads that accept on 127.0.0.1, read each
 * client's hello, and close the connection the way its plan says, stamping
 * the time of the close for the client to measure against. With --hold they
 * keep every connection until the main thread calls the storm. */
#ifndef RS_SERVER_H
#define RS_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "client.h"

struct rs_server_conn;

/* The calls of a close action on an ordinary fd. */
enum rs_srv_call {
	RS_SRV_LINGER,   /* setsockopt(SO_LINGER) */
	RS_SRV_SIOCINQ,  /* ioctl(SIOCINQ) */
	RS_SRV_SHUTDOWN, /* shutdown(SHUT_WR) */
	RS_SRV_CLOSE,    /* close */
	RS_SRV_NCALLS
};

/* "setsockopt(SO_LINGER)", ... */
const char *rs_server_call_name(unsigned call);

struct rs_server {
	struct rs_shared *sh;
	unsigned index;
	const int *lfds;        /* listeners this thread accepts on (not owned) */
	uint32_t nl;
	uint32_t cap;           /* connections it can hold at once (with direct
				 * descriptors: its ring's table size) */
	struct rs_tally *tally;
	atomic_int stop;        /* set by the main thread after the clients end */
	/* --hold: storm_fd is an eventfd the main thread writes once to call
	 * the storm (not owned; -1 without --hold). The thread publishes the
	 * connections it holds and when it last took one; after join,
	 * storm_* say how many it held when the storm came, when it saw the
	 * call and when its last close action completed (CLOCK_MONOTONIC). */
	int storm_fd;
	_Atomic uint64_t pub_held, pub_last_hold_ns;
	uint64_t storm_held, storm_seen_ns, storm_done_ns;
	/* Close actions on ordinary fds (--no-server-direct) whose call
	 * failed, by close mode, and by call (enum rs_srv_call): how many and
	 * the last errno. A failed SO_LINGER (rst) or shutdown leaves a
	 * plain close, a FIN: srv_closed counts it as the FIN it was. */
	uint64_t close_failed[RS_CLOSE_NMODES];
	uint64_t call_failed[RS_SRV_NCALLS];
	int call_errno[RS_SRV_NCALLS];
	/* serve: the answer to a query (RS_INFO_LEN bytes, not owned; NULL:
	 * queries are bad hellos), queries answered and answers that failed;
	 * hellos whose plan tag is not this server's */
	const uint8_t *info;
	uint64_t queries, query_errors, seed_mismatch;
	int err;
	char errmsg[320];
	pthread_t thread;
};

/* Open a TCP listener at a (IPv4 or IPv6; port 0: kernel-chosen, then
 * written into a). Returns the fd, or -errno. */
int rs_server_listen(struct rs_addr *a);

/* Run one server thread until s->stop is set. Returns 0, or -errno after
 * filling s->errmsg. The thread's tally gets the srv_* counters. */
int rs_server_run(struct rs_server *s);

#endif
