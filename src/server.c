/* The embedded io_uring server: accept, read the hello, close by plan. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "ring.h"
#include "util.h"


/*
 * SV_HELD: --hold, the hello is read and the connection waits for the
 * storm. SV_CLOSING: direct descriptors only, the close-direct is in
 * flight; the slot (and its table entry) is free at its completion.
 * --closer client: SV_VWAIT, the victim polls for the client's close;
 * SV_VOP, its op number `op` of the script is in flight.
 */
enum srv_state {
	SV_FREE,
	SV_HDR,
	SV_PAD,
	SV_DRAIN,
	SV_HELD,
	SV_CLOSING,
	SV_VWAIT,
	SV_VOP,
};

struct rs_server_conn {
	int fd;                 /* fd, or direct descriptor index */
	uint32_t gen;
	uint8_t state;
	uint8_t mode;
	uint8_t got;            /* hello bytes read so far */
	uint8_t stormed;        /* closed by the storm, its action not done */
	uint8_t op;             /* SV_VOP: the script's op in flight */
	uint64_t t_step;        /* SV_VOP: when it was issued */
	uint64_t t_seen;        /* SV_VOP: when the poll saw the close */
	uint8_t hdr[RS_HELLO_LEN]; /* the whole hello: header, tag, pad */
	uint64_t id;
};

/* RS_UD_SRV_AUX requests carry in the gen field what they are: the close
 * mode they belong to (SO_LINGER for rst, SIOCINQ for unread, the
 * shutdown), or AUX_DROP for a close-direct that has no slot. */
#define AUX_DROP RS_CLOSE_NMODES
#define AUX_QUERY (RS_CLOSE_NMODES + 1) /* the send of a query's answer */
#define AUX_SENDS (RS_CLOSE_NMODES + 2) /* --server-sends' send */
#define AUX_ACK (RS_CLOSE_NMODES + 3)   /* --closer client: the hello's ack */

/* Close actions queued before a submit (direct descriptors). */
#define RS_CLOSE_BATCH 64

struct sctx {
	struct rs_server *s;
	struct io_uring ring;
	struct rs_server_conn *conns;
	uint32_t *free_list;
	uint32_t nfree;
	bool *rearm;            /* listener needs a new accept at the tick */
	bool table_full;        /* an accept found the direct table full: re-arm
				 * as soon as an entry is free, not at the tick */
	uint32_t table;         /* direct descriptor table size */
	bool direct;            /* direct descriptors, close actions as SQEs */
	bool hold;              /* --hold: keep connections until the storm */
	bool storm;             /* the storm was called */
	uint64_t held;          /* connections in SV_HELD */
	uint64_t storm_left;    /* stormed close actions still in flight */
	unsigned queued_closes; /* close actions queued since the last submit */
	unsigned storm_errors;  /* storm polls that failed in a row */
	int fatal;              /* -errno: leave the loop, the run fails */
	struct linger linger0;  /* {1, 0}: SO_LINGER's value, for the ring */
	struct __kernel_timespec tick_ts;
	char who[24];           /* "server N", for fatal messages */
	uint8_t *out;           /* --server-sends: the bytes, one pattern */
	/* --closer client, after stop: the victims' ops still run; until
	 * when at most, and srv_accepted at the last tick */
	uint64_t drain_until, drain_accepted;
	/* --closer client: the victim's op buffers (--op-size bytes), as a
	 * client engine's */
	uint8_t *vpattern, *vrbuf;
	uint8_t ack;
	struct iovec viov;
	struct msghdr vmsg;
	uint8_t sink[4096];
};

