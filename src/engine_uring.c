/* The io_uring client engine: one ring per worker thread carries every
 * step of every slot's connection; completions drive the state machine. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "ring.h"
#include "util.h"


struct uctx {
	struct rs_client *w;
	struct io_uring ring;
	bool direct;
	bool stopping;
	uint32_t inflight;       /* slots not idle */
	uint64_t timeout_ns;
	struct __kernel_timespec tick_ts, gap_ts, op_gap_ts;
	char who[24];            /* "client N", for fatal messages */
	uint8_t sink[64];        /* recv data lands here and is dropped */
	uint8_t one_byte;
};

static bool may_start(struct uctx *x, uint64_t now)
{
	return rs_conn_may_start(x->w, x->stopping, now);
}

static void prep_step(struct uctx *x, uint32_t slot, uint64_t now)
{
	struct rs_client *w = x->w;
	struct rs_conn *c = &w->conns[slot];
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);
	const struct sockaddr_in *a;
	unsigned kind;

	switch (c->step) {
	case RS_STEP_SOCKET:
		/* direct only: socket(2) is done inline by drive() */
		io_uring_prep_socket_direct(sqe, AF_INET, SOCK_STREAM, 0, slot,
					    0);
		break;
	case RS_STEP_CONNECT:
		a = &w->sh->addrs[(w->base + slot + c->gen) % w->sh->naddrs];
		io_uring_prep_connect(sqe, c->fd, (const struct sockaddr *)a,
				      sizeof(*a));
		break;
	case RS_STEP_HELLO:
		io_uring_prep_send(sqe, c->fd, w->hello[slot], RS_HELLO_LEN,
				   MSG_NOSIGNAL);
		break;
	case RS_STEP_WAIT:
		/* POLLRDHUP fires on the FIN; POLLERR/POLLHUP (on the RST)
		 * are always reported. Nothing is consumed. */
		io_uring_prep_poll_add(sqe, c->fd, POLLRDHUP);
		break;
	case RS_STEP_GAP:
		io_uring_prep_timeout(sqe, &x->gap_ts, 0, 0);
		break;
	case RS_STEP_OPGAP:
		io_uring_prep_timeout(sqe, &x->op_gap_ts, 0, 0);
		break;
	case RS_STEP_OP:
		kind = w->sh->cfg->script.kind[c->op];
		if (kind == RS_OP_SEND)
			io_uring_prep_send(sqe, c->fd, &x->one_byte, 1,
					   MSG_NOSIGNAL);
		else
			io_uring_prep_recv(sqe, c->fd, x->sink,
					   sizeof(x->sink), 0);
		break;
	case RS_STEP_CLOSE:
		if (x->direct)
			io_uring_prep_close_direct(sqe, slot);
		else
			io_uring_prep_close(sqe, c->fd);
		break;
	}
	if (x->direct && c->step != RS_STEP_SOCKET && c->step != RS_STEP_GAP &&
	    c->step != RS_STEP_OPGAP && c->step != RS_STEP_CLOSE)
		sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_CONN, c->gen, slot));
	rs_conn_issue(w, slot, now);
}

/* Feed res to the slot's state machine and issue whatever comes next,
 * starting a new connection in the slot when the run allows. */
static void drive(struct uctx *x, uint32_t slot, int res, uint64_t now,
		  bool have_res)
{
	struct rs_client *w = x->w;
	struct rs_conn *c = &w->conns[slot];

	if (have_res)
		rs_conn_complete(w, slot, res, now);
	for (;;) {
		if (c->step == RS_STEP_IDLE) {
			if (!may_start(x, now)) {
				if (have_res)
					x->inflight--;
				return;
			}
			if (!have_res)
				x->inflight++;
			have_res = true;
			rs_conn_begin(w, slot);
		}
		if (c->step == RS_STEP_SOCKET && !x->direct) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			rs_conn_issue(w, slot, now);
			rs_conn_complete(w, slot, fd < 0 ? -errno : fd, now);
			if (fd < 0) {
				/* idle until the next tick: no tight loop
				 * while the fd table is full */
				x->inflight--;
				return;
			}
			continue;
		}
		prep_step(x, slot, now);
		return;
	}
}

/* Cancel every request in flight longer than --timeout; start idle slots
 * the run still has room for. */
static void sweep(struct uctx *x, uint64_t now)
{
	struct rs_client *w = x->w;

	for (uint32_t s = 0; s < w->nslots; s++) {
		struct rs_conn *c = &w->conns[s];
		struct io_uring_sqe *sqe;

		if (c->step == RS_STEP_IDLE) {
			drive(x, s, 0, now, false);
			continue;
		}
		if (c->step == RS_STEP_GAP || c->step == RS_STEP_OPGAP ||
		    (c->flags & RS_CF_CANCELLED) ||
		    now - c->t_step < x->timeout_ns)
			continue;
		sqe = rs_ring_sqe(&x->ring);
		if (!sqe)
			return;
		io_uring_prep_cancel64(sqe, rs_ud_make(RS_UD_CONN, c->gen, s),
				       0);
		io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_CANCEL, 0, s));
		c->flags |= RS_CF_CANCELLED;
	}
}

