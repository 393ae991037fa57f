/* The run: threads, the clock, signals, merge, books and reports. */
#include "run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "netns.h"
#include "rstreason.h"
#include "scenario.h"
#include "probe.h"
#include "hlog.h"
#include "interval.h"
#include "json.h"
#include "klimits.h"
#include "report.h"
#include "server.h"
#include "target.h"
#include "util.h"

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ull +
	       (uint64_t)tv.tv_usec * 1000ull;
}

static void thread_cpu(struct rs_tally *t)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) == 0) {
		t->user_ns += tv_ns(ru.ru_utime);
		t->sys_ns += tv_ns(ru.ru_stime);
	}
}

static void *client_thread(void *arg)
{
	struct rs_client *w = arg;

	w->err = rs_engine_of(w->sh->cfg)->client_run(w);
	if (w->err)
		atomic_store(&w->sh->abort_run, 1);
	/* --interval: the rest of its counts, read after the join */
	if (w->iv)
		rs_ivw_final(w->iv, w->tally, rs_now_ns());
	thread_cpu(w->tally);
	atomic_store(&w->done, 1);
	return NULL;
}

static void *server_thread(void *arg)
{
	struct rs_server *s = arg;

	s->err = rs_server_run(s);
	if (s->err) {
		atomic_store(&s->sh->stop, 1);
		atomic_store(&s->sh->abort_run, 1);
	}
	thread_cpu(s->tally);
	return NULL;
}

/* The progress line: redrawn in place on a terminal (tty), else one
 * plain line (run --interval or every 10 s, for CI logs). */
static void progress(struct rs_client *cl, unsigned n, double el, bool tty,
		     FILE *f)
{
	uint64_t done = 0, failed = 0, ops = 0, started = 0;

	for (unsigned i = 0; i < n; i++) {
		started += atomic_load_explicit(&cl[i].pub_started,
						memory_order_relaxed);
		done += atomic_load_explicit(&cl[i].pub_completed,
					     memory_order_relaxed);
		failed += atomic_load_explicit(&cl[i].pub_failed,
					       memory_order_relaxed);
		ops += atomic_load_explicit(&cl[i].pub_ops,
					    memory_order_relaxed);
	}
	fprintf(f, "%s%6.1fs  connections %" PRIu64 " (%.0f/s)  ops %" PRIu64
		   "  failed %" PRIu64 "  in flight %" PRIu64 "%s",
		tty ? "\r" : "rststorm: progress ", el, done,
		el > 0 ? (double)done / el : 0, ops, failed,
		started - done - failed, tty ? "\033[K" : "\n");
	fflush(f);
}

uint64_t rs_progress_period(uint64_t interval_ns)
{
	const char *e = getenv("RSTSTORM_TEST_PROGRESS_MS");
	char *end;
	unsigned long long ms;

	if (e && *e) {
		errno = 0;
		ms = strtoull(e, &end, 10);
		if (!errno && !*end && ms >= 100 && ms <= 3600000)
			return ms * 1000000ull;
	}
	return interval_ns ? interval_ns : 10000000000ull;
}

/*
 * Slots per ring the defaults aim at: a ring's CQ is sized 2 x slots + 16
 * and the kernel rounds it up to a power of two, so at most 16376 slots
 * keep it at 32768 entries (512 KiB) instead of doubling.
 */
#define RS_RING_SLOTS 16376u

/* Connection slots of a server thread with nl listeners. With --hold every
 * slot connects once, to port (slot + 1) % ports, so a thread's share is
 * known; otherwise any thread may see up to -c at once. Direct descriptors
 * cap it at the ring's table limit. */
static uint32_t server_cap(const struct rs_config *cfg,
			   const struct rs_probe *p, uint32_t nl)
{
	/* --closer client: a client slot's next connection may come while
	 * the server's victim still runs the ops of the one before */
	uint64_t cap = (uint64_t)cfg->concurrency *
			       (cfg->closer == RS_SIDE_CLIENT ? 2 : 1) +
		       64;
	uint64_t share = (uint64_t)(cfg->concurrency + cfg->ports - 1) /
				 cfg->ports * nl + 64;

	if (cfg->hold && share < cap)
		cap = share;
	if (p->server_direct && cap > p->nofile_cur)
		cap = p->nofile_cur;
	return (uint32_t)cap;
}

