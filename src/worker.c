/* The client worker loop, written once over a transport: start slots, time
 * out steps at --timeout, the --hold rule, abandon on the second signal,
 * publish progress, call the guest's hooks. */
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "conn.h"
#include "interval.h"
#include "ring.h"
#include "util.h"

/* Steps that no timeout applies to: timers run their own length, and a
 * close is local. */
static bool untimed(unsigned step)
{
	return step == RS_STEP_IDLE || step == RS_STEP_GAP ||
	       step == RS_STEP_OPGAP || step == RS_STEP_CLOSE;
}

static bool busy(const struct rs_conn *c)
{
	return c->step != RS_STEP_IDLE || (c->flags & RS_CF_LATE);
}

static void account(struct rs_worker *wk, bool was, const struct rs_conn *c)
{
	bool now = busy(c);

	if (now && !was)
		wk->inflight++;
	else if (!now && was)
		wk->inflight--;
}

static void unlink_slot(struct rs_worker *wk, uint32_t s)
{
	struct rs_conn *c = &wk->cl->conns[s];

	if (c->flags & RS_CF_HELD) {
		c->flags &= (uint8_t)~RS_CF_HELD;
		wk->nheld--;
	}
	if (!(c->flags & RS_CF_LINKED))
		return;
	c->flags &= (uint8_t)~RS_CF_LINKED;
	if (wk->prev[s] == RS_NO_SLOT)
		wk->head = wk->next[s];
	else
		wk->next[wk->prev[s]] = wk->next[s];
	if (wk->next[s] == RS_NO_SLOT)
		wk->tail = wk->prev[s];
	else
		wk->prev[wk->next[s]] = wk->prev[s];
}

/* The slot's step was issued now: put it where its timeout will find it.
 * Issue times never go back, so appending keeps the list sorted. */
static void arm_timeout(struct rs_worker *wk, uint32_t s)
{
	struct rs_conn *c = &wk->cl->conns[s];

	if (untimed(c->step))
		return;
	/* --hold: a connection waits for the storm as long as it takes */
	if (c->step == RS_STEP_WAIT && wk->cl->sh->cfg->hold) {
		c->flags |= RS_CF_HELD;
		wk->nheld++;
		return;
	}
	c->flags |= RS_CF_LINKED;
	wk->prev[s] = wk->tail;
	wk->next[s] = RS_NO_SLOT;
	if (wk->tail == RS_NO_SLOT)
		wk->head = s;
	else
		wk->next[wk->tail] = s;
	wk->tail = s;
}

static uint64_t storm_ns(const struct rs_worker *wk)
{
	return atomic_load_explicit(&wk->cl->sh->storm_ns,
				    memory_order_relaxed);
}

/* A held wait's timeout runs from the storm, and from the last close the
 * storm brought to this worker or any other: a storm that keeps closing
 * connections is still under way, however long it takes (at 1 000 000 a
 * worker's own closes came more than --timeout apart: 6080 expired). */
static uint64_t held_due(const struct rs_worker *wk, const struct rs_conn *c)
{
	uint64_t from = storm_ns(wk);

	if (!from)
		return UINT64_MAX;
	uint64_t seen = atomic_load_explicit(&wk->cl->sh->storm_seen_ns,
					     memory_order_relaxed);

	if (wk->last_wait_done > from)
		from = wk->last_wait_done;
	if (seen > from)
		from = seen;
	if (c->t_step > from)
		from = c->t_step;
	return from + wk->timeout_ns;
}

uint64_t rs_worker_due(const struct rs_worker *wk, uint32_t slot)
{
	const struct rs_conn *c = &wk->cl->conns[slot];

	if (c->flags & RS_CF_HELD)
		return held_due(wk, c);
	if (c->flags & RS_CF_LINKED)
		return c->t_step + wk->timeout_ns;
	return UINT64_MAX;
}

static bool may_start(const struct rs_worker *wk, uint64_t now)
{
	return rs_conn_may_start(wk->cl, wk->stopping, now);
}

/*
 * --hold: connections being set up (busy, not yet held) at once, all
 * client threads. Every slot starts at the beginning; with 1 000 000 slots
 * the kernel sets them up at ~25k/s here, so issued all at once the last
 * connects would wait 40 s and run out their --timeout before their turn
 * (827 223 of 1 000 000 did at --timeout 20s). A window keeps each step's
 * wait near its own cost: 16384 at 25k/s is under a second.
 */
