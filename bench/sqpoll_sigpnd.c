/* sqpoll_sigpnd: where the SIGPIPE of an IORING_OP_WRITE goes. Opens a TCP
 * pair on 127.0.0.1, resets it (SO_LINGER 0 on the accepted side), writes
 * twice to the other side through a ring with SIGPIPE at its default
 * action (ECONNRESET, then EPIPE), and prints every thread's SigPnd and
 * SigBlk from /proc/self/task. With -s the ring is SQPOLL: the SQ thread
 * issues the writes and the signal stays pending on it (blocked); without,
 * the submitter is killed by the 2nd write (shell status 141).
 *
 *   cc -O2 -o sqpoll_sigpnd bench/sqpoll_sigpnd.c -luring
 *   ./sqpoll_sigpnd -s; ./sqpoll_sigpnd; echo $?
 *
 * docs/behaviour.md has what it printed on 6.18. Loopback only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	_exit(1);
}

/* One line per thread: its name, pending and blocked signals. */
static void tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	if (!d)
		die("/proc/self/task");
	while ((e = readdir(d))) {
		char p[300], line[256], comm[64] = "?", pnd[32] = "?",
						 blk[32] = "?";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/self/task/%s/status", e->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "Name:", 5))
				sscanf(line + 5, "%63s", comm);
			else if (!strncmp(line, "SigPnd:", 7))
				sscanf(line + 7, "%31s", pnd);
			else if (!strncmp(line, "SigBlk:", 7))
				sscanf(line + 7, "%31s", blk);
		}
		fclose(f);
		printf("thread %s %-16s SigPnd %s SigBlk %s\n", e->d_name,
		       comm, pnd, blk);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct linger lg = { 1, 0 };
	struct io_uring_params par;
	struct io_uring ring;
	socklen_t al = sizeof(a);
	int sq = argc > 1 && !strcmp(argv[1], "-s");
	int l, c, s;

	signal(SIGPIPE, SIG_DFL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, al) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &al))
		die("listen on 127.0.0.1");
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, al))
		die("connect");
	s = accept(l, NULL, NULL);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die("accept, SO_LINGER");
	close(s);
	{
		struct pollfd p = { c, POLLRDHUP, 0 };

		poll(&p, 1, 1000);
	}
	memset(&par, 0, sizeof(par));
	if (sq) {
		par.flags = IORING_SETUP_SQPOLL;
		par.sq_thread_idle = 1000;
	}
	if (io_uring_queue_init_params(8, &ring, &par))
		die("io_uring_queue_init");
	for (int i = 1; i <= 2; i++) {
		struct io_uring_sqe *e = io_uring_get_sqe(&ring);
		struct io_uring_cqe *q;

		io_uring_prep_write(e, c, "x", 1, 0);
		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &q))
			die("io_uring_wait_cqe");
		printf("write %d (%s): %s\n", i, sq ? "sqpoll" : "inline",
		       q->res < 0 ? strerror(-q->res) : "ok");
		io_uring_cqe_seen(&ring, q);
	}
	tasks();
	printf("alive\n");
	return 0;
}
