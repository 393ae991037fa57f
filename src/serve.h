/* `rststorm serve`: the embedded server (server.c) as a command of its
 * own, for `rststorm run --target` in other processes or on other hosts. */
#ifndef RS_SERVE_H
#define RS_SERVE_H

#include "cli.h"

/* Connection ids (global slots) serve keeps close stamps for: the most
 * -c a client may use against it. */
#define RS_SERVE_SLOTS RS_FLEET_SLOTS

/* Connections one server thread holds at once (at most RLIMIT_NOFILE). */
#define RS_SERVE_CAP 16384u

/* Serve until SIGINT/SIGTERM or -d, then report. Returns the exit status:
 * 0 (a signal is the normal end), or 1 (a server thread failed, the CSV
 * could not be written). */
int rs_serve(struct rs_config *cfg);

#endif
