/* run --target: the query, the seed check and the clock. */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "client.h"
#include "plan.h"
#include "util.h"

void rs_stamp_path(char *buf, size_t len, uint32_t pid, uint32_t fd)
{
	snprintf(buf, len, "/proc/%" PRIu32 "/fd/%" PRIu32, pid, fd);
}

void rs_boot_id(uint8_t id[16])
{
	char s[64];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	unsigned n = 0;

	memset(id, 0, 16);
	if (!f)
		return;
	if (fgets(s, sizeof(s), f)) {
		for (char *p = s; *p && n < 32; p++) {
			unsigned v;

			if (*p >= '0' && *p <= '9')
				v = (unsigned)(*p - '0');
			else if (*p >= 'a' && *p <= 'f')
				v = (unsigned)(*p - 'a' + 10);
			else
				continue;
			id[n / 2] = (uint8_t)(id[n / 2] << 4 | v);
			n++;
		}
	}
	fclose(f);
}

/* One query: connect (2 s at most), send it, read the info to EOF. */
static int query(const struct rs_addr *a, struct rs_info *in, char *why,
		 size_t wl)
{
	struct timeval tv = { .tv_sec = 2 };
	uint8_t q[RS_HELLO_HDR], buf[RS_INFO_LEN + 1];
	size_t got = 0;
	int fd = socket(rs_addr_family(a), SOCK_STREAM | SOCK_CLOEXEC, 0);
	int e;

	if (fd < 0) {
		e = errno;
		snprintf(why, wl, "socket failed: %s (%s)", strerror(e),
			 rs_errname(e));
		return -e;
	}
	/* connect honours SO_SNDTIMEO: an unreachable target fails in 2 s */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, &a->u.sa, a->len)) {
		e = errno == EINPROGRESS ? ETIMEDOUT : errno;
		snprintf(why, wl,
			 "connect failed: %s (%s): start rststorm serve there (its \"listening on\" line gives the address), or check the address and the route",
			 strerror(e), rs_errname(e));
		close(fd);
		return -e;
	}
	rs_query_encode(q);
	if (send(fd, q, sizeof(q), MSG_NOSIGNAL) != (ssize_t)sizeof(q)) {
		e = errno;
		snprintf(why, wl, "sending the query failed: %s (%s)",
			 strerror(e), rs_errname(e));
		close(fd);
		return -e;
	}
	for (;;) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - got, 0);

		if (n == 0)
			break;
		if (n < 0) {
			e = errno == EAGAIN ? ETIMEDOUT : errno;
			snprintf(why, wl,
				 "reading the server's answer failed: %s (%s): is it rststorm serve? (another server: --foreign)",
				 strerror(e), rs_errname(e));
			close(fd);
			return -e;
		}
		got += (size_t)n;
		if (got == sizeof(buf))
			break;
	}
	close(fd);
	if (got != RS_INFO_LEN || !rs_info_decode(buf, in)) {
		snprintf(why, wl,
			 "the answer (%zu bytes) is not rststorm serve's: give the address of rststorm serve, or --foreign for another server",
			 got);
		return -EPROTO;
	}
	return 0;
}

/*
 * Map serve's stamp region when it runs on this host, and claim this
 * client's range of it: an OFD write lock on the range's bytes of the
 * memfd (F_OFD_SETLK: atomic, held by this open file description, dropped
 * by the kernel when the client exits, even by SIGKILL; serve never takes
 * it and its stores are not hindered). A range another client on this
 * host holds now is refused: its connections would overwrite the stamps
 * that client reads. Returns 0 (t->clock says whether the stamps are
 * used), or -EBUSY with one line in err.
 */