int rs_server_listen(struct rs_addr *a)
{
	socklen_t len = a->len;
	int fd, one = 1;

	fd = socket(rs_addr_family(a), SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* SO_REUSEADDR lets a listener reuse a port whose old connections
	 * linger in TIME_WAIT, never one another socket listens on */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (rs_addr_family(a) == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))) {
		int e = -errno;

		close(fd);
		return e;
	}
	/* The kernel clamps the backlog to net.core.somaxconn. */
	if (bind(fd, &a->u.sa, a->len) || listen(fd, 65535) ||
	    getsockname(fd, &a->u.sa, &len)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static void arm_accept(struct sctx *x, uint32_t l)
{
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);
	bool multi = x->s->sh->probe->multishot_accept;

	if (x->direct)
		rs_prep_accept_alloc(sqe, x->s->lfds[l], multi);
	else if (multi)
		io_uring_prep_multishot_accept(sqe, x->s->lfds[l], NULL, NULL,
					       SOCK_CLOEXEC);
	else
		io_uring_prep_accept(sqe, x->s->lfds[l], NULL, NULL,
				     SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_ACCEPT, 0, l));
}

/* A request on the connection's socket: direct descriptors need the flag. */
static void on_socket(const struct sctx *x, struct io_uring_sqe *sqe)
{
	if (x->direct)
		sqe->flags |= IOSQE_FIXED_FILE;
}

static void arm_recv(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);

	if (c->state == SV_HDR)
		io_uring_prep_recv(sqe, c->fd, c->hdr + c->got,
				   RS_HELLO_HDR - c->got, 0);
	else if (c->state == SV_PAD)
		io_uring_prep_recv(sqe, c->fd, c->hdr + c->got,
				   RS_HELLO_LEN - c->got, 0);
	else
		io_uring_prep_recv(sqe, c->fd, x->sink, sizeof(x->sink), 0);
	on_socket(x, sqe);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_SRV, c->gen, i));
}

/* A direct table entry is free again: accepts stopped by a full table go
 * on now. */
static void table_entry_freed(struct sctx *x)
{
	if (!x->table_full)
		return;
	x->table_full = false;
	for (uint32_t l = 0; l < x->s->nl; l++) {
		if (x->rearm[l]) {
			x->rearm[l] = false;
			arm_accept(x, l);
		}
	}
}

static void release(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];

	if (c->fd >= 0 && !x->direct)
		close(c->fd);
	c->fd = -1;
	c->state = SV_FREE;
	c->stormed = 0;
	x->free_list[x->nfree++] = i;
	table_entry_freed(x);
}

/* Queue the close-direct of slot i's descriptor: the slot is released at
 * its completion. sqe may be given (the tail of a link) or NULL. */
static void close_direct(struct sctx *x, uint32_t i, struct io_uring_sqe *sqe)
{
	struct rs_server_conn *c = &x->conns[i];

	if (!sqe)
		sqe = rs_ring_sqe_must(&x->ring, x->who);
	io_uring_prep_close_direct(sqe, (unsigned)c->fd);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_SRV, c->gen, i));
	c->state = SV_CLOSING;
}

/* The connection is over outside its plan (early EOF, bad hello, drain
 * done): close it now, inline or through the ring. */
static void finish(struct sctx *x, uint32_t i)
{
	if (x->direct)
		close_direct(x, i, NULL);
	else
		release(x, i);
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

/* --server-sends: the bytes a send moved (or its -errno), counted. */
static void sends_done(struct sctx *x, int res)
{
	struct rs_tally *t = x->s->tally;

	if (res > 0)
		t->srv_sent_bytes += (uint64_t)res;
	if (res != (int)x->s->sh->cfg->server_sends)
		t->srv_send_short++;
}

/*
 * --server-sends: N bytes right before the close, so the client's reads
 * meet data first. Nonblocking (MSG_DONTWAIT): a send the peer's window
 * cannot take whole is counted short (srv_send_short), never waited for,
 * so the close is not delayed. Direct descriptors: an SQE ahead of the
 * close actions (in SQ order, run inline at submit).
 */
static void send_before_close(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];
	unsigned n = x->s->sh->cfg->server_sends;
	struct io_uring_sqe *sqe;

	if (!n)
		return;
	if (!x->direct) {
		ssize_t r = send(c->fd, x->out, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		sends_done(x, r < 0 ? -errno : (int)r);
		return;
	}
	sqe = rs_ring_sqe_must(&x->ring, x->who);
	io_uring_prep_send(sqe, c->fd, x->out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_SRV_AUX, AUX_SENDS, i));
}

