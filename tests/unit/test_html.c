/* Unit tests for the HTML page (src/html.c): the escaper byte by byte,
 * its bound, and a page rendered from a compare.csv whose text fields
 * carry markup: none of it reaches the page unescaped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "html.h"

static char *esc_stream(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	rs_html_esc(f, s);
	fclose(f);
	return buf;
}

/* Every byte alone: the five markup characters as entities, tab and
 * newline kept, other control bytes '?', the rest as itself. */
static void test_every_byte(void **state)
{
	char in[2] = "", want[8], buf[16];

	(void)state;
	for (unsigned c = 1; c < 256; c++) {
		char *s;

		in[0] = (char)c;
		switch (c) {
		case '&': strcpy(want, "&amp;"); break;
		case '<': strcpy(want, "&lt;"); break;
		case '>': strcpy(want, "&gt;"); break;
		case '"': strcpy(want, "&quot;"); break;
		case '\'': strcpy(want, "&#39;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				strcpy(want, "?");
			else
				strcpy(want, in);
		}
		s = esc_stream(in);
		if (strcmp(s, want))
			fail_msg("byte 0x%02x: '%s', want '%s'", c, s, want);
		free(s);
		rs_html_esc_buf(buf, sizeof(buf), in);
		if (strcmp(buf, want))
			fail_msg("byte 0x%02x (buf): '%s', want '%s'", c, buf,
				 want);
	}
}

static void test_script(void **state)
{
	char *s = esc_stream("<script>alert(\"x\")</script>&'");

	(void)state;
	assert_string_equal(s,
			    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
	free(s);
	s = esc_stream(NULL);
	assert_string_equal(s, "");
	free(s);
}

/* The buffer form never cuts an entity in two and always ends in NUL. */
static void test_bound(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	rs_html_esc_buf(buf, sizeof(buf), "ab<cd");
	assert_string_equal(buf, "ab&lt;c");
	rs_html_esc_buf(buf, 6, "ab<cd");
	assert_string_equal(buf, "ab");
	rs_html_esc_buf(buf, 1, "abc");
	assert_string_equal(buf, "");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A compare.csv with markup in its scenario and op_kind fields (text
 * columns the reader accepts as they are) renders escaped; a second row
 * that differs is highlighted. */
static void test_page_escapes(void **state)
{
	char dir[] = "/tmp/test_html.XXXXXX", path[128], out[128], err[256];
	FILE *f;
	char *page;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/compare.csv", dir);
	snprintf(out, sizeof(out), "%s/page.html", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("schema_version,scenario,closer,close_mode,op_index,op_kind,result,count_a,total_a,share_a,count_b,total_b,share_b,test,p_value,p_adjusted,blocks_a,blocks_b,sd_a,sd_b,diff,decision,differs\n"
	      "1,\"<script>alert('a&b')</script>\",server,fin,1,send,ok,10,10,1.000000,10,10,1.000000,fisher,1,-,0,0,0.000000,0.000000,0.000000,same,0\n"
	      "1,\"<img src=x onerror=alert(1)>\",server,rst,1,send,EPIPE,1,10,0.100000,9,10,0.900000,fisher,0.00109,-,0,0,0.000000,0.000000,0.800000,different,1\n",
	      f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rs_html_report(dir, out, err, sizeof(err)), 0);
	page = slurp(out);
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "<img"));
	assert_non_null(strstr(page, "&lt;script&gt;alert(&#39;a&amp;b&#39;)&lt;/script&gt;"));
	assert_non_null(strstr(page, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_non_null(strstr(page, "1 of 2 cells differ"));
	assert_non_null(strstr(page, "<tr class=\"hl\"><td>&lt;img"));
	assert_non_null(strstr(page, "Content-Security-Policy"));
	free(page);
	unlink(out);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

/* Not a report: exit status 2 and one line naming the directory. */
static void test_not_report(void **state)
{
	char dir[] = "/tmp/test_html.XXXXXX", out[128], err[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/page.html", dir);
	assert_int_equal(rs_html_report(dir, out, err, sizeof(err)), 2);
	assert_non_null(strstr(err, "not a report"));
	assert_null(strchr(err, '\n'));
	assert_int_not_equal(access(out, F_OK), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_page_escapes),
		cmocka_unit_test(test_not_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
