/*
 * test_cmdline.c - cmdline_apply(): values land in their destinations, each
 * bad token gives one message naming the problem and leaves its destination
 * untouched while parsing goes on, and random byte strings never make it
 * read or write out of bounds (run under ASan with exact-size buffers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <krt/cmdline.h>

static const char *const levels[] = { "error", "warn", "info", "debug", NULL };

/* Destinations, reset to sentinels before each test. */
static bool debug, quiet;
static uint64_t mem, port;
static unsigned int loglevel;
static char name[8];	/* at most 7 characters */
static char dump[32];

static const struct cmdline_opt opts[] = {
	{ .key = "debug", .type = CMDLINE_FLAG, .dst = &debug },
	{ .key = "quiet", .type = CMDLINE_FLAG, .dst = &quiet },
	{ .key = "mem", .type = CMDLINE_UINT, .dst = &mem, .min = 0, .max = UINT64_MAX },
	{ .key = "port", .type = CMDLINE_UINT, .dst = &port, .min = 10, .max = 0x3f8 },
	{ .key = "loglevel", .type = CMDLINE_ENUM, .dst = &loglevel, .choices = levels },
	{ .key = "name", .type = CMDLINE_STR, .dst = name, .dst_size = sizeof(name) },
	{ .key = "dump", .type = CMDLINE_STR, .dst = dump, .dst_size = sizeof(dump) },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

struct warnings {
	char msg[16][256];
	int n;
};

static void collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	assert_true(strlen(msg) < sizeof(w->msg[0]));
	if (w->n < 16)
		strcpy(w->msg[w->n], msg);
	w->n++;
}

static int reset(void **state)
{
	(void)state;
	debug = quiet = false;
	mem = port = 777;
	loglevel = 99;
	strcpy(name, "unset");
	strcpy(dump, "unset");
	return 0;
}

static int apply(const char *s, struct warnings *w)
{
	int n;

	memset(w, 0, sizeof(*w));
	n = cmdline_apply(s, opts, NOPTS, collect, w);
	assert_int_equal(n, w->n);	/* one message per problem */
	return n;
}

/* Every fragment must appear in message i. */
static void expect_msg(const struct warnings *w, int i, ...)
{
	const char *frag;
	va_list ap;

	assert_true(i < w->n);
	va_start(ap, i);
	while ((frag = va_arg(ap, const char *)))
		if (!strstr(w->msg[i], frag)) {
			print_error("message \"%s\" lacks \"%s\"\n", w->msg[i], frag);
			fail();
		}
	va_end(ap);
}

static void test_good_line(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("loglevel=debug  debug\tdump=caps,mem  name=\"a b\" "
			       "mem=0x1F port=1016", &w), 0);
	assert_int_equal(loglevel, 3);	/* index of "debug" in levels */
	assert_true(debug);
	assert_false(quiet);
	assert_string_equal(dump, "caps,mem");
	assert_string_equal(name, "a b");
	assert_int_equal(mem, 31);
	assert_int_equal(port, 1016);
}

static void test_empty_lines(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply(NULL, &w), 0);
	assert_int_equal(apply("", &w), 0);
	assert_int_equal(apply(" \t  \n", &w), 0);
	assert_int_equal(cmdline_apply("nosuch debug", opts, NOPTS, NULL, NULL), 1);
	assert_true(debug);
	assert_int_equal(mem, 777);
}

static void test_last_wins_and_values(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("loglevel=error mem=5 name=x loglevel=info mem=18446744073709551615 "
			       "name=\"\" dump=a=b port=10", &w), 0);
	assert_int_equal(loglevel, 2);
	assert_true(mem == UINT64_MAX);
	assert_string_equal(name, "");
	assert_string_equal(dump, "a=b");	/* only the first '=' splits */
	assert_int_equal(port, 10);		/* min is inclusive */
	assert_int_equal(apply("mem=0xffffffffffffffff mem=0X10 mem=0 mem=007", &w), 0);
	assert_int_equal(mem, 7);
}

static void test_unknown_option(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("foo debug bar=1", &w), 2);
	assert_string_equal(w.msg[0], "cmdline: unknown option 'foo' ignored");
	assert_string_equal(w.msg[1], "cmdline: unknown option 'bar' ignored");
	assert_true(debug);
	/* A prefix of a key is not that key. */
	assert_int_equal(apply("debu debugx", &w), 2);
	expect_msg(&w, 0, "unknown option 'debu'", NULL);
}

static void test_flag_with_value(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("debug=1 quiet", &w), 1);
	expect_msg(&w, 0, "cmdline: ", "'debug'", "flag", "no value", NULL);
	assert_false(debug);
	assert_true(quiet);
}

static void test_missing_value(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("mem name loglevel debug", &w), 3);
	expect_msg(&w, 0, "'mem'", "needs a value", NULL);
	expect_msg(&w, 1, "'name'", "needs a value", NULL);
	expect_msg(&w, 2, "'loglevel'", "needs a value", NULL);
	assert_int_equal(mem, 777);
	assert_string_equal(name, "unset");
	assert_int_equal(loglevel, 99);
	assert_true(debug);
}