/*
 * Direct descriptors have no fd for a syscall: the close actions are SQEs,
 * stamped when queued, so the stamp is early by what the ring still has
 * to submit before them (at most RS_CLOSE_BATCH actions). SO_LINGER and
 * SIOCINQ go right before the close-direct, unlinked: the kernel runs
 * socket commands inline at submit, in SQ order, so they come first. A
 * hard link would order them too, but with DEFER_TASKRUN the linked close
 * would wait for this thread's next wait for completions, after the whole
 * storm was queued.
 */
static void close_by_plan_direct(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];
	struct io_uring_sqe *aux, *cl;
	uint64_t ud_aux = rs_ud_make(RS_UD_SRV_AUX, c->mode, i);

	/* a stamp is early by what is queued ahead of its action: submit
	 * every RS_CLOSE_BATCH actions, so a storm does not stamp thousands
	 * of closes before the one submit that runs them */
	if (++x->queued_closes > RS_CLOSE_BATCH) {
		io_uring_submit(&x->ring);
		x->queued_closes = 1;
	}
	send_before_close(x, i);
	stamp(x, c);
	x->s->tally->srv_closed[c->mode]++;
	switch (c->mode) {
	case RS_CLOSE_RST:
	case RS_CLOSE_UNREAD:
		rs_ring_sqe_pair(&x->ring, x->who, &aux, &cl);
		if (c->mode == RS_CLOSE_RST)
			rs_prep_sock_cmd(aux, RS_SOCKET_URING_OP_SETSOCKOPT,
					 c->fd, SOL_SOCKET, SO_LINGER,
					 &x->linger0, sizeof(x->linger0));
		else
			rs_prep_sock_cmd(aux, RS_SOCKET_URING_OP_SIOCINQ,
					 c->fd, 0, 0, NULL, 0);
		aux->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data64(aux, ud_aux);
		close_direct(x, i, cl);
		return;
	case RS_CLOSE_SHUTDOWN:
		aux = rs_ring_sqe_must(&x->ring, x->who);
		io_uring_prep_shutdown(aux, c->fd, SHUT_WR);
		aux->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data64(aux, ud_aux);
		c->state = SV_DRAIN;
		arm_recv(x, i);
		return;
	default:
		close_direct(x, i, NULL);
		return;
	}
}

const char *rs_server_call_name(unsigned call)
{
	static const char *const names[RS_SRV_NCALLS] = {
		"setsockopt(SO_LINGER)", "ioctl(SIOCINQ)", "shutdown(SHUT_WR)",
		"close"
	};

	return call < RS_SRV_NCALLS ? names[call] : "?";
}

/* A close action's call failed with errno e: counted by mode and call. */
static void call_failed(struct sctx *x, unsigned mode, unsigned call, int e)
{
	struct rs_server *s = x->s;

	s->close_failed[mode]++;
	s->call_failed[call]++;
	s->call_errno[call] = e;
	s->tally->srv_close_errors++;
}

/*
 * The close itself is a plain syscall, not an SQE: the stamp taken right
 * before it is then exact, not early by a batch's worth of submissions.
 * Every call is checked: a close whose SO_LINGER or shutdown failed went
 * out as a FIN and is counted as one, not as the mode it was meant to be.
 */
