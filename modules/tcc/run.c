/*
 * run.c - the run command: a handler's main(argc, argv) in user mode, in
 * its own address space (uspace.c), until it exits, faults, spends its time
 * budget (tcc.budget_ms=) or is interrupted (Ctrl-C at the shell).
 *
 * kr_as_run returns at every system call, exception and interrupt, except
 * the calls its fast path answers in the kernel's entry (fast_call: the
 * null call and time_us).  A system call is decoded by the gate (gate.c:
 * number, grant, every argument) and only then invoked (syscalls.c),
 * through the copy helpers (kr_as_copy): a refused call gets an error code
 * and a report line, and the handler runs on.  An exception ends the run with a report
 * naming the handler, what happened and where, except a fault on a stack
 * page not yet mapped, which maps it.  An interrupt is the moment to check
 * Ctrl-C and the budget.
 *
 * The run's stack and heap pieces are pages of the handler's domain that
 * the run records; when it ends, however it ends, each is revoked (which
 * takes it out of the address space) and freed, and the data of the
 * handler and of its library and the stack's top page are reset, so the
 * next run starts from the linked images, as a fresh process would.
 *
 * Gas (gas.h): a metered handler's charges subtract from __karyon_gas, in
 * its library's data.  The kernel writes the counter at the start, a
 * quantum at a time (the smaller of GAS_QUANTUM and what is left of the
 * run's budget), and when a charge takes it below zero the handler calls
 * __karyon_gas_out: the kernel adds up what the quantum spent and either
 * refills it or, past the budget, stops the run there.  That point is the
 * first charge past the budget whatever the quantum, so it is the same on
 * every run and every machine; the quantum makes gas_out a place a
 * scheduler can later take the CPU back.  At every entry to the kernel the
 * counter must be at most what the kernel last wrote, else the handler
 * tampered with it and is stopped.  (A handler that writes the counter
 * through a forged pointer and keeps it below that, or jumps into the
 * middle of its own instructions, is stopped only by the time budget.)
 */
#include <karyon/console.h>
#include <karyon/events.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/organelles.h>
#include <karyon/uspace.h>
#include <krt/libc.h>
#include "gate.h"
#include "grants.h"
#include "run.h"
#include "tcc.h"
#include "ulib/ulib.h"

#define MAX_ARGS        32
#define CHECK_EVERY     64              /* system calls between budget checks */
#define GAS_DEFAULT     10000000000ull  /* a run's gas budget without --gas */
#define GAS_QUANTUM     (1ll << 24)     /* gas between two gas_out calls, at most */
#define TOKEN_SAFETY_MS 60000u          /* a token's wall-clock safety net (runner.c) */


static bool in_handler(const struct run *r, uint64_t rip)
{
	return rip - (HANDLER_BASE + r->h->img.text_off) < r->h->img.text_size;
}

void run_where(const struct run *r, uint64_t rip, char *buf, size_t len)
{
	const struct kr_kmod_linked *h = &r->h->img, *l = &tcc_ulib_img.img;
	uint64_t text = HANDLER_BASE + h->text_off, lib = ULIB_BASE + l->text_off;
	const struct line_row *row = in_handler(r, rip) ?
				     lines_find(r->h->lines, (uint32_t)(rip - text)) : NULL;

	if (row)
		ksnprintf(buf, len, "%s+%#llx (%s:%u)", r->h->name, (unsigned long long)(rip - text),
			  r->h->lines->files[row->file], row->line);
	else if (in_handler(r, rip))
		ksnprintf(buf, len, "%s+%#llx", r->h->name, (unsigned long long)(rip - text));
	else if (rip >= lib && rip < lib + l->text_size)
		ksnprintf(buf, len, "%#llx, in the C library", (unsigned long long)rip);
	else
		ksnprintf(buf, len, "%#llx", (unsigned long long)rip);
}

/* Where the run stopped; inside the C library, also where the handler
 * called it from: the return address on top of the stack (a system-call
 * stub keeps no frame), else the first one of the handler's up the chain
 * of frame pointers (the library and TinyCC's code both keep them). */
