/* The scenario file parser and printer (scenfile.h; the format is
 * docs/scenarios.md). Every word of the vocabulary comes from the name
 * functions of the enums (rs_sop_name over RS_SOP_N, rs_close_name, ...),
 * so a value added to an enum parses and prints with no change here. */
#include "scenfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "outcome.h"
#include "plan.h"

/* ------------------------------------------------------------ keys */

enum key {
	K_SCENARIO, K_DESC, K_BASIS, K_CLAIM, K_CLOSER, K_WAIT, K_PATH,
	K_VSENDS, K_CSENDS, K_BEFORE, K_SIGACT, K_SOCKET, K_TESTONLY, K_OP,
	K_SIGPIPE, K_N
};
static const char *const key_names[K_N] = {
	"scenario", "desc",   "basis",          "claim",  "closer",
	"wait",     "path",   "victim-sends",   "closer-sends",
	"before",   "sigpipe-action", "socket", "test-only", "op",
	"sigpipe",
};

typedef const char *(*name_fn)(unsigned);

static const char *side_name(unsigned v) { return rs_side_name(v); }
static const char *close_name(unsigned v) { return rs_close_name(v); }
static const char *wait_name(unsigned v) { return rs_sc_wait_name(v); }
static const char *path_name(unsigned v) { return rs_path_name(v); }
static const char *sop_name(unsigned v) { return rs_sop_name(v); }
static const char *sigdisp_name(unsigned v) { return rs_sigdisp_name(v); }
static const char *sigexp_name(unsigned v) { return rs_sig_exp_name(v); }
static const char *expk_name(unsigned v) { return rs_exp_kind_name(v); }

/* ---------------------------------------------------------- parsing */

struct tok {
	const char *p;
	size_t n;
	unsigned col; /* 1-based */
};

struct parser {
	const char *file;
	const char *text, *end;
	const char *line;  /* start of the current line */
	const char *eol;   /* its end (no \n, no trailing \r) */
	unsigned lineno;
	const char *cur;   /* the scanner, within [line, eol] */
	char *err;
	size_t errlen;
	/* the scenario being read */
	struct rs_scenario *sc;
	unsigned key_line[K_N];
	unsigned claim_line, claim_col; /* the first op claim */
	unsigned op_line[RS_SC_MAX_OPS], op_col[RS_SC_MAX_OPS];
	unsigned before_line, before_col, path_col;
	unsigned name_col;
};

/* "FILE:LINE:COL: expected WHAT, found 'FOUND'" */
static int perr(struct parser *ps, unsigned col, const char *found,
		size_t nfound, const char *what, ...)
{
	char w[512], f[RS_ESC_VALUE], fl[RS_ESC_VALUE];
	va_list ap;

	va_start(ap, what);
	vsnprintf(w, sizeof(w), what, ap);
	va_end(ap);
	rs_esc(fl, sizeof(fl), ps->file);
	if (found)
		snprintf(ps->err, ps->errlen, "%s:%u:%u: expected %s, found '%s'",
			 fl, ps->lineno, col, w,
			 rs_esc_mem(f, sizeof(f), found, nfound));
	else
		snprintf(ps->err, ps->errlen, "%s:%u:%u: expected %s, found %s",
			 fl, ps->lineno, col, w,
			 ps->line < ps->end ? "end of line" : "end of file");
	return -EINVAL;
}

static int perr_tok(struct parser *ps, const struct tok *t, const char *what)
{
	if (!t->n)
		return perr(ps, t->col, NULL, 0, "%s", what);
	return perr(ps, t->col, t->p, t->n, "%s", what);
}

static unsigned col_of(const struct parser *ps, const char *p)
{
	return (unsigned)(p - ps->line) + 1;
}

static void skip_blank(struct parser *ps)
{
	while (ps->cur < ps->eol && (*ps->cur == ' ' || *ps->cur == '\t'))
		ps->cur++;
}

/* The next word; n 0 at the end of the line or at a comment (a word that
 * starts with '#'). */
