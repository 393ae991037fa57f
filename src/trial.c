/* Scenario trials as a guest on a client worker's ring: each trial opens a
 * TCP pair on 127.0.0.1, lets the closer side close as its scenario says,
 * then runs the victim's ops through the ring (or as plain syscalls, the
 * reference) and counts what each returned. Up to cfg.parallel trials run
 * at once; a slot that finishes starts the next trial. */
#include "trial.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "plan.h"
#include "ring.h"
#include "util.h"

/* T_CLOSING: the victim is done, the closer thread is not yet: the slot
 * waits for it (a handshake, never a timeout) */
/* T_PAIR: over a link, the slot waits for the connector's next pair */
/* T_CHILD: SIGPIPE's default action: a child process runs the victim's
 * ops after the close; the slot waits for it to end (a poll on its pidfd) */
enum tstep { T_FREE, T_PRE, T_WAIT, T_GAP, T_OP, T_CLOSING, T_PAIR,
	     T_CHILD };

#define NO_TRIAL 0xffffffffu
/* the guest index of the poll on the connector's pipe (over a link) */
#define PAIR_IDX 0xfffffffeu
#define BUF_LEN 256

struct trial {
	int cfd, vfd;            /* the closer's and the victim's sockets */
	uint32_t gen;
	uint8_t step;
	uint8_t op;              /* the op in flight or next */
	bool inflight, cancelled;
	bool closer_open;        /* half-closed: closed at the trial's end */
	bool closer_rst;         /* the closer's close sent an RST */
	atomic_int xcpu_done;    /* the closer thread has closed */
	uint64_t t_issue;
	uint16_t res[RS_SC_MAX_OPS];
	uint32_t ok_writes_after; /* write ops accepted after the close */
	/* counter facts of this trial's closes; written by whichever thread
	 * closes, read after xcpu_done */
	uint32_t f_unread, f_linger, f_linger_sent, f_estab;
	uint32_t f_either, f_maybe, f_linger_failed;
	/* the same by side ([0] closer, [1] victim) for the RST reasons */
	uint8_t p_state[2], p_on_close[2];
	uint16_t lport, cport;
	/* T_CHILD: the child running the ops, its pidfd, when it is overdue
	 * and whether it was killed for that; failed: the child ended in a
	 * way no result says (the trial counts as not set up) */
	pid_t child;
	int pidfd;
	uint64_t child_deadline;
	bool child_killed, failed;
	struct msghdr msg;
	struct iovec iov;
	uint8_t out;
	uint8_t buf[BUF_LEN];
};

struct tctx {
	struct rs_guest g;       /* first: the engine hands us &g */
	struct rs_trials_cfg cfg;
	const struct rs_scenario *sc;
	struct rs_trial_result *res;
	struct io_uring *ring;
	int lfd;
	struct rs_addr addr;
	struct trial *t;
	uint32_t started, finished;
	struct __kernel_timespec gap_ts;
	uint64_t sig0;
	uint64_t start_at;       /* trials begin at the first tick after */
	bool begun;
	int qfd[2];              /* xcpu: trial indexes to the closer thread */
	pthread_t closer;
	bool closer_running;
	atomic_uint foreign;     /* closer found its slot reused (a bug) */
	int ring_cpu, closer_cpu; /* xcpu: where each thread is pinned */
	atomic_uint off_cpu;     /* ...and how often one was found elsewhere */
	atomic_int stop;         /* rs_trials_stop(): end at the next tick */
	uint32_t closer_delay_ms; /* test seam: RSTSTORM_TEST_CLOSER_DELAY_MS */
	/* over a link: a connector thread on the client side opens the
	 * pairs ahead (a blocking connect takes a round trip there, and the
	 * ring thread must not stall the other trials' ops for it); pairs
	 * come through pfd, at most cfg.parallel waiting (room) */
	int pfd[2];
	pthread_t connector;
	bool connector_running, pair_poll;
	sem_t room;
	bool room_init;
	atomic_int cstop;
	uint8_t pattern[BUF_LEN];
	/* SIGPIPE's default action: what each slot's child reports, in a
	 * shared mapping (the child has its own copy of everything else) */
	struct rs_child_out *cout;
	/* SIG_IGN: the action it replaced while the trials run */
	struct sigaction sig_saved;
	bool sig_set;
};

static atomic_ullong sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&sigpipes, 1, memory_order_relaxed);
}

void rs_sigpipe_count_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigpipe;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

uint64_t rs_sigpipe_count(void)
{
	return atomic_load_explicit(&sigpipes, memory_order_relaxed);
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_state;
}

static bool estab_or_close_wait(int st)
{
	return st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT;
}

/* tcp_need_reset(): states in which a disconnect sends an RST */
static bool need_reset(int st)
{
	return st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT ||
	       st == TCP_FIN_WAIT1 || st == TCP_FIN_WAIT2 ||
	       st == TCP_SYN_RECV;
}

/* Close fd, noting what tcp_close() will count (see scenario.c F5):
 * nothing in CLOSE; unread data: an RST and TCPAbortOnClose; SO_LINGER 0:
 * TCPAbortOnData, an RST where tcp_need_reset(); EstabResets when an RST
 * close leaves ESTABLISHED or CLOSE_WAIT. racy: the peer may still be
 * sending, so a byte can land between the SIOCINQ read and close(), and
 * tcp_close() decides then: an empty queue is noted as "either" (linger
 * 0: AbortOnClose or AbortOnData) or "maybe" (no linger: nothing, or
 * AbortOnClose and an RST), never guessed. A queue that holds data stays
 * exact: only this side reads it. delay_ms: the test seam that widens the
 * window. Returns true if it sent (or may have sent) an RST. */
/* test seam: RSTSTORM_TEST_LINGER_EINVAL=1 makes every SO_LINGER fail for
 * real (a short optlen: EINVAL) */
static socklen_t linger_len = sizeof(struct linger);

static bool close_counted(struct trial *t, int fd, bool linger0, bool racy,
			  uint32_t delay_ms)
{
	int st = tcp_state(fd), inq = 0;
	bool rst = false;

	if (ioctl(fd, SIOCINQ, &inq))
		inq = 0;
	if (linger0) {
		struct linger l = { 1, 0 };

		/* a failed SO_LINGER closes with a FIN: count that */
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, linger_len)) {
			linger0 = false;
			t->f_linger_failed++;
		}
	}
	if (delay_ms)
		poll(NULL, 0, (int)delay_ms);
	if (st >= 0 && st != TCP_CLOSE && st != TCP_LISTEN) {
		if (inq > 0) {
			t->f_unread++;
			rst = true;
		} else if (racy && linger0) {
			t->f_either++;
			/* the unread path always resets; linger 0 resets
			 * where tcp_need_reset(): count an RST only when
			 * both do */
			if (need_reset(st))
				t->f_linger_sent++;
			rst = true;
		} else if (linger0) {
			t->f_linger++;
			if (need_reset(st)) {
				t->f_linger_sent++;
				rst = true;
			}
		} else if (racy) {
			t->f_maybe++;
		}
		if (rst && estab_or_close_wait(st))
			t->f_estab++;
	}
	close(fd);
	return rst;
}

