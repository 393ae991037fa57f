/* The scenario catalogue of `rststorm check` and its expectation model:
 * what each scenario does to a connection, and what the kernel is expected
 * to answer to every op, with the basis in the kernel source. The model is
 * the scenario files: scenarios/NAME.scn, built into the binary and parsed at
 * start (scenfile.h), plus the files a user gives with -f; nothing else in
 * the program decides what is expected. docs/scenarios.md: the format. */
#ifndef RS_SCENARIO_H
#define RS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_SC_MAX_OPS 6
#define RS_SC_MAX_TOTAL 256  /* scenarios in the catalogue, files included */
#define RS_SC_NAME_MAX 40    /* bytes in a name: [a-z0-9][a-z0-9-]* */
#define RS_SC_TEXT_MAX 400   /* bytes in desc, basis and claim */

/* The ops the victim (the side that did not close) runs. */
enum rs_sop {
	RS_SOP_SEND,      /* IORING_OP_SEND, 1 byte, MSG_NOSIGNAL */
	RS_SOP_SENDMSG,   /* IORING_OP_SENDMSG, 1 byte, MSG_NOSIGNAL */
	RS_SOP_WRITE,     /* IORING_OP_WRITE, 1 byte (a write has no flags) */
	RS_SOP_SEND0,     /* IORING_OP_SEND, 1 byte, flags 0 */
	RS_SOP_RECV,      /* IORING_OP_RECV, up to 256 bytes */
	RS_SOP_READ,      /* IORING_OP_READ, up to 256 bytes */
	RS_SOP_SYS_SEND,  /* send(2), MSG_NOSIGNAL */
	RS_SOP_SYS_WRITE, /* write(2) */
	RS_SOP_SYS_RECV,  /* recv(2) */
	RS_SOP_SYS_READ,  /* read(2) */
	RS_SOP_SOERROR,   /* getsockopt(SO_ERROR): ok = none pending */
	RS_SOP_POLLERR,   /* poll(2) for POLLERR|POLLHUP: ok = seen,
			   * timeout = not within --timeout (a syscall on
			   * any path: io_uring's poll reports POLLRDHUP
			   * unasked, so it cannot wait for the error after
			   * a FIN) */
	RS_SOP_RECV_DW,   /* IORING_OP_RECV, up to 256 bytes, MSG_DONTWAIT */
	RS_SOP_N
};

/* "send", "sendmsg", "write", "send-flags0", "recv", "read", "sys-send",
 * "sys-write", "sys-recv", "sys-read", "so-error", "poll-err",
 * "recv-dontwait". */
const char *rs_sop_name(unsigned sop);
bool rs_sop_is_write(unsigned sop);  /* puts bytes on the wire */
bool rs_sop_is_uring(unsigned sop);  /* goes through the ring */

enum rs_side { RS_SIDE_SERVER, RS_SIDE_CLIENT, RS_SIDE_N };
const char *rs_side_name(unsigned side);
/* "server" or "client" (rs_side_name's words): the side, or -1. */
int rs_side_parse(const char *s);

/* When the victim runs its ops after the close. */
enum rs_sc_wait {
	RS_SCW_OBSERVED, /* after a poll has seen the FIN or the RST */
	RS_SCW_NONE,     /* at once, on the same CPU as the close */
	RS_SCW_XCPU,     /* at once, while another CPU does the close */
	RS_SCW_N
};
const char *rs_sc_wait_name(unsigned w);

/* How the ring runs the victim's io_uring ops. */
enum rs_path {
	RS_PATH_INLINE, /* issued from io_uring_enter by the worker thread */
	RS_PATH_ASYNC,  /* IOSQE_ASYNC: forced to an io-wq worker */
	RS_PATH_SQPOLL, /* an IORING_SETUP_SQPOLL ring: the kernel's SQ thread */
	RS_PATH_N
};
const char *rs_path_name(unsigned p);

/* How an op's expectation is judged. */
enum rs_exp_kind {
	/* must hold on every trial, alone and under load, on every path */
	RS_EXP_EXACT,
	/* holds when the RST drawn by an earlier op has been processed before
	 * this op is issued: exact alone on the inline path (the RST is
	 * processed in the softirq of the write that drew it, before that
	 * write returns); under load and on io-wq/SQPOLL a share */
	RS_EXP_ORDERED,
	/* a race: the outcome is a distribution, reported with shares */
	RS_EXP_MEASURED,
	RS_EXP_N
};
/* "exact", "ordered", "measured". */
const char *rs_exp_kind_name(unsigned k);

/* SIGPIPE deliveries expected over a scenario's trials. */
enum rs_sig_exp {
	RS_SIG_NONE,         /* none: MSG_NOSIGNAL, or not a write */
	RS_SIG_PER_EPIPE,    /* one per EPIPE a write op returned */
	RS_SIG_PRE_5_12,     /* SEND without MSG_NOSIGNAL: SIGPIPEs on an
			      * io_uring older than 5.12's, none since
			      * (io_uring implies MSG_NOSIGNAL) */
	RS_SIG_MEASURED,     /* raised on a kernel thread: counted, not judged */
	RS_SIG_COALESCED,    /* raised by io_uring ops issued inline: at least
			      * one, at most one per EPIPE (a standard signal
			      * does not queue: the EPIPEs of one
			      * io_uring_enter batch deliver one SIGPIPE) */
	RS_SIG_N
};
/* The rule's name in a scenario file: "none", "per-EPIPE", "pre-5.12",
 * "measured", "coalesced" ("?" out of range). */
