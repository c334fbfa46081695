/*
 * entry.S - the multiboot2 entry: from GRUB's 32-bit multiboot2 hand-off to 64-bit C.
 *
 * 1. _start (32-bit, paging off, at its physical address): keep the
 *    multiboot2 magic and info pointer, read the TSC for the boot timer,
 *    check for long mode and NX, build boot page tables that map physical
 *    0..4 GiB three times (identity, direct map, and the top 2 GiB for the
 *    kernel image), enable PAE + long mode + NX + paging, far-jump to 64-bit.
 * 2. long_entry (64-bit, still low): jump to the higher half.
 * 3. higher_half: boot stack, FS base at the per-CPU block with a canary at
 *    %fs:0x28, SSE on, syscall MSRs, SMEP/SMAP, then kmain(mbi_phys, entry_tsc).  kmain replaces these
 *    tables with its own (vmm_init) and never returns.
 * A failed check prints one line on COM1 and halts: there is no C yet.
 */
#include "arch/x86_64/layout.h"

#define MB2_MAGIC      0xe85250d6
#define MB2_LOADER     0x36d76289
#define MB2_ARCH_I386  0

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Framebuffer, optional, any mode: under UEFI there is no text mode
	 * and GRUB would otherwise complain; the kernel reports on COM1. */
	.word 5, 1
	.long 20
	.long 0, 0, 0
	.balign 8
	.word 0, 0              /* end tag */
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	mov %eax, %edi          /* loader magic */
	mov %ebx, %esi          /* multiboot2 information, physical */
	rdtsc
	mov %eax, boot_tsc
	mov %edx, boot_tsc + 4
	mov $boot_stack32_top, %esp

	cmp $MB2_LOADER, %edi
	jne no_multiboot
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode
	bt $20, %edx
	jnc no_nx

	/* pd[i] = i * 2 MiB | PS | RW | P, for 4 GiB (4 tables of 512). */
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, boot_pd(, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax           /* high dword: bits 32+ of i * 2 MiB */
	mov %eax, boot_pd + 4(, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jne 1b
	/* pdpt_low[0..3] -> the four PDs; pdpt_high[510,511] -> PDs 0,1. */
	mov $boot_pd + 3, %eax
	mov %eax, boot_pdpt_low
	add $4096, %eax
	mov %eax, boot_pdpt_low + 8
	add $4096, %eax
	mov %eax, boot_pdpt_low + 16
	add $4096, %eax
	mov %eax, boot_pdpt_low + 24
	mov $boot_pd + 3, %eax
	mov %eax, boot_pdpt_high + 510 * 8
	add $4096, %eax
	mov %eax, boot_pdpt_high + 511 * 8
	mov $boot_pdpt_low + 3, %eax
	mov %eax, boot_pml4                 /* identity, for the jump */
	mov %eax, boot_pml4 + 256 * 8       /* HHDM_BASE */
	mov $boot_pdpt_high + 3, %eax
	mov %eax, boot_pml4 + 511 * 8       /* KERNEL_VIRT */

	mov %cr4, %eax
	or $(1 << 5), %eax                  /* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx               /* EFER */
	rdmsr
	or $((1 << 8) | (1 << 11)), %eax    /* LME, NXE */
	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16)), %eax   /* PG, WP */
	mov %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $0x08, $long_entry

no_multiboot:
	mov $msg_no_mb2, %ebx
	jmp boot_fail
no_long_mode:
	mov $msg_no_lm, %ebx
	jmp boot_fail
no_nx:
	mov $msg_no_nx, %ebx
boot_fail:                              /* print %ebx on COM1, halt */
	mov $0x3fd, %dx
2:	in %dx, %al
	test $0x20, %al
	jz 2b
	mov $0x3f8, %dx
	mov (%ebx), %al
	test %al, %al
	jz 3f
	out %al, %dx
	inc %ebx
	jmp boot_fail
3:	hlt
	jmp 3b

	.code64
long_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	movabs $higher_half, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff            /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff            /* 0x10: data */
boot_gdt_ptr:
	.word boot_gdt_ptr - boot_gdt - 1
	.long boot_gdt
boot_tsc:
	.quad 0
msg_no_mb2:
	.asciz "karyon: not started by a multiboot2 loader; halted\r\n"
msg_no_lm:
	.asciz "karyon: this CPU has no 64-bit long mode; halted\r\n"
msg_no_nx:
	.asciz "karyon: this CPU has no NX (no-execute) support; halted\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
boot_stack32:   .skip 1024
boot_stack32_top:

	.text
higher_half:
	lea kstacks + STACK_SLOT(%rip), %rsp    /* top of slot STACK_BOOT */
	xor %ebp, %ebp
	/* FS base -> per-CPU block; canary from the TSC (not logged, not hashed). */
	lea boot_percpu(%rip), %rax
	mov %rax, %rdx
	shr $32, %rdx
	mov $0xc0000100, %ecx
	wrmsr
	rdtsc
	shl $32, %rdx
	or %rax, %rdx
	movabs $0x9e3779b97f4a7c15, %rax
	imul %rax, %rdx
	xor %dl, %dl                           /* a NUL byte stops string overflows */
	mov %rdx, boot_percpu + PERCPU_CANARY(%rip)
	/* SSE and x87 for third-party code: CR0.EM=0 MP=1, CR4.OSFXSR|OSXMMEXCPT. */
	mov %cr0, %rax
	and $~(1 << 2), %rax
	or $(1 << 1), %rax
	mov %rax, %cr0
	mov %cr4, %rax
	or $((1 << 9) | (1 << 10)), %rax
	mov %rax, %cr4
	/* User mode (core/arch/x86_64/user.c): `syscall` enters at
	 * syscall_entry in the kernel's code segment with TF, IF, DF, NT and
	 * AC cleared; SMEP and SMAP (CR4 bits 20, 21) on where CPUID leaf 7
	 * says the CPU has them, so the kernel neither runs nor touches user
	 * pages by accident. */
	mov $0xc0000080, %ecx                  /* EFER.SCE */
	rdmsr
	or $1, %eax
	wrmsr
	mov $0xc0000081, %ecx                  /* STAR: kernel CS 0x08, sysret base 0x10 */
	xor %eax, %eax
	mov $0x00100008, %edx
	wrmsr
	mov $0xc0000082, %ecx                  /* LSTAR */
	lea syscall_entry(%rip), %rax
	mov %rax, %rdx
	shr $32, %rdx
	wrmsr
	mov $0xc0000084, %ecx                  /* FMASK */
	mov $0x44700, %eax
	xor %edx, %edx
	wrmsr
	xor %eax, %eax
	cpuid
	cmp $7, %eax
	jb 7f
	mov $7, %eax
	xor %ecx, %ecx
	cpuid
	mov %cr4, %rax
	bt $7, %ebx
	jnc 5f
	or $(1 << 20), %rax
5:	bt $20, %ebx
	jnc 6f
	or $(1 << 21), %rax
6:	mov %rax, %cr4
7:	fninit
	mov %esi, %edi                         /* mbi_phys (zero-extended) */
	movabs $boot_tsc, %rax                 /* still identity mapped */
	mov (%rax), %rsi
	call kmain
4:	cli
	hlt
	jmp 4b

	.section .bss.stacks, "aw", @nobits
	.balign 4096
	.globl kstacks
kstacks:
	.skip STACK_SLOT * NSTACKS

	.data
	.balign 64
	.globl boot_percpu
boot_percpu:
	.skip 256
