/*
 * fuzz_printf.c - differential libFuzzer target: tcc-runtime/libc/printf.c
 * (the engine krt/format.c under glibc's rules, with printf_fp.c) against
 * glibc's vsnprintf, which format.c promises to match byte for byte in the
 * C locale: same output, same return value, same errno on -1, nothing
 * written past the size given.
 *
 * A format cannot be fuzzed as free text, as its arguments must match it;
 * so each 32-byte chunk of the input describes one conversion: the
 * conversion, its flags, width and precision (a number or '*'), its length
 * modifier (only those C or glibc define for it), the buffer size, the
 * argument's bits and a string or wide string for %s/%ls.  Left out as
 * format.c documents: positional arguments (%1$d, unsupported) and %m
 * (printed as written, where glibc prints strerror); %n writes through its
 * argument, which tests/unit/test_printf.c covers by hand.  printf.c is
 * included renamed to kr_test_*, as the unit test does.  Built and run by
 * tools/fuzz.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define krt_vformat kr_test_vformat
#define vsnprintf kr_test_vsnprintf
#define snprintf kr_test_snprintf
#define vsprintf kr_test_vsprintf
#define sprintf kr_test_sprintf
#define __vsnprintf_chk kr_test_vsnprintf_chk
#define __snprintf_chk kr_test_snprintf_chk
#define __vsprintf_chk kr_test_vsprintf_chk
#define __sprintf_chk kr_test_sprintf_chk
#define __chk_fail kr_test_chk_fail
#include "krt/format.c"
#include "libc/printf.c"
#include "libc/printf_fp.c"
#include "libc/fpdec.c"
#undef krt_vformat
#undef vsnprintf
#undef snprintf
#undef vsprintf
#undef sprintf
#undef __vsnprintf_chk
#undef __snprintf_chk
#undef __vsprintf_chk
#undef __sprintf_chk
#undef __chk_fail

void kr_test_chk_fail(void)
{
	abort();        /* only the _chk entry points call it; not used here */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUF 8192        /* the widest: %Lf of 1e4932 (4933 digits) + 1071 of precision */
#define CHUNK 32

static char got[BUF], want[BUF];

/* glibc's own vsnprintf, past ASan's interceptor and its format parser. */
static int (*real_vsnprintf)(char *, size_t, const char *, va_list);

static void cmp(size_t size, const char *f, ...)
{
	va_list a, b;
	int rg, rw, eg, ew;

	memset(got, 'X', sizeof(got));
	memset(want, 'X', sizeof(want));
	va_start(a, f);
	va_copy(b, a);
	errno = 0;
	rg = kr_test_vsnprintf(got, size, f, a);
	eg = errno;
	errno = 0;
	if (!real_vsnprintf)
		real_vsnprintf = (int (*)(char *, size_t, const char *, va_list))
			dlsym(RTLD_NEXT, "vsnprintf");
	rw = real_vsnprintf(want, size, f, b);
	ew = errno;
	va_end(b);
	va_end(a);
	/* Whole buffers: also proves nothing was written past size. */
	if (rg != rw || memcmp(got, want, sizeof(got)) || (rw < 0 && eg != ew)) {
		fprintf(stderr, "format \"%s\" size %zu: got \"%.*s\" (%d, errno %d), "
			"glibc \"%.*s\" (%d, errno %d)\n", f, size, (int)(size ? size - 1 : 0), got,
			rg, eg, (int)(size ? size - 1 : 0), want, rw, ew);
		abort();
	}
}

static const char convs[] = "diouxXcspaAeEfFgGb%";
static const char *const int_len[] = { "", "hh", "h", "l", "ll", "L", "j", "z", "t", "q" };

/* Call cmp with the '*' arguments (nstar of them) before the value. */
#define CALL(...)								\
	do {									\
		if (nstar == 0)							\
			cmp(bufsize, f, __VA_ARGS__);				\
		else if (nstar == 1)						\
			cmp(bufsize, f, star[0], __VA_ARGS__);			\
		else								\
			cmp(bufsize, f, star[0], star[1], __VA_ARGS__);		\
	} while (0)

static void one(const uint8_t *c)
{
	char f[32], *p = f, conv = convs[c[0] % (sizeof(convs) - 1)];
	const char *len = "";
	int star[2] = { 0, 0 }, nstar = 0;
	size_t bufsize = c[4] < 16 ? c[4] : BUF;
	uint64_t v;
	long double ld;
	double d;
	char str[8];
	wchar_t wstr[8];

	*p++ = '<';
	*p++ = '%';
	for (int i = 0; i < 5; i++)
		if (c[1] & (1 << i))
			*p++ = "-+ #0"[i];
	if (c[2] & 0x80) {
		*p++ = '*';
		star[nstar++] = (int8_t)c[12] * 3;
	} else if (!(c[2] & 0x40)) {
		p += sprintf(p, "%d", (c[2] & 0x3f) * 5);
	}
	if (c[3] & 0x80) {
		*p++ = '.';
		*p++ = '*';
		star[nstar++] = (int8_t)c[13] * 8;
	} else if (!(c[3] & 0x40)) {
		*p++ = '.';
		if ((c[3] & 0x3f) != 0x3f)
			p += sprintf(p, "%d", (c[3] & 0x3f) * 17);
	}
	switch (conv) {
	case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'b':
		len = int_len[c[5] % 10];
		break;
	case 'a': case 'A': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
	case 'c': case 's':
		len = c[5] & 1 ? (conv == 'c' || conv == 's' ? "l" : "L") : "";
		break;
	}
	p += sprintf(p, "%s%c>", len, conv);
	memcpy(&v, c + 6, 8);
	memcpy(&d, c + 6, 8);
	memset(&ld, 0, sizeof(ld));
	memcpy(&ld, c + 6, 10);
	for (int i = 0; i < 7; i++) {
		str[i] = (char)c[16 + i];
		wstr[i] = (int8_t)c[16 + i];    /* negative: outside ASCII */
	}
	str[7] = '\0';
	wstr[7] = 0;

	switch (conv) {
	case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'b':
		if (len[0] == '\0' || len[0] == 'h')
			CALL((int)v);
		else
			CALL((long long)v);
		break;
	case 'c':
		if (len[0])
			CALL((wint_t)(int8_t)v);
		else
			CALL((int)v);
		break;
	case 's':
		if (c[5] & 2)
			CALL((char *)NULL);
		else if (len[0])
			CALL(wstr);
		else
			CALL(str);
		break;
	case 'p':
		CALL((void *)(uintptr_t)(c[5] & 1 ? 0 : v));
		break;
	case '%':
		CALL(0);
		break;
	default:
		if (len[0])
			CALL(ld);
		else
			CALL(d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + CHUNK <= size; i += CHUNK)
		one(data + i);
	return 0;
}
