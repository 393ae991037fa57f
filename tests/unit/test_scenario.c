/* Unit tests for the scenario catalogue and expectation table
 * (src/scenario.c): every entry is well formed, names are unique, the seeds
 * are there, test-only entries stay hidden, and the judging rules (exact or
 * a share; the SIGPIPE rule by kernel and path) say what the docs say. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "plan.h"
#include <stdio.h>

#include "scenario.h"

static void test_entries_well_formed(void **state)
{
	(void)state;
	assert_true(rs_scenario_count() >= 20);
	for (size_t i = 0; i < rs_scenario_count(); i++) {
		const struct rs_scenario *sc = rs_scenario_at(i);

		assert_non_null(sc->name);
		assert_non_null(sc->desc);
		assert_non_null(sc->basis);
		assert_true(strlen(sc->basis) > 10);
		assert_in_range(sc->nops, 1, RS_SC_MAX_OPS);
		assert_true(sc->ops_before < sc->nops);
		assert_in_range(sc->mode, 0, RS_CLOSE_NMODES - 1);
		for (unsigned k = 0; k < sc->nops; k++) {
			const struct rs_sc_op *op = &sc->op[k];

			assert_in_range(op->kind, 0, RS_SOP_N - 1);
			assert_in_range(op->nexp, 1, 2);
			for (unsigned e = 0; e < op->nexp; e++)
				assert_in_range(op->exp[e], 0, RS_RES_N - 1);
			if (op->claim >= 0)
				assert_non_null(sc->claim_src);
			/* a syscall op cannot be made async or SQPOLL;
			 * the poll for the error waits between ring ops
			 * on any path */
			if (!rs_sop_is_uring(op->kind) &&
			    op->kind != RS_SOP_POLLERR)
				assert_int_equal(sc->path, RS_PATH_INLINE);
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(rs_scenario_at(j)->name, sc->name) == 0)
				fail_msg("scenario name twice: %s", sc->name);
	}
}

static void test_seeds_present(void **state)
{
	const struct rs_scenario *go, *jf, *jr;

	(void)state;
	unsetenv("RS_TEST_SCENARIOS");
	go = rs_scenario_find("seed-go");
	jf = rs_scenario_find("seed-java-fin");
	jr = rs_scenario_find("seed-java-rst");
	assert_non_null(go);
	assert_non_null(jf);
	assert_non_null(jr);
	/* Go: the server closes; the third write is claimed EPIPE */
	assert_int_equal(go->closer, RS_SIDE_SERVER);
	assert_int_equal(go->nops, 3);
	assert_int_equal(go->op[2].claim, RS_RES_ERRNO0 + EPIPE);
	assert_int_equal(go->op[2].exp[0], RS_RES_ERRNO0 + EPIPE);
	/* Java: the client closes, the server writes */
	assert_int_equal(jf->closer, RS_SIDE_CLIENT);
	assert_int_equal(jr->closer, RS_SIDE_CLIENT);
	assert_int_equal(jr->mode, RS_CLOSE_RST);
	/* the Java RST claim (reset by peer on every op) is kept as the
	 * write-up states it, while the expectation says what Linux does */
	assert_int_equal(jr->op[2].claim, RS_RES_ERRNO0 + ECONNRESET);
	assert_int_equal(jr->op[2].exp[0], RS_RES_ERRNO0 + EPIPE);
}

static void test_test_only_hidden(void **state)
{
	(void)state;
	unsetenv("RS_TEST_SCENARIOS");
	assert_null(rs_scenario_find("test-wrong-expectation"));
	assert_false(rs_scenario_test_visible());
	setenv("RS_TEST_SCENARIOS", "1", 1);
	assert_non_null(rs_scenario_find("test-wrong-expectation"));
	unsetenv("RS_TEST_SCENARIOS");
	assert_null(rs_scenario_find("no-such"));
}