/* close_counted() for one side (0 closer, 1 victim), noting the RSTs it
 * sent by the reason the kernel gives: unread data TCP_ABORT_ON_CLOSE,
 * SO_LINGER 0 TCP_STATE (tcp_disconnect) */
static bool close_side(struct trial *t, unsigned side, int fd, bool linger0,
		       bool racy, uint32_t delay_ms)
{
	uint32_t u = t->f_unread, l = t->f_linger_sent;
	bool rst = close_counted(t, fd, linger0, racy, delay_ms);

	t->p_on_close[side] += (uint8_t)(t->f_unread - u);
	t->p_state[side] += (uint8_t)(t->f_linger_sent - l);
	return rst;
}

/* Wait up to ms for fd to be readable. */
static bool readable(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) == 1;
}

/* The bytes the victim sent before the close, which the closer reads
 * (except in unread mode). */
static unsigned bytes_before_close(const struct rs_scenario *sc)
{
	unsigned n = sc->victim_sends;

	for (unsigned i = 0; i < sc->ops_before; i++)
		n += rs_sop_is_write(sc->op[i].kind);
	return n;
}

/* The closer's part: read what the victim sent (or make sure it is there,
 * unread), send its own data, close as the mode says. */
static void close_action(struct tctx *x, struct trial *t)
{
	const struct rs_scenario *sc = x->sc;
	/* on another CPU the victim's ops run while this closes */
	bool racy = sc->wait == RS_SCW_XCPU;
	uint32_t delay = racy ? x->closer_delay_ms : 0;
	unsigned want = bytes_before_close(sc), got = 0;
	uint8_t sink[BUF_LEN];

	if (sc->mode == RS_CLOSE_UNREAD) {
		readable(t->cfd, 1000);
	} else {
		while (got < want && readable(t->cfd, 1000)) {
			ssize_t n = recv(t->cfd, sink, sizeof(sink),
					 MSG_DONTWAIT);

			if (n <= 0)
				break;
			got += (unsigned)n;
		}
	}
	if (sc->closer_sends)
		(void)!send(t->cfd, x->pattern, sc->closer_sends, MSG_NOSIGNAL);
	switch (sc->mode) {
	case RS_CLOSE_FIN:
	case RS_CLOSE_UNREAD:
		t->closer_rst = close_side(t, 0, t->cfd, false, racy, delay);
		t->cfd = -1;
		break;
	case RS_CLOSE_RST:
		t->closer_rst = close_side(t, 0, t->cfd, true, racy, delay);
		t->cfd = -1;
		break;
	case RS_CLOSE_SHUTDOWN:
		shutdown(t->cfd, SHUT_WR);
		t->closer_open = true;
		break;
	}
}

/* What the ring thread hands the closer thread: the slot and the trial's
 * generation, so a reused slot is caught instead of closed. */
struct closer_msg {
	uint32_t i, gen;
};

static void *closer_thread(void *arg)
{
	struct tctx *x = arg;
	struct closer_msg m;

	while (read(x->qfd[0], &m, sizeof(m)) == (ssize_t)sizeof(m) &&
	       m.i != NO_TRIAL) {
		struct trial *t = &x->t[m.i];

		if (t->gen != m.gen) {
			atomic_fetch_add(&x->foreign, 1);
			continue;
		}
		if (sched_getcpu() != x->closer_cpu)
			atomic_fetch_add(&x->off_cpu, 1);
		close_action(x, t);
		/* the slot is ours until xcpu_done: a change here means
		 * another trial's descriptor was just closed */
		if (t->gen != m.gen)
			atomic_fetch_add(&x->foreign, 1);
		atomic_store_explicit(&t->xcpu_done, 1, memory_order_release);
	}
	return NULL;
}

static uint64_t ud_of(const struct trial *t, uint32_t i)
{
	return rs_ud_make(RS_UD_GUEST, t->gen, i);
}

/* The result code r of op k, and what it implies for the counters. */
static void record_code(struct tctx *x, struct trial *t, unsigned k,
			unsigned r)
{
	unsigned kind = x->sc->op[k].kind;

	t->res[k] = (uint16_t)r;
	if (rs_sop_is_write(kind) && k >= x->sc->ops_before) {
		if (r == RS_RES_OK)
			t->ok_writes_after++;
		else if (r == RS_RES_ERRNO0 + EPIPE)
			x->res->epipe_writes++;
	}
}

/* A completion value (or a syscall's) as a result code: a cancel by
 * rststorm after --timeout is a timeout. */
static unsigned result_code(int res, bool cancelled)
{
	if (cancelled && (res == -ECANCELED || res == -EINTR))
		return RS_RES_TIMEOUT;
	return rs_result_of(res);
}

static void record(struct tctx *x, struct trial *t, int res)
{
	record_code(x, t, t->op, result_code(res, t->cancelled));
}

/* poll(2) until the socket reports POLLERR or POLLHUP, at most
 * timeout_ns: 1 when seen, -ECANCELED at the timeout. poll(2), not the
 * ring's POLL_ADD: io_uring adds POLLRDHUP to every poll it arms
 * (IO_POLL_UNMASK, io_uring/poll.c), so after a FIN its poll completes
 * at once, error or not (measured: res 0x2000). poll(2) reports only
 * what was asked and POLLERR/POLLHUP; a signal handler's EINTR polls on
 * for the time left. */
static int poll_err(int fd, uint64_t timeout_ns)
{
	uint64_t end = rs_now_ns() + timeout_ns;

	for (;;) {
		struct pollfd p = { fd, POLLERR | POLLHUP, 0 };
		uint64_t now = rs_now_ns();
		int n;

		if (now >= end)
			return -ECANCELED;
		n = poll(&p, 1, (int)((end - now + 999999) / 1000000));
		if (n > 0)
			return 1;
		if (n == 0)
			return -ECANCELED;
		if (errno != EINTR)
			return -errno;
	}
}

/* A plain syscall op, run here and now. Returns bytes, 0 or -errno.
 * nonblock: the socket is O_NONBLOCK, so no call waits. */
