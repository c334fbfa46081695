/*
 * isr.S - the 256 interrupt entry stubs and the common trap path.
 *
 * Every stub is 16 bytes (cpu.c computes isr_stubs + 16 * vector), pushes a
 * zero where the CPU pushes no error code so struct trap_frame has one shape,
 * pushes its vector and joins isr_common, which saves the general registers
 * and calls trap_dispatch(frame).  Every vector runs on an IST stack (see
 * cpu.c): third-party code in the kernel uses the red zone below %rsp.
 * Kernel C is built without SSE, so no FPU state is saved here.
 */
	.altmacro
	.macro ISR_STUB n
	.balign 16
	.if (\n == 8) || (\n == 10) || (\n == 11) || (\n == 12) || (\n == 13) || (\n == 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp isr_common
	.endm

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	ISR_STUB %vec
	.set vec, vec + 1
	.endr

/* The general registers in struct trap_frame's (and kr_uctx's) order. */
	.macro PUSH_GPRS
	.irp r, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
	push %\r
	.endr
	.endm
	.macro POP_GPRS
	.irp r, r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax
	pop %\r
	.endr
	.endm

isr_common:
	PUSH_GPRS
	cld
	mov %rsp, %rdi
	call trap_dispatch
	POP_GPRS
	add $16, %rsp
	iretq

/*
 * Leaving C for user mode, which may never come back the same way:
 * SAVE_CALLER keeps rflags, the callee-saved registers and then %rsp in
 * slot; RESTORE_CALLER returns to that caller from anywhere.
 */
	.macro SAVE_CALLER slot
	pushfq
	.irp r, rbp, rbx, r12, r13, r14, r15
	push %\r
	.endr
	mov %rsp, \slot(%rip)
	.endm
	.macro RESTORE_CALLER slot
	mov \slot(%rip), %rsp
	.irp r, r15, r14, r13, r12, rbx, rbp
	pop %\r
	.endr
	popfq
	ret
	.endm

/*
 * ctx_switch(save, rsp, save_fpu, fpu): kernel contexts (ctx.c).  Push
 * rflags and the callee-saved registers, keep the FPU state and %rsp, then
 * take the other context's and return where it switched away (or into
 * ctx_start, with r12 = the new context, for one never run).
 */
	.globl ctx_switch, ctx_start
ctx_switch:
	pushfq
	.irp r, rbp, rbx, r12, r13, r14, r15
	push %\r
	.endr
	fxsave64 (%rdx)
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	fxrstor64 (%rcx)
	.irp r, r15, r14, r13, r12, rbx, rbp
	pop %\r
	.endr
	popfq
	ret
ctx_start:
	mov %r12, %rdi
	call ctx_main

/*
 * User mode (user.c).  A context (struct kr_uctx) holds the registers in
 * the layout of a trap frame, so iretq can take the last five straight
 * from it.  user_enter(u) keeps what its C caller expects kept
 * (SAVE_CALLER), loads u's FPU state and registers and goes.
 * syscall_entry pushes the user's registers into user_ctx as a trap would,
 * then offers the call to the fast path (user_fast) if there is one, on
 * the caller's stack below its frame: handled, the user resumes at once.
 * Otherwise, and for a trap from ring 3 (trap_dispatch), user_leave(exit)
 * saves and resets the FPU, restores the FS base (the user may have loaded
 * %fs) and returns from user_enter with exit in %eax.
 */
#define U_R15    16
#define U_RIP    152
#define U_RFLAGS 168
#define U_RSP    176
#define U_END    192            /* just past ss: where a trap frame ends */
#define U_FPU    192

	.macro LEAVE_USER_STATE      /* clobbers rax, rcx, rdx */
	mov user_ctx(%rip), %rax
	fxsave64 U_FPU(%rax)
	fninit
	ldmxcsr mxcsr_default(%rip)
	lea boot_percpu(%rip), %rax
	mov %rax, %rdx
	shr $32, %rdx
	mov $0xc0000100, %ecx           /* IA32_FS_BASE */
	wrmsr
	.endm

	.globl user_enter, user_leave, syscall_entry
user_enter:
	SAVE_CALLER user_saved_rsp
user_resume:                            /* rdi = the context */
	cli
	fxrstor64 U_FPU(%rdi)
	lea U_R15(%rdi), %rsp
	POP_GPRS
	add $16, %rsp                   /* vector, error */
	iretq

syscall_entry:
	mov %rsp, user_scratch(%rip)
	mov user_ctx(%rip), %rsp
	add $U_END, %rsp
	pushq $(0x18 | 3)               /* ss */
	pushq user_scratch(%rip)        /* rsp */
	push %r11                       /* rflags */
	pushq $(0x20 | 3)               /* cs */
	push %rcx                       /* rip */
	pushq $0                        /* error */
	pushq $0                        /* vector */
	PUSH_GPRS
	mov user_ctx(%rip), %rdi
	mov U_RIP(%rdi), %rcx           /* the fast path resumes only what kr_as_run */
	or U_RSP(%rdi), %rcx            /* would: user rip and rsp */
	shr $47, %rcx
	jnz 1f
	cmpq $0, user_fast(%rip)
	je 1f
	mov user_saved_rsp(%rip), %rsp  /* below kr_as_run's caller's frame */
	LEAVE_USER_STATE
	mov user_fast_ctx(%rip), %rdi
	mov user_ctx(%rip), %rsi
	call *user_fast(%rip)
	mov user_ctx(%rip), %rdi
	test %al, %al
	jz 2f
	andq $0xcd5, U_RFLAGS(%rdi)     /* with the flags it keeps */
	orq $0x202, U_RFLAGS(%rdi)
	jmp user_resume
1:	mov $1, %edi                    /* KR_UEXIT_SYSCALL */
user_leave:
	LEAVE_USER_STATE
	mov %edi, %eax
	RESTORE_CALLER user_saved_rsp
2:	mov $1, %eax                    /* the slow path: the state is saved already */
	RESTORE_CALLER user_saved_rsp