static void stop_site(struct run *r, char *buf, size_t len)
{
	uint64_t f[2] = { r->u.rbp, 0 }, ret = 0, n;

	/* Out of gas, or stopped in __karyon_gas_out (its system call is
	 * where the time budget and Ctrl-C are checked too): the charge that
	 * called it, its return address (it pushed three registers above it). */
	uint64_t gas_out = tcc_ulib_img.addr[ULIB_SYS_GAS_OUT];

	if ((r->end == NO_GAS || (r->u.rip - gas_out < 32 && r->metered)) &&
	    !kr_as_copy(r->rd, r->as, r->u.rsp + 24, &ret, sizeof(ret), false) && in_handler(r, ret)) {
		run_where(r, ret, buf, len);
		return;
	}
	run_where(r, r->u.rip, buf, len);
	if (in_handler(r, r->u.rip) || !strstr(buf, "C library"))
		return;
	if (kr_as_copy(r->rd, r->as, r->u.rsp, &ret, sizeof(ret), false) || !in_handler(r, ret))
		for (int i = 0; i < 32 && !in_handler(r, ret = f[1]); i++)
			if (kr_as_copy(r->rd, r->as, f[0], f, sizeof(f), false))
				return;
	n = strlen(buf);
	ksnprintf(buf + n, len - n, ", called from ");
	n = strlen(buf);
	run_where(r, ret, buf + n, len - n);
}

/* ---- gas ---- */

static uint64_t gas_addr(void)
{
	return tcc_ulib_img.addr[ULIB_GAS];
}

/* The counter through the kernel's mapping of the handler's copy of the
 * library's data (uspace.c): no copy, no page walk on a hot path. */
static volatile int64_t *gas_ptr(const struct run *r)
{
	uint64_t off = gas_addr() - (ULIB_BASE + tcc_ulib_img.img.data_off);

	return off + sizeof(int64_t) <= tcc_ulib_img.img.data_size && r->h->ulib_data_kva ?
	       (volatile int64_t *)(r->h->ulib_data_kva + off) : NULL;
}

/* A new quantum: the smaller of the quantum (GAS_QUANTUM, or the
 * scheduler's for a token) and what is left. */
static void gas_refill(struct run *r)
{
	uint64_t left = r->gas_budget - r->gas_used;
	uint64_t q = r->tok ? r->tok->quantum : (uint64_t)GAS_QUANTUM;
	volatile int64_t *p = gas_ptr(r);

	r->gas_set = (int64_t)(left < q ? left : q);
	if (p)
		*p = r->gas_set;
	else if (kr_as_copy(r->rd, r->as, gas_addr(), &r->gas_set, sizeof(r->gas_set), true))
		r->end = FAILED;
}

/* Gas spent so far, or false (the run ends) if the counter was raised. */
static bool gas_check(struct run *r, uint64_t *used)
{
	volatile int64_t *p;
	int64_t c = 0;

	if (!r->metered)
		return true;
	p = gas_ptr(r);
	if (p)
		c = *p;
	if ((!p && kr_as_copy(r->rd, r->as, gas_addr(), &c, sizeof(c), false)) || c > r->gas_set) {
		r->end = TAMPERED;
		return false;
	}
	*used = r->gas_used + ((uint64_t)r->gas_set - (uint64_t)c);
	return true;
}

/* __karyon_gas_out: the quantum is spent; past the budget, the run is. */
void run_gas_out(struct run *r)
{
	uint64_t used;

	if (!r->metered || !gas_check(r, &used))
		return;
	r->gas_used = used;
	if (used > r->gas_budget) {
		r->end = NO_GAS;
		return;
	}
	if (r->tok && !r->tok->event) { /* a token's quantum: the scheduler's turn */
		kr_err_t e = r->tok->sched->turn(used - r->turned);

		r->turned = used;
		if (e == KR_ETIME)
			r->end = NO_VTIME;
		else if (e)
			r->end = CANCELLED;
		if (e)
			return;
	}
	gas_refill(r);
}

