/*
 * contract_run.c - a contract method's run (<karyon/contract.h>'s invoke):
 * __karyon_method(args, alen, liba_m_METHOD) in user mode in the
 * contract's address space, from a fresh copy of its data and a zeroed
 * stack (its top page cleared, the rest fresh pages), with the invoke's
 * gas as the counter's one quantum: no scheduler turn, no time budget
 * (either would make the end depend on the machine), only Ctrl-C.
 *
 * Its system calls are the liba_* calls (grant "vm"), the method's end and
 * __karyon_gas_out (which, with one quantum, means out of gas).  Each liba
 * call is decoded by liba_call.c, shared with the host's runner, by
 * contract.h's rules: a length above the call's bound
 * passes NULL to the host function (which refuses it and charges what the
 * VM says); a range of bytes the call would touch that is not the
 * contract's own memory (its image, stack or arguments) ends the run
 * FAULTED.  Before a host function runs, the counter's value is the gas
 * left; what the function leaves in *gas is written back as the new
 * counter, so execution and the VM's charges draw on one number, as
 * tools/chain/hostrun.c does on the host.
 *
 * A host function may invoke another contract (liba_call): this run stays
 * in its system call, on this task's stack, while the callee runs in its
 * own address space, then resumes.  Each run's state is its own
 * allocation.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/uspace.h>
#include <krt/libc.h>
#include "crun.h"
#include "gate.h"
#include "grants.h"
#include "liba_call.h"
#include "run.h"
#include "ulib/ulib.h"


enum { C_RUNNING, C_RETURNED, C_REVERTED, C_GAS, C_FAULTED, C_STOPPED };

struct crun {
	struct run r;                   /* rd, as, pages, space, u, stack_pages */
	struct contract *c;
	const struct kr_contract_host *host;
	void *hctx;
	int end;
	int64_t ret;
	char why[KR_CONTRACT_WHY_MAX];
};

/* The counter, through the kernel's view of the contract's library data. */
static volatile int64_t *counter(const struct contract *c)
{
	uint64_t off = tcc_ulib_img.addr[ULIB_GAS] - (ULIB_BASE + tcc_ulib_img.img.data_off);

	return (volatile int64_t *)(c->h.ulib_data_kva + off);
}

static void fault(struct crun *x, const char *call, int arg, uint64_t p)
{
	char at[120];
	uint64_t ret = 0;

	if (x->end != C_RUNNING)
		return;
	/* The stub keeps no frame: the caller is the return address on top. */
	if (kr_as_copy(x->r.rd, x->r.as, x->r.u.rsp, &ret, sizeof(ret), false))
		ret = x->r.u.rip;
	run_where(&x->r, ret, at, sizeof(at));
	ksnprintf(x->why, sizeof(x->why), "%s: bad pointer to %s (argument %d: %#llx) at %s",
		  x->c->h.name, call, arg, (unsigned long long)p, at);
	x->end = C_FAULTED;
}

/* The region of the contract's memory holding p (writable if asked), or NULL. */
static const struct gate_region *region(const struct crun *x, uint64_t p, bool write)
{
	for (unsigned i = 0; i < x->r.space.n; i++) {
		const struct gate_region *g = &x->r.space.r[i];

		if (p >= g->lo && p < g->hi && (g->writable || !write))
			return g;
	}
	return NULL;
}

/* Map the stack pages [p, p + n) touches that are not yet (fresh, zeroed). */
static kr_err_t stack_cover(struct crun *x, uint64_t p, uint64_t n)
{
	kr_err_t e = KR_OK;

	if (!n || p < USTACK_TOP - USTACK_MAX || p >= USTACK_TOP)
		return KR_OK;
	for (uint64_t va = p & ~(uint64_t)(KR_PAGE_SIZE - 1); !e && va < p + n && va < USTACK_TOP;
	     va += KR_PAGE_SIZE)
		e = stack_page(&x->r, va);
	return e;
}

/* Copy n bytes between the contract's p and buf: false (the run FAULTED)
 * unless all of them are its memory (writable, for to_user). */
static bool xfer(struct crun *x, const char *call, int arg, uint64_t p, void *buf, uint64_t n,
		 bool to_user)
{
	if (!n)
		return true;
	if (!gate_range_ok(&x->r.space, p, n, to_user) || stack_cover(x, p, n) ||
	    kr_as_copy(x->r.rd, x->r.as, p, buf, n, to_user)) {
		fault(x, call, arg, p);
		return false;
	}
	return true;
}

/* A NUL-terminated string of at most max bytes with its NUL (n: its
 * length; max without a NUL in max bytes).  Read a region's piece at a
 * time: a byte outside the contract's memory before the NUL faults. */
