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
 * Leaving C for a context that may be abandoned (a guarded call, user
 * mode): SAVE_CALLER keeps rflags, the callee-saved registers and then %rsp
 * in slot; RESTORE_CALLER returns to that caller from anywhere.
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
 * long guard_enter(fn, arg, stack_top): call fn(arg) with interrupts on,
 * on another stack (guard.c).  guard_resume is where a trap sends an
 * abandoned call: both paths reload the saved %rsp, so the abandoned stack
 * is never used again.
 */
	.globl guard_enter, guard_resume
guard_enter:
	SAVE_CALLER guard_saved_rsp
	mov %rdx, %rsp
	mov %rdi, %rax
	mov %rsi, %rdi
	sti
	call *%rax
guard_resume:
	RESTORE_CALLER guard_saved_rsp

/*
 * User mode (user.c).  user_enter(u) keeps what its C caller expects kept
 * (callee-saved registers and rflags, then %rsp in user_saved_rsp) and
 * enters ring 3 with u's registers and FPU state: it builds the iretq frame
 * on its own stack, pops the registers out of u, and goes.  syscall_entry
 * pushes the user's registers straight into user_ctx (struct kr_uctx's
 * layout) and joins user_leave(exit), which trap_dispatch also calls for a
 * trap from ring 3: save and reset the FPU, restore the FS base (the user
 * may have loaded %fs) and return from user_enter with exit in %eax.
 */
#define U_R15    32
#define U_RIP    152
#define U_RFLAGS 160
#define U_RSP    168
#define U_FPU    176

	.globl user_enter, user_leave, syscall_entry
user_enter:
	SAVE_CALLER user_saved_rsp
	cli
	fxrstor64 U_FPU(%rdi)
	pushq $(0x18 | 3)               /* user data */
	pushq U_RSP(%rdi)
	pushq U_RFLAGS(%rdi)
	pushq $(0x20 | 3)               /* user code */
	pushq U_RIP(%rdi)
	mov %rsp, user_scratch(%rip)
	lea U_R15(%rdi), %rsp
	POP_GPRS
	mov user_scratch(%rip), %rsp
	iretq

syscall_entry:
	mov %rsp, user_scratch(%rip)
	mov user_ctx(%rip), %rsp
	add $U_FPU, %rsp                /* just above the rsp field */
	pushq user_scratch(%rip)        /* rsp */
	push %r11                       /* rflags */
	push %rcx                       /* rip */
	PUSH_GPRS
	mov $1, %edi                    /* KR_UEXIT_SYSCALL */
user_leave:
	mov user_ctx(%rip), %rax
	fxsave64 U_FPU(%rax)
	fninit
	ldmxcsr mxcsr_default(%rip)
	lea boot_percpu(%rip), %rax
	mov %rax, %rdx
	shr $32, %rdx
	mov $0xc0000100, %ecx           /* IA32_FS_BASE */
	wrmsr
	mov %edi, %eax
	RESTORE_CALLER user_saved_rsp

	.section .rodata
mxcsr_default:
	.long 0x1f80
	.bss
	.balign 8
user_scratch:
	.quad 0
