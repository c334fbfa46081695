/*
 * contract.c - the "runner.contract" service (<karyon/contract.h>): a
 * contract's C source compiled in the kernel, metered, and kept in a slot
 * of its own table (MAX_CONTRACTS, apart from the handlers), ready for
 * contract_run.c to run its methods.
 *
 * load is a ladder: check the arguments -> read the encoding helper
 * (/usr/lib/liba/enc.c) -> compile the two units into one object (a
 * guarded call on the module's stack, a fresh domain as libtcc's heap,
 * compile.c's buffer mode, gas.c's contract mode: no floating point) ->
 * link it through the kmod service against liba, memcpy, memmove, memset,
 * memcmp and the gas counter only -> build its address space (uspace.c:
 * the handler library's pages, where the liba_* stubs are, its image, its
 * stack's top page) -> map its arguments' pages.  A failed step frees what
 * the steps before it made (the contract's domain holds all of it).
 *
 * Why a load was refused is the first error's text after "error: ": no
 * file, no line, so tools/chain/hostrun.c says the same for the same
 * source (receipts hash it).
 */
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/uspace.h>
#include <krt/libc.h>
#include "compile.h"
#include "crun.h"
#include "gas.h"
#include "grants.h"
#include "sys.h"
#include "ulib/ulib.h"

#define ENC_PATH        "/usr/lib/liba/enc.c"
#define ENC_MAX         (64u << 10)
#define BUDGET_MS       10000
#define BUDGET_MB       64

struct contract tcc_contracts[MAX_CONTRACTS];

static const char *const defines[] = { "__KARYON_CONTRACT__=1" };

/* The pure calls a contract may link against besides liba (grant "vm"). */
static const char *const pure_ok[] = { "memcpy", "memmove", "memset", "memcmp",
				       "__karyon_gas", "__karyon_gas_out" };

/* ---- the compile ---- */

struct load_ctx {
	kr_print_fn diag;
	void *dctx;
	char *why;
	size_t whylen;
	bool have_why;
};

/* Every diagnostic to diag; the first error's text after "error: " is why. */
static void load_diag(void *ctx, const char *line)
{
	struct load_ctx *l = ctx;
	const char *e = strstr(line, "error: ");

	if (l->diag)
		l->diag(l->dctx, line);
	if (e && !l->have_why) {
		ksnprintf(l->why, l->whylen, "%s", e + 7);
		l->have_why = true;
	}
}

static void set_why(struct load_ctx *l, const char *what)
{
	if (!l->have_why)
		ksnprintf(l->why, l->whylen, "%s", what);
	l->have_why = true;
}

/* The encoding helper's source from the image, into *buf (tcc_self). */
static kr_err_t read_enc(char **buf, size_t *len)
{
	struct kr_vfs_stat st;
	kr_err_t e = tcc_vfs->stat("/", ENC_PATH, &st);

	if (e)
		return e;
	if (st.type != KR_VFS_FILE || st.size > ENC_MAX)
		return KR_EFORMAT;
	*buf = kr_malloc(tcc_self, st.size ? st.size : 1);
	if (!*buf)
		return KR_ENOMEM;
	e = tcc_vfs->read("/", ENC_PATH, 0, *buf, st.size, len);
	if (e)
		kr_free(tcc_self, *buf);
	return e;
}

/* Compile src and the helper into an object in a fresh domain's heap (*cd;
 * the caller destroys it). */
static kr_err_t compile(struct load_ctx *l, const char *src, size_t len, kr_domain_t **cd,
			const void **obj, size_t *olen)
{
	struct compile_req q = { .lines = true, .gas = true, .gas_flags = GAS_CONTRACT,
				 .diag = load_diag, .ctx = l, .nunits = 2 };
	struct kr_guard g = guard_budget(BUDGET_MS);
	char *enc = NULL;
	size_t enclen = 0;
	long ret = KR_OK;
	bool over = false;
	kr_err_t e = read_enc(&enc, &enclen);

	if (e) {
		set_why(l, "the encoding helper " ENC_PATH " is missing");
		return e == KR_ENOMEM ? e : KR_ENOENT;
	}
	q.defines[0] = defines[0];
	q.ndefines = 1;
	q.units[0] = (struct compile_unit){ "contract.c", src, len };
	q.units[1] = (struct compile_unit){ "enc.c", enc, enclen };
	e = kr_domain_create(tcc_self, "tcc:contract", 8, cd);
	if (!e) {
		sys_begin(*cd, tcc_vfs, "/", load_diag, l);
		sys_budget(BUDGET_MS, (uint64_t)BUDGET_MB << 20);
		e = kr_guard_call(tcc_self, &g, compile_entry, &q, &ret);
		*obj = sys_object(olen);
		over = sys_over() || (e == KR_EFAULT && g.fault.kind == KR_FAULT_BUDGET);
		if (over)
			set_why(l, "the compile used up its budget");
		if (over || e || ret)
			*obj = NULL;
		sys_end();
	}
	kr_free(tcc_self, enc);
	/* Neither the budget (wall time and this kernel's memory) nor a fault
	 * inside libtcc is a property of the source every machine would see
	 * alike: they are the runner's failures (KR_ETIME, KR_EFAULT), never
	 * a refusal a receipt would record. */
	if (e == KR_EFAULT) {           /* libtcc's statics point into the freed heap */
		libtcc_restore();
		if (over)
			return KR_ETIME;
		set_why(l, "the compiler stopped");
		return KR_EFAULT;
	}
	if (e)
		return e;
	if (over)
		return KR_ETIME;
	if (!*obj) {
		set_why(l, q.errors ? "compile error" : "the compiler wrote no object");
		return ret == KR_ENOMEM ? KR_ENOMEM : KR_EFORMAT;
	}
	return KR_OK;
}