const char *rs_sig_exp_name(unsigned s);

/* What SIGPIPE does in the victim while a scenario's trials run. */
enum rs_sigdisp {
	RS_SIGDISP_COUNT,   /* a counting handler (the default) */
	RS_SIGDISP_DEFAULT, /* SIG_DFL: the process is killed (trials run in
			     * a child, the kill is a result) */
	RS_SIGDISP_IGNORE,  /* SIG_IGN */
	RS_SIGDISP_N
};
/* "count", "default", "ignore". */
const char *rs_sigdisp_name(unsigned d);

struct rs_sc_op {
	uint8_t kind;       /* enum rs_sop */
	bool gap;           /* --gap pause before this op */
	uint8_t exp_kind;   /* enum rs_exp_kind */
	uint8_t nexp;       /* 1 or 2 results allowed */
	uint16_t exp[2];    /* result codes (outcome.h) */
	int16_t claim;      /* a seed's claimed result code, or -1 */
};

struct rs_scenario {
	const char *name;
	const char *desc;       /* one line */
	const char *basis;      /* why the kernel answers so, one line */
	const char *claim_src;  /* "Go write-up", or NULL */
	uint8_t closer;         /* enum rs_side: the default direction */
	uint8_t mode;           /* enum rs_close_mode */
	uint8_t wait;           /* enum rs_sc_wait */
	uint8_t path;           /* enum rs_path */
	uint16_t victim_sends;  /* bytes the victim sends first (send(2)) */
	uint16_t closer_sends;  /* bytes the closer sends just before closing */
	uint8_t ops_before;     /* ops the victim runs before the close; the
				 * closer reads what they sent */
	uint8_t nops;
	struct rs_sc_op op[RS_SC_MAX_OPS];
	uint8_t sigpipe;        /* enum rs_sig_exp */
	bool test_only;         /* listed only with RS_TEST_SCENARIOS=1 */
	uint8_t sigdisp;        /* enum rs_sigdisp: SIGPIPE in the victim */
	bool nonblock;          /* the victim's socket is O_NONBLOCK */
	/* where it was read: the file (scenarios/NAME.scn for a built-in)
	 * and the line of its `scenario` line */
	const char *file;
	uint32_t line;
	bool user;              /* from a file given with -f */
};

/* The catalogue: count and entries (test-only ones included): the
 * built-ins first, in scenarios/index order, then the scenarios of the
 * files loaded with rs_scenario_load, in load order. The built-ins are
 * parsed on first use; one that does not parse ends the program (a unit
 * test parses them all). Not thread-safe against rs_scenario_load: load
 * every file before threads start. Entries stay where they are for the
 * life of the process. */
size_t rs_scenario_count(void);
const struct rs_scenario *rs_scenario_at(size_t i);

/* How many of the entries are built-ins (they come first). */
size_t rs_scenario_builtin_count(void);

/* Read the scenario file path and add its scenarios to the catalogue,
 * marked user. All or nothing. Returns 0; -EINVAL with err set to
 * "FILE:LINE:COL: expected X, found 'Y'" (a parse error, a name already
 * used: both places named); another negative errno with err set to one
 * line (the file cannot be read). */
int rs_scenario_load(const char *path, char *err, size_t errlen);

/* The scenario called name (test-only ones only when visible), or NULL. */
const struct rs_scenario *rs_scenario_find(const char *name);

/* Whether test-only scenarios are visible (RS_TEST_SCENARIOS=1). */
bool rs_scenario_test_visible(void);

/* The expectation of op i as judged in one phase: exact or measured.
 * lagging: the RST an op draws may not be back before the next op is
 * issued (under load, or over an emulated link, where it takes a round
 * trip): RS_EXP_ORDERED expectations are then shares. */
bool rs_sc_op_exact(const struct rs_scenario *sc, unsigned i, bool lagging);

/* "ok", "EPIPE", "ok|EPIPE": the op's expected result(s). */
void rs_sc_exp_format(const struct rs_sc_op *op, char *buf, size_t len);

/* The scenario's one-line description for a run where closer (enum
 * rs_side) closes: sc->desc, with "server" and "client" swapped when
 * closer is not the scenario's own. Always NUL-terminated. */
void rs_sc_describe(const struct rs_scenario *sc, unsigned closer,
		    char *buf, size_t len);

/* IORING_FEAT_NATIVE_WORKERS (5.12): the io_uring that implies
 * MSG_NOSIGNAL for SEND/SENDMSG came with it. */
#define RS_FEAT_NATIVE_WORKERS (1U << 9)

/* The expected SIGPIPE rule for the running kernel, from the probed
 * io_uring features word: RS_SIG_PRE_5_12 resolves to RS_SIG_PER_EPIPE (no
 * NATIVE_WORKERS) or RS_SIG_NONE; a path other than inline makes a
 * per-EPIPE rule measured, io_uring write ops make it coalesced. */
unsigned rs_sc_sig_rule(const struct rs_scenario *sc, unsigned features);

/* "none", "per-EPIPE", "1..per-EPIPE", "measured". */
const char *rs_sig_rule_name(unsigned rule);

#endif
