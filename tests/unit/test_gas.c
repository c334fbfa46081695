/*
 * test_gas.c - the metering pass (modules/tcc/gas.c) on preprocessed C as
 * TinyCC's -E writes it: where each charge goes and what it weighs, for
 * every loop form, function entry and goto; what it must leave alone
 * (initialisers, struct bodies, keywords in strings); what it refuses
 * (inline asm, reserved names, section attributes, directives made by
 * macros), with the user's file and line; and that its output has the
 * input's lines and compiles, with the Debian tcc that matches libtcc.a
 * (argv[1]) and with the host's gcc -fsyntax-only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tcc/gas.h"

static const char *tcc_path = "tcc";

#define CH(n) "subq $" #n ",__karyon_gas"

static char err[200];

/* The instrumented text of src (a string literal), or NULL and err. */
static char *gas(const char *src, unsigned *charges)
{
	struct gas_result r;
	kr_err_t e = gas_instrument(src, strlen(src), &r, err, sizeof(err));

	if (e)
		return NULL;
	if (charges)
		*charges = r.charges;
	assert_int_equal(strlen(r.text), r.len);
	return r.text;
}

static unsigned count(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

static unsigned lines(const char *s)
{
	return count(s, "\n");
}

/* The weights of the charges in order, into w; how many. */
static unsigned weights(const char *s, unsigned *w, unsigned max)
{
	unsigned n = 0;

	for (const char *p = s; n < max && (p = strstr(p, "subq $")) != NULL; p += 6)
		w[n++] = (unsigned)strtoul(p + 6, NULL, 10);
	return n;
}

/* The text compiles with cmd (tcc -c / gcc -fsyntax-only) as a file. */
static void compiles(const char *text, const char *cmd)
{
	char path[] = "/tmp/test_gas_XXXXXX.c", line[512];
	int fd = mkstemps(path, 2);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(line, sizeof(line), cmd, path);
	if (system(line) != 0) {
		fprintf(stderr, "does not compile (%s):\n%s\n", line, text);
		fail();
	}
	remove(path);
}

static void compiles_both(const char *text)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s -c %%s -o /dev/null", tcc_path);
	compiles(text, cmd);
	compiles(text, "gcc -fsyntax-only -w %s");
}

static void for_forms(void **state)
{
	unsigned n;
	char *t;

	(void)state;
	t = gas("int f(int n) { int s = 0, i; for (i = 0; i < n; i++) s += i; return s; }\n", &n);
	assert_non_null(t);
	assert_int_equal(n, 2);         /* the entry, the loop */
	/* `for ( i = 0 ; i < n ; i ++ ) s += i ;`: 17 tokens */
	assert_non_null(strstr(t, "for (i = 0;({__asm__ volatile(\"" CH(5)));
	assert_non_null(strstr(t, "}), ( i < n); i++)"));
	compiles_both(t);
	free(t);
	t = gas("void f(void) { for (;;) break; for (int i = 0;; i++) if (i) break; "
		"int j = 0; for (; j < 3;) j++; }\n", &n);
	assert_non_null(t);
	assert_int_equal(n, 4);
	assert_int_equal(count(t, "}), 1;"), 2);        /* empty conditions */
	assert_non_null(strstr(t, "}), ( j < 3);)"));
	compiles_both(t);
	free(t);
}

static void while_and_do(void **state)
{
	unsigned n, w[8];
	char *t;

	(void)state;
	t = gas("int f(int n) { while (n > 0) n--; do { n++; } while (n < 10); "
		"do n--; while (n); return n; }\n", &n);
	assert_non_null(t);
	assert_int_equal(n, 4);         /* a do's while is its charge, not a loop of its own */
	assert_int_equal(count(t, "while (({"), 3);
	assert_int_equal(weights(t, w, 8), 4);
	compiles_both(t);
	free(t);
	/* continue in a do-while goes through its condition: the charge */
	t = gas("int f(int n) { do { if (n & 1) continue; n += 3; } while (--n > 0); return n; }\n",
		&n);
	assert_non_null(strstr(t, "}), (--n > 0));"));
	compiles_both(t);
	free(t);
}

/* Nested loops: each pays for its own tokens; the outer one not for the
 * inner one's body. */
