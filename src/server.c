/* The embedded io_uring server: accept, read the hello, close by plan. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "ring.h"
#include "util.h"


enum srv_state { SV_FREE, SV_HDR, SV_PAD, SV_DRAIN };

struct rs_server_conn {
	int fd;
	uint32_t gen;
	uint8_t state;
	uint8_t mode;
	uint8_t got;            /* hello bytes read so far */
	uint8_t hdr[RS_HELLO_HDR];
	uint64_t id;
};

struct sctx {
	struct rs_server *s;
	struct io_uring ring;
	struct rs_server_conn *conns;
	uint32_t *free_list;
	uint32_t nfree;
	bool *rearm;            /* listener needs a new accept at the tick */
	struct __kernel_timespec tick_ts;
	char who[24];           /* "server N", for fatal messages */
	uint8_t sink[4096];
};

int rs_server_listen(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The kernel clamps the backlog to net.core.somaxconn. */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 65535) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		int e = -errno;

		close(fd);
		return e;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void arm_accept(struct sctx *x, uint32_t l)
{
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);

	if (x->s->sh->probe->multishot_accept)
		io_uring_prep_multishot_accept(sqe, x->s->lfds[l], NULL, NULL,
					       SOCK_CLOEXEC);
	else
		io_uring_prep_accept(sqe, x->s->lfds[l], NULL, NULL,
				     SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_ACCEPT, 0, l));
}

static void arm_recv(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);

	if (c->state == SV_HDR)
		io_uring_prep_recv(sqe, c->fd, c->hdr + c->got,
				   RS_HELLO_HDR - c->got, 0);
	else if (c->state == SV_PAD)
		io_uring_prep_recv(sqe, c->fd, x->sink, RS_HELLO_LEN - c->got,
				   0);
	else
		io_uring_prep_recv(sqe, c->fd, x->sink, sizeof(x->sink), 0);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_SRV, c->gen, i));
}

static void release(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = SV_FREE;
	x->free_list[x->nfree++] = i;
}

static void stamp(struct sctx *x, const struct rs_server_conn *c)
{
	const struct rs_shared *sh = x->s->sh;
	uint32_t gslot = (uint32_t)c->id;

	atomic_store_explicit(&sh->close_stamp[gslot],
			      rs_stamp_make((uint32_t)(c->id >> 32),
					    rs_now_ns() - sh->t0),
			      memory_order_release);
}

/*
 * The close itself is a plain syscall, not an SQE: the stamp taken right
 * before it is then exact, not early by a batch's worth of submissions.
 */
static void close_by_plan(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];
	struct rs_tally *t = x->s->tally;

	switch (c->mode) {
	case RS_CLOSE_RST: {
		/* linger on, timeout 0: close() sends RST and drops the
		 * connection (counted as TCPAbortOnData) */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	}
	case RS_CLOSE_UNREAD: {
		int unread = 0;

		/* close() with data queued sends RST (TCPAbortOnClose); a
		 * pad that has not arrived would make it a FIN */
		if (ioctl(c->fd, SIOCINQ, &unread) == 0 && unread == 0)
			t->srv_unread_empty++;
		break;
	}
	case RS_CLOSE_SHUTDOWN:
		stamp(x, c);
		shutdown(c->fd, SHUT_WR);
		t->srv_closed[c->mode]++;
		c->state = SV_DRAIN;
		arm_recv(x, i);
		return;
	default:
		break;
	}
	stamp(x, c);
	close(c->fd);
	c->fd = -1;
	t->srv_closed[c->mode]++;
	release(x, i);
}

static void on_accept(struct sctx *x, uint32_t l, int res, unsigned flags)
{
	struct rs_server *s = x->s;
	bool stopping = atomic_load_explicit(&s->stop, memory_order_relaxed);

	if (!(flags & IORING_CQE_F_MORE)) {
		/* An error ends a multishot accept as well: re-arm at the
		 * tick, so a full fd table does not spin the thread. */
		if (res < 0)
			x->rearm[l] = true;
		else if (!stopping)
			arm_accept(x, l);
	}
	if (res < 0) {
		if (res != -ECANCELED)
			s->tally->srv_accept_errors++;
		return;
	}
	s->tally->srv_accepted++;
	if (x->nfree == 0 || stopping) {
		s->tally->srv_no_slot += !stopping;
		close(res);
		return;
	}
	uint32_t i = x->free_list[--x->nfree];
	struct rs_server_conn *c = &x->conns[i];

	c->fd = res;
	c->gen++;
	c->state = SV_HDR;
	c->got = 0;
	arm_recv(x, i);
}

