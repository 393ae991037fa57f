/* Unit tests for the SNMP counter snapshots (src/mib.c): the fixtures in
 * tests/golden/mib/ against a naive split, deltas with known increments,
 * older kernels' field sets, malformed input, and a live /proc read.
 * RS_MIB_GOLDEN_DIR overrides where the fixtures are. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mib.h"

/* The increments hand-written into snmp.after / netstat.after; the same
 * table is in tests/golden/mib/README.md. The watched ones first, in
 * rs_mib_watched order. */
static const struct {
	const char *name;
	int64_t inc;
} increments[] = {
	{ "Tcp.OutRsts", 1000 },
	{ "Tcp.EstabResets", 400 },
	{ "Tcp.AttemptFails", 7 },
	{ "Tcp.ActiveOpens", 1500 },
	{ "Tcp.PassiveOpens", 1499 },
	{ "TcpExt.TCPAbortOnClose", 300 },
	{ "TcpExt.TCPAbortOnData", 250 },
	{ "TcpExt.TCPAbortOnLinger", 3 },
	{ "TcpExt.ListenOverflows", 11 },
	{ "TcpExt.ListenDrops", 13 },
	{ "Tcp.CurrEstab", 2 },
	{ "Tcp.InSegs", 9001 },
	{ "Tcp.OutSegs", 9002 },
	{ "TcpExt.TW", 1200 },
	{ "TcpExt.TCPAbortOnTimeout", 5 },
	{ "IpExt.InOctets", 123456 },
};
#define NINC (sizeof(increments) / sizeof(increments[0]))
#define NWATCHED_EXPECTED 10

static char golden[4096];

/* $RS_MIB_GOLDEN_DIR, else tests/golden/mib next to the tests/unit/ this
 * file is in. */
static const char *fixture(const char *file)
{
	static char path[4096 + 64];
	const char *env = getenv("RS_MIB_GOLDEN_DIR");
	char *slash;

	if (!golden[0]) {
		if (env && *env) {
			snprintf(golden, sizeof(golden), "%s", env);
		} else {
			snprintf(golden, sizeof(golden), "%s", __FILE__);
			for (int i = 0; i < 2; i++) {
				slash = strrchr(golden, '/');
				if (!slash) {
					snprintf(golden, sizeof(golden),
						 "tests");
					break;
				}
				*slash = '\0';
			}
			strncat(golden, "/golden/mib",
				sizeof(golden) - strlen(golden) - 1);
		}
	}
	snprintf(path, sizeof(path), "%s/%s", golden, file);
	return path;
}

static struct rs_mib *read_fixture(const char *snmp, const char *netstat)
{
	char s[sizeof(golden) + 64];
	struct rs_mib *m;

	snprintf(s, sizeof(s), "%s", snmp ? fixture(snmp) : "");
	m = rs_mib_read_files(snmp ? s : NULL,
			      netstat ? fixture(netstat) : NULL);
	if (!m)
		fail_msg("reading %s, %s: %s", snmp ? s : "-",
			 netstat ? fixture(netstat) : "-", strerror(errno));
	return m;
}

/* A read-only stream holding len bytes of s (NULs included). */
static FILE *stream(const char *s, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	rewind(f);
	return f;
}

/* Parse snmp text alone; NULL (and errno) on failure. */
static struct rs_mib *parse_str(const char *s)
{
	FILE *f = stream(s, strlen(s));
	struct rs_mib *m = rs_mib_parse(f, NULL);
	int err = errno;

	fclose(f);
	errno = err;
	return m;
}

static int64_t get(const struct rs_mib *m, const char *name)
{
	int64_t v = 0;
	int ret = rs_mib_get(m, name, &v);

	if (ret != 0)
		fail_msg("%s: %s", name, strerror(-ret));
	return v;
}

/* The naive reference: every line split on single spaces, line 2k+1 taken
 * as the values of line 2k. Independent of src/mib.c on purpose. */
struct naive {
	char name[256];
	long long v;
};

