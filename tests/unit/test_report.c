/* Unit tests for the CSV reports (src/report.c): a fixed run written into a
 * fresh directory and compared byte for byte with tests/golden/report/,
 * CSV quoting, and the errors of an unwritable directory.
 *
 * RS_GOLDEN_DIR overrides where the golden files are; by default they are
 * found from this file's path. RS_UPDATE_GOLDEN=1 rewrites them from the
 * writer instead of comparing: read every value again by hand after that.
 * The one host-dependent field, the liburing version the build found, is
 * @LIBURING_VERSION@ in the golden files and RS_LIBURING_VERSION here, so
 * the test passes the same on every host. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

static const char *const csv_names[] = {
	"summary.csv", "outcomes.csv", "ops.csv", "failures.csv",
	"histograms.csv",
};
#define NCSV (sizeof(csv_names) / sizeof(csv_names[0]))

struct fixture {
	char dir[PATH_MAX];	/* the test's own temporary directory */
	struct rs_config cfg;
	struct rs_probe probe;
	struct rs_tally *client, *server;
	struct rs_report rep;
};

/* The run the golden files describe. Every number here is checked by hand
 * against tests/golden/report/: change one, and read them all again. */
static void build_client(struct rs_tally *t)
{
	const unsigned epipe = rs_result_of(-EPIPE);
	const unsigned reset = rs_result_of(-ECONNRESET);

	/* 10 connections: 7 completed, 2 refused, 1 abandoned in its ops */
	t->started = 10;
	t->completed = 7;
	t->failed[RS_PH_CONNECT][rs_result_of(-ECONNREFUSED)] = 2;
	t->abandoned[RS_PH_OPS] = 1;
	t->mode_started[RS_CLOSE_FIN] = 5;
	t->mode_started[RS_CLOSE_RST] = 5;
	t->mode_completed[RS_CLOSE_FIN] = 4;
	t->mode_completed[RS_CLOSE_RST] = 3;

	/* fin: 4 connections reached their ops */
	t->op_issued[RS_CLOSE_FIN][0] = 4;
	t->outcome.n[RS_CLOSE_FIN][0][RS_RES_OK] = 4;
	t->op_issued[RS_CLOSE_FIN][1] = 4;
	t->outcome.n[RS_CLOSE_FIN][1][RS_RES_OK] = 3;
	t->outcome.n[RS_CLOSE_FIN][1][epipe] = 1;
	t->op_bytes[RS_CLOSE_FIN][1] = 3; /* three 1-byte sends */
	t->op_issued[RS_CLOSE_FIN][2] = 4;
	t->outcome.n[RS_CLOSE_FIN][2][epipe] = 4;
	t->op_issued[RS_CLOSE_FIN][3] = 4;
	t->outcome.n[RS_CLOSE_FIN][3][RS_RES_EOF] = 3;
	t->outcome.n[RS_CLOSE_FIN][3][reset] = 1;

	/* rst: 4 reached their ops, one abandoned during op 3 */
	t->op_issued[RS_CLOSE_RST][0] = 4;
	t->outcome.n[RS_CLOSE_RST][0][RS_RES_OK] = 1;
	t->outcome.n[RS_CLOSE_RST][0][reset] = 3;
	t->before_close[RS_CLOSE_RST][0] = 1;
	t->op_issued[RS_CLOSE_RST][1] = 4;
	t->outcome.n[RS_CLOSE_RST][1][epipe] = 4;
	t->op_issued[RS_CLOSE_RST][2] = 4;
	t->outcome.n[RS_CLOSE_RST][2][epipe] = 3;
	t->op_abandoned[RS_CLOSE_RST][2] = 1;
	t->op_issued[RS_CLOSE_RST][3] = 3;
	t->outcome.n[RS_CLOSE_RST][3][RS_RES_EOF] = 3;

	t->cq_overflow = 0;
	t->stray_cqes = 2;
	t->user_ns = 300000000;
	t->sys_ns = 200000000;

	/* connect: p50 is 20000's bucket top, p99 the max */
	rs_histo_record(&t->connect_ns, 15000);
	rs_histo_record(&t->connect_ns, 20000);
	rs_histo_record(&t->connect_ns, 250000);
	/* ops: 40 (exact), 1000 and 3000, 100000 */
	rs_histo_record(&t->op_ns[RS_CLOSE_FIN][0], 1000);
	rs_histo_record(&t->op_ns[RS_CLOSE_FIN][0], 3000);
	rs_histo_record(&t->op_ns[RS_CLOSE_RST][0], 40);
	rs_histo_record(&t->op_ns[RS_CLOSE_FIN][3], 100000);
	rs_histo_record(&t->since_close_ns[RS_CLOSE_RST][0], 500);
	rs_histo_record(&t->since_close_ns[RS_CLOSE_RST][0], 2000000);
	rs_histo_record(&t->since_close_err_ns[RS_CLOSE_RST][0], 2000000);
}

