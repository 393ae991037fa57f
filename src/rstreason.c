/* The kernel's reason for every RST (tcp:tcp_send_reset) through a private
 * tracefs instance, so other users' tracing is untouched; events parsed
 * from the instance's `trace` text and judged per trial. */
#include "rstreason.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"

#define EVENT "events/tcp/tcp_send_reset"

/* an event of the drain: its ports and interned state and reason */
struct cev {
	uint16_t sport, dport;
	uint8_t state, reason;
};

#define NSTR 64

struct rs_rstr {
	char dir[160];
	bool has_reason;
	uint64_t overrun0;
	/* the drain thread's: read by the caller after the join */
	pthread_t th;
	bool draining;
	atomic_int stop;
	int err;                /* -errno of the drain's read */
	struct cev *ev;
	size_t nev, cap;
	char str[NSTR][32];     /* interned states and reasons */
	unsigned nstr;
	uint64_t str_overflow;  /* events whose strings did not fit */
	/* rs_rstr_drain_keep: the drain keeps whole events with one of
	 * these ports at an end, and only those (check's trials) */
	uint16_t keep[RS_RSTR_KEEP_MAX];
	atomic_uint nkeep;
	struct rs_rst_ev *kev;
	size_t nkev, capkev;
};

/* ------------------------------------------------------------ parse */

/* Copy the value after key up to the next space into dst. */
static int field(const char *s, const char *key, char *dst, size_t len)
{
	const char *p = strstr(s, key);
	size_t n;

	if (!p)
		return -EINVAL;
	p += strlen(key);
	n = strcspn(p, " \n");
	if (!n || n >= len)
		return -EINVAL;
	memcpy(dst, p, n);
	dst[n] = 0;
	return 0;
}

