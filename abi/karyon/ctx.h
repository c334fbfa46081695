/*
 * ctx.h - kernel contexts: a stack, the callee-saved registers and the
 * x87/SSE state of a thread of kernel control, and switching between them
 * (ABI 1.2).
 *
 * The core gives the mechanism only: it keeps no list of contexts, picks
 * nobody to run and never preempts one.  A scheduler (modules/sched) owns
 * the memory of the contexts it runs and decides who runs next; it switches
 * explicitly, so kernel code is only ever switched away from at a call to
 * kr_ctx_switch (cooperative).  Untrusted code runs in user mode
 * (uspace.h), where every timer tick returns to the kernel.
 *
 * The boot context (kmain and the idle loop, where idle hooks run) is the
 * one running at first; kr_ctx_current names it too.
 *
 * A context ends when its function returns (state KR_CTX_DONE) or when it
 * raises a CPU exception while running on its own stack (KR_CTX_FAULTED,
 * ->fault says what): the core then switches to ->resume without ever
 * touching the ended context again, so a module bug in a task ends the
 * task, not the kernel.  NMI, double fault and machine check still panic.
 * Exceptions on the boot context panic, as before.
 *
 * Usage:
 *	struct kr_ctx *c = ...;                  (16-byte aligned, zeroed)
 *	c->version = KR_CTX_VERSION;
 *	c->stack_lo = lo; c->stack_hi = hi;      (the caller's stack)
 *	c->resume = kr_ctx_current();            (who runs when c ends)
 *	kr_ctx_init(d, c, fn, arg);
 *	kr_ctx_switch(d, c);                     (returns when switched back)
 */
#ifndef KARYON_CTX_H
#define KARYON_CTX_H

#include <karyon/cap.h>
#include <karyon/guard.h>

enum kr_ctx_state {
	KR_CTX_FREE = 0,        /* not initialised */
	KR_CTX_READY = 1,       /* initialised or switched away from: can run */
	KR_CTX_RUNNING = 2,     /* the current context */
	KR_CTX_DONE = 3,        /* its function returned */
	KR_CTX_FAULTED = 4,     /* ended by a CPU exception (see fault) */
};

typedef void (*kr_ctx_fn)(void *arg);

struct kr_ctx_range {
	uint64_t lo, hi;
};

#define KR_CTX_VERSION 1
struct kr_ctx {
	uint32_t version;       /* caller: KR_CTX_VERSION */
	uint32_t state;         /* core: enum kr_ctx_state */
	uint64_t stack_lo;      /* caller: the stack, [stack_lo, stack_hi), */
	uint64_t stack_hi;      /* kernel addresses, stack_hi 16-byte aligned */
	struct kr_ctx *resume;  /* caller: runs next when this context ends */
	uint64_t rsp;           /* core: the saved stack pointer */
	kr_domain_t *domain;    /* core: the domain that initialised it */
	kr_ctx_fn fn;           /* core: what it runs, and with what */
	void *arg;
	struct kr_fault fault;  /* core: why it ended, for KR_CTX_FAULTED */
	/* ABI 1.4 (0 and NULL before): a timer tick from kr_uptime_us()
	 * stop_after_us on that lands in code [stop_in->lo, stop_in->hi)
	 * running on this context's stack ends it (KR_CTX_FAULTED, fault.kind
	 * KR_FAULT_BUDGET).  Only code that may be abandoned at any instruction
	 * belongs in the range (libtcc's, not the heap's). */
	uint64_t stop_after_us;
	const struct kr_ctx_range *stop_in;
	uint8_t fpu[512] __attribute__((aligned(16)));  /* core: FXSAVE area */
};
KR_ABI_OFFSET(struct kr_ctx, rsp, 32);
KR_ABI_OFFSET(struct kr_ctx, fault, 64);
KR_ABI_OFFSET(struct kr_ctx, stop_after_us, 112);
KR_ABI_OFFSET(struct kr_ctx, fpu, 128);
KR_ABI_SIZE(struct kr_ctx, 640);

/* Prepare c to call fn(arg) on its stack, with interrupts on, at its first
 * switch.  KR_EINVAL: bad version, stack (below the kernel half, under
 * 1 KiB, misaligned), no resume, or c is the current context. */
KR_API(1, 2) kr_err_t kr_ctx_init(kr_domain_t *d, struct kr_ctx *c, kr_ctx_fn fn, void *arg);
/* Save the current context and run to (KR_CTX_READY): one of d's, the
 * boot context, or (ABI 1.4) one nested in one of d's, whose resume chain
 * leads to it (a guarded call another module made inside d's task, which
 * blocked there).  Returns KR_OK when something switches back; KR_EINVAL
 * at once if to cannot run. */
KR_API(1, 2) kr_err_t kr_ctx_switch(kr_domain_t *d, struct kr_ctx *to);
/* The running context (the boot context's own struct until a switch). */
KR_API(1, 2) struct kr_ctx *kr_ctx_current(void);

#endif