static bool xstr(struct crun *x, const char *call, int arg, uint64_t p, char *buf, size_t max,
		 size_t *n)
{
	size_t got = 0, k;

	while (got < max) {
		const struct gate_region *g = region(x, p + got, false);
		char *z;

		if (!g) {
			fault(x, call, arg, p);
			return false;
		}
		k = KR_PAGE_SIZE - ((p + got) & (KR_PAGE_SIZE - 1));
		k = k < g->hi - (p + got) ? k : (size_t)(g->hi - (p + got));
		k = k < max - got ? k : max - got;
		if (!xfer(x, call, arg, p + got, buf + got, k, false))
			return false;
		z = memchr(buf + got, 0, k);
		if (z) {
			*n = (size_t)(z - buf);
			return true;
		}
		got += k;
	}
	*n = max;
	return true;
}

/* After a host function: its gas back into the counter, and its stops. */
static long host_done(struct crun *x, const uint64_t *gas, long ret)
{
	*counter(x->c) = (int64_t)*gas;
	x->r.gas_set = (int64_t)*gas;
	if (ret == KR_CONTRACT_STOP_GAS) {
		*counter(x->c) = 0;
		x->end = C_GAS;
	} else if (ret == KR_CONTRACT_STOP_REVERT) {
		x->end = C_REVERTED;
	}
	return ret;
}

/* The runner's side of liba_call.c: the contract's memory, its counter. */
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
	return (uint64_t)*counter(((struct crun *)ctx)->c);
}

static void io_done(void *ctx, uint64_t gas, long ret)
{
	host_done(ctx, &gas, ret);
}

static bool io_ended(void *ctx)
{
	return ((struct crun *)ctx)->end != C_RUNNING;
}

static void io_reverted(void *ctx)
{
	struct crun *x = ctx;

	if (x->end == C_RUNNING)
		x->end = C_REVERTED;
}

static void sys_call(struct crun *x, uint8_t *small, uint8_t *big, uint8_t *out)
{
	const uint64_t a[6] = { x->r.u.rdi, x->r.u.rsi, x->r.u.rdx, x->r.u.r10, x->r.u.r8,
				x->r.u.r9 };
	const struct gate_call *call = gate_find(x->r.u.rax);

	if (x->r.u.rax == ULIB_SYS_GAS_OUT) {   /* one quantum: the run's gas is spent */
		*counter(x->c) = 0;
		x->end = C_GAS;
	} else if (x->r.u.rax == ULIB_SYS_METHOD_END) {
		x->ret = (int64_t)a[0];
		x->end = C_RETURNED;
	} else if (call && call->grant == GRANT_VM && *counter(x->c) < 0) {
		*counter(x->c) = 0;             /* written below zero by the contract */
		x->end = C_GAS;
	} else if (call && call->grant == GRANT_VM) {
		const struct liba_io io = { x, io_xfer, io_xstr, io_gas, io_done, io_ended,
					    io_reverted, x->r.u.rsp, small, big, out };

		x->r.u.rax = (uint64_t)liba_call_run(&io, x->host, x->hctx, x->r.u.rax, a);
	} else {
		x->r.u.rax = (uint64_t)(long)KR_ENOSYS;
	}
}

/* The registers and regions of a run of c's method m. */
static void begin(struct crun *x, uint64_t m, uint32_t alen, uint64_t gas)
{
	const struct kr_kmod_linked *h = &x->c->h.img;

	x->r.h = &x->c->h;
	x->r.rd = x->c->h.dom;
	x->r.as = x->c->h.as;
	x->r.stack_pages = 1;           /* the top page is the contract's (uspace.c) */
	x->r.metered = true;
	x->r.end = RUNNING;
	x->r.space = (struct gate_space){ .n = 4, .r = {
		{ HANDLER_BASE + h->text_off, HANDLER_BASE + h->data_off, false },
		{ HANDLER_BASE + h->data_off, HANDLER_BASE + h->data_off + h->data_size, true },
		{ USTACK_TOP - USTACK_MAX, USTACK_TOP, true },
		{ ULIB_ARGS_BASE, ULIB_ARGS_BASE + ULIB_ARGS_MAX, false },
	} };
	kr_uctx_init(&x->r.u, tcc_ulib_img.method, USTACK_TOP - 16);
	x->r.u.rdi = ULIB_ARGS_BASE;
	x->r.u.rsi = alen;
	x->r.u.rdx = m;
	x->r.gas_budget = gas;
	x->r.gas_set = (int64_t)gas;
	*counter(x->c) = (int64_t)gas;
}

