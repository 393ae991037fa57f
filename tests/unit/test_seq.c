/* Unit tests for the whole-trial sequences of check (src/seq.c): counting,
 * the text, both orders, the overflow into `other`. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "seq.h"

static void test_count_and_text(void **state)
{
	struct rs_seqs *s = calloc(1, sizeof(*s));
	uint16_t a[3] = { RS_RES_OK, RS_RES_OK, RS_RES_ERRNO0 + EPIPE };
	uint16_t b[3] = { RS_RES_OK, RS_RES_ERRNO0 + ECONNRESET,
			  RS_RES_ERRNO0 + EPIPE };
	unsigned idx[RS_SEQ_MAX];
	char t[64];
	(void)state;
	assert_non_null(s);
	for (int i = 0; i < 5; i++)
		rs_seqs_add(s, a, 3);
	for (int i = 0; i < 7; i++)
		rs_seqs_add(s, b, 3);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->nops, 3);
	assert_int_equal(s->s[0].count, 5);
	assert_int_equal(s->s[1].count, 7);
	assert_int_equal(rs_seq_format(&s->s[0], 3, t, sizeof(t)),
			 (int)strlen("ok,ok,EPIPE"));
	assert_string_equal(t, "ok,ok,EPIPE");
	rs_seq_format(&s->s[1], 3, t, sizeof(t));
	assert_string_equal(t, "ok,ECONNRESET,EPIPE");
	/* too small a buffer says so */
	assert_int_equal(rs_seq_format(&s->s[0], 3, t, 6), -1);
	rs_seqs_by_count(s, idx);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 0);
	/* by text: "ok,ECONNRESET..." < "ok,ok,..." (strcmp: 'E' < 'o') */
	rs_seqs_by_text(s, idx);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 0);
	/* equal counts: by text */
	for (int i = 0; i < 2; i++)
		rs_seqs_add(s, a, 3);
	rs_seqs_by_count(s, idx);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 0);
	free(s);
}

static void test_overflow(void **state)
{
	struct rs_seqs *s = calloc(1, sizeof(*s));
	uint64_t total = 0;
	(void)state;
	assert_non_null(s);
	for (unsigned i = 0; i < RS_SEQ_MAX + 10; i++) {
		uint16_t r[2] = { (uint16_t)(RS_RES_ERRNO0 + 1 + i % 100),
				  (uint16_t)(i / 100) };

		rs_seqs_add(s, r, 2);
		rs_seqs_add(s, r, 2);
	}
	assert_int_equal(s->n, RS_SEQ_MAX);
	assert_int_equal(s->other, 20);
	for (unsigned i = 0; i < s->n; i++) {
		assert_int_equal(s->s[i].count, 2);
		total += s->s[i].count;
	}
	assert_int_equal(total + s->other, 2 * (RS_SEQ_MAX + 10));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_and_text),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