static unsigned naive_split(const char *path, struct naive *out, unsigned max)
{
	static char hdr[65536], val[65536];
	char *hs, *vs, *h, *v, *prefix;
	FILE *f = fopen(path, "r");
	unsigned n = 0;

	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(hdr, sizeof(hdr), f)) {
		assert_non_null(fgets(val, sizeof(val), f));
		assert_non_null(strchr(hdr, '\n'));
		assert_non_null(strchr(val, '\n'));
		prefix = strtok_r(hdr, " \n", &hs);
		assert_non_null(prefix);
		assert_non_null(strtok_r(val, " \n", &vs));
		prefix[strlen(prefix) - 1] = '\0'; /* the ':' */
		while ((h = strtok_r(NULL, " \n", &hs))) {
			v = strtok_r(NULL, " \n", &vs);
			assert_non_null(v);
			assert_true(n < max);
			snprintf(out[n].name, sizeof(out[n].name), "%s.%s",
				 prefix, h);
			out[n].v = atoll(v);
			n++;
		}
		assert_null(strtok_r(NULL, " \n", &vs));
	}
	fclose(f);
	return n;
}

/* Every counter of the two files, by the naive split, equals the parse. */
static void check_against_naive(const struct rs_mib *m, const char *snmp,
				const char *netstat)
{
	static struct naive ref[2048];
	unsigned n;

	n = naive_split(fixture(snmp), ref, 2048);
	n += naive_split(fixture(netstat), ref + n, 2048 - n);
	assert_true(n > 100);
	assert_int_equal(rs_mib_count(m), n);
	for (unsigned i = 0; i < n; i++)
		if (get(m, ref[i].name) != ref[i].v)
			fail_msg("%s: parsed %lld, naive %lld", ref[i].name,
				 (long long)get(m, ref[i].name), ref[i].v);
}

static void test_fixture_matches_naive(void **state)
{
	struct rs_mib *m = read_fixture("snmp.before", "netstat.before");

	(void)state;
	check_against_naive(m, "snmp.before", "netstat.before");
	/* A few read off the files by eye, in case both splits are wrong
	 * the same way: first, last and watched fields of several lines. */
	assert_int_equal(get(m, "Ip.Forwarding"), 2);
	assert_int_equal(get(m, "Ip.DefaultTTL"), 64);
	assert_int_equal(get(m, "Tcp.RtoMin"), 200);
	assert_int_equal(get(m, "Tcp.RtoMax"), 120000);
	assert_int_equal(get(m, "Tcp.OutRsts"), 2494335);
	assert_int_equal(get(m, "Tcp.EstabResets"), 3752301);
	assert_int_equal(get(m, "Tcp.ActiveOpens"), 2517614);
	assert_int_equal(get(m, "TcpExt.TW"), 927380);
	assert_int_equal(get(m, "TcpExt.TCPAbortOnData"), 1563275);
	assert_int_equal(get(m, "TcpExt.TCPAbortOnClose"), 26958);
	assert_int_equal(get(m, "IpExt.InOctets"), 1200361702);
	assert_int_equal(get(m, "IcmpMsg.InType3"), 1);
	assert_int_equal(get(m, "TcpExt.TCPAODroppedIcmps"), 0);
	assert_int_equal(get(m, "MPTcpExt.WinProbe"), 0);
	rs_mib_free(m);

	m = read_fixture("snmp.after", "netstat.after");
	check_against_naive(m, "snmp.after", "netstat.after");
	rs_mib_free(m);
}

static void test_watched_list(void **state)
{
	(void)state;
	assert_int_equal(rs_mib_nwatched, NWATCHED_EXPECTED);
	for (unsigned i = 0; i < rs_mib_nwatched; i++)
		assert_string_equal(rs_mib_watched[i], increments[i].name);
}

static void test_deltas(void **state)
{
	struct rs_mib *b = read_fixture("snmp.before", "netstat.before");
	struct rs_mib *a = read_fixture("snmp.after", "netstat.after");
	static struct naive ref[2048];
	int64_t d;
	unsigned n;

	(void)state;
	for (unsigned i = 0; i < rs_mib_nwatched; i++) {
		d = -12345;
		assert_int_equal(rs_mib_delta(b, a, rs_mib_watched[i], &d), 0);
		if (d != increments[i].inc)
			fail_msg("%s: delta %lld, want %lld", rs_mib_watched[i],
				 (long long)d, (long long)increments[i].inc);
	}
	for (unsigned i = 0; i < NINC; i++) {
		assert_int_equal(rs_mib_delta(b, a, increments[i].name, &d), 0);
		assert_int_equal(d, increments[i].inc);
		assert_int_equal(rs_mib_delta(a, b, increments[i].name, &d), 0);
		assert_int_equal(d, -increments[i].inc);
	}

	/* Everything not in the table is unchanged. */
	n = naive_split(fixture("snmp.before"), ref, 2048);
	n += naive_split(fixture("netstat.before"), ref + n, 2048 - n);
	for (unsigned i = 0; i < n; i++) {
		unsigned j = 0;

		while (j < NINC && strcmp(increments[j].name, ref[i].name))
			j++;
		assert_int_equal(rs_mib_delta(b, a, ref[i].name, &d), 0);
		if (d != (j < NINC ? increments[j].inc : 0))
			fail_msg("%s: delta %lld", ref[i].name, (long long)d);
	}
	rs_mib_free(a);
	rs_mib_free(b);
}

