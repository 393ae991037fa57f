/* The client connection state machine: what each completion means and
 * what comes next. Engine-independent; one worker thread per slot range. */
#include "conn.h"

#include <errno.h>
#include <poll.h>

#include "util.h"

static unsigned phase_of(unsigned step)
{
	switch (step) {
	case RS_STEP_SOCKET:
	case RS_STEP_SOCKOPT:
	case RS_STEP_BIND:
		return RS_PH_SOCKET;
	case RS_STEP_CONNECT:
		return RS_PH_CONNECT;
	case RS_STEP_HELLO:
	case RS_STEP_ACK:
		return RS_PH_HELLO;
	case RS_STEP_WAIT:
	case RS_STEP_GAP:
	case RS_STEP_RESP:
		return RS_PH_WAIT;
	case RS_STEP_OP:
	case RS_STEP_OPGAP:
		return RS_PH_OPS;
	case RS_STEP_LINGER: /* part of the client's close by plan */
	default:
		return RS_PH_CLOSE;
	}
}

void rs_conn_begin(struct rs_client *w, uint32_t slot)
{
	const struct rs_shared *sh = w->sh;
	struct rs_conn *c = &w->conns[slot];
	uint32_t gslot = w->base + slot;
	uint64_t id;

	c->gen++;
	id = rs_conn_id(gslot, c->gen);
	c->mode = (uint8_t)rs_plan_mode(&sh->cfg->mix, sh->cfg->seed, id);
	c->step = RS_STEP_SOCKET;
	c->op = 0;
	c->flags = 0;
	c->fd = -1;
	c->t_seen = 0;
	rs_hello_encode(w->hello[slot], id, sh->plan_tag);
	w->tally->started++;
	/* --foreign: the mode is what the wait sees (counted there) */
	if (!sh->cfg->foreign)
		w->tally->mode_started[c->mode]++;
}

static void after_wait(struct rs_client *w, struct rs_conn *c)
{
	c->op = 0;
	c->step = w->sh->cfg->script.n ? RS_STEP_OP : RS_STEP_CLOSE;
}

/* --foreign: the wait saw the server's close; its poll mask says which.
 * An RST sets the socket's error (POLLERR); a FIN only ends the stream.
 * After a FIN the response is read to EOF before the ops; after an RST
 * nothing is read, which would consume the error the first op meets. */
static void foreign_seen(struct rs_client *w, struct rs_conn *c, int mask,
			 uint64_t now)
{
	c->mode = (mask & POLLERR) ? RS_CLOSE_RST : RS_CLOSE_FIN;
	w->tally->mode_started[c->mode]++;
	c->t_seen = now;
	if (c->mode == RS_CLOSE_FIN)
		c->step = RS_STEP_RESP;
	else
		after_wait(w, c);
}

void rs_conn_issue(struct rs_client *w, uint32_t slot, uint64_t now)
{
	struct rs_conn *c = &w->conns[slot];

	c->t_step = now;
	c->flags &= (uint8_t)~RS_CF_CANCELLED;
	if (c->step == RS_STEP_OP)
		w->tally->op_issued[c->mode][c->op]++;
}

/* The connection failed in its current step with result code r. */
static void fail(struct rs_client *w, struct rs_conn *c, unsigned r)
{
	w->tally->failed[phase_of(c->step)][r]++;
	c->flags |= RS_CF_FAILED;
	c->step = c->fd >= 0 ? RS_STEP_CLOSE : RS_STEP_IDLE;
}


