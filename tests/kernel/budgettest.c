/*
 * budgettest - a guarded call's time budget (ABI 1.4, <karyon/guard.h>),
 * for tests/qemu/test_tcc.py guard-budget.
 *
 * `budget MS in|out` runs spin() as a guarded call with a budget of MS
 * milliseconds, the stop allowed in spin's code ("in") or in a range that
 * does not hold it ("out"), and says how it ended and after how long:
 *	budget: stopped (budget) after 52 ms at spin+0x1c
 *	budget: returned after 731 ms (spun 40000000 times)
 * spin() computes without calling anything for about TURNS iterations.
 */
#include <karyon/console.h>
#include <karyon/guard.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/module.h>
#include <karyon/service.h>
#include <karyon/shell.h>

#define TURNS    40000000ull
#define STACK_PG 4

static kr_domain_t *self;

static __attribute__((noinline)) long spin(void *arg)
{
	volatile uint64_t n = 0;

	(void)arg;
	while (n < TURNS)
		n = n + 1;
	return (long)(n & 0x7fffffff);
}

/* Marks the end of spin's code (the linker keeps the order of a file's
 * functions in one section). */
static __attribute__((noinline)) void spin_end(void)
{
	__asm__ volatile("");
}

static int budget_cmd(int argc, char **argv, void (*print)(void *ctx, const char *s), void *ctx)
{
	struct kr_guard g = { .version = KR_GUARD_VERSION };
	uint64_t t0, ms = 0;
	char line[128];
	kr_cap_t cap;
	void *va;
	long ret = 0;
	kr_err_t e;

	if (argc != 3 || (strcmp(argv[2], "in") && strcmp(argv[2], "out"))) {
		print(ctx, "usage: budget MS in|out\n");
		return 1;
	}
	for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
		ms = ms * 10 + (uint64_t)(*p - '0');
	if ((uint64_t)spin_end <= (uint64_t)spin) {
		print(ctx, "budget: spin_end is not after spin in this build\n");
		return 1;
	}
	if ((e = kr_page_alloc(self, STACK_PG + 1, &cap)) ||
	    (e = kr_page_map(self, cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va)) ||
	    (e = kr_page_protect(self, cap, 0, 1, KR_RIGHT_READ))) {
		print(ctx, "budget: no stack\n");
		return 1;
	}
	g.stack_lo = (uint64_t)va;
	g.stack_hi = (uint64_t)va + (STACK_PG + 1) * KR_PAGE_SIZE;
	g.budget_ms = (uint32_t)ms;
	g.code_lo = !strcmp(argv[2], "in") ? (uint64_t)spin : (uint64_t)spin_end;
	g.code_hi = !strcmp(argv[2], "in") ? (uint64_t)spin_end : (uint64_t)spin_end + 1;
	t0 = kr_uptime_us();
	e = kr_guard_call(self, &g, spin, NULL, &ret);
	ms = (kr_uptime_us() - t0) / 1000;
	kr_cap_delete(self, cap);
	if (e == KR_EFAULT)
		ksnprintf(line, sizeof(line), "budget: stopped (%s) after %llu ms at spin+%#llx\n",
			  g.fault.kind == KR_FAULT_BUDGET ? "budget" : kr_exc_name(g.fault.vector),
			  (unsigned long long)ms, (unsigned long long)(g.fault.rip - (uint64_t)spin));
	else if (e)
		ksnprintf(line, sizeof(line), "budget: refused: %s\n", kr_strerror(e));
	else
		ksnprintf(line, sizeof(line), "budget: returned after %llu ms (spun %ld times)\n",
			  (unsigned long long)ms, ret);
	print(ctx, line);
	return e && e != KR_EFAULT;
}

static const struct kr_shell_command budget = {
	"budget", "budget MS in|out", "a guarded call with a time budget (a test module)",
	budget_cmd,
};

static kr_err_t budget_init(kr_domain_t *d)
{
	const struct kr_ops_header *h;
	kr_cap_t c;
	kr_err_t e;

	self = d;
	if ((e = kr_service_open(d, "shell", KR_SHELL_SERVICE_VERSION, &c)) ||
	    (e = kr_service_ops(d, c, &h)))
		return e;
	return ((const struct kr_shell_ops *)h)->add(kr_domain_id(d), &budget);
}

KR_MODULE(.name = "budgettest", .version = KR_VERSION(1, 0, 0),
	  .description = "test: a guarded call's time budget", .license = "MIT",
	  .author = "Karyon developers", .init = budget_init);
