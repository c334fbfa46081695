/*
 * run.h - a handler's run, shared by the two halves of the run command:
 * run.c (setting a run up, gas, faults, how it ends and what is reported)
 * and syscalls.c (the system calls a run makes, decoded by the gate and
 * invoked there).  Private to the tcc module.
 */
#ifndef TCC_RUN_H
#define TCC_RUN_H

#include <karyon/uspace.h>
#include "gate.h"
#include "tcc.h"

enum run_end { RUNNING, EXITED, ABORTED, FAULTED, BUDGET, INTERRUPTED, FAILED, NO_GAS, TAMPERED,
	       NO_MEMORY, NO_VTIME, CANCELLED, NOT_GRANTED,     /* these four: tokens' */
	       ENERGY };        /* the organelles killed its endpoint (endpoint.c) */

struct run {
	struct handler *h;
	kr_domain_t *rd;                /* the handler's domain: the run's pages are there */
	kr_cap_t as;                    /* the handler's address space */
	kr_cap_t pages[RUN_CAPS];       /* the run's stack and heap pieces */
	unsigned npages;
	print_fn print;
	void *ctx;
	struct gate_space space;
	uint64_t heap_end, heap_limit, heap_chunk;
	uint64_t stack_pages;           /* bit i: page i below USTACK_TOP is mapped */
	uint64_t t_start;
	uint64_t io;                    /* file bytes read and written (energy: I/O) */
	unsigned calls;
	bool metered;
	uint64_t gas_budget, gas_used;  /* gas_used: by the quanta before this one */
	int64_t gas_set;                /* what the kernel last wrote to the counter */
	struct gate_refusal copy;       /* a call's argument the copy helpers refused */
	struct token *tok;              /* a work token's run (runner.c), else NULL */
	uint64_t turned;                /* gas told to the scheduler's turn() so far */
	enum run_end end;
	int status;
	char why[GATE_WHY_MAX];
	char killed[112];               /* ENERGY: the organelles' reason */
	struct kr_uctx u;
};

/* run.c */
/* Where rip is, as a report says it: NAME+OFF (FILE:LINE), or in the C
 * library, or an address. */
void run_where(const struct run *r, uint64_t rip, char *buf, size_t len);
/* "NAME: stopped: WHAT at WHERE\n" for the exception in r->u (r->end FAULTED). */
void run_report_fault(struct run *r, char *msg, size_t len);
/* __karyon_gas_out: the quantum is spent; past the budget, the run is. */
void run_gas_out(struct run *r);
/* A token's time_us(): the virtual clock, with the gas of this quantum. */
uint64_t run_token_time_us(struct run *r);

/* syscalls.c */
/* Copy n bytes at the handler's p to its print function. */
kr_err_t print_user(struct run *r, uint64_t p, uint64_t n);
/* Map the stack page holding va, if it is in the stack's range. */
kr_err_t stack_page(struct run *r, uint64_t va);
/* The system call in r->u: decode (gate.c), invoke, rax; r->end if it
 * ends the run. */
void run_syscall(struct run *r);
/* kr_as_run's fast path (uspace.h): the calls answered in the entry. */
bool run_fast_call(void *ctx, struct kr_uctx *u);

#endif
