/* The other path of an emulated link, where the kernel has sch_netem: a
 * veth pair between the two namespaces and a netem qdisc on each end, set
 * up over rtnetlink (no external tools). Every call acts in the calling
 * thread's network namespace. This machine's kernel has no sch_netem, so
 * the qdisc part is untested here (docs/network.md). */
#ifndef RS_NETEM_H
#define RS_NETEM_H

#include <stddef.h>
#include <stdint.h>

/* One direction's shaping, as netem takes it. */
struct rs_netem_opts {
	uint64_t delay_ns, jitter_ns;
	uint32_t loss_ppm; /* parts per million */
	uint64_t rate_bps; /* 0: none */
	uint32_t limit;	   /* packets */
};

/* Whether a netem qdisc can be made here: adds one to lo and removes it.
 * Returns 0 (it can), or -errno (-ENOENT: the kernel has no sch_netem)
 * with what failed in err. */
int rs_netem_probe(char *err, size_t errlen);

/* Make a veth pair: name here, its peer (also name) in the namespace of
 * peer_ns_fd. Returns 0 or -errno with err set. */
int rs_netem_veth(const char *name, int peer_ns_fd, char *err, size_t errlen);

/* Put a root netem qdisc with o on the device name. Returns 0 or -errno
 * with err set. */
int rs_netem_add(const char *name, const struct rs_netem_opts *o, char *err,
		 size_t errlen);

#endif
