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

/* The pad opens with the client's plan tag (rs_plan_tag of its seed and
 * mix): a server that reads the pad counts hellos whose plan is not its
 * own. The rest of the pad is 'p' bytes. */
#define RS_HELLO_TAG RS_HELLO_HDR

static inline void rs_hello_encode(uint8_t *buf, uint64_t id, uint64_t tag)
{
	uint32_t magic = htole32(RS_HELLO_MAGIC), ver = htole32(1);

	memset(buf, 0, RS_HELLO_LEN);
	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &ver, 4);
	id = htole64(id);
	memcpy(buf + 8, &id, 8);
	tag = htole64(tag);
	memcpy(buf + RS_HELLO_TAG, &tag, 8);
	memset(buf + RS_HELLO_TAG + 8, 'p', RS_HELLO_LEN - RS_HELLO_TAG - 8);
}

/* The plan tag in a whole hello. */
static inline uint64_t rs_hello_tag(const uint8_t *hello)
{
	uint64_t tag;

	memcpy(&tag, hello + RS_HELLO_TAG, 8);
	return le64toh(tag);
}

/*
 * The query: `run --target` asks each rststorm server for its plan before
 * any connection starts. 16 bytes, the hello's header with another magic
 * (and no id). The server answers with the info (RS_INFO_LEN bytes) and a
 * FIN. Little-endian:
 *   0 magic "RSTI"  4 version 1  8 seed  16 weights fin, rst, unread,
 *   shutdown (4 x u32)  32 the server's run start t0 (CLOCK_MONOTONIC ns)
 *   40 boot id (16 bytes, /proc/sys/kernel/random/boot_id)  56 nonce
 *   (this serve process)  64 the stamp region's owner (u32 pid, 0: none)
 *   68 its slots (u32)  72 its fd in that process (u32)  76 zero pad
 */
#define RS_QUERY_MAGIC 0x51545352u /* "RSTQ" */
#define RS_INFO_MAGIC 0x49545352u  /* "RSTI" */
#define RS_INFO_LEN 80

struct rs_info {
	uint64_t seed;
	uint32_t weight[4];
	uint64_t t0;
	uint8_t boot_id[16];
	uint64_t nonce;
	uint32_t shm_pid, shm_slots, shm_fd;
};

static inline void rs_query_encode(uint8_t *buf)
{
	uint32_t magic = htole32(RS_QUERY_MAGIC), ver = htole32(1);

	memset(buf, 0, RS_HELLO_HDR);
	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &ver, 4);
}

/* Is hdr (RS_HELLO_HDR bytes) a query? */
static inline bool rs_query_is(const uint8_t *hdr)
{
	uint32_t magic, ver;

	memcpy(&magic, hdr, 4);
	memcpy(&ver, hdr + 4, 4);
	return le32toh(magic) == RS_QUERY_MAGIC && le32toh(ver) == 1;
}

static inline void rs_put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static inline void rs_put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static inline uint64_t rs_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline uint32_t rs_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static inline void rs_info_encode(uint8_t *buf, const struct rs_info *in)
{
	memset(buf, 0, RS_INFO_LEN);
	rs_put32(buf, RS_INFO_MAGIC);
	rs_put32(buf + 4, 1);
	rs_put64(buf + 8, in->seed);
	for (unsigned m = 0; m < 4; m++)
		rs_put32(buf + 16 + 4 * m, in->weight[m]);
	rs_put64(buf + 32, in->t0);
	memcpy(buf + 40, in->boot_id, 16);
	rs_put64(buf + 56, in->nonce);
	rs_put32(buf + 64, in->shm_pid);
	rs_put32(buf + 68, in->shm_slots);
	rs_put32(buf + 72, in->shm_fd);
}

/* Returns false when buf (RS_INFO_LEN bytes) is not an info. */
static inline bool rs_info_decode(const uint8_t *buf, struct rs_info *in)
{
	if (rs_get32(buf) != RS_INFO_MAGIC || rs_get32(buf + 4) != 1)
		return false;
	in->seed = rs_get64(buf + 8);
	for (unsigned m = 0; m < 4; m++)
		in->weight[m] = rs_get32(buf + 16 + 4 * m);
	in->t0 = rs_get64(buf + 32);
	memcpy(in->boot_id, buf + 40, 16);
	in->nonce = rs_get64(buf + 56);
	in->shm_pid = rs_get32(buf + 64);
	in->shm_slots = rs_get32(buf + 68);
	in->shm_fd = rs_get32(buf + 72);
	return true;
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
