/* Emulated links: the --link spec, the two namespaces and the delay line
 * between them (TUN devices and a forwarding thread). See link.h and
 * docs/network.md. */
#include "link.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "esc.h"
#include "netem.h"
#include "util.h"

#define LINK_IFNAME "rslink"
#define LINK_NET "198.18.0.0/24"
#define LINK_MASK "255.255.255.0"
/* packets read from one TUN per pass, so that a flood on one side cannot
 * hold back the other side's due packets */
#define READ_BATCH 64
#define LINK_UP_WAIT_NS (3ull * 1000000000ull)

static const char *const side_addr[] = {
	[RS_LINK_HOST] = "",
	[RS_LINK_SERVER] = "198.18.0.2",
	[RS_LINK_CLIENT] = "198.18.0.1",
};
static const char *const side_addr6[] = {
	[RS_LINK_HOST] = "",
	[RS_LINK_SERVER] = "2001:2::2",
	[RS_LINK_CLIENT] = "2001:2::1",
};
#define LINK_PREFIX6 64

enum link_kind { LINK_DELAY, LINK_NETEM, LINK_VETH };

struct rs_link {
	struct rs_link_spec spec;
	enum link_kind kind;	 /* the path chosen */
	int host_ns;		 /* where rs_link_open was called */
	int ns[3];		 /* [RS_LINK_SERVER], [RS_LINK_CLIENT] */
	int tun[3];		 /* the TUN device of each side */
	int stop_fd;		 /* eventfd: the forwarder stops */
	bool started;		 /* the forwarder thread runs */
	bool rt;		 /* it got SCHED_FIFO */
	bool away;		 /* the opening thread left host_ns */
	int fwd_errno;		 /* why the forwarder stopped early (atomic) */
	bool v6;		 /* both sides have their IPv6 address */
	struct rs_dline q[3];	 /* [RS_LINK_SERVER]: packets to the server */
	pthread_t thread;
};

/* ---- the spec ---------------------------------------------------------- */

static int spec_err(char *err, size_t errlen, const char *key,
		    const char *val, size_t vlen, const char *what)
{
	char v[RS_ESC_VALUE];

	rs_esc_mem(v, sizeof(v), val, vlen);
	snprintf(err, errlen, "--link: %s=%s: %s", key, v, what);
	return -EINVAL;
}

/* "20ms", "500us", "1s": rs_parse_duration, but a unit is required (a bare
 * "20" would be 20 seconds there). */
static int parse_time(const char *v, uint64_t *ns)
{
	size_t n = strlen(v);

	if (n == 0 || !isalpha((unsigned char)v[n - 1]))
		return -EINVAL;
	return rs_parse_duration(v, ns);
}

/* "1%", "0.5%", "100%" -> parts per million (at most 4 decimals) */
static int parse_loss(const char *v, uint32_t *ppm)
{
	uint64_t whole = 0, frac = 0;
	unsigned nd = 0, nf = 0;
	const char *p = v;

	for (; *p >= '0' && *p <= '9'; p++, nd++)
		if ((whole = whole * 10 + (unsigned)(*p - '0')) > 100)
			return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nf++) {
			if (nf == 4)
				return -EINVAL;
			frac = frac * 10 + (unsigned)(*p - '0');
		}
		if (nf == 0)
			return -EINVAL;
	}
	if (nd == 0 || strcmp(p, "%") != 0)
		return -EINVAL;
	for (; nf < 4; nf++)
		frac *= 10;
	if (whole * 10000 + frac > 1000000)
		return -EINVAL;
	*ppm = (uint32_t)(whole * 10000 + frac);
	return 0;
}

/* "10mbit", "1gbit", "1.5mbit", "800kbit", "64000bit" -> bits per second */
static int parse_rate(const char *v, uint64_t *bps)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = { { "bit", 1 },
		      { "kbit", 1000 },
		      { "mbit", 1000000 },
		      { "gbit", 1000000000 } };
	unsigned __int128 whole = 0, frac = 0, scale = 1, t;
	const char *p = v;
	bool digits = false;

	for (; *p >= '0' && *p <= '9'; p++, digits = true)
		if ((whole = whole * 10 + (unsigned)(*p - '0')) > UINT64_MAX)
			return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits = true)
			if (scale <= UINT64_MAX / 10) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
	}
	if (!digits)
		return -EINVAL;
	for (size_t i = 0; i < RS_ARRAY_SIZE(units); i++) {
		if (strcasecmp(p, units[i].unit) != 0)
			continue;
		t = whole * units[i].mul + frac * units[i].mul / scale;
		if (t > UINT64_MAX)
			return -EINVAL;
		*bps = (uint64_t)t;
		return 0;
	}
	return -EINVAL;
}