static int sys_op(struct trial *t, unsigned kind, uint64_t timeout_ns,
		  bool nonblock)
{
	ssize_t n;
	int e = 0;
	socklen_t len = sizeof(e);

	switch (kind) {
	case RS_SOP_SYS_SEND:
		n = send(t->vfd, &t->out, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		break;
	case RS_SOP_SYS_WRITE:
		n = write(t->vfd, &t->out, 1);
		break;
	case RS_SOP_SYS_RECV:
		n = recv(t->vfd, t->buf, sizeof(t->buf), MSG_DONTWAIT);
		break;
	case RS_SOP_SYS_READ:
		/* read(2) blocks on an idle socket: never wait past the
		 * timeout (an O_NONBLOCK socket answers at once) */
		if (!nonblock && !readable(t->vfd, (int)(timeout_ns / 1000000)))
			return -ECANCELED;
		n = read(t->vfd, t->buf, sizeof(t->buf));
		break;
	case RS_SOP_SOERROR:
		if (getsockopt(t->vfd, SOL_SOCKET, SO_ERROR, &e, &len))
			return -errno;
		return e ? -e : 1;
	case RS_SOP_POLLERR:
		return poll_err(t->vfd, timeout_ns);
	default:
		return -EINVAL;
	}
	return n < 0 ? -errno : (int)n;
}

/* Fill sqe for the trial's io_uring op t->op (on any ring: the worker's,
 * or a victim child's own). */
static void prep_sqe(const struct tctx *x, struct trial *t,
		     struct io_uring_sqe *sqe)
{
	unsigned kind = x->sc->op[t->op].kind;

	switch (kind) {
	case RS_SOP_SEND:
		io_uring_prep_send(sqe, t->vfd, &t->out, 1, MSG_NOSIGNAL);
		break;
	case RS_SOP_SEND0:
		io_uring_prep_send(sqe, t->vfd, &t->out, 1, 0);
		break;
	case RS_SOP_SENDMSG:
		t->iov.iov_base = &t->out;
		t->iov.iov_len = 1;
		memset(&t->msg, 0, sizeof(t->msg));
		t->msg.msg_iov = &t->iov;
		t->msg.msg_iovlen = 1;
		io_uring_prep_sendmsg(sqe, t->vfd, &t->msg, MSG_NOSIGNAL);
		break;
	case RS_SOP_WRITE:
		io_uring_prep_write(sqe, t->vfd, &t->out, 1, 0);
		break;
	case RS_SOP_RECV:
		io_uring_prep_recv(sqe, t->vfd, t->buf, sizeof(t->buf), 0);
		break;
	case RS_SOP_READ:
		io_uring_prep_read(sqe, t->vfd, t->buf, sizeof(t->buf), 0);
		break;
	case RS_SOP_RECV_DW:
		io_uring_prep_recv(sqe, t->vfd, t->buf, sizeof(t->buf),
				   MSG_DONTWAIT);
		break;
	}
	if (x->sc->path == RS_PATH_ASYNC)
		sqe->flags |= IOSQE_ASYNC;
}

static void prep_op(struct tctx *x, struct trial *t, uint32_t i)
{
	struct io_uring_sqe *sqe = rs_ring_sqe_must(x->ring, "check");

	prep_sqe(x, t, sqe);
	io_uring_sqe_set_data64(sqe, ud_of(t, i));
}

static void trial_end(struct tctx *x, uint32_t i);
static void begin(struct tctx *x, uint64_t now);
static void do_close(struct tctx *x, uint32_t i, uint64_t now);

/* ---------------------------------------- SIGPIPE's default action */

/*
 * With SIGPIPE's default action an EPIPE kills the process that raised
 * it, so the victim's ops after the close run in a child process, one per
 * trial, and the kill is a result. The child is made with CLONE_FILES: it
 * shares the descriptor table, so it holds no extra reference to any
 * socket (a forked copy would keep every other trial's socket open, and
 * delay its close, for as long as it lives). It runs only system calls
 * (no allocation, no locks: another thread of the parent may have held
 * one at the clone), sets SIGPIPE to SIG_DFL and unblocks it, makes its
 * own ring for io_uring ops (the parent's is not its to use; the path's
 * SQPOLL or IOSQE_ASYNC as the scenario says), and writes each result to
 * the slot's rs_child_out before the next op starts.
 */

int rs_trial_child_results(int wstatus, bool killed_by_us,
			   const struct rs_child_out *o, unsigned first,
			   unsigned nops, uint16_t *res, char *why,
			   size_t whylen)
{
	unsigned cur = o->cur < 0 ? 0 : (unsigned)o->cur;

	if (WIFEXITED(wstatus)) {
		if (WEXITSTATUS(wstatus) == RS_CHILD_EXIT_RING) {
			snprintf(why, whylen,
				 "the victim's child could not set up its io_uring: %s",
				 strerror(o->err));
			return -1;
		}
		if (WEXITSTATUS(wstatus) || cur < nops) {
			snprintf(why, whylen,
				 "the victim's child exited with status %d after %u of %u ops",
				 WEXITSTATUS(wstatus),
				 cur < first ? 0 : cur - first, nops - first);
			return -1;
		}
		for (unsigned k = first; k < nops; k++)
			res[k] = o->res[k];
		return 0;
	}
	/* killed by check after its last op returned: the ring's teardown
	 * was slow (an SQPOLL ring on 5.10 under emulation), the results
	 * are whole */
	if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL &&
	    killed_by_us && cur >= nops) {
		for (unsigned k = first; k < nops; k++)
			res[k] = o->res[k];
		return 0;
	}
	if (!WIFSIGNALED(wstatus)) {
		snprintf(why, whylen, "the victim's child ended with wait status %#x",
			 (unsigned)wstatus);
		return -1;
	}
	if (cur < first || cur >= nops ||
	    (WTERMSIG(wstatus) != SIGPIPE &&
	     !(killed_by_us && WTERMSIG(wstatus) == SIGKILL))) {
		snprintf(why, whylen,
			 "the victim's child was killed by signal %d (%s) %s",
			 WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)),
			 cur < first || cur >= nops ? "outside its ops" :
						     "during an op");
		return -1;
	}
	for (unsigned k = first; k < cur; k++)
		res[k] = o->res[k];
	res[cur] = WTERMSIG(wstatus) == SIGPIPE ? RS_RES_KILLED : RS_RES_TIMEOUT;
	for (unsigned k = cur + 1; k < nops; k++)
		res[k] = RS_RES_NOTRUN;
	return 0;
}

#define CHILD_UD_OP 1
#define CHILD_UD_CANCEL 2

/* In the child: wait for the op's completion; past the timeout cancel it
 * (cancelled: then -ECANCELED is a timeout). Returns its res. */
static int child_wait(struct io_uring *ring, struct __kernel_timespec *to,
		      bool *cancelled)
{
	for (;;) {
		struct io_uring_cqe *cqe;
		uint64_t ud;
		int e = *cancelled ? io_uring_wait_cqe(ring, &cqe) :
				     io_uring_wait_cqe_timeout(ring, &cqe, to);

		if (e == -ETIME && !*cancelled) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			io_uring_prep_cancel64(sqe, CHILD_UD_OP, 0);
			io_uring_sqe_set_data64(sqe, CHILD_UD_CANCEL);
			io_uring_submit(ring);
			*cancelled = true;
			continue;
		}
		if (e == -EINTR)
			continue;
		if (e)
			_exit(4);
		ud = cqe->user_data;
		e = cqe->res;
		io_uring_cqe_seen(ring, cqe);
		/* a cancel's completion, this op's or an earlier one's */
		if (ud == CHILD_UD_OP)
			return e;
	}
}

