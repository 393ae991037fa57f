/* Unit tests for the client worker (src/worker.c) driven through a fake
 * transport (scripted completions on a fake clock, no sockets): every
 * step, timeouts at T, cancel, abandon, --hold, --op-gap; and its real
 * plumbing: the SQE getter on an SQPOLL ring (src/ring.h), a guest's start
 * error; and both real transports on a loopback socket: a request that
 * outlives --timeout ends, and --op-gap's timer waits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "conn.h"
#include "probe.h"
#include "util.h"
#include "ring.h"
#include "worker.h"

/* On an SQPOLL ring a full SQ empties only when the kernel's thread runs:
 * the getter must wait for it, not hand back NULL ("ring is stuck"). */
static void test_sqe_waits_on_sqpoll_ring(void **state)
{
	struct io_uring ring;
	struct io_uring_params p;
	struct io_uring_cqe *cqe;
	unsigned n = 0;
	int ret;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | IORING_SETUP_CQSIZE;
	p.cq_entries = 512;
	p.sq_thread_idle = 1000;
	ret = io_uring_queue_init_params(2, &ring, &p);
	if (ret == -EPERM || ret == -EINVAL || ret == -ENOSYS ||
	    ret == -ENOMEM) {
		print_message("skip: no SQPOLL ring here: %s\n",
			      strerror(-ret));
		skip();
	}
	assert_int_equal(ret, 0);
	for (unsigned i = 0; i < 300; i++) {
		struct io_uring_sqe *sqe = rs_ring_sqe(&ring);

		if (!sqe)
			fail_msg("no SQE for NOP %u of 300 on a 2-entry SQPOLL ring",
				 i);
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, i);
	}
	io_uring_submit(&ring);
	while (n < 300) {
		ret = io_uring_wait_cqe(&ring, &cqe);
		assert_int_equal(ret, 0);
		assert_int_equal(cqe->res, 0);
		io_uring_cqe_seen(&ring, cqe);
		n++;
	}
	io_uring_queue_exit(&ring);
}


/* ---- the fake transport ------------------------------------------------ */

#define NSLOTS 80 /* the --hold window test needs more than 64 */
#define NEVER UINT64_MAX
#define MS 1000000ull
#define T_NS (1000 * MS) /* --timeout in these tests */
#define MAXLOG 4096

struct fake_ev {
	char kind;      /* 'I' issue, 'C' cancel, 'W' wait (at = deadline) */
	uint8_t step;
	uint32_t slot;
	uint64_t at;
};

static struct fake {
	uint64_t clock;
	uint64_t lat[RS_STEP_BIND + 1]; /* per step; 0: completes at once */
	int res[RS_STEP_BIND + 1];
	bool cancel_late;               /* a cancelled request still ends */
	uint64_t storm_at, abort_at;    /* 0: never */
	uint64_t seen_at;               /* another worker sees a storm
					 * close then (0: never) */
	struct {
		bool on;
		uint64_t due;
		int res;
		uint32_t gen;
	} pend[NSLOTS];
	uint64_t wait_at[NSLOTS];       /* a WAIT on slot s ends then */
	bool stale, stale_done;         /* hand back one completion of an
					 * earlier generation (once) */
	uint64_t read_ns;               /* each clock read advances the
					 * clock this much (a syscall's time) */
	struct fake_ev log[MAXLOG];
	unsigned nlog;
	unsigned waits;
	struct rs_shared *sh;
} F;

static void logev(char kind, uint8_t step, uint32_t slot, uint64_t at)
{
	if (F.nlog < MAXLOG)
		F.log[F.nlog++] = (struct fake_ev){ kind, step, slot, at };
}

static int f_open(struct rs_worker *wk)
{
	(void)wk;
	return 0;
}

static void f_close(struct rs_worker *wk)
{
	(void)wk;
}

static uint64_t f_now(struct rs_worker *wk)
{
	(void)wk;
	F.clock += F.read_ns;
	return F.clock;
}

static bool f_issue(struct rs_worker *wk, uint32_t slot, uint64_t now,
		    int *res)
{
	const struct rs_conn *c = &wk->cl->conns[slot];
	const struct rs_config *cfg = wk->cl->sh->cfg;
	uint64_t lat = F.lat[c->step];
	int r = F.res[c->step];

	logev('I', c->step, slot, now);
	assert_false(F.pend[slot].on); /* one request per slot */
	if (c->step == RS_STEP_GAP || c->step == RS_STEP_OPGAP) {
		lat = c->step == RS_STEP_GAP ? cfg->gap_ns : cfg->op_gap_ns;
		r = -ETIME;
	} else if (lat == 0) {
		*res = r;
		return true;
	}
	F.pend[slot].on = true;
	F.pend[slot].due = lat == NEVER ? NEVER : now + lat;
	if (c->step == RS_STEP_WAIT && F.wait_at[slot])
		F.pend[slot].due = F.wait_at[slot];
	F.pend[slot].res = r;
	F.pend[slot].gen = c->gen;
	return false;
}

static bool late_never; /* cancel owes a completion that never comes */

