/* Emulated links (--link): two fresh network namespaces, a server side and
 * a client side, joined by a shaped path. On this kind of kernel (no
 * sch_netem) the path is rststorm's own delay line: a TUN device on each
 * side and a forwarding thread that holds, drops and paces the packets
 * between them (docs/network.md). */
#ifndef RS_LINK_H
#define RS_LINK_H

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dline.h"

/* What --link asks for. Every field but rtt_ns is optional in the text. */
struct rs_link_spec {
	uint64_t rtt_ns;    /* round trip: each direction holds rtt/2 */
	uint64_t jitter_ns; /* the round trip varies within +- jitter (each
			     * direction +- jitter/2, order kept) */
	uint32_t loss_ppm;  /* per packet and direction, parts per million */
	uint64_t rate_bps;  /* per direction; 0: no limit */
	uint32_t limit;     /* packets queued per direction (default 4096) */
	uint64_t seed;      /* loss and jitter draws (not in the text) */
	uint64_t spin_ns;   /* the forwarder wakes this early and spins to
			     * the due time (not in the text; rs_link_parse
			     * sets RS_LINK_SPIN_DEFAULT) */
	uint32_t sources;   /* client addresses per family (not in the text;
			     * rs_link_parse sets 1; up to RS_LINK_SOURCES_MAX) */
	enum rs_link_kind_req {
		RS_LINK_KIND_AUTO,  /* netem where the kernel has it, else the
				     * delay line (rs_link_parse sets this) */
		RS_LINK_KIND_DELAY, /* the delay line only */
		RS_LINK_KIND_NETEM, /* veth + netem only (nothing to shape:
				     * the veth pair alone) */
	} kind;
};

#define RS_LINK_RTT_MAX (10ull * 1000000000ull)
#define RS_LINK_RATE_MIN 64000ull
#define RS_LINK_RATE_MAX 100000000000ull
#define RS_LINK_LIMIT_DEFAULT 4096u
#define RS_LINK_LIMIT_MAX 65536u
/* A timer wakes this VM's threads 50-600 us late (docs/network.md): the
 * forwarder sleeps until this long before a due time and spins the rest. */
#define RS_LINK_SPIN_DEFAULT 100000ull
#define RS_LINK_SPIN_MAX 10000000ull
/* client source addresses at most, as rststorm's --sources */
#define RS_LINK_SOURCES_MAX 64u

enum rs_link_side {
	RS_LINK_HOST,	/* the namespace rs_link_open was called in */
	RS_LINK_SERVER, /* server side, 198.18.0.2 and 2001:2::2 */
	RS_LINK_CLIENT, /* client side, 198.18.0.1 and 2001:2::1 */
};

/* Parse "rtt=T[,loss=P%][,jitter=T][,rate=R][,limit=N]" (T: a number
 * with ns, us, ms or s; P: 0..100 with its % sign; R: a number with bit,
 * kbit, mbit or gbit) into *spec (seed 0). Returns 0, or -EINVAL with one
 * line in err naming the field, the value and what is allowed (the
 * caller exits 2). Thread-safe. */
int rs_link_parse(const char *s, struct rs_link_spec *spec, char *err,
		  size_t errlen);

/* The spec as text that rs_link_parse reads back ("rtt=20ms,loss=1%"). */
void rs_link_spec_format(const struct rs_link_spec *spec, char *buf,
			 size_t len);

struct rs_link;

/* Make the two namespaces (loopback up in each), the shaped path between
 * them and start its forwarding thread. The calling thread stays in (or
 * returns to) its own namespace. Returns 0 with *out set, or -errno with
 * one line in err saying what failed, the errno text and what to do
 * (e.g. -EPERM: needs root; -ENOENT: no /dev/net/tun). On error nothing
 * is left behind. Not thread-safe against another rs_link_open in the
 * same thread. */
int rs_link_open(const struct rs_link_spec *spec, struct rs_link **out,
		 char *err, size_t errlen);

/* Move the calling thread (only it: setns) to a side, or back to the
 * host namespace. Sockets made afterwards belong to that side; sockets
 * keep their namespace wherever they are used. Returns 0 or -errno (err
 * says what). Thread-safe. */
int rs_link_enter(const struct rs_link *l, enum rs_link_side side,
		  char *err, size_t errlen);

/* pthread_create with the new thread starting on a side (a thread is
 * born in its creator's namespace: the caller enters the side, creates,
 * and comes back). Returns 0 or -errno with err set; on error the caller
 * is back in its namespace too. Thread-safe. */
