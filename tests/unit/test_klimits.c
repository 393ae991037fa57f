/* The judge of the kernel's limits (klimits.c): every refusal with made-up
 * limits, the line it writes, and the runs that fit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "klimits.h"

/* This host's limits (6.18, 24 GiB), which 1 000 000 held fit. */
static struct rs_klimits host(void)
{
	struct rs_klimits l = {
		.file_max = 2466116, .files_used = 20000,
		.mem_avail_kb = 20u * 1024 * 1024, .tcp_mem_max = 575784,
		.max_orphans = 131072, .conntrack_max = 0,
		.max_map_count = 65530, .page_size = 4096,
	};
	return l;
}

static struct rs_klimits_run run(uint64_t c)
{
	struct rs_klimits_run r = {
		.conns = c, .hold = true, .servers = true, .netns = true,
		.loopback = true, .rings = 124,
	};
	r.mix.weight[RS_CLOSE_FIN] = 50;
	r.mix.weight[RS_CLOSE_RST] = 50;
	r.mix.total = 100;
	return r;
}

static void test_fits(void **state)
{
	struct rs_klimits l = host(), none = { 0 };
	struct rs_klimits_run r = run(1000000);
	char msg[640] = "";

	(void)state;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), 0);
	/* nothing read: nothing judged */
	r.conns = UINT32_MAX;
	assert_int_equal(rs_klimits_judge(&none, &r, msg, sizeof(msg)), 0);
}

static void test_files(void **state)
{
	struct rs_klimits l = host();
	struct rs_klimits_run r = run(1300000);
	char msg[640];

	(void)state;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), -E2BIG);
	assert_non_null(strstr(msg, "needs about 2600256 open files"));
	assert_non_null(strstr(msg, "fs.file-max is 2466116 with 20000 in use"));
	assert_non_null(strstr(msg, "lower -c to 1222930"));
	/* clients only (--target): one socket each */
	r.servers = false;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), 0);
}

static void test_memory(void **state)
{
	struct rs_klimits l = host();
	struct rs_klimits_run r = run(1000000);
	char msg[640];

	(void)state;
	l.mem_avail_kb = 4u * 1024 * 1024;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), -E2BIG);
	assert_non_null(strstr(msg, "needs about 7080 MiB"));
	assert_non_null(strstr(msg, "4096 MiB is available"));
	assert_non_null(strstr(msg, "lower -c to 578524"));
}

static void test_tcp_mem(void **state)
{
	struct rs_klimits l = host();
	struct rs_klimits_run r = run(1000000);
	char msg[640];

	(void)state;
	l.tcp_mem_max = 100000;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), -ENOSPC);
	assert_non_null(strstr(msg, "125000 pages"));
	assert_non_null(strstr(msg, "lower -c to 800000"));
}

static void test_orphans(void **state)
{
	struct rs_klimits l = host();
	struct rs_klimits_run r = run(1000000);
	char msg[640];

	(void)state;
	/* loopback: at most 2048 at once, whatever -c */
	l.max_orphans = 1000;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), -ENOSPC);
	assert_non_null(strstr(msg, "closes 500000 connections with a FIN"));
	assert_non_null(strstr(msg, "up to 2048 of them"));
	assert_non_null(strstr(msg, "tcp_max_orphans=4096"));
	l.max_orphans = 4096;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), 0);
	/* across a link every FIN close is an orphan for a round trip */
	r.loopback = false;
	l.max_orphans = 131072;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), -ENOSPC);
	assert_non_null(strstr(msg, "up to 500000 of them"));
	assert_non_null(strstr(msg, "lower -c to 262144"));
	/* no storm without --hold; no FIN in an all-RST storm */
	r.hold = false;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), 0);
	r.hold = true;
	r.mix.weight[RS_CLOSE_FIN] = 0;
	r.mix.total = 50;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), 0);
}

static void test_conntrack(void **state)
{
	struct rs_klimits l = host();
	struct rs_klimits_run r = run(300000);
	char msg[640];

	(void)state;
	l.conntrack_max = 262144;
	/* a namespace of its own tracks nothing */
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), 0);
	r.netns = false;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), -ENOSPC);
	assert_non_null(strstr(msg, "nf_conntrack_max is 262144"));
	assert_non_null(strstr(msg, "or --netns"));
}

static void test_maps(void **state)
{
	struct rs_klimits l = host();
	struct rs_klimits_run r = run(1000);
	char msg[640];

	(void)state;
	l.max_map_count = 1500;
	assert_int_equal(rs_klimits_judge(&l, &r, msg, sizeof(msg)), -ENOSPC);
	assert_non_null(strstr(msg, "124 rings need about 2016 memory maps"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),   cmocka_unit_test(test_files),
		cmocka_unit_test(test_memory), cmocka_unit_test(test_tcp_mem),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_conntrack),
		cmocka_unit_test(test_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
