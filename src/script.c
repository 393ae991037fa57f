/* The op script run after the close: parsing and names. */
#include "script.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	enum rs_op_kind kind;
} op_names[] = {
	{ "send", RS_OP_SEND },
	{ "recv", RS_OP_RECV },
	{ "write", RS_OP_WRITE },
	{ "sendmsg", RS_OP_SENDMSG },
	{ "send-zc", RS_OP_SEND_ZC },
	{ "read", RS_OP_READ },
};

const char *rs_op_name(unsigned kind)
{
	return kind < RS_OP_NKINDS ? op_names[kind].name : "?";
}

bool rs_op_is_write(unsigned kind)
{
	return kind == RS_OP_SEND || kind == RS_OP_WRITE ||
	       kind == RS_OP_SENDMSG || kind == RS_OP_SEND_ZC;
}

bool rs_script_has(const struct rs_script *sc, unsigned kind)
{
	for (unsigned i = 0; i < sc->n; i++)
		if (sc->kind[i] == kind)
			return true;
	return false;
}

int rs_script_parse(const char *s, struct rs_script *sc, char *err,
		    size_t errlen)
{
	const char *p = s;

	memset(sc, 0, sizeof(*sc));
	if (strcmp(s, "none") == 0)
		return 0; /* no ops: the client closes after the wait */
	for (;;) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
			if (strlen(op_names[i].name) == len &&
			    strncmp(p, op_names[i].name, len) == 0)
				break;
		if (i == sizeof(op_names) / sizeof(op_names[0])) {
			snprintf(err, errlen,
				 "unknown op '%.*s' (allowed: send, sendmsg, send-zc, write, recv, read; or none alone)",
				 (int)len, p);
			return -EINVAL;
		}
		if (sc->n == RS_MAX_OPS) {
			snprintf(err, errlen, "more than %d ops", RS_MAX_OPS);
			return -EINVAL;
		}
		sc->kind[sc->n++] = (uint8_t)op_names[i].kind;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

void rs_script_format(const struct rs_script *sc, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (sc->n == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (unsigned i = 0; i < sc->n; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? "," : "",
				 rs_op_name(sc->kind[i]));
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}
