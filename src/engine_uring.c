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
#include "worker.h"


struct uctx {
	struct rs_client *w;
	struct io_uring ring;
	bool direct;
	bool ext_arg;            /* waits take a timeout (5.11) */
	bool tick_armed;         /* without ext_arg: the RS_UD_TICK timeout */
	struct __kernel_timespec tick_ts, gap_ts, op_gap_ts;
	char who[24];            /* "client N", for fatal messages */
	uint8_t sink[64];        /* --foreign's response lands here */
	/* the ops' buffers, one per worker (--op-size bytes each): what the
	 * writes send (the same pattern for every slot, never written) and
	 * where the reads' data lands and is dropped */
	uint8_t *pattern, *rbuf;
	struct iovec iov;        /* sendmsg: the pattern, read-only */
	struct msghdr msg;
	int one;                 /* setsockopt's value for IP_BIND_ADDRESS_NO_PORT */
	struct linger linger0;   /* {1, 0}: --closer client's RST */
};

/* At most this many completions per loop pass. Every stamp of a pass is
 * its one clock read and its SQEs reach the kernel only at the next wait,
 * so a pass's length is the width of their uncertainty. Uncapped, a pass
 * at -c 10000 took p99 90 us .. 2 ms (thousands of CQEs, and an inline
 * submit when the SQ filled); 32 kept p99 at 24-40 us with the same
 * connections/s and CPU per connection (docs/performance.md, the clock).
 * The rest wait in the CQ for the next pass; the wait returns at once. */
#define RS_PASS_CQES 32u
/* An op of the script on fd (the writes send the shared pattern; MSG_NOSIGNAL
 * where the op has flags: write has none, so an inline one raises SIGPIPE
 * on EPIPE, which run counts). Offset 0: a socket has no position. */
static void prep_op(struct uctx *x, struct io_uring_sqe *sqe, int fd,
		    unsigned kind)
{
	unsigned n = x->w->sh->cfg->op_size;

	switch (kind) {
	case RS_OP_SEND:
		io_uring_prep_send(sqe, fd, x->pattern, n, MSG_NOSIGNAL);
		break;
	case RS_OP_WRITE:
		io_uring_prep_write(sqe, fd, x->pattern, n, 0);
		break;
	case RS_OP_SENDMSG:
		io_uring_prep_sendmsg(sqe, fd, &x->msg, MSG_NOSIGNAL);
		break;
	case RS_OP_SEND_ZC:
		/* its notification CQE is dropped by u_reap (F_NOTIF) */
		io_uring_prep_send_zc(sqe, fd, x->pattern, n, MSG_NOSIGNAL, 0);
		break;
	case RS_OP_READ:
		io_uring_prep_read(sqe, fd, x->rbuf, n, 0);
		break;
	default: /* RS_OP_RECV */
		io_uring_prep_recv(sqe, fd, x->rbuf, n, 0);
		break;
	}
}

static void prep_step(struct uctx *x, uint32_t slot)
{
	struct rs_client *w = x->w;
	struct rs_conn *c = &w->conns[slot];
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);
	const struct rs_addr *a;

	switch (c->step) {
	case RS_STEP_SOCKET:
		/* direct only: socket(2) is done inline by drive() */
		io_uring_prep_socket_direct(
			sqe, rs_addr_family(rs_conn_dst(w, slot, c->gen)),
			SOCK_STREAM, 0, slot, 0);
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
		io_uring_prep_connect(sqe, c->fd, &a->u.sa, a->len);
		break;
	case RS_STEP_HELLO: {
		size_t len;
		const uint8_t *buf = rs_conn_hello(w, slot, &len);

		io_uring_prep_send(sqe, c->fd, buf, len, MSG_NOSIGNAL);
		break;
	}
	case RS_STEP_RESP:
		io_uring_prep_recv(sqe, c->fd, x->sink, sizeof(x->sink), 0);
		break;
	case RS_STEP_ACK:
		io_uring_prep_recv(sqe, c->fd, x->sink, 1, 0);
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
		prep_op(x, sqe, c->fd, w->sh->cfg->script.kind[c->op]);
		break;
	case RS_STEP_LINGER:
		/* direct only (the probe's socket commands; run checks) */
		rs_prep_sock_cmd(sqe, RS_SOCKET_URING_OP_SETSOCKOPT, c->fd,
				 SOL_SOCKET, SO_LINGER, &x->linger0,
				 sizeof(x->linger0));
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
}

