/* Unit tests for the --link spec (src/link.c: rs_link_parse, every bad
 * form and its message; rs_link_spec_format read back) and the delay
 * line's queue (src/dline.c: hold, order, rate, loss, limit), with the
 * clock passed in so every outcome is exact. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dline.h"
#include "link.h"

#define MS 1000000ull
#define US 1000ull

static char err[512];

static struct rs_link_spec parse_ok(const char *s)
{
	struct rs_link_spec sp;

	memset(err, 0, sizeof(err));
	if (rs_link_parse(s, &sp, err, sizeof(err)))
		fail_msg("rs_link_parse('%s'): %s", s, err);
	return sp;
}

/* s is refused with -EINVAL and the message holds every one of the
 * NULL-terminated fragments (the field, the value, what is allowed). */
static void parse_bad(const char *s, ...)
{
	struct rs_link_spec sp;
	va_list ap;
	const char *want;

	memset(err, 0, sizeof(err));
	if (rs_link_parse(s, &sp, err, sizeof(err)) != -EINVAL)
		fail_msg("rs_link_parse('%s') accepted it", s ? s : "(null)");
	if (strchr(err, '\n'))
		fail_msg("message for '%s' is not one line: %s", s, err);
	if (strncmp(err, "--link", 6) != 0)
		fail_msg("message for '%s' does not name --link: %s", s, err);
	va_start(ap, s);
	while ((want = va_arg(ap, const char *)))
		if (!strstr(err, want))
			fail_msg("message for '%s' lacks '%s': %s", s, want, err);
	va_end(ap);
}

static void test_parse_good(void **state)
{
	struct rs_link_spec sp;

	(void)state;
	sp = parse_ok("rtt=20ms");
	assert_int_equal(sp.rtt_ns, 20 * MS);
	assert_int_equal(sp.loss_ppm, 0);
	assert_int_equal(sp.jitter_ns, 0);
	assert_int_equal(sp.rate_bps, 0);
	assert_int_equal(sp.limit, RS_LINK_LIMIT_DEFAULT);

	sp = parse_ok("rtt=500us,loss=1%,jitter=100us,rate=10mbit");
	assert_int_equal(sp.rtt_ns, 500 * US);
	assert_int_equal(sp.loss_ppm, 10000);
	assert_int_equal(sp.jitter_ns, 100 * US);
	assert_int_equal(sp.rate_bps, 10000000);

	/* any order, decimals, the bounds */
	sp = parse_ok("rate=1gbit,loss=0.5%,rtt=1s,limit=1");
	assert_int_equal(sp.rtt_ns, 1000 * MS);
	assert_int_equal(sp.loss_ppm, 5000);
	assert_int_equal(sp.rate_bps, 1000000000);
	assert_int_equal(sp.limit, 1);
	assert_int_equal(parse_ok("rtt=0ms,loss=0%").loss_ppm, 0);
	assert_int_equal(parse_ok("rtt=1ms,loss=100%").loss_ppm, 1000000);
	assert_int_equal(parse_ok("rtt=1ms,loss=100.0000%").loss_ppm, 1000000);
	assert_int_equal(parse_ok("rtt=1ms,loss=0.0001%").loss_ppm, 1);
	assert_int_equal(parse_ok("rtt=10s").rtt_ns, 10000 * MS);
	assert_int_equal(parse_ok("rtt=1.5ms").rtt_ns, 1500 * US);
	assert_int_equal(parse_ok("rtt=1ms,rate=64kbit").rate_bps, 64000);
	assert_int_equal(parse_ok("rtt=1ms,rate=100gbit").rate_bps, 100000000000ull);
	assert_int_equal(parse_ok("rtt=1ms,rate=1.5Mbit").rate_bps, 1500000);
	assert_int_equal(parse_ok("rtt=1ms,rate=64000bit").rate_bps, 64000);
	assert_int_equal(parse_ok("rtt=2ms,jitter=2ms").jitter_ns, 2 * MS);
	assert_int_equal(parse_ok("rtt=1ms,limit=65536").limit, 65536);
}