/* A token's time_us(): the virtual clock, with the gas of this quantum. */
uint64_t run_token_time_us(struct run *r)
{
	uint64_t used = r->gas_used;

	gas_check(r, &used);
	return (r->tok->sched->vclock() + (used - r->turned)) / 1000;
}


/* The privileged instruction at rip, if it is one (for #GP's report). */
static const char *privileged(struct run *r)
{
	uint8_t op[2] = { 0 };

	if (kr_as_copy(r->rd, r->as, r->u.rip, op, 2, false))
		return NULL;
	switch (op[0]) {
	case 0xfa: return "cli";
	case 0xfb: return "sti";
	case 0xf4: return "hlt";
	case 0xe4: case 0xe5: case 0xec: case 0xed: case 0x6c: case 0x6d: return "in";
	case 0xe6: case 0xe7: case 0xee: case 0xef: case 0x6e: case 0x6f: return "out";
	case 0xcd: return "int";
	case 0xcc: return "int3";
	case 0x0f:
		return op[1] == 0x30 ? "wrmsr" : op[1] == 0x32 ? "rdmsr" : op[1] == 0x22 ?
		       "mov to a control register" : op[1] == 0x20 ? "mov from a control register" :
		       op[1] == 0x01 ? "a system-table instruction" : op[1] == 0x09 ? "wbinvd" :
		       op[1] == 0x06 ? "clts" : NULL;
	}
	return NULL;
}

void run_report_fault(struct run *r, char *msg, size_t len)
{
	struct kr_uctx *u = &r->u;
	uint64_t text = HANDLER_BASE + r->h->img.text_off, a = u->addr;
	uint64_t lo = USTACK_TOP - USTACK_MAX;
	char at[160], detail[112] = "";
	const char *what;

	stop_site(r, at, sizeof(at));
	if (u->vector == 14) {
		what = a < KR_PAGE_SIZE ? "NULL pointer dereference" :
		       a < lo && a >= lo - USTACK_GAP ? "stack overflow" :
		       a >= KR_USER_TOP ? (u->error & 16 ? "jump into kernel memory" :
					   u->error & 2 ? "write to kernel memory" :
					   "read of kernel memory") :
		       a >= text && a < text + r->h->img.text_size && (u->error & 2) ?
		       "write to its code" : (u->error & 16) ? "jump to non-executable memory" :
		       (u->error & 2) ? "bad write" : "bad read";
		ksnprintf(detail, sizeof(detail), " (%s, address %#llx)", what,
			  (unsigned long long)a);
	} else if (u->vector == 13 && (what = privileged(r)) != NULL) {
		ksnprintf(detail, sizeof(detail), " (privileged instruction: %s)", what);
	} else if (u->vector == 13) {
		ksnprintf(detail, sizeof(detail), " (a kernel or non-canonical address, or a "
			  "privileged instruction)");
	}
	ksnprintf(msg, len, "%s: stopped: %s%s at %s\n", r->h->name, fault_name(u->vector),
		  detail, at);
}

/* One exception: a stack page to map (and go on), or the end of the run. */
static void exception(struct run *r)
{
	uint64_t a = r->u.addr;

	if (r->u.vector == 14 && !(r->u.error & 1) && a >= USTACK_TOP - USTACK_MAX &&
	    a < USTACK_TOP && stack_page(r, a) == KR_OK)
		return;
	r->end = FAULTED;
}

static void check_time(struct run *r)
{
	if (r->tok) {                   /* the shell's Ctrl-C is not a token's */
		if (kr_uptime_us() - r->t_start > TOKEN_SAFETY_MS * 1000)
			r->end = BUDGET;
		return;
	}
	if (tcc_sched)                  /* a tick: let a task above the shell run */
		tcc_sched->yield();
	if (tcc_shell->interrupted && tcc_shell->interrupted())
		r->end = INTERRUPTED;
	else if (tcc_budget_ms && kr_uptime_us() - r->t_start > (uint64_t)tcc_budget_ms * 1000)
		r->end = BUDGET;
}

/* argv at the top of the stack's first page (zeroed after every run): the
 * strings at the top, the pointers below them, then the stack pointer. */
