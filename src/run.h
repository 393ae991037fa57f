/* `rststorm run`: set up listeners, server and client threads, watch the
 * clock and signals, then merge, check the books and report. */
#ifndef RS_RUN_H
#define RS_RUN_H

#include "cli.h"

/* Run with cfg (already checked). Returns the process exit status: 0, 1
 * when the books do not balance or a worker failed, 128+signal when a
 * signal stopped the run (the partial report is still printed/written). */
int rs_run(struct rs_config *cfg);

#endif
