/*
 * hostrun_run.c - invoke on the host (hostrun_int.h): modules/tcc/
 * contract_run.c's rules, the contract running on the fixed stack and
 * trapping back here at every liba call.
 * Every check, copy and bound is the kernel's, so the host functions see
 * the same arguments and gas, and the run ends at the same charge.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "hostrun_int.h"
#include "tcc/liba_call.h"

enum { C_RUNNING, C_RETURNED, C_REVERTED, C_GAS, C_FAULTED };

struct region { uint64_t lo, hi; bool writable; };

struct hrun {
	struct contract *c;
	uint32_t id;
	const struct kr_contract_host *host;
	void *hctx;
	struct hr_cpu cpu;
	int end;
	int64_t ret, gas_set;
	struct region r[4];
	char why[KR_CONTRACT_WHY_MAX];
	/* What the run below this one (suspended in a call) had in the fixed places. */
	struct hrun *below;
	uint8_t *stack, *data, *args;
	uint64_t stack_lo;
	uint32_t alen;
	int64_t counter;
	uint8_t small[LIBA_SMALL_SIZE];
	uint8_t big[LIBA_BIG_SIZE];
	uint8_t out[LIBA_OUT_SIZE];
};

static struct hrun *top;                /* the innermost run */
static uint32_t args_len;               /* bytes at ULIB_ARGS_BASE */
static size_t resident_size;
static struct sigaction old_act[4];
static stack_t old_alt;
static uint8_t *alt_stack;
static const int sigs[4] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	if (!hr_in_user || !hostrun_cur) {         /* the host's own bug: die of it */
		signal(sig, SIG_DFL);
		return;
	}
	hr_caught.sig = sig;
	hr_caught.addr = (uint64_t)si->si_addr;
	hr_caught.rip = (uint64_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
	hr_in_user = 0;
	siglongjmp(hostrun_cur->jb, 1);
}

static void signals(bool on)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	stack_t alt = { .ss_size = 64u << 10 };

	if (on) {
		if (!alt_stack)
			alt_stack = malloc(alt.ss_size);
		alt.ss_sp = alt_stack;
		sigaltstack(&alt, &old_alt);
		sigemptyset(&sa.sa_mask);
		for (int i = 0; i < 4; i++)
			sigaction(sigs[i], &sa, &old_act[i]);
	} else {
		for (int i = 0; i < 4; i++)
			sigaction(sigs[i], &old_act[i], NULL);
		sigaltstack(&old_alt, NULL);
	}
}

/* Contract c's image at HANDLER_BASE (its text if not there yet), and data. */
static void place(uint32_t id, const uint8_t *data)
{
	struct contract *c = &hr_contracts[id];
	uint8_t *at = (uint8_t *)HANDLER_BASE;

	if (hr_resident != (int)id) {
		if (resident_size)
			mprotect(at, resident_size, PROT_NONE);
		mprotect(at, c->img.size, PROT_READ | PROT_WRITE);
		memcpy(at, c->img.base, c->img.size);
		if (c->img.text_size)
			mprotect(at + c->img.text_off, c->img.text_size, PROT_READ | PROT_EXEC);
		if (c->img.ro_size)
			mprotect(at + c->img.ro_off, c->img.ro_size, PROT_READ);
		hr_resident = (int)id;
		resident_size = c->img.size;
	}
	memcpy(at + c->img.data_off, data, c->img.data_size);
}

static void put_args(const void *args, uint32_t alen)
{
	mprotect((void *)ULIB_ARGS_BASE, ULIB_ARGS_MAX, PROT_READ | PROT_WRITE);
	if (alen)
		memcpy((void *)ULIB_ARGS_BASE, args, alen);
	if (args_len > alen)
		memset((uint8_t *)ULIB_ARGS_BASE + alen, 0, args_len - alen);
	args_len = alen;
	mprotect((void *)ULIB_ARGS_BASE, ULIB_ARGS_MAX, PROT_READ);
}

