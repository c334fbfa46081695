/*
 * test_cmdline.c - cmdline_apply() and kr_cmdline_apply(): values land in
 * their destinations, each bad token gives one message naming the problem
 * and leaves its destination untouched while parsing goes on, a prefix
 * selects a module's "module.key" options, a malformed table is refused
 * whole, and random byte strings never make it read or write out of bounds
 * (run under ASan with exact-size buffers).
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

static const struct kr_cmdline_opt opts[] = {
	{ KR_CMDLINE_OPT_INIT, .key = "debug", .type = KR_CMDLINE_FLAG, .dst = &debug },
	{ KR_CMDLINE_OPT_INIT, .key = "quiet", .type = KR_CMDLINE_FLAG, .dst = &quiet },
	{ KR_CMDLINE_OPT_INIT, .key = "mem", .type = KR_CMDLINE_UINT, .dst = &mem, .min = 0,
	  .max = UINT64_MAX },
	{ KR_CMDLINE_OPT_INIT, .key = "port", .type = KR_CMDLINE_UINT, .dst = &port, .min = 10,
	  .max = 0x3f8 },
	{ KR_CMDLINE_OPT_INIT, .key = "loglevel", .type = KR_CMDLINE_ENUM, .dst = &loglevel,
	  .choices = levels },
	{ KR_CMDLINE_OPT_INIT, .key = "name", .type = KR_CMDLINE_STR, .dst = name,
	  .dst_size = sizeof(name) },
	{ KR_CMDLINE_OPT_INIT, .key = "dump", .type = KR_CMDLINE_STR, .dst = dump,
	  .dst_size = sizeof(dump) },
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
	n = cmdline_apply(s, NULL, opts, NOPTS, collect, w);
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
	assert_int_equal(cmdline_apply("nosuch debug", NULL, opts, NOPTS, NULL, NULL), 1);
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

	/* A quoted value's newline or escape never breaks the warning's line. */
	reset(NULL);
	assert_int_equal(apply("port=\"a\nb\x1b[2J\"", &w), 1);
	expect_msg(&w, 0, "'port'", "'a?b?[2J'", "not a number", NULL);
	assert_null(strchr(w.msg[0], '\n'));
	assert_null(strchr(w.msg[0], 0x1b));
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
		struct kr_cmdline_opt o[NOPTS];
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
		n = cmdline_apply(line, NULL, o, NOPTS, collect, &w);
		assert_int_equal(n, w.n);
		for (int i = 0; i < n && i < 16; i++)
			assert_memory_equal(w.msg[i], "cmdline: ", 9);
		total += n;
		free(line);
		free(nm);
	}
	assert_true(total > 1000);	/* the random lines did reach the error paths */
}

/* The kernel's command line, as kr_cmdline() gives it to kr_cmdline_apply(). */
static const char *kernel_line;

const char *kr_cmdline(void)
{
	return kernel_line;
}

/* A module's options: only "prefix.key" tokens, with the core's messages and the full key. */
static void test_module_prefix(void **state)
{
	struct warnings w = { .n = 0 };

	(void)state;
	kernel_line = "debug shell.mem=5 shellx.quiet shell.name=\"a b\" tcc.port=99 "
		      "shell.nosuch shell.port=1 shell. shell";
	assert_int_equal(kr_cmdline_apply("shell", opts, NOPTS, collect, &w), 3);
	assert_false(debug);		/* the core's, not the shell's */
	assert_false(quiet);		/* "shellx." is another prefix */
	assert_int_equal(mem, 5);
	assert_string_equal(name, "a b");
	assert_int_equal(port, 777);	/* tcc's option, and shell.port out of range */
	assert_string_equal(w.msg[0], "cmdline: unknown option 'shell.nosuch' ignored");
	expect_msg(&w, 1, "option 'shell.port'", "out of range [10, 1016]", NULL);
	assert_string_equal(w.msg[2], "cmdline: unknown option 'shell.' ignored");
	/* The core (no prefix) leaves every dotted key to its module. */
	memset(&w, 0, sizeof(w));
	assert_int_equal(kr_cmdline_apply(NULL, opts, NOPTS, collect, &w), 1);
	assert_true(debug);
	expect_msg(&w, 0, "unknown option 'shell'", NULL);
	kernel_line = NULL;
	assert_int_equal(kr_cmdline_apply("shell", opts, NOPTS, collect, &w), 0);
}

/* A table a module got wrong changes nothing and says KR_EINVAL. */
static void test_bad_table(void **state)
{
	struct kr_cmdline_opt o[NOPTS];
	struct warnings w = { .n = 0 };

	(void)state;
	kernel_line = "debug mem=1";
	for (int bad = 0; bad < 6; bad++) {
		memcpy(o, opts, sizeof(o));
		switch (bad) {
		case 0: o[6].magic++; break;
		case 1: o[6].version = 2; break;
		case 2: o[3].type = KR_CMDLINE_ENUM + 1; break;
		case 3: o[2].dst = NULL; break;
		case 4: o[5].dst_size = 0; break;
		default: o[4].choices = NULL; break;
		}
		assert_int_equal(kr_cmdline_apply(NULL, o, NOPTS, collect, &w), KR_EINVAL);
		assert_false(debug);
		assert_int_equal(mem, 777);
		assert_int_equal(w.n, 0);
	}
	kernel_line = NULL;
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
		cmocka_unit_test_setup(test_module_prefix, reset),
		cmocka_unit_test_setup(test_bad_table, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