int rs_link_thread_create(const struct rs_link *l, enum rs_link_side side,
			  pthread_t *tid, void *(*fn)(void *), void *arg,
			  char *err, size_t errlen);

/* A side's address for family AF_INET ("198.18.0.2") or AF_INET6
 * ("2001:2::2", from the benchmarking range 2001:2::/48); "" for
 * RS_LINK_HOST. And the same as a sockaddr with the given port, returning
 * its length. */
const char *rs_link_addr(const struct rs_link *l, enum rs_link_side side,
			 int family);
socklen_t rs_link_sockaddr(const struct rs_link *l, enum rs_link_side side,
			   int family, uint16_t port,
			   struct sockaddr_storage *ss);

/* Client source address i (0..sources-1; taken modulo sources) with the
 * given port: source 0 is the client side's address, source i > 0 is
 * 198.18.0.(9+i) or 2001:2::1:i. Returns the sockaddr's length. With
 * more than one source, bind every client socket to one (port 0,
 * IP_BIND_ADDRESS_NO_PORT): unbound, an IPv6 socket picks any of them. */
socklen_t rs_link_source(const struct rs_link *l, unsigned i, int family,
			 uint16_t port, struct sockaddr_storage *ss);

/* The spec the link was opened with. */
const struct rs_link_spec *rs_link_spec_of(const struct rs_link *l);

/* Whether both sides have their IPv6 address (false where the kernel or
 * the device has IPv6 off: the link is then IPv4 only). */
bool rs_link_has_ipv6(const struct rs_link *l);

/* One line for the run's header: the kind of path and the spec, e.g.
 * "link: delay line (tun, user space), rtt=20ms loss=0% jitter=0 rate=off
 *  limit=4096, client 198.18.0.1 <-> server 198.18.0.2". */
void rs_link_describe(const struct rs_link *l, char *buf, size_t len);

/* The kind of path in use: "delay line" (this module's forwarder),
 * "netem" (veth pair, sch_netem on both ends) or "veth" (the pair alone:
 * forced netem with nothing to shape). */
const char *rs_link_kind(const struct rs_link *l);

/* The delay line's counters per direction: to_server is client ->
 * server (all zero on the netem and veth paths: the kernel's qdisc keeps
 * its own). Thread-safe. */
struct rs_link_stats {
	struct rs_dline_stats to_server, to_client;
	int forwarder_errno; /* 0, or why the delay line stopped forwarding
			      * before rs_link_close (the link is then cut:
			      * report it with the run's results) */
};
void rs_link_stats(const struct rs_link *l, struct rs_link_stats *st);

/* Stop the forwarder and remove the devices and namespaces. Threads that
 * entered a side must have left it (or exited) and sockets made there
 * must be closed first, or the kernel keeps that namespace alive until
 * they go. Accepts NULL. Not thread-safe against other calls on l. */
void rs_link_close(struct rs_link *l);

/* The round trip measured across the link with TCP_INFO (rs_link_measure). */
struct rs_link_rtt {
	unsigned conns_asked, conns_ok; /* connections opened, established */
	uint64_t pings;			/* echoed round trips completed */
	/* tcpi_min_rtt and tcpi_rtt (smoothed) over the established
	 * connections, in microseconds: min, median, max */
	uint32_t min_rtt_us[3], srtt_us[3];
	/* the application's round trips (send to echo read), microseconds:
	 * min, median, 99th percentile */
	uint32_t app_rtt_us[3];
	uint64_t retrans; /* tcpi_total_retrans summed */
	unsigned sources_seen; /* distinct client addresses the server saw */
};

/* Open conns TCP connections (family AF_INET or AF_INET6; connection i
 * from source i % sources) from the client side to a listener on the
 * server side at once, echo pings round trips of bytes bytes on each
 * (all connections concurrently), then read TCP_INFO of each client
 * socket. Connections not established by timeout_ns are counted as not
 * ok (loss=100% gives conns_ok 0). Runs in the calling thread; the
 * sockets are closed on return. Returns 0, or -errno with err set (a
 * setup failure, not a lossy link). */
int rs_link_measure(struct rs_link *l, int family, unsigned conns,
		    unsigned pings, size_t bytes, uint64_t timeout_ns,
		    struct rs_link_rtt *out, char *err, size_t errlen);

#endif
