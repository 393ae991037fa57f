/* io_uring plumbing shared by the client and server engines: ring setup
 * with the flag step-down, an SQE getter that never fails for lack of
 * room, and the one definition of the user_data layout. */
#ifndef RS_RING_H
#define RS_RING_H

#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/*
 * user_data layout (the only place it is written down):
 *
 *   bits 63..56  tag   what kind of request (enum rs_ud_tag)
 *   bits 55..32  gen   low 24 bits of the slot's generation
 *   bits 31..0   idx   slot index (connection, listener, ...)
 *
 * No tag is 0xff, so no user_data of ours is LIBURING_UDATA_TIMEOUT (all
 * ones), which liburing uses internally on kernels without EXT_ARG.
 */
enum rs_ud_tag {
	RS_UD_CONN = 1, /* the one request a client connection has in flight */
	RS_UD_TICK,     /* the worker's periodic timeout */
	RS_UD_CANCEL,   /* an ASYNC_CANCEL issued by the timeout sweep */
	RS_UD_ACCEPT,   /* server: accept on listener idx */
	RS_UD_SRV,      /* server: the request a server connection has */
	RS_UD_GUEST,    /* a guest's request (struct rs_guest, check's trials) */
	RS_UD_SRV_AUX,  /* server: a side request of a close (setsockopt,
			 * SIOCINQ, shutdown) on server slot idx */
	RS_UD_STORM,    /* server: the --hold storm signal (eventfd poll) */
};

static inline uint64_t rs_ud_make(unsigned tag, uint32_t gen, uint32_t idx)
{
	return (uint64_t)tag << 56 | (uint64_t)(gen & 0xffffff) << 32 | idx;
}

static inline unsigned rs_ud_tag(uint64_t ud)
{
	return (unsigned)(ud >> 56);
}

static inline uint32_t rs_ud_gen(uint64_t ud)
{
	return (uint32_t)(ud >> 32) & 0xffffff;
}

static inline uint32_t rs_ud_idx(uint64_t ud)
{
	return (uint32_t)ud;
}

/*
 * Kernel ABI that liburing 2.3's headers lack, with the uapi values
 * (include/uapi/linux/io_uring.h). rs_probe_run tests each before use.
 */
#define RS_IORING_OP_URING_CMD 46 /* 5.19; on sockets from 6.7 */
#define RS_IORING_OP_BIND 56      /* 6.11 */
enum {
	RS_SOCKET_URING_OP_SIOCINQ = 0,    /* res = bytes unread (6.7) */
	RS_SOCKET_URING_OP_SETSOCKOPT = 3, /* 6.7 */
};

/*
 * A socket command (IORING_OP_URING_CMD) by hand. The 6.7 uapi overlays
 * the fields: cmd_op on the low half of off, {level, optname} on addr,
 * optlen on file_index, optval on addr3. fd is a direct descriptor when
 * the caller adds IOSQE_FIXED_FILE. optval must stay valid until the
 * request completes.
 */