static void record_op(struct rs_client *w, uint32_t slot, struct rs_conn *c,
		      int res, unsigned r, uint64_t now)
{
	struct rs_tally *t = w->tally;
	const struct rs_shared *sh = w->sh;
	uint64_t stamp, t_close = 0;

	rs_outcome_count(&t->outcome, c->mode, c->op, r);
	if (r == RS_RES_OK)
		t->op_bytes[c->mode][c->op] += (uint64_t)res;
	rs_histo_record(&t->op_ns[c->mode][c->op], now - c->t_step);

	/* the close: the server's stamp, or (another host, a foreign
	 * server) the completion of the wait that saw it */
	if (sh->clock == RS_CLOCK_SEEN) {
		t_close = c->t_seen;
	} else {
		stamp = atomic_load_explicit(&sh->close_stamp[w->base + slot],
					     memory_order_acquire);
		if (stamp && (stamp >> 48) == (c->gen & 0xffff))
			t_close = sh->stamp_t0 +
				  (stamp & 0xffffffffffffull) - 1;
	}
	if (t_close) {
		if (t_close <= c->t_step) {
			uint64_t since = c->t_step - t_close;

			rs_histo_record(&t->since_close_ns[c->mode][c->op],
					since);
			if (rs_result_is_error(r))
				rs_histo_record(
					&t->since_close_err_ns[c->mode][c->op],
					since);
			return;
		}
	}
	t->before_close[c->mode][c->op]++;
}

void rs_conn_complete(struct rs_client *w, uint32_t slot, int res,
		      uint64_t now)
{
	struct rs_conn *c = &w->conns[slot];
	const struct rs_config *cfg = w->sh->cfg;
	unsigned r;

	/* A request the sweep cancelled ends with -ECANCELED (or -EINTR if
	 * it had gone to io-wq): that is our timeout, not the kernel's. */
	if ((c->flags & RS_CF_CANCELLED) && (res == -ECANCELED || res == -EINTR))
		r = RS_RES_TIMEOUT;
	else
		r = rs_result_of(res);

	switch (c->step) {
	case RS_STEP_SOCKET:
		if (res < 0)
			return fail(w, c, r);
		c->fd = w->sh->probe->socket_direct ? (int32_t)slot : res;
		c->step = w->sh->srcs ? RS_STEP_SOCKOPT : RS_STEP_CONNECT;
		return;
	case RS_STEP_SOCKOPT:
		if (res < 0)
			return fail(w, c, r);
		c->step = RS_STEP_BIND;
		return;
	case RS_STEP_BIND:
		if (res < 0)
			return fail(w, c, r);
		c->step = RS_STEP_CONNECT;
		return;
	case RS_STEP_CONNECT:
		if (res < 0)
			return fail(w, c, r);
		rs_histo_record(&w->tally->connect_ns, now - c->t_step);
		c->step = RS_STEP_HELLO;
		return;
	case RS_STEP_HELLO:
		if (res < 0)
			return fail(w, c, r);
		if (res != (cfg->foreign ? (int)cfg->request_len : RS_HELLO_LEN))
			return fail(w, c, RS_RES_SHORT);
		/* --closer client: the server's ack, then the close */
		if (cfg->closer == RS_SIDE_CLIENT) {
			c->step = RS_STEP_ACK;
			return;
		}
		if (cfg->wait == RS_WAIT_CLOSE)
			c->step = RS_STEP_WAIT;
		else if (cfg->wait == RS_WAIT_GAP)
			c->step = RS_STEP_GAP;
		else
			after_wait(w, c);
		return;
	case RS_STEP_WAIT:
		if (res < 0)
			return fail(w, c, r);
		if (cfg->foreign)
			return foreign_seen(w, c, res, now);
		c->t_seen = now;
		after_wait(w, c);
		return;
	case RS_STEP_RESP:
		/* data: read on; EOF: the response is all in */
		if (res < 0)
			return fail(w, c, r);
		if (res == 0)
			after_wait(w, c);
		return;
	case RS_STEP_GAP:
		/* A timer ends with -ETIME; anything else is a failure. */
		if (res != -ETIME && res < 0)
			return fail(w, c, r);
		after_wait(w, c);
		return;
	case RS_STEP_OP:
		record_op(w, slot, c, res, r, now);
		if (++c->op < cfg->script.n) {
			if (cfg->op_gap_ns)
				c->step = RS_STEP_OPGAP;
			return;
		}
		c->step = RS_STEP_CLOSE;
		return;
	case RS_STEP_OPGAP:
		/* ops are counted even when the gap timer fails */
		c->step = RS_STEP_OP;
		return;
	case RS_STEP_ACK:
		/* the server read the hello and waits for our close (its
		 * victim is armed): close by the plan now. Waiting for it
		 * paces the clients by the server, which would otherwise
		 * fall behind with more connections than its slots. */
		if (res < 0)
			return fail(w, c, r);
		if (res != 1)
			return fail(w, c, res == 0 ? RS_RES_EOF : RS_RES_SHORT);
		c->step = c->mode == RS_CLOSE_RST ? RS_STEP_LINGER :
						    RS_STEP_CLOSE;
		return;
	case RS_STEP_LINGER:
		/* a close without SO_LINGER 0 would be a FIN counted as an
		 * RST: the connection fails instead (phase close) */
		if (res < 0)
			return fail(w, c, r);
		c->step = RS_STEP_CLOSE;
		return;
	case RS_STEP_CLOSE:
		if (res < 0)
			w->tally->close_errors++;
		c->fd = -1;
		if (!(c->flags & RS_CF_FAILED)) {
			w->tally->completed++;
			w->tally->mode_completed[c->mode]++;
		}
		c->step = RS_STEP_IDLE;
		return;
	default:
		w->tally->stray_cqes++;
		return;
	}
}

