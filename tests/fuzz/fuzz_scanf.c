/*
 * fuzz_scanf.c - differential libFuzzer target: tcc-runtime/libc/scanf.c
 * against glibc's sscanf.  Same input, same format: same return value,
 * same errno, same bytes in every argument.
 *
 * Input: the format, a NUL, the string to scan.  Restricted to what
 * scanf.c claims (its header): no 'm' modifier (documented as a matching
 * failure where glibc allocates) and no %N$ (it is supported, but an
 * argument number past the six given would read beyond the va_list).  At
 * most six '%' (so at most six arguments) and a string of at most 60 bytes,
 * so even %ls fits the 256-byte argument buffers.  scanf.c is included
 * renamed to kr_test_*, as tests/unit/test_scanf.c does.  Built and run by
 * tools/fuzz.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krt_libc_host.h"
#define sscanf kr_test_sscanf
#define vsscanf kr_test_vsscanf
#define __isoc99_sscanf kr_test_isoc99_sscanf
#define __isoc99_vsscanf kr_test_isoc99_vsscanf
#define malloc kr_test_malloc
#define free kr_test_free
#include "libc/scanf.c"
#undef sscanf
#undef vsscanf
#undef __isoc99_sscanf
#undef __isoc99_vsscanf
#undef malloc
#undef free

void *kr_test_malloc(size_t n)
{
	return malloc(n);
}

void kr_test_free(void *p)
{
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NARGS 6
#define ARGSZ 256

static _Alignas(16) unsigned char want_args[NARGS][ARGSZ], got_args[NARGS][ARGSZ];

/* glibc's own vsscanf, past ASan's interceptor, whose format parser
 * gives up (a CHECK failure) on formats such as "%q". */
static int (*real_vsscanf)(const char *, const char *, va_list);

static int glibc_sscanf(const char *in, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (!real_vsscanf)
		real_vsscanf = (int (*)(const char *, const char *, va_list))
			dlsym(RTLD_NEXT, "__isoc99_vsscanf");
	va_start(ap, fmt);
	r = real_vsscanf(in, fmt, ap);
	va_end(ap);
	return r;
}

static int run(int (*fn)(const char *, const char *, ...), unsigned char (*a)[ARGSZ],
	       const char *in, const char *fmt, int *err)
{
	int r;

	memset(a, 0xa5, sizeof(want_args));
	errno = 77;     /* not 0: glibc sometimes puts back an older errno */
	r = fn(in, fmt, a[0], a[1], a[2], a[3], a[4], a[5]);
	*err = errno;
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), *fmt = buf, *in;
	const uint8_t *sep = memchr(data, '\0', size);
	size_t flen = sep ? (size_t)(sep - data) : size, pct = 0;
	int want, got, want_err, got_err;

	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	in = buf + flen + 1;
	for (size_t i = 0; i < flen; i++)
		pct += fmt[i] == '%';
	if (pct > NARGS || memchr(fmt, '$', flen) || memchr(fmt, 'm', flen) || strlen(in) > 60)
		goto out;
	want = run(glibc_sscanf, want_args, in, fmt, &want_err);
	got = run(kr_test_sscanf, got_args, in, fmt, &got_err);
	if (got != want || got_err != want_err || memcmp(got_args, want_args, sizeof(got_args))) {
		fprintf(stderr, "sscanf(\"%s\", \"%s\"): returned %d errno %d, glibc %d errno %d%s\n",
			in, fmt, got, got_err, want, want_err,
			memcmp(got_args, want_args, sizeof(got_args)) ? "; arguments differ" : "");
		abort();
	}
out:
	free(buf);
	return 0;
}
