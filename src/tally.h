/* Everything a client or server worker counts, in one struct per worker:
 * no locks while running, summed by rs_tally_add after join. */
#ifndef RS_TALLY_H
#define RS_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "histo.h"
#include "outcome.h"
#include "plan.h"
#include "script.h"

/* Where a connection was when it failed or was abandoned. */
enum rs_phase {
	RS_PH_SOCKET,
	RS_PH_CONNECT,
	RS_PH_HELLO,
	RS_PH_WAIT,
	RS_PH_OPS,
	RS_PH_CLOSE,
	RS_PH_N
};

/* "socket", "connect", ... */
const char *rs_phase_name(unsigned ph);
int rs_phase_from_name(const char *name);

struct rs_tally {
	/* connections: started = completed + failed + abandoned */
	uint64_t started;
	uint64_t completed;
	uint64_t failed[RS_PH_N][RS_RES_N]; /* by phase and result code */
	uint64_t abandoned[RS_PH_N];        /* in flight when the run ended */
	uint64_t mode_started[RS_CLOSE_NMODES];
	uint64_t mode_completed[RS_CLOSE_NMODES];

	/* ops: issued = counted in outcome + abandoned_ops */
	uint64_t op_issued[RS_CLOSE_NMODES][RS_MAX_OPS];
	uint64_t op_abandoned[RS_CLOSE_NMODES][RS_MAX_OPS];
	/* ops issued before the server's close was stamped */
	uint64_t before_close[RS_CLOSE_NMODES][RS_MAX_OPS];
	struct rs_outcome outcome;
	/* bytes the ok ops moved: data read, or accepted by a write */
	uint64_t op_bytes[RS_CLOSE_NMODES][RS_MAX_OPS];

	uint64_t close_errors;  /* the client's own close failed */
	uint64_t cq_overflow;   /* times IORING_SQ_CQ_OVERFLOW was seen */
	uint64_t cq_dropped;    /* completions the kernel dropped (no NODROP) */
	uint64_t stray_cqes;    /* completions matching no request in flight */
	uint64_t zc_notifs;     /* send-zc notifications (not results) */

	/* server side */
	uint64_t srv_accepted;
	uint64_t srv_closed[RS_CLOSE_NMODES];
	uint64_t srv_accept_errors;
	uint64_t srv_no_slot;       /* accepted with every slot busy */
	uint64_t srv_bad_hello;     /* wrong magic or id out of range */
	uint64_t srv_early_eof;     /* peer gone before its hello */
	uint64_t srv_unread_empty;  /* unread mode found nothing unread */
	uint64_t srv_open_at_stop;
	uint64_t srv_close_errors;  /* close actions through the ring that
				     * failed: SO_LINGER, SIOCINQ, shutdown,
				     * close-direct */
	uint64_t srv_sent_bytes;    /* --server-sends: bytes sent */
	uint64_t srv_send_short;    /* --server-sends: sends that failed or
				     * sent fewer bytes */
	uint64_t srv_ack_errors;    /* --closer client: acks not sent whole */

	/* CPU of the workers' own threads, ns */
	uint64_t user_ns, sys_ns;

	struct rs_histo connect_ns;
	struct rs_histo op_ns[RS_CLOSE_NMODES][RS_MAX_OPS];
	/* time from the server's close to the op's issue, all ops and the
	 * ops that returned an error: their ratio per bucket is the error
	 * rate against the time since the close */
	struct rs_histo since_close_ns[RS_CLOSE_NMODES][RS_MAX_OPS];
	struct rs_histo since_close_err_ns[RS_CLOSE_NMODES][RS_MAX_OPS];
	/* client workers: the length of each loop pass, from the clock read
	 * that stamps the pass's completions to the next wait, where the SQEs
	 * it prepared go to the kernel (worker.c): the width of the
	 * uncertainty of every timestamp taken in that pass */
	struct rs_histo pass_ns;
};

/*
 * Every field of struct rs_tally, for the merge: counters (a uint64_t or an
 * array of them, summed element by element) and histograms (a struct
 * rs_histo or an array of them, merged by rs_histo_add). A field added to
 * the struct goes here too; test_tally checks that none is left out.
 */
#define RS_TALLY_COUNTERS(X)                                                  \
	X(started) X(completed) X(failed) X(abandoned) X(mode_started)        \
	X(mode_completed) X(op_issued) X(op_abandoned) X(before_close)        \
	X(outcome.n) X(op_bytes) X(close_errors) X(cq_overflow)              \
	X(cq_dropped) X(stray_cqes) X(zc_notifs) X(srv_accepted)              \
	X(srv_closed) X(srv_accept_errors) X(srv_no_slot) X(srv_bad_hello)    \
	X(srv_early_eof) X(srv_unread_empty) X(srv_open_at_stop)              \
	X(srv_close_errors) X(srv_sent_bytes) X(srv_send_short)               \
	X(srv_ack_errors) X(user_ns) X(sys_ns)
#define RS_TALLY_HISTOS(X) \
	X(connect_ns) X(op_ns) X(since_close_ns) X(since_close_err_ns)        \
	X(pass_ns)

/* A zeroed tally, or NULL when out of memory. Free with free(). */
struct rs_tally *rs_tally_new(void);

/* dst += src, every counter and histogram, field by field. */
void rs_tally_add(struct rs_tally *dst, const struct rs_tally *src);

/* --closer client: the victim's ops are the server's. Move src's op
 * counters and histograms (issued, abandoned, before_close, outcomes,
 * bytes, op_ns, since_close) onto dst's, which ran none, and zero them in
 * src, so every op is counted once, on the side that reports ops. */
void rs_tally_take_ops(struct rs_tally *dst, struct rs_tally *src);

uint64_t rs_tally_failed_total(const struct rs_tally *t);
uint64_t rs_tally_abandoned_total(const struct rs_tally *t);

/* Check the books: connections started = completed + failed + abandoned,
 * and for every (mode, op) issued = counted + abandoned, no completion
 * dropped by the kernel. Returns true when they balance; otherwise writes
 * the first difference into why. */
bool rs_tally_balanced(const struct rs_tally *t, unsigned nops, char *why,
		       size_t len);

#endif
