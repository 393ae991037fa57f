/* Ring setup with the step-down of setup flags. */
#include "ring.h"

#include <errno.h>
#include <string.h>

#include "util.h"

#ifndef IORING_SETUP_SUBMIT_ALL
#define IORING_SETUP_SUBMIT_ALL (1U << 7)
#endif
#ifndef IORING_SETUP_COOP_TASKRUN
#define IORING_SETUP_COOP_TASKRUN (1U << 8)
#define IORING_SETUP_TASKRUN_FLAG (1U << 9)
#endif
#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER (1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN (1U << 13)
#endif

/*
 * Best first. DEFER_TASKRUN (6.1) runs completions only when this thread
 * asks for them, in one batch, so a worker that owns its ring pays no IPIs
 * or interruptions; it requires SINGLE_ISSUER. COOP_TASKRUN (5.19) at least
 * avoids interrupting the task for every completion. SUBMIT_ALL (5.18) makes
 * one failing SQE not stop the rest of the batch; it is tried with each.
 */
static const unsigned flag_sets[] = {
	IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
	0,
};

#if defined(__SANITIZE_THREAD__)
#define RS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RS_TSAN 1
#endif
#endif

#ifdef RS_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);

/*
 * liburing maps and unmaps the rings with raw system calls, which
 * ThreadSanitizer does not see: a ring mapped where another thread's ring
 * was unmapped inherits that thread's accesses, and the first read of the
 * new ring is reported as a race with a write into the old one (t_fdlimit's
 * 16 client threads ending at different times). The kernel orders the
 * munmap before the mmap that reuses the range; tell TSan the same: every
 * ring's end releases one token before the unmap, every ring's start
 * acquires it after the map.
 */
static char ring_token;
#define tsan_ring_made() __tsan_acquire(&ring_token)
#define tsan_ring_ending() __tsan_release(&ring_token)
#else
#define tsan_ring_made() ((void)0)
#define tsan_ring_ending() ((void)0)
#endif

int rs_ring_init(struct io_uring *ring, unsigned sq, unsigned cq,
		 unsigned flags)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = flags | IORING_SETUP_CQSIZE;
	p.cq_entries = cq;
	ret = io_uring_queue_init_params(sq, ring, &p);
	if (ret == 0)
		tsan_ring_made();
	return ret;
}

void rs_ring_exit(struct io_uring *ring)
{
	tsan_ring_ending();
	io_uring_queue_exit(ring);
}

int rs_ring_pick_flags(int start, bool exact)
{
	int err = -ENOSYS;

	if (start < 0 || start > 2)
		start = 0;
	for (int i = start; i < (exact ? start + 1 : 3); i++) {
		for (int all = 1; all >= 0; all--) {
			unsigned f = flag_sets[i] |
				     (all ? IORING_SETUP_SUBMIT_ALL : 0);
			struct io_uring r;

			err = rs_ring_init(&r, 8, 16, f);
			if (err == 0) {
				rs_ring_exit(&r);
				return (int)f;
			}
			/* Only an unknown flag is worth stepping down for. */
			if (err != -EINVAL)
				return err;
		}
	}
	return err;
}

const char *rs_ring_flags_name(unsigned flags)
{
	static const char *const names[] = {
		"SINGLE_ISSUER|DEFER_TASKRUN|SUBMIT_ALL",
		"SINGLE_ISSUER|DEFER_TASKRUN",
		"COOP_TASKRUN|TASKRUN_FLAG|SUBMIT_ALL",
		"COOP_TASKRUN|TASKRUN_FLAG",
		"SUBMIT_ALL",
		"none",
	};
	unsigned all = flags & IORING_SETUP_SUBMIT_ALL ? 0 : 1;

	if (flags & IORING_SETUP_DEFER_TASKRUN)
		return names[0 + all];
	if (flags & IORING_SETUP_COOP_TASKRUN)
		return names[2 + all];
	return names[4 + all];
}

struct io_uring_sqe *rs_ring_sqe_must(struct io_uring *ring, const char *who)
{
	struct io_uring_sqe *sqe = rs_ring_sqe(ring);

	if (!sqe)
		rs_fatal("%s: no submission queue entry even after submitting: the ring is stuck",
			 who);
	return sqe;
}

void rs_ring_sqe_pair(struct io_uring *ring, const char *who,
		      struct io_uring_sqe **a, struct io_uring_sqe **b)
{
	if (io_uring_sq_space_left(ring) < 2)
		io_uring_submit(ring);
	/* SQPOLL: the kernel's thread frees the room when it runs */
	while (io_uring_sq_space_left(ring) < 2 &&
	       (ring->flags & IORING_SETUP_SQPOLL)) {
		int ret = io_uring_sqring_wait(ring);

		if (ret < 0 && ret != -EINTR)
			rs_fatal("%s: waiting for room in the SQPOLL ring failed: %s (%s): check dmesg for io_uring errors",
				 who, strerror(-ret), rs_errname(-ret));
	}
	*a = rs_ring_sqe_must(ring, who);
	*b = rs_ring_sqe_must(ring, who);
}

void rs_ring_arm_tick(struct io_uring *ring,
		      const struct __kernel_timespec *ts, const char *who)
{
	struct io_uring_sqe *sqe = rs_ring_sqe_must(ring, who);

	io_uring_prep_timeout(sqe, (struct __kernel_timespec *)ts, 0, 0);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_TICK, 0, 0));
}

bool rs_ring_wait(struct io_uring *ring, const char *who)
{
	int ret = io_uring_submit_and_wait(ring, 1);

	if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EBADR &&
	    ret != -EAGAIN)
		rs_fatal("%s: io_uring_submit_and_wait failed: %s (%s)", who,
			 strerror(-ret), rs_errname(-ret));
	return IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_CQ_OVERFLOW;
}
