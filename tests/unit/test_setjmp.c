/*
 * test_setjmp.c - tcc-runtime/libc/setjmp.S: round trips through each entry
 * point, longjmp(env, 0) returning 1, jumps out of nested frames, the
 * callee-saved registers and rsp coming back (an assembly probe, since C
 * cannot see registers), glibc's buffer layout, and __longjmp_chk refusing
 * a frame that has returned.
 *
 * setjmp.S defines the standard names, which would replace glibc's own
 * (cmocka uses those), so meson assembles it with each name renamed to
 * kr_test_* by -D; see tests/unit/meson.build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* krt/libc.h defines these too, differently from glibc's headers; the
 * setjmp names are the ones setjmp.S is built with. */
#include "krt_libc_host.h"
#define __chk_fail kr_test_chk_fail
#include <krt/libc.h>
#undef __jmp_buf_tag
#undef jmp_buf
#undef setjmp
#undef _setjmp
#undef __sigsetjmp
#undef longjmp
#undef _longjmp
#undef __longjmp_chk
#undef __chk_fail

_Static_assert(sizeof(kr_test_jmp_buf) == sizeof(jmp_buf), "glibc's jmp_buf size");
_Static_assert(offsetof(struct kr_test_jmp_buf_tag, __mask_was_saved) ==
	       offsetof(struct __jmp_buf_tag, __mask_was_saved), "glibc's layout");

static kr_test_jmp_buf env;

static void test_round_trip(void **state)
{
	volatile int passes = 0;
	int r;

	(void)state;
	r = kr_test_setjmp(env);
	passes++;
	if (r == 0)
		kr_test_longjmp(env, 42);
	assert_int_equal(r, 42);
	assert_int_equal(passes, 2);
	assert_int_equal(env[0].__mask_was_saved, 0);
}

/* longjmp(env, 0) makes setjmp return 1, through every pair of names. */
static void test_zero_becomes_one(void **state)
{
	int r;

	(void)state;
	if ((r = kr_test_setjmp(env)) == 0)
		kr_test_longjmp(env, 0);
	assert_int_equal(r, 1);
	if ((r = kr_test__setjmp(env)) == 0)
		kr_test__longjmp(env, 0);
	assert_int_equal(r, 1);
	if ((r = kr_test___sigsetjmp(env, 1)) == 0)
		kr_test___longjmp_chk(env, 0);
	assert_int_equal(r, 1);
	assert_int_equal(env[0].__mask_was_saved, 0);	/* no signal mask kept */
	if ((r = kr_test___sigsetjmp(env, 0)) == 0)
		kr_test_longjmp(env, 0);
	assert_int_equal(r, 1);
}

static int depth_reached;

/* gcc 12 calls this infinite recursion: it does not count the noreturn
 * longjmp as a way out. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static __attribute__((noinline)) void dive(int depth, int val)
{
	volatile char frame[64];

	frame[0] = (char)depth;
	depth_reached = frame[0];
	if (depth > 0)
		dive(depth - 1, val);
	else
		kr_test___longjmp_chk(env, val);	/* the frame is live: allowed */
	frame[1] = 0;	/* not a tail call: keep every frame */
}
#pragma GCC diagnostic pop

static void test_nested_frames(void **state)
{
	volatile int local = 7;
	int r;

	(void)state;
	for (int val = -3; val <= 3; val++) {
		r = kr_test__setjmp(env);
		if (r == 0) {
			local = val;
			dive(20, val);
			fail_msg("dive returned");
		}
		assert_int_equal(r, val ? val : 1);
		assert_int_equal(local, val);
		assert_int_equal(depth_reached, 0);
	}
}

/*
 * probe_callee_saved(env, out): loads known values into rbx rbp r12-r15,
 * calls _setjmp, overwrites them all and longjmps back with 42, then
 * stores the registers, rsp after and before, and the return value in
 * out[0..8].  Its own callee-saved registers are restored for its caller.
 */