static bool f_cancel(struct rs_worker *wk, uint32_t slot)
{
	(void)wk;
	logev('C', wk->cl->conns[slot].step, slot, F.clock);
	if (!F.pend[slot].on)
		return false;
	if (late_never)
		return true;
	if (!F.cancel_late) {
		F.pend[slot].on = false;
		return false;
	}
	F.pend[slot].due = F.clock;
	F.pend[slot].res = -ECANCELED;
	return true;
}

static void f_events(void)
{
	if (F.storm_at && F.clock >= F.storm_at &&
	    !atomic_load(&F.sh->storm_ns))
		atomic_store(&F.sh->storm_ns, F.storm_at);
	if (F.abort_at && F.clock >= F.abort_at)
		atomic_store(&F.sh->abort_run, 1);
	if (F.seen_at && F.clock >= F.seen_at &&
	    atomic_load(&F.sh->storm_seen_ns) < F.seen_at)
		atomic_store(&F.sh->storm_seen_ns, F.seen_at);
}

/* Sleep until the deadline or the first completion due: the fake clock
 * jumps there. */
static void f_wait(struct rs_worker *wk, uint64_t deadline)
{
	uint64_t next = deadline;

	(void)wk;
	logev('W', 0, 0, deadline);
	assert_true(++F.waits < 100000); /* the loop must not spin */
	for (unsigned s = 0; s < NSLOTS; s++)
		if (F.pend[s].on && F.pend[s].due < next)
			next = F.pend[s].due;
	if (F.storm_at && F.storm_at > F.clock && F.storm_at < next)
		next = F.storm_at;
	if (F.abort_at && F.abort_at > F.clock && F.abort_at < next)
		next = F.abort_at;
	if (F.seen_at && F.seen_at > F.clock && F.seen_at < next)
		next = F.seen_at;
	assert_true(next != NEVER);
	if (next > F.clock)
		F.clock = next;
	f_events();
}

static uint64_t f_reap(struct rs_worker *wk, rs_done_fn done)
{
	/* a late CQE of the slot's previous connection, while the current
	 * one waits for its close */
	for (unsigned s = 0; F.stale && !F.stale_done && s < NSLOTS; s++)
		if (F.pend[s].on && F.pend[s].gen >= 2 &&
		    wk->cl->conns[s].step == RS_STEP_WAIT) {
			F.stale_done = true;
			done(wk, rs_ud_make(RS_UD_CONN, F.pend[s].gen - 1, s),
			     1, F.clock);
		}
	for (unsigned s = 0; s < NSLOTS; s++) {
		if (!F.pend[s].on || F.pend[s].due > F.clock)
			continue;
		F.pend[s].on = false;
		done(wk, rs_ud_make(RS_UD_CONN, F.pend[s].gen, s),
		     F.pend[s].res, F.clock);
	}
	return F.clock;
}

static const struct rs_transport fake_transport = {
	.name = "fake",
	.open = f_open,
	.close = f_close,
	.now = f_now,
	.issue = f_issue,
	.cancel = f_cancel,
	.wait = f_wait,
	.reap = f_reap,
	.ring = NULL,
};

/* The same, with steps that run inside issue and reap (as the epoll
 * engine's syscalls) when per_step: the worker reads the clock per step. */
static const struct rs_transport *fake_clocked(bool per_step)
{
	static struct rs_transport t;

	t = fake_transport;
	t.clock_per_step = per_step;
	return &t;
}

/* One worker on the fake: nslots slots, budget connections. */
static struct run {
	struct rs_config cfg;
	struct rs_probe probe;
	struct rs_shared sh;
	struct rs_client cl;
	struct rs_tally *tally;
	struct rs_conn conns[NSLOTS];
	uint8_t hello[NSLOTS][32];
	_Atomic uint64_t stamps[NSLOTS];
} R;

static void setup_run(uint32_t nslots, uint64_t budget, const char *script)
{
	char err[128];

	memset(&F, 0, sizeof(F));
	free(R.tally);
	memset(&R, 0, sizeof(R));
	F.clock = 1000 * MS;
	F.sh = &R.sh;
	/* every step takes 1 ms and succeeds: the socket at once */
	for (unsigned i = 0; i <= RS_STEP_BIND; i++)
		F.lat[i] = MS;
	F.lat[RS_STEP_SOCKET] = 0;
	F.res[RS_STEP_SOCKET] = 7;
	F.res[RS_STEP_HELLO] = RS_HELLO_LEN;
	F.res[RS_STEP_WAIT] = 1;
	F.res[RS_STEP_OP] = 1;
	F.cancel_late = true;
	assert_int_equal(rs_mix_parse("fin=1", &R.cfg.mix, err, sizeof(err)),
			 0);
	assert_int_equal(rs_script_parse(script, &R.cfg.script, err,
					 sizeof(err)),
			 0);
	R.cfg.wait = RS_WAIT_CLOSE;
	R.cfg.op_size = 1;
	R.cfg.timeout_ns = T_NS;
	R.sh.cfg = &R.cfg;
	R.sh.probe = &R.probe;
	R.sh.close_stamp = R.stamps;
	R.sh.total_slots = nslots;
	R.cl.sh = &R.sh;
	R.cl.nslots = nslots;
	R.cl.budget = budget;
	R.cl.conns = R.conns;
	R.cl.hello = R.hello;
	R.tally = rs_tally_new();
	assert_non_null(R.tally);
	R.cl.tally = R.tally;
	for (unsigned s = 0; s < NSLOTS; s++)
		R.conns[s].fd = -1;
}

