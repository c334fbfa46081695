/*
 * hostrun.c - the contract runner on the host (hostrun.h): load compiles
 * and links a contract the kernel's way (modules/tcc/contract.c), invoke
 * runs one method the kernel's way (modules/tcc/contract_run.c).
 *
 * Fixed addresses, the kernel's (modules/tcc/tcc.h, ulib/ulib.h):
 *   ULIB_BASE        the stubs (r-x), their jump slots (r--), the gas
 *                    counter (rw-): what the contract links against
 *   HANDLER_BASE     the running contract's image: text r-x, ro r--,
 *                    data rw- (copied in at every invoke)
 *   ULIB_ARGS_BASE   its arguments, r-- (64 KiB)
 *   USTACK_TOP       its stack, 256 KiB rw- (zeroed at every invoke),
 *                    1 MiB of nothing below it (an overflow faults)
 * A nested invoke (a host function calling invoke) saves what the
 * suspended contract has in these places and puts it back afterwards.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <libtcc.h>
#include <liba.h>
#include "tcc/gas.h"
#include "hostrun_int.h"

__attribute__((visibility("hidden"))) struct hr_cpu *hostrun_cur;
struct contract hr_contracts[MAX_CONTRACTS];
bool hr_ready;
int hr_resident = -1;
volatile sig_atomic_t hr_in_user;
struct hr_caught hr_caught;
static char inc[3][512], enc_path[512];

/* ---- the low pages: stubs, slots, the counter ---- */

static uint8_t *lib;                    /* ULIB_BASE: text, slots, data */
#define LIB_SLOTS (lib + PAGE)
#define LIB_DATA  (lib + 2 * PAGE)
volatile int64_t *hr_gas_counter(void)
{
	return (volatile int64_t *)LIB_DATA;
}

struct stub { const char *name; int nr; void *target; };   /* nr < 0: a plain jump */
static struct stub stubs[] = {
	{ "liba_get", 124, NULL }, { "liba_set", 125, NULL }, { "liba_del", 126, NULL },
	{ "liba_log", 127, NULL }, { "liba_blake2b", 128, NULL }, { "liba_ctx", 129, NULL },
	{ "liba_call", 130, NULL }, { "liba_return", 131, NULL }, { "liba_revert", 132, NULL },
	{ "memcpy", -1, (void *)memcpy }, { "memmove", -1, (void *)memmove },
	{ "memset", -1, (void *)memset }, { "memcmp", -1, (void *)memcmp },
	{ "__karyon_gas_out", SYS_GAS_OUT, NULL }, { "__karyon_method", SYS_METHOD_END, NULL },
};
#define NSTUBS (sizeof(stubs) / sizeof(stubs[0]))
#define STUB_SIZE 32

static uint64_t stub_addr(unsigned i)
{
	return ULIB_BASE + i * STUB_SIZE;
}

/* Stub i: [push rax, rcx, r11 for gas_out | call *%rdx; mov %rax,%rdi for
 * the method's entry] mov $nr, %eax; jmp *slot(%rip). */
static void write_stub(unsigned i)
{
	uint8_t *p = lib + i * STUB_SIZE, *at = p;
	uint64_t slot = ULIB_BASE + PAGE + i * 8;
	int32_t disp;

	if (stubs[i].nr == SYS_GAS_OUT) {
		static const uint8_t push[] = { 0x50, 0x51, 0x41, 0x53 };

		memcpy(at, push, sizeof(push));
		at += sizeof(push);
	} else if (stubs[i].nr == SYS_METHOD_END) {
		static const uint8_t call[] = { 0xff, 0xd2, 0x48, 0x89, 0xc7 };

		memcpy(at, call, sizeof(call));
		at += sizeof(call);
	}
	if (stubs[i].nr >= 0) {
		*at++ = 0xb8;
		memcpy(at, &stubs[i].nr, 4);
		at += 4;
	}
	*at++ = 0xff;
	*at++ = 0x25;
	disp = (int32_t)(slot - (ULIB_BASE + (uint64_t)(at - lib) + 4));
	memcpy(at, &disp, 4);
	((uint64_t *)LIB_SLOTS)[i] = (uint64_t)(stubs[i].nr >= 0 ? (void *)hostrun_trap :
						stubs[i].target);
}