static void test_exactness(void **state)
{
	const struct rs_scenario *fin = rs_scenario_find("fin-write3");
	const struct rs_scenario *fa = rs_scenario_find("fin-write3-async");
	const struct rs_scenario *race = rs_scenario_find("race-fin-nowait");

	(void)state;
	/* the first write after a FIN is exact everywhere */
	assert_true(rs_sc_op_exact(fin, 0, false));
	assert_true(rs_sc_op_exact(fin, 0, true));
	/* the write after the drawn RST: exact alone inline only */
	assert_true(rs_sc_op_exact(fin, 1, false));
	assert_false(rs_sc_op_exact(fin, 1, true));
	assert_false(rs_sc_op_exact(fa, 1, false));
	/* races are never exact */
	assert_false(rs_sc_op_exact(race, 0, false));
}

static void test_sig_rules(void **state)
{
	(void)state;
	/* SEND without MSG_NOSIGNAL: signals on an io_uring without 5.12's
	 * NATIVE_WORKERS (coalesced per io_uring_enter), none since */
	assert_int_equal(rs_sc_sig_rule(rs_scenario_find("fin-write3-send-flags0"),
					0x3ffff),
			 RS_SIG_NONE);
	/* Debian's 5.10.223: 5.15's io_uring, features 0x7ff */
	assert_int_equal(rs_sc_sig_rule(rs_scenario_find("fin-write3-send-flags0"),
					0x7ff),
			 RS_SIG_NONE);
	/* upstream 5.10/5.11: no NATIVE_WORKERS */
	assert_int_equal(rs_sc_sig_rule(rs_scenario_find("fin-write3-send-flags0"),
					0x1ff),
			 RS_SIG_COALESCED);
	/* write(2): one per EPIPE; IORING_OP_WRITE inline: coalesced; on
	 * io-wq: measured */
	assert_int_equal(rs_sc_sig_rule(rs_scenario_find("fin-write3-sys-write"),
					0x3ffff),
			 RS_SIG_PER_EPIPE);
	assert_int_equal(rs_sc_sig_rule(rs_scenario_find("fin-write3-write"),
					0x3ffff),
			 RS_SIG_COALESCED);
	assert_int_equal(rs_sc_sig_rule(rs_scenario_find("fin-write3-write-async"),
					0x3ffff),
			 RS_SIG_MEASURED);
	assert_string_equal(rs_sig_rule_name(RS_SIG_COALESCED), "1..per-EPIPE");
}

static void test_exp_format(void **state)
{
	struct rs_sc_op op = { RS_SOP_SEND, false, RS_EXP_EXACT, 2,
			       { RS_RES_OK, RS_RES_ERRNO0 + EPIPE }, -1 };
	char buf[40];

	(void)state;
	rs_sc_exp_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, "ok|EPIPE");
	op.nexp = 1;
	rs_sc_exp_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, "ok");
	assert_string_equal(rs_sop_name(RS_SOP_SOERROR), "so-error");
	assert_string_equal(rs_sop_name(RS_SOP_N), "?");
}

/* two errnos without a name must print as two different names, not the
 * second twice (a shared formatting buffer) */
static void test_exp_format_unnamed(void **state)
{
	struct rs_sc_op op = { RS_SOP_SEND, false, RS_EXP_EXACT, 2,
			       { RS_RES_ERRNO0 + 41, RS_RES_ERRNO0 + 58 },
			       -1 };
	char buf[40], want[40], a[24];

	(void)state;
	snprintf(a, sizeof(a), "%s", rs_result_name(op.exp[0]));
	snprintf(want, sizeof(want), "%s|%s", a, rs_result_name(op.exp[1]));
	rs_sc_exp_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_string_not_equal(a, rs_result_name(op.exp[1]));
}

/* Which ops go through the ring: named one by one (an order-based test
 * broke when ops were appended), every kind named. */
static void test_sop_kinds(void **state)
{
	(void)state;
	for (unsigned k = 0; k < RS_SOP_N; k++)
		assert_string_not_equal(rs_sop_name(k), "?");
	assert_true(rs_sop_is_uring(RS_SOP_SEND));
	assert_true(rs_sop_is_uring(RS_SOP_READ));
	assert_false(rs_sop_is_uring(RS_SOP_POLLERR));
	assert_true(rs_sop_is_uring(RS_SOP_RECV_DW));
	assert_false(rs_sop_is_uring(RS_SOP_SYS_SEND));
	assert_false(rs_sop_is_uring(RS_SOP_SYS_READ));
	assert_false(rs_sop_is_uring(RS_SOP_SOERROR));
	assert_false(rs_sop_is_uring(RS_SOP_N));
	assert_false(rs_sop_is_write(RS_SOP_POLLERR));
	assert_false(rs_sop_is_write(RS_SOP_RECV_DW));
	assert_string_equal(rs_sop_name(RS_SOP_POLLERR), "poll-err");
	assert_string_equal(rs_sop_name(RS_SOP_RECV_DW), "recv-dontwait");
}