/* The child: ops t->op.. of the scenario, then _exit. */
static __attribute__((noreturn)) void child_main(const struct tctx *x,
						 struct trial *t,
						 struct rs_child_out *o)
{
	const struct rs_scenario *sc = x->sc;
	struct sigaction sa;
	sigset_t set;
	struct io_uring ring;
	struct timespec gap = { (time_t)(x->cfg.gap_ns / 1000000000ull),
				(long)(x->cfg.gap_ns % 1000000000ull) };
	struct __kernel_timespec to = {
		(long long)(x->cfg.timeout_ns / 1000000000ull),
		(long long)(x->cfg.timeout_ns % 1000000000ull) };
	bool uring = false;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	for (unsigned k = t->op; k < sc->nops; k++)
		uring |= rs_sop_is_uring(sc->op[k].kind);
	if (uring) {
		struct io_uring_params p;
		int e;

		memset(&p, 0, sizeof(p));
		if (sc->path == RS_PATH_SQPOLL) {
			p.flags = IORING_SETUP_SQPOLL;
			/* 1 ms: up to --parallel children each have an SQ
			 * thread, which spins while not idle */
			p.sq_thread_idle = 1;
		}
		e = io_uring_queue_init_params(8, &ring, &p);
		if (e) {
			o->err = -e;
			_exit(RS_CHILD_EXIT_RING);
		}
		o->ring_fd = ring.ring_fd;
	}
	for (; t->op < sc->nops; t->op++) {
		const struct rs_sc_op *op = &sc->op[t->op];
		struct io_uring_sqe *sqe;
		bool cancelled = false;
		int res;

		o->cur = t->op;
		if (op->gap && x->cfg.gap_ns)
			while (nanosleep(&gap, &gap) && errno == EINTR)
				;
		if (!rs_sop_is_uring(op->kind)) {
			res = sys_op(t, op->kind, x->cfg.timeout_ns,
				     sc->nonblock);
			o->res[t->op] = (uint16_t)result_code(res, true);
			continue;
		}
		sqe = io_uring_get_sqe(&ring);
		prep_sqe(x, t, sqe);
		io_uring_sqe_set_data64(sqe, CHILD_UD_OP);
		io_uring_submit(&ring);
		res = child_wait(&ring, &to, &cancelled);
		o->res[t->op] = (uint16_t)result_code(res, cancelled);
	}
	o->cur = sc->nops;
	if (uring) {
		/* first: a kill between the two leaves an fd, never makes
		 * the parent close a number another thread reuses */
		o->ring_fd = -1;
		io_uring_queue_exit(&ring);
	}
	_exit(0);
}

/* Start the child for the trial in slot i and wait for its end through a
 * poll on its pidfd; the deadline covers its ops, gaps and timeouts. A
 * child that cannot be made ends the trial as not set up. */
static void child_start(struct tctx *x, uint32_t i, uint64_t now)
{
	struct trial *t = &x->t[i];
	struct rs_child_out *o = &x->cout[i];
	struct clone_args ca;
	struct io_uring_sqe *sqe;
	unsigned left = x->sc->nops - t->op;
	int pidfd = -1;
	long pid;

	memset(o, 0, sizeof(*o));
	o->cur = t->op;
	o->ring_fd = -1;
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_FILES | CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		child_main(x, t, o);
	if (pid < 0) {
		int e = errno;

		if (!x->res->setup_failed)
			snprintf(x->res->setup_err, sizeof(x->res->setup_err),
				 "cannot start the victim's child process (clone3): %s: the kernel needs 5.3; raise the process limit (ulimit -u)",
				 strerror(e));
		t->failed = true;
		trial_end(x, i);
		return;
	}
	t->child = (pid_t)pid;
	t->pidfd = pidfd;
	t->child_killed = false;
	/* 5 s more for its exit: an SQPOLL ring's teardown took over 1 s
	 * on 5.10 under emulation */
	t->child_deadline = now + left * (x->cfg.timeout_ns + x->cfg.gap_ns) +
			    5000000000ull;
	sqe = rs_ring_sqe_must(x->ring, "check");
	io_uring_prep_poll_add(sqe, pidfd, POLLIN);
	io_uring_sqe_set_data64(sqe, ud_of(t, i));
	t->step = T_CHILD;
	t->inflight = true;
	t->cancelled = false;
	t->t_issue = now;
}

/* Reap slot i's child (it has ended, or is killed now) and close what it
 * may have left open: its pidfd, and its ring when it died first. */
static int child_reap(struct tctx *x, struct trial *t, uint32_t i,
		      bool kill_it)
{
	int st = 0;

	if (kill_it)
		kill(t->child, SIGKILL);
	while (waitpid(t->child, &st, 0) < 0 && errno == EINTR)
		;
	t->child = 0;
	close(t->pidfd);
	t->pidfd = -1;
	if (x->cout[i].ring_fd >= 0) {
		close(x->cout[i].ring_fd);
		x->cout[i].ring_fd = -1;
	}
	return st;
}

/* The child of slot i has ended: its results, then the trial's end. */
static void child_done(struct tctx *x, uint32_t i)
{
	struct trial *t = &x->t[i];
	unsigned first = t->op, nops = x->sc->nops;
	uint16_t res[RS_SC_MAX_OPS];
	char why[160];
	int st = child_reap(x, t, i, false);

	if (rs_trial_child_results(st, t->child_killed, &x->cout[i], first,
				   nops, res, why, sizeof(why))) {
		if (!x->res->setup_failed)
			snprintf(x->res->setup_err, sizeof(x->res->setup_err),
				 "%s", why);
		t->failed = true;
	} else {
		for (unsigned k = first; k < nops; k++)
			record_code(x, t, k, res[k]);
	}
	t->op = (uint8_t)nops;
	trial_end(x, i);
}

/* Issue op t->op (after its gap), or run it when it is a syscall; go on
 * until something is in flight or the trial is over. */
static void next_op(struct tctx *x, uint32_t i, uint64_t now)
{
	struct trial *t = &x->t[i];
	const struct rs_scenario *sc = x->sc;

	for (;;) {
		const struct rs_sc_op *op;

		if (t->op >= sc->nops) {
			trial_end(x, i);
			return;
		}
		op = &sc->op[t->op];
		/* SIGPIPE's default action: the ops after the close, gaps
		 * included, are the child's */
		if (sc->sigdisp == RS_SIGDISP_DEFAULT && t->step != T_PRE) {
			child_start(x, i, now);
			return;
		}
		if (op->gap && x->cfg.gap_ns && t->step != T_GAP &&
		    t->op >= sc->ops_before) {
			struct io_uring_sqe *sqe =
				rs_ring_sqe_must(x->ring, "check");

			io_uring_prep_timeout(sqe, &x->gap_ts, 0, 0);
			io_uring_sqe_set_data64(sqe, ud_of(t, i));
			t->step = T_GAP;
			t->inflight = true;
			t->cancelled = false;
			t->t_issue = now;
			return;
		}
		if (t->step != T_PRE)
			t->step = T_OP;
		t->cancelled = false;
		t->t_issue = now;
		if (rs_sop_is_uring(op->kind)) {
			prep_op(x, t, i);
			t->inflight = true;
			return;
		}
		/* -ECANCELED: the syscall op's wait reached --timeout */
		record_code(x, t, t->op,
			    result_code(sys_op(t, op->kind, x->cfg.timeout_ns,
					       sc->nonblock),
					true));
		t->op++;
		if (t->step == T_PRE && t->op >= sc->ops_before) {
			do_close(x, i, now);
			return;
		}
	}
}

