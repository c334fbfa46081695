/*
 * cpu.h - descriptor tables, the trap frame and interrupt routing.
 */
#ifndef KARYON_X86_CPU_H
#define KARYON_X86_CPU_H

#include <stdbool.h>
#include <stdint.h>

/* Register state saved by isr.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;     /* pushed by the CPU */
};

#define VEC_PIC_BASE   0x20  /* legacy PIC remapped here, all lines masked */
#define VEC_TIMER      0x40
#define VEC_SPURIOUS   0xff

typedef void (*irq_handler_fn)(struct trap_frame *f);

void cpu_init(void);                       /* GDT, TSS with IST stacks, IDT */
void trap_set_handler(uint8_t vec, irq_handler_fn fn);
void trap_dispatch(struct trap_frame *f);  /* called from isr.S only */

/* Kernel contexts (ctx.c): end the current one on an exception. */
bool ctx_catch(struct trap_frame *f);
/* ... and, from the timer, one whose time is up (kr_ctx stop_after_us). */
void ctx_expire(struct trap_frame *f);

/* Lines 16 and 17 (irq.c): the timer tick (time.c, interrupts off) and
 * the idle loop (kmain, interrupts on), to whoever bound them. */
void irq_soft(unsigned line);

/* User mode (user.c): a trap from ring 3 goes back to kr_as_run's caller. */
__attribute__((noreturn)) void user_trap(struct trap_frame *f);

/* Kernel stack slots (layout.h), for backtraces and guard pages. */
extern uint8_t kstacks[];

#endif
