/* Unit tests for the tcp_send_reset event-line parser and the per-trial
 * judge of src/rstreason.c, on lines as this kernel's `trace` prints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rstreason.h"
#include "scenario.h"

#define HEAD "          <idle>-0       [001] ..s2. 44442.611066: tcp_send_reset: skbaddr=00000000a1b2c3d4 skaddr=00000000cf92f1e1 "

static void test_parse_v4(void **state)
{
	struct rs_rst_ev e;

	(void)state;
	assert_int_equal(rs_rst_parse_line(HEAD "src=127.0.0.1:41073 dest=127.0.0.1:58452 state=TCP_CLOSE reason=TCP_STATE\n", &e), 0);
	assert_string_equal(e.src, "127.0.0.1:41073");
	assert_string_equal(e.dst, "127.0.0.1:58452");
	assert_int_equal(e.sport, 41073);
	assert_int_equal(e.dport, 58452);
	assert_string_equal(e.state, "TCP_CLOSE");
	assert_string_equal(e.reason, "TCP_STATE");
}

static void test_parse_v6_and_nosock(void **state)
{
	struct rs_rst_ev e;

	(void)state;
	assert_int_equal(rs_rst_parse_line(HEAD "src=[::1]:5000 dest=[::1]:40000 state=UNKNOWN reason=NO_SOCKET", &e), 0);
	assert_string_equal(e.src, "[::1]:5000");
	assert_int_equal(e.sport, 5000);
	assert_int_equal(e.dport, 40000);
	assert_string_equal(e.state, "UNKNOWN");
	assert_string_equal(e.reason, "NO_SOCKET");
}

/* a kernel before 6.10 prints no reason: "-" */
static void test_parse_no_reason(void **state)
{
	struct rs_rst_ev e;

	(void)state;
	assert_int_equal(rs_rst_parse_line(HEAD "src=127.0.0.1:1 dest=127.0.0.1:2 state=TCP_CLOSE\n", &e), 0);
	assert_string_equal(e.reason, "-");
	assert_int_equal(e.sport, 1);
}

static void test_parse_rejects(void **state)
{
	struct rs_rst_ev e;

	(void)state;
	assert_int_equal(rs_rst_parse_line("# tracer: nop\n", &e), -EINVAL);
	assert_int_equal(rs_rst_parse_line("", &e), -EINVAL);
	assert_int_equal(rs_rst_parse_line(NULL, &e), -EINVAL);
	/* another event */
	assert_int_equal(rs_rst_parse_line("x-1 [000] 1.0: tcp_receive_reset: src=127.0.0.1:1 dest=127.0.0.1:2\n", &e), -EINVAL);
	/* no port, a port out of range, no dest */
	assert_int_equal(rs_rst_parse_line(HEAD "src=127.0.0.1 dest=127.0.0.1:2 state=TCP_CLOSE reason=X", &e), -EINVAL);
	assert_int_equal(rs_rst_parse_line(HEAD "src=127.0.0.1:70000 dest=127.0.0.1:2 state=TCP_CLOSE reason=X", &e), -EINVAL);
	assert_int_equal(rs_rst_parse_line(HEAD "src=127.0.0.1:1 state=TCP_CLOSE reason=X", &e), -EINVAL);
	/* an address longer than the field */
	assert_int_equal(rs_rst_parse_line(HEAD "src=127.0.0.1:1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa dest=127.0.0.1:2", &e), -EINVAL);
}

static struct rs_rst_ev ev(uint16_t sp, uint16_t dp, const char *st,
			   const char *r)
{
	struct rs_rst_ev e;

	memset(&e, 0, sizeof(e));
	snprintf(e.src, sizeof(e.src), "127.0.0.1:%u", sp);
	snprintf(e.dst, sizeof(e.dst), "127.0.0.1:%u", dp);
	e.sport = sp;
	e.dport = dp;
	snprintf(e.state, sizeof(e.state), "%s", st);
	snprintf(e.reason, sizeof(e.reason), "%s", r);
	return e;
}

/* linger 0 by the server: one TCP_STATE from the server per trial; the
 * events of other ports are not the run's; one trial off is found */
static void test_judge_linger(void **state)
{
	struct rs_trial_rec rec[3];
	struct rs_rst_ev evs[5];
	struct rs_rst_tally t;

	(void)state;
	memset(rec, 0, sizeof(rec));
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < 3; i++) {
		rec[i].lport = 5000;
		rec[i].cport = (uint16_t)(40000 + i);
		rec[i].closer = RS_SIDE_SERVER;
		rec[i].n_state[0] = 1;
	}
	evs[0] = ev(5000, 40000, "TCP_CLOSE", "TCP_STATE");
	evs[1] = ev(5000, 40001, "TCP_CLOSE", "TCP_STATE");
	evs[2] = ev(6000, 40002, "TCP_CLOSE", "TCP_STATE"); /* not ours */
	evs[3] = ev(40002, 5000, "TCP_CLOSE", "TCP_ABORT_ON_CLOSE"); /* victim: off */
	evs[4] = ev(5000, 39999, "TCP_CLOSE", "TCP_STATE"); /* our port, no trial */
	rs_rst_judge(evs, 5, rec, 3, &t, NULL, "x");
	assert_int_equal(t.trials_exact, 2);
	assert_int_equal(t.trials_off, 1);
	assert_int_equal(t.events, 3);
	assert_int_equal(t.foreign, 1);
	assert_int_equal(t.nk, 2);
	assert_int_equal(t.k[0].side, RS_SIDE_SERVER);
	assert_string_equal(t.k[0].reason, "TCP_STATE");
	assert_int_equal(t.k[0].n, 2);
	assert_int_equal(t.k[1].side, RS_SIDE_CLIENT);
	assert_int_equal(t.k[1].n, 1);
	/* the one from our listener's port is kept by key apart */
	assert_int_equal(t.nlk, 1);
	assert_int_equal(t.lk[0].side, RS_SIDE_SERVER);
	assert_string_equal(t.lk[0].state, "TCP_CLOSE");
	assert_string_equal(t.lk[0].reason, "TCP_STATE");
	assert_int_equal(t.lk[0].n, 1);
}

