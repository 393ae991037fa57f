/* veth pairs and netem qdiscs over rtnetlink (see netem.h). The messages
 * are what iproute2 sends for `ip link add NAME type veth peer NAME netns
 * FD` and `tc qdisc add dev NAME root netem delay .. loss .. rate ..`. */
#include "netem.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

struct nlreq {
	struct nlmsghdr h;
	char buf[1024];
};

static struct rtattr *tail(struct nlreq *r)
{
	return (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
}

static int put(struct nlreq *r, unsigned short type, const void *data,
	       size_t len)
{
	struct rtattr *a = tail(r);
	size_t n = RTA_LENGTH(len);

	if (NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(n) > sizeof(*r))
		return -EMSGSIZE;
	a->rta_type = type;
	a->rta_len = (unsigned short)n;
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = (uint32_t)(NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(n));
	return 0;
}

/* open a nest: its length is set by end() */
static struct rtattr *begin(struct nlreq *r, unsigned short type)
{
	struct rtattr *a = tail(r);

	return put(r, type, NULL, 0) ? NULL : a;
}

static void end(struct nlreq *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)tail(r) - (char *)a);
}

/* Send r and read the kernel's answer: 0 or -errno. */
static int talk(struct nlreq *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char ans[4096];
	int fd, e;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = 1;
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, ans, sizeof(ans), 0);
		if (n < 0) {
			e = -errno;
			break;
		}
		h = (struct nlmsghdr *)ans;
		if (!NLMSG_OK(h, (size_t)n)) {
			e = -EPROTO;
			break;
		}
		if (h->nlmsg_type == NLMSG_ERROR) {
			e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			break;
		}
	}
	close(fd);
	return e;
}

static int nl_fail(char *err, size_t errlen, int r, const char *what,
		   const char *todo)
{
	snprintf(err, errlen, "--link: %s failed: %s (%s): %s", what,
		 strerror(-r), rs_errname(-r), todo);
	return r;
}

/* A qdisc request on ifindex: add (flags NLM_F_CREATE | NLM_F_EXCL) or
 * delete (type RTM_DELQDISC), netem with o (NULL: no options). */
static int qdisc(int type, int flags, int ifindex,
		 const struct rs_netem_opts *o)
{
	struct nlreq r;
	struct tcmsg *t;
	struct rtattr *opts;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(*t));
	r.h.nlmsg_type = (uint16_t)type;
	r.h.nlmsg_flags = (uint16_t)flags;
	t = NLMSG_DATA(&r.h);
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_ROOT;
	if (put(&r, TCA_KIND, "netem", sizeof("netem")))
		return -EMSGSIZE;
	if (o) {
		struct tc_netem_qopt q = {
			/* psched ticks (64 ns); the 64-bit attributes below
			 * carry the exact values */
			.latency = (uint32_t)((o->delay_ns >> 6) > UINT32_MAX ?
						      UINT32_MAX : o->delay_ns >> 6),
			.jitter = (uint32_t)((o->jitter_ns >> 6) > UINT32_MAX ?
						     UINT32_MAX : o->jitter_ns >> 6),
			.limit = o->limit,
			.loss = (uint32_t)((uint64_t)o->loss_ppm * UINT32_MAX / 1000000),
		};
		int64_t lat = (int64_t)o->delay_ns, jit = (int64_t)o->jitter_ns;

		/* netem's options are the qopt struct followed by
		 * attributes, all inside TCA_OPTIONS (as tc sends them) */
		opts = tail(&r);
		if (put(&r, TCA_OPTIONS, &q, sizeof(q)) ||
		    put(&r, TCA_NETEM_LATENCY64, &lat, sizeof(lat)) ||
		    put(&r, TCA_NETEM_JITTER64, &jit, sizeof(jit)))
			return -EMSGSIZE;
		if (o->rate_bps) {
			uint64_t bytes = o->rate_bps / 8;
			struct tc_netem_rate rate = {
				.rate = bytes >= UINT32_MAX ? UINT32_MAX : (uint32_t)bytes,
			};

			if (put(&r, TCA_NETEM_RATE, &rate, sizeof(rate)))
				return -EMSGSIZE;
			if (bytes >= UINT32_MAX &&
			    put(&r, TCA_NETEM_RATE64, &bytes, sizeof(bytes)))
				return -EMSGSIZE;
		}
		end(&r, opts);
	}
	return talk(&r);
}

