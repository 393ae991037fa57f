/* Unit tests for addresses (src/addr.c) and the allow-list and address
 * options of the command line (src/cli.c): ADDR:PORT and [V6]:PORT forms,
 * bad input as usage errors (exit 2), 127.0.0.0/8 and ::1 allowed, the
 * rest only with --allow-remote. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"

static char err[512];

static void assert_has(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("'%s' does not contain '%s'", s, want);
}

static void round_trip(const char *s, int family, uint16_t port,
		       bool loopback)
{
	struct rs_addr a;
	char out[RS_ADDR_TEXT];

	if (rs_addr_parse(s, true, &a, err, sizeof(err)))
		fail_msg("rs_addr_parse('%s'): %s", s, err);
	assert_int_equal(rs_addr_family(&a), family);
	assert_int_equal(rs_addr_port(&a), port);
	assert_int_equal(a.len, family == AF_INET6 ?
					sizeof(struct sockaddr_in6) :
					sizeof(struct sockaddr_in));
	rs_addr_format(&a, out, sizeof(out));
	assert_string_equal(out, s);
	if (rs_addr_is_loopback(&a) != loopback)
		fail_msg("'%s': loopback %d, want %d", s, !loopback, loopback);
}

static void test_parse_forms(void **state)
{
	(void)state;
	round_trip("127.0.0.1:80", AF_INET, 80, true);
	round_trip("127.255.255.254:65535", AF_INET, 65535, true);
	round_trip("127.0.0.1:0", AF_INET, 0, true);
	round_trip("126.255.255.255:1", AF_INET, 1, false);
	round_trip("128.0.0.0:1", AF_INET, 1, false);
	round_trip("198.18.0.1:8080", AF_INET, 8080, false);
	round_trip("0.0.0.0:1", AF_INET, 1, false);
	round_trip("[::1]:443", AF_INET6, 443, true);
	round_trip("[::]:443", AF_INET6, 443, false);
	round_trip("[::2]:443", AF_INET6, 443, false);
	round_trip("[2001:db8::1]:9", AF_INET6, 9, false);
	round_trip("[::ffff:127.0.0.1]:9", AF_INET6, 9, true);
	round_trip("[::ffff:10.0.0.1]:9", AF_INET6, 9, false);
	round_trip("[fe80::1]:9", AF_INET6, 9, false);
}

static void bad_addr(const char *s, bool port0_ok, const char *why)
{
	struct rs_addr a;

	memset(err, 0, sizeof(err));
	if (rs_addr_parse(s, port0_ok, &a, err, sizeof(err)) != -EINVAL)
		fail_msg("rs_addr_parse('%s') accepted it", s);
	assert_has(err, why);
	assert_null(strchr(err, '\n'));
}

static void test_parse_bad(void **state)
{
	(void)state;
	bad_addr("", true, "port is missing");
	bad_addr("127.0.0.1", true, "port is missing");
	bad_addr("127.0.0.1:", true, "port is missing");
	bad_addr(":80", true, "not a numeric IPv4 address");
	bad_addr("localhost:80", true, "no host names");
	bad_addr("127.1:80", true, "not a numeric IPv4 address");
	bad_addr("127.0.0.1.1:80", true, "not a numeric IPv4 address");
	bad_addr("0127.0.0.1:80", true, "not a numeric IPv4 address");
	bad_addr("127.0.0.1:0", false, "from 1 to 65535");
	bad_addr("127.0.0.1:65536", true, "from 0 to 65535");
	bad_addr("127.0.0.1:99999999999999999999", true, "from 0 to 65535");
	bad_addr("127.0.0.1:080", true, "from 0 to 65535");
	bad_addr("127.0.0.1:-1", true, "from 0 to 65535");
	bad_addr("127.0.0.1:8x", true, "from 0 to 65535");
	bad_addr("127.0.0.1: 80", true, "from 0 to 65535");
	bad_addr("::1:80", true, "needs brackets");
	bad_addr("[::1]", true, "[ADDR]:PORT");
	bad_addr("[::1]80", true, "[ADDR]:PORT");
	bad_addr("[::1:80", true, "[ADDR]:PORT");
	bad_addr("[]:80", true, "IPv6 address in brackets");
	bad_addr("[127.0.0.1]:80", true, "IPv6 address in brackets");
	bad_addr("[::1%lo]:80", true, "IPv6 address in brackets");
	bad_addr("[::1]:", true, "port is missing");
	bad_addr("[::1]:70000", true, "from 0 to 65535");
}

static void test_loopback_addr(void **state)
{
	struct rs_addr a;
	char out[RS_ADDR_TEXT];

	(void)state;
	rs_addr_loopback(&a, AF_INET, 7);
	rs_addr_format(&a, out, sizeof(out));
	assert_string_equal(out, "127.0.0.1:7");
	rs_addr_loopback(&a, AF_INET6, 0);
	rs_addr_set_port(&a, 65535);
	rs_addr_format(&a, out, sizeof(out));
	assert_string_equal(out, "[::1]:65535");
	assert_true(rs_addr_is_loopback(&a));
	assert_string_equal(rs_family_name(AF_INET6), "ipv6");
	assert_string_equal(rs_family_name(AF_INET), "ipv4");
}

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

static int parse_cmd(struct rs_config *cfg, enum rs_cli_cmd cmd, int argc,
		     char **argv)
{
	rs_config_defaults(cfg, 2);
	memset(err, 0, sizeof(err));
	return rs_cli_parse_cmd(cfg, cmd, argc, argv, err, sizeof(err));
}

static void test_cli_targets(void **state)
{
	struct rs_config cfg;
	char out[RS_ADDR_TEXT];

	(void)state;
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 3,
				   ARGV("run", "--target",
					"127.0.0.1:5,[::1]:6,127.9.9.9:7")),
			 0);
	assert_int_equal(cfg.ntargets, 3);
	rs_addr_format(&cfg.target[1], out, sizeof(out));
	assert_string_equal(out, "[::1]:6");
	assert_int_equal(cfg.rate, 0);
	/* repeated: the lists add up */
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 5,
				   ARGV("run", "--target", "127.0.0.1:5",
					"--target", "127.0.0.1:6")),
			 0);
	assert_int_equal(cfg.ntargets, 2);
	/* remote: refused, naming the option, the address and the way out */
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 3,
				   ARGV("run", "--target",
					"127.0.0.1:5,10.1.2.3:80")),
			 -EINVAL);
	assert_has(err, "--target: '10.1.2.3:80' is not allowed");
	assert_has(err, "--allow-remote");
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 3,
				   ARGV("run", "--target", "[::2]:80")),
			 -EINVAL);
	assert_has(err, "'[::2]:80' is not allowed");
	/* allowed with --allow-remote, and then capped */
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 4,
				   ARGV("run", "--target", "10.1.2.3:80",
					"--allow-remote")),
			 0);
	assert_int_equal(cfg.rate, RS_REMOTE_RATE);
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 6,
				   ARGV("run", "--allow-remote", "--rate", "5k",
					"--target", "10.1.2.3:80")),
			 0);
	assert_int_equal(cfg.rate, 5000);
	/* bad forms name the option and the value */
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 3,
				   ARGV("run", "--target", "::1:80")),
			 -EINVAL);
	assert_has(err, "--target: '::1:80' is not allowed: an IPv6 address needs brackets");
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 3,
				   ARGV("run", "--target", "127.0.0.1:5,")),
			 -EINVAL);
	assert_has(err, "--target: '127.0.0.1:5,' is not allowed");
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 2,
				   ARGV("run", "--listen")),
			 -EINVAL);
	assert_has(err, "unknown option");
	assert_has(err, "rststorm run --help");
}