static void nesting_and_weights(void **state)
{
	unsigned n, w[8];
	char *t;

	(void)state;
	t = gas("int f(int n) { int s = 0, i, j;\n"
		"for (i = 0; i < n; i++)\n"
		"  for (j = 0; j < n; j++) { s += i * j; s ^= j; s += 1; s -= 2; s *= 3; }\n"
		"return s; }\n", &n);
	assert_non_null(t);
	assert_int_equal(weights(t, w, 8), 3);
	/* inner: `for ( j = 0 ; j < n ; j ++ )` 13 + body 24 = 37 tokens: 1 + 37 / 4 */
	assert_int_equal(w[2], 1 + 37 / GAS_TOKENS_PER_GAS);
	/* outer: its header (13) and the inner loop's header (13) */
	assert_int_equal(w[1], 1 + 26 / GAS_TOKENS_PER_GAS);
	assert_int_equal(lines(t), 4);
	compiles_both(t);
	free(t);
	/* unbraced bodies, if/else inside, a loop in a statement expression */
	t = gas("int f(int n) { int s = 0;\n"
		"while (n--) if (n & 1) s++; else while (s > 100) s /= 2;\n"
		"s += ({ int k = 0; while (k < 3) k++; k; });\n"
		"for (int a = 0; a < 2; a++) for (int b = 0; b < 2; b++) for (;;) break;\n"
		"return s; }\n", &n);
	assert_non_null(t);
	assert_int_equal(n, 7);
	compiles_both(t);
	free(t);
}

static void gotos(void **state)
{
	unsigned n, w[8];
	char *t;

	(void)state;
	t = gas("int f(int n) { int s = 0;\nagain: s++; if (s < n) goto again; goto out;\n"
		"s = 5;\nout: return s; }\n", &n);
	assert_non_null(t);
	assert_int_equal(n, 3);
	assert_non_null(strstr(t, "if (s < n) { __asm__ volatile(\"" CH(3)));    /* 11 tokens back */
	assert_non_null(strstr(t, "goto again; } "));
	assert_non_null(strstr(t, "{ __asm__ volatile(\"" CH(1)));      /* forward */
	assert_int_equal(weights(t, w, 8), 3);
	compiles_both(t);
	free(t);
	/* computed goto: the whole function's weight */
	t = gas("int f(int n) { void *p = &&l; l: if (n-- > 0) goto *p; return n; }\n", &n);
	assert_non_null(t);
	assert_int_equal(n, 2);
	assert_non_null(strstr(t, "goto *p; }"));
	compiles_both(t);
	free(t);
}

static void functions(void **state)
{
	unsigned n;
	char *t;

	(void)state;
	t = gas("static inline int sq(int x) { return x * x; }\n"
		"int old(a, b) int a; char b; { return a + b; }\n"
		"__attribute__((noinline)) int attr(void) __attribute__((unused));\n"
		"__attribute__((noinline)) int attr(void) { return 1; }\n"
		"int (*pick(int k))(int) { return k ? sq : 0; }\n"
		"struct s { int a, b; } sv = { 1, 2 };\n"
		"struct s arr[] = { { 1, 2 }, { 3, 4 } };\n"
		"int ints[] = { 1, 2, 3 }, more = 4;\n"
		"enum e { A, B };\n"
		"union u { int i; float f; };\n"
		"struct __attribute__((packed)) p { char c; int i; };\n"
		"struct s mk(void) { struct s v = { 5, 6 }; return (struct s){ v.b, v.a }; }\n", &n);
	assert_non_null(t);
	assert_int_equal(n, 5);         /* sq, old, attr, pick, mk */
	assert_non_null(strstr(t, "sv = { 1, 2 };"));
	assert_non_null(strstr(t, "struct s { int a, b; }"));
	assert_non_null(strstr(t, "int old(a, b) int a; char b; {__asm__"));
	compiles_both(t);
	free(t);
}

static void strings_and_chars(void **state)
{
	unsigned n;
	char *t;

	(void)state;
	t = gas("const char *s = \"while (1) { goto x; } asm __karyon_gas\";\n"
		"int f(void) { char c = '{'; char d = '\\''; const char *q = \"for(;;)\\\"\"; "
		"return c + d + q[0]; }\n", &n);
	assert_non_null(t);
	assert_int_equal(n, 1);
	assert_non_null(strstr(t, "\"while (1) { goto x; } asm __karyon_gas\""));
	compiles_both(t);
	free(t);
}

