/* Command-line options: one table drives parsing, the usage text and the
 * dump of the effective configuration. */
#ifndef RS_CLI_H
#define RS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "link.h"
#include "plan.h"
#include "scenario.h"
#include "script.h"

struct rs_target;

enum rs_wait {
	RS_WAIT_CLOSE, /* poll until the peer's FIN or RST is seen */
	RS_WAIT_NONE,  /* run the ops right after the hello */
	RS_WAIT_GAP,   /* sleep a fixed gap after the hello */
};

/* --server-sends: at most this many bytes (one nonblocking send). */
#define RS_SERVER_SENDS_MAX 65536u

enum rs_ringmode { RS_RING_AUTO, RS_RING_DEFER, RS_RING_COOP, RS_RING_PLAIN };

/* The command whose options are parsed: the one table serves both. */
enum rs_cli_cmd { RS_CLI_RUN, RS_CLI_SERVE };

/* --target and --listen addresses, at most. */
#define RS_MAX_ADDRS 64

/* --allow-remote without --rate: new connections per second. */
#define RS_REMOTE_RATE 1000

/* --client-index I/N: a fleet of at most RS_FLEET_MAX clients shares
 * the RS_FLEET_SLOTS connection ids (global slots) one rststorm serve keeps
 * close stamps for; client I takes I x (RS_FLEET_SLOTS / N) on. */
#define RS_FLEET_SLOTS 1000000u
#define RS_FLEET_MAX 1000u

/* The client engine (struct rs_engine in client.h). */
enum rs_engine_id { RS_ENGINE_URING, RS_ENGINE_EPOLL };

/* --repeat: most replicate blocks (run and check) */
#define RS_MAX_REPEAT 1000u

struct rs_config {
	uint32_t concurrency;   /* connections in flight, all client threads */
	uint64_t duration_ns;   /* 0: no time limit (then count is set) */
	uint64_t count;         /* connections to run; 0: no count limit */
	uint32_t threads;       /* client threads */
	uint32_t server_threads;
	uint32_t ports;         /* listening ports, all server threads */
	struct rs_mix mix;
	uint64_t seed;
	bool seed_given;
	uint32_t repeat;        /* --repeat: replicate blocks (1: none) */
	struct rs_script script;
	enum rs_wait wait;
	uint32_t op_size;       /* bytes per write op, the reads' buffer */
	uint32_t server_sends;  /* bytes the server sends before its close */
	enum rs_side closer;    /* --closer: the side that closes each
				 * connection by the plan (RS_SIDE_*, as
				 * check's scenarios); the other, the victim,
				 * runs the ops after the close */
	uint64_t gap_ns;        /* RS_WAIT_GAP */
	uint64_t op_gap_ns;     /* pause between ops; 0: none */
	uint64_t timeout_ns;    /* per step: connect, hello, wait, each op */
	const char *csv_dir;
	const char *json_path;  /* --json FILE or "-" */
	const char *hlog_path;  /* --hlog FILE */
	bool quiet;
	uint64_t interval_ns;   /* --interval; 0: none */
	bool no_direct;         /* force socket(2) fds on the client */
	bool no_multishot;      /* force re-armed single-shot accept */
	enum rs_ringmode ring;
	enum rs_engine_id engine; /* client engine; servers are io_uring */
	bool netns;             /* run in a fresh network namespace */
	bool hold;              /* --hold: open all, hold, storm, ops */
	bool churn;             /* --churn: the TCP_CRR-shaped preset */
	uint32_t sources;       /* client source addresses 127.0.0.1..N */
	bool no_server_direct;  /* force ordinary fds on the server */
	/* given on the command line: the run may grow defaults to fit the
	 * per-ring direct descriptor limit, never values given */
	bool threads_given, server_threads_given, ports_given;
	/* --target: clients only, against these servers (rststorm serve, or
	 * --foreign ones); ntargets 0: embedded servers */
	struct rs_addr target[RS_MAX_ADDRS];
	uint32_t ntargets;
	/* serve --listen: where to listen (port 0: kernel-chosen) */
	struct rs_addr listen[RS_MAX_ADDRS];
	uint32_t nlisten;
	bool allow_remote;      /* addresses outside 127/8 and ::1 allowed */
	uint64_t rate;          /* new connections per second; 0: no cap */
	bool ipv6;              /* -6: embedded servers and clients on ::1 */
	bool foreign;           /* --target is not rststorm: --request */
	const char *request;    /* --request as given (STRING or @FILE) */
	char *request_buf;      /* the request's bytes (owned), loaded by
				 * rs_cli_load_request */
	size_t request_len;
	/* --client-index I/N: this client's place in a fleet (count 0: not
	 * given); its global slots start at rs_cli_slot_base */
	uint32_t client_index, client_count;
	/* set by rs_run for --target (not an option): the servers' clock and
	 * stamps, from rs_target_open */
	const struct rs_target *tlink;
	/* --link: the spec as parsed (link_given false: no link) */
	bool link_given;
	struct rs_link_spec link_spec;
	/* set by rs_run and check (not an option): the open link; the
	 * servers' listeners go on its server side, the client threads
	 * start on its client side */
	struct rs_link *link;
};