/* The close; then the victim waits to see it, or goes on at once. */
static void do_close(struct tctx *x, uint32_t i, uint64_t now)
{
	struct trial *t = &x->t[i];

	t->step = T_OP;
	if (x->sc->wait == RS_SCW_XCPU) {
		struct closer_msg m = { i, t->gen };

		if (sched_getcpu() != x->ring_cpu)
			atomic_fetch_add(&x->off_cpu, 1);
		(void)!write(x->qfd[1], &m, sizeof(m));
	} else {
		close_action(x, t);
		atomic_store_explicit(&t->xcpu_done, 1, memory_order_release);
	}
	if (x->sc->wait == RS_SCW_OBSERVED) {
		struct io_uring_sqe *sqe = rs_ring_sqe_must(x->ring, "check");

		/* POLLRDHUP fires on the FIN; POLLERR/POLLHUP (the RST)
		 * are always reported; data alone does not end the wait */
		io_uring_prep_poll_add(sqe, t->vfd, POLLRDHUP);
		io_uring_sqe_set_data64(sqe, ud_of(t, i));
		t->step = T_WAIT;
		t->inflight = true;
		t->cancelled = false;
		t->t_issue = now;
		return;
	}
	next_op(x, i, now);
}

/* The pair's ports (the listener's, the client's), for the RST reasons. */
static void note_ports(const struct tctx *x, struct trial *t, int c)
{
	struct rs_addr a;
	socklen_t len = sizeof(a.u);

	t->lport = rs_addr_port(&x->addr);
	if (!getsockname(c, &a.u.sa, &len)) {
		a.len = len;
		t->cport = rs_addr_port(&a);
	}
}

/* What pair_open did: which call failed (with err), or the two fds. */
enum { P_SOCKET, P_CONNECT, P_ACCEPT, P_OK };
struct pair_msg {
	int c, s, err, what;
};

/* Connect to the trials' listener and accept: a blocking connect, which
 * over a link takes a round trip. There it is bounded (SO_SNDTIMEO, 10 s:
 * SYN retransmissions at 1 and 3 s included) so that a link that lets
 * nothing through cannot hold the connector, and so the check's end, for
 * the kernel's two minutes. */
static void pair_open(struct tctx *x, struct pair_msg *m)
{
	struct timeval tv = { 10, 0 };

	m->c = m->s = -1;
	m->err = 0;
	m->what = P_SOCKET;
	m->c = socket(rs_addr_family(&x->addr), SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->c < 0) {
		m->err = errno;
		return;
	}
	if (x->cfg.link)
		setsockopt(m->c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(m->c, &x->addr.u.sa, x->addr.len)) {
		/* a connect that timed out says EINPROGRESS */
		m->err = errno == EINPROGRESS ? ETIMEDOUT : errno;
		m->what = P_CONNECT;
		close(m->c);
		m->c = -1;
		return;
	}
	m->s = accept4(x->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (m->s < 0) {
		m->err = errno;
		m->what = P_ACCEPT;
		close(m->c);
		m->c = -1;
		return;
	}
	m->what = P_OK;
}

/* Give trial t the pair, or say in err why there is none (-1). */
static int pair_take(struct tctx *x, struct trial *t, const struct pair_msg *m,
		     char *err, size_t errlen)
{
	char a[RS_ADDR_TEXT];

	switch (m->what) {
	case P_SOCKET:
		snprintf(err, errlen, "socket: %s", strerror(m->err));
		return -1;
	case P_CONNECT:
		rs_addr_format(&x->addr, a, sizeof(a));
		snprintf(err, errlen, "connect to %s: %s", a,
			 strerror(m->err));
		return -1;
	case P_ACCEPT:
		snprintf(err, errlen, "accept: %s", strerror(m->err));
		return -1;
	}
	note_ports(x, t, m->c);
	if (x->cfg.closer == RS_SIDE_SERVER) {
		t->cfd = m->s;
		t->vfd = m->c;
	} else {
		t->cfd = m->c;
		t->vfd = m->s;
	}
	return 0;
}

static int open_pair(struct tctx *x, struct trial *t, char *err,
		     size_t errlen)
{
	struct pair_msg m;

	pair_open(x, &m);
	return pair_take(x, t, &m, err, errlen);
}

/* The connector: one pair per trial, at most cfg.parallel waiting. */
static void *connector_thread(void *arg)
{
	struct tctx *x = arg;

	for (uint32_t k = 0; k < x->cfg.trials; k++) {
		struct pair_msg m;

		while (sem_wait(&x->room) && errno == EINTR)
			;
		if (atomic_load(&x->cstop))
			break;
		pair_open(x, &m);
		/* 16 bytes, at most 1024 waiting: never fills the pipe */
		if (write(x->pfd[1], &m, sizeof(m)) != (ssize_t)sizeof(m)) {
			if (m.c >= 0)
				close(m.c);
			if (m.s >= 0)
				close(m.s);
			break;
		}
	}
	return NULL;
}

/* Over a link: the next pair from the connector, or false (none yet: a
 * poll on the pipe wakes the waiting slots). */
static bool pair_next(struct tctx *x, struct pair_msg *m)
{
	if (read(x->pfd[0], m, sizeof(*m)) == (ssize_t)sizeof(*m)) {
		sem_post(&x->room);
		return true;
	}
	if (!x->pair_poll) {
		struct io_uring_sqe *sqe = rs_ring_sqe_must(x->ring, "check");

		io_uring_prep_poll_add(sqe, x->pfd[0], POLLIN);
		io_uring_sqe_set_data64(sqe,
					rs_ud_make(RS_UD_GUEST, 0, PAIR_IDX));
		x->pair_poll = true;
	}
	return false;
}

/* O_NONBLOCK on the victim's socket. Returns 0, or -1 with err set. */
static int nonblock_set(int fd, char *err, size_t errlen)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
		return 0;
	snprintf(err, errlen, "cannot make the victim's socket O_NONBLOCK: %s",
		 strerror(errno));
	return -1;
}

/* SIGPIPE ignored (SIG_IGN) while a scenario's trials run, and the
 * action it replaced (the counting handler) back once they are done. */
static void sig_ignore(struct tctx *x)
{
	struct sigaction sa;

	if (x->sc->sigdisp != RS_SIGDISP_IGNORE || x->sig_set)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, &x->sig_saved) == 0)
		x->sig_set = true;
}

static void sig_restore(struct tctx *x)
{
	if (!x->sig_set)
		return;
	sigaction(SIGPIPE, &x->sig_saved, NULL);
	x->sig_set = false;
}