static void *map_fixed(uint64_t at, size_t size, int prot)
{
	void *p = mmap((void *)at, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	return p == MAP_FAILED || p != (void *)at ? NULL : p;
}

kr_err_t hostrun_init(const char *root)
{
	if (hr_ready)
		return KR_OK;
	snprintf(inc[0], sizeof(inc[0]), "%s/sdk/handler/include", root);
	snprintf(inc[1], sizeof(inc[1]), "%s/sdk/include", root);
	snprintf(inc[2], sizeof(inc[2]), "%s/sdk/liba/include", root);
	snprintf(enc_path, sizeof(enc_path), "%s/sdk/liba/enc.c", root);
	lib = map_fixed(ULIB_BASE, 3 * PAGE, PROT_READ | PROT_WRITE);
	if (!lib || !map_fixed(HANDLER_BASE, IMAGE_MAX, PROT_NONE) ||
	    !map_fixed(ULIB_ARGS_BASE, ULIB_ARGS_MAX, PROT_READ) ||
	    !map_fixed(USTACK_TOP - USTACK_MAX - USTACK_GAP, USTACK_MAX + USTACK_GAP, PROT_NONE) ||
	    mprotect((void *)(USTACK_TOP - USTACK_MAX), USTACK_MAX, PROT_READ | PROT_WRITE))
		return KR_EEXIST;
	for (unsigned i = 0; i < NSTUBS; i++)
		write_stub(i);
	if (mprotect(lib, PAGE, PROT_READ | PROT_EXEC) || mprotect(lib + PAGE, PAGE, PROT_READ))
		return KR_EEXIST;
	hr_ready = true;
	return KR_OK;
}

/* ---- load: the kernel's compile (compile.c) and link (contract.c) ---- */

struct load_ctx {
	kr_print_fn diag;
	void *dctx;
	char *why;
	size_t whylen;
	bool have_why;
	unsigned errors;
};

static void diag_line(struct load_ctx *l, const char *line)
{
	const char *e = strstr(line, "error: ");

	if (strstr(line, ": error: "))
		l->errors++;
	if (l->diag)
		l->diag(l->dctx, line);
	if (e && !l->have_why) {
		snprintf(l->why, l->whylen, "%s", e + 7);
		l->have_why = true;
	}
}

static void on_error(void *opaque, const char *msg)
{
	diag_line(opaque, msg);
}

static void set_why(struct load_ctx *l, const char *what)
{
	if (!l->have_why)
		snprintf(l->why, l->whylen, "%s", what);
	l->have_why = true;
}

static TCCState *state(struct load_ctx *l, int output, bool macros)
{
	TCCState *s = tcc_new();

	if (!s)
		return NULL;
	tcc_set_error_func(s, l, on_error);
	tcc_set_options(s, "-nostdlib -nostdinc -fno-common -g");
	tcc_set_output_type(s, output);
	for (int i = 0; i < 3; i++)
		tcc_add_sysinclude_path(s, inc[i]);
	if (macros) {
		tcc_define_symbol(s, "__KARYON__", "1");
		tcc_define_symbol(s, "__KARYON_GAS__", "1");
		tcc_define_symbol(s, "__KARYON_CONTRACT__", "1");
	}
	return s;
}

static char *unit_text(const char *name, const char *src, size_t len)
{
	size_t n = strlen(name) + 12;
	char *t = malloc(n + len + 1);

	if (!t)
		return NULL;
	snprintf(t, n + 1, "#line 1 \"%s\"\n", name);
	n = strlen(t);
	memcpy(t + n, src, len);
	t[n + len] = '\0';
	return t;
}

/* The whole of a stream written by libtcc, NUL-terminated (malloc). */
static char *slurp(FILE *f, size_t *len)
{
	long n;
	char *b;

	fflush(f);
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return NULL;
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		return NULL;
	}
	if (b)
		b[n] = '\0';
	*len = (size_t)n;
	return b;
}

/* Pass 1 (preprocess, its stdout captured) and the metering of one unit. */
static kr_err_t metered(struct load_ctx *l, const char *name, const char *src, size_t len,
			struct gas_result *g)
{
	TCCState *s = state(l, TCC_OUTPUT_PREPROCESS, true);
	char *t = unit_text(name, src, len), *pp = NULL, err[160];
	FILE *tmp = tmpfile();
	int saved = -1, r = -1;
	size_t n = 0;
	kr_err_t e = KR_ENOMEM;

