/* Unit tests for the schema table (src/schema.c): docs/csv.md's generated
 * column tables match it, the table is well formed (unique names, keys and
 * histograms that exist, types whose checks accept what the writers
 * write), and the row builder refuses a column the table lacks and a row
 * that leaves one of the table's columns unset.
 *
 * RS_CSV_DOC overrides where docs/csv.md is; by default it is found from
 * this file's path. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "schema.h"

static void doc_path(char *buf, size_t len)
{
	const char *env = getenv("RS_CSV_DOC");
	char *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	snprintf(buf, len, "%s", __FILE__);
	/* tests/unit/test_schema.c -> the tree */
	for (int i = 0; i < 3; i++) {
		slash = strrchr(buf, '/');
		if (!slash) {
			snprintf(buf, len, ".");
			break;
		}
		*slash = '\0';
	}
	strncat(buf, "/docs/csv.md", len - strlen(buf) - 1);
}

/* docs/compare.md, next to docs/csv.md. */
static void cmp_doc_path(char *buf, size_t len)
{
	char *slash;

	doc_path(buf, len);
	slash = strrchr(buf, '/');
	if (slash)
		snprintf(slash + 1, len - (size_t)(slash + 1 - buf), "compare.md");
	else
		snprintf(buf, len, "compare.md");
}

/* docs/csv.md's blocks are exactly what `rststorm schema` generates. */
static void test_doc_matches(void **state)
{
	char path[PATH_MAX], err[600] = "";
	int st;

	(void)state;
	doc_path(path, sizeof(path));
	st = rs_schema_doc_sync(path, false, err, sizeof(err));
	if (st)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(st, 0);
	cmp_doc_path(path, sizeof(path));
	st = rs_schema_doc_sync(path, false, err, sizeof(err));
	if (st)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(st, 0);
}

/* A stale block is found and named: a copy of the doc with one column's
 * meaning changed. */
static void test_doc_stale(void **state)
{
	char path[PATH_MAX], dir[] = "/tmp/rststorm-doc-XXXXXX", err[600];
	char tmp[sizeof(dir) + 16];
	FILE *in, *out;
	int c, st;
	bool done = false;
	const char *needle = "| `conns_started` |";
	size_t k = 0;

	(void)state;
	doc_path(path, sizeof(path));
	in = fopen(path, "r");
	assert_non_null(in);
	/* the document's name says which blocks it has: csv.md */
	assert_non_null(mkdtemp(dir));
	snprintf(tmp, sizeof(tmp), "%s/csv.md", dir);
	out = fopen(tmp, "w");
	assert_non_null(out);
	/* insert an X just after the needle */
	while ((c = fgetc(in)) != EOF) {
		fputc(c, out);
		if (!done) {
			k = (char)c == needle[k] ? k + 1 : ((char)c == needle[0]);
			if (!needle[k]) {
				fputc('X', out);
				done = true;
			}
		}
	}
	fclose(in);
	fclose(out);
	assert_true(done);
	st = rs_schema_doc_sync(tmp, false, err, sizeof(err));
	assert_int_equal(st, 1);
	assert_non_null(strstr(err, "run/summary.csv"));
	/* --update repairs it */
	assert_int_equal(rs_schema_doc_sync(tmp, true, err, sizeof(err)), 0);
	assert_int_equal(rs_schema_doc_sync(tmp, false, err, sizeof(err)), 0);
	unlink(tmp);
	rmdir(dir);
}

static bool is_hist(const char *h)
{
	return h && (!strcmp(h, "connect_ns") || !strcmp(h, "op_ns") ||
		     !strcmp(h, "since_close_ns") ||
		     !strcmp(h, "since_close_err_ns") || !strcmp(h, "pass_ns"));
}

