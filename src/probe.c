/* Kernel and io_uring feature probe, and the choice of path. */
#include "probe.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ring.h"
#include "util.h"

static int read_int_file(const char *path, int *a, int *b)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	n = b ? fscanf(f, "%d %d", a, b) : fscanf(f, "%d", a);
	fclose(f);
	return n == (b ? 2 : 1) ? 0 : -EINVAL;
}

bool rs_probe_has_op(const struct rs_probe *p, unsigned op)
{
	return op < 64 && (p->ops >> op & 1);
}

/*
 * Socket commands through IORING_OP_URING_CMD (6.7): the opcode exists
 * since 5.19 but sockets answer it only from 6.7, so try both commands the
 * server needs on a real (unconnected) socket: setsockopt(SO_LINGER) and
 * SIOCINQ must return 0.
 */
static bool sock_cmd_works(struct io_uring *ring)
{
	static const struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd, ok = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	sqe = io_uring_get_sqe(ring);
	rs_prep_sock_cmd(sqe, RS_SOCKET_URING_OP_SETSOCKOPT, fd, SOL_SOCKET,
			 SO_LINGER, &lg, sizeof(lg));
	sqe = io_uring_get_sqe(ring);
	rs_prep_sock_cmd(sqe, RS_SOCKET_URING_OP_SIOCINQ, fd, 0, 0, NULL, 0);
	if (io_uring_submit_and_wait(ring, 2) == 2) {
		for (int i = 0; i < 2 && io_uring_wait_cqe(ring, &cqe) == 0;
		     i++) {
			ok += cqe->res == 0;
			io_uring_cqe_seen(ring, cqe);
		}
	}
	close(fd);
	return ok == 2;
}