int rs_link_parse(const char *s, struct rs_link_spec *spec, char *err,
		  size_t errlen)
{
	enum { F_RTT, F_LOSS, F_JITTER, F_RATE, F_LIMIT, F_N };
	static const char *const names[F_N] = { "rtt", "loss", "jitter",
						"rate", "limit" };
	char buf[512], v[RS_ESC_VALUE];
	bool seen[F_N] = { false };
	char *tok, *save = NULL;

	memset(spec, 0, sizeof(*spec));
	spec->limit = RS_LINK_LIMIT_DEFAULT;
	spec->spin_ns = RS_LINK_SPIN_DEFAULT;
	spec->sources = 1;
	if (!s || !*s) {
		snprintf(err, errlen,
			 "--link: empty: give at least rtt=T, e.g. --link rtt=20ms[,loss=1%%][,jitter=2ms][,rate=100mbit][,limit=N]");
		return -EINVAL;
	}
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "--link %s: too long (at most %zu bytes)",
			 rs_esc(v, sizeof(v), s), sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, s);
	if (buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,")) {
		snprintf(err, errlen,
			 "--link %s: an empty field: fields are key=value separated by single commas",
			 rs_esc(v, sizeof(v), s));
		return -EINVAL;
	}
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *val;
		int f;

		if (!eq) {
			snprintf(err, errlen,
				 "--link: '%s': a field is key=value, with key rtt, loss, jitter, rate or limit",
				 rs_esc(v, sizeof(v), tok));
			return -EINVAL;
		}
		*eq = '\0';
		val = eq + 1;
		for (f = 0; f < F_N; f++)
			if (strcmp(tok, names[f]) == 0)
				break;
		if (f == F_N) {
			snprintf(err, errlen,
				 "--link: unknown field '%s': the fields are rtt, loss, jitter, rate and limit",
				 rs_esc(v, sizeof(v), tok));
			return -EINVAL;
		}
		if (seen[f])
			return spec_err(err, errlen, tok, val, strlen(val),
					"given twice: give each field once");
		seen[f] = true;
		switch (f) {
		case F_RTT:
			if (parse_time(val, &spec->rtt_ns) ||
			    spec->rtt_ns > RS_LINK_RTT_MAX)
				return spec_err(err, errlen, tok, val, strlen(val),
						"the round trip is a time from 0 to 10s with its unit (ns, us, ms, s), e.g. rtt=20ms");
			break;
		case F_JITTER:
			if (parse_time(val, &spec->jitter_ns) ||
			    spec->jitter_ns > RS_LINK_RTT_MAX)
				return spec_err(err, errlen, tok, val, strlen(val),
						"the jitter is a time from 0 to the rtt with its unit (ns, us, ms, s), e.g. jitter=2ms");
			break;
		case F_LOSS:
			if (parse_loss(val, &spec->loss_ppm))
				return spec_err(err, errlen, tok, val, strlen(val),
						"the loss is a percentage from 0% to 100% with its % sign and at most 4 decimals, e.g. loss=1%");
			break;
		case F_RATE:
			if (parse_rate(val, &spec->rate_bps) ||
			    spec->rate_bps < RS_LINK_RATE_MIN ||
			    spec->rate_bps > RS_LINK_RATE_MAX)
				return spec_err(err, errlen, tok, val, strlen(val),
						"the rate is from 64kbit to 100gbit with its unit (bit, kbit, mbit, gbit), e.g. rate=100mbit");
			break;
		case F_LIMIT: {
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(val, &end, 10);
			if (!isdigit((unsigned char)val[0]) || *end || errno ||
			    n < 1 || n > RS_LINK_LIMIT_MAX)
				return spec_err(err, errlen, tok, val, strlen(val),
						"the queue limit is a whole number of packets from 1 to 65536, e.g. limit=1000");
			spec->limit = (uint32_t)n;
			break;
		}
		}
	}
	if (!seen[F_RTT]) {
		snprintf(err, errlen,
			 "--link %s: rtt is missing: the round trip is required, e.g. --link rtt=20ms",
			 rs_esc(v, sizeof(v), s));
		return -EINVAL;
	}
	if (spec->jitter_ns > spec->rtt_ns) {
		char a[32], b[32];

		rs_format_duration(spec->jitter_ns, a, sizeof(a));
		rs_format_duration(spec->rtt_ns, b, sizeof(b));
		snprintf(err, errlen,
			 "--link: jitter=%s: larger than rtt=%s: the jitter is at most the round trip",
			 a, b);
		return -EINVAL;
	}
	return 0;
}

static void format_rate(uint64_t bps, char *buf, size_t len)
{
	if (bps % 1000000000 == 0)
		snprintf(buf, len, "%llugbit", (unsigned long long)(bps / 1000000000));
	else if (bps % 1000000 == 0)
		snprintf(buf, len, "%llumbit", (unsigned long long)(bps / 1000000));
	else if (bps % 1000 == 0)
		snprintf(buf, len, "%llukbit", (unsigned long long)(bps / 1000));
	else
		snprintf(buf, len, "%llubit", (unsigned long long)bps);
}

