/* Unit tests for the client worker's plumbing: the SQE getter on an SQPOLL
 * ring (src/ring.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqe_waits_on_sqpoll_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
