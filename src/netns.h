/* A fresh network namespace for the run: its own loopback and its own
 * /proc/net/snmp counters, so the kernel's numbers belong to this run. */
#ifndef RS_NETNS_H
#define RS_NETNS_H

#include <stddef.h>

/* Move the calling process into a new network namespace and bring its
 * loopback up. With CAP_SYS_ADMIN the namespace is made directly; without
 * it (EPERM) the process first enters a new user namespace mapping its
 * uid and gid to 0 (as `unshare -rn` does), where the kernel allows
 * unprivileged ones; it then runs as uid 0 of that namespace, which files
 * it creates outside still show as the caller's uid. Call before any
 * thread is created: unshare(CLONE_NEWUSER) refuses a threaded process,
 * and threads started later inherit both namespaces. Returns 0, or -errno
 * with one line in err naming what failed, the likely setting and what to
 * do. */
int rs_netns_enter(char *err, size_t errlen);

#endif