static void format_loss(uint32_t ppm, char *buf, size_t len)
{
	char *p;

	snprintf(buf, len, "%u.%04u", ppm / 10000, ppm % 10000);
	/* trailing zeros and a bare point go */
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
	rs_append(buf, len, "%%");
}

void rs_link_spec_format(const struct rs_link_spec *spec, char *buf,
			 size_t len)
{
	char t[32];

	rs_format_duration(spec->rtt_ns, t, sizeof(t));
	snprintf(buf, len, "rtt=%s", spec->rtt_ns ? t : "0ms");
	if (spec->loss_ppm) {
		format_loss(spec->loss_ppm, t, sizeof(t));
		rs_append(buf, len, ",loss=%s", t);
	}
	if (spec->jitter_ns) {
		rs_format_duration(spec->jitter_ns, t, sizeof(t));
		rs_append(buf, len, ",jitter=%s", t);
	}
	if (spec->rate_bps) {
		format_rate(spec->rate_bps, t, sizeof(t));
		rs_append(buf, len, ",rate=%s", t);
	}
	if (spec->limit != RS_LINK_LIMIT_DEFAULT)
		rs_append(buf, len, ",limit=%u", spec->limit);
}

/* ---- namespaces and devices -------------------------------------------- */

static int fail(char *err, size_t errlen, int e, const char *what,
		const char *todo)
{
	snprintf(err, errlen, "--link: %s failed: %s (%s): %s", what,
		 strerror(e), rs_errname(e), todo);
	return -e;
}

static int set_up(int sock, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
		return -errno;
	return 0;
}

static int set_addr(int sock, const char *ifname, unsigned long req,
		    const char *addr)
{
	struct ifreq ifr;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	return ioctl(sock, req, &ifr) == 0 ? 0 : -errno;
}

static const char *side_name(enum rs_link_side side)
{
	return side == RS_LINK_SERVER ? "server" : side == RS_LINK_CLIENT ? "client" : "host";
}

static void go_home(const struct rs_link *l)
{
	if (l->away && setns(l->host_ns, CLONE_NEWNET) != 0) {
		int e = errno;

		rs_fatal("--link: setns back to the original network namespace failed: %s (%s): cannot continue in the wrong namespace",
			 strerror(e), rs_errname(e));
	}
}

/* In the calling thread: a new namespace for side with loopback up. The
 * thread stays in it (the caller goes back). */
static int make_ns(struct rs_link *l, enum rs_link_side side, char *err,
		   size_t errlen)
{
	char what[64];
	int sock, r;

	if (unshare(CLONE_NEWNET) != 0)
		return fail(err, errlen, errno, "unshare(CLONE_NEWNET)",
			    errno == EPERM ? "new network namespaces need CAP_SYS_ADMIN: run as root, or drop --link"
					   : "the kernel may lack CONFIG_NET_NS: drop --link");
	l->away = true;
	l->ns[side] = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (l->ns[side] < 0)
		return fail(err, errlen, errno, "open /proc/thread-self/ns/net",
			    "mount /proc (Linux 3.17 or later)");
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail(err, errlen, errno, "socket() in the new namespace",
			    "check the file descriptor limit (ulimit -n)");
	r = set_up(sock, "lo");
	close(sock);
	snprintf(what, sizeof(what), "bringing up lo on the %s side", side_name(side));
	return r ? fail(err, errlen, -r, what, "needs CAP_NET_ADMIN (run as root)") : 0;
}

/* The kernel's struct in6_ifreq (linux/ipv6.h, which clashes with
 * netinet/in.h): SIOCSIFADDR on an AF_INET6 socket adds an address. */
struct link_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

/* Wait until an IPv6 address just added can be bound: it is tentative
 * until the kernel's address work runs, even without DAD. In the
 * address's namespace. Returns 0 or -ETIMEDOUT / -errno with err set. */
static int wait_bindable6(const struct in6_addr *a, char *err, size_t errlen)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *a };
	uint64_t deadline = rs_now_ns() + LINK_UP_WAIT_NS;
	char txt[INET6_ADDRSTRLEN];
	int fd, r;

	for (;;) {
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fail(err, errlen, errno, "socket(AF_INET6)", "check ulimit -n");
		r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
		close(fd);
		if (r != EADDRNOTAVAIL)
			break;
		if (rs_now_ns() > deadline) {
			inet_ntop(AF_INET6, a, txt, sizeof(txt));
			snprintf(err, errlen,
				 "--link: %s is still tentative after %llu s: the kernel did not finish adding it; try again, or report this",
				 txt, LINK_UP_WAIT_NS / 1000000000ull);
			return -ETIMEDOUT;
		}
		usleep(1000);
	}
	if (r) {
		inet_ntop(AF_INET6, a, txt, sizeof(txt));
		snprintf(err, errlen, "--link: binding %s failed: %s (%s): report this",
			 txt, strerror(r), rs_errname(r));
		return -r;
	}
	return 0;
}

