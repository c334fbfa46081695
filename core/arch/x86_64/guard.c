/*
 * guard.c - guarded calls (abi/karyon/guard.h): run untrusted code on a
 * stack of its own and turn its faults and endless loops into an error
 * return instead of a panic.
 *
 * guard_enter (isr.S) saves the callee-saved registers and %rsp, switches to
 * the guard's stack and calls fn.  To abandon the call, a trap rewrites its
 * own frame so that iretq lands in guard_resume, which reloads the saved
 * %rsp and returns from guard_enter as if fn had returned.  Nothing of the
 * abandoned code's stack is looked at again.
 */
#include <karyon/guard.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/x86.h"
#include "arch/x86_64/layout.h"
#include "cap/domain.h"
#include "kernel/time.h"

long guard_enter(kr_guarded_fn fn, void *arg, uint64_t stack_top);
extern char guard_resume[];
uint64_t guard_saved_rsp;               /* read and written by isr.S */

static struct kr_guard *running;        /* the call in progress, if any */
static uint64_t deadline;               /* tick that ends it; 0: none */

static bool on_guard_stack(const struct trap_frame *f)
{
	return running && (f->cs & 3) == 0 &&
	       f->rsp >= running->stack_lo && f->rsp <= running->stack_hi;
}

static void abandon(struct trap_frame *f, uint32_t kind)
{
	running->fault = (struct kr_fault){
		.version = KR_FAULT_VERSION, .kind = kind,
		.vector = kind == KR_FAULT_EXCEPTION ? (uint32_t)f->vector : 0,
		.error = f->error, .rip = f->rip, .rsp = f->rsp,
		.addr = f->vector == 14 ? read_cr2() : 0,
	};
	f->rip = (uint64_t)guard_resume;
	f->rflags = 0x202;              /* IF on, as kr_guard_call set it */
	f->rax = 0;
}

/* From trap_dispatch: true if the exception ended a guarded call. */
bool guard_catch(struct trap_frame *f)
{
	if (f->vector == 2 || f->vector == 8 || f->vector == 18 || !on_guard_stack(f))
		return false;
	abandon(f, KR_FAULT_EXCEPTION);
	return true;
}

/* From the timer interrupt: stop a call over budget, inside its own code. */
void guard_tick(struct trap_frame *f)
{
	if (deadline && time_ticks() >= deadline && on_guard_stack(f) &&
	    f->rip >= running->code_lo && f->rip < running->code_hi)
		abandon(f, KR_FAULT_BUDGET);
}

kr_err_t kr_guard_call(kr_domain_t *d, struct kr_guard *g, kr_guarded_fn fn, void *arg,
		       long *ret)
{
	uint64_t flags;
	long r;

	if (!domain_ok(d) || !g || !fn || !ret || g->version != KR_GUARD_VERSION ||
	    g->stack_lo < KERNEL_HALF || g->stack_hi <= g->stack_lo + 256 ||
	    (g->stack_hi & 15) || g->code_hi < g->code_lo)
		return KR_EINVAL;
	if (running)
		return KR_EBUSY;
	g->fault = (struct kr_fault){ .version = KR_FAULT_VERSION };
	deadline = g->budget_ms ? time_ticks() + 1 + ((uint64_t)g->budget_ms * TIME_HZ + 999) / 1000 : 0;
	__asm__ volatile("pushfq; popq %0; sti" : "=r"(flags) : : "memory");
	running = g;
	r = guard_enter(fn, arg, g->stack_hi);
	running = NULL;
	deadline = 0;
	if (!(flags & 0x200))
		__asm__ volatile("cli" : : : "memory");
	if (g->fault.kind == KR_FAULT_NONE) {
		*ret = r;
		return KR_OK;
	}
	/* The abandoned code may have left the x87 stack or MXCSR changed. */
	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	return g->fault.kind == KR_FAULT_BUDGET ? KR_ETIME : KR_EFAULT;
}