static void run_fake(void)
{
	char why[256];

	assert_int_equal(rs_worker_run(&R.cl, &fake_transport), 0);
	if (!rs_tally_balanced(R.tally, R.cfg.script.n, why, sizeof(why)))
		fail_msg("books: %s", why);
	for (unsigned s = 0; s < NSLOTS; s++)
		assert_false(F.pend[s].on); /* nothing left behind */
}

/* A run that ends by the second signal: requests stay in flight. */
static void run_fake_abort(void)
{
	char why[256];

	assert_int_equal(rs_worker_run(&R.cl, &fake_transport), 0);
	if (!rs_tally_balanced(R.tally, R.cfg.script.n, why, sizeof(why)))
		fail_msg("books: %s", why);
	for (unsigned s = 0; s < NSLOTS; s++)
		assert_int_equal(R.conns[s].step, RS_STEP_IDLE);
}

/* As run_fake_abort, with cancelled requests whose end never comes. */
static void run_fake_abort_late(void)
{
	F.cancel_late = false;
	F.res[RS_STEP_OP] = 1;
	late_never = true;
	run_fake_abort();
	late_never = false;
}

/* The n-th logged event of kind (0-based), or NULL. */
static const struct fake_ev *nth(char kind, unsigned n)
{
	for (unsigned i = 0; i < F.nlog; i++)
		if (F.log[i].kind == kind && n-- == 0)
			return &F.log[i];
	return NULL;
}

static unsigned count(char kind, int step)
{
	unsigned n = 0;

	for (unsigned i = 0; i < F.nlog; i++)
		if (F.log[i].kind == kind &&
		    (step < 0 || F.log[i].step == step))
			n++;
	return n;
}

/* Every step in order, once, for each connection; all completed. */
static void test_steps_in_order(void **state)
{
	static const uint8_t want[] = { RS_STEP_SOCKET, RS_STEP_CONNECT,
					RS_STEP_HELLO,  RS_STEP_WAIT,
					RS_STEP_OP,     RS_STEP_OP,
					RS_STEP_CLOSE };

	(void)state;
	setup_run(1, 2, "send,recv");
	run_fake();
	assert_int_equal(R.tally->started, 2);
	assert_int_equal(R.tally->completed, 2);
	assert_int_equal(count('I', -1), 2 * sizeof(want));
	for (unsigned i = 0; i < 2 * sizeof(want); i++)
		assert_int_equal(nth('I', i)->step, want[i % sizeof(want)]);
	assert_int_equal(R.tally->op_issued[RS_CLOSE_FIN][0], 2);
	assert_int_equal(R.tally->op_issued[RS_CLOSE_FIN][1], 2);
	assert_int_equal(rs_outcome_total(&R.tally->outcome, RS_CLOSE_FIN, 1),
			 2);
	assert_int_equal(count('C', -1), 0);
}

/* clock_per_step: a connection whose steps all complete inside issue gets a
 * clock read just before each step's syscall and one just after, so each
 * step's stamp is the one before it plus two reads (read_ns each here).
 * pass_ns records the windows from an end to the next issue (the
 * bookkeeping: one read_ns each), not the syscalls between an issue and its
 * end. The per-pass transport stamps them all with one read and records
 * no window (the run ends inside its first pass). */
static void test_clock_per_step_inline(void **state)
{
	(void)state;
	for (int per_step = 0; per_step <= 1; per_step++) {
		setup_run(1, 1, "send,recv");
		for (unsigned i = 0; i <= RS_STEP_BIND; i++)
			F.lat[i] = 0;
		F.read_ns = 1000;
		assert_int_equal(rs_worker_run(&R.cl, fake_clocked(per_step)), 0);
		assert_int_equal(R.tally->completed, 1);
		assert_int_equal(count('I', -1), 7);
		for (unsigned i = 1; i < 7; i++)
			assert_int_equal(nth('I', i)->at - nth('I', i - 1)->at,
					 per_step ? 2000 : 0);
		assert_int_equal(R.tally->pass_ns.count, per_step ? 7 : 0);
		if (per_step) {
			assert_int_equal(R.tally->pass_ns.min, 1000);
			assert_int_equal(R.tally->pass_ns.max, 1000);
		}
	}
}

/* clock_per_step: a completion handed back by reap is stamped by a read
 * of its own, after the syscall that ended it, not by reap's; the next
 * step it issues by another, just before its syscall. The per-pass
 * transport stamps both with reap's. */
