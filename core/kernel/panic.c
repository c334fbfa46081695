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

static bool exit_on_panic, tainted;
static int panicking;

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

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

static void print_addr(const char *pre, uint64_t a)
{
	uint64_t off;
	const char *name = ksym_lookup(a, &off);

	if (name)
		kprintf("%s%016llx <%s+0x%llx>\n", pre, (unsigned long long)a, name,
			(unsigned long long)off);
	else
		kprintf("%s%016llx\n", pre, (unsigned long long)a);
}

void backtrace(uint64_t rbp)
{
	uint64_t lo = (uint64_t)kstacks, hi = lo + (uint64_t)NSTACKS * STACK_SLOT;

	kprintf("backtrace:\n");
	/* Follow saved frame pointers only while they stay on a kernel stack
	 * and move up it, so a corrupt chain ends the walk, not the kernel. */
	for (int depth = 0; depth < 32; depth++) {
		const uint64_t *fp = (const uint64_t *)rbp;

		if (rbp < lo || rbp + 16 > hi || (rbp & 7) || fp[1] == 0)
			break;
		print_addr("  ", fp[1]);
		if (fp[0] <= rbp)
			break;
		rbp = fp[0];
	}
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
	kprintf("panic: %s (vector %llu), error code 0x%llx\n", exc_names[f->vector & 31],
		(unsigned long long)f->vector, (unsigned long long)f->error);
	print_addr("  rip ", f->rip);
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
