/* The op script: what the client does on each connection after the
 * server's close (a short list of op kinds, run in order). */
#ifndef RS_SCRIPT_H
#define RS_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#define RS_MAX_OPS 16

enum rs_op_kind {
	RS_OP_SEND, /* IORING_OP_SEND, 1 byte, MSG_NOSIGNAL */
	RS_OP_RECV, /* IORING_OP_RECV into a 64-byte buffer */
	RS_OP_NKINDS
};

struct rs_script {
	uint8_t n;
	uint8_t kind[RS_MAX_OPS];
};

/* "send", "recv". */
const char *rs_op_name(unsigned kind);

/* Parse "write,write,read": kinds send/recv, with write and read accepted
 * as their aliases; 1..RS_MAX_OPS ops, or "none" for no ops. Returns 0, or
 * -EINVAL with a reason in err. */
int rs_script_parse(const char *s, struct rs_script *sc, char *err,
		    size_t errlen);

/* Write the canonical form ("send,send,send,recv"; "none" for no ops). */
void rs_script_format(const struct rs_script *sc, char *buf, size_t len);

#endif
