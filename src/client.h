/* A client worker: the slots, tally and progress counters one thread owns,
 * and the run-wide state it shares with the others (read-only but for the
 * atomics). The engine (io_uring or epoll) runs the worker's loop. */
#ifndef RS_CLIENT_H
#define RS_CLIENT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "cli.h"
#include "guest.h"
#include "probe.h"
#include "tally.h"

/* What runs on a connection next (and, while in flight, what is). */
enum rs_step {
	RS_STEP_IDLE,
	RS_STEP_SOCKET,
	RS_STEP_CONNECT,
	RS_STEP_HELLO,
	RS_STEP_WAIT,  /* poll for the peer's FIN/RST */
	RS_STEP_GAP,   /* a fixed timer */
	RS_STEP_OP,    /* script op number `op` */
	RS_STEP_OPGAP, /* --op-gap timer before op number `op` */
	RS_STEP_CLOSE,
	RS_STEP_SOCKOPT, /* IP_BIND_ADDRESS_NO_PORT, when --sources > 1 */
	RS_STEP_BIND,    /* bind to the slot's source address, port 0 */
	RS_STEP_RESP,    /* --foreign, after a FIN: recv the response to EOF */
	RS_STEP_LINGER,  /* --closer client, rst: SO_LINGER {1, 0} before the
			  * close, so the close sends an RST */
	RS_STEP_ACK,     /* --closer client: recv the server's 1-byte ack of
			  * the hello (its victim is ready) */
};

#define RS_CF_FAILED 0x01    /* counted as failed; closing the socket */
#define RS_CF_CANCELLED 0x02 /* the sweep cancelled the request in flight */
#define RS_CF_HELD 0x04      /* --hold: a wait for the storm, not timed */
#define RS_CF_LATE 0x08      /* timed out and counted; the transport still
			      * owes its completion: the step after it is
			      * not issued yet */
#define RS_CF_LINKED 0x10    /* on the worker's deadline list */

struct rs_conn {
	uint64_t t_step; /* when the request in flight was issued */
	uint32_t gen;
	int32_t fd;      /* fd, or direct descriptor index; -1: none */
	uint8_t step;
	uint8_t mode;    /* planned close mode */
	uint8_t op;      /* script index of the op in flight */
	uint8_t flags;
	uint32_t unused;
	uint64_t t_seen; /* the wait that saw the FIN/RST completed (0: not) */
};

/* State shared by every thread of a run. */
struct rs_shared {
	const struct rs_config *cfg;
	const struct rs_probe *probe;
	uint64_t t0;                 /* run start, CLOCK_MONOTONIC ns */
	uint64_t deadline;           /* stop starting connections; 0: none */
	atomic_int stop;             /* stop starting connections now */
	atomic_int abort_run;        /* abandon what is in flight */
	_Atomic uint64_t *close_stamp; /* per global slot, see rs_stamp_make */
	uint32_t total_slots;
	struct rs_addr *addrs;       /* the listening ports (or --target) */
	uint32_t naddrs;
	struct sockaddr_in *srcs;    /* client source addresses; NULL: no bind */
	uint32_t nsrcs;
	_Atomic uint64_t storm_ns;   /* --hold: when the storm was called, 0
				      * before: a wait's timeout starts then */
	_Atomic uint64_t storm_seen_ns; /* --hold: the latest held wait any
					 * client saw end (the storm is
					 * still under way) */
	/* Time since the close: with RS_CLOCK_STAMP the servers' close
	 * stamps (close_stamp, relative to stamp_t0 on the CLOCK_MONOTONIC
	 * this host shares); with RS_CLOCK_SEEN the completion of the wait
	 * that saw the FIN/RST (close_stamp unused) */
	int clock;
	uint64_t stamp_t0;
	uint64_t rate;               /* new connections per second; 0: no cap */
	uint64_t plan_tag;           /* rs_plan_tag(mix, seed), in every hello */
};

enum rs_clock { RS_CLOCK_STAMP, RS_CLOCK_SEEN };

struct rs_client {
	struct rs_shared *sh;
	unsigned index;
	uint32_t base;               /* first global slot */
	uint32_t nslots;
	uint64_t budget;             /* connections it may start */
	struct rs_conn *conns;
	uint8_t (*hello)[32];         /* RS_HELLO_LEN bytes per slot */
	struct rs_tally *tally;
	struct rs_guest *guest;      /* NULL, or work riding on this ring */
	/* progress, published every tick, read by the main thread */
	_Atomic uint64_t pub_started, pub_completed, pub_failed, pub_ops;
	atomic_int done;
	struct rs_ivw *iv;           /* --interval (interval.h), or NULL */
	int err;                     /* setup failure: -errno, msg says what */
	char errmsg[320];
	pthread_t thread;
};

/* An engine runs one client worker to the end of the run. Returns 0, or
 * -errno after filling w->errmsg when the worker could not start. */
struct rs_engine {
	const char *name;
	int (*client_run)(struct rs_client *w);
};

extern const struct rs_engine rs_engine_uring;
extern const struct rs_engine rs_engine_epoll;

/* The io_uring op every op of the script needs, probed: 0, or -EOPNOTSUPP
 * with one line in err naming the op, the kernel that has it and what to
 * do. */
int rs_engine_uring_ops(const struct rs_script *sc, const struct rs_probe *p,
			char *err, size_t errlen);

/* The engine --engine names. */
static inline const struct rs_engine *rs_engine_of(const struct rs_config *cfg)
{
	return cfg->engine == RS_ENGINE_EPOLL ? &rs_engine_epoll :
						&rs_engine_uring;
}

#endif