/* after a FIN close: one RST from the orphan, full or timewait socket,
 * and later ones within the allowance; a victim's NO_SOCKET is off; a
 * missing RST is off */
static void test_judge_fin(void **state)
{
	struct rs_trial_rec rec[4];
	struct rs_rst_ev evs[5];
	struct rs_rst_tally t;

	(void)state;
	memset(rec, 0, sizeof(rec));
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < 4; i++) {
		rec[i].lport = 5000;
		rec[i].cport = (uint16_t)(40000 + i);
		rec[i].closer = RS_SIDE_CLIENT;
		rec[i].on_data = 1;
		rec[i].extra_hi = 1;
	}
	/* the client closed: its RSTs go from the client port */
	evs[0] = ev(40000, 5000, "TCP_CLOSE", "TCP_ABORT_ON_DATA");
	evs[1] = ev(40001, 5000, "TCP_TIME_WAIT", "TCP_TIMEWAIT_SOCKET");
	evs[2] = ev(40001, 5000, "UNKNOWN", "NO_SOCKET");
	evs[3] = ev(5000, 40002, "UNKNOWN", "NO_SOCKET");
	evs[4] = ev(40002, 5000, "TCP_CLOSE", "TCP_ABORT_ON_DATA");
	/* trial 3: nothing traced */
	rs_rst_judge(evs, 5, rec, 4, &t, NULL, "x");
	assert_int_equal(t.trials_exact, 2);
	assert_int_equal(t.extras, 1);
	assert_int_equal(t.trials_off, 2);
	assert_int_equal(t.missing, 1);
	assert_int_equal(t.unpredicted, 1);
}

/* racy trials are counted, not judged; a port two trials share makes
 * them racy */
static void test_judge_racy(void **state)
{
	struct rs_trial_rec rec[3];
	struct rs_rst_ev evs[2];
	struct rs_rst_tally t;

	(void)state;
	memset(rec, 0, sizeof(rec));
	memset(&t, 0, sizeof(t));
	rec[0].lport = rec[1].lport = rec[2].lport = 5000;
	rec[0].cport = 40000;
	rec[0].racy = 1;
	rec[1].cport = rec[2].cport = 40001;
	evs[0] = ev(5000, 40000, "TCP_CLOSE", "TCP_ABORT_ON_CLOSE");
	evs[1] = ev(5000, 40001, "TCP_CLOSE", "TCP_STATE");
	rs_rst_judge(evs, 2, rec, 3, &t, NULL, "x");
	assert_int_equal(t.trials_racy, 3);
	assert_int_equal(t.trials_off, 0);
	assert_int_equal(t.trials_exact, 0);
	/* the shared port's RST is its trials' (which one unknown), not
	 * the listener's */
	assert_int_equal(t.events, 2);
	assert_int_equal(t.foreign, 0);
	assert_int_equal(t.nlk, 0);
}

/* --repeat: each block's trials have a listener of their own; an event
 * is a trial's when its ends are that trial's listener and client port */
static void test_judge_blocks(void **state)
{
	struct rs_trial_rec rec[4];
	struct rs_rst_ev evs[5];
	struct rs_rst_tally t;

	(void)state;
	memset(rec, 0, sizeof(rec));
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < 4; i++) {
		rec[i].lport = (uint16_t)(i < 2 ? 5000 : 5001);
		rec[i].cport = (uint16_t)(40000 + i);
		rec[i].closer = RS_SIDE_SERVER;
		rec[i].n_state[0] = 1;
	}
	evs[0] = ev(5000, 40000, "TCP_CLOSE", "TCP_STATE");
	evs[1] = ev(5000, 40001, "TCP_CLOSE", "TCP_STATE");
	evs[2] = ev(5001, 40002, "TCP_CLOSE", "TCP_STATE");
	evs[3] = ev(5001, 40003, "TCP_CLOSE", "TCP_STATE");
	/* block 2's listener, block 1's client port: no trial's */
	evs[4] = ev(5001, 40000, "TCP_CLOSE", "TCP_STATE");
	rs_rst_judge(evs, 5, rec, 4, &t, NULL, "x");
	assert_int_equal(t.trials_exact, 4);
	assert_int_equal(t.trials_off, 0);
	assert_int_equal(t.events, 4);
	assert_int_equal(t.foreign, 1);
	assert_int_equal(t.nlk, 1);
	assert_int_equal(t.lk[0].n, 1);
}

static void test_tally_overflow(void **state)
{
	struct rs_rst_tally t;
	char r[32];

	(void)state;
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < RS_RSTR_KEYS + 2; i++) {
		snprintf(r, sizeof(r), "R%u", i);
		rs_rst_tally_add(&t, 0, "TCP_CLOSE", r, 2);
	}
	rs_rst_tally_add(&t, 0, "TCP_CLOSE", "R0", 1);
	assert_int_equal(t.nk, RS_RSTR_KEYS);
	assert_int_equal(t.key_overflow, 4);
	assert_int_equal(t.k[0].n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4),
		cmocka_unit_test(test_parse_v6_and_nosock),
		cmocka_unit_test(test_parse_no_reason),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_judge_linger),
		cmocka_unit_test(test_judge_fin),
		cmocka_unit_test(test_judge_racy),
		cmocka_unit_test(test_judge_blocks),
		cmocka_unit_test(test_tally_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