static int uring_client_run(struct rs_client *w)
{
	const struct rs_shared *sh = w->sh;
	struct uctx *x;
	unsigned sq, cq;
	bool tick_armed;
	int ret;

	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: out of memory for its context", w->index);
		return -ENOMEM;
	}
	x->w = w;
	x->direct = sh->probe->socket_direct;
	x->timeout_ns = sh->cfg->timeout_ns;
	x->one_byte = 'x';
	snprintf(x->who, sizeof(x->who), "client %u", w->index);
	/* a quarter of a short --timeout, so a timeout fires by 1.25 T */
	x->tick_ts.tv_nsec = (long long)(x->timeout_ns / 4 < RS_TICK_NS ?
						 x->timeout_ns / 4 :
						 RS_TICK_NS);
	x->gap_ts.tv_sec = (long long)(sh->cfg->gap_ns / 1000000000ull);
	x->gap_ts.tv_nsec = (long long)(sh->cfg->gap_ns % 1000000000ull);
	x->op_gap_ts.tv_sec = (long long)(sh->cfg->op_gap_ns / 1000000000ull);
	x->op_gap_ts.tv_nsec = (long long)(sh->cfg->op_gap_ns % 1000000000ull);

	/* At most one request per slot is in flight, plus one cancel per slot
	 * and the tick: size the CQ for that so no completion can overflow. */
	sq = rs_pow2_at_least(w->nslots < 4096 ? w->nslots + 8 : 4096);
	cq = rs_pow2_at_least(2 * w->nslots + 16);
	ret = rs_ring_init(&x->ring, sq, cq, sh->probe->ring_flags);
	if (ret) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: io_uring_queue_init(%u, cq %u) failed: %s (%s)%s",
			 w->index, sq, cq, strerror(-ret), rs_errname(-ret),
			 ret == -ENOMEM ?
				 ": lower -c or raise RLIMIT_MEMLOCK (ulimit -l)" :
				 "");
		free(x);
		return ret;
	}
	if (x->direct) {
		ret = io_uring_register_files_sparse(&x->ring, w->nslots);
		if (ret) {
			snprintf(w->errmsg, sizeof(w->errmsg),
				 "client %u: registering %u direct descriptors failed: %s (%s): each ring's table is capped by RLIMIT_NOFILE; use more --threads or --no-direct",
				 w->index, w->nslots, strerror(-ret),
				 rs_errname(-ret));
			io_uring_queue_exit(&x->ring);
			free(x);
			return ret;
		}
	}

	rs_ring_arm_tick(&x->ring, &x->tick_ts, x->who);
	tick_armed = true;
	{
		uint64_t now = rs_now_ns();

		for (uint32_t s = 0; s < w->nslots; s++)
			drive(x, s, 0, now, false);
	}

	while (x->inflight > 0 || tick_armed) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		bool tick = false;
		uint64_t now;

		if (rs_ring_wait(&x->ring, x->who))
			w->tally->cq_overflow++;
		now = rs_now_ns();
		io_uring_for_each_cqe(&x->ring, head, cqe) {
			uint64_t ud = io_uring_cqe_get_data64(cqe);
			uint32_t slot = rs_ud_idx(ud);

			n++;
			switch (rs_ud_tag(ud)) {
			case RS_UD_CONN:
				if (slot >= w->nslots ||
				    w->conns[slot].step == RS_STEP_IDLE ||
				    rs_ud_gen(ud) !=
					    (w->conns[slot].gen & 0xffffff)) {
					w->tally->stray_cqes++;
					break;
				}
				drive(x, slot, cqe->res, now, true);
				break;
			case RS_UD_TICK:
				tick = true;
				break;
			default: /* cancels, liburing's internal timeouts */
				break;
			}
		}
		io_uring_cq_advance(&x->ring, n);
		/* done: no need to wait for the tick to notice */
		if (x->inflight == 0 && !may_start(x, now))
			break;
		if (!tick)
			continue;

		tick_armed = false;
		rs_conn_publish(w);
		if (atomic_load_explicit(&sh->abort_run, memory_order_relaxed)) {
			for (uint32_t s = 0; s < w->nslots; s++)
				rs_conn_abandon(w, s);
			x->inflight = 0;
			break;
		}
		if (!x->stopping &&
		    (atomic_load_explicit(&sh->stop, memory_order_relaxed) ||
		     (sh->deadline && now >= sh->deadline) ||
		     w->tally->started >= w->budget))
			x->stopping = true;
		sweep(x, now);
		if (!x->stopping || x->inflight > 0) {
			rs_ring_arm_tick(&x->ring, &x->tick_ts, x->who);
			tick_armed = true;
		}
	}

	w->tally->cq_dropped += *x->ring.cq.koverflow;
	rs_conn_publish(w);
	/* socket(2) fds of abandoned connections; direct ones go with the
	 * ring */
	if (!x->direct)
		for (uint32_t s = 0; s < w->nslots; s++)
			if (w->conns[s].fd >= 0)
				close(w->conns[s].fd);
	io_uring_queue_exit(&x->ring);
	free(x);
	return 0;
}

const struct rs_engine rs_engine_uring = {
	.name = "io_uring",
	.client_run = uring_client_run,
};