static void test_table(void **state)
{
	const char *why;

	(void)state;
	for (unsigned f = 0; f < RS_RF_N; f++) {
		const struct rs_sfile *s = rs_schema_file(f);

		assert_true(s->ncols >= 2 && s->ncols <= RS_ROW_MAXCOLS);
		assert_string_equal(s->cols[0].name, "schema_version");
		assert_int_equal(s->cols[0].type, RS_CT_SCHEMA);
		assert_true(rs_schema_type_ok(s->cols[0].type, "1", &why));
		assert_true(rs_schema_type_ok(s->cols[0].type, "2", &why));
		assert_false(rs_schema_type_ok(s->cols[0].type, "3", &why));
		for (unsigned i = 0; i < s->ncols; i++) {
			const struct rs_scol *c = &s->cols[i];

			/* names are unique: find gives this index back */
			assert_int_equal(rs_schema_find(f, c->name), (int)i);
			assert_non_null(c->desc);
			assert_true(*c->desc);
			assert_true(strchr(c->desc, '\n') == NULL);
			assert_true(!c->group == !s->one_row);
			if (c->merge == RS_MR_PCT) {
				assert_true(is_hist(c->hist));
				assert_true(c->pct > 0 && c->pct <= 100);
				assert_int_equal(c->type, RS_CT_FLOAT);
			}
			/* what merge adds or compares as numbers must be
			 * whole or fixed-point numbers (merge_fields) */
			if (c->merge == RS_MR_SUM || c->merge == RS_MR_SUM0)
				assert_true(c->type == RS_CT_U64 ||
					    c->type == RS_CT_I64 ||
					    c->type == RS_CT_FIX3 ||
					    c->type == RS_CT_FIX6 ||
					    c->type == RS_CT_HI);
			if (c->merge == RS_MR_MAX || c->merge == RS_MR_SEED)
				assert_int_equal(c->type, RS_CT_U64);
			if (c->merge == RS_MR_AND)
				assert_int_equal(c->type, RS_CT_BIT);
			if (c->merge == RS_MR_KEY) {
				bool in_key = false;

				for (unsigned k = 0; k < s->nkey; k++)
					in_key |= !strcmp(s->key[k], c->name);
				assert_true(in_key);
			}
			/* files merge does not read are not merged: their
			 * columns are keys (row order) or nothing */
			if (!s->readback && i > 0)
				assert_true(c->merge == RS_MR_NONE ||
					    c->merge == RS_MR_KEY);
			if (s->readback)
				assert_true(c->merge != RS_MR_NONE);
		}
		for (unsigned k = 0; k < s->nkey; k++) {
			int c = rs_schema_find(f, s->key[k]);

			assert_true(c > 0);
			/* blocks.csv's block: renumbered by merge */
			if (!strcmp(s->key[k], "block"))
				assert_int_equal(s->cols[c].merge, RS_MR_BLOCK);
			else
				assert_int_equal(s->cols[c].merge, RS_MR_KEY);
		}
		assert_true(s->one_row == (s->nkey == 0));
	}
	/* the ids are unique (the doc's markers) */
	for (unsigned f = 0; f < RS_RF_N; f++)
		for (unsigned g = f + 1; g < RS_RF_N; g++)
			assert_string_not_equal(rs_schema_file(f)->id,
						rs_schema_file(g)->id);
}

static void test_types(void **state)
{
	const char *why;

	(void)state;
	assert_true(rs_schema_type_ok(RS_CT_U64, "18446744073709551615", &why));
	assert_false(rs_schema_type_ok(RS_CT_U64, "-1", &why));
	assert_true(rs_schema_type_ok(RS_CT_I64, "-1", &why));
	assert_true(rs_schema_type_ok(RS_CT_FIX3, "1.031", &why));
	assert_false(rs_schema_type_ok(RS_CT_FIX3, "1.0311", &why));
	assert_true(rs_schema_type_ok(RS_CT_SDEC, "-1.000000", &why));
	assert_false(rs_schema_type_ok(RS_CT_FLOAT, "-1.0", &why));
	assert_true(rs_schema_type_ok(RS_CT_HI, "inf", &why));
	assert_true(rs_schema_type_ok(RS_CT_VERDICT, "MEASURED", &why));
	assert_false(rs_schema_type_ok(RS_CT_VERDICT, "SKIPPED", &why));
	assert_true(rs_schema_type_ok(RS_CT_FRESULT, "abandoned", &why));
	assert_false(rs_schema_type_ok(RS_CT_RESULT, "abandoned", &why));
	assert_false(rs_schema_type_ok(RS_CT_STR, "", &why));
	assert_true(rs_schema_json_number(RS_CT_U64, "5"));
	assert_false(rs_schema_json_number(RS_CT_HI, "inf"));
	assert_true(rs_schema_json_number(RS_CT_HI, "5"));
	assert_false(rs_schema_json_number(RS_CT_STR, "5"));
}

/* The row builder: an unknown column and an unset one are both named. */
static void test_row(void **state)
{
	struct rs_row *r = malloc(sizeof(*r));
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(r);
	rs_row_init(r, RS_RF_FAILURES);
	rs_row_set(r, "scenario", "run");
	rs_row_set(r, "closer", "server");
	rs_row_set(r, "phase", "connect");
	rs_row_set(r, "result", "ECONNREFUSED");
	assert_int_equal(rs_row_check(r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "count"));
	rs_row_set(r, "count", "%d", 2);
	assert_int_equal(rs_row_check(r, err, sizeof(err)), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rs_row_write(r, f);
	fclose(f);
	assert_string_equal(buf, "2,run,server,connect,ECONNREFUSED,2\n");
	free(buf);
	rs_row_set(r, "p90_us", "1");
	assert_int_equal(rs_row_check(r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "p90_us"));
	/* a field with a comma is quoted, in the schema's order */
	rs_row_init(r, RS_RF_FAILURES);
	rs_row_set(r, "count", "3");
	rs_row_set(r, "result", "abandoned");
	rs_row_set(r, "phase", "ops");
	rs_row_set(r, "closer", "a,b");
	rs_row_set(r, "scenario", "run");
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rs_row_write(r, f);
	fclose(f);
	assert_string_equal(buf, "2,run,\"a,b\",ops,abandoned,3\n");
	free(buf);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_matches),
		cmocka_unit_test(test_doc_stale),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