/* The side's IPv6 address on the link device, without duplicate address
 * detection (the namespace is new and the address only ours; with it the
 * address stays tentative, unusable, for a second or more on veth). In
 * the side's namespace. Returns 0, 1 when the kernel has no IPv6 (the link
 * is then IPv4 only), or -errno with err set. */
static int address_side6(enum rs_link_side side, char *err, size_t errlen)
{
	struct link_in6_ifreq r6 = { .prefixlen = LINK_PREFIX6 };
	char what[96];
	int sock, fd, e;

	sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return errno == EAFNOSUPPORT ? 1 :
		       fail(err, errlen, errno, "socket(AF_INET6) in the link's namespace",
			    "check the file descriptor limit (ulimit -n)");
	/* /proc/sys/net is the opening thread's namespace's */
	fd = open("/proc/sys/net/ipv6/conf/" LINK_IFNAME "/accept_dad", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0\n", 2) != 2)
			rs_warn("--link: turning off DAD on %s: %s", LINK_IFNAME, strerror(errno));
		close(fd);
	}
	r6.ifindex = (int)if_nametoindex(LINK_IFNAME);
	inet_pton(AF_INET6, side_addr6[side], &r6.addr);
	if (!r6.ifindex || ioctl(sock, SIOCSIFADDR, &r6) != 0) {
		e = errno;
		close(sock);
		snprintf(what, sizeof(what), "setting %s/%d on the %s side's " LINK_IFNAME,
			 side_addr6[side], LINK_PREFIX6, side_name(side));
		/* IPv6 turned off on the device or the host: IPv4 only */
		if (e == EACCES || e == EPERM)
			return fail(err, errlen, e, what, "needs CAP_NET_ADMIN (run as root)");
		return 1;
	}
	close(sock);
	return wait_bindable6(&r6.addr, err, errlen);
}

/* The side's address on the link device, then the device up (the prefix
 * route comes with it). In the side's namespace. */
static int address_side(enum rs_link_side side, bool *v6, char *err,
			size_t errlen)
{
	char what[96];
	int sock, r;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail(err, errlen, errno, "socket() in the link's namespace",
			    "check the file descriptor limit (ulimit -n)");
	snprintf(what, sizeof(what), "setting %s/24 on the %s side's " LINK_IFNAME,
		 side_addr[side], side_name(side));
	r = set_addr(sock, LINK_IFNAME, SIOCSIFADDR, side_addr[side]);
	if (!r)
		r = set_addr(sock, LINK_IFNAME, SIOCSIFNETMASK, LINK_MASK);
	if (!r) {
		snprintf(what, sizeof(what), "bringing up the %s side's " LINK_IFNAME,
			 side_name(side));
		r = set_up(sock, LINK_IFNAME);
	}
	close(sock);
	if (r)
		return fail(err, errlen, -r, what, "needs CAP_NET_ADMIN (run as root)");
	r = address_side6(side, err, errlen);
	if (r == 1)
		*v6 = false;
	return r < 0 ? r : 0;
}

/* Client sources 1..sources-1 as more addresses on the client side's
 * device (IPv4 aliases rslink:i, IPv6 addresses), in its namespace. */
static int add_sources(struct rs_link *l, char *err, size_t errlen)
{
	int sock, r = 0;

	if (l->spec.sources <= 1)
		return 0;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail(err, errlen, errno, "socket() in the link's namespace",
			    "check the file descriptor limit (ulimit -n)");
	for (unsigned i = 1; i < l->spec.sources && !r; i++) {
		char name[32], a[INET6_ADDRSTRLEN]; /* "rslink:63" fits IFNAMSIZ */
		struct sockaddr_storage ss;

		snprintf(name, sizeof(name), LINK_IFNAME ":%u", i);
		rs_link_source(l, i, AF_INET, 0, &ss);
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
		r = set_addr(sock, name, SIOCSIFADDR, a);
		if (!r)
			r = set_addr(sock, name, SIOCSIFNETMASK, LINK_MASK);
		if (r) {
			char what[160];

			snprintf(what, sizeof(what), "adding client source %s (%s)", a, name);
			r = fail(err, errlen, -r, what, "needs CAP_NET_ADMIN (run as root)");
		}
	}
	close(sock);
	if (r || !l->v6)
		return r;
	sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail(err, errlen, errno, "socket(AF_INET6) in the link's namespace",
			    "check the file descriptor limit (ulimit -n)");
	for (unsigned i = 1; i < l->spec.sources; i++) {
		struct link_in6_ifreq r6 = { .prefixlen = LINK_PREFIX6 };
		struct sockaddr_storage ss;

		rs_link_source(l, i, AF_INET6, 0, &ss);
		r6.addr = ((struct sockaddr_in6 *)&ss)->sin6_addr;
		r6.ifindex = (int)if_nametoindex(LINK_IFNAME);
		if (ioctl(sock, SIOCSIFADDR, &r6) != 0) {
			r = fail(err, errlen, errno, "adding an IPv6 client source",
				 "needs CAP_NET_ADMIN (run as root)");
			break;
		}
		if ((r = wait_bindable6(&r6.addr, err, errlen)))
			break;
	}
	close(sock);
	return r;
}