/* The steps the socket(2) path does inline, as syscalls on the fd.
 * Returns the result as a CQE would carry it. */
static int inline_step(struct uctx *x, uint32_t slot)
{
	struct rs_conn *c = &x->w->conns[slot];
	int ret;

	switch (c->step) {
	case RS_STEP_SOCKET:
		ret = socket(rs_addr_family(rs_conn_dst(x->w, slot, c->gen)),
			     SOCK_STREAM | SOCK_CLOEXEC, 0);
		break;
	case RS_STEP_SOCKOPT:
		ret = setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
				 &x->one, sizeof(x->one));
		break;
	case RS_STEP_LINGER:
		ret = setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &x->linger0,
				 sizeof(x->linger0));
		break;
	default: /* RS_STEP_BIND */
		ret = bind(c->fd, (const struct sockaddr *)rs_conn_src(x->w,
								       slot),
			   sizeof(struct sockaddr_in));
		break;
	}
	return ret < 0 ? -errno : ret;
}

static bool u_issue(struct rs_worker *wk, uint32_t slot, uint64_t now,
		    int *res)
{
	struct uctx *x = wk->tp;
	unsigned step = x->w->conns[slot].step;

	(void)now;
	if (!x->direct && (step == RS_STEP_SOCKET || step == RS_STEP_SOCKOPT ||
			   step == RS_STEP_BIND || step == RS_STEP_LINGER)) {
		*res = inline_step(x, slot);
		return true;
	}
	prep_step(x, slot);
	return false;
}

/* The request's own completion still comes: -ECANCELED, or its result when
 * the cancel lost the race. */
static bool u_cancel(struct rs_worker *wk, uint32_t slot)
{
	struct uctx *x = wk->tp;
	struct rs_conn *c = &x->w->conns[slot];
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, wk->who);

	io_uring_prep_cancel64(sqe, rs_ud_make(RS_UD_CONN, c->gen, slot), 0);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_CANCEL, 0, slot));
	return true;
}

static bool overflowed(struct uctx *x)
{
	return IO_URING_READ_ONCE(*x->ring.sq.kflags) & IORING_SQ_CQ_OVERFLOW;
}

static void u_wait(struct rs_worker *wk, uint64_t deadline)
{
	struct uctx *x = wk->tp;
	uint64_t now = rs_now_ns(), ns;
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	int ret;

	if (!x->ext_arg) {
		/* 5.10: a wait cannot carry a timeout without an SQE of its
		 * own; one periodic tick in flight bounds every wait */
		if (!x->tick_armed) {
			rs_ring_arm_tick(&x->ring, &x->tick_ts, wk->who);
			x->tick_armed = true;
		}
		if (rs_ring_wait(&x->ring, wk->who))
			x->w->tally->cq_overflow++;
		return;
	}
	ns = deadline > now ? deadline - now : 0;
	ts.tv_sec = (long long)(ns / 1000000000ull);
	ts.tv_nsec = (long long)(ns % 1000000000ull);
	ret = io_uring_submit_and_wait_timeout(&x->ring, &cqe, 1, &ts, NULL);
	if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EBUSY &&
	    ret != -EBADR && ret != -EAGAIN)
		rs_fatal("%s: io_uring_submit_and_wait_timeout failed: %s (%s)",
			 wk->who, strerror(-ret), rs_errname(-ret));
	if (overflowed(x))
		x->w->tally->cq_overflow++;
}