/* --client-index I/N: disjoint ranges of serve's connection ids */
static void test_cli_client_index(void **state)
{
	struct rs_config cfg;

	(void)state;
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 1, ARGV("run")), 0);
	assert_int_equal(cfg.client_count, 0);
	assert_int_equal(rs_cli_slot_base(&cfg), 0);
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 7,
				   ARGV("run", "-c", "100", "--client-index",
					"3/4", "--target", "127.0.0.1:5")),
			 0);
	assert_int_equal(cfg.client_index, 3);
	assert_int_equal(cfg.client_count, 4);
	assert_int_equal(rs_cli_slot_base(&cfg), 750000);
	/* the last client's range ends inside serve's slots */
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 7,
				   ARGV("run", "-c", "1000", "--client-index",
					"999/1000", "--target", "127.0.0.1:5")),
			 0);
	assert_true(rs_cli_slot_base(&cfg) + cfg.concurrency <=
		    RS_FLEET_SLOTS);
	/* -c past the share */
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 7,
				   ARGV("run", "-c", "1001", "--client-index",
					"0/1000", "--target", "127.0.0.1:5")),
			 -EINVAL);
	assert_has(err, "--client-index: '0/1000' gives each of 1000 clients 1000 of");
	assert_has(err, "-c 1001 is more");
	/* without --target */
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 3,
				   ARGV("run", "--client-index", "0/2")),
			 -EINVAL);
	assert_has(err, "--client-index: needs --target");
	/* bad forms */
	const char *bad[] = { "4/4", "1", "1/", "/2", "-1/2", "1/0", "1/1001",
			      "0x1/2", "1/2x", " 1/2", "1/+2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 5,
					   ARGV("run", "--client-index",
						(char *)bad[i], "--target",
						"127.0.0.1:5")),
				 -EINVAL);
		snprintf(want, sizeof(want), "--client-index: '%s' is not allowed",
			 bad[i]);
		assert_has(err, want);
	}
}

