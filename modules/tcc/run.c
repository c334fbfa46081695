/*
 * run.c - the run command: call a handler's main(argc, argv) as a guarded
 * call with the time budget, its heap a domain of its own (freed when the
 * run ends, however it ends) and its data reset to the linked image; then
 * report what it returned, or the fault or spent budget that stopped it.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <krt/libc.h>
#include "hlib.h"
#include "tcc.h"

#define MAX_ARGS        32

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
			  tcc_budget_ms, at);
		return;
	}
	if (f->vector == 14) {
		const char *what = f->addr < KR_PAGE_SIZE ? "NULL pointer dereference" :
			f->addr >= (uint64_t)tcc_stack && f->addr < (uint64_t)tcc_stack + KR_PAGE_SIZE ?
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

int cmd_run(int argc, char **argv, print_fn print, void *ctx)
{
	uint64_t t0 = tsc();
	bool verbose = argc > 1 && !strcmp(argv[1], "-v");
	struct handler *h;
	struct hlib_run run = { .print = print, .print_ctx = ctx, .vfs = tcc_vfs };
	struct run_args a;
	struct kr_guard g;
	char dname[32];                 /* the core's longest domain name, cut to fit */
	struct kr_mem_stats ms = { .version = KR_MEM_STATS_VERSION };
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
	h = handler_find(argv[1]);
	if (!h) {
		printf_to(print, ctx, "run: no handler %s (see: handlers; cc FILE.c)\n", argv[1]);
		return 1;
	}
	ksnprintf(dname, sizeof(dname), "run:%s", h->name);
	e = kr_domain_create(tcc_self, dname, 8, &run.heap);
	if (e) {
		printf_to(print, ctx, "run: no domain for the run: %s\n", kr_strerror(e));
		return 1;
	}
	run.cwd = tcc_shell->cwd();
	kr_mem_stats(&ms);
	run.heap_limit = ms.total_pages * KR_PAGE_SIZE / 4;     /* a quarter of memory */
	memcpy(h->img.base + h->img.data_off, h->data_copy, h->img.data_size);
	a = (struct run_args){ &run, h->img.entry, argc - 1, copy_args(run.heap, argc - 1, argv + 1),
			       0 };
	if (!a.argv) {
		kr_domain_destroy(tcc_self, run.heap);
		printf_to(print, ctx, "run: out of memory\n");
		return 1;
	}
	g = guard_for(tcc_budget_ms, (uint64_t)h->img.base + h->img.text_off,
		      (uint64_t)h->img.base + h->img.text_off + h->img.text_size);
	hlib_begin(&run);
	e = kr_guard_call(tcc_self, &g, run_entry, &a, &ret);
	hlib_end();
	/* Ours, not the handler's: only what it left is reported as left. */
	for (int i = 0; i < a.argc; i++)
		kr_free(run.heap, a.argv[i]);   /* refused if it changed the pointer */
	kr_free(run.heap, a.argv);
	kr_domain_destroy(tcc_self, run.heap);      /* what the run left behind */
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