static void test_missing(void **state)
{
	struct rs_mib *m = read_fixture("snmp.before", "netstat.before");
	struct rs_mib *old = read_fixture("snmp-5.10", "netstat-5.10");
	struct rs_mib *empty = rs_mib_parse(NULL, NULL);
	static const char *const absent[] = {
		"Tcp.NoSuchCounter", "OutRsts", "tcp.outrsts", "Tcp.outrsts",
		"Tcp", "Tcp.", "Tcp:OutRsts", "Tcp: OutRsts", "", ".OutRsts",
		"TcpExt.OutRsts", "Tcp.OutRsts ", "ZZZ.ZZZ", "A",
	};
	int64_t v = 77, d = 77;

	(void)state;
	assert_non_null(empty);
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		if (rs_mib_get(m, absent[i], &v) != -ENOENT)
			fail_msg("'%s' found", absent[i]);
		assert_int_equal(v, 77);
	}
	assert_int_equal(rs_mib_get(m, "Tcp.OutRsts", NULL), 0);
	assert_int_equal(rs_mib_get(empty, "Tcp.OutRsts", &v), -ENOENT);
	assert_int_equal(rs_mib_count(empty), 0);

	/* A counter only the newer kernel has, either way round. */
	assert_int_equal(rs_mib_delta(old, m, "TcpExt.TCPMigrateReqSuccess",
				      &d), -ENOENT);
	assert_int_equal(rs_mib_delta(m, old, "TcpExt.TCPMigrateReqSuccess",
				      &d), -ENOENT);
	assert_int_equal(rs_mib_delta(m, m, "Tcp.Nope", &d), -ENOENT);
	assert_int_equal(rs_mib_delta(empty, m, "Tcp.OutRsts", &d), -ENOENT);
	assert_int_equal(d, 77);
	/* ... while one both have still works. */
	assert_int_equal(rs_mib_delta(old, m, "Tcp.OutRsts", &d), 0);
	assert_int_equal(d, 2494335 - 31);

	rs_mib_free(empty);
	rs_mib_free(old);
	rs_mib_free(m);
}

static void test_signed(void **state)
{
	struct rs_mib *m = read_fixture("snmp.before", NULL), *a, *b;
	int64_t d;

	(void)state;
	assert_int_equal(get(m, "Tcp.MaxConn"), -1);
	assert_int_equal(get(m, "Tcp.RtoAlgorithm"), 1);
	/* The snmp file alone has no TcpExt. */
	assert_int_equal(rs_mib_get(m, "TcpExt.TW", NULL), -ENOENT);
	rs_mib_free(m);

	m = parse_str("X: min max zero neg big\n"
		      "X: -9223372036854775808 9223372036854775807 0 -0 "
		      "18446744073\n");
	assert_non_null(m);
	assert_true(get(m, "X.min") == INT64_MIN);
	assert_true(get(m, "X.max") == INT64_MAX);
	assert_int_equal(get(m, "X.zero"), 0);
	assert_int_equal(get(m, "X.neg"), 0);
	assert_int_equal(get(m, "X.big"), 18446744073);
	rs_mib_free(m);

	/* A difference beyond int64_t is refused, not wrapped. */
	b = parse_str("X: c\nX: -9223372036854775808\n");
	a = parse_str("X: c\nX: 0\n");
	assert_non_null(a);
	assert_non_null(b);
	d = 5;
	assert_int_equal(rs_mib_delta(b, a, "X.c", &d), -ERANGE);
	assert_int_equal(d, 5);
	assert_int_equal(rs_mib_delta(a, b, "X.c", &d), 0);
	assert_true(d == INT64_MIN);
	rs_mib_free(a);
	rs_mib_free(b);
}

