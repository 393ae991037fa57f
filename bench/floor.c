/* floor: how fast this kernel can run rststorm's teardown at all. The same
 * operations as `rststorm run` (connect, 32-byte hello, the server closes
 * by fin / rst / unread / shutdown, the client waits for the close, sends
 * three bytes one at a time, reads once, closes) with plain epoll syscalls
 * and no bookkeeping beyond a connection counter. Prints connections/s.
 *
 *   floor [-c CONC] [-d SECONDS] [-n COUNT] [-t CLIENT_THREADS]
 *         [-s SERVER_THREADS] [-p PORTS] [-m fin,rst,unread,shutdown]
 *
 * Defaults as rststorm run's: -c 2000 -d 5, threads = CPUs online, 8 ports
 * on 127.0.0.1 (round-robin over the server threads); -m names the close
 * modes, taken in turn (default all four: 25 % each).
 *
 * Loopback only; bounded by -d and -n, and in any case ends 10 s after
 * the duration (or 130 s after the start with -n alone). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { M_FIN, M_RST, M_UNREAD, M_SHUTDOWN };
static const char *const mode_names[] = { "fin", "rst", "unread",
					  "shutdown" };

#define HELLO_LEN 32
#define HELLO_HDR 16
#define EV_CONN (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

/* run-wide, read-only once the threads start (but for the atomics) */
static struct {
	unsigned conc, cthreads, sthreads, nports, nmodes;
	uint64_t count, dur_ns, t0, deadline, hard;
	enum mode modes[4];
	struct sockaddr_in *addrs;
	atomic_int stop_servers;
} g;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* ---- server: accept, read the hello, close by mode ---- */

struct sconn {
	uint8_t mode, got, drain, reg, listener;
};

struct server {
	int epfd;
	unsigned next_mode;
	struct sconn *st; /* indexed by fd; shared, as fds are unique */
	double user_s, sys_s;
	pthread_t thr;
};

/* Edge-triggered, once per connection: the ADD polls, so data already
 * queued is reported, and each later arrival raises an edge. */
static void srv_register(struct server *s, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET,
				  .data.fd = fd };

	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return;
	}
	s->st[fd].reg = 1;
}

/* Advance the connection on fd as far as it goes without blocking. */
static void srv_step(struct server *s, int fd)
{
	struct sconn *c = &s->st[fd];
	uint8_t buf[4096];
	ssize_t r;

	while (!c->drain) {
		unsigned want = c->mode == M_UNREAD ? HELLO_HDR : HELLO_LEN;

		if (c->got >= want) {
			if (c->mode == M_RST) {
				struct linger lg = { 1, 0 };

				setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg,
					   sizeof(lg));
			}
			if (c->mode != M_SHUTDOWN) {
				close(fd);
				return;
			}
			shutdown(fd, SHUT_WR);
			c->drain = 1;
			break;
		}
		r = recv(fd, buf, want - c->got, 0);
		if (r > 0) {
			c->got = (uint8_t)(c->got + r);
			continue;
		}
		if (r < 0 && errno == EAGAIN)
			goto wait;
		close(fd); /* early EOF or error */
		return;
	}
	for (;;) {
		r = recv(fd, buf, sizeof(buf), 0);
		if (r > 0)
			continue;
		if (r < 0 && errno == EAGAIN)
			goto wait;
		close(fd);
		return;
	}
wait:
	if (!c->reg)
		srv_register(s, fd);
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	struct epoll_event evs[512];
	struct rusage ru;

	while (!atomic_load_explicit(&g.stop_servers, memory_order_relaxed)) {
		int n = epoll_wait(s->epfd, evs, 512, 100);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (!s->st[fd].listener) {
				srv_step(s, fd);
				continue;
			}
			for (;;) {
				int cfd = accept4(fd, NULL, NULL,
						  SOCK_NONBLOCK | SOCK_CLOEXEC);
				unsigned m;

				/* EAGAIN, or EMFILE: at the next event */
				if (cfd < 0)
					break;
				m = s->next_mode++ % g.nmodes;
				s->st[cfd] = (struct sconn){
					.mode = (uint8_t)g.modes[m]
				};
				/* register at once: the hello has seldom
				 * arrived yet, and a recv that finds nothing
				 * is a syscall wasted (the ADD reports what
				 * is already there) */
				srv_register(s, cfd);
			}
		}
	}
	if (getrusage(RUSAGE_THREAD, &ru) == 0) {
		s->user_s = tv_s(ru.ru_utime);
		s->sys_s = tv_s(ru.ru_stime);
	}
	return NULL;
}

