/*
 * tcc_host.c - the compile step of the tcc module on the host, for
 * tools/bench_tcc.py: Debian's libtcc.a (the same archive the kernel links)
 * turns a handler source into an ELF object with the options, output type
 * and defines of modules/tcc/compile.c.  bench_tcc.py counts the
 * instructions of compile_once() with callgrind (--toggle-collect), so
 * process start-up and exit stay out of the figure.
 *
 * Usage: tcc_host FILE.c INCDIR OUT.o [ROUNDS]
 * Build: gcc -O2 tcc_host.c /usr/lib/x86_64-linux-gnu/libtcc.a -ldl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libtcc.h>

static int errors;

static void on_error(void *opaque, const char *msg)
{
	(void)opaque;
	if (strstr(msg, ": error: "))
		errors++;
	fprintf(stderr, "%s\n", msg);
}

/* What compile_entry() does in the kernel, tcc_new to tcc_delete. */
__attribute__((noinline)) int compile_once(const char *file, const char *incdir, const char *out)
{
	TCCState *s = tcc_new();
	int r;

	if (!s)
		return -1;
	tcc_set_error_func(s, NULL, on_error);
	tcc_set_options(s, "-nostdlib -nostdinc -fno-common");
	tcc_set_output_type(s, TCC_OUTPUT_OBJ);
	tcc_add_sysinclude_path(s, incdir);
	tcc_define_symbol(s, "__KARYON__", "1");
	r = tcc_add_file(s, file);
	if (r == 0 && !errors)
		r = tcc_output_file(s, out);
	tcc_delete(s);
	return r || errors ? -1 : 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 4 ? atoi(argv[4]) : 1;

	if (argc < 4 || rounds < 1) {
		fprintf(stderr, "usage: tcc_host FILE.c INCDIR OUT.o [ROUNDS]\n");
		return 2;
	}
	for (int i = 0; i < rounds; i++)
		if (compile_once(argv[1], argv[2], argv[3])) {
			fprintf(stderr, "tcc_host: %s: compile failed\n", argv[1]);
			return 1;
		}
	return 0;
}