static kr_err_t push_args(struct run *r, int argc, char **argv)
{
	static uint8_t page[KR_PAGE_SIZE];
	uint64_t base = USTACK_TOP - KR_PAGE_SIZE, ptrs[MAX_ARGS + 1];
	size_t top = KR_PAGE_SIZE, n;

	for (int i = argc - 1; i >= 0; i--) {
		n = strlen(argv[i]) + 1;
		if (n > top - (MAX_ARGS + 3) * 8)
			return KR_ERANGE;
		top -= n;
		memcpy(page + top, argv[i], n);
		ptrs[i] = base + top;
	}
	ptrs[argc] = 0;
	top = (top - (argc + 1) * 8) & ~(size_t)15;
	memcpy(page + top, ptrs, (argc + 1) * 8);
	r->u.rdi = (uint64_t)argc;
	r->u.rsi = base + top;
	r->u.rsp = base + top - 8;      /* as if __karyon_start had been called */
	return kr_as_copy(r->rd, r->as, base + top, page + top, KR_PAGE_SIZE - top, true);
}

/* An event run's argument: the event at the top of the stack's first
 * page, through the kernel's own mapping of it (uspace.c). */
static kr_err_t push_event(struct run *r, const struct kr_event *ev)
{
	uint64_t at = (KR_PAGE_SIZE - sizeof(*ev)) & ~(uint64_t)15;

	memcpy(r->h->stack_top_kva + at, ev, sizeof(*ev));
	r->u.rdi = USTACK_TOP - KR_PAGE_SIZE + at;
	r->u.rsi = r->h->event_entry;
	r->u.rsp = r->u.rdi - 8;        /* as if __karyon_event had been called */
	return KR_OK;
}

/* Start a run of h: the regions the gate checks against, the registers,
 * argv on the stack.  Its data is fresh already (space_reset). */
static kr_err_t run_begin(struct run *r, int argc, char **argv)
{
	const struct kr_kmod_linked *l = &tcc_ulib_img.img, *h = &r->h->img;

	r->rd = r->h->dom;
	r->as = r->h->as;
	r->heap_limit = r->tok && r->tok->mem_limit < tcc_heap_limit ? r->tok->mem_limit :
			tcc_heap_limit;
	r->turned = 0;
	r->heap_end = ULIB_HEAP_BASE;
	r->heap_chunk = 64u << 10;
	r->space = (struct gate_space){ .n = 6, .r = {
		{ ULIB_BASE + l->text_off, ULIB_BASE + l->data_off, false },
		{ ULIB_BASE + l->data_off, ULIB_BASE + l->data_off + l->data_size, true },
		{ HANDLER_BASE + h->text_off, HANDLER_BASE + h->data_off, false },
		{ HANDLER_BASE + h->data_off, HANDLER_BASE + h->data_off + h->data_size, true },
		{ ULIB_HEAP_BASE, ULIB_HEAP_BASE, true },
		{ USTACK_TOP - USTACK_MAX, USTACK_TOP, true },
	} };
	r->metered = r->h->metered;
	r->gas_used = 0;
	r->gas_set = 0;
	if (r->tok && r->tok->event) {
		kr_uctx_init(&r->u, tcc_ulib_img.ev_start, 0);
		if (r->metered)
			gas_refill(r);
		return push_event(r, r->tok->event);
	}
	kr_uctx_init(&r->u, tcc_ulib_img.start, 0);
	r->u.rdx = r->h->main_entry;
	if (r->metered)
		gas_refill(r);
	return push_args(r, argc, argv);
}

/* The run's pages leave the address space (revoking a page capability
 * removes the mapping derived from it) and are freed; the handler is
 * made ready for its next run. */
static void run_end(struct run *r)
{
	for (unsigned i = 0; i < r->npages; i++)
		if (kr_cap_revoke(r->rd, r->pages[i]) == KR_ERIGHTS ||
		    kr_cap_delete(r->rd, r->pages[i]) != KR_OK)
			kr_log(KR_LOG_ERR, "tcc: %s: cannot free a page of its run\n", r->h->name);
	r->npages = 0;
	space_reset(r->h, r->tok && r->tok->event);
}

