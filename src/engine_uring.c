/* The io_uring client engine: one ring per worker thread carries every
 * step of every slot's connection; completions drive the state machine. */
#include <errno.h>
#include <netinet/in.h>
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
	int one;                 /* setsockopt's value for IP_BIND_ADDRESS_NO_PORT */
};

static bool guest_active(const struct uctx *x)
{
	return x->w->guest && !x->w->guest->done;
}

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
	case RS_STEP_SOCKOPT:
		/* direct only: the port is picked at connect, by the 4-tuple,
		 * not at bind, by the (address, port) pair */
		rs_prep_sock_cmd(sqe, RS_SOCKET_URING_OP_SETSOCKOPT, c->fd,
				 IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &x->one,
				 sizeof(x->one));
		break;
	case RS_STEP_BIND:
		rs_prep_bind(sqe, c->fd, rs_conn_src(w, slot));
		break;
	case RS_STEP_CONNECT:
		a = rs_conn_dst(w, slot, c->gen);
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

/* The steps the socket(2) path does inline, as syscalls on the fd.
 * Returns the result as a CQE would carry it. */
static int inline_step(struct uctx *x, uint32_t slot)
{
	struct rs_conn *c = &x->w->conns[slot];
	int ret;

	switch (c->step) {
	case RS_STEP_SOCKET:
		ret = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		break;
	case RS_STEP_SOCKOPT:
		ret = setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
				 &x->one, sizeof(x->one));
		break;
	default: /* RS_STEP_BIND */
		ret = bind(c->fd, (const struct sockaddr *)rs_conn_src(x->w,
								       slot),
			   sizeof(struct sockaddr_in));
		break;
	}
	return ret < 0 ? -errno : ret;
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
		if (!x->direct &&
		    (c->step == RS_STEP_SOCKET || c->step == RS_STEP_SOCKOPT ||
		     c->step == RS_STEP_BIND)) {
			bool sock = c->step == RS_STEP_SOCKET;
			int ret = inline_step(x, slot);

			rs_conn_issue(w, slot, now);
			rs_conn_complete(w, slot, ret, now);
			if (sock && ret < 0) {
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

	uint64_t storm = atomic_load_explicit(&w->sh->storm_ns,
					      memory_order_relaxed);

	for (uint32_t s = 0; s < w->nslots; s++) {
		struct rs_conn *c = &w->conns[s];
		struct io_uring_sqe *sqe;
		uint64_t since = c->t_step;

		if (c->step == RS_STEP_IDLE) {
			drive(x, s, 0, now, false);
			continue;
		}
		/* --hold: a connection waits for the storm as long as it
		 * takes; its wait's timeout runs from the storm on */
		if (c->step == RS_STEP_WAIT && w->sh->cfg->hold) {
			if (!storm)
				continue;
			if (storm > since)
				since = storm;
		}
		if (c->step == RS_STEP_GAP || c->step == RS_STEP_OPGAP ||
		    (c->flags & RS_CF_CANCELLED) || now < since ||
		    now - since < x->timeout_ns)
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
	int ret, err = 0;

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
	x->one = 1;
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
	{
		unsigned extra = w->guest ? w->guest->max_inflight : 0;

		sq = rs_pow2_at_least(w->nslots + extra < 4096 ?
					      w->nslots + extra + 8 :
					      4096);
		cq = rs_pow2_at_least(2 * w->nslots + 2 * extra + 16);
	}
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
	if (x->direct && w->nslots) {
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
		if (w->guest) {
			ret = w->guest->start(w->guest, &x->ring, now);
			if (ret) {
				snprintf(w->errmsg, sizeof(w->errmsg), "%s",
					 w->guest->errmsg);
				err = ret;
				atomic_store(&w->sh->abort_run, 1);
				w->guest->done = true;
			}
		}
	}

	while (x->inflight > 0 || tick_armed || guest_active(x)) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		bool tick = false;
		uint64_t now;
		unsigned ready;

		if (rs_ring_wait(&x->ring, x->who))
			w->tally->cq_overflow++;
		now = rs_now_ns();
		/* Only the completions already posted when now was read: without
		 * DEFER_TASKRUN the kernel keeps posting while we walk the CQ,
		 * and a later one stamped with this older now could look issued
		 * before the server's close (seen on 5.10: 2-8 % of first
		 * sends under --wait close). The rest wait for the next pass. */
		ready = io_uring_cq_ready(&x->ring);
		io_uring_for_each_cqe(&x->ring, head, cqe) {
			uint64_t ud = io_uring_cqe_get_data64(cqe);
			uint32_t slot = rs_ud_idx(ud);

			if (n == ready)
				break;
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
			case RS_UD_GUEST:
				if (w->guest)
					w->guest->cqe(w->guest, ud, cqe->res,
						      now);
				break;
			default: /* cancels, liburing's internal timeouts */
				break;
			}
		}
		io_uring_cq_advance(&x->ring, n);
		/* done: no need to wait for the tick to notice */
		if (x->inflight == 0 && !guest_active(x) && !may_start(x, now))
			break;
		if (!tick)
			continue;

		tick_armed = false;
		rs_conn_publish(w);
		if (guest_active(x))
			w->guest->tick(w->guest, now);
		if (w->guest && w->guest->done)
			atomic_store_explicit(&w->sh->stop, 1,
					      memory_order_relaxed);
		if (atomic_load_explicit(&sh->abort_run, memory_order_relaxed)) {
			for (uint32_t s = 0; s < w->nslots; s++)
				rs_conn_abandon(w, s);
			x->inflight = 0;
			if (w->guest)
				w->guest->done = true;
			break;
		}
		if (!x->stopping && !rs_conn_may_start(w, false, now))
			x->stopping = true;
		sweep(x, now);
		if (!x->stopping || x->inflight > 0 || guest_active(x)) {
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
	return err;
}

const struct rs_engine rs_engine_uring = {
	.name = "io_uring",
	.client_run = uring_client_run,
};
