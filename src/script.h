/* The op script: what the victim does on each connection after the
 * peer's close (a short list of op kinds, run in order). */
#ifndef RS_SCRIPT_H
#define RS_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_MAX_OPS 16

/* --op-size: bytes per write op and the read ops' buffer. */
#define RS_OP_SIZE_MAX 65536u

/*
 * The op kinds, named as check's scenario ops (scenario.c sop_names) where
 * the op is the same. The values of send and recv are those of the two
 * kinds that existed first. Writes carry --op-size bytes of a shared
 * pattern; reads take up to --op-size bytes.
 */
enum rs_op_kind {
	RS_OP_SEND,    /* IORING_OP_SEND, MSG_NOSIGNAL; epoll: send(2) */
	RS_OP_RECV,    /* IORING_OP_RECV; epoll: recv(2) */
	RS_OP_WRITE,   /* IORING_OP_WRITE (a real write: SIGPIPE on EPIPE
			* when issued inline); epoll: write(2) */
	RS_OP_SENDMSG, /* IORING_OP_SENDMSG, MSG_NOSIGNAL; epoll: sendmsg(2) */
	RS_OP_SEND_ZC, /* IORING_OP_SEND_ZC, MSG_NOSIGNAL (6.0; two CQEs: the
			* result, then the notification); no epoll form */
	RS_OP_READ,    /* IORING_OP_READ; epoll: read(2) */
	RS_OP_NKINDS
};

struct rs_script {
	uint8_t n;
	uint8_t kind[RS_MAX_OPS];
};

/* "send", "recv", "write", "sendmsg", "send-zc", "read"; "?" else. */
const char *rs_op_name(unsigned kind);

/* True for the kinds that write (send, write, sendmsg, send-zc). */
bool rs_op_is_write(unsigned kind);

/* True when the script holds an op of kind. */
bool rs_script_has(const struct rs_script *sc, unsigned kind);

/* Parse "write,write,read": the kinds by name, 1..RS_MAX_OPS ops, or
 * "none" for no ops. Returns 0, or -EINVAL with a reason in err. */
int rs_script_parse(const char *s, struct rs_script *sc, char *err,
		    size_t errlen);

/* Write the canonical form ("send,send,send,recv"; "none" for no ops). */
void rs_script_format(const struct rs_script *sc, char *buf, size_t len);

#endif