static void close_by_plan(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];
	struct rs_tally *t = x->s->tally;
	unsigned sent = c->mode;

	if (x->direct)
		return close_by_plan_direct(x, i);
	send_before_close(x, i);
	switch (c->mode) {
	case RS_CLOSE_RST: {
		/* linger on, timeout 0: close() sends RST and drops the
		 * connection (counted as TCPAbortOnData) */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg,
			       sizeof(lg))) {
			call_failed(x, c->mode, RS_SRV_LINGER, errno);
			sent = RS_CLOSE_FIN;
		}
		break;
	}
	case RS_CLOSE_UNREAD: {
		int unread = 0;

		/* close() with data queued sends RST (TCPAbortOnClose); a
		 * pad that has not arrived would make it a FIN */
		if (ioctl(c->fd, SIOCINQ, &unread))
			call_failed(x, c->mode, RS_SRV_SIOCINQ, errno);
		else if (unread == 0)
			t->srv_unread_empty++;
		break;
	}
	case RS_CLOSE_SHUTDOWN:
		stamp(x, c);
		if (shutdown(c->fd, SHUT_WR) == 0) {
			t->srv_closed[c->mode]++;
			c->state = SV_DRAIN;
			arm_recv(x, i);
			return;
		}
		/* nothing went out: the close below is a FIN */
		call_failed(x, c->mode, RS_SRV_SHUTDOWN, errno);
		sent = RS_CLOSE_FIN;
		break;
	default:
		break;
	}
	if (c->mode != RS_CLOSE_SHUTDOWN) /* a shutdown's is taken */
		stamp(x, c);
	if (close(c->fd))
		call_failed(x, c->mode, RS_SRV_CLOSE, errno);
	c->fd = -1;
	t->srv_closed[sent]++;
	release(x, i);
}

static void on_accept(struct sctx *x, uint32_t l, int res, unsigned flags)
{
	struct rs_server *s = x->s;
	/* a victim (--closer client) takes its clients' last connections
	 * after stop too (drained()) */
	bool stopping = atomic_load_explicit(&s->stop, memory_order_relaxed) &&
			s->sh->cfg->closer != RS_SIDE_CLIENT;

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
		if (res == -ENFILE && x->direct)
			x->table_full = true;
		return;
	}
	s->tally->srv_accepted++;
	if (x->nfree == 0 || stopping) {
		s->tally->srv_no_slot += !stopping;
		if (x->direct) {
			struct io_uring_sqe *sqe =
				rs_ring_sqe_must(&x->ring, x->who);

			io_uring_prep_close_direct(sqe, (unsigned)res);
			io_uring_sqe_set_data64(
				sqe, rs_ud_make(RS_UD_SRV_AUX, AUX_DROP, 0));
		} else {
			close(res);
		}
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

static void victim_start(struct sctx *x, uint32_t i, uint64_t now);

/* The hello is in: close by plan now, or (--hold, before the storm) keep
 * the connection for the storm; with --closer client, be the victim. */
static void hello_done(struct sctx *x, uint32_t i, uint64_t now)
{
	struct rs_server *s = x->s;

	if (s->sh->cfg->closer == RS_SIDE_CLIENT)
		return victim_start(x, i, now);
	if (!x->hold || x->storm)
		return close_by_plan(x, i);
	x->conns[i].state = SV_HELD;
	x->held++;
	atomic_store_explicit(&s->pub_held, x->held, memory_order_relaxed);
	atomic_store_explicit(&s->pub_last_hold_ns, now, memory_order_relaxed);
}

static void storm_step_done(struct sctx *x, struct rs_server_conn *c,
			    uint64_t now)
{
	if (!c->stormed)
		return;
	c->stormed = 0;
	if (--x->storm_left == 0)
		x->s->storm_done_ns = now;
}

/* The storm: every held connection closed by its plan, at once. */
static void on_storm(struct sctx *x, uint64_t now)
{
	struct rs_server *s = x->s;

	if (x->storm)
		return;
	x->storm = true;
	s->storm_seen_ns = now;
	s->storm_held = x->held;
	for (uint32_t i = 0; i < s->cap; i++) {
		struct rs_server_conn *c = &x->conns[i];

		if (c->state != SV_HELD)
			continue;
		x->held--;
		/* through the ring, done at the action's completion */
		if (x->direct) {
			c->stormed = 1;
			x->storm_left++;
		}
		close_by_plan(x, i);
	}
	atomic_store_explicit(&s->pub_held, x->held, memory_order_relaxed);
	if (!x->storm_left)
		s->storm_done_ns = rs_now_ns();
}

/* --hold: wait for the storm's call (a poll does not consume: one write
 * wakes every server). */
static void arm_storm_poll(struct sctx *x)
{
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);

	io_uring_prep_poll_add(sqe, x->s->storm_fd, POLLIN);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_STORM, 0, 0));
}