/* ---- the link ---- */

struct link_ctx {
	struct contract *c;
	kr_cap_t cap;
	char outside[48];               /* the first name outside liba */
	bool too_many;                  /* more than CONTRACT_METHODS methods */
};

static void *link_alloc(void *ctx, size_t size)
{
	struct link_ctx *l = ctx;

	return pages_for(l->c->h.dom, size, &l->cap);
}

static void link_free(void *ctx, void *p, size_t size)
{
	struct link_ctx *l = ctx;

	(void)p;
	(void)size;
	kr_cap_delete(l->c->h.dom, l->cap);
}

/* liba (grant "vm") and the pure memory functions and gas symbols; any
 * other name links to 0 and the load is refused with it. */
static kr_err_t link_resolve(void *ctx, const char *name, uint64_t *addr)
{
	struct link_ctx *l = ctx;
	const struct grant_call *call = NULL;
	bool ok = grant_lookup(name, GRANT_BIT(GRANT_VM), &call) == KR_OK &&
		  call->grant == GRANT_VM;

	for (unsigned i = 0; !ok && i < sizeof(pure_ok) / sizeof(pure_ok[0]); i++)
		ok = !strcmp(name, pure_ok[i]) && grant_lookup(name, 0, &call) == KR_OK;
	if (ok) {
		*addr = tcc_ulib_img.addr[call->nr];
		return KR_OK;
	}
	if (!l->outside[0])
		ksnprintf(l->outside, sizeof(l->outside), "%s", name);
	*addr = 0;
	return KR_OK;
}

/* Each liba_m_METHOD the object defines. */
static kr_err_t link_defined(void *ctx, const char *name, uint64_t addr)
{
	struct contract *c = ((struct link_ctx *)ctx)->c;
	size_t n = strlen(name);

	if (n <= 7 || strncmp(name, "liba_m_", 7) || n - 7 > KR_VM_METHOD_MAX)
		return KR_OK;
	if (c->nmethods == CONTRACT_METHODS) {
		((struct link_ctx *)ctx)->too_many = true;
		return KR_OK;
	}
	memcpy(c->methods[c->nmethods].name, name + 7, n - 6);
	c->methods[c->nmethods++].addr = addr;
	return KR_OK;
}

/* Link obj into c's domain, its address space, its arguments' pages. */
static kr_err_t link_contract(struct load_ctx *lc, struct contract *c, const void *obj,
			      size_t len)
{
	struct handler *h = &c->h;
	struct link_ctx l = { .c = c };
	/* The entry the linker wants: any function; the helper always has it. */
	struct kr_kmod_link how = { .version = KR_KMOD_LINK_VERSION, .ctx = &l, .alloc = link_alloc,
		.free = link_free, .resolve = link_resolve, .entry = "liba_w_init",
		.link_addr = HANDLER_BASE, .defined = link_defined };
	char err[128];
	char why[80];
	kr_err_t e = tcc_kmod->link(obj, len, &how, &h->img, err, sizeof(err));

	if (e) {
		set_why(lc, err);
		return e == KR_ENOMEM ? e : KR_EFORMAT;
	}
	h->img_cap = l.cap;
	if (l.outside[0]) {
		ksnprintf(why, sizeof(why), "call outside liba: %s", l.outside);
		set_why(lc, why);
		return KR_EFORMAT;
	}
	if (l.too_many) {
		set_why(lc, "more than " CONTRACT_METHODS_TEXT " methods");
		return KR_EFORMAT;
	}
	h->data_copy = kr_malloc(h->dom, h->img.data_size ? h->img.data_size : 1);
	if (!h->data_copy)
		return KR_ENOMEM;
	memcpy(h->data_copy, h->img.base + h->img.data_off, h->img.data_size);
	e = space_build(h);
	if (!e) {
		c->args_kva = pages_for(h->dom, ULIB_ARGS_MAX, &c->args_cap);
		e = c->args_kva ? kr_as_map(h->dom, h->as, c->args_cap, 0,
					    ULIB_ARGS_MAX / KR_PAGE_SIZE, ULIB_ARGS_BASE,
					    KR_RIGHT_READ) : KR_ENOMEM;
	}
	return e;
}

