/* Fresh network namespace with loopback up: directly with CAP_SYS_ADMIN,
 * otherwise inside a new user namespace where the caller is root. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

/* Write s to the /proc file path; 0 or -errno. */
static int write_proc(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t w;
	int fd, e;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, s, len);
	e = w < 0 ? errno : (size_t)w != len ? EIO : 0;
	if (close(fd) && !e)
		e = errno;
	return -e;
}

/* What stops an unprivileged user namespace, for the message: the
 * likely setting for the errno unshare(CLONE_NEWUSER) gave. */
static const char *userns_why(int e, char *buf, size_t len)
{
	char v[32] = "";
	FILE *f;

	switch (e) {
	case EPERM:
		return "unprivileged user namespaces are turned off (kernel.unprivileged_userns_clone=0) or forbidden here (seccomp, a container)";
	case ENOSPC:
	case EUSERS:
		f = fopen("/proc/sys/user/max_user_namespaces", "re");
		if (f) {
			if (!fgets(v, sizeof(v), f))
				v[0] = '\0';
			fclose(f);
			v[strcspn(v, "\n")] = '\0';
		}
		snprintf(buf, len, "the user namespace limit is reached (user.max_user_namespaces=%s)",
			 v[0] ? v : "?");
		return buf;
	case EINVAL:
		return "the kernel lacks CONFIG_USER_NS, or the process already has threads";
	default:
		return "the kernel refused it";
	}
}

/* A user namespace in which the caller's uid and gid are 0, so that it
 * holds CAP_SYS_ADMIN over the network namespace it creates next. Needs a
 * single-threaded caller (unshare(2)). setgroups is denied first: an
 * unprivileged process may write gid_map only then. */
static int enter_userns(const char **what)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int r;

	*what = "unshare(CLONE_NEWUSER)";
	if (unshare(CLONE_NEWUSER) != 0)
		return -errno;
	*what = "writing /proc/self/setgroups";
	r = write_proc("/proc/self/setgroups", "deny");
	if (r && r != -ENOENT) /* absent before Linux 3.19 */
		return r;
	*what = "writing /proc/self/uid_map";
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	r = write_proc("/proc/self/uid_map", map);
	if (r)
		return r;
	*what = "writing /proc/self/gid_map";
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	return write_proc("/proc/self/gid_map", map);
}

static int lo_up(char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, e;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "--netns: socket() in the new namespace failed: %s (%s)",
			 strerror(e), rs_errname(e));
		return -e;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) == 0) {
			close(fd);
			return 0;
		}
	}
	e = errno;
	close(fd);
	snprintf(err, errlen,
		 "--netns: bringing up lo in the new namespace failed: %s (%s): needs CAP_NET_ADMIN",
		 strerror(e), rs_errname(e));
	return -e;
}

/* Called in a fresh namespace: make the run's namespace inside it, with
 * an established-socket hash table of its own the size of the host's
 * (tcp_child_ehash_entries, Linux 5.19+), then bring its loopback up.
 * Without it every namespace shares the host's table, and the sockets of
 * everything else on the host lengthen the chains each of the run's
 * segments walks: with another process filling the host's table, 26 %
 * more CPU per connection at -c 100000 (docs/performance.md, "Cost with
 * concurrency"). Best effort: where the kernel lacks the
 * setting, the fresh namespace is the run's, sharing the host's table. */
static int own_ehash_then_lo_up(char *err, size_t errlen)
{
	char v[32] = "";
	long n = 0;
	FILE *f;

	f = fopen("/proc/sys/net/ipv4/tcp_ehash_entries", "re");
	if (f) {
		/* negative in a namespace that shares the host's table */
		if (fgets(v, sizeof(v), f))
			n = labs(strtol(v, NULL, 10));
		fclose(f);
	}
	if (n > 0) {
		snprintf(v, sizeof(v), "%ld", n);
		if (write_proc("/proc/sys/net/ipv4/tcp_child_ehash_entries",
			       v) == 0)
			(void)unshare(CLONE_NEWNET);
	}
	return lo_up(err, errlen);
}

int rs_netns_enter(char *err, size_t errlen)
{
	const char *what;
	char buf[96];
	int e, r;

	if (unshare(CLONE_NEWNET) == 0)
		return own_ehash_then_lo_up(err, errlen);
	e = errno;
	if (e != EPERM) {
		snprintf(err, errlen,
			 "--netns: unshare(CLONE_NEWNET) failed: %s (%s): the kernel may lack CONFIG_NET_NS: drop --netns",
			 strerror(e), rs_errname(e));
		return -e;
	}
	/* no CAP_SYS_ADMIN: become root of a user namespace of our own */
	r = enter_userns(&what);
	if (r) {
		snprintf(err, errlen,
			 "--netns: no CAP_SYS_ADMIN for a network namespace, and no user namespace to get it in: %s failed: %s (%s): %s: run as root, allow unprivileged user namespaces, or drop --netns",
			 what, strerror(-r), rs_errname(-r),
			 r == -EPERM && strcmp(what, "unshare(CLONE_NEWUSER)") ?
				 "the kernel refused the mapping" :
				 userns_why(-r, buf, sizeof(buf)));
		return r;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		e = errno;
		snprintf(err, errlen,
			 "--netns: unshare(CLONE_NEWNET) in a new user namespace failed: %s (%s): %s: run as root, or drop --netns",
			 strerror(e), rs_errname(e),
			 e == EPERM || e == EACCES ?
				 "a security module restricts unprivileged user namespaces (e.g. kernel.apparmor_restrict_unprivileged_userns=1)" :
				 "the kernel may lack CONFIG_NET_NS");
		return -e;
	}
	return own_ehash_then_lo_up(err, errlen);
}