int rs_netem_probe(char *err, size_t errlen)
{
	struct rs_netem_opts o = { .delay_ns = 1000000, .limit = 1000 };
	int idx = (int)if_nametoindex("lo"), r;

	if (!idx)
		return nl_fail(err, errlen, -errno, "finding lo", "bring up loopback");
	r = qdisc(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, idx, &o);
	if (r)
		return nl_fail(err, errlen, r, "adding a netem qdisc (probe on lo)",
			       r == -ENOENT ? "this kernel has no sch_netem (CONFIG_NET_SCH_NETEM; modprobe sch_netem)"
					    : "netem needs CAP_NET_ADMIN");
	r = qdisc(RTM_DELQDISC, 0, idx, NULL);
	if (r)
		return nl_fail(err, errlen, r, "removing the probe's netem qdisc from lo",
			       "report this: the namespace is discarded anyway");
	return 0;
}

int rs_netem_veth(const char *name, int peer_ns_fd, char *err, size_t errlen)
{
	struct nlreq r;
	struct ifinfomsg *ifi;
	struct rtattr *info, *data, *peer;
	int r2;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	r.h.nlmsg_type = RTM_NEWLINK;
	r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(&r.h);
	ifi->ifi_family = AF_UNSPEC;
	if (put(&r, IFLA_IFNAME, name, strlen(name) + 1) ||
	    !(info = begin(&r, IFLA_LINKINFO)) ||
	    put(&r, IFLA_INFO_KIND, "veth", sizeof("veth")) ||
	    !(data = begin(&r, IFLA_INFO_DATA)) ||
	    !(peer = begin(&r, VETH_INFO_PEER)))
		return nl_fail(err, errlen, -EMSGSIZE, "building the veth request", "report this");
	/* the peer's attributes follow its own ifinfomsg */
	{
		struct ifinfomsg pi = { .ifi_family = AF_UNSPEC };
		size_t at = NLMSG_ALIGN(r.h.nlmsg_len);

		if (at + NLMSG_ALIGN(sizeof(pi)) > sizeof(r))
			return nl_fail(err, errlen, -EMSGSIZE, "building the veth request", "report this");
		memcpy((char *)&r + at, &pi, sizeof(pi));
		r.h.nlmsg_len = (uint32_t)(at + NLMSG_ALIGN(sizeof(pi)));
	}
	if (put(&r, IFLA_IFNAME, name, strlen(name) + 1) ||
	    put(&r, IFLA_NET_NS_FD, &peer_ns_fd, sizeof(peer_ns_fd)))
		return nl_fail(err, errlen, -EMSGSIZE, "building the veth request", "report this");
	end(&r, peer);
	end(&r, data);
	end(&r, info);
	r2 = talk(&r);
	if (r2)
		return nl_fail(err, errlen, r2, "making the veth pair",
			       r2 == -EOPNOTSUPP ? "this kernel has no veth driver (CONFIG_VETH)"
						 : "needs CAP_NET_ADMIN (run as root)");
	return 0;
}

int rs_netem_add(const char *name, const struct rs_netem_opts *o, char *err,
		 size_t errlen)
{
	int idx = (int)if_nametoindex(name), r;

	if (!idx)
		return nl_fail(err, errlen, -errno, "finding the veth device", "report this");
	r = qdisc(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, idx, o);
	if (r)
		return nl_fail(err, errlen, r, "adding the netem qdisc",
			       r == -ENOENT ? "this kernel has no sch_netem (CONFIG_NET_SCH_NETEM)"
					    : "netem needs CAP_NET_ADMIN");
	return 0;
}