/* The port after the last ':' of "a.b.c.d:port" or "[v6]:port". */
static int port_of(const char *a, uint16_t *port)
{
	const char *c = strrchr(a, ':');
	char *end;
	unsigned long v;

	if (!c || !c[1])
		return -EINVAL;
	v = strtoul(c + 1, &end, 10);
	if (*end || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int rs_rst_parse_line(const char *line, struct rs_rst_ev *ev)
{
	const char *p;

	if (!line || line[0] == '#')
		return -EINVAL;
	p = strstr(line, "tcp_send_reset: ");
	if (!p)
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	if (field(p, " src=", ev->src, sizeof(ev->src)) ||
	    field(p, " dest=", ev->dst, sizeof(ev->dst)) ||
	    port_of(ev->src, &ev->sport) || port_of(ev->dst, &ev->dport))
		return -EINVAL;
	if (field(p, " state=", ev->state, sizeof(ev->state)))
		snprintf(ev->state, sizeof(ev->state), "-");
	if (field(p, " reason=", ev->reason, sizeof(ev->reason)))
		snprintf(ev->reason, sizeof(ev->reason), "-");
	return 0;
}

/* ------------------------------------------------------------ judge */

/* Add n events of key (side, state, reason) to the keyed table k[0..*nk)
 * of room cap; a key that does not fit goes to *overflow. */
static void key_add(struct rs_rst_key *k, unsigned *nk, unsigned cap,
		    uint64_t *overflow, unsigned side, const char *state,
		    const char *reason, uint64_t n)
{
	for (unsigned i = 0; i < *nk; i++)
		if (k[i].side == side && !strcmp(k[i].state, state) &&
		    !strcmp(k[i].reason, reason)) {
			k[i].n += n;
			return;
		}
	if (*nk == cap) {
		*overflow += n;
		return;
	}
	k[*nk].side = (uint8_t)side;
	snprintf(k[*nk].state, sizeof(k[0].state), "%s", state);
	snprintf(k[*nk].reason, sizeof(k[0].reason), "%s", reason);
	k[(*nk)++].n = n;
}

void rs_rst_tally_add(struct rs_rst_tally *t, unsigned side,
		      const char *state, const char *reason, uint64_t n)
{
	key_add(t->k, &t->nk, RS_RSTR_KEYS, &t->key_overflow, side, state,
		reason, n);
}

enum { R_STATE, R_ON_CLOSE, R_ON_DATA, R_TW, R_NO_SOCKET, R_OTHER, R_N };

static unsigned reason_idx(const char *r)
{
	if (!strcmp(r, "TCP_STATE"))
		return R_STATE;
	if (!strcmp(r, "TCP_ABORT_ON_CLOSE"))
		return R_ON_CLOSE;
	if (!strcmp(r, "TCP_ABORT_ON_DATA"))
		return R_ON_DATA;
	if (!strcmp(r, "TCP_TIMEWAIT_SOCKET"))
		return R_TW;
	if (!strcmp(r, "NO_SOCKET"))
		return R_NO_SOCKET;
	return R_OTHER;
}

static void print_ev(FILE *out, const char *label, const char *what,
		     const struct rs_rst_ev *e)
{
	if (out)
		fprintf(out, "  %s: RST %s: %s -> %s state=%s reason=%s\n",
			label, what, e->src, e->dst, e->state, e->reason);
}

/* Judge one trial's events (idx[0..n)); see rs_rst_judge. */
static void judge_trial(const struct rs_rst_ev *evs, const uint32_t *idx,
			uint32_t n, const struct rs_trial_rec *rc,
			struct rs_rst_tally *t, FILE *out, const char *label)
{
	/* [side 0 closer, 1 victim][reason] */
	unsigned obs[2][R_N] = { { 0 } };
	uint64_t extra, want, data;
	bool ok;

	for (uint32_t i = 0; i < n; i++) {
		const struct rs_rst_ev *e = &evs[idx[i]];
		unsigned sender = e->sport == rc->lport ? RS_SIDE_SERVER :
							 RS_SIDE_CLIENT;

		obs[sender != rc->closer][reason_idx(e->reason)]++;
		rs_rst_tally_add(t, sender, e->state, e->reason, 1);
		t->events++;
	}
	if (rc->racy) {
		t->trials_racy++;
		return;
	}
	/* the orphan the data meets is a full socket (TCP_ABORT_ON_DATA)
	 * or, when the ACK of its FIN came after close() released it, a
	 * timewait socket (TCP_TIMEWAIT_SOCKET): one RST either way */
	data = (uint64_t)obs[0][R_ON_DATA] + obs[0][R_TW];
	extra = (uint64_t)obs[0][R_NO_SOCKET] +
		(data > rc->on_data ? data - rc->on_data : 0);
	ok = obs[0][R_STATE] == rc->n_state[0] &&
	     obs[1][R_STATE] == rc->n_state[1] &&
	     obs[0][R_ON_CLOSE] == rc->n_on_close[0] &&
	     obs[1][R_ON_CLOSE] == rc->n_on_close[1] &&
	     data >= rc->on_data && extra <= rc->extra_hi &&
	     !obs[1][R_ON_DATA] && !obs[1][R_TW] && !obs[1][R_NO_SOCKET] &&
	     !obs[0][R_OTHER] && !obs[1][R_OTHER];
	if (ok) {
		t->trials_exact++;
		t->extras += extra;
		return;
	}
	t->trials_off++;
	want = (uint64_t)rc->n_state[0] + rc->n_state[1] +
	       rc->n_on_close[0] + rc->n_on_close[1] + rc->on_data;
	if (want > n)
		t->missing += want - n;
	else
		t->unpredicted += n - want;
	if (out) {
		fprintf(out,
			"  %s: trial %s:%u<->%s:%u: model: closer TCP_STATE %u, TCP_ABORT_ON_CLOSE %u, TCP_ABORT_ON_DATA|TCP_TIMEWAIT_SOCKET %u (+%u later), victim TCP_STATE %u, TCP_ABORT_ON_CLOSE %u; traced %u:\n",
			label, rs_side_name(RS_SIDE_SERVER), rc->lport,
			rs_side_name(RS_SIDE_CLIENT), rc->cport,
			rc->n_state[0], rc->n_on_close[0], rc->on_data,
			rc->extra_hi, rc->n_state[1], rc->n_on_close[1], n);
		for (uint32_t i = 0; i < n; i++)
			print_ev(out, label, "traced", &evs[idx[i]]);
	}
}

/* An RST with a trial listener's port at one end and no trial's: kept by
 * key apart from the trials' (its count stays in t->foreign). */
static void listener_add(struct rs_rst_tally *t, unsigned side,
			 const struct rs_rst_ev *e)
{
	key_add(t->lk, &t->nlk, sizeof(t->lk) / sizeof(t->lk[0]),
		&t->key_overflow, side, e->state, e->reason, 1);
}

void rs_rst_judge(const struct rs_rst_ev *evs, size_t nev,
		  const struct rs_trial_rec *recs, size_t nrec,
		  struct rs_rst_tally *t, FILE *out, const char *label)
{
	/* the trial of each client port; a port two trials share (more
	 * trials than ephemeral ports) is ambiguous: its trials racy */
	int32_t *of = malloc(65536 * sizeof(*of));
	uint64_t lp[65536 / 64]; /* the trials' listener ports */
#define IS_LP(p) ((lp[(p) / 64] >> ((p) % 64)) & 1)
	uint32_t *idx = nev ? malloc(nev * sizeof(*idx)) : NULL;
	uint32_t *cnt = calloc(nrec + 1, sizeof(*cnt));
	uint32_t *pos = calloc(nrec + 2, sizeof(*pos));

	if (!of || (nev && !idx) || !cnt || !pos) {
		if (out)
			fprintf(out, "  %s: RST reasons not judged: out of memory\n",
				label);
		goto out;
	}
	for (unsigned i = 0; i < 65536; i++)
		of[i] = -1;
	memset(lp, 0, sizeof(lp));
	for (size_t r = 0; r < nrec; r++) {
		of[recs[r].cport] = of[recs[r].cport] == -1 ? (int32_t)r : -2;
		lp[recs[r].lport / 64] |= 1ull << (recs[r].lport % 64);
	}
	/* bucket the events by trial, keeping their order */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nev; i++) {
			const struct rs_rst_ev *e = &evs[i];
			int32_t a = of[e->dport], b = of[e->sport], r = -1;

			/* the listener's end and a trial's client port (the
			 * listener changes with each --repeat block) */
			if (a >= 0 && recs[a].lport == e->sport)
				r = a;
			else if (b >= 0 && recs[b].lport == e->dport)
				r = b;
			if (r < 0 && ((a == -2 && IS_LP(e->sport)) ||
				      (b == -2 && IS_LP(e->dport)))) {
				/* a client port two trials shared: theirs,
				 * which of the two unknown (they are racy) */
				if (!pass) {
					rs_rst_tally_add(t, IS_LP(e->sport) ?
							 RS_SIDE_SERVER :
							 RS_SIDE_CLIENT,
							 e->state, e->reason, 1);
					t->events++;
				}
				continue;
			}
			if (r < 0) {
				if (!pass && (IS_LP(e->sport) || IS_LP(e->dport))) {
					t->foreign++;
					listener_add(t, IS_LP(e->sport) ?
							 RS_SIDE_SERVER :
							 RS_SIDE_CLIENT, e);
				}
				continue;
			}
			if (!pass)
				cnt[r]++;
			else
				idx[pos[r]++] = (uint32_t)i;
		}
		if (!pass) {
			uint32_t s = 0;

			for (size_t r = 0; r < nrec; r++) {
				pos[r] = s;
				s += cnt[r];
			}
		}
	}
	for (size_t r = 0; r < nrec; r++) {
		uint32_t n = cnt[r], first = pos[r] - n;
		struct rs_trial_rec rc = recs[r];

		if (of[rc.cport] == -2)
			rc.racy = 1;
		judge_trial(evs, idx + first, n, &rc, t, out, label);
	}
out:
	free(of);
	free(idx);
	free(cnt);
	free(pos);
}
#undef IS_LP