static void test_clock_per_step_reaped(void **state)
{
	(void)state;
	for (int per_step = 0; per_step <= 1; per_step++) {
		const struct fake_ev *conn, *hello;
		char why[256];

		setup_run(1, 1, "send");
		F.read_ns = 1000;
		assert_int_equal(rs_worker_run(&R.cl, fake_clocked(per_step)), 0);
		if (!rs_tally_balanced(R.tally, R.cfg.script.n, why,
				       sizeof(why)))
			fail_msg("books: %s", why);
		conn = nth('I', 1);
		hello = nth('I', 2);
		assert_int_equal(conn->step, RS_STEP_CONNECT);
		assert_int_equal(hello->step, RS_STEP_HELLO);
		/* the wait jumps the clock to the connect's end, its issue +
		 * 1 ms; the end's read and the issue's add a read_ns each */
		assert_int_equal(hello->at - conn->at, per_step ? MS + 2000 : MS);
		/* per step, the windows: one before each of the 6 issues but
		 * the first, whose read was the run's start; the ends are not
		 * recorded. Per pass: one per pass's end (a wait each) */
		if (per_step)
			assert_int_equal(R.tally->pass_ns.max, 1000);
	}
}

/* A completion of the slot's previous connection (its generation is not
 * the current one) is a stray: counted, and the current connection goes
 * on as if it had not come. */
static void test_stale_generation_is_stray(void **state)
{
	(void)state;
	setup_run(1, 2, "send");
	F.stale = true;
	run_fake();
	assert_true(F.stale_done);
	assert_int_equal(R.tally->stray_cqes, 1);
	assert_int_equal(R.tally->started, 2);
	assert_int_equal(R.tally->completed, 2);
	assert_int_equal(count('I', RS_STEP_OP), 2);
	assert_int_equal(count('I', -1), 2 * 6);
}

/* A request that never ends times out at exactly T: the wait sleeps until
 * then (not a tick later), the cancel goes out, the connection is counted
 * failed with RS_RES_TIMEOUT in its phase, and its socket is closed. */
static void test_timeout_fires_at_T(void **state)
{
	const struct fake_ev *i, *c;

	(void)state;
	setup_run(1, 1, "send");
	F.lat[RS_STEP_CONNECT] = NEVER;
	run_fake();
	i = nth('I', 1);
	c = nth('C', 0);
	assert_non_null(i);
	assert_non_null(c);
	assert_int_equal(i->step, RS_STEP_CONNECT);
	assert_int_equal(c->step, RS_STEP_CONNECT);
	assert_int_equal(c->at - i->at, T_NS);
	assert_int_equal(R.tally->failed[RS_PH_CONNECT][RS_RES_TIMEOUT], 1);
	assert_int_equal(rs_tally_failed_total(R.tally), 1);
	assert_int_equal(R.tally->completed, 0);
	/* the close follows the cancelled connect's own completion */
	assert_int_equal(nth('I', 2)->step, RS_STEP_CLOSE);
	assert_int_equal(count('I', -1), 3);
}

/* A cancelled request whose result comes anyway (the cancel lost the race)
 * is not counted again: the timeout stands. */
static void test_late_result_not_counted(void **state)
{
	(void)state;
	setup_run(1, 1, "send");
	F.lat[RS_STEP_OP] = NEVER;
	F.cancel_late = false; /* no completion at all after the cancel */
	run_fake();
	assert_int_equal(R.tally->outcome.n[RS_CLOSE_FIN][0][RS_RES_TIMEOUT],
			 1);
	assert_int_equal(rs_outcome_total(&R.tally->outcome, RS_CLOSE_FIN, 0),
			 1);
	/* an op that timed out does not fail the connection */
	assert_int_equal(R.tally->completed, 1);
	assert_int_equal(nth('C', 0)->at - nth('I', 4)->at, T_NS);
}

/* --hold: a wait for the storm never times out before the storm, and then
 * only T after the storm's last close. */
static void test_hold_waits_for_storm(void **state)
{
	const struct fake_ev *c;

	(void)state;
	setup_run(2, 2, "send");
	R.cfg.hold = true;
	F.lat[RS_STEP_WAIT] = NEVER;
	F.storm_at = F.clock + 20 * T_NS;
	run_fake();
	c = nth('C', 0);
	assert_int_equal(count('I', RS_STEP_WAIT), 2);
	assert_non_null(c);
	assert_int_equal(c->step, RS_STEP_WAIT);
	assert_int_equal(c->at, F.storm_at + T_NS);
	assert_int_equal(R.tally->failed[RS_PH_WAIT][RS_RES_TIMEOUT], 2);
}

/* --hold: while the storm keeps closing connections its waits are not
 * timed out, however long it takes. */
static void test_hold_storm_in_progress(void **state)
{
	(void)state;
	setup_run(2, 2, "send");
	R.cfg.hold = true;
	F.lat[RS_STEP_WAIT] = NEVER;
	F.storm_at = F.clock + 20 * T_NS;
	/* slot 0's close comes 0.9 T after the storm, slot 1's 1.8 T */
	F.wait_at[0] = F.storm_at + 9 * T_NS / 10;
	F.wait_at[1] = F.storm_at + 18 * T_NS / 10;
	run_fake();
	assert_int_equal(count('C', -1), 0);
	assert_int_equal(R.tally->completed, 2);
	assert_int_equal(rs_tally_failed_total(R.tally), 0);
}