#define RS_HOLD_WINDOW 16384u

static bool window_ok(const struct rs_worker *wk)
{
	/* 64-bit: no wrap with no window (UINT32_MAX), and none while a
	 * slot started in this call is held before it is counted busy */
	return (uint64_t)wk->inflight < (uint64_t)wk->hold_window + wk->nheld;
}

static uint64_t start_slot(struct rs_worker *wk, uint32_t s, uint64_t now);

/* Read the clock again (transports with clock_per_step). A read taken just
 * before a step's syscall stamps its issue, one just after it stamps its
 * end: the time between those two is the syscall itself (the op's
 * latency), not an uncertainty, and is not recorded (record false). The
 * time from any other read to the next is: every stamp of that read was
 * taken at most that long before what it stamps, one window of pass_ns.
 * Returns the new now. */
static uint64_t restamp(struct rs_worker *wk, bool record)
{
	uint64_t t = wk->t->now(wk);

	if (wk->stamped && record)
		rs_histo_record(&wk->cl->tally->pass_ns,
				t > wk->stamp ? t - wk->stamp : 0);
	wk->stamp = t;
	wk->stamped = true;
	return t;
}

/* Start idle slots from the cursor while the window has room (a slot held,
 * failed or timed out made some). Returns now, read again if it was. */
static uint64_t hold_fill(struct rs_worker *wk, uint64_t now)
{
	while (wk->hold_cursor < wk->cl->nslots && window_ok(wk))
		now = start_slot(wk, wk->hold_cursor++, now);
	return now;
}

/* Carry the slot from its current state: feed the transport's results to
 * the state machine until a step has to wait, starting a new connection
 * when the run allows. At most one connection starts per call: one that
 * fails at once (socket(2) with the fd table full) waits idle for the next
 * tick instead of spinning. Returns now: with clock_per_step, read again
 * before each step is issued and after each that completed in issue. */
static uint64_t advance(struct rs_worker *wk, uint32_t s, uint64_t now)
{
	struct rs_client *cl = wk->cl;
	struct rs_conn *c = &cl->conns[s];
	bool begun = false;
	int res;

	for (;;) {
		if (c->step == RS_STEP_IDLE) {
			if (begun || !may_start(wk, now) ||
			    !rs_conn_rate_ok(cl, now) || !window_ok(wk))
				return now;
			begun = true;
			rs_conn_begin(cl, s);
		}
		if (wk->t->clock_per_step)
			now = restamp(wk, true); /* just before the syscall */
		rs_conn_issue(cl, s, now);
		if (!wk->t->issue(wk, s, now, &res)) {
			arm_timeout(wk, s);
			return now;
		}
		if (wk->t->clock_per_step)
			now = restamp(wk, false); /* just after it */
		rs_conn_complete(cl, s, res, now);
	}
}

static uint64_t start_slot(struct rs_worker *wk, uint32_t s, uint64_t now)
{
	struct rs_conn *c = &wk->cl->conns[s];
	bool was = busy(c);

	if (c->step != RS_STEP_IDLE || (c->flags & RS_CF_LATE))
		return now;
	now = advance(wk, s, now);
	account(wk, was, c);
	return now;
}

static void on_done(struct rs_worker *wk, uint64_t ud, int res, uint64_t now)
{
	struct rs_client *cl = wk->cl;
	uint32_t s = rs_ud_idx(ud);
	struct rs_conn *c;
	bool was;

	if (rs_ud_tag(ud) == RS_UD_GUEST) {
		if (cl->guest)
			cl->guest->cqe(cl->guest, ud, res, now);
		return;
	}
	if (rs_ud_tag(ud) != RS_UD_CONN || s >= cl->nslots ||
	    !busy(&cl->conns[s]) ||
	    rs_ud_gen(ud) != (cl->conns[s].gen & 0xffffff)) {
		cl->tally->stray_cqes++;
		return;
	}
	if (wk->t->clock_per_step)
		now = restamp(wk, false); /* just after reap's syscall */
	c = &cl->conns[s];
	was = busy(c);
	unlink_slot(wk, s);
	if (c->flags & RS_CF_LATE) {
		/* the request the timeout counted already has ended */
		c->flags &= (uint8_t)~RS_CF_LATE;
	} else {
		if (c->step == RS_STEP_WAIT) {
			wk->last_wait_done = now;
			if (storm_ns(wk) &&
			    now > atomic_load_explicit(&cl->sh->storm_seen_ns,
						       memory_order_relaxed))
				atomic_store_explicit(&cl->sh->storm_seen_ns,
						      now,
						      memory_order_relaxed);
		}
		rs_conn_complete(cl, s, res, now);
	}
	now = advance(wk, s, now);
	account(wk, was, c);
	if (wk->hold_window != UINT32_MAX)
		hold_fill(wk, now);
}