static bool has_port(const uint16_t *ports, size_t n, uint16_t p)
{
	for (size_t i = 0; i < n; i++)
		if (ports[i] == p)
			return true;
	return false;
}

uint64_t rs_rst_tally_ports(const struct rs_rst_ev *evs, size_t nev,
			    const uint16_t *ports, size_t n,
			    struct rs_rst_tally *t)
{
	uint64_t out = 0;

	for (size_t i = 0; i < nev; i++) {
		const struct rs_rst_ev *e = &evs[i];

		if (has_port(ports, n, e->sport))
			rs_rst_tally_add(t, RS_SIDE_SERVER, e->state, e->reason,
					 1);
		else if (has_port(ports, n, e->dport))
			rs_rst_tally_add(t, RS_SIDE_CLIENT, e->state, e->reason,
					 1);
		else {
			out++;
			continue;
		}
		t->events++;
	}
	return out;
}

/* ----------------------------------------------------------- tracefs */

static struct rs_rstr *live;    /* removed at exit() */

static int put(const char *dir, const char *file, const char *val)
{
	char p[512];
	int fd, e = 0;
	size_t n = strlen(val);

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, n) != (ssize_t)n)
		e = -errno ? -errno : -EIO;
	close(fd);
	return e;
}

/* The tracefs root: /sys/kernel/tracing, mounted there if need be and
 * allowed, else the debugfs path; NULL with errno (EACCES: not root). */
