/* The embedded server: io_uring threads that accept on 127.0.0.1, read each
 * client's hello, and close the connection the way its plan says, stamping
 * the time of the close for the client to measure against. */
#ifndef RS_SERVER_H
#define RS_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "client.h"

struct rs_server_conn;

struct rs_server {
	struct rs_shared *sh;
	unsigned index;
	const int *lfds;        /* listeners this thread accepts on (not owned) */
	uint32_t nl;
	uint32_t cap;           /* connections it can hold at once */
	struct rs_tally *tally;
	atomic_int stop;        /* set by the main thread after the clients end */
	int err;
	char errmsg[320];
	pthread_t thread;
};

/* Open a TCP listener on 127.0.0.1 with a kernel-chosen port. Returns the
 * fd and the port, or -errno. */
int rs_server_listen(uint16_t *port);

/* Run one server thread until s->stop is set. Returns 0, or -errno after
 * filling s->errmsg. The thread's tally gets the srv_* counters. */
int rs_server_run(struct rs_server *s);

#endif