static void test_parse_bad(void **state)
{
	(void)state;
	parse_bad(NULL, "empty", "rtt=", NULL);
	parse_bad("", "empty", "rtt=", NULL);
	parse_bad("loss=1%", "rtt is missing", "loss=1%", NULL);
	parse_bad(",rtt=1ms", "empty field", NULL);
	parse_bad("rtt=1ms,", "empty field", NULL);
	parse_bad("rtt=1ms,,loss=1%", "empty field", NULL);
	parse_bad("rtt", "'rtt'", "key=value", NULL);
	parse_bad("rtt=1ms,delay=5ms", "unknown field 'delay'", "rtt, loss, jitter, rate and limit", NULL);
	parse_bad("RTT=1ms", "unknown field 'RTT'", NULL);
	parse_bad("rtt=1ms,rtt=2ms", "rtt=2ms", "given twice", NULL);

	/* rtt: a unit is required, 0..10s */
	parse_bad("rtt=20", "rtt=20", "with its unit", "0 to 10s", NULL);
	parse_bad("rtt=", "rtt=:", "with its unit", NULL);
	parse_bad("rtt=abc", "rtt=abc", NULL);
	parse_bad("rtt=-1ms", "rtt=-1ms", NULL);
	parse_bad("rtt=11s", "rtt=11s", "0 to 10s", NULL);
	parse_bad("rtt=1ms ", "rtt=1ms ", NULL);
	parse_bad("rtt=1 ms", "rtt=1 ms", NULL);
	parse_bad("rtt=20ms\n", "rtt=20ms\\n", NULL); /* escaped, one line */

	/* loss: a percentage with its sign */
	parse_bad("rtt=1ms,loss=1", "loss=1", "% sign", "0% to 100%", NULL);
	parse_bad("rtt=1ms,loss=0.01", "loss=0.01", "% sign", NULL);
	parse_bad("rtt=1ms,loss=101%", "loss=101%", "0% to 100%", NULL);
	parse_bad("rtt=1ms,loss=100.5%", "loss=100.5%", NULL);
	parse_bad("rtt=1ms,loss=-1%", "loss=-1%", NULL);
	parse_bad("rtt=1ms,loss=%", "loss=%", NULL);
	parse_bad("rtt=1ms,loss=1.%", "loss=1.%", NULL);
	parse_bad("rtt=1ms,loss=0.00001%", "loss=0.00001%", "4 decimals", NULL);
	parse_bad("rtt=1ms,loss=1%%", "loss=1%%", NULL);

	/* jitter: a time, at most the rtt */
	parse_bad("rtt=1ms,jitter=2", "jitter=2", "with its unit", NULL);
	parse_bad("rtt=1ms,jitter=2ms", "jitter=2ms", "rtt=1ms", "at most the round trip", NULL);

	/* rate: with its unit, 64kbit..100gbit */
	parse_bad("rtt=1ms,rate=10", "rate=10", "with its unit", "64kbit to 100gbit", NULL);
	parse_bad("rtt=1ms,rate=10mbps", "rate=10mbps", NULL);
	parse_bad("rtt=1ms,rate=0mbit", "rate=0mbit", "64kbit", NULL);
	parse_bad("rtt=1ms,rate=63kbit", "rate=63kbit", NULL);
	parse_bad("rtt=1ms,rate=101gbit", "rate=101gbit", NULL);
	parse_bad("rtt=1ms,rate=mbit", "rate=mbit", NULL);

	/* limit: 1..65536 packets */
	parse_bad("rtt=1ms,limit=0", "limit=0", "1 to 65536", NULL);
	parse_bad("rtt=1ms,limit=65537", "limit=65537", NULL);
	parse_bad("rtt=1ms,limit=-1", "limit=-1", NULL);
	parse_bad("rtt=1ms,limit=1k", "limit=1k", NULL);
	parse_bad("rtt=1ms,limit=", "limit=", NULL);
}

/* A value with control bytes and a very long value stay one bounded line. */
static void test_parse_escape(void **state)
{
	char longs[600];

	(void)state;
	parse_bad("rtt=1ms,\x1b[31m=1", "\\x1b[31m", NULL);
	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	memcpy(longs, "rtt=", 4);
	parse_bad(longs, "too long", NULL);
	assert_true(strlen(err) < 400);
}

/* format -> parse gives the same spec back. */
static void test_format_roundtrip(void **state)
{
	const char *const in[] = {
		"rtt=20ms",
		"rtt=0ms",
		"rtt=500us,loss=1%,jitter=100us,rate=10mbit",
		"rtt=1s,loss=0.5%,rate=1gbit,limit=1",
		"rtt=1ms,loss=0.0001%,rate=64500bit",
		"rtt=1500us,loss=100%,jitter=1ms,rate=1500kbit",
	};
	char buf[200];

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct rs_link_spec a = parse_ok(in[i]), b;

		rs_link_spec_format(&a, buf, sizeof(buf));
		b = parse_ok(buf);
		if (memcmp(&a, &b, sizeof(a)))
			fail_msg("'%s' -> '%s' is not the same spec", in[i], buf);
	}
	rs_link_spec_format(&(struct rs_link_spec){ .rtt_ns = 20 * MS,
						    .loss_ppm = 10000,
						    .limit = RS_LINK_LIMIT_DEFAULT },
			    buf, sizeof(buf));
	assert_string_equal(buf, "rtt=20ms,loss=1%");
}