/* Start the next trial in slot i, if any is left. */
static void trial_start(struct tctx *x, uint32_t i, uint64_t now)
{
	struct trial *t = &x->t[i];
	const struct rs_scenario *sc = x->sc;

	while (x->started < x->cfg.trials) {
		char err[160];
		uint32_t gen = t->gen + 1;
		struct pair_msg m;
		int r;

		if (x->cfg.link && !pair_next(x, &m)) {
			t->step = T_PAIR;
			return;
		}
		x->started++;
		memset(t, 0, sizeof(*t));
		t->gen = gen;
		t->cfd = t->vfd = -1;
		t->out = 'x';
		r = x->cfg.link ? pair_take(x, t, &m, err, sizeof(err)) :
				  open_pair(x, t, err, sizeof(err));
		if (r) {
			if (!x->res->setup_failed++)
				snprintf(x->res->setup_err,
					 sizeof(x->res->setup_err), "%s", err);
			x->finished++;
			continue;
		}
		t->pidfd = -1;
		if (sc->nonblock && nonblock_set(t->vfd, err, sizeof(err))) {
			close(t->vfd);
			close(t->cfd);
			t->vfd = t->cfd = -1;
			if (!x->res->setup_failed++)
				snprintf(x->res->setup_err,
					 sizeof(x->res->setup_err), "%s", err);
			x->finished++;
			continue;
		}
		if (sc->victim_sends)
			(void)!send(t->vfd, x->pattern, sc->victim_sends,
				    MSG_NOSIGNAL);
		if (sc->ops_before) {
			t->step = T_PRE;
			next_op(x, i, now);
		} else {
			do_close(x, i, now);
		}
		return;
	}
	t->step = T_FREE;
	if (x->finished == x->cfg.trials) {
		x->res->sigpipe = rs_sigpipe_count() - x->sig0;
		sig_restore(x);
		x->g.done = true;
	}
}

/* Append the trial's ends and predicted RSTs to res->recs (rstreason.h):
 * on_data: the victim was reset after a FIN close, so its data met the
 * orphan (TCP_ABORT_ON_DATA); drawn: the RSTs its segments may draw in
 * all (later ones meet no socket). */
static void note_rec(struct tctx *x, const struct trial *t, bool on_data,
		     uint64_t drawn)
{
	struct rs_trial_result *r = x->res;
	struct rs_trial_rec *rc;

	if (!r->recs || r->nrecs >= r->cap_recs)
		return;
	rc = &r->recs[r->nrecs++];
	memset(rc, 0, sizeof(*rc));
	rc->lport = t->lport;
	rc->cport = t->cport;
	rc->closer = (uint8_t)x->cfg.closer;
	rc->racy = t->f_either || t->f_maybe;
	memcpy(rc->n_state, t->p_state, sizeof(rc->n_state));
	memcpy(rc->n_on_close, t->p_on_close, sizeof(rc->n_on_close));
	rc->on_data = on_data;
	drawn -= drawn >= on_data ? on_data : drawn;
	rc->extra_hi = drawn > 255 ? 255 : (uint8_t)drawn;
}

static void trial_end(struct tctx *x, uint32_t i)
{
	struct trial *t = &x->t[i];
	const struct rs_scenario *sc = x->sc;
	struct rs_trial_result *r = x->res;
	int vst;
	bool fin_close;

	/* the closer thread still has the slot: wait for it (g_tick looks
	 * again), never reuse the slot under it */
	if (!atomic_load_explicit(&t->xcpu_done, memory_order_acquire)) {
		t->step = T_CLOSING;
		return;
	}
	/* a FIN went out: a FIN close, or an RST close whose SO_LINGER
	 * failed */
	fin_close = (sc->mode == RS_CLOSE_FIN || t->f_linger_failed) &&
		    !t->closer_rst;
	vst = tcp_state(t->vfd);
	if (vst == TCP_CLOSE) {
		/* only an RST moves the passive side to CLOSE; it was in
		 * ESTABLISHED or CLOSE_WAIT: EstabResets */
		t->f_estab++;
		if (fin_close)
			r->drawn_lo++;
	}
	/* every segment that reaches the closed side draws an RST: each
	 * write accepted after the close, and (after a FIN close) possibly
	 * one more: on the io-wq and SQPOLL paths the victim's ACK of the
	 * FIN can leave after the data (traced: ~70 us after it), when the
	 * data has already reset the orphan (0-5 per 200 trials) */
	if (sc->mode != RS_CLOSE_SHUTDOWN)
		r->drawn_hi += t->ok_writes_after +
			       fin_close;
	close_side(t, 1, t->vfd, false, false, 0);
	t->vfd = -1;
	if (t->closer_open && t->cfd >= 0) {
		uint8_t sink[BUF_LEN];

		while (recv(t->cfd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
			;
		close_side(t, 0, t->cfd, false, false, 0);
		t->cfd = -1;
	}
	note_rec(x, t, fin_close && vst == TCP_CLOSE,
		 sc->mode != RS_CLOSE_SHUTDOWN ? t->ok_writes_after + fin_close :
						 0);
	if (t->failed) {
		/* its child ended in a way no result says (setup_err) */
		r->setup_failed++;
	} else {
		r->trials++;
		for (unsigned k = 0; k < sc->nops; k++)
			r->n[k][t->res[k]]++;
		rs_seqs_add(&r->seqs, t->res, sc->nops);
	}
	r->rst_unread += t->f_unread;
	r->rst_linger += t->f_linger;
	r->rst_linger_sent += t->f_linger_sent;
	r->estab_resets += t->f_estab;
	r->rst_either += t->f_either;
	r->rst_maybe += t->f_maybe;
	r->linger_failed += t->f_linger_failed;
	r->foreign_closes = atomic_load(&x->foreign);
	r->off_cpu = atomic_load(&x->off_cpu);
	x->finished++;
	trial_start(x, i, rs_now_ns());
}

static void g_cqe(struct rs_guest *g, uint64_t ud, int res, uint64_t now)
{
	struct tctx *x = (struct tctx *)g;
	uint32_t i = rs_ud_idx(ud);
	struct trial *t;

	if (i == PAIR_IDX) {
		/* pairs ready (or the pipe's end): the waiting slots take
		 * them; one that finds none arms the poll again */
		x->pair_poll = false;
		for (uint32_t j = 0; j < x->cfg.parallel && !x->g.done; j++)
			if (x->t[j].step == T_PAIR)
				trial_start(x, j, now);
		return;
	}
	if (i >= x->cfg.parallel)
		return;
	t = &x->t[i];
	if (!t->inflight || rs_ud_gen(ud) != (t->gen & 0xffffff))
		return;
	t->inflight = false;
	switch (t->step) {
	case T_PRE:
		record(x, t, res);
		t->op++;
		if (t->op < x->sc->ops_before)
			next_op(x, i, now);
		else
			do_close(x, i, now);
		return;
	case T_WAIT:
		/* seen (or timed out: the ops will tell) */
		t->step = T_OP;
		next_op(x, i, now);
		return;
	case T_GAP:
		next_op(x, i, now);
		return;
	case T_CHILD:
		/* the pidfd is readable: the child has ended */
		child_done(x, i);
		return;
	case T_OP:
		record(x, t, res);
		t->op++;
		next_op(x, i, now);
		return;
	default:
		return;
	}
}

static void g_tick(struct rs_guest *g, uint64_t now)
{
	struct tctx *x = (struct tctx *)g;

	if (atomic_load_explicit(&x->stop, memory_order_relaxed)) {
		/* what is in flight goes with the ring; the fds with
		 * rs_trials_free() */
		x->res->sigpipe = rs_sigpipe_count() - x->sig0;
		sig_restore(x);
		x->g.done = true;
		return;
	}
	if (!x->begun) {
		if (now >= x->start_at)
			begin(x, now);
		return;
	}
	for (uint32_t i = 0; i < x->cfg.parallel; i++) {
		struct trial *t = &x->t[i];
		struct io_uring_sqe *sqe;

		if (t->step == T_CLOSING &&
		    atomic_load_explicit(&t->xcpu_done, memory_order_acquire)) {
			trial_end(x, i);
			continue;
		}
		/* a child past its deadline is killed; its end (the poll on
		 * its pidfd) ends the trial with a timeout */
		if (t->step == T_CHILD) {
			if (t->inflight && !t->child_killed &&
			    now > t->child_deadline) {
				kill(t->child, SIGKILL);
				t->child_killed = true;
			}
			continue;
		}
		/* now is the loop pass's clock: a request issued after it
		 * (a trial started from a completion of this pass, stamped
		 * with a fresh clock) is younger than now, not overdue */
		if (!t->inflight || t->cancelled || t->step == T_GAP ||
		    now < t->t_issue || now - t->t_issue < x->cfg.timeout_ns)
			continue;
		sqe = rs_ring_sqe_must(x->ring, "check");
		io_uring_prep_cancel64(sqe, ud_of(t, i), 0);
		io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_CANCEL, 0, i));
		t->cancelled = true;
	}
}