/* Up to this many failed storm polls in a row are re-armed. */
#define RS_STORM_POLL_TRIES 3

/*
 * The storm poll completed: only POLLIN is the call. An error (or a mask
 * without POLLIN) is not: it is reported and the poll re-armed, and after
 * RS_STORM_POLL_TRIES in a row the run fails, rather than storm early or
 * never.
 */
static void on_storm_poll(struct sctx *x, int res, uint64_t now)
{
	struct rs_server *s = x->s;

	if (res > 0 && (res & POLLIN)) {
		x->storm_errors = 0;
		return on_storm(x, now);
	}
	if (x->storm)
		return;
	if (++x->storm_errors < RS_STORM_POLL_TRIES) {
		if (x->storm_errors == 1)
			rs_warn("server %u: --hold: the poll for the storm's call completed with %s (%s), not the call: polling again",
				s->index,
				res < 0 ? strerror(-res) : "no POLLIN",
				res < 0 ? rs_errname(-res) : "mask");
		arm_storm_poll(x);
		return;
	}
	snprintf(s->errmsg, sizeof(s->errmsg),
		 "server %u: --hold: the poll for the storm's call failed %u times in a row, last with %s (%s): the storm cannot be called; rerun, or run without --hold",
		 s->index, x->storm_errors,
		 res < 0 ? strerror(-res) : "no POLLIN",
		 res < 0 ? rs_errname(-res) : "mask");
	x->fatal = res < 0 ? res : -EIO;
}

/* A side request of a close (direct descriptors) completed. */
static void on_aux(struct sctx *x, uint64_t ud, int res, uint64_t now)
{
	uint32_t kind = rs_ud_gen(ud), i = rs_ud_idx(ud);
	struct rs_tally *t = x->s->tally;

	if (kind == AUX_DROP)
		return table_entry_freed(x);
	if (kind == AUX_QUERY) {
		if (res != RS_INFO_LEN)
			x->s->query_errors++;
		return;
	}
	if (kind == AUX_SENDS)
		return sends_done(x, res);
	if (kind == AUX_ACK) {
		if (res != 1)
			t->srv_ack_errors++;
		return;
	}
	if (res < 0)
		t->srv_close_errors++;
	else if (kind == RS_CLOSE_UNREAD && res == 0)
		t->srv_unread_empty++; /* nothing unread: that close is a FIN */
	/* the shutdown is the stormed action of its mode; the drain goes on */
	if (kind == RS_CLOSE_SHUTDOWN && i < x->s->cap &&
	    x->conns[i].state == SV_DRAIN)
		storm_step_done(x, &x->conns[i], now);
}

/* The close-direct of slot i completed. */
static void on_closed(struct sctx *x, uint32_t i, int res, uint64_t now)
{
	struct rs_server_conn *c = &x->conns[i];

	if (res < 0)
		x->s->tally->srv_close_errors++;
	storm_step_done(x, c, now);
	c->fd = -1;
	release(x, i);
}

/* A query (run --target asking for the plan): the info, then a FIN. The
 * send goes first, unlinked: on a fresh connection it completes inline at
 * submit, and a request holds its own reference to the socket, so the
 * close-direct after it cannot cut it short. */
static void answer_query(struct sctx *x, uint32_t i)
{
	struct rs_server_conn *c = &x->conns[i];
	struct rs_server *s = x->s;

	s->queries++;
	if (x->direct) {
		struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);

		io_uring_prep_send(sqe, c->fd, s->info, RS_INFO_LEN,
				   MSG_NOSIGNAL);
		sqe->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data64(sqe,
					rs_ud_make(RS_UD_SRV_AUX, AUX_QUERY, i));
		close_direct(x, i, NULL);
		return;
	}
	if (send(c->fd, s->info, RS_INFO_LEN, MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    RS_INFO_LEN)
		s->query_errors++;
	release(x, i);
}