/* The slot's request has run --timeout: count it as timed out now (the
 * state machine sees -ECANCELED on a cancelled request) and ask the
 * transport to stop it. */
static void expire(struct rs_worker *wk, uint32_t s, uint64_t now)
{
	struct rs_client *cl = wk->cl;
	struct rs_conn *c = &cl->conns[s];
	bool was = busy(c);

	unlink_slot(wk, s);
	c->flags |= RS_CF_CANCELLED;
	if (wk->t->cancel(wk, s))
		c->flags |= RS_CF_LATE;
	rs_conn_complete(cl, s, -ECANCELED, now);
	if (!(c->flags & RS_CF_LATE))
		now = advance(wk, s, now);
	account(wk, was, c);
	if (wk->hold_window != UINT32_MAX)
		hold_fill(wk, now);
}

/* Expire what is due at now; returns the next deadline. */
static uint64_t sweep(struct rs_worker *wk, uint64_t now)
{
	struct rs_client *cl = wk->cl;
	uint64_t next = UINT64_MAX;

	while (wk->head != RS_NO_SLOT &&
	       cl->conns[wk->head].t_step + wk->timeout_ns <= now)
		expire(wk, wk->head, now);
	if (wk->head != RS_NO_SLOT)
		next = cl->conns[wk->head].t_step + wk->timeout_ns;
	if (wk->nheld && storm_ns(wk)) {
		if (!wk->held_next)
			wk->held_next = storm_ns(wk) + wk->timeout_ns;
		if (wk->held_next <= now) {
			uint64_t hn = UINT64_MAX;

			for (uint32_t s = 0; s < cl->nslots && wk->nheld; s++) {
				struct rs_conn *c = &cl->conns[s];
				uint64_t due;

				if (!(c->flags & RS_CF_HELD))
					continue;
				due = held_due(wk, c);
				if (due <= now)
					expire(wk, s, now);
				else if (due < hn)
					hn = due;
			}
			wk->held_next = hn;
		}
		if (wk->nheld && wk->held_next < next)
			next = wk->held_next;
	}
	return next;
}

/* A pass ends here: every timestamp taken since the last clock read was
 * that read, and the SQEs the pass prepared go to the kernel at the wait
 * that follows. The time since that read bounds how far its stamps are
 * from the moment the work they stamp reached the kernel: the whole pass
 * on io_uring, the last step on a transport with clock_per_step (whose
 * earlier windows restamp recorded). */
static void end_pass(struct rs_worker *wk)
{
	uint64_t end = wk->t->now(wk);

	rs_histo_record(&wk->cl->tally->pass_ns,
			end > wk->stamp ? end - wk->stamp : 0);
	wk->stamped = false;
}

static bool guest_active(const struct rs_worker *wk)
{
	return wk->cl->guest && !wk->cl->guest->done;
}

static bool finished(const struct rs_worker *wk, uint64_t now)
{
	return wk->inflight == 0 && !guest_active(wk) && !may_start(wk, now);
}