static void refused(void **state)
{
	static const struct { const char *src, *msg; } cases[] = {
		{ "# 1 \"/t/a.c\"\nint main(void)\n{\n\t__asm__(\"nop\");\n}\n",
		  "/t/a.c:3: error: inline assembly is not allowed" },
		{ "# 7 \"/t/b.c\"\nint f(void) { asm(\"hlt\"); }\n", "/t/b.c:7: error: inline assembly" },
		{ "# 1 \"x.c\"\nint f(void) { __asm volatile(\"\"); }\n", "x.c:1: error: inline assembly" },
		{ "# 3 \"x.c\"\nextern long __karyon_gas;\n", "x.c:3: error: __karyon_gas... names" },
		{ "# 3 \"x.c\"\nvoid __karyon_gas_out(void);\n", "x.c:3: error: __karyon_gas..." },
		{ "# 1 \"x.c\"\n\n\nlong __karyon_gasp;\n", "x.c:3: error: __karyon_gas..." },
		{ "# 2 \"x.c\"\n__attribute__((section(\".text\"))) char c[] = { 0xc3 };\n",
		  "x.c:2: error: a section attribute" },
		{ "# 1 \"x.c\"\n__declspec(section(\"x\")) int c;\n", "x.c:1: error: a section" },
		{ "# 1 \"x.c\"\n# define X 1\n", "x.c:1: error: a preprocessing directive made by a macro" },
		{ "# 1 \"x.c\"\n#include <x.h>\n", "x.c:1: error: a preprocessing directive" },
		{ "# 1 \"x.c\"\nint f(void) { __REDIRECT(g, (void), memcpy); }\n", "x.c:1: error: inline" },
		{ "# 5 \"x.c\"\nint f(void) { return (1; }\n", "x.c:5: error: unbalanced brackets" },
		{ "# 5 \"x.c\"\nchar *s = \"abc;\n", "x.c:5: error: unterminated string" },
		{ "int f(void) { for (x) ; }\n", ":1: error: expected for (init; condition; step)" },
		{ "int f(void) { do x++; }\n", ":1: error: expected while (...); after do" },
	};
	struct gas_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kr_err_t e = gas_instrument(cases[i].src, strlen(cases[i].src), &r, err, sizeof(err));

		if (e != KR_EFORMAT || strncmp(err, cases[i].msg, strlen(cases[i].msg))) {
			fprintf(stderr, "case %zu: got %d '%s', want '%s'\n", i, e, err, cases[i].msg);
			fail();
		}
		assert_null(r.text);
	}
}

/* A contract (GAS_CONTRACT): no floating point in any form; integers,
 * hexadecimal ones with an 'e' digit included, pass as for a handler. */
static void contract_mode(void **state)
{
	static const char *const floats[] = {
		"float x;", "double f(void);", "long double x;", "long x = 1.5;", "long x = 1e5;",
		"long x = 1E-3;", "long x = .5;", "long x = 2.f;", "long x = 0x1p3;", "long x = 0X1.8P1;",
	};
	static const char *const fine[] = {
		"long x = 0x1e5;", "long x = 10ul;", "char *s = \"1.5 double\";", "int floaty;",
		"long x = 'e';",
	};
	struct gas_result r;
	char src[128];

	(void)state;
	for (size_t i = 0; i < sizeof(floats) / sizeof(floats[0]); i++) {
		snprintf(src, sizeof(src), "# 4 \"contract.c\"\n%s\n", floats[i]);
		assert_int_equal(gas_instrument_mode(src, strlen(src), GAS_CONTRACT, &r, err,
						     sizeof(err)), KR_EFORMAT);
		assert_string_equal(err, "contract.c:4: error: floating point is not allowed in a "
				    "contract");
		assert_int_equal(gas_instrument(src, strlen(src), &r, err, sizeof(err)), KR_OK);
		free(r.text);
	}
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		assert_int_equal(gas_instrument_mode(fine[i], strlen(fine[i]), GAS_CONTRACT, &r, err,
						     sizeof(err)), KR_OK);
		free(r.text);
	}
	snprintf(src, sizeof(src), "# 1 \"contract.c\"\nint f(void) { asm(\"nop\"); }\n");
	assert_int_equal(gas_instrument_mode(src, strlen(src), GAS_CONTRACT, &r, err, sizeof(err)),
			 KR_EFORMAT);
	assert_string_equal(err, "contract.c:1: error: inline assembly is not allowed in a contract");
}

/* Line markers and pragmas as TinyCC's -E writes them; the output has
 * the same lines, so messages and line tables name the user's lines. */