/* Malformed snmp text: each must fail with EINVAL. */
static void test_malformed(void **state)
{
	static const char *const bad[] = {
		/* header/value count mismatch, both ways */
		"Tcp: A B C\nTcp: 1 2\n",
		"Tcp: A B\nTcp: 1 2 3\n",
		"Tcp:\nTcp: 1\n",
		"Tcp: A\nTcp:\n",
		/* prefix mismatch, or no proper prefix */
		"Tcp: A B\nUdp: 1 2\n",
		"Tcp: A B\nTcp 1 2\n",
		"Tcp A B\nTcp A 1 2\n",
		"Tcp A B\nTcp 1 2\n",
		": A\n: 1\n",
		"Tcp: A\n1\n",
		/* not a plain decimal int64 */
		"Tcp: A\nTcp: x\n",
		"Tcp: A\nTcp: 1x\n",
		"Tcp: A\nTcp: +1\n",
		"Tcp: A\nTcp: --1\n",
		"Tcp: A\nTcp: -\n",
		"Tcp: A\nTcp: 1.5\n",
		"Tcp: A\nTcp: 0x10\n",
		"Tcp: A\nTcp: 1e3\n",
		"Tcp: A\nTcp: 9223372036854775808\n",
		"Tcp: A\nTcp: -9223372036854775809\n",
		"Tcp: A\nTcp: 18446744073709551615\n",
		"Tcp: A\nTcp: 99999999999999999999999\n",
		"Tcp: A\nTcp: 1\r\n",
		/* empty */
		"",
		"\n",
		"\n \n\t\n",
		/* a header without its value line */
		"Tcp: A B\n",
		"Tcp: A B",
		"Tcp: A\nTcp: 1\nUdp: B\n",
		"Tcp: A\n\nTcp: 1\n",
		/* good pairs, then a bad one: all or nothing */
		"Ip: A\nIp: 1\nTcp: B\nTcp: 2\nUdp: C D\nUdp: 3\n",
		/* the same counter twice */
		"Tcp: A A\nTcp: 1 2\n",
		"Tcp: A\nTcp: 1\nTcp: A\nTcp: 1\n",
	};
	struct rs_mib *m;

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		m = parse_str(bad[i]);
		if (m || errno != EINVAL) {
			rs_mib_free(m);
			fail_msg("case %u '%s': %s", i, bad[i],
				 m ? "parsed" : strerror(errno));
		}
	}
}

/* Input that looks odd but is valid. */
static void test_lenient(void **state)
{
	struct rs_mib *m;

	(void)state;
	m = parse_str("\nIp: A  B\t C\n"
		      "Ip:\t1 2   3\n"
		      "\n\n"
		      "Tcp: A\n"
		      "Tcp: 007");
	assert_non_null(m);
	assert_int_equal(rs_mib_count(m), 4);
	assert_int_equal(get(m, "Ip.A"), 1);
	assert_int_equal(get(m, "Ip.B"), 2);
	assert_int_equal(get(m, "Ip.C"), 3);
	assert_int_equal(get(m, "Tcp.A"), 7);
	rs_mib_free(m);
}

/* A NUL inside a line must not hide the rest of it. */
static void test_nul_byte(void **state)
{
	static const char text[] = "Tcp: A B\0C\nTcp: 1 2\n";
	FILE *f = stream(text, sizeof(text) - 1);
	struct rs_mib *m;

	(void)state;
	errno = 0;
	m = rs_mib_parse(f, NULL);
	assert_null(m);
	assert_int_equal(errno, EINVAL);
	fclose(f);
}

/* One bad stream fails the snapshot, whichever it is; so does the same
 * pair in both. */
