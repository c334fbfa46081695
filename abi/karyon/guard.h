/*
 * guard.h - guarded calls: run kernel-mode code that is not fully trusted
 * (Debian's libtcc compiling a handler's source) so that a CPU exception
 * ends the call instead of the kernel.
 *
 * kr_guard_call switches to a stack the caller owns, calls fn(arg) there
 * with interrupts on and returns what fn returned.  If fn (or anything it
 * calls) raises a CPU exception while running on that stack, the core
 * abandons the call: the stack is dropped, the x87/SSE state is reset and
 * kr_guard_call returns KR_EFAULT with g->fault describing what happened.
 * The caller then frees what the abandoned code held (its domain, pages,
 * heap); the core keeps nothing of it.
 *
 * Untrusted code with a time budget runs in user mode (uspace.h), where
 * kr_as_run returns at every timer tick.  Trusted code that may still run
 * too long (libtcc on a pathological source) gets one here again since
 * ABI 1.4 (1.1-1.3: budget_ms, code_lo and code_hi had to be 0): with
 * budget_ms not 0, the first timer tick at least budget_ms after the call
 * began that lands in [code_lo, code_hi) abandons it like an exception
 * (KR_EFAULT, fault.kind KR_FAULT_BUDGET).  Only code that may be left at
 * any instruction belongs in the range: not the heap's, not the core's.
 *
 * Since ABI 1.2 a guarded call is a kernel context (ctx.h) whose resume
 * context is the caller's, so guarded calls may nest.  NMI, double fault
 * and machine check are never caught: they mean the kernel is broken.
 */
#ifndef KARYON_GUARD_H
#define KARYON_GUARD_H

#include <karyon/cap.h>

enum kr_fault_kind {
	KR_FAULT_NONE = 0,
	KR_FAULT_EXCEPTION = 1, /* a CPU exception: vector, error, addr */
	KR_FAULT_BUDGET = 2,    /* the call's time budget ran out (ABI 1.0, and 1.4 on) */
};

#define KR_FAULT_VERSION 1
struct kr_fault {
	uint32_t version;       /* KR_FAULT_VERSION */
	uint32_t kind;          /* enum kr_fault_kind */
	uint32_t vector;        /* exception vector (0 #DE, 6 #UD, 13 #GP, 14 #PF, ...) */
	uint32_t reserved;
	uint64_t error;         /* the CPU's error code (0 when it pushes none) */
	uint64_t rip;           /* the instruction that faulted or was stopped */
	uint64_t rsp;
	uint64_t addr;          /* #PF: the address touched (CR2); else 0 */
};
KR_ABI_OFFSET(struct kr_fault, error, 16);
KR_ABI_SIZE(struct kr_fault, 48);

#define KR_GUARD_VERSION 1
struct kr_guard {
	uint32_t version;       /* KR_GUARD_VERSION */
	uint32_t budget_ms;     /* 0, or a time limit (1.4; see above) */
	uint64_t stack_lo;      /* the stack: [stack_lo, stack_hi), 16-byte aligned, */
	uint64_t stack_hi;      /* a guard page (mapped read-only) at its bottom */
	uint64_t code_lo;       /* with budget_ms: where a stop may land */
	uint64_t code_hi;
	struct kr_fault fault;  /* out: filled when the call was abandoned */
};
KR_ABI_OFFSET(struct kr_guard, fault, 40);
KR_ABI_SIZE(struct kr_guard, 88);

/* "#PF page fault" for 14, and so on; "interrupt" from 32 up (ABI 1.2). */
KR_API(1, 2) const char *kr_exc_name(uint32_t vector);

typedef long (*kr_guarded_fn)(void *arg);

/* KR_OK and *ret = fn(arg); KR_EFAULT when abandoned (see g->fault);
 * KR_EINVAL for a bad guard (a budget without a code range, or the other
 * way round). */
KR_API(1, 0) kr_err_t kr_guard_call(kr_domain_t *d, struct kr_guard *g, kr_guarded_fn fn,
				    void *arg, long *ret);

#endif
