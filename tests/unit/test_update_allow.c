/*
 * test_update_allow.c - the update module's allow-list parser
 * (modules/update/allow.c): manifest lines into digests, the mode lines,
 * what is skipped, every malformed line refused with its number and no
 * digest kept, the 64-digest limit, and the hex helpers both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "update/allow.h"

#define H1 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define H2 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static kr_err_t parse(struct allow_list *l, const char *t, unsigned *line, const char **why)
{
	return allow_parse(l, t, strlen(t), line, why);
}

static void test_lines(void **state)
{
	struct allow_list l;
	uint8_t d1[32], d2[32], d3[32];

	(void)state;
	assert_true(allow_parse_hex(H1, d1));
	assert_true(allow_parse_hex(H2, d2));
	memset(d3, 0x5a, sizeof(d3));
	assert_int_equal(parse(&l, "mode permissive\n# comment\n\nblake2b-256 " H1 " hello\n"
			       "channels blake2b-256 " H2 "\nblake2b-256 " H2 " b", NULL, NULL), KR_OK);
	assert_int_equal(l.n, 2);
	assert_false(l.enforce);
	assert_true(allow_has(&l, d1));
	assert_true(allow_has(&l, d2));
	assert_false(allow_has(&l, d3));
	/* the last mode line counts */
	assert_int_equal(parse(&l, "mode permissive\nmode enforce\n", NULL, NULL), KR_OK);
	assert_true(l.enforce);
	assert_int_equal(l.n, 0);
	assert_int_equal(parse(&l, "", NULL, NULL), KR_OK);
	assert_int_equal(l.n, 0);
	assert_false(l.enforce);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"blake2b-256 " H1,                      /* no name */
		"blake2b-256 " H1 " ",                  /* an empty name */
		"blake2b-256 " H1 "x name",             /* no space after the digest */
		"blake2b-256  " H1 " name",             /* two spaces */
		"blake2b-256 00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff n",
		"blake2b-256 0011 n",                   /* short */
		"blake2b-512 " H1 " n",
		" blake2b-256 " H1 " n",
		"mode enforcing",
		"mode",
		"hello",
		H1,
	};
	struct allow_list l;
	const char *why;
	unsigned line;
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "blake2b-256 %s ok\n# two\n%s\nblake2b-256 %s z\n", H1,
			 bad[i], H2);
		line = 0;
		why = NULL;
		assert_int_equal(parse(&l, text, &line, &why), KR_EFORMAT);
		assert_int_equal(line, 3);
		assert_string_equal(why, "want: blake2b-256 HEX NAME");
		assert_int_equal(l.n, 0);       /* a damaged list allows nothing */
	}
	/* NULL line and why are fine */
	assert_int_equal(parse(&l, "x", NULL, NULL), KR_EFORMAT);
}

static void test_limit(void **state)
{
	static char text[70 * 120];
	struct allow_list l;
	const char *why;
	unsigned line;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "blake2b-256 %062x%02x m%d\n", 0, i, i);
	assert_int_equal(parse(&l, text, NULL, NULL), KR_OK);
	assert_int_equal(l.n, 64);
	snprintf(text + n, sizeof(text) - n, "blake2b-256 %064x last\n", 7);
	assert_int_equal(parse(&l, text, &line, &why), KR_ENOSPC);
	assert_int_equal(line, 65);
	assert_string_equal(why, "more than 64 digests");
	assert_int_equal(l.n, 0);
}

static void test_hex(void **state)
{
	uint8_t d[32], e[32];
	char out[65];

	(void)state;
	for (int i = 0; i < 32; i++)
		d[i] = (uint8_t)(i * 37 + 11);
	allow_hex(d, out);
	assert_int_equal(strlen(out), 64);
	assert_true(allow_parse_hex(out, e));
	assert_memory_equal(d, e, 32);
	assert_false(allow_parse_hex("0g" H1, e));
	assert_false(allow_parse_hex("00112233", e));  /* stops at the NUL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