void rs_conn_abandon(struct rs_client *w, uint32_t slot)
{
	struct rs_conn *c = &w->conns[slot];

	if (c->step == RS_STEP_IDLE)
		return;
	/* RS_CF_LATE: the op at c->op has not been issued (the one before
	 * it timed out and is counted) */
	if (c->step == RS_STEP_OP && !(c->flags & RS_CF_LATE))
		w->tally->op_abandoned[c->mode][c->op]++;
	/* the close in flight may have run: its fd number is no longer ours */
	if (c->step == RS_STEP_CLOSE)
		c->fd = -1;
	/* A failed connection on its way to close is counted already. */
	if (!(c->flags & RS_CF_FAILED))
		w->tally->abandoned[phase_of(c->step)]++;
	c->step = RS_STEP_IDLE;
}

bool rs_conn_may_start(const struct rs_client *w, bool stopping, uint64_t now)
{
	const struct rs_shared *sh = w->sh;

	/* a guest (check's trials) that has finished ends the load */
	if (w->guest && w->guest->done)
		return false;
	if (stopping || atomic_load_explicit(&sh->stop, memory_order_relaxed))
		return false;
	if (sh->deadline && now >= sh->deadline)
		return false;
	return w->tally->started < w->budget;
}

bool rs_conn_rate_ok(const struct rs_client *w, uint64_t now)
{
	const struct rs_shared *sh = w->sh;
	unsigned __int128 allowed;

	if (!sh->rate)
		return true;
	/* this worker's share of the rate (by its slots) since t0, plus
	 * one: over all workers at most rate x elapsed + threads */
	allowed = (unsigned __int128)(now > sh->t0 ? now - sh->t0 : 0) *
		  sh->rate * w->nslots /
		  ((unsigned __int128)sh->total_slots * 1000000000u);
	return w->tally->started < allowed + 1;
}

void rs_conn_publish(struct rs_client *w)
{
	struct rs_tally *t = w->tally;
	uint64_t ops = 0;

	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		for (unsigned i = 0; i < RS_MAX_OPS; i++)
			ops += t->op_issued[m][i];
	atomic_store_explicit(&w->pub_started, t->started,
			      memory_order_relaxed);
	atomic_store_explicit(&w->pub_completed, t->completed,
			      memory_order_relaxed);
	atomic_store_explicit(&w->pub_failed, rs_tally_failed_total(t),
			      memory_order_relaxed);
	atomic_store_explicit(&w->pub_ops, ops, memory_order_relaxed);
}
