/* Unit tests for the client state machine's paths across processes
 * (src/conn.c): --foreign's classification of the server's close from the
 * wait's poll mask, the response read to EOF after a FIN, the seen clock,
 * the hello's plan tag, and --rate. Driven by hand: no transport. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "wire.h"

#define MS 1000000ull

static struct rs_config cfg;
static struct rs_probe probe; /* socket(2) path: fds, not direct */
static struct rs_shared sh;
static struct rs_client cl;
static struct rs_conn conns[4];
static uint8_t hello[4][32];

static void setup_client(bool foreign, const char *ops)
{
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	memset(&sh, 0, sizeof(sh));
	memset(&cl, 0, sizeof(cl));
	memset(conns, 0, sizeof(conns));
	assert_int_equal(rs_mix_parse("fin=1,rst=1", &cfg.mix, err,
				      sizeof(err)),
			 0);
	assert_int_equal(rs_script_parse(ops, &cfg.script, err, sizeof(err)),
			 0);
	cfg.wait = RS_WAIT_CLOSE;
	cfg.seed = 99;
	cfg.foreign = foreign;
	if (foreign) {
		cfg.request = "GET / HTTP/1.0\\r\\n\\r\\n";
		assert_int_equal(rs_cli_load_request(&cfg, err, sizeof(err)),
				 0);
	}
	sh.cfg = &cfg;
	sh.probe = &probe;
	sh.total_slots = 4;
	sh.clock = foreign ? RS_CLOCK_SEEN : RS_CLOCK_STAMP;
	sh.t0 = 1000 * MS;
	sh.plan_tag = rs_plan_tag(&cfg.mix, cfg.seed);
	cl.sh = &sh;
	cl.nslots = 4;
	cl.budget = UINT64_MAX;
	cl.conns = conns;
	cl.hello = hello;
	cl.tally = rs_tally_new();
	assert_non_null(cl.tally);
}

static void teardown_client(void)
{
	char why[256];

	assert_true(rs_tally_balanced(cl.tally, cfg.script.n, why,
				      sizeof(why)));
	free(cl.tally);
	free(cfg.request_buf);
	cfg.request_buf = NULL;
}

/* Carry slot s from SOCKET through the wait (which completes with mask at
 * t_wait). */
static void to_wait(uint32_t s, int mask, uint64_t t_wait)
{
	struct rs_conn *c = &conns[s];
	size_t len;

	rs_conn_begin(&cl, s);
	assert_int_equal(c->step, RS_STEP_SOCKET);
	rs_conn_issue(&cl, s, t_wait - 4);
	rs_conn_complete(&cl, s, 7, t_wait - 4); /* an ordinary fd */
	assert_int_equal(c->step, RS_STEP_CONNECT);
	rs_conn_issue(&cl, s, t_wait - 3);
	rs_conn_complete(&cl, s, 0, t_wait - 3);
	assert_int_equal(c->step, RS_STEP_HELLO);
	rs_conn_hello(&cl, s, &len);
	rs_conn_issue(&cl, s, t_wait - 2);
	rs_conn_complete(&cl, s, (int)len, t_wait - 2);
	assert_int_equal(c->step, RS_STEP_WAIT);
	rs_conn_issue(&cl, s, t_wait - 1);
	rs_conn_complete(&cl, s, mask, t_wait);
}

static void op(uint32_t s, int res, uint64_t t)
{
	rs_conn_issue(&cl, s, t);
	rs_conn_complete(&cl, s, res, t + 1);
}

static void test_foreign_fin(void **state)
{
	struct rs_conn *c = &conns[0];
	size_t len;

	(void)state;
	setup_client(true, "write,write,read");
	/* the hello step sends the request, not a hello */
	assert_ptr_equal(rs_conn_hello(&cl, 0, &len), cfg.request_buf);
	assert_int_equal(len, 18);
	to_wait(0, POLLIN | POLLRDHUP, 2000 * MS);
	assert_int_equal(c->mode, RS_CLOSE_FIN);
	assert_int_equal(cl.tally->mode_started[RS_CLOSE_FIN], 1);
	assert_int_equal(cl.tally->mode_started[RS_CLOSE_RST], 0);
	/* after a FIN the response is read to EOF, not counted as an op */
	assert_int_equal(c->step, RS_STEP_RESP);
	op(0, 200, 2000 * MS + 10);
	assert_int_equal(c->step, RS_STEP_RESP);
	op(0, 0, 2000 * MS + 20);
	assert_int_equal(c->step, RS_STEP_OP);
	assert_int_equal(cl.tally->op_issued[RS_CLOSE_FIN][0], 0);
	/* the ops, timed from the completion that saw the FIN */
	op(0, 1, 2000 * MS + 5 * MS);
	op(0, -EPIPE, 2000 * MS + 6 * MS);
	op(0, 0, 2000 * MS + 7 * MS);
	assert_int_equal(c->step, RS_STEP_CLOSE);
	assert_int_equal(cl.tally->outcome.n[RS_CLOSE_FIN][0][RS_RES_OK], 1);
	assert_int_equal(
		cl.tally->outcome.n[RS_CLOSE_FIN][1][RS_RES_ERRNO0 + EPIPE], 1);
	assert_int_equal(cl.tally->outcome.n[RS_CLOSE_FIN][2][RS_RES_EOF], 1);
	assert_int_equal(cl.tally->since_close_ns[RS_CLOSE_FIN][0].count, 1);
	assert_int_equal(cl.tally->since_close_ns[RS_CLOSE_FIN][0].max,
			 5 * MS);
	assert_int_equal(cl.tally->before_close[RS_CLOSE_FIN][0], 0);
	op(0, 0, 2000 * MS + 8 * MS); /* the close */
	assert_int_equal(c->step, RS_STEP_IDLE);
	assert_int_equal(cl.tally->mode_completed[RS_CLOSE_FIN], 1);
	teardown_client();
}

