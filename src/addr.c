/* Socket addresses: parse, format, and the loopback allow-list. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *p, bool port0_ok, uint16_t *port,
		      char *err, size_t errlen)
{
	unsigned long v = 0;
	const char *q = p;

	if (!*p) {
		snprintf(err, errlen, "the port is missing (ADDR:PORT)");
		return -EINVAL;
	}
	for (; *q; q++) {
		if (*q < '0' || *q > '9' || v > 65535) {
			snprintf(err, errlen,
				 "the port is not a number from %d to 65535",
				 port0_ok ? 0 : 1);
			return -EINVAL;
		}
		v = v * 10 + (unsigned long)(*q - '0');
	}
	if (v > 65535 || (v == 0 && !port0_ok) || (p[0] == '0' && p[1])) {
		snprintf(err, errlen,
			 "the port is not a number from %d to 65535",
			 port0_ok ? 0 : 1);
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

int rs_addr_parse(const char *s, bool port0_ok, struct rs_addr *out,
		  char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port;
	size_t hl;
	uint16_t pn;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':') {
			snprintf(err, errlen,
				 "an IPv6 address is written [ADDR]:PORT");
			return -EINVAL;
		}
		hl = (size_t)(rb - s - 1);
		port = rb + 2;
		if (hl == 0 || hl >= sizeof(host)) {
			snprintf(err, errlen, "not an IPv6 address in brackets");
			return -EINVAL;
		}
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, &out->u.in6.sin6_addr) != 1) {
			snprintf(err, errlen,
				 "not a numeric IPv6 address in brackets");
			return -EINVAL;
		}
		if (parse_port(port, port0_ok, &pn, err, errlen))
			return -EINVAL;
		out->u.in6.sin6_family = AF_INET6;
		out->u.in6.sin6_port = htons(pn);
		out->len = sizeof(out->u.in6);
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon) {
		snprintf(err, errlen, "the port is missing (ADDR:PORT)");
		return -EINVAL;
	}
	if (strchr(s, ':') != colon) {
		snprintf(err, errlen,
			 "an IPv6 address needs brackets: [ADDR]:PORT");
		return -EINVAL;
	}
	hl = (size_t)(colon - s);
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen,
			 "not a numeric IPv4 address (A.B.C.D:PORT; no host names)");
		return -EINVAL;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	/* inet_pton takes only the dotted quad: no "127.1", no octal */
	if (inet_pton(AF_INET, host, &out->u.in.sin_addr) != 1) {
		snprintf(err, errlen,
			 "not a numeric IPv4 address (A.B.C.D:PORT; no host names)");
		return -EINVAL;
	}
	if (parse_port(colon + 1, port0_ok, &pn, err, errlen))
		return -EINVAL;
	out->u.in.sin_family = AF_INET;
	out->u.in.sin_port = htons(pn);
	out->len = sizeof(out->u.in);
	return 0;
}

void rs_addr_format(const struct rs_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (rs_addr_family(a) == AF_INET6) {
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, rs_addr_port(a));
	} else {
		inet_ntop(AF_INET, &a->u.in.sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, rs_addr_port(a));
	}
}

bool rs_addr_is_loopback(const struct rs_addr *a)
{
	if (rs_addr_family(a) == AF_INET)
		return (ntohl(a->u.in.sin_addr.s_addr) >> 24) == 127;
	if (rs_addr_family(a) == AF_INET6) {
		const struct in6_addr *x = &a->u.in6.sin6_addr;

		if (IN6_IS_ADDR_LOOPBACK(x))
			return true;
		return IN6_IS_ADDR_V4MAPPED(x) && x->s6_addr[12] == 127;
	}
	return false;
}

void rs_addr_loopback(struct rs_addr *a, int family, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET6) {
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_addr = in6addr_loopback;
		a->u.in6.sin6_port = htons(port);
		a->len = sizeof(a->u.in6);
	} else {
		a->u.in.sin_family = AF_INET;
		a->u.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->u.in.sin_port = htons(port);
		a->len = sizeof(a->u.in);
	}
}

uint16_t rs_addr_port(const struct rs_addr *a)
{
	return ntohs(rs_addr_family(a) == AF_INET6 ? a->u.in6.sin6_port :
						    a->u.in.sin_port);
}

void rs_addr_set_port(struct rs_addr *a, uint16_t port)
{
	if (rs_addr_family(a) == AF_INET6)
		a->u.in6.sin6_port = htons(port);
	else
		a->u.in.sin_port = htons(port);
}

const char *rs_family_name(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}