static void begin(struct tctx *x, uint64_t now)
{
	x->begun = true;
	sig_ignore(x);
	x->sig0 = rs_sigpipe_count();
	for (uint32_t i = 0; i < x->cfg.parallel; i++)
		trial_start(x, i, now);
}

/* Two CPUs this process may use, the closer's first (cfg's if allowed). */
static int pick_cpus(const struct tctx *x, int *ring_cpu, int *closer_cpu)
{
	cpu_set_t allowed;
	int want = x->cfg.xcpu_closer_cpu;

	*ring_cpu = *closer_cpu = -1;
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -errno;
	if (want >= 0 && want < CPU_SETSIZE && CPU_ISSET(want, &allowed))
		*closer_cpu = want;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &allowed))
			continue;
		if (*closer_cpu < 0)
			*closer_cpu = c;
		else if (c != *closer_cpu && *ring_cpu < 0)
			*ring_cpu = c;
	}
	return 0;
}

/* The closer thread, pinned to one CPU and the ring thread to another.
 * Returns 0, 1 when the scenario must be skipped (res->skip says why) or
 * -errno with g.errmsg filled. */
static int xcpu_setup(struct tctx *x)
{
	cpu_set_t me, other;
	int e = pick_cpus(x, &x->ring_cpu, &x->closer_cpu);

	if (e || x->ring_cpu < 0) {
		snprintf(x->res->skip, sizeof(x->res->skip),
			 e ? "cannot read the CPUs this process may use (%s)" :
			     "only one CPU is available to this process: a cross-CPU race would run on one CPU",
			 strerror(-e));
		return 1;
	}
	if (pipe2(x->qfd, O_CLOEXEC)) {
		snprintf(x->g.errmsg, sizeof(x->g.errmsg),
			 "check: pipe for the closer thread: %s: raise the open file limit (ulimit -n)",
			 strerror(errno));
		return -errno;
	}
	e = pthread_create(&x->closer, NULL, closer_thread, x);
	if (e) {
		snprintf(x->g.errmsg, sizeof(x->g.errmsg),
			 "check: cannot start the closer thread: %s: lower --parallel or free memory",
			 strerror(e));
		return -e;
	}
	x->closer_running = true;
	CPU_ZERO(&me);
	CPU_ZERO(&other);
	CPU_SET(x->closer_cpu, &other);
	CPU_SET(x->ring_cpu, &me);
	e = pthread_setaffinity_np(x->closer, sizeof(other), &other);
	if (e) {
		snprintf(x->res->skip, sizeof(x->res->skip),
			 "cannot pin the closer thread to CPU %d (%s): a cross-CPU race would not be one",
			 x->closer_cpu, strerror(e));
		return 1;
	}
	if (sched_setaffinity(0, sizeof(me), &me)) {
		snprintf(x->res->skip, sizeof(x->res->skip),
			 "cannot pin the ring thread to CPU %d (%s): a cross-CPU race would not be one",
			 x->ring_cpu, strerror(errno));
		return 1;
	}
	return 0;
}

/* Over a link: the pipe, the room and the connector, born on the client
 * side (this thread is there too). Returns 0 or -errno with errmsg. */
static int connector_start(struct tctx *x)
{
	char err[200];
	int e;

	if (pipe2(x->pfd, O_CLOEXEC) ||
	    fcntl(x->pfd[0], F_SETFL, O_NONBLOCK)) {
		e = errno;
		snprintf(x->g.errmsg, sizeof(x->g.errmsg),
			 "check --link: pipe for the connector: %s: raise the open file limit (ulimit -n)",
			 strerror(e));
		return -e;
	}
	if (sem_init(&x->room, 0, x->cfg.parallel)) {
		e = errno;
		snprintf(x->g.errmsg, sizeof(x->g.errmsg),
			 "check --link: sem_init: %s", strerror(e));
		return -e;
	}
	x->room_init = true;
	e = rs_link_thread_create(x->cfg.link, RS_LINK_CLIENT, &x->connector,
				  connector_thread, x, err, sizeof(err));
	if (e) {
		snprintf(x->g.errmsg, sizeof(x->g.errmsg),
			 "check --link: cannot start the connector thread: %s: lower --parallel or free memory",
			 err);
		return e < 0 ? e : -e;
	}
	x->connector_running = true;
	return 0;
}

static int g_start(struct rs_guest *g, struct io_uring *ring, uint64_t now)
{
	struct tctx *x = (struct tctx *)g;

	x->ring = ring;
	/* test seam: fail the start with this errno, as a real one would */
	{
		const char *f = getenv("RSTSTORM_TEST_GUEST_START_ERRNO");
		int e = f ? atoi(f) : 0;

		if (e > 0 && e < 4096) {
			x->res->start_err = -e;
			snprintf(g->errmsg, sizeof(g->errmsg),
				 "check: test seam: start failed: %s",
				 strerror(e));
			return -e;
		}
	}
	/* before xcpu_setup pins this thread: the connector keeps the
	 * process's CPUs */
	if (x->cfg.link) {
		int e = connector_start(x);

		if (e < 0) {
			x->res->start_err = e;
			return e;
		}
	}
	if (x->sc->wait == RS_SCW_XCPU) {
		int e = xcpu_setup(x);

		if (e < 0) {
			x->res->start_err = e;
			return e;
		}
		if (e > 0) {
			/* no two CPUs: the scenario is skipped, not run on
			 * one CPU and called cross-CPU */
			x->g.done = true;
			return 0;
		}
	}
	x->start_at = now + x->cfg.warmup_ns;
	if (!x->cfg.warmup_ns)
		begin(x, now);
	return 0;
}

