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
 * (grants.c: names of the user-mode C library, ulib/) for its user address,
 * into pages of the handler's own domain, and gets an address space of its
 * own (uspace.c).
 *
 * A run (run.c) is user mode: the handler reaches its own pages and the
 * calls its grants allow through the system-call gate (gate.c), nothing
 * else.  A CPU exception, an exhausted time budget (tcc.budget_ms=, default
 * 2000) or Ctrl-C stops it with a report; its stack and heap are freed and
 * the handler stays loaded, reset for its next run.
 */
#include <karyon/cmdline.h>
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <krt/libc.h>
#include <karyon/module.h>
#include "cc.h"
#include "grants.h"
#include "sys.h"
#include "crun.h"
#include "tcc.h"

kr_domain_t *tcc_self;
const struct kr_shell_ops *tcc_shell;
const struct kr_vfs_ops *tcc_vfs;
const struct kr_kmod_ops *tcc_kmod;
struct handler tcc_handlers[MAX_HANDLERS];
uint8_t *tcc_stack;
uint32_t tcc_budget_ms = 2000;
uint64_t tcc_heap_limit;

struct handler *handler_find(const char *name)
{
	for (int i = 0; i < MAX_HANDLERS; i++)
		if (tcc_handlers[i].used && !strcmp(tcc_handlers[i].name, name))
			return &tcc_handlers[i];
	return NULL;
}

/* libtcc's statics (its .data and .bss, one section: libtcc_state, see
 * tcc-runtime/libtcc/meson.build) as they were before any compile.  A
 * compile abandoned inside libtcc leaves them pointing into its freed
 * heap; putting them back makes libtcc as it was at boot.  The bounds are
 * the linker's, so they exist where the kernel is linked (tcc built in);
 * loaded as a .kmod there are none, and compiles stop after such a fault. */
extern char __start_libtcc_state[] __attribute__((weak));
extern char __stop_libtcc_state[] __attribute__((weak));
static void *libtcc_pristine;

void libtcc_snapshot(void)
{
	size_t n = (size_t)(__stop_libtcc_state - __start_libtcc_state);

	if (__start_libtcc_state && n && (libtcc_pristine = kr_malloc(tcc_self, n)))
		memcpy(libtcc_pristine, __start_libtcc_state, n);
}

bool libtcc_restore(void)
{
	if (!libtcc_pristine)
		return false;
	memcpy(__start_libtcc_state, libtcc_pristine,
	       (size_t)(__stop_libtcc_state - __start_libtcc_state));
	return true;
}

/* libtcc's code (its .text, renamed libtcc_text: tcc-runtime/libtcc/
 * meson.build), where a compile past its time budget may be stopped; the
 * kernel's linker script places it between these.  Absent (0) in a
 * tcc.kmod: then only the allocation checks (sys.c) hold the budget. */
extern char __start_libtcc_text[] __attribute__((weak));
extern char __stop_libtcc_text[] __attribute__((weak));

struct kr_guard guard_budget(uint32_t budget_ms)
{
	struct kr_guard g = guard_for();
	uint64_t lo = (uint64_t)(uintptr_t)__start_libtcc_text;
	uint64_t hi = (uint64_t)(uintptr_t)__stop_libtcc_text;

	if (budget_ms && lo && hi > lo) {
		g.budget_ms = budget_ms;
		g.code_lo = lo;
		g.code_hi = hi;
	}
	return g;
}

struct kr_guard guard_for(void)
{
	return (struct kr_guard){ .version = KR_GUARD_VERSION, .stack_lo = (uint64_t)tcc_stack,
		.stack_hi = (uint64_t)tcc_stack + (STACK_PAGES + 1) * KR_PAGE_SIZE };
}

void handler_free(struct handler *h)
{
	endpoint_close(h);
	if (h->data_copy)
		kr_free(h->dom, h->data_copy);
	if (h->snap)
		kr_free(h->dom, h->snap);
	if (h->lines)
		kr_free(h->dom, h->lines);
	if (kr_domain_destroy(tcc_self, h->dom) != KR_OK)
		kr_log(KR_LOG_ERR, "tcc: cannot free handler %s's domain\n", h->name);
	*h = (struct handler){ 0 };
}

