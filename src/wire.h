/* The wire format between client and server: the hello that opens every
 * connection and names it, the connection id, and the server's close stamp.
 * Shared by the client, the embedded server and `serve`. */
#ifndef RS_WIRE_H
#define RS_WIRE_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The hello: the first bytes on every connection, naming it (little-endian
 * on the wire). The server reads the 16-byte header, looks up the plan by
 * id, and reads the pad too except when the plan is to close with data
 * unread. */
#define RS_HELLO_LEN 32
#define RS_HELLO_HDR 16
#define RS_HELLO_MAGIC 0x53545352u /* "RSTS" little-endian */

static inline void rs_hello_encode(uint8_t *buf, uint64_t id)
{
	uint32_t magic = htole32(RS_HELLO_MAGIC), ver = htole32(1);

	memset(buf, 0, RS_HELLO_LEN);
	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &ver, 4);
	id = htole64(id);
	memcpy(buf + 8, &id, 8);
	memset(buf + RS_HELLO_HDR, 'p', RS_HELLO_LEN - RS_HELLO_HDR);
}

/* Returns true and the id when hdr (RS_HELLO_HDR bytes) is a hello. */
static inline bool rs_hello_decode(const uint8_t *hdr, uint64_t *id)
{
	uint32_t magic, ver;

	memcpy(&magic, hdr, 4);
	memcpy(&ver, hdr + 4, 4);
	memcpy(id, hdr + 8, 8);
	*id = le64toh(*id);
	return le32toh(magic) == RS_HELLO_MAGIC && le32toh(ver) == 1;
}

/* A connection id names the global slot and its generation. */
static inline uint64_t rs_conn_id(uint32_t gslot, uint32_t gen)
{
	return (uint64_t)gen << 32 | gslot;
}

/* The server's close stamp for a slot: generation (16 bits) and time since
 * the run's start + 1 (48 bits), so a stale stamp is never mistaken for the
 * current connection's. */
static inline uint64_t rs_stamp_make(uint32_t gen, uint64_t rel_ns)
{
	return (uint64_t)(gen & 0xffff) << 48 |
	       ((rel_ns + 1) & 0xffffffffffffull);
}

#endif