/* Defaults for `rststorm run`. ncpu is the number of online CPUs. */
void rs_config_defaults(struct rs_config *cfg, unsigned ncpu);

/* Parse the options of `rststorm run` (argv[0] is the subcommand name).
 * Returns 0, or -EINVAL with one line in err naming the option, the value
 * and what is allowed; 1 when --help was asked (usage already printed). */
int rs_cli_parse(struct rs_config *cfg, int argc, char **argv, char *err,
		 size_t errlen);

/* rs_cli_parse for the command cmd (`rststorm serve` takes the options
 * the table marks for it; its --threads are server threads). */
int rs_cli_parse_cmd(struct rs_config *cfg, enum rs_cli_cmd cmd, int argc,
		     char **argv, char *err, size_t errlen);

/* All cross-option checks; 0 or -EINVAL with a line in err. */
int rs_cli_check(const struct rs_config *cfg, char *err, size_t errlen);

/* --client-index's checks (part of rs_cli_check): it needs --target, and
 * -c must fit in the client's share of the slots. 0 or -EINVAL, a line in
 * err. */
int rs_cli_check_fleet(const struct rs_config *cfg, char *err, size_t errlen);

/* The first global slot (connection id) of this client: 0, or with
 * --client-index I/N, I x (RS_FLEET_SLOTS / N). */
uint32_t rs_cli_slot_base(const struct rs_config *cfg);

/* The usage text of `rststorm run`, from the option table. */
void rs_cli_usage(FILE *f);

/* The usage text of cmd, from the option table. */
void rs_cli_usage_cmd(enum rs_cli_cmd cmd, FILE *f);

/*
 * The allow-list: every --target and --listen address is on loopback
 * (127.0.0.0/8, ::1), or --allow-remote is given. Returns 0, or -EINVAL
 * with one line in err naming the option, the address and --allow-remote.
 * Pure: called before any socket exists.
 */
int rs_cli_check_remote(const struct rs_config *cfg, char *err,
			size_t errlen);

/* Parse a comma-separated list of addresses (--target) into out (at most
 * max). Returns the count, or -EINVAL with one line in err naming opt. */
int rs_cli_parse_addrs(const char *opt, const char *val, bool port0_ok,
		       struct rs_addr *out, uint32_t have, uint32_t max,
		       char *err, size_t errlen);

/* Load --request (a STRING with \r \n \t \\ escapes, or @FILE) into
 * cfg->request_buf. Returns 0, or -errno with one line in err. */
int rs_cli_load_request(struct rs_config *cfg, char *err, size_t errlen);

/* key=value lines of the effective configuration. */
void rs_cli_dump(const struct rs_config *cfg, FILE *f);

/* "2000", "10k", "1m" (x1000, x1000000). Returns 0 or -EINVAL. */
int rs_parse_count(const char *s, uint64_t *out);

/* "5s", "500ms", "20us", "100ns", "2m", "1h"; a bare number is seconds.
 * Returns 0 or -EINVAL. */
int rs_parse_duration(const char *s, uint64_t *ns);

/* Write a duration in the largest unit that keeps it whole ("5s",
 * "1500ms", "120s"); rs_parse_duration reads it back exactly. */
void rs_format_duration(uint64_t ns, char *buf, size_t len);

/* The wait policy as written: "close", "none" or the gap ("10ms"). */
void rs_wait_format(const struct rs_config *cfg, char *buf, size_t len);

#endif
