/* The epoll client engine, the baseline io_uring is measured against: the
 * same state machine (conn.c) carried by nonblocking syscalls, each step
 * tried at once and waited for on one epoll instance per worker. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "ring.h" /* the user_data layout completions are handed back in */
#include "util.h"
#include "worker.h"

/*
 * epoll_event.data.u64 = gen << 32 | local slot. An event whose generation
 * is not the slot's current one belongs to a connection that has ended and
 * is ignored (closing an fd removes it from the epoll set, so that is rare).
 *
 * Every socket is registered once, edge-triggered, for everything a step
 * can wait on. A step is first tried as a syscall; only EAGAIN waits, and
 * an edge arrives whenever the socket's state changes after that try, so
 * nothing is missed and no epoll_ctl is needed per step.
 */
#define EV_INTEREST (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
/* what ends WAIT: the peer's FIN (RDHUP), or its RST (ERR, HUP) */
#define EV_CLOSED (EPOLLRDHUP | EPOLLERR | EPOLLHUP)

static inline uint64_t ev_data(uint32_t gen, uint32_t slot)
{
	return (uint64_t)gen << 32 | slot;
}

/* Timers of one fixed length fire in the order they were set (issue times
 * never go back), so a FIFO per length is a sorted timer list: O(1), and
 * one preallocated node per slot since a slot has one request at a time. */
struct tnode {
	uint64_t due;
	uint32_t slot, gen;
};

struct tfifo {
	struct tnode *node;
	uint32_t head, n, cap;
};

struct ectx {
	struct rs_client *w;
	int epfd;
	bool pwait2;             /* epoll_pwait2 works (5.11+) */
	struct tfifo gapq, opgapq;
	uint32_t *seen;          /* per slot: events seen since the socket */
	struct epoll_event *evs;
	int nevs;
	int nready;              /* events the last wait returned */
	char who[24];            /* "client N", for fatal messages */
	uint8_t sink[64];        /* --foreign's response lands here */
	/* the ops' buffers (--op-size bytes each), as engine_uring's */
	uint8_t *pattern, *rbuf;
	struct iovec iov;
	struct msghdr msg;
};

static void tfifo_push(struct ectx *x, struct tfifo *q, uint32_t slot,
		       uint64_t due)
{
	if (q->n == q->cap)
		rs_fatal("%s: timer list full (%u): a slot set two timers",
			 x->who, q->cap);
	q->node[(q->head + q->n) % q->cap] = (struct tnode){
		.due = due, .slot = slot, .gen = x->w->conns[slot].gen
	};
	q->n++;
}

/* An op of the script as its syscall (send-zc is refused at start: it has
 * none). write(2) has no flags: on EPIPE it raises SIGPIPE, which run
 * counts. */
static ssize_t op_syscall(struct ectx *x, int fd, unsigned kind)
{
	size_t n = x->w->sh->cfg->op_size;

	switch (kind) {
	case RS_OP_SEND:
		return send(fd, x->pattern, n, MSG_NOSIGNAL);
	case RS_OP_WRITE:
		return write(fd, x->pattern, n);
	case RS_OP_SENDMSG:
		return sendmsg(fd, &x->msg, MSG_NOSIGNAL);
	case RS_OP_READ:
		return read(fd, x->rbuf, n);
	case RS_OP_RECV:
		return recv(fd, x->rbuf, n, 0);
	default:
		errno = EOPNOTSUPP;
		return -1;
	}
}

/* Try the slot's step (the request is already issued). Returns true with
 * *res (bytes, 0 or -errno, as a CQE would carry it) when it completed;
 * false when it waits for an event. ev is the event that woke it, 0 on the
 * first try. */
static bool attempt(struct ectx *x, uint32_t slot, uint32_t ev, int *res)
{
	struct rs_client *w = x->w;
	struct rs_conn *c = &w->conns[slot];
	ssize_t r;

	switch (c->step) {
	case RS_STEP_CONNECT: {
		int err = 0;
		socklen_t len = sizeof(err);

		/* still in progress until the socket is writable or broken */
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return false;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		*res = -err;
		return true;
	}
	case RS_STEP_HELLO: {
		size_t len;
		const uint8_t *buf = rs_conn_hello(w, slot, &len);

		r = send(c->fd, buf, len, MSG_NOSIGNAL);
		break;
	}
	case RS_STEP_RESP:
		r = recv(c->fd, x->sink, sizeof(x->sink), 0);
		break;
	case RS_STEP_ACK:
		r = recv(c->fd, x->sink, 1, 0);
		break;
	case RS_STEP_WAIT:
		/* nothing is read: what the ops see stays as the peer left it
		 * (a recv would consume the RST's error) */
		if (!(x->seen[slot] & EV_CLOSED))
			return false;
		*res = (int)(x->seen[slot] & 0xffff); /* the mask, like poll */
		return true;
	case RS_STEP_OP:
		r = op_syscall(x, c->fd, w->sh->cfg->script.kind[c->op]);
		break;
	default:
		return false; /* timers wait for their time, not for events */
	}
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	*res = r < 0 ? -errno : (int)r;
	return true;
}

