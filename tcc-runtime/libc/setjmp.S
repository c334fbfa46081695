/*
 * setjmp.S - setjmp and longjmp for x86_64, in glibc's jmp_buf layout.
 *
 * Debian's libtcc.a unwinds a failed compile with _setjmp and
 * __longjmp_chk, and compiled programs may call any of these.  The buffer
 * is glibc's struct __jmp_buf_tag (200 bytes, see krt/libc.h): __jmpbuf[8]
 * holds rbx rbp r12 r13 r14 r15, then the caller's rsp and the return
 * address, in glibc's order; __mask_was_saved is always 0.  Unlike glibc,
 * nothing is pointer-mangled: the buffer only lives within one compile.
 * The kernel has no signals, so __sigsetjmp ignores its savemask argument.
 *
 * The callee-saved registers are all that must survive: the caller of
 * setjmp expects every other register to be clobbered by a call anyway.
 * The x87 control word and MXCSR are not saved (glibc does not either).
 */

#define JB_RBX	0
#define JB_RBP	8
#define JB_R12	16
#define JB_R13	24
#define JB_R14	32
#define JB_R15	40
#define JB_RSP	48
#define JB_PC	56
#define JB_MASK_WAS_SAVED 64

	.text

/* int setjmp(jmp_buf env): glibc's saves the signal mask; nothing to save.
 * The jumps go to local labels so that they bind here, in any link. */
	.globl	setjmp
	.type	setjmp, @function
setjmp:
	movl	$1, %esi
	jmp	.Lsigsetjmp
	.size	setjmp, . - setjmp

/* int _setjmp(jmp_buf env): never saves the mask. */
	.globl	_setjmp
	.type	_setjmp, @function
_setjmp:
	xorl	%esi, %esi
	jmp	.Lsigsetjmp
	.size	_setjmp, . - _setjmp

/*
 * int __sigsetjmp(struct __jmp_buf_tag *env, int savemask)
 * Reached by a call or by the tail jumps above: either way (%rsp) is the
 * return address into setjmp's caller, and 8(%rsp) is its stack pointer.
 */
	.globl	__sigsetjmp
	.type	__sigsetjmp, @function
__sigsetjmp:
.Lsigsetjmp:
	movq	%rbx, JB_RBX(%rdi)
	movq	%rbp, JB_RBP(%rdi)
	movq	%r12, JB_R12(%rdi)
	movq	%r13, JB_R13(%rdi)
	movq	%r14, JB_R14(%rdi)
	movq	%r15, JB_R15(%rdi)
	leaq	8(%rsp), %rdx
	movq	%rdx, JB_RSP(%rdi)
	movq	(%rsp), %rdx
	movq	%rdx, JB_PC(%rdi)
	movl	$0, JB_MASK_WAS_SAVED(%rdi)
	xorl	%eax, %eax
	ret
	.size	__sigsetjmp, . - __sigsetjmp

/*
 * void __longjmp_chk(jmp_buf env, int val): longjmp that first checks, as
 * glibc's does, that the target frame is still live, i.e. at or above the
 * current stack pointer; a jump into a frame that has returned is stack
 * corruption, and goes to __chk_fail (glibc: "longjmp causes uninitialized
 * stack frame").  There is no sigaltstack to make an exception for.
 */
	.globl	__longjmp_chk
	.type	__longjmp_chk, @function
__longjmp_chk:
	cmpq	%rsp, JB_RSP(%rdi)
	jb	1f
	jmp	.Llongjmp
1:	subq	$8, %rsp		/* the ABI's 16-byte alignment at the call */
	call	__chk_fail
	ud2
	.size	__longjmp_chk, . - __longjmp_chk

/* void longjmp(jmp_buf env, int val), and _longjmp: setjmp returns val
 * again, or 1 if val is 0. */
	.globl	longjmp
	.type	longjmp, @function
	.globl	_longjmp
	.type	_longjmp, @function
longjmp:
_longjmp:
.Llongjmp:
	movl	%esi, %eax
	testl	%eax, %eax
	jnz	1f
	incl	%eax
1:	movq	JB_RBX(%rdi), %rbx
	movq	JB_RBP(%rdi), %rbp
	movq	JB_R12(%rdi), %r12
	movq	JB_R13(%rdi), %r13
	movq	JB_R14(%rdi), %r14
	movq	JB_R15(%rdi), %r15
	movq	JB_RSP(%rdi), %rsp
	jmpq	*JB_PC(%rdi)
	.size	longjmp, . - longjmp
	.size	_longjmp, . - _longjmp

	.section .note.GNU-stack,"",@progbits