static struct tok next_tok(struct parser *ps)
{
	struct tok t;

	skip_blank(ps);
	t.p = ps->cur;
	t.col = col_of(ps, ps->cur);
	if (ps->cur < ps->eol && *ps->cur == '#') {
		t.n = 0;
		ps->cur = ps->eol;
		return t;
	}
	while (ps->cur < ps->eol && *ps->cur != ' ' && *ps->cur != '\t')
		ps->cur++;
	t.n = (size_t)(ps->cur - t.p);
	return t;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && memcmp(t->p, s, t->n) == 0;
}

/* "a, b or c" from a name function over n values */
static void alts(char *buf, size_t len, name_fn fn, unsigned n)
{
	size_t k = 0;

	buf[0] = '\0';
	for (unsigned v = 0; v < n && k < len; v++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s",
				      v == 0 ? "" : v + 1 == n ? " or " : ", ",
				      fn(v));
}

/* The value whose name is the next word, or a message listing the names. */
static int word_of(struct parser *ps, name_fn fn, unsigned n, unsigned *out)
{
	struct tok t = next_tok(ps);
	char a[512];

	for (unsigned v = 0; v < n && t.n; v++)
		if (tok_is(&t, fn(v))) {
			*out = v;
			return 0;
		}
	alts(a, sizeof(a), fn, n);
	return perr_tok(ps, &t, a);
}

static int end_of_line(struct parser *ps)
{
	struct tok t = next_tok(ps);

	return t.n ? perr_tok(ps, &t, "end of line (or a # comment)") : 0;
}

static int number(struct parser *ps, unsigned max, unsigned *out)
{
	struct tok t = next_tok(ps);
	unsigned long v = 0;
	char what[64];

	snprintf(what, sizeof(what), "a whole number from 0 to %u", max);
	if (!t.n || t.n > 6)
		return perr_tok(ps, &t, what);
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] < '0' || t.p[i] > '9')
			return perr_tok(ps, &t, what);
		v = v * 10 + (unsigned long)(t.p[i] - '0');
	}
	if (v > max)
		return perr_tok(ps, &t, what);
	*out = (unsigned)v;
	return 0;
}

static int result_of(struct parser *ps, const char *p, size_t n,
		     unsigned col, uint16_t *out)
{
	char name[32];
	int r;

	if (n && n < sizeof(name)) {
		memcpy(name, p, n);
		name[n] = '\0';
		r = rs_result_from_name(name);
		if (r >= 0) {
			*out = (uint16_t)r;
			return 0;
		}
	}
	return perr(ps, col, p, n,
		    "a result: ok, eof, timeout, short, or an errno name such as EPIPE or ECONNRESET");
}

/* The rest of the line as text: desc, basis and claim (no comment: a '#'
 * is part of the text). */
static int text_of(struct parser *ps, const char **out)
{
	const char *e = ps->eol;
	char *s;

	skip_blank(ps);
	while (e > ps->cur && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == ps->cur)
		return perr(ps, col_of(ps, ps->cur), NULL, 0,
			    "a one-line text");
	if ((size_t)(e - ps->cur) > RS_SC_TEXT_MAX)
		return perr(ps, col_of(ps, ps->cur) + RS_SC_TEXT_MAX,
			    ps->cur + RS_SC_TEXT_MAX,
			    (size_t)(e - ps->cur) - RS_SC_TEXT_MAX,
			    "a text of at most %d bytes", RS_SC_TEXT_MAX);
	s = strndup(ps->cur, (size_t)(e - ps->cur));
	if (!s)
		return -ENOMEM;
	*out = s;
	ps->cur = ps->eol;
	return 0;
}

static void sc_free(struct rs_scenario *sc)
{
	if (!sc)
		return;
	free((char *)sc->name);
	free((char *)sc->desc);
	free((char *)sc->basis);
	free((char *)sc->claim_src);
	free((char *)sc->file);
	free(sc);
}

void rs_scen_set_free(struct rs_scen_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		sc_free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
}

