/* The scenario catalogue of `rststorm check`: the built-in scenario files
 * (scenarios/, embedded at build time) parsed on first use, then the files
 * given with -f; the names of the enums and the judging rules. The kernel
 * facts F1..F7 the expectations rest on (each scenario's `basis` line cites
 * them) are listed in docs/scenarios.md. */
#include "scenario.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "esc.h"
#include "plan.h"
#include "scenfile.h"

#define RS_SCENFILE_MAX (1 << 20) /* bytes in a -f file */

static const char *const sop_names[RS_SOP_N] = {
	"send",     "sendmsg",   "write",    "send-flags0",
	"recv",     "read",      "sys-send", "sys-write",
	"sys-recv", "sys-read",  "so-error", "poll-err",
	"recv-dontwait",
};

const char *rs_sop_name(unsigned sop)
{
	return sop < RS_SOP_N ? sop_names[sop] : "?";
}

bool rs_sop_is_write(unsigned sop)
{
	return sop == RS_SOP_SEND || sop == RS_SOP_SENDMSG ||
	       sop == RS_SOP_WRITE || sop == RS_SOP_SEND0 ||
	       sop == RS_SOP_SYS_SEND || sop == RS_SOP_SYS_WRITE;
}

bool rs_sop_is_uring(unsigned sop)
{
	switch (sop) {
	case RS_SOP_SEND:
	case RS_SOP_SENDMSG:
	case RS_SOP_WRITE:
	case RS_SOP_SEND0:
	case RS_SOP_RECV:
	case RS_SOP_READ:
	case RS_SOP_RECV_DW:
		return true;
	default:
		return false;
	}
}

const char *rs_sigdisp_name(unsigned d)
{
	return d == RS_SIGDISP_DEFAULT ? "default" :
	       d == RS_SIGDISP_IGNORE ? "ignore" : "count";
}

const char *rs_exp_kind_name(unsigned k)
{
	return k == RS_EXP_ORDERED ? "ordered" :
	       k == RS_EXP_MEASURED ? "measured" : "exact";
}

const char *rs_sig_exp_name(unsigned s)
{
	static const char *const names[RS_SIG_N] = {
		[RS_SIG_NONE] = "none",
		[RS_SIG_PER_EPIPE] = "per-EPIPE",
		[RS_SIG_PRE_5_12] = "pre-5.12",
		[RS_SIG_MEASURED] = "measured",
		[RS_SIG_COALESCED] = "coalesced",
	};

	return s < RS_SIG_N && names[s] ? names[s] : "?";
}

const char *rs_side_name(unsigned side)
{
	return side == RS_SIDE_CLIENT ? "client" : "server";
}

int rs_side_parse(const char *s)
{
	for (unsigned i = 0; i < RS_SIDE_N; i++)
		if (strcmp(s, rs_side_name(i)) == 0)
			return (int)i;
	return -1;
}

const char *rs_sc_wait_name(unsigned w)
{
	return w == RS_SCW_NONE ? "none" : w == RS_SCW_XCPU ? "xcpu" : "observed";
}

const char *rs_path_name(unsigned p)
{
	return p == RS_PATH_ASYNC ? "io-wq" : p == RS_PATH_SQPOLL ? "sqpoll" : "inline";
}

/* the catalogue: the built-ins (the first nbuiltin), then the -f files */
static struct rs_scen_set cat;
static size_t nbuiltin;
static pthread_once_t cat_once = PTHREAD_ONCE_INIT;

static void load_builtins(void)
{
	char err[768];

	for (size_t i = 0; i < rs_builtin_scen_n; i++)
		if (rs_scenfile_parse(&cat, rs_builtin_scen[i].file,
				      rs_builtin_scen[i].text,
				      strlen(rs_builtin_scen[i].text), false,
				      RS_SC_MAX_TOTAL, err, sizeof(err))) {
			fprintf(stderr,
				"rststorm: built-in scenario: %s: this binary was built from a broken scenarios/ file: fix it and rebuild\n",
				err);
			exit(2);
		}
	nbuiltin = cat.n;
}

static void builtins(void)
{
	pthread_once(&cat_once, load_builtins);
}

size_t rs_scenario_builtin_count(void)
{
	builtins();
	return nbuiltin;
}

size_t rs_scenario_count(void)
{
	builtins();
	return cat.n;
}

const struct rs_scenario *rs_scenario_at(size_t i)
{
	builtins();
	return i < cat.n ? cat.v[i] : NULL;
}