static int map_stamps(const struct rs_config *cfg, struct rs_target *t,
		      const struct rs_info *in, char *err, size_t errlen)
{
	uint8_t me[16];
	char name[64];
	size_t len = RS_STAMP_HDR + (size_t)in->shm_slots * 8;
	uint32_t base = rs_cli_slot_base(cfg);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat st;
	void *p;
	int fd;

	rs_boot_id(me);
	if (memcmp(me, in->boot_id, 16) != 0 || !in->shm_pid) {
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "the server runs on another host (boot id differs)");
		return 0;
	}
	rs_stamp_path(name, sizeof(name), in->shm_pid, in->shm_fd);
	/* O_NONBLOCK: should the pid name another process (serve in
	 * another PID namespace), its fd may be a FIFO, which must not
	 * block us; only a regular file of the right size is mapped, and
	 * then only trusted when it holds the nonce. O_RDWR only for the
	 * write lock: the mapping is read-only */
	fd = open(name, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
			(size_t)st.st_size < len)) {
		close(fd);
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "this host, but %s is not its stamp region (another PID namespace?)",
			 name);
		return 0;
	}
	if (fd < 0) {
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "this host, but its stamps (%s) cannot be opened: %s (another PID namespace?)",
			 name, strerror(errno));
		return 0;
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "this host, but mapping its stamps failed: %s",
			 strerror(errno));
		close(fd);
		return 0;
	}
	if (rs_get64(p) != in->nonce) {
		munmap(p, len);
		close(fd);
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "this host, but %s belongs to another serve process",
			 name);
		return 0;
	}
	if ((uint64_t)base + cfg->concurrency > in->shm_slots) {
		munmap(p, len);
		close(fd);
		snprintf(err, errlen,
			 "-c %u from id %u is past the %u ids rststorm serve keeps stamps for: lower -c",
			 cfg->concurrency, base, in->shm_slots);
		return -EINVAL;
	}
	fl.l_start = (off_t)(RS_STAMP_HDR + (uint64_t)base * 8);
	fl.l_len = (off_t)cfg->concurrency * 8;
	if (fcntl(fd, F_OFD_SETLK, &fl)) {
		int e = errno;

		munmap(p, len);
		close(fd);
		if (e == EAGAIN || e == EACCES) {
			snprintf(err, errlen,
				 "serve's connection ids %u..%u are in use by another client on this host now: its close stamps would be overwritten by this run's; give each client of a fleet its own --client-index I/N",
				 base, base + cfg->concurrency - 1);
			return -EBUSY;
		}
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "this host, but its ids %u..%u cannot be claimed (lock: %s): from the completion that saw the FIN/RST",
			 base, base + cfg->concurrency - 1, strerror(e));
		return 0;
	}
	t->locked = true;
	t->lock_fd = fd;
	t->map = p;
	t->map_len = len;
	t->stamps = (_Atomic uint64_t *)((uint8_t *)p + RS_STAMP_HDR);
	t->stamp_slots = in->shm_slots;
	t->stamp_t0 = in->t0;
	t->clock = RS_CLOCK_STAMP;
	snprintf(t->clock_why, sizeof(t->clock_why),
		 "the server's close stamps (same host: CLOCK_MONOTONIC is shared)");
	return 0;
}

/*
 * The stamp clock is exact only while this client alone uses its ids of
 * serve's stamp region: serve stamps by the connection id in the hello, so
 * another client sending the same ids overwrites the stamps this one
 * reads, and an earlier run's stamps carry the same generations. A client
 * on this host running now holds the lock (map_stamps refused the range);
 * a stamp already present means an earlier run, or a client on another
 * host (which cannot take the lock): the seen clock then, and the clock
 * line says why. Not caught: a client on another host that starts on the
 * same ids after this check; --client-index is what keeps them apart.
 */
static void slots_unused(const struct rs_config *cfg, struct rs_target *t)
{
	uint32_t base = rs_cli_slot_base(cfg);
	uint32_t used = 0;

	for (uint32_t k = base; k < base + cfg->concurrency; k++)
		if (atomic_load_explicit(&t->stamps[k], memory_order_relaxed))
			used++;
	if (!used)
		return;
	/* the lock stays: this run's connections still write these stamps */
	munmap(t->map, t->map_len);
	t->map = NULL;
	t->stamps = NULL;
	t->clock = RS_CLOCK_SEEN;
	if (cfg->client_count)
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "this host, but %u of serve's close stamps for ids %u..%u are another client's (an earlier run with --client-index %u/%u, or one on another host): from the completion that saw the FIN/RST",
			 used, base, base + cfg->concurrency - 1,
			 cfg->client_index, cfg->client_count);
	else
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "this host, but %u of serve's close stamps for ids %u..%u are another client's (an earlier run, or one on another host): from the completion that saw the FIN/RST; give each client of a fleet --client-index I/N",
			 used, base, base + cfg->concurrency - 1);
}

