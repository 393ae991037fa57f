/* link-rtt: open an emulated link (src/link.c), run a server on one side
 * and clients on the other, and print the round trip asked against the
 * round trip measured (TCP_INFO and echo round trips), the delay line's
 * counters, and whether anything was left behind after close.
 *
 *   link-rtt --link SPEC [--conns N] [--pings N] [--bytes N]
 *            [--timeout T] [--repeat N] [--csv] [--spin T] [--kind K]
 *
 * --spin T: the forwarder's spin before each due time (default 100us; 0:
 * it sleeps on the timer alone). --kind: the path (default auto: netem
 * where the kernel has it, else the delay line). --ipv6: the connections
 * go over the link's IPv6 addresses (2001:2::1 -> 2001:2::2). --sources
 * N: the client side gets N addresses, connection i uses source i % N.
 *
 * Exit: 0 done, 1 a failure (or something left behind), 2 usage,
 * 3 the link cannot be made here (no root, no tun, no namespaces). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "link.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: link-rtt --link rtt=T[,loss=P%%][,jitter=T][,rate=R][,limit=N]\n"
		   "                [--conns N] [--pings N] [--bytes N] [--timeout T] [--repeat N] [--csv] [--spin T] [--kind auto|delay|netem] [--ipv6] [--sources N]\n");
}

static int num(const char *opt, const char *v, unsigned long max,
	       unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	if (!*v || *end || errno || *out < 1 || *out > max) {
		fprintf(stderr, "link-rtt: %s %s: a whole number from 1 to %lu\n",
			opt, v, max);
		return -1;
	}
	return 0;
}

/* The inode of a side's namespace (entered briefly), 0 when unknown. */
static ino_t side_ino(struct rs_link *l, enum rs_link_side side)
{
	char err[256];
	struct stat st;
	ino_t ino = 0;

	if (rs_link_enter(l, side, err, sizeof(err)))
		return 0;
	if (stat("/proc/thread-self/ns/net", &st) == 0)
		ino = st.st_ino;
	if (rs_link_enter(l, RS_LINK_HOST, err, sizeof(err))) {
		fprintf(stderr, "link-rtt: %s\n", err);
		exit(1);
	}
	return ino;
}

/* A thread started by rs_link_thread_create notes its namespace. */
static void *note_ns(void *arg)
{
	struct stat st;

	*(ino_t *)arg = stat("/proc/thread-self/ns/net", &st) ? 0 : st.st_ino;
	return NULL;
}

/* rs_link_thread_create starts threads on the side asked and leaves the
 * caller where it was. Returns 0 or 1 (a message printed). */
static int check_thread_create(struct rs_link *l, const ino_t ino[2])
{
	const enum rs_link_side sides[2] = { RS_LINK_SERVER, RS_LINK_CLIENT };
	char err[256];
	struct stat before, after;

	stat("/proc/thread-self/ns/net", &before);
	for (int k = 0; k < 2; k++) {
		pthread_t t;
		ino_t got = 0;

		if (rs_link_thread_create(l, sides[k], &t, note_ns, &got, err, sizeof(err))) {
			fprintf(stderr, "link-rtt: %s\n", err);
			return 1;
		}
		pthread_join(t, NULL);
		if (got != ino[k]) {
			fprintf(stderr, "link-rtt: a thread started on side %d is in namespace %llu, not %llu\n",
				k, (unsigned long long)got, (unsigned long long)ino[k]);
			return 1;
		}
	}
	stat("/proc/thread-self/ns/net", &after);
	if (after.st_ino != before.st_ino) {
		fprintf(stderr, "link-rtt: rs_link_thread_create left the caller in another namespace\n");
		return 1;
	}
	return 0;
}

/* Count references this process still holds to the namespaces: open fds
 * to them or to a TUN device, and threads inside them. */
#ifdef __SANITIZE_THREAD__
/* ThreadSanitizer starts a background thread of its own when it first
 * needs it, in the namespace of whichever thread is running then, and it
 * never leaves: under TSan only the fds are checked. */
#define RS_CHECK_TASKS 0
#else
#define RS_CHECK_TASKS 1
#endif

static int refs_left(const ino_t ino[2])
{
	const char *dirs[] = { "/proc/self/fd", "/proc/self/task" };
	int left = 0;

	for (int d = 0; d < 1 + RS_CHECK_TASKS; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		if (!dir)
			continue;
		while ((e = readdir(dir))) {
			char p[PATH_MAX];
			struct stat st;

			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s%s", dirs[d], e->d_name,
				 d ? "/ns/net" : "");
			if (stat(p, &st) == 0 && (st.st_ino == ino[0] || st.st_ino == ino[1]) &&
			    ino[0]) {
				fprintf(stderr, "link-rtt: left behind: %s\n", p);
				left++;
			}
			/* a TUN fd keeps its device, and so its namespace */
			if (!d) {
				char t[64];
				ssize_t n = readlink(p, t, sizeof(t) - 1);

				if (n > 0 && (t[n] = '\0', !strcmp(t, "/dev/net/tun"))) {
					fprintf(stderr, "link-rtt: left behind: %s -> /dev/net/tun\n", p);
					left++;
				}
			}
		}
		closedir(dir);
	}
	return left;
}

