/* What this kernel offers: release, io_uring ops and setup flags, limits;
 * and the path rststorm takes through it, with the reason for each step. */
#ifndef RS_PROBE_H
#define RS_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

struct rs_probe {
	char release[65];
	char machine[65];
	int uring_err;          /* 0, or -errno of io_uring_setup */
	uint64_t ops;           /* bit i: IORING_OP i supported (i < 64) */
	unsigned features;      /* IORING_FEAT_* */
	unsigned ring_flags;    /* setup flags every ring gets */
	bool socket_direct;     /* IORING_OP_SOCKET into direct descriptors */
	bool multishot_accept;
	bool bind_op;           /* IORING_OP_BIND (6.11) */
	bool sock_cmd;          /* socket URING_CMDs: setsockopt, SIOCINQ (6.7) */
	bool server_direct;     /* server accepts into direct descriptors and
				 * closes through the ring */
	uint32_t sources;       /* client source addresses (cfg), 1: no bind */
	bool ext_arg;
	bool nodrop;
	uint64_t nofile_cur, nofile_max;
	int somaxconn;
	int port_lo, port_hi;
	int uring_disabled;     /* kernel.io_uring_disabled, -1 unknown */
	bool ring_refused;      /* the kernel refused the --ring flags asked */
	char socket_why[128], accept_why[96], ring_why[96], server_why[128];
};

/* Probe once at start. Honors cfg's forced fallbacks (no_direct,
 * no_server_direct, no_multishot, ring) and what --sources needs; cfg may
 * be NULL. Never fails: a kernel without a
 * usable io_uring is reported in uring_err. */
void rs_probe_run(struct rs_probe *p, const struct rs_config *cfg);

/* True if op (an IORING_OP_* value) is supported. */
bool rs_probe_has_op(const struct rs_probe *p, unsigned op);

/* The full report of `rststorm probe`, key: value lines. */
void rs_probe_print(const struct rs_probe *p, FILE *f);

/* One line: "kernel 6.18 | ring ... | socket ... | accept ...". */
void rs_probe_line(const struct rs_probe *p, char *buf, size_t len);

/* "io_uring-direct" or "socket(2)"; "multishot", "single-shot", with
 * "-direct" when the server accepts into direct descriptors: the path's
 * short names. */
const char *rs_probe_socket_path(const struct rs_probe *p);
const char *rs_probe_accept_path(const struct rs_probe *p);

/* How client sockets get their source address: "none" (one source, no
 * bind), "io_uring-bind" or "bind(2)". */
const char *rs_probe_bind_path(const struct rs_probe *p);

/* Exit with a clear message unless the probe found a usable io_uring and
 * accepted the --ring flags asked for: what run and check need first. */
void rs_probe_require(const struct rs_probe *p);

/* Exit with a message naming why io_uring cannot be used and what to do.
 * Call only when p->uring_err != 0. */
void rs_probe_fail_uring(const struct rs_probe *p)
	__attribute__((noreturn));

#endif