static void on_recv(struct sctx *x, uint32_t i, int res)
{
	struct rs_server_conn *c = &x->conns[i];
	struct rs_tally *t = x->s->tally;

	if (c->state == SV_DRAIN) {
		if (res > 0)
			arm_recv(x, i);
		else
			release(x, i);
		return;
	}
	if (res <= 0) {
		t->srv_early_eof++;
		release(x, i);
		return;
	}
	c->got = (uint8_t)(c->got + res);
	if (c->state == SV_HDR) {
		if (c->got < RS_HELLO_HDR)
			return arm_recv(x, i);
		if (!rs_hello_decode(c->hdr, &c->id) ||
		    (uint32_t)c->id >= x->s->sh->total_slots) {
			t->srv_bad_hello++;
			release(x, i);
			return;
		}
		c->mode = (uint8_t)rs_plan_mode(&x->s->sh->cfg->mix,
						x->s->sh->cfg->seed, c->id);
		if (c->mode == RS_CLOSE_UNREAD)
			return close_by_plan(x, i);
		c->state = SV_PAD;
	}
	if (c->got < RS_HELLO_LEN)
		return arm_recv(x, i);
	close_by_plan(x, i);
}

int rs_server_run(struct rs_server *s)
{
	struct sctx *x;
	unsigned cq;
	int ret;

	x = calloc(1, sizeof(*x));
	if (x) {
		x->conns = calloc(s->cap, sizeof(*x->conns));
		x->free_list = calloc(s->cap, sizeof(*x->free_list));
		x->rearm = calloc(s->nl, sizeof(*x->rearm));
	}
	if (!x || !x->conns || !x->free_list || !x->rearm) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "server %u: out of memory for %u connection slots",
			 s->index, s->cap);
		ret = -ENOMEM;
		goto err_free;
	}
	x->s = s;
	x->tick_ts.tv_nsec = (long long)RS_TICK_NS;
	snprintf(x->who, sizeof(x->who), "server %u", s->index);
	for (uint32_t i = 0; i < s->cap; i++) {
		x->conns[i].fd = -1;
		x->free_list[i] = s->cap - 1 - i;
	}
	x->nfree = s->cap;

	/* one recv per connection, one accept per listener, the tick */
	cq = rs_pow2_at_least(2 * (s->cap + s->nl) + 16);
	ret = rs_ring_init(&x->ring, cq / 2 < 4096 ? cq / 2 : 4096, cq,
			   s->sh->probe->ring_flags);
	if (ret) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "server %u: io_uring_queue_init(cq %u) failed: %s (%s)",
			 s->index, cq, strerror(-ret), rs_errname(-ret));
		goto err_free;
	}
	for (uint32_t l = 0; l < s->nl; l++)
		arm_accept(x, l);
	rs_ring_arm_tick(&x->ring, &x->tick_ts, x->who);

	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		bool tick = false;

		if (rs_ring_wait(&x->ring, x->who))
			s->tally->cq_overflow++;
		io_uring_for_each_cqe(&x->ring, head, cqe) {
			uint64_t ud = io_uring_cqe_get_data64(cqe);
			uint32_t i = rs_ud_idx(ud);

			n++;
			switch (rs_ud_tag(ud)) {
			case RS_UD_ACCEPT:
				on_accept(x, i, cqe->res, cqe->flags);
				break;
			case RS_UD_SRV:
				if (i >= s->cap ||
				    x->conns[i].state == SV_FREE ||
				    rs_ud_gen(ud) !=
					    (x->conns[i].gen & 0xffffff)) {
					s->tally->stray_cqes++;
					break;
				}
				on_recv(x, i, cqe->res);
				break;
			case RS_UD_TICK:
				tick = true;
				break;
			default:
				break;
			}
		}
		io_uring_cq_advance(&x->ring, n);
		if (!tick)
			continue;
		if (atomic_load_explicit(&s->stop, memory_order_relaxed))
			break;
		for (uint32_t l = 0; l < s->nl; l++) {
			if (x->rearm[l]) {
				x->rearm[l] = false;
				arm_accept(x, l);
			}
		}
		rs_ring_arm_tick(&x->ring, &x->tick_ts, x->who);
	}

	s->tally->cq_dropped += *x->ring.cq.koverflow;
	io_uring_queue_exit(&x->ring);
	for (uint32_t i = 0; i < s->cap; i++) {
		if (x->conns[i].state != SV_FREE) {
			s->tally->srv_open_at_stop++;
			close(x->conns[i].fd);
		}
	}
	ret = 0;
err_free:
	if (x) {
		free(x->rearm);
		free(x->free_list);
		free(x->conns);
		free(x);
	}
	return ret;
}