/*
 * --closer client: the server is the victim. After the hello it polls for
 * the client's close (POLLRDHUP; POLLERR/POLLHUP come unasked), then runs
 * the script's ops one after another on its socket, each counted in this
 * thread's tally as a client counts its own (issued, outcome, bytes,
 * latency), then closes. The time since the close is from the poll that
 * saw it (the seen clock of run --target): the client's slot may start
 * and close its next connection before this victim gets to its ops, so a
 * stamp per slot could not hold it. --op-gap
 * and --timeout do not apply here: an op on a socket whose peer has closed
 * completes at once.
 */
static void victim_arm(struct sctx *x, uint32_t i, uint64_t now)
{
	struct rs_server_conn *c = &x->conns[i];
	const struct rs_config *cfg = x->s->sh->cfg;
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);
	unsigned n = cfg->op_size;

	if (c->state == SV_VWAIT) {
		io_uring_prep_poll_add(sqe, c->fd, POLLRDHUP);
	} else {
		switch (cfg->script.kind[c->op]) {
		case RS_OP_SEND:
			io_uring_prep_send(sqe, c->fd, x->vpattern, n,
					   MSG_NOSIGNAL);
			break;
		case RS_OP_WRITE:
			io_uring_prep_write(sqe, c->fd, x->vpattern, n, 0);
			break;
		case RS_OP_SENDMSG:
			io_uring_prep_sendmsg(sqe, c->fd, &x->vmsg,
					      MSG_NOSIGNAL);
			break;
		case RS_OP_SEND_ZC:
			io_uring_prep_send_zc(sqe, c->fd, x->vpattern, n,
					      MSG_NOSIGNAL, 0);
			break;
		case RS_OP_READ:
			io_uring_prep_read(sqe, c->fd, x->vrbuf, n, 0);
			break;
		default:
			io_uring_prep_recv(sqe, c->fd, x->vrbuf, n, 0);
			break;
		}
		c->t_step = now;
		x->s->tally->op_issued[c->mode][c->op]++;
	}
	on_socket(x, sqe);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_SRV, c->gen, i));
}

/* The hello is in: the ack (one byte, which the client waits for before
 * it closes), then the poll for the close, in SQ order. With no ops the
 * connection still waits for the client's close. */
