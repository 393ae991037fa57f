/* Unit tests for src/util.c (rs_esc_field) and for the report file
 * safety of src/report.c: rs_report_dir_prepare() and rs_csv_open()
 * around planted symlinks and reports of the other kind. Each test works
 * in its own temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

static void test_esc_field(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(rs_esc_field("fin", 40, buf, sizeof(buf)), "fin");
	assert_string_equal(rs_esc_field("a\nb\r\033[2J", 40, buf,
					 sizeof(buf)),
			    "a\\x0ab\\x0d\\x1b[2J");
	assert_string_equal(rs_esc_field("back\\slash", 40, buf, sizeof(buf)),
			    "back\\\\slash");
	assert_string_equal(rs_esc_field("\xc3\xa9", 40, buf, sizeof(buf)),
			    "\\xc3\\xa9");
	assert_string_equal(rs_esc_field("abcdef", 3, buf, sizeof(buf)),
			    "abc...");
	/* a short buffer cuts, and stays terminated */
	rs_esc_field("\n\n\n\n\n\n\n\n", 40, buf, 10);
	assert_true(strlen(buf) < 10);
	assert_null(strchr(buf, '\n'));
}

struct tmpd {
	char dir[PATH_MAX];
};

static int setup(void **state)
{
	struct tmpd *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/rs-test-util.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmpd *t = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void touch(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX + 64];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_prepare_creates(void **state)
{
	struct tmpd *t = *state;
	char d[PATH_MAX + 32], err[512];
	struct stat st;

	snprintf(d, sizeof(d), "%s/a/b/c", t->dir);
	assert_int_equal(rs_report_dir_prepare(d, RS_RKIND_RUN, err,
					       sizeof(err)), 0);
	assert_int_equal(stat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* the write probe leaves nothing behind */
	assert_int_equal(rmdir(d), 0);
}

static void test_prepare_not_a_dir(void **state)
{
	struct tmpd *t = *state;
	char d[PATH_MAX + 32], err[512];

	touch(t->dir, "file", "x");
	snprintf(d, sizeof(d), "%s/file", t->dir);
	assert_int_equal(rs_report_dir_prepare(d, RS_RKIND_CHECK, err,
					       sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "--csv"));
	assert_non_null(strstr(err, "not a directory"));
	snprintf(d, sizeof(d), "%s/file/sub", t->dir);
	assert_int_equal(rs_report_dir_prepare(d, RS_RKIND_RUN, err,
					       sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "cannot create"));
	assert_int_equal(rs_report_dir_prepare("", RS_RKIND_RUN, err,
					       sizeof(err)), -EINVAL);
}

static void test_prepare_other_kind(void **state)
{
	struct tmpd *t = *state;
	char p[PATH_MAX + 32], err[512];

	touch(t->dir, "check.csv", "check\n");
	assert_int_equal(rs_report_dir_prepare(t->dir, RS_RKIND_RUN, err,
					       sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "holds a check report (check.csv)"));
	/* the same kind again is a report replaced whole: allowed */
	assert_int_equal(rs_report_dir_prepare(t->dir, RS_RKIND_CHECK, err,
					       sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/check.csv", t->dir);
	assert_string_equal(slurp(p), "check\n");
	assert_int_equal(unlink(p), 0);
	touch(t->dir, "summary.csv", "run\n");
	assert_int_equal(rs_report_dir_prepare(t->dir, RS_RKIND_CHECK, err,
					       sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "holds a run report (summary.csv)"));
}

static void test_prepare_unwritable(void **state)
{
	struct tmpd *t = *state;
	char d[PATH_MAX + 32], err[512];

	if (geteuid() == 0) {
		/* root writes anywhere; a read-only directory says nothing */
		skip();
	}
	snprintf(d, sizeof(d), "%s/ro", t->dir);
	assert_int_equal(mkdir(d, 0500), 0);
	assert_int_equal(rs_report_dir_prepare(d, RS_RKIND_RUN, err,
					       sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "cannot write"));
}

/* A file the writer must not touch, and symlinks to it at the temporary
 * name this process would use and at the final name. */
static void test_csv_open_planted(void **state)
{
	struct tmpd *t = *state;
	char victim[PATH_MAX + 32], p[PATH_MAX + 64], err[512];
	struct rs_csv_out o;
	struct stat st;

	snprintf(victim, sizeof(victim), "%s/victim", t->dir);
	touch(t->dir, "victim", "root's\n");
	for (unsigned k = 0; k < 2; k++) {
		snprintf(p, sizeof(p), "%s/.ops.csv.tmp.%d.%u", t->dir,
			 (int)getpid(), k);
		assert_int_equal(symlink(victim, p), 0);
	}
	/* the name the writer used before the fix */
	snprintf(p, sizeof(p), "%s/.ops.csv.tmp.%d", t->dir, (int)getpid());
	assert_int_equal(symlink(victim, p), 0);
	snprintf(p, sizeof(p), "%s/ops.csv", t->dir);
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(rs_csv_open(&o, t->dir, "ops.csv", err, sizeof(err)),
			 0);
	fputs("new\n", o.f);
	assert_int_equal(rs_csv_close(&o, err, sizeof(err)), 0);
	assert_string_equal(slurp(victim), "root's\n");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(p), "new\n");
	/* the planted names were skipped, not removed */
	snprintf(p, sizeof(p), "%s/.ops.csv.tmp.%d.0", t->dir, (int)getpid());
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

static void test_csv_open_other_kind(void **state)
{
	struct tmpd *t = *state;
	char p[PATH_MAX + 64], err[512];
	struct rs_csv_out o;

	touch(t->dir, "summary.csv", "run\n");
	assert_int_equal(rs_csv_open(&o, t->dir, "check.csv", err,
				     sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "holds a run report"));
	snprintf(p, sizeof(p), "%s/check.csv", t->dir);
	assert_int_equal(access(p, F_OK), -1);
	/* a file of no kind (compare.csv) may sit beside either */
	assert_int_equal(rs_csv_open(&o, t->dir, "compare.csv", err,
				     sizeof(err)), 0);
	assert_int_equal(rs_csv_close(&o, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esc_field),
		cmocka_unit_test_setup_teardown(test_prepare_creates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prepare_not_a_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prepare_other_kind,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_unwritable,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_open_planted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_csv_open_other_kind,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