static uint64_t u_reap(struct rs_worker *wk, rs_done_fn done)
{
	struct uctx *x = wk->tp;
	struct io_uring_cqe *cqe;
	unsigned head, n = 0, ready;
	uint64_t now = rs_now_ns();

	/* Only the completions already posted when now was read: without
	 * DEFER_TASKRUN the kernel keeps posting while we walk the CQ, and a
	 * later one stamped with this older now could look issued before the
	 * server's close (seen on 5.10: 2-8 % of first sends under --wait
	 * close). The rest wait for the next pass. */
	ready = io_uring_cq_ready(&x->ring);
	if (ready > RS_PASS_CQES)
		ready = RS_PASS_CQES;
	io_uring_for_each_cqe(&x->ring, head, cqe) {
		uint64_t ud = io_uring_cqe_get_data64(cqe);

		if (n == ready)
			break;
		n++;
		/* send-zc's second CQE: the buffer is released (a shared,
		 * read-only pattern: nothing waits for it), not a result. A
		 * guest's own go to the guest, as before. */
		if ((cqe->flags & IORING_CQE_F_NOTIF) &&
		    rs_ud_tag(ud) == RS_UD_CONN) {
			x->w->tally->zc_notifs++;
			continue;
		}
		switch (rs_ud_tag(ud)) {
		case RS_UD_CONN:
		case RS_UD_GUEST:
			done(wk, ud, cqe->res, now);
			break;
		case RS_UD_TICK:
			x->tick_armed = false;
			break;
		default: /* cancels, liburing's internal timeouts */
			break;
		}
	}
	io_uring_cq_advance(&x->ring, n);
	return now;
}

static uint64_t u_now(struct rs_worker *wk)
{
	(void)wk;
	return rs_now_ns();
}

static struct io_uring *u_ring(struct rs_worker *wk)
{
	return &((struct uctx *)wk->tp)->ring;
}

static int u_open(struct rs_worker *wk)
{
	struct rs_client *w = wk->cl;
	const struct rs_shared *sh = w->sh;
	struct uctx *x;
	unsigned sq, cq, extra;
	int ret;

	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: out of memory for its context", w->index);
		return -ENOMEM;
	}
	x->w = w;
	x->direct = sh->probe->socket_direct;
	x->ext_arg = sh->probe->ext_arg;
	x->one = 1;
	x->linger0.l_onoff = 1;
	x->linger0.l_linger = 0;
	x->pattern = malloc(sh->cfg->op_size);
	x->rbuf = malloc(sh->cfg->op_size);
	if (!x->pattern || !x->rbuf) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: out of memory for two --op-size buffers of %u bytes",
			 w->index, sh->cfg->op_size);
		free(x->pattern);
		free(x->rbuf);
		free(x);
		return -ENOMEM;
	}
	memset(x->pattern, 'x', sh->cfg->op_size);
	x->iov.iov_base = x->pattern;
	x->iov.iov_len = sh->cfg->op_size;
	x->msg.msg_iov = &x->iov;
	x->msg.msg_iovlen = 1;
	snprintf(x->who, sizeof(x->who), "client %u", w->index);
	/* without ext_arg, timeouts are seen at this tick: a quarter of a
	 * short --timeout */
	x->tick_ts.tv_nsec = (long long)(sh->cfg->timeout_ns / 4 < RS_TICK_NS ?
						 sh->cfg->timeout_ns / 4 :
						 RS_TICK_NS);
	x->gap_ts.tv_sec = (long long)(sh->cfg->gap_ns / 1000000000ull);
	x->gap_ts.tv_nsec = (long long)(sh->cfg->gap_ns % 1000000000ull);
	x->op_gap_ts.tv_sec = (long long)(sh->cfg->op_gap_ns / 1000000000ull);
	x->op_gap_ts.tv_nsec = (long long)(sh->cfg->op_gap_ns % 1000000000ull);

	/* At most one request per slot is in flight, plus one cancel per slot
	 * and the tick: size the CQ for that so no completion can overflow.
	 * send-zc: a notification per slot may still be owed as well. */
	extra = w->guest ? w->guest->max_inflight : 0;
	sq = rs_pow2_at_least(w->nslots + extra < 4096 ?
				      w->nslots + extra + 8 :
				      4096);
	cq = rs_pow2_at_least(
		(rs_script_has(&sh->cfg->script, RS_OP_SEND_ZC) ? 3 : 2) *
			w->nslots +
		2 * extra + 16);
	ret = rs_ring_init(&x->ring, sq, cq, sh->probe->ring_flags);
	if (ret) {
		snprintf(w->errmsg, sizeof(w->errmsg),
			 "client %u: io_uring_queue_init(%u, cq %u) failed: %s (%s)%s",
			 w->index, sq, cq, strerror(-ret), rs_errname(-ret),
			 ret == -ENOMEM ?
				 ": lower -c or raise RLIMIT_MEMLOCK (ulimit -l)" :
				 "");
		goto err_free;
	}
	if (x->direct && w->nslots) {
		ret = io_uring_register_files_sparse(&x->ring, w->nslots);
		if (ret) {
			snprintf(w->errmsg, sizeof(w->errmsg),
				 "client %u: registering %u direct descriptors failed: %s (%s): each ring's table is capped by RLIMIT_NOFILE; use more --threads or --no-direct",
				 w->index, w->nslots, strerror(-ret),
				 rs_errname(-ret));
			rs_ring_exit(&x->ring);
			goto err_free;
		}
	}
	wk->tp = x;
	return 0;