static void test_foreign_rst(void **state)
{
	struct rs_conn *c = &conns[1];

	(void)state;
	setup_client(true, "write,write");
	to_wait(1, POLLIN | POLLRDHUP | POLLHUP | POLLERR, 3000 * MS);
	assert_int_equal(c->mode, RS_CLOSE_RST);
	assert_int_equal(cl.tally->mode_started[RS_CLOSE_RST], 1);
	/* nothing is read after an RST: the first op meets its error */
	assert_int_equal(c->step, RS_STEP_OP);
	op(1, -ECONNRESET, 3000 * MS + 2 * MS);
	op(1, -EPIPE, 3000 * MS + 3 * MS);
	assert_int_equal(
		cl.tally->outcome.n[RS_CLOSE_RST][0][RS_RES_ERRNO0 + ECONNRESET],
		1);
	assert_int_equal(cl.tally->since_close_err_ns[RS_CLOSE_RST][0].max,
			 2 * MS);
	op(1, 0, 3000 * MS + 4 * MS);
	teardown_client();
}

static void test_foreign_resp_error(void **state)
{
	(void)state;
	setup_client(true, "write");
	to_wait(2, POLLIN | POLLRDHUP, 4000 * MS);
	assert_int_equal(conns[2].step, RS_STEP_RESP);
	/* an RST while the response is read: a failure in the wait phase */
	op(2, -ECONNRESET, 4000 * MS + 1);
	assert_int_equal(cl.tally->failed[RS_PH_WAIT]
					 [RS_RES_ERRNO0 + ECONNRESET],
			 1);
	op(2, 0, 4000 * MS + 2); /* the close */
	assert_int_equal(conns[2].step, RS_STEP_IDLE);
	teardown_client();
}

static void test_hello_tag(void **state)
{
	uint64_t id;
	struct rs_mix other = { 0 };
	char err[128];

	(void)state;
	setup_client(false, "write");
	rs_conn_begin(&cl, 3);
	assert_true(rs_hello_decode(hello[3], &id));
	assert_int_equal(id, rs_conn_id(3, 1));
	assert_int_equal(rs_hello_tag(hello[3]), sh.plan_tag);
	/* the tag changes with the seed and with the mix */
	assert_int_not_equal(rs_plan_tag(&cfg.mix, 98), sh.plan_tag);
	assert_int_equal(rs_mix_parse("fin=1,rst=2", &other, err, sizeof(err)),
			 0);
	assert_int_not_equal(rs_plan_tag(&other, 99), sh.plan_tag);
	/* the pad after the tag is unchanged 'p' */
	for (unsigned i = RS_HELLO_TAG + 8; i < RS_HELLO_LEN; i++)
		assert_int_equal(hello[3][i], 'p');
	/* a query is not a hello, and the reverse */
	{
		uint8_t q[RS_HELLO_HDR];

		rs_query_encode(q);
		assert_true(rs_query_is(q));
		assert_false(rs_hello_decode(q, &id));
		assert_false(rs_query_is(hello[3]));
	}
	op(3, 0, 1); /* the socket's completion; then abandon */
	rs_conn_abandon(&cl, 3);
	teardown_client();
}

static void test_info_round_trip(void **state)
{
	struct rs_info a = { .seed = 0x1122334455667788ull,
			     .weight = { 1, 2, 3, 1000000 },
			     .t0 = 123456789,
			     .nonce = 42,
			     .shm_pid = 7,
			     .shm_slots = 1000000,
			     .shm_fd = 5 },
		       b;
	uint8_t buf[RS_INFO_LEN];

	(void)state;
	memset(a.boot_id, 0xab, sizeof(a.boot_id));
	rs_info_encode(buf, &a);
	assert_true(rs_info_decode(buf, &b));
	/* field by field: the struct's padding is not on the wire */
	assert_int_equal(a.seed, b.seed);
	assert_memory_equal(a.weight, b.weight, sizeof(a.weight));
	assert_int_equal(a.t0, b.t0);
	assert_memory_equal(a.boot_id, b.boot_id, sizeof(a.boot_id));
	assert_int_equal(a.nonce, b.nonce);
	assert_int_equal(a.shm_pid, b.shm_pid);
	assert_int_equal(a.shm_slots, b.shm_slots);
	assert_int_equal(a.shm_fd, b.shm_fd);
	buf[0] ^= 1;
	assert_false(rs_info_decode(buf, &b));
}

