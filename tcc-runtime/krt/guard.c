/*
 * guard.c - guarded calls (abi/karyon/guard.h), built on kernel contexts
 * (abi/karyon/ctx.h) since ABI 1.2: fn runs in a context of its own on the
 * guard's stack, whose resume context is the caller's; if fn faults, the
 * core ends that context and the caller runs on with the fault recorded.
 */
#include <karyon/console.h>
#include <karyon/ctx.h>
#include <karyon/guard.h>

struct call {
	kr_guarded_fn fn;
	void *arg;
	long ret;
};

static void call_run(void *p)
{
	struct call *c = p;

	c->ret = c->fn(c->arg);
}

kr_err_t kr_guard_call(kr_domain_t *d, struct kr_guard *g, kr_guarded_fn fn, void *arg,
		       long *ret)
{
	struct call call = { fn, arg, 0 };
	struct kr_ctx c = { .version = KR_CTX_VERSION };
	struct kr_ctx_range code;
	kr_err_t err;

	if (!g || !fn || !ret || g->version != KR_GUARD_VERSION ||
	    (g->budget_ms != 0) != (g->code_lo < g->code_hi) || g->stack_hi <= g->stack_lo + 256)
		return KR_EINVAL;
	c.stack_lo = g->stack_lo;
	c.stack_hi = g->stack_hi;
	if (g->budget_ms) {
		code = (struct kr_ctx_range){ g->code_lo, g->code_hi };
		c.stop_in = &code;
		c.stop_after_us = kr_uptime_us() + (uint64_t)g->budget_ms * 1000;
	}
	c.resume = kr_ctx_current();
	err = kr_ctx_init(d, &c, call_run, &call);
	if (!err)
		err = kr_ctx_switch(d, &c);
	if (err)
		return err;
	g->fault = c.fault;
	if (c.state != KR_CTX_DONE)
		return KR_EFAULT;
	*ret = call.ret;
	return KR_OK;
}
