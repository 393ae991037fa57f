/* Fresh network namespace with loopback up. */
#include "netns.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

int rs_netns_enter(char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, e;

	if (unshare(CLONE_NEWNET) != 0) {
		e = errno;
		snprintf(err, errlen,
			 "--netns: unshare(CLONE_NEWNET) failed: %s (%s): %s",
			 strerror(e), rs_errname(e),
			 e == EPERM ? "a new network namespace needs CAP_SYS_ADMIN: run as root, or drop --netns" :
				      "the kernel may lack CONFIG_NET_NS: drop --netns");
		return -e;
	}
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