/* snprintf that may cut (a why line is for the console only). */
static void cut(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Where rip is: NAME+OFF in the contract's text, else the address. */
static void where(const struct hrun *x, uint64_t rip, char *buf, size_t len)
{
	uint64_t text = HANDLER_BASE + x->c->img.text_off;
	const struct line_row *row = rip - text < x->c->img.text_size && x->c->lines ?
				     lines_find(x->c->lines, (uint32_t)(rip - text)) : NULL;

	if (row)
		cut(buf, len, "%s+%#llx (%s:%u)", x->c->name,
				(unsigned long long)(rip - text), x->c->lines->files[row->file],
				row->line);
	else if (rip - text < x->c->img.text_size)
		snprintf(buf, len, "%s+%#llx", x->c->name, (unsigned long long)(rip - text));
	else
		snprintf(buf, len, "%#llx", (unsigned long long)rip);
}

static void fault(struct hrun *x, const char *call, int arg, uint64_t p)
{
	uint64_t sp = x->cpu.user[0], ret = sp;
	char at[120];

	if (x->end != C_RUNNING)
		return;
	if (sp >= USTACK_TOP - USTACK_MAX && sp + 8 <= USTACK_TOP)
		memcpy(&ret, (void *)sp, 8);
	where(x, ret, at, sizeof(at));
	cut(x->why, sizeof(x->why), "%s: bad pointer to %s (argument %d: %#llx) at %s",
			x->c->name, call, arg, (unsigned long long)p, at);
	x->end = C_FAULTED;
}

static const struct region *region(const struct hrun *x, uint64_t p, bool write)
{
	for (unsigned i = 0; i < 4; i++)
		if (p >= x->r[i].lo && p < x->r[i].hi && (x->r[i].writable || !write))
			return &x->r[i];
	return NULL;
}

/* gate_range_ok's rule: [p, p + n) inside one region. */
static bool xfer(struct hrun *x, const char *call, int arg, uint64_t p, void *buf, uint64_t n,
		 bool to_user)
{
	const struct region *g = n ? region(x, p, to_user) : NULL;

	if (!n)
		return true;
	if (!g || n > g->hi - p) {
		fault(x, call, arg, p);
		return false;
	}
	if (to_user)
		memcpy((void *)p, buf, n);
	else
		memcpy(buf, (const void *)p, n);
	return true;
}

static bool xstr(struct hrun *x, const char *call, int arg, uint64_t p, char *buf, size_t max,
		 size_t *n)
{
	for (size_t i = 0; i < max; i++) {
		if (!region(x, p + i, false)) {
			fault(x, call, arg, p);
			return false;
		}
		buf[i] = *(const char *)(p + i);
		if (!buf[i]) {
			*n = i;
			return true;
		}
	}
	*n = max;
	return true;
}

static long host_done(struct hrun *x, const uint64_t *gas, long ret)
{
	*hr_gas_counter() = (int64_t)*gas;
	x->gas_set = (int64_t)*gas;
	if (ret == KR_CONTRACT_STOP_GAS) {
		*hr_gas_counter() = 0;
		x->end = C_GAS;
	} else if (ret == KR_CONTRACT_STOP_REVERT) {
		x->end = C_REVERTED;
	}
	return ret;
}

/* The runner's side of liba_call.c (modules/tcc): the contract's memory,
 * its counter. */
static bool io_xfer(void *ctx, const char *call, int arg, uint64_t p, void *buf, uint64_t n,
		    bool to_user)
{
	return xfer(ctx, call, arg, p, buf, n, to_user);
}

static bool io_xstr(void *ctx, const char *call, int arg, uint64_t p, char *buf, size_t max,
		    size_t *n)
{
	return xstr(ctx, call, arg, p, buf, max, n);
}

static uint64_t io_gas(void *ctx)
{
	(void)ctx;
	return (uint64_t)*hr_gas_counter();
}

static void io_done(void *ctx, uint64_t gas, long ret)
{
	host_done(ctx, &gas, ret);
}

static bool io_ended(void *ctx)
{
	return ((struct hrun *)ctx)->end != C_RUNNING;
}

static void io_reverted(void *ctx)
{
	struct hrun *x = ctx;

	if (x->end == C_RUNNING)
		x->end = C_REVERTED;
}

static long liba(struct hrun *x)
{
	const struct liba_io io = { x, io_xfer, io_xstr, io_gas, io_done, io_ended, io_reverted,
				    x->cpu.user[0], x->small, x->big, x->out };

	return liba_call_run(&io, x->host, x->hctx, x->cpu.nr, x->cpu.a);
}

/* A trap: the call in x->cpu; the value for rax (if the run goes on). */
static long trap(struct hrun *x)
{
	int64_t c = *hr_gas_counter();

	if (c > x->gas_set) {
		snprintf(x->why, sizeof(x->why), "%s: gas counter tampered with", x->c->name);
		x->end = C_FAULTED;
	} else if (x->cpu.nr == SYS_GAS_OUT || (x->cpu.nr >= SYS_GET && x->cpu.nr < SYS_METHOD_END &&
						 c < 0)) {
		*hr_gas_counter() = 0;
		x->end = C_GAS;
	} else if (x->cpu.nr == SYS_METHOD_END) {
		x->ret = (int64_t)x->cpu.a[0];
		x->end = C_RETURNED;
	} else {
		return liba(x);
	}
	return 0;
}

static void fault_why(struct hrun *x)
{
	uint64_t a = hr_caught.addr, lo = USTACK_TOP - USTACK_MAX;
	char at[120], what[96];

	memset(at, 0, sizeof(at));
	where(x, hr_caught.rip, at, sizeof(at));
	if (hr_caught.sig == SIGFPE)
		snprintf(what, sizeof(what), "divide error");
	else if (hr_caught.sig == SIGILL)
		snprintf(what, sizeof(what), "invalid opcode");
	else
		snprintf(what, sizeof(what), "page fault (%s, address %#llx)",
			 a < PAGE ? "NULL pointer dereference" :
			 a < lo && a >= lo - USTACK_GAP ? "stack overflow" : "bad access",
			 (unsigned long long)a);
	cut(x->why, sizeof(x->why), "%s: stopped: %s at %s", x->c->name, what, at);
}

uint64_t hostrun_user_cycles;

static uint64_t cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Run x to its end. */
static void run(struct hrun *x, uint64_t m, uint32_t alen)
{
	volatile uint64_t t0 = 0;
	volatile bool first = true;
	volatile long rax = 0;

	while (x->end == C_RUNNING) {
		if (sigsetjmp(x->cpu.jb, 1)) {
			hostrun_user_cycles += cycles() - t0;
			fault_why(x);
			x->end = C_FAULTED;
			break;
		}
		hr_in_user = 1;
		t0 = cycles();
		if (first) {
			first = false;
			hostrun_enter(&x->cpu, hr_method_entry(), USTACK_TOP - 16, ULIB_ARGS_BASE,
				      alen, m);
		} else {
			hostrun_resume(&x->cpu, rax);
		}
		hostrun_user_cycles += cycles() - t0;
		hr_in_user = 0;
		rax = trap(x);
	}
}

static void suspend(struct hrun *x, struct hrun *below)
{
	uint64_t sp = below->cpu.user[0] - 128;

	x->below = below;
	x->stack_lo = sp < USTACK_TOP - USTACK_MAX ? USTACK_TOP - USTACK_MAX : sp;
	x->stack = malloc(USTACK_TOP - x->stack_lo);
	x->data = malloc(below->c->img.data_size + 1);
	x->args = malloc(args_len + 1);
	if (x->stack)
		memcpy(x->stack, (void *)x->stack_lo, USTACK_TOP - x->stack_lo);
	if (x->data)
		memcpy(x->data, (uint8_t *)HANDLER_BASE + below->c->img.data_off,
		       below->c->img.data_size);
	if (x->args)
		memcpy(x->args, (void *)ULIB_ARGS_BASE, args_len);
	x->alen = args_len;
	x->counter = *hr_gas_counter();
}

static void restore(struct hrun *x)
{
	struct hrun *b = x->below;

	place(b->id, x->data ? x->data : b->c->data_copy);
	put_args(x->args, x->alen);
	memcpy((void *)x->stack_lo, x->stack, USTACK_TOP - x->stack_lo);
	*hr_gas_counter() = x->counter;
	hostrun_cur = &b->cpu;
	free(x->stack);
	free(x->data);
	free(x->args);
}

kr_err_t hr_invoke(uint32_t id, const char *method, const void *args, uint32_t alen,
			  uint64_t gas, const struct kr_contract_host *host, void *hctx,
			  struct kr_contract_result *res)
{
	struct contract *c = id < MAX_CONTRACTS && hr_contracts[id].used ? &hr_contracts[id] : NULL;
	uint64_t m = c ? hr_method_addr(c, method) : 0;
	struct hrun *x;
	int64_t left;

	if (!hr_ready || !method || !res || !host || host->magic != KR_CONTRACT_HOST_MAGIC ||
	    host->version != KR_CONTRACT_HOST_VERSION || (alen && !args) || alen > KR_VM_ARGS_MAX)
		return KR_EINVAL;
	if (!c)
		return KR_ENOENT;
	if (!m)
		return KR_EUNKNOWN;
	if (c->running)
		return KR_EBUSY;
	if (gas > KR_VM_GAS_MAX)
		return KR_ERANGE;
	x = calloc(1, sizeof(*x));
	if (!x)
		return KR_ENOMEM;
	if (top)
		suspend(x, top);
	else
		signals(true);
	if (top && (!x->stack || !x->data || !x->args)) {
		free(x->stack);
		free(x->data);
		free(x->args);
		free(x);
		return KR_ENOMEM;
	}
	c->running = true;
	x->c = c;
	x->id = id;
	x->host = host;
	x->hctx = hctx;
	top = x;
	put_args(args, alen);
	place(id, c->data_copy);
	memset((void *)(USTACK_TOP - USTACK_MAX), 0, USTACK_MAX);
	x->r[0] = (struct region){ HANDLER_BASE + c->img.text_off, HANDLER_BASE + c->img.data_off,
				   false };
	x->r[1] = (struct region){ HANDLER_BASE + c->img.data_off,
				   HANDLER_BASE + c->img.data_off + c->img.data_size, true };
	x->r[2] = (struct region){ USTACK_TOP - USTACK_MAX, USTACK_TOP, true };
	x->r[3] = (struct region){ ULIB_ARGS_BASE, ULIB_ARGS_BASE + ULIB_ARGS_MAX, false };
	x->gas_set = (int64_t)gas;
	*hr_gas_counter() = (int64_t)gas;
	run(x, m, alen);
	left = *hr_gas_counter();
	*res = (struct kr_contract_result){ .version = KR_CONTRACT_RESULT_VERSION,
		.end = x->end == C_RETURNED ? KR_CONTRACT_RETURNED :
		       x->end == C_REVERTED ? KR_CONTRACT_REVERTED :
		       x->end == C_GAS ? KR_CONTRACT_OUT_OF_GAS : KR_CONTRACT_FAULTED,
		.ret = x->end == C_RETURNED ? x->ret : 0,
		.gas_left = x->end == C_GAS || left < 0 ? 0 : (uint64_t)left };
	snprintf(res->why, sizeof(res->why), "%s", x->why);
	c->running = false;
	top = x->below;
	if (top)
		restore(x);
	else
		signals(false);
	free(x);
	return KR_OK;
}
