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
#include "ring.h" /* RS_TICK_NS, the tick both engines share */
#include "util.h"

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
	bool stopping;
	bool pwait2;             /* epoll_pwait2 works (5.11+) */
	uint32_t inflight;       /* slots not idle */
	uint64_t timeout_ns, tick_ns;
	struct tfifo gapq, opgapq;
	uint32_t *seen;          /* per slot: events seen since the socket */
	struct epoll_event *evs;
	int nevs;
	char who[24];            /* "client N", for fatal messages */
	uint8_t sink[64];        /* recv data lands here and is dropped */
	uint8_t one_byte;
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

static bool may_start(struct ectx *x, uint64_t now)
{
	return rs_conn_may_start(x->w, x->stopping, now);
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
	case RS_STEP_HELLO:
		r = send(c->fd, w->hello[slot], RS_HELLO_LEN, MSG_NOSIGNAL);
		break;
	case RS_STEP_WAIT:
		/* nothing is read: what the ops see stays as the peer left it
		 * (a recv would consume the RST's error) */
		if (!(x->seen[slot] & EV_CLOSED))
			return false;
		*res = (int)(x->seen[slot] & 0xffff); /* the mask, like poll */
		return true;
	case RS_STEP_OP:
		if (w->sh->cfg->script.kind[c->op] == RS_OP_SEND)
			r = send(c->fd, &x->one_byte, 1, MSG_NOSIGNAL);
		else
			r = recv(c->fd, x->sink, sizeof(x->sink), 0);
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

	rs_conn_issue(w, slot, now);
	switch (c->step) {
	case RS_STEP_SOCKET: {
		int fd = socket(AF_INET,
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
	case RS_STEP_BIND:
		*res = bind(c->fd, (const struct sockaddr *)rs_conn_src(w, slot),
			    sizeof(struct sockaddr_in)) ?
			       -errno :
			       0;
		return true;
	case RS_STEP_CONNECT: {
		const struct sockaddr_in *a = rs_conn_dst(w, slot, c->gen);

		if (!connect(c->fd, (const struct sockaddr *)a, sizeof(*a))) {
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

/* Feed res to the slot's state machine and carry the steps that follow
 * until one has to wait, starting a new connection in the slot when the run
 * allows. A slot starts at most one connection per call: one that fails
 * inline (socket(2) with the fd table full, connect with no port left)
 * waits idle for the next tick instead of spinning. */
static void drive(struct ectx *x, uint32_t slot, int res, uint64_t now,
		  bool have_res)
{
	struct rs_client *w = x->w;
	struct rs_conn *c = &w->conns[slot];
	bool begun = false;

	if (have_res)
		rs_conn_complete(w, slot, res, now);
	for (;;) {
		if (c->step == RS_STEP_IDLE) {
			if (begun || !may_start(x, now)) {
				if (have_res)
					x->inflight--;
				return;
			}
			if (!have_res)
				x->inflight++;
			have_res = true;
			begun = true;
			rs_conn_begin(w, slot);
		}
		if (!issue(x, slot, now, &res))
			return;
		rs_conn_complete(w, slot, res, now);
	}
}

static void on_event(struct ectx *x, const struct epoll_event *e,
		     uint64_t now)
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
		drive(x, slot, res, now, true);
}

/* Fire the timers that are due: a timer ends with -ETIME, as io_uring's. */
static void expire(struct ectx *x, struct tfifo *q, unsigned step,
		   uint64_t now)
{
	while (q->n && q->node[q->head].due <= now) {
		struct tnode t = q->node[q->head];
		struct rs_conn *c = &x->w->conns[t.slot];

		q->head = (q->head + 1) % q->cap;
		q->n--;
		if (c->step == step && c->gen == t.gen)
			drive(x, t.slot, -ETIME, now, true);
	}
}

/* Time out every request in flight longer than --timeout, as the io_uring
 * engine's cancel does: RS_CF_CANCELLED and -ECANCELED, which conn.c
 * counts as a timeout. Start idle slots the run still has room for. */
static void sweep(struct ectx *x, uint64_t now)
{
	struct rs_client *w = x->w;

	for (uint32_t s = 0; s < w->nslots; s++) {
		struct rs_conn *c = &w->conns[s];

		if (c->step == RS_STEP_IDLE) {
			drive(x, s, 0, now, false);
			continue;
		}
		if (c->step == RS_STEP_GAP || c->step == RS_STEP_OPGAP ||
		    (c->flags & RS_CF_CANCELLED) ||
		    now - c->t_step < x->timeout_ns)
			continue;
		c->flags |= RS_CF_CANCELLED;
		drive(x, s, -ECANCELED, now, true);
	}
}

/* Wait for events until the tick or the first timer due, whichever comes
 * first. Returns the number of events. */
static int wait_events(struct ectx *x, uint64_t next_tick)
{
	uint64_t due = next_tick, now = rs_now_ns(), ns;
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
	return n < 0 ? 0 : n;
}

static void ectx_free(struct ectx *x)
{
	if (x->epfd >= 0)
		close(x->epfd);
	free(x->gapq.node);
	free(x->opgapq.node);
	free(x->seen);
	free(x->evs);
	free(x);
}

static int epoll_client_run(struct rs_client *w)
{
	const struct rs_shared *sh = w->sh;
	struct ectx *x;
	uint64_t now, next_tick;

	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: out of memory for its context", w->index);
		return -ENOMEM;
	}
	x->w = w;
	x->epfd = -1;
	x->pwait2 = true;
	x->timeout_ns = sh->cfg->timeout_ns;
	/* a quarter of a short --timeout, so a timeout fires by 1.25 T */
	x->tick_ns = x->timeout_ns / 4 < RS_TICK_NS ? x->timeout_ns / 4 :
						      RS_TICK_NS;
	x->one_byte = 'x';
	snprintf(x->who, sizeof(x->who), "client %u", w->index);
	/* everything the worker needs, allocated once */
	x->nevs = (int)(w->nslots < 1024 ? w->nslots : 1024);
	x->evs = calloc((size_t)x->nevs, sizeof(*x->evs));
	x->seen = calloc(w->nslots, sizeof(*x->seen));
	x->gapq.node = calloc(w->nslots, sizeof(*x->gapq.node));
	x->opgapq.node = calloc(w->nslots, sizeof(*x->opgapq.node));
	x->gapq.cap = x->opgapq.cap = w->nslots;
	if (!x->evs || !x->seen || !x->gapq.node || !x->opgapq.node) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: out of memory for %u slots: lower -c",
			 w->index, w->nslots);
		ectx_free(x);
		return -ENOMEM;
	}
	x->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (x->epfd < 0) {
		int e = errno;

		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: epoll_create1 failed: %s (%s)", w->index,
			 strerror(e), rs_errname(e));
		ectx_free(x);
		return -e;
	}

	now = rs_now_ns();
	next_tick = now + x->tick_ns;
	for (uint32_t s = 0; s < w->nslots; s++)
		drive(x, s, 0, now, false);

	for (;;) {
		int n;

		/* done: no need to wait for the tick to notice */
		if (x->inflight == 0 && !may_start(x, now))
			break;
		n = wait_events(x, next_tick);
		now = rs_now_ns();
		for (int i = 0; i < n; i++)
			on_event(x, &x->evs[i], now);
		expire(x, &x->gapq, RS_STEP_GAP, now);
		expire(x, &x->opgapq, RS_STEP_OPGAP, now);
		if (x->inflight == 0 && !may_start(x, now))
			break;
		if (now < next_tick)
			continue;

		next_tick = now + x->tick_ns;
		rs_conn_publish(w);
		if (atomic_load_explicit(&sh->abort_run,
					 memory_order_relaxed)) {
			for (uint32_t s = 0; s < w->nslots; s++)
				rs_conn_abandon(w, s);
			x->inflight = 0;
			break;
		}
		if (!x->stopping && !rs_conn_may_start(w, false, now))
			x->stopping = true;
		sweep(x, now);
		if (x->stopping && x->inflight == 0)
			break;
	}

	rs_conn_publish(w);
	/* fds of abandoned connections (no close is ever in flight here) */
	for (uint32_t s = 0; s < w->nslots; s++)
		if (w->conns[s].fd >= 0) {
			close(w->conns[s].fd);
			w->conns[s].fd = -1;
		}
	ectx_free(x);
	return 0;
}

const struct rs_engine rs_engine_epoll = {
	.name = "epoll",
	.client_run = epoll_client_run,
};