	if (s && t && tmp) {
		fflush(stdout);
		saved = dup(1);
		if (saved >= 0 && dup2(fileno(tmp), 1) >= 0) {
			r = tcc_compile_string(s, t);
			fflush(stdout);
			dup2(saved, 1);
		}
		if (saved >= 0)
			close(saved);
		pp = r || l->errors ? NULL : slurp(tmp, &n);
		e = r || l->errors ? KR_EFORMAT : pp ? KR_OK : KR_ENOMEM;
	}
	if (s)
		tcc_delete(s);
	if (tmp)
		fclose(tmp);
	free(t);
	if (!e) {
		e = gas_instrument_mode(pp, n, GAS_CONTRACT, g, err, sizeof(err));
		if (e == KR_EFORMAT)
			diag_line(l, err);
	}
	free(pp);
	return e;
}

static kr_err_t compile(struct load_ctx *l, const char *src, size_t len, void **obj,
			size_t *olen)
{
	struct gas_result g[2] = { { 0 }, { 0 } };
	FILE *ef = fopen(enc_path, "rb");
	char *enc = ef ? slurp(ef, &(size_t){ 0 }) : NULL, path[] = "/tmp/hostrun-XXXXXX";
	size_t enclen = enc ? strlen(enc) : 0;
	TCCState *s = NULL;
	kr_err_t e = enc ? KR_OK : KR_ENOENT;
	int fd = -1, r = 0;
	FILE *of;

	if (ef)
		fclose(ef);
	if (e)
		set_why(l, "the encoding helper /usr/lib/liba/enc.c is missing");
	if (!e)
		e = metered(l, "contract.c", src, len, &g[0]);
	if (!e)
		e = metered(l, "enc.c", enc, enclen, &g[1]);
	if (!e && !(s = state(l, TCC_OUTPUT_OBJ, false)))
		e = KR_ENOMEM;
	for (int i = 0; i < 2 && !e && !r && !l->errors; i++)
		r = tcc_compile_string(s, g[i].text);
	if (!e && (r || l->errors))
		e = KR_EFORMAT;
	if (!e && ((fd = mkstemp(path)) < 0 || tcc_output_file(s, path)))
		e = KR_EFORMAT;
	if (s)
		tcc_delete(s);
	if (!e && (of = fopen(path, "rb")) != NULL) {
		*obj = slurp(of, olen);
		fclose(of);
		e = *obj ? KR_OK : KR_ENOMEM;
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(g[0].text);
	free(g[1].text);
	free(enc);
	if (e == KR_EFORMAT)
		set_why(l, "compile error");
	return e;
}

struct link_ctx {
	struct contract *c;
	char outside[48];
	bool too_many;          /* more than METHODS_MAX methods */
};

static void *link_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return aligned_alloc(PAGE, size);
}

static void link_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	(void)size;
	free(p);
}

static kr_err_t link_resolve(void *ctx, const char *name, uint64_t *addr)
{
	struct link_ctx *l = ctx;

	for (unsigned i = 0; i < NSTUBS; i++)
		if (stubs[i].nr != SYS_METHOD_END && !strcmp(name, stubs[i].name)) {
			*addr = stub_addr(i);
			return KR_OK;
		}
	if (!strcmp(name, "__karyon_gas")) {
		*addr = ULIB_BASE + 2 * PAGE;
		return KR_OK;
	}
	if (!l->outside[0])
		snprintf(l->outside, sizeof(l->outside), "%s", name);
	*addr = 0;
	return KR_OK;
}

static kr_err_t link_defined(void *ctx, const char *name, uint64_t addr)
{
	struct contract *c = ((struct link_ctx *)ctx)->c;
	size_t n = strlen(name);

	if (n <= 7 || strncmp(name, "liba_m_", 7) || n - 7 > KR_VM_METHOD_MAX)
		return KR_OK;
	if (c->nmethods == METHODS_MAX) {
		((struct link_ctx *)ctx)->too_many = true;
		return KR_OK;
	}
	memcpy(c->methods[c->nmethods].name, name + 7, n - 6);
	c->methods[c->nmethods++].addr = addr;
	return KR_OK;
}

