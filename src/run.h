/* `rststorm run`: set up listeners, server and client threads, watch the
 * clock and signals, then merge, check the books and report. */
#ifndef RS_RUN_H
#define RS_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "guest.h"
#include "probe.h"
#include "report.h"
#include "tally.h"

/* Run with cfg (already checked). Returns the process exit status: 0, 1
 * when the books do not balance or a worker failed, 128+signal when a
 * signal stopped the run (the partial report is still printed/written). */
int rs_run(struct rs_config *cfg);

/* What one rs_run_core call leaves: the merged tallies (free with
 * rs_run_out_free), its clock and how it ended. */
struct rs_run_out {
	struct rs_tally *client, *server;
	uint64_t t0, t_end;           /* CLOCK_MONOTONIC ns */
	int signo;                    /* the signal that stopped it, or 0 */
	int status;                   /* 1 when a worker failed */
	char started_utc[32];
	struct rs_hold_stats hold;    /* --hold only */
};

/* The machinery under `run` and `check`: cfg->concurrency load slots
 * (0: none, and no servers) over cfg->threads client rings and the embedded
 * servers, with guest (or NULL) riding on client 0's ring. Runs until the
 * load's count or duration is reached, or the guest is done, or a signal.
 * SIGINT/SIGTERM are blocked in the calling thread. Prints progress on
 * stderr when tty. Returns 0, 1 (a worker failed) or 128+signal. */
int rs_run_core(const struct rs_config *cfg, const struct rs_probe *probe,
		struct rs_guest *guest, bool tty, struct rs_run_out *out);
void rs_run_out_free(struct rs_run_out *out);

/* Grow the client and server thread (and port) counts that were not
 * given, so that no ring's direct descriptor table passes RLIMIT_NOFILE
 * and the rings' completion queues stay small. */
void rs_fit_rings(struct rs_config *cfg, const struct rs_probe *p);

/* Exit with a clear message when cfg cannot fit RLIMIT_NOFILE. */
void rs_check_fd_limit(const struct rs_config *cfg,
		       const struct rs_probe *p);

#endif