static void test_bad_numbers(void **state)
{
	static const char *const bad[] = {
		"mem=", "mem=abc", "mem=12k", "mem=-1", "mem=+1", "mem=0x", "mem=0xg1",
		"mem=\"\"", "mem=99999999999999999999x",
	};
	struct warnings w;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char val[64];
		const char *v = strchr(bad[i], '=') + 1;

		/* The message quotes the value as written (quotes of a quoted value stripped). */
		snprintf(val, sizeof(val), "'%.*s'", (int)strcspn(v, "\""), v);
		assert_int_equal(apply(bad[i], &w), 1);
		expect_msg(&w, 0, "'mem'", val, "not a number", NULL);
		assert_int_equal(mem, 777);
	}
}

static void test_out_of_range(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("port=9 port=1017 port=0x3f9 mem=18446744073709551616 "
			       "mem=0x10000000000000000 port=11", &w), 5);
	expect_msg(&w, 0, "'port'", "9", "out of range", "[10, 1016]", NULL);
	expect_msg(&w, 1, "'port'", "1017", "[10, 1016]", NULL);
	expect_msg(&w, 2, "0x3f9", "[10, 1016]", NULL);
	expect_msg(&w, 3, "'mem'", "18446744073709551616", "out of range",
		   "[0, 18446744073709551615]", NULL);
	expect_msg(&w, 4, "0x10000000000000000", "out of range", NULL);
	assert_int_equal(port, 11);
	assert_int_equal(mem, 777);
}

static void test_bad_enum(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("loglevel=verbose loglevel=debu loglevel=DEBUG loglevel=", &w), 4);
	expect_msg(&w, 0, "'loglevel'", "'verbose'", "error, warn, info, debug", NULL);
	expect_msg(&w, 1, "'debu'", NULL);
	expect_msg(&w, 2, "'DEBUG'", NULL);
	expect_msg(&w, 3, "''", "error, warn, info, debug", NULL);
	assert_int_equal(loglevel, 99);
}

static void test_string_too_long(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("name=1234567 dump=x", &w), 0);	/* exactly fits */
	assert_string_equal(name, "1234567");
	assert_int_equal(apply("name=12345678 name=\"a b c d e\"", &w), 2);
	expect_msg(&w, 0, "'name'", "too long", "7", NULL);
	expect_msg(&w, 1, "'name'", "too long", NULL);
	assert_string_equal(name, "1234567");
}

static void test_quotes(void **state)
{
	struct warnings w;

	(void)state;
	assert_int_equal(apply("dump=\"x = y\"\tdebug", &w), 0);
	assert_string_equal(dump, "x = y");
	assert_true(debug);

	reset(NULL);
	assert_int_equal(apply("quiet name=\"abc\"def debug", &w), 1);
	expect_msg(&w, 0, "'name'", "after closing quote", NULL);
	assert_string_equal(name, "unset");
	assert_true(quiet);
	assert_true(debug);

	/* Everything after an unterminated quote belongs to it, so it all goes. */
	reset(NULL);
	assert_int_equal(apply("quiet dump=\"abc debug mem=5", &w), 1);
	expect_msg(&w, 0, "'dump'", "unterminated quote", NULL);
	assert_string_equal(dump, "unset");
	assert_true(quiet);
	assert_false(debug);
	assert_int_equal(mem, 777);
}

/* Fuzz: exact-size heap copies so ASan sees any read past the NUL or write past dst. */
static void test_random_lines(void **state)
{
	static const char alphabet[] = "  \t=\"\"x0123456789abdemgploqnu,";
	static const char *const keys[] = { "debug ", "mem=", "port=", "loglevel=", "name=", "dump=" };
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int total = 0;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0, cap = 1 + iter % 64;
		char *line = malloc(cap), *nm = malloc(sizeof(name));
		struct cmdline_opt o[NOPTS];
		struct warnings w;
		int n;

		memcpy(o, opts, sizeof(o));
		o[5].dst = nm;
		while (len + 1 < cap) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			unsigned int r = seed >> 33;

			if (r % 8 == 0 && len + 10 < cap) {	/* plant a real key now and then */
				memcpy(line + len, keys[r / 8 % 6], strlen(keys[r / 8 % 6]));
				len += strlen(keys[r / 8 % 6]);
			} else {
				line[len++] = r % 3 ? alphabet[r / 3 % (sizeof(alphabet) - 1)]
						    : (char)(1 + r / 3 % 255);
			}
		}
		line[len] = '\0';
		memset(&w, 0, sizeof(w));
		n = cmdline_apply(line, o, NOPTS, collect, &w);
		assert_int_equal(n, w.n);
		for (int i = 0; i < n && i < 16; i++)
			assert_memory_equal(w.msg[i], "cmdline: ", 9);
		total += n;
		free(line);
		free(nm);
	}
	assert_true(total > 1000);	/* the random lines did reach the error paths */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_line, reset),
		cmocka_unit_test_setup(test_empty_lines, reset),
		cmocka_unit_test_setup(test_last_wins_and_values, reset),
		cmocka_unit_test_setup(test_unknown_option, reset),
		cmocka_unit_test_setup(test_flag_with_value, reset),
		cmocka_unit_test_setup(test_missing_value, reset),
		cmocka_unit_test_setup(test_bad_numbers, reset),
		cmocka_unit_test_setup(test_out_of_range, reset),
		cmocka_unit_test_setup(test_bad_enum, reset),
		cmocka_unit_test_setup(test_string_too_long, reset),
		cmocka_unit_test_setup(test_quotes, reset),
		cmocka_unit_test_setup(test_random_lines, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
