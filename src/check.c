/* `rststorm check` and `rststorm scenarios`: run scenarios for N trials,
 * alone and under a background load on the same ring, judge each op
 * against the expectation table (scenario.c), reconcile the kernel's
 * counters in a namespace of the run's own, print and write CSV. */
#include "check.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <liburing.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "esc.h"
#include "json.h"
#include "mib.h"
#include "netns.h"
#include "rstreason.h"
#include "probe.h"
#include "report.h"
#include "ring.h"
#include "run.h"
#include "scenario.h"
#include "scenfile.h"
#include "trial.h"
#include "util.h"
#include "verdict.h"

#define MAX_NAMES 64

struct check_opts {
	uint32_t trials;
	uint32_t repeat;        /* --repeat: blocks of --trials per phase */
	uint32_t load_c;
	uint32_t parallel;
	uint64_t gap_ns;
	uint64_t timeout_ns;
	int closer;             /* -1: each scenario's own */
	const char *csv_dir;
	const char *json_path;  /* --json FILE or "-" */
	bool netns, quiet;
	struct rs_config base;  /* --ring, --no-direct, --no-multishot */
	const struct rs_scenario *sel[RS_SC_MAX_TOTAL];
	unsigned nsel;
	char *files[MAX_NAMES]; /* -f FILE */
	unsigned nfiles;
	bool all;               /* --all: the built-ins with -f */
};

/* INTERRUPTED: a signal stopped the phase; SKIPPED: it could not be run as
 * it says (a cross-CPU race without two CPUs). Neither is judged, and
 * neither is written to the CSV files, which hold judged phases only. */
enum verdict { V_PASS, V_MEASURED, V_DIFF, V_INTERRUPTED, V_SKIPPED, V_N };
static const char *const vname[] = { "PASS", "MEASURED", "DIFF",
				     "INTERRUPTED", "SKIPPED" };
#define CNT_MISMATCH V_N /* counts[]: counter mismatches after the verdicts */

/* A counter's expected range; hi UINT64_MAX = no upper bound. */
struct expect_range {
	uint64_t lo, hi;
};

struct phase {
	bool ran, loaded;
	int signo;              /* the signal that interrupted it, or 0 */
	uint32_t want_trials;
	struct rs_trial_result r;
	/* --repeat: each block's r.n, the blocks run (r holds the sums) */
	uint64_t (*blk)[RS_SC_MAX_OPS][RS_RES_N];
	unsigned nblk;
	enum verdict v;
	char detail[512];
	unsigned sig_rule;
	/* the load */
	uint64_t load_conns, load_failed;
	double elapsed_s;
	/* counters */
	bool have_mib;
	int64_t delta[16];
	struct expect_range want[16];
	/* TCPAbortOnClose + TCPAbortOnData: a racy close bumps one or the
	 * other, so their sum is what is known */
	struct expect_range want_abort_sum;
	unsigned mismatches;
	uint64_t srv_accepted, connects_ok;
	/* the RSTs traced (rstreason.h) */
	struct rs_rst_tally rst;
	uint64_t rst_overrun;
	bool rst_drain;         /* its RSTs read by the drain thread */
	const char *rst_status; /* as rst_reasons.csv's status column */
	char *rst_lines;        /* what the model did not predict */
};

struct sc_run {
	const struct rs_scenario *sc;
	unsigned closer;
	struct phase ph[2];
};

/* ---------------------------------------------------------------- CLI */

enum { O_TRIALS = 256, O_LOADC, O_GAP, O_CLOSER, O_TIMEOUT, O_CSV, O_NETNS,
       O_PARALLEL, O_RING, O_NODIRECT, O_NOMULTI, O_JSON, O_LINK, O_ALL,
       O_REPEAT };