/* The run's pages go (revoked: out of the address space), its data is reset. */
static void end(struct crun *x)
{
	for (unsigned i = 0; i < x->r.npages; i++)
		if (kr_cap_revoke(x->r.rd, x->r.pages[i]) == KR_ERIGHTS ||
		    kr_cap_delete(x->r.rd, x->r.pages[i]) != KR_OK)
			kr_log(KR_LOG_ERR, "tcc: %s: cannot free a page of its run\n", x->c->h.name);
	x->r.npages = 0;
	space_reset(&x->c->h, false);
}

static void loop(struct crun *x, uint8_t *small, uint8_t *big, uint8_t *out)
{
	char msg[200];
	kr_err_t e;

	while (x->end == C_RUNNING) {
		e = kr_as_run(x->r.rd, x->r.as, &x->r.u, NULL, NULL);
		if (e) {
			ksnprintf(x->why, sizeof(x->why), "%s: cannot run: %s", x->c->h.name,
				  kr_strerror(e));
			x->end = C_FAULTED;
		} else if (*counter(x->c) > x->r.gas_set) {     /* only the kernel raises it */
			ksnprintf(x->why, sizeof(x->why), "%s: gas counter tampered with",
				  x->c->h.name);
			x->end = C_FAULTED;
		} else if (x->r.u.exit == KR_UEXIT_SYSCALL) {
			sys_call(x, small, big, out);
		} else if (x->r.u.exit == KR_UEXIT_EXCEPTION) {
			uint64_t a = x->r.u.addr;

			if (x->r.u.vector == 14 && !(x->r.u.error & 1) && a >= USTACK_TOP - USTACK_MAX &&
			    a < USTACK_TOP && stack_page(&x->r, a) == KR_OK)
				continue;
			x->r.end = FAULTED;
			run_report_fault(&x->r, msg, sizeof(msg));
			msg[strcspn(msg, "\n")] = '\0';
			ksnprintf(x->why, sizeof(x->why), "%s", msg);
			x->end = C_FAULTED;
		} else if (tcc_shell && tcc_shell->interrupted && tcc_shell->interrupted()) {
			x->end = C_STOPPED;             /* Ctrl-C: not the contract's doing */
		} else if (tcc_sched) {
			tcc_sched->yield();
		}
	}
}

kr_err_t contract_invoke(uint32_t id, const char *method, const void *args, uint32_t alen,
			 uint64_t gas, const struct kr_contract_host *host, void *hctx,
			 struct kr_contract_result *res)
{
	struct contract *c = id < MAX_CONTRACTS && tcc_contracts[id].h.used ?
			     &tcc_contracts[id] : NULL;
	uint64_t m = c ? contract_method(c, method) : 0;
	struct crun *x;
	uint8_t *buf;
	int64_t left;
	bool stopped;

	if (!method || !res || !host || host->magic != KR_CONTRACT_HOST_MAGIC ||
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
	x = kr_calloc(tcc_self, 1, sizeof(*x));
	buf = kr_malloc(tcc_self, LIBA_SMALL_SIZE + LIBA_BIG_SIZE + LIBA_OUT_SIZE);
	if (!x || !buf) {
		kr_free(tcc_self, x);
		kr_free(tcc_self, buf);
		return KR_ENOMEM;
	}
	c->running = true;
	x->c = c;
	x->host = host;
	x->hctx = hctx;
	if (alen)
		memcpy(c->args_kva, args, alen);
	if (c->args_len > alen)         /* what the last invoke's arguments left */
		memset(c->args_kva + alen, 0, c->args_len - alen);
	c->args_len = alen;
	space_reset(&c->h, false);
	begin(x, m, alen, gas);
	loop(x, buf, buf + LIBA_SMALL_SIZE, buf + LIBA_SMALL_SIZE + LIBA_BIG_SIZE);
	left = *counter(c);
	*res = (struct kr_contract_result){ .version = KR_CONTRACT_RESULT_VERSION,
		.end = x->end == C_RETURNED ? KR_CONTRACT_RETURNED :
		       x->end == C_REVERTED ? KR_CONTRACT_REVERTED :
		       x->end == C_GAS ? KR_CONTRACT_OUT_OF_GAS : KR_CONTRACT_FAULTED,
		.ret = x->end == C_RETURNED ? x->ret : 0,
		.gas_left = x->end == C_GAS || left < 0 ? 0 : (uint64_t)left };
	ksnprintf(res->why, sizeof(res->why), "%s", x->why);
	end(x);
	c->running = false;
	stopped = x->end == C_STOPPED;
	kr_free(tcc_self, buf);
	kr_free(tcc_self, x);
	return stopped ? KR_ETIME : KR_OK;
}