static void test_cli_serve(void **state)
{
	struct rs_config cfg;
	char out[RS_ADDR_TEXT];

	(void)state;
	assert_int_equal(parse_cmd(&cfg, RS_CLI_SERVE, 1, ARGV("serve")), 0);
	assert_int_equal(cfg.nlisten, 1);
	rs_addr_format(&cfg.listen[0], out, sizeof(out));
	assert_string_equal(out, "127.0.0.1:0");
	assert_int_equal(cfg.duration_ns, 0);
	assert_int_equal(cfg.server_threads, 1);
	assert_int_equal(parse_cmd(&cfg, RS_CLI_SERVE, 2, ARGV("serve", "-6")),
			 0);
	rs_addr_format(&cfg.listen[0], out, sizeof(out));
	assert_string_equal(out, "[::1]:0");
	assert_int_equal(parse_cmd(&cfg, RS_CLI_SERVE, 7,
				   ARGV("serve", "--listen", "127.0.0.2:0",
					"--listen", "[::1]:9000", "-t", "2")),
			 0);
	assert_int_equal(cfg.nlisten, 2);
	assert_int_equal(cfg.server_threads, 2);
	assert_int_equal(parse_cmd(&cfg, RS_CLI_SERVE, 3,
				   ARGV("serve", "--listen", "0.0.0.0:0")),
			 -EINVAL);
	assert_has(err, "--listen: '0.0.0.0:0' is not allowed");
	assert_has(err, "--allow-remote");
	assert_int_equal(parse_cmd(&cfg, RS_CLI_SERVE, 4,
				   ARGV("serve", "--listen", "0.0.0.0:0",
					"--allow-remote")),
			 0);
	/* run's options are not serve's */
	assert_int_equal(parse_cmd(&cfg, RS_CLI_SERVE, 3,
				   ARGV("serve", "-c", "10")),
			 -EINVAL);
	assert_has(err, "rststorm serve --help");
	assert_int_equal(parse_cmd(&cfg, RS_CLI_SERVE, 3,
				   ARGV("serve", "--target", "127.0.0.1:1")),
			 -EINVAL);
	assert_has(err, "unknown option");
}

static void test_usage_serve(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rs_cli_usage_cmd(RS_CLI_SERVE, f);
	assert_int_equal(fclose(f), 0);
	assert_has(buf, "usage: rststorm serve");
	assert_has(buf, "--listen ADDR:PORT");
	assert_has(buf, "--allow-remote");
	assert_has(buf, "-6, --ipv6");
	assert_has(buf, "-t, --threads N");
	assert_has(buf, "server threads, one io_uring each");
	assert_null(strstr(buf, "--target LIST"));
	assert_null(strstr(buf, "--concurrency"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rs_cli_usage_cmd(RS_CLI_RUN, f);
	assert_int_equal(fclose(f), 0);
	assert_has(buf, "--target LIST");
	assert_has(buf, "--rate N");
	assert_has(buf, "--foreign");
	assert_has(buf, "--request STRING|@FILE");
	assert_null(strstr(buf, "--listen ADDR"));
	free(buf);
}

static void test_request(void **state)
{
	struct rs_config cfg;

	(void)state;
	assert_int_equal(parse_cmd(&cfg, RS_CLI_RUN, 6,
				   ARGV("run", "--target", "127.0.0.1:80",
					"--foreign", "--request",
					"GET /a HTTP/1.0\\r\\n\\r\\n")),
			 0);
	assert_int_equal(rs_cli_load_request(&cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.request_len, 19);
	assert_memory_equal(cfg.request_buf, "GET /a HTTP/1.0\r\n\r\n", 19);
	cfg.request = "bad \\q escape";
	assert_int_equal(rs_cli_load_request(&cfg, err, sizeof(err)),
			 -EINVAL);
	assert_has(err, "--request: 'bad \\\\q escape' is not allowed");
	cfg.request = "@/nonexistent/file";
	assert_int_equal(rs_cli_load_request(&cfg, err, sizeof(err)),
			 -ENOENT);
	assert_has(err, "--request: cannot open '/nonexistent/file'");
	cfg.request = NULL;
	assert_int_equal(rs_cli_load_request(&cfg, err, sizeof(err)), 0);
	assert_has(cfg.request_buf, "Connection: keep-alive");
	free(cfg.request_buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_loopback_addr),
		cmocka_unit_test(test_cli_targets),
		cmocka_unit_test(test_cli_client_index),
		cmocka_unit_test(test_cli_serve),
		cmocka_unit_test(test_usage_serve),
		cmocka_unit_test(test_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