/* The pages of the run's heap and stack: what it held at the end. */
static uint64_t pages_held(const struct run *r)
{
	uint64_t n = (r->heap_end - ULIB_HEAP_BASE) / KR_PAGE_SIZE;

	for (uint64_t b = r->stack_pages; b; b &= b - 1)        /* no popcount in the kernel */
		n++;
	return n;
}

/* Output the handler buffered but did not write before it was stopped. */
static void drain(struct run *r)
{
	uint32_t len = 0;

	if (!kr_as_copy(r->rd, r->as, tcc_ulib_img.out, &len, sizeof(len), false))
		print_user(r, tcc_ulib_img.out + 4, len < ULIB_OUT_SIZE ? len : ULIB_OUT_SIZE);
}

/* -v and --gas N, before the handler's name; false on a bad one. */
static bool run_opts(int *argc, char ***argv, bool *verbose, uint64_t *gas, bool *gas_given)
{
	while (*argc > 1 && (*argv)[1][0] == '-') {
		const char *o = (*argv)[1];
		char *end;

		if (!strcmp(o, "-v")) {
			*verbose = true;
		} else if (!strcmp(o, "--gas") && *argc > 2) {
			*gas = strtoull((*argv)[2], &end, 10);
			if (end == (*argv)[2] || *end || !*gas || *gas > (1ull << 62))
				return false;
			*gas_given = true;
			(*argc)--;
			(*argv)++;
		} else {
			return false;
		}
		(*argc)--;
		(*argv)++;
	}
	return true;
}

/* Run r->h (r->print, ->ctx, ->tok and ->gas_budget set) to its end:
 * the closing line into msg, the gas used into *used, the library's
 * entry stamp into *t_main if asked.  KR_OK, or why it could not run. */