/* ---- the queue ---- */

static void q_init(struct rs_dline *q, uint64_t delay, uint64_t jitter,
		   uint64_t rate, uint32_t loss_ppm, uint32_t limit)
{
	struct rs_dline_cfg c = { .delay_ns = delay, .jitter_ns = jitter,
				  .rate_bps = rate, .loss_ppm = loss_ppm,
				  .limit = limit, .seed = 42 };

	assert_int_equal(rs_dline_init(q, &c), 0);
}

/* push one packet whose first byte is tag */
static int q_push(struct rs_dline *q, uint8_t tag, uint32_t len, uint64_t now)
{
	uint8_t *b = rs_dline_tail(q);

	if (!b) {
		rs_dline_drop_full(q);
		return -1;
	}
	b[0] = tag;
	return rs_dline_push(q, len, now);
}

/* Held exactly delay, released in order, counted. */
static void test_dline_hold(void **state)
{
	struct rs_dline q;
	struct rs_dline_stats st;
	const uint8_t *p;
	uint32_t len;

	(void)state;
	q_init(&q, 10 * MS, 0, 0, 0, 8);
	assert_int_equal(rs_dline_next_due(&q), UINT64_MAX);
	assert_int_equal(q_push(&q, 1, 100, 1000), 1);
	assert_int_equal(q_push(&q, 2, 200, 2000), 1);
	assert_int_equal(rs_dline_next_due(&q), 1000 + 10 * MS);
	assert_null(rs_dline_peek(&q, 1000 + 10 * MS - 1, &len));
	p = rs_dline_peek(&q, 1000 + 10 * MS, &len);
	assert_non_null(p);
	assert_int_equal(p[0], 1);
	assert_int_equal(len, 100);
	rs_dline_pop(&q, 1000 + 10 * MS);
	assert_int_equal(rs_dline_next_due(&q), 2000 + 10 * MS);
	p = rs_dline_peek(&q, 3000 + 10 * MS, &len);
	assert_int_equal(p[0], 2);
	rs_dline_pop(&q, 3000 + 10 * MS);
	assert_null(rs_dline_peek(&q, UINT64_MAX, &len));
	rs_dline_stats(&q, &st);
	assert_int_equal(st.forwarded, 2);
	assert_int_equal(st.bytes, 300);
	assert_int_equal(st.lost + st.dropped_full + st.dropped_err, 0);
	assert_int_equal(st.max_queued, 2);
	assert_int_equal(st.late_sum_ns, 1000);
	assert_int_equal(st.late_max_ns, 1000);
	rs_dline_free(&q);
}

/* A full queue drops and counts; the slots come back after pops. */
static void test_dline_limit(void **state)
{
	struct rs_dline q;
	struct rs_dline_stats st;
	uint32_t len;

	(void)state;
	q_init(&q, 1 * MS, 0, 0, 0, 3);
	for (int i = 0; i < 5; i++)
		q_push(&q, (uint8_t)i, 60, 0);
	rs_dline_stats(&q, &st);
	assert_int_equal(st.dropped_full, 2);
	assert_int_equal(st.max_queued, 3);
	for (int i = 0; i < 3; i++) {
		const uint8_t *p = rs_dline_peek(&q, 1 * MS, &len);

		assert_non_null(p);
		assert_int_equal(p[0], i);
		rs_dline_pop(&q, 0);
	}
	/* wraps around the ring */
	for (int i = 0; i < 3; i++)
		assert_int_equal(q_push(&q, (uint8_t)(10 + i), 60, 5), 1);
	assert_null(rs_dline_tail(&q));
	for (int i = 0; i < 3; i++) {
		const uint8_t *p = rs_dline_peek(&q, 2 * MS, &len);

		assert_int_equal(p[0], 10 + i);
		rs_dline_pop(&q, 0);
	}
	rs_dline_free(&q);
}

/* 100 % loses every packet, 0 % none; 10 % loses about 10 % of 100000. */
static void test_dline_loss(void **state)
{
	struct rs_dline q;
	struct rs_dline_stats st;
	uint32_t len;

	(void)state;
	q_init(&q, 0, 0, 0, 1000000, 4);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(q_push(&q, 0, 40, (uint64_t)i), 0);
	rs_dline_stats(&q, &st);
	assert_int_equal(st.lost, 1000);
	assert_int_equal(rs_dline_next_due(&q), UINT64_MAX);
	rs_dline_free(&q);

	q_init(&q, 0, 0, 0, 100000, 4);
	for (int i = 0; i < 100000; i++) {
		if (q_push(&q, 0, 40, (uint64_t)i) == 1) {
			assert_non_null(rs_dline_peek(&q, (uint64_t)i, &len));
			rs_dline_pop(&q, 0);
		}
	}
	rs_dline_stats(&q, &st);
	/* binomial(100000, 0.1): sd ~95; +-1000 is over 10 sd */
	assert_in_range(st.lost, 9000, 11000);
	assert_int_equal(st.lost + st.forwarded, 100000);
	rs_dline_free(&q);

	q_init(&q, 0, 0, 0, 0, 4);
	for (int i = 0; i < 10000; i++) {
		assert_int_equal(q_push(&q, 0, 40, 0), 1);
		rs_dline_pop(&q, 0);
	}
	rs_dline_stats(&q, &st);
	assert_int_equal(st.lost, 0);
	rs_dline_free(&q);
}

