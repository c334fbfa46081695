/*
 * test_ctype.c - tcc-runtime/libc/ctype.c against glibc's C locale, for
 * every int from -1 (EOF) to 255 and a few beyond.
 *
 * The library's functions carry the standard names, so this file includes
 * ctype.c with each renamed to kr_test_*; glibc's ctype.h macros are
 * dropped for the duration, and its functions stay reachable.
 */
#include <ctype.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "krt_libc_host.h"
/* The functions under test (glibc's ctype.h has macros of these names). */
#define CTYPE_FUNCS(X)                                                                    \
	X(isalnum) X(isalpha) X(isblank) X(iscntrl) X(isdigit) X(isgraph) X(islower)      \
	X(isprint) X(ispunct) X(isspace) X(isupper) X(isxdigit)
#undef isalnum
#undef isalpha
#undef isblank
#undef iscntrl
#undef isdigit
#undef isgraph
#undef islower
#undef isprint
#undef ispunct
#undef isspace
#undef isupper
#undef isxdigit
#undef tolower
#undef toupper
#define isalnum kr_test_isalnum
#define isalpha kr_test_isalpha
#define isblank kr_test_isblank
#define iscntrl kr_test_iscntrl
#define isdigit kr_test_isdigit
#define isgraph kr_test_isgraph
#define islower kr_test_islower
#define isprint kr_test_isprint
#define ispunct kr_test_ispunct
#define isspace kr_test_isspace
#define isupper kr_test_isupper
#define isxdigit kr_test_isxdigit
#define tolower kr_test_tolower
#define toupper kr_test_toupper
#include "libc/ctype.c"
#undef isalnum
#undef isalpha
#undef isblank
#undef iscntrl
#undef isdigit
#undef isgraph
#undef islower
#undef isprint
#undef ispunct
#undef isspace
#undef isupper
#undef isxdigit
#undef tolower
#undef toupper

/* Each class agrees with glibc's on whether c is in it. */
static void test_ctype_classes(void **state)
{
	(void)state;
	for (int c = -1; c <= 255; c++) {
#define CHECK(fn)                                                                         \
		if (!!kr_test_##fn(c) != !!fn(c))                                         \
			fail_msg(#fn "(%d): got %d, glibc %d", c, kr_test_##fn(c), fn(c));
		CTYPE_FUNCS(CHECK)
#undef CHECK
	}
}

static void test_ctype_case(void **state)
{
	(void)state;
	for (int c = -1; c <= 255; c++) {
		assert_int_equal(kr_test_tolower(c), tolower(c));
		assert_int_equal(kr_test_toupper(c), toupper(c));
	}
	/* Beyond a byte: no class, and case mapping leaves them alone. */
	static const int far[] = { -129, -2, 256, 0x141, 0x161, 1 << 20, -(1 << 20) };

	for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		assert_int_equal(kr_test_tolower(far[i]), far[i]);
		assert_int_equal(kr_test_toupper(far[i]), far[i]);
		assert_false(kr_test_isalpha(far[i]) || kr_test_isprint(far[i]) ||
			     kr_test_iscntrl(far[i]) || kr_test_isspace(far[i]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctype_classes),
		cmocka_unit_test(test_ctype_case),
	};

	/* The programs the library serves run in the C locale. */
	setlocale(LC_ALL, "C");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