/* Issue the slot's current step at now: inline steps (socket, close) and
 * steps whose syscall completes at once return true with *res; the others
 * wait (false) for an event or their timer. */
static bool issue(struct ectx *x, uint32_t slot, uint64_t now, int *res)
{
	struct rs_client *w = x->w;
	struct rs_conn *c = &w->conns[slot];
	const struct rs_shared *sh = w->sh;

	switch (c->step) {
	case RS_STEP_SOCKET: {
		int fd = socket(rs_addr_family(rs_conn_dst(w, slot, c->gen)),
				SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		struct epoll_event ev = { .events = EV_INTEREST,
					  .data.u64 = ev_data(c->gen, slot) };

		if (fd < 0) {
			*res = -errno;
			return true;
		}
		/* a full epoll set (max_user_watches) fails the socket step */
		if (epoll_ctl(x->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			*res = -errno;
			close(fd);
			return true;
		}
		x->seen[slot] = 0;
		*res = fd;
		return true;
	}
	case RS_STEP_SOCKOPT: {
		/* --sources: the port is picked at connect, by the 4-tuple */
		int one = 1;

		*res = setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
				  &one, sizeof(one)) ?
			       -errno :
			       0;
		return true;
	}
	case RS_STEP_LINGER: {
		/* --closer client, rst: the close after it sends an RST */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		*res = setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg,
				  sizeof(lg)) ?
			       -errno :
			       0;
		return true;
	}
	case RS_STEP_BIND:
		*res = bind(c->fd, (const struct sockaddr *)rs_conn_src(w, slot),
			    sizeof(struct sockaddr_in)) ?
			       -errno :
			       0;
		return true;
	case RS_STEP_CONNECT: {
		const struct rs_addr *a = rs_conn_dst(w, slot, c->gen);

		if (!connect(c->fd, &a->u.sa, a->len)) {
			*res = 0;
			return true;
		}
		if (errno == EINPROGRESS)
			return false;
		*res = -errno;
		return true;
	}
	case RS_STEP_GAP:
		tfifo_push(x, &x->gapq, slot, now + sh->cfg->gap_ns);
		return false;
	case RS_STEP_OPGAP:
		tfifo_push(x, &x->opgapq, slot, now + sh->cfg->op_gap_ns);
		return false;
	case RS_STEP_CLOSE:
		/* also takes the fd out of the epoll set */
		*res = close(c->fd) ? -errno : 0;
		return true;
	default:
		return attempt(x, slot, 0, res);
	}
}

static void on_event(struct rs_worker *wk, struct ectx *x,
		     const struct epoll_event *e, rs_done_fn done, uint64_t now)
{
	struct rs_client *w = x->w;
	uint32_t slot = (uint32_t)e->data.u64;
	struct rs_conn *c;
	int res;

	if (slot >= w->nslots)
		return;
	c = &w->conns[slot];
	if (c->step == RS_STEP_IDLE || (uint32_t)(e->data.u64 >> 32) != c->gen)
		return;
	x->seen[slot] |= e->events;
	if (attempt(x, slot, e->events, &res))
		done(wk, rs_ud_make(RS_UD_CONN, c->gen, slot), res, now);
}

/* Fire the timers that are due: a timer ends with -ETIME, as io_uring's. */
static void expire(struct rs_worker *wk, struct ectx *x, struct tfifo *q,
		   unsigned step, rs_done_fn done, uint64_t now)
{
	while (q->n && q->node[q->head].due <= now) {
		struct tnode t = q->node[q->head];
		struct rs_conn *c = &x->w->conns[t.slot];

		q->head = (q->head + 1) % q->cap;
		q->n--;
		if (c->step == step && c->gen == t.gen)
			done(wk, rs_ud_make(RS_UD_CONN, t.gen, t.slot), -ETIME,
			     now);
	}
}

/* Wait for events until deadline or the first timer due, whichever comes
 * first. The events are handled by e_reap. */
static void e_wait(struct rs_worker *wk, uint64_t deadline)
{
	struct ectx *x = wk->tp;
	uint64_t due = deadline, now = rs_now_ns(), ns;
	int n;

	if (x->gapq.n && x->gapq.node[x->gapq.head].due < due)
		due = x->gapq.node[x->gapq.head].due;
	if (x->opgapq.n && x->opgapq.node[x->opgapq.head].due < due)
		due = x->opgapq.node[x->opgapq.head].due;
	ns = due > now ? due - now : 0;
	if (x->pwait2) {
		struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
				       .tv_nsec = (long)(ns % 1000000000ull) };

		n = epoll_pwait2(x->epfd, x->evs, x->nevs, &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			goto out;
		x->pwait2 = false;
	}
	/* milliseconds, rounded up so a timer never spins the loop */
	n = epoll_wait(x->epfd, x->evs, x->nevs,
		       (int)((ns + 999999) / 1000000));
out:
	if (n < 0 && errno != EINTR)
		rs_fatal("%s: epoll_wait failed: %s (%s)", x->who,
			 strerror(errno), rs_errname(errno));
	x->nready = n < 0 ? 0 : n;
}