/* --hold: a close another worker saw keeps this worker's held waits
 * alive too: slot 0's close comes 1.8 T after the storm, and another
 * worker saw one at 0.9 T; alone (no such close) it times out at T. */
static void test_hold_storm_seen_elsewhere(void **state)
{
	(void)state;
	for (int other = 1; other >= 0; other--) {
		setup_run(1, 1, "send");
		R.cfg.hold = true;
		F.lat[RS_STEP_WAIT] = NEVER;
		F.storm_at = F.clock + 20 * T_NS;
		F.wait_at[0] = F.storm_at + 18 * T_NS / 10;
		F.seen_at = other ? F.storm_at + 9 * T_NS / 10 : 0;
		run_fake();
		assert_int_equal(R.tally->completed, other ? 1 : 0);
		assert_int_equal(R.tally->failed[RS_PH_WAIT][RS_RES_TIMEOUT],
				 other ? 0 : 1);
	}
}

/* --hold sets connections up through a window: with 256 client threads
 * each worker's share of RS_HOLD_WINDOW (16384) is 64, so 64 sockets are
 * issued before the first is held, and each one held starts the next; all
 * 80 are held, and the storm ends them all. Without the window (1 thread:
 * 16384) all 80 start at once. */
static void test_hold_window(void **state)
{
	unsigned before = 0;

	(void)state;
	for (unsigned threads = 256; threads; threads = threads == 256 ? 1 : 0) {
		setup_run(80, 80, "send");
		R.cfg.hold = true;
		R.cfg.threads = threads;
		F.lat[RS_STEP_WAIT] = NEVER;
		F.storm_at = F.clock + 20 * T_NS;
		for (unsigned s = 0; s < 80; s++)
			F.wait_at[s] = F.storm_at + MS;
		run_fake();
		before = 0;
		for (unsigned i = 0; i < F.nlog; i++) {
			if (F.log[i].kind == 'I' &&
			    F.log[i].step == RS_STEP_WAIT)
				break;
			before += F.log[i].kind == 'I' &&
				  F.log[i].step == RS_STEP_SOCKET;
		}
		assert_int_equal(before, threads == 256 ? 64 : 80);
		assert_int_equal(count('I', RS_STEP_SOCKET), 80);
		assert_int_equal(count('I', RS_STEP_WAIT), 80);
		assert_int_equal(R.tally->completed, 80);
		assert_int_equal(rs_tally_failed_total(R.tally), 0);
	}
}

/* Without --hold the same wait times out T after it was issued. */
static void test_wait_times_out_without_hold(void **state)
{
	(void)state;
	setup_run(1, 1, "send");
	F.lat[RS_STEP_WAIT] = NEVER;
	run_fake();
	assert_int_equal(nth('C', 0)->step, RS_STEP_WAIT);
	assert_int_equal(nth('C', 0)->at - nth('I', 3)->at, T_NS);
	assert_int_equal(R.tally->failed[RS_PH_WAIT][RS_RES_TIMEOUT], 1);
}

/* --op-gap: a timer of that length between ops, and none after the last. */
static void test_op_gap(void **state)
{
	static const uint8_t want[] = { RS_STEP_OP, RS_STEP_OPGAP, RS_STEP_OP,
					RS_STEP_OPGAP, RS_STEP_OP,
					RS_STEP_CLOSE };
	const struct fake_ev *g;

	(void)state;
	setup_run(1, 1, "send,send,recv");
	R.cfg.op_gap_ns = 5 * T_NS; /* longer than --timeout: untimed */
	run_fake();
	for (unsigned i = 0; i < sizeof(want); i++)
		assert_int_equal(nth('I', 4 + i)->step, want[i]);
	g = nth('I', 5);
	assert_int_equal(nth('I', 6)->at - g->at, 5 * T_NS);
	assert_int_equal(count('C', -1), 0);
	assert_int_equal(R.tally->completed, 1);
}

/* Each op's time since the server's close (the slot's close stamp) goes to
 * since_close_ns, and to since_close_err_ns only when the op failed: two
 * sends after a close stamped at the run's start, first both ok, then both
 * EPIPE. */
static void test_since_close_errors_only(void **state)
{
	const struct rs_histo *all, *err;

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		setup_run(1, 1, "send,send");
		F.res[RS_STEP_OP] = pass ? -EPIPE : 1;
		R.sh.t0 = F.clock;
		R.sh.stamp_t0 = F.clock;
		/* generation 1, closed at t0 */
		atomic_store(&R.stamps[0], (1ull << 48) | 1);
		run_fake();
		for (unsigned op = 0; op < 2; op++) {
			all = &R.tally->since_close_ns[RS_CLOSE_FIN][op];
			err = &R.tally->since_close_err_ns[RS_CLOSE_FIN][op];
			assert_int_equal(all->count, 1);
			assert_int_equal(err->count, pass ? 1 : 0);
			assert_int_equal(R.tally->before_close[RS_CLOSE_FIN][op],
					 0);
		}
		/* connect, hello, wait: 1 ms each; op 1 issued 3 ms after
		 * the close, op 2 1 ms later */
		assert_int_equal(R.tally->since_close_ns[RS_CLOSE_FIN][0].min,
				 3 * MS);
		assert_int_equal(R.tally->since_close_ns[RS_CLOSE_FIN][1].min,
				 4 * MS);
	}
}

