/*
 * hostrun_cpu.S - switching between the runner and a contract on the host
 * (hostrun.c): a contract runs on its own stack and "traps" into the
 * runner by jumping to hostrun_trap, as the kernel's stubs make a system
 * call.  struct hr_cpu (hostrun.c) offsets:
 *   0  the runner's rsp, 8..48 its rbx rbp r12 r13 r14 r15
 *   56 the contract's rsp, 64..104 its rbx rbp r12 r13 r14 r15
 *   112 rax (the call number), 120..160 rdi rsi rdx rcx r8 r9
 */
	.text
/* long hostrun_enter(struct hr_cpu *c, uint64_t rip, uint64_t rsp,
 *		      uint64_t a0, uint64_t a1, uint64_t a2) */
	.globl hostrun_enter
	.type hostrun_enter, @function
hostrun_enter:
	mov %rsp, 0(%rdi)
	mov %rbx, 8(%rdi)
	mov %rbp, 16(%rdi)
	mov %r12, 24(%rdi)
	mov %r13, 32(%rdi)
	mov %r14, 40(%rdi)
	mov %r15, 48(%rdi)
	mov %rdi, hostrun_cur(%rip)
	mov %rsi, %rax
	mov %rdx, %rsp
	mov %rcx, %rdi
	mov %r8, %rsi
	mov %r9, %rdx
	xor %ebx, %ebx
	xor %ebp, %ebp
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	jmp *%rax
	.size hostrun_enter, . - hostrun_enter

/* long hostrun_resume(struct hr_cpu *c, long rax): back into the contract,
 * returning rax from its call. */
	.globl hostrun_resume
	.type hostrun_resume, @function
hostrun_resume:
	mov %rsp, 0(%rdi)
	mov %rbx, 8(%rdi)
	mov %rbp, 16(%rdi)
	mov %r12, 24(%rdi)
	mov %r13, 32(%rdi)
	mov %r14, 40(%rdi)
	mov %r15, 48(%rdi)
	mov %rdi, hostrun_cur(%rip)
	mov %rsi, %rax
	mov 56(%rdi), %rsp
	mov 64(%rdi), %rbx
	mov 72(%rdi), %rbp
	mov 80(%rdi), %r12
	mov 88(%rdi), %r13
	mov 96(%rdi), %r14
	mov 104(%rdi), %r15
	ret
	.size hostrun_resume, . - hostrun_resume

/* Reached by a jump from a stub, eax the call number, the contract's
 * return address on top of its stack: hostrun_enter or hostrun_resume
 * returns 1 to the runner. */
	.globl hostrun_trap
	.type hostrun_trap, @function
hostrun_trap:
	mov hostrun_cur(%rip), %r11
	mov %rax, 112(%r11)
	mov %rdi, 120(%r11)
	mov %rsi, 128(%r11)
	mov %rdx, 136(%r11)
	mov %rcx, 144(%r11)
	mov %r8, 152(%r11)
	mov %r9, 160(%r11)
	mov %rsp, 56(%r11)
	mov %rbx, 64(%r11)
	mov %rbp, 72(%r11)
	mov %r12, 80(%r11)
	mov %r13, 88(%r11)
	mov %r14, 96(%r11)
	mov %r15, 104(%r11)
	mov 0(%r11), %rsp
	mov 8(%r11), %rbx
	mov 16(%r11), %rbp
	mov 24(%r11), %r12
	mov 32(%r11), %r13
	mov 40(%r11), %r14
	mov 48(%r11), %r15
	mov $1, %eax
	ret
	.size hostrun_trap, . - hostrun_trap

	.section .note.GNU-stack, "", @progbits