static int set_push(struct rs_scen_set *set, struct rs_scenario *sc)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 32;
		struct rs_scenario **v = realloc(set->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = sc;
	return 0;
}

static const struct rs_scenario *set_find(const struct rs_scen_set *set,
					  const char *p, size_t n)
{
	for (size_t i = 0; i < set->n; i++)
		if (strlen(set->v[i]->name) == n &&
		    memcmp(set->v[i]->name, p, n) == 0)
			return set->v[i];
	return NULL;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (!first && c == '-');
}

/* op KIND [gap] expect R[|R] [exact|ordered|measured] [claim R] */
static int op_line(struct parser *ps, unsigned kcol)
{
	struct rs_scenario *sc = ps->sc;
	struct rs_sc_op *op;
	bool have_exp = false, have_judge = false, have_claim = false;
	unsigned kind, i = sc->nops;
	struct tok t;
	int ret;

	if (i >= RS_SC_MAX_OPS)
		return perr(ps, kcol, "op", 2, "at most %d ops per scenario",
			    RS_SC_MAX_OPS);
	skip_blank(ps);
	ps->op_line[i] = ps->lineno;
	ps->op_col[i] = col_of(ps, ps->cur);
	if ((ret = word_of(ps, sop_name, RS_SOP_N, &kind)))
		return ret;
	op = &sc->op[i];
	memset(op, 0, sizeof(*op));
	op->kind = (uint8_t)kind;
	op->exp_kind = RS_EXP_EXACT;
	op->claim = -1;
	for (;;) {
		t = next_tok(ps);
		if (!t.n)
			break;
		if (tok_is(&t, "gap") && !op->gap) {
			op->gap = true;
		} else if (tok_is(&t, "expect") && !have_exp) {
			struct tok r = next_tok(ps);
			const char *bar = r.n ? memchr(r.p, '|', r.n) : NULL;
			size_t n1 = bar ? (size_t)(bar - r.p) : r.n;

			if (!r.n)
				return perr_tok(ps, &r,
						"the expected result(s) after 'expect': R or R|R");
			if ((ret = result_of(ps, r.p, n1, r.col, &op->exp[0])))
				return ret;
			op->nexp = 1;
			if (bar) {
				const char *p2 = bar + 1;
				size_t n2 = r.n - n1 - 1;
				unsigned c2 = r.col + (unsigned)n1 + 1;

				if (memchr(p2, '|', n2))
					return perr_tok(ps, &r,
							"at most 2 results (R|R)");
				if ((ret = result_of(ps, p2, n2, c2,
						     &op->exp[1])))
					return ret;
				if (op->exp[1] == op->exp[0])
					return perr(ps, c2, p2, n2,
						    "a second result other than the first");
				op->nexp = 2;
			}
			have_exp = true;
		} else if (tok_is(&t, "claim") && !have_claim) {
			struct tok r = next_tok(ps);
			uint16_t c;

			if ((ret = result_of(ps, r.p, r.n, r.col, &c)))
				return ret;
			op->claim = (int16_t)c;
			have_claim = true;
			if (!ps->claim_line) {
				ps->claim_line = ps->lineno;
				ps->claim_col = t.col;
			}
		} else {
			unsigned k;
			bool judge = false;

			for (k = 0; k < RS_EXP_N && !have_judge; k++)
				if (tok_is(&t, rs_exp_kind_name(k))) {
					judge = true;
					break;
				}
			if (!judge) {
				char a[200], what[300];

				alts(a, sizeof(a), expk_name, RS_EXP_N);
				snprintf(what, sizeof(what),
					 "each at most once: gap, expect R, claim R, %s",
					 a);
				return perr_tok(ps, &t, what);
			}
			op->exp_kind = (uint8_t)k;
			have_judge = true;
		}
	}
	if (!have_exp)
		return perr_tok(ps, &t, "'expect' and the expected result(s) of the op");
	sc->nops++;
	return 0;
}

/* The checks that need the whole scenario; at (the next `scenario` line or
 * the end of the file) is where a missing line is reported. */
