/*
 * panic.c - the panic report: message or CPU exception, registers, and a
 * backtrace symbolized from the kernel's own symbol table; then halt (or
 * leave QEMU through isa-debug-exit when booted with onpanic=exit).
 */
#include <stdarg.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/x86.h"
#include "kernel/klog.h"
#include <krt/ksyms.h>
#include "kernel/panic.h"
#include <karyon/log.h>
#include <krt/fmt.h>
#include <karyon/guard.h>

static bool exit_on_panic, tainted;
static int panicking;

void kr_taint(const char *why)
{
	if (!tainted)
		pr_warn("kernel: tainted: %s\n", why ? why : "(no reason given)");
	tainted = true;
}

void panic_set_exit(bool exit_qemu)
{
	exit_on_panic = exit_qemu;
}

void platform_exit(uint8_t code)
{
	outb(0xf4, code);       /* isa-debug-exit; a no-op on real hardware */
	halt_forever();
}

void backtrace(uint64_t rbp)
{
	uint64_t lo = (uint64_t)kstacks;

	ksym_backtrace(rbp, lo, lo + (uint64_t)NSTACKS * STACK_SLOT);
}

static __attribute__((noreturn)) void stop(void)
{
	kprintf("panic: system halted%s\n", tainted ? " (kernel tainted)" : "");
	if (exit_on_panic)
		platform_exit(KR_EXIT_PANIC);
	halt_forever();
}

/* A panic inside the panic path: say so once and stop without more work. */
static void enter(void)
{
	irq_save();
	if (panicking++) {
		kprintf("panic: nested panic; halted\n");
		if (exit_on_panic)
			platform_exit(KR_EXIT_PANIC);
		halt_forever();
	}
}

void panic(const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	enter();
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("panic: %s\n", msg);
	backtrace((uint64_t)__builtin_frame_address(0));
	stop();
}

void panic_trap(const struct trap_frame *f)
{
	const struct { const char *n; uint64_t v; } r[] = {
		{ "rax", f->rax }, { "rbx", f->rbx }, { "rcx", f->rcx }, { "rdx", f->rdx },
		{ "rsi", f->rsi }, { "rdi", f->rdi }, { "rbp", f->rbp }, { "rsp", f->rsp },
		{ "r8 ", f->r8 }, { "r9 ", f->r9 }, { "r10", f->r10 }, { "r11", f->r11 },
		{ "r12", f->r12 }, { "r13", f->r13 }, { "r14", f->r14 }, { "r15", f->r15 },
	};

	enter();
	kprintf("panic: %s (vector %llu), error code 0x%llx\n", kr_exc_name(f->vector),
		(unsigned long long)f->vector, (unsigned long long)f->error);
	ksym_print_addr("  rip ", f->rip);
	kprintf("  cr2 %016llx  cr3 %016llx  rflags %016llx  cs %llx  ss %llx\n",
		(unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
		(unsigned long long)f->rflags, (unsigned long long)f->cs,
		(unsigned long long)f->ss);
	for (unsigned i = 0; i < sizeof(r) / sizeof(r[0]); i += 4)
		kprintf("  %s %016llx  %s %016llx  %s %016llx  %s %016llx\n",
			r[i].n, (unsigned long long)r[i].v, r[i + 1].n,
			(unsigned long long)r[i + 1].v, r[i + 2].n,
			(unsigned long long)r[i + 2].v, r[i + 3].n,
			(unsigned long long)r[i + 3].v);
	backtrace(f->rbp);
	stop();
}

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack protector: a function's stack canary was overwritten");
}
