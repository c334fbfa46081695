/*
 * tcc.c - the tcc module: compile C handlers on the device and run them.
 *
 * Shell commands (added through the shell service):
 *   cc FILE.c [-o NAME] [-g GRANT[,GRANT]]... [-DNAME[=VAL]]... [-IDIR]...
 *   run NAME [ARGS...]     handlers     unload NAME
 *
 * A compile runs libtcc (compile.c) as a guarded call on the module's own
 * stack with a fresh domain as its heap, so whatever libtcc allocates, or
 * leaves behind if it is stopped, goes with that domain.  The object it
 * writes is linked by the kmod service against the handler's grants only
 * (grants.c, calls.c) into pages of the handler's own domain: text
 * read+exec, ro read-only, data read+write.
 *
 * A run is a guarded call too: its heap is a domain of its own, freed when
 * the run ends however it ends, and its data section starts from the
 * linked image every time, as a fresh process would.  A CPU exception or
 * an exhausted time budget (tcc.budget_ms=, default 2000) stops the run
 * with a report; the handler stays loaded.
 */
#include <karyon/console.h>
#include <karyon/guard.h>
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/kmod.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/shell.h>
#include <krt/libc.h>
#include "compile.h"
#include "grants.h"
#include "hlib.h"

#define PAGE            4096u
#define MAX_HANDLERS    32
#define NAME_MAX        32
#define STACK_PAGES     64      /* 256 KiB, below it one read-only guard page */
#define MAX_MISSING     8
#define MAX_ARGS        32
#define SOURCE_MAX      (1u << 20)

typedef void (*print_fn)(void *ctx, const char *s);

/* The TSC: under QEMU with -icount shift=0 it counts guest instructions,
 * which is how -v's figures are meant to be read (tools/bench_tcc.py). */
static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

struct handler {
	bool used;
	char name[NAME_MAX];
	kr_domain_t *dom;               /* owns the image pages and data_copy */
	kr_cap_t img_cap;
	struct kmod_linked img;
	void *data_copy;                /* the data region as linked */
	uint32_t grants;
	uint8_t version[8];             /* BLAKE2b-256 of the source, first bytes */
};

static kr_domain_t *self;
static const struct shell_ops *shell;
static const struct vfs_ops *vfs;
static const struct kmod_ops *kmod;
static struct handler handlers[MAX_HANDLERS];
static uint8_t *stack;                  /* guard page + STACK_PAGES */
static uint32_t budget_ms = 2000;