static const struct kmod_env env_tmpl = { .alloc = link_alloc, .free = link_free,
	.resolve = link_resolve, .entry = "liba_w_init", .link_addr = HANDLER_BASE,
	.defined = link_defined };

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

static kr_err_t hr_load(const char *name, const void *src, size_t len, kr_print_fn diag,
			void *dctx, uint32_t *id, char *why, size_t whylen)
{
	struct load_ctx l = { diag, dctx, why, whylen, false, 0 };
	struct contract *c;
	struct link_ctx lc;
	struct kmod_env env = env_tmpl;
	struct kmod_error err = { 0 };
	void *obj = NULL;
	size_t olen = 0;
	char w[240];
	uint32_t i;
	kr_err_t e;

	if (!hr_ready || !name_ok(name) || (!src && len) || len > KR_VM_ARGS_MAX || !id || !why ||
	    !whylen)
		return KR_EINVAL;
	why[0] = '\0';
	for (i = 0; i < MAX_CONTRACTS && hr_contracts[i].used; i++)
		;
	if (i == MAX_CONTRACTS)
		return KR_ENOSPC;
	c = &hr_contracts[i];
	*c = (struct contract){ 0 };
	e = compile(&l, src ? src : "", len, &obj, &olen);
	lc = (struct link_ctx){ .c = c };
	env.ctx = &lc;
	if (!e && (e = kmod_load(obj, olen, &env, &c->img, &err)) != KR_OK) {
		snprintf(w, sizeof(w), "%s: %s", err.what ? err.what : kr_strerror(e), err.detail);
		set_why(&l, w);
		e = e == KR_ENOMEM ? e : KR_EFORMAT;
	}
	if (!e && lc.outside[0]) {
		snprintf(w, sizeof(w), "call outside liba: %s", lc.outside);
		set_why(&l, w);
		e = KR_EFORMAT;
	}
	if (!e && lc.too_many) {
		snprintf(w, sizeof(w), "more than %d methods", METHODS_MAX);
		set_why(&l, w);
		e = KR_EFORMAT;
	}
	if (!e && c->img.size > IMAGE_MAX)
		e = KR_ENOMEM;
	if (!e && !(c->data_copy = malloc(c->img.data_size ? c->img.data_size : 1)))
		e = KR_ENOMEM;
	if (!e && (c->lines = malloc(LINES_SIZE(LINES_MAX))) != NULL) {
		lines_read(obj, olen, c->lines);
		if (!c->lines->nrows) {
			free(c->lines);
			c->lines = NULL;
		}
	}
	free(obj);
	if (e && !why[0])
		snprintf(why, whylen, "%s", kr_strerror(e));
	if (e) {
		if (c->img.base)
			kmod_release(&env, &c->img);
		*c = (struct contract){ 0 };
		return e;
	}
	memcpy(c->data_copy, c->img.base + c->img.data_off, c->img.data_size);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->used = true;
	if (hr_resident == (int)i)
		hr_resident = -1;
	*id = i;
	return KR_OK;
}

static kr_err_t hr_unload(uint32_t id)
{
	struct contract *c = id < MAX_CONTRACTS && hr_contracts[id].used ? &hr_contracts[id] : NULL;
	struct kmod_env env = env_tmpl;

	if (!c)
		return KR_ENOENT;
	if (c->running)
		return KR_EBUSY;
	kmod_release(&env, &c->img);
	free(c->data_copy);
	free(c->lines);
	*c = (struct contract){ 0 };
	if (hr_resident == (int)id)
		hr_resident = -1;
	return KR_OK;
}

uint64_t hr_method_entry(void)
{
	return stub_addr(NSTUBS - 1);
}

uint64_t hr_method_addr(const struct contract *c, const char *method)
{
	for (unsigned i = 0; method && i < c->nmethods; i++)
		if (!strcmp(c->methods[i].name, method))
			return c->methods[i].addr;
	return 0;
}

static bool hr_has_method(uint32_t id, const char *method)
{
	return id < MAX_CONTRACTS && hr_contracts[id].used && hr_method_addr(&hr_contracts[id], method);
}

static const struct kr_contract_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_CONTRACT_VERSION, sizeof(struct kr_contract_ops), 0 },
	.load = hr_load, .unload = hr_unload, .has_method = hr_has_method, .invoke = hr_invoke,
};

const struct kr_contract_ops *hostrun_ops(void)
{
	return &ops;
}