static int finish(struct parser *ps, const struct tok *at)
{
	static const enum key required[] = { K_DESC, K_BASIS, K_CLOSER,
					     K_WAIT, K_PATH, K_SIGPIPE };
	struct rs_scenario *sc = ps->sc;
	unsigned here = ps->lineno;
	char what[200];

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!ps->key_line[required[i]]) {
			snprintf(what, sizeof(what),
				 "a '%s' line in scenario '%s' (line %u)",
				 key_names[required[i]], sc->name, sc->line);
			return perr_tok(ps, at, what);
		}
	if (!sc->nops) {
		snprintf(what, sizeof(what),
			 "an 'op' line in scenario '%s' (line %u)", sc->name,
			 sc->line);
		return perr_tok(ps, at, what);
	}
	/* the rest are reported where the offending line is */
	if (sc->ops_before >= sc->nops) {
		char n[16];

		ps->lineno = ps->before_line;
		snprintf(n, sizeof(n), "%u", sc->ops_before);
		snprintf(what, sizeof(what),
			 "a 'before' count below the %u op%s of scenario '%s' (at least one op runs after the close)",
			 sc->nops, sc->nops == 1 ? "" : "s", sc->name);
		return perr(ps, ps->before_col, n, strlen(n), "%s", what);
	}
	for (unsigned i = 0; i < sc->nops; i++)
		/* poll-err is poll(2) on every path: a wait between ring
		 * ops, not an op the path applies to */
		if (!rs_sop_is_uring(sc->op[i].kind) &&
		    sc->op[i].kind != RS_SOP_POLLERR &&
		    sc->path != RS_PATH_INLINE) {
			const char *k = rs_sop_name(sc->op[i].kind);

			ps->lineno = ps->op_line[i];
			return perr(ps, ps->op_col[i], k, strlen(k),
				    "an io_uring op on path %s (a system call runs on the calling thread: path inline)",
				    rs_path_name(sc->path));
		}
	if (ps->claim_line && !sc->claim_src) {
		ps->lineno = ps->claim_line;
		return perr(ps, ps->claim_col, "claim", 5,
			    "a 'claim SOURCE' line in scenario '%s' naming whose claims the ops' claims are",
			    sc->name);
	}
	ps->lineno = here;
	return 0;
}

static int start(struct parser *ps, struct rs_scen_set *mine,
		 const struct rs_scen_set *set, size_t max, unsigned kcol)
{
	struct tok t = next_tok(ps);
	const struct rs_scenario *dup;
	struct rs_scenario *sc;
	char what[400], fl[RS_ESC_VALUE];
	bool ok = t.n > 0 && t.n <= RS_SC_NAME_MAX;
	int ret;

	for (size_t i = 0; ok && i < t.n; i++)
		ok = name_char(t.p[i], i == 0);
	if (!ok) {
		snprintf(what, sizeof(what),
			 "a scenario name: lowercase letters, digits and '-' (not first), at most %d",
			 RS_SC_NAME_MAX);
		return perr_tok(ps, &t, what);
	}
	dup = set_find(mine, t.p, t.n);
	if (!dup)
		dup = set_find(set, t.p, t.n);
	if (dup) {
		snprintf(what, sizeof(what),
			 "a name not used yet (%s:%u has it)",
			 rs_esc(fl, sizeof(fl), dup->file), dup->line);
		return perr_tok(ps, &t, what);
	}
	if (set->n + mine->n >= max)
		return perr(ps, kcol, "scenario", 8,
			    "at most %zu scenarios in all", max);
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	sc->name = strndup(t.p, t.n);
	sc->file = strdup(ps->file);
	if (!sc->name || !sc->file || set_push(mine, sc)) {
		sc_free(sc);
		return -ENOMEM;
	}
	sc->line = ps->lineno;
	sc->sigdisp = RS_SIGDISP_COUNT;
	memset(ps->key_line, 0, sizeof(ps->key_line));
	ps->claim_line = 0;
	ps->name_col = t.col;
	ps->sc = sc;
	if ((ret = end_of_line(ps)))
		return ret;
	return 0;
}