int rs_scenario_load(const char *path, char *err, size_t errlen)
{
	char ev[RS_ESC_VALUE];
	char *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f = fopen(path, "r");
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "-f '%s': cannot open: %s: give a readable scenario file",
			 rs_esc(ev, sizeof(ev), path), strerror(-ret));
		return ret;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			char *t;

			if (cap >= RS_SCENFILE_MAX) {
				fclose(f);
				free(text);
				snprintf(err, errlen,
					 "-f '%s': more than %d bytes: a scenario file is small text",
					 rs_esc(ev, sizeof(ev), path),
					 RS_SCENFILE_MAX);
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 4096;
			t = realloc(text, cap + 1);
			if (!t) {
				fclose(f);
				free(text);
				snprintf(err, errlen, "-f '%s': out of memory",
					 rs_esc(ev, sizeof(ev), path));
				return -ENOMEM;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		ret = errno ? -errno : -EIO;
		fclose(f);
		free(text);
		snprintf(err, errlen, "-f '%s': cannot read: %s: give a readable scenario file",
			 rs_esc(ev, sizeof(ev), path), strerror(-ret));
		return ret;
	}
	fclose(f);
	builtins();
	ret = rs_scenfile_parse(&cat, path, text, len, true, RS_SC_MAX_TOTAL,
				err, errlen);
	free(text);
	return ret;
}

bool rs_scenario_test_visible(void)
{
	const char *v = getenv("RS_TEST_SCENARIOS");

	return v && strcmp(v, "1") == 0;
}

const struct rs_scenario *rs_scenario_find(const char *name)
{
	for (size_t i = 0; i < rs_scenario_count(); i++) {
		const struct rs_scenario *sc = rs_scenario_at(i);

		if (strcmp(sc->name, name) == 0 &&
		    (!sc->test_only || rs_scenario_test_visible()))
			return sc;
	}
	return NULL;
}

bool rs_sc_op_exact(const struct rs_scenario *sc, unsigned i, bool lagging)
{
	switch (sc->op[i].exp_kind) {
	case RS_EXP_EXACT:
		return true;
	case RS_EXP_ORDERED:
		return !lagging && sc->path == RS_PATH_INLINE;
	default:
		return false;
	}
}

void rs_sc_exp_format(const struct rs_sc_op *op, char *buf, size_t len)
{
	if (op->nexp > 1) {
		/* rs_result_name() may format an unnamed errno ("E41") in
		 * one shared buffer: take the first before the second */
		char first[24];

		snprintf(first, sizeof(first), "%s",
			 rs_result_name(op->exp[0]));
		snprintf(buf, len, "%s|%s", first, rs_result_name(op->exp[1]));
	} else
		snprintf(buf, len, "%s", rs_result_name(op->exp[0]));
}

void rs_sc_describe(const struct rs_scenario *sc, unsigned closer,
		    char *buf, size_t len)
{
	const char *p = sc->desc;
	size_t n = 0;

	if (!len)
		return;
	while (*p && n + 1 < len) {
		const char *w = NULL;

		/* whole words only: "server" and "client" trade places */
		if (closer != sc->closer && (p == sc->desc || p[-1] == ' ' ||
					     p[-1] == '(')) {
			if (strncmp(p, "server", 6) == 0 &&
			    (p[6] < 'a' || p[6] > 'z'))
				w = "client";
			else if (strncmp(p, "client", 6) == 0 &&
				 (p[6] < 'a' || p[6] > 'z'))
				w = "server";
		}
		if (w) {
			for (unsigned k = 0; k < 6 && n + 1 < len; k++)
				buf[n++] = w[k];
			p += 6;
		} else {
			buf[n++] = *p++;
		}
	}
	buf[n] = '\0';
}

unsigned rs_sc_sig_rule(const struct rs_scenario *sc, unsigned features)
{
	unsigned rule = sc->sigpipe;

	/* keyed on the probed io_uring, not the release: Debian's 5.10.223
	 * carries 5.15's io_uring (5.10.162 imported it) and implies
	 * MSG_NOSIGNAL; a release-number rule gave DIFF there */
	if (rule == RS_SIG_PRE_5_12)
		rule = (features & RS_FEAT_NATIVE_WORKERS) ? RS_SIG_NONE :
							     RS_SIG_PER_EPIPE;
	/* off the submitting thread the signal is not delivered (F7) */
	if (rule == RS_SIG_PER_EPIPE && sc->path != RS_PATH_INLINE)
		return RS_SIG_MEASURED;
	/* io_uring ops: one io_uring_enter can issue many that fail; the
	 * pending SIGPIPE is delivered once on the way back to user space */
	if (rule == RS_SIG_PER_EPIPE)
		for (unsigned i = 0; i < sc->nops; i++)
			if (rs_sop_is_write(sc->op[i].kind) &&
			    rs_sop_is_uring(sc->op[i].kind))
				return RS_SIG_COALESCED;
	return rule;
}

const char *rs_sig_rule_name(unsigned rule)
{
	switch (rule) {
	case RS_SIG_NONE:
		return "none";
	case RS_SIG_PER_EPIPE:
		return "per-EPIPE";
	case RS_SIG_COALESCED:
		return "1..per-EPIPE";
	default:
		return "measured";
	}
}