/* Wait until side's device is running (its carrier seen by the kernel's
 * link watch, which may take up to a second): until then its qdisc drops
 * everything, and a SYN sent then is retried a second later, leaving the
 * connection's smoothed RTT near 1 s. */
static int wait_running(const struct rs_link *l, enum rs_link_side side,
			char *err, size_t errlen)
{
	uint64_t deadline = rs_now_ns() + LINK_UP_WAIT_NS;
	struct ifreq ifr;
	int sock, r;

	if ((r = rs_link_enter(l, side, err, errlen)))
		return r;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail(err, errlen, errno, "socket() in the link's namespace",
			    "check the file descriptor limit (ulimit -n)");
	for (;;) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), LINK_IFNAME);
		if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) {
			r = errno;
			close(sock);
			return fail(err, errlen, r, "reading the link device's flags",
				    "report this");
		}
		if (ifr.ifr_flags & IFF_RUNNING)
			break;
		if (rs_now_ns() > deadline) {
			close(sock);
			snprintf(err, errlen,
				 "--link: the %s side's " LINK_IFNAME " is not running after %llu s: the kernel did not see its carrier; try again, or report this",
				 side_name(side), LINK_UP_WAIT_NS / 1000000000ull);
			return -ETIMEDOUT;
		}
		usleep(1000);
	}
	close(sock);
	return 0;
}


/* The delay line's end on side: a TUN device, addressed and up. */
static int make_tun(struct rs_link *l, enum rs_link_side side, char *err,
		    size_t errlen)
{
	struct ifreq ifr;
	int e;

	if ((e = rs_link_enter(l, side, err, errlen)))
		return e;
	l->tun[side] = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (l->tun[side] < 0) {
		e = errno;
		return fail(err, errlen, e, "open /dev/net/tun (the delay line)",
			    e == ENOENT ? "load the tun module (modprobe tun) or make the node (mknod /dev/net/tun c 10 200)"
					: "the delay line needs the tun driver and root");
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), LINK_IFNAME);
	if (ioctl(l->tun[side], TUNSETIFF, &ifr) != 0)
		return fail(err, errlen, errno, "TUNSETIFF " LINK_IFNAME,
			    "the delay line needs CAP_NET_ADMIN and the tun driver");
	if ((e = address_side(side, &l->v6, err, errlen)))
		return e;
	return side == RS_LINK_CLIENT ? add_sources(l, err, errlen) : 0;
}

static bool needs_shaping(const struct rs_link_spec *sp)
{
	return sp->rtt_ns || sp->jitter_ns || sp->loss_ppm || sp->rate_bps;
}

/* Best effort, veth paths only: connect across the path, with a fresh
 * socket every 50 ms + 2 rtt, until one connects or 3 s + 2 rtt pass (a
 * lossy link may never let one through: that is the link asked for).
 * Measured here: for about 200 ms after both ends of a new veth pair
 * run, a SYN-ACK can vanish; the connection then waits for the 1 s
 * retransmission and starts with a smoothed RTT near 1 s. Leaves the
 * thread on the client side. */
static void wait_path(struct rs_link *l)
{
	uint64_t rtt2 = 2 * l->spec.rtt_ns,
		 deadline = rs_now_ns() + 3000000000ull + rtt2;
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	char err[256];
	int lfd;

	if (rs_link_enter(l, RS_LINK_SERVER, err, sizeof(err)))
		return;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sl = rs_link_sockaddr(l, RS_LINK_SERVER, AF_INET, 0, &sa);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sl) ||
	    listen(lfd, 64) || getsockname(lfd, (struct sockaddr *)&sa, &sl) ||
	    rs_link_enter(l, RS_LINK_CLIENT, err, sizeof(err))) {
		if (lfd >= 0)
			close(lfd);
		return;
	}
	while (rs_now_ns() < deadline) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int e = 1;
		socklen_t el = sizeof(e);

		if (fd < 0)
			break;
		if ((connect(fd, (struct sockaddr *)&sa, sl) == 0 ||
		     errno == EINPROGRESS) &&
		    poll(&p, 1, (int)(50 + rtt2 / 1000000)) == 1)
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
		close(fd);
		if (e == 0)
			break;
	}
	close(lfd);
}

/* The kernel's path: a veth pair, netem on both ends when there is
 * anything to shape. */
