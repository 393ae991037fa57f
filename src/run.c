/* The run: threads, the clock, signals, merge, books and reports. */
#include "run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "netns.h"
#include "probe.h"
#include "report.h"
#include "server.h"
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

static void progress(struct rs_client *cl, unsigned n, double el, FILE *f)
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
	fprintf(f, "\r%6.1fs  connections %" PRIu64 " (%.0f/s)  ops %" PRIu64
		   "  failed %" PRIu64 "  in flight %" PRIu64 "\033[K",
		el, done, el > 0 ? (double)done / el : 0, ops, failed,
		started - done - failed);
	fflush(f);
}

/* Enough descriptors? Server sockets are ordinary fds; client sockets are
 * too unless they are io_uring direct descriptors. */
static void check_fd_limit(const struct rs_config *cfg,
			   const struct rs_probe *p)
{
	uint64_t need = (uint64_t)cfg->concurrency + cfg->ports + 64;

	if (p->socket_direct) {
		/* each ring's direct descriptor table is capped by the limit */
		uint64_t per = (cfg->concurrency + cfg->threads - 1) /
			       cfg->threads;

		if (per > p->nofile_cur)
			rs_fatal("-c %u over %u client threads puts %" PRIu64
				 " direct descriptors in one ring, more than RLIMIT_NOFILE %llu allows a ring: use --threads %llu or more",
				 cfg->concurrency, cfg->threads, per,
				 (unsigned long long)p->nofile_cur,
				 (unsigned long long)((cfg->concurrency +
						       p->nofile_cur - 1) /
						      p->nofile_cur));
	} else {
		need += cfg->concurrency;
	}
	if (need <= p->nofile_cur)
		return;
	rs_fatal("-c %u needs about %" PRIu64
		 " file descriptors (%s%u server sockets, %u listeners, 64 spare) but RLIMIT_NOFILE is %llu: lower -c to %llu%s%s%s, or raise the limit (ulimit -n)",
		 cfg->concurrency, need,
		 p->socket_direct ? "" : "client sockets from socket(2) and ",
		 cfg->concurrency, cfg->ports,
		 (unsigned long long)p->nofile_cur,
		 (unsigned long long)((p->nofile_cur > cfg->ports + 64u ?
					       p->nofile_cur - cfg->ports - 64 :
					       0) /
				      (p->socket_direct ? 1 : 2)),
		 p->socket_direct ? "" : " (client sockets: ",
		 p->socket_direct ? "" : p->socket_why,
		 p->socket_direct ? "" : ")");
}