static inline void rs_prep_sock_cmd(struct io_uring_sqe *sqe, unsigned cmd,
				    int fd, int level, int optname,
				    const void *optval, uint32_t optlen)
{
	uint32_t lvl_name[2] = { (uint32_t)level, (uint32_t)optname };

	io_uring_prep_rw(RS_IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd;
	memcpy(&sqe->addr, lvl_name, sizeof(lvl_name));
	sqe->file_index = optlen;
	sqe->addr3 = (uint64_t)(uintptr_t)optval;
}

/* IORING_OP_BIND (6.11): addr in addr, its length in off (addr2). */
static inline void rs_prep_bind(struct io_uring_sqe *sqe, int fd,
				const struct sockaddr_in *a)
{
	io_uring_prep_rw(RS_IORING_OP_BIND, sqe, fd, a, 0, sizeof(*a));
}

/* Accept into a direct descriptor the kernel picks (5.19): res is its
 * index. liburing 2.3's io_uring_prep_accept_direct cannot ask for this:
 * it adds 1 to IORING_FILE_INDEX_ALLOC, which wraps to 0 (an ordinary fd). */
static inline void rs_prep_accept_alloc(struct io_uring_sqe *sqe, int lfd,
					bool multishot)
{
	io_uring_prep_accept(sqe, lfd, NULL, NULL, 0);
	if (multishot)
		sqe->ioprio |= IORING_ACCEPT_MULTISHOT;
	sqe->file_index = IORING_FILE_INDEX_ALLOC;
}

/* Create a ring with sq entries and a CQ of cq entries, with exactly the
 * setup flags given (IORING_SETUP_CQSIZE is added). Must be called by the
 * thread that will submit (SINGLE_ISSUER). Returns 0 or -errno. */
int rs_ring_init(struct io_uring *ring, unsigned sq, unsigned cq,
		 unsigned flags);
/* io_uring_queue_exit() for a ring made by rs_ring_init() (it tells
 * ThreadSanitizer the ring's memory may be reused by another ring). */
void rs_ring_exit(struct io_uring *ring);

/* Try flag sets from the best (0: SINGLE_ISSUER|DEFER_TASKRUN) through
 * 1 (COOP_TASKRUN) to 2 (none), starting at start, on a throwaway ring;
 * with exact, only the set start. SUBMIT_ALL is added where it works.
 * Returns the flags that worked (>= 0), or -errno (-EINVAL: the kernel
 * refuses the flags asked for). */
int rs_ring_pick_flags(int start, bool exact);

/* "SINGLE_ISSUER|DEFER_TASKRUN", "COOP_TASKRUN|TASKRUN_FLAG" or "none",
 * SUBMIT_ALL appended when set. Static storage. */
const char *rs_ring_flags_name(unsigned flags);

/* Every worker's periodic timeout (RS_UD_TICK): stop checks, the timeout
 * sweep, progress. The client shortens it for short --timeout values. */
#define RS_TICK_NS 100000000ull

/* The smallest power of two >= v (ring sizes). */
static inline unsigned rs_pow2_at_least(unsigned v)
{
	unsigned p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* An SQE, submitting what is queued first when the SQ is full. On an
 * SQPOLL ring the submit only publishes the entries and wakes the kernel's
 * thread, which takes them when it runs: wait for it to make room
 * (io_uring_sqring_wait) rather than give up. Returns NULL only if the
 * kernel accepted none of a full SQ, or refused the wait (then something is
 * badly wrong: callers treat it as fatal). */
static inline struct io_uring_sqe *rs_ring_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (sqe)
		return sqe;
	io_uring_submit(ring);
	sqe = io_uring_get_sqe(ring);
	while (!sqe && (ring->flags & IORING_SETUP_SQPOLL)) {
		int ret = io_uring_sqring_wait(ring);

		if (ret < 0 && ret != -EINTR)
			return NULL;
		sqe = io_uring_get_sqe(ring);
	}
	return sqe;
}

/* Two SQEs side by side in the SQ, for a link (submits first when fewer
 * than two are free, so a chain is never cut by a submit). */
void rs_ring_sqe_pair(struct io_uring *ring, const char *who,
		      struct io_uring_sqe **a, struct io_uring_sqe **b);

/* rs_ring_sqe, or exit naming who ("client 0") when the ring is stuck. */
struct io_uring_sqe *rs_ring_sqe_must(struct io_uring *ring, const char *who);

/* Queue the worker's tick: a timeout of *ts (which must outlive it) with
 * user_data RS_UD_TICK. */
void rs_ring_arm_tick(struct io_uring *ring,
		      const struct __kernel_timespec *ts, const char *who);

/* Submit what is queued and wait for at least one completion. Interrupted
 * or busy waits (-EINTR, -EAGAIN, -EBUSY and -EBADR, the last two when
 * completions overflowed) just return; any other error is fatal. Returns
 * true when the kernel flagged IORING_SQ_CQ_OVERFLOW. */
bool rs_ring_wait(struct io_uring *ring, const char *who);

#endif
