/*
 * ctx.c - kernel contexts (abi/karyon/ctx.h): a stack and saved state per
 * thread of kernel control, switched explicitly, and ended (not the
 * kernel) by a CPU exception raised on its own stack.
 *
 * ctx_switch (isr.S) pushes rflags and the callee-saved registers, saves
 * the FPU state and %rsp, then loads the other context's and returns into
 * it.  A new context's stack is laid out as if it had been switched away
 * from just before ctx_start, which calls ctx_main(c) with 16-byte
 * alignment.  Ending a context means switching away from it for good.
 */
#include <karyon/console.h>
#include <karyon/ctx.h>
#include <krt/string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/x86.h"
#include "cap/domain.h"
#include "kernel/panic.h"

void ctx_switch(uint64_t *save, uint64_t rsp, void *save_fpu, const void *fpu);
__attribute__((noreturn)) void ctx_main(struct kr_ctx *c);
extern char ctx_start[];

static struct kr_ctx boot_ctx = {
	.version = KR_CTX_VERSION, .state = KR_CTX_RUNNING, .domain = &kernel_domain,
};
static struct kr_ctx *current = &boot_ctx;

struct kr_ctx *kr_ctx_current(void)
{
	return current;
}

/* Run to, saving the running context's state in save and save_fpu. */
static void go(struct kr_ctx *to, uint64_t *save, void *save_fpu)
{
	current = to;
	to->state = KR_CTX_RUNNING;
	ctx_switch(save, to->rsp, save_fpu, to->fpu);
}

/* The ended context c is never run again: on to its resume context, or to
 * the boot context (never ended) if that one cannot run. */
static __attribute__((noreturn)) void end(struct kr_ctx *c, enum kr_ctx_state why)
{
	struct kr_ctx *to = c->resume;
	uint64_t scratch;

	irq_save();
	c->state = why;
	if (to->version != KR_CTX_VERSION || to->state != KR_CTX_READY)
		to = &boot_ctx;
	go(to, &scratch, c->fpu);
	panic("ctx: ended context %p was resumed", (void *)c);
}

void ctx_main(struct kr_ctx *c)
{
	c->fn(c->arg);
	end(c, KR_CTX_DONE);
}

/* From trap_dispatch (ring 0): end the current context if the exception
 * happened on its stack (or in the page below, an overflow). */
bool ctx_catch(struct trap_frame *f)
{
	struct kr_ctx *c = current;

	if (c == &boot_ctx || f->vector == 2 || f->vector == 8 || f->vector == 18 ||
	    f->rsp + PAGE_SIZE < c->stack_lo || f->rsp > c->stack_hi)
		return false;
	c->fault = (struct kr_fault){
		.version = KR_FAULT_VERSION, .kind = KR_FAULT_EXCEPTION,
		.vector = (uint32_t)f->vector, .error = f->error, .rip = f->rip, .rsp = f->rsp,
		.addr = f->vector == 14 ? read_cr2() : 0,
	};
	end(c, KR_CTX_FAULTED);
}

/* From the timer (time.c): end the current context if its time is up and
 * the tick landed in the code it may be stopped in, on its own stack. */
void ctx_expire(struct trap_frame *f)
{
	struct kr_ctx *c = current;

	if (c == &boot_ctx || !c->stop_after_us || !c->stop_in || (f->cs & 3) ||
	    f->rip < c->stop_in->lo || f->rip >= c->stop_in->hi || f->rsp < c->stack_lo ||
	    f->rsp > c->stack_hi || kr_uptime_us() < c->stop_after_us)
		return;
	c->fault = (struct kr_fault){ .version = KR_FAULT_VERSION, .kind = KR_FAULT_BUDGET,
				      .rip = f->rip, .rsp = f->rsp };
	end(c, KR_CTX_FAULTED);
}

kr_err_t kr_ctx_init(kr_domain_t *d, struct kr_ctx *c, kr_ctx_fn fn, void *arg)
{
	uint64_t *w;

	if (!domain_ok(d) || !c || !fn || c->version != KR_CTX_VERSION || ((uint64_t)c & 15) ||
	    c == current || !c->resume || c->stack_lo < KERNEL_HALF ||
	    c->stack_hi < c->stack_lo + 1024 || (c->stack_hi & 15))
		return KR_EINVAL;
	/* r15 r14 r13 r12 rbx rbp rflags ret, as ctx_switch pops them. */
	w = (uint64_t *)(c->stack_hi - 80);
	memset(w, 0, 80);
	w[3] = (uint64_t)c;
	w[6] = 0x202;                   /* interrupts on */
	w[7] = (uint64_t)ctx_start;
	memset(c->fpu, 0, sizeof(c->fpu));
	*(uint16_t *)c->fpu = 0x037f;   /* FCW and MXCSR: the defaults */
	*(uint32_t *)(c->fpu + 24) = 0x1f80;
	c->rsp = (uint64_t)w;
	c->domain = d;
	c->fn = fn;
	c->arg = arg;
	c->fault = (struct kr_fault){ .version = KR_FAULT_VERSION };
	c->state = KR_CTX_READY;
	return KR_OK;
}

/* Only to a context of d's own, one nested in one of d's (its resume
 * chain leads there: a guarded call made inside a task of d's, switched
 * away from while it blocked), or back to the boot context. */
kr_err_t kr_ctx_switch(kr_domain_t *d, struct kr_ctx *to)
{
	struct kr_ctx *from = current, *c = to;
	uint64_t flags;

	while (c && c->domain != d && c != &boot_ctx)
		c = c->resume;
	if (!domain_ok(d) || !to || to->version != KR_CTX_VERSION || to->state != KR_CTX_READY ||
	    !c || (c == &boot_ctx && to != &boot_ctx))
		return KR_EINVAL;
	flags = irq_save();
	from->state = KR_CTX_READY;
	go(to, &from->rsp, from->fpu);
	irq_restore(flags);
	return KR_OK;
}
