/* rststorm serve: listeners, server threads, the stamp region, the query's
 * answer, signals and the serve report. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "probe.h"
#include "report.h"
#include "server.h"
#include "target.h"
#include "util.h"

/* The stamp region: a memfd, so that a client on this host reads the
 * close stamps (RS_CLOCK_STAMP) through /proc/PID/fd/FD, and nothing is
 * left behind when serve dies, even by SIGKILL. Falls back to private
 * memory, and then clients use the seen clock. */
struct stamps {
	void *map;
	size_t len;
	int fd;
	char name[64];
	bool shared;
};

static _Atomic uint64_t *stamps_open(struct stamps *st, uint64_t nonce)
{
	st->len = RS_STAMP_HDR + (size_t)RS_SERVE_SLOTS * 8;
	st->fd = memfd_create("rststorm-stamps", MFD_CLOEXEC);
	if (st->fd >= 0 && ftruncate(st->fd, (off_t)st->len) == 0) {
		st->map = mmap(NULL, st->len, PROT_READ | PROT_WRITE,
			       MAP_SHARED, st->fd, 0);
		if (st->map != MAP_FAILED)
			st->shared = true;
	}
	if (st->shared) {
		rs_stamp_path(st->name, sizeof(st->name), (uint32_t)getpid(),
			      (uint32_t)st->fd);
	} else {
		rs_warn("serve: cannot share the close stamps (memfd: %s): clients on this host measure the time since the close from the completion that saw it",
			strerror(errno));
		if (st->fd >= 0)
			close(st->fd);
		st->fd = -1;
		st->map = mmap(NULL, st->len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (st->map == MAP_FAILED)
			rs_fatal("serve: cannot map %zu bytes for the close stamps: %s: free memory",
				 st->len, strerror(errno));
	}
	rs_put64(st->map, nonce);
	return (_Atomic uint64_t *)((uint8_t *)st->map + RS_STAMP_HDR);
}

static void stamps_close(struct stamps *st)
{
	munmap(st->map, st->len);
	if (st->fd >= 0)
		close(st->fd);
}

static void *server_thread(void *arg)
{
	struct rs_server *s = arg;
	struct rusage ru;

	s->err = rs_server_run(s);
	if (s->err) {
		atomic_store(&s->sh->stop, 1);
		atomic_store(&s->sh->abort_run, 1);
	}
	if (getrusage(RUSAGE_THREAD, &ru) == 0) {
		s->tally->user_ns += (uint64_t)ru.ru_utime.tv_sec * 1000000000ull +
				     (uint64_t)ru.ru_utime.tv_usec * 1000ull;
		s->tally->sys_ns += (uint64_t)ru.ru_stime.tv_sec * 1000000000ull +
				    (uint64_t)ru.ru_stime.tv_usec * 1000ull;
	}
	return NULL;
}

/* What serve reports: the sum over its threads. */
struct serve_sum {
	uint64_t queries, query_errors, seed_mismatch, stamped;
};

static int write_csv(const struct rs_config *cfg, const struct rs_probe *p,
		     const struct rs_tally *t, const struct serve_sum *x,
		     double el, int signo, char *err, size_t errlen)
{
	struct rs_csv_out o;
	char mix[128];
	FILE *f;
	int ret = rs_csv_open(&o, cfg->csv_dir, "serve.csv", err, errlen);

	if (ret)
		return ret;
	f = o.f;
	rs_mix_format(&cfg->mix, mix, sizeof(mix));
	fputs("schema_version,tool_version,kernel_release,family,listeners,"
	      "server_threads,server_sockets,close_mix,seed,elapsed_s,"
	      "interrupted,srv_accepted,srv_closed_fin,srv_closed_rst,"
	      "srv_closed_unread,srv_closed_shutdown,srv_stamped,"
	      "srv_close_errors,srv_bad_hello,srv_early_eof,srv_no_slot,"
	      "srv_unread_empty,srv_accept_errors,srv_open_at_stop,"
	      "srv_queries,srv_query_errors,srv_seed_mismatch,cq_overflow,"
	      "cq_dropped,stray_cqes\n",
	      f);
	fprintf(f, "%d,%s,", 1, RS_VERSION);
	rs_csv_field(f, p->release);
	fprintf(f, ",%s,%u,%u,%s,", rs_family_name(rs_addr_family(&cfg->listen[0])),
		cfg->nlisten, cfg->server_threads,
		p->server_direct ? "io_uring-direct" : "fd");
	rs_csv_field(f, mix);
	fprintf(f, ",%" PRIu64 ",%.3f,%d", cfg->seed, el, signo);
	fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		   ",%" PRIu64 ",%" PRIu64,
		t->srv_accepted, t->srv_closed[RS_CLOSE_FIN],
		t->srv_closed[RS_CLOSE_RST], t->srv_closed[RS_CLOSE_UNREAD],
		t->srv_closed[RS_CLOSE_SHUTDOWN], x->stamped,
		t->srv_close_errors);
	fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		   ",%" PRIu64,
		t->srv_bad_hello, t->srv_early_eof, t->srv_no_slot,
		t->srv_unread_empty, t->srv_accept_errors, t->srv_open_at_stop);
	fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		   ",%" PRIu64 "\n",
		x->queries, x->query_errors, x->seed_mismatch, t->cq_overflow,
		t->cq_dropped, t->stray_cqes);
	return rs_csv_close(&o, err, errlen);
}

