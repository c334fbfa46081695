/*
 * cpu.c - GDT, TSS and IDT for the boot CPU, and trap dispatch.
 *
 * Every IDT vector is an interrupt gate on an IST stack: libraries linked
 * into the kernel (TinyCC, libb2) are built for user space and keep data in
 * the red zone below %rsp, which an interrupt on the same stack would
 * overwrite.  NMI, #DF and #MC get stacks of their own because they can
 * arrive while another exception is being handled.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/x86.h"
#include "kernel/panic.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS layout is fixed by the CPU");

struct idt_gate {
	uint16_t off_lo;
	uint16_t selector;
	uint8_t  ist;
	uint8_t  type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout is fixed by the CPU");

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
};

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS   0x28

static struct tss tss;
static uint64_t gdt[7] = {
	0,
	0x00af9a000000ffff,     /* 0x08 kernel code, 64-bit */
	0x00cf92000000ffff,     /* 0x10 kernel data */
	0x00cff2000000ffff,     /* 0x18 user data (ring 3; STAR's sysret base + 8) */
	0x00affa000000ffff,     /* 0x20 user code (ring 3) */
	0, 0,                   /* 0x28 TSS, filled in at run time */
};
static struct idt_gate idt[256];
static irq_handler_fn handlers[256];

extern char isr_stubs[];

static uint64_t stack_top(int slot)
{
	return (uint64_t)(kstacks + (uint64_t)(slot + 1) * STACK_SLOT);
}

static int ist_for(unsigned vec)
{
	switch (vec) {
	case 2:  return STACK_IST_NMI;
	case 8:  return STACK_IST_DF;
	case 18: return STACK_IST_MCE;
	default: return vec < 32 ? STACK_IST_EXC : STACK_IST_IRQ;
	}
}

void cpu_init(void)
{
	uint64_t base = (uint64_t)&tss;
	struct desc_ptr gp = { sizeof(gdt) - 1, (uint64_t)gdt };
	struct desc_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };

	/* TSS descriptor: 16 bytes, type 0x9 (available 64-bit TSS). */
	gdt[5] = (sizeof(tss) - 1) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;
	for (int slot = STACK_IST_DF; slot < NSTACKS; slot++)
		tss.ist[slot - 1] = stack_top(slot);
	tss.iomap_base = sizeof(tss);   /* no I/O bitmap */

	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)isr_stubs + 16 * v;

		idt[v] = (struct idt_gate){
			.off_lo = a & 0xffff, .selector = SEL_KCODE,
			.ist = ist_for(v), .type_attr = 0x8e, /* present, interrupt gate */
			.off_mid = (a >> 16) & 0xffff, .off_hi = a >> 32,
		};
	}

	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"ltr %w3\n\t"
		"lidt %4"
		: : "m"(gp), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS), "m"(ip)
		: "rax", "memory");
}

void trap_set_handler(uint8_t vec, irq_handler_fn fn)
{
	handlers[vec] = fn;
}


void trap_dispatch(struct trap_frame *f)
{
	if (handlers[f->vector])
		handlers[f->vector](f);
	else if (f->vector < 32 && !(f->cs & 3) && !ctx_catch(f))
		panic_trap(f);          /* an exception nobody claimed: a kernel bug */
	if (f->cs & 3)
		user_trap(f);           /* back to kr_as_run's caller */
}
