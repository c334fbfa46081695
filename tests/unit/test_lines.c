/*
 * test_lines.c - the tcc module's line table (modules/tcc/lines.c) on a real
 * object from TinyCC (the Debian `tcc` that matches libtcc.a, run with -g
 * at build time on lines_fixtures/lines.c), and on broken copies of it:
 * truncated at every length and 20,000 seeded mutations, under ASan and
 * UBSan.  The decoder may find fewer rows in a broken object, never read
 * outside it or hand out a row naming a file it does not have.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tcc/lines.h"

static uint8_t *obj;
static size_t obj_len;
static struct line_table *t;

static void load(const char *path)
{
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	obj_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	obj = malloc(obj_len);
	assert_non_null(obj);
	assert_int_equal(fread(obj, 1, obj_len, f), obj_len);
	fclose(f);
}

static int has_line(uint32_t line)
{
	for (uint32_t i = 0; i < t->nrows; i++)
		if (t->rows[i].line == line)
			return 1;
	return 0;
}

/* Every row well formed: a file it names, offsets found again. */
static void check_rows(void)
{
	assert_true(t->nrows <= LINES_MAX);
	assert_true(t->nfiles <= LINES_FILES);
	for (uint32_t i = 0; i < t->nrows; i++) {
		const struct line_row *r = lines_find(t, t->rows[i].off);

		assert_true(t->rows[i].file < t->nfiles);
		assert_non_null(r);
		assert_true(r->off == t->rows[i].off);
	}
	for (uint32_t i = 0; i < t->nfiles; i++)
		assert_non_null(memchr(t->files[i], 0, LINES_FILE_MAX));
}

static void golden(void **state)
{
	(void)state;
	lines_read(obj, obj_len, t);
	check_rows();
	assert_int_equal(t->nfiles, 1);
	assert_non_null(strstr(t->files[0], "lines.c"));
	/* The statements of both functions (lines.c: 4, 9, 12, 13, 14). */
	assert_true(has_line(4));
	assert_true(has_line(9));
	assert_true(has_line(13));
	assert_true(has_line(14));
	/* twice() starts at offset 0 of .text, at its opening brace (line 3). */
	assert_non_null(lines_find(t, 0));
	assert_int_equal(lines_find(t, 0)->line, 3);
	/* main's rows lie after twice's, in the order of its lines. */
	for (uint32_t i = 1; i < t->nrows; i++)
		if (t->rows[i].line > 4)
			assert_true(t->rows[i].off >= t->rows[i - 1].off || t->rows[i - 1].line <= 4);
}

static void not_an_object(void **state)
{
	static const char text[] = "int main(void) { return 0; }\n";

	(void)state;
	lines_read(NULL, 0, t);
	assert_int_equal(t->nrows, 0);
	lines_read(text, sizeof(text), t);
	assert_int_equal(t->nrows, 0);
	assert_null(lines_find(t, 0));
	assert_null(lines_find(NULL, 0));
}

static void truncated(void **state)
{
	(void)state;
	for (size_t n = 0; n < obj_len; n++) {
		uint8_t *copy = malloc(n ? n : 1);     /* exactly n: ASan sees a read past it */

		memcpy(copy, obj, n);
		lines_read(copy, n, t);
		check_rows();
		free(copy);
	}
}

static void mutated(void **state)
{
	uint8_t *copy = malloc(obj_len);
	uint64_t x = 0x9e3779b97f4a7c15ull;     /* the same mutations on every run */

	(void)state;
	for (int round = 0; round < 20000; round++) {
		memcpy(copy, obj, obj_len);
		for (int k = 0; k < 1 + round % 8; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			copy[x % obj_len] = (uint8_t)(x >> 32);
		}
		lines_read(copy, obj_len, t);
		check_rows();
	}
	free(copy);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden),
		cmocka_unit_test(not_an_object),
		cmocka_unit_test(truncated),
		cmocka_unit_test(mutated),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_lines FIXTURE.o\n");
		return 2;
	}
	load(argv[1]);
	t = malloc(LINES_SIZE(LINES_MAX));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
