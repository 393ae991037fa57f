/* Unit tests for the client worker's plumbing: the SQE getter on an SQPOLL
 * ring (src/ring.h), a guest's start error (src/engine_uring.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "ring.h"

/* On an SQPOLL ring a full SQ empties only when the kernel's thread runs:
 * the getter must wait for it, not hand back NULL ("ring is stuck"). */
static void test_sqe_waits_on_sqpoll_ring(void **state)
{
	struct io_uring ring;
	struct io_uring_params p;
	struct io_uring_cqe *cqe;
	unsigned n = 0;
	int ret;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | IORING_SETUP_CQSIZE;
	p.cq_entries = 512;
	p.sq_thread_idle = 1000;
	ret = io_uring_queue_init_params(2, &ring, &p);
	if (ret == -EPERM || ret == -EINVAL || ret == -ENOSYS ||
	    ret == -ENOMEM) {
		print_message("skip: no SQPOLL ring here: %s\n",
			      strerror(-ret));
		skip();
	}
	assert_int_equal(ret, 0);
	for (unsigned i = 0; i < 300; i++) {
		struct io_uring_sqe *sqe = rs_ring_sqe(&ring);

		if (!sqe)
			fail_msg("no SQE for NOP %u of 300 on a 2-entry SQPOLL ring",
				 i);
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, i);
	}
	io_uring_submit(&ring);
	while (n < 300) {
		ret = io_uring_wait_cqe(&ring, &cqe);
		assert_int_equal(ret, 0);
		assert_int_equal(cqe->res, 0);
		io_uring_cqe_seen(&ring, cqe);
		n++;
	}
	io_uring_queue_exit(&ring);
}

static int failing_start(struct rs_guest *g, struct io_uring *ring,
			 uint64_t now)
{
	(void)ring;
	(void)now;
	snprintf(g->errmsg, sizeof(g->errmsg), "guest: cannot start");
	return -EPROTO;
}

/* A guest that cannot start ends the worker with its error, so the run
 * prints it and fails, rather than a silent 0. */
static void test_uring_returns_guest_start_error(void **state)
{
	static struct rs_config cfg;
	static struct rs_probe probe;
	static struct rs_shared sh;
	static struct rs_client w;
	static struct rs_tally tally;
	struct rs_guest g = { .start = failing_start, .max_inflight = 1 };
	int ret;

	(void)state;
	cfg.timeout_ns = 20000000ull;
	sh.cfg = &cfg;
	sh.probe = &probe;
	w.sh = &sh;
	w.tally = &tally;
	w.guest = &g;
	ret = rs_engine_uring.client_run(&w);
	if (ret == -ENOSYS || ret == -EPERM) {
		print_message("skip: no io_uring here: %s\n", strerror(-ret));
		skip();
	}
	assert_int_equal(ret, -EPROTO);
	assert_string_equal(w.errmsg, "guest: cannot start");
	assert_true(g.done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqe_waits_on_sqpoll_ring),
		cmocka_unit_test(test_uring_returns_guest_start_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
