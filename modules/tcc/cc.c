/*
 * cc.c - the cc command: compile a C file with libtcc (compile.c) as a
 * guarded call on the module's stack, with a fresh domain as libtcc's heap,
 * then link the object through the kmod service against the handler's
 * grants only (names of the user-mode library, ulib/) for its user address,
 * into pages of the handler's own domain, and build its address space
 * (uspace.c): text read+exec, ro read-only, data read+write (a copy of it
 * kept: each run starts from it).
 * A handler of the same name is replaced only once the new one is ready.
 */
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <krt/libc.h>
#include "cc.h"
#include "commit.h"
#include "compile.h"
#include "grants.h"
#include "tcc.h"

#define MAX_MISSING     8

/* ---- linking: the kmod service's linker, fed by the grants ---- */

struct link_ctx {
	kr_domain_t *dom;
	kr_cap_t cap;
	uint32_t grants;
	unsigned nmissing;
	char missing[MAX_MISSING][48];
	const struct grant_call *needs[MAX_MISSING];
	/* Linked against every grant, the calls that needed one (checked
	 * against the manifest's grants once it is read), and the names the
	 * kernel looks for. */
	uint32_t used;
	unsigned ncalls;
	const struct grant_call *calls[MAX_MISSING];
	uint64_t main, on_event, manifest;
};

static void *link_alloc(void *ctx, size_t size)
{
	struct link_ctx *l = ctx;

	return pages_for(l->dom, size, &l->cap);
}

static void link_free(void *ctx, void *p, size_t size)
{
	struct link_ctx *l = ctx;

	(void)p;
	(void)size;
	kr_cap_delete(l->dom, l->cap);
}

/* A name the handler may not call links to address 0, and the link is
 * then refused with every such name listed; it never runs. */
static kr_err_t link_resolve(void *ctx, const char *name, uint64_t *addr)
{
	struct link_ctx *l = ctx;
	const struct grant_call *call = NULL;
	kr_err_t e = grant_lookup(name, l->grants, &call);
	unsigned i;

	if (e == KR_OK) {
		*addr = tcc_ulib_img.addr[call->nr];
		if (call->grant != GRANT_PURE) {
			for (i = 0; i < l->ncalls && l->calls[i] != call; i++)
				;
			if (i == l->ncalls && i < MAX_MISSING)
				l->calls[l->ncalls++] = call;
			l->used |= GRANT_BIT(call->grant);
		}
		return KR_OK;
	}
	for (i = 0; i < l->nmissing && strcmp(l->missing[i], name); i++)
		;
	if (i == l->nmissing && i < MAX_MISSING) {
		ksnprintf(l->missing[i], sizeof(l->missing[i]), "%s", name);
		l->needs[i] = e == KR_EPERM ? call : NULL;
		l->nmissing++;
	}
	*addr = 0;
	return KR_OK;
}

static kr_err_t link_defined(void *ctx, const char *name, uint64_t addr)
{
	struct link_ctx *l = ctx;

	if (!strcmp(name, "main"))
		l->main = addr;
	else if (!strcmp(name, "on_event"))
		l->on_event = addr;
	else if (!strcmp(name, "__karyon_manifest"))
		l->manifest = addr;
	return KR_OK;
}

/* ---- cc ---- */

#define BUDGET_MS       10000   /* a compile's default budgets: guest time, */
#define BUDGET_MB       64      /* and heap in use */

static bool compiler_lost;      /* libtcc faulted: its state is gone (compile) */


static int usage(print_fn print, void *ctx, const char *why)
{
	print_to(print, ctx, "cc: %s\nusage: cc FILE.c [-o NAME] [-g GRANT[,GRANT]]... "
		 "[-DNAME[=VALUE]]... [-IDIR]... [-l] [-v] [--no-gas] [--budget-ms N] "
		 "[--budget-mb N]\n", why);
	return 2;
}