static int make_veth(struct rs_link *l, char *err, size_t errlen)
{
	struct rs_netem_opts o = {
		.delay_ns = l->spec.rtt_ns / 2,
		.jitter_ns = l->spec.jitter_ns / 2,
		.loss_ppm = l->spec.loss_ppm,
		.rate_bps = l->spec.rate_bps,
		.limit = l->spec.limit ? l->spec.limit : RS_LINK_LIMIT_DEFAULT,
	};
	int r;

	if ((r = rs_link_enter(l, RS_LINK_SERVER, err, errlen)) ||
	    (r = rs_netem_veth(LINK_IFNAME, l->ns[RS_LINK_CLIENT], err, errlen)))
		return r;
	for (int s = RS_LINK_SERVER; s <= RS_LINK_CLIENT; s++) {
		if ((r = rs_link_enter(l, (enum rs_link_side)s, err, errlen)))
			return r;
		if (l->kind == LINK_NETEM &&
		    (r = rs_netem_add(LINK_IFNAME, &o, err, errlen)))
			return r;
		if ((r = address_side((enum rs_link_side)s, &l->v6, err, errlen)))
			return r;
		if (s == RS_LINK_CLIENT && (r = add_sources(l, err, errlen)))
			return r;
	}
	if ((r = wait_running(l, RS_LINK_SERVER, err, errlen)) ||
	    (r = wait_running(l, RS_LINK_CLIENT, err, errlen)))
		return r;
	wait_path(l);
	return 0;
}

/* Choose and build the path between the two namespaces: netem where the
 * kernel has it (or when asked), the delay line otherwise. */
static int make_path(struct rs_link *l, char *err, size_t errlen)
{
	char nerr[256] = "";
	int r, pr = -ENOENT;

	if (l->spec.kind != RS_LINK_KIND_DELAY) {
		if ((r = rs_link_enter(l, RS_LINK_SERVER, err, errlen)))
			return r;
		pr = rs_netem_probe(nerr, sizeof(nerr));
		if (!pr) {
			l->kind = LINK_NETEM;
			return make_veth(l, err, errlen);
		}
		if (l->spec.kind == RS_LINK_KIND_NETEM) {
			if (needs_shaping(&l->spec)) {
				snprintf(err, errlen, "%s", nerr);
				return pr;
			}
			/* nothing to shape: the pair alone is the link */
			l->kind = LINK_VETH;
			return make_veth(l, err, errlen);
		}
	}
	l->kind = LINK_DELAY;
	r = make_tun(l, RS_LINK_SERVER, err, errlen);
	if (!r)
		r = make_tun(l, RS_LINK_CLIENT, err, errlen);
	if (!r)
		r = wait_running(l, RS_LINK_SERVER, err, errlen);
	if (!r)
		r = wait_running(l, RS_LINK_CLIENT, err, errlen);
	if (r && l->spec.kind == RS_LINK_KIND_AUTO && pr == -ENOENT) {
		char derr[256];

		/* neither works: one line says what is missing */
		snprintf(derr, sizeof(derr), "%s", err + (strncmp(err, "--link: ", 8) ? 0 : 8));
		snprintf(err, errlen,
			 "--link: no way to shape the path here: the kernel has no sch_netem, and the delay line: %s",
			 derr);
	}
	return r;
}

/* ---- the forwarder ----------------------------------------------------- */

/* Read up to READ_BATCH packets from src into q (stamped now). */
static void pull(struct rs_link *l, int src, struct rs_dline *q)
{
	static __thread uint8_t scratch[RS_DLINE_SLOT];

	(void)l;
	for (int i = 0; i < READ_BATCH; i++) {
		uint8_t *b = rs_dline_tail(q);
		ssize_t n = read(src, b ? b : scratch, RS_DLINE_SLOT);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				rs_dline_drop_err(q);
			return;
		}
		if (n == 0)
			return;
		if (!b)
			rs_dline_drop_full(q);
		else
			rs_dline_push(q, (uint32_t)n, rs_now_ns());
	}
}

/* Write every due packet of q into dst. */
static void push_due(int dst, struct rs_dline *q, uint64_t now)
{
	const uint8_t *p;
	uint32_t len;

	/* lateness is taken as each write starts: a write runs the far
	 * side's receive path in this thread, which a real wire would not */
	while ((p = rs_dline_peek(q, now, &len))) {
		rs_dline_pop(q, now);
		if (write(dst, p, len) != (ssize_t)len)
			rs_dline_drop_err(q);
		now = rs_now_ns();
	}
}