static const char *tracefs_root(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing",
					     "/sys/kernel/debug/tracing" };
	char p[96];
	int e = ENOENT;

	for (unsigned i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/instances", roots[i]);
		if (!access(p, W_OK))
			return roots[i];
		if (errno == EACCES || errno == EPERM)
			e = errno;
	}
	if (e == ENOENT &&
	    !mount("tracefs", roots[0], "tracefs", 0, NULL)) {
		snprintf(p, sizeof(p), "%s/instances", roots[0]);
		if (!access(p, W_OK))
			return roots[0];
	} else if (e == ENOENT) {
		e = errno;
	}
	errno = e;
	return NULL;
}

static uint64_t overruns(const struct rs_rstr *r)
{
	char p[512], line[128];
	uint64_t sum = 0;
	DIR *d;
	struct dirent *de;

	snprintf(p, sizeof(p), "%s/per_cpu", r->dir);
	d = opendir(p);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		FILE *f;

		if (strncmp(de->d_name, "cpu", 3))
			continue;
		snprintf(p, sizeof(p), "%s/per_cpu/%s/stats", r->dir,
			 de->d_name);
		f = fopen(p, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "overrun: ", 9))
				sum += strtoull(line + 9, NULL, 10);
		fclose(f);
	}
	closedir(d);
	return sum;
}

/* ------------------------------------------------------------ drain */

static int intern(struct rs_rstr *r, const char *v)
{
	for (unsigned i = 0; i < r->nstr; i++)
		if (!strcmp(r->str[i], v))
			return (int)i;
	if (r->nstr == NSTR)
		return -1;
	snprintf(r->str[r->nstr], sizeof(r->str[0]), "%s", v);
	return (int)r->nstr++;
}

/* One line of trace_pipe into the drain's events. */
static void drain_line(struct rs_rstr *r, const char *line)
{
	struct rs_rst_ev e;
	int st, re;

	if (rs_rst_parse_line(line, &e))
		return;
	{
		unsigned nk = atomic_load_explicit(&r->nkeep,
						   memory_order_acquire);

		if (nk) {
			bool ours = false;

			for (unsigned i = 0; i < nk && !ours; i++)
				ours = e.sport == r->keep[i] ||
				       e.dport == r->keep[i];
			if (!ours)
				return;
			if (r->nkev == r->capkev) {
				size_t nc = r->capkev ? 2 * r->capkev : 256;
				struct rs_rst_ev *nv =
					realloc(r->kev, nc * sizeof(*nv));

				if (!nv) {
					r->err = -ENOMEM;
					return;
				}
				r->kev = nv;
				r->capkev = nc;
			}
			r->kev[r->nkev++] = e;
			return;
		}
	}
	st = intern(r, e.state);
	re = intern(r, e.reason);
	if (st < 0 || re < 0) {
		r->str_overflow++;
		return;
	}
	if (r->nev == r->cap) {
		size_t nc = r->cap ? 2 * r->cap : 4096;
		struct cev *nv = realloc(r->ev, nc * sizeof(*nv));

		if (!nv) {
			r->err = -ENOMEM;
			return;
		}
		r->ev = nv;
		r->cap = nc;
	}
	r->ev[r->nev++] = (struct cev){ e.sport, e.dport, (uint8_t)st,
					(uint8_t)re };
}