static uint64_t e_reap(struct rs_worker *wk, rs_done_fn done)
{
	struct ectx *x = wk->tp;
	uint64_t now = rs_now_ns();
	int n = x->nready;

	x->nready = 0;
	for (int i = 0; i < n; i++)
		on_event(wk, x, &x->evs[i], done, now);
	expire(wk, x, &x->gapq, RS_STEP_GAP, done, now);
	expire(wk, x, &x->opgapq, RS_STEP_OPGAP, done, now);
	return now;
}

static void ectx_free(struct ectx *x)
{
	if (x->epfd >= 0)
		close(x->epfd);
	free(x->gapq.node);
	free(x->opgapq.node);
	free(x->seen);
	free(x->evs);
	free(x->pattern);
	free(x->rbuf);
	free(x);
}

static bool e_issue(struct rs_worker *wk, uint32_t slot, uint64_t now,
		    int *res)
{
	return issue(wk->tp, slot, now, res);
}

/* Nothing is in the kernel: a step waits for an event or a timer, and the
 * slot's next step supersedes it. */
static bool e_cancel(struct rs_worker *wk, uint32_t slot)
{
	(void)wk;
	(void)slot;
	return false;
}

static uint64_t e_now(struct rs_worker *wk)
{
	(void)wk;
	return rs_now_ns();
}

static int e_open(struct rs_worker *wk)
{
	struct rs_client *w = wk->cl;
	struct ectx *x;

	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: out of memory for its context", w->index);
		return -ENOMEM;
	}
	x->w = w;
	x->epfd = -1;
	x->pwait2 = true;
	snprintf(x->who, sizeof(x->who), "client %u", w->index);
	/* everything the worker needs, allocated once */
	x->nevs = (int)(w->nslots < 1024 ? w->nslots : 1024);
	if (x->nevs < 1)
		x->nevs = 1;
	x->evs = calloc((size_t)x->nevs, sizeof(*x->evs));
	x->seen = calloc(w->nslots ? w->nslots : 1, sizeof(*x->seen));
	x->gapq.node = calloc(w->nslots ? w->nslots : 1,
			      sizeof(*x->gapq.node));
	x->opgapq.node = calloc(w->nslots ? w->nslots : 1,
				sizeof(*x->opgapq.node));
	x->gapq.cap = x->opgapq.cap = w->nslots;
	x->pattern = malloc(w->sh->cfg->op_size);
	x->rbuf = malloc(w->sh->cfg->op_size);
	if (!x->evs || !x->seen || !x->gapq.node || !x->opgapq.node ||
	    !x->pattern || !x->rbuf) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: out of memory for %u slots: lower -c",
			 w->index, w->nslots);
		ectx_free(x);
		return -ENOMEM;
	}
	memset(x->pattern, 'x', w->sh->cfg->op_size);
	x->iov.iov_base = x->pattern;
	x->iov.iov_len = w->sh->cfg->op_size;
	x->msg.msg_iov = &x->iov;
	x->msg.msg_iovlen = 1;
	x->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (x->epfd < 0) {
		int e = errno;

		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: epoll_create1 failed: %s (%s)", w->index,
			 strerror(e), rs_errname(e));
		ectx_free(x);
		return -e;
	}
	wk->tp = x;
	return 0;
}

static void e_close(struct rs_worker *wk)
{
	struct ectx *x = wk->tp;
	struct rs_client *w = x->w;

	/* fds of abandoned connections (no close is ever in flight here) */
	for (uint32_t s = 0; s < w->nslots; s++)
		if (w->conns[s].fd >= 0) {
			close(w->conns[s].fd);
			w->conns[s].fd = -1;
		}
	ectx_free(x);
	wk->tp = NULL;
}

/* No ring: check's trials (a guest) cannot ride on this transport, and
 * the worker says so at start. */
const struct rs_transport rs_transport_epoll = {
	.name = "epoll",
	.open = e_open,
	.close = e_close,
	.now = e_now,
	.issue = e_issue,
	.cancel = e_cancel,
	.wait = e_wait,
	.reap = e_reap,
	.ring = NULL,
	/* socket, connect, send, recv and close run inside issue and reap:
	 * clock reads just before and after each keep the stamps at the
	 * syscalls, not a pass of them away */
	.clock_per_step = true,
};

static int epoll_client_run(struct rs_client *w)
{
	return rs_worker_run(w, &rs_transport_epoll);
}

const struct rs_engine rs_engine_epoll = {
	.name = "epoll",
	.client_run = epoll_client_run,
};
