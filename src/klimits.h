/* The kernel's limits on a run's size, checked before anything is opened:
 * open files (fs.file-max), memory for the sockets, TCP memory, orphans,
 * conntrack, memory maps. Reading is separate from judging, so the judge is
 * pure and every refusal can be tested with made-up values. */
#ifndef RS_KLIMITS_H
#define RS_KLIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

/* What the kernel says; 0 for a value that could not be read (that check
 * is skipped). */
struct rs_klimits {
	uint64_t file_max;        /* fs.file-max */
	uint64_t files_used;      /* fs.file-nr, first field */
	uint64_t mem_avail_kb;    /* MemAvailable, /proc/meminfo */
	uint64_t tcp_mem_max;     /* net.ipv4.tcp_mem, third field, pages */
	uint64_t max_orphans;     /* net.ipv4.tcp_max_orphans */
	uint64_t conntrack_max;   /* net.netfilter.nf_conntrack_max: 0 when
				   * conntrack is not loaded */
	uint64_t max_map_count;   /* vm.max_map_count */
	uint64_t page_size;
};

/* The size of the run the limits are judged against. */
struct rs_klimits_run {
	uint64_t conns;           /* -c: connections open at once */
	bool hold;                /* --hold: all of them, then one storm */
	bool servers;             /* embedded servers: two sockets each */
	bool netns;               /* --netns or --link: its own conntrack */
	bool loopback;            /* no emulated link or remote peer */
	uint32_t rings;           /* client + server rings (threads) */
	struct rs_mix mix;
};

/*
 * Kernel memory per socket, bytes, measured (slabinfo at 1 000 000 held
 * on 6.18): TCP 2368, sock_inode_cache 832, filp 192, dentry 192, and the
 * io_uring/epoll and hash-table share; 3.6 KiB rounded up.
 */
#define RS_SOCK_KERNEL_BYTES 3712u

/* The kernel's Slab (/proc/meminfo), KiB; 0 when it cannot be read. */
uint64_t rs_klimits_slab_kb(void);

/* Read the limits from /proc. Values that cannot be read stay 0. */
void rs_klimits_read(struct rs_klimits *l);

/* Judge run r against l. Returns 0 when it fits, else -E2BIG (memory or
 * files), -ENOSPC (TCP memory, orphans, conntrack, maps) after writing one
 * line into msg: what the run needs, the limit, and what to do (the
 * sysctl to raise and by how much, or a -c that fits). Pure. */
int rs_klimits_judge(const struct rs_klimits *l, const struct rs_klimits_run *r,
		    char *msg, size_t len);

/*
 * --netns (or --link's namespaces): the namespace's own net.* sysctls that
 * a run of r's size outgrows (net.core.somaxconn, tcp_max_syn_backlog,
 * tcp_max_tw_buckets) are raised to fit, in the namespace only. Call after
 * entering it. Writes what it raised (or "") into note; returns 0 or
 * -errno after writing the failure into note.
 */
int rs_klimits_netns_raise(const struct rs_klimits_run *r, uint32_t ports,
			  char *note, size_t len);

#endif