/* Read trace_pipe until stopped, then until it is empty. */
static void *drain_thread(void *arg)
{
	struct rs_rstr *r = arg;
	char p[512], buf[65536];
	size_t have = 0;
	int fd;

	snprintf(p, sizeof(p), "%s/trace_pipe", r->dir);
	fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r->err = -errno;
		return NULL;
	}
	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };
		bool stopping = atomic_load(&r->stop);
		ssize_t n;

		if (!stopping)
			(void)poll(&pf, 1, 100);
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN) {
				r->err = -errno;
				break;
			}
			if (stopping)
				break;
			continue;
		}
		have += (size_t)n;
		buf[have] = 0;
		{
			char *s = buf, *nl;

			while ((nl = strchr(s, '\n'))) {
				*nl = 0;
				drain_line(r, s);
				s = nl + 1;
			}
			have = strlen(s);
			/* a line longer than the buffer: dropped */
			if (have == sizeof(buf) - 1)
				have = 0;
			memmove(buf, s, have);
		}
	}
	close(fd);
	return NULL;
}

int rs_rstr_drain_start(struct rs_rstr *r)
{
	int e;

	atomic_store(&r->stop, 0);
	r->err = 0;
	r->nev = 0;
	e = pthread_create(&r->th, NULL, drain_thread, r);
	if (e)
		return -e;
	r->draining = true;
	return 0;
}

/* Stop the drain thread and wait for it (it reads what is left first). */
static void drain_join(struct rs_rstr *r)
{
	atomic_store(&r->stop, 1);
	pthread_join(r->th, NULL);
	r->draining = false;
}

/* After the join: the events lost since the clear (the ring buffer's
 * overruns, and strings beyond the table: neither ours nor others'), and
 * the drain's compact events freed. */
static uint64_t drain_lost(struct rs_rstr *r)
{
	uint64_t o = overruns(r), lost;

	lost = (o > r->overrun0 ? o - r->overrun0 : 0) + r->str_overflow;
	r->str_overflow = 0;
	free(r->ev);
	r->ev = NULL;
	r->nev = r->cap = 0;
	return lost;
}

int rs_rstr_drain_stop(struct rs_rstr *r, const uint16_t *ports, size_t n,
		       struct rs_rst_tally *t, uint64_t *others,
		       uint64_t *overrun)
{
	*others = *overrun = 0;
	if (!r->draining)
		return -EINVAL;
	drain_join(r);
	for (size_t i = 0; i < r->nev; i++) {
		const struct cev *e = &r->ev[i];
		unsigned side;

		if (has_port(ports, n, e->sport))
			side = RS_SIDE_SERVER;
		else if (has_port(ports, n, e->dport))
			side = RS_SIDE_CLIENT;
		else {
			(*others)++;
			continue;
		}
		rs_rst_tally_add(t, side, r->str[e->state], r->str[e->reason],
				 1);
		t->events++;
	}
	*overrun = drain_lost(r);
	return r->err;
}

int rs_rstr_drain_keep(struct rs_rstr *r, uint16_t port)
{
	unsigned n = atomic_load_explicit(&r->nkeep, memory_order_relaxed);

	if (n == RS_RSTR_KEEP_MAX)
		return -ENOSPC;
	r->keep[n] = port;
	atomic_store_explicit(&r->nkeep, n + 1, memory_order_release);
	return 0;
}

int rs_rstr_drain_take(struct rs_rstr *r, struct rs_rst_ev **evs,
		       size_t *nev, uint64_t *overrun)
{
	*evs = NULL;
	*nev = 0;
	*overrun = 0;
	if (!r->draining)
		return -EINVAL;
	drain_join(r);
	atomic_store(&r->nkeep, 0);
	*evs = r->kev;
	*nev = r->nkev;
	r->kev = NULL;
	r->nkev = r->capkev = 0;
	*overrun = drain_lost(r);
	return r->err;
}

static void at_exit(void)
{
	rs_rstr_stop(live);
}

struct rs_rstr *rs_rstr_start(unsigned buf_kb, char *err, size_t errlen)
{
	char kb[16];
	const char *root = tracefs_root();
	struct rs_rstr *r;
	char p[512], fmt[4096];
	ssize_t n;
	int fd, e;
	static bool hooked;