/* ---- client: connect, hello, wait for the close, ops, close ---- */

enum cstate { C_IDLE, C_CONNECTING, C_WAITING };

struct cslot {
	int fd;
	uint32_t gen;
	uint8_t state;
};

struct client {
	unsigned index, nslots, active;
	uint64_t budget, started, done;
	struct cslot *slot;
	uint8_t hello[HELLO_LEN];
	int epfd;
	double user_s, sys_s;
	pthread_t thr;
};

static void cli_start(struct client *c, unsigned i, uint64_t now)
{
	struct cslot *s = &c->slot[i];
	struct epoll_event ev = { .events = EV_CONN };
	int fd;

	if (now >= g.deadline || c->started >= c->budget)
		return;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return; /* idle; retried at the next sweep */
	s->gen++;
	ev.data.u64 = (uint64_t)i << 32 | (uint32_t)fd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) ||
	    (connect(fd, (struct sockaddr *)&g.addrs[(i + s->gen) % g.nports],
		     sizeof(g.addrs[0])) &&
	     errno != EINPROGRESS)) {
		close(fd);
		return;
	}
	c->started++;
	c->active++;
	s->fd = fd;
	s->state = C_CONNECTING;
}

static void cli_end(struct client *c, unsigned i)
{
	close(c->slot[i].fd);
	c->slot[i].fd = -1;
	c->slot[i].state = C_IDLE;
	c->active--;
}

