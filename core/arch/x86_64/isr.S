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

isr_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	cld
	mov %rsp, %rdi
	call trap_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

/*
 * long guard_enter(fn, arg, stack_top): call fn(arg) on another stack
 * (guard.c).  guard_resume is where a trap sends an abandoned call: both
 * paths reload the saved %rsp, so the abandoned stack is never used again.
 */
	.globl guard_enter, guard_resume
guard_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, guard_saved_rsp(%rip)
	mov %rdx, %rsp
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
guard_resume:
	mov guard_saved_rsp(%rip), %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
