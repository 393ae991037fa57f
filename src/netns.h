/* A fresh network namespace for the run: its own loopback and its own
 * /proc/net/snmp counters, so the kernel's numbers belong to this run. */
#ifndef RS_NETNS_H
#define RS_NETNS_H

#include <stddef.h>

/* Move the calling thread into a new network namespace and bring its
 * loopback up. Call before any thread is created: threads started later
 * inherit the namespace. Returns 0, or -errno with what failed and what
 * to do in err (-EPERM: needs CAP_SYS_ADMIN). */
int rs_netns_enter(char *err, size_t errlen);

#endif