int cc_parse(int argc, char **argv, struct cc_args *a, print_fn print, void *ctx)
{
	const char *bad;
	unsigned badlen;

	*a = (struct cc_args){ .grants = GRANT_DEFAULT, .q.gas = true, .budget_ms = BUDGET_MS,
			       .budget_mb = BUDGET_MB };
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = NULL;

		if (!strcmp(o, "--budget-ms") || !strcmp(o, "--budget-mb")) {
			uint64_t *dst = o[10] == 's' ? &a->budget_ms : &a->budget_mb;
			char *end;

			if (i + 1 == argc)
				return usage(print, ctx, "an option is missing its value");
			*dst = strtoull(argv[++i], &end, 10);
			if (end == argv[i] || *end || !*dst || *dst > (o[10] == 's' ? 3600000u : 4096u))
				return usage(print, ctx, "--budget-ms is 1 to 3600000, --budget-mb 1 "
					     "to 4096");
			continue;
		}

		if (!strcmp(o, "--no-gas")) {   /* unmetered: inline asm allowed (gas.h) */
			a->q.gas = false;
			continue;
		}
		if (!strcmp(o, "-v") || !strcmp(o, "-l")) {
			a->verbose |= o[1] == 'v';
			a->q.lines |= o[1] == 'l';
			continue;
		}
		if (o[0] != '-') {
			if (a->file)
				return usage(print, ctx, "one source file at a time");
			a->file = o;
			continue;
		}
		if (o[1] && strchr("ogDI", o[1])) {
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
				print_to(print, ctx, "cc: unknown grant '%.*s' (grants: console, "
					 "vfs.read, vfs.write, time, events.raise, parcel)\n",
					 (int)badlen, bad);
				return 2;
			}
			a->grants_given = true;
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
			print_to(print, ctx, "cc: unknown option %s\n", o);
			return usage(print, ctx, "see above");
		}
	}
	if (!a->file)
		return usage(print, ctx, "no source file");
	return 0;
}

/* NAME from -o, else the file's base name without ".c". */
int cc_handler_name(struct cc_args *a, char *name, print_fn print, void *ctx)
{
	const char *base = strrchr(a->file, '/');
	size_t n;

	base = a->name ? a->name : base ? base + 1 : a->file;
	n = strlen(base);
	if (!a->name && n > 2 && !strcmp(base + n - 2, ".c"))
		n -= 2;
	if (!tcommit_name_ok(base, n)) {
		print_to(print, ctx, "cc: '%.*s' is not a handler name (letters, digits, _; at "
			 "most %u characters): use -o NAME\n", (int)n, base, NAME_MAX - 1);
		return 2;
	}
	memcpy(name, base, n);
	name[n] = '\0';
	return 0;
}

/* The source's BLAKE2b-256: its first bytes are what `handlers` shows as
 * the version. */
