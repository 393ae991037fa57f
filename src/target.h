/* `run --target`: before any client starts, ask each rststorm server for
 * its plan (the query in wire.h), refuse a seed or mix that differs, and
 * pick the clock for the time since the close: the server's close stamps
 * (its memfd, mapped read-only) when it runs on this host (CLOCK_MONOTONIC is
 * shared by its processes), else the completion that saw the FIN/RST. */
#ifndef RS_TARGET_H
#define RS_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "wire.h"

struct rs_target {
	int clock;                /* enum rs_clock */
	char clock_why[320];      /* why that clock */
	uint64_t stamp_t0;        /* the server's t0 (RS_CLOCK_STAMP) */
	_Atomic uint64_t *stamps; /* its stamp array, mapped read-only */
	uint32_t stamp_slots;
	void *map;
	size_t map_len;
	bool locked;              /* lock_fd holds the claim on this */
	int lock_fd;              /* client's ids of serve's stamps */
	bool seed_from_server;    /* --seed not given: the server's taken */
	uint64_t nonce[RS_MAX_ADDRS]; /* each server's, at the start */
};

/* The path a client on the same host opens serve's stamp region by: its
 * memfd, seen through /proc ("/proc/PID/fd/FD"). */
void rs_stamp_path(char *buf, size_t len, uint32_t pid, uint32_t fd);

/* The header of serve's stamp region: its nonce, then the stamps. */
#define RS_STAMP_HDR 64

/*
 * Query every --target (cfg->foreign: none; clock is then the seen one).
 * Takes the server's seed and mix when --seed was not given; otherwise a
 * different seed or mix is an error. On serve's host, claims this
 * client's ids (rs_cli_slot_base, -c of them) in serve's stamp region
 * until rs_target_close: ids another client holds now are an error
 * (-EBUSY), ids holding stamps already give the seen clock. Returns 0, or
 * -errno with one line in err: the target, what failed (the errno text)
 * and what to do.
 */
int rs_target_open(struct rs_config *cfg, struct rs_target *t, char *err,
		   size_t errlen);

/*
 * At the end of the run: ask every target again. A server that is gone,
 * or that restarted (another nonce), is reported on stderr, one line each;
 * one that now plans with another seed or mix means closes after its
 * restart may be counted under the wrong mode. Returns 1 when that
 * happened (the run's results are then not trustworthy), else 0.
 */
int rs_target_recheck(const struct rs_config *cfg, const struct rs_target *t);

/* Unmap what rs_target_open mapped and drop its claim. */
void rs_target_close(struct rs_target *t);

/* The boot id of this host (16 bytes), or zeros. */
void rs_boot_id(uint8_t id[16]);

#endif