void rs_probe_run(struct rs_probe *p, const struct rs_config *cfg)
{
	struct utsname u;
	struct rlimit rl;
	struct io_uring ring;
	struct io_uring_params params;
	struct io_uring_probe *pr;
	int start = 0, flags;
	bool exact;

	memset(p, 0, sizeof(*p));
	if (uname(&u) == 0) {
		snprintf(p->release, sizeof(p->release), "%s", u.release);
		snprintf(p->machine, sizeof(p->machine), "%s", u.machine);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		p->nofile_cur = rl.rlim_cur;
		p->nofile_max = rl.rlim_max;
	}
	if (read_int_file("/proc/sys/net/core/somaxconn", &p->somaxconn,
			  NULL))
		p->somaxconn = -1;
	if (read_int_file("/proc/sys/net/ipv4/ip_local_port_range",
			  &p->port_lo, &p->port_hi))
		p->port_lo = p->port_hi = -1;
	if (read_int_file("/proc/sys/kernel/io_uring_disabled",
			  &p->uring_disabled, NULL))
		p->uring_disabled = -1;

	memset(&params, 0, sizeof(params));
	p->uring_err = io_uring_queue_init_params(8, &ring, &params);
	if (p->uring_err)
		return;
	p->features = params.features;
	p->ext_arg = params.features & IORING_FEAT_EXT_ARG;
	p->nodrop = params.features & IORING_FEAT_NODROP;
	pr = io_uring_get_probe_ring(&ring);
	if (pr) {
		for (unsigned op = 0; op < 64 && op <= pr->last_op; op++)
			if (io_uring_opcode_supported(pr, (int)op))
				p->ops |= 1ull << op;
		io_uring_free_probe(pr);
	}
	if (rs_probe_has_op(p, RS_IORING_OP_URING_CMD))
		p->sock_cmd = sock_cmd_works(&ring);
	p->bind_op = rs_probe_has_op(p, RS_IORING_OP_BIND);
	rs_ring_exit(&ring);
	p->sources = cfg && cfg->sources ? cfg->sources : 1;

	if (cfg && cfg->ring == RS_RING_COOP)
		start = 1;
	else if (cfg && cfg->ring == RS_RING_PLAIN)
		start = 2;
	exact = cfg && cfg->ring != RS_RING_AUTO;
	flags = rs_ring_pick_flags(start, exact);
	if (flags == -EINVAL && exact) {
		p->ring_refused = true; /* run refuses to go on */
		return;
	}
	if (flags < 0) {
		p->uring_err = flags;
		return;
	}
	p->ring_flags = (unsigned)flags;
	if (exact)
		snprintf(p->ring_why, sizeof(p->ring_why), "asked for by --ring");
	else if (flags & IORING_SETUP_DEFER_TASKRUN)
		snprintf(p->ring_why, sizeof(p->ring_why),
			 "best available (6.1+)");
	else if (flags & IORING_SETUP_COOP_TASKRUN)
		snprintf(p->ring_why, sizeof(p->ring_why),
			 "DEFER_TASKRUN refused by this kernel (needs 6.1)");
	else
		snprintf(p->ring_why, sizeof(p->ring_why),
			 "DEFER_TASKRUN and COOP_TASKRUN refused (need 6.1, 5.19)");

	/* OP_SOCKET (5.19) arrived with sparse file tables and multishot
	 * accept; gate direct descriptors on it, since 5.10 ignores
	 * file_index on accept and silently installs a normal fd. */
	p->socket_direct = rs_probe_has_op(p, IORING_OP_SOCKET);
	p->multishot_accept = rs_probe_has_op(p, IORING_OP_SOCKET);
	if (cfg && cfg->engine == RS_ENGINE_EPOLL) {
		/* epoll waits on ordinary fds only */
		p->socket_direct = false;
		snprintf(p->socket_why, sizeof(p->socket_why),
			 "the epoll engine: nonblocking fds count against RLIMIT_NOFILE");
	} else if (cfg && cfg->no_direct && p->socket_direct) {
		p->socket_direct = false;
		snprintf(p->socket_why, sizeof(p->socket_why),
			 "forced by --no-direct");
	} else if (p->socket_direct && p->sources > 1 &&
		   (!p->bind_op || !p->sock_cmd)) {
		/* a direct descriptor has no fd for bind(2) or setsockopt(2) */
		p->socket_direct = false;
		snprintf(p->socket_why, sizeof(p->socket_why),
			 "--sources on direct descriptors needs IORING_OP_BIND (6.11) and socket commands (6.7): fds count against RLIMIT_NOFILE");
	} else {
		snprintf(p->socket_why, sizeof(p->socket_why), "%s",
			 p->socket_direct ?
				 "IORING_OP_SOCKET present: not bound by RLIMIT_NOFILE" :
				 "no IORING_OP_SOCKET (needs 5.19): fds count against RLIMIT_NOFILE");
	}
	/* The server's close actions through the ring: accept into a
	 * kernel-picked direct descriptor (5.19, marked by OP_SOCKET),
	 * SO_LINGER and SIOCINQ as socket commands (6.7), IORING_OP_SHUTDOWN
	 * (5.11) and close-direct (5.15). */
	p->server_direct = rs_probe_has_op(p, IORING_OP_SOCKET) &&
			   p->sock_cmd &&
			   rs_probe_has_op(p, IORING_OP_SHUTDOWN);
	if (cfg && cfg->no_server_direct && p->server_direct) {
		p->server_direct = false;
		snprintf(p->server_why, sizeof(p->server_why),
			 "forced by --no-server-direct");
	} else {
		snprintf(p->server_why, sizeof(p->server_why), "%s",
			 p->server_direct ?
				 "direct accept (5.19), socket commands (6.7): RLIMIT_NOFILE caps each ring, not the process" :
				 !rs_probe_has_op(p, IORING_OP_SOCKET) ?
				 "no direct accept: needs 5.19" :
				 !p->sock_cmd ?
				 "no setsockopt/SIOCINQ socket commands: need 6.7" :
				 "no IORING_OP_SHUTDOWN: needs 5.11");
	}
	if (cfg && cfg->no_multishot && p->multishot_accept) {
		p->multishot_accept = false;
		snprintf(p->accept_why, sizeof(p->accept_why),
			 "forced by --no-multishot");
	} else {
		snprintf(p->accept_why, sizeof(p->accept_why), "%s",
			 p->multishot_accept ?
				 "kernel 5.19+ (IORING_OP_SOCKET seen)" :
				 "multishot accept needs 5.19: re-armed accept");
	}
}

const char *rs_probe_socket_path(const struct rs_probe *p)
{
	return p->socket_direct ? "io_uring-direct" : "socket(2)";
}

const char *rs_probe_accept_path(const struct rs_probe *p)
{
	if (p->server_direct)
		return p->multishot_accept ? "multishot-direct" :
					     "single-shot-direct";
	return p->multishot_accept ? "multishot" : "single-shot";
}

const char *rs_probe_bind_path(const struct rs_probe *p)
{
	if (p->sources <= 1)
		return "none";
	return p->socket_direct ? "io_uring-bind" : "bind(2)";
}

void rs_probe_line(const struct rs_probe *p, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "kernel %s | ring %s | client sockets %s | accept %s",
			 p->release, rs_ring_flags_name(p->ring_flags),
			 rs_probe_socket_path(p), rs_probe_accept_path(p));

	if (p->sources > 1 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " | sources %u by %s",
			 p->sources, rs_probe_bind_path(p));
}

