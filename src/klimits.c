/* The kernel's limits on a run's size: read from /proc, judged by a pure
 * function, and the namespace's own net.* sysctls raised under --netns. */
#include "klimits.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Open files beyond the sockets: listeners, rings, eventfds, stdio. */
#define SPARE_FILES 256u

/* The storm's orphans at once on loopback, where each FIN is ACKed as it
 * is sent: 201 and 944 at the peaks of two storms of ~500 000 FIN closes
 * (1 000 000 held, 6.18, /proc/net/sockstat every 0.5 s). About twice the
 * larger is asked for; across a link every FIN close may be an orphan for
 * a round trip, so all of them are. */
#define LOOPBACK_ORPHANS 2048u

/* TCP memory (tcp_mem, pages) per connection: the peak of a 1 000 000
 * storm was 110 396 pages; one page per 8 connections leaves a margin. */
#define CONNS_PER_TCP_PAGE 8u

static uint64_t read_u64(const char *path, unsigned field)
{
	char buf[256], *p = buf, *end;
	uint64_t v = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (unsigned i = 0; i <= field; i++) {
		errno = 0;
		v = strtoull(p, &end, 10);
		if (end == p || errno)
			return 0;
		p = end;
	}
	return v;
}

static uint64_t meminfo_kb(const char *key)
{
	char line[256];
	uint64_t v = 0;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			if (sscanf(line + kl + 1, "%" SCNu64, &v) != 1)
				v = 0;
			break;
		}
	fclose(f);
	return v;
}

uint64_t rs_klimits_slab_kb(void)
{
	return meminfo_kb("Slab");
}

void rs_klimits_read(struct rs_klimits *l)
{
	long ps = sysconf(_SC_PAGESIZE);

	memset(l, 0, sizeof(*l));
	l->file_max = read_u64("/proc/sys/fs/file-max", 0);
	l->files_used = read_u64("/proc/sys/fs/file-nr", 0);
	l->mem_avail_kb = meminfo_kb("MemAvailable");
	l->tcp_mem_max = read_u64("/proc/sys/net/ipv4/tcp_mem", 2);
	l->max_orphans = read_u64("/proc/sys/net/ipv4/tcp_max_orphans", 0);
	l->conntrack_max =
		read_u64("/proc/sys/net/netfilter/nf_conntrack_max", 0);
	l->max_map_count = read_u64("/proc/sys/vm/max_map_count", 0);
	l->page_size = ps > 0 ? (uint64_t)ps : 4096;
}

/* FIN closes of a --hold storm: the fin and shutdown shares of -c. */
static uint64_t fin_closes(const struct rs_klimits_run *r)
{
	uint64_t w = (uint64_t)r->mix.weight[RS_CLOSE_FIN] +
		     r->mix.weight[RS_CLOSE_SHUTDOWN];

	if (!r->hold || !r->mix.total)
		return 0;
	return (r->conns * w + r->mix.total - 1) / r->mix.total;
}