int rs_serve(struct rs_config *cfg)
{
	struct rs_probe probe;
	struct rs_shared sh;
	struct rs_server *sv;
	struct rs_tally *sum;
	struct serve_sum x = { 0 };
	struct stamps st = { 0 };
	struct rs_info info = { 0 };
	uint8_t info_buf[RS_INFO_LEN];
	int lfds[RS_MAX_ADDRS];
	unsigned n = cfg->server_threads;
	sigset_t sigs;
	uint64_t nonce = 0, t_end, cap;
	char mix[128], err[512];
	int signo = 0, status = 0;

	if (cfg->csv_dir &&
	    rs_report_dir_prepare(cfg->csv_dir, RS_RKIND_RUN, err,
				  sizeof(err))) {
		fprintf(stderr, "rststorm serve: %s\n", err);
		return 2;
	}
	if (!cfg->seed_given)
		cfg->seed = rs_now_ns() ^ ((uint64_t)getpid() << 32);
	rs_probe_run(&probe, cfg);
	rs_probe_require(&probe);
	signal(SIGPIPE, SIG_IGN);

	/* listeners first: a port in use ends serve before anything runs */
	for (uint32_t i = 0; i < cfg->nlisten; i++) {
		char a[RS_ADDR_TEXT];

		rs_addr_format(&cfg->listen[i], a, sizeof(a));
		lfds[i] = rs_server_listen(&cfg->listen[i]);
		if (lfds[i] < 0)
			rs_fatal("serve: cannot listen on %s: %s (%s): %s",
				 a, strerror(-lfds[i]), rs_errname(-lfds[i]),
				 -lfds[i] == EADDRINUSE ?
					 "another socket has that port; pick another, or port 0 for a kernel-chosen one" :
				 -lfds[i] == EADDRNOTAVAIL ?
					 "the address is not on this host (ip addr), or ::1 is disabled" :
				 -lfds[i] == EAFNOSUPPORT ?
					 "this kernel has no IPv6" :
					 "check the address and the privileges");
	}
	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
		nonce = rs_now_ns() ^ (uint64_t)getpid() << 40;

	memset(&sh, 0, sizeof(sh));
	sh.cfg = cfg;
	sh.probe = &probe;
	sh.total_slots = RS_SERVE_SLOTS;
	sh.plan_tag = rs_plan_tag(&cfg->mix, cfg->seed);
	sh.close_stamp = stamps_open(&st, nonce);
	sv = calloc(n, sizeof(*sv));
	sum = rs_tally_new();
	if (!sv || !sum)
		rs_fatal("serve: out of memory for %u server threads", n);

	/* each thread's connections: RS_SERVE_CAP, within the fd limit */
	cap = RS_SERVE_CAP;
	if (probe.server_direct && cap > probe.nofile_cur)
		cap = probe.nofile_cur;
	if (!probe.server_direct &&
	    cap * n + cfg->nlisten + 64 > probe.nofile_cur)
		cap = probe.nofile_cur > 64u * n + cfg->nlisten + 64 ?
			      (probe.nofile_cur - cfg->nlisten - 64) / n :
			      64;

	rs_boot_id(info.boot_id);
	info.seed = cfg->seed;
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		info.weight[m] = cfg->mix.weight[m];
	info.nonce = nonce;
	info.shm_pid = st.shared ? (uint32_t)getpid() : 0;
	info.shm_slots = RS_SERVE_SLOTS;
	info.shm_fd = st.shared ? (uint32_t)st.fd : 0;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	sh.t0 = rs_now_ns();
	sh.stamp_t0 = sh.t0;
	info.t0 = sh.t0;
	rs_info_encode(info_buf, &info);
	sh.deadline = cfg->duration_ns ? sh.t0 + cfg->duration_ns : 0;

	for (unsigned i = 0; i < n; i++) {
		struct rs_server *s = &sv[i];
		int *l = calloc(cfg->nlisten, sizeof(*l));

		if (!l)
			rs_fatal("serve: out of memory");
		s->sh = &sh;
		s->index = i;
		for (uint32_t p = i; p < cfg->nlisten; p += n)
			l[s->nl++] = lfds[p];
		s->lfds = l;
		s->cap = (uint32_t)cap;
		s->storm_fd = -1;
		s->info = info_buf;
		s->tally = rs_tally_new();
		if (!s->tally)
			rs_fatal("serve: out of memory for server %u's counters",
				 i);
	}

	/* the lines scripts read: one per listener, before any other */
	for (uint32_t i = 0; i < cfg->nlisten; i++) {
		char a[RS_ADDR_TEXT];

		rs_addr_format(&cfg->listen[i], a, sizeof(a));
		printf("listening on %s\n", a);
	}
	rs_mix_format(&cfg->mix, mix, sizeof(mix));
	printf("rststorm serve: --seed %" PRIu64 " --close %s --threads %u",
	       cfg->seed, mix, n);
	if (cfg->duration_ns) {
		char d[32];

		rs_format_duration(cfg->duration_ns, d, sizeof(d));
		printf(" -d %s", d);
	}
	printf("\nstamps: %s\n",
	       st.shared ? st.name :
			   "private (clients measure from the close they see)");
	fflush(stdout);

	for (unsigned i = 0; i < n; i++) {
		int e = pthread_create(&sv[i].thread, NULL, server_thread,
				       &sv[i]);

		if (e)
			rs_fatal("serve: cannot start server thread %u: %s (%s): lower --threads",
				 i, strerror(e), rs_errname(e));
	}
	for (;;) {
		struct timespec ts = { 0, 100000000 };
		int sig = sigtimedwait(&sigs, NULL, &ts);

		if (sig > 0) {
			signo = sig;
			break;
		}
		if (atomic_load(&sh.abort_run))
			break;
		if (sh.deadline && rs_now_ns() >= sh.deadline)
			break;
	}
	t_end = rs_now_ns();
	for (unsigned i = 0; i < n; i++)
		atomic_store(&sv[i].stop, 1);
	for (unsigned i = 0; i < n; i++)
		pthread_join(sv[i].thread, NULL);
	for (unsigned i = 0; i < n; i++) {
		if (sv[i].err) {
			fprintf(stderr, "rststorm serve: %s\n", sv[i].errmsg);
			status = 1;
		}
		rs_tally_add(sum, sv[i].tally);
		x.queries += sv[i].queries;
		x.query_errors += sv[i].query_errors;
		x.seed_mismatch += sv[i].seed_mismatch;
	}
	for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
		x.stamped += sum->srv_closed[m];
	/* shutdown first: a multishot accept still holds the listener until
	 * the kernel's ring teardown (asynchronous, after the process is
	 * gone) drops it, so close alone leaves the port LISTENing for a
	 * moment, and a serve restarted on it at once met EADDRINUSE (3 runs
	 * in 12 of t_serve_faults). shutdown takes it out of LISTEN now. */
	for (uint32_t i = 0; i < cfg->nlisten; i++) {
		shutdown(lfds[i], SHUT_RDWR);
		close(lfds[i]);
	}

	printf("\nserved %.3f s: accepted %" PRIu64 ", closed fin %" PRIu64
	       " rst %" PRIu64 " unread %" PRIu64 " shutdown %" PRIu64
	       ", close errors %" PRIu64 "\n",
	       (double)(t_end - sh.t0) / 1e9, sum->srv_accepted,
	       sum->srv_closed[RS_CLOSE_FIN], sum->srv_closed[RS_CLOSE_RST],
	       sum->srv_closed[RS_CLOSE_UNREAD],
	       sum->srv_closed[RS_CLOSE_SHUTDOWN], sum->srv_close_errors);
	printf("bad hellos %" PRIu64 ", early eof %" PRIu64 ", no slot %" PRIu64
	       ", accept errors %" PRIu64 ", open at stop %" PRIu64
	       ", queries %" PRIu64 ", seed mismatches %" PRIu64 "\n",
	       sum->srv_bad_hello, sum->srv_early_eof, sum->srv_no_slot,
	       sum->srv_accept_errors, sum->srv_open_at_stop, x.queries,
	       x.seed_mismatch);
	if (cfg->server_sends)
		printf("server sends %u bytes before each close: sent %" PRIu64
		       " bytes, %" PRIu64 " sends failed or short\n",
		       cfg->server_sends, sum->srv_sent_bytes,
		       sum->srv_send_short);
	if (x.seed_mismatch)
		fprintf(stderr,
			"rststorm serve: %" PRIu64 " hellos came from clients planning with another --seed or --close: their closes follow this server's plan, not theirs; run the clients with --seed %" PRIu64 " --close %s (or without --seed)\n",
			x.seed_mismatch, cfg->seed, mix);
	fflush(stdout);
	if (cfg->csv_dir &&
	    write_csv(cfg, &probe, sum, &x, (double)(t_end - sh.t0) / 1e9,
		      signo, err, sizeof(err))) {
		fprintf(stderr,
			"rststorm serve: CSV report not written: %s: check that the directory is writable and the disk has room\n",
			err);
		status = 1;
	}
	stamps_close(&st);
	for (unsigned i = 0; i < n; i++) {
		free((void *)sv[i].lfds);
		free(sv[i].tally);
	}
	free(sv);
	free(sum);
	/* the normal end without -d is a signal: that is not a failure */
	if (status)
		return status;
	return 0;
}