static void test_two_streams(void **state)
{
	static const char good[] = "Tcp: A\nTcp: 1\n";
	static const char other[] = "TcpExt: B\nTcpExt: 2\n";
	static const char bad[] = "TcpExt: B\nTcpExt: x\n";
	FILE *g, *o;
	struct rs_mib *m;

	(void)state;
	g = stream(good, strlen(good));
	o = stream(other, strlen(other));
	m = rs_mib_parse(g, o);
	assert_non_null(m);
	assert_int_equal(get(m, "Tcp.A"), 1);
	assert_int_equal(get(m, "TcpExt.B"), 2);
	rs_mib_free(m);
	fclose(g);
	fclose(o);

	g = stream(good, strlen(good));
	o = stream(bad, strlen(bad));
	errno = 0;
	assert_null(rs_mib_parse(g, o));
	assert_int_equal(errno, EINVAL);
	rewind(g);
	rewind(o);
	errno = 0;
	assert_null(rs_mib_parse(o, g));
	assert_int_equal(errno, EINVAL);
	fclose(o);

	rewind(g);
	o = stream(good, strlen(good));
	errno = 0;
	assert_null(rs_mib_parse(g, o));
	assert_int_equal(errno, EINVAL);
	fclose(g);
	fclose(o);

	/* An empty netstat stream is malformed too. */
	g = stream(good, strlen(good));
	o = stream("", 0);
	errno = 0;
	assert_null(rs_mib_parse(g, o));
	assert_int_equal(errno, EINVAL);
	fclose(g);
	fclose(o);
}

/* Lines far longer than any fixed buffer: 5000 fields, and one name of
 * 100 000 characters. */
static void test_long_lines(void **state)
{
	enum { NF = 5000, LONG = 100000 };
	size_t cap = (size_t)NF * 24 + 2 * LONG + 64, len = 0;
	char *text = malloc(cap), *name = malloc(LONG + 16);
	char key[32];
	FILE *f;
	struct rs_mib *m;

	(void)state;
	assert_non_null(text);
	assert_non_null(name);
	len += (size_t)sprintf(text + len, "TcpExt:");
	for (int i = 0; i < NF; i++)
		len += (size_t)sprintf(text + len, " F%d", i);
	len += (size_t)sprintf(text + len, "\nTcpExt:");
	for (int i = 0; i < NF; i++)
		len += (size_t)sprintf(text + len, " %d", i * 3);
	memset(name, 'N', LONG);
	name[LONG] = '\0';
	len += (size_t)sprintf(text + len, "\nL: %s\nL: 42\n", name);
	assert_true(len < cap);

	f = stream(text, len);
	m = rs_mib_parse(NULL, f);
	fclose(f);
	assert_non_null(m);
	assert_int_equal(rs_mib_count(m), NF + 1);
	for (int i = 0; i < NF; i += 499) {
		snprintf(key, sizeof(key), "TcpExt.F%d", i);
		assert_int_equal(get(m, key), i * 3);
	}
	assert_int_equal(get(m, "TcpExt.F4999"), 4999 * 3);
	memmove(name + 2, name, LONG + 1);
	memcpy(name, "L.", 2);
	assert_int_equal(get(m, name), 42);
	rs_mib_free(m);
	free(name);
	free(text);
}

/* "\tName" (pass 0) or "\tvalue" (pass 1) of r, whose prefix is plen
 * characters long. */
static size_t append_field(char *buf, size_t len, const struct naive *r,
			   size_t plen, int pass)
{
	if (pass == 0)
		return (size_t)snprintf(buf, len, "\t%s", r->name + plen + 1);
	return (size_t)snprintf(buf, len, "\t%lld", r->v);
}

/* Fields are found by name: the fixture with every line's fields in
 * reverse order, tab-separated, parses to the same values. */
static void test_position_independent(void **state)
{
	static struct naive ref[2048];
	static char text[1 << 16];
	struct rs_mib *m, *rev;
	size_t len = 0;
	unsigned n, start;
	FILE *f;

	(void)state;
	n = naive_split(fixture("netstat.before"), ref, 2048);
	for (start = 0; start < n;) {
		unsigned end = start;
		size_t plen = strcspn(ref[start].name, ".");

		while (end < n &&
		       !strncmp(ref[end].name, ref[start].name, plen + 1))
			end++;
		/* The header line, then the value line. */
		for (int pass = 0; pass < 2; pass++) {
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"%.*s:", (int)plen,
						ref[start].name);
			for (unsigned i = end; i-- > start;)
				len += append_field(text + len,
						    sizeof(text) - len,
						    &ref[i], plen, pass);
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"\n");
		}
		start = end;
	}
	assert_true(len < sizeof(text));

	f = stream(text, len);
	rev = rs_mib_parse(NULL, f);
	fclose(f);
	assert_non_null(rev);
	m = read_fixture(NULL, "netstat.before");
	assert_int_equal(rs_mib_count(rev), n);
	assert_int_equal(rs_mib_count(m), n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(get(rev, ref[i].name), get(m, ref[i].name));
	rs_mib_free(rev);
	rs_mib_free(m);
}