/* SIGPIPE's default action: the kill is an op's result, after which
 * only not-run can follow; the check's counter sees no child's signal,
 * so such a scenario's rule is none. killed:SIGPIPE and not-run appear
 * in no other scenario. */
static void test_sigdisp_entries(void **state)
{
	unsigned dfl = 0, ign = 0, nb = 0;

	(void)state;
	assert_string_equal(rs_sigdisp_name(RS_SIGDISP_DEFAULT), "default");
	assert_string_equal(rs_sigdisp_name(RS_SIGDISP_IGNORE), "ignore");
	for (size_t i = 0; i < rs_scenario_count(); i++) {
		const struct rs_scenario *sc = rs_scenario_at(i);
		bool killed = false;

		dfl += sc->sigdisp == RS_SIGDISP_DEFAULT;
		ign += sc->sigdisp == RS_SIGDISP_IGNORE;
		nb += sc->nonblock;
		if (sc->sigdisp != RS_SIGDISP_COUNT)
			assert_int_equal(sc->sigpipe, RS_SIG_NONE);
		for (unsigned k = 0; k < sc->nops; k++) {
			unsigned r = sc->op[k].exp[0];

			if (sc->sigdisp != RS_SIGDISP_DEFAULT)
				assert_true(r != RS_RES_KILLED &&
					    r != RS_RES_NOTRUN);
			if (killed)
				assert_int_equal(r, RS_RES_NOTRUN);
			else if (r == RS_RES_NOTRUN)
				fail_msg("%s: op %u not-run before a kill",
					 sc->name, k + 1);
			killed |= r == RS_RES_KILLED;
			/* a kill comes only from a write */
			if (r == RS_RES_KILLED)
				assert_true(rs_sop_is_write(sc->op[k].kind));
		}
	}
	assert_true(dfl >= 4);
	assert_true(ign >= 4);
	assert_true(nb >= 2);
	/* a default-action scenario the kill ends, and one on SQPOLL that
	 * nothing kills */
	assert_int_equal(rs_scenario_find("sigdfl-fin-sys-write")->op[1].exp[0],
			 RS_RES_KILLED);
	assert_int_equal(rs_scenario_find("sigdfl-rst-write-sqpoll")->op[1].exp[0],
			 RS_RES_ERRNO0 + EPIPE);
}

static void test_describe_closer(void **state)
{
	const struct rs_scenario *sc = rs_scenario_find("fin-write3");
	char buf[160];

	(void)state;
	rs_sc_describe(sc, RS_SIDE_SERVER, buf, sizeof(buf));
	assert_string_equal(buf, "server closes (FIN); client sends 3 times");
	rs_sc_describe(sc, RS_SIDE_CLIENT, buf, sizeof(buf));
	assert_string_equal(buf, "client closes (FIN); server sends 3 times");
	sc = rs_scenario_find("seed-java-fin");
	rs_sc_describe(sc, RS_SIDE_SERVER, buf, sizeof(buf));
	assert_non_null(strstr(buf, "server writes 12 bytes"));
	assert_non_null(strstr(buf, "client reads"));
	/* truncation keeps the terminator */
	rs_sc_describe(sc, RS_SIDE_SERVER, buf, 8);
	assert_int_equal(strlen(buf), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_well_formed),
		cmocka_unit_test(test_seeds_present),
		cmocka_unit_test(test_test_only_hidden),
		cmocka_unit_test(test_exactness),
		cmocka_unit_test(test_sig_rules),
		cmocka_unit_test(test_exp_format),
		cmocka_unit_test(test_exp_format_unnamed),
		cmocka_unit_test(test_describe_closer),
		cmocka_unit_test(test_sop_kinds),
		cmocka_unit_test(test_sigdisp_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