static void build_server(struct rs_tally *s)
{
	s->srv_accepted = 8;
	s->srv_closed[RS_CLOSE_FIN] = 4;
	s->srv_closed[RS_CLOSE_RST] = 4;
	s->cq_overflow = 1;
	s->user_ns = 100000000;
	s->sys_ns = 50000000;
}

static int teardown(void **state);

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	*state = fx;
	snprintf(fx->dir, sizeof(fx->dir), "%s/rststorm-test-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		fx->dir[0] = '\0';
		goto fail;
	}

	rs_config_defaults(&fx->cfg, 2);
	fx->cfg.seed = 42;
	fx->cfg.seed_given = true;

	snprintf(fx->probe.release, sizeof(fx->probe.release), "6.1.0-test");
	snprintf(fx->probe.machine, sizeof(fx->probe.machine), "x86_64");
	fx->probe.ring_flags = 0;
	fx->probe.socket_direct = true;
	fx->probe.multishot_accept = true;

	fx->client = rs_tally_new();
	fx->server = rs_tally_new();
	if (!fx->client || !fx->server)
		goto fail;
	build_client(fx->client);
	build_server(fx->server);

	fx->rep.cfg = &fx->cfg;
	fx->rep.probe = &fx->probe;
	fx->rep.client = fx->client;
	fx->rep.server = fx->server;
	fx->rep.scenario = "run";
	fx->rep.closer = "server";
	fx->rep.engine = "io_uring";
	snprintf(fx->rep.started_utc, sizeof(fx->rep.started_utc),
		 "2026-11-21T19:50:40Z");
	fx->rep.elapsed_s = 2.0;
	fx->rep.interrupted = 0;
	fx->rep.balanced =
		rs_tally_balanced(fx->client, fx->cfg.script.n,
				  fx->rep.books_why, sizeof(fx->rep.books_why));
	fx->rep.proc_user_s = 1.25;
	fx->rep.proc_sys_s = 0.5;
	return 0;
fail:
	/* cmocka runs no teardown after a failed setup */
	teardown(state);
	*state = NULL;
	return -1;
}

