/*
 * krt_libc_host.h - for host tests that include a tcc-runtime/libc/ source
 * file beside glibc: krt/libc.h declares setjmp's and div's types and
 * functions its own way, so their names are moved out of glibc's way
 * (kr_test_*) before it is included.  Include after the system headers.
 */
#undef setjmp
#define __jmp_buf_tag kr_test_jmp_buf_tag
#define jmp_buf kr_test_jmp_buf
#define setjmp kr_test_setjmp
#define _setjmp kr_test__setjmp
#define __sigsetjmp kr_test___sigsetjmp
#define longjmp kr_test_longjmp
#define _longjmp kr_test__longjmp
#define __longjmp_chk kr_test___longjmp_chk
#define div_t kr_test_div_t
#define ldiv_t kr_test_ldiv_t
#define lldiv_t kr_test_lldiv_t
#define div kr_test_div
#define ldiv kr_test_ldiv
#define lldiv kr_test_lldiv