static int key_line(struct parser *ps, enum key k, unsigned kcol)
{
	struct rs_scenario *sc = ps->sc;
	unsigned v;
	int ret = 0;

	if (k != K_OP && ps->key_line[k]) {
		char what[120];

		snprintf(what, sizeof(what),
			 "each key once per scenario ('%s' is at line %u)",
			 key_names[k], ps->key_line[k]);
		return perr(ps, kcol, key_names[k], strlen(key_names[k]),
			    "%s", what);
	}
	ps->key_line[k] = ps->lineno;
	switch (k) {
	case K_DESC:
		return text_of(ps, &sc->desc);
	case K_BASIS:
		return text_of(ps, &sc->basis);
	case K_CLAIM:
		return text_of(ps, &sc->claim_src);
	case K_CLOSER:
		if ((ret = word_of(ps, side_name, RS_SIDE_N, &v)))
			return ret;
		sc->closer = (uint8_t)v;
		if ((ret = word_of(ps, close_name, RS_CLOSE_NMODES, &v)))
			return ret;
		sc->mode = (uint8_t)v;
		break;
	case K_WAIT:
		if ((ret = word_of(ps, wait_name, RS_SCW_N, &v)))
			return ret;
		sc->wait = (uint8_t)v;
		break;
	case K_PATH:
		skip_blank(ps);
		ps->path_col = col_of(ps, ps->cur);
		if ((ret = word_of(ps, path_name, RS_PATH_N, &v)))
			return ret;
		sc->path = (uint8_t)v;
		break;
	case K_VSENDS:
	case K_CSENDS:
		if ((ret = number(ps, UINT16_MAX, &v)))
			return ret;
		if (k == K_VSENDS)
			sc->victim_sends = (uint16_t)v;
		else
			sc->closer_sends = (uint16_t)v;
		break;
	case K_BEFORE:
		skip_blank(ps);
		ps->before_line = ps->lineno;
		ps->before_col = col_of(ps, ps->cur);
		if ((ret = number(ps, RS_SC_MAX_OPS - 1, &v)))
			return ret;
		sc->ops_before = (uint8_t)v;
		break;
	case K_SIGACT:
		if ((ret = word_of(ps, sigdisp_name, RS_SIGDISP_N, &v)))
			return ret;
		sc->sigdisp = (uint8_t)v;
		break;
	case K_SOCKET: {
		struct tok t = next_tok(ps);

		if (tok_is(&t, "nonblock"))
			sc->nonblock = true;
		else if (tok_is(&t, "block"))
			sc->nonblock = false;
		else
			return perr_tok(ps, &t, "block or nonblock");
		break;
	}
	case K_TESTONLY:
		sc->test_only = true;
		break;
	case K_OP:
		return op_line(ps, kcol);
	case K_SIGPIPE:
		if ((ret = word_of(ps, sigexp_name, RS_SIG_N, &v)))
			return ret;
		sc->sigpipe = (uint8_t)v;
		break;
	default:
		break;
	}
	return end_of_line(ps);
}