static uint32_t div_up(uint64_t a, uint64_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

void rs_load_shape(struct rs_config *lc, const struct rs_probe *probe)
{
	lc->threads = 1;
	lc->server_threads = 1;
	lc->ports = 1;
	lc->threads_given = lc->server_threads_given = lc->ports_given = false;
	if (lc->concurrency)
		rs_fit_rings(lc, probe);
}

void rs_fit_rings(struct rs_config *cfg, const struct rs_probe *p)
{
	uint64_t per = p->nofile_cur < RS_RING_SLOTS ? p->nofile_cur :
						       RS_RING_SLOTS;
	uint32_t t;

	if (per <= 128)
		return;
	if (p->socket_direct && !cfg->threads_given) {
		t = div_up(cfg->concurrency, per);
		if (t > cfg->threads && t <= 256)
			cfg->threads = t;
	}
	if (p->server_direct && !cfg->server_threads_given) {
		/* a thread's share plus its 64 spare slots and listeners */
		t = div_up(cfg->concurrency, per - 128);
		if (t > cfg->server_threads && t <= 64) {
			cfg->server_threads = t;
			/* the same number of ports for each thread */
			if (!cfg->ports_given && cfg->ports % t)
				cfg->ports = t * div_up(cfg->ports, t) <= 64 ?
						     t * div_up(cfg->ports, t) :
						     t;
		}
	}
}

/* The shape a command would run with: rings, ports, and -c. */
struct fd_shape {
	uint32_t c, threads, server_threads, ports;
	bool servers; /* embedded servers (not with --target) */
};

static uint32_t min_u32(uint64_t a, uint64_t b)
{
	return (uint32_t)(a < b ? a : b);
}

/*
 * The shape for c connections under a limit of lim descriptors. run: the
 * values given stay unless the limit needs more rings (then they are named
 * in the advice, so a rerun has them all given). check has no ring
 * options: its load takes the shape rs_load_shape gives it (one
 * of each, grown by rs_fit_rings).
 */
static struct fd_shape fd_shape_of(const struct rs_config *cfg,
				   const struct rs_probe *p, enum rs_cmd cmd,
				   uint32_t c, uint64_t lim)
{
	struct fd_shape sh = { .c = c, .servers = !cfg->ntargets };

	if (cmd == RS_CMD_CHECK) {
		struct rs_config lc = *cfg;
		struct rs_probe lp = *p;

		lp.nofile_cur = lim;
		lc.concurrency = c;
		rs_load_shape(&lc, &lp);
		sh.threads = lc.threads;
		sh.server_threads = lc.server_threads;
		sh.ports = lc.ports;
		return sh;
	}
	sh.threads = cfg->threads;
	sh.ports = sh.servers ? cfg->ports : 0;
	sh.server_threads = sh.servers ? cfg->server_threads : 0;
	if (p->socket_direct && lim && div_up(c, sh.threads) > lim)
		sh.threads = min_u32(div_up(c, lim), 256);
	if (sh.threads > c)
		sh.threads = c;
	if (sh.servers && p->server_direct && lim &&
	    (uint64_t)div_up(c, sh.ports) *
			    div_up(sh.ports, sh.server_threads) >
		    lim) {
		/* one port per server thread: a thread's share is c/ports */
		sh.ports = min_u32(div_up(c, lim), 64);
		if (sh.ports < cfg->ports)
			sh.ports = cfg->ports;
		sh.server_threads = sh.ports;
	}
	if (sh.server_threads > sh.ports)
		sh.server_threads = sh.ports;
	return sh;
}

/* Descriptors a shape needs: listeners, one io_uring fd per ring, 64
 * spare (stdio, eventfds, the libraries), and one fd per connection on
 * each side whose sockets are ordinary fds. */
static uint64_t fd_need(const struct fd_shape *sh, const struct rs_probe *p)
{
	uint64_t k = (p->socket_direct ? 0u : 1u) +
		     (!sh->servers || p->server_direct ? 0u : 1u);

	return (uint64_t)sh->ports + sh->threads + sh->server_threads + 64 +
	       k * sh->c;
}

/* 0 when the shape fits lim, else which rule it breaks (1: total fds,
 * 2: a client ring's direct table, 3: a server ring's direct table). */
static int fd_misfit(const struct fd_shape *sh, const struct rs_probe *p,
		     uint64_t lim)
{
	if (fd_need(sh, p) > lim)
		return 1;
	if (p->socket_direct && div_up(sh->c, sh->threads) > lim)
		return 2;
	if (sh->servers && p->server_direct &&
	    (uint64_t)div_up(sh->c, sh->ports) *
			    div_up(sh->ports, sh->server_threads) >
		    lim)
		return 3;
	return 0;
}

/* Does c fit lim? The shape is the one lim gives (reshape), or for run
 * the command's own values as they stand (the limit to raise to is the
 * one under which the command given starts unchanged). */
static bool fd_fits(const struct rs_config *cfg, const struct rs_probe *p,
		    enum rs_cmd cmd, uint32_t c, uint64_t lim, bool reshape)
{
	struct fd_shape sh = fd_shape_of(cfg, p, cmd, c,
					 reshape || cmd == RS_CMD_CHECK ? lim : 0);

	return fd_misfit(&sh, p, lim) == 0;
}

/* The least limit under which c connections fit (a binary search: more
 * descriptors never make a shape fit less). */
static uint64_t fd_limit_needed(const struct rs_config *cfg,
				const struct rs_probe *p, enum rs_cmd cmd,
				uint32_t c)
{
	uint64_t lo = 1, hi = 1ull << 24;

	while (hi < (1ull << 40) && !fd_fits(cfg, p, cmd, c, hi, false))
		hi <<= 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (fd_fits(cfg, p, cmd, c, mid, false))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The most connections that fit lim (0: none). */
static uint32_t fd_conc_max(const struct rs_config *cfg,
			    const struct rs_probe *p, enum rs_cmd cmd,
			    uint32_t c, uint64_t lim)
{
	uint32_t lo = 0, hi = c;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (fd_fits(cfg, p, cmd, mid, lim, true))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int rs_fd_limit_advice(const struct rs_config *cfg, const struct rs_probe *p,
		       enum rs_cmd cmd, char *msg, size_t len)
{
	uint64_t lim = p->nofile_cur, raise;
	uint32_t c = cfg->concurrency, cmax;
	const char *copt = cmd == RS_CMD_CHECK ? "--load-c" : "-c";
	/* run: the values given; check: the shape its load gets */
	struct fd_shape now = fd_shape_of(cfg, p, cmd, c,
					  cmd == RS_CMD_CHECK ? lim : 0);
	struct fd_shape fix;
	int why = fd_misfit(&now, p, lim);
	char reason[200], rings[96] = "";
	size_t n;

	if (!why)
		return 0;
	if (why == 1)
		snprintf(reason, sizeof(reason),
			 "needs about %" PRIu64 " file descriptors (%s%s%u listeners, %u rings, 64 spare)",
			 fd_need(&now, p),
			 p->socket_direct ? "" : "client sockets from socket(2), ",
			 p->server_direct ? "" : "server sockets as ordinary fds, ",
			 now.ports, now.threads + now.server_threads);
	else if (why == 2)
		snprintf(reason, sizeof(reason),
			 "over %u client threads puts %u direct descriptors in one ring",
			 now.threads, div_up(c, now.threads));
	else
		snprintf(reason, sizeof(reason),
			 "over %u ports puts up to %u connections on one of %u server threads' rings",
			 now.ports,
			 div_up(c, now.ports) *
				 div_up(now.ports, now.server_threads),
			 now.server_threads);
	raise = fd_limit_needed(cfg, p, cmd, c);
	n = (size_t)snprintf(msg, len, "%s %u %s but RLIMIT_NOFILE is %llu: ",
			     copt, c, reason, (unsigned long long)lim);
	if (n >= len)
		return -ENOSPC;
	fix = fd_shape_of(cfg, p, cmd, c, lim);
	if (cmd == RS_CMD_RUN && !fd_misfit(&fix, p, lim)) {
		snprintf(msg + n, len - n,
			 "use --threads %u --server-threads %u --ports %u, or raise the limit to %" PRIu64 " (ulimit -n %" PRIu64 ")",
			 fix.threads, fix.server_threads, fix.ports, raise,
			 raise);
		return -EMFILE;
	}
	cmax = fd_conc_max(cfg, p, cmd, c, lim);
	if (!cmax) {
		snprintf(msg + n, len - n,
			 "no %s fits: raise the limit to at least %" PRIu64 " (ulimit -n %" PRIu64 ")",
			 copt, raise, raise);
		return -EMFILE;
	}
	fix = fd_shape_of(cfg, p, cmd, cmax, lim);
	if (cmd == RS_CMD_RUN &&
	    (fix.threads != cfg->threads || fix.ports != cfg->ports ||
	     fix.server_threads != cfg->server_threads))
		snprintf(rings, sizeof(rings),
			 " with --threads %u --server-threads %u --ports %u",
			 fix.threads, fix.server_threads, fix.ports);
	snprintf(msg + n, len - n,
		 "lower %s to %u%s, or raise the limit to %" PRIu64 " (ulimit -n %" PRIu64 ")%s",
		 copt, cmax, rings, raise, raise,
		 p->socket_direct && p->server_direct ? "" :
		 !p->socket_direct && cfg->engine == RS_ENGINE_EPOLL ?
		 " (client sockets: the epoll engine waits on ordinary fds)" :
		 " (this kernel, or the options given, leave sockets outside io_uring's direct descriptors)");
	return -EMFILE;
}

void rs_check_fd_limit_cmd(const struct rs_config *cfg,
			   const struct rs_probe *p, enum rs_cmd cmd)
{
	char msg[640];

	if (rs_fd_limit_advice(cfg, p, cmd, msg, sizeof(msg)))
		rs_fatal("%s", msg);
}

void rs_check_fd_limit(const struct rs_config *cfg,
		       const struct rs_probe *p)
{
	rs_check_fd_limit_cmd(cfg, p, RS_CMD_RUN);
}

/*
 * The kernel's limits against the run's size (klimits.c): a run that will
 * not fit stops here with one line of advice. Under --netns the
 * namespace's own net.* sysctls it outgrows are raised first; note gets
 * what was raised.
 */
static void check_kernel_limits(const struct rs_config *cfg, char *note,
				size_t len)
{
	struct rs_klimits lim;
	struct rs_klimits_run r = {
		.conns = cfg->concurrency,
		.hold = cfg->hold,
		.servers = !cfg->ntargets,
		.netns = cfg->netns || cfg->link_given,
		.loopback = !cfg->link_given && !cfg->allow_remote,
		.rings = cfg->threads + (cfg->ntargets ? 0 : cfg->server_threads),
		.mix = cfg->mix,
	};
	char msg[640];

	note[0] = '\0';
	if (cfg->netns && rs_klimits_netns_raise(&r, cfg->ports, note, len))
		rs_fatal("%s", note);
	rs_klimits_read(&lim);
	if (rs_klimits_judge(&lim, &r, msg, sizeof(msg)))
		rs_fatal("%s", msg);
}

/* --hold progress: connections held so far. */
static void hold_progress(const struct rs_server *sv, unsigned n,
			  uint32_t target, double el, bool tty, FILE *f)
{
	uint64_t held = 0;

	for (unsigned i = 0; i < n; i++)
		held += atomic_load_explicit(&sv[i].pub_held,
					     memory_order_relaxed);
	fprintf(f, "%s%6.1fs  held %" PRIu64 " of %u%s",
		tty ? "\r" : "rststorm: progress ", el, held, target,
		tty ? "\033[K" : "\n");
	fflush(f);
}

/* --hold: call the storm. Records how many were held and the RSS then. */
static void call_storm(struct rs_shared *sh, struct rs_server *sv,
		       unsigned n, int efd, struct rs_run_out *out)
{
	uint64_t held = 0, last = 0, one = 1;

	for (unsigned i = 0; i < n; i++) {
		uint64_t t = atomic_load(&sv[i].pub_last_hold_ns);

		held += atomic_load(&sv[i].pub_held);
		if (t > last)
			last = t;
	}
	out->hold.rss_held_kb = rs_rss_kb();
	out->hold.slab_held_kb = rs_klimits_slab_kb();
	out->hold.established = held;
	out->hold.establish_s = last > sh->t0 ? (double)(last - sh->t0) / 1e9 :
						0;
	atomic_store(&sh->storm_ns, rs_now_ns());
	/* a server that failed (its storm poll, say) has said why: the run
	 * ends without a storm, and reports that worker's error */
	if (atomic_load(&sh->abort_run))
		return;
	if (write(efd, &one, sizeof(one)) != sizeof(one))
		rs_fatal("--hold: cannot call the storm: write to its eventfd failed: %s",
			 strerror(errno));
}

/* One line on stderr for the server's close calls that failed (ordinary
 * fds): each call, its last errno's text and how many, and by mode. */
static void server_close_failures(const struct rs_server *sv, unsigned n)
{
	uint64_t calls[RS_SRV_NCALLS] = { 0 }, modes[RS_CLOSE_NMODES] = { 0 };
	int err[RS_SRV_NCALLS] = { 0 };
	uint64_t total = 0;
	char line[640] = "";

	for (unsigned i = 0; i < n; i++) {
		for (unsigned k = 0; k < RS_SRV_NCALLS; k++) {
			calls[k] += sv[i].call_failed[k];
			if (sv[i].call_failed[k])
				err[k] = sv[i].call_errno[k];
		}
		for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
			modes[m] += sv[i].close_failed[m];
	}
	for (unsigned k = 0; k < RS_SRV_NCALLS; k++) {
		total += calls[k];
		if (calls[k])
			rs_append(line, sizeof(line),
				  "%s%s failed %" PRIu64 " times (%s, %s)",
				  line[0] ? "; " : "", rs_server_call_name(k),
				  calls[k], strerror(err[k]), rs_errname(err[k]));
	}
	if (!total)
		return;
	rs_append(line, sizeof(line), "; closes by mode:");
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		if (modes[m])
			rs_append(line, sizeof(line), " %s %" PRIu64,
				  rs_close_name(m), modes[m]);
	fprintf(stderr,
		"rststorm: server close calls failed: %s: an rst or shutdown whose call failed went out as a FIN and is counted as fin; check the socket options the kernel allows (or run with the server's direct descriptors)\n",
		line);
}

/* EADDRNOTAVAIL from connect: the local ports ran out. One line on stderr
 * with the count and what to do. */
static void ports_exhausted(const struct rs_tally *t,
			    const struct rs_config *cfg)
{
	uint64_t n = 0;

	for (unsigned ph = 0; ph < RS_PH_N; ph++)
		n += t->failed[ph][RS_RES_ERRNO0 + EADDRNOTAVAIL];
	if (!n)
		return;
	fprintf(stderr,
		"rststorm: %" PRIu64 " connections failed with %s (EADDRNOTAVAIL): the local ports ran out (%u source address%s); widen net.ipv4.ip_local_port_range, use more --sources (127.0.0.x addresses, each with its own ports), or lower -c\n",
		n, strerror(EADDRNOTAVAIL), cfg->sources > 1 ? cfg->sources : 1,
		cfg->sources > 1 ? "es" : "");
}

/* --link plumbing for rs_run_core: without a link these are the plain
 * loopback listener, pthread_create and 127.0.0.x sources. */

/* A listener for port i of n: on loopback, or with --link on the link's
 * server side (198.18.0.2 or 2001:2::2), the calling thread back home
 * after. Fatal on failure. */
static int core_listen(const struct rs_config *cfg, struct rs_addr *a,
		       uint32_t i, uint32_t n)
{
	int fam = cfg->ipv6 ? AF_INET6 : AF_INET, fd;
	char err[320];

	if (!cfg->link) {
		rs_addr_loopback(a, fam, 0);
		fd = rs_server_listen(a);
		if (fd < 0)
			rs_fatal("cannot listen on %s (port %u of %u): %s (%s): check that the loopback interface is up (ip link set lo up)%s",
				 cfg->ipv6 ? "::1" : "127.0.0.1", i + 1, n,
				 strerror(-fd), rs_errname(-fd),
				 cfg->ipv6 ? " and has ::1 (IPv6 not disabled: sysctl net.ipv6.conf.lo.disable_ipv6=0)" : "");
		return fd;
	}
	{
		struct sockaddr_storage ss;
		socklen_t len = rs_link_sockaddr(cfg->link, RS_LINK_SERVER,
						 fam, 0, &ss);

		memset(a, 0, sizeof(*a));
		memcpy(&a->u, &ss, len);
		a->len = len;
	}
	if (rs_link_enter(cfg->link, RS_LINK_SERVER, err, sizeof(err)))
		rs_fatal("--link: %s", err);
	fd = rs_server_listen(a);
	if (rs_link_enter(cfg->link, RS_LINK_HOST, err, sizeof(err)))
		rs_fatal("--link: %s", err);
	if (fd < 0)
		rs_fatal("--link: cannot listen on %s (port %u of %u) on the link's server side: %s (%s): check ulimit -n",
			 rs_link_addr(cfg->link, RS_LINK_SERVER, fam), i + 1, n,
			 strerror(-fd), rs_errname(-fd));
	return fd;
}

/* pthread_create, or with --link a thread born on the side given (its
 * ring and its sockets then belong to that side). Returns 0 or an errno
 * value, with a line in err. */
static int core_thread(const struct rs_config *cfg, enum rs_link_side side,
		       pthread_t *tid, void *(*fn)(void *), void *arg,
		       char *err, size_t errlen)
{
	int e;

	if (cfg->link) {
		e = rs_link_thread_create(cfg->link, side, tid, fn, arg, err,
					  errlen);
		return e < 0 ? -e : e;
	}
	e = pthread_create(tid, NULL, fn, arg);
	if (e)
		snprintf(err, errlen, "%s (%s)", strerror(e), rs_errname(e));
	return e;
}

/* --sources N: 127.0.0.1..N, or with --link the client side's N
 * addresses (IPv4: --sources is refused with -6). */
static void core_sources(const struct rs_config *cfg, struct rs_shared *sh)
{
	sh->nsrcs = cfg->sources;
	sh->srcs = calloc(sh->nsrcs, sizeof(*sh->srcs));
	if (!sh->srcs)
		rs_fatal("out of memory for %u source addresses", sh->nsrcs);
	for (uint32_t i = 0; i < sh->nsrcs; i++) {
		struct sockaddr_storage ss;

		if (cfg->link) {
			rs_link_source(cfg->link, i, AF_INET, 0, &ss);
			memcpy(&sh->srcs[i], &ss, sizeof(sh->srcs[i]));
			continue;
		}
		/* all of 127/8 is local: no address needs configuring */
		sh->srcs[i].sin_family = AF_INET;
		sh->srcs[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK + i);
	}
}

/* The listening ports, for the RST reasons of run --netns. */
static void note_srv_ports(struct rs_run_out *out, const struct rs_addr *a,
			   uint32_t n)
{
	out->srv_ports = calloc(n ? n : 1, sizeof(*out->srv_ports));
	if (!out->srv_ports)
		return;
	for (uint32_t i = 0; i < n; i++)
		out->srv_ports[i] = rs_addr_port(&a[i]);
	out->nsrv_ports = n;
}

int rs_run_core(const struct rs_config *cfg, const struct rs_probe *probe,
		struct rs_guest *guest, bool tty, struct rs_run_out *out)
{
	struct rs_shared sh;
	struct rs_client *cl = NULL;
	struct rs_server *sv = NULL;
	int *lfds = NULL, *srv_lfds = NULL;
	sigset_t sigs;
	uint64_t t_stop = 0, last_progress;
	/* --target: clients only, against servers in other processes */
	bool targets = cfg->ntargets > 0;
	unsigned nservers = cfg->concurrency && !targets ? cfg->server_threads :
							   0;
	uint32_t nports = cfg->concurrency && !targets ? cfg->ports : 0;
	const struct rs_target *tl = targets ? cfg->tlink : NULL;
	bool own_stamps = !(tl && tl->clock == RS_CLOCK_STAMP);
	time_t wall;
	int storm_fd = -1;
	bool hold = cfg->hold && cfg->concurrency;
	/* off a terminal, run prints a plain line now and then (CI logs) */
	bool plain = !tty && !cfg->quiet && !guest;
	uint64_t period = tty ? 1000000000ull :
				rs_progress_period(cfg->interval_ns);
	FILE *iv_nd = out->iv_nd;

	memset(out, 0, sizeof(*out));
	/* before the run allocates anything: --hold's baseline */
	out->hold.rss_before_kb = rs_rss_kb();
	out->hold.slab_before_kb = rs_klimits_slab_kb();
	out->hold.target = cfg->concurrency;
	out->hold.storm_s = -1;
	memset(&sh, 0, sizeof(sh));
	sh.cfg = cfg;
	sh.probe = probe;
	sh.total_slots = cfg->concurrency;
	sh.naddrs = targets ? cfg->ntargets : nports;
	sh.rate = cfg->rate;
	sh.plan_tag = rs_plan_tag(&cfg->mix, cfg->seed);
	sh.clock = targets && own_stamps ? RS_CLOCK_SEEN : RS_CLOCK_STAMP;
	if (own_stamps)
		sh.close_stamp = calloc(sh.total_slots + 1,
					sizeof(*sh.close_stamp));
	else
		sh.close_stamp = tl->stamps;
	sh.addrs = calloc(sh.naddrs + 1, sizeof(*sh.addrs));
	if (targets)
		memcpy(sh.addrs, cfg->target,
		       cfg->ntargets * sizeof(*sh.addrs));
	lfds = calloc(nports + 1, sizeof(*lfds));
	srv_lfds = calloc(nports + 1, sizeof(*srv_lfds));
	cl = calloc(cfg->threads, sizeof(*cl));
	sv = calloc(nservers + 1, sizeof(*sv));
	out->client = rs_tally_new();
	out->server = rs_tally_new();
	if (!sh.close_stamp || !sh.addrs || !lfds || !srv_lfds || !cl || !sv ||
	    !out->client || !out->server)
		rs_fatal("out of memory setting up %u connection slots: lower -c",
			 cfg->concurrency);
	if (cfg->sources > 1)
		core_sources(cfg, &sh);
	if (hold) {
		storm_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (storm_fd < 0)
			rs_fatal("--hold: eventfd failed: %s (%s)",
				 strerror(errno), rs_errname(errno));
	}

	for (uint32_t i = 0; i < nports; i++)
		lfds[i] = core_listen(cfg, &sh.addrs[i], i, nports);

	/* Signals go to the main thread only, which waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	/* listeners round-robin over server threads */
	{
		uint32_t off = 0;

		for (unsigned i = 0; i < nservers; i++) {
			struct rs_server *s = &sv[i];

			s->sh = &sh;
			s->index = i;
			s->lfds = &srv_lfds[off];
			for (uint32_t p = i; p < nports; p += nservers)
				srv_lfds[off + s->nl++] = lfds[p];
			off += s->nl;
			s->cap = server_cap(cfg, probe, s->nl);
			s->storm_fd = storm_fd;
			s->tally = rs_tally_new();
			if (!s->tally)
				rs_fatal("out of memory for server %u's counters",
					 i);
		}
	}
	{
		/* --client-index: this client's own range of serve's ids */
		uint32_t base = rs_cli_slot_base(cfg);

		for (unsigned i = 0; i < cfg->threads; i++) {
			struct rs_client *w = &cl[i];

			w->sh = &sh;
			w->index = i;
			w->base = base;
			w->nslots = cfg->concurrency / cfg->threads +
				    (i < cfg->concurrency % cfg->threads);
			base += w->nslots;
			w->budget = cfg->count ?
					    cfg->count / cfg->threads +
						    (i < cfg->count % cfg->threads) :
					    UINT64_MAX;
			if (cfg->hold)
				w->budget = w->nslots; /* each slot once */
			w->conns = calloc(w->nslots + 1, sizeof(*w->conns));
			w->hello = calloc(w->nslots + 1, sizeof(*w->hello));
			w->tally = rs_tally_new();
			w->guest = i == 0 ? guest : NULL;
			if (!w->conns || !w->hello || !w->tally)
				rs_fatal("out of memory for client %u's %u slots: lower -c",
					 i, w->nslots);
			for (uint32_t s = 0; s < w->nslots; s++)
				w->conns[s].fd = -1;
		}
	}

	/* the clock starts before any thread does: the servers read sh.t0
	 * for their close stamps, and thread creation orders the write */
	time(&wall);
	strftime(out->started_utc, sizeof(out->started_utc),
		 "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
	sh.t0 = rs_now_ns();
	sh.stamp_t0 = own_stamps ? sh.t0 : tl->stamp_t0;
	sh.deadline = cfg->duration_ns ? sh.t0 + cfg->duration_ns : 0;
	if (cfg->interval_ns && !guest) {
		out->iv = rs_iv_new(sh.t0, cfg->interval_ns, cfg->threads,
				    &cfg->script, iv_nd);
		if (!out->iv)
			rs_fatal("out of memory for --interval's records of %u client threads: lower --threads",
				 cfg->threads);
		for (unsigned i = 0; i < cfg->threads; i++)
			cl[i].iv = rs_iv_worker(out->iv, i);
	}
	for (unsigned i = 0; i < nservers; i++) {
		char err[320];

		if (core_thread(cfg, RS_LINK_SERVER, &sv[i].thread,
				server_thread, &sv[i], err, sizeof(err)))
			rs_fatal("cannot start server thread %u: %s: lower --server-threads",
				 i, err);
	}
	for (unsigned i = 0; i < cfg->threads; i++) {
		char err[320];

		if (core_thread(cfg, RS_LINK_CLIENT, &cl[i].thread,
				client_thread, &cl[i], err, sizeof(err)))
			rs_fatal("cannot start client thread %u: %s: lower --threads",
				 i, err);
	}

	/* Wait for the clients, a signal, or the end of the grace period
	 * after the stop (then what is still in flight is abandoned). */
	last_progress = sh.t0;
	for (;;) {
		/* --hold: watch closely for the moment all are held */
		bool holding = hold && !atomic_load(&sh.storm_ns);
		struct timespec ts = { 0, holding ? 10000000 : 100000000 };
		unsigned done = 0;
		uint64_t now;
		int sig = sigtimedwait(&sigs, NULL, &ts);

		now = rs_now_ns();
		if (sig > 0) {
			if (!out->signo) {
				out->signo = sig;
				atomic_store(&sh.stop, 1);
				t_stop = now;
				if (tty)
					fprintf(stderr,
						"\nrststorm: stopping (signal %d): finishing connections in flight; again to abandon them\n",
						sig);
			} else {
				atomic_store(&sh.abort_run, 1);
			}
		}
		if (!t_stop && sh.deadline && now >= sh.deadline)
			t_stop = now;
		if (!t_stop && atomic_load(&sh.stop))
			t_stop = now;
		if (t_stop && now > t_stop + cfg->timeout_ns + 1000000000ull)
			atomic_store(&sh.abort_run, 1);
		for (unsigned i = 0; i < cfg->threads; i++)
			done += (unsigned)atomic_load(&cl[i].done);
		if (holding) {
			uint64_t held = 0, failed = 0;

			for (unsigned i = 0; i < nservers; i++)
				held += atomic_load(&sv[i].pub_held);
			for (unsigned i = 0; i < cfg->threads; i++)
				failed += atomic_load(&cl[i].pub_failed);
			/* all held, or held but for those that failed (no
			 * slot connects twice), the deadline, a signal, or
			 * no client left to hold one */
			if (held + failed >= cfg->concurrency || t_stop ||
			    done == cfg->threads) {
				call_storm(&sh, sv, nservers, storm_fd, out);
				holding = false;
			}
		}
		if (out->iv)
			rs_iv_poll(out->iv);
		if ((tty || plain) &&
		    (now - last_progress >= period ||
		     (tty && done == cfg->threads))) {
			if (holding)
				hold_progress(sv, nservers, cfg->concurrency,
					      (double)(now - sh.t0) / 1e9, tty,
					      stderr);
			else
				progress(cl, cfg->threads,
					 (double)(now - sh.t0) / 1e9, tty,
					 stderr);
			/* on the period's grid: lines 10 s apart, not 10.1 */
			last_progress = tty ? now : now - (now - sh.t0) % period;
		}
		if (done == cfg->threads)
			break;
	}
	if (tty)
		fputc('\n', stderr);
	for (unsigned i = 0; i < cfg->threads; i++)
		pthread_join(cl[i].thread, NULL);
	out->t0 = sh.t0;
	out->t_end = rs_now_ns();
	if (out->iv && rs_iv_finish(out->iv, (double)(out->t_end - sh.t0) / 1e9))
		rs_fatal("out of memory for --interval's rows: use a longer --interval");
	for (unsigned i = 0; i < nservers; i++)
		atomic_store(&sv[i].stop, 1);
	for (unsigned i = 0; i < nservers; i++)
		pthread_join(sv[i].thread, NULL);

	for (unsigned i = 0; i < cfg->threads; i++) {
		if (cl[i].err) {
			fprintf(stderr, "rststorm: %s\n", cl[i].errmsg);
			out->status = 1;
		}
		rs_tally_add(out->client, cl[i].tally);
	}
	for (unsigned i = 0; i < nservers; i++) {
		if (sv[i].err) {
			fprintf(stderr, "rststorm: %s\n", sv[i].errmsg);
			out->status = 1;
		}
		rs_tally_add(out->server, sv[i].tally);
	}
	server_close_failures(sv, nservers);
	ports_exhausted(out->client, cfg);
	if (hold && atomic_load(&sh.storm_ns)) {
		uint64_t storm = atomic_load(&sh.storm_ns), end = storm;
		bool all = true;

		/* the storm lasts until the last server's last close action */
		for (unsigned i = 0; i < nservers; i++) {
			if (!sv[i].storm_done_ns)
				all = false;
			else if (sv[i].storm_done_ns > end)
				end = sv[i].storm_done_ns;
		}
		if (all)
			out->hold.storm_s = (double)(end - storm) / 1e9;
		out->hold.drain_s = (double)(out->t_end - storm) / 1e9;
	}
	if (storm_fd >= 0)
		close(storm_fd);

	if (!targets)
		note_srv_ports(out, sh.addrs, nports);
	for (uint32_t i = 0; i < nports; i++)
		close(lfds[i]);
	for (unsigned i = 0; i < cfg->threads; i++) {
		free(cl[i].conns);
		free(cl[i].hello);
		free(cl[i].tally);
	}
	for (unsigned i = 0; i < nservers; i++)
		free(sv[i].tally);
	free(cl);
	free(sv);
	free(srv_lfds);
	free(lfds);
	free(sh.addrs);
	free(sh.srcs);
	if (own_stamps)
		free((void *)sh.close_stamp);
	return out->signo ? 128 + out->signo : out->status;
}

void rs_run_out_free(struct rs_run_out *out)
{
	free(out->client);
	free(out->server);
	free(out->srv_ports);
	rs_iv_free(out->iv);
	out->iv = NULL;
	out->client = out->server = NULL;
	out->srv_ports = NULL;
}

uint64_t rs_block_seed(uint64_t seed, unsigned b)
{
	uint64_t z;

	if (!b)
		return seed;
	z = seed + (uint64_t)b * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * --repeat N: rs_run_core N times, block b with rs_block_seed(seed, b);
 * the blocks' tallies add into out (as one longer run: elapsed is the sum
 * of the blocks'), and each block's outcome table is kept for blocks.csv.
 * Stops after a block a signal ended. Returns the blocks run.
 */
static unsigned run_blocks(struct rs_config *cfg, const struct rs_probe *probe,
			   bool tty, struct rs_run_out *out,
			   struct rs_outcome *blocks, uint64_t *seeds,
			   uint64_t *elapsed_ns)
{
	uint64_t base = cfg->seed;
	unsigned b;

	*elapsed_ns = 0;
	for (b = 0; b < cfg->repeat; b++) {
		struct rs_run_out blk, *o = b ? &blk : out;

		blk.iv_nd = NULL; /* --interval is one block's (cli.c) */

		cfg->seed = seeds[b] = rs_block_seed(base, b);
		if (cfg->repeat > 1 && !cfg->quiet)
			fprintf(stderr, "block %u/%u: --seed %" PRIu64 "\n",
				b + 1, cfg->repeat, cfg->seed);
		rs_run_core(cfg, probe, NULL, tty, o);
		*elapsed_ns += o->t_end - o->t0;
		if (blocks)
			blocks[b] = o->client->outcome;
		if (b) {
			uint16_t *p = realloc(out->srv_ports,
					      (out->nsrv_ports +
					       blk.nsrv_ports + 1) *
						      sizeof(*p));

			rs_tally_add(out->client, blk.client);
			rs_tally_add(out->server, blk.server);
			if (p) {
				memcpy(p + out->nsrv_ports, blk.srv_ports,
				       blk.nsrv_ports * sizeof(*p));
				out->srv_ports = p;
				out->nsrv_ports += blk.nsrv_ports;
			}
			out->t_end = blk.t_end;
			out->status |= blk.status;
			out->signo = blk.signo;
			rs_run_out_free(&blk);
		}
		if (out->signo) {
			b++;
			break;
		}
	}
	cfg->seed = base;
	return b;
}

/* run --netns: the kernel's reason for each RST (rstreason.h) by the close
 * mode, the sender's side, state and reason. Started before the namespace
 * is entered (a user namespace has no tracefs). */
static struct rs_rstr *run_rstr;
static char run_rst_why[320];
static bool run_rst_on, run_rst_no_reason;

static void run_rst_start(const struct rs_config *cfg)
{
	if (!cfg->netns || cfg->ntargets)
		return;
	run_rst_on = true;
	/* drained while the run goes; 16 MiB per CPU (~180k events) for
	 * when the drain falls behind a loaded machine */
	run_rstr = rs_rstr_start(16384, run_rst_why, sizeof(run_rst_why));
	if (run_rstr && !rs_rstr_has_reason(run_rstr)) {
		rs_rstr_stop(run_rstr);
		run_rstr = NULL;
		run_rst_no_reason = true;
		snprintf(run_rst_why, sizeof(run_rst_why),
			 "the kernel's tcp_send_reset has no reason field (before 6.10)");
	}
}

/* Drain the trace while the run goes: a run can send more RSTs than the
 * ring buffer holds. */
static void run_rst_drain(void)
{
	int e;

	if (!run_rstr)
		return;
	rs_rstr_clear(run_rstr);
	e = rs_rstr_drain_start(run_rstr);
	if (e) {
		snprintf(run_rst_why, sizeof(run_rst_why),
			 "cannot start the thread reading %s: %s",
			 rs_rstr_path(run_rstr), strerror(-e));
		rs_rstr_stop(run_rstr);
		run_rstr = NULL;
	}
}

/* The close mode the run's connections had: its name when the mix holds
 * one; `mixed` otherwise (the io_uring direct descriptors give no ports
 * per connection, so an RST cannot be tied to its connection's mode). */
static const char *run_rst_mode(const struct rs_config *cfg)
{
	int m = -1;

	for (unsigned i = 0; i < RS_CLOSE_NMODES; i++)
		if (cfg->mix.weight[i])
			m = m < 0 ? (int)i : -2;
	return m >= 0 ? rs_close_name((unsigned)m) : "mixed";
}

static int cmp_key(const void *a, const void *b)
{
	const struct rs_rst_key *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* Collect, print one line with the top reasons, write rst_reasons.csv.
 * Returns 1 when the file could not be written, else 0. */
static int run_rst_end(const struct rs_config *cfg,
		       const struct rs_run_out *out)
{
	struct rs_rst_tally t;
	uint64_t overrun = 0, others = 0;
	const char *status = run_rst_no_reason ? "no-reason" : "no-trace";
	char err[512];
	int e = 0;

	if (!run_rst_on)
		return 0;
	memset(&t, 0, sizeof(t));
	if (run_rstr) {
		e = rs_rstr_drain_stop(run_rstr, out->srv_ports,
				       out->nsrv_ports, &t, &others, &overrun);
		rs_rstr_stop(run_rstr);
		run_rstr = NULL;
		if (e)
			snprintf(run_rst_why, sizeof(run_rst_why),
				 "the trace could not be read: %s",
				 strerror(-e));
	}
	if (!e && !run_rst_why[0]) {
		status = overrun ? "overrun" : "traced";
		qsort(t.k, t.nk, sizeof(t.k[0]), cmp_key);
		printf("RST reasons: %" PRIu64 " RSTs of the run's connections traced%s",
		       t.events, t.nk ? ", top:" : "");
		for (unsigned k = 0; k < t.nk && k < 3; k++)
			printf("%s %s %s %s %" PRIu64, k ? ";" : "",
			       rs_side_name(t.k[k].side), t.k[k].state,
			       t.k[k].reason, t.k[k].n);
		printf(" (close mode %s; %" PRIu64 " other RSTs on the host left out",
		       run_rst_mode(cfg), others);
		if (overrun)
			printf("; %" PRIu64 " events LOST: trace overrun", overrun);
		printf(")\n");
	} else {
		printf("RST reasons: not traced: %s; the counters stand alone\n",
		       run_rst_why);
	}
	if (!cfg->csv_dir)
		return 0;
	{
		struct rs_csv_out c;
		struct rs_row w;

		if (rs_csv_open(&c, cfg->csv_dir,
				rs_schema_file(RS_RF_RUN_RST)->name, err,
				sizeof(err)))
			goto fail;
		rs_schema_header(RS_RF_RUN_RST, c.f);
		for (unsigned k = 0; k < t.nk || (!k && !t.nk); k++) {
			rs_row_init(&w, RS_RF_RUN_RST);
			rs_row_set(&w, "close_mode", "%s", run_rst_mode(cfg));
			rs_row_set(&w, "side", "%s",
				   t.nk ? rs_side_name(t.k[k].side) : "-");
			rs_row_set(&w, "state", "%s", t.nk ? t.k[k].state : "-");
			rs_row_set(&w, "reason", "%s",
				   t.nk ? t.k[k].reason : "-");
			rs_row_set(&w, "count", "%" PRIu64, t.nk ? t.k[k].n : 0);
			rs_row_set(&w, "status", "%s", status);
			rs_row_write(&w, c.f);
		}
		if (rs_csv_close(&c, err, sizeof(err)))
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr,
		"rststorm: rst_reasons.csv not written: %s: check that the directory is writable and the disk has room\n",
		err);
	return 1;
}

/* --link for one run: open before any thread, measure, report, close. */
struct run_link {
	struct rs_link_rtt rtt;
	bool measured;         /* at least one measuring connection got up */
	char desc[400];        /* rs_link_describe */
	char spec[160];        /* rs_link_spec_format */
	struct rs_link_stats st;
};

/* Open the link (cfg->link), or end the run with one line saying what is
 * missing (no root, no /dev/net/tun, ...): exit 1. Then measure its round
 * trip as TCP sees it, over the family of the run. */
static void link_up(struct rs_config *cfg, struct run_link *rl)
{
	struct rs_link_spec spec = cfg->link_spec;
	int fam = cfg->ipv6 ? AF_INET6 : AF_INET;
	char err[512];
	sigset_t sigs;

	memset(rl, 0, sizeof(*rl));
	/* the forwarder and the measuring threads inherit this: SIGINT
	 * and SIGTERM stay for the main thread's sigtimedwait */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	spec.seed = cfg->seed;
	spec.sources = cfg->sources;
	if (rs_link_open(&spec, &cfg->link, err, sizeof(err)))
		rs_fatal("%s", err);
	if (cfg->ipv6 && !rs_link_has_ipv6(cfg->link))
		rs_fatal("--link with -6: the link's namespaces have no IPv6 (the kernel has it off): run without -6, or enable IPv6 (ipv6.disable=0)");
	rs_link_describe(cfg->link, rl->desc, sizeof(rl->desc));
	rs_link_spec_format(&spec, rl->spec, sizeof(rl->spec));
	/* 4 connections x 5 pings: a few round trips, bounded by the
	 * timeout (a lossy link may let none through) */
	if (rs_link_measure(cfg->link, fam, 4, 5, 64,
			    5000000000ull + 10 * spec.rtt_ns, &rl->rtt, err,
			    sizeof(err)))
		rs_fatal("%s", err);
	rl->measured = rl->rtt.conns_ok > 0;
}

/* The header's link lines. */
static void link_print(const struct run_link *rl, uint64_t rtt_ns)
{
	printf("%s\n", rl->desc);
	if (!rl->measured) {
		printf("link rtt: asked %" PRIu64 " us, not measured: none of %u connections got up\n",
		       rtt_ns / 1000, rl->rtt.conns_asked);
		return;
	}
	printf("link rtt: asked %" PRIu64 " us, measured min_rtt %u us (%u..%u), srtt %u us (%u..%u), app %u us (p99 %u) over %u connections\n",
	       rtt_ns / 1000, rl->rtt.min_rtt_us[1], rl->rtt.min_rtt_us[0],
	       rl->rtt.min_rtt_us[2], rl->rtt.srtt_us[1], rl->rtt.srtt_us[0],
	       rl->rtt.srtt_us[2], rl->rtt.app_rtt_us[1],
	       rl->rtt.app_rtt_us[2], rl->rtt.conns_ok);
}

static void *mib_side_thread(void *arg)
{
	struct rs_mib **m = arg;

	/* /proc/net follows the main thread: this thread's side is here */
	*m = rs_mib_read_files("/proc/thread-self/net/snmp",
			       "/proc/thread-self/net/netstat");
	return NULL;
}

static struct rs_mib *link_mib_side(const struct rs_link *l,
				    enum rs_link_side side)
{
	struct rs_mib *m = NULL;
	pthread_t t;
	char err[320];

	if (rs_link_thread_create(l, side, &t, mib_side_thread, &m, err,
				  sizeof(err)))
		return NULL;
	pthread_join(t, NULL);
	return m;
}

/* The watched counters of both sides summed into one snapshot: on
 * loopback both ends of a connection count in one namespace, so the sum
 * reads like a --netns run's. NULL when a side cannot be read. */
static struct rs_mib *link_mib_read(const struct rs_link *l)
{
	static const char *const prefixes[] = { "Tcp", "TcpExt" };
	struct rs_mib *c = link_mib_side(l, RS_LINK_CLIENT);
	struct rs_mib *s = link_mib_side(l, RS_LINK_SERVER);
	struct rs_mib *m = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!c || !s)
		goto out;
	f = open_memstream(&buf, &len);
	if (!f)
		goto out;
	for (unsigned p = 0; p < 2; p++) {
		size_t pl = strlen(prefixes[p]);
		char names[1024] = "", vals[1024] = "";

		for (unsigned i = 0; i < rs_mib_nwatched; i++) {
			const char *w = rs_mib_watched[i];
			int64_t a, b;

			if (strncmp(w, prefixes[p], pl) || w[pl] != '.' ||
			    rs_mib_get(c, w, &a) || rs_mib_get(s, w, &b))
				continue;
			rs_append(names, sizeof(names), " %s", w + pl + 1);
			rs_append(vals, sizeof(vals), " %" PRId64, a + b);
		}
		if (names[0])
			fprintf(f, "%s:%s\n%s:%s\n", prefixes[p], names,
				prefixes[p], vals);
	}
	fclose(f);
	f = fmemopen(buf, len, "r");
	if (f) {
		m = rs_mib_parse(f, NULL);
		fclose(f);
	}
out:
	free(buf);
	rs_mib_free(c);
	rs_mib_free(s);
	return m;
}

/* After the run: the link's counters, then close it (every socket of
 * the run is closed by now). A forwarder that stopped early cut the
 * link: the run's results are not the link's, so the run fails. */
static int link_down(struct rs_config *cfg, struct run_link *rl)
{
	int status = 0;

	rs_link_stats(cfg->link, &rl->st);
	if (rl->st.forwarder_errno) {
		fprintf(stderr,
			"rststorm: --link: the delay line stopped forwarding during the run: %s (%s): the link was cut, the results are not the link's; rerun, and report it if it persists\n",
			strerror(rl->st.forwarder_errno),
			rs_errname(rl->st.forwarder_errno));
		status = 1;
	}
	printf("link: to server %" PRIu64 " packets, %" PRIu64 " lost, %" PRIu64 " dropped (queue full %" PRIu64 "); to client %" PRIu64 " packets, %" PRIu64 " lost, %" PRIu64 " dropped (queue full %" PRIu64 ")\n",
	       rl->st.to_server.forwarded, rl->st.to_server.lost,
	       rl->st.to_server.dropped_full + rl->st.to_server.dropped_err,
	       rl->st.to_server.dropped_full, rl->st.to_client.forwarded,
	       rl->st.to_client.lost,
	       rl->st.to_client.dropped_full + rl->st.to_client.dropped_err,
	       rl->st.to_client.dropped_full);
	rs_link_close(cfg->link);
	cfg->link = NULL;
	return status;
}

/* The report's link columns. */
static void link_report(const struct rs_config *cfg,
			const struct run_link *rl, struct rs_report *rep)
{
	rep->link = rl->spec;
	rep->link_rtt_asked_us = cfg->link_spec.rtt_ns / 1000;
	if (rl->measured) {
		rep->link_rtt_min_us = rl->rtt.min_rtt_us[1];
		rep->link_rtt_srtt_us = rl->rtt.srtt_us[1];
	}
	rep->link_lost = rl->st.to_server.lost + rl->st.to_client.lost;
	rep->link_dropped = rl->st.to_server.dropped_full +
			    rl->st.to_server.dropped_err +
			    rl->st.to_client.dropped_full +
			    rl->st.to_client.dropped_err;
}

/* fclose after every write: nonzero when any failed. */
static int fclose_checked(FILE *f)
{
	int bad = fflush(f) != 0 || ferror(f);

	return (fclose(f) != 0) || bad;
}

/* --interval with --json: where the NDJSON lines go, one per interval as
 * it ends. --json -: standard output, ahead of the document (a line of
 * its own too: the whole stream is NDJSON); --json FILE: FILE's sibling
 * NAME.intervals.ndjson (NAME: FILE without .json), written as the run
 * goes (no temporary file: it is meant to be followed). Returns the
 * stream, or NULL with the reason in err. */
static FILE *iv_nd_open(const char *json, char *path, size_t plen, char *err,
			size_t errlen)
{
	size_t n = strlen(json);
	FILE *f;
	int fd;

	if (strcmp(json, "-") == 0) {
		struct rs_json_out o;

		*path = '\0';
		if (rs_json_open(&o, "-", err, errlen))
			return NULL;
		return o.f;
	}
	if (n >= 5 && strcmp(json + n - 5, ".json") == 0)
		n -= 5;
	if ((size_t)snprintf(path, plen, "%.*s.intervals.ndjson", (int)n,
			     json) >= plen) {
		snprintf(err, errlen, "--json %.60s: path too long for its intervals.ndjson sibling",
			 json);
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "--interval: cannot write %.300s: %s (%s): name a --json file in a directory you can write",
			 path, strerror(e), rs_errname(e));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return f;
}

/* SIGPIPE deliveries: write ops (IORING_OP_WRITE, write(2)) have no
 * MSG_NOSIGNAL, so their EPIPE raises it on the issuing thread. A counting
 * handler instead of SIG_IGN: the count goes in the report. */
static _Atomic uint64_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&sigpipes, 1, memory_order_relaxed);
}

int rs_run(struct rs_config *cfg)
{
	struct rs_probe probe;
	struct rs_run_out out;
	struct rs_report rep;
	bool tty = isatty(STDERR_FILENO) && !cfg->quiet;
	int status = 0;
	char line[512], netns_note[256], mix[128], ops[160], wait[32], dur[32], why[256];
	struct rusage ru;
	struct rs_mib *mib_before, *mib_after = NULL;
	struct rs_target tgt;
	char targets[RS_MAX_ADDRS * RS_ADDR_TEXT];
	struct run_link rl;
	FILE *iv_nd = NULL;
	char iv_nd_path[4200];
	struct rs_outcome *blocks = NULL;
	uint64_t *seeds = NULL, elapsed_ns = 0;

	memset(&rep, 0, sizeof(rep));
	memset(&tgt, 0, sizeof(tgt));
	if (cfg->csv_dir) {
		char err[512];

		if (rs_report_dir_prepare(cfg->csv_dir, RS_RKIND_RUN, err,
					  sizeof(err))) {
			fprintf(stderr, "rststorm run: %s\n", err);
			return 2;
		}
	}
	if (cfg->hlog_path) {
		char err[600];

		if (rs_hlog_prepare(cfg->hlog_path, err, sizeof(err))) {
			fprintf(stderr, "rststorm run: %s\n", err);
			return 2;
		}
	}
	if (cfg->json_path) {
		char err[512];

		if (rs_json_prepare(cfg->json_path, err, sizeof(err))) {
			fprintf(stderr, "rststorm run: %s\n", err);
			return 2;
		}
		if (strcmp(cfg->json_path, "-") == 0 && rs_json_claim_stdout())
			rs_fatal("--json -: cannot set standard output aside: %s",
				 strerror(errno));
		if (cfg->interval_ns) {
			iv_nd = iv_nd_open(cfg->json_path, iv_nd_path,
					   sizeof(iv_nd_path), err,
					   sizeof(err));
			if (!iv_nd) {
				fprintf(stderr, "rststorm run: %s\n", err);
				return 2;
			}
		}
	}
	if (!cfg->seed_given)
		cfg->seed = rs_now_ns() ^ ((uint64_t)getpid() << 32);
	run_rst_start(cfg);
	if (cfg->netns) {
		/* its longest line is ~340 bytes: 320 cut off "drop --netns" */
		char err[640];

		if (rs_netns_enter(err, sizeof(err)))
			rs_fatal("%s", err);
	}
	if (cfg->foreign) {
		char err[640];

		if (rs_cli_load_request(cfg, err, sizeof(err))) {
			fprintf(stderr, "rststorm run: %s\n", err);
			return 2;
		}
	}
	if (cfg->ntargets) {
		char err[640];

		/* before anything is printed: the seed may be the server's */
		if (rs_target_open(cfg, &tgt, err, sizeof(err))) {
			fprintf(stderr, "rststorm run: %s\n", err);
			return 1;
		}
		cfg->tlink = &tgt;
	}
	rs_probe_run(&probe, cfg);
	rs_probe_require(&probe);
	if (cfg->engine == RS_ENGINE_URING &&
	    rs_engine_uring_ops(&cfg->script, &probe, why, sizeof(why)))
		rs_fatal("%s", why);
	if (cfg->closer == RS_SIDE_CLIENT && cfg->mix.weight[RS_CLOSE_RST] &&
	    cfg->engine == RS_ENGINE_URING && probe.socket_direct &&
	    !probe.sock_cmd)
		rs_fatal("--closer client: rst needs SO_LINGER on the client's direct descriptors, a socket command this kernel (%s) lacks (6.7): add --no-direct",
			 probe.release);
	rs_fit_rings(cfg, &probe);
	rs_check_fd_limit(cfg, &probe);
	check_kernel_limits(cfg, netns_note, sizeof(netns_note));
	/* before any thread of the run: its threads start on a side */
	if (cfg->link_given)
		link_up(cfg, &rl);
	mib_before = cfg->link ? link_mib_read(cfg->link) : rs_mib_read();
	if (!mib_before)
		rs_warn("cannot read /proc/net/snmp or /proc/net/netstat: %s: the kernel counters are left out",
			strerror(errno));
	{
		struct sigaction sa = { .sa_handler = on_sigpipe,
					.sa_flags = SA_RESTART };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGPIPE, &sa, NULL))
			signal(SIGPIPE, SIG_IGN);
	}

	rs_mix_format(&cfg->mix, mix, sizeof(mix));
	rs_script_format(&cfg->script, ops, sizeof(ops));
	rs_wait_format(cfg, wait, sizeof(wait));
	rs_format_duration(cfg->duration_ns, dur, sizeof(dur));
	printf("rststorm run: -c %u", cfg->concurrency);
	if (cfg->duration_ns)
		printf(" -d %s", dur);
	if (cfg->count)
		printf(" -n %" PRIu64, cfg->count);
	printf(" -t %u", cfg->threads);
	if (!cfg->ntargets)
		printf(" --server-threads %u --ports %u", cfg->server_threads,
		       cfg->ports);
	if (cfg->foreign) /* the server closes by its own rules */
		printf(" --ops %s --wait %s", ops, wait);
	else
		printf(" --close %s --ops %s --wait %s", mix, ops, wait);
	if (cfg->op_gap_ns) {
		rs_format_duration(cfg->op_gap_ns, dur, sizeof(dur));
		printf(" --op-gap %s", dur);
	}
	if (cfg->op_size != 1)
		printf(" --op-size %u", cfg->op_size);
	if (cfg->server_sends)
		printf(" --server-sends %u", cfg->server_sends);
	if (cfg->closer == RS_SIDE_CLIENT)
		printf(" --closer client");
	if (!cfg->foreign)
		printf(" --seed %" PRIu64, cfg->seed);
	printf("%s%s%s",
	       cfg->netns ? " --netns" : "", cfg->hold ? " --hold" : "",
	       cfg->churn ? " --churn" : "");
	if (cfg->repeat > 1)
		printf(" --repeat %u", cfg->repeat);
	if (cfg->sources > 1)
		printf(" --sources %u", cfg->sources);
	if (cfg->engine == RS_ENGINE_EPOLL)
		printf(" --engine epoll");
	if (cfg->ipv6)
		printf(" -6");
	if (cfg->rate)
		printf(" --rate %" PRIu64, cfg->rate);
	if (cfg->allow_remote)
		printf(" --allow-remote");
	if (cfg->foreign)
		printf(" --foreign");
	if (cfg->link)
		printf(" --link %s", rl.spec);
	if (cfg->client_count)
		printf(" --client-index %u/%u", cfg->client_index,
		       cfg->client_count);
	for (uint32_t i = 0; i < cfg->ntargets; i++) {
		char a[RS_ADDR_TEXT];

		rs_addr_format(&cfg->target[i], a, sizeof(a));
		printf("%s%s", i ? "," : " --target ", a);
	}
	printf("\n");
	if (cfg->ntargets)
		printf("clock: %s: %s%s\n",
		       tgt.clock == RS_CLOCK_STAMP ? "stamp" : "seen",
		       tgt.clock_why,
		       tgt.seed_from_server ? " (seed and close mix taken from the server)" : "");
	rs_probe_line(&probe, line, sizeof(line));
	printf("path: %s\n", line);
	if (netns_note[0])
		printf("netns: raised in the run's namespace: %s\n", netns_note);
	if (cfg->link)
		link_print(&rl, cfg->link_spec.rtt_ns);
	if (!probe.server_direct)
		printf("limit: server sockets are ordinary fds (%s): connections are bound by RLIMIT_NOFILE %llu\n",
		       probe.server_why,
		       (unsigned long long)probe.nofile_cur);
	printf("\n");
	fflush(stdout);

	run_rst_drain();
	seeds = calloc(cfg->repeat, sizeof(*seeds));
	blocks = cfg->repeat > 1 ? calloc(cfg->repeat, sizeof(*blocks)) : NULL;
	if (!seeds || (cfg->repeat > 1 && !blocks))
		rs_fatal("--repeat %u: out of memory for the blocks' outcome tables: ask for fewer blocks",
			 cfg->repeat);
	out.iv_nd = iv_nd;
	rep.nblocks = run_blocks(cfg, &probe, tty, &out, blocks, seeds,
				 &elapsed_ns);
	rep.blocks = blocks;
	rep.block_seeds = seeds;
	status = out.status;
	if (iv_nd && fclose_checked(iv_nd)) {
		fprintf(stderr,
			"rststorm: interval lines not all written to %s: check that the disk has room and the reader is still there\n",
			*iv_nd_path ? iv_nd_path : "standard output");
		status = 1;
	}
	iv_nd = NULL;
	if (cfg->ntargets && rs_target_recheck(cfg, &tgt))
		status = 1;
	if (mib_before)
		mib_after = cfg->link ? link_mib_read(cfg->link) :
					rs_mib_read();
	if (cfg->link && link_down(cfg, &rl))
		status = 1;

	/* --closer client: the server was the victim; its ops are the
	 * report's (the clients ran none) */
	if (cfg->closer == RS_SIDE_CLIENT)
		rs_tally_take_ops(out.client, out.server);
	rep.cfg = cfg;
	rep.probe = &probe;
	rep.client = out.client;
	rep.server = out.server;
	snprintf(rep.started_utc, sizeof(rep.started_utc), "%s",
		 out.started_utc);
	rep.scenario = "run";
	rep.closer = rs_side_name(cfg->closer);
	rep.engine = rs_engine_of(cfg)->name;
	rep.elapsed_s = (double)elapsed_ns / 1e9;
	rep.mib_before = mib_before;
	rep.mib_after = mib_after;
	/* with --link: the link's two namespaces, summed */
	rep.mib_own_netns = cfg->netns || cfg->link_given;
	if (cfg->link_given)
		link_report(cfg, &rl, &rep);
	rep.hold = cfg->hold ? &out.hold : NULL;
	rep.iv = out.iv;
	rep.family = rs_family_name(cfg->ipv6 ? AF_INET6 : AF_INET);
	rep.clock = "stamp";
	rep.target = "embedded";
	if (cfg->ntargets) {
		size_t off = 0;
		int fam = rs_addr_family(&cfg->target[0]);

		rep.family = rs_family_name(fam);
		for (uint32_t i = 0; i < cfg->ntargets; i++) {
			char a[RS_ADDR_TEXT];

			if (rs_addr_family(&cfg->target[i]) != fam)
				rep.family = "mixed";
			rs_addr_format(&cfg->target[i], a, sizeof(a));
			off += (size_t)snprintf(targets + off,
						sizeof(targets) - off, "%s%s%s",
						i ? " " : "",
						cfg->foreign && !i ? "foreign " :
								     "",
						a);
			if (off >= sizeof(targets))
				break;
		}
		rep.target = targets;
		rep.clock = tgt.clock == RS_CLOCK_STAMP ? "stamp" : "seen";
	}
	rep.interrupted = out.signo;
	rep.sigpipes = atomic_load(&sigpipes);
	rep.balanced = rs_tally_balanced(out.client, cfg->script.n, why,
					 sizeof(why));
	if (rep.balanced && out.server->cq_dropped) {
		rep.balanced = false;
		snprintf(why, sizeof(why),
			 "the kernel dropped %" PRIu64 " server completions (CQ overflow)",
			 out.server->cq_dropped);
	}
	snprintf(rep.books_why, sizeof(rep.books_why), "%s", why);
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		rep.proc_user_s = (double)tv_ns(ru.ru_utime) / 1e9;
		rep.proc_sys_s = (double)tv_ns(ru.ru_stime) / 1e9;
	}
	rs_report_print(&rep, stdout);
	fflush(stdout);
	if (cfg->csv_dir) {
		char err[512];

		if (rs_report_write_csv(&rep, cfg->csv_dir, err, sizeof(err))) {
			fprintf(stderr,
				"rststorm: CSV report not written: %s: check that the directory is writable and the disk has room\n",
				err);
			status = 1;
		}
	}
	if (cfg->hlog_path) {
		char err[600];

		if (rs_hlog_write(&rep, cfg->hlog_path, err, sizeof(err))) {
			fprintf(stderr,
				"rststorm: HdrHistogram log not written: %s: check that the directory is writable and the disk has room\n",
				err);
			status = 1;
		}
	}
	if (cfg->json_path) {
		char err[512];

		if (rs_report_write_json(&rep, cfg->json_path, err,
					 sizeof(err))) {
			fprintf(stderr,
				"rststorm: JSON report not written: %s: check that the directory is writable and the disk has room\n",
				err);
			status = 1;
		}
	}
	if (run_rst_end(cfg, &out))
		status = 1;
	if (!rep.balanced) {
		fprintf(stderr, "rststorm: the books do not balance: %s\n",
			why);
		status = 1;
	}

	rs_mib_free(mib_before);
	rs_mib_free(mib_after);
	rs_run_out_free(&out);
	free(blocks);
	free(seeds);
	rs_target_close(&tgt);
	free(cfg->request_buf);
	cfg->request_buf = NULL;
	return out.signo ? 128 + out.signo : status;
}