static const struct option longopts[] = {
	{ "trials", 1, NULL, O_TRIALS },
	{ "repeat", 1, NULL, O_REPEAT },
	{ "load-c", 1, NULL, O_LOADC },
	{ "gap", 1, NULL, O_GAP },
	{ "closer", 1, NULL, O_CLOSER },
	{ "timeout", 1, NULL, O_TIMEOUT },
	{ "parallel", 1, NULL, O_PARALLEL },
	{ "csv", 1, NULL, O_CSV },
	{ "json", 1, NULL, O_JSON },
	{ "netns", 0, NULL, O_NETNS },
	{ "link", 1, NULL, O_LINK },
	{ "ipv6", 0, NULL, '6' },
	{ "ring", 1, NULL, O_RING },
	{ "no-direct", 0, NULL, O_NODIRECT },
	{ "no-multishot", 0, NULL, O_NOMULTI },
	{ "file", 1, NULL, 'f' },
	{ "all", 0, NULL, O_ALL },
	{ "quiet", 0, NULL, 'q' },
	{ "help", 0, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void check_usage(FILE *f)
{
	fprintf(f,
		"usage: rststorm check [NAME...] [-f FILE]... [options]\n"
		"\n"
		"Run each scenario (all when no NAME is given; `rststorm scenarios` lists\n"
		"them; with -f FILE, the file's, docs/scenarios.md being the format)\n"
		"for N trials, first alone, then under a background load running\n"
		"through the same io_uring, and judge every op against the expectation.\n"
		"Verdicts: PASS, DIFF (an exact expectation failed: exit 1), MEASURED (a\n"
		"distribution, with 95%% Wilson intervals), SKIPPED (cannot run as it\n"
		"says here, e.g. a cross-CPU race with one CPU: the reason is shown),\n"
		"INTERRUPTED (a signal stopped the phase: not judged, exit 128+signal).\n"
		"Exit status: 0 no DIFF, 1 DIFF or a counter mismatch, 2 usage error,\n"
		"128+N stopped by signal N (130: SIGINT).\n"
		"\n"
		"options:\n"
		"  --trials N        trials per scenario and phase (default 200; 1..1000000)\n"
		"  --repeat N        run each phase N times, --trials each, as replicate\n"
		"                    blocks (blocks.csv; measured cells show the spread\n"
		"                    between blocks) (default 1; 1..1000)\n"
		"  --load-c N        load connections in flight in the loaded phase\n"
		"                    (default 1000; 0: no loaded phase; up to 100000)\n"
		"  --gap T           the seeds' pause between writes (default 1s; 0..60s)\n"
		"  --closer SIDE     server|client: which side closes, for every scenario\n"
		"                    (default: each scenario's own)\n"
		"  --parallel N      trials in flight at once (default 50; 1..1024)\n"
		"  --timeout T       per op or wait (default 5s; 1ms..60s)\n"
		"  --csv DIR         write check.csv, verdicts.csv, cells.csv, mib.csv\n"
		"  --json FILE       the same report as one JSON document; - for stdout\n"
		"                    (what check prints then goes to stderr)\n"
		"  --netns           run in a fresh network namespace (root, or a user\n"
		"                    namespace of its own) and reconcile\n"
		"                    the kernel's TCP counters with the trials\n"
		"  --link SPEC       the trials and the load over an emulated link between\n"
		"                    two fresh namespaces: rtt=T[,loss=P%%][,jitter=T]\n"
		"                    [,rate=R] (root; as rststorm run; not with --netns)\n"
		"  --ring MODE       auto|defer|coop|plain (as rststorm run)\n"
		"  --no-direct       load client sockets from socket(2)\n"
		"  --no-multishot    load server accepts single-shot\n"
		"  -f, --file FILE   run the scenarios of FILE (repeatable): only those\n"
		"                    unless --all or NAMEs say otherwise; a parse error:\n"
		"                    FILE:LINE:COL: expected X, found Y, exit 2\n"
		"  --all             with -f: the built-ins too\n"
		"  -6, --ipv6        the trials and the load over ::1 (default 127.0.0.1)\n"
		"  -q, --quiet       no progress\n"
		"  -h, --help        this text\n");
}

static int bad(char *err, size_t len, const char *fmt, const char *opt,
	       const char *val)
{
	char e[RS_ESC_VALUE];

	snprintf(err, len, fmt, opt, rs_esc(e, sizeof(e), val));
	return -EINVAL;
}

static int parse_check(struct check_opts *o, int argc, char **argv,
		       char *err, size_t errlen)
{
	char ev[RS_ESC_VALUE];
	int c;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(o, 0, sizeof(*o));
	o->trials = 200;
	o->repeat = 1;
	o->load_c = 1000;
	o->parallel = 50;
	o->gap_ns = 1000000000ull;
	o->timeout_ns = 5000000000ull;
	o->closer = -1;
	rs_config_defaults(&o->base, ncpu > 0 ? (unsigned)ncpu : 1);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh6f:", longopts, NULL)) != -1) {
		uint64_t v;
		const char *a = optarg;

		switch (c) {
		case O_TRIALS:
			if (rs_parse_count(a, &v) || v < 1 || v > 1000000)
				return bad(err, errlen,
					   "%s '%s': a whole number 1..1000000",
					   "--trials", a);
			o->trials = (uint32_t)v;
			break;
		case O_REPEAT:
			if (rs_parse_count(a, &v) || v < 1 || v > RS_MAX_REPEAT)
				return bad(err, errlen,
					   "%s '%s': a whole number 1..1000",
					   "--repeat", a);
			o->repeat = (uint32_t)v;
			break;
		case O_LOADC:
			if (rs_parse_count(a, &v) || v > 100000)
				return bad(err, errlen,
					   "%s '%s': a whole number 0..100000 (0: no loaded phase)",
					   "--load-c", a);
			o->load_c = (uint32_t)v;
			break;
		case O_PARALLEL:
			if (rs_parse_count(a, &v) || v < 1 || v > 1024)
				return bad(err, errlen,
					   "%s '%s': a whole number 1..1024",
					   "--parallel", a);
			o->parallel = (uint32_t)v;
			break;
		case O_GAP:
			if (rs_parse_duration(a, &v) ||
			    v > 60000000000ull)
				return bad(err, errlen,
					   "%s '%s': a duration 0..60s (e.g. 1s, 20ms)",
					   "--gap", a);
			o->gap_ns = v;
			break;
		case O_TIMEOUT:
			if (rs_parse_duration(a, &v) || v < 1000000 ||
			    v > 60000000000ull)
				return bad(err, errlen,
					   "%s '%s': a duration 1ms..60s",
					   "--timeout", a);
			o->timeout_ns = v;
			break;
		case O_CLOSER:
			o->closer = rs_side_parse(a);
			if (o->closer < 0)
				return bad(err, errlen,
					   "%s '%s': server or client",
					   "--closer", a);
			break;
		case O_CSV:
			if (!*a)
				return bad(err, errlen,
					   "%s '%s': a directory name",
					   "--csv", a);
			o->csv_dir = a;
			break;
		case O_JSON:
			if (!*a)
				return bad(err, errlen,
					   "%s '%s': a file path, or - for standard output",
					   "--json", a);
			o->json_path = a;
			break;
		case O_NETNS:
			o->netns = true;
			break;
		case O_LINK:
			/* one line naming --link, the field and the value */
			if (rs_link_parse(a, &o->base.link_spec, err, errlen))
				return -EINVAL;
			o->base.link_given = true;
			break;
		case '6':
			o->base.ipv6 = true; /* the load's servers and clients */
			break;
		case O_RING:
			if (strcmp(a, "auto") == 0)
				o->base.ring = RS_RING_AUTO;
			else if (strcmp(a, "defer") == 0)
				o->base.ring = RS_RING_DEFER;
			else if (strcmp(a, "coop") == 0)
				o->base.ring = RS_RING_COOP;
			else if (strcmp(a, "plain") == 0)
				o->base.ring = RS_RING_PLAIN;
			else
				return bad(err, errlen,
					   "%s '%s': auto, defer, coop or plain",
					   "--ring", a);
			break;
		case O_NODIRECT:
			o->base.no_direct = true;
			break;
		case O_NOMULTI:
			o->base.no_multishot = true;
			break;
		case 'f':
			if (o->nfiles >= MAX_NAMES)
				return bad(err, errlen, "%s '%s': at most 64 files",
					   "-f", a);
			o->files[o->nfiles++] = optarg;
			break;
		case O_ALL:
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			check_usage(stdout);
			return 1;
		case ':':
			snprintf(err, errlen, "%s: needs a value",
				 rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return -EINVAL;
		default:
			snprintf(err, errlen,
				 "'%s': unknown option (rststorm check --help lists them)",
				 rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return -EINVAL;
		}
	}
	if (o->all && !o->nfiles) {
		snprintf(err, errlen,
			 "--all: only with -f FILE (without -f every built-in runs)");
		return -EINVAL;
	}
	/* the files before the names: a NAME may be one of theirs */
	for (unsigned i = 0; i < o->nfiles; i++) {
		int r = rs_scenario_load(o->files[i], err, errlen);

		if (r)
			return r == -EINVAL ? 2 : -EINVAL;
	}
	for (; optind < argc; optind++) {
		const struct rs_scenario *sc = rs_scenario_find(argv[optind]);

		if (!sc) {
			snprintf(err, errlen,
				 "'%s': unknown scenario (rststorm scenarios lists them)",
				 rs_esc(ev, sizeof(ev), argv[optind]));
			return -EINVAL;
		}
		if (o->nsel >= MAX_NAMES) {
			snprintf(err, errlen,
				 "'%s': at most %d scenario names",
				 rs_esc(ev, sizeof(ev), argv[optind]), MAX_NAMES);
			return -EINVAL;
		}
		for (unsigned i = 0; i < o->nsel; i++)
			if (o->sel[i] == sc) {
				snprintf(err, errlen,
					 "'%s': scenario named twice",
					 rs_esc(ev, sizeof(ev), argv[optind]));
				return -EINVAL;
			}
		o->sel[o->nsel++] = sc;
	}
	if (o->netns && o->base.link_given) {
		snprintf(err, errlen,
			 "--netns: not with --link: the link makes two namespaces of its own, whose counters are separate (check --link does not reconcile them)");
		return -EINVAL;
	}
	if (!o->nsel)
		for (size_t i = 0; i < rs_scenario_count() && i < RS_SC_MAX_TOTAL;
		     i++) {
			const struct rs_scenario *sc = rs_scenario_at(i);

			if (sc->test_only ||
			    (o->nfiles && !o->all && !sc->user))
				continue;
			o->sel[o->nsel++] = sc;
		}
	if (!o->nsel) {
		snprintf(err, errlen,
			 "-f: the files hold test-only scenarios only: name them, with RS_TEST_SCENARIOS=1");
		return -EINVAL;
	}
	return 0;
}

/* ----------------------------------------------------------- judging */

/* 95 % Wilson score interval of k successes in n (check.h). */
void rs_wilson95(uint64_t k, uint64_t n, double *lo, double *hi)
{
	const double z = 1.959964;
	double p, d, c, h;

	if (!n) {
		*lo = 0;
		*hi = 1;
		return;
	}
	p = (double)k / (double)n;
	d = 1 + z * z / (double)n;
	c = (p + z * z / (2.0 * (double)n)) / d;
	h = z * sqrt(p * (1 - p) / (double)n +
		     z * z / (4.0 * (double)n * (double)n)) /
	    d;
	*lo = c - h < 0 ? 0 : c - h;
	*hi = c + h > 1 ? 1 : c + h;
}

static uint64_t exp_count(const struct rs_sc_op *op, const uint64_t *n)
{
	uint64_t k = 0;

	for (unsigned i = 0; i < op->nexp; i++)
		k += n[op->exp[i]];
	return k;
}

/* Set by check --link before any phase runs: over the link the RST an op
 * draws is a round trip away, so ordered expectations are shares there
 * as under load (rs_sc_op_exact). */
static bool over_link;

static bool op_exact(const struct rs_scenario *sc, unsigned i, bool loaded)
{
	return rs_sc_op_exact(sc, i, loaded || over_link);
}

static void judge(const struct rs_scenario *sc, struct phase *p,
		  unsigned features)
{
	bool measured = false, diff = false;
	const struct rs_trial_result *r = &p->r;
	struct rs_vcell cells[RS_SC_MAX_OPS * RS_RES_N];
	char exp[RS_SC_MAX_OPS][40];
	struct rs_vphase vp = { 0 };
	size_t nc = 0;

	p->detail[0] = '\0';
	if (r->start_err) {
		p->v = V_DIFF;
		snprintf(p->detail, sizeof(p->detail),
			 "the trials could not start: %s (%s)",
			 strerror(-r->start_err), rs_errname(-r->start_err));
		return;
	}
	if (r->skip[0]) {
		p->v = V_SKIPPED;
		snprintf(p->detail, sizeof(p->detail), "%s", r->skip);
		return;
	}
	if (p->signo) {
		p->v = V_INTERRUPTED;
		snprintf(p->detail, sizeof(p->detail),
			 "interrupted by signal %d after %" PRIu64
			 " of %u trials: not judged",
			 p->signo, r->trials + r->setup_failed, p->want_trials);
		return;
	}
	if (r->off_cpu) {
		p->v = V_SKIPPED;
		snprintf(p->detail, sizeof(p->detail),
			 "a pinned thread was found off its CPU %" PRIu64
			 " times: not a cross-CPU race",
			 r->off_cpu);
		return;
	}
	/* check's own reasons (the closer thread, SO_LINGER): facts of the
	 * run that the report's cells do not carry */
	if (r->foreign_closes) {
		diff = true;
		rs_append(p->detail, sizeof(p->detail),
		       "the closer thread found its trial slot reused %" PRIu64
		       " times (it may have closed another trial's socket); ",
		       r->foreign_closes);
	}
	if (r->linger_failed) {
		diff = true;
		rs_append(p->detail, sizeof(p->detail),
		       "SO_LINGER 0 could not be set on %" PRIu64
		       " closes (they closed with a FIN); ",
		       r->linger_failed);
	}
	/* the rest is the verdict module's, as merge judges a merged report */
	for (unsigned i = 0; i < sc->nops; i++) {
		bool exact = op_exact(sc, i, p->loaded);

		vp.measured_ops |= !exact;
		rs_sc_exp_format(&sc->op[i], exp[i], sizeof(exp[i]));
		for (unsigned res = 0; res < RS_RES_N; res++) {
			if (!r->n[i][res])
				continue;
			cells[nc++] = (struct rs_vcell){
				.op_index = i + 1,
				.op_kind = rs_sop_name(sc->op[i].kind),
				.result = rs_result_name(res),
				.expected = exp[i],
				.exact = exact,
				.count = r->n[i][res],
			};
		}
	}
	p->sig_rule = rs_sc_sig_rule(sc, features);
	vp.want = p->want_trials;
	vp.trials = r->trials;
	vp.setup_failed = r->setup_failed;
	vp.setup_err = r->setup_err;
	vp.sigpipe = r->sigpipe;
	vp.epipe = r->epipe_writes;
	vp.sig_rule = rs_sig_rule_name(p->sig_rule);
	vp.cells = cells;
	vp.ncells = nc;
	switch (rs_verdict_judge(&vp, p->detail, sizeof(p->detail))) {
	case RS_V_DIFF:
		diff = true;
		break;
	case RS_V_MEASURED:
		measured = true;
		break;
	default:
		break;
	}
	p->v = diff ? V_DIFF : measured ? V_MEASURED : V_PASS;
}

/* ------------------------------------------------- kernel counters */

enum { C_OUTRSTS, C_ESTABRESETS, C_ATTEMPTFAILS, C_ACTIVE, C_PASSIVE,
       C_ABORTCLOSE, C_ABORTDATA, C_ABORTLINGER, C_OVERFLOWS, C_DROPS };

static void add_range(struct expect_range *e, uint64_t lo, uint64_t hi)
{
	e->lo += lo;
	e->hi = (e->hi == UINT64_MAX || hi == UINT64_MAX) ? UINT64_MAX :
							     e->hi + hi;
}

/*
 * What the trials (and the load) imply for each watched counter. The
 * trials' part is exact where the kernel leaves no choice (F5 in
 * scenario.c: RST closes, EstabResets, AbortOnClose) and a range where the
 * timing decides (an RST drawn by data arriving at a FIN-closed socket is
 * counted as TCPAbortOnData while the orphan is still a full socket in
 * FIN_WAIT1/2, not once it has become a timewait socket). The load's part
 * is a range from its close plans and results.
 */
static void expect_counters(struct phase *p, const struct rs_run_out *out)
{
	const struct rs_trial_result *r = &p->r;
	struct expect_range *w = p->want;
	uint64_t rst_closes = r->rst_unread + r->rst_linger_sent;
	/* racy closes (trial.h): either counter, or maybe AbortOnClose */
	uint64_t racy = r->rst_either + r->rst_maybe;
	struct expect_range *sum = &p->want_abort_sum;

	memset(p->want, 0, sizeof(p->want));
	memset(sum, 0, sizeof(*sum));
	add_range(&w[C_OUTRSTS], rst_closes + r->drawn_lo,
		  rst_closes + r->drawn_hi + racy);
	add_range(&w[C_ESTABRESETS], r->estab_resets,
		  r->estab_resets + r->rst_maybe);
	add_range(&w[C_ACTIVE], r->trials, r->trials + r->setup_failed);
	add_range(&w[C_PASSIVE], r->trials, r->trials + r->setup_failed);
	add_range(&w[C_ABORTCLOSE], r->rst_unread, r->rst_unread + racy);
	add_range(&w[C_ABORTDATA], r->rst_linger,
		  r->rst_linger + r->rst_either + r->drawn_hi);
	add_range(sum, r->rst_unread + r->rst_linger + r->rst_either,
		  r->rst_unread + r->rst_linger + r->rst_either + r->rst_maybe +
			  r->drawn_hi);
	add_range(&w[C_ATTEMPTFAILS], 0, r->setup_failed);
	if (p->loaded && out->client) {
		const struct rs_tally *c = out->client, *s = out->server;
		uint64_t sock_fail = c->abandoned[RS_PH_SOCKET], conn_fail =
			c->abandoned[RS_PH_CONNECT];
		uint64_t issued, ok, srst, sunread, oksend = 0, started;

		for (unsigned e = 0; e < RS_RES_N; e++) {
			sock_fail += c->failed[RS_PH_SOCKET][e];
			conn_fail += c->failed[RS_PH_CONNECT][e];
		}
		issued = c->started - sock_fail;
		ok = issued - conn_fail;
		started = c->started;
		srst = s->srv_closed[RS_CLOSE_RST];
		sunread = s->srv_closed[RS_CLOSE_UNREAD] - s->srv_unread_empty;
		for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
			for (unsigned i = 0; i < RS_MAX_OPS; i++)
				oksend += c->outcome.n[m][i][RS_RES_OK];
		p->srv_accepted = s->srv_accepted;
		p->connects_ok = ok;
		add_range(&w[C_ACTIVE], ok, issued);
		add_range(&w[C_PASSIVE], s->srv_accepted, issued);
		/* server RST closes, plus at most one RST per accepted send
		 * and one per connection from the client's side */
		add_range(&w[C_OUTRSTS], srst + sunread,
			  srst + sunread + oksend + started);
		add_range(&w[C_ESTABRESETS], srst + sunread,
			  2 * (srst + sunread) + oksend + started);
		add_range(&w[C_ABORTCLOSE], sunread, sunread + started);
		add_range(&w[C_ABORTDATA], srst, srst + oksend);
		add_range(sum, sunread + srst, sunread + started + srst + oksend);
		add_range(&w[C_ATTEMPTFAILS], 0, conn_fail);
		add_range(&w[C_OVERFLOWS], 0, UINT64_MAX);
		add_range(&w[C_DROPS], 0, UINT64_MAX);
	}
}

/* Counter i of a phase within the range the trials and the load imply. */
static bool counter_ok(const struct phase *p, unsigned i)
{
	return p->delta[i] >= 0 && (uint64_t)p->delta[i] >= p->want[i].lo &&
	       (uint64_t)p->delta[i] <= p->want[i].hi;
}

static int64_t abort_sum(const struct phase *p)
{
	if (p->delta[C_ABORTCLOSE] < 0 || p->delta[C_ABORTDATA] < 0)
		return -1;
	return p->delta[C_ABORTCLOSE] + p->delta[C_ABORTDATA];
}

/* The joint range of TCPAbortOnClose + TCPAbortOnData. */
static bool abort_sum_ok(const struct phase *p)
{
	int64_t d = abort_sum(p);

	return d >= 0 && (uint64_t)d >= p->want_abort_sum.lo &&
	       (uint64_t)d <= p->want_abort_sum.hi;
}

static void reconcile(struct phase *p, const struct rs_mib *before,
		      const struct rs_mib *after, const struct rs_run_out *out)
{
	expect_counters(p, out);
	p->have_mib = before && after;
	p->mismatches = 0;
	if (!p->have_mib)
		return;
	for (unsigned i = 0; i < rs_mib_nwatched && i < 16; i++) {
		int64_t d = 0;

		if (rs_mib_delta(before, after, rs_mib_watched[i], &d)) {
			p->delta[i] = -1;
			continue;
		}
		p->delta[i] = d;
		if (!counter_ok(p, i))
			p->mismatches++;
	}
	if (!abort_sum_ok(p))
		p->mismatches++;
}

/* --------------------------------------------------------- running */

/* The load's rings: one client and one server ring while a ring's direct
 * descriptor table holds the load, more when it does not (as run does). */

/* The RST reasons (rstreason.h): traced with --netns when the kernel and
 * privileges allow; rst_why says why not. */
static struct rs_rstr *rstr;
static char rst_why[320];

static bool rst_no_reason;

static void rst_begin(struct phase *p, uint32_t trials)
{
	p->rst_status = rstr ? NULL : rst_no_reason ? "no-reason" : "no-trace";
	if (!rstr)
		return;
	p->r.recs = calloc(trials, sizeof(*p->r.recs));
	p->r.cap_recs = p->r.recs ? trials : 0;
	rs_rstr_clear(rstr);
	/* read as the phase goes, keeping the trials' events only (their
	 * listener's port, given per block): the load's RSTs, ~25k a
	 * second, overran a buffer read at the end */
	p->rst_drain = rs_rstr_drain_start(rstr) == 0;
	if (!p->rst_drain)
		fprintf(stderr,
			"rststorm check: the RST trace is read at the end of the phase (its reader thread did not start): a busy load may overrun it, which the report says\n");
}

/* Attribute and judge the phase's RSTs; print each the model did not
 * predict. */
static void rst_end(const struct sc_run *sr, struct phase *p)
{
	struct rs_rst_ev *evs;
	size_t nev;
	char label[96];
	int e;

	if (!rstr)
		return;
	if (!p->r.recs) {
		if (p->rst_drain) { /* stop it: the next phase starts its own */
			uint64_t o;

			if (!rs_rstr_drain_take(rstr, &evs, &nev, &o))
				free(evs);
		}
		p->rst_status = "no-trace";
		return;
	}
	e = p->rst_drain ? rs_rstr_drain_take(rstr, &evs, &nev, &p->rst_overrun) :
			   rs_rstr_collect(rstr, &evs, &nev, &p->rst_overrun);
	if (e) {
		fprintf(stderr,
			"rststorm check %s: RST reasons not read from %s: %s: the counters still hold\n",
			sr->sc->name, rs_rstr_path(rstr), strerror(-e));
		p->rst_status = "no-trace";
	} else {
		size_t len;
		FILE *m = open_memstream(&p->rst_lines, &len);

		snprintf(label, sizeof(label), "%s %s", sr->sc->name,
			 p->loaded ? "load" : "alone");
		rs_rst_judge(evs, nev, p->r.recs, p->r.nrecs, &p->rst, m,
			     label);
		if (m)
			fclose(m);
		if (!p->rst_status)
			p->rst_status = p->rst_overrun ? "overrun" :
					p->rst.trials_off ? "DIFF" :
					p->rst.trials_racy ? "measured" :
							     "exact";
	}
	free(evs);
	free(p->r.recs);
	p->r.recs = NULL;
}

/* Start the tracing before the namespace is entered (a user namespace
 * has no tracefs); one line says why when it cannot. */
static void rst_start(void)
{
	/* an event takes ~90 bytes of ring buffer: 16 MiB per CPU keeps
	 * ~180k between two reads, the phase's trials and load and the
	 * host's other RSTs (the event is global); more is an overrun,
	 * reported */
	rstr = rs_rstr_start(16384, rst_why, sizeof(rst_why));
	if (rstr && !rs_rstr_has_reason(rstr)) {
		rs_rstr_stop(rstr);
		rstr = NULL;
		rst_no_reason = true;
		snprintf(rst_why, sizeof(rst_why),
			 "the kernel's tcp_send_reset has no reason field (before 6.10)");
	}
}

static int run_phase(const struct check_opts *o, const struct rs_probe *probe,
		     struct sc_run *sr, bool loaded)
{
	struct phase *p = &sr->ph[loaded];
	struct rs_config lc = o->base;
	struct rs_probe pr = *probe;
	struct rs_trials_cfg tc;
	struct rs_guest *g;
	struct rs_run_out out;
	struct rs_mib *before, *after;
	char err[320];
	int st;

	memset(p, 0, sizeof(*p));
	p->loaded = loaded;
	p->want_trials = o->trials * o->repeat;
	lc.concurrency = loaded ? o->load_c : 0;
	rs_load_shape(&lc, probe);
	lc.count = 0;
	lc.duration_ns = 0;
	lc.timeout_ns = o->timeout_ns;
	lc.quiet = true;
	if (sr->sc->path == RS_PATH_SQPOLL)
		pr.ring_flags = IORING_SETUP_SQPOLL;

	memset(&tc, 0, sizeof(tc));
	tc.sc = sr->sc;
	tc.closer = sr->closer;
	tc.trials = o->trials;
	tc.parallel = o->parallel;
	tc.gap_ns = o->gap_ns;
	tc.timeout_ns = o->timeout_ns;
	tc.xcpu_closer_cpu = -1;
	tc.ipv6 = o->base.ipv6;
	tc.link = o->base.link;
	/* the load reaches its steady state on loopback within ~100 ms */
	tc.warmup_ns = loaded ? 300000000ull : 0;
	rst_begin(p, o->trials * o->repeat);
	if (o->repeat > 1 && !(p->blk = calloc(o->repeat, sizeof(*p->blk))))
		rs_fatal("check --repeat %u: out of memory for the blocks' counts: ask for fewer blocks",
			 o->repeat);
	before = rs_mib_read();
	/*
	 * --repeat N: the phase's trials N times, each block a run of its
	 * own (its load, its trials); the trials' counts add up in p->r
	 * (trial.c adds; it sets sigpipe and foreign_closes per block, so
	 * those are summed here) and each block's counts are kept.
	 */
	for (unsigned b = 0; b < o->repeat; b++) {
		struct rs_run_out bo;
		uint64_t sig = p->r.sigpipe, foreign = p->r.foreign_closes;
		uint64_t n0[RS_SC_MAX_OPS][RS_RES_N];

		memcpy(n0, p->r.n, sizeof(n0));
		g = rs_trials_new(&tc, &p->r, err, sizeof(err));
		if (!g)
			rs_fatal("check %s: %s", sr->sc->name, err);
		if (p->rst_drain && rs_rstr_drain_keep(rstr, rs_trials_port(g)))
			rs_fatal("check %s: --repeat %u: more blocks than the RST trace can follow (%u): ask for fewer",
				 sr->sc->name, o->repeat, RS_RSTR_KEEP_MAX);
		st = rs_run_core(&lc, &pr, g, false, b ? &bo : &out);
		/* one complete line of its own, whatever the engine printed */
		if (p->r.start_err)
			fprintf(stderr,
				"rststorm check %s: the trials could not start: %s (%s)%s%s: %s\n",
				sr->sc->name, strerror(-p->r.start_err),
				rs_errname(-p->r.start_err), g->errmsg[0] ? ": " : "",
				g->errmsg,
				p->r.start_err == -EMFILE || p->r.start_err == -ENFILE ?
					"raise the open file limit (ulimit -n) or lower --parallel" :
					"run the scenario alone to see whether it persists");
		rs_trials_free(g);
		if (b) {
			p->r.sigpipe += sig;
			p->r.foreign_closes += foreign;
			rs_tally_add(out.client, bo.client);
			rs_tally_add(out.server, bo.server);
			out.t_end += bo.t_end - bo.t0;
			rs_run_out_free(&bo);
		}
		if (p->blk) {
			for (unsigned i = 0; i < RS_SC_MAX_OPS; i++)
				for (unsigned r = 0; r < RS_RES_N; r++)
					p->blk[b][i][r] = p->r.n[i][r] - n0[i][r];
			p->nblk = b + 1;
		}
		if (st || p->r.start_err || p->r.skip[0])
			break;
	}
	after = before ? rs_mib_read() : NULL;
	rst_end(sr, p);
	p->ran = true;
	p->elapsed_s = (double)(out.t_end - out.t0) / 1e9;
	if (loaded) {
		p->load_conns = out.client->completed;
		p->load_failed = rs_tally_failed_total(out.client);
	}
	reconcile(p, before, after, &out);
	rs_mib_free(before);
	rs_mib_free(after);
	rs_run_out_free(&out);
	return st;
}

/* ---------------------------------------------------------- output */

static int cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* --repeat: the spread of a share between the blocks of a phase, as
 * " blocks min/median/max a/b/c%" (nothing with fewer than 2 blocks). */
static void block_spread(const struct rs_scenario *sc, const struct phase *p,
			 unsigned i, char *buf, size_t len)
{
	double sh[RS_MAX_REPEAT];
	unsigned m = 0;

	for (unsigned b = 0; b < p->nblk; b++) {
		uint64_t tot = 0;

		for (unsigned r = 0; r < RS_RES_N; r++)
			tot += p->blk[b][i][r];
		if (tot)
			sh[m++] = 100.0 *
				  (double)exp_count(&sc->op[i], p->blk[b][i]) /
				  (double)tot;
	}
	if (m < 2)
		return;
	qsort(sh, m, sizeof(sh[0]), cmp_dbl);
	rs_append(buf, len, " blocks min/median/max %.0f/%.0f/%.0f%%", sh[0],
		  m % 2 ? sh[m / 2] : (sh[m / 2 - 1] + sh[m / 2]) / 2,
		  sh[m - 1]);
}

static void cell_text(const struct rs_scenario *sc, const struct phase *p,
		      unsigned i, char *buf, size_t len)
{
	const uint64_t *n = p->r.n[i];
	uint64_t tot = p->r.trials;
	/* the results, largest first */
	bool shown[RS_RES_N] = { false };

	buf[0] = '\0';
	if (!tot) {
		snprintf(buf, len, "-");
		return;
	}
	for (;;) {
		unsigned best = RS_RES_N;

		for (unsigned r = 0; r < RS_RES_N; r++)
			if (n[r] && !shown[r] && (best == RS_RES_N || n[r] > n[best]))
				best = r;
		if (best == RS_RES_N)
			break;
		shown[best] = true;
		rs_append(buf, len, "%s%s %.1f%%", buf[0] ? " " : "",
		       rs_result_name(best), 100.0 * (double)n[best] / (double)tot);
	}
	if (!op_exact(sc, i, p->loaded)) {
		double lo, hi;
		char e[40];

		rs_sc_exp_format(&sc->op[i], e, sizeof(e));
		rs_wilson95(exp_count(&sc->op[i], n), tot, &lo, &hi);
		rs_append(buf, len, " [%s %.1f-%.1f%%]", e, 100 * lo, 100 * hi);
		block_spread(sc, p, i, buf, len);
	}
}

static void print_claims(const struct sc_run *sr, FILE *f)
{
	const struct rs_scenario *sc = sr->sc;

	for (unsigned i = 0; i < sc->nops; i++) {
		int c = sc->op[i].claim;

		if (c < 0)
			continue;
		fprintf(f, "  claim (%s): op %u %s -> %s:", sc->claim_src, i + 1,
			rs_sop_name(sc->op[i].kind), rs_result_name((unsigned)c));
		for (unsigned ph = 0; ph < 2; ph++) {
			const struct phase *p = &sr->ph[ph];
			uint64_t k;

			if (!p->ran)
				continue;
			k = p->r.n[i][c];
			fprintf(f, " %s %s (%" PRIu64 "/%" PRIu64 ")",
				ph ? "under load" : "alone",
				k == p->r.trials ? "holds" :
				k ? "holds in part" : "does not hold",
				k, p->r.trials);
			fputc(ph || !sr->ph[1].ran ? '\n' : ';', f);
		}
		if (sr->ph[0].r.n[i][c] != sr->ph[0].r.trials)
			fprintf(f, "    why: %s\n", sc->basis);
	}
}

/* One line per phase: the RSTs traced by (side, state, reason), how
 * many trials were exactly as the model says; then what it did not
 * predict. */
static void print_rst(const struct sc_run *sr, FILE *f)
{
	for (unsigned ph = 0; ph < 2; ph++) {
		const struct phase *p = &sr->ph[ph];
		const struct rs_rst_tally *t = &p->rst;

		if (!p->ran || !p->rst_status || !strcmp(p->rst_status, "no-trace") ||
		    !strcmp(p->rst_status, "no-reason"))
			continue;
		fprintf(f, "  RSTs %s:", ph ? "under load" : "alone");
		for (unsigned k = 0; k < t->nk; k++)
			fprintf(f, " %s(%s) %s %s x%" PRIu64 ";",
				rs_side_name(t->k[k].side),
				t->k[k].side == sr->closer ? "closer" : "victim",
				t->k[k].state, t->k[k].reason, t->k[k].n);
		if (!t->nk)
			fprintf(f, " none;");
		fprintf(f, " trials exact %" PRIu64 ", off %" PRIu64
			", racy (measured) %" PRIu64,
			t->trials_exact, t->trials_off, t->trials_racy);
		if (t->extras)
			fprintf(f, ", later RSTs within the model's allowance %" PRIu64,
				t->extras);
		/* the listener's RST names the listener, not the pair
		 * (src 127.0.0.1:port, dest 0.0.0.0:0): a late segment of a
		 * trial whose socket is gone, not tied to one trial */
		if (t->foreign)
			fprintf(f, ", from the trials' listener %" PRIu64,
				t->foreign);
		if (p->rst_overrun)
			fprintf(f, ", %" PRIu64 " events LOST (trace overrun)",
				p->rst_overrun);
		fprintf(f, "  %s\n", p->rst_status);
		if (p->rst_lines && p->rst_lines[0])
			fputs(p->rst_lines, f);
	}
}

/* The three most frequent whole-trial sequences of each phase, one line:
 * "sequences alone: ok,ok,EPIPE 100%; ..." */
static void print_sequences(const struct sc_run *sr, FILE *f)
{
	for (unsigned ph = 0; ph < 2; ph++) {
		const struct phase *p = &sr->ph[ph];
		const struct rs_seqs *q = &p->r.seqs;
		unsigned idx[RS_SEQ_MAX];
		char t[RS_SC_MAX_OPS * 24];

		if (!p->ran || !p->r.trials || !q->n)
			continue;
		rs_seqs_by_count(q, idx);
		fprintf(f, "  sequences %s (%u):", ph ? "under load" : "alone",
			q->n + (q->other > 0));
		for (unsigned i = 0; i < q->n && i < 3; i++) {
			rs_seq_format(&q->s[idx[i]], q->nops, t, sizeof(t));
			fprintf(f, "%s %s %" PRIu64 " (%.1f%%)", i ? ";" : "", t,
				q->s[idx[i]].count,
				100.0 * (double)q->s[idx[i]].count /
					(double)p->r.trials);
		}
		if (q->n > 3 || q->other)
			fprintf(f, "; ...");
		fputc('\n', f);
	}
}

static void print_scenario(const struct check_opts *o, const struct sc_run *sr,
			   FILE *f)
{
	const struct rs_scenario *sc = sr->sc;
	char head[2][64], desc[256];

	rs_sc_describe(sc, sr->closer, desc, sizeof(desc));
	fprintf(f, "%s: %s\n", sc->name, desc);
	fprintf(f, "  closer %s, %s, wait %s, path %s%s%s; SIGPIPE expected: %s\n",
		rs_side_name(sr->closer), rs_close_name(sc->mode),
		rs_sc_wait_name(sc->wait), rs_path_name(sc->path),
		sc->sigdisp == RS_SIGDISP_DEFAULT ?
			", SIGPIPE action default (the ops in a child)" :
		sc->sigdisp == RS_SIGDISP_IGNORE ? ", SIGPIPE ignored" : "",
		sc->nonblock ? ", O_NONBLOCK" : "",
		rs_sig_rule_name(sr->ph[0].sig_rule));
	snprintf(head[0], sizeof(head[0]), "alone (%" PRIu64 ")",
		 sr->ph[0].r.trials);
	snprintf(head[1], sizeof(head[1]), "load -c %u (%" PRIu64 ")",
		 o->load_c, sr->ph[1].r.trials);
	fprintf(f, "  %-3s %-12s %-17s %-36s %s\n", "op", "kind", "expected",
		head[0], sr->ph[1].ran ? head[1] : "");
	for (unsigned i = 0; i < sc->nops; i++) {
		char e[40], a[256], b[256] = "";

		rs_sc_exp_format(&sc->op[i], e, sizeof(e));
		if (!op_exact(sc, i, false))
			rs_append(e, sizeof(e), " (share)");
		else if (sr->ph[1].ran && !op_exact(sc, i, true))
			rs_append(e, sizeof(e), "*");
		cell_text(sc, &sr->ph[0], i, a, sizeof(a));
		if (sr->ph[1].ran)
			cell_text(sc, &sr->ph[1], i, b, sizeof(b));
		fprintf(f, "  %-3u %-12s %-17s %-36s %s\n", i + 1,
			rs_sop_name(sc->op[i].kind), e, a, b);
	}
	{
		char a[64], b[64] = "";

		snprintf(a, sizeof(a), "%" PRIu64 " (EPIPE writes %" PRIu64 ")",
			 sr->ph[0].r.sigpipe, sr->ph[0].r.epipe_writes);
		if (sr->ph[1].ran)
			snprintf(b, sizeof(b), "%" PRIu64 " (EPIPE writes %" PRIu64 ")",
				 sr->ph[1].r.sigpipe, sr->ph[1].r.epipe_writes);
		fprintf(f, "  %-3s %-12s %-17s %-36s %s\n", "", "SIGPIPE",
			rs_sig_rule_name(sr->ph[0].sig_rule), a, b);
	}
	print_sequences(sr, f);
	print_claims(sr, f);
	print_rst(sr, f);
	fprintf(f, "  verdict: alone %s", vname[sr->ph[0].v]);
	if (sr->ph[1].ran)
		fprintf(f, ", under load %s", vname[sr->ph[1].v]);
	fputc('\n', f);
	for (unsigned ph = 0; ph < 2; ph++)
		if (sr->ph[ph].ran && sr->ph[ph].v == V_DIFF)
			fprintf(f, "  DIFF %s: %s\n    basis: %s\n",
				ph ? "under load" : "alone", sr->ph[ph].detail,
				sc->basis);
		else if (sr->ph[ph].ran && sr->ph[ph].v > V_DIFF)
			fprintf(f, "  %s %s: %s\n", vname[sr->ph[ph].v],
				ph ? "under load" : "alone",
				sr->ph[ph].detail);
	for (unsigned ph = 0; ph < 2; ph++) {
		const struct phase *p = &sr->ph[ph];

		if (!p->ran || !o->netns || !p->have_mib || p->v > V_DIFF)
			continue;
		fprintf(f, "  counters %s:", ph ? "under load" : "alone");
		for (unsigned i = 0; i < rs_mib_nwatched && i < 16; i++) {
			const char *nm = strchr(rs_mib_watched[i], '.') + 1;
			bool ok = counter_ok(p, i);

			if (p->want[i].hi == UINT64_MAX && !p->delta[i])
				continue;
			fprintf(f, " %s %" PRId64 "%s", nm, p->delta[i],
				ok ? "" : "(!)");
			if (!ok) {
				if (p->want[i].hi == UINT64_MAX)
					fprintf(f, "[want>=%" PRIu64 "]",
						p->want[i].lo);
				else
					fprintf(f, "[want %" PRIu64 "..%" PRIu64 "]",
						p->want[i].lo, p->want[i].hi);
			}
		}
		if (!abort_sum_ok(p))
			fprintf(f,
				" TCPAbortOnClose+TCPAbortOnData %" PRId64
				"(!)[want %" PRIu64 "..%" PRIu64 "]",
				abort_sum(p), p->want_abort_sum.lo,
				p->want_abort_sum.hi);
		fprintf(f, p->mismatches ? "  MISMATCH\n" : "  reconciled\n");
		if (p->delta[C_OVERFLOWS] > 0)
			fprintf(f,
				"  ListenOverflows +%" PRId64
				": handshakes the client completed while the server's accept queue was full; those clients believed the connection established, the server never accepted it (load connects ok %" PRIu64
				", server accepted %" PRIu64 ")\n",
				p->delta[C_OVERFLOWS], p->connects_ok,
				p->srv_accepted);
	}
	fputc('\n', f);
}

/* ------------------------------------------------------------- CSV */


/* The files of a check report, each one from its rows: check.csv (the
 * head), verdicts.csv, cells.csv and mib.csv, as src/schema.c says. */
struct csv_ctx {
	const struct check_opts *o;
	const struct rs_probe *probe;
	const struct sc_run *runs;
	unsigned n;
	const char *started;
	const unsigned *counts;
	int status;
};

static void write_check_head(const struct csv_ctx *x, FILE *f)
{
	const struct check_opts *o = x->o;
	struct rs_row w;

	rs_schema_header(RS_RF_CHECK, f);
	rs_row_init(&w, RS_RF_CHECK);
	rs_row_set(&w, "tool_version", "%s", RS_VERSION);
	rs_row_set(&w, "started_utc", "%s", x->started);
	rs_row_set(&w, "kernel_release", "%s", x->probe->release);
	rs_row_set(&w, "machine", "%s", x->probe->machine);
	rs_row_set(&w, "liburing_version", "%s", RS_LIBURING_VERSION);
	rs_row_set(&w, "ring_flags", "%s",
		   rs_ring_flags_name(x->probe->ring_flags));
	rs_row_set(&w, "client_sockets", "%s",
		   x->probe->socket_direct ? "io_uring-direct" : "socket(2)");
	rs_row_set(&w, "accept", "%s",
		   x->probe->multishot_accept ? "multishot" : "single-shot");
	/* the trials asked per phase: --trials times --repeat */
	rs_row_set(&w, "trials", "%" PRIu64, (uint64_t)o->trials * o->repeat);
	rs_row_set(&w, "load_c", "%u", o->load_c);
	rs_row_set(&w, "parallel", "%u", o->parallel);
	rs_row_set(&w, "gap_s", "%.3f", (double)o->gap_ns / 1e9);
	rs_row_set(&w, "timeout_s", "%.3f", (double)o->timeout_ns / 1e9);
	rs_row_set(&w, "closer", "%s",
		   o->closer < 0 ? "default" : rs_side_name((unsigned)o->closer));
	rs_row_set(&w, "netns", "%d", o->netns);
	rs_row_set(&w, "scenarios", "%u", x->n);
	rs_row_set(&w, "pass", "%u", x->counts[V_PASS]);
	rs_row_set(&w, "measured", "%u", x->counts[V_MEASURED]);
	rs_row_set(&w, "diff", "%u", x->counts[V_DIFF]);
	rs_row_set(&w, "counter_mismatches", "%u", x->counts[CNT_MISMATCH]);
	rs_row_set(&w, "exit_status", "%d", x->status);
	rs_row_set(&w, "family", "%s", o->base.ipv6 ? "ipv6" : "ipv4");
	rs_row_write(&w, f);
}

/* The columns every row of verdicts.csv, cells.csv and mib.csv begins
 * with: (scenario, phase). */
static void phase_row(struct rs_row *w, enum rs_rfile file,
		      const struct sc_run *sr, unsigned ph)
{
	rs_row_init(w, file);
	rs_row_set(w, "scenario", "%s", sr->sc->name);
	rs_row_set(w, "phase", "%s", ph ? "load" : "alone");
}

static void write_verdicts(const struct csv_ctx *x, FILE *f)
{
	struct rs_row row, *w = &row;

	rs_schema_header(RS_RF_VERDICTS, f);
	for (unsigned s = 0; s < x->n; s++)
		for (unsigned ph = 0; ph < 2; ph++) {
			const struct phase *p = &x->runs[s].ph[ph];
			const struct rs_scenario *sc = x->runs[s].sc;

			if (!p->ran)
				continue;
			phase_row(w, RS_RF_VERDICTS, &x->runs[s], ph);
			rs_row_set(w, "closer", "%s",
				   rs_side_name(x->runs[s].closer));
			rs_row_set(w, "close_mode", "%s", rs_close_name(sc->mode));
			rs_row_set(w, "wait", "%s", rs_sc_wait_name(sc->wait));
			rs_row_set(w, "path", "%s", rs_path_name(sc->path));
			rs_row_set(w, "load_c", "%u", ph ? x->o->load_c : 0);
			rs_row_set(w, "trials", "%" PRIu64, p->r.trials);
			rs_row_set(w, "setup_failed", "%" PRIu64,
				   p->r.setup_failed);
			rs_row_set(w, "verdict", "%s", vname[p->v]);
			rs_row_set(w, "sigpipe", "%" PRIu64, p->r.sigpipe);
			rs_row_set(w, "sigpipe_expected", "%s",
				   rs_sig_rule_name(p->sig_rule));
			rs_row_set(w, "epipe_writes", "%" PRIu64,
				   p->r.epipe_writes);
			rs_row_set(w, "load_conns", "%" PRIu64, p->load_conns);
			rs_row_set(w, "elapsed_s", "%.3f", p->elapsed_s);
			rs_row_set(w, "detail", "%s",
				   p->detail[0] ? p->detail : "-");
			rs_row_write(w, f);
		}
}

static void write_cells(const struct csv_ctx *x, FILE *f)
{
	struct rs_row w;

	rs_schema_header(RS_RF_CELLS, f);
	for (unsigned s = 0; s < x->n; s++)
		for (unsigned ph = 0; ph < 2; ph++) {
			const struct phase *p = &x->runs[s].ph[ph];
			const struct rs_scenario *sc = x->runs[s].sc;

			if (!p->ran)
				continue;
			for (unsigned i = 0; i < sc->nops; i++) {
				char e[40];
				bool exact = op_exact(sc, i, ph);

				rs_sc_exp_format(&sc->op[i], e, sizeof(e));
				for (unsigned r = 0; r < RS_RES_N; r++) {
					double lo, hi;
					uint64_t k = p->r.n[i][r];

					if (!k)
						continue;
					rs_wilson95(k, p->r.trials, &lo, &hi);
					phase_row(&w, RS_RF_CELLS, &x->runs[s],
						  ph);
					rs_row_set(&w, "closer", "%s",
						   rs_side_name(x->runs[s].closer));
					rs_row_set(&w, "close_mode", "%s",
						   rs_close_name(sc->mode));
					rs_row_set(&w, "op_index", "%u", i + 1);
					rs_row_set(&w, "op_kind", "%s",
						   rs_sop_name(sc->op[i].kind));
					rs_row_set(&w, "result", "%s",
						   rs_result_name(r));
					rs_row_set(&w, "count", "%" PRIu64, k);
					rs_row_set(&w, "share", "%.6f",
						   (double)k / (double)p->r.trials);
					rs_row_set(&w, "expected", "%s", e);
					rs_row_set(&w, "judged", "%s",
						   exact ? "exact" : "measured");
					rs_row_set(&w, "ci_lo", "%.6f", lo);
					rs_row_set(&w, "ci_hi", "%.6f", hi);
					rs_row_write(&w, f);
				}
			}
		}
}

/* blocks.csv (--repeat >= 2): each phase's cells per block */
static void write_blocks(const struct csv_ctx *x, FILE *f)
{
	struct rs_row w;

	rs_schema_header(RS_RF_CHECK_BLOCKS, f);
	for (unsigned b = 0; b < x->o->repeat; b++)
		for (unsigned s = 0; s < x->n; s++)
			for (unsigned ph = 0; ph < 2; ph++) {
				const struct phase *p = &x->runs[s].ph[ph];
				const struct rs_scenario *sc = x->runs[s].sc;

				if (!p->ran || b >= p->nblk)
					continue;
				for (unsigned i = 0; i < sc->nops; i++)
					for (unsigned r = 0; r < RS_RES_N; r++) {
						uint64_t k = p->blk[b][i][r];

						if (!k)
							continue;
						phase_row(&w, RS_RF_CHECK_BLOCKS,
							  &x->runs[s], ph);
						rs_row_set(&w, "block", "%u", b + 1);
						rs_row_set(&w, "op_index", "%u", i + 1);
						rs_row_set(&w, "op_kind", "%s",
							   rs_sop_name(sc->op[i].kind));
						rs_row_set(&w, "result", "%s",
							   rs_result_name(r));
						rs_row_set(&w, "count", "%" PRIu64, k);
						rs_row_write(&w, f);
					}
			}
}

static void write_check_mib(const struct csv_ctx *x, FILE *f)
{
	const struct check_opts *o = x->o;
	struct rs_row w;

	rs_schema_header(RS_RF_CHECK_MIB, f);
	for (unsigned s = 0; s < x->n; s++)
		for (unsigned ph = 0; ph < 2; ph++) {
			const struct phase *p = &x->runs[s].ph[ph];

			if (!p->ran || !p->have_mib)
				continue;
			for (unsigned i = 0; i < rs_mib_nwatched && i < 16;
			     i++) {
				bool ok = counter_ok(p, i);

				phase_row(&w, RS_RF_CHECK_MIB, &x->runs[s], ph);
				rs_row_set(&w, "scope", "%s",
					   o->netns ? "netns" : "host");
				rs_row_set(&w, "counter", "%s",
					   rs_mib_watched[i]);
				rs_row_set(&w, "delta", "%" PRId64, p->delta[i]);
				rs_row_set(&w, "expected_lo", "%" PRIu64,
					   p->want[i].lo);
				if (p->want[i].hi == UINT64_MAX)
					rs_row_set(&w, "expected_hi", "inf");
				else
					rs_row_set(&w, "expected_hi", "%" PRIu64,
						   p->want[i].hi);
				rs_row_set(&w, "status", "%s",
					   !o->netns ? "not-judged" :
					   ok	     ? "ok" :
						       "MISMATCH");
				rs_row_write(&w, f);
			}
		}
}

/* One rst_reasons.csv row: side, role, state, reason, count, status. */
static void rst_row(struct rs_row *w, FILE *f, const struct sc_run *sr,
		    unsigned ph, const char *side, const char *role,
		    const char *state, const char *reason, uint64_t n)
{
	phase_row(w, RS_RF_CHECK_RST, sr, ph);
	rs_row_set(w, "side", "%s", side);
	rs_row_set(w, "role", "%s", role);
	rs_row_set(w, "state", "%s", state);
	rs_row_set(w, "reason", "%s", reason);
	rs_row_set(w, "count", "%" PRIu64, n);
	rs_row_set(w, "status", "%s", sr->ph[ph].rst_status);
	rs_row_write(w, f);
}

static void write_check_rst(const struct csv_ctx *x, FILE *f)
{
	struct rs_row w;

	rs_schema_header(RS_RF_CHECK_RST, f);
	for (unsigned s = 0; s < x->n; s++)
		for (unsigned ph = 0; ph < 2; ph++) {
			const struct sc_run *sr = &x->runs[s];
			const struct phase *p = &sr->ph[ph];
			const struct rs_rst_tally *t = &p->rst;

			if (!p->ran || !p->rst_status)
				continue;
			/* a status row when nothing was traced: the reader
			 * sees why, not an empty phase */
			if (!t->nk && !t->nlk)
				rst_row(&w, f, sr, ph, "-", "-", "-", "-", 0);
			for (unsigned k = 0; k < t->nk; k++)
				rst_row(&w, f, sr, ph,
					rs_side_name(t->k[k].side),
					t->k[k].side == sr->closer ? "closer" :
								      "victim",
					t->k[k].state, t->k[k].reason,
					t->k[k].n);
			for (unsigned k = 0; k < t->nlk; k++)
				rst_row(&w, f, sr, ph,
					rs_side_name(t->lk[k].side), "listener",
					t->lk[k].state, t->lk[k].reason,
					t->lk[k].n);
		}
}

/* sequences.csv: per phase its sequences in the order of their text */
static void write_sequences(const struct csv_ctx *x, FILE *f)
{
	struct rs_row w;

	rs_schema_header(RS_RF_SEQUENCES, f);
	for (unsigned s = 0; s < x->n; s++)
		for (unsigned ph = 0; ph < 2; ph++) {
			const struct phase *p = &x->runs[s].ph[ph];
			const struct rs_seqs *q = &p->r.seqs;
			unsigned idx[RS_SEQ_MAX + 1];
			char t[RS_SC_MAX_OPS * 24];

			if (!p->ran)
				continue;
			rs_seqs_by_text(q, idx);
			for (unsigned i = 0; i <= q->n; i++) {
				uint64_t k = i < q->n ? q->s[idx[i]].count :
							q->other;

				if (!k)
					continue;
				if (i < q->n)
					rs_seq_format(&q->s[idx[i]], q->nops, t,
						      sizeof(t));
				else
					snprintf(t, sizeof(t), "other");
				phase_row(&w, RS_RF_SEQUENCES, &x->runs[s], ph);
				rs_row_set(&w, "closer", "%s",
					   rs_side_name(x->runs[s].closer));
				rs_row_set(&w, "close_mode", "%s",
					   rs_close_name(x->runs[s].sc->mode));
				rs_row_set(&w, "sequence", "%s", t);
				rs_row_set(&w, "count", "%" PRIu64, k);
				rs_row_set(&w, "share", "%.6f",
					   (double)k / (double)p->r.trials);
				rs_row_write(&w, f);
			}
		}
}

static const struct {
	enum rs_rfile file;
	void (*write)(const struct csv_ctx *x, FILE *f);
} check_files[] = {
	{ RS_RF_CHECK, write_check_head },
	{ RS_RF_VERDICTS, write_verdicts },
	{ RS_RF_CELLS, write_cells },
	{ RS_RF_CHECK_MIB, write_check_mib },
	{ RS_RF_CHECK_RST, write_check_rst },
	{ RS_RF_SEQUENCES, write_sequences },
	{ RS_RF_CHECK_BLOCKS, write_blocks },
};

/* blocks.csv only with --repeat >= 2 */
static bool has_file(const struct csv_ctx *x, enum rs_rfile f)
{
	return f != RS_RF_CHECK_BLOCKS || x->o->repeat >= 2;
}

static int write_csv(const struct csv_ctx *x, char *err, size_t errlen)
{
	const char *dir = x->o->csv_dir;
	int ret = rs_mkdir_p(dir);

	if (ret) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			 strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < RS_ARRAY_SIZE(check_files); i++) {
		struct rs_csv_out c;

		if (!has_file(x, check_files[i].file)) {
			/* a blocks.csv of an earlier check would not add up */
			char path[4200];

			snprintf(path, sizeof(path), "%s/%s", dir,
				 rs_schema_file(check_files[i].file)->name);
			if (unlink(path) && errno != ENOENT) {
				ret = -errno;
				snprintf(err, errlen, "%.300s: cannot remove: %s",
					 path, strerror(-ret));
				return ret;
			}
			continue;
		}
		ret = rs_csv_open(&c, dir,
				  rs_schema_file(check_files[i].file)->name,
				  err, errlen);
		if (ret)
			return ret;
		check_files[i].write(x, c.f);
		if ((ret = rs_csv_close(&c, err, errlen)))
			return ret;
	}
	return 0;
}

/* The same files as one JSON document (json.h). */
static int write_json(const struct csv_ctx *x, const char *path, char *err,
		      size_t errlen)
{
	struct rs_jdoc d = { .command = "check", .kind = RS_RKIND_CHECK };
	int ret = 0;

	for (size_t i = 0; i < RS_ARRAY_SIZE(check_files) && !ret; i++) {
		FILE *m;

		if (!has_file(x, check_files[i].file))
			continue;
		m = rs_jdoc_begin(&d, check_files[i].file, err, errlen);

		if (!m) {
			ret = -ENOMEM;
			break;
		}
		check_files[i].write(x, m);
		ret = rs_jdoc_end(m, err, errlen);
	}
	if (!ret)
		ret = rs_jdoc_write(&d, path, err, errlen);
	rs_jdoc_free(&d);
	return ret;
}

/* ------------------------------------------------------- commands */

static const struct option scen_longopts[] = {
	{ "file", 1, NULL, 'f' },
	{ "all", 0, NULL, 'a' },
	{ "show", 1, NULL, 's' },
	{ "help", 0, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void scenarios_usage(FILE *f)
{
	fprintf(f,
		"usage: rststorm scenarios [-f FILE]... [--all] [--show NAME]\n"
		"\n"
		"List the scenarios of rststorm check: name, what happens, the expected\n"
		"result of each op, and the kernel basis of the expectation. With -f, list\n"
		"the scenarios of the files (each parsed and checked; docs/scenarios.md\n"
		"is the format), marked with their file; --all adds the built-ins.\n"
		"A file that does not parse: one line FILE:LINE:COL: expected X, found Y,\n"
		"and exit 2.\n"
		"\n"
		"options:\n"
		"  -f, --file FILE   read the scenarios of FILE (repeatable)\n"
		"  --all             with -f: the built-ins too\n"
		"  --show NAME       print scenario NAME as a scenario file, to copy and\n"
		"                    edit (built-in, or from a -f FILE)\n"
		"  -h, --help        this text\n");
}

/* Load the -f files into the catalogue; the first that fails: its one
 * line on stderr (a parse error as FILE:LINE:COL: ..., compiler style),
 * and -1. */
static int load_files(const char *cmd, char **files, unsigned n)
{
	char err[768];

	for (unsigned i = 0; i < n; i++) {
		int ret = rs_scenario_load(files[i], err, sizeof(err));

		if (ret == -EINVAL) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
		if (ret) {
			fprintf(stderr, "rststorm %s: %s\n", cmd, err);
			return -1;
		}
	}
	return 0;
}

static void list_scenario(const struct rs_scenario *sc,
			  const struct rs_probe *probe)
{
	printf("%-24s closer %-6s %-8s wait %-8s path %-6s%s%s", sc->name,
	       rs_side_name(sc->closer), rs_close_name(sc->mode),
	       rs_sc_wait_name(sc->wait), rs_path_name(sc->path),
	       sc->sigdisp != RS_SIGDISP_COUNT ? " SIGPIPE-action " : "",
	       sc->sigdisp != RS_SIGDISP_COUNT ?
		       rs_sigdisp_name(sc->sigdisp) : "");
	if (sc->nonblock)
		printf(" O_NONBLOCK");
	printf("\n  %s\n  expect:", sc->desc);
	for (unsigned k = 0; k < sc->nops; k++) {
		char e[40];

		rs_sc_exp_format(&sc->op[k], e, sizeof(e));
		printf(" %s%s=%s%s", sc->op[k].gap ? "(gap) " : "",
		       rs_sop_name(sc->op[k].kind), e,
		       sc->op[k].exp_kind == RS_EXP_MEASURED ? "(share)" :
		       sc->op[k].exp_kind == RS_EXP_ORDERED ? "*" :
							       "");
	}
	printf("; SIGPIPE %s%s\n  basis: %s\n",
	       rs_sig_rule_name(rs_sc_sig_rule(sc, probe->features)),
	       sc->sigpipe == RS_SIG_PRE_5_12 ?
		       (probe->features & RS_FEAT_NATIVE_WORKERS ?
				" (this io_uring has 5.12's NATIVE_WORKERS)" :
				" (this io_uring predates 5.12's NATIVE_WORKERS)") :
		       "",
	       sc->basis);
	if (sc->user) {
		char f[RS_ESC_VALUE];

		printf("  file: %s:%u\n", rs_esc(f, sizeof(f), sc->file),
		       sc->line);
	}
}

int rs_cmd_scenarios(int argc, char **argv)
{
	struct rs_config cfg;
	struct rs_probe probe;
	char *files[MAX_NAMES];
	const char *show = NULL;
	char ev[RS_ESC_VALUE];
	unsigned nfiles = 0;
	bool all = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", scen_longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'f':
			if (nfiles >= MAX_NAMES) {
				fprintf(stderr,
					"rststorm scenarios: -f '%s': at most %d files\n",
					rs_esc(ev, sizeof(ev), optarg),
					MAX_NAMES);
				return 2;
			}
			files[nfiles++] = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 's':
			show = optarg;
			break;
		case 'h':
			scenarios_usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "rststorm scenarios: %s: needs a value\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		default:
			fprintf(stderr,
				"rststorm scenarios: '%s': unknown option (rststorm scenarios --help lists them)\n",
				rs_esc(ev, sizeof(ev), argv[optind - 1]));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"rststorm scenarios: '%s': unexpected argument (scenarios takes options only; a scenario file is -f FILE)\n",
			rs_esc(ev, sizeof(ev), argv[optind]));
		return 2;
	}
	if (all && !nfiles) {
		fprintf(stderr,
			"rststorm scenarios: --all: only with -f FILE (without -f the built-ins are listed)\n");
		return 2;
	}
	if (load_files("scenarios", files, nfiles))
		return 2;
	if (show) {
		const struct rs_scenario *sc = rs_scenario_find(show);
		size_t n;
		char *buf;

		if (!sc) {
			fprintf(stderr,
				"rststorm scenarios: --show '%s': unknown scenario (rststorm scenarios lists them)\n",
				rs_esc(ev, sizeof(ev), show));
			return 2;
		}
		n = rs_scenfile_print(sc, NULL, 0) + 1;
		buf = malloc(n);
		if (!buf)
			rs_fatal("out of memory");
		rs_scenfile_print(sc, buf, n);
		fputs(buf, stdout);
		free(buf);
		return 0;
	}
	/* the SIGPIPE rule as check judges it here: from the probed io_uring
	 * (rs_sc_sig_rule), the one source for both */
	{
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		rs_config_defaults(&cfg, ncpu > 0 ? (unsigned)ncpu : 1);
		rs_probe_run(&probe, &cfg);
	}
	for (size_t i = 0; i < rs_scenario_count(); i++) {
		const struct rs_scenario *sc = rs_scenario_at(i);

		if (sc->test_only && !rs_scenario_test_visible())
			continue;
		if (nfiles && !all && !sc->user)
			continue;
		list_scenario(sc, &probe);
	}
	printf("\n* exact alone on the inline path; a share under load and on io-wq/SQPOLL\n(share): a race, reported as a distribution with a 95%% interval\n");
	return 0;
}

/* check --link: open the link before any thread (the forwarder and the
 * measuring threads keep SIGINT and SIGTERM blocked, for the run's
 * sigtimedwait), measure it; line gets the header's link lines. One
 * line and exit 1 when the link cannot be made. */
static void check_link_up(struct rs_config *base, char *line, size_t len)
{
	struct rs_link_spec spec = base->link_spec;
	struct rs_link_rtt m;
	char err[512], desc[400];
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	spec.seed = (uint64_t)time(NULL);
	if (rs_link_open(&spec, &base->link, err, sizeof(err)))
		rs_fatal("%s", err);
	if (base->ipv6 && !rs_link_has_ipv6(base->link))
		rs_fatal("--link with -6: the link's namespaces have no IPv6 (the kernel has it off): run without -6");
	rs_link_describe(base->link, desc, sizeof(desc));
	if (rs_link_measure(base->link, base->ipv6 ? AF_INET6 : AF_INET, 4,
			    5, 64, 5000000000ull + 10 * spec.rtt_ns, &m, err,
			    sizeof(err)))
		rs_fatal("%s", err);
	if (m.conns_ok)
		snprintf(line, len,
			 "%s\nlink rtt: asked %" PRIu64 " us, measured min_rtt %u us, srtt %u us over %u connections",
			 desc, spec.rtt_ns / 1000, m.min_rtt_us[1],
			 m.srtt_us[1], m.conns_ok);
	else
		snprintf(line, len,
			 "%s\nlink rtt: asked %" PRIu64 " us, not measured: none of %u connections got up",
			 desc, spec.rtt_ns / 1000, m.conns_asked);
}

/* Close the link; a forwarder that stopped early cut it: one line, and
 * returns 1 (the check fails). */
static int check_link_down(struct rs_config *base)
{
	struct rs_link_stats st;

	if (!base->link)
		return 0;
	rs_link_stats(base->link, &st);
	printf("link: to server %" PRIu64 " packets, %" PRIu64 " lost, %" PRIu64 " dropped; to client %" PRIu64 " packets, %" PRIu64 " lost, %" PRIu64 " dropped\n",
	       st.to_server.forwarded, st.to_server.lost,
	       st.to_server.dropped_full + st.to_server.dropped_err,
	       st.to_client.forwarded, st.to_client.lost,
	       st.to_client.dropped_full + st.to_client.dropped_err);
	if (st.forwarder_errno)
		fprintf(stderr,
			"rststorm check: --link: the delay line stopped forwarding: %s: the link was cut during the check; rerun\n",
			strerror(st.forwarder_errno));
	rs_link_close(base->link);
	base->link = NULL;
	return st.forwarder_errno ? 1 : 0;
}

/* Off a terminal (CI logs): before a phase, when the period has passed
 * since the last one, one plain line: elapsed, scenario i of n and the
 * phase about to run, trials done so far. */
static void plain_progress(const struct check_opts *o, unsigned s,
			   const struct sc_run *sr, unsigned ph,
			   const struct sc_run *runs, uint64_t t_start,
			   uint64_t *last)
{
	uint64_t now = rs_now_ns(), trials = 0;

	if (now - *last < rs_progress_period(0))
		return;
	*last = now;
	for (unsigned i = 0; i <= s; i++)
		for (unsigned k = 0; k < 2; k++)
			if (runs[i].ph[k].ran)
				trials += runs[i].ph[k].r.trials;
	fprintf(stderr,
		"rststorm: progress %6.1fs  scenario %u of %u (%s %s)  trials done %" PRIu64 "\n",
		(double)(now - t_start) / 1e9, s + 1, o->nsel, sr->sc->name,
		ph ? "under load" : "alone", trials);
}

int rs_cmd_check(int argc, char **argv)
{
	static struct check_opts o;
	struct rs_probe probe;
	struct sc_run *runs;
	unsigned counts[V_N + 1] = { 0 };
	int status = 0, signo = 0;
	unsigned rst_diff = 0;
	char err[1024], line[768], started[32], gap[32];
	time_t wall;
	bool tty;
	uint64_t t_start, last_progress;
	int ret = parse_check(&o, argc, argv, err, sizeof(err));

	if (ret == 1)
		return 0;
	if (ret == 2) {
		/* a scenario file that does not parse: FILE:LINE:COL: ... */
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (ret) {
		fprintf(stderr, "rststorm check: %s\n", err);
		return 2;
	}
	if (o.csv_dir &&
	    rs_report_dir_prepare(o.csv_dir, RS_RKIND_CHECK, err, sizeof(err))) {
		fprintf(stderr, "rststorm check: %s\n", err);
		return 2;
	}
	if (o.json_path &&
	    (rs_json_prepare(o.json_path, err, sizeof(err)) ||
	     (strcmp(o.json_path, "-") == 0 && rs_json_claim_stdout() &&
	      snprintf(err, sizeof(err), "--json -: cannot set standard output aside: %s",
		       strerror(errno))))) {
		fprintf(stderr, "rststorm check: %s\n", err);
		return 2;
	}
	tty = isatty(STDERR_FILENO) && !o.quiet;
	if (o.netns)
		rst_start();
	if (o.netns && rs_netns_enter(err, sizeof(err)))
		rs_fatal("%s", err);
	rs_probe_run(&probe, &o.base);
	rs_probe_require(&probe);
	if (o.load_c) {
		struct rs_config lc = o.base;

		lc.concurrency = o.load_c;
		rs_load_shape(&lc, &probe);
		rs_check_fd_limit_cmd(&lc, &probe, RS_CMD_CHECK);
	}
	rs_sigpipe_count_install();
	if (o.base.link_given) {
		check_link_up(&o.base, line, sizeof(line));
		over_link = true;
	}
	runs = calloc(o.nsel, sizeof(*runs));
	if (!runs)
		rs_fatal("out of memory");
	time(&wall);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ",
		 gmtime(&wall));
	rs_format_duration(o.gap_ns, gap, sizeof(gap));
	if (o.base.link)
		printf("%s\n", line);
	rs_probe_line(&probe, line, sizeof(line));
	printf("rststorm check: %u scenarios, --trials %u, --load-c %u, --gap %s, --parallel %u%s%s%s%s\npath: %s\n\n",
	       o.nsel, o.trials, o.load_c, gap, o.parallel,
	       o.closer >= 0 ? ", --closer " : "",
	       o.closer >= 0 ? rs_side_name((unsigned)o.closer) : "",
	       o.netns ? ", --netns" : "", o.base.ipv6 ? ", -6" : "", line);
	if (o.base.link)
		printf("(kernel counters: the link's sides have their own, not read: not reconciled)\n"
		       "(over a link a write right after the peer's FIN is accepted until the RST it draws has come back, a round trip later: the EPIPE* expectations, exact alone on loopback, are shares here, as under load; docs/network.md)\n\n");
	else if (!o.netns)
		printf("(kernel counters are host-wide without --netns: shown in mib.csv, not reconciled)\n\n");
	else if (rstr)
		printf("RST reasons: traced (tcp:tcp_send_reset) in %s, attributed to the trials by their ports\n\n",
		       rs_rstr_path(rstr));
	else
		printf("RST reasons: not traced: %s; the counters' ranges stand alone\n\n",
		       rst_why);
	fflush(stdout);

	t_start = last_progress = rs_now_ns();
	for (unsigned s = 0; s < o.nsel && !signo; s++) {
		struct sc_run *sr = &runs[s];

		sr->sc = o.sel[s];
		sr->closer = o.closer >= 0 ? (unsigned)o.closer : sr->sc->closer;
		for (unsigned ph = 0; ph < 2 && !signo; ph++) {
			int st;

			if (ph == 1 && (!o.load_c || sr->ph[0].r.skip[0]))
				break;
			if (tty)
				fprintf(stderr, "\r[%u/%u] %s %s\033[K", s + 1,
					o.nsel, sr->sc->name,
					ph ? "under load" : "alone");
			else if (!o.quiet)
				plain_progress(&o, s, sr, ph, runs, t_start,
					       &last_progress);
			st = run_phase(&o, &probe, sr, ph);
			if (st > 128)
				signo = sr->ph[ph].signo = st - 128;
			else if (st)
				status = 1;
			judge(sr->sc, &sr->ph[ph], probe.features);
		}
		if (tty)
			fprintf(stderr, "\r\033[K");
		print_scenario(&o, sr, stdout);
		fflush(stdout);
		for (unsigned ph = 0; ph < 2; ph++) {
			if (!sr->ph[ph].ran)
				continue;
			counts[sr->ph[ph].v]++;
			if (o.netns && sr->ph[ph].v <= V_DIFF)
				counts[CNT_MISMATCH] += sr->ph[ph].mismatches;
			if (sr->ph[ph].v <= V_DIFF && sr->ph[ph].rst_status &&
			    !strcmp(sr->ph[ph].rst_status, "DIFF"))
				rst_diff++;
			/* the CSV files hold judged phases only */
			if (sr->ph[ph].v > V_DIFF)
				sr->ph[ph].ran = false;
		}
	}
	printf("check: %u PASS, %u MEASURED, %u DIFF", counts[V_PASS],
	       counts[V_MEASURED], counts[V_DIFF]);
	if (counts[V_SKIPPED])
		printf(", %u SKIPPED", counts[V_SKIPPED]);
	if (counts[V_INTERRUPTED])
		printf(", %u INTERRUPTED", counts[V_INTERRUPTED]);
	if (o.netns)
		printf("; kernel counters: %s (%u outside the expected range)",
		       counts[CNT_MISMATCH] ? "MISMATCH" : "reconciled",
		       counts[CNT_MISMATCH]);
	if (rstr)
		printf("; RST reasons: %s (%u phases with a trial off the model)",
		       rst_diff ? "DIFF" : "as modelled", rst_diff);
	if (signo)
		printf("; stopped by signal %d: partial", signo);
	printf("\n");
	if (counts[V_DIFF] || counts[CNT_MISMATCH] || rst_diff)
		status = 1;
	if (signo)
		status = 128 + signo;
	if (o.csv_dir) {
		unsigned n = 0;

		/* the scenarios reached; each phase written if judged */
		while (n < o.nsel && runs[n].sc)
			n++;
		struct csv_ctx x = { &o, &probe, runs, n, started, counts,
				     status };

		if (write_csv(&x, err, sizeof(err))) {
			fprintf(stderr,
				"rststorm: CSV report not written: %s: check that the directory is writable and the disk has room\n",
				err);
			if (!status)
				status = 1;
		}
	}
	if (o.json_path) {
		unsigned n = 0;

		while (n < o.nsel && runs[n].sc)
			n++;
		struct csv_ctx x = { &o, &probe, runs, n, started, counts,
				     status };

		if (write_json(&x, o.json_path, err, sizeof(err))) {
			fprintf(stderr,
				"rststorm: JSON report not written: %s: check that the directory is writable and the disk has room\n",
				err);
			if (!status)
				status = 1;
		}
	}
	rs_rstr_stop(rstr);
	rstr = NULL;
	for (unsigned s = 0; s < o.nsel; s++)
		for (unsigned ph = 0; ph < 2; ph++) {
			free(runs[s].ph[ph].rst_lines);
			free(runs[s].ph[ph].blk);
		}
	free(runs);
	if (check_link_down(&o.base) && !status)
		status = 1;
	return status;
}