/* --wait gap: a fixed timer instead of the poll; --wait none: straight to
 * the ops. */
static void test_wait_gap_and_none(void **state)
{
	(void)state;
	setup_run(1, 1, "send");
	R.cfg.wait = RS_WAIT_GAP;
	R.cfg.gap_ns = 3 * T_NS;
	run_fake();
	assert_int_equal(nth('I', 3)->step, RS_STEP_GAP);
	assert_int_equal(nth('I', 4)->at - nth('I', 3)->at, 3 * T_NS);
	assert_int_equal(R.tally->completed, 1);

	setup_run(1, 1, "send");
	R.cfg.wait = RS_WAIT_NONE;
	run_fake();
	assert_int_equal(nth('I', 3)->step, RS_STEP_OP);
	assert_int_equal(R.tally->completed, 1);
}

/* The second signal: what is in flight is abandoned and counted so, an op
 * in flight among it; the books still balance. */
static void test_abort_abandons(void **state)
{
	(void)state;
	setup_run(2, 10, "send,send");
	F.lat[RS_STEP_OP] = NEVER;
	F.res[RS_STEP_OP] = 1;
	R.cfg.timeout_ns = 100 * T_NS;
	F.abort_at = F.clock + 50 * MS;
	run_fake_abort();
	assert_int_equal(R.tally->started, 2);
	assert_int_equal(R.tally->abandoned[RS_PH_OPS], 2);
	assert_int_equal(R.tally->op_abandoned[RS_CLOSE_FIN][0], 2);
	assert_int_equal(R.tally->op_issued[RS_CLOSE_FIN][0], 2);
}

/* An op timed out and the next one not yet issued when the run is
 * abandoned: the unissued op is not counted as abandoned. */
static void test_abort_while_late(void **state)
{
	(void)state;
	setup_run(1, 10, "send,send");
	F.lat[RS_STEP_OP] = NEVER;
	F.cancel_late = true;
	/* the cancelled op's completion never comes before the abort */
	F.abort_at = F.clock + 3 * T_NS;
	run_fake_abort_late();
	assert_int_equal(R.tally->outcome.n[RS_CLOSE_FIN][0][RS_RES_TIMEOUT],
			 1);
	assert_int_equal(R.tally->op_issued[RS_CLOSE_FIN][1], 0);
	assert_int_equal(R.tally->op_abandoned[RS_CLOSE_FIN][1], 0);
	assert_int_equal(R.tally->abandoned[RS_PH_OPS], 1);
}

static int failing_start(struct rs_guest *g, struct io_uring *ring,
			 uint64_t now)
{
	(void)ring;
	(void)now;
	snprintf(g->errmsg, sizeof(g->errmsg), "guest: cannot start");
	return -EPROTO;
}

/* A guest that cannot start ends the worker with its error, so the run
 * prints it and fails, rather than a silent 0. */
/* Every op of the script is looked up in the probe: one the kernel lacks
 * is refused by name, with the release that has it; the others pass. */
static void test_uring_ops_probed(void **state)
{
	struct rs_probe p;
	struct rs_script sc;
	char err[256];

	(void)state;
	memset(&p, 0, sizeof(p));
	snprintf(p.release, sizeof(p.release), "5.19.0");
	p.ops = ~0ull & ~(1ull << IORING_OP_SEND_ZC);
	assert_int_equal(rs_script_parse("send,write,sendmsg,recv,read", &sc,
					 err, sizeof(err)),
			 0);
	assert_int_equal(rs_engine_uring_ops(&sc, &p, err, sizeof(err)), 0);
	assert_int_equal(rs_script_parse("send,send-zc", &sc, err,
					 sizeof(err)),
			 0);
	assert_int_equal(rs_engine_uring_ops(&sc, &p, err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "--ops: send-zc needs IORING_OP_SEND_ZC (kernel 6.0)"));
	assert_non_null(strstr(err, "5.19.0"));
	assert_null(strchr(err, '\n'));
	/* each kind by its own op, not another's */
	p.ops = ~0ull & ~(1ull << IORING_OP_READ);
	assert_int_equal(rs_script_parse("recv", &sc, err, sizeof(err)), 0);
	assert_int_equal(rs_engine_uring_ops(&sc, &p, err, sizeof(err)), 0);
	assert_int_equal(rs_script_parse("recv,read", &sc, err, sizeof(err)),
			 0);
	assert_int_equal(rs_engine_uring_ops(&sc, &p, err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "read needs IORING_OP_READ"));
	p.ops = ~0ull & ~(1ull << IORING_OP_WRITE);
	assert_int_equal(rs_script_parse("send,sendmsg", &sc, err,
					 sizeof(err)),
			 0);
	assert_int_equal(rs_engine_uring_ops(&sc, &p, err, sizeof(err)), 0);
	assert_int_equal(rs_script_parse("write", &sc, err, sizeof(err)), 0);
	assert_int_equal(rs_engine_uring_ops(&sc, &p, err, sizeof(err)),
			 -EOPNOTSUPP);
	p.ops = ~0ull & ~(1ull << IORING_OP_SENDMSG);
	assert_int_equal(rs_script_parse("sendmsg", &sc, err, sizeof(err)),
			 0);
	assert_int_equal(rs_engine_uring_ops(&sc, &p, err, sizeof(err)),
			 -EOPNOTSUPP);
}

