/* rs_link_measure: the round trip across an emulated link, as TCP sees it
 * (TCP_INFO) and as an application sees it (echo round trips). Sockets
 * keep the namespace they were made in, so the clients run in the calling
 * thread and the echo server on a thread of its own, both at home. */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define MEASURE_BYTES_MAX 16384u
#define MEASURE_CONNS_MAX 10000u

enum { K_LISTEN, K_CLIENT, K_SERVER, K_STOP };

struct mconn {
	int fd;
	bool up;	     /* client: connected */
	bool done;	     /* client: all pings echoed */
	unsigned pings;	     /* client: round trips completed */
	size_t sent, got;    /* client: bytes of the current ping */
	uint64_t t0;	     /* client: when the ping's first byte went */
	size_t pend, off;    /* server: echo bytes waiting to go */
	uint8_t *buf;	     /* server: the echo buffer */
};

/* The clients run in the calling thread on ep; the server (accept and
 * echo) on its own thread on sep, so that its turnaround is not queued
 * behind the clients' work. */
struct measure {
	int ep, sep, stop_fd, lfd;
	unsigned n;
	size_t bytes;
	unsigned pings;
	struct mconn *cli, *srv;
	unsigned nsrv, done;
	uint32_t *samples;
	uint64_t nsamples;
	uint8_t *payload, *sink;
	struct sockaddr_storage peers[RS_LINK_SOURCES_MAX]; /* server side */
	unsigned npeers;
};

/* Note the client address of an accepted connection (server thread). */
static void note_peer(struct measure *m, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &sl))
		return;
	/* the address only */
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	else
		((struct sockaddr_in *)&ss)->sin_port = 0;
	for (unsigned i = 0; i < m->npeers; i++)
		if (!memcmp(&m->peers[i], &ss, sizeof(ss)))
			return;
	if (m->npeers < RS_LINK_SOURCES_MAX)
		m->peers[m->npeers++] = ss;
}

static uint64_t ud(unsigned kind, unsigned i)
{
	return (uint64_t)kind << 32 | i;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* min, median, max (or p99 instead of max when p99 is set) of v[0..n) */
static void summarise(uint32_t *v, uint64_t n, uint32_t out[3], bool p99)
{
	if (!n) {
		out[0] = out[1] = out[2] = 0;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_u32);
	out[0] = v[0];
	out[1] = v[n / 2];
	out[2] = p99 ? v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] : v[n - 1];
}

static int ctl(struct measure *m, int ep, int op, int fd, uint32_t ev,
	       uint64_t data)
{
	struct epoll_event e = { .events = ev, .data.u64 = data };

	(void)m;
	return epoll_ctl(ep, op, fd, &e) == 0 ? 0 : -errno;
}

/* Client i: send the rest of the current ping, or read its echo. */
static void client_io(struct measure *m, unsigned i)
{
	struct mconn *c = &m->cli[i];
	ssize_t r;

	if (c->done)
		return;
	if (!c->up) {
		int e = 0;
		socklen_t el = sizeof(e);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) || e)
			return; /* the handshake failed: stays not up */
		c->up = true;
		c->t0 = rs_now_ns();
	}
	while (c->sent < m->bytes) {
		r = send(c->fd, m->payload + c->sent, m->bytes - c->sent,
			 MSG_NOSIGNAL);
		if (r <= 0)
			return;
		c->sent += (size_t)r;
	}
	for (;;) {
		r = recv(c->fd, m->sink, m->bytes - c->got, 0);
		if (r <= 0)
			return;
		c->got += (size_t)r;
		if (c->got < m->bytes)
			continue;
		m->samples[m->nsamples++] =
			(uint32_t)((rs_now_ns() - c->t0) / 1000);
		c->got = c->sent = 0;
		if (++c->pings == m->pings) {
			c->done = true;
			m->done++;
			return;
		}
		c->t0 = rs_now_ns();
		while (c->sent < m->bytes) {
			r = send(c->fd, m->payload + c->sent,
				 m->bytes - c->sent, MSG_NOSIGNAL);
			if (r <= 0)
				return;
			c->sent += (size_t)r;
		}
	}
}

/* Server i: echo what arrives. */
static void server_io(struct measure *m, unsigned i)
{
	struct mconn *s = &m->srv[i];
	ssize_t r;

	for (;;) {
		while (s->off < s->pend) {
			r = send(s->fd, s->buf + s->off, s->pend - s->off,
				 MSG_NOSIGNAL);
			if (r <= 0)
				return;
			s->off += (size_t)r;
		}
		s->off = s->pend = 0;
		r = recv(s->fd, s->buf, m->bytes, 0);
		if (r <= 0)
			return;
		s->pend = (size_t)r;
	}
}

