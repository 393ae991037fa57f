/* uring_poll_rdhup: whether IORING_OP_POLL_ADD can wait for the error on a
 * socket whose peer has closed (FIN). Opens a TCP pair on 127.0.0.1, closes
 * the accepted side, waits until the FIN is seen, then asks for
 * POLLERR|POLLHUP twice, with no error to come: through the ring (io_uring
 * adds POLLRDHUP to every poll it arms, so it completes at once with
 * 0x2000) and with poll(2) (nothing within 200 ms).
 *
 *   cc -O2 -o uring_poll_rdhup bench/uring_poll_rdhup.c -luring
 *
 * docs/behaviour.md has what it printed on 6.18. Loopback only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct __kernel_timespec ts = { 0, 200000000 };
	struct pollfd p = { 0, POLLRDHUP, 0 };
	struct io_uring_cqe *q;
	struct io_uring_sqe *e;
	struct io_uring ring;
	socklen_t al = sizeof(a);
	int l, c, s, n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, al) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &al) ||
	    connect(c, (struct sockaddr *)&a, al)) {
		perror("a TCP pair on 127.0.0.1");
		return 1;
	}
	s = accept(l, NULL, NULL);
	if (s < 0) {
		perror("accept");
		return 1;
	}
	close(s);
	p.fd = c;
	poll(&p, 1, 1000);
	if (io_uring_queue_init(8, &ring, 0)) {
		perror("io_uring_queue_init");
		return 1;
	}
	e = io_uring_get_sqe(&ring);
	io_uring_prep_poll_add(e, c, POLLERR | POLLHUP);
	io_uring_submit(&ring);
	if (io_uring_wait_cqe_timeout(&ring, &q, &ts))
		printf("IORING_OP_POLL_ADD POLLERR|POLLHUP: nothing in 200 ms\n");
	else
		printf("IORING_OP_POLL_ADD POLLERR|POLLHUP: res %#x%s\n", q->res,
		       q->res > 0 && (q->res & POLLRDHUP) ? " (POLLRDHUP)" : "");
	p.events = POLLERR | POLLHUP;
	p.revents = 0;
	n = poll(&p, 1, 200);
	printf("poll(2) POLLERR|POLLHUP: %d ready, revents %#x\n", n,
	       p.revents);
	return 0;
}
