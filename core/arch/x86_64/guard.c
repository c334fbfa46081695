/*
 * guard.c - guarded calls (abi/karyon/guard.h): run untrusted code on a
 * stack of its own and turn its faults and endless loops into an error
 * return instead of a panic.
 *
 * guard_enter (isr.S) saves rflags, the callee-saved registers and %rsp,
 * switches to the guard's stack and calls fn.  To abandon the call, a trap rewrites its
 * own frame so that iretq lands in guard_resume, which reloads the saved
 * %rsp and returns from guard_enter as if fn had returned.  Nothing of the
 * abandoned code's stack is looked at again.
 */
#include <karyon/guard.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/x86.h"
#include "arch/x86_64/layout.h"
#include "cap/domain.h"

long guard_enter(kr_guarded_fn fn, void *arg, uint64_t stack_top);
extern char guard_resume[];
uint64_t guard_saved_rsp;               /* read and written by isr.S */

static struct kr_guard *running;        /* the call in progress, if any */

/* From trap_dispatch (ring 0): true if the exception ended a guarded call,
 * that is it happened on the guarded call's stack. */
bool guard_catch(struct trap_frame *f)
{
	if (f->vector == 2 || f->vector == 8 || f->vector == 18 || !running ||
	    f->rsp < running->stack_lo || f->rsp > running->stack_hi)
		return false;
	running->fault = (struct kr_fault){
		.version = KR_FAULT_VERSION, .kind = KR_FAULT_EXCEPTION,
		.vector = (uint32_t)f->vector, .error = f->error, .rip = f->rip, .rsp = f->rsp,
		.addr = f->vector == 14 ? read_cr2() : 0,
	};
	f->rip = (uint64_t)guard_resume;
	f->rflags = 0x2;                /* guard_resume's popfq restores the caller's */
	f->rax = 0;
	return true;
}

kr_err_t kr_guard_call(kr_domain_t *d, struct kr_guard *g, kr_guarded_fn fn, void *arg,
		       long *ret)
{
	long r;

	if (!domain_ok(d) || !g || !fn || !ret || g->version != KR_GUARD_VERSION ||
	    g->stack_lo < KERNEL_HALF || g->stack_hi <= g->stack_lo + 256 ||
	    (g->stack_hi & 15) || g->budget_ms || g->code_lo || g->code_hi)
		return KR_EINVAL;
	if (running)
		return KR_EBUSY;
	g->fault = (struct kr_fault){ .version = KR_FAULT_VERSION };
	running = g;
	r = guard_enter(fn, arg, g->stack_hi);
	running = NULL;
	if (g->fault.kind == KR_FAULT_NONE) {
		*ret = r;
		return KR_OK;
	}
	/* The abandoned code may have left the x87 stack or MXCSR changed. */
	__asm__ volatile("fninit; ldmxcsr mxcsr_default(%%rip)" : : : "memory");
	return KR_EFAULT;
}
