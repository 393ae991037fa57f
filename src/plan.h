/* Close plans: how the server ends each connection, chosen by a
 * deterministic function of (seed, connection id) that both sides compute. */
#ifndef RS_PLAN_H
#define RS_PLAN_H

#include <stddef.h>
#include <stdint.h>

enum rs_close_mode {
	RS_CLOSE_FIN,      /* close(): FIN */
	RS_CLOSE_RST,      /* SO_LINGER {1,0} then close(): RST */
	RS_CLOSE_UNREAD,   /* close() with unread data queued: RST */
	RS_CLOSE_SHUTDOWN, /* shutdown(SHUT_WR): FIN, reading goes on */
	RS_CLOSE_NMODES
};

struct rs_mix {
	uint32_t weight[RS_CLOSE_NMODES];
	uint32_t total;
};

/* "fin", "rst", "unread", "shutdown". */
const char *rs_close_name(unsigned mode);

/* The mode for a name, or -1. */
int rs_close_from_name(const char *name);

/* Parse "fin=50,rst=50" (weights are whole numbers 0..1000000; at least one
 * positive; a mode named twice is an error). Returns 0, or -EINVAL with a
 * reason in err. */
int rs_mix_parse(const char *s, struct rs_mix *mix, char *err, size_t errlen);

/* Write the canonical form ("fin=50,rst=50", zero weights left out). */
void rs_mix_format(const struct rs_mix *mix, char *buf, size_t len);

/* A well-mixed 64-bit hash of (seed, id): splitmix64 applied twice. */
uint64_t rs_plan_hash(uint64_t seed, uint64_t id);

/* A tag of the whole plan (seed and mix): equal tags, equal plans (up to
 * a 2^-64 collision). Carried in every hello. */
uint64_t rs_plan_tag(const struct rs_mix *mix, uint64_t seed);

/* The close mode planned for connection id. Pure, thread-safe: a server in
 * another process computes the same answer from the same seed and mix. */
enum rs_close_mode rs_plan_mode(const struct rs_mix *mix, uint64_t seed,
				uint64_t id);

#endif