int rs_run(struct rs_config *cfg)
{
	struct rs_probe probe;
	struct rs_shared sh;
	struct rs_client *cl = NULL;
	struct rs_server *sv = NULL;
	struct rs_tally *ct = NULL, *st = NULL;
	int *lfds = NULL, *srv_lfds = NULL;
	struct rs_report rep;
	sigset_t sigs;
	bool tty = isatty(STDERR_FILENO) && !cfg->quiet;
	uint64_t t_stop = 0, t_end, last_progress;
	int status = 0, signo = 0;
	char line[512], mix[128], ops[160], wait[32], dur[32], why[256];
	struct rusage ru;
	struct rs_mib *mib_before, *mib_after = NULL;
	time_t wall;

	memset(&rep, 0, sizeof(rep));
	if (!cfg->seed_given)
		cfg->seed = rs_now_ns() ^ ((uint64_t)getpid() << 32);
	if (cfg->netns) {
		char err[320];

		if (rs_netns_enter(err, sizeof(err)))
			rs_fatal("%s", err);
	}
	rs_probe_run(&probe, cfg);
	if (probe.uring_err)
		rs_probe_fail_uring(&probe);
	if (probe.ring_refused)
		rs_fatal("--ring: this kernel refuses the setup flags asked for (defer needs 6.1, coop 5.19): use --ring auto, which takes the best it has");
	check_fd_limit(cfg, &probe);
	mib_before = rs_mib_read();
	if (!mib_before)
		rs_warn("cannot read /proc/net/snmp or /proc/net/netstat: %s: the kernel counters are left out",
			strerror(errno));

	rs_mix_format(&cfg->mix, mix, sizeof(mix));
	rs_script_format(&cfg->script, ops, sizeof(ops));
	rs_wait_format(cfg, wait, sizeof(wait));
	rs_format_duration(cfg->duration_ns, dur, sizeof(dur));
	printf("rststorm run: -c %u", cfg->concurrency);
	if (cfg->duration_ns)
		printf(" -d %s", dur);
	if (cfg->count)
		printf(" -n %" PRIu64, cfg->count);
	printf(" -t %u --server-threads %u --ports %u --close %s --ops %s --wait %s",
	       cfg->threads, cfg->server_threads, cfg->ports, mix, ops, wait);
	if (cfg->op_gap_ns) {
		rs_format_duration(cfg->op_gap_ns, dur, sizeof(dur));
		printf(" --op-gap %s", dur);
	}
	printf(" --seed %" PRIu64 "%s%s\n", cfg->seed,
	       cfg->netns ? " --netns" : "",
	       cfg->engine == RS_ENGINE_EPOLL ? " --engine epoll" : "");
	rs_probe_line(&probe, line, sizeof(line));
	printf("path: %s\n\n", line);
	fflush(stdout);

	memset(&sh, 0, sizeof(sh));
	sh.cfg = cfg;
	sh.probe = &probe;
	sh.total_slots = cfg->concurrency;
	sh.naddrs = cfg->ports;
	sh.close_stamp = calloc(sh.total_slots, sizeof(*sh.close_stamp));
	sh.addrs = calloc(cfg->ports, sizeof(*sh.addrs));
	lfds = calloc(cfg->ports, sizeof(*lfds));
	srv_lfds = calloc(cfg->ports, sizeof(*srv_lfds));
	cl = calloc(cfg->threads, sizeof(*cl));
	sv = calloc(cfg->server_threads, sizeof(*sv));
	ct = rs_tally_new();
	st = rs_tally_new();
	if (!sh.close_stamp || !sh.addrs || !lfds || !srv_lfds || !cl || !sv ||
	    !ct || !st)
		rs_fatal("out of memory setting up %u connection slots: lower -c",
			 cfg->concurrency);

	for (uint32_t i = 0; i < cfg->ports; i++) {
		uint16_t port;
		int fd = rs_server_listen(&port);

		if (fd < 0)
			rs_fatal("cannot listen on 127.0.0.1 (port %u of %u): %s (%s): check that the loopback interface is up (ip link set lo up)",
				 i + 1, cfg->ports, strerror(-fd),
				 rs_errname(-fd));
		lfds[i] = fd;
		sh.addrs[i].sin_family = AF_INET;
		sh.addrs[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sh.addrs[i].sin_port = htons(port);
	}

	/* Signals go to the main thread only, which waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* listeners round-robin over server threads */
	{
		uint32_t off = 0;

		for (unsigned i = 0; i < cfg->server_threads; i++) {
			struct rs_server *s = &sv[i];

			s->sh = &sh;
			s->index = i;
			s->lfds = &srv_lfds[off];
			for (uint32_t p = i; p < cfg->ports;
			     p += cfg->server_threads)
				srv_lfds[off + s->nl++] = lfds[p];
			off += s->nl;
			s->cap = cfg->concurrency + 64;
			s->tally = rs_tally_new();
			if (!s->tally)
				rs_fatal("out of memory for server %u's counters",
					 i);
		}
	}
	{
		uint32_t base = 0;

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
			w->conns = calloc(w->nslots, sizeof(*w->conns));
			w->hello = calloc(w->nslots, sizeof(*w->hello));
			w->tally = rs_tally_new();
			if (!w->conns || !w->hello || !w->tally)
				rs_fatal("out of memory for client %u's %u slots: lower -c",
					 i, w->nslots);
			for (uint32_t s = 0; s < w->nslots; s++)
				w->conns[s].fd = -1;
		}
	}

	for (unsigned i = 0; i < cfg->server_threads; i++) {
		int e = pthread_create(&sv[i].thread, NULL, server_thread,
				       &sv[i]);

		if (e)
			rs_fatal("cannot start server thread %u: %s (%s): lower --server-threads",
				 i, strerror(e), rs_errname(e));
	}
	time(&wall);
	strftime(rep.started_utc, sizeof(rep.started_utc),
		 "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
	sh.t0 = rs_now_ns();
	sh.deadline = cfg->duration_ns ? sh.t0 + cfg->duration_ns : 0;
	for (unsigned i = 0; i < cfg->threads; i++) {
		int e = pthread_create(&cl[i].thread, NULL, client_thread,
				       &cl[i]);

		if (e)
			rs_fatal("cannot start client thread %u: %s (%s): lower --threads",
				 i, strerror(e), rs_errname(e));
	}

	/* Wait for the clients, a signal, or the end of the grace period
	 * after the stop (then what is still in flight is abandoned). */
	last_progress = sh.t0;
	for (;;) {
		struct timespec ts = { 0, 100000000 };
		unsigned done = 0;
		uint64_t now;
		int sig = sigtimedwait(&sigs, NULL, &ts);

		now = rs_now_ns();
		if (sig > 0) {
			if (!signo) {
				signo = sig;
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
		if (t_stop && now > t_stop + cfg->timeout_ns + 1000000000ull)
			atomic_store(&sh.abort_run, 1);
		for (unsigned i = 0; i < cfg->threads; i++)
			done += (unsigned)atomic_load(&cl[i].done);
		if (tty && (now - last_progress >= 1000000000ull ||
			    done == cfg->threads)) {
			progress(cl, cfg->threads, (double)(now - sh.t0) / 1e9,
				 stderr);
			last_progress = now;
		}
		if (done == cfg->threads)
			break;
	}
	if (tty)
		fputc('\n', stderr);
	for (unsigned i = 0; i < cfg->threads; i++)
		pthread_join(cl[i].thread, NULL);
	t_end = rs_now_ns();
	for (unsigned i = 0; i < cfg->server_threads; i++)
		atomic_store(&sv[i].stop, 1);
	for (unsigned i = 0; i < cfg->server_threads; i++)
		pthread_join(sv[i].thread, NULL);
	if (mib_before)
		mib_after = rs_mib_read();

	for (unsigned i = 0; i < cfg->threads; i++) {
		if (cl[i].err) {
			fprintf(stderr, "rststorm: %s\n", cl[i].errmsg);
			status = 1;
		}
		rs_tally_add(ct, cl[i].tally);
	}
	for (unsigned i = 0; i < cfg->server_threads; i++) {
		if (sv[i].err) {
			fprintf(stderr, "rststorm: %s\n", sv[i].errmsg);
			status = 1;
		}
		rs_tally_add(st, sv[i].tally);
	}

	rep.cfg = cfg;
	rep.probe = &probe;
	rep.client = ct;
	rep.server = st;
	rep.scenario = "run";
	rep.closer = "server";
	rep.engine = rs_engine_of(cfg)->name;
	rep.elapsed_s = (double)(t_end - sh.t0) / 1e9;
	rep.mib_before = mib_before;
	rep.mib_after = mib_after;
	rep.mib_own_netns = cfg->netns;
	rep.interrupted = signo;
	rep.balanced = rs_tally_balanced(ct, cfg->script.n, why, sizeof(why));
	if (rep.balanced && st->cq_dropped) {
		rep.balanced = false;
		snprintf(why, sizeof(why),
			 "the kernel dropped %" PRIu64 " server completions (CQ overflow)",
			 st->cq_dropped);
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
	if (!rep.balanced) {
		fprintf(stderr, "rststorm: the books do not balance: %s\n",
			why);
		status = 1;
	}

	for (uint32_t i = 0; i < cfg->ports; i++)
		close(lfds[i]);
	for (unsigned i = 0; i < cfg->threads; i++) {
		free(cl[i].conns);
		free(cl[i].hello);
		free(cl[i].tally);
	}
	for (unsigned i = 0; i < cfg->server_threads; i++)
		free(sv[i].tally);
	rs_mib_free(mib_before);
	rs_mib_free(mib_after);
	free(ct);
	free(st);
	free(cl);
	free(sv);
	free(srv_lfds);
	free(lfds);
	free(sh.addrs);
	free((void *)sh.close_stamp);
	return signo ? 128 + signo : status;
}