static void victim_start(struct sctx *x, uint32_t i, uint64_t now)
{
	struct rs_server_conn *c = &x->conns[i];
	struct io_uring_sqe *sqe = rs_ring_sqe_must(&x->ring, x->who);

	io_uring_prep_send(sqe, c->fd, &x->ack, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	on_socket(x, sqe);
	io_uring_sqe_set_data64(sqe, rs_ud_make(RS_UD_SRV_AUX, AUX_ACK, i));
	c->state = SV_VWAIT;
	victim_arm(x, i, now);
}

/* The victim's op completed with res: counted once, then the next op or
 * the close. */
static void victim_op_done(struct sctx *x, uint32_t i, int res, uint64_t now)
{
	struct rs_server_conn *c = &x->conns[i];
	struct rs_tally *t = x->s->tally;
	unsigned r = rs_result_of(res), m = c->mode, op = c->op;
	uint64_t since = c->t_step - c->t_seen;

	rs_outcome_count(&t->outcome, m, op, r);
	if (r == RS_RES_OK)
		t->op_bytes[m][op] += (uint64_t)res;
	rs_histo_record(&t->op_ns[m][op], now - c->t_step);
	/* the seen clock: a slot's next connection may close (and would
	 * stamp) before this victim gets to its ops */
	rs_histo_record(&t->since_close_ns[m][op], since);
	if (rs_result_is_error(r))
		rs_histo_record(&t->since_close_err_ns[m][op], since);
	if (++c->op < x->s->sh->cfg->script.n)
		return victim_arm(x, i, now);
	finish(x, i);
}

static void on_recv(struct sctx *x, uint32_t i, int res, uint64_t now)
{
	struct rs_server_conn *c = &x->conns[i];
	struct rs_tally *t = x->s->tally;

	if (c->state == SV_CLOSING)
		return on_closed(x, i, res, now);
	if (c->state == SV_VWAIT) {
		/* seen (or the poll failed: the ops meet what is there) */
		if (!x->s->sh->cfg->script.n)
			return finish(x, i);
		c->state = SV_VOP;
		c->op = 0;
		c->t_seen = now;
		return victim_arm(x, i, now);
	}
	if (c->state == SV_VOP)
		return victim_op_done(x, i, res, now);
	if (c->state == SV_DRAIN) {
		if (res > 0)
			arm_recv(x, i);
		else
			finish(x, i);
		return;
	}
	if (res <= 0) {
		t->srv_early_eof++;
		finish(x, i);
		return;
	}
	c->got = (uint8_t)(c->got + res);
	if (c->state == SV_HDR) {
		if (c->got < RS_HELLO_HDR)
			return arm_recv(x, i);
		if (x->s->info && rs_query_is(c->hdr))
			return answer_query(x, i);
		if (!rs_hello_decode(c->hdr, &c->id) ||
		    (uint32_t)c->id >= x->s->sh->total_slots) {
			t->srv_bad_hello++;
			finish(x, i);
			return;
		}
		c->mode = (uint8_t)rs_plan_mode(&x->s->sh->cfg->mix,
						x->s->sh->cfg->seed, c->id);
		if (c->mode == RS_CLOSE_UNREAD)
			return hello_done(x, i, now);
		c->state = SV_PAD;
	}
	if (c->got < RS_HELLO_LEN)
		return arm_recv(x, i);
	/* a client that plans with another seed or mix: counted, and closed
	 * by this server's plan all the same */
	if (rs_hello_tag(c->hdr) != x->s->sh->plan_tag)
		x->s->seed_mismatch++;
	hello_done(x, i, now);
}

/*
 * The main thread stops the servers once the clients have ended. A server
 * that closes by plan is done then; a victim (--closer client) may still
 * hold connections whose client closed moments ago, or have them in its
 * listeners' queues. It stops at the first tick with no connection open
 * and no accept since the tick before (every client connect completed
 * before stop, so its multishot accept has fired by then), or after
 * --timeout. The connections left are counted (srv_open_at_stop; their op
 * in flight in op_abandoned).
 */
static bool drained(struct sctx *x, uint64_t now)
{
	struct rs_server *s = x->s;
	uint64_t acc = s->tally->srv_accepted;

	if (s->sh->cfg->closer != RS_SIDE_CLIENT)
		return true;
	if (!x->drain_until) {
		x->drain_until = now + s->sh->cfg->timeout_ns;
		x->drain_accepted = acc;
		return false;
	}
	if ((x->nfree == s->cap && acc == x->drain_accepted) ||
	    now >= x->drain_until)
		return true;
	x->drain_accepted = acc;
	return false;
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
	if (s->sh->cfg->server_sends) {
		x->out = malloc(s->sh->cfg->server_sends);
		if (!x->out) {
			snprintf(s->errmsg, sizeof(s->errmsg),
				 "server %u: out of memory for --server-sends' %u bytes",
				 s->index, s->sh->cfg->server_sends);
			ret = -ENOMEM;
			goto err_free;
		}
		memset(x->out, 'd', s->sh->cfg->server_sends);
	}
	if (s->sh->cfg->closer == RS_SIDE_CLIENT) {
		unsigned n = s->sh->cfg->op_size;

		x->vpattern = malloc(n);
		x->vrbuf = malloc(n);
		if (!x->vpattern || !x->vrbuf) {
			snprintf(s->errmsg, sizeof(s->errmsg),
				 "server %u: out of memory for two --op-size buffers of %u bytes",
				 s->index, n);
			ret = -ENOMEM;
			goto err_free;
		}
		memset(x->vpattern, 'v', n);
		x->ack = 'a';
		x->viov.iov_base = x->vpattern;
		x->viov.iov_len = n;
		x->vmsg.msg_iov = &x->viov;
		x->vmsg.msg_iovlen = 1;
	}
	x->direct = s->sh->probe->server_direct;
	x->hold = s->sh->cfg->hold;
	x->linger0.l_onoff = 1;
	x->linger0.l_linger = 0;
	x->tick_ts.tv_nsec = (long long)RS_TICK_NS;
	snprintf(x->who, sizeof(x->who), "server %u", s->index);
	for (uint32_t i = 0; i < s->cap; i++) {
		x->conns[i].fd = -1;
		x->free_list[i] = s->cap - 1 - i;
	}
	x->nfree = s->cap;

	/* one recv per connection, one accept per listener, the tick (and
	 * with the victim's send-zc, a notification per connection) */
	cq = rs_pow2_at_least(
		(rs_script_has(&s->sh->cfg->script, RS_OP_SEND_ZC) &&
				 s->sh->cfg->closer == RS_SIDE_CLIENT ?
			 3 :
			 2) * (s->cap + s->nl) +
		16);
	ret = rs_ring_init(&x->ring, cq / 2 < 4096 ? cq / 2 : 4096, cq,
			   s->sh->probe->ring_flags);
	if (ret) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "server %u: io_uring_queue_init(cq %u) failed: %s (%s)",
			 s->index, cq, strerror(-ret), rs_errname(-ret));
		goto err_free;
	}
	if (x->direct) {
		/* room beyond the slots: a connection that finds every slot
		 * busy is accepted and counted (srv_no_slot), as with fds,
		 * rather than left in the backlog */
		uint64_t lim = s->sh->probe->nofile_cur;

		x->table = s->cap + 256 < lim ? s->cap + 256 : (uint32_t)lim;
		ret = io_uring_register_files_sparse(&x->ring, x->table);
		if (ret) {
			snprintf(s->errmsg, sizeof(s->errmsg),
				 "server %u: registering %u direct descriptors failed: %s (%s): each ring's table is capped by RLIMIT_NOFILE; use more --server-threads (and --ports) or --no-server-direct",
				 s->index, x->table, strerror(-ret),
				 rs_errname(-ret));
			rs_ring_exit(&x->ring);
			goto err_free;
		}
	}
	for (uint32_t l = 0; l < s->nl; l++)
		arm_accept(x, l);
	if (x->hold && s->storm_fd >= 0)
		arm_storm_poll(x);
	rs_ring_arm_tick(&x->ring, &x->tick_ts, x->who);

	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		bool tick = false;
		uint64_t now;

		x->queued_closes = 0;
		if (rs_ring_wait(&x->ring, x->who))
			s->tally->cq_overflow++;
		now = rs_now_ns();
		io_uring_for_each_cqe(&x->ring, head, cqe) {
			uint64_t ud = io_uring_cqe_get_data64(cqe);
			uint32_t i = rs_ud_idx(ud);

			n++;
			/* the victim's send-zc: its second CQE, no result */
			if (cqe->flags & IORING_CQE_F_NOTIF) {
				s->tally->zc_notifs++;
				continue;
			}
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
				on_recv(x, i, cqe->res, now);
				break;
			case RS_UD_SRV_AUX:
				on_aux(x, ud, cqe->res, now);
				break;
			case RS_UD_STORM:
				on_storm_poll(x, cqe->res, now);
				break;
			case RS_UD_TICK:
				tick = true;
				break;
			default:
				break;
			}
		}
		io_uring_cq_advance(&x->ring, n);
		if (x->fatal)
			break;
		if (!tick)
			continue;
		if (atomic_load_explicit(&s->stop, memory_order_relaxed) &&
		    drained(x, now))
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
	/* direct descriptors still open go with the ring */
	rs_ring_exit(&x->ring);
	for (uint32_t i = 0; i < s->cap; i++) {
		if (x->conns[i].state != SV_FREE) {
			s->tally->srv_open_at_stop++;
			/* the books: an op issued and never completed */
			if (x->conns[i].state == SV_VOP)
				s->tally->op_abandoned[x->conns[i].mode]
						      [x->conns[i].op]++;
			if (!x->direct && x->conns[i].fd >= 0)
				close(x->conns[i].fd);
		}
	}
	ret = x->fatal;
err_free:
	if (x) {
		free(x->vpattern);
		free(x->vrbuf);
		free(x->out);
		free(x->rearm);
		free(x->free_list);
		free(x->conns);
		free(x);
	}
	return ret;
}