static void test_rate(void **state)
{
	(void)state;
	setup_client(false, "write");
	sh.rate = 100;  /* per second, all workers */
	sh.total_slots = 8; /* this worker has 4 of 8 slots: half */
	cl.nslots = 4;
	/* at t0 one may start; the share grows by 50 per second */
	assert_true(rs_conn_rate_ok(&cl, sh.t0));
	cl.tally->started = 1;
	assert_false(rs_conn_rate_ok(&cl, sh.t0));
	assert_false(rs_conn_rate_ok(&cl, sh.t0 + 19 * MS));
	assert_true(rs_conn_rate_ok(&cl, sh.t0 + 20 * MS));
	cl.tally->started = 51;
	assert_false(rs_conn_rate_ok(&cl, sh.t0 + 999 * MS));
	assert_true(rs_conn_rate_ok(&cl, sh.t0 + 1000 * MS + 20 * MS));
	/* no cap */
	sh.rate = 0;
	cl.tally->started = 1000000;
	assert_true(rs_conn_rate_ok(&cl, sh.t0));
	cl.tally->started = 0;
	free(cl.tally);
}

/* Carry slot s of --closer client up to its ack; returns its mode. */
static unsigned to_ack(uint32_t s)
{
	struct rs_conn *c = &conns[s];
	size_t len;

	rs_conn_begin(&cl, s);
	op(s, 7, 10 * MS); /* socket: an ordinary fd */
	op(s, 0, 11 * MS); /* connect */
	assert_int_equal(c->step, RS_STEP_HELLO);
	rs_conn_hello(&cl, s, &len);
	op(s, (int)len, 12 * MS);
	/* not the wait: the server's ack of the hello comes first */
	assert_int_equal(c->step, RS_STEP_ACK);
	return c->mode;
}

/* --closer client: hello, the server's ack, then the close by the plan:
 * SO_LINGER 0 first for rst, nothing for fin; no op on the client. A
 * missing ack or a failed SO_LINGER fails the connection (a FIN counted as
 * rst would be a lie). */
static void test_closer_client(void **state)
{
	bool seen[RS_CLOSE_NMODES] = { false };
	unsigned m;

	(void)state;
	setup_client(false, "send,recv");
	cfg.closer = RS_SIDE_CLIENT;
	for (unsigned k = 0; k < 40 && !(seen[RS_CLOSE_FIN] &&
					  seen[RS_CLOSE_RST]); k++) {
		m = to_ack(0);
		seen[m] = true;
		op(0, 1, 13 * MS);
		if (m == RS_CLOSE_RST) {
			assert_int_equal(conns[0].step, RS_STEP_LINGER);
			op(0, 0, 14 * MS);
		}
		assert_int_equal(conns[0].step, RS_STEP_CLOSE);
		op(0, 0, 15 * MS);
		assert_int_equal(conns[0].step, RS_STEP_IDLE);
	}
	assert_true(seen[RS_CLOSE_FIN] && seen[RS_CLOSE_RST]);
	assert_int_equal(cl.tally->completed, cl.tally->started);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(cl.tally->op_issued[RS_CLOSE_FIN][i] +
					 cl.tally->op_issued[RS_CLOSE_RST][i],
				 0);

	/* the server closed instead of acking: failed in the hello phase */
	to_ack(1);
	op(1, 0, 13 * MS);
	assert_int_equal(cl.tally->failed[RS_PH_HELLO][RS_RES_EOF], 1);
	assert_int_equal(conns[1].step, RS_STEP_CLOSE);
	op(1, 0, 14 * MS);

	/* a failed SO_LINGER: failed in the close phase, then closed */
	for (;;) {
		m = to_ack(2);
		op(2, 1, 13 * MS);
		if (m == RS_CLOSE_RST)
			break;
		op(2, 0, 14 * MS); /* a fin: closed, next generation */
	}
	assert_int_equal(conns[2].step, RS_STEP_LINGER);
	op(2, -ENOPROTOOPT, 14 * MS);
	assert_int_equal(
		cl.tally->failed[RS_PH_CLOSE][RS_RES_ERRNO0 + ENOPROTOOPT], 1);
	assert_int_equal(conns[2].step, RS_STEP_CLOSE);
	op(2, 0, 15 * MS);
	assert_int_equal(conns[2].step, RS_STEP_IDLE);
	assert_int_equal(cl.tally->started,
			 cl.tally->completed + rs_tally_failed_total(cl.tally));
	teardown_client();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_fin),
		cmocka_unit_test(test_foreign_rst),
		cmocka_unit_test(test_foreign_resp_error),
		cmocka_unit_test(test_hello_tag),
		cmocka_unit_test(test_info_round_trip),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_closer_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