static void printf_to(print_fn print, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void printf_to(print_fn print, void *ctx, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	print(ctx, buf);
}

static struct handler *find(const char *name)
{
	for (int i = 0; i < MAX_HANDLERS; i++)
		if (handlers[i].used && !strcmp(handlers[i].name, name))
			return &handlers[i];
	return NULL;
}

static struct kr_guard guard_for(uint32_t budget, uint64_t code_lo, uint64_t code_hi)
{
	return (struct kr_guard){ .version = KR_GUARD_VERSION, .budget_ms = budget,
		.stack_lo = (uint64_t)stack, .stack_hi = (uint64_t)stack + (STACK_PAGES + 1) * PAGE,
		.code_lo = code_lo, .code_hi = code_hi };
}

static void handler_free(struct handler *h)
{
	if (h->data_copy)
		kr_free(h->dom, h->data_copy);
	sys_region_remove(h->img.base);
	if (kr_domain_destroy(self, h->dom) != KR_OK)
		kr_log(KR_LOG_ERR, "tcc: cannot free handler %s's domain\n", h->name);
	*h = (struct handler){ 0 };
}

/* ---- linking: the kmod service's linker, fed by the grants ---- */

struct link_ctx {
	kr_domain_t *dom;
	kr_cap_t cap;
	uint32_t grants;
	unsigned nmissing;
	char missing[MAX_MISSING][48];
	const struct grant_call *needs[MAX_MISSING];
};

static void *link_alloc(void *ctx, size_t size)
{
	struct link_ctx *l = ctx;
	void *va;

	if (kr_page_alloc(l->dom, size / PAGE, &l->cap) != KR_OK)
		return NULL;
	if (kr_page_map(l->dom, l->cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va) != KR_OK ||
	    sys_region_add(va, size / PAGE, l->dom, l->cap) != KR_OK) {
		kr_cap_delete(l->dom, l->cap);
		return NULL;
	}
	return va;
}

static void link_free(void *ctx, void *p, size_t size)
{
	struct link_ctx *l = ctx;

	(void)size;
	sys_region_remove(p);
	kr_cap_delete(l->dom, l->cap);
}

/* What a handler calls without the grant links to this, and the link is
 * then refused with every such name listed; it is never run. */
static void not_granted(void)
{
	__builtin_trap();
}

static kr_err_t link_resolve(void *ctx, const char *name, uint64_t *addr)
{
	struct link_ctx *l = ctx;
	const struct grant_call *call = NULL;
	kr_err_t e = grant_lookup(name, l->grants, &call);
	const void *a = e == KR_OK ? hlib_address(call->nr) : NULL;
	unsigned i;

	if (a) {
		*addr = (uint64_t)a;
		return KR_OK;
	}
	for (i = 0; i < l->nmissing && strcmp(l->missing[i], name); i++)
		;
	if (i == l->nmissing && i < MAX_MISSING) {
		ksnprintf(l->missing[i], sizeof(l->missing[i]), "%s", name);
		l->needs[i] = e == KR_EPERM ? call : NULL;
		l->nmissing++;
	}
	*addr = (uint64_t)not_granted;
	return KR_OK;
}

static kr_err_t open_service(const char *name, uint32_t version, const void **ops)
{
	const struct kr_ops_header *h;
	kr_cap_t cap;
	kr_err_t e = kr_service_open(self, name, version, &cap);

	if (!e)
		e = kr_service_ops(self, cap, &h);
	if (e)
		kr_log(KR_LOG_ERR, "tcc: no %s service (version %u): %s\n", name, version,
		       kr_strerror(e));
	else
		*ops = h;
	return e;
}

/* ---- cc ---- */

struct cc_args {
	const char *file, *name;
	bool verbose;                   /* -v: print what each step cost */
	uint32_t grants;
	struct compile_req q;
};

static int usage(print_fn print, void *ctx, const char *why)
{
	printf_to(print, ctx, "cc: %s\nusage: cc FILE.c [-o NAME] [-g GRANT[,GRANT]]... "
		  "[-DNAME[=VALUE]]... [-IDIR]... [-v]\n", why);
	return 2;
}

static bool valid_name(const char *s, size_t n)
{
	if (!n || n >= NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static int parse_cc(int argc, char **argv, struct cc_args *a, print_fn print, void *ctx)
{
	const char *bad;
	unsigned badlen;

	*a = (struct cc_args){ .grants = GRANT_DEFAULT };
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = NULL;

		if (!strcmp(o, "-v")) {
			a->verbose = true;
			continue;
		}
		if (o[0] != '-') {
			if (a->file)
				return usage(print, ctx, "one source file at a time");
			a->file = o;
			continue;
		}
		if (strchr("ogDI", o[1]) && o[1]) {
			v = o[2] ? o + 2 : i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return usage(print, ctx, "an option is missing its value");
		}
		switch (o[1]) {
		case 'o':
			a->name = v;
			break;
		case 'g':
			if (grant_parse(v, &a->grants, &bad, &badlen) != KR_OK) {
				printf_to(print, ctx, "cc: unknown grant '%.*s' (grants: console, "
					  "vfs.read, vfs.write, time)\n", (int)badlen, bad);
				return 2;
			}
			break;
		case 'D':
		case 'I':
			if ((o[1] == 'D' ? a->q.ndefines : a->q.nincdirs) == COMPILE_MAX_OPTS)
				return usage(print, ctx, "too many -D or -I options");
			if (o[1] == 'D')
				a->q.defines[a->q.ndefines++] = v;
			else
				a->q.incdirs[a->q.nincdirs++] = v;
			break;
		default:
			printf_to(print, ctx, "cc: unknown option %s\n", o);
			return usage(print, ctx, "see above");
		}
	}
	if (!a->file)
		return usage(print, ctx, "no source file");
	return 0;
}

/* NAME from -o, else the file's base name without ".c". */
static int handler_name(struct cc_args *a, char *name, print_fn print, void *ctx)
{
	const char *base = strrchr(a->file, '/');
	size_t n;

	base = a->name ? a->name : base ? base + 1 : a->file;
	n = strlen(base);
	if (!a->name && n > 2 && !strcmp(base + n - 2, ".c"))
		n -= 2;
	if (!valid_name(base, n)) {
		printf_to(print, ctx, "cc: '%.*s' is not a handler name (letters, digits, _; at "
			  "most %u characters): use -o NAME\n", (int)n, base, NAME_MAX - 1);
		return 2;
	}
	memcpy(name, base, n);
	name[n] = '\0';
	return 0;
}

/* The source's digest: what `handlers` shows as the version. */
static kr_err_t source_version(const char *path, uint8_t out[8])
{
	struct vfs_stat st;
	uint8_t digest[KR_BLAKE2B_256_LEN];
	size_t got;
	void *buf;
	kr_err_t e = vfs->stat(shell->cwd(), path, &st);

	if (e)
		return e;
	if (st.type != VFS_FILE || st.size > SOURCE_MAX)
		return st.type != VFS_FILE ? KR_EINVAL : KR_ERANGE;
	buf = kr_malloc(self, st.size ? st.size : 1);
	if (!buf)
		return KR_ENOMEM;
	e = vfs->read(shell->cwd(), path, 0, buf, st.size, &got);
	if (!e)
		e = krt_blake2b_256(digest, buf, got);
	kr_free(self, buf);
	if (!e)
		memcpy(out, digest, 8);
	return e;
}

struct diag_ctx {
	print_fn print;
	void *ctx;
};

static void diag_line(void *ctx, const char *line)
{
	struct diag_ctx *d = ctx;

	d->print(d->ctx, line);
	d->print(d->ctx, "\n");
}

static const char *fault_name(uint32_t vector)
{
	switch (vector) {
	case 0: return "divide error";
	case 3: return "breakpoint";
	case 4: return "overflow";
	case 6: return "invalid opcode";
	case 12: return "stack fault";
	case 13: return "general protection fault";
	case 14: return "page fault";
	case 16: return "x87 floating-point error";
	case 17: return "alignment check";
	case 19: return "SIMD floating-point error";
	default: return "CPU exception";
	}
}

/* Compile a->file into an object in a fresh domain's heap (*cd). */
static int compile(struct cc_args *a, kr_domain_t **cd, const void **obj, size_t *len,
		   print_fn print, void *ctx)
{
	struct diag_ctx d = { print, ctx };
	struct kr_guard g = guard_for(0, 0, 0);
	long ret = KR_OK;
	kr_err_t e;

	e = kr_domain_create(self, "tcc:compile", 8, cd);
	if (e) {
		printf_to(print, ctx, "cc: no domain for the compile: %s\n", kr_strerror(e));
		return 1;
	}
	a->q.path = a->file;
	a->q.diag = diag_line;
	a->q.ctx = &d;
	sys_begin(*cd, vfs, shell->cwd(), diag_line, &d);
	e = kr_guard_call(self, &g, compile_entry, &a->q, &ret);
	*obj = sys_object(len);
	sys_end();
	if (e == KR_EFAULT) {
		printf_to(print, ctx, "cc: the compiler stopped: %s at %#llx; nothing was kept\n",
			  fault_name(g.fault.vector), (unsigned long long)g.fault.rip);
		return 1;
	}
	if (e || ret) {
		if (a->q.errors)
			printf_to(print, ctx, "cc: %s: %u error%s\n", a->file, a->q.errors,
				  a->q.errors == 1 ? "" : "s");
		else
			printf_to(print, ctx, "cc: %s: %s\n", a->file, kr_strerror(e ? e : ret));
		return 1;
	}
	if (!*obj) {
		printf_to(print, ctx, "cc: %s: the compiler wrote no object\n", a->file);
		return 1;
	}
	return 0;
}

static int link_handler(struct cc_args *a, struct handler *h, const void *obj, size_t len,
			print_fn print, void *ctx)
{
	struct link_ctx l = { .dom = h->dom, .grants = a->grants };
	struct kmod_link how = { .version = KMOD_LINK_VERSION, .ctx = &l, .alloc = link_alloc,
		.free = link_free, .resolve = link_resolve, .entry = "main" };
	char err[128];
	kr_err_t e = kmod->link(obj, len, &how, &h->img, err, sizeof(err));

	if (e) {
		printf_to(print, ctx, "cc: %s: %s\n", a->file,
			  e == KR_ENOENT && strstr(err, "entry") ?
			  "no main() function (a handler's entry is int main(int argc, char **argv))"
			  : err);
		return 1;
	}
	h->img_cap = l.cap;
	for (unsigned i = 0; i < l.nmissing; i++) {
		printf_to(print, ctx, "cc: %s: undefined symbol %s (not granted)", a->file,
			  l.missing[i]);
		if (l.needs[i])
			printf_to(print, ctx, ": needs -g %s", grant_name(l.needs[i]->grant));
		print(ctx, "\n");
	}
	if (l.nmissing)
		return 1;
	if (mprotect(h->img.base + h->img.text_off, h->img.text_size, PROT_READ | PROT_EXEC) ||
	    mprotect(h->img.base + h->img.ro_off, h->img.ro_size, PROT_READ)) {
		printf_to(print, ctx, "cc: %s: cannot set page permissions\n", a->file);
		return 1;
	}
	h->data_copy = kr_malloc(h->dom, h->img.data_size ? h->img.data_size : 1);
	if (!h->data_copy) {
		printf_to(print, ctx, "cc: %s: out of memory\n", a->file);
		return 1;
	}
	memcpy(h->data_copy, h->img.base + h->img.data_off, h->img.data_size);
	return 0;
}

static int cmd_cc(int argc, char **argv, print_fn print, void *ctx)
{
	struct cc_args a;
	struct handler h = { 0 }, *old, *slot = NULL;
	kr_domain_t *cd = NULL;
	const void *obj = NULL;
	size_t len = 0;
	uint64_t t0, t1, t2;
	char gl[64];
	kr_err_t e;
	int r;

	if ((r = parse_cc(argc, argv, &a, print, ctx)) ||
	    (r = handler_name(&a, h.name, print, ctx)))
		return r;
	e = source_version(a.file, h.version);
	if (e) {
		printf_to(print, ctx, "cc: %s: %s\n", a.file, kr_strerror(e));
		return 1;
	}
	old = find(h.name);
	for (int i = 0; i < MAX_HANDLERS && !slot; i++)
		if (!handlers[i].used)
			slot = &handlers[i];
	if (!slot && !old) {
		printf_to(print, ctx, "cc: %u handlers are loaded, the most there can be: unload "
			  "one\n", MAX_HANDLERS);
		return 1;
	}
	t0 = tsc();
	if (!kmod && open_service("kmod", KMOD_SERVICE_VERSION, (const void **)&kmod)) {
		printf_to(print, ctx, "cc: no linker: the kmod service is not running\n");
		return 1;
	}
	r = compile(&a, &cd, &obj, &len, print, ctx);
	t1 = tsc();
	if (!r) {
		h.grants = a.grants;
		e = kr_domain_create(self, h.name, 16, &h.dom);
		if (e) {
			printf_to(print, ctx, "cc: no domain for %s: %s\n", h.name, kr_strerror(e));
			r = 1;
		} else {
			h.used = true;
			r = link_handler(&a, &h, obj, len, print, ctx);
		}
	}
	t2 = tsc();
	if (cd) {
		if (obj)
			kr_free(cd, (void *)obj);
		kr_domain_destroy(self, cd);    /* the compile's heap */
	}
	if (r) {
		if (h.dom)
			handler_free(&h);
		return r;
	}
	if (old) {                      /* replaced only once the new one is ready */
		handler_free(old);
		slot = old;
	}
	*slot = h;
	grant_format(h.grants, gl, sizeof(gl));
	printf_to(print, ctx, "cc: %s: code %llu bytes, data %llu bytes, grants %s\n", h.name,
		  (unsigned long long)h.img.text_size,
		  (unsigned long long)(h.img.ro_size + h.img.data_size), gl);
	if (a.verbose)
		printf_to(print, ctx, "cc: %s: compile %llu, link %llu TSC cycles (%llu-byte object)\n",
			  h.name, (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1),
			  (unsigned long long)len);
	return 0;
}

/* ---- run ---- */

struct run_args {
	struct hlib_run *run;
	uint64_t entry;
	int argc;
	char **argv;
	uint64_t t_entry;               /* TSC just before the call to main */
};

static long run_entry(void *arg)
{
	struct run_args *a = arg;

	if (setjmp(a->run->exit_env))
		return a->run->status;
	a->t_entry = tsc();
	return ((int (*)(int, char **))a->entry)(a->argc, a->argv);
}

/* argv for the handler, in the run's heap: the handler may write to it. */
static char **copy_args(kr_domain_t *d, int argc, char **argv)
{
	char **v = kr_calloc(d, (size_t)argc + 1, sizeof(char *));

	for (int i = 0; v && i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		v[i] = kr_malloc(d, n);
		if (!v[i])
			return NULL;
		memcpy(v[i], argv[i], n);
	}
	return v;
}

static void where(const struct handler *h, uint64_t rip, char *buf, size_t len)
{
	uint64_t text = (uint64_t)h->img.base + h->img.text_off;

	if (rip >= text && rip < text + h->img.text_size)
		ksnprintf(buf, len, "%s+%#llx", h->name, (unsigned long long)(rip - text));
	else
		ksnprintf(buf, len, "%#llx, in a call %s made", (unsigned long long)rip, h->name);
}

static void report(const struct handler *h, const struct kr_fault *f, print_fn print, void *ctx)
{
	uint64_t text = (uint64_t)h->img.base + h->img.text_off;
	char at[80], detail[96] = "";

	where(h, f->rip, at, sizeof(at));
	if (f->kind == KR_FAULT_BUDGET) {
		printf_to(print, ctx, "%s: stopped: time budget of %u ms used up at %s\n", h->name,
			  budget_ms, at);
		return;
	}
	if (f->vector == 14) {
		const char *what = f->addr < PAGE ? "NULL pointer dereference" :
			f->addr >= (uint64_t)stack && f->addr < (uint64_t)stack + PAGE ?
			"stack overflow" :
			f->addr >= text && f->addr < text + h->img.text_size && (f->error & 2) ?
			"write to its code" : (f->error & 16) ? "jump to non-executable memory" :
			(f->error & 2) ? "bad write" : "bad read";

		ksnprintf(detail, sizeof(detail), " (%s, address %#llx)", what,
			  (unsigned long long)f->addr);
	}
	printf_to(print, ctx, "%s: stopped: %s%s at %s\n", h->name, fault_name(f->vector),
		  detail, at);
}

static int cmd_run(int argc, char **argv, print_fn print, void *ctx)
{
	uint64_t t0 = tsc();
	bool verbose = argc > 1 && !strcmp(argv[1], "-v");
	struct handler *h;
	struct hlib_run run = { .print = print, .print_ctx = ctx, .vfs = vfs };
	struct run_args a;
	struct kr_guard g;
	char dname[NAME_MAX + 4];
	long ret = 0;
	kr_err_t e;

	if (verbose) {
		argc--;
		argv++;
	}
	if (argc < 2 || argc - 1 > MAX_ARGS) {
		printf_to(print, ctx, "usage: run [-v] NAME [ARGS...] (at most %d arguments)\n",
			  MAX_ARGS - 1);
		return 2;
	}
	h = find(argv[1]);
	if (!h) {
		printf_to(print, ctx, "run: no handler %s (see: handlers; cc FILE.c)\n", argv[1]);
		return 1;
	}
	ksnprintf(dname, sizeof(dname), "run:%s", h->name);
	e = kr_domain_create(self, dname, 8, &run.heap);
	if (e) {
		printf_to(print, ctx, "run: no domain for the run: %s\n", kr_strerror(e));
		return 1;
	}
	run.cwd = shell->cwd();
	memcpy(h->img.base + h->img.data_off, h->data_copy, h->img.data_size);
	a = (struct run_args){ &run, h->img.entry, argc - 1, copy_args(run.heap, argc - 1, argv + 1),
			       0 };
	if (!a.argv) {
		kr_domain_destroy(self, run.heap);
		printf_to(print, ctx, "run: out of memory\n");
		return 1;
	}
	g = guard_for(budget_ms, (uint64_t)h->img.base + h->img.text_off,
		      (uint64_t)h->img.base + h->img.text_off + h->img.text_size);
	hlib_begin(&run);
	e = kr_guard_call(self, &g, run_entry, &a, &ret);
	hlib_end();
	/* Ours, not the handler's: only what it left is reported as left. */
	for (int i = 0; i < a.argc; i++)
		kr_free(run.heap, a.argv[i]);   /* refused if it changed the pointer */
	kr_free(run.heap, a.argv);
	kr_domain_destroy(self, run.heap);      /* what the run left behind */
	if (verbose && a.t_entry)
		printf_to(print, ctx, "run: %s: dispatch to entry %llu TSC cycles\n", h->name,
			  (unsigned long long)(a.t_entry - t0));
	if (e == KR_EFAULT || e == KR_ETIME) {
		report(h, &g.fault, print, ctx);
		return 1;
	}
	if (e) {
		printf_to(print, ctx, "run: %s: %s\n", h->name, kr_strerror(e));
		return 1;
	}
	if (run.aborted) {
		printf_to(print, ctx, "%s aborted: %s\n", h->name, run.why);
		return 1;
	}
	printf_to(print, ctx, "%s returned %d\n", h->name, (int)ret);
	return 0;
}

/* ---- handlers, unload ---- */

static int cmd_handlers(int argc, char **argv, print_fn print, void *ctx)
{
	char gl[64];

	(void)argv;
	if (argc != 1) {
		print(ctx, "usage: handlers\n");
		return 2;
	}
	printf_to(print, ctx, "%-20s %8s %8s  %-16s  %s\n", "NAME", "CODE", "DATA", "VERSION",
		  "GRANTS");
	for (int i = 0; i < MAX_HANDLERS; i++) {
		const struct handler *h = &handlers[i];

		if (!h->used)
			continue;
		grant_format(h->grants, gl, sizeof(gl));
		printf_to(print, ctx, "%-20s %8llu %8llu  %02x%02x%02x%02x%02x%02x%02x%02x  %s\n",
			  h->name, (unsigned long long)h->img.text_size,
			  (unsigned long long)(h->img.ro_size + h->img.data_size),
			  h->version[0], h->version[1], h->version[2], h->version[3],
			  h->version[4], h->version[5], h->version[6], h->version[7], gl);
	}
	return 0;
}

static int cmd_unload(int argc, char **argv, print_fn print, void *ctx)
{
	struct handler *h = argc == 2 ? find(argv[1]) : NULL;

	if (argc != 2) {
		print(ctx, "usage: unload NAME\n");
		return 2;
	}
	if (!h) {
		printf_to(print, ctx, "unload: no handler %s\n", argv[1]);
		return 1;
	}
	handler_free(h);
	return 0;
}

static const struct shell_command commands[] = {
	{ "cc", "cc FILE.c [-o NAME] [-g GRANT] [-DNAME[=V]] [-IDIR] [-v]",
	  "compile a C handler with TinyCC", cmd_cc },
	{ "run", "run [-v] NAME [ARGS...]", "run a handler's main(argc, argv)", cmd_run },
	{ "handlers", "handlers", "list compiled handlers", cmd_handlers },
	{ "unload", "unload NAME", "free a compiled handler", cmd_unload },
};

/* ---- the module ---- */

/* tcc.budget_ms=N on the kernel command line: a run's time limit. */
static void read_options(void)
{
	static const char key[] = "tcc.budget_ms=";
	const char *c = kr_cmdline();

	for (const char *p = c; p && *p; p++) {
		char *end;
		unsigned long v;

		if ((p != c && p[-1] != ' ') || strncmp(p, key, sizeof(key) - 1))
			continue;
		v = strtoul(p + sizeof(key) - 1, &end, 10);
		if ((*end && *end != ' ') || v < 10 || v > 3600000)
			kr_log(KR_LOG_WARN, "tcc: ignoring %s: want 10..3600000 ms\n", p);
		else
			budget_ms = (uint32_t)v;
	}
}

static kr_err_t tcc_init(kr_domain_t *d)
{
	kr_cap_t cap;
	void *va;
	kr_err_t e;

	self = d;
	read_options();
	for (unsigned i = 0; i < grant_ncalls; i++)
		if (!hlib_address(grant_calls[i].nr)) {
			kr_log(KR_LOG_ERR, "tcc: call %s (%u) has no address\n", grant_calls[i].name,
			       grant_calls[i].nr);
			return KR_ENOSYS;
		}
	if ((e = open_service("vfs", VFS_SERVICE_VERSION, (const void **)&vfs)) ||
	    (e = open_service("shell", SHELL_SERVICE_VERSION, (const void **)&shell)))
		return e;
	/* The stack compiles and runs use, a read-only guard page below it. */
	if ((e = kr_page_alloc(self, STACK_PAGES + 1, &cap)) ||
	    (e = kr_page_map(self, cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va)) ||
	    (e = kr_page_protect(self, cap, 0, 1, KR_RIGHT_READ)))
		return e;
	stack = va;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if ((e = shell->add(self, &commands[i])))
			return e;
	kr_log(KR_LOG_INFO, "tcc: TinyCC ready (run budget %u ms)\n", budget_ms);
	return KR_OK;
}

static void tcc_exit(kr_domain_t *d)
{
	(void)d;
	for (int i = 0; i < MAX_HANDLERS; i++)
		if (handlers[i].used)
			handler_free(&handlers[i]);
}

KR_MODULE(.name = "tcc", .version = KR_VERSION(1, 0, 0),
	  .description = "TinyCC in the kernel: cc, run, handlers, unload",
	  .license = "MIT", .author = "Karyon developers",
	  .deps = { { .name = "vfs", .min_version = KR_VERSION(0, 1, 0) },
		    { .name = "shell", .min_version = KR_VERSION(0, 1, 0) } }, .ndeps = 2,
	  .init = tcc_init, .exit = tcc_exit);