static void accept_all(struct measure *m, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (m->nsrv == m->n) {
			close(fd);
			continue;
		}
		note_peer(m, fd);
		m->srv[m->nsrv].fd = fd;
		m->srv[m->nsrv].buf = malloc(m->bytes);
		if (!m->srv[m->nsrv].buf ||
		    ctl(m, m->sep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLOUT | EPOLLET,
			ud(K_SERVER, m->nsrv))) {
			free(m->srv[m->nsrv].buf);
			m->srv[m->nsrv].buf = NULL;
			close(fd);
			continue;
		}
		m->nsrv++;
	}
}

static void *server_thread(void *arg)
{
	struct measure *m = arg;

	for (;;) {
		struct epoll_event ev[256];
		int n = epoll_wait(m->sep, ev, 256, -1);

		for (int k = 0; k < n; k++) {
			unsigned kind = (unsigned)(ev[k].data.u64 >> 32);

			if (kind == K_STOP)
				return NULL;
			if (kind == K_LISTEN)
				accept_all(m, m->lfd);
			else
				server_io(m, (unsigned)ev[k].data.u64);
		}
		if (n < 0 && errno != EINTR)
			return NULL;
	}
}

int rs_link_measure(struct rs_link *l, int family, unsigned conns,
		    unsigned pings, size_t bytes, uint64_t timeout_ns,
		    struct rs_link_rtt *out, char *err, size_t errlen)
{
	struct measure m = { .ep = -1, .sep = -1, .stop_fd = -1, .n = conns,
			     .bytes = bytes, .pings = pings };
	pthread_t srv_thread;
	bool srv_started = false;
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa), salen;
	uint32_t *v = NULL, *v2 = NULL;
	uint64_t deadline;
	int lfd = -1, r = 0, e;
	unsigned nv = 0;

	memset(out, 0, sizeof(*out));
	out->conns_asked = conns;
	if (!conns || conns > MEASURE_CONNS_MAX || !pings || !bytes ||
	    bytes > MEASURE_BYTES_MAX) {
		snprintf(err, errlen,
			 "link measure: %u connections, %u pings of %zu bytes: allowed 1..%u connections, 1 or more pings, 1..%u bytes",
			 conns, pings, bytes, MEASURE_CONNS_MAX, MEASURE_BYTES_MAX);
		return -EINVAL;
	}
	m.cli = calloc(conns, sizeof(*m.cli));
	m.srv = calloc(conns, sizeof(*m.srv));
	m.samples = calloc((size_t)conns * pings, sizeof(*m.samples));
	m.payload = calloc(1, bytes);
	m.sink = malloc(bytes);
	v = calloc(conns, sizeof(*v));
	v2 = calloc(conns, sizeof(*v2));
	if (!m.cli || !m.srv || !m.samples || !m.payload || !m.sink || !v ||
	    !v2) {
		snprintf(err, errlen, "link measure: out of memory for %u connections: ask for fewer", conns);
		r = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < conns; i++)
		m.cli[i].fd = m.srv[i].fd = -1;
	m.ep = epoll_create1(EPOLL_CLOEXEC);
	m.sep = epoll_create1(EPOLL_CLOEXEC);
	m.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m.ep < 0 || m.sep < 0 || m.stop_fd < 0) {
		e = errno;
		snprintf(err, errlen, "link measure: epoll_create1 failed: %s (%s): check ulimit -n",
			 strerror(e), rs_errname(e));
		r = -e;
		goto out;
	}

	/* the listener on the server side, the clients on the client side */
	if ((r = rs_link_enter(l, RS_LINK_SERVER, err, errlen)))
		goto out;
	lfd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	salen = rs_link_sockaddr(l, RS_LINK_SERVER, family, 0, &sa);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, salen) ||
	    listen(lfd, 4096) || getsockname(lfd, (struct sockaddr *)&sa, &sl)) {
		e = errno;
		snprintf(err, errlen, "link measure: listener on %s failed: %s (%s): check ulimit -n",
			 rs_link_addr(l, RS_LINK_SERVER, family), strerror(e), rs_errname(e));
		r = -e;
		rs_link_enter(l, RS_LINK_HOST, err, 0);
		goto out;
	}
	if ((r = rs_link_enter(l, RS_LINK_CLIENT, err, errlen)))
		goto out;
	for (unsigned i = 0; i < conns; i++) {
		int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		struct sockaddr_storage src;
		socklen_t srclen;
		int one = 1;

		/* every socket is bound when there are several sources:
		 * unbound, IPv6 would pick any of them */
		if (fd >= 0 && rs_link_spec_of(l)->sources > 1) {
			srclen = rs_link_source(l, i, family, 0, &src);
			if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) ||
			    bind(fd, (struct sockaddr *)&src, srclen)) {
				e = errno;
				close(fd);
				snprintf(err, errlen, "link measure: binding connection %u to its source failed: %s (%s)",
					 i, strerror(e), rs_errname(e));
				r = -e;
				rs_link_enter(l, RS_LINK_HOST, err, 0);
				goto out;
			}
		}
		if (fd < 0) {
			e = errno;
			snprintf(err, errlen, "link measure: socket() for connection %u failed: %s (%s): ask for fewer connections or raise ulimit -n",
				 i, strerror(e), rs_errname(e));
			r = -e;
			rs_link_enter(l, RS_LINK_HOST, err, 0);
			goto out;
		}
		m.cli[i].fd = fd;
	}
	if ((r = rs_link_enter(l, RS_LINK_HOST, err, errlen)))
		goto out;
	m.lfd = lfd;
	if ((r = ctl(&m, m.sep, EPOLL_CTL_ADD, lfd, EPOLLIN, ud(K_LISTEN, 0))) ||
	    (r = ctl(&m, m.sep, EPOLL_CTL_ADD, m.stop_fd, EPOLLIN, ud(K_STOP, 0)))) {
		snprintf(err, errlen, "link measure: epoll_ctl failed: %s", strerror(-r));
		goto out;
	}
	/* the echo server lives on the server side (its sockets would work
	 * from anywhere; this also exercises rs_link_thread_create) */
	if ((r = rs_link_thread_create(l, RS_LINK_SERVER, &srv_thread,
				       server_thread, &m, err, errlen)))
		goto out;
	srv_started = true;
	for (unsigned i = 0; i < conns; i++) {
		if (connect(m.cli[i].fd, (struct sockaddr *)&sa, salen) &&
		    errno != EINPROGRESS) {
			e = errno;
			snprintf(err, errlen, "link measure: connect to %s failed: %s (%s)",
				 rs_link_addr(l, RS_LINK_SERVER, family), strerror(e), rs_errname(e));
			r = -e;
			goto out;
		}
		if ((r = ctl(&m, m.ep, EPOLL_CTL_ADD, m.cli[i].fd,
			     EPOLLIN | EPOLLOUT | EPOLLET, ud(K_CLIENT, i)))) {
			snprintf(err, errlen, "link measure: epoll_ctl failed: %s", strerror(-r));
			goto out;
		}
	}

	deadline = rs_now_ns() + timeout_ns;
	while (m.done < conns) {
		struct epoll_event ev[256];
		uint64_t now = rs_now_ns();
		int n, ms;

		if (now >= deadline)
			break;
		ms = (int)((deadline - now + 999999) / 1000000);
		n = epoll_wait(m.ep, ev, 256, ms > 100 ? 100 : ms);
		for (int k = 0; k < n; k++) {
			unsigned kind = (unsigned)(ev[k].data.u64 >> 32),
				 i = (unsigned)ev[k].data.u64;

			if (kind == K_CLIENT)
				client_io(&m, i);
		}
	}

	for (unsigned i = 0; i < conns; i++) {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);

		if (!m.cli[i].up)
			continue;
		out->conns_ok++;
		memset(&ti, 0, sizeof(ti));
		if (getsockopt(m.cli[i].fd, IPPROTO_TCP, TCP_INFO, &ti, &tl))
			continue;
		v[nv] = ti.tcpi_min_rtt;
		v2[nv] = ti.tcpi_rtt;
		out->retrans += ti.tcpi_total_retrans;
		nv++;
	}
	summarise(v, nv, out->min_rtt_us, false);
	summarise(v2, nv, out->srtt_us, false);
	if (srv_started) {
		uint64_t one = 1;

		if (write(m.stop_fd, &one, sizeof(one)) != sizeof(one))
			rs_fatal("link measure: stopping the server thread: %s", strerror(errno));
		pthread_join(srv_thread, NULL);
		srv_started = false;
	}
	out->sources_seen = m.npeers;
	out->pings = m.nsamples;
	summarise(m.samples, m.nsamples, out->app_rtt_us, true);
out:
	if (srv_started) {
		uint64_t one = 1;

		if (write(m.stop_fd, &one, sizeof(one)) != sizeof(one))
			rs_fatal("link measure: stopping the server thread: %s", strerror(errno));
		pthread_join(srv_thread, NULL);
	}
	if (m.cli)
		for (unsigned i = 0; i < conns; i++)
			if (m.cli[i].fd >= 0)
				close(m.cli[i].fd);
	if (m.srv)
		for (unsigned i = 0; i < conns; i++) {
			if (m.srv[i].fd >= 0)
				close(m.srv[i].fd);
			free(m.srv[i].buf);
		}
	if (lfd >= 0)
		close(lfd);
	if (m.ep >= 0)
		close(m.ep);
	if (m.sep >= 0)
		close(m.sep);
	if (m.stop_fd >= 0)
		close(m.stop_fd);
	free(m.cli);
	free(m.srv);
	free(m.samples);
	free(m.payload);
	free(m.sink);
	free(v);
	free(v2);
	return r;
}