static bool name_ok(const char *name)
{
	size_t n = name ? strnlen(name, NAME_MAX) : 0;

	if (!n || n >= NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_'))
			return false;
	return true;
}

static kr_err_t svc_load(const char *name, const void *src, size_t len, kr_print_fn diag,
			 void *dctx, uint32_t *id, char *why, size_t whylen)
{
	struct load_ctx l = { diag, dctx, why, whylen, false };
	struct contract *c = NULL;
	kr_domain_t *cd = NULL;
	const void *obj = NULL;
	size_t olen = 0;
	uint32_t i;
	kr_err_t e;

	if (!name_ok(name) || (!src && len) || len > KR_VM_ARGS_MAX || !id || !why || !whylen)
		return KR_EINVAL;
	why[0] = '\0';
	for (i = 0; i < MAX_CONTRACTS && tcc_contracts[i].h.used; i++)
		;
	if (i == MAX_CONTRACTS)
		return KR_ENOSPC;
	if (!tcc_kmod && open_service("kmod", KR_KMOD_SERVICE_VERSION, (const void **)&tcc_kmod))
		return KR_ENOSYS;
	if (ulib_load(why, whylen))
		return KR_ENOSYS;
	e = compile(&l, src ? src : "", len, &cd, &obj, &olen);
	c = &tcc_contracts[i];
	*c = (struct contract){ 0 };
	if (!e) {
		ksnprintf(c->h.name, sizeof(c->h.name), "%s", name);
		kr_blake2b_256(c->h.source, src ? src : "", len);
		e = kr_domain_create(tcc_self, c->h.name, HANDLER_SLOTS, &c->h.dom);
	}
	if (!e) {
		c->h.used = true;
		c->h.metered = true;
		c->h.grants = GRANT_BIT(GRANT_PURE) | GRANT_BIT(GRANT_VM);
		e = link_contract(&l, c, obj, olen);
	}
	if (!e) {                       /* its line table, for the reports' (contract.c:N) */
		struct line_table *t = kr_malloc(cd, LINES_SIZE(LINES_MAX));

		if (t) {
			lines_read(obj, olen, t);
			c->h.lines = t->nrows ? kr_malloc(c->h.dom, LINES_SIZE(t->nrows)) : NULL;
			if (c->h.lines)
				memcpy(c->h.lines, t, LINES_SIZE(t->nrows));
			kr_free(cd, t);
		}
	}
	if (cd) {
		if (obj)
			kr_free(cd, (void *)obj);
		kr_domain_destroy(tcc_self, cd);
	}
	if (e && c->h.dom)
		handler_free(&c->h);
	if (e && !why[0])
		ksnprintf(why, whylen, "%s", kr_strerror(e));
	if (e) {
		*c = (struct contract){ 0 };
		return e;
	}
	*id = i;
	return KR_OK;
}

static kr_err_t svc_unload(uint32_t id)
{
	struct contract *c = id < MAX_CONTRACTS ? &tcc_contracts[id] : NULL;

	if (!c || !c->h.used)
		return KR_ENOENT;
	if (c->running)
		return KR_EBUSY;
	handler_free(&c->h);
	*c = (struct contract){ 0 };
	return KR_OK;
}

uint64_t contract_method(const struct contract *c, const char *method)
{
	for (unsigned i = 0; method && i < c->nmethods; i++)
		if (!strcmp(c->methods[i].name, method))
			return c->methods[i].addr;
	return 0;
}

static bool svc_has_method(uint32_t id, const char *method)
{
	return id < MAX_CONTRACTS && tcc_contracts[id].h.used &&
	       contract_method(&tcc_contracts[id], method) != 0;
}

static const struct kr_contract_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_CONTRACT_VERSION, sizeof(struct kr_contract_ops), 0 },
	.load = svc_load, .unload = svc_unload, .has_method = svc_has_method,
	.invoke = contract_invoke,
};

kr_err_t contract_publish(void)
{
	kr_cap_t c;

	return kr_service_publish(tcc_self, KR_CONTRACT_SERVICE, &ops.hdr, &c);
}

void contract_exit(void)
{
	for (unsigned i = 0; i < MAX_CONTRACTS; i++)
		if (tcc_contracts[i].h.used && !tcc_contracts[i].running)
			handler_free(&tcc_contracts[i].h);
}
