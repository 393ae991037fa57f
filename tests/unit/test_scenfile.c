/* Unit tests for scenario files (src/scenfile.c): every built-in file
 * parses alone and holds the scenario its name says; print then parse gives
 * back every built-in field by field; every name of every enum parses; the
 * limits hold; malformed files give the exact FILE:LINE:COL message; a
 * file that fails adds nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "plan.h"
#include "scenario.h"
#include "scenfile.h"

/* the smallest complete scenario, for edits */
#define HEAD "scenario t\ndesc d\nbasis b\ncloser server fin\nwait observed\npath inline\n"
#define TAIL "sigpipe none\n"

static int parse(struct rs_scen_set *set, const char *text, char *err,
		 size_t len)
{
	return rs_scenfile_parse(set, "f.scn", text, strlen(text), true,
				 RS_SC_MAX_TOTAL, err, len);
}

static void assert_same(const struct rs_scenario *a,
			const struct rs_scenario *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->desc, b->desc);
	assert_string_equal(a->basis, b->basis);
	if (a->claim_src || b->claim_src) {
		assert_non_null(a->claim_src);
		assert_non_null(b->claim_src);
		assert_string_equal(a->claim_src, b->claim_src);
	}
	assert_int_equal(a->closer, b->closer);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->wait, b->wait);
	assert_int_equal(a->path, b->path);
	assert_int_equal(a->victim_sends, b->victim_sends);
	assert_int_equal(a->closer_sends, b->closer_sends);
	assert_int_equal(a->ops_before, b->ops_before);
	assert_int_equal(a->nops, b->nops);
	for (unsigned i = 0; i < a->nops; i++) {
		const struct rs_sc_op *x = &a->op[i], *y = &b->op[i];

		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->gap, y->gap);
		assert_int_equal(x->exp_kind, y->exp_kind);
		assert_int_equal(x->nexp, y->nexp);
		for (unsigned e = 0; e < x->nexp; e++)
			assert_int_equal(x->exp[e], y->exp[e]);
		assert_int_equal(x->claim, y->claim);
	}
	assert_int_equal(a->sigpipe, b->sigpipe);
	assert_int_equal(a->test_only, b->test_only);
	assert_int_equal(a->sigdisp, b->sigdisp);
	assert_int_equal(a->nonblock, b->nonblock);
}

static void test_builtins_parse(void **state)
{
	(void)state;
	assert_true(rs_builtin_scen_n >= 20);
	assert_int_equal(rs_scenario_builtin_count(), rs_builtin_scen_n);
	for (size_t i = 0; i < rs_builtin_scen_n; i++) {
		struct rs_scen_set set = { 0 };
		char err[512] = "", want[80];
		const char *t = rs_builtin_scen[i].text;
		int r = rs_scenfile_parse(&set, rs_builtin_scen[i].file, t,
					  strlen(t), false, RS_SC_MAX_TOTAL,
					  err, sizeof(err));

		if (r)
			fail_msg("%s", err);
		/* one scenario per file, named as the file */
		assert_int_equal(set.n, 1);
		snprintf(want, sizeof(want), "scenarios/%s.scn", set.v[0]->name);
		assert_string_equal(rs_builtin_scen[i].file, want);
		assert_int_equal(set.v[0]->line, 1);
		assert_false(set.v[0]->user);
		/* the catalogue holds the same, in the same order */
		assert_same(set.v[0], rs_scenario_at(i));
		rs_scen_set_free(&set);
	}
}

static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < rs_scenario_count(); i++) {
		const struct rs_scenario *sc = rs_scenario_at(i);
		struct rs_scen_set set = { 0 };
		size_t n = rs_scenfile_print(sc, NULL, 0);
		char *buf = malloc(n + 1), err[512] = "";

		assert_non_null(buf);
		assert_int_equal(rs_scenfile_print(sc, buf, n + 1), n);
		assert_int_equal(strlen(buf), n);
		if (parse(&set, buf, err, sizeof(err)))
			fail_msg("%s: %s", sc->name, err);
		assert_int_equal(set.n, 1);
		assert_same(sc, set.v[0]);
		/* and the text is a fixed point */
		{
			char *again = malloc(n + 1);

			assert_non_null(again);
			rs_scenfile_print(set.v[0], again, n + 1);
			assert_string_equal(buf, again);
			free(again);
		}
		rs_scen_set_free(&set);
		free(buf);
	}
}

