/* Unit tests for the JSON writer (src/json.c): string escaping (quotes,
 * backslashes, control characters, valid UTF-8 kept, every byte that is not
 * UTF-8 as \u00XX), numbers, separators and nesting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* rs_json_string of s, as a malloc'd string. */
static char *esc(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	rs_json_string(f, s);
	fclose(f);
	return buf;
}

#define ESC_EQ(in, want)                          \
	do {                                      \
		char *got_ = esc(in);             \
		assert_string_equal(got_, want);  \
		free(got_);                       \
	} while (0)

static void test_plain(void **state)
{
	(void)state;
	ESC_EQ("", "\"\"");
	ESC_EQ("fin=50,rst=50", "\"fin=50,rst=50\"");
	ESC_EQ("a\"b\\c", "\"a\\\"b\\\\c\"");
	ESC_EQ("/", "\"/\"");
	ESC_EQ("\x7f", "\"\x7f\"");
}

static void test_control(void **state)
{
	(void)state;
	ESC_EQ("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
	ESC_EQ("\b\f", "\"\\b\\f\"");
	ESC_EQ("\x01\x1f", "\"\\u0001\\u001f\"");
	ESC_EQ("\x1b[31m", "\"\\u001b[31m\"");
}

static void test_utf8(void **state)
{
	(void)state;
	/* valid: kept as is */
	ESC_EQ("\xc2\xb5s", "\"\xc2\xb5s\"");                 /* µs */
	ESC_EQ("\xe2\x82\xac", "\"\xe2\x82\xac\"");           /* € */
	ESC_EQ("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");   /* U+1F600 */
	/* not UTF-8: each byte as \u00XX */
	ESC_EQ("\xff", "\"\\u00ff\"");
	ESC_EQ("\x80x", "\"\\u0080x\"");                      /* stray */
	ESC_EQ("\xc0\xaf", "\"\\u00c0\\u00af\"");             /* overlong */
	ESC_EQ("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");  /* overlong */
	ESC_EQ("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");  /* surrogate */
	ESC_EQ("\xf4\x90\x80\x80",
	       "\"\\u00f4\\u0090\\u0080\\u0080\"");           /* > U+10FFFF */
	ESC_EQ("\xe2\x82", "\"\\u00e2\\u0082\"");             /* truncated */
	ESC_EQ("a\xc3", "\"a\\u00c3\"");                      /* at the end */
}

static void test_numbers(void **state)
{
	(void)state;
	assert_true(rs_json_number_ok("0"));
	assert_true(rs_json_number_ok("18446744073709551615"));
	assert_true(rs_json_number_ok("-1"));
	assert_true(rs_json_number_ok("1.031"));
	assert_true(rs_json_number_ok("0.000000"));
	assert_false(rs_json_number_ok(""));
	assert_false(rs_json_number_ok("01"));
	assert_false(rs_json_number_ok("1."));
	assert_false(rs_json_number_ok(".5"));
	assert_false(rs_json_number_ok("+1"));
	assert_true(rs_json_number_ok("1e5"));
	assert_true(rs_json_number_ok("8.3e-05"));
	assert_true(rs_json_number_ok("1.5E+10"));
	assert_false(rs_json_number_ok("1e"));
	assert_false(rs_json_number_ok("1e+"));
	assert_false(rs_json_number_ok("0x10"));
	assert_false(rs_json_number_ok("inf"));
	assert_false(rs_json_number_ok("nan"));
	assert_false(rs_json_number_ok("-"));
}

static void test_nesting(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rs_json j;

	(void)state;
	assert_non_null(f);
	rs_json_init(&j, f);
	rs_json_begin(&j, NULL, '{');
	rs_json_u64(&j, "a", 18446744073709551615ull);
	rs_json_begin(&j, "b", '[');
	rs_json_num(&j, NULL, "1.500");
	rs_json_num(&j, NULL, "inf");     /* not a number: a string */
	rs_json_null(&j, NULL);
	rs_json_begin(&j, NULL, '{');
	rs_json_end(&j, '}');
	rs_json_end(&j, ']');
	rs_json_str(&j, "c\n", "x");
	rs_json_dbl(&j, "d", 0.5);
	rs_json_dbl(&j, "e", 1.0 / 0.0);  /* not JSON: null */
	rs_json_end(&j, '}');
	fclose(f);
	assert_string_equal(buf, "{\"a\":18446744073709551615,\"b\":[1.500,\"inf\",null,{}],\"c\\n\":\"x\",\"d\":0.5,\"e\":null}");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
