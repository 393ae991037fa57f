/* LD_PRELOAD shim for t_server_close_err: every Nth setsockopt(SO_LINGER)
 * (N from RS_FAIL_LINGER_EVERY) fails with ENOPROTOOPT. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>

static atomic_ulong calls;

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	const char *every = getenv("RS_FAIL_LINGER_EVERY");

	if (!real)
		real = (int (*)(int, int, int, const void *,
				socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	if (level == SOL_SOCKET && name == SO_LINGER && every) {
		unsigned long n = strtoul(every, NULL, 10);

		if (n && (atomic_fetch_add(&calls, 1) + 1) % n == 0) {
			errno = ENOPROTOOPT;
			return -1;
		}
	}
	return real(fd, level, name, val, len);
}