static kr_err_t run_handler(struct run *r, int argc, char **argv, uint64_t *used, char *msg,
			    size_t msgsz, uint64_t *t_main)
{
	struct handler *h = r->h;
	char at[160];
	size_t n;
	kr_err_t e;

	r->t_start = kr_uptime_us();
	r->stack_pages = 1;             /* the top page is the handler's (uspace.c) */
	r->npages = r->calls = 0;
	r->end = RUNNING;
	r->status = 0;
	r->metered = false;
	n = (size_t)ksnprintf(msg, msgsz, "run: %s: ", h->name);
	if (n < msgsz && endpoint_dead(h, msg + n, msgsz - n)) {  /* until it is compiled again */
		n = strlen(msg);
		ksnprintf(msg + n, msgsz - n, "\n");
		return KR_EDEAD;
	}
	h->busy = true;
	e = run_begin(r, argc, argv);
	while (!e && r->end == RUNNING) {
		e = kr_as_run(r->rd, r->as, &r->u, run_fast_call, r);
		if (e || !gas_check(r, used))           /* at every entry: not raised */
			break;
		if (r->u.exit == KR_UEXIT_SYSCALL)
			run_syscall(r);
		else if (r->u.exit == KR_UEXIT_EXCEPTION)
			exception(r);
		if (r->end == RUNNING && (r->u.exit == KR_UEXIT_INTERRUPT ||
					  !(++r->calls % CHECK_EVERY)))
			check_time(r);
	}
	/* Everything that reads the handler's memory, before its run goes. */
	stop_site(r, at, sizeof(at));
	*used = r->gas_used;
	if (r->end != NO_GAS && r->end != TAMPERED && r->metered && !gas_check(r, used))
		*used = r->gas_used;
	/* The run's gas, the pages it held at the end (its most) and its file
	 * bytes are charged to the handler's endpoint: over a budget, it is
	 * killed. */
	if (!e && r->end != ENERGY && endpoint_charge(h, r->metered ? *used : 0, pages_held(r),
						      r->io, r->killed, sizeof(r->killed)) ==
				      KR_EENERGY)
		r->end = ENERGY;
	if (!e && r->end == ENERGY)
		ksnprintf(msg, msgsz, "h:%s: killed: %s\n", h->name, r->killed);
	else if (!e && r->end == FAULTED)
		run_report_fault(r, msg, msgsz);
	else if (!e && r->end == BUDGET)
		ksnprintf(msg, msgsz, "%s: stopped: time budget of %u ms used up at %s\n",
			  h->name, r->tok ? TOKEN_SAFETY_MS : tcc_budget_ms, at);
	else if (!e && r->end == NO_GAS)
		ksnprintf(msg, msgsz, "%s: stopped: out of gas (budget %llu, used %llu) at %s\n",
			  h->name, (unsigned long long)r->gas_budget, (unsigned long long)*used, at);
	else if (!e && r->end == TAMPERED)
		ksnprintf(msg, msgsz, "%s: stopped: gas counter tampered with (raised above "
			  "what the kernel set) at %s\n", h->name, at);
	else if (!e && r->end == INTERRUPTED)
		ksnprintf(msg, msgsz, "%s: stopped: interrupted (Ctrl-C) at %s\n", h->name, at);
	else if (!e && r->end == NO_MEMORY)
		ksnprintf(msg, msgsz, "%s: stopped: memory budget of %llu pages used up at %s\n",
			  h->name, (unsigned long long)(r->heap_limit / KR_PAGE_SIZE), at);
	else if (!e && r->end == NO_VTIME)
		ksnprintf(msg, msgsz, "%s: stopped: virtual time budget used up at %s\n", h->name, at);
	else if (!e && r->end == CANCELLED)
		ksnprintf(msg, msgsz, "%s: stopped: cancelled at %s\n", h->name, at);
	else if (!e && r->end == NOT_GRANTED)
		ksnprintf(msg, msgsz, "%s: stopped: a system call outside its grants at %s\n",
			  h->name, at);
	else if (!e && r->end == EXITED)
		ksnprintf(msg, msgsz, "%s returned %d\n", h->name, r->status);
	else if (!e && r->end == ABORTED)
		ksnprintf(msg, msgsz, "%s aborted: %s\n", h->name, r->why);
	else if (e == KR_EINVAL && r->u.version)        /* kr_as_run refused its registers */
		ksnprintf(msg, msgsz, "%s: stopped: cannot resume it at %#llx with stack "
			  "pointer %#llx (not user addresses)\n", h->name,
			  (unsigned long long)r->u.rip, (unsigned long long)r->u.rsp);
	else
		ksnprintf(msg, msgsz, "run: %s: %s\n", h->name, kr_strerror(e ? e : KR_EINVAL));
	if (r->end != EXITED && r->end != ABORTED)
		drain(r);
	if (t_main)
		kr_as_copy(r->rd, r->as, tcc_ulib_img.t_main, t_main, sizeof(*t_main), false);
	run_end(r);
	h->busy = false;
	return e;
}

static void console_print(void *ctx, const char *s)
{
	(void)ctx;
	kr_console_write(s, strlen(s));
}

/* A work token's run of h (runner.c), or an event's (event.c): the
 * result for the scheduler or the events module. */
void run_token(struct handler *h, struct token *tok, int argc, char **argv, uint64_t gas,
	       struct kr_work_result *res)
{
	static const uint8_t why[] = {
		[EXITED] = KR_VIOL_NONE, [ABORTED] = KR_VIOL_NONE, [FAULTED] = KR_VIOL_FAULT,
		[BUDGET] = KR_VIOL_VTIME, [INTERRUPTED] = KR_VIOL_FAULT, [FAILED] = KR_VIOL_FAULT,
		[NO_GAS] = KR_VIOL_GAS, [TAMPERED] = KR_VIOL_GAS, [NO_MEMORY] = KR_VIOL_MEMORY,
		[NO_VTIME] = KR_VIOL_VTIME, [CANCELLED] = KR_VIOL_NONE,
		[NOT_GRANTED] = KR_VIOL_CAPABILITY, [ENERGY] = KR_VIOL_ENERGY,
	};
	/* Event runs never yield, so one at a time: a static run, set field
	 * by field as cmd_run's (no 3 KiB allocation and clearing on the way
	 * to on_event).  Tokens yield at their turns: one run each. */
	static struct run event_run;
	struct run *r = tok->event ? &event_run : kr_calloc(tcc_self, 1, sizeof(*r));
	kr_err_t e;
	size_t n;