long probe_callee_saved(kr_test_jmp_buf e, long *out);
__asm__(
	".text\n"
	".globl probe_callee_saved\n"
	".type probe_callee_saved, @function\n"
	"probe_callee_saved:\n"
	"	pushq %rbx\n pushq %rbp\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
	"	pushq %rsi\n pushq %rdi\n subq $8, %rsp\n"	/* 16-byte aligned */
	"	movabsq $0x1111111111111111, %rbx\n"
	"	movabsq $0x2222222222222222, %rbp\n"
	"	movabsq $0x3333333333333333, %r12\n"
	"	movabsq $0x4444444444444444, %r13\n"
	"	movabsq $0x5555555555555555, %r14\n"
	"	movabsq $0x6666666666666666, %r15\n"
	"	movq %rsp, 56(%rsi)\n"
	"	call kr_test__setjmp\n"
	"	testl %eax, %eax\n"
	"	jnz 1f\n"
	"	movq $-1, %rbx\n movq $-1, %rbp\n movq $-1, %r12\n"
	"	movq $-1, %r13\n movq $-1, %r14\n movq $-1, %r15\n"
	"	movq 8(%rsp), %rdi\n"
	"	movl $42, %esi\n"
	"	call kr_test_longjmp\n"
	"1:	movq 16(%rsp), %rsi\n"
	"	movq %rbx, 0(%rsi)\n movq %rbp, 8(%rsi)\n movq %r12, 16(%rsi)\n"
	"	movq %r13, 24(%rsi)\n movq %r14, 32(%rsi)\n movq %r15, 40(%rsi)\n"
	"	movq %rsp, 48(%rsi)\n"
	"	movslq %eax, %rax\n movq %rax, 64(%rsi)\n"
	"	addq $24, %rsp\n"
	"	popq %r15\n popq %r14\n popq %r13\n popq %r12\n popq %rbp\n popq %rbx\n"
	"	ret\n"
	".size probe_callee_saved, . - probe_callee_saved\n");

static void test_callee_saved(void **state)
{
	long out[9];

	(void)state;
	memset(out, 0, sizeof(out));
	probe_callee_saved(env, out);
	assert_int_equal(out[0], 0x1111111111111111);
	assert_int_equal(out[1], 0x2222222222222222);
	assert_int_equal(out[2], 0x3333333333333333);
	assert_int_equal(out[3], 0x4444444444444444);
	assert_int_equal(out[4], 0x5555555555555555);
	assert_int_equal(out[5], 0x6666666666666666);
	assert_int_equal(out[6], out[7]);	/* rsp as it was at the call */
	assert_int_equal(out[8], 42);
	/* Stored plainly, in glibc's order: rbx rbp r12..r15 rsp pc. */
	assert_int_equal(env[0].__jmpbuf[0], 0x1111111111111111);
	assert_int_equal(env[0].__jmpbuf[5], 0x6666666666666666);
	assert_int_equal(env[0].__jmpbuf[6], out[7]);
}

/* __chk_fail, which the kernel defines; this one escapes to the test. */
static jmp_buf chk_env;
static int chk_failures;

void kr_test_chk_fail(void)
{
	chk_failures++;
	longjmp(chk_env, 1);
}

static __attribute__((noinline)) int set_in_dead_frame(void)
{
	volatile char frame[256];

	frame[0] = 1;
	return kr_test__setjmp(env) + frame[0];
}

/* A jump into a frame that has returned is refused. */
static void test_longjmp_chk_dead_frame(void **state)
{
	(void)state;
	chk_failures = 0;
	if (set_in_dead_frame() == 1 && !setjmp(chk_env))
		kr_test___longjmp_chk(env, 5);
	assert_int_equal(chk_failures, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_zero_becomes_one),
		cmocka_unit_test(test_nested_frames),
		cmocka_unit_test(test_callee_saved),
		cmocka_unit_test(test_longjmp_chk_dead_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
