/*
 * x86.h - thin inline wrappers for the x86_64 instructions the core uses.
 */
#ifndef KARYON_X86_H
#define KARYON_X86_H

#include <stdint.h>

/* outb/inb, outw/inw, outl/inl: one definition for the three widths. */
#define X86_PORT_IO(sfx, type)                                                  \
	static inline void out##sfx(uint16_t port, type v)                      \
	{                                                                       \
		__asm__ volatile("out" #sfx " %0, %1" : : "a"(v), "Nd"(port));  \
	}                                                                       \
	static inline type in##sfx(uint16_t port)                               \
	{                                                                       \
		type v;                                                         \
		__asm__ volatile("in" #sfx " %1, %0" : "=a"(v) : "Nd"(port));   \
		return v;                                                       \
	}
X86_PORT_IO(b, uint8_t)
X86_PORT_IO(w, uint16_t)
X86_PORT_IO(l, uint32_t)
#undef X86_PORT_IO

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline uint64_t irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & (1u << 9))
		irq_enable();
}


static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