kr_err_t cc_source_digest(const char *cwd, const char *path, uint8_t digest[32])
{
	struct kr_vfs_stat st;
	size_t got;
	void *buf;
	kr_err_t e = tcc_vfs->stat(cwd, path, &st);

	if (e)
		return e;
	if (st.type != KR_VFS_FILE || st.size > SOURCE_MAX)
		return st.type != KR_VFS_FILE ? KR_EINVAL : KR_ERANGE;
	buf = kr_malloc(tcc_self, st.size ? st.size : 1);
	if (!buf)
		return KR_ENOMEM;
	e = tcc_vfs->read(cwd, path, 0, buf, st.size, &got);
	if (!e)
		e = kr_blake2b_256(digest, buf, got);
	kr_free(tcc_self, buf);
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

/* Compile a->file into an object in a fresh domain's heap (*cd). */
static int compile(struct cc_args *a, kr_domain_t **cd, const void **obj, size_t *len,
		   print_fn print, void *ctx)
{
	struct diag_ctx d = { print, ctx };
	struct kr_guard g = guard_budget((uint32_t)a->budget_ms);
	const char *over;
	long ret = KR_OK;
	kr_err_t e;

	e = kr_domain_create(tcc_self, "tcc:compile", 8, cd);
	if (e) {
		print_to(print, ctx, "cc: no domain for the compile: %s\n", kr_strerror(e));
		return 1;
	}
	a->q.path = a->file;
	a->q.diag = diag_line;
	a->q.ctx = &d;
	sys_begin(*cd, tcc_vfs, a->cwd, diag_line, &d);
	sys_budget(a->budget_ms, a->budget_mb << 20);
	e = kr_guard_call(tcc_self, &g, compile_entry, &a->q, &ret);
	*obj = sys_object(len);
	over = sys_over();
	if (e == KR_EFAULT && g.fault.kind == KR_FAULT_BUDGET)
		over = "time";  /* stopped by the timer inside libtcc */
	sys_end();
	if (over) {
		*obj = NULL;
		if (e == KR_EFAULT)     /* abandoned inside libtcc: as after a fault */
			compiler_lost = !libtcc_restore();
		if (*over == 't')
			print_to(print, ctx, "cc: %s: stopped: the compile used up its time budget "
				 "of %llu ms (cc --budget-ms N)%s\n", a->file,
				 (unsigned long long)a->budget_ms, compiler_lost ?
				 "; no compile can run until the next boot" : "");
		else
			print_to(print, ctx, "cc: %s: stopped: the compile used up its memory "
				 "budget of %llu MiB (cc --budget-mb N)\n", a->file,
				 (unsigned long long)a->budget_mb);
		return 1;
	}
	if (e == KR_EFAULT) {
		/* libtcc's own statics now point into the compile's freed heap:
		 * put them back as at boot, or, where their place is unknown,
		 * refuse later compiles rather than fail at random. */
		compiler_lost = !libtcc_restore();
		print_to(print, ctx, "cc: the compiler stopped: %s at %#llx; nothing was kept%s\n",
			 fault_name(g.fault.vector), (unsigned long long)g.fault.rip,
			 compiler_lost ? ", and no compile can run until the next boot" : "");
		return 1;
	}
	if (e || ret) {
		if (a->q.errors)
			print_to(print, ctx, "cc: %s: %u error%s\n", a->file, a->q.errors,
				 a->q.errors == 1 ? "" : "s");
		else
			print_to(print, ctx, "cc: %s: %s\n", a->file, kr_strerror(e ? e : ret));
		return 1;
	}
	if (!*obj) {
		print_to(print, ctx, "cc: %s: the compiler wrote no object\n", a->file);
		return 1;
	}
	return 0;
}

/* The manifest's text in the linked image (ro or data), NUL-terminated
 * inside its region, into m; 0, or 1 with the reason printed. */
static int read_manifest(struct cc_args *a, struct handler *h, uint64_t addr, print_fn print,
			 void *ctx)
{
	const struct kr_kmod_linked *img = &h->img;
	uint64_t off = addr - HANDLER_BASE, end;
	char err[128];
	const char *text;

	h->mf = (struct manifest){ 0 };
	if (!addr)
		return 0;
	if (off >= img->ro_off && off < img->ro_off + img->ro_size)
		end = img->ro_off + img->ro_size;
	else if (off >= img->data_off && off < img->data_off + img->data_size)
		end = img->data_off + img->data_size;
	else
		end = off;
	text = (const char *)img->base + off;
	if (end == off || !memchr(text, 0, end - off)) {
		print_to(print, ctx, "cc: %s: __karyon_manifest is not a string (use "
			 "KR_MANIFEST(\"...\") from <karyon/handler.h>)\n", a->file);
		return 1;
	}
	if (manifest_parse(text, strlen(text), &h->mf, err, sizeof(err))) {
		print_to(print, ctx, "cc: %s: manifest: %s\n", a->file, err);
		return 1;
	}
	return 0;
}

/* The grants: the manifest's if it has one (and -g may not add to them),
 * else -g's; every call the handler makes must be granted. */
static int check_grants(struct cc_args *a, struct handler *h, const struct link_ctx *l,
			print_fn print, void *ctx)
{
	char gl[96];
	int bad = 0;

	if (h->mf.present && a->grants_given && (a->grants & ~h->mf.grants)) {
		grant_format(a->grants & ~h->mf.grants, gl, sizeof(gl));
		print_to(print, ctx, "cc: %s: -g %s is not in its manifest's grants: add it there "
			 "(grants=...)\n", a->file, gl);
		return 1;
	}
	h->grants = h->mf.present ? h->mf.grants | GRANT_BIT(GRANT_PURE) : a->grants;
	for (unsigned i = 0; i < l->ncalls; i++)
		if (l->calls[i]->grant == GRANT_VM) {   /* no grant of a handler's gives it */
			print_to(print, ctx, "cc: %s: undefined symbol %s (a contract's call: no "
				 "handler may call it)\n", a->file, l->calls[i]->name);
			bad = 1;
		} else if (!(h->grants & GRANT_BIT(l->calls[i]->grant))) {
			print_to(print, ctx, "cc: %s: undefined symbol %s (not granted): needs %s%s%s\n",
				 a->file, l->calls[i]->name, h->mf.present ? "grant " : "-g ",
				 grant_name(l->calls[i]->grant),
				 h->mf.present ? " in its manifest" : "");
			bad = 1;
		}
	if (!bad && (l->used & ~h->grants)) {  /* more calls than were listed */
		grant_format(l->used & ~h->grants, gl, sizeof(gl));
		print_to(print, ctx, "cc: %s: calls that need %s, not granted\n", a->file, gl);
		bad = 1;
	}
	return bad;
}

static int link_handler(struct cc_args *a, struct handler *h, const void *obj, size_t len,
			print_fn print, void *ctx)
{
	struct link_ctx l = { .dom = h->dom, .grants = ~0u };
	struct kr_kmod_link how = { .version = KR_KMOD_LINK_VERSION, .ctx = &l, .alloc = link_alloc,
		.free = link_free, .resolve = link_resolve, .entry = "main",
		.link_addr = HANDLER_BASE, .defined = link_defined };
	char err[128];
	kr_err_t e = tcc_kmod->link(obj, len, &how, &h->img, err, sizeof(err));

	if (e == KR_ENOENT && strstr(err, "entry")) {   /* an event handler: no main() */
		how.entry = "on_event";
		e = tcc_kmod->link(obj, len, &how, &h->img, err, sizeof(err));
	}
	if (e) {
		print_to(print, ctx, "cc: %s: %s\n", a->file,
			 e == KR_ENOENT && strstr(err, "entry") ?
			 "no main() or on_event() function (a handler's entry is int main(int argc, "
			 "char **argv), an event handler's int on_event(const struct kr_event *ev))"
			 : err);
		return 1;
	}
	h->img_cap = l.cap;
	for (unsigned i = 0; i < l.nmissing; i++)
		print_to(print, ctx, "cc: %s: undefined symbol %s (no handler may call it)\n",
			 a->file, l.missing[i]);
	if (l.nmissing || read_manifest(a, h, l.manifest, print, ctx) ||
	    check_grants(a, h, &l, print, ctx))
		return 1;
	h->main_entry = l.main;
	h->event_entry = l.on_event;
	if (h->mf.present && h->mf.nevents && !h->event_entry) {
		print_to(print, ctx, "cc: %s: its manifest lists events but it has no on_event() "
			 "(int on_event(const struct kr_event *ev))\n", a->file);
		return 1;
	}
	if (h->mf.present && !h->main_entry && !(h->mf.contexts & MF_BACKGROUND)) {
		print_to(print, ctx, "cc: %s: no main() and no background context: it could "
			 "never run\n", a->file);
		return 1;
	}
	h->data_copy = kr_malloc(h->dom, h->img.data_size ? h->img.data_size : 1);
	if (h->data_copy)
		memcpy(h->data_copy, h->img.base + h->img.data_off, h->img.data_size);
	e = h->data_copy ? space_build(h) : KR_ENOMEM;
	if (e) {
		print_to(print, ctx, "cc: %s: no address space: %s\n", a->file, kr_strerror(e));
		return 1;
	}
	return 0;
}

int cc_source_error(const struct cc_args *a, kr_err_t e, print_fn print, void *ctx)
{
	print_to(print, ctx, "cc: %s: %s\n", a->file, e == KR_EINVAL ? "not a file" :
		 e == KR_ERANGE ? "larger than 1 MiB" : kr_strerror(e));
	return 1;
}

/* Where h goes: its old version's slot or a free one; NULL (and why
 * printed) if none or the old one is running. */
static struct handler *slot_for(const char *name, struct handler **old, print_fn print,
				void *ctx)
{
	struct handler *slot = NULL;

	*old = handler_find(name);
	if (*old && (*old)->busy) {
		print_to(print, ctx, "cc: %s is running as a work token: replace it when it ends "
			 "(task wait)\n", name);
		return NULL;
	}
	for (int i = 0; i < MAX_HANDLERS && !slot; i++)
		if (!tcc_handlers[i].used)
			slot = &tcc_handlers[i];
	if (!slot && !*old) {
		print_to(print, ctx, "cc: %u handlers are loaded, the most there can be: unload "
			 "one\n", MAX_HANDLERS);
		return NULL;
	}
	return *old ? *old : slot;
}

int cc_build(struct cc_args *a, struct handler *h, struct cc_cost *cost, print_fn print,
	     void *ctx)
{
	struct handler *old;
	kr_domain_t *cd = NULL;
	const void *obj = NULL;
	size_t len = 0;
	char gl[128];
	kr_err_t e;
	int r;

	if (compiler_lost) {
		print(ctx, "cc: the compiler faulted in an earlier compile and its state is lost: "
		      "compiles are off until the next boot (compiled handlers still run)\n");
		return 1;
	}
	e = cc_source_digest(a->cwd, a->file, h->source);
	if (e)
		return cc_source_error(a, e, print, ctx);
	memcpy(h->version, h->source, sizeof(h->version));
	if (!slot_for(h->name, &old, print, ctx))
		return 1;
	cost->t0 = tsc();
	if (!tcc_kmod && open_service("kmod", KR_KMOD_SERVICE_VERSION, (const void **)&tcc_kmod)) {
		print_to(print, ctx, "cc: no linker: the kmod service is not running\n");
		return 1;
	}
	if ((e = ulib_load(gl, sizeof(gl))) != KR_OK) {
		print_to(print, ctx, "cc: cannot link the handler library: %s\n", gl);
		return 1;
	}
	r = compile(a, &cd, &obj, &len, print, ctx);
	cost->t1 = tsc();
	if (!r) {
		h->metered = a->q.gas;
		e = kr_domain_create(tcc_self, h->name, HANDLER_SLOTS, &h->dom);
		if (e) {
			print_to(print, ctx, "cc: no domain for %s: %s\n", h->name, kr_strerror(e));
			r = 1;
		} else {
			h->used = true;
			r = link_handler(a, h, obj, len, print, ctx);
		}
	}
	if (!r && obj) {                /* its line table, exactly sized, in its domain */
		struct line_table *t = kr_malloc(cd, LINES_SIZE(LINES_MAX));

		if (t) {
			lines_read(obj, len, t);
			h->lines = t->nrows ? kr_malloc(h->dom, LINES_SIZE(t->nrows)) : NULL;
			if (h->lines)
				memcpy(h->lines, t, LINES_SIZE(t->nrows));
			kr_free(cd, t);
		}
	}
	cost->t2 = tsc();
	cost->len = len;
	cost->charges = a->q.charges;
	cost->gas = a->q.gas;
	if (cd) {
		if (obj)
			kr_free(cd, (void *)obj);
		kr_domain_destroy(tcc_self, cd);    /* the compile's heap */
	}
	if (r && h->dom)
		handler_free(h);
	return r;
}

int cc_install(struct handler *h, bool verbose, const struct cc_cost *cost, print_fn print,
	       void *ctx)
{
	struct handler *old, *slot = slot_for(h->name, &old, print, ctx);
	char gl[128];

	if (!slot) {
		handler_free(h);
		return 1;
	}
	snapshot_new(h, old);           /* kept if the same version, else fresh */
	if (old)                        /* replaced only once the new one is ready */
		handler_free(old);
	*slot = *h;
	endpoint_open(slot);            /* after the old one closed its own */
	grant_format(h->grants, gl, sizeof(gl));
	print_to(print, ctx, "cc: %s: code %llu bytes, data %llu bytes, grants %s\n", h->name,
		 (unsigned long long)h->img.text_size,
		 (unsigned long long)(h->img.ro_size + h->img.data_size), gl);
	if (verbose)
		print_to(print, ctx, "cc: %s: compile %llu, link %llu TSC cycles (%llu-byte object), "
			 "%u gas charges%s\n", h->name, (unsigned long long)(cost->t1 - cost->t0),
			 (unsigned long long)(cost->t2 - cost->t1), (unsigned long long)cost->len,
			 cost->charges, cost->gas ? "" : " (not metered)");
	return 0;
}

/* cc; direct: never through the commit log (the runner's compile, for
 * /etc/events' `handler` lines: genesis, run at every boot). */
int cc_run(int argc, char **argv, bool direct, print_fn print, void *ctx)
{
	struct cc_args a;
	struct handler h = { 0 };
	struct cc_cost cost;
	int r;

	if ((r = cc_parse(argc, argv, &a, print, ctx)) ||
	    (r = cc_handler_name(&a, h.name, print, ctx)))
		return r;
	a.cwd = tcc_shell->cwd();
	if (tcc_gate && !direct)
		return cc_commit(&a, h.name, print, ctx);
	if ((r = cc_build(&a, &h, &cost, print, ctx)))
		return r;
	return cc_install(&h, a.verbose, &cost, print, ctx);
}

int cmd_cc(int argc, char **argv, print_fn print, void *ctx)
{
	return cc_run(argc, argv, false, print, ctx);
}