static int worker_setup(struct rs_worker *wk, struct rs_client *cl,
			const struct rs_transport *t)
{
	wk->cl = cl;
	wk->t = t;
	wk->head = wk->tail = RS_NO_SLOT;
	wk->timeout_ns = cl->sh->cfg->timeout_ns;
	wk->tick_ns = RS_TICK_NS;
	wk->hold_window = UINT32_MAX;
	if (cl->sh->cfg->hold) {
		uint32_t n = cl->sh->cfg->threads ? cl->sh->cfg->threads : 1;

		wk->hold_window = RS_HOLD_WINDOW / n > 64 ?
					  RS_HOLD_WINDOW / n : 64;
	}
	snprintf(wk->who, sizeof(wk->who), "client %u", cl->index);
	if (cl->guest && !t->ring) {
		snprintf(cl->errmsg, sizeof(cl->errmsg),
			 "%s: the %s engine cannot carry check's trials (they ride on an io_uring ring): %s",
			 wk->who, t->name, "use --engine io_uring");
		return -EOPNOTSUPP;
	}
	wk->prev = calloc(cl->nslots ? cl->nslots : 1, sizeof(uint32_t));
	wk->next = calloc(cl->nslots ? cl->nslots : 1, sizeof(uint32_t));
	if (!wk->prev || !wk->next) {
		snprintf(cl->errmsg, sizeof(cl->errmsg),
			 "%s: out of memory for %u slots: lower -c", wk->who,
			 cl->nslots);
		return -ENOMEM;
	}
	return 0;
}

int rs_worker_run(struct rs_client *cl, const struct rs_transport *t)
{
	const struct rs_shared *sh = cl->sh;
	struct rs_worker *wk;
	uint64_t now, next_tick;
	int ret, err = 0;

	wk = calloc(1, sizeof(*wk));
	if (!wk) {
		snprintf(cl->errmsg, sizeof(cl->errmsg),
			 "client %u: out of memory for its worker", cl->index);
		return -ENOMEM;
	}
	ret = worker_setup(wk, cl, t);
	if (ret)
		goto out_free;
	ret = t->open(wk);
	if (ret)
		goto out_free;

	now = t->now(wk);
	wk->stamp = now;
	wk->stamped = true;
	next_tick = now + wk->tick_ns;
	for (uint32_t s = 0; s < cl->nslots; s++)
		now = start_slot(wk, s, now);
	if (cl->guest) {
		ret = cl->guest->start(cl->guest, t->ring(wk), now);
		if (ret) {
			snprintf(cl->errmsg, sizeof(cl->errmsg), "%s",
				 cl->guest->errmsg);
			err = ret;
			atomic_store(&cl->sh->abort_run, 1);
			cl->guest->done = true;
		}
	}

	for (;;) {
		uint64_t due;

		due = sweep(wk, now);
		if (finished(wk, now))
			break;
		if (next_tick < due)
			due = next_tick;
		end_pass(wk);
		if (due > now)
			t->wait(wk, due);
		now = t->reap(wk, on_done);
		/* reap's read stamps the pass, unless its completions read
		 * the clock again (clock_per_step): then the last read does */
		if (wk->stamped)
			now = wk->stamp;
		wk->stamp = now;
		wk->stamped = true;
		if (finished(wk, now))
			break;
		if (now < next_tick)
			continue;

		next_tick = now + wk->tick_ns;
		rs_conn_publish(cl);
		if (cl->iv)
			rs_ivw_tick(cl->iv, cl->tally, now);
		if (guest_active(wk) && cl->guest->stop &&
		    atomic_load_explicit(&sh->stop, memory_order_relaxed))
			cl->guest->stop(cl->guest);
		if (guest_active(wk))
			cl->guest->tick(cl->guest, now);
		if (cl->guest && cl->guest->done)
			atomic_store_explicit(&cl->sh->stop, 1,
					      memory_order_relaxed);
		if (atomic_load_explicit(&sh->abort_run,
					 memory_order_relaxed)) {
			for (uint32_t s = 0; s < cl->nslots; s++) {
				unlink_slot(wk, s);
				rs_conn_abandon(cl, s);
				cl->conns[s].flags &= (uint8_t)~RS_CF_LATE;
			}
			wk->inflight = 0;
			if (cl->guest)
				cl->guest->done = true;
			break;
		}
		if (!wk->stopping && !rs_conn_may_start(cl, false, now))
			wk->stopping = true;
		/* Only idle slots can start, and only while the run starts
		 * connections: a walk of every slot at every tick cost more
		 * per connection the higher -c went (bench/flat-perf.sh) */
		if (wk->inflight < cl->nslots && may_start(wk, now))
			for (uint32_t s = 0; s < cl->nslots; s++)
				now = start_slot(wk, s, now);
	}

	rs_conn_publish(cl);
	t->close(wk);
	ret = err;
out_free:
	free(wk->prev);
	free(wk->next);
	free(wk);
	return ret;
}