static void test_uring_returns_guest_start_error(void **state)
{
	static struct rs_config cfg;
	static struct rs_probe probe;
	static struct rs_shared sh;
	static struct rs_client w;
	static struct rs_tally tally;
	struct rs_guest g = { .start = failing_start, .max_inflight = 1 };
	int ret;

	(void)state;
	cfg.timeout_ns = 20000000ull;
	sh.cfg = &cfg;
	sh.probe = &probe;
	w.sh = &sh;
	w.tally = &tally;
	w.guest = &g;
	ret = rs_engine_uring.client_run(&w);
	if (ret == -ENOSYS || ret == -EPERM) {
		print_message("skip: no io_uring here: %s\n", strerror(-ret));
		skip();
	}
	assert_int_equal(ret, -EPROTO);
	assert_string_equal(w.errmsg, "guest: cannot start");
	assert_true(g.done);
}

/* ---- the real transports on loopback --------------------------------- */

/* One worker over a real transport, one slot, one connection, to a
 * loopback listener that never accepts (the kernel completes the
 * handshake, queues the hello and the sends, and never closes). */
static struct real {
	struct rs_config cfg;
	struct rs_probe probe;
	struct rs_shared sh;
	struct rs_client cl;
	struct rs_conn conn;
	uint8_t hello[1][32];
	_Atomic uint64_t stamp[1];
	struct sockaddr_in a;
	struct rs_addr ra;
	int lfd;
	const struct rs_transport *t;
	atomic_int done;
} Q;

static void *real_thread(void *arg)
{
	(void)arg;
	Q.cl.err = rs_worker_run(&Q.cl, Q.t);
	atomic_store(&Q.done, 1);
	return NULL;
}

/* Set up the listener and a config: script, --wait, --timeout. Skips when
 * the transport needs io_uring and there is none. */
static void setup_real(const struct rs_transport *t, const char *script,
		       unsigned wait, uint64_t timeout_ns)
{
	socklen_t alen = sizeof(Q.a);
	char err[64];

	memset(&Q, 0, sizeof(Q));
	Q.t = t;
	Q.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(Q.lfd >= 0);
	Q.a.sin_family = AF_INET;
	Q.a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(Q.lfd, (struct sockaddr *)&Q.a, sizeof(Q.a)),
			 0);
	assert_int_equal(listen(Q.lfd, 8), 0);
	assert_int_equal(getsockname(Q.lfd, (struct sockaddr *)&Q.a, &alen),
			 0);
	assert_int_equal(rs_mix_parse("fin=1", &Q.cfg.mix, err, sizeof(err)),
			 0);
	assert_int_equal(rs_script_parse(script, &Q.cfg.script, err,
					 sizeof(err)),
			 0);
	Q.cfg.wait = wait;
	Q.cfg.op_size = 1;
	Q.cfg.timeout_ns = timeout_ns;
	/* the probe takes the epoll engine's path (no direct descriptors) */
	if (t == &rs_transport_epoll)
		Q.cfg.engine = RS_ENGINE_EPOLL;
	rs_probe_run(&Q.probe, &Q.cfg);
	if (t == &rs_transport_uring && Q.probe.uring_err) {
		close(Q.lfd);
		print_message("skip: no io_uring here\n");
		skip();
	}
	Q.sh.cfg = &Q.cfg;
	Q.sh.probe = &Q.probe;
	Q.ra.u.in = Q.a;
	Q.ra.len = sizeof(Q.a);
	Q.sh.addrs = &Q.ra;
	Q.sh.naddrs = 1;
	Q.sh.close_stamp = Q.stamp;
	Q.sh.total_slots = 1;
	Q.conn.fd = -1;
	Q.cl.sh = &Q.sh;
	Q.cl.nslots = 1;
	Q.cl.budget = 1;
	Q.cl.conns = &Q.conn;
	Q.cl.hello = Q.hello;
	Q.cl.tally = rs_tally_new();
	assert_non_null(Q.cl.tally);
}

/* Run the worker to its end, at most 10 s (then abandon it): whether it
 * ended by itself. */
static bool run_real(void)
{
	pthread_t th;
	uint64_t until;
	bool timely;

	atomic_store(&Q.done, 0);
	assert_int_equal(pthread_create(&th, NULL, real_thread, NULL), 0);
	until = rs_now_ns() + 10000 * MS;
	while (!atomic_load(&Q.done) && rs_now_ns() < until) {
		struct timespec ts = { 0, 5 * MS };

		nanosleep(&ts, NULL);
	}
	timely = atomic_load(&Q.done);
	if (!timely)
		atomic_store(&Q.sh.abort_run, 1);
	pthread_join(th, NULL);
	close(Q.lfd);
	return timely;
}