/* The trials' listener: on loopback, or with a link on its server side
 * (the calling thread back home after). Returns 0, or -1 with err set. */
static int trials_listen(struct tctx *x, char *err, size_t errlen)
{
	const struct rs_trials_cfg *cfg = &x->cfg;
	int fam = cfg->ipv6 ? AF_INET6 : AF_INET, e = 0;
	socklen_t len;
	char lerr[320];

	if (cfg->link) {
		struct sockaddr_storage ss;

		len = rs_link_sockaddr(cfg->link, RS_LINK_SERVER, fam, 0, &ss);
		memset(&x->addr, 0, sizeof(x->addr));
		memcpy(&x->addr.u, &ss, len);
		x->addr.len = len;
		if (rs_link_enter(cfg->link, RS_LINK_SERVER, lerr,
				  sizeof(lerr))) {
			snprintf(err, errlen, "--link: %s", lerr);
			return -1;
		}
	} else {
		rs_addr_loopback(&x->addr, fam, 0);
	}
	len = x->addr.len;
	x->lfd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (x->lfd < 0 || bind(x->lfd, &x->addr.u.sa, x->addr.len) ||
	    listen(x->lfd, 4096) || getsockname(x->lfd, &x->addr.u.sa, &len))
		e = errno;
	if (cfg->link && rs_link_enter(cfg->link, RS_LINK_HOST, lerr,
				       sizeof(lerr))) {
		snprintf(err, errlen, "--link: %s", lerr);
		if (x->lfd >= 0)
			close(x->lfd);
		return -1;
	}
	if (!e)
		return 0;
	if (cfg->link)
		snprintf(err, errlen,
			 "cannot listen on %s (the link's server side) for the trials: %s (%s): check ulimit -n",
			 rs_link_addr(cfg->link, RS_LINK_SERVER, fam),
			 strerror(e), rs_errname(e));
	else
		snprintf(err, errlen,
			 "cannot listen on %s for the trials: %s (%s): check that the loopback interface is up%s",
			 cfg->ipv6 ? "::1" : "127.0.0.1", strerror(e),
			 rs_errname(e),
			 cfg->ipv6 ? " and has ::1 (IPv6 not disabled)" : "");
	if (x->lfd >= 0)
		close(x->lfd);
	return -1;
}

struct rs_guest *rs_trials_new(const struct rs_trials_cfg *cfg,
			       struct rs_trial_result *res, char *err,
			       size_t errlen)
{
	struct tctx *x = calloc(1, sizeof(*x));
	struct timeval tv = { 2, 0 };

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->cfg = *cfg;
	if (x->cfg.parallel > x->cfg.trials)
		x->cfg.parallel = x->cfg.trials;
	if (!x->cfg.parallel)
		x->cfg.parallel = 1;
	x->sc = cfg->sc;
	x->res = res;
	x->qfd[0] = x->qfd[1] = -1;
	x->pfd[0] = x->pfd[1] = -1;
	x->ring_cpu = x->closer_cpu = -1;
	x->t = calloc(x->cfg.parallel, sizeof(*x->t));
	if (!x->t) {
		free(x);
		snprintf(err, errlen, "out of memory for %u trials",
			 cfg->parallel);
		return NULL;
	}
	for (uint32_t i = 0; i < x->cfg.parallel; i++)
		x->t[i].cfd = x->t[i].vfd = -1;
	if (cfg->sc->sigdisp == RS_SIGDISP_DEFAULT) {
		x->cout = mmap(NULL, x->cfg.parallel * sizeof(*x->cout),
			       PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (x->cout == MAP_FAILED) {
			snprintf(err, errlen,
				 "cannot map memory shared with the victim's child processes: %s",
				 strerror(errno));
			free(x->t);
			free(x);
			return NULL;
		}
	}
	memset(x->pattern, 'd', sizeof(x->pattern));
	if (getenv("RSTSTORM_TEST_LINGER_EINVAL"))
		linger_len = 1;
	/* test seam: hold the closer's close this long (0..10000 ms) */
	{
		const char *d = getenv("RSTSTORM_TEST_CLOSER_DELAY_MS");
		unsigned long v = d ? strtoul(d, NULL, 10) : 0;

		x->closer_delay_ms = v > 10000 ? 10000 : (uint32_t)v;
	}
	x->gap_ts.tv_sec = (long long)(cfg->gap_ns / 1000000000ull);
	x->gap_ts.tv_nsec = (long long)(cfg->gap_ns % 1000000000ull);

	if (trials_listen(x, err, errlen)) {
		if (x->cout)
			munmap(x->cout, x->cfg.parallel * sizeof(*x->cout));
		free(x->t);
		free(x);
		return NULL;
	}
	/* a lost connection must not hang accept(2) */
	setsockopt(x->lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	x->g.start = g_start;
	x->g.cqe = g_cqe;
	x->g.tick = g_tick;
	x->g.stop = rs_trials_stop;
	/* a request, a cancel per trial */
	x->g.max_inflight = 2 * x->cfg.parallel + 8;
	return &x->g;
}

void rs_trials_stop(struct rs_guest *g)
{
	struct tctx *x = (struct tctx *)g;

	atomic_store_explicit(&x->stop, 1, memory_order_relaxed);
}

uint16_t rs_trials_port(const struct rs_guest *g)
{
	const struct tctx *x = (const struct tctx *)g;

	return rs_addr_port(&x->addr);
}

void rs_trials_free(struct rs_guest *g)
{
	struct tctx *x = (struct tctx *)g;
	struct closer_msg stop = { NO_TRIAL, 0 };

	if (!g)
		return;
	if (x->closer_running) {
		(void)!write(x->qfd[1], &stop, sizeof(stop));
		pthread_join(x->closer, NULL);
		x->res->foreign_closes = atomic_load(&x->foreign);
	}
	if (x->qfd[0] >= 0) {
		close(x->qfd[0]);
		close(x->qfd[1]);
	}
	if (x->connector_running) {
		atomic_store(&x->cstop, 1);
		sem_post(&x->room);
		pthread_join(x->connector, NULL);
	}
	if (x->pfd[0] >= 0) {
		struct pair_msg m;

		/* the pairs no trial took */
		while (read(x->pfd[0], &m, sizeof(m)) == (ssize_t)sizeof(m)) {
			if (m.c >= 0)
				close(m.c);
			if (m.s >= 0)
				close(m.s);
		}
		close(x->pfd[0]);
		close(x->pfd[1]);
	}
	if (x->room_init)
		sem_destroy(&x->room);
	for (uint32_t i = 0; i < x->cfg.parallel; i++) {
		/* a child still running (the trials were stopped) */
		if (x->t[i].child > 0)
			child_reap(x, &x->t[i], i, true);
		if (x->t[i].cfd >= 0)
			close(x->t[i].cfd);
		if (x->t[i].vfd >= 0)
			close(x->t[i].vfd);
	}
	sig_restore(x);
	if (x->cout)
		munmap(x->cout, x->cfg.parallel * sizeof(*x->cout));
	close(x->lfd);
	free(x->t);
	free(x);
}