kr_err_t open_service(const char *name, uint32_t version, const void **ops)
{
	const struct kr_ops_header *h;
	kr_cap_t cap;
	kr_err_t e = kr_service_open(tcc_self, name, version, &cap);

	if (!e)
		e = kr_service_ops(tcc_self, cap, &h);
	if (e)
		kr_log(KR_LOG_ERR, "tcc: no %s service (version %u): %s\n", name, version,
		       kr_strerror(e));
	else
		*ops = h;
	return e;
}
const char *fault_name(uint32_t vector)
{
	switch (vector) {
	case 0: return "divide error";
	case 1: return "debug exception (single step)";
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

/* ---- handlers, unload ---- */

static int cmd_handlers(int argc, char **argv, print_fn print, void *ctx)
{
	char gl[64];

	(void)argv;
	if (argc != 1) {
		print(ctx, "usage: handlers\n");
		return 2;
	}
	print_to(print, ctx, "%-20s %8s %8s  %-16s  %s\n", "NAME", "CODE", "DATA", "VERSION",
		 "GRANTS");
	for (int i = 0; i < MAX_HANDLERS; i++) {
		const struct handler *h = &tcc_handlers[i];

		if (!h->used)
			continue;
		grant_format(h->grants, gl, sizeof(gl));
		print_to(print, ctx, "%-20s %8llu %8llu  %02x%02x%02x%02x%02x%02x%02x%02x  %s\n",
			 h->name, (unsigned long long)h->img.text_size,
			 (unsigned long long)(h->img.ro_size + h->img.data_size),
			 h->version[0], h->version[1], h->version[2], h->version[3],
			 h->version[4], h->version[5], h->version[6], h->version[7], gl);
		if (h->mf.present) {
			char mf[200];

			manifest_format(&h->mf, mf, sizeof(mf));
			print_to(print, ctx, "  manifest: %s%s\n", mf,
				 h->event_entry ? "" : " (no on_event)");
		}
	}
	return 0;
}

static int cmd_unload(int argc, char **argv, print_fn print, void *ctx)
{
	struct handler *h = argc == 2 ? handler_find(argv[1]) : NULL;

	if (argc != 2) {
		print(ctx, "usage: unload NAME\n");
		return 2;
	}
	if (tcc_gate)
		return unload_commit(argv[1], print, ctx);
	if (!h) {
		print_to(print, ctx, "unload: no handler %s\n", argv[1]);
		return 1;
	}
	if (h->busy) {
		print_to(print, ctx, "unload: %s is running as a work token or for an event (see: "
			 "task list, events)\n", argv[1]);
		return 1;
	}
	handler_free(h);
	return 0;
}

static const struct kr_shell_command commands[] = {
	{ "cc", "cc FILE.c [-o NAME] [-g GRANT] [-DNAME[=V]] [-IDIR] [-l] [-v]",
	  "compile a C handler with TinyCC", cmd_cc },
	{ "run", "run [-v] NAME [ARGS...]", "run a handler's main(argc, argv)", cmd_run },
	{ "handlers", "handlers", "list compiled handlers", cmd_handlers },
	{ "unload", "unload NAME", "free a compiled handler", cmd_unload },
	{ "snapshot", "snapshot list | show HANDLER | reset HANDLER",
	  "event handlers' globals kept between events", cmd_snapshot },
};

/* ---- the module ---- */

static void warn_option(void *ctx, const char *line)
{
	(void)ctx;
	kr_log(KR_LOG_WARN, "%s\n", line);
}

/* tcc.budget_ms=N on the kernel command line: a run's time limit. */
static void read_options(void)
{
	uint64_t budget = tcc_budget_ms;
	const struct kr_cmdline_opt opts[] = {
		{ KR_CMDLINE_OPT_INIT, .key = "budget_ms", .type = KR_CMDLINE_UINT, .dst = &budget,
		  .min = 10, .max = 3600000, .help = "a handler run's time limit, in ms" },
	};

	kr_cmdline_apply("tcc", opts, 1, warn_option, NULL);
	tcc_budget_ms = (uint32_t)budget;
}

static kr_err_t tcc_init(kr_domain_t *d)
{
	kr_cap_t cap;
	void *va;
	kr_err_t e;

	struct kr_mem_stats ms = { .version = KR_MEM_STATS_VERSION };

	tcc_self = d;
	read_options();
	kr_mem_stats(&ms);
	tcc_heap_limit = ms.total_pages * KR_PAGE_SIZE / 4;     /* a quarter of memory */
	if ((e = open_service("vfs", KR_VFS_SERVICE_VERSION, (const void **)&tcc_vfs)) ||
	    (e = open_service("shell", KR_SHELL_SERVICE_VERSION, (const void **)&tcc_shell)))
		return e;
	/* The stack compiles use, a read-only guard page below it. */
	if ((e = kr_page_alloc(tcc_self, STACK_PAGES + 1, &cap)) ||
	    (e = kr_page_map(tcc_self, cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va)) ||
	    (e = kr_page_protect(tcc_self, cap, 0, 1, KR_RIGHT_READ)))
		return e;
	tcc_stack = va;
	libtcc_snapshot();
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if ((e = tcc_shell->add(kr_domain_id(tcc_self), &commands[i])))
			return e;
	if ((e = runner_publish()) || (e = event_publish()) || (e = tcc_state_publish()) ||
	    (e = contract_publish()))
		return e;
	kr_log(KR_LOG_INFO, "tcc: TinyCC ready (run budget %u ms)\n", tcc_budget_ms);
	return KR_OK;
}

static void tcc_exit(kr_domain_t *d)
{
	(void)d;
	tcc_state_exit();
	contract_exit();
	for (int i = 0; i < MAX_HANDLERS; i++)
		if (tcc_handlers[i].used)
			handler_free(&tcc_handlers[i]);
}

KR_MODULE(.name = "tcc", .version = KR_VERSION(1, 0, 0),
	  .description = "TinyCC in the kernel: cc, run, handlers, unload",
	  .license = "MIT", .author = "Karyon developers",
	  .deps = { { .name = "vfs", .min_version = KR_VERSION(0, 1, 0) },
		    { .name = "shell", .min_version = KR_VERSION(0, 1, 0) } }, .ndeps = 2,
	  .init = tcc_init, .exit = tcc_exit);
