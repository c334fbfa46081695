/*
 * guarded.c - a module's init and exit as guarded calls (guard.h): a CPU
 * exception in them ends the call, not the kernel (issue 21).
 *
 * Modules are trusted code; this is robustness against their bugs, not a
 * sandbox.  It catches what the CPU reports while the call runs on the
 * guard stack: a bad pointer, an invalid opcode, a divide error, a stack
 * overflow into the guard page.  It cannot catch a bug that corrupts kernel
 * memory without faulting, an endless loop, or a fault in an interrupt
 * handler or task the module set up before failing.  The caller then
 * destroys the module's domain, which takes back everything it was given.
 */
#include <karyon/cap.h>
#include <karyon/guard.h>
#include <karyon/libc.h>
#include <karyon/log.h>

#include "guarded.h"

#define GUARD_PAGES 8           /* 32 KiB of stack for an init, a guard page below */

static kr_domain_t *self;
static uint8_t *stack;
static bool busy;               /* one stack: a nested call runs unguarded */

struct call {
	kr_err_t (*fn)(kr_domain_t *d);
	void (*exit)(kr_domain_t *d);
	kr_domain_t *dom;
};

static long call_it(void *arg)
{
	struct call *c = arg;

	if (c->fn)
		return c->fn(c->dom);
	c->exit(c->dom);
	return KR_OK;
}

kr_err_t guarded_init(kr_domain_t *kmod)
{
	kr_cap_t cap;
	void *va;
	kr_err_t e;

	self = kmod;
	if ((e = kr_page_alloc(self, GUARD_PAGES + 1, &cap)) ||
	    (e = kr_page_map(self, cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va)) ||
	    (e = kr_page_protect(self, cap, 0, 1, KR_RIGHT_READ)))
		return e;
	stack = va;
	return KR_OK;
}

/* Run c; KR_EFAULT and *f filled if it faulted. */
static kr_err_t run(struct call *c, struct kr_fault *f)
{
	struct kr_guard g = { .version = KR_GUARD_VERSION, .stack_lo = (uint64_t)stack,
			      .stack_hi = (uint64_t)stack + (GUARD_PAGES + 1) * KR_PAGE_SIZE };
	long ret = KR_OK;
	kr_err_t e;

	if (!stack || busy)
		return (kr_err_t)call_it(c);
	busy = true;
	e = kr_guard_call(self, &g, call_it, c, &ret);
	busy = false;
	*f = g.fault;
	return e == KR_EFAULT ? KR_EFAULT : e ? e : (kr_err_t)ret;
}

/* "#PF page fault at hello+0x1c (address 0x0)": where in the module. */
static void describe(const struct kr_fault *f, const char *name, uint64_t text_lo,
		     uint64_t text_hi, char *buf, size_t len)
{
	int n = ksnprintf(buf, len, "%s at ", kr_exc_name(f->vector));

	if (f->rip >= text_lo && f->rip < text_hi)
		n += ksnprintf(buf + n, len - n, "%s+%#llx", name,
			       (unsigned long long)(f->rip - text_lo));
	else if (text_hi)
		n += ksnprintf(buf + n, len - n, "%#llx (outside %s's code)",
			       (unsigned long long)f->rip, name);
	else                    /* a built-in: its code is the kernel's */
		n += ksnprintf(buf + n, len - n, "%#llx", (unsigned long long)f->rip);
	if (f->vector == 14)
		ksnprintf(buf + n, len - n, " (address 0x%llx)", (unsigned long long)f->addr);
}

kr_err_t guarded_call_init(const struct kr_module_info *m, kr_domain_t *dom, uint64_t text_lo,
			   uint64_t text_hi)
{
	struct call c = { m->init, NULL, dom };
	struct kr_fault f = { 0 };
	char what[160];
	kr_err_t r;

	if (!m->init)
		return KR_OK;
	r = run(&c, &f);
	if (r != KR_EFAULT || f.kind != KR_FAULT_EXCEPTION)
		return r;
	describe(&f, m->name, text_lo, text_hi, what, sizeof(what));
	kr_log(KR_LOG_ERR, "kmod: %s: init faulted: %s; stopped\n", m->name, what);
	kr_taint("a module faulted in its init");
	return KR_EFAULT;
}

void guarded_call_exit(const struct kr_module_info *m, kr_domain_t *dom, uint64_t text_lo,
		       uint64_t text_hi)
{
	struct call c = { NULL, m->exit, dom };
	struct kr_fault f = { 0 };
	char what[160];

	if (!m->exit || run(&c, &f) != KR_EFAULT || f.kind != KR_FAULT_EXCEPTION)
		return;
	describe(&f, m->name, text_lo, text_hi, what, sizeof(what));
	kr_log(KR_LOG_ERR, "kmod: %s: exit faulted: %s; unloading it anyway\n", m->name, what);
	kr_taint("a module faulted in its exit");
}