void rs_probe_print(const struct rs_probe *p, FILE *f)
{
	static const struct {
		unsigned op;
		const char *name;
		const char *since;
	} ops[] = {
		{ IORING_OP_ACCEPT, "ACCEPT", "5.5" },
		{ IORING_OP_CONNECT, "CONNECT", "5.5" },
		{ IORING_OP_LINK_TIMEOUT, "LINK_TIMEOUT", "5.5" },
		{ IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL", "5.5" },
		{ IORING_OP_CLOSE, "CLOSE", "5.6" },
		{ IORING_OP_SEND, "SEND", "5.6" },
		{ IORING_OP_RECV, "RECV", "5.6" },
		{ IORING_OP_SHUTDOWN, "SHUTDOWN", "5.11" },
		{ IORING_OP_SOCKET, "SOCKET", "5.19" },
		{ RS_IORING_OP_URING_CMD, "URING_CMD", "5.19" },
		{ IORING_OP_SEND_ZC, "SEND_ZC", "6.0" },
		{ RS_IORING_OP_BIND, "BIND", "6.11" },
	};

	fprintf(f, "kernel: %s %s\n", p->release, p->machine);
	if (p->uring_err) {
		fprintf(f, "io_uring: unavailable (%s: %s)\n",
			rs_errname(-p->uring_err), strerror(-p->uring_err));
	} else {
		fprintf(f, "io_uring: available, features 0x%x%s%s\n",
			p->features, p->nodrop ? " NODROP" : "",
			p->ext_arg ? " EXT_ARG" : "");
		fprintf(f, "ops:");
		for (size_t i = 0; i < RS_ARRAY_SIZE(ops); i++)
			fprintf(f, " %s%s(%s)",
				rs_probe_has_op(p, ops[i].op) ? "" : "-",
				ops[i].name, ops[i].since);
		fprintf(f, "\n");
		fprintf(f, "ring flags: %s (%s)\n",
			rs_ring_flags_name(p->ring_flags), p->ring_why);
		fprintf(f, "client sockets: %s (%s)\n",
			rs_probe_socket_path(p), p->socket_why);
		fprintf(f, "socket commands: %s\n",
			p->sock_cmd ?
				"setsockopt and SIOCINQ through IORING_OP_URING_CMD (6.7)" :
				"none (setsockopt/SIOCINQ through IORING_OP_URING_CMD need 6.7)");
		fprintf(f, "client bind (--sources): %s\n",
			p->bind_op && p->sock_cmd && p->socket_direct ?
				"IORING_OP_BIND and setsockopt(IP_BIND_ADDRESS_NO_PORT) on direct descriptors" :
				"bind(2) and setsockopt(2) on socket(2) fds (direct needs BIND 6.11 and socket commands 6.7)");
		fprintf(f, "server sockets: %s (%s)%s\n",
			p->server_direct ? "io_uring-direct" : "ordinary fds",
			p->server_why,
			p->server_direct ? "" :
					   ": connections are bound by RLIMIT_NOFILE");
		fprintf(f, "server accept: %s (%s)\n", rs_probe_accept_path(p),
			p->accept_why);
		if (p->server_direct)
			fprintf(f, "server close actions: SO_LINGER and SIOCINQ by URING_CMD, IORING_OP_SHUTDOWN, close-direct; stamped when queued\n");
		else
			fprintf(f, "server close actions: close(2), shutdown(2), setsockopt(2) inline, so the close is stamped exactly\n");
	}
	fprintf(f, "io_uring_disabled: %d\n", p->uring_disabled);
	fprintf(f, "RLIMIT_NOFILE: %llu (hard %llu)\n",
		(unsigned long long)p->nofile_cur,
		(unsigned long long)p->nofile_max);
	fprintf(f, "somaxconn: %d\n", p->somaxconn);
	fprintf(f, "ephemeral ports: %d-%d\n", p->port_lo, p->port_hi);
	fprintf(f, "liburing: %s (build)\n", RS_LIBURING_VERSION);
}

void rs_probe_require(const struct rs_probe *p)
{
	if (p->uring_err)
		rs_probe_fail_uring(p);
	if (p->ring_refused)
		rs_fatal("--ring: this kernel refuses the setup flags asked for (defer needs 6.1, coop 5.19): use --ring auto, which takes the best it has");
}

void rs_probe_fail_uring(const struct rs_probe *p)
{
	int e = -p->uring_err;
	const char *what;

	switch (e) {
	case ENOSYS:
		what = "the kernel has no io_uring (built without CONFIG_IO_URING, or older than 5.1), or a seccomp filter such as a container's default profile blocks io_uring_setup: run on Linux 5.10+ or allow io_uring_setup, io_uring_enter and io_uring_register";
		break;
	case EPERM:
		if (p->uring_disabled == 2)
			what = "kernel.io_uring_disabled is 2 (io_uring off for everyone): as root, sysctl -w kernel.io_uring_disabled=0";
		else if (p->uring_disabled == 1)
			what = "kernel.io_uring_disabled is 1 (root and kernel.io_uring_group only): run as root, join that group, or sysctl -w kernel.io_uring_disabled=0";
		else
			what = "refused, most likely by a seccomp filter or an LSM policy: allow io_uring_setup, io_uring_enter and io_uring_register";
		break;
	case ENOMEM:
		what = "not enough locked memory for the ring (kernels before 5.12 charge RLIMIT_MEMLOCK): raise it with ulimit -l";
		break;
	default:
		what = "see io_uring_setup(2)";
		break;
	}
	rs_fatal("io_uring is not available: io_uring_setup failed: %s (%s): %s",
		 strerror(e), rs_errname(e), what);
}
