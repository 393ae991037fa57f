/* Unit tests for rs_esc (src/esc.c): the escape of every byte, the bound,
 * the elision in the middle and the one-line guarantee. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"

/* No byte below 0x20, 0x7f or from 0x80 in s. */
static void assert_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			fail_msg("byte 0x%02x in '%s'", *p, s);
}

/* Every single byte, alone, escapes to exactly what it should. */
static void test_every_byte(void **state)
{
	char buf[16], want[8];

	(void)state;
	for (unsigned c = 0; c < 256; c++) {
		unsigned char b = (unsigned char)c;

		if (c == '\\')
			strcpy(want, "\\\\");
		else if (c == '\n')
			strcpy(want, "\\n");
		else if (c == '\t')
			strcpy(want, "\\t");
		else if (c == '\r')
			strcpy(want, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			snprintf(want, sizeof(want), "\\x%02x", c);
		else
			snprintf(want, sizeof(want), "%c", c);
		memset(buf, 'Z', sizeof(buf));
		assert_ptr_equal(rs_esc_mem(buf, sizeof(buf), &b, 1), buf);
		if (strcmp(buf, want) != 0)
			fail_msg("byte 0x%02x: '%s', want '%s'", c, buf, want);
		assert_printable(buf);
	}
}

/* All 256 bytes in one string: the output is their escapes in order and
 * decodes back to the input. */
static void test_all_bytes_roundtrip(void **state)
{
	unsigned char in[256], back[256];
	char out[1200];
	size_t n = 0;

	(void)state;
	for (unsigned c = 0; c < 256; c++)
		in[c] = (unsigned char)c;
	rs_esc_mem(out, sizeof(out), in, sizeof(in));
	assert_printable(out);
	assert_null(strstr(out, "..."));
	for (const char *p = out; *p; n++) {
		assert_true(n < sizeof(back));
		if (*p != '\\') {
			back[n] = (unsigned char)*p++;
			continue;
		}
		switch (p[1]) {
		case '\\': back[n] = '\\'; p += 2; break;
		case 'n': back[n] = '\n'; p += 2; break;
		case 't': back[n] = '\t'; p += 2; break;
		case 'r': back[n] = '\r'; p += 2; break;
		case 'x': {
			char h[3] = { p[2], p[3], 0 };

			back[n] = (unsigned char)strtoul(h, NULL, 16);
			p += 4;
			break;
		}
		default:
			fail_msg("unknown escape '\\%c'", p[1]);
		}
	}
	assert_int_equal(n, 256);
	assert_memory_equal(back, in, 256);
}

static void test_exact(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(rs_esc(buf, sizeof(buf), "plain 'quoted' \"x\""),
			    "plain 'quoted' \"x\"");
	assert_string_equal(rs_esc(buf, sizeof(buf), "a\nb\tc\rd\\e"),
			    "a\\nb\\tc\\rd\\\\e");
	assert_string_equal(rs_esc(buf, sizeof(buf), "\033[2J\x7f\xc3\xa9"),
			    "\\x1b[2J\\x7f\\xc3\\xa9");
	assert_string_equal(rs_esc(buf, sizeof(buf), ""), "");
	assert_string_equal(rs_esc(buf, sizeof(buf), NULL), "");
	/* an embedded NUL through the _mem form */
	assert_string_equal(rs_esc_mem(buf, sizeof(buf), "a\0b", 3),
			    "a\\x00b");
}

/* Output that fits exactly is not elided; one byte more is. */
static void test_fit_boundary(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	assert_string_equal(rs_esc(buf, sizeof(buf), "1234567"), "1234567");
	assert_string_equal(rs_esc(buf, sizeof(buf), "12345678"), "12...78");
	/* an escape never fits halfway: "a\n" needs 3 bytes */
	assert_string_equal(rs_esc(buf, 4, "a\n"), "a\\n");
	assert_string_equal(rs_esc(buf, 4, "ab\n"), "...");
	assert_string_equal(rs_esc(buf, 6, "\n\n\n"), "...\\n");
	assert_string_equal(rs_esc(buf, 7, "\n\n\n"), "\\n\\n\\n");
	assert_string_equal(rs_esc(buf, 7, "\n\n\n\n"), "\\n...");
	assert_string_equal(rs_esc(buf, 8, "\n\n\n\n"), "\\n...\\n");
	/* tiny buffers */
	assert_string_equal(rs_esc(buf, 1, "abc"), "");
	assert_string_equal(rs_esc(buf, 2, "abc"), ".");
	assert_string_equal(rs_esc(buf, 3, "abc"), "..");
	assert_string_equal(rs_esc(buf, 3, "ab"), "ab");
	buf[0] = 'Z';
	rs_esc(buf, 0, "abc");
	assert_int_equal(buf[0], 'Z');
}

/* A 5000-byte value of mixed bytes: bounded for every buffer size, never
 * past the buffer, head and tail kept, one line. */
static void test_bounds(void **state)
{
	static unsigned char in[5000];
	static char buf[600];

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	in[0] = 'H';
	in[sizeof(in) - 1] = 'T';
	for (size_t len = 1; len <= 520; len++) {
		size_t got;

		memset(buf, 'Z', sizeof(buf));
		rs_esc_mem(buf, len, in, sizeof(in));
		got = strlen(buf);
		assert_true(got <= len - 1);
		assert_int_equal(buf[len], 'Z');
		assert_printable(buf);
		if (len >= 4) {
			assert_non_null(strstr(buf, "..."));
			/* the room is used but for less than one escape */
			assert_true(got + 4 >= len - 1);
		}
		if (len >= 6) {
			assert_int_equal(buf[0], 'H');
			assert_int_equal(buf[got - 1], 'T');
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_all_bytes_roundtrip),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_fit_boundary),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