/* a field set to every value its enum has: each name parses back to it
 * (the parser takes its words from the name functions) */
static void test_every_name(void **state)
{
	struct rs_scenario sc;
	char buf[2048], err[512];

	(void)state;
	memset(&sc, 0, sizeof(sc));
	sc.name = "every";
	sc.desc = "d";
	sc.basis = "b";
	sc.nops = 1;
	sc.op[0].nexp = 1;
	sc.op[0].claim = -1;
	for (unsigned f = 0; f < 8; f++) {
		static const unsigned n[8] = { RS_SOP_N, RS_SIDE_N,
					       RS_CLOSE_NMODES, RS_SCW_N,
					       RS_PATH_N, RS_SIGDISP_N,
					       RS_SIG_N, RS_EXP_N };

		for (unsigned v = 0; v < n[f]; v++) {
			struct rs_scenario t = sc;
			struct rs_scen_set set = { 0 };

			switch (f) {
			case 0: t.op[0].kind = (uint8_t)v; break;
			case 1: t.closer = (uint8_t)v; break;
			case 2: t.mode = (uint8_t)v; break;
			case 3: t.wait = (uint8_t)v; break;
			case 4: t.path = (uint8_t)v; break;
			case 5: t.sigdisp = (uint8_t)v; break;
			case 6: t.sigpipe = (uint8_t)v; break;
			default: t.op[0].exp_kind = (uint8_t)v; break;
			}
			/* a system call runs inline only */
			if (f == 4)
				t.op[0].kind = RS_SOP_SEND;
			rs_scenfile_print(&t, buf, sizeof(buf));
			if (parse(&set, buf, err, sizeof(err)))
				fail_msg("field %u value %u: %s", f, v, err);
			assert_same(&t, set.v[0]);
			rs_scen_set_free(&set);
		}
	}
	/* every result name, in expect and claim */
	for (unsigned r = 0; r < RS_RES_N; r++) {
		struct rs_scenario t = sc;
		struct rs_scen_set set = { 0 };

		t.claim_src = "c";
		t.op[0].exp[0] = (uint16_t)r;
		t.op[0].claim = (int16_t)r;
		rs_scenfile_print(&t, buf, sizeof(buf));
		if (parse(&set, buf, err, sizeof(err)))
			fail_msg("result %u: %s", r, err);
		assert_same(&t, set.v[0]);
		rs_scen_set_free(&set);
	}
}

