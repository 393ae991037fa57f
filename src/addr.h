/* Socket addresses as options write them ("127.0.0.1:80", "[::1]:80"):
 * parsing, formatting, and the loopback allow-list that keeps traffic on
 * the machine unless --allow-remote says otherwise. */
#ifndef RS_ADDR_H
#define RS_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* An IPv4 or IPv6 address and port, ready for bind(2) and connect(2). */
struct rs_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len; /* sizeof the family's sockaddr */
};

/* The longest text rs_addr_format writes, NUL included. */
#define RS_ADDR_TEXT 64

/*
 * Parse "A.B.C.D:PORT" or "[IPV6]:PORT" (numeric only: no host names, so
 * nothing is resolved and the allow-list sees the address that will be
 * used). port0_ok allows port 0 (a listener's kernel-chosen port).
 * Returns 0, or -EINVAL with what is wrong in err (no echo of s: the
 * caller quotes it).
 */
int rs_addr_parse(const char *s, bool port0_ok, struct rs_addr *out,
		  char *err, size_t errlen);

/* "127.0.0.1:80" or "[::1]:80" into buf (RS_ADDR_TEXT bytes is enough). */
void rs_addr_format(const struct rs_addr *a, char *buf, size_t len);

/* Is the address on this machine's loopback: 127.0.0.0/8, ::1, or
 * ::ffff:127.0.0.0/104 (IPv4-mapped)? Pure. */
bool rs_addr_is_loopback(const struct rs_addr *a);

/* The loopback address of the family (127.0.0.1 or ::1) with port. */
void rs_addr_loopback(struct rs_addr *a, int family, uint16_t port);

/* The port, host order. */
uint16_t rs_addr_port(const struct rs_addr *a);
void rs_addr_set_port(struct rs_addr *a, uint16_t port);

/* AF_INET or AF_INET6. */
static inline int rs_addr_family(const struct rs_addr *a)
{
	return a->u.sa.sa_family;
}

/* "ipv4" or "ipv6", for reports. */
const char *rs_family_name(int family);

#endif