int rs_target_open(struct rs_config *cfg, struct rs_target *t, char *err,
		   size_t errlen)
{
	struct rs_info first;
	bool one_server = true;
	int ret;

	memset(t, 0, sizeof(*t));
	t->clock = RS_CLOCK_SEEN;
	if (cfg->foreign) {
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "foreign server: from the completion that saw its FIN/RST");
		return 0;
	}
	for (uint32_t i = 0; i < cfg->ntargets; i++) {
		struct rs_info in;
		char a[RS_ADDR_TEXT], why[320], mine[128], theirs[128];
		struct rs_mix mix;

		rs_addr_format(&cfg->target[i], a, sizeof(a));
		ret = query(&cfg->target[i], &in, why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "--target %s: %s", a, why);
			return ret;
		}
		memset(&mix, 0, sizeof(mix));
		for (unsigned m = 0; m < RS_CLOSE_NMODES; m++) {
			mix.weight[m] = in.weight[m];
			mix.total += in.weight[m];
		}
		if (!mix.total) {
			snprintf(err, errlen,
				 "--target %s: the server's answer has no close mix: is it rststorm serve?",
				 a);
			return -EPROTO;
		}
		if (i == 0 && !cfg->seed_given) {
			/* no --seed: plan with the first server's */
			cfg->seed = in.seed;
			cfg->seed_given = true;
			cfg->mix = mix;
			t->seed_from_server = true;
		}
		rs_mix_format(&cfg->mix, mine, sizeof(mine));
		rs_mix_format(&mix, theirs, sizeof(theirs));
		if (in.seed != cfg->seed || strcmp(mine, theirs) != 0) {
			snprintf(err, errlen,
				 "--target %s: seed mismatch: the server plans with --seed %" PRIu64 " --close %s, this run with --seed %" PRIu64 " --close %s: every close would be misattributed; give the server's (or leave --seed out to take them)",
				 a, in.seed, theirs, cfg->seed, mine);
			return -EINVAL;
		}
		t->nonce[i] = in.nonce;
		if (i == 0)
			first = in;
		else if (in.nonce != first.nonce)
			one_server = false;
	}
	if (!one_server) {
		snprintf(t->clock_why, sizeof(t->clock_why),
			 "several serve processes: from the completion that saw the FIN/RST");
		return 0;
	}
	ret = map_stamps(cfg, t, &first, err, errlen);
	if (ret) {
		char a[RS_ADDR_TEXT], msg[512];

		rs_addr_format(&cfg->target[0], a, sizeof(a));
		snprintf(msg, sizeof(msg), "--target %s: %s", a, err);
		snprintf(err, errlen, "%s", msg);
		return ret;
	}
	if (t->clock == RS_CLOCK_STAMP)
		slots_unused(cfg, t);
	return 0;
}

int rs_target_recheck(const struct rs_config *cfg, const struct rs_target *t)
{
	int status = 0;

	if (cfg->foreign)
		return 0;
	for (uint32_t i = 0; i < cfg->ntargets; i++) {
		struct rs_info in;
		char a[RS_ADDR_TEXT], why[320];
		bool same_plan = true;

		rs_addr_format(&cfg->target[i], a, sizeof(a));
		if (query(&cfg->target[i], &in, why, sizeof(why))) {
			fprintf(stderr,
				"rststorm run: --target %s is gone at the end of the run (%s): connections after it went are among the failures, by phase and errno\n",
				a, why);
			continue;
		}
		if (in.nonce == t->nonce[i])
			continue;
		for (unsigned m = 0; m < RS_CLOSE_NMODES; m++)
			if (in.weight[m] != cfg->mix.weight[m])
				same_plan = false;
		if (in.seed != cfg->seed)
			same_plan = false;
		fprintf(stderr,
			"rststorm run: --target %s restarted during the run (another serve process answers now)%s\n",
			a,
			same_plan ? ", with the same seed and mix: the plan held; its close stamps were another process's, so some ops may count as before the close" :
				    ": it plans with another seed or mix, so closes after the restart may be counted under the wrong mode: rerun with one serve for the whole run");
		if (!same_plan)
			status = 1;
	}
	return status;
}

void rs_target_close(struct rs_target *t)
{
	if (t->map)
		munmap(t->map, t->map_len);
	if (t->locked)
		close(t->lock_fd);
	t->locked = false;
	t->map = NULL;
	t->stamps = NULL;
}