/* The rate spaces packets by their transmission time, then the delay. */
static void test_dline_rate(void **state)
{
	struct rs_dline q;

	(void)state;
	/* 1500 bytes at 12 Mbit/s: 1 ms on the wire */
	q_init(&q, 5 * MS, 0, 12000000, 0, 16);
	q_push(&q, 0, 1500, 0);
	assert_int_equal(rs_dline_next_due(&q), 1 * MS + 5 * MS);
	q_push(&q, 1, 1500, 0);
	q_push(&q, 2, 1500, 0);
	rs_dline_pop(&q, 0);
	assert_int_equal(rs_dline_next_due(&q), 2 * MS + 5 * MS);
	rs_dline_pop(&q, 0);
	assert_int_equal(rs_dline_next_due(&q), 3 * MS + 5 * MS);
	rs_dline_pop(&q, 0);
	/* an idle wire: a packet arriving later starts at once */
	q_push(&q, 3, 750, 100 * MS);
	assert_int_equal(rs_dline_next_due(&q), 100 * MS + 500 * US + 5 * MS);
	rs_dline_free(&q);
}

/* Jitter stays within +-jitter of the delay and never reorders. */
static void test_dline_jitter(void **state)
{
	struct rs_dline q;
	uint64_t prev = 0, lo = UINT64_MAX, hi = 0;
	uint32_t len;

	(void)state;
	q_init(&q, 10 * MS, 2 * MS, 0, 0, 4);
	for (uint64_t t = 0; t < 20000; t++) {
		uint64_t now = t * 5 * MS; /* far apart: no order clamp */
		uint64_t due;

		assert_int_equal(q_push(&q, 0, 40, now), 1);
		due = rs_dline_next_due(&q) - now;
		lo = due < lo ? due : lo;
		hi = due > hi ? due : hi;
		assert_non_null(rs_dline_peek(&q, UINT64_MAX, &len));
		rs_dline_pop(&q, 0);
	}
	assert_true(lo >= 8 * MS && hi <= 12 * MS);
	assert_true(lo < 8 * MS + 100 * US && hi > 12 * MS - 100 * US);
	rs_dline_free(&q);

	/* dense packets: due times never go back */
	q_init(&q, 10 * MS, 5 * MS, 0, 0, 64);
	for (uint64_t t = 0; t < 20000; t++) {
		assert_int_equal(q_push(&q, 0, 40, t * 10 * US), 1);
		assert_true(q.last_due_ns >= prev);
		prev = q.last_due_ns;
		if (t >= 32) {
			assert_non_null(rs_dline_peek(&q, UINT64_MAX, &len));
			rs_dline_pop(&q, 0);
		}
	}
	rs_dline_free(&q);

	/* jitter larger than the delay clamps at no delay, never wraps */
	q_init(&q, 1 * MS, 3 * MS, 0, 0, 4);
	for (uint64_t t = 0; t < 5000; t++) {
		uint64_t now = 1000 * MS + t * 10 * MS;

		q_push(&q, 0, 40, now);
		assert_true(rs_dline_next_due(&q) >= now);
		assert_true(rs_dline_next_due(&q) <= now + 4 * MS);
		rs_dline_pop(&q, 0);
	}
	rs_dline_free(&q);
}

static void test_dline_bad_cfg(void **state)
{
	struct rs_dline q;
	struct rs_dline_cfg c = { .limit = 0 };

	(void)state;
	assert_int_equal(rs_dline_init(&q, &c), -EINVAL);
	c.limit = 1;
	c.loss_ppm = 1000001;
	assert_int_equal(rs_dline_init(&q, &c), -EINVAL);
	rs_dline_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_escape),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_dline_hold),
		cmocka_unit_test(test_dline_limit),
		cmocka_unit_test(test_dline_loss),
		cmocka_unit_test(test_dline_rate),
		cmocka_unit_test(test_dline_jitter),
		cmocka_unit_test(test_dline_bad_cfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