/* text -> the exact one-line message */
static const struct {
	const char *text, *msg;
} bad[] = {
	{ "", "f.scn:1:1: expected 'scenario NAME' (a file holds one scenario or more), found end of file" },
	{ "# only a comment\n", "f.scn:2:1: expected 'scenario NAME' (a file holds one scenario or more), found end of file" },
	{ "desc x\n", "f.scn:1:1: expected 'scenario NAME' first, found 'desc'" },
	{ "scenario Bad\n", "f.scn:1:10: expected a scenario name: lowercase letters, digits and '-' (not first), at most 40, found 'Bad'" },
	{ "scenario -a\n", "f.scn:1:10: expected a scenario name: lowercase letters, digits and '-' (not first), at most 40, found '-a'" },
	{ "scenario\n", "f.scn:1:9: expected a scenario name: lowercase letters, digits and '-' (not first), at most 40, found end of line" },
	{ "scenario a b\n", "f.scn:1:12: expected end of line (or a # comment), found 'b'" },
	{ HEAD "frob 1\n", "f.scn:7:1: expected scenario, desc, basis, claim, closer, wait, path, victim-sends, closer-sends, before, sigpipe-action, socket, test-only, op, sigpipe, found 'frob'" },
	{ HEAD "desc again\n", "f.scn:7:1: expected each key once per scenario ('desc' is at line 2), found 'desc'" },
	{ HEAD "op sendd expect ok\n", "f.scn:7:4: expected send, sendmsg, write, send-flags0, recv, read, sys-send, sys-write, sys-recv, sys-read, so-error, poll-err or recv-dontwait, found 'sendd'" },
	{ HEAD "op send\n", "f.scn:7:8: expected 'expect' and the expected result(s) of the op, found end of line" },
	{ HEAD "op send expect\n", "f.scn:7:15: expected the expected result(s) after 'expect': R or R|R, found end of line" },
	{ HEAD "op send expect EPIPX\n", "f.scn:7:16: expected a result: ok, eof, timeout, short, or an errno name such as EPIPE or ECONNRESET, found 'EPIPX'" },
	{ HEAD "op send expect ok|\n", "f.scn:7:19: expected a result: ok, eof, timeout, short, or an errno name such as EPIPE or ECONNRESET, found ''" },
	{ HEAD "op send expect ok|ok\n", "f.scn:7:19: expected a second result other than the first, found 'ok'" },
	{ HEAD "op send expect ok|eof|EPIPE\n", "f.scn:7:16: expected at most 2 results (R|R), found 'ok|eof|EPIPE'" },
	{ HEAD "op send gap gap expect ok\n", "f.scn:7:13: expected each at most once: gap, expect R, claim R, exact, ordered or measured, found 'gap'" },
	{ HEAD "op send expect ok exact measured\n", "f.scn:7:25: expected each at most once: gap, expect R, claim R, exact, ordered or measured, found 'measured'" },
	{ HEAD "op send expect ok\nop send expect ok\nop send expect ok\nop send expect ok\nop send expect ok\nop send expect ok\nop send expect ok\n", "f.scn:13:1: expected at most 6 ops per scenario, found 'op'" },
	{ "scenario t\ncloser server\n", "f.scn:2:14: expected fin, rst, unread or shutdown, found end of line" },
	{ "scenario t\ncloser both fin\n", "f.scn:2:8: expected server or client, found 'both'" },
	{ "scenario t\nwait later\n", "f.scn:2:6: expected observed, none or xcpu, found 'later'" },
	{ "scenario t\npath fast\n", "f.scn:2:6: expected inline, io-wq or sqpoll, found 'fast'" },
	{ "scenario t\nsigpipe many\n", "f.scn:2:9: expected none, per-EPIPE, pre-5.12, measured or coalesced, found 'many'" },
	{ "scenario t\nsigpipe-action catch\n", "f.scn:2:16: expected count, default or ignore, found 'catch'" },
	{ "scenario t\nsocket fast\n", "f.scn:2:8: expected block or nonblock, found 'fast'" },
	{ "scenario t\nvictim-sends 65536\n", "f.scn:2:14: expected a whole number from 0 to 65535, found '65536'" },
	{ "scenario t\nvictim-sends -1\n", "f.scn:2:14: expected a whole number from 0 to 65535, found '-1'" },
	{ "scenario t\nbefore 6\n", "f.scn:2:8: expected a whole number from 0 to 5, found '6'" },
	{ "scenario t\ndesc   \n", "f.scn:2:8: expected a one-line text, found end of line" },
	{ "scenario t\ndesc a\x01z\n", "f.scn:2:7: expected text, a space or a tab, found '\\x01'" },
	{ "scenario t\ntest-only yes\n", "f.scn:2:11: expected end of line (or a # comment), found 'yes'" },
	/* what only the whole scenario tells */
	{ "scenario t\ndesc d\n", "f.scn:3:1: expected a 'basis' line in scenario 't' (line 1), found end of file" },
	{ "scenario t\ndesc d\nscenario u\n", "f.scn:3:1: expected a 'basis' line in scenario 't' (line 1), found 'scenario'" },
	{ HEAD TAIL, "f.scn:8:1: expected an 'op' line in scenario 't' (line 1), found end of file" },
	{ HEAD "before 1\nop send expect ok\n" TAIL, "f.scn:7:8: expected a 'before' count below the 1 op of scenario 't' (at least one op runs after the close), found '1'" },
	{ "scenario t\ndesc d\nbasis b\ncloser server fin\nwait observed\npath io-wq\nop sys-send expect ok\n" TAIL, "f.scn:7:4: expected an io_uring op on path io-wq (a system call runs on the calling thread: path inline), found 'sys-send'" },
	{ HEAD "op send expect ok claim ok\n" TAIL, "f.scn:7:19: expected a 'claim SOURCE' line in scenario 't' naming whose claims the ops' claims are, found 'claim'" },
	{ HEAD "op send expect ok\n" TAIL "scenario t\n", "f.scn:9:10: expected a name not used yet (f.scn:1 has it), found 't'" },
	{ "scenario seed-go\n", "f.scn:1:10: expected a name not used yet (scenarios/seed-go.scn:1 has it), found 'seed-go'" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rs_scen_set set = { 0 };
		char err[1024] = "";
		int r;

		/* against the built-ins, for the name already taken */
		for (size_t k = 0; k < rs_scenario_builtin_count(); k++) {
			set.v = realloc(set.v, (k + 1) * sizeof(*set.v));
			set.v[k] = (struct rs_scenario *)rs_scenario_at(k);
			set.n = set.cap = k + 1;
		}
		r = parse(&set, bad[i].text, err, sizeof(err));
		if (r != -EINVAL || strcmp(err, bad[i].msg) != 0)
			fail_msg("case %zu: r %d\n got: %s\nwant: %s", i, r,
				 err, bad[i].msg);
		/* nothing added */
		assert_int_equal(set.n, rs_scenario_builtin_count());
		free(set.v);
	}
}