/* A real transport ends a request that outlived --timeout: a wait on a
 * loopback connection whose peer never closes ends T later (io_uring
 * through its cancel; epoll has nothing in the kernel and must not hold
 * the slot for a completion that never comes), and the worker finishes
 * its one connection, counted as a wait timeout. */
static void timed_out_ends(const struct rs_transport *t)
{
	struct rs_tally *tl;
	bool timely;

	setup_real(t, "send", RS_WAIT_CLOSE, 50 * MS);
	timely = run_real();
	tl = Q.cl.tally;
	if (!timely) {
		free(tl);
		fail_msg("%s: the worker did not end in 10 s: the timed-out wait never ended",
			 t->name);
	}
	assert_int_equal(Q.cl.err, 0);
	assert_int_equal(tl->failed[RS_PH_WAIT][RS_RES_TIMEOUT], 1);
	assert_int_equal(rs_tally_failed_total(tl), 1);
	assert_int_equal(tl->started, 1);
	assert_int_equal(tl->completed, 0);
	free(tl);
}

static void test_uring_cancels_timed_out(void **state)
{
	(void)state;
	timed_out_ends(&rs_transport_uring);
}

static void test_epoll_ends_timed_out(void **state)
{
	(void)state;
	timed_out_ends(&rs_transport_epoll);
}

/* --op-gap on a real transport: its timer really waits. With the close
 * stamped at the run's start, each op's since-close time is its issue
 * time; op 2 is issued after op 1 completed and the gap ran, so its
 * since-close time is at least the gap after op 1's (a timer never ends
 * early). Both sends succeed (the peer's queue takes them). */
static void op_gap_waits(const struct rs_transport *t)
{
	const uint64_t gap = 200 * MS;
	const struct rs_histo *h0, *h1;
	struct rs_tally *tl;
	char why[256];
	bool timely;

	setup_real(t, "send,send", RS_WAIT_NONE, 5000 * MS);
	Q.cfg.op_gap_ns = gap;
	Q.sh.t0 = rs_now_ns();
	Q.sh.stamp_t0 = Q.sh.t0;
	/* generation 1 (the slot's first connection), closed at t0 */
	atomic_store(&Q.stamp[0], (1ull << 48) | 1);
	timely = run_real();
	tl = Q.cl.tally;
	if (!timely) {
		free(tl);
		fail_msg("%s: the worker did not end in 10 s", t->name);
	}
	assert_int_equal(Q.cl.err, 0);
	if (!rs_tally_balanced(tl, Q.cfg.script.n, why, sizeof(why)))
		fail_msg("%s: books: %s", t->name, why);
	assert_int_equal(tl->completed, 1);
	assert_int_equal(tl->outcome.n[RS_CLOSE_FIN][0][RS_RES_OK], 1);
	assert_int_equal(tl->outcome.n[RS_CLOSE_FIN][1][RS_RES_OK], 1);
	h0 = &tl->since_close_ns[RS_CLOSE_FIN][0];
	h1 = &tl->since_close_ns[RS_CLOSE_FIN][1];
	assert_int_equal(h0->count, 1);
	assert_int_equal(h1->count, 1);
	if (h1->min < h0->max + gap)
		fail_msg("%s: op 2 issued %llu ns after op 1, want >= the gap %llu ns",
			 t->name, (unsigned long long)(h1->min - h0->max),
			 (unsigned long long)gap);
	print_message("measured: %s: op 2 issued %.1f ms after op 1 (--op-gap 200ms)\n",
		      t->name, (double)(h1->min - h0->max) / 1e6);
	free(tl);
}

static void test_uring_op_gap_waits(void **state)
{
	(void)state;
	op_gap_waits(&rs_transport_uring);
}

static void test_epoll_op_gap_waits(void **state)
{
	(void)state;
	op_gap_waits(&rs_transport_epoll);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_in_order),
		cmocka_unit_test(test_clock_per_step_inline),
		cmocka_unit_test(test_clock_per_step_reaped),
		cmocka_unit_test(test_stale_generation_is_stray),
		cmocka_unit_test(test_timeout_fires_at_T),
		cmocka_unit_test(test_late_result_not_counted),
		cmocka_unit_test(test_hold_waits_for_storm),
		cmocka_unit_test(test_hold_storm_in_progress),
		cmocka_unit_test(test_hold_window),
		cmocka_unit_test(test_hold_storm_seen_elsewhere),
		cmocka_unit_test(test_wait_times_out_without_hold),
		cmocka_unit_test(test_op_gap),
		cmocka_unit_test(test_wait_gap_and_none),
		cmocka_unit_test(test_since_close_errors_only),
		cmocka_unit_test(test_abort_abandons),
		cmocka_unit_test(test_abort_while_late),
		cmocka_unit_test(test_sqe_waits_on_sqpoll_ring),
		cmocka_unit_test(test_uring_ops_probed),
		cmocka_unit_test(test_uring_returns_guest_start_error),
		cmocka_unit_test(test_uring_cancels_timed_out),
		cmocka_unit_test(test_epoll_ends_timed_out),
		cmocka_unit_test(test_uring_op_gap_waits),
		cmocka_unit_test(test_epoll_op_gap_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