int rs_klimits_judge(const struct rs_klimits *l, const struct rs_klimits_run *r,
		    char *msg, size_t len)
{
	uint64_t per = r->servers ? 2 : 1; /* sockets per connection */
	uint64_t files = r->conns * per + SPARE_FILES;
	uint64_t kb = (r->conns * per * RS_SOCK_KERNEL_BYTES + 1023) / 1024;
	uint64_t pages = r->conns / CONNS_PER_TCP_PAGE;
	uint64_t fins = fin_closes(r);
	uint64_t orphans = r->loopback && fins > LOOPBACK_ORPHANS ?
				   LOOPBACK_ORPHANS : fins;
	uint64_t maps = (uint64_t)r->rings * 8 + 1024;

	if (l->file_max && files > l->file_max - (l->files_used < l->file_max ?
							  l->files_used :
							  l->file_max)) {
		uint64_t room = l->file_max > l->files_used + SPARE_FILES ?
					l->file_max - l->files_used -
						SPARE_FILES :
					0;

		snprintf(msg, len,
			 "-c %" PRIu64 " needs about %" PRIu64 " open files (%s; io_uring direct descriptors are files too) but fs.file-max is %" PRIu64 " with %" PRIu64 " in use: sysctl -w fs.file-max=%" PRIu64 "%s",
			 r->conns, files,
			 r->servers ? "a client and a server socket each" :
				      "a socket each",
			 l->file_max, l->files_used,
			 l->files_used + files + files / 10,
			 room / per ? " or lower -c" : " (no -c fits)");
		if (room / per) {
			size_t n = strlen(msg);

			snprintf(msg + n, len - n, " to %" PRIu64, room / per);
		}
		return -E2BIG;
	}
	if (l->mem_avail_kb && kb > l->mem_avail_kb) {
		snprintf(msg, len,
			 "-c %" PRIu64 " needs about %" PRIu64 " MiB of kernel memory for %" PRIu64 " sockets (%u bytes each, measured) but %" PRIu64 " MiB is available (MemAvailable): lower -c to %" PRIu64,
			 r->conns, kb / 1024, r->conns * per,
			 RS_SOCK_KERNEL_BYTES, l->mem_avail_kb / 1024,
			 l->mem_avail_kb * 1024 / (per * RS_SOCK_KERNEL_BYTES));
		return -E2BIG;
	}
	if (l->tcp_mem_max && pages > l->tcp_mem_max) {
		snprintf(msg, len,
			 "-c %" PRIu64 " needs up to about %" PRIu64 " pages of TCP memory (one per %u connections, measured) but the third value of net.ipv4.tcp_mem (host-wide, also under --netns) is %" PRIu64 ": raise it to %" PRIu64 " (sysctl -w net.ipv4.tcp_mem=\"LOW PRESSURE %" PRIu64 "\") or lower -c to %" PRIu64,
			 r->conns, pages, CONNS_PER_TCP_PAGE, l->tcp_mem_max,
			 pages * 2, pages * 2,
			 l->tcp_mem_max * CONNS_PER_TCP_PAGE);
		return -ENOSPC;
	}
	if (l->max_orphans && orphans > l->max_orphans) {
		uint64_t cmax = r->loopback ? 0 :
				r->conns * l->max_orphans / fins;

		snprintf(msg, len,
			 "--hold -c %" PRIu64 ": the storm closes %" PRIu64 " connections with a FIN at once and up to %" PRIu64 " of them are orphans %s, but net.ipv4.tcp_max_orphans (host-wide, also under --netns) is %" PRIu64 ": past it the kernel resets them instead (TCPAbortOnMemory): sysctl -w net.ipv4.tcp_max_orphans=%" PRIu64 "%s",
			 r->conns, fins, orphans,
			 r->loopback ? "at once on loopback" :
				       "for a round trip",
			 l->max_orphans, orphans * 2,
			 cmax ? "" : " (or --close rst: no orphans)");
		if (cmax) {
			size_t n = strlen(msg);

			snprintf(msg + n, len - n, " or lower -c to %" PRIu64,
				 cmax);
		}
		return -ENOSPC;
	}
	if (l->conntrack_max && !r->netns && r->conns > l->conntrack_max) {
		snprintf(msg, len,
			 "-c %" PRIu64 " needs %" PRIu64 " conntrack entries (nf_conntrack is loaded) but net.netfilter.nf_conntrack_max is %" PRIu64 ": sysctl -w net.netfilter.nf_conntrack_max=%" PRIu64 ", or --netns (a namespace tracks nothing unless its rules ask), or lower -c to %" PRIu64,
			 r->conns, r->conns, l->conntrack_max,
			 r->conns + r->conns / 10, l->conntrack_max);
		return -ENOSPC;
	}
	if (l->max_map_count && maps > l->max_map_count) {
		snprintf(msg, len,
			 "%u rings need about %" PRIu64 " memory maps (rings, thread stacks) but vm.max_map_count is %" PRIu64 ": sysctl -w vm.max_map_count=%" PRIu64 " or fewer threads",
			 r->rings, maps, l->max_map_count, maps * 2);
		return -ENOSPC;
	}
	return 0;
}

static int raise_one(const char *path, const char *name, uint64_t want,
		     char *note, size_t len)
{
	uint64_t have = read_u64(path, 0);
	char buf[32];
	size_t n = strlen(note);
	int fd, k;

	if (!have || have >= want)
		return 0;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	k = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", want);
	if (fd < 0 || write(fd, buf, (size_t)k) != k) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		snprintf(note, len,
			 "--netns: raising %s from %" PRIu64 " to %" PRIu64 " in the run's namespace failed: %s: lower -c",
			 name, have, want, strerror(e));
		return -e;
	}
	close(fd);
	snprintf(note + n, len - n, "%s%s %" PRIu64 " -> %" PRIu64,
		 n ? ", " : "", name, have, want);
	return 0;
}

int rs_klimits_netns_raise(const struct rs_klimits_run *r, uint32_t ports,
			  char *note, size_t len)
{
	/* listen() asks for 65535; somaxconn caps it. Without --hold every
	 * slot may connect at once, spread over the ports */
	uint64_t backlog = r->conns / (ports ? ports : 1) + 64;
	uint64_t tw = fin_closes(r) + 4096;
	int ret;

	note[0] = '\0';
	if (backlog > 65535)
		backlog = 65535;
	ret = raise_one("/proc/sys/net/core/somaxconn", "net.core.somaxconn",
			backlog, note, len);
	if (!ret)
		ret = raise_one("/proc/sys/net/ipv4/tcp_max_syn_backlog",
				"net.ipv4.tcp_max_syn_backlog", backlog, note,
				len);
	/* a FIN close leaves a TIME_WAIT socket on the server; past the
	 * bucket limit the kernel drops it, and the client's next send
	 * meets no socket instead of it */
	if (!ret && r->hold)
		ret = raise_one("/proc/sys/net/ipv4/tcp_max_tw_buckets",
				"net.ipv4.tcp_max_tw_buckets", tw, note, len);
	return ret;
}