err_free:
	free(x->pattern);
	free(x->rbuf);
	free(x);
	return ret;
}

static void u_close(struct rs_worker *wk)
{
	struct uctx *x = wk->tp;
	struct rs_client *w = x->w;

	w->tally->cq_dropped += *x->ring.cq.koverflow;
	/* socket(2) fds of abandoned connections; direct ones go with the
	 * ring */
	if (!x->direct)
		for (uint32_t s = 0; s < w->nslots; s++)
			if (w->conns[s].fd >= 0) {
				close(w->conns[s].fd);
				w->conns[s].fd = -1;
			}
	rs_ring_exit(&x->ring);
	free(x->pattern);
	free(x->rbuf);
	free(x);
	wk->tp = NULL;
}

int rs_engine_uring_ops(const struct rs_script *sc, const struct rs_probe *p,
			char *err, size_t errlen)
{
	static const struct {
		unsigned op;
		const char *name, *since;
	} need[RS_OP_NKINDS] = {
		[RS_OP_SEND] = { IORING_OP_SEND, "IORING_OP_SEND", "5.6" },
		[RS_OP_RECV] = { IORING_OP_RECV, "IORING_OP_RECV", "5.6" },
		[RS_OP_WRITE] = { IORING_OP_WRITE, "IORING_OP_WRITE", "5.6" },
		[RS_OP_SENDMSG] = { IORING_OP_SENDMSG, "IORING_OP_SENDMSG",
				    "5.3" },
		[RS_OP_SEND_ZC] = { IORING_OP_SEND_ZC, "IORING_OP_SEND_ZC",
				    "6.0" },
		[RS_OP_READ] = { IORING_OP_READ, "IORING_OP_READ", "5.6" },
	};

	for (unsigned i = 0; i < sc->n; i++) {
		unsigned k = sc->kind[i];

		if (k < RS_OP_NKINDS && !rs_probe_has_op(p, need[k].op)) {
			snprintf(err, errlen,
				 "--ops: %s needs %s (kernel %s), which this kernel (%s) lacks: drop it from --ops",
				 rs_op_name(k), need[k].name, need[k].since,
				 p->release);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

const struct rs_transport rs_transport_uring = {
	.name = "io_uring",
	.open = u_open,
	.close = u_close,
	.now = u_now,
	.issue = u_issue,
	.cancel = u_cancel,
	.wait = u_wait,
	.reap = u_reap,
	.ring = u_ring,
};

static int uring_client_run(struct rs_client *w)
{
	return rs_worker_run(w, &rs_transport_uring);
}

const struct rs_engine rs_engine_uring = {
	.name = "io_uring",
	.client_run = uring_client_run,
};