static int parse_all(struct parser *ps, struct rs_scen_set *mine,
		     const struct rs_scen_set *set, size_t max)
{
	const char *p = ps->text;
	int ret;

	for (ps->lineno = 1;; ps->lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(ps->end - p));
		struct tok t;
		unsigned k;

		ps->line = p;
		ps->eol = nl ? nl : ps->end;
		if (ps->eol > p && ps->eol[-1] == '\r')
			ps->eol--;
		ps->cur = p;
		if (p == ps->end) {
			/* the end of the file */
			t.p = p;
			t.n = 0;
			t.col = 1;
			if (!ps->sc)
				return perr(ps, 1, NULL, 0,
					    "'scenario NAME' (a file holds one scenario or more)");
			return finish(ps, &t);
		}
		for (const char *c = p; c < ps->eol; c++) {
			unsigned char b = (unsigned char)*c;

			if ((b < 0x20 && b != '\t') || b == 0x7f)
				return perr(ps, col_of(ps, c), c, 1,
					    "text, a space or a tab");
		}
		p = nl ? nl + 1 : ps->end;
		t = next_tok(ps);
		if (!t.n)
			continue; /* blank, or a comment */
		for (k = 0; k < K_N; k++)
			if (tok_is(&t, key_names[k]))
				break;
		if (k == K_N) {
			char a[300];
			size_t n = 0;

			for (unsigned i = 0; i < K_N; i++)
				n += (size_t)snprintf(a + n, sizeof(a) - n,
						      "%s%s", i ? ", " : "",
						      key_names[i]);
			return perr_tok(ps, &t, a);
		}
		if (k == K_SCENARIO) {
			if (ps->sc && (ret = finish(ps, &t)))
				return ret;
			ret = start(ps, mine, set, max, t.col);
		} else if (!ps->sc) {
			return perr_tok(ps, &t, "'scenario NAME' first");
		} else {
			ret = key_line(ps, (enum key)k, t.col);
		}
		if (ret)
			return ret;
	}
}

int rs_scenfile_parse(struct rs_scen_set *set, const char *file,
		      const char *text, size_t len, bool user, size_t max,
		      char *err, size_t errlen)
{
	struct rs_scen_set mine = { 0 };
	struct parser ps = { 0 };
	int ret;

	ps.file = file;
	ps.text = text;
	ps.end = text + len;
	ps.err = err;
	ps.errlen = errlen;
	ret = parse_all(&ps, &mine, set, max);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory reading it", file);
	for (size_t i = 0; !ret && i < mine.n; i++) {
		mine.v[i]->user = user;
		if (set_push(set, mine.v[i])) {
			/* the ones pushed already go with the rest */
			set->n -= i;
			snprintf(err, errlen, "%s: out of memory reading it",
				 file);
			ret = -ENOMEM;
		}
	}
	if (ret)
		rs_scen_set_free(&mine);
	else
		free(mine.v);
	return ret;
}

/* --------------------------------------------------------- printing */

struct out {
	char *buf;
	size_t len, n;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->n < o->len ? o->buf + o->n : NULL,
		      o->n < o->len ? o->len - o->n : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
}

size_t rs_scenfile_print(const struct rs_scenario *sc, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	put(&o, "scenario %s\n", sc->name);
	put(&o, "desc %s\n", sc->desc);
	put(&o, "basis %s\n", sc->basis);
	if (sc->claim_src)
		put(&o, "claim %s\n", sc->claim_src);
	put(&o, "closer %s %s\n", rs_side_name(sc->closer),
	    rs_close_name(sc->mode));
	put(&o, "wait %s\n", rs_sc_wait_name(sc->wait));
	put(&o, "path %s\n", rs_path_name(sc->path));
	put(&o, "victim-sends %u\n", sc->victim_sends);
	put(&o, "closer-sends %u\n", sc->closer_sends);
	put(&o, "before %u\n", sc->ops_before);
	put(&o, "sigpipe-action %s\n", rs_sigdisp_name(sc->sigdisp));
	put(&o, "socket %s\n", sc->nonblock ? "nonblock" : "block");
	if (sc->test_only)
		put(&o, "test-only\n");
	for (unsigned i = 0; i < sc->nops && i < RS_SC_MAX_OPS; i++) {
		const struct rs_sc_op *op = &sc->op[i];
		char e[48];

		rs_sc_exp_format(op, e, sizeof(e));
		put(&o, "op %s%s expect %s", rs_sop_name(op->kind),
		    op->gap ? " gap" : "", e);
		if (op->exp_kind != RS_EXP_EXACT)
			put(&o, " %s", rs_exp_kind_name(op->exp_kind));
		if (op->claim >= 0)
			put(&o, " claim %s", rs_result_name((unsigned)op->claim));
		put(&o, "\n");
	}
	put(&o, "sigpipe %s\n", rs_sig_exp_name(sc->sigpipe));
	return o.n;
}
