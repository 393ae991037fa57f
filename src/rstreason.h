/* The kernel's reason for every RST: a private tracefs instance with the
 * tcp:tcp_send_reset event, read at phase end, parsed into (src, dst,
 * state, reason) and reconciled per trial with what the model predicts. */
#ifndef RS_RSTREASON_H
#define RS_RSTREASON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One tcp_send_reset event as the instance's `trace` file prints it. */
struct rs_rst_ev {
	char src[48], dst[48];  /* address:port as printed */
	uint16_t sport, dport;
	char state[20];         /* TCP_CLOSE, ..., UNKNOWN (no socket) */
	char reason[32];        /* "-" on kernels without the field */
};

/* Parse one line of the `trace` file. Returns 0 and fills *ev, or
 * -EINVAL for a comment, another event or a malformed line. Pure. */
int rs_rst_parse_line(const char *line, struct rs_rst_ev *ev);

/* One trial's ends and the RSTs the model predicts from its closes
 * (filled by trial.c). Index [0] is the closer's side, [1] the victim's. */
struct rs_trial_rec {
	uint16_t lport, cport;  /* the listener's (server) and client's port */
	uint8_t closer;         /* enum rs_side */
	uint8_t racy;           /* a close the model cannot call: measured */
	uint8_t n_state[2];     /* SO_LINGER 0 closes that reset: TCP_STATE */
	uint8_t n_on_close[2];  /* closes with unread data: TCP_ABORT_ON_CLOSE */
	uint8_t on_data;        /* the victim's data reset the FIN-closed
				 * orphan: TCP_ABORT_ON_DATA from the closer,
				 * or TCP_TIMEWAIT_SOCKET when the orphan had
				 * become a timewait socket */
	uint8_t extra_hi;       /* more the closer may send to later
				 * segments (NO_SOCKET, TCP_ABORT_ON_DATA,
				 * TCP_TIMEWAIT_SOCKET) */
};

#define RS_RSTR_KEYS 24

/* RST counts of one phase by (side, state, reason). */
struct rs_rst_key {
	uint8_t side;           /* enum rs_side of the sender */
	char state[20], reason[32];
	uint64_t n;
};

struct rs_rst_tally {
	struct rs_rst_key k[RS_RSTR_KEYS];
	unsigned nk;
	uint64_t key_overflow;  /* events whose key did not fit */
	uint64_t events;        /* attributed to a trial */
	uint64_t unpredicted;   /* events the model did not predict */
	uint64_t missing;       /* predicted events not seen */
	uint64_t trials_exact, trials_off, trials_racy;
	uint64_t extras;        /* RSTs within a trial's extra allowance */
	uint64_t foreign;       /* this run's listener port, no trial */
	/* those, by key: RSTs the trials' listener sent (late segments of
	 * trials whose sockets were gone; the event names no pair) */
	struct rs_rst_key lk[8];
	unsigned nlk;
};

/* Add n events of key (side, state, reason) to t. */
void rs_rst_tally_add(struct rs_rst_tally *t, unsigned side,
		      const char *state, const char *reason, uint64_t n);

/* Attribute evs to recs by 4-tuple (both ends 127.0.0.1 or ::1; the
 * ports identify the trial) and judge each non-racy trial exactly: adds
 * to *t, prints each event the model did not predict to out (one line
 * each, prefixed by label; out NULL: silent). Pure but for out. */
void rs_rst_judge(const struct rs_rst_ev *evs, size_t nev,
		  const struct rs_trial_rec *recs, size_t nrec,
		  struct rs_rst_tally *t, FILE *out, const char *label);

/* Add to *t the events with an end on one of the run's listening ports
 * (ports[0..n)): the sender is the server when its source port is one of
 * them. Returns the events left out (no end on those ports). Pure. */
uint64_t rs_rst_tally_ports(const struct rs_rst_ev *evs, size_t nev,
			    const uint16_t *ports, size_t n,
			    struct rs_rst_tally *t);

/* The tracing session (opaque). */
struct rs_rstr;

/* Make the instance instances/rststorm.<pid>, size its buffer (buf_kb
 * per CPU; a hint: the kernel's default is kept when refused), enable
 * tcp_send_reset. Returns NULL with the reason in err when tracing is
 * not available (no tracefs, no permission, no event): the caller falls
 * back to the counters. The instance is removed by rs_rstr_stop() and at
 * exit(). */
struct rs_rstr *rs_rstr_start(unsigned buf_kb, char *err, size_t errlen);

/* Does the event carry a reason (kernel 6.10+)? */
bool rs_rstr_has_reason(const struct rs_rstr *r);

/* Drop what the buffer holds (start of a phase). Returns 0 or -errno. */
int rs_rstr_clear(struct rs_rstr *r);

/* Read every event since the last clear into *evs (malloc'd, caller
 * frees), then clear. *overrun: events the ring buffer lost (per_cpu
 * stats). Returns 0 or -errno. */
int rs_rstr_collect(struct rs_rstr *r, struct rs_rst_ev **evs, size_t *nev,
		    uint64_t *overrun);

/* Drain the buffer from a thread of its own while a long run goes
 * (trace_pipe, consuming), keeping each event in 6 bytes, so that the
 * ring buffer never has to hold a whole run. Returns 0 or -errno. */
int rs_rstr_drain_start(struct rs_rstr *r);

/* Stop the drain, read what is left, and add the events with an end on
 * ports[0..n) to *t as rs_rst_tally_ports() does; *others: the events
 * left out; *overrun: events the ring buffer lost. Returns 0 or -errno
 * (the thread could not read: what it had is still added). */
int rs_rstr_drain_stop(struct rs_rstr *r, const uint16_t *ports, size_t n,
		       struct rs_rst_tally *t, uint64_t *others,
		       uint64_t *overrun);

/* Ports rs_rstr_drain_keep can hold (one per --repeat block). */
#define RS_RSTR_KEEP_MAX 1024

/* Make the running drain keep whole events, and only those with port at
 * one end (check: the trials' listener; the load's RSTs, ~25k a second,
 * are then read and dropped instead of overrunning the buffer). Adds to
 * the ports already kept. Returns 0, or -ENOSPC when full. */
int rs_rstr_drain_keep(struct rs_rstr *r, uint16_t port);

/* Stop a drain started for rs_rstr_drain_keep and hand over its kept
 * events (*evs malloc'd, caller frees) and *overrun (events the ring
 * buffer lost). Returns 0 or -errno (what was read is still handed). */
int rs_rstr_drain_take(struct rs_rstr *r, struct rs_rst_ev **evs,
		       size_t *nev, uint64_t *overrun);

/* The instance's path, for messages. */
const char *rs_rstr_path(const struct rs_rstr *r);

/* Disable the event and remove the instance; NULL is fine. */
void rs_rstr_stop(struct rs_rstr *r);

#endif