static void cli_event(struct client *c, const struct epoll_event *e,
		      uint64_t now)
{
	unsigned i = (unsigned)(e->data.u64 >> 32);
	struct cslot *s = &c->slot[i];
	uint8_t one = 'x', sink[64];
	ssize_t r;

	if (s->fd != (int)(uint32_t)e->data.u64)
		return;
	if (s->state == C_CONNECTING) {
		if (!(e->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		r = send(s->fd, c->hello, HELLO_LEN, MSG_NOSIGNAL);
		if (r < 0 && errno == EAGAIN)
			return;
		if (r != HELLO_LEN) {
			cli_end(c, i);
			cli_start(c, i, now);
			return;
		}
		s->state = C_WAITING;
		return;
	}
	if (s->state != C_WAITING ||
	    !(e->events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
		return;
	/* the results are what rststorm counts; here they are dropped */
	(void)!send(s->fd, &one, 1, MSG_NOSIGNAL);
	(void)!send(s->fd, &one, 1, MSG_NOSIGNAL);
	(void)!send(s->fd, &one, 1, MSG_NOSIGNAL);
	(void)!recv(s->fd, sink, sizeof(sink), 0);
	cli_end(c, i);
	c->done++;
	cli_start(c, i, now);
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct epoll_event *evs;
	uint64_t now = now_ns(), next_sweep = now + 100000000ull;
	int nev = c->nslots < 1024 ? (int)c->nslots : 1024;
	struct rusage ru;

	evs = calloc((size_t)nev, sizeof(*evs));
	if (!evs)
		die("calloc");
	for (unsigned i = 0; i < c->nslots; i++)
		cli_start(c, i, now);
	for (;;) {
		int n = epoll_wait(c->epfd, evs, nev, 100);

		now = now_ns();
		for (int k = 0; k < n; k++)
			cli_event(c, &evs[k], now);
		if (now >= g.hard) {
			fprintf(stderr,
				"floor: client %u: %u connections still open at the hard limit: closed\n",
				c->index, c->active);
			for (unsigned i = 0; i < c->nslots; i++)
				if (c->slot[i].state != C_IDLE)
					cli_end(c, i);
			break;
		}
		if (now >= next_sweep) {
			/* slots whose socket or connect failed */
			next_sweep = now + 100000000ull;
			for (unsigned i = 0; i < c->nslots; i++)
				if (c->slot[i].state == C_IDLE)
					cli_start(c, i, now);
		}
		if (c->active == 0 &&
		    (now >= g.deadline || c->started >= c->budget))
			break;
	}
	free(evs);
	if (getrusage(RUSAGE_THREAD, &ru) == 0) {
		c->user_s = tv_s(ru.ru_utime);
		c->sys_s = tv_s(ru.ru_stime);
	}
	return NULL;
}

/* ---- main ---- */

static unsigned long long num(const char *opt, const char *v,
			      unsigned long long lo, unsigned long long hi)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || x < lo || x > hi) {
		fprintf(stderr, "floor: -%s: '%s' is not allowed: %llu to %llu\n",
			opt, v, lo, hi);
		exit(2);
	}
	return x;
}

static void parse_modes(const char *v)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	g.nmodes = 0;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		unsigned m;

		for (m = 0; m < 4 && strcmp(t, mode_names[m]); m++)
			;
		if (m == 4 || g.nmodes == 4) {
			fprintf(stderr,
				"floor: -m: '%s' is not allowed: up to 4 of fin, rst, unread, shutdown, comma-separated\n",
				v);
			exit(2);
		}
		g.modes[g.nmodes++] = (enum mode)m;
	}
	if (!g.nmodes) {
		fprintf(stderr, "floor: -m: '%s' is not allowed: fin, rst, unread, shutdown\n", v);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *mix = "fin,rst,unread,shutdown";
	struct server *sv;
	struct sconn *sconns;
	struct client *cl;
	struct rlimit rl;
	uint64_t done = 0, t_end, need;
	double cu = 0, cs = 0, su = 0, ss = 0, el;
	struct rusage ru;
	bool d_given = false;
	int o;

	g.conc = 2000;
	g.dur_ns = 5000000000ull;
	g.cthreads = g.sthreads = ncpu > 0 ? (unsigned)ncpu : 1;
	g.nports = 8;
	while ((o = getopt(argc, argv, "c:d:n:t:s:p:m:h")) != -1) {
		switch (o) {
		case 'c':
			g.conc = (unsigned)num("c", optarg, 1, 1000000);
			break;
		case 'd':
			d_given = true;
			g.dur_ns = num("d", optarg, 1, 3600) * 1000000000ull;
			break;
		case 'n':
			g.count = num("n", optarg, 1, 1000000000000ull);
			break;
		case 't':
			g.cthreads = (unsigned)num("t", optarg, 1, 256);
			break;
		case 's':
			g.sthreads = (unsigned)num("s", optarg, 1, 256);
			break;
		case 'p':
			g.nports = (unsigned)num("p", optarg, 1, 64);
			break;
		case 'm':
			mix = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: floor [-c CONC] [-d SECONDS] [-n COUNT] [-t CLIENT_THREADS] [-s SERVER_THREADS] [-p PORTS] [-m fin,rst,unread,shutdown]\n");
			return o == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "floor: '%s': unexpected argument\n",
			argv[optind]);
		return 2;
	}
	parse_modes(mix);
	/* -n alone runs until the count is done, like rststorm run */
	if (g.count && !d_given)
		g.dur_ns = 0;
	if (g.cthreads > g.conc)
		g.cthreads = g.conc;
	if (g.count && g.cthreads > g.count)
		g.cthreads = (unsigned)g.count;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (g.sthreads > g.nports)
		g.sthreads = g.nports;
	need = 2ull * g.conc + g.nports + g.sthreads + g.cthreads + 64;
	if (need > rl.rlim_cur) {
		fprintf(stderr,
			"floor: -c %u needs about %llu file descriptors (client and server side) but RLIMIT_NOFILE is %llu: lower -c\n",
			g.conc, (unsigned long long)need,
			(unsigned long long)rl.rlim_cur);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	sconns = calloc(rl.rlim_cur, sizeof(*sconns));
	sv = calloc(g.sthreads, sizeof(*sv));
	cl = calloc(g.cthreads, sizeof(*cl));
	g.addrs = calloc(g.nports, sizeof(*g.addrs));
	if (!sconns || !sv || !cl || !g.addrs)
		die("calloc");
	for (unsigned i = 0; i < g.sthreads; i++) {
		sv[i].st = sconns;
		sv[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (sv[i].epfd < 0)
			die("epoll_create1");
	}
	/* listener p goes to server thread p % sthreads, as in rststorm */
	for (unsigned p = 0; p < g.nports; p++) {
		struct sockaddr_in a = { .sin_family = AF_INET };
		socklen_t len = sizeof(a);
		struct epoll_event ev = { .events = EPOLLIN };
		int one = 1, lfd;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		lfd = socket(AF_INET,
			     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (lfd < 0)
			die("socket");
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
		    listen(lfd, 65535) ||
		    getsockname(lfd, (struct sockaddr *)&g.addrs[p], &len))
			die("listen on 127.0.0.1");
		sconns[lfd].listener = 1;
		ev.data.fd = lfd;
		if (epoll_ctl(sv[p % g.sthreads].epfd, EPOLL_CTL_ADD, lfd, &ev))
			die("epoll_ctl");
	}
	for (unsigned i = 0; i < g.sthreads; i++)
		if ((errno = pthread_create(&sv[i].thr, NULL, server_main,
					    &sv[i])))
			die("pthread_create");

	g.t0 = now_ns();
	g.deadline = g.count && !g.dur_ns ? UINT64_MAX : g.t0 + g.dur_ns;
	g.hard = g.t0 + (g.dur_ns ? g.dur_ns : 120000000000ull) +
		 10000000000ull;
	for (unsigned i = 0; i < g.cthreads; i++) {
		struct client *c = &cl[i];

		c->index = i;
		c->nslots = g.conc / g.cthreads + (i < g.conc % g.cthreads);
		c->budget = g.count ? g.count / g.cthreads +
					      (i < g.count % g.cthreads) :
				      UINT64_MAX;
		c->slot = calloc(c->nslots, sizeof(*c->slot));
		c->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (!c->slot || c->epfd < 0)
			die("client setup");
		for (unsigned k = 0; k < c->nslots; k++)
			c->slot[k].fd = -1;
		memset(c->hello, 'p', sizeof(c->hello));
		if ((errno = pthread_create(&c->thr, NULL, client_main, c)))
			die("pthread_create");
	}
	for (unsigned i = 0; i < g.cthreads; i++) {
		pthread_join(cl[i].thr, NULL);
		done += cl[i].done;
		cu += cl[i].user_s;
		cs += cl[i].sys_s;
	}
	t_end = now_ns();
	atomic_store(&g.stop_servers, 1);
	for (unsigned i = 0; i < g.sthreads; i++) {
		pthread_join(sv[i].thr, NULL);
		su += sv[i].user_s;
		ss += sv[i].sys_s;
	}
	el = (double)(t_end - g.t0) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	printf("floor: -c %u -d %llu -n %llu -t %u -s %u -p %u -m %s: %llu connections in %.3f s: %.1f conn/s\n",
	       g.conc, (unsigned long long)(g.dur_ns / 1000000000ull),
	       (unsigned long long)g.count, g.cthreads, g.sthreads, g.nports,
	       mix,
	       (unsigned long long)done, el, (double)done / el);
	printf("conns=%llu elapsed_s=%.3f conns_per_s=%.1f ops_per_s=%.1f client_user_s=%.3f client_sys_s=%.3f server_user_s=%.3f server_sys_s=%.3f process_user_s=%.3f process_sys_s=%.3f\n",
	       (unsigned long long)done, el, (double)done / el,
	       4.0 * (double)done / el, cu, cs, su, ss, tv_s(ru.ru_utime),
	       tv_s(ru.ru_stime));
	return 0;
}