/* A 5.10 kernel prints fewer fields: some TcpExt ones at the end, and
 * Icmp fields in the middle, so later Icmp fields sit elsewhere. */
static void test_kernel_5_10(void **state)
{
	struct rs_mib *m = read_fixture("snmp-5.10", "netstat-5.10");
	static const char *const newer[] = {
		"TcpExt.TCPMigrateReqSuccess", "TcpExt.TCPMigrateReqFailure",
		"TcpExt.TCPPLBRehash", "TcpExt.TCPAODroppedIcmps",
		"Icmp.OutRateLimitGlobal", "Icmp.OutRateLimitHost",
		"Ip.OutTransmits", "MPTcpExt.MPCapableSYNRX",
	};
	static const int64_t want[NWATCHED_EXPECTED] = {
		31, 32, 33, 34, 35, 41, 42, 43, 44, 45,
	};

	(void)state;
	check_against_naive(m, "snmp-5.10", "netstat-5.10");
	for (unsigned i = 0; i < rs_mib_nwatched; i++)
		assert_int_equal(get(m, rs_mib_watched[i]), want[i]);
	assert_int_equal(get(m, "TcpExt.TCPDSACKIgnoredDubious"), 46);
	assert_int_equal(get(m, "Icmp.OutMsgs"), 18);
	assert_int_equal(get(m, "Icmp.OutDestUnreachs"), 17);
	assert_int_equal(get(m, "Tcp.MaxConn"), -1);
	for (unsigned i = 0; i < sizeof(newer) / sizeof(newer[0]); i++)
		assert_int_equal(rs_mib_get(m, newer[i], NULL), -ENOENT);
	rs_mib_free(m);
}

static void test_open_errors(void **state)
{
	struct rs_mib *m;
	FILE *w;

	(void)state;
	errno = 0;
	assert_null(rs_mib_read_files("/nonexistent/snmp", NULL));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(rs_mib_read_files(fixture("snmp.before"),
				      "/nonexistent/netstat"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(rs_mib_read_files(NULL, "/nonexistent/netstat"));
	assert_int_equal(errno, ENOENT);

	/* A read error is passed on as such, not as EINVAL. */
	w = fopen("/dev/null", "w");
	assert_non_null(w);
	errno = 0;
	assert_null(rs_mib_parse(w, NULL));
	assert_int_equal(errno, EBADF);
	fclose(w);

	m = rs_mib_read_files(NULL, NULL);
	assert_non_null(m);
	assert_int_equal(rs_mib_count(m), 0);
	rs_mib_free(m);
	rs_mib_free(NULL);
}

/* The live files: present, parseable, and counting. A connect() to a
 * bound port nobody listens on is answered with a RST (Tcp.OutRsts) and
 * fails the attempt (Tcp.AttemptFails); other traffic can only add. */
static void test_read_proc(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	struct rs_mib *before, *after;
	int hold, c;
	int64_t d;

	(void)state;
	before = rs_mib_read();
	if (!before)
		fail_msg("rs_mib_read: %s", strerror(errno));
	assert_true(rs_mib_count(before) > 100);
	assert_int_equal(rs_mib_get(before, "Tcp.OutRsts", NULL), 0);
	assert_int_equal(get(before, "Tcp.MaxConn"), -1);
	for (unsigned i = 0; i < rs_mib_nwatched; i++)
		assert_int_equal(rs_mib_get(before, rs_mib_watched[i], NULL),
				 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	hold = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(hold >= 0);
	assert_int_equal(bind(hold, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(hold, (struct sockaddr *)&sin, &slen), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sin, sizeof(sin)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(c);
	close(hold);

	after = rs_mib_read();
	assert_non_null(after);
	assert_int_equal(rs_mib_delta(before, after, "Tcp.OutRsts", &d), 0);
	assert_true(d >= 1);
	assert_int_equal(rs_mib_delta(before, after, "Tcp.AttemptFails", &d),
			 0);
	assert_true(d >= 1);
	rs_mib_free(after);
	rs_mib_free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_matches_naive),
		cmocka_unit_test(test_watched_list),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_two_streams),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_position_independent),
		cmocka_unit_test(test_kernel_5_10),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_read_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
