/* The trials of one scenario in one phase: a guest on a client worker's
 * ring (guest.h) that opens connection pairs on 127.0.0.1, has one side
 * close as the scenario says and runs the victim's ops, counting every
 * result, every SIGPIPE and the facts the kernel counters are reconciled
 * with. */
#ifndef RS_TRIAL_H
#define RS_TRIAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest.h"
#include "link.h"
#include "outcome.h"
#include "rstreason.h"
#include "scenario.h"
#include "seq.h"

/* What the trials of one (scenario, phase) observed. */
struct rs_trial_result {
	uint64_t trials;        /* set up and run to the end */
	uint64_t setup_failed;  /* the pair could not be opened */
	uint64_t n[RS_SC_MAX_OPS][RS_RES_N];
	struct rs_seqs seqs;    /* each trial's results as one sequence */
	uint64_t sigpipe;       /* SIGPIPE deliveries during the phase */
	uint64_t epipe_writes;  /* EPIPE results of write ops */
	char setup_err[160];    /* the first setup failure */

	/* facts for the kernel counters (both sides are ours) */
	uint64_t rst_unread;    /* closes with unread data: RST, AbortOnClose */
	uint64_t rst_linger;    /* SO_LINGER 0 closes: AbortOnData */
	uint64_t rst_linger_sent; /* those that sent an RST */
	/* closes made while the peer may still be sending (the xcpu
	 * scenarios): SIOCINQ read 0, but a byte can land before close(),
	 * and then tcp_close() counts TCPAbortOnClose instead */
	uint64_t rst_either;    /* SO_LINGER 0: AbortOnClose or AbortOnData,
				 * exactly one; an RST either way */
	uint64_t rst_maybe;     /* FIN: nothing, or AbortOnClose and an RST */
	uint64_t linger_failed; /* SO_LINGER could not be set: closed as
				 * a plain close and counted as such */
	int start_err;          /* -errno: the trials could not start */
	char skip[160];         /* set: the phase did not run, and why (the
				 * xcpu scenarios need two CPUs, pinned) */
	uint64_t off_cpu;       /* closes or ops seen off their pinned CPU */
	uint64_t foreign_closes; /* the closer thread found its slot
				  * reused: must stay 0 */
	uint64_t estab_resets;  /* sockets moved from ESTABLISHED/CLOSE_WAIT
				 * to CLOSE: RST closes and victims reset */
	uint64_t drawn_lo;      /* RSTs the closed side's kernel must have sent
				 * to the victim's data after a FIN close */
	uint64_t drawn_hi;      /* ...at most: the writes accepted after the
				 * close */
	/* per trial, for the RST reasons (rstreason.h): the caller sets
	 * recs to cap entries, or NULL; trial.c appends one per trial */
	struct rs_trial_rec *recs;
	uint32_t nrecs, cap_recs;
};

struct rs_trials_cfg {
	const struct rs_scenario *sc;
	unsigned closer;        /* enum rs_side */
	uint32_t trials;
	uint32_t parallel;      /* trials in flight at once */
	uint64_t gap_ns;
	uint64_t timeout_ns;
	int xcpu_closer_cpu;    /* CPU for the closer thread, -1: any */
	uint64_t warmup_ns;     /* let the load run this long first */
	bool ipv6;              /* the pair over ::1, not 127.0.0.1 */
	/* check --link: the listener on the link's server side, the
	 * connecting socket made by the ring thread, which was born on
	 * its client side; NULL: both on loopback */
	const struct rs_link *link;
};

/* Set up the guest for cfg; results land in *res. Returns NULL with a
 * reason in err when out of memory or the listener cannot be opened. */
struct rs_guest *rs_trials_new(const struct rs_trials_cfg *cfg,
			       struct rs_trial_result *res, char *err,
			       size_t errlen);

/* Ask the trials to end at the guest's next tick (any thread; the run's
 * stop on a signal): trials in flight are not counted. */
void rs_trials_stop(struct rs_guest *g);

/* The port the trials' listener took: one end of every trial connection. */
uint16_t rs_trials_port(const struct rs_guest *g);

/* Close what is left and free. */
void rs_trials_free(struct rs_guest *g);

/* What the child that runs a trial's victim ops (a scenario with
 * SIGPIPE's default action) writes for its slot, in memory shared with
 * the parent: the op running (nops once all returned), each op's result
 * code, its ring's fd until it closes it (-1: none), and the errno of a
 * ring it could not set up. */
struct rs_child_out {
	int32_t cur;
	int32_t ring_fd;
	int32_t err;
	uint16_t res[RS_SC_MAX_OPS];
};

/* The exit status of a child that could not set up its ring. */
#define RS_CHILD_EXIT_RING 3

/*
 * The result codes of ops first..nops-1 of a trial whose victim ran them
 * in a child process, from how the child ended (wstatus from waitpid;
 * killed_by_us: check sent it SIGKILL at the timeout) and what it wrote
 * (o). Every op that returned keeps its result; the op running when
 * SIGPIPE killed the child gets RS_RES_KILLED and the ops after it
 * RS_RES_NOTRUN; the op running when check killed it RS_RES_TIMEOUT, and
 * the rest not-run; a child check killed after its last op returned
 * keeps them all. Returns 0 with res[first..nops-1] set, or -1 when the
 * child ended any other way (another signal, an exit status other than 0,
 * an exit before its last op returned): why then says how, one line, and
 * res is not touched. Pure.
 */
int rs_trial_child_results(int wstatus, bool killed_by_us,
			   const struct rs_child_out *o, unsigned first,
			   unsigned nops, uint16_t *res, char *why,
			   size_t whylen);

/* Install the SIGPIPE counter (once per process). */
void rs_sigpipe_count_install(void);
uint64_t rs_sigpipe_count(void);

#endif