static void markers_and_pragmas(void **state)
{
	const char *src = "# 1 \"/t/m.c\"\n# 1 \"<command line>\" 1\n# 2 \"/t/m.c\" 2\n"
			  "#pragma pack(push, 1)\nstruct s { char a; int b; };\n#pragma pack(pop)\n"
			  "#pragma GCC diagnostic ignored \"-Wall\"\n"
			  "_Pragma(\"comment(option, \\\"-Dx=y\\\")\")\n"
			  "int main(void)\n{\n\tint i = 0;\n\twhile (i < 3)\n\t\ti++;\n\treturn i;\n}\n";
	unsigned n;
	char *t = gas(src, &n);

	(void)state;
	assert_non_null(t);
	assert_int_equal(lines(t), lines(src));
	assert_non_null(strstr(t, "# 1 \"/t/m.c\"\n# 1 \"<command line>\" 1\n# 2 \"/t/m.c\" 2\n"));
	assert_non_null(strstr(t, "#pragma pack(push, 1)\n"));
	assert_null(strstr(t, "GCC"));                  /* other pragmas ignored */
	assert_null(strstr(t, "comment"));
	assert_int_equal(n, 2);
	/* every line after the markers starts where it did */
	for (const char *a = src, *b = t; *a; a = strchr(a, '\n') + 1, b = strchr(b, '\n') + 1) {
		if (a[0] == '#' || a[0] == '_')
			continue;
		assert_memory_equal(a, b, a[0] == '\t' ? 2 : 1);
	}
	compiles_both(t);
	free(t);
}

/* A real preprocessed file (tcc -E of a macro-heavy source): the same
 * output twice, and it compiles. */
static void preprocessed_by_tcc(void **state)
{
	const char *src = "#define LOOP(v, n) for (int v = 0; v < (n); v++)\n"
			  "#define FOREVER for (;;)\n#define W whi ## le\n"
			  "static int g(int n) { int s = 0; LOOP(i, n) LOOP(j, i) s += j;\n"
			  "  W (s > 1000) s /= 2; FOREVER { if (s++ > 5) break; } return s; }\n"
			  "#undef LOOP\nint main(void) { return g(4); }\n";
	char path[] = "/tmp/test_gas_src_XXXXXX.c", cmd[512], *buf = malloc(1 << 16), *a, *b;
	int fd = mkstemps(path, 2);
	FILE *f = fdopen(fd, "w");
	size_t len;
	unsigned n;

	(void)state;
	fputs(src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -E %s", tcc_path, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	len = fread(buf, 1, (1 << 16) - 1, f);
	buf[len] = '\0';
	assert_int_equal(pclose(f), 0);
	remove(path);
	a = gas(buf, &n);
	b = gas(buf, NULL);
	assert_non_null(a);
	assert_string_equal(a, b);
	assert_int_equal(n, 2 + 4);     /* two entries; the loops over i and j, while, for (;;) */
	assert_int_equal(lines(a), lines(buf));
	compiles_both(a);
	free(a);
	free(b);
	free(buf);
}

/* Untrusted input: every truncation and 20,000 seeded mutations of a
 * source with every construct either instrument or fail cleanly, never
 * touching memory outside (ASan, UBSan). */
static void broken_sources(void **state)
{
	const char *src = "# 1 \"f.c\"\nstruct s { int a; } v = { 1 };\n"
			  "int f(int n) { int s = 0; for (int i = 0; i < n; i++) { while (s) s--; }\n"
			  "do { s++; } while (s < 3); l: if (s) goto l; void *p = &&l; goto *p;\n"
			  "switch (n) { case 1: s = ({ int k = 0; for (;;) break; k; }); default: ; }\n"
			  "return s ? \"x{\" : 'y'; }\n";
	size_t len = strlen(src);
	char *buf = malloc(len + 1);
	struct gas_result r;
	unsigned seed = 1;

	(void)state;
	for (size_t cut = 0; cut <= len; cut++) {
		memcpy(buf, src, cut);
		if (gas_instrument(buf, cut, &r, err, sizeof(err)) == KR_OK)
			free(r.text);
	}
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, src, len);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % len] = "(){};:#\"'\n wdgf*"[(seed >> 20) % 17];
		}
		if (gas_instrument(buf, len, &r, err, sizeof(err)) == KR_OK)
			free(r.text);
	}
	free(buf);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(for_forms),
		cmocka_unit_test(while_and_do),
		cmocka_unit_test(nesting_and_weights),
		cmocka_unit_test(gotos),
		cmocka_unit_test(functions),
		cmocka_unit_test(strings_and_chars),
		cmocka_unit_test(refused),
		cmocka_unit_test(contract_mode),
		cmocka_unit_test(markers_and_pragmas),
		cmocka_unit_test(preprocessed_by_tcc),
		cmocka_unit_test(broken_sources),
	};

	if (argc > 1)
		tcc_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