	*res = (struct kr_work_result){ .version = KR_WORK_RESULT_VERSION };
	if (!r) {
		res->violation = KR_VIOL_FAULT;
		ksnprintf(res->detail, sizeof(res->detail), "no memory for the run");
		return;
	}
	r->h = h;
	r->tok = tok;
	r->print = tok->event ? console_print : token_print;
	r->ctx = tok;
	r->gas_budget = gas;
	e = run_handler(r, argc, argv, &res->gas_used, res->detail, sizeof(res->detail),
			tok->event ? &tok->t_main : NULL);
	/* A token's last, partial quantum goes on the virtual clock now, when
	 * its run ends: that is its end time, whatever applying its writes
	 * (a commit that waits for the disk) takes afterwards. */
	if (!tok->event && res->gas_used > r->turned)
		tok->sched->charge(res->gas_used - r->turned);
	n = strlen(res->detail);
	if (n && res->detail[n - 1] == '\n')
		res->detail[n - 1] = '\0';
	res->violation = e == KR_EDEAD ? KR_VIOL_ENERGY : e ? KR_VIOL_FAULT : why[r->end];
	if (tok->event && r->end == ABORTED)    /* an event run that gives up keeps nothing */
		res->violation = KR_VIOL_FAULT;
	res->exit_code = r->status;
	if (r != &event_run)
		kr_free(tcc_self, r);
}

int cmd_run(int argc, char **argv, print_fn print, void *ctx)
{
	static struct run r;            /* one run at a time; the uctx is large */
	uint64_t t0 = tsc(), t_main = 0, gas = GAS_DEFAULT, used = 0;
	bool verbose = false, gas_given = false;
	struct handler *h;
	char msg[320];
	kr_err_t e;

	if (!run_opts(&argc, &argv, &verbose, &gas, &gas_given) || argc < 2 ||
	    argc - 1 > MAX_ARGS) {
		print_to(print, ctx, "usage: run [-v] [--gas N] NAME [ARGS...] (at most %d "
			 "arguments; gas: default %llu, 0 < N <= 2^62)\n", MAX_ARGS - 1,
			 (unsigned long long)GAS_DEFAULT);
		return 2;
	}
	h = handler_find(argv[1]);
	if (!h) {
		print_to(print, ctx, "run: no handler %s (see: handlers; cc FILE.c)\n", argv[1]);
		return 1;
	}
	if (h->busy) {
		print_to(print, ctx, "run: %s is running as a work token or for an event (see: "
			 "task list, events)\n", argv[1]);
		return 1;
	}
	if (!h->main_entry || (h->mf.present && !(h->mf.contexts & MF_FOREGROUND))) {
		print_to(print, ctx, "run: %s %s: it runs for events (see: on, events)\n", h->name,
			 !h->main_entry ? "has no main()" :
			 "declares no foreground context in its manifest");
		return 1;
	}
	r.h = h;                        /* field by field: pages[] needs no clearing */
	r.print = print;
	r.ctx = ctx;
	r.tok = NULL;
	r.gas_budget = gas;
	e = run_handler(&r, argc - 1, argv + 1, &used, msg, sizeof(msg), verbose ? &t_main : NULL);
	if (verbose && t_main)
		print_to(print, ctx, "run: %s: dispatch to entry %llu TSC cycles\n", h->name,
			 (unsigned long long)(t_main - t0));
	if (verbose)            /* under -icount shift=0: guest instructions (tools/bench_gas.py) */
		print_to(print, ctx, "run: %s: %llu TSC cycles in all\n", h->name,
			 (unsigned long long)(tsc() - t0));
	if (r.metered && r.end != TAMPERED)     /* every run of a metered handler */
		print_to(print, ctx, "run: %s: gas %llu\n", h->name, (unsigned long long)used);
	else if ((verbose || gas_given) && !r.metered)
		print_to(print, ctx, "run: %s: gas not metered (cc --no-gas)\n", h->name);
	print(ctx, msg);
	return !e && r.end == EXITED ? 0 : 1;
}