/* The delay line's lateness (packet left - due), both directions. */
static double late_mean_us(const struct rs_link_stats *st)
{
	uint64_t n = st->to_server.forwarded + st->to_client.forwarded;

	return n ? (double)(st->to_server.late_sum_ns + st->to_client.late_sum_ns) / n / 1000.0 : 0;
}

static double late_max_us(const struct rs_link_stats *st)
{
	uint64_t a = st->to_server.late_max_ns, b = st->to_client.late_max_ns;

	return (double)(a > b ? a : b) / 1000.0;
}

/* The process's CPU seconds per wall second since t0 (ns, monotonic). */
static double cpu_share(uint64_t t0)
{
	struct rusage ru;
	struct timespec ts;
	double wall, cpu;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	wall = (double)ts.tv_sec + ts.tv_nsec / 1e9 - (double)t0 / 1e9;
	if (getrusage(RUSAGE_SELF, &ru) || wall <= 0)
		return 0;
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return cpu / wall;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "link", required_argument, NULL, 'l' },
		{ "conns", required_argument, NULL, 'c' },
		{ "pings", required_argument, NULL, 'p' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "csv", no_argument, NULL, 'C' },
		{ "spin", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "sources", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long sources = 1, conns = 1, pings = 50, bytes = 64, repeat = 1;
	uint64_t timeout_ns = 10000000000ull;
	const char *spec_s = NULL, *spin_s = NULL, *kind_s = NULL;
	struct rs_link_spec spec;
	struct rs_link *l;
	struct rs_link_stats st;
	char err[512], desc[256], sp[160];
	ino_t ino[2];
	uint64_t t_start;
	int c, csv = 0, rc = 0, r, family = AF_INET;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': spec_s = optarg; break;
		case 'c': if (num("--conns", optarg, 10000, &conns)) return 2; break;
		case 'p': if (num("--pings", optarg, 1000000, &pings)) return 2; break;
		case 'b': if (num("--bytes", optarg, 16384, &bytes)) return 2; break;
		case 'r': if (num("--repeat", optarg, 1000, &repeat)) return 2; break;
		case 't':
			if (rs_parse_duration(optarg, &timeout_ns) || !timeout_ns) {
				fprintf(stderr, "link-rtt: --timeout %s: a time above 0 such as 10s or 500ms\n", optarg);
				return 2;
			}
			break;
		case 'C': csv = 1; break;
		case 's': spin_s = optarg; break;
		case 'k': kind_s = optarg; break;
		case '6': family = AF_INET6; break;
		case 'S': if (num("--sources", optarg, RS_LINK_SOURCES_MAX, &sources)) return 2; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!spec_s || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (rs_link_parse(spec_s, &spec, err, sizeof(err))) {
		fprintf(stderr, "link-rtt: %s\n", err);
		return 2;
	}
	spec.seed = 1;
	spec.sources = (uint32_t)sources;
	if (kind_s) {
		if (!strcmp(kind_s, "auto"))
			spec.kind = RS_LINK_KIND_AUTO;
		else if (!strcmp(kind_s, "delay"))
			spec.kind = RS_LINK_KIND_DELAY;
		else if (!strcmp(kind_s, "netem"))
			spec.kind = RS_LINK_KIND_NETEM;
		else {
			fprintf(stderr, "link-rtt: --kind %s: auto, delay or netem\n", kind_s);
			return 2;
		}
	}
	if (spin_s && (rs_parse_duration(spin_s, &spec.spin_ns) ||
		       spec.spin_ns > RS_LINK_SPIN_MAX)) {
		fprintf(stderr, "link-rtt: --spin %s: a time from 0 to 10ms, such as 200us\n", spin_s);
		return 2;
	}
	if (if_nametoindex("rslink")) {
		fprintf(stderr, "link-rtt: the host namespace already has an rslink device\n");
		return 1;
	}
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		t_start = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	r = rs_link_open(&spec, &l, err, sizeof(err));
	if (r) {
		fprintf(stderr, "link-rtt: %s\n", err);
		return (r == -EPERM || r == -ENOENT || r == -EACCES ||
			r == -EINVAL || r == -ENODEV) ? 3 : 1;
	}
	rs_link_describe(l, desc, sizeof(desc));
	rs_link_spec_format(&spec, sp, sizeof(sp));
	if (!csv)
		printf("%s\n", desc);
	else
		printf("spec,asked_rtt_us,conns,bytes,pings_each,conns_ok,pings,min_rtt_min_us,min_rtt_med_us,min_rtt_max_us,srtt_min_us,srtt_med_us,srtt_max_us,app_rtt_min_us,app_rtt_med_us,app_rtt_p99_us,retrans,lost,dropped_full,dropped_err,max_queued,late_mean_us,late_max_us,sched_fifo,spin_us,cpu_share\n");
	ino[0] = side_ino(l, RS_LINK_SERVER);
	ino[1] = side_ino(l, RS_LINK_CLIENT);
	if (check_thread_create(l, ino))
		rc = 1;
	for (unsigned long k = 0; k < repeat && !rc; k++) {
		struct rs_link_rtt m;

		r = rs_link_measure(l, family, (unsigned)conns, (unsigned)pings, bytes,
				    timeout_ns, &m, err, sizeof(err));
		if (r) {
			fprintf(stderr, "link-rtt: %s\n", err);
			rc = 1;
			break;
		}
		rs_link_stats(l, &st);
		if (csv)
			printf("\"%s\",%llu,%lu,%lu,%lu,%u,%llu,%u,%u,%u,%u,%u,%u,%u,%u,%u,%llu,%llu,%llu,%llu,%llu,%.1f,%.1f,%d,%llu,%.3f\n",
			       sp, (unsigned long long)(spec.rtt_ns / 1000), conns, bytes, pings,
			       m.conns_ok, (unsigned long long)m.pings,
			       m.min_rtt_us[0], m.min_rtt_us[1], m.min_rtt_us[2],
			       m.srtt_us[0], m.srtt_us[1], m.srtt_us[2],
			       m.app_rtt_us[0], m.app_rtt_us[1], m.app_rtt_us[2],
			       (unsigned long long)m.retrans,
			       (unsigned long long)(st.to_server.lost + st.to_client.lost),
			       (unsigned long long)(st.to_server.dropped_full + st.to_client.dropped_full),
			       (unsigned long long)(st.to_server.dropped_err + st.to_client.dropped_err),
			       (unsigned long long)(st.to_server.max_queued > st.to_client.max_queued ?
						    st.to_server.max_queued : st.to_client.max_queued),
			       late_mean_us(&st), late_max_us(&st),
			       strstr(desc, "SCHED_FIFO") != NULL,
			       (unsigned long long)(spec.spin_ns / 1000), cpu_share(t_start));
		else
			printf("measured: asked_rtt_us=%llu conns=%u/%lu pings=%llu min_rtt_us=%u/%u/%u srtt_us=%u/%u/%u app_rtt_us=%u/%u/%u retrans=%llu sources_seen=%u (min/median/max; min/median/p99 for app)\n",
			       (unsigned long long)(spec.rtt_ns / 1000), m.conns_ok, conns,
			       (unsigned long long)m.pings,
			       m.min_rtt_us[0], m.min_rtt_us[1], m.min_rtt_us[2],
			       m.srtt_us[0], m.srtt_us[1], m.srtt_us[2],
			       m.app_rtt_us[0], m.app_rtt_us[1], m.app_rtt_us[2],
			       (unsigned long long)m.retrans, m.sources_seen);
	}
	rs_link_stats(l, &st);
	if (!csv)
		printf("measured: late_mean_us=%.1f late_max_us=%.1f (the delay line: write started - due time) cpu=%.2f (process CPU s per wall s)\n",
		       late_mean_us(&st), late_max_us(&st), cpu_share(t_start));
	if (!csv)
		printf("counters: to_server forwarded=%llu lost=%llu dropped_full=%llu dropped_err=%llu max_queued=%llu; to_client forwarded=%llu lost=%llu dropped_full=%llu dropped_err=%llu max_queued=%llu\n",
		       (unsigned long long)st.to_server.forwarded, (unsigned long long)st.to_server.lost,
		       (unsigned long long)st.to_server.dropped_full, (unsigned long long)st.to_server.dropped_err,
		       (unsigned long long)st.to_server.max_queued,
		       (unsigned long long)st.to_client.forwarded, (unsigned long long)st.to_client.lost,
		       (unsigned long long)st.to_client.dropped_full, (unsigned long long)st.to_client.dropped_err,
		       (unsigned long long)st.to_client.max_queued);
	if (st.forwarder_errno) {
		fprintf(stderr, "link-rtt: the delay line stopped forwarding: %s\n",
			strerror(st.forwarder_errno));
		rc = 1;
	}
	rs_link_close(l);
	if (!ino[0] || !ino[1]) {
		fprintf(stderr, "link-rtt: could not read the namespaces' inodes\n");
		rc = 1;
	} else if (refs_left(ino) || if_nametoindex("rslink")) {
		rc = 1;
	} else if (!csv) {
		printf("closed: no namespace reference or device left (ns %llu, %llu)\n",
		       (unsigned long long)ino[0], (unsigned long long)ino[1]);
	}
	return rc;
}
