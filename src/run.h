/* `rststorm run`: set up listeners, server and client threads, watch the
 * clock and signals, then merge, check the books and report. */
#ifndef RS_RUN_H
#define RS_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
	uint16_t *srv_ports;          /* the embedded servers' listening */
	uint32_t nsrv_ports;          /* ports (RST reasons); malloc'd */
	/* --interval (run only, no guest): the rows, freed by
	 * rs_run_out_free. iv_nd is the one field set by the caller: the
	 * stream of its NDJSON lines, or NULL (kept across the reset) */
	struct rs_iv *iv;
	FILE *iv_nd;
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

/* The period of the plain progress line printed when stderr is not a
 * terminal: interval_ns (run --interval) when nonzero, else 10 s; the
 * environment's RSTSTORM_TEST_PROGRESS_MS (100..3600000), for tests only,
 * overrides both. */
uint64_t rs_progress_period(uint64_t interval_ns);
/* The plan seed of --repeat block b (0-based): the seed itself for block
 * 0, a splitmix64 step of seed and b for the others, so blocks draw
 * different plans and a report's seeds reproduce each block. Pure. */
uint64_t rs_block_seed(uint64_t seed, unsigned b);

/* Grow the client and server thread (and port) counts that were not
 * given, so that no ring's direct descriptor table passes RLIMIT_NOFILE
 * and the rings' completion queues stay small. */
void rs_fit_rings(struct rs_config *cfg, const struct rs_probe *p);

/* The shape of check's load: one client ring, one server thread, one port,
 * grown by rs_fit_rings when there is a load (lc->concurrency > 0). Both
 * check and the file-limit advice for check use it, so they cannot differ. */
void rs_load_shape(struct rs_config *lc, const struct rs_probe *probe);

/* The command whose options the RLIMIT_NOFILE advice may name: run has
 * -c, --threads, --server-threads and --ports; check has only --load-c
 * (its load's rings are shaped by rs_fit_rings). */
enum rs_cmd { RS_CMD_RUN, RS_CMD_CHECK };

/* Does cfg fit RLIMIT_NOFILE (p->nofile_cur)? Returns 0, or -EMFILE after
 * writing into msg one line: what does not fit and values of cmd's own
 * options that do (or the limit to raise to when no -c fits). Pure: no
 * output, no exit. */
int rs_fd_limit_advice(const struct rs_config *cfg, const struct rs_probe *p,
		       enum rs_cmd cmd, char *msg, size_t len);

/* Exit with rs_fd_limit_advice's message when cfg cannot fit. */
void rs_check_fd_limit_cmd(const struct rs_config *cfg,
			   const struct rs_probe *p, enum rs_cmd cmd);

/* rs_check_fd_limit_cmd for `run`. */
void rs_check_fd_limit(const struct rs_config *cfg,
		       const struct rs_probe *p);

#endif