	if (!root) {
		if (errno == EACCES || errno == EPERM)
			snprintf(err, errlen,
				 "no permission to make a tracing instance in /sys/kernel/tracing (%s): run as root for the reasons",
				 strerror(errno));
		else
			snprintf(err, errlen,
				 "no tracefs (not at /sys/kernel/tracing, and mounting it failed: %s): mount tracefs there, as root, for the reasons",
				 strerror(errno));
		return NULL;
	}
	snprintf(p, sizeof(p), "%s/%s/format", root, EVENT);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen,
			 errno == ENOENT ?
				 "the kernel has no tcp:tcp_send_reset event" :
				 "cannot read %s: %s", p, strerror(errno));
		return NULL;
	}
	n = read(fd, fmt, sizeof(fmt) - 1);
	close(fd);
	fmt[n > 0 ? n : 0] = 0;
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->has_reason = strstr(fmt, "sk_rst_reason reason;") != NULL;
	snprintf(r->dir, sizeof(r->dir), "%s/instances/rststorm.%ld", root,
		 (long)getpid());
	if (mkdir(r->dir, 0700)) {
		snprintf(err, errlen, "cannot make the tracing instance %s: %s",
			 r->dir, strerror(errno));
		free(r);
		return NULL;
	}
	live = r;
	if (!hooked) {
		atexit(at_exit);
		hooked = true;
	}
	/* the buffer size is a hint: the default (1.4 MiB) still works */
	/* per CPU: at most 64 MiB in all on a machine of many CPUs */
	{
		long ncpu = sysconf(_SC_NPROCESSORS_CONF);

		if (ncpu > 0 && buf_kb > 65536 / (unsigned long)ncpu)
			buf_kb = (unsigned)(65536 / (unsigned long)ncpu);
		if (buf_kb < 1024)
			buf_kb = 1024;
	}
	snprintf(kb, sizeof(kb), "%u", buf_kb);
	(void)put(r->dir, "buffer_size_kb", kb);
	e = put(r->dir, EVENT "/enable", "1");
	if (e) {
		snprintf(err, errlen, "cannot enable %s in %s: %s", EVENT,
			 r->dir, strerror(-e));
		rs_rstr_stop(r);
		return NULL;
	}
	rs_rstr_clear(r);
	return r;
}

bool rs_rstr_has_reason(const struct rs_rstr *r)
{
	return r && r->has_reason;
}

const char *rs_rstr_path(const struct rs_rstr *r)
{
	return r ? r->dir : "";
}

int rs_rstr_clear(struct rs_rstr *r)
{
	int e = put(r->dir, "trace", "");

	r->overrun0 = overruns(r);
	return e;
}

int rs_rstr_collect(struct rs_rstr *r, struct rs_rst_ev **evs, size_t *nev,
		    uint64_t *overrun)
{
	char p[512], *line = NULL;
	size_t cap = 0, n = 0, llen = 0;
	struct rs_rst_ev *v = NULL, ev;
	FILE *f;
	int e = 0;

	*evs = NULL;
	*nev = 0;
	*overrun = 0;
	snprintf(p, sizeof(p), "%s/trace", r->dir);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (getline(&line, &llen, f) > 0) {
		if (rs_rst_parse_line(line, &ev))
			continue;
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 256;
			struct rs_rst_ev *nv = realloc(v, nc * sizeof(*v));

			if (!nv) {
				e = -ENOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		v[n++] = ev;
	}
	free(line);
	fclose(f);
	{
		uint64_t o = overruns(r);

		*overrun = o > r->overrun0 ? o - r->overrun0 : 0;
	}
	rs_rstr_clear(r);
	if (e) {
		free(v);
		return e;
	}
	*evs = v;
	*nev = n;
	return 0;
}

void rs_rstr_stop(struct rs_rstr *r)
{
	if (!r)
		return;
	if (r->draining)
		drain_join(r);
	free(r->ev);
	free(r->kev);
	(void)put(r->dir, EVENT "/enable", "0");
	/* rmdir fails with EBUSY while a reader holds a file open: none
	 * here */
	(void)rmdir(r->dir);
	if (live == r)
		live = NULL;
	free(r);
}