static void *forwarder(void *arg)
{
	struct rs_link *l = arg;
	struct rs_dline *to_srv = &l->q[RS_LINK_SERVER],
			*to_cli = &l->q[RS_LINK_CLIENT];
	struct pollfd pfd[3] = {
		{ .fd = l->tun[RS_LINK_CLIENT], .events = POLLIN },
		{ .fd = l->tun[RS_LINK_SERVER], .events = POLLIN },
		{ .fd = l->stop_fd, .events = POLLIN },
	};

	/* the default 50 us timer slack would be added to every hold */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	for (;;) {
		uint64_t now = rs_now_ns(), next;
		struct timespec ts, *tsp = NULL;

		push_due(l->tun[RS_LINK_SERVER], to_srv, now);
		push_due(l->tun[RS_LINK_CLIENT], to_cli, now);
		next = rs_dline_next_due(to_srv);
		if (rs_dline_next_due(to_cli) < next)
			next = rs_dline_next_due(to_cli);
		if (next != UINT64_MAX) {
			/* near the due time: only look at the fds, and come
			 * back (a timer would wake us late) */
			uint64_t d = next > now + l->spec.spin_ns ?
					     next - now - l->spec.spin_ns : 0;

			ts.tv_sec = (time_t)(d / 1000000000u);
			ts.tv_nsec = (long)(d % 1000000000u);
			tsp = &ts;
		}
		if (ppoll(pfd, 3, tsp, NULL) < 0 && errno != EINTR) {
			__atomic_store_n(&l->fwd_errno, errno, __ATOMIC_RELAXED);
			break;
		}
		if (pfd[2].revents)
			break;
		/* a TUN device gone or broken: stop rather than spin */
		if ((pfd[0].revents | pfd[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) {
			__atomic_store_n(&l->fwd_errno, EIO, __ATOMIC_RELAXED);
			break;
		}
		if (pfd[0].revents & POLLIN)
			pull(l, pfd[0].fd, to_srv);
		if (pfd[1].revents & POLLIN)
			pull(l, pfd[1].fd, to_cli);
	}
	return NULL;
}

/* ---- open, enter, close ------------------------------------------------ */

int rs_link_open(const struct rs_link_spec *spec, struct rs_link **out,
		 char *err, size_t errlen)
{
	struct rs_dline_cfg qc = {
		.delay_ns = spec->rtt_ns / 2,
		.jitter_ns = spec->jitter_ns / 2,
		.rate_bps = spec->rate_bps,
		.loss_ppm = spec->loss_ppm,
		.limit = spec->limit ? spec->limit : RS_LINK_LIMIT_DEFAULT,
	};
	struct rs_link *l;
	int r = 0, e;

	*out = NULL;
	if (spec->sources > RS_LINK_SOURCES_MAX) {
		snprintf(err, errlen, "--link: %u client sources: at most %u",
			 spec->sources, RS_LINK_SOURCES_MAX);
		return -EINVAL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return fail(err, errlen, ENOMEM, "allocating the link", "free some memory");
	l->spec = *spec;
	l->host_ns = l->stop_fd = -1;
	l->v6 = true;
	for (int s = 0; s < 3; s++)
		l->ns[s] = l->tun[s] = -1;
	for (int s = RS_LINK_SERVER; s <= RS_LINK_CLIENT; s++) {
		/* different draws each way, both from the seed */
		qc.seed = spec->seed * 2 + (uint64_t)s;
		if ((e = rs_dline_init(&l->q[s], &qc))) {
			r = fail(err, errlen, -e, "allocating the delay line's queue",
				 "lower limit= or free some memory");
			goto err;
		}
	}
	l->host_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (l->host_ns < 0) {
		r = fail(err, errlen, errno, "open /proc/thread-self/ns/net",
			 "mount /proc (Linux 3.17 or later)");
		goto err;
	}
	r = make_ns(l, RS_LINK_SERVER, err, errlen);
	if (!r)
		r = make_ns(l, RS_LINK_CLIENT, err, errlen);
	if (!r)
		r = make_path(l, err, errlen);
	/* back home whatever happened */
	go_home(l);
	if (r)
		goto err;
	if (l->kind != LINK_DELAY) {
		*out = l;
		return 0;
	}
	l->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->stop_fd < 0) {
		r = fail(err, errlen, errno, "eventfd", "check ulimit -n");
		goto err;
	}
	if ((e = pthread_create(&l->thread, NULL, forwarder, l))) {
		r = fail(err, errlen, e, "starting the delay line's thread",
			 "check the thread limit (ulimit -u) and memory");
		goto err;
	}
	l->started = true;
	/* a real-time forwarder keeps its holds under load; where it is not
	 * allowed the delay line still works, less precisely */
	{
		struct sched_param sp = { .sched_priority = 1 };

		l->rt = pthread_setschedparam(l->thread, SCHED_FIFO, &sp) == 0;
	}
	*out = l;
	return 0;
err:
	rs_link_close(l);
	return r;
}

int rs_link_enter(const struct rs_link *l, enum rs_link_side side,
		  char *err, size_t errlen)
{
	int fd = side == RS_LINK_HOST ? l->host_ns : l->ns[side];

	if (setns(fd, CLONE_NEWNET) != 0) {
		char what[64];

		snprintf(what, sizeof(what), "setns to the link's %s side",
			 side == RS_LINK_HOST ? "host" :
			 side == RS_LINK_SERVER ? "server" : "client");
		return fail(err, errlen, errno, what, "needs CAP_SYS_ADMIN (run as root)");
	}
	return 0;
}

int rs_link_thread_create(const struct rs_link *l, enum rs_link_side side,
			  pthread_t *tid, void *(*fn)(void *), void *arg,
			  char *err, size_t errlen)
{
	int r, e;

	/* where the caller is now, to come back to (not always host_ns) */
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (home < 0)
		return fail(err, errlen, errno, "open /proc/thread-self/ns/net",
			    "mount /proc (Linux 3.17 or later)");
	r = rs_link_enter(l, side, err, errlen);
	if (!r && (e = pthread_create(tid, NULL, fn, arg)))
		r = fail(err, errlen, e, "starting a thread on the link",
			 "check the thread limit (ulimit -u) and memory");
	if (setns(home, CLONE_NEWNET) != 0) {
		e = errno;
		rs_fatal("--link: setns back after starting a thread failed: %s (%s): cannot continue in the wrong namespace",
			 strerror(e), rs_errname(e));
	}
	close(home);
	return r;
}

const char *rs_link_addr(const struct rs_link *l, enum rs_link_side side,
			 int family)
{
	(void)l;
	return family == AF_INET6 ? side_addr6[side] : side_addr[side];
}

socklen_t rs_link_sockaddr(const struct rs_link *l, enum rs_link_side side,
			   int family, uint16_t port,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (side != RS_LINK_HOST)
			inet_pton(AF_INET6, side_addr6[side], &a->sin6_addr);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	if (side != RS_LINK_HOST)
		inet_pton(AF_INET, rs_link_addr(l, side, AF_INET), &a->sin_addr);
	return sizeof(*a);
}

socklen_t rs_link_source(const struct rs_link *l, unsigned i, int family,
			 uint16_t port, struct sockaddr_storage *ss)
{
	socklen_t len = rs_link_sockaddr(l, RS_LINK_CLIENT, family, port, ss);

	i %= l->spec.sources ? l->spec.sources : 1;
	if (!i)
		return len;
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		/* 2001:2::1:i */
		a->sin6_addr.s6_addr[13] = 1;
		a->sin6_addr.s6_addr[14] = (uint8_t)(i >> 8);
		a->sin6_addr.s6_addr[15] = (uint8_t)i;
	} else {
		((struct sockaddr_in *)ss)->sin_addr.s_addr =
			htonl(0xc6120000u | (9 + i)); /* 198.18.0.(9+i) */
	}
	return len;
}

const struct rs_link_spec *rs_link_spec_of(const struct rs_link *l)
{
	return &l->spec;
}

bool rs_link_has_ipv6(const struct rs_link *l)
{
	return l->v6;
}

const char *rs_link_kind(const struct rs_link *l)
{
	return l->kind == LINK_NETEM ? "netem" :
	       l->kind == LINK_VETH ? "veth" : "delay line";
}

void rs_link_describe(const struct rs_link *l, char *buf, size_t len)
{
	char s[160];

	static const char *const how[] = {
		[LINK_DELAY] = "tun, user space",
		[LINK_NETEM] = "veth, sch_netem on both ends",
		[LINK_VETH] = "veth, nothing to shape",
	};

	rs_link_spec_format(&l->spec, s, sizeof(s));
	snprintf(buf, len,
		 "link: %s (%s%s), %s, client %s <-> server %s (%s)%s",
		 rs_link_kind(l), how[l->kind], l->rt ? ", SCHED_FIFO" : "", s,
		 side_addr[RS_LINK_CLIENT], side_addr[RS_LINK_SERVER], LINK_NET,
		 l->v6 ? ", 2001:2::1 <-> 2001:2::2" : ", no IPv6");
}

void rs_link_stats(const struct rs_link *l, struct rs_link_stats *st)
{
	rs_dline_stats(&l->q[RS_LINK_SERVER], &st->to_server);
	rs_dline_stats(&l->q[RS_LINK_CLIENT], &st->to_client);
	st->forwarder_errno = __atomic_load_n(&l->fwd_errno, __ATOMIC_RELAXED);
}

void rs_link_close(struct rs_link *l)
{
	if (!l)
		return;
	if (l->started) {
		uint64_t one = 1;

		if (write(l->stop_fd, &one, sizeof(one)) != sizeof(one))
			rs_warn("--link: stopping the delay line: %s", strerror(errno));
		pthread_join(l->thread, NULL);
	}
	if (l->stop_fd >= 0)
		close(l->stop_fd);
	/* closing a TUN fd deletes its device; the namespace goes with its
	 * last reference */
	for (int s = 0; s < 3; s++) {
		if (l->tun[s] >= 0)
			close(l->tun[s]);
		if (l->ns[s] >= 0)
			close(l->ns[s]);
		rs_dline_free(&l->q[s]);
	}
	if (l->host_ns >= 0)
		close(l->host_ns);
	free(l);
}