static void test_good_forms(void **state)
{
	struct rs_scen_set set = { 0 };
	char err[512] = "";
	const char *text =
		"# comments, blank lines, tabs, CRLF, two scenarios\r\n"
		"\n"
		"scenario\ta-1   # trailing comment\r\n"
		"  desc   has a # inside, kept  \r\n"
		"basis b\n"
		"claim the write-up\n"
		"closer client rst\n"
		"wait xcpu\n"
		"path sqpoll\n"
		"victim-sends 65535\n"
		"before 1\n"
		"socket nonblock\n"
		"sigpipe-action ignore\n"
		"test-only\n"
		"op send expect ok\n"
		"op recv gap expect eof|ECONNRESET measured claim ECONNRESET # c\n"
		"sigpipe per-EPIPE\n"
		"scenario b\n"
		"desc d\nbasis b\nclaim c\ncloser server unread\nwait none\npath inline\n"
		"op so-error claim E58 expect E58 ordered gap\n"
		"sigpipe pre-5.12";
	const struct rs_scenario *a, *b;

	(void)state;
	if (parse(&set, text, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(set.n, 2);
	a = set.v[0];
	b = set.v[1];
	assert_string_equal(a->name, "a-1");
	assert_int_equal(a->line, 3);
	assert_true(a->user);
	assert_string_equal(a->desc, "has a # inside, kept");
	assert_string_equal(a->claim_src, "the write-up");
	assert_int_equal(a->closer, RS_SIDE_CLIENT);
	assert_int_equal(a->mode, RS_CLOSE_RST);
	assert_int_equal(a->wait, RS_SCW_XCPU);
	assert_int_equal(a->path, RS_PATH_SQPOLL);
	assert_int_equal(a->victim_sends, 65535);
	assert_int_equal(a->closer_sends, 0);
	assert_int_equal(a->ops_before, 1);
	assert_true(a->nonblock);
	assert_int_equal(a->sigdisp, RS_SIGDISP_IGNORE);
	assert_true(a->test_only);
	assert_int_equal(a->nops, 2);
	assert_int_equal(a->op[1].kind, RS_SOP_RECV);
	assert_true(a->op[1].gap);
	assert_int_equal(a->op[1].nexp, 2);
	assert_int_equal(a->op[1].exp[0], RS_RES_EOF);
	assert_int_equal(a->op[1].exp[1], RS_RES_ERRNO0 + ECONNRESET);
	assert_int_equal(a->op[1].exp_kind, RS_EXP_MEASURED);
	assert_int_equal(a->op[1].claim, RS_RES_ERRNO0 + ECONNRESET);
	assert_int_equal(a->op[0].claim, -1);
	assert_int_equal(a->sigpipe, RS_SIG_PER_EPIPE);
	assert_int_equal(b->line, 18);
	assert_false(b->nonblock);
	assert_int_equal(b->sigdisp, RS_SIGDISP_COUNT);
	assert_int_equal(b->mode, RS_CLOSE_UNREAD);
	assert_int_equal(b->op[0].kind, RS_SOP_SOERROR);
	assert_int_equal(b->op[0].exp[0], RS_RES_ERRNO0 + 58);
	assert_int_equal(b->op[0].exp_kind, RS_EXP_ORDERED);
	assert_int_equal(b->sigpipe, RS_SIG_PRE_5_12);
	assert_string_equal(b->claim_src, "c");
	assert_int_equal(b->op[0].claim, RS_RES_ERRNO0 + 58);
	assert_true(b->op[0].gap);
	rs_scen_set_free(&set);
	rs_scen_set_free(&set); /* twice is fine */
	rs_scen_set_free(NULL);
}

static void test_limits(void **state)
{
	struct rs_scen_set set = { 0 };
	char err[512], name[64], text[1024], desc[RS_SC_TEXT_MAX + 2];

	(void)state;
	/* a name of 40 bytes, not 41 */
	memset(name, 'n', RS_SC_NAME_MAX);
	name[RS_SC_NAME_MAX] = '\0';
	snprintf(text, sizeof(text),
		 "scenario %s\ndesc d\nbasis b\ncloser server fin\nwait observed\npath inline\nop send expect ok\nsigpipe none\n",
		 name);
	assert_int_equal(parse(&set, text, err, sizeof(err)), 0);
	snprintf(text, sizeof(text),
		 "scenario %sn\ndesc d\nbasis b\ncloser server fin\nwait observed\npath inline\nop send expect ok\nsigpipe none\n",
		 name);
	assert_int_equal(parse(&set, text, err, sizeof(err)), -EINVAL);
	rs_scen_set_free(&set);
	/* a text of RS_SC_TEXT_MAX bytes, not one more */
	memset(desc, 'd', RS_SC_TEXT_MAX);
	desc[RS_SC_TEXT_MAX] = '\0';
	snprintf(text, sizeof(text), "scenario t\ndesc %s\n", desc);
	assert_int_equal(parse(&set, text, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected a 'basis' line")); /* desc passed */
	snprintf(text, sizeof(text), "scenario t\ndesc %sx\n", desc);
	assert_int_equal(parse(&set, text, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "f.scn:2:406: expected a text of at most 400 bytes, found 'x'");
	/* a NUL is refused, not taken for the end */
	assert_int_equal(rs_scenfile_parse(&set, "f.scn", "scenario a\0b\n", 13,
					   true, 10, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "f.scn:1:11: expected text, a space or a tab, found '\\x00'");
	/* the total */
	{
		const char *one = "scenario a\ndesc d\nbasis b\ncloser server fin\nwait observed\npath inline\nop send expect ok\nsigpipe none\nscenario b\n";

		assert_int_equal(rs_scenfile_parse(&set, "f.scn", one,
						   strlen(one), true, 1, err,
						   sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "f.scn:9:1: expected at most 1 scenarios in all, found 'scenario'");
		assert_int_equal(set.n, 0);
	}
}

static void test_print_truncates(void **state)
{
	const struct rs_scenario *sc = rs_scenario_at(0);
	size_t n = rs_scenfile_print(sc, NULL, 0);
	char small[16];

	(void)state;
	assert_true(n > sizeof(small));
	assert_int_equal(rs_scenfile_print(sc, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "scenario ", 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins_parse),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_name),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_good_forms),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_print_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