static int remove_one(const char *path, const struct stat *sb, int flag,
		      struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int ret = 0;

	if (!fx)
		return 0;
	if (fx->dir[0] &&
	    nftw(fx->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		ret = -1;
	free(fx->client);
	free(fx->server);
	free(fx);
	return ret;
}

/* The golden directory: $RS_GOLDEN_DIR, else tests/golden/report next to
 * the tests/unit/ this file is in. */
static void golden_dir(char *buf, size_t len)
{
	const char *env = getenv("RS_GOLDEN_DIR");
	char *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	snprintf(buf, len, "%s", __FILE__);
	/* tests/unit/test_report.c -> tests */
	for (int i = 0; i < 2; i++) {
		slash = strrchr(buf, '/');
		if (!slash) {
			snprintf(buf, len, "tests");
			break;
		}
		*slash = '\0';
	}
	strncat(buf, "/golden/report", len - strlen(buf) - 1);
}

/* The whole file, NUL-terminated, in a malloc'd buffer; NULL if absent. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *p;

			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

#define VERSION_MARK "@LIBURING_VERSION@"

/* buf (malloc'd, NUL-terminated, *len bytes) with the first `from` after
 * the header line replaced by `to`; returns the new buffer (the old one is
 * freed) or buf unchanged when `from` is not there. */
static char *replace_once(char *buf, size_t *len, const char *from,
			  const char *to)
{
	char *nl = strchr(buf, '\n');
	char *at = strstr(nl ? nl : buf, from);
	size_t fl = strlen(from), tl = strlen(to), off;
	char *out;

	if (!at)
		return buf;
	off = (size_t)(at - buf);
	out = malloc(*len - fl + tl + 1);
	assert_non_null(out);
	memcpy(out, buf, off);
	memcpy(out + off, to, tl);
	memcpy(out + off + tl, at + fl, *len - off - fl + 1);
	*len = *len - fl + tl;
	free(buf);
	return out;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* True if got and want are the same bytes; otherwise msg names the first
 * line that differs, with both versions of it. */
static bool same(const char *name, const char *got, size_t glen,
		 const char *want, size_t wlen, char *msg, size_t msglen)
{
	size_t i, line = 1, start = 0, gend, wend;

	if (glen == wlen && memcmp(got, want, glen) == 0)
		return true;
	for (i = 0; i < glen && i < wlen && got[i] == want[i]; i++) {
		if (got[i] == '\n') {
			line++;
			start = i + 1;
		}
	}
	for (gend = start; gend < glen && got[gend] != '\n'; gend++)
		;
	for (wend = start; wend < wlen && want[wend] != '\n'; wend++)
		;
	snprintf(msg, msglen,
		 "%s differs from its golden file at line %zu:\n"
		 "  got:  %.*s\n  want: %.*s",
		 name, line, (int)(gend - start), got + start,
		 (int)(wend - start), want + start);
	return false;
}

static void test_golden(void **state)
{
	struct fixture *fx = *state;
	char out[PATH_MAX + 32], golden[PATH_MAX], path[PATH_MAX + 64];
	char err[512] = "", msg[1024];
	const char *update = getenv("RS_UPDATE_GOLDEN");
	bool ok;
	struct dirent *de;
	unsigned seen = 0;
	DIR *d;
	size_t i;

	/* A directory that does not exist yet, two levels down. */
	snprintf(out, sizeof(out), "%s/csv/run1", fx->dir);
	golden_dir(golden, sizeof(golden));
	assert_true(fx->rep.balanced);
	if (rs_report_write_csv(&fx->rep, out, err, sizeof(err)) != 0)
		fail_msg("rs_report_write_csv: %s", err);

	for (i = 0; i < NCSV; i++) {
		char *got, *want;
		size_t glen = 0, wlen = 0;

		snprintf(path, sizeof(path), "%s/%s", out, csv_names[i]);
		got = slurp(path, &glen);
		if (!got)
			fail_msg("%s was not written", path);
		snprintf(path, sizeof(path), "%s/%s", golden, csv_names[i]);
		if (update && *update == '1') {
			if (strcmp(csv_names[i], "summary.csv") == 0)
				got = replace_once(got, &glen,
						   "," RS_LIBURING_VERSION ",",
						   "," VERSION_MARK ",");
			write_file(path, got, glen);
			free(got);
			continue;
		}
		want = slurp(path, &wlen);
		if (!want) {
			free(got);
			fail_msg("no golden file %s (run from the top of the "
				 "tree, or set RS_GOLDEN_DIR)",
				 path);
		}
		if (strcmp(csv_names[i], "summary.csv") == 0) {
			assert_non_null(strstr(want, VERSION_MARK));
			want = replace_once(want, &wlen, VERSION_MARK,
					    RS_LIBURING_VERSION);
		}
		ok = same(csv_names[i], got, glen, want, wlen, msg,
			  sizeof(msg));
		/* Freed before a failure: cmocka longjmps out. */
		free(got);
		free(want);
		if (!ok)
			fail_msg("%s", msg);
	}

	/* Only the five files: no temporary file left behind. */
	d = opendir(out);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		for (i = 0; i < NCSV; i++)
			if (strcmp(de->d_name, csv_names[i]) == 0)
				break;
		if (i == NCSV) {
			closedir(d);
			fail_msg("stray file %s in %s", de->d_name, out);
		}
		seen++;
	}
	closedir(d);
	assert_int_equal(seen, NCSV);

	/* what the writers wrote is what the schema table says: the reader,
	 * which checks every header, field count and type against the
	 * table, takes it back */
	{
		struct rs_repdir rd;

		if (rs_repdir_load(&rd, out, err, sizeof(err)) != 0)
			fail_msg("rs_repdir_load: %s", err);
		assert_int_equal(rd.kind, RS_RKIND_RUN);
		rs_repdir_free(&rd);
	}
}

/* hold.csv: its header is the table's, its one row has every column. */
static void test_hold(void **state)
{
	struct fixture *fx = *state;
	struct rs_hold_stats h = { .target = 10, .established = 10,
				   .establish_s = 0.5, .storm_s = -1,
				   .drain_s = 0.25, .rss_before_kb = 1000,
				   .rss_held_kb = 2000 };
	char err[512] = "", path[PATH_MAX + 32], *got, *hdr = NULL;
	size_t len = 0, hlen = 0;
	FILE *f;

	fx->rep.hold = &h;
	assert_int_equal(rs_report_write_csv(&fx->rep, fx->dir, err,
					     sizeof(err)), 0);
	fx->rep.hold = NULL;
	snprintf(path, sizeof(path), "%s/hold.csv", fx->dir);
	got = slurp(path, &len);
	assert_non_null(got);
	f = open_memstream(&hdr, &hlen);
	assert_non_null(f);
	rs_schema_header(RS_RF_HOLD, f);
	fclose(f);
	assert_true(len > hlen);
	assert_memory_equal(got, hdr, hlen);
	assert_string_equal(got + hlen,
			    "2,run,10,10,0.500000,-1.000000,0.250000,1000,2000,102400.0,0,0,0.0,2,2,8,1,io_uring-direct,multishot\n");
	free(hdr);
	free(got);
}

/* Writing again over the same directory replaces the files, same bytes. */
static void test_rewrite(void **state)
{
	struct fixture *fx = *state;
	char err[512] = "", path[PATH_MAX + 32];
	char *first, *second;
	size_t l1 = 0, l2 = 0;

	assert_int_equal(rs_report_write_csv(&fx->rep, fx->dir, err,
					     sizeof(err)),
			 0);
	snprintf(path, sizeof(path), "%s/summary.csv", fx->dir);
	first = slurp(path, &l1);
	assert_non_null(first);
	fx->client->stray_cqes = 5;
	assert_int_equal(rs_report_write_csv(&fx->rep, fx->dir, err,
					     sizeof(err)),
			 0);
	second = slurp(path, &l2);
	assert_non_null(second);
	/* Only stray_cqes changed: 2 -> 5 (family, clock, target, the
	 * link's columns, op_size, server_sends and closer follow it). */
	assert_int_equal(l1, l2);
	assert_memory_equal(first, second, l1 - 48);
	assert_string_equal(first + l1 - 48,
			    "2,ipv4,stamp,embedded,none,0,0,0,0,0,1,0,server\n");
	assert_string_equal(second + l2 - 48,
			    "5,ipv4,stamp,embedded,none,0,0,0,0,0,1,0,server\n");
	free(first);
	free(second);
}

static void test_unwritable(void **state)
{
	struct fixture *fx = *state;
	char err[512], path[PATH_MAX + 32];
	int ret;
	FILE *f;

	/* Under a character device. */
	memset(err, 0, sizeof(err));
	ret = rs_report_write_csv(&fx->rep, "/dev/null/x", err, sizeof(err));
	assert_true(ret < 0);
	assert_int_equal(ret, -ENOTDIR);
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "/dev/null/x"));
	assert_null(strchr(err, '\n'));

	/* A regular file where the directory should be. */
	snprintf(path, sizeof(path), "%s/plain", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	memset(err, 0, sizeof(err));
	ret = rs_report_write_csv(&fx->rep, path, err, sizeof(err));
	assert_true(ret < 0);
	assert_int_equal(ret, -ENOTDIR);
	assert_non_null(strstr(err, path));

	/* Under that file, deeper. */
	snprintf(path, sizeof(path), "%s/plain/a/b", fx->dir);
	memset(err, 0, sizeof(err));
	ret = rs_report_write_csv(&fx->rep, path, err, sizeof(err));
	assert_true(ret < 0);
	assert_true(strlen(err) > 0);
}

/* rs_csv_field into a memory stream: what it wrote, as a string. */
static char *field(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	rs_csv_field(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_csv_field(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "6.1.0-test", "6.1.0-test" },
		{ "with space", "with space" },
		{ "a,b", "\"a,b\"" },
		{ "fin=50,rst=50", "\"fin=50,rst=50\"" },
		{ "send,send,send,recv", "\"send,send,send,recv\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "a\nb", "\"a\nb\"" },
		{ "a\r\nb", "\"a\r\nb\"" },
		{ ",\",\n", "\",\"\",\n\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = field(cases[i].in);

		if (strcmp(got, cases[i].out) != 0) {
			char msg[256];

			snprintf(msg, sizeof(msg), "'%s' wrote '%s', want '%s'",
				 cases[i].in, got, cases[i].out);
			free(got);
			fail_msg("%s", msg);
		}
		free(got);
	}
}

/* The human table: the same run, a few lines that must be there. */
static void test_print(void **state)
{
	struct fixture *fx = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ok;

	assert_non_null(f);
	rs_report_print(&fx->rep, f);
	assert_int_equal(fclose(f), 0);
	ok = strstr(buf, "started 10 = completed 7 + failed 2 + abandoned 1") &&
	     strstr(buf, "(books balance)") &&
	     strstr(buf, "connect ECONNREFUSED 2") &&
	     strstr(buf, "ops abandoned 1") &&
	     strstr(buf, "4 connections/s  15 ops/s  over 2.00 s") &&
	     strstr(buf, "ok 75.00%  EPIPE 25.00%") &&
	     !strstr(buf, "INTERRUPTED");
	if (!ok) {
		fprintf(stderr, "%s", buf);
		free(buf);
		fail_msg("the table above lacks a line it should have");
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup,
						teardown),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test_setup_teardown(test_print, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
