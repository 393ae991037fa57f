/* LD_PRELOAD shim for t_hold: eventfd() hands out an O_PATH descriptor, on
 * which every io_uring poll fails (EBADF): the --hold storm poll's error
 * path, made deterministic. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/eventfd.h>

int eventfd(unsigned int initval, int flags)
{
	(void)initval;
	(void)flags;
	return open("/", O_PATH | O_CLOEXEC);
}
